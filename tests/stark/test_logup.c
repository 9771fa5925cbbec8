/* LogUp lookup argument of the STARK (stark.h, air.h: stark_interaction):
 * a "values" table sending on a bus and a "range" table receiving from it
 * prove with shared challenges and their cumulative sums cancel, and stop
 * cancelling when a value is out of range; aux cells, openings, the
 * cumulative sum, the roots and the challenges are bound (tampering fails);
 * version-2 proofs round-trip and every truncation and bit flip is refused;
 * the predicted size is the real one; a permutation check inside one AIR is
 * exact on small tables (every multiset of a few values), with one aux
 * column per interaction or two per column; the lookup constraints
 * (stark_lookup_eval) are zero on frames of a real aux trace and each one
 * catches its own kind of wrong value (group sum, running sum's start, a
 * step, the claimed cumulative sum); batching (G per column from the AIR's
 * degree) keeps the cumulative sum and is bound in the transcript; proofs without
 * interactions are byte-identical to the ones made before lookups existed
 * (digests taken from that code); the CUDA backend (its CPU emulation, and a
 * device when present) gives the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cuda/cu.h"
#include "hash/keccak.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "stark_test_util.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

/* ---- the values table: columns (v, s), s a bit; sends v on bus 1 with
 * multiplicity s ---- */

enum { VAL_V = 0, VAL_S = 1, VAL_WIDTH = 2 };

static void val_eval_ext(const stark_air *a, stark_eval_ext *e) {
  (void)a;
  ext_t s = e->local[VAL_S];
  stark_assert_zero_ext(e, ext_mul(s, ext_sub(s, ext_one())));
}
static const stark_air air_values = {
    .name = "values", .width = VAL_WIDTH, .num_constraints = 1, .max_degree = 2,
    .eval_ext = val_eval_ext};

static const stark_lc_term val_v_term[] = {{VAL_V, 1}};
static const stark_lc_term val_s_term[] = {{VAL_S, 1}};
static const stark_lc val_fields[] = {{val_v_term, 1, 0}};
static const stark_interaction val_send[] = {
    {1, STARK_SEND, {val_s_term, 1, 0}, val_fields, 1}};

/* ---- the range table: columns (x, m); x = 0, 1, 2, ... (first row 0, next
 * = local + 1); receives x on bus 1 with multiplicity m ---- */

enum { RNG_X = 0, RNG_M = 1, RNG_WIDTH = 2 };

static void rng_eval_ext(const stark_air *a, stark_eval_ext *e) {
  (void)a;
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, e->local[RNG_X]));
  stark_assert_zero_ext(
      e, ext_mul(e->is_transition, ext_sub(e->next[RNG_X], ext_add(e->local[RNG_X], ext_one()))));
}
static const stark_air air_range = {
    .name = "range", .width = RNG_WIDTH, .num_constraints = 2, .max_degree = 2,
    .eval_ext = rng_eval_ext};
/* The same constraints declared of degree 3: two quotient chunks. */
static const stark_air air_range3 = {
    .name = "range3", .width = RNG_WIDTH, .num_constraints = 2, .max_degree = 3,
    .eval_ext = rng_eval_ext};

static const stark_lc_term rng_x_term[] = {{RNG_X, 1}};
static const stark_lc_term rng_m_term[] = {{RNG_M, 1}};
static const stark_lc rng_fields[] = {{rng_x_term, 1, 0}};
static const stark_interaction rng_recv[] = {
    {1, STARK_RECEIVE, {rng_m_term, 1, 0}, rng_fields, 1}};

/* A values trace of 2^log_v rows with values below 2^log_r (every third row
 * not sent), and the range trace counting the sent values. bad_row >= 0 puts
 * the out-of-range value 2^log_r there (sent, not counted: no row has it). */
static void bus_traces(unsigned log_v, unsigned log_r, long bad_row, bb_t **vt, bb_t **rt) {
  size_t nv = (size_t)1 << log_v, nr = (size_t)1 << log_r;
  bb_t *v = calloc(nv * VAL_WIDTH, sizeof *v), *r = calloc(nr * RNG_WIDTH, sizeof *r);
  uint32_t *count = calloc(nr, sizeof *count);
  for (size_t i = 0; i < nv; i++) {
    uint32_t x = rnd32() % (uint32_t)nr, sent = i % 3 != 2;
    if ((long)i == bad_row) {
      x = (uint32_t)nr;
      sent = 1;
    } else if (sent) {
      count[x]++;
    }
    v[i * VAL_WIDTH + VAL_V] = bb_from_u32(x);
    v[i * VAL_WIDTH + VAL_S] = sent ? BB_ONE : 0;
  }
  for (size_t i = 0; i < nr; i++) {
    r[i * RNG_WIDTH + RNG_X] = bb_from_u32((uint32_t)i);
    r[i * RNG_WIDTH + RNG_M] = bb_from_u32(count[i]);
  }
  free(count);
  *vt = v;
  *rt = r;
}

/* Both tables committed, challenges from both roots, both proved with them. */
typedef struct {
  stark_proof pv, pr;
  ext_t ch[2];
  stark_lookup lv, lr;
} bus_run;

static void bus_prove(const stark_config *cfg, const stark_air *range_air, const bb_t *vt,
                      unsigned log_v, const bb_t *rt, unsigned log_r, bus_run *b) {
  merkle_digest roots[2];
  assert_int_equal(stark_commit_main(&air_values, cfg, vt, log_v, &roots[0]), STARK_OK);
  assert_int_equal(stark_commit_main(range_air, cfg, rt, log_r, &roots[1]), STARK_OK);
  stark_lookup_challenges(roots, 2, b->ch);
  b->lv = (stark_lookup){val_send, 1, b->ch, 0};
  b->lr = (stark_lookup){rng_recv, 1, b->ch, 0};
  assert_int_equal(stark_prove_lookup(&air_values, &b->lv, cfg, vt, log_v, NULL, &b->pv, NULL), STARK_OK);
  assert_int_equal(stark_prove_lookup(range_air, &b->lr, cfg, rt, log_r, NULL, &b->pr, NULL), STARK_OK);
  /* the early commitment is the proof's */
  assert_memory_equal(&roots[0], &b->pv.trace_root, sizeof roots[0]);
  assert_memory_equal(&roots[1], &b->pr.trace_root, sizeof roots[1]);
}

static void bus_free(bus_run *b) {
  stark_proof_free(&b->pv);
  stark_proof_free(&b->pr);
}

/* Verifies both proofs and returns whether the sums cancel. */
static int bus_verify(const stark_config *cfg, const stark_air *range_air, bus_run *b) {
  ext_t sv, sr;
  /* the verifier derives the challenges from the proofs themselves */
  merkle_digest roots[2] = {b->pv.trace_root, b->pr.trace_root};
  ext_t ch[2];
  stark_lookup_challenges(roots, 2, ch);
  assert_memory_equal(ch, b->ch, sizeof ch);
  stark_lookup lv = {val_send, 1, ch, 0}, lr = {rng_recv, 1, ch, 0};
  assert_int_equal(stark_verify_lookup(&air_values, &lv, &cfg->fri, NULL, &b->pv, &sv), STARK_OK);
  assert_int_equal(stark_verify_lookup(range_air, &lr, &cfg->fri, NULL, &b->pr, &sr), STARK_OK);
  assert_memory_equal(&sv, &b->pv.cumulative_sum, sizeof sv);
  return ext_is_zero(ext_add(sv, sr));
}

