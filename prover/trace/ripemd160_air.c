/* ripemd160_air: constraints and trace generation of the RIPEMD-160
 * compression AIR (layout and constraint list in ripemd160_air.h).
 *
 * The constraints are written once, in ripemd160_air_body.inc, and
 * instantiated over the extension field (eval_ext: the verifier's
 * out-of-domain check and the definition) and over the base field (eval_base:
 * the prover's hot path); cuda/cu_kern_air.h instantiates it a third time as
 * the CUDA backend's quotient kernel.
 *
 * The trace generator works on plain 32-bit words and writes each column from
 * them, independently of the constraint code; the tests compare the outputs
 * it writes with hash/ripemd160.h's compression.
 */
#include "trace/ripemd160_air.h"

#include <stdlib.h>
#include <string.h>

#include "hash/ripemd160.h"
#include "stark/stark.h"

#define NR RIPEMD160_AIR_ROWS_PER_COMP
#define LIMBS RIPEMD160_AIR_LIMBS
#define LB RIPEMD160_AIR_LIMB_BITS

/* The constraint count and the initialisers (the body included without
 * NAME). The instances read the schedule from hash/ripemd160.h's tables, the
 * ones the trace generator and the compression use. */
#include "trace/ripemd160_air_body.inc"

static const int ra_f_coef[5][8] = RA_F_COEF_INIT;

_Static_assert(RIPEMD160_AIR_BLOCK == RIPEMD160_AIR_CV + 10 &&
                   RIPEMD160_AIR_OUT == RIPEMD160_AIR_BLOCK + 32,
               "CV, BLOCK, OUT adjacent");
_Static_assert(RIPEMD160_AIR_OC == RIPEMD160_AIR_OB + 160, "OB, OC adjacent");
_Static_assert(RIPEMD160_AIR_L_P == 262, "a line's bit columns come first");
_Static_assert(RIPEMD160_AIR_WIDTH == 901, "documented width");
_Static_assert(RIPEMD160_AIR_CONSTRAINTS == 1365, "documented constraint count");

#define RA_R(L, j) ripemd160_r[L][j]
#define RA_S(L, j) ripemd160_s[L][j]
#define RA_KC(L, q) ripemd160_k[L][q]
#define RA_FIDX(L, q) ripemd160_f_index((unsigned)(L), (unsigned)(q))
#define RA_FCOEF(f, m) ra_f_coef[f][m]

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define NAME ra_eval_ext
#include "trace/ripemd160_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define NAME ra_eval_base
#include "trace/ripemd160_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME
#undef RA_R
#undef RA_S
#undef RA_KC
#undef RA_FIDX
#undef RA_FCOEF

static const stark_air ra_air = {
    .name = "pkb-ripemd160",
    .width = RIPEMD160_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = RIPEMD160_AIR_CONSTRAINTS,
    .max_degree = 3,
    .eval_ext = ra_eval_ext,
    .eval_base = ra_eval_base,
    .ctx = NULL,
};

const stark_air *ripemd160_air(void) { return &ra_air; }

unsigned ripemd160_air_width(void) { return RIPEMD160_AIR_WIDTH; }

/* ---- trace generation ---- */

static inline uint32_t ra_rol(uint32_t x, unsigned n) { return x << n | x >> (32 - n); }

static void ra_put_bits(bb_t *dst, uint32_t v, unsigned nbits) {
  for (unsigned z = 0; z < nbits; z++) dst[z] = (v >> z) & 1 ? BB_ONE : 0;
}

static void ra_put_limbs(bb_t *dst, uint32_t v) {
  for (int k = 0; k < LIMBS; k++) dst[k] = bb_from_u32((v >> (LB * k)) & 0xffffu);
}

/* Sum of nt words mod 2^32, limb by limb: writes the per-limb carries as
 * nbits-bit values at carry_bits. */
static uint32_t ra_add(const uint32_t *t, int nt, bb_t *carry_bits, unsigned nbits) {
  uint32_t cin = 0, out = 0;
  for (int k = 0; k < LIMBS; k++) {
    uint32_t s = cin;
    for (int i = 0; i < nt; i++) s += (t[i] >> (LB * k)) & 0xffffu;
    out |= (s & 0xffffu) << (LB * k);
    cin = s >> LB;
    ra_put_bits(carry_bits + nbits * k, cin, nbits);
  }
  return out;
}

/* The first nrows (<= 80) rows of one compression of (cv, block). real: not
 * padding. A compression cut short (nrows < 80) outputs zero. */
