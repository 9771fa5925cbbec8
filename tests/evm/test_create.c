/* CREATE / CREATE2: address derivation (known answers; CREATE2 from the
 * examples of EIP-1014), deployment from a transaction and from code,
 * EIP-3541 (0xEF prefix), EIP-170 (code size), EIP-3860 (init code size),
 * address collisions and EIP-6780 SELFDESTRUCT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/rlp.h"
#include "evm/vm.h"
#include "evm_test_util.h"
#include "hash/keccak.h"

static void expect_addr(const uint8_t got[20], const char *hex) {
  uint8_t want[20];
  tu_hex(hex, want, 20);
  assert_memory_equal(got, want, 20);
}

static void test_create_address(void **s) {
  (void)s;
  uint8_t sender[20], out[20];
  tu_hex("6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0", sender, 20);
  evm_create_address(sender, 0, out);
  expect_addr(out, "cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
  evm_create_address(sender, 1, out);
  expect_addr(out, "343c43a37d37dff08ae8c4a11544c718abb4fcf8");
  evm_create_address(sender, 2, out);
  expect_addr(out, "f778b86fa74e846c4f0a1fbd1335fe81c00a0c91");
  evm_create_address(sender, 3, out);
  expect_addr(out, "fffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c");
  /* Larger nonces against the generic RLP encoder. */
  const uint64_t nonces[] = {0x7f, 0x80, 0xff, 0x100, 0xffff, UINT64_C(1) << 40, UINT64_MAX};
  for (size_t i = 0; i < sizeof nonces / sizeof *nonces; i++) {
    rlp_enc e;
    rlp_enc_init(&e);
    rlp_list_begin(&e);
    rlp_put_bytes(&e, sender, 20);
    rlp_put_u64(&e, nonces[i]);
    rlp_list_end(&e);
    uint8_t *buf;
    size_t len;
    assert_int_equal(rlp_enc_finish(&e, &buf, &len), RLP_OK);
    uint8_t h[32];
    keccak256(buf, len, h);
    free(buf);
    evm_create_address(sender, nonces[i], out);
    assert_memory_equal(out, h + 12, 20);
  }
}

static void test_create2_address(void **s) {
  (void)s;
  struct {
    const char *addr, *salt, *init, *want;
  } v[] = {
      {"0000000000000000000000000000000000000000", "00", "00", "4d1a2e2bb4f88f0250f26ffff098b0b30b26bf38"},
      {"deadbeef00000000000000000000000000000000", "00", "00", "b928f69bb1d91cd65274e3c79d8986362984fda3"},
      {"deadbeef00000000000000000000000000000000", "000000000000000000000000feed000000000000000000000000000000000000",
       "00", "d04116cdd17bebe565eb2422f2497e06cc1c9833"},
      {"0000000000000000000000000000000000000000", "00", "deadbeef", "70f2b2914a2a4b783faefb75f459a580616fcb5e"},
      {"00000000000000000000000000000000deadbeef", "cafebabe", "deadbeef", "60f3f640a8508fc6a86d45df051962668e1e8ac7"},
      {"0000000000000000000000000000000000000000", "00", "", "e33c0c7f7df4809055c3eba6c09cfe4baf1bd9e0"},
  };
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    uint8_t sender[20], init[8], out[20], saltb[32];
    tu_hex(v[i].addr, sender, 20);
    size_t sl = strlen(v[i].salt) / 2;
    memset(saltb, 0, 32);
    tu_hex(v[i].salt, saltb + 32 - sl, sl);
    u256 salt;
    u256_from_be(&salt, saltb);
    size_t n = tu_hex(v[i].init, init, sizeof init);
    evm_create2_address(sender, &salt, init, n, out);
    expect_addr(out, v[i].want);
  }
}

/* Init code that returns the 32-byte word 42: MSTORE(0, 42); RETURN(0, 32). */
#define INIT_42 "602a60005260206000f3"

static void test_create_tx(void **s) {
  (void)s;
  tu_world w;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_tx(&w, 0, 200000, 7, INIT_42);
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  const evm_tx_result *t = &w.r.txs[0];
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_true(t->created);
  uint8_t want[20];
  evm_create_address(w.sender, 0, want);
  assert_memory_equal(t->contract_address, want, 20);
  int ex;
  uint64_t nonce;
  uint8_t bal[32];
  const uint8_t *code;
  size_t code_len;
  evm_state_account(w.r.state, want, &ex, &nonce, bal, &code, &code_len);
  assert_true(ex);
  assert_int_equal(nonce, 1);
  assert_int_equal(bal[31], 7);
  assert_int_equal(code_len, 32);
  assert_int_equal(code[31], 42);
  /* intrinsic: 21000 + 32000 + 2 (one init word) + data 10 bytes (8 nonzero,
   * 2 zero): 128 + 8; execution: 6 pushes/ops 3+3+3(+3 memory) + 3+3 + RETURN
   * 0; deposit 200 * 32. */
  uint64_t intrinsic = 21000 + 32000 + 2 + 8 * 16 + 2 * 4;
  uint64_t exec = 3 + 3 + 3 + 3 + 3 + 3 + 0;
  assert_int_equal(t->gas_used, intrinsic + exec + 200 * 32);
  tu_free(&w);
}

