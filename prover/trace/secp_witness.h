/* secp_witness: secp256k1 public-key recovery recomputed with 256-bit modular
 * arithmetic, every modular multiplication reported, so that a recovery's
 * work can be proven as MULMOD rows of the arith AIR (arith_air.h).
 *
 * What it computes is libsecp256k1's secp256k1_ecdsa_recover on a compact
 * signature (r, s, recid) and a 32-byte message hash, and it accepts exactly
 * what that accepts:
 *   - r and s in [1, n-1] (n the group order); a high s is accepted;
 *   - recid 0..3: bit 0 is the parity of R's y, bit 1 says R's x is r + n
 *     (only when r + n < p, the field prime);
 *   - R = (x, y) on the curve y^2 = x^3 + 7 (x^3 + 7 a square mod p);
 *   - Q = u1 G + u2 R not the point at infinity, with z = hash mod n,
 *     u1 = -z r^-1 and u2 = s r^-1 mod n.
 * The result is Q's 64 bytes x || y (big-endian each), the uncompressed
 * serialisation without its 0x04 prefix (keccak256 of it ends in the
 * signer's address).
 *
 * How (the order of the reported multiplications):
 *   1. R: x^2, x^3 mod p, then y = (x^3 + 7)^((p+1)/4) and the check y^2 =
 *      x^3 + 7 (p = 3 mod 4, so that power is the square root when there is
 *      one); y is negated (p - y, not a multiplication) to the wanted parity.
 *   2. r^-1 = r^(n-2) mod n (Fermat), then z r^-1 as hash * r^-1 mod n (the
 *      unreduced hash: the same residue) and s r^-1; u1 = n - z r^-1 (or 0).
 *   3. Q by one joint double-and-add over the bits of u1 and u2, most
 *      significant first (Shamir's trick: the doublings are shared): per bit
 *      one doubling of the Jacobian accumulator, then a mixed addition of the
 *      affine G when u1's bit is set, then of the affine R when u2's is. The
 *      accumulator starts at infinity: doubling it and the first addition
 *      into it are free, so the work starts at the top set bit.
 *   4. Q to affine: Z^-1 = Z^(p-2) mod p, then Z^-2, X Z^-2, Z^-3, Y Z^-3.
 * Exponentiations use a fixed 4-bit window, most significant digit first:
 * the 14 products a^2 .. a^15, then per lower digit four squarings and one
 * multiplication by the table entry when the digit is not zero (the top
 * digit only loads its entry). Additions and subtractions mod p or n are
 * not reported (they are not multiplications).
 *
 * Multiplications per recovery (the count on_mulmod sees):
 *   SECP_WITNESS_MULS_SQRT  = 14 + 4 * 63 + 62 = 328  ((p+1)/4: 64 digits,
 *                             62 of the 63 lower ones non-zero)
 *   SECP_WITNESS_MULS_INV_N = 14 + 4 * 63 + 61 = 327  (n - 2: 61 non-zero)
 *   SECP_WITNESS_MULS_INV_P = 14 + 4 * 63 + 63 = 329  (p - 2: 63 non-zero)
 *   doubling (a = 0: X^2, Y^2, Y^4, X Y^2, (3X^2)^2, E (D - X3), Y Z)  7
 *   mixed addition (Z^2, x2 Z^2, Z^3, y2 Z^3, H^2, H^3, X H^2, R^2,
 *                   R (V - X3), Y H^3, Z H)                            11
 * so with L = max(bit length of u1, bit length of u2) (u2 != 0, so L >= 1)
 * and w = popcount(u1) + popcount(u2):
 *   valid recovery:  (3 + MULS_SQRT) + (MULS_INV_N + 2)
 *                    + 7 (L - 1) + 11 (w - 1) + (MULS_INV_P + 4)
 *                  = SECP_WITNESS_MULS_FIXED + 7 (L - 1) + 11 (w - 1)
 * with SECP_WITNESS_MULS_FIXED = 331 + 329 + 333 = 993; about 993 + 7 * 255
 * + 11 * 255 = 5583 for random scalars (L = 256, w about 256), 4 arith
 * rows each: about 22,300 rows per recovery. This holds unless an addition
 * meets its own operand or its negation (the accumulator equals +-G or +-R
 * before that addition: not for random inputs, but a signature can be
 * crafted so): such an addition stops after its first four products and
 * becomes a doubling (7 more) or the point at infinity (none more;
 * doublings and the next addition are then free again), and a Q at infinity
 * ends the recovery without step 4. A rejected input reports what was done before the
 * rejection: nothing when recid, r or s is out of range, and 3 + MULS_SQRT
 * when x^3 + 7 is not a square.
 *
 * Cost: about 5,600 Montgomery products (trace/ecw.h; each reported to
 * on_mulmod in canonical form) per recovery, about 0.16 ms without a
 * callback on the development host; nothing is allocated. Thread-safe (no
 * state).
 */
#ifndef PKB_TRACE_SECP_WITNESS_H
#define PKB_TRACE_SECP_WITNESS_H

#include <stdint.h>

enum {
  SECP_WITNESS_OK = 0,
  SECP_WITNESS_E_ARG = -1,     /* a NULL input or output, recid outside 0..3 */
  SECP_WITNESS_E_INVALID = -2  /* not recoverable (libsecp256k1 returns 0) */
};

#define SECP_WITNESS_MULS_SQRT 328u
#define SECP_WITNESS_MULS_INV_N 327u
#define SECP_WITNESS_MULS_INV_P 329u
#define SECP_WITNESS_MULS_DBL 7u
#define SECP_WITNESS_MULS_ADD 11u
#define SECP_WITNESS_MULS_FIXED \
  (3u + SECP_WITNESS_MULS_SQRT + SECP_WITNESS_MULS_INV_N + 2u + SECP_WITNESS_MULS_INV_P + 4u)

/* One modular multiplication a * b mod m: a, b, m as 32-byte big-endian
 * words (the arith AIR's operand layout: MULMOD with A = a, B = b, C = m),
 * m the field prime p or the group order n, a and b below 2^256 (a may be
 * the unreduced hash; every other operand is reduced). The pointers are
 * valid only during the call. */
typedef void (*secp_witness_mulmod_fn)(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32]);

/* Recover the public key of (hash, recid, r, s), all big-endian, as above.
 * on_mulmod (may be NULL) is called once per modular multiplication, in
 * order, with ctx. pub (64 bytes, x || y) is written only on success. muls
 * (may be NULL) receives the number of multiplications done, on success and
 * on SECP_WITNESS_E_INVALID alike. Returns SECP_WITNESS_OK,
 * SECP_WITNESS_E_INVALID or SECP_WITNESS_E_ARG (then nothing is reported and
 * *muls is 0). No pointer argument may alias pub. */
int secp_witness_recover(const uint8_t hash[32], int recid, const uint8_t r[32], const uint8_t s[32],
                         secp_witness_mulmod_fn on_mulmod, void *ctx, uint8_t pub[64], uint64_t *muls);

#endif
