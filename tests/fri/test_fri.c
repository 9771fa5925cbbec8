/* FRI and the Fiat-Shamir challenger: low-degree polynomials verify at every
 * small size, degree exactly at the bound is rejected, one fold matches the
 * even/odd decomposition derived independently, tampering is rejected, and the
 * challenger's grinding and buffering behave as specified.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fri/challenger.h"
#include "fri/fri.h"
#include "hash/poseidon2.h"
#include "ntt/ntt.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}
static bb_t rnd_bb(void) { return bb_from_u32(rnd32() % BB_P); }
static ext_t rnd_ext(void) {
  ext_t r = {{rnd_bb(), rnd_bb(), rnd_bb(), rnd_bb()}};
  return r;
}

/* Evaluations on s*<w_N> of the polynomial with `deg+1` random ext
 * coefficients (leading one non-zero); coefficients returned in *coeffs when
 * non-NULL. */
static ext_t *poly_evals(unsigned log_n, size_t ncoef, bb_t shift, ext_t **coeffs) {
  size_t N = (size_t)1 << log_n;
  bb_t *m = calloc(N * 4, sizeof *m);
  ext_t *c = calloc(ncoef, sizeof *c);
  assert_non_null(m);
  assert_non_null(c);
  for (size_t i = 0; i < ncoef; i++) {
    c[i] = rnd_ext();
    if (i == ncoef - 1 && ext_is_zero(c[i])) c[i] = ext_one();
    memcpy(m + 4 * i, c[i].v, sizeof c[i].v);
  }
  assert_int_equal(ntt_coset_dft(m, log_n, 4, shift, NTT_ORDER_NATURAL, 1), NTT_OK);
  ext_t *e = malloc(sizeof *e * N);
  assert_non_null(e);
  for (size_t i = 0; i < N; i++) memcpy(e[i].v, m + 4 * i, sizeof e[i].v);
  free(m);
  if (coeffs)
    *coeffs = c;
  else
    free(c);
  return e;
}

typedef struct {
  const ext_t *evals;
  const size_t *indices; /* the prover's indices, to check both sides agree */
  int tamper_query;      /* -1: none */
  unsigned calls;
} open_ctx;

static int open_cb(void *arg, unsigned q, size_t index, ext_t *v) {
  open_ctx *c = arg;
  c->calls++;
  if (c->indices && c->indices[q] != index) return -1;
  *v = c->evals[index];
  if ((int)q == c->tamper_query) v->v[1] = bb_add(v->v[1], BB_ONE);
  return 0;
}

/* Prove and verify evaluations; returns fri_verify's code. */
static int prove_verify(const fri_params *p, const ext_t *evals, unsigned log_n, int tamper) {
  bb_t s = bb_generator();
  chal_state pc, vc;
  chal_init(&pc);
  chal_observe(&pc, bb_from_u32(7));
  vc = pc;
  fri_proof proof;
  size_t *idx = malloc(sizeof *idx * p->num_queries);
  assert_non_null(idx);
  assert_int_equal(fri_prove(p, &pc, evals, log_n, s, 1, &proof, idx, NULL), FRI_OK);
  for (unsigned q = 0; q < p->num_queries; q++) assert_true(idx[q] < ((size_t)1 << log_n));
  open_ctx oc = {evals, idx, tamper, 0};
  int rc = fri_verify(p, &vc, &proof, log_n, s, open_cb, &oc);
  if (rc == FRI_OK) {
    assert_int_equal(oc.calls, p->num_queries);
    /* both transcripts end in the same state */
    assert_memory_equal(pc.state, vc.state, sizeof pc.state);
  }
  fri_proof_free(&proof);
  free(idx);
  return rc;
}

