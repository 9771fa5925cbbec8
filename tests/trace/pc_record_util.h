/* pc_record_util: what the executor reports of its precompile calls, for
 * the tables tests that count what the collector kept against it (modmul,
 * bls12). A block runs through the collector's tracer with on_precompile
 * and on_precompile_input wrapped: every on_precompile is an event (its
 * work), and the input of the on_precompile_input that follows a
 * successful call is kept with it. One recording per test executable (the
 * events are this file's statics); include after <cmocka.h> and
 * trace_test_util.h. */
#ifndef PKB_TESTS_PC_RECORD_UTIL_H
#define PKB_TESTS_PC_RECORD_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/precompile.h"
#include "trace/trace.h"

typedef struct {
  evm_pc_id id;
  uint64_t len;
  evm_pc_work w;
  int ok;      /* an on_precompile_input followed: the call succeeded */
  uint8_t *in; /* its input (ok only) */
} pc_event;

static pc_event *g_ev;
static size_t g_n, g_cap;
static evm_tracer g_inner;

static inline void rec_precompile(void *ctx, evm_pc_id id, uint64_t input_len, const evm_pc_work *w) {
  if (g_n == g_cap) {
    g_cap = g_cap ? 2 * g_cap : 64;
    g_ev = realloc(g_ev, g_cap * sizeof *g_ev);
    assert_non_null(g_ev);
  }
  pc_event *e = &g_ev[g_n++];
  memset(e, 0, sizeof *e);
  e->id = id;
  e->len = input_len;
  e->w = *w;
  g_inner.on_precompile(ctx, id, input_len, w);
}

static inline void rec_input(void *ctx, evm_pc_id id, const uint8_t *input, size_t len) {
  assert_true(g_n > 0);
  pc_event *e = &g_ev[g_n - 1];
  assert_int_equal(e->id, id); /* follows its on_precompile */
  assert_int_equal(e->len, len);
  e->ok = 1;
  e->in = malloc(len ? len : 1);
  assert_non_null(e->in);
  if (len) memcpy(e->in, input, len);
  g_inner.on_precompile_input(ctx, id, input, len);
}

static inline void reset_events(void) {
  for (size_t i = 0; i < g_n; i++) free(g_ev[i].in);
  g_n = 0;
}

/* b executed into *c (trace_run_recorded) with the events recorded afresh. */
static inline void run_block_mode(const blk_block *b, unsigned opts, int count_only, trace_collector *c) {
  reset_events();
  trace_run_recorded(b, opts, count_only, c, &g_inner, rec_precompile, rec_input);
}

/* n bytes as lowercase hex into hex (2 n + 1 bytes), for tu_tx's data. */
static inline void hex_of(const uint8_t *in, size_t n, char *hex) {
  for (size_t k = 0; k < n; k++) sprintf(hex + 2 * k, "%02x", in[k]);
  hex[2 * n] = 0;
}

/* What a test's recorded events imply for a table of kept calls (modmul,
 * bls12): products of the successful covered calls, those calls, the ones
 * with products (kept), the ones the witness does not cover, and the
 * precomp rows of every call outside the table. */
typedef struct {
  uint64_t products, precomp;
  size_t calls, kept, unsupported;
} pc_expect;

/* Rows of table id (per rows a product; air under TRACE_OPT_PROVE_PRECOMPILES)
 * for block b: without the option (expected from the events it records),
 * with it (*p, left for the caller to free) and counting in both modes,
 * every table the same; sized, the table has no width, AIR or kept calls;
 * proven, its kept calls are the expected ones, their products numbered
 * one after another. Returns the expectation. */
static inline pc_expect pc_check_rows(const blk_block *b, trace_collector *p, trace_table_id id, uint64_t per,
                                      const stark_air *air, pc_expect (*expected)(blk_fork)) {
  const unsigned proven = TRACE_OPT_PROVE_PRECOMPILES;
  trace_collector s, q;
  run_block_mode(b, 0, 0, &s);
  pc_expect x = expected(b->env.fork);
  assert_int_equal(s.t[id].rows, per * x.products);
  assert_int_equal(s.t[TRACE_PRECOMP].rows, x.precomp);
  assert_int_equal(s.t[id].width, 0);
  assert_null(s.t[id].air);
  assert_null(s.t[id].mm_calls);
  run_block_mode(b, proven, 0, p);
  const trace_table *t = &p->t[id];
  for (int i = 0; i < TRACE_COUNT; i++) assert_int_equal(p->t[i].rows, s.t[i].rows);
  assert_int_equal(t->width, air->width);
  assert_ptr_equal(t->air, air);
  assert_int_equal(t->mm_n, x.kept);
  uint64_t first = 0;
  for (size_t i = 0; i < t->mm_n; i++) {
    assert_int_equal(t->mm_calls[i].first, first);
    assert_true(t->mm_calls[i].muls > 0);
    first += t->mm_calls[i].muls;
  }
  assert_int_equal(first, x.products);
  for (unsigned opts = 0; opts <= proven; opts += proven) {
    run_block_mode(b, opts, 1, &q);
    for (int i = 0; i < TRACE_COUNT; i++) assert_int_equal(q.t[i].rows, s.t[i].rows);
    assert_null(q.t[id].mm_calls);
    trace_free(&q);
  }
  trace_free(&s);
  return x;
}

/* A cmocka group teardown: the recording's memory released. */
static inline int pc_record_teardown(void **state) {
  (void)state;
  reset_events();
  free(g_ev);
  g_ev = NULL;
  g_cap = 0;
  return 0;
}

#endif
