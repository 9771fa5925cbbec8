/* RIPEMD-160 reference (hash/ripemd160.h): the digests of the RIPEMD-160
 * paper's test vectors, the padding (block count and the padded blocks, by
 * a second, independent padding here), the compression's chaining (a message
 * of whole blocks hashed by compressing its padded blocks one by one), and
 * the schedule tables' shape (each round of r is a permutation of 0..15, the
 * rotations lie in 5..15). The agreement with the EVM's precompile (OpenSSL)
 * at every length 0..200 is in tests/trace/test_ripemd160_air.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash/ripemd160.h"

static void hex_to(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v = 0;
    for (int j = 0; j < 2; j++) {
      char c = hex[2 * i + (size_t)j];
      v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    out[i] = (uint8_t)v;
  }
}

/* The test vectors of the RIPEMD-160 paper (Dobbertin, Bosselaers, Preneel,
 * appendix). */
static const struct {
  const char *msg;
  size_t repeat;
  const char *digest;
} kat[] = {
    {"", 1, "9c1185a5c5e9fc54612808977ee8f548b2258d31"},
    {"a", 1, "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"},
    {"abc", 1, "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
    {"message digest", 1, "5d0689ef49d2fae572b881b123a85ffa21595f36"},
    {"abcdefghijklmnopqrstuvwxyz", 1, "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
     "12a053384a9c0c88e405a06c27dcf49ada62eb2b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 1,
     "b0e20b6e3116640286ed3a87a5713079b21f5189"},
    {"1234567890", 8, "9b752e45573d4b39f4dbd3323cab82bf63326bfb"},
    {"a", 1000000, "52783243c1697bdbe16d37f97f68f08325dc1528"},
};

static void test_kat(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof kat / sizeof *kat; i++) {
    size_t ml = strlen(kat[i].msg), len = ml * kat[i].repeat;
    uint8_t *msg = malloc(len ? len : 1), got[20], want[20];
    assert_non_null(msg);
    for (size_t r = 0; r < kat[i].repeat; r++) memcpy(msg + r * ml, kat[i].msg, ml);
    ripemd160(len ? msg : NULL, len, got);
    hex_to(kat[i].digest, want, 20);
    assert_memory_equal(got, want, 20);
    /* out may alias the input */
    if (len >= 20) {
      ripemd160(msg, len, msg);
      assert_memory_equal(msg, want, 20);
    }
    free(msg);
  }
}

/* The padded message built here byte by byte: data, 0x80, zeros to 56 mod
 * 64, the bit length as 8 little-endian bytes. */
static uint8_t *pad(const uint8_t *msg, size_t len, size_t *nblocks) {
  size_t total = len + 1;
  while (total % 64 != 56) total++;
  total += 8;
  uint8_t *p = calloc(total, 1);
  assert_non_null(p);
  if (len) memcpy(p, msg, len);
  p[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) p[total - 8 + (size_t)i] = (uint8_t)(bits >> (8 * i));
  *nblocks = total / 64;
  return p;
}

static void test_padding_and_chaining(void **state) {
  (void)state;
  uint8_t msg[200];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 37 + 11);
  for (size_t len = 0; len <= sizeof msg; len++) {
    size_t nb;
    uint8_t *p = pad(msg, len, &nb);
    assert_int_equal(ripemd160_compressions(len), nb);
    uint32_t st[5];
    memcpy(st, ripemd160_iv, sizeof st);
    for (size_t k = 0; k < nb; k++) {
      uint8_t blk[64];
      memset(blk, 0xa5, sizeof blk);
      ripemd160_padded_block(msg, len, k, blk);
      assert_memory_equal(blk, p + 64 * k, 64);
      ripemd160_compress(st, blk);
    }
    uint8_t got[20], want[20];
    for (int i = 0; i < 5; i++)
      for (int b = 0; b < 4; b++) want[4 * i + b] = (uint8_t)(st[i] >> (8 * b));
    ripemd160(msg, len, got);
    assert_memory_equal(got, want, 20);
    free(p);
  }
}

static void test_schedule_tables(void **state) {
  (void)state;
  for (int L = 0; L < 2; L++)
    for (int q = 0; q < 5; q++) {
      unsigned seen = 0;
      for (int j = 16 * q; j < 16 * q + 16; j++) {
        assert_true(ripemd160_r[L][j] < 16);
        seen |= 1u << ripemd160_r[L][j];
        assert_true(ripemd160_s[L][j] >= 5 && ripemd160_s[L][j] <= 15);
      }
      assert_int_equal(seen, 0xffffu);
      assert_int_equal(ripemd160_f_index((unsigned)L, (unsigned)q), L ? 4 - q : q);
    }
  /* the five functions on single bits, from their definitions */
  for (unsigned v = 0; v < 8; v++) {
    uint32_t x = v & 1 ? ~0u : 0, y = v & 2 ? ~0u : 0, z = v & 4 ? ~0u : 0;
    uint32_t want[5] = {x ^ y ^ z, (x & y) | (~x & z), (x | ~y) ^ z, (x & z) | (y & ~z),
                        x ^ (y | ~z)};
    for (unsigned q = 0; q < 5; q++) {
      assert_int_equal(ripemd160_f(0, q, x, y, z), want[q]);
      assert_int_equal(ripemd160_f(1, q, x, y, z), want[4 - q]);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kat),
      cmocka_unit_test(test_padding_and_chaining),
      cmocka_unit_test(test_schedule_tables),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
