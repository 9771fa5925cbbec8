/* stark: the prover and the verifier (protocol in stark.h).
 *
 * Workload and memory at n rows, width w, blowup B, qc quotient chunks:
 *   trace LDE      N x w base elements (N = nB), kept until the queries;
 *   quotient       n qc ext values, then an N x 4qc base matrix;
 *   openings       2n ext scratch (barycentric weights on H);
 *   DEEP quotient  N ext values handed to FRI (which copies them once).
 * The constraint evaluation and the DEEP combination are the two O(N) loops
 * written here; both are split over `threads` pthreads by row ranges (the
 * result does not depend on the split). NTTs and Merkle trees are threaded by
 * their own modules.
 *
 * CUDA backend (stark.h): the same steps in the same order. Everything O(N)
 * happens on the device: the trace is uploaded once
 * and kept beside its LDE (the openings at zeta are made from it,
 * cu_open_dev), the quotient is evaluated there (AIRs with a kernel,
 * cu_air_kernel; for the others on the host from a downloaded LDE, then
 * uploaded), its chunk matrix is built and extended there
 * (cu_quotient_lde_dev), both trees keep their layers there and read the
 * device matrices when the queries are gathered (cu_merkle_tree_open_many),
 * and the DEEP quotient is computed there and handed to FRI on the device
 * (cu_deep_dev, fri_prove_dev). What comes back: Q's coefficients (the
 * openings at zeta of the quotient, n qc ext values), roots, opened rows and
 * paths. Peak device memory: the trace (n x w) and its LDE (N x w) with its
 * tree, the quotient LDE (N x 4qc) with its tree, the DEEP quotient and the
 * FRI layers with theirs (4N and about 4N words).
 *
 * Lookup argument (stark.h): the aux trace (n x aw base elements,
 * aw = 4(ceil(k/G)+1)) is built from 2 n k ext scratch values on the host
 * (one batch inversion per row range) or on the device (cu_lookup_aux_dev,
 * one inversion per group), LDE'd to N x aw, committed and kept until the
 * queries like the trace LDE; on the device the lookup's constraints are
 * added to the AIR kernel's quotient (cu_quotient_lookup_dev). The proof
 * bytes do not depend on the backend. The main trace's LDE and commitment
 * (step 2) may come from the caller (stark_commit_main_keep), made before
 * the lookup challenges were known.
 */
#include "stark/stark.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cuda/cu.h"
#include "hash/poseidon2.h"
#include "ntt/ntt.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

stark_config stark_config_default(void) {
  stark_config c;
  c.fri = fri_params_for(1, 100);
  c.threads = 0;
  c.check_trace = 1;
  c.backend = STARK_BACKEND_CPU;
  return c;
}

void stark_proof_free(stark_proof *p) {
  if (!p) return;
  free(p->trace_zeta);
  free(p->trace_zeta_next);
  free(p->quotient_zeta);
  free(p->trace_rows);
  free(p->trace_paths);
  free(p->quotient_rows);
  free(p->quotient_paths);
  free(p->aux_zeta);
  free(p->aux_zeta_next);
  free(p->aux_rows);
  free(p->aux_paths);
  fri_proof_free(&p->fri);
  memset(p, 0, sizeof *p);
}

/* ---- a minimal parallel-for over row ranges ---- */

typedef stark_range_fn range_fn;
typedef struct {
  range_fn fn;
  void *ctx;
  size_t lo, hi;
} range_job;

static void *range_run(void *arg) {
  range_job *j = arg;
  j->fn(j->ctx, j->lo, j->hi);
  return NULL;
}

static int resolve_threads(int threads) {
  if (threads > 0) return threads;
  long c = sysconf(_SC_NPROCESSORS_ONLN);
  return c > 0 ? (int)(c > 256 ? 256 : c) : 1;
}

/* Runs fn over [0, n) in contiguous ranges of at least `grain` items; falls
 * back to the calling thread whenever a thread cannot be started, so it cannot
 * fail. */
void stark_par_for(size_t n, size_t grain, int threads, stark_range_fn fn, void *ctx) {
  int t = resolve_threads(threads);
  if ((size_t)t > n / grain) t = (int)(n / grain);
  if (t <= 1) {
    fn(ctx, 0, n);
    return;
  }
  range_job jobs[256];
  pthread_t tids[256];
  int started[256];
  size_t step = (n + (size_t)t - 1) / (size_t)t;
  for (int i = 0; i < t; i++) {
    size_t lo = (size_t)i * step, hi = lo + step < n ? lo + step : n;
    jobs[i] = (range_job){fn, ctx, lo < n ? lo : n, hi};
    started[i] = i > 0 && pthread_create(&tids[i], NULL, range_run, &jobs[i]) == 0;
  }
  for (int i = 0; i < t; i++)
    if (!started[i]) range_run(&jobs[i]);
  for (int i = 1; i < t; i++)
    if (started[i]) pthread_join(tids[i], NULL);
}

/* ---- the trace check on several threads ---- */

typedef struct {
  const stark_air *air;
  const bb_t *trace, *pub;
  size_t n;
  pthread_mutex_t mu;
  int rc;           /* of the first offending row found so far */
  size_t row;       /* that row (SIZE_MAX: none) */
  int constraint;
} check_ctx;

static void check_range(void *arg, size_t lo, size_t hi) {
  check_ctx *c = arg;
  size_t row = SIZE_MAX;
  int con = -1;
  int rc = stark_air_check_rows(c->air, c->trace, c->n, c->pub, lo, hi, &row, &con);
  if (rc == STARK_OK) return;
  if (rc == STARK_ERR_ARG || rc == STARK_ERR_NOMEM) row = lo; /* no row: report at the range's start */
  pthread_mutex_lock(&c->mu);
  if (row < c->row) {
    c->row = row;
    c->rc = rc;
    c->constraint = con;
  }
  pthread_mutex_unlock(&c->mu);
}

int stark_air_check_threads(const stark_air *air, const bb_t *trace, size_t n, const bb_t *pub, int threads,
                            size_t *bad_row, int *bad_constraint) {
  if (!air || !air->eval_ext || air->width == 0 || !trace || n < 2 || (n & (n - 1)))
    return STARK_ERR_ARG;
  if (air->num_public && !pub) return STARK_ERR_ARG;
  check_ctx c = {air, trace, pub, n, PTHREAD_MUTEX_INITIALIZER, STARK_OK, SIZE_MAX, -1};
  stark_par_for(n, 256, threads, check_range, &c);
  pthread_mutex_destroy(&c.mu);
  if (c.rc == STARK_ERR_CONSTRAINT) {
    if (bad_row) *bad_row = c.row;
    if (bad_constraint) *bad_constraint = c.constraint;
  }
  return c.rc;
}

/* ---- transcript shared by prover and verifier ---- */

static void transcript_begin(chal_state *ch, const stark_air *air, unsigned log_n, unsigned qc,
                             const fri_params *fp, const bb_t *pub) {
  chal_init(ch);
  chal_observe_label(ch, "pkb-stark-v1");
  chal_observe_label(ch, air->name ? air->name : "");
  uint32_t hdr[] = {log_n,         air->width,      qc,
                    air->num_public, fp->log_blowup, fp->num_queries,
                    fp->pow_bits,  fp->log_final_len, fri_log_arity(fp),
                    air->num_constraints, air->max_degree};
  for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) chal_observe(ch, bb_from_u32(hdr[i]));
  chal_observe_many(ch, pub, air->num_public);
}

static int air_ok(const stark_air *air) {
  return air && air->eval_ext && air->width >= 1 && air->num_constraints >= 1 &&
         air->max_degree >= 1;
}

/* Basis element X^k of the extension. */
static ext_t ext_basis(int k) {
  ext_t e = ext_zero();
  e.v[k] = BB_ONE;
  return e;
}

/* ---- lookup argument (LogUp; protocol in stark.h) ---- */

static unsigned lookup_count(const stark_lookup *lk) { return lk ? lk->num_interactions : 0; }

unsigned stark_lookup_group(const stark_air *air, const stark_lookup *lk) {
  unsigned g = stark_air_quotient_chunks(air);
  if (g > STARK_MAX_LOOKUP_GROUP) g = STARK_MAX_LOOKUP_GROUP;
  if (lk && lk->max_group && lk->max_group < g) g = lk->max_group;
  return g ? g : 1;
}

unsigned stark_lookup_aux_width(const stark_air *air, const stark_lookup *lk) {
  return STARK_AUX_WIDTH(lookup_count(lk), stark_lookup_group(air, lk));
}

static int lc_ok(const stark_lc *lc, size_t w) {
  if (lc->num_terms > STARK_MAX_LC_TERMS || (lc->num_terms && !lc->terms) || lc->constant >= BB_P)
    return 0;
  for (unsigned t = 0; t < lc->num_terms; t++)
    if (lc->terms[t].col >= w || lc->terms[t].coeff >= BB_P) return 0;
  return 1;
}

int stark_interactions_ok(const stark_interaction *it, unsigned k, size_t w) {
  if (k > STARK_MAX_INTERACTIONS || (k && !it)) return 0;
  for (unsigned i = 0; i < k; i++) {
    if (it[i].bus >= BB_P || (it[i].direction != STARK_SEND && it[i].direction != STARK_RECEIVE) ||
        it[i].num_fields < 1 || it[i].num_fields > STARK_MAX_LOOKUP_FIELDS || !it[i].fields ||
        !lc_ok(&it[i].multiplicity, w))
      return 0;
    for (unsigned j = 0; j < it[i].num_fields; j++)
      if (!lc_ok(&it[i].fields[j], w)) return 0;
  }
  return 1;
}

/* The interactions are well-formed for a table of width w (none is fine). */
static int lookup_ok(const stark_lookup *lk, unsigned w) {
  return stark_interactions_ok(lk ? lk->interactions : NULL, lookup_count(lk), w);
}

static int ext_canonical(ext_t a) {
  for (int k = 0; k < EXT_DEGREE; k++)
    if (a.v[k] >= BB_P) return 0;
  return 1;
}

static void observe_lc(chal_state *ch, const stark_lc *lc) {
  chal_observe(ch, bb_from_u32(lc->num_terms));
  for (unsigned t = 0; t < lc->num_terms; t++) {
    chal_observe(ch, bb_from_u32(lc->terms[t].col));
    chal_observe(ch, bb_from_u32(lc->terms[t].coeff));
  }
  chal_observe(ch, bb_from_u32(lc->constant));
}

