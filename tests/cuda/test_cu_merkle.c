/* Tests of the CUDA Poseidon2 Merkle commitment against commit/merkle.h.
 *
 * The oracle is merkle_build(..., MERKLE_POSEIDON2, ...) of the CPU module:
 * the root must be the same digest, and every layer the backend returns must
 * hold the siblings merkle_open reports for sampled leaves. Shapes: one row,
 * one column, widths below, at and above the sponge rate (8) and odd ones,
 * several matrices of one height (concatenated rows), mixed heights (rows
 * folded into upper layers, including a height-1 matrix folded into the
 * root), and the caller's order differing from the height order.
 * From device data, cu_merkle_tree_build_dev's kept tree (which reads the
 * device matrices when opening) must also open every sampled leaf exactly
 * as merkle_open (rows and path), one at a time and all at once
 * (cu_merkle_tree_open_many), and refuse an index out of range.
 * As in test_cu_ntt.c every check runs on the CPU emulation of the kernels
 * and, when a device is present, on the GPU (skipped with the reason
 * otherwise).
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

#include "commit/merkle.h"
#include "cuda/cu.h"
#include "field/bb.h"

#define CU_TEST_SEED 0xa54ff53a5f1d36f1ull
#include "cu_test_util.h"

typedef struct {
  size_t n;
  merkle_matrix m[8];
} fixture;

/* Shapes as (width, log height) pairs, terminated by width 0. */
static void make_fixture(fixture *f, const size_t (*shape)[2]) {
  f->n = 0;
  for (; shape[f->n][0]; f->n++) {
    size_t w = shape[f->n][0], h = (size_t)1 << shape[f->n][1];
    bb_t *d = malloc(w * h * sizeof *d);
    assert_non_null(d);
    for (size_t i = 0; i < w * h; i++) d[i] = bb_from_u32((uint32_t)rng());
    f->m[f->n].data = d;
    f->m[f->n].width = w;
    f->m[f->n].height = h;
  }
}

static void free_fixture(fixture *f) {
  for (size_t i = 0; i < f->n; i++) free((void *)f->m[i].data);
}

static int same_digest(const merkle_digest *a, const merkle_digest *b) {
  return memcmp(a->w, b->w, sizeof a->w) == 0;
}

