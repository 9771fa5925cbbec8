/* ntt: the NTT driver: stage order, cache blocking, threads, twiddles, LDE.
 *
 * Workload: the prover's LDE of trace matrices (2^16..2^24 rows, 1..~300
 * columns, blowup 2 or 4) and single-column transforms of up to 2^24 points.
 * Once the data leaves L2 every stage done as its own pass over memory would
 * cost more than its arithmetic, so the design counts passes over memory (two
 * for most sizes) and then keeps the vector units busy:
 *
 * - Two cores of the transform, both on a row-major matrix of n rows:
 *   DIF (natural in -> bit-reversed out) and DIT (bit-reversed in -> natural
 *   out). With these, no transform needs a bit-reversal permutation except
 *   where the caller asks for the other order (the LDE in natural order needs
 *   none at all, in bit-reversed order one of the n input rows, fused with the
 *   copy of the input).
 * - Cache blocking: the stages whose butterflies span less than a block of
 *   NTT_BLOCK_BYTES run block by block while the block sits in L2 (radix 4).
 *   The wider stages run in bands (see run_band): each pass over memory gathers
 *   the rows one band of up to ~10 stages combines into a small buffer and
 *   does all of them there. The block is also cut small enough that there are
 *   at least as many blocks as threads.
 * - Two data modes. Row mode (width >= 8, or tiny n): a butterfly pairs two
 *   whole rows, vectorised across columns, one twiddle per row. Vector mode
 *   (one column): vectorised along the column with per-lane twiddles from the
 *   table; the three narrowest stages (spans 4, 2, 1) are the backend's
 *   tail/head kernel. Widths 2..7 are transformed column by column through a
 *   contiguous scratch copy in vector mode.
 * - Threads: each band and the block phase are split into contiguous ranges of
 *   units, one per thread, with a join between them (plain pthreads, created
 *   per pass; a pass is milliseconds, creation microseconds).
 * - Twiddles: T[h + j] = w_{2h}^j (0 <= j < h) for every span h, one table per
 *   direction of 2^L entries covering spans up to 2^(L-1); built once under a
 *   lock and kept (tables of every size built stay reachable). Spans beyond
 *   NTT_TWIDDLE_MAX_LOG get their twiddles computed per chunk.
 * - LDE: evaluated coset by coset, without zero padding (see ntt_coset_lde).
 */
#include "ntt/ntt.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ntt/ntt_kern.h"

#define NTT_BLOCK_BYTES ((size_t)1 << 19) /* a block comfortably inside a 1-2 MiB L2 */
#define NTT_BAND_ELEMS ((size_t)1 << 17)  /* band gather buffer: 512 KiB */
#define NTT_CHUNK 256                     /* butterflies per kernel call in vector mode */
#define NTT_MAX_THREADS 64
#define NTT_PAR_MIN ((size_t)1 << 16) /* elements below which one thread does it all */
#define NTT_VEC_MIN 64                /* smallest column handled in vector mode */
#define NTT_HAVE_AVX512 1

/* ---- tuning (ntt_tune, for tests: small limits exercise every path) ---- */

static size_t g_block_bytes = NTT_BLOCK_BYTES;
static size_t g_band_elems = NTT_BAND_ELEMS;
static unsigned g_tw_max_log = NTT_TWIDDLE_MAX_LOG;

void ntt_tune(size_t block_bytes, size_t band_elems, unsigned twiddle_max_log) {
  g_block_bytes = block_bytes ? block_bytes : NTT_BLOCK_BYTES;
  g_band_elems = band_elems >= 64 ? band_elems : NTT_BAND_ELEMS;
  g_tw_max_log = twiddle_max_log >= 3 && twiddle_max_log <= NTT_TWIDDLE_MAX_LOG ? twiddle_max_log
                                                                              : NTT_TWIDDLE_MAX_LOG;
}

/* Spans h with 2h <= tab_entries(log_n) take their twiddles from the table. */
static size_t tab_entries(unsigned log_n) {
  unsigned tab_log = log_n > g_tw_max_log ? g_tw_max_log : log_n < 3 ? 3 : log_n;
  return (size_t)1 << tab_log;
}

static size_t bitrev(size_t i, unsigned bits) {
  uint64_t v = i;
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  v = ((v >> 8) & 0x00ff00ff00ff00ffull) | ((v & 0x00ff00ff00ff00ffull) << 8);
  v = ((v >> 16) & 0x0000ffff0000ffffull) | ((v & 0x0000ffff0000ffffull) << 16);
  v = (v >> 32) | (v << 32);
  return bits ? (size_t)(v >> (64 - bits)) : 0;
}

/* ---- backend selection ---- */

static ntt_backend g_backend = NTT_BACKEND_AUTO;

int ntt_backend_supported(ntt_backend b) {
  switch (b) {
    case NTT_BACKEND_AUTO:
    case NTT_BACKEND_SCALAR:
      return 1;
    case NTT_BACKEND_AVX2:
#if defined(__x86_64__) && defined(__GNUC__)
      return __builtin_cpu_supports("avx2");
#else
      return 0;
#endif
    case NTT_BACKEND_AVX512:
#if defined(__x86_64__) && defined(__GNUC__) && NTT_HAVE_AVX512
      return __builtin_cpu_supports("avx512f");
#else
      return 0;
#endif
  }
  return 0;
}

static ntt_backend resolve(ntt_backend b) {
  if (b != NTT_BACKEND_AUTO) return b;
  if (ntt_backend_supported(NTT_BACKEND_AVX512)) return NTT_BACKEND_AVX512;
  if (ntt_backend_supported(NTT_BACKEND_AVX2)) return NTT_BACKEND_AVX2;
  return NTT_BACKEND_SCALAR;
}

int ntt_set_backend(ntt_backend b) {
  if ((unsigned)b > NTT_BACKEND_AVX512) return NTT_ERR_ARG;
  if (!ntt_backend_supported(b)) return NTT_ERR_UNSUPPORTED;
  g_backend = b;
  return NTT_OK;
}

ntt_backend ntt_get_backend(void) { return resolve(g_backend); }

const char *ntt_backend_name(ntt_backend b) {
  switch (b) {
    case NTT_BACKEND_AUTO:
      return "auto";
    case NTT_BACKEND_SCALAR:
      return "scalar";
    case NTT_BACKEND_AVX2:
      return "avx2";
    case NTT_BACKEND_AVX512:
      return "avx512";
  }
  return "unknown";
}

