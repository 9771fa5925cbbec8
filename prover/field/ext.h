/* ext: the degree-4 extension of BabyBear used for STARK challenges and FRI.
 *
 * F_p[x] / (x^4 - 11), the field Plonky3 calls BinomialExtensionField<BabyBear, 4>
 * (x^4 - 11 is irreducible since p = 1 mod 4 and 11 is not a square mod p).
 * An ext_t is four bb_t coefficients v[0] + v[1] x + v[2] x^2 + v[3] x^3, each
 * in bb's Montgomery form (see bb.h); all functions take and return values,
 * so there is no aliasing to worry about. Everything is static inline: the
 * quotient and FRI folding loops call these per element.
 */
#ifndef PKB_FIELD_EXT_H
#define PKB_FIELD_EXT_H

#include "field/bb.h"

#define EXT_DEGREE 4
#define EXT_W_U32 11u          /* x^4 = W, canonical */
#define EXT_W_MONTY 0x37ffffe9u /* W in Montgomery form, = bb_from_u32(EXT_W_U32) (tested) */

typedef struct {
  bb_t v[EXT_DEGREE];
} ext_t;

static inline ext_t ext_zero(void) {
  ext_t r = {{0, 0, 0, 0}};
  return r;
}

static inline ext_t ext_one(void) {
  ext_t r = {{BB_ONE, 0, 0, 0}};
  return r;
}

static inline ext_t ext_from_base(bb_t a) {
  ext_t r = {{a, 0, 0, 0}};
  return r;
}

/* From four canonical integers (coefficients of 1, x, x^2, x^3). */
static inline ext_t ext_from_u32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3) {
  ext_t r = {{bb_from_u32(c0), bb_from_u32(c1), bb_from_u32(c2), bb_from_u32(c3)}};
  return r;
}

static inline int ext_eq(ext_t a, ext_t b) {
  return a.v[0] == b.v[0] && a.v[1] == b.v[1] && a.v[2] == b.v[2] && a.v[3] == b.v[3];
}

static inline int ext_is_zero(ext_t a) { return (a.v[0] | a.v[1] | a.v[2] | a.v[3]) == 0; }

/* True when a lies in the base field (only v[0] may be non-zero). */
static inline int ext_is_base(ext_t a) { return (a.v[1] | a.v[2] | a.v[3]) == 0; }

static inline ext_t ext_add(ext_t a, ext_t b) {
  ext_t r;
  for (int i = 0; i < EXT_DEGREE; i++) r.v[i] = bb_add(a.v[i], b.v[i]);
  return r;
}

static inline ext_t ext_sub(ext_t a, ext_t b) {
  ext_t r;
  for (int i = 0; i < EXT_DEGREE; i++) r.v[i] = bb_sub(a.v[i], b.v[i]);
  return r;
}

static inline ext_t ext_neg(ext_t a) {
  ext_t r;
  for (int i = 0; i < EXT_DEGREE; i++) r.v[i] = bb_neg(a.v[i]);
  return r;
}

static inline ext_t ext_mul_base(ext_t a, bb_t b) {
  ext_t r;
  for (int i = 0; i < EXT_DEGREE; i++) r.v[i] = bb_mul(a.v[i], b);
  return r;
}

static inline ext_t ext_add_base(ext_t a, bb_t b) {
  a.v[0] = bb_add(a.v[0], b);
  return a;
}

static inline ext_t ext_mul(ext_t a, ext_t b) {
  const bb_t *x = a.v, *y = b.v;
  bb_t w = EXT_W_MONTY;
  ext_t r;
  /* Terms of degree 4..6 wrap around multiplied by W. */
  bb_t t4 = bb_add(bb_add(bb_mul(x[1], y[3]), bb_mul(x[2], y[2])), bb_mul(x[3], y[1]));
  bb_t t5 = bb_add(bb_mul(x[2], y[3]), bb_mul(x[3], y[2]));
  bb_t t6 = bb_mul(x[3], y[3]);
  r.v[0] = bb_add(bb_mul(x[0], y[0]), bb_mul(w, t4));
  r.v[1] = bb_add(bb_add(bb_mul(x[0], y[1]), bb_mul(x[1], y[0])), bb_mul(w, t5));
  r.v[2] = bb_add(bb_add(bb_add(bb_mul(x[0], y[2]), bb_mul(x[1], y[1])), bb_mul(x[2], y[0])),
                  bb_mul(w, t6));
  r.v[3] = bb_add(bb_add(bb_mul(x[0], y[3]), bb_mul(x[1], y[2])),
                  bb_add(bb_mul(x[2], y[1]), bb_mul(x[3], y[0])));
  return r;
}

static inline ext_t ext_square(ext_t a) { return ext_mul(a, a); }

/* a^e; ext_pow(0, 0) = 1. */
static inline ext_t ext_pow(ext_t a, uint64_t e) {
  ext_t r = ext_one();
  while (e) {
    if (e & 1) r = ext_mul(r, a);
    a = ext_mul(a, a);
    e >>= 1;
  }
  return r;
}

/* a^-1 for a != 0; ext_inv(0) = 0.
 * With a(x) = e(x^2) + x o(x^2): a(x) a(-x) = e(y)^2 - y o(y)^2 =: b(y), y = x^2,
 * y^2 = W, and b(y) b(-y) = b0^2 - W b1^2 = n lies in the base field, so
 * a^-1 = a(-x) b(-x^2) / n: one base-field inversion. */
static inline ext_t ext_inv(ext_t a) {
  const bb_t *x = a.v;
  bb_t w = EXT_W_MONTY;
  bb_t b0 = bb_sub(bb_add(bb_square(x[0]), bb_mul(w, bb_square(x[2]))),
                   bb_double(bb_mul(w, bb_mul(x[1], x[3]))));
  bb_t b1 = bb_sub(bb_double(bb_mul(x[0], x[2])), bb_add(bb_square(x[1]), bb_mul(w, bb_square(x[3]))));
  bb_t n = bb_sub(bb_square(b0), bb_mul(w, bb_square(b1)));
  bb_t ninv = bb_inv(n);
  ext_t conj = {{x[0], bb_neg(x[1]), x[2], bb_neg(x[3])}};
  ext_t bc = {{bb_mul(b0, ninv), 0, bb_neg(bb_mul(b1, ninv)), 0}};
  return ext_mul(conj, bc);
}

static inline ext_t ext_div(ext_t a, ext_t b) { return ext_mul(a, ext_inv(b)); }

#endif
