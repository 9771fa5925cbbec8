/* The modmul table: the modular multiplications of successful ECADD, ECMUL,
 * ECPAIRING, P256VERIFY and small-modulus MODEXP calls, 4 arith MULMOD rows
 * each, and the limb steps of MODEXP calls with a wider modulus, 4 arith
 * rows (MUL, ADD, ADD, ADD) each; sized by default and proven with
 * TRACE_OPT_PROVE_PRECOMPILES.
 *
 * Blocks from the worst-case generators (bn254_add, bn254_mul,
 * bn254_pairing, p256verify, modexp_odd, modexp_even, modexp_base_heavy)
 * are run through a
 * wrapper tracer that records every on_precompile (with its work) and the
 * input of every on_precompile_input. The products are then counted here
 * with pcw_run (pcw_run_wide for a wide MODEXP) on those inputs,
 * independently of the collector (which takes
 * bn254 counts from the precompile's field_muls): the table has 4 rows per
 * product with the option, without it and in a counting collector, and
 * precomp has none of these calls. A hand-built Osaka block adds what the
 * generators do not: a MODEXP with a 64-byte modulus (wide: 30 steps), a
 * P256VERIFY with a key off the curve (empty output, 3 products, kept) and
 * an ECADD with a point off the curve (fails: stays in precomp). Shards
 * (small, log 6 to 8) hold whole MULMOD groups: every shard of a small
 * bn254_add block, put end to end, gives pcw_run's sequence of products
 * (operands and results), one call spanning at least 3 shards; shards
 * satisfy the arith AIR, one proves and verifies, and a changed cell
 * fails. The shards of a wide MODEXP hold its steps as pcw_run_wide
 * reports them, each step's four rows giving a * b + t + c by GMP. */
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
#include "gen.h"
#include "stark/stark.h"
#include "trace/arith_air.h"
#include "trace/pc_witness.h"
#include "trace/trace.h"

#define P TRACE_OPT_PROVE_PRECOMPILES
#define W ARITH_AIR_WIDTH
#define C_MODEXP 0x1000
#define C_P256 0x1001
#define C_ECADD 0x1002

/* CALLDATACOPY(0, 0, CALLDATASIZE); STATICCALL(GAS, addr, 0, CALLDATASIZE, 0, 64); POP; STOP */
#define CALL_CODE(addr_push) "36" "6000" "6000" "37" "6040" "6000" "36" "6000" addr_push "5a" "fa" "50" "00"

/* What the recorded events imply (pc_expect): products (pcw_run on each
 * successful covered call's input), calls with products, calls pcw_run
 * does not witness, and precomp rows (the work of every call not in the
 * table). */
static pc_expect expected(blk_fork fork) {
  pc_expect x;
  memset(&x, 0, sizeof x);
  for (size_t i = 0; i < g_n; i++) {
    const pc_event *e = &g_ev[i];
    if (e->id == EVM_PC_SHA256 || e->id == EVM_PC_RIPEMD160 || e->id == EVM_PC_BLAKE2F) continue;
    uint16_t a = pcw_address(e->id);
    if (a && e->ok) {
      uint64_t n = 0;
      int rc = pcw_run(a, e->in, (size_t)e->len, fork, NULL, NULL, &n, NULL, NULL);
      if (rc == PCW_E_UNSUPPORTED && a == PCW_ADDR_MODEXP)
        rc = pcw_run_wide(a, e->in, (size_t)e->len, fork, NULL, NULL, &n, NULL, NULL);
      if (rc == PCW_E_UNSUPPORTED) {
        x.unsupported++;
      } else {
        assert_true(rc == PCW_OK);
        /* bn254: the precompile's own count is pc_witness's */
        if (a == PCW_ADDR_ECADD || a == PCW_ADDR_ECMUL || a == PCW_ADDR_ECPAIRING)
          assert_int_equal(n, e->w.field_muls);
        x.products += n;
        x.calls++;
        x.kept += n != 0;
        continue;
      }
    }
    x.precomp += e->w.limb_muls * 4 + e->w.field_muls + (e->w.input_bytes + 31) / 32;
  }
  return x;
}

/* Rows in every mode (pc_check_rows): modmul 4 per product, at least one
 * covered call. */
static pc_expect check_rows(const blk_block *b, trace_collector *p) {
  pc_expect x = pc_check_rows(b, p, TRACE_MODMUL, 4, arith_air(), expected);
  assert_true(x.calls > 0);
  return x;
}

static void gen_block(const char *name, uint64_t gas, blk_block *b) {
  gen_params gp = {gas, BLK_FORK_OSAKA, 0};
  assert_int_equal(gen_worst_case(name, &gp, b), GEN_OK);
}

