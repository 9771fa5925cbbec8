/* alt_bn128 arithmetic and the ECADD, ECMUL and ECPAIRING precompiles:
 * go-ethereum's precompile vectors (tests/vectors/bn254_{add,mul,pairing}.txt),
 * Fp against GMP, inverses in every tower field, the Frobenius maps against
 * plain exponentiation by p (which re-derives the Frobenius constants), the
 * fast final exponentiation against a square-and-multiply one, group laws,
 * bilinearity, and the inputs that must fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gmp.h>

#include "evm/precompiles/bn254.h"
#include "evm/precompiles/pc_impl.h"
#include "evm/precompiles/precompile.h"

static const char *P_HEX = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
static const char *R_HEX = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap) {
  size_t n = strlen(hex) / 2;
  assert_true(n <= cap);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
  return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* A random element of Fp, also returned as big-endian bytes. */
static void rnd_fp(bn254_fp *a, uint8_t be[32]) {
  uint8_t b[32];
  do {
    for (int i = 0; i < 32; i++)
      b[i] = (uint8_t)rnd();
    b[0] &= 0x3f;
  } while (bn254_fp_from_bytes(a, b) != 0);
  if (be) memcpy(be, b, 32);
}
static void rnd_fp2(bn254_fp2 *a) {
  rnd_fp(&a->c0, NULL);
  rnd_fp(&a->c1, NULL);
}
static void rnd_fp12(bn254_fp12 *a) {
  bn254_fp2 *c = (bn254_fp2 *)a;
  for (int i = 0; i < 6; i++)
    rnd_fp2(&c[i]);
}

/* The vectors of one file through evm_pc_run. */
static void run_vector_file(const char *name, evm_pc_id id) {
  const char *root = getenv("PKB_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/vectors/%s", root ? root : ".", name);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  static char line[8192];
  static uint8_t in[4096];
  uint8_t want[64];
  int run = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    line[strcspn(line, "\r\n")] = 0;
    char *bar1 = strchr(line, '|');
    assert_non_null(bar1);
    char *bar2 = strchr(bar1 + 1, '|');
    assert_non_null(bar2);
    *bar1 = *bar2 = 0;
    size_t len = hex_to_bytes(bar1 + 1, in, sizeof in);
    size_t want_len = hex_to_bytes(bar2 + 1, want, sizeof want);
    uint8_t *out = NULL;
    size_t out_len = 0;
    evm_pc_work w = {0};
    int rc = evm_pc_run(id, BLK_FORK_CANCUN, in, len, &out, &out_len, &w);
    if (rc != EVM_PC_OK) fprintf(stderr, "vector %s: rc %d\n", line, rc);
    assert_int_equal(rc, EVM_PC_OK);
    assert_int_equal(out_len, want_len);
    if (memcmp(out, want, want_len) != 0) fprintf(stderr, "vector %s: wrong output\n", line);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(w.input_bytes, len);
    if (id == EVM_PC_BN_MUL) assert_int_equal(w.scalar_muls, 1);
    if (id == EVM_PC_BN_ADD) assert_int_equal(w.scalar_muls, 0);
    free(out);
    run++;
  }
  fclose(f);
  assert_true(run >= 10);
}

static void test_vectors_add(void **s) {
  (void)s;
  run_vector_file("bn254_add.txt", EVM_PC_BN_ADD);
}
static void test_vectors_mul(void **s) {
  (void)s;
  run_vector_file("bn254_mul.txt", EVM_PC_BN_MUL);
}
static void test_vectors_pairing(void **s) {
  (void)s;
  run_vector_file("bn254_pairing.txt", EVM_PC_BN_PAIRING);
}

