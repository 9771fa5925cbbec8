/* stark: the uni-STARK prover and verifier for one AIR (stark/air.h), with
 * FRI (fri/fri.h) as the low-degree test and Poseidon2 Merkle commitments.
 *
 * Notation: n = 2^log_n trace rows, H = <g> with g = w_n, w = air width,
 * B = 2^log_blowup, N = n B, LDE domain D = s * <w_N> with s = 31 (natural
 * order), qc = stark_air_quotient_chunks(air) <= B.
 *
 * Prover, in transcript order (the verifier repeats every observe/sample):
 *  1. observe label "pkb-stark-v1", the AIR name, (log_n, w, qc, num_public,
 *     log_blowup, num_queries, pow_bits, log_final_len, effective log_arity,
 *     num_constraints, max_degree) and the public values;
 *  2. LDE of the trace to D; commit (one N x w matrix); observe the root;
 *  3. sample alpha (ext); evaluate the folded constraints C on the quotient
 *     domain s * <w_{n qc}> (every B/qc-th point of D), divide by
 *     Z_H(x) = x^n - 1, interpolate Q (degree < n qc), split
 *     Q(x) = sum_i x^(i n) Q_i(x), each Q_i of degree < n with 4 base
 *     coordinate polynomials; LDE and commit them (one N x 4qc matrix);
 *     observe the root;
 *  4. sample zeta (ext; one in the base field, probability ~2^-93, makes the
 *     prover fail with STARK_ERR_INTERNAL and the verifier reject); open every trace column at zeta and zeta g and every
 *     quotient column at zeta; observe these values (trace at zeta, trace at
 *     zeta g, quotient at zeta);
 *  5. sample gamma (ext); build the DEEP quotient on D
 *       F(x) = sum_j gamma^j (f_j(x) - f_j(zeta))/(x - zeta)
 *            + gamma^W sum_{j<w} gamma^j (t_j(x) - t_j(zeta g))/(x - zeta g)
 *     (f_j: trace columns then quotient columns, W = w + 4qc), of degree < n;
 *  6. FRI on F (blowup B); at each query index open the trace and the quotient
 *     trees.
 * Verifier: checks the shapes, replays the transcript, checks
 *     folded_constraints(zeta) == Z_H(zeta) * sum_i zeta^(i n) Q_i(zeta)
 * and runs the FRI verifier with F(x_q) computed from the opened rows (each
 * checked against its root).
 *
 * Zero knowledge: none (no blinding); this is a workload instrument.
 * Soundness: conjectured fri_security_bits(params), capped by the extension
 * field (~124 bits) and by the AIR's own soundness (see air.h on add256).
 *
 * Proof bytes (all integers little-endian; a field element is its canonical
 * value as u32 and must be < p; an ext is 4 of them; a digest is 8), with
 * log_N = log_n + log_blowup:
 *   magic "PKBS", u32 version (1), u8 log_n, u8 log_blowup, u8 log_arity
 *   (effective, 1 or 2), u32 width, u32 qc, u32 num_queries, u8 num_layers,
 *   u32 final_len (a power of two; with the rest it fixes every FRI shape),
 *   digest trace_root, digest quotient_root,
 *   ext trace_zeta[w], ext trace_zeta_next[w], ext quotient_zeta[4qc],
 *   digest fri_roots[num_layers], ext final_poly[final_len], elem pow_witness,
 *   per query: elem trace_row[w], digest trace_path[log_N],
 *              elem quotient_row[4qc], digest quotient_path[log_N],
 *              per layer i (fri_layer_shape: 2^la_i values, domain 2^ls_i):
 *                ext row[2^la_i], digest path[ls_i - la_i].
 * Deserialisation is strict: exact length, canonical elements, header values
 * in range; any other byte string is STARK_ERR_FORMAT. The verifier then
 * checks the header against the AIR and the FRI parameters.
 *
 * Lookup argument (LogUp, air.h: stark_interaction). When a proof is made with
 * k >= 1 interactions (stark_prove_lookup) the protocol gains an auxiliary
 * trace. Interactions are batched: taken in order, in groups of up to G
 * (stark_lookup_group; group j holds interactions jG .. min(k, (j+1)G) - 1),
 * and each of the c = ceil(k/G) groups takes one extension column; one more
 * holds the running sum. The aux trace is c + 1 extension columns,
 * aw = 4(c+1) base columns (the four coordinates of each ext value, like the
 * quotient's):
 *   h_j(r) = sum_{i in group j} sign_i m_i(r) / (beta - fp_i(r))   (j < c),
 *   S(r)   = sum_{r' <= r} sum_j h_j(r')       (running sum, column c).
 * Batching rule. With d_i = beta - fp_i, group j is constrained by
 *   h_j prod_{i in j} d_i - sum_{i in j} sign_i m_i prod_{l in j, l != i} d_l,
 * of degree |group| + 1 (h, every d_i and every m_i are linear in the row).
 * The AIR's max_degree fixes qc = stark_air_quotient_chunks(air), and the
 * quotient has room for constraints of degree up to qc + 1; so
 * G = qc (capped by STARK_MAX_LOOKUP_GROUP and by a non-zero
 * stark_lookup.max_group), and the lookup never changes the number of quotient
 * chunks: max_degree <= 2 gives G = 1 (one column per interaction, as a
 * degree-2 constraint), 3 gives G = 2, 4 or 5 give G = 4.
 * The transcript, after step 1, observes the label "pkb-logup-v2", k, G and
 * every interaction (bus, direction, each linear combination's terms and
 * constant); after the trace root (step 2) it observes the flag 1 and the
 * caller's (beta, gamma) when they are given (cross-shard use), else the flag
 * 0 and samples beta then gamma; the aux matrix is LDE'd and committed like
 * the trace (one N x aw matrix); its root and the cumulative sum S(n-1) are
 * observed before alpha. The folded constraints continue, after the AIR's m,
 * with c + 3 more, in this order (stark_lookup_eval is their definition):
 *   the group constraint above                      (j < c, every row)
 *   is_first_row  (S - sum_j h_j)
 *   is_transition (S' - S - sum_j h_j')
 *   is_last_row   (S - cumulative_sum).
 * Step 4 also opens every aux base column at zeta and zeta g (observed after
 * the quotient's values); the DEEP quotient's first sum runs over trace,
 * quotient, then aux columns (W = w + 4qc + aw) and its second over trace then
 * aux columns; each query opens the aux tree too.
 * Proof bytes, version 2 (only when k >= 1; without interactions the proof,
 * transcript and bytes are exactly version 1's): the version-1 layout with
 *   after final_len:      u32 aux_width (aw = 4(c+1), a multiple of 4,
 *                         8 <= aw <= STARK_AUX_WIDTH(STARK_MAX_INTERACTIONS, 1);
 *                         G is not written: the verifier derives it from the
 *                         AIR and the lookup, and a proof whose aw is not
 *                         4(ceil(k/G)+1) is refused)
 *   after quotient_root:  digest aux_root, ext cumulative_sum
 *   after quotient_zeta:  ext aux_zeta[aw], ext aux_zeta_next[aw]
 *   per query, after quotient_path: elem aux_row[aw], digest aux_path[log_N].
 */
