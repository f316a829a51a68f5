"""Generates SimdQemuVectors.cs: Advanced SIMD instructions checked against qemu-aarch64."""
import random, sys
from qemuvec import emit
from fp_scalar import S, D, FPCRS

rng = random.Random(7)
SPECIAL = {8: [0, 0x7f, 0x80, 0xff, 1], 16: [0, 0x7fff, 0x8000, 0xffff, 1], 32: [0, 0x7fffffff, 0x80000000, 0xffffffff, 1],
           64: [0, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 1]}

def lanes(esize, pool=None):
    v = 0
    for i in range(128 // esize):
        r = rng.random()
        if pool is not None: x = rng.choice(pool)
        elif r < 0.3: x = rng.choice(SPECIAL[esize])
        elif r < 0.5: x = rng.getrandbits(esize) & ((1 << esize) - 1) >> rng.randint(0, esize - 1)
        elif r < 0.6: x = rng.randint(0, 70) if rng.random() < 0.5 else (1 << esize) - rng.randint(1, 70)
        else: x = rng.getrandbits(esize)
        v |= x << (i * esize)
    return v

def vec(esize, pool=None):
    v = lanes(esize, pool)
    return (v & (2**64 - 1), v >> 64)

cases = []
def add(asm, esize, count=6, pool=None, fpcr=None):
    for _ in range(count):
        f = rng.choice(FPCRS) if fpcr is None else fpcr
        cases.append((asm, f, vec(esize, pool), vec(esize, pool), vec(esize, pool), rng.getrandbits(64), rng.getrandbits(64), rng.randint(0, 15)))

ARR = [("8b", 8), ("16b", 8), ("4h", 16), ("8h", 16), ("2s", 32), ("4s", 32), ("2d", 64)]
def arr(no64=False, only=None):
    return [(a, e) for a, e in ARR if not (no64 and e == 64) and (only is None or a in only)]

groups = sys.argv[2].split(",") if len(sys.argv) > 2 else ["same"]
if "same" in groups:
    for op in ["shadd", "uhadd", "srhadd", "urhadd", "shsub", "uhsub", "smax", "umax", "smin", "umin", "sabd", "uabd", "saba", "uaba",
               "mla", "mls", "mul", "smaxp", "umaxp", "sminp", "uminp"]:
        for a, e in arr(no64=True): add(f"{op} v0.{a}, v1.{a}, v2.{a}", e, 3)
    for op in ["sqadd", "uqadd", "sqsub", "uqsub", "cmgt", "cmhi", "cmge", "cmhs", "sshl", "ushl", "sqshl", "uqshl", "srshl", "urshl",
               "sqrshl", "uqrshl", "add", "sub", "cmtst", "cmeq", "addp"]:
        for a, e in arr(): add(f"{op} v0.{a}, v1.{a}, v2.{a}", e, 3)
    for op in ["sqdmulh", "sqrdmulh"]:
        for a, e in arr(only=["4h", "8h", "2s", "4s"]): add(f"{op} v0.{a}, v1.{a}, v2.{a}", e, 4)
    add("pmul v0.16b, v1.16b, v2.16b", 8, 4)
    for op in ["and", "bic", "orr", "orn", "eor", "bsl", "bit", "bif"]:
        add(f"{op} v0.16b, v1.16b, v2.16b", 8, 2); add(f"{op} v0.8b, v1.8b, v2.8b", 8, 1)
    for op, sizes in [("sqadd", "bhsd"), ("uqsub", "bhsd"), ("sqshl", "bhsd"), ("uqrshl", "bhsd"), ("cmgt", "d"), ("cmhs", "d"),
                      ("ushl", "d"), ("srshl", "d"), ("add", "d"), ("sub", "d"), ("cmtst", "d"), ("cmeq", "d"), ("sqdmulh", "hs"), ("sqrdmulh", "hs")]:
        for s in sizes:
            e = {"b": 8, "h": 16, "s": 32, "d": 64}[s]
            add(f"{op} {s}0, {s}1, {s}2", e, 3)
    for op in ["fmaxnm", "fmla", "fadd", "fmulx", "fcmeq", "fmax", "frecps", "fminnm", "fmls", "fsub", "fmin", "frsqrts",
               "fmaxnmp", "faddp", "fmul", "fcmge", "facge", "fmaxp", "fdiv", "fminnmp", "fabd", "fcmgt", "facgt", "fminp"]:
        add(f"{op} v0.4s, v1.4s, v2.4s", 32, 6, S); add(f"{op} v0.2s, v1.2s, v2.2s", 32, 2, S); add(f"{op} v0.2d, v1.2d, v2.2d", 64, 5, D)
    for op in ["fmulx", "fcmeq", "frecps", "frsqrts", "fcmge", "facge", "fabd", "fcmgt", "facgt"]:
        add(f"{op} s0, s1, s2", 32, 4, S); add(f"{op} d0, d1, d2", 64, 4, D)
    add("addp d0, v1.2d", 64, 2)
    for op in ["fmaxnmp", "faddp", "fmaxp", "fminnmp", "fminp"]:
        add(f"{op} s0, v1.2s", 32, 3, S); add(f"{op} d0, v1.2d", 64, 3, D)
if "perm" in groups:
    for a, e in arr():
        t = {8: "b", 16: "h", 32: "s", 64: "d"}[e]
        for idx in [0, 128 // e - 1]:
            if not (e == 64 and a == "1d"): add(f"dup v0.{a}, v1.{t}[{idx}]", e, 1)
        add(f"dup v0.{a}, {'x' if e == 64 else 'w'}1", e, 1)
        add(f"mov v0.{t}[{128 // e - 1}], {'x' if e == 64 else 'w'}1", e, 1)
        add(f"mov v0.{t}[1], v1.{t}[{128 // e - 2}]", e, 1)
        add(f"umov {'x' if e == 64 else 'w'}0, v1.{t}[1]", e, 1)
        if e < 64: add(f"smov x0, v1.{t}[1]", e, 1)
        if e < 32: add(f"smov w0, v1.{t}[1]", e, 1)
        add(f"dup {t}0, v1.{t}[1]", e, 1)
        for op in ["uzp1", "uzp2", "trn1", "trn2", "zip1", "zip2"]:
            add(f"{op} v0.{a}, v1.{a}, v2.{a}", e, 1)
    for imm in ["#0x5a", "#0x5a, lsl #8", "#0x5a, lsl #16", "#0x5a, lsl #24", "#0xa5, msl #8", "#0xa5, msl #16"]:
        add(f"movi v0.4s, {imm}", 32, 1); add(f"mvni v0.2s, {imm}", 32, 1)
    for imm in ["#0x5a", "#0x5a, lsl #8"]:
        add(f"movi v0.8h, {imm}", 16, 1); add(f"mvni v0.4h, {imm}", 16, 1); add(f"orr v0.8h, {imm}", 16, 1); add(f"bic v0.4h, {imm}", 16, 1)
    for imm in ["#0x5a", "#0x5a, lsl #24"]:
        add(f"orr v0.4s, {imm}", 32, 1); add(f"bic v0.2s, {imm}", 32, 1)
    add("movi v0.16b, #0xa5", 8, 1); add("movi v0.2d, #0xff00ff0000ffff00", 64, 1); add("movi d0, #0xff00ff0000ffff00", 64, 1)
    add("fmov v0.4s, #-1.25", 32, 1); add("fmov v0.2s, #0.5", 32, 1); add("fmov v0.2d, #31.0", 64, 1)
    for i in [0, 3, 8, 15]:
        add(f"ext v0.16b, v1.16b, v2.16b, #{i}", 8, 1)
    add("ext v0.8b, v1.8b, v2.8b, #5", 8, 1)
    for n in (1, 2):
        regs = ", ".join(f"v{1 + k}.16b" for k in range(n))
        for op in ["tbl", "tbx"]:
            for q in ["16b", "8b"]:
                idx = sum(rng.randint(0, 16 * n + 8) << (8 * k) for k in range(16))
                v = [vec(8), vec(8), vec(8)]
                v[n] = (idx & (2**64 - 1), idx >> 64)
                cases.append((f"{op} v0.{q}, {{{regs}}}, v{n + 1}.{q}", 0, v[0], v[1], v[2], 0, 0, 0))
    for a, e in arr(only=["8b", "16b", "4h", "8h", "4s"]):
        t = {8: "b", 16: "h", 32: "s"}[e]; w = {8: "h", 16: "s", 32: "d"}[e]
        for op in ["smaxv", "umaxv", "sminv", "uminv", "addv"]: add(f"{op} {t}0, v1.{a}", e, 2)
        for op in ["saddlv", "uaddlv"]: add(f"{op} {w}0, v1.{a}", e, 2)
    for op in ["fmaxnmv", "fminnmv", "fmaxv", "fminv"]: add(f"{op} s0, v1.4s", 32, 6, S)
if "misc" in groups:
    T = {8: "b", 16: "h", 32: "s", 64: "d"}
    for a, e in arr():
        if e < 64: add(f"rev64 v0.{a}, v1.{a}", e, 1)
        if e < 32: add(f"rev32 v0.{a}, v1.{a}", e, 1)
        if e < 16: add(f"rev16 v0.{a}, v1.{a}", e, 1)
        for op in ["suqadd", "usqadd", "sqabs", "sqneg", "cmgt", "cmge", "cmeq", "cmle", "cmlt", "abs", "neg"]:
            z = ", #0" if op.startswith("cm") else ""
            add(f"{op} v0.{a}, v1.{a}{z}", e, 2)
        if e < 64:
            for op in ["cls", "clz"]: add(f"{op} v0.{a}, v1.{a}", e, 2)
        if e < 64:
            w = {8: "h", 16: "s", 32: "d"}[e]; wa = {"8b": "4h", "16b": "8h", "4h": "2s", "8h": "4s", "2s": "1d", "4s": "2d"}[a]
            for op in ["saddlp", "uaddlp", "sadalp", "uadalp"]: add(f"{op} v0.{wa}, v1.{a}", e, 2)
    for a in ["8b", "16b"]:
        for op in ["cnt", "not", "rbit"]: add(f"{op} v0.{a}, v1.{a}", 8, 2)
    for n, w, n2 in [("8b", "8h", "16b"), ("4h", "4s", "8h"), ("2s", "2d", "4s")]:
        e = {"8b": 16, "4h": 32, "2s": 64}[n]
        for op in ["xtn", "sqxtn", "uqxtn", "sqxtun"]:
            add(f"{op} v0.{n}, v1.{w}", e, 3); add(f"{op}2 v0.{n2}, v1.{w}", e, 2)
        add(f"shll v0.{w}, v1.{n}, #{e // 2}", e // 2, 2); add(f"shll2 v0.{w}, v1.{n2}, #{e // 2}", e // 2, 2)
    for op in ["sqxtn", "uqxtn", "sqxtun"]:
        add(f"{op} b0, h1", 16, 3); add(f"{op} h0, s1", 32, 3); add(f"{op} s0, d1", 64, 3)
    for op in ["suqadd", "usqadd", "sqabs", "sqneg"]:
        for e in [8, 16, 32, 64]: add(f"{op} {T[e]}0, {T[e]}1", e, 2)
    for op in ["cmgt", "cmge", "cmeq", "cmle", "cmlt"]: add(f"{op} d0, d1, #0", 64, 2)
    add("abs d0, d1", 64, 2); add("neg d0, d1", 64, 2)
    add("fcvtn v0.4h, v1.4s", 32, 4, S); add("fcvtn2 v0.8h, v1.4s", 32, 3, S); add("fcvtn v0.2s, v1.2d", 64, 4, D); add("fcvtn2 v0.4s, v1.2d", 64, 2, D)
    add("fcvtxn v0.2s, v1.2d", 64, 4, D); add("fcvtxn s0, d1", 64, 4, D)
    add("fcvtl v0.4s, v1.4h", 16, 4); add("fcvtl2 v0.4s, v1.8h", 16, 3); add("fcvtl v0.2d, v1.2s", 32, 4, S); add("fcvtl2 v0.2d, v1.4s", 32, 3, S)
    for op in ["frintn", "frintm", "fcvtns", "fcvtms", "fcvtas", "scvtf", "fabs", "frintp", "frintz", "fcvtps", "fcvtzs", "frecpe",
               "frinta", "frintx", "fcvtnu", "fcvtmu", "fcvtau", "ucvtf", "fneg", "frinti", "fcvtpu", "fcvtzu", "frsqrte", "fsqrt"]:
        add(f"{op} v0.4s, v1.4s", 32, 5, S + [0x3fc00000, 0x40100000]); add(f"{op} v0.2d, v1.2d", 64, 4, D + [0x3ff8000000000000])
    for op in ["fcmgt", "fcmeq", "fcmlt", "fcmge", "fcmle"]:
        add(f"{op} v0.4s, v1.4s, #0.0", 32, 4, S); add(f"{op} d0, d1, #0.0", 64, 3, D)
    add("urecpe v0.4s, v1.4s", 32, 6); add("ursqrte v0.4s, v1.4s", 32, 6)
    for op in ["fcvtns", "fcvtmu", "fcvtas", "fcvtpu", "fcvtzs", "scvtf", "ucvtf", "frecpe", "frsqrte", "frecpx"]:
        add(f"{op} s0, s1", 32, 5, S); add(f"{op} d0, d1", 64, 4, D)
    for e in [64]:
        for v in [0x3ff0000000000001, 0x0000000000000003, 0x7fe0000000000000]:
            cases.append(("frecpe d0, d1", 0, (v, 0), (0, 0), (0, 0), 0, 0, 0)); cases.append(("frsqrte d0, d1", 0, (v, 0), (0, 0), (0, 0), 0, 0, 0))
if "shift" in groups:
    for a, e in arr():
        for op in ["sshr", "ushr", "ssra", "usra", "srshr", "urshr", "srsra", "ursra", "sri"]:
            for sh in [1, e // 2, e]: add(f"{op} v0.{a}, v1.{a}, #{sh}", e, 1)
        for op in ["shl", "sli", "sqshlu", "sqshl", "uqshl"]:
            for sh in [0, 1, e - 1]: add(f"{op} v0.{a}, v1.{a}, #{sh}", e, 1)
    for n, w, n2 in [("8b", "8h", "16b"), ("4h", "4s", "8h"), ("2s", "2d", "4s")]:
        e = {"8b": 8, "4h": 16, "2s": 32}[n]
        for op in ["shrn", "rshrn", "sqshrn", "uqshrn", "sqrshrn", "uqrshrn", "sqshrun", "sqrshrun"]:
            for sh in [1, e]: add(f"{op} v0.{n}, v1.{w}, #{sh}", 2 * e, 1); add(f"{op}2 v0.{n2}, v1.{w}, #{sh}", 2 * e, 1)
        for op in ["sshll", "ushll"]:
            for sh in [0, e - 1]: add(f"{op} v0.{w}, v1.{n}, #{sh}", e, 1); add(f"{op}2 v0.{w}, v1.{n2}, #{sh}", e, 1)
    for op in ["sshr", "ushr", "ssra", "usra", "srshr", "urshr", "srsra", "ursra", "sri"]:
        add(f"{op} d0, d1, #{rng.randint(1, 64)}", 64, 2)
    for op in ["shl", "sli"]: add(f"{op} d0, d1, #{rng.randint(0, 63)}", 64, 2)
    for op in ["sqshlu", "sqshl", "uqshl"]:
        for e in [8, 16, 32, 64]: add(f"{op} {'bhsd'[[8,16,32,64].index(e)]}0, {'bhsd'[[8,16,32,64].index(e)]}1, #{rng.randint(0, e - 1)}", e, 2)
    for op in ["sqshrn", "uqshrn", "sqrshrn", "uqrshrn", "sqshrun", "sqrshrun"]:
        add(f"{op} b0, h1, #3", 16, 2); add(f"{op} h0, s1, #9", 32, 2); add(f"{op} s0, d1, #17", 64, 2)
    for op in ["scvtf", "ucvtf"]:
        add(f"{op} v0.4s, v1.4s, #3", 32, 3); add(f"{op} v0.2d, v1.2d, #40", 64, 3); add(f"{op} s0, s1, #32", 32, 2); add(f"{op} d0, d1, #1", 64, 2)
    for op in ["fcvtzs", "fcvtzu"]:
        add(f"{op} v0.4s, v1.4s, #3", 32, 3, S); add(f"{op} v0.2d, v1.2d, #40", 64, 3, D); add(f"{op} s0, s1, #32", 32, 2, S); add(f"{op} d0, d1, #1", 64, 2, D)
if "diff" in groups:
    for n, w, n2 in [("8b", "8h", "16b"), ("4h", "4s", "8h"), ("2s", "2d", "4s")]:
        e = {"8b": 8, "4h": 16, "2s": 32}[n]
        for op in ["saddl", "uaddl", "ssubl", "usubl", "sabal", "uabal", "sabdl", "uabdl", "smlal", "umlal", "smlsl", "umlsl", "smull", "umull"] + (["sqdmlal", "sqdmlsl", "sqdmull"] if e > 8 else []) + (["pmull"] if e == 8 else []):
            add(f"{op} v0.{w}, v1.{n}, v2.{n}", e, 2); add(f"{op}2 v0.{w}, v1.{n2}, v2.{n2}", e, 1)
        for op in ["saddw", "uaddw", "ssubw", "usubw"]:
            add(f"{op} v0.{w}, v1.{w}, v2.{n}", e, 2); add(f"{op}2 v0.{w}, v1.{w}, v2.{n2}", e, 1)
        for op in ["addhn", "raddhn", "subhn", "rsubhn"]:
            add(f"{op} v0.{n}, v1.{w}, v2.{w}", 2 * e, 2); add(f"{op}2 v0.{n2}, v1.{w}, v2.{w}", 2 * e, 1)
    add("pmull v0.1q, v1.1d, v2.1d", 64, 4); add("pmull2 v0.1q, v1.2d, v2.2d", 64, 4)
    for op in ["sqdmlal", "sqdmlsl", "sqdmull"]:
        add(f"{op} s0, h1, h2", 16, 3); add(f"{op} d0, s1, s2", 32, 3)
    for a, e in arr(only=["4h", "8h", "2s", "4s"]):
        t = {16: "h", 32: "s"}[e]
        for idx in [0, 3 if e == 32 else 7]:
            for op in ["mla", "mls", "mul", "sqdmulh", "sqrdmulh"]: add(f"{op} v0.{a}, v1.{a}, v2.{t}[{idx}]", e, 1)
            w = {"4h": "4s", "8h": "4s", "2s": "2d", "4s": "2d"}[a]; two = "2" if a in ["8h", "4s"] else ""
            for op in ["smlal", "umlal", "smlsl", "umlsl", "smull", "umull", "sqdmlal", "sqdmlsl", "sqdmull"]:
                add(f"{op}{two} v0.{w}, v1.{a}, v2.{t}[{idx}]", e, 1)
        for op in ["sqdmulh", "sqrdmulh"]: add(f"{op} {t}0, {t}1, v2.{t}[1]", e, 2)
        for op in ["sqdmlal", "sqdmlsl", "sqdmull"]: add(f"{op} {'s' if e == 16 else 'd'}0, {t}1, v2.{t}[1]", e, 2)
    for op in ["fmla", "fmls", "fmul", "fmulx"]:
        add(f"{op} v0.4s, v1.4s, v2.s[3]", 32, 3, S); add(f"{op} v0.2s, v1.2s, v2.s[1]", 32, 2, S); add(f"{op} v0.2d, v1.2d, v2.d[1]", 64, 3, D)
        add(f"{op} s0, s1, v2.s[2]", 32, 2, S); add(f"{op} d0, d1, v2.d[0]", 64, 2, D)
    for op in ["aese", "aesd"]: add(f"{op} v0.16b, v1.16b", 8, 3)
    for op in ["aesmc", "aesimc"]: add(f"{op} v0.16b, v1.16b", 8, 3)
    cases.append(("aese v1.16b, v2.16b", 0, vec(8), vec(8), vec(8), 0, 0, 0))
    cases.append(("mov v0.16b, v1.16b", 0, vec(8), vec(8), vec(8), 0, 0, 0))
    for op in ["sha1c", "sha1p", "sha1m"]: add(f"{op} q0, s1, v2.4s", 32, 3)
    add("sha1su0 v0.4s, v1.4s, v2.4s", 32, 3); add("sha256h q0, q1, v2.4s", 32, 3); add("sha256h2 q0, q1, v2.4s", 32, 3)
    add("sha256su1 v0.4s, v1.4s, v2.4s", 32, 3); add("sha1h s0, s1", 32, 3); add("sha1su1 v0.4s, v1.4s", 32, 3); add("sha256su0 v0.4s, v1.4s", 32, 3)
emit(sys.argv[1], "SimdQemuVectors", cases)
print(len(cases))