/* Fp products, sums and differences against GMP, and the byte encoding. */
static void test_fp_gmp(void **s) {
  (void)s;
  mpz_t p, x, y, z, t;
  mpz_inits(p, x, y, z, t, NULL);
  mpz_set_str(p, P_HEX, 16);
  for (int i = 0; i < 2000; i++) {
    bn254_fp a, b, c;
    uint8_t ab[32], bb[32], cb[32], zb[32];
    rnd_fp(&a, ab);
    rnd_fp(&b, bb);
    if (i == 0) { /* the extremes: 0 and p - 1 */
      memset(ab, 0, 32);
      assert_int_equal(bn254_fp_from_bytes(&a, ab), 0);
      mpz_sub_ui(t, p, 1);
      size_t n;
      memset(bb, 0, 32);
      mpz_export(bb, &n, 1, 1, 1, 0, t);
      assert_int_equal(n, 32);
      assert_int_equal(bn254_fp_from_bytes(&b, bb), 0);
    }
    mpz_import(x, 32, 1, 1, 1, 0, ab);
    mpz_import(y, 32, 1, 1, 1, 0, bb);
    bn254_fp_to_bytes(cb, &a);
    assert_memory_equal(cb, ab, 32);
    for (int op = 0; op < 3; op++) {
      if (op == 0) {
        bn254_fp_mul(&c, &a, &b);
        mpz_mul(z, x, y);
      } else if (op == 1) {
        bn254_fp_add(&c, &a, &b);
        mpz_add(z, x, y);
      } else {
        bn254_fp_sub(&c, &a, &b);
        mpz_sub(z, x, y);
      }
      mpz_mod(z, z, p);
      memset(zb, 0, 32);
      size_t n;
      if (mpz_sgn(z) != 0) mpz_export(zb + 32 - (mpz_sizeinbase(z, 2) + 7) / 8, &n, 1, 1, 1, 0, z);
      bn254_fp_to_bytes(cb, &c);
      assert_memory_equal(cb, zb, 32);
    }
  }
  /* p and above are rejected, p - 1 accepted. */
  uint8_t pb[32];
  size_t n;
  mpz_export(pb, &n, 1, 1, 1, 0, p);
  bn254_fp a;
  assert_int_equal(bn254_fp_from_bytes(&a, pb), -1);
  memset(pb, 0xff, 32);
  assert_int_equal(bn254_fp_from_bytes(&a, pb), -1);
  mpz_clears(p, x, y, z, t, NULL);
}

/* p as little-endian limbs, for exponentiations by p. */
static void p_limbs(uint64_t e[4]) {
  mpz_t p;
  mpz_init_set_str(p, P_HEX, 16);
  memset(e, 0, 4 * sizeof e[0]);
  mpz_export(e, NULL, -1, 8, 0, 0, p);
  mpz_clear(p);
}

static void test_inverses(void **s) {
  (void)s;
  bn254_fp one_fp;
  bn254_fp_from_u64(&one_fp, 1);
  bn254_fp12 one;
  bn254_fp12_one(&one);
  for (int i = 0; i < 20; i++) {
    bn254_fp a, ai;
    rnd_fp(&a, NULL);
    bn254_fp_inv(&ai, &a);
    bn254_fp_mul(&ai, &ai, &a);
    assert_true(bn254_fp_eq(&ai, &one_fp));
    bn254_fp2 b, bi;
    rnd_fp2(&b);
    bn254_fp2_inv(&bi, &b);
    bn254_fp2_mul(&bi, &bi, &b);
    assert_true(bn254_fp_eq(&bi.c0, &one_fp) && bn254_fp_is_zero(&bi.c1));
    bn254_fp6 c, ci;
    rnd_fp2(&c.c0);
    rnd_fp2(&c.c1);
    rnd_fp2(&c.c2);
    bn254_fp6_inv(&ci, &c);
    bn254_fp6_mul(&ci, &ci, &c);
    assert_true(bn254_fp_eq(&ci.c0.c0, &one_fp) && bn254_fp_is_zero(&ci.c0.c1) &&
                bn254_fp2_is_zero(&ci.c1) && bn254_fp2_is_zero(&ci.c2));
    bn254_fp12 d, di, d2;
    rnd_fp12(&d);
    bn254_fp12_inv(&di, &d);
    bn254_fp12_mul(&di, &di, &d);
    assert_true(bn254_fp12_eq(&di, &one));
    /* squaring agrees with multiplication */
    bn254_fp12_sqr(&di, &d);
    bn254_fp12_mul(&d2, &d, &d);
    assert_true(bn254_fp12_eq(&di, &d2));
  }
  /* u^2 = -1 and xi = 9 + u: (9+u)(9-u) = 82 */
  bn254_fp2 u = {{{0}}, {{0}}}, t;
  bn254_fp_from_u64(&u.c1, 1);
  bn254_fp2_sqr(&t, &u);
  bn254_fp_add(&t.c0, &t.c0, &one_fp);
  assert_true(bn254_fp2_is_zero(&t));
  bn254_fp2 xi, xic;
  bn254_fp_from_u64(&xi.c0, 9);
  bn254_fp_from_u64(&xi.c1, 1);
  bn254_fp2_conj(&xic, &xi);
  bn254_fp2_mul(&t, &xi, &xic);
  bn254_fp eighty_two;
  bn254_fp_from_u64(&eighty_two, 82);
  assert_true(bn254_fp_eq(&t.c0, &eighty_two) && bn254_fp_is_zero(&t.c1));
  bn254_fp2 one2 = {one_fp, {{0}}};
  bn254_fp2_mul_xi(&t, &one2);
  assert_true(bn254_fp2_eq(&t, &xi));
}

