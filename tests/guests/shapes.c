/*
 * shapes_<mode>.elf: kernels whose code has other shapes than cpubench's loops, for bench/cpubench.sh --matrix. Each prints
 * a checksum; the program is deterministic, so its output and instruction count are the same on every correct
 * emulator. Built in each translation mode of common/bench_mode.h (-DMODE_MMUOFF/EL1/EL2/S2).
 *   interp    a stack-machine bytecode interpreter whose dispatch is a switch compiled to a jump table (an indirect
 *             BR per bytecode), running a trial-division prime count written in its bytecode
 *   lexer     a state machine over generated C-like text: a switch on the state, character classes by compare
 *             chains, one byte load per character
 *   dispatch  calls through function pointers: a pipeline of filter stages picked at random, and objects with
 *             per-class method tables
 *   sha256    a large loop body: SHA-256's compression function with its 64 rounds and message schedule unrolled
 *             (about 2900 instructions per block), checked against FIPS 180-2's "abc" digest
 *   chase     pointer chasing along one pseudo-random cycle through 2 MiB of nodes (nearly every step lands on
 *             another 4 KiB page), and
 *             a chain of calls and returns between functions that are each alone on a 4 KiB page
 * ROUNDS scales the run: 64 (shapes_<mode>.elf, about 0.67 billion instructions) takes 1-1.5 s on QEMU TCG like
 * cpubench.elf; shapes_<mode>_quick.elf has 1 round (about 12 million instructions).
 */
#include "bench_mode.h"

#ifndef ROUNDS
#define ROUNDS 64
#endif
/* SECTIONS picks the kernels run (bench/shapes-sections.sh times each alone): interp 1, lexer 2, dispatch 4, sha256 8,
 * chase 16; all by default. */
#ifndef SECTIONS
#define SECTIONS 31
#endif

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t next_random(void)
{
    /* xorshift64* (Vigna) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint64_t mix(uint64_t h, uint64_t v) { return (h << 7 | h >> 57) ^ v; }

/* ---- interp: a stack machine. Operands follow their opcode in the code array. ---- */
enum {
    OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_LT, OP_LE, OP_JZ, OP_JMP, OP_DUP,
    OP_DROP, OP_XOR, OP_SHL,
};

static int32_t vm_code[128];
static int vm_length;

static void emit(int32_t word) { vm_code[vm_length++] = word; }
static int emit_jump(int32_t op) { emit(op); emit(-1); return vm_length - 1; }
static void patch(int at) { vm_code[at] = vm_length; }

/* Variables: 0 n, 1 d, 2 count, 3 hash, 4 limit. For n in [2, limit): n is prime when no d with d*d <= n divides it;
 * count the primes and hash them (hash = (hash << 1) ^ n). */
static void vm_assemble(void)
{
    enum { N, D, COUNT, HASH, LIMIT };
    vm_length = 0;
    emit(OP_PUSH); emit(2); emit(OP_STORE); emit(N);
    int loop_n = vm_length;
    emit(OP_LOAD); emit(N); emit(OP_LOAD); emit(LIMIT); emit(OP_LT);
    int to_end = emit_jump(OP_JZ);
    emit(OP_PUSH); emit(2); emit(OP_STORE); emit(D);
    int loop_d = vm_length;
    emit(OP_LOAD); emit(D); emit(OP_DUP); emit(OP_MUL); emit(OP_LOAD); emit(N); emit(OP_LE);
    int to_prime = emit_jump(OP_JZ);
    emit(OP_LOAD); emit(N); emit(OP_LOAD); emit(D); emit(OP_MOD);
    int to_next_n = emit_jump(OP_JZ);
    emit(OP_LOAD); emit(D); emit(OP_PUSH); emit(1); emit(OP_ADD); emit(OP_STORE); emit(D);
    emit(OP_JMP); emit(loop_d);
    patch(to_prime);
    emit(OP_LOAD); emit(COUNT); emit(OP_PUSH); emit(1); emit(OP_ADD); emit(OP_STORE); emit(COUNT);
    emit(OP_LOAD); emit(HASH); emit(OP_PUSH); emit(1); emit(OP_SHL); emit(OP_LOAD); emit(N); emit(OP_XOR);
    emit(OP_STORE); emit(HASH);
    patch(to_next_n);
    emit(OP_LOAD); emit(N); emit(OP_PUSH); emit(1); emit(OP_ADD); emit(OP_STORE); emit(N);
    emit(OP_JMP); emit(loop_n);
    patch(to_end);
    emit(OP_PUSH); emit(0); emit(OP_DROP);
    emit(OP_HALT);
}

/* Returns the number of bytecodes executed. */
static uint64_t __attribute__((noinline)) vm_run(const int32_t *code, int32_t *vars)
{
    int32_t stack[32];
    int sp = 0, pc = 0;
    uint64_t steps = 0;
    for (;;) {
        int32_t op = code[pc++];
        steps++;
        switch (op) {
        case OP_HALT: return steps;
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++]]; break;
        case OP_STORE: vars[code[pc++]] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_MOD: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] % (uint32_t)stack[sp]); break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_LE: sp--; stack[sp - 1] = stack[sp - 1] <= stack[sp]; break;
        case OP_JZ: { int32_t target = code[pc++]; if (stack[--sp] == 0) pc = target; break; }
        case OP_JMP: pc = code[pc]; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHL: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] << (stack[sp] & 31)); break;
        default: return ~0ull;
        }
    }
}

