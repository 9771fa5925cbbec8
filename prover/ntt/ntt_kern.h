/* ntt_kern: the butterfly kernels behind the NTT driver (internal to prover/ntt).
 *
 * ntt.c owns the algorithm (stage order, cache blocking, threads, twiddle
 * tables); a backend only provides these loops. Every backend must give
 * bit-identical results (field arithmetic is exact), which the tests check.
 *
 * Butterflies, for twiddle w:
 *   DIF (Gentleman-Sande): (a, b) -> (a + b, (a - b) w)
 *   DIT (Cooley-Tukey):    (a, b) -> (a + w b, a - w b)
 * "vec" kernels work on one column stored contiguously, one twiddle per lane;
 * "row" kernels work on two rows of a row-major matrix, one twiddle per row.
 * Twiddle tables: T[h + j] = w_{2h}^j for the stage whose butterflies span h
 * (see ntt.c); the tail/head kernels read T[2..7].
 */
#ifndef PKB_NTT_KERN_H
#define PKB_NTT_KERN_H

#include <stddef.h>

#include "field/bb.h"

typedef struct {
  /* a[i], b[i] with twiddle tw[i], 0 <= i < len (any len >= 0; a and b disjoint). */
  void (*dif2)(bb_t *a, bb_t *b, const bb_t *tw, size_t len);
  void (*dit2)(bb_t *a, bb_t *b, const bb_t *tw, size_t len);
  /* a[i], b[i] with one twiddle tw, 0 <= i < w. */
  void (*dif2_row)(bb_t *a, bb_t *b, bb_t tw, size_t w);
  void (*dit2_row)(bb_t *a, bb_t *b, bb_t tw, size_t w);
  /* Radix-4 DIF / DIT on four rows: the two stages spanning 2q and q rows.
   * DIF: (r0,r2) and (r1,r3) with t2a, t2b, then (r0,r1) and (r2,r3) with t1.
   * DIT: (r0,r1) and (r2,r3) with t1, then (r0,r2) and (r1,r3) with t2a, t2b. */
  void (*dif4_row)(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1, size_t w);
  void (*dit4_row)(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1, size_t w);
  /* The same on four contiguous runs x + k q, k = 0..3, with per-lane twiddles. */
  void (*dif4)(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1, size_t len);
  void (*dit4)(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1, size_t len);
  /* The last three DIF stages (spans 4, 2, 1) / first three DIT stages (spans
   * 1, 2, 4) on every aligned group of 8 in x[0..m); m a multiple of tail_min. */
  void (*dif_tail8)(bb_t *x, size_t m, const bb_t *T);
  void (*dit_head8)(bb_t *x, size_t m, const bb_t *T);
  /* x[i] *= s and x[i] *= y[i], 0 <= i < len. */
  void (*scale)(bb_t *x, bb_t s, size_t len);
  void (*mul)(bb_t *x, const bb_t *y, size_t len);
  size_t tail_min;
} ntt_kernels;

extern const ntt_kernels ntt_kernels_scalar;
/* Defined in ntt_avx2.c / ntt_avx512.c; only used when the CPU has the feature. */
extern const ntt_kernels ntt_kernels_avx2;
extern const ntt_kernels ntt_kernels_avx512;

/* Test hook: shrink the cache block (bytes), the band gather buffer
 * (elements, >= 64) and the largest twiddle table (log size, 3..NTT_TWIDDLE_MAX_LOG)
 * so that small transforms take the paths of large ones; 0 restores each
 * default. Not thread-safe; call between transforms. */
void ntt_tune(size_t block_bytes, size_t band_elems, unsigned twiddle_max_log);

#endif