static void test_bus_cancels(void **state) {
  (void)state;
  static const unsigned sizes[][3] = {{5, 4, 1}, {3, 4, 1}, {1, 1, 1}, {8, 6, 1}, {6, 3, 2}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    stark_config cfg = test_cfg(sizes[i][2]);
    const stark_air *ra = sizes[i][2] == 2 ? &air_range3 : &air_range;
    bb_t *vt, *rt;
    bus_traces(sizes[i][0], sizes[i][1], -1, &vt, &rt);
    bus_run b;
    bus_prove(&cfg, ra, vt, sizes[i][0], rt, sizes[i][1], &b);
    assert_int_equal(b.pv.aux_width, 8);
    assert_true(bus_verify(&cfg, ra, &b));
    assert_false(ext_is_zero(b.pv.cumulative_sum));
    bus_free(&b);
    free(vt);
    free(rt);
  }
}

/* A public table's side (stark_lookup_public_sum): the range table's rows
 * given to the verifier instead of proven. Its sum is the proven range
 * table's cumulative sum under the same challenges, it balances the values
 * table's sends, and it stops balancing when a value out of range is sent
 * or a multiplicity is moved from one row to another. */
static void test_public_table(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  const unsigned log_v = 6, log_r = 4;
  size_t nr = (size_t)1 << log_r;
  for (long bad = -1; bad <= 5; bad += 6) {
    bb_t *vt, *rt;
    bus_traces(log_v, log_r, bad, &vt, &rt);
    bus_run b;
    bus_prove(&cfg, &air_range, vt, log_v, rt, log_r, &b);
    ext_t pub_sum;
    assert_int_equal(stark_lookup_public_sum(rng_recv, rt, nr, RNG_WIDTH, b.ch, &pub_sum), STARK_OK);
    assert_memory_equal(&pub_sum, &b.pr.cumulative_sum, sizeof pub_sum);
    assert_int_equal(ext_is_zero(ext_add(b.pv.cumulative_sum, pub_sum)), bad < 0);
    if (bad < 0) { /* one count moved to a value not sent as often */
      size_t from = 0;
      while (rt[from * RNG_WIDTH + RNG_M] == 0) from++;
      rt[from * RNG_WIDTH + RNG_M] = bb_sub(rt[from * RNG_WIDTH + RNG_M], BB_ONE);
      rt[((from + 1) % nr) * RNG_WIDTH + RNG_M] = bb_add(rt[((from + 1) % nr) * RNG_WIDTH + RNG_M], BB_ONE);
      assert_int_equal(stark_lookup_public_sum(rng_recv, rt, nr, RNG_WIDTH, b.ch, &pub_sum), STARK_OK);
      assert_false(ext_is_zero(ext_add(b.pv.cumulative_sum, pub_sum)));
    }
    bus_free(&b);
    free(vt);
    free(rt);
  }
  /* no rows: zero; bad arguments */
  ext_t ch[2] = {ext_from_base(bb_from_u32(7)), ext_from_base(bb_from_u32(11))}, sum;
  bb_t row[RNG_WIDTH] = {bb_from_u32(3), bb_from_u32(2)};
  assert_int_equal(stark_lookup_public_sum(rng_recv, NULL, 0, RNG_WIDTH, ch, &sum), STARK_OK);
  assert_true(ext_is_zero(sum));
  assert_int_equal(stark_lookup_public_sum(rng_recv, row, 1, 1, ch, &sum), STARK_ERR_ARG); /* m's column */
  assert_int_equal(stark_lookup_public_sum(NULL, row, 1, RNG_WIDTH, ch, &sum), STARK_ERR_ARG);
  assert_int_equal(stark_lookup_public_sum(rng_recv, row, 1, RNG_WIDTH, NULL, &sum), STARK_ERR_ARG);
  stark_interaction bad_dir = rng_recv[0];
  bad_dir.direction = 0;
  assert_int_equal(stark_lookup_public_sum(&bad_dir, row, 1, RNG_WIDTH, ch, &sum), STARK_ERR_AIR);
  /* one row: -2 / (7 - (1 + 11 * 3)) */
  assert_int_equal(stark_lookup_public_sum(rng_recv, row, 1, RNG_WIDTH, ch, &sum), STARK_OK);
  ext_t want = ext_mul(ext_from_base(bb_sub(0, bb_from_u32(2))), ext_inv(ext_from_base(bb_sub(bb_from_u32(7), bb_from_u32(34)))));
  assert_memory_equal(&sum, &want, sizeof sum);
  /* a fingerprint equal to beta */
  ch[0] = ext_from_base(bb_from_u32(34));
  assert_int_equal(stark_lookup_public_sum(rng_recv, row, 1, RNG_WIDTH, ch, &sum), STARK_ERR_INTERNAL);
}

/* Public values bound into the cross-shard challenges: none is exactly
 * stark_lookup_challenges; any change of one value, or of their number,
 * changes both challenges. */
static void test_challenges_pub(void **state) {
  (void)state;
  merkle_digest roots[3];
  for (size_t i = 0; i < sizeof roots; i++) ((uint8_t *)roots)[i] = (uint8_t)(i * 37 + 1);
  ext_t a[2], b[2];
  stark_lookup_challenges(roots, 3, a);
  stark_lookup_challenges_pub(roots, 3, NULL, 0, b);
  assert_memory_equal(a, b, sizeof a);
  bb_t pub[16] = {0};
  stark_lookup_challenges_pub(roots, 3, pub, 16, b);
  assert_memory_not_equal(&a[0], &b[0], sizeof a[0]);
  assert_memory_not_equal(&a[1], &b[1], sizeof a[1]);
  ext_t c[2];
  stark_lookup_challenges_pub(roots, 3, pub, 15, c);
  assert_memory_not_equal(&b[0], &c[0], sizeof b[0]);
  for (unsigned i = 0; i < 16; i++) {
    pub[i] = BB_ONE;
    stark_lookup_challenges_pub(roots, 3, pub, 16, c);
    assert_memory_not_equal(&b[0], &c[0], sizeof b[0]);
    assert_memory_not_equal(&b[1], &c[1], sizeof b[1]);
    pub[i] = 0;
  }
  stark_lookup_challenges_pub(roots, 3, pub, 16, c);
  assert_memory_equal(b, c, sizeof b);
}

/* A commitment kept from the first phase (stark_commit_main_keep) proves to
 * the same bytes as a proof that makes its own, on the CPU and on the CUDA
 * emulation (the AIR without a kernel: the LDE is fetched back for the
 * host's quotient); a kept commitment of another size, blowup or backend is
 * refused (and freed: the sanitizers' build checks no leak). */
static void test_kept_commitment(void **state) {
  (void)state;
  bb_t *vt, *rt;
  bus_traces(6, 4, -1, &vt, &rt);
  for (int backend = 0; backend < 2; backend++) {
    stark_config cfg = test_cfg(1);
    cfg.backend = backend ? STARK_BACKEND_CUDA : STARK_BACKEND_CPU;
    int prev = cu_set_emulation(1);
    merkle_digest root;
    stark_main_commit *kc;
    assert_int_equal(stark_commit_main_keep(&air_values, &cfg, vt, 6, &root, &kc, NULL), STARK_OK);
    assert_non_null(kc);
    assert_true(stark_main_commit_bytes(kc) > 64 * 2 * VAL_WIDTH * sizeof(bb_t));
    ext_t ch[2];
    stark_lookup_challenges(&root, 1, ch);
    stark_lookup lv = {val_send, 1, ch, 0};
    stark_proof p1, p2;
    assert_int_equal(stark_prove_lookup(&air_values, &lv, &cfg, vt, 6, NULL, &p1, NULL), STARK_OK);
    assert_int_equal(stark_prove_lookup_kept(&air_values, &lv, &cfg, vt, 6, NULL, kc, &p2, NULL), STARK_OK);
    assert_same_proof_bytes(&p1, &p2);
    assert_memory_equal(&root, &p2.trace_root, sizeof root);
    stark_proof_free(&p1);
    stark_proof_free(&p2);
    /* shapes that do not match */
    assert_int_equal(stark_commit_main_keep(&air_values, &cfg, vt, 5, &root, &kc, NULL), STARK_OK);
    assert_int_equal(stark_prove_lookup_kept(&air_values, &lv, &cfg, vt, 6, NULL, kc, &p2, NULL), STARK_ERR_ARG);
    assert_int_equal(stark_commit_main_keep(&air_values, &cfg, vt, 6, &root, &kc, NULL), STARK_OK);
    stark_config other = cfg;
    other.backend = backend ? STARK_BACKEND_CPU : STARK_BACKEND_CUDA;
    assert_int_equal(stark_prove_lookup_kept(&air_values, &lv, &other, vt, 6, NULL, kc, &p2, NULL), STARK_ERR_ARG);
    assert_int_equal(stark_commit_main_keep(&air_values, &cfg, vt, 6, &root, &kc, NULL), STARK_OK);
    other = test_cfg(2);
    other.backend = cfg.backend;
    assert_int_equal(stark_prove_lookup_kept(&air_values, &lv, &other, vt, 6, NULL, kc, &p2, NULL), STARK_ERR_ARG);
    /* no keep: just the root */
    merkle_digest r2;
    assert_int_equal(stark_commit_main_keep(&air_values, &cfg, vt, 6, &r2, NULL, NULL), STARK_OK);
    assert_memory_equal(&r2, &root, sizeof r2);
    cu_set_emulation(prev);
  }
  free(vt);
  free(rt);
}

