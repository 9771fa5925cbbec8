/* 256-bit arithmetic AIR: for every opcode, on edge and random operands, the
 * generated rows satisfy the constraints (stark_air_check, and eval_ext
 * directly) and their result equals GMP's; row counts follow the table in
 * arith_air.h (EXP for every exponent length 0..256; BYTE and SIGNEXTEND for
 * every byte index 0..40 and huge ones; CLZ for every bit length 0..256); the
 * base and extension
 * evaluations agree; every single-limb pair is checked for the carry and
 * sign-flip logic; changed result limbs, carries and bit columns, and forged
 * quotients, remainders and results, break a constraint; a trace of mixed
 * instructions proves and verifies while a tampered one does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>

#include "evm/gas.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/arith_air.h"

#define W ARITH_AIR_WIDTH

#define ATU_SEED 0x2545f4914f6cdd1dull
#include "air_test_util.h"

static const uint8_t opcodes[] = {
    EVM_OP_ADD,    EVM_OP_SUB,    EVM_OP_MUL, EVM_OP_DIV, EVM_OP_SDIV, EVM_OP_MOD,
    EVM_OP_SMOD,   EVM_OP_ADDMOD, EVM_OP_MULMOD, EVM_OP_EXP, EVM_OP_LT, EVM_OP_GT,
    EVM_OP_SLT,    EVM_OP_SGT,    EVM_OP_EQ,  EVM_OP_ISZERO, EVM_OP_AND, EVM_OP_OR,
    EVM_OP_XOR,    EVM_OP_NOT, EVM_OP_SHL, EVM_OP_SHR, EVM_OP_SAR, EVM_OP_BYTE,
    EVM_OP_SIGNEXTEND, EVM_OP_CLZ};
#define NOPS (sizeof opcodes / sizeof *opcodes)

/* ---- the reference: GMP on big-endian bytes ---- */

static void be_to_mpz(mpz_t z, const uint8_t w[32]) { mpz_import(z, 32, 1, 1, 1, 0, w); }

/* z mod 2^256 (z may be negative) to big-endian bytes. */
static void mpz_to_be(uint8_t w[32], const mpz_t z) {
  mpz_t t;
  mpz_init(t);
  mpz_fdiv_r_2exp(t, z, 256);
  memset(w, 0, 32);
  size_t cnt = 0;
  uint8_t buf[32];
  mpz_export(buf, &cnt, 1, 1, 1, 0, t);
  memcpy(w + 32 - cnt, buf, cnt);
  mpz_clear(t);
}

/* Two's complement value of a word. */
static void be_to_mpz_signed(mpz_t z, const uint8_t w[32]) {
  be_to_mpz(z, w);
  if (w[0] & 0x80) {
    mpz_t m;
    mpz_init_set_ui(m, 1);
    mpz_mul_2exp(m, m, 256);
    mpz_sub(z, z, m);
    mpz_clear(m);
  }
}

static void reference(uint8_t op, const uint8_t a[32], const uint8_t b[32], const uint8_t c[32],
                      uint8_t out[32]) {
  mpz_t x, y, m, r;
  mpz_inits(x, y, m, r, NULL);
  int is_signed = op == EVM_OP_SDIV || op == EVM_OP_SMOD || op == EVM_OP_SLT || op == EVM_OP_SGT;
  if (op == EVM_OP_SAR) { /* unsigned shift, signed value */
    be_to_mpz(x, a);
    be_to_mpz_signed(y, b);
  } else if (is_signed) {
    be_to_mpz_signed(x, a);
    be_to_mpz_signed(y, b);
  } else {
    be_to_mpz(x, a);
    be_to_mpz(y, b);
  }
  be_to_mpz(m, c);
  switch (op) {
    case EVM_OP_ADD: mpz_add(r, x, y); break;
    case EVM_OP_SUB: mpz_sub(r, x, y); break;
    case EVM_OP_MUL: mpz_mul(r, x, y); break;
    case EVM_OP_DIV:
      if (mpz_sgn(y)) mpz_fdiv_q(r, x, y);
      break;
    case EVM_OP_MOD:
      if (mpz_sgn(y)) mpz_fdiv_r(r, x, y);
      break;
    case EVM_OP_SDIV: /* truncation toward zero */
      if (mpz_sgn(y)) mpz_tdiv_q(r, x, y);
      break;
    case EVM_OP_SMOD: /* sign of the dividend */
      if (mpz_sgn(y)) mpz_tdiv_r(r, x, y);
      break;
    case EVM_OP_ADDMOD:
      if (mpz_sgn(m)) {
        mpz_add(r, x, y);
        mpz_mod(r, r, m);
      }
      break;
    case EVM_OP_MULMOD:
      if (mpz_sgn(m)) {
        mpz_mul(r, x, y);
        mpz_mod(r, r, m);
      }
      break;
    case EVM_OP_EXP: {
      mpz_t mod;
      mpz_init_set_ui(mod, 1);
      mpz_mul_2exp(mod, mod, 256);
      mpz_powm(r, x, y, mod);
      if (mpz_sgn(y) == 0) mpz_set_ui(r, 1);
      mpz_clear(mod);
      break;
    }
    case EVM_OP_LT: case EVM_OP_SLT: mpz_set_ui(r, mpz_cmp(x, y) < 0); break;
    case EVM_OP_GT: case EVM_OP_SGT: mpz_set_ui(r, mpz_cmp(x, y) > 0); break;
    case EVM_OP_EQ: mpz_set_ui(r, mpz_cmp(x, y) == 0); break;
    case EVM_OP_ISZERO: mpz_set_ui(r, mpz_sgn(x) == 0); break;
    case EVM_OP_AND: mpz_and(r, x, y); break;
    case EVM_OP_OR: mpz_ior(r, x, y); break;
    case EVM_OP_XOR: mpz_xor(r, x, y); break;
    case EVM_OP_NOT: mpz_com(r, x); break; /* -x - 1, reduced mod 2^256 */
    case EVM_OP_SHL: /* value b shifted by a */
      if (mpz_cmp_ui(x, 256) < 0) mpz_mul_2exp(r, y, mpz_get_ui(x));
      break;
    case EVM_OP_SHR:
      if (mpz_cmp_ui(x, 256) < 0) mpz_fdiv_q_2exp(r, y, mpz_get_ui(x));
      break;
    case EVM_OP_SAR: /* floor division of the signed value */
      if (mpz_cmp_ui(x, 256) < 0) mpz_fdiv_q_2exp(r, y, mpz_get_ui(x));
      else mpz_set_si(r, mpz_sgn(y) < 0 ? -1 : 0);
      break;
    case EVM_OP_BYTE: /* byte a of b, counted from the most significant */
      if (mpz_cmp_ui(x, 32) < 0) {
        mpz_fdiv_q_2exp(r, y, 8 * (31 - mpz_get_ui(x)));
        mpz_fdiv_r_2exp(r, r, 8);
      }
      break;
    case EVM_OP_SIGNEXTEND: /* b's low 8 (a + 1) bits as a two's complement number */
      if (mpz_cmp_ui(x, 31) < 0) {
        unsigned long nb = 8 * (mpz_get_ui(x) + 1);
        mpz_fdiv_r_2exp(r, y, nb);
        if (mpz_tstbit(r, nb - 1)) {
          mpz_t p;
          mpz_init(p);
          mpz_ui_pow_ui(p, 2, nb);
          mpz_sub(r, r, p);
          mpz_clear(p);
        }
      } else {
        mpz_set(r, y);
      }
      break;
    case EVM_OP_CLZ: /* leading zero bits of a; 256 for 0 */
      mpz_set_ui(r, mpz_sgn(x) ? 256 - mpz_sizeinbase(x, 2) : 256);
      break;
    default: fail_msg("no reference for opcode %02x", op);
  }
  mpz_to_be(out, r);
  mpz_clears(x, y, m, r, NULL);
}

