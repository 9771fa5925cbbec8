/* Trace tables: built from real execution, every proven table's shards prove
 * and verify, and one changed cell in a constrained column of any table makes
 * the proof fail to verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/evm.h"
#include "evm/gas.h"
#include "gen.h"
#include "stark/stark.h"
#include "trace/trace.h"
#include "trace/trace_cols.h"
#include "trace_test_util.h"

/* Execute scenario `name` at `gas` and collect its tables. */
static void collect(const char *name, uint64_t gas, trace_collector *c, uint64_t *steps) {
  gen_params p = {gas, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case(name, &p, &b), GEN_OK);
  trace_init(c, b.env.fork);
  evm_tracer tr = trace_tracer(c);
  evm_block_result res;
  assert_int_equal(evm_execute_block(&b, &tr, &res), EVM_OK);
  *steps = res.steps;
  evm_block_result_free(&res);
  blk_free(&b);
  assert_int_equal(trace_finish(c), TRACE_OK);
}

static stark_config cfg_nocheck(void) {
  stark_config cfg = stark_config_default();
  cfg.check_trace = 0;
  cfg.threads = 1;
  return cfg;
}

/* With the shard's public values as its rows give them (the cpu table's
 * first and last rows), or with pub when not NULL. */
static int prove_verify_pub(trace_table_id id, const bb_t *m, unsigned log_n, const bb_t *pub) {
  stark_config cfg = cfg_nocheck();
  stark_proof proof;
  bb_t own[CPU_PUBLIC];
  if (!pub && trace_shard_public(id, m, log_n, own)) pub = own;
  int rc = stark_prove(trace_air(id), &cfg, m, log_n, pub, &proof, NULL);
  if (rc != STARK_OK) return rc;
  rc = stark_verify(trace_air(id), &cfg.fri, pub, &proof);
  stark_proof_free(&proof);
  return rc;
}

static int prove_verify(trace_table_id id, const bb_t *m, unsigned log_n) {
  return prove_verify_pub(id, m, log_n, NULL);
}

/* Prove shard 0 as is (must verify), then with each listed cell changed by +1
 * in a row that the constraints reach (must not verify). */
static void check_table(const trace_table *t, size_t row, const int *cols, size_t ncols) {
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 10, 0, &m, &log_n), TRACE_OK);
  assert_true(row < ((size_t)1 << log_n));
  assert_int_equal(prove_verify(t->id, m, log_n), STARK_OK);
  for (size_t k = 0; k < ncols; k++) {
    bb_t *cell = &m[row * t->width + (size_t)cols[k]];
    bb_t saved = *cell;
    *cell = bb_add(saved, BB_ONE);
    int rc = prove_verify(t->id, m, log_n);
    if (rc == STARK_OK) fail_msg("table %s: changing column %d of row %zu still verifies", trace_table_name(t->id), cols[k], row);
    *cell = saved;
  }
  free(m);
}

static size_t find_row(const trace_table *t, int col_flag) {
  for (size_t r = 1; r + 1 < t->rows && r < 1000; r++)
    if (t->data[r * t->width + (size_t)col_flag] == BB_ONE) return r;
  fail_msg("no row with the flag");
  return 0;
}

