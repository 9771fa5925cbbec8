/* blake2f_air: constraints and trace generation of the BLAKE2F AIR (layout
 * and constraint list in blake2f_air.h).
 *
 * The constraints are written once, in B2_DEFINE_EVAL, and instantiated over
 * the extension field (eval_ext: the verifier's out-of-domain check and the
 * definition) and over the base field (eval_base: the prover's hot path, run
 * at every point of the quotient domain). Both fold the same constraints in
 * the same order.
 *
 * The trace generator works on plain 64-bit words and writes each column from
 * them, independently of the constraint code; the tests compare the output
 * it writes with the precompile (evm/precompiles).
 */
#include "trace/blake2f_air.h"

#include <stdlib.h>
#include <string.h>

#include "stark/stark.h"

#define LIMBS BLAKE2F_AIR_LIMBS
#define LB BLAKE2F_AIR_LIMB_BITS
#define NS BLAKE2F_AIR_SIGMA_ROWS
#define GW BLAKE2F_AIR_G_WIDTH
#define NBITS_G 384 /* boolean columns of a G group: A1, C1, A2, D2, C2, B2 */

/* Constraint count, group by group, in evaluation order. */
enum {
  B2_N_KIND = 4,
  B2_N_FIRST = 1,
  B2_N_SEQ = 2,
  B2_N_R = 3 * NS,
  B2_N_CNT = 4,
  B2_N_BOOL = 1 + 8 * 64 + 16 * 64 + 16 * 64 + 8 * NBITS_G,
  B2_N_CARRY = 8 * 4 * LIMBS,
  B2_N_CARRIED = 2 + 2 * LIMBS + 8 * LIMBS + 16 * LIMBS,
  B2_N_PAD = B2_N_CARRIED + 16 * LIMBS,
  B2_N_INIT = 16 * LIMBS,
  B2_N_WORK = 8 * (4 * LIMBS + 2 * 64),
  B2_N_CHAIN = 16 * LIMBS,
  B2_N_OUT = 8 * LIMBS,
  B2_NUM_CONSTRAINTS = B2_N_KIND + B2_N_FIRST + B2_N_SEQ + B2_N_R + B2_N_CNT + B2_N_BOOL +
                       B2_N_CARRY + B2_N_CARRIED + B2_N_PAD + B2_N_INIT + B2_N_WORK +
                       B2_N_CHAIN + B2_N_OUT
};

/* Initialisation vector and message schedule of BLAKE2b (RFC 7693, 2.6 and
 * 2.7); round r uses row r mod 10 of the schedule. */
