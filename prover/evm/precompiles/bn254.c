/* bn254.c: Montgomery arithmetic over the alt_bn128 base field, its tower up
 * to Fp12, the two curve groups and the optimal ate pairing (contract in
 * bn254.h).
 *
 * Constants. p, r and the BN parameter x = 4965661367192848881 (p and r are
 * 36x^4+36x^3+24x^2+6x+1 and 36x^4+36x^3+18x^2+6x+1) are those of EIP-196 and
 * go-ethereum crypto/bn256/cloudflare/constants.go, which also lists
 * R^2 mod p, -1/p mod 2^64 and xi^((p-1)/6), xi^((p-1)/3) in Montgomery form;
 * the values below agree with it. The Frobenius coefficients gamma1[i] =
 * xi^(i(p-1)/6) and gamma2[i] = xi^(i(p^2-1)/6) (the latter in Fp), the
 * twist constant 3/xi (also in constantine's bn254_snarks_constants.nim,
 * coefB_G2) and the NAF of 6x+2 were computed from their definitions and are
 * re-derived by the tests from the field arithmetic itself.
 *
 * Pairing. Miller loop over the NAF of 6x+2 with Jacobian coordinates on the
 * twist, followed by the two Frobenius line steps (Q1 = pi(Q), -Q2 =
 * -pi^2(Q)); lines are scaled by elements of Fp2, which the final
 * exponentiation removes. The hard part of the final exponentiation is the
 * addition chain of Scott, Benger, Charlemagne, Dominguez Perez and Kachisa,
 * "On the final exponentiation for calculating pairings on ordinary elliptic
 * curves" (Pairing 2009), section 5, which computes exactly
 * f^((p^4-p^2+1)/r) from f^x, f^(x^2), f^(x^3) and Frobenius powers.
 */
#include "evm/precompiles/bn254.h"

#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef unsigned __int128 u128;

static _Thread_local uint64_t mul_count;
/* The observer (bn254.h); NULL in the hot path costs one predictable branch. */
static _Thread_local bn254_mul_observer_fn mul_observer;
static _Thread_local void *mul_observer_ctx;

uint64_t bn254_fp_mul_count(void) { return mul_count; }

void bn254_set_mul_observer(bn254_mul_observer_fn fn, void *ctx, bn254_mul_observer_fn *prev_fn,
                            void **prev_ctx) {
  if (prev_fn) *prev_fn = mul_observer;
  if (prev_ctx) *prev_ctx = mul_observer_ctx;
  mul_observer = fn;
  mul_observer_ctx = fn ? ctx : NULL;
}

/* p, little-endian limbs. */
static const uint64_t P[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL,
                              0x30644e72e131a029ULL};
/* -1/p mod 2^64. */
#define P_INV 0x87d20782e4866389ULL
/* R^2 mod p with R = 2^256: converts into Montgomery form. */
static const bn254_fp R2 = {
    {0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL}};
/* 1 and 3 in Montgomery form. */
static const bn254_fp FP_ONE = {
    {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}};
static const bn254_fp FP_THREE = {
    {0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL, 0x2a1f6744ce179d8eULL}};
/* p - 2, the Fermat inversion exponent. */
static const uint64_t P_MINUS_2[4] = {0x3c208c16d87cfd45ULL, 0x97816a916871ca8dULL,
                                      0xb85045b68181585dULL, 0x30644e72e131a029ULL};
/* The BN parameter x. */
#define BN_X 4965661367192848881ULL
/* (p^4 - p^2 + 1)/r, little-endian limbs (761 bits): the hard part's
 * exponent for the plain square-and-multiply cross-check. */
static const uint64_t HARD_EXP[12] = {
    0xe81bb482ccdf42b1ULL, 0x5abf5cc4f49c36d4ULL, 0xf1154e7e1da014fdULL, 0xdcc7b44c87cdbacfULL,
    0xaaa441e3954bcf8aULL, 0x6b887d56d5095f23ULL, 0x79581e16f3fd90c6ULL, 0x3b1b1355d189227dULL,
    0x4e529a5861876f6bULL, 0x6c0eb522d5b12278ULL, 0x331ec15183177fafULL, 0x01baaa710b0759adULL};
/* NAF of 6x+2, most significant digit first. */
static const int8_t ATE_NAF[66] = {1, 0,  -1, 0, 1,  0, 0,  0,  -1, 0, -1, 0, 0,  0,  -1, 0, 1,
                                   0, -1, 0,  0, -1, 0, 0,  0,  0,  0, 1,  0, 0,  -1, 0,  1, 0,
                                   0, -1, 0,  0, 0,  0, -1, 0,  1,  0, 0,  0, -1, 0,  -1, 0, 0,
                                   1, 0,  0,  0, -1, 0, 0,  -1, 0,  1, 0,  1, 0,  0,  0};
/* gamma1[i-1] = xi^(i(p-1)/6), i = 1..5, Montgomery form. */
static const bn254_fp2 GAMMA1[5] = {
    {{{0xaf9ba69633144907ULL, 0xca6b1d7387afb78aULL, 0x11bded5ef08a2087ULL, 0x02f34d751a1f3a7cULL}},
     {{0xa222ae234c492d72ULL, 0xd00f02a4565de15bULL, 0xdc2ff3a253dfc926ULL,
       0x10a75716b3899551ULL}}},
    {{{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
     {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL,
       0x26694fbb4e82ebc3ULL}}},
    {{{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
     {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL,
       0x2c87200285defeccULL}}},
    {{{0x7361d77f843abe92ULL, 0xa5bb2bd3273411fbULL, 0x9c941f314b3e2399ULL, 0x15df9cddbb9fd3ecULL}},
     {{0x5dddfd154bd8c949ULL, 0x62cb29a5a4445b60ULL, 0x37bc870a0c7dd2b9ULL,
       0x24830a9d3171f0fdULL}}},
    {{{0xc970692f41690fe7ULL, 0xe240342127694b0bULL, 0x32bee66b83c459e8ULL, 0x12aabced0ab08841ULL}},
     {{0x0d485d2340aebfa9ULL, 0x05193418ab2fcc57ULL, 0xd3b0a40b8a4910f5ULL,
       0x2f21ebb535d2925aULL}}}};
/* gamma2[i-1] = xi^(i(p^2-1)/6) (in Fp), i = 1..5, Montgomery form. */
static const bn254_fp GAMMA2[5] = {
    {{0xca8d800500fa1bf2ULL, 0xf0c5d61468b39769ULL, 0x0e201271ad0d4418ULL, 0x04290f65bad856e6ULL}},
    {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}},
    {{0x68c3488912edefaaULL, 0x8d087f6872aabf4fULL, 0x51e1a24709081231ULL, 0x2259d6b14729c0faULL}},
    {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}},
    {{0x08cfc388c494f1abULL, 0x19b315148d1373d4ULL, 0x584e90fdcb6c0213ULL, 0x09e1685bdf2f8849ULL}}};
/* b' = 3/xi, the twist's constant, Montgomery form. */
static const bn254_fp2 TWIST_B = {
    {{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL, 0x2514c6324384a86dULL}},
    {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL}}};
/* The G2 generator of EIP-197, Montgomery form. */
static const bn254_fp2 G2_GEN_X = {
    {{0x8e83b5d102bc2026ULL, 0xdceb1935497b0172ULL, 0xfbb8264797811adfULL, 0x19573841af96503bULL}},
    {{0xafb4737da84c6140ULL, 0x6043dd5a5802d8c4ULL, 0x09e950fc52a02f86ULL, 0x14fef0833aea7b6bULL}}};
