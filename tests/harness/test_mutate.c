/* The block mutator: every output of thousands of mutation chains (from smoke
 * blocks, a mainnet-like block and garbage) decodes, re-encodes to the same
 * bytes, keeps every transaction within the per-transaction cap and the sum
 * within the block gas limit, and executes with EVM_OK and no transaction
 * rejected; every operator runs; bytecode edits keep every instruction
 * boundary outside the edit (no PUSH immediate split) and move jump targets;
 * a seed fixes the output; crossover children carry transactions of both
 * parents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/evm.h"
#include "evm/gas.h"
#include "gen.h"
#include "gen_mainnet.h"
#include "hunt.h"
#include "mutate.h"

#define MAX_OUT (1u << 20)

/* Smoke blocks the chains start from, cut to a small gas limit so that each
 * execution stays short (the mutator re-fits them). */
static const char *const seeds[] = {"mulmod", "keccak", "transfers", "modexp_even", "call", "calldata",
                                    "sstore_new", "blake2f", "ecrecover", "mcopy", "create2", "push32"};
#define N_SEEDS (sizeof seeds / sizeof seeds[0])
#define SEED_GAS 400000

static uint8_t *load_seed(const char *name, size_t *len) {
  char path[256];
  snprintf(path, sizeof path, "corpus/smoke/%s_1M.blk", name);
  blk_block b;
  if (blk_read_file(path, &b, NULL) != BLK_OK) fail_msg("cannot read %s", path);
  b.env.gas_limit = SEED_GAS;
  uint8_t *enc;
  assert_int_equal(blk_encode(&b, &enc, len), BLK_OK);
  blk_free(&b);
  return enc;
}

typedef struct {
  uint64_t outputs, txs, executed_txs, unchanged;
} tally;

/* Everything an output must satisfy. */
static void check_output(const uint8_t *out, size_t n, const mut_opts *o, tally *t) {
  assert_true(n > 0);
  blk_block b;
  blk_error err;
  int rc = blk_decode(out, n, &b, &err);
  if (rc != BLK_OK) fail_msg("output does not decode: %s at %zu", err.msg, err.offset);
  uint8_t *enc;
  size_t len;
  assert_int_equal(blk_encode(&b, &enc, &len), BLK_OK);
  assert_int_equal(len, n);
  assert_memory_equal(enc, out, n);
  free(enc);
  uint64_t sum = 0;
  for (size_t i = 0; i < b.n_txs; i++) {
    assert_true(b.txs[i].gas_limit <= o->tx_gas_cap);
    assert_true(b.txs[i].gas_limit >= 21000);
    sum += b.txs[i].gas_limit;
  }
  assert_true(sum <= b.env.gas_limit);
  assert_true(b.n_txs <= o->max_txs);
  evm_block_result r;
  rc = evm_execute_block(&b, NULL, &r);
  if (rc != EVM_OK) fail_msg("executor error %d (%s)", rc, evm_strerror(rc));
  for (size_t i = 0; i < r.n_txs; i++)
    if (r.txs[i].status == EVM_TX_INVALID)
      fail_msg("tx %zu of %zu (type %u) rejected: %s", i, r.n_txs, b.txs[i].type, evm_invalid_name(r.txs[i].invalid));
  assert_true(r.gas_used <= b.env.gas_limit);
  t->outputs++;
  t->txs += b.n_txs;
  t->executed_txs += r.n_txs;
  evm_block_result_free(&r);
  blk_free(&b);
}

/* A chain of `steps` mutations from in, each output the next input. */
static void chain(const uint8_t *in, size_t len, uint64_t seed, int steps, const mut_opts *o, uint8_t *buf,
                  uint8_t *cur, tally *t) {
  size_t n = len;
  memcpy(cur, in, len);
  for (int k = 0; k < steps; k++) {
    size_t m = mut_block(cur, n, buf, MAX_OUT, seed * 1000 + (uint64_t)k, o);
    check_output(buf, m, o, t);
    t->unchanged += m == n && memcmp(buf, cur, m) == 0;
    memcpy(cur, buf, m);
    n = m;
  }
}

