/* Tests of the NTT and the coset LDE.
 *
 * The oracle is the definition: out[i] = sum_j a_j x_i^j evaluated directly
 * (every point for small sizes, a sample of points for large ones). The
 * textbook *_ref functions are checked against it, and every backend and
 * thread count of the fast path against both, on random data, many widths
 * (including odd ones and the 2..7 narrow case) and both output orders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "field/bb.h"
#include "ntt/ntt.h"
#include "ntt/ntt_kern.h" /* ntt_tune */

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint64_t rng(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static bb_t *rnd_matrix(size_t elems) {
  bb_t *m = malloc((elems ? elems : 1) * sizeof *m);
  assert_non_null(m);
  for (size_t i = 0; i < elems; i++) m[i] = bb_from_u32((uint32_t)rng());
  return m;
}

static bb_t *dup(const bb_t *a, size_t elems) {
  bb_t *m = malloc((elems ? elems : 1) * sizeof *m);
  assert_non_null(m);
  memcpy(m, a, elems * sizeof *m);
  return m;
}

static size_t rev(size_t i, unsigned bits) {
  size_t r = 0;
  for (unsigned b = 0; b < bits; b++)
    if (i >> b & 1) r |= (size_t)1 << (bits - 1 - b);
  return r;
}

/* sum_j coef[j * width + col] * x^j, j < n. */
static bb_t eval_poly(const bb_t *coef, size_t n, size_t width, size_t col, bb_t x) {
  bb_t acc = 0;
  for (size_t j = n; j-- > 0;) acc = bb_add(bb_mul(acc, x), coef[j * width + col]);
  return acc;
}

/* Row indices to check: all for small sizes, a fixed sample otherwise. */
static size_t sample_rows(size_t n, size_t *rows) {
  if (n <= 1024) {
    for (size_t i = 0; i < n; i++) rows[i] = i;
    return n;
  }
  size_t k = 0;
  rows[k++] = 0;
  rows[k++] = 1;
  rows[k++] = n - 1;
  rows[k++] = n / 2;
  while (k < 48) rows[k++] = (size_t)(rng() % n);
  return k;
}

/* out (n rows, order) must be the evaluations of coef (deg < ncoef) at
 * shift * w_n^i. */
static void check_evals(const bb_t *coef, size_t ncoef, size_t width, const bb_t *out,
                        unsigned log_n, bb_t shift, ntt_order order) {
  size_t n = (size_t)1 << log_n;
  size_t *rows = malloc((n > 1024 ? 64 : n) * sizeof *rows);
  assert_non_null(rows);
  size_t k = sample_rows(n, rows);
  bb_t w = bb_two_adic_generator(log_n);
  for (size_t t = 0; t < k; t++) {
    size_t r = rows[t];
    size_t idx = order == NTT_ORDER_BITREV ? rev(r, log_n) : r;
    bb_t x = bb_mul(shift, bb_pow(w, idx));
    for (size_t c = 0; c < width; c++) assert_int_equal(out[r * width + c], eval_poly(coef, ncoef, width, c, x));
  }
  free(rows);
}

static void test_ref_vs_definition(void **state) {
  (void)state;
  for (unsigned lg = 0; lg <= 14; lg++) {
    size_t n = (size_t)1 << lg, width = lg <= 8 ? 3 : 1;
    bb_t *a = rnd_matrix(n * width), *b = dup(a, n * width);
    assert_int_equal(ntt_dft_ref(b, lg, width, NTT_ORDER_NATURAL), NTT_OK);
    check_evals(a, n, width, b, lg, BB_ONE, NTT_ORDER_NATURAL);
    memcpy(b, a, n * width * sizeof *b);
    assert_int_equal(ntt_dft_ref(b, lg, width, NTT_ORDER_BITREV), NTT_OK);
    check_evals(a, n, width, b, lg, BB_ONE, NTT_ORDER_BITREV);
    memcpy(b, a, n * width * sizeof *b);
    assert_int_equal(ntt_dft_ref(b, lg, width, NTT_ORDER_NATURAL), NTT_OK);
    assert_int_equal(ntt_idft_ref(b, lg, width, NTT_ORDER_NATURAL), NTT_OK);
    assert_memory_equal(a, b, n * width * sizeof *b);
    free(a);
    free(b);
  }
}

/* Every explicit backend (AUTO is one of them; test_round_trip runs it). */
static const ntt_backend backends[] = {NTT_BACKEND_SCALAR, NTT_BACKEND_AVX2, NTT_BACKEND_AVX512};
#define NBACK (sizeof backends / sizeof backends[0])
static const int thread_counts[] = {1, 2, 3};

/* Every NTT size 2^0..2^14 of the fast path against the definition. */
static void test_dft_vs_definition(void **state) {
  (void)state;
  for (size_t bi = 0; bi < NBACK; bi++) {
    if (!ntt_backend_supported(backends[bi])) continue;
    assert_int_equal(ntt_set_backend(backends[bi]), NTT_OK);
    for (unsigned lg = 0; lg <= 14; lg++) {
      size_t n = (size_t)1 << lg;
      for (size_t width = 1; width <= 9; width += 4) { /* 1, 5 (narrow), 9 (rows + tail) */
        if (lg > 11 && width > 1) continue;
        bb_t *a = rnd_matrix(n * width), *b = dup(a, n * width);
        for (int o = 0; o < 2; o++) {
          memcpy(b, a, n * width * sizeof *b);
          assert_int_equal(ntt_dft(b, lg, width, (ntt_order)o, 2), NTT_OK);
          check_evals(a, n, width, b, lg, BB_ONE, (ntt_order)o);
        }
        free(a);
        free(b);
      }
    }
  }
  ntt_set_backend(NTT_BACKEND_AUTO);
}

/* Fast path == reference, bit for bit, for every backend, thread count, order. */
static void compare_with_ref(unsigned lg, size_t width) {
  size_t n = (size_t)1 << lg, elems = n * width;
  bb_t *a = rnd_matrix(elems);
  bb_t *want[2], *want_inv[2];
  for (int o = 0; o < 2; o++) {
    want[o] = dup(a, elems);
    assert_int_equal(ntt_dft_ref(want[o], lg, width, (ntt_order)o), NTT_OK);
    want_inv[o] = dup(a, elems);
    assert_int_equal(ntt_idft_ref(want_inv[o], lg, width, (ntt_order)o), NTT_OK);
  }
  bb_t *b = malloc(elems * sizeof *b);
  assert_non_null(b);
  for (size_t bi = 0; bi < NBACK; bi++) {
    if (!ntt_backend_supported(backends[bi])) continue;
    assert_int_equal(ntt_set_backend(backends[bi]), NTT_OK);
    for (size_t ti = 0; ti < sizeof thread_counts / sizeof thread_counts[0]; ti++) {
      for (int o = 0; o < 2; o++) {
        memcpy(b, a, elems * sizeof *b);
        assert_int_equal(ntt_dft(b, lg, width, (ntt_order)o, thread_counts[ti]), NTT_OK);
        assert_memory_equal(b, want[o], elems * sizeof *b);
        memcpy(b, a, elems * sizeof *b);
        assert_int_equal(ntt_idft(b, lg, width, (ntt_order)o, thread_counts[ti]), NTT_OK);
        assert_memory_equal(b, want_inv[o], elems * sizeof *b);
      }
    }
  }
  ntt_set_backend(NTT_BACKEND_AUTO);
  for (int o = 0; o < 2; o++) {
    free(want[o]);
    free(want_inv[o]);
  }
  free(a);
  free(b);
}

static void test_backends_vs_ref(void **state) {
  (void)state;
  static const size_t widths[] = {1, 2, 3, 7, 8, 9, 16, 17, 33, 64};
  for (unsigned lg = 0; lg <= 12; lg++)
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
      if (((size_t)1 << lg) * widths[wi] <= ((size_t)1 << 15)) compare_with_ref(lg, widths[wi]);
  /* Sizes past the cache block (several whole-array passes, odd and even counts). */
  compare_with_ref(17, 1);
  compare_with_ref(18, 1);
  compare_with_ref(13, 64);
  compare_with_ref(12, 100);
  compare_with_ref(16, 5);
}

/* Tiny cache block, band buffer and twiddle table: small transforms then take
 * the paths of huge ones (several bands per transform, bands of every length,
 * twiddles computed on the fly), still bit-identical to the reference. */
static void test_tuned_paths(void **state) {
  (void)state;
  static const struct { size_t block, band; unsigned tw; } tunes[] = {
      {4096, 1024, 6}, {1024, 256, 3}, {256, 128, 9}, {1024, 8192, 5}};
  for (size_t t = 0; t < sizeof tunes / sizeof tunes[0]; t++) {
    ntt_tune(tunes[t].block, tunes[t].band, tunes[t].tw);
    compare_with_ref(15, 1);
    compare_with_ref(14, 1);
    compare_with_ref(11, 8);
    compare_with_ref(12, 3);
    compare_with_ref(10, 37);
    compare_with_ref(9, 64);
    for (int o = 0; o < 6; o++) {
      static const size_t widths[3] = {1, 5, 8}; /* vector, narrow, row mode */
      unsigned lg = 11, lb = 2;
      size_t width = widths[o / 2] + (o / 2 == 1 ? t : 0), n = (size_t)1 << lg, N = n << lb;
      bb_t *evals = rnd_matrix(n * width);
      bb_t *out = malloc(N * width * sizeof *out), *want = malloc(N * width * sizeof *want);
      assert_non_null(out);
      assert_non_null(want);
      ntt_order ord = (ntt_order)(o & 1);
      assert_int_equal(ntt_coset_lde_ref(evals, lg, width, lb, bb_generator(), want, ord), NTT_OK);
      assert_int_equal(ntt_coset_lde(evals, lg, width, lb, bb_generator(), out, ord, 2), NTT_OK);
      assert_memory_equal(out, want, N * width * sizeof *out);
      /* coset DFT (pre-scaled first pass) against the definition on a sample */
      bb_t *cd = dup(evals, n * width);
      assert_int_equal(ntt_coset_dft(cd, lg, width, bb_generator(), ord, 2), NTT_OK);
      check_evals(evals, n, width, cd, lg, bb_generator(), ord);
      free(cd);
      free(evals);
      free(out);
      free(want);
    }
  }
  ntt_tune(0, 0, 0);
}

static void test_round_trip(void **state) {
  (void)state;
  static const size_t widths[] = {1, 2, 5, 8, 13, 64};
  for (unsigned lg = 0; lg <= 16; lg += 2)
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
      size_t width = widths[wi], elems = ((size_t)1 << lg) * width;
      if (elems > ((size_t)1 << 20)) continue;
      bb_t *a = rnd_matrix(elems), *b = dup(a, elems);
      assert_int_equal(ntt_dft(b, lg, width, NTT_ORDER_NATURAL, 0), NTT_OK);
      assert_int_equal(ntt_idft(b, lg, width, NTT_ORDER_NATURAL, 0), NTT_OK);
      assert_memory_equal(a, b, elems * sizeof *b);
      bb_t shift = bb_generator();
      assert_int_equal(ntt_coset_dft(b, lg, width, shift, NTT_ORDER_NATURAL, 2), NTT_OK);
      if (lg <= 8) check_evals(a, (size_t)1 << lg, width, b, lg, shift, NTT_ORDER_NATURAL);
      assert_int_equal(ntt_coset_idft(b, lg, width, shift, NTT_ORDER_NATURAL, 2), NTT_OK);
      assert_memory_equal(a, b, elems * sizeof *b);
      assert_int_equal(ntt_coset_idft(b, lg, width, shift, NTT_ORDER_BITREV, 1), NTT_OK);
      assert_int_equal(ntt_bitrev_rows(b, lg, width), NTT_OK);
      bb_t *c = dup(a, elems);
      assert_int_equal(ntt_coset_idft(c, lg, width, shift, NTT_ORDER_NATURAL, 1), NTT_OK);
      assert_memory_equal(b, c, elems * sizeof *b);
      free(a);
      free(b);
      free(c);
    }
}

