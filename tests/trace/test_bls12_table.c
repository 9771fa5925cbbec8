/* The bls12 table: the BLS12-381 base-field multiplications of successful
 * EIP-2537 and KZG point evaluation calls, one fp381_air row each, sized by
 * default and proven with TRACE_OPT_PROVE_PRECOMPILES.
 *
 * pcw_run_bls12: for each generated scenario's call, the products it
 * reports are correct (GMP), canonical, as many as the precompile's own
 * field_muls, the same on a second run (a process's first call pays no
 * set-up), and the output is the precompile's; other addresses and forks
 * before Prague are unsupported. Blocks from the worst-case generators
 * (every BLS12-381 scenario and point_evaluation) go through a wrapper
 * tracer that records every on_precompile and the input of every
 * on_precompile_input; the table has one row per product with the option,
 * without it and in a counting collector, and precomp has none of these
 * calls. A hand-built block adds a G1ADD of a point off the curve (it fails
 * after its curve check's products: those stay in precomp). Shards of a
 * small block (log 6), end to end, are pcw_run_bls12's sequence of products
 * (a, b and r read back from the rows' bits), satisfy the AIR, one proves
 * and verifies, and a changed cell fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>

#include "../evm/evm_test_util.h"
#include "air_test_util.h"
#include "trace_test_util.h"
#include "pc_record_util.h"
#include "evm/precompiles/precompile.h"
#include "gen.h"
#include "stark/stark.h"
#include "trace/fp381_air.h"
#include "trace/pc_witness.h"
#include "trace/trace.h"

#define P TRACE_OPT_PROVE_PRECOMPILES
#define W FP381_AIR_WIDTH
#define C_G1ADD 0x1000

/* CALLDATACOPY(0, 0, CALLDATASIZE); STATICCALL(GAS, addr, 0, CALLDATASIZE, 0, 64); POP; STOP */
#define CALL_CODE(addr_push) "36" "6000" "6000" "37" "6040" "6000" "36" "6000" addr_push "5a" "fa" "50" "00"

/* The address of a precompile the table covers, else 0. */
static uint16_t covered(evm_pc_id id) {
  if (id == EVM_PC_POINT_EVAL) return PCW_ADDR_POINT_EVAL;
  if (id >= EVM_PC_BLS_G1ADD && id <= EVM_PC_BLS_MAP_G2) return (uint16_t)(PCW_ADDR_BLS12_FIRST + (id - EVM_PC_BLS_G1ADD));
  return 0;
}

/* The products of a replay, kept in order, each checked against GMP. */
typedef struct {
  uint8_t (*w)[3][48]; /* a, b, r */
  size_t n, cap;
  mpz_t p, x, y;
} seq;

static void seq_init(seq *s) {
  memset(s, 0, sizeof *s);
  mpz_inits(s->p, s->x, s->y, NULL);
  uint8_t pb[48];
  fp381_air_modulus(pb);
  mpz_import(s->p, 48, 1, 1, 0, 0, pb);
}

static void seq_free(seq *s) {
  free(s->w);
  mpz_clears(s->p, s->x, s->y, NULL);
}

static void seq_put(void *ctx, const uint8_t a[48], const uint8_t b[48], const uint8_t r[48]) {
  seq *s = ctx;
  mpz_import(s->x, 48, 1, 1, 0, 0, a);
  assert_true(mpz_cmp(s->x, s->p) < 0);
  mpz_import(s->y, 48, 1, 1, 0, 0, b);
  assert_true(mpz_cmp(s->y, s->p) < 0);
  mpz_mul(s->x, s->x, s->y);
  mpz_mod(s->x, s->x, s->p);
  mpz_import(s->y, 48, 1, 1, 0, 0, r);
  assert_int_equal(mpz_cmp(s->x, s->y), 0);
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 1024;
    s->w = realloc(s->w, s->cap * sizeof *s->w);
    assert_non_null(s->w);
  }
  memcpy(s->w[s->n][0], a, 48);
  memcpy(s->w[s->n][1], b, 48);
  memcpy(s->w[s->n][2], r, 48);
  s->n++;
}

static void gen_block(const char *name, uint64_t gas, blk_block *b) {
  gen_params gp = {gas, BLK_FORK_OSAKA, 0};
  assert_int_equal(gen_worst_case(name, &gp, b), GEN_OK);
}

