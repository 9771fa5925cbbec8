/* State: post-state roots against known answers (the pre-state roots of
 * ethereum/tests and execution-spec-tests cases whose transaction is invalid,
 * so their expected `hash` is the root of `pre`), and the journal: every kind
 * of change reverts to a checkpoint; the end of a transaction deletes touched
 * empty and self-destructed accounts, clears warm marks and transient storage
 * and makes current values the originals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/evm.h"
#include "evm/state.h"
#include "evm_test_util.h"

static void hex(const char *h, uint8_t *out, size_t n) { tu_hex(h, out, n); }

static void test_empty_root(void **s) {
  (void)s;
  evm_state *st = evm_state_new(BLK_FORK_CANCUN);
  assert_non_null(st);
  uint8_t r[32], want[32];
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  hex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", want, 32);
  assert_memory_equal(r, want, 32);
  /* An absent record does not enter the trie. */
  uint8_t a[20] = {1};
  assert_non_null(evm_state_get(st, a));
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  assert_memory_equal(r, want, 32);
  evm_state_free(st);
}

static void test_known_roots(void **s) {
  (void)s;
  /* execution-spec-tests osaka/eip7594 invalid_max_blobs_per_tx: one account
   * b871...2d66, nonce 0, balance 10^18. */
  blk_block b;
  blk_account acc[2];
  blk_bytes code;
  blk_slot slot;
  memset(&b, 0, sizeof b);
  memset(acc, 0, sizeof acc);
  b.env.fork = BLK_FORK_OSAKA;
  b.accounts = acc;
  b.n_accounts = 1;
  hex("b871111ec4a0decf4859fdc0ce2f498943e32d66", acc[0].address.b, 20);
  hex("0de0b6b3a7640000", acc[0].balance.b + 24, 8);
  uint8_t r[32], want[32];
  evm_state *st = evm_state_new(BLK_FORK_OSAKA);
  assert_int_equal(evm_state_load_block(st, &b), EVM_OK);
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  hex("10a5c6893be7cd3c05ed3a767c2151c2c1298543e9f9db61bb87fcdae64a1e1a", want, 32);
  assert_memory_equal(r, want, 32);
  evm_state_free(st);

  /* ethereum/tests stEIP1559/lowGasLimit: a94f...0b (nonce 1, 10^18) and
   * cccc...cc (10^18, code 600260005500, storage {0: 0x60a7}). */
  memset(acc, 0, sizeof acc);
  b.n_accounts = 2;
  hex("a94f5374fce5edbc8e2a8697c15331677e6ebf0b", acc[0].address.b, 20);
  acc[0].nonce = 1;
  hex("0de0b6b3a7640000", acc[0].balance.b + 24, 8);
  hex("cccccccccccccccccccccccccccccccccccccccc", acc[1].address.b, 20);
  hex("0de0b6b3a7640000", acc[1].balance.b + 24, 8);
  uint8_t codebytes[6];
  hex("600260005500", codebytes, 6);
  code.data = codebytes;
  code.len = 6;
  b.codes = &code;
  b.n_codes = 1;
  acc[1].code_ref = 1;
  memset(&slot, 0, sizeof slot);
  slot.value.b[30] = 0x60;
  slot.value.b[31] = 0xa7;
  acc[1].storage = &slot;
  acc[1].n_storage = 1;
  st = evm_state_new(BLK_FORK_CANCUN);
  assert_int_equal(evm_state_load_block(st, &b), EVM_OK);
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  hex("b2b8d1860969ed21cd1eee5c69206176b951fbf820ee6b7f8ad84e8234094a5e", want, 32);
  assert_memory_equal(r, want, 32);
  evm_state_free(st);
}

