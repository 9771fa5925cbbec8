/* Keccak-f[1600], Keccak-256 and SHA3-256: published known answers (Keccak
 * team's intermediate values and ShortMsgKAT_256, FIPS 202 examples,
 * Ethereum's well-known digests) and a differential check of the sponge
 * against OpenSSL's SHA3-256 for every length across three rate blocks and
 * every split of the input for the incremental API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "hash/keccak.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

static void check_keccak(const void *msg, size_t len, const char *hex) {
  uint8_t want[32], got[32];
  hex_to_bytes(hex, want, 32);
  keccak256(msg, len, got);
  assert_memory_equal(got, want, 32);
}

/* XKCP TestVectors/KeccakF-1600-IntermediateValues.txt: the zero state after
 * one and two applications of the permutation. */
static void test_f1600_zero_state(void **s) {
  (void)s;
  static const uint64_t first[25] = {
      0xF1258F7940E1DDE7ULL, 0x84D5CCF933C0478AULL, 0xD598261EA65AA9EEULL, 0xBD1547306F80494DULL,
      0x8B284E056253D057ULL, 0xFF97A42D7F8E6FD4ULL, 0x90FEE5A0A44647C4ULL, 0x8C5BDA0CD6192E76ULL,
      0xAD30A6F71B19059CULL, 0x30935AB7D08FFC64ULL, 0xEB5AA93F2317D635ULL, 0xA9A6E6260D712103ULL,
      0x81A57C16DBCF555FULL, 0x43B831CD0347C826ULL, 0x01F22F1A11A5569FULL, 0x05E5635A21D9AE61ULL,
      0x64BEFEF28CC970F2ULL, 0x613670957BC46611ULL, 0xB87C5A554FD00ECBULL, 0x8C3EE88A1CCF32C8ULL,
      0x940C7922AE3A2614ULL, 0x1841F924A2C509E4ULL, 0x16F53526E70465C2ULL, 0x75F644E97F30A13BULL,
      0xEAF1FF7B5CECA249ULL,
  };
  uint64_t st[25] = {0};
  keccak_f1600(st);
  for (int i = 0; i < 25; i++) assert_true(st[i] == first[i]);
  keccak_f1600(st);
  assert_true(st[0] == 0x2D5C954DF96ECB3CULL);
  assert_true(st[1] == 0x6A332CD07057B56DULL);
}

static void test_keccak256_known(void **s) {
  (void)s;
  check_keccak("", 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  check_keccak(NULL, 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  check_keccak("abc", 3, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  check_keccak("The quick brown fox jumps over the lazy dog", 43,
               "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
  /* Keccak submission ShortMsgKAT_256.txt, Len = 16 and Len = 2000 (250
   * bytes: one full 136-byte block, then a partial one). */
  const uint8_t m16[2] = {0x41, 0xFB};
  check_keccak(m16, 2, "a8eaceda4d47b3281a795ad9e1ea2122b407baf9aabcb9e18b5717b7873537d2");
  static const char m2000[] =
      "B3C5E74B69933C2533106C563B4CA20238F2B6E675E8681E34A389894785BDADE59652D4A73D80A5C85BD454FD1E9F"
      "FDAD1C3815F5038E9EF432AAC5C3C4FE840CC370CF86580A6011778BBEDAF511A51B56D1A2EB68394AA299E26DA9AD"
      "A6A2F39B9FAFF7FBA457689B9C1A577B2A1E505FDF75C7A0A64B1DF81B3A356001BF0DF4E02A1FC59F651C9D585EC6"
      "224BB279C6BEBA2966E8882D68376081B987468E7AED1EF90EBD090AE825795CDCA1B4F09A979C8DFC21A48D8A53CD"
      "BB26C4DB547FC06EFE2F9850EDD2685A4661CB4911F165D4B63EF25B87D0A96D3DFF6AB0758999AAD214D07BD4F133"
      "A6734FDE445FE474711B69A98F7E2B";
  assert_int_equal(strlen(m2000), 500);
  uint8_t msg[250];
  hex_to_bytes(m2000, msg, 250);
  check_keccak(msg, 250, "c6d86cc4ccef3bb70bf7bfddec6a9a04a0dd0a68fe1bf51c14648cf506a03e98");
}

static void test_sha3_known(void **s) {
  (void)s;
  uint8_t want[32], got[32];
  keccak_sha3_256("", 0, got);
  hex_to_bytes("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", want, 32);
  assert_memory_equal(got, want, 32);
  keccak_sha3_256("abc", 3, got);
  hex_to_bytes("3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532", want, 32);
  assert_memory_equal(got, want, 32);
}

static void openssl_sha3(const uint8_t *m, size_t n, uint8_t out[32]) {
  unsigned outlen = 0;
  assert_int_equal(EVP_Digest(m, n, out, &outlen, EVP_sha3_256(), NULL), 1);
  assert_int_equal(outlen, 32);
}

static void fill(uint8_t *m, size_t n, uint32_t seed) {
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    m[i] = (uint8_t)(x >> 24);
  }
}

/* Every length 0..3*136+7 against an independent SHA3-256: exercises
 * absorption of whole and partial blocks and padding at every offset,
 * including the one-byte-left case where both padding bits share a byte. */
static void test_sha3_vs_openssl_all_lengths(void **s) {
  (void)s;
  enum { MAX = 3 * KECCAK256_RATE + 8 };
  static uint8_t m[MAX];
  fill(m, MAX, 7);
  for (size_t n = 0; n < MAX; n++) {
    uint8_t a[32], b[32];
    keccak_sha3_256(m, n, a);
    openssl_sha3(m, n, b);
    assert_memory_equal(a, b, 32);
  }
}

/* Incremental API: every two-way split, and byte-at-a-time, equal the
 * one-shot digest; the permutation count equals len/136 + 1. */
static void test_incremental_splits(void **s) {
  (void)s;
  enum { N = 2 * KECCAK256_RATE + 31 };
  static uint8_t m[N];
  fill(m, N, 99);
  uint8_t ref[32], got[32];
  for (size_t n = 0; n <= N; n += (n < 300 ? 1 : 3)) {
    keccak256(m, n, ref);
    for (size_t cut = 0; cut <= n; cut += (n > 140 ? 7 : 1)) {
      keccak256_ctx c;
      keccak256_init(&c);
      keccak256_update(&c, m, cut);
      keccak256_update(&c, m + cut, n - cut);
      keccak256_final(&c, got);
      assert_memory_equal(got, ref, 32);
      assert_true(c.permutations == keccak256_permutations(n));
    }
    keccak256_ctx c;
    keccak256_init(&c);
    for (size_t i = 0; i < n; i++) keccak256_update(&c, m + i, 1);
    keccak256_final(&c, got);
    assert_memory_equal(got, ref, 32);
    assert_true(c.permutations == keccak256_permutations(n));
  }
  assert_true(keccak256_permutations(0) == 1);
  assert_true(keccak256_permutations(135) == 1);
  assert_true(keccak256_permutations(136) == 2);
  assert_true(keccak256_permutations(272) == 3);
}

/* Output may alias the input. */
static void test_alias(void **s) {
  (void)s;
  uint8_t buf[32] = "abc";
  uint8_t ref[32];
  keccak256(buf, 3, ref);
  keccak256(buf, 3, buf);
  assert_memory_equal(buf, ref, 32);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_f1600_zero_state),
      cmocka_unit_test(test_keccak256_known),
      cmocka_unit_test(test_sha3_known),
      cmocka_unit_test(test_sha3_vs_openssl_all_lengths),
      cmocka_unit_test(test_incremental_splits),
      cmocka_unit_test(test_alias),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