static void test_outputs_valid_and_every_operator_runs(void **state) {
  (void)state;
  mut_stats st;
  memset(&st, 0, sizeof st);
  mut_opts o = mut_opts_default();
  o.stats = &st;
  uint8_t *buf = malloc(MAX_OUT), *cur = malloc(MAX_OUT);
  assert_non_null(buf);
  assert_non_null(cur);
  tally t = {0};
  /* chains of 25 from each smoke block: 12 x 10 x 25 = 3000 outputs */
  for (size_t s = 0; s < N_SEEDS; s++) {
    size_t len;
    uint8_t *in = load_seed(seeds[s], &len);
    for (uint64_t c = 0; c < 10; c++) chain(in, len, s * 100 + c, 25, &o, buf, cur, &t);
    free(in);
  }
  /* garbage: empty, random bytes, a truncated block: 200 chains of 5 */
  size_t len;
  uint8_t *good = load_seed("mulmod", &len);
  uint8_t junk[300];
  for (uint64_t g = 0; g < 200; g++) {
    size_t n = 0;
    if (g % 4 == 1) {
      n = 1 + g % sizeof junk;
      for (size_t i = 0; i < n; i++) junk[i] = (uint8_t)(g * 131 + i * 17);
    } else if (g % 4 == 2) {
      n = len / 2;
      memcpy(junk, good, n < sizeof junk ? n : sizeof junk);
      if (n > sizeof junk) n = sizeof junk;
    } else if (g % 4 == 3) {
      n = len < sizeof junk ? len : sizeof junk;
      memcpy(junk, good, n);
      junk[g % n] ^= 0x40; /* one flipped bit: almost always rejected by the decoder */
    }
    chain(junk, n, 7000 + g, 5, &o, buf, cur, &t);
  }
  free(good);
  /* a mainnet-like block (all transaction types, blobs, authorizations) */
  genm_mix mix;
  genm_error gerr;
  if (genm_mix_load("corpus/mainnet-mix.tsv", &mix, &gerr) == GENM_OK) {
    gen_params p = {3000000, BLK_FORK_PRAGUE, 3};
    blk_block mb;
    uint64_t used;
    assert_int_equal(genm_block(&mix, &p, 0, &mb, &used), GENM_OK);
    uint8_t *enc;
    assert_int_equal(blk_encode(&mb, &enc, &len), BLK_OK);
    blk_free(&mb);
    for (uint64_t c = 0; c < 10; c++) chain(enc, len, 9000 + c, 10, &o, buf, cur, &t);
    free(enc);
  } else {
    fail_msg("corpus/mainnet-mix.tsv: %s", genm_strerror(GENM_E_MIX));
  }
  print_message("mutate: %llu outputs (%llu unchanged), %llu transactions, all executed\n",
                (unsigned long long)t.outputs, (unsigned long long)t.unchanged, (unsigned long long)t.txs);
  assert_true(t.outputs >= 3000);
  assert_int_equal(t.txs, t.executed_txs);
  /* a mutation that changes nothing is rare (an operator undone by the fix-up) */
  assert_true(t.unchanged * 20 < t.outputs);
  for (int i = 0; i < MUT_OP_COUNT; i++) print_message("  %-14s %llu\n", mut_op_name((mut_op)i), (unsigned long long)st.applied[i]);
  for (int i = 0; i < MUT_OP_COUNT; i++) {
    if (i == MUT_OP_CROSS_TXS || i == MUT_OP_CROSS_CODE) {
      assert_int_equal(st.applied[i], 0); /* mut_block never crosses */
      continue;
    }
    if (st.applied[i] == 0) fail_msg("operator %s never applied", mut_op_name((mut_op)i));
  }
  free(buf);
  free(cur);
}

/* ---- bytecode ---- */

/* Instruction boundaries, as mutate.h defines them: starts, then the end when
 * the last instruction is complete. Returns the count. */
static size_t walk(const uint8_t *c, size_t len, size_t *out) {
  size_t n = 0, pc = 0;
  while (pc < len) {
    out[n++] = pc;
    size_t l = 1 + (c[pc] >= EVM_OP_PUSH1 && c[pc] <= EVM_OP_PUSH32 ? c[pc] - EVM_OP_PUSH1 + 1 : 0);
    if (pc + l > len) return n;
    pc += l;
  }
  out[n++] = len;
  return n;
}

