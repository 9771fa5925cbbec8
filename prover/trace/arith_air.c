/* arith_air: constraints and trace generation of the 256-bit arithmetic AIR
 * (layout, kinds and constraint list in arith_air.h).
 *
 * The constraints are written once in arith_air_body.inc and instantiated
 * over the extension field (eval_ext: the definition, the verifier's check)
 * and the base field (eval_base: the prover evaluates it at 2n points for n
 * rows, the hot path of proving this table); the CUDA backend's quotient
 * kernel (cuda/cu_kern_air.h) is a third instance.
 *
 * The trace generator computes every word with evm/u256.h (division,
 * negation, the 512-bit quotient of ADDMOD and MULMOD) and writes each row's
 * core (X, Y, Z -> H, L and the carries) by its own byte-limb schoolbook, so
 * a row is consistent by construction; the kinds' ties between words are
 * what the tests check against an independent computation.
 */
#include "trace/arith_air.h"

#include <stdlib.h>
#include <string.h>

#include "evm/gas.h"
#include "evm/u256.h"
#include "stark/stark.h"

/* The constraint tables' initialisers and the constraint count (the body
 * included without NAME). */
#include "arith_air_body.inc"

const unsigned char ARITH_AIR_CARRY_BITS[ARITH_AIR_NCARRIES] = AA_CARRY_BITS_INIT;

unsigned arith_air_carry_col(unsigned k) {
  if (k >= ARITH_AIR_NCARRIES) return 0;
  unsigned off = 0;
  for (unsigned i = 0; i < k; i++) off += ARITH_AIR_CARRY_BITS[i];
  return ARITH_AIR_CARRY + off;
}

/* Continuation kinds with the kinds that may precede them, and kinds with the
 * kinds that must follow them. */
static const aa_link aa_cont[] = {AA_CONT_LINKS(AA_LINK_INIT)};
static const aa_link aa_succ[] = {AA_SUCC_LINKS(AA_LINK_INIT)};

#define AA_CARRY_BITS ARITH_AIR_CARRY_BITS
#define AA_CONT aa_cont
#define AA_SUCC aa_succ

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define NAME aa_eval_ext
#include "arith_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define NAME aa_eval_base
#include "arith_air_body.inc"
#include "stark/air_field_end.h"
#undef NAME

static const stark_air aa_air = {
    .name = "pkb-arith256",
    .width = ARITH_AIR_WIDTH,
    .num_public = 0,
    .num_constraints = AA_NUM_CONSTRAINTS,
    .max_degree = 3,
    .eval_ext = aa_eval_ext,
    .eval_base = aa_eval_base,
    .ctx = NULL,
};

const stark_air *arith_air(void) { return &aa_air; }

unsigned arith_air_width(void) { return ARITH_AIR_WIDTH; }

/* ---- trace generation ---- */

static inline unsigned aa_byte(const u256 *v, unsigned k) {
  return (unsigned)(v->w[k / 8] >> (8 * (k % 8))) & 0xffu;
}
static inline unsigned aa_bit(const u256 *v, unsigned i) { return (unsigned)(v->w[i / 64] >> (i % 64)) & 1u; }

static void aa_put_bits(bb_t *dst, const u256 *v) {
  for (unsigned i = 0; i < 256; i++) dst[i] = aa_bit(v, i) ? BB_ONE : 0;
}
static void aa_put_limbs(bb_t *dst, const u256 *v) {
  for (unsigned k = 0; k < ARITH_AIR_LIMBS; k++) dst[k] = bb_from_u32(aa_byte(v, k));
}
static inline u256 aa_bit_of(unsigned b) { return u256_from_u64(b); }

/* Is-zero flag and inverse of a limb sum s (s < 2^13, so it never wraps). */
static void aa_put_zero_flag(bb_t *flag, bb_t *inv, unsigned s) {
  *flag = s ? 0 : BB_ONE;
  *inv = s ? bb_inv(bb_from_u32(s)) : 0;
}

