/* ecw against GMP: the Montgomery constants, products, conversions,
 * additions and reported products on the curve moduli, on random odd and
 * even moduli and on the extremes (3, 2, 2^256 - 1, 2^255); the window
 * power's value and its whole reported sequence rebuilt here from the
 * contract; Jacobian doubling (a = 0 and a = -3) and mixed addition against
 * affine arithmetic done here, with the products of ecw.h in their order,
 * the exceptional additions (same point, opposite point, into infinity) and
 * the joint double-and-add's value and count on secp256k1 and P-256. Inputs
 * in Montgomery form are made with GMP, not with ecw_to_mont. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>

#include "trace/ecw.h"

/* secp256k1 (a = 0, b = 7) and P-256 (a = -3), from SEC 2. */
typedef struct {
  const char *p, *n, *b, *gx, *gy;
  ecw_a a;
  unsigned dbl_muls;
} curve_hex;

static const curve_hex CURVES[2] = {
    {"fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
     "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "7",
     "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
     "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8", ECW_A_ZERO, 7},
    {"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
     "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
     "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
     "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
     "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", ECW_A_MINUS3, 8},
};

/* ---- helpers ---- */

static uint64_t g_rng = 0x0ecb0ecb5eed1234ull;
static uint64_t rnd64(void) {
  uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void to_mpz(mpz_t z, const u256 *a) { mpz_import(z, 4, -1, sizeof(uint64_t), 0, 0, a->w); }
static void from_mpz(u256 *a, const mpz_t z) {
  size_t cnt = 0;
  memset(a, 0, sizeof *a);
  assert_true(mpz_sgn(z) >= 0 && mpz_sizeinbase(z, 2) <= 256);
  mpz_export(a->w, &cnt, -1, sizeof(uint64_t), 0, 0, z);
}
static void bytes_mpz(mpz_t z, const uint8_t b[32]) { mpz_import(z, 32, 1, 1, 1, 0, b); }

/* A random value below 2^bits (bits 1..256), or below m when m is given. */
static void rnd_mpz(mpz_t z, unsigned bits, const mpz_t m) {
  u256 a;
  for (int i = 0; i < 4; i++) a.w[i] = rnd64();
  to_mpz(z, &a);
  if (bits < 256) mpz_fdiv_r_2exp(z, z, bits);
  if (m) mpz_mod(z, z, m);
}

/* x R mod m and back, by GMP (R = 2^256). */
static void gmp_to_m(u256 *r, const mpz_t x, const mpz_t m) {
  mpz_t t;
  mpz_init(t);
  mpz_mul_2exp(t, x, 256);
  mpz_mod(t, t, m);
  from_mpz(r, t);
  mpz_clear(t);
}
static void gmp_from_m(mpz_t x, const u256 *a, const mpz_t m) {
  mpz_t rinv;
  mpz_init_set_ui(rinv, 1);
  mpz_mul_2exp(rinv, rinv, 256);
  assert_true(mpz_invert(rinv, rinv, m));
  to_mpz(x, a);
  mpz_mul(x, x, rinv);
  mpz_mod(x, x, m);
  mpz_clear(rinv);
}

/* Every reported product, kept (up to MAXREC). */
#define MAXREC 8192
typedef struct {
  size_t n;
  int r_null; /* some product came without r */
  uint8_t a[MAXREC][32], b[MAXREC][32], m[MAXREC][32], r[MAXREC][32];
} rec;

static void on_rec(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32], const uint8_t *r) {
  rec *c = ctx;
  assert_true(c->n < MAXREC);
  memcpy(c->a[c->n], a, 32);
  memcpy(c->b[c->n], b, 32);
  memcpy(c->m[c->n], m, 32);
  if (r)
    memcpy(c->r[c->n], r, 32);
  else
    c->r_null = 1;
  c->n++;
}