static const ntt_kernels *kernels(void) {
  switch (resolve(g_backend)) {
#if defined(__x86_64__) && defined(__GNUC__)
#if NTT_HAVE_AVX512
    case NTT_BACKEND_AVX512:
      return &ntt_kernels_avx512;
#endif
    case NTT_BACKEND_AVX2:
      return &ntt_kernels_avx2;
#endif
    default:
      return &ntt_kernels_scalar;
  }
}

/* ---- twiddle tables ---- */

static pthread_mutex_t tw_lock = PTHREAD_MUTEX_INITIALIZER;
static bb_t *tw_tables[2][NTT_TWIDDLE_MAX_LOG + 1]; /* [dir][log]: every table built */
static unsigned tw_log[2];                           /* log size of the largest, 0 = none */

/* Table of 2^log entries for direction dir (0 forward, 1 inverse), or NULL. */
static const bb_t *tw_get(int dir, unsigned log) {
  if (log > NTT_TWIDDLE_MAX_LOG) log = NTT_TWIDDLE_MAX_LOG;
  if (log < 3) log = 3; /* the tail kernels read T[2..7] */
  pthread_mutex_lock(&tw_lock);
  const bb_t *res = NULL;
  if (tw_log[dir] >= log) {
    res = tw_tables[dir][tw_log[dir]];
  } else {
    size_t n = (size_t)1 << log, h = n >> 1;
    bb_t *t = malloc(n * sizeof *t);
    if (t) {
      bb_t w = bb_two_adic_generator(log);
      if (dir) w = bb_inv(w);
      t[0] = 0;
      t[h] = BB_ONE;
      for (size_t j = 1; j < h; j++) t[h + j] = bb_mul(t[h + j - 1], w);
      for (size_t s = h >> 1; s >= 1; s >>= 1) /* w_{2s}^j = w_{4s}^{2j} */
        for (size_t j = 0; j < s; j++) t[s + j] = t[2 * s + 2 * j];
      tw_tables[dir][log] = t;
      tw_log[dir] = log;
      res = t;
    }
  }
  pthread_mutex_unlock(&tw_lock);
  return res;
}

int ntt_prepare(unsigned log_n) {
  if (log_n > NTT_MAX_LOG) return NTT_ERR_ARG;
  return tw_get(0, log_n) && tw_get(1, log_n) ? NTT_OK : NTT_ERR_NOMEM;
}

/* ---- threads ---- */

typedef void (*range_fn)(void *arg, size_t lo, size_t hi);

typedef struct {
  range_fn fn;
  void *arg;
  size_t lo, hi;
} job;

static void *job_main(void *p) {
  job *j = p;
  j->fn(j->arg, j->lo, j->hi);
  return NULL;
}

static int resolve_threads(int threads) {
  if (threads <= 0) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    threads = c > 0 ? (int)c : 1;
  }
  return threads > NTT_MAX_THREADS ? NTT_MAX_THREADS : threads;
}

/* fn over [0, count) cut into nt contiguous ranges whose starts are multiples
 * of align; the calling thread takes the first. A thread that cannot be
 * created has its range run by the caller, so this never fails. */
static void par_for(int nt, size_t count, size_t align, range_fn fn, void *arg) {
  if (align == 0) align = 1;
  if (nt > 1 && (size_t)nt > count / align) nt = (int)(count / align);
  if (nt <= 1) {
    if (count) fn(arg, 0, count);
    return;
  }
  job jobs[NTT_MAX_THREADS];
  pthread_t tid[NTT_MAX_THREADS];
  int started[NTT_MAX_THREADS];
  for (int t = 0; t < nt; t++) {
    size_t lo = count / align * (size_t)t / (size_t)nt * align;
    size_t hi = t + 1 == nt ? count : count / align * (size_t)(t + 1) / (size_t)nt * align;
    jobs[t] = (job){fn, arg, lo, hi};
  }
  for (int t = 1; t < nt; t++) started[t] = pthread_create(&tid[t], NULL, job_main, &jobs[t]) == 0;
  job_main(&jobs[0]);
  for (int t = 1; t < nt; t++) {
    if (started[t])
      pthread_join(tid[t], NULL);
    else
      job_main(&jobs[t]);
  }
}

/* ---- the transform cores ---- */

typedef struct {
  const ntt_kernels *k;
  bb_t *x;
  size_t n, W;      /* rows, row length (1 in vector mode) */
  int vec;          /* vector mode: one contiguous column */
  int dir;          /* twiddle direction: 0 forward, 1 inverse */
  const bb_t *T;    /* twiddle table for dir */
  size_t tab_n;     /* entries in T: spans h with 2h <= tab_n are in the table */
  int nt;           /* threads */
  size_t m;         /* block rows of the block phase */
  /* the current band (see run_band) */
  size_t band_M;    /* super-block rows */
  unsigned band_k;  /* stages in the band */
  size_t band_R;    /* vector mode: consecutive positions per unit (1 in row mode) */
  /* Pre-scaling, fused into the first pass over the data: row i is taken from
   * pre_src (may be x itself) and multiplied by pre_a * pre_s^i. */
  int pre;
  const bb_t *pre_src;
  bb_t pre_a, pre_s;
} core;

/* dst[0..len) = src[0..len) * f (src may equal dst). */
static void copy_scale(const ntt_kernels *k, bb_t *dst, const bb_t *src, size_t len, bb_t f) {
  if (dst != src) memcpy(dst, src, len * sizeof *dst);
  k->scale(dst, f, len);
}

/* Rows i < count of src (stride sstride) into dst (stride dstride), row i
 * times a * s^(r0 + i * step); in vector mode a row is a run of R positions
 * and position l of it gets the extra factor s^l. dst may equal src. */
static void scale_gather(const core *c, bb_t *dst, size_t dstride, const bb_t *src,
                         size_t sstride, size_t r0, size_t step, size_t count, size_t R, bb_t a,
                         bb_t s) {
  bb_t sstep = bb_pow(s, step);
  if (!c->vec) {
    bb_t f = bb_mul(a, bb_pow(s, r0));
    for (size_t i = 0; i < count; i++) {
      copy_scale(c->k, dst + i * dstride, src + i * sstride, c->W, f);
      f = bb_mul(f, sstep);
    }
    return;
  }
  bb_t f[NTT_CHUNK];
  f[0] = bb_mul(a, bb_pow(s, r0));
  for (size_t l = 1; l < R; l++) f[l] = bb_mul(f[l - 1], s);
  for (size_t i = 0; i < count; i++) {
    bb_t *d = dst + i * dstride;
    const bb_t *sp = src + i * sstride;
    if (d != sp) memcpy(d, sp, R * sizeof *d);
    c->k->mul(d, f, R);
    c->k->scale(f, sstep, R);
  }
}

