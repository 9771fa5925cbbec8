/* Precompile table and the simple precompiles: addresses per fork, names,
 * every fixed and table-driven price (EIP-1108, EIP-2537 with its MSM
 * discounts, EIP-4844, EIP-7951), SHA-256 and RIPEMD-160 known answers and
 * block counts, the RIPEMD-160 reference against OpenSSL, identity, ecrecover
 * (valid, high s, and each invalid-input rule) and the not-built-in answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "evm/precompiles/pc_impl.h"
#include "hash/ripemd160.h"
#include "evm/precompiles/precompile.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

static void addr_of(unsigned a, uint8_t out[20]) {
  memset(out, 0, 20);
  out[18] = (uint8_t)(a >> 8);
  out[19] = (uint8_t)a;
}

static void test_lookup(void **s) {
  (void)s;
  uint8_t a[20];
  for (unsigned x = 1; x <= 0x0a; x++) {
    addr_of(x, a);
    for (int f = 0; f < BLK_FORK_COUNT; f++) {
      evm_pc_id id = evm_pc_lookup((blk_fork)f, a);
      assert_int_not_equal(id, EVM_PC_NONE);
      uint8_t back[20];
      evm_pc_address(id, back);
      assert_memory_equal(back, a, 20);
    }
  }
  addr_of(0x0b, a);
  assert_int_equal(evm_pc_lookup(BLK_FORK_CANCUN, a), EVM_PC_NONE);
  assert_int_equal(evm_pc_lookup(BLK_FORK_PRAGUE, a), EVM_PC_BLS_G1ADD);
  addr_of(0x11, a);
  assert_int_equal(evm_pc_lookup(BLK_FORK_CANCUN, a), EVM_PC_NONE);
  assert_int_equal(evm_pc_lookup(BLK_FORK_OSAKA, a), EVM_PC_BLS_MAP_G2);
  addr_of(0x12, a);
  assert_int_equal(evm_pc_lookup(BLK_FORK_OSAKA, a), EVM_PC_NONE);
  addr_of(0x100, a);
  assert_int_equal(evm_pc_lookup(BLK_FORK_PRAGUE, a), EVM_PC_NONE);
  assert_int_equal(evm_pc_lookup(BLK_FORK_OSAKA, a), EVM_PC_P256VERIFY);
  addr_of(0, a);
  assert_int_equal(evm_pc_lookup(BLK_FORK_OSAKA, a), EVM_PC_NONE);
  addr_of(1, a);
  a[0] = 1; /* high bytes must be zero */
  assert_int_equal(evm_pc_lookup(BLK_FORK_OSAKA, a), EVM_PC_NONE);
  assert_string_equal(evm_pc_name(EVM_PC_MODEXP), "modexp");
  assert_string_equal(evm_pc_name(EVM_PC_P256VERIFY), "p256verify");
  assert_int_equal(evm_pc_lookup(BLK_FORK_COUNT, a), EVM_PC_NONE);
}