static int has(const size_t *v, size_t n, size_t x) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == x) return 1;
  return 0;
}

static void random_code(mut_rng *r, blk_bytes *c) {
  size_t len = 1 + mut_rng_below(r, 200);
  c->data = malloc(len);
  assert_non_null(c->data);
  c->len = len;
  for (size_t i = 0; i < len; i++) {
    /* a third PUSHes of any width (the last may be cut by the end) */
    c->data[i] = mut_rng_below(r, 3) == 0 ? (uint8_t)(EVM_OP_PUSH1 + mut_rng_below(r, 32)) : (uint8_t)mut_rng_next(r);
  }
}

static void test_code_ops_keep_instruction_boundaries(void **state) {
  (void)state;
  mut_opts o = mut_opts_default();
  mut_rng r;
  mut_rng_seed(&r, 42);
  static const mut_op ops[] = {MUT_OP_CODE_INSERT, MUT_OP_CODE_DELETE, MUT_OP_CODE_DUP,    MUT_OP_CODE_SPLICE,
                               MUT_OP_CODE_SWAP,   MUT_OP_CODE_PUSH,   MUT_OP_CODE_PATTERN};
  uint64_t applied[7] = {0};
  size_t *ob = malloc((EVM_MAX_CODE_SIZE + 2) * sizeof *ob), *nb = malloc((EVM_MAX_CODE_SIZE + 2) * sizeof *nb);
  assert_non_null(ob);
  assert_non_null(nb);
  for (int it = 0; it < 20000; it++) {
    blk_bytes code, donor;
    random_code(&r, &code);
    random_code(&r, &donor);
    size_t k = (size_t)it % 7;
    uint8_t *old = malloc(code.len);
    assert_non_null(old);
    memcpy(old, code.data, code.len);
    size_t old_len = code.len;
    mut_edit e;
    int rc = mut_code_op(&code, ops[k], BLK_FORK_OSAKA, &donor, &r, &o, &e);
    assert_true(rc == 0 || rc == 1);
    if (rc == 1) {
      applied[k]++;
      size_t no = walk(old, old_len, ob), nn = walk(code.data, code.len, nb);
      assert_true(code.len > 0);
      assert_int_equal(code.len, old_len - e.del + e.ins);
      /* the edit starts and ends on old boundaries ... */
      assert_true(has(ob, no, e.pos));
      assert_true(has(ob, no, e.pos + e.del));
      /* ... and the new code has the same boundaries outside it */
      for (size_t i = 0; i < no; i++) {
        if (ob[i] <= e.pos) assert_true(has(nb, nn, ob[i]));
        if (ob[i] >= e.pos + e.del) assert_true(has(nb, nn, ob[i] - e.del + e.ins));
      }
      for (size_t i = 0; i < nn; i++) {
        if (nb[i] <= e.pos) assert_true(has(ob, no, nb[i]));
        if (nb[i] >= e.pos + e.ins) assert_true(has(ob, no, nb[i] + e.del - e.ins));
      }
      /* the inserted bytes end on a boundary: whole instructions only */
      assert_true(has(nb, nn, e.pos + e.ins));
      /* opcodes outside the edit are unchanged (only jump immediates may move) */
      for (size_t i = 0; i < no; i++) {
        size_t p = ob[i];
        if (p >= old_len) continue;
        if (p < e.pos) assert_int_equal(code.data[p], old[p]);
        if (p >= e.pos + e.del) assert_int_equal(code.data[p - e.del + e.ins], old[p]);
      }
      if (ops[k] == MUT_OP_CODE_PUSH) {
        assert_true(old[e.pos] >= EVM_OP_PUSH0 && old[e.pos] <= EVM_OP_PUSH32);
        assert_true(code.data[e.pos] >= EVM_OP_PUSH0 && code.data[e.pos] <= EVM_OP_PUSH32);
      }
    }
    free(old);
    free(code.data);
    free(donor.data);
  }
  for (int k = 0; k < 7; k++)
    if (applied[k] < 1000) fail_msg("%s applied only %llu times", mut_op_name(ops[k]), (unsigned long long)applied[k]);
  free(ob);
  free(nb);
}

