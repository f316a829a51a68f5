#!/usr/bin/env bash
# Runs every guest on QEMU (the reference) and records its console output as expected/<name>.txt.
# The table below is the one the ArmVirt.Guests.Tests project uses: name, ELF, highest EL, semihosting, exit code,
# GIC version (2 when omitted); SMP=N and CPU=MODEL before a line set -smp and -cpu (1 and cortex-a57 by default).
set -euo pipefail
cd "$(dirname "$0")"
QEMU=${QEMU:-qemu-system-aarch64}
command -v "$QEMU" >/dev/null || { echo "$QEMU not found" >&2; exit 1; }
mkdir -p expected

run() { # name elf el semihosting expected-exit [gic-version] [disk image on virtio-blk]
    local name=$1 elf=$2 el=$3 sh=$4 want=$5 gic=${6:-2} disk=${7:-} machine=virt args=()
    [[ $el == 2 ]] && machine=virt,virtualization=on
    [[ $el == 3 ]] && machine=virt,secure=on,virtualization=on # an AArch32 EL3 (Monitor mode): the ARMv7 CPUs only
    [[ $gic != 2 ]] && machine+=",gic-version=$gic"
    [[ $sh == 1 ]] && args+=(-semihosting)
    # A modern (version 2) virtio-mmio transport, as ArmVirt's default; QEMU 7.2's virt defaults to legacy.
    [[ -n $disk ]] && args+=(-global virtio-mmio.force-legacy=false
        -drive "if=none,id=d0,file=bin/$disk,format=raw,snapshot=on" -device virtio-blk-device,drive=d0)
    local rc=0
    # Semihosting console output goes to stderr without a chardev: the guests never write both, so append it.
    timeout 30 "$QEMU" -M "$machine" -cpu "${CPU:-cortex-a57}" -smp "${SMP:-1}" -m 128M -nographic -monitor none -serial stdio \
        "${args[@]}" -kernel "bin/$elf" </dev/null >"expected/$name.txt" 2>"expected/$name.stderr" || rc=$?
    if [[ $sh == 1 ]]; then cat "expected/$name.stderr" >>"expected/$name.txt"; fi
    rm -f "expected/$name.stderr"
    if [[ $rc != "$want" ]]; then echo "$name: QEMU exited with $rc, expected $want" >&2; exit 1; fi
    echo "$name: $(wc -l <"expected/$name.txt") lines"
}

run demo demo.elf 2 0 0
run demo-el1 demo.elf 1 0 0
run exceptions exceptions.elf 1 0 0
run el2 el2.elf 2 0 0
SMP=2 CPU=cortex-a53 run el2-a53-smp2 el2.elf 2 0 0
CPU=max run el2-max el2.elf 2 0 0
run semihosting semihosting.elf 1 1 3
run mmu_s1 mmu_s1.elf 1 0 0
run mmu_s2 mmu_s2.elf 2 0 0
run aborts aborts.elf 2 0 0
CPU=max run aborts-max aborts.elf 2 0 0
run simd simd.elf 1 0 0
run simd-el2 simd.elf 2 0 0
run gicv3_hyp gicv3_hyp.elf 2 0 0 3
run gicv3_el1 gicv3_el1.elf 1 0 0 3
SMP=4 run smp smp.elf 1 0 0
SMP=4 CPU=max run smp-gicv3-max smp.elf 1 0 0 3
SMP=3 CPU=max run pairs pairs.elf 1 0 0
SMP=2 run shootdown shootdown.elf 1 0 0
run debug debug.elf 1 0 0
run debug-el2 debug.elf 2 0 0
run aarch32 aarch32.elf 1 0 0
run aarch32_thumb aarch32_thumb.elf 1 0 0
run aarch32_vfp aarch32_vfp.elf 1 0 0
run aarch32_vfp_thumb aarch32_vfp_thumb.elf 1 0 0
run aarch32_el1 aarch32_el1.elf 2 0 0
run debug32 debug32.elf 2 0 0
CPU=cortex-a15 run armv7_hyp armv7_hyp.elf 2 0 0
CPU=cortex-a15 run armv7_debug armv7_debug.elf 2 0 0
# secure=on has no PSCI: the guest ends in WFI with every interrupt masked (ArmVirt: halted), QEMU in the timeout.
CPU=cortex-a15 run armv7_secure armv7_secure.elf 3 0 124
run cpubench-a32 cpubench_a32_quick.elf 1 0 0
run gdbtarget gdbtarget.elf 1 0 0
run cpubench cpubench_quick.elf 1 0 0
run virtio_dma virtio_dma.elf 1 0 0 2 virtio_dma.img
# The benchmark guests' quick builds in the translation modes of common/bench_mode.h (cpubench above is the EL1 one).
run cpubench-mmuoff cpubench_mmuoff_quick.elf 1 0 0
run cpubench-el2 cpubench_el2_quick.elf 2 0 0
run cpubench-s2 cpubench_s2_quick.elf 2 0 0
run shapes-mmuoff shapes_mmuoff_quick.elf 1 0 0
run shapes-el1 shapes_el1_quick.elf 1 0 0
run shapes-el2 shapes_el2_quick.elf 2 0 0
run shapes-s2 shapes_s2_quick.elf 2 0 0
run pmu pmu.elf 2 0 0
run pmu32 pmu32.elf 2 0 0
