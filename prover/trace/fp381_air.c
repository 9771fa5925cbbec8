/* fp381_air: constraints and row generation of the BLS12-381 base-field
 * multiplication AIR (layout and constraint list in fp381_air.h).
 *
 * The constraints are written once, in fp381_air_body.inc, and instantiated
 * here over the extension field and the base field; cuda/cu_kern_air.h
 * instantiates them a third time as the CUDA backend's quotient kernel. The
 * row generator works on integers (GMP for the quotient) and writes each
 * column from them, independently of the constraint code.
 */
#include "trace/fp381_air.h"

#include <gmp.h>
#include <string.h>

#include "stark/stark.h"

/* The modulus (the body's first inclusion, without NAME). */
#include "trace/fp381_air_body.inc"

static const uint8_t p_le[48] = FP381_P_BYTES_INIT;

_Static_assert(FP381_AIR_WIDTH == 3378, "documented width");
_Static_assert(FP381_AIR_CONSTRAINTS == 3521, "documented constraint count");
_Static_assert(FP381_AIR_S == FP381_AIR_C + FP381_AIR_CARRIES * FP381_AIR_CARRY_BITS, "carries before s");

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define NAME fp381_eval_ext
#include "trace/fp381_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define NAME fp381_eval_base
#include "trace/fp381_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME

static const stark_air fp381_air_def = {
    .name = "pkb-fp381",
    .width = FP381_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = FP381_AIR_CONSTRAINTS,
    .max_degree = 3,
    .eval_ext = fp381_eval_ext,
    .eval_base = fp381_eval_base,
    .ctx = NULL,
};

const stark_air *fp381_air(void) { return &fp381_air_def; }

void fp381_air_modulus(uint8_t p[48]) {
  for (int i = 0; i < 48; i++) p[i] = p_le[47 - i];
}

static void put_bits(bb_t *dst, const uint8_t le[48]) {
  for (unsigned k = 0; k < 48; k++)
    for (unsigned t = 0; t < 8; t++) dst[8 * k + t] = (le[k] >> t) & 1 ? BB_ONE : 0;
}

/* x (0 <= x < 2^384) as 48 little-endian bytes. */
static void to_le48(uint8_t out[48], const mpz_t x) {
  size_t n = 0;
  memset(out, 0, 48);
  mpz_export(out, &n, -1, 1, 0, 0, x);
}

int fp381_air_fill_row(bb_t *row, const uint8_t a[48], const uint8_t b[48], const uint8_t r[48]) {
  mpz_t za, zb, zr, zp, zq, zrem;
  mpz_inits(za, zb, zr, zp, zq, zrem, NULL);
  mpz_import(za, 48, 1, 1, 0, 0, a);
  mpz_import(zb, 48, 1, 1, 0, 0, b);
  mpz_import(zr, 48, 1, 1, 0, 0, r);
  mpz_import(zp, 48, -1, 1, 0, 0, p_le);
  mpz_mul(za, za, zb);
  mpz_tdiv_qr(zq, zrem, za, zp);
  int ok = mpz_cmp(zrem, zr) == 0 && mpz_sizeinbase(zq, 2) <= FP381_AIR_WORD_BITS;
  uint8_t al[48], bl[48], ql[48], rl[48], dl[48];
  if (ok) {
    to_le48(ql, zq);
    mpz_sub_ui(zp, zp, 1);
    mpz_sub(zp, zp, zr); /* d = p - 1 - r >= 0: r < p, as the remainder */
    to_le48(dl, zp);
  }
  mpz_clears(za, zb, zr, zp, zq, zrem, NULL);
  if (!ok) return STARK_ERR_ARG;
  for (int i = 0; i < 48; i++) {
    al[i] = a[47 - i];
    bl[i] = b[47 - i];
    rl[i] = r[47 - i];
  }
  /* the carries of the product columns; the identity holds, so every
   * column's sum is a multiple of 256 and the last carry is 0 */
  int64_t cin = 0;
  int64_t carry[FP381_AIR_CARRIES];
  for (int k = 0; k < 95; k++) {
    int64_t acc = cin;
    int lo = k > 47 ? k - 47 : 0, hi = k < 47 ? k : 47;
    for (int i = lo; i <= hi; i++) acc += (int64_t)al[i] * bl[k - i] - (int64_t)ql[i] * p_le[k - i];
    if (k < 48) acc -= rl[k];
    if (acc % 256 != 0) return STARK_ERR_ARG;
    cin = acc / 256;
    if (k < (int)FP381_AIR_CARRIES) {
      if (cin < -(int64_t)FP381_AIR_CARRY_OFFSET || cin >= (int64_t)FP381_AIR_CARRY_OFFSET) return STARK_ERR_ARG;
      carry[k] = cin;
    } else if (cin != 0) {
      return STARK_ERR_ARG;
    }
  }
  memset(row, 0, sizeof *row * FP381_AIR_WIDTH);
  put_bits(row + FP381_AIR_A, al);
  put_bits(row + FP381_AIR_B, bl);
  put_bits(row + FP381_AIR_Q, ql);
  put_bits(row + FP381_AIR_R, rl);
  put_bits(row + FP381_AIR_D, dl);
  for (unsigned k = 0; k < FP381_AIR_CARRIES; k++) {
    uint32_t v = (uint32_t)(carry[k] + FP381_AIR_CARRY_OFFSET);
    for (unsigned t = 0; t < FP381_AIR_CARRY_BITS; t++)
      row[FP381_AIR_C + FP381_AIR_CARRY_BITS * k + t] = (v >> t) & 1 ? BB_ONE : 0;
  }
  unsigned s = 0;
  for (unsigned k = 0; k < 47; k++) {
    unsigned pm1 = k == 0 ? p_le[0] - 1u : p_le[k];
    s = (rl[k] + dl[k] + s - pm1) >> 8; /* r_k + d_k + s_{k-1} = pm1_k + 256 s_k */
    row[FP381_AIR_S + k] = s ? BB_ONE : 0;
  }
  row[FP381_AIR_REAL] = BB_ONE;
  return 0;
}
