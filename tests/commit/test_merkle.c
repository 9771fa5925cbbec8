/* Merkle commitment: roots against an independent naive model (layers built
 * one node at a time from the reference permutation / plain Keccak-256), open
 * and verify at every index of small mixed-height trees for both hash
 * backends, tampered rows, paths, indices, roots and shapes rejected, the
 * serialised form round-tripped, thread counts and SIMD backends giving the
 * same root, and bad arguments refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "commit/merkle.h"
#include "field/bb.h"
#include "hash/keccak.h"
#include "hash/poseidon2.h"

static uint64_t rng = 0x243F6A8885A308D3ULL;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

typedef struct {
  size_t n;
  merkle_matrix m[6];
  bb_t *data[6];
} fixture;

static void fixture_make(fixture *f, size_t n, const size_t *widths, const size_t *heights) {
  f->n = n;
  for (size_t i = 0; i < n; i++) {
    size_t cells = widths[i] * heights[i];
    f->data[i] = malloc(cells * sizeof(bb_t));
    assert_non_null(f->data[i]);
    for (size_t c = 0; c < cells; c++) f->data[i][c] = bb_from_u32(rnd() % BB_P);
    f->m[i].data = f->data[i];
    f->m[i].width = widths[i];
    f->m[i].height = heights[i];
  }
}

static void fixture_free(fixture *f) {
  for (size_t i = 0; i < f->n; i++) free(f->data[i]);
}

/* ---- naive model ---- */

static uint64_t model_perms; /* Poseidon2 permutations the model performed */

static void model_sponge_absorb(bb_t st[16], unsigned *pos, bb_t x) {
  st[(*pos)++] = x;
  if (*pos == 8) {
    model_perms++;
    p2_permute_ref(p2_params_bb16(), st);
    *pos = 0;
  }
}

/* Leaf hash of the rows at index r of every matrix whose height is h, the
 * matrices taken tallest first and, for equal heights, in the given order. */
static merkle_digest model_leaf(merkle_hash hash, const fixture *f, size_t h, size_t r) {
  merkle_digest d;
  if (hash == MERKLE_POSEIDON2) {
    bb_t st[16] = {0};
    unsigned pos = 0;
    for (size_t i = 0; i < f->n; i++)
      if (f->m[i].height == h)
        for (size_t c = 0; c < f->m[i].width; c++)
          model_sponge_absorb(st, &pos, f->m[i].data[r * f->m[i].width + c]);
    if (pos) {
      model_perms++;
      p2_permute_ref(p2_params_bb16(), st);
    }
    memcpy(d.w, st, sizeof d.w);
  } else {
    size_t total = 0;
    for (size_t i = 0; i < f->n; i++)
      if (f->m[i].height == h) total += f->m[i].width;
    uint8_t *bytes = malloc(4 * total + 1);
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++)
      if (f->m[i].height == h)
        for (size_t c = 0; c < f->m[i].width; c++) {
          uint32_t v = bb_to_u32(f->m[i].data[r * f->m[i].width + c]);
          for (int b = 0; b < 4; b++) bytes[k++] = (uint8_t)(v >> (8 * b));
        }
    uint8_t out[32];
    keccak256(bytes, k, out);
    free(bytes);
    for (int j = 0; j < 8; j++)
      d.w[j] = (uint32_t)out[4 * j] | (uint32_t)out[4 * j + 1] << 8 | (uint32_t)out[4 * j + 2] << 16 |
               (uint32_t)out[4 * j + 3] << 24;
  }
  return d;
}

static merkle_digest model_compress(merkle_hash hash, merkle_digest a, merkle_digest b) {
  merkle_digest d;
  if (hash == MERKLE_POSEIDON2) {
    bb_t st[16];
    memcpy(st, a.w, 32);
    memcpy(st + 8, b.w, 32);
    model_perms++;
    p2_permute_ref(p2_params_bb16(), st);
    memcpy(d.w, st, 32);
  } else {
    uint8_t in[64], out[32];
    memcpy(in, a.w, 32); /* little-endian host: words are the digest bytes */
    memcpy(in + 32, b.w, 32);
    keccak256(in, 64, out);
    memcpy(d.w, out, 32);
  }
  return d;
}

static int has_height(const fixture *f, size_t h) {
  for (size_t i = 0; i < f->n; i++)
    if (f->m[i].height == h) return 1;
  return 0;
}