#ifndef PKB_STARK_STARK_H
#define PKB_STARK_STARK_H

#include <stddef.h>
#include <stdint.h>

#include "commit/merkle.h"
#include "fri/fri.h"
#include "stark/air.h"

#define STARK_PROOF_VERSION 1        /* proofs without a lookup argument */
#define STARK_PROOF_VERSION_LOOKUP 2 /* proofs with one */
#define STARK_MAX_LOG_ROWS 26

/* One more status code (the others are in stark/air.h): a CUDA call of the
 * CUDA backend failed (no device, out of device memory, kernel or copy
 * failure). No proof is produced; stark_timings.device_rc holds the CU_*
 * code (cuda/cu.h: cu_strerror) and cu_last_error_string() the runtime's
 * message. */
enum { STARK_ERR_DEVICE = -8 };

/* Where stark_prove does its heavy lifting (stark_config.backend).
 *   CPU:  every step on the host (ntt/, commit/, fri/).
 *   CUDA: on the GPU (cuda/cu.h): the trace LDE and its Merkle tree, the
 *         constraint evaluation on the quotient domain for an AIR compiled
 *         into a kernel (cu_air_kernel: Fibonacci, add256 and the cpu,
 *         memory and storage tables, whose constraint bodies are shared
 *         with the kernel), the interpolation of the quotient, its chunks'
 *         LDE and Merkle tree, FRI folding and layer commitments. On the
 *         host: the constraint evaluation of any other AIR (a set of C
 *         callbacks, with no GPU form; it reads the downloaded LDE), the
 *         out-of-domain openings, the DEEP quotient, grinding and the query
 *         openings (from host copies of the committed matrices and of the
 *         trees' layers; so the trace LDE is still downloaded once, after
 *         its commitment). stark_timings.quotient_device says which way the
 *         constraints went. The proof is byte-identical to the CPU
 *         backend's. With a lookup argument (stark_prove_lookup) the aux
 *         trace, its LDE and tree, and the constraint evaluation run on the
 *         host (quotient_device is 0); the rest as above. */
