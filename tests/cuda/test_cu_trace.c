/* The CUDA backend of the STARK prover on real trace tables (prover/trace):
 * for small generated blocks (gen_worst_case: CALL, SSTORE and MCOPY loops at
 * 100k gas), the first shard of every table that has an AIR, at 2^1, 2^3 and
 * 2^6 rows (2^10 more with PKB_CUDA_TEST_LARGE=1 or a GPU), is proven on the
 * CPU and on the CUDA backend: the proof bytes must be identical and verify
 * with the CPU verifier, and the CUDA backend must have evaluated the
 * constraints on the device (their kernel, cuda/cu_kern_air.h); at 2^3 rows a
 * tampered copy (a "real" flag set to 2, check_trace off) must give the same
 * bytes on both backends and fail verification. The device's quotient
 * evaluations of the three AIRs are compared with a direct host computation
 * on random rows (log_n 1..10, blowup 2 and 4). Runs on the CPU emulation of
 * the kernels and, when a device is present, on the GPU.
 * This file needs the whole library (generator, executor, trace builder), so
 * it is meant for full builds; test_cu_stark.c covers the prover alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cuda/cu.h"
#include "evm/evm.h"
#include "gen.h"
#include "stark/stark.h"
#include "trace/trace.h"
#include "trace/trace_cols.h"

#include "quot_ref.h"
#include "../trace/trace_test_util.h"

#define CU_TEST_SEED 0xa54ff53a5f1d36f1ull
#include "cu_test_util.h"
static int g_large;

/* valid = 0: a tampered table, proven without the trace check; its proof
 * must not verify. */
static int has_kernel(const stark_air *a) {
  return cu_air_kernel(a->name, a->width, a->num_public, a->num_constraints) != 0;
}

/* The column every constraint system here keeps boolean: 2 breaks it. */
static size_t real_col(trace_table_id id) {
  return id == TRACE_CPU ? CPU_REAL : id == TRACE_MEMORY ? MEM_REAL : STO_REAL;
}

static void prove_bytes(const stark_air *air, int backend, const bb_t *m, unsigned log_n, const bb_t *pub,
                        uint8_t **b, size_t *len, int valid) {
  stark_config cfg = stark_config_default();
  cfg.fri.pow_bits = 4; /* cheap grinding; the value is bound in the transcript */
  cfg.threads = 1;
  cfg.backend = backend;
  cfg.check_trace = valid;
  stark_proof p;
  stark_timings t;
  int rc = stark_prove(air, &cfg, m, log_n, pub, &p, &t);
  if (rc != STARK_OK)
    fail_msg("%s 2^%u backend %d: stark code %d (%s: %s)", air->name ? air->name : "?", log_n, backend,
             rc, cu_strerror(t.device_rc), cu_last_error_string());
  assert_int_equal(stark_proof_serialize(&p, b, len), STARK_OK);
  /* the tables' constraints run on the device when they have a kernel */
  assert_int_equal(t.quotient_device, backend == STARK_BACKEND_CUDA && has_kernel(air));
  if (backend == STARK_BACKEND_CUDA)
    assert_int_equal(stark_verify(air, &cfg.fri, pub, &p), valid ? STARK_OK : STARK_ERR_VERIFY);
  stark_proof_free(&p);
}

