"""Generates FpScalarQemuVectors.cs: scalar FP data processing checked against qemu-aarch64."""
import random, sys
from qemuvec import emit

rng = random.Random(5)
S = [0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff,
     0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001, 0xffc00002, 0xff800003, 0x40400000, 0x3eaaaaab, 0x3f800001,
     0x4b800001, 0x40200000, 0xc0200000, 0x3f000000, 0x501502f9, 0x0c000000, 0x33800000, 0x3effffff, 0x00400000, 0x4f000000]
D = [0, 1 << 63, 0x3ff0000000000000, 0xbff8000000000000, 1, 0x800fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff,
     0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000001, 0x7ff0000000000001, 0xfff8000000000002, 0xfff0000000000003,
     0x4008000000000000, 0x3fd5555555555555, 0x3ff0000000000001, 0x4340000000000001, 0xc004000000000000, 0x3fe0000000000000,
     0x43e0000000000000, 0xc3e0000000000001, 0x41dfffffffc00000, 0x0008000000000000, 0x3cb0000000000000]
H = [0, 0x8000, 0x3c00, 0xbe00, 0x0001, 0x83ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x7e01, 0x7c01, 0xfd02, 0x4200, 0x3555]
def rnd32():
    return (rng.getrandbits(1) << 31) | ((127 + rng.randint(-4, 4)) << 23) | rng.getrandbits(23)
def rnd64():
    return (rng.getrandbits(1) << 63) | ((1023 + rng.randint(-4, 4)) << 52) | rng.getrandbits(52)
S += [rnd32() for _ in range(8)]
D += [rnd64() for _ in range(8)]
FPCRS = [0, 1 << 22, 2 << 22, 3 << 22, 1 << 24, 1 << 25, (1 << 24) | (1 << 25) | (2 << 22)]

def main():
    global cases
    cases = []
    if __name__ != "__main__": pass
    def add(asm, fpcr=0, v1=0, v2=0, v3=0, x1=0, x2=0, nzcv=0):
        cases.append((asm, fpcr, (v1, 0), (v2, 0), (v3, 0), x1, x2, nzcv))
    
    for op in ["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"]:
        for _ in range(70):
            add(f"{op} s0, s1, s2", rng.choice(FPCRS), rng.choice(S), rng.choice(S))
        for _ in range(40):
            add(f"{op} d0, d1, d2", rng.choice(FPCRS), rng.choice(D), rng.choice(D))
    for op in ["fmadd", "fmsub", "fnmadd", "fnmsub"]:
        for _ in range(60):
            add(f"{op} s0, s1, s2, s3", rng.choice(FPCRS), rng.choice(S), rng.choice(S), rng.choice(S))
        for _ in range(40):
            add(f"{op} d0, d1, d2, d3", rng.choice(FPCRS), rng.choice(D), rng.choice(D), rng.choice(D))
    for op in ["fabs", "fneg", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta", "frintx", "frinti", "fmov"]:
        for _ in range(25):
            add(f"{op} s0, s1", rng.choice(FPCRS), rng.choice(S + [0x3fc00000, 0x40100000, 0xbf400000, 0x4b7fffff]))
        for _ in range(15):
            add(f"{op} d0, d1", rng.choice(FPCRS), rng.choice(D + [0x3ff8000000000000, 0xc002000000000000]))
    AHP = 1 << 26
    for (dst, src, pool) in [("d", "s", S), ("s", "d", D), ("h", "s", S), ("h", "d", D), ("s", "h", H), ("d", "h", H)]:
        for _ in range(30):
            add(f"fcvt {dst}0, {src}1", rng.choice(FPCRS + [AHP, AHP | (1 << 25)]), rng.choice(pool))
    for op in ["fcmp", "fcmpe"]:
        for _ in range(30):
            add(f"{op} s1, s2", rng.choice(FPCRS), rng.choice(S), rng.choice(S))
        for _ in range(10):
            add(f"{op} d1, #0.0", rng.choice(FPCRS), rng.choice(D))
    for op in ["fccmp", "fccmpe"]:
        for _ in range(20):
            add(f"{op} s1, s2, #{rng.randint(0, 15)}, {rng.choice(['eq', 'ne', 'ge', 'lt'])}", rng.choice(FPCRS), rng.choice(S), rng.choice(S), nzcv=rng.randint(0, 15))
    for _ in range(10):
        add(f"fcsel d0, d1, d2, {rng.choice(['eq', 'ne', 'hi', 'le'])}", 0, rng.choice(D), rng.choice(D), nzcv=rng.randint(0, 15))
    for imm in ["1.0", "-2.0", "0.125", "31.0", "-1.9375", "0.1875"]:
        add(f"fmov s0, #{imm}"); add(f"fmov d0, #{imm}")
    for op in ["fcvtns", "fcvtnu", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu", "fcvtzs", "fcvtzu", "fcvtas", "fcvtau"]:
        for _ in range(14):
            add(f"{op} w0, s1", rng.choice(FPCRS), rng.choice(S + [0x3fc00000, 0xc0200000, 0x4f800000, 0xcf000001, 0xbf400000]))
        for _ in range(10):
            add(f"{op} x0, d1", rng.choice(FPCRS), rng.choice(D + [0x3ff8000000000000, 0xc3e0000000000000, 0x43f0000000000000]))
        add(f"{op} x0, s1", 0, 0x5f000000); add(f"{op} w0, d1", 0, 0xc1e0000000200000)
    for fb in [1, 8, 31, 32]:
        for v in [0x3fc00000, 0xc0200000, 0x4f000000, 0x3f7fffff, 0x7fc00000]:
            add(f"fcvtzs w0, s1, #{fb}", 0, v); add(f"fcvtzu x0, s1, #{fb}", 0, v)
    X = [0, 1, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x123456789abcdef1, 0xffffff01, 0x80000000, 0x1000001, 0x20000003]
    for op in ["scvtf", "ucvtf"]:
        for _ in range(16):
            add(f"{op} s0, {rng.choice(['w1', 'x1'])}", rng.choice(FPCRS), x1=rng.choice(X))
            add(f"{op} d0, {rng.choice(['w1', 'x1'])}", rng.choice(FPCRS), x1=rng.choice(X))
        for fb in [1, 16, 32]:
            add(f"{op} s0, w1, #{fb}", 0, x1=0xffff0001); add(f"{op} d0, x1, #{fb + 10}", 1 << 22, x1=0x8000000000000003)
    add("fmov w0, s1", 0, 0x12345678); add("fmov x0, d1", 0, 0x123456789abcdef0); add("fmov s0, w1", x1=0xffffffff87654321)
    add("fmov d0, x1", x1=0x0123456789abcdef)
    cases.append(("fmov x0, v1.d[1]", 0, (1, 0xabcdef0123456789), (0, 0), (0, 0), 0, 0, 0))
    cases.append(("fmov v0.d[1], x1", 0, (0, 0), (0, 0), (0, 0), 0x1122334455667788, 0, 0))
    emit(sys.argv[1], "FpScalarQemuVectors", cases)
    print(len(cases))

if __name__ == "__main__":
    main()