/* frob(f) = f^p and frob2(f) = f^(p^2) = frob(frob(f)): this checks every
 * Frobenius coefficient against the field arithmetic. */
static void test_frobenius(void **s) {
  (void)s;
  uint64_t e[4];
  p_limbs(e);
  for (int i = 0; i < 3; i++) {
    bn254_fp12 f, a, b, c;
    rnd_fp12(&f);
    bn254_fp12_frob(&a, &f);
    bn254_fp12_pow(&b, &f, e, 4);
    assert_true(bn254_fp12_eq(&a, &b));
    bn254_fp12_frob(&a, &a);
    bn254_fp12_frob2(&c, &f);
    assert_true(bn254_fp12_eq(&a, &c));
    bn254_fp12_pow(&b, &b, e, 4);
    assert_true(bn254_fp12_eq(&b, &c));
    /* m = f^((p^6-1)(p^2+1)) is cyclotomic: m^(p^6+1) = 1, and there the
     * cyclotomic squaring agrees with the general one. */
    bn254_fp12 m, mi;
    bn254_fp12_conj(&m, &f);
    bn254_fp12_inv(&mi, &f);
    bn254_fp12_mul(&m, &m, &mi);
    bn254_fp12_frob2(&a, &m);
    bn254_fp12_mul(&m, &a, &m);
    bn254_fp12_conj(&a, &m);
    bn254_fp12_mul(&a, &a, &m);
    assert_true(bn254_fp12_is_one(&a));
    bn254_fp12_sqr(&a, &m);
    bn254_fp12_cyclo_sqr(&b, &m);
    assert_true(bn254_fp12_eq(&a, &b));
    bn254_fp12_cyclo_sqr(&b, &f); /* not cyclotomic: the shortcut does not hold */
    bn254_fp12_sqr(&a, &f);
    assert_false(bn254_fp12_eq(&a, &b));
  }
}

static void scalar_be(uint8_t k[32], uint64_t v) {
  memset(k, 0, 32);
  for (int i = 0; i < 8; i++)
    k[31 - i] = (uint8_t)(v >> (8 * i));
}

static void test_groups(void **s) {
  (void)s;
  uint8_t r[32], k[32];
  hex_to_bytes(R_HEX, r, 32);
  bn254_g1 g, a, b;
  bn254_g1_gen(&g);
  bn254_g1_mul(&a, &g, r);
  assert_true(bn254_g1_is_inf(&a));
  /* 5G = 2G + 3G = G + G + G + G + G */
  scalar_be(k, 5);
  bn254_g1_mul(&a, &g, k);
  scalar_be(k, 3);
  bn254_g1_mul(&b, &g, k);
  bn254_g1 c;
  bn254_g1_dbl(&c, &g);
  bn254_g1_add(&b, &b, &c);
  bn254_fp x1, y1, x2, y2;
  bn254_g1_to_affine(&x1, &y1, &a);
  bn254_g1_to_affine(&x2, &y2, &b);
  assert_true(bn254_fp_eq(&x1, &x2) && bn254_fp_eq(&y1, &y2));
  /* P + (-P) = infinity */
  c = g;
  bn254_fp_neg(&c.y, &c.y);
  bn254_g1_add(&c, &g, &c);
  assert_true(bn254_g1_is_inf(&c));

  bn254_g2 q, qa;
  bn254_g2_gen(&q);
  bn254_fp2 qx, qy;
  bn254_g2_to_affine(&qx, &qy, &q);
  assert_int_equal(bn254_g2_set_affine(&qa, &qx, &qy), 0); /* checks 3/xi */
  assert_true(bn254_g2_in_subgroup(&q));
  scalar_be(k, 7);
  bn254_g2_mul(&qa, &q, k);
  assert_true(bn254_g2_in_subgroup(&qa));
  bn254_g2_to_affine(&qx, &qy, &qa);
  assert_int_equal(bn254_g2_set_affine(&qa, &qx, &qy), 0);
}