/* Each scenario: rows as counted here, the same in every mode; precomp
 * empty (only covered calls, all succeed). */
static void test_scenario_rows(void **state) {
  (void)state;
  static const struct {
    const char *name;
    uint64_t gas;
    evm_pc_id id;
  } sc[] = {
      {"bn254_add", 100000, EVM_PC_BN_ADD},       {"bn254_mul", 100000, EVM_PC_BN_MUL},
      {"bn254_pairing", 200000, EVM_PC_BN_PAIRING}, {"p256verify", 100000, EVM_PC_P256VERIFY},
      {"modexp_odd", 100000, EVM_PC_MODEXP},      {"modexp_even", 100000, EVM_PC_MODEXP},
      {"modexp_base_heavy", 600000, EVM_PC_MODEXP},
  };
  for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++) {
    blk_block b;
    gen_block(sc[i].name, sc[i].gas, &b);
    trace_collector p;
    pc_expect x = check_rows(&b, &p);
    for (size_t j = 0; j < g_n; j++) {
      assert_int_equal(g_ev[j].id, sc[i].id);
      assert_true(g_ev[j].ok);
    }
    assert_int_equal(x.calls, g_n);
    assert_int_equal(x.unsupported, 0);
    assert_int_equal(x.precomp, 0);
    assert_int_equal(p.t[TRACE_PRECOMP].rows, 0);
    assert_true(x.products >= x.calls); /* every call of these does some work */
    trace_free(&p);
    reset_events();
    blk_free(&b);
  }
}

/* The hand-built block: a 64-byte-modulus (wide) MODEXP, a P256VERIFY with a key
 * off the curve and an ECADD with a point off the curve, then one MODEXP
 * with a 32-byte modulus. */
static void modexp_input(uint8_t *in, size_t mod_len) {
  /* base_len 32, exp_len 1, mod_len; base, exponent 0x05, odd modulus with a
   * nonzero top byte */
  memset(in, 0, 96);
  in[31] = 32;
  in[63] = 1;
  in[95] = (uint8_t)mod_len;
  for (int k = 0; k < 32; k++) in[96 + k] = (uint8_t)(k * 7 + 1);
  in[128] = 0x05;
  for (size_t k = 0; k < mod_len; k++) in[129 + k] = (uint8_t)(k * 13 + 0x81);
  in[129 + mod_len - 1] |= 1;
}

/* P-256: hash, r = 1, s = 1, (qx, qy) = (1, 1): in range, off the curve */
static void p256_off_curve(tu_world *w) {
  uint8_t in[160];
  char hex[2 * 160 + 1];
  memset(in, 0, 160);
  for (int k = 0; k < 32; k++) in[k] = (uint8_t)(k + 1);
  in[63] = 1;
  in[95] = 1;
  in[127] = 1;
  in[159] = 1;
  hex_of(in, 160, hex);
  tu_tx(w, C_P256, 200000, 0, hex);
}

static void small_modexp(tu_world *w) {
  uint8_t in[256];
  char hex[2 * 256 + 1];
  modexp_input(in, 32);
  hex_of(in, 129 + 32, hex);
  tu_tx(w, C_MODEXP, 200000, 0, hex);
}

static void three_contracts(tu_world *w) {
  tu_init(w, BLK_FORK_OSAKA);
  tu_contract(w, C_MODEXP, CALL_CODE("6005"), 0);
  tu_contract(w, C_P256, CALL_CODE("610100"), 0);
  tu_contract(w, C_ECADD, CALL_CODE("6006"), 0);
}

static void mixed_world(tu_world *w) {
  three_contracts(w);
  uint8_t in[256];
  char hex[2 * 256 + 1];
  modexp_input(in, 64);
  hex_of(in, 129 + 64, hex);
  tu_tx(w, C_MODEXP, 200000, 0, hex);
  p256_off_curve(w);
  /* ECADD: (1, 1) is not on y^2 = x^3 + 3 */
  memset(in, 0, 128);
  in[31] = 1;
  in[63] = 1;
  hex_of(in, 128, hex);
  tu_tx(w, C_ECADD, 200000, 0, hex);
  small_modexp(w);
}