/* The interactions are part of the statement: bind them before any commitment. */
static void transcript_lookup(chal_state *ch, const stark_air *air, const stark_lookup *lk) {
  chal_observe_label(ch, "pkb-logup-v2");
  chal_observe(ch, bb_from_u32(lk->num_interactions));
  chal_observe(ch, bb_from_u32(stark_lookup_group(air, lk)));
  for (unsigned i = 0; i < lk->num_interactions; i++) {
    const stark_interaction *it = &lk->interactions[i];
    chal_observe(ch, bb_from_u32(it->bus));
    chal_observe(ch, bb_from_u32(it->direction == STARK_SEND ? 1 : 2));
    observe_lc(ch, &it->multiplicity);
    chal_observe(ch, bb_from_u32(it->num_fields));
    for (unsigned j = 0; j < it->num_fields; j++) observe_lc(ch, &it->fields[j]);
  }
}

/* gpow[j] = gamma^(j+1) for the fingerprint's fields. */
static void gamma_powers(ext_t gamma, ext_t gpow[STARK_MAX_LOOKUP_FIELDS]) {
  gpow[0] = gamma;
  for (unsigned j = 1; j < STARK_MAX_LOOKUP_FIELDS; j++) gpow[j] = ext_mul(gpow[j - 1], gamma);
}

/* After the trace root: the caller's challenges (observed) or sampled ones,
 * into ch_out = (beta, gamma). */
static void transcript_challenges(chal_state *ch, const stark_lookup *lk, ext_t ch_out[2]) {
  if (lk->challenges) {
    chal_observe(ch, BB_ONE);
    chal_observe_ext(ch, lk->challenges[0]);
    chal_observe_ext(ch, lk->challenges[1]);
    ch_out[0] = lk->challenges[0];
    ch_out[1] = lk->challenges[1];
  } else {
    chal_observe(ch, 0);
    ch_out[0] = chal_sample_ext(ch);
    ch_out[1] = chal_sample_ext(ch);
  }
}

static bb_t lc_eval_base(const stark_lc *lc, const bb_t *row) {
  bb_t v = bb_from_u32(lc->constant);
  for (unsigned t = 0; t < lc->num_terms; t++)
    v = bb_add(v, bb_mul(bb_from_u32(lc->terms[t].coeff), row[lc->terms[t].col]));
  return v;
}

static ext_t lc_eval_ext(const stark_lc *lc, const ext_t *row) {
  ext_t v = ext_from_base(bb_from_u32(lc->constant));
  for (unsigned t = 0; t < lc->num_terms; t++)
    v = ext_add(v, ext_mul_base(row[lc->terms[t].col], bb_from_u32(lc->terms[t].coeff)));
  return v;
}

/* sign m and beta - fp of one interaction on a base-field row (prover). */
static void interaction_base(const stark_interaction *it, const bb_t *row, ext_t beta,
                             const ext_t *gpow, ext_t *sm, ext_t *den) {
  ext_t fp = ext_from_base(bb_from_u32(it->bus));
  for (unsigned j = 0; j < it->num_fields; j++)
    fp = ext_add(fp, ext_mul_base(gpow[j], lc_eval_base(&it->fields[j], row)));
  bb_t m = lc_eval_base(&it->multiplicity, row);
  *sm = ext_from_base(it->direction == STARK_SEND ? m : bb_sub(0, m));
  *den = ext_sub(beta, fp);
}

/* The same on an extension-field row (verifier, at zeta). */
static void interaction_ext(const stark_interaction *it, const ext_t *row, ext_t beta,
                            const ext_t *gpow, ext_t *sm, ext_t *den) {
  ext_t fp = ext_from_base(bb_from_u32(it->bus));
  for (unsigned j = 0; j < it->num_fields; j++)
    fp = ext_add(fp, ext_mul(gpow[j], lc_eval_ext(&it->fields[j], row)));
  ext_t m = lc_eval_ext(&it->multiplicity, row);
  *sm = it->direction == STARK_SEND ? m : ext_neg(m);
  *den = ext_sub(beta, fp);
}

/* An ext value from its 4 base coordinates (aux and quotient columns). */
static ext_t ext_load(const bb_t *c) {
  ext_t e = {{c[0], c[1], c[2], c[3]}};
  return e;
}

/* The c + 3 lookup constraints (stark.h), folded into e after whatever it
 * holds; the one body behind stark_lookup_eval (verifier) and the prover's
 * quotient. sm[i], den[i]: sign m_i and d_i = beta - fp_i on the local row;
 * h, hn: the c + 1 aux values (h_j then S) on the local and next rows;
 * interactions in groups of g. Group j's constraint
 *   h_j prod_i d_i - sum_i sm_i prod_{l != i} d_l
 * takes the products from prefix and suffix products (g = 1: h d - sm). */
static void lookup_constraints(unsigned k, unsigned g, const ext_t *sm, const ext_t *den,
                               const ext_t *h, const ext_t *hn, ext_t cumsum, stark_eval_ext *e) {
  unsigned c = (k + g - 1) / g;
  ext_t hs = ext_zero(), hns = ext_zero();
  for (unsigned j = 0; j < c; j++) {
    unsigned lo = j * g, sz = k - lo < g ? k - lo : g;
    /* pre[i] = prod_{l<i} d_l; suf = prod_{l>i} d_l while i runs down */
    ext_t pre[STARK_MAX_LOOKUP_GROUP + 1], suf = ext_one(), num = ext_zero();
    pre[0] = ext_one();
    for (unsigned i = 0; i < sz; i++) pre[i + 1] = i ? ext_mul(pre[i], den[lo + i]) : den[lo];
    for (unsigned i = sz; i-- > 0;) {
      if (sz == 1) {
        num = sm[lo];
        break;
      }
      ext_t others = i + 1 == sz ? pre[i] : i ? ext_mul(pre[i], suf) : suf;
      /* the prover's multiplicities are base-field values: a 4-product step */
      num = ext_add(num, ext_is_base(sm[lo + i]) ? ext_mul_base(others, sm[lo + i].v[0])
                                                 : ext_mul(sm[lo + i], others));
      if (i) suf = i + 1 == sz ? den[lo + i] : ext_mul(suf, den[lo + i]);
    }
    stark_assert_zero_ext(e, ext_sub(ext_mul(h[j], pre[sz]), num));
    hs = ext_add(hs, h[j]);
    hns = ext_add(hns, hn[j]);
  }
  ext_t S = h[c], Sn = hn[c];
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, ext_sub(S, hs)));
  stark_assert_zero_ext(e, ext_mul(e->is_transition, ext_sub(ext_sub(Sn, S), hns)));
  stark_assert_zero_ext(e, ext_mul(e->is_last_row, ext_sub(S, cumsum)));
}

int stark_lookup_eval(const stark_air *air, const stark_lookup *lk, const ext_t ch[2],
                      const ext_t *aux, const ext_t *aux_next, ext_t cumulative_sum,
                      stark_eval_ext *e) {
  if (!air_ok(air) || !e || !lookup_ok(lk, air->width)) return STARK_ERR_ARG;
  unsigned k = lookup_count(lk);
  if (!k) return STARK_OK;
  if (!ch || !aux || !aux_next || !e->local) return STARK_ERR_ARG;
  ext_t gpow[STARK_MAX_LOOKUP_FIELDS], sm[STARK_MAX_INTERACTIONS], den[STARK_MAX_INTERACTIONS];
  gamma_powers(ch[1], gpow);
  for (unsigned i = 0; i < k; i++)
    interaction_ext(&lk->interactions[i], e->local, ch[0], gpow, &sm[i], &den[i]);
  lookup_constraints(k, stark_lookup_group(air, lk), sm, den, aux, aux_next, cumulative_sum, e);
  return STARK_OK;
}

/* Aux trace on H (n x aw, row-major): h_j = sum over group j of
 * sign m_i / (beta - fp_i), then the running sum. Rows are cut in ranges,
 * each inverting its denominators in one batch; a zero denominator
 * (fp = beta) sets `zero`. */
typedef struct {
  const stark_interaction *it;
  unsigned k, g, w;
  const bb_t *trace;
  ext_t beta;
  const ext_t *gpow;
  ext_t *den, *sm; /* n k scratch each */
  bb_t *aux;
  atomic_int zero;
} aux_ctx;

static void aux_range(void *arg, size_t lo, size_t hi) {
  aux_ctx *c = arg;
  unsigned k = c->k, g = c->g, aw = STARK_AUX_WIDTH(k, g);
  for (size_t r = lo; r < hi; r++)
    for (unsigned i = 0; i < k; i++) {
      ext_t *d = &c->den[r * k + i];
      interaction_base(&c->it[i], c->trace + r * c->w, c->beta, c->gpow, &c->sm[r * k + i], d);
      if (ext_is_zero(*d)) atomic_store(&c->zero, 1);
    }
  fri_ext_batch_inv(c->den + lo * k, c->den + lo * k, (hi - lo) * k);
  for (size_t r = lo; r < hi; r++)
    for (unsigned i = 0; i < k; i += g) {
      ext_t h = ext_zero();
      for (unsigned l = i; l < k && l < i + g; l++)
        h = ext_add(h, ext_mul_base(c->den[r * k + l], c->sm[r * k + l].v[0])); /* sm base */
      memcpy(c->aux + r * aw + 4 * (i / g), h.v, sizeof h.v);
    }
}

/* Builds the aux trace into aux (n x aw) and its cumulative sum; lk valid
 * with k >= 1. */
static int aux_build(const stark_lookup *lk, unsigned g, const bb_t *trace, unsigned w, size_t n,
                     ext_t beta, const ext_t *gpow, int threads, bb_t *aux, ext_t *cumsum) {
  unsigned k = lk->num_interactions, aw = STARK_AUX_WIDTH(k, g), cols = aw / 4 - 1;
  ext_t *den = malloc(sizeof *den * n * k), *sm = malloc(sizeof *sm * n * k);
  if (!den || !sm) {
    free(den);
    free(sm);
    return STARK_ERR_NOMEM;
  }
  aux_ctx c = {lk->interactions, k, g, w, trace, beta, gpow, den, sm, aux, 0};
  stark_par_for(n, 1024, threads, aux_range, &c);
  free(den);
  free(sm);
  if (atomic_load(&c.zero)) return STARK_ERR_INTERNAL;
  ext_t S = ext_zero();
  for (size_t r = 0; r < n; r++) {
    for (unsigned j = 0; j < cols; j++) S = ext_add(S, ext_load(aux + r * aw + 4 * j));
    memcpy(aux + r * aw + 4 * cols, S.v, sizeof S.v);
  }
  *cumsum = S;
  return STARK_OK;
}