static void test_params(void **state) {
  (void)state;
  fri_params p = fri_params_for(1, 100);
  assert_int_equal(fri_params_check(&p), FRI_OK);
  assert_true(fri_security_bits(&p) >= 100);
  assert_int_equal(fri_security_bits(&p), p.num_queries * 1 + p.pow_bits);
  fri_params q = fri_params_for(2, 100);
  assert_true(q.num_queries * 2 + q.pow_bits >= 100);
  assert_true(q.num_queries < p.num_queries);
  fri_params bad = p;
  bad.log_blowup = 0;
  assert_int_equal(fri_params_check(&bad), FRI_ERR_ARG);
  bad = p;
  bad.num_queries = 0;
  assert_int_equal(fri_params_check(&bad), FRI_ERR_ARG);
  bad = p;
  bad.pow_bits = FRI_MAX_POW_BITS + 1;
  assert_int_equal(fri_params_check(&bad), FRI_ERR_ARG);
  /* layer counts */
  fri_params f = {1, 4, 0, 2, 1};
  assert_int_equal(fri_num_layers(&f, 10), 7);
  assert_int_equal(fri_final_len(&f, 10), 4);
  assert_int_equal(fri_num_layers(&f, 3), 0);
  assert_int_equal(fri_final_len(&f, 3), 4);
  assert_int_equal(fri_path_digests(&f, 10), 9 + 8 + 7 + 6 + 5 + 4 + 3);
  assert_int_equal(fri_row_values(&f, 10), 14);
  f.log_arity = 0; /* same as 1 */
  assert_int_equal(fri_log_arity(&f), 1);
  assert_int_equal(fri_num_layers(&f, 10), 7);
  /* arity 4: 7 bits of folding = 2 + 2 + 2 + 1 */
  f.log_arity = 2;
  assert_int_equal(fri_num_layers(&f, 10), 4);
  assert_int_equal(fri_final_len(&f, 10), 4);
  unsigned want_ls[4] = {10, 8, 6, 4}, want_la[4] = {2, 2, 2, 1};
  for (unsigned i = 0; i < 4; i++) {
    unsigned ls, la;
    fri_layer_shape(&f, 10, i, &ls, &la);
    assert_int_equal(ls, want_ls[i]);
    assert_int_equal(la, want_la[i]);
  }
  assert_int_equal(fri_path_digests(&f, 10), 8 + 6 + 4 + 3);
  assert_int_equal(fri_row_values(&f, 10), 4 + 4 + 4 + 2);
  f.log_arity = FRI_MAX_LOG_ARITY + 1;
  assert_int_equal(fri_params_check(&f), FRI_ERR_ARG);
}

/* Every small size and parameter mix: degree bound - 1 verifies, degree at
 * the bound is rejected. */
static void test_degree_bound_exhaustive(void **state) {
  (void)state;
  for (unsigned la = 1; la <= 2; la++) {
    for (unsigned lb = 1; lb <= 3; lb++)
      for (unsigned lf = 0; lf <= 2; lf++)
        for (unsigned log_n = lb; log_n <= 9; log_n++) {
          fri_params p = {lb, 12, 2, lf, la};
          size_t bound = (size_t)1 << (log_n - lb);
          ext_t *ok = poly_evals(log_n, bound, bb_generator(), NULL);
          assert_int_equal(prove_verify(&p, ok, log_n, -1), FRI_OK);
          free(ok);
          ext_t *over = poly_evals(log_n, bound + 1, bb_generator(), NULL);
          assert_int_equal(prove_verify(&p, over, log_n, -1), FRI_ERR_VERIFY);
          free(over);
        }
  }
}

static void test_large_degree_bound(void **state) {
  (void)state;
  for (unsigned la = 1; la <= 2; la++) {
    fri_params p = fri_params_for(1, 100);
    p.log_arity = la;
    unsigned log_n = 14;
    size_t bound = (size_t)1 << (log_n - 1);
    ext_t *ok = poly_evals(log_n, bound, bb_generator(), NULL);
    assert_int_equal(prove_verify(&p, ok, log_n, -1), FRI_OK);
    free(ok);
    ext_t *over = poly_evals(log_n, bound + 1, bb_generator(), NULL);
    assert_int_equal(prove_verify(&p, over, log_n, -1), FRI_ERR_VERIFY);
    free(over);
  }
}

/* A tampered value at one query (the callback lies) is caught. */
static void test_tampered_value(void **state) {
  (void)state;
  for (unsigned la = 1; la <= 2; la++) {
    fri_params p = {1, 8, 1, 1, la};
    unsigned log_n = 8;
    ext_t *e = poly_evals(log_n, 64, bb_generator(), NULL);
    for (int q = 0; q < 8; q++) assert_int_equal(prove_verify(&p, e, log_n, q), FRI_ERR_VERIFY);
    free(e);
  }
}

