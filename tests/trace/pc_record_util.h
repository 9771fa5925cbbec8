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
