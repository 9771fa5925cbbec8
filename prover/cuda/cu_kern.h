/* cu_kern: the bodies of every CUDA kernel of the backend, written once in the
 * common subset of C11 and CUDA C++ so that they compile twice:
 *   - by nvcc into the __global__ kernels (cu_kernels.cu), where one call of a
 *     tile function is one thread of one block and CU_K_SYNC is __syncthreads;
 *   - by the C compiler into the CPU emulation (cu_backend.c), where the same
 *     function runs as a single thread (tid 0 of 1) per block, so a barrier is
 *     a no-op and every phase runs to completion before the next.
 * Each tile function is therefore a sequence of phases "for (x = tid; x < work;
 * x += nth) ...; CU_K_SYNC();" with no barrier inside a branch, and the index
 * arithmetic (the part that is easy to get wrong) is exercised by the
 * emulation tests under the sanitizers on any machine.
 *
 * Field: BabyBear words in Montgomery form, exactly as field/bb.h (the same
 * reduction, so results are bit-identical); ext: F_p[x]/(x^4 - 11) as
 * field/ext.h.
 *
 * Root tables: powers g^e of one base g for any e < 2^27 come from two tables,
 * lo[i] = g^i (i < 2^CU_TW_LO_BITS) and hi[j] = g^(j 2^CU_TW_LO_BITS)
 * (j < 2^CU_TW_HI_BITS), stored back to back (CU_TW_SIZE words, 96 KiB): one
 * extra multiplication per lookup buys tables that stay in L1/L2 for every
 * transform size. For the NTT g is the element of order 2^27 (forward) or its
 * inverse, so w_{2^m}^e = g^(e << (27 - m)); for a coset g is the shift.
 */
#ifndef PKB_CUDA_CU_KERN_H
#define PKB_CUDA_CU_KERN_H

#include <stdint.h>

#include "field/bb.h"
#include "field/ext.h"

#ifdef __CUDACC__
#define CU_HD static __host__ __device__ __forceinline__
#else
#define CU_HD static inline
#endif

/* Barriers exist in the device pass only. Loops over the 16 state words
 * have constant bounds and are unrolled by nvcc at -O3 (the states stay in
 * registers: no local memory, checked with -Xptxas -v); an explicit
 * "#pragma unroll" there crashes nvcc 13.0's cicc once the permutation is
 * inlined into the sponge loop, so there is none. */
#if defined(__CUDA_ARCH__)
#define CU_K_SYNC() __syncthreads()
#else
#define CU_K_SYNC() ((void)0)
#endif

#define CU_TW_LO_BITS 14u
#define CU_TW_HI_BITS 13u /* LO + HI = 27 = BB_TWO_ADICITY */
#define CU_TW_SIZE ((1u << CU_TW_LO_BITS) + (1u << CU_TW_HI_BITS))

/* NTT tiles: a block transforms 2^k lines of T elements in shared memory,
 * 2^k * T <= CU_NTT_SH; k <= CU_NTT_MAX_K keeps T >= 8 (32-byte segments)
 * when the data allows. 32 KiB of tile and 16 KiB of lo_tab fit the 48 KiB of
 * static shared memory. */
#define CU_NTT_SH_LOG 13u
#define CU_NTT_SH (1u << CU_NTT_SH_LOG)
#define CU_NTT_MAX_K 10u
#define CU_NTT_THREADS 256u

/* ---- BabyBear (Montgomery, R = 2^32) ------------------------------------- */

CU_HD uint32_t cu_k_add(uint32_t a, uint32_t b) {
  uint32_t s = a + b;
  return s >= BB_P ? s - BB_P : s;
}

CU_HD uint32_t cu_k_sub(uint32_t a, uint32_t b) {
  uint32_t d = a - b;
  return a < b ? d + BB_P : d;
}

CU_HD uint32_t cu_k_mul(uint32_t a, uint32_t b) {
  uint64_t x = (uint64_t)a * b;
  uint32_t m = (uint32_t)x * BB_MONTY_MU;
  uint32_t mphi = (uint32_t)(((uint64_t)m * BB_P) >> 32);
  uint32_t hi = (uint32_t)(x >> 32);
  uint32_t r = hi - mphi;
  return hi < mphi ? r + BB_P : r;
}

/* g^e from a root table (see above), e < 2^27. */
CU_HD uint32_t cu_k_pow_lookup(const uint32_t *tab, uint32_t e) {
  return cu_k_mul(tab[e & ((1u << CU_TW_LO_BITS) - 1u)],
                  tab[(1u << CU_TW_LO_BITS) + (e >> CU_TW_LO_BITS)]);
}

/* x / w, with the (much cheaper on a GPU) 32-bit division when it suffices. */
CU_HD uint64_t cu_k_div(uint64_t x, uint64_t w) {
  if ((x | w) >> 32 == 0) return (uint32_t)x / (uint32_t)w;
  return x / w;
}

/* The bits-bit reversal of x < 2^bits, 0 <= bits <= 32. */
CU_HD uint32_t cu_k_bitrev(uint32_t x, uint32_t bits) {
  if (bits == 0) return 0;
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
  x = (x >> 16) | (x << 16);
  return x >> (32u - bits);
}

