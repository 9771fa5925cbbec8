/* arith_air: an AIR for the EVM's 256-bit arithmetic (ADD, SUB, MUL, DIV,
 * SDIV, MOD, SMOD, ADDMOD, MULMOD, EXP, SIGNEXTEND, LT, GT, SLT, SGT, EQ,
 * ISZERO, and the bitwise AND, OR, XOR, NOT, BYTE, SHL, SHR, SAR, CLZ), one
 * or more rows per instruction, in the style of a zkVM's arithmetic chip.
 *
 * The core. Every row proves one integer identity between five 256-bit words
 *     X * Y + Z = H * 2^256 + L                                        (1)
 * written with 8-bit limbs (32 per word, little-endian). Column k (0..63) of
 * the schoolbook product is
 *     sum_{i+j=k} X_i Y_j + Z_k + c_{k-1} = W_k + 256 c_k
 * with W_k = L_k (k < 32) or H_{k-32}, Z_k = 0 for k >= 32, c_{-1} = c_63 = 0.
 * Bound: a column holds at most 32 products of two bytes, 32 * 255^2 =
 * 2,080,800 < 2^21, plus Z_k and the incoming carry, so every carry is below
 * 2^13 (ARITH_AIR_CARRY_BITS gives the exact width of each) and both sides of
 * every column equation stay below 2^22 < p = 2^31 - 2^27 + 1: an equation
 * that holds in BabyBear holds over the integers, and (1) holds exactly.
 * This is why the limbs are bytes: 16-bit limbs would give column sums of
 * 16 * 2^32, far past p.
 *
 * Range checks. There is no lookup argument in this STARK yet, so the words
 * X, Y, Z, H, L are stored as their 256 bits (each column a boolean; a limb
 * is the linear combination of its 8 bits, so it is a byte by construction)
 * and every carry c_k as its ARITH_AIR_CARRY_BITS[k] bits. A LogUp range
 * check (one byte-table lookup per limb, one per carry chunk) would replace
 * these 2,037 bit columns by 160 limb and ~126 carry-chunk columns.
 *
 * Kinds. Each row has a one-hot selector over the row kinds below (all zero:
 * a padding row); the kind says how the row's core words are tied to the
 * instruction's words and to the neighbouring rows. Every row of an
 * instruction carries its operands A, B, C (C: the modulus of ADDMOD and
 * MULMOD), its result R and two scratch words U, V (32 byte limbs each),
 * copied from row to row. The instruction is the one named by the kind of
 * its LAST row (the row whose next row is not a continuation); a consumer
 * (a lookup from the cpu table) reads (opcode, A, B, C, R) there.
 *   kind        core X * Y + Z = H:L          other constraints
 *   ADD         A * 1 + B = H:R
 *   SUB         R * 1 + B = H:A                (r = a - b mod 2^256)
 *   MUL         A * B + 0 = H:R
 *   LT          d * 1 + B = H:A                R = H (borrow of a - b)
 *   GT          d * 1 + A = H:B                R = H
 *   SLT, SGT    as LT, GT on the operands with their top bit flipped
 *   EQ          d * 1 + B = H:A                R = (d == 0)
 *   ISZERO      A * 1 + 0 = 0:A                R = (A == 0)
 *   DIV, MOD (2 rows):  DM_CHK, DIV_Q | MOD_Q
 *     DM_CHK    d * 1 + r = H:B, V = B         if B != 0: H = 0, d != 0 (so r < B)
 *     *_Q       q * B + r = 0:A                R = q (DIV) or r (MOD); 0 if B = 0
 *   SDIV, SMOD (5 rows): NEG_A, NEG_B, SD_CHK, SDIV_Q | SMOD_Q, SDIV_FIX | SMOD_FIX
 *     NEG_A     U = |A| as a conditional negation: X = U, Y = 1, and with
 *               S the sign of A:  Z = S A, L = (1 - S) A  (so U + S A =
 *               (1 - S) A + 2^256 H);  S = top bit of Z + top bit of L; SA = S
 *     NEG_B     V = |B| likewise, SB = S
 *     SD_CHK    d * 1 + rr = H:V               if V != 0: H = 0, d != 0
 *     S*_Q      qq * V + rr = 0:U              (|a| = qq |b| + rr)
 *     S*_FIX    conditional negation of qq (SDIV, S = SA xor SB) or rr
 *               (SMOD, S = SA) into X;  R = X, or 0 if V = 0
 *   ADDMOD, MULMOD (4 rows): MD_CHK, MD_Q1, MD_Q2, ADDMOD_S | MULMOD_P, with
 *   s = a + b or a * b (512 bits) = q N + r, q = q_hi 2^256 + q_lo, N = C:
 *     MD_CHK    d * 1 + r = H:C, V = C         if C != 0: H = 0, d != 0
 *     MD_Q1     q_lo * V + r = T1h:T1l         U = T1l; R = r, or 0 if V = 0
 *     MD_Q2     q_hi * V + T1h = 0:T2l
 *     ADDMOD_S  A * 1 + B = T2l:U              (the high word only if V != 0)
 *     MULMOD_P  A * B + 0 = T2l:U              (likewise)
 *   EXP (square and multiply, most significant bit first):
 *     EXP_ZERO  B * B + 0 = 0:0 with B == 0    R = 1     (one row, e = 0)
 *     EXP_TOP   A * 1 + 0 = 0:acc              E = 1     (the top bit of e)
 *     EXP_SQ    acc * acc + 0 = H:acc'         E' = 2E   (every lower bit)
 *     EXP_MUL   acc * A + 0 = H:acc'           E' = E+1  (after SQ when the bit is 1)
 *     acc is the previous row's L; E (the exponent bits read so far) is kept
 *     in bit columns EB; on the last row of an EXP, E = B and R = L.
 *     So e with bit length n >= 1 takes n + popcount(e) - 1 rows (1 .. 511).
 *   AND, OR, XOR  A * B + 0 = H:L              R = bitwise function of the bits
 *               of X and Y, per limb sum_t 2^t f(x_t, y_t) with
 *               and = x y, or = x + y - x y, xor = x + y - 2 x y
 *   NOT         A * 1 + 0 = 0:A                R = 255 - X per limb
 *   SHL, SHR, SAR (2 rows; A = shift, B = value): SH_AMT, SHL_V | SHR_V | SAR_V
 *     SH_AMT    A_hi * 1 + A_0 = 0:A           (A_hi: A with limb 0 cleared)
 *               next row: S = (A_hi != 0) = (A >= 256), Y = 2^s one-hot
 *               with s = A_0, or 255 when S = 1
 *     SHL_V     B * 2^s + 0 = H:L              R = L, or 0 if S
 *     SHR_V     q * 2^s + rem = 0:B            rem < 2^s (no bit of rem at or
 *                                              above s); R = q, or 0 if S
 *     SAR_V     q * 2^s + rem = 0:B'           B' = B, or ~B if B < 0 (SB);
 *               top bit of B' is 0; R = q, or ~q if SB (S: s = 255, q = 0)
 *   BYTE, SIGNEXTEND (2 rows; A = byte index, B = value): BY_AMT | SX_AMT,
 *   then BYTE_V | SX_V
 *     BY_AMT, SX_AMT  A_hi * 1 + A_lo = 0:A    (A_lo = A mod 32: bits 0..4 of
 *               A_hi and bits 5.. of A_lo are zero)
 *               next row: S = (A_hi != 0) = (A >= 32), Y = 2^s one-hot
 *               with s = 8 (31 - A_lo) (BYTE) or 8 A_lo + 7 (SIGNEXTEND),
 *               or 255 when S = 1
 *     BYTE_V    q * 2^s + rem = 0:B            rem < 2^s; R = q's low byte,
 *                                              or 0 if S
 *     SX_V      q * 2^s + rem = 0:B            rem < 2^s; R = rem with every
 *               bit at and above s set to q's bit 0 (B's bit s, the sign);
 *               with S, s = 255 and R = B
 *   CLZ         A * 2^n + 0 = 0:L              Y one-hot (n = sum_i i y_i);
 *               L's top bit = (A != 0); R = n, or 256 if A = 0
 * Rows per instruction: 1 (ADD, SUB, MUL, LT, GT, SLT, SGT, EQ, ISZERO,
 * AND, OR, XOR, NOT, CLZ), 2 (DIV, MOD, SHL, SHR, SAR, BYTE, SIGNEXTEND),
 * 4 (ADDMOD, MULMOD), 5 (SDIV, SMOD), 1..511 (EXP).
 * EVM edge cases: division and modulo by zero give 0 (the checks on d and H
 * are switched off by ZV = (V == 0), and R is multiplied by 1 - ZV); SDIV of
 * -2^255 by -1 gives -2^255 (|a| = 2^255 and its negation is itself); 0^0 = 1.
 *
 * Columns (ARITH_AIR_WIDTH = 2533): SEL[41] one-hot kind; X, Y, Z, H, L bits
 * [256 each] (bit i of a word has weight 2^i); CARRY bits (757: carry k at
 * arith_air_carry_col(k), ARITH_AIR_CARRY_BITS[k] bits, little-endian);
 * A, B, C, R, U, V limbs [32 each]; EB[256] exponent bits; ZX, IX (X == 0
 * flag and the inverse of X's limb sum), ZV, IV (the same for V), S (the
 * row's negation sign; on a shift's second row, A >= 256), SA, SB (the
 * operands' signs, copied; SB is B's sign on SAR_V).
 * Is-zero gadget: with s = the (non-wrapping) sum of a word's limbs and
 * act = sum of SEL, the constraints Z s = 0 and Z + s I - act = 0 make Z = 1
 * exactly when the word is zero on an instruction row, and Z = 0 on padding.
 *
 * Constraints (3322), in evaluation order, with counts and degrees (a next-
 * row selector or a first-row selector counts as 1):
 *     41  SEL bits are booleans                                       deg 2
 *      1  act = sum SEL is a boolean                                  deg 2
 *      1  row 0 is not a continuation kind                            deg 2
 *     19  a continuation kind follows its predecessor kind(s)         deg 2
 *     12  a kind that needs a successor has one (not on the last row) deg 2
 *   2037  X, Y, Z, H, L and carry bits are booleans                   deg 2
 *     64  the column equations of (1)                                 deg 2
 *      4  is-zero gadgets for X and V                                 deg 2
 *      3  S, SA, SB are booleans                                      deg 2
 *      3  S per kind; SA, SB set by NEG_A, NEG_B                      deg 3
 *      6  word-is-constant checks on limb sums (Y = 1, Z = 0, H = 0),
 *         the r < N checks gated by 1 - ZV, EXP_ZERO's B = 0          deg 3
 *      5  shifts, BYTE, SIGNEXTEND: the next row's S and one-hot
 *         Y = 2^s, the remainder below 2^s, B' non-negative           deg 3
 *      1  BY_AMT, SX_AMT: X's bits 0..4 and Z's bits 5..7 are zero    deg 2
 *      2  CLZ: Y's bits sum to 1; L's top bit is 1 - ZX               deg 2
 *    224  this row's X, Y, Z, L, R, U, V limbs per kind (32 each)     deg 3
 *    128  next row's Z, L, H, X limbs from this row (32 each)         deg 3
 *    194  A, B, C, R, U, V limbs and SA, SB copied into continuations deg 2
 *    513  EB: set to 1 on EXP_TOP, shifted by SQ, incremented by MUL,
 *         no bit shifted out                                          deg 2
 *     64  at the end of an EXP: R = L and EB = B                      deg 3
 * max_degree is 3: 2 quotient chunks, blowup 2 or 4. No public values.
 * The padding row (every cell zero) satisfies every constraint. No
 * constraint needs the transition selector: on the last row "next" is row 0,
 * which is never a continuation, so a kind that needs a successor can not
 * stand there (a multi-row instruction is never cut by the end of the trace)
 * and the next-row ties, each gated by such a kind or by the next row's
 * continuation selector, vanish.
 *
 * Scope. The AIR proves each instruction's result from its operands; it
 * does not tie the rows to the cpu table (that is a lookup's work). Cells a
 * kind does not use are free (C outside ADDMOD and MULMOD, U and V outside
 * the instructions that use them, EB outside EXP, S, SA, SB where no
 * constraint names them), and so are the operands
 * the result does not depend on (ISZERO's and NOT's B; A when EXP's
 * exponent is 0).
 * The row count of an EXP is forced: E starts at 1 and ends equal to B, and
 * each SQ appends a bit and each MUL sets it, so the SQ/MUL sequence spells
 * B's bits and no other.
 *
 * Operands enter and results leave as 32-byte big-endian words (the EVM's).
 * Status codes are stark/air.h's: 0, STARK_ERR_ARG, STARK_ERR_NOMEM.
 */
