/* pc_witness: ECADD, ECMUL, ECPAIRING, P256VERIFY and small-modulus MODEXP as
 * reported modular multiplications, and MODEXP with a wider modulus as
 * reported limb steps (see pc_witness.h for what is reported, in which
 * order, and how many).
 *
 * bn254 calls run the precompile itself under the bn254 multiplication
 * observer, so nothing is recomputed and the products are the executor's.
 * P256VERIFY and MODEXP are recomputed on the EVM's 256-bit words with ecw's
 * arithmetic and curve steps (trace/ecw.h), shared with secp_witness: P-256
 * kept in Montgomery form throughout, MODEXP on canonical values (Montgomery
 * products for an odd modulus, u256_mulmod for an even one). Either way
 * what is reported is the canonical a * b mod m, exactly the MULMOD the
 * arith AIR proves. A MODEXP with a wider modulus is recomputed limb by
 * limb (pcw_run_wide): the schoolbook steps are done here on u256 limbs and
 * the quotients found by GMP, as hints the steps then check. Nothing is
 * constant time: the inputs are public.
 */
#include "trace/pc_witness.h"

#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/bls12.h"
#include "evm/precompiles/bn254.h"
/* For PC_MODEXP_MAX_LEN only: the precompile's own length limit, so that a
 * call it does not compute is not witnessed either. */
#include "evm/precompiles/pc_impl.h"
#include "evm/precompiles/precompile.h"
#include "evm/u256.h"
#include "trace/ecw.h"

/* ---- reporting --------------------------------------------------------- */

typedef struct {
  ecw_sink sink;
  int compute; /* 0: count only (MODEXP, whose control flow needs no values) */
  ecw_mod mp;  /* MODEXP: the modulus */
} wit;

/* MODEXP's r = a * b mod m on canonical values, reported; a * b < 2^256 m
 * (one operand below m). r may alias a or b. */
static void mul(wit *w, u256 *r, const u256 *a, const u256 *b, const ecw_mod *md) {
  if (!w->compute) {
    w->sink.count++;
    return;
  }
  ecw_mul_plain(&w->sink, r, a, b, md);
}

/* ---- P-256 ------------------------------------------------------------- */

/* secp256r1 (SEC 2 / FIPS 186-4), limbs little-endian. */
static const u256 P256_P = {{0xFFFFFFFFFFFFFFFFull, 0x00000000FFFFFFFFull, 0x0000000000000000ull, 0xFFFFFFFF00000001ull}};
static const u256 P256_N = {{0xF3B9CAC2FC632551ull, 0xBCE6FAADA7179E84ull, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFF00000000ull}};
static const u256 P256_B = {{0x3BCE3C3E27D2604Bull, 0x651D06B0CC53B0F6ull, 0xB3EBBD55769886BCull, 0x5AC635D8AA3A93E7ull}};
static const u256 P256_GX = {{0xF4A13945D898C296ull, 0x77037D812DEB33A0ull, 0xF8BCE6E563A440F2ull, 0x6B17D1F2E12C4247ull}};
static const u256 P256_GY = {{0xCBB6406837BF51F5ull, 0x2BCE33576B315ECEull, 0x8EE7EB4A7C0F9E16ull, 0x4FE342E2FE1A7F9Bull}};

enum { P256_IN_LEN = 160 };

