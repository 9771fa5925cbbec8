/* blake2f_air: constraints and trace generation of the BLAKE2F AIR (layout
 * and constraint list in blake2f_air.h).
 *
 * The constraints are written once, in blake2f_air_body.inc, and
 * instantiated over the extension field (eval_ext: the verifier's
 * out-of-domain check and the definition) and over the base field
 * (eval_base: the prover's hot path, run at every point of the quotient
 * domain); the CUDA backend's quotient kernel (cuda/cu_kern_air.h) is a third
 * instance. All fold the same constraints in the same order.
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

/* The tables' initialisers and the constraint count (the body included
 * without NAME). b2_iv, b2_sigma and b2_gw serve the constraints and the
 * trace generator alike. */
#include "trace/blake2f_air_body.inc"

static const uint64_t b2_iv[8] = BLAKE2F_AIR_IV_INIT;
static const unsigned char b2_sigma[NS][16] = BLAKE2F_AIR_SIGMA_INIT;
static const unsigned char b2_gw[8][4] = BLAKE2F_AIR_GW_INIT;

/* Limb k of a 64-bit constant. */
static inline uint32_t b2_limb_of(uint64_t v, unsigned k) { return B2_LIMB_OF(v, k); }

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

#define B2_IV(i) b2_iv[i]
#define B2_SIGMA(s, i) b2_sigma[s][i]
#define B2_GW(g, i) b2_gw[g][i]

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define LIMB b2_limb_ext
#define NAME b2_eval_ext
#include "trace/blake2f_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME
#undef LIMB

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define LIMB b2_limb_base
#define NAME b2_eval_base
#include "trace/blake2f_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME
#undef LIMB
#undef B2_IV
#undef B2_SIGMA
#undef B2_GW

static const stark_air b2_air = {
    .name = "pkb-blake2f",
    .width = BLAKE2F_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = BLAKE2F_AIR_CONSTRAINTS,
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
