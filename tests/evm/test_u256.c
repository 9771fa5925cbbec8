/* u256 against GMP: every operation on random and edge-case operands is
 * compared with the same operation done in arbitrary precision and reduced
 * mod 2^256 (signed operations through two's complement by hand). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>

#include "evm/u256.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Random operand with a random shape: small, sparse, full, near 2^255. */
static u256 rnd_u256(void) {
  u256 r;
  for (int i = 0; i < 4; i++) r.w[i] = rnd();
  switch (rnd() % 8) {
  case 0: r.w[1] = r.w[2] = r.w[3] = 0; break;
  case 1: r.w[2] = r.w[3] = 0; break;
  case 2: r.w[3] = 0; break;
  case 3: r.w[3] |= UINT64_C(1) << 63; break;
  case 4: r.w[0] = 0; r.w[3] = ~(uint64_t)0; break;
  case 5: r.w[0] &= 0xff; r.w[1] = r.w[2] = r.w[3] = 0; break;
  default: break;
  }
  return r;
}

static void to_mpz(mpz_t z, const u256 *a) {
  mpz_import(z, 4, -1, sizeof(uint64_t), 0, 0, a->w);
}

/* z mod 2^256 into a u256. */
static u256 from_mpz(const mpz_t z) {
  mpz_t t, m;
  mpz_inits(t, m, NULL);
  mpz_set_ui(m, 1);
  mpz_mul_2exp(m, m, 256);
  mpz_mod(t, z, m); /* non-negative */
  u256 r = u256_zero();
  size_t cnt = 0;
  mpz_export(r.w, &cnt, -1, sizeof(uint64_t), 0, 0, t);
  mpz_clears(t, m, NULL);
  return r;
}

/* Signed value of a as mpz. */
static void to_mpz_signed(mpz_t z, const u256 *a) {
  to_mpz(z, a);
  if (u256_is_neg(a)) {
    mpz_t m;
    mpz_init_set_ui(m, 1);
    mpz_mul_2exp(m, m, 256);
    mpz_sub(z, z, m);
    mpz_clear(m);
  }
}

static void assert_u256_eq(const u256 *a, const u256 *b) {
  for (int i = 0; i < 4; i++) assert_int_equal(a->w[i], b->w[i]);
}

static void test_add_sub_mul(void **s) {
  (void)s;
  mpz_t x, y, z;
  mpz_inits(x, y, z, NULL);
  for (int it = 0; it < 20000; it++) {
    u256 a = rnd_u256(), b = rnd_u256(), r, e;
    to_mpz(x, &a);
    to_mpz(y, &b);
    u256_add(&r, &a, &b);
    mpz_add(z, x, y);
    e = from_mpz(z);
    assert_u256_eq(&r, &e);
    u256_sub(&r, &a, &b);
    mpz_sub(z, x, y);
    e = from_mpz(z);
    assert_u256_eq(&r, &e);
    u256_mul(&r, &a, &b);
    mpz_mul(z, x, y);
    e = from_mpz(z);
    assert_u256_eq(&r, &e);
    assert_int_equal(u256_lt(&a, &b), mpz_cmp(x, y) < 0);
  }
  mpz_clears(x, y, z, NULL);
}

/* Limb patterns that drive the quotient-digit estimate to its corrections:
 * all-ones, top-bit-only and alternating limbs. */
static uint64_t edge_limb(void) {
  static const uint64_t v[] = {0, 1, ~(uint64_t)0, UINT64_C(1) << 63, (UINT64_C(1) << 63) - 1,
                               UINT64_C(0xaaaaaaaaaaaaaaaa), UINT64_C(0x5555555555555555), 2};
  return v[rnd() % 8];
}