static const bn254_fp2 G2_GEN_Y = {
    {{0x619dfa9d886be9f6ULL, 0xfe7fd297f59e9b78ULL, 0xff9e1a62231b7dfeULL, 0x28fd7eebae9e4206ULL}},
    {{0x64095b56c71856eeULL, 0xdc57f922327d3cbbULL, 0x55f935be33351076ULL, 0x0da4a0e693fd6482ULL}}};

/* ---- Fp ---------------------------------------------------------------- */

/* Add and subtract with carry, one limb. */
#if defined(__x86_64__)
static inline uint64_t adc(uint64_t a, uint64_t b, unsigned char *c) {
  unsigned long long r;
  *c = _addcarry_u64(*c, a, b, &r);
  return r;
}
static inline uint64_t sbb(uint64_t a, uint64_t b, unsigned char *c) {
  unsigned long long r;
  *c = _subborrow_u64(*c, a, b, &r);
  return r;
}
#else
static inline uint64_t adc(uint64_t a, uint64_t b, unsigned char *c) {
  u128 s = (u128)a + b + *c;
  *c = (unsigned char)(s >> 64);
  return (uint64_t)s;
}
static inline uint64_t sbb(uint64_t a, uint64_t b, unsigned char *c) {
  u128 d = (u128)a - b - *c;
  *c = (unsigned char)((d >> 64) & 1);
  return (uint64_t)d;
}
#endif

/* r = a - p with the borrow out (1 when a < p). */
static inline unsigned char sub_p_borrow(uint64_t r[4], const uint64_t a[4]) {
  unsigned char c = 0;
  r[0] = sbb(a[0], P[0], &c);
  r[1] = sbb(a[1], P[1], &c);
  r[2] = sbb(a[2], P[2], &c);
  r[3] = sbb(a[3], P[3], &c);
  return c;
}

/* a mod p for a < 2p, into r (branch-free select). */
static inline void reduce_once(uint64_t r[4], const uint64_t a[4]) {
  uint64_t s[4];
  uint64_t keep = 0 - (uint64_t)sub_p_borrow(s, a); /* all ones when a < p */
  r[0] = (a[0] & keep) | (s[0] & ~keep);
  r[1] = (a[1] & keep) | (s[1] & ~keep);
  r[2] = (a[2] & keep) | (s[2] & ~keep);
  r[3] = (a[3] & keep) | (s[3] & ~keep);
}

void bn254_fp_add(bn254_fp *r, const bn254_fp *a, const bn254_fp *b) {
  /* a, b < p < 2^254, so the sum fits in 256 bits and is < 2p. */
  uint64_t t[4];
  unsigned char c = 0;
  t[0] = adc(a->v[0], b->v[0], &c);
  t[1] = adc(a->v[1], b->v[1], &c);
  t[2] = adc(a->v[2], b->v[2], &c);
  t[3] = adc(a->v[3], b->v[3], &c);
  reduce_once(r->v, t);
}

void bn254_fp_sub(bn254_fp *r, const bn254_fp *a, const bn254_fp *b) {
  uint64_t t[4];
  unsigned char c = 0;
  t[0] = sbb(a->v[0], b->v[0], &c);
  t[1] = sbb(a->v[1], b->v[1], &c);
  t[2] = sbb(a->v[2], b->v[2], &c);
  t[3] = sbb(a->v[3], b->v[3], &c);
  uint64_t mask = 0 - (uint64_t)c; /* add p back on a borrow */
  c = 0;
  r->v[0] = adc(t[0], P[0] & mask, &c);
  r->v[1] = adc(t[1], P[1] & mask, &c);
  r->v[2] = adc(t[2], P[2] & mask, &c);
  r->v[3] = adc(t[3], P[3] & mask, &c);
}

void bn254_fp_neg(bn254_fp *r, const bn254_fp *a) {
  static const bn254_fp zero = {{0, 0, 0, 0}};
  bn254_fp_sub(r, &zero, a);
}

/* Montgomery product a*b/R mod p, CIOS with the final carry word dropped:
 * valid because the top limb of p is below 2^63 - 1, which keeps every
 * intermediate t below 2p < 2^256. One limb of b per round. */
static inline void mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
  uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  for (int i = 0; i < 4; i++) {
    const uint64_t bi = b[i];
    u128 A = (u128)a[0] * bi + t0;
    t0 = (uint64_t)A;
    const uint64_t m = t0 * P_INV;
    u128 C = (u128)m * P[0] + t0;
    A = (u128)a[1] * bi + t1 + (uint64_t)(A >> 64);
    C = (u128)m * P[1] + (uint64_t)A + (uint64_t)(C >> 64);
    t0 = (uint64_t)C;
    A = (u128)a[2] * bi + t2 + (uint64_t)(A >> 64);
    C = (u128)m * P[2] + (uint64_t)A + (uint64_t)(C >> 64);
    t1 = (uint64_t)C;
    A = (u128)a[3] * bi + t3 + (uint64_t)(A >> 64);
    C = (u128)m * P[3] + (uint64_t)A + (uint64_t)(C >> 64);
    t2 = (uint64_t)C;
    t3 = (uint64_t)(C >> 64) + (uint64_t)(A >> 64);
  }
  const uint64_t t[4] = {t0, t1, t2, t3};
  reduce_once(r, t);
}

/* The observed product: operands copied first (r may alias them), then all
 * three taken out of Montgomery form with uncounted mont_mul calls. Kept out
 * of line so the unobserved path stays small. */
static __attribute__((noinline)) void observed_mul(bn254_fp *r, const bn254_fp *a,
                                                   const bn254_fp *b);

void bn254_fp_mul(bn254_fp *r, const bn254_fp *a, const bn254_fp *b) {
  mul_count++;
  if (__builtin_expect(mul_observer != NULL, 0)) {
    observed_mul(r, a, b);
    return;
  }
  mont_mul(r->v, a->v, b->v);
}

void bn254_fp_sqr(bn254_fp *r, const bn254_fp *a) {
  mul_count++;
  if (__builtin_expect(mul_observer != NULL, 0)) {
    observed_mul(r, a, a);
    return;
  }
  mont_mul(r->v, a->v, a->v);
}

void bn254_fp_from_u64(bn254_fp *r, uint64_t a) {
  uint64_t t[4] = {a, 0, 0, 0};
  mont_mul(r->v, t, R2.v);
}

int bn254_fp_from_bytes(bn254_fp *r, const uint8_t in[32]) {
  uint64_t t[4];
  for (int i = 0; i < 4; i++) {
    uint64_t w = 0;
    for (int j = 0; j < 8; j++)
      w = w << 8 | in[(3 - i) * 8 + j];
    t[i] = w;
  }
  uint64_t s[4];
  if (!sub_p_borrow(s, t)) return -1; /* t >= p */
  mont_mul(r->v, t, R2.v);
  return 0;
}

void bn254_fp_to_bytes(uint8_t out[32], const bn254_fp *a) {
  static const uint64_t one[4] = {1, 0, 0, 0};
  uint64_t t[4];
  mont_mul(t, a->v, one);
  for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 8; j++)
      out[(3 - i) * 8 + j] = (uint8_t)(t[i] >> (56 - 8 * j));
  }
}

