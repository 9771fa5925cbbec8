/* Tests of the BabyBear field (bb) and its degree-4 extension (ext).
 *
 * Every operation is checked against an independent model: plain canonical
 * arithmetic on uint64_t modulo p (and schoolbook polynomial products modulo
 * x^4 - 11 for ext), on edge values and on a large pseudo-random sample. The
 * constants in the headers are re-derived here from their definitions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "field/bb.h"
#include "field/ext.h"

#define P 2013265921ull /* 0x78000001, written independently of BB_P */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static uint32_t rnd_canon(void) { return (uint32_t)(rng() % P); }

static uint64_t m_mul(uint64_t a, uint64_t b) { return a * b % P; }
static uint64_t m_pow(uint64_t a, uint64_t e) {
  uint64_t r = 1;
  a %= P;
  while (e) {
    if (e & 1) r = m_mul(r, a);
    a = m_mul(a, a);
    e >>= 1;
  }
  return r;
}

static const uint32_t edges[] = {0, 1, 2, 3, 11, 31, (1u << 27), (1u << 27) + 1, (1u << 30),
                                 (uint32_t)P - 1, (uint32_t)P - 2, (uint32_t)P / 2,
                                 (uint32_t)P / 2 + 1, 0x0ffffffe, 0x45dddde3, 0x1a427a41};
#define NEDGE (sizeof edges / sizeof edges[0])

static void test_constants(void **state) {
  (void)state;
  assert_int_equal(BB_P, (uint32_t)P);
  assert_int_equal((uint32_t)(BB_P * BB_MONTY_MU), 1u); /* p * mu = 1 mod 2^32 */
  assert_int_equal(BB_ONE, (uint32_t)((1ull << 32) % P));
  assert_int_equal(BB_MONTY_R2, (uint32_t)m_mul((1ull << 32) % P, (1ull << 32) % P));
  assert_int_equal(bb_from_u32(1), BB_ONE);
  assert_int_equal(bb_from_u32(0), BB_ZERO);
  assert_int_equal(bb_from_u32(EXT_W_U32), EXT_W_MONTY);
  assert_int_equal(P - 1, (1ull << 27) * 15); /* two-adicity 27 */
}

static void test_conversions(void **state) {
  (void)state;
  for (size_t i = 0; i < NEDGE; i++) {
    bb_t a = bb_from_u32(edges[i]);
    assert_true(a < BB_P);
    assert_int_equal(bb_to_u32(a), edges[i] % P);
  }
  for (int i = 0; i < 100000; i++) {
    uint32_t x = (uint32_t)rng(); /* any 32-bit word, reduced mod p */
    bb_t a = bb_from_u32(x);
    assert_true(a < BB_P);
    assert_int_equal(bb_to_u32(a), x % P);
    uint64_t y = rng();
    assert_int_equal(bb_to_u32(bb_from_u64(y)), y % P);
    int64_t z = (int64_t)rng();
    uint64_t want = z < 0 ? (P - ((uint64_t)0 - (uint64_t)z) % P) % P : (uint64_t)z % P;
    assert_int_equal(bb_to_u32(bb_from_i64(z)), want);
  }
  assert_int_equal(bb_to_u32(bb_from_u32(0xffffffffu)), 0xffffffffull % P);
  assert_int_equal(bb_to_u32(bb_from_i64(-1)), P - 1);
  assert_int_equal(bb_to_u32(bb_from_i64(INT64_MIN)), (P - (1ull << 63) % P) % P);
}

static void check_pair(uint32_t x, uint32_t y) {
  bb_t a = bb_from_u32(x), b = bb_from_u32(y);
  assert_int_equal(bb_to_u32(bb_add(a, b)), ((uint64_t)x + y) % P);
  assert_int_equal(bb_to_u32(bb_sub(a, b)), ((uint64_t)x + P - y) % P);
  assert_int_equal(bb_to_u32(bb_mul(a, b)), m_mul(x, y));
  assert_int_equal(bb_to_u32(bb_neg(a)), (P - x) % P);
  assert_int_equal(bb_to_u32(bb_double(a)), (2ull * x) % P);
  assert_int_equal(bb_to_u32(bb_square(a)), m_mul(x, x));
  assert_true(bb_add(a, b) < BB_P && bb_sub(a, b) < BB_P && bb_mul(a, b) < BB_P && bb_neg(a) < BB_P);
  assert_int_equal(bb_eq(a, b), x == y);
  assert_int_equal(bb_is_zero(a), x == 0);
}

