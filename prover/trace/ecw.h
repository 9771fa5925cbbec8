/* ecw: the modular arithmetic and short-Weierstrass curve steps shared by the
 * witnesses that report every modular multiplication of a computation
 * (secp_witness.h for secp256k1, pc_witness.h for P-256 and MODEXP), so that
 * each algorithm exists once and both report the same way.
 *
 * Values and forms. A modulus is an ecw_mod (m > 1). For an odd m a value
 * may be kept in Montgomery form, x R mod m with R = 2^256; "canonical" is
 * the plain value x. Every value handed in or out is reduced (below m)
 * unless a function says otherwise. ecw_mul takes and gives Montgomery
 * forms; ecw_mul_plain takes and gives canonical values. Either way what is
 * reported is the canonical product (a, b, m, a b mod m), the MULMOD the
 * arith AIR proves: the form changes how a product is formed, not which.
 *
 * Reporting. An ecw_sink counts every reported product and, when its fn is
 * set, calls it once per product, in order, with 32-byte big-endian words
 * valid only during the call (r is NULL unless want_r). Conversions into and
 * out of Montgomery form, additions and subtractions are never reported.
 *
 * Curves. y^2 = x^3 + a x + b with a = 0 (secp256k1) or a = -3 (P-256) over
 * the field of an odd prime p, points in Jacobian coordinates (X : Y : Z) =
 * (X / Z^2, Y / Z^3) in Montgomery form, inf marking the point at infinity.
 * The groups used have odd prime order, so no point met has Y = 0. The
 * product sequences (secp_witness.h and pc_witness.h are the contracts):
 *   doubling, a = 0:  X^2, Y^2, Y^4 (as Y^2 Y^2), X Y^2, M^2, M (S - X3),
 *                     Y Z (7), with M = 3 X^2;
 *   doubling, a = -3: Z^2, (X - Z^2)(X + Z^2), Y^2, X Y^2, M^2, Y^4,
 *                     M (S - X3), Y Z (8), with M = 3 (X - Z^2)(X + Z^2);
 *     both with S = 4 X Y^2, X3 = M^2 - 2S, Y3 = M (S - X3) - 8 Y^4,
 *     Z3 = 2 Y Z; doubling infinity is free;
 *   mixed addition of affine (x2, y2): Z^2, x2 Z^2, Z Z^2, y2 Z^3 (U2 and
 *     S2), then with H = U2 - X and R = S2 - Y: H^2, H H^2, X H^2, R^2,
 *     R (X H^2 - X3), Y H^3, Z H (11), X3 = R^2 - H^3 - 2 X H^2, Y3 =
 *     R (X H^2 - X3) - Y H^3, Z3 = Z H. Into infinity it is free (the
 *     affine point is loaded with Z = 1). H = 0 after the first four: R = 0
 *     means the same point (a doubling follows), else its negation
 *     (infinity, nothing more);
 *   joint double-and-add u1 P1 + u2 P2: per bit of the scalars, most
 *     significant first, one doubling, then the addition of P1 when u1's bit
 *     is set, then of P2 when u2's is, from infinity (so the work starts at
 *     the top set bit);
 *   fixed 4-bit window power a^e: the table a^2 .. a^15 (a a, then a^(k-1)
 *     a: 14 products), the top non-zero hex digit of e loaded, then per lower
 *     digit four squarings and one product by the digit's entry when it is
 *     not zero; e = 0 gives 1 with no product.
 *
 * Cost: a Montgomery product is one CIOS pass over four 64-bit limbs; a
 * reported one adds up to three conversions out of Montgomery form (half a
 * product each: one per distinct operand, one for r with want_r) and the
 * byte conversions. Nothing is allocated; no state outside
 * the arguments (thread-safe as long as a sink is not shared).
 */
#ifndef PKB_TRACE_ECW_H
#define PKB_TRACE_ECW_H