/* ---- operands ---- */

enum { NEDGE = 12 };
/* 0, 1, 2, 2^255 - 1, 2^255, 2^256 - 1, 2^256 - 2 (-2), 2^128, 3, 2^64 - 1,
 * 2^255 + 1, 0x80 in the low byte. */
static void edge(unsigned i, uint8_t w[32]) {
  memset(w, 0, 32);
  switch (i) {
    case 0: break;
    case 1: w[31] = 1; break;
    case 2: w[31] = 2; break;
    case 3: memset(w, 0xff, 32); w[0] = 0x7f; break;
    case 4: w[0] = 0x80; break;
    case 5: memset(w, 0xff, 32); break;
    case 6: memset(w, 0xff, 32); w[31] = 0xfe; break;
    case 7: w[15] = 1; break;
    case 8: w[31] = 3; break;
    case 9: memset(w + 24, 0xff, 8); break;
    case 10: w[0] = 0x80; w[31] = 1; break;
    default: w[31] = 0x80; break;
  }
}

/* Random word of a random shape: full, short, sparse, negative, all-ones. */
static void rnd_word(uint8_t w[32]) {
  for (int i = 0; i < 32; i++) w[i] = (uint8_t)atu_rnd64();
  switch (atu_rnd64() % 8) {
    case 0: memset(w, 0, 24); break;
    case 1: memset(w, 0, 31); break;
    case 2: memset(w, 0, 16); break;
    case 3: w[0] |= 0x80; break;
    case 4: memset(w, 0xff, 16); break;
    case 5: memset(w, 0, 32); w[atu_rnd64() % 32] = (uint8_t)atu_rnd64(); break;
    default: break;
  }
}

/* ---- checking ---- */

static int op_kind_last(uint8_t op, const bb_t *row) {
  int k = -1;
  for (int i = 0; i < ARITH_AIR_NKINDS; i++)
    if (row[ARITH_AIR_SEL + i] == BB_ONE) {
      assert_int_equal(k, -1);
      k = i;
    }
  (void)op;
  return k;
}

/* The kind(s) the last row of an instruction may have. */
static int last_kind_ok(uint8_t op, int k) {
  switch (op) {
    case EVM_OP_ADD: return k == ARITH_AIR_K_ADD;
    case EVM_OP_SUB: return k == ARITH_AIR_K_SUB;
    case EVM_OP_MUL: return k == ARITH_AIR_K_MUL;
    case EVM_OP_DIV: return k == ARITH_AIR_K_DIV_Q;
    case EVM_OP_MOD: return k == ARITH_AIR_K_MOD_Q;
    case EVM_OP_SDIV: return k == ARITH_AIR_K_SDIV_FIX;
    case EVM_OP_SMOD: return k == ARITH_AIR_K_SMOD_FIX;
    case EVM_OP_ADDMOD: return k == ARITH_AIR_K_ADDMOD_S;
    case EVM_OP_MULMOD: return k == ARITH_AIR_K_MULMOD_P;
    case EVM_OP_EXP:
      return k == ARITH_AIR_K_EXP_ZERO || k == ARITH_AIR_K_EXP_TOP || k == ARITH_AIR_K_EXP_SQ ||
             k == ARITH_AIR_K_EXP_MUL;
    case EVM_OP_LT: return k == ARITH_AIR_K_LT;
    case EVM_OP_GT: return k == ARITH_AIR_K_GT;
    case EVM_OP_SLT: return k == ARITH_AIR_K_SLT;
    case EVM_OP_SGT: return k == ARITH_AIR_K_SGT;
    case EVM_OP_EQ: return k == ARITH_AIR_K_EQ;
    case EVM_OP_ISZERO: return k == ARITH_AIR_K_ISZERO;
    case EVM_OP_AND: return k == ARITH_AIR_K_AND;
    case EVM_OP_OR: return k == ARITH_AIR_K_OR;
    case EVM_OP_XOR: return k == ARITH_AIR_K_XOR;
    case EVM_OP_NOT: return k == ARITH_AIR_K_NOT;
    case EVM_OP_SHL: return k == ARITH_AIR_K_SHL_V;
    case EVM_OP_SHR: return k == ARITH_AIR_K_SHR_V;
    case EVM_OP_SAR: return k == ARITH_AIR_K_SAR_V;
    case EVM_OP_BYTE: return k == ARITH_AIR_K_BYTE_V;
    case EVM_OP_SIGNEXTEND: return k == ARITH_AIR_K_SX_V;
    case EVM_OP_CLZ: return k == ARITH_AIR_K_CLZ;
    default: return 0;
  }
}

static size_t expected_rows(uint8_t op, const uint8_t b[32]) {
  switch (op) {
    case EVM_OP_DIV: case EVM_OP_MOD: case EVM_OP_SHL: case EVM_OP_SHR: case EVM_OP_SAR:
    case EVM_OP_BYTE: case EVM_OP_SIGNEXTEND:
      return 2;
    case EVM_OP_SDIV: case EVM_OP_SMOD: return 5;
    case EVM_OP_ADDMOD: case EVM_OP_MULMOD: return 4;
    case EVM_OP_EXP: {
      int top = -1, pop = 0;
      for (int i = 0; i < 256; i++)
        if ((b[31 - i / 8] >> (i % 8)) & 1) {
          top = i;
          pop++;
        }
      return top < 0 ? 1 : (size_t)top + (size_t)pop;
    }
    default: return 1;
  }
}

/* Build the trace of ops, check it satisfies the AIR, and that every row of
 * every instruction carries GMP's result and the right kinds. */