/* LDE against direct evaluation of the interpolant, and fast == ref. */
static void test_lde(void **state) {
  (void)state;
  static const size_t widths[] = {1, 3, 8, 11};
  bb_t shifts[2] = {bb_generator(), bb_from_u32(7)};
  for (unsigned lg = 0; lg <= 11; lg++)
    for (unsigned lb = 0; lb <= 3; lb++)
      for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
        size_t width = widths[wi], n = (size_t)1 << lg, N = n << lb;
        if (lg > 8 && width > 3) continue;
        bb_t *coef = rnd_matrix(n * width);
        bb_t *evals = dup(coef, n * width);
        assert_int_equal(ntt_dft_ref(evals, lg, width, NTT_ORDER_NATURAL), NTT_OK);
        bb_t shift = shifts[(lg + lb) & 1];
        bb_t *out = malloc(N * width * sizeof *out), *want = malloc(N * width * sizeof *want);
        assert_non_null(out);
        assert_non_null(want);
        for (int o = 0; o < 2; o++) {
          assert_int_equal(ntt_coset_lde_ref(evals, lg, width, lb, shift, want, (ntt_order)o), NTT_OK);
          check_evals(coef, n, width, want, lg + lb, shift, (ntt_order)o);
          for (size_t bi = 0; bi < NBACK; bi++) {
            if (!ntt_backend_supported(backends[bi])) continue;
            assert_int_equal(ntt_set_backend(backends[bi]), NTT_OK);
            for (int nt = 1; nt <= 3; nt++) {
              memset(out, 0xff, N * width * sizeof *out);
              assert_int_equal(ntt_coset_lde(evals, lg, width, lb, shift, out, (ntt_order)o, nt), NTT_OK);
              assert_memory_equal(out, want, N * width * sizeof *out);
            }
            /* in place: input in the first n rows of the output buffer */
            memset(out, 0xff, N * width * sizeof *out);
            memcpy(out, evals, n * width * sizeof *out);
            assert_int_equal(ntt_coset_lde(out, lg, width, lb, shift, out, (ntt_order)o, 2), NTT_OK);
            assert_memory_equal(out, want, N * width * sizeof *out);
          }
          ntt_set_backend(NTT_BACKEND_AUTO);
        }
        free(coef);
        free(evals);
        free(out);
        free(want);
      }
}