static void test_div_mod(void **s) {
  (void)s;
  mpz_t x, y, q, r;
  mpz_inits(x, y, q, r, NULL);
  for (int it = 0; it < 40000; it++) {
    u256 a = rnd_u256(), b = rnd_u256(), qq, rr;
    if (it % 7 == 0) b = u256_from_u64(rnd() % 5); /* zero and tiny divisors */
    if (it % 3 == 1)
      for (int i = 0; i < 4; i++) {
        a.w[i] = edge_limb();
        b.w[i] = edge_limb();
      }
    u256_divmod(&qq, &rr, &a, &b);
    if (u256_is_zero(&b)) {
      assert_true(u256_is_zero(&qq) && u256_is_zero(&rr));
      continue;
    }
    to_mpz(x, &a);
    to_mpz(y, &b);
    mpz_fdiv_qr(q, r, x, y);
    u256 eq = from_mpz(q), er = from_mpz(r);
    assert_u256_eq(&qq, &eq);
    assert_u256_eq(&rr, &er);
  }
  mpz_clears(x, y, q, r, NULL);
}

static void test_signed(void **s) {
  (void)s;
  mpz_t x, y, q, r;
  mpz_inits(x, y, q, r, NULL);
  for (int it = 0; it < 20000; it++) {
    u256 a = rnd_u256(), b = rnd_u256(), res;
    if (it % 11 == 0) u256_neg(&b, &b);
    if (it % 13 == 0) b = u256_zero();
    if (it % 17 == 0) {
      a = u256_zero();
      a.w[3] = UINT64_C(1) << 63; /* -2^255 */
      b.w[0] = b.w[1] = b.w[2] = b.w[3] = ~(uint64_t)0; /* -1 */
    }
    to_mpz_signed(x, &a);
    to_mpz_signed(y, &b);
    u256_sdiv(&res, &a, &b);
    if (mpz_sgn(y) == 0) {
      assert_true(u256_is_zero(&res));
    } else {
      mpz_tdiv_q(q, x, y); /* truncation toward zero */
      u256 e = from_mpz(q);
      assert_u256_eq(&res, &e);
    }
    u256_smod(&res, &a, &b);
    if (mpz_sgn(y) == 0) {
      assert_true(u256_is_zero(&res));
    } else {
      mpz_tdiv_r(r, x, y); /* sign of the dividend */
      u256 e = from_mpz(r);
      assert_u256_eq(&res, &e);
    }
    assert_int_equal(u256_slt(&a, &b), mpz_cmp(x, y) < 0);
  }
  mpz_clears(x, y, q, r, NULL);
}

static void test_addmod_mulmod(void **s) {
  (void)s;
  mpz_t x, y, m, z;
  mpz_inits(x, y, m, z, NULL);
  for (int it = 0; it < 20000; it++) {
    u256 a = rnd_u256(), b = rnd_u256(), n = rnd_u256(), r;
    if (it % 9 == 0) n = u256_zero();
    if (it % 5 == 0) a.w[0] = a.w[1] = a.w[2] = a.w[3] = ~(uint64_t)0;
    if (it % 4 == 1)
      for (int i = 0; i < 4; i++) {
        a.w[i] = edge_limb();
        b.w[i] = edge_limb();
        n.w[i] = edge_limb();
      }
    to_mpz(x, &a);
    to_mpz(y, &b);
    to_mpz(m, &n);
    u256_addmod(&r, &a, &b, &n);
    if (u256_is_zero(&n)) {
      assert_true(u256_is_zero(&r));
    } else {
      mpz_add(z, x, y);
      mpz_mod(z, z, m);
      u256 e = from_mpz(z);
      assert_u256_eq(&r, &e);
    }
    u256_mulmod(&r, &a, &b, &n);
    if (!u256_is_zero(&n)) {
      mpz_mul(z, x, y);
      mpz_mod(z, z, m);
      u256 e = from_mpz(z);
      assert_u256_eq(&r, &e);
    }
  }
  mpz_clears(x, y, m, z, NULL);
}

static void test_exp(void **s) {
  (void)s;
  mpz_t x, y, m, z;
  mpz_inits(x, y, m, z, NULL);
  mpz_set_ui(m, 1);
  mpz_mul_2exp(m, m, 256);
  for (int it = 0; it < 3000; it++) {
    u256 a = rnd_u256(), b = rnd_u256(), r;
    if (it % 3 == 0) b = u256_from_u64(rnd() % 300);
    to_mpz(x, &a);
    to_mpz(y, &b);
    mpz_powm(z, x, y, m);
    u256_exp(&r, &a, &b);
    u256 e = from_mpz(z);
    assert_u256_eq(&r, &e);
  }
  /* 0^0 = 1 */
  u256 z0 = u256_zero(), r;
  u256_exp(&r, &z0, &z0);
  assert_int_equal(r.w[0], 1);
  mpz_clears(x, y, m, z, NULL);
}