/* Root and layers against the CPU tree; upload first when via_dev. */
static void check_fixture(const fixture *f, int via_dev, const char *name) {
  merkle_tree *t = NULL;
  assert_int_equal(merkle_build(f->m, f->n, MERKLE_POSEIDON2, 0, &t), MERKLE_OK);
  merkle_digest want;
  merkle_root(t, &want);
  size_t H = merkle_height(t);
  unsigned log_h = merkle_log_height(t);
  merkle_digest got, *layers = malloc((2 * H - 1) * sizeof *layers);
  assert_non_null(layers);
  cu_merkle_tree *ct = NULL; /* via_dev: the tree kept for openings */
  merkle_matrix dm[8];       /* via_dev: the device copies, freed after ct */
  int rc;
  if (!via_dev) {
    rc = cu_merkle_commit(f->m, f->n, &got, layers);
  } else {
    for (size_t i = 0; i < f->n; i++) {
      bb_t *d = NULL;
      size_t elems = f->m[i].width * f->m[i].height;
      assert_int_equal(cu_malloc(&d, elems), CU_OK);
      assert_int_equal(cu_upload(d, f->m[i].data, elems), CU_OK);
      dm[i] = f->m[i];
      dm[i].data = d;
    }
    rc = cu_merkle_commit_dev(dm, f->n, &got, layers);
    if (rc == CU_OK) rc = cu_merkle_tree_build_dev(dm, f->n, &ct);
  }
  if (rc != CU_OK) print_message("%s: %s (%s)\n", name, cu_strerror(rc), cu_last_error_string());
  assert_int_equal(rc, CU_OK);
  if (!same_digest(&got, &want)) {
    print_message("%s: root differs (height %zu, %zu matrices)\n", name, H, f->n);
    fail();
  }
  assert_true(same_digest(&layers[2 * H - 2], &want));
  if (ct) {
    cu_merkle_tree_root(ct, &got);
    assert_true(same_digest(&got, &want));
  }
  /* Siblings along sampled paths. */
  size_t ow = merkle_opening_width(t);
  bb_t *rows = malloc((ow ? ow : 1) * sizeof *rows);
  merkle_digest *path = malloc((log_h ? log_h : 1) * sizeof *path);
  assert_non_null(rows);
  assert_non_null(path);
  size_t samples = H < 64 ? H : 64, sidx[64];
  bb_t *mrows = malloc(64 * (ow ? ow : 1) * sizeof *mrows);
  merkle_digest *mpaths = malloc(64 * (log_h ? log_h : 1) * sizeof *mpaths);
  assert_non_null(mrows);
  assert_non_null(mpaths);
  for (size_t s = 0; s < samples; s++) sidx[s] = H <= 64 ? s : (size_t)(rng() % H);
  if (ct) assert_int_equal(cu_merkle_tree_open_many(ct, sidx, samples, mrows, mpaths), CU_OK);
  for (size_t s = 0; s < samples; s++) {
    size_t idx = sidx[s];
    assert_int_equal(merkle_open(t, idx, rows, path), MERKLE_OK);
    if (ct) { /* all at once, as merkle_open */
      assert_memory_equal(rows, mrows + s * ow, ow * sizeof *rows);
      if (log_h) assert_memory_equal(path, mpaths + s * log_h, log_h * sizeof *path);
    }
    if (ct) { /* the kept tree opens exactly as merkle_open */
      bb_t *r2 = malloc((ow ? ow : 1) * sizeof *r2);
      merkle_digest *p2 = malloc((log_h ? log_h : 1) * sizeof *p2);
      assert_non_null(r2);
      assert_non_null(p2);
      assert_int_equal(cu_merkle_tree_open(ct, idx, r2, p2), CU_OK);
      assert_memory_equal(rows, r2, ow * sizeof *rows);
      if (log_h) assert_memory_equal(path, p2, log_h * sizeof *path);
      free(r2);
      free(p2);
    }
    size_t off = 0;
    for (unsigned k = 0; k < log_h; k++) {
      const merkle_digest *sib = &layers[off + ((idx >> k) ^ 1)];
      if (!same_digest(sib, &path[k])) {
        print_message("%s: layer %u sibling of leaf %zu differs\n", name, k, idx);
        fail();
      }
      off += H >> k;
    }
  }
  if (ct) {
    assert_int_equal(cu_merkle_tree_open(ct, H, rows, path), CU_ERR_ARG);
    sidx[0] = H; /* one bad index refuses the whole batch */
    assert_int_equal(cu_merkle_tree_open_many(ct, sidx, samples, mrows, mpaths), CU_ERR_ARG);
  }
  cu_merkle_tree_free(ct);
  if (via_dev)
    for (size_t i = 0; i < f->n; i++) cu_free((bb_t *)dm[i].data);
  free(mrows);
  free(mpaths);
  free(rows);
  free(path);
  free(layers);
  merkle_free(t);
}

static const size_t s_one[][2] = {{1, 0}, {0, 0}};
static const size_t s_row8[][2] = {{8, 0}, {0, 0}};
static const size_t s_pair[][2] = {{1, 1}, {0, 0}};
static const size_t s_w7[][2] = {{7, 3}, {0, 0}};
static const size_t s_w8[][2] = {{8, 4}, {0, 0}};
static const size_t s_w9[][2] = {{9, 6}, {0, 0}};
static const size_t s_w16[][2] = {{16, 10}, {0, 0}};
static const size_t s_w33[][2] = {{33, 9}, {0, 0}};
static const size_t s_same[][2] = {{5, 6}, {3, 6}, {0, 0}};
static const size_t s_mixed[][2] = {{2, 4}, {5, 6}, {4, 0}, {3, 6}, {11, 2}, {0, 0}};
static const size_t s_gaps[][2] = {{1, 1}, {3, 7}, {8, 3}, {0, 0}};
static const size_t s_big[][2] = {{16, 20}, {0, 0}};
static const size_t s_bigmix[][2] = {{64, 18}, {24, 17}, {13, 18}, {8, 12}, {0, 0}};

