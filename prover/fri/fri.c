/* fri: commit phase (fold by 2, one Merkle tree per layer), final polynomial,
 * grinding and queries; and the verifier. The protocol is written out in fri.h.
 *
 * Workload: the prover's folding is O(N) extension operations and its
 * commitments hash N/2 + N/4 + ... rows of 8 elements; the query phase is
 * num_queries * L Merkle openings. Layer buffers are kept alive until the
 * queries are answered because the Merkle trees point into them.
 * With the CUDA backend every layer lives in device memory (folded there
 * into the next) and is committed as a = 2^la matrices of R x 4 (the a
 * contiguous blocks of R ext values), whose concatenated rows are exactly
 * the CPU's R x 4a matrix, so the roots agree; the openings are gathered on
 * the device, one copy per layer for all queries.
 */
#include "fri/fri.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cuda/cu.h"
#include "ntt/ntt.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

fri_params fri_params_for(unsigned log_blowup, unsigned bits) {
  fri_params p;
  if (log_blowup == 0) log_blowup = 1;
  p.log_blowup = log_blowup;
  p.pow_bits = bits >= 64 ? 16 : bits / 4;
  unsigned rest = bits > p.pow_bits ? bits - p.pow_bits : 0;
  p.num_queries = (rest + log_blowup - 1) / log_blowup;
  if (p.num_queries == 0) p.num_queries = 1;
  p.log_final_len = 3;
  p.log_arity = 1;
  return p;
}

unsigned fri_security_bits(const fri_params *p) {
  return p->num_queries * p->log_blowup + p->pow_bits;
}

int fri_params_check(const fri_params *p) {
  if (!p || p->log_blowup < 1 || p->log_blowup > FRI_MAX_LOG_BLOWUP || p->num_queries < 1 ||
      p->num_queries > FRI_MAX_QUERIES || p->pow_bits > FRI_MAX_POW_BITS ||
      p->log_final_len > FRI_MAX_LOG_FINAL || p->log_arity > FRI_MAX_LOG_ARITY)
    return FRI_ERR_ARG;
  return FRI_OK;
}

unsigned fri_log_arity(const fri_params *p) { return p->log_arity <= 1 ? 1 : p->log_arity; }

/* Total folding, in bits: log of (degree bound / final length). */
static unsigned fold_bits(const fri_params *p, unsigned log_n) {
  int d = (int)log_n - (int)p->log_blowup - (int)p->log_final_len;
  return d > 0 ? (unsigned)d : 0;
}

unsigned fri_num_layers(const fri_params *p, unsigned log_n) {
  unsigned k = fri_log_arity(p);
  return (fold_bits(p, log_n) + k - 1) / k;
}

void fri_layer_shape(const fri_params *p, unsigned log_n, unsigned i, unsigned *log_size,
                     unsigned *log_arity) {
  unsigned k = fri_log_arity(p), d = fold_bits(p, log_n);
  *log_size = log_n - i * k;
  *log_arity = d - i * k < k ? d - i * k : k;
}

size_t fri_final_len(const fri_params *p, unsigned log_n) {
  if (log_n < p->log_blowup) return 0;
  return (size_t)1 << (log_n - p->log_blowup - fold_bits(p, log_n));
}

size_t fri_path_digests(const fri_params *p, unsigned log_n) {
  size_t s = 0;
  for (unsigned i = 0, L = fri_num_layers(p, log_n); i < L; i++) {
    unsigned ls, la;
    fri_layer_shape(p, log_n, i, &ls, &la);
    s += ls - la;
  }
  return s;
}

size_t fri_row_values(const fri_params *p, unsigned log_n) {
  size_t s = 0;
  for (unsigned i = 0, L = fri_num_layers(p, log_n); i < L; i++) {
    unsigned ls, la;
    fri_layer_shape(p, log_n, i, &ls, &la);
    s += (size_t)1 << la;
  }
  return s;
}