static void test_cpu_and_memory(void **state) {
  (void)state;
  trace_collector c;
  uint64_t steps;
  collect("keccak", 120000, &c, &steps);
  assert_int_equal(c.t[TRACE_CPU].rows, steps);
  assert_true(c.t[TRACE_MEMORY].rows > 0);
  assert_true(c.keccak_perms > 0);
  /* a row that continues its frame, and one that is a taken jump */
  const int cpu_cols[] = {CPU_PC, CPU_OP, CPU_GAS_BEFORE, CPU_GAS_AFTER, CPU_COST, CPU_STATIC, CPU_DYN, CPU_SP,
                          CPU_IN, CPU_OUT, CPU_TX, CPU_DEPTH, CPU_PUSHLEN, CPU_ISPUSH, CPU_SEQ, CPU_ADV, CPU_REAL,
                          CPU_STEP};
  size_t r = find_row(&c.t[TRACE_CPU], CPU_ISPUSH);
  check_table(&c.t[TRACE_CPU], r, cpu_cols, sizeof cpu_cols / sizeof cpu_cols[0]);
  const int jump_cols[] = {CPU_ISJUMP};
  check_table(&c.t[TRACE_CPU], find_row(&c.t[TRACE_CPU], CPU_ISJUMP), jump_cols, 1);
  /* an instruction with memory rows: whether it can access memory, and the
   * rows it may have if it cannot (its count alone is the memory bus's to
   * check) */
  size_t mr = 0;
  for (size_t k = 1; k < 1000 && !mr; k++)
    if (c.t[TRACE_CPU].data[k * CPU_WIDTH + CPU_MEMN] != 0) mr = k;
  assert_true(mr > 0);
  const int mem_n_cols[] = {CPU_MAYMEM, CPU_MEMX};
  check_table(&c.t[TRACE_CPU], mr, mem_n_cols, 2);
  /* memory: a word that continues an access */
  const int mem_cols[] = {MEM_ADDR, MEM_TIME, MEM_WRITE, MEM_CONT, MEM_REAL};
  check_table(&c.t[TRACE_MEMORY], find_row(&c.t[TRACE_MEMORY], MEM_CONT), mem_cols, 5);
  trace_free(&c);
}

static void test_storage(void **state) {
  (void)state;
  trace_collector c;
  uint64_t steps;
  collect("sstore_new", 300000, &c, &steps);
  assert_true(c.t[TRACE_STORAGE].rows >= 10);
  /* an SSTORE of a fresh slot: a cold write */
  const bb_t *r3 = c.t[TRACE_STORAGE].data + 3 * STO_WIDTH;
  assert_true(r3[STO_WRITE] == BB_ONE && r3[STO_COLD] == BB_ONE && r3[STO_UNDO] == 0);
  const int sto_cols[] = {STO_WRITE, STO_COLD, STO_TRANSIENT, STO_UNDO, STO_REAL, STO_CTX,
                          STO_TIME, STO_TLO, STO_THI, STO_PT, STO_DLO, STO_DHI};
  check_table(&c.t[TRACE_STORAGE], 3, sto_cols, sizeof sto_cols / sizeof sto_cols[0]);
  trace_free(&c);
}

/* The cpu shards' public values (trace.h: shards in a chain): each shard of
 * a block with calls (frames change across shard edges) and of a JUMP loop
 * (jumps across them) proves with its own; one changed public value is
 * refused by the checking prover and its forced proof does not verify; the
 * shards' values chain, and dropping, repeating or reordering a shard, a
 * shard whose instruction indices are shifted (its own constraints still
 * hold) and every continuation rule broken on its own do not. */
