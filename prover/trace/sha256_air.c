/* sha256_air: constraints and trace generation of the SHA-256 compression AIR
 * (layout and constraint list in sha256_air.h).
 *
 * The constraints are written once, in SA_DEFINE_EVAL, and instantiated over
 * the extension field (eval_ext: the verifier's out-of-domain check and the
 * definition) and over the base field (eval_base: the prover's hot path, run
 * at every point of the quotient domain). Both instances fold exactly the
 * same constraints in the same order.
 *
 * The trace generator works on plain 32-bit words and writes each column from
 * them, independently of the constraint code; the tests compare the outputs
 * it writes with hash/sha256.h's compression.
 */
#include "trace/sha256_air.h"

#include <stdlib.h>
#include <string.h>

#include "hash/sha256.h"
#include "stark/stark.h"

#define NR SHA256_AIR_ROWS_PER_COMP
#define LIMBS SHA256_AIR_LIMBS
#define LB SHA256_AIR_LIMB_BITS
#define CB SHA256_AIR_CARRY_BITS
#define SB SHA256_AIR_SCARRY_BITS

/* Constraint count, group by group, in evaluation order. */
enum {
  SA_N_FLAGS = 2 * NR,
  SA_N_EXPORT = 2,
  SA_N_CARRIED = (8 + 16 + 8) * LIMBS, /* CV, BLOCK, OUT */
  SA_N_LOAD = 8 * LIMBS,
  SA_N_BOOL = 2 * 32 + LIMBS * SB + 8 * 32 + 2 * 32 + 2 * LIMBS * CB,
  SA_N_OUTBITS = 2 * 32 + 2 * LIMBS,
  SA_N_SCHED = 2 * LIMBS + LIMBS + LIMBS + 16 * LIMBS + 15 * LIMBS + LIMBS,
  SA_N_ROUND = 2 * LIMBS,
  SA_N_SHIFT = 8 * 32,
  SA_N_OUTPUT = 2 * LIMBS + 8 * LIMBS,
  SA_NUM_CONSTRAINTS = SA_N_FLAGS + SA_N_EXPORT + SA_N_CARRIED + SA_N_LOAD + SA_N_BOOL +
                       SA_N_OUTBITS + SA_N_SCHED + SA_N_ROUND + SA_N_SHIFT + SA_N_OUTPUT
};

/* Groups that are checked together are adjacent columns. */
_Static_assert(SHA256_AIR_BLOCK == SHA256_AIR_CV + 16 && SHA256_AIR_OUT == SHA256_AIR_BLOCK + 32,
               "CV, BLOCK, OUT adjacent");
_Static_assert(SHA256_AIR_S1B == SHA256_AIR_S0B + 32 && SHA256_AIR_SC == SHA256_AIR_S1B + 32,
               "S0B, S1B, SC adjacent");
_Static_assert(SHA256_AIR_CE + 2 * 3 == SHA256_AIR_OB && SHA256_AIR_AN == SHA256_AIR_ST + 256,
               "ST .. CE adjacent");
_Static_assert(SHA256_AIR_WIDTH == 631, "documented width");

/* Arithmetic xor of two bits, a + b - 2ab (degree = deg a + deg b). */
static inline ext_t sa_xor_ext(ext_t a, ext_t b) {
  ext_t ab = ext_mul(a, b);
  return ext_sub(ext_add(a, b), ext_add(ab, ab));
}

static inline bb_t sa_xor_base(bb_t a, bb_t b) {
  bb_t ab = bb_mul(a, b);
  return bb_sub(bb_add(a, b), bb_add(ab, ab));
}

/* The constraints, over the field type FT with the operations ADD, SUB, MUL,
 * XOR, the constant lift K and the folder ASSERT, all defined at the point of
 * instantiation. REC(dst, bits, k): dst = limb k of the bit word at bits,
 * recomposed most significant bit first (acc = 2 acc + bit). Rotations:
 * bit i of ROTR(x, r) is x[(i + r) mod 32]; of SHR(x, r) it is x[i + r] or 0. */
