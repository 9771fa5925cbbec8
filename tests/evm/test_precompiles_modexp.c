/* MODEXP precompile: EIP-198's examples, the EIP-2565 and EIP-7883 pricing
 * tables (the nagydani vectors: base and modulus of 64 to 1024 bytes with
 * exponents 2, 3 and 0x10001), EIP-7823's 1024-byte bound in Osaka, the
 * 256-bit length edge cases, and every result for small operands against
 * naive repeated multiplication. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "evm/precompiles/precompile.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

static void put_len(uint8_t *w, uint64_t v) {
  memset(w, 0, 32);
  for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
}

/* Header plus operands; operands given as byte arrays of their own length. */
static size_t build(uint8_t *buf, const uint8_t *b, size_t bl, const uint8_t *e, size_t el,
                    const uint8_t *m, size_t ml) {
  put_len(buf, bl);
  put_len(buf + 32, el);
  put_len(buf + 64, ml);
  if (bl) memcpy(buf + 96, b, bl);
  if (el) memcpy(buf + 96 + bl, e, el);
  if (ml) memcpy(buf + 96 + bl + el, m, ml);
  return 96 + bl + el + ml;
}

/* EIP-198 example 1: 3^(p-1) mod p = 1 for the secp256k1 field prime p
 * (Fermat); example 2: 0^(p-1) mod p = 0 with a zero-length base. */
static void test_eip198_examples(void **s) {
  (void)s;
  static const char p_hex[] = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
  static const char pm1_hex[] = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e";
  uint8_t p[32], pm1[32], three = 3, buf[256], want[32] = {0};
  hex_to_bytes(p_hex, p, 32);
  hex_to_bytes(pm1_hex, pm1, 32);
  size_t len = build(buf, &three, 1, pm1, 32, p, 32);
  uint8_t *out;
  size_t n;
  evm_pc_work w = {0};
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len, &out, &n, &w), EVM_PC_OK);
  want[31] = 1;
  assert_int_equal(n, 32);
  assert_memory_equal(out, want, 32);
  free(out);
  /* 256-bit modulus: 4 limbs, 2*4*4 limb products per modular product; a
   * 256-bit exponent costs 256 squarings plus one product per set bit, so
   * between 256 and 512 modular products. */
  assert_true(w.limb_muls >= 256u * 32 && w.limb_muls <= 512u * 32);
  assert_int_equal(w.input_bytes, len);

  len = build(buf, NULL, 0, pm1, 32, p, 32);
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len, &out, &n, NULL), EVM_PC_OK);
  want[31] = 0;
  assert_int_equal(n, 32);
  assert_memory_equal(out, want, 32);
  free(out);
  /* Example 1 prices under EIP-2565: 32-byte operands give 16 * 255 / 3. */
  len = build(buf, &three, 1, pm1, 32, p, 32);
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len), 16 * 255 / 3);
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, len), 16 * 255);
}

/* nagydani_k: base and modulus of 2^(5+k) bytes; exponent 2 (square),
 * 3 (qube) or 0x010001. Prices from the EIP-2565 and EIP-7883 tables. */
static void test_pricing_tables(void **s) {
  (void)s;
  static const struct {
    int k;
    const char *exp;
    uint64_t eip2565, eip7883;
  } cases[] = {
      {1, "02", 200, 500},     {1, "03", 200, 500},         {1, "010001", 341, 2048},
      {2, "02", 200, 512},     {2, "03", 200, 512},         {2, "010001", 1365, 8192},
      {3, "02", 341, 2048},    {3, "03", 341, 2048},        {3, "010001", 5461, 32768},
      {4, "02", 1365, 8192},   {4, "03", 1365, 8192},       {4, "010001", 21845, 131072},
      {5, "02", 5461, 32768},  {5, "03", 5461, 32768},      {5, "010001", 87381, 524288},
  };
  static uint8_t buf[96 + 1024 + 3 + 1024], ops[1024];
  for (size_t i = 0; i < sizeof ops; i++) ops[i] = (uint8_t)(0x80 | i);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    size_t ol = (size_t)1 << (5 + cases[c].k), el = strlen(cases[c].exp) / 2;
    uint8_t e[3];
    hex_to_bytes(cases[c].exp, e, el);
    size_t len = build(buf, ops, ol, e, el, ops, ol);
    assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len), cases[c].eip2565);
    assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_PRAGUE, buf, len), cases[c].eip2565);
    assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, len), cases[c].eip7883);
    /* The operands themselves do not change the price. */
    buf[96] ^= 0xff;
    assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, len), cases[c].eip7883);
    uint8_t *out;
    size_t n;
    assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, len, &out, &n, NULL), EVM_PC_OK);
    assert_int_equal(n, ol);
    free(out);
  }
}