/* The words every row of one instruction carries. */
typedef struct {
  u256 a, b, c, r, u, v;
  unsigned sa, sb;
} aa_regs;

/* Start a row of kind `kind`: zero it, set the selector and the copied
 * words. */
static void aa_row_begin(bb_t *row, arith_air_kind kind, const aa_regs *g) {
  memset(row, 0, sizeof *row * ARITH_AIR_WIDTH);
  row[ARITH_AIR_SEL + kind] = BB_ONE;
  aa_put_limbs(row + ARITH_AIR_A, &g->a);
  aa_put_limbs(row + ARITH_AIR_B, &g->b);
  aa_put_limbs(row + ARITH_AIR_C, &g->c);
  aa_put_limbs(row + ARITH_AIR_R, &g->r);
  aa_put_limbs(row + ARITH_AIR_U, &g->u);
  aa_put_limbs(row + ARITH_AIR_V, &g->v);
  row[ARITH_AIR_SA] = g->sa ? BB_ONE : 0;
  row[ARITH_AIR_SB] = g->sb ? BB_ONE : 0;
  unsigned sv = 0;
  for (unsigned k = 0; k < ARITH_AIR_LIMBS; k++) sv += aa_byte(&g->v, k);
  aa_put_zero_flag(&row[ARITH_AIR_ZV], &row[ARITH_AIR_IV], sv);
}

/* Write the core of a row: X, Y, Z and the H, L, carries of X * Y + Z by the
 * byte schoolbook the constraints check; returns H and L. */
static void aa_core(bb_t *row, const u256 *x, const u256 *y, const u256 *z, u256 *hi, u256 *lo) {
  unsigned xb[32], yb[32];
  for (unsigned k = 0; k < 32; k++) {
    xb[k] = aa_byte(x, k);
    yb[k] = aa_byte(y, k);
  }
  u256 h = u256_zero(), l = u256_zero();
  uint64_t carry = 0;
  for (unsigned k = 0; k < 64; k++) {
    uint64_t s = carry;
    unsigned i0 = k > 31 ? k - 31 : 0, i1 = k < 31 ? k : 31;
    for (unsigned i = i0; i <= i1; i++) s += (uint64_t)xb[i] * yb[k - i];
    if (k < 32) s += aa_byte(z, k);
    uint64_t w = s & 0xffu;
    carry = s >> 8;
    if (k < 32) l.w[k / 8] |= w << (8 * (k % 8));
    else h.w[(k - 32) / 8] |= w << (8 * ((k - 32) % 8));
    if (k < 63) {
      bb_t *cb = row + arith_air_carry_col(k);
      for (unsigned t = 0; t < ARITH_AIR_CARRY_BITS[k]; t++) cb[t] = (carry >> t) & 1 ? BB_ONE : 0;
    }
  }
  aa_put_bits(row + ARITH_AIR_X, x);
  aa_put_bits(row + ARITH_AIR_Y, y);
  aa_put_bits(row + ARITH_AIR_Z, z);
  aa_put_bits(row + ARITH_AIR_H, &h);
  aa_put_bits(row + ARITH_AIR_L, &l);
  unsigned sx = 0;
  for (unsigned k = 0; k < 32; k++) sx += xb[k];
  aa_put_zero_flag(&row[ARITH_AIR_ZX], &row[ARITH_AIR_IX], sx);
  if (hi) *hi = h;
  if (lo) *lo = l;
}

/* (hi:lo) = q * n + r with q = qh:ql, 0 <= r < n, for n != 0. */
static void aa_divmod_wide(u256 *qh, u256 *ql, u256 *r, const u256 *hi, const u256 *lo,
                           const u256 *n) {
  u256 rem;
  u256_divmod(qh, &rem, hi, n);
  *ql = u256_zero();
  for (int i = 255; i >= 0; i--) {
    /* rem < n; the true value 2 rem + bit may reach 2^256 (then top is set) */
    unsigned top = (unsigned)(rem.w[3] >> 63);
    u256_shl(&rem, &rem, 1);
    rem.w[0] |= aa_bit(lo, (unsigned)i);
    if (top || !u256_lt(&rem, n)) {
      u256_sub(&rem, &rem, n);
      ql->w[i / 64] |= 1ull << (i % 64);
    }
  }
  *r = rem;
}

