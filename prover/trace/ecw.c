/* ecw: Montgomery arithmetic with reported canonical products, the fixed
 * window power, and Jacobian doubling, mixed addition and joint
 * double-and-add for a = 0 and a = -3 (see ecw.h for the forms and the exact
 * product sequences the witnesses rely on).
 *
 * A product a * b mod m has one value whichever routine forms it, so the
 * Montgomery routines here report exactly the MULMOD the arith AIR proves.
 * Nothing is constant time: the inputs are public (a block's signatures and
 * calls), and the point is to reproduce the work, not to guard a secret.
 */
#include "trace/ecw.h"

#include <stddef.h>
#include <string.h>

/* CIOS with the carry word kept, so any odd m below 2^256 will do; a b < R m
 * keeps the result below 2m before the last correction. */
static void mont(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) {
  typedef unsigned __int128 u128;
  const uint64_t *m = md->m.w;
  uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
  for (int i = 0; i < 4; i++) {
    const uint64_t bi = b->w[i];
    u128 c = (u128)a->w[0] * bi + t0;
    t0 = (uint64_t)c;
    c = (c >> 64) + (u128)a->w[1] * bi + t1;
    t1 = (uint64_t)c;
    c = (c >> 64) + (u128)a->w[2] * bi + t2;
    t2 = (uint64_t)c;
    c = (c >> 64) + (u128)a->w[3] * bi + t3;
    t3 = (uint64_t)c;
    c = (c >> 64) + t4;
    t4 = (uint64_t)c;
    const uint64_t t5 = (uint64_t)(c >> 64);
    const uint64_t q = t0 * md->minv;
    c = ((u128)q * m[0] + t0) >> 64;
    c += (u128)q * m[1] + t1;
    t0 = (uint64_t)c;
    c = (c >> 64) + (u128)q * m[2] + t2;
    t1 = (uint64_t)c;
    c = (c >> 64) + (u128)q * m[3] + t3;
    t2 = (uint64_t)c;
    c = (c >> 64) + t4;
    t3 = (uint64_t)c;
    t4 = t5 + (uint64_t)(c >> 64);
  }
  u256 t = {{t0, t1, t2, t3}};
  if (t4 || !u256_lt(&t, &md->m)) u256_sub(&t, &t, &md->m);
  *r = t;
}

void ecw_mod_init(ecw_mod *md, const u256 *m) {
  memset(md, 0, sizeof *md);
  md->m = *m;
  md->odd = (int)(m->w[0] & 1);
  u256_to_be(m, md->mb);
  if (!md->odd) return;
  uint64_t inv = m->w[0]; /* right to 3 bits for odd m; each step doubles that */
  for (int i = 0; i < 5; i++) inv *= 2 - m->w[0] * inv;
  md->minv = 0 - inv;
  u256 negm, one = u256_from_u64(1);
  u256_neg(&negm, m);
  u256_mulmod(&md->one, &negm, &one, m); /* 2^256 mod m */
  u256_mulmod(&md->r2, &md->one, &md->one, m);
}

void ecw_mont(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) { mont(r, a, b, md); }

void ecw_to_mont(u256 *r, const u256 *a, const ecw_mod *md) { mont(r, a, &md->r2, md); }

/* a R^-1 mod m for a < m: Montgomery reduction alone (the product by 1
 * without its multiplications), half a product's work; reporting does two
 * or three per product. The four steps add q m with q < R in all, so the
 * result (a + q m) / R is below (m + (R - 1) m) / R = m: no correction. */
void ecw_from_mont(u256 *r, const u256 *a, const ecw_mod *md) {
  typedef unsigned __int128 u128;
  const uint64_t *m = md->m.w;
  uint64_t t0 = a->w[0], t1 = a->w[1], t2 = a->w[2], t3 = a->w[3];
  for (int i = 0; i < 4; i++) {
    const uint64_t q = t0 * md->minv;
    u128 c = ((u128)q * m[0] + t0) >> 64;
    c += (u128)q * m[1] + t1;
    t0 = (uint64_t)c;
    c = (c >> 64) + (u128)q * m[2] + t2;
    t1 = (uint64_t)c;
    c = (c >> 64) + (u128)q * m[3] + t3;
    t2 = (uint64_t)c;
    t3 = (uint64_t)(c >> 64);
  }
  r->w[0] = t0;
  r->w[1] = t1;
  r->w[2] = t2;
  r->w[3] = t3;
}

