/* bn254: field and curve arithmetic of alt_bn128 (the BN curve of EIP-196 and
 * EIP-197), the arithmetic behind the ECADD, ECMUL and ECPAIRING precompiles.
 *
 * Fp is the 254-bit prime field, held in Montgomery form over four 64-bit
 * little-endian limbs, always fully reduced (< p). The tower is
 * Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3 - xi) with xi = 9+u, and
 * Fp12 = Fp6[w]/(w^2 - v). G1 is y^2 = x^3 + 3 over Fp; G2 is the D-type
 * sextic twist y^2 = x^3 + 3/xi over Fp2, mapped into E(Fp12) by
 * (x, y) -> (x w^2, y w^3). Points are Jacobian (X, Y, Z) with x = X/Z^2,
 * y = Y/Z^3; Z = 0 is the point at infinity.
 *
 * Every function allows its output to alias any of its inputs. Nothing here
 * is constant time: the precompiles only ever see public data.
 *
 * Work accounting: every Fp multiplication or squaring adds one to a
 * per-thread counter (bn254_fp_mul_count). An Fp2 multiplication is three Fp
 * multiplications (Karatsuba) and an Fp2 squaring two. An optional per-thread
 * observer (bn254_set_mul_observer) sees each of those multiplications.
 */
#ifndef PKB_EVM_BN254_H
#define PKB_EVM_BN254_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t v[4];
} bn254_fp;
typedef struct {
  bn254_fp c0, c1; /* c0 + c1 u */
} bn254_fp2;
typedef struct {
  bn254_fp2 c0, c1, c2; /* c0 + c1 v + c2 v^2 */
} bn254_fp6;
typedef struct {
  bn254_fp6 c0, c1; /* c0 + c1 w */
} bn254_fp12;
typedef struct {
  bn254_fp x, y, z;
} bn254_g1;
typedef struct {
  bn254_fp2 x, y, z;
} bn254_g2;

/* Fp multiplications done by this thread so far (wraps at 2^64). */
uint64_t bn254_fp_mul_count(void);

/* Observer of this thread's Fp multiplications: called once for every
 * multiplication or squaring that bn254_fp_mul_count counts, in order, after
 * the product is formed, with the two operands and the product as canonical
 * (not Montgomery) 32-byte big-endian integers below p, so that
 * a * b mod p == r. Conversions into and out of Montgomery form (from_bytes,
 * from_u64, to_bytes, and those made for the observer) are neither counted
 * nor observed. The pointers are valid only during the call; the observer
 * must not call back into bn254 on this thread. */
typedef void (*bn254_mul_observer_fn)(void *ctx, const uint8_t a[32], const uint8_t b[32],
                                      const uint8_t r[32]);
/* Set this thread's observer (fn NULL: none, the default) and return the one
 * it replaces through prev_fn / prev_ctx (each may be NULL), so that a caller
 * can restore it. Results and counts are the same with or without one. */
void bn254_set_mul_observer(bn254_mul_observer_fn fn, void *ctx, bn254_mul_observer_fn *prev_fn,
                            void **prev_ctx);

/* Fp. from_bytes reads a 32-byte big-endian integer and returns -1 (r
 * untouched) when it is >= p; to_bytes writes the canonical value. */
int bn254_fp_from_bytes(bn254_fp *r, const uint8_t in[32]);
void bn254_fp_to_bytes(uint8_t out[32], const bn254_fp *a);
void bn254_fp_from_u64(bn254_fp *r, uint64_t a);
void bn254_fp_add(bn254_fp *r, const bn254_fp *a, const bn254_fp *b);
void bn254_fp_sub(bn254_fp *r, const bn254_fp *a, const bn254_fp *b);
void bn254_fp_neg(bn254_fp *r, const bn254_fp *a);
void bn254_fp_mul(bn254_fp *r, const bn254_fp *a, const bn254_fp *b);
void bn254_fp_sqr(bn254_fp *r, const bn254_fp *a);
/* a^e for a little-endian exponent of n limbs. */
void bn254_fp_pow(bn254_fp *r, const bn254_fp *a, const uint64_t *e, size_t n);
/* 1/a; the inverse of zero is zero. */
void bn254_fp_inv(bn254_fp *r, const bn254_fp *a);
int bn254_fp_is_zero(const bn254_fp *a);
int bn254_fp_eq(const bn254_fp *a, const bn254_fp *b);

