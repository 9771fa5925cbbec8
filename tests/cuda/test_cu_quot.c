/* Tests of the quotient's constraint evaluation on the device (cuda/cu.h:
 * cu_air_kernel, cu_quotient_dev) for the example AIRs of stark/air.h
 * (Fibonacci, add256), whose constraint bodies the kernel shares:
 *   - binding: each example AIR has a kernel; an AIR that shares a name but
 *     not the shape, or has another name, has none;
 *   - the device's quotient evaluations equal a direct host computation
 *     (quot_ref.h, from eval_ext) element for element, on random (not
 *     satisfying) traces, log_n 1..10, blowup 2 and 4, every qc the blowup
 *     allows, random alpha and public values;
 *   - a tampered trace gives another quotient, which the reference agrees with;
 *   - whole proofs: the CUDA backend took the device path (quotient_device),
 *     its bytes equal the CPU backend's and verify, at log_n 1..10 for
 *     Fibonacci and several sizes for add256, blowup 2 and 4; a tampered
 *     trace (check_trace off) gives the CPU's bytes on both and fails
 *     verification;
 *   - argument checks of cu_quotient_dev.
 * Each check runs on the CPU emulation of the kernels and, when a device is
 * present, on the GPU (skipped with the reason otherwise).
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

#include "quot_ref.h"

#define CU_TEST_SEED 0x3c6ef372fe94f82bull
#include "cu_test_util.h"

static bb_t rand_bb(void) { return bb_from_u32((uint32_t)rng()); }
static ext_t rand_ext(void) {
  return ext_from_u32((uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng());
}

static int kernel_of(const stark_air *a) {
  return cu_air_kernel(a->name, a->width, a->num_public, a->num_constraints);
}

static void t_bind(void **state) {
  (void)state;
  int kf = kernel_of(&stark_air_fib), ka = kernel_of(&stark_air_add256);
  assert_true(kf > 0);
  assert_true(ka > 0);
  assert_int_not_equal(kf, ka);
  const stark_air *f = &stark_air_fib;
  assert_int_equal(cu_air_kernel(f->name, f->width + 1, f->num_public, f->num_constraints), 0);
  assert_int_equal(cu_air_kernel(f->name, f->width, f->num_public + 1, f->num_constraints), 0);
  assert_int_equal(cu_air_kernel(f->name, f->width, f->num_public, f->num_constraints - 1), 0);
  assert_int_equal(cu_air_kernel("fibonacci2", f->width, f->num_public, f->num_constraints), 0);
  assert_int_equal(cu_air_kernel(NULL, f->width, f->num_public, f->num_constraints), 0);
}

static bb_t *rand_trace(size_t cells) {
  bb_t *t = malloc(cells * sizeof *t);
  assert_non_null(t);
  for (size_t i = 0; i < cells; i++) t[i] = rand_bb();
  return t;
}

static void t_quot(void **state) {
  if (!use_mode(state)) return;
  const stark_air *airs[] = {&stark_air_fib, &stark_air_add256};
  size_t checked = 0;
  for (size_t a = 0; a < 2; a++)
    for (unsigned lb = 1; lb <= 2; lb++)
      for (unsigned log_n = 1; log_n <= 10; log_n++)
        for (unsigned qc = 1; qc <= (1u << lb); qc <<= 1) {
          const stark_air *air = airs[a];
          bb_t *t = rand_trace(((size_t)1 << log_n) * air->width);
          bb_t pub[STARK_FIB_PUBLIC] = {rand_bb(), rand_bb(), rand_bb()};
          free(quot_check(air, t, log_n, lb, qc, pub, rand_ext()));
          free(t);
          checked++;
        }
  assert_int_equal(checked, 2 * 10 * (2 + 3));
}

/* A valid Fibonacci trace and the same with one cell changed: the quotients
 * differ (each still equal to the reference). */
static void t_quot_tamper(void **state) {
  if (!use_mode(state)) return;
  for (unsigned log_n = 2; log_n <= 6; log_n += 2) {
    size_t n = (size_t)1 << log_n;
    bb_t *t = malloc(2 * n * sizeof *t);
    assert_non_null(t);
    uint32_t res;
    stark_fib_trace(t, n, 3, 5, &res);
    bb_t pub[3] = {bb_from_u32(3), bb_from_u32(5), bb_from_u32(res)};
    assert_int_equal(stark_air_check(&stark_air_fib, t, n, pub, NULL, NULL), STARK_OK);
    ext_t alpha = rand_ext();
    ext_t *good = quot_check(&stark_air_fib, t, log_n, 1, 1, pub, alpha);
    t[2 * (n / 2) + 1] = bb_add(t[2 * (n / 2) + 1], BB_ONE);
    ext_t *bad = quot_check(&stark_air_fib, t, log_n, 1, 1, pub, alpha);
    size_t differ = 0;
    for (size_t j = 0; j < n; j++) differ += !ext_eq(good[j], bad[j]);
    assert_true(differ > 0);
    free(good);
    free(bad);
    free(t);
  }
}