void ecw_add(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) {
  unsigned c = u256_add(r, a, b);
  if (c || !u256_lt(r, &md->m)) u256_sub(r, r, &md->m);
}

void ecw_sub(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) {
  if (u256_sub(r, a, b)) u256_add(r, r, &md->m);
}

/* a * b mod m from canonical values: two Montgomery products (a b R^-1, then
 * times R^2 R^-1) for odd m, u256_mulmod for even m. */
static void plain(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) {
  if (!md->odd) {
    u256_mulmod(r, a, b, &md->m);
    return;
  }
  mont(r, a, b, md);
  mont(r, r, &md->r2, md);
}

/* u256_to_be with constant shifts, which compilers turn into one byte swap
 * and store per limb: reporting converts two or three words per product. */
static void to_be(const u256 *a, uint8_t b[32]) {
  for (int i = 0; i < 4; i++) {
    const uint64_t v = a->w[3 - i];
    for (int j = 0; j < 8; j++) b[8 * i + j] = (uint8_t)(v >> (56 - 8 * j));
  }
}

static void emit(ecw_sink *s, const u256 *a, const u256 *b, const ecw_mod *md, const u256 *r) {
  uint8_t ab[32], bb[32], rb[32];
  to_be(a, ab);
  if (b == a)
    memcpy(bb, ab, 32);
  else
    to_be(b, bb);
  if (r) to_be(r, rb);
  s->fn(s->ctx, ab, bb, md->mb, r ? rb : NULL);
}

void ecw_mul_plain(ecw_sink *s, u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) {
  s->count++;
  if (!s->fn) {
    plain(r, a, b, md);
    return;
  }
  const u256 ca = *a, cb = *b;
  plain(r, a, b, md);
  emit(s, &ca, b != a ? &cb : &ca, md, s->want_r ? r : NULL);
}

void ecw_mul(ecw_sink *s, u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) {
  s->count++;
  if (!s->fn) {
    mont(r, a, b, md);
    return;
  }
  u256 ca, cb, cr;
  ecw_from_mont(&ca, a, md);
  if (b != a) ecw_from_mont(&cb, b, md);
  mont(r, a, b, md);
  if (s->want_r) ecw_from_mont(&cr, r, md);
  emit(s, &ca, b != a ? &cb : &ca, md, s->want_r ? &cr : NULL);
}

static unsigned hex_digit(const u256 *e, int i) { return (unsigned)(e->w[i / 16] >> (4 * (i % 16))) & 15; }

void ecw_pow(ecw_sink *s, u256 *r, const u256 *a, const u256 *e, const ecw_mod *md) {
  int top = 63;
  while (top >= 0 && hex_digit(e, top) == 0) top--;
  if (top < 0) {
    *r = md->one;
    return;
  }
  u256 t[16];
  t[1] = *a;
  ecw_mul(s, &t[2], a, a, md);
  for (int k = 3; k < 16; k++) ecw_mul(s, &t[k], &t[k - 1], a, md);
  u256 acc = t[hex_digit(e, top)];
  for (int i = top - 1; i >= 0; i--) {
    for (int k = 0; k < 4; k++) ecw_mul(s, &acc, &acc, &acc, md);
    unsigned d = hex_digit(e, i);
    if (d) ecw_mul(s, &acc, &acc, &t[d], md);
  }
  *r = acc;
}

