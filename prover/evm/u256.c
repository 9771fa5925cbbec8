/* u256: division, modular arithmetic and exponentiation of EVM words.
 *
 * Division is Knuth's algorithm D on 64-bit digits with 128-bit intermediate
 * products; a one-digit divisor takes the short path (one hardware 128/64
 * division per digit). MULMOD divides the full 512-bit product and ADDMOD
 * the 257-bit sum, so no intermediate is ever reduced early.
 */
#include "evm/u256.h"

/* (hi:lo) / d with hi < d, so the quotient fits 64 bits; one hardware
 * division on x86-64 instead of the library's 128-bit division. */
static inline uint64_t div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem) {
#if defined(__x86_64__)
  uint64_t q, r;
  __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
  *rem = r;
  return q;
#else
  u256_u128 n = ((u256_u128)hi << 64) | lo;
  *rem = (uint64_t)(n % d);
  return (uint64_t)(n / d);
#endif
}

/* The reciprocal of a normalized d (top bit set): floor((2^128 - 1) / d) -
 * 2^64 (Moller and Granlund, "Improved division by invariant integers"). */
static inline uint64_t reciprocal(uint64_t d) { uint64_t r; return div128(~d, ~(uint64_t)0, d, &r); }

/* (u1:u0) / d with u1 < d and d normalized, using v = reciprocal(d): two
 * multiplications and at most two corrections instead of a hardware division
 * (the same paper, algorithm 4). */
static inline uint64_t div128_rcp(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v, uint64_t *rem) {
  u256_u128 q = (u256_u128)v * u1;
  q += ((u256_u128)u1 << 64) | u0;
  uint64_t q1 = (uint64_t)(q >> 64) + 1, q0 = (uint64_t)q;
  uint64_t r = u0 - q1 * d;
  if (r > q0) {
    q1--;
    r += d;
  }
  if (r >= d) {
    q1++;
    r -= d;
  }
  *rem = r;
  return q1;
}

/* Number of significant digits of u[0..n). */
static int digits(const uint64_t *u, int n) {
  while (n > 0 && u[n - 1] == 0) n--;
  return n;
}

/* q[0..m-n+1) = u / v, r[0..n) = u % v for u of m digits, v of n digits with
 * v[n-1] != 0 and m >= n. q and r must have room; u and v are not modified. */
static void udivrem(const uint64_t *u, int m, const uint64_t *v, int n, uint64_t *q, uint64_t *r) {
  if (n == 1) {
    uint64_t rem = 0;
    for (int i = m - 1; i >= 0; i--) q[i] = div128(rem, u[i], v[0], &rem);
    r[0] = rem;
    return;
  }
  int s = __builtin_clzll(v[n - 1]);
  uint64_t vn[8], un[17];
  for (int i = n - 1; i > 0; i--) vn[i] = (v[i] << s) | (s ? v[i - 1] >> (64 - s) : 0);
  vn[0] = v[0] << s;
  un[m] = s ? u[m - 1] >> (64 - s) : 0;
  for (int i = m - 1; i > 0; i--) un[i] = (u[i] << s) | (s ? u[i - 1] >> (64 - s) : 0);
  un[0] = u[0] << s;
  /* One reciprocal pays for itself from the second quotient digit on. */
  const int use_rcp = m - n >= 1;
  const uint64_t rcp = use_rcp ? reciprocal(vn[n - 1]) : 0;
  for (int j = m - n; j >= 0; j--) {
    /* Estimate the quotient digit from the top two digits (un[j+n] <=
     * vn[n-1] always holds); then correct it at most twice. */
    uint64_t qhat, rhat;
    int rhat_big = 0;
    if (un[j + n] >= vn[n - 1]) {
      qhat = ~(uint64_t)0;
      /* rhat = (un[j+n]:un[j+n-1]) - qhat*vn[n-1] = un[j+n-1] + vn[n-1] */
      rhat = un[j + n - 1] + vn[n - 1];
      rhat_big = rhat < vn[n - 1];
    } else {
      qhat = use_rcp ? div128_rcp(un[j + n], un[j + n - 1], vn[n - 1], rcp, &rhat)
                     : div128(un[j + n], un[j + n - 1], vn[n - 1], &rhat);
    }
    while (!rhat_big && (u256_u128)qhat * vn[n - 2] > (((u256_u128)rhat << 64) | un[j + n - 2])) {
      qhat--;
      rhat += vn[n - 1];
      rhat_big = rhat < vn[n - 1];
    }
    /* Multiply and subtract. */
    uint64_t borrow = 0;
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
      u256_u128 p = (u256_u128)qhat * vn[i] + carry;
      carry = (uint64_t)(p >> 64);
      uint64_t pl = (uint64_t)p;
      uint64_t t = un[i + j] - pl - borrow;
      borrow = (un[i + j] < pl) | ((un[i + j] == pl) & borrow);
      un[i + j] = t;
    }
    uint64_t t = un[j + n] - carry - borrow;
    int neg = (un[j + n] < carry) | ((un[j + n] == carry) & borrow);
    un[j + n] = t;
    if (neg) {
      /* qhat was one too large: add v back. */
      qhat--;
      u256_u128 c = 0;
      for (int i = 0; i < n; i++) {
        c += (u256_u128)un[i + j] + vn[i];
        un[i + j] = (uint64_t)c;
        c >>= 64;
      }
      un[j + n] += (uint64_t)c;
    }
    q[j] = (uint64_t)qhat;
  }
  for (int i = 0; i < n; i++) r[i] = (un[i] >> s) | (s ? un[i + 1] << (64 - s) : 0);
}