/* Stack effect of straight-line code from the opcode table: the lowest depth
 * reached (relative to the start) and the final depth. */
static void stack_walk(const uint8_t *c, size_t len, int *low, int *end) {
  int d = 0;
  *low = 0;
  for (size_t pc = 0; pc < len; pc += mut_insn_len(c, len, pc)) {
    const evm_op_info *op = &evm_op_table[c[pc]];
    assert_non_null(op->name); /* every byte a snippet emits is an instruction */
    d -= op->stack_in;
    if (d < *low) *low = d;
    d += op->stack_out;
  }
  *end = d;
}

/* The costly snippets go anywhere: each leaves the stack as it found it and
 * needs nothing on it; a loop body is the same plus its jump back. */
static void test_snippets_are_stack_neutral(void **state) {
  (void)state;
  mut_opts o = mut_opts_default();
  mut_rng r;
  mut_rng_seed(&r, 3);
  for (int it = 0; it < 3000; it++) {
    blk_bytes c = {malloc(1), 1};
    assert_non_null(c.data);
    c.data[0] = EVM_OP_STOP;
    mut_edit e;
    assert_int_equal(mut_code_op(&c, MUT_OP_CODE_PATTERN, (blk_fork)(it % BLK_FORK_COUNT), NULL, &r, &o, &e), 1);
    assert_true(e.ins > 0 && e.del == 0);
    int low, end;
    stack_walk(c.data + e.pos, e.ins, &low, &end);
    if (low < 0 || end != 0) fail_msg("snippet of %zu bytes: low %d, end %d", e.ins, low, end);
    free(c.data);
  }
  /* CODE_LOOP: JUMPDEST, body, PUSH2 0, JUMP */
  blk_block b;
  assert_int_equal(mut_seed_block(&b), MUT_OK);
  for (int it = 0; it < 300; it++) {
    assert_int_equal(mut_apply(&b, MUT_OP_CODE_LOOP, &r, &o, NULL), 1);
    const blk_bytes *c = &b.codes[0];
    assert_true(c->len >= 5 && c->len <= o.max_code);
    assert_int_equal(c->data[0], EVM_OP_JUMPDEST);
    assert_int_equal(c->data[c->len - 4], EVM_OP_PUSH2);
    assert_int_equal(c->data[c->len - 3], 0);
    assert_int_equal(c->data[c->len - 2], 0);
    assert_int_equal(c->data[c->len - 1], EVM_OP_JUMP);
    int low, end;
    stack_walk(c->data + 1, c->len - 5, &low, &end);
    assert_true(low == 0 && end == 0);
  }
  blk_free(&b);
}

/* PUSH2 6; JUMP; STOP; STOP; JUMPDEST; STOP: after an insertion anywhere but
 * between the PUSH and its JUMP, the PUSH still names the JUMPDEST. */
static void test_jump_targets_follow_edits(void **state) {
  (void)state;
  static const uint8_t base[] = {EVM_OP_PUSH2, 0, 6, EVM_OP_JUMP, EVM_OP_STOP, EVM_OP_STOP, EVM_OP_JUMPDEST, EVM_OP_STOP};
  mut_opts o = mut_opts_default();
  mut_rng r;
  mut_rng_seed(&r, 9);
  int moved = 0, checked = 0;
  for (int it = 0; it < 2000; it++) {
    blk_bytes c = {malloc(sizeof base), sizeof base};
    assert_non_null(c.data);
    memcpy(c.data, base, sizeof base);
    mut_edit e;
    mut_op op = it % 2 ? MUT_OP_CODE_INSERT : MUT_OP_CODE_PATTERN;
    assert_int_equal(mut_code_op(&c, op, BLK_FORK_OSAKA, NULL, &r, &o, &e), 1);
    if (e.pos != 3) {
      size_t at = e.pos == 0 ? e.ins : 0;
      assert_int_equal(c.data[at], EVM_OP_PUSH2);
      size_t dest = (size_t)c.data[at + 1] << 8 | c.data[at + 2];
      assert_true(dest < c.len);
      assert_int_equal(c.data[dest], EVM_OP_JUMPDEST);
      assert_int_equal(dest, e.pos <= 6 ? 6 + e.ins : 6);
      moved += dest != 6;
      checked++;
    }
    free(c.data);
  }
  assert_true(checked > 1000);
  assert_true(moved > 500);
}

