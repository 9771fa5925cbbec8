/* Tests of the CUDA FRI fold against the formula of fri/fri.h:
 *   out[k] = (F[k] + F[k + N/2]) / 2 + beta (F[k] - F[k + N/2]) / (2 x_k),
 *   x_k = shift * w_N^k,
 * evaluated here point by point with field/ext.h (x_k by repeated
 * multiplication and one inversion per point, a different route from the
 * kernel's root tables). Also checked: a fold of the evaluations of
 * a(x^2) + x b(x^2) gives a(y) + beta b(y) (the property FRI relies on), the
 * in-place and device-pointer forms, and argument checks. Emulation always,
 * GPU when present (skipped with the reason otherwise).
 *
 * On a GPU machine: build as usual, then run build/tests/test_cu_ntt (and
 * test_cu_merkle, test_cu_fri) or `ctest -R cu_ -V` in the build folder. The
 * first output line names the device found (or why none was); every gpu_*
 * test passes, fails naming the first differing element, or says why it
 * was skipped.
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
#include "field/bb.h"
#include "field/ext.h"

#define CU_TEST_SEED 0x510e527fade682d1ull
#include "cu_test_util.h"

static ext_t rnd_ext(void) {
  return ext_from_u32((uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng());
}

static void ref_fold(const ext_t *in, unsigned log_n, bb_t shift, ext_t beta, ext_t *out) {
  size_t half = (size_t)1 << (log_n - 1);
  bb_t w = bb_two_adic_generator(log_n), x = shift, inv2 = bb_inv(bb_from_u32(2));
  for (size_t k = 0; k < half; k++) {
    ext_t a = in[k], b = in[k + half];
    ext_t sum = ext_mul_base(ext_add(a, b), inv2);
    ext_t diff = ext_mul_base(ext_sub(a, b), bb_inv(bb_add(x, x)));
    out[k] = ext_add(sum, ext_mul(beta, diff));
    x = bb_mul(x, w);
  }
}

static void assert_same_ext(const ext_t *got, const ext_t *want, size_t n, unsigned log_n) {
  for (size_t k = 0; k < n; k++)
    if (!ext_eq(got[k], want[k])) {
      print_message("fold log_n=%u: first difference at %zu\n", log_n, k);
      fail();
    }
}

static void t_fold(void **state) {
  if (!use_mode(state)) {
    skip();
    return;
  }
  static const unsigned emu_logs[] = {1, 2, 3, 5, 8, 11, 14, 15};
  static const unsigned gpu_logs[] = {1, 2, 3, 5, 8, 11, 14, 15, 20, 22, 24};
  int gpu = *(int *)*state == MODE_GPU;
  const unsigned *logs = gpu ? gpu_logs : emu_logs;
  size_t nl = gpu ? sizeof gpu_logs / sizeof gpu_logs[0] : sizeof emu_logs / sizeof emu_logs[0];
  for (size_t i = 0; i < nl; i++) {
    unsigned log_n = logs[i];
    size_t N = (size_t)1 << log_n;
    ext_t *in = malloc(N * sizeof *in), *want = malloc(N / 2 * sizeof *want),
          *got = malloc(N * sizeof *got);
    assert_non_null(in);
    assert_non_null(want);
    assert_non_null(got);
    for (size_t k = 0; k < N; k++) in[k] = rnd_ext();
    bb_t shift = i % 2 ? bb_generator() : bb_from_u32((uint32_t)rng() | 1u);
    ext_t beta = rnd_ext();
    ref_fold(in, log_n, shift, beta, want);
    assert_int_equal(cu_fri_fold(in, log_n, shift, beta, got), CU_OK);
    assert_same_ext(got, want, N / 2, log_n);
    /* in place */
    memcpy(got, in, N * sizeof *got);
    assert_int_equal(cu_fri_fold(got, log_n, shift, beta, got), CU_OK);
    assert_same_ext(got, want, N / 2, log_n);
    /* device pointers, disjoint */
    bb_t *d_in = NULL, *d_out = NULL;
    assert_int_equal(cu_malloc(&d_in, 4 * N), CU_OK);
    assert_int_equal(cu_malloc(&d_out, 2 * N), CU_OK);
    assert_int_equal(cu_upload(d_in, in[0].v, 4 * N), CU_OK);
    assert_int_equal(cu_fri_fold_dev(d_in, log_n, shift, beta, d_out), CU_OK);
    memset(got, 0, N / 2 * sizeof *got);
    assert_int_equal(cu_download(got[0].v, d_out, 2 * N), CU_OK);
    assert_same_ext(got, want, N / 2, log_n);
    cu_free(d_in);
    cu_free(d_out);
    free(in);
    free(want);
    free(got);
  }
}

