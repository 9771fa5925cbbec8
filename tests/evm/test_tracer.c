/* Tracer events on small programs: steps (pc, opcode, gas before/after,
 * stack depth, call depth), memory ranges, storage accesses with their
 * warm/cold status, Keccak permutation counts, arithmetic operand sizes,
 * signature recoveries and transaction boundaries; and the opcode table
 * generated from opcodes.def. A traced run must give the same result as an
 * untraced one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/gas.h"
#include "evm_test_util.h"

#define C 0x1000

typedef struct {
  size_t steps, mem_r, mem_w, st_r, st_w, st_cold, tst, keccak_calls, arith, sig, tx_start, tx_end;
  uint64_t mem_bytes, keccak_perms, trie_perms;
  size_t trie_calls;
  evm_step_event ev[64];
  uint16_t arith_bits[8][2];
  uint8_t arith_op[8];
} counts;

static void on_step(void *ctx, const evm_step_event *e) {
  counts *c = ctx;
  if (c->steps < 64) c->ev[c->steps] = *e;
  c->steps++;
}
static void on_memory(void *ctx, uint64_t off, uint64_t size, int w) {
  counts *c = ctx;
  (void)off;
  if (w)
    c->mem_w++;
  else
    c->mem_r++;
  c->mem_bytes += size;
}
static void on_storage(void *ctx, const uint8_t a[20], const uint8_t k[32], int w, int cold, int transient) {
  counts *c = ctx;
  (void)a;
  (void)k;
  if (transient) {
    c->tst++;
    return;
  }
  if (w)
    c->st_w++;
  else
    c->st_r++;
  c->st_cold += (size_t)cold;
}
static void on_keccak(void *ctx, uint64_t n, evm_keccak_source src) {
  counts *c = ctx;
  if (src == EVM_KECCAK_TRIE) {
    c->trie_calls++;
    c->trie_perms += n;
  }
  if (src != EVM_KECCAK_OPCODE) return;
  c->keccak_calls++;
  c->keccak_perms += n;
}
static void on_arith(void *ctx, uint8_t op, uint16_t a, uint16_t b) {
  counts *c = ctx;
  if (c->arith < 8) {
    c->arith_op[c->arith] = op;
    c->arith_bits[c->arith][0] = a;
    c->arith_bits[c->arith][1] = b;
  }
  c->arith++;
}
static void on_sig(void *ctx, evm_sig_source src) {
  counts *c = ctx;
  (void)src;
  c->sig++;
}
static void on_tx_start(void *ctx, size_t i) {
  counts *c = ctx;
  (void)i;
  c->tx_start++;
}
static void on_tx_end(void *ctx, size_t i, uint64_t gas, int invalid) {
  counts *c = ctx;
  (void)i;
  (void)gas;
  (void)invalid;
  c->tx_end++;
}

static evm_tracer full(counts *c) {
  evm_tracer t;
  memset(&t, 0, sizeof t);
  t.ctx = c;
  t.on_step = on_step;
  t.on_memory = on_memory;
  t.on_storage = on_storage;
  t.on_keccak = on_keccak;
  t.on_arith = on_arith;
  t.on_sigrecover = on_sig;
  t.on_tx_start = on_tx_start;
  t.on_tx_end = on_tx_end;
  return t;
}

static void test_steps_and_arith(void **s) {
  (void)s;
  /* PUSH1 1; PUSH1 2; ADD; PUSH1 0; MSTORE; STOP */
  tu_world w;
  counts c;
  memset(&c, 0, sizeof c);
  evm_tracer t = full(&c);
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "6001600201600052" "00", 0);
  tu_tx(&w, C, 100000, 0, "");
  assert_int_equal(tu_run(&w, &t), EVM_OK);
  assert_int_equal(c.steps, 6);
  const uint8_t ops[6] = {0x60, 0x60, 0x01, 0x60, 0x52, 0x00};
  const uint32_t pcs[6] = {0, 2, 4, 5, 7, 8};
  const uint16_t depth[6] = {0, 1, 2, 1, 2, 0};
  const uint64_t cost[6] = {3, 3, 3, 3, 6, 0}; /* MSTORE: 3 + 3 for one word */
  uint64_t g = 100000 - 21000;
  for (int i = 0; i < 6; i++) {
    assert_int_equal(c.ev[i].opcode, ops[i]);
    assert_int_equal(c.ev[i].pc, pcs[i]);
    assert_int_equal(c.ev[i].stack_depth, depth[i]);
    assert_int_equal(c.ev[i].call_depth, 0);
    assert_int_equal(c.ev[i].gas_before, g);
    assert_int_equal(c.ev[i].gas_after, g - cost[i]);
    g -= cost[i];
  }
  assert_int_equal(c.ev[4].memory_size, 32);
  assert_int_equal(c.arith, 1);
  assert_int_equal(c.arith_op[0], 0x01);
  assert_int_equal(c.arith_bits[0][0], 2); /* top: 2 */
  assert_int_equal(c.arith_bits[0][1], 1); /* then 1 */
  assert_int_equal(c.mem_w, 1);
  assert_int_equal(c.mem_r, 0);
  assert_int_equal(c.mem_bytes, 32);
  assert_int_equal(c.sig, 1);
  assert_int_equal(c.tx_start, 1);
  assert_int_equal(c.tx_end, 1);
  assert_int_equal(w.r.steps, 6);
  tu_free(&w);
}