static const uint64_t b2_iv[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

static const unsigned char b2_sigma[NS][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

/* Words (a, b, c, d) of G 0..7: column step, then diagonal step. */
static const unsigned char b2_gw[8][4] = {{0, 4, 8, 12}, {1, 5, 9, 13}, {2, 6, 10, 14},
                                          {3, 7, 11, 15}, {0, 5, 10, 15}, {1, 6, 11, 12},
                                          {2, 7, 8, 13}, {3, 4, 9, 14}};

/* Limb k of a 64-bit constant. */
static inline uint32_t b2_limb_of(uint64_t v, unsigned k) {
  return (uint32_t)(v >> (LB * k)) & 0xffffu;
}

/* Arithmetic xor of two bits, a + b - 2ab (degree = deg a + deg b). */
static inline ext_t b2_xor_ext(ext_t a, ext_t b) {
  ext_t ab = ext_mul(a, b);
  return ext_sub(ext_add(a, b), ext_add(ab, ab));
}
static inline bb_t b2_xor_base(bb_t a, bb_t b) {
  bb_t ab = bb_mul(a, b);
  return bb_sub(bb_add(a, b), bb_add(ab, ab));
}

/* A 16-bit limb from its bits bits[0..15] (little-endian). */
static inline ext_t b2_limb_ext(const ext_t *bits) {
  ext_t acc = bits[LB - 1];
  for (int z = LB - 2; z >= 0; z--) acc = ext_add(ext_add(acc, acc), bits[z]);
  return acc;
}
static inline bb_t b2_limb_base(const bb_t *bits) {
  bb_t acc = bits[LB - 1];
  for (int z = LB - 2; z >= 0; z--) acc = bb_add(bb_add(acc, acc), bits[z]);
  return acc;
}

/* The constraints, over the field type FT with the operations ADD, SUB, MUL,
 * XOR, LIMB (a limb from 16 bits), the constant lift K and the folder
 * ASSERT, all defined at the point of instantiation. */
#define B2_DEFINE_EVAL(NAME)                                                                   \
  static void NAME(const stark_air *air, FRAME *e) {                                           \
    (void)air;                                                                                 \
    const FT *l = e->local, *n = e->next;                                                      \
    const FT zero = K(0), one = K(1), two = K(2), c16 = K(1u << LB);                           \
    const FT init = l[BLAKE2F_AIR_INIT], round = l[BLAKE2F_AIR_ROUND];                         \
    const FT fin = l[BLAKE2F_AIR_FINAL];                                                       \
    const FT cont = ADD(init, round), act = ADD(cont, fin), pad = SUB(one, act);               \
    const FT nlater = ADD(n[BLAKE2F_AIR_ROUND], n[BLAKE2F_AIR_FINAL]);                         \
    /* row kinds and their sequence */                                                         \
    ASSERT(e, MUL(init, SUB(init, one)));                                                      \
    ASSERT(e, MUL(round, SUB(round, one)));                                                    \
    ASSERT(e, MUL(fin, SUB(fin, one)));                                                        \
    ASSERT(e, MUL(act, SUB(act, one)));                                                        \
    ASSERT(e, MUL(e->is_first_row, ADD(round, fin)));                                          \
    ASSERT(e, MUL(cont, SUB(one, nlater)));                                                    \
    ASSERT(e, MUL(SUB(one, cont), nlater));                                                    \
    /* round index mod 10, one-hot */                                                          \
    const FT *r = l + BLAKE2F_AIR_R, *nr = n + BLAKE2F_AIR_R;                                  \
    ASSERT(e, MUL(init, SUB(r[0], one)));                                                      \
    for (int s = 1; s < NS; s++) ASSERT(e, MUL(init, r[s]));                                   \
    for (int s = 0; s < NS; s++)                                                               \
      ASSERT(e, SUB(MUL(cont, nr[s]), ADD(MUL(init, r[s]), MUL(round, r[(s + NS - 1) % NS])))); \
    for (int s = 0; s < NS; s++) ASSERT(e, MUL(pad, r[s]));                                    \
    /* round counter */                                                                        \
    const FT cnt = l[BLAKE2F_AIR_CNT], rounds = l[BLAKE2F_AIR_ROUNDS];                         \
    ASSERT(e, MUL(init, cnt));                                                                 \
    ASSERT(e, MUL(cont, SUB(SUB(n[BLAKE2F_AIR_CNT], cnt), round)));                            \
    ASSERT(e, MUL(fin, SUB(cnt, rounds)));                                                     \
    ASSERT(e, MUL(pad, cnt));                                                                  \
    /* booleans: F, H, M, V (contiguous), then each G's bit columns */                       \
    ASSERT(e, MUL(l[BLAKE2F_AIR_F], SUB(l[BLAKE2F_AIR_F], one)));                              \
    for (int j = BLAKE2F_AIR_H; j < BLAKE2F_AIR_G; j++) ASSERT(e, MUL(l[j], SUB(l[j], one)));  \
    for (int g = 0; g < 8; g++)                                                                \
      for (int j = 0; j < NBITS_G; j++) {                                                      \
        const FT b = l[BLAKE2F_AIR_G + GW * g + j];                                            \
        ASSERT(e, MUL(b, SUB(b, one)));                                                        \
      }                                                                                        \
    /* carries */                                                                              \
    for (int g = 0; g < 8; g++) {                                                              \
      const FT *gk = l + BLAKE2F_AIR_G + GW * g + BLAKE2F_AIR_G_K1;                            \
      for (int j = 0; j < 4 * LIMBS; j++) {                                                    \
        FT q = MUL(gk[j], SUB(gk[j], one));                                                    \
        int three = j < LIMBS || (j >= 2 * LIMBS && j < 3 * LIMBS); /* K1, K3 */              \
        ASSERT(e, three ? MUL(q, SUB(gk[j], two)) : q);                                        \
      }                                                                                        \
    }                                                                                          \
    /* limbs of H, M, V on this row and of H, M, V on the next */                             \
    FT hl[8 * LIMBS], ml[16 * LIMBS], vl[16 * LIMBS], nhl[8 * LIMBS], nml[16 * LIMBS];         \
    FT nvl[16 * LIMBS];                                                                        \
    for (int j = 0; j < 8 * LIMBS; j++) {                                                      \
      hl[j] = LIMB(l + BLAKE2F_AIR_H + LB * j);                                                \
      nhl[j] = LIMB(n + BLAKE2F_AIR_H + LB * j);                                               \
    }                                                                                          \
    for (int j = 0; j < 16 * LIMBS; j++) {                                                     \
      ml[j] = LIMB(l + BLAKE2F_AIR_M + LB * j);                                                \
      nml[j] = LIMB(n + BLAKE2F_AIR_M + LB * j);                                               \
      vl[j] = LIMB(l + BLAKE2F_AIR_V + LB * j);                                                \
      nvl[j] = LIMB(n + BLAKE2F_AIR_V + LB * j);                                               \
    }                                                                                          \
    /* the inputs stay constant within a call */                                              \
    ASSERT(e, MUL(cont, SUB(n[BLAKE2F_AIR_ROUNDS], rounds)));                                  \
    ASSERT(e, MUL(cont, SUB(n[BLAKE2F_AIR_F], l[BLAKE2F_AIR_F])));                             \
    for (int j = 0; j < 2 * LIMBS; j++)                                                        \
      ASSERT(e, MUL(cont, SUB(n[BLAKE2F_AIR_T + j], l[BLAKE2F_AIR_T + j])));                   \
    for (int j = 0; j < 8 * LIMBS; j++) ASSERT(e, MUL(cont, SUB(nhl[j], hl[j])));              \
    for (int j = 0; j < 16 * LIMBS; j++) ASSERT(e, MUL(cont, SUB(nml[j], ml[j])));             \
    /* padding rows are zero */                                                                \
    ASSERT(e, MUL(pad, rounds));                                                               \
    ASSERT(e, MUL(pad, l[BLAKE2F_AIR_F]));                                                     \
    for (int j = 0; j < 2 * LIMBS; j++) ASSERT(e, MUL(pad, l[BLAKE2F_AIR_T + j]));             \
    for (int j = 0; j < 8 * LIMBS; j++) ASSERT(e, MUL(pad, hl[j]));                            \
    for (int j = 0; j < 16 * LIMBS; j++) ASSERT(e, MUL(pad, ml[j]));                           \
    for (int j = 0; j < 16 * LIMBS; j++) ASSERT(e, MUL(pad, vl[j]));                           \
    /* INIT: v = h || IV, v12 ^= t0, v13 ^= t1, v14 ^= f ? ~0 : 0 */                           \
    for (int j = 0; j < 8 * LIMBS; j++) ASSERT(e, MUL(init, SUB(vl[j], hl[j])));               \
    for (int w = 8; w < 16; w++) {                                                             \
      if (w >= 12 && w <= 14) continue;                                                        \
      for (int k = 0; k < LIMBS; k++)                                                          \
        ASSERT(e, MUL(init, SUB(vl[LIMBS * w + k], K(b2_limb_of(b2_iv[w - 8], k)))));          \
    }                                                                                          \
    for (int j = 0; j < 2; j++)                                                                \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        const FT *vb = l + BLAKE2F_AIR_V + 64 * (12 + j);                                      \
        FT acc = zero;                                                                         \
        for (int z = LB * k + LB - 1; z >= LB * k; z--) {                                      \
          FT bit = (b2_iv[4 + j] >> z) & 1 ? SUB(one, vb[z]) : vb[z];                          \
          acc = ADD(ADD(acc, acc), bit);                                                       \
        }                                                                                      \
        ASSERT(e, MUL(init, SUB(l[BLAKE2F_AIR_T + LIMBS * j + k], acc)));                      \
      }                                                                                        \
    for (int k = 0; k < LIMBS; k++) {                                                          \
      const FT f = l[BLAKE2F_AIR_F], nf = SUB(one, f);                                         \
      FT acc = zero;                                                                           \
      for (int z = LB * k + LB - 1; z >= LB * k; z--)                                          \
        acc = ADD(ADD(acc, acc), (b2_iv[6] >> z) & 1 ? nf : f);                                \
      ASSERT(e, MUL(init, SUB(vl[LIMBS * 14 + k], acc)));                                      \
    }                                                                                          \
    /* one round of the row's state: 8 G applications */                                      \
    unsigned src[16]; /* column of bit 0 of each word of the current state */                 \
    for (int w = 0; w < 16; w++) src[w] = BLAKE2F_AIR_V + 64u * (unsigned)w;                   \
    for (int g = 0; g < 8; g++) {                                                              \
      const unsigned gb = BLAKE2F_AIR_G + GW * (unsigned)g;                                    \
      const FT *a = l + src[b2_gw[g][0]], *b = l + src[b2_gw[g][1]];                           \
      const FT *c = l + src[b2_gw[g][2]], *d = l + src[b2_gw[g][3]];                           \
      const FT *a1 = l + gb + BLAKE2F_AIR_G_A1, *c1 = l + gb + BLAKE2F_AIR_G_C1;               \
      const FT *a2 = l + gb + BLAKE2F_AIR_G_A2, *d2 = l + gb + BLAKE2F_AIR_G_D2;               \
      const FT *c2 = l + gb + BLAKE2F_AIR_G_C2, *b2 = l + gb + BLAKE2F_AIR_G_B2;               \
      const FT *k1 = l + gb + BLAKE2F_AIR_G_K1, *k2 = l + gb + BLAKE2F_AIR_G_K2;               \
      const FT *k3 = l + gb + BLAKE2F_AIR_G_K3, *k4 = l + gb + BLAKE2F_AIR_G_K4;               \
      FT x[LIMBS], y[LIMBS];                                                                   \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        x[k] = zero;                                                                           \
        y[k] = zero;                                                                           \
        for (int s = 0; s < NS; s++) {                                                         \
          x[k] = ADD(x[k], MUL(r[s], ml[LIMBS * b2_sigma[s][2 * g] + k]));                     \
          y[k] = ADD(y[k], MUL(r[s], ml[LIMBS * b2_sigma[s][2 * g + 1] + k]));                 \
        }                                                                                      \
      }                                                                                        \
      /* a1 = a + b + x */                                                                     \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        FT lhs = ADD(ADD(LIMB(a + LB * k), LIMB(b + LB * k)), x[k]);                           \
        if (k) lhs = ADD(lhs, k1[k - 1]);                                                      \
        ASSERT(e, SUB(lhs, ADD(LIMB(a1 + LB * k), MUL(c16, k1[k]))));                          \
      }                                                                                        \
      FT d1[64], b1[64];                                                                       \
      for (int z = 0; z < 64; z++) d1[z] = XOR(d[(z + 32) & 63], a1[(z + 32) & 63]);           \
      /* c1 = c + d1 */                                                                        \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        FT lhs = ADD(LIMB(c + LB * k), LIMB(d1 + LB * k));                                     \
        if (k) lhs = ADD(lhs, k2[k - 1]);                                                      \
        ASSERT(e, SUB(lhs, ADD(LIMB(c1 + LB * k), MUL(c16, k2[k]))));                          \
      }                                                                                        \
      for (int z = 0; z < 64; z++) b1[z] = XOR(b[(z + 24) & 63], c1[(z + 24) & 63]);           \
      /* a2 = a1 + b1 + y */                                                                   \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        FT lhs = ADD(ADD(LIMB(a1 + LB * k), LIMB(b1 + LB * k)), y[k]);                         \
        if (k) lhs = ADD(lhs, k3[k - 1]);                                                      \
        ASSERT(e, SUB(lhs, ADD(LIMB(a2 + LB * k), MUL(c16, k3[k]))));                          \
      }                                                                                        \
      /* d2 = rotr(d1 ^ a2, 16) */                                                             \
      for (int z = 0; z < 64; z++)                                                             \
        ASSERT(e, SUB(d2[z], XOR(d1[(z + 16) & 63], a2[(z + 16) & 63])));                      \
      /* c2 = c1 + d2 */                                                                       \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        FT lhs = ADD(LIMB(c1 + LB * k), LIMB(d2 + LB * k));                                    \
        if (k) lhs = ADD(lhs, k4[k - 1]);                                                      \
        ASSERT(e, SUB(lhs, ADD(LIMB(c2 + LB * k), MUL(c16, k4[k]))));                          \
      }                                                                                        \
      /* b2 = rotr(b1 ^ c2, 63) */                                                             \
      for (int z = 0; z < 64; z++)                                                             \
        ASSERT(e, SUB(b2[z], XOR(b1[(z + 63) & 63], c2[(z + 63) & 63])));                      \
      src[b2_gw[g][0]] = gb + BLAKE2F_AIR_G_A2;                                                \
      src[b2_gw[g][1]] = gb + BLAKE2F_AIR_G_B2;                                                \
      src[b2_gw[g][2]] = gb + BLAKE2F_AIR_G_C2;                                                \
      src[b2_gw[g][3]] = gb + BLAKE2F_AIR_G_D2;                                                \
    }                                                                                          \
    /* the next row's state: this row's state after INIT, its round's output after ROUND */  \
    for (int w = 0; w < 16; w++)                                                               \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        FT out = LIMB(l + src[w] + LB * k);                                                    \
        ASSERT(e, SUB(MUL(cont, nvl[LIMBS * w + k]),                                           \
                      ADD(MUL(init, vl[LIMBS * w + k]), MUL(round, out))));                    \
      }                                                                                        \
    /* OUT = h ^ v[i] ^ v[i + 8] */                                                            \
    for (int i = 0; i < 8; i++)                                                                \
      for (int k = 0; k < LIMBS; k++) {                                                        \
        const FT *hb = l + BLAKE2F_AIR_H + 64 * i, *vb = l + BLAKE2F_AIR_V + 64 * i;           \
        const FT *wb = l + BLAKE2F_AIR_V + 64 * (i + 8);                                       \
        FT acc = zero;                                                                         \
        for (int z = LB * k + LB - 1; z >= LB * k; z--)                                        \
          acc = ADD(ADD(acc, acc), XOR(XOR(hb[z], vb[z]), wb[z]));                             \
        ASSERT(e, SUB(l[BLAKE2F_AIR_OUT + LIMBS * i + k], acc));                               \
      }                                                                                        \
  }

