#!/bin/sh
# Run twice by tests/linux/init-compat.sh: by the arm64 busybox (PATH=/bin) and by Debian's armhf busybox-static
# (PATH=/bin32, every applet an AArch32 process under the kernel's COMPAT layer). The two outputs must be identical.
# awk's arithmetic is double precision (VFP in the armhf build, as glibc's printf of doubles); sort, sed, md5sum, sha256sum, expr, seq and printf
# exercise glibc's string and memory routines (NEON variants in armhf glibc) and integer code.
echo "shell arithmetic: $((123456789 * 7 % 1000003)) $(( (1 << 30) / 3 )) $((-17 / 5)) $((-17 % 5))"
echo "expr: $(expr 1000000 \* 3 - 7) $(expr length "compat layer")"
seq 1 2 25 | tr '\n' ' '; echo
# (Debian's busybox is built without awk's math library functions: only + - * / % and formatting.)
echo "awk: $(awk 'BEGIN { s = 0; for (i = 1; i <= 1000; i++) s += 1 / i; x = 0.3; for (i = 0; i < 500; i++) x = 3.7 * x * (1 - x); printf "%.12f %.15g %d %.6e", s, x, int(-7.9), 1 / 3 * 1e-300 }')"
echo "awk sums: $(seq 1 1000 | awk '{ s += $1 * $1 / 7; t += ($1 % 13) * 0.1 } END { printf "%.6f %.10g %s", s, t, s / t }')"
printf 'printf: %5.2f|%-8s|%08x|%o|%e\n' 3.14159 armhf 48879 511 123456.789
seq 1 300 | awk '{ print ($1 * 7919) % 1009, $1 }' | sort -n | head -n 5 | tr '\n' ' '; echo
seq 1 500 | sort -r | head -n 3 | tr '\n' ' '; echo
echo "The quick brown fox jumps over the lazy dog" | sed -e 's/\([a-z]*\)o\([a-z]*\)/<\2|\1>/g' -e 'y/abc/XYZ/'
seq 1 2000 > /tmp/numbers
echo "md5sum: $(md5sum < /tmp/numbers)"
echo "sha256sum: $(sha256sum < /tmp/numbers)"
echo "wc: $(wc -c < /tmp/numbers) $(wc -l < /tmp/numbers)"
echo "cut/grep: $(grep -c 7 /tmp/numbers) $(echo a:b:c:d | cut -d: -f2,4)"
echo "od: $(printf 'ArmVirt' | od -An -tx1 | tr -s ' ')"
echo "date: $(date -u -d @1700000000 '+%Y-%m-%d %H:%M:%S')"
echo "dd: $(dd if=/tmp/numbers bs=1000 skip=2 count=1 2>/dev/null | md5sum)"