static uint64_t bench_interp(int round)
{
    int32_t vars[5] = { 0, 0, 0, 0, 1700 + (round & 63) };
    uint64_t steps = vm_run(vm_code, vars);
    return ((uint64_t)(uint32_t)vars[2] << 48) ^ ((uint64_t)(uint32_t)vars[3] << 16) ^ steps;
}

/* ---- lexer: a state machine over C-like text ---- */
#define TEXT_N 24576
static char text[TEXT_N + 1];

static const char *const words[] = { "int", "return", "while", "if", "else", "for", "struct", "uint64_t", "x", "node",
                                     "next", "count", "_tmp", "buffer", "i", "j" };
static const char *const operators[] = { "+", "-", "*", "/", "=", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "(",
                                         ")", "{", "}", ";", ",", "->" };

static unsigned append(unsigned at, const char *s)
{
    while (*s && at < TEXT_N) text[at++] = *s++;
    return at;
}

static void lexer_text(void)
{
    unsigned at = 0;
    while (at < TEXT_N - 64) {
        uint32_t r = next_random();
        switch (r % 10) {
        case 0: case 1: case 2: at = append(at, words[(r >> 8) % 16]); break;
        case 3: {   /* decimal or hex number */
            char digits[12];
            uint32_t v = r >> 12;
            int n = 0, hex = (r >> 4) & 1;
            do { unsigned d = hex ? v % 16 : v % 10; digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v = hex ? v / 16 : v / 10; } while (v);
            if (hex) at = append(at, "0x");
            while (n > 0) text[at++] = digits[--n];
            break;
        }
        case 4: case 5: at = append(at, operators[(r >> 8) % 20]); break;
        case 6: at = append(at, (r >> 8) & 1 ? "\n    " : "  "); break;
        case 7: at = append(at, (r >> 8) & 1 ? "\"a string, with \\\"escapes\\\"\\n\"" : "\"s\""); break;
        case 8: at = append(at, (r >> 8) & 1 ? "/* a block comment * with ** stars */" : "// line comment\n"); break;
        default: text[at++] = ' '; break;
        }
    }
    text[at] = 0;
}

enum { T_IDENT, T_NUMBER, T_STRING, T_OPERATOR, T_COMMENT, T_KINDS };
enum { S_START, S_IDENT, S_NUMBER, S_HEX, S_STRING, S_ESCAPE, S_SLASH, S_LINE_COMMENT, S_BLOCK_COMMENT, S_BLOCK_STAR,
       S_OPERATOR2 };