/* One fold: the final polynomial must be even(c) + beta * odd(c) with beta
 * replayed from the transcript (observe the layer root, sample). */
static void test_one_fold_known_answer(void **state) {
  (void)state;
  unsigned log_n = 6;
  fri_params p = {1, 4, 0, 4, 1}; /* bound 32 = 2^5, final 16: exactly one fold */
  assert_int_equal(fri_num_layers(&p, log_n), 1);
  ext_t *c = NULL;
  ext_t *e = poly_evals(log_n, 32, bb_generator(), &c);
  chal_state pc, rc;
  chal_init(&pc);
  rc = pc;
  fri_proof proof;
  size_t idx[4];
  assert_int_equal(fri_prove(&p, &pc, e, log_n, bb_generator(), 1, &proof, idx, NULL), FRI_OK);
  assert_int_equal(proof.final_len, 16);
  chal_observe_many(&rc, proof.roots[0].w, MERKLE_DIGEST_WORDS);
  ext_t beta = chal_sample_ext(&rc);
  for (size_t i = 0; i < 16; i++) {
    ext_t want = ext_add(c[2 * i], ext_mul(beta, c[2 * i + 1]));
    assert_true(ext_eq(proof.final_poly[i], want));
  }
  /* the layer-0 root commits to rows (F(x_k), F(-x_k)) */
  bb_t m[32 * 8];
  for (size_t k = 0; k < 32; k++) {
    memcpy(m + 8 * k, e[k].v, 16);
    memcpy(m + 8 * k + 4, e[k + 32].v, 16);
  }
  merkle_matrix mm = {m, 8, 32};
  merkle_tree *t;
  assert_int_equal(merkle_build(&mm, 1, MERKLE_POSEIDON2, 1, &t), MERKLE_OK);
  merkle_digest root;
  merkle_root(t, &root);
  assert_memory_equal(&root, &proof.roots[0], sizeof root);
  merkle_free(t);
  fri_proof_free(&proof);
  free(c);
  free(e);
}

/* One fold by 4: the final polynomial must be sum_j beta^j c_{4i+j}, and the
 * layer-0 root commits to rows (F(x_r), F(x_{r+R}), F(x_{r+2R}), F(x_{r+3R})). */
static void test_one_fold4_known_answer(void **state) {
  (void)state;
  unsigned log_n = 7;
  fri_params p = {1, 4, 0, 4, 2}; /* bound 64, final 16: exactly one fold by 4 */
  assert_int_equal(fri_num_layers(&p, log_n), 1);
  ext_t *c = NULL;
  ext_t *e = poly_evals(log_n, 64, bb_generator(), &c);
  chal_state pc, rc;
  chal_init(&pc);
  rc = pc;
  fri_proof proof;
  size_t idx[4];
  assert_int_equal(fri_prove(&p, &pc, e, log_n, bb_generator(), 1, &proof, idx, NULL), FRI_OK);
  assert_int_equal(proof.final_len, 16);
  chal_observe_digest(&rc, &proof.roots[0]);
  ext_t beta = chal_sample_ext(&rc);
  ext_t b2 = ext_mul(beta, beta), b3 = ext_mul(b2, beta);
  for (size_t i = 0; i < 16; i++) {
    ext_t want = ext_add(ext_add(c[4 * i], ext_mul(beta, c[4 * i + 1])),
                         ext_add(ext_mul(b2, c[4 * i + 2]), ext_mul(b3, c[4 * i + 3])));
    assert_true(ext_eq(proof.final_poly[i], want));
  }
  bb_t m[32 * 16];
  for (size_t r = 0; r < 32; r++)
    for (size_t t = 0; t < 4; t++) memcpy(m + 16 * r + 4 * t, e[r + 32 * t].v, 16);
  merkle_matrix mm = {m, 16, 32};
  merkle_tree *t;
  assert_int_equal(merkle_build(&mm, 1, MERKLE_POSEIDON2, 1, &t), MERKLE_OK);
  merkle_digest root;
  merkle_root(t, &root);
  assert_memory_equal(&root, &proof.roots[0], sizeof root);
  merkle_free(t);
  fri_proof_free(&proof);
  free(c);
  free(e);
}