static stark_config test_cfg(unsigned log_blowup) {
  stark_config c = stark_config_default();
  c.fri = fri_params_for(log_blowup, 100);
  c.fri.pow_bits = 4; /* cheap grinding; the value is bound in the transcript */
  c.threads = 1;
  return c;
}

/* Prove on both backends: same bytes; the CUDA proof took the kernel and
 * verifies iff `valid`. */
static void prove_both(const stark_air *air, const bb_t *trace, unsigned log_n, const bb_t *pub,
                       stark_config cfg, int valid) {
  stark_proof pc, pg;
  stark_timings tc, tg;
  cfg.check_trace = valid;
  cfg.backend = STARK_BACKEND_CPU;
  assert_int_equal(stark_prove(air, &cfg, trace, log_n, pub, &pc, &tc), STARK_OK);
  assert_int_equal(tc.quotient_device, 0);
  cfg.backend = STARK_BACKEND_CUDA;
  int rc = stark_prove(air, &cfg, trace, log_n, pub, &pg, &tg);
  if (rc != STARK_OK)
    fail_msg("%s 2^%u: cuda backend: stark code %d, device %s (%s)", air->name, log_n, rc,
             cu_strerror(tg.device_rc), cu_last_error_string());
  assert_int_equal(tg.quotient_device, 1);
  uint8_t *bc, *bg;
  size_t lc, lg;
  assert_int_equal(stark_proof_serialize(&pc, &bc, &lc), STARK_OK);
  assert_int_equal(stark_proof_serialize(&pg, &bg, &lg), STARK_OK);
  assert_int_equal(lc, lg);
  for (size_t i = 0; i < lc; i++)
    if (bc[i] != bg[i])
      fail_msg("%s 2^%u blowup %u: proofs differ at byte %zu of %zu", air->name, log_n,
               1u << cfg.fri.log_blowup, i, lc);
  assert_int_equal(stark_verify(air, &cfg.fri, pub, &pg), valid ? STARK_OK : STARK_ERR_VERIFY);
  free(bc);
  free(bg);
  stark_proof_free(&pc);
  stark_proof_free(&pg);
}

static void t_prove_fib(void **state) {
  if (!use_mode(state)) return;
  for (unsigned lb = 1; lb <= 2; lb++)
    for (unsigned log_n = 1; log_n <= 10; log_n++) {
      size_t n = (size_t)1 << log_n;
      bb_t *t = malloc(2 * n * sizeof *t);
      assert_non_null(t);
      uint32_t res, a0 = (uint32_t)(rng() % 1000), b0 = (uint32_t)(rng() % 1000);
      stark_fib_trace(t, n, a0, b0, &res);
      bb_t pub[3] = {bb_from_u32(a0), bb_from_u32(b0), bb_from_u32(res)};
      prove_both(&stark_air_fib, t, log_n, pub, test_cfg(lb), 1);
      /* tampered: one cell of a middle row (a transition breaks) */
      t[2 * (n / 2)] = bb_add(t[2 * (n / 2)], BB_ONE);
      prove_both(&stark_air_fib, t, log_n, pub, test_cfg(lb), 0);
      free(t);
    }
}

static void t_prove_add256(void **state) {
  if (!use_mode(state)) return;
  const unsigned logs[] = {1, 3, 6, 8};
  for (unsigned lb = 1; lb <= 2; lb++)
    for (size_t k = 0; k < sizeof logs / sizeof logs[0]; k++) {
      unsigned log_n = logs[k];
      size_t n = (size_t)1 << log_n;
      bb_t *t = malloc(n * STARK_ADD256_WIDTH * sizeof *t);
      assert_non_null(t);
      for (size_t i = 0; i < n; i++) {
        uint16_t a[16], b[16];
        for (int q = 0; q < 16; q++) {
          a[q] = (uint16_t)rng();
          b[q] = (uint16_t)rng();
        }
        stark_add256_row(t + i * STARK_ADD256_WIDTH, a, b);
      }
      prove_both(&stark_air_add256, t, log_n, NULL, test_cfg(lb), 1);
      /* tampered: a sum limb of the last row */
      bb_t *cell = &t[(n - 1) * STARK_ADD256_WIDTH + 2 * STARK_ADD256_LIMBS + 3];
      *cell = bb_add(*cell, BB_ONE);
      prove_both(&stark_air_add256, t, log_n, NULL, test_cfg(lb), 0);
      free(t);
    }
}