/* ---- extension-field instance ---- */
#define FT ext_t
#define FRAME stark_eval_ext
#define ADD ext_add
#define SUB ext_sub
#define MUL ext_mul
#define XOR b2_xor_ext
#define LIMB b2_limb_ext
#define K(v) ext_from_base(bb_from_u32(v))
#define ASSERT stark_assert_zero_ext
B2_DEFINE_EVAL(b2_eval_ext)
#undef FT
#undef FRAME
#undef ADD
#undef SUB
#undef MUL
#undef XOR
#undef LIMB
#undef K
#undef ASSERT

/* ---- base-field instance ---- */
#define FT bb_t
#define FRAME stark_eval_base
#define ADD bb_add
#define SUB bb_sub
#define MUL bb_mul
#define XOR b2_xor_base
#define LIMB b2_limb_base
#define K(v) bb_from_u32(v)
#define ASSERT stark_assert_zero_base
B2_DEFINE_EVAL(b2_eval_base)
#undef FT
#undef FRAME
#undef ADD
#undef SUB
#undef MUL
#undef XOR
#undef LIMB
#undef K
#undef ASSERT

static const stark_air b2_air = {
    .name = "pkb-blake2f",
    .width = BLAKE2F_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = B2_NUM_CONSTRAINTS,
    .max_degree = 3,
    .eval_ext = b2_eval_ext,
    .eval_base = b2_eval_base,
    .ctx = NULL,
};

