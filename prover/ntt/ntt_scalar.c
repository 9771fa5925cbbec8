/* ntt_scalar: plain-C butterfly kernels (the portable backend of ntt.c).
 *
 * Also used by the vector backends for sizes below their minimum block and for
 * the leftover lanes of a row whose width is not a multiple of the vector width.
 */
#include "ntt/ntt_kern.h"

static inline void dif_bfly(bb_t *a, bb_t *b, bb_t w) {
  bb_t x = *a, y = *b;
  *a = bb_add(x, y);
  *b = bb_mul(bb_sub(x, y), w);
}

static inline void dit_bfly(bb_t *a, bb_t *b, bb_t w) {
  bb_t x = *a, y = bb_mul(*b, w);
  *a = bb_add(x, y);
  *b = bb_sub(x, y);
}

static void dif2(bb_t *a, bb_t *b, const bb_t *tw, size_t len) {
  for (size_t i = 0; i < len; i++) dif_bfly(&a[i], &b[i], tw[i]);
}

static void dit2(bb_t *a, bb_t *b, const bb_t *tw, size_t len) {
  for (size_t i = 0; i < len; i++) dit_bfly(&a[i], &b[i], tw[i]);
}

static void dif2_row(bb_t *a, bb_t *b, bb_t tw, size_t w) {
  for (size_t i = 0; i < w; i++) dif_bfly(&a[i], &b[i], tw);
}

static void dit2_row(bb_t *a, bb_t *b, bb_t tw, size_t w) {
  for (size_t i = 0; i < w; i++) dit_bfly(&a[i], &b[i], tw);
}

static void dif4_row(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1, size_t w) {
  for (size_t i = 0; i < w; i++) {
    dif_bfly(&r0[i], &r2[i], t2a);
    dif_bfly(&r1[i], &r3[i], t2b);
    dif_bfly(&r0[i], &r1[i], t1);
    dif_bfly(&r2[i], &r3[i], t1);
  }
}

static void dit4_row(bb_t *r0, bb_t *r1, bb_t *r2, bb_t *r3, bb_t t2a, bb_t t2b, bb_t t1, size_t w) {
  for (size_t i = 0; i < w; i++) {
    dit_bfly(&r0[i], &r1[i], t1);
    dit_bfly(&r2[i], &r3[i], t1);
    dit_bfly(&r0[i], &r2[i], t2a);
    dit_bfly(&r1[i], &r3[i], t2b);
  }
}

static void dif4(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1, size_t len) {
  for (size_t i = 0; i < len; i++) {
    bb_t *p = x + i;
    dif_bfly(&p[0], &p[2 * q], t2a[i]);
    dif_bfly(&p[q], &p[3 * q], t2b[i]);
    dif_bfly(&p[0], &p[q], t1[i]);
    dif_bfly(&p[2 * q], &p[3 * q], t1[i]);
  }
}

static void dit4(bb_t *x, size_t q, const bb_t *t2a, const bb_t *t2b, const bb_t *t1, size_t len) {
  for (size_t i = 0; i < len; i++) {
    bb_t *p = x + i;
    dit_bfly(&p[0], &p[q], t1[i]);
    dit_bfly(&p[2 * q], &p[3 * q], t1[i]);
    dit_bfly(&p[0], &p[2 * q], t2a[i]);
    dit_bfly(&p[q], &p[3 * q], t2b[i]);
  }
}

static void dif_tail8(bb_t *x, size_t m, const bb_t *T) {
  for (size_t g = 0; g < m; g += 8) {
    bb_t *p = x + g;
    for (size_t h = 4; h >= 1; h >>= 1)
      for (size_t s = 0; s < 8; s += 2 * h)
        for (size_t j = 0; j < h; j++) dif_bfly(&p[s + j], &p[s + j + h], T[h + j]);
  }
}

static void dit_head8(bb_t *x, size_t m, const bb_t *T) {
  for (size_t g = 0; g < m; g += 8) {
    bb_t *p = x + g;
    for (size_t h = 1; h <= 4; h <<= 1)
      for (size_t s = 0; s < 8; s += 2 * h)
        for (size_t j = 0; j < h; j++) dit_bfly(&p[s + j], &p[s + j + h], T[h + j]);
  }
}

static void scale(bb_t *x, bb_t s, size_t len) {
  for (size_t i = 0; i < len; i++) x[i] = bb_mul(x[i], s);
}

static void mul(bb_t *x, const bb_t *y, size_t len) {
  for (size_t i = 0; i < len; i++) x[i] = bb_mul(x[i], y[i]);
}

const ntt_kernels ntt_kernels_scalar = {
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
    .tail_min = 8,
};