void ecw_dbl(ecw_sink *s, const ecw_curve *c, ecw_jac *j) {
  if (j->inf) return;
  const ecw_mod *p = &c->p;
  u256 m, yy, y4, sv, x3, y3, t;
  if (c->a == ECW_A_MINUS3) {
    u256 zz, t2;
    ecw_mul(s, &zz, &j->z, &j->z, p);
    ecw_sub(&t, &j->x, &zz, p);
    ecw_add(&t2, &j->x, &zz, p);
    ecw_mul(s, &m, &t, &t2, p);
    ecw_mul(s, &yy, &j->y, &j->y, p);
    ecw_mul(s, &sv, &j->x, &yy, p);
  } else {
    ecw_mul(s, &m, &j->x, &j->x, p);
    ecw_mul(s, &yy, &j->y, &j->y, p);
    ecw_mul(s, &y4, &yy, &yy, p);
    ecw_mul(s, &sv, &j->x, &yy, p);
  }
  ecw_add(&t, &m, &m, p);
  ecw_add(&m, &t, &m, p); /* M = 3 X^2 or 3 (X - Z^2)(X + Z^2) */
  ecw_add(&sv, &sv, &sv, p);
  ecw_add(&sv, &sv, &sv, p); /* S = 4 X Y^2 */
  ecw_mul(s, &x3, &m, &m, p);
  ecw_sub(&x3, &x3, &sv, p);
  ecw_sub(&x3, &x3, &sv, p);
  if (c->a == ECW_A_MINUS3) ecw_mul(s, &y4, &yy, &yy, p);
  ecw_sub(&t, &sv, &x3, p);
  ecw_mul(s, &y3, &m, &t, p);
  ecw_add(&y4, &y4, &y4, p);
  ecw_add(&y4, &y4, &y4, p);
  ecw_add(&y4, &y4, &y4, p); /* 8 Y^4 */
  ecw_sub(&y3, &y3, &y4, p);
  ecw_mul(s, &j->z, &j->y, &j->z, p);
  ecw_add(&j->z, &j->z, &j->z, p);
  j->x = x3;
  j->y = y3;
}

void ecw_madd(ecw_sink *s, const ecw_curve *c, ecw_jac *j, const u256 *x2, const u256 *y2) {
  const ecw_mod *p = &c->p;
  if (j->inf) {
    j->x = *x2;
    j->y = *y2;
    j->z = p->one;
    j->inf = 0;
    return;
  }
  u256 zz, u2, zzz, s2, h, r, hh, hhh, v, x3, y3, t;
  ecw_mul(s, &zz, &j->z, &j->z, p);
  ecw_mul(s, &u2, x2, &zz, p);
  ecw_mul(s, &zzz, &j->z, &zz, p);
  ecw_mul(s, &s2, y2, &zzz, p);
  ecw_sub(&h, &u2, &j->x, p);
  ecw_sub(&r, &s2, &j->y, p);
  if (u256_is_zero(&h)) {
    if (u256_is_zero(&r))
      ecw_dbl(s, c, j);
    else
      j->inf = 1;
    return;
  }
  ecw_mul(s, &hh, &h, &h, p);
  ecw_mul(s, &hhh, &h, &hh, p);
  ecw_mul(s, &v, &j->x, &hh, p);
  ecw_mul(s, &x3, &r, &r, p);
  ecw_sub(&x3, &x3, &hhh, p);
  ecw_sub(&x3, &x3, &v, p);
  ecw_sub(&x3, &x3, &v, p);
  ecw_sub(&t, &v, &x3, p);
  ecw_mul(s, &y3, &r, &t, p);
  ecw_mul(s, &t, &j->y, &hhh, p);
  ecw_sub(&y3, &y3, &t, p);
  ecw_mul(s, &j->z, &j->z, &h, p);
  j->x = x3;
  j->y = y3;
}

static int bit(const u256 *a, int i) { return (int)((a->w[i / 64] >> (i % 64)) & 1); }

void ecw_joint_mul(ecw_sink *s, const ecw_curve *c, ecw_jac *q, const u256 *u1, const u256 *x1, const u256 *y1,
                   const u256 *u2, const u256 *x2, const u256 *y2) {
  memset(q, 0, sizeof *q);
  q->inf = 1;
  for (int i = 255; i >= 0; i--) {
    ecw_dbl(s, c, q);
    if (bit(u1, i)) ecw_madd(s, c, q, x1, y1);
    if (bit(u2, i)) ecw_madd(s, c, q, x2, y2);
  }
}