/* Tampered proofs: a changed final coefficient, root, row value or witness. */
static void test_tampered_proof(void **state) {
  (void)state;
  for (unsigned la = 1; la <= 2; la++) {
    fri_params p = {1, 10, 4, 1, la};
    unsigned log_n = 9;
    bb_t s = bb_generator();
    ext_t *e = poly_evals(log_n, 256, s, NULL);
    for (int what = 0; what < 6; what++) {
      chal_state pc;
      chal_init(&pc);
      chal_state vc = pc;
      fri_proof proof;
      size_t idx[10];
      assert_int_equal(fri_prove(&p, &pc, e, log_n, s, 1, &proof, idx, NULL), FRI_OK);
      switch (what) {
        case 0: proof.final_poly[0].v[0] = bb_add(proof.final_poly[0].v[0], BB_ONE); break;
        case 1: proof.roots[2].w[3] = bb_add(proof.roots[2].w[3], BB_ONE); break;
        case 2: proof.rows[5].v[2] = bb_add(proof.rows[5].v[2], BB_ONE); break;
        case 3: proof.pow_witness = bb_add(proof.pow_witness, BB_ONE); break;
        case 4: proof.paths[3].w[0] = bb_add(proof.paths[3].w[0], BB_ONE); break;
        case 5: proof.rows[2].v[0] = bb_add(proof.rows[2].v[0], BB_ONE); break;
      }
      open_ctx oc = {e, NULL, -1, 0};
      assert_int_equal(fri_verify(&p, &vc, &proof, log_n, s, open_cb, &oc), FRI_ERR_VERIFY);
      fri_proof_free(&proof);
    }
    free(e);
  }
}

static void test_batch_inv(void **state) {
  (void)state;
  ext_t in[200], out[200];
  for (int i = 0; i < 200; i++) in[i] = (i % 17 == 3) ? ext_zero() : rnd_ext();
  fri_ext_batch_inv(out, in, 200);
  for (int i = 0; i < 200; i++) {
    if (ext_is_zero(in[i]))
      assert_true(ext_is_zero(out[i]));
    else
      assert_true(ext_eq(ext_mul(in[i], out[i]), ext_one()));
  }
  fri_ext_batch_inv(in, in, 200); /* in place */
  assert_memory_equal(in, out, sizeof in);
}

static void test_poly_eval(void **state) {
  (void)state;
  ext_t c[5], x = rnd_ext();
  for (int i = 0; i < 5; i++) c[i] = rnd_ext();
  ext_t want = ext_zero(), xp = ext_one();
  for (int i = 0; i < 5; i++, xp = ext_mul(xp, x)) want = ext_add(want, ext_mul(c[i], xp));
  assert_true(ext_eq(fri_poly_eval(c, 5, x), want));
}

/* ---- challenger ---- */

static void test_chal_duplex_rules(void **state) {
  (void)state;
  /* Sampling with nothing observed: one permutation of the zero state, output
   * taken from the end of the rate part. */
  chal_state c;
  chal_init(&c);
  bb_t st[16] = {0};
  p2_permute16(st);
  for (int i = 7; i >= 0; i--) assert_int_equal(chal_sample(&c), st[i]);
  /* the ninth sample permutes again, with no input */
  p2_permute16(st);
  assert_int_equal(chal_sample(&c), st[7]);

  /* 3 observations then a sample: they overwrite state[0..3) and permute. */
  chal_init(&c);
  bb_t s2[16] = {0};
  for (uint32_t i = 0; i < 3; i++) {
    chal_observe(&c, bb_from_u32(i + 10));
    s2[i] = bb_from_u32(i + 10);
  }
  p2_permute16(s2);
  assert_int_equal(chal_sample(&c), s2[7]);
  /* observing drops the rest of the output buffer */
  chal_observe(&c, bb_from_u32(5));
  s2[0] = bb_from_u32(5);
  p2_permute16(s2);
  assert_int_equal(chal_sample(&c), s2[7]);

  /* 8 observations duplex immediately; a sample then reads without permuting */
  chal_init(&c);
  bb_t s3[16] = {0};
  for (uint32_t i = 0; i < 8; i++) {
    chal_observe(&c, bb_from_u32(i + 1));
    s3[i] = bb_from_u32(i + 1);
  }
  p2_permute16(s3);
  assert_int_equal(chal_sample(&c), s3[7]);
  assert_int_equal(chal_sample(&c), s3[6]);
}