static __attribute__((noinline)) void observed_mul(bn254_fp *r, const bn254_fp *a,
                                                   const bn254_fp *b) {
  const bn254_fp x = *a, y = *b;
  uint8_t xb[32], yb[32], rb[32];
  mont_mul(r->v, x.v, y.v);
  bn254_fp_to_bytes(xb, &x);
  bn254_fp_to_bytes(yb, &y);
  bn254_fp_to_bytes(rb, r);
  mul_observer(mul_observer_ctx, xb, yb, rb);
}

void bn254_fp_pow(bn254_fp *r, const bn254_fp *a, const uint64_t *e, size_t n) {
  bn254_fp acc = FP_ONE, base = *a;
  for (size_t i = n; i-- > 0;) {
    for (int b = 63; b >= 0; b--) {
      bn254_fp_sqr(&acc, &acc);
      if ((e[i] >> b) & 1) bn254_fp_mul(&acc, &acc, &base);
    }
  }
  *r = acc;
}

void bn254_fp_inv(bn254_fp *r, const bn254_fp *a) { bn254_fp_pow(r, a, P_MINUS_2, 4); }

int bn254_fp_is_zero(const bn254_fp *a) { return (a->v[0] | a->v[1] | a->v[2] | a->v[3]) == 0; }

int bn254_fp_eq(const bn254_fp *a, const bn254_fp *b) {
  return memcmp(a->v, b->v, sizeof a->v) == 0;
}

/* ---- Fp2 --------------------------------------------------------------- */

void bn254_fp2_add(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b) {
  bn254_fp_add(&r->c0, &a->c0, &b->c0);
  bn254_fp_add(&r->c1, &a->c1, &b->c1);
}

void bn254_fp2_sub(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b) {
  bn254_fp_sub(&r->c0, &a->c0, &b->c0);
  bn254_fp_sub(&r->c1, &a->c1, &b->c1);
}

void bn254_fp2_neg(bn254_fp2 *r, const bn254_fp2 *a) {
  bn254_fp_neg(&r->c0, &a->c0);
  bn254_fp_neg(&r->c1, &a->c1);
}

void bn254_fp2_conj(bn254_fp2 *r, const bn254_fp2 *a) {
  r->c0 = a->c0;
  bn254_fp_neg(&r->c1, &a->c1);
}

void bn254_fp2_mul(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp2 *b) {
  bn254_fp t0, t1, s0, s1;
  bn254_fp_mul(&t0, &a->c0, &b->c0);
  bn254_fp_mul(&t1, &a->c1, &b->c1);
  bn254_fp_add(&s0, &a->c0, &a->c1);
  bn254_fp_add(&s1, &b->c0, &b->c1);
  bn254_fp_mul(&s0, &s0, &s1);
  bn254_fp_sub(&s0, &s0, &t0);
  bn254_fp_sub(&r->c1, &s0, &t1);
  bn254_fp_sub(&r->c0, &t0, &t1);
}

void bn254_fp2_sqr(bn254_fp2 *r, const bn254_fp2 *a) {
  bn254_fp s, d, m;
  bn254_fp_add(&s, &a->c0, &a->c1);
  bn254_fp_sub(&d, &a->c0, &a->c1);
  bn254_fp_mul(&m, &a->c0, &a->c1);
  bn254_fp_mul(&r->c0, &s, &d);
  bn254_fp_add(&r->c1, &m, &m);
}

/* Fp2 element times an Fp element (two Fp multiplications). */
static void fp2_mul_fp(bn254_fp2 *r, const bn254_fp2 *a, const bn254_fp *b) {
  bn254_fp_mul(&r->c0, &a->c0, b);
  bn254_fp_mul(&r->c1, &a->c1, b);
}

void bn254_fp2_mul_xi(bn254_fp2 *r, const bn254_fp2 *a) {
  /* (9+u)(a0 + a1 u) = (9 a0 - a1) + (a0 + 9 a1) u */
  bn254_fp2 t;
  bn254_fp_add(&t.c0, &a->c0, &a->c0);
  bn254_fp_add(&t.c0, &t.c0, &t.c0);
  bn254_fp_add(&t.c0, &t.c0, &t.c0);
  bn254_fp_add(&t.c0, &t.c0, &a->c0);
  bn254_fp_add(&t.c1, &a->c1, &a->c1);
  bn254_fp_add(&t.c1, &t.c1, &t.c1);
  bn254_fp_add(&t.c1, &t.c1, &t.c1);
  bn254_fp_add(&t.c1, &t.c1, &a->c1);
  bn254_fp_sub(&t.c0, &t.c0, &a->c1);
  bn254_fp_add(&t.c1, &t.c1, &a->c0);
  *r = t;
}

void bn254_fp2_inv(bn254_fp2 *r, const bn254_fp2 *a) {
  bn254_fp t0, t1;
  bn254_fp_sqr(&t0, &a->c0);
  bn254_fp_sqr(&t1, &a->c1);
  bn254_fp_add(&t0, &t0, &t1);
  bn254_fp_inv(&t0, &t0);
  bn254_fp_mul(&r->c0, &a->c0, &t0);
  bn254_fp_mul(&t1, &a->c1, &t0);
  bn254_fp_neg(&r->c1, &t1);
}

int bn254_fp2_is_zero(const bn254_fp2 *a) {
  return bn254_fp_is_zero(&a->c0) && bn254_fp_is_zero(&a->c1);
}

int bn254_fp2_eq(const bn254_fp2 *a, const bn254_fp2 *b) {
  return bn254_fp_eq(&a->c0, &b->c0) && bn254_fp_eq(&a->c1, &b->c1);
}

/* ---- Fp6 --------------------------------------------------------------- */

static void fp6_add(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp6 *b) {
  bn254_fp2_add(&r->c0, &a->c0, &b->c0);
  bn254_fp2_add(&r->c1, &a->c1, &b->c1);
  bn254_fp2_add(&r->c2, &a->c2, &b->c2);
}

static void fp6_sub(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp6 *b) {
  bn254_fp2_sub(&r->c0, &a->c0, &b->c0);
  bn254_fp2_sub(&r->c1, &a->c1, &b->c1);
  bn254_fp2_sub(&r->c2, &a->c2, &b->c2);
}

static void fp6_neg(bn254_fp6 *r, const bn254_fp6 *a) {
  bn254_fp2_neg(&r->c0, &a->c0);
  bn254_fp2_neg(&r->c1, &a->c1);
  bn254_fp2_neg(&r->c2, &a->c2);
}

/* a * v = xi a2 + a0 v + a1 v^2 */
static void fp6_mul_v(bn254_fp6 *r, const bn254_fp6 *a) {
  bn254_fp2 t;
  bn254_fp2_mul_xi(&t, &a->c2);
  r->c2 = a->c1;
  r->c1 = a->c0;
  r->c0 = t;
}

