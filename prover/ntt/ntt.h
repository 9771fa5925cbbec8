/* ntt: number-theoretic transforms over BabyBear's two-adic subgroups, batched
 * over many columns, and the coset low-degree extension (LDE) of the STARK.
 *
 * Memory layout (every function): a batch of `width` columns of n = 2^log_n
 * elements is one row-major matrix, like Plonky3's RowMajorMatrix: element
 * (row r, column c) is data[r * width + c]. Row r of the input holds the r-th
 * coefficient (or the r-th evaluation) of every column; a Merkle leaf over the
 * output is one contiguous row. width == 1 is a plain vector.
 *
 * Domains and conventions (n = 2^log_n, w_n = bb_two_adic_generator(log_n),
 * the same roots Plonky3 uses):
 *   forward:  out[i] = sum_j in[j] * (shift * w_n^i)^j      (shift = 1 for ntt_dft)
 *   inverse:  the coefficients a_j with in[i] = sum_j a_j w_n^(i j), i.e. the
 *             exact inverse of ntt_dft (scaled by 1/n).
 * Orders: inputs are always in natural order. An output in NTT_ORDER_NATURAL
 * has row i = the value above; in NTT_ORDER_BITREV row i holds the value of
 * natural index bitrev_{log_n}(i) (log_n-bit reversal of i). Bit-reversed
 * output is the faster one everywhere: ntt_dft / ntt_idft in natural order add
 * one permutation; ntt_coset_lde in bit-reversed order fuses its middle pass
 * (about 20% faster than natural on 2^20 x 64).
 *
 * Coset LDE (ntt_coset_lde): `in` is the evaluation table of each column on
 * H = <w_n> (natural order: row i is the value at w_n^i). With N = n << log_blowup
 * and the unique polynomial p of degree < n through those points, the output row
 * i is p(shift * w_N^i) (NTT_ORDER_NATURAL) or p(shift * w_N^bitrev_{log N}(i))
 * (NTT_ORDER_BITREV). The STARK passes shift = bb_generator() (31). Note that
 * w_N^(i << log_blowup) = w_n^i, so in natural order rows i << log_blowup are
 * the coset shift*H, not H itself. Two facts of the bit-reversed order that FRI
 * and the quotient can rely on: rows 2k and 2k+1 are the points x and -x; and
 * rows [t n, (t+1) n) are the coset shift * w_N^bitrev_{log_blowup}(t) * H, in
 * bit-reversed order of H.
 *
 * Sizes: 0 <= log_n <= 27 (BabyBear's two-adicity), for the LDE
 * log_n + log_blowup <= 27; width >= 1. n * width must fit in size_t.
 * Threads: `threads` workers (0 = every online CPU, 1 = the calling thread only);
 * the result does not depend on the thread count or on the backend.
 * Aliasing: in-place functions transform `data` in place. For ntt_coset_lde,
 * `out` must not overlap `in` unless out == in exactly (then the input sits in
 * the first n rows of the N-row buffer). Output and input are reduced bb_t.
 *
 * Backends: a plain-C path and AVX2 / AVX-512 paths chosen at run time from the
 * CPU (no build flags needed). ntt_set_backend forces one (tests, benchmarks);
 * the *_ref functions are the small textbook reference (single thread, O(n log n)
 * radix-2 with an explicit bit-reversal) that every backend is tested against.
 *
 * Twiddle tables are built lazily on first use of a size and kept for the life
 * of the process (about 4 bytes per point of the largest size used, per
 * direction, up to 2^NTT_TWIDDLE_MAX_LOG points; larger transforms compute the
 * remaining twiddles on the fly); ntt_prepare builds them ahead of time so a
 * timed region does not include that cost. Transforms may run concurrently on
 * several threads; ntt_set_backend must not run concurrently with them.
 *
 * Errors: NTT_OK (0) on success; NTT_ERR_ARG for a NULL pointer, width 0 or a
 * size out of range (data untouched); NTT_ERR_NOMEM when a scratch or table
 * allocation fails (data is then unspecified); NTT_ERR_UNSUPPORTED from
 * ntt_set_backend for a backend this CPU lacks.
 */
#ifndef PKB_NTT_NTT_H
#define PKB_NTT_NTT_H

#include <stddef.h>

#include "field/bb.h"

#define NTT_MAX_LOG BB_TWO_ADICITY
#define NTT_TWIDDLE_MAX_LOG 24

enum { NTT_OK = 0, NTT_ERR_ARG = -1, NTT_ERR_NOMEM = -2, NTT_ERR_UNSUPPORTED = -3 };

typedef enum { NTT_ORDER_NATURAL = 0, NTT_ORDER_BITREV = 1 } ntt_order;

typedef enum {
  NTT_BACKEND_AUTO = 0, /* best the CPU supports */
  NTT_BACKEND_SCALAR,   /* plain C, same blocking and threading as the vector paths */
  NTT_BACKEND_AVX2,
  NTT_BACKEND_AVX512
} ntt_backend;

/* Forward DFT in place: coefficients (natural) -> evaluations on <w_n>. */
int ntt_dft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order, int threads);

/* Inverse DFT in place: evaluations on <w_n> (natural) -> coefficients. */
int ntt_idft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order, int threads);

/* Forward DFT on a coset in place: coefficients (natural) -> evaluations at
 * shift * w_n^i. */
int ntt_coset_dft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order,
                  int threads);

/* Inverse of ntt_coset_dft: evaluations at shift * w_n^i (natural) ->
 * coefficients (natural, or bit-reversed rows with NTT_ORDER_BITREV). shift != 0. */
int ntt_coset_idft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order,
                   int threads);

/* Coset LDE (see above): in has n * width elements, out has (n << log_blowup) * width.
 * Any log_blowup with log_n + log_blowup <= 27 works; the STARK uses 1 or 2. */
int ntt_coset_lde(const bb_t *in, unsigned log_n, size_t width, unsigned log_blowup, bb_t shift,
                  bb_t *out, ntt_order out_order, int threads);

/* Permute the rows of an n-row matrix into bit-reversed order (an involution). */
int ntt_bitrev_rows(bb_t *data, unsigned log_n, size_t width);

/* Build the twiddle tables for transforms up to 2^log_n points (both directions). */
int ntt_prepare(unsigned log_n);

/* Backend selection, process-wide (not meant to change while transforms run on
 * other threads). ntt_backend_supported says whether this CPU can run b. */
int ntt_set_backend(ntt_backend b);
ntt_backend ntt_get_backend(void); /* the resolved backend in use, never AUTO */
int ntt_backend_supported(ntt_backend b);
const char *ntt_backend_name(ntt_backend b);

/* Reference implementations: same contracts as above, always single-threaded
 * plain C, for tests. */
int ntt_dft_ref(bb_t *data, unsigned log_n, size_t width, ntt_order out_order);
int ntt_idft_ref(bb_t *data, unsigned log_n, size_t width, ntt_order out_order);
int ntt_coset_lde_ref(const bb_t *in, unsigned log_n, size_t width, unsigned log_blowup, bb_t shift,
                      bb_t *out, ntt_order out_order);

#endif