/* e(aP, bQ) = e(P, Q)^(ab), e(P, Q) has order r, and the fast final
 * exponentiation agrees with the plain one. */
static void test_bilinearity(void **s) {
  (void)s;
  bn254_g1 g;
  bn254_g2 q;
  bn254_g1_gen(&g);
  bn254_g2_gen(&q);
  bn254_fp12 base, one, f, slow;
  bn254_fp12_one(&one);
  bn254_miller_loop(&f, &g, &q, 1);
  bn254_final_exp(&base, &f);
  bn254_final_exp_slow(&slow, &f);
  assert_true(bn254_fp12_eq(&base, &slow));
  assert_false(bn254_fp12_is_one(&base));
  mpz_t r;
  mpz_init_set_str(r, R_HEX, 16);
  uint64_t re[4] = {0};
  mpz_export(re, NULL, -1, 8, 0, 0, r);
  mpz_clear(r);
  bn254_fp12 t;
  bn254_fp12_pow(&t, &base, re, 4);
  assert_true(bn254_fp12_eq(&t, &one));

  static const uint64_t pairs[][2] = {{2, 3}, {5, 1}, {1, 7}, {6, 11}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    uint8_t k[32];
    bn254_g1 ap;
    bn254_g2 bq;
    scalar_be(k, pairs[i][0]);
    bn254_g1_mul(&ap, &g, k);
    scalar_be(k, pairs[i][1]);
    bn254_g2_mul(&bq, &q, k);
    bn254_fp12 e, want;
    bn254_pairing(&e, &ap, &bq);
    uint64_t ab = pairs[i][0] * pairs[i][1];
    bn254_fp12_pow(&want, &base, &ab, 1);
    assert_true(bn254_fp12_eq(&e, &want));
  }
  /* The multi-pair loop: e(2P, Q) e(-P, 2Q) = 1, and more than one batch. */
  bn254_g1 ps[10];
  bn254_g2 qs[10];
  uint8_t k2[32];
  scalar_be(k2, 2);
  for (int i = 0; i < 10; i += 2) {
    bn254_g1_mul(&ps[i], &g, k2);
    qs[i] = q;
    ps[i + 1] = g;
    bn254_fp_neg(&ps[i + 1].y, &ps[i + 1].y);
    bn254_g2_mul(&qs[i + 1], &q, k2);
  }
  bn254_miller_loop(&f, ps, qs, 10);
  bn254_final_exp(&t, &f);
  assert_true(bn254_fp12_is_one(&t));
  bn254_miller_loop(&f, ps, qs, 9);
  bn254_final_exp(&t, &f);
  assert_false(bn254_fp12_is_one(&t));
}

static int call(evm_pc_id id, const uint8_t *in, size_t len, uint8_t *res, size_t *res_len,
                evm_pc_work *w) {
  uint8_t *out = (uint8_t *)1;
  size_t n = 77;
  evm_pc_work scratch = {0};
  int rc = evm_pc_run(id, BLK_FORK_CANCUN, in, len, &out, &n, w ? w : &scratch);
  if (rc == EVM_PC_OK) {
    memcpy(res, out, n);
    *res_len = n;
    free(out);
  } else {
    assert_null(out);
    assert_int_equal(n, 0);
    *res_len = 0;
  }
  return rc;
}

static void put_u64(uint8_t *word, uint64_t v) { scalar_be(word, v); }

/* G2 generator of EIP-197 in the precompile's byte order. */
static const char *G2_GEN_HEX = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
                                "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
                                "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
                                "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
/* A point on the twist, x = 1 + 2u, outside the order-r subgroup. */
static const char *G2_OFF_SUBGROUP_HEX =
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "1b2a1855a4e18488457f136e6ecb627341346445800ed2ed6ab74dc9af538a66"
    "05202d732f082c817c10572228d33ffff38c112711b9b854f4e301b1c254340c";

/* [r]a = infinity, the definition the fast subgroup check must agree with. */
static int order_r(const bn254_g2 *a) {
  uint8_t r[32];
  hex_to_bytes(R_HEX, r, 32);
  bn254_g2 t;
  bn254_g2_mul(&t, a, r);
  return bn254_g2_is_inf(&t);
}