static void test_mixed_block(void **state) {
  (void)state;
  tu_world w;
  mixed_world(&w);
  trace_collector p;
  pc_expect x = check_rows(&w.b, &p);
  assert_int_equal(g_n, 4);
  assert_int_equal(g_ev[0].id, EVM_PC_MODEXP);
  assert_true(g_ev[0].ok);
  assert_true(g_ev[1].ok); /* P256VERIFY answers empty output, it does not fail */
  assert_false(g_ev[2].ok); /* the ECADD fails */
  assert_true(g_ev[2].w.field_muls > 0);
  assert_true(g_ev[3].ok);
  assert_int_equal(x.unsupported, 0);
  assert_int_equal(x.calls, 3);
  assert_int_equal(x.kept, 3);
  /* precomp: the failed ECADD, nothing else */
  assert_int_equal(p.t[TRACE_PRECOMP].rows, g_ev[2].w.field_muls + (g_ev[2].w.input_bytes + 31) / 32);
  const trace_table *t = &p.t[TRACE_MODMUL];
  /* 64-byte modulus: K = 2 limbs, 2 K^2 + K = 10 steps a product; e = 5 =
   * 101b: two squarings, one product by b (base below m) */
  assert_int_equal(t->mm_calls[0].address, PCW_ADDR_MODEXP);
  assert_int_equal(t->mm_calls[0].wide, 1);
  assert_int_equal(t->mm_calls[0].muls, 30);
  assert_int_equal(t->mm_calls[1].address, PCW_ADDR_P256VERIFY);
  assert_int_equal(t->mm_calls[1].wide, 0);
  assert_int_equal(t->mm_calls[1].muls, P256_WITNESS_MULS_ON_CURVE);
  assert_int_equal(t->mm_calls[2].address, PCW_ADDR_MODEXP);
  assert_int_equal(t->mm_calls[2].wide, 0);
  assert_int_equal(t->mm_calls[2].muls, 3);
  assert_int_equal(t->rows, 4 * (30 + P256_WITNESS_MULS_ON_CURVE + 3));
  /* shards of log 6 (16 products) mix steps and MULMODs and satisfy the AIR */
  assert_int_equal(trace_shard_count(t, 6), 3);
  for (size_t k = 0; k < 3; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, 6, k, &m, &log_n), TRACE_OK);
    assert_int_equal(stark_air_check(arith_air(), m, (size_t)1 << log_n, NULL, NULL, NULL), STARK_OK);
    free(m);
  }
  trace_free(&p);
  reset_events();
  tu_free(&w);
}

/* pcw_run's sequence of products over the kept calls (or pcw_run_wide's
 * steps), for comparison. */
typedef struct {
  uint8_t (*w)[4][32]; /* a, b, m, r (a step: a, b, t, c) */
  size_t n, cap;
} seq;

static void seq_put(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32], const uint8_t r[32]) {
  seq *s = ctx;
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 1024;
    s->w = realloc(s->w, s->cap * sizeof *s->w);
    assert_non_null(s->w);
  }
  memcpy(s->w[s->n][0], a, 32);
  memcpy(s->w[s->n][1], b, 32);
  memcpy(s->w[s->n][2], m, 32);
  memcpy(s->w[s->n][3], r, 32);
  s->n++;
}

static void word_at(const bb_t *row, unsigned col, uint8_t out[32]) {
  for (int i = 0; i < 32; i++) {
    uint32_t v = bb_to_u32(row[col + (unsigned)i]);
    assert_true(v < 256);
    out[31 - i] = (uint8_t)v;
  }
}

/* A block of three ECADD calls on the generators' valid points (392
 * products each) between a 3-product MODEXP and a P256VERIFY off the
 * curve (3 products). */
static void concat_world(tu_world *w) {
  blk_block g;
  gen_block("bn254_add", 100000, &g);
  trace_collector q;
  run_block_mode(&g, 0, 1, &q);
  assert_true(g_n > 0 && g_ev[0].ok && g_ev[0].len == 128);
  char hex[2 * 128 + 1];
  hex_of(g_ev[0].in, 128, hex);
  trace_free(&q);
  blk_free(&g);
  three_contracts(w);
  tu_tx(w, C_ECADD, 200000, 0, hex);
  small_modexp(w);
  tu_tx(w, C_ECADD, 200000, 0, hex);
  p256_off_curve(w);
  tu_tx(w, C_ECADD, 200000, 0, hex);
}

/* Every shard at log 8 (64 products a shard), end to end, is pcw_run's
 * sequence; a call spans at least 3 shards; shards satisfy the AIR; one
 * proves and verifies and a changed cell fails. */