static merkle_digest model_root(merkle_hash hash, const fixture *f) {
  size_t H = 0;
  for (size_t i = 0; i < f->n; i++)
    if (f->m[i].height > H) H = f->m[i].height;
  merkle_digest *layer = malloc(H * sizeof *layer);
  for (size_t r = 0; r < H; r++) layer[r] = model_leaf(hash, f, H, r);
  for (size_t n = H / 2; n >= 1; n /= 2) {
    for (size_t i = 0; i < n; i++) {
      merkle_digest d = model_compress(hash, layer[2 * i], layer[2 * i + 1]);
      if (has_height(f, n)) d = model_compress(hash, d, model_leaf(hash, f, n, i));
      layer[i] = d;
    }
  }
  merkle_digest root = layer[0];
  free(layer);
  return root;
}

/* ---- checks ---- */

static void dims_of(const fixture *f, merkle_dims *d) {
  for (size_t i = 0; i < f->n; i++) {
    d[i].width = f->m[i].width;
    d[i].height = f->m[i].height;
  }
}

/* Open every index, verify, tamper with everything, round-trip the bytes. */
static void check_all_openings(merkle_hash hash, const fixture *f, int exhaustive_tamper) {
  merkle_tree *t = NULL;
  assert_int_equal(merkle_build(f->m, f->n, hash, 1, &t), MERKLE_OK);
  model_perms = 0;
  merkle_digest root, want = model_root(hash, f);
  if (hash == MERKLE_POSEIDON2) {
    merkle_dims dd[6];
    for (size_t i = 0; i < f->n; i++) {
      dd[i].width = f->m[i].width;
      dd[i].height = f->m[i].height;
    }
    assert_true(merkle_poseidon2_permutations(dd, f->n) == model_perms);
  }
  merkle_root(t, &root);
  assert_memory_equal(&root, &want, sizeof root);
  assert_int_equal(merkle_tree_hash(t), hash);
  assert_int_equal(merkle_num_matrices(t), f->n);

  merkle_dims dims[6];
  dims_of(f, dims);
  const size_t H = merkle_height(t);
  const unsigned L = merkle_log_height(t);
  assert_true(((size_t)1 << L) == H);
  const size_t W = merkle_opening_width(t);
  bb_t *rows = malloc(W * sizeof(bb_t) + 1);
  merkle_digest *path = malloc((L + 1) * sizeof *path);
  size_t nbytes = merkle_opening_size(dims, f->n);
  assert_int_equal(nbytes, 4 * W + 32 * L);
  uint8_t *bytes = malloc(nbytes);
  bb_t *rows2 = malloc(W * sizeof(bb_t) + 1);
  merkle_digest *path2 = malloc((L + 1) * sizeof *path2);

  for (size_t idx = 0; idx < H; idx++) {
    assert_int_equal(merkle_open(t, idx, rows, path), MERKLE_OK);
    /* the opened rows are the matrices' rows */
    size_t off = 0;
    for (size_t i = 0; i < f->n; i++) {
      size_t r = idx / (H / f->m[i].height);
      assert_memory_equal(rows + off, f->m[i].data + r * f->m[i].width, f->m[i].width * sizeof(bb_t));
      off += f->m[i].width;
    }
    assert_int_equal(merkle_verify(hash, &root, dims, f->n, idx, rows, path), MERKLE_OK);

    /* bytes round trip */
    assert_int_equal(merkle_opening_write(hash, dims, f->n, rows, path, bytes, nbytes), (long)nbytes);
    assert_int_equal(merkle_opening_read(hash, dims, f->n, bytes, nbytes, rows2, path2), MERKLE_OK);
    assert_memory_equal(rows2, rows, W * sizeof(bb_t));
    if (L) assert_memory_equal(path2, path, L * sizeof *path);
    assert_int_equal(merkle_opening_write(hash, dims, f->n, rows, path, bytes, nbytes - 1), MERKLE_EINVAL);
    assert_int_equal(merkle_opening_read(hash, dims, f->n, bytes, nbytes - 1, rows2, path2), MERKLE_EINVAL);

    /* every other index rejects this opening */
    for (size_t j = 0; j < H; j++) {
      if (j == idx) continue;
      int rc = merkle_verify(hash, &root, dims, f->n, j, rows, path);
      assert_int_equal(rc, MERKLE_EVERIFY);
      if (!exhaustive_tamper && j > idx + 3) break;
    }
    assert_int_equal(merkle_verify(hash, &root, dims, f->n, H, rows, path), MERKLE_EINVAL);

    /* tampered row elements */
    for (size_t e = 0; e < W; e += exhaustive_tamper ? 1 : 7) {
      bb_t keep = rows[e];
      rows[e] = bb_add(rows[e], BB_ONE);
      assert_int_equal(merkle_verify(hash, &root, dims, f->n, idx, rows, path), MERKLE_EVERIFY);
      rows[e] = keep;
    }
    /* tampered path words */
    for (unsigned k = 0; k < L; k++)
      for (int w = 0; w < 8; w += exhaustive_tamper ? 1 : 3) {
        uint32_t keep = path[k].w[w];
        path[k].w[w] = hash == MERKLE_POSEIDON2 ? bb_add(keep, BB_ONE) : keep ^ 0x100u;
        assert_int_equal(merkle_verify(hash, &root, dims, f->n, idx, rows, path), MERKLE_EVERIFY);
        path[k].w[w] = keep;
      }
    /* tampered root */
    merkle_digest bad = root;
    bad.w[idx % 8] ^= 1;
    assert_int_equal(merkle_verify(hash, &bad, dims, f->n, idx, rows, path), MERKLE_EVERIFY);
    assert_int_equal(merkle_verify(hash, &root, dims, f->n, idx, rows, path), MERKLE_OK);
  }

  /* unreduced words are refused before hashing (Poseidon2 digests are field words) */
  if (hash == MERKLE_POSEIDON2) {
    assert_int_equal(merkle_open(t, 0, rows, path), MERKLE_OK);
    bb_t keep = rows[0];
    rows[0] = BB_P;
    assert_int_equal(merkle_verify(hash, &root, dims, f->n, 0, rows, path), MERKLE_EINVAL);
    rows[0] = keep;
    assert_int_equal(merkle_opening_write(hash, dims, f->n, rows, path, bytes, nbytes), (long)nbytes);
    bytes[0] = 0xff, bytes[1] = 0xff, bytes[2] = 0xff, bytes[3] = 0xff;
    assert_int_equal(merkle_opening_read(hash, dims, f->n, bytes, nbytes, rows2, path2), MERKLE_EINVAL);
  }
  assert_int_equal(merkle_open(t, H, rows, path), MERKLE_EINVAL);

  free(rows);
  free(rows2);
  free(path);
  free(path2);
  free(bytes);
  merkle_free(t);
}

