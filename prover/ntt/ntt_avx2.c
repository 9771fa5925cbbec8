/* ntt_avx2: AVX2 butterfly kernels, eight BabyBear lanes per 256-bit register.
 *
 * Compiled without -mavx2: every function carries target("avx2") and ntt.c
 * only calls them after __builtin_cpu_supports("avx2"). Montgomery products
 * follow the packed scheme of Plonky3's MontyField31: even and odd lanes are
 * multiplied separately with vpmuludq, the reduction q = (ab mod 2^32) * mu,
 * (ab - q p) / 2^32 lies in (-p, p) and one unsigned min folds it into [0, p).
 * Lanes beyond a multiple of 8 fall back to the scalar field code.
 */
#include "ntt/ntt_kern.h"

#if defined(__x86_64__) && defined(__GNUC__)

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

typedef __m256i v8;

AVX2 static inline v8 v_p(void) { return _mm256_set1_epi32((int)BB_P); }

AVX2 static inline v8 v_add(v8 a, v8 b) {
  v8 t = _mm256_add_epi32(a, b);
  return _mm256_min_epu32(t, _mm256_sub_epi32(t, v_p()));
}

AVX2 static inline v8 v_sub(v8 a, v8 b) {
  v8 t = _mm256_sub_epi32(a, b);
  return _mm256_min_epu32(t, _mm256_add_epi32(t, v_p()));
}

AVX2 static inline v8 v_mul(v8 a, v8 b) {
  const v8 P = v_p(), MU = _mm256_set1_epi32((int)BB_MONTY_MU);
  v8 a_odd = _mm256_srli_epi64(a, 32), b_odd = _mm256_srli_epi64(b, 32);
  v8 pe = _mm256_mul_epu32(a, b), po = _mm256_mul_epu32(a_odd, b_odd);
  v8 qe = _mm256_mul_epu32(pe, MU), qo = _mm256_mul_epu32(po, MU);
  v8 de = _mm256_sub_epi64(pe, _mm256_mul_epu32(qe, P));
  v8 dox = _mm256_sub_epi64(po, _mm256_mul_epu32(qo, P));
  v8 r = _mm256_blend_epi32(_mm256_srli_epi64(de, 32), dox, 0xaa);
  return _mm256_min_epu32(r, _mm256_add_epi32(r, P));
}

/* v_mul with b a broadcast (all lanes equal): its odd lanes need no shift. */
AVX2 static inline v8 v_mulb(v8 a, v8 b) {
  const v8 P = v_p(), MU = _mm256_set1_epi32((int)BB_MONTY_MU);
  v8 a_odd = _mm256_srli_epi64(a, 32);
  v8 pe = _mm256_mul_epu32(a, b), po = _mm256_mul_epu32(a_odd, b);
  v8 qe = _mm256_mul_epu32(pe, MU), qo = _mm256_mul_epu32(po, MU);
  v8 de = _mm256_sub_epi64(pe, _mm256_mul_epu32(qe, P));
  v8 dox = _mm256_sub_epi64(po, _mm256_mul_epu32(qo, P));
  v8 r = _mm256_blend_epi32(_mm256_srli_epi64(de, 32), dox, 0xaa);
  return _mm256_min_epu32(r, _mm256_add_epi32(r, P));
}

AVX2 static inline v8 ld(const bb_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
AVX2 static inline void st(bb_t *p, v8 v) { _mm256_storeu_si256((__m256i *)p, v); }

AVX2 static inline void dif_v(v8 *a, v8 *b, v8 w) {
  v8 x = *a, y = *b;
  *a = v_add(x, y);
  *b = v_mul(v_sub(x, y), w);
}

AVX2 static inline void dit_v(v8 *a, v8 *b, v8 w) {
  v8 x = *a, y = v_mul(*b, w);
  *a = v_add(x, y);
  *b = v_sub(x, y);
}

/* The same with a broadcast twiddle. */
AVX2 static inline void dif_b(v8 *a, v8 *b, v8 w) {
  v8 x = *a, y = *b;
  *a = v_add(x, y);
  *b = v_mulb(v_sub(x, y), w);
}

AVX2 static inline void dit_b(v8 *a, v8 *b, v8 w) {
  v8 x = *a, y = v_mulb(*b, w);
  *a = v_add(x, y);
  *b = v_sub(x, y);
}

static inline void dif_s(bb_t *a, bb_t *b, bb_t w) {
  bb_t x = *a, y = *b;
  *a = bb_add(x, y);
  *b = bb_mul(bb_sub(x, y), w);
}

static inline void dit_s(bb_t *a, bb_t *b, bb_t w) {
  bb_t x = *a, y = bb_mul(*b, w);
  *a = bb_add(x, y);
  *b = bb_sub(x, y);
}

AVX2 static void dif2(bb_t *a, bb_t *b, const bb_t *tw, size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    v8 x = ld(a + i), y = ld(b + i);
    dif_v(&x, &y, ld(tw + i));
    st(a + i, x);
    st(b + i, y);
  }
  for (; i < len; i++) dif_s(&a[i], &b[i], tw[i]);
}