/* Larger LDEs (several passes, threads) against the reference. */
static void test_lde_large(void **state) {
  (void)state;
  static const struct { unsigned lg, lb; size_t width; } cases[] = {
      {16, 1, 1}, {16, 2, 1}, {13, 1, 64}, {12, 2, 24}, {15, 1, 3}, {11, 3, 9}, {15, 3, 1}};
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    unsigned lg = cases[ci].lg, lb = cases[ci].lb;
    size_t width = cases[ci].width, n = (size_t)1 << lg, N = n << lb;
    bb_t *evals = rnd_matrix(n * width);
    bb_t *out = malloc(N * width * sizeof *out), *want = malloc(N * width * sizeof *want);
    assert_non_null(out);
    assert_non_null(want);
    for (int o = 0; o < 2; o++) {
      assert_int_equal(ntt_coset_lde_ref(evals, lg, width, lb, bb_generator(), want, (ntt_order)o), NTT_OK);
      for (size_t bi = 0; bi < NBACK; bi++) {
        if (!ntt_backend_supported(backends[bi])) continue;
        assert_int_equal(ntt_set_backend(backends[bi]), NTT_OK);
        for (int nt = 1; nt <= 2; nt++) {
          assert_int_equal(ntt_coset_lde(evals, lg, width, lb, bb_generator(), out, (ntt_order)o, nt), NTT_OK);
          assert_memory_equal(out, want, N * width * sizeof *out);
        }
      }
      ntt_set_backend(NTT_BACKEND_AUTO);
    }
    free(evals);
    free(out);
    free(want);
  }
}