static void check_ops(const arith_air_op *ops, size_t n) {
  bb_t *t = NULL;
  unsigned lg = 0;
  assert_int_equal(arith_air_trace(ops, n, &t, &lg), 0);
  size_t rows = (size_t)1 << lg, at = 0;
  size_t bad_row = 0;
  int bad_c = -1;
  int rc = stark_air_check(arith_air(), t, rows, NULL, &bad_row, &bad_c);
  if (rc) {
    size_t s = 0, i = 0;
    for (; i < n; i++) {
      size_t r = arith_air_rows_for(ops[i].opcode, ops[i].a, ops[i].b, ops[i].c);
      if (bad_row < s + r) break;
      s += r;
    }
    fail_msg("constraint %d fails on row %zu (instruction %zu, opcode 0x%02x, its row %zu)", bad_c,
             bad_row, i, i < n ? ops[i].opcode : 0, bad_row - s);
  }
  for (size_t i = 0; i < n; i++) {
    const arith_air_op *o = &ops[i];
    size_t r = arith_air_rows_for(o->opcode, o->a, o->b, o->c);
    assert_int_equal(r, expected_rows(o->opcode, o->b));
    uint8_t want[32], got[32];
    reference(o->opcode, o->a, o->b, o->c, want);
    for (size_t j = 0; j < r; j++) {
      assert_int_equal(arith_air_result(t + (at + j) * W, got), 0);
      if (memcmp(want, got, 32) != 0) fail_msg("opcode 0x%02x: result differs from GMP", o->opcode);
    }
    int k = op_kind_last(o->opcode, t + (at + r - 1) * W);
    assert_true(last_kind_ok(o->opcode, k));
    at += r;
  }
  for (; at < rows; at++)
    for (unsigned j = 0; j < W; j++) assert_int_equal(t[at * W + j], 0);
  free(t);
}

static arith_air_op mk(uint8_t op, const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]) {
  arith_air_op o;
  o.opcode = op;
  memcpy(o.a, a, 32);
  memcpy(o.b, b, 32);
  memcpy(o.c, c, 32);
  return o;
}

/* ---- tests ---- */

static void test_shape(void **state) {
  (void)state;
  const stark_air *air = arith_air();
  assert_int_equal(arith_air_width(), 2533);
  assert_int_equal(air->width, ARITH_AIR_WIDTH);
  assert_int_equal(air->num_constraints, 3322);
  assert_int_equal(air->max_degree, 3);
  assert_int_equal(air->num_public, 0);
  assert_non_null(air->eval_base);
  assert_int_equal(stark_air_quotient_chunks(air), 2);
  /* the carry widths: recomputed from the worst column (every limb 255) */
  uint64_t cmax = 0;
  unsigned total = 0;
  for (unsigned k = 0; k < ARITH_AIR_NCARRIES; k++) {
    uint64_t nprod = k < 31 ? k + 1 : 63 - k;
    uint64_t colmax = nprod * 255 * 255 + (k < 32 ? 255 : 0) + cmax;
    /* both sides of a column equation stay far below p */
    assert_true(colmax + ((uint64_t)1 << 13) < BB_P / 2);
    cmax = colmax >> 8;
    unsigned bits = 0;
    while ((cmax >> bits) != 0) bits++;
    assert_int_equal(ARITH_AIR_CARRY_BITS[k], bits);
    assert_int_equal(arith_air_carry_col(k), ARITH_AIR_CARRY + total);
    total += bits;
  }
  assert_int_equal(cmax, 255); /* c_62 = H_31 */
  assert_int_equal(total, ARITH_AIR_CARRY_BITS_TOTAL);
  for (size_t i = 0; i < NOPS; i++) assert_true(arith_air_supports(opcodes[i]));
  assert_int_equal(NOPS, 26);
  assert_false(arith_air_supports(EVM_OP_KECCAK256));
  assert_false(arith_air_supports(0xff));
  /* the all-zero trace (padding only) satisfies the AIR */
  bb_t *t = NULL;
  unsigned lg = 0;
  assert_int_equal(arith_air_trace(NULL, 0, &t, &lg), 0);
  assert_int_equal(lg, 1);
  assert_int_equal(stark_air_check(air, t, 2, NULL, NULL, NULL), 0);
  free(t);
}

/* Every opcode on every pair of edge operands (and edge moduli). */
static void test_edges(void **state) {
  (void)state;
  arith_air_op *ops = malloc(sizeof *ops * NEDGE * NEDGE * NEDGE);
  assert_non_null(ops);
  uint8_t a[32], b[32], c[32] = {0};
  for (size_t oi = 0; oi < NOPS; oi++) {
    uint8_t op = opcodes[oi];
    int three = op == EVM_OP_ADDMOD || op == EVM_OP_MULMOD;
    size_t n = 0;
    for (unsigned i = 0; i < NEDGE; i++)
      for (unsigned j = 0; j < NEDGE; j++)
        for (unsigned m = 0; m < (three ? NEDGE : 1u); m++) {
          edge(i, a);
          edge(j, b);
          if (three) edge(m, c);
          ops[n++] = mk(op, a, b, c);
        }
    check_ops(ops, n);
  }
  free(ops);
}

static void test_random(void **state) {
  (void)state;
  enum { PER = 48 };
  arith_air_op ops[PER];
  uint8_t a[32], b[32], c[32];
  for (size_t oi = 0; oi < NOPS; oi++) {
    for (int i = 0; i < PER; i++) {
      rnd_word(a);
      rnd_word(b);
      rnd_word(c);
      if (opcodes[oi] == EVM_OP_EXP && i % 2) memset(b, 0, 28); /* short exponents too */
      if (i % 7 == 0) memcpy(b, a, 32); /* equal operands */
      if (i % 11 == 0) memset(c, 0, 31); /* small moduli, including 0 and 1 */
      ops[i] = mk(opcodes[oi], a, b, c);
    }
    check_ops(ops, PER);
  }
}

/* EXP with exponents of every bit length 0..256 (dense and sparse), and the
 * row count n + popcount - 1. */
static void test_exp_lengths(void **state) {
  (void)state;
  arith_air_op ops[2];
  uint8_t a[32], e[32], z[32] = {0};
  for (int len = 0; len <= 256; len++) {
    for (int dense = 0; dense < 2; dense++) {
      memset(e, 0, 32);
      for (int i = 0; i < len; i++)
        if (dense ? atu_rnd64() % 4 != 0 : i == len - 1 || atu_rnd64() % 16 == 0)
          e[31 - i / 8] |= (uint8_t)(1u << (i % 8));
      if (len) e[31 - (len - 1) / 8] |= (uint8_t)(1u << ((len - 1) % 8));
      rnd_word(a);
      if (len % 5 == 0) edge((unsigned)len % NEDGE, a);
      ops[dense] = mk(EVM_OP_EXP, a, e, z);
    }
    check_ops(ops, 2);
  }
  memset(e, 0xff, 32);
  assert_int_equal(arith_air_rows_for(EVM_OP_EXP, a, e, NULL), ARITH_AIR_MAX_ROWS_PER_OP);
}