static void run_shapes(merkle_hash hash) {
  /* single matrix, single row */
  {
    fixture f;
    size_t w[] = {5}, h[] = {1};
    fixture_make(&f, 1, w, h);
    check_all_openings(hash, &f, 1);
    fixture_free(&f);
  }
  /* single matrix, width 1 and width not a multiple of the rate */
  for (size_t width = 1; width <= 17; width += 8) {
    fixture f;
    size_t w[] = {width}, h[] = {8};
    fixture_make(&f, 1, w, h);
    check_all_openings(hash, &f, 1);
    fixture_free(&f);
  }
  /* mixed heights, unsorted input, two matrices share a height, a height-1 matrix,
   * a height skipped (no matrix of height 4) */
  {
    fixture f;
    size_t w[] = {3, 10, 8, 1, 2, 9}, h[] = {8, 16, 2, 16, 1, 8};
    fixture_make(&f, 6, w, h);
    check_all_openings(hash, &f, 1);
    fixture_free(&f);
  }
  /* larger: 64 leaves, several injections */
  {
    fixture f;
    size_t w[] = {24, 7, 16, 33}, h[] = {64, 32, 64, 4};
    fixture_make(&f, 4, w, h);
    check_all_openings(hash, &f, 0);
    fixture_free(&f);
  }
}

static void test_poseidon2_shapes(void **s) {
  (void)s;
  run_shapes(MERKLE_POSEIDON2);
}

static void test_keccak_shapes(void **s) {
  (void)s;
  run_shapes(MERKLE_KECCAK);
}

/* Shapes are part of what is verified. Matrices of equal height are hashed as
 * their concatenation, so moving columns between them is not a change
 * (as in Plonky3); moving columns across heights is. */
