/* cu: the CUDA backend of the prover: NTT / coset LDE, Poseidon2 Merkle
 * commitment, FRI folding and the quotient's constraint evaluation (for the
 * AIRs compiled into a kernel) on an NVIDIA GPU, behind the same contracts as
 * the CPU modules, so a prover can switch backends without changing results.
 *
 * Results are bit-identical to the CPU functions for the same arguments:
 *   cu_ntt_dft / _idft / _coset_dft / _coset_idft / _coset_lde
 *       = ntt_dft / _idft / _coset_dft / _coset_idft / _coset_lde (ntt/ntt.h):
 *         same row-major batch layout, natural inputs, NTT_ORDER_NATURAL or
 *         NTT_ORDER_BITREV outputs, same roots (bb_two_adic_generator), same
 *         size limits (log_n <= 27, log_n + log_blowup <= 27, width >= 1);
 *   cu_merkle_commit = the root of merkle_build(..., MERKLE_POSEIDON2, ...)
 *         (commit/merkle.h): Plonky3 MerkleTreeMmcs shape, mixed heights,
 *         Poseidon2 width 16 sponge and truncated-permutation compression with
 *         the constants of p2_params_bb16() (hash/poseidon2.h);
 *   cu_fri_fold = one fold of fri_prove (fri/fri.h): for a layer F of N = 2^log_n
 *         ext values in natural order on the coset s * <w_N>,
 *           out[k] = (F[k] + F[k + N/2]) / 2 + beta * (F[k] - F[k + N/2]) / (2 x_k),
 *           x_k = s * w_N^k, k = 0 .. N/2 - 1.
 * Every bb_t is in Montgomery form (field/bb.h), ext_t as in field/ext.h.
 *
 * Two families of calls:
 *   - host pointers (cu_ntt_dft, ...): copy in, transform, copy out; the
 *     simplest drop-in for the CPU call;
 *   - device pointers (*_dev, with cu_malloc / cu_upload / cu_download): data
 *     stays on the GPU between steps (LDE -> commit -> quotient -> FRI), which
 *     is how a pipelined prover should use the GPU.
 * All calls are synchronous: when one returns CU_OK its results are complete
 * (host or device memory). A call that fails reports it; results are then
 * unspecified but never silently wrong.
 *
 * Device memory: the *_dev transforms need no memory beyond their buffers
 * except the LDE, which keeps one scratch buffer of its input's size (cached
 * between calls, freed by cu_release); the host-pointer forms add one
 * device buffer of the data (LDE: output) size. A Merkle commitment holds
 * every layer on the device (64 bytes per row of the tallest matrix) and, for
 * host data, a device copy of the matrices. cu_quotient_dev adds one small
 * buffer (alpha's powers and the public values).
 *
 * NTT variants (cu_ntt_set_variant): two implementations of the NTT's passes
 * of at most CU_NTT_MAX_K butterfly stages, same plan, same words:
 *   0 radix-2 tiles: a block loads 2^k lines of a tile into shared
 *     memory and runs one stage at a time, one twiddle lookup per butterfly;
 *   1 (default) stages in registers: each thread runs up to 4 consecutive stages on 16
 *     elements of one column in registers between shared-memory exchanges
 *     (an 8-stage pass: load, 4 stages, one exchange, 4 stages, store), one
 *     twiddle lookup per 16 elements and group (the rest by squaring and
 *     small roots), tiles of up to 64 KiB (cu_kern.h, cu_k_ntt1_pass).
 *
 * Emulation: cu_set_emulation(1) runs the very same kernel bodies on the CPU
 * (one thread block at a time, "device memory" in host RAM). It is slow and
 * exists for tests: it checks every index computation of the kernels on a
 * machine without a GPU. It is off by default; with it off and no device,
 * every call returns CU_ERR_NODEV. Buffers from cu_malloc belong to the
 * executor (GPU or emulation) in use when they were made: free them before
 * switching.
 *
 * The STARK prover's CUDA backend (stark/stark.h, STARK_BACKEND_CUDA) is built
 * on these calls: trace LDE, Merkle trees kept on the device and opened there
 * (cu_merkle_tree_build_dev, cu_merkle_tree_open_many), the quotient's
 * constraint evaluation (for the AIRs that have a kernel, see
 * cu_quotient_dev), its interpolation and chunk LDE (cu_quotient_lde_dev), the
 * openings at zeta (cu_open_dev), the DEEP quotient (cu_deep_dev), FRI folds
 * and layer commitments (fri_prove_dev). An AIR (stark/air.h) is a set of C
 * callbacks, which no kernel can call; the constraints of the AIRs whose
 * bodies are written once as macros (trace/trace_air_body.inc: cpu, memory,
 * storage; trace/keccak_air_body.inc: Keccak-f[1600]; trace/arith_air_body.inc:
 * 256-bit arithmetic; trace/sha256_air_body.inc: SHA-256 compression;
 * trace/blake2f_air_body.inc: BLAKE2F; trace/ripemd160_air_body.inc:
 * RIPEMD-160 compression; stark/air_body.inc: Fibonacci, add256) are compiled a
 * third time into the kernel (cu_kern_air.h). For any other AIR the prover evaluates
 * the constraints on the host, from the downloaded trace LDE.
 * The command line reaches the emulation through PKB_CUDA_EMULATE=1
 * (harness/runner.h): for tests and CI only, never for timings.
 *
 * Threads: one device (the current one, device 0 unless the caller changed
 * it), one stream. Calls are serialised by an internal lock, so concurrent
 * callers are safe but do not overlap on the GPU.
 *
 * Error codes: CU_OK (0) or negative:
 *   CU_ERR_ARG         bad argument (NULL, size out of range, order), nothing done;
 *   CU_ERR_NODEV       no usable CUDA device (or a build without CUDA);
 *   CU_ERR_DEVMEM      out of device memory;
 *   CU_ERR_NOMEM       out of host memory;
 *   CU_ERR_KERNEL      a kernel launch, copy or synchronisation failed (the
 *                      CUDA error is kept: cu_last_error_string);
 *   CU_ERR_UNSUPPORTED the CPU module's parameters are not the ones the
 *                      kernels are written for (e.g. a Poseidon2 instance
 *                      other than width 16 / 13 partial rounds / Plonky3 MDS).
 */
