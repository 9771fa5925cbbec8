/* P256VERIFY (EIP-7951): known answers from the EIP's vector file (taken from
 * Wycheproof's ecdsa_secp256r1_sha256_p1363 set: one valid signature and
 * invalid ones with r or s moved by n or set to 0, 1, n-1, n), fresh
 * signatures made with OpenSSL's signer and every invalid-input rule: wrong
 * length, r or s out of range, a coordinate >= p, a key off the curve, the
 * all-zero key, a changed hash. Every invalid input answers an empty output
 * with success, never a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "evm/precompiles/precompile.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n) {
  assert_int_equal(strlen(hex), 2 * n);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

/* 1 when the call answered 0..01, 0 when it answered empty; the call must
 * succeed either way. */
static int verify(const uint8_t *in, size_t len) {
  uint8_t *out = (uint8_t *)1;
  size_t n = 99;
  evm_pc_work w = {0};
  assert_int_equal(evm_pc_run(EVM_PC_P256VERIFY, BLK_FORK_OSAKA, in, len, &out, &n, &w), EVM_PC_OK);
  assert_int_equal(w.input_bytes, len);
  if (n == 0) {
    assert_null(out);
    return 0;
  }
  assert_int_equal(n, 32);
  for (int i = 0; i < 31; i++) assert_int_equal(out[i], 0);
  assert_int_equal(out[31], 1);
  free(out);
  return 1;
}

/* The EIP's vectors share hash and key: bb5a52f4... and 2927b105.../c7787964... */
#define EIP_HASH "bb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023"
#define EIP_KEY                                                                    \
  "2927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838"               \
  "c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e"
#define N_HEX "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
#define NM1_HEX "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"
#define ZERO_HEX "0000000000000000000000000000000000000000000000000000000000000000"
#define ONE_HEX "0000000000000000000000000000000000000000000000000000000000000001"

static void test_eip_vectors(void **s) {
  (void)s;
  static const struct {
    const char *rs;
    int want;
  } v[] = {
      /* #1 valid (Wycheproof's "signature malleability": s > n/2 is accepted) */
      {"2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e18"
       "4cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd76",
       1},
      /* #3 r + n (reads as a different r below n) */
      {"d45c5740946b2a147f59262ee6f5bc90bd01ed280528b62b3aed5fc93f06f739"
       "b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db",
       0},
      /* #8 s modified */
      {"2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e18"
       "4cd60b865d442f5a3c7b11eb6c4e0ae79578ec6353a20bf783ecb4b6ea97b825",
       0},
      {ZERO_HEX ZERO_HEX, 0}, /* #9 */
      {ZERO_HEX ONE_HEX, 0},  /* #10 */
      {ZERO_HEX N_HEX, 0},    /* #11 */
      {ONE_HEX ZERO_HEX, 0},  /* #16 */
      {ONE_HEX ONE_HEX, 0},   /* #17 */
      {ONE_HEX N_HEX, 0},     /* #18 */
      {N_HEX ONE_HEX, 0},     /* #24 */
      {NM1_HEX ZERO_HEX, 0},  /* #30 */
      {NM1_HEX ONE_HEX, 0},   /* #31 */
  };
  uint8_t in[160];
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    hex_to_bytes(EIP_HASH, in, 32);
    hex_to_bytes(v[i].rs, in + 32, 64);
    hex_to_bytes(EIP_KEY, in + 96, 64);
    assert_int_equal(verify(in, 160), v[i].want);
  }
}

/* A fresh key and a signature over hash, laid out as the precompile's input. */
static void make_input(const uint8_t hash[32], uint8_t in[160]) {
  EVP_PKEY *key = EVP_EC_gen("P-256");
  assert_non_null(key);
  uint8_t pub[65];
  size_t publen = 0;
  assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &publen),
                   1);
  assert_int_equal(publen, 65);
  assert_int_equal(pub[0], 4);
  EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(key, NULL);
  assert_non_null(c);
  assert_int_equal(EVP_PKEY_sign_init(c), 1);
  uint8_t der[80];
  size_t derlen = sizeof der;
  assert_int_equal(EVP_PKEY_sign(c, der, &derlen, hash, 32), 1);
  const uint8_t *p = der;
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
  assert_non_null(sig);
  memcpy(in, hash, 32);
  assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(sig), in + 32, 32), 32);
  assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(sig), in + 64, 32), 32);
  memcpy(in + 96, pub + 1, 64);
  ECDSA_SIG_free(sig);
  EVP_PKEY_CTX_free(c);
  EVP_PKEY_free(key);
}