/* The verdict of P256VERIFY: 1 valid, 0 invalid. Field elements are held in
 * Montgomery form from the curve check on, s^-1 too; the two scalar
 * products take canonical operands (pc_witness.h lists the products; the
 * form changes none of them). */
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
  ecw_curve c = {.a = ECW_A_MINUS3};
  ecw_mod n;
  const ecw_mod *mp = &c.p, *mn = &n;
  ecw_mod_init(&c.p, &P256_P);
  ecw_mod_init(&n, &P256_N);
  u256 gx, gy, b, rm;
  ecw_to_mont(&gx, &P256_GX, mp);
  ecw_to_mont(&gy, &P256_GY, mp);
  ecw_to_mont(&b, &P256_B, mp);
  ecw_to_mont(&qx, &qx, mp);
  ecw_to_mont(&qy, &qy, mp);
  ecw_to_mont(&rm, &r, mp); /* r < n < p: r as a field element */

  /* Key on the curve: qy^2 == qx^3 - 3 qx + b. */
  {
    u256 lhs, x2, rhs, t;
    ecw_mul(&w->sink, &lhs, &qy, &qy, mp);
    ecw_mul(&w->sink, &x2, &qx, &qx, mp);
    ecw_mul(&w->sink, &rhs, &x2, &qx, mp);
    ecw_add(&t, &qx, &qx, mp);
    ecw_add(&t, &t, &qx, mp);
    ecw_sub(&rhs, &rhs, &t, mp);
    ecw_add(&rhs, &rhs, &b, mp);
    if (!u256_eq(&lhs, &rhs)) return 0;
  }

  /* u1 = h / s, u2 = r / s mod n; 2n > 2^256, so one subtraction reduces h. */
  u256 e, sinv, u1, u2;
  if (!u256_lt(&h, &P256_N)) u256_sub(&h, &h, &P256_N);
  u256_sub(&e, &P256_N, &(u256){{2, 0, 0, 0}});
  ecw_to_mont(&sinv, &s, mn);
  ecw_pow(&w->sink, &sinv, &sinv, &e, mn);
  ecw_from_mont(&sinv, &sinv, mn);
  ecw_mul_plain(&w->sink, &u1, &h, &sinv, mn);
  ecw_mul_plain(&w->sink, &u2, &r, &sinv, mn);

  /* R' = u1 G + u2 Q, one shared doubling per bit. */
  ecw_jac q;
  ecw_joint_mul(&w->sink, &c, &q, &u1, &gx, &gy, &u2, &qx, &qy);
  if (q.inf) return 0;

  /* x(R') mod n == r, i.e. x = r or x = r + n (< p), as X == x Z^2. */
  u256 zz, t, pmn;
  ecw_mul(&w->sink, &zz, &q.z, &q.z, mp);
  ecw_mul(&w->sink, &t, &rm, &zz, mp);
  if (u256_eq(&t, &q.x)) return 1;
  u256_sub(&pmn, &P256_P, &P256_N);
  if (!u256_lt(&r, &pmn)) return 0;
  u256 rn;
  u256_add(&rn, &r, &P256_N);
  ecw_to_mont(&rn, &rn, mp);
  ecw_mul(&w->sink, &t, &rn, &zz, mp);
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

/* The index of the highest set bit of x != 0 (0 .. 7). */
static int top_bit(uint8_t x) {
  int t = 7;
  while (!((x >> t) & 1)) t--;
  return t;
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
  const ecw_mod *md = &w->mp;
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
    if (w->compute) ecw_add(acc, acc, &c, md);
  }
}

/* MODEXP's three lengths as the precompile reads them: MODEXP_GO with
 * *bl, *el, *ml set; MODEXP_EMPTY (mod_len 0: the empty output, whatever
 * the other lengths are); PCW_FAIL past Osaka's bound; PCW_E_UNSUPPORTED
 * past the precompile's own limit. */
enum { MODEXP_GO = 2, MODEXP_EMPTY = 3 };
static int modexp_lengths(blk_fork fork, const uint8_t *in, size_t len, size_t *bl, size_t *el, size_t *ml) {
  if (fork >= BLK_FORK_OSAKA &&
      (len_word(bl, in, len, 0, MODEXP_OSAKA_MAX_LEN) || len_word(el, in, len, 32, MODEXP_OSAKA_MAX_LEN) ||
       len_word(ml, in, len, 64, MODEXP_OSAKA_MAX_LEN)))
    return PCW_FAIL;
  if (len_word(ml, in, len, 64, UINT64_MAX) == 0 && *ml == 0) return MODEXP_EMPTY;
  if (len_word(bl, in, len, 0, PC_MODEXP_MAX_LEN) || len_word(el, in, len, 32, PC_MODEXP_MAX_LEN) ||
      len_word(ml, in, len, 64, PC_MODEXP_MAX_LEN))
    return PCW_E_UNSUPPORTED;
  return MODEXP_GO;
}