static void g2_from_hex(bn254_g2 *q, const char *hex) {
  uint8_t b[128];
  hex_to_bytes(hex, b, 128);
  bn254_fp2 x, y;
  assert_int_equal(bn254_fp_from_bytes(&x.c1, b), 0);
  assert_int_equal(bn254_fp_from_bytes(&x.c0, b + 32), 0);
  assert_int_equal(bn254_fp_from_bytes(&y.c1, b + 64), 0);
  assert_int_equal(bn254_fp_from_bytes(&y.c0, b + 96), 0);
  assert_int_equal(bn254_g2_set_affine(q, &x, &y), 0);
}

/* The twist has r*h points, h = 2p - r: [k]S for the point S outside the
 * subgroup is outside for small k and inside for k = h; G2 multiples and
 * their sums with S go the expected way. */
static void test_g2_subgroup(void **s) {
  (void)s;
  bn254_g2 g, sp, t;
  bn254_g2_gen(&g);
  g2_from_hex(&sp, G2_OFF_SUBGROUP_HEX);
  assert_true(bn254_g2_in_subgroup(&g) && order_r(&g));
  assert_false(bn254_g2_in_subgroup(&sp) || order_r(&sp));
  uint8_t k[32];
  for (uint64_t i = 2; i < 8; i++) {
    scalar_be(k, i);
    bn254_g2_mul(&t, &sp, k);
    assert_int_equal(bn254_g2_in_subgroup(&t), order_r(&t));
    assert_false(bn254_g2_in_subgroup(&t));
    bn254_g2_mul(&t, &g, k);
    assert_true(bn254_g2_in_subgroup(&t) && order_r(&t));
    bn254_g2_add(&t, &t, &sp);
    assert_false(bn254_g2_in_subgroup(&t) || order_r(&t));
  }
  mpz_t p, r, h;
  mpz_inits(p, r, h, NULL);
  mpz_set_str(p, P_HEX, 16);
  mpz_set_str(r, R_HEX, 16);
  mpz_mul_2exp(h, p, 1);
  mpz_sub(h, h, r);
  memset(k, 0, 32);
  size_t n = (mpz_sizeinbase(h, 2) + 7) / 8;
  mpz_export(k + 32 - n, NULL, 1, 1, 1, 0, h);
  mpz_clears(p, r, h, NULL);
  bn254_g2_mul(&t, &sp, k);
  assert_false(bn254_g2_is_inf(&t));
  assert_true(bn254_g2_in_subgroup(&t) && order_r(&t));
  memset(&t, 0, sizeof t);
  assert_true(bn254_g2_in_subgroup(&t)); /* infinity */
}