#ifndef PKB_CUDA_CU_H
#define PKB_CUDA_CU_H

#include <stddef.h>
#include <stdint.h>

#include "commit/merkle.h"
#include "field/bb.h"
#include "field/ext.h"
#include "ntt/ntt.h"
#include "stark/air.h"

enum {
  CU_OK = 0,
  CU_ERR_ARG = -1,
  CU_ERR_NODEV = -2,
  CU_ERR_DEVMEM = -3,
  CU_ERR_NOMEM = -4,
  CU_ERR_KERNEL = -5,
  CU_ERR_UNSUPPORTED = -6
};

/* Short description of a CU_* code (static string). */
const char *cu_strerror(int rc);

/* The last CUDA runtime error message seen by the backend ("" when none). */
const char *cu_last_error_string(void);

/* 1 when a CUDA device is usable (writes its name, e.g. "NVIDIA H100 80GB HBM3"),
 * 0 otherwise (writes the reason, e.g. "no CUDA device: ..." or "built
 * without CUDA"). name may be NULL (len ignored); the text is truncated to
 * len - 1 characters and always NUL-terminated when len > 0. */
int cu_available(char *name, size_t len);

/* Emulation on the CPU (see above); returns the previous setting. */
int cu_set_emulation(int on);

/* The NTT variant (0 or 1, see above) of every later NTT / LDE call; returns
 * the previous one, or CU_ERR_ARG (nothing changed) for any other v. */
int cu_ntt_set_variant(int v);

/* The passes over the data (each one read and one write of every word) of a
 * cu_ntt_dft of 2^log_n rows with bit-reversed output, either variant
 * (natural order adds one bit-reversal); 0 for log_n = 0 or log_n > 27. */
unsigned cu_ntt_dft_passes(unsigned log_n);

/* Device memory of n_elems bb_t. cu_free(NULL) is a no-op. */
int cu_malloc(bb_t **d, size_t n_elems);
void cu_free(bb_t *d);
int cu_upload(bb_t *d_dst, const bb_t *h_src, size_t n_elems);
int cu_download(bb_t *h_dst, const bb_t *d_src, size_t n_elems);

/* Build the root tables and load the Poseidon2 constants ahead of time (done
 * lazily by the first call otherwise), so a timed region excludes them. */
int cu_prepare(void);

/* Free the cached tables and scratch buffer (the next call rebuilds them). */
void cu_release(void);

