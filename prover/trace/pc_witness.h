/* pc_witness: the work of the costly arithmetic precompiles as a sequence of
 * modular multiplications a * b mod m over 256-bit words, so that a call can
 * be proven as MULMOD rows of the arith AIR (arith_air.h), as secp_witness
 * does for ECRECOVER. Covered: ECADD (0x06), ECMUL (0x07), ECPAIRING (0x08),
 * P256VERIFY (0x100) and MODEXP (0x05) with a modulus below 2^256; MODEXP
 * with a wider modulus as limb steps of a schoolbook product instead
 * (pcw_run_wide), each proven as four rows of the same AIR.
 *
 * Each reported product is (a, b, m, r) with r = a * b mod m, all 32-byte
 * big-endian words; every operand is reduced (a, b < m) except where a
 * section below says otherwise, and r < m always.
 *
 * bn254 (ECADD, ECMUL, ECPAIRING). The call runs through the precompile
 * itself (evm_pc_run) with the bn254 multiplication observer of this thread
 * set (bn254_set_mul_observer), so the reported products are the executor's
 * Fp multiplications and squarings one for one, in its order: their number is
 * exactly the delta of bn254_fp_mul_count, validation included, and equals the
 * field_muls the precompile reports. m = p of alt_bn128; operands and product
 * are canonical (out of Montgomery form). An Fp2 product is three of them, an
 * Fp2 squaring two. The count depends on the input (scalar bits, infinity
 * points, pairs); see bn254.c for the algorithms.
 *
 * P256VERIFY (EIP-7951), recomputed here with u256 arithmetic (the precompile
 * uses OpenSSL, which cannot be observed); the verdict is the precompile's.
 * Input rules, in this order: length exactly 160 (hash, r, s, qx, qy), r and s
 * in [1, n-1], qx and qy in [0, p-1] (no products so far), then the key on
 * y^2 = x^3 - 3x + b (products qy^2, qx^2, qx^3; -3x is additions; (0, 0) is
 * off the curve). Then:
 *   s^-1 = s^(n-2) mod n with the fixed 4-bit window of secp_witness.h
 *     (P256_WITNESS_MULS_INV_N = 14 + 4 * 63 + 55 = 321 products);
 *   u1 = h s^-1, u2 = r s^-1 mod n (h reduced by one subtraction of n first,
 *     so both operands are below n): 2 products;
 *   R' = u1 G + u2 Q by the joint double-and-add of secp_witness.h (per bit
 *     of max(bitlen u1, bitlen u2), most significant first: one doubling,
 *     then a mixed addition of G if u1's bit is set, then of Q if u2's is; the
 *     doubling of infinity and the first addition are free). The doubling for
 *     a = -3 takes 8 products (Z^2, (X - Z^2)(X + Z^2), Y^2, X Y^2, M^2, Y^4,
 *     M (S - X3), Y Z), the mixed addition 11 (as secp_witness);
 *   R' at infinity: invalid. Otherwise x(R') mod n == r is checked without an
 *     inversion: Z^2, then r Z^2 == X mod p, and when that fails and
 *     r + n < p, (r + n) Z^2 == X: 2 or 3 products.
 * So with L = max(bitlen u1, bitlen u2) (u2 != 0) and w = popcount(u1) +
 * popcount(u2), a call that reaches R' makes
 *   P256_WITNESS_MULS_FIXED + 8 (L - 1) + 11 (w - 1) [+ 1]
 * products, P256_WITNESS_MULS_FIXED = 3 + 321 + 2 + 2 = 328, the [+ 1] when
 * r Z^2 != X and r < p - n (about 2^-129 of r values); about 328 + 8 * 255 +
 * 11 * 255 = 5173 for random scalars. Exceptions as in secp_witness.h: an
 * addition meeting its own operand or its negation stops after its first
 * four products and becomes a doubling (8 more) or infinity (none more). An
 * input rejected by a range rule reports nothing; a key off the curve
 * reports 3; an R' at infinity reports what the double-and-add did.
 *
 * MODEXP (EIP-198; Osaka's EIP-7823 bounds). The lengths are read and
 * checked as the precompile does (Osaka: a length over 1024 fails the call
 * with no products; mod_len 0 answers the empty output; lengths past the
 * precompile's own limit are PCW_E_UNSUPPORTED). A modulus whose value needs
 * more than 32 bytes (leading zero bytes of a longer mod_len do not count) is
 * PCW_E_UNSUPPORTED here: pcw_run_wide covers it (below). Output: mod_len bytes,
 * big-endian, as the precompile's. With m the modulus, e the exponent, b the
 * base:
 *   m = 0 or 1, or e = 0: no products (the result is 0, 0, or 1 mod m);
 *   base reduction, only products where an operand may be >= m: the base is
 *     cut into 32-byte chunks from its least significant end; the top chunk
 *     c is taken as is when c < m, else as c * 1 mod m (1 product); when
 *     there are lower chunks, 2^256 mod m is formed as (2^256 - m) * 1 mod m
 *     (1 product) and each lower chunk costs acc * (2^256 mod m) (1 product)
 *     plus c * 1 mod m when c >= m (1 product), then an addition mod m. A
 *     base below m costs nothing;
 *   left-to-right binary square-and-multiply (no window) over e's bits from
 *     its top set bit: per lower bit one squaring, and one product by b when
 *     the bit is set: (bitlen(e) - 1) + (popcount(e) - 1) products.
 * So a 32-byte base below m with a 256-bit exponent of weight w takes
 * 255 + (w - 1) products (about 382 for a random exponent).
 *
 * Wide MODEXP (pcw_run_wide): a modulus whose value needs more than 32
 * bytes. Its work is reported as limb steps rather than products: with
 * numbers split into K = ceil(bytes of m / 32) limbs of 256 bits (limb 0
 * least significant), a step is one multiply-accumulate of the schoolbook
 *     a * b + t + c = c' * 2^256 + t'                                  (2)
 * (a, b, t, c reported; c' and t' follow from them and are the prover's to
 * derive). mul(X, Y, T) below is the operand-scanning product into the limb
 * array T, which holds an addend on entry:
 *     for i < limbs(X): c = 0; for j < limbs(Y): step (x_i, y_j, T[i+j], c)
 *       leaves T[i+j] = t', c = c'; then T[i + limbs(Y)] = c (no step; that
 *       limb is still zero there);
 * Each modular product r = x * y mod m (x, y < m, K limbs each) is checked,
 * not divided, with q = floor(x y / m) and r as hints (q < m: K limbs):
 *     mul(x, y, T1 = 0) (K^2 steps), mul(q, m, T2 = r) (K^2 steps), and
 *     r < m as K steps (d_i, 1, r_i, c) with d = m - 1 - r, which leave
 *     the limbs of m - 1 and no carry;
 * so 2 K^2 + K steps (T1 == T2 is what the steps' results say; the steps
 * are not tied to one another: each proves its own identity (2)). With b
 * the base (leading zero bytes skipped) and e the exponent:
 *   e = 0: no steps (the result is 1, as m > 1);
 *   base reduction: none when b < m; else with q = floor(b / m) of
 *     Kq = ceil(bytes of b / 32) - K + 1 limbs and r = b mod m:
 *     mul(q, m, T = r) and r < m, Kq K + K steps;
 *   left-to-right binary square-and-multiply over e's bits below its top
 *     set bit, as for a small modulus: (bitlen(e) - 1) + (popcount(e) - 1)
 *     modular products of 2 K^2 + K steps each.
 * So a 1024-byte modulus (K = 32) costs 2,080 steps a modular product.
 * Lengths, the Osaka bound and the output are as for a small modulus.
 *
 * Costs: a bn254 call runs the precompile (plus, with a callback, three
 * conversions out of Montgomery form per product); P256VERIFY about 5,200
 * Montgomery products (three more conversions each with a callback), the
 * count-only path included, since the exceptional additions above can only
 * be found by doing them; MODEXP two Montgomery products per product (odd m;
 * u256_mulmod for even m), and with neither a callback nor an output wanted,
 * no arithmetic at all (the count follows from the bits of e and the base
 * chunks). Nothing is allocated except the output (and the precompile's own
 * buffers for bn254). Thread-safe: no shared state (the bn254 observer is
 * per thread and restored before returning).
 */