static void test_bitrev_and_args(void **state) {
  (void)state;
  bb_t x[64 * 3];
  for (size_t i = 0; i < 64 * 3; i++) x[i] = (bb_t)i;
  assert_int_equal(ntt_bitrev_rows(x, 6, 3), NTT_OK);
  for (size_t i = 0; i < 64; i++)
    for (size_t c = 0; c < 3; c++) assert_int_equal(x[i * 3 + c], rev(i, 6) * 3 + c);
  assert_int_equal(ntt_bitrev_rows(x, 6, 3), NTT_OK);
  for (size_t i = 0; i < 64 * 3; i++) assert_int_equal(x[i], i);

  assert_int_equal(ntt_dft(NULL, 3, 1, NTT_ORDER_NATURAL, 1), NTT_ERR_ARG);
  assert_int_equal(ntt_dft(x, 3, 0, NTT_ORDER_NATURAL, 1), NTT_ERR_ARG);
  assert_int_equal(ntt_dft(x, 28, 1, NTT_ORDER_NATURAL, 1), NTT_ERR_ARG);
  assert_int_equal(ntt_idft(x, 28, 1, NTT_ORDER_NATURAL, 1), NTT_ERR_ARG);
  assert_int_equal(ntt_coset_idft(x, 3, 1, 0, NTT_ORDER_NATURAL, 1), NTT_ERR_ARG);
  assert_int_equal(ntt_coset_lde(x, 26, 1, 2, BB_ONE, x, NTT_ORDER_NATURAL, 1), NTT_ERR_ARG);
  assert_int_equal(ntt_coset_lde(NULL, 2, 1, 1, BB_ONE, x, NTT_ORDER_NATURAL, 1), NTT_ERR_ARG);
  assert_int_equal(ntt_dft_ref(x, 28, 1, NTT_ORDER_NATURAL), NTT_ERR_ARG);
  assert_int_equal(ntt_prepare(28), NTT_ERR_ARG);
  assert_int_equal(ntt_prepare(12), NTT_OK);
  assert_int_equal(ntt_set_backend((ntt_backend)42), NTT_ERR_ARG);
  assert_int_equal(ntt_set_backend(NTT_BACKEND_SCALAR), NTT_OK);
  assert_int_equal(ntt_get_backend(), NTT_BACKEND_SCALAR);
  assert_int_equal(ntt_set_backend(NTT_BACKEND_AUTO), NTT_OK);
  assert_int_not_equal(ntt_get_backend(), NTT_BACKEND_AUTO);
  assert_string_equal(ntt_backend_name(NTT_BACKEND_AVX2), "avx2");
  /* The documented shape of the bit-reversed LDE domain: point(i) =
   * shift * w_N^rev(i); rows 2k, 2k+1 are x, -x; rows t n + p are the coset
   * shift * w_N^rev_b(t) * w_n^rev_n(p). */
  {
    unsigned log_n = 5, log_b = 2, log_N = 7;
    size_t n = (size_t)1 << log_n;
    bb_t shift = bb_generator(), wN = bb_two_adic_generator(log_N), wn = bb_two_adic_generator(log_n);
    for (size_t i = 0; i < ((size_t)1 << log_N); i++) {
      bb_t pt = bb_mul(shift, bb_pow(wN, rev(i, log_N)));
      if (i & 1) assert_int_equal(pt, bb_neg(bb_mul(shift, bb_pow(wN, rev(i - 1, log_N)))));
      size_t t = i / n, p = i % n;
      assert_int_equal(pt, bb_mul(bb_mul(shift, bb_pow(wN, rev(t, log_b))), bb_pow(wn, rev(p, log_n))));
    }
  }
  /* A size-1 transform is the identity. */
  bb_t one = bb_from_u32(5);
  assert_int_equal(ntt_dft(&one, 0, 1, NTT_ORDER_NATURAL, 1), NTT_OK);
  assert_int_equal(bb_to_u32(one), 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bitrev_and_args), cmocka_unit_test(test_ref_vs_definition),
      cmocka_unit_test(test_dft_vs_definition), cmocka_unit_test(test_backends_vs_ref),
      cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_lde),
      cmocka_unit_test(test_lde_large),       cmocka_unit_test(test_tuned_paths),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