static int run_modexp(wit *w, blk_fork fork, const uint8_t *in, size_t len, uint8_t **out,
                      size_t *out_len) {
  size_t bl, el, ml;
  int lr = modexp_lengths(fork, in, len, &bl, &el, &ml);
  if (lr == MODEXP_EMPTY) return set_output(NULL, 0, out, out_len);
  if (lr != MODEXP_GO) return lr;
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
        ecw_mod_init(&w->mp, &m);
      else
        w->mp.m = m; /* the base chunks are still compared with it */
      size_t bz = skip_zeros(in, len, boff, bl);
      b = u256_zero();
      if (bz < bl) reduce_base(w, &b, in, len, boff + bz, bl - bz);
      /* Left-to-right binary over e's bits below its top set bit. */
      int tb = top_bit(byte_at(in, len, eoff + ez));
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

/* An evm_pc_run status as pc_witness's, its output (res, res_len, which
 * evm_pc_run sets on EVM_PC_OK only) handed to out / out_len when wanted,
 * else freed. */
static int pc_result(int rc, uint8_t *res, size_t res_len, uint8_t **out, size_t *out_len) {
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
  bn_obs o = {w->sink.fn, w->sink.ctx, {0}};
  bn254_mul_observer_fn prev_fn = NULL;
  void *prev_ctx = NULL;
  if (w->sink.fn) {
    bn_p_bytes(o.p);
    bn254_set_mul_observer(bn_observe, &o, &prev_fn, &prev_ctx);
  }
  uint8_t *res = NULL;
  size_t res_len = 0;
  evm_pc_work work = {0};
  uint64_t m0 = bn254_fp_mul_count();
  int rc = evm_pc_run(id, fork, in, len, &res, &res_len, &work);
  w->sink.count = bn254_fp_mul_count() - m0;
  if (w->sink.fn) bn254_set_mul_observer(prev_fn, prev_ctx, NULL, NULL);
  return pc_result(rc, res, res_len, out, out_len);
}

/* ---- entry ------------------------------------------------------------- */

uint16_t pcw_address(evm_pc_id id) {
  switch (id) {
    case EVM_PC_MODEXP: return PCW_ADDR_MODEXP;
    case EVM_PC_BN_ADD: return PCW_ADDR_ECADD;
    case EVM_PC_BN_MUL: return PCW_ADDR_ECMUL;
    case EVM_PC_BN_PAIRING: return PCW_ADDR_ECPAIRING;
    case EVM_PC_P256VERIFY: return PCW_ADDR_P256VERIFY;
    default: return 0;
  }
}

/* What pcw_run and pcw_run_wide do first: outputs cleared, arguments
 * checked (PCW_E_ARG), *id the precompile at address in fork (EVM_PC_NONE
 * if none). Returns PCW_OK to go on. */
static int entry(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, uint64_t *count_out,
                 uint8_t **out, size_t *out_len, evm_pc_id *id) {
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
  *id = evm_pc_lookup(fork, a20);
  return PCW_OK;
}

int pcw_run(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, pcw_mulmod_fn fn, void *ctx,
            uint64_t *count_out, uint8_t **out, size_t *out_len) {
  evm_pc_id id;
  int er = entry(address, in, len, fork, count_out, out, out_len, &id);
  if (er != PCW_OK) return er;
  wit w = {.sink = {fn, ctx, 1, 0}, .compute = 1};
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
    if (count_out) *count_out = w.sink.count;
  } else if (out) {
    free(*out);
    *out = NULL;
    *out_len = 0;
  }
  return rc;
}

/* ---- wide MODEXP --------------------------------------------------------- */

