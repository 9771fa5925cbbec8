/* Tests of the CUDA NTT and coset LDE against the CPU NTT (ntt/ntt.h).
 *
 * Every check runs in two modes, each for both NTT variants
 * (cu_ntt_set_variant 0 and 1, suffix _v0 / _v1):
 *   [emu] the kernels' code on the CPU (cu_set_emulation): runs on any
 *         machine and checks all tiling and twiddle index arithmetic;
 *   [gpu] the real device: skipped, with the reason printed, when
 *         cu_available() finds none.
 * The oracle is the CPU module: the textbook ntt_*_ref functions for small
 * sizes and the fast CPU path (itself tested against them) for large ones.
 * Sizes include 2^0, odd and single-column widths, sizes that need several
 * passes and partial tiles, and (GPU only) the largest transform sizes.
 * Results must be identical words, not merely equal values.
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
#include "ntt/ntt.h"

#define CU_TEST_SEED 0x3c6ef372fe94f82bull
#include "cu_test_util.h"

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

/* A test's state: the mode first (what use_mode reads) and the NTT variant. */
typedef struct {
  int mode;
  int variant;
} run_cfg;

static run_cfg emu_v0 = {MODE_EMU, 0}, emu_v1 = {MODE_EMU, 1}, gpu_v0 = {MODE_GPU, 0},
               gpu_v1 = {MODE_GPU, 1};

/* Select the executor and variant of this test; 0 when it must be skipped. */
static int use_cfg(void **state) {
  assert_true(((run_cfg *)*state)->mode == mode_emu || ((run_cfg *)*state)->mode == mode_gpu);
  if (!use_mode(state)) return 0;
  int prev = cu_ntt_set_variant(((run_cfg *)*state)->variant);
  assert_true(prev == 0 || prev == 1);
  return 1;
}

static void assert_same(const bb_t *got, const bb_t *want, size_t elems, const char *what,
                        unsigned log_n, size_t width) {
  for (size_t i = 0; i < elems; i++) {
    if (got[i] != want[i]) {
      print_message("%s log_n=%u width=%zu: first difference at element %zu (row %zu col %zu): "
                    "got %08x want %08x\n",
                    what, log_n, width, i, i / width, i % width, got[i], want[i]);
      fail();
    }
  }
}

/* CPU oracles: the reference for small sizes, the fast path otherwise. */
static int small(unsigned log_n, size_t width) { return ((size_t)1 << log_n) * width <= (1u << 14); }

static void cpu_dft(bb_t *d, unsigned log_n, size_t width, ntt_order o) {
  int rc = small(log_n, width) ? ntt_dft_ref(d, log_n, width, o) : ntt_dft(d, log_n, width, o, 0);
  assert_int_equal(rc, NTT_OK);
}

static void cpu_idft(bb_t *d, unsigned log_n, size_t width, ntt_order o) {
  int rc = small(log_n, width) ? ntt_idft_ref(d, log_n, width, o) : ntt_idft(d, log_n, width, o, 0);
  assert_int_equal(rc, NTT_OK);
}

static void cpu_lde(const bb_t *in, unsigned log_n, size_t width, unsigned lb, bb_t shift, bb_t *out,
                    ntt_order o) {
  int rc = small(log_n + lb, width) ? ntt_coset_lde_ref(in, log_n, width, lb, shift, out, o)
                                    : ntt_coset_lde(in, log_n, width, lb, shift, out, o, 0);
  assert_int_equal(rc, NTT_OK);
}

typedef struct {
  unsigned log_n;
  size_t width;
} shape;

/* Emulation: every size up to 2^14 for widths 1, 3, 16 and 17, then other
 * multi-pass and partial-tile shapes (log_n > CU_NTT_MAX_K, widths that are
 * not powers of two). GPU: a selection of those plus the large sizes. */