#define SA_REC(dst, bits, k)                                                                  \
  do {                                                                                        \
    FT acc_ = zero;                                                                           \
    for (int z_ = LB * (k) + LB - 1; z_ >= LB * (k); z_--) acc_ = ADD(ADD(acc_, acc_), (bits)[z_]); \
    dst = acc_;                                                                               \
  } while (0)

#define SA_DEFINE_EVAL(NAME)                                                                  \
  static void NAME(const stark_air *air, FRAME *e) {                                          \
    (void)air;                                                                                \
    const FT *l = e->local, *n = e->next;                                                     \
    const FT zero = K(0), one = K(1), two = K(2), base = K(1u << LB);                     \
    const FT first_row = e->is_first_row, trans = e->is_transition;                           \
    const FT *flag = l + SHA256_AIR_FLAGS, *nflag = n + SHA256_AIR_FLAGS;                     \
    /* round flags: one-hot round 0 on row 0, rotated by one on each transition */           \
    ASSERT(e, MUL(first_row, SUB(flag[0], one)));                                             \
    for (int r = 1; r < NR; r++) ASSERT(e, MUL(first_row, flag[r]));                          \
    for (int r = 0; r < NR; r++) ASSERT(e, MUL(trans, SUB(nflag[(r + 1) % NR], flag[r])));    \
    const FT carry = MUL(trans, SUB(one, flag[NR - 1]));                                      \
    const FT mid = MUL(trans, SUB(SUB(one, flag[0]), flag[NR - 1]));                          \
    const FT ex = l[SHA256_AIR_EXPORT];                                                       \
    ASSERT(e, MUL(ex, SUB(ex, one)));                                                         \
    ASSERT(e, MUL(carry, SUB(n[SHA256_AIR_EXPORT], ex)));                                     \
    for (int j = 0; j < SA_N_CARRIED; j++)                                                    \
      ASSERT(e, MUL(carry, SUB(n[SHA256_AIR_CV + j], l[SHA256_AIR_CV + j])));                 \
    /* round 0 loads the chaining value into the working variables */                        \
    const FT *st = l + SHA256_AIR_ST, *nst = n + SHA256_AIR_ST;                               \
    for (int i = 0; i < 8; i++)                                                               \
      for (int k = 0; k < LIMBS; k++) {                                                       \
        FT v;                                                                                 \
        SA_REC(v, st + 32 * i, k);                                                            \
        ASSERT(e, MUL(flag[0], SUB(l[SHA256_AIR_CV + LIMBS * i + k], v)));                     \
      }                                                                                       \
    for (int j = 0; j < 2 * 32 + LIMBS * SB; j++) {                                           \
      FT b = l[SHA256_AIR_S0B + j];                                                           \
      ASSERT(e, MUL(b, SUB(b, one)));                                                         \
    }                                                                                         \
    for (int j = 0; j < 8 * 32 + 2 * 32 + 2 * LIMBS * CB; j++) {                              \
      FT b = st[j];                                                                           \
      ASSERT(e, MUL(b, SUB(b, one)));                                                         \
    }                                                                                         \
    /* output bits: bits on rounds 60..63, zero elsewhere */                                 \
    const FT fin = ADD(ADD(flag[NR - 4], flag[NR - 3]), ADD(flag[NR - 2], flag[NR - 1]));     \
    for (int j = 0; j < 2 * 32 + 2 * LIMBS; j++) {                                            \
      FT b = l[SHA256_AIR_OB + j];                                                            \
      ASSERT(e, MUL(b, SUB(b, fin)));                                                         \
    }                                                                                         \
    /* message schedule */                                                                    \
    const FT *m = l + SHA256_AIR_M, *nm = n + SHA256_AIR_M;                                   \
    const FT *s0b = l + SHA256_AIR_S0B, *s1b = l + SHA256_AIR_S1B, *sc = l + SHA256_AIR_SC;   \
    for (int k = 0; k < LIMBS; k++) {                                                         \
      FT v;                                                                                   \
      SA_REC(v, s0b, k);                                                                      \
      ASSERT(e, SUB(v, m[LIMBS * 1 + k]));                                                    \
    }                                                                                         \
    for (int k = 0; k < LIMBS; k++) {                                                         \
      FT v;                                                                                   \
      SA_REC(v, s1b, k);                                                                      \
      ASSERT(e, SUB(v, m[LIMBS * 14 + k]));                                                   \
    }                                                                                         \
    for (int k = 0; k < LIMBS; k++) ASSERT(e, MUL(flag[0], m[k]));                            \
    {                                                                                         \
      FT x0[32], x1[32];                                                                      \
      for (int i = 0; i < 32; i++) {                                                          \
        x0[i] = XOR(s0b[(i + 7) & 31], s0b[(i + 18) & 31]);                                   \
        if (i + 3 < 32) x0[i] = XOR(x0[i], s0b[i + 3]);                                       \
        x1[i] = XOR(s1b[(i + 17) & 31], s1b[(i + 19) & 31]);                                  \
        if (i + 10 < 32) x1[i] = XOR(x1[i], s1b[i + 10]);                                     \
      }                                                                                       \
      FT cin = zero;                                                                          \
      for (int k = 0; k < LIMBS; k++) {                                                       \
        FT v0, v1;                                                                            \
        SA_REC(v0, x0, k);                                                                    \
        SA_REC(v1, x1, k);                                                                    \
        FT sum = ADD(ADD(ADD(v1, m[LIMBS * 9 + k]), ADD(v0, m[k])), cin);                     \
        FT c = ADD(sc[SB * k], ADD(sc[SB * k + 1], sc[SB * k + 1]));                          \
        ASSERT(e, SUB(ADD(l[SHA256_AIR_NW + k], MUL(base, c)), sum));                         \
        cin = c;                                                                              \
      }                                                                                       \
    }                                                                                         \
    for (int j = 0; j < 16 * LIMBS; j++)                                                      \
      ASSERT(e, MUL(flag[1], SUB(m[j], l[SHA256_AIR_BLOCK + j])));                            \
    for (int j = 0; j < 15 * LIMBS; j++) ASSERT(e, MUL(carry, SUB(nm[j], m[j + LIMBS])));     \
    for (int k = 0; k < LIMBS; k++)                                                           \
      ASSERT(e, MUL(mid, SUB(nm[15 * LIMBS + k], l[SHA256_AIR_NW + k])));                     \
    /* the round: new e and new a */                                                          \
    {                                                                                         \
      const FT *a = st, *b = st + 32, *c = st + 64, *d = st + 96;                             \
      const FT *ee = st + 128, *f = st + 160, *g = st + 192, *h = st + 224;                   \
      FT S1[32], CH[32], S0[32], MJ[32];                                                      \
      for (int i = 0; i < 32; i++) {                                                          \
        S1[i] = XOR(XOR(ee[(i + 6) & 31], ee[(i + 11) & 31]), ee[(i + 25) & 31]);             \
        CH[i] = ADD(MUL(ee[i], f[i]), MUL(SUB(one, ee[i]), g[i]));                            \
        S0[i] = XOR(XOR(a[(i + 2) & 31], a[(i + 13) & 31]), a[(i + 22) & 31]);                \
        FT ab = MUL(a[i], b[i]), bc = MUL(b[i], c[i]);                                        \
        MJ[i] = SUB(ADD(ADD(ab, MUL(a[i], c[i])), bc), MUL(MUL(two, ab), c[i]));              \
      }                                                                                       \
      const FT *ca = l + SHA256_AIR_CA, *ce = l + SHA256_AIR_CE;                              \
      FT cin_a = zero, cin_e = zero;                                                          \
      for (int k = 0; k < LIMBS; k++) {                                                       \
        FT kk = zero;                                                                         \
        for (int r = 0; r < NR; r++) kk = ADD(kk, MUL(flag[r], K((sha256_k[r] >> (LB * k)) & 0xffffu))); \
        FT vd, vh, vs1, vch, vs0, vmj, van, ven;                                              \
        SA_REC(vd, d, k);                                                                     \
        SA_REC(vh, h, k);                                                                     \
        SA_REC(vs1, S1, k);                                                                   \
        SA_REC(vch, CH, k);                                                                   \
        SA_REC(vs0, S0, k);                                                                   \
        SA_REC(vmj, MJ, k);                                                                   \
        SA_REC(van, l + SHA256_AIR_AN, k);                                                    \
        SA_REC(ven, l + SHA256_AIR_EN, k);                                                    \
        FT t1 = ADD(ADD(ADD(vh, vs1), ADD(vch, kk)), m[LIMBS * 1 + k]);                       \
        FT cke = ADD(ce[CB * k], MUL(two, ADD(ce[CB * k + 1], ADD(ce[CB * k + 2], ce[CB * k + 2])))); \
        FT cka = ADD(ca[CB * k], MUL(two, ADD(ca[CB * k + 1], ADD(ca[CB * k + 2], ca[CB * k + 2])))); \
        ASSERT(e, SUB(ADD(ven, MUL(base, cke)), ADD(ADD(vd, t1), cin_e)));                    \
        ASSERT(e, SUB(ADD(van, MUL(base, cka)), ADD(ADD(t1, ADD(vs0, vmj)), cin_a)));         \
        cin_e = cke;                                                                          \
        cin_a = cka;                                                                          \
      }                                                                                       \
    }                                                                                         \
    /* the next round's working variables: a = new a, b = a, c = b, d = c, e = new e, ... */ \
    for (int w = 0; w < 8; w++) {                                                             \
      const FT *src = w == 0 ? l + SHA256_AIR_AN : w == 4 ? l + SHA256_AIR_EN : st + 32 * (w - 1); \
      for (int i = 0; i < 32; i++) ASSERT(e, MUL(carry, SUB(nst[32 * w + i], src[i])));       \
    }                                                                                         \
    /* feed-forward: round 60 + i finalises output words 3 - i and 7 - i */                  \
    for (int x = 0; x < 2; x++) {                                                             \
      const FT *nb = l + (x ? SHA256_AIR_EN : SHA256_AIR_AN), *ob = l + SHA256_AIR_OB + 32 * x; \
      const FT *oc = l + SHA256_AIR_OC + LIMBS * x;                                           \
      for (int k = 0; k < LIMBS; k++) {                                                       \
        FT vn, vo, cv = zero;                                                                 \
        SA_REC(vn, nb, k);                                                                    \
        SA_REC(vo, ob, k);                                                                    \
        for (int i = 0; i < 4; i++)                                                           \
          cv = ADD(cv, MUL(flag[NR - 4 + i], l[SHA256_AIR_CV + LIMBS * (4 * x + 3 - i) + k])); \
        FT lhs = SUB(SUB(ADD(vo, MUL(base, oc[k])), vn), k ? oc[k - 1] : zero);               \
        ASSERT(e, SUB(MUL(fin, lhs), cv));                                                    \
      }                                                                                       \
    }                                                                                         \
    for (int i = 0; i < 4; i++)                                                               \
      for (int x = 0; x < 2; x++)                                                             \
        for (int k = 0; k < LIMBS; k++) {                                                     \
          FT vo;                                                                              \
          SA_REC(vo, l + SHA256_AIR_OB + 32 * x, k);                                          \
          ASSERT(e, MUL(flag[NR - 1 - i], SUB(l[SHA256_AIR_OUT + LIMBS * (4 * x + i) + k], vo))); \
        }                                                                                     \
  }

