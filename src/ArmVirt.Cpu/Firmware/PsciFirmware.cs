using System.Collections.Frozen;

namespace ArmVirt.Cpu.Firmware;

/// <summary>
/// Built-in firmware implementing PSCI 1.1 (Arm DEN 0022) and the SMCCC 1.1 Arm Architecture Service
/// (Arm DEN 0028) on one conduit, the way QEMU answers PSCI for <c>-M virt</c>. Functions that exist in both
/// conventions are answered for SMC32 and SMC64 IDs. SMC32 calls read W0..W3 only (the top halves of X0..X3 are
/// ignored) and return a 32-bit result in W0, sign-extended into X0; SMC64 calls use the X registers. SMCCC only
/// defines W0 for an SMC32 result (callers must check only the bottom 32 bits), and sign extension is what
/// TF-A, KVM and QEMU do, so a guest comparing X0 with a 64-bit -1 works here as it does there. An unknown
/// function ID returns the sign-extended -1 that SMCCC (DEN 0028B onwards) requires. Registers other than X0
/// are preserved.
/// </summary>
internal sealed class PsciFirmware : IFirmwareCallHandler
{
    /// <summary>PSCI_VERSION result: major 1 in bits 31..16, minor 1 in bits 15..0.</summary>
    public const uint PsciVersion = 0x0001_0001;

    /// <summary>SMCCC_VERSION result: SMCCC 1.1.</summary>
    public const uint SmcccVersion = 0x0001_0001;

    /// <summary>MIGRATE_INFO_TYPE result 2: no Trusted OS is present, so nothing needs migrating.</summary>
    public const int MigrateInfoTypeNoTrustedOs = 2;

    /// <summary>
    /// PSCI_FEATURES result for CPU_SUSPEND: bit 1 = 0 selects the original power_state format, bit 0 = 0 says
    /// only platform-coordinated mode is supported (no OS-initiated mode).
    /// </summary>
    public const int CpuSuspendFeatureFlags = 0;

    // CPU_SUSPEND original power_state format: StateID [15:0], StateType [16], PowerLevel [25:24];
    // bits [23:17] and [31:26] are reserved and must be zero.
    private const uint PowerStateReserved = 0xFC00_0000 | 0x00FE_0000;
    private const uint PowerStateTypePowerDown = 1u << 16;
    private const int PowerStateLevelShift = 24;

    // Affinity fields of an MPIDR as PSCI passes target_cpu: Aff3 [39:32] (SMC64 only), Aff2..Aff0 [23:0].
    private const ulong AffinityMask64 = 0xFF_00FF_FFFFUL;
    private const ulong AffinityMask32 = 0x00_00FF_FFFFUL;

    // SYSTEM_RESET2 reset_type: bit 31 selects a vendor-specific reset; architectural type 0 is SYSTEM_WARM_RESET.
    private const uint ResetTypeVendor = 0x8000_0000;
    private const uint ResetTypeSystemWarmReset = 0;

    private const ulong SctlrM = 1UL << 0, SctlrC = 1UL << 2, SctlrI = 1UL << 12;

    private delegate void CallHandler(PsciFirmware firmware, Cpu cpu, bool smc64);

    /// <summary>One implemented function: what PSCI_FEATURES and SMCCC_ARCH_FEATURES answer for it (null = not theirs to report).</summary>
    private readonly record struct Call(uint Id, string Name, CallHandler Handler, int? PsciFeatures = null, int? ArchFeatures = null);