AVX2 static void dit2(bb_t *a, bb_t *b, const bb_t *tw, size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    v8 x = ld(a + i), y = ld(b + i);
    dit_v(&x, &y, ld(tw + i));
    st(a + i, x);
    st(b + i, y);
  }
  for (; i < len; i++) dit_s(&a[i], &b[i], tw[i]);
}

AVX2 static void dif2_row(bb_t *a, bb_t *b, bb_t tw, size_t w) {
  v8 t = _mm256_set1_epi32((int)tw);
  size_t i = 0;
  for (; i + 8 <= w; i += 8) {
    v8 x = ld(a + i), y = ld(b + i);
    dif_b(&x, &y, t);
    st(a + i, x);
    st(b + i, y);
  }
  for (; i < w; i++) dif_s(&a[i], &b[i], tw);
}

AVX2 static void dit2_row(bb_t *a, bb_t *b, bb_t tw, size_t w) {
  v8 t = _mm256_set1_epi32((int)tw);
  size_t i = 0;
  for (; i + 8 <= w; i += 8) {
    v8 x = ld(a + i), y = ld(b + i);
    dit_b(&x, &y, t);
    st(a + i, x);
    st(b + i, y);
  }
  for (; i < w; i++) dit_s(&a[i], &b[i], tw);
}

AVX2 static void dif4_row(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1,
                          size_t w) {
  v8 va = _mm256_set1_epi32((int)t2a), vb = _mm256_set1_epi32((int)t2b),
     v1 = _mm256_set1_epi32((int)t1);
  size_t i = 0;
  for (; i + 8 <= w; i += 8) {
    v8 x0 = ld(r0 + i), x1 = ld(r1 + i), x2 = ld(r2 + i), x3 = ld(r3 + i);
    dif_b(&x0, &x2, va);
    dif_b(&x1, &x3, vb);
    dif_b(&x0, &x1, v1);
    dif_b(&x2, &x3, v1);
    st(r0 + i, x0);
    st(r1 + i, x1);
    st(r2 + i, x2);
    st(r3 + i, x3);
  }
  for (; i < w; i++) {
    dif_s(&r0[i], &r2[i], t2a);
    dif_s(&r1[i], &r3[i], t2b);
    dif_s(&r0[i], &r1[i], t1);
    dif_s(&r2[i], &r3[i], t1);
  }
}

AVX2 static void dit4_row(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1,
                          size_t w) {
  v8 va = _mm256_set1_epi32((int)t2a), vb = _mm256_set1_epi32((int)t2b),
     v1 = _mm256_set1_epi32((int)t1);
  size_t i = 0;
  for (; i + 8 <= w; i += 8) {
    v8 x0 = ld(r0 + i), x1 = ld(r1 + i), x2 = ld(r2 + i), x3 = ld(r3 + i);
    dit_b(&x0, &x1, v1);
    dit_b(&x2, &x3, v1);
    dit_b(&x0, &x2, va);
    dit_b(&x1, &x3, vb);
    st(r0 + i, x0);
    st(r1 + i, x1);
    st(r2 + i, x2);
    st(r3 + i, x3);
  }
  for (; i < w; i++) {
    dit_s(&r0[i], &r1[i], t1);
    dit_s(&r2[i], &r3[i], t1);
    dit_s(&r0[i], &r2[i], t2a);
    dit_s(&r1[i], &r3[i], t2b);
  }
}

AVX2 static void dif4(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1,
                      size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    bb_t *p = x + i;
    v8 x0 = ld(p), x1 = ld(p + q), x2 = ld(p + 2 * q), x3 = ld(p + 3 * q);
    v8 w1 = ld(t1 + i);
    dif_v(&x0, &x2, ld(t2a + i));
    dif_v(&x1, &x3, ld(t2b + i));
    dif_v(&x0, &x1, w1);
    dif_v(&x2, &x3, w1);
    st(p, x0);
    st(p + q, x1);
    st(p + 2 * q, x2);
    st(p + 3 * q, x3);
  }
  for (; i < len; i++) {
    bb_t *p = x + i;
    dif_s(&p[0], &p[2 * q], t2a[i]);
    dif_s(&p[q], &p[3 * q], t2b[i]);
    dif_s(&p[0], &p[q], t1[i]);
    dif_s(&p[2 * q], &p[3 * q], t1[i]);
  }
}

AVX2 static void dit4(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1,
                      size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    bb_t *p = x + i;
    v8 x0 = ld(p), x1 = ld(p + q), x2 = ld(p + 2 * q), x3 = ld(p + 3 * q);
    v8 w1 = ld(t1 + i);
    dit_v(&x0, &x1, w1);
    dit_v(&x2, &x3, w1);
    dit_v(&x0, &x2, ld(t2a + i));
    dit_v(&x1, &x3, ld(t2b + i));
    st(p, x0);
    st(p + q, x1);
    st(p + 2 * q, x2);
    st(p + 3 * q, x3);
  }
  for (; i < len; i++) {
    bb_t *p = x + i;
    dit_s(&p[0], &p[q], t1[i]);
    dit_s(&p[2 * q], &p[3 * q], t1[i]);
    dit_s(&p[0], &p[2 * q], t2a[i]);
    dit_s(&p[q], &p[3 * q], t2b[i]);
  }
}