#ifndef PKB_TRACE_ARITH_AIR_H
#define PKB_TRACE_ARITH_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"
#include "stark/air.h"

/* The row kinds, in selector-column order. */
#define ARITH_AIR_KINDS(X) \
  X(ADD)                   \
  X(SUB)                   \
  X(MUL)                   \
  X(LT)                    \
  X(GT)                    \
  X(SLT)                   \
  X(SGT)                   \
  X(EQ)                    \
  X(ISZERO)                \
  X(DM_CHK)                \
  X(DIV_Q)                 \
  X(MOD_Q)                 \
  X(NEG_A)                 \
  X(NEG_B)                 \
  X(SD_CHK)                \
  X(SDIV_Q)                \
  X(SMOD_Q)                \
  X(SDIV_FIX)              \
  X(SMOD_FIX)              \
  X(MD_CHK)                \
  X(MD_Q1)                 \
  X(MD_Q2)                 \
  X(ADDMOD_S)              \
  X(MULMOD_P)              \
  X(EXP_ZERO)              \
  X(EXP_TOP)               \
  X(EXP_SQ)                \
  X(EXP_MUL)               \
  X(AND)                   \
  X(OR)                    \
  X(XOR)                   \
  X(NOT)                   \
  X(SH_AMT)                \
  X(SHL_V)                 \
  X(SHR_V)                 \
  X(SAR_V)                 \
  X(BY_AMT)                \
  X(BYTE_V)                \
  X(SX_AMT)                \
  X(SX_V)                  \
  X(CLZ)