/* ---- NTT (host pointers; contracts of ntt.h) ----------------------------- */
int cu_ntt_dft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order);
int cu_ntt_idft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order);
int cu_ntt_coset_dft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order);
/* Inverse of cu_ntt_coset_dft (ntt_coset_idft), shift != 0. */
int cu_ntt_coset_idft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order);
/* in: n * width, out: (n << log_blowup) * width; out may equal in exactly
 * (then it must hold the larger size) or be disjoint. */
int cu_ntt_coset_lde(const bb_t *in, unsigned log_n, size_t width, unsigned log_blowup, bb_t shift,
                     bb_t *out, ntt_order out_order);

/* ---- NTT (device pointers) ------------------------------------------------
 * Same contracts on device memory from cu_malloc. d_in and d_out of the LDE:
 * equal (d_out holding the larger size, input in its first n rows) or
 * disjoint. */
int cu_ntt_dft_dev(bb_t *d_data, unsigned log_n, size_t width, ntt_order out_order);
int cu_ntt_idft_dev(bb_t *d_data, unsigned log_n, size_t width, ntt_order out_order);
int cu_ntt_coset_dft_dev(bb_t *d_data, unsigned log_n, size_t width, bb_t shift,
                         ntt_order out_order);
int cu_ntt_coset_idft_dev(bb_t *d_data, unsigned log_n, size_t width, bb_t shift,
                          ntt_order out_order);
int cu_ntt_coset_lde_dev(const bb_t *d_in, unsigned log_n, size_t width, unsigned log_blowup,
                         bb_t shift, bb_t *d_out, ntt_order out_order);

/* ---- Merkle commitment (Poseidon2) ----------------------------------------
 * mats as for merkle_build (host data; heights powers of two, >= 1 matrix,
 * widths >= 1, max height <= 2^40, total digests must fit device memory).
 * Writes the root. layers, when not NULL, receives every layer's digests
 * (2H - 1 of them for the tallest height H): layer 0 (H digests, one per
 * row) first, then H/2, ..., the root last; the layout merkle.c keeps, so an
 * opening path can be read from it. */
int cu_merkle_commit(const merkle_matrix *mats, size_t n_mats, merkle_digest *root,
                     merkle_digest *layers);
/* Same with every mats[i].data in device memory (cu_malloc). */
int cu_merkle_commit_dev(const merkle_matrix *mats, size_t n_mats, merkle_digest *root,
                         merkle_digest *layers);

/* ---- Merkle tree kept for openings ----------------------------------------
 * The whole tree of cu_merkle_commit_dev, kept in device memory, so that a
 * prover opens it without ever copying the committed matrices or the layers
 * to the host: cu_merkle_tree_root and cu_merkle_tree_open(_many) write
 * exactly what merkle_root and merkle_open write for merkle_build(mats,
 * n_mats, MERKLE_POSEIDON2, ...) of the same matrices. mats[i].data: device
 * memory (cu_malloc) that the tree reads when opening: it must stay allocated
 * and unchanged until cu_merkle_tree_free (the tree keeps the pointers, not a
 * copy). Device memory: 64 bytes per row of the tallest matrix. On failure
 * *out is NULL. */
typedef struct cu_merkle_tree cu_merkle_tree;
int cu_merkle_tree_build_dev(const merkle_matrix *mats, size_t n_mats, cu_merkle_tree **out);
void cu_merkle_tree_root(const cu_merkle_tree *t, merkle_digest *root);
/* merkle_open's contract for q indices at once, gathered on the device and
 * copied back in one go: query k's rows (caller's matrix order, the widths'
 * sum W words) at rows + k W, its path (bottom layer first, log2 of the
 * tallest height digests, L) at paths + k L. CU_ERR_ARG for an index out of
 * range (nothing written). q = 0 does nothing. */
int cu_merkle_tree_open_many(const cu_merkle_tree *t, const size_t *idx, size_t q, bb_t *rows,
                             merkle_digest *paths);
/* One index: cu_merkle_tree_open_many with q = 1. */
int cu_merkle_tree_open(const cu_merkle_tree *t, size_t index, bb_t *rows, merkle_digest *path);
void cu_merkle_tree_free(cu_merkle_tree *t); /* t may be NULL */

/* Zero n_elems words of device memory. */
int cu_memzero(bb_t *d, size_t n_elems);

/* ---- FRI fold ---------------------------------------------------------------
 * in: N = 2^log_n ext values (natural order on s * <w_N>), 1 <= log_n <= 27,
 * shift != 0; out: N/2 values. out may equal in exactly (folds in place into
 * the first half) or be disjoint. */