static int is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static uint64_t __attribute__((noinline)) lex(const char *p, uint32_t counts[T_KINDS])
{
    uint64_t hash = 0;
    int state = S_START;
    const char *start = p;
    for (;; p++) {
        char c = *p;
        switch (state) {
        case S_START:
        again:
            start = p;
            if (c == 0) return hash;
            if (c == ' ' || c == '\n' || c == '\t') break;
            if (is_letter(c)) state = S_IDENT;
            else if (c == '0' && p[1] == 'x') { state = S_HEX; p++; }
            else if (is_digit(c)) state = S_NUMBER;
            else if (c == '"') state = S_STRING;
            else if (c == '/') state = S_SLASH;
            else if (c == '=' || c == '!' || c == '<' || c == '>' || c == '&' || c == '|' || c == '-') state = S_OPERATOR2;
            else { counts[T_OPERATOR]++; hash = hash * 31 + (unsigned char)c; }
            break;
        case S_IDENT:
            if (is_letter(c) || is_digit(c)) break;
            counts[T_IDENT]++; hash = hash * 31 + (uint64_t)(p - start) * 7 + (unsigned char)*start;
            state = S_START; goto again;
        case S_NUMBER:
            if (is_digit(c)) break;
            counts[T_NUMBER]++; hash = hash * 31 + (uint64_t)(p - start);
            state = S_START; goto again;
        case S_HEX:
            if (is_hex(c)) break;
            counts[T_NUMBER]++; hash = hash * 31 + (uint64_t)(p - start) + 0x100;
            state = S_START; goto again;
        case S_STRING:
            if (c == '\\') state = S_ESCAPE;
            else if (c == '"') { counts[T_STRING]++; hash = hash * 31 + (uint64_t)(p - start); state = S_START; }
            else if (c == 0) return hash ^ 0xbad;
            break;
        case S_ESCAPE: state = c == 0 ? S_START : S_STRING; break;
        case S_SLASH:
            if (c == '/') state = S_LINE_COMMENT;
            else if (c == '*') state = S_BLOCK_COMMENT;
            else { counts[T_OPERATOR]++; hash = hash * 31 + '/'; state = S_START; goto again; }
            break;
        case S_LINE_COMMENT:
            if (c == '\n' || c == 0) { counts[T_COMMENT]++; hash = hash * 31 + (uint64_t)(p - start); state = S_START; goto again; }
            break;
        case S_BLOCK_COMMENT:
            if (c == '*') state = S_BLOCK_STAR;
            else if (c == 0) return hash ^ 0xbad;
            break;
        case S_BLOCK_STAR:
            if (c == '/') { counts[T_COMMENT]++; hash = hash * 31 + (uint64_t)(p - start); state = S_START; }
            else if (c != '*') state = c == 0 ? S_START : S_BLOCK_COMMENT;
            break;
        case S_OPERATOR2: {
            char first = *start;
            int two = (c == '=' && first != '&' && first != '|' && first != '-') || (c == first && (c == '&' || c == '|')) ||
                      (first == '-' && c == '>');
            counts[T_OPERATOR]++;
            hash = hash * 31 + (unsigned char)first + (two ? (unsigned char)c << 8 : 0);
            state = S_START;
            if (two) break;
            goto again;
        }
        }
    }
}

static uint64_t bench_lexer(void)
{
    uint32_t counts[T_KINDS] = { 0 };
    uint64_t hash = 0;
    for (int pass = 0; pass < 4; pass++) hash = mix(hash, lex(text, counts));
    for (int k = 0; k < T_KINDS; k++) hash = mix(hash, counts[k]);
    return hash;
}

/* ---- dispatch: a filter pipeline of function pointers and objects with method tables ---- */
typedef uint32_t (*filter)(uint32_t x, uint32_t k);
static uint32_t f_add(uint32_t x, uint32_t k) { return x + k; }
static uint32_t f_xor(uint32_t x, uint32_t k) { return x ^ k; }
static uint32_t f_mul(uint32_t x, uint32_t k) { return x * (k | 1); }
static uint32_t f_rotl(uint32_t x, uint32_t k) { k &= 31; return k ? x << k | x >> (32 - k) : x; }
static uint32_t f_clamp(uint32_t x, uint32_t k) { return x > k ? k : x; }
static uint32_t f_avg(uint32_t x, uint32_t k) { return (x >> 1) + (k >> 1); }
static uint32_t f_xorshift(uint32_t x, uint32_t k) { x ^= x << 13; x ^= x >> 17; return x ^ (x << 5) ^ (k & 0xff); }
static uint32_t f_sub(uint32_t x, uint32_t k) { return k - x; }
static const filter filters[8] = { f_add, f_xor, f_mul, f_rotl, f_clamp, f_avg, f_xorshift, f_sub };

#define STAGES 12
#define SAMPLES 2048
struct stage { filter fn; uint32_t k; };
static struct stage pipeline[STAGES];
static uint32_t samples[SAMPLES];

struct object;
struct methods {
    void (*step)(struct object *o, uint32_t input);
    uint32_t (*value)(const struct object *o);
};
struct object { const struct methods *m; uint32_t a, b; };