/* 8x8 transpose of 32-bit lanes: r[i][j] <-> r[j][i]. */
AVX2 static inline void transpose8(v8 r[8]) {
  v8 t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
  v8 t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
  v8 t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
  v8 t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
  v8 u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  v8 u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  v8 u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
  v8 u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
  r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/* Spans 4, 2, 1 on eight groups of 8 at once: transposed, element k of every
 * group sits in r[k], so each butterfly is a whole-register one with a
 * broadcast twiddle (twiddles equal to one are skipped). */
AVX2 static void dif_tail8(bb_t *x, size_t m, const bb_t *T) {
  v8 w81 = _mm256_set1_epi32((int)T[5]), w82 = _mm256_set1_epi32((int)T[6]),
     w83 = _mm256_set1_epi32((int)T[7]), w41 = _mm256_set1_epi32((int)T[3]);
  for (size_t g = 0; g < m; g += 64) {
    v8 r[8];
    for (int i = 0; i < 8; i++) r[i] = ld(x + g + 8 * i);
    transpose8(r);
    v8 a, b;
    a = v_add(r[0], r[4]), b = v_sub(r[0], r[4]), r[0] = a, r[4] = b;
    dif_b(&r[1], &r[5], w81);
    dif_b(&r[2], &r[6], w82);
    dif_b(&r[3], &r[7], w83);
    a = v_add(r[0], r[2]), b = v_sub(r[0], r[2]), r[0] = a, r[2] = b;
    a = v_add(r[4], r[6]), b = v_sub(r[4], r[6]), r[4] = a, r[6] = b;
    dif_b(&r[1], &r[3], w41);
    dif_b(&r[5], &r[7], w41);
    for (int i = 0; i < 8; i += 2) a = v_add(r[i], r[i + 1]), b = v_sub(r[i], r[i + 1]), r[i] = a, r[i + 1] = b;
    transpose8(r);
    for (int i = 0; i < 8; i++) st(x + g + 8 * i, r[i]);
  }
}

AVX2 static void dit_head8(bb_t *x, size_t m, const bb_t *T) {
  v8 w81 = _mm256_set1_epi32((int)T[5]), w82 = _mm256_set1_epi32((int)T[6]),
     w83 = _mm256_set1_epi32((int)T[7]), w41 = _mm256_set1_epi32((int)T[3]);
  for (size_t g = 0; g < m; g += 64) {
    v8 r[8];
    for (int i = 0; i < 8; i++) r[i] = ld(x + g + 8 * i);
    transpose8(r);
    v8 a, b;
    for (int i = 0; i < 8; i += 2) a = v_add(r[i], r[i + 1]), b = v_sub(r[i], r[i + 1]), r[i] = a, r[i + 1] = b;
    a = v_add(r[0], r[2]), b = v_sub(r[0], r[2]), r[0] = a, r[2] = b;
    a = v_add(r[4], r[6]), b = v_sub(r[4], r[6]), r[4] = a, r[6] = b;
    dit_b(&r[1], &r[3], w41);
    dit_b(&r[5], &r[7], w41);
    a = v_add(r[0], r[4]), b = v_sub(r[0], r[4]), r[0] = a, r[4] = b;
    dit_b(&r[1], &r[5], w81);
    dit_b(&r[2], &r[6], w82);
    dit_b(&r[3], &r[7], w83);
    transpose8(r);
    for (int i = 0; i < 8; i++) st(x + g + 8 * i, r[i]);
  }
}

AVX2 static void scale(bb_t *x, bb_t s, size_t len) {
  v8 vs = _mm256_set1_epi32((int)s);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) st(x + i, v_mulb(ld(x + i), vs));
  for (; i < len; i++) x[i] = bb_mul(x[i], s);
}

AVX2 static void mul(bb_t *x, const bb_t *y, size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) st(x + i, v_mul(ld(x + i), ld(y + i)));
  for (; i < len; i++) x[i] = bb_mul(x[i], y[i]);
}

const ntt_kernels ntt_kernels_avx2 = {
    .dif2 = dif2,
    .dit2 = dit2,
    .dif2_row = dif2_row,
    .dit2_row = dit2_row,
    .dif4_row = dif4_row,
    .dit4_row = dit4_row,
    .dif4 = dif4,
    .dit4 = dit4,
    .dif_tail8 = dif_tail8,
    .dit_head8 = dit_head8,
    .scale = scale,
    .mul = mul,
    .tail_min = 64,
};

#else

const ntt_kernels ntt_kernels_avx2 = {0};

#endif
