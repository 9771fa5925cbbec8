/* stark/air: trace checking and the two example AIRs (Fibonacci, 256-bit add).
 *
 * Each example writes its constraints twice, once over ext_t (the verifier's
 * domain, the source of truth) and once over bb_t (the prover's fast path); the
 * two bodies are kept line for line parallel and the tests compare them on
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
  if (!air || !air->eval_ext || air->width == 0 || !trace || n < 2 || (n & (n - 1)))
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
  for (size_t i = 0; i < n; i++) {
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

/* ---- Fibonacci ---- */

static void fib_eval_ext(const stark_air *air, stark_eval_ext *e) {
  (void)air;
  const ext_t *l = e->local, *n = e->next;
  ext_t a0 = ext_from_base(e->pub[0]), b0 = ext_from_base(e->pub[1]);
  ext_t res = ext_from_base(e->pub[2]);
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, ext_sub(l[0], a0)));
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, ext_sub(l[1], b0)));
  stark_assert_zero_ext(e, ext_mul(e->is_transition, ext_sub(n[0], l[1])));
  stark_assert_zero_ext(e, ext_mul(e->is_transition, ext_sub(n[1], ext_add(l[0], l[1]))));
  stark_assert_zero_ext(e, ext_mul(e->is_last_row, ext_sub(l[1], res)));
}

static void fib_eval_base(const stark_air *air, stark_eval_base *e) {
  (void)air;
  const bb_t *l = e->local, *n = e->next;
  bb_t a0 = e->pub[0], b0 = e->pub[1], res = e->pub[2];
  stark_assert_zero_base(e, bb_mul(e->is_first_row, bb_sub(l[0], a0)));
  stark_assert_zero_base(e, bb_mul(e->is_first_row, bb_sub(l[1], b0)));
  stark_assert_zero_base(e, bb_mul(e->is_transition, bb_sub(n[0], l[1])));
  stark_assert_zero_base(e, bb_mul(e->is_transition, bb_sub(n[1], bb_add(l[0], l[1]))));
  stark_assert_zero_base(e, bb_mul(e->is_last_row, bb_sub(l[1], res)));
}

const stark_air stark_air_fib = {
    .name = "fibonacci",
    .width = STARK_FIB_WIDTH,
    .num_public = STARK_FIB_PUBLIC,
    .num_constraints = 5,
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

static void add256_eval_ext(const stark_air *air, stark_eval_ext *e) {
  (void)air;
  const ext_t *r = e->local;
  ext_t two16 = ext_from_base(bb_from_u32(1u << 16)), one = ext_one();
  for (int i = 0; i < ADD_L; i++) {
    ext_t c = r[COL_CARRY + i];
    stark_assert_zero_ext(e, ext_mul(c, ext_sub(c, one)));
  }
  for (int i = 0; i < ADD_L; i++) {
    ext_t cin = i ? r[COL_CARRY + i - 1] : ext_zero();
    ext_t lhs = ext_add(ext_add(r[COL_A + i], r[COL_B + i]), cin);
    ext_t rhs = ext_add(r[COL_C + i], ext_mul(two16, r[COL_CARRY + i]));
    stark_assert_zero_ext(e, ext_sub(lhs, rhs));
  }
}

static void add256_eval_base(const stark_air *air, stark_eval_base *e) {
  (void)air;
  const bb_t *r = e->local;
  bb_t two16 = bb_from_u32(1u << 16), one = BB_ONE;
  for (int i = 0; i < ADD_L; i++) {
    bb_t c = r[COL_CARRY + i];
    stark_assert_zero_base(e, bb_mul(c, bb_sub(c, one)));
  }
  for (int i = 0; i < ADD_L; i++) {
    bb_t cin = i ? r[COL_CARRY + i - 1] : 0;
    bb_t lhs = bb_add(bb_add(r[COL_A + i], r[COL_B + i]), cin);
    bb_t rhs = bb_add(r[COL_C + i], bb_mul(two16, r[COL_CARRY + i]));
    stark_assert_zero_base(e, bb_sub(lhs, rhs));
  }
}

const stark_air stark_air_add256 = {
    .name = "add256",
    .width = STARK_ADD256_WIDTH,
    .num_public = 0,
    .num_constraints = 2 * ADD_L,
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