static void counter_step(struct object *o, uint32_t input) { o->a += input & 15; o->b++; }
static uint32_t counter_value(const struct object *o) { return o->a * 3 + o->b; }
static void maximum_step(struct object *o, uint32_t input) { if (input > o->a) o->a = input; }
static uint32_t maximum_value(const struct object *o) { return o->a; }
static void hasher_step(struct object *o, uint32_t input) { o->a = (o->a ^ input) * 16777619u; }
static uint32_t hasher_value(const struct object *o) { return o->a; }
static void averager_step(struct object *o, uint32_t input) { o->a = o->a - (o->a >> 3) + (input >> 3); }
static uint32_t averager_value(const struct object *o) { return o->a ^ 0x5a5a; }
static const struct methods classes[4] = {
    { counter_step, counter_value }, { maximum_step, maximum_value },
    { hasher_step, hasher_value }, { averager_step, averager_value },
};
#define OBJECTS 16
static struct object objects[OBJECTS];

static uint64_t bench_dispatch(void)
{
    for (int s = 0; s < STAGES; s++) { pipeline[s].fn = filters[next_random() % 8]; pipeline[s].k = next_random(); }
    for (int i = 0; i < SAMPLES; i++) samples[i] = next_random();
    for (int i = 0; i < OBJECTS; i++) { objects[i].m = &classes[next_random() % 4]; objects[i].a = i; objects[i].b = 0; }
    uint64_t hash = 0;
    for (int pass = 0; pass < 6; pass++) {
        for (int i = 0; i < SAMPLES; i++) {
            uint32_t x = samples[i];
            for (int s = 0; s < STAGES; s++) x = pipeline[s].fn(x, pipeline[s].k);
            samples[i] = x;
            struct object *o = &objects[x % OBJECTS];
            o->m->step(o, x);
            hash = hash * 31 + x;
        }
    }
    for (int i = 0; i < OBJECTS; i++) hash = mix(hash, objects[i].m->value(&objects[i]));
    return hash;
}

/* ---- sha256: FIPS 180-2, one block per loop iteration with everything unrolled ---- */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define S0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define G0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define G1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define W_LOAD(i) w[i] = (uint32_t)p[4 * (i)] << 24 | (uint32_t)p[4 * (i) + 1] << 16 | (uint32_t)p[4 * (i) + 2] << 8 | p[4 * (i) + 3]
#define W_NEXT(i) w[(i) & 15] += G1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + G0(w[((i) - 15) & 15])
#define ROUND(a, b, c, d, e, f, g, h, i) do { \
        uint32_t t1 = h + S1(e) + CH(e, f, g) + K256[i] + w[(i) & 15]; \
        d += t1; h = t1 + S0(a) + MAJ(a, b, c); \
    } while (0)
#define ROUND8(i) \
    ROUND(a, b, c, d, e, f, g, h, (i)); ROUND(h, a, b, c, d, e, f, g, (i) + 1); \
    ROUND(g, h, a, b, c, d, e, f, (i) + 2); ROUND(f, g, h, a, b, c, d, e, (i) + 3); \
    ROUND(e, f, g, h, a, b, c, d, (i) + 4); ROUND(d, e, f, g, h, a, b, c, (i) + 5); \
    ROUND(c, d, e, f, g, h, a, b, (i) + 6); ROUND(b, c, d, e, f, g, h, a, (i) + 7)
#define NEXT8(i) W_NEXT(i); W_NEXT((i) + 1); W_NEXT((i) + 2); W_NEXT((i) + 3); \
    W_NEXT((i) + 4); W_NEXT((i) + 5); W_NEXT((i) + 6); W_NEXT((i) + 7)

