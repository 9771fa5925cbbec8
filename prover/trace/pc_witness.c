/* pc_witness: ECADD, ECMUL, ECPAIRING, P256VERIFY and small-modulus MODEXP as
 * reported modular multiplications (see pc_witness.h for what is reported,
 * in which order, and how many).
 *
 * bn254 calls run the precompile itself under the bn254 multiplication
 * observer, so nothing is recomputed and the products are the executor's.
 * P256VERIFY and MODEXP are recomputed on the EVM's 256-bit words
 * (evm/u256.h). A product a * b mod m has one value whichever routine forms
 * it, so the fast ones used here (Montgomery multiplication for an odd
 * modulus, P-256 kept in Montgomery form throughout; u256_mulmod for an even
 * one) report exactly the MULMOD the arith AIR proves. Values are kept
 * reduced between operations; additions and subtractions use one conditional
 * correction. Nothing is constant time: the inputs are public.
 */
#include "trace/pc_witness.h"

#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/bn254.h"
/* For PC_MODEXP_MAX_LEN only: the precompile's own length limit, so that a
 * call it does not compute is not witnessed either. */
#include "evm/precompiles/pc_impl.h"
#include "evm/precompiles/precompile.h"
#include "evm/u256.h"

/* ---- modular products -------------------------------------------------- */

/* A modulus m > 1 with what a fast a * b mod m needs when m is odd:
 * minv = -m^-1 mod 2^64 and r2 = 2^512 mod m, so that two Montgomery
 * products give the plain one: mont(mont(a, b), r2) = a b R^-1 R^2 R^-1 =
 * a b mod m (R = 2^256). An even m falls back to u256_mulmod. Either way the
 * product is the unique a * b mod m, the value the arith AIR's MULMOD proves,
 * so which routine forms it does not change what is reported. */
typedef struct {
  u256 m, r2;
  uint64_t minv;
  int odd;
} modulus;

static void mod_init(modulus *md, const u256 *m) {
  md->m = *m;
  md->odd = (int)(m->w[0] & 1);
  md->minv = 0;
  md->r2 = u256_zero();
  if (!md->odd) return;
  uint64_t inv = m->w[0]; /* correct to 3 bits for odd m; each step doubles that */
  for (int i = 0; i < 5; i++) inv *= 2 - m->w[0] * inv;
  md->minv = 0 - inv;
  u256 negm, one = u256_from_u64(1), rm;
  u256_neg(&negm, m);
  u256_mulmod(&rm, &negm, &one, m); /* 2^256 mod m */
  u256_mulmod(&md->r2, &rm, &rm, m);
}

/* a b R^-1 mod m for odd m, a b < R m (one operand below m): CIOS with the
 * carry word kept, so any m below 2^256 will do; the result is below m. */
static void mont(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const modulus *md) {
  typedef unsigned __int128 u128;
  const uint64_t *m = md->m.w;
  uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
  for (int i = 0; i < 4; i++) {
    const uint64_t bi = b[i];
    u128 c = (u128)a[0] * bi + t0;
    t0 = (uint64_t)c;
    c = (c >> 64) + (u128)a[1] * bi + t1;
    t1 = (uint64_t)c;
    c = (c >> 64) + (u128)a[2] * bi + t2;
    t2 = (uint64_t)c;
    c = (c >> 64) + (u128)a[3] * bi + t3;
    t3 = (uint64_t)c;
    c = (c >> 64) + t4;
    t4 = (uint64_t)c;
    const uint64_t t5 = (uint64_t)(c >> 64);
    const uint64_t q = t0 * md->minv;
    c = ((u128)q * m[0] + t0) >> 64;
    c += (u128)q * m[1] + t1;
    t0 = (uint64_t)c;
    c = (c >> 64) + (u128)q * m[2] + t2;
    t1 = (uint64_t)c;
    c = (c >> 64) + (u128)q * m[3] + t3;
    t2 = (uint64_t)c;
    c = (c >> 64) + t4;
    t3 = (uint64_t)c;
    t4 = t5 + (uint64_t)(c >> 64);
  }
  u256 t = {{t0, t1, t2, t3}};
  if (t4 || !u256_lt(&t, &md->m)) u256_sub(&t, &t, &md->m);
  memcpy(r, t.w, sizeof t.w);
}