static void chain_of(const char *name, unsigned ls, size_t *n_out, bb_t **pub_out) {
  trace_collector c;
  uint64_t steps;
  collect(name, 100000, &c, &steps);
  const trace_table *t = &c.t[TRACE_CPU];
  size_t n = trace_shard_count(t, ls);
  assert_true(n >= 4);
  bb_t *pub = calloc(n * CPU_PUBLIC, sizeof *pub);
  assert_non_null(pub);
  for (size_t k = 0; k < n; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, ls, k, &m, &log_n), TRACE_OK);
    assert_int_equal(trace_shard_public(TRACE_CPU, m, log_n, pub + k * CPU_PUBLIC), CPU_PUBLIC);
    assert_int_equal(stark_air_check(trace_air(TRACE_CPU), m, (size_t)1 << log_n, pub + k * CPU_PUBLIC, NULL, NULL),
                     STARK_OK);
    if (k == 1) {
      /* a changed public value: refused, and its forced proof fails */
      bb_t bad[CPU_PUBLIC];
      for (unsigned i = 0; i < CPU_PUBLIC; i += 5) {
        memcpy(bad, pub + k * CPU_PUBLIC, sizeof bad);
        bad[i] = bb_add(bad[i], BB_ONE);
        assert_int_equal(stark_air_check(trace_air(TRACE_CPU), m, (size_t)1 << log_n, bad, NULL, NULL),
                         STARK_ERR_CONSTRAINT);
        assert_int_not_equal(prove_verify_pub(TRACE_CPU, m, log_n, bad), STARK_OK);
      }
      assert_int_equal(prove_verify(TRACE_CPU, m, log_n), STARK_OK);
      /* every instruction index moved up by one: the shard's own
       * constraints hold (with the values its rows give), the chain not */
      for (size_t r = 0; r < ((size_t)1 << log_n); r++)
        if (m[r * CPU_WIDTH + CPU_REAL] == BB_ONE) m[r * CPU_WIDTH + CPU_STEP] = bb_add(m[r * CPU_WIDTH + CPU_STEP], BB_ONE);
      bb_t moved[CPU_PUBLIC];
      trace_shard_public(TRACE_CPU, m, log_n, moved);
      assert_int_equal(stark_air_check(trace_air(TRACE_CPU), m, (size_t)1 << log_n, moved, NULL, NULL), STARK_OK);
      bb_t *alt = malloc(n * CPU_PUBLIC * sizeof *alt);
      assert_non_null(alt);
      memcpy(alt, pub, k * CPU_PUBLIC * sizeof *alt);
      memcpy(alt + k * CPU_PUBLIC, moved, sizeof moved);
      size_t bad_k = 99;
      assert_int_equal(trace_cpu_chain_check(alt, k + 1, &bad_k), TRACE_E_RANGE);
      assert_int_equal(bad_k, k);
      free(alt);
    }
    free(m);
  }
  size_t bad = 99;
  assert_int_equal(trace_cpu_chain_check(pub, n, &bad), TRACE_OK);
  assert_int_equal(bad, 0);
  trace_free(&c);
  *n_out = n;
  *pub_out = pub;
}

static void expect_break(const bb_t *pub, size_t n, size_t want_bad) {
  size_t bad = 99;
  assert_int_equal(trace_cpu_chain_check(pub, n, &bad), TRACE_E_RANGE);
  assert_int_equal(bad, want_bad);
}