static void test_bus_out_of_range(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  for (long bad = 0; bad < 32; bad += 7) {
    bb_t *vt, *rt;
    bus_traces(5, 4, bad, &vt, &rt);
    bus_run b;
    bus_prove(&cfg, &air_range, vt, 5, rt, 4, &b);
    assert_false(bus_verify(&cfg, &air_range, &b));
    bus_free(&b);
    free(vt);
    free(rt);
  }
  /* a multiplicity one too high is caught the same way */
  bb_t *vt, *rt;
  bus_traces(5, 4, -1, &vt, &rt);
  rt[3 * RNG_WIDTH + RNG_M] = bb_add(rt[3 * RNG_WIDTH + RNG_M], BB_ONE);
  bus_run b;
  bus_prove(&cfg, &air_range, vt, 5, rt, 4, &b);
  assert_false(bus_verify(&cfg, &air_range, &b));
  bus_free(&b);
  free(vt);
  free(rt);
}

/* ---- tampering ---- */

static void expect_reject(const stark_config *cfg, const stark_lookup *lk, const stark_proof *p,
                          int want) {
  ext_t sum;
  assert_int_equal(stark_verify_lookup(&air_range, lk, &cfg->fri, NULL, p, &sum), want);
}

static void test_tamper(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  bb_t *vt, *rt;
  bus_traces(5, 4, -1, &vt, &rt);
  bus_run b;
  bus_prove(&cfg, &air_range, vt, 5, rt, 4, &b);
  stark_proof *p = &b.pr;
  unsigned aw = p->aux_width, Q = p->num_queries, log_N = p->log_n + p->log_blowup;
  expect_reject(&cfg, &b.lr, p, STARK_OK);

  for (unsigned j = 0; j < aw; j++) { /* every aux cell of a query row */
    bb_t keep = p->aux_rows[(Q - 1) * aw + j];
    p->aux_rows[(Q - 1) * aw + j] = bb_add(keep, BB_ONE);
    expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
    p->aux_rows[(Q - 1) * aw + j] = keep;
  }
  for (unsigned j = 0; j < aw; j++) { /* every aux opening at zeta and zeta g */
    ext_t keep = p->aux_zeta[j];
    p->aux_zeta[j] = ext_add(keep, ext_one());
    expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
    p->aux_zeta[j] = keep;
    keep = p->aux_zeta_next[j];
    p->aux_zeta_next[j] = ext_add(keep, ext_one());
    expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
    p->aux_zeta_next[j] = keep;
  }
  merkle_digest path_keep = p->aux_paths[log_N - 1];
  p->aux_paths[log_N - 1].w[0] = bb_add(path_keep.w[0], BB_ONE);
  expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
  p->aux_paths[log_N - 1] = path_keep;
  merkle_digest root_keep = p->aux_root;
  p->aux_root.w[3] = bb_add(root_keep.w[3], BB_ONE);
  expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
  p->aux_root = root_keep;
  for (int c = 0; c < EXT_DEGREE; c++) { /* the cumulative sum: a claim of 0 among others */
    ext_t keep = p->cumulative_sum;
    p->cumulative_sum.v[c] = bb_add(keep.v[c], BB_ONE);
    expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
    p->cumulative_sum = ext_zero();
    expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
    p->cumulative_sum = ext_neg(b.pv.cumulative_sum);
    if (!ext_eq(p->cumulative_sum, keep)) expect_reject(&cfg, &b.lr, p, STARK_ERR_VERIFY);
    p->cumulative_sum = keep;
  }
  /* other challenges, sampled ones, another bus, the other direction, no lookup */
  ext_t other[2] = {b.ch[0], b.ch[1]};
  other[1].v[2] = bb_add(other[1].v[2], BB_ONE);
  stark_lookup l2 = {rng_recv, 1, other, 0};
  expect_reject(&cfg, &l2, p, STARK_ERR_VERIFY);
  l2.challenges = NULL;
  expect_reject(&cfg, &l2, p, STARK_ERR_VERIFY);
  stark_interaction it = rng_recv[0];
  it.bus = 2;
  l2 = (stark_lookup){&it, 1, b.ch, 0};
  expect_reject(&cfg, &l2, p, STARK_ERR_VERIFY);
  it = rng_recv[0];
  it.direction = STARK_SEND;
  expect_reject(&cfg, &l2, p, STARK_ERR_VERIFY);
  assert_int_equal(stark_verify(&air_range, &cfg.fri, NULL, p), STARK_ERR_ARG);
  stark_interaction two[2] = {rng_recv[0], rng_recv[0]};
  l2 = (stark_lookup){two, 2, b.ch, 0};
  expect_reject(&cfg, &l2, p, STARK_ERR_ARG);
  expect_reject(&cfg, &b.lr, p, STARK_OK);

  /* a proof made with challenges of the prover's choosing does not pass as
   * one made with the derived challenges */
  stark_proof forged;
  stark_lookup lf = {rng_recv, 1, other, 0};
  assert_int_equal(stark_prove_lookup(&air_range, &lf, &cfg, rt, 4, NULL, &forged, NULL), STARK_OK);
  expect_reject(&cfg, &b.lr, &forged, STARK_ERR_VERIFY);
  stark_proof_free(&forged);

  /* a receiver whose aux trace is built from a different multiplicity column
   * cannot claim the honest cumulative sum: prove a changed trace, then put
   * the honest sum in the proof */
  rt[2 * RNG_WIDTH + RNG_M] = bb_add(rt[2 * RNG_WIDTH + RNG_M], BB_ONE);
  assert_int_equal(stark_prove_lookup(&air_range, &b.lr, &cfg, rt, 4, NULL, &forged, NULL), STARK_OK);
  assert_false(ext_eq(forged.cumulative_sum, p->cumulative_sum));
  forged.cumulative_sum = p->cumulative_sum;
  expect_reject(&cfg, &b.lr, &forged, STARK_ERR_VERIFY);
  stark_proof_free(&forged);

  bus_free(&b);
  free(vt);
  free(rt);
}

/* ---- bad interaction descriptions ---- */