/* r (n digits) = u (m digits) mod v (4 digits), v != 0. */
static void umod_wide(const uint64_t *u, int m, const u256 *v, u256 *r) {
  int n = digits(v->w, 4);
  int mu = digits(u, m);
  uint64_t q[9], rr[4] = {0, 0, 0, 0};
  if (mu < n) {
    memset(r->w, 0, sizeof r->w);
    memcpy(r->w, u, (size_t)mu * 8);
    return;
  }
  udivrem(u, mu, v->w, n, q, rr);
  memset(r->w, 0, sizeof r->w);
  memcpy(r->w, rr, (size_t)n * 8);
}

void u256_divmod(u256 *q, u256 *r, const u256 *a, const u256 *b) {
  int n = digits(b->w, 4);
  if (n == 0) {
    if (q) *q = u256_zero();
    if (r) *r = u256_zero();
    return;
  }
  if (n == 1 && u256_fits64(a)) {
    uint64_t x = a->w[0], y = b->w[0];
    if (q) *q = u256_from_u64(x / y);
    if (r) *r = u256_from_u64(x % y);
    return;
  }
  int m = digits(a->w, 4);
  if (m < n || u256_lt(a, b)) {
    u256 aa = *a;
    if (q) *q = u256_zero();
    if (r) *r = aa;
    return;
  }
  uint64_t qq[4] = {0, 0, 0, 0}, rr[4] = {0, 0, 0, 0};
  udivrem(a->w, m, b->w, n, qq, rr);
  if (q) memcpy(q->w, qq, sizeof qq);
  if (r) memcpy(r->w, rr, sizeof rr);
}

static void u256_abs(u256 *r, const u256 *a) {
  if (u256_is_neg(a))
    u256_neg(r, a);
  else
    *r = *a;
}

void u256_sdiv(u256 *r, const u256 *a, const u256 *b) {
  int neg = u256_is_neg(a) ^ u256_is_neg(b);
  u256 aa, bb, q;
  u256_abs(&aa, a);
  u256_abs(&bb, b);
  u256_divmod(&q, NULL, &aa, &bb);
  /* -2^255 / -1 overflows back to -2^255, which the negation below yields. */
  if (neg) u256_neg(&q, &q);
  *r = q;
}

void u256_smod(u256 *r, const u256 *a, const u256 *b) {
  int neg = u256_is_neg(a);
  u256 aa, bb, m;
  u256_abs(&aa, a);
  u256_abs(&bb, b);
  u256_divmod(NULL, &m, &aa, &bb);
  if (neg) u256_neg(&m, &m);
  *r = m;
}

