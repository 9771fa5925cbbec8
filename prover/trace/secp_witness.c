/* secp_witness: secp256k1 public-key recovery with every modular
 * multiplication reported (see secp_witness.h for what is computed, in which
 * order, and how many multiplications it takes).
 *
 * The arithmetic is the EVM's own u256 (evm/u256.h): u256_mulmod is exactly
 * the MULMOD the arith AIR proves, so a reported product is the row the
 * prover will fill. Field elements and scalars are kept reduced (below p or
 * n) between operations; additions and subtractions are done here with one
 * conditional correction. Nothing here is constant time: the inputs are
 * public (a block's signatures), and the point is to reproduce the work, not
 * to guard a secret.
 */
#include "trace/secp_witness.h"

#include <stddef.h>
#include <string.h>

#include "evm/u256.h"

/* Limbs little-endian (w[0] least significant). */
static const u256 SECP_P = {{0xFFFFFFFEFFFFFC2Full, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull}};
static const u256 SECP_N = {{0xBFD25E8CD0364141ull, 0xBAAEDCE6AF48A03Bull, 0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFFFFFFFFFFull}};
static const u256 SECP_GX = {{0x59F2815B16F81798ull, 0x029BFCDB2DCE28D9ull, 0x55A06295CE870B07ull, 0x79BE667EF9DCBBACull}};
static const u256 SECP_GY = {{0x9C47D08FFB10D4B8ull, 0xFD17B448A6855419ull, 0x5DA4FBFC0E1108A8ull, 0x483ADA7726A3C465ull}};

typedef struct {
  secp_witness_mulmod_fn fn;
  void *ctx;
  uint64_t count;
} wit;

/* r = a * b mod m, reported. r may alias a or b. */
static void mul(wit *w, u256 *r, const u256 *a, const u256 *b, const u256 *m) {
  if (w->fn) {
    uint8_t ab[32], bb[32], mb[32];
    u256_to_be(a, ab);
    u256_to_be(b, bb);
    u256_to_be(m, mb);
    w->fn(w->ctx, ab, bb, mb);
  }
  w->count++;
  u256_mulmod(r, a, b, m);
}

/* a + b and a - b mod p for reduced a, b. */
static void fadd(u256 *r, const u256 *a, const u256 *b) { u256_addmod(r, a, b, &SECP_P); }
static void fsub(u256 *r, const u256 *a, const u256 *b) {
  if (u256_sub(r, a, b)) u256_add(r, r, &SECP_P);
}

/* r = a^e mod m with a fixed 4-bit window (secp_witness.h): the table
 * a^1 .. a^15 (14 products), the top non-zero digit loaded, then per lower
 * digit four squarings and a product when the digit is not zero. e = 0
 * gives 1 with no product. */
static void powmod(wit *w, u256 *r, const u256 *a, const u256 *e, const u256 *m) {
  u256 t[16];
  int top = 63;
  while (top >= 0 && ((e->w[top / 16] >> (4 * (top % 16))) & 15) == 0) top--;
  if (top < 0) {
    *r = u256_from_u64(1);
    return;
  }
  t[1] = *a;
  mul(w, &t[2], a, a, m);
  for (int k = 3; k < 16; k++) mul(w, &t[k], &t[k - 1], a, m);
  u256 acc = t[(e->w[top / 16] >> (4 * (top % 16))) & 15];
  for (int i = top - 1; i >= 0; i--) {
    for (int k = 0; k < 4; k++) mul(w, &acc, &acc, &acc, m);
    unsigned d = (unsigned)(e->w[i / 16] >> (4 * (i % 16))) & 15;
    if (d) mul(w, &acc, &acc, &t[d], m);
  }
  *r = acc;
}

/* Jacobian (X : Y : Z) = (X / Z^2, Y / Z^3); inf marks the point at
 * infinity (its coordinates are then meaningless). */
typedef struct {
  u256 x, y, z;
  int inf;
} jac;

/* j = 2 j on y^2 = x^3 + 7 (a = 0): S = 4 X Y^2, M = 3 X^2, X3 = M^2 - 2S,
 * Y3 = M (S - X3) - 8 Y^4, Z3 = 2 Y Z. Seven products. The group has odd
 * prime order, so no point here has Y = 0. */
static void dbl(wit *w, jac *j) {
  if (j->inf) return;
  u256 a, b, c, d, e, f, t;
  mul(w, &a, &j->x, &j->x, &SECP_P); /* X^2 */
  mul(w, &b, &j->y, &j->y, &SECP_P); /* Y^2 */
  mul(w, &c, &b, &b, &SECP_P);       /* Y^4 */
  mul(w, &d, &j->x, &b, &SECP_P);    /* X Y^2 */
  fadd(&d, &d, &d);
  fadd(&d, &d, &d); /* S = 4 X Y^2 */
  fadd(&e, &a, &a);
  fadd(&e, &e, &a);               /* M = 3 X^2 */
  mul(w, &f, &e, &e, &SECP_P);    /* M^2 */
  fsub(&f, &f, &d);
  fsub(&f, &f, &d);               /* X3 */
  fsub(&t, &d, &f);
  mul(w, &t, &e, &t, &SECP_P);    /* M (S - X3) */
  fadd(&c, &c, &c);
  fadd(&c, &c, &c);
  fadd(&c, &c, &c);               /* 8 Y^4 */
  fsub(&t, &t, &c);               /* Y3 */
  mul(w, &j->z, &j->y, &j->z, &SECP_P); /* Y Z */
  fadd(&j->z, &j->z, &j->z);
  j->x = f;
  j->y = t;
}