static void test_shards_concatenate(void **state) {
  (void)state;
  tu_world w;
  concat_world(&w);
  trace_collector p;
  pc_expect x = check_rows(&w.b, &p);
  assert_int_equal(x.kept, 5);
  assert_int_equal(x.precomp, 0);
  seq s = {NULL, 0, 0};
  for (size_t i = 0; i < g_n; i++) {
    uint16_t a = pcw_address(g_ev[i].id);
    assert_true(a && g_ev[i].ok);
    uint64_t n = 0;
    assert_int_equal(pcw_run(a, g_ev[i].in, (size_t)g_ev[i].len, BLK_FORK_OSAKA, seq_put, &s, &n, NULL, NULL),
                     PCW_OK);
  }
  const trace_table *t = &p.t[TRACE_MODMUL];
  assert_int_equal(t->rows, 4 * s.n);
  const unsigned ls = 8;
  const size_t per = 64, shards = trace_shard_count(t, ls);
  assert_int_equal(shards, (s.n + per - 1) / per);
  /* a call over at least 3 shards, and a call boundary inside a shard */
  int spans3 = 0, inner = 0;
  for (size_t i = 0; i < t->mm_n; i++) {
    const trace_mmcall *e = &t->mm_calls[i];
    if ((e->first + e->muls - 1) / per - e->first / per >= 2) spans3 = 1;
    if (i && e->first % per) inner = 1;
  }
  assert_true(spans3);
  assert_true(inner);
  size_t at = 0;
  for (size_t k = 0; k < shards; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, ls, k, &m, &log_n), TRACE_OK);
    size_t cnt = s.n - at < per ? s.n - at : per, rows = (size_t)1 << log_n;
    assert_true(rows >= 4 * cnt && rows / 2 < 4 * cnt);
    for (size_t j = 0; j < cnt; j++, at++) {
      const bb_t *row = m + 4 * j * W;
      uint8_t x[32];
      word_at(row, ARITH_AIR_A, x);
      assert_memory_equal(x, s.w[at][0], 32);
      word_at(row, ARITH_AIR_B, x);
      assert_memory_equal(x, s.w[at][1], 32);
      word_at(row, ARITH_AIR_C, x);
      assert_memory_equal(x, s.w[at][2], 32);
      assert_int_equal(bb_to_u32(row[3 * W + ARITH_AIR_SEL + ARITH_AIR_K_MULMOD_P]), 1);
      assert_int_equal(arith_air_result(row + 3 * W, x), 0);
      assert_memory_equal(x, s.w[at][3], 32);
    }
    for (size_t j = 4 * cnt * W; j < rows * W; j++) assert_int_equal(m[j], 0);
    if (k == 0 || k == shards / 2 || k == shards - 1)
      assert_int_equal(stark_air_check(arith_air(), m, rows, NULL, NULL, NULL), STARK_OK);
    if (k == 1) {
      assert_int_equal(atu_prove_verify(arith_air(), m, log_n, 1), STARK_OK);
      atu_cell_breaks_proof(arith_air(), m, rows, log_n, 5, ARITH_AIR_A + 3);
      atu_cell_breaks_proof(arith_air(), m, rows, log_n, 4 * 10 + 3, ARITH_AIR_R + 7);
    }
    free(m);
  }
  assert_int_equal(at, s.n);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, ls, shards, &m, &log_n), TRACE_E_ARG);
  assert_null(m);
  /* below 4 rows: one product a shard, padded to 4 rows */
  assert_int_equal(trace_shard_count(t, 1), s.n);
  assert_int_equal(trace_shard(t, 1, s.n - 1, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 2);
  free(m);
  free(s.w);
  trace_free(&p);
  reset_events();
  tu_free(&w);
}

static void mpz_word(mpz_t z, const uint8_t w[32]) { mpz_import(z, 32, 1, 1, 1, 0, w); }

/* A block with one wide MODEXP (64-byte modulus, 30 steps): its shards at
 * log 6 (16 steps a shard) are pcw_run_wide's steps in order, four rows
 * each: MUL a * b, ADD of its low word and t, ADD of that and c (the row's
 * result t'), ADD of the high word and the carries (the result c'), with
 * c' 2^256 + t' = a b + t + c by GMP; the shards satisfy the AIR, one
 * proves and verifies, and a changed cell fails. */