int cu_fri_fold(const ext_t *in, unsigned log_n, bb_t shift, ext_t beta, ext_t *out);
/* Device variant: d_in / d_out are device arrays of 4 * N (resp. 4 * N/2) bb_t. */
int cu_fri_fold_dev(const bb_t *d_in, unsigned log_n, bb_t shift, ext_t beta, bb_t *d_out);

/* ---- quotient constraints (compiled AIRs) ------------------------------------
 * cu_air_kernel: the kernel id (> 0) of the AIR with this name and shape, 0
 * when there is none. The AIRs with a kernel, by name: "fibonacci",
 * "add256" (stark/air.h), "pkb-cpu", "pkb-memory", "pkb-storage", "pkb-meminit", "pkb-stoinit"
 * (trace/trace.h), "pkb-keccak" (trace/keccak_air.h), "pkb-arith256"
 * (trace/arith_air.h), "pkb-sha256" (trace/sha256_air.h), "pkb-blake2f"
 * (trace/blake2f_air.h), "pkb-ripemd160" (trace/ripemd160_air.h); width,
 * public values and constraint count must match the kernel's too, so an AIR
 * that shares a name but not the shape gets no kernel (0). The names are
 * therefore reserved: another AIR of the same name and shape would be proven
 * with the kernel's constraints (its proofs would then fail verification,
 * which uses the AIR's own eval_ext).
 *
 * cu_quotient_dev: what stark_prove's host loop computes, on the device. With
 * n = 2^log_n, B = 2^log_blowup, N = n B, qc a power of two <= min(B, 64),
 * d_lde the N x width trace LDE on the coset shift * <w_N> (natural order,
 * device memory), alpha_pows[i] = alpha^(m-1-i) for the m = num_constraints
 * constraints and pub the num_public public values (host memory), writes
 * for every j < n qc, x = shift w_{n qc}^j, local row r = j B/qc, next row
 * (r + B) mod N:
 *   d_out[4j .. 4j+3] = (sum_i alpha^(m-1-i) c_i(local, next, pub,
 *                        sel(x))) / Z_H(x),   Z_H(x) = x^n - 1,
 * with the selectors of stark/air.h (is_first_row = Z_H(x)/(x - 1), ...),
 * i.e. exactly the words of the host's eval_base path. d_out: n qc ext
 * values (4 n qc words, device memory), disjoint from d_lde.
 * CU_ERR_ARG for an unknown kernel, a shape other than the kernel's, sizes
 * out of range (1 <= log_n, log_n + log_blowup <= 27) or a shift for which
 * Z_H vanishes on the quotient domain. */
int cu_air_kernel(const char *name, unsigned width, unsigned num_public, unsigned num_constraints);
int cu_quotient_dev(int kernel, const bb_t *d_lde, unsigned log_n, unsigned log_blowup, unsigned qc,
                    size_t width, bb_t shift, const ext_t *alpha_pows, unsigned num_constraints,
                    const bb_t *pub, unsigned num_public, bb_t *d_out);

/* cu_quotient_lookup_dev: a lookup argument's c + 3 constraints (stark.h:
 * c = ceil(k/g) group constraints, then the running sum's first, transition
 * and last) added to a quotient cu_quotient_dev has written: for every
 * j < n qc (points, rows and selectors as cu_quotient_dev),
 *   d_out[4j .. 4j+3] += (sum_i apow[i] L_i) / Z_H(x),
 * L_i evaluated from d_lde (N x width) and d_alde (N x aw, the aux trace's
 * LDE, aw = STARK_AUX_WIDTH(k, g)) with the k interactions it in groups of g,
 * the challenges ch = (beta, gamma) and the shard's cumulative sum; apow:
 * c + 3 ext values (host), the constraints' folding weights, so that with the
 * AIR's weights alpha^(m + c + 2 - i) and these alpha^(c + 2 - i) the sum is
 * stark_prove's fold over every constraint, word for word. CU_ERR_ARG for
 * NULL pointers, k outside 1..STARK_MAX_INTERACTIONS, g outside
 * 1..STARK_MAX_LOOKUP_GROUP, aw not the width above, a column >= width, a
 * malformed interaction, sizes as cu_quotient_dev. */