void fri_proof_free(fri_proof *p) {
  if (!p) return;
  free(p->roots);
  free(p->final_poly);
  free(p->rows);
  free(p->paths);
  memset(p, 0, sizeof *p);
}

ext_t fri_poly_eval(const ext_t *coeffs, size_t n, ext_t x) {
  ext_t acc = ext_zero();
  for (size_t i = n; i-- > 0;) acc = ext_add(ext_mul(acc, x), coeffs[i]);
  return acc;
}

/* Blocks of 64 keep the prefix products on the stack (no failure, out may
 * alias in); one extension inversion per block is noise. */
void fri_ext_batch_inv(ext_t *out, const ext_t *in, size_t n) {
  enum { BLOCK = 64 };
  ext_t pre[BLOCK];
  for (size_t base = 0; base < n; base += BLOCK) {
    size_t m = n - base < BLOCK ? n - base : BLOCK;
    const ext_t *x = in + base;
    ext_t *y = out + base;
    ext_t acc = ext_one();
    for (size_t i = 0; i < m; i++) {
      pre[i] = acc;
      if (!ext_is_zero(x[i])) acc = ext_mul(acc, x[i]);
    }
    ext_t inv = ext_inv(acc);
    for (size_t i = m; i-- > 0;) {
      ext_t xi = x[i];
      if (ext_is_zero(xi)) {
        y[i] = ext_zero();
      } else {
        y[i] = ext_mul(inv, pre[i]);
        inv = ext_mul(inv, xi);
      }
    }
  }
}

static int check_shape(const fri_params *p, unsigned log_n) {
  if (fri_params_check(p) != FRI_OK) return FRI_ERR_ARG;
  if (log_n < p->log_blowup || log_n > BB_TWO_ADICITY) return FRI_ERR_ARG;
  return FRI_OK;
}

/* Fold one layer in place: cur has 2*half values on s*<w>, w of order 2*half;
 * afterwards cur[0..half) holds the folded layer. Hot: O(N) per proof. */
static void fold_layer(ext_t *cur, size_t half, unsigned log_ni, bb_t s, ext_t beta) {
  bb_t inv2 = bb_inv(bb_from_u32(2));
  bb_t winv = bb_inv(bb_two_adic_generator(log_ni));
  bb_t t = bb_inv(bb_double(s)); /* 1/(2 x_k), x_k = s w^k */
  for (size_t k = 0; k < half; k++) {
    ext_t a = cur[k], b = cur[k + half];
    ext_t sum = ext_mul_base(ext_add(a, b), inv2);
    ext_t diff = ext_mul_base(ext_sub(a, b), t);
    cur[k] = ext_add(sum, ext_mul(beta, diff));
    t = bb_mul(t, winv);
  }
}

static ext_t fold_point(ext_t a, ext_t b, bb_t x, ext_t beta) {
  bb_t inv2 = bb_inv(bb_from_u32(2));
  ext_t sum = ext_mul_base(ext_add(a, b), inv2);
  ext_t diff = ext_mul_base(ext_sub(a, b), bb_inv(bb_double(x)));
  return ext_add(sum, ext_mul(beta, diff));
}

/* Layer i's committed matrix: R = N_i / a rows of a ext values (4a base
 * columns); row r holds F_i at indices r, r + R, ..., r + (a-1) R, the a
 * points x_r w_a^t that fold into index r of the next layer. */
int fri_prove(const fri_params *p, chal_state *ch, const ext_t *evals, unsigned log_n, bb_t shift,
              int threads, fri_proof *proof, size_t *indices, double *ms) {
  return fri_prove_backend(p, FRI_BACKEND_CPU, ch, evals, log_n, shift, threads, proof, indices, ms,
                           NULL);
}

/* The prover on either backend; with CUDA the first layer is d_evals (device,
 * read only) when not NULL, else evals uploaded. */
