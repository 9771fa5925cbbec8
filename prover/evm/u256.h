/* u256: the EVM word, 256-bit unsigned integers as four 64-bit limbs.
 *
 * Limb 0 is the least significant (w[0] holds bits 0..63). Everything the
 * interpreter does on every instruction (add, compare, bitwise, shifts, byte
 * conversions) is static inline here; division, modular arithmetic and EXP
 * live in u256.c. All operations are total: division by zero gives zero, as
 * the EVM defines. Outputs may alias inputs unless a function says otherwise.
 */
#ifndef PKB_EVM_U256_H
#define PKB_EVM_U256_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
  uint64_t w[4];
} u256;

typedef unsigned __int128 u256_u128;

static inline u256 u256_zero(void) {
  u256 r = {{0, 0, 0, 0}};
  return r;
}
static inline u256 u256_from_u64(uint64_t v) {
  u256 r = {{v, 0, 0, 0}};
  return r;
}
static inline int u256_is_zero(const u256 *a) { return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0; }
/* The value fits in 64 bits. */
static inline int u256_fits64(const u256 *a) { return (a->w[1] | a->w[2] | a->w[3]) == 0; }
static inline int u256_eq(const u256 *a, const u256 *b) {
  return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3])) == 0;
}
static inline int u256_lt(const u256 *a, const u256 *b) {
  for (int i = 3; i >= 0; i--)
    if (a->w[i] != b->w[i]) return a->w[i] < b->w[i];
  return 0;
}
static inline int u256_is_neg(const u256 *a) { return (int)(a->w[3] >> 63); }
static inline int u256_slt(const u256 *a, const u256 *b) {
  int na = u256_is_neg(a), nb = u256_is_neg(b);
  if (na != nb) return na;
  return u256_lt(a, b);
}

/* r = a + b mod 2^256; returns the carry out. */
static inline unsigned u256_add(u256 *r, const u256 *a, const u256 *b) {
  u256_u128 c = 0;
  for (int i = 0; i < 4; i++) {
    c += (u256_u128)a->w[i] + b->w[i];
    r->w[i] = (uint64_t)c;
    c >>= 64;
  }
  return (unsigned)c;
}
/* r = a - b mod 2^256; returns the borrow out. */
static inline unsigned u256_sub(u256 *r, const u256 *a, const u256 *b) {
  uint64_t borrow = 0;
  for (int i = 0; i < 4; i++) {
    uint64_t ai = a->w[i], bi = b->w[i];
    uint64_t d = ai - bi - borrow;
    borrow = (ai < bi) | ((ai == bi) & borrow);
    r->w[i] = d;
  }
  return (unsigned)borrow;
}
static inline void u256_neg(u256 *r, const u256 *a) {
  u256 z = u256_zero();
  u256_sub(r, &z, a);
}
/* r = a * b mod 2^256. r must not alias a or b. */
static inline void u256_mul_noalias(u256 *r, const u256 *a, const u256 *b) {
  /* Schoolbook, rows spelled out: only the ten products below 2^256 are
   * formed. Each row accumulates a 64x64 product, a carry and a digit, which
   * fits 128 bits. */
  const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
  const uint64_t b0 = b->w[0], b1 = b->w[1], b2 = b->w[2], b3 = b->w[3];
  u256_u128 c;
  uint64_t t0, t1, t2, t3;
  c = (u256_u128)a0 * b0;
  t0 = (uint64_t)c;
  c = (c >> 64) + (u256_u128)a0 * b1;
  t1 = (uint64_t)c;
  c = (c >> 64) + (u256_u128)a0 * b2;
  t2 = (uint64_t)c;
  t3 = (uint64_t)(c >> 64) + a0 * b3;
  c = (u256_u128)a1 * b0 + t1;
  t1 = (uint64_t)c;
  c = (c >> 64) + (u256_u128)a1 * b1 + t2;
  t2 = (uint64_t)c;
  t3 += (uint64_t)(c >> 64) + a1 * b2;
  c = (u256_u128)a2 * b0 + t2;
  t2 = (uint64_t)c;
  t3 += (uint64_t)(c >> 64) + a2 * b1;
  t3 += a3 * b0;
  r->w[0] = t0;
  r->w[1] = t1;
  r->w[2] = t2;
  r->w[3] = t3;
}
static inline void u256_mul(u256 *r, const u256 *a, const u256 *b) {
  u256 t;
  u256_mul_noalias(&t, a, b);
  *r = t;
}
/* hi * 2^256 + lo = a * b, the full 512-bit product. hi and lo may alias
 * a or b (the result is formed in locals first). */
static inline void u256_mul_wide(u256 *hi, u256 *lo, const u256 *a, const u256 *b) {
  uint64_t t[8] = {0};
  for (int i = 0; i < 4; i++) {
    u256_u128 c = 0;
    for (int j = 0; j < 4; j++) {
      c += (u256_u128)a->w[i] * b->w[j] + t[i + j];
      t[i + j] = (uint64_t)c;
      c >>= 64;
    }
    t[i + 4] = (uint64_t)c;
  }
  for (int i = 0; i < 4; i++) {
    lo->w[i] = t[i];
    hi->w[i] = t[i + 4];
  }
}