static void t_args(void **state) {
  if (!use_mode(state)) return;
  const stark_air *f = &stark_air_fib;
  int kf = kernel_of(f);
  bb_t *d_lde, *d_q;
  assert_int_equal(cu_malloc(&d_lde, 16 * 2), CU_OK);
  assert_int_equal(cu_malloc(&d_q, 16 * 4), CU_OK);
  assert_int_equal(cu_memzero(d_lde, 16 * 2), CU_OK);
  ext_t ap[5] = {ext_one(), ext_one(), ext_one(), ext_one(), ext_one()};
  bb_t pub[3] = {0, 0, 0}, s = bb_generator();
  /* log_n 3, blowup 2: fine */
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 1, 2, s, ap, 5, pub, 3, d_q), CU_OK);
  assert_int_equal(cu_quotient_dev(0, d_lde, 3, 1, 1, 2, s, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(99, d_lde, 3, 1, 1, 2, s, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 1, 3, s, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 1, 2, s, ap, 4, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 1, 2, s, ap, 5, NULL, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 4, 2, s, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 3, 2, s, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 0, 1, 1, 2, s, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 1, 2, 0, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  /* shift 1: the quotient domain is H itself, Z_H vanishes there */
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 1, 2, BB_ONE, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, NULL, 3, 1, 1, 2, s, ap, 5, pub, 3, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_dev(kf, d_lde, 3, 1, 1, 2, s, NULL, 5, pub, 3, d_q), CU_ERR_ARG);

  /* cu_quotient_lookup_dev: one send of column 0 with multiplicity column 1
   * (width 2), groups of 1: aux width 8 */
  bb_t *d_alde;
  assert_int_equal(cu_malloc(&d_alde, 16 * 8), CU_OK);
  assert_int_equal(cu_memzero(d_alde, 16 * 8), CU_OK);
  static const stark_lc_term t0 = {0, 1}, t1 = {1, 1}, t9 = {9, 1};
  const stark_lc f0 = {&t0, 1, 0}, f9 = {&t9, 1, 0};
  stark_interaction it = {3, STARK_SEND, {&t1, 1, 0}, &f0, 1};
  ext_t ch[2] = {ext_one(), ext_one()}, cs = ext_zero(), lap[4] = {ext_one(), ext_one(), ext_one(), ext_one()};
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 8, 3, 1, 1, s, &it, 1, 1, ch, cs, lap, d_q), CU_OK);
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 12, 3, 1, 1, s, &it, 1, 1, ch, cs, lap, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 8, 3, 1, 1, s, &it, 0, 1, ch, cs, lap, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 8, 3, 1, 1, s, &it, 1, 0, ch, cs, lap, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, NULL, 8, 3, 1, 1, s, &it, 1, 1, ch, cs, lap, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 8, 3, 1, 1, s, &it, 1, 1, NULL, cs, lap, d_q), CU_ERR_ARG);
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 8, 3, 1, 1, BB_ONE, &it, 1, 1, ch, cs, lap, d_q),
                   CU_ERR_ARG);
  it.fields = &f9; /* a column past the width */
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 8, 3, 1, 1, s, &it, 1, 1, ch, cs, lap, d_q), CU_ERR_ARG);
  it.fields = &f0;
  it.direction = 0;
  assert_int_equal(cu_quotient_lookup_dev(d_lde, 2, d_alde, 8, 3, 1, 1, s, &it, 1, 1, ch, cs, lap, d_q), CU_ERR_ARG);
  cu_free(d_alde);
  cu_free(d_lde);
  cu_free(d_q);
}

int main(void) {
  char name[256];
  int dev = cu_available(name, sizeof name);
  print_message("cuda backend: %s%s\n", dev ? "device " : "", name);
#define T(name, f, st) {name, f, NULL, NULL, st}
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_bind),
      T("emu_args", t_args, &mode_emu),
      T("emu_quot", t_quot, &mode_emu),
      T("emu_quot_tamper", t_quot_tamper, &mode_emu),
      T("emu_prove_fib", t_prove_fib, &mode_emu),
      T("emu_prove_add256", t_prove_add256, &mode_emu),
      T("gpu_args", t_args, &mode_gpu),
      T("gpu_quot", t_quot, &mode_gpu),
      T("gpu_quot_tamper", t_quot_tamper, &mode_gpu),
      T("gpu_prove_fib", t_prove_fib, &mode_gpu),
      T("gpu_prove_add256", t_prove_add256, &mode_gpu),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cu_set_emulation(0);
  cu_release();
  return rc;
}