static void test_cpu_chain(void **state) {
  (void)state;
  size_t n;
  bb_t *pub;
  const size_t W = CPU_PUBLIC;
  /* a CALL loop: frames change at some edges; a JUMP loop: jumps cross edges */
  chain_of("call", 7, &n, &pub);
  int frame_change = 0;
  for (size_t k = 0; k + 1 < n; k++)
    frame_change |= pub[k * W + CPU_PUB_OUT_DEPTH] != pub[(k + 1) * W + CPU_PUB_IN_DEPTH];
  assert_true(frame_change);
  free(pub);
  chain_of("jump", 6, &n, &pub);
  size_t j = SIZE_MAX; /* an edge after a taken JUMP, in one frame */
  for (size_t k = 0; k + 1 < n && j == SIZE_MAX; k++)
    if (bb_to_u32(pub[k * W + CPU_PUB_OUT_OP]) == EVM_OP_JUMP) j = k;
  assert_true(j != SIZE_MAX);
  size_t f = SIZE_MAX; /* an edge without a jump, in one frame */
  for (size_t k = 0; k + 1 < n && f == SIZE_MAX; k++) {
    uint32_t op = bb_to_u32(pub[k * W + CPU_PUB_OUT_OP]);
    if (op != EVM_OP_JUMP && op != EVM_OP_JUMPI && pub[k * W + CPU_PUB_OUT_TX] == pub[(k + 1) * W + CPU_PUB_IN_TX] &&
        pub[k * W + CPU_PUB_OUT_DEPTH] == pub[(k + 1) * W + CPU_PUB_IN_DEPTH])
      f = k;
  }
  assert_true(f != SIZE_MAX);
  bb_t *alt = malloc(n * W * sizeof *alt);
  assert_non_null(alt);
  /* a shard dropped, repeated, or two swapped */
  memcpy(alt, pub, n * W * sizeof *alt);
  memmove(alt + 2 * W, alt + 3 * W, (n - 3) * W * sizeof *alt);
  expect_break(alt, n - 1, 2);
  memcpy(alt, pub, n * W * sizeof *alt);
  memcpy(alt + 2 * W, pub + W, W * sizeof *alt);
  expect_break(alt, n, 2);
  memcpy(alt, pub, n * W * sizeof *alt);
  memcpy(alt + W, pub + 2 * W, W * sizeof *alt);
  memcpy(alt + 2 * W, pub + W, W * sizeof *alt);
  expect_break(alt, n, 1);
  /* the first shard must start at instruction 0 */
  expect_break(pub + W, n - 1, 0);
  /* each rule across the fall-through edge f, and the jump edge j */
  static const unsigned in_cols[] = {CPU_PUB_IN_GAS, CPU_PUB_IN_SP, CPU_PUB_IN_PC, CPU_PUB_IN_MEMX, CPU_PUB_IN_STEP};
  for (size_t i = 0; i < sizeof in_cols / sizeof in_cols[0]; i++) {
    memcpy(alt, pub, n * W * sizeof *alt);
    alt[(f + 1) * W + in_cols[i]] = bb_add(alt[(f + 1) * W + in_cols[i]], BB_ONE);
    expect_break(alt, n, f + 1);
  }
  memcpy(alt, pub, n * W * sizeof *alt);
  alt[f * W + CPU_PUB_OUT_REAL] = 0; /* a shard that ends in padding but is not the last */
  expect_break(alt, n, f + 1);
  memcpy(alt, pub, n * W * sizeof *alt);
  assert_int_equal(bb_to_u32(alt[(j + 1) * W + CPU_PUB_IN_OP]), EVM_OP_JUMPDEST);
  alt[(j + 1) * W + CPU_PUB_IN_PC] = bb_add(alt[(j + 1) * W + CPU_PUB_IN_PC], BB_ONE); /* any JUMPDEST will do */
  assert_int_equal(trace_cpu_chain_check(alt, n, NULL), TRACE_OK);
  alt[(j + 1) * W + CPU_PUB_IN_OP] = bb_from_u32(EVM_OP_JUMP); /* but it must be one */
  expect_break(alt, n, j + 1);
  /* a frame change carries nothing over */
  memcpy(alt, pub, n * W * sizeof *alt);
  alt[(f + 1) * W + CPU_PUB_IN_DEPTH] = bb_add(alt[(f + 1) * W + CPU_PUB_IN_DEPTH], BB_ONE);
  alt[(f + 1) * W + CPU_PUB_IN_GAS] = bb_add(alt[(f + 1) * W + CPU_PUB_IN_GAS], BB_ONE);
  assert_int_equal(trace_cpu_chain_check(alt, n, NULL), TRACE_OK);
  assert_int_equal(trace_cpu_chain_check(NULL, 0, NULL), TRACE_OK);
  assert_int_equal(trace_cpu_chain_check(NULL, 1, NULL), TRACE_E_ARG);
  free(alt);
  free(pub);
}

static void test_shards_cover_rows(void **state) {
  (void)state;
  trace_collector c;
  uint64_t steps;
  collect("jumpdest", 200000, &c, &steps);
  const trace_table *t = &c.t[TRACE_CPU];
  size_t n = trace_shard_count(t, 12);
  assert_true(n >= 2);
  size_t total = 0;
  for (size_t k = 0; k < n; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, 12, k, &m, &log_n), TRACE_OK);
    assert_true(log_n <= 12);
    for (size_t r = 0; r < ((size_t)1 << log_n); r++) total += m[r * t->width + CPU_REAL] == BB_ONE;
    if (k == n - 1) assert_int_equal(prove_verify(TRACE_CPU, m, log_n), STARK_OK);
    free(m);
  }
  assert_int_equal(total, t->rows);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 12, n, &m, &log_n), TRACE_E_ARG);
  trace_free(&c);
}

/* trace_shard_reuse: every shard's values and size are trace_shard's, for
 * the cpu and memory tables (copies into the one buffer, kept while it is
 * big enough, zero padding written over an earlier shard's rows) and for a
 * proven keccak table (built fresh and handed over); the errors alike. */
