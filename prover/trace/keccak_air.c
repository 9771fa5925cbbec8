/* keccak_air: constraints and trace generation of the Keccak-f[1600] AIR
 * (layout and constraint list in keccak_air.h).
 *
 * The constraints are written once, in KA_DEFINE_EVAL, and instantiated over
 * the extension field (eval_ext: the verifier's out-of-domain check and the
 * definition) and over the base field (eval_base: the prover evaluates it at
 * every point of the quotient domain, n * 2 points for n rows, so it is the
 * hot path of proving this table). Both instances fold exactly the same
 * constraints in the same order.
 *
 * The trace generator works on plain 64-bit lanes and writes each column from
 * the lane values, independently of the constraint code; the tests compare
 * the round outputs it writes with hash/keccak.h's permutation.
 */
#include "trace/keccak_air.h"

#include <stdlib.h>
#include <string.h>

#include "stark/stark.h"

#define NR KECCAK_AIR_ROWS_PER_PERM
#define LIMBS KECCAK_AIR_LIMBS
#define LB KECCAK_AIR_LIMB_BITS

/* Constraint count, group by group, in evaluation order. */
enum {
  KA_N_FLAGS = 2 * NR,            /* row 0 is round 0; flags rotate */
  KA_N_PREIMAGE = 2 * 25 * LIMBS, /* A = PREIMAGE on round 0; PREIMAGE carried */
  KA_N_EXPORT = 2,
  KA_N_C_BOOL = 5 * 64,
  KA_N_CP = 5 * 64,
  KA_N_AP_BOOL = 25 * 64,
  KA_N_A_LIMBS = 25 * LIMBS,
  KA_N_PARITY = 5 * 64,
  KA_N_CHI = 25 * LIMBS,
  KA_N_IOTA = 64 + 2 * LIMBS,
  KA_N_CHAIN = 25 * LIMBS,
  KA_NUM_CONSTRAINTS = KA_N_FLAGS + KA_N_PREIMAGE + KA_N_EXPORT + KA_N_C_BOOL + KA_N_CP +
                       KA_N_AP_BOOL + KA_N_A_LIMBS + KA_N_PARITY + KA_N_CHI + KA_N_IOTA + KA_N_CHAIN
};

/* Round constants of iota (FIPS 202, section 3.2.5). */
static const uint64_t ka_rc[NR] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
    0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
    0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets of rho for lane x + 5y (FIPS 202, table 2). */
static const unsigned char ka_rho[25] = {
    0,  1,  62, 28, 27, /* y = 0 */
    36, 44, 6,  55, 20, /* y = 1 */
    3,  10, 43, 25, 39, /* y = 2 */
    41, 45, 15, 21, 8,  /* y = 3 */
    18, 2,  61, 56, 14, /* y = 4 */
};

/* B = pi(rho(A')): pi moves lane (x, y) to (y, 2x + 3y), so B[X, Y] comes
 * from A' lane (a, b) = ((X + 3Y) mod 5, X) rotated left by rho[a + 5b]:
 * bit z of B[X, Y] is bit z - rho of that lane. ka_b_lane gives that lane's
 * offset in the A' group and its rotation. */
static inline void ka_b_lane(unsigned X, unsigned Y, unsigned *base, unsigned *rot) {
  unsigned lane = (X + 3 * Y) % 5 + 5 * X;
  *base = 64 * lane;
  *rot = ka_rho[lane];
}

/* Arithmetic xor of two bits, a + b - 2ab (degree = deg a + deg b). */
static inline ext_t ka_xor_ext(ext_t a, ext_t b) {
  ext_t ab = ext_mul(a, b);
  return ext_sub(ext_add(a, b), ext_add(ab, ab));
}

static inline bb_t ka_xor_base(bb_t a, bb_t b) {
  bb_t ab = bb_mul(a, b);
  return bb_sub(bb_add(a, b), bb_add(ab, ab));
}

/* The constraints, over the field type FT with the operations ADD, SUB, MUL,
 * XOR, the constant lift K and the folder ASSERT, all defined at the point of
 * instantiation. A limb is recomposed from its 16 bits most significant
 * first (acc = 2 acc + bit). */