static void test_shape_changes_rejected(void **s) {
  (void)s;
  fixture f;
  size_t w[] = {4, 6, 5}, h[] = {8, 8, 4};
  fixture_make(&f, 3, w, h);
  merkle_tree *t;
  assert_int_equal(merkle_build(f.m, 3, MERKLE_POSEIDON2, 1, &t), MERKLE_OK);
  merkle_digest root, path[3];
  merkle_root(t, &root);
  bb_t rows[15];
  assert_int_equal(merkle_open(t, 5, rows, path), MERKLE_OK);
  merkle_dims d[3] = {{4, 8}, {6, 8}, {5, 4}};
  assert_int_equal(merkle_verify(MERKLE_POSEIDON2, &root, d, 3, 5, rows, path), MERKLE_OK);
  merkle_dims d1[3] = {{6, 8}, {4, 8}, {5, 4}};
  assert_int_equal(merkle_verify(MERKLE_POSEIDON2, &root, d1, 3, 5, rows, path), MERKLE_OK);
  merkle_dims d2[3] = {{5, 8}, {6, 8}, {4, 4}};
  assert_int_equal(merkle_verify(MERKLE_POSEIDON2, &root, d2, 3, 5, rows, path), MERKLE_EVERIFY);
  merkle_dims d3[3] = {{4, 8}, {6, 8}, {5, 8}};
  assert_int_equal(merkle_verify(MERKLE_POSEIDON2, &root, d3, 3, 5, rows, path), MERKLE_EVERIFY);
  merkle_dims d4[3] = {{4, 8}, {6, 8}, {5, 3}};
  assert_int_equal(merkle_verify(MERKLE_POSEIDON2, &root, d4, 3, 5, rows, path), MERKLE_EINVAL);
  /* a different hash does not verify */
  assert_int_equal(merkle_verify(MERKLE_KECCAK, &root, d, 3, 5, rows, path), MERKLE_EVERIFY);
  merkle_free(t);
  fixture_free(&f);
}

/* Same root for every thread count and SIMD backend, on a tree big enough
 * to be split over threads; also checked against the model. */
static void test_threads_and_backends(void **s) {
  (void)s;
  fixture f;
  size_t w[] = {13, 8, 3}, h[] = {2048, 2048, 1024};
  fixture_make(&f, 3, w, h);
  merkle_digest want = model_root(MERKLE_POSEIDON2, &f);
  static const p2_backend bk[] = {P2_BACKEND_SCALAR, P2_BACKEND_AVX2, P2_BACKEND_AVX512};
  for (size_t b = 0; b < 3; b++) {
    if (p2_set_backend(bk[b]) != 0) continue;
    for (int th = 0; th <= 5; th++) {
      merkle_tree *t;
      assert_int_equal(merkle_build(f.m, 3, MERKLE_POSEIDON2, th, &t), MERKLE_OK);
      merkle_digest root;
      merkle_root(t, &root);
      assert_memory_equal(&root, &want, sizeof root);
      merkle_free(t);
    }
  }
  p2_set_backend(P2_BACKEND_AUTO);
  merkle_digest kwant = model_root(MERKLE_KECCAK, &f);
  merkle_tree *t;
  assert_int_equal(merkle_build(f.m, 3, MERKLE_KECCAK, 3, &t), MERKLE_OK);
  merkle_digest root;
  merkle_root(t, &root);
  assert_memory_equal(&root, &kwant, sizeof root);
  merkle_free(t);
  fixture_free(&f);
}