int stark_lookup_aux_trace(const stark_air *air, const stark_lookup *lk, const ext_t ch[2],
                           const bb_t *trace, unsigned log_n, int threads, bb_t *aux,
                           ext_t *cumulative_sum) {
  if (!air_ok(air) || !ch || !trace || !aux || !cumulative_sum || !lookup_count(lk) ||
      log_n < 1 || log_n > STARK_MAX_LOG_ROWS)
    return STARK_ERR_ARG;
  if (!lookup_ok(lk, air->width)) return STARK_ERR_AIR;
  ext_t gpow[STARK_MAX_LOOKUP_FIELDS];
  gamma_powers(ch[1], gpow);
  return aux_build(lk, stark_lookup_group(air, lk), trace, air->width, (size_t)1 << log_n, ch[0],
                   gpow, threads, aux, cumulative_sum);
}

/* ---- quotient: folded constraints / Z_H on s * <w_{n qc}> ---- */

typedef struct {
  const stark_air *air;
  const bb_t *lde, *pub;
  unsigned w, qc;
  size_t N, stride, next_off; /* LDE rows per quotient point; LDE rows per trace row */
  bb_t s, w_nq, ginv;
  const bb_t *zh, *zh_inv;    /* qc values each */
  const bb_t *inv_first, *inv_last;
  const ext_t *alpha_pows;
  ext_t alpha;
  bb_t *out;                  /* n qc rows of 4 */
  atomic_int bad;             /* 1: a callback folded the wrong number; 2: out of memory */
  /* lookup argument (k = 0: none) */
  unsigned k, g;              /* interactions, per aux column */
  const stark_interaction *it;
  const bb_t *alde;           /* N x aw aux LDE */
  ext_t beta, cumsum;
  const ext_t *gpow;
} quot_ctx;

static void quot_range(void *arg, size_t lo, size_t hi) {
  quot_ctx *c = arg;
  unsigned w = c->w, m = c->air->num_constraints;
  ext_t *lx = NULL, *nx = NULL;
  if (!c->air->eval_base) {
    lx = malloc(sizeof *lx * w * 2);
    if (!lx) {
      atomic_store(&c->bad, 2);
      return;
    }
    nx = lx + w;
  }
  bb_t x = bb_mul(c->s, bb_pow(c->w_nq, lo));
  for (size_t j = lo; j < hi; j++, x = bb_mul(x, c->w_nq)) {
    size_t r = j * c->stride;
    const bb_t *loc = c->lde + r * w, *nxt = c->lde + ((r + c->next_off) & (c->N - 1)) * w;
    bb_t zh = c->zh[j % c->qc];
    bb_t first = bb_mul(zh, c->inv_first[j]), last = bb_mul(zh, c->inv_last[j]);
    bb_t trans = bb_sub(x, c->ginv);
    ext_t acc;
    unsigned count;
    if (c->air->eval_base) {
      stark_eval_base e = {loc, nxt, c->pub, first, last, trans, c->alpha_pows, ext_zero(), 0, m, -1};
      c->air->eval_base(c->air, &e);
      acc = e.acc;
      count = e.count;
    } else {
      for (unsigned k = 0; k < w; k++) {
        lx[k] = ext_from_base(loc[k]);
        nx[k] = ext_from_base(nxt[k]);
      }
      stark_eval_ext e = {lx, nx, c->pub, ext_from_base(first), ext_from_base(last),
                          ext_from_base(trans), c->alpha, ext_zero(), 0, -1};
      c->air->eval_ext(c->air, &e);
      acc = e.acc;
      count = e.count;
    }
    if (count != m) atomic_store(&c->bad, 1);
    if (c->k) {
      unsigned k = c->k, aw = STARK_AUX_WIDTH(k, c->g);
      ext_t sm[STARK_MAX_INTERACTIONS], den[STARK_MAX_INTERACTIONS];
      ext_t h[STARK_MAX_INTERACTIONS + 1], hn[STARK_MAX_INTERACTIONS + 1];
      const bb_t *al = c->alde + r * aw, *an = c->alde + ((r + c->next_off) & (c->N - 1)) * aw;
      for (unsigned i = 0; i < k; i++) interaction_base(&c->it[i], loc, c->beta, c->gpow, &sm[i], &den[i]);
      for (unsigned i = 0; i < aw / 4; i++) {
        h[i] = ext_load(al + 4 * i);
        hn[i] = ext_load(an + 4 * i);
      }
      stark_eval_ext e = {NULL, NULL, c->pub, ext_from_base(first), ext_from_base(last),
                          ext_from_base(trans), c->alpha, acc, 0, -1};
      lookup_constraints(k, c->g, sm, den, h, hn, c->cumsum, &e);
      acc = e.acc;
    }
    ext_t q = ext_mul_base(acc, c->zh_inv[j % c->qc]);
    memcpy(c->out + 4 * j, q.v, sizeof q.v);
  }
  free(lx);
}

/* ---- DEEP quotient on the LDE domain ---- */

/* Per LDE point x (base field):
 *   F(x) = [(T + U - A)(x - zeta g) + (T' - B')(x - zeta)] / ((x - zeta)(x - zeta g))
 * with T = sum_{j<w} gamma^j t_j(x), U = sum_j gamma^(w+j) q_j(x),
 * T' = gamma^W T (coefficients premultiplied), A and B' = gamma^W B the same
 * sums over the opened values. The denominator is expanded as
 * x^2 - x (zeta + zeta g) + zeta zeta g so that it costs no extension product. */
typedef struct {
  const bb_t *lde, *qmat, *amat; /* amat: the aux LDE (aw = 0: none) */
  unsigned w, qw, aw;
  bb_t s, w_N;
  ext_t zeta, zeta_next, A, Bv; /* Bv = gamma^W sum_j gamma^j t_j(zeta g) */
  ext_t zsum, zprod;            /* zeta + zeta g, zeta * zeta g */
  const ext_t *gp;              /* gamma^0 .. gamma^(W-1), W = w + qw + aw */
  const ext_t *gpw;             /* gamma^W gamma^j, j < w + aw */
  ext_t *out;
} deep_ctx;

static ext_t deep_row(const deep_ctx *c, const bb_t *trow, const bb_t *qrow, const bb_t *arow,
                      bb_t x, ext_t inv_den) {
  ext_t T = ext_zero(), T2 = ext_zero(), U = ext_zero();
  for (unsigned j = 0; j < c->w; j++) {
    T = ext_add(T, ext_mul_base(c->gp[j], trow[j]));
    T2 = ext_add(T2, ext_mul_base(c->gpw[j], trow[j]));
  }
  for (unsigned j = 0; j < c->qw; j++) U = ext_add(U, ext_mul_base(c->gp[c->w + j], qrow[j]));
  for (unsigned j = 0; j < c->aw; j++) {
    U = ext_add(U, ext_mul_base(c->gp[c->w + c->qw + j], arow[j]));
    T2 = ext_add(T2, ext_mul_base(c->gpw[c->w + j], arow[j]));
  }
  ext_t xe = ext_from_base(x);
  ext_t a = ext_mul(ext_sub(ext_add(T, U), c->A), ext_sub(xe, c->zeta_next));
  ext_t b = ext_mul(ext_sub(T2, c->Bv), ext_sub(xe, c->zeta));
  return ext_mul(ext_add(a, b), inv_den);
}

static ext_t deep_den(const deep_ctx *c, bb_t x) {
  return ext_add_base(ext_sub(c->zprod, ext_mul_base(c->zsum, x)), bb_square(x));
}

/* gp must hold 2(w + aw) + qw elements: gamma^0..gamma^(W-1), then
 * gamma^W gamma^j (j < w + aw). az, azn: the aux openings (aw = 0: unused). */
static deep_ctx deep_setup(unsigned w, unsigned qw, unsigned aw, bb_t s, unsigned log_N, ext_t zeta,
                           ext_t zeta_next, ext_t gamma, const ext_t *tz, const ext_t *tzn,
                           const ext_t *qz, const ext_t *az, const ext_t *azn, ext_t *gp) {
  unsigned W = w + qw + aw;
  gp[0] = ext_one();
  for (unsigned j = 1; j < W; j++) gp[j] = ext_mul(gp[j - 1], gamma);
  ext_t gW = ext_mul(gp[W - 1], gamma);
  for (unsigned j = 0; j < w + aw; j++) gp[W + j] = ext_mul(gW, gp[j]);
  deep_ctx c;
  memset(&c, 0, sizeof c);
  c.w = w;
  c.qw = qw;
  c.aw = aw;
  c.s = s;
  c.w_N = bb_two_adic_generator(log_N);
  c.zeta = zeta;
  c.zeta_next = zeta_next;
  c.zsum = ext_add(zeta, zeta_next);
  c.zprod = ext_mul(zeta, zeta_next);
  c.gp = gp;
  c.gpw = gp + W;
  c.A = ext_zero();
  c.Bv = ext_zero();
  for (unsigned j = 0; j < w; j++) {
    c.A = ext_add(c.A, ext_mul(gp[j], tz[j]));
    c.Bv = ext_add(c.Bv, ext_mul(c.gpw[j], tzn[j]));
  }
  for (unsigned j = 0; j < qw; j++) c.A = ext_add(c.A, ext_mul(gp[w + j], qz[j]));
  for (unsigned j = 0; j < aw; j++) {
    c.A = ext_add(c.A, ext_mul(gp[w + qw + j], az[j]));
    c.Bv = ext_add(c.Bv, ext_mul(c.gpw[w + j], azn[j]));
  }
  return c;
}