static unsigned aa_popcount(const u256 *v) {
  unsigned c = 0;
  for (int i = 0; i < 4; i++) c += (unsigned)__builtin_popcountll(v->w[i]);
  return c;
}

int arith_air_supports(uint8_t opcode) {
  switch (opcode) {
    case EVM_OP_ADD: case EVM_OP_SUB: case EVM_OP_MUL: case EVM_OP_DIV: case EVM_OP_SDIV:
    case EVM_OP_MOD: case EVM_OP_SMOD: case EVM_OP_ADDMOD: case EVM_OP_MULMOD:
    case EVM_OP_EXP: case EVM_OP_LT: case EVM_OP_GT: case EVM_OP_SLT: case EVM_OP_SGT:
    case EVM_OP_EQ: case EVM_OP_ISZERO: case EVM_OP_AND: case EVM_OP_OR: case EVM_OP_XOR:
    case EVM_OP_NOT: case EVM_OP_SHL: case EVM_OP_SHR: case EVM_OP_SAR:
    case EVM_OP_BYTE: case EVM_OP_SIGNEXTEND: case EVM_OP_CLZ:
      return 1;
    default:
      return 0;
  }
}

size_t arith_air_rows_for(uint8_t opcode, const uint8_t a[32], const uint8_t b[32],
                          const uint8_t *c) {
  if (!arith_air_supports(opcode) || !a || !b) return 0;
  switch (opcode) {
    case EVM_OP_DIV: case EVM_OP_MOD: case EVM_OP_SHL: case EVM_OP_SHR: case EVM_OP_SAR:
    case EVM_OP_BYTE: case EVM_OP_SIGNEXTEND:
      return 2;
    case EVM_OP_SDIV: case EVM_OP_SMOD:
      return 5;
    case EVM_OP_ADDMOD: case EVM_OP_MULMOD:
      return c ? 4 : 0;
    case EVM_OP_EXP: {
      u256 e;
      u256_from_be(&e, b);
      unsigned nb = u256_bits(&e);
      return nb ? nb + aa_popcount(&e) - 1 : 1;
    }
    default:
      return 1;
  }
}

static u256 aa_top_flip(const u256 *v) {
  u256 r = *v;
  r.w[3] ^= 1ull << 63;
  return r;
}