typedef enum { STARK_BACKEND_CPU = 0, STARK_BACKEND_CUDA = 1 } stark_backend;

typedef struct {
  unsigned log_n;
  unsigned log_blowup;
  unsigned width;
  unsigned qc;            /* quotient chunks; 4*qc base columns committed */
  unsigned num_queries;
  merkle_digest trace_root, quotient_root;
  ext_t *trace_zeta;      /* width */
  ext_t *trace_zeta_next; /* width */
  ext_t *quotient_zeta;   /* 4*qc */
  bb_t *trace_rows;       /* num_queries * width */
  merkle_digest *trace_paths;    /* num_queries * (log_n + log_blowup) */
  bb_t *quotient_rows;    /* num_queries * 4*qc */
  merkle_digest *quotient_paths; /* num_queries * (log_n + log_blowup) */
  fri_proof fri;
  /* Lookup argument; aux_width 0 (and every pointer NULL) without one. */
  unsigned aux_width;       /* 4 (ceil(k/G)+1) base columns */
  merkle_digest aux_root;
  ext_t cumulative_sum;     /* this shard's LogUp sum (read it after stark_verify_lookup) */
  ext_t *aux_zeta;          /* aux_width */
  ext_t *aux_zeta_next;     /* aux_width */
  bb_t *aux_rows;           /* num_queries * aux_width */
  merkle_digest *aux_paths; /* num_queries * (log_n + log_blowup) */
} stark_proof;

/* Wall-clock phase times (monotonic clock) and peak resident memory. With the
 * CUDA backend each phase includes its copies: lde_ms the trace's upload,
 * trace_commit_ms and quotient_commit_ms the download of the committed
 * matrix and of its tree, fri_commit_ms the upload of the DEEP quotient and
 * the download of every layer. */
typedef struct {
  double lde_ms;             /* trace LDE */
  double trace_commit_ms;    /* Merkle tree of the trace LDE */
  double quotient_ms;        /* constraint evaluation, division, interpolation, chunk LDE */
  double quotient_commit_ms; /* Merkle tree of the quotient chunks */
  double open_ms;            /* evaluations at zeta and zeta g */
  double fri_commit_ms;      /* DEEP quotient, folding, layer commits, grinding */
  double queries_ms;         /* query sampling and all openings */
  double total_ms;
  long peak_rss_kb;          /* getrusage ru_maxrss after proving (process-wide peak) */
  int device_rc;             /* CU_* code (0 = CU_OK); see STARK_ERR_DEVICE */
  int quotient_device;       /* 1: the constraints were evaluated by a device kernel */
  double aux_ms;             /* lookup argument: aux trace, its LDE and commitment (0 without) */
} stark_timings;