typedef struct {
  pcw_step_fn fn;
  void *ctx;
  uint64_t count;
} wsink;

/* One step (pc_witness.h (2)): reported, then t = t', c = c'. The sum is
 * below 2^512: (2^256 - 1)^2 + 2 (2^256 - 1) = 2^512 - 1. */
static void wstep(wsink *s, u256 *t, u256 *c, const u256 *a, const u256 *b) {
  s->count++;
  if (s->fn) {
    uint8_t ab[32], bb[32], tb[32], cb[32];
    u256_to_be(a, ab);
    u256_to_be(b, bb);
    u256_to_be(t, tb);
    u256_to_be(c, cb);
    s->fn(s->ctx, ab, bb, tb, cb);
  }
  u256 hi, lo;
  u256_mul_wide(&hi, &lo, a, b);
  unsigned k = u256_add(&lo, &lo, t);
  k += u256_add(&lo, &lo, c);
  u256 kk = u256_from_u64(k);
  u256_add(&hi, &hi, &kk);
  *t = lo;
  *c = hi;
}

/* mul(X, Y, T) of pc_witness.h: T (nx + ny limbs, zero from ny on) += X Y. */
static void wmul(wsink *s, u256 *T, const u256 *x, size_t nx, const u256 *y, size_t ny) {
  for (size_t i = 0; i < nx; i++) {
    u256 c = u256_zero();
    for (size_t j = 0; j < ny; j++) wstep(s, &T[i + j], &c, &x[i], &y[j]);
    T[i + ny] = c;
  }
}

/* The K steps showing r < m: r + (m - 1 - r) = m - 1 with no carry out. */
static void wrange(wsink *s, const u256 *r, const u256 *m, size_t k) {
  const u256 one = u256_from_u64(1);
  unsigned borrow = 1; /* m - 1 - r = m - r - 1 */
  u256 c = u256_zero();
  for (size_t i = 0; i < k; i++) {
    u256 d, bw = u256_from_u64(borrow);
    borrow = u256_sub(&d, &m[i], &r[i]);
    borrow += u256_sub(&d, &d, &bw);
    u256 t = r[i];
    wstep(s, &t, &c, &d, &one);
  }
}

/* Limbs (little-endian, 64-bit words little-endian in each) to and from GMP. */
static void limbs_to_mpz(mpz_t z, const u256 *l, size_t k) { mpz_import(z, 4 * k, -1, 8, 0, 0, l); }
static void mpz_to_limbs(u256 *l, size_t k, const mpz_t z) {
  memset(l, 0, k * sizeof *l);
  size_t n = 0;
  if (mpz_sgn(z)) mpz_export(l, &n, -1, 8, 0, 0, z); /* callers size k for z */
}

/* The n-byte big-endian number at off as k >= ceil(n / 32) limbs. */
static void limbs_from_be(u256 *l, size_t k, const uint8_t *in, size_t len, size_t off, size_t n) {
  for (size_t i = 0; i < k; i++) {
    size_t done = 32 * i;
    if (done >= n)
      l[i] = u256_zero();
    else
      chunk_at(&l[i], in, len, off, n - done);
  }
}

/* x = y * z mod m checked as pc_witness.h describes (K limbs each; x may
 * alias y or z); T holds 4K limbs of scratch. */
static void wmodmul(wsink *s, u256 *x, const u256 *y, const u256 *z, const u256 *m, mpz_t mm, size_t k,
                    u256 *T, mpz_t tmp, mpz_t q, mpz_t r) {
  u256 *t1 = T, *t2 = T + 2 * k;
  memset(t1, 0, 2 * k * sizeof *t1);
  wmul(s, t1, y, k, z, k);
  limbs_to_mpz(tmp, t1, 2 * k);
  mpz_tdiv_qr(q, r, tmp, mm);
  u256 *ql = t1, *rl = t1 + k; /* t1 is spent */
  mpz_to_limbs(ql, k, q);
  mpz_to_limbs(rl, k, r);
  memset(t2, 0, 2 * k * sizeof *t2);
  memcpy(t2, rl, k * sizeof *rl);
  wmul(s, t2, ql, k, m, k);
  wrange(s, rl, m, k);
  memcpy(x, rl, k * sizeof *x);
}