/* Products of the recorded events (pcw_run_bls12 on each successful
 * covered call, checked), and the precomp rows of the calls outside the
 * table (pc_expect). */
static pc_expect expected(blk_fork fork) {
  pc_expect x = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < g_n; i++) {
    const pc_event *e = &g_ev[i];
    uint16_t a = covered(e->id);
    if (a && e->ok) {
      seq s;
      seq_init(&s);
      uint64_t n = 0;
      assert_int_equal(pcw_run_bls12(a, e->in, (size_t)e->len, fork, seq_put, &s, &n, NULL, NULL), PCW_OK);
      assert_int_equal(n, s.n);
      assert_int_equal(n, e->w.field_muls); /* the precompile's own count */
      seq_free(&s);
      x.products += n;
      x.calls++;
      x.kept += n != 0;
      continue;
    }
    if (e->id == EVM_PC_SHA256 || e->id == EVM_PC_RIPEMD160 || e->id == EVM_PC_BLAKE2F) continue;
    x.precomp += e->w.limb_muls * 4 + e->w.field_muls + (e->w.input_bytes + 31) / 32;
  }
  return x;
}

/* Rows in every mode (pc_check_rows): bls12 one per product. */
static pc_expect check_rows(const blk_block *b, trace_collector *p) {
  return pc_check_rows(b, p, TRACE_BLS12, 1, fp381_air(), expected);
}

static const struct {
  const char *name;
  uint64_t gas;
  evm_pc_id id;
} scenarios[] = {
    {"bls12_g1add", 100000, EVM_PC_BLS_G1ADD},
    {"bls12_g1msm", 100000, EVM_PC_BLS_G1MSM},
    {"bls12_g2add", 100000, EVM_PC_BLS_G2ADD},
    {"bls12_g2msm", 200000, EVM_PC_BLS_G2MSM},
    {"bls12_pairing", 200000, EVM_PC_BLS_PAIRING},
    {"bls12_map_fp_to_g1", 100000, EVM_PC_BLS_MAP_G1},
    {"bls12_map_fp2_to_g2", 100000, EVM_PC_BLS_MAP_G2},
    {"point_evaluation", 200000, EVM_PC_POINT_EVAL},
};
#define NSC (sizeof scenarios / sizeof scenarios[0])

/* A call of each scenario replayed twice: the same products (GMP-checked,
 * canonical) and the precompile's output; the count-only path agrees. */
static void test_witness(void **state) {
  (void)state;
  for (size_t i = 0; i < NSC; i++) {
    blk_block b;
    gen_block(scenarios[i].name, scenarios[i].gas, &b);
    trace_collector q;
    run_block_mode(&b, 0, 1, &q);
    trace_free(&q);
    if (g_n == 0) fail_msg("%s: no precompile call", scenarios[i].name);
    const pc_event *e = &g_ev[0];
    assert_int_equal(e->id, scenarios[i].id);
    assert_true(e->ok);
    uint16_t a = covered(e->id);
    seq s1, s2;
    seq_init(&s1);
    seq_init(&s2);
    uint64_t n1 = 0, n2 = 0, n3 = 0;
    uint8_t *out = NULL, *want = NULL;
    size_t out_len = 0, want_len = 0;
    assert_int_equal(pcw_run_bls12(a, e->in, (size_t)e->len, BLK_FORK_OSAKA, seq_put, &s1, &n1, &out, &out_len),
                     PCW_OK);
    assert_int_equal(pcw_run_bls12(a, e->in, (size_t)e->len, BLK_FORK_OSAKA, seq_put, &s2, &n2, NULL, NULL),
                     PCW_OK);
    assert_int_equal(pcw_run_bls12(a, e->in, (size_t)e->len, BLK_FORK_OSAKA, NULL, NULL, &n3, NULL, NULL), PCW_OK);
    assert_true(n1 > 0);
    assert_int_equal(n1, e->w.field_muls);
    assert_int_equal(n2, n1);
    assert_int_equal(n3, n1);
    assert_int_equal(s1.n, n1);
    assert_memory_equal(s1.w, s2.w, n1 * sizeof *s1.w);
    evm_pc_work w = {0};
    assert_int_equal(evm_pc_run(e->id, BLK_FORK_OSAKA, e->in, (size_t)e->len, &want, &want_len, &w), EVM_PC_OK);
    assert_int_equal(out_len, want_len);
    if (want_len) assert_memory_equal(out, want, want_len);
    free(out);
    free(want);
    seq_free(&s1);
    seq_free(&s2);
    /* before Prague the BLS12-381 addresses are not precompiles */
    if (a != PCW_ADDR_POINT_EVAL)
      assert_int_equal(pcw_run_bls12(a, e->in, (size_t)e->len, BLK_FORK_CANCUN, NULL, NULL, &n1, NULL, NULL),
                       PCW_E_UNSUPPORTED);
    reset_events();
    blk_free(&b);
  }
  uint64_t n = 7;
  assert_int_equal(pcw_run_bls12(0x06, NULL, 0, BLK_FORK_OSAKA, NULL, NULL, &n, NULL, NULL), PCW_E_UNSUPPORTED);
  assert_int_equal(n, 0);
  assert_int_equal(pcw_run_bls12(0x12, NULL, 0, BLK_FORK_OSAKA, NULL, NULL, &n, NULL, NULL), PCW_E_UNSUPPORTED);
  assert_int_equal(pcw_run_bls12(0x0b, NULL, 4, BLK_FORK_OSAKA, NULL, NULL, &n, NULL, NULL), PCW_E_ARG);
  /* a malformed input fails with no products */
  uint8_t junk[3] = {1, 2, 3};
  assert_int_equal(pcw_run_bls12(0x0b, junk, 3, BLK_FORK_OSAKA, NULL, NULL, &n, NULL, NULL), PCW_FAIL);
  assert_int_equal(n, 0);
}