static void mulmod(u256 *r, const u256 *a, const u256 *b, const modulus *md) {
  if (!md->odd) {
    u256_mulmod(r, a, b, &md->m);
    return;
  }
  uint64_t t[4];
  mont(t, a->w, b->w, md);
  mont(r->w, t, md->r2.w, md);
}

/* ---- reporting --------------------------------------------------------- */

typedef struct {
  pcw_mulmod_fn fn;
  void *ctx;
  uint64_t count;
  int compute; /* 0: count only (MODEXP, whose control flow needs no values) */
  modulus mp, mn; /* P-256: p and n; MODEXP: mp is the modulus */
  u256 one_p;     /* P-256: 1 in Montgomery form mod p */
} wit;

/* r = a * b mod m, reported; a * b < 2^256 m (one operand below m). r may
 * alias a or b. */
static void mul(wit *w, u256 *r, const u256 *a, const u256 *b, const modulus *md) {
  w->count++;
  if (!w->compute) return;
  if (!w->fn) {
    mulmod(r, a, b, md);
    return;
  }
  uint8_t ab[32], bb[32], mb[32], rb[32];
  u256_to_be(a, ab);
  u256_to_be(b, bb);
  u256_to_be(&md->m, mb);
  mulmod(r, a, b, md);
  u256_to_be(r, rb);
  w->fn(w->ctx, ab, bb, mb, rb);
}

/* P-256 keeps its values in Montgomery form (x R mod m): one Montgomery
 * product per multiplication. to_m and from_m convert (conversions, not
 * multiplications of the computation, so neither counted nor reported, as
 * in bn254); a Montgomery product of xR and yR is xyR, so the canonical
 * (x, y, xy mod m) reported is the same product the plain arithmetic forms. */
static void to_m(u256 *r, const u256 *a, const modulus *md) { mont(r->w, a->w, md->r2.w, md); }
static void from_m(u256 *r, const u256 *a, const modulus *md) {
  static const uint64_t one[4] = {1, 0, 0, 0};
  mont(r->w, a->w, one, md);
}

/* r = a * b in Montgomery form, reported as canonical values. r may alias a
 * or b. */
static void mmul(wit *w, u256 *r, const u256 *a, const u256 *b, const modulus *md) {
  w->count++;
  if (!w->fn) {
    mont(r->w, a->w, b->w, md);
    return;
  }
  u256 ca, cb, cr;
  uint8_t ab[32], bb[32], mb[32], rb[32];
  from_m(&ca, a, md);
  from_m(&cb, b, md);
  mont(r->w, a->w, b->w, md);
  from_m(&cr, r, md);
  u256_to_be(&ca, ab);
  u256_to_be(&cb, bb);
  u256_to_be(&md->m, mb);
  u256_to_be(&cr, rb);
  w->fn(w->ctx, ab, bb, mb, rb);
}

/* a + b and a - b mod m for a, b < m. */
static void addm(u256 *r, const u256 *a, const u256 *b, const u256 *m) {
  unsigned c = u256_add(r, a, b);
  if (c || !u256_lt(r, m)) u256_sub(r, r, m);
}
static void subm(u256 *r, const u256 *a, const u256 *b, const u256 *m) {
  if (u256_sub(r, a, b)) u256_add(r, r, m);
}

/* r = a^e mod m in Montgomery form, e != 0, with secp_witness.h's fixed
 * 4-bit window: the table a^2 .. a^15 (14 products), the top non-zero digit
 * loaded, then per lower digit four squarings and a product when the digit
 * is not zero. */