/* Fp2. */
void bn254_fp2_add(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b);
void bn254_fp2_sub(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b);
void bn254_fp2_neg(bn254_fp2 *r, const bn254_fp2 *a);
void bn254_fp2_conj(bn254_fp2 *r, const bn254_fp2 *a);
void bn254_fp2_mul(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b);
void bn254_fp2_sqr(bn254_fp2 *r, const bn254_fp2 *a);
void bn254_fp2_mul_xi(bn254_fp2 *r, const bn254_fp2 *a);
void bn254_fp2_inv(bn254_fp2 *r, const bn254_fp2 *a);
int bn254_fp2_is_zero(const bn254_fp2 *a);
int bn254_fp2_eq(const bn254_fp2 *a, const bn254_fp2 *b);

/* Fp6 and Fp12. frob is the p-power Frobenius, frob2 the p^2-power. */
void bn254_fp6_mul(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp6 *b);
void bn254_fp6_inv(bn254_fp6 *r, const bn254_fp6 *a);
void bn254_fp12_one(bn254_fp12 *r);
int bn254_fp12_is_one(const bn254_fp12 *a);
int bn254_fp12_eq(const bn254_fp12 *a, const bn254_fp12 *b);
void bn254_fp12_mul(bn254_fp12 *r, const bn254_fp12 *a, const bn254_fp12 *b);
void bn254_fp12_sqr(bn254_fp12 *r, const bn254_fp12 *a);
void bn254_fp12_inv(bn254_fp12 *r, const bn254_fp12 *a);
void bn254_fp12_conj(bn254_fp12 *r, const bn254_fp12 *a);
void bn254_fp12_frob(bn254_fp12 *r, const bn254_fp12 *a);
void bn254_fp12_frob2(bn254_fp12 *r, const bn254_fp12 *a);
/* a^2 for a in the cyclotomic subgroup (a^(p^6+1) = 1, as after the easy
 * part of the final exponentiation); any other input gives a wrong value. */
void bn254_fp12_cyclo_sqr(bn254_fp12 *r, const bn254_fp12 *a);
/* a^e for a little-endian exponent of n limbs. */
void bn254_fp12_pow(bn254_fp12 *r, const bn254_fp12 *a, const uint64_t *e, size_t n);

/* G1. set_affine returns -1 when (x, y) is neither (0, 0) (infinity) nor on
 * the curve; to_affine writes (0, 0) for infinity. mul takes a 32-byte
 * big-endian scalar, not reduced. */
int bn254_g1_set_affine(bn254_g1 *r, const bn254_fp *x, const bn254_fp *y);
void bn254_g1_to_affine(bn254_fp *x, bn254_fp *y, const bn254_g1 *a);
int bn254_g1_is_inf(const bn254_g1 *a);
void bn254_g1_dbl(bn254_g1 *r, const bn254_g1 *a);
void bn254_g1_add(bn254_g1 *r, const bn254_g1 *a, const bn254_g1 *b);
void bn254_g1_mul(bn254_g1 *r, const bn254_g1 *a, const uint8_t k[32]);
/* The generator (1, 2). */
void bn254_g1_gen(bn254_g1 *r);

/* G2, the same over Fp2. set_affine checks the twist equation only;
 * in_subgroup answers whether [r]a = infinity (for a on the twist), by an
 * endomorphism test that costs one 63-bit scalar multiplication. */
int bn254_g2_set_affine(bn254_g2 *r, const bn254_fp2 *x, const bn254_fp2 *y);
void bn254_g2_to_affine(bn254_fp2 *x, bn254_fp2 *y, const bn254_g2 *a);
int bn254_g2_is_inf(const bn254_g2 *a);
void bn254_g2_dbl(bn254_g2 *r, const bn254_g2 *a);
void bn254_g2_add(bn254_g2 *r, const bn254_g2 *a, const bn254_g2 *b);
void bn254_g2_mul(bn254_g2 *r, const bn254_g2 *a, const uint8_t k[32]);
int bn254_g2_in_subgroup(const bn254_g2 *a);
/* The generator of EIP-197. */
void bn254_g2_gen(bn254_g2 *r);

/* The optimal ate pairing. miller_loop multiplies f_{6x+2,Q}(P) times the
 * two Frobenius line steps for each of the n pairs into *f (set to 1 first);
 * pairs where either point is infinity contribute 1. Points must be valid
 * (on their curves, Q in the order-r subgroup). final_exp raises to
 * (p^12-1)/r; final_exp_slow does the same with a plain square-and-multiply
 * hard part (a cross-check). */
void bn254_miller_loop(bn254_fp12 *f, const bn254_g1 *p, const bn254_g2 *q, size_t n);
void bn254_final_exp(bn254_fp12 *r, const bn254_fp12 *f);
void bn254_final_exp_slow(bn254_fp12 *r, const bn254_fp12 *f);
/* e(p, q), the full pairing of one pair. */
void bn254_pairing(bn254_fp12 *r, const bn254_g1 *p, const bn254_g2 *q);

#endif