/* Pre-scaling gather: rows r0 + i * step of pre_src. */
static void pre_gather(const core *c, bb_t *dst, size_t dstride, size_t r0, size_t step,
                       size_t count, size_t R) {
  scale_gather(c, dst, dstride, c->pre_src + r0 * c->W, step * c->W, r0, step, count, R, c->pre_a,
               c->pre_s);
}

/* Twiddles w_{2h}^(j..j+len) for direction c->dir, from the table or buf. */
static const bb_t *tw_span(const core *c, size_t h, size_t j, size_t len, bb_t *buf) {
  if (2 * h <= c->tab_n) return c->T + h + j;
  unsigned lg = 1;
  while (((size_t)1 << lg) < 2 * h) lg++;
  bb_t w = bb_two_adic_generator(lg);
  if (c->dir) w = bb_inv(w);
  bb_t v = bb_pow(w, j);
  for (size_t i = 0; i < len; i++) {
    buf[i] = v;
    v = bb_mul(v, w);
  }
  return buf;
}

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* One radix-2 or radix-4 pass over the butterfly units [lo, hi) of region x. */
static void pass_units(const core *c, bb_t *x, int dif, size_t span, int radix4, size_t lo,
                       size_t hi) {
  const ntt_kernels *k = c->k;
  bb_t b0[NTT_CHUNK], b1[NTT_CHUNK], b2[NTT_CHUNK];
  size_t W = c->W;
  if (!radix4) {
    size_t h = span;
    for (size_t u = lo; u < hi;) {
      size_t blk = u / h, j = u % h, len = min_sz(min_sz(h - j, hi - u), NTT_CHUNK);
      const bb_t *tw = tw_span(c, h, j, len, b0);
      size_t base = blk * 2 * h + j;
      if (c->vec) {
        (dif ? k->dif2 : k->dit2)(x + base, x + base + h, tw, len);
      } else {
        for (size_t i = 0; i < len; i++)
          (dif ? k->dif2_row : k->dit2_row)(x + (base + i) * W, x + (base + i + h) * W, tw[i], W);
      }
      u += len;
    }
  } else {
    size_t q = span / 2;
    for (size_t u = lo; u < hi;) {
      size_t blk = u / q, j = u % q, len = min_sz(min_sz(q - j, hi - u), NTT_CHUNK);
      const bb_t *ta = tw_span(c, 2 * q, j, len, b0);
      const bb_t *tb = tw_span(c, 2 * q, j + q, len, b1);
      const bb_t *t1 = tw_span(c, q, j, len, b2);
      size_t base = blk * 4 * q + j;
      if (c->vec) {
        (dif ? k->dif4 : k->dit4)(x + base, q, ta, tb, t1, len);
      } else {
        for (size_t i = 0; i < len; i++) {
          bb_t *r0 = x + (base + i) * W;
          (dif ? k->dif4_row : k->dit4_row)(r0, r0 + q * W, r0 + 2 * q * W, r0 + 3 * q * W, ta[i],
                                            tb[i], t1[i], W);
        }
      }
      u += len;
    }
  }
}

/* All DIF stages with spans m/2 .. 1 on one block of m rows. */
static void block_dif(const core *c, bb_t *p, size_t m) {
  size_t hmin = c->vec ? 8 : 1;
  size_t h = m / 2;
  while (h >= hmin) {
    if (h / 2 >= hmin) {
      pass_units(c, p, 1, h, 1, 0, m / 4);
      h /= 4;
    } else {
      pass_units(c, p, 1, h, 0, 0, m / 2);
      h /= 2;
    }
  }
  if (c->vec) c->k->dif_tail8(p, m, c->T);
}

/* All DIT stages with spans 1 .. m/2 on one block of m rows. */
static void block_dit(const core *c, bb_t *p, size_t m) {
  size_t h = 1;
  if (c->vec) {
    c->k->dit_head8(p, m, c->T);
    h = 8;
  }
  while (h < m) {
    if (4 * h <= m) {
      pass_units(c, p, 0, 2 * h, 1, 0, m / 4);
      h *= 4;
    } else {
      pass_units(c, p, 0, h, 0, 0, m / 2);
      h *= 2;
    }
  }
}

static void blocks_dif_range(void *arg, size_t lo, size_t hi) {
  const core *c = arg;
  for (size_t b = lo; b < hi; b++) {
    bb_t *p = c->x + b * c->m * c->W;
    if (c->pre) { /* no band ran: the blocks are the first pass */
      if (c->vec)
        for (size_t r = 0; r < c->m; r += NTT_CHUNK)
          pre_gather(c, p + r, 0, b * c->m + r, 0, 1, min_sz(NTT_CHUNK, c->m - r));
      else
        pre_gather(c, p, c->W, b * c->m, 1, c->m, 1);
    }
    block_dif(c, p, c->m);
  }
}

static void blocks_dit_range(void *arg, size_t lo, size_t hi) {
  const core *c = arg;
  for (size_t b = lo; b < hi; b++) block_dit(c, c->x + b * c->m * c->W, c->m);
}

/* Bands: the stages whose spans exceed the cache block are done in bands of
 * up to k stages per pass over memory. In a super-block of M rows, the stages
 * with spans M/2 .. M/2^k only ever combine the 2^k rows j + i*S (S = M/2^k,
 * i < 2^k), so a unit gathers those rows into a contiguous buffer (in L1/L2,
 * away from the cache-set conflicts of power-of-two strides), applies the k
 * stages there and scatters them back. In vector mode a unit takes R
 * consecutive positions j0..j0+R-1 of each row (whole cache lines), with
 * per-lane twiddles. Twiddle of stage span h at global offset r within the super-block:
 * T[h + (r mod h)], and r mod h = j + (i mod (h/S)) * S. */
#define NTT_BAND_R 64