static void deep_range(void *arg, size_t lo, size_t hi) {
  deep_ctx *c = arg;
  bb_t x0 = bb_mul(c->s, bb_pow(c->w_N, lo)), x = x0;
  for (size_t i = lo; i < hi; i++, x = bb_mul(x, c->w_N)) c->out[i] = deep_den(c, x);
  fri_ext_batch_inv(c->out + lo, c->out + lo, hi - lo);
  x = x0;
  for (size_t i = lo; i < hi; i++, x = bb_mul(x, c->w_N))
    c->out[i] = deep_row(c, c->lde + i * c->w, c->qmat + i * c->qw,
                         c->amat ? c->amat + i * c->aw : NULL, x, c->out[i]);
}

/* ---- openings at zeta and zeta g ----
 * Trace columns by the barycentric formula on H,
 *   f(z) = (z^n - 1)/n * sum_i f(g^i) g^i / (z - g^i),
 * quotient columns from their coefficients, sum_r c_r zeta^r. Rows are cut in
 * blocks with one partial sum each (field sums are exact, so the split does
 * not change the result). */

#define OPEN_BLOCK 4096

typedef struct {
  const bb_t *trace, *qv; /* n x w evaluations; n qc x 4 coefficients */
  unsigned w, qc;
  size_t n;
  bb_t g;
  ext_t zeta, zeta_next;
  ext_t *part;            /* per block: w (zeta), w (zeta g), 4qc (quotient) */
  atomic_int nomem;
  int skip_trace;         /* the trace sums come from elsewhere (cu_open_dev) */
} open_ctx;

static void open_range(void *arg, size_t blo, size_t bhi) {
  open_ctx *c = arg;
  unsigned w = c->w, qw = 4 * c->qc, stride = 2 * w + qw;
  ext_t *d = malloc(sizeof *d * 2 * OPEN_BLOCK);
  if (!d) {
    atomic_store(&c->nomem, 1);
    return;
  }
  for (size_t b = blo; b < bhi; b++) {
    size_t lo = b * OPEN_BLOCK, hi = lo + OPEN_BLOCK < c->n ? lo + OPEN_BLOCK : c->n, m = hi - lo;
    ext_t *d1 = d, *d2 = d + m, *acc = c->part + b * stride;
    bb_t h0 = bb_pow(c->g, lo), h = h0;
    for (size_t i = 0; i < m && !c->skip_trace; i++, h = bb_mul(h, c->g)) {
      d1[i] = ext_sub(c->zeta, ext_from_base(h));
      d2[i] = ext_sub(c->zeta_next, ext_from_base(h));
    }
    if (!c->skip_trace) fri_ext_batch_inv(d, d, 2 * m);
    h = h0;
    for (size_t i = 0; i < m && !c->skip_trace; i++, h = bb_mul(h, c->g)) {
      ext_t a = ext_mul_base(d1[i], h), e = ext_mul_base(d2[i], h);
      const bb_t *row = c->trace + (lo + i) * w;
      for (unsigned j = 0; j < w; j++) {
        acc[j] = ext_add(acc[j], ext_mul_base(a, row[j]));
        acc[w + j] = ext_add(acc[w + j], ext_mul_base(e, row[j]));
      }
    }
    ext_t pw = ext_pow(c->zeta, lo);
    for (size_t r = lo; r < hi; r++, pw = ext_mul(pw, c->zeta))
      for (unsigned i = 0; i < c->qc; i++)
        for (unsigned k = 0; k < 4; k++)
          acc[2 * w + 4 * i + k] =
              ext_add(acc[2 * w + 4 * i + k], ext_mul_base(pw, c->qv[(i * c->n + r) * 4 + k]));
  }
  free(d);
}

/* ---- the main trace's LDE and commitment (step 2), kept or not ---- */

/* What step 2 leaves: with the CPU backend the LDE and its tree; with CUDA
 * the trace and its LDE on the device (the openings and the aux trace read
 * the trace there), the device tree and, when asked, the LDE on the host. */
struct stark_main_commit {
  int cuda;
  unsigned log_n, log_blowup, width;
  bb_t *lde;
  merkle_tree *tree;
  bb_t *d_lde, *d_tr;
  cu_merkle_tree *ctree;
  merkle_digest root;
  double lde_ms, commit_ms;
};

void stark_main_commit_free(stark_main_commit *c) {
  if (!c) return;
  free(c->lde);
  merkle_free(c->tree);
  cu_free(c->d_lde);
  cu_free(c->d_tr);
  cu_merkle_tree_free(c->ctree);
  free(c);
}

size_t stark_main_commit_bytes(const stark_main_commit *c) {
  if (!c) return 0;
  size_t n = (size_t)1 << c->log_n, N = n << c->log_blowup;
  /* the LDE, the trace on the device, a tree of 2N - 1 digests */
  return (N + (c->cuda ? n : 0)) * c->width * sizeof(bb_t) + (2 * N - 1) * sizeof(merkle_digest);
}

/* Step 2 into *mc (zeroed first; freed by the caller, also after an error):
 * host_lde asks a CUDA commitment for the LDE on the host too. STARK_OK,
 * STARK_ERR_NOMEM, STARK_ERR_INTERNAL, STARK_ERR_DEVICE (*drc the call's). */
static int main_commit_make(const stark_config *cfg, const bb_t *trace, unsigned log_n, unsigned w, int host_lde,
                            stark_main_commit *mc, int *drc) {
  memset(mc, 0, sizeof *mc);
  unsigned lb = cfg->fri.log_blowup;
  size_t n = (size_t)1 << log_n, N = n << lb;
  bb_t s = bb_generator();
  mc->cuda = cfg->backend == STARK_BACKEND_CUDA;
  mc->log_n = log_n;
  mc->log_blowup = lb;
  mc->width = w;
  *drc = CU_OK;
  double t0 = now_ms();
  if ((!mc->cuda || host_lde) && !(mc->lde = malloc(sizeof *mc->lde * N * w))) return STARK_ERR_NOMEM;
  if (mc->cuda) {
    *drc = cu_malloc(&mc->d_lde, N * w);
    if (*drc == CU_OK) *drc = cu_malloc(&mc->d_tr, n * w);
    if (*drc == CU_OK) *drc = cu_upload(mc->d_tr, trace, n * w);
    if (*drc == CU_OK) *drc = cu_ntt_coset_lde_dev(mc->d_tr, log_n, w, lb, s, mc->d_lde, NTT_ORDER_NATURAL);
    if (*drc != CU_OK) return STARK_ERR_DEVICE;
  } else if (ntt_coset_lde(trace, log_n, w, lb, s, mc->lde, NTT_ORDER_NATURAL, cfg->threads) != NTT_OK) {
    return STARK_ERR_INTERNAL;
  }
  mc->lde_ms = now_ms() - t0;
  t0 = now_ms();
  if (mc->cuda) {
    merkle_matrix dm = {mc->d_lde, w, N};
    *drc = cu_merkle_tree_build_dev(&dm, 1, &mc->ctree);
    if (*drc == CU_OK && mc->lde) *drc = cu_download(mc->lde, mc->d_lde, N * w);
    if (*drc != CU_OK) return STARK_ERR_DEVICE;
    cu_merkle_tree_root(mc->ctree, &mc->root);
  } else {
    merkle_matrix mm = {mc->lde, w, N};
    if (merkle_build(&mm, 1, MERKLE_POSEIDON2, cfg->threads, &mc->tree) != MERKLE_OK) return STARK_ERR_INTERNAL;
    merkle_root(mc->tree, &mc->root);
  }
  mc->commit_ms = now_ms() - t0;
  return STARK_OK;
}

/* ---- prover ---- */

static int prove_impl(const stark_air *air, const stark_lookup *lk, const stark_config *cfg, const bb_t *trace,
                      unsigned log_n, const bb_t *pub, stark_main_commit *kept, stark_proof *proof,
                      stark_timings *t);

int stark_prove(const stark_air *air, const stark_config *cfg, const bb_t *trace, unsigned log_n,
                const bb_t *pub, stark_proof *proof, stark_timings *t) {
  return prove_impl(air, NULL, cfg, trace, log_n, pub, NULL, proof, t);
}

int stark_prove_lookup(const stark_air *air, const stark_lookup *lk, const stark_config *cfg,
                       const bb_t *trace, unsigned log_n, const bb_t *pub, stark_proof *proof,
                       stark_timings *t) {
  return prove_impl(air, lk, cfg, trace, log_n, pub, NULL, proof, t);
}

int stark_prove_lookup_kept(const stark_air *air, const stark_lookup *lk, const stark_config *cfg,
                            const bb_t *trace, unsigned log_n, const bb_t *pub, stark_main_commit *kept,
                            stark_proof *proof, stark_timings *t) {
  int rc = prove_impl(air, lk, cfg, trace, log_n, pub, kept, proof, t);
  stark_main_commit_free(kept);
  return rc;
}

/* stark_prove_lookup_kept's body. kept (NULL: step 2 is made here): the
 * fields it uses are moved out of it (the caller frees what is left). */