#define KA_DEFINE_EVAL(NAME)                                                                  \
  static void NAME(const stark_air *air, FRAME *e) {                                          \
    (void)air;                                                                                \
    const FT *l = e->local, *n = e->next;                                                     \
    const FT zero = K(0), one = K(1), two = K(2), four = K(4);                                \
    const FT first_row = e->is_first_row, trans = e->is_transition;                           \
    const FT *flag = l + KECCAK_AIR_FLAGS, *nflag = n + KECCAK_AIR_FLAGS;                     \
    /* round flags: one-hot round 0 on row 0, rotated by one on each transition */           \
    ASSERT(e, MUL(first_row, SUB(flag[0], one)));                                             \
    for (int r = 1; r < NR; r++) ASSERT(e, MUL(first_row, flag[r]));                          \
    for (int r = 0; r < NR; r++) ASSERT(e, MUL(trans, SUB(nflag[(r + 1) % NR], flag[r])));    \
    /* permutation input: enters A on round 0, stays on every row of the permutation */      \
    const FT round0 = flag[0], not_last = SUB(one, flag[NR - 1]);                             \
    const FT carry = MUL(trans, not_last); /* next row continues this permutation */         \
    for (int j = 0; j < 25 * LIMBS; j++)                                                      \
      ASSERT(e, MUL(round0, SUB(l[KECCAK_AIR_PREIMAGE + j], l[KECCAK_AIR_A + j])));           \
    for (int j = 0; j < 25 * LIMBS; j++)                                                      \
      ASSERT(e, MUL(carry, SUB(n[KECCAK_AIR_PREIMAGE + j], l[KECCAK_AIR_PREIMAGE + j])));     \
    const FT ex = l[KECCAK_AIR_EXPORT];                                                       \
    ASSERT(e, MUL(ex, SUB(ex, one)));                                                         \
    ASSERT(e, MUL(not_last, ex));                                                             \
    /* theta */                                                                               \
    const FT *c = l + KECCAK_AIR_C, *cp = l + KECCAK_AIR_CP, *ap = l + KECCAK_AIR_AP;         \
    for (int i = 0; i < 5 * 64; i++) ASSERT(e, MUL(c[i], SUB(c[i], one)));                    \
    for (int x = 0; x < 5; x++)                                                               \
      for (int z = 0; z < 64; z++) {                                                          \
        FT v = XOR(XOR(c[64 * x + z], c[64 * ((x + 4) % 5) + z]),                             \
                   c[64 * ((x + 1) % 5) + ((z + 63) & 63)]);                                  \
        ASSERT(e, SUB(cp[64 * x + z], v));                                                    \
      }                                                                                       \
    FT d[5 * 64]; /* D = C ^ C' = C[x-1] ^ rot(C[x+1], 1), degree 2 */                       \
    for (int i = 0; i < 5 * 64; i++) d[i] = XOR(c[i], cp[i]);                                 \
    for (int i = 0; i < 25 * 64; i++) ASSERT(e, MUL(ap[i], SUB(ap[i], one)));                 \
    for (int lane = 0; lane < 25; lane++)                                                     \
      for (int k = 0; k < LIMBS; k++) {                                                       \
        FT acc = zero;                                                                        \
        for (int z = LB * k + LB - 1; z >= LB * k; z--)                                       \
          acc = ADD(ADD(acc, acc), XOR(ap[64 * lane + z], d[64 * (lane % 5) + z]));           \
        ASSERT(e, SUB(acc, l[KECCAK_AIR_A + LIMBS * lane + k]));                              \
      }                                                                                       \
    for (int x = 0; x < 5; x++)                                                               \
      for (int z = 0; z < 64; z++) {                                                          \
        FT s = ap[64 * x + z];                                                                \
        for (int y = 1; y < 5; y++) s = ADD(s, ap[64 * (x + 5 * y) + z]);                     \
        FT diff = SUB(s, cp[64 * x + z]);                                                     \
        ASSERT(e, MUL(MUL(diff, SUB(diff, two)), SUB(diff, four)));                           \
      }                                                                                       \
    /* rho, pi (renaming of A' bits), chi */                                                  \
    for (unsigned Y = 0; Y < 5; Y++)                                                          \
      for (unsigned X = 0; X < 5; X++) {                                                      \
        unsigned o0, o1, o2, r0, r1, r2;                                                      \
        ka_b_lane(X, Y, &o0, &r0);                                                            \
        ka_b_lane((X + 1) % 5, Y, &o1, &r1);                                                  \
        ka_b_lane((X + 2) % 5, Y, &o2, &r2);                                                  \
        for (unsigned k = 0; k < LIMBS; k++) {                                                \
          FT acc = zero;                                                                      \
          for (unsigned z = LB * k + LB; z-- > LB * k;) {                                     \
            FT b0 = ap[o0 + ((z - r0) & 63)];                                                 \
            FT b1 = ap[o1 + ((z - r1) & 63)];                                                 \
            FT b2 = ap[o2 + ((z - r2) & 63)];                                                 \
            acc = ADD(ADD(acc, acc), XOR(b0, MUL(SUB(one, b1), b2)));                         \
          }                                                                                   \
          ASSERT(e, SUB(acc, l[KECCAK_AIR_APP + LIMBS * (X + 5 * Y) + k]));                   \
        }                                                                                     \
      }                                                                                       \
    /* iota */                                                                                \
    const FT *ib = l + KECCAK_AIR_APP00_BITS;                                                 \
    for (int z = 0; z < 64; z++) ASSERT(e, MUL(ib[z], SUB(ib[z], one)));                      \
    for (int k = 0; k < LIMBS; k++) {                                                         \
      FT acc = zero;                                                                          \
      for (int z = LB * k + LB - 1; z >= LB * k; z--) acc = ADD(ADD(acc, acc), ib[z]);        \
      ASSERT(e, SUB(acc, l[KECCAK_AIR_APP + k]));                                             \
    }                                                                                         \
    for (int k = 0; k < LIMBS; k++) {                                                         \
      FT acc = zero;                                                                          \
      for (int z = LB * k + LB - 1; z >= LB * k; z--) {                                       \
        FT rcbit = zero; /* bit z of RC[round], selected by the one-hot flags */             \
        for (int r = 0; r < NR; r++)                                                          \
          if ((ka_rc[r] >> z) & 1) rcbit = ADD(rcbit, flag[r]);                               \
        acc = ADD(ADD(acc, acc), XOR(ib[z], rcbit));                                          \
      }                                                                                       \
      ASSERT(e, SUB(acc, l[KECCAK_AIR_APPP00 + k]));                                          \
    }                                                                                         \
    /* this round's output is the next round's input within a permutation */                 \
    for (int lane = 0; lane < 25; lane++)                                                     \
      for (int k = 0; k < LIMBS; k++) {                                                       \
        FT out = lane ? l[KECCAK_AIR_APP + LIMBS * lane + k] : l[KECCAK_AIR_APPP00 + k];      \
        ASSERT(e, MUL(carry, SUB(n[KECCAK_AIR_A + LIMBS * lane + k], out)));                  \
      }                                                                                       \
  }