static void band_units_apply(const core *c, int dif, bb_t *buf, size_t bs, size_t j0) {
  const ntt_kernels *k = c->k;
  unsigned K = c->band_k;
  size_t S = c->band_M >> K, rows = (size_t)1 << K, R = c->band_R, W = c->W;
  bb_t ta[NTT_BAND_R], tb[NTT_BAND_R], t1[NTT_BAND_R];
  size_t len = c->vec ? R : 1;
  if (dif) {
    unsigned s = 1;
    size_t sb = rows / 2; /* buffer span of stage s */
    while (s <= K) {
      if (s + 1 <= K) {
        size_t q = sb / 2;
        for (size_t i0 = 0; i0 < rows; i0 += 4 * q)
          for (size_t d = 0; d < q; d++) {
            const bb_t *pa = tw_span(c, sb * S, j0 + d * S, len, ta);
            const bb_t *pb = tw_span(c, sb * S, j0 + (d + q) * S, len, tb);
            const bb_t *p1 = tw_span(c, q * S, j0 + d * S, len, t1);
            bb_t *r0 = buf + (i0 + d) * bs;
            if (c->vec)
              k->dif4(r0, q * bs, pa, pb, p1, R);
            else
              k->dif4_row(r0, r0 + q * bs, r0 + 2 * q * bs, r0 + 3 * q * bs, *pa, *pb, *p1, W);
          }
        s += 2;
        sb /= 4;
      } else {
        for (size_t i0 = 0; i0 < rows; i0 += 2 * sb)
          for (size_t d = 0; d < sb; d++) {
            const bb_t *pa = tw_span(c, sb * S, j0 + d * S, len, ta);
            bb_t *r0 = buf + (i0 + d) * bs;
            if (c->vec)
              k->dif2(r0, r0 + sb * bs, pa, R);
            else
              k->dif2_row(r0, r0 + sb * bs, *pa, W);
          }
        s += 1;
        sb /= 2;
      }
    }
  } else {
    unsigned s = K;
    size_t sb = 1;
    while (s >= 1) {
      if (s >= 2) {
        size_t q = sb;
        for (size_t i0 = 0; i0 < rows; i0 += 4 * q)
          for (size_t d = 0; d < q; d++) {
            const bb_t *p1 = tw_span(c, q * S, j0 + d * S, len, t1);
            const bb_t *pa = tw_span(c, 2 * q * S, j0 + d * S, len, ta);
            const bb_t *pb = tw_span(c, 2 * q * S, j0 + (d + q) * S, len, tb);
            bb_t *r0 = buf + (i0 + d) * bs;
            if (c->vec)
              k->dit4(r0, q * bs, pa, pb, p1, R);
            else
              k->dit4_row(r0, r0 + q * bs, r0 + 2 * q * bs, r0 + 3 * q * bs, *pa, *pb, *p1, W);
          }
        s -= 2;
        sb *= 4;
      } else {
        for (size_t i0 = 0; i0 < rows; i0 += 2 * sb)
          for (size_t d = 0; d < sb; d++) {
            const bb_t *pa = tw_span(c, sb * S, j0 + d * S, len, ta);
            bb_t *r0 = buf + (i0 + d) * bs;
            if (c->vec)
              k->dit2(r0, r0 + sb * bs, pa, R);
            else
              k->dit2_row(r0, r0 + sb * bs, *pa, W);
          }
        s -= 1;
        sb *= 2;
      }
    }
  }
}

static void band_range(const core *c, int dif, size_t lo, size_t hi) {
  unsigned K = c->band_k;
  size_t M = c->band_M, S = M >> K, rows = (size_t)1 << K;
  size_t R = c->band_R, per = S / R;             /* units per super-block */
  size_t rw = c->vec ? R : c->W;                 /* elements per gathered row */
  bb_t *buf = malloc(rows * rw * sizeof *buf); /* without it: in place, strided */
  for (size_t u = lo; u < hi; u++) {
    size_t sbk = u / per, j0 = (u % per) * R;
    bb_t *base = c->x + (sbk * M + j0) * c->W; /* row j0 of the super-block */
    size_t stride = S * c->W;                   /* elements between gathered rows */
    if (c->pre) { /* first pass of a pre-scaled transform: M == n, sbk == 0 */
      if (buf)
        pre_gather(c, buf, rw, j0, S, rows, R);
      else
        pre_gather(c, base, stride, j0, S, rows, R);
      band_units_apply(c, dif, buf ? buf : base, buf ? rw : stride, j0);
      if (buf)
        for (size_t i = 0; i < rows; i++) memcpy(base + i * stride, buf + i * rw, rw * sizeof *buf);
    } else if (buf) {
      for (size_t i = 0; i < rows; i++) memcpy(buf + i * rw, base + i * stride, rw * sizeof *buf);
      band_units_apply(c, dif, buf, rw, j0);
      for (size_t i = 0; i < rows; i++) memcpy(base + i * stride, buf + i * rw, rw * sizeof *buf);
    } else {
      band_units_apply(c, dif, base, stride, j0);
    }
  }
  free(buf);
}

static void band_dif_range(void *arg, size_t lo, size_t hi) { band_range(arg, 1, lo, hi); }
static void band_dit_range(void *arg, size_t lo, size_t hi) { band_range(arg, 0, lo, hi); }

/* Largest band: the gathered rows must fit g_band_elems. In vector mode
 * bands of 4 stages measured fastest (1 core, 2^24 points: 4 + 3 stages beat a
 * single 7-stage band by ~20%), so they are capped there. */
#define NTT_BAND_KMAX_VEC 4

static unsigned band_kmax(const core *c) {
  size_t rw = c->vec ? NTT_BAND_R : c->W;
  unsigned k = 1;
  while (((size_t)2 << k) * rw <= g_band_elems) k++;
  return c->vec && k > NTT_BAND_KMAX_VEC ? NTT_BAND_KMAX_VEC : k;
}

static void run_band(core *c, size_t M, unsigned k, int dif) {
  c->band_M = M;
  c->band_k = k;
  c->band_R = c->vec ? NTT_BAND_R : 1;
  size_t units = (c->n / M) * ((M >> k) / c->band_R);
  par_for(c->nt, units, 1, dif ? band_dif_range : band_dit_range, c);
}

/* Band plan for spans n/2 .. lowest (>= block): sizes of the super-blocks and
 * stage counts, outermost first. Returns the number of bands. */
static int plan_bands(const core *c, size_t lowest, size_t *Ms, unsigned *ks) {
  unsigned K = 0, kmax = band_kmax(c);
  while ((lowest << K) < c->n) K++;
  int nb = 0;
  size_t M = c->n;
  while (K > 0) {
    unsigned k = K < kmax ? K : kmax;
    Ms[nb] = M;
    ks[nb++] = k;
    M >>= k;
    K -= k;
  }
  return nb;
}

/* Block size: at most g_block_bytes, at least as many blocks as threads. */
static size_t block_rows(const core *c) {
  size_t minblk = c->vec ? NTT_VEC_MIN : 1;
  size_t m = c->n;
  while (m > minblk && (m * c->W * sizeof(bb_t) > g_block_bytes || c->n / m < (size_t)c->nt))
    m /= 2;
  return m;
}