/* F(x) = a(x^2) + x b(x^2) on the coset s<w_N> folds to a(y) + beta b(y) on
 * s^2 <w_N^2>: the algebraic fact behind FRI, independent of the formula's
 * arrangement. */
static void t_fold_poly(void **state) {
  if (!use_mode(state)) {
    skip();
    return;
  }
  const unsigned log_n = 6, deg = 8;
  size_t N = (size_t)1 << log_n;
  ext_t a[8], b[8], in[64], got[32];
  for (unsigned j = 0; j < deg; j++) {
    a[j] = rnd_ext();
    b[j] = rnd_ext();
  }
  bb_t s = bb_generator(), w = bb_two_adic_generator(log_n), x = s;
  for (size_t k = 0; k < N; k++) {
    ext_t x2 = ext_from_base(bb_mul(x, x)), av = ext_zero(), bv = ext_zero();
    for (unsigned j = deg; j-- > 0;) {
      av = ext_add(ext_mul(av, x2), a[j]);
      bv = ext_add(ext_mul(bv, x2), b[j]);
    }
    in[k] = ext_add(av, ext_mul_base(bv, x));
    x = bb_mul(x, w);
  }
  ext_t beta = rnd_ext();
  assert_int_equal(cu_fri_fold(in, log_n, s, beta, got), CU_OK);
  bb_t y = bb_mul(s, s), w2 = bb_mul(w, w);
  for (size_t k = 0; k < N / 2; k++) {
    ext_t av = ext_zero(), bv = ext_zero(), yy = ext_from_base(y);
    for (unsigned j = deg; j-- > 0;) {
      av = ext_add(ext_mul(av, yy), a[j]);
      bv = ext_add(ext_mul(bv, yy), b[j]);
    }
    assert_true(ext_eq(got[k], ext_add(av, ext_mul(beta, bv))));
    y = bb_mul(y, w2);
  }
}

static void t_args(void **state) {
  (void)state;
  cu_set_emulation(1);
  ext_t in[4], out[2];
  memset(in, 0, sizeof in);
  ext_t beta = ext_one();
  assert_int_equal(cu_fri_fold(in, 0, bb_generator(), beta, out), CU_ERR_ARG);
  assert_int_equal(cu_fri_fold(in, 28, bb_generator(), beta, out), CU_ERR_ARG);
  assert_int_equal(cu_fri_fold(in, 2, 0, beta, out), CU_ERR_ARG);
  assert_int_equal(cu_fri_fold(NULL, 2, bb_generator(), beta, out), CU_ERR_ARG);
  beta.v[2] = BB_P;
  assert_int_equal(cu_fri_fold(in, 2, bb_generator(), beta, out), CU_ERR_ARG);
}

int main(void) {
  char name[256];
  int dev = cu_available(name, sizeof name);
  print_message("cuda backend: %s%s\n", dev ? "device " : "", name);
#define T(name, f, st) {name, f, NULL, NULL, st}
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_args),
      T("emu_fold", t_fold, &mode_emu),
      T("emu_fold_poly", t_fold_poly, &mode_emu),
      T("gpu_fold", t_fold, &mode_gpu),
      T("gpu_fold_poly", t_fold_poly, &mode_gpu),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cu_release();
  return rc;
}
