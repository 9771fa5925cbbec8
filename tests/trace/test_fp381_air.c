/* BLS12-381 base-field multiplication AIR: the AIR's modulus is the bls12
 * arithmetic's p; rows of random and edge-case products (checked against
 * GMP) satisfy the constraints, through stark_air_check and eval_ext; the
 * base and extension evaluations agree; the row generator refuses a wrong
 * or non-canonical product; a non-canonical r (r + p with q - 1, whose
 * product columns hold) and a changed cell of any column group are refused;
 * the trace proves and verifies, and a tampered one does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>

#include "evm/precompiles/bls12.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/fp381_air.h"

#define W FP381_AIR_WIDTH

#define ATU_SEED 0x2545f4914f6cdd1dull
#include "air_test_util.h"

static void get_p(mpz_t p) {
  uint8_t pb[48];
  fp381_air_modulus(pb);
  mpz_import(p, 48, 1, 1, 0, 0, pb);
}

static void to_be48(uint8_t out[48], const mpz_t x) {
  size_t n = 0;
  uint8_t tmp[48];
  memset(out, 0, 48);
  mpz_export(tmp, &n, 1, 1, 0, 0, x);
  memcpy(out + 48 - n, tmp, n);
}

/* A random value below p (draws 6 words). */
static void rnd_fp(mpz_t x, const mpz_t p) {
  uint8_t b[48];
  for (int i = 0; i < 48; i += 8) {
    uint64_t v = atu_rnd64();
    memcpy(b + i, &v, 8);
  }
  mpz_import(x, 48, 1, 1, 0, 0, b);
  mpz_mod(x, x, p);
}

/* Row of a * b mod p (GMP's product) into row; returns fill's status. */
static int fill(bb_t *row, const mpz_t a, const mpz_t b, const mpz_t p) {
  mpz_t r;
  mpz_init(r);
  mpz_mul(r, a, b);
  mpz_mod(r, r, p);
  uint8_t ab[48], bb[48], rb[48];
  to_be48(ab, a);
  to_be48(bb, b);
  to_be48(rb, r);
  mpz_clear(r);
  return fp381_air_fill_row(row, ab, bb, rb);
}

/* n rows (a power of two): the first `real` random products, the rest
 * padding (zero). */
static bb_t *rnd_trace(size_t n, size_t real) {
  bb_t *t = calloc(n * W, sizeof *t);
  assert_non_null(t);
  mpz_t p, a, b;
  mpz_inits(p, a, b, NULL);
  get_p(p);
  for (size_t i = 0; i < real; i++) {
    rnd_fp(a, p);
    rnd_fp(b, p);
    assert_int_equal(fill(t + i * W, a, b, p), 0);
  }
  mpz_clears(p, a, b, NULL);
  return t;
}

/* A word's value from its 384 bit cells. */
static void word_at(mpz_t x, const bb_t *row, unsigned col) {
  uint8_t le[48] = {0};
  for (unsigned i = 0; i < 384; i++)
    if (row[col + i] == BB_ONE) le[i / 8] |= (uint8_t)(1u << (i % 8));
  mpz_import(x, 48, -1, 1, 0, 0, le);
}

static void test_modulus_is_bls12s(void **state) {
  (void)state;
  uint8_t p[48];
  fp381_air_modulus(p);
  bls12_fp x;
  assert_int_equal(bls12_fp_from_bytes(&x, p), -1); /* p itself is out of range */
  uint8_t pm1[48];
  memcpy(pm1, p, 48);
  pm1[47]--; /* p is odd */
  assert_int_equal(bls12_fp_from_bytes(&x, pm1), 0);
  /* (p - 1)^2 = 1 mod p in bls12's arithmetic and in a row */
  bls12_fp y;
  bls12_fp_mul(&y, &x, &x);
  uint8_t out[48], one[48] = {0};
  bls12_fp_to_bytes(out, &y);
  one[47] = 1;
  assert_memory_equal(out, one, 48);
  bb_t *row = malloc(sizeof *row * W);
  assert_non_null(row);
  assert_int_equal(fp381_air_fill_row(row, pm1, pm1, one), 0);
  free(row);
}

/* Random products and the edge cases (0, 1, p - 1, squares): each row holds
 * a, b, q, r with a b = q p + r, r < p, and every constraint holds. */
