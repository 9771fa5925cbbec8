/* Tests of the STARK prover's CUDA backend (stark.h: STARK_BACKEND_CUDA) and of
 * the FRI commit phase on the device (fri.h: fri_prove_backend).
 *
 * The oracle is the CPU backend: for the same AIR, trace and parameters the
 * CUDA backend must produce the same proof bytes, and that proof must pass
 * the CPU verifier. AIRs: Fibonacci (width 2, eval_base), add256 (width 64)
 * (both with a quotient kernel: the constraints run on the device) and a
 * test AIR of odd width (3, 5, 7) with a degree-3 constraint (two quotient
 * chunks), no eval_base and no kernel (the prover's host ext path); sizes from
 * log_n = 1 up; blowup 2 and 4; FRI folding by 2 and by 4. Device failures
 * are injected with cu_test_fail_alloc at every allocation of a proof in
 * turn: each must give STARK_ERR_DEVICE with the code and a message, never
 * a proof.
 * Every check runs on the CPU emulation of the kernels and, when a device is
 * present, on the GPU (skipped with the reason otherwise). Emulation is slow,
 * so sizes stay small unless PKB_CUDA_TEST_LARGE=1 or a GPU is present, which
 * add larger ones.
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
#include "fri/fri.h"
#include "stark/air.h"
#include "stark/stark.h"

#define CU_TEST_SEED 0x510e527fade682d1ull
#include "cu_test_util.h"
static int g_large; /* PKB_CUDA_TEST_LARGE or a device: larger sizes */

/* ---- a test AIR of any width w >= 2 ------------------------------------------
 * Transitions: next[j] = local[j] + local[j+1] (j < w-1),
 *              next[w-1] = local[w-1] * local[0]  (degree 3 with the selector);
 * first row: local[0] = pub[0]. */
static void chain_eval_ext(const stark_air *air, stark_eval_ext *e) {
  unsigned w = air->width;
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, ext_sub(e->local[0], ext_from_base(e->pub[0]))));
  for (unsigned j = 0; j + 1 < w; j++)
    stark_assert_zero_ext(
        e, ext_mul(e->is_transition, ext_sub(e->next[j], ext_add(e->local[j], e->local[j + 1]))));
  stark_assert_zero_ext(
      e, ext_mul(e->is_transition, ext_sub(e->next[w - 1], ext_mul(e->local[w - 1], e->local[0]))));
}

static stark_air chain_air(unsigned w) {
  stark_air a = {"cu-test-chain", w, 1, w + 1, 3, chain_eval_ext, NULL, NULL};
  return a;
}

static bb_t *chain_trace(unsigned w, size_t n, bb_t *pub0) {
  bb_t *t = malloc(n * w * sizeof *t);
  assert_non_null(t);
  for (unsigned j = 0; j < w; j++) t[j] = bb_from_u32((uint32_t)rng());
  for (size_t r = 1; r < n; r++) {
    const bb_t *p = t + (r - 1) * w;
    bb_t *c = t + r * w;
    for (unsigned j = 0; j + 1 < w; j++) c[j] = bb_add(p[j], p[j + 1]);
    c[w - 1] = bb_mul(p[w - 1], p[0]);
  }
  *pub0 = t[0];
  return t;
}

/* ---- proving on both backends -------------------------------------------------- */

static stark_config test_cfg(unsigned log_blowup, unsigned log_arity) {
  stark_config c = stark_config_default();
  c.fri = fri_params_for(log_blowup, 100);
  c.fri.pow_bits = 4; /* keep grinding cheap; the value is bound in the transcript */
  c.fri.log_arity = log_arity;
  c.threads = 1;
  return c;
}

static void serialize(const stark_proof *p, uint8_t **b, size_t *len) {
  assert_int_equal(stark_proof_serialize(p, b, len), STARK_OK);
}

/* Prove on the CPU and on CUDA; the bytes must match and verify. */
static void check_same(const stark_air *air, const bb_t *trace, unsigned log_n, const bb_t *pub,
                       stark_config cfg) {
  stark_proof pc, pg;
  stark_timings tc, tg;
  cfg.backend = STARK_BACKEND_CPU;
  assert_int_equal(stark_prove(air, &cfg, trace, log_n, pub, &pc, &tc), STARK_OK);
  cfg.backend = STARK_BACKEND_CUDA;
  int rc = stark_prove(air, &cfg, trace, log_n, pub, &pg, &tg);
  if (rc != STARK_OK)
    fail_msg("%s 2^%u: cuda backend: stark code %d, device %s (%s)", air->name, log_n, rc,
             cu_strerror(tg.device_rc), cu_last_error_string());
  assert_int_equal(tg.device_rc, CU_OK);
  /* the constraints ran on the device exactly for the AIRs with a kernel */
  assert_int_equal(tc.quotient_device, 0);
  assert_int_equal(tg.quotient_device,
                   cu_air_kernel(air->name, air->width, air->num_public, air->num_constraints) != 0);
  uint8_t *bc, *bg;
  size_t lc, lg;
  serialize(&pc, &bc, &lc);
  serialize(&pg, &bg, &lg);
  assert_int_equal(lc, lg);
  for (size_t i = 0; i < lc; i++)
    if (bc[i] != bg[i])
      fail_msg("%s w=%u 2^%u blowup %u arity %u: proofs differ at byte %zu of %zu", air->name,
               air->width, log_n, 1u << cfg.fri.log_blowup, 1u << fri_log_arity(&cfg.fri), i, lc);
  stark_proof parsed;
  assert_int_equal(stark_proof_deserialize(bg, lg, &parsed), STARK_OK);
  assert_int_equal(stark_verify(air, &cfg.fri, pub, &parsed), STARK_OK);
  stark_proof_free(&parsed);
  free(bc);
  free(bg);
  stark_proof_free(&pc);
  stark_proof_free(&pg);
}