static int prove_core(const fri_params *p, fri_backend backend, chal_state *ch, const ext_t *evals,
                      const bb_t *d_evals, unsigned log_n, bb_t shift, int threads, fri_proof *proof,
                      size_t *indices, double *ms, int *device_rc) {
  if (!p || !ch || (!evals && !d_evals) || !proof || !indices) return FRI_ERR_ARG;
  if (backend != FRI_BACKEND_CPU && backend != FRI_BACKEND_CUDA) return FRI_ERR_ARG;
  if (check_shape(p, log_n) != FRI_OK) return FRI_ERR_ARG;
  memset(proof, 0, sizeof *proof);
  double t0 = now_ms();
  unsigned L = fri_num_layers(p, log_n);
  size_t N = (size_t)1 << log_n, flen = fri_final_len(p, log_n);
  size_t pd = fri_path_digests(p, log_n), rv = fri_row_values(p, log_n);
  unsigned Q = p->num_queries;
  int rc = FRI_ERR_NOMEM, cuda = backend == FRI_BACKEND_CUDA, drc = CU_OK;

  merkle_tree **trees = cuda ? NULL : calloc(L ? L : 1, sizeof *trees);
  cu_merkle_tree **ctrees = cuda ? calloc(L ? L : 1, sizeof *ctrees) : NULL;
  bb_t **mats = cuda ? NULL : calloc(L ? L : 1, sizeof *mats);
  /* CUDA: layer i's values (natural order) in d_lay[i], i <= L; d_lay[0] is
   * d_evals when given (not owned: own0 = 0). Every layer stays on the
   * device until the queries are answered, its tree pointing into it. */
  bb_t **d_lay = cuda ? calloc(L + 1, sizeof *d_lay) : NULL;
  int own0 = 1;
  ext_t *cur = cuda ? NULL : malloc(sizeof *cur * N);
  bb_t *fin = NULL, *obuf = NULL;
  size_t *oidx = NULL;
  merkle_digest *opath = NULL;
  proof->log_n = log_n;
  proof->log_arity = fri_log_arity(p);
  proof->num_layers = L;
  proof->num_queries = Q;
  proof->final_len = flen;
  proof->roots = calloc(L ? L : 1, sizeof *proof->roots);
  proof->final_poly = calloc(flen, sizeof *proof->final_poly);
  proof->rows = calloc((size_t)Q * rv + 1, sizeof *proof->rows);
  proof->paths = calloc((size_t)Q * pd + 1, sizeof *proof->paths);
  if ((cuda ? !ctrees || !d_lay : !trees || !mats || !cur) || !proof->roots || !proof->final_poly ||
      !proof->rows || !proof->paths)
    goto out;
  if (cuda) {
    if (d_evals) {
      d_lay[0] = (bb_t *)d_evals;
      own0 = 0;
    } else {
      drc = cu_malloc(&d_lay[0], N * EXT_DEGREE);
      if (drc == CU_OK) drc = cu_upload(d_lay[0], evals[0].v, N * EXT_DEGREE);
      if (drc != CU_OK) goto device_failed;
    }
  } else {
    memcpy(cur, evals, sizeof *cur * N); /* the CPU backend is only reached with evals */
  }

  bb_t s = shift;
  for (unsigned i = 0; i < L; i++) {
    unsigned ls, la;
    fri_layer_shape(p, log_n, i, &ls, &la);
    size_t a = (size_t)1 << la, R = (size_t)1 << (ls - la);
    if (cuda) {
      /* the layer: matrix t = block t of R ext values, whose concatenated
       * rows are the CPU's R x 4a matrix */
      merkle_matrix dm[1u << FRI_MAX_LOG_ARITY];
      for (size_t t = 0; t < a; t++) dm[t] = (merkle_matrix){d_lay[i] + t * R * EXT_DEGREE, EXT_DEGREE, R};
      drc = cu_merkle_tree_build_dev(dm, a, &ctrees[i]);
      if (drc != CU_OK) goto device_failed;
      cu_merkle_tree_root(ctrees[i], &proof->roots[i]);
    } else {
      bb_t *m = malloc(sizeof *m * R * a * EXT_DEGREE);
      if (!m) goto out;
      mats[i] = m;
      for (size_t r = 0; r < R; r++)
        for (size_t t = 0; t < a; t++) memcpy(m + (r * a + t) * 4, cur[r + t * R].v, sizeof cur[0].v);
      merkle_matrix mm = {m, a * EXT_DEGREE, R};
      if (merkle_build(&mm, 1, MERKLE_POSEIDON2, threads, &trees[i]) != MERKLE_OK) {
        rc = FRI_ERR_INTERNAL;
        goto out;
      }
      merkle_root(trees[i], &proof->roots[i]);
    }
    chal_observe_digest(ch, &proof->roots[i]);
    ext_t beta = chal_sample_ext(ch);
    /* Folding by 2^la with beta = la folds by 2 with beta, beta^2, beta^4, ...
     * CUDA: the first fold out of layer i into layer i + 1, the others there
     * in place. */
    if (cuda) {
      drc = cu_malloc(&d_lay[i + 1], ((size_t)1 << (ls - 1)) * EXT_DEGREE);
      if (drc != CU_OK) goto device_failed;
    }
    for (unsigned k = 0; k < la; k++) {
      if (cuda) {
        drc = cu_fri_fold_dev(k ? d_lay[i + 1] : d_lay[i], ls - k, s, beta, d_lay[i + 1]);
        if (drc != CU_OK) goto device_failed;
      } else {
        fold_layer(cur, N >> (log_n - ls + k + 1), ls - k, s, beta);
      }
      beta = ext_square(beta);
      s = bb_square(s);
    }
  }

  /* Final layer: M values on s*<w_M>; interpolate and keep the low coefficients. */
  unsigned log_m = log_n;
  for (unsigned i = 0; i < L; i++) {
    unsigned ls, la;
    fri_layer_shape(p, log_n, i, &ls, &la);
    log_m = ls - la;
  }
  size_t M = (size_t)1 << log_m;
  fin = malloc(sizeof *fin * M * EXT_DEGREE);
  if (!fin) goto out;
  if (cuda) {
    drc = cu_download(fin, d_lay[L], M * EXT_DEGREE);
    if (drc != CU_OK) goto device_failed;
  } else {
    for (size_t k = 0; k < M; k++) memcpy(fin + 4 * k, cur[k].v, sizeof cur[k].v);
  }
  if (ntt_coset_idft(fin, log_m, EXT_DEGREE, s, NTT_ORDER_NATURAL, threads) != NTT_OK) {
    rc = FRI_ERR_INTERNAL;
    goto out;
  }
  for (size_t k = 0; k < flen; k++) {
    memcpy(proof->final_poly[k].v, fin + 4 * k, sizeof proof->final_poly[k].v);
    chal_observe_ext(ch, proof->final_poly[k]);
  }

  if (chal_grind_threads(ch, p->pow_bits, threads, &proof->pow_witness) != 0) {
    rc = FRI_ERR_INTERNAL;
    goto out;
  }
  double t1 = now_ms();
  for (unsigned q = 0; q < Q; q++) indices[q] = chal_sample_bits(ch, log_n);

  if (cuda) {
    /* every query's opening of layer i in one gather: row indices, then
     * rows and paths scattered to their places in the proof */
    oidx = malloc(sizeof *oidx * (Q ? Q : 1));
    obuf = malloc(sizeof *obuf * ((size_t)Q * ((size_t)EXT_DEGREE << FRI_MAX_LOG_ARITY) + 1));
    opath = malloc(sizeof *opath * ((size_t)Q * log_n + 1));
    if (!oidx || !obuf || !opath) goto out;
    for (unsigned q = 0; q < Q; q++) oidx[q] = indices[q];
    size_t roff = 0, poff = 0;
    for (unsigned i = 0; i < L; i++) {
      unsigned ls, la;
      fri_layer_shape(p, log_n, i, &ls, &la);
      size_t a = (size_t)1 << la, R = (size_t)1 << (ls - la), plen = ls - la;
      for (unsigned q = 0; q < Q; q++) oidx[q] &= R - 1;
      drc = cu_merkle_tree_open_many(ctrees[i], oidx, Q, obuf, opath);
      if (drc != CU_OK) goto device_failed;
      for (unsigned q = 0; q < Q; q++) {
        ext_t *pr = proof->rows + (size_t)q * rv + roff;
        for (size_t t = 0; t < a; t++) memcpy(pr[t].v, obuf + (q * a + t) * 4, sizeof pr[t].v);
        memcpy(proof->paths + (size_t)q * pd + poff, opath + q * plen, plen * sizeof *opath);
      }
      roff += a;
      poff += plen;
    }
  } else {
    for (unsigned q = 0; q < Q; q++) {
      size_t idx = indices[q];
      merkle_digest *path = proof->paths + (size_t)q * pd;
      ext_t *pr = proof->rows + (size_t)q * rv;
      for (unsigned i = 0; i < L; i++) {
        unsigned ls, la;
        fri_layer_shape(p, log_n, i, &ls, &la);
        size_t a = (size_t)1 << la, R = (size_t)1 << (ls - la), row = idx & (R - 1);
        bb_t buf[(1u << FRI_MAX_LOG_ARITY) * EXT_DEGREE];
        if (merkle_open(trees[i], row, buf, path) != MERKLE_OK) {
          rc = FRI_ERR_INTERNAL;
          goto out;
        }
        for (size_t t = 0; t < a; t++) memcpy(pr[t].v, buf + 4 * t, sizeof pr[t].v);
        pr += a;
        path += ls - la;
        idx = row;
      }
    }
  }
  if (ms) {
    ms[0] = t1 - t0;
    ms[1] = now_ms() - t1;
  }
  rc = FRI_OK;
  goto out;

device_failed:
  rc = FRI_ERR_DEVICE;
  if (device_rc) *device_rc = drc;
out:
  if (ctrees)
    for (unsigned i = 0; i < L; i++) cu_merkle_tree_free(ctrees[i]);
  if (d_lay)
    for (unsigned i = 0; i <= L; i++)
      if (i || own0) cu_free(d_lay[i]);
  free(d_lay);
  free(ctrees);
  if (trees)
    for (unsigned i = 0; i < L; i++) merkle_free(trees[i]);
  if (mats)
    for (unsigned i = 0; i < L; i++) free(mats[i]);
  free(trees);
  free(mats);
  free(cur);
  free(fin);
  free(oidx);
  free(obuf);
  free(opath);
  if (rc != FRI_OK) fri_proof_free(proof);
  return rc;
}

