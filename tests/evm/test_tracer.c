/* Tracer events on small programs: steps (pc, opcode, gas before/after,
 * stack depth, call depth), memory ranges, storage accesses with their
 * warm/cold status, Keccak permutation counts, arithmetic operand sizes,
 * signature recoveries and transaction boundaries; the bytes of every hash
 * (on_keccak_data, down to the trie nodes of the post-state root, and
 * mpt_root_traced on its own) and the values of arithmetic (on_arith_values);
 * and the opcode table generated from opcodes.def. A traced run must give the same result as an
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
#include "evm/mpt.h"
#include "hash/keccak.h"
#include "evm_test_util.h"

#define C 0x1000

typedef struct {
  size_t steps, mem_r, mem_w, st_r, st_w, st_cold, tst, keccak_calls, arith, sig, tx_start, tx_end;
  uint64_t mem_bytes, keccak_perms, trie_perms;
  size_t trie_calls;
  evm_step_event ev[64];
  uint16_t arith_bits[8][2];
  uint8_t arith_op[8];
  size_t mem_n; /* memory events, the first 8 kept */
  struct {
    uint32_t frame;
    uint64_t off, size;
    int w;
    uint8_t data[64];
  } mem[8];
} counts;

static void on_step(void *ctx, const evm_step_event *e) {
  counts *c = ctx;
  if (c->steps < 64) c->ev[c->steps] = *e;
  c->steps++;
}
static void on_memory(void *ctx, uint32_t frame, uint64_t off, uint64_t size, int w, const uint8_t *data) {
  counts *c = ctx;
  if (c->mem_n < 8) {
    c->mem[c->mem_n].frame = frame;
    c->mem[c->mem_n].off = off;
    c->mem[c->mem_n].size = size;
    c->mem[c->mem_n].w = w;
    memcpy(c->mem[c->mem_n].data, data, size < 64 ? size : 64);
  }
  c->mem_n++;
  if (w)
    c->mem_w++;
  else
    c->mem_r++;
  c->mem_bytes += size;
}
static void on_storage(void *ctx, const uint8_t a[20], const uint8_t k[32], int w, int cold, int transient,
                       const uint8_t before[32], const uint8_t after[32]) {
  counts *c = ctx;
  (void)a;
  (void)k;
  (void)before;
  (void)after;
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

/* Storage events as a replay sees them: kind ('r', 'w', 'u' for undone),
 * the address's and key's low bytes, transient, and the values' low bytes. */
typedef struct {
  int n;
  struct {
    char kind;
    uint8_t addr_lo, addr_hi, key, before, after;
    int transient;
  } e[16];
} sto_log;

static void sto_add(sto_log *l, char kind, const uint8_t a[20], const uint8_t k[32], int transient,
                    const uint8_t before[32], const uint8_t after[32]) {
  if (l->n == 16) fail_msg("more storage events than expected");
  for (int i = 0; i < 31; i++)
    if (before[i] || after[i] || k[i]) fail_msg("a value or key above 255");
  l->e[l->n].kind = kind;
  l->e[l->n].addr_lo = a[19];
  l->e[l->n].addr_hi = a[18];
  l->e[l->n].key = k[31];
  l->e[l->n].before = before[31];
  l->e[l->n].after = after[31];
  l->e[l->n].transient = transient;
  l->n++;
}
static void log_storage(void *ctx, const uint8_t a[20], const uint8_t k[32], int w, int cold, int transient,
                        const uint8_t before[32], const uint8_t after[32]) {
  (void)cold;
  sto_add(ctx, w ? 'w' : 'r', a, k, transient, before, after);
}
static void log_storage_undo(void *ctx, const uint8_t a[20], const uint8_t k[32], int transient,
                             const uint8_t before[32], const uint8_t after[32]) {
  sto_add(ctx, 'u', a, k, transient, before, after);
}

/* on_storage passes each access's value before and after; a callee's
 * writes undone by its REVERT come back through on_storage_undo, latest
 * first, so the caller's next read finds what a replay holds. */
static void test_storage_values_and_undo(void **s) {
  (void)s;
  /* C (slot 0 = 7): SLOAD(0); SSTORE(0, 9); CALL 0x2000; SLOAD(0).
   * 0x2000: SSTORE(1, 3); TSTORE(1, 4); REVERT(0, 0). */
  tu_world w;
  sto_log l;
  memset(&l, 0, sizeof l);
  evm_tracer t;
  memset(&t, 0, sizeof t);
  t.ctx = &l;
  t.on_storage = log_storage;
  t.on_storage_undo = log_storage_undo;
  tu_init(&w, BLK_FORK_CANCUN);
  blk_account *ca = tu_contract(&w, C, "600054" "6009600055" "60006000600060006000612000" "5a" "f1" "600054" "00", 0);
  tu_slot(ca, 0, 7);
  tu_contract(&w, 0x2000, "6003600155" "600460015d" "60006000fd", 0);
  tu_tx(&w, C, 200000, 0, "");
  assert_int_equal(tu_run(&w, &t), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  const struct {
    char kind;
    uint16_t addr;
    uint8_t key, before, after;
    int transient;
  } want[7] = {{'r', C, 0, 7, 7, 0},      {'w', C, 0, 7, 9, 0},      {'w', 0x2000, 1, 0, 3, 0},
               {'w', 0x2000, 1, 0, 4, 1}, {'u', 0x2000, 1, 4, 0, 1}, {'u', 0x2000, 1, 3, 0, 0},
               {'r', C, 0, 9, 9, 0}};
  assert_int_equal(l.n, 7);
  for (int i = 0; i < 7; i++) {
    assert_int_equal(l.e[i].kind, want[i].kind);
    assert_int_equal(l.e[i].addr_lo | l.e[i].addr_hi << 8, want[i].addr);
    assert_int_equal(l.e[i].key, want[i].key);
    assert_int_equal(l.e[i].before, want[i].before);
    assert_int_equal(l.e[i].after, want[i].after);
    assert_int_equal(l.e[i].transient, want[i].transient);
  }
  assert_int_equal(tu_storage64(&w, C, 0), 9);
  assert_int_equal(tu_storage64(&w, 0x2000, 1), 0);
  tu_free(&w);
}

/* on_memory names each access's frame and passes the bytes as the access
 * leaves them, in the order the accesses happen: MCOPY's read before its
 * copy, a CALL's input read before the callee and its output write after. */
static void test_memory_frames_and_data(void **s) {
  (void)s;
  /* MSTORE8(0, 0xab); MCOPY(1, 0, 32); CALL 0x2000 with input [0, 32) and
   * output to [64, 96); the callee: MSTORE8(0, 0x77); RETURN(0, 32). */
  tu_world w;
  counts c;
  memset(&c, 0, sizeof c);
  evm_tracer t = full(&c);
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "60ab600053" "602060006001" "5e" "60206040602060006000612000" "5a" "f1" "00", 0);
  tu_contract(&w, 0x2000, "6077600053" "60206000f3", 0);
  tu_tx(&w, C, 200000, 0, "");
  assert_int_equal(tu_run(&w, &t), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(c.mem_n, 7);
  const struct {
    int callee, w;
    uint64_t off, size;
    uint8_t b0, b1;
  } want[7] = {{0, 1, 0, 1, 0xab, 0},   {0, 0, 0, 32, 0xab, 0},   {0, 1, 1, 32, 0xab, 0},
               {0, 0, 0, 32, 0xab, 0xab}, {1, 1, 0, 1, 0x77, 0}, {1, 0, 0, 32, 0x77, 0},
               {0, 1, 64, 32, 0x77, 0}};
  uint32_t f0 = c.mem[0].frame;
  for (int i = 0; i < 7; i++) {
    assert_int_equal(c.mem[i].frame, want[i].callee ? f0 + 1 : f0);
    assert_int_equal(c.mem[i].w, want[i].w);
    assert_int_equal(c.mem[i].off, want[i].off);
    assert_int_equal(c.mem[i].size, want[i].size);
    assert_int_equal(c.mem[i].data[0], want[i].b0);
    if (want[i].size > 1) assert_int_equal(c.mem[i].data[1], want[i].b1);
  }
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

/* ---- on_arith_values ---- */

typedef struct {
  uint8_t op;
  u256 a, b, c, r;
  int has_b, has_c;
} arith_rec;

typedef struct {
  arith_rec rec[8];
  size_t n, counted;
} arith_log;

static void on_arith_count(void *ctx, uint8_t op, uint16_t a, uint16_t b) {
  (void)op;
  (void)a;
  (void)b;
  ((arith_log *)ctx)->counted++;
}

static void on_arith_values(void *ctx, uint8_t op, const u256 *a, const u256 *b, const u256 *c, const u256 *r) {
  arith_log *l = ctx;
  if (l->n < 8) {
    arith_rec *x = &l->rec[l->n];
    x->op = op;
    x->a = *a;
    x->has_b = b != NULL;
    x->has_c = c != NULL;
    x->b = b ? *b : u256_zero();
    x->c = c ? *c : u256_zero();
    x->r = *r;
  }
  l->n++;
}

static void expect_arith(const arith_rec *x, uint8_t op, uint64_t a, int has_b, uint64_t b, int has_c, uint64_t c,
                         uint64_t r) {
  assert_int_equal(x->op, op);
  u256 e = u256_from_u64(a);
  assert_true(u256_eq(&x->a, &e));
  assert_int_equal(x->has_b, has_b);
  e = u256_from_u64(b);
  if (has_b) assert_true(u256_eq(&x->b, &e));
  assert_int_equal(x->has_c, has_c);
  e = u256_from_u64(c);
  if (has_c) assert_true(u256_eq(&x->c, &e));
  e = u256_from_u64(r);
  assert_true(u256_eq(&x->r, &e));
}

static void test_arith_values(void **s) {
  (void)s;
  /* 10 - 3; (4 + 5) mod 7; ISZERO 0; 2 ** 3; (2^256 - 1) * 2; (6 * 5) mod 4 */
  tu_world w;
  arith_log l;
  memset(&l, 0, sizeof l);
  evm_tracer t;
  memset(&t, 0, sizeof t);
  t.ctx = &l;
  t.on_arith = on_arith_count;
  t.on_arith_values = on_arith_values;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C,
              "6003600a03" "60076005600408" "600015" "600360020a"
              "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" "600202"
              "60046005600609" "00",
              0);
  tu_tx(&w, C, 100000, 0, "");
  assert_int_equal(tu_run(&w, &t), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(l.n, 6);
  assert_int_equal(l.counted, 6);
  expect_arith(&l.rec[0], 0x03, 10, 1, 3, 0, 0, 7);
  expect_arith(&l.rec[1], 0x08, 4, 1, 5, 1, 7, 2);
  expect_arith(&l.rec[2], 0x15, 0, 0, 0, 0, 0, 1);
  expect_arith(&l.rec[3], 0x0a, 2, 1, 3, 0, 0, 8);
  /* MUL: a = 2, b = 2^256 - 1, result 2^256 - 2 */
  const arith_rec *m = &l.rec[4];
  assert_int_equal(m->op, 0x02);
  u256 two = u256_from_u64(2), one = u256_from_u64(1), zero = u256_zero(), max, r;
  u256_not(&max, &zero);
  assert_true(u256_eq(&m->a, &two));
  assert_true(u256_eq(&m->b, &max));
  u256_sub(&r, &max, &one);
  assert_true(u256_eq(&m->r, &r));
  expect_arith(&l.rec[5], 0x09, 6, 1, 5, 1, 4, 2);
  tu_free(&w);
}

/* ---- on_keccak_data ---- */

typedef struct {
  uint8_t *p;
  size_t len;
  evm_keccak_source src;
} hashed;

typedef struct {
  hashed h[64];
  size_t n;
  uint64_t counted[4], data_perms[4];
} kdata;

static void kd_count(void *ctx, uint64_t n, evm_keccak_source src) { ((kdata *)ctx)->counted[src] += n; }

static void kd_data(void *ctx, const uint8_t *d, size_t len, evm_keccak_source src) {
  kdata *k = ctx;
  k->data_perms[src] += keccak256_permutations(len);
  if (k->n == 64) return;
  hashed *h = &k->h[k->n++];
  h->p = malloc(len ? len : 1);
  if (len) memcpy(h->p, d, len);
  h->len = len;
  h->src = src;
}

static void kd_free(kdata *k) {
  for (size_t i = 0; i < k->n; i++) free(k->h[i].p);
}

static void test_keccak_data(void **s) {
  (void)s;
  /* CALLDATACOPY(0, 0, size); KECCAK256(0, 0); KECCAK256(3, 137);
   * CREATE2(0, 0, 10, 0x2a) of the init code at calldata 0, which deploys
   * the one-byte code 01; then a create transaction with the same init code. */
  static const char init[] = "60016000536001" "6000f3";
  char data[2 * 200 + 1];
  strcpy(data, init);
  for (size_t i = 10; i < 200; i++) sprintf(data + 2 * i, "%02x", (unsigned)((i * 7 + 3) & 0xff));
  tu_world w;
  kdata k;
  memset(&k, 0, sizeof k);
  evm_tracer t;
  memset(&t, 0, sizeof t);
  t.ctx = &k;
  t.on_keccak = kd_count;
  t.on_keccak_data = kd_data;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "3660006000" "37" "6000600020" "50" "6100896003" "20" "50" "602a600a60006000f5" "00", 0);
  tu_tx(&w, C, 300000, 0, data);
  tu_tx(&w, 0, 100000, 0, init);
  assert_int_equal(tu_run(&w, &t), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(w.r.txs[1].status, EVM_TX_SUCCESS);
  /* the bytes account for every permutation counted, source by source */
  for (int i = 0; i < 4; i++) assert_int_equal(k.data_perms[i], k.counted[i]);
  assert_true(k.n < 64);
  const uint8_t *cd = w.b.txs[0].data.data;
  /* KECCAK256: the empty string, then memory [3, 140) = calldata */
  assert_int_equal(k.h[0].src, EVM_KECCAK_OPCODE);
  assert_int_equal(k.h[0].len, 0);
  assert_int_equal(k.h[1].src, EVM_KECCAK_OPCODE);
  assert_int_equal(k.h[1].len, 137);
  assert_memory_equal(k.h[1].p, cd + 3, 137);
  /* CREATE2: the init code, then 0xff ++ C ++ salt ++ keccak256(init), whose
   * hash names an account that now holds the deployed code */
  assert_int_equal(k.h[2].src, EVM_KECCAK_CREATE);
  assert_int_equal(k.h[2].len, 10);
  assert_memory_equal(k.h[2].p, cd, 10);
  assert_int_equal(k.h[3].len, 85);
  uint8_t c_addr[20], ih[32], h[32];
  tu_addr(c_addr, C);
  assert_int_equal(k.h[3].p[0], 0xff);
  assert_memory_equal(k.h[3].p + 1, c_addr, 20);
  assert_int_equal(k.h[3].p[52], 0x2a);
  keccak256(cd, 10, ih);
  assert_memory_equal(k.h[3].p + 53, ih, 32);
  keccak256(k.h[3].p, 85, h);
  const uint8_t *code = NULL;
  size_t code_len = 0;
  int exists = 0;
  evm_state_account(w.r.state, h + 12, &exists, NULL, NULL, &code, &code_len);
  assert_true(exists);
  assert_int_equal(code_len, 1);
  /* the deployed code's hash */
  assert_int_equal(k.h[4].src, EVM_KECCAK_CREATE);
  assert_int_equal(k.h[4].len, 1);
  assert_int_equal(k.h[4].p[0], 0x01);
  /* the create transaction: rlp([sender, nonce 1]) hashes to its address */
  assert_int_equal(k.h[5].src, EVM_KECCAK_TX);
  keccak256(k.h[5].p, k.h[5].len, h);
  assert_memory_equal(h + 12, w.r.txs[1].contract_address, 20);
  assert_int_equal(k.h[6].src, EVM_KECCAK_CREATE);
  assert_int_equal(k.h[6].len, 1);
  /* the trie comes last, its last string hashing to the state root */
  size_t trie_first = 7;
  for (size_t i = trie_first; i < k.n; i++) assert_int_equal(k.h[i].src, EVM_KECCAK_TRIE);
  assert_true(k.n > trie_first);
  keccak256(k.h[k.n - 1].p, k.h[k.n - 1].len, h);
  assert_memory_equal(h, w.r.state_root, 32);
  kd_free(&k);
  tu_free(&w);
}

/* ---- mpt_root_traced ---- */

typedef struct {
  uint8_t *p[4096];
  size_t len[4096];
  size_t n;
  uint64_t perms;
} node_log;

static void on_node(void *ctx, const uint8_t *d, size_t len) {
  node_log *l = ctx;
  l->perms += keccak256_permutations(len);
  assert_true(l->n < 4096);
  l->p[l->n] = malloc(len);
  memcpy(l->p[l->n], d, len);
  l->len[l->n++] = len;
}

/* Is a0 ++ h (a 32-byte child reference) inside enc? */
static int holds_ref(const uint8_t *enc, size_t len, const uint8_t h[32]) {
  for (size_t i = 0; i + 33 <= len; i++)
    if (enc[i] == 0xa0 && memcmp(enc + i + 1, h, 32) == 0) return 1;
  return 0;
}

/* Every node reported but the root is referred to by hash from a node
 * reported after it; the last one hashes to the root. */
static void check_nodes(const mpt_kv *kv, size_t n) {
  node_log l;
  memset(&l, 0, sizeof l);
  mpt_stats st;
  uint8_t root[32], plain[32], h[32];
  assert_int_equal(mpt_root_traced(kv, n, root, &st, on_node, &l), MPT_OK);
  assert_int_equal(mpt_root(kv, n, plain), MPT_OK);
  assert_memory_equal(root, plain, 32);
  assert_int_equal(l.n, st.hashed_nodes);
  assert_int_equal(l.perms, st.keccak_perms);
  assert_true(l.n >= 1);
  for (size_t i = 0; i + 1 < l.n; i++) {
    assert_true(l.len[i] >= 32);
    keccak256(l.p[i], l.len[i], h);
    int found = 0;
    for (size_t j = i + 1; j < l.n && !found; j++) found = holds_ref(l.p[j], l.len[j], h);
    if (!found) fail_msg("node %zu of %zu is not referred to by a later node", i, l.n);
  }
  keccak256(l.p[l.n - 1], l.len[l.n - 1], h);
  assert_memory_equal(h, root, 32);
  for (size_t i = 0; i < l.n; i++) free(l.p[i]);
}

static void test_mpt_traced(void **s) {
  (void)s;
  enum { N = 300 };
  static uint8_t keys[N][32], vals[N][40];
  mpt_kv kv[N];
  uint32_t x = 12345;
  for (size_t i = 0; i < N; i++) {
    for (int b = 0; b < 32; b++) keys[i][b] = (uint8_t)((x = x * 1103515245u + 12345u) >> 24);
    for (int b = 0; b < 40; b++) vals[i][b] = (uint8_t)((x = x * 1103515245u + 12345u) >> 24);
  }
  /* 32-byte keys with long values: every node is hashed */
  for (size_t i = 0; i < N; i++) kv[i] = (mpt_kv){keys[i], 32, vals[i], 1 + i % 40};
  check_nodes(kv, N);
  /* 2-byte keys with 1-byte values: leaves are embedded in their parents */
  for (size_t i = 0; i < N; i++) kv[i] = (mpt_kv){keys[i], 2, vals[i], 1};
  size_t m = 0; /* distinct 2-byte keys only */
  for (size_t i = 0; i < N; i++) {
    int dup = 0;
    for (size_t j = 0; j < m && !dup; j++) dup = memcmp(kv[j].key, kv[i].key, 2) == 0;
    if (!dup) kv[m++] = kv[i];
  }
  check_nodes(kv, m);
  /* one short pair: the root is hashed though shorter than 32 bytes */
  check_nodes(kv, 1);
  /* the empty trie reports nothing */
  node_log l;
  memset(&l, 0, sizeof l);
  uint8_t root[32];
  assert_int_equal(mpt_root_traced(NULL, 0, root, NULL, on_node, &l), MPT_OK);
  assert_int_equal(l.n, 0);
  assert_memory_equal(root, mpt_empty_root, 32);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_steps_and_arith),
      cmocka_unit_test(test_storage_values_and_undo), cmocka_unit_test(test_storage_and_keccak),
      cmocka_unit_test(test_call_depth_and_same_result),
      cmocka_unit_test(test_memory_frames_and_data),
      cmocka_unit_test(test_opcode_table),
      cmocka_unit_test(test_arith_values),
      cmocka_unit_test(test_keccak_data),
      cmocka_unit_test(test_mpt_traced),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