/* ---- extension-field instance ---- */
#define FT ext_t
#define FRAME stark_eval_ext
#define ADD ext_add
#define SUB ext_sub
#define MUL ext_mul
#define XOR ka_xor_ext
#define K(v) ext_from_base(bb_from_u32(v))
#define ASSERT stark_assert_zero_ext
KA_DEFINE_EVAL(ka_eval_ext)
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
#define XOR ka_xor_base
#define K(v) bb_from_u32(v)
#define ASSERT stark_assert_zero_base
KA_DEFINE_EVAL(ka_eval_base)
#undef FT
#undef FRAME
#undef ADD
#undef SUB
#undef MUL
#undef XOR
#undef K
#undef ASSERT

static const stark_air ka_air = {
    .name = "pkb-keccak",
    .width = KECCAK_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = KA_NUM_CONSTRAINTS,
    .max_degree = 3,
    .eval_ext = ka_eval_ext,
    .eval_base = ka_eval_base,
    .ctx = NULL,
};

const stark_air *keccak_air(void) { return &ka_air; }

unsigned keccak_air_width(void) { return KECCAK_AIR_WIDTH; }

/* ---- trace generation ---- */

static inline uint64_t ka_rotl(uint64_t v, unsigned r) {
  return r ? (v << r) | (v >> (64 - r)) : v;
}

static void ka_put_bits(bb_t *dst, uint64_t v) {
  for (int z = 0; z < 64; z++) dst[z] = (v >> z) & 1 ? BB_ONE : 0;
}