static int prove_impl(const stark_air *air, const stark_lookup *lk, const stark_config *cfg, const bb_t *trace,
                      unsigned log_n, const bb_t *pub, stark_main_commit *kept, stark_proof *proof,
                      stark_timings *t) {
  if (!air_ok(air) || !cfg || !trace || !proof || (air->num_public && !pub)) return STARK_ERR_ARG;
  if (kept && (kept->cuda != (cfg->backend == STARK_BACKEND_CUDA) || kept->log_n != log_n ||
               kept->log_blowup != cfg->fri.log_blowup || kept->width != air->width))
    return STARK_ERR_ARG;
  const unsigned k = lookup_count(lk), lgrp = stark_lookup_group(air, lk),
               aw = STARK_AUX_WIDTH(k, lgrp);
  if (!lookup_ok(lk, air->width)) return STARK_ERR_AIR;
  if (k && lk->challenges && (!ext_canonical(lk->challenges[0]) || !ext_canonical(lk->challenges[1])))
    return STARK_ERR_ARG;
  if (fri_params_check(&cfg->fri) != FRI_OK) return STARK_ERR_ARG;
  if (cfg->backend != STARK_BACKEND_CPU && cfg->backend != STARK_BACKEND_CUDA) return STARK_ERR_ARG;
  const int cuda = cfg->backend == STARK_BACKEND_CUDA;
  const fri_params *fp = &cfg->fri;
  unsigned lb = fp->log_blowup, w = air->width, qc = stark_air_quotient_chunks(air);
  unsigned log_N = log_n + lb;
  if (log_n < 1 || log_n > STARK_MAX_LOG_ROWS || log_N > BB_TWO_ADICITY) return STARK_ERR_ARG;
  if (qc > (1u << lb)) return STARK_ERR_ARG;
  memset(proof, 0, sizeof *proof);
  stark_timings tm;
  memset(&tm, 0, sizeof tm);
  double t_start = now_ms(), t0;
  int threads = cfg->threads;

  if (cfg->check_trace) {
    int rc = stark_air_check_threads(air, trace, (size_t)1 << log_n, pub, threads, NULL, NULL);
    if (rc != STARK_OK) return rc;
  }

  size_t n = (size_t)1 << log_n, N = (size_t)1 << log_N, B = (size_t)1 << lb;
  unsigned qw = 4 * qc, log_nq = log_n, Q = fp->num_queries;
  while ((1u << (log_nq - log_n)) < qc) log_nq++;
  size_t nq = (size_t)1 << log_nq;
  unsigned m = air->num_constraints;
  bb_t s = bb_generator();
  int rc = STARK_ERR_NOMEM;

  bb_t *lde = NULL, *qv = NULL, *qmat = NULL, *inv_first = NULL, *inv_last = NULL;
  bb_t *aux = NULL, *alde = NULL; /* lookup: aux trace on H and its LDE */
  merkle_tree *atree = NULL;
  ext_t lch[2] = {ext_zero(), ext_zero()}, gpow[STARK_MAX_LOOKUP_FIELDS]; /* (beta, gamma) */
  ext_t *alpha_pows = NULL, *scratch = NULL, *F = NULL, *gp = NULL;
  size_t *indices = NULL;
  merkle_tree *ttree = NULL, *qtree = NULL;
  cu_merkle_tree *cttree = NULL, *cqtree = NULL; /* CUDA backend */
  /* CUDA: the trace LDE, the quotient's evaluations, the quotient matrix's
   * LDE and the DEEP quotient, in device memory; the trees open from
   * d_lde and d_qlde, which therefore live until the queries are answered */
  bb_t *d_lde = NULL, *d_q = NULL, *d_qlde = NULL, *d_F = NULL;
  bb_t *d_tr = NULL; /* CUDA: the trace, for the openings at zeta and the aux trace */
  /* CUDA with a lookup argument: the aux trace and its LDE, kept like the
   * trace's; its tree on the device */
  bb_t *d_aux = NULL, *d_alde = NULL;
  cu_merkle_tree *catree = NULL;
  /* CUDA: the AIR's quotient kernel (cuda/cu.h), 0 = constraints on the host;
   * a lookup's constraints are added by cu_quotient_lookup_dev */
  int kid = cuda ? cu_air_kernel(air->name, w, air->num_public, air->num_constraints) : 0;
  /* CUDA: the openings and the DEEP quotient on the device too; with a
   * kernel the host then never holds an LDE */
  const int host_lde = !cuda || !kid, host_qmat = !cuda;
  int drc = CU_OK; /* CUDA: the failing call's code */
  chal_state ch;
  transcript_begin(&ch, air, log_n, qc, fp, pub);
  if (k) transcript_lookup(&ch, air, lk);

  proof->log_n = log_n;
  proof->log_blowup = lb;
  proof->width = w;
  proof->qc = qc;
  proof->num_queries = Q;

  /* 2. trace LDE and commitment: made here, or taken from the caller's
   * (then its LDE is fetched to the host only if a quotient here needs it) */
  {
    stark_main_commit made, *mc = kept ? kept : &made;
    int crc = STARK_OK;
    if (!kept) {
      crc = main_commit_make(cfg, trace, log_n, w, host_lde, &made, &drc);
    } else if (host_lde && !kept->lde) {
      t0 = now_ms();
      if (!(kept->lde = malloc(sizeof *lde * N * w))) {
        crc = STARK_ERR_NOMEM;
      } else if ((drc = cu_download(kept->lde, kept->d_lde, N * w)) != CU_OK) {
        crc = STARK_ERR_DEVICE;
      }
      kept->lde_ms = now_ms() - t0;
      kept->commit_ms = 0;
    } else {
      kept->lde_ms = kept->commit_ms = 0; /* timed by the caller when it was made */
    }
    /* this prover's own from here (freed at out) */
    lde = mc->lde;
    ttree = mc->tree;
    d_lde = mc->d_lde;
    d_tr = mc->d_tr;
    cttree = mc->ctree;
    proof->trace_root = mc->root;
    tm.lde_ms = mc->lde_ms;
    tm.trace_commit_ms = mc->commit_ms;
    mc->lde = NULL;
    mc->tree = NULL;
    mc->d_lde = mc->d_tr = NULL;
    mc->ctree = NULL;
    if (crc == STARK_ERR_DEVICE) goto device_failed;
    if (crc != STARK_OK) {
      rc = crc;
      goto out;
    }
  }
  chal_observe_digest(&ch, &proof->trace_root);

  /* 2b. lookup: challenges, aux trace, its LDE and commitment (on the device
   * with CUDA, which keeps the aux trace for its openings and sends the LDE
   * back only for a quotient evaluated here) */
  if (k) {
    t0 = now_ms();
    transcript_challenges(&ch, lk, lch);
    gamma_powers(lch[1], gpow);
    if (host_lde && !(alde = malloc(sizeof *alde * N * aw))) goto out;
    if (cuda) {
      int zero = 0;
      drc = cu_malloc(&d_aux, n * aw);
      if (drc == CU_OK) drc = cu_malloc(&d_alde, N * aw);
      if (drc == CU_OK)
        drc = cu_lookup_aux_dev(d_tr, w, log_n, lk->interactions, k, lgrp, lch, d_aux, &proof->cumulative_sum,
                                &zero);
      if (drc == CU_OK && zero) {
        rc = STARK_ERR_INTERNAL;
        goto out;
      }
      if (drc == CU_OK) drc = cu_ntt_coset_lde_dev(d_aux, log_n, aw, lb, s, d_alde, NTT_ORDER_NATURAL);
      merkle_matrix dm = {d_alde, aw, N};
      if (drc == CU_OK) drc = cu_merkle_tree_build_dev(&dm, 1, &catree);
      if (drc == CU_OK && alde) drc = cu_download(alde, d_alde, N * aw);
      if (drc != CU_OK) goto device_failed;
      cu_merkle_tree_root(catree, &proof->aux_root);
    } else {
      if (!(aux = malloc(sizeof *aux * n * aw))) goto out;
      rc = aux_build(lk, lgrp, trace, w, n, lch[0], gpow, threads, aux, &proof->cumulative_sum);
      if (rc != STARK_OK) goto out;
      rc = STARK_ERR_INTERNAL;
      if (ntt_coset_lde(aux, log_n, aw, lb, s, alde, NTT_ORDER_NATURAL, threads) != NTT_OK) goto out;
      merkle_matrix am = {alde, aw, N};
      if (merkle_build(&am, 1, MERKLE_POSEIDON2, threads, &atree) != MERKLE_OK) goto out;
      merkle_root(atree, &proof->aux_root);
    }
    rc = STARK_ERR_NOMEM;
    proof->aux_width = aw;
    chal_observe_digest(&ch, &proof->aux_root);
    chal_observe_ext(&ch, proof->cumulative_sum);
    tm.aux_ms = now_ms() - t0;
  }

  /* 3. quotient */
  t0 = now_ms();
  ext_t alpha = chal_sample_ext(&ch);
  alpha_pows = malloc(sizeof *alpha_pows * m);
  qv = malloc(sizeof *qv * nq * 4);
  if (!kid) {
    inv_first = malloc(sizeof *inv_first * nq);
    inv_last = malloc(sizeof *inv_last * nq);
  }
  if (!alpha_pows || !qv || (!kid && (!inv_first || !inv_last))) goto out;
  alpha_pows[m - 1] = ext_one();
  for (unsigned i = m - 1; i-- > 0;) alpha_pows[i] = ext_mul(alpha_pows[i + 1], alpha);
  if (kid) {
    /* on the device, from the LDE there: evaluations, then coefficients of Q.
     * With a lookup the fold runs over m + c + 3 constraints: the AIR's
     * weights are alpha^(m + c + 2 - i), the lookup's alpha^(c + 2 - i) (the
     * host's Horner fold, continued by lookup_constraints) */
    const ext_t *ap = alpha_pows;
    ext_t *apk = NULL;
    unsigned mk = k ? m + (k + lgrp - 1) / lgrp + 3 : m;
    if (k) {
      if (!(apk = malloc(sizeof *apk * mk))) goto out;
      apk[mk - 1] = ext_one();
      for (unsigned i = mk - 1; i-- > 0;) apk[i] = ext_mul(apk[i + 1], alpha);
      ap = apk;
    }
    drc = cu_malloc(&d_q, nq * 4);
    if (drc == CU_OK) drc = cu_quotient_dev(kid, d_lde, log_n, lb, qc, w, s, ap, m, pub, air->num_public, d_q);
    if (drc == CU_OK && k)
      drc = cu_quotient_lookup_dev(d_lde, w, d_alde, aw, log_n, lb, qc, s, lk->interactions, k, lgrp, lch,
                                   proof->cumulative_sum, apk + m, d_q);
    free(apk);
    if (drc == CU_OK) drc = cu_ntt_coset_idft_dev(d_q, log_nq, 4, s, NTT_ORDER_NATURAL);
    if (drc == CU_OK) drc = cu_download(qv, d_q, nq * 4); /* for the openings at zeta */
    if (drc != CU_OK) goto device_failed;
    tm.quotient_device = 1;
  } else {
    bb_t w_nq = bb_two_adic_generator(log_nq), g = bb_two_adic_generator(log_n);
    bb_t ginv = bb_inv(g), zh[64], zh_inv[64];
    /* Z_H(x) = x^n - 1 = s^n w_nq^(j n) - 1 depends on j mod qc only. */
    bb_t sn = bb_pow(s, n), wn = bb_pow(w_nq, n);
    for (unsigned k = 0; k < qc; k++) {
      zh[k] = bb_sub(bb_mul(sn, bb_pow(wn, k)), BB_ONE);
      zh_inv[k] = bb_inv(zh[k]);
    }
    bb_t x = s;
    for (size_t j = 0; j < nq; j++, x = bb_mul(x, w_nq)) {
      inv_first[j] = bb_sub(x, BB_ONE);
      inv_last[j] = bb_sub(x, ginv);
    }
    bb_batch_inv(inv_first, inv_first, nq);
    bb_batch_inv(inv_last, inv_last, nq);
    quot_ctx qcx = {air, lde, pub, w, qc, N, N / nq, B, s, w_nq, ginv, zh, zh_inv,
                    inv_first, inv_last, alpha_pows, alpha, qv, 0,
                    k, lgrp, k ? lk->interactions : NULL, alde, lch[0], proof->cumulative_sum,
                    gpow};
    stark_par_for(nq, 1024, threads, quot_range, &qcx);
    int bad = atomic_load(&qcx.bad);
    if (bad) {
      rc = bad == 2 ? STARK_ERR_NOMEM : STARK_ERR_AIR;
      goto out;
    }
    free(inv_first);
    free(inv_last);
    inv_first = inv_last = NULL;
    /* coefficients of Q */
    if (cuda) {
      drc = cu_ntt_coset_idft(qv, log_nq, 4, s, NTT_ORDER_NATURAL);
      if (drc != CU_OK) goto device_failed;
    } else if (ntt_coset_idft(qv, log_nq, 4, s, NTT_ORDER_NATURAL, threads) != NTT_OK) {
      rc = STARK_ERR_INTERNAL;
      goto out;
    }
  }
  /* chunk i = coefficients [i n, (i+1) n) of Q */
  if (host_qmat && !(qmat = calloc(N * qw, sizeof *qmat))) goto out;
  if (cuda) {
    /* the chunk matrix made and extended on the device from Q's coefficients */
    if (!d_q) {
      drc = cu_malloc(&d_q, nq * 4);
      if (drc == CU_OK) drc = cu_upload(d_q, qv, nq * 4);
    }
    if (drc == CU_OK) drc = cu_malloc(&d_qlde, N * qw);
    if (drc == CU_OK) drc = cu_quotient_lde_dev(d_q, log_n, qc, lb, s, d_qlde);
    cu_free(d_q);
    d_q = NULL;
    if (drc != CU_OK) goto device_failed;
  } else {
    for (size_t r = 0; r < n; r++)
      for (unsigned i = 0; i < qc; i++) memcpy(qmat + r * qw + 4 * i, qv + (i * n + r) * 4, 4 * sizeof *qv);
    if (ntt_coset_dft(qmat, log_N, qw, s, NTT_ORDER_NATURAL, threads) != NTT_OK) {
      rc = STARK_ERR_INTERNAL;
      goto out;
    }
  }
  tm.quotient_ms = now_ms() - t0;
  t0 = now_ms();
  if (cuda) {
    merkle_matrix dm = {d_qlde, qw, N};
    drc = cu_merkle_tree_build_dev(&dm, 1, &cqtree);
    if (drc == CU_OK && host_qmat) drc = cu_download(qmat, d_qlde, N * qw);
    if (drc != CU_OK) goto device_failed;
    cu_merkle_tree_root(cqtree, &proof->quotient_root);
  } else {
    merkle_matrix mm = {qmat, qw, N};
    if (merkle_build(&mm, 1, MERKLE_POSEIDON2, threads, &qtree) != MERKLE_OK) {
      rc = STARK_ERR_INTERNAL;
      goto out;
    }
    merkle_root(qtree, &proof->quotient_root);
  }
  chal_observe_digest(&ch, &proof->quotient_root);
  tm.quotient_commit_ms = now_ms() - t0;

  /* 4. out-of-domain openings */
  t0 = now_ms();
  ext_t zeta = chal_sample_ext(&ch);
  if (ext_is_base(zeta)) { /* probability ~2^-93; x - zeta must never vanish on D or H */
    rc = STARK_ERR_INTERNAL;
    goto out;
  }
  bb_t g = bb_two_adic_generator(log_n);
  ext_t zeta_next = ext_mul_base(zeta, g);
  proof->trace_zeta = calloc(w, sizeof *proof->trace_zeta);
  proof->trace_zeta_next = calloc(w, sizeof *proof->trace_zeta_next);
  proof->quotient_zeta = calloc(qw, sizeof *proof->quotient_zeta);
  size_t nb = (n + OPEN_BLOCK - 1) / OPEN_BLOCK, pstride = 2 * (size_t)w + qw;
  scratch = calloc(nb * pstride, sizeof *scratch);
  if (!proof->trace_zeta || !proof->trace_zeta_next || !proof->quotient_zeta || !scratch) goto out;
  {
    open_ctx oc = {trace, qv, w, qc, n, g, zeta, zeta_next, scratch, 0, cuda};
    if (cuda) { /* the trace's sums on the device, the quotient's here */
      ext_t *os = malloc(sizeof *os * 2 * w);
      drc = os ? cu_open_dev(d_tr, log_n, w, zeta, zeta_next, os) : CU_ERR_NOMEM;
      if (drc == CU_OK) {
        memcpy(proof->trace_zeta, os, w * sizeof *os);
        memcpy(proof->trace_zeta_next, os + w, w * sizeof *os);
      }
      free(os);
      if (drc != CU_OK) goto device_failed;
    }
    stark_par_for(nb, 1, threads, open_range, &oc);
    if (atomic_load(&oc.nomem)) goto out;
    for (size_t b = 0; b < nb; b++) {
      const ext_t *acc = scratch + b * pstride;
      for (unsigned j = 0; j < w; j++) {
        proof->trace_zeta[j] = ext_add(proof->trace_zeta[j], acc[j]);
        proof->trace_zeta_next[j] = ext_add(proof->trace_zeta_next[j], acc[w + j]);
      }
      for (unsigned j = 0; j < qw; j++)
        proof->quotient_zeta[j] = ext_add(proof->quotient_zeta[j], acc[2 * w + j]);
    }
    bb_t ninv = bb_inv(bb_from_u64(n));
    ext_t f1 = ext_mul_base(ext_sub(ext_pow(zeta, n), ext_one()), ninv);
    ext_t f2 = ext_mul_base(ext_sub(ext_pow(zeta_next, n), ext_one()), ninv);
    for (unsigned j = 0; j < w; j++) {
      proof->trace_zeta[j] = ext_mul(proof->trace_zeta[j], f1);
      proof->trace_zeta_next[j] = ext_mul(proof->trace_zeta_next[j], f2);
    }
  }
  free(scratch);
  scratch = NULL;
  free(qv);
  qv = NULL;
  if (k) { /* the aux columns on H, by the same barycentric sums */
    proof->aux_zeta = calloc(aw, sizeof *proof->aux_zeta);
    proof->aux_zeta_next = calloc(aw, sizeof *proof->aux_zeta_next);
    scratch = calloc(nb * 2 * aw, sizeof *scratch);
    if (!proof->aux_zeta || !proof->aux_zeta_next || !scratch) goto out;
    if (cuda) { /* from the aux trace on the device, as the trace's */
      drc = cu_open_dev(d_aux, log_n, aw, zeta, zeta_next, scratch);
      if (drc != CU_OK) goto device_failed;
      memcpy(proof->aux_zeta, scratch, aw * sizeof *scratch);
      memcpy(proof->aux_zeta_next, scratch + aw, aw * sizeof *scratch);
    } else {
      open_ctx oc = {aux, NULL, aw, 0, n, g, zeta, zeta_next, scratch, 0, 0};
      stark_par_for(nb, 1, threads, open_range, &oc);
      if (atomic_load(&oc.nomem)) goto out;
      for (size_t b = 0; b < nb; b++)
        for (unsigned j = 0; j < aw; j++) {
          proof->aux_zeta[j] = ext_add(proof->aux_zeta[j], scratch[b * 2 * aw + j]);
          proof->aux_zeta_next[j] = ext_add(proof->aux_zeta_next[j], scratch[b * 2 * aw + aw + j]);
        }
    }
    bb_t ninv = bb_inv(bb_from_u64(n));
    ext_t f1 = ext_mul_base(ext_sub(ext_pow(zeta, n), ext_one()), ninv);
    ext_t f2 = ext_mul_base(ext_sub(ext_pow(zeta_next, n), ext_one()), ninv);
    for (unsigned j = 0; j < aw; j++) {
      proof->aux_zeta[j] = ext_mul(proof->aux_zeta[j], f1);
      proof->aux_zeta_next[j] = ext_mul(proof->aux_zeta_next[j], f2);
    }
    free(scratch);
    scratch = NULL;
    free(aux);
    aux = NULL;
  }
  for (unsigned j = 0; j < w; j++) chal_observe_ext(&ch, proof->trace_zeta[j]);
  for (unsigned j = 0; j < w; j++) chal_observe_ext(&ch, proof->trace_zeta_next[j]);
  for (unsigned j = 0; j < qw; j++) chal_observe_ext(&ch, proof->quotient_zeta[j]);
  for (unsigned j = 0; j < aw; j++) chal_observe_ext(&ch, proof->aux_zeta[j]);
  for (unsigned j = 0; j < aw; j++) chal_observe_ext(&ch, proof->aux_zeta_next[j]);
  tm.open_ms = now_ms() - t0;

  /* 5-6. DEEP quotient and FRI */
  t0 = now_ms();
  ext_t gamma = chal_sample_ext(&ch);
  gp = malloc(sizeof *gp * (2 * (w + aw) + qw + 1));
  indices = malloc(sizeof *indices * Q);
  if (!gp || !indices || (!cuda && !(F = malloc(sizeof *F * N)))) goto out;
  deep_ctx dc = deep_setup(w, qw, aw, s, log_N, zeta, zeta_next, gamma, proof->trace_zeta,
                           proof->trace_zeta_next, proof->quotient_zeta, proof->aux_zeta,
                           proof->aux_zeta_next, gp);
  if (cuda) {
    /* gp: gamma^0 .. gamma^(W-1), then gamma^W gamma^j (j < w + aw): cu_deep_dev's coef */
    drc = cu_malloc(&d_F, N * 4);
    if (drc == CU_OK)
      drc = cu_deep_dev(d_lde, w, d_qlde, qw, d_alde, aw, log_N, s, gp, dc.A, dc.Bv, zeta, zeta_next, d_F);
    if (drc != CU_OK) goto device_failed;
  } else {
    dc.lde = lde;
    dc.qmat = qmat;
    dc.amat = alde;
    dc.out = F;
    stark_par_for(N, 1024, threads, deep_range, &dc);
  }
  double fri_ms[2];
  int frc = cuda ? fri_prove_dev(fp, &ch, d_F, log_N, s, threads, &proof->fri, indices, fri_ms, &drc)
                 : fri_prove_backend(fp, FRI_BACKEND_CPU, &ch, F, log_N, s, threads, &proof->fri, indices,
                                     fri_ms, &drc);
  cu_free(d_F);
  d_F = NULL;
  if (frc == FRI_ERR_DEVICE) goto device_failed;
  if (frc != FRI_OK) {
    rc = frc == FRI_ERR_NOMEM ? STARK_ERR_NOMEM : STARK_ERR_INTERNAL;
    goto out;
  }
  free(F);
  F = NULL;
  tm.fri_commit_ms = now_ms() - t0 - fri_ms[1];

  /* queries: FRI's (timed inside fri_prove), then the trace and quotient trees */
  t0 = now_ms() - fri_ms[1];
  proof->trace_rows = malloc(sizeof *proof->trace_rows * Q * w);
  proof->trace_paths = malloc(sizeof *proof->trace_paths * Q * log_N);
  proof->quotient_rows = malloc(sizeof *proof->quotient_rows * Q * qw);
  proof->quotient_paths = malloc(sizeof *proof->quotient_paths * Q * log_N);
  if (!proof->trace_rows || !proof->trace_paths || !proof->quotient_rows || !proof->quotient_paths)
    goto out;
  if (k) {
    proof->aux_rows = malloc(sizeof *proof->aux_rows * Q * aw);
    proof->aux_paths = malloc(sizeof *proof->aux_paths * Q * log_N);
    if (!proof->aux_rows || !proof->aux_paths) goto out;
  }
  if (cuda) { /* every query at once, gathered on the device */
    drc = cu_merkle_tree_open_many(cttree, indices, Q, proof->trace_rows, proof->trace_paths);
    if (drc == CU_OK)
      drc = cu_merkle_tree_open_many(cqtree, indices, Q, proof->quotient_rows, proof->quotient_paths);
    if (drc == CU_OK && k)
      drc = cu_merkle_tree_open_many(catree, indices, Q, proof->aux_rows, proof->aux_paths);
    if (drc != CU_OK) goto device_failed;
  }
  for (unsigned q = 0; q < Q; q++) {
    bb_t *trow = proof->trace_rows + (size_t)q * w, *qrow = proof->quotient_rows + (size_t)q * qw;
    merkle_digest *tpath = proof->trace_paths + (size_t)q * log_N;
    merkle_digest *qpath = proof->quotient_paths + (size_t)q * log_N;
    if (!cuda && (merkle_open(ttree, indices[q], trow, tpath) != MERKLE_OK ||
                  merkle_open(qtree, indices[q], qrow, qpath) != MERKLE_OK)) {
      rc = STARK_ERR_INTERNAL;
      goto out;
    }
    if (k && !cuda && merkle_open(atree, indices[q], proof->aux_rows + (size_t)q * aw,
                         proof->aux_paths + (size_t)q * log_N) != MERKLE_OK) {
      rc = STARK_ERR_INTERNAL;
      goto out;
    }
  }
  tm.queries_ms = now_ms() - t0;
  rc = STARK_OK;
  goto out;

device_failed:
  rc = STARK_ERR_DEVICE;
out:
  cu_merkle_tree_free(cttree);
  cu_merkle_tree_free(cqtree);
  cu_merkle_tree_free(catree);
  cu_free(d_lde);
  cu_free(d_tr);
  cu_free(d_aux);
  cu_free(d_alde);
  cu_free(d_q);
  cu_free(d_qlde);
  cu_free(d_F);
  merkle_free(ttree);
  merkle_free(qtree);
  merkle_free(atree);
  free(aux);
  free(alde);
  free(lde);
  free(qv);
  free(qmat);
  free(inv_first);
  free(inv_last);
  free(alpha_pows);
  free(scratch);
  free(F);
  free(gp);
  free(indices);
  if (rc != STARK_OK) {
    stark_proof_free(proof);
    if (rc == STARK_ERR_DEVICE && t) {
      memset(t, 0, sizeof *t);
      t->device_rc = drc;
    }
    return rc;
  }
  tm.total_ms = now_ms() - t_start;
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) tm.peak_rss_kb = ru.ru_maxrss;
  if (t) *t = tm;
  return STARK_OK;
}

