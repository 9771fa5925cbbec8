/* ripemd160_air: an AIR for the RIPEMD-160 compression function, the work of
 * the RIPEMD160 precompile (0x03): one compression per 64-byte block, 80 rows
 * per compression, row j holding step j of both lines side by side and row 79
 * also the final combination with the chaining value.
 *
 * Representation. As in sha256_air.h: a 32-bit word is two 16-bit limbs
 * (limb 0 = bits 0..15) or 32 single bits (bit i has weight 2^i); every word
 * that enters an addition is a bit word or a limb pair tied to one, so every
 * limb is range-checked by bits. Additions mod 2^32 go limb by limb with a
 * carry per limb held as bits. Rotations are bit permutations.
 *
 * Per-step constants. Row j of a compression has the one-hot FLAGS[j]; the
 * step's schedule is read through linear forms of the flags (a form is 0 or 1
 * on every row, since the flags are one-hot): the round selector
 * q_q = sum of FLAGS[16q .. 16q+15], the message selector of line L
 * m_L,i = sum of FLAGS[j] over the steps with r_L(j) = i, the rotation
 * selector of line L rho_L,s = sum of FLAGS[j] over the steps with
 * s_L(j) = s (s = 5..15). The schedule (r, s, K, f) is hash/ripemd160.h's.
 *
 * The step function f of each line is written as a multilinear polynomial in
 * the bits x, y, z (= B, C, D of the line) whose 8 coefficients are linear in
 * the round selectors (the coefficients of f_{q+1} on the left line, of
 * f_{5-q} on the right line); its cubic monomial xyz is P z with P = xy a
 * column, so f's bits have degree 3 and agree with the boolean function on
 * bits.
 *
 * Columns of row j (step j = 0..79 of a compression), for line L = 0 (left)
 * and 1 (right), with (A, B, C, D, E) the line's words entering step j:
 *   FLAGS[80]     one-hot step number
 *   EXPORT        1 on every row of a compression whose input is real (not
 *                 padding); a lookup consumer weights rows by it
 *   CV[5][2]      chaining value input h0..h4, repeated on the 80 rows
 *   BLOCK[16][2]  the message block's words (little-endian bytes), repeated
 *   OUT[5][2]     chaining value output, repeated on the 80 rows
 *   line L, at RIPEMD160_AIR_LINE(L):
 *     ST[5][32]   bits of A, B, C, D, E
 *     XB[32]      bits of X[r_L(j)], the message word the step reads
 *     SB[32]      bits of S = A + f(B, C, D) + X[r_L(j)] + K_L(j) mod 2^32
 *     CS[2][2]    carry of S's limb k as 2 bits (value 0..3)
 *     TN[32]      bits of T = rol(S, s_L(j)) + E mod 2^32, the next B
 *     CT[2]       carry of T's limb k (a bit)
 *     P[32]       P_i = B_i C_i
 *   OB[5][32]     on step 79: bits of output word i; zero on other steps
 *   OC[5][2][2]   on step 79: carry of output word i's limb k as 2 bits;
 *                 zero on other steps
 * Width RIPEMD160_AIR_WIDTH = 901.
 *
 * Constraints (1365), in evaluation order; "carry" = is_transition *
 * (1 - FLAGS[79]) (the next row continues this compression), "last" the
 * last-row selector; counts and degrees (a selector counts 1):
 *    80  row 0: FLAGS = step 0 (first-row selector)                   deg 2
 *    80  next FLAGS[(j+1) mod 80] = FLAGS[j] (transitions)            deg 2
 *     2  EXPORT is a bit; carry * (next EXPORT - EXPORT)              deg 3
 *    52  carry * (next - this) for CV, BLOCK, OUT                     deg 3
 *    11  last * (1 - FLAGS[79]) * EXPORT and * OUT: a compression the
 *        trace cuts short exports nothing and outputs zero             deg 3
 *    20  FLAGS[0] * (CV[i] - recomposed ST[i]) for both lines (A..E
 *        start as h0..h4)                                              deg 2
 *   524  booleanity of ST, XB, SB, CS, TN, CT of both lines            deg 2
 *   180  OB, OC: bit * (bit - FLAGS[79]): bits on step 79, zero
 *        elsewhere                                                     deg 2
 *    64  P - B C, bit by bit, both lines                              deg 2
 *   then for line 0, then line 1:
 *     2  XB_k = sum_i m_L,i BLOCK[i]_k (message word selection)        deg 2
 *     2  SB_k + 2^16 CS_k = A_k + f_k + XB_k + K_k + CS_{k-1}          deg 3
 *     2  TN_k + 2^16 CT_k = sum_s rho_L,s rol(SB, s)_k + E_k + CT_{k-1} deg 2
 *   160  carry * (next ST - shifted state): next A = E, next B = TN,
 *        next C = B, next D = rol(C, 10), next E = D (bits)            deg 3
 *    10  FLAGS[79] * (OB[i]_k + 2^16 OC[i]_k - CV[i+1 mod 5]_k
 *        - Lf[i+2 mod 5]_k - Rf[i+3 mod 5]_k - OC[i]_{k-1}), where the
 *        final words of a line after step 79 are read from row 79:
 *        (A, B, C, D, E)_final = (E, TN, B, rol(C, 10), D)             deg 2
 *    10  FLAGS[79] * (OUT[i]_k - recomposed OB[i]_k)                   deg 2
 * Here x_k is limb k of word x (recomposed from bits where x is a bit word),
 * K_k is limb k of K_L(j) = sum_q q_q K_L[q] (a linear form) and f_k is limb
 * k of f's bits. max_degree is 3 (2 quotient chunks: any log_blowup >= 1). No
 * public values.
 *
 * Field identities are integer identities. Every term below is a value in
 * [0, 2^16) in canonical form (bits, limbs tied to bits, constants), so
 * each side is a non-negative integer far below p = 2^31 - 2^27 + 1:
 *   S: 4 terms plus a carry in <= 3: at most 4 (2^16 - 1) + 3 < 2^18, so the
 *     carry out is <= 3 and fits its 2 bits;
 *   T: 2 terms plus a carry in <= 1: carry out <= 1;
 *   output: 3 terms plus a carry in <= 2: carry out <= 2 (2 bits).
 * With the result limb in [0, 2^16) (bits) each identity fixes the limb as
 * the sum mod 2^16 and the carry as its quotient: S, T and the output words
 * are the additions mod 2^32. Range checks: ST, XB, SB, TN, OB are bit words;
 * CV limbs equal recomposed ST bits on step 0; every BLOCK word i is the
 * recomposed XB of the left line on the step 0..15 with r_0(j) = i; OUT
 * equals recomposed OB on step 79.
 *
 * Bound and not bound. Within a compression the flags, CV, BLOCK, OUT and
 * EXPORT are tied row to row, so every row of a compression whose step-79
 * row is in the trace holds the same (EXPORT, CV, BLOCK, OUT) with OUT =
 * ripemd160_compress(CV, BLOCK); a lookup consumer can read any one row. A
 * compression the end of the trace cuts short has EXPORT = 0 and OUT = 0.
 * Across a compression boundary nothing is tied: chaining, the meaning of
 * EXPORT, the message padding and the initial value are the consumer's, as
 * in sha256_air.h. The trace's last row is not tied to row 0.
 *
 * Padding: the trace has the next power of two of 80 n_comp rows, at least
 * 128; the rows after the inputs hold compressions of the all-zero CV and
 * block with EXPORT = 0, the last one cut where the trace ends (80 does not
 * divide a power of two), with OUT = 0 if it is cut. Every row satisfies
 * every constraint.
 *
 * Status codes are stark/air.h's: 0, STARK_ERR_ARG, STARK_ERR_NOMEM.
 */