/* ---- extension-field instance ---- */
#define FT ext_t
#define FRAME stark_eval_ext
#define ADD ext_add
#define SUB ext_sub
#define MUL ext_mul
#define XOR sa_xor_ext
#define K(v) ext_from_base(bb_from_u32(v))
#define ASSERT stark_assert_zero_ext
SA_DEFINE_EVAL(sa_eval_ext)
#undef FT
#undef FRAME
#undef ADD
#undef SUB
#undef MUL
#undef XOR
#undef K
#undef ASSERT

/* ---- base-field instance ---- */
#define FT bb_t
#define FRAME stark_eval_base
#define ADD bb_add
#define SUB bb_sub
#define MUL bb_mul
#define XOR sa_xor_base
#define K(v) bb_from_u32(v)
#define ASSERT stark_assert_zero_base
SA_DEFINE_EVAL(sa_eval_base)
#undef FT
#undef FRAME
#undef ADD
#undef SUB
#undef MUL
#undef XOR
#undef K
#undef ASSERT

static const stark_air sa_air = {
    .name = "pkb-sha256",
    .width = SHA256_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = SA_NUM_CONSTRAINTS,
    .max_degree = 3,
    .eval_ext = sa_eval_ext,
    .eval_base = sa_eval_base,
    .ctx = NULL,
};