/* ---- NTT pass ---------------------------------------------------------------
 * A decimation-in-frequency (Gentleman-Sande) transform of n = 2^log_n rows:
 * stage b (b = log_n - 1 down to 0) maps every pair (i, i + 2^b) with bit b
 * of i clear to (x + y, (x - y) w_{2^(b+1)}^(i mod 2^b)); natural input gives
 * bit-reversed output. A pass runs the stages b = s + k - 1 .. s, which only
 * mix rows that agree outside bits [s, s + k): writing row
 * i = hi 2^(s+k) + j 2^s + lo, a line is the 2^k rows of one (hi, lo), and
 * since element (i, c) sits at i*width + c, the "inner" index m = lo*width + c
 * (m < inner = 2^s width) is contiguous in memory. A tile is the 2^k lines
 * of T = 2^tlog consecutive m for one hi (fewer, tcount, at the end of the
 * inner range): every line is a contiguous run of words, so loads and stores
 * are coalesced for any width. Shared memory: sh holds the tile
 * (2^k * T <= CU_NTT_SH words, line j at sh + j*T), lo_tab the row offset lo
 * of each tile column (T <= CU_NTT_SH / 2 words, since k >= 1).
 * The same tiles run the decimation-in-time (Cooley-Tukey) transform, stage
 * b (b = 0 up to log_n - 1) mapping (x, y) to (x + t, x - t),
 * t = y w_{2^(b+1)}^(i mod 2^b): bit-reversed input gives natural output.
 * Its passes go from the low bits up; DIF passes from the high bits down.
 * pre (first DIF pass only): NULL or the root table of a coset shift; the
 * input row i is multiplied by shift^i as it is loaded. post (last pass
 * only): every stored word is multiplied by post unless post == BB_ONE. */
typedef struct {
  uint32_t *data;
  const uint32_t *tw;  /* root table of the 2^27-order root (or its inverse) */
  const uint32_t *pre; /* NULL or root table of the coset shift */
  uint32_t post;
  uint32_t dit; /* 0: DIF stages b = s+k-1 .. s; 1: DIT stages b = s .. s+k-1 */
  uint32_t s, k, tlog;
  uint64_t width;
  uint64_t inner;        /* width << s */
  uint64_t tiles_per_hi; /* ceil(inner / 2^tlog) */
  uint64_t nblocks;      /* tiles_per_hi << (log_n - s - k) */
} cu_k_ntt_pass;

CU_HD void cu_k_ntt_tile(cu_k_ntt_pass a, uint64_t block, uint32_t tid, uint32_t nth,
                         uint32_t *sh, uint32_t *lo_tab) {
  const uint32_t K = 1u << a.k, T = 1u << a.tlog, tmask = T - 1u;
  const uint64_t hi = block / a.tiles_per_hi, m0 = (block - hi * a.tiles_per_hi) << a.tlog;
  const uint32_t tcount = a.inner - m0 < T ? (uint32_t)(a.inner - m0) : T;
  uint32_t *const data = a.data + hi * (uint64_t)K * a.inner + m0;
  const uint32_t row_hi = (uint32_t)(hi << (a.s + a.k));

  CU_K_SYNC(); /* the previous tile of this block may still read sh, lo_tab */
  for (uint32_t t = tid; t < tcount; t += nth)
    lo_tab[t] = a.s ? (uint32_t)cu_k_div(m0 + t, a.width) : 0u;
  CU_K_SYNC();
  for (uint32_t f = tid; f < K * T; f += nth) {
    uint32_t j = f >> a.tlog, t = f & tmask;
    if (t >= tcount) continue;
    uint32_t v = data[(uint64_t)j * a.inner + t];
    if (a.pre) v = cu_k_mul(v, cu_k_pow_lookup(a.pre, row_hi + (j << a.s) + lo_tab[t]));
    sh[f] = v;
  }
  CU_K_SYNC();
  for (uint32_t qq = 0; qq < a.k; qq++) {
    const uint32_t q = a.dit ? qq : a.k - 1u - qq;
    const uint32_t half = 1u << q;
    const uint32_t scale = 26u - (a.s + q); /* w_{2^(b+1)} = g^(2^(26-b)) */
    for (uint32_t u = tid; u < (K >> 1) * T; u += nth) {
      uint32_t jj = u >> a.tlog, t = u & tmask;
      if (t >= tcount) continue;
      uint32_t j = ((jj >> q) << (q + 1)) | (jj & (half - 1u));
      uint32_t e = ((j & (half - 1u)) << a.s) | lo_tab[t]; /* i mod 2^b */
      uint32_t w = cu_k_pow_lookup(a.tw, e << scale);
      uint32_t *px = sh + (j << a.tlog) + t, *py = px + (half << a.tlog);
      uint32_t x = *px, y = *py;
      if (a.dit) {
        uint32_t t2 = cu_k_mul(y, w);
        *px = cu_k_add(x, t2);
        *py = cu_k_sub(x, t2);
      } else {
        *px = cu_k_add(x, y);
        *py = cu_k_mul(cu_k_sub(x, y), w);
      }
    }
    CU_K_SYNC();
  }
  for (uint32_t f = tid; f < K * T; f += nth) {
    uint32_t j = f >> a.tlog, t = f & tmask;
    if (t >= tcount) continue;
    uint32_t v = sh[f];
    if (a.post != BB_ONE) v = cu_k_mul(v, a.post);
    data[(uint64_t)j * a.inner + t] = v;
  }
}