static void fib_case(unsigned log_n, stark_config cfg) {
  size_t n = (size_t)1 << log_n;
  bb_t *t = malloc(2 * n * sizeof *t);
  assert_non_null(t);
  uint32_t res;
  uint32_t a0 = (uint32_t)(rng() % 1000), b0 = (uint32_t)(rng() % 1000);
  stark_fib_trace(t, n, a0, b0, &res);
  bb_t pub[STARK_FIB_PUBLIC] = {bb_from_u32(a0), bb_from_u32(b0), bb_from_u32(res)};
  check_same(&stark_air_fib, t, log_n, pub, cfg);
  free(t);
}

static void t_fib(void **state) {
  if (!use_mode(state)) return;
  unsigned sizes[] = {1, 2, 3, 5, 8}, big[] = {12, 14};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) fib_case(sizes[i], test_cfg(1, 1));
  fib_case(4, test_cfg(2, 1)); /* blowup 4 */
  fib_case(7, test_cfg(1, 2)); /* folding by 4 */
  fib_case(1, test_cfg(2, 2));
  if (g_large || *(int *)*state == MODE_GPU)
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) fib_case(big[i], test_cfg(1, 1));
}

static void t_add256(void **state) {
  if (!use_mode(state)) return;
  unsigned sizes[] = {1, 4};
  for (size_t s = 0; s < 2 + (g_large ? 1 : 0); s++) {
    unsigned log_n = s < 2 ? sizes[s] : 10;
    size_t n = (size_t)1 << log_n;
    bb_t *t = malloc(n * STARK_ADD256_WIDTH * sizeof *t);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) {
      uint16_t a[16], b[16];
      for (int k = 0; k < 16; k++) {
        a[k] = (uint16_t)rng();
        b[k] = (uint16_t)rng();
      }
      stark_add256_row(t + i * STARK_ADD256_WIDTH, a, b);
    }
    check_same(&stark_air_add256, t, log_n, NULL, test_cfg(1, 1));
    free(t);
  }
}

static void t_odd_width(void **state) {
  if (!use_mode(state)) return;
  const unsigned widths[] = {3, 5, 7}, logs[] = {1, 3, 6};
  for (size_t i = 0; i < 3; i++)
    for (size_t k = 0; k < 3; k++) {
      stark_air air = chain_air(widths[i]);
      assert_int_equal(cu_air_kernel(air.name, air.width, air.num_public, air.num_constraints), 0);
      bb_t pub0;
      bb_t *t = chain_trace(widths[i], (size_t)1 << logs[k], &pub0);
      check_same(&air, t, logs[k], &pub0, test_cfg(1 + (unsigned)(k == 2), 1 + (unsigned)(i == 2)));
      free(t);
    }
}