static void check_block(const char *scenario, size_t *proven) {
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case(scenario, &gp, &b), GEN_OK);
  trace_collector c;
  trace_collect_block(&b, 0, &c);
  blk_free(&b);
  const unsigned logs[] = {1, 3, 6, 10};
  for (int id = 0; id < TRACE_COUNT; id++) {
    const stark_air *air = trace_air((trace_table_id)id);
    if (!air || c.t[id].rows == 0) continue;
    for (size_t k = 0; k < 3 + (g_large ? 1u : 0u); k++) {
      bb_t *m;
      unsigned log_n;
      assert_int_equal(trace_shard(&c.t[id], logs[k], 0, &m, &log_n), TRACE_OK);
      if (log_n < logs[k] && k > 0) { /* the table is smaller than this shard size: done */
        free(m);
        break;
      }
      uint8_t *bc, *bg;
      size_t lc, lg;
      bb_t pubv[CPU_PUBLIC]; /* the cpu shard's, from its honest rows */
      const bb_t *pub = trace_shard_public((trace_table_id)id, m, log_n, pubv) ? pubv : NULL;
      /* at 2^3 rows, a tampered copy too: row 3's "real" flag set to 2 */
      for (int valid = 1; valid >= (k == 1 ? 0 : 1); valid--) {
        if (!valid) m[(size_t)3 * air->width + real_col((trace_table_id)id)] = bb_from_u32(2);
        prove_bytes(air, STARK_BACKEND_CPU, m, log_n, pub, &bc, &lc, valid);
        prove_bytes(air, STARK_BACKEND_CUDA, m, log_n, pub, &bg, &lg, valid);
        assert_int_equal(lc, lg);
        for (size_t i = 0; i < lc; i++)
          if (bc[i] != bg[i])
            fail_msg("%s: table %s (width %u) 2^%u rows: proofs differ at byte %zu of %zu", scenario,
                     trace_table_name((trace_table_id)id), air->width, log_n, i, lc);
        print_message("  %s: table %s, width %u, 2^%u rows%s: %zu identical proof bytes\n", scenario,
                      trace_table_name((trace_table_id)id), air->width, log_n, valid ? "" : " (tampered)", lc);
        free(bc);
        free(bg);
      }
      free(m);
      (*proven)++;
    }
  }
  trace_free(&c);
}

static void t_tables(void **state) {
  if (!use_mode(state)) return;
  size_t proven = 0;
  check_block("call", &proven);
  check_block("sstore_new", &proven);
  check_block("mcopy", &proven);
  /* the cpu table at three sizes at least, and some other table */
  assert_true(proven >= 4);
}

/* cpu, memory and storage have a kernel; a shape other than theirs has none. */
static void t_bind(void **state) {
  (void)state;
  const trace_table_id ids[] = {TRACE_CPU, TRACE_MEMORY, TRACE_STORAGE};
  for (size_t i = 0; i < 3; i++) {
    const stark_air *a = trace_air(ids[i]);
    assert_non_null(a);
    assert_true(has_kernel(a));
    assert_int_equal(cu_air_kernel(a->name, a->width, a->num_public, a->num_constraints + 1), 0);
  }
}

/* The device's quotient evaluations of the tables' AIRs equal the direct
 * host computation (quot_ref.h), element for element: random rows (the
 * quotient of any rows is defined), log_n 1..10, blowup 2 and 4, qc = the
 * AIRs' own (2) and every other the blowup allows. */
static void t_quot(void **state) {
  if (!use_mode(state)) return;
  const trace_table_id ids[] = {TRACE_CPU, TRACE_MEMORY, TRACE_STORAGE};
  size_t checked = 0;
  for (size_t i = 0; i < 3; i++) {
    const stark_air *air = trace_air(ids[i]);
    assert_int_equal(stark_air_quotient_chunks(air), 2);
    for (unsigned lb = 1; lb <= 2; lb++)
      for (unsigned log_n = 1; log_n <= 10; log_n++)
        for (unsigned qc = 1; qc <= (1u << lb); qc <<= 1) {
          size_t cells = ((size_t)1 << log_n) * air->width;
          bb_t *t = malloc(cells * sizeof *t);
          assert_non_null(t);
          for (size_t c = 0; c < cells; c++) t[c] = bb_from_u32((uint32_t)rng());
          ext_t alpha = ext_from_u32((uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng());
          bb_t pub[CPU_PUBLIC]; /* random public values too */
          for (unsigned v = 0; v < CPU_PUBLIC; v++) pub[v] = bb_from_u32((uint32_t)rng());
          free(quot_check(air, t, log_n, lb, qc, air->num_public ? pub : NULL, alpha));
          free(t);
          checked++;
        }
  }
  assert_int_equal(checked, 3 * 10 * (2 + 3));
}

int main(void) {
  char name[256];
  int dev = cu_available(name, sizeof name);
  const char *large = getenv("PKB_CUDA_TEST_LARGE");
  g_large = dev || (large && large[0] == '1');
  print_message("cuda backend: %s%s%s\n", dev ? "device " : "", name, g_large ? " (large sizes)" : "");
#define T(name, f, st) {name, f, NULL, NULL, st}
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_bind),
      T("emu_quot", t_quot, &mode_emu),
      T("emu_tables", t_tables, &mode_emu),
      T("gpu_quot", t_quot, &mode_gpu),
      T("gpu_tables", t_tables, &mode_gpu),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cu_set_emulation(0);
  cu_release();
  return rc;
}