const stark_air *blake2f_air(void) { return &b2_air; }

unsigned blake2f_air_width(void) { return BLAKE2F_AIR_WIDTH; }

/* ---- trace generation ---- */

static inline uint64_t b2_rotr(uint64_t v, unsigned r) { return (v >> r) | (v << (64 - r)); }

static void b2_put_bits(bb_t *dst, uint64_t v) {
  for (int z = 0; z < 64; z++) dst[z] = (v >> z) & 1 ? BB_ONE : 0;
}

static void b2_put_limbs(bb_t *dst, uint64_t v) {
  for (unsigned k = 0; k < LIMBS; k++) dst[k] = bb_from_u32(b2_limb_of(v, k));
}

/* u + w + x mod 2^64, limb by limb, writing the carry out of each limb. */
static uint64_t b2_add(uint64_t u, uint64_t w, uint64_t x, bb_t *carries) {
  uint64_t s = 0;
  uint32_t k_in = 0;
  for (unsigned k = 0; k < LIMBS; k++) {
    uint32_t t = b2_limb_of(u, k) + b2_limb_of(w, k) + b2_limb_of(x, k) + k_in;
    s |= (uint64_t)(t & 0xffffu) << (LB * k);
    k_in = t >> LB;
    carries[k] = bb_from_u32(k_in);
  }
  return s;
}