static void __attribute__((noinline)) sha256_blocks(uint32_t state[8], const uint8_t *p, unsigned blocks)
{
    for (; blocks > 0; blocks--, p += 64) {
        uint32_t w[16];
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        W_LOAD(0); W_LOAD(1); W_LOAD(2); W_LOAD(3); W_LOAD(4); W_LOAD(5); W_LOAD(6); W_LOAD(7);
        W_LOAD(8); W_LOAD(9); W_LOAD(10); W_LOAD(11); W_LOAD(12); W_LOAD(13); W_LOAD(14); W_LOAD(15);
        ROUND8(0); ROUND8(8);
        NEXT8(16); ROUND8(16); NEXT8(24); ROUND8(24);
        NEXT8(32); ROUND8(32); NEXT8(40); ROUND8(40);
        NEXT8(48); ROUND8(48); NEXT8(56); ROUND8(56);
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

static void sha256_init(uint32_t state[8])
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    for (int i = 0; i < 8; i++) state[i] = iv[i];
}

/* The one-block message "abc" padded (FIPS 180-2 appendix B.1): digest ba7816bf 8f01cfea ... f20015ad. */
static void sha256_abc(void)
{
    static uint8_t block[64];
    for (int i = 0; i < 64; i++) block[i] = 0;
    block[0] = 'a'; block[1] = 'b'; block[2] = 'c'; block[3] = 0x80; block[63] = 24;
    uint32_t state[8];
    sha256_init(state);
    sha256_blocks(state, block, 1);
    print("sha256(\"abc\")");
    for (int i = 0; i < 8; i++) print(" %x", (uint64_t)state[i]);
    print("\n");
}

#define SHA_BYTES 8192
static uint8_t sha_buffer[SHA_BYTES];

static uint64_t bench_sha256(void)
{
    for (unsigned i = 0; i < SHA_BYTES; i += 4) {
        uint32_t r = next_random();
        sha_buffer[i] = (uint8_t)r; sha_buffer[i + 1] = (uint8_t)(r >> 8);
        sha_buffer[i + 2] = (uint8_t)(r >> 16); sha_buffer[i + 3] = (uint8_t)(r >> 24);
    }
    uint32_t state[8];
    sha256_init(state);
    for (int pass = 0; pass < 8; pass++) sha256_blocks(state, sha_buffer, SHA_BYTES / 64);
    return (uint64_t)state[0] << 32 ^ state[1] ^ (uint64_t)state[7] << 16;
}

/* ---- chase: one cycle through 2 MiB of 16-byte nodes, and calls between functions on different pages ---- */
#define NODES (1u << 17)
struct node { struct node *next; uint64_t value; };
static struct node nodes[NODES] __attribute__((aligned(4096)));

/* next(i) = (A i + C) mod 2^17 with A = 1 (mod 4) and C odd has full period (Hull-Dobell), so the nodes form a
 * single cycle; consecutive steps land about 2^16 nodes (1 MiB) apart on average. */
static void chase_build(void)
{
    for (uint32_t i = 0; i < NODES; i++) {
        nodes[i].next = &nodes[(i * 0x5DEECE6Du + 0x3C6EF35Fu) & (NODES - 1)];
        nodes[i].value = (uint64_t)i * 0x9E3779B97F4A7C15ull;
    }
}

/* Each alone on its page (aligned to 4 KiB, and the next one starts a page further): BL and RET cross pages. noipa
 * keeps the compiler from cloning or inlining them. */
#define FAR __attribute__((noipa, aligned(4096)))
FAR static uint64_t far7(uint64_t x) { return x * 0x9E3779B97F4A7C15ull ^ (x >> 29); }
FAR static uint64_t far6(uint64_t x) { return far7(x + 6) ^ (x << 3); }
FAR static uint64_t far5(uint64_t x) { return far6(x ^ 0x55) + (x >> 7); }
FAR static uint64_t far4(uint64_t x) { return far5(x + 4) ^ (x << 11); }
FAR static uint64_t far3(uint64_t x) { return far4(x ^ 0x33) + (x >> 13); }
FAR static uint64_t far2(uint64_t x) { return far3(x + 2) ^ (x << 17); }
FAR static uint64_t far1(uint64_t x) { return far2(x ^ 0x11) + (x >> 19); }
FAR static uint64_t far0(uint64_t x) { return far1(x + 1) ^ (x << 23); }

static uint64_t bench_chase(int round)
{
    struct node *n = &nodes[round & (NODES - 1)];
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 2 * NODES; i++) {
        sum += n->value;
        n = n->next;
    }
    uint64_t x = sum;
    for (int i = 0; i < 12000; i++) x = far0(x + (uint64_t)i);
    return sum ^ x ^ (uint64_t)(n - nodes);
}

void bench_main(void)
{
    print("shapes: %d rounds, mode %s, at EL%d\n", (uint64_t)ROUNDS, bench_mode_name, (uint64_t)current_el());
    sha256_abc();
    vm_assemble();
    lexer_text();
    chase_build();
    uint64_t interp = 0, lexer = 0, dispatch = 0, sha = 0, chase = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (SECTIONS & 1) interp = mix(interp, bench_interp(r));
        if (SECTIONS & 2) lexer = mix(lexer, bench_lexer());
        if (SECTIONS & 4) dispatch = mix(dispatch, bench_dispatch());
        if (SECTIONS & 8) sha = mix(sha, bench_sha256());
        if (SECTIONS & 16) chase = mix(chase, bench_chase(r));
    }
    print("interp   %x\n", interp);
    print("lexer    %x\n", lexer);
    print("dispatch %x\n", dispatch);
    print("sha256   %x\n", sha);
    print("chase    %x\n", chase);
    print("total    %x\n", interp ^ lexer ^ dispatch ^ sha ^ chase);
}
