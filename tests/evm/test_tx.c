/* Transactions: every rejection reason leaves the state root equal to the
 * pre-state root; fee accounting (EIP-1559 burn, tip to the coinbase); the
 * EIP-7623 floor (Prague); the EIP-7825 cap (Osaka); EIP-161 removal of a
 * touched empty account; the logs hash of a block without logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm_test_util.h"

#define C 0x1000

static void pre_root(blk_fork fork, uint8_t out[32], void (*setup)(tu_world *)) {
  tu_world w;
  tu_init(&w, fork);
  tu_contract(&w, C, "00", 0);
  if (setup) setup(&w);
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  memcpy(out, w.r.state_root, 32);
  tu_free(&w);
}

typedef void (*mutate_fn)(tu_world *w, blk_tx *t);

static void m_nonce_high(tu_world *w, blk_tx *t) { (void)w; t->nonce = 1; }
static void m_intrinsic(tu_world *w, blk_tx *t) { (void)w; t->gas_limit = 20999; }
static void m_block_gas(tu_world *w, blk_tx *t) { t->gas_limit = w->b.env.gas_limit + 1; }
static void m_max_fee(tu_world *w, blk_tx *t) { (void)w; tu_u256(&t->gas_price, 6); }
static void m_priority(tu_world *w, blk_tx *t) { (void)w; tu_u256(&t->max_priority_fee, 11); }
static void m_funds(tu_world *w, blk_tx *t) {
  (void)w;
  memset(t->value.b, 0, 32);
  t->value.b[20] = 1; /* 2^88 wei > 10^20 */
}
static void m_legacy_low_price(tu_world *w, blk_tx *t) {
  (void)w;
  t->type = 0;
  tu_u256(&t->gas_price, 6);
  memset(t->max_priority_fee.b, 0, 32);
}
static void m_type4_cancun(tu_world *w, blk_tx *t) {
  (void)w;
  t->type = 4;
}
static void m_zero_blobs(tu_world *w, blk_tx *t) {
  (void)w;
  t->type = 3;
}
static void m_blob_version(tu_world *w, blk_tx *t) {
  (void)w;
  static uint8_t hashes[1][32] = {{0x02}};
  t->type = 3;
  t->blob_hashes = hashes;
  t->n_blob_hashes = 1;
  tu_u256(&t->max_fee_per_blob_gas, 10);
}

static void test_rejections(void **s) {
  (void)s;
  struct {
    mutate_fn m;
    evm_invalid_reason why;
  } cases[] = {
      {m_nonce_high, EVM_INVALID_NONCE_MISMATCH_TOO_HIGH},
      {m_intrinsic, EVM_INVALID_INTRINSIC_GAS_TOO_LOW},
      {m_block_gas, EVM_INVALID_GAS_ALLOWANCE_EXCEEDED},
      {m_max_fee, EVM_INVALID_INSUFFICIENT_MAX_FEE_PER_GAS},
      {m_priority, EVM_INVALID_PRIORITY_GREATER_THAN_MAX_FEE},
      {m_funds, EVM_INVALID_INSUFFICIENT_ACCOUNT_FUNDS},
      {m_legacy_low_price, EVM_INVALID_INSUFFICIENT_MAX_FEE_PER_GAS},
      {m_type4_cancun, EVM_INVALID_TYPE_NOT_SUPPORTED},
      {m_zero_blobs, EVM_INVALID_TYPE_3_TX_ZERO_BLOBS},
      {m_blob_version, EVM_INVALID_TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH},
  };
  uint8_t root0[32];
  pre_root(BLK_FORK_CANCUN, root0, NULL);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tu_world w;
    tu_init(&w, BLK_FORK_CANCUN);
    tu_contract(&w, C, "00", 0);
    blk_tx *t = tu_tx(&w, C, 100000, 1, "");
    cases[i].m(&w, t);
    assert_int_equal(tu_run(&w, NULL), EVM_OK);
    assert_int_equal(w.r.txs[0].status, EVM_TX_INVALID);
    assert_int_equal(w.r.txs[0].invalid, cases[i].why);
    assert_string_not_equal(evm_invalid_name(cases[i].why), "");
    assert_memory_equal(w.r.state_root, root0, 32);
    assert_int_equal(w.r.gas_used, 0);
    tu_free(&w);
  }
}

static void give_sender_code(tu_world *w) {
  w->acc[0].code_ref = 0;
  blk_bytes *c = &w->codes[w->b.n_codes++];
  c->data = malloc(1);
  c->data[0] = 0x00;
  c->len = 1;
  w->acc[0].code_ref = (uint32_t)w->b.n_codes;
}

static void test_sender_not_eoa(void **s) {
  (void)s;
  uint8_t root0[32];
  pre_root(BLK_FORK_CANCUN, root0, give_sender_code);
  tu_world w;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "00", 0);
  give_sender_code(&w);
  tu_tx(&w, C, 100000, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].invalid, EVM_INVALID_SENDER_NOT_EOA);
  assert_memory_equal(w.r.state_root, root0, 32);
  tu_free(&w);
}

static void test_nonce_sequence(void **s) {
  (void)s;
  tu_world w;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "00", 0);
  tu_tx(&w, C, 100000, 0, "");
  blk_tx *t = tu_tx(&w, C, 100000, 0, "");
  t->nonce = 0;
  tu_tx(&w, C, 100000, 0, "")->nonce = 1;
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(w.r.txs[1].invalid, EVM_INVALID_NONCE_MISMATCH_TOO_LOW);
  assert_int_equal(w.r.txs[2].status, EVM_TX_SUCCESS);
  assert_int_equal(w.r.gas_used, 2 * 21000);
  tu_free(&w);
}