/* Prover options. */
typedef struct {
  fri_params fri;
  int threads;     /* for NTT and Merkle: 0 = all cores, 1 = calling thread only */
  int check_trace; /* non-zero: refuse a trace that violates a constraint (STARK_ERR_CONSTRAINT) */
  int backend;     /* stark_backend; a zero-initialised config is STARK_BACKEND_CPU */
} stark_config;

/* Defaults: log_blowup 1, ~100 conjectured bits (fri_params_for(1, 100)),
 * threads 0, check_trace 1, backend CPU. */
stark_config stark_config_default(void);

/* Prove that `trace` (row-major, n = 2^log_n rows of air->width elements)
 * satisfies air with public values pub (air->num_public elements), on
 * cfg->backend (an unknown backend is STARK_ERR_ARG).
 * 1 <= log_n, log_n + log_blowup <= STARK_MAX_LOG_ROWS + FRI_MAX_LOG_BLOWUP and
 * <= 27; stark_air_quotient_chunks(air) <= 2^log_blowup.
 * On success *proof is filled (release with stark_proof_free) and *t (if not
 * NULL) receives the phase times. Without check_trace a bad trace still yields
 * a proof, which does not verify (with overwhelming probability).
 * Returns STARK_OK, STARK_ERR_ARG, STARK_ERR_AIR, STARK_ERR_CONSTRAINT,
 * STARK_ERR_NOMEM, STARK_ERR_INTERNAL, STARK_ERR_DEVICE (CUDA backend only;
 * then *t, if not NULL, is zeroed except t->device_rc). The trace is not
 * modified. */
int stark_prove(const stark_air *air, const stark_config *cfg, const bb_t *trace, unsigned log_n,
                const bb_t *pub, stark_proof *proof, stark_timings *t);

/* The interactions an AIR takes part in, and where the lookup challenges come
 * from. num_interactions 0 (or a NULL stark_lookup) means no lookup argument.
 *   challenges NULL: (beta, gamma) are sampled from the shard's own transcript
 *     after its trace root: the single-table use, e.g. a permutation check
 *     inside one AIR, whose cumulative sum must then be zero;
 *   challenges given: challenges[0] = beta, challenges[1] = gamma, shared by
 *     every shard of every table on the same buses (cross-shard use), and
 *     observed into each transcript. They must be derived from all the
 *     shards' trace roots (stark_lookup_challenges) so that no trace can be
 *     chosen after them; the verifier side derives them again from the
 *     proofs' trace_root fields and checks that the shards' cumulative sums
 *     add to zero. */
typedef struct {
  const stark_interaction *interactions;
  unsigned num_interactions;
  const ext_t *challenges; /* NULL or 2 values */
  unsigned max_group;      /* 0: G as large as the AIR's degree allows; else at most this */
} stark_lookup;

#define STARK_MAX_LOOKUP_GROUP 16 /* interactions per aux column, at most */

/* Base columns of the aux trace for k interactions in groups of g (>= 1):
 * ceil(k/g) + 1 ext columns, none without interactions. */
#define STARK_AUX_WIDTH(k, g) \
  ((k) ? 4u * (((unsigned)(k) + (unsigned)(g) - 1u) / (unsigned)(g) + 1u) : 0u)

/* G, the interactions per aux column (batching rule above):
 * min(stark_air_quotient_chunks(air), STARK_MAX_LOOKUP_GROUP, lk->max_group
 * when non-zero); >= 1. air must not be NULL; lk may be. */
unsigned stark_lookup_group(const stark_air *air, const stark_lookup *lk);

/* aw = STARK_AUX_WIDTH(k, stark_lookup_group(air, lk)); 0 without
 * interactions (lk NULL or k = 0). */