/* Each scenario: rows as counted here, the same in every mode; precomp
 * empty (only covered calls, all succeed). */
static void test_scenario_rows(void **state) {
  (void)state;
  for (size_t i = 0; i < NSC; i++) {
    blk_block b;
    gen_block(scenarios[i].name, scenarios[i].gas, &b);
    trace_collector p;
    pc_expect x = check_rows(&b, &p);
    size_t calls = 0;
    for (size_t j = 0; j < g_n; j++) {
      if (g_ev[j].id != scenarios[i].id) continue; /* the KZG scenario's own hashing */
      assert_true(g_ev[j].ok);
      calls++;
    }
    if (calls == 0) fail_msg("%s: no precompile call", scenarios[i].name);
    assert_int_equal(x.kept, calls);
    assert_int_equal(p.t[TRACE_PRECOMP].rows, x.precomp);
    assert_true(x.products >= calls);
    trace_free(&p);
    reset_events();
    blk_free(&b);
  }
}

/* A block of calls to G1ADD: the generators' valid input, a point off the
 * curve ((1, 1): its curve check makes products, then the call fails), the
 * valid input again. */
static void g1add_world(tu_world *w) {
  blk_block g;
  gen_block("bls12_g1add", 100000, &g);
  trace_collector q;
  run_block_mode(&g, 0, 1, &q);
  assert_true(g_n > 0 && g_ev[0].ok && g_ev[0].len == 256);
  char hex[2 * 256 + 1];
  hex_of(g_ev[0].in, 256, hex);
  uint8_t bad[256];
  memcpy(bad, g_ev[0].in, 256);
  memset(bad, 0, 128);
  bad[63] = 1;
  bad[127] = 1;
  char badhex[2 * 256 + 1];
  hex_of(bad, 256, badhex);
  trace_free(&q);
  blk_free(&g);
  tu_init(w, BLK_FORK_OSAKA);
  tu_contract(w, C_G1ADD, CALL_CODE("600b"), 0);
  tu_tx(w, C_G1ADD, 300000, 0, hex);
  tu_tx(w, C_G1ADD, 300000, 0, badhex);
  tu_tx(w, C_G1ADD, 300000, 0, hex);
}

/* Shards at log 6 (64 products a shard), end to end, are pcw_run_bls12's
 * sequence; the failed call is in precomp only; shards satisfy the AIR; one
 * proves and verifies and a changed cell fails. */