/* ---- NTT pass, variant 1: stages in registers ---------------------------------
 * The same pass (cu_k_ntt_pass's s, k, dit, pre, post and the same butterflies,
 * so the same words), organised for fewer shared-memory round trips and
 * twiddle lookups:
 *   - a tile is 2^hlog consecutive groups of 2^k lines (hi = hi0 .. hi0 +
 *     2^hlog - 1, hlog > 0 only when one tile spans the whole inner range) of
 *     T = 2^tlog columns; element (h, j, t) sits at sh[(((h << k) | j) <<
 *     tlog) + t] and at data[(hi0 + h) K inner + j inner + m0 + t]. With
 *     T < 32 the items of a warp meet bank conflicts in one group; a
 *     padded layout that avoids them measured slower on an H200, its
 *     address arithmetic costing more than the conflicts;
 *   - the k stages run in groups of r <= CU_NTT1_R consecutive stages (bits
 *     [q0, q0 + r) of j, groups of near-equal size, DIF from the top, DIT
 *     from the bottom); one work item holds the 2^r elements of one column
 *     that differ in those bits in registers and does the r stages there.
 *     The first group loads from global memory, the last stores to it, the
 *     others go through sh; with one group sh is not used at all;
 *   - twiddles: for stage q = q0 + i (0 <= i < r) the butterfly of the item's
 *     element pair with group index m (bits below i) needs g^(e << (26 - b)),
 *     b = s + q, e = E + (m << (q0 + s)), E = (j mod 2^q0) << s | lo, which
 *     is W_i * w_{2^(i+1)}^m with W_i = g^(E << (26 - b)). One lookup gives
 *     W_{r-1}; W_{i-1} = W_i^2; the small roots w_{2^(i+1)}^m = rt[m << (3 -
 *     i)] come with the pass (rt[x] = g^(x 2^23), g the root of tw).
 * Work item u of a group: t = u mod T, then the k - r bits of j outside the
 * group (low q0 bits first), then h; consecutive threads take consecutive
 * columns, so global loads and stores are coalesced. */
#define CU_NTT1_R 4u
/* Tile words (64 KiB of dynamic shared memory) and the blocks per SM the
 * kernel's register budget is fitted to (cu_kernels.cu's launch bounds);
 * the guards let a tuning build try other values. */
#ifndef CU_NTT1_SH_LOG
#define CU_NTT1_SH_LOG 14u
#endif
#ifndef CU_NTT1_MIN_BLOCKS
#define CU_NTT1_MIN_BLOCKS 3
#endif
#define CU_NTT1_THREADS 256u

typedef struct {
  uint32_t *data;
  const uint32_t *tw;
  const uint32_t *pre;
  uint32_t post;
  uint32_t dit;
  uint32_t s, k, tlog, hlog;
  uint32_t wlog;               /* log2(width) when width is a power of two, else 32 */
  uint32_t rt[1u << CU_NTT1_R]; /* rt[x] = g^(x << 23) */
  uint64_t width;
  uint64_t inner;        /* width << s */
  uint64_t tiles_per_hi; /* ceil(inner / T) */
  uint64_t nblocks;      /* tiles_per_hi << (log_n - s - k - hlog) */
} cu_k_ntt1_pass;

/* One group of r stages (bits [q0, q0 + r) of j) of the tile at gm (global,
 * the tile's first word) / sh; first: load from gm (with pre), else from sh;
 * last: store to gm (with post), else to sh. r is a constant at every call
 * site, and dit too, so the loops unroll and v, w stay in registers. */
CU_HD void cu_k_ntt1_group(const cu_k_ntt1_pass *a, uint32_t *gm, uint32_t *sh, uint64_t m0,
                           uint32_t tcount, uint32_t row0, uint32_t q0, uint32_t r, uint32_t dit,
                           int first, int last, uint32_t tid, uint32_t nth) {
  const uint32_t n = 1u << r, tmask = (1u << a->tlog) - 1u;
  const uint32_t items = 1u << (a->hlog + a->k - r + a->tlog);
  const uint32_t qtop = q0 + r - 1u;
  /* element i of an item is `stride` words after element i - 1 (walked with
   * a pointer rather than 2^r precomputed 64-bit addresses: registers; never
   * stepped past the item's last element) */
  const uint64_t gstride = a->inner << q0;
  const uint32_t sstride = 1u << (q0 + a->tlog);
  for (uint32_t u = tid; u < items; u += nth) {
    const uint32_t t = u & tmask;
    if (t >= tcount) continue;
    const uint32_t o = u >> a->tlog;
    const uint32_t jl = o & ((1u << q0) - 1u);
    const uint32_t base = jl | ((o >> q0) << (q0 + r)); /* (h << k) | j, group bits clear */
    uint32_t lo = 0;
    if (a->s)
      lo = a->wlog < 32u ? (uint32_t)((m0 + t) >> a->wlog) : (uint32_t)cu_k_div(m0 + t, a->width);
    uint32_t v[1u << CU_NTT1_R], w[CU_NTT1_R];
    if (first) {
      const uint32_t *p = gm + (uint64_t)base * a->inner + t;
      for (uint32_t i = 0; i < n; i++) v[i] = *(p += i ? gstride : 0u);
      if (a->pre) {
        const uint32_t row = row0 + (base << a->s) + lo;
        for (uint32_t i = 0; i < n; i++)
          v[i] = cu_k_mul(v[i], cu_k_pow_lookup(a->pre, row + (i << (q0 + a->s))));
      }
    } else {
      const uint32_t *p = sh + (base << a->tlog) + t;
      for (uint32_t i = 0; i < n; i++) v[i] = *(p += i ? sstride : 0u);
    }
    w[r - 1u] = cu_k_pow_lookup(a->tw, ((jl << a->s) | lo) << (26u - a->s - qtop));
    for (uint32_t i = r - 1u; i > 0; i--) w[i - 1u] = cu_k_mul(w[i], w[i]);
    for (uint32_t ii = 0; ii < r; ii++) {
      const uint32_t i = dit ? ii : r - 1u - ii, half = 1u << i;
      uint32_t wm[1u << (CU_NTT1_R - 1u)];
      wm[0] = w[i];
      for (uint32_t m = 1; m < half; m++) wm[m] = cu_k_mul(w[i], a->rt[m << (CU_NTT1_R - 1u - i)]);
      for (uint32_t p = 0; p < n / 2u; p++) {
        const uint32_t x0 = ((p >> i) << (i + 1u)) | (p & (half - 1u)), x1 = x0 + half;
        const uint32_t tw = wm[p & (half - 1u)];
        if (dit) {
          const uint32_t t2 = cu_k_mul(v[x1], tw);
          v[x1] = cu_k_sub(v[x0], t2);
          v[x0] = cu_k_add(v[x0], t2);
        } else {
          const uint32_t d = cu_k_sub(v[x0], v[x1]);
          v[x0] = cu_k_add(v[x0], v[x1]);
          v[x1] = cu_k_mul(d, tw);
        }
      }
    }
    if (last) {
      uint32_t *p = gm + (uint64_t)base * a->inner + t;
      if (a->post != BB_ONE)
        for (uint32_t i = 0; i < n; i++) v[i] = cu_k_mul(v[i], a->post);
      for (uint32_t i = 0; i < n; i++) *(p += i ? gstride : 0u) = v[i];
    } else {
      uint32_t *p = sh + (base << a->tlog) + t;
      for (uint32_t i = 0; i < n; i++) *(p += i ? sstride : 0u) = v[i];
    }
  }
}