static void ra_fill_comp(bb_t *rows, size_t nrows, const uint32_t cv[5], const uint8_t block[64],
                         int real) {
  uint32_t x[16], out[5] = {0};
  for (unsigned i = 0; i < 16; i++) x[i] = ripemd160_block_word(block, i);
  if (nrows == NR) {
    memcpy(out, cv, sizeof out);
    ripemd160_compress(out, block);
  }
  uint32_t v[2][5]; /* A .. E of each line entering the step */
  memcpy(v[0], cv, sizeof v[0]);
  memcpy(v[1], cv, sizeof v[1]);
  for (unsigned j = 0; j < nrows; j++) {
    bb_t *row = rows + (size_t)j * RIPEMD160_AIR_WIDTH;
    memset(row, 0, sizeof *row * RIPEMD160_AIR_WIDTH);
    row[RIPEMD160_AIR_FLAGS + j] = BB_ONE;
    row[RIPEMD160_AIR_EXPORT] = real ? BB_ONE : 0;
    for (unsigned i = 0; i < 5; i++) {
      ra_put_limbs(row + RIPEMD160_AIR_CV + LIMBS * i, cv[i]);
      ra_put_limbs(row + RIPEMD160_AIR_OUT + LIMBS * i, out[i]);
    }
    for (unsigned i = 0; i < 16; i++) ra_put_limbs(row + RIPEMD160_AIR_BLOCK + LIMBS * i, x[i]);
    uint32_t fw[2][5]; /* each line's words after the step */
    for (unsigned L = 0; L < 2; L++) {
      bb_t *ln = row + RIPEMD160_AIR_LINE(L);
      uint32_t *s = v[L];
      for (unsigned i = 0; i < 5; i++) ra_put_bits(ln + RIPEMD160_AIR_L_ST + 32 * i, s[i], 32);
      ra_put_bits(ln + RIPEMD160_AIR_L_P, s[1] & s[2], 32);
      uint32_t xw = x[ripemd160_r[L][j]];
      ra_put_bits(ln + RIPEMD160_AIR_L_XB, xw, 32);
      uint32_t sterms[4] = {s[0], ripemd160_f(L, j / 16, s[1], s[2], s[3]), xw,
                            ripemd160_k[L][j / 16]};
      uint32_t sw = ra_add(sterms, 4, ln + RIPEMD160_AIR_L_CS, RIPEMD160_AIR_SCARRY_BITS);
      ra_put_bits(ln + RIPEMD160_AIR_L_SB, sw, 32);
      uint32_t tterms[2] = {ra_rol(sw, ripemd160_s[L][j]), s[4]};
      uint32_t tw = ra_add(tterms, 2, ln + RIPEMD160_AIR_L_CT, 1);
      ra_put_bits(ln + RIPEMD160_AIR_L_TN, tw, 32);
      uint32_t nx[5] = {s[4], tw, s[1], ra_rol(s[2], 10), s[3]};
      memcpy(fw[L], nx, sizeof nx);
    }
    if (j == NR - 1)
      for (unsigned i = 0; i < 5; i++) {
        uint32_t terms[3] = {cv[(i + 1) % 5], fw[0][(i + 2) % 5], fw[1][(i + 3) % 5]};
        bb_t *oc = row + RIPEMD160_AIR_OC + LIMBS * RIPEMD160_AIR_OCARRY_BITS * i;
        ra_put_bits(row + RIPEMD160_AIR_OB + 32 * i,
                    ra_add(terms, 3, oc, RIPEMD160_AIR_OCARRY_BITS), 32);
      }
    memcpy(v, fw, sizeof v);
  }
}

size_t ripemd160_air_rows(size_t n_comp) {
  const size_t max = (size_t)1 << STARK_MAX_LOG_ROWS;
  if (n_comp > max / NR) return 0;
  size_t need = n_comp * NR, rows = 128;
  while (rows < need) rows <<= 1;
  return rows;
}

int ripemd160_air_fill(const uint32_t (*state_in)[5], const uint8_t (*block)[64], size_t n_comp,
                       bb_t *trace, size_t rows) {
  if (!trace || (n_comp && (!state_in || !block)) || rows < 128 || (rows & (rows - 1)) ||
      n_comp > rows / NR)
    return STARK_ERR_ARG;
  static const uint32_t zcv[5];
  static const uint8_t zblock[64];
  for (size_t k = 0; k * NR < rows; k++) {
    int real = k < n_comp;
    size_t nrows = rows - k * NR < NR ? rows - k * NR : NR;
    ra_fill_comp(trace + k * NR * RIPEMD160_AIR_WIDTH, nrows, real ? state_in[k] : zcv,
                 real ? block[k] : zblock, real);
  }
  return 0;
}

int ripemd160_air_trace(const uint32_t (*state_in)[5], const uint8_t (*block)[64], size_t n_comp,
                        bb_t **trace, unsigned *log_n) {
  if (!trace || !log_n) return STARK_ERR_ARG;
  *trace = NULL;
  size_t rows = ripemd160_air_rows(n_comp);
  if (!rows || (n_comp && (!state_in || !block))) return STARK_ERR_ARG;
  bb_t *t = malloc(sizeof *t * RIPEMD160_AIR_WIDTH * rows);
  if (!t) return STARK_ERR_NOMEM;
  int rc = ripemd160_air_fill(state_in, block, n_comp, t, rows);
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