static void run_dif(core *c) {
  c->m = block_rows(c);
  size_t Ms[64];
  unsigned ks[64];
  int nb = plan_bands(c, c->m, Ms, ks);
  for (int b = 0; b < nb; b++) {
    run_band(c, Ms[b], ks[b], 1);
    c->pre = 0; /* applied by the first pass */
  }
  par_for(c->nt, c->n / c->m, 1, blocks_dif_range, c);
}

static void run_dit(core *c) {
  c->m = block_rows(c);
  par_for(c->nt, c->n / c->m, 1, blocks_dit_range, c);
  size_t Ms[64];
  unsigned ks[64];
  int nb = plan_bands(c, c->m, Ms, ks);
  for (int b = nb - 1; b >= 0; b--) run_band(c, Ms[b], ks[b], 0);
}

typedef struct {
  bb_t *x;
  bb_t *scratch; /* n elements per column */
  size_t n, W;
  int dir, dif, nt;
  const bb_t *T;
  size_t tab_n;
  const bb_t *pre_src; /* pre-scaling as in core, or NULL */
  bb_t pre_a, pre_s;
} col_job;

static void init_core(core *c, bb_t *x, size_t n, size_t W, int vec, int dir, const bb_t *T,
                      size_t tab_n, int nt) {
  memset(c, 0, sizeof *c);
  c->k = kernels();
  if (vec && n < NTT_VEC_MIN) vec = 0;
  if (vec && n < c->k->tail_min) c->k = &ntt_kernels_scalar;
  c->x = x;
  c->n = n;
  c->W = W;
  c->vec = vec;
  c->dir = dir;
  c->T = T;
  c->tab_n = tab_n;
  c->nt = n * W < NTT_PAR_MIN ? 1 : nt;
}

static void columns_range(void *arg, size_t lo, size_t hi) {
  col_job *cj = arg;
  for (size_t col = lo; col < hi; col++) {
    bb_t *buf = cj->scratch + col * cj->n;
    if (cj->pre_src) {
      bb_t f = cj->pre_a;
      for (size_t i = 0; i < cj->n; i++) {
        buf[i] = bb_mul(cj->pre_src[i * cj->W + col], f);
        f = bb_mul(f, cj->pre_s);
      }
    } else {
      for (size_t i = 0; i < cj->n; i++) buf[i] = cj->x[i * cj->W + col];
    }
    core c;
    init_core(&c, buf, cj->n, 1, 1, cj->dir, cj->T, cj->tab_n, cj->nt);
    if (cj->dif)
      run_dif(&c);
    else
      run_dit(&c);
    for (size_t i = 0; i < cj->n; i++) cj->x[i * cj->W + col] = buf[i];
  }
}

/* DIF (dif = 1: natural in, bit-reversed out) or DIT (bit-reversed in,
 * natural out) of the n-row matrix x, unscaled. DIF only: with pre_src, the
 * input row i is pre_src row i times pre_a * pre_s^i (pre_src may be x itself;
 * otherwise it must not overlap x), applied during the first pass. */
static int transform_pre(bb_t *x, unsigned log_n, size_t W, int dir, int dif, int nt,
                         const bb_t *pre_src, bb_t pre_a, bb_t pre_s) {
  size_t n = (size_t)1 << log_n;
  if (n == 1) {
    if (pre_src) copy_scale(kernels(), x, pre_src, W, pre_a);
    return NTT_OK;
  }
  const bb_t *T = tw_get(dir, log_n);
  if (!T) return NTT_ERR_NOMEM;
  size_t tab_n = tab_entries(log_n);
  bb_t *scratch = W > 1 && W < 8 && n >= NTT_VEC_MIN ? malloc(n * W * sizeof *scratch) : NULL;
  if (scratch) {
    /* Narrow matrices: column by column in vector mode (without the scratch
     * copy, row mode below gives the same result, only slower). */
    int inner = (size_t)nt > W ? nt : 1;
    col_job cj = {x, scratch, n, W, dir, dif, inner, T, tab_n, pre_src, pre_a, pre_s};
    par_for(inner > 1 ? 1 : nt, W, 1, columns_range, &cj);
    free(scratch);
    return NTT_OK;
  }
  core c;
  init_core(&c, x, n, W, W == 1, dir, T, tab_n, nt);
  c.pre = pre_src != NULL;
  c.pre_src = pre_src;
  c.pre_a = pre_a;
  c.pre_s = pre_s;
  if (dif)
    run_dif(&c);
  else
    run_dit(&c);
  return NTT_OK;
}

static int transform(bb_t *x, unsigned log_n, size_t W, int dir, int dif, int nt) {
  return transform_pre(x, log_n, W, dir, dif, nt, NULL, 0, 0);
}

/* ---- the bit-reversed LDE with its middle pass fused ----
 * The inverse DIT ends with its top band and each coset's forward DIF starts
 * with the same band (same rows j + i S): one gather serves the inverse band,
 * the coset scaling and the forward band of every coset, and the results go
 * straight to each coset's rows. That removes 1 + 2^b of the passes over memory. */
typedef struct {
  core inv, fwd;
  bb_t *x;            /* sub-block 0: the bit-reversed input rows, then coset 0 */
  size_t n, g;        /* rows per coset, number of cosets */
  const bb_t *shifts; /* coset t: shift * w_N^rev_b(t) */
  bb_t a;             /* 1/n */
} lde_job;

static void lde_top_range(void *arg, size_t lo, size_t hi) {
  const lde_job *L = arg;
  const core *ci = &L->inv, *cf = &L->fwd;
  unsigned K = ci->band_k;
  size_t S = ci->band_M >> K, rows = (size_t)1 << K, R = ci->band_R, per = S / R, W = ci->W;
  size_t rw = ci->vec ? R : W, stride = S * W;
  bb_t *b0 = malloc(2 * rows * rw * sizeof *b0); /* without it: in place, strided */
  bb_t *b1 = b0 ? b0 + rows * rw : NULL;
  for (size_t u = lo; u < hi; u++) {
    size_t j0 = (u % per) * R;
    bb_t *base0 = L->x + j0 * W;
    if (b0) {
      for (size_t i = 0; i < rows; i++) memcpy(b0 + i * rw, base0 + i * stride, rw * sizeof *b0);
      band_units_apply(ci, 0, b0, rw, j0);
      for (size_t t = 0; t < L->g; t++) {
        bb_t *bt = L->x + t * L->n * W + j0 * W;
        scale_gather(cf, b1, rw, b0, rw, j0, S, rows, R, L->a, L->shifts[t]);
        band_units_apply(cf, 1, b1, rw, j0);
        for (size_t i = 0; i < rows; i++) memcpy(bt + i * stride, b1 + i * rw, rw * sizeof *b1);
      }
    } else {
      band_units_apply(ci, 0, base0, stride, j0);
      for (size_t t = L->g; t-- > 0;) { /* t = 0 last: its rows are the source */
        bb_t *bt = L->x + t * L->n * W + j0 * W;
        scale_gather(cf, bt, stride, base0, stride, j0, S, rows, R, L->a, L->shifts[t]);
        band_units_apply(cf, 1, bt, stride, j0);
      }
    }
  }
  free(b0);
}