static void test_shard_reuse(void **state) {
  (void)state;
  trace_collector c;
  uint64_t steps;
  collect("mcopy", 300000, &c, &steps);
  const trace_table_id ids[] = {TRACE_CPU, TRACE_MEMORY};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    const trace_table *t = &c.t[ids[i]];
    for (unsigned ls = 3; ls <= 7; ls += 4) {
      size_t n = trace_shard_count(t, ls);
      assert_true(n >= 2);
      bb_t *buf = NULL;
      size_t cap = 0;
      for (size_t k = 0; k < n; k++) {
        bb_t *m, *before = buf;
        unsigned l1, l2;
        assert_int_equal(trace_shard(t, ls, k, &m, &l1), TRACE_OK);
        assert_int_equal(trace_shard_reuse(t, ls, k, &buf, &cap, &l2), TRACE_OK);
        assert_int_equal(l1, l2);
        assert_true(cap >= ((size_t)1 << l2) * t->width);
        if (k > 0) assert_ptr_equal(buf, before); /* the last shard is never the larger */
        assert_memory_equal(m, buf, ((size_t)1 << l1) * t->width * sizeof *m);
        free(m);
      }
      unsigned l;
      assert_int_equal(trace_shard_reuse(t, ls, n, &buf, &cap, &l), TRACE_E_ARG);
      assert_int_equal(trace_shard_reuse(t, 0, 0, &buf, &cap, &l), TRACE_E_ARG);
      free(buf);
    }
  }
  trace_free(&c);

  /* a table built from kept inputs */
  gen_params p = {60000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case("keccak", &p, &b), GEN_OK);
  trace_collect_block(&b, TRACE_OPT_PROVE_KECCAK, &c);
  blk_free(&b);
  const trace_table *kt = &c.t[TRACE_KECCAK];
  assert_true(kt->rows > 0);
  bb_t *buf = malloc(16 * sizeof *buf), *m;
  size_t cap = 16;
  unsigned l1, l2;
  assert_int_equal(trace_shard(kt, 10, 0, &m, &l1), TRACE_OK);
  assert_int_equal(trace_shard_reuse(kt, 10, 0, &buf, &cap, &l2), TRACE_OK);
  assert_int_equal(l1, l2);
  assert_int_equal(cap, ((size_t)1 << l2) * kt->width);
  assert_memory_equal(m, buf, cap * sizeof *m);
  free(m);
  free(buf);
  trace_free(&c);
}

static void test_sized_tables(void **state) {
  (void)state;
  trace_collector c;
  uint64_t steps;
  collect("mulmod", 100000, &c, &steps);
  /* every MULMOD counts 48 arith rows; the tx sender one recovery */
  assert_true(c.t[TRACE_ARITH].rows >= 48);
  assert_int_equal(c.t[TRACE_ARITH].rows % 48, 0);
  assert_int_equal(c.t[TRACE_ECRECOVER].rows, 256);
  assert_null(trace_air(TRACE_ARITH));
  assert_non_null(trace_air(TRACE_CPU));
  trace_free(&c);
}

/* A collector with row windows (trace_keep_rows) stores only the windows'
 * rows, counts them all, and builds exactly the full collector's shards
 * inside each window; shards outside a window, windows with lookups, on a
 * counting collector, on another table or after rows are refused. */
static void collect_windowed(const blk_block *b, size_t lo, size_t hi, trace_collector *c) {
  trace_init(c, b->env.fork);
  assert_int_equal(trace_keep_rows(c, TRACE_CPU, lo, hi), TRACE_OK);
  assert_int_equal(trace_keep_rows(c, TRACE_MEMORY, lo, hi), TRACE_OK);
  assert_int_equal(trace_keep_rows(c, TRACE_STORAGE, lo, hi), TRACE_OK);
  evm_tracer tr = trace_tracer(c);
  evm_block_result res;
  assert_int_equal(evm_execute_block(b, &tr, &res), EVM_OK);
  evm_block_result_free(&res);
  assert_int_equal(trace_finish(c), TRACE_OK);
}

/* With lookups, windows that cover every row once give, added up
 * (trace_counts_add), the whole collector's range16 multiplicities and
 * opcode counts; applied to one of them (trace_counts_apply), its range16
 * table and public values are the whole collector's. */
