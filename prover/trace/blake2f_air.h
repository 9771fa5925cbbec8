/* blake2f_air: an AIR for the BLAKE2b compression function F of RFC 7693
 * with a caller-chosen number of rounds, as the BLAKE2F precompile (0x09,
 * EIP-152) computes it: inputs rounds (32 bits, 0 allowed), h[8], m[16],
 * t[2], the final flag f; output h'. Gas is one per round, so the table has
 * one row per round plus an init row and a finalisation row per call:
 *     rows of a call = rounds + 2        (INIT, ROUND x rounds, FINAL)
 *
 * Each row holds a working state V (the 16 words v[0..15], as bits) and
 * computes one full round of it (the 8 G applications, column step then
 * diagonal step) in its work columns. Every row does so, whatever its kind:
 * the round constraints are not gated by a selector, which keeps their
 * degree at 3; an INIT or FINAL row's round is computed and discarded, and a
 * padding row computes the round of the all-zero state with a zero message,
 * which is zero. With (a, b, c, d) a G's words and x, y its message words:
 *   a1 = a + b + x      A1 bits, carries K1 in {0, 1, 2}
 *   d1 = rotr(d ^ a1, 32)                     (no columns: bits of degree 2)
 *   c1 = c + d1         C1 bits, carries K2 in {0, 1}
 *   b1 = rotr(b ^ c1, 24)                     (no columns: bits of degree 2)
 *   a2 = a1 + b1 + y    A2 bits, carries K3 in {0, 1, 2}
 *   d2 = rotr(d1 ^ a2, 16)  D2 bits           (a three-way xor, degree 3)
 *   c2 = c1 + d2        C2 bits, carries K4 in {0, 1}
 *   b2 = rotr(b1 ^ c2, 63)  B2 bits           (a three-way xor, degree 3)
 * Words enter additions as four 16-bit little-endian limbs, each the
 * recomposition of 16 boolean columns, so every limb is range-checked by
 * construction. An addition of limbs is checked limb by limb,
 *   u_k + w_k (+ x_k) + K_{k-1} = s_k + 2^16 K_k        (K_{-1} = 0),
 * and its integer bounds are: the left side is at most 3 (2^16 - 1) + 2 =
 * 196607 < 2^18, the right side at most 2^16 - 1 + 2 * 2^16, both far below
 * p = 2^31 - 2^27 + 1, so the field identity is an integer identity; with
 * s_k < 2^16 and K_k in {0, 1, 2} (three terms) or {0, 1} (two terms) it
 * fixes s = u + w (+ x) mod 2^64 (K_3, the carry out of the word, is
 * dropped). The diagonal step reads the column step's outputs (A2, B2, C2,
 * D2 columns) and its own outputs are the round's output state.
 *
 * Message schedule: R[10] is one-hot (round index mod 10) on every row of a
 * call: R[0] on INIT, kept from INIT to the next row, rotated by one
 * (R[s] -> R[s+1 mod 10]) from each ROUND row to the next. G i's message
 * limbs are x_k = sum_s R[s] * M[SIGMA[s][2i]]_k and y_k = sum_s R[s] *
 * M[SIGMA[s][2i+1]]_k (degree 2, SIGMA of RFC 7693); on padding rows R is
 * zero, so x = y = 0.
 *
 * Columns (BLAKE2F_AIR_WIDTH = 5816); a word's bits are little-endian, word
 * w of a group at base + 64 w:
 *   INIT, ROUND, FINAL  row kind (all zero: padding row)
 *   R[10]               one-hot round index mod 10 (zero on padding)
 *   CNT                 rounds done before this row (0 on INIT)
 *   ROUNDS              the call's round count, a field element
 *   F                   the final flag (a bit)
 *   T[2][4]             t0, t1 as 16-bit limbs
 *   OUT[8][4]           h ^ v[i] ^ v[i+8] as 16-bit limbs, from this row's
 *                       H and V: on a FINAL row, the call's output h'
 *   H[8][64]            h, bits
 *   M[16][64]           m, bits
 *   V[16][64]           the working state at the start of this row, bits
 *   G[8] work groups of BLAKE2F_AIR_G_WIDTH = 400: A1, C1, A2, D2, C2, B2
 *                       (64 bits each), then K1[4], K2[4], K3[4], K4[4]
 *                       (G 0..3: column step on (0,4,8,12), (1,5,9,13),
 *                       (2,6,10,14), (3,7,11,15); G 4..7: diagonal step on
 *                       (0,5,10,15), (1,6,11,12), (2,7,8,13), (3,4,9,14))
 *
 * Constraints (7390), in evaluation order, with counts and degrees (a
 * selector counts 1; "cont" = INIT + ROUND: the next row continues the
 * call; "pad" = 1 - INIT - ROUND - FINAL; "n." a next-row column):
 *      4  INIT, ROUND, FINAL and their sum are booleans               deg 2
 *      1  first row: ROUND + FINAL = 0 (a call starts with INIT)      deg 2
 *      2  cont (1 - n.ROUND - n.FINAL) = 0;
 *         (1 - cont)(n.ROUND + n.FINAL) = 0                           deg 2
 *     30  INIT: R = (1, 0, ..., 0); cont n.R[s] = INIT R[s] +
 *         ROUND R[s-1 mod 10]; pad R[s] = 0                           deg 2
 *      4  INIT CNT = 0; cont (n.CNT - CNT - ROUND) = 0;
 *         FINAL (CNT - ROUNDS) = 0; pad CNT = 0                       deg 2
 *   5633  F, H, M, V and the work bits (A1 .. B2) are booleans        deg 2
 *    128  carries: K1, K3 in {0, 1, 2} (deg 3); K2, K4 in {0, 1}      deg 2
 *    106  cont (n.X - X) for X = ROUNDS, F, T limbs, H limbs, M limbs deg 2
 *    170  pad X = 0 for ROUNDS, F, T limbs, H, M and V limbs          deg 2
 *     64  INIT: V[0..7] = h (32 limbs); V[8..11], V[15] = IV (20 limbs);
 *         t_j = V[12 + j] ^ IV[4 + j] (8 limbs);
 *         V[14] = IV[6] ^ (f ? 2^64 - 1 : 0) (4 limbs)                deg 2
 *   1152  per G (144 each): the a1, c1, a2 additions (4 limbs each),
 *         D2 bits, the c2 addition, B2 bits, in that order         deg 2, 3
 *     64  cont n.V = INIT V + ROUND (this row's round output), as
 *         limbs of the 16 words                                       deg 2
 *     32  OUT limbs = recomposed bits of H ^ V[i] ^ V[i+8]            deg 3
 * max_degree is 3: 2 quotient chunks, blowup 2 or 4. No public values.
 * V is tied to the next row through limbs: both sides are recompositions of
 * boolean columns below 2^16, so equal limbs mean equal bits.
 *
 * Soundness of the sequence. Row 0 is INIT or padding; INIT and ROUND rows
 * are followed by ROUND or FINAL rows, FINAL and padding rows by INIT or
 * padding rows. So the trace is a run of calls INIT ROUND* FINAL, each
 * followed by padding or the next call, and no call wraps from the last row
 * to row 0 (the last row can not be INIT or ROUND, as row 0 is neither ROUND
 * nor FINAL). Within a call every input column is constant, CNT counts the
 * ROUND rows and the FINAL row's CNT equals ROUNDS. CNT is below the row
 * count (< 2^26 < p) as an integer, so ROUNDS, as a field element, is the
 * true round count.
 *
 * What is bound and what is not. The AIR proves, for each call, that OUT on
 * its FINAL row is F(h, m, t, f, rounds) for the H, M, T, F, ROUNDS on that
 * row. Nothing ties a call to the EVM: a consumer (a lookup or multiset
 * argument over the FINAL rows, selected by the FINAL column) reads the call
 * there, where every input and the output sit on one row: ROUNDS, H and M
 * (bits; a limb is the recomposition), T and OUT limbs, F. A consumer that
 * holds rounds as a 32-bit integer r must compare r with ROUNDS as field
 * elements, which is exact for r < p: every call that fits in a block does
 * (its gas is r). INIT and ROUND rows hold the same inputs and are not meant
 * to be read. Every cell of every row is fixed by the inputs of its call
 * (padding rows: zero); the tests check that a change to any one cell breaks
 * a constraint.
 *
 * Padding: the trace has max(2, next power of two of sum (rounds + 2)) rows;
 * the rows after the calls are all zero and satisfy every constraint.
 *
 * Status codes are stark/air.h's: 0, STARK_ERR_ARG, STARK_ERR_NOMEM.
 */