static void powmod(wit *w, u256 *r, const u256 *a, const u256 *e, const modulus *m) {
  u256 t[16];
  int top = 63;
  while (top > 0 && ((e->w[top / 16] >> (4 * (top % 16))) & 15) == 0) top--;
  t[1] = *a;
  mmul(w, &t[2], a, a, m);
  for (int k = 3; k < 16; k++) mmul(w, &t[k], &t[k - 1], a, m);
  u256 acc = t[(e->w[top / 16] >> (4 * (top % 16))) & 15];
  for (int i = top - 1; i >= 0; i--) {
    for (int k = 0; k < 4; k++) mmul(w, &acc, &acc, &acc, m);
    unsigned d = (unsigned)(e->w[i / 16] >> (4 * (i % 16))) & 15;
    if (d) mmul(w, &acc, &acc, &t[d], m);
  }
  *r = acc;
}

static int bit(const u256 *a, unsigned i) { return (int)((a->w[i / 64] >> (i % 64)) & 1); }

/* ---- P-256 ------------------------------------------------------------- */

/* secp256r1 (SEC 2 / FIPS 186-4), limbs little-endian. */
static const u256 P256_P = {{0xFFFFFFFFFFFFFFFFull, 0x00000000FFFFFFFFull, 0x0000000000000000ull, 0xFFFFFFFF00000001ull}};
static const u256 P256_N = {{0xF3B9CAC2FC632551ull, 0xBCE6FAADA7179E84ull, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFF00000000ull}};
static const u256 P256_B = {{0x3BCE3C3E27D2604Bull, 0x651D06B0CC53B0F6ull, 0xB3EBBD55769886BCull, 0x5AC635D8AA3A93E7ull}};
static const u256 P256_GX = {{0xF4A13945D898C296ull, 0x77037D812DEB33A0ull, 0xF8BCE6E563A440F2ull, 0x6B17D1F2E12C4247ull}};
static const u256 P256_GY = {{0xCBB6406837BF51F5ull, 0x2BCE33576B315ECEull, 0x8EE7EB4A7C0F9E16ull, 0x4FE342E2FE1A7F9Bull}};

enum { P256_IN_LEN = 160 };

/* Jacobian (X : Y : Z) = (X / Z^2, Y / Z^3); inf marks infinity. */
typedef struct {
  u256 x, y, z;
  int inf;
} jac;

static void fadd(u256 *r, const u256 *a, const u256 *b) { addm(r, a, b, &P256_P); }
static void fsub(u256 *r, const u256 *a, const u256 *b) { subm(r, a, b, &P256_P); }

/* j = 2 j on y^2 = x^3 - 3x + b: M = 3 (X - Z^2)(X + Z^2), S = 4 X Y^2,
 * X3 = M^2 - 2S, Y3 = M (S - X3) - 8 Y^4, Z3 = 2 Y Z. Eight products. The
 * group has prime order, so no point here has Y = 0. */
static void dbl(wit *w, jac *j) {
  if (j->inf) return;
  u256 zz, t1, t2, m, yy, s, x3, y4, y3, t;
  mmul(w, &zz, &j->z, &j->z, &w->mp);
  fsub(&t1, &j->x, &zz);
  fadd(&t2, &j->x, &zz);
  mmul(w, &m, &t1, &t2, &w->mp);
  fadd(&t, &m, &m);
  fadd(&m, &t, &m); /* M */
  mmul(w, &yy, &j->y, &j->y, &w->mp);
  mmul(w, &s, &j->x, &yy, &w->mp);
  fadd(&s, &s, &s);
  fadd(&s, &s, &s); /* S */
  mmul(w, &x3, &m, &m, &w->mp);
  fsub(&x3, &x3, &s);
  fsub(&x3, &x3, &s);
  mmul(w, &y4, &yy, &yy, &w->mp);
  fsub(&t, &s, &x3);
  mmul(w, &y3, &m, &t, &w->mp);
  fadd(&y4, &y4, &y4);
  fadd(&y4, &y4, &y4);
  fadd(&y4, &y4, &y4); /* 8 Y^4 */
  fsub(&y3, &y3, &y4);
  mmul(w, &j->z, &j->y, &j->z, &w->mp);
  fadd(&j->z, &j->z, &j->z);
  j->x = x3;
  j->y = y3;
}