static void test_bad_interactions(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  bb_t *vt, *rt;
  bus_traces(3, 3, -1, &vt, &rt);
  stark_proof p;
  stark_lc_term bad_col[] = {{RNG_WIDTH, 1}}, bad_coeff[] = {{0, BB_P}};
  stark_lc f_col[] = {{bad_col, 1, 0}}, f_coeff[] = {{bad_coeff, 1, 0}}, f_const[] = {{NULL, 0, BB_P}};
  stark_interaction it[6];
  for (int i = 0; i < 6; i++) it[i] = rng_recv[0];
  it[0].fields = f_col;
  it[1].fields = f_coeff;
  it[2].fields = f_const;
  it[3].direction = 0;
  it[4].num_fields = 0;
  it[5].bus = BB_P;
  for (int i = 0; i < 6; i++) {
    stark_lookup lk = {&it[i], 1, NULL, 0};
    assert_int_equal(stark_prove_lookup(&air_range, &lk, &cfg, rt, 3, NULL, &p, NULL), STARK_ERR_AIR);
    stark_work wk;
    assert_int_equal(stark_estimate_work_lookup(&air_range, &lk, &cfg.fri, 3, &wk), STARK_ERR_ARG);
  }
  stark_lookup many = {rng_recv, STARK_MAX_INTERACTIONS + 1, NULL, 0};
  assert_int_equal(stark_prove_lookup(&air_range, &many, &cfg, rt, 3, NULL, &p, NULL), STARK_ERR_AIR);
  assert_int_equal(stark_proof_size_for_lookup(&air_range, &many, &cfg.fri, 3), 0);
  ext_t badch[2] = {{{BB_P, 0, 0, 0}}, {{0, 0, 0, 0}}};
  stark_lookup lb = {rng_recv, 1, badch, 0};
  assert_int_equal(stark_prove_lookup(&air_range, &lb, &cfg, rt, 3, NULL, &p, NULL), STARK_ERR_ARG);
  free(vt);
  free(rt);
}

/* ---- serialisation ---- */

static void test_serialize_v2(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  cfg.fri.num_queries = 3;
  bb_t *vt, *rt;
  bus_traces(4, 3, -1, &vt, &rt);
  bus_run b;
  bus_prove(&cfg, &air_range, vt, 4, rt, 3, &b);
  uint8_t *buf;
  size_t len;
  assert_int_equal(stark_proof_serialize(&b.pr, &buf, &len), STARK_OK);
  assert_int_equal(len, stark_proof_size(&b.pr));
  assert_int_equal(buf[4], STARK_PROOF_VERSION_LOOKUP);
  stark_proof r;
  assert_int_equal(stark_proof_deserialize(buf, len, &r), STARK_OK);
  assert_int_equal(r.aux_width, b.pr.aux_width);
  uint8_t *buf2;
  size_t len2;
  assert_int_equal(stark_proof_serialize(&r, &buf2, &len2), STARK_OK);
  assert_int_equal(len2, len);
  assert_memory_equal(buf, buf2, len);
  free(buf2);
  expect_reject(&cfg, &b.lr, &r, STARK_OK);
  stark_proof_free(&r);

  for (size_t l = 0; l < len; l++) assert_int_equal(stark_proof_deserialize(buf, l, &r), STARK_ERR_FORMAT);
  uint8_t *m = malloc(len + 1);
  memcpy(m, buf, len);
  m[len] = 0;
  assert_int_equal(stark_proof_deserialize(m, len + 1, &r), STARK_ERR_FORMAT);
  for (size_t pos = 0; pos < len; pos++) {
    memcpy(m, buf, len);
    m[pos] ^= (uint8_t)(1u << ((pos * 3) % 8));
    if (stark_proof_deserialize(m, len, &r) == STARK_OK) {
      if (stark_verify_lookup(&air_range, &b.lr, &cfg.fri, NULL, &r, NULL) == STARK_OK)
        fail_msg("flip at byte %zu of %zu verified", pos, len);
      stark_proof_free(&r);
    }
  }
  /* version 2 with aux_width 0, with an aux width that is no 4(k+1), and
   * version 1 over version-2 bytes */
  static const uint32_t bad_aw[] = {0, 4, 9, 4 * (STARK_MAX_INTERACTIONS + 2)};
  size_t aw_off = 28; /* magic, version, the v1 header fields */
  for (size_t i = 0; i < sizeof bad_aw / sizeof bad_aw[0]; i++) {
    memcpy(m, buf, len);
    for (int k = 0; k < 4; k++) m[aw_off + (size_t)k] = (uint8_t)(bad_aw[i] >> (8 * k));
    assert_int_equal(stark_proof_deserialize(m, len, &r), STARK_ERR_FORMAT);
  }
  memcpy(m, buf, len);
  m[4] = STARK_PROOF_VERSION;
  assert_int_equal(stark_proof_deserialize(m, len, &r), STARK_ERR_FORMAT);
  /* a non-canonical cumulative sum coordinate (after header, aux_width, 3 roots) */
  memcpy(m, buf, len);
  size_t cs_off = 32 + 3 * 32;
  m[cs_off] = 0x01; m[cs_off + 1] = 0x00; m[cs_off + 2] = 0x00; m[cs_off + 3] = 0x78;
  assert_int_equal(stark_proof_deserialize(m, len, &r), STARK_ERR_FORMAT);
  free(m);
  free(buf);
  bus_free(&b);
  free(vt);
  free(rt);
}

/* ---- a permutation check inside one AIR: columns (a, b, one); a sent and b
 * received on bus 7 as the tuple (x, 2x + 3), multiplicity the column one
 * (constrained to 1); challenges from the shard's own transcript ---- */

enum { PERM_A = 0, PERM_B = 1, PERM_ONE = 2, PERM_WIDTH = 3 };

static void perm_eval_ext(const stark_air *a, stark_eval_ext *e) {
  (void)a;
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, ext_sub(e->local[PERM_ONE], ext_one())));
  stark_assert_zero_ext(e, ext_mul(e->is_transition, ext_sub(e->next[PERM_ONE], e->local[PERM_ONE])));
}
static const stark_air air_perm = {
    .name = "perm", .width = PERM_WIDTH, .num_constraints = 2, .max_degree = 2,
    .eval_ext = perm_eval_ext};

static const stark_lc_term perm_one[] = {{PERM_ONE, 1}};
static const stark_lc_term perm_a[] = {{PERM_A, 1}}, perm_a2[] = {{PERM_A, 2}};
static const stark_lc_term perm_b[] = {{PERM_B, 1}}, perm_b2[] = {{PERM_B, 2}};
static const stark_lc perm_fa[] = {{perm_a, 1, 0}, {perm_a2, 1, 3}};
static const stark_lc perm_fb[] = {{perm_b, 1, 0}, {perm_b2, 1, 3}};
static const stark_interaction perm_its[] = {
    {7, STARK_SEND, {perm_one, 1, 0}, perm_fa, 2},
    {7, STARK_RECEIVE, {perm_one, 1, 0}, perm_fb, 2}};
static const stark_lookup perm_lk = {perm_its, 2, NULL, 0};

/* perm with max_degree 3: two quotient chunks, so G = 2; and 5: four, G = 4 */
static const stark_air air_perm3 = {
    .name = "perm3", .width = PERM_WIDTH, .num_constraints = 2, .max_degree = 3,
    .eval_ext = perm_eval_ext};
static const stark_air air_perm5 = {
    .name = "perm5", .width = PERM_WIDTH, .num_constraints = 2, .max_degree = 5,
    .eval_ext = perm_eval_ext};

/* Proves and verifies a, b (n values each) with air (perm's constraints;
 * max_degree 2: one aux column per interaction, 3: both in one); returns
 * whether the sum is 0. */
static int perm_sum_zero(const stark_air *air, const stark_config *cfg, const uint32_t *a,
                         const uint32_t *b, unsigned log_n) {
  size_t n = (size_t)1 << log_n;
  bb_t *t = malloc(sizeof *t * n * PERM_WIDTH);
  for (size_t i = 0; i < n; i++) {
    t[i * PERM_WIDTH + PERM_A] = bb_from_u32(a[i]);
    t[i * PERM_WIDTH + PERM_B] = bb_from_u32(b[i]);
    t[i * PERM_WIDTH + PERM_ONE] = BB_ONE;
  }
  stark_proof p;
  assert_int_equal(stark_prove_lookup(air, &perm_lk, cfg, t, log_n, NULL, &p, NULL), STARK_OK);
  assert_int_equal(p.aux_width, air->max_degree <= 2 ? 12 : 8);
  ext_t sum;
  assert_int_equal(stark_verify_lookup(air, &perm_lk, &cfg->fri, NULL, &p, &sum), STARK_OK);
  stark_proof_free(&p);
  free(t);
  return ext_is_zero(sum);
}