/* Whether the bn-byte number at boff is below the mn-byte one at moff (both
 * without leading zeros). */
static int be_less(const uint8_t *in, size_t len, size_t boff, size_t bn, size_t moff, size_t mn) {
  if (bn != mn) return bn < mn;
  for (size_t i = 0; i < bn; i++) {
    uint8_t x = byte_at(in, len, boff + i), y = byte_at(in, len, moff + i);
    if (x != y) return x < y;
  }
  return 0;
}

/* Steps past this are refused (PCW_E_UNSUPPORTED): no call a block can pay
 * for comes near, and the count stays far from overflow. */
#define WIDE_MAX_STEPS ((uint64_t)1 << 56)

int pcw_run_wide(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, pcw_step_fn fn, void *ctx,
                 uint64_t *count_out, uint8_t **out, size_t *out_len) {
  evm_pc_id id;
  int er = entry(address, in, len, fork, count_out, out, out_len, &id);
  if (er != PCW_OK) return er;
  if (id != EVM_PC_MODEXP) return PCW_E_UNSUPPORTED;
  size_t bl, el, ml;
  int lr = modexp_lengths(fork, in, len, &bl, &el, &ml);
  if (lr == MODEXP_EMPTY) return PCW_E_UNSUPPORTED;
  if (lr != MODEXP_GO) return lr;
  const size_t boff = 96, eoff = 96 + bl, moff = 96 + bl + el;
  const size_t mz = skip_zeros(in, len, moff, ml), mn = ml - mz;
  if (mn <= 32) return PCW_E_UNSUPPORTED;
  const size_t k = (mn + 31) / 32;
  const size_t bz = skip_zeros(in, len, boff, bl), bn = bl - bz;
  const size_t ez = skip_zeros(in, len, eoff, el);
  const int reduce = ez < el && !be_less(in, len, boff + bz, bn, moff + mz, mn);
  const size_t kb = (bn + 31) / 32, kq = reduce ? kb - k + 1 : 0;

  /* The count, from the lengths and e's bits alone. */
  uint64_t nmul = 0;
  const int tb = ez < el ? top_bit(byte_at(in, len, eoff + ez)) : 0;
  if (ez < el) {
    uint64_t bits = (uint64_t)(el - ez - 1) * 8 + (uint64_t)tb + 1, pop = 0;
    for (size_t i = ez; i < el; i++) pop += (uint64_t)__builtin_popcount(byte_at(in, len, eoff + i));
    nmul = bits - 1 + pop - 1;
  }
  const uint64_t per = 2 * (uint64_t)k * k + k;
  const uint64_t base_steps = reduce ? (uint64_t)kq * k + k : 0;
  if (base_steps > WIDE_MAX_STEPS || nmul > (WIDE_MAX_STEPS - base_steps) / per) return PCW_E_UNSUPPORTED;
  const uint64_t total = base_steps + nmul * per;

  int rc = PCW_OK;
  if (fn || out) {
    /* m, b, acc: k limbs each; T: scratch for the products (4k limbs) and
     * for the base reduction (b's kb limbs, then kb + 1 for r + q m). */
    size_t tl = 4 * k > 2 * kb + 1 ? 4 * k : 2 * kb + 1;
    u256 *m = malloc((3 * k + tl) * sizeof *m);
    uint8_t *res = out ? calloc(1, ml) : NULL;
    if (!m || (out && !res)) {
      free(m);
      free(res);
      return PCW_E_NOMEM;
    }
    u256 *b = m + k, *acc = b + k, *T = acc + k;
    wsink s = {fn, ctx, 0};
    mpz_t mm, tmp, q, r;
    mpz_inits(mm, tmp, q, r, NULL);
    limbs_from_be(m, k, in, len, moff + mz, mn);
    limbs_to_mpz(mm, m, k);
    memset(acc, 0, k * sizeof *acc);
    acc[0] = u256_from_u64(1); /* e = 0: 1 (m > 1) */
    if (ez < el) {
      if (reduce) {
        u256 *bw = T, *t = T + kb;
        limbs_from_be(bw, kb, in, len, boff + bz, bn);
        limbs_to_mpz(tmp, bw, kb);
        mpz_tdiv_qr(q, r, tmp, mm);
        u256 *ql = bw; /* b is spent; q has kq <= kb limbs */
        mpz_to_limbs(ql, kq, q);
        memset(t, 0, (kb + 1) * sizeof *t);
        mpz_to_limbs(t, k, r);
        memcpy(b, t, k * sizeof *b);
        wmul(&s, t, ql, kq, m, k);
        wrange(&s, b, m, k);
      } else {
        limbs_from_be(b, k, in, len, boff + bz, bn);
      }
      memcpy(acc, b, k * sizeof *acc);
      for (size_t i = ez; i < el; i++) {
        uint8_t eb = byte_at(in, len, eoff + i);
        for (int j = i == ez ? tb - 1 : 7; j >= 0; j--) {
          wmodmul(&s, acc, acc, acc, m, mm, k, T, tmp, q, r);
          if ((eb >> j) & 1) wmodmul(&s, acc, acc, b, m, mm, k, T, tmp, q, r);
        }
      }
    }
    mpz_clears(mm, tmp, q, r, NULL);
    if (s.count != total) rc = PCW_E_ARG; /* the formula above and the steps done must agree */
    if (res) {
      for (size_t i = 0; i < ml && i < 32 * k; i++) {
        size_t limb = i / 32, byte = i % 32; /* byte i from the least significant end */
        res[ml - 1 - i] = (uint8_t)(acc[limb].w[byte / 8] >> (8 * (byte % 8)));
      }
      if (rc == PCW_OK) {
        *out = res;
        *out_len = ml;
      } else {
        free(res);
      }
    }
    free(m);
  }
  if (rc == PCW_OK && count_out) *count_out = total;
  return rc;
}