/* cu_lookup_aux_dev: stark_lookup_aux_trace on the device: from d_trace
 * (n = 2^log_n rows of width words, device memory) and the k interactions it
 * in groups of g with ch = (beta, gamma), the n x aw aux trace (aw =
 * STARK_AUX_WIDTH(k, g)) into d_aux (device memory, disjoint from d_trace)
 * and S(n - 1) into *cumulative_sum, word for word the host's. *zero = 1
 * when some fingerprint equals beta (the host's STARK_ERR_INTERNAL; the aux
 * trace is then not usable), else 0. CU_ERR_ARG as cu_quotient_lookup_dev. */
int cu_lookup_aux_dev(const bb_t *d_trace, size_t width, unsigned log_n, const stark_interaction *it, unsigned k,
                      unsigned g, const ext_t ch[2], bb_t *d_aux, ext_t *cumulative_sum, int *zero);
int cu_quotient_lookup_dev(const bb_t *d_lde, size_t width, const bb_t *d_alde, size_t aw, unsigned log_n,
                           unsigned log_blowup, unsigned qc, bb_t shift, const stark_interaction *it, unsigned k,
                           unsigned g, const ext_t ch[2], ext_t cumulative_sum, const ext_t *apow,
                           bb_t *d_out);

/* ---- the quotient's commitment matrix and the DEEP quotient (stark.c) ----------
 * cu_quotient_lde_dev: from d_q, the n qc coefficients of Q (ext, natural
 * order, 4 n qc words), the matrix stark_prove commits: row r < n holds
 * coefficients i n + r for i < qc (4 qc words), rows n .. N - 1 are zero
 * (N = n 2^log_blowup), then the coset DFT of the N rows on shift <w_N>
 * (natural order), as ntt_coset_dft. d_out: N x 4qc words, disjoint from d_q.
 * qc a power of two <= 64.
 *
 * cu_deep_dev: stark_prove's DEEP quotient F on the LDE domain, for every
 * row i < N = 2^log_N with x = shift w_N^i:
 *   F(x) = [(T + U - A)(x - zeta_next) + (T2 - Bv)(x - zeta)]
 *          / ((x - zeta)(x - zeta_next)),
 * T = sum_{j<w} coef[j] t_j(x), U = sum_{j<qw} coef[w + j] q_j(x)
 * + sum_{j<aw} coef[w + qw + j] a_j(x), T2 = sum_{j<w} coef[W + j] t_j(x)
 * + sum_{j<aw} coef[W + w + j] a_j(x) (W = w + qw + aw), where t_j, q_j, a_j
 * are the columns of d_lde (N x w), d_qlde (N x qw) and d_alde (N x aw, a
 * lookup's aux LDE; aw 0 and d_alde NULL without one), natural order on the
 * coset; coef holds 2(w + aw) + qw ext values (host memory; stark.c's
 * deep_setup layout). d_out: N ext values (4N words). zeta and zeta_next must
 * not lie in the base field (the denominator never vanishes). The words equal
 * the host's, whatever the order of the sums. */
/* cu_open_dev: the sums of stark_prove's openings of the trace at zeta and
 * zeta_next by the barycentric formula on H = <g>, n = 2^log_n:
 *   sums[j]     = sum_i t_ij g^i / (zeta - g^i),
 *   sums[w + j] = sum_i t_ij g^i / (zeta_next - g^i)   (j < w, i < n),
 * from d_trace (n x w, device memory, rows in order); the caller scales by
 * (z^n - 1)/n. sums: 2w ext values (host). zeta, zeta_next outside H. */
int cu_open_dev(const bb_t *d_trace, unsigned log_n, size_t w, ext_t zeta, ext_t zeta_next, ext_t *sums);
int cu_quotient_lde_dev(const bb_t *d_q, unsigned log_n, unsigned qc, unsigned log_blowup, bb_t shift,
                        bb_t *d_out);
int cu_deep_dev(const bb_t *d_lde, size_t w, const bb_t *d_qlde, size_t qw, const bb_t *d_alde, size_t aw,
                unsigned log_N, bb_t shift, const ext_t *coef, ext_t A, ext_t Bv, ext_t zeta, ext_t zeta_next,
                bb_t *d_out);

/* ---- fault injection (tests) ------------------------------------------------
 * After `after` more successful device allocations (cu_malloc and the
 * backend's own buffers), every allocation fails with CU_ERR_DEVMEM and
 * cu_last_error_string() says it was injected; a negative value turns this
 * off (the default). Both executors obey it, so the error paths of a caller
 * can be tested on a machine without a GPU. Not for production use. */
void cu_test_fail_alloc(long after);

#endif
