/* bls12: the BLS12-381 curve arithmetic behind the EIP-2537 precompiles.
 *
 * Fp is held in Montgomery form over six 64-bit limbs (R = 2^384); Fp2 =
 * Fp[u]/(u^2 + 1); Fp6 = Fp2[v]/(v^3 - (1 + u)); Fp12 = Fp6[w]/(w^2 - v).
 * G1 is y^2 = x^3 + 4 over Fp, G2 the M-type twist y^2 = x^3 + 4(1 + u) over
 * Fp2; points are Jacobian (X, Y, Z) with Z = 0 for the point at infinity.
 *
 * None of this is constant time: the precompiles handle public data only.
 * Every function may be called from several threads at once (the constants
 * are set up once, under pthread_once). Outputs may alias inputs unless a
 * declaration says otherwise.
 *
 * Work counting: every Fp multiplication or squaring adds one to a
 * thread-local counter that bls12_fp_muls() reads, so a caller can report the
 * base-field multiplications one operation took.
 */
#ifndef PKB_EVM_BLS12_H
#define PKB_EVM_BLS12_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t l[6]; /* Montgomery form, fully reduced (< p) */
} bls12_fp;

typedef struct {
  bls12_fp c0, c1; /* c0 + c1 u */
} bls12_fp2;

typedef struct {
  bls12_fp x, y, z;
} bls12_g1;

typedef struct {
  bls12_fp2 x, y, z;
} bls12_g2;

/* Fp multiplications done by this thread so far. */
uint64_t bls12_fp_muls(void);

/* Observer of this thread's Fp multiplications: called once for every
 * multiplication or squaring that bls12_fp_muls counts, in order, after the
 * product is formed, with the two operands and the product as canonical
 * (not Montgomery) 48-byte big-endian integers below p, so that
 * a * b mod p == r. Conversions into and out of Montgomery form are neither
 * counted nor observed. The pointers are valid only during the call; the
 * observer must not call back into bls12 on this thread. */
typedef void (*bls12_mul_observer_fn)(void *ctx, const uint8_t a[48], const uint8_t b[48], const uint8_t r[48]);
/* Set this thread's observer (fn NULL: none, the default) and return the one
 * it replaces through prev_fn / prev_ctx (each may be NULL), so that a caller
 * can restore it. Results and counts are the same with or without one. */
void bls12_set_mul_observer(bls12_mul_observer_fn fn, void *ctx, bls12_mul_observer_fn *prev_fn, void **prev_ctx);

/* Run fn(arg) with this thread's counter and observer suspended: its
 * multiplications are neither counted nor observed. For one-time set-up
 * (constants computed on first use, here and by callers), so that a call's
 * count and products do not depend on whether it was the process's first. */
void bls12_uncounted(void (*fn)(void *), void *arg);

/* Fp from 48 big-endian bytes: 0, or -1 when the integer is >= p. */
int bls12_fp_from_bytes(bls12_fp *r, const uint8_t in[48]);
void bls12_fp_to_bytes(uint8_t out[48], const bls12_fp *a);
/* Fp arithmetic (mod p); inv(0) = 0; sqrt: 0, or -1 when a is no square. */
void bls12_fp_add(bls12_fp *r, const bls12_fp *a, const bls12_fp *b);
void bls12_fp_sub(bls12_fp *r, const bls12_fp *a, const bls12_fp *b);
void bls12_fp_mul(bls12_fp *r, const bls12_fp *a, const bls12_fp *b);
void bls12_fp_inv(bls12_fp *r, const bls12_fp *a);
int bls12_fp_sqrt(bls12_fp *r, const bls12_fp *a);

/* Points from affine coordinates (x, y); (0, 0) is read as infinity, as in
 * EIP-2537. No curve check here: see bls12_g1_on_curve. */
void bls12_g1_from_affine(bls12_g1 *r, const bls12_fp *x, const bls12_fp *y);
void bls12_g2_from_affine(bls12_g2 *r, const bls12_fp2 *x, const bls12_fp2 *y);
/* Affine coordinates, (0, 0) for infinity. */
void bls12_g1_to_affine(bls12_fp *x, bls12_fp *y, const bls12_g1 *p);
void bls12_g2_to_affine(bls12_fp2 *x, bls12_fp2 *y, const bls12_g2 *p);

/* 1 when p is infinity or satisfies the curve equation, else 0. */
int bls12_g1_on_curve(const bls12_g1 *p);
int bls12_g2_on_curve(const bls12_g2 *p);
/* 1 when p is in the prime-order subgroup ([r]p is infinity), by the
 * endomorphism tests of EIP-2537; p must be on the curve. */
int bls12_g1_in_subgroup(const bls12_g1 *p);
int bls12_g2_in_subgroup(const bls12_g2 *p);

void bls12_g1_add(bls12_g1 *r, const bls12_g1 *a, const bls12_g1 *b);
void bls12_g2_add(bls12_g2 *r, const bls12_g2 *a, const bls12_g2 *b);
/* r = [k]p with k the n-byte big-endian integer k (any size, not reduced). */
void bls12_g1_mul(bls12_g1 *r, const bls12_g1 *p, const uint8_t *k, size_t n);
void bls12_g2_mul(bls12_g2 *r, const bls12_g2 *p, const uint8_t *k, size_t n);
/* r = sum [k_i]p_i, each k_i 32 big-endian bytes at k + 32 i. r must not
 * alias p. */
void bls12_g1_msm(bls12_g1 *r, const bls12_g1 *p, const uint8_t *k, size_t n);
void bls12_g2_msm(bls12_g2 *r, const bls12_g2 *p, const uint8_t *k, size_t n);

void bls12_g1_neg(bls12_g1 *r, const bls12_g1 *p);
void bls12_g2_neg(bls12_g2 *r, const bls12_g2 *p);

/* Points in the compressed form of the ZCash BLS12-381 serialisation (used by
 * EIP-4844): the top three bits of the first byte are compressed (must be 1),
 * infinity (then every other bit is 0) and sign (y is the larger of y, -y);
 * then x big endian, for G2 x.c1 before x.c0. 0, or -1 when the bytes encode
 * no point of the curve. No subgroup check. */
int bls12_g1_from_compressed(bls12_g1 *r, const uint8_t in[48]);
int bls12_g2_from_compressed(bls12_g2 *r, const uint8_t in[96]);

/* RFC 9380's map_to_curve (simplified SWU onto the isogenous curve, then
 * the 11- or 3-isogeny) followed by clear_cofactor (multiplication by h_eff),
 * as EIP-2537's MAP_FP_TO_G1 and MAP_FP2_TO_G2 specify. */
void bls12_map_fp_to_g1(bls12_g1 *r, const bls12_fp *u);
void bls12_map_fp2_to_g2(bls12_g2 *r, const bls12_fp2 *u);

/* 1 when prod e(p_i, q_i) == 1 in GT, else 0; n may be 0 (answers 1).
 * Every point must be on its curve and in the prime-order subgroup; pairs
 * with an infinity contribute 1. -1 when a Miller loop meets a vertical line,
 * which points of the prime-order subgroups never cause; -2 when memory for
 * n pairs cannot be had. */
int bls12_pairing_check(const bls12_g1 *p, const bls12_g2 *q, size_t n);

#endif