void bn254_fp6_mul(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp6 *b) {
  bn254_fp2 t0, t1, t2, s, u, c0, c1, c2;
  bn254_fp2_mul(&t0, &a->c0, &b->c0);
  bn254_fp2_mul(&t1, &a->c1, &b->c1);
  bn254_fp2_mul(&t2, &a->c2, &b->c2);
  /* c0 = t0 + xi((a1+a2)(b1+b2) - t1 - t2) */
  bn254_fp2_add(&s, &a->c1, &a->c2);
  bn254_fp2_add(&u, &b->c1, &b->c2);
  bn254_fp2_mul(&s, &s, &u);
  bn254_fp2_sub(&s, &s, &t1);
  bn254_fp2_sub(&s, &s, &t2);
  bn254_fp2_mul_xi(&s, &s);
  bn254_fp2_add(&c0, &s, &t0);
  /* c1 = (a0+a1)(b0+b1) - t0 - t1 + xi t2 */
  bn254_fp2_add(&s, &a->c0, &a->c1);
  bn254_fp2_add(&u, &b->c0, &b->c1);
  bn254_fp2_mul(&s, &s, &u);
  bn254_fp2_sub(&s, &s, &t0);
  bn254_fp2_sub(&s, &s, &t1);
  bn254_fp2_mul_xi(&u, &t2);
  bn254_fp2_add(&c1, &s, &u);
  /* c2 = (a0+a2)(b0+b2) - t0 - t2 + t1 */
  bn254_fp2_add(&s, &a->c0, &a->c2);
  bn254_fp2_add(&u, &b->c0, &b->c2);
  bn254_fp2_mul(&s, &s, &u);
  bn254_fp2_sub(&s, &s, &t0);
  bn254_fp2_sub(&s, &s, &t2);
  bn254_fp2_add(&c2, &s, &t1);
  r->c0 = c0;
  r->c1 = c1;
  r->c2 = c2;
}

/* a * (b0 + b1 v), the shape of a line's w-part (five Fp2 products). */
static void fp6_mul_01(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp2 *b0, const bn254_fp2 *b1) {
  bn254_fp2 t0, t1, s, u, c0, c1, c2;
  bn254_fp2_mul(&t0, &a->c0, b0);
  bn254_fp2_mul(&t1, &a->c1, b1);
  /* c0 = t0 + xi a2 b1 */
  bn254_fp2_mul(&s, &a->c2, b1);
  bn254_fp2_mul_xi(&s, &s);
  bn254_fp2_add(&c0, &t0, &s);
  /* c1 = (a0+a1)(b0+b1) - t0 - t1 */
  bn254_fp2_add(&s, &a->c0, &a->c1);
  bn254_fp2_add(&u, b0, b1);
  bn254_fp2_mul(&s, &s, &u);
  bn254_fp2_sub(&s, &s, &t0);
  bn254_fp2_sub(&c1, &s, &t1);
  /* c2 = a2 b0 + t1 */
  bn254_fp2_mul(&s, &a->c2, b0);
  bn254_fp2_add(&c2, &s, &t1);
  r->c0 = c0;
  r->c1 = c1;
  r->c2 = c2;
}

static void fp6_mul_fp2(bn254_fp6 *r, const bn254_fp6 *a, const bn254_fp2 *b) {
  bn254_fp2_mul(&r->c0, &a->c0, b);
  bn254_fp2_mul(&r->c1, &a->c1, b);
  bn254_fp2_mul(&r->c2, &a->c2, b);
}

void bn254_fp6_inv(bn254_fp6 *r, const bn254_fp6 *a) {
  /* A = a0^2 - xi a1 a2, B = xi a2^2 - a0 a1, C = a1^2 - a0 a2,
   * F = a0 A + xi (a2 B + a1 C); 1/a = (A + B v + C v^2)/F. */
  bn254_fp2 A, B, C, t, F;
  bn254_fp2_sqr(&A, &a->c0);
  bn254_fp2_mul(&t, &a->c1, &a->c2);
  bn254_fp2_mul_xi(&t, &t);
  bn254_fp2_sub(&A, &A, &t);
  bn254_fp2_sqr(&B, &a->c2);
  bn254_fp2_mul_xi(&B, &B);
  bn254_fp2_mul(&t, &a->c0, &a->c1);
  bn254_fp2_sub(&B, &B, &t);
  bn254_fp2_sqr(&C, &a->c1);
  bn254_fp2_mul(&t, &a->c0, &a->c2);
  bn254_fp2_sub(&C, &C, &t);
  bn254_fp2_mul(&F, &a->c2, &B);
  bn254_fp2_mul(&t, &a->c1, &C);
  bn254_fp2_add(&F, &F, &t);
  bn254_fp2_mul_xi(&F, &F);
  bn254_fp2_mul(&t, &a->c0, &A);
  bn254_fp2_add(&F, &F, &t);
  bn254_fp2_inv(&F, &F);
  bn254_fp2_mul(&r->c0, &A, &F);
  bn254_fp2_mul(&r->c1, &B, &F);
  bn254_fp2_mul(&r->c2, &C, &F);
}

/* ---- Fp12 -------------------------------------------------------------- */

void bn254_fp12_one(bn254_fp12 *r) {
  memset(r, 0, sizeof *r);
  r->c0.c0.c0 = FP_ONE;
}

int bn254_fp12_eq(const bn254_fp12 *a, const bn254_fp12 *b) {
  /* Every element is kept fully reduced, so equal values have equal limbs. */
  return memcmp(a, b, sizeof *a) == 0;
}

int bn254_fp12_is_one(const bn254_fp12 *a) {
  bn254_fp12 one;
  bn254_fp12_one(&one);
  return bn254_fp12_eq(a, &one);
}

void bn254_fp12_mul(bn254_fp12 *r, const bn254_fp12 *a, const bn254_fp12 *b) {
  /* (a0 + a1 w)(b0 + b1 w) = a0 b0 + v a1 b1 + ((a0+a1)(b0+b1) - a0 b0 - a1 b1) w */
  bn254_fp6 t0, t1, s, u;
  bn254_fp6_mul(&t0, &a->c0, &b->c0);
  bn254_fp6_mul(&t1, &a->c1, &b->c1);
  fp6_add(&s, &a->c0, &a->c1);
  fp6_add(&u, &b->c0, &b->c1);
  bn254_fp6_mul(&s, &s, &u);
  fp6_sub(&s, &s, &t0);
  fp6_sub(&r->c1, &s, &t1);
  fp6_mul_v(&t1, &t1);
  fp6_add(&r->c0, &t0, &t1);
}

void bn254_fp12_sqr(bn254_fp12 *r, const bn254_fp12 *a) {
  /* c0 = (a0 + a1)(a0 + v a1) - t - v t, c1 = 2t, with t = a0 a1 */
  bn254_fp6 t, s, u, vt;
  bn254_fp6_mul(&t, &a->c0, &a->c1);
  fp6_add(&s, &a->c0, &a->c1);
  fp6_mul_v(&u, &a->c1);
  fp6_add(&u, &u, &a->c0);
  bn254_fp6_mul(&s, &s, &u);
  fp6_mul_v(&vt, &t);
  fp6_sub(&s, &s, &t);
  fp6_sub(&r->c0, &s, &vt);
  fp6_add(&r->c1, &t, &t);
}

void bn254_fp12_inv(bn254_fp12 *r, const bn254_fp12 *a) {
  /* 1/(a0 + a1 w) = (a0 - a1 w)/(a0^2 - v a1^2) */
  bn254_fp6 t0, t1;
  bn254_fp6_mul(&t0, &a->c0, &a->c0);
  bn254_fp6_mul(&t1, &a->c1, &a->c1);
  fp6_mul_v(&t1, &t1);
  fp6_sub(&t0, &t0, &t1);
  bn254_fp6_inv(&t0, &t0);
  bn254_fp6_mul(&r->c0, &a->c0, &t0);
  bn254_fp6_mul(&t1, &a->c1, &t0);
  fp6_neg(&r->c1, &t1);
}

void bn254_fp12_conj(bn254_fp12 *r, const bn254_fp12 *a) {
  r->c0 = a->c0;
  fp6_neg(&r->c1, &a->c1);
}