typedef enum {
#define ARITH_AIR_K(name) ARITH_AIR_K_##name,
  ARITH_AIR_KINDS(ARITH_AIR_K)
#undef ARITH_AIR_K
  ARITH_AIR_NKINDS
} arith_air_kind;

#define ARITH_AIR_LIMBS 32      /* byte limbs per word */
#define ARITH_AIR_NCARRIES 63   /* carries c_0 .. c_62 of the 64 product columns */
#define ARITH_AIR_CARRY_BITS_TOTAL 757
#define ARITH_AIR_MAX_ROWS_PER_OP 511 /* EXP with e = 2^256 - 1 */

/* Bit width of carry c_k: the bit length of the largest carry out of column
 * k when every limb is 255 (n_k = min(k + 1, 63 - k) products, plus Z_k for
 * k < 32, plus the largest incoming carry). */
extern const unsigned char ARITH_AIR_CARRY_BITS[ARITH_AIR_NCARRIES];

/* Column offsets (see the layout above). */
enum {
  ARITH_AIR_SEL = 0,
  ARITH_AIR_X = ARITH_AIR_SEL + ARITH_AIR_NKINDS,
  ARITH_AIR_Y = ARITH_AIR_X + 256,
  ARITH_AIR_Z = ARITH_AIR_Y + 256,
  ARITH_AIR_H = ARITH_AIR_Z + 256,
  ARITH_AIR_L = ARITH_AIR_H + 256,
  ARITH_AIR_CARRY = ARITH_AIR_L + 256,
  ARITH_AIR_A = ARITH_AIR_CARRY + ARITH_AIR_CARRY_BITS_TOTAL,
  ARITH_AIR_B = ARITH_AIR_A + ARITH_AIR_LIMBS,
  ARITH_AIR_C = ARITH_AIR_B + ARITH_AIR_LIMBS,
  ARITH_AIR_R = ARITH_AIR_C + ARITH_AIR_LIMBS,
  ARITH_AIR_U = ARITH_AIR_R + ARITH_AIR_LIMBS,
  ARITH_AIR_V = ARITH_AIR_U + ARITH_AIR_LIMBS,
  ARITH_AIR_EB = ARITH_AIR_V + ARITH_AIR_LIMBS,
  ARITH_AIR_ZX = ARITH_AIR_EB + 256,
  ARITH_AIR_IX,
  ARITH_AIR_ZV,
  ARITH_AIR_IV,
  ARITH_AIR_S,
  ARITH_AIR_SA,
  ARITH_AIR_SB,
  ARITH_AIR_WIDTH
};