/* Tile `block` of the pass; sh: 2^(hlog + k + tlog) words. */
CU_HD void cu_k_ntt1_tile(const cu_k_ntt1_pass *a, uint64_t block, uint32_t tid, uint32_t nth,
                          uint32_t *sh) {
  const uint32_t T = 1u << a->tlog;
  const uint64_t hb = block / a->tiles_per_hi, m0 = (block - hb * a->tiles_per_hi) << a->tlog;
  const uint64_t hi0 = hb << a->hlog;
  const uint32_t tcount = a->inner - m0 < T ? (uint32_t)(a->inner - m0) : T;
  uint32_t *const gm = a->data + (hi0 << a->k) * a->inner + m0;
  const uint32_t row0 = (uint32_t)(hi0 << (a->s + a->k));
  const uint32_t groups = (a->k + CU_NTT1_R - 1u) / CU_NTT1_R;

  CU_K_SYNC(); /* the previous tile of this block may still read sh */
  for (uint32_t gi = 0, done = 0; gi < groups; gi++) {
    const uint32_t r = a->k / groups + (gi < a->k % groups ? 1u : 0u);
    const uint32_t q0 = a->dit ? done : a->k - done - r;
    const int first = gi == 0, last = gi + 1u == groups;
#define CU_K_NTT1_GROUP(rr, dd) \
  cu_k_ntt1_group(a, gm, sh, m0, tcount, row0, q0, rr, dd, first, last, tid, nth)
    switch (r * 2u + (a->dit != 0)) {
    case 2: CU_K_NTT1_GROUP(1, 0); break;
    case 3: CU_K_NTT1_GROUP(1, 1); break;
    case 4: CU_K_NTT1_GROUP(2, 0); break;
    case 5: CU_K_NTT1_GROUP(2, 1); break;
    case 6: CU_K_NTT1_GROUP(3, 0); break;
    case 7: CU_K_NTT1_GROUP(3, 1); break;
    case 8: CU_K_NTT1_GROUP(4, 0); break;
    default: CU_K_NTT1_GROUP(4, 1); break;
    }
#undef CU_K_NTT1_GROUP
    done += r;
    CU_K_SYNC();
  }
}

/* ---- row permutation with scaling -------------------------------------------
 * Output row r (of 2^(log_n + spread) rows) is input row src(p) times
 * c * pow^e(p) when pow is not NULL (pow a root table), times c alone
 * otherwise (c == BB_ONE: a plain copy), where p = r >> spread,
 * src(p) = bitrev_{log_n}(p) when rev_src (else p) and e(p) =
 * bitrev_{log_n}(p) when rev_exp (else p). So with spread = 0 it is a
 * (bit-reversing) permutation of 2^log_n rows; with spread > 0 every input
 * row is written 2^spread times in a row. Element f = r * width + col,
 * f < count = 2^(log_n + spread) * width.
 * Aliasing: with spread, in and out are disjoint. Without spread, out == in
 * is allowed: with rev_src the rows are then swapped in place, the thread of
 * the element in row r doing the pair (r, bitrev(r)) when r <= bitrev(r)
 * and nothing otherwise; without rev_src every element is read and written
 * at its own index by one thread. */
typedef struct {
  const uint32_t *in;
  uint32_t *out;
  const uint32_t *pow;
  uint32_t c;
  uint32_t log_n, spread;
  uint32_t rev_src, rev_exp;
  uint64_t width;
  uint64_t count;
} cu_k_perm;

/* The factor of output row p (pb = bitrev(p)). */
CU_HD uint32_t cu_k_perm_scale(const cu_k_perm *a, uint32_t p, uint32_t pb) {
  return a->pow ? cu_k_mul(a->c, cu_k_pow_lookup(a->pow, a->rev_exp ? pb : p)) : a->c;
}

CU_HD void cu_k_perm_elem(const cu_k_perm *a, uint64_t f) {
  uint64_t r = cu_k_div(f, a->width), col = f - r * a->width;
  uint32_t p = (uint32_t)(r >> a->spread);
  uint32_t pb = cu_k_bitrev(p, a->log_n);
  int scaled = a->pow || a->c != BB_ONE;
  if (a->rev_src && !a->spread && a->in == a->out) {
    if (pb < p) return; /* the partner row's thread swaps this pair */
    uint64_t f2 = (uint64_t)pb * a->width + col;
    uint32_t v = a->out[f], v2 = a->out[f2];
    if (scaled) {
      v2 = cu_k_mul(v2, cu_k_perm_scale(a, p, pb));
      v = cu_k_mul(v, cu_k_perm_scale(a, pb, p));
    }
    a->out[f] = v2;
    if (pb != p) a->out[f2] = v;
    return;
  }
  uint64_t src = a->rev_src ? pb : p;
  uint32_t v = a->in[src * a->width + col];
  if (scaled) v = cu_k_mul(v, cu_k_perm_scale(a, p, pb));
  a->out[f] = v;
}