static void test_window_counts(void **state) {
  (void)state;
  gen_params p = {120000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case("call_input", &p, &b), GEN_OK);
  trace_collector full;
  trace_init_opts(&full, b.env.fork, TRACE_OPT_LOOKUPS);
  evm_tracer tr = trace_tracer(&full);
  evm_block_result res;
  assert_int_equal(evm_execute_block(&b, &tr, &res), EVM_OK);
  evm_block_result_free(&res);
  assert_int_equal(trace_finish(&full), TRACE_OK);
  size_t most = full.t[TRACE_MEMORY].rows, win = most / 3 + 1;
  assert_true(full.t[TRACE_RANGE16].rows == TRACE_RANGE16_ROWS);
  trace_lookup_counts *acc = calloc(1, sizeof *acc);
  assert_non_null(acc);
  trace_collector last;
  size_t cpu_end = 0;
  for (size_t lo = 0; lo < most; lo += win) {
    trace_collector w;
    trace_init_opts(&w, b.env.fork, TRACE_OPT_LOOKUPS);
    /* the cpu table's windows are smaller: its rows split across passes too */
    cpu_end = (lo + win) / 256;
    assert_int_equal(trace_keep_rows(&w, TRACE_CPU, lo / 256, cpu_end), TRACE_OK);
    assert_int_equal(trace_keep_rows(&w, TRACE_MEMORY, lo, lo + win), TRACE_OK);
    assert_int_equal(trace_keep_rows(&w, TRACE_STORAGE, lo, lo + win), TRACE_OK);
    tr = trace_tracer(&w);
    assert_int_equal(evm_execute_block(&b, &tr, &res), EVM_OK);
    evm_block_result_free(&res);
    assert_int_equal(trace_finish(&w), TRACE_OK);
    trace_counts_add(acc, &w);
    if (lo + win >= most) last = w;
    else trace_free(&w);
  }
  /* the cpu windows left rows over: a last pass for them */
  trace_collector rest;
  trace_init_opts(&rest, b.env.fork, TRACE_OPT_LOOKUPS);
  assert_true(cpu_end < full.t[TRACE_CPU].rows);
  assert_int_equal(trace_keep_rows(&rest, TRACE_CPU, cpu_end, SIZE_MAX), TRACE_OK);
  assert_int_equal(trace_keep_rows(&rest, TRACE_MEMORY, 0, 0), TRACE_OK);
  assert_int_equal(trace_keep_rows(&rest, TRACE_STORAGE, 0, 0), TRACE_OK);
  tr = trace_tracer(&rest);
  assert_int_equal(evm_execute_block(&b, &tr, &res), EVM_OK);
  evm_block_result_free(&res);
  assert_int_equal(trace_finish(&rest), TRACE_OK);
  trace_counts_add(acc, &rest);
  trace_free(&rest);
  const trace_table *fr = &full.t[TRACE_RANGE16];
  for (size_t r = 0; r < TRACE_RANGE16_ROWS; r++) assert_int_equal(acc->range[r], fr->data[r * R16_WIDTH + R16_M]);
  assert_memory_equal(acc->op, full.op_count, sizeof acc->op);
  /* one window's counts alone are not the block's */
  assert_memory_not_equal(last.op_count, full.op_count, sizeof full.op_count);
  assert_int_equal(trace_counts_apply(&last, acc), TRACE_OK);
  assert_memory_equal(last.t[TRACE_RANGE16].data, fr->data, TRACE_RANGE16_ROWS * R16_WIDTH * sizeof(bb_t));
  bb_t pa[TRACE_PUB_VALUES], pb[TRACE_PUB_VALUES];
  trace_public_values(&last, pa);
  trace_public_values(&full, pb);
  assert_memory_equal(pa, pb, sizeof pa);
  assert_int_equal(last.t[TRACE_MEMINIT].rows, full.t[TRACE_MEMINIT].rows);
  trace_free(&last);
  free(acc);
  trace_free(&full);
  blk_free(&b);
}