#define WIDTHS(l) {l, 1}, {l, 3}, {l, 16}, {l, 17}
static const shape emu_shapes[] = {
    WIDTHS(0),  WIDTHS(1),  WIDTHS(2),  WIDTHS(3),  WIDTHS(4),  WIDTHS(5),  WIDTHS(6),
    WIDTHS(7),  WIDTHS(8),  WIDTHS(9),  WIDTHS(10), WIDTHS(11), WIDTHS(12), WIDTHS(13),
    WIDTHS(14), {1, 2},     {2, 5},     {4, 7},     {8, 33},    {9, 2},     {10, 5},
    {13, 5},    {14, 2},    {16, 1},    {15, 9},    {21, 1}};
#undef WIDTHS
static const shape gpu_shapes[] = {
    {0, 1},  {0, 3},  {1, 1},  {2, 5},   {5, 16},  {8, 33},  {9, 17},  {10, 1},
    {11, 3}, {12, 3}, {12, 16}, {13, 5}, {14, 17}, {16, 1},  {16, 16}, {18, 7},
    {20, 1}, {20, 16}, {21, 33}, {22, 4}, {24, 1},  {24, 16}, {26, 1},  {27, 1}};

static const shape *shapes_for(void **state, size_t *n) {
  if (*(int *)*state == MODE_EMU) {
    *n = sizeof emu_shapes / sizeof emu_shapes[0];
    return emu_shapes;
  }
  *n = sizeof gpu_shapes / sizeof gpu_shapes[0];
  return gpu_shapes;
}

/* Caps on the elements one check transforms: the CPU oracle (and, in
 * emulation, the emulated kernels) are slow for the very largest sizes. */
static int too_big(void **state, unsigned log_n, size_t width, unsigned cap_log_elems) {
  /* emulation: the forward DFT (cap 28) runs three passes at 2^21; the other
   * transforms share its kernel and stop at 2^20 */
  if (*(int *)*state == MODE_EMU) cap_log_elems = cap_log_elems >= 28 ? 21 : 20;
  size_t elems = ((size_t)1 << log_n) * width;
  return elems > ((size_t)1 << cap_log_elems);
}

static void t_dft(void **state) {
  if (!use_cfg(state)) {
    skip();
    return;
  }
  size_t ns;
  const shape *sh = shapes_for(state, &ns);
  for (size_t i = 0; i < ns; i++) {
    unsigned log_n = sh[i].log_n;
    size_t w = sh[i].width, elems = ((size_t)1 << log_n) * w;
    if (too_big(state, log_n, w, 28)) continue;
    bb_t *in = rnd_matrix(elems);
    for (int o = 0; o < 2; o++) {
      bb_t *want = dup(in, elems), *got = dup(in, elems);
      cpu_dft(want, log_n, w, (ntt_order)o);
      assert_int_equal(cu_ntt_dft(got, log_n, w, (ntt_order)o), CU_OK);
      assert_same(got, want, elems, o ? "dft bitrev" : "dft natural", log_n, w);
      free(want);
      free(got);
    }
    free(in);
  }
}

static void t_idft(void **state) {
  if (!use_cfg(state)) {
    skip();
    return;
  }
  size_t ns;
  const shape *sh = shapes_for(state, &ns);
  for (size_t i = 0; i < ns; i++) {
    unsigned log_n = sh[i].log_n;
    size_t w = sh[i].width, elems = ((size_t)1 << log_n) * w;
    if (too_big(state, log_n, w, 26)) continue;
    bb_t *in = rnd_matrix(elems);
    for (int o = 0; o < 2; o++) {
      bb_t *want = dup(in, elems), *got = dup(in, elems);
      cpu_idft(want, log_n, w, (ntt_order)o);
      assert_int_equal(cu_ntt_idft(got, log_n, w, (ntt_order)o), CU_OK);
      assert_same(got, want, elems, o ? "idft bitrev" : "idft natural", log_n, w);
      free(want);
      free(got);
    }
    free(in);
  }
}

