/* secp_witness against libsecp256k1: the recovered key equals
 * secp256k1_ecdsa_recover's on random keys and messages (both parities,
 * high s, recovery ids 2 and 3) and on edge cases (r or s at 0 or n, r past
 * p - n with recid 2 or 3, x not on the curve, a message of zero or above
 * n, a Q at infinity); both reject the same inputs. The multiplications are
 * counted against the formula of secp_witness.h, with u1 and u2 and the
 * exponent costs derived here with GMP; each reported product is a MULMOD by
 * p or n. A window of one recovery's products, as MULMOD rows of the arith
 * AIR, satisfies the AIR, proves and verifies, and fails with a changed
 * cell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "air_test_util.h"
#include "stark/stark.h"
#include "trace/arith_air.h"
#include "trace/secp_witness.h"

static const char *P_HEX = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
static const char *N_HEX = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

static secp256k1_context *g_ctx;
static mpz_t g_p, g_n;

static int setup(void **state) {
  (void)state;
  g_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  mpz_init_set_str(g_p, P_HEX, 16);
  mpz_init_set_str(g_n, N_HEX, 16);
  return g_ctx ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  secp256k1_context_destroy(g_ctx);
  mpz_clear(g_p);
  mpz_clear(g_n);
  return 0;
}

/* ---- helpers ---- */

static uint64_t g_rng = 0x5eed5eed12345678ull;
static uint64_t rnd64(void) {
  uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static void rnd32(uint8_t out[32]) {
  for (int i = 0; i < 32; i += 8) {
    uint64_t v = rnd64();
    memcpy(out + i, &v, 8);
  }
}

static void to_mpz(mpz_t z, const uint8_t b[32]) { mpz_import(z, 32, 1, 1, 1, 0, b); }
static void from_mpz(uint8_t b[32], const mpz_t z) {
  size_t cnt = 0;
  uint8_t t[32];
  memset(b, 0, 32);
  if (mpz_sgn(z) == 0) return;
  mpz_export(t, &cnt, 1, 1, 1, 0, z);
  assert_true(cnt <= 32);
  memcpy(b + 32 - cnt, t, cnt);
}
static void hex32(uint8_t b[32], const char *hex) {
  mpz_t z;
  mpz_init_set_str(z, hex, 16);
  from_mpz(b, z);
  mpz_clear(z);
}

/* libsecp256k1's recovery: 1 and pub (x || y) when it accepts. */
static int lib_recover(const uint8_t h[32], int recid, const uint8_t r[32], const uint8_t s[32], uint8_t pub[64]) {
  uint8_t rs[64], ser[65];
  memcpy(rs, r, 32);
  memcpy(rs + 32, s, 32);
  secp256k1_ecdsa_recoverable_signature sig;
  secp256k1_pubkey pk;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(g_ctx, &sig, rs, recid)) return 0;
  if (!secp256k1_ecdsa_recover(g_ctx, &pk, &sig, h)) return 0;
  size_t len = sizeof ser;
  secp256k1_ec_pubkey_serialize(g_ctx, ser, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
  memcpy(pub, ser + 1, 64);
  return 1;
}

/* Every reported product: counted, and its modulus is p or n. */
typedef struct {
  uint64_t n, by_p, by_n;
} tally;

static void on_mm(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32]) {
  (void)a;
  (void)b;
  tally *t = ctx;
  uint8_t p[32], n[32];
  from_mpz(p, g_p);
  from_mpz(n, g_n);
  t->n++;
  if (memcmp(m, p, 32) == 0)
    t->by_p++;
  else if (memcmp(m, n, 32) == 0)
    t->by_n++;
  else
    fail_msg("product %llu: modulus is neither p nor n", (unsigned long long)t->n);
}

/* Cost of the 4-bit window power for exponent e (secp_witness.h), derived
 * from e's hex digits. */
static unsigned window_cost(const mpz_t e) {
  char buf[80];
  mpz_get_str(buf, 16, e);
  size_t d = strlen(buf);
  unsigned c = 14 + 4 * (unsigned)(d - 1);
  for (size_t i = 1; i < d; i++) c += buf[i] != '0';
  return c;
}

