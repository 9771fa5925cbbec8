/* fp381_air: an AIR for multiplication in the BLS12-381 base field, one row
 * per product r = a * b mod p (p the 381-bit prime of EIP-2537), the work of
 * the BLS12-381 precompiles and the KZG point evaluation as the bls12 table
 * proves it (trace.h).
 *
 * A row proves the integer identity
 *     a * b = q * p + r,    r + d = p - 1                               (1)
 * for 384-bit a, b, q, r, d, which makes r = a * b mod p with r < p (d >= 0
 * is r's distance below p). The words are stored as bits (each column a
 * boolean) and read as 48 little-endian byte limbs; with x_k the byte limbs,
 * column k (0..94) of the schoolbook product is
 *     sum_{i+j=k} (a_i b_j - q_i p_j) - r_k + c_{k-1} - 256 c_k = 0
 * (r_k = 0 for k >= 48, c_{-1} = c_94 = 0), and the second identity, limb by
 * limb,
 *     r_k + d_k + s_{k-1} - (p - 1)_k - 256 s_k = 0   (k < 48)
 * with s_{-1} = s_47 = 0 and s_k a bit. Bounds: a column holds at most 48
 * products of two bytes each side, |sum| <= 48 * 255^2 < 2^22, so every
 * carry c_k lies in (-2^14, 2^14) and is stored as c_k + 2^14 in
 * FP381_AIR_CARRY_BITS bits; every column equation stays below 2^24 in
 * magnitude, far from p_BabyBear / 2, so an equation that holds in the field
 * holds over the integers and (1) holds exactly. Bytes and not 16-bit limbs
 * because 48 products of 16-bit limbs would pass the field's modulus.
 *
 * Constraints (FP381_AIR_CONSTRAINTS = 3521), in evaluation order:
 *   3378  every column is a boolean (REAL included)                   deg 2
 *     95  the product columns k = 0..94, times REAL                    deg 3
 *     48  the subtraction r + d = p - 1, times REAL                    deg 2
 * A padding row is all zero (REAL 0), which satisfies every constraint.
 *
 * What is not constrained here: that a and b are below p (the products of a
 * call take canonical operands: the witness reports them so), and which
 * products a call made: the rows are the call's products as the collector
 * replays them, not linked to the call's input or output by a lookup.
 */
#ifndef PKB_TRACE_FP381_AIR_H
#define PKB_TRACE_FP381_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"
#include "stark/air.h"

#define FP381_AIR_BYTES 48u       /* byte limbs of a word */
#define FP381_AIR_WORD_BITS 384u
#define FP381_AIR_CARRIES 94u     /* c_0 .. c_93 */
#define FP381_AIR_CARRY_BITS 15u  /* c_k + 2^14 < 2^15 */
#define FP381_AIR_CARRY_OFFSET 16384u

/* Column layout: bit t of byte k of a word at word + 8 k + t. */
enum {
  FP381_AIR_A = 0,
  FP381_AIR_B = FP381_AIR_A + 384,
  FP381_AIR_Q = FP381_AIR_B + 384,
  FP381_AIR_R = FP381_AIR_Q + 384,
  FP381_AIR_D = FP381_AIR_R + 384,
  FP381_AIR_C = FP381_AIR_D + 384,                  /* carry k at C + 15 k */
  FP381_AIR_S = FP381_AIR_C + 94 * 15,              /* s_0 .. s_46 */
  FP381_AIR_REAL = FP381_AIR_S + 47,
  FP381_AIR_WIDTH = FP381_AIR_REAL + 1              /* 3378 */
};

#define FP381_AIR_CONSTRAINTS (FP381_AIR_WIDTH + 95 + 48)

/* The AIR (static, valid for the life of the process; eval_base provided). */
const stark_air *fp381_air(void);

/* p as 48 big-endian bytes (the AIR's constant). */
void fp381_air_modulus(uint8_t p[48]);

/* Write the row (FP381_AIR_WIDTH cells, every one written) of the product
 * r = a * b mod p, a, b and r 48-byte big-endian integers. Returns 0, or
 * STARK_ERR_ARG (row untouched) when r is not a * b mod p, r >= p, or
 * a * b / p does not fit 384 bits. */
int fp381_air_fill_row(bb_t *row, const uint8_t a[48], const uint8_t b[48], const uint8_t r[48]);

#endif