/* j = j + (x2, y2), affine and reduced; secp_witness's mixed addition (11
 * products, free into infinity; H = 0 gives a doubling or infinity). */
static void madd(wit *w, jac *j, const u256 *x2, const u256 *y2) {
  if (j->inf) {
    j->x = *x2;
    j->y = *y2;
    j->z = w->one_p;
    j->inf = 0;
    return;
  }
  u256 zz, u2, zzz, s2, h, r, hh, hhh, v, x3, y3, t;
  mmul(w, &zz, &j->z, &j->z, &w->mp);
  mmul(w, &u2, x2, &zz, &w->mp);
  mmul(w, &zzz, &j->z, &zz, &w->mp);
  mmul(w, &s2, y2, &zzz, &w->mp);
  fsub(&h, &u2, &j->x);
  fsub(&r, &s2, &j->y);
  if (u256_is_zero(&h)) {
    if (u256_is_zero(&r))
      dbl(w, j);
    else
      j->inf = 1;
    return;
  }
  mmul(w, &hh, &h, &h, &w->mp);
  mmul(w, &hhh, &h, &hh, &w->mp);
  mmul(w, &v, &j->x, &hh, &w->mp);
  mmul(w, &x3, &r, &r, &w->mp);
  fsub(&x3, &x3, &hhh);
  fsub(&x3, &x3, &v);
  fsub(&x3, &x3, &v);
  fsub(&t, &v, &x3);
  mmul(w, &y3, &r, &t, &w->mp);
  mmul(w, &t, &j->y, &hhh, &w->mp);
  fsub(&y3, &y3, &t);
  mmul(w, &j->z, &j->z, &h, &w->mp);
  j->x = x3;
  j->y = y3;
}

/* The verdict of P256VERIFY: 1 valid, 0 invalid. Field elements and
 * scalars are held in Montgomery form from the curve check on (pc_witness.h
 * lists the products; the form changes none of them). */