/* SHL, SHR, SAR by every amount 0..300 and by huge amounts, on values of
 * both signs. */
static void test_shifts(void **state) {
  (void)state;
  enum { NV = 4, NS = 301 + 3 };
  static arith_air_op ops[3 * NV * NS];
  uint8_t v[32], sh[32], z[32] = {0};
  size_t n = 0;
  const uint8_t sops[] = {EVM_OP_SHL, EVM_OP_SHR, EVM_OP_SAR};
  for (int vi = 0; vi < NV; vi++) {
    rnd_word(v);
    if (vi == 0) v[0] |= 0x80;
    if (vi == 1) v[0] &= 0x7f;
    if (vi == 2) memset(v, 0xff, 32);
    for (int si = 0; si < NS; si++) {
      memset(sh, 0, 32);
      if (si <= 300) {
        sh[31] = (uint8_t)si;
        sh[30] = (uint8_t)(si >> 8);
      } else if (si == 301) {
        memset(sh, 0xff, 32);
      } else if (si == 302) {
        sh[0] = 1; /* 2^248: low byte 0 */
      } else {
        sh[23] = 1; /* 2^64 */
        sh[31] = 3;
      }
      for (int k = 0; k < 3; k++) ops[n++] = mk(sops[k], sh, v, z);
    }
  }
  check_ops(ops, n);
}

/* BYTE and SIGNEXTEND by every byte index 0..40 and by huge indices (2^64 + 3,
 * 2^248, 2^256 - 1, 256 + 5: the low bits alone would name a byte), on values
 * of both signs and with a sign bit set in every byte. */
static void test_byte_signextend(void **state) {
  (void)state;
  enum { NV = 5, NI = 41 + 4 };
  static arith_air_op ops[2 * NV * NI];
  uint8_t v[32], ix[32], z[32] = {0};
  size_t n = 0;
  for (int vi = 0; vi < NV; vi++) {
    rnd_word(v);
    if (vi == 0) v[0] |= 0x80;
    if (vi == 1) v[0] &= 0x7f;
    if (vi == 2) memset(v, 0x80, 32); /* every byte's top bit set, the rest clear */
    if (vi == 3) memset(v, 0x7f, 32);
    for (int ii = 0; ii < NI; ii++) {
      memset(ix, 0, 32);
      if (ii <= 40) {
        ix[31] = (uint8_t)ii;
      } else if (ii == 41) {
        ix[23] = 1; /* 2^64 + 3 */
        ix[31] = 3;
      } else if (ii == 42) {
        ix[0] = 1; /* 2^248 */
      } else if (ii == 43) {
        memset(ix, 0xff, 32);
      } else {
        ix[30] = 1; /* 261 */
        ix[31] = 5;
      }
      ops[n++] = mk(EVM_OP_BYTE, ix, v, z);
      ops[n++] = mk(EVM_OP_SIGNEXTEND, ix, v, z);
    }
  }
  check_ops(ops, n);
}

/* Every pair of byte values through the carry and range logic of one limb:
 * MUL of two one-limb words (product spans limbs 0 and 1), ADD of two words
 * whose only non-zero limb is the top one (the carry leaves into H), SLT and
 * SUB on the top limb (the sign flip and the borrow), and OR, XOR on the top
 * limb (the per-bit products). One row plus a padding
 * row at a time. PKB_TEST_STRIDE=N (the sanitizer run) takes every N-th
 * second limb. */
static void test_exhaustive_limb(void **state) {
  (void)state;
  const char *sv = getenv("PKB_TEST_STRIDE");
  unsigned stride = sv && atoi(sv) > 0 ? (unsigned)atoi(sv) : 1;
  const stark_air *air = arith_air();
  bb_t *t = malloc(sizeof *t * W * 2);
  assert_non_null(t);
  uint8_t a[32], b[32], want[32], got[32];
  const uint8_t ops[] = {EVM_OP_MUL, EVM_OP_ADD, EVM_OP_SLT, EVM_OP_SUB, EVM_OP_OR, EVM_OP_XOR};
  for (size_t oi = 0; oi < sizeof ops; oi++) {
    int pos = ops[oi] == EVM_OP_MUL ? 31 : 0; /* byte index, big-endian */
    for (unsigned x = 0; x < 256; x++)
      for (unsigned y = x % stride; y < 256; y += stride) {
        memset(a, 0, 32);
        memset(b, 0, 32);
        a[pos] = (uint8_t)x;
        b[pos] = (uint8_t)y;
        memset(t, 0, sizeof *t * W * 2);
        assert_int_equal(arith_air_fill(ops[oi], a, b, NULL, t), 0);
        if (stark_air_check(air, t, 2, NULL, NULL, NULL) != 0)
          fail_msg("opcode 0x%02x limbs %u %u", ops[oi], x, y);
        reference(ops[oi], a, b, a, want);
        assert_int_equal(arith_air_result(t, got), 0);
        if (memcmp(want, got, 32)) fail_msg("opcode 0x%02x limbs %u %u: result", ops[oi], x, y);
      }
  }
  free(t);
}

/* One instruction of each opcode, on random operands (EXP with a short
 * exponent), in one trace. */
static bb_t *mixed_trace(unsigned *lg, size_t *n_rows_used) {
  arith_air_op ops[NOPS];
  uint8_t a[32], b[32], c[32];
  for (size_t i = 0; i < NOPS; i++) {
    rnd_word(a);
    rnd_word(b);
    rnd_word(c);
    if (opcodes[i] == EVM_OP_EXP) {
      memset(b, 0, 31);
      b[31] = 0xb5;
    }
    if (opcodes[i] == EVM_OP_SDIV || opcodes[i] == EVM_OP_SMOD) {
      a[0] |= 0x80; /* negative dividend */
      b[0] = 0;
    }
    ops[i] = mk(opcodes[i], a, b, c);
  }
  bb_t *t = NULL;
  assert_int_equal(arith_air_trace(ops, NOPS, &t, lg), 0);
  size_t used = 0;
  for (size_t i = 0; i < NOPS; i++) used += arith_air_rows_for(ops[i].opcode, ops[i].a, ops[i].b, ops[i].c);
  if (n_rows_used) *n_rows_used = used;
  return t;
}

static void test_constraints_hold_ext(void **state) {
  (void)state;
  unsigned lg;
  bb_t *t = mixed_trace(&lg, NULL);
  assert_int_equal(atu_check_ext(arith_air(), t, (size_t)1 << lg), -1);
  free(t);
}

/* A frame of the mixed trace ctx (an atu_frames over its used rows) with one
 * X cell set to a value that is not a bit. */