static void ka_put_limbs(bb_t *dst, uint64_t v) {
  for (int k = 0; k < LIMBS; k++) dst[k] = bb_from_u32((uint32_t)(v >> (LB * k)) & 0xffffu);
}

/* Rows of one permutation of in: rows[0 .. nrows) with nrows <= 24 (fewer
 * when the trace ends inside it). real: the input is not padding. */
static void ka_fill_perm(bb_t *rows, size_t nrows, const uint64_t in[25], int real) {
  uint64_t s[25];
  memcpy(s, in, sizeof s);
  for (size_t r = 0; r < nrows; r++) {
    bb_t *row = rows + r * KECCAK_AIR_WIDTH;
    memset(row, 0, sizeof *row * KECCAK_AIR_WIDTH);
    row[KECCAK_AIR_FLAGS + r] = BB_ONE;
    row[KECCAK_AIR_EXPORT] = real && r == NR - 1 ? BB_ONE : 0;
    for (int i = 0; i < 25; i++) {
      ka_put_limbs(row + KECCAK_AIR_PREIMAGE + LIMBS * i, in[i]);
      ka_put_limbs(row + KECCAK_AIR_A + LIMBS * i, s[i]);
    }
    uint64_t c[5], cp[5], d[5];
    for (int x = 0; x < 5; x++) c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
    for (int x = 0; x < 5; x++) {
      d[x] = c[(x + 4) % 5] ^ ka_rotl(c[(x + 1) % 5], 1);
      cp[x] = c[x] ^ d[x];
      ka_put_bits(row + KECCAK_AIR_C + 64 * x, c[x]);
      ka_put_bits(row + KECCAK_AIR_CP + 64 * x, cp[x]);
    }
    uint64_t ap[25], b[25], app[25];
    for (int i = 0; i < 25; i++) {
      ap[i] = s[i] ^ d[i % 5];
      ka_put_bits(row + KECCAK_AIR_AP + 64 * i, ap[i]);
    }
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++)
        b[y + 5 * ((2 * x + 3 * y) % 5)] = ka_rotl(ap[x + 5 * y], ka_rho[x + 5 * y]);
    for (int y = 0; y < 5; y++)
      for (int x = 0; x < 5; x++)
        app[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
    for (int i = 0; i < 25; i++) ka_put_limbs(row + KECCAK_AIR_APP + LIMBS * i, app[i]);
    ka_put_bits(row + KECCAK_AIR_APP00_BITS, app[0]);
    memcpy(s, app, sizeof s);
    s[0] ^= ka_rc[r];
    ka_put_limbs(row + KECCAK_AIR_APPP00, s[0]);
  }
}

size_t keccak_air_rows(size_t n_perms) {
  const size_t max = (size_t)1 << STARK_MAX_LOG_ROWS;
  if (n_perms > max / NR) return 0;
  size_t need = n_perms * NR, rows = 2;
  while (rows < need) rows <<= 1;
  return rows;
}

int keccak_air_fill(const uint64_t (*inputs)[25], size_t n_perms, bb_t *trace, size_t rows) {
  if (!trace || (n_perms && !inputs) || rows < 2 || (rows & (rows - 1)) ||
      n_perms > rows / NR)
    return STARK_ERR_ARG;
  static const uint64_t zero[25];
  for (size_t k = 0, row = 0; row < rows; k++, row += NR) {
    size_t left = rows - row, m = left < NR ? left : NR;
    int real = k < n_perms;
    ka_fill_perm(trace + row * KECCAK_AIR_WIDTH, m, real ? inputs[k] : zero, real);
  }
  return 0;
}

int keccak_air_trace(const uint64_t (*inputs)[25], size_t n_perms, bb_t **trace, unsigned *log_n) {
  if (!trace || !log_n) return STARK_ERR_ARG;
  *trace = NULL;
  size_t rows = keccak_air_rows(n_perms);
  if (!rows || (n_perms && !inputs)) return STARK_ERR_ARG;
  bb_t *t = malloc(sizeof *t * KECCAK_AIR_WIDTH * rows);
  if (!t) return STARK_ERR_NOMEM;
  int rc = keccak_air_fill(inputs, n_perms, t, rows);
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