void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *m) {
  if (u256_is_zero(m)) {
    *r = u256_zero();
    return;
  }
  if (u256_lt(a, m) && u256_lt(b, m)) {
    /* Both reduced: the sum is below 2m, one subtraction at most. */
    u256 t;
    unsigned carry = u256_add(&t, a, b);
    if (carry || !u256_lt(&t, m)) u256_sub(&t, &t, m);
    *r = t;
    return;
  }
  uint64_t s[5];
  u256 t;
  s[4] = u256_add(&t, a, b);
  memcpy(s, t.w, 32);
  umod_wide(s, 5, m, r);
}

void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *m) {
  if (u256_is_zero(m)) {
    *r = u256_zero();
    return;
  }
  u256 hi, lo;
  u256_mul_wide(&hi, &lo, a, b);
  uint64_t p[8];
  memcpy(p, lo.w, sizeof lo.w);
  memcpy(p + 4, hi.w, sizeof hi.w);
  umod_wide(p, 8, m, r);
}

void u256_exp(u256 *r, const u256 *base, const u256 *exponent) {
  u256 res = u256_from_u64(1), b = *base;
  unsigned nb = u256_bits(exponent);
  for (unsigned i = 0; i < nb; i++) {
    if ((exponent->w[i / 64] >> (i % 64)) & 1) u256_mul(&res, &res, &b);
    if (i + 1 < nb) u256_mul(&b, &b, &b);
  }
  *r = res;
}

void u256_signextend(u256 *r, const u256 *k, const u256 *x) {
  if (!u256_fits64(k) || k->w[0] >= 31) {
    *r = *x;
    return;
  }
  unsigned bit = (unsigned)k->w[0] * 8 + 7;
  int neg = (int)((x->w[bit / 64] >> (bit % 64)) & 1);
  u256 mask, ones;
  ones.w[0] = ones.w[1] = ones.w[2] = ones.w[3] = ~(uint64_t)0;
  u256_shl(&mask, &ones, bit + 1); /* bits above the sign bit */
  if (neg)
    u256_or(r, x, &mask);
  else {
    u256_not(&mask, &mask);
    u256_and(r, x, &mask);
  }
}

void u256_byte(u256 *r, const u256 *i, const u256 *x) {
  if (!u256_fits64(i) || i->w[0] >= 32) {
    *r = u256_zero();
    return;
  }
  unsigned idx = 31 - (unsigned)i->w[0]; /* from the least significant end */
  uint64_t v = (x->w[idx / 8] >> (8 * (idx % 8))) & 0xff;
  *r = u256_from_u64(v);
}

void u256_to_dec(const u256 *a, char *buf) {
  char tmp[80];
  int n = 0;
  u256 v = *a, ten = u256_from_u64(10);
  do {
    u256 q, rem;
    u256_divmod(&q, &rem, &v, &ten);
    tmp[n++] = (char)('0' + rem.w[0]);
    v = q;
  } while (!u256_is_zero(&v));
  for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = 0;
}

int u256_parse(u256 *r, const char *s) {
  u256 v = u256_zero();
  if (!s || !*s) return -1;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
    size_t len = strlen(s);
    while (len > 0 && *s == '0') s++, len--;
    if (len > 64) return -1;
    for (; *s; s++) {
      int d;
      if (*s >= '0' && *s <= '9') d = *s - '0';
      else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
      else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
      else return -1;
      u256_shl(&v, &v, 4);
      v.w[0] |= (uint64_t)d;
    }
  } else {
    u256 ten = u256_from_u64(10);
    for (; *s; s++) {
      if (*s < '0' || *s > '9') return -1;
      u256 t, d = u256_from_u64((uint64_t)(*s - '0'));
      /* Overflow check: v * 10 + d must stay below 2^256. */
      if (v.w[3] > (~(uint64_t)0) / 10) return -1;
      u256_mul(&t, &v, &ten);
      if (u256_add(&t, &t, &d)) return -1;
      u256 back;
      u256_divmod(&back, NULL, &t, &ten);
      if (!u256_eq(&back, &v)) return -1;
      v = t;
    }
  }
  *r = v;
  return 0;
}