static int same_multiset(const uint32_t *a, const uint32_t *b, size_t n, uint32_t vals) {
  for (uint32_t v = 0; v < vals; v++) {
    size_t ca = 0, cb = 0;
    for (size_t i = 0; i < n; i++) {
      ca += a[i] == v;
      cb += b[i] == v;
    }
    if (ca != cb) return 0;
  }
  return 1;
}

/* log_n = 1, 2: every b over 3 values against fixed a's: the sum is zero
 * exactly when b is a rearrangement of a (cases 1 and 3 with both
 * interactions in one aux column). */
static void test_permutation_exhaustive(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  cfg.fri.num_queries = 4;
  static const uint32_t as[][4] = {{0, 1}, {2, 2}, {0, 1, 1, 2}, {2, 0, 2, 0}};
  static const unsigned logs[] = {1, 1, 2, 2};
  for (size_t c = 0; c < 4; c++) {
    unsigned log_n = logs[c];
    size_t n = (size_t)1 << log_n, total = 1;
    for (size_t i = 0; i < n; i++) total *= 3;
    size_t zeros = 0;
    for (size_t code = 0; code < total; code++) {
      uint32_t b[4];
      size_t x = code;
      for (size_t i = 0; i < n; i++, x /= 3) b[i] = (uint32_t)(x % 3);
      int z = perm_sum_zero(c & 1 ? &air_perm3 : &air_perm, &cfg, as[c], b, log_n);
      int want = same_multiset(as[c], b, n, 3);
      if (z != want) fail_msg("case %zu, b code %zu: sum zero %d, same multiset %d", c, code, z, want);
      zeros += (size_t)z;
    }
    assert_true(zeros >= 1);
  }
}

/* log_n = 1..4 and larger: a random b = shuffled a sums to zero; one value
 * changed does not. */
static void test_permutation_sizes(void **state) {
  (void)state;
  static const unsigned logs[] = {1, 2, 3, 4, 6, 9};
  for (size_t c = 0; c < sizeof logs / sizeof logs[0]; c++) {
    stark_config cfg = test_cfg(c & 1 ? 2 : 1);
    size_t n = (size_t)1 << logs[c];
    uint32_t *a = malloc(sizeof *a * n), *b = malloc(sizeof *b * n);
    for (size_t i = 0; i < n; i++) a[i] = b[i] = rnd32() % BB_P;
    for (size_t i = n - 1; i > 0; i--) {
      size_t j = rnd32() % (i + 1);
      uint32_t tmp = b[i];
      b[i] = b[j];
      b[j] = tmp;
    }
    for (int d = 0; d < 2; d++) {
      const stark_air *air = d ? &air_perm3 : &air_perm;
      assert_true(perm_sum_zero(air, &cfg, a, b, logs[c]));
      size_t i = rnd32() % n;
      b[i] = (b[i] + 1) % BB_P;
      assert_false(perm_sum_zero(air, &cfg, a, b, logs[c]));
      b[i] = (b[i] + BB_P - 1) % BB_P;
    }
    free(a);
    free(b);
  }
}

/* The proof does not depend on the thread count: 2^13 rows split the aux
 * trace's batch inversions and the openings' blocks (4096 rows each) over
 * several ranges. */
static void test_threads_same_proof(void **state) {
  (void)state;
  unsigned log_n = 13;
  size_t n = (size_t)1 << log_n;
  bb_t *t = malloc(sizeof *t * n * PERM_WIDTH);
  for (size_t i = 0; i < n; i++) {
    t[i * PERM_WIDTH + PERM_A] = bb_from_u32((uint32_t)i);
    t[i * PERM_WIDTH + PERM_B] = bb_from_u32((uint32_t)(n - 1 - i));
    t[i * PERM_WIDTH + PERM_ONE] = BB_ONE;
  }
  uint8_t *buf[2];
  size_t len[2];
  for (int k = 0; k < 2; k++) {
    stark_config cfg = test_cfg(1);
    cfg.threads = k ? 4 : 1;
    stark_proof p;
    assert_int_equal(stark_prove_lookup(&air_perm, &perm_lk, &cfg, t, log_n, NULL, &p, NULL), STARK_OK);
    ext_t sum = ext_one();
    assert_int_equal(stark_verify_lookup(&air_perm, &perm_lk, &cfg.fri, NULL, &p, &sum), STARK_OK);
    assert_true(ext_is_zero(sum));
    assert_int_equal(stark_proof_serialize(&p, &buf[k], &len[k]), STARK_OK);
    stark_proof_free(&p);
  }
  assert_int_equal(len[0], len[1]);
  assert_memory_equal(buf[0], buf[1], len[0]);
  free(buf[0]);
  free(buf[1]);
  free(t);
}

/* ---- batching: interactions in groups of G per aux column ---- */

/* Three interactions on the perm table: perm's two, and a + b + 5 sent on bus 9
 * with multiplicity 3a + 1 (a multiplicity that varies with the row). */
static const stark_lc_term mix_ab[] = {{PERM_A, 1}, {PERM_B, 1}};
static const stark_lc_term mix_3a[] = {{PERM_A, 3}};
static const stark_lc mix_f3[] = {{mix_ab, 2, 5}};
static const stark_interaction mix_its[] = {
    {7, STARK_SEND, {perm_one, 1, 0}, perm_fa, 2},
    {7, STARK_RECEIVE, {perm_one, 1, 0}, perm_fb, 2},
    {9, STARK_SEND, {mix_3a, 1, 1}, mix_f3, 1}};

static bb_t *perm_trace(unsigned log_n) {
  size_t n = (size_t)1 << log_n;
  bb_t *t = malloc(sizeof *t * n * PERM_WIDTH);
  for (size_t i = 0; i < n; i++) {
    t[i * PERM_WIDTH + PERM_A] = bb_from_u32(rnd32() % BB_P);
    t[i * PERM_WIDTH + PERM_B] = bb_from_u32(rnd32() % BB_P);
    t[i * PERM_WIDTH + PERM_ONE] = BB_ONE;
  }
  return t;
}

static ext_t rnd_ext(void) {
  return ext_from_u32(rnd32() % BB_P, rnd32() % BB_P, rnd32() % BB_P, rnd32() % BB_P);
}

static ext_t cell(const bb_t *c) {
  ext_t e = {{c[0], c[1], c[2], c[3]}};
  return e;
}

/* sign m / (beta - fp) of one interaction on a row, computed here from the
 * definition (air.h) with one inversion. */
static ext_t term_ref(const stark_interaction *it, const bb_t *row, const ext_t ch[2]) {
  ext_t fp = ext_from_base(bb_from_u32(it->bus)), gp = ch[1];
  for (unsigned j = 0; j < it->num_fields; j++, gp = ext_mul(gp, ch[1])) {
    bb_t v = bb_from_u32(it->fields[j].constant);
    for (unsigned t = 0; t < it->fields[j].num_terms; t++)
      v = bb_add(v, bb_mul(bb_from_u32(it->fields[j].terms[t].coeff), row[it->fields[j].terms[t].col]));
    fp = ext_add(fp, ext_mul_base(gp, v));
  }
  bb_t m = bb_from_u32(it->multiplicity.constant);
  for (unsigned t = 0; t < it->multiplicity.num_terms; t++)
    m = bb_add(m, bb_mul(bb_from_u32(it->multiplicity.terms[t].coeff), row[it->multiplicity.terms[t].col]));
  ext_t h = ext_mul_base(ext_inv(ext_sub(ch[0], fp)), m);
  return it->direction == STARK_SEND ? h : ext_neg(h);
}