static void test_fees(void **s) {
  (void)s;
  tu_world w;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "00", 0);
  tu_tx(&w, C, 100000, 1000, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].gas_used, 21000);
  /* Sender: 10^20 - 21000 * 8 (effective price min(10, 7 + 1)) - 1000. */
  u256 start, paid, want, got;
  assert_int_equal(u256_parse(&start, "100000000000000000000"), 0);
  paid = u256_from_u64(21000 * 8 + 1000);
  u256_sub(&want, &start, &paid);
  uint8_t bal[32], cb[20];
  evm_state_account(w.r.state, w.sender, NULL, NULL, bal, NULL, NULL);
  u256_from_be(&got, bal);
  assert_true(u256_eq(&got, &want));
  /* Coinbase: the tip, 21000 * 1; the base fee is burnt. */
  tu_addr(cb, 0xc0ffee);
  evm_state_account(w.r.state, cb, NULL, NULL, bal, NULL, NULL);
  u256_from_be(&got, bal);
  assert_int_equal(got.w[0], 21000);
  /* No logs: keccak256(rlp([])) = keccak256(0xc0). */
  uint8_t empty_logs[32];
  tu_hex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", empty_logs, 32);
  assert_memory_equal(w.r.logs_hash, empty_logs, 32);
  tu_free(&w);
}

static void test_floor_prague(void **s) {
  (void)s;
  /* 1000 non-zero bytes: intrinsic 21000 + 16000 = 37000; floor 21000 +
   * 10 * 4000 = 61000. */
  char data[2001];
  for (int i = 0; i < 1000; i++) memcpy(data + 2 * i, "ff", 2);
  data[2000] = 0;
  for (int fork = BLK_FORK_CANCUN; fork <= BLK_FORK_PRAGUE; fork++) {
    tu_world w;
    tu_init(&w, (blk_fork)fork);
    tu_contract(&w, C, "00", 0);
    tu_tx(&w, C, 40000, 0, data);
    tu_tx(&w, C, 61000, 0, data)->nonce = fork == BLK_FORK_CANCUN ? 1 : 0;
    assert_int_equal(tu_run(&w, NULL), EVM_OK);
    if (fork == BLK_FORK_CANCUN) {
      assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
      assert_int_equal(w.r.txs[0].gas_used, 37000);
      assert_int_equal(w.r.txs[1].gas_used, 37000);
    } else {
      assert_int_equal(w.r.txs[0].invalid, EVM_INVALID_INTRINSIC_GAS_BELOW_FLOOR_GAS_COST);
      assert_int_equal(w.r.txs[1].status, EVM_TX_SUCCESS);
      assert_int_equal(w.r.txs[1].gas_used, 61000);
    }
    tu_free(&w);
  }
}

static void test_osaka_cap(void **s) {
  (void)s;
  for (int fork = BLK_FORK_PRAGUE; fork <= BLK_FORK_OSAKA; fork++) {
    tu_world w;
    tu_init(&w, (blk_fork)fork);
    tu_contract(&w, C, "00", 0);
    tu_tx(&w, C, (UINT64_C(1) << 24) + 1, 0, "");
    assert_int_equal(tu_run(&w, NULL), EVM_OK);
    if (fork == BLK_FORK_OSAKA)
      assert_int_equal(w.r.txs[0].invalid, EVM_INVALID_GAS_LIMIT_EXCEEDS_MAXIMUM);
    else
      assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
    tu_free(&w);
  }
}

static void test_eip161(void **s) {
  (void)s;
  /* An empty account in the pre-state, touched by a zero-value call, is
   * removed; untouched it stays. */
  for (int touch = 0; touch <= 1; touch++) {
    tu_world w;
    tu_init(&w, BLK_FORK_CANCUN);
    tu_contract(&w, 0x5555, "", 0);
    tu_contract(&w, C, "00", 0);
    tu_tx(&w, touch ? 0x5555 : C, 100000, 0, "");
    assert_int_equal(tu_run(&w, NULL), EVM_OK);
    uint8_t a[20];
    int ex;
    tu_addr(a, 0x5555);
    evm_state_account(w.r.state, a, &ex, NULL, NULL, NULL, NULL);
    assert_int_equal(ex, !touch);
    tu_free(&w);
  }
}

static void test_logs(void **s) {
  (void)s;
  /* LOG1(0, 0, topic 7): log [C, [7], ""] */
  tu_world w;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "600760006000a1" "00", 0);
  tu_tx(&w, C, 100000, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].n_logs, 1);
  const evm_log *l = &w.r.txs[0].logs[0];
  assert_int_equal(l->n_topics, 1);
  assert_int_equal(l->topics[0][31], 7);
  assert_int_equal(l->data_len, 0);
  /* The block logs hash is that of the transaction's logs. */
  uint8_t h[32];
  assert_int_equal(evm_logs_hash(w.r.txs[0].logs, 1, h), EVM_OK);
  assert_memory_equal(h, w.r.logs_hash, 32);
  /* 375 + 375 per topic, three pushes */
  assert_int_equal(w.r.txs[0].gas_used, 21000 + 9 + 750);
  tu_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rejections), cmocka_unit_test(test_sender_not_eoa),
      cmocka_unit_test(test_nonce_sequence), cmocka_unit_test(test_fees),
      cmocka_unit_test(test_floor_prague), cmocka_unit_test(test_osaka_cap),
      cmocka_unit_test(test_eip161),     cmocka_unit_test(test_logs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