static void test_rows_hold_products(void **state) {
  (void)state;
  size_t n = 64;
  bb_t *t = rnd_trace(n, 40);
  mpz_t p, a, b, q, r, lhs, rhs;
  mpz_inits(p, a, b, q, r, lhs, rhs, NULL);
  get_p(p);
  /* edge cases in rows 40..55 */
  const int edge[][2] = {{0, 0}, {0, 1}, {1, 1}, {2, 3}, {-1, -1}, {-1, 1}, {-1, 0}, {-2, -1}};
  size_t i = 40;
  for (size_t e = 0; e < sizeof edge / sizeof edge[0]; e++, i++) {
    if (edge[e][0] >= 0) mpz_set_ui(a, (unsigned)edge[e][0]);
    else mpz_sub_ui(a, p, (unsigned)-edge[e][0]);
    if (edge[e][1] >= 0) mpz_set_ui(b, (unsigned)edge[e][1]);
    else mpz_sub_ui(b, p, (unsigned)-edge[e][1]);
    assert_int_equal(fill(t + i * W, a, b, p), 0);
  }
  for (size_t k = 0; k < i; k++) {
    const bb_t *row = t + k * W;
    word_at(a, row, FP381_AIR_A);
    word_at(b, row, FP381_AIR_B);
    word_at(q, row, FP381_AIR_Q);
    word_at(r, row, FP381_AIR_R);
    mpz_mul(lhs, a, b);
    mpz_mul(rhs, q, p);
    mpz_add(rhs, rhs, r);
    assert_int_equal(mpz_cmp(lhs, rhs), 0);
    assert_true(mpz_cmp(r, p) < 0);
    assert_int_equal(row[FP381_AIR_REAL], BB_ONE);
  }
  assert_int_equal(stark_air_check(fp381_air(), t, n, NULL, NULL, NULL), 0);
  assert_int_equal(atu_check_ext(fp381_air(), t, n), -1);
  mpz_clears(p, a, b, q, r, lhs, rhs, NULL);
  free(t);
}

static void test_base_ext_agree(void **state) {
  (void)state;
  bb_t *t = rnd_trace(8, 8);
  atu_frames f = {t, W, 7};
  atu_base_ext_agree(fp381_air(), 8, atu_changed_frame, &f);
  free(t);
}

/* The generator refuses what is not a * b mod p below p. */
static void test_fill_refuses(void **state) {
  (void)state;
  bb_t *row = malloc(sizeof *row * W);
  assert_non_null(row);
  mpz_t p, a, b, r;
  mpz_inits(p, a, b, r, NULL);
  get_p(p);
  rnd_fp(a, p);
  rnd_fp(b, p);
  mpz_mul(r, a, b);
  mpz_mod(r, r, p);
  uint8_t ab[48], bb[48], rb[48];
  to_be48(ab, a);
  to_be48(bb, b);
  to_be48(rb, r);
  assert_int_equal(fp381_air_fill_row(row, ab, bb, rb), 0);
  rb[47] ^= 1;
  assert_int_equal(fp381_air_fill_row(row, ab, bb, rb), STARK_ERR_ARG);
  mpz_add(r, r, p); /* the same residue, not canonical */
  to_be48(rb, r);
  assert_int_equal(fp381_air_fill_row(row, ab, bb, rb), STARK_ERR_ARG);
  /* operands past 2^383: a b / p does not fit 384 bits */
  uint8_t big[48];
  memset(big, 0xff, 48);
  mpz_import(a, 48, 1, 1, 0, 0, big);
  mpz_mul(r, a, a);
  mpz_mod(r, r, p);
  to_be48(rb, r);
  assert_int_equal(fp381_air_fill_row(row, big, big, rb), STARK_ERR_ARG);
  mpz_clears(p, a, b, r, NULL);
  free(row);
}

/* Bits of v (nbits of them) at col. */
static void put(bb_t *row, unsigned col, const uint8_t le[48]) {
  for (unsigned i = 0; i < 384; i++) row[col + i] = (le[i / 8] >> (i % 8)) & 1 ? BB_ONE : 0;
}

/* r' = r + p, q' = q - 1: a b = q' p + r' still holds, and the product
 * columns are satisfied with their carries recomputed here; no d makes
 * r' + d = p - 1, so the row is refused whatever its d and s bits: the
 * wrapped d (p - 1 - r' mod 2^384) with its natural carries breaks the last
 * limb equation. */