/* fri_prove_backend alone: same proof and indices on both backends. */
static void t_fri(void **state) {
  if (!use_mode(state)) return;
  const unsigned logs[] = {1, 2, 5, 9};
  for (unsigned arity = 1; arity <= 2; arity++)
    for (size_t k = 0; k < sizeof logs / sizeof logs[0]; k++) {
      unsigned log_n = logs[k];
      fri_params p = fri_params_for(1, 40);
      p.log_arity = arity;
      p.log_final_len = log_n > 4 ? 1 : 0;
      size_t N = (size_t)1 << log_n;
      ext_t *e = malloc(N * sizeof *e);
      assert_non_null(e);
      for (size_t i = 0; i < N; i++)
        e[i] = ext_from_u32((uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng());
      chal_state c1, c2;
      chal_init(&c1);
      chal_init(&c2);
      fri_proof a, b;
      size_t ia[FRI_MAX_QUERIES], ib[FRI_MAX_QUERIES];
      int drc = -99;
      assert_int_equal(fri_prove(&p, &c1, e, log_n, bb_generator(), 1, &a, ia, NULL), FRI_OK);
      assert_int_equal(fri_prove_backend(&p, FRI_BACKEND_CUDA, &c2, e, log_n, bb_generator(), 1, &b,
                                         ib, NULL, &drc),
                       FRI_OK);
      assert_int_equal(drc, -99); /* untouched on success */
      assert_int_equal(a.num_layers, b.num_layers);
      assert_memory_equal(ia, ib, p.num_queries * sizeof ia[0]);
      if (a.num_layers) assert_memory_equal(a.roots, b.roots, a.num_layers * sizeof a.roots[0]);
      assert_memory_equal(a.final_poly, b.final_poly, a.final_len * sizeof a.final_poly[0]);
      assert_int_equal(a.pow_witness, b.pow_witness);
      size_t rv = fri_row_values(&p, log_n), pd = fri_path_digests(&p, log_n);
      assert_memory_equal(a.rows, b.rows, p.num_queries * rv * sizeof a.rows[0]);
      if (pd) assert_memory_equal(a.paths, b.paths, p.num_queries * pd * sizeof a.paths[0]);
      fri_proof_free(&a);
      fri_proof_free(&b);
      free(e);
    }
}

/* Every allocation of a proof fails in turn: STARK_ERR_DEVICE each time (with
 * the code and a message), until the proof needs no more and succeeds with
 * the CPU's bytes. The failure points cover the trace LDE and tree, the
 * quotient and FRI. */
static void t_fault(void **state) {
  if (!use_mode(state)) return;
  unsigned log_n = 4;
  size_t n = (size_t)1 << log_n;
  bb_t t[2 * 16];
  uint32_t res;
  stark_fib_trace(t, n, 1, 2, &res);
  bb_t pub[3] = {bb_from_u32(1), bb_from_u32(2), bb_from_u32(res)};
  stark_config cfg = test_cfg(1, 1);
  cfg.backend = STARK_BACKEND_CUDA;
  cu_release(); /* the cached tables are allocations too: start from none */
  long after = 0;
  for (;; after++) {
    assert_true(after < 1000);
    cu_test_fail_alloc(after);
    stark_proof p;
    stark_timings tm;
    memset(&p, 0x5a, sizeof p);
    tm.device_rc = 12345;
    int rc = stark_prove(&stark_air_fib, &cfg, t, log_n, pub, &p, &tm);
    cu_test_fail_alloc(-1);
    if (rc == STARK_OK) {
      stark_proof_free(&p);
      break;
    }
    assert_int_equal(rc, STARK_ERR_DEVICE);
    assert_int_equal(tm.device_rc, CU_ERR_DEVMEM);
    assert_non_null(strstr(cu_last_error_string(), "injected"));
    assert_null(p.trace_zeta); /* nothing left to free, nothing that looks like a proof */
    assert_null(p.fri.roots);
    cu_release();
  }
  /* a trace tree, a quotient tree, at least one FRI layer tree, and their buffers */
  assert_true(after >= 6);
  check_same(&stark_air_fib, t, log_n, pub, test_cfg(1, 1));
}

static void t_args(void **state) {
  (void)state;
  bb_t t[4];
  uint32_t res;
  stark_fib_trace(t, 2, 0, 1, &res);
  bb_t pub[3] = {0, BB_ONE, bb_from_u32(res)};
  stark_config cfg = test_cfg(1, 1);
  stark_proof p;
  cfg.backend = 7;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 1, pub, &p, NULL), STARK_ERR_ARG);
  assert_int_equal(stark_config_default().backend, STARK_BACKEND_CPU);
  /* no device and no emulation: a device error, not a proof */
  cu_set_emulation(0);
  if (!cu_available(NULL, 0)) {
    stark_timings tm;
    cfg.backend = STARK_BACKEND_CUDA;
    assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 1, pub, &p, &tm), STARK_ERR_DEVICE);
    assert_int_equal(tm.device_rc, CU_ERR_NODEV);
    fri_params fp = fri_params_for(1, 40);
    ext_t e[4] = {ext_one(), ext_one(), ext_one(), ext_one()};
    chal_state ch;
    chal_init(&ch);
    fri_proof fpr;
    size_t idx[FRI_MAX_QUERIES];
    int drc = 0;
    assert_int_equal(
        fri_prove_backend(&fp, FRI_BACKEND_CUDA, &ch, e, 2, bb_generator(), 1, &fpr, idx, NULL, &drc),
        FRI_ERR_DEVICE);
    assert_int_equal(drc, CU_ERR_NODEV);
  }
}

int main(void) {
  char name[256];
  int dev = cu_available(name, sizeof name);
  const char *large = getenv("PKB_CUDA_TEST_LARGE");
  g_large = dev || (large && large[0] == '1');
  print_message("cuda backend: %s%s%s\n", dev ? "device " : "", name, g_large ? " (large sizes)" : "");
#define T(name, f, st) {name, f, NULL, NULL, st}
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_args),
      T("emu_fri", t_fri, &mode_emu),
      T("emu_fib", t_fib, &mode_emu),
      T("emu_add256", t_add256, &mode_emu),
      T("emu_odd_width", t_odd_width, &mode_emu),
      T("emu_fault", t_fault, &mode_emu),
      T("gpu_fri", t_fri, &mode_gpu),
      T("gpu_fib", t_fib, &mode_gpu),
      T("gpu_add256", t_add256, &mode_gpu),
      T("gpu_odd_width", t_odd_width, &mode_gpu),
      T("gpu_fault", t_fault, &mode_gpu),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cu_set_emulation(0);
  cu_release();
  return rc;
}