/* ---- work estimate (mirrors stark_prove and fri_prove step by step) ---- */

static uint64_t butterflies(unsigned log_n, uint64_t width) {
  return ((uint64_t)1 << log_n) / 2 * log_n * width;
}

static uint64_t tree_perms(uint64_t leaves, uint64_t width) {
  return leaves * ((width + P2_RATE - 1) / P2_RATE) + (leaves - 1);
}

int stark_estimate_work(const stark_air *air, const fri_params *fp, unsigned log_n, stark_work *out) {
  return stark_estimate_work_lookup(air, NULL, fp, log_n, out);
}

int stark_estimate_work_lookup(const stark_air *air, const stark_lookup *lk, const fri_params *fp,
                               unsigned log_n, stark_work *out) {
  if (!air_ok(air) || !out || !lookup_ok(lk, air->width)) return STARK_ERR_ARG;
  size_t bytes = stark_proof_size_for_lookup(air, lk, fp, log_n);
  if (!bytes) return STARK_ERR_ARG;
  uint64_t k = lookup_count(lk), aw = stark_lookup_aux_width(air, lk);
  unsigned lb = fp->log_blowup, log_N = log_n + lb, qc = stark_air_quotient_chunks(air);
  unsigned log_nq = log_n;
  while ((1u << (log_nq - log_n)) < qc) log_nq++;
  uint64_t n = (uint64_t)1 << log_n, N = (uint64_t)1 << log_N, w = air->width, qw = 4 * qc;
  unsigned L = fri_num_layers(fp, log_N);
  memset(out, 0, sizeof *out);
  out->trace_cells = n * w;
  out->lde_cells = N * (w + qw);
  unsigned log_m = log_N, ls = log_N, la = 0;
  for (unsigned i = 0; i < L; i++) {
    fri_layer_shape(fp, log_N, i, &ls, &la);
    log_m = ls - la;
  }
  uint64_t M = (uint64_t)1 << log_m;
  out->ntt_butterflies = butterflies(log_n, w) + butterflies(log_N, w) + butterflies(log_nq, 4) +
                         butterflies(log_N, qw) + butterflies(log_m, 4);
  out->constraint_evals = (uint64_t)1 << log_nq;
  out->merkle_leaves = 2 * N;
  out->p2_permutations = tree_perms(N, w) + tree_perms(N, qw) + ((uint64_t)1 << fp->pow_bits);
  for (unsigned i = 0; i < L; i++) {
    fri_layer_shape(fp, log_N, i, &ls, &la);
    uint64_t rows = (uint64_t)1 << (ls - la);
    out->merkle_leaves += rows;
    out->p2_permutations += tree_perms(rows, (uint64_t)EXT_DEGREE << la);
  }
  /* DEEP: about 7 extension products per LDE point; folding: one per pair. */
  out->ext_ops = 7 * N + (N - M);
  if (k) {
    /* aux: its LDE and tree; per row k inversions (3 products each in a
     * batch) and products; per quotient point the k denominators' products
     * (about 4 each with the prefix and suffix products), one per aux column
     * and 6 for the running sum; the DEEP sums grow by 2 aw base products per
     * point. */
    out->lde_cells += N * aw;
    out->ntt_butterflies += butterflies(log_n, aw) + butterflies(log_N, aw);
    out->merkle_leaves += N;
    out->p2_permutations += tree_perms(N, aw);
    out->ext_ops += 4 * n * k + (4 * k + aw / 4 + 5) * ((uint64_t)1 << log_nq) + N * aw / 2;
  }
  out->fri_layers = L;
  out->proof_bytes = bytes;
  return STARK_OK;
}