/* The header's formula for a valid recovery without exceptional additions,
 * from u1 and u2 computed here. */
static uint64_t expected_muls(const uint8_t h[32], const uint8_t r[32], const uint8_t s[32]) {
  mpz_t z, rr, ss, ri, u1, u2, e;
  mpz_inits(z, rr, ss, ri, u1, u2, e, NULL);
  to_mpz(z, h);
  to_mpz(rr, r);
  to_mpz(ss, s);
  assert_true(mpz_invert(ri, rr, g_n));
  mpz_mul(u1, z, ri);
  mpz_neg(u1, u1);
  mpz_mod(u1, u1, g_n);
  mpz_mul(u2, ss, ri);
  mpz_mod(u2, u2, g_n);
  size_t l1 = mpz_sgn(u1) ? mpz_sizeinbase(u1, 2) : 0, l2 = mpz_sizeinbase(u2, 2);
  uint64_t L = l1 > l2 ? l1 : l2;
  uint64_t wgt = mpz_popcount(u1) + mpz_popcount(u2);
  mpz_add_ui(e, g_p, 1);
  mpz_fdiv_q_2exp(e, e, 2);
  uint64_t sq = window_cost(e);
  mpz_sub_ui(e, g_n, 2);
  uint64_t in = window_cost(e);
  mpz_sub_ui(e, g_p, 2);
  uint64_t ip = window_cost(e);
  mpz_clears(z, rr, ss, ri, u1, u2, e, NULL);
  return (3 + sq) + (in + 2) + 7 * (L - 1) + 11 * (wgt - 1) + (ip + 4);
}

/* Both recoveries on one input: same acceptance, same key. Returns the
 * witness's status; *t holds its products. */
static int compare(const uint8_t h[32], int recid, const uint8_t r[32], const uint8_t s[32], tally *t) {
  uint8_t want[64], got[64];
  memset(t, 0, sizeof *t);
  uint64_t muls = 12345;
  int ok = lib_recover(h, recid, r, s, want);
  int rc = secp_witness_recover(h, recid, r, s, on_mm, t, got, &muls);
  assert_int_equal(muls, t->n);
  assert_int_equal(t->by_p + t->by_n, t->n);
  if (ok) {
    if (rc != SECP_WITNESS_OK) fail_msg("libsecp256k1 recovers, the witness says %d", rc);
    assert_memory_equal(got, want, 64);
  } else if (rc != SECP_WITNESS_E_INVALID) {
    fail_msg("libsecp256k1 rejects, the witness says %d", rc);
  }
  return rc;
}