static void test_chal_bits_and_ext(void **state) {
  (void)state;
  chal_state a, b;
  chal_init(&a);
  chal_observe_label(&a, "x");
  b = a;
  for (int i = 0; i < 50; i++) {
    uint32_t v = bb_to_u32(chal_sample(&b));
    assert_int_equal(chal_sample_bits(&a, 12), v & 0xfff);
  }
  chal_init(&a);
  b = a;
  ext_t e = chal_sample_ext(&a);
  for (int k = 0; k < 4; k++) assert_int_equal(e.v[k], chal_sample(&b));
  /* a digest is observed as its 8 words */
  merkle_digest d;
  for (int k = 0; k < 8; k++) d.w[k] = rnd_bb();
  chal_init(&a);
  chal_init(&b);
  chal_observe_digest(&a, &d);
  chal_observe_many(&b, d.w, 8);
  assert_memory_equal(&a, &b, sizeof a);
  /* labels of different text differ */
  chal_init(&a);
  chal_init(&b);
  chal_observe_label(&a, "fibonacci");
  chal_observe_label(&b, "fibonaccj");
  assert_int_not_equal(chal_sample(&a), chal_sample(&b));
}

static void test_chal_grind(void **state) {
  (void)state;
  for (unsigned bits = 0; bits <= 10; bits += 2) {
    chal_state c;
    chal_init(&c);
    chal_observe(&c, bb_from_u32(bits));
    chal_state before = c;
    bb_t w;
    assert_int_equal(chal_grind(&c, bits, &w), 0);
    chal_state v = before;
    assert_int_equal(chal_check_witness(&v, bits, w), 1);
    assert_memory_equal(&v, &c, sizeof v);
    /* the grinder returns the smallest witness: every smaller one fails */
    uint32_t wv = bb_to_u32(w);
    for (uint32_t x = 0; x < wv; x++) {
      chal_state t = before;
      assert_int_equal(chal_check_witness(&t, bits, bb_from_u32(x)), 0);
    }
    /* non-canonical witness words are refused */
    chal_state t = before;
    assert_int_equal(chal_check_witness(&t, bits, BB_P), 0);
  }
  chal_state c;
  chal_init(&c);
  bb_t w;
  assert_int_equal(chal_grind(&c, CHAL_MAX_BITS + 1, &w), -1);
}

/* Several threads find the same (smallest) witness and leave the same state,
 * for every thread count, including witnesses in the first block, in later
 * blocks and at block boundaries (many transcripts per bit count). */
static void test_chal_grind_threads(void **state) {
  (void)state;
  static const int counts[] = {0, 1, 2, 3, 4, 7, 16};
  for (unsigned bits = 0; bits <= 12; bits += 3)
    for (uint32_t seed = 0; seed < 12; seed++) {
      chal_state c0;
      chal_init(&c0);
      chal_observe(&c0, bb_from_u32(seed * 1000u + bits));
      chal_state want = c0;
      bb_t w0;
      assert_int_equal(chal_grind(&want, bits, &w0), 0);
      for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        chal_state c = c0;
        bb_t w = 0;
        assert_int_equal(chal_grind_threads(&c, bits, counts[k], &w), 0);
        assert_int_equal(w, w0);
        assert_memory_equal(&c, &want, sizeof c);
      }
    }
  chal_state c;
  chal_init(&c);
  bb_t w;
  assert_int_equal(chal_grind_threads(&c, CHAL_MAX_BITS + 1, 4, &w), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_chal_grind_threads),
      cmocka_unit_test(test_params),
      cmocka_unit_test(test_degree_bound_exhaustive),
      cmocka_unit_test(test_large_degree_bound),
      cmocka_unit_test(test_tampered_value),
      cmocka_unit_test(test_one_fold_known_answer),
      cmocka_unit_test(test_one_fold4_known_answer),
      cmocka_unit_test(test_tampered_proof),
      cmocka_unit_test(test_batch_inv),
      cmocka_unit_test(test_poly_eval),
      cmocka_unit_test(test_chal_duplex_rules),
      cmocka_unit_test(test_chal_bits_and_ext),
      cmocka_unit_test(test_chal_grind),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