/* ---- verifier ---- */

typedef struct {
  const stark_proof *p;
  deep_ctx dc;
  unsigned log_N;
} verify_ctx;

static int verify_open(void *arg, unsigned q, size_t index, ext_t *value) {
  verify_ctx *v = arg;
  const stark_proof *p = v->p;
  unsigned w = p->width, qw = 4 * p->qc;
  size_t N = (size_t)1 << v->log_N;
  const bb_t *trow = p->trace_rows + (size_t)q * w, *qrow = p->quotient_rows + (size_t)q * qw;
  for (unsigned j = 0; j < w; j++)
    if (trow[j] >= BB_P) return -1;
  for (unsigned j = 0; j < qw; j++)
    if (qrow[j] >= BB_P) return -1;
  merkle_dims td = {w, N}, qd = {qw, N};
  if (merkle_verify(MERKLE_POSEIDON2, &p->trace_root, &td, 1, index, trow,
                    p->trace_paths + (size_t)q * v->log_N) != MERKLE_OK)
    return -1;
  if (merkle_verify(MERKLE_POSEIDON2, &p->quotient_root, &qd, 1, index, qrow,
                    p->quotient_paths + (size_t)q * v->log_N) != MERKLE_OK)
    return -1;
  const bb_t *arow = NULL;
  if (p->aux_width) {
    unsigned aw = p->aux_width;
    arow = p->aux_rows + (size_t)q * aw;
    for (unsigned j = 0; j < aw; j++)
      if (arow[j] >= BB_P) return -1;
    merkle_dims ad = {aw, N};
    if (merkle_verify(MERKLE_POSEIDON2, &p->aux_root, &ad, 1, index, arow,
                      p->aux_paths + (size_t)q * v->log_N) != MERKLE_OK)
      return -1;
  }
  bb_t x = bb_mul(v->dc.s, bb_pow(v->dc.w_N, index));
  *value = deep_row(&v->dc, trow, qrow, arow, x, ext_inv(deep_den(&v->dc, x)));
  return 0;
}

int stark_verify(const stark_air *air, const fri_params *fp, const bb_t *pub,
                 const stark_proof *p) {
  return stark_verify_lookup(air, NULL, fp, pub, p, NULL);
}