/* A signature of h by a random key; returns the key's public key. */
static void sign(const uint8_t h[32], uint8_t r[32], uint8_t s[32], int *recid, uint8_t pub[64]) {
  uint8_t sk[32], rs[64], ser[65];
  secp256k1_pubkey pk;
  do rnd32(sk);
  while (!secp256k1_ec_pubkey_create(g_ctx, &pk, sk));
  secp256k1_ecdsa_recoverable_signature sig;
  assert_true(secp256k1_ecdsa_sign_recoverable(g_ctx, &sig, h, sk, NULL, NULL));
  secp256k1_ecdsa_recoverable_signature_serialize_compact(g_ctx, rs, recid, &sig);
  memcpy(r, rs, 32);
  memcpy(s, rs + 32, 32);
  size_t len = sizeof ser;
  secp256k1_ec_pubkey_serialize(g_ctx, ser, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
  memcpy(pub, ser + 1, 64);
}

/* ---- tests ---- */

/* 250 random keys and messages, each also with its high-s twin (n - s with
 * the other parity): the signer's key, and libsecp256k1's, every time; the
 * count follows the formula. */
static void test_random_signatures(void **state) {
  (void)state;
  for (int i = 0; i < 250; i++) {
    uint8_t h[32], r[32], s[32], pub[64], got[64];
    int recid;
    rnd32(h);
    sign(h, r, s, &recid, pub);
    tally t;
    assert_int_equal(compare(h, recid, r, s, &t), SECP_WITNESS_OK);
    assert_int_equal(secp_witness_recover(h, recid, r, s, NULL, NULL, got, NULL), SECP_WITNESS_OK);
    assert_memory_equal(got, pub, 64);
    if (t.n != expected_muls(h, r, s))
      fail_msg("case %d: %llu products, formula %llu", i, (unsigned long long)t.n,
               (unsigned long long)expected_muls(h, r, s));
    /* the exponentiations: r^-1 mod n is the only work mod n besides two products */
    assert_int_equal(t.by_n, SECP_WITNESS_MULS_INV_N + 2);
    mpz_t sm;
    mpz_init(sm);
    to_mpz(sm, s);
    mpz_sub(sm, g_n, sm);
    uint8_t s2[32];
    from_mpz(s2, sm);
    mpz_clear(sm);
    assert_int_equal(compare(h, recid ^ 1, r, s2, &t), SECP_WITNESS_OK);
    assert_int_equal(secp_witness_recover(h, recid ^ 1, r, s2, NULL, NULL, got, NULL), SECP_WITNESS_OK);
    assert_memory_equal(got, pub, 64);
  }
}

/* 250 random (hash, r, s, recid 0..1): about half the r are not the x of a
 * point; acceptance and keys agree with libsecp256k1. */
static void test_random_inputs(void **state) {
  (void)state;
  int accepted = 0;
  for (int i = 0; i < 250; i++) {
    uint8_t h[32], r[32], s[32];
    rnd32(h);
    rnd32(r);
    rnd32(s);
    r[0] &= 0x7f; /* below n */
    s[0] &= 0x7f;
    tally t;
    int rc = compare(h, i & 1, r, s, &t);
    if (rc == SECP_WITNESS_OK) {
      accepted++;
      assert_int_equal(t.n, expected_muls(h, r, s));
    } else {
      assert_int_equal(t.n, 3 + SECP_WITNESS_MULS_SQRT);
    }
  }
  assert_true(accepted > 50 && accepted < 200);
}

/* G itself: the key of secret 1 recovers to the generator's coordinates. */
static void test_generator(void **state) {
  (void)state;
  uint8_t sk[32] = {0}, h[32], rs[64], got[64], g[64];
  sk[31] = 1;
  hex32(g, "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  hex32(g + 32, "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
  rnd32(h);
  secp256k1_ecdsa_recoverable_signature sig;
  int recid;
  assert_true(secp256k1_ecdsa_sign_recoverable(g_ctx, &sig, h, sk, NULL, NULL));
  secp256k1_ecdsa_recoverable_signature_serialize_compact(g_ctx, rs, &recid, &sig);
  assert_int_equal(secp_witness_recover(h, recid, rs, rs + 32, NULL, NULL, got, NULL), SECP_WITNESS_OK);
  assert_memory_equal(got, g, 64);
}

/* Ranges and recovery ids, each compared with libsecp256k1. */
static void test_edges(void **state) {
  (void)state;
  uint8_t h[32], r[32], s[32], pub[64], zero[32] = {0}, n[32], nm1[32], ones[32], bad[32], got[64];
  int recid;
  tally t;
  rnd32(h);
  sign(h, r, s, &recid, pub);
  from_mpz(n, g_n);
  memcpy(nm1, n, 32);
  nm1[31]--;
  memset(ones, 0xff, 32);
  /* r or s at 0, n, n - 1, 2^256 - 1 */
  const uint8_t *vals[] = {zero, n, ones};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(compare(h, recid, vals[i], s, &t), SECP_WITNESS_E_INVALID);
    assert_int_equal(t.n, 0);
    assert_int_equal(compare(h, recid, r, vals[i], &t), SECP_WITNESS_E_INVALID);
    assert_int_equal(t.n, 0);
  }
  compare(h, recid, r, nm1, &t);
  compare(h, recid, nm1, s, &t);
  compare(h, 0, nm1, nm1, &t);
  compare(h, 1, nm1, nm1, &t);
  /* recid 2 and 3: x = r + n. Small r: some are points; r at or past p - n
   * is refused before any product. */
  int found = 0;
  for (unsigned v = 1; v < 40; v++) {
    uint8_t sr[32] = {0};
    sr[31] = (uint8_t)v;
    for (int id = 2; id < 4; id++) found += compare(h, id, sr, s, &t) == SECP_WITNESS_OK;
    assert_int_equal(compare(h, 0, sr, s, &t) == SECP_WITNESS_OK, compare(h, 1, sr, s, &t) == SECP_WITNESS_OK);
  }
  assert_true(found > 0);
  mpz_t pm;
  mpz_init(pm);
  mpz_sub(pm, g_p, g_n);
  from_mpz(bad, pm);
  for (int id = 2; id < 4; id++) {
    assert_int_equal(compare(h, id, bad, s, &t), SECP_WITNESS_E_INVALID);
    assert_int_equal(t.n, 0);
  }
  mpz_sub_ui(pm, pm, 1);
  from_mpz(bad, pm);
  compare(h, 2, bad, s, &t);
  compare(h, 3, bad, s, &t);
  mpz_clear(pm);
  /* recid outside 0..3 is an argument error (libsecp256k1 aborts on it) */
  uint64_t m = 7;
  assert_int_equal(secp_witness_recover(h, 4, r, s, NULL, NULL, got, &m), SECP_WITNESS_E_ARG);
  assert_int_equal(m, 0);
  assert_int_equal(secp_witness_recover(h, -1, r, s, NULL, NULL, got, NULL), SECP_WITNESS_E_ARG);
  assert_int_equal(secp_witness_recover(NULL, 0, r, s, NULL, NULL, got, NULL), SECP_WITNESS_E_ARG);
  assert_int_equal(secp_witness_recover(h, 0, r, s, NULL, NULL, NULL, NULL), SECP_WITNESS_E_ARG);
  /* messages 0, n (both z = 0: u1 = 0), n + 1 and 2^256 - 1 (reduced mod n) */
  uint8_t np1[32];
  memcpy(np1, n, 32);
  np1[31]++;
  const uint8_t *msgs[] = {zero, n, np1, ones};
  for (size_t i = 0; i < 4; i++)
    for (int id = 0; id < 2; id++) {
      if (compare(msgs[i], id, r, s, &t) == SECP_WITNESS_OK) assert_int_equal(t.n, expected_muls(msgs[i], r, s));
    }
}

/* Q at infinity: R = k G with r = R.x, and the message z = k s, so that
 * s R = z G and u1 G + u2 R = (s k - z) / r G = O. Both reject it; the
 * witness did the whole double-and-add and no conversion to affine. */
static void test_q_at_infinity(void **state) {
  (void)state;
  int done = 0;
  for (int tries = 0; tries < 20 && !done; tries++) {
    uint8_t k[32], ser[65], r[32], s[32], h[32];
    secp256k1_pubkey pk;
    rnd32(k);
    if (!secp256k1_ec_pubkey_create(g_ctx, &pk, k)) continue;
    size_t len = sizeof ser;
    secp256k1_ec_pubkey_serialize(g_ctx, ser, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
    mpz_t x, kk, ss, z;
    mpz_inits(x, kk, ss, z, NULL);
    to_mpz(x, ser + 1);
    if (mpz_cmp(x, g_n) >= 0) {
      mpz_clears(x, kk, ss, z, NULL);
      continue;
    }
    int recid = ser[64] & 1;
    from_mpz(r, x);
    rnd32(s);
    s[0] &= 0x7f;
    to_mpz(ss, s);
    to_mpz(kk, k);
    mpz_mul(z, kk, ss);
    mpz_mod(z, z, g_n);
    from_mpz(h, z);
    mpz_clears(x, kk, ss, z, NULL);
    tally t;
    uint8_t pub[64];
    assert_int_equal(lib_recover(h, recid, r, s, pub), 0);
    assert_int_equal(compare(h, recid, r, s, &t), SECP_WITNESS_E_INVALID);
    /* past the square root and the scalars: the double-and-add ran */
    assert_true(t.n > 3 + SECP_WITNESS_MULS_SQRT + SECP_WITNESS_MULS_INV_N + 2 + 1000);
    /* with the other parity (R negated) Q = 2 u1 G is a real key */
    assert_int_equal(compare(h, recid ^ 1, r, s, &t), SECP_WITNESS_OK);
    done = 1;
  }
  assert_true(done);
}

/* The header's constants from the exponents. */
static void test_constants(void **state) {
  (void)state;
  mpz_t e;
  mpz_init(e);
  mpz_add_ui(e, g_p, 1);
  mpz_fdiv_q_2exp(e, e, 2);
  assert_int_equal(window_cost(e), SECP_WITNESS_MULS_SQRT);
  mpz_sub_ui(e, g_n, 2);
  assert_int_equal(window_cost(e), SECP_WITNESS_MULS_INV_N);
  mpz_sub_ui(e, g_p, 2);
  assert_int_equal(window_cost(e), SECP_WITNESS_MULS_INV_P);
  mpz_clear(e);
  assert_int_equal(SECP_WITNESS_MULS_FIXED, 993);
}

/* ---- the products as arith rows ---- */

#define WIN_OPS 64 /* 256 rows */

typedef struct {
  uint64_t skip, n;
  arith_air_op ops[WIN_OPS];
} window;

static void on_mm_window(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32]) {
  window *w = ctx;
  if (w->skip) {
    w->skip--;
    return;
  }
  if (w->n == WIN_OPS) return;
  arith_air_op *o = &w->ops[w->n++];
  o->opcode = 0x09; /* MULMOD */
  memcpy(o->a, a, 32);
  memcpy(o->b, b, 32);
  memcpy(o->c, m, 32);
}

/* 64 products from the middle of a recovery (inside the double-and-add:
 * mod p, most operands full-width): each is 4 MULMOD rows with the product
 * GMP gives; 256 rows satisfy the AIR, prove and verify; a changed
 * operand limb, result limb or carry bit fails. */
static void test_rows_prove(void **state) {
  (void)state;
  uint8_t h[32], r[32], s[32], pub[64], got[64];
  int recid;
  rnd32(h);
  sign(h, r, s, &recid, pub);
  static window w;
  memset(&w, 0, sizeof w);
  w.skip = 2000;
  assert_int_equal(secp_witness_recover(h, recid, r, s, on_mm_window, &w, got, NULL), SECP_WITNESS_OK);
  assert_int_equal(w.n, WIN_OPS);
  assert_int_equal(arith_air_rows(w.ops, WIN_OPS), 4 * WIN_OPS);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(arith_air_trace(w.ops, WIN_OPS, &m, &log_n), 0);
  assert_int_equal(log_n, 8);
  mpz_t a, b, md, pr;
  mpz_inits(a, b, md, pr, NULL);
  for (size_t i = 0; i < WIN_OPS; i++) {
    uint8_t res[32], want[32];
    to_mpz(a, w.ops[i].a);
    to_mpz(b, w.ops[i].b);
    to_mpz(md, w.ops[i].c);
    assert_int_equal(mpz_cmp(md, g_p), 0);
    mpz_mul(pr, a, b);
    mpz_mod(pr, pr, md);
    from_mpz(want, pr);
    assert_int_equal(arith_air_result(m + (4 * i + 3) * ARITH_AIR_WIDTH, res), 0);
    assert_memory_equal(res, want, 32);
  }
  mpz_clears(a, b, md, pr, NULL);
  assert_int_equal(stark_air_check(arith_air(), m, 256, NULL, NULL, NULL), 0);
  assert_int_equal(atu_prove_verify(arith_air(), m, log_n, 1), STARK_OK);
  const struct {
    size_t row;
    unsigned col;
  } cells[] = {
      {41, ARITH_AIR_A + 7},
      {103, ARITH_AIR_R + 0},
      {200, ARITH_AIR_CARRY + 33},
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    atu_cell_breaks_proof(arith_air(), m, 256, log_n, cells[i].row, cells[i].col);
  free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_constants),
      cmocka_unit_test(test_generator),
      cmocka_unit_test(test_random_signatures),
      cmocka_unit_test(test_random_inputs),
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_q_at_infinity),
      cmocka_unit_test(test_rows_prove),
  };
  return cmocka_run_group_tests_name("secp_witness", tests, setup, teardown);
}