/* One frame of the lookup constraints at trace row r (next row wraps), with
 * 0/1 selectors; aux values as given (c + 1 each). Returns the index of the
 * first non-zero lookup constraint, -1 when all are zero; checks the count
 * and that the fold is zero exactly when every constraint is. */
static int frame(const stark_air *air, const stark_lookup *lk, const ext_t ch[2], const bb_t *t,
                 size_t n, size_t r, const ext_t *h, const ext_t *hn, ext_t cumsum) {
  ext_t loc[PERM_WIDTH], nxt[PERM_WIDTH];
  size_t rn = (r + 1) % n;
  for (unsigned j = 0; j < PERM_WIDTH; j++) {
    loc[j] = ext_from_base(t[r * PERM_WIDTH + j]);
    nxt[j] = ext_from_base(t[rn * PERM_WIDTH + j]);
  }
  stark_eval_ext e = {loc, nxt, NULL, r == 0 ? ext_one() : ext_zero(),
                      r == n - 1 ? ext_one() : ext_zero(), r == n - 1 ? ext_zero() : ext_one(),
                      rnd_ext(), ext_zero(), 0, -1};
  assert_int_equal(stark_lookup_eval(air, lk, ch, h, hn, cumsum, &e), STARK_OK);
  unsigned c = stark_lookup_aux_width(air, lk) / 4 - 1;
  assert_int_equal(e.count, c + 3);
  assert_int_equal(ext_is_zero(e.acc), e.first_nonzero < 0);
  return e.first_nonzero;
}

/* stark_lookup_eval on frames of a real aux trace: zero on honest frames
 * (first, middle, last rows); each kind of wrong value makes exactly the
 * constraint that guards it non-zero. For G = 1, 2, 4 and 3 interactions
 * (groups of 1+1+1, 2+1, 3). */
static void test_lookup_eval_frames(void **state) {
  (void)state;
  const stark_air *airs[3] = {&air_perm, &air_perm3, &air_perm5};
  const unsigned gs[3] = {1, 2, 4}, cols[3] = {3, 2, 1};
  const unsigned log_n = 4;
  const size_t n = (size_t)1 << log_n;
  for (int v = 0; v < 3; v++) {
    const stark_air *air = airs[v];
    stark_lookup lk = {mix_its, 3, NULL, 0};
    assert_int_equal(stark_lookup_group(air, &lk), gs[v]);
    unsigned aw = stark_lookup_aux_width(air, &lk), c = aw / 4 - 1;
    assert_int_equal(c, cols[v]);
    bb_t *t = perm_trace(log_n), *aux = malloc(sizeof *aux * n * aw);
    ext_t ch[2] = {rnd_ext(), rnd_ext()}, cumsum;
    assert_int_equal(stark_lookup_aux_trace(air, &lk, ch, t, log_n, 1, aux, &cumsum), STARK_OK);
    /* the aux trace against the definition: per group the sum of its terms */
    ext_t S = ext_zero();
    for (size_t r = 0; r < n; r++) {
      for (unsigned j = 0; j < c; j++) {
        ext_t want = ext_zero();
        for (unsigned i = j * gs[v]; i < 3 && i < (j + 1) * gs[v]; i++)
          want = ext_add(want, term_ref(&mix_its[i], t + r * PERM_WIDTH, ch));
        assert_true(ext_eq(cell(aux + r * aw + 4 * j), want));
        S = ext_add(S, want);
      }
      assert_true(ext_eq(cell(aux + r * aw + 4 * c), S));
    }
    assert_true(ext_eq(cumsum, S));

    static const size_t rows[3] = {0, 7, 15};
    for (int ri = 0; ri < 3; ri++) {
      size_t r = rows[ri], rn = (r + 1) % n;
      ext_t h[4], hn[4];
      for (unsigned j = 0; j <= c; j++) {
        h[j] = cell(aux + r * aw + 4 * j);
        hn[j] = cell(aux + rn * aw + 4 * j);
      }
      assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, cumsum), -1);
      /* a wrong claimed cumulative sum: caught on the last row only */
      ext_t bad = ext_add(cumsum, ext_one());
      assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, bad), r == n - 1 ? (int)c + 2 : -1);
      /* a running sum that does not start at row 0's h: first-row constraint */
      ext_t keep = h[c];
      h[c] = ext_add(keep, ext_one());
      int want = r == 0 ? (int)c : r == n - 1 ? (int)c + 2 : (int)c + 1;
      assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, cumsum), want);
      h[c] = keep;
      /* a wrong step of the running sum (next S): transition constraint */
      keep = hn[c];
      hn[c] = ext_add(keep, ext_one());
      assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, cumsum), r == n - 1 ? -1 : (int)c + 1);
      hn[c] = keep;
      /* an h_j that is not its group's sum of terms: group j's constraint */
      for (unsigned j = 0; j < c; j++) {
        keep = h[j];
        h[j] = ext_add(keep, ext_one());
        assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, cumsum), (int)j);
        h[j] = keep;
      }
      /* the main row changed under the same h: the denominators and the
       * multiplicity no longer match (column b only in interaction 1,
       * column a in 0 and 2) */
      bb_t *row = t + r * PERM_WIDTH;
      bb_t kb = row[PERM_B];
      row[PERM_B] = bb_add(kb, BB_ONE);
      assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, cumsum), (int)(1 / gs[v]));
      row[PERM_B] = kb;
      bb_t ka = row[PERM_A];
      row[PERM_A] = bb_add(ka, BB_ONE);
      assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, cumsum), 0);
      row[PERM_A] = ka;
      assert_int_equal(frame(air, &lk, ch, t, n, r, h, hn, cumsum), -1);
    }
    /* arguments */
    stark_eval_ext e = {NULL, NULL, NULL, ext_zero(), ext_zero(), ext_zero(), ext_one(), ext_zero(), 0, -1};
    ext_t hz[4] = {ext_zero(), ext_zero(), ext_zero(), ext_zero()};
    assert_int_equal(stark_lookup_eval(air, &lk, ch, hz, hz, cumsum, &e), STARK_ERR_ARG);
    stark_lookup none = {NULL, 0, NULL, 0};
    assert_int_equal(stark_lookup_eval(air, &none, ch, NULL, NULL, cumsum, &e), STARK_OK);
    assert_int_equal(e.count, 0);
    assert_int_equal(stark_lookup_aux_trace(air, &none, ch, t, log_n, 1, aux, &cumsum), STARK_ERR_ARG);
    free(t);
    free(aux);
  }
}

/* G from max_degree (quotient chunks), capped by max_group and
 * STARK_MAX_LOOKUP_GROUP; the aux widths it gives. */
static void test_group_rule(void **state) {
  (void)state;
  static const unsigned deg[] = {1, 2, 3, 4, 5, 6, 9, 17, 18, 40};
  static const unsigned want[] = {1, 1, 2, 4, 4, 8, 8, 16, 16, 16};
  for (size_t i = 0; i < sizeof deg / sizeof deg[0]; i++) {
    stark_air a = air_perm;
    a.max_degree = deg[i];
    assert_int_equal(stark_lookup_group(&a, NULL), want[i]);
    /* constraint degree G + 1 fits the quotient: G + 1 - 1 <= qc */
    assert_true(want[i] <= stark_air_quotient_chunks(&a));
    for (unsigned cap = 1; cap <= 20; cap++) {
      stark_lookup lk = {mix_its, 3, NULL, cap};
      unsigned g = stark_lookup_group(&a, &lk);
      assert_int_equal(g, cap < want[i] ? cap : want[i]);
      assert_int_equal(stark_lookup_aux_width(&a, &lk), 4 * ((3 + g - 1) / g + 1));
    }
    stark_lookup none = {NULL, 0, NULL, 0};
    assert_int_equal(stark_lookup_aux_width(&a, &none), 0);
    assert_int_equal(stark_lookup_aux_width(&a, NULL), 0);
  }
  assert_int_equal(STARK_AUX_WIDTH(48, 1), 196);
  assert_int_equal(STARK_AUX_WIDTH(48, 2), 100);
  assert_int_equal(STARK_AUX_WIDTH(47, 2), 100);
  assert_int_equal(STARK_AUX_WIDTH(1, 16), 8);
  assert_int_equal(STARK_AUX_WIDTH(0, 2), 0);
}

