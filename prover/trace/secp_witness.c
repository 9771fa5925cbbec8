/* secp_witness: secp256k1 public-key recovery with every modular
 * multiplication reported (see secp_witness.h for what is computed, in which
 * order, and how many multiplications it takes).
 *
 * The arithmetic and the curve steps are ecw's (trace/ecw.h): field elements
 * and the inverse of r are kept in Montgomery form, and every product is
 * reported with its canonical operands, so what on_mulmod sees is exactly
 * the MULMOD the arith AIR proves. The two scalar products take canonical
 * operands (the first one the unreduced hash, as the header says). Nothing
 * here is constant time: the inputs are public (a block's signatures).
 */
#include "trace/secp_witness.h"

#include <stddef.h>

#include "trace/ecw.h"

/* Limbs little-endian (w[0] least significant). */
static const u256 SECP_P = {{0xFFFFFFFEFFFFFC2Full, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull}};
static const u256 SECP_N = {{0xBFD25E8CD0364141ull, 0xBAAEDCE6AF48A03Bull, 0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFFFFFFFFFFull}};
static const u256 SECP_GX = {{0x59F2815B16F81798ull, 0x029BFCDB2DCE28D9ull, 0x55A06295CE870B07ull, 0x79BE667EF9DCBBACull}};
static const u256 SECP_GY = {{0x9C47D08FFB10D4B8ull, 0xFD17B448A6855419ull, 0x5DA4FBFC0E1108A8ull, 0x483ADA7726A3C465ull}};

typedef struct {
  secp_witness_mulmod_fn fn;
  void *ctx;
} fwd;

/* The header's callback takes no product value. */
static void forward(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32], const uint8_t *r) {
  const fwd *f = ctx;
  (void)r;
  f->fn(f->ctx, a, b, m);
}

int secp_witness_recover(const uint8_t hash[32], int recid, const uint8_t r[32], const uint8_t s[32],
                         secp_witness_mulmod_fn on_mulmod, void *ctx, uint8_t pub[64], uint64_t *muls) {
  if (muls) *muls = 0;
  if (!hash || !r || !s || !pub || recid < 0 || recid > 3) return SECP_WITNESS_E_ARG;
  fwd f = {on_mulmod, ctx};
  ecw_sink w = {on_mulmod ? forward : NULL, &f, 0, 0};
  int rc = SECP_WITNESS_E_INVALID;
  const u256 zero = u256_zero(), one = u256_from_u64(1), two = u256_from_u64(2);
  u256 rr, ss, z, x, y, e, t, rinv, u1, u2, gx, gy;
  ecw_curve k1 = {.a = ECW_A_ZERO};
  ecw_mod n;
  ecw_jac q;
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
  ecw_mod_init(&k1.p, &SECP_P);
  ecw_mod_init(&n, &SECP_N);
  const ecw_mod *p = &k1.p;
  ecw_to_mont(&x, &x, p);

  /* 1. R from x and the parity: y = (x^3 + 7)^((p+1)/4), checked (values
   * in Montgomery form are equal exactly when the canonical ones are). */
  {
    u256 y2, chk, seven = u256_from_u64(7), cy;
    ecw_to_mont(&seven, &seven, p);
    ecw_mul(&w, &y2, &x, &x, p);
    ecw_mul(&w, &y2, &y2, &x, p);
    ecw_add(&y2, &y2, &seven, p);
    u256_add(&e, &SECP_P, &one);
    u256_shr(&e, &e, 2);
    ecw_pow(&w, &y, &y2, &e, p);
    ecw_mul(&w, &chk, &y, &y, p);
    if (!u256_eq(&chk, &y2)) goto out;
    ecw_from_mont(&cy, &y, p);
    if ((int)(cy.w[0] & 1) != (recid & 1)) ecw_sub(&y, &zero, &y, p);
  }

  /* 2. u1 = -z / r and u2 = s / r mod n, as canonical scalars. */
  u256_sub(&e, &SECP_N, &two);
  ecw_to_mont(&rinv, &rr, &n);
  ecw_pow(&w, &rinv, &rinv, &e, &n);
  ecw_from_mont(&rinv, &rinv, &n);
  ecw_mul_plain(&w, &t, &z, &rinv, &n);
  if (u256_is_zero(&t))
    u1 = zero;
  else
    u256_sub(&u1, &SECP_N, &t);
  ecw_mul_plain(&w, &u2, &ss, &rinv, &n);

  /* 3. Q = u1 G + u2 R, one shared doubling per bit. */
  ecw_to_mont(&gx, &SECP_GX, p);
  ecw_to_mont(&gy, &SECP_GY, p);
  ecw_joint_mul(&w, &k1, &q, &u1, &gx, &gy, &u2, &x, &y);
  if (q.inf) goto out;

  /* 4. Affine: x = X / Z^2, y = Y / Z^3. */
  {
    u256 zi, zi2, zi3, ax, ay;
    u256_sub(&e, &SECP_P, &two);
    ecw_pow(&w, &zi, &q.z, &e, p);
    ecw_mul(&w, &zi2, &zi, &zi, p);
    ecw_mul(&w, &ax, &q.x, &zi2, p);
    ecw_mul(&w, &zi3, &zi2, &zi, p);
    ecw_mul(&w, &ay, &q.y, &zi3, p);
    ecw_from_mont(&ax, &ax, p);
    ecw_from_mont(&ay, &ay, p);
    u256_to_be(&ax, pub);
    u256_to_be(&ay, pub + 32);
  }
  rc = SECP_WITNESS_OK;
out:
  if (muls) *muls = w.count;
  return rc;
}
