/* bb: the BabyBear prime field, p = 2^31 - 2^27 + 1 = 0x78000001.
 *
 * Every field element handled by the prover (trace cells, NTT data, Poseidon2
 * state, FRI values) is a bb_t. The arithmetic sits on the hottest paths of the
 * prover (NTT butterflies, hashing, constraint evaluation), so the basic
 * operations are static inline here; only batch inversion lives in bb.c.
 *
 * Representation: Montgomery form with R = 2^32, as Plonky3's MontyField31.
 *   A bb_t holding value x (0 <= x < p) stores the 32-bit word x*R mod p, which
 *   is always reduced to [0, p). Consequences every user must respect:
 *   - the stored word is NOT the value: convert with bb_from_u32 / bb_to_u32
 *     (or bb_from_u64) whenever a number enters or leaves the field (constants,
 *     serialisation, hashing to bytes, printing);
 *   - the representation is unique, so two bb_t are equal exactly when their
 *     words are equal (== works; bb_eq is provided for clarity);
 *   - zero is the word 0 (memset to 0 gives zeros); one is BB_ONE, not 1.
 *   Every function below takes reduced words and returns reduced words; passing
 *   a word >= p (other than through bb_from_u32/bb_from_u64) is a contract
 *   violation that is not checked (results are then unspecified).
 *
 * Field facts (single source for the whole project):
 *   p - 1 = 2^27 * 3 * 5, so the two-adicity is 27.
 *   Multiplicative generator: 31 (Plonky3's BabyBear GENERATOR / MONTY_GEN).
 *   Two-adic generator of order 2^27: 0x1a427a41 (Plonky3's
 *   TWO_ADIC_GENERATORS[27]); the generator of order 2^k is its 2^(27-k)-th
 *   power, the same sequence Plonky3's two_adic_generator(k) returns, so
 *   evaluation domains match Plonky3's.
 */
#ifndef PKB_FIELD_BB_H
#define PKB_FIELD_BB_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t bb_t;

#define BB_P 0x78000001u          /* the modulus */
#define BB_MONTY_MU 0x88000001u   /* p^-1 mod 2^32 */
#define BB_MONTY_R2 0x45dddde3u   /* R^2 mod p, R = 2^32 (moves a value into Montgomery form) */
#define BB_ZERO 0u                /* Montgomery form of 0 */
#define BB_ONE 0x0ffffffeu        /* Montgomery form of 1 (= R mod p) */
#define BB_TWO_ADICITY 27
#define BB_GENERATOR_U32 31u      /* multiplicative generator, canonical */
#define BB_TWO_ADIC_ROOT_U32 0x1a427a41u /* element of order 2^27, canonical */

/* Montgomery reduction of x < p * 2^32: returns x * R^-1 mod p in [0, p). */
static inline bb_t bb_monty_reduce(uint64_t x) {
  uint32_t m = (uint32_t)x * BB_MONTY_MU;
  uint64_t mp = (uint64_t)m * BB_P;
  /* x and m*p agree on the low 32 bits, so the difference is exact in the high word. */
  uint32_t hi = (uint32_t)(x >> 32), mphi = (uint32_t)(mp >> 32);
  uint32_t r = hi - mphi;
  return hi < mphi ? r + BB_P : r;
}

static inline bb_t bb_add(bb_t a, bb_t b) {
  uint32_t s = a + b; /* < 2p < 2^32 */
  return s >= BB_P ? s - BB_P : s;
}

static inline bb_t bb_sub(bb_t a, bb_t b) {
  uint32_t d = a - b;
  return a < b ? d + BB_P : d;
}

static inline bb_t bb_neg(bb_t a) { return a ? BB_P - a : 0; }

static inline bb_t bb_double(bb_t a) { return bb_add(a, a); }

static inline bb_t bb_mul(bb_t a, bb_t b) { return bb_monty_reduce((uint64_t)a * b); }

static inline bb_t bb_square(bb_t a) { return bb_mul(a, a); }

static inline int bb_eq(bb_t a, bb_t b) { return a == b; }

static inline int bb_is_zero(bb_t a) { return a == 0; }

/* Any 32-bit integer x (reduced mod p first) into the field. */
static inline bb_t bb_from_u32(uint32_t x) {
  /* x * R^2 < 2^32 * p for every 32-bit x, so one reduction gives x*R mod p. */
  return bb_mul(x, BB_MONTY_R2);
}

/* Any 64-bit integer x, reduced mod p. */
static inline bb_t bb_from_u64(uint64_t x) { return bb_from_u32((uint32_t)(x % BB_P)); }

/* Any signed 64-bit integer x, reduced mod p (negative x gives p - (|x| mod p)). */
static inline bb_t bb_from_i64(int64_t x) {
  uint64_t m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
  bb_t r = bb_from_u64(m);
  return x < 0 ? bb_neg(r) : r;
}

/* Canonical value in [0, p) of a. */
static inline uint32_t bb_to_u32(bb_t a) { return bb_monty_reduce(a); }

/* a^e; bb_pow(0, 0) = 1. */
static inline bb_t bb_pow(bb_t a, uint64_t e) {
  bb_t r = BB_ONE;
  while (e) {
    if (e & 1) r = bb_mul(r, a);
    a = bb_mul(a, a);
    e >>= 1;
  }
  return r;
}

/* a^-1 for a != 0; bb_inv(0) = 0 (callers that may see 0 must check). */
static inline bb_t bb_inv(bb_t a) { return bb_pow(a, BB_P - 2); }

/* Multiplicative generator g = 31 (the LDE coset shift). */
static inline bb_t bb_generator(void) { return bb_from_u32(BB_GENERATOR_U32); }

/* Generator of the subgroup of order 2^log_n, 0 <= log_n <= 27; the same element
 * as Plonky3's two_adic_generator(log_n). log_n > 27 is a contract violation
 * (asserted; returns 0 in release builds). */
static inline bb_t bb_two_adic_generator(unsigned log_n) {
  /* Canonical values; entry k has order 2^k and entry k squared is entry k-1.
   * Entry 27 is 0x1a427a41, the rest are its repeated squares (checked by tests). */
  static const uint32_t gens[BB_TWO_ADICITY + 1] = {
      0x1,        0x78000000, 0x67055c21, 0x5ee99486, 0xbb4c4e4,  0x2d4cc4da, 0x669d6090,
      0x17b56c64, 0x67456167, 0x688442f9, 0x145e952d, 0x4fe61226, 0x4c734715, 0x11c33e2a,
      0x62c3d2b1, 0x77cad399, 0x54c131f4, 0x4cabd6a6, 0x5cf5713f, 0x3e9430e8, 0xba067a3,
      0x18adc27d, 0x21fd55bc, 0x4b859b3d, 0x3bd57996, 0x4483d85a, 0x3a26eef8, BB_TWO_ADIC_ROOT_U32};
  assert(log_n <= BB_TWO_ADICITY);
  if (log_n > BB_TWO_ADICITY) return 0;
  return bb_from_u32(gens[log_n]);
}

/* out[i] = in[i]^-1 for every i (Montgomery's trick, one field inversion per
 * block of elements); zero maps to zero. out and in may be the same array (exact
 * aliasing) or disjoint; partial overlap is not allowed. n may be 0. */
void bb_batch_inv(bb_t *out, const bb_t *in, size_t n);

#endif