static void test_create_rules(void **s) {
  (void)s;
  tu_world w;
  /* EIP-3541: returning code that starts with 0xEF fails. */
  tu_init(&w, BLK_FORK_CANCUN);
  tu_tx(&w, 0, 200000, 0, "60ef60005360016000f3");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_HALT);
  assert_int_equal(w.r.txs[0].gas_used, 200000);
  tu_free(&w);
  /* EIP-170: 24577 bytes fail, 24576 succeed. */
  tu_init(&w, BLK_FORK_CANCUN);
  tu_tx(&w, 0, 6000000, 0, "6160016000f3");
  tu_tx(&w, 0, 6000000, 0, "6160006000f3");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_HALT);
  assert_int_equal(w.r.txs[1].status, EVM_TX_SUCCESS);
  tu_free(&w);
  /* EIP-3860: a create transaction with more than 49152 bytes of init code is
   * invalid; exactly 49152 is fine. */
  for (int extra = 0; extra <= 1; extra++) {
    tu_init(&w, BLK_FORK_CANCUN);
    blk_tx *t = tu_tx(&w, 0, 10000000, 0, "");
    t->data.len = 49152 + (size_t)extra;
    t->data.data = calloc(1, t->data.len);
    assert_int_equal(tu_run(&w, NULL), EVM_OK);
    if (extra) {
      assert_int_equal(w.r.txs[0].status, EVM_TX_INVALID);
      assert_int_equal(w.r.txs[0].invalid, EVM_INVALID_INITCODE_SIZE_EXCEEDED);
    } else {
      assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
    }
    tu_free(&w);
  }
}

static void test_create_opcode_and_collision(void **s) {
  (void)s;
  tu_world w;
  /* Contract 0x1000 (nonce 1): CODECOPY the 10-byte INIT_42 that follows
   * its own prefix, CREATE it, store the address in slot 0. */
  /* Prefix: PUSH1 10, PUSH1 18, PUSH1 0, CODECOPY (7 bytes); PUSH1 10,
   * PUSH1 0, PUSH1 0, CREATE (7); PUSH1 0, SSTORE, STOP (4): 18 bytes. */
  const char *c2 = "600a601260003960" "0a60006000f0" "600055" "00" INIT_42;
  tu_init(&w, BLK_FORK_CANCUN);
  blk_account *a = tu_contract(&w, 0x1000, c2, 0);
  a->nonce = 1;
  tu_tx(&w, 0x1000, 300000, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  uint8_t c_addr[20], want[20];
  tu_addr(c_addr, 0x1000);
  evm_create_address(c_addr, 1, want);
  u256 got = tu_storage(&w, 0x1000, 0), wantw;
  u256_from_addr(&wantw, want);
  assert_true(u256_eq(&got, &wantw));
  uint64_t nonce;
  evm_state_account(w.r.state, c_addr, NULL, &nonce, NULL, NULL, NULL);
  assert_int_equal(nonce, 2);
  tu_free(&w);

  /* Collision: an account with nonce 1 already sits at the address. CREATE
   * pushes 0 and the creator's nonce still goes up. */
  tu_init(&w, BLK_FORK_CANCUN);
  a = tu_contract(&w, 0x1000, c2, 0);
  a->nonce = 1;
  blk_account *occ = &w.acc[w.b.n_accounts++];
  memcpy(occ->address.b, want, 20);
  occ->nonce = 1;
  tu_tx(&w, 0x1000, 300000, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, 0x1000, 0), 0);
  evm_state_account(w.r.state, c_addr, NULL, &nonce, NULL, NULL, NULL);
  assert_int_equal(nonce, 2);
  tu_free(&w);
}

static void test_selfdestruct_6780(void **s) {
  (void)s;
  tu_world w;
  /* A pre-existing contract self-destructs to 0x4444: its balance moves,
   * the account (code, nonce) stays. */
  tu_init(&w, BLK_FORK_CANCUN);
  blk_account *a = tu_contract(&w, 0x1000, "614444ff", 50);
  a->nonce = 1;
  tu_tx(&w, 0x1000, 100000, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  uint8_t addr[20], bal[32];
  int ex;
  size_t code_len;
  tu_addr(addr, 0x1000);
  evm_state_account(w.r.state, addr, &ex, NULL, bal, NULL, &code_len);
  assert_true(ex);
  assert_int_equal(code_len, 4);
  assert_int_equal(bal[31], 0);
  tu_addr(addr, 0x4444);
  evm_state_account(w.r.state, addr, &ex, NULL, bal, NULL, NULL);
  assert_true(ex);
  assert_int_equal(bal[31], 50);
  tu_free(&w);
  /* Created and destroyed in one transaction: the init code self-destructs
   * (SELFDESTRUCT(0x4444)); the new account is gone, its value moved. */
  tu_init(&w, BLK_FORK_CANCUN);
  tu_tx(&w, 0, 100000, 9, "614444ff");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  uint8_t created[20];
  evm_create_address(w.sender, 0, created);
  evm_state_account(w.r.state, created, &ex, NULL, NULL, NULL, NULL);
  assert_false(ex);
  tu_addr(addr, 0x4444);
  evm_state_account(w.r.state, addr, &ex, NULL, bal, NULL, NULL);
  assert_true(ex);
  assert_int_equal(bal[31], 9);
  tu_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_address), cmocka_unit_test(test_create2_address),
      cmocka_unit_test(test_create_tx),      cmocka_unit_test(test_create_rules),
      cmocka_unit_test(test_create_opcode_and_collision), cmocka_unit_test(test_selfdestruct_6780),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