unsigned stark_lookup_aux_width(const stark_air *air, const stark_lookup *lk);

/* The aux trace the prover commits (protocol above) for the challenges
 * ch[0] = beta, ch[1] = gamma (lk->challenges is not read): into aux, n = 2^log_n
 * rows of stark_lookup_aux_width(air, lk) base elements, row-major, each ext
 * value as its 4 coordinates (h_0 .. h_{c-1}, S), and S(n-1) into
 * *cumulative_sum. trace as for stark_prove; threads as stark_config.threads
 * (the result does not depend on it). STARK_OK; STARK_ERR_ARG for NULL
 * pointers, no interactions or bad sizes; STARK_ERR_AIR for malformed
 * interactions; STARK_ERR_NOMEM; STARK_ERR_INTERNAL when a fingerprint equals
 * beta on some row. */
int stark_lookup_aux_trace(const stark_air *air, const stark_lookup *lk, const ext_t ch[2],
                           const bb_t *trace, unsigned log_n, int threads, bb_t *aux,
                           ext_t *cumulative_sum);

/* The lookup constraints (the c + 3 of the protocol above, in its order), as
 * the verifier checks them at zeta; the prover's quotient runs the same body
 * on every point, from base-field rows. Folded into e with
 * stark_assert_zero_ext, after whatever e already holds. Reads e->local (air->width main-row values) and
 * the three selectors of e; aux and aux_next are the c + 1 ext values
 * (h_0 .. h_{c-1}, S) of the aux row and of the next one; ch = (beta, gamma).
 * On the trace domain with 0/1 selectors every constraint is zero exactly on
 * an honest aux trace. STARK_OK (k = 0 folds nothing); STARK_ERR_ARG for NULL
 * pointers or malformed interactions. */
int stark_lookup_eval(const stark_air *air, const stark_lookup *lk, const ext_t ch[2],
                      const ext_t *aux, const ext_t *aux_next, ext_t cumulative_sum,
                      stark_eval_ext *e);

/* stark_prove with a lookup argument (protocol above). lk NULL or with no
 * interaction: exactly stark_prove. Interactions that name a column >= width,
 * a non-canonical constant or coefficient, a direction other than
 * STARK_SEND/STARK_RECEIVE, or counts past the STARK_MAX_* limits:
 * STARK_ERR_AIR. check_trace checks the AIR's own constraints (the lookup
 * constraints hold by construction); a tuple with no partner shows up only in
 * the cumulative sums. A fingerprint equal to beta on some row (probability
 * ~ rows k / p^4) is STARK_ERR_INTERNAL. With the CUDA backend the aux trace,
 * its commitment and the whole constraint evaluation run on the host. */
int stark_prove_lookup(const stark_air *air, const stark_lookup *lk, const stark_config *cfg,
                       const bb_t *trace, unsigned log_n, const bb_t *pub, stark_proof *proof,
                       stark_timings *t);

/* Verify a proof for air, fri params and public values. STARK_OK when it
 * verifies; STARK_ERR_VERIFY when it does not; STARK_ERR_ARG for bad
 * parameters or a proof whose shape does not match them. */
int stark_verify(const stark_air *air, const fri_params *fp, const bb_t *pub,
                 const stark_proof *proof);

/* stark_verify with the lookup argument lk (which must name the same
 * interactions and, for cross-shard use, the same challenges as the prover
 * got). On STARK_OK *cumulative_sum (if not NULL) receives the shard's LogUp
 * sum; the caller checks that the sums of all shards on the same challenges
 * add to zero. A proof whose aux_width does not match lk is STARK_ERR_ARG. */
int stark_verify_lookup(const stark_air *air, const stark_lookup *lk, const fri_params *fp,
                        const bb_t *pub, const stark_proof *proof, ext_t *cumulative_sum);