enum { B2_KIND_INIT, B2_KIND_ROUND, B2_KIND_FINAL };

/* One row of call c: kind, cnt rounds done, state v at the start of the row.
 * Writes every cell and returns the row's round output in out. */
static void b2_fill_row(bb_t *row, int kind, uint32_t cnt, const blake2f_air_call *c,
                        const uint64_t v[16], uint64_t out[16]) {
  memset(row, 0, sizeof *row * BLAKE2F_AIR_WIDTH);
  row[BLAKE2F_AIR_INIT + kind] = BB_ONE;
  unsigned s = cnt % NS;
  row[BLAKE2F_AIR_R + s] = BB_ONE;
  row[BLAKE2F_AIR_CNT] = bb_from_u32(cnt);
  row[BLAKE2F_AIR_ROUNDS] = bb_from_u32(c->rounds);
  row[BLAKE2F_AIR_F] = c->f ? BB_ONE : 0;
  for (unsigned j = 0; j < 2; j++) b2_put_limbs(row + BLAKE2F_AIR_T + LIMBS * j, c->t[j]);
  for (unsigned i = 0; i < 8; i++) {
    b2_put_limbs(row + BLAKE2F_AIR_OUT + LIMBS * i, c->h[i] ^ v[i] ^ v[i + 8]);
    b2_put_bits(row + BLAKE2F_AIR_H + 64 * i, c->h[i]);
  }
  for (unsigned i = 0; i < 16; i++) {
    b2_put_bits(row + BLAKE2F_AIR_M + 64 * i, c->m[i]);
    b2_put_bits(row + BLAKE2F_AIR_V + 64 * i, v[i]);
  }
  uint64_t w[16];
  memcpy(w, v, sizeof w);
  for (unsigned g = 0; g < 8; g++) {
    bb_t *gc = row + BLAKE2F_AIR_G + GW * g;
    unsigned ia = b2_gw[g][0], ib = b2_gw[g][1], ic = b2_gw[g][2], id = b2_gw[g][3];
    uint64_t x = c->m[b2_sigma[s][2 * g]], y = c->m[b2_sigma[s][2 * g + 1]];
    uint64_t a1 = b2_add(w[ia], w[ib], x, gc + BLAKE2F_AIR_G_K1);
    uint64_t d1 = b2_rotr(w[id] ^ a1, 32);
    uint64_t c1 = b2_add(w[ic], d1, 0, gc + BLAKE2F_AIR_G_K2);
    uint64_t b1 = b2_rotr(w[ib] ^ c1, 24);
    uint64_t a2 = b2_add(a1, b1, y, gc + BLAKE2F_AIR_G_K3);
    uint64_t d2 = b2_rotr(d1 ^ a2, 16);
    uint64_t c2 = b2_add(c1, d2, 0, gc + BLAKE2F_AIR_G_K4);
    uint64_t b2 = b2_rotr(b1 ^ c2, 63);
    b2_put_bits(gc + BLAKE2F_AIR_G_A1, a1);
    b2_put_bits(gc + BLAKE2F_AIR_G_C1, c1);
    b2_put_bits(gc + BLAKE2F_AIR_G_A2, a2);
    b2_put_bits(gc + BLAKE2F_AIR_G_D2, d2);
    b2_put_bits(gc + BLAKE2F_AIR_G_C2, c2);
    b2_put_bits(gc + BLAKE2F_AIR_G_B2, b2);
    w[ia] = a2;
    w[ib] = b2;
    w[ic] = c2;
    w[id] = d2;
  }
  memcpy(out, w, sizeof w);
}