static void test_storage_and_keccak(void **s) {
  (void)s;
  /* SLOAD(0) cold; SLOAD(0) warm; SSTORE(1, 5) cold; TSTORE(1, 1); TLOAD(1);
   * KECCAK256(0, 200): 200 bytes -> 2 permutations; KECCAK256(0, 0): 1. */
  tu_world w;
  counts c;
  memset(&c, 0, sizeof c);
  evm_tracer t = full(&c);
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "600054" "600054" "6005600155" "600160015d" "60015c" "60c8600020" "6000600020" "00", 0);
  tu_tx(&w, C, 200000, 0, "");
  assert_int_equal(tu_run(&w, &t), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(c.st_r, 2);
  assert_int_equal(c.st_w, 1);
  assert_int_equal(c.st_cold, 2);
  assert_int_equal(c.tst, 2);
  assert_int_equal(c.keccak_calls, 2);
  assert_int_equal(c.keccak_perms, 3);
  assert_int_equal(c.mem_r, 1); /* the 200-byte hash input; the empty one is no access */
  assert_int_equal(c.mem_bytes, 200);
  /* The post-state root is reported once: at least one permutation per
   * account (3: sender, contract, coinbase) and per slot (1) for the key
   * hashes, plus the node hashes (the account trie root at least). */
  assert_int_equal(c.trie_calls, 1);
  assert_true(c.trie_perms >= 3 + 1 + 1);
  tu_free(&w);
}

static void test_call_depth_and_same_result(void **s) {
  (void)s;
  /* 0x1000 calls 0x2000 (PUSH1 1; STOP): the callee's steps have call
   * depth 1 and come before the CALL's own step. */
  const char *caller = "60006000600060006000612000" "5a" "f1" "00";
  tu_world w, w2;
  counts c;
  memset(&c, 0, sizeof c);
  evm_tracer t = full(&c);
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, caller, 0);
  tu_contract(&w, 0x2000, "600100", 0);
  tu_tx(&w, C, 100000, 0, "");
  assert_int_equal(tu_run(&w, &t), EVM_OK);
  /* caller: 5 PUSH1, PUSH2, GAS, CALL, STOP = 9; callee: 2 */
  assert_int_equal(c.steps, 11);
  assert_int_equal(c.ev[7].call_depth, 1);
  assert_int_equal(c.ev[8].call_depth, 1);
  assert_int_equal(c.ev[9].opcode, 0xf1);
  assert_int_equal(c.ev[9].call_depth, 0);
  tu_init(&w2, BLK_FORK_CANCUN);
  tu_contract(&w2, C, caller, 0);
  tu_contract(&w2, 0x2000, "600100", 0);
  tu_tx(&w2, C, 100000, 0, "");
  assert_int_equal(tu_run(&w2, NULL), EVM_OK);
  assert_memory_equal(w.r.state_root, w2.r.state_root, 32);
  assert_int_equal(w.r.gas_used, w2.r.gas_used);
  assert_int_equal(w.r.steps, w2.r.steps);
  tu_free(&w);
  tu_free(&w2);
}

static void test_opcode_table(void **s) {
  (void)s;
  /* Spot checks of the generated tables against the Yellow Paper / EIPs. */
  assert_string_equal(evm_op_name(0x01), "ADD");
  assert_string_equal(evm_op_name(0x5f), "PUSH0");
  assert_string_equal(evm_op_name(0x7f), "PUSH32");
  assert_string_equal(evm_op_name(0x9f), "SWAP16");
  assert_string_equal(evm_op_name(0x0c), "UNDEFINED");
  assert_int_equal(evm_op_table[0x08].stack_in, 3); /* ADDMOD */
  assert_int_equal(evm_op_table[0xf1].stack_in, 7); /* CALL */
  assert_int_equal(evm_op_table[0xf4].stack_in, 6); /* DELEGATECALL */
  assert_int_equal(evm_op_table[0x8f].stack_out, 17); /* DUP16 */
  const uint16_t *cg = evm_gas_table(BLK_FORK_CANCUN), *og = evm_gas_table(BLK_FORK_OSAKA);
  assert_int_equal(cg[0x1e], EVM_GAS_UNDEFINED);
  assert_int_equal(og[0x1e], 5);
  assert_int_equal(cg[0x20], 30);
  assert_int_equal(cg[0x5b], 1);
  assert_int_equal(cg[0x5c], 100);
  assert_int_equal(cg[0xa4], 1875);
  assert_int_equal(cg[0xf0], 32000);
  assert_int_equal(cg[0xff], 5000);
  assert_int_equal(cg[0xfe], 0);
  /* Every defined byte has a name, and the count of Cancun instructions:
   * 0x00-0x0b (12), 0x10-0x1d (14), 0x20, 0x30-0x4a (27), 0x50-0x5f (16),
   * PUSH/DUP/SWAP (64), LOG (5), 0xf0-0xf5 (6), 0xfa, 0xfd, 0xfe, 0xff. */
  int n = 0;
  for (int op = 0; op < 256; op++) n += evm_op_defined(BLK_FORK_CANCUN, (uint8_t)op);
  assert_int_equal(n, 12 + 14 + 1 + 27 + 16 + 64 + 5 + 6 + 4);
  assert_true(evm_op_defined(BLK_FORK_OSAKA, 0x1e));
  assert_false(evm_op_defined(BLK_FORK_PRAGUE, 0x1e));
  assert_string_equal(evm_op_class_name((evm_op_class)evm_op_table[0x02].cls), "ARITH256_MUL");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_steps_and_arith),
      cmocka_unit_test(test_storage_and_keccak),
      cmocka_unit_test(test_call_depth_and_same_result),
      cmocka_unit_test(test_opcode_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