/* Long exponents: the multiplier is 8 before Osaka and 16 after, applied to
 * exp_len - 32, plus msb of the exponent's first 32 bytes. */
static void test_long_exponent_pricing(void **s) {
  (void)s;
  static uint8_t buf[96 + 1 + 100 + 1];
  uint8_t b = 5, m = 7, e[100] = {0};
  e[0] = 0x01; /* head msb = 255 - 7 = 248 */
  size_t len = build(buf, &b, 1, e, 100, &m, 1);
  /* Cancun: complexity ceil(1/8)^2 = 1; iterations 8*68 + 248 = 792; /3 = 264. */
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len), 264);
  /* Osaka: complexity 16; iterations 16*68 + 248 = 1336; 16 * 1336. */
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, len), 16 * 1336);
  /* The head lies past the input: read as zeros (only the length counts). */
  len = 96 + 1;
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len), 200);
  /* 5^(2^792) mod 7, by a long exponent mostly made of padding: 2^792 mod 6 = 4
   * (powers of 2 mod 6 alternate 2, 4 from 2^1), so 5^4 mod 7 = 625 mod 7 = 2. */
  len = build(buf, &b, 1, e, 100, &m, 1);
  uint8_t *out;
  size_t n;
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len, &out, &n, NULL), EVM_PC_OK);
  assert_int_equal(n, 1);
  assert_int_equal(out[0], 2);
  free(out);
}

static void test_length_edges(void **s) {
  (void)s;
  uint8_t buf[96 + 2048] = {0};
  uint8_t *out = (uint8_t *)1;
  size_t n = 5;
  /* Empty input: all lengths zero, empty output, the minimum price. */
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_CANCUN, NULL, 0), 200);
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_OSAKA, NULL, 0), 500);
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, NULL, 0, &out, &n, NULL), EVM_PC_OK);
  assert_null(out);
  assert_int_equal(n, 0);
  /* base_len = mod_len = 0 with a 2^255 exponent length: complexity 0 before
   * Osaka, so the minimum price, and an empty result. */
  buf[32] = 0x80;
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, 96), 200);
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, 96, &out, &n, NULL), EVM_PC_OK);
  assert_int_equal(n, 0);
  /* ...but Osaka prices the minimum complexity 16 times the huge count. */
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, 96), UINT64_MAX);
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, 96, &out, &n, NULL), EVM_PC_FAIL);
  /* A 2^255-byte base cannot be paid for. */
  memset(buf, 0, 96);
  buf[0] = 0x80;
  buf[95] = 1;
  assert_int_equal(evm_pc_gas(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, 96), UINT64_MAX);
  /* EIP-7823: 1024 bytes is allowed in Osaka, 1025 fails; earlier forks compute. */
  for (int which = 0; which < 3; which++) {
    memset(buf, 0, sizeof buf);
    put_len(buf, 1);
    put_len(buf + 32, 1);
    put_len(buf + 64, 1);
    put_len(buf + 32 * which, 1024);
    buf[sizeof buf - 1] = 3; /* some non-zero modulus byte */
    buf[96] = 2;
    assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, sizeof buf, &out, &n, NULL), EVM_PC_OK);
    free(out);
    put_len(buf + 32 * which, 1025);
    assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, sizeof buf, &out, &n, NULL), EVM_PC_FAIL);
    assert_null(out);
    assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_PRAGUE, buf, sizeof buf, &out, &n, NULL), EVM_PC_OK);
    free(out);
  }
  /* A zero modulus of non-zero length gives that many zero bytes. */
  memset(buf, 0, sizeof buf);
  put_len(buf, 1);
  put_len(buf + 32, 1);
  put_len(buf + 64, 4);
  buf[96] = 9;
  buf[97] = 9;
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, 102, &out, &n, NULL), EVM_PC_OK);
  assert_int_equal(n, 4);
  static const uint8_t zero4[4] = {0};
  assert_memory_equal(out, zero4, 4);
  free(out);
  /* Operands beyond the maximum computed length are not run. */
  memset(buf, 0, 96);
  put_len(buf, 1);
  put_len(buf + 32, (uint64_t)1 << 40);
  put_len(buf + 64, 1);
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, 96, &out, &n, NULL), EVM_PC_UNSUPPORTED);
  assert_null(out);
}