#include <stdint.h>

#include "evm/u256.h"

/* A modulus m > 1, with what Montgomery products need when m is odd. */
typedef struct {
  u256 m;
  u256 r2;       /* 2^512 mod m (odd m; 0 for even m) */
  u256 one;      /* 2^256 mod m: 1 in Montgomery form (odd m; 0 for even m) */
  uint64_t minv; /* -m^-1 mod 2^64 (odd m; 0 for even m) */
  int odd;
  uint8_t mb[32]; /* m big-endian, as reported */
} ecw_mod;

/* One reported product r = a * b mod m (r NULL unless the sink's want_r). */
typedef void (*ecw_report_fn)(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32],
                              const uint8_t *r);

typedef struct {
  ecw_report_fn fn; /* NULL: count only */
  void *ctx;
  int want_r;     /* compute and pass r (costs one conversion per product) */
  uint64_t count; /* products reported so far */
} ecw_sink;

/* md for the modulus m, m > 1 (any parity). */
void ecw_mod_init(ecw_mod *md, const u256 *m);

/* r = a b R^-1 mod m for odd m, with a b < R m (a < 2^256 and b < m will
 * do); r < m. Not reported. r may alias a or b. */
void ecw_mont(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md);
/* Into (a < 2^256, any) and out of (a < m) Montgomery form, odd m. Not
 * reported. r may alias a. */
void ecw_to_mont(u256 *r, const u256 *a, const ecw_mod *md);
void ecw_from_mont(u256 *r, const u256 *a, const ecw_mod *md);

/* r = a + b, a - b mod m for a, b < m (either form, both the same). r may
 * alias a or b. */
void ecw_add(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md);
void ecw_sub(u256 *r, const u256 *a, const u256 *b, const ecw_mod *md);

/* r = a * b mod m on canonical values, reported as (a, b, m, r): any m > 1,
 * b < m, a < 2^256 (a may be unreduced; it is reported as given). r may
 * alias a or b. */
void ecw_mul_plain(ecw_sink *s, u256 *r, const u256 *a, const u256 *b, const ecw_mod *md);
/* r = a * b in Montgomery form, odd m, a, b < m, reported as the canonical
 * (a, b, m, a b mod m). r may alias a or b. */
void ecw_mul(ecw_sink *s, u256 *r, const u256 *a, const u256 *b, const ecw_mod *md);
/* r = a^e in Montgomery form (a < m, odd m) by the fixed 4-bit window
 * above: 14 + 4 (d - 1) + (non-zero digits below the top) products for an
 * e of d hex digits. r may alias a. */
void ecw_pow(ecw_sink *s, u256 *r, const u256 *a, const u256 *e, const ecw_mod *md);

/* A curve y^2 = x^3 + a x + b over the odd prime p; b is not needed by the
 * steps here (the callers check their points). */
typedef enum { ECW_A_ZERO, ECW_A_MINUS3 } ecw_a;

typedef struct {
  ecw_mod p;
  ecw_a a;
} ecw_curve;

typedef struct {
  u256 x, y, z;
  int inf;
} ecw_jac;

/* j = 2 j (sequence above). */
void ecw_dbl(ecw_sink *s, const ecw_curve *c, ecw_jac *j);
/* j = j + (x2, y2), an affine point on the curve in Montgomery form. x2, y2
 * must not point into j. */
void ecw_madd(ecw_sink *s, const ecw_curve *c, ecw_jac *j, const u256 *x2, const u256 *y2);
/* q = u1 (x1, y1) + u2 (x2, y2): canonical scalars (any 256-bit values),
 * affine points on the curve in Montgomery form. No pointer may point into
 * q. */
void ecw_joint_mul(ecw_sink *s, const ecw_curve *c, ecw_jac *q, const u256 *u1, const u256 *x1, const u256 *y1,
                   const u256 *u2, const u256 *x2, const u256 *y2);

#endif