static void test_wide_shards(void **state) {
  (void)state;
  tu_world w;
  three_contracts(&w);
  uint8_t in[256];
  char hex[2 * 256 + 1];
  modexp_input(in, 64);
  hex_of(in, 129 + 64, hex);
  tu_tx(&w, C_MODEXP, 200000, 0, hex);
  trace_collector p;
  pc_expect x = check_rows(&w.b, &p);
  assert_int_equal(x.products, 30);
  seq s = {NULL, 0, 0};
  uint64_t n = 0;
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, g_ev[0].in, (size_t)g_ev[0].len, BLK_FORK_OSAKA, seq_put, &s,
                                &n, NULL, NULL),
                   PCW_OK);
  assert_int_equal(s.n, 30);
  const trace_table *t = &p.t[TRACE_MODMUL];
  assert_int_equal(trace_shard_count(t, 6), 2);
  mpz_t a, b, tt, c, got, want;
  mpz_inits(a, b, tt, c, got, want, NULL);
  size_t at = 0;
  for (size_t k = 0; k < 2; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, 6, k, &m, &log_n), TRACE_OK);
    size_t cnt = k ? 30 - 16 : 16, rows = (size_t)1 << log_n;
    for (size_t j = 0; j < cnt; j++, at++) {
      const bb_t *row = m + 4 * j * W;
      uint8_t x0[32], x1[32];
      static const arith_air_kind kinds[4] = {ARITH_AIR_K_MUL, ARITH_AIR_K_ADD, ARITH_AIR_K_ADD, ARITH_AIR_K_ADD};
      for (int r = 0; r < 4; r++) assert_int_equal(bb_to_u32(row[r * W + ARITH_AIR_SEL + kinds[r]]), 1);
      word_at(row, ARITH_AIR_A, x0);
      assert_memory_equal(x0, s.w[at][0], 32);
      word_at(row, ARITH_AIR_B, x0);
      assert_memory_equal(x0, s.w[at][1], 32);
      word_at(row + W, ARITH_AIR_B, x0);
      assert_memory_equal(x0, s.w[at][2], 32);
      word_at(row + 2 * W, ARITH_AIR_B, x0);
      assert_memory_equal(x0, s.w[at][3], 32);
      assert_int_equal(arith_air_result(row + 2 * W, x0), 0); /* t' */
      assert_int_equal(arith_air_result(row + 3 * W, x1), 0); /* c' */
      mpz_word(a, s.w[at][0]);
      mpz_word(b, s.w[at][1]);
      mpz_word(tt, s.w[at][2]);
      mpz_word(c, s.w[at][3]);
      mpz_mul(want, a, b);
      mpz_add(want, want, tt);
      mpz_add(want, want, c);
      mpz_word(got, x1);
      mpz_mul_2exp(got, got, 256);
      mpz_word(a, x0);
      mpz_add(got, got, a);
      assert_int_equal(mpz_cmp(got, want), 0);
    }
    for (size_t j = 4 * cnt * W; j < rows * W; j++) assert_int_equal(m[j], 0);
    assert_int_equal(stark_air_check(arith_air(), m, rows, NULL, NULL, NULL), STARK_OK);
    if (k == 1) {
      assert_int_equal(atu_prove_verify(arith_air(), m, log_n, 1), STARK_OK);
      atu_cell_breaks_proof(arith_air(), m, rows, log_n, 4 * 3 + 1, ARITH_AIR_B + 9);
    }
    free(m);
  }
  assert_int_equal(at, 30);
  mpz_clears(a, b, tt, c, got, want, NULL);
  free(s.w);
  trace_free(&p);
  reset_events();
  tu_free(&w);
}

/* Where the table stands among the others. */
static void test_modes(void **state) {
  (void)state;
  assert_string_equal(trace_table_name(TRACE_MODMUL), "modmul");
  assert_int_equal(TRACE_MODMUL, 10);
  assert_int_equal(TRACE_COUNT, 15);
  assert_true(trace_table_proven(TRACE_MODMUL, P));
  assert_false(trace_table_proven(TRACE_MODMUL, 0));
  assert_false(trace_table_proven(TRACE_MODMUL, TRACE_OPT_PROVE_ECRECOVER | TRACE_OPT_PROVE_ARITH));
  assert_ptr_equal(trace_air_opts(TRACE_MODMUL, P), arith_air());
  assert_null(trace_air(TRACE_MODMUL));
  assert_int_equal(trace_table_width_opts(TRACE_MODMUL, P), ARITH_AIR_WIDTH);
  assert_int_equal(trace_max_log_shard(TRACE_MODMUL, P), TRACE_WIDE_MAX_LOG_SHARD);
  assert_int_equal(trace_max_log_shard(TRACE_MODMUL, 0), TRACE_NO_LOG_SHARD_CAP);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_modes),
      cmocka_unit_test(test_scenario_rows),
      cmocka_unit_test(test_mixed_block),
      cmocka_unit_test(test_shards_concatenate),
      cmocka_unit_test(test_wide_shards),
  };
  return cmocka_run_group_tests_name("modmul_table", tests, NULL, pc_record_teardown);
}