static void test_row_windows(void **state) {
  (void)state;
  const unsigned ls = 8;
  const size_t per = (size_t)1 << ls;
  static const char *const names[] = {"call_input", "tstore"};
  static const uint64_t gas[] = {120000, 160000};
  for (size_t s = 0; s < 2; s++) {
    gen_params p = {gas[s], BLK_FORK_OSAKA, 0};
    blk_block b;
    assert_int_equal(gen_worst_case(names[s], &p, &b), GEN_OK);
    trace_collector full;
    trace_init(&full, b.env.fork);
    evm_tracer tr = trace_tracer(&full);
    evm_block_result res;
    assert_int_equal(evm_execute_block(&b, &tr, &res), EVM_OK);
    evm_block_result_free(&res);
    assert_int_equal(trace_finish(&full), TRACE_OK);
    for (size_t lo = 0; lo < 4 * per; lo += 3 * per) { /* windows [0, 2 per) and [3 per, 5 per) */
      trace_collector w;
      collect_windowed(&b, lo, lo + 2 * per, &w);
      for (int id = TRACE_CPU; id <= TRACE_STORAGE; id++) {
        const trace_table *ft = &full.t[id], *wt = &w.t[id];
        assert_int_equal(wt->rows, ft->rows);
        size_t end = ft->rows < lo + 2 * per ? ft->rows : lo + 2 * per;
        assert_int_equal(trace_table_stored(wt), end > lo ? end - lo : 0);
        /* the rows as stored; a cpu row at a window's end has no successor
         * there, so no look-ahead (a shard's last row never has one) */
        size_t same = end > lo ? end - lo - (id == TRACE_CPU) : 0;
        if (same) assert_memory_equal(wt->data, ft->data + lo * ft->width, same * ft->width * sizeof(bb_t));
        size_t shards = trace_shard_count(ft, ls);
        for (size_t k = 0; k < shards && k < 8; k++) {
          bb_t *a, *x;
          unsigned la, lx;
          assert_int_equal(trace_shard(ft, ls, k, &a, &la), TRACE_OK);
          if (k * per >= lo && k * per < end) {
            assert_int_equal(trace_shard(wt, ls, k, &x, &lx), TRACE_OK);
            assert_int_equal(lx, la);
            assert_memory_equal(x, a, ((size_t)1 << la) * ft->width * sizeof(bb_t));
            free(x);
          } else {
            assert_int_equal(trace_shard(wt, ls, k, &x, &lx), TRACE_E_ARG);
          }
          free(a);
        }
      }
      /* the memory replay and the sized tables are whole in every window */
      assert_int_equal(w.n_mctx, full.n_mctx);
      assert_int_equal(w.t[TRACE_KECCAK].rows, full.t[TRACE_KECCAK].rows);
      trace_free(&w);
    }
    if (s == 0) assert_true(full.t[TRACE_MEMORY].rows > 5 * per && full.t[TRACE_CPU].rows > 5 * per);
    if (s == 1) assert_true(full.t[TRACE_STORAGE].rows > 4 * per); /* into the second window */
    trace_free(&full);
    blk_free(&b);
  }
  trace_collector c;
  trace_init_counting(&c, BLK_FORK_OSAKA);
  assert_int_equal(trace_keep_rows(&c, TRACE_MEMORY, 0, 8), TRACE_E_ARG);
  trace_free(&c);
  trace_init(&c, BLK_FORK_OSAKA);
  assert_int_equal(trace_keep_rows(&c, TRACE_KECCAK, 0, 8), TRACE_E_ARG);
  assert_int_equal(trace_keep_rows(&c, TRACE_CPU, 8, 0), TRACE_E_ARG);
  evm_step_event e;
  memset(&e, 0, sizeof e);
  evm_tracer tr = trace_tracer(&c);
  tr.on_step(tr.ctx, &e);
  assert_int_equal(trace_keep_rows(&c, TRACE_CPU, 0, 8), TRACE_E_ARG);
  trace_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cpu_and_memory),
      cmocka_unit_test(test_storage),
      cmocka_unit_test(test_shards_cover_rows),
      cmocka_unit_test(test_cpu_chain),
      cmocka_unit_test(test_shard_reuse),
      cmocka_unit_test(test_row_windows),
      cmocka_unit_test(test_window_counts),
      cmocka_unit_test(test_sized_tables),
  };
  return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