static void t_coset_dft(void **state) {
  if (!use_cfg(state)) {
    skip();
    return;
  }
  size_t ns;
  const shape *sh = shapes_for(state, &ns);
  for (size_t i = 0; i < ns; i++) {
    unsigned log_n = sh[i].log_n;
    size_t w = sh[i].width, elems = ((size_t)1 << log_n) * w;
    if (too_big(state, log_n, w, 24)) continue;
    bb_t *in = rnd_matrix(elems);
    bb_t shift = i % 2 ? bb_generator() : bb_from_u32((uint32_t)rng() | 1u);
    for (int o = 0; o < 2; o++) {
      bb_t *want = dup(in, elems), *got = dup(in, elems);
      assert_int_equal(ntt_coset_dft(want, log_n, w, shift, (ntt_order)o, 0), NTT_OK);
      assert_int_equal(cu_ntt_coset_dft(got, log_n, w, shift, (ntt_order)o), CU_OK);
      assert_same(got, want, elems, o ? "coset dft bitrev" : "coset dft natural", log_n, w);
      free(want);
      free(got);
    }
    free(in);
  }
}

static void t_coset_idft(void **state) {
  if (!use_cfg(state)) {
    skip();
    return;
  }
  size_t ns;
  const shape *sh = shapes_for(state, &ns);
  for (size_t i = 0; i < ns; i++) {
    unsigned log_n = sh[i].log_n;
    size_t w = sh[i].width, elems = ((size_t)1 << log_n) * w;
    if (too_big(state, log_n, w, 24)) continue;
    bb_t *in = rnd_matrix(elems);
    bb_t shift = i % 2 ? bb_generator() : bb_from_u32((uint32_t)rng() | 1u);
    for (int o = 0; o < 2; o++) {
      bb_t *want = dup(in, elems), *got = dup(in, elems);
      assert_int_equal(ntt_coset_idft(want, log_n, w, shift, (ntt_order)o, 0), NTT_OK);
      assert_int_equal(cu_ntt_coset_idft(got, log_n, w, shift, (ntt_order)o), CU_OK);
      assert_same(got, want, elems, o ? "coset idft bitrev" : "coset idft natural", log_n, w);
      free(want);
      free(got);
    }
    free(in);
  }
}

static void t_lde(void **state) {
  if (!use_cfg(state)) {
    skip();
    return;
  }
  size_t ns;
  const shape *sh = shapes_for(state, &ns);
  for (size_t i = 0; i < ns; i++) {
    for (unsigned lb = 1; lb <= 2; lb++) {
      unsigned log_n = sh[i].log_n;
      size_t w = sh[i].width, elems = ((size_t)1 << log_n) * w, big = elems << lb;
      /* (emulation: up to 2^22 so that the DIT of the natural-order LDE
       * also runs three passes) */
      int big_emu = *(int *)*state == MODE_EMU && log_n + lb == 22 && w == 1;
      if (log_n + lb > NTT_MAX_LOG || (too_big(state, log_n + lb, w, 27) && !big_emu)) continue;
      bb_t *in = rnd_matrix(elems);
      bb_t shift = lb == 1 ? bb_generator() : bb_from_u32((uint32_t)rng() | 1u);
      for (int o = 0; o < 2; o++) {
        if (big_emu && o == NTT_ORDER_BITREV) continue; /* DIF is covered by t_dft */
        bb_t *want = malloc(big * sizeof *want), *got = malloc(big * sizeof *got);
        assert_non_null(want);
        assert_non_null(got);
        cpu_lde(in, log_n, w, lb, shift, want, (ntt_order)o);
        assert_int_equal(cu_ntt_coset_lde(in, log_n, w, lb, shift, got, (ntt_order)o), CU_OK);
        assert_same(got, want, big, o ? "lde bitrev" : "lde natural", log_n, w);
        /* out == in: the input sits in the first rows of the output buffer. */
        if (!big_emu) {
          memcpy(got, in, elems * sizeof *got);
          assert_int_equal(cu_ntt_coset_lde(got, log_n, w, lb, shift, got, (ntt_order)o), CU_OK);
          assert_same(got, want, big, "lde in place", log_n, w);
        }
        free(want);
        free(got);
      }
      free(in);
    }
  }
}

/* Device-pointer variants: a pipeline upload -> LDE -> DFT -> download, and
 * the in-place and disjoint LDE. */