    // Every function this firmware implements. PSCI_FEATURES reports PSCI functions and SMCCC_VERSION (DEN 0022
    // PSCI_FEATURES: "psci_func_id ... or SMCCC_VERSION"); SMCCC_ARCH_FEATURES reports Arm Architecture Service
    // functions. SMCCC_ARCH_WORKAROUND_1/2/3 are deliberately absent: they answer NOT_SUPPORTED, which Linux
    // accepts (it then reports the mitigation state as unknown/vulnerable and carries on).
    private static readonly Call[] Table =
    [
        new((uint)PsciFunction.Version, "PSCI_VERSION", Version, PsciFeatures: 0),
        new((uint)PsciFunction.CpuSuspend32, "CPU_SUSPEND", CpuSuspend, PsciFeatures: CpuSuspendFeatureFlags),
        new((uint)PsciFunction.CpuSuspend64, "CPU_SUSPEND", CpuSuspend, PsciFeatures: CpuSuspendFeatureFlags),
        new((uint)PsciFunction.CpuOff, "CPU_OFF", CpuOff, PsciFeatures: 0),
        new((uint)PsciFunction.CpuOn32, "CPU_ON", CpuOn, PsciFeatures: 0),
        new((uint)PsciFunction.CpuOn64, "CPU_ON", CpuOn, PsciFeatures: 0),
        new((uint)PsciFunction.AffinityInfo32, "AFFINITY_INFO", AffinityInfo, PsciFeatures: 0),
        new((uint)PsciFunction.AffinityInfo64, "AFFINITY_INFO", AffinityInfo, PsciFeatures: 0),
        new((uint)PsciFunction.MigrateInfoType, "MIGRATE_INFO_TYPE", MigrateInfoType, PsciFeatures: 0),
        new((uint)PsciFunction.SystemOff, "SYSTEM_OFF", SystemOff, PsciFeatures: 0),
        new((uint)PsciFunction.SystemReset, "SYSTEM_RESET", SystemReset, PsciFeatures: 0),
        new((uint)PsciFunction.Features, "PSCI_FEATURES", Features, PsciFeatures: 0),
        new((uint)PsciFunction.SystemReset2_32, "SYSTEM_RESET2", SystemReset2, PsciFeatures: 0),
        new((uint)PsciFunction.SystemReset2_64, "SYSTEM_RESET2", SystemReset2, PsciFeatures: 0),
        new((uint)SmcccFunction.Version, "SMCCC_VERSION", SmcccVersionCall, PsciFeatures: 0, ArchFeatures: 0),
        new((uint)SmcccFunction.ArchFeatures, "SMCCC_ARCH_FEATURES", ArchFeatures, ArchFeatures: 0),
    ];

    private static readonly FrozenDictionary<uint, Call> Calls = Table.ToFrozenDictionary(c => c.Id);

    /// <summary>Creates the firmware answering calls made through <paramref name="conduit"/>.</summary>
    public PsciFirmware(FirmwareConduit conduit, IPsciPlatform platform)
    {
        Conduit = conduit;
        Platform = platform ?? throw new ArgumentNullException(nameof(platform));
    }

    /// <inheritdoc />
    public FirmwareConduit Conduit { get; }

    /// <summary>The machine the power-management calls act on.</summary>
    public IPsciPlatform Platform { get; }

    /// <summary>Every function ID this firmware implements (for tests and documentation).</summary>
    public static IEnumerable<uint> ImplementedFunctions => Table.Select(c => c.Id);

    /// <summary>The name of an implemented function (e.g. "CPU_ON"), or null when <paramref name="functionId"/> is unknown.</summary>
    public static string? NameOf(uint functionId) => Calls.TryGetValue(functionId, out var call) ? call.Name : null;

    /// <summary>Raised after each handled call with the function ID (for tracing).</summary>
    public event Action<Cpu, uint>? CallHandled;

    /// <inheritdoc />
    public bool TryHandleCall(Cpu cpu, ushort immediate)
    {
        // SMCCC 1.1: the function ID is W0 (the top half of X0 is ignored); an SMCCC call uses immediate 0.
        if (immediate != 0) return false;
        uint id = cpu.W(0);
        if (Calls.TryGetValue(id, out var call))
            call.Handler(this, cpu, (id & (1u << 30)) != 0);
        else
            cpu.SetX(0, ulong.MaxValue); // SMCCC "Unknown Function Identifier": sign-extended -1
        CallHandled?.Invoke(cpu, id);
        return true;
    }

    /// <summary>
    /// The affinity fields of <paramref name="cpu"/>'s MPIDR_EL1 (Aff3 in bits 39..32, Aff2..Aff0 in 23..0): read
    /// from the CPU's MPIDR_EL1 register when it implements one, else <see cref="CpuConfiguration.Index"/> in Aff0
    /// as that property documents.
    /// </summary>
    public static ulong AffinityOf(Cpu cpu)
    {
        // The physical MPIDR: an EL1 read of MPIDR_EL1 returns VMPIDR_EL2 when EL2 is enabled.
        return cpu.Sys.Mpidr & AffinityMask64;
    }

