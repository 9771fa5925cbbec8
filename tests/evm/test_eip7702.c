/* EIP-7702 (Prague): a type-4 transaction's authorization installs the
 * designator 0xef0100 || address on the authority, bumps its nonce, and
 * calls to the authority run the delegate's code in the authority's context;
 * EXTCODESIZE / EXTCODEHASH see the 23-byte designator; invalid
 * authorizations (wrong chain, wrong nonce) are skipped without failing the
 * transaction; the refund for an existing authority. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm_test_util.h"
#include "hash/keccak.h"

#define D 0x2000 /* delegate: SSTORE(0, CALLER); SSTORE(1, ADDRESS) */
#define D_CODE "33600055" "30600155" "00"

static void make_auth(blk_auth *a, uint64_t chain, uint64_t nonce, uint32_t key) {
  memset(a, 0, sizeof *a);
  tu_u256(&a->chain_id, chain);
  tu_addr(a->address.b, D);
  a->nonce = nonce;
  uint8_t priv[32];
  assert_int_equal(evm_test_key(key, priv), EVM_SIG_OK);
  assert_int_equal(evm_auth_sign(a, priv), EVM_SIG_OK);
}

/* One type-4 tx from key 0 to key 1's address carrying auth. */
static void run_delegation(tu_world *w, blk_fork fork, blk_auth *auth, int authority_exists) {
  tu_init(w, fork);
  tu_contract(w, D, D_CODE, 0);
  uint8_t authority[20];
  assert_int_equal(evm_test_address(1, authority), EVM_SIG_OK);
  if (authority_exists) {
    blk_account *a = &w->acc[w->b.n_accounts++];
    memcpy(a->address.b, authority, 20);
    tu_u256(&a->balance, 1);
  }
  blk_tx *t = tu_tx(w, 0x1, 200000, 0, "");
  memcpy(t->to.b, authority, 20);
  t->type = 4;
  t->auths = auth;
  t->n_auths = 1;
  assert_int_equal(tu_run(w, NULL), EVM_OK);
  t->auths = NULL;
}

static void test_delegation_installed(void **s) {
  (void)s;
  tu_world w;
  blk_auth auth;
  make_auth(&auth, 1, 0, 1);
  run_delegation(&w, BLK_FORK_PRAGUE, &auth, 0);
  const evm_tx_result *t = &w.r.txs[0];
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  uint8_t authority[20];
  evm_test_address(1, authority);
  int ex;
  uint64_t nonce;
  const uint8_t *code;
  size_t len;
  evm_state_account(w.r.state, authority, &ex, &nonce, NULL, &code, &len);
  assert_true(ex);
  assert_int_equal(nonce, 1);
  assert_int_equal(len, 23);
  assert_int_equal(code[0], 0xef);
  assert_int_equal(code[1], 0x01);
  assert_int_equal(code[2], 0x00);
  uint8_t d[20];
  tu_addr(d, D);
  assert_memory_equal(code + 3, d, 20);
  /* The delegate's code ran in the authority's context. */
  uint8_t k[32] = {0}, v[32];
  evm_state_storage(w.r.state, authority, k, v);
  assert_memory_equal(v + 12, w.sender, 20);
  k[31] = 1;
  evm_state_storage(w.r.state, authority, k, v);
  assert_memory_equal(v + 12, authority, 20);
  /* Intrinsic 21000 + 25000; execution: 4 ops of 2/3 gas and two cold
   * 0 -> x SSTOREs, no refund (the authority did not exist). */
  assert_int_equal(t->gas_refund, 0);
  assert_int_equal(t->gas_used, 21000 + 25000 + 2 + 3 + 22100 + 2 + 3 + 22100);
  tu_free(&w);
}

static void test_existing_authority_refund(void **s) {
  (void)s;
  tu_world w;
  blk_auth auth;
  make_auth(&auth, 0, 0, 1); /* chain id 0: valid on any chain */
  run_delegation(&w, BLK_FORK_PRAGUE, &auth, 1);
  const evm_tx_result *t = &w.r.txs[0];
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  uint64_t total = 21000 + 25000 + 2 + 3 + 22100 + 2 + 3 + 22100;
  assert_int_equal(t->gas_refund, 12500);
  assert_int_equal(t->gas_used, total - 12500);
  tu_free(&w);
}

static void test_invalid_auth_skipped(void **s) {
  (void)s;
  tu_world w;
  blk_auth auth;
  make_auth(&auth, 5, 0, 1); /* another chain */
  run_delegation(&w, BLK_FORK_PRAGUE, &auth, 0);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  uint8_t authority[20];
  evm_test_address(1, authority);
  size_t len;
  int ex;
  evm_state_account(w.r.state, authority, &ex, NULL, NULL, NULL, &len);
  assert_int_equal(len, 0);
  assert_false(ex);
  tu_free(&w);
  make_auth(&auth, 1, 7, 1); /* wrong nonce */
  run_delegation(&w, BLK_FORK_PRAGUE, &auth, 0);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  evm_state_account(w.r.state, authority, &ex, NULL, NULL, NULL, &len);
  assert_int_equal(len, 0);
  tu_free(&w);
  /* Type 4 before Prague is not a transaction type. */
  make_auth(&auth, 1, 0, 1);
  run_delegation(&w, BLK_FORK_CANCUN, &auth, 0);
  assert_int_equal(w.r.txs[0].invalid, EVM_INVALID_TYPE_NOT_SUPPORTED);
  tu_free(&w);
}

static void test_extcode_sees_designator(void **s) {
  (void)s;
  tu_world w;
  blk_auth auth;
  make_auth(&auth, 1, 0, 1);
  tu_init(&w, BLK_FORK_PRAGUE);
  tu_contract(&w, D, D_CODE, 0);
  /* 0x3000: slot 0 = EXTCODESIZE(calldata address); slot 1 = EXTCODEHASH. */
  tu_contract(&w, 0x3000, "6000353b600055" "6000353f600155" "00", 0);
  uint8_t authority[20];
  evm_test_address(1, authority);
  blk_tx *t = tu_tx(&w, 0x1, 200000, 0, "");
  memcpy(t->to.b, authority, 20);
  t->type = 4;
  t->auths = &auth;
  t->n_auths = 1;
  char data[65];
  memset(data, '0', 24);
  for (int i = 0; i < 20; i++) snprintf(data + 24 + 2 * i, 3, "%02x", authority[i]);
  tu_tx(&w, 0x3000, 200000, 0, data);
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  t->auths = NULL;
  assert_int_equal(w.r.txs[1].status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, 0x3000, 0), 23);
  uint8_t des[23], h[32];
  des[0] = 0xef;
  des[1] = 0x01;
  des[2] = 0x00;
  tu_addr(des + 3, D);
  keccak256(des, 23, h);
  u256 hv = tu_storage(&w, 0x3000, 1), want;
  u256_from_be(&want, h);
  assert_true(u256_eq(&hv, &want));
  tu_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_delegation_installed),
      cmocka_unit_test(test_existing_authority_refund),
      cmocka_unit_test(test_invalid_auth_skipped),
      cmocka_unit_test(test_extcode_sees_designator),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
