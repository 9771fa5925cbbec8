/* stark/air: trace checking and the two example AIRs (Fibonacci, 256-bit add).
 *
 * The examples' constraints are written once (air_body.inc) and instantiated
 * here over ext_t (the verifier's domain, the source of truth) and over bb_t
 * (the prover's fast path); the CUDA backend compiles the same body into its
 * quotient kernels (cuda/cu_kern_air.h). The tests compare the instances on
 * random rows.
 */
#include "stark/air.h"

#include <stdlib.h>
#include <string.h>

unsigned stark_air_quotient_chunks(const stark_air *air) {
  unsigned d = air->max_degree > 1 ? air->max_degree - 1 : 1;
  unsigned c = 1;
  while (c < d) c <<= 1;
  return c;
}

int stark_air_check(const stark_air *air, const bb_t *trace, size_t n, const bb_t *pub,
                    size_t *bad_row, int *bad_constraint) {
  return stark_air_check_rows(air, trace, n, pub, 0, n, bad_row, bad_constraint);
}

int stark_air_check_rows(const stark_air *air, const bb_t *trace, size_t n, const bb_t *pub, size_t lo,
                         size_t hi, size_t *bad_row, int *bad_constraint) {
  if (!air || !air->eval_ext || air->width == 0 || !trace || n < 2 || (n & (n - 1)) || lo > hi || hi > n)
    return STARK_ERR_ARG;
  if (air->num_public && !pub) return STARK_ERR_ARG;
  unsigned w = air->width;
  ext_t *lx = NULL, *nx = NULL;
  if (!air->eval_base) {
    lx = malloc(sizeof *lx * w);
    nx = malloc(sizeof *nx * w);
    if (!lx || !nx) {
      free(lx);
      free(nx);
      return STARK_ERR_NOMEM;
    }
  }
  int rc = STARK_OK;
  for (size_t i = lo; i < hi; i++) {
    const bb_t *loc = trace + i * w, *nxt = trace + ((i + 1) & (n - 1)) * w;
    bb_t first = i == 0 ? BB_ONE : 0, last = i == n - 1 ? BB_ONE : 0;
    bb_t trans = i == n - 1 ? 0 : BB_ONE;
    unsigned count;
    int bad;
    if (air->eval_base) {
      stark_eval_base e = {loc, nxt, pub, first, last, trans, NULL, ext_zero(), 0, 0, -1};
      air->eval_base(air, &e);
      count = e.count;
      bad = e.first_nonzero;
    } else {
      for (unsigned j = 0; j < w; j++) {
        lx[j] = ext_from_base(loc[j]);
        nx[j] = ext_from_base(nxt[j]);
      }
      stark_eval_ext e = {lx, nx, pub, ext_from_base(first), ext_from_base(last),
                          ext_from_base(trans), ext_zero(), ext_zero(), 0, -1};
      air->eval_ext(air, &e);
      count = e.count;
      bad = e.first_nonzero;
    }
    if (count != air->num_constraints) {
      if (bad_row) *bad_row = i;
      rc = STARK_ERR_AIR;
      break;
    }
    if (bad >= 0) {
      if (bad_row) *bad_row = i;
      if (bad_constraint) *bad_constraint = bad;
      rc = STARK_ERR_CONSTRAINT;
      break;
    }
  }
  free(lx);
  free(nx);
  return rc;
}

/* ---- the example AIRs' constraints (air_body.inc), over ext and over bb ---- */

#include "stark/air_field_ext.h"
#define SUFFIX(x) x##_ext
#define BASE(v) ext_from_base(v)
#include "air_body.inc"
#include "stark/air_field_end.h"
#undef SUFFIX
#undef BASE
#undef FIB_CONSTRAINTS
#undef ADD256_CONSTRAINTS

#include "stark/air_field_base.h"
#define SUFFIX(x) x##_base
#define BASE(v) (v)
#include "air_body.inc"
#include "stark/air_field_end.h"
#undef SUFFIX
#undef BASE

/* ---- Fibonacci ---- */

const stark_air stark_air_fib = {
    .name = "fibonacci",
    .width = STARK_FIB_WIDTH,
    .num_public = STARK_FIB_PUBLIC,
    .num_constraints = FIB_CONSTRAINTS,
    .max_degree = 2,
    .eval_ext = fib_eval_ext,
    .eval_base = fib_eval_base,
    .ctx = NULL,
};

void stark_fib_trace(bb_t *trace, size_t n, uint32_t a0, uint32_t b0, uint32_t *result) {
  bb_t a = bb_from_u32(a0), b = bb_from_u32(b0);
  for (size_t i = 0; i < n; i++) {
    trace[2 * i] = a;
    trace[2 * i + 1] = b;
    if (i + 1 < n) {
      bb_t s = bb_add(a, b);
      a = b;
      b = s;
    }
  }
  if (result) *result = bb_to_u32(b);
}

/* ---- 256-bit add with carry ---- */

#define ADD_L STARK_ADD256_LIMBS
enum { COL_A = 0, COL_B = ADD_L, COL_C = 2 * ADD_L, COL_CARRY = 3 * ADD_L };

const stark_air stark_air_add256 = {
    .name = "add256",
    .width = STARK_ADD256_WIDTH,
    .num_public = 0,
    .num_constraints = ADD256_CONSTRAINTS,
    .max_degree = 2,
    .eval_ext = add256_eval_ext,
    .eval_base = add256_eval_base,
    .ctx = NULL,
};

void stark_add256_row(bb_t *row, const uint16_t a[16], const uint16_t b[16]) {
  uint32_t carry = 0;
  for (int i = 0; i < ADD_L; i++) {
    uint32_t s = (uint32_t)a[i] + b[i] + carry;
    carry = s >> 16;
    row[COL_A + i] = bb_from_u32(a[i]);
    row[COL_B + i] = bb_from_u32(b[i]);
    row[COL_C + i] = bb_from_u32(s & 0xffff);
    row[COL_CARRY + i] = carry ? BB_ONE : 0;
  }
}