#ifndef PKB_TRACE_RIPEMD160_AIR_H
#define PKB_TRACE_RIPEMD160_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"
#include "stark/air.h"

#define RIPEMD160_AIR_ROWS_PER_COMP 80
#define RIPEMD160_AIR_LIMBS 2 /* 16-bit limbs per 32-bit word */
#define RIPEMD160_AIR_LIMB_BITS 16
#define RIPEMD160_AIR_SCARRY_BITS 2 /* bits of each S carry */
#define RIPEMD160_AIR_OCARRY_BITS 2 /* bits of each output carry */

/* Offsets inside a line's group of columns (add RIPEMD160_AIR_LINE(L)). */
enum {
  RIPEMD160_AIR_L_ST = 0,
  RIPEMD160_AIR_L_XB = RIPEMD160_AIR_L_ST + 5 * 32,
  RIPEMD160_AIR_L_SB = RIPEMD160_AIR_L_XB + 32,
  RIPEMD160_AIR_L_CS = RIPEMD160_AIR_L_SB + 32,
  RIPEMD160_AIR_L_TN = RIPEMD160_AIR_L_CS + RIPEMD160_AIR_LIMBS * RIPEMD160_AIR_SCARRY_BITS,
  RIPEMD160_AIR_L_CT = RIPEMD160_AIR_L_TN + 32,
  RIPEMD160_AIR_L_P = RIPEMD160_AIR_L_CT + RIPEMD160_AIR_LIMBS,
  RIPEMD160_AIR_L_WIDTH = RIPEMD160_AIR_L_P + 32
};