static void test_invalid_inputs(void **s) {
  (void)s;
  uint8_t in[2 * 192 + 1], res[64], pb[32];
  size_t n;
  hex_to_bytes(P_HEX, pb, 32);
  memset(in, 0, sizeof in);
  /* ECADD: empty input is (0,0) + (0,0) */
  assert_int_equal(call(EVM_PC_BN_ADD, NULL, 0, res, &n, NULL), EVM_PC_OK);
  assert_int_equal(n, 64);
  for (int i = 0; i < 64; i++)
    assert_int_equal(res[i], 0);
  /* G + infinity from a 64-byte input (the second point padded) */
  put_u64(in, 1);
  put_u64(in + 32, 2);
  assert_int_equal(call(EVM_PC_BN_ADD, in, 64, res, &n, NULL), EVM_PC_OK);
  assert_memory_equal(res, in, 64);
  /* off the curve: (1, 3) */
  put_u64(in + 32, 3);
  assert_int_equal(call(EVM_PC_BN_ADD, in, 128, res, &n, NULL), EVM_PC_FAIL);
  assert_int_equal(call(EVM_PC_BN_MUL, in, 96, res, &n, NULL), EVM_PC_FAIL);
  /* (1, 0) off the curve, by padding: only x given */
  assert_int_equal(call(EVM_PC_BN_MUL, in, 32, res, &n, NULL), EVM_PC_FAIL);
  /* x = p: fails even though p = 0 mod p would be infinity-like */
  memset(in, 0, sizeof in);
  memcpy(in, pb, 32);
  assert_int_equal(call(EVM_PC_BN_ADD, in, 128, res, &n, NULL), EVM_PC_FAIL);
  assert_int_equal(call(EVM_PC_BN_MUL, in, 96, res, &n, NULL), EVM_PC_FAIL);
  /* x = 1, y = p + 2 (equivalent to a valid point mod p): fails */
  memset(in, 0, sizeof in);
  put_u64(in, 1);
  memcpy(in + 32, pb, 32);
  in[63] += 2;
  assert_int_equal(call(EVM_PC_BN_MUL, in, 96, res, &n, NULL), EVM_PC_FAIL);
  /* ECMUL: a 200-byte input is truncated to 96; scalar 0 gives infinity */
  memset(in, 0xab, sizeof in);
  memset(in, 0, 64);
  put_u64(in, 1);
  put_u64(in + 32, 2);
  memset(in + 64, 0, 32);
  evm_pc_work w = {0};
  assert_int_equal(call(EVM_PC_BN_MUL, in, 200, res, &n, &w), EVM_PC_OK);
  for (int i = 0; i < 64; i++)
    assert_int_equal(res[i], 0);
  assert_int_equal(w.scalar_muls, 1);
  assert_true(w.field_muls > 0);

  /* ECPAIRING */
  uint8_t g2[128], bad[128];
  hex_to_bytes(G2_GEN_HEX, g2, 128);
  hex_to_bytes(G2_OFF_SUBGROUP_HEX, bad, 128);
  assert_int_equal(call(EVM_PC_BN_PAIRING, NULL, 0, res, &n, NULL), EVM_PC_OK);
  assert_int_equal(n, 32);
  for (int i = 0; i < 31; i++)
    assert_int_equal(res[i], 0);
  assert_int_equal(res[31], 1);
  memset(in, 0, sizeof in);
  put_u64(in, 1);
  put_u64(in + 32, 2);
  memcpy(in + 64, g2, 128);
  /* e(G, Q) alone is not one */
  memset(&w, 0, sizeof w);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, &w), EVM_PC_OK);
  assert_int_equal(res[31], 0);
  assert_int_equal(w.pairings, 1);
  assert_int_equal(w.scalar_muls, 1);
  /* wrong lengths */
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 191, res, &n, NULL), EVM_PC_FAIL);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 193, res, &n, NULL), EVM_PC_FAIL);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 32, res, &n, NULL), EVM_PC_FAIL);
  /* G1 infinity with a valid Q: one; with the off-subgroup Q: fails */
  memset(in, 0, 64);
  memset(&w, 0, sizeof w);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, &w), EVM_PC_OK);
  assert_int_equal(res[31], 1);
  assert_int_equal(w.pairings, 0);
  memcpy(in + 64, bad, 128);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, NULL), EVM_PC_FAIL);
  put_u64(in, 1);
  put_u64(in + 32, 2);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, NULL), EVM_PC_FAIL);
  /* G2 off the twist: perturb y */
  memcpy(in + 64, g2, 128);
  in[191] ^= 1;
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, NULL), EVM_PC_FAIL);
  /* a G2 coordinate >= p */
  memcpy(in + 64, g2, 128);
  memcpy(in + 64 + 32, pb, 32);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, NULL), EVM_PC_FAIL);
  /* G1 off the curve with a valid Q; G1 with G2 infinity: one */
  memcpy(in + 64, g2, 128);
  put_u64(in + 32, 3);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, NULL), EVM_PC_FAIL);
  put_u64(in + 32, 2);
  memset(in + 64, 0, 128);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 192, res, &n, NULL), EVM_PC_OK);
  assert_int_equal(res[31], 1);
  /* a failing second pair fails the call */
  memcpy(in + 64, g2, 128);
  memcpy(in + 192, in, 64);
  memcpy(in + 256, bad, 128);
  assert_int_equal(call(EVM_PC_BN_PAIRING, in, 384, res, &n, NULL), EVM_PC_FAIL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fp_gmp),         cmocka_unit_test(test_inverses),
      cmocka_unit_test(test_frobenius),      cmocka_unit_test(test_groups),
      cmocka_unit_test(test_bilinearity),    cmocka_unit_test(test_vectors_add),
      cmocka_unit_test(test_vectors_mul),    cmocka_unit_test(test_vectors_pairing),
      cmocka_unit_test(test_invalid_inputs), cmocka_unit_test(test_g2_subgroup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