/* ---- Poseidon2, width 16 (hash/poseidon2.h, p2_params_bb16) ----------------
 * Filled from p2_params_bb16() at initialisation (the CPU module is the one
 * source of the constants); words in Montgomery form. */
#define CU_P2_WIDTH 16
#define CU_P2_RATE 8
#define CU_P2_DIGEST 8
#define CU_P2_ROUNDS_F 8
#define CU_P2_ROUNDS_P 13

typedef struct {
  uint32_t diag[CU_P2_WIDTH];
  uint32_t rc_ext[CU_P2_ROUNDS_F][CU_P2_WIDTH];
  uint32_t rc_int[CU_P2_ROUNDS_P];
} cu_k_p2c;

/* The 4x4 block [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]] (Plonky3 MDSMat4). */
CU_HD void cu_k_mds4(uint32_t *x) {
  uint32_t t01 = cu_k_add(x[0], x[1]);
  uint32_t t23 = cu_k_add(x[2], x[3]);
  uint32_t t0123 = cu_k_add(t01, t23);
  uint32_t t01123 = cu_k_add(t0123, x[1]);
  uint32_t t01233 = cu_k_add(t0123, x[3]);
  uint32_t y3 = cu_k_add(t01233, cu_k_add(x[0], x[0]));
  uint32_t y1 = cu_k_add(t01123, cu_k_add(x[2], x[2]));
  x[0] = cu_k_add(t01123, t01);
  x[1] = y1;
  x[2] = cu_k_add(t01233, t23);
  x[3] = y3;
}

/* External layer circ(2B, B, B, B). */
CU_HD void cu_k_p2_ext(uint32_t *s) {
  for (int i = 0; i < CU_P2_WIDTH; i += 4) cu_k_mds4(s + i);
  uint32_t sum[4];
  for (int k = 0; k < 4; k++)
    sum[k] = cu_k_add(cu_k_add(s[k], s[4 + k]), cu_k_add(s[8 + k], s[12 + k]));
  for (int i = 0; i < CU_P2_WIDTH; i++) s[i] = cu_k_add(s[i], sum[i & 3]);
}

CU_HD uint32_t cu_k_sbox(uint32_t x) {
  uint32_t x2 = cu_k_mul(x, x);
  uint32_t x3 = cu_k_mul(x2, x);
  uint32_t x4 = cu_k_mul(x2, x2);
  return cu_k_mul(x3, x4);
}

CU_HD void cu_k_p2_full_round(const cu_k_p2c *c, int r, uint32_t *s) {
  for (int i = 0; i < CU_P2_WIDTH; i++) s[i] = cu_k_sbox(cu_k_add(s[i], c->rc_ext[r][i]));
  cu_k_p2_ext(s);
}

CU_HD void cu_k_p2_permute(const cu_k_p2c *c, uint32_t *s) {
  cu_k_p2_ext(s);
  for (int r = 0; r < CU_P2_ROUNDS_F / 2; r++) cu_k_p2_full_round(c, r, s);
  for (int r = 0; r < CU_P2_ROUNDS_P; r++) {
    s[0] = cu_k_sbox(cu_k_add(s[0], c->rc_int[r]));
    uint32_t sum = s[0];
    for (int i = 1; i < CU_P2_WIDTH; i++) sum = cu_k_add(sum, s[i]);
    for (int i = 0; i < CU_P2_WIDTH; i++) s[i] = cu_k_add(sum, cu_k_mul(s[i], c->diag[i]));
  }
  for (int r = CU_P2_ROUNDS_F / 2; r < CU_P2_ROUNDS_F; r++) cu_k_p2_full_round(c, r, s);
}

/* ---- Merkle layers (commit/merkle.h) ----------------------------------------
 * Layer node i: at the bottom (prev == NULL) the sponge hash H of row i of the
 * group's matrices concatenated; above, C(prev[2i], prev[2i+1]), and when the
 * group is not empty C(C(prev[2i], prev[2i+1]), H(rows i)). H is Plonky3's
 * PaddingFreeSponge (rate 8, overwrite mode, the last partial chunk
 * overwrites only its own positions), C the permutation of left || right
 * truncated to 8 words. Digests are 8 words, node i at out + 8 i. */
typedef struct {
  const uint32_t *data;
  uint64_t width;
} cu_k_mat;

typedef struct {
  const cu_k_mat *mats; /* the group: n_mats matrices of this layer's height */
  uint32_t n_mats;
  const uint32_t *prev; /* NULL at the bottom */
  uint32_t *out;
  uint64_t count; /* nodes in this layer */
} cu_k_layer;

CU_HD void cu_k_hash_rows(const cu_k_p2c *c, const cu_k_mat *mats, uint32_t n_mats, uint64_t row,
                          uint32_t *st) {
  for (int q = 0; q < CU_P2_WIDTH; q++) st[q] = 0;
  uint32_t pos = 0;
  for (uint32_t m = 0; m < n_mats; m++) {
    const uint64_t w = mats[m].width;
    const uint32_t *p = mats[m].data + row * w;
    const int last_mat = m + 1 == n_mats;
    for (uint64_t e = 0; e < w; e++) {
      uint32_t v = p[e];
      /* One select per slot keeps st in registers (no indexed store). */
      st[0] = pos == 0 ? v : st[0];
      st[1] = pos == 1 ? v : st[1];
      st[2] = pos == 2 ? v : st[2];
      st[3] = pos == 3 ? v : st[3];
      st[4] = pos == 4 ? v : st[4];
      st[5] = pos == 5 ? v : st[5];
      st[6] = pos == 6 ? v : st[6];
      st[7] = pos == 7 ? v : st[7];
      pos++;
      /* A full chunk, or the final partial one: one call site for both. */
      if (pos == CU_P2_RATE || (last_mat && e + 1 == w)) {
        cu_k_p2_permute(c, st);
        pos = 0;
      }
    }
  }
}