/* The coefficient of w^i sits in c0.c(i/2) for even i and c1.c(i/2) for odd
 * i; (c w^i)^p = conj(c) gamma1[i] w^i and (c w^i)^(p^2) = c gamma2[i] w^i. */
void bn254_fp12_frob(bn254_fp12 *r, const bn254_fp12 *a) {
  bn254_fp2 t;
  bn254_fp2_conj(&r->c0.c0, &a->c0.c0);
  bn254_fp2_conj(&t, &a->c0.c1);
  bn254_fp2_mul(&r->c0.c1, &t, &GAMMA1[1]);
  bn254_fp2_conj(&t, &a->c0.c2);
  bn254_fp2_mul(&r->c0.c2, &t, &GAMMA1[3]);
  bn254_fp2_conj(&t, &a->c1.c0);
  bn254_fp2_mul(&r->c1.c0, &t, &GAMMA1[0]);
  bn254_fp2_conj(&t, &a->c1.c1);
  bn254_fp2_mul(&r->c1.c1, &t, &GAMMA1[2]);
  bn254_fp2_conj(&t, &a->c1.c2);
  bn254_fp2_mul(&r->c1.c2, &t, &GAMMA1[4]);
}

void bn254_fp12_frob2(bn254_fp12 *r, const bn254_fp12 *a) {
  r->c0.c0 = a->c0.c0;
  fp2_mul_fp(&r->c0.c1, &a->c0.c1, &GAMMA2[1]);
  fp2_mul_fp(&r->c0.c2, &a->c0.c2, &GAMMA2[3]);
  fp2_mul_fp(&r->c1.c0, &a->c1.c0, &GAMMA2[0]);
  fp2_mul_fp(&r->c1.c1, &a->c1.c1, &GAMMA2[2]);
  fp2_mul_fp(&r->c1.c2, &a->c1.c2, &GAMMA2[4]);
}

void bn254_fp12_pow(bn254_fp12 *r, const bn254_fp12 *a, const uint64_t *e, size_t n) {
  bn254_fp12 acc, base = *a;
  bn254_fp12_one(&acc);
  int started = 0;
  for (size_t i = n; i-- > 0;) {
    for (int b = 63; b >= 0; b--) {
      if (started) bn254_fp12_sqr(&acc, &acc);
      if ((e[i] >> b) & 1) {
        bn254_fp12_mul(&acc, &acc, &base);
        started = 1;
      }
    }
  }
  *r = acc;
}

/* f times a line l0 + l1 w + l3 w^3, i.e. (l0, 0, 0) + (l1, l3, 0) w. */
static void fp12_mul_line(bn254_fp12 *f, const bn254_fp2 *l0, const bn254_fp2 *l1,
                          const bn254_fp2 *l3) {
  bn254_fp6 t0, t1, s;
  bn254_fp2 m;
  fp6_mul_fp2(&t0, &f->c0, l0);
  fp6_mul_01(&t1, &f->c1, l1, l3);
  fp6_add(&s, &f->c0, &f->c1);
  bn254_fp2_add(&m, l0, l1);
  fp6_mul_01(&s, &s, &m, l3);
  fp6_sub(&s, &s, &t0);
  fp6_sub(&f->c1, &s, &t1);
  fp6_mul_v(&t1, &t1);
  fp6_add(&f->c0, &t0, &t1);
}

/* ---- curve groups ------------------------------------------------------ */

/* The group law once, for G1 over Fp (F = fp) and G2 over Fp2 (F = fp2).
 * Jacobian doubling and addition for a = 0 (the EFD's dbl-2009-l doubling and
 * the add-1998-cmo-2 addition); add handles equal, opposite and infinite
 * operands. */
#define BN254_CURVE_OPS(G, F, FT, PT)                                                              \
  int bn254_##G##_is_inf(const PT *a) { return bn254_##F##_is_zero(&a->z); }                       \
                                                                                                   \
  void bn254_##G##_dbl(PT *r, const PT *a) {                                                       \
    FT A, B, C, D, E, Fq, t;                                                                       \
    if (bn254_##G##_is_inf(a)) {                                                                   \
      *r = *a;                                                                                     \
      return;                                                                                      \
    }                                                                                              \
    bn254_##F##_sqr(&A, &a->x);                                                                    \
    bn254_##F##_sqr(&B, &a->y);                                                                    \
    bn254_##F##_sqr(&C, &B);                                                                       \
    bn254_##F##_add(&D, &a->x, &B);                                                                \
    bn254_##F##_sqr(&D, &D);                                                                       \
    bn254_##F##_sub(&D, &D, &A);                                                                   \
    bn254_##F##_sub(&D, &D, &C);                                                                   \
    bn254_##F##_add(&D, &D, &D);                                                                   \
    bn254_##F##_add(&E, &A, &A);                                                                   \
    bn254_##F##_add(&E, &E, &A);                                                                   \
    bn254_##F##_sqr(&Fq, &E);                                                                      \
    bn254_##F##_mul(&t, &a->y, &a->z);                                                             \
    bn254_##F##_add(&r->z, &t, &t);                                                                \
    bn254_##F##_sub(&r->x, &Fq, &D);                                                               \
    bn254_##F##_sub(&r->x, &r->x, &D);                                                             \
    bn254_##F##_sub(&t, &D, &r->x);                                                                \
    bn254_##F##_mul(&t, &E, &t);                                                                   \
    bn254_##F##_add(&C, &C, &C);                                                                   \
    bn254_##F##_add(&C, &C, &C);                                                                   \
    bn254_##F##_add(&C, &C, &C);                                                                   \
    bn254_##F##_sub(&r->y, &t, &C);                                                                \
  }                                                                                                \
                                                                                                   \
  void bn254_##G##_add(PT *r, const PT *a, const PT *b) {                                          \
    FT z1z1, z2z2, u1, u2, s1, s2, h, rr, hh, hhh, v, t;                                           \
    if (bn254_##G##_is_inf(a)) {                                                                   \
      *r = *b;                                                                                     \
      return;                                                                                      \
    }                                                                                              \
    if (bn254_##G##_is_inf(b)) {                                                                   \
      *r = *a;                                                                                     \
      return;                                                                                      \
    }                                                                                              \
    bn254_##F##_sqr(&z1z1, &a->z);                                                                 \
    bn254_##F##_sqr(&z2z2, &b->z);                                                                 \
    bn254_##F##_mul(&u1, &a->x, &z2z2);                                                            \
    bn254_##F##_mul(&u2, &b->x, &z1z1);                                                            \
    bn254_##F##_mul(&s1, &a->y, &b->z);                                                            \
    bn254_##F##_mul(&s1, &s1, &z2z2);                                                              \
    bn254_##F##_mul(&s2, &b->y, &a->z);                                                            \
    bn254_##F##_mul(&s2, &s2, &z1z1);                                                              \
    bn254_##F##_sub(&h, &u2, &u1);                                                                 \
    bn254_##F##_sub(&rr, &s2, &s1);                                                                \
    if (bn254_##F##_is_zero(&h)) {                                                                 \
      if (bn254_##F##_is_zero(&rr)) {                                                              \
        bn254_##G##_dbl(r, a);                                                                     \
      } else {                                                                                     \
        memset(r, 0, sizeof *r); /* infinity */                                                    \
      }                                                                                            \
      return;                                                                                      \
    }                                                                                              \
    bn254_##F##_sqr(&hh, &h);                                                                      \
    bn254_##F##_mul(&hhh, &h, &hh);                                                                \
    bn254_##F##_mul(&v, &u1, &hh);                                                                 \
    bn254_##F##_mul(&t, &a->z, &b->z);                                                             \
    bn254_##F##_mul(&r->z, &t, &h);                                                                \
    bn254_##F##_sqr(&t, &rr);                                                                      \
    bn254_##F##_sub(&t, &t, &hhh);                                                                 \
    bn254_##F##_sub(&t, &t, &v);                                                                   \
    bn254_##F##_sub(&t, &t, &v);                                                                   \
    r->x = t;                                                                                      \
    bn254_##F##_sub(&v, &v, &t);                                                                   \
    bn254_##F##_mul(&v, &rr, &v);                                                                  \
    bn254_##F##_mul(&s1, &s1, &hhh);                                                               \
    bn254_##F##_sub(&r->y, &v, &s1);                                                               \
  }                                                                                                \
                                                                                                   \
  void bn254_##G##_mul(PT *r, const PT *a, const uint8_t k[32]) {                                  \
    /* fixed 4-bit window, most significant nibble first */                                        \
    PT tab[16], acc;                                                                               \
    memset(&tab[0], 0, sizeof tab[0]);                                                             \
    tab[1] = *a;                                                                                   \
    for (int i = 2; i < 16; i++)                                                                   \
      bn254_##G##_add(&tab[i], &tab[i - 1], a);                                                    \
    memset(&acc, 0, sizeof acc);                                                                   \
    for (int i = 0; i < 64; i++) {                                                                 \
      for (int d = 0; d < 4; d++)                                                                  \
        bn254_##G##_dbl(&acc, &acc);                                                               \
      unsigned nib = (k[i / 2] >> (i % 2 ? 0 : 4)) & 15u;                                          \
      if (nib) bn254_##G##_add(&acc, &acc, &tab[nib]);                                             \
    }                                                                                              \
    *r = acc;                                                                                      \
  }                                                                                                \
                                                                                                   \
  void bn254_##G##_to_affine(FT *x, FT *y, const PT *a) {                                          \
    FT zi, zi2;                                                                                    \
    if (bn254_##G##_is_inf(a)) {                                                                   \
      memset(x, 0, sizeof *x);                                                                     \
      memset(y, 0, sizeof *y);                                                                     \
      return;                                                                                      \
    }                                                                                              \
    bn254_##F##_inv(&zi, &a->z);                                                                   \
    bn254_##F##_sqr(&zi2, &zi);                                                                    \
    bn254_##F##_mul(x, &a->x, &zi2);                                                               \
    bn254_##F##_mul(&zi2, &zi2, &zi);                                                              \
    bn254_##F##_mul(y, &a->y, &zi2);                                                               \
  }