/* Cross-shard challenges: a Poseidon2 challenger (fri/challenger.h) observes
 * the label "pkb-logup-challenges-v1", n and the n main trace roots in order,
 * then samples beta and gamma (out[0], out[1]). roots may be NULL when n is 0. */
void stark_lookup_challenges(const merkle_digest *roots, size_t n, ext_t out[2]);

/* The same with public values bound in too: after the roots the challenger
 * observes the label "pkb-logup-public-v1", npub and pub[0..npub). With
 * npub 0 (pub may then be NULL) exactly stark_lookup_challenges. Whatever a
 * public table's multiplicities (stark_lookup_public_sum) are, they must be
 * among pub: a multiplicity chosen after beta and gamma could balance any
 * bus. */
void stark_lookup_challenges_pub(const merkle_digest *roots, size_t n, const bb_t *pub, size_t npub,
                                 ext_t out[2]);

/* A public table's side of a bus, computed by the verifier instead of
 * proven: interaction it evaluated on each of the n rows of the row-major
 * matrix rows (width columns; every column the interaction names < width),
 * sum_r sign m(r) / (beta - fp(r)) into *sum, for the challenges
 * ch = (beta, gamma). This is how a fixed table whose contents a constraint
 * cannot pin down (an opcode ROM) takes part in a bus: the verifier knows
 * its rows; the multiplicity column must be public (bound into the
 * challenges by stark_lookup_challenges_pub). STARK_OK; STARK_ERR_ARG for
 * NULL pointers or a column out of range; STARK_ERR_AIR for a malformed
 * interaction; STARK_ERR_INTERNAL when some fp(r) equals beta. */
int stark_lookup_public_sum(const stark_interaction *it, const bb_t *rows, size_t n, unsigned width,
                            const ext_t ch[2], ext_t *sum);

/* 1 when the k interactions it are well formed (stark/air.h: bus and
 * constants canonical, a direction, 1 .. STARK_MAX_LOOKUP_FIELDS fields, at
 * most STARK_MAX_LC_TERMS terms each with canonical coefficients) and name
 * only columns below width; k at most STARK_MAX_INTERACTIONS (0: none, fine).
 * The check every prover, verifier and backend makes of a lookup. */
int stark_interactions_ok(const stark_interaction *it, unsigned k, size_t width);

/* The trace root stark_prove would commit to (it depends on the trace,
 * log_n and cfg->fri.log_blowup only), so that a caller can commit every
 * shard, derive the lookup challenges from the roots, then prove each shard
 * with them. The LDE and Merkle tree are made on cfg->backend and dropped
 * (the prover makes them again; stark_commit_main_keep keeps them). Same
 * argument rules as stark_prove; STARK_OK, STARK_ERR_ARG, STARK_ERR_NOMEM,
 * STARK_ERR_INTERNAL, STARK_ERR_DEVICE (CUDA). */
int stark_commit_main(const stark_air *air, const stark_config *cfg, const bb_t *trace,
                      unsigned log_n, merkle_digest *root);

/* The main trace's commitment kept for the proof (opaque): its LDE and
 * Merkle tree (and with CUDA the trace, on the device). */
typedef struct stark_main_commit stark_main_commit;

/* stark_commit_main that also keeps, when keep is not NULL, what it made
 * into *keep (NULL on error), so that stark_prove_lookup_kept need not make
 * the LDE and tree again: the lookup argument's two phases then cost one
 * commitment. Host memory (CPU backend) or device memory (CUDA) of
 * stark_main_commit_bytes is held until then. *device_rc (may be NULL)
 * receives the CU_* code of a device failure (0 otherwise), as
 * stark_timings.device_rc does for a proof. */
int stark_commit_main_keep(const stark_air *air, const stark_config *cfg, const bb_t *trace, unsigned log_n,
                           merkle_digest *root, stark_main_commit **keep, int *device_rc);