const stark_air *sha256_air(void) { return &sa_air; }

unsigned sha256_air_width(void) { return SHA256_AIR_WIDTH; }

/* ---- trace generation ---- */

static inline uint32_t sa_rotr(uint32_t x, unsigned r) { return x >> r | x << (32 - r); }
static inline uint32_t sa_s0(uint32_t x) { return sa_rotr(x, 7) ^ sa_rotr(x, 18) ^ x >> 3; }
static inline uint32_t sa_s1(uint32_t x) { return sa_rotr(x, 17) ^ sa_rotr(x, 19) ^ x >> 10; }

static void sa_put_bits(bb_t *dst, uint32_t v, unsigned nbits) {
  for (unsigned z = 0; z < nbits; z++) dst[z] = (v >> z) & 1 ? BB_ONE : 0;
}

static void sa_put_limbs(bb_t *dst, uint32_t v) {
  for (int k = 0; k < LIMBS; k++) dst[k] = bb_from_u32((v >> (LB * k)) & 0xffffu);
}

/* Sum of nt words mod 2^32, limb by limb: writes the per-limb carries (the
 * quotients the constraints ask for) as nbits-bit values at carry_bits. */
static uint32_t sa_add(const uint32_t *t, int nt, bb_t *carry_bits, unsigned nbits) {
  uint32_t cin = 0, out = 0;
  for (int k = 0; k < LIMBS; k++) {
    uint32_t s = cin;
    for (int i = 0; i < nt; i++) s += (t[i] >> (LB * k)) & 0xffffu;
    out |= (s & 0xffffu) << (LB * k);
    cin = s >> LB;
    sa_put_bits(carry_bits + nbits * k, cin, nbits);
  }
  return out;
}