/* Every base, exponent and modulus below 24 (one byte each), and two-byte
 * operands with leading zeros, against repeated multiplication. */
static void test_small_exhaustive(void **s) {
  (void)s;
  uint8_t buf[96 + 6];
  for (unsigned m = 0; m < 24; m++)
    for (unsigned b = 0; b < 24; b++)
      for (unsigned e = 0; e < 24; e++) {
        unsigned want = 0;
        if (m) {
          want = 1 % m;
          for (unsigned i = 0; i < e; i++) want = want * b % m;
        }
        uint8_t bb = (uint8_t)b, eb = (uint8_t)e, mb = (uint8_t)m;
        size_t len = build(buf, &bb, 1, &eb, 1, &mb, 1);
        uint8_t *out;
        size_t n;
        assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len, &out, &n, NULL), EVM_PC_OK);
        assert_int_equal(n, 1);
        assert_int_equal(out[0], want);
        free(out);
        /* Two-byte operands with a leading zero give a two-byte result. */
        uint8_t b2[2] = {0, bb}, e2[2] = {0, eb}, m2[2] = {0, mb};
        len = build(buf, b2, 2, e2, 2, m2, 2);
        assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_OSAKA, buf, len, &out, &n, NULL), EVM_PC_OK);
        assert_int_equal(n, 2);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[1], want);
        free(out);
      }
  /* Work: 3^0x10001 mod a one-limb modulus is 17 squarings and 2 products,
   * each costed 2 * 1 * 1 limb products. */
  {
    uint8_t e3[3] = {1, 0, 1}, b1 = 3, m1 = 251;
    size_t l3 = build(buf, &b1, 1, e3, 3, &m1, 1);
    evm_pc_work w = {0};
    uint8_t *o;
    size_t on;
    assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, l3, &o, &on, &w), EVM_PC_OK);
    free(o);
    assert_int_equal(w.limb_muls, (17 + 2) * 2);
    assert_int_equal(w.input_bytes, l3);
  }
  /* Truncated input: the modulus byte is missing and reads as zero. */
  uint8_t bb = 3, eb = 2, mb = 5;
  size_t len = build(buf, &bb, 1, &eb, 1, &mb, 1);
  uint8_t *out;
  size_t n;
  assert_int_equal(evm_pc_run(EVM_PC_MODEXP, BLK_FORK_CANCUN, buf, len - 1, &out, &n, NULL), EVM_PC_OK);
  assert_int_equal(n, 1);
  assert_int_equal(out[0], 0);
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_eip198_examples),      cmocka_unit_test(test_pricing_tables),
      cmocka_unit_test(test_long_exponent_pricing), cmocka_unit_test(test_length_edges),
      cmocka_unit_test(test_small_exhaustive),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
