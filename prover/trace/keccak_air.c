/* keccak_air: constraints and trace generation of the Keccak-f[1600] AIR
 * (layout and constraint list in keccak_air.h).
 *
 * The constraints are written once, in keccak_air_body.inc, and instantiated
 * over the extension field (eval_ext: the verifier's out-of-domain check and
 * the definition) and over the base field (eval_base: the prover evaluates it
 * at every point of the quotient domain, n * 2 points for n rows, so it is the
 * hot path of proving this table); the CUDA backend's quotient kernel
 * (cuda/cu_kern_air.h) is a third instance. All fold exactly the same
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

/* The tables' initialisers and the constraint count (the body included
 * without NAME). ka_rc and ka_rho serve the constraints and the trace
 * generator alike. */
#include "trace/keccak_air_body.inc"

static const uint64_t ka_rc[NR] = KECCAK_AIR_RC_INIT;
static const unsigned char ka_rho[25] = KECCAK_AIR_RHO_INIT;

#define KA_RC(r) ka_rc[r]
#define KA_RHO(lane) ka_rho[lane]

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define NAME ka_eval_ext
#include "trace/keccak_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define NAME ka_eval_base
#include "trace/keccak_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME
#undef KA_RC
#undef KA_RHO

static const stark_air ka_air = {
    .name = "pkb-keccak",
    .width = KECCAK_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = KECCAK_AIR_CONSTRAINTS,
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

typedef struct {
  const uint64_t (*inputs)[25];
  size_t n_perms, rows;
  bb_t *trace;
} ka_fill_job;

/* Permutations [lo, hi): each fills its own 24 rows (or what is left). */
static void ka_fill_range(void *ctx, size_t lo, size_t hi) {
  static const uint64_t zero[25];
  const ka_fill_job *j = ctx;
  for (size_t k = lo; k < hi; k++) {
    size_t row = k * NR, left = j->rows - row, m = left < NR ? left : NR;
    int real = k < j->n_perms;
    ka_fill_perm(j->trace + row * KECCAK_AIR_WIDTH, m, real ? j->inputs[k] : zero, real);
  }
}

int keccak_air_fill(const uint64_t (*inputs)[25], size_t n_perms, bb_t *trace, size_t rows) {
  if (!trace || (n_perms && !inputs) || rows < 2 || (rows & (rows - 1)) ||
      n_perms > rows / NR)
    return STARK_ERR_ARG;
  ka_fill_job j = {inputs, n_perms, rows, trace};
  stark_par_for((rows + NR - 1) / NR, 16, 0, ka_fill_range, &j); /* permutations are independent */
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
