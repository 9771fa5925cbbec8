/* sha256_air: an AIR for the SHA-256 compression function (FIPS 180-4), the
 * work of the SHA256 precompile: one compression per 64-byte block, 64 rows
 * per compression (one per round), with the message schedule computed on the
 * round rows.
 *
 * Representation. A 32-bit word does not fit BabyBear (p = 2^31 - 2^27 + 1),
 * so words are held as two 16-bit limbs (little-endian: limb 0 = bits 0..15)
 * or as 32 single bits (bit i has weight 2^i). Every word that enters an
 * addition is either a bit word or a limb pair tied to a bit word, so every
 * limb is range-checked by its bits (there is no lookup argument). Additions
 * mod 2^32 of several terms are done limb by limb with a carry per limb,
 * itself held as 2 or 3 bits.
 *
 * Row t (round t = 0..63 of a compression) holds, with W[s] the schedule word
 * s and (a_t, ..., h_t) the working variables entering round t:
 *   FLAGS[64]   one-hot round number
 *   EXPORT      1 on every row of a compression whose input is real (not
 *               padding); a lookup consumer weights rows by it
 *   CV[8][2]    chaining value input H0..H7, repeated on the 64 rows
 *   BLOCK[16][2] the message block's words (big-endian bytes), repeated
 *   OUT[8][2]   chaining value output (H + final working variables mod 2^32),
 *               repeated on the 64 rows
 *   M[16][2]    schedule window: M[j] = W[t - 1 + j] (M[0] = 0 on round 0)
 *   NW[2]       W[t + 15] = s1(W[t+13]) + W[t+8] + s0(W[t]) + W[t-1], the
 *               schedule word that enters the window on the next row
 *   S0B[32]     bits of M[1] = W[t] (the round's word, input of s0)
 *   S1B[32]     bits of M[14] = W[t + 13] (input of s1)
 *   SC[2][2]    carry of NW's limb k as 2 bits (value 0..3)
 *   ST[8][32]   bits of a_t, b_t, c_t, d_t, e_t, f_t, g_t, h_t
 *   AN[32], EN[32]  bits of a_{t+1}, e_{t+1} (this round's new a and e)
 *   CA[2][3], CE[2][3]  carries of the a and e additions, limb k, 3 bits
 *   OB[2][32]   on round 60 + i (i = 0..3): bits of output word 3 - i and
 *               7 - i (their feed-forward sum); zero on other rounds
 *   OC[2][2]    carries of those two sums (bits); zero on other rounds
 * Width SHA256_AIR_WIDTH = 631.
 *
 * Constraints (1030), in evaluation order; "carry" = is_transition *
 * (1 - FLAGS[63]) (the next row continues this compression), "mid" =
 * is_transition * (1 - FLAGS[0] - FLAGS[63]) (rounds 1..62); counts and
 * degrees (a selector counts 1):
 *    64  row 0: FLAGS = round 0 (first-row selector)                 deg 2
 *    64  next FLAGS[(r+1) mod 64] = FLAGS[r] (transitions)            deg 2
 *     2  EXPORT is a bit; carry * (next EXPORT - EXPORT)             deg 3
 *    64  carry * (next - this) for CV, BLOCK, OUT                    deg 3
 *    16  FLAGS[0] * (CV[i] - recomposed ST[i]) (state load)          deg 2
 *   400  booleanity of S0B, S1B, SC, ST, AN, EN, CA, CE              deg 2
 *    68  OB, OC: bit * (bit - (FLAGS[60] + ... + FLAGS[63])): bits on
 *        rounds 60..63, zero elsewhere                               deg 2
 *     4  S0B recomposes M[1], S1B recomposes M[14] (limbs)            deg 1
 *     2  FLAGS[0] * M[0] (no W[-1] on round 0)                        deg 2
 *     2  NW_k + 2^16 SC_k = s1_k + M[9]_k + s0_k + M[0]_k + SC_{k-1}  deg 3
 *    32  FLAGS[1] * (M[j] - BLOCK[j]) (the block is W[0..15])         deg 2
 *    30  carry * (next M[j] - M[j+1]), j < 15 (window shift)          deg 3
 *     2  mid * (next M[15] - NW)                                      deg 3
 *     4  for each limb k, first
 *          EN_k + 2^16 CE_k = d_k + h_k + S1(e)_k + Ch_k + K_k + W_k
 *                             + CE_{k-1},                             deg 3
 *        then
 *          AN_k + 2^16 CA_k = h_k + S1(e)_k + Ch_k + K_k + W_k
 *                             + S0(a)_k + Maj_k + CA_{k-1}            deg 3
 *   256  carry * (next ST - shifted state): next a = AN, next b = a,
 *        next c = b, next d = c, next e = EN, next f = e, ... (bits)  deg 3
 *     4  sum_i FLAGS[60+i] * (OB_{x,k} + 2^16 OC_{x,k} - N_{x,k}
 *        - OC_{x,k-1} - CV[3-i or 7-i]_k) for x = a, e, N = AN or EN:
 *        the feed-forward of the output word this round finalises    deg 2
 *    16  FLAGS[63 - i] * (OUT[i] - OB_a) and (OUT[4+i] - OB_e), for
 *        i = 0..3 (then a, e; then limb)                             deg 2
 * Here x_k is limb k of word x (recomposed from bits where x is a bit word),
 * K_k is the round constant's limb selected by the flags (a linear form),
 * xor of bits u, v is u + v - 2uv (so S0, S1, s0, s1 bits, three-way xors,
 * have degree 3), Ch = ef + (1 - e)g, Maj = ab + ac + bc - 2abc; W = M[1].
 * max_degree is 3 (2 quotient chunks: any log_blowup >= 1). No public values.
 *
 * Field identities are integer identities. Every sum below is of values
 * below 2^16 held in canonical form, so each side is a non-negative integer
 * below p = 2^31 - 2^27 + 1 > 2^30:
 *   e addition: 6 terms < 2^16 plus a carry in <= 7: < 7 * 2^16; the left
 *     side EN_k + 2^16 CE_k < 2^16 + 7 * 2^16 = 2^19;
 *   a addition: 7 terms plus carry in <= 7: < 8 * 2^16 = 2^19, so the carry
 *     out is <= 7 and fits its 3 bits;
 *   schedule: 4 terms plus carry in <= 3: < 4 * 2^16, carry out <= 3 (2 bits);
 *   feed-forward: 2 terms plus carry in <= 1: < 2^17, carry a bit.
 * So each identity holds over the integers, and with the result limb in
 * [0, 2^16) (bits) it fixes the limb as the sum mod 2^16 and the carry as its
 * quotient: the a, e and output words are the additions mod 2^32.
 * Range checks: ST, AN, EN, OB are bit words. CV limbs equal recomposed ST
 * bits on round 0; every W[s] used (s <= 76) is M[1] on row s or M[14] on row
 * s - 13, so it is recomposed from S0B or S1B bits; BLOCK equals M on round 1.
 * NW on rounds 62 and 63 (W[77], W[78]) is never range-checked and never
 * used; on round 0 it is computed from M[0] = 0 and dropped (W[15] enters
 * the window from the block instead).
 *
 * Bound and not bound. Within a compression the flags, CV, BLOCK, OUT and
 * EXPORT are tied row to row, so every row of compression k (rows 64k ..
 * 64k+63) holds the same (EXPORT, CV, BLOCK, OUT) with OUT =
 * compress(CV, BLOCK); a lookup consumer can read any one row, e.g. round 63.
 * Across a compression boundary (a round-63 row followed by a round-0 row)
 * nothing is tied: chaining (OUT of one block = CV of the next) is left to
 * the consumer, as is the meaning of EXPORT (a bit, free per compression).
 * So are the message padding (the 0x80 byte and the bit length that split a
 * precompile input into blocks) and the initial value H(0): this AIR proves
 * compressions of whatever (CV, BLOCK) pairs its rows claim.
 * The trace's last row is not tied to row 0.
 *
 * Padding: the trace has the next power of two of 64 n_comp rows, at least
 * 64; the rows after the inputs hold compressions of the all-zero CV and
 * all-zero block with EXPORT = 0, and satisfy every constraint. The row
 * count is a multiple of 64, so the trace ends on a round-63 row and every
 * compression is whole.
 *
 * Status codes are stark/air.h's: 0, STARK_ERR_ARG, STARK_ERR_NOMEM.
 */
