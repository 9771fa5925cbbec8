/* keccak_air: an AIR for the Keccak-f[1600] permutation, 24 rows per
 * permutation (one per round), in the column design of Plonky3's keccak-air.
 *
 * Each row holds one round. Lanes enter and leave a row as 16-bit limbs (a
 * 64-bit lane does not fit BabyBear); the steps that need bitwise logic keep
 * their values as single bits, and every limb is tied to bits, so limbs are
 * range-checked by construction. With A the round input (lanes (x, y), bit z):
 *   C[x]      = xor_y A[x, y]                                   (theta, bits)
 *   C'[x, z]  = C[x, z] ^ C[x-1, z] ^ C[x+1, z-1]               (bits)
 *   A'[x, y]  = A[x, y] ^ C[x-1] ^ rot(C[x+1], 1)
 *             = A[x, y] ^ C[x] ^ C'[x]                          (bits)
 *   B         = pi(rho(A'))                   (no columns: a renaming of A')
 *   A''[x, y] = B[x, y] ^ (~B[x+1, y] & B[x+2, y])              (chi, limbs)
 *   A'''      = A'' except A'''[0, 0] = A''[0, 0] ^ RC[round]    (iota)
 * C is never computed from A directly: the AIR asks that A' xor C xor C'
 * recomposes A and that the parity of each column of A' equals C'; together
 * with C' = C ^ D(C) that forces C to be the column parity of A.
 *
 * Columns (KECCAK_AIR_WIDTH = 2633), lanes indexed x + 5y as in hash/keccak.h:
 *   FLAGS[24]        one-hot round number (1 at the round this row computes)
 *   EXPORT           1 on the last round of a permutation whose output is
 *                    used (real input), 0 on padding and on other rounds
 *   PREIMAGE[25][4]  the permutation's input, repeated on its 24 rows
 *   A[25][4]         round input, 16-bit limbs, little-endian
 *   C[5][64]         C bits;  CP[5][64]: C' bits
 *   AP[25][64]       A' bits
 *   APP[25][4]       A'' limbs
 *   APP00_BITS[64]   bits of A''[0, 0] (iota needs them)
 *   APPP00[4]        A'''[0, 0] limbs: the round output's lane 0
 * The round output is APPP00 for lane 0 and APP for the other lanes
 * (keccak_air_output_col).
 *
 * Constraints (3182), in evaluation order, with their counts and degrees (a
 * selector counts as 1; "carry" = is_transition * (1 - FLAGS[23]): the next
 * row continues this permutation):
 *     24  row 0: FLAGS = round 0 (first-row selector)                   deg 2
 *     24  next FLAGS[(r+1) mod 24] = FLAGS[r] (transitions)             deg 2
 *    100  FLAGS[0] * (PREIMAGE - A)                                     deg 2
 *    100  carry * (next PREIMAGE - PREIMAGE)                            deg 3
 *      2  EXPORT is a bit; (1 - FLAGS[23]) * EXPORT                     deg 2
 *    320  C bits are booleans                                           deg 2
 *    320  C' = C ^ C[x-1] ^ C[x+1] rotated by 1                         deg 3
 *   1600  A' bits are booleans                                          deg 2
 *    100  A limbs = recomposed bits of A' ^ C ^ C'                      deg 3
 *    320  d (d - 2) (d - 4) with d = sum_y A'[x, y, z] - C'[x, z]        deg 3
 *    100  A'' limbs = recomposed chi bits of B                          deg 3
 *     64  APP00_BITS are booleans                                       deg 2
 *      4  A''[0, 0] limbs = recomposed APP00_BITS                       deg 1
 *      4  APPP00 limbs = recomposed APP00_BITS ^ RC[round], the round
 *         constant's bits selected by the flags                         deg 2
 *    100  carry * (next A - this round's output)                        deg 3
 * So the flags are one-hot and row i computes round i mod 24; each limb is
 * tied to 16 boolean bits, which range-checks it.
 * max_degree is 3, so the quotient has 2 chunks: any log_blowup >= 1 works
 * (blowup 2 or 4). No public values.
 *
 * At a permutation boundary (a row of round 23 followed by a row of round 0)
 * nothing ties the two rows: the next row's PREIMAGE is a new input and its A
 * is forced equal to it. The output of a permutation is not bound to anything
 * in this AIR: as in Plonky3, a consumer (a lookup or a multiset argument
 * over rows with EXPORT = 1) would read it, and PREIMAGE is carried to the
 * round-23 row so that one row holds both the input and the output. EXPORT
 * itself is free on round-23 rows. The trace's last row is not tied to
 * row 0 (no wrap-around), so the trace may end inside a permutation.
 *
 * Padding: the trace has max(2, next power of two of 24 n_perms) rows; the
 * rows after the inputs hold permutations of the all-zero state (the last one
 * possibly cut short), with EXPORT = 0, and satisfy every constraint.
 *
 * Status codes are stark/air.h's: 0, STARK_ERR_ARG, STARK_ERR_NOMEM.
 */