static void test_fixed_gas(void **s) {
  (void)s;
  uint8_t in[1024] = {0};
  const blk_fork F = BLK_FORK_OSAKA;
  assert_int_equal(evm_pc_gas(EVM_PC_ECRECOVER, F, in, 128), 3000);
  /* Linear prices: base + per word, words rounded up. */
  static const struct {
    evm_pc_id id;
    uint64_t base, word;
  } lin[] = {{EVM_PC_SHA256, 60, 12}, {EVM_PC_RIPEMD160, 600, 120}, {EVM_PC_IDENTITY, 15, 3}};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(evm_pc_gas(lin[i].id, F, NULL, 0), lin[i].base);
    assert_int_equal(evm_pc_gas(lin[i].id, F, in, 1), lin[i].base + lin[i].word);
    assert_int_equal(evm_pc_gas(lin[i].id, F, in, 32), lin[i].base + lin[i].word);
    assert_int_equal(evm_pc_gas(lin[i].id, F, in, 33), lin[i].base + 2 * lin[i].word);
    assert_int_equal(evm_pc_gas(lin[i].id, F, in, 1000), lin[i].base + 32 * lin[i].word);
  }
  /* EIP-1108. */
  assert_int_equal(evm_pc_gas(EVM_PC_BN_ADD, F, in, 128), 150);
  assert_int_equal(evm_pc_gas(EVM_PC_BN_MUL, F, in, 96), 6000);
  assert_int_equal(evm_pc_gas(EVM_PC_BN_PAIRING, F, NULL, 0), 45000);
  assert_int_equal(evm_pc_gas(EVM_PC_BN_PAIRING, F, in, 192), 79000);
  assert_int_equal(evm_pc_gas(EVM_PC_BN_PAIRING, F, in, 384), 113000);
  assert_int_equal(evm_pc_gas(EVM_PC_BN_PAIRING, F, in, 383), 79000);
  assert_int_equal(evm_pc_gas(EVM_PC_POINT_EVAL, F, in, 192), 50000);
  assert_int_equal(evm_pc_gas(EVM_PC_P256VERIFY, F, in, 160), 6900);
  /* EIP-2537. */
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1ADD, F, in, 256), 375);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G2ADD, F, in, 512), 600);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_MAP_G1, F, in, 64), 5500);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_MAP_G2, F, in, 128), 23800);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_PAIRING, F, NULL, 0), 37700);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_PAIRING, F, in, 384), 70300);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_PAIRING, F, in, 768), 102900);
  assert_int_equal(evm_pc_gas(EVM_PC_NONE, F, in, 0), UINT64_MAX);
  assert_int_equal(evm_pc_gas((evm_pc_id)EVM_PC_COUNT, F, in, 0), UINT64_MAX);
}

/* MSM: k * cost * discount(k) / 1000, discount capped at k = 128. */
static void test_msm_gas(void **s) {
  (void)s;
  static uint8_t in[288 * 130];
  const blk_fork F = BLK_FORK_PRAGUE;
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1MSM, F, NULL, 0), 0);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1MSM, F, in, 159), 0);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1MSM, F, in, 160), 12000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1MSM, F, in, 320), 2 * 12000 * 949 / 1000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1MSM, F, in, 3 * 160), 3 * 12000 * 848 / 1000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1MSM, F, in, 128 * 160), 128 * 12000 * 519 / 1000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G1MSM, F, in, 129 * 160), 129 * 12000 * 519 / 1000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G2MSM, F, in, 288), 22500);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G2MSM, F, in, 2 * 288), 45000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G2MSM, F, in, 3 * 288), 3 * 22500 * 923 / 1000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G2MSM, F, in, 128 * 288), 128 * 22500 * 524 / 1000);
  assert_int_equal(evm_pc_gas(EVM_PC_BLS_G2MSM, F, in, 130 * 288), 130 * 22500 * 524 / 1000);
  /* More pairs never cost less in total. */
  uint64_t prev1 = 0, prev2 = 0;
  for (size_t k = 1; k <= 130; k++) {
    uint64_t g1 = evm_pc_gas(EVM_PC_BLS_G1MSM, F, in, k * 160);
    uint64_t g2 = evm_pc_gas(EVM_PC_BLS_G2MSM, F, in, k * 288);
    assert_true(g1 >= prev1 && g2 >= prev2);
    prev1 = g1;
    prev2 = g2;
  }
}

static void run_ok(evm_pc_id id, const void *in, size_t len, uint8_t **out, size_t *n, evm_pc_work *w) {
  assert_int_equal(evm_pc_run(id, BLK_FORK_CANCUN, in, len, out, n, w), EVM_PC_OK);
}