static void test_journal_revert(void **s) {
  (void)s;
  evm_state *st = evm_state_new(BLK_FORK_CANCUN);
  uint8_t addr[20] = {0}, before[32], after[32];
  addr[19] = 9;
  evm_account *a = evm_state_get(st, addr);
  u256 ten = u256_from_u64(10), key = u256_from_u64(3), v = u256_from_u64(77);
  assert_int_equal(evm_state_set_balance(st, a, &ten), 0);
  assert_int_equal(evm_state_root(st, before), EVM_OK);
  size_t cp = evm_state_checkpoint(st);
  u256 five = u256_from_u64(5);
  assert_int_equal(evm_state_sub_balance(st, a, &five), 0);
  assert_int_equal(evm_state_set_nonce(st, a, 4), 0);
  uint8_t code[3] = {0x60, 0x00, 0x00}, h[32] = {0xaa};
  assert_int_equal(evm_state_set_code(st, a, code, 3, h), 0);
  evm_slot *sl = evm_state_slot(st, a, &key);
  assert_int_equal(evm_state_set_storage(st, sl, &v), 0);
  evm_slot *ts = evm_state_tslot(st, a, &key);
  assert_int_equal(evm_state_set_transient(st, ts, &v), 0);
  assert_int_equal(evm_state_warm_slot(st, sl), 1);
  assert_int_equal(evm_state_warm_slot(st, sl), 0);
  uint8_t other[20] = {0};
  other[19] = 10;
  evm_account *b = evm_state_get(st, other);
  assert_int_equal(evm_state_warm_account(st, b), 1);
  assert_int_equal(evm_state_add_balance(st, b, &five), 0);
  assert_true(b->exists);
  assert_int_equal(evm_state_root(st, after), EVM_OK);
  assert_memory_not_equal(before, after, 32);
  evm_state_revert(st, cp);
  assert_int_equal(a->balance.w[0], 10);
  assert_int_equal(a->nonce, 0);
  assert_int_equal(a->code_len, 0);
  assert_true(u256_is_zero(&sl->value));
  assert_true(u256_is_zero(&ts->value));
  assert_false(sl->warm);
  assert_false(b->warm);
  assert_false(b->exists);
  assert_int_equal(evm_state_root(st, after), EVM_OK);
  assert_memory_equal(before, after, 32);
  evm_state_free(st);
}

static void test_commit_tx(void **s) {
  (void)s;
  evm_state *st = evm_state_new(BLK_FORK_CANCUN);
  uint8_t ea[20] = {0}, da[20] = {0}, ka[20] = {0};
  ea[19] = 1; /* empty, touched: deleted */
  da[19] = 2; /* destroyed: deleted */
  ka[19] = 4; /* keeps storage; slot original follows */
  evm_account *e = evm_state_get(st, ea), *d = evm_state_get(st, da), *k = evm_state_get(st, ka);
  u256 one = u256_from_u64(1), key = u256_zero();
  assert_int_equal(evm_state_create(st, e), 0);
  assert_int_equal(evm_state_create(st, d), 0);
  assert_int_equal(evm_state_set_nonce(st, d, 1), 0);
  assert_int_equal(evm_state_destroy(st, d), 0);
  assert_int_equal(evm_state_set_nonce(st, k, 1), 0);
  evm_slot *sl = evm_state_slot(st, k, &key), *ts = evm_state_tslot(st, k, &key);
  assert_int_equal(evm_state_set_storage(st, sl, &one), 0);
  assert_int_equal(evm_state_set_transient(st, ts, &one), 0);
  assert_int_equal(evm_state_warm_account(st, k), 1);
  assert_true(u256_is_zero(&sl->original));
  evm_state_commit_tx(st);
  assert_false(e->exists);
  assert_false(d->exists);
  assert_int_equal(d->nonce, 0);
  assert_true(k->exists);
  assert_false(k->warm);
  assert_false(k->touched);
  assert_int_equal(sl->original.w[0], 1);
  assert_true(u256_is_zero(&ts->value));
  assert_int_equal(evm_state_checkpoint(st), 0);
  evm_state_free(st);
}

static void test_jumpdests(void **s) {
  (void)s;
  /* 0x5b at 0 and 4; the 0x5b at 2 is PUSH1 data; PUSH32 at 5 hides 6..37. */
  uint8_t code[40] = {0x5b, 0x60, 0x5b, 0x00, 0x5b, 0x7f};
  for (int i = 6; i < 38; i++) code[i] = 0x5b;
  code[38] = 0x5b;
  code[39] = 0x00;
  uint8_t *bm = evm_jumpdest_analyze(code, sizeof code);
  for (int i = 0; i < 40; i++) {
    int want = i == 0 || i == 4 || i == 38;
    assert_int_equal((bm[i / 8] >> (i % 8)) & 1, want);
  }
  free(bm);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_root),   cmocka_unit_test(test_known_roots),
      cmocka_unit_test(test_journal_revert), cmocka_unit_test(test_commit_tx),
      cmocka_unit_test(test_jumpdests),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