BN254_CURVE_OPS(g1, fp, bn254_fp, bn254_g1)
BN254_CURVE_OPS(g2, fp2, bn254_fp2, bn254_g2)

int bn254_g1_set_affine(bn254_g1 *r, const bn254_fp *x, const bn254_fp *y) {
  if (bn254_fp_is_zero(x) && bn254_fp_is_zero(y)) {
    memset(r, 0, sizeof *r);
    return 0;
  }
  bn254_fp l, rh;
  bn254_fp_sqr(&l, y);
  bn254_fp_sqr(&rh, x);
  bn254_fp_mul(&rh, &rh, x);
  bn254_fp_add(&rh, &rh, &FP_THREE);
  if (!bn254_fp_eq(&l, &rh)) return -1;
  r->x = *x;
  r->y = *y;
  r->z = FP_ONE;
  return 0;
}

int bn254_g2_set_affine(bn254_g2 *r, const bn254_fp2 *x, const bn254_fp2 *y) {
  if (bn254_fp2_is_zero(x) && bn254_fp2_is_zero(y)) {
    memset(r, 0, sizeof *r);
    return 0;
  }
  bn254_fp2 l, rh;
  bn254_fp2_sqr(&l, y);
  bn254_fp2_sqr(&rh, x);
  bn254_fp2_mul(&rh, &rh, x);
  bn254_fp2_add(&rh, &rh, &TWIST_B);
  if (!bn254_fp2_eq(&l, &rh)) return -1;
  r->x = *x;
  r->y = *y;
  memset(&r->z, 0, sizeof r->z);
  r->z.c0 = FP_ONE;
  return 0;
}

/* psi = untwist-Frobenius-twist, (x, y) -> (conj(x) gamma1[2], conj(y) gamma1[3]);
 * on Jacobian coordinates Z is conjugated too. */
static void g2_psi(bn254_g2 *r, const bn254_g2 *a) {
  bn254_fp2 t;
  bn254_fp2_conj(&t, &a->x);
  bn254_fp2_mul(&r->x, &t, &GAMMA1[1]);
  bn254_fp2_conj(&t, &a->y);
  bn254_fp2_mul(&r->y, &t, &GAMMA1[2]);
  bn254_fp2_conj(&r->z, &a->z);
}

/* For a point a of the twist, [r]a = 0 iff
 * [x+1]a + psi([x]a) + psi^2([x]a) = psi^3([2x]a)
 * (El Housni, Guillevic, Piellard, "Co-factor clearing and subgroup
 * membership testing on pairing-friendly curves", eprint 2022/348, sections
 * 3 and 5.1): one 63-bit scalar multiplication instead of a 254-bit one. The
 * tests check it against [r]a on points in and out of the subgroup. */
int bn254_g2_in_subgroup(const bn254_g2 *a) {
  uint8_t k[32] = {0};
  for (int i = 0; i < 8; i++)
    k[31 - i] = (uint8_t)(BN_X >> (8 * i));
  bn254_g2 xa, l, t, rhs;
  bn254_g2_mul(&xa, a, k);
  bn254_g2_add(&l, &xa, a);
  g2_psi(&t, &xa);
  bn254_g2_add(&l, &l, &t);
  g2_psi(&t, &t);
  bn254_g2_add(&l, &l, &t);
  bn254_g2_dbl(&rhs, &xa);
  g2_psi(&rhs, &rhs);
  g2_psi(&rhs, &rhs);
  g2_psi(&rhs, &rhs);
  bn254_fp2_neg(&rhs.y, &rhs.y);
  bn254_g2_add(&l, &l, &rhs);
  return bn254_g2_is_inf(&l);
}

void bn254_g1_gen(bn254_g1 *r) {
  bn254_fp_from_u64(&r->x, 1);
  bn254_fp_from_u64(&r->y, 2);
  r->z = FP_ONE;
}

void bn254_g2_gen(bn254_g2 *r) {
  r->x = G2_GEN_X;
  r->y = G2_GEN_Y;
  memset(&r->z, 0, sizeof r->z);
  r->z.c0 = FP_ONE;
}

/* ---- pairing ----------------------------------------------------------- */

/* One pair's state in the Miller loop: T on the twist (Jacobian), Q affine,
 * P affine. */
typedef struct {
  bn254_g2 t;
  bn254_fp2 qx, qy;
  bn254_fp px, py;
} miller_pair;

/* T = 2T and f *= the tangent at T evaluated at P. With lambda = 3X^2/(2YZ),
 * the line (yP - yT) - lambda (xP - xT) scaled by 2YZ^3 is
 * Z3 Z^2 yP - 3X^2 Z^2 xP w + (3X^3 - 2Y^2) w^3. */