static void test_fresh_signatures(void **s) {
  (void)s;
  uint8_t hash[32], in[160], bad[160];
  for (int k = 0; k < 8; k++) {
    for (int i = 0; i < 32; i++) hash[i] = (uint8_t)(k * 37 + i * 11);
    if (k == 7) memset(hash, 0xff, 32); /* hash above n: used as is, reduced mod n */
    make_input(hash, in);
    assert_int_equal(verify(in, 160), 1);
    memcpy(bad, in, 160);
    bad[k] ^= 1; /* another hash */
    assert_int_equal(verify(bad, 160), 0);
    memcpy(bad, in, 160);
    bad[63] ^= 1; /* another r */
    assert_int_equal(verify(bad, 160), 0);
    memcpy(bad, in, 160);
    bad[95] ^= 1; /* another s */
    assert_int_equal(verify(bad, 160), 0);
    memcpy(bad, in, 160);
    bad[159] ^= 1; /* y changed: off the curve */
    assert_int_equal(verify(bad, 160), 0);
    /* Length must be exactly 160 either way. */
    assert_int_equal(verify(in, 159), 0);
    uint8_t longer[161];
    memcpy(longer, in, 160);
    longer[160] = 0;
    assert_int_equal(verify(longer, 161), 0);
  }
  assert_int_equal(verify(NULL, 0), 0);
}

static void test_key_rules(void **s) {
  (void)s;
  uint8_t hash[32] = {1, 2, 3}, in[160], bad[160];
  make_input(hash, in);
  /* The all-zero key (infinity has no affine form; (0,0) is off the curve). */
  memcpy(bad, in, 160);
  memset(bad + 96, 0, 64);
  assert_int_equal(verify(bad, 160), 0);
  /* x = p + x' for a small x' would read as x' mod p: must be refused as >= p. */
  static const char *p_hex = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
  memcpy(bad, in, 160);
  hex_to_bytes(p_hex, bad + 96, 32);
  assert_int_equal(verify(bad, 160), 0);
  memcpy(bad, in, 160);
  hex_to_bytes(p_hex, bad + 128, 32);
  assert_int_equal(verify(bad, 160), 0);
  /* -y is the negated key: a valid point, a wrong signer. */
  EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  assert_non_null(g);
  BIGNUM *p = BN_new(), *y = BN_bin2bn(in + 128, 32, NULL);
  assert_int_equal(EC_GROUP_get_curve(g, p, NULL, NULL, NULL), 1);
  assert_int_equal(BN_sub(y, p, y), 1);
  memcpy(bad, in, 160);
  assert_int_equal(BN_bn2binpad(y, bad + 128, 32), 32);
  assert_int_equal(verify(bad, 160), 0);
  /* y + p: same point mod p, but not a canonical coordinate. */
  BN_bin2bn(in + 128, 32, y);
  assert_int_equal(BN_add(y, y, p), 1);
  if (BN_num_bytes(y) <= 32) {
    memcpy(bad, in, 160);
    assert_int_equal(BN_bn2binpad(y, bad + 128, 32), 32);
    assert_int_equal(verify(bad, 160), 0);
  }
  /* s = n - s: the other valid s of the same signature, accepted (no low-s rule). */
  const BIGNUM *n = EC_GROUP_get0_order(g);
  BIGNUM *sv = BN_bin2bn(in + 64, 32, NULL);
  assert_int_equal(BN_sub(sv, n, sv), 1);
  memcpy(bad, in, 160);
  assert_int_equal(BN_bn2binpad(sv, bad + 64, 32), 32);
  assert_int_equal(verify(bad, 160), 1);
  BN_free(sv);
  BN_free(y);
  BN_free(p);
  EC_GROUP_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_eip_vectors),
      cmocka_unit_test(test_fresh_signatures),
      cmocka_unit_test(test_key_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