CU_HD void cu_k_layer_node(const cu_k_p2c *c, const cu_k_layer *a, uint64_t i) {
  uint32_t st[CU_P2_WIDTH];
  if (!a->prev) {
    cu_k_hash_rows(c, a->mats, a->n_mats, i, st);
  } else {
    for (int q = 0; q < CU_P2_WIDTH; q++) st[q] = a->prev[16 * i + q];
    cu_k_p2_permute(c, st);
    if (a->n_mats) {
      uint32_t h[CU_P2_WIDTH];
      cu_k_hash_rows(c, a->mats, a->n_mats, i, h);
      for (int q = 0; q < CU_P2_DIGEST; q++) st[CU_P2_DIGEST + q] = h[q];
      cu_k_p2_permute(c, st);
    }
  }
  for (int q = 0; q < CU_P2_DIGEST; q++) a->out[8 * i + q] = st[q];
}

/* ---- FRI fold (fri/fri.h) ---------------------------------------------------
 * out[k] = (a + b)/2 + beta (a - b) / (2 x_k), a = in[k], b = in[k + half],
 * x_k = shift w_N^k, N = 2 half = 2^log_n; ext values are 4 consecutive words.
 * 1/(2 x_k) = inv2s * w_N^-k with inv2s = 1/(2 shift) and w_N^-k from the
 * inverse root table. Thread k alone reads in[k] and writes out[k], so
 * out == in is safe. */
typedef struct {
  const uint32_t *in;
  uint32_t *out;
  const uint32_t *itw; /* root table of the inverse 2^27-order root */
  uint32_t log_n;
  uint32_t inv2, inv2s;
  uint32_t beta[EXT_DEGREE];
  uint64_t half;
} cu_k_fold;

CU_HD void cu_k_ext_mul(const uint32_t *x, const uint32_t *y, uint32_t *r) {
  const uint32_t w = EXT_W_MONTY;
  uint32_t t4 = cu_k_add(cu_k_add(cu_k_mul(x[1], y[3]), cu_k_mul(x[2], y[2])), cu_k_mul(x[3], y[1]));
  uint32_t t5 = cu_k_add(cu_k_mul(x[2], y[3]), cu_k_mul(x[3], y[2]));
  uint32_t t6 = cu_k_mul(x[3], y[3]);
  r[0] = cu_k_add(cu_k_mul(x[0], y[0]), cu_k_mul(w, t4));
  r[1] = cu_k_add(cu_k_add(cu_k_mul(x[0], y[1]), cu_k_mul(x[1], y[0])), cu_k_mul(w, t5));
  r[2] = cu_k_add(cu_k_add(cu_k_add(cu_k_mul(x[0], y[2]), cu_k_mul(x[1], y[1])), cu_k_mul(x[2], y[0])),
                  cu_k_mul(w, t6));
  r[3] = cu_k_add(cu_k_add(cu_k_mul(x[0], y[3]), cu_k_mul(x[1], y[2])),
                  cu_k_add(cu_k_mul(x[2], y[1]), cu_k_mul(x[3], y[0])));
}

CU_HD void cu_k_fold_elem(const cu_k_fold *a, uint64_t k) {
  const uint32_t *pa = a->in + 4 * k, *pb = a->in + 4 * (k + a->half);
  uint32_t t = cu_k_mul(a->inv2s, cu_k_pow_lookup(a->itw, (uint32_t)k << (27u - a->log_n)));
  uint32_t sum[EXT_DEGREE], diff[EXT_DEGREE], bd[EXT_DEGREE];
  for (int q = 0; q < EXT_DEGREE; q++) {
    sum[q] = cu_k_mul(cu_k_add(pa[q], pb[q]), a->inv2);
    diff[q] = cu_k_mul(cu_k_sub(pa[q], pb[q]), t);
  }
  cu_k_ext_mul(a->beta, diff, bd);
  for (int q = 0; q < EXT_DEGREE; q++) a->out[4 * k + q] = cu_k_add(sum[q], bd[q]);
}

/* ---- openings gathered on the device -----------------------------------------
 * For q leaf indices of a kept Merkle tree (cu_merkle_tree), the committed
 * rows and the authentication paths, as merkle_open writes them: rows in the
 * caller's matrix order (a matrix of height 2^lh < 2^log_h gives its row
 * index >> (log_h - lh)), then the sibling of every layer from the bottom.
 * Layer lv (2^(log_h - lv) digests) starts at digest
 * 2^(log_h + 1) - 2^(log_h + 1 - lv) of the store. Word f of the output
 * (f < q * per, per = row_words + 8 log_h) is one thread's. */
typedef struct {
  const uint32_t *data;
  uint64_t width;
  uint32_t log_h;
} cu_k_omat;

typedef struct {
  const cu_k_omat *mats;
  uint32_t n_mats, log_h;
  const uint32_t *store;
  const uint64_t *idx;
  uint64_t q, row_words;
  uint32_t *rows;  /* q * row_words */
  uint32_t *paths; /* q * log_h * 8 */
} cu_k_gather;

CU_HD void cu_k_gather_word(const cu_k_gather *a, uint64_t f) {
  const uint64_t per = a->row_words + 8u * (uint64_t)a->log_h, k = f / per;
  uint64_t o = f - k * per;
  const uint64_t index = a->idx[k];
  if (o < a->row_words) {
    const uint64_t dst = k * a->row_words + o;
    uint32_t m = 0;
    while (o >= a->mats[m].width) o -= a->mats[m++].width;
    const uint64_t r = index >> (a->log_h - a->mats[m].log_h);
    a->rows[dst] = a->mats[m].data[r * a->mats[m].width + o];
    return;
  }
  o -= a->row_words;
  const uint32_t lv = (uint32_t)(o >> 3), wd = (uint32_t)(o & 7u);
  const uint64_t off = ((uint64_t)2 << a->log_h) - ((uint64_t)2 << (a->log_h - lv));
  a->paths[(k * a->log_h + lv) * 8u + wd] = a->store[(off + ((index >> lv) ^ 1u)) * 8u + wd];
}

