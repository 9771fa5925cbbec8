/* stark/air: the seam between a constraint system (an AIR) and the prover.
 *
 * An AIR is a table of `width` base-field columns and a list of polynomial
 * constraints over two consecutive rows (local, next), the public values and
 * three row selectors. It is a struct of sizes and callbacks, like Plonky3's
 * Air trait; the prover knows nothing else about it.
 *
 * Folding. A callback evaluates every constraint c_0, ..., c_{m-1} in a fixed
 * order and hands each to stark_assert_zero_*(), which folds them with powers of
 * a random alpha into one value
 *     acc = sum_i alpha^(m-1-i) c_i        (= Horner: acc = acc*alpha + c_i),
 * where m = num_constraints. The count is checked (a callback that asserts more
 * or fewer constraints than declared is an error, STARK_ERR_AIR).
 *
 * Two evaluation domains, one constraint system. The verifier evaluates the
 * constraints at a random out-of-domain point, where every value is in the
 * extension field; the prover evaluates them at every point of the quotient
 * domain, where every trace value and selector is in the base field and only
 * alpha is in the extension. So an AIR provides
 *   - eval_ext  (required): all values ext_t; the single source of truth, used
 *     by the verifier and, when eval_base is NULL, by the prover (base values
 *     lifted with ext_from_base; correct, about 4-10x slower);
 *   - eval_base (optional, a fast path): the same constraints over bb_t values,
 *     folding into an ext_t accumulator with precomputed powers of alpha. It must
 *     compute exactly the same constraints in the same order as eval_ext; the
 *     example AIRs' tests check that both agree on random rows.
 * Selectors. On the trace domain H = <g> of size n:
 *     is_first_row = 1 on row 0, is_last_row = 1 on row n-1, 0 elsewhere;
 *     is_transition = 0 on row n-1, non-zero elsewhere.
 * Off H they are the unnormalised Lagrange-style polynomials (as Plonky3):
 *     is_first_row = Z_H(x)/(x-1), is_last_row = Z_H(x)/(x-g^-1),
 *     is_transition = x - g^-1,    Z_H(x) = x^n - 1,
 * each of degree 1 in the sense of `max_degree` below. A constraint must be
 * multiplied by the selector it needs; "next" on the last row wraps to row 0.
 *
 * Degree. max_degree bounds the total degree of every constraint in the trace
 * columns, counting a selector factor as degree 1 (Fibonacci's
 * is_transition*(next.a - local.b) has degree 2). It fixes the number of
 * quotient chunks 2^ceil(log2(max(max_degree-1, 1))), which must not exceed the
 * LDE blowup. Declaring it too low makes honest proofs fail to verify.
 *
 * Public values are base-field elements, bound into the transcript.
 */
#ifndef PKB_STARK_AIR_H
#define PKB_STARK_AIR_H

#include <stddef.h>

#include "field/bb.h"
#include "field/ext.h"

/* Status codes of the stark module (0 is success). */
enum {
  STARK_OK = 0,
  STARK_ERR_ARG = -1,        /* bad sizes or parameters */
  STARK_ERR_NOMEM = -2,
  STARK_ERR_AIR = -3,        /* the AIR breaks its own declaration (constraint count, degree) */
  STARK_ERR_CONSTRAINT = -4, /* the trace violates a constraint (prover check) */
  STARK_ERR_FORMAT = -5,     /* proof bytes malformed (deserialisation) */
  STARK_ERR_VERIFY = -6,     /* the proof does not verify */
  STARK_ERR_INTERNAL = -7    /* a lower module failed (NTT, Merkle, FRI) */
};

/* Extension-field evaluation frame. The callback reads local, next, pub and the
 * selectors and calls stark_assert_zero_ext; the remaining fields belong to the
 * folder. */
typedef struct {
  const ext_t *local; /* width values of the current row */
  const ext_t *next;  /* width values of the next row */
  const bb_t *pub;    /* num_public values */
  ext_t is_first_row, is_last_row, is_transition;
  /* folder state */
  ext_t alpha;
  ext_t acc;
  unsigned count;     /* constraints folded so far */
  int first_nonzero;  /* index of the first non-zero constraint, -1 if none */
} stark_eval_ext;

