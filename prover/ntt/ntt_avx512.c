/* ntt_avx512: AVX-512F butterfly kernels, sixteen BabyBear lanes per register.
 *
 * Same scheme and rules as ntt_avx2.c (target attribute, run-time dispatch from
 * ntt.c, Montgomery products on even/odd lanes, unsigned-min reductions). Runs
 * shorter than 16 lanes, and the three narrowest stages (whose groups of 8 do
 * not fill a 16-lane register), are handed to the AVX2 kernels: every CPU with
 * AVX-512F has AVX2.
 */
#include "ntt/ntt_kern.h"

#if defined(__x86_64__) && defined(__GNUC__)

#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

typedef __m512i v16;

AVX512 static inline v16 z_p(void) { return _mm512_set1_epi32((int)BB_P); }

AVX512 static inline v16 z_add(v16 a, v16 b) {
  v16 t = _mm512_add_epi32(a, b);
  return _mm512_min_epu32(t, _mm512_sub_epi32(t, z_p()));
}

AVX512 static inline v16 z_sub(v16 a, v16 b) {
  v16 t = _mm512_sub_epi32(a, b);
  return _mm512_min_epu32(t, _mm512_add_epi32(t, z_p()));
}

/* b_odd: b's odd lanes moved down (b itself when b is a broadcast). */
AVX512 static inline v16 z_mul2(v16 a, v16 b, v16 b_odd) {
  const v16 P = z_p(), MU = _mm512_set1_epi32((int)BB_MONTY_MU);
  v16 pe = _mm512_mul_epu32(a, b), po = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), b_odd);
  v16 qe = _mm512_mul_epu32(pe, MU), qo = _mm512_mul_epu32(po, MU);
  v16 de = _mm512_sub_epi64(pe, _mm512_mul_epu32(qe, P));
  v16 dox = _mm512_sub_epi64(po, _mm512_mul_epu32(qo, P));
  v16 r = _mm512_mask_blend_epi32((__mmask16)0xaaaa, _mm512_srli_epi64(de, 32), dox);
  return _mm512_min_epu32(r, _mm512_add_epi32(r, P));
}

AVX512 static inline v16 z_mul(v16 a, v16 b) { return z_mul2(a, b, _mm512_srli_epi64(b, 32)); }
AVX512 static inline v16 z_mulb(v16 a, v16 b) { return z_mul2(a, b, b); }

AVX512 static inline v16 ld(const bb_t *p) { return _mm512_loadu_si512((const void *)p); }
AVX512 static inline void st(bb_t *p, v16 v) { _mm512_storeu_si512((void *)p, v); }
AVX512 static inline v16 bc(bb_t w) { return _mm512_set1_epi32((int)w); }

AVX512 static inline void dif_z(v16 *a, v16 *b, v16 w) {
  v16 x = *a, y = *b;
  *a = z_add(x, y);
  *b = z_mul(z_sub(x, y), w);
}

AVX512 static inline void dit_z(v16 *a, v16 *b, v16 w) {
  v16 x = *a, y = z_mul(*b, w);
  *a = z_add(x, y);
  *b = z_sub(x, y);
}

AVX512 static inline void dif_zb(v16 *a, v16 *b, v16 w) {
  v16 x = *a, y = *b;
  *a = z_add(x, y);
  *b = z_mulb(z_sub(x, y), w);
}

AVX512 static inline void dit_zb(v16 *a, v16 *b, v16 w) {
  v16 x = *a, y = z_mulb(*b, w);
  *a = z_add(x, y);
  *b = z_sub(x, y);
}

#define REST ntt_kernels_avx2 /* lanes past the last multiple of 16 */

AVX512 static void dif2(bb_t *a, bb_t *b, const bb_t *tw, size_t len) {
  size_t i = 0;
  for (; i + 16 <= len; i += 16) {
    v16 x = ld(a + i), y = ld(b + i);
    dif_z(&x, &y, ld(tw + i));
    st(a + i, x);
    st(b + i, y);
  }
  if (i < len) REST.dif2(a + i, b + i, tw + i, len - i);
}

AVX512 static void dit2(bb_t *a, bb_t *b, const bb_t *tw, size_t len) {
  size_t i = 0;
  for (; i + 16 <= len; i += 16) {
    v16 x = ld(a + i), y = ld(b + i);
    dit_z(&x, &y, ld(tw + i));
    st(a + i, x);
    st(b + i, y);
  }
  if (i < len) REST.dit2(a + i, b + i, tw + i, len - i);
}

AVX512 static void dif2_row(bb_t *a, bb_t *b, bb_t tw, size_t w) {
  v16 t = bc(tw);
  size_t i = 0;
  for (; i + 16 <= w; i += 16) {
    v16 x = ld(a + i), y = ld(b + i);
    dif_zb(&x, &y, t);
    st(a + i, x);
    st(b + i, y);
  }
  if (i < w) REST.dif2_row(a + i, b + i, tw, w - i);
}