static int p256_verify(wit *w, const uint8_t *in, size_t len) {
  if (len != P256_IN_LEN) return 0;
  u256 h, r, s, qx, qy;
  u256_from_be(&h, in);
  u256_from_be(&r, in + 32);
  u256_from_be(&s, in + 64);
  u256_from_be(&qx, in + 96);
  u256_from_be(&qy, in + 128);
  if (u256_is_zero(&r) || u256_is_zero(&s) || !u256_lt(&r, &P256_N) || !u256_lt(&s, &P256_N)) return 0;
  if (!u256_lt(&qx, &P256_P) || !u256_lt(&qy, &P256_P)) return 0;
  const modulus *mp = &w->mp, *mn = &w->mn;
  mod_init(&w->mp, &P256_P);
  mod_init(&w->mn, &P256_N);
  const u256 one = u256_from_u64(1);
  u256 gx, gy, b, rm;
  to_m(&w->one_p, &one, mp);
  to_m(&gx, &P256_GX, mp);
  to_m(&gy, &P256_GY, mp);
  to_m(&b, &P256_B, mp);
  to_m(&qx, &qx, mp);
  to_m(&qy, &qy, mp);
  to_m(&rm, &r, mp); /* r < n < p: r as a field element */

  /* Key on the curve: qy^2 == qx^3 - 3 qx + b. */
  {
    u256 lhs, x2, rhs, t;
    mmul(w, &lhs, &qy, &qy, mp);
    mmul(w, &x2, &qx, &qx, mp);
    mmul(w, &rhs, &x2, &qx, mp);
    fadd(&t, &qx, &qx);
    fadd(&t, &t, &qx);
    fsub(&rhs, &rhs, &t);
    fadd(&rhs, &rhs, &b);
    if (!u256_eq(&lhs, &rhs)) return 0;
  }

  /* u1 = h / s, u2 = r / s mod n; 2n > 2^256, so one subtraction reduces h. */
  u256 e, sinv, u1, u2;
  if (!u256_lt(&h, &P256_N)) u256_sub(&h, &h, &P256_N);
  u256_sub(&e, &P256_N, &(u256){{2, 0, 0, 0}});
  to_m(&s, &s, mn);
  to_m(&h, &h, mn);
  to_m(&u2, &r, mn);
  powmod(w, &sinv, &s, &e, mn);
  mmul(w, &u1, &h, &sinv, mn);
  mmul(w, &u2, &u2, &sinv, mn);
  from_m(&u1, &u1, mn);
  from_m(&u2, &u2, mn);

  /* R' = u1 G + u2 Q, one shared doubling per bit. */
  jac q;
  memset(&q, 0, sizeof q);
  q.inf = 1;
  for (int i = 255; i >= 0; i--) {
    dbl(w, &q);
    if (bit(&u1, (unsigned)i)) madd(w, &q, &gx, &gy);
    if (bit(&u2, (unsigned)i)) madd(w, &q, &qx, &qy);
  }
  if (q.inf) return 0;

  /* x(R') mod n == r, i.e. x = r or x = r + n (< p), as X == x Z^2. */
  u256 zz, t, pmn;
  mmul(w, &zz, &q.z, &q.z, mp);
  mmul(w, &t, &rm, &zz, mp);
  if (u256_eq(&t, &q.x)) return 1;
  u256_sub(&pmn, &P256_P, &P256_N);
  if (!u256_lt(&r, &pmn)) return 0;
  u256 rn;
  u256_add(&rn, &r, &P256_N);
  to_m(&rn, &rn, mp);
  mmul(w, &t, &rn, &zz, mp);
  return u256_eq(&t, &q.x);
}

static int set_output(const uint8_t *data, size_t n, uint8_t **out, size_t *out_len) {
  if (!out) return PCW_OK;
  *out = NULL;
  *out_len = 0;
  if (n == 0) return PCW_OK;
  uint8_t *p = malloc(n);
  if (!p) return PCW_E_NOMEM;
  memcpy(p, data, n);
  *out = p;
  *out_len = n;
  return PCW_OK;
}

static int run_p256(wit *w, const uint8_t *in, size_t len, uint8_t **out, size_t *out_len) {
  uint8_t one[32] = {0};
  one[31] = 1;
  if (p256_verify(w, in, len)) return set_output(one, 32, out, out_len);
  return set_output(NULL, 0, out, out_len);
}

/* ---- MODEXP ------------------------------------------------------------ */

enum { MODEXP_OSAKA_MAX_LEN = 1024 };

/* Byte off of the input, zero past its end. */
static uint8_t byte_at(const uint8_t *in, size_t len, size_t off) { return off < len ? in[off] : 0; }

/* The n bytes at off ending at off + end (big-endian, end <= n, at most 32
 * taken: bytes [off + end - k, off + end) with k = min(32, end)). */
static void chunk_at(u256 *r, const uint8_t *in, size_t len, size_t off, size_t end) {
  uint8_t b[32] = {0};
  size_t k = end < 32 ? end : 32;
  for (size_t i = 0; i < k; i++) b[32 - k + i] = byte_at(in, len, off + end - k + i);
  u256_from_be(r, b);
}

/* A length word as a size_t when it is at most lim; else returns -1. */
static int len_word(size_t *v, const uint8_t *in, size_t len, size_t off, uint64_t lim) {
  u256 x;
  chunk_at(&x, in, len, off, 32);
  if (!u256_fits64(&x) || x.w[0] > lim) return -1;
  *v = (size_t)x.w[0];
  return 0;
}

/* First non-zero byte of [off, off + n), as an offset from off (n if none). */
static size_t skip_zeros(const uint8_t *in, size_t len, size_t off, size_t n) {
  size_t i = 0;
  while (i < n && byte_at(in, len, off + i) == 0) i++;
  return i;
}