#ifndef PKB_TRACE_BLAKE2F_AIR_H
#define PKB_TRACE_BLAKE2F_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"
#include "stark/air.h"

#define BLAKE2F_AIR_LIMBS 4      /* 16-bit limbs per 64-bit word */
#define BLAKE2F_AIR_LIMB_BITS 16
#define BLAKE2F_AIR_SIGMA_ROWS 10 /* the message schedule repeats every 10 rounds */
#define BLAKE2F_AIR_ROWS_PER_ROUND 1
#define BLAKE2F_AIR_ROWS_PER_CALL_EXTRA 2 /* INIT and FINAL */

/* One call of the compression function, as the precompile reads it. */
typedef struct {
  uint32_t rounds;
  uint64_t h[8];
  uint64_t m[16];
  uint64_t t[2];
  uint8_t f; /* 0 or 1 */
} blake2f_air_call;

/* Offsets inside one G work group. */
enum {
  BLAKE2F_AIR_G_A1 = 0,
  BLAKE2F_AIR_G_C1 = BLAKE2F_AIR_G_A1 + 64,
  BLAKE2F_AIR_G_A2 = BLAKE2F_AIR_G_C1 + 64,
  BLAKE2F_AIR_G_D2 = BLAKE2F_AIR_G_A2 + 64,
  BLAKE2F_AIR_G_C2 = BLAKE2F_AIR_G_D2 + 64,
  BLAKE2F_AIR_G_B2 = BLAKE2F_AIR_G_C2 + 64,
  BLAKE2F_AIR_G_K1 = BLAKE2F_AIR_G_B2 + 64,
  BLAKE2F_AIR_G_K2 = BLAKE2F_AIR_G_K1 + BLAKE2F_AIR_LIMBS,
  BLAKE2F_AIR_G_K3 = BLAKE2F_AIR_G_K2 + BLAKE2F_AIR_LIMBS,
  BLAKE2F_AIR_G_K4 = BLAKE2F_AIR_G_K3 + BLAKE2F_AIR_LIMBS,
  BLAKE2F_AIR_G_WIDTH = BLAKE2F_AIR_G_K4 + BLAKE2F_AIR_LIMBS
};