int arith_air_fill(uint8_t opcode, const uint8_t a[32], const uint8_t b[32], const uint8_t *c,
                   bb_t *rows) {
  if (!rows || !arith_air_rows_for(opcode, a, b, c)) return STARK_ERR_ARG;
  aa_regs g;
  memset(&g, 0, sizeof g);
  u256_from_be(&g.a, a);
  u256_from_be(&g.b, b);
  if (opcode == EVM_OP_ADDMOD || opcode == EVM_OP_MULMOD) u256_from_be(&g.c, c);
  const u256 zero = u256_zero(), one = u256_from_u64(1);
  const size_t W = ARITH_AIR_WIDTH;
  u256 d, t;
  switch (opcode) {
    case EVM_OP_ADD:
      u256_add(&g.r, &g.a, &g.b);
      aa_row_begin(rows, ARITH_AIR_K_ADD, &g);
      aa_core(rows, &g.a, &one, &g.b, NULL, NULL);
      return 0;
    case EVM_OP_SUB:
      u256_sub(&g.r, &g.a, &g.b);
      aa_row_begin(rows, ARITH_AIR_K_SUB, &g);
      aa_core(rows, &g.r, &one, &g.b, NULL, NULL);
      return 0;
    case EVM_OP_MUL:
      u256_mul(&g.r, &g.a, &g.b);
      aa_row_begin(rows, ARITH_AIR_K_MUL, &g);
      aa_core(rows, &g.a, &g.b, &zero, NULL, NULL);
      return 0;
    case EVM_OP_LT: case EVM_OP_GT: case EVM_OP_SLT: case EVM_OP_SGT: {
      /* d + (subtrahend) = (minuend) + 2^256 borrow, borrow = result */
      int is_signed = opcode == EVM_OP_SLT || opcode == EVM_OP_SGT;
      u256 p = is_signed ? aa_top_flip(&g.a) : g.a, q = is_signed ? aa_top_flip(&g.b) : g.b;
      int swap = opcode == EVM_OP_GT || opcode == EVM_OP_SGT;
      const u256 *minu = swap ? &q : &p, *subt = swap ? &p : &q;
      unsigned borrow = u256_sub(&d, minu, subt);
      g.r = aa_bit_of(borrow);
      arith_air_kind k = opcode == EVM_OP_LT    ? ARITH_AIR_K_LT
                         : opcode == EVM_OP_GT  ? ARITH_AIR_K_GT
                         : opcode == EVM_OP_SLT ? ARITH_AIR_K_SLT
                                                : ARITH_AIR_K_SGT;
      aa_row_begin(rows, k, &g);
      aa_core(rows, &d, &one, subt, NULL, NULL);
      return 0;
    }
    case EVM_OP_EQ:
      u256_sub(&d, &g.a, &g.b);
      g.r = aa_bit_of(u256_is_zero(&d));
      aa_row_begin(rows, ARITH_AIR_K_EQ, &g);
      aa_core(rows, &d, &one, &g.b, NULL, NULL);
      return 0;
    case EVM_OP_ISZERO:
      g.r = aa_bit_of(u256_is_zero(&g.a));
      aa_row_begin(rows, ARITH_AIR_K_ISZERO, &g);
      aa_core(rows, &g.a, &one, &zero, NULL, NULL);
      return 0;
    case EVM_OP_AND: case EVM_OP_OR: case EVM_OP_XOR: {
      arith_air_kind k = opcode == EVM_OP_AND  ? ARITH_AIR_K_AND
                         : opcode == EVM_OP_OR ? ARITH_AIR_K_OR
                                               : ARITH_AIR_K_XOR;
      if (opcode == EVM_OP_AND) u256_and(&g.r, &g.a, &g.b);
      else if (opcode == EVM_OP_OR) u256_or(&g.r, &g.a, &g.b);
      else u256_xor(&g.r, &g.a, &g.b);
      aa_row_begin(rows, k, &g);
      aa_core(rows, &g.a, &g.b, &zero, NULL, NULL);
      return 0;
    }
    case EVM_OP_CLZ: {
      /* a * 2^n has its top bit set for n = the leading zeros of a != 0 */
      unsigned nb = u256_bits(&g.a), lz = 256u - nb;
      u256 p2;
      u256_shl(&p2, &one, nb ? lz : 0u);
      g.r = u256_from_u64(lz);
      aa_row_begin(rows, ARITH_AIR_K_CLZ, &g);
      aa_core(rows, &g.a, &p2, &zero, NULL, NULL);
      return 0;
    }
    case EVM_OP_NOT:
      u256_not(&g.r, &g.a);
      aa_row_begin(rows, ARITH_AIR_K_NOT, &g);
      aa_core(rows, &g.a, &one, &zero, NULL, NULL);
      return 0;
    case EVM_OP_SHL: case EVM_OP_SHR: case EVM_OP_SAR: {
      /* a = shift, b = value (the EVM's stack order) */
      int big = !u256_fits64(&g.a) || g.a.w[0] >= 256;
      unsigned sh = big ? 255u : (unsigned)g.a.w[0];
      u256 a_hi = g.a, a_lo = u256_from_u64(g.a.w[0] & 0xffu), p2, x, rem, mask;
      a_hi.w[0] &= ~(uint64_t)0xff;
      u256_shl(&p2, &one, sh);
      arith_air_kind k;
      const u256 *xv, *yv = &p2, *zv;
      if (opcode == EVM_OP_SHL) {
        u256_shl(&g.r, &g.b, sh);
        if (big) g.r = zero;
        k = ARITH_AIR_K_SHL_V;
        xv = &g.b;
        zv = &zero;
      } else {
        /* SAR works on the value or its complement, which is non-negative */
        g.sb = opcode == EVM_OP_SAR ? (unsigned)u256_is_neg(&g.b) : 0;
        u256 v = g.b;
        if (g.sb) u256_not(&v, &g.b);
        u256_shr(&x, &v, sh);
        u256_sub(&mask, &p2, &one);
        u256_and(&rem, &v, &mask);
        if (opcode == EVM_OP_SHR) {
          g.r = big ? zero : x;
          k = ARITH_AIR_K_SHR_V;
        } else {
          g.r = x;
          if (g.sb) u256_not(&g.r, &x);
          k = ARITH_AIR_K_SAR_V;
        }
        xv = &x;
        zv = &rem;
      }
      aa_row_begin(rows, ARITH_AIR_K_SH_AMT, &g);
      aa_core(rows, &a_hi, &one, &a_lo, NULL, NULL);
      aa_row_begin(rows + W, k, &g);
      rows[W + ARITH_AIR_S] = big ? BB_ONE : 0;
      aa_core(rows + W, xv, yv, zv, NULL, NULL);
      return 0;
    }
    case EVM_OP_BYTE: case EVM_OP_SIGNEXTEND: {
      /* a = byte index, b = value; s = 8 (31 - a) (BYTE) or 8 a + 7
       * (SIGNEXTEND), 255 when a >= 32; q = b >> s, rem = b mod 2^s */
      int is_byte = opcode == EVM_OP_BYTE;
      int big = !u256_fits64(&g.a) || g.a.w[0] >= 32;
      unsigned idx = big ? 0u : (unsigned)g.a.w[0];
      unsigned sh = big ? 255u : is_byte ? 8u * (31u - idx) : 8u * idx + 7u;
      u256 a_hi = g.a, a_lo = u256_from_u64(g.a.w[0] & 31u), p2, q, rem, mask;
      a_hi.w[0] &= ~(uint64_t)31;
      u256_shl(&p2, &one, sh);
      u256_shr(&q, &g.b, sh);
      u256_sub(&mask, &p2, &one);
      u256_and(&rem, &g.b, &mask);
      if (is_byte) {
        g.r = big ? zero : u256_from_u64(q.w[0] & 0xffu);
      } else {
        g.r = rem;
        if (q.w[0] & 1) {
          u256 hi;
          u256_not(&hi, &mask);
          u256_or(&g.r, &rem, &hi);
        }
      }
      aa_row_begin(rows, is_byte ? ARITH_AIR_K_BY_AMT : ARITH_AIR_K_SX_AMT, &g);
      aa_core(rows, &a_hi, &one, &a_lo, NULL, NULL);
      aa_row_begin(rows + W, is_byte ? ARITH_AIR_K_BYTE_V : ARITH_AIR_K_SX_V, &g);
      rows[W + ARITH_AIR_S] = big ? BB_ONE : 0;
      aa_core(rows + W, &q, &p2, &rem, NULL, NULL);
      return 0;
    }
    case EVM_OP_DIV: case EVM_OP_MOD: {
      u256 q = zero, r = g.a;
      if (!u256_is_zero(&g.b)) u256_divmod(&q, &r, &g.a, &g.b);
      g.v = g.b;
      g.r = u256_is_zero(&g.b) ? zero : opcode == EVM_OP_DIV ? q : r;
      u256_sub(&d, &g.b, &r);
      aa_row_begin(rows, ARITH_AIR_K_DM_CHK, &g);
      aa_core(rows, &d, &one, &r, NULL, NULL);
      aa_row_begin(rows + W, opcode == EVM_OP_DIV ? ARITH_AIR_K_DIV_Q : ARITH_AIR_K_MOD_Q, &g);
      aa_core(rows + W, &q, &g.b, &r, NULL, NULL);
      return 0;
    }
    case EVM_OP_SDIV: case EVM_OP_SMOD: {
      int is_div = opcode == EVM_OP_SDIV;
      g.sa = (unsigned)u256_is_neg(&g.a);
      g.sb = (unsigned)u256_is_neg(&g.b);
      g.u = g.a;
      if (g.sa) u256_neg(&g.u, &g.a);
      g.v = g.b;
      if (g.sb) u256_neg(&g.v, &g.b);
      u256 qq = zero, rr = g.u;
      if (!u256_is_zero(&g.v)) u256_divmod(&qq, &rr, &g.u, &g.v);
      unsigned s_fix = is_div ? g.sa ^ g.sb : g.sa;
      u256 in = is_div ? qq : rr, out = in;
      if (s_fix) u256_neg(&out, &in);
      g.r = u256_is_zero(&g.v) ? zero : out;
      aa_row_begin(rows, ARITH_AIR_K_NEG_A, &g);
      rows[ARITH_AIR_S] = g.sa ? BB_ONE : 0;
      aa_core(rows, &g.u, &one, g.sa ? &g.a : &zero, NULL, NULL);
      bb_t *row = rows + W;
      aa_row_begin(row, ARITH_AIR_K_NEG_B, &g);
      row[ARITH_AIR_S] = g.sb ? BB_ONE : 0;
      aa_core(row, &g.v, &one, g.sb ? &g.b : &zero, NULL, NULL);
      row += W;
      u256_sub(&d, &g.v, &rr);
      aa_row_begin(row, ARITH_AIR_K_SD_CHK, &g);
      aa_core(row, &d, &one, &rr, NULL, NULL);
      row += W;
      aa_row_begin(row, is_div ? ARITH_AIR_K_SDIV_Q : ARITH_AIR_K_SMOD_Q, &g);
      aa_core(row, &qq, &g.v, &rr, NULL, NULL);
      row += W;
      aa_row_begin(row, is_div ? ARITH_AIR_K_SDIV_FIX : ARITH_AIR_K_SMOD_FIX, &g);
      row[ARITH_AIR_S] = s_fix ? BB_ONE : 0;
      aa_core(row, &out, &one, s_fix ? &in : &zero, NULL, NULL);
      return 0;
    }
    case EVM_OP_ADDMOD: case EVM_OP_MULMOD: {
      int is_add = opcode == EVM_OP_ADDMOD;
      u256 sh, sl;
      if (is_add) {
        sh = aa_bit_of(u256_add(&sl, &g.a, &g.b));
      } else {
        u256_mul_wide(&sh, &sl, &g.a, &g.b);
      }
      u256 qh = zero, ql = zero, r = sl;
      if (!u256_is_zero(&g.c)) aa_divmod_wide(&qh, &ql, &r, &sh, &sl, &g.c);
      g.v = g.c;
      g.r = u256_is_zero(&g.c) ? zero : r;
      /* T1 = ql * N + r; U = its low word */
      u256 t1h, t1l;
      u256_mul_wide(&t1h, &t1l, &ql, &g.c);
      if (u256_add(&t1l, &t1l, &r)) u256_add(&t1h, &t1h, &one);
      g.u = t1l;
      u256_sub(&d, &g.c, &r);
      aa_row_begin(rows, ARITH_AIR_K_MD_CHK, &g);
      aa_core(rows, &d, &one, &r, NULL, NULL);
      aa_row_begin(rows + W, ARITH_AIR_K_MD_Q1, &g);
      aa_core(rows + W, &ql, &g.c, &r, NULL, NULL);
      aa_row_begin(rows + 2 * W, ARITH_AIR_K_MD_Q2, &g);
      aa_core(rows + 2 * W, &qh, &g.c, &t1h, NULL, NULL);
      aa_row_begin(rows + 3 * W, is_add ? ARITH_AIR_K_ADDMOD_S : ARITH_AIR_K_MULMOD_P, &g);
      aa_core(rows + 3 * W, &g.a, is_add ? &one : &g.b, is_add ? &g.b : &zero, NULL, NULL);
      return 0;
    }
    case EVM_OP_EXP: {
      const u256 *ex = &g.b;
      unsigned nb = u256_bits(ex);
      if (nb == 0) {
        g.r = one;
        aa_row_begin(rows, ARITH_AIR_K_EXP_ZERO, &g);
        aa_core(rows, &zero, &zero, &zero, NULL, NULL);
        return 0;
      }
      /* the result first: every row carries it */
      u256 acc = g.a;
      for (int i = (int)nb - 2; i >= 0; i--) {
        u256_mul(&acc, &acc, &acc);
        if (aa_bit(ex, (unsigned)i)) u256_mul(&acc, &acc, &g.a);
      }
      g.r = acc;
      u256 e_read = one;
      bb_t *row = rows;
      aa_row_begin(row, ARITH_AIR_K_EXP_TOP, &g);
      aa_put_bits(row + ARITH_AIR_EB, &e_read);
      aa_core(row, &g.a, &one, &zero, NULL, &acc);
      for (int i = (int)nb - 2; i >= 0; i--) {
        row += W;
        u256_shl(&e_read, &e_read, 1);
        aa_row_begin(row, ARITH_AIR_K_EXP_SQ, &g);
        aa_put_bits(row + ARITH_AIR_EB, &e_read);
        t = acc;
        aa_core(row, &t, &t, &zero, NULL, &acc);
        if (aa_bit(ex, (unsigned)i)) {
          row += W;
          e_read.w[0] |= 1;
          aa_row_begin(row, ARITH_AIR_K_EXP_MUL, &g);
          aa_put_bits(row + ARITH_AIR_EB, &e_read);
          t = acc;
          aa_core(row, &t, &g.a, &zero, NULL, &acc);
        }
      }
      return 0;
    }
    default:
      return STARK_ERR_ARG;
  }
}