/* ---- BLS12-381 ----------------------------------------------------------- */

int pcw_run_bls12(uint16_t address, const uint8_t *in, size_t len, blk_fork fork, pcw_fp381_fn fn, void *ctx,
                  uint64_t *count_out, uint8_t **out, size_t *out_len) {
  if (count_out) *count_out = 0;
  if (!out != !out_len) return PCW_E_ARG;
  if (out) {
    *out = NULL;
    *out_len = 0;
  }
  if (!in && len) return PCW_E_ARG;
  if (address != PCW_ADDR_POINT_EVAL && (address < PCW_ADDR_BLS12_FIRST || address > PCW_ADDR_BLS12_LAST))
    return PCW_E_UNSUPPORTED;
  uint8_t addr[20] = {0};
  addr[18] = (uint8_t)(address >> 8);
  addr[19] = (uint8_t)address;
  evm_pc_id id = evm_pc_lookup(fork, addr);
  if (id == EVM_PC_NONE) return PCW_E_UNSUPPORTED;
  bls12_mul_observer_fn prev_fn = NULL;
  void *prev_ctx = NULL;
  if (fn) bls12_set_mul_observer(fn, ctx, &prev_fn, &prev_ctx);
  uint8_t *res = NULL;
  size_t res_len = 0;
  evm_pc_work work = {0};
  uint64_t m0 = bls12_fp_muls();
  int rc = evm_pc_run(id, fork, in, len, &res, &res_len, &work);
  uint64_t count = bls12_fp_muls() - m0;
  if (fn) bls12_set_mul_observer(prev_fn, prev_ctx, NULL, NULL);
  rc = pc_result(rc, res, res_len, out, out_len);
  if (count_out && (rc == PCW_OK || rc == PCW_FAIL)) *count_out = count;
  return rc;
}