static void pick_frame(bb_t *loc, bb_t *nxt, void *ctx) {
  const atu_frames *f = ctx;
  size_t r = atu_rnd_below(f->rows);
  memcpy(loc, f->t + r * W, sizeof *loc * W);
  memcpy(nxt, f->t + (r + 1) * W, sizeof *nxt * W);
  loc[ARITH_AIR_X + atu_rnd_below(5 * 256)] = bb_from_u32(2 + atu_rnd_below(1000)); /* not a bit */
}

/* eval_base and eval_ext fold the same constraints: equal accumulators on
 * random rows and on rows of the mixed trace with a cell that is not a bit. */
static void test_base_ext_agree(void **state) {
  (void)state;
  unsigned lg;
  size_t used;
  bb_t *t = mixed_trace(&lg, &used);
  atu_frames f = {t, W, (uint32_t)used};
  atu_base_ext_agree(arith_air(), 12, pick_frame, &f);
  free(t);
}

/* Cell groups for tampering. */
static const atu_group groups[] = {
    {"result limb", ARITH_AIR_R, 32, 0},   {"carry bit", ARITH_AIR_CARRY, ARITH_AIR_CARRY_BITS_TOTAL, 1},
    {"X bit", ARITH_AIR_X, 256, 1},        {"Y bit", ARITH_AIR_Y, 256, 1},
    {"Z bit", ARITH_AIR_Z, 256, 1},        {"H bit", ARITH_AIR_H, 256, 1},
    {"L bit", ARITH_AIR_L, 256, 1},        {"A limb", ARITH_AIR_A, 32, 0},
    {"B limb", ARITH_AIR_B, 32, 0},        {"selector", ARITH_AIR_SEL, ARITH_AIR_NKINDS, 1},
};
#define NGROUPS (sizeof groups / sizeof *groups)

/* For every opcode (on a few operand sets, including b = 0 and N = 0), every
 * row of the instruction, every cell group: a changed cell (a bit flipped,
 * a limb +1 or a random value) breaks a constraint. */
static void test_tamper(void **state) {
  (void)state;
  const stark_air *air = arith_air();
  uint8_t a[32], b[32], c[32];
  long checked = 0;
  for (size_t oi = 0; oi < NOPS; oi++)
    for (int set = 0; set < 3; set++) {
      rnd_word(a);
      rnd_word(b);
      rnd_word(c);
      if (opcodes[oi] == EVM_OP_EXP) memset(b, 0, 24); /* up to 64-bit exponents: 127 rows */
      if (set == 1) {
        memset(b, 0, 32); /* divisor 0, exponent 0 */
        memset(c, 0, 32);
      }
      if (set == 2) {
        a[0] |= 0x80;
        b[0] |= 0x80;
        memset(c, 0, 31);
        c[31] = 1;
        if (opcodes[oi] == EVM_OP_EXP) memset(b, 0, 30);
      }
      arith_air_op op = mk(opcodes[oi], a, b, c);
      bb_t *t = NULL;
      unsigned lg;
      assert_int_equal(arith_air_trace(&op, 1, &t, &lg), 0);
      size_t n = (size_t)1 << lg;
      size_t r_used = arith_air_rows_for(op.opcode, a, b, c);
      assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
      for (size_t r = 0; r < r_used; r += (r_used > 12 ? r_used / 6 : 1))
        for (size_t gi = 0; gi < NGROUPS; gi++) {
          const atu_group *g = &groups[gi];
          /* operands the result does not depend on: ISZERO's b, and a when the
           * exponent is 0 (a^0 = 1 for every a) */
          if ((op.opcode == EVM_OP_ISZERO || op.opcode == EVM_OP_NOT || op.opcode == EVM_OP_CLZ) &&
              g->off == ARITH_AIR_B)
            continue;
          if (op.opcode == EVM_OP_EXP && set == 1 && g->off == ARITH_AIR_A) continue;
          for (int s = 0; s < 3; s++) {
            unsigned col = g->off + (s == 0 ? 0 : s == 1 ? g->len - 1 : atu_rnd_below(g->len));
            bb_t *cell = t + r * W + col, old = *cell;
            for (int how = 0; how < 2; how++) {
              if (g->bits && how == 0) *cell = old ? 0 : BB_ONE;
              else if (how == 0) *cell = bb_add(old, BB_ONE);
              else {
                do *cell = atu_rnd_bb();
                while (*cell == old);
              }
              if (stark_air_check(air, t, n, NULL, NULL, NULL) != STARK_ERR_CONSTRAINT)
                fail_msg("opcode 0x%02x set %d row %zu: %s col %u (how %d) not caught",
                         op.opcode, set, r, g->name, col, how);
              checked++;
            }
            *cell = old;
          }
        }
      free(t);
    }
  assert_true(checked > 1000);
}

/* Rewrite the core of a row (X, Y, Z, H, L, carries) for X * Y + Z computed
 * here, keeping the other cells: a consistent core with a forged witness. */
static void put_word_bits(bb_t *dst, const uint8_t le[32]) {
  for (int i = 0; i < 256; i++) dst[i] = (le[i / 8] >> (i % 8)) & 1 ? BB_ONE : 0;
}
static void forge_core(bb_t *row, const uint8_t x[32], const uint8_t y[32], const uint8_t z[32]) {
  uint64_t carry = 0;
  uint8_t h[32], l[32];
  for (int k = 0; k < 64; k++) {
    uint64_t s = carry;
    for (int i = 0; i < 32; i++)
      if (k - i >= 0 && k - i < 32) s += (uint64_t)x[i] * y[k - i];
    if (k < 32) s += z[k];
    if (k < 32) l[k] = (uint8_t)s;
    else h[k - 32] = (uint8_t)s;
    carry = s >> 8;
    if (k < 63) {
      bb_t *cb = row + arith_air_carry_col((unsigned)k);
      for (unsigned t = 0; t < ARITH_AIR_CARRY_BITS[k]; t++) cb[t] = (carry >> t) & 1 ? BB_ONE : 0;
    }
  }
  put_word_bits(row + ARITH_AIR_X, x);
  put_word_bits(row + ARITH_AIR_Y, y);
  put_word_bits(row + ARITH_AIR_Z, z);
  put_word_bits(row + ARITH_AIR_H, h);
  put_word_bits(row + ARITH_AIR_L, l);
  unsigned sx = 0;
  for (int k = 0; k < 32; k++) sx += x[k];
  row[ARITH_AIR_ZX] = sx ? 0 : BB_ONE;
  row[ARITH_AIR_IX] = sx ? bb_inv(bb_from_u32(sx)) : 0;
}
static void read_le(const bb_t *bits, uint8_t le[32]) {
  memset(le, 0, 32);
  for (int i = 0; i < 256; i++)
    if (bits[i] == BB_ONE) le[i / 8] |= (uint8_t)(1u << (i % 8));
}
static void put_r(bb_t *rows, size_t nrows, const uint8_t le[32]) {
  for (size_t r = 0; r < nrows; r++)
    for (int k = 0; k < 32; k++) rows[r * W + ARITH_AIR_R + k] = bb_from_u32(le[k]);
}