/* ---- quotient chunks ----------------------------------------------------------
 * Row r < n of the quotient matrix holds, for every chunk i < qc, coefficient
 * i n + r of Q (4 words each): out[r 4qc + c] = in[((c / 4) n + r) 4 + c % 4],
 * element f = r 4qc + c < count = n 4qc. in and out are disjoint. */
typedef struct {
  const uint32_t *in;
  uint32_t *out;
  uint32_t qc;
  uint64_t n, count;
} cu_k_chunks;

CU_HD void cu_k_chunks_elem(const cu_k_chunks *a, uint64_t f) {
  const uint64_t qw = 4u * (uint64_t)a->qc, r = f / qw, c = f - r * qw;
  a->out[f] = a->in[((c >> 2) * a->n + r) * 4u + (c & 3u)];
}

/* ---- DEEP quotient (stark.c's deep_row on the device) ---------------------------
 * For LDE row i, x = shift w_N^i:
 *   F(x) = [(T + U - A)(x - zeta g) + (T2 - Bv)(x - zeta)] / (x^2 - x zsum + zprod)
 * with T = sum_j gp_j t_j(x), T2 = sum_j gpw_j t_j(x) (j < w), U =
 * sum_j gp_(w+j) q_j(x) (j < qw); a lookup's aux columns a_j (j < aw) add
 * gp_(w+qw+j) a_j(x) to U and gpw_(w+j) a_j(x) to T2. coef: the ext words of
 * gp (w + qw + aw values) then gpw (w + aw values). Field sums are exact, so
 * accumulating the columns in any order and split into any partial sums
 * gives the host's words. */
typedef struct {
  const uint32_t *lde, *qlde, *alde; /* N x w, N x qw, N x aw, natural order */
  const uint32_t *coef;
  const uint32_t *tw; /* root table of the 2^27-order root */
  uint32_t *out;      /* N ext values */
  uint32_t w, qw, aw, log_N, s;
  uint32_t A[EXT_DEGREE], Bv[EXT_DEGREE], zeta[EXT_DEGREE], zeta_next[EXT_DEGREE];
  uint32_t zsum[EXT_DEGREE], zprod[EXT_DEGREE];
  uint64_t N;
} cu_k_deep;

#define CU_DEEP_ACC 12      /* T, T2, U: three ext values */
#define CU_DEEP_THREADS 128u /* threads per block of the DEEP kernels */
#define CU_DEEP_WIDE 64u     /* w + qw above this: one row per block */

CU_HD uint32_t cu_k_pow(uint32_t b, uint32_t e) {
  uint32_t r = BB_ONE;
  while (e) {
    if (e & 1u) r = cu_k_mul(r, b);
    b = cu_k_mul(b, b);
    e >>= 1;
  }
  return r;
}

/* field/ext.h's ext_inv: a(-x) b(-x^2) / n with one base inversion. */
CU_HD void cu_k_ext_inv(const uint32_t *x, uint32_t *r) {
  const uint32_t w = EXT_W_MONTY;
  uint32_t x0s = cu_k_mul(x[0], x[0]), x1s = cu_k_mul(x[1], x[1]);
  uint32_t x2s = cu_k_mul(x[2], x[2]), x3s = cu_k_mul(x[3], x[3]);
  uint32_t t = cu_k_mul(w, cu_k_mul(x[1], x[3]));
  uint32_t b0 = cu_k_sub(cu_k_add(x0s, cu_k_mul(w, x2s)), cu_k_add(t, t));
  uint32_t u = cu_k_mul(x[0], x[2]);
  uint32_t b1 = cu_k_sub(cu_k_add(u, u), cu_k_add(x1s, cu_k_mul(w, x3s)));
  uint32_t n = cu_k_sub(cu_k_mul(b0, b0), cu_k_mul(w, cu_k_mul(b1, b1)));
  uint32_t ninv = cu_k_pow(n, BB_P - 2u); /* Fermat: n^-1 */
  uint32_t conj[EXT_DEGREE] = {x[0], cu_k_sub(0, x[1]), x[2], cu_k_sub(0, x[3])};
  uint32_t bc[EXT_DEGREE] = {cu_k_mul(b0, ninv), 0, cu_k_sub(0, cu_k_mul(b1, ninv)), 0};
  cu_k_ext_mul(conj, bc, r);
}

/* acc = T, T2, U over the columns j = j0, j0 + step, ... < w + qw + aw of
 * row i (trace, quotient, then aux columns). */
CU_HD void cu_k_deep_acc(const cu_k_deep *a, uint64_t i, uint32_t j0, uint32_t step, uint32_t *acc) {
  for (int q = 0; q < CU_DEEP_ACC; q++) acc[q] = 0;
  const uint32_t *trow = a->lde + i * a->w, *qrow = a->qlde + i * a->qw;
  const uint32_t *arow = a->aw ? a->alde + i * a->aw : 0;
  const uint32_t wq = a->w + a->qw, *gpw = a->coef + EXT_DEGREE * (wq + a->aw);
  for (uint32_t j = j0; j < wq + a->aw; j += step) {
    const uint32_t *g = a->coef + EXT_DEGREE * j;
    if (j < a->w || j >= wq) { /* trace or aux: into T or U, and into T2 */
      const uint32_t v = j < a->w ? trow[j] : arow[j - wq];
      const uint32_t *g2 = gpw + EXT_DEGREE * (j < a->w ? j : a->w + (j - wq));
      const int t = j < a->w ? 0 : 8;
      for (int q = 0; q < EXT_DEGREE; q++) {
        acc[t + q] = cu_k_add(acc[t + q], cu_k_mul(g[q], v));
        acc[4 + q] = cu_k_add(acc[4 + q], cu_k_mul(g2[q], v));
      }
    } else {
      uint32_t v = qrow[j - a->w];
      for (int q = 0; q < EXT_DEGREE; q++) acc[8 + q] = cu_k_add(acc[8 + q], cu_k_mul(g[q], v));
    }
  }
}