/* Base-field evaluation frame (prover fast path and trace checking). */
typedef struct {
  const bb_t *local;
  const bb_t *next;
  const bb_t *pub;
  bb_t is_first_row, is_last_row, is_transition;
  /* folder state */
  const ext_t *alpha_pows; /* alpha_pows[i] = alpha^(m-1-i), m entries; NULL: do not fold */
  ext_t acc;
  unsigned count;
  unsigned max;            /* m; constraints past it are counted but not folded */
  int first_nonzero;       /* index of the first non-zero constraint, -1 if none */
} stark_eval_base;

typedef struct stark_air stark_air;

struct stark_air {
  const char *name;        /* for messages and the transcript label; may be NULL */
  unsigned width;          /* trace columns, >= 1 */
  unsigned num_public;     /* public values */
  unsigned num_constraints;/* m: constraints each eval call folds */
  unsigned max_degree;     /* >= 1, see above */
  void (*eval_ext)(const stark_air *air, stark_eval_ext *e);    /* required */
  void (*eval_base)(const stark_air *air, stark_eval_base *e);  /* optional */
  const void *ctx;         /* AIR parameters for the callbacks; not owned */
};

static inline void stark_assert_zero_ext(stark_eval_ext *e, ext_t c) {
  if (!ext_is_zero(c) && e->first_nonzero < 0) e->first_nonzero = (int)e->count;
  e->acc = ext_add(ext_mul(e->acc, e->alpha), c);
  e->count++;
}

static inline void stark_assert_zero_base(stark_eval_base *e, bb_t c) {
  if (c != 0 && e->first_nonzero < 0) e->first_nonzero = (int)e->count;
  if (e->alpha_pows && e->count < e->max) {
    const ext_t *a = &e->alpha_pows[e->count];
    for (int k = 0; k < EXT_DEGREE; k++) e->acc.v[k] = bb_add(e->acc.v[k], bb_mul(a->v[k], c));
  }
  e->count++;
}

/* ---- lookup interactions (LogUp bus) ----
 *
 * A table takes part in a bus argument by a list of interactions, given to
 * the prover and the verifier beside the AIR (stark.h: stark_lookup). An
 * interaction, on every row r of the trace, puts the tuple
 * (field_0(r), ..., field_{f-1}(r)) on bus `bus` with multiplicity m(r): with
 * sign +1 when it sends, -1 when it receives. Each field and the
 * multiplicity is a linear combination of the row's own columns plus a
 * constant (no "next" row; being linear, they let several interactions share
 * one aux column within the AIR's degree budget: stark.h, batching rule).
 *
 * With two extension challenges (beta, gamma) the tuple's fingerprint is
 *     fp(r) = bus + sum_{j<f} gamma^(j+1) field_j(r),
 * and the table's cumulative sum is
 *     sum_r sum_i sign_i m_i(r) / (beta - fp_i(r)),
 * which the proof exposes. If the tuples sent on every bus, over every table
 * and shard that used the same challenges, are the tuples received with the
 * same multiplicities (as multisets), the cumulative sums add to zero; if not,
 * they add to zero with probability at most about (rows x interactions) /
 * p^4 over the choice of (beta, gamma) (Schwartz-Zippel on the rational
 * function). Multiplicities are field elements: a table that must not
 * receive a tuple "negatively" constrains its multiplicity column itself. */

/* coeff * column, coeff canonical (< p). */
typedef struct {
  unsigned col;   /* < air->width */
  uint32_t coeff;
} stark_lc_term;

/* sum of terms + constant (canonical). */
typedef struct {
  const stark_lc_term *terms; /* num_terms entries; may be NULL when num_terms is 0 */
  unsigned num_terms;
  uint32_t constant;
} stark_lc;

enum { STARK_SEND = 1, STARK_RECEIVE = -1 };

#define STARK_MAX_INTERACTIONS 64 /* per AIR */
#define STARK_MAX_LOOKUP_FIELDS 48 /* per interaction: a storage slot's state is 44 */
#define STARK_MAX_LC_TERMS 256     /* per linear combination */