static void test_arith_vs_model(void **state) {
  (void)state;
  for (size_t i = 0; i < NEDGE; i++)
    for (size_t j = 0; j < NEDGE; j++) check_pair(edges[i], edges[j]);
  for (int i = 0; i < 1000000; i++) check_pair(rnd_canon(), rnd_canon());
  /* Montgomery words near the top of the range as well as values. */
  for (uint32_t x = (uint32_t)P - 1000; x < (uint32_t)P; x++) check_pair(x, (uint32_t)P - 1 - (x & 7));
}

static void test_pow_inv(void **state) {
  (void)state;
  assert_int_equal(bb_pow(0, 0), BB_ONE);
  assert_int_equal(bb_pow(bb_from_u32(5), 0), BB_ONE);
  assert_int_equal(bb_inv(0), 0);
  assert_int_equal(bb_inv(BB_ONE), BB_ONE);
  assert_int_equal(bb_to_u32(bb_inv(bb_from_u32((uint32_t)P - 1))), P - 1);
  for (int i = 0; i < 20000; i++) {
    uint32_t x = rnd_canon();
    uint64_t e = rng() >> (rng() & 63);
    assert_int_equal(bb_to_u32(bb_pow(bb_from_u32(x), e)), m_pow(x, e));
    if (x == 0) continue;
    bb_t a = bb_from_u32(x), ai = bb_inv(a);
    assert_int_equal(bb_mul(a, ai), BB_ONE);
    assert_int_equal(bb_to_u32(ai), m_pow(x, P - 2));
  }
}

static void test_batch_inv(void **state) {
  (void)state;
  static const size_t sizes[] = {0, 1, 2, 7, 255, 256, 257, 511, 512, 1000, 4099};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    size_t n = sizes[s];
    bb_t *in = malloc((n + 1) * sizeof *in), *out = malloc((n + 1) * sizeof *out),
         *al = malloc((n + 1) * sizeof *al);
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(al);
    for (size_t i = 0; i < n; i++) {
      uint64_t r = rng();
      in[i] = (r & 15) == 0 ? 0 : bb_from_u32((uint32_t)(r >> 32)); /* some zeros */
      al[i] = in[i];
    }
    if (n > 2) in[n - 1] = 0, al[n - 1] = 0;
    bb_batch_inv(out, in, n);
    bb_batch_inv(al, al, n); /* exact aliasing */
    for (size_t i = 0; i < n; i++) {
      assert_int_equal(out[i], bb_inv(in[i]));
      assert_int_equal(al[i], out[i]);
      if (in[i]) assert_int_equal(bb_mul(in[i], out[i]), BB_ONE);
    }
    free(in);
    free(out);
    free(al);
  }
}

static void test_generators(void **state) {
  (void)state;
  bb_t g = bb_generator();
  assert_int_equal(bb_to_u32(g), 31);
  assert_int_equal(bb_pow(g, P - 1), BB_ONE);
  /* p - 1 = 2^27 * 3 * 5: g is a generator iff g^((p-1)/q) != 1 for q = 2, 3, 5. */
  assert_int_not_equal(bb_pow(g, (P - 1) / 2), BB_ONE);
  assert_int_not_equal(bb_pow(g, (P - 1) / 3), BB_ONE);
  assert_int_not_equal(bb_pow(g, (P - 1) / 5), BB_ONE);
  assert_int_equal(m_pow(31, (P - 1) / 2), P - 1);

  assert_int_equal(bb_to_u32(bb_two_adic_generator(27)), 0x1a427a41u);
  assert_int_equal(bb_two_adic_generator(0), BB_ONE);
  bb_t minus1 = bb_neg(BB_ONE);
  for (unsigned k = 1; k <= BB_TWO_ADICITY; k++) {
    bb_t w = bb_two_adic_generator(k);
    assert_int_equal(bb_square(w), bb_two_adic_generator(k - 1));
    assert_int_equal(bb_pow(w, 1ull << k), BB_ONE);
    assert_int_equal(bb_pow(w, 1ull << (k - 1)), minus1); /* order exactly 2^k */
    assert_int_equal(bb_to_u32(w), m_pow(0x1a427a41u, 1ull << (27 - k)));
  }
}

