/* fri: the FRI low-degree test over the degree-4 extension, folding by 2 or 4.
 *
 * Statement. The prover holds F: D -> ext on the coset D = shift * <w_N>,
 * N = 2^log_n, and claims deg F < N / 2^log_blowup. The verifier gets F's
 * values only at the query points, through a callback (the STARK computes them
 * from its own Merkle openings); FRI binds them to its first committed layer.
 *
 * Folding. With F(X) = sum_{j<a} X^j G_j(X^a), folding by a = 2^k with a
 * challenge beta gives sum_j beta^j G_j(Y) on the a-th powers of the domain;
 * it equals k folds by 2 with beta, beta^2, beta^4, ..., where one fold by 2 is
 *     F'(x^2) = (F(x) + F(-x))/2 + beta (F(x) - F(-x))/(2x).
 * The total folding is d = max(0, log_n - log_blowup - log_final_len) bits,
 * done in L = ceil(d / k) layers of arity 2^k (the last one smaller when k
 * does not divide d); fri_layer_shape gives each layer's size and arity.
 *
 * Commit phase. Layer i is F_i on D_i = s_i * <w_{N_i}> (F_0 = F, s_0 = shift,
 * natural order), committed with the Merkle module as one matrix of
 * R_i = N_i / a_i rows by 4 a_i base columns: row r = (F_i at indices r, r + R_i,
 * ..., r + (a_i - 1) R_i), exactly the points that fold into index r of layer
 * i+1. The prover observes the root, samples beta_i (ext) and folds. The last
 * F_L (N_L points) is interpolated and its first final_len =
 * 2^(log_n - log_blowup - d) coefficients are sent in the clear and observed.
 * (Coefficients beyond final_len are dropped: if F was not low degree, the
 * final check fails at almost every query.)
 * Grinding: chal_grind(pow_bits), witness in the proof.
 * Query phase: num_queries indices of log_n bits each are sampled. For index q
 * the verifier takes F(x_q) from the callback and, for each layer, checks that
 * the opened row (index q mod R_i) holds the value it carries at slot
 * q / R_i, checks the row against the root, folds, and finally compares with
 * the final polynomial evaluated at s_L w_{N_L}^(q mod N_L).
 *
 * Transcript order (prover and verifier): for each layer: observe root, sample
 * beta; observe the final coefficients; grind/check the witness; sample the
 * query indices.
 *
 * Conjectured security (the ethSTARK / Plonky3 conjecture, up to the
 * extension's 124-bit size): num_queries * log_blowup + pow_bits bits; the
 * arity does not change it.
 */
#ifndef PKB_FRI_FRI_H
#define PKB_FRI_FRI_H

#include <stddef.h>
#include <stdint.h>

#include "commit/merkle.h"
#include "field/bb.h"
#include "field/ext.h"
#include "fri/challenger.h"

enum {
  FRI_OK = 0,
  FRI_ERR_ARG = -1,    /* bad parameters or sizes */
  FRI_ERR_NOMEM = -2,
  FRI_ERR_VERIFY = -3, /* the proof does not verify */
  FRI_ERR_INTERNAL = -4,
  FRI_ERR_DEVICE = -5  /* the CUDA backend failed (fri_prove_backend) */
};

/* Where the prover folds and commits its layers. */
typedef enum { FRI_BACKEND_CPU = 0, FRI_BACKEND_CUDA = 1 } fri_backend;

#define FRI_MAX_QUERIES 512
#define FRI_MAX_POW_BITS 24
#define FRI_MAX_LOG_BLOWUP 4
#define FRI_MAX_LOG_FINAL 10
#define FRI_MAX_LOG_ARITY 2

typedef struct {
  unsigned log_blowup;    /* 1 .. FRI_MAX_LOG_BLOWUP */
  unsigned num_queries;   /* 1 .. FRI_MAX_QUERIES */
  unsigned pow_bits;      /* 0 .. FRI_MAX_POW_BITS */
  unsigned log_final_len; /* 0 .. FRI_MAX_LOG_FINAL */
  unsigned log_arity;     /* 0 or 1: fold by 2; 2: fold by 4 (FRI_MAX_LOG_ARITY) */
} fri_params;

/* Parameters for a conjectured `bits` of security with the given blowup:
 * pow_bits = 16 (fewer when bits is small), num_queries = ceil((bits - pow_bits)
 * / log_blowup), log_final_len = 3, log_arity = 1. */
fri_params fri_params_for(unsigned log_blowup, unsigned bits);

/* Conjectured security bits: num_queries * log_blowup + pow_bits. */
unsigned fri_security_bits(const fri_params *p);

/* 0 when p is within the ranges above, FRI_ERR_ARG otherwise. */
int fri_params_check(const fri_params *p);

/* Effective log arity: 1 for log_arity 0 or 1, else log_arity. */
unsigned fri_log_arity(const fri_params *p);