/* b mod m for the base of bn bytes at off (leading zeros already skipped),
 * as pc_witness.h describes; m > 1. */
static void reduce_base(wit *w, u256 *acc, const uint8_t *in, size_t len, size_t off, size_t bn) {
  const modulus *md = &w->mp;
  const u256 *m = &md->m;
  const u256 one = u256_from_u64(1);
  size_t top = bn % 32 ? bn % 32 : 32; /* bytes of the top chunk */
  u256 c, rr;
  chunk_at(&c, in, len, off, top);
  if (u256_lt(&c, m))
    *acc = c;
  else
    mul(w, acc, &c, &one, md);
  if (bn <= 32) return;
  u256 negm;
  u256_neg(&negm, m);
  mul(w, &rr, &negm, &one, md); /* 2^256 mod m */
  for (size_t end = top + 32; end <= bn; end += 32) {
    mul(w, acc, acc, &rr, md);
    chunk_at(&c, in, len, off, end);
    if (!u256_lt(&c, m)) mul(w, &c, &c, &one, md);
    if (w->compute) addm(acc, acc, &c, m);
  }
}

static int run_modexp(wit *w, blk_fork fork, const uint8_t *in, size_t len, uint8_t **out,
                      size_t *out_len) {
  size_t bl, el, ml;
  if (fork >= BLK_FORK_OSAKA &&
      (len_word(&bl, in, len, 0, MODEXP_OSAKA_MAX_LEN) || len_word(&el, in, len, 32, MODEXP_OSAKA_MAX_LEN) ||
       len_word(&ml, in, len, 64, MODEXP_OSAKA_MAX_LEN)))
    return PCW_FAIL;
  /* mod_len 0 answers the empty output whatever the other lengths are. */
  if (len_word(&ml, in, len, 64, UINT64_MAX) == 0 && ml == 0) return set_output(NULL, 0, out, out_len);
  if (len_word(&bl, in, len, 0, PC_MODEXP_MAX_LEN) || len_word(&el, in, len, 32, PC_MODEXP_MAX_LEN) ||
      len_word(&ml, in, len, 64, PC_MODEXP_MAX_LEN))
    return PCW_E_UNSUPPORTED;
  const size_t boff = 96, eoff = 96 + bl, moff = 96 + bl + el;
  size_t mz = skip_zeros(in, len, moff, ml);
  if (ml - mz > 32) return PCW_E_UNSUPPORTED;
  u256 m, acc = u256_zero();
  chunk_at(&m, in, len, moff, ml);
  size_t ez = skip_zeros(in, len, eoff, el);
  const u256 one = u256_from_u64(1);
  if (u256_lt(&one, &m)) {
    if (ez == el) {
      acc = one;
    } else {
      u256 b;
      if (w->compute)
        mod_init(&w->mp, &m);
      else
        w->mp.m = m; /* the base chunks are still compared with it */
      size_t bz = skip_zeros(in, len, boff, bl);
      b = u256_zero();
      if (bz < bl) reduce_base(w, &b, in, len, boff + bz, bl - bz);
      /* Left-to-right binary over e's bits below its top set bit. */
      uint8_t e0 = byte_at(in, len, eoff + ez);
      int tb = 7;
      while (!((e0 >> tb) & 1)) tb--;
      acc = b;
      for (size_t i = ez; i < el; i++) {
        uint8_t eb = byte_at(in, len, eoff + i);
        for (int k = i == ez ? tb - 1 : 7; k >= 0; k--) {
          mul(w, &acc, &acc, &acc, &w->mp);
          if ((eb >> k) & 1) mul(w, &acc, &acc, &b, &w->mp);
        }
      }
    }
  }
  if (!out) return PCW_OK;
  uint8_t *res = calloc(1, ml);
  if (!res) return PCW_E_NOMEM;
  uint8_t rb[32];
  u256_to_be(&acc, rb);
  size_t k = ml < 32 ? ml : 32;
  memcpy(res + ml - k, rb + 32 - k, k);
  *out = res;
  *out_len = ml;
  return PCW_OK;
}