size_t blake2f_air_call_rows(uint32_t rounds) {
  return (size_t)rounds + BLAKE2F_AIR_ROWS_PER_CALL_EXTRA;
}

/* Sum of the calls' rows, or 0 when it exceeds 2^STARK_MAX_LOG_ROWS. */
static size_t b2_used_rows(const blake2f_air_call *calls, size_t n_calls) {
  const size_t max = (size_t)1 << STARK_MAX_LOG_ROWS;
  size_t need = 0;
  for (size_t k = 0; k < n_calls; k++) {
    size_t r = blake2f_air_call_rows(calls[k].rounds);
    if (r > max || need > max - r) return 0;
    need += r;
  }
  return n_calls ? need : 1;
}

size_t blake2f_air_rows(const blake2f_air_call *calls, size_t n_calls) {
  if (n_calls && !calls) return 0;
  size_t need = b2_used_rows(calls, n_calls), rows = 2;
  if (!need) return 0;
  while (rows < need) rows <<= 1;
  return rows;
}

size_t blake2f_air_final_row(const blake2f_air_call *calls, size_t k) {
  size_t row = 0;
  for (size_t i = 0; i <= k; i++) row += blake2f_air_call_rows(calls[i].rounds);
  return row - 1;
}

int blake2f_air_fill(const blake2f_air_call *calls, size_t n_calls, bb_t *trace, size_t rows) {
  if (!trace || (n_calls && !calls) || rows < 2 || (rows & (rows - 1))) return STARK_ERR_ARG;
  size_t need = b2_used_rows(calls, n_calls);
  if (!need || need > rows) return STARK_ERR_ARG;
  for (size_t k = 0; k < n_calls; k++)
    if (calls[k].f > 1) return STARK_ERR_ARG;
  size_t row = 0;
  for (size_t k = 0; k < n_calls; k++) {
    const blake2f_air_call *c = &calls[k];
    uint64_t v[16], out[16];
    for (unsigned i = 0; i < 8; i++) {
      v[i] = c->h[i];
      v[i + 8] = b2_iv[i];
    }
    v[12] ^= c->t[0];
    v[13] ^= c->t[1];
    if (c->f) v[14] = ~v[14];
    b2_fill_row(trace + row++ * BLAKE2F_AIR_WIDTH, B2_KIND_INIT, 0, c, v, out);
    for (uint32_t i = 0; i < c->rounds; i++) {
      b2_fill_row(trace + row++ * BLAKE2F_AIR_WIDTH, B2_KIND_ROUND, i, c, v, out);
      memcpy(v, out, sizeof v);
    }
    b2_fill_row(trace + row++ * BLAKE2F_AIR_WIDTH, B2_KIND_FINAL, c->rounds, c, v, out);
  }
  memset(trace + row * BLAKE2F_AIR_WIDTH, 0, sizeof *trace * BLAKE2F_AIR_WIDTH * (rows - row));
  return 0;
}

int blake2f_air_trace(const blake2f_air_call *calls, size_t n_calls, bb_t **trace,
                      unsigned *log_n) {
  if (!trace || !log_n) return STARK_ERR_ARG;
  *trace = NULL;
  size_t rows = blake2f_air_rows(calls, n_calls);
  if (!rows) return STARK_ERR_ARG;
  bb_t *t = malloc(sizeof *t * BLAKE2F_AIR_WIDTH * rows);
  if (!t) return STARK_ERR_NOMEM;
  int rc = blake2f_air_fill(calls, n_calls, t, rows);
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