/* Column offsets of each group (see the layout above). */
enum {
  BLAKE2F_AIR_INIT = 0,
  BLAKE2F_AIR_ROUND = 1,
  BLAKE2F_AIR_FINAL = 2,
  BLAKE2F_AIR_R = 3,
  BLAKE2F_AIR_CNT = BLAKE2F_AIR_R + BLAKE2F_AIR_SIGMA_ROWS,
  BLAKE2F_AIR_ROUNDS = BLAKE2F_AIR_CNT + 1,
  BLAKE2F_AIR_F = BLAKE2F_AIR_ROUNDS + 1,
  BLAKE2F_AIR_T = BLAKE2F_AIR_F + 1,
  BLAKE2F_AIR_OUT = BLAKE2F_AIR_T + 2 * BLAKE2F_AIR_LIMBS,
  BLAKE2F_AIR_H = BLAKE2F_AIR_OUT + 8 * BLAKE2F_AIR_LIMBS,
  BLAKE2F_AIR_M = BLAKE2F_AIR_H + 8 * 64,
  BLAKE2F_AIR_V = BLAKE2F_AIR_M + 16 * 64,
  BLAKE2F_AIR_G = BLAKE2F_AIR_V + 16 * 64,
  BLAKE2F_AIR_WIDTH = BLAKE2F_AIR_G + 8 * BLAKE2F_AIR_G_WIDTH
};

/* Column of limb `limb` (0..3, little-endian) of output word `word` (0..7):
 * the call's h'[word] on its FINAL row. */
static inline unsigned blake2f_air_output_col(unsigned word, unsigned limb) {
  return BLAKE2F_AIR_OUT + BLAKE2F_AIR_LIMBS * word + limb;
}

/* Columns of the inputs on a call's rows: bit `bit` of h[word] (word < 8) and
 * of m[word] (word < 16); limb `limb` of t[j] (j < 2). ROUNDS and F are the
 * single columns BLAKE2F_AIR_ROUNDS and BLAKE2F_AIR_F. */
static inline unsigned blake2f_air_h_bit_col(unsigned word, unsigned bit) {
  return BLAKE2F_AIR_H + 64 * word + bit;
}
static inline unsigned blake2f_air_m_bit_col(unsigned word, unsigned bit) {
  return BLAKE2F_AIR_M + 64 * word + bit;
}
static inline unsigned blake2f_air_t_col(unsigned j, unsigned limb) {
  return BLAKE2F_AIR_T + BLAKE2F_AIR_LIMBS * j + limb;
}

/* The AIR (static, valid for the life of the process; eval_base provided). */
const stark_air *blake2f_air(void);

/* BLAKE2F_AIR_WIDTH. */
unsigned blake2f_air_width(void);

/* Rows one call takes: rounds + 2. */
size_t blake2f_air_call_rows(uint32_t rounds);

/* Rows of the padded trace for calls[0..n_calls): the next power of two of
 * the sum of blake2f_air_call_rows, at least 2; 0 when that exceeds
 * 2^STARK_MAX_LOG_ROWS or calls is NULL with n_calls > 0. */
size_t blake2f_air_rows(const blake2f_air_call *calls, size_t n_calls);

/* Row of call k's FINAL row (where its inputs and output are read) when
 * calls[0..k] fill the trace from row 0: sum_{i <= k} (rounds_i + 2) - 1.
 * calls must hold at least k + 1 entries. */
size_t blake2f_air_final_row(const blake2f_air_call *calls, size_t k);

/* Fill trace (rows x BLAKE2F_AIR_WIDTH, row-major, every cell written) with
 * the calls, one after the other from row 0, then zero padding rows. rows
 * must be a power of two >= 2 and at least the calls' rows; every f must be
 * 0 or 1; calls may be NULL only when n_calls is 0. Returns 0 or
 * STARK_ERR_ARG. */
int blake2f_air_fill(const blake2f_air_call *calls, size_t n_calls, bb_t *trace, size_t rows);

/* Allocate and fill the trace for the calls: *trace (malloc'd, caller frees)
 * holds 2^(*log_n) = blake2f_air_rows(calls, n_calls) rows. On error *trace
 * is NULL. Returns 0, STARK_ERR_ARG (bad pointers, a flag above 1, too many
 * rows) or STARK_ERR_NOMEM. */
int blake2f_air_trace(const blake2f_air_call *calls, size_t n_calls, bb_t **trace,
                      unsigned *log_n);

#endif