    /// <summary>
    /// Puts <paramref name="target"/> into the state PSCI specifies for a core entering the OS from CPU_ON or from
    /// a powerdown CPU_SUSPEND (DEN 0022 "CPU_ON" / "Initial core configuration"): AArch64 at
    /// <paramref name="el"/> (the caller's EL) using SP_ELx, D, A, I and F masked, the EL's stage 1 MMU and
    /// data/instruction caches off (SCTLR_ELx.{M,C,I} = 0), X0 = <paramref name="contextId"/>, X1..X30 zero,
    /// the exclusive monitor clear, and execution continuing at <paramref name="entry"/>. Other system registers
    /// are left alone: a platform powering a core on from off should <see cref="Cpu.Reset"/> it first.
    /// </summary>
    public static void PrepareCpuForEntry(Cpu target, ulong entry, ulong contextId, int el)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (el < 1 || el > target.Configuration.HighestEl)
            throw new ArgumentOutOfRangeException(nameof(el), $"EL{el} is not implemented by this CPU.");
        if (target.Pmu.Active) target.Pmu.Sync();
        target.SetElAndSpSel(el, 1);
        if (target.Pmu.Active) target.Pmu.ElChanged();
        for (int n = 0; n < 31; n++) target.State.X[n] = 0;
        target.State.X[0] = contextId;
        target.State.Nzcv = 0;
        target.State.Daif = 0xFu << 6;
        target.State.Pan = false;
        target.State.Uao = false;
        target.State.SoftwareStep = false;
        target.State.IllegalState = false;
        target.Sys.Sctlr[el] &= ~(SctlrM | SctlrC | SctlrI);
        // An AArch32-only PE enters in AArch32 state: Supervisor mode (Hyp mode at EL2), A, I and F masked, T32 when
        // the entry point's bit 0 is set (DEN 0022 "Initial core configuration" for AArch32), R0 = context_id.
        if (target.Configuration.Model.Aarch32Only)
        {
            target.State.Aarch32 = true;
            // With an AArch32 EL3 a call from Non-secure state starts the core Non-secure (SCR.NS, NSACR.CP10/CP11 and,
            // for Hyp mode, SCR.HCE), one from Secure state in Secure Supervisor mode: QEMU's arm_set_cpu_on_async_work.
            if (target.El3UsingAarch32) target.SetSecurityForEntry(el);
            target.WriteMode(el == 2 ? Cpu.ModeHyp : Cpu.ModeSupervisor, el);
            target.State.Daif = 0x1C0u;
            target.State.Thumb = (entry & 1) != 0;
            target.State.It = 0;
            entry &= ~1UL;
        }
        target.InvalidateRegimeCache();
        target.ClearExclusiveLocal();
        target.State.PC = entry;
        target.NextPc = entry;
    }

    // ---- Calling convention helpers (DEN 0028 "Argument passing" and "Register use in AArch64 SMC and HVC calls") ----

    private static ulong Arg(Cpu cpu, int n, bool smc64) => smc64 ? cpu.X(n) : cpu.W(n);

    private static void Return(Cpu cpu, long value, bool smc64) =>
        cpu.SetX(0, smc64 ? (ulong)value : (ulong)(long)(int)value);

    private static void Return(Cpu cpu, PsciReturn value, bool smc64) => Return(cpu, (long)value, smc64);

    /// <summary>An entry point is usable when an instruction there can be fetched from RAM.</summary>
    private static bool IsValidEntryPoint(Cpu cpu, ulong entry) => cpu.Bus.FindRam(entry, 4) != null;

    // ---- PSCI functions ----

    // DEN 0022 PSCI_VERSION.
    private static void Version(PsciFirmware fw, Cpu cpu, bool smc64) => Return(cpu, PsciVersion, smc64);

    // DEN 0022 CPU_SUSPEND(power_state, entry_point_address, context_id). A standby request behaves like WFI and
    // returns SUCCESS after the wakeup. A powerdown request really powers the core down: it waits like WFI and
    // the wakeup is a warm boot at entry_point_address with X0 = context_id, at the caller's EL.
    // The platform has one power level (the core), so PowerLevel must be 0, as in QEMU.
    private static void CpuSuspend(PsciFirmware fw, Cpu cpu, bool smc64)
    {
        uint powerState = (uint)Arg(cpu, 1, smc64);
        ulong entry = Arg(cpu, 2, smc64);
        ulong contextId = Arg(cpu, 3, smc64);
        if ((powerState & PowerStateReserved) != 0 || (powerState >> PowerStateLevelShift) != 0)
        {
            Return(cpu, PsciReturn.InvalidParameters, smc64);
            return;
        }
        if ((powerState & PowerStateTypePowerDown) == 0)
        {
            Return(cpu, PsciReturn.Success, smc64);
            cpu.EnterWait(forEvent: false);
            return;
        }
        if (!IsValidEntryPoint(cpu, entry))
        {
            Return(cpu, PsciReturn.InvalidAddress, smc64);
            return;
        }
        PrepareCpuForEntry(cpu, entry, contextId, cpu.State.EL);
        cpu.EnterWait(forEvent: false);
    }

    // DEN 0022 CPU_OFF: does not return on success.
    private static void CpuOff(PsciFirmware fw, Cpu cpu, bool smc64) => fw.Platform.CpuOff(cpu);

    // DEN 0022 CPU_ON(target_cpu, entry_point_address, context_id). Checks in the order TF-A uses: the target
    // (INVALID_PARAMETERS), the entry point (INVALID_ADDRESS), then the core's power state (ALREADY_ON, ON_PENDING).
    private static void CpuOn(PsciFirmware fw, Cpu cpu, bool smc64)
    {
        ulong target = Arg(cpu, 1, smc64);
        ulong entry = Arg(cpu, 2, smc64);
        ulong contextId = Arg(cpu, 3, smc64);
        PsciReturn result;
        if ((target & ~(smc64 ? AffinityMask64 : AffinityMask32)) != 0 || !fw.Platform.CpuExists(cpu, target))
            result = PsciReturn.InvalidParameters;
        else if (!IsValidEntryPoint(cpu, entry))
            result = PsciReturn.InvalidAddress;
        else
            result = fw.Platform.CpuOn(cpu, target, entry, contextId);
        Return(cpu, result, smc64);
    }

    // DEN 0022 AFFINITY_INFO(target_affinity, lowest_affinity_level). PSCI 1.0 onwards only requires level 0;
    // like TF-A and QEMU, other levels are INVALID_PARAMETERS.
    private static void AffinityInfo(PsciFirmware fw, Cpu cpu, bool smc64)
    {
        ulong target = Arg(cpu, 1, smc64);
        ulong lowestLevel = Arg(cpu, 2, smc64);
        if (lowestLevel != 0 || (target & ~(smc64 ? AffinityMask64 : AffinityMask32)) != 0 || !fw.Platform.CpuExists(cpu, target))
            Return(cpu, PsciReturn.InvalidParameters, smc64);
        else
            Return(cpu, (long)fw.Platform.AffinityInfo(cpu, target), smc64);
    }

    // DEN 0022 MIGRATE_INFO_TYPE: 2 = Trusted OS not present or does not require migration, so MIGRATE and
    // MIGRATE_INFO_UP_CPU are not needed and not implemented.
    private static void MigrateInfoType(PsciFirmware fw, Cpu cpu, bool smc64) => Return(cpu, MigrateInfoTypeNoTrustedOs, smc64);

    // DEN 0022 SYSTEM_OFF: does not return.
    private static void SystemOff(PsciFirmware fw, Cpu cpu, bool smc64) => fw.Platform.SystemOff(cpu);

    // DEN 0022 SYSTEM_RESET: does not return.
    private static void SystemReset(PsciFirmware fw, Cpu cpu, bool smc64) => fw.Platform.SystemReset(cpu, warm: false);

    // DEN 0022 SYSTEM_RESET2(reset_type, cookie): architectural SYSTEM_WARM_RESET is supported; other
    // architectural types are reserved (INVALID_PARAMETERS); no vendor-specific type is defined (NOT_SUPPORTED).
    private static void SystemReset2(PsciFirmware fw, Cpu cpu, bool smc64)
    {
        uint resetType = cpu.W(1);
        if ((resetType & ResetTypeVendor) != 0)
            Return(cpu, PsciReturn.NotSupported, smc64);
        else if (resetType != ResetTypeSystemWarmReset)
            Return(cpu, PsciReturn.InvalidParameters, smc64);
        else
            fw.Platform.SystemReset(cpu, warm: true);
    }

    // DEN 0022 PSCI_FEATURES(psci_func_id): SUCCESS or the function's feature flags when implemented.
    private static void Features(PsciFirmware fw, Cpu cpu, bool smc64)
    {
        uint queried = cpu.W(1);
        int? flags = Calls.TryGetValue(queried, out var call) ? call.PsciFeatures : null;
        Return(cpu, flags ?? (int)PsciReturn.NotSupported, smc64);
    }

    // ---- SMCCC Arm Architecture Service ----

    // DEN 0028 SMCCC_VERSION.
    private static void SmcccVersionCall(PsciFirmware fw, Cpu cpu, bool smc64) => Return(cpu, SmcccVersion, smc64);

    // DEN 0028 SMCCC_ARCH_FEATURES(arch_func_id): 0 when implemented, NOT_SUPPORTED otherwise.
    private static void ArchFeatures(PsciFirmware fw, Cpu cpu, bool smc64)
    {
        uint queried = cpu.W(1);
        int? result = Calls.TryGetValue(queried, out var call) ? call.ArchFeatures : null;
        Return(cpu, result ?? (int)PsciReturn.NotSupported, smc64);
    }
}