int stark_verify_lookup(const stark_air *air, const stark_lookup *lk, const fri_params *fp,
                        const bb_t *pub, const stark_proof *p, ext_t *cumulative_sum) {
  if (!air_ok(air) || !fp || !p || (air->num_public && !pub)) return STARK_ERR_ARG;
  if (!lookup_ok(lk, air->width)) return STARK_ERR_ARG;
  const unsigned k = lookup_count(lk), aw = stark_lookup_aux_width(air, lk);
  if (p->aux_width != aw) return STARK_ERR_ARG;
  if (k && (!p->aux_zeta || !p->aux_zeta_next || !p->aux_rows || !p->aux_paths ||
            !ext_canonical(p->cumulative_sum)))
    return STARK_ERR_ARG;
  if (k && lk->challenges && (!ext_canonical(lk->challenges[0]) || !ext_canonical(lk->challenges[1])))
    return STARK_ERR_ARG;
  if (fri_params_check(fp) != FRI_OK) return STARK_ERR_ARG;
  unsigned lb = fp->log_blowup, w = air->width, qc = stark_air_quotient_chunks(air), qw = 4 * qc;
  unsigned log_n = p->log_n, log_N = log_n + lb;
  if (log_n < 1 || log_n > STARK_MAX_LOG_ROWS || log_N > BB_TWO_ADICITY) return STARK_ERR_ARG;
  if (qc > (1u << lb) || p->log_blowup != lb || p->width != w || p->qc != qc ||
      p->num_queries != fp->num_queries || p->fri.log_n != log_N ||
      p->fri.log_arity != fri_log_arity(fp) || p->fri.num_layers != fri_num_layers(fp, log_N) ||
      p->fri.final_len != fri_final_len(fp, log_N) || p->fri.num_queries != fp->num_queries)
    return STARK_ERR_ARG;
  if (!p->trace_zeta || !p->trace_zeta_next || !p->quotient_zeta || !p->trace_rows ||
      !p->trace_paths || !p->quotient_rows || !p->quotient_paths)
    return STARK_ERR_ARG;
  for (unsigned i = 0; i < air->num_public; i++)
    if (pub[i] >= BB_P) return STARK_ERR_ARG;

  size_t n = (size_t)1 << log_n;
  bb_t s = bb_generator(), g = bb_two_adic_generator(log_n);
  chal_state ch;
  ext_t lch[2] = {ext_zero(), ext_zero()}; /* (beta, gamma) */
  transcript_begin(&ch, air, log_n, qc, fp, pub);
  if (k) transcript_lookup(&ch, air, lk);
  chal_observe_digest(&ch, &p->trace_root);
  if (k) {
    transcript_challenges(&ch, lk, lch);
    chal_observe_digest(&ch, &p->aux_root);
    chal_observe_ext(&ch, p->cumulative_sum);
  }
  ext_t alpha = chal_sample_ext(&ch);
  chal_observe_digest(&ch, &p->quotient_root);
  ext_t zeta = chal_sample_ext(&ch);
  if (ext_is_base(zeta)) return STARK_ERR_VERIFY;
  ext_t zeta_next = ext_mul_base(zeta, g);
  for (unsigned j = 0; j < w; j++) chal_observe_ext(&ch, p->trace_zeta[j]);
  for (unsigned j = 0; j < w; j++) chal_observe_ext(&ch, p->trace_zeta_next[j]);
  for (unsigned j = 0; j < qw; j++) chal_observe_ext(&ch, p->quotient_zeta[j]);
  for (unsigned j = 0; j < aw; j++) chal_observe_ext(&ch, p->aux_zeta[j]);
  for (unsigned j = 0; j < aw; j++) chal_observe_ext(&ch, p->aux_zeta_next[j]);
  ext_t gamma = chal_sample_ext(&ch);

  /* The constraint identity at zeta. */
  ext_t zn = ext_pow(zeta, n), zh = ext_sub(zn, ext_one());
  ext_t ginv = ext_from_base(bb_inv(g));
  stark_eval_ext e = {p->trace_zeta, p->trace_zeta_next, pub,
                      ext_div(zh, ext_sub(zeta, ext_one())), ext_div(zh, ext_sub(zeta, ginv)),
                      ext_sub(zeta, ginv), alpha, ext_zero(), 0, -1};
  air->eval_ext(air, &e);
  if (e.count != air->num_constraints) return STARK_ERR_AIR;
  if (k) { /* each aux ext value from its 4 base columns' openings */
    ext_t h[STARK_MAX_INTERACTIONS + 1], hn[STARK_MAX_INTERACTIONS + 1];
    for (unsigned i = 0; i < aw / 4; i++) {
      h[i] = ext_zero();
      hn[i] = ext_zero();
      for (int c = 0; c < 4; c++) {
        h[i] = ext_add(h[i], ext_mul(ext_basis(c), p->aux_zeta[4 * i + (unsigned)c]));
        hn[i] = ext_add(hn[i], ext_mul(ext_basis(c), p->aux_zeta_next[4 * i + (unsigned)c]));
      }
    }
    int lrc = stark_lookup_eval(air, lk, lch, h, hn, p->cumulative_sum, &e);
    if (lrc != STARK_OK) return lrc;
  }
  ext_t qz = ext_zero(), zpow = ext_one();
  for (unsigned i = 0; i < qc; i++, zpow = ext_mul(zpow, zn)) {
    ext_t qi = ext_zero();
    for (int k = 0; k < 4; k++) qi = ext_add(qi, ext_mul(ext_basis(k), p->quotient_zeta[4 * i + (unsigned)k]));
    qz = ext_add(qz, ext_mul(zpow, qi));
  }
  if (!ext_eq(e.acc, ext_mul(zh, qz))) return STARK_ERR_VERIFY;

  /* FRI with the DEEP quotient recomputed at each query. */
  ext_t *gp = malloc(sizeof *gp * (2 * (w + aw) + qw + 1));
  if (!gp) return STARK_ERR_NOMEM;
  verify_ctx vc;
  vc.p = p;
  vc.log_N = log_N;
  vc.dc = deep_setup(w, qw, aw, s, log_N, zeta, zeta_next, gamma, p->trace_zeta, p->trace_zeta_next,
                     p->quotient_zeta, p->aux_zeta, p->aux_zeta_next, gp);
  int frc = fri_verify(fp, &ch, &p->fri, log_N, s, verify_open, &vc);
  free(gp);
  if (frc == FRI_OK) {
    if (cumulative_sum) *cumulative_sum = k ? p->cumulative_sum : ext_zero();
    return STARK_OK;
  }
  if (frc == FRI_ERR_NOMEM) return STARK_ERR_NOMEM;
  if (frc == FRI_ERR_ARG) return STARK_ERR_ARG;
  return STARK_ERR_VERIFY;
}

/* ---- cross-shard lookup helpers ---- */

void stark_lookup_challenges_pub(const merkle_digest *roots, size_t n, const bb_t *pub, size_t npub,
                                 ext_t out[2]) {
  chal_state ch;
  chal_init(&ch);
  chal_observe_label(&ch, "pkb-logup-challenges-v1");
  chal_observe(&ch, bb_from_u64(n));
  for (size_t i = 0; i < n; i++) chal_observe_digest(&ch, &roots[i]);
  if (npub) {
    chal_observe_label(&ch, "pkb-logup-public-v1");
    chal_observe(&ch, bb_from_u64(npub));
    for (size_t i = 0; i < npub; i++) chal_observe(&ch, pub[i]);
  }
  out[0] = chal_sample_ext(&ch);
  out[1] = chal_sample_ext(&ch);
}

void stark_lookup_challenges(const merkle_digest *roots, size_t n, ext_t out[2]) {
  stark_lookup_challenges_pub(roots, n, NULL, 0, out);
}

int stark_lookup_public_sum(const stark_interaction *it, const bb_t *rows, size_t n, unsigned width,
                            const ext_t ch[2], ext_t *sum) {
  if (!it || !ch || !sum || (n && !rows) || width == 0) return STARK_ERR_ARG;
  if (!stark_interactions_ok(it, 1, SIZE_MAX)) return STARK_ERR_AIR; /* malformed whatever the width */
  if (!stark_interactions_ok(it, 1, width)) return STARK_ERR_ARG;   /* a column past the rows' */
  ext_t gpow[STARK_MAX_LOOKUP_FIELDS];
  gamma_powers(ch[1], gpow);
  ext_t acc = ext_zero();
  for (size_t r = 0; r < n; r++) {
    ext_t sm, den;
    interaction_base(it, rows + r * width, ch[0], gpow, &sm, &den);
    if (ext_is_zero(den)) return STARK_ERR_INTERNAL;
    acc = ext_add(acc, ext_mul(sm, ext_inv(den)));
  }
  *sum = acc;
  return STARK_OK;
}

int stark_commit_main_keep(const stark_air *air, const stark_config *cfg, const bb_t *trace, unsigned log_n,
                           merkle_digest *root, stark_main_commit **keep, int *device_rc) {
  if (keep) *keep = NULL;
  if (device_rc) *device_rc = 0;
  if (!air_ok(air) || !cfg || !trace || !root) return STARK_ERR_ARG;
  if (fri_params_check(&cfg->fri) != FRI_OK) return STARK_ERR_ARG;
  if (cfg->backend != STARK_BACKEND_CPU && cfg->backend != STARK_BACKEND_CUDA) return STARK_ERR_ARG;
  unsigned lb = cfg->fri.log_blowup, log_N = log_n + lb;
  if (log_n < 1 || log_n > STARK_MAX_LOG_ROWS || log_N > BB_TWO_ADICITY) return STARK_ERR_ARG;
  stark_main_commit *mc = malloc(sizeof *mc);
  if (!mc) return STARK_ERR_NOMEM;
  int drc = 0, rc = main_commit_make(cfg, trace, log_n, air->width, 0, mc, &drc);
  if (device_rc && rc == STARK_ERR_DEVICE) *device_rc = drc;
  if (rc == STARK_OK) *root = mc->root;
  if (rc == STARK_OK && keep) {
    *keep = mc;
    return STARK_OK;
  }
  stark_main_commit_free(mc);
  return rc == STARK_ERR_DEVICE && drc == CU_ERR_NOMEM ? STARK_ERR_NOMEM : rc;
}

int stark_commit_main(const stark_air *air, const stark_config *cfg, const bb_t *trace,
                      unsigned log_n, merkle_digest *root) {
  return stark_commit_main_keep(air, cfg, trace, log_n, root, NULL, NULL);
}
