/* sha256_air: constraints and trace generation of the SHA-256 compression AIR
 * (layout and constraint list in sha256_air.h).
 *
 * The constraints are written once, in sha256_air_body.inc, and instantiated
 * over the extension field (eval_ext: the verifier's out-of-domain check and
 * the definition) and over the base field (eval_base: the prover's hot path,
 * run at every point of the quotient domain); the CUDA backend's quotient
 * kernel (cuda/cu_kern_air.h) is a third instance. All fold exactly the same
 * constraints in the same order.
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

/* The round constants' initialiser and the constraint count (the body
 * included without NAME). sa_k serves the constraints; the trace generator
 * uses hash/sha256.h's sha256_k, so a generated trace satisfies the
 * constraints only if the two tables agree. */
#include "trace/sha256_air_body.inc"

static const uint32_t sa_k[SA_NR] = SHA256_AIR_K_INIT;

/* Groups that are checked together are adjacent columns. */
_Static_assert(SHA256_AIR_BLOCK == SHA256_AIR_CV + 16 && SHA256_AIR_OUT == SHA256_AIR_BLOCK + 32,
               "CV, BLOCK, OUT adjacent");
_Static_assert(SHA256_AIR_S1B == SHA256_AIR_S0B + 32 && SHA256_AIR_SC == SHA256_AIR_S1B + 32,
               "S0B, S1B, SC adjacent");
_Static_assert(SHA256_AIR_CE + 2 * 3 == SHA256_AIR_OB && SHA256_AIR_AN == SHA256_AIR_ST + 256,
               "ST .. CE adjacent");
_Static_assert(SHA256_AIR_WIDTH == 631, "documented width");

#define SA_K(r) sa_k[r]

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define NAME sa_eval_ext
#include "trace/sha256_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define NAME sa_eval_base
#include "trace/sha256_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME
#undef SA_K

static const stark_air sa_air = {
    .name = "pkb-sha256",
    .width = SHA256_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = SHA256_AIR_CONSTRAINTS,
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

typedef struct {
  const uint32_t (*state_in)[8];
  const uint8_t (*block)[64];
  size_t n_comp;
  bb_t *trace;
} sa_fill_job;

/* Compressions [lo, hi): each fills its own NR rows. */
static void sa_fill_range(void *ctx, size_t lo, size_t hi) {
  static const uint32_t zcv[8];
  static const uint8_t zblock[64];
  const sa_fill_job *j = ctx;
  for (size_t k = lo; k < hi; k++) {
    int real = k < j->n_comp;
    sa_fill_comp(j->trace + k * NR * SHA256_AIR_WIDTH, real ? j->state_in[k] : zcv,
                 real ? j->block[k] : zblock, real);
  }
}

int sha256_air_fill(const uint32_t (*state_in)[8], const uint8_t (*block)[64], size_t n_comp,
                    bb_t *trace, size_t rows) {
  if (!trace || (n_comp && (!state_in || !block)) || rows < NR || (rows & (rows - 1)) ||
      n_comp > rows / NR)
    return STARK_ERR_ARG;
  sa_fill_job j = {state_in, block, n_comp, trace};
  stark_par_for(rows / NR, 16, 0, sa_fill_range, &j); /* compressions are independent */
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