/* x: n bit-reversed input rows followed by room for the other cosets. Returns
 * 1 when done, 0 when the shape has no band to fuse (caller does it the plain
 * way), or an NTT_ERR_* code. */
static int lde_bitrev_fused(bb_t *x, unsigned log_n, size_t W, unsigned log_b, bb_t shift,
                            int nt) {
  size_t n = (size_t)1 << log_n, g = (size_t)1 << log_b;
  if (n == 1 || (W > 1 && W < 8 && n >= NTT_VEC_MIN)) return 0;
  const bb_t *Ti = tw_get(1, log_n), *Tf = tw_get(0, log_n);
  if (!Ti || !Tf) return NTT_ERR_NOMEM;
  lde_job L;
  init_core(&L.inv, x, n, W, W == 1, 1, Ti, tab_entries(log_n), nt);
  init_core(&L.fwd, x, n, W, W == 1, 0, Tf, tab_entries(log_n), nt);
  L.inv.m = L.fwd.m = block_rows(&L.inv);
  size_t Ms[64];
  unsigned ks[64];
  int nb = plan_bands(&L.inv, L.inv.m, Ms, ks);
  if (nb == 0) return 0;
  bb_t *shifts = malloc(g * sizeof *shifts);
  if (!shifts) return NTT_ERR_NOMEM;
  bb_t wN = bb_two_adic_generator(log_n + log_b);
  for (size_t t = 0; t < g; t++) shifts[t] = bb_mul(shift, bb_pow(wN, bitrev(t, log_b)));
  L.x = x;
  L.n = n;
  L.g = g;
  L.shifts = shifts;
  L.a = bb_inv(bb_from_u64(n));
  par_for(L.inv.nt, n / L.inv.m, 1, blocks_dit_range, &L.inv);
  for (int b = nb - 1; b >= 1; b--) run_band(&L.inv, Ms[b], ks[b], 0);
  L.inv.band_M = L.fwd.band_M = Ms[0];
  L.inv.band_k = L.fwd.band_k = ks[0];
  L.inv.band_R = L.fwd.band_R = L.inv.vec ? NTT_BAND_R : 1;
  par_for(L.inv.nt, (Ms[0] >> ks[0]) / L.inv.band_R, 1, lde_top_range, &L);
  for (size_t t = 0; t < g; t++) {
    L.fwd.x = x + t * n * W;
    for (int b = 1; b < nb; b++) run_band(&L.fwd, Ms[b], ks[b], 1);
    par_for(L.fwd.nt, n / L.fwd.m, 1, blocks_dif_range, &L.fwd);
  }
  free(shifts);
  return 1;
}

/* ---- element-wise helpers (parallel) ---- */


typedef struct {
  bb_t *x;           /* destination (and source when src is NULL) */
  const bb_t *src;   /* source of a copying operation, or NULL for in place */
  size_t W;
  unsigned log_n;
  unsigned tile_k;   /* bit reversal: tile side 2^tile_k */
  bb_t a, s;         /* scaling: row i times a * s^i */
  const bb_t *F;     /* expansion: coset shifts and step factors */
  bb_t *scratch;     /* expansion: per-block factors when the blowup exceeds 64 */
  unsigned log_b;    /* expansion: blowup */
  size_t off;        /* expansion: first source row of the round */
  const ntt_kernels *k;
} ew_job;

static int nt_for(int nt, size_t elems) { return elems < NTT_PAR_MIN ? 1 : nt; }

/* Plain bit reversal: in place (swap pairs, the smaller index does it) or copy. */
static void bitrev_range(void *arg, size_t lo, size_t hi) {
  ew_job *e = arg;
  size_t W = e->W;
  for (size_t i = lo; i < hi; i++) {
    size_t j = bitrev(i, e->log_n);
    if (e->src) {
      memcpy(e->x + j * W, e->src + i * W, W * sizeof(bb_t));
    } else if (i < j) {
      bb_t *a = e->x + i * W, *b = e->x + j * W;
      for (size_t c = 0; c < W; c++) {
        bb_t t = a[c];
        a[c] = b[c];
        b[c] = t;
      }
    }
  }
}

/* Cache-blocked bit reversal for narrow rows. A row index is split as
 * (a, b, c) with a and c of k bits; rev(a, b, c) = (rev c, rev b, rev a), so
 * the 2^k x 2^k tile at middle b maps onto the tile at rev b, transposed, and
 * both tiles are read and written as runs of 2^k consecutive rows. Units are the
 * middle values b; in place, the smaller b of a pair swaps both tiles. */
#define NTT_TILE_ELEMS 4096

static void bitrev_tile_range(void *arg, size_t lo, size_t hi) {
  ew_job *e = arg;
  unsigned L = e->log_n, k = e->tile_k, mb = L - 2 * k;
  size_t W = e->W, side = (size_t)1 << k, run = side * W;
  bb_t A[NTT_TILE_ELEMS], B[NTT_TILE_ELEMS];
  size_t rk[64];
  const bb_t *from = e->src ? e->src : e->x;
  for (size_t i = 0; i < side; i++) rk[i] = bitrev(i, k);
  for (size_t b = lo; b < hi; b++) {
    size_t b2 = bitrev(b, mb);
    int both = !e->src && b2 != b; /* in place: swap the two tiles */
    if (!e->src && b2 < b) continue;
    for (size_t a = 0; a < side; a++) {
      memcpy(A + a * run, from + ((a << (L - k)) | (b << k)) * W, run * sizeof(bb_t));
      if (both) memcpy(B + a * run, from + ((a << (L - k)) | (b2 << k)) * W, run * sizeof(bb_t));
    }
    /* Destination run (rc, b2, *) takes source (a = rev ra, b, c = rev rc). */
    for (size_t rc = 0; rc < side; rc++) {
      bb_t *d1 = e->x + ((rc << (L - k)) | (b2 << k)) * W;
      bb_t *d2 = e->x + ((rc << (L - k)) | (b << k)) * W;
      size_t c = rk[rc];
      for (size_t ra = 0; ra < side; ra++) {
        size_t a = rk[ra];
        memcpy(d1 + ra * W, A + (a * side + c) * W, W * sizeof(bb_t));
        if (both) memcpy(d2 + ra * W, B + (a * side + c) * W, W * sizeof(bb_t));
      }
    }
  }
}