/* First column of carry c_k (k < ARITH_AIR_NCARRIES). */
unsigned arith_air_carry_col(unsigned k);

/* The AIR (static, valid for the life of the process; eval_base provided). */
const stark_air *arith_air(void);

/* ARITH_AIR_WIDTH. */
unsigned arith_air_width(void);

/* Whether the AIR handles this EVM opcode (the 26 listed at the top). */
int arith_air_supports(uint8_t opcode);

/* Rows the instruction takes (see the table above); 0 for an unsupported
 * opcode or a NULL operand (c is read only for ADDMOD and MULMOD, where it
 * must not be NULL). a, b, c: 32-byte big-endian words. */
size_t arith_air_rows_for(uint8_t opcode, const uint8_t a[32], const uint8_t b[32],
                          const uint8_t *c);

/* Write the instruction's rows_for rows (row-major, every cell written) into
 * rows, which holds rows_for * ARITH_AIR_WIDTH elements. The result is
 * computed here and stands in the R limbs of every row (arith_air_result).
 * Returns 0, or STARK_ERR_ARG (unsupported opcode, NULL pointer). */
int arith_air_fill(uint8_t opcode, const uint8_t a[32], const uint8_t b[32], const uint8_t *c,
                   bb_t *rows);

/* The result word R of a row, as 32 big-endian bytes. Returns 0, or
 * STARK_ERR_ARG when a limb is not a byte (not a row of this AIR). */
int arith_air_result(const bb_t *row, uint8_t out[32]);

/* One instruction for arith_air_trace. c is read for ADDMOD and MULMOD only. */
typedef struct {
  uint8_t opcode;
  uint8_t a[32], b[32], c[32];
} arith_air_op;

/* Rows of the padded trace for n instructions: the next power of two of the
 * sum of their rows_for, at least 2; 0 when an opcode is unsupported or the
 * total exceeds 2^STARK_MAX_LOG_ROWS. */
size_t arith_air_rows(const arith_air_op *ops, size_t n);

/* Allocate and fill the trace of ops[0..n) followed by zero padding rows:
 * *trace (malloc'd, caller frees) holds 2^(*log_n) = arith_air_rows(ops, n)
 * rows; instruction i starts right after instruction i-1. On error *trace is
 * NULL. Returns 0, STARK_ERR_ARG or STARK_ERR_NOMEM. */
int arith_air_trace(const arith_air_op *ops, size_t n, bb_t **trace, unsigned *log_n);

#endif