static void test_shifts(void **s) {
  (void)s;
  mpz_t x, z;
  mpz_inits(x, z, NULL);
  for (int it = 0; it < 20000; it++) {
    u256 a = rnd_u256(), r;
    unsigned n = (unsigned)(rnd() % 300);
    to_mpz(x, &a);
    u256_shl(&r, &a, n);
    mpz_mul_2exp(z, x, n);
    u256 e = from_mpz(z);
    assert_u256_eq(&r, &e);
    u256_shr(&r, &a, n);
    mpz_fdiv_q_2exp(z, x, n);
    e = from_mpz(z);
    assert_u256_eq(&r, &e);
    u256_sar(&r, &a, n);
    to_mpz_signed(x, &a);
    mpz_fdiv_q_2exp(z, x, n); /* floor: arithmetic shift */
    e = from_mpz(z);
    assert_u256_eq(&r, &e);
    to_mpz(x, &a);
    assert_int_equal(u256_bits(&a), u256_is_zero(&a) ? 0 : (unsigned)mpz_sizeinbase(x, 2));
  }
  mpz_clears(x, z, NULL);
}

static void test_signextend_byte(void **s) {
  (void)s;
  for (int it = 0; it < 5000; it++) {
    u256 x = rnd_u256(), r;
    uint8_t be[32];
    u256_to_be(&x, be);
    for (unsigned k = 0; k < 34; k++) {
      u256 kk = u256_from_u64(k);
      u256_byte(&r, &kk, &x);
      assert_int_equal(r.w[0], k < 32 ? be[k] : 0);
      assert_true(u256_fits64(&r));
      u256_signextend(&r, &kk, &x);
      uint8_t rb[32];
      u256_to_be(&r, rb);
      if (k >= 31) {
        assert_memory_equal(rb, be, 32);
      } else {
        /* byte k from the right; everything left of it is the sign. */
        unsigned pos = 31 - k;
        uint8_t fill = (be[pos] & 0x80) ? 0xff : 0x00;
        for (unsigned i = 0; i < pos; i++) assert_int_equal(rb[i], fill);
        assert_memory_equal(rb + pos, be + pos, 32 - pos);
      }
    }
  }
  /* Huge index operands. */
  u256 x = u256_from_u64(0xff), big, r;
  big.w[0] = 0; big.w[1] = 1; big.w[2] = 0; big.w[3] = 0;
  u256_signextend(&r, &big, &x);
  assert_int_equal(r.w[0], 0xff);
  assert_int_equal(r.w[3], 0);
  u256_byte(&r, &big, &x);
  assert_true(u256_is_zero(&r));
}

static void test_bytes_parse(void **s) {
  (void)s;
  u256 a;
  assert_int_equal(u256_parse(&a, "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"), 0);
  uint8_t be[32];
  u256_to_be(&a, be);
  for (int i = 0; i < 32; i++) assert_int_equal(be[i], i + 1);
  char buf[80];
  assert_int_equal(u256_parse(&a, "115792089237316195423570985008687907853269984665640564039457584007913129639935"), 0);
  for (int i = 0; i < 4; i++) assert_int_equal(a.w[i], ~(uint64_t)0);
  u256_to_dec(&a, buf);
  assert_string_equal(buf, "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  assert_int_equal(u256_parse(&a, "115792089237316195423570985008687907853269984665640564039457584007913129639936"), -1);
  assert_int_equal(u256_parse(&a, "0x1" "0000000000000000000000000000000000000000000000000000000000000000"), -1);
  assert_int_equal(u256_clz(&a), 0);
  a = u256_from_u64(1);
  assert_int_equal(u256_clz(&a), 255);
  a = u256_zero();
  assert_int_equal(u256_clz(&a), 256);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_sub_mul),   cmocka_unit_test(test_div_mod),
      cmocka_unit_test(test_signed),        cmocka_unit_test(test_addmod_mulmod),
      cmocka_unit_test(test_exp),           cmocka_unit_test(test_shifts),
      cmocka_unit_test(test_signextend_byte), cmocka_unit_test(test_bytes_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