/* ---- bn254 ------------------------------------------------------------- */

typedef struct {
  pcw_mulmod_fn fn;
  void *ctx;
  uint8_t p[32];
} bn_obs;

static void bn_observe(void *c, const uint8_t a[32], const uint8_t b[32], const uint8_t r[32]) {
  const bn_obs *o = c;
  o->fn(o->ctx, a, b, o->p, r);
}

/* p of alt_bn128 as bytes, from the field itself: (p - 1) + 1 (no product is
 * counted: from_u64 and to_bytes are conversions). */
static void bn_p_bytes(uint8_t p[32]) {
  bn254_fp one, m1;
  bn254_fp_from_u64(&one, 1);
  bn254_fp_neg(&m1, &one);
  bn254_fp_to_bytes(p, &m1);
  for (int i = 31; i >= 0; i--)
    if (++p[i] != 0) break;
}

static int run_bn254(wit *w, evm_pc_id id, blk_fork fork, const uint8_t *in, size_t len, uint8_t **out,
                     size_t *out_len) {
  bn_obs o = {w->fn, w->ctx, {0}};
  bn254_mul_observer_fn prev_fn = NULL;
  void *prev_ctx = NULL;
  if (w->fn) {
    bn_p_bytes(o.p);
    bn254_set_mul_observer(bn_observe, &o, &prev_fn, &prev_ctx);
  }
  uint8_t *res = NULL;
  size_t res_len = 0;
  evm_pc_work work = {0};
  uint64_t m0 = bn254_fp_mul_count();
  int rc = evm_pc_run(id, fork, in, len, &res, &res_len, &work);
  w->count = bn254_fp_mul_count() - m0;
  if (w->fn) bn254_set_mul_observer(prev_fn, prev_ctx, NULL, NULL);
  switch (rc) {
  case EVM_PC_OK: break;
  case EVM_PC_FAIL: return PCW_FAIL;
  case EVM_PC_NOMEM: return PCW_E_NOMEM;
  default: return PCW_E_UNSUPPORTED;
  }
  if (out) {
    *out = res;
    *out_len = res_len;
  } else {
    free(res);
  }
  return PCW_OK;
}

/* ---- entry ------------------------------------------------------------- */

int pcw_run(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, pcw_mulmod_fn fn, void *ctx,
            uint64_t *count_out, uint8_t **out, size_t *out_len) {
  if (count_out) *count_out = 0;
  if (!out != !out_len) return PCW_E_ARG;
  if (out) {
    *out = NULL;
    *out_len = 0;
  }
  if ((!in && len) || (unsigned)fork >= BLK_FORK_COUNT) return PCW_E_ARG;
  uint8_t a20[20] = {0};
  a20[18] = (uint8_t)(address >> 8);
  a20[19] = (uint8_t)address;
  evm_pc_id id = evm_pc_lookup(fork, a20);
  wit w = {.fn = fn, .ctx = ctx, .compute = 1};
  int rc;
  switch (id) {
  case EVM_PC_MODEXP:
    w.compute = fn || out;
    rc = run_modexp(&w, fork, in, len, out, out_len);
    break;
  case EVM_PC_BN_ADD:
  case EVM_PC_BN_MUL:
  case EVM_PC_BN_PAIRING: rc = run_bn254(&w, id, fork, in, len, out, out_len); break;
  case EVM_PC_P256VERIFY: rc = run_p256(&w, in, len, out, out_len); break;
  default: return PCW_E_UNSUPPORTED;
  }
  if (rc == PCW_OK || rc == PCW_FAIL) {
    if (count_out) *count_out = w.count;
  } else if (out) {
    free(*out);
    *out = NULL;
    *out_len = 0;
  }
  return rc;
}