/* Bytes a kept commitment holds (0 for NULL). */
size_t stark_main_commit_bytes(const stark_main_commit *c);
/* c may be NULL. */
void stark_main_commit_free(stark_main_commit *c);

/* stark_prove_lookup with the main trace's commitment taken from kept (made
 * by stark_commit_main_keep from this trace, log_n and cfg's backend and
 * blowup; NULL: made here), which the call takes over and frees, whatever it
 * returns. The proof is the same bytes as stark_prove_lookup's; its timings
 * count no LDE or commitment of the main trace (the caller timed those).
 * STARK_ERR_ARG also for a kept commitment of another shape or backend. */
int stark_prove_lookup_kept(const stark_air *air, const stark_lookup *lk, const stark_config *cfg,
                            const bb_t *trace, unsigned log_n, const bb_t *pub, stark_main_commit *kept,
                            stark_proof *proof, stark_timings *t);

void stark_proof_free(stark_proof *proof); /* frees the arrays; proof may be NULL */

/* Exact serialised size of the proof stark_prove would produce for air at
 * 2^log_n rows with parameters fp, without proving (0 for invalid shapes). */
size_t stark_proof_size_for(const stark_air *air, const fri_params *fp, unsigned log_n);
/* The same with the lookup argument lk (NULL: stark_proof_size_for). */
size_t stark_proof_size_for_lookup(const stark_air *air, const stark_lookup *lk,
                                   const fri_params *fp, unsigned log_n);

/* The work a proof costs, counted from the shapes alone (no proving): what a
 * cost estimate needs to stay in step with the prover. */
typedef struct {
  uint64_t trace_cells;      /* n w */
  uint64_t lde_cells;        /* N w + N 4qc: base elements produced by LDEs */
  uint64_t ntt_butterflies;  /* trace iNTT + coset NTT, quotient iNTT + coset NTT, final layer */
  uint64_t constraint_evals; /* eval callbacks on the quotient domain (n qc) */
  uint64_t merkle_leaves;    /* rows hashed: trace, quotient, every FRI layer */
  uint64_t p2_permutations;  /* leaf sponges + compressions of every tree + expected grinding */
  uint64_t ext_ops;          /* DEEP quotient and folding, extension multiplications (approx.) */
  unsigned fri_layers;
  uint64_t proof_bytes;
} stark_work;

/* STARK_OK or STARK_ERR_ARG (shapes as stark_prove requires). */
int stark_estimate_work(const stark_air *air, const fri_params *fp, unsigned log_n, stark_work *out);
/* The same with the lookup argument lk (NULL: stark_estimate_work): the aux
 * matrix's cells, LDE, tree and openings are added to the counts above. */
int stark_estimate_work_lookup(const stark_air *air, const stark_lookup *lk, const fri_params *fp,
                               unsigned log_n, stark_work *out);

/* Exact serialised size of a well-formed proof (0 if its shape is invalid). */
size_t stark_proof_size(const stark_proof *proof);

/* Serialise into a new malloc'd buffer (*out, *len). STARK_OK, STARK_ERR_ARG,
 * STARK_ERR_NOMEM. */
int stark_proof_serialize(const stark_proof *proof, uint8_t **out, size_t *len);

/* Parse bytes into *proof (release with stark_proof_free). STARK_OK or
 * STARK_ERR_FORMAT (then *proof holds nothing to free), STARK_ERR_NOMEM. */
int stark_proof_deserialize(const uint8_t *buf, size_t len, stark_proof *proof);

/* Runs fn(ctx, lo, hi) over [0, n) in contiguous ranges of at least grain
 * items on `threads` threads (0: every online core, 1: the calling thread
 * only); falls back to the calling thread whenever a thread cannot be
 * started, so it cannot fail. The prover's own loops use it; so may any
 * module whose result does not depend on the split. */
typedef void (*stark_range_fn)(void *ctx, size_t lo, size_t hi);
void stark_par_for(size_t n, size_t grain, int threads, stark_range_fn fn, void *ctx);

#endif