static void test_shards_concatenate(void **state) {
  (void)state;
  tu_world w;
  g1add_world(&w);
  trace_collector p;
  pc_expect x = check_rows(&w.b, &p);
  assert_int_equal(g_n, 3);
  assert_true(g_ev[0].ok && !g_ev[1].ok && g_ev[2].ok);
  assert_true(g_ev[1].w.field_muls > 0); /* the curve check's products */
  assert_int_equal(x.kept, 2);
  assert_int_equal(x.precomp, g_ev[1].w.field_muls + (g_ev[1].w.input_bytes + 31) / 32);
  seq s;
  seq_init(&s);
  for (size_t i = 0; i < g_n; i += 2)
    assert_int_equal(pcw_run_bls12(PCW_ADDR_BLS12_FIRST, g_ev[i].in, (size_t)g_ev[i].len, BLK_FORK_OSAKA, seq_put, &s,
                                   NULL, NULL, NULL),
                     PCW_OK);
  const trace_table *t = &p.t[TRACE_BLS12];
  assert_int_equal(t->rows, s.n);
  const unsigned ls = 6;
  const size_t per = 64, shards = trace_shard_count(t, ls);
  assert_int_equal(shards, (s.n + per - 1) / per);
  assert_true(shards >= 3);
  size_t at = 0;
  for (size_t k = 0; k < shards; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, ls, k, &m, &log_n), TRACE_OK);
    size_t cnt = s.n - at < per ? s.n - at : per, rows = (size_t)1 << log_n;
    assert_true(rows >= cnt && (rows / 2 < cnt || rows == 2));
    for (size_t j = 0; j < cnt; j++, at++) {
      const bb_t *row = m + j * W;
      static const unsigned col[3] = {FP381_AIR_A, FP381_AIR_B, FP381_AIR_R};
      for (int v = 0; v < 3; v++) {
        uint8_t be[48] = {0};
        for (unsigned i = 0; i < 384; i++) {
          assert_true(row[col[v] + i] == 0 || row[col[v] + i] == BB_ONE);
          if (row[col[v] + i]) be[47 - i / 8] |= (uint8_t)(1u << (i % 8));
        }
        assert_memory_equal(be, s.w[at][v], 48);
      }
      assert_true(row[FP381_AIR_REAL] == BB_ONE);
    }
    for (size_t j = cnt * W; j < rows * W; j++) assert_int_equal(m[j], 0);
    assert_int_equal(stark_air_check(fp381_air(), m, rows, NULL, NULL, NULL), STARK_OK);
    if (k == 1) {
      assert_int_equal(atu_prove_verify(fp381_air(), m, log_n, 1), STARK_OK);
      atu_cell_breaks_proof(fp381_air(), m, rows, log_n, 5, FP381_AIR_R + 3);
      atu_cell_breaks_proof(fp381_air(), m, rows, log_n, 17, FP381_AIR_Q + 100);
    }
    free(m);
  }
  assert_int_equal(at, s.n);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, ls, shards, &m, &log_n), TRACE_E_ARG);
  assert_null(m);
  seq_free(&s);
  trace_free(&p);
  reset_events();
  tu_free(&w);
}

/* Where the table stands among the others. */
static void test_modes(void **state) {
  (void)state;
  assert_string_equal(trace_table_name(TRACE_BLS12), "bls12");
  assert_true(trace_table_proven(TRACE_BLS12, P));
  assert_false(trace_table_proven(TRACE_BLS12, 0));
  assert_false(trace_table_proven(TRACE_BLS12, TRACE_OPT_PROVE_ECRECOVER | TRACE_OPT_PROVE_ARITH));
  assert_ptr_equal(trace_air_opts(TRACE_BLS12, P), fp381_air());
  assert_null(trace_air(TRACE_BLS12));
  assert_int_equal(trace_table_width_opts(TRACE_BLS12, P), FP381_AIR_WIDTH);
  assert_int_equal(trace_max_log_shard(TRACE_BLS12, P), TRACE_WIDE_MAX_LOG_SHARD);
  assert_int_equal(trace_max_log_shard(TRACE_BLS12, 0), TRACE_NO_LOG_SHARD_CAP);
  assert_null(trace_lookup_opts(TRACE_BLS12, P | TRACE_OPT_LOOKUPS));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_modes),
      cmocka_unit_test(test_witness),
      cmocka_unit_test(test_scenario_rows),
      cmocka_unit_test(test_shards_concatenate),
  };
  return cmocka_run_group_tests(tests, NULL, pc_record_teardown);
}