/* x = bitrev(src) (src != NULL, no overlap) or x = bitrev(x). */
static void bitrev_rows_from(bb_t *x, const bb_t *src, unsigned log_n, size_t W, int nt) {
  ew_job e = {.x = x, .src = src, .W = W, .log_n = log_n};
  size_t n = (size_t)1 << log_n;
  unsigned k = 6;
  while (k > 0 && ((size_t)1 << (2 * k)) * W > NTT_TILE_ELEMS) k--;
  if (W < 16 && k >= 2 && log_n >= 2 * k + 1) {
    e.tile_k = k;
    size_t units = (size_t)1 << (log_n - 2 * k);
    par_for(nt_for(nt, n * W), units, 1, bitrev_tile_range, &e);
    return;
  }
  par_for(nt_for(nt, n * W), n, 64, bitrev_range, &e);
}

static void bitrev_rows(bb_t *x, unsigned log_n, size_t W, int nt) {
  bitrev_rows_from(x, NULL, log_n, W, nt);
}

int ntt_bitrev_rows(bb_t *data, unsigned log_n, size_t width) {
  if (!data || !width || log_n > NTT_MAX_LOG || width > SIZE_MAX / ((size_t)1 << log_n))
    return NTT_ERR_ARG;
  bitrev_rows(data, log_n, width, 1);
  return NTT_OK;
}

/* Rows [lo, hi): x_i *= a * s^i. */
static void scale_pow_range(void *arg, size_t lo, size_t hi) {
  ew_job *e = arg;
  size_t W = e->W;
  bb_t v = bb_mul(e->a, bb_pow(e->s, lo));
  if (W == 1 && e->s == BB_ONE) { /* one constant: a plain vector scale */
    e->k->scale(e->x + lo, v, hi - lo);
  } else if (W == 1) {
    bb_t buf[NTT_CHUNK];
    for (size_t i = lo; i < hi;) {
      size_t len = min_sz(hi - i, NTT_CHUNK);
      for (size_t t = 0; t < len; t++) {
        buf[t] = v;
        v = bb_mul(v, e->s);
      }
      e->k->mul(e->x + i, buf, len);
      i += len;
    }
  } else {
    for (size_t i = lo; i < hi; i++) {
      e->k->scale(e->x + i * W, v, W);
      v = bb_mul(v, e->s);
    }
  }
}

static void scale_rows_pow(bb_t *x, size_t n, size_t W, bb_t a, bb_t s, int nt) {
  ew_job e = {.x = x, .W = W, .a = a, .s = s, .k = kernels()};
  par_for(nt_for(nt, n * W), n, 64, scale_pow_range, &e);
}

static void copy_range(void *arg, size_t lo, size_t hi) {
  ew_job *e = arg;
  memcpy(e->x + lo, e->src + lo, (hi - lo) * sizeof(bb_t));
}

/* Natural-order LDE expansion: source row p (W wide, among the first n rows)
 * becomes the wide row p (W << log_b wide) whose block r is the source times
 * f_r(p) = c_r^rev(p) / n, c_r = shift w_N^r. Blocks r >= 1 first, so that
 * p = 0, its own destination, is read before block 0 overwrites it.
 * f_r follows p without a table lookup: if p ends in t one bits, rev(p + 1) =
 * rev(p) + 3 2^(L-1-t) - 2^L, so f_r(p + 1) = f_r(p) * D[r][t] with
 * D[r][t] = c_r^(3 2^(L-1-t)) / c_r^(2^L), L = log n. */
static void expand_range(void *arg, size_t lo, size_t hi) {
  ew_job *e = arg;
  size_t W = e->W, g = (size_t)1 << e->log_b;
  unsigned L = e->log_n;
  const bb_t *C = e->F, *D = e->F + g; /* C[r] = c_r, D[r * L + t] */
  bb_t fbuf[64], *f = g <= 64 ? fbuf : e->scratch; /* scratch: single-threaded, g > 64 */
  size_t p0 = e->off + lo;
  for (size_t r = 0; r < g; r++) f[r] = bb_mul(e->a, bb_pow(C[r], bitrev(p0, L)));
  for (size_t p = p0; p < e->off + hi; p++) {
    const bb_t *src = e->x + p * W;
    bb_t *dst = e->x + p * g * W;
    for (size_t r = g; r-- > 0;) {
      bb_t *d = dst + r * W;
      if (W < 8) {
        for (size_t c = 0; c < W; c++) d[c] = bb_mul(src[c], f[r]);
      } else {
        if (d != src) memcpy(d, src, W * sizeof *d);
        e->k->scale(d, f[r], W);
      }
    }
    if (L > 0) {
      unsigned t = (unsigned)__builtin_ctzll(~(unsigned long long)p);
      if (t < L)
        for (size_t r = 0; r < g; r++) f[r] = bb_mul(f[r], D[r * L + t]);
    }
  }
}

static int args_ok(const bb_t *data, unsigned log_n, size_t width) {
  return data && width > 0 && log_n <= NTT_MAX_LOG && width <= SIZE_MAX / ((size_t)1 << log_n);
}

/* ---- public transforms ---- */

int ntt_dft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order, int threads) {
  if (!args_ok(data, log_n, width)) return NTT_ERR_ARG;
  int nt = resolve_threads(threads);
  int rc = transform(data, log_n, width, 0, 1, nt);
  if (rc == NTT_OK && out_order == NTT_ORDER_NATURAL) bitrev_rows(data, log_n, width, nt);
  return rc;
}

int ntt_idft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order, int threads) {
  if (!args_ok(data, log_n, width)) return NTT_ERR_ARG;
  int nt = resolve_threads(threads);
  size_t n = (size_t)1 << log_n;
  int rc = transform(data, log_n, width, 1, 1, nt);
  if (rc != NTT_OK) return rc;
  scale_rows_pow(data, n, width, bb_inv(bb_from_u64(n)), BB_ONE, nt);
  if (out_order == NTT_ORDER_NATURAL) bitrev_rows(data, log_n, width, nt);
  return NTT_OK;
}

