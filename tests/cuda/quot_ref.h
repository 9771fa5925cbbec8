/* quot_ref: the quotient's evaluations computed the slow, direct way on the
 * host (a reference for cu_quotient_dev), and the check that the device's
 * equal them word for word. Written from the definitions in stark/air.h and
 * cuda/cu.h, not from the prover's loop: the LDE by ntt_coset_lde, every
 * selector and Z_H(x) = x^n - 1 by its own inversion and power, the
 * constraints by the AIR's eval_ext (the definition) folded by Horner with
 * alpha. Included by the tests that need it (static functions). */
#ifndef PKB_TESTS_CUDA_QUOT_REF_H
#define PKB_TESTS_CUDA_QUOT_REF_H

#include <stdlib.h>
#include <string.h>

#include "cuda/cu.h"
#include "ntt/ntt.h"
#include "stark/air.h"

/* out: n qc ext values; lde: the N x w coset LDE of the trace on s <w_N>. */
static void quot_ref(const stark_air *air, const bb_t *lde, unsigned log_n, unsigned log_blowup,
                     unsigned qc, const bb_t *pub, ext_t alpha, ext_t *out) {
  unsigned w = air->width, log_qc = 0;
  while ((1u << log_qc) < qc) log_qc++;
  size_t n = (size_t)1 << log_n, N = n << log_blowup, nq = n << log_qc, B = (size_t)1 << log_blowup;
  bb_t s = bb_generator(), w_nq = bb_two_adic_generator(log_n + log_qc);
  bb_t ginv = bb_inv(bb_two_adic_generator(log_n));
  ext_t *lx = malloc(2 * w * sizeof *lx);
  assert_non_null(lx);
  for (size_t j = 0; j < nq; j++) {
    bb_t x = bb_mul(s, bb_pow(w_nq, j));
    size_t r = j * (N / nq);
    for (unsigned k = 0; k < w; k++) {
      lx[k] = ext_from_base(lde[r * w + k]);
      lx[w + k] = ext_from_base(lde[((r + B) % N) * w + k]);
    }
    bb_t zh = bb_sub(bb_pow(x, n), BB_ONE);
    stark_eval_ext e = {lx, lx + w, pub,
                        ext_from_base(bb_mul(zh, bb_inv(bb_sub(x, BB_ONE)))),
                        ext_from_base(bb_mul(zh, bb_inv(bb_sub(x, ginv)))),
                        ext_from_base(bb_sub(x, ginv)), alpha, ext_zero(), 0, -1};
    air->eval_ext(air, &e);
    assert_int_equal(e.count, air->num_constraints);
    out[j] = ext_mul_base(e.acc, bb_inv(zh));
  }
  free(lx);
}

/* The device's quotient (cu_quotient_dev on the current executor) of a
 * trace of 2^log_n rows equals quot_ref's, element for element. Returns the
 * device's values (n qc, malloc'd) for further comparisons. */
static ext_t *quot_check(const stark_air *air, const bb_t *trace, unsigned log_n, unsigned log_blowup,
                         unsigned qc, const bb_t *pub, ext_t alpha) {
  int kid = cu_air_kernel(air->name, air->width, air->num_public, air->num_constraints);
  assert_true(kid > 0);
  unsigned w = air->width, m = air->num_constraints, log_qc = 0;
  while ((1u << log_qc) < qc) log_qc++;
  size_t N = (size_t)1 << (log_n + log_blowup), nq = (size_t)1 << (log_n + log_qc);
  bb_t s = bb_generator();
  bb_t *lde = malloc(N * w * sizeof *lde);
  ext_t *ref = malloc(nq * sizeof *ref), *dev = malloc(nq * sizeof *dev);
  ext_t *ap = malloc(m * sizeof *ap);
  assert_true(lde && ref && dev && ap);
  assert_int_equal(ntt_coset_lde(trace, log_n, w, log_blowup, s, lde, NTT_ORDER_NATURAL, 1), NTT_OK);
  ap[m - 1] = ext_one();
  for (unsigned i = m - 1; i-- > 0;) ap[i] = ext_mul(ap[i + 1], alpha);
  bb_t *d_lde, *d_q;
  assert_int_equal(cu_malloc(&d_lde, N * w), CU_OK);
  assert_int_equal(cu_malloc(&d_q, nq * 4), CU_OK);
  assert_int_equal(cu_upload(d_lde, lde, N * w), CU_OK);
  int rc = cu_quotient_dev(kid, d_lde, log_n, log_blowup, qc, w, s, ap, m, pub, air->num_public, d_q);
  if (rc != CU_OK) fail_msg("%s 2^%u: cu_quotient_dev %s (%s)", air->name, log_n, cu_strerror(rc),
                            cu_last_error_string());
  assert_int_equal(cu_download(dev[0].v, d_q, nq * 4), CU_OK);
  cu_free(d_lde);
  cu_free(d_q);
  quot_ref(air, lde, log_n, log_blowup, qc, pub, alpha, ref);
  for (size_t j = 0; j < nq; j++)
    if (!ext_eq(ref[j], dev[j]))
      fail_msg("%s 2^%u blowup %u qc %u: quotient differs at point %zu of %zu", air->name, log_n,
               1u << log_blowup, qc, j, nq);
  free(lde);
  free(ref);
  free(ap);
  return dev;
}

#endif