int arith_air_result(const bb_t *row, uint8_t out[32]) {
  if (!row || !out) return STARK_ERR_ARG;
  for (unsigned k = 0; k < ARITH_AIR_LIMBS; k++) {
    uint32_t v = bb_to_u32(row[ARITH_AIR_R + k]);
    if (v > 0xffu) return STARK_ERR_ARG;
    out[31 - k] = (uint8_t)v;
  }
  return 0;
}

static size_t aa_op_rows(const arith_air_op *op) {
  return arith_air_rows_for(op->opcode, op->a, op->b, op->c);
}

size_t arith_air_rows(const arith_air_op *ops, size_t n) {
  const size_t max = (size_t)1 << STARK_MAX_LOG_ROWS;
  if (n && !ops) return 0;
  size_t need = 0;
  for (size_t i = 0; i < n; i++) {
    size_t r = aa_op_rows(&ops[i]);
    if (!r || need + r > max) return 0;
    need += r;
  }
  size_t rows = 2;
  while (rows < need) rows <<= 1;
  return rows;
}

int arith_air_trace(const arith_air_op *ops, size_t n, bb_t **trace, unsigned *log_n) {
  if (!trace || !log_n) return STARK_ERR_ARG;
  *trace = NULL;
  size_t rows = arith_air_rows(ops, n);
  if (!rows) return STARK_ERR_ARG;
  bb_t *t = calloc(rows * ARITH_AIR_WIDTH, sizeof *t);
  if (!t) return STARK_ERR_NOMEM;
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = arith_air_fill(ops[i].opcode, ops[i].a, ops[i].b, ops[i].c, t + at * ARITH_AIR_WIDTH);
    if (rc) {
      free(t);
      return rc;
    }
    at += aa_op_rows(&ops[i]);
  }
  unsigned lg = 0;
  while (((size_t)1 << lg) < rows) lg++;
  *trace = t;
  *log_n = lg;
  return 0;
}