/* Column offsets of each group (see the layout above). Limb columns of word
 * i: base + 2 i + limb; bit columns of word i: base + 32 i + bit; carry
 * bits: base + nbits * limb + bit (outputs: base + 4 i + 2 limb + bit). */
enum {
  RIPEMD160_AIR_FLAGS = 0,
  RIPEMD160_AIR_EXPORT = RIPEMD160_AIR_FLAGS + RIPEMD160_AIR_ROWS_PER_COMP,
  RIPEMD160_AIR_CV = RIPEMD160_AIR_EXPORT + 1,
  RIPEMD160_AIR_BLOCK = RIPEMD160_AIR_CV + 5 * RIPEMD160_AIR_LIMBS,
  RIPEMD160_AIR_OUT = RIPEMD160_AIR_BLOCK + 16 * RIPEMD160_AIR_LIMBS,
  RIPEMD160_AIR_LINES = RIPEMD160_AIR_OUT + 5 * RIPEMD160_AIR_LIMBS,
  RIPEMD160_AIR_OB = RIPEMD160_AIR_LINES + 2 * RIPEMD160_AIR_L_WIDTH,
  RIPEMD160_AIR_OC = RIPEMD160_AIR_OB + 5 * 32,
  RIPEMD160_AIR_WIDTH = RIPEMD160_AIR_OC + 5 * RIPEMD160_AIR_LIMBS * RIPEMD160_AIR_OCARRY_BITS
};

/* First column of line L's group (L = 0 left, 1 right). */
#define RIPEMD160_AIR_LINE(L) (RIPEMD160_AIR_LINES + (L) * RIPEMD160_AIR_L_WIDTH)

/* Column of limb `limb` (0 = low 16 bits) of output word i (h'_i, i < 5);
 * the value is the same on every row of the compression. */
static inline unsigned ripemd160_air_output_col(unsigned i, unsigned limb) {
  return RIPEMD160_AIR_OUT + RIPEMD160_AIR_LIMBS * i + limb;
}

/* Column of limb `limb` of chaining value input word i (h_i, i < 5). */
static inline unsigned ripemd160_air_input_col(unsigned i, unsigned limb) {
  return RIPEMD160_AIR_CV + RIPEMD160_AIR_LIMBS * i + limb;
}

/* Column of limb `limb` of message word j (j < 16: bytes 4j..4j+3 of the
 * block, little-endian). */
static inline unsigned ripemd160_air_block_col(unsigned j, unsigned limb) {
  return RIPEMD160_AIR_BLOCK + RIPEMD160_AIR_LIMBS * j + limb;
}

/* The AIR (static, valid for the life of the process; eval_base provided). */
const stark_air *ripemd160_air(void);

/* RIPEMD160_AIR_WIDTH. */
unsigned ripemd160_air_width(void);

/* Rows of the padded trace for n_comp compressions: the next power of two of
 * 80 n_comp, at least 128; 0 when that exceeds 2^STARK_MAX_LOG_ROWS. */
size_t ripemd160_air_rows(size_t n_comp);

/* Fill trace (rows x RIPEMD160_AIR_WIDTH, row-major, every cell written)
 * with the compressions of (state_in[k], block[k]), k < n_comp, followed by
 * padding compressions (see above). rows must be a power of two >= 128 and
 * >= 80 n_comp; state_in and block may be NULL only when n_comp is 0.
 * Compression k occupies rows 80k .. 80k+79; ripemd160_compress(state_in[k],
 * block[k]) is at ripemd160_air_output_col on each of them. Returns 0 or
 * STARK_ERR_ARG. */
int ripemd160_air_fill(const uint32_t (*state_in)[5], const uint8_t (*block)[64], size_t n_comp,
                       bb_t *trace, size_t rows);

/* Allocate and fill the trace for n_comp compressions: *trace (malloc'd,
 * caller frees) holds 2^(*log_n) = ripemd160_air_rows(n_comp) rows. On error
 * *trace is NULL. Returns 0, STARK_ERR_ARG (bad pointers, too many
 * compressions) or STARK_ERR_NOMEM. */
int ripemd160_air_trace(const uint32_t (*state_in)[5], const uint8_t (*block)[64], size_t n_comp,
                        bb_t **trace, unsigned *log_n);

#endif