static void test_sha256(void **s) {
  (void)s;
  static const struct {
    const char *msg, *hex;
  } kat[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  for (size_t i = 0; i < 3; i++) {
    uint8_t want[32], *out;
    size_t n;
    evm_pc_work w = {0};
    hex_to_bytes(kat[i].hex, want, 32);
    run_ok(EVM_PC_SHA256, kat[i].msg, strlen(kat[i].msg), &out, &n, &w);
    assert_int_equal(n, 32);
    assert_memory_equal(out, want, 32);
    free(out);
    assert_int_equal(w.compressions, strlen(kat[i].msg) == 56 ? 2 : 1);
  }
  /* Block counts at the padding boundaries. */
  assert_int_equal(pc_md_blocks(0), 1);
  assert_int_equal(pc_md_blocks(55), 1);
  assert_int_equal(pc_md_blocks(56), 2);
  assert_int_equal(pc_md_blocks(64), 2);
  assert_int_equal(pc_md_blocks(119), 2);
  assert_int_equal(pc_md_blocks(120), 3);
}

static void test_ripemd160(void **s) {
  (void)s;
  static const struct {
    const char *msg, *hex;
  } kat[] = {
      {"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"},
      {"a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"},
      {"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
      {"message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "12a053384a9c0c88e405a06c27dcf49ada62eb2b"},
  };
  for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
    uint8_t want[32] = {0}, ref[20], *out;
    size_t n;
    hex_to_bytes(kat[i].hex, want + 12, 20);
    run_ok(EVM_PC_RIPEMD160, kat[i].msg, strlen(kat[i].msg), &out, &n, NULL);
    assert_int_equal(n, 32);
    assert_memory_equal(out, want, 32); /* left-padded to a word */
    free(out);
    ripemd160((const uint8_t *)kat[i].msg, strlen(kat[i].msg), ref);
    assert_memory_equal(ref, want + 12, 20);
  }
  /* One million 'a'. */
  uint8_t *big = malloc(1000000), ref[20], want[20];
  assert_non_null(big);
  memset(big, 'a', 1000000);
  ripemd160(big, 1000000, ref);
  hex_to_bytes("52783243c1697bdbe16d37f97f68f08325dc1528", want, 20);
  assert_memory_equal(ref, want, 20);
  free(big);
  /* The reference agrees with OpenSSL at every length over several blocks. */
  EVP_MD *md = EVP_MD_fetch(NULL, "RIPEMD160", NULL);
  if (!md) return;
  uint8_t msg[300];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 131 + 17);
  for (size_t len = 0; len <= sizeof msg; len++) {
    unsigned dl = 0;
    assert_true(EVP_Digest(msg, len, want, &dl, md, NULL));
    ripemd160(msg, len, ref);
    assert_memory_equal(ref, want, 20);
  }
  EVP_MD_free(md);
}

static void test_identity(void **s) {
  (void)s;
  uint8_t in[77], *out = (uint8_t *)1;
  size_t n = 3;
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)i;
  evm_pc_work w = {0};
  run_ok(EVM_PC_IDENTITY, in, sizeof in, &out, &n, &w);
  assert_int_equal(n, sizeof in);
  assert_memory_equal(out, in, sizeof in);
  free(out);
  assert_int_equal(w.input_bytes, sizeof in);
  run_ok(EVM_PC_IDENTITY, NULL, 0, &out, &n, &w);
  assert_null(out);
  assert_int_equal(n, 0);
}

/* EIP-155's example: hash daf5a7..., recovery id 0 (v = 37 on chain 1), signer
 * 9d8a62f6... (all as the EIP and its reference tests state). */
static void ecrecover_input(uint8_t in[128]) {
  memset(in, 0, 128);
  hex_to_bytes("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", in, 32);
  in[63] = 27;
  hex_to_bytes("28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276", in + 64, 32);
  hex_to_bytes("67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83", in + 96, 32);
}

static void expect_empty(const uint8_t *in, size_t len) {
  uint8_t *out = (uint8_t *)1;
  size_t n = 7;
  assert_int_equal(evm_pc_run(EVM_PC_ECRECOVER, BLK_FORK_PRAGUE, in, len, &out, &n, NULL), EVM_PC_OK);
  assert_null(out);
  assert_int_equal(n, 0);
}