static inline void u256_and(u256 *r, const u256 *a, const u256 *b) {
  for (int i = 0; i < 4; i++) r->w[i] = a->w[i] & b->w[i];
}
static inline void u256_or(u256 *r, const u256 *a, const u256 *b) {
  for (int i = 0; i < 4; i++) r->w[i] = a->w[i] | b->w[i];
}
static inline void u256_xor(u256 *r, const u256 *a, const u256 *b) {
  for (int i = 0; i < 4; i++) r->w[i] = a->w[i] ^ b->w[i];
}
static inline void u256_not(u256 *r, const u256 *a) {
  for (int i = 0; i < 4; i++) r->w[i] = ~a->w[i];
}

/* r = a << n (n >= 256 gives 0). */
static inline void u256_shl(u256 *r, const u256 *a, unsigned n) {
  if (n >= 256) {
    *r = u256_zero();
    return;
  }
  unsigned lw = n / 64, b = n % 64;
  uint64_t t[4];
  for (int i = 3; i >= 0; i--) {
    int s = i - (int)lw;
    uint64_t v = 0;
    if (s >= 0) {
      v = a->w[s] << b;
      if (b && s > 0) v |= a->w[s - 1] >> (64 - b);
    }
    t[i] = v;
  }
  memcpy(r->w, t, sizeof t);
}
/* r = a >> n, logical (n >= 256 gives 0). */
static inline void u256_shr(u256 *r, const u256 *a, unsigned n) {
  if (n >= 256) {
    *r = u256_zero();
    return;
  }
  unsigned lw = n / 64, b = n % 64;
  uint64_t t[4];
  for (int i = 0; i < 4; i++) {
    unsigned s = (unsigned)i + lw;
    uint64_t v = 0;
    if (s < 4) {
      v = a->w[s] >> b;
      if (b && s + 1 < 4) v |= a->w[s + 1] << (64 - b);
    }
    t[i] = v;
  }
  memcpy(r->w, t, sizeof t);
}
/* r = a >> n, arithmetic. */
static inline void u256_sar(u256 *r, const u256 *a, unsigned n) {
  int neg = u256_is_neg(a);
  if (n >= 256) {
    uint64_t f = neg ? ~(uint64_t)0 : 0;
    r->w[0] = r->w[1] = r->w[2] = r->w[3] = f;
    return;
  }
  u256 t;
  u256_shr(&t, a, n);
  if (neg && n) {
    u256 m, ones;
    ones.w[0] = ones.w[1] = ones.w[2] = ones.w[3] = ~(uint64_t)0;
    u256_shl(&m, &ones, 256 - n);
    u256_or(&t, &t, &m);
  }
  *r = t;
}

/* Number of significant bits (0 for zero). */
static inline unsigned u256_bits(const u256 *a) {
  for (int i = 3; i >= 0; i--)
    if (a->w[i]) return (unsigned)(64 * i + 64 - __builtin_clzll(a->w[i]));
  return 0;
}
/* Count of leading zero bits (256 for zero). */
static inline unsigned u256_clz(const u256 *a) { return 256 - u256_bits(a); }

/* Big-endian 32 bytes <-> u256. */
static inline void u256_from_be(u256 *r, const uint8_t b[32]) {
  for (int i = 0; i < 4; i++) {
    uint64_t v = 0;
    for (int j = 0; j < 8; j++) v = (v << 8) | b[(3 - i) * 8 + j];
    r->w[i] = v;
  }
}
static inline void u256_to_be(const u256 *a, uint8_t b[32]) {
  for (int i = 0; i < 4; i++) {
    uint64_t v = a->w[i];
    for (int j = 7; j >= 0; j--) {
      b[(3 - i) * 8 + j] = (uint8_t)v;
      v >>= 8;
    }
  }
}
/* Big-endian bytes of any length up to 32 (right-aligned, as PUSHn). */
static inline void u256_from_be_n(u256 *r, const uint8_t *b, size_t n) {
  uint8_t t[32] = {0};
  memcpy(t + 32 - n, b, n);
  u256_from_be(r, t);
}
/* 20-byte address <-> u256 (the low 160 bits). */
static inline void u256_from_addr(u256 *r, const uint8_t a[20]) { u256_from_be_n(r, a, 20); }
static inline void u256_to_addr(const u256 *a, uint8_t out[20]) {
  uint8_t t[32];
  u256_to_be(a, t);
  memcpy(out, t + 12, 20);
}

/* ---- u256.c ---- */

/* q = a / b, r = a % b (b == 0 gives q = r = 0). q or r may be NULL. */
void u256_divmod(u256 *q, u256 *r, const u256 *a, const u256 *b);
void u256_sdiv(u256 *r, const u256 *a, const u256 *b);
void u256_smod(u256 *r, const u256 *a, const u256 *b);
void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *m);
void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *m);
void u256_exp(u256 *r, const u256 *base, const u256 *exponent);
/* SIGNEXTEND: extend the sign of byte k (0 = least significant) of x. */
void u256_signextend(u256 *r, const u256 *k, const u256 *x);
/* BYTE: byte i (0 = most significant) of x, 0 when i >= 32. */
void u256_byte(u256 *r, const u256 *i, const u256 *x);
/* Decimal string (for tests and messages); buf holds at least 79 bytes. */
void u256_to_dec(const u256 *a, char *buf);
/* Parse "0x..." hex or decimal; 0 on success, -1 on bad input or overflow. */
int u256_parse(u256 *r, const char *s);

#endif