#ifndef PKB_TRACE_PC_WITNESS_H
#define PKB_TRACE_PC_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "evm/precompiles/precompile.h"

enum {
  PCW_OK = 0,              /* the call succeeds; output as the precompile's (may be empty) */
  PCW_FAIL = 1,            /* the call fails (the precompile's EVM_PC_FAIL) */
  PCW_E_ARG = -1,          /* in NULL with len > 0, fork out of range, out without out_len */
  PCW_E_UNSUPPORTED = -2,  /* not a covered precompile in this fork, or not witnessed here */
  PCW_E_NOMEM = -3
};

/* Precompile addresses covered (the low 16 bits of the 20-byte address). */
#define PCW_ADDR_MODEXP 0x05u
#define PCW_ADDR_ECADD 0x06u
#define PCW_ADDR_ECMUL 0x07u
#define PCW_ADDR_ECPAIRING 0x08u
#define PCW_ADDR_P256VERIFY 0x100u

/* The PCW_ADDR_* that pcw_run (and pcw_run_wide) take for precompile id:
 * MODEXP, ECADD, ECMUL, ECPAIRING, P256VERIFY; 0 for any other. */
uint16_t pcw_address(evm_pc_id id);

/* BLS12-381 (pcw_run_bls12): the KZG point evaluation and the EIP-2537
 * precompiles, 0x0b (G1ADD) .. 0x11 (MAP_FP2_TO_G2). */