CU_HD void cu_k_deep_finish(const cu_k_deep *a, uint64_t i, const uint32_t *acc) {
  const uint32_t x = cu_k_mul(a->s, cu_k_pow_lookup(a->tw, (uint32_t)i << (27u - a->log_N)));
  uint32_t den[EXT_DEGREE], inv[EXT_DEGREE], l[EXT_DEGREE], r[EXT_DEGREE], xl[EXT_DEGREE],
      xr[EXT_DEGREE], p1[EXT_DEGREE], p2[EXT_DEGREE], s[EXT_DEGREE];
  for (int q = 0; q < EXT_DEGREE; q++) {
    den[q] = cu_k_sub(a->zprod[q], cu_k_mul(a->zsum[q], x));
    l[q] = cu_k_sub(cu_k_add(acc[q], acc[8 + q]), a->A[q]);
    r[q] = cu_k_sub(acc[4 + q], a->Bv[q]);
    xl[q] = cu_k_sub(q ? 0u : x, a->zeta_next[q]);
    xr[q] = cu_k_sub(q ? 0u : x, a->zeta[q]);
  }
  den[0] = cu_k_add(den[0], cu_k_mul(x, x));
  cu_k_ext_inv(den, inv);
  cu_k_ext_mul(l, xl, p1);
  cu_k_ext_mul(r, xr, p2);
  for (int q = 0; q < EXT_DEGREE; q++) s[q] = cu_k_add(p1[q], p2[q]);
  cu_k_ext_mul(s, inv, a->out + EXT_DEGREE * i);
}

/* One row per thread (narrow matrices). */
CU_HD void cu_k_deep_row(const cu_k_deep *a, uint64_t i) {
  uint32_t acc[CU_DEEP_ACC];
  cu_k_deep_acc(a, i, 0, 1, acc);
  cu_k_deep_finish(a, i, acc);
}

/* One row per block (wide matrices): the threads split the columns, their
 * partial sums meet in red (nth * CU_DEEP_ACC words of shared memory). */
CU_HD void cu_k_deep_block(const cu_k_deep *a, uint64_t i, uint32_t tid, uint32_t nth, uint32_t *red) {
  uint32_t acc[CU_DEEP_ACC];
  cu_k_deep_acc(a, i, tid, nth, acc);
  CU_K_SYNC(); /* the previous row's reduction may still read red */
  for (int q = 0; q < CU_DEEP_ACC; q++) red[tid * CU_DEEP_ACC + (uint32_t)q] = acc[q];
  CU_K_SYNC();
  if (tid == 0) {
    for (uint32_t t = 1; t < nth; t++)
      for (int q = 0; q < CU_DEEP_ACC; q++) acc[q] = cu_k_add(acc[q], red[t * CU_DEEP_ACC + (uint32_t)q]);
    cu_k_deep_finish(a, i, acc);
  }
}

/* ---- openings of the trace at zeta and zeta g (stark.c's open_range) ----------
 * Barycentric on H = <g>, n = 2^log_n: f_j(z) = (z^n - 1)/n sum_i t_ij a_i(z),
 * a_i(z) = g^i / (z - g^i). cu_k_open_weight writes a_i(zeta), a_i(zeta g)
 * (8 words) for row i; cu_k_open_item sums one column j over one chunk c of
 * rows_per rows (item f = c w + j, consecutive threads on consecutive
 * columns: coalesced) into part[8 f ..]: sum t_ij a_i(zeta), then
 * sum t_ij a_i(zeta g). The caller adds the chunks and scales. */
typedef struct {
  const uint32_t *trace; /* n x w */
  const uint32_t *tw;    /* root table of the 2^27-order root */
  uint32_t *wts;         /* n x 8 */
  uint32_t *part;        /* nchunks x w x 8 */
  uint32_t w, log_n;
  uint32_t zeta[EXT_DEGREE], zeta_next[EXT_DEGREE];
  uint64_t n, rows_per, nchunks;
} cu_k_open;

CU_HD void cu_k_open_weight(const cu_k_open *a, uint64_t i) {
  const uint32_t h = cu_k_pow_lookup(a->tw, (uint32_t)i << (27u - a->log_n));
  uint32_t d[EXT_DEGREE], inv[EXT_DEGREE];
  for (int z = 0; z < 2; z++) {
    const uint32_t *pt = z ? a->zeta_next : a->zeta;
    for (int q = 0; q < EXT_DEGREE; q++) d[q] = cu_k_sub(pt[q], q ? 0u : h);
    cu_k_ext_inv(d, inv);
    for (int q = 0; q < EXT_DEGREE; q++) a->wts[8u * i + 4u * (uint32_t)z + (uint32_t)q] = cu_k_mul(inv[q], h);
  }
}

CU_HD void cu_k_open_item(const cu_k_open *a, uint64_t f) {
  const uint64_t c = f / a->w, j = f - c * a->w;
  const uint64_t lo = c * a->rows_per, hi = lo + a->rows_per < a->n ? lo + a->rows_per : a->n;
  uint32_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (uint64_t i = lo; i < hi; i++) {
    const uint32_t v = a->trace[i * a->w + j], *wt = a->wts + 8u * i;
    for (int q = 0; q < 8; q++) acc[q] = cu_k_add(acc[q], cu_k_mul(wt[q], v));
  }
  for (int q = 0; q < 8; q++) a->part[8u * f + (uint32_t)q] = acc[q];
}

#endif