int ntt_coset_dft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order,
                  int threads) {
  if (!args_ok(data, log_n, width)) return NTT_ERR_ARG;
  int nt = resolve_threads(threads);
  int rc = transform_pre(data, log_n, width, 0, 1, nt, data, BB_ONE, shift);
  if (rc == NTT_OK && out_order == NTT_ORDER_NATURAL) bitrev_rows(data, log_n, width, nt);
  return rc;
}

int ntt_coset_idft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order,
                   int threads) {
  if (!args_ok(data, log_n, width) || shift == 0) return NTT_ERR_ARG;
  int nt = resolve_threads(threads);
  int rc = ntt_idft(data, log_n, width, NTT_ORDER_NATURAL, threads);
  if (rc != NTT_OK) return rc;
  scale_rows_pow(data, (size_t)1 << log_n, width, BB_ONE, bb_inv(shift), nt);
  if (out_order == NTT_ORDER_BITREV) bitrev_rows(data, log_n, width, nt);
  return NTT_OK;
}

/* The LDE evaluates on N = n 2^b points shift * w_N^k. Writing k = q 2^b + r,
 * those are 2^b cosets (shift w_N^r) <w_n>, so with the coefficients a_j
 * (degree < n) each coset is one size-n transform of a_j (shift w_N^r)^j:
 * no zero padding and no size-N stages.
 * - Natural order: row k = q 2^b + r, so the cosets interleave: the output is
 *   an n-row matrix of width W 2^b whose column block r is coset r. The
 *   inverse DIF leaves the coefficients in bit-reversed rows, which is exactly
 *   what the forward DIT on that wide matrix wants: no permutation at all.
 * - Bit-reversed order: output row t n + p holds k = rev_n(p) 2^b + rev_b(t),
 *   i.e. sub-block t is coset r = rev_b(t) in bit-reversed order, the output of
 *   a DIF. The DIF wants natural coefficients, so the input is bit-reversed
 *   once (fused with the copy from in) and inverted with a DIT. */
int ntt_coset_lde(const bb_t *in, unsigned log_n, size_t width, unsigned log_blowup, bb_t shift,
                  bb_t *out, ntt_order out_order, int threads) {
  if (!in || !out || log_blowup > NTT_MAX_LOG || log_n + log_blowup > NTT_MAX_LOG ||
      !args_ok(out, log_n + log_blowup, width))
    return NTT_ERR_ARG;
  int nt = resolve_threads(threads);
  size_t n = (size_t)1 << log_n, g = (size_t)1 << log_blowup, W = width;
  unsigned log_N = log_n + log_blowup;
  bb_t ninv = bb_inv(bb_from_u64(n));
  bb_t wN = bb_two_adic_generator(log_N);
  int rc;
  /* A natural-order LDE whose wide matrix (W 2^b columns) would be narrow is
   * faster as the bit-reversed LDE plus one tiled permutation (measured: 2^24
   * x 1, blowup 2, one core: 260 ms against 325 ms; for 8 or more columns the
   * direct way wins). */
  if (out_order == NTT_ORDER_NATURAL && W * g < 8 && (n << log_blowup) >= NTT_VEC_MIN) {
    rc = ntt_coset_lde(in, log_n, width, log_blowup, shift, out, NTT_ORDER_BITREV, threads);
    if (rc == NTT_OK) bitrev_rows(out, log_N, W, nt);
    return rc;
  }
  if (out_order == NTT_ORDER_BITREV) {
    if (out != in)
      bitrev_rows_from(out, in, log_n, W, nt);
    else
      bitrev_rows(out, log_n, W, nt);
    rc = lde_bitrev_fused(out, log_n, W, log_blowup, shift, nt);
    if (rc != 0) return rc < 0 ? rc : NTT_OK;
    rc = transform(out, log_n, W, 1, 0, nt); /* natural coefficients, times n */
    if (rc != NTT_OK) return rc;
    for (size_t t = g; t-- > 0 && rc == NTT_OK;) { /* t = 0 last: its input is its own region */
      bb_t s = bb_mul(shift, bb_pow(wN, bitrev(t, log_blowup)));
      rc = transform_pre(out + t * n * W, log_n, W, 0, 1, nt, out, ninv, s);
    }
    return rc;
  }
  if (out != in) {
    ew_job e = {.x = out, .src = in};
    par_for(nt_for(nt, n * W), n * W, 1024, copy_range, &e);
  }
  rc = transform(out, log_n, W, 1, 1, nt); /* coefficients in bit-reversed rows, times n */
  if (rc != NTT_OK) return rc;
  if (g == 1) { /* same size: coefficients to natural rows, then the coset transform */
    bitrev_rows(out, log_n, W, nt);
    rc = transform_pre(out, log_n, W, 0, 1, nt, out, ninv, shift);
    if (rc == NTT_OK) bitrev_rows(out, log_n, W, nt);
    return rc;
  }
  {
    unsigned L = log_n;
    /* c_r, the steps D, and for huge blowups the running factors */
    bb_t *F = malloc(g * (2 + (size_t)L) * sizeof *F);
    if (!F) return NTT_ERR_NOMEM;
    for (size_t r = 0; r < g; r++) {
      bb_t c = bb_mul(shift, bb_pow(wN, r));
      bb_t cn_inv = bb_inv(bb_pow(c, n));
      F[r] = c;
      for (unsigned t = 0; t < L; t++)
        F[g + r * L + t] = bb_mul(bb_pow(c, (uint64_t)3 << (L - 1 - t)), cn_inv);
    }
    ew_job e = {.x = out, .W = W, .log_n = log_n, .F = F, .log_b = log_blowup, .a = ninv,
                .k = kernels(), .scratch = F + g * (1 + (size_t)L)};
    int ent = g > 64 ? 1 : nt;
    /* Sources [hi/2, hi) land in wide rows [hi/2, hi), i.e. at or beyond row hi
     * of the narrow layout: past every source still unread, so each round is
     * parallel. Row 0 is its own destination (handled by block order). */
    for (size_t hi = n; hi >= 1; hi /= 2) {
      e.off = hi / 2;
      par_for(nt_for(ent, (hi - hi / 2) * W * g), hi - hi / 2, 64, expand_range, &e);
      if (hi == 1) break;
    }
    free(F);
  }
  return transform(out, log_n, W * g, 0, 0, nt);
}