/* Witnesses that satisfy the core identity of every row but not the
 * instruction: each must break a kind's constraint. */
static void test_forgeries(void **state) {
  (void)state;
  const stark_air *air = arith_air();
  bb_t *t = calloc((size_t)8 * W, sizeof *t);
  assert_non_null(t);
  uint8_t a[32] = {0}, b[32] = {0}, c[32] = {0};
  /* DIV 100 / 7 = 14 r 2, forged as 13 r 9 (r >= b): the quotient row's core
   * holds, the check row's d = b - r would wrap (H = 1) or be 0 */
  a[31] = 100;
  b[31] = 7;
  assert_int_equal(arith_air_fill(EVM_OP_DIV, a, b, NULL, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  uint8_t q[32] = {13}, r9[32] = {9}, bl[32] = {7}, one[32] = {1}, d[32];
  forge_core(t + W, q, bl, r9);
  uint8_t rq[32] = {13};
  put_r(t, 2, rq);
  memset(d, 0xff, 32);
  d[0] = 0xfe; /* 7 - 9 mod 2^256 */
  forge_core(t, d, one, r9);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* the same with r = b exactly (d = 0): 100 = 13 * 7 + 9 is not it, try 14*7+2
   * against 13*7+9 done; now 21 / 7 = 3 r 0 forged as 2 r 7 */
  memset(t, 0, sizeof *t * 8 * W);
  memset(a, 0, 32);
  a[31] = 21;
  assert_int_equal(arith_air_fill(EVM_OP_MOD, a, b, NULL, t), 0);
  uint8_t q2[32] = {2}, r7[32] = {7}, zero[32] = {0};
  forge_core(t + W, q2, bl, r7);
  forge_core(t, zero, one, r7); /* d = 0, H = 0 */
  put_r(t, 2, r7);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* MOD by zero claiming the dividend */
  memset(t, 0, sizeof *t * 8 * W);
  memset(b, 0, 32);
  assert_int_equal(arith_air_fill(EVM_OP_MOD, a, b, NULL, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  uint8_t r21[32] = {21};
  put_r(t, 2, r21);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* LT claiming the wrong borrow */
  memset(t, 0, sizeof *t * 8 * W);
  a[31] = 5;
  b[31] = 9;
  assert_int_equal(arith_air_fill(EVM_OP_LT, a, b, NULL, t), 0);
  put_r(t, 1, zero);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* MULMOD 10 * 10 mod 7 = 2, forged as 9 (= 2 + 7) with q_lo = 13 */
  memset(t, 0, sizeof *t * 8 * W);
  memset(a, 0, 32);
  memset(b, 0, 32);
  a[31] = 10;
  b[31] = 10;
  c[31] = 7;
  assert_int_equal(arith_air_fill(EVM_OP_MULMOD, a, b, c, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  uint8_t r_forged[32] = {9};
  forge_core(t + W, q, bl, r_forged); /* 13 * 7 + 9 = 100 */
  memset(d, 0xff, 32);
  d[0] = 0xfe; /* 7 - 9 */
  forge_core(t, d, one, r_forged);
  put_r(t, 4, r_forged);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* EXP 3^5 = 243 computed as 3^4 (a missing MUL row): rows TOP(3), SQ(9),
   * SQ(81), MUL(243) -> drop the MUL row and claim 81 */
  memset(t, 0, sizeof *t * 8 * W);
  memset(a, 0, 32);
  memset(b, 0, 32);
  a[31] = 3;
  b[31] = 5;
  assert_int_equal(arith_air_rows_for(EVM_OP_EXP, a, b, NULL), 4);
  assert_int_equal(arith_air_fill(EVM_OP_EXP, a, b, NULL, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  uint8_t le_l[32];
  read_le(t + 3 * W + ARITH_AIR_L, le_l);
  assert_int_equal(le_l[0], 243);
  memset(t + 3 * W, 0, sizeof *t * W);
  uint8_t r81[32] = {81};
  put_r(t, 3, r81);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* SDIV: -7 / 2 = -3 (truncation), forged as -4 with |r| = -1 impossible;
   * instead flip the sign of the result on the fix row (S = 0) */
  memset(t, 0, sizeof *t * 8 * W);
  memset(a, 0xff, 32);
  a[31] = 0xf9; /* -7 */
  memset(b, 0, 32);
  b[31] = 2;
  assert_int_equal(arith_air_fill(EVM_OP_SDIV, a, b, NULL, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  uint8_t three[32] = {3};
  bb_t *fix = t + 4 * W;
  fix[ARITH_AIR_S] = 0;
  forge_core(fix, three, one, zero);
  put_r(t, 5, three);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* SHR 100 >> 3 = 12 r 4, forged as 11 r 12 (a remainder of 2^s or more) */
  memset(t, 0, sizeof *t * 8 * W);
  memset(a, 0, 32);
  memset(b, 0, 32);
  a[31] = 3;
  b[31] = 100;
  assert_int_equal(arith_air_fill(EVM_OP_SHR, a, b, NULL, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  uint8_t q11[32] = {11}, r12[32] = {12}, p8[32] = {8};
  forge_core(t + W, q11, p8, r12);
  put_r(t, 2, q11);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* SHL by 256 + 1 claimed as a shift by 1 (the flag S cleared) */
  memset(t, 0, sizeof *t * 8 * W);
  a[30] = 1;
  a[31] = 1;
  assert_int_equal(arith_air_fill(EVM_OP_SHL, a, b, NULL, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  uint8_t two[32] = {2}, v200[32] = {200};
  t[W + ARITH_AIR_S] = 0;
  uint8_t le100[32] = {100};
  forge_core(t + W, le100, two, zero); /* 100 << 1 with Y = 2^1: L = 200 */
  put_r(t, 2, v200);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  free(t);
}

/* BYTE and SIGNEXTEND witnesses whose value row holds a consistent core for
 * another amount s (so q * 2^s + rem = B still holds), or a result other
 * than the one the core names: each breaks a constraint. */
static void test_byte_signextend_forgeries(void **state) {
  (void)state;
  const stark_air *air = arith_air();
  bb_t *t = calloc((size_t)4 * W, sizeof *t);
  assert_non_null(t);
  uint8_t a[32] = {0}, b[32], le_b[32];
  for (int i = 0; i < 32; i++) b[i] = (uint8_t)(0x91 + 7 * i);
  for (int i = 0; i < 32; i++) le_b[i] = b[31 - i];
  const uint8_t ops[2] = {EVM_OP_BYTE, EVM_OP_SIGNEXTEND};
  for (int oi = 0; oi < 2; oi++) {
    a[31] = 5;
    memset(t, 0, sizeof *t * 4 * W);
    assert_int_equal(arith_air_fill(ops[oi], a, b, NULL, t), 0);
    assert_int_equal(stark_air_check(air, t, 4, NULL, NULL, NULL), 0);
    /* the value row shifted by s + 8 instead of s, its result made from that
     * core as an honest row would be */
    unsigned s = oi == 0 ? 8 * (31 - 5) : 8 * 5 + 7, s2 = s + 8;
    uint8_t q[32] = {0}, rem[32] = {0}, p2[32] = {0}, r[32] = {0};
    for (unsigned i = 0; i < 256; i++) {
      unsigned bit = (le_b[i / 8] >> (i % 8)) & 1;
      if (i < s2) rem[i / 8] |= (uint8_t)(bit << (i % 8));
      else q[(i - s2) / 8] |= (uint8_t)(bit << ((i - s2) % 8));
    }
    p2[s2 / 8] = (uint8_t)(1u << (s2 % 8));
    forge_core(t + W, q, p2, rem);
    if (oi == 0) {
      r[0] = q[0];
    } else {
      memcpy(r, rem, 32);
      if (q[0] & 1)
        for (unsigned i = s2; i < 256; i++) r[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    put_r(t, 2, r);
    assert_int_equal(stark_air_check(air, t, 4, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
    /* the honest rows with another result */
    memset(t, 0, sizeof *t * 4 * W);
    assert_int_equal(arith_air_fill(ops[oi], a, b, NULL, t), 0);
    uint8_t got[32], le_r[32];
    assert_int_equal(arith_air_result(t, got), 0);
    for (int i = 0; i < 32; i++) le_r[i] = got[31 - i];
    le_r[oi == 0 ? 0 : 31] ^= 1;
    put_r(t, 2, le_r);
    assert_int_equal(stark_air_check(air, t, 4, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
    /* an index of 32 or more read as its low five bits (A = 37 as 5): the
     * amount row's split with X's low bits set */
    a[31] = 37;
    memset(t, 0, sizeof *t * 4 * W);
    assert_int_equal(arith_air_fill(ops[oi], a, b, NULL, t), 0);
    uint8_t x5[32] = {32}, z5[32] = {5}, y1[32] = {1};
    forge_core(t, x5, y1, z5);
    a[31] = 5;
    bb_t *tr = calloc((size_t)2 * W, sizeof *tr);
    assert_non_null(tr);
    assert_int_equal(arith_air_fill(ops[oi], a, b, NULL, tr), 0);
    memcpy(t + W + ARITH_AIR_X, tr + W + ARITH_AIR_X, sizeof *t * (ARITH_AIR_A - ARITH_AIR_X));
    t[W + ARITH_AIR_S] = 0;
    t[W + ARITH_AIR_ZX] = tr[W + ARITH_AIR_ZX];
    t[W + ARITH_AIR_IX] = tr[W + ARITH_AIR_IX];
    uint8_t r5[32];
    assert_int_equal(arith_air_result(tr, r5), 0);
    for (int i = 0; i < 32; i++) le_r[i] = r5[31 - i];
    put_r(t, 2, le_r);
    free(tr);
    assert_int_equal(stark_air_check(air, t, 4, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
    /* an index below 32 read as one of 32 or more (A = 5 split as X = 1,
     * Z = 4, so X != 0), with the value row of an index >= 32 */
    a[31] = 5;
    memset(t, 0, sizeof *t * 4 * W);
    assert_int_equal(arith_air_fill(ops[oi], a, b, NULL, t), 0);
    uint8_t x1[32] = {1}, z4[32] = {4};
    forge_core(t, x1, y1, z4);
    a[31] = 32;
    tr = calloc((size_t)2 * W, sizeof *tr);
    assert_non_null(tr);
    assert_int_equal(arith_air_fill(ops[oi], a, b, NULL, tr), 0);
    memcpy(t + W + ARITH_AIR_X, tr + W + ARITH_AIR_X, sizeof *t * (ARITH_AIR_A - ARITH_AIR_X));
    t[W + ARITH_AIR_S] = tr[W + ARITH_AIR_S];
    t[W + ARITH_AIR_ZX] = tr[W + ARITH_AIR_ZX];
    t[W + ARITH_AIR_IX] = tr[W + ARITH_AIR_IX];
    assert_int_equal(arith_air_result(tr, r5), 0);
    for (int i = 0; i < 32; i++) le_r[i] = r5[31 - i];
    put_r(t, 2, le_r);
    free(tr);
    assert_int_equal(stark_air_check(air, t, 4, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
    a[31] = 5;
  }
  free(t);
}

/* CLZ of a value of every bit length 0..256 (one bit, or a random tail below
 * the top bit); a witness naming n - 1 or n + 1 leading zeros with a
 * consistent core breaks a constraint. */
static void test_clz(void **state) {
  (void)state;
  static arith_air_op ops[2 * 257];
  uint8_t v[32], z[32] = {0};
  size_t n = 0;
  for (int len = 0; len <= 256; len++)
    for (int dense = 0; dense < 2; dense++) {
      rnd_word(v);
      for (int i = 255; i >= len - 1 && i >= 0; i--) v[31 - i / 8] &= (uint8_t)~(1u << (i % 8));
      if (!dense)
        for (int i = 0; i < len - 1; i++) v[31 - i / 8] &= (uint8_t)~(1u << (i % 8));
      if (len) v[31 - (len - 1) / 8] |= (uint8_t)(1u << ((len - 1) % 8));
      ops[n++] = mk(EVM_OP_CLZ, v, z, z);
    }
  check_ops(ops, n);

  const stark_air *air = arith_air();
  bb_t *t = calloc((size_t)2 * W, sizeof *t);
  assert_non_null(t);
  uint8_t a[32] = {0}, le_a[32] = {0}, p2[32], r[32];
  a[20] = 0x13; /* bit length 8 * 11 + 5 = 93: 163 leading zeros */
  le_a[11] = 0x13;
  for (int d = -1; d <= 1; d += 2) {
    memset(t, 0, sizeof *t * 2 * W);
    assert_int_equal(arith_air_fill(EVM_OP_CLZ, a, z, NULL, t), 0);
    assert_int_equal(stark_air_check(air, t, 2, NULL, NULL, NULL), 0);
    unsigned nz = (unsigned)(163 + d);
    memset(p2, 0, 32);
    p2[nz / 8] = (uint8_t)(1u << (nz % 8));
    forge_core(t, le_a, p2, z);
    memset(r, 0, 32);
    r[0] = (uint8_t)nz;
    put_r(t, 1, r);
    assert_int_equal(stark_air_check(air, t, 2, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  }
  /* zero claiming 255 leading zeros */
  memset(a, 0, 32);
  memset(t, 0, sizeof *t * 2 * W);
  assert_int_equal(arith_air_fill(EVM_OP_CLZ, a, z, NULL, t), 0);
  assert_int_equal(stark_air_check(air, t, 2, NULL, NULL, NULL), 0);
  memset(r, 0, 32);
  r[0] = 255;
  put_r(t, 1, r);
  assert_int_equal(stark_air_check(air, t, 2, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  free(t);
}

/* Instruction chains: a continuation row without its predecessor, an
 * instruction cut by the end of the trace, and a swapped final kind. */
static void test_chains(void **state) {
  (void)state;
  const stark_air *air = arith_air();
  uint8_t a[32], b[32], c[32];
  rnd_word(a);
  rnd_word(b);
  rnd_word(c);
  c[0] |= 1;
  bb_t *t = calloc((size_t)16 * W, sizeof *t); /* 8 rows proven, 8 of room */
  assert_non_null(t);
  /* MULMOD's rows 1..3 alone (no MD_CHK) at the start and in the middle */
  assert_int_equal(arith_air_fill(EVM_OP_MULMOD, a, b, c, t), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), 0);
  memset(t, 0, sizeof *t * W);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  memmove(t, t + W, sizeof *t * 3 * W);
  memset(t + 3 * W, 0, sizeof *t * W);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* an instruction cut by the end of the trace: DIV's check row last */
  memset(t, 0, sizeof *t * 8 * W);
  assert_int_equal(arith_air_fill(EVM_OP_DIV, a, b, NULL, t + 7 * W), 0);
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* DIV's rows labelled MOD at the end: the result no longer matches */
  memset(t, 0, sizeof *t * 8 * W);
  assert_int_equal(arith_air_fill(EVM_OP_DIV, a, b, NULL, t), 0);
  t[W + ARITH_AIR_SEL + ARITH_AIR_K_DIV_Q] = 0;
  t[W + ARITH_AIR_SEL + ARITH_AIR_K_MOD_Q] = BB_ONE;
  uint8_t want_div[32], want_mod[32];
  reference(EVM_OP_DIV, a, b, c, want_div);
  reference(EVM_OP_MOD, a, b, c, want_mod);
  if (memcmp(want_div, want_mod, 32) != 0)
    assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  /* two hot selectors */
  memset(t, 0, sizeof *t * 8 * W);
  assert_int_equal(arith_air_fill(EVM_OP_ADD, a, b, NULL, t), 0);
  t[ARITH_AIR_SEL + ARITH_AIR_K_SUB] = BB_ONE;
  assert_int_equal(stark_air_check(air, t, 8, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  free(t);
}

/* The mixed trace proves and verifies (blowup 2 at default security, blowup 4
 * with reduced parameters); one changed cell is refused by the checking
 * prover and its forced proof does not verify. */
static void test_prove_verify(void **state) {
  (void)state;
  const stark_air *air = arith_air();
  unsigned lg;
  size_t used;
  bb_t *t = mixed_trace(&lg, &used);
  stark_config cfg = stark_config_default();
  cfg.threads = 1;
  stark_proof pf;
  assert_int_equal(stark_prove(air, &cfg, t, lg, NULL, &pf, NULL), STARK_OK);
  assert_int_equal(stark_verify(air, &cfg.fri, NULL, &pf), STARK_OK);
  stark_proof_free(&pf);
  stark_config c4 = atu_small_cfg(2);
  assert_int_equal(stark_prove(air, &c4, t, lg, NULL, &pf, NULL), STARK_OK);
  assert_int_equal(stark_verify(air, &c4.fri, NULL, &pf), STARK_OK);
  stark_proof_free(&pf);

  const unsigned cols[] = {ARITH_AIR_R + 3, arith_air_carry_col(20), ARITH_AIR_L + 77};
  for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
    size_t r = atu_rnd_below((uint32_t)used);
    bb_t *cell = t + r * W + cols[i], old = *cell;
    *cell = i == 0 ? bb_add(old, BB_ONE) : (old ? 0 : BB_ONE);
    stark_config cc = atu_small_cfg(1);
    assert_int_equal(stark_prove(air, &cc, t, lg, NULL, &pf, NULL), STARK_ERR_CONSTRAINT);
    cc.check_trace = 0;
    assert_int_equal(stark_prove(air, &cc, t, lg, NULL, &pf, NULL), STARK_OK);
    if (stark_verify(air, &cc.fri, NULL, &pf) != STARK_ERR_VERIFY)
      fail_msg("tampered column %u row %zu verified", cols[i], r);
    stark_proof_free(&pf);
    *cell = old;
  }
  free(t);
}

static void test_args(void **state) {
  (void)state;
  uint8_t a[32] = {0}, b[32] = {0};
  bb_t row[W];
  assert_int_equal(arith_air_rows_for(EVM_OP_KECCAK256, a, b, NULL), 0);
  assert_int_equal(arith_air_rows_for(EVM_OP_ADD, NULL, b, NULL), 0);
  assert_int_equal(arith_air_rows_for(EVM_OP_ADDMOD, a, b, NULL), 0);
  assert_int_equal(arith_air_fill(EVM_OP_KECCAK256, a, b, NULL, row), STARK_ERR_ARG);
  assert_int_equal(arith_air_fill(EVM_OP_MULMOD, a, b, NULL, row), STARK_ERR_ARG);
  assert_int_equal(arith_air_fill(EVM_OP_ADD, a, b, NULL, NULL), STARK_ERR_ARG);
  bb_t *t = (bb_t *)(uintptr_t)1;
  unsigned lg;
  arith_air_op bad = {EVM_OP_KECCAK256, {0}, {0}, {0}};
  assert_int_equal(arith_air_trace(&bad, 1, &t, &lg), STARK_ERR_ARG);
  assert_null(t);
  assert_int_equal(arith_air_trace(NULL, 1, &t, &lg), STARK_ERR_ARG);
  assert_int_equal(arith_air_trace(NULL, 0, NULL, &lg), STARK_ERR_ARG);
  assert_int_equal(arith_air_rows(NULL, 0), 2);
  memset(row, 0, sizeof row);
  row[ARITH_AIR_R] = bb_from_u32(256);
  uint8_t out[32];
  assert_int_equal(arith_air_result(row, out), STARK_ERR_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shape),
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_random),
      cmocka_unit_test(test_exp_lengths),
      cmocka_unit_test(test_shifts),
      cmocka_unit_test(test_byte_signextend),
      cmocka_unit_test(test_byte_signextend_forgeries),
      cmocka_unit_test(test_clz),
      cmocka_unit_test(test_exhaustive_limb),
      cmocka_unit_test(test_constraints_hold_ext),
      cmocka_unit_test(test_base_ext_agree),
      cmocka_unit_test(test_tamper),
      cmocka_unit_test(test_forgeries),
      cmocka_unit_test(test_chains),
      cmocka_unit_test(test_prove_verify),
      cmocka_unit_test(test_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