/* Shapes for a domain of 2^log_n: committed layers, final coefficients, and
 * for layer i < L its domain (2^*log_size points) and arity (2^*log_arity). */
unsigned fri_num_layers(const fri_params *p, unsigned log_n);
size_t fri_final_len(const fri_params *p, unsigned log_n);
void fri_layer_shape(const fri_params *p, unsigned log_n, unsigned i, unsigned *log_size,
                     unsigned *log_arity);
/* Per query, over all layers: path digests (sum of log_size - log_arity) and
 * opened ext values (sum of 2^log_arity). */
size_t fri_path_digests(const fri_params *p, unsigned log_n);
size_t fri_row_values(const fri_params *p, unsigned log_n);

typedef struct {
  unsigned log_n;          /* the domain the proof is for */
  unsigned log_arity;      /* effective, fri_log_arity */
  unsigned num_layers;     /* L */
  unsigned num_queries;
  merkle_digest *roots;    /* L layer roots */
  ext_t *final_poly;       /* final_len coefficients, constant term first */
  size_t final_len;
  bb_t pow_witness;
  ext_t *rows;             /* num_queries * fri_row_values: per query, layer 0 first, a_i values each */
  merkle_digest *paths;    /* num_queries * fri_path_digests, same order */
} fri_proof;

void fri_proof_free(fri_proof *p); /* frees the arrays; p itself is the caller's */

/* Prove. evals: the N values of F in natural order (not modified). ch: the
 * transcript after everything the verifier has observed so far. On success
 * *proof is filled (free with fri_proof_free) and indices[0..num_queries) holds
 * the query indices (each < N) at which the caller must open its own
 * commitments. log_n >= log_blowup, log_n <= 27. threads as in merkle_build.
 * ms (may be NULL) receives two wall-clock times in milliseconds: ms[0] the
 * commit phase (folding, layer commitments, final polynomial, grinding), ms[1]
 * the query phase (sampling indices, layer openings).
 * Returns FRI_OK, FRI_ERR_ARG, FRI_ERR_NOMEM, FRI_ERR_INTERNAL. */
int fri_prove(const fri_params *p, chal_state *ch, const ext_t *evals, unsigned log_n, bb_t shift,
              int threads, fri_proof *proof, size_t *indices, double *ms);

/* fri_prove with the commit phase on a backend: FRI_BACKEND_CPU is fri_prove;
 * FRI_BACKEND_CUDA (cuda/cu.h) uploads evals once, commits every layer and
 * folds on the device, where the layers and their trees stay until the
 * openings are gathered there (one copy back per layer), and interpolates
 * the final layer and grinds on the host. The proof and indices are byte-identical to fri_prove's. Besides
 * fri_prove's codes it returns FRI_ERR_DEVICE when a CUDA call fails (no
 * device, out of device memory, kernel failure): the CU_* code goes to
 * *device_rc when device_rc is not NULL, cu_last_error_string() has the
 * runtime's message, and no proof is produced. */
int fri_prove_backend(const fri_params *p, fri_backend backend, chal_state *ch, const ext_t *evals,
                      unsigned log_n, bb_t shift, int threads, fri_proof *proof, size_t *indices,
                      double *ms, int *device_rc);

/* The CUDA backend with the evaluations already in device memory: d_evals,
 * 4N words from cu_malloc (ext values in natural order), read only; the rest
 * as fri_prove_backend(FRI_BACKEND_CUDA). */
int fri_prove_dev(const fri_params *p, chal_state *ch, const bb_t *d_evals, unsigned log_n, bb_t shift,
                  int threads, fri_proof *proof, size_t *indices, double *ms, int *device_rc);

/* The verifier's source of F at a query point: write F(shift * w_N^index) to
 * *value, after checking whatever openings the caller holds for query number
 * `query`. Return 0, or non-zero to reject. */
typedef int (*fri_open_fn)(void *ctx, unsigned query, size_t index, ext_t *value);

/* Verify. Makes the same transcript calls as fri_prove; calls open once per
 * query, in query order. Returns FRI_OK, FRI_ERR_ARG (parameters, or a proof
 * whose shape does not match them), FRI_ERR_VERIFY. */
int fri_verify(const fri_params *p, chal_state *ch, const fri_proof *proof, unsigned log_n,
               bb_t shift, fri_open_fn open, void *ctx);

/* Folding and domain helpers shared with the STARK and the tests. */
/* Evaluate a polynomial with ext coefficients (constant first) at an ext point. */
ext_t fri_poly_eval(const ext_t *coeffs, size_t n, ext_t x);
/* out[i] = in[i]^-1 (Montgomery's trick); zero in -> zero out. out may equal in
 * exactly; no other overlap. Cannot fail. */
void fri_ext_batch_inv(ext_t *out, const ext_t *in, size_t n);

#endif