/* Proofs with batched columns verify, keep the AIR's quotient chunks, and
 * give the cumulative sum of one column per interaction (same challenges);
 * G is bound: a proof made with another G does not verify. */
static void test_batched_proofs(void **state) {
  (void)state;
  const stark_air *airs[3] = {&air_perm, &air_perm3, &air_perm5};
  const unsigned lbs[3] = {1, 1, 2};
  for (int v = 0; v < 3; v++)
    for (unsigned log_n = 1; log_n <= 6; log_n += 5) {
      const stark_air *air = airs[v];
      stark_config cfg = test_cfg(lbs[v]);
      bb_t *t = perm_trace(log_n);
      ext_t ch[2] = {rnd_ext(), rnd_ext()}, sum[2];
      stark_proof p[2];
      for (int one = 0; one < 2; one++) {
        stark_lookup lk = {mix_its, 3, ch, one ? 1u : 0u};
        assert_int_equal(stark_prove_lookup(air, &lk, &cfg, t, log_n, NULL, &p[one], NULL), STARK_OK);
        assert_int_equal(p[one].qc, stark_air_quotient_chunks(air));
        assert_int_equal(p[one].aux_width, one ? 16u : stark_lookup_aux_width(air, &lk));
        assert_int_equal(stark_verify_lookup(air, &lk, &cfg.fri, NULL, &p[one], &sum[one]), STARK_OK);
        assert_int_equal(stark_proof_size(&p[one]), stark_proof_size_for_lookup(air, &lk, &cfg.fri, log_n));
      }
      assert_true(ext_eq(sum[0], sum[1]));
      if (v) { /* different widths: refused as a shape mismatch */
        stark_lookup l0 = {mix_its, 3, ch, 0}, l1 = {mix_its, 3, ch, 1};
        assert_int_equal(stark_verify_lookup(air, &l1, &cfg.fri, NULL, &p[0], NULL), STARK_ERR_ARG);
        assert_int_equal(stark_verify_lookup(air, &l0, &cfg.fri, NULL, &p[1], NULL), STARK_ERR_ARG);
      }
      stark_proof_free(&p[0]);
      stark_proof_free(&p[1]);
      free(t);
    }
  /* one interaction: the same aux width for any G, so only the transcript
   * tells G = 2 from G = 1 */
  stark_config cfg = test_cfg(1);
  bb_t *vt, *rt;
  bus_traces(4, 3, -1, &vt, &rt);
  stark_lookup l0 = {rng_recv, 1, NULL, 0}, l1 = {rng_recv, 1, NULL, 1};
  stark_proof p;
  assert_int_equal(stark_prove_lookup(&air_range3, &l0, &cfg, rt, 3, NULL, &p, NULL), STARK_OK);
  assert_int_equal(p.aux_width, 8);
  assert_int_equal(stark_verify_lookup(&air_range3, &l0, &cfg.fri, NULL, &p, NULL), STARK_OK);
  assert_int_equal(stark_verify_lookup(&air_range3, &l1, &cfg.fri, NULL, &p, NULL), STARK_ERR_VERIFY);
  stark_proof_free(&p);
  free(vt);
  free(rt);
}

/* ---- predicted size and work ---- */

static void test_size_and_work(void **state) {
  (void)state;
  static const unsigned lbs[] = {1, 2};
  for (size_t i = 0; i < 2; i++)
    for (unsigned log_n = 1; log_n <= 7; log_n += 3) {
      stark_config cfg = test_cfg(lbs[i]);
      bb_t *vt, *rt;
      bus_traces(log_n, log_n, -1, &vt, &rt);
      stark_lookup lk = {rng_recv, 1, NULL, 0};
      stark_proof p;
      assert_int_equal(stark_prove_lookup(&air_range, &lk, &cfg, rt, log_n, NULL, &p, NULL), STARK_OK);
      size_t want = stark_proof_size_for_lookup(&air_range, &lk, &cfg.fri, log_n);
      assert_int_equal(want, stark_proof_size(&p));
      uint8_t *buf;
      size_t len;
      assert_int_equal(stark_proof_serialize(&p, &buf, &len), STARK_OK);
      assert_int_equal(len, want);
      free(buf);
      stark_work w0, w1;
      assert_int_equal(stark_estimate_work(&air_range, &cfg.fri, log_n, &w0), STARK_OK);
      assert_int_equal(stark_estimate_work_lookup(&air_range, &lk, &cfg.fri, log_n, &w1), STARK_OK);
      uint64_t N = (uint64_t)1 << (log_n + lbs[i]);
      assert_int_equal(w1.proof_bytes, want);
      assert_int_equal(w1.lde_cells, w0.lde_cells + N * 8);
      assert_int_equal(w1.merkle_leaves, w0.merkle_leaves + N);
      assert_true(w1.p2_permutations > w0.p2_permutations && w1.ntt_butterflies > w0.ntt_butterflies);
      assert_int_equal(w1.constraint_evals, w0.constraint_evals);
      /* three interactions two per column (perm3: G = 2, 12 aux columns) */
      stark_lookup lm = {mix_its, 3, NULL, 0};
      bb_t *pt = perm_trace(log_n);
      stark_proof pm;
      assert_int_equal(stark_prove_lookup(&air_perm3, &lm, &cfg, pt, log_n, NULL, &pm, NULL), STARK_OK);
      assert_int_equal(pm.aux_width, 12);
      assert_int_equal(stark_proof_size_for_lookup(&air_perm3, &lm, &cfg.fri, log_n), stark_proof_size(&pm));
      assert_int_equal(stark_estimate_work(&air_perm3, &cfg.fri, log_n, &w0), STARK_OK);
      assert_int_equal(stark_estimate_work_lookup(&air_perm3, &lm, &cfg.fri, log_n, &w1), STARK_OK);
      assert_int_equal(w1.proof_bytes, stark_proof_size(&pm));
      assert_int_equal(w1.lde_cells, w0.lde_cells + N * 12);
      assert_int_equal(w1.merkle_leaves, w0.merkle_leaves + N);
      assert_int_equal(w1.constraint_evals, w0.constraint_evals);
      stark_proof_free(&pm);
      free(pt);
      /* without interactions the lookup forms are the plain ones */
      stark_lookup none = {NULL, 0, NULL, 0};
      assert_int_equal(stark_proof_size_for_lookup(&air_range, &none, &cfg.fri, log_n),
                       stark_proof_size_for(&air_range, &cfg.fri, log_n));
      stark_proof_free(&p);
      free(vt);
      free(rt);
    }
}

/* ---- without interactions: the version-1 bytes of before ---- */

/* keccak256 of serialised proofs, taken from the prover as it was before the
 * lookup argument was added (same configurations and traces as below). */
static const char *const kat_fib64_lb1 = "28ce41ee955a4ac16028b15bc489f6d0c9d8707e1b4f85a0e8951da880154e65";
static const char *const kat_fib64_lb2 = "ab26df2f484ea729186b7e542fc23719e17edb8baa52149ec0310a17e6473338";
static const char *const kat_add256_16 = "a9a8b6930a0ae9a9163a9340a9242d7a1aba3e6a43693dff3b6814f3d9448e17";