/* ---- determinism, crossover, limits ---- */

static void test_deterministic_for_a_seed(void **state) {
  (void)state;
  size_t len;
  uint8_t *in = load_seed("keccak", &len);
  uint8_t *a = malloc(MAX_OUT), *b = malloc(MAX_OUT);
  assert_non_null(a);
  assert_non_null(b);
  int differ = 0;
  size_t prev = 0;
  for (uint64_t s = 0; s < 200; s++) {
    size_t na = mut_block(in, len, a, MAX_OUT, s, NULL), nb = mut_block(in, len, b, MAX_OUT, s, NULL);
    assert_true(na > 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    size_t nc = mut_crossover(in, len, a, na, b, MAX_OUT, s, NULL);
    uint8_t *c2 = malloc(MAX_OUT);
    assert_non_null(c2);
    assert_int_equal(mut_crossover(in, len, a, na, c2, MAX_OUT, s, NULL), nc);
    assert_memory_equal(b, c2, nc);
    free(c2);
    if (s && na != prev) differ++;
    prev = na;
  }
  assert_true(differ > 50); /* seeds matter */
  /* the decoded-block entry point is deterministic too */
  blk_block x, y;
  assert_int_equal(blk_decode(in, len, &x, NULL), BLK_OK);
  assert_int_equal(blk_decode(in, len, &y, NULL), BLK_OK);
  mut_rng rx, ry;
  mut_rng_seed(&rx, 77);
  mut_rng_seed(&ry, 77);
  for (int k = 0; k < 20; k++) {
    assert_int_equal(mut_block_decoded(&x, &rx, NULL), MUT_OK);
    assert_int_equal(mut_block_decoded(&y, &ry, NULL), MUT_OK);
  }
  uint8_t *ex, *ey;
  size_t lx, ly;
  assert_int_equal(blk_encode(&x, &ex, &lx), BLK_OK);
  assert_int_equal(blk_encode(&y, &ey, &ly), BLK_OK);
  assert_int_equal(lx, ly);
  assert_memory_equal(ex, ey, lx);
  free(ex);
  free(ey);
  blk_free(&x);
  blk_free(&y);
  free(a);
  free(b);
  free(in);
}

static int to_is(const blk_tx *t, uint8_t first, size_t n_first) {
  if (t->is_create) return 0;
  for (size_t i = 0; i < n_first; i++)
    if (t->to.b[i] != first) return 0;
  return 1;
}

static void test_crossover_takes_from_both_parents(void **state) {
  (void)state;
  size_t la, lb;
  uint8_t *pa = load_seed("mulmod", &la);   /* every tx to the contract 0x00..1000 */
  uint8_t *pb = load_seed("transfers", &lb); /* every tx to a fresh 0xee.. address */
  uint8_t *out = malloc(MAX_OUT);
  assert_non_null(out);
  mut_stats st;
  memset(&st, 0, sizeof st);
  mut_opts o = mut_opts_default();
  o.stats = &st;
  tally t = {0};
  int both = 0;
  for (uint64_t s = 0; s < 300; s++) {
    /* both directions: the code donor is then sometimes the block without code */
    size_t n = s % 2 ? mut_crossover(pa, la, pb, lb, out, MAX_OUT, s, &o) : mut_crossover(pb, lb, pa, la, out, MAX_OUT, s, &o);
    check_output(out, n, &o, &t);
    blk_block c;
    assert_int_equal(blk_decode(out, n, &c, NULL), BLK_OK);
    int from_a = 0, from_b = 0;
    for (size_t i = 0; i < c.n_txs; i++) {
      from_a |= to_is(&c.txs[i], 0, 18) && c.txs[i].to.b[18] == 0x10 && c.txs[i].to.b[19] == 0;
      from_b |= to_is(&c.txs[i], 0xee, 12);
    }
    both += from_a && from_b;
    blk_free(&c);
  }
  print_message("crossover: %d of 300 children with transactions of both parents\n", both);
  assert_true(both >= 30);
  assert_true(st.applied[MUT_OP_CROSS_TXS] > 0);
  assert_true(st.applied[MUT_OP_CROSS_CODE] > 0);
  free(out);
  free(pa);
  free(pb);
}

static void test_max_out(void **state) {
  (void)state;
  size_t len;
  uint8_t *in = load_seed("mulmod", &len);
  uint8_t out[16];
  /* no block fits in 10 bytes: 0 */
  assert_int_equal(mut_block(in, len, out, 10, 1, NULL), 0);
  uint8_t *big = malloc(MAX_OUT);
  assert_non_null(big);
  for (uint64_t s = 0; s < 50; s++) {
    size_t n = mut_block(in, len, big, len, s, NULL);
    assert_true(n > 0 && n <= len);
  }
  assert_true(mut_block(NULL, 0, big, MAX_OUT, 3, NULL) > 0);
  free(big);
  free(in);
}

/* How an in-process search uses the mutator: a hunt genome's block, mutated
 * on the decoded form and executed, never encoded. */
static void test_decoded_blocks_from_the_hunt(void **state) {
  (void)state;
  hunt_genome g = {{0, 9, 23}, 3, 4};
  blk_block b;
  assert_int_equal(hunt_build(&g, 300000, BLK_FORK_OSAKA, &b), HUNT_OK);
  mut_rng r;
  mut_rng_seed(&r, 5);
  mut_opts o = mut_opts_default();
  for (int k = 0; k < 100; k++) {
    assert_int_equal(mut_block_decoded(&b, &r, &o), MUT_OK);
    assert_int_equal(blk_validate(&b, NULL), BLK_OK);
    assert_true(blk_total_tx_gas(&b) <= b.env.gas_limit);
    evm_block_result res;
    assert_int_equal(evm_execute_block(&b, NULL, &res), EVM_OK);
    for (size_t i = 0; i < res.n_txs; i++) assert_int_not_equal(res.txs[i].status, EVM_TX_INVALID);
    evm_block_result_free(&res);
  }
  blk_free(&b);
}

/* Resizing: down keeps the first transactions at up to the cap each (one
 * intrinsic charge instead of nine), up fills the new limit; both execute. */
static void test_resize_down_and_up(void **state) {
  (void)state;
  hunt_genome g = {{0}, 1, 8};
  blk_block b;
  assert_int_equal(hunt_build(&g, 2000000, BLK_FORK_OSAKA, &b), HUNT_OK);
  mut_opts o = mut_opts_default();
  /* nine transactions sharing 2M gas (a cap of 2M / 9 makes them) */
  mut_opts o9 = o;
  o9.tx_gas_cap = 2000000 / 9;
  assert_int_equal(mut_resize(&b, o9.tx_gas_cap, &o9), MUT_OK);
  assert_int_equal(mut_resize(&b, 2000000, &o9), MUT_OK);
  assert_int_equal(b.n_txs, 9);
  uint8_t first_to[20];
  memcpy(first_to, b.txs[0].to.b, 20);
  /* down to 200k: one transaction with all of it, to the same contract */
  assert_int_equal(mut_resize(&b, 200000, &o), MUT_OK);
  assert_int_equal(b.n_txs, 1);
  assert_int_equal(b.txs[0].gas_limit, 200000);
  assert_memory_equal(b.txs[0].to.b, first_to, 20);
  evm_block_result r;
  assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
  assert_int_not_equal(r.txs[0].status, EVM_TX_INVALID);
  assert_true(r.gas_used > 190000); /* the loop spends its gas */
  evm_block_result_free(&r);
  /* a block of many transactions down to less than one cap: the first kept */
  assert_int_equal(mut_resize(&b, 30000000, &o), MUT_OK);
  assert_true(b.n_txs >= 2);
  assert_true(blk_total_tx_gas(&b) <= 30000000 && blk_total_tx_gas(&b) > 30000000 - 42000);
  assert_int_equal(mut_resize(&b, 1000000, &o), MUT_OK);
  assert_int_equal(b.n_txs, 1);
  assert_int_equal(b.txs[0].gas_limit, 1000000);
  assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
  assert_true(r.gas_used > 990000);
  evm_block_result_free(&r);
  blk_free(&b);
}

/* Growing with keep_tx_gas: copies of the transactions with their gas as
 * it was; without, the one transaction takes the cap. */
static void test_resize_keep_tx_gas(void **state) {
  (void)state;
  hunt_genome g = {{0}, 1, 8};
  blk_block b, c;
  assert_int_equal(hunt_build(&g, 200000, BLK_FORK_OSAKA, &b), HUNT_OK);
  assert_int_equal(hunt_build(&g, 200000, BLK_FORK_OSAKA, &c), HUNT_OK);
  assert_int_equal(b.n_txs, 1);
  uint64_t g0 = b.txs[0].gas_limit;
  mut_opts o = mut_opts_default();
  o.keep_tx_gas = 1;
  assert_int_equal(mut_resize(&b, 1000000, &o), MUT_OK);
  assert_true(b.n_txs >= 1000000 / g0 - 1);
  for (size_t i = 0; i + 1 < b.n_txs; i++) assert_int_equal(b.txs[i].gas_limit, g0);
  assert_true(blk_total_tx_gas(&b) <= 1000000 && blk_total_tx_gas(&b) > 1000000 - 42000);
  evm_block_result r;
  assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
  for (size_t i = 0; i < r.n_txs; i++) assert_int_not_equal(r.txs[i].status, EVM_TX_INVALID);
  evm_block_result_free(&r);
  o.keep_tx_gas = 0;
  assert_int_equal(mut_resize(&c, 1000000, &o), MUT_OK);
  assert_int_equal(c.n_txs, 1);
  assert_int_equal(c.txs[0].gas_limit, 1000000);
  blk_free(&b);
  blk_free(&c);
}

static void test_rng_and_names(void **state) {
  (void)state;
  mut_rng a, b;
  mut_rng_seed(&a, 1);
  mut_rng_seed(&b, 1);
  for (int i = 0; i < 100; i++) assert_int_equal(mut_rng_next(&a), mut_rng_next(&b));
  for (int i = 0; i < 1000; i++) assert_true(mut_rng_below(&a, 7) < 7);
  assert_int_equal(mut_rng_below(&a, 0), 0);
  for (int i = 0; i < MUT_OP_COUNT; i++) {
    assert_non_null(mut_op_name((mut_op)i));
    assert_non_null(mut_op_desc((mut_op)i));
  }
  assert_null(mut_op_name(MUT_OP_COUNT));
  /* PUSH instructions are cut by the end of the code */
  static const uint8_t c[] = {EVM_OP_PUSH2, 1, 2, EVM_OP_ADD, EVM_OP_PUSH4, 1};
  assert_int_equal(mut_insn_len(c, sizeof c, 0), 3);
  assert_int_equal(mut_insn_len(c, sizeof c, 3), 1);
  assert_int_equal(mut_insn_len(c, sizeof c, 4), 2);
  assert_int_equal(mut_insn_len(c, sizeof c, 6), 0);
  blk_block s;
  assert_int_equal(mut_seed_block(&s), MUT_OK);
  assert_int_equal(blk_validate(&s, NULL), BLK_OK);
  assert_true(s.n_txs > 0 && blk_total_tx_gas(&s) <= s.env.gas_limit);
  blk_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rng_and_names),
      cmocka_unit_test(test_code_ops_keep_instruction_boundaries),
      cmocka_unit_test(test_jump_targets_follow_edits),
      cmocka_unit_test(test_snippets_are_stack_neutral),
      cmocka_unit_test(test_deterministic_for_a_seed),
      cmocka_unit_test(test_max_out),
      cmocka_unit_test(test_crossover_takes_from_both_parents),
      cmocka_unit_test(test_decoded_blocks_from_the_hunt),
      cmocka_unit_test(test_resize_down_and_up),
      cmocka_unit_test(test_resize_keep_tx_gas),
      cmocka_unit_test(test_outputs_valid_and_every_operator_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