typedef struct {
  uint32_t bus;            /* canonical, the fingerprint's constant term */
  int direction;           /* STARK_SEND or STARK_RECEIVE */
  stark_lc multiplicity;
  const stark_lc *fields;  /* num_fields entries, 1 <= num_fields <= STARK_MAX_LOOKUP_FIELDS */
  unsigned num_fields;
} stark_interaction;

/* Number of quotient chunks an AIR needs: 2^ceil(log2(max(max_degree-1, 1))). */
unsigned stark_air_quotient_chunks(const stark_air *air);

/* Check a trace (row-major, n rows of air->width) against every constraint on
 * the trace domain, with normalised 0/1 selectors. n a power of two >= 2.
 * Returns 0 when every constraint holds; STARK_ERR_CONSTRAINT (and *bad_row,
 * *bad_constraint, when non-NULL) for the first violation; STARK_ERR_AIR when the
 * callback folds a number of constraints other than num_constraints;
 * STARK_ERR_ARG for bad sizes. Uses eval_base when present, else eval_ext. */
int stark_air_check(const stark_air *air, const bb_t *trace, size_t n, const bb_t *pub,
                    size_t *bad_row, int *bad_constraint);

/* The same checks on rows lo <= i < hi only (row i's next row is i + 1 mod
 * n); *bad_row is the first offending row in the range, also for
 * STARK_ERR_AIR. STARK_ERR_ARG also for lo > hi or hi > n. */
int stark_air_check_rows(const stark_air *air, const bb_t *trace, size_t n, const bb_t *pub, size_t lo,
                         size_t hi, size_t *bad_row, int *bad_constraint);

/* stark_air_check on `threads` worker threads (0: every online core, 1:
 * none), rows split into contiguous ranges: the same code, row and
 * constraint as stark_air_check (the first offending row of the trace).
 * Declared here, defined with the prover's thread pool (stark.c). */
int stark_air_check_threads(const stark_air *air, const bb_t *trace, size_t n, const bb_t *pub, int threads,
                            size_t *bad_row, int *bad_constraint);

/* ---- example AIRs shipped with the module ---- */

/* Fibonacci: columns (a, b); public values (a0, b0, result):
 *   row 0:        a = a0, b = b0
 *   transitions:  next.a = b, next.b = a + b
 *   last row:     b = result
 * so with n rows, result = F(n) in the sequence a0, b0, a0+b0, ... (mod p). */
extern const stark_air stark_air_fib;
#define STARK_FIB_WIDTH 2
#define STARK_FIB_PUBLIC 3
/* Fill a Fibonacci trace of n rows (row-major, 2n values) from a0, b0 (canonical
 * integers); writes the result's canonical value to *result. */
void stark_fib_trace(bb_t *trace, size_t n, uint32_t a0, uint32_t b0, uint32_t *result);

/* 256-bit add with carry over 16 limbs of 16 bits, one addition per row.
 * Columns: a[16], b[16], c[16], carry[16] (carry[i] is the carry out of limb i);
 * no public values. Constraints, for every row and limb i:
 *   carry[i] * (carry[i] - 1) = 0
 *   a[i] + b[i] + carry[i-1] - c[i] - 2^16 carry[i] = 0   (carry[-1] = 0)
 * so c = a + b mod 2^256 and carry[15] is the overflow bit, PROVIDED every limb
 * is below 2^16. The limb range is NOT enforced (no range-check lookup): a
 * prover could use out-of-range limbs and wrap modulo p. The AIR is a faithful
 * workload for the 256-bit arithmetic chip, not a sound 256-bit adder. */
extern const stark_air stark_air_add256;
#define STARK_ADD256_LIMBS 16
#define STARK_ADD256_WIDTH (4 * STARK_ADD256_LIMBS)
/* Fill one row from a and b given as 16 little-endian 16-bit limbs. */
void stark_add256_row(bb_t *row, const uint16_t a[16], const uint16_t b[16]);

#endif