/* Many matrices (more than the verifier's fixed-size scratch). */
static void test_many_matrices(void **s) {
  (void)s;
  enum { NM = 19 };
  merkle_matrix m[NM];
  merkle_dims d[NM];
  bb_t *data[NM];
  size_t W = 0;
  for (size_t i = 0; i < NM; i++) {
    size_t h = (size_t)1 << (i % 5), w = 1 + i % 4;
    data[i] = malloc(w * h * sizeof(bb_t));
    for (size_t c = 0; c < w * h; c++) data[i][c] = bb_from_u32(rnd() % BB_P);
    m[i].data = data[i];
    m[i].width = d[i].width = w;
    m[i].height = d[i].height = h;
    W += w;
  }
  for (int hk = 0; hk < 2; hk++) {
    merkle_hash hash = hk ? MERKLE_KECCAK : MERKLE_POSEIDON2;
    merkle_tree *t;
    assert_int_equal(merkle_build(m, NM, hash, 2, &t), MERKLE_OK);
    assert_int_equal(merkle_opening_width(t), W);
    merkle_digest root, path[4];
    merkle_root(t, &root);
    bb_t rows[64];
    for (size_t idx = 0; idx < 16; idx++) {
      assert_int_equal(merkle_open(t, idx, rows, path), MERKLE_OK);
      assert_int_equal(merkle_verify(hash, &root, d, NM, idx, rows, path), MERKLE_OK);
      rows[W - 1] = bb_add(rows[W - 1], BB_ONE);
      assert_int_equal(merkle_verify(hash, &root, d, NM, idx, rows, path), MERKLE_EVERIFY);
    }
    merkle_free(t);
  }
  for (size_t i = 0; i < NM; i++) free(data[i]);
}

static void test_bad_arguments(void **s) {
  (void)s;
  bb_t data[12] = {0};
  merkle_tree *t = (merkle_tree *)1;
  merkle_matrix m = {data, 4, 3};
  assert_int_equal(merkle_build(&m, 1, MERKLE_POSEIDON2, 1, &t), MERKLE_EINVAL);
  assert_null(t);
  m.height = 2;
  m.width = 0;
  assert_int_equal(merkle_build(&m, 1, MERKLE_POSEIDON2, 1, &t), MERKLE_EINVAL);
  m.width = 4;
  assert_int_equal(merkle_build(&m, 0, MERKLE_POSEIDON2, 1, &t), MERKLE_EINVAL);
  assert_int_equal(merkle_build(NULL, 1, MERKLE_POSEIDON2, 1, &t), MERKLE_EINVAL);
  assert_int_equal(merkle_build(&m, 1, (merkle_hash)7, 1, &t), MERKLE_EINVAL);
  m.data = NULL;
  assert_int_equal(merkle_build(&m, 1, MERKLE_POSEIDON2, 1, &t), MERKLE_EINVAL);
  m.data = data;
  assert_int_equal(merkle_build(&m, 1, MERKLE_POSEIDON2, 1, &t), MERKLE_OK);
  merkle_dims md = merkle_matrix_dims(t, 0);
  assert_int_equal(md.width, 4);
  assert_int_equal(md.height, 2);
  merkle_free(t);
  merkle_free(NULL);
  merkle_dims d = {4, 2};
  merkle_digest root = {{0}};
  assert_int_equal(merkle_verify(MERKLE_POSEIDON2, &root, &d, 0, 0, data, NULL), MERKLE_EINVAL);
  assert_int_equal(merkle_verify(MERKLE_POSEIDON2, &root, &d, 1, 0, data, NULL), MERKLE_EINVAL);
  assert_int_equal(merkle_opening_size(&d, 0), 0);
}

/* merkle_hash_row / merkle_compress are the primitives the tree uses. */
static void test_primitives(void **s) {
  (void)s;
  bb_t row[19];
  for (int i = 0; i < 19; i++) row[i] = bb_from_u32(rnd() % BB_P);
  merkle_digest a, b;
  merkle_hash_row(MERKLE_POSEIDON2, row, 19, &a);
  p2_hash(row, 19, b.w);
  assert_memory_equal(&a, &b, sizeof a);
  merkle_matrix m = {row, 19, 1};
  merkle_tree *t;
  assert_int_equal(merkle_build(&m, 1, MERKLE_KECCAK, 1, &t), MERKLE_OK);
  merkle_root(t, &a);
  merkle_hash_row(MERKLE_KECCAK, row, 19, &b);
  assert_memory_equal(&a, &b, sizeof a);
  merkle_free(t);
  uint8_t bytes[32];
  merkle_digest c;
  merkle_compress(MERKLE_POSEIDON2, &a, &b, &c);
  merkle_digest_bytes(MERKLE_POSEIDON2, &c, bytes);
  for (int i = 0; i < 8; i++) {
    uint32_t v = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
                 (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
    assert_int_equal(v, bb_to_u32(c.w[i]));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_poseidon2_shapes),
      cmocka_unit_test(test_keccak_shapes),
      cmocka_unit_test(test_shape_changes_rejected),
      cmocka_unit_test(test_threads_and_backends),
      cmocka_unit_test(test_many_matrices),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_primitives),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