static void test_noncanonical_refused(void **state) {
  (void)state;
  bb_t *t = rnd_trace(2, 2);
  bb_t *row = t; /* row 0 */
  mpz_t p, a, b, q, r, d, m;
  mpz_inits(p, a, b, q, r, d, m, NULL);
  get_p(p);
  word_at(a, row, FP381_AIR_A);
  word_at(b, row, FP381_AIR_B);
  word_at(q, row, FP381_AIR_Q);
  word_at(r, row, FP381_AIR_R);
  assert_true(mpz_sgn(q) > 0);
  mpz_sub_ui(q, q, 1);
  mpz_add(r, r, p);
  uint8_t al[48] = {0}, bl[48] = {0}, ql[48] = {0}, rl[48] = {0}, pl[48] = {0}, dl[48] = {0};
  size_t cnt;
  mpz_export(al, &cnt, -1, 1, 0, 0, a);
  mpz_export(bl, &cnt, -1, 1, 0, 0, b);
  mpz_export(ql, &cnt, -1, 1, 0, 0, q);
  mpz_export(rl, &cnt, -1, 1, 0, 0, r);
  mpz_export(pl, &cnt, -1, 1, 0, 0, p);
  put(row, FP381_AIR_Q, ql);
  put(row, FP381_AIR_R, rl);
  int64_t cin = 0;
  for (unsigned k = 0; k < 95; k++) {
    int64_t acc = cin;
    for (unsigned i = 0; i < 48; i++)
      if (k >= i && k - i < 48) acc += (int64_t)al[i] * bl[k - i] - (int64_t)ql[i] * pl[k - i];
    if (k < 48) acc -= rl[k];
    assert_int_equal(acc % 256, 0);
    cin = acc / 256;
    if (k < FP381_AIR_CARRIES) {
      uint32_t v = (uint32_t)(cin + FP381_AIR_CARRY_OFFSET);
      for (unsigned z = 0; z < FP381_AIR_CARRY_BITS; z++)
        row[FP381_AIR_C + FP381_AIR_CARRY_BITS * k + z] = (v >> z) & 1 ? BB_ONE : 0;
    }
  }
  assert_int_equal(cin, 0);
  mpz_sub_ui(d, p, 1);
  mpz_sub(d, d, r);
  mpz_set_ui(m, 1);
  mpz_mul_2exp(m, m, 384);
  mpz_mod(d, d, m); /* wraps: r' > p - 1 */
  mpz_export(dl, &cnt, -1, 1, 0, 0, d);
  put(row, FP381_AIR_D, dl);
  unsigned s = 0;
  for (unsigned k = 0; k < 47; k++) {
    unsigned pm1 = k == 0 ? pl[0] - 1u : pl[k];
    s = (rl[k] + dl[k] + s - pm1) >> 8;
    row[FP381_AIR_S + k] = s ? BB_ONE : 0;
  }
  size_t bad_row = 99;
  int bad = -1;
  assert_int_equal(stark_air_check(fp381_air(), t, 2, NULL, &bad_row, &bad), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 0);
  assert_int_equal(bad, FP381_AIR_CONSTRAINTS - 1); /* the top limb of r + d */
  mpz_clears(p, a, b, q, r, d, m, NULL);
  free(t);
}

static const atu_group groups[] = {
    {"a", FP381_AIR_A, 384, 1},         {"b", FP381_AIR_B, 384, 1},
    {"q", FP381_AIR_Q, 384, 1},         {"r", FP381_AIR_R, 384, 1},
    {"d", FP381_AIR_D, 384, 1},         {"carries", FP381_AIR_C, FP381_AIR_CARRIES * FP381_AIR_CARRY_BITS, 1},
    {"s", FP381_AIR_S, 47, 1},          {"real", FP381_AIR_REAL, 1, 0}, /* a flip to 0 makes padding */
};
#define NGROUPS (sizeof groups / sizeof groups[0])

/* A flipped bit in any column group of any row breaks a constraint. */
static void test_tamper_any_cell(void **state) {
  (void)state;
  bb_t *t = rnd_trace(8, 8);
  for (size_t gi = 0; gi < NGROUPS; gi++) {
    for (int trial = 0; trial < 16; trial++) {
      const atu_group *g = &groups[gi];
      size_t r = atu_rnd_below(8);
      bb_t *cell = t + r * W + g->off + atu_rnd_below(g->len), old = *cell;
      *cell = atu_tampered(g, old, trial & 1 ? 0 : 2);
      if (stark_air_check(fp381_air(), t, 8, NULL, NULL, NULL) != STARK_ERR_CONSTRAINT)
        fail_msg("changed %s cell (row %zu) passes", g->name, r);
      *cell = old;
    }
  }
  free(t);
}

static void test_prove_verify(void **state) {
  (void)state;
  bb_t *t = rnd_trace(8, 5);
  atu_prove_verify_honest(fp381_air(), t, 3);
  free(t);
}

static void test_prove_tampered(void **state) {
  (void)state;
  bb_t *t = rnd_trace(4, 4);
  atu_prove_tampered(fp381_air(), t, 2, groups, NGROUPS);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_modulus_is_bls12s),
      cmocka_unit_test(test_rows_hold_products),
      cmocka_unit_test(test_base_ext_agree),
      cmocka_unit_test(test_fill_refuses),
      cmocka_unit_test(test_noncanonical_refused),
      cmocka_unit_test(test_tamper_any_cell),
      cmocka_unit_test(test_prove_verify),
      cmocka_unit_test(test_prove_tampered),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