AVX512 static void dit2_row(bb_t *a, bb_t *b, bb_t tw, size_t w) {
  v16 t = bc(tw);
  size_t i = 0;
  for (; i + 16 <= w; i += 16) {
    v16 x = ld(a + i), y = ld(b + i);
    dit_zb(&x, &y, t);
    st(a + i, x);
    st(b + i, y);
  }
  if (i < w) REST.dit2_row(a + i, b + i, tw, w - i);
}

AVX512 static void dif4_row(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1,
                            size_t w) {
  v16 va = bc(t2a), vb = bc(t2b), v1 = bc(t1);
  size_t i = 0;
  for (; i + 16 <= w; i += 16) {
    v16 x0 = ld(r0 + i), x1 = ld(r1 + i), x2 = ld(r2 + i), x3 = ld(r3 + i);
    dif_zb(&x0, &x2, va);
    dif_zb(&x1, &x3, vb);
    dif_zb(&x0, &x1, v1);
    dif_zb(&x2, &x3, v1);
    st(r0 + i, x0);
    st(r1 + i, x1);
    st(r2 + i, x2);
    st(r3 + i, x3);
  }
  if (i < w) REST.dif4_row(r0 + i, r1 + i, r2 + i, r3 + i, t2a, t2b, t1, w - i);
}

AVX512 static void dit4_row(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1,
                            size_t w) {
  v16 va = bc(t2a), vb = bc(t2b), v1 = bc(t1);
  size_t i = 0;
  for (; i + 16 <= w; i += 16) {
    v16 x0 = ld(r0 + i), x1 = ld(r1 + i), x2 = ld(r2 + i), x3 = ld(r3 + i);
    dit_zb(&x0, &x1, v1);
    dit_zb(&x2, &x3, v1);
    dit_zb(&x0, &x2, va);
    dit_zb(&x1, &x3, vb);
    st(r0 + i, x0);
    st(r1 + i, x1);
    st(r2 + i, x2);
    st(r3 + i, x3);
  }
  if (i < w) REST.dit4_row(r0 + i, r1 + i, r2 + i, r3 + i, t2a, t2b, t1, w - i);
}

AVX512 static void dif4(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1,
                        size_t len) {
  size_t i = 0;
  for (; i + 16 <= len; i += 16) {
    bb_t *p = x + i;
    v16 x0 = ld(p), x1 = ld(p + q), x2 = ld(p + 2 * q), x3 = ld(p + 3 * q);
    v16 w1 = ld(t1 + i);
    dif_z(&x0, &x2, ld(t2a + i));
    dif_z(&x1, &x3, ld(t2b + i));
    dif_z(&x0, &x1, w1);
    dif_z(&x2, &x3, w1);
    st(p, x0);
    st(p + q, x1);
    st(p + 2 * q, x2);
    st(p + 3 * q, x3);
  }
  if (i < len) REST.dif4(x + i, q, t2a + i, t2b + i, t1 + i, len - i);
}

AVX512 static void dit4(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1,
                        size_t len) {
  size_t i = 0;
  for (; i + 16 <= len; i += 16) {
    bb_t *p = x + i;
    v16 x0 = ld(p), x1 = ld(p + q), x2 = ld(p + 2 * q), x3 = ld(p + 3 * q);
    v16 w1 = ld(t1 + i);
    dit_z(&x0, &x1, w1);
    dit_z(&x2, &x3, w1);
    dit_z(&x0, &x2, ld(t2a + i));
    dit_z(&x1, &x3, ld(t2b + i));
    st(p, x0);
    st(p + q, x1);
    st(p + 2 * q, x2);
    st(p + 3 * q, x3);
  }
  if (i < len) REST.dit4(x + i, q, t2a + i, t2b + i, t1 + i, len - i);
}

static void dif_tail8(bb_t *x, size_t m, const bb_t *T) { REST.dif_tail8(x, m, T); }
static void dit_head8(bb_t *x, size_t m, const bb_t *T) { REST.dit_head8(x, m, T); }

AVX512 static void scale(bb_t *x, bb_t s, size_t len) {
  v16 vs = bc(s);
  size_t i = 0;
  for (; i + 16 <= len; i += 16) st(x + i, z_mulb(ld(x + i), vs));
  if (i < len) REST.scale(x + i, s, len - i);
}

AVX512 static void mul(bb_t *x, const bb_t *y, size_t len) {
  size_t i = 0;
  for (; i + 16 <= len; i += 16) st(x + i, z_mul(ld(x + i), ld(y + i)));
  if (i < len) REST.mul(x + i, y + i, len - i);
}

const ntt_kernels ntt_kernels_avx512 = {
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

const ntt_kernels ntt_kernels_avx512 = {0};

#endif