#ifndef PKB_TRACE_KECCAK_AIR_H
#define PKB_TRACE_KECCAK_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"
#include "stark/air.h"

#define KECCAK_AIR_ROWS_PER_PERM 24
#define KECCAK_AIR_LIMBS 4       /* 16-bit limbs per lane */
#define KECCAK_AIR_LIMB_BITS 16

/* Column offsets of each group (see the layout above). Limb columns of lane
 * (x, y): base + 4 (x + 5y) + limb; bit columns of lane (x, y): base +
 * 64 (x + 5y) + z; C and CP: base + 64 x + z. */
enum {
  KECCAK_AIR_FLAGS = 0,
  KECCAK_AIR_EXPORT = KECCAK_AIR_FLAGS + KECCAK_AIR_ROWS_PER_PERM,
  KECCAK_AIR_PREIMAGE = KECCAK_AIR_EXPORT + 1,
  KECCAK_AIR_A = KECCAK_AIR_PREIMAGE + 25 * KECCAK_AIR_LIMBS,
  KECCAK_AIR_C = KECCAK_AIR_A + 25 * KECCAK_AIR_LIMBS,
  KECCAK_AIR_CP = KECCAK_AIR_C + 5 * 64,
  KECCAK_AIR_AP = KECCAK_AIR_CP + 5 * 64,
  KECCAK_AIR_APP = KECCAK_AIR_AP + 25 * 64,
  KECCAK_AIR_APP00_BITS = KECCAK_AIR_APP + 25 * KECCAK_AIR_LIMBS,
  KECCAK_AIR_APPP00 = KECCAK_AIR_APP00_BITS + 64,
  KECCAK_AIR_WIDTH = KECCAK_AIR_APPP00 + KECCAK_AIR_LIMBS
};

/* Column of limb `limb` (0..3, little-endian) of lane (x, y) of the round
 * output (A'''); x, y < 5. */
static inline unsigned keccak_air_output_col(unsigned x, unsigned y, unsigned limb) {
  unsigned lane = x + 5 * y;
  return lane == 0 ? KECCAK_AIR_APPP00 + limb : KECCAK_AIR_APP + KECCAK_AIR_LIMBS * lane + limb;
}

/* The AIR (static, valid for the life of the process; eval_base provided). */
const stark_air *keccak_air(void);

/* KECCAK_AIR_WIDTH. */
unsigned keccak_air_width(void);

/* Rows of the padded trace for n_perms permutations: the next power of two of
 * 24 n_perms, at least 2; 0 when that exceeds 2^STARK_MAX_LOG_ROWS. */
size_t keccak_air_rows(size_t n_perms);

/* Fill trace (rows x KECCAK_AIR_WIDTH, row-major, every cell written) with
 * the permutations of inputs[0..n_perms) (lanes x + 5y) followed by zero-state
 * padding permutations. rows must be a power of two >= 2 and
 * >= 24 n_perms; inputs may be NULL only when n_perms is 0. Permutation k
 * occupies rows 24k .. 24k+23; its output is on row 24k+23 at
 * keccak_air_output_col. The permutations are filled on every online core
 * (stark_par_for); the result does not depend on it. Returns 0 or STARK_ERR_ARG. */
int keccak_air_fill(const uint64_t (*inputs)[25], size_t n_perms, bb_t *trace, size_t rows);

/* Allocate and fill the trace for n_perms permutations: *trace (malloc'd,
 * caller frees) holds 2^(*log_n) = keccak_air_rows(n_perms) rows. On error
 * *trace is NULL. Returns 0, STARK_ERR_ARG (bad pointers, too many
 * permutations) or STARK_ERR_NOMEM. */
int keccak_air_trace(const uint64_t (*inputs)[25], size_t n_perms, bb_t **trace, unsigned *log_n);

#endif