/* j = j + (x2, y2) with the affine point reduced: U2 = x2 Z^2, S2 = y2 Z^3,
 * H = U2 - X, R = S2 - Y; X3 = R^2 - H^3 - 2 X H^2, Y3 = R (X H^2 - X3) -
 * Y H^3, Z3 = Z H. Eleven products; into infinity it is free. When H = 0
 * the points share x: equal (R = 0, a doubling) or opposite (infinity). */
static void madd(wit *w, jac *j, const u256 *x2, const u256 *y2) {
  if (j->inf) {
    j->x = *x2;
    j->y = *y2;
    j->z = u256_from_u64(1);
    j->inf = 0;
    return;
  }
  u256 zz, u2, zzz, s2, h, r, hh, hhh, v, x3, y3, t;
  mul(w, &zz, &j->z, &j->z, &SECP_P);
  mul(w, &u2, x2, &zz, &SECP_P);
  mul(w, &zzz, &j->z, &zz, &SECP_P);
  mul(w, &s2, y2, &zzz, &SECP_P);
  fsub(&h, &u2, &j->x);
  fsub(&r, &s2, &j->y);
  if (u256_is_zero(&h)) {
    if (u256_is_zero(&r))
      dbl(w, j);
    else
      j->inf = 1;
    return;
  }
  mul(w, &hh, &h, &h, &SECP_P);
  mul(w, &hhh, &h, &hh, &SECP_P);
  mul(w, &v, &j->x, &hh, &SECP_P);
  mul(w, &x3, &r, &r, &SECP_P);
  fsub(&x3, &x3, &hhh);
  fsub(&x3, &x3, &v);
  fsub(&x3, &x3, &v);
  fsub(&t, &v, &x3);
  mul(w, &y3, &r, &t, &SECP_P);
  mul(w, &t, &j->y, &hhh, &SECP_P);
  fsub(&y3, &y3, &t);
  mul(w, &j->z, &j->z, &h, &SECP_P);
  j->x = x3;
  j->y = y3;
}

static int bit(const u256 *a, unsigned i) { return (int)((a->w[i / 64] >> (i % 64)) & 1); }

int secp_witness_recover(const uint8_t hash[32], int recid, const uint8_t r[32], const uint8_t s[32],
                         secp_witness_mulmod_fn on_mulmod, void *ctx, uint8_t pub[64], uint64_t *muls) {
  if (muls) *muls = 0;
  if (!hash || !r || !s || !pub || recid < 0 || recid > 3) return SECP_WITNESS_E_ARG;
  wit w = {on_mulmod, ctx, 0};
  int rc = SECP_WITNESS_E_INVALID;
  const u256 zero = u256_zero(), one = u256_from_u64(1), seven = u256_from_u64(7);
  u256 rr, ss, z, x, y, e, t, rinv, u1, u2;
  jac q;
  u256_from_be(&rr, r);
  u256_from_be(&ss, s);
  u256_from_be(&z, hash);
  if (u256_is_zero(&rr) || u256_is_zero(&ss) || !u256_lt(&rr, &SECP_N) || !u256_lt(&ss, &SECP_N)) goto out;
  x = rr;
  if (recid & 2) {
    /* R's x is r + n, which must stay below p. */
    u256 pmn;
    u256_sub(&pmn, &SECP_P, &SECP_N);
    if (!u256_lt(&rr, &pmn)) goto out;
    u256_add(&x, &rr, &SECP_N);
  }

  /* 1. R from x and the parity: y = (x^3 + 7)^((p+1)/4), checked. */
  {
    u256 y2, chk;
    mul(&w, &y2, &x, &x, &SECP_P);
    mul(&w, &y2, &y2, &x, &SECP_P);
    fadd(&y2, &y2, &seven);
    u256_add(&e, &SECP_P, &one);
    u256_shr(&e, &e, 2);
    powmod(&w, &y, &y2, &e, &SECP_P);
    mul(&w, &chk, &y, &y, &SECP_P);
    if (!u256_eq(&chk, &y2)) goto out;
    if ((int)(y.w[0] & 1) != (recid & 1)) fsub(&y, &zero, &y);
  }

  /* 2. u1 = -z / r and u2 = s / r mod n. */
  u256_sub(&e, &SECP_N, &(u256){{2, 0, 0, 0}});
  powmod(&w, &rinv, &rr, &e, &SECP_N);
  mul(&w, &t, &z, &rinv, &SECP_N);
  if (u256_is_zero(&t))
    u1 = zero;
  else
    u256_sub(&u1, &SECP_N, &t);
  mul(&w, &u2, &ss, &rinv, &SECP_N);

  /* 3. Q = u1 G + u2 R, one shared doubling per bit. */
  memset(&q, 0, sizeof q);
  q.inf = 1;
  for (int i = 255; i >= 0; i--) {
    dbl(&w, &q);
    if (bit(&u1, (unsigned)i)) madd(&w, &q, &SECP_GX, &SECP_GY);
    if (bit(&u2, (unsigned)i)) madd(&w, &q, &x, &y);
  }
  if (q.inf) goto out;

  /* 4. Affine: x = X / Z^2, y = Y / Z^3. */
  {
    u256 zi, zi2, zi3, ax, ay;
    u256_sub(&e, &SECP_P, &(u256){{2, 0, 0, 0}});
    powmod(&w, &zi, &q.z, &e, &SECP_P);
    mul(&w, &zi2, &zi, &zi, &SECP_P);
    mul(&w, &ax, &q.x, &zi2, &SECP_P);
    mul(&w, &zi3, &zi2, &zi, &SECP_P);
    mul(&w, &ay, &q.y, &zi3, &SECP_P);
    u256_to_be(&ax, pub);
    u256_to_be(&ay, pub + 32);
  }
  rc = SECP_WITNESS_OK;
out:
  if (muls) *muls = w.count;
  return rc;
}