static void test_ecrecover(void **s) {
  (void)s;
  uint8_t in[160], want[32] = {0}, *out;
  size_t n;
  hex_to_bytes("9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f", want + 12, 20);
  ecrecover_input(in);
  evm_pc_work w = {0};
  run_ok(EVM_PC_ECRECOVER, in, 128, &out, &n, &w);
  assert_int_equal(n, 32);
  assert_memory_equal(out, want, 32);
  free(out);
  assert_int_equal(w.scalar_muls, 2);
  /* Bytes past 128 are ignored. */
  memset(in + 128, 0xee, 32);
  run_ok(EVM_PC_ECRECOVER, in, 160, &out, &n, NULL);
  assert_memory_equal(out, want, 32);
  free(out);
  /* The other v recovers another key, not an error. */
  in[63] = 28;
  run_ok(EVM_PC_ECRECOVER, in, 128, &out, &n, NULL);
  assert_int_equal(n, 32);
  assert_memory_not_equal(out, want, 32);
  free(out);
  /* High s is allowed here (no EIP-2 rule): n - s with the other v gives the same signer. */
  uint8_t order[32];
  hex_to_bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", order, 32);
  ecrecover_input(in);
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int d = order[i] - in[96 + i] - borrow;
    borrow = d < 0;
    in[96 + i] = (uint8_t)(d & 0xff);
  }
  in[63] = 28;
  run_ok(EVM_PC_ECRECOVER, in, 128, &out, &n, NULL);
  assert_int_equal(n, 32);
  assert_memory_equal(out, want, 32);
  free(out);

  /* Invalid inputs: success with empty output. */
  ecrecover_input(in);
  in[63] = 29;
  expect_empty(in, 128);
  in[63] = 0;
  expect_empty(in, 128);
  ecrecover_input(in);
  in[40] = 1; /* v's upper bytes must be zero */
  expect_empty(in, 128);
  ecrecover_input(in);
  memset(in + 64, 0, 32); /* r = 0 */
  expect_empty(in, 128);
  ecrecover_input(in);
  memset(in + 96, 0, 32); /* s = 0 */
  expect_empty(in, 128);
  ecrecover_input(in);
  memcpy(in + 96, order, 32); /* s = n */
  expect_empty(in, 128);
  ecrecover_input(in);
  memcpy(in + 64, order, 32); /* r = n */
  expect_empty(in, 128);
  expect_empty(NULL, 0);
  ecrecover_input(in);
  expect_empty(in, 96); /* s missing entirely: it reads as zero */
  /* s cut short: its missing bytes read as zero, giving another valid s. */
  run_ok(EVM_PC_ECRECOVER, in, 100, &out, &n, NULL);
  assert_int_equal(n, 32);
  assert_memory_not_equal(out, want, 32);
  free(out);
}

static void test_unsupported(void **s) {
  (void)s;
  /* No precompile and an id past the list are never run; a family not built
   * yet answers the same way (its own tests say which). */
  static const evm_pc_id later[] = {EVM_PC_NONE, EVM_PC_COUNT};
  uint8_t in[64] = {0};
  for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
    uint8_t *out = (uint8_t *)1;
    size_t n = 9;
    evm_pc_work w = {0};
    assert_int_equal(evm_pc_run(later[i], BLK_FORK_OSAKA, in, sizeof in, &out, &n, &w), EVM_PC_UNSUPPORTED);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_int_equal(w.input_bytes, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lookup),    cmocka_unit_test(test_fixed_gas),
      cmocka_unit_test(test_msm_gas),   cmocka_unit_test(test_sha256),
      cmocka_unit_test(test_ripemd160), cmocka_unit_test(test_identity),
      cmocka_unit_test(test_ecrecover), cmocka_unit_test(test_unsupported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