static void t_dev_pipeline(void **state) {
  if (!use_cfg(state)) {
    skip();
    return;
  }
  static const shape cases[] = {{0, 2}, {4, 3}, {11, 5}, {13, 1}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned log_n = cases[i].log_n, lb = 2;
    size_t w = cases[i].width, elems = ((size_t)1 << log_n) * w, big = elems << lb;
    bb_t *in = rnd_matrix(elems), *want = malloc(big * sizeof *want), *got = malloc(big * sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    bb_t *d_in = NULL, *d_out = NULL;
    assert_int_equal(cu_malloc(&d_in, elems), CU_OK);
    assert_int_equal(cu_malloc(&d_out, big), CU_OK);
    assert_int_equal(cu_upload(d_in, in, elems), CU_OK);
    bb_t shift = bb_generator();

    /* disjoint LDE, bit-reversed */
    cpu_lde(in, log_n, w, lb, shift, want, NTT_ORDER_BITREV);
    assert_int_equal(cu_ntt_coset_lde_dev(d_in, log_n, w, lb, shift, d_out, NTT_ORDER_BITREV), CU_OK);
    assert_int_equal(cu_download(got, d_out, big), CU_OK);
    assert_same(got, want, big, "lde dev", log_n, w);

    /* in-place LDE, natural, then idft of the result back to the
     * coefficients times shift powers: here just check idft(dft(x)) = x. */
    cpu_lde(in, log_n, w, lb, shift, want, NTT_ORDER_NATURAL);
    assert_int_equal(cu_upload(d_out, in, elems), CU_OK);
    assert_int_equal(cu_ntt_coset_lde_dev(d_out, log_n, w, lb, shift, d_out, NTT_ORDER_NATURAL), CU_OK);
    assert_int_equal(cu_download(got, d_out, big), CU_OK);
    assert_same(got, want, big, "lde dev in place", log_n, w);

    assert_int_equal(cu_ntt_idft_dev(d_out, log_n + lb, w, NTT_ORDER_NATURAL), CU_OK);
    assert_int_equal(cu_ntt_dft_dev(d_out, log_n + lb, w, NTT_ORDER_NATURAL), CU_OK);
    assert_int_equal(cu_download(got, d_out, big), CU_OK);
    assert_same(got, want, big, "dft(idft(x)) dev", log_n + lb, w);

    memcpy(got, in, elems * sizeof *got);
    assert_int_equal(ntt_coset_dft(got, log_n, w, shift, NTT_ORDER_NATURAL, 1), NTT_OK);
    assert_int_equal(cu_ntt_coset_dft_dev(d_in, log_n, w, shift, NTT_ORDER_NATURAL), CU_OK);
    assert_int_equal(cu_download(want, d_in, elems), CU_OK);
    assert_same(want, got, elems, "coset dft dev", log_n, w);

    /* and back (natural evaluations in): coset idft restores the input */
    assert_int_equal(cu_ntt_coset_idft_dev(d_in, log_n, w, shift, NTT_ORDER_NATURAL), CU_OK);
    assert_int_equal(cu_download(want, d_in, elems), CU_OK);
    assert_same(want, in, elems, "coset idft dev", log_n, w);

    cu_free(d_in);
    cu_free(d_out);
    free(in);
    free(want);
    free(got);
  }
}

/* Bad arguments are refused before anything runs, in every mode. */
static void t_args(void **state) {
  (void)state;
  cu_set_emulation(1);
  bb_t x[8] = {0};
  assert_int_equal(cu_ntt_dft(NULL, 3, 1, NTT_ORDER_NATURAL), CU_ERR_ARG);
  assert_int_equal(cu_ntt_dft(x, 3, 0, NTT_ORDER_NATURAL), CU_ERR_ARG);
  assert_int_equal(cu_ntt_dft(x, 28, 1, NTT_ORDER_NATURAL), CU_ERR_ARG);
  assert_int_equal(cu_ntt_dft(x, 3, 1, (ntt_order)7), CU_ERR_ARG);
  assert_int_equal(cu_ntt_coset_dft(x, 3, 1, BB_P, NTT_ORDER_NATURAL), CU_ERR_ARG);
  assert_int_equal(cu_ntt_coset_idft(x, 3, 1, 0, NTT_ORDER_NATURAL), CU_ERR_ARG);
  assert_int_equal(cu_ntt_coset_lde(x, 26, 1, 2, bb_generator(), x, NTT_ORDER_NATURAL), CU_ERR_ARG);
  assert_int_equal(cu_ntt_coset_lde(x, 2, 1, 1, bb_generator(), NULL, NTT_ORDER_NATURAL), CU_ERR_ARG);
  /* Without emulation and without a device, calls say so. */
  cu_set_emulation(0);
  if (!cu_available(NULL, 0)) {
    assert_int_equal(cu_ntt_dft(x, 3, 1, NTT_ORDER_NATURAL), CU_ERR_NODEV);
    bb_t *d = NULL;
    assert_int_equal(cu_malloc(&d, 8), CU_ERR_NODEV);
    assert_null(d);
  }
  assert_string_equal(cu_strerror(CU_ERR_NODEV), "no CUDA device");
}

/* Out of device memory is reported as such, and the backend still works
 * afterwards (GPU only: the emulation's memory is the host's). */
static void t_devmem(void **state) {
  if (!use_cfg(state)) {
    skip();
    return;
  }
  bb_t *d = NULL;
  assert_int_equal(cu_malloc(&d, (size_t)1 << 40), CU_ERR_DEVMEM); /* 4 TiB */
  assert_null(d);
  print_message("expected failure reported as: %s\n", cu_last_error_string());
  bb_t x[64], y[64];
  for (int i = 0; i < 64; i++) x[i] = y[i] = bb_from_u32((uint32_t)rng());
  assert_int_equal(cu_ntt_dft(x, 6, 1, NTT_ORDER_NATURAL), CU_OK);
  assert_int_equal(ntt_dft_ref(y, 6, 1, NTT_ORDER_NATURAL), NTT_OK);
  assert_same(x, y, 64, "dft after a failed allocation", 6, 1);
}

/* The variant switch: returns the previous variant, refuses others. */
static void t_variant_arg(void **state) {
  (void)state;
  int prev = cu_ntt_set_variant(1);
  assert_true(prev == 0 || prev == 1);
  assert_int_equal(cu_ntt_set_variant(0), 1);
  assert_int_equal(cu_ntt_set_variant(2), CU_ERR_ARG);
  assert_int_equal(cu_ntt_set_variant(-1), CU_ERR_ARG);
  assert_int_equal(cu_ntt_set_variant(prev), 0);
}

int main(void) {
  char name[256];
  int dev = cu_available(name, sizeof name);
  print_message("cuda backend: %s%s\n", dev ? "device " : "", name);
#define T(name, f, st) {name, f, NULL, NULL, st}
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_args),
      cmocka_unit_test(t_variant_arg),
#define VARIANT_TESTS(v)                                        \
  T("emu_dft_" #v, t_dft, &emu_##v),                            \
      T("emu_idft_" #v, t_idft, &emu_##v),                      \
      T("emu_coset_dft_" #v, t_coset_dft, &emu_##v),            \
      T("emu_coset_idft_" #v, t_coset_idft, &emu_##v),          \
      T("emu_lde_" #v, t_lde, &emu_##v),                        \
      T("emu_dev_pipeline_" #v, t_dev_pipeline, &emu_##v),      \
      T("gpu_dft_" #v, t_dft, &gpu_##v),                        \
      T("gpu_idft_" #v, t_idft, &gpu_##v),                      \
      T("gpu_coset_dft_" #v, t_coset_dft, &gpu_##v),            \
      T("gpu_coset_idft_" #v, t_coset_idft, &gpu_##v),          \
      T("gpu_lde_" #v, t_lde, &gpu_##v),                        \
      T("gpu_dev_pipeline_" #v, t_dev_pipeline, &gpu_##v),      \
      T("gpu_devmem_" #v, t_devmem, &gpu_##v)
      VARIANT_TESTS(v0),
      VARIANT_TESTS(v1),
#undef VARIANT_TESTS
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cu_release();
  return rc;
}