/* ext model: canonical coefficients, schoolbook product reduced by x^4 = 11. */
typedef struct {
  uint64_t c[4];
} mext;
static mext m_ext_mul(mext a, mext b) {
  uint64_t t[7] = {0};
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) t[i + j] = (t[i + j] + m_mul(a.c[i], b.c[j])) % P;
  mext r;
  for (int i = 0; i < 4; i++) r.c[i] = (t[i] + (i + 4 < 7 ? m_mul(11, t[i + 4]) : 0)) % P;
  return r;
}
static ext_t to_ext(mext a) {
  return ext_from_u32((uint32_t)a.c[0], (uint32_t)a.c[1], (uint32_t)a.c[2], (uint32_t)a.c[3]);
}
static mext rnd_mext(void) {
  mext a;
  for (int i = 0; i < 4; i++) a.c[i] = (rng() & 7) == 0 ? 0 : rnd_canon();
  return a;
}
static void assert_ext_is(ext_t x, mext m) {
  for (int i = 0; i < 4; i++) assert_int_equal(bb_to_u32(x.v[i]), m.c[i]);
}

static void test_ext(void **state) {
  (void)state;
  ext_t X = ext_from_u32(0, 1, 0, 0);
  assert_true(ext_eq(ext_pow(X, 4), ext_from_base(bb_from_u32(11))));
  assert_true(ext_is_zero(ext_inv(ext_zero())));
  assert_true(ext_eq(ext_inv(ext_one()), ext_one()));
  assert_true(ext_is_base(ext_from_base(bb_from_u32(7))));
  assert_false(ext_is_base(X));
  for (int it = 0; it < 100000; it++) {
    mext ma = rnd_mext(), mb = rnd_mext(), mc = rnd_mext();
    ext_t a = to_ext(ma), b = to_ext(mb), c = to_ext(mc);
    assert_ext_is(ext_mul(a, b), m_ext_mul(ma, mb));
    mext sum, diff;
    for (int i = 0; i < 4; i++) {
      sum.c[i] = (ma.c[i] + mb.c[i]) % P;
      diff.c[i] = (ma.c[i] + P - mb.c[i]) % P;
    }
    assert_ext_is(ext_add(a, b), sum);
    assert_ext_is(ext_sub(a, b), diff);
    assert_true(ext_is_zero(ext_add(a, ext_neg(a))));
    assert_true(ext_eq(ext_mul(a, b), ext_mul(b, a)));
    assert_true(ext_eq(ext_mul(ext_mul(a, b), c), ext_mul(a, ext_mul(b, c))));
    assert_true(ext_eq(ext_mul(a, ext_add(b, c)), ext_add(ext_mul(a, b), ext_mul(a, c))));
    assert_true(ext_eq(ext_mul_base(a, b.v[0]), ext_mul(a, ext_from_base(b.v[0]))));
    assert_true(ext_eq(ext_add_base(a, b.v[0]), ext_add(a, ext_from_base(b.v[0]))));
    assert_int_equal(ext_eq(a, b), ext_is_zero(ext_sub(a, b)));
    if (!ext_is_zero(a)) {
      assert_true(ext_eq(ext_mul(a, ext_inv(a)), ext_one()));
      assert_true(ext_eq(ext_mul(ext_div(b, a), a), b));
    }
    if (it < 2000) {
      uint64_t e = rng() >> (rng() & 63);
      uint64_t e2 = rng() >> 40;
      assert_true(ext_eq(ext_mul(ext_pow(a, e), ext_pow(a, e2)), ext_pow(a, e + e2)));
      assert_true(ext_eq(ext_square(a), ext_mul(a, a)));
    }
  }
  /* Base-field elements embed as a subfield. */
  for (int it = 0; it < 1000; it++) {
    bb_t x = bb_from_u32(rnd_canon()), y = bb_from_u32(rnd_canon());
    assert_true(ext_eq(ext_mul(ext_from_base(x), ext_from_base(y)), ext_from_base(bb_mul(x, y))));
    if (x) assert_true(ext_eq(ext_inv(ext_from_base(x)), ext_from_base(bb_inv(x))));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_constants),  cmocka_unit_test(test_conversions),
      cmocka_unit_test(test_arith_vs_model), cmocka_unit_test(test_pow_inv),
      cmocka_unit_test(test_batch_inv),  cmocka_unit_test(test_generators),
      cmocka_unit_test(test_ext),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