static void line_dbl(bn254_fp12 *f, miller_pair *m) {
  bn254_g2 *T = &m->t;
  bn254_fp2 A, B, C, D, E, Fq, zz, t, l0, l1, l3;
  bn254_fp2_sqr(&zz, &T->z);
  bn254_fp2_sqr(&A, &T->x);
  bn254_fp2_sqr(&B, &T->y);
  bn254_fp2_sqr(&C, &B);
  bn254_fp2_add(&E, &A, &A);
  bn254_fp2_add(&E, &E, &A);
  /* l3 = E X - 2B, l1 = -E Z^2 xP */
  bn254_fp2_mul(&l3, &E, &T->x);
  bn254_fp2_sub(&l3, &l3, &B);
  bn254_fp2_sub(&l3, &l3, &B);
  bn254_fp2_mul(&t, &E, &zz);
  fp2_mul_fp(&t, &t, &m->px);
  bn254_fp2_neg(&l1, &t);
  /* the doubling itself */
  bn254_fp2_add(&D, &T->x, &B);
  bn254_fp2_sqr(&D, &D);
  bn254_fp2_sub(&D, &D, &A);
  bn254_fp2_sub(&D, &D, &C);
  bn254_fp2_add(&D, &D, &D);
  bn254_fp2_sqr(&Fq, &E);
  bn254_fp2_mul(&t, &T->y, &T->z);
  bn254_fp2_add(&T->z, &t, &t);
  bn254_fp2_sub(&T->x, &Fq, &D);
  bn254_fp2_sub(&T->x, &T->x, &D);
  bn254_fp2_sub(&t, &D, &T->x);
  bn254_fp2_mul(&t, &E, &t);
  bn254_fp2_add(&C, &C, &C);
  bn254_fp2_add(&C, &C, &C);
  bn254_fp2_add(&C, &C, &C);
  bn254_fp2_sub(&T->y, &t, &C);
  /* l0 = Z3 Z^2 yP */
  bn254_fp2_mul(&l0, &T->z, &zz);
  fp2_mul_fp(&l0, &l0, &m->py);
  fp12_mul_line(f, &l0, &l1, &l3);
}

/* T = T + (x2, y2) and f *= the line through them evaluated at P. With
 * H = x2 Z^2 - X, R = y2 Z^3 - Y and Z3 = Z H, the line scaled by Z3 is
 * Z3 yP - R xP w + (R x2 - Z3 y2) w^3. T is never +-(x2, y2) for a valid Q
 * except in the last step, where the line is vertical and Z3 = 0; the final
 * exponentiation removes that line's value, and T is not used after it. */
static void line_add(bn254_fp12 *f, miller_pair *m, const bn254_fp2 *x2, const bn254_fp2 *y2) {
  bn254_g2 *T = &m->t;
  bn254_fp2 zz, H, R, HH, HHH, V, t, l0, l1, l3;
  bn254_fp2_sqr(&zz, &T->z);
  bn254_fp2_mul(&H, x2, &zz);
  bn254_fp2_sub(&H, &H, &T->x);
  bn254_fp2_mul(&R, y2, &zz);
  bn254_fp2_mul(&R, &R, &T->z);
  bn254_fp2_sub(&R, &R, &T->y);
  bn254_fp2_sqr(&HH, &H);
  bn254_fp2_mul(&HHH, &H, &HH);
  bn254_fp2_mul(&V, &T->x, &HH);
  bn254_fp2_mul(&T->z, &T->z, &H);
  bn254_fp2_sqr(&t, &R);
  bn254_fp2_sub(&t, &t, &HHH);
  bn254_fp2_sub(&t, &t, &V);
  bn254_fp2_sub(&t, &t, &V);
  bn254_fp2_sub(&V, &V, &t);
  T->x = t;
  bn254_fp2_mul(&V, &R, &V);
  bn254_fp2_mul(&HHH, &T->y, &HHH);
  bn254_fp2_sub(&T->y, &V, &HHH);
  /* the line */
  fp2_mul_fp(&l0, &T->z, &m->py);
  fp2_mul_fp(&t, &R, &m->px);
  bn254_fp2_neg(&l1, &t);
  bn254_fp2_mul(&l3, &R, x2);
  bn254_fp2_mul(&t, &T->z, y2);
  bn254_fp2_sub(&l3, &l3, &t);
  fp12_mul_line(f, &l0, &l1, &l3);
}

void bn254_miller_loop(bn254_fp12 *f, const bn254_g1 *p, const bn254_g2 *q, size_t n) {
  bn254_fp12_one(f);
  if (n == 0) return;
  miller_pair m[8];
  bn254_fp2 nqy[8];
  /* Pairs go through in batches so each squaring of f serves several. */
  for (size_t base = 0; base < n; base += 8) {
    size_t k = 0;
    for (size_t i = base; i < n && i < base + 8; i++) {
      if (bn254_g1_is_inf(&p[i]) || bn254_g2_is_inf(&q[i])) continue;
      /* points from set_affine have Z = 1: no inversion needed */
      if (bn254_fp_eq(&p[i].z, &FP_ONE)) {
        m[k].px = p[i].x;
        m[k].py = p[i].y;
      } else {
        bn254_g1_to_affine(&m[k].px, &m[k].py, &p[i]);
      }
      if (bn254_fp_eq(&q[i].z.c0, &FP_ONE) && bn254_fp_is_zero(&q[i].z.c1)) {
        m[k].qx = q[i].x;
        m[k].qy = q[i].y;
      } else {
        bn254_g2_to_affine(&m[k].qx, &m[k].qy, &q[i]);
      }
      m[k].t.x = m[k].qx;
      m[k].t.y = m[k].qy;
      memset(&m[k].t.z, 0, sizeof m[k].t.z);
      m[k].t.z.c0 = FP_ONE;
      bn254_fp2_neg(&nqy[k], &m[k].qy);
      k++;
    }
    if (k == 0) continue;
    bn254_fp12 g;
    bn254_fp12_one(&g);
    for (size_t d = 1; d < sizeof ATE_NAF; d++) {
      if (d > 1) bn254_fp12_sqr(&g, &g);
      for (size_t j = 0; j < k; j++)
        line_dbl(&g, &m[j]);
      if (ATE_NAF[d] == 1) {
        for (size_t j = 0; j < k; j++)
          line_add(&g, &m[j], &m[j].qx, &m[j].qy);
      } else if (ATE_NAF[d] == -1) {
        for (size_t j = 0; j < k; j++)
          line_add(&g, &m[j], &m[j].qx, &nqy[j]);
      }
    }
    for (size_t j = 0; j < k; j++) {
      /* Q1 = pi(Q) = (conj(x) gamma1[2], conj(y) gamma1[3]);
       * -Q2 = -pi^2(Q) = (x gamma2[2], y), since gamma2[3] = -1. */
      bn254_fp2 x1, y1, x2;
      bn254_fp2_conj(&x1, &m[j].qx);
      bn254_fp2_mul(&x1, &x1, &GAMMA1[1]);
      bn254_fp2_conj(&y1, &m[j].qy);
      bn254_fp2_mul(&y1, &y1, &GAMMA1[2]);
      line_add(&g, &m[j], &x1, &y1);
      fp2_mul_fp(&x2, &m[j].qx, &GAMMA2[1]);
      line_add(&g, &m[j], &x2, &m[j].qy);
    }
    bn254_fp12_mul(f, f, &g);
  }
}

/* f^((p^6-1)(p^2+1)): afterwards f is in the cyclotomic subgroup, where the
 * inverse is the conjugate. */