static void check_digest(const stark_air *air, const stark_lookup *lk, const bb_t *t,
                         unsigned log_n, const bb_t *pub, unsigned lb, size_t want_len,
                         const char *want_hex) {
  stark_config cfg = test_cfg(lb);
  stark_proof p;
  assert_int_equal(stark_prove_lookup(air, lk, &cfg, t, log_n, pub, &p, NULL), STARK_OK);
  assert_int_equal(p.aux_width, 0);
  uint8_t *buf;
  size_t len;
  assert_int_equal(stark_proof_serialize(&p, &buf, &len), STARK_OK);
  assert_int_equal(len, want_len);
  assert_int_equal(buf[4], STARK_PROOF_VERSION);
  uint8_t h[32];
  char hex[65];
  keccak256(buf, len, h);
  for (int i = 0; i < 32; i++) {
    static const char d[] = "0123456789abcdef";
    hex[2 * i] = d[h[i] >> 4];
    hex[2 * i + 1] = d[h[i] & 15];
  }
  hex[64] = 0;
  assert_string_equal(hex, want_hex);
  ext_t sum = ext_one();
  assert_int_equal(stark_verify_lookup(air, lk, &cfg.fri, pub, &p, &sum), STARK_OK);
  assert_true(ext_is_zero(sum));
  free(buf);
  stark_proof_free(&p);
}

static void test_no_interactions_unchanged(void **state) {
  (void)state;
  bb_t tr[2 * 64];
  uint32_t res;
  stark_fib_trace(tr, 64, 1, 1, &res);
  bb_t pub[3] = {bb_from_u32(1), bb_from_u32(1), bb_from_u32(res)};
  stark_lookup none = {NULL, 0, NULL, 0};
  check_digest(&stark_air_fib, NULL, tr, 6, pub, 1, 14528, kat_fib64_lb1);
  check_digest(&stark_air_fib, &none, tr, 6, pub, 1, 14528, kat_fib64_lb1);
  check_digest(&stark_air_fib, NULL, tr, 6, pub, 2, 16832, kat_fib64_lb2);
  bb_t *t2 = calloc(16 * STARK_ADD256_WIDTH, sizeof *t2);
  uint16_t a[16], b[16];
  for (int r = 0; r < 16; r++) {
    for (int i = 0; i < 16; i++) {
      a[i] = (uint16_t)(r * 977 + i * 31337);
      b[i] = (uint16_t)(r * 7919 + i * 65521u);
    }
    stark_add256_row(t2 + r * STARK_ADD256_WIDTH, a, b);
  }
  check_digest(&stark_air_add256, NULL, t2, 4, NULL, 1, 12896, kat_add256_16);
  free(t2);
}

/* ---- the CUDA backend gives the same bytes: on the CPU emulation of the
 * kernels always, on a device when there is one; for an AIR with a quotient
 * kernel (Fibonacci, whose kernel must then stay unused) and one without ---- */

static const stark_lc_term fib_a[] = {{0, 1}}, fib_b[] = {{1, 1}};
static const stark_lc fib_fa[] = {{fib_a, 1, 0}}, fib_fb[] = {{fib_b, 1, 0}};
static const stark_interaction fib_its[] = {
    {3, STARK_SEND, {NULL, 0, 1}, fib_fa, 1}, {3, STARK_RECEIVE, {fib_a, 1, 2}, fib_fb, 1}};

static void cuda_case(const stark_air *air, const stark_lookup *lk, const bb_t *t, unsigned log_n,
                      const bb_t *pub, int emulate) {
  stark_config cfg = test_cfg(1);
  stark_proof pc, pg;
  assert_int_equal(stark_prove_lookup(air, lk, &cfg, t, log_n, pub, &pc, NULL), STARK_OK);
  cfg.backend = STARK_BACKEND_CUDA;
  stark_timings tm;
  int prev = cu_set_emulation(emulate);
  int rc = stark_prove_lookup(air, lk, &cfg, t, log_n, pub, &pg, &tm);
  cu_set_emulation(prev);
  if (rc == STARK_ERR_DEVICE && !emulate) {
    stark_proof_free(&pc);
    return; /* no device */
  }
  assert_int_equal(rc, STARK_OK);
  /* the AIR's kernel, when it has one, and the lookup's constraints on the device */
  assert_int_equal(tm.quotient_device, cu_air_kernel(air->name, air->width, air->num_public, air->num_constraints) != 0);
  assert_same_proof_bytes(&pc, &pg);
  assert_int_equal(stark_verify_lookup(air, lk, &cfg.fri, pub, &pg, NULL), STARK_OK);
  stark_proof_free(&pc);
  stark_proof_free(&pg);
}

static void test_cuda_same_bytes(void **state) {
  (void)state;
  bb_t *vt, *rt;
  bus_traces(5, 4, -1, &vt, &rt);
  stark_lookup lv = {val_send, 1, NULL, 0};
  bb_t ft[2 * 16];
  uint32_t res;
  stark_fib_trace(ft, 16, 1, 2, &res);
  bb_t pub[3] = {bb_from_u32(1), bb_from_u32(2), bb_from_u32(res)};
  stark_lookup lf = {fib_its, 2, NULL, 0};
  stark_lookup lm = {mix_its, 3, NULL, 0}; /* on perm3: two interactions per column */
  bb_t *pt = perm_trace(4);
  /* 2^13 rows: the aux trace's running sum over 4096 chunks of 2 rows */
  bb_t *vt13, *rt13;
  bus_traces(13, 4, -1, &vt13, &rt13);
  for (int emulate = 1; emulate >= 0; emulate--) {
    cuda_case(&air_values, &lv, vt, 5, NULL, emulate);
    cuda_case(&stark_air_fib, &lf, ft, 4, pub, emulate);
    cuda_case(&air_perm3, &lm, pt, 4, NULL, emulate);
    cuda_case(&air_values, &lv, vt13, 13, NULL, emulate);
  }
  /* challenges for which row 3's fingerprint is beta: both backends refuse */
  ext_t gamma = {{bb_from_u32(5), bb_from_u32(6), bb_from_u32(7), bb_from_u32(8)}};
  ext_t ch[2] = {ext_add(ext_from_base(bb_from_u32(1)), ext_mul_base(gamma, vt[3 * VAL_WIDTH + VAL_V])), gamma};
  stark_lookup lz = {val_send, 1, ch, 0};
  stark_config cfg = test_cfg(1);
  stark_proof p;
  assert_int_equal(stark_prove_lookup(&air_values, &lz, &cfg, vt, 5, NULL, &p, NULL), STARK_ERR_INTERNAL);
  cfg.backend = STARK_BACKEND_CUDA;
  int prev = cu_set_emulation(1);
  assert_int_equal(stark_prove_lookup(&air_values, &lz, &cfg, vt, 5, NULL, &p, NULL), STARK_ERR_INTERNAL);
  cu_set_emulation(prev);
  free(vt13);
  free(rt13);
  free(pt);
  free(vt);
  free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_interactions_unchanged),
      cmocka_unit_test(test_bus_cancels),
      cmocka_unit_test(test_bus_out_of_range),
      cmocka_unit_test(test_public_table),
      cmocka_unit_test(test_challenges_pub),
      cmocka_unit_test(test_kept_commitment),
      cmocka_unit_test(test_tamper),
      cmocka_unit_test(test_bad_interactions),
      cmocka_unit_test(test_serialize_v2),
      cmocka_unit_test(test_size_and_work),
      cmocka_unit_test(test_permutation_exhaustive),
      cmocka_unit_test(test_permutation_sizes),
      cmocka_unit_test(test_threads_same_proof),
      cmocka_unit_test(test_lookup_eval_frames),
      cmocka_unit_test(test_group_rule),
      cmocka_unit_test(test_batched_proofs),
      cmocka_unit_test(test_cuda_same_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