#ifndef PKB_TRACE_SHA256_AIR_H
#define PKB_TRACE_SHA256_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"
#include "stark/air.h"

#define SHA256_AIR_ROWS_PER_COMP 64
#define SHA256_AIR_LIMBS 2       /* 16-bit limbs per 32-bit word */
#define SHA256_AIR_LIMB_BITS 16
#define SHA256_AIR_CARRY_BITS 3  /* bits of each a / e addition carry */
#define SHA256_AIR_SCARRY_BITS 2 /* bits of each schedule carry */

/* Column offsets of each group (see the layout above). Limb columns of word
 * i: base + 2 i + limb; bit columns of word i: base + 32 i + bit; carry
 * bits: base + nbits * limb + bit. */
enum {
  SHA256_AIR_FLAGS = 0,
  SHA256_AIR_EXPORT = SHA256_AIR_FLAGS + SHA256_AIR_ROWS_PER_COMP,
  SHA256_AIR_CV = SHA256_AIR_EXPORT + 1,
  SHA256_AIR_BLOCK = SHA256_AIR_CV + 8 * SHA256_AIR_LIMBS,
  SHA256_AIR_OUT = SHA256_AIR_BLOCK + 16 * SHA256_AIR_LIMBS,
  SHA256_AIR_M = SHA256_AIR_OUT + 8 * SHA256_AIR_LIMBS,
  SHA256_AIR_NW = SHA256_AIR_M + 16 * SHA256_AIR_LIMBS,
  SHA256_AIR_S0B = SHA256_AIR_NW + SHA256_AIR_LIMBS,
  SHA256_AIR_S1B = SHA256_AIR_S0B + 32,
  SHA256_AIR_SC = SHA256_AIR_S1B + 32,
  SHA256_AIR_ST = SHA256_AIR_SC + SHA256_AIR_LIMBS * SHA256_AIR_SCARRY_BITS,
  SHA256_AIR_AN = SHA256_AIR_ST + 8 * 32,
  SHA256_AIR_EN = SHA256_AIR_AN + 32,
  SHA256_AIR_CA = SHA256_AIR_EN + 32,
  SHA256_AIR_CE = SHA256_AIR_CA + SHA256_AIR_LIMBS * SHA256_AIR_CARRY_BITS,
  SHA256_AIR_OB = SHA256_AIR_CE + SHA256_AIR_LIMBS * SHA256_AIR_CARRY_BITS,
  SHA256_AIR_OC = SHA256_AIR_OB + 2 * 32,
  SHA256_AIR_WIDTH = SHA256_AIR_OC + 2 * SHA256_AIR_LIMBS
};