static void final_exp_easy(bn254_fp12 *r, const bn254_fp12 *f) {
  bn254_fp12 t, c;
  bn254_fp12_inv(&t, f);
  bn254_fp12_conj(&c, f);
  bn254_fp12_mul(&c, &c, &t);
  bn254_fp12_frob2(&t, &c);
  bn254_fp12_mul(r, &t, &c);
}

/* (x + y t)^2 in Fp4 = Fp2[t]/(t^2 - xi): (x^2 + xi y^2) + 2xy t. */
static void fp4_sqr(bn254_fp2 *rx, bn254_fp2 *ry, const bn254_fp2 *x, const bn254_fp2 *y) {
  bn254_fp2 x2, y2, s;
  bn254_fp2_sqr(&x2, x);
  bn254_fp2_sqr(&y2, y);
  bn254_fp2_add(&s, x, y);
  bn254_fp2_sqr(&s, &s);
  bn254_fp2_sub(&s, &s, &x2);
  bn254_fp2_sub(ry, &s, &y2);
  bn254_fp2_mul_xi(&y2, &y2);
  bn254_fp2_add(rx, &x2, &y2);
}

/* Squaring in the cyclotomic subgroup (a^(p^6+1) = 1), after Granger and
 * Scott, "Faster squaring in the cyclotomic subgroup of sixth degree
 * extensions" (PKC 2010). With t = w^3 (t^2 = xi), a = A0 + A1 w + A2 w^2
 * over Fp4 = Fp2[t], A0 = c0 + c3 t, A1 = c1 + c4 t, A2 = c2 + c5 t (c_i the
 * coefficient of w^i), and conj(x + y t) = x - y t:
 * a^2 = (3 A0^2 - 2 conj(A0)) + (3 t A2^2 + 2 conj(A1)) w + (3 A1^2 - 2 conj(A2)) w^2. */
void bn254_fp12_cyclo_sqr(bn254_fp12 *r, const bn254_fp12 *a) {
  const bn254_fp2 *c0 = &a->c0.c0, *c1 = &a->c1.c0, *c2 = &a->c0.c1;
  const bn254_fp2 *c3 = &a->c1.c1, *c4 = &a->c0.c2, *c5 = &a->c1.c2;
  bn254_fp2 s0x, s0y, s1x, s1y, s2x, s2y, t, n0, n1, n2, n3, n4, n5;
  fp4_sqr(&s0x, &s0y, c0, c3);
  fp4_sqr(&s1x, &s1y, c1, c4);
  fp4_sqr(&s2x, &s2y, c2, c5);
  /* w^0 and w^3: 3 s0 - 2 conj(A0) */
  bn254_fp2_sub(&t, &s0x, c0);
  bn254_fp2_add(&t, &t, &t);
  bn254_fp2_add(&n0, &t, &s0x);
  bn254_fp2_add(&t, &s0y, c3);
  bn254_fp2_add(&t, &t, &t);
  bn254_fp2_add(&n3, &t, &s0y);
  /* w^1 and w^4: 3 t s2 + 2 conj(A1), with t (x + y t) = xi y + x t */
  bn254_fp2 ts2x;
  bn254_fp2_mul_xi(&ts2x, &s2y);
  bn254_fp2_add(&t, &ts2x, c1);
  bn254_fp2_add(&t, &t, &t);
  bn254_fp2_add(&n1, &t, &ts2x);
  bn254_fp2_sub(&t, &s2x, c4);
  bn254_fp2_add(&t, &t, &t);
  bn254_fp2_add(&n4, &t, &s2x);
  /* w^2 and w^5: 3 s1 - 2 conj(A2) */
  bn254_fp2_sub(&t, &s1x, c2);
  bn254_fp2_add(&t, &t, &t);
  bn254_fp2_add(&n2, &t, &s1x);
  bn254_fp2_add(&t, &s1y, c5);
  bn254_fp2_add(&t, &t, &t);
  bn254_fp2_add(&n5, &t, &s1y);
  r->c0.c0 = n0;
  r->c1.c0 = n1;
  r->c0.c1 = n2;
  r->c1.c1 = n3;
  r->c0.c2 = n4;
  r->c1.c2 = n5;
}

/* a^x for a in the cyclotomic subgroup. */
static void pow_x(bn254_fp12 *r, const bn254_fp12 *a) {
  bn254_fp12 acc = *a;
  for (int b = 61; b >= 0; b--) { /* x has 63 bits; the top one (62) is acc = a */
    bn254_fp12_cyclo_sqr(&acc, &acc);
    if ((BN_X >> b) & 1) bn254_fp12_mul(&acc, &acc, a);
  }
  *r = acc;
}

void bn254_final_exp(bn254_fp12 *r, const bn254_fp12 *f) {
  bn254_fp12 m, a, b, c, t, y0, y1, y2, y3, y4, y5, y6, T0, T1;
  final_exp_easy(&m, f);
  pow_x(&a, &m); /* m^x */
  pow_x(&b, &a); /* m^(x^2) */
  pow_x(&c, &b); /* m^(x^3) */
  /* y0 = m^p m^(p^2) m^(p^3) */
  bn254_fp12_frob(&t, &m);
  bn254_fp12_frob2(&y0, &m);
  bn254_fp12_mul(&y0, &y0, &t);
  bn254_fp12_frob2(&t, &t);
  bn254_fp12_mul(&y0, &y0, &t);
  bn254_fp12_conj(&y1, &m);  /* m^-1 */
  bn254_fp12_frob2(&y2, &b); /* m^(x^2 p^2) */
  bn254_fp12_frob(&y3, &a);  /* m^(-x p) */
  bn254_fp12_conj(&y3, &y3);
  bn254_fp12_frob(&t, &b); /* m^(-x - x^2 p) */
  bn254_fp12_mul(&y4, &a, &t);
  bn254_fp12_conj(&y4, &y4);
  bn254_fp12_conj(&y5, &b); /* m^(-x^2) */
  bn254_fp12_frob(&t, &c);  /* m^(-x^3 - x^3 p) */
  bn254_fp12_mul(&y6, &c, &t);
  bn254_fp12_conj(&y6, &y6);
  /* T0 = y6^2 y4 y5; T1 = y3 y5 T0; T0 = T0 y2; T1 = (T1^2 T0)^2;
   * T0 = T1 y1; T1 = T1 y0; T0 = T0^2 T1. */
  bn254_fp12_sqr(&T0, &y6);
  bn254_fp12_mul(&T0, &T0, &y4);
  bn254_fp12_mul(&T0, &T0, &y5);
  bn254_fp12_mul(&T1, &y3, &y5);
  bn254_fp12_mul(&T1, &T1, &T0);
  bn254_fp12_mul(&T0, &T0, &y2);
  bn254_fp12_sqr(&T1, &T1);
  bn254_fp12_mul(&T1, &T1, &T0);
  bn254_fp12_sqr(&T1, &T1);
  bn254_fp12_mul(&T0, &T1, &y1);
  bn254_fp12_mul(&T1, &T1, &y0);
  bn254_fp12_sqr(&T0, &T0);
  bn254_fp12_mul(r, &T0, &T1);
}

void bn254_final_exp_slow(bn254_fp12 *r, const bn254_fp12 *f) {
  bn254_fp12 m;
  final_exp_easy(&m, f);
  bn254_fp12_pow(r, &m, HARD_EXP, 12);
}

void bn254_pairing(bn254_fp12 *r, const bn254_g1 *p, const bn254_g2 *q) {
  bn254_fp12 f;
  bn254_miller_loop(&f, p, q, 1);
  bn254_final_exp(r, &f);
}