int fri_prove_backend(const fri_params *p, fri_backend backend, chal_state *ch, const ext_t *evals,
                      unsigned log_n, bb_t shift, int threads, fri_proof *proof, size_t *indices,
                      double *ms, int *device_rc) {
  if (!evals) return FRI_ERR_ARG;
  return prove_core(p, backend, ch, evals, NULL, log_n, shift, threads, proof, indices, ms, device_rc);
}

int fri_prove_dev(const fri_params *p, chal_state *ch, const bb_t *d_evals, unsigned log_n, bb_t shift,
                  int threads, fri_proof *proof, size_t *indices, double *ms, int *device_rc) {
  if (!d_evals) return FRI_ERR_ARG;
  return prove_core(p, FRI_BACKEND_CUDA, ch, NULL, d_evals, log_n, shift, threads, proof, indices, ms,
                    device_rc);
}

int fri_verify(const fri_params *p, chal_state *ch, const fri_proof *proof, unsigned log_n,
               bb_t shift, fri_open_fn open, void *ctx) {
  if (!p || !ch || !proof || !open) return FRI_ERR_ARG;
  if (check_shape(p, log_n) != FRI_OK) return FRI_ERR_ARG;
  unsigned L = fri_num_layers(p, log_n);
  size_t flen = fri_final_len(p, log_n);
  size_t pd = fri_path_digests(p, log_n), rv = fri_row_values(p, log_n);
  unsigned Q = p->num_queries;
  if (proof->log_n != log_n || proof->log_arity != fri_log_arity(p) || proof->num_layers != L ||
      proof->num_queries != Q || proof->final_len != flen || (L && !proof->roots) ||
      !proof->final_poly || (L && (!proof->rows || !proof->paths)))
    return FRI_ERR_ARG;

  ext_t betas[BB_TWO_ADICITY + 1];
  for (unsigned i = 0; i < L; i++) {
    chal_observe_digest(ch, &proof->roots[i]);
    betas[i] = chal_sample_ext(ch);
  }
  for (size_t k = 0; k < flen; k++) chal_observe_ext(ch, proof->final_poly[k]);
  if (!chal_check_witness(ch, p->pow_bits, proof->pow_witness)) return FRI_ERR_VERIFY;

  size_t *idx = malloc(sizeof *idx * Q);
  if (!idx) return FRI_ERR_NOMEM;
  for (unsigned q = 0; q < Q; q++) idx[q] = chal_sample_bits(ch, log_n);

  int rc = FRI_OK;
  unsigned log_m = log_n;
  for (unsigned q = 0; q < Q && rc == FRI_OK; q++) {
    ext_t v;
    if (open(ctx, q, idx[q], &v) != 0) {
      rc = FRI_ERR_VERIFY;
      break;
    }
    size_t cur = idx[q];
    bb_t s = shift;
    const merkle_digest *path = proof->paths + (size_t)q * pd;
    const ext_t *pr = proof->rows + (size_t)q * rv;
    log_m = log_n;
    for (unsigned i = 0; i < L && rc == FRI_OK; i++) {
      unsigned ls, la;
      fri_layer_shape(p, log_n, i, &ls, &la);
      size_t a = (size_t)1 << la, R = (size_t)1 << (ls - la), row = cur & (R - 1);
      /* the value carried from the previous layer sits at slot cur / R */
      if (!ext_eq(pr[cur >> (ls - la)], v)) {
        rc = FRI_ERR_VERIFY;
        break;
      }
      bb_t buf[(1u << FRI_MAX_LOG_ARITY) * EXT_DEGREE];
      ext_t vals[1u << FRI_MAX_LOG_ARITY];
      for (size_t t = 0; t < a; t++) {
        vals[t] = pr[t];
        memcpy(buf + 4 * t, pr[t].v, sizeof pr[t].v);
      }
      for (size_t k = 0; k < a * EXT_DEGREE; k++)
        if (buf[k] >= BB_P) rc = FRI_ERR_VERIFY;
      merkle_dims dims = {a * EXT_DEGREE, R};
      if (rc != FRI_OK ||
          merkle_verify(MERKLE_POSEIDON2, &proof->roots[i], &dims, 1, row, buf, path) != MERKLE_OK) {
        rc = FRI_ERR_VERIFY;
        break;
      }
      /* la folds by 2: at step k, vals[t] is the value at index row + t R of
       * the domain s_k <w> of size 2^(ls-k), and its partner is t + len/2. */
      ext_t beta = betas[i];
      for (unsigned k = 0, len = (unsigned)a; k < la; k++, len /= 2) {
        bb_t w = bb_two_adic_generator(ls - k);
        for (unsigned t = 0; t < len / 2; t++) {
          bb_t x = bb_mul(s, bb_pow(w, row + t * R));
          vals[t] = fold_point(vals[t], vals[t + len / 2], x, beta);
        }
        beta = ext_square(beta);
        s = bb_square(s);
      }
      v = vals[0];
      cur = row;
      path += ls - la;
      pr += a;
      log_m = ls - la;
    }
    if (rc != FRI_OK) break;
    bb_t x = bb_mul(s, bb_pow(bb_two_adic_generator(log_m), cur));
    if (!ext_eq(fri_poly_eval(proof->final_poly, flen, ext_from_base(x)), v)) rc = FRI_ERR_VERIFY;
  }
  free(idx);
  return rc;
}