#define PCW_ADDR_POINT_EVAL 0x0au
#define PCW_ADDR_BLS12_FIRST 0x0bu
#define PCW_ADDR_BLS12_LAST 0x11u

#define P256_WITNESS_MULS_ON_CURVE 3u
#define P256_WITNESS_MULS_INV_N 321u
#define P256_WITNESS_MULS_DBL 8u
#define P256_WITNESS_MULS_ADD 11u
#define P256_WITNESS_MULS_FIXED (P256_WITNESS_MULS_ON_CURVE + P256_WITNESS_MULS_INV_N + 2u + 2u)

/* One product: r = a * b mod m, 32-byte big-endian words, valid only during
 * the call. The callback must not call pcw_run or bn254 on this thread. */
typedef void (*pcw_mulmod_fn)(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32],
                              const uint8_t r[32]);

/* Run the precompile at address (see PCW_ADDR_*) in fork on in[0..len) and
 * report its modular multiplications, in order, to fn (may be NULL: count
 * only) with ctx. count_out (may be NULL) receives the number of products, on
 * PCW_OK and PCW_FAIL alike (what was done before a failure), 0 otherwise.
 * out and out_len (both NULL, or both set) receive the output as evm_pc_run
 * gives it: malloc'd, owned by the caller, NULL when *out_len is 0; set on
 * PCW_OK only (else *out = NULL, *out_len = 0). in may be NULL when len is 0
 * and must not alias *out. */
int pcw_run(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, pcw_mulmod_fn fn, void *ctx,
            uint64_t *count_out, uint8_t **out, size_t *out_len);

/* One limb step of a wide MODEXP: a * b + t + c = c' * 2^256 + t', 32-byte
 * big-endian words valid only during the call. */
typedef void (*pcw_step_fn)(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t t[32],
                            const uint8_t c[32]);

/* MODEXP (address PCW_ADDR_MODEXP) in fork on in[0..len) whose modulus value
 * needs more than 32 bytes, the complement of pcw_run's MODEXP: its limb
 * steps (see "Wide MODEXP" above), in order, to fn (may be NULL: count only,
 * with no arithmetic) with ctx. count_out, out, out_len and the statuses as
 * pcw_run's (a call Osaka's bound fails: PCW_FAIL, no steps);
 * PCW_E_UNSUPPORTED for another address, a modulus that fits 32 bytes (or
 * mod_len 0), or lengths past the precompile's own limit. Allocates the
 * limb arrays (a few times the modulus). Thread-safe. */
int pcw_run_wide(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, pcw_step_fn fn, void *ctx,
                 uint64_t *count_out, uint8_t **out, size_t *out_len);

/* One product of the BLS12-381 base field: r = a * b mod p (p of
 * EIP-2537), 48-byte big-endian canonical integers, valid only during the
 * call. The callback must not call pcw_run_bls12 or bls12 on this thread. */
typedef void (*pcw_fp381_fn)(void *ctx, const uint8_t a[48], const uint8_t b[48], const uint8_t r[48]);

/* Run the precompile at address (PCW_ADDR_POINT_EVAL or PCW_ADDR_BLS12_FIRST
 * .. PCW_ADDR_BLS12_LAST) in fork on in[0..len) and report its base-field
 * multiplications, in order, to fn (may be NULL: count only) with ctx: the
 * call runs through the precompile itself (evm_pc_run) with the bls12
 * multiplication observer of this thread set (bls12_set_mul_observer), so
 * the products are the executor's Fp multiplications and squarings one for
 * one, checks of the input included, and their number is the field_muls
 * the precompile reports. Results, statuses and ownership as pcw_run's;
 * PCW_E_UNSUPPORTED for another address or a fork without the precompile.
 * Thread-safe as pcw_run (the observer is restored before returning). */
int pcw_run_bls12(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, pcw_fp381_fn fn, void *ctx,
                  uint64_t *count_out, uint8_t **out, size_t *out_len);

#endif