/* The 64 rows of one compression of (cv, block). real: not padding. */
static void sa_fill_comp(bb_t *rows, const uint32_t cv[8], const uint8_t block[64], int real) {
  uint32_t w[NR + 16]; /* w[s + 1] = W[s], s = -1 .. 78; W[-1] = 0 */
  w[0] = 0;
  for (unsigned j = 0; j < 16; j++) w[j + 1] = sha256_block_word(block, j);
  for (unsigned s = 16; s < NR + 15; s++)
    w[s + 1] = sa_s1(w[s - 1]) + w[s - 6] + sa_s0(w[s - 14]) + w[s - 15];
  uint32_t out[8];
  memcpy(out, cv, sizeof out);
  sha256_compress(out, block);
  uint32_t v[8]; /* a .. h entering the round */
  memcpy(v, cv, sizeof v);
  for (unsigned t = 0; t < NR; t++) {
    bb_t *row = rows + (size_t)t * SHA256_AIR_WIDTH;
    memset(row, 0, sizeof *row * SHA256_AIR_WIDTH);
    row[SHA256_AIR_FLAGS + t] = BB_ONE;
    row[SHA256_AIR_EXPORT] = real ? BB_ONE : 0;
    for (unsigned i = 0; i < 8; i++) {
      sa_put_limbs(row + SHA256_AIR_CV + LIMBS * i, cv[i]);
      sa_put_limbs(row + SHA256_AIR_OUT + LIMBS * i, out[i]);
    }
    for (unsigned j = 0; j < 16; j++) {
      sa_put_limbs(row + SHA256_AIR_BLOCK + LIMBS * j, sha256_block_word(block, j));
      sa_put_limbs(row + SHA256_AIR_M + LIMBS * j, w[t + j]); /* W[t - 1 + j] */
    }
    /* schedule word t + 15 from the window (on round 0 from W[-1] = 0) */
    uint32_t wt = w[t + 1], w13 = w[t + 14];
    uint32_t sterms[4] = {sa_s1(w13), w[t + 9], sa_s0(wt), w[t]};
    uint32_t nw = sa_add(sterms, 4, row + SHA256_AIR_SC, SB);
    sa_put_limbs(row + SHA256_AIR_NW, nw);
    sa_put_bits(row + SHA256_AIR_S0B, wt, 32);
    sa_put_bits(row + SHA256_AIR_S1B, w13, 32);
    /* the round */
    for (unsigned i = 0; i < 8; i++) sa_put_bits(row + SHA256_AIR_ST + 32 * i, v[i], 32);
    uint32_t a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
    uint32_t S1 = sa_rotr(e, 6) ^ sa_rotr(e, 11) ^ sa_rotr(e, 25), ch = (e & f) ^ (~e & g);
    uint32_t S0 = sa_rotr(a, 2) ^ sa_rotr(a, 13) ^ sa_rotr(a, 22);
    uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t eterms[6] = {d, h, S1, ch, sha256_k[t], wt};
    uint32_t aterms[7] = {h, S1, ch, sha256_k[t], wt, S0, mj};
    uint32_t en = sa_add(eterms, 6, row + SHA256_AIR_CE, CB);
    uint32_t an = sa_add(aterms, 7, row + SHA256_AIR_CA, CB);
    sa_put_bits(row + SHA256_AIR_AN, an, 32);
    sa_put_bits(row + SHA256_AIR_EN, en, 32);
    if (t >= NR - 4) {
      unsigned i = t - (NR - 4);
      uint32_t ta[2] = {cv[3 - i], an}, te[2] = {cv[7 - i], en};
      sa_put_bits(row + SHA256_AIR_OB, sa_add(ta, 2, row + SHA256_AIR_OC, 1), 32);
      sa_put_bits(row + SHA256_AIR_OB + 32, sa_add(te, 2, row + SHA256_AIR_OC + LIMBS, 1), 32);
    }
    memmove(v + 1, v, sizeof *v * 7);
    v[0] = an;
    v[4] = en;
  }
}