/* Column of limb `limb` (0 = low 16 bits) of output word i (H'_i, i < 8);
 * the value is the same on every row of the compression. */
static inline unsigned sha256_air_output_col(unsigned i, unsigned limb) {
  return SHA256_AIR_OUT + SHA256_AIR_LIMBS * i + limb;
}

/* Column of limb `limb` of chaining value input word i (H_i, i < 8). */
static inline unsigned sha256_air_input_col(unsigned i, unsigned limb) {
  return SHA256_AIR_CV + SHA256_AIR_LIMBS * i + limb;
}

/* Column of limb `limb` of message word j (j < 16: bytes 4j..4j+3 of the
 * block, big-endian). */
static inline unsigned sha256_air_block_col(unsigned j, unsigned limb) {
  return SHA256_AIR_BLOCK + SHA256_AIR_LIMBS * j + limb;
}

/* The AIR (static, valid for the life of the process; eval_base provided). */
const stark_air *sha256_air(void);

/* SHA256_AIR_WIDTH. */
unsigned sha256_air_width(void);

/* Rows of the padded trace for n_comp compressions: the next power of two of
 * 64 n_comp, at least 64; 0 when that exceeds 2^STARK_MAX_LOG_ROWS. */
size_t sha256_air_rows(size_t n_comp);

/* Fill trace (rows x SHA256_AIR_WIDTH, row-major, every cell written) with
 * the compressions of (state_in[k], block[k]), k < n_comp, followed by
 * all-zero padding compressions. rows must be a power of two >= 64 and
 * >= 64 n_comp; state_in and block may be NULL only when n_comp is 0.
 * Compression k occupies rows 64k .. 64k+63; sha256_compress(state_in[k],
 * block[k]) is at sha256_air_output_col on each of them. The compressions
 * are filled on every online core (stark_par_for). Returns 0 or
 * STARK_ERR_ARG. */
int sha256_air_fill(const uint32_t (*state_in)[8], const uint8_t (*block)[64], size_t n_comp,
                    bb_t *trace, size_t rows);

/* Allocate and fill the trace for n_comp compressions: *trace (malloc'd,
 * caller frees) holds 2^(*log_n) = sha256_air_rows(n_comp) rows. On error
 * *trace is NULL. Returns 0, STARK_ERR_ARG (bad pointers, too many
 * compressions) or STARK_ERR_NOMEM. */
int sha256_air_trace(const uint32_t (*state_in)[8], const uint8_t (*block)[64], size_t n_comp,
                     bb_t **trace, unsigned *log_n);

#endif