static void run_shapes(void **state, int via_dev) {
  static const struct {
    const char *name;
    const size_t (*shape)[2];
    int gpu_only;
  } cases[] = {
      {"1x1", s_one, 0},          {"8x1", s_row8, 0},          {"1x2", s_pair, 0},
      {"7x8", s_w7, 0},           {"8x16", s_w8, 0},           {"9x64", s_w9, 0},
      {"16x1024", s_w16, 0},      {"33x512", s_w33, 0},        {"same height", s_same, 0},
      {"mixed heights", s_mixed, 0}, {"height gaps", s_gaps, 0}, {"16x2^20", s_big, 1},
      {"mixed 2^18", s_bigmix, 1},
  };
  int gpu = *(int *)*state == MODE_GPU;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (cases[i].gpu_only && !gpu) continue;
    fixture f;
    make_fixture(&f, cases[i].shape);
    check_fixture(&f, via_dev, cases[i].name);
    free_fixture(&f);
  }
}

static void t_commit(void **state) {
  if (!use_mode(state)) {
    skip();
    return;
  }
  run_shapes(state, 0);
}

static void t_commit_dev(void **state) {
  if (!use_mode(state)) {
    skip();
    return;
  }
  run_shapes(state, 1);
}

/* A changed element anywhere changes the root (the test can tell trees apart). */
static void t_sensitivity(void **state) {
  if (!use_mode(state)) {
    skip();
    return;
  }
  fixture f;
  make_fixture(&f, s_mixed);
  merkle_digest r0, r1;
  assert_int_equal(cu_merkle_commit(f.m, f.n, &r0, NULL), CU_OK);
  for (size_t i = 0; i < f.n; i++) {
    bb_t *d = (bb_t *)f.m[i].data;
    size_t k = (size_t)(rng() % (f.m[i].width * f.m[i].height));
    bb_t old = d[k];
    d[k] = bb_add(old, BB_ONE);
    assert_int_equal(cu_merkle_commit(f.m, f.n, &r1, NULL), CU_OK);
    assert_false(same_digest(&r0, &r1));
    d[k] = old;
  }
  assert_int_equal(cu_merkle_commit(f.m, f.n, &r1, NULL), CU_OK);
  assert_true(same_digest(&r0, &r1));
  free_fixture(&f);
}

static void t_args(void **state) {
  (void)state;
  cu_set_emulation(1);
  bb_t x[6] = {0};
  merkle_digest r;
  merkle_matrix m = {x, 2, 3}; /* height not a power of two */
  assert_int_equal(cu_merkle_commit(&m, 1, &r, NULL), CU_ERR_ARG);
  m.height = 2;
  m.width = 0;
  assert_int_equal(cu_merkle_commit(&m, 1, &r, NULL), CU_ERR_ARG);
  m.width = 3;
  assert_int_equal(cu_merkle_commit(&m, 0, &r, NULL), CU_ERR_ARG);
  assert_int_equal(cu_merkle_commit(&m, 1, NULL, NULL), CU_ERR_ARG);
  m.data = NULL;
  assert_int_equal(cu_merkle_commit(&m, 1, &r, NULL), CU_ERR_ARG);
  cu_set_emulation(0);
  if (!cu_available(NULL, 0)) {
    m.data = x;
    assert_int_equal(cu_merkle_commit(&m, 1, &r, NULL), CU_ERR_NODEV);
  }
}

int main(void) {
  char name[256];
  int dev = cu_available(name, sizeof name);
  print_message("cuda backend: %s%s\n", dev ? "device " : "", name);
#define T(name, f, st) {name, f, NULL, NULL, st}
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_args),
      T("emu_commit", t_commit, &mode_emu),
      T("emu_commit_dev", t_commit_dev, &mode_emu),
      T("emu_sensitivity", t_sensitivity, &mode_emu),
      T("gpu_commit", t_commit, &mode_gpu),
      T("gpu_commit_dev", t_commit_dev, &mode_gpu),
      T("gpu_sensitivity", t_sensitivity, &mode_gpu),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cu_release();
  return rc;
}