size_t sha256_air_rows(size_t n_comp) {
  const size_t max = (size_t)1 << STARK_MAX_LOG_ROWS;
  if (n_comp > max / NR) return 0;
  size_t need = n_comp * NR, rows = NR;
  while (rows < need) rows <<= 1;
  return rows;
}

int sha256_air_fill(const uint32_t (*state_in)[8], const uint8_t (*block)[64], size_t n_comp,
                    bb_t *trace, size_t rows) {
  if (!trace || (n_comp && (!state_in || !block)) || rows < NR || (rows & (rows - 1)) ||
      n_comp > rows / NR)
    return STARK_ERR_ARG;
  static const uint32_t zcv[8];
  static const uint8_t zblock[64];
  for (size_t k = 0; k < rows / NR; k++) {
    int real = k < n_comp;
    sa_fill_comp(trace + k * NR * SHA256_AIR_WIDTH, real ? state_in[k] : zcv,
                 real ? block[k] : zblock, real);
  }
  return 0;
}

int sha256_air_trace(const uint32_t (*state_in)[8], const uint8_t (*block)[64], size_t n_comp,
                     bb_t **trace, unsigned *log_n) {
  if (!trace || !log_n) return STARK_ERR_ARG;
  *trace = NULL;
  size_t rows = sha256_air_rows(n_comp);
  if (!rows || (n_comp && (!state_in || !block))) return STARK_ERR_ARG;
  bb_t *t = malloc(sizeof *t * SHA256_AIR_WIDTH * rows);
  if (!t) return STARK_ERR_NOMEM;
  int rc = sha256_air_fill(state_in, block, n_comp, t, rows);
  if (rc) {
    free(t);
    return rc;
  }
  unsigned lg = 0;
  while (((size_t)1 << lg) < rows) lg++;
  *trace = t;
  *log_n = lg;
  return 0;
}