/* Product i of c is (a, b) mod m with the right r. */
static void check_rec(const rec *c, size_t i, const mpz_t a, const mpz_t b, const mpz_t m) {
  mpz_t x, t;
  mpz_inits(x, t, NULL);
  assert_true(i < c->n);
  bytes_mpz(x, c->a[i]);
  if (mpz_cmp(x, a) != 0) fail_msg("product %zu: operand a differs", i);
  bytes_mpz(x, c->b[i]);
  if (mpz_cmp(x, b) != 0) fail_msg("product %zu: operand b differs", i);
  bytes_mpz(x, c->m[i]);
  assert_int_equal(mpz_cmp(x, m), 0);
  bytes_mpz(x, c->r[i]);
  mpz_mul(t, a, b);
  mpz_mod(t, t, m);
  assert_int_equal(mpz_cmp(x, t), 0);
  mpz_clears(x, t, NULL);
}

static rec g_rec;

static void sink_rec(ecw_sink *s) {
  memset(s, 0, sizeof *s);
  s->fn = on_rec;
  s->ctx = &g_rec;
  s->want_r = 1;
  g_rec.n = 0;
  g_rec.r_null = 0;
}

/* Moduli: the four curve ones, bn254's p, the extremes, random ones. */
static void pick_modulus(mpz_t m, int i, int odd) {
  static const char *fixed[] = {"fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
                                "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
                                "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
                                "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
                                "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47",
                                "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                                "3"};
  if (odd && i < 7) {
    mpz_set_str(m, fixed[i], 16);
    return;
  }
  if (!odd && i < 3) {
    static const char *even[] = {"2", "8000000000000000000000000000000000000000000000000000000000000000",
                                 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"};
    mpz_set_str(m, even[i], 16);
    return;
  }
  do {
    rnd_mpz(m, 1 + (unsigned)(rnd64() % 256), NULL);
    if (odd)
      mpz_setbit(m, 0);
    else
      mpz_clrbit(m, 0);
  } while (mpz_cmp_ui(m, 1) <= 0);
}

/* ---- arithmetic ---- */

/* The constants of ecw_mod_init, ecw_mont, the conversions, add and sub. */
static void test_mont(void **state) {
  (void)state;
  mpz_t m, R, a, b, x, t;
  mpz_inits(m, R, a, b, x, t, NULL);
  mpz_set_ui(R, 1);
  mpz_mul_2exp(R, R, 256);
  for (int i = 0; i < 300; i++) {
    pick_modulus(m, i, 1);
    u256 um, ua, ub, ur;
    from_mpz(&um, m);
    ecw_mod md;
    ecw_mod_init(&md, &um);
    assert_true(md.odd);
    assert_int_equal(md.minv * um.w[0], UINT64_MAX); /* m minv = -1 mod 2^64 */
    mpz_mod(t, R, m);
    to_mpz(x, &md.one);
    assert_int_equal(mpz_cmp(x, t), 0);
    mpz_mul(t, t, t);
    mpz_mod(t, t, m);
    to_mpz(x, &md.r2);
    assert_int_equal(mpz_cmp(x, t), 0);
    bytes_mpz(x, md.mb);
    assert_int_equal(mpz_cmp(x, m), 0);
    /* out of Montgomery form at the ends of [0, m) */
    for (int k = 0; k < 2; k++) {
      if (k == 0)
        mpz_set_ui(a, 0);
      else
        mpz_sub_ui(a, m, 1);
      from_mpz(&ua, a);
      ecw_from_mont(&ur, &ua, &md);
      gmp_from_m(t, &ua, m);
      to_mpz(x, &ur);
      assert_int_equal(mpz_cmp(x, t), 0);
    }
    for (int k = 0; k < 8; k++) {
      rnd_mpz(a, 256, NULL); /* any a < 2^256 */
      rnd_mpz(b, 256, m);
      if (k == 0) mpz_sub_ui(b, m, 1);
      if (k == 1) mpz_sub_ui(a, R, 1);
      from_mpz(&ua, a);
      from_mpz(&ub, b);
      /* mont: r < m and r R = a b mod m */
      ecw_mont(&ur, &ua, &ub, &md);
      to_mpz(t, &ur);
      assert_true(mpz_cmp(t, m) < 0);
      mpz_mul(t, t, R);
      mpz_mul(x, a, b);
      mpz_sub(t, t, x);
      assert_true(mpz_divisible_p(t, m));
      /* into Montgomery form from any a, out of it from a reduced one */
      ecw_to_mont(&ur, &ua, &md);
      gmp_to_m(&ub, a, m);
      assert_memory_equal(&ur, &ub, sizeof ur);
      ecw_from_mont(&ur, &ur, &md);
      mpz_mod(t, a, m);
      to_mpz(x, &ur);
      assert_int_equal(mpz_cmp(x, t), 0);
      /* add and sub of reduced values, aliased */
      mpz_mod(a, a, m);
      from_mpz(&ua, a);
      from_mpz(&ub, b);
      ecw_add(&ur, &ua, &ub, &md);
      mpz_add(t, a, b);
      mpz_mod(t, t, m);
      to_mpz(x, &ur);
      assert_int_equal(mpz_cmp(x, t), 0);
      ecw_sub(&ua, &ua, &ub, &md);
      mpz_sub(t, a, b);
      mpz_mod(t, t, m);
      to_mpz(x, &ua);
      assert_int_equal(mpz_cmp(x, t), 0);
    }
  }
  mpz_clears(m, R, a, b, x, t, NULL);
}

/* ecw_mul_plain on odd and even moduli (a unreduced, b < m, aliasing) and
 * ecw_mul on odd ones: the value, the reported (a, b, m, r) canonical, r
 * NULL without want_r, and the count with no callback. */
static void test_mul(void **state) {
  (void)state;
  mpz_t m, a, b, x, t;
  mpz_inits(m, a, b, x, t, NULL);
  ecw_sink s;
  for (int i = 0; i < 400; i++) {
    int odd = i % 2;
    pick_modulus(m, i / 2, odd);
    u256 um, ua, ub, ur;
    from_mpz(&um, m);
    ecw_mod md;
    ecw_mod_init(&md, &um);
    assert_int_equal(md.odd, odd);
    rnd_mpz(a, 256, NULL);
    rnd_mpz(b, 256, m);
    from_mpz(&ua, a);
    from_mpz(&ub, b);
    sink_rec(&s);
    ecw_mul_plain(&s, &ur, &ua, &ub, &md);
    mpz_mul(t, a, b);
    mpz_mod(t, t, m);
    to_mpz(x, &ur);
    assert_int_equal(mpz_cmp(x, t), 0);
    /* r aliasing b, then a; a == b */
    ecw_mul_plain(&s, &ub, &ua, &ub, &md);
    assert_memory_equal(&ub, &ur, sizeof ur);
    mpz_mod(x, a, m);
    from_mpz(&ua, x);
    ecw_mul_plain(&s, &ua, &ua, &ua, &md);
    assert_int_equal(g_rec.n, 3);
    assert_int_equal(s.count, 3);
    check_rec(&g_rec, 0, a, b, m);
    check_rec(&g_rec, 1, a, b, m);
    check_rec(&g_rec, 2, x, x, m);
    assert_int_equal(g_rec.r_null, 0);
    mpz_mul(t, x, x);
    mpz_mod(t, t, m);
    to_mpz(x, &ua);
    assert_int_equal(mpz_cmp(x, t), 0);
    /* without want_r: r is NULL; without fn: counted, same value */
    s.want_r = 0;
    from_mpz(&ua, a);
    from_mpz(&ub, b);
    ecw_mul_plain(&s, &ur, &ua, &ub, &md);
    assert_int_equal(g_rec.r_null, 1);
    assert_int_equal(g_rec.n, 4);
    ecw_sink quiet = {NULL, NULL, 1, 0};
    u256 ur2;
    ecw_mul_plain(&quiet, &ur2, &ua, &ub, &md);
    assert_int_equal(quiet.count, 1);
    assert_memory_equal(&ur2, &ur, sizeof ur);
    if (!odd) continue;
    /* ecw_mul: Montgomery forms in and out, canonical values reported */
    mpz_mod(a, a, m);
    u256 am, bm, rm;
    gmp_to_m(&am, a, m);
    gmp_to_m(&bm, b, m);
    sink_rec(&s);
    ecw_mul(&s, &rm, &am, &bm, &md);
    ecw_mul(&s, &am, &am, &am, &md);
    mpz_mul(t, a, b);
    mpz_mod(t, t, m);
    gmp_from_m(x, &rm, m);
    assert_int_equal(mpz_cmp(x, t), 0);
    mpz_mul(t, a, a);
    mpz_mod(t, t, m);
    gmp_from_m(x, &am, m);
    assert_int_equal(mpz_cmp(x, t), 0);
    assert_int_equal(s.count, 2);
    check_rec(&g_rec, 0, a, b, m);
    check_rec(&g_rec, 1, a, a, m);
    ecw_mul(&quiet, &am, &bm, &bm, &md);
    mpz_mul(t, b, b);
    mpz_mod(t, t, m);
    gmp_from_m(x, &am, m);
    assert_int_equal(mpz_cmp(x, t), 0);
  }
  mpz_clears(m, a, b, x, t, NULL);
}

/* The window power: value, count, and every product rebuilt from the
 * contract (table a^2 .. a^15, then per digit below the top four squarings
 * and the table entry when the digit is not zero). */
static void test_pow(void **state) {
  (void)state;
  mpz_t m, a, e, acc, t, tab[16];
  mpz_inits(m, a, e, acc, t, NULL);
  for (int k = 0; k < 16; k++) mpz_init(tab[k]);
  ecw_sink s;
  for (int i = 0; i < 120; i++) {
    pick_modulus(m, i, 1);
    u256 um, ue, am, rm;
    from_mpz(&um, m);
    ecw_mod md;
    ecw_mod_init(&md, &um);
    rnd_mpz(a, 256, m);
    switch (i % 8) {
    case 0: mpz_set_ui(e, 0); break;
    case 1: mpz_set_ui(e, 1 + (unsigned)(i % 15)); break;
    case 2: mpz_set_ui(e, 16); break;
    case 3: /* 2^256 - 1: all 64 digits f */
      mpz_ui_pow_ui(e, 2, 256);
      mpz_sub_ui(e, e, 1);
      break;
    case 4: mpz_sub_ui(e, m, 2); break;
    default: rnd_mpz(e, 1 + (unsigned)(rnd64() % 256), NULL);
    }
    from_mpz(&ue, e);
    gmp_to_m(&am, a, m);
    sink_rec(&s);
    ecw_pow(&s, &rm, &am, &ue, &md);
    gmp_from_m(t, &rm, m);
    mpz_powm(acc, a, e, m);
    assert_int_equal(mpz_cmp(t, acc), 0);
    /* the expected sequence */
    size_t j = 0;
    if (mpz_sgn(e) == 0) {
      assert_int_equal(s.count, 0);
      continue;
    }
    char hex[80];
    mpz_get_str(hex, 16, e);
    mpz_set(tab[1], a);
    for (int k = 2; k < 16; k++) {
      check_rec(&g_rec, j++, tab[k - 1], a, m);
      mpz_mul(tab[k], tab[k - 1], a);
      mpz_mod(tab[k], tab[k], m);
    }
    size_t d = strlen(hex);
    unsigned top = (unsigned)(hex[0] <= '9' ? hex[0] - '0' : hex[0] - 'a' + 10);
    mpz_set(acc, tab[top]);
    for (size_t q = 1; q < d; q++) {
      for (int k = 0; k < 4; k++) {
        check_rec(&g_rec, j++, acc, acc, m);
        mpz_mul(acc, acc, acc);
        mpz_mod(acc, acc, m);
      }
      unsigned dg = (unsigned)(hex[q] <= '9' ? hex[q] - '0' : hex[q] - 'a' + 10);
      if (dg) {
        check_rec(&g_rec, j++, acc, tab[dg], m);
        mpz_mul(acc, acc, tab[dg]);
        mpz_mod(acc, acc, m);
      }
    }
    assert_int_equal(g_rec.n, j);
    assert_int_equal(s.count, j);
  }
  for (int k = 0; k < 16; k++) mpz_clear(tab[k]);
  mpz_clears(m, a, e, acc, t, NULL);
}

/* ---- curves ---- */

typedef struct {
  mpz_t p, n, a, gx, gy;
  ecw_curve c;
} curve;

static void curve_init(curve *cv, const curve_hex *h) {
  mpz_inits(cv->p, cv->n, cv->a, cv->gx, cv->gy, NULL);
  mpz_set_str(cv->p, h->p, 16);
  mpz_set_str(cv->n, h->n, 16);
  mpz_set_str(cv->gx, h->gx, 16);
  mpz_set_str(cv->gy, h->gy, 16);
  mpz_set_si(cv->a, h->a == ECW_A_MINUS3 ? -3 : 0);
  mpz_mod(cv->a, cv->a, cv->p);
  u256 up;
  from_mpz(&up, cv->p);
  ecw_mod_init(&cv->c.p, &up);
  cv->c.a = h->a;
}
static void curve_clear(curve *cv) { mpz_clears(cv->p, cv->n, cv->a, cv->gx, cv->gy, NULL); }

/* Affine points by GMP; inf marks infinity. */
typedef struct {
  mpz_t x, y;
  int inf;
} aff;

static void aff_init(aff *P) {
  mpz_inits(P->x, P->y, NULL);
  P->inf = 1;
}
static void aff_clear(aff *P) { mpz_clears(P->x, P->y, NULL); }

/* R = P + Q (any of them equal or opposite). R may be P or Q. */
static void aff_add(const curve *cv, aff *R, const aff *P, const aff *Q) {
  if (P->inf || Q->inf) {
    const aff *o = P->inf ? Q : P;
    mpz_set(R->x, o->x);
    mpz_set(R->y, o->y);
    R->inf = o->inf;
    return;
  }
  mpz_t l, t, x3;
  mpz_inits(l, t, x3, NULL);
  if (mpz_cmp(P->x, Q->x) == 0) {
    mpz_add(t, P->y, Q->y);
    mpz_mod(t, t, cv->p);
    if (mpz_sgn(t) == 0) {
      R->inf = 1;
      mpz_clears(l, t, x3, NULL);
      return;
    }
    mpz_mul(l, P->x, P->x); /* (3 x^2 + a) / 2y */
    mpz_mul_ui(l, l, 3);
    mpz_add(l, l, cv->a);
    mpz_mul_ui(t, P->y, 2);
  } else {
    mpz_sub(l, Q->y, P->y);
    mpz_sub(t, Q->x, P->x);
  }
  mpz_mod(t, t, cv->p);
  assert_true(mpz_invert(t, t, cv->p));
  mpz_mul(l, l, t);
  mpz_mod(l, l, cv->p);
  mpz_mul(x3, l, l);
  mpz_sub(x3, x3, P->x);
  mpz_sub(x3, x3, Q->x);
  mpz_mod(x3, x3, cv->p);
  mpz_sub(t, P->x, x3);
  mpz_mul(t, t, l);
  mpz_sub(t, t, P->y);
  mpz_mod(R->y, t, cv->p);
  mpz_set(R->x, x3);
  R->inf = 0;
  mpz_clears(l, t, x3, NULL);
}

/* R = k P by GMP double-and-add. */
static void aff_mul(const curve *cv, aff *R, const mpz_t k, const aff *P) {
  aff acc;
  aff_init(&acc);
  for (long i = (long)mpz_sizeinbase(k, 2) - 1; i >= 0 && mpz_sgn(k); i--) {
    aff_add(cv, &acc, &acc, &acc);
    if (mpz_tstbit(k, (mp_bitcnt_t)i)) aff_add(cv, &acc, &acc, P);
  }
  mpz_set(R->x, acc.x);
  mpz_set(R->y, acc.y);
  R->inf = acc.inf;
  aff_clear(&acc);
}

static void gen(const curve *cv, aff *G) {
  mpz_set(G->x, cv->gx);
  mpz_set(G->y, cv->gy);
  G->inf = 0;
}

/* A Jacobian j in Montgomery form for P with a random Z (canonical X, Y, Z
 * into X_, Y_, Z_). */
static void to_jac(const curve *cv, ecw_jac *j, const aff *P, mpz_t X, mpz_t Y, mpz_t Z) {
  mpz_t t;
  mpz_init(t);
  do rnd_mpz(Z, 256, cv->p);
  while (mpz_sgn(Z) == 0);
  mpz_powm_ui(t, Z, 2, cv->p);
  mpz_mul(X, P->x, t);
  mpz_mod(X, X, cv->p);
  mpz_powm_ui(t, Z, 3, cv->p);
  mpz_mul(Y, P->y, t);
  mpz_mod(Y, Y, cv->p);
  gmp_to_m(&j->x, X, cv->p);
  gmp_to_m(&j->y, Y, cv->p);
  gmp_to_m(&j->z, Z, cv->p);
  j->inf = 0;
  mpz_clear(t);
}

/* j (Montgomery, Jacobian) is the affine P. */
static void check_jac(const curve *cv, const ecw_jac *j, const aff *P) {
  assert_int_equal(j->inf, P->inf);
  if (P->inf) return;
  mpz_t X, Y, Z, t;
  mpz_inits(X, Y, Z, t, NULL);
  gmp_from_m(X, &j->x, cv->p);
  gmp_from_m(Y, &j->y, cv->p);
  gmp_from_m(Z, &j->z, cv->p);
  mpz_powm_ui(t, Z, 2, cv->p);
  mpz_mul(t, t, P->x);
  mpz_sub(t, t, X);
  assert_true(mpz_divisible_p(t, cv->p));
  mpz_powm_ui(t, Z, 3, cv->p);
  mpz_mul(t, t, P->y);
  mpz_sub(t, t, Y);
  assert_true(mpz_divisible_p(t, cv->p));
  mpz_clears(X, Y, Z, t, NULL);
}

/* Checks product i as (a, b) mod p and sets out = a b mod p. */
static void expect(const curve *cv, size_t *i, mpz_t out, const mpz_t a, const mpz_t b) {
  mpz_t t;
  mpz_init(t);
  check_rec(&g_rec, (*i)++, a, b, cv->p);
  mpz_mul(t, a, b);
  mpz_mod(out, t, cv->p);
  mpz_clear(t);
}

/* Doubling: 2P, and the products of ecw.h in order, on both curves. */
static void test_dbl(void **state) {
  (void)state;
  for (int ci = 0; ci < 2; ci++) {
    curve cv;
    curve_init(&cv, &CURVES[ci]);
    aff G, P, Q;
    aff_init(&G);
    aff_init(&P);
    aff_init(&Q);
    gen(&cv, &G);
    mpz_t k, X, Y, Z, xx, yy, y4, m, sv, x3, t, t2, zz;
    mpz_inits(k, X, Y, Z, xx, yy, y4, m, sv, x3, t, t2, zz, NULL);
    ecw_sink s;
    for (int i = 0; i < 40; i++) {
      rnd_mpz(k, 256, cv.n);
      if (i == 0) mpz_set_ui(k, 1);
      aff_mul(&cv, &P, k, &G);
      ecw_jac j;
      to_jac(&cv, &j, &P, X, Y, Z);
      if (i == 1) {
        /* Z = 1, as after an addition into infinity */
        gmp_to_m(&j.x, P.x, cv.p);
        gmp_to_m(&j.y, P.y, cv.p);
        j.z = cv.c.p.one;
        mpz_set(X, P.x);
        mpz_set(Y, P.y);
        mpz_set_ui(Z, 1);
      }
      sink_rec(&s);
      ecw_dbl(&s, &cv.c, &j);
      aff_add(&cv, &Q, &P, &P);
      check_jac(&cv, &j, &Q);
      assert_int_equal(s.count, CURVES[ci].dbl_muls);
      size_t n = 0;
      if (CURVES[ci].a == ECW_A_MINUS3) {
        expect(&cv, &n, zz, Z, Z);
        mpz_sub(t, X, zz);
        mpz_mod(t, t, cv.p);
        mpz_add(t2, X, zz);
        mpz_mod(t2, t2, cv.p);
        expect(&cv, &n, m, t, t2);
        expect(&cv, &n, yy, Y, Y);
        expect(&cv, &n, sv, X, yy);
      } else {
        expect(&cv, &n, xx, X, X);
        expect(&cv, &n, yy, Y, Y);
        expect(&cv, &n, y4, yy, yy);
        expect(&cv, &n, sv, X, yy);
        mpz_set(m, xx);
      }
      mpz_mul_ui(m, m, 3);
      mpz_mod(m, m, cv.p);
      mpz_mul_ui(sv, sv, 4);
      mpz_mod(sv, sv, cv.p);
      expect(&cv, &n, x3, m, m);
      mpz_submul_ui(x3, sv, 2);
      mpz_mod(x3, x3, cv.p);
      if (CURVES[ci].a == ECW_A_MINUS3) expect(&cv, &n, y4, yy, yy);
      mpz_sub(t, sv, x3);
      mpz_mod(t, t, cv.p);
      expect(&cv, &n, t2, m, t);
      expect(&cv, &n, t2, Y, Z);
      assert_int_equal(n, g_rec.n);
      /* infinity doubles for free */
      j.inf = 1;
      ecw_dbl(&s, &cv.c, &j);
      assert_int_equal(j.inf, 1);
      assert_int_equal(s.count, CURVES[ci].dbl_muls);
    }
    mpz_clears(k, X, Y, Z, xx, yy, y4, m, sv, x3, t, t2, zz, NULL);
    aff_clear(&G);
    aff_clear(&P);
    aff_clear(&Q);
    curve_clear(&cv);
  }
}

/* Mixed addition: P + Q with its eleven products in order; into infinity
 * (free, Z = 1); the same point (four products, then a doubling); the
 * opposite point (four products, infinity). */
static void test_madd(void **state) {
  (void)state;
  for (int ci = 0; ci < 2; ci++) {
    curve cv;
    curve_init(&cv, &CURVES[ci]);
    aff G, P, Q, S;
    aff_init(&G);
    aff_init(&P);
    aff_init(&Q);
    aff_init(&S);
    gen(&cv, &G);
    mpz_t k, X, Y, Z, zz, u2, zzz, s2, h, r, hh, hhh, v, x3, t;
    mpz_inits(k, X, Y, Z, zz, u2, zzz, s2, h, r, hh, hhh, v, x3, t, NULL);
    ecw_sink s;
    for (int i = 0; i < 40; i++) {
      rnd_mpz(k, 256, cv.n);
      aff_mul(&cv, &P, k, &G);
      rnd_mpz(k, 256, cv.n);
      if (i == 0) mpz_set_ui(k, 1);
      aff_mul(&cv, &Q, k, &G);
      u256 qx, qy;
      gmp_to_m(&qx, Q.x, cv.p);
      gmp_to_m(&qy, Q.y, cv.p);
      ecw_jac j;
      to_jac(&cv, &j, &P, X, Y, Z);
      sink_rec(&s);
      ecw_madd(&s, &cv.c, &j, &qx, &qy);
      aff_add(&cv, &S, &P, &Q);
      check_jac(&cv, &j, &S);
      assert_int_equal(s.count, 11);
      size_t n = 0;
      expect(&cv, &n, zz, Z, Z);
      expect(&cv, &n, u2, Q.x, zz);
      expect(&cv, &n, zzz, Z, zz);
      expect(&cv, &n, s2, Q.y, zzz);
      mpz_sub(h, u2, X);
      mpz_mod(h, h, cv.p);
      mpz_sub(r, s2, Y);
      mpz_mod(r, r, cv.p);
      expect(&cv, &n, hh, h, h);
      expect(&cv, &n, hhh, h, hh);
      expect(&cv, &n, v, X, hh);
      expect(&cv, &n, x3, r, r);
      mpz_sub(x3, x3, hhh);
      mpz_submul_ui(x3, v, 2);
      mpz_mod(x3, x3, cv.p);
      mpz_sub(t, v, x3);
      mpz_mod(t, t, cv.p);
      expect(&cv, &n, t, r, t);
      expect(&cv, &n, t, Y, hhh);
      expect(&cv, &n, t, Z, h);
      assert_int_equal(n, g_rec.n);

      /* into infinity: Q itself with Z = 1, no product */
      j.inf = 1;
      sink_rec(&s);
      ecw_madd(&s, &cv.c, &j, &qx, &qy);
      assert_int_equal(s.count, 0);
      assert_int_equal(j.inf, 0);
      assert_memory_equal(&j.z, &cv.c.p.one, sizeof j.z);
      check_jac(&cv, &j, &Q);

      /* Q + Q: four products, then a doubling */
      to_jac(&cv, &j, &Q, X, Y, Z);
      sink_rec(&s);
      ecw_madd(&s, &cv.c, &j, &qx, &qy);
      aff_add(&cv, &S, &Q, &Q);
      check_jac(&cv, &j, &S);
      assert_int_equal(s.count, 4 + CURVES[ci].dbl_muls);

      /* Q + (-Q): four products, infinity */
      u256 nqy;
      mpz_sub(t, cv.p, Q.y);
      gmp_to_m(&nqy, t, cv.p);
      to_jac(&cv, &j, &Q, X, Y, Z);
      sink_rec(&s);
      ecw_madd(&s, &cv.c, &j, &qx, &nqy);
      assert_int_equal(j.inf, 1);
      assert_int_equal(s.count, 4);
    }
    mpz_clears(k, X, Y, Z, zz, u2, zzz, s2, h, r, hh, hhh, v, x3, t, NULL);
    aff_clear(&G);
    aff_clear(&P);
    aff_clear(&Q);
    aff_clear(&S);
    curve_clear(&cv);
  }
}

/* u1 G + u2 P: the value, and for random scalars the count dbl (L - 1) +
 * 11 (w - 1); u1 = 0; u1 G + u2 P at infinity (u2 P = -u1 G); both zero. */
static void test_joint(void **state) {
  (void)state;
  for (int ci = 0; ci < 2; ci++) {
    curve cv;
    curve_init(&cv, &CURVES[ci]);
    aff G, P, A, B, S;
    aff_init(&G);
    aff_init(&P);
    aff_init(&A);
    aff_init(&B);
    aff_init(&S);
    gen(&cv, &G);
    mpz_t k, u1, u2, t;
    mpz_inits(k, u1, u2, t, NULL);
    ecw_sink quiet = {NULL, NULL, 0, 0};
    u256 gx, gy, px, py, a1, a2;
    gmp_to_m(&gx, G.x, cv.p);
    gmp_to_m(&gy, G.y, cv.p);
    for (int i = 0; i < 24; i++) {
      rnd_mpz(k, 256, cv.n);
      aff_mul(&cv, &P, k, &G);
      gmp_to_m(&px, P.x, cv.p);
      gmp_to_m(&py, P.y, cv.p);
      rnd_mpz(u1, 256, cv.n);
      rnd_mpz(u2, 256, cv.n);
      if (i == 1) mpz_set_ui(u1, 0);
      if (i == 2) mpz_fdiv_r_2exp(u2, u2, 100);
      if (i == 3) { /* u2 = -u1 k^-1: u2 P = -u1 G */
        assert_true(mpz_invert(t, k, cv.n));
        mpz_mul(u2, u1, t);
        mpz_neg(u2, u2);
        mpz_mod(u2, u2, cv.n);
      }
      if (i == 4) {
        mpz_set_ui(u1, 0);
        mpz_set_ui(u2, 0);
      }
      from_mpz(&a1, u1);
      from_mpz(&a2, u2);
      ecw_jac q;
      quiet.count = 0;
      ecw_joint_mul(&quiet, &cv.c, &q, &a1, &gx, &gy, &a2, &px, &py);
      aff_mul(&cv, &A, u1, &G);
      aff_mul(&cv, &B, u2, &P);
      aff_add(&cv, &S, &A, &B);
      check_jac(&cv, &q, &S);
      if (i == 3) assert_int_equal(q.inf, 1);
      if (i == 4) assert_int_equal(quiet.count, 0);
      if (i >= 3) continue;
      size_t l1 = mpz_sgn(u1) ? mpz_sizeinbase(u1, 2) : 0, l2 = mpz_sizeinbase(u2, 2);
      uint64_t L = l1 > l2 ? l1 : l2, w = mpz_popcount(u1) + mpz_popcount(u2);
      assert_int_equal(quiet.count, CURVES[ci].dbl_muls * (L - 1) + 11 * (w - 1));
    }
    mpz_clears(k, u1, u2, t, NULL);
    aff_clear(&G);
    aff_clear(&P);
    aff_clear(&A);
    aff_clear(&B);
    aff_clear(&S);
    curve_clear(&cv);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mont), cmocka_unit_test(test_mul),  cmocka_unit_test(test_pow),
      cmocka_unit_test(test_dbl),  cmocka_unit_test(test_madd), cmocka_unit_test(test_joint),
  };
  return cmocka_run_group_tests_name("ecw", tests, NULL, NULL);
}
