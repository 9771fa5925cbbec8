/* pc_witness against the precompiles themselves: every reported product is
 * checked with GMP (a * b mod m == r, r < m, operands reduced except MODEXP's
 * documented base reductions by 1); bn254 calls on the EIP-196/197 vectors of
 * tests/vectors/ give the vectors' outputs and exactly as many products as
 * bn254_fp_mul_count and the precompile's field_muls say, with the modulus p;
 * the observer leaves results and counts unchanged and is per thread;
 * P256VERIFY verdicts equal evm_pc_run's on random valid and invalid inputs
 * and on edge cases, with the product count of pc_witness.h derived here
 * from u1 and u2; MODEXP outputs equal evm_pc_run's on random and edge inputs,
 * with the count of pc_witness.h derived here and the count-only path giving
 * the same number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <pthread.h>

#include "evm/precompiles/bn254.h"
#include "evm/precompiles/precompile.h"
#include "trace/pc_witness.h"

static const char *BN_P_HEX = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
static const char *P256_P_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char *P256_N_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

static mpz_t g_bnp, g_p, g_n;
static EC_GROUP *g_group;

static int setup(void **state) {
  (void)state;
  mpz_init_set_str(g_bnp, BN_P_HEX, 16);
  mpz_init_set_str(g_p, P256_P_HEX, 16);
  mpz_init_set_str(g_n, P256_N_HEX, 16);
  g_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  return g_group ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  mpz_clears(g_bnp, g_p, g_n, NULL);
  EC_GROUP_free(g_group);
  return 0;
}

/* ---- helpers ---- */

static uint64_t g_rng = 0x243f6a8885a308d3ull;
static uint64_t rnd64(void) {
  uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static void rnd_bytes(uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rnd64();
}

static void to_mpz(mpz_t z, const uint8_t *b, size_t n) {
  if (n == 0)
    mpz_set_ui(z, 0);
  else
    mpz_import(z, n, 1, 1, 1, 0, b);
}
static void from_mpz(uint8_t b[32], const mpz_t z) {
  size_t cnt = 0;
  uint8_t t[32];
  memset(b, 0, 32);
  if (mpz_sgn(z) == 0) return;
  assert_true(mpz_sizeinbase(z, 2) <= 256);
  mpz_export(t, &cnt, 1, 1, 1, 0, z);
  memcpy(b + 32 - cnt, t, cnt);
}

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

/* Every reported product checked with GMP. */
typedef struct {
  uint64_t n;          /* products seen */
  uint64_t unreduced;  /* products with a >= m (then b must be 1) */
  const mpz_t *want_m; /* the modulus every product must use, or NULL */
} checker;

static void on_product(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32],
                       const uint8_t r[32]) {
  checker *c = ctx;
  mpz_t za, zb, zm, zr, t;
  mpz_inits(za, zb, zm, zr, t, NULL);
  to_mpz(za, a, 32);
  to_mpz(zb, b, 32);
  to_mpz(zm, m, 32);
  to_mpz(zr, r, 32);
  c->n++;
  assert_true(mpz_cmp_ui(zm, 1) > 0);
  if (c->want_m) assert_int_equal(mpz_cmp(zm, *c->want_m), 0);
  mpz_mul(t, za, zb);
  mpz_mod(t, t, zm);
  if (mpz_cmp(t, zr) != 0) fail_msg("product %llu: a * b mod m != r", (unsigned long long)c->n);
  assert_true(mpz_cmp(zr, zm) < 0);
  assert_true(mpz_cmp(zb, zm) < 0);
  if (mpz_cmp(za, zm) >= 0) {
    c->unreduced++;
    assert_int_equal(mpz_cmp_ui(zb, 1), 0);
  }
  mpz_clears(za, zb, zm, zr, t, NULL);
}

/* evm_pc_run's answer. */
typedef struct {
  int rc;
  uint8_t *out;
  size_t out_len;
  evm_pc_work w;
} pc_answer;

static void pc_call(pc_answer *a, evm_pc_id id, blk_fork fork, const uint8_t *in, size_t len) {
  memset(a, 0, sizeof *a);
  a->rc = evm_pc_run(id, fork, in, len, &a->out, &a->out_len, &a->w);
}

/* ---- bn254 ---- */

static const char *BN_FILES[3] = {"bn254_add.txt", "bn254_mul.txt", "bn254_pairing.txt"};
static const uint16_t BN_ADDRS[3] = {PCW_ADDR_ECADD, PCW_ADDR_ECMUL, PCW_ADDR_ECPAIRING};
static const evm_pc_id BN_IDS[3] = {EVM_PC_BN_ADD, EVM_PC_BN_MUL, EVM_PC_BN_PAIRING};

/* One bn254 call: pcw_run with the checker equals the precompile (output,
 * status, field_muls) and bn254_fp_mul_count's delta; returns the count. */
static uint64_t bn_check(int which, const uint8_t *in, size_t len, const uint8_t *want, size_t want_len) {
  pc_answer ref;
  uint64_t m0 = bn254_fp_mul_count();
  pc_call(&ref, BN_IDS[which], BLK_FORK_CANCUN, in, len);
  uint64_t ref_muls = bn254_fp_mul_count() - m0;
  assert_int_equal(ref_muls, ref.w.field_muls);

  checker c = {0, 0, (const mpz_t *)&g_bnp};
  uint64_t cnt = 0, cnt0 = 0;
  uint8_t *out = NULL;
  size_t out_len = 0;
  m0 = bn254_fp_mul_count();
  int rc = pcw_run(BN_ADDRS[which], in, len, BLK_FORK_CANCUN, on_product, &c, &cnt, &out, &out_len);
  assert_int_equal(bn254_fp_mul_count() - m0, cnt);
  assert_int_equal(rc, ref.rc == EVM_PC_OK ? PCW_OK : PCW_FAIL);
  assert_int_equal(cnt, c.n);
  assert_int_equal(cnt, ref_muls);
  assert_int_equal(c.unreduced, 0);
  assert_int_equal(out_len, ref.out_len);
  if (out_len) assert_memory_equal(out, ref.out, out_len);
  if (want) {
    assert_int_equal(ref.rc, EVM_PC_OK);
    assert_int_equal(out_len, want_len);
    assert_memory_equal(out, want, want_len);
  }
  /* Count only: same number, no output asked. */
  assert_int_equal(pcw_run(BN_ADDRS[which], in, len, BLK_FORK_PRAGUE, NULL, NULL, &cnt0, NULL, NULL), rc);
  assert_int_equal(cnt0, cnt);
  free(out);
  free(ref.out);
  return cnt;
}

static void test_bn254_vectors(void **s) {
  (void)s;
  const char *root = getenv("PKB_SOURCE_DIR");
  static char line[8192];
  static uint8_t in[4096];
  uint8_t want[64];
  for (int which = 0; which < 3; which++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/vectors/%s", root ? root : ".", BN_FILES[which]);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int run = 0;
    uint64_t total = 0;
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
      total += bn_check(which, in, len, want, want_len);
      run++;
    }
    fclose(f);
    assert_true(run >= 10);
    assert_true(total > 0);
  }
}

/* Invalid inputs fail alike, with the validation's products reported. */
static void test_bn254_invalid(void **s) {
  (void)s;
  uint8_t in[384];
  memset(in, 0, sizeof in);
  in[31] = 1; /* (1, 0): off the curve */
  bn_check(0, in, 128, NULL, 0);
  bn_check(1, in, 96, NULL, 0);
  bn_check(2, in, 192, NULL, 0);
  memset(in, 0xff, 64); /* coordinates >= p */
  bn_check(0, in, 128, NULL, 0);
  bn_check(2, in, 191, NULL, 0); /* length not a multiple of 192 */
  bn_check(2, NULL, 0, NULL, 0);  /* empty pairing: true */
  /* Random (mostly invalid) records and short inputs. */
  for (int k = 0; k < 30; k++) {
    size_t len = (size_t)(rnd64() % 200);
    rnd_bytes(in, len);
    bn_check(k % 3, in, len, NULL, 0);
  }
}

/* A G1 multiple of the generator as 64 bytes, through ECMUL itself. */
static void g1_mult(uint8_t out[64], uint64_t k) {
  uint8_t in[96] = {0};
  in[31] = 1;
  in[63] = 2;
  for (int i = 0; i < 8; i++) in[95 - i] = (uint8_t)(k >> (8 * i));
  pc_answer a;
  pc_call(&a, EVM_PC_BN_MUL, BLK_FORK_CANCUN, in, 96);
  assert_int_equal(a.rc, EVM_PC_OK);
  assert_int_equal(a.out_len, 64);
  memcpy(out, a.out, 64);
  free(a.out);
}

typedef struct {
  uint64_t n;
} tally;
static void count_obs(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t r[32]) {
  (void)a;
  (void)b;
  (void)r;
  ((tally *)ctx)->n++;
}

/* The observer changes neither results nor counts, is restored by pcw_run,
 * and random scalar multiplications report as many products as counted. */
static void test_bn254_observer(void **s) {
  (void)s;
  uint8_t in[128];
  for (int k = 0; k < 10; k++) {
    g1_mult(in, rnd64() | 1);
    g1_mult(in + 64, rnd64());
    bn_check(0, in, 128, NULL, 0);
    rnd_bytes(in + 64, 32);
    bn_check(1, in, 96, NULL, 0);
  }
  /* Directly on the field: the same products with and without an observer. */
  bn254_g1 g, a, b;
  uint8_t k[32];
  rnd_bytes(k, 32);
  bn254_g1_gen(&g);
  uint64_t m0 = bn254_fp_mul_count();
  bn254_g1_mul(&a, &g, k);
  uint64_t plain = bn254_fp_mul_count() - m0;
  tally t = {0};
  bn254_mul_observer_fn pf = count_obs;
  void *pc = &t;
  bn254_set_mul_observer(count_obs, &t, &pf, &pc);
  assert_null(pf);
  assert_null(pc);
  m0 = bn254_fp_mul_count();
  bn254_g1_mul(&b, &g, k);
  assert_int_equal(bn254_fp_mul_count() - m0, plain);
  assert_int_equal(t.n, plain);
  /* pcw_run under an outer observer: the outer one sees nothing of it and is
   * set again afterwards. */
  uint8_t pin[96];
  g1_mult(pin, 12345);
  memcpy(pin + 64, k, 32);
  uint64_t before = t.n, cnt = 0;
  checker c = {0, 0, (const mpz_t *)&g_bnp};
  assert_int_equal(pcw_run(PCW_ADDR_ECMUL, pin, 96, BLK_FORK_CANCUN, on_product, &c, &cnt, NULL, NULL), PCW_OK);
  assert_int_equal(t.n, before);
  assert_int_equal(c.n, cnt);
  bn254_set_mul_observer(NULL, NULL, &pf, &pc);
  assert_ptr_equal(pf, count_obs);
  assert_ptr_equal(pc, &t);
  bn254_fp ax, ay, bx, by;
  bn254_g1_to_affine(&ax, &ay, &a);
  bn254_g1_to_affine(&bx, &by, &b);
  assert_true(bn254_fp_eq(&ax, &bx));
  assert_true(bn254_fp_eq(&ay, &by));
}

/* Two threads, each with its own observer: each sees only its own calls. */
typedef struct {
  const uint8_t *in;
  size_t len;
  uint64_t cnt, seen;
  int rc;
} thread_job;
static void thread_count(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32],
                         const uint8_t r[32]) {
  (void)a;
  (void)b;
  (void)m;
  (void)r;
  ((thread_job *)ctx)->seen++;
}
static void *thread_main(void *arg) {
  thread_job *j = arg;
  j->rc = pcw_run(PCW_ADDR_ECPAIRING, j->in, j->len, BLK_FORK_CANCUN, thread_count, j, &j->cnt, NULL, NULL);
  return NULL;
}
static void test_bn254_threads(void **s) {
  (void)s;
  const char *root = getenv("PKB_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/vectors/bn254_pairing.txt", root ? root : ".");
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  static char line[8192];
  static uint8_t in[2][4096];
  size_t len[2] = {0, 0};
  int got = 0;
  while (got < 2 && fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    char *bar1 = strchr(line, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    assert_non_null(bar2);
    *bar2 = 0;
    len[got] = hex_to_bytes(bar1 + 1, in[got], sizeof in[got]);
    if (len[got]) got++;
  }
  fclose(f);
  assert_int_equal(got, 2);
  thread_job j[2] = {{in[0], len[0], 0, 0, -9}, {in[1], len[1], 0, 0, -9}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, thread_main, &j[i]), 0);
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(j[i].rc, PCW_OK);
    assert_int_equal(j[i].seen, j[i].cnt);
    pc_answer ref;
    pc_call(&ref, EVM_PC_BN_PAIRING, BLK_FORK_CANCUN, in[i], len[i]);
    assert_int_equal(ref.w.field_muls, j[i].cnt);
    free(ref.out);
  }
}

/* ---- P-256 ---- */

/* evm_pc_run's verdict. */
static int p256_ref(const uint8_t *in, size_t len) {
  pc_answer a;
  pc_call(&a, EVM_PC_P256VERIFY, BLK_FORK_OSAKA, in, len);
  assert_int_equal(a.rc, EVM_PC_OK);
  int v = a.out_len == 32 && a.out[31] == 1;
  if (!v) assert_int_equal(a.out_len, 0);
  free(a.out);
  return v;
}

static void mpz_to_bn(BIGNUM *b, const mpz_t z) {
  uint8_t t[32];
  from_mpz(t, z);
  assert_non_null(BN_bin2bn(t, 32, b));
}

/* k G as affine (x, y), through OpenSSL. */
static void p256_mul_g(mpz_t x, mpz_t y, const mpz_t k) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *bk = BN_new(), *bx = BN_new(), *by = BN_new();
  EC_POINT *pt = EC_POINT_new(g_group);
  assert_true(ctx && bk && bx && by && pt);
  mpz_to_bn(bk, k);
  assert_int_equal(EC_POINT_mul(g_group, pt, bk, NULL, NULL, ctx), 1);
  assert_int_equal(EC_POINT_get_affine_coordinates(g_group, pt, bx, by, ctx), 1);
  uint8_t t[32];
  assert_int_equal(BN_bn2binpad(bx, t, 32), 32);
  to_mpz(x, t, 32);
  assert_int_equal(BN_bn2binpad(by, t, 32), 32);
  to_mpz(y, t, 32);
  EC_POINT_free(pt);
  BN_free(bk);
  BN_free(bx);
  BN_free(by);
  BN_CTX_free(ctx);
}

static void rnd_scalar(mpz_t k) {
  uint8_t t[32];
  do {
    rnd_bytes(t, 32);
    to_mpz(k, t, 32);
    mpz_mod(k, k, g_n);
  } while (mpz_sgn(k) == 0);
}

/* A signature over hash with a fresh key: in = hash || r || s || qx || qy. */
static void p256_sign(uint8_t in[160], const uint8_t hash[32]) {
  mpz_t d, k, qx, qy, rx, ry, h, r, s, t;
  mpz_inits(d, k, qx, qy, rx, ry, h, r, s, t, NULL);
  rnd_scalar(d);
  p256_mul_g(qx, qy, d);
  to_mpz(h, hash, 32);
  do {
    rnd_scalar(k);
    p256_mul_g(rx, ry, k);
    mpz_mod(r, rx, g_n);
    mpz_mul(t, r, d);
    mpz_add(t, t, h);
    assert_true(mpz_invert(s, k, g_n));
    mpz_mul(s, s, t);
    mpz_mod(s, s, g_n);
  } while (mpz_sgn(r) == 0 || mpz_sgn(s) == 0);
  memcpy(in, hash, 32);
  from_mpz(in + 32, r);
  from_mpz(in + 64, s);
  from_mpz(in + 96, qx);
  from_mpz(in + 128, qy);
  mpz_clears(d, k, qx, qy, rx, ry, h, r, s, t, NULL);
}

/* pc_witness.h's count for an input that reaches R' with no exceptional
 * addition, from u1 and u2 computed here. */
static uint64_t p256_expected(const uint8_t in[160], int verdict) {
  mpz_t h, r, s, si, u1, u2, pmn;
  mpz_inits(h, r, s, si, u1, u2, pmn, NULL);
  to_mpz(h, in, 32);
  to_mpz(r, in + 32, 32);
  to_mpz(s, in + 64, 32);
  assert_true(mpz_invert(si, s, g_n));
  mpz_mul(u1, h, si);
  mpz_mod(u1, u1, g_n);
  mpz_mul(u2, r, si);
  mpz_mod(u2, u2, g_n);
  size_t l1 = mpz_sgn(u1) ? mpz_sizeinbase(u1, 2) : 0, l2 = mpz_sizeinbase(u2, 2);
  uint64_t L = l1 > l2 ? l1 : l2;
  uint64_t w = mpz_popcount(u1) + mpz_popcount(u2);
  mpz_sub(pmn, g_p, g_n);
  uint64_t extra = !verdict && mpz_cmp(r, pmn) < 0;
  mpz_clears(h, r, s, si, u1, u2, pmn, NULL);
  return 3 + 321 + 2 + 2 + 8 * (L - 1) + 11 * (w - 1) + extra;
}

/* pcw_run on one input: the verdict equals the precompile's, every product
 * is reduced and right; returns the verdict, *cnt the count. */
static int p256_check(const uint8_t *in, size_t len, uint64_t *cnt) {
  checker c = {0, 0, NULL};
  uint8_t *out = NULL;
  size_t out_len = 0;
  assert_int_equal(pcw_run(PCW_ADDR_P256VERIFY, in, len, BLK_FORK_OSAKA, on_product, &c, cnt, &out, &out_len),
                   PCW_OK);
  int v = out_len == 32 && out[31] == 1;
  if (!v) assert_int_equal(out_len, 0);
  for (size_t i = 0; v && i < 31; i++) assert_int_equal(out[i], 0);
  free(out);
  assert_int_equal(v, p256_ref(in, len));
  assert_int_equal(c.n, *cnt);
  assert_int_equal(c.unreduced, 0);
  uint64_t cnt0 = 0;
  assert_int_equal(pcw_run(PCW_ADDR_P256VERIFY, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt0, NULL, NULL), PCW_OK);
  assert_int_equal(cnt0, *cnt);
  return v;
}

static void test_p256_random(void **s) {
  (void)s;
  uint8_t in[160], hash[32];
  int valid = 0, invalid = 0;
  for (int k = 0; k < 320; k++) {
    uint64_t cnt = 0;
    rnd_bytes(hash, 32);
    if (k % 11 == 0) memset(hash, 0xff, 16); /* likely above n */
    p256_sign(in, hash);
    int kind = k % 8, want_formula = 1;
    switch (kind) {
    case 0: case 1: break;              /* valid */
    case 2: in[rnd64() % 32] ^= 1; break;      /* another hash */
    case 3: in[32 + rnd64() % 32] ^= 4; break; /* another r (may leave [1, n-1]) */
    case 4: in[64 + rnd64() % 32] ^= 2; break; /* another s */
    case 5: in[159] ^= 1; want_formula = 0; break; /* off the curve */
    case 6: rnd_bytes(in + 32, 64); break;     /* random r, s on a valid key */
    default: rnd_bytes(in, 160); want_formula = 0; break; /* anything */
    }
    int v = p256_check(in, 160, &cnt);
    if (v) valid++; else invalid++;
    if (kind <= 1) assert_int_equal(v, 1);
    if (kind == 5) assert_int_equal(cnt, 3);
    mpz_t r, sv;
    mpz_inits(r, sv, NULL);
    to_mpz(r, in + 32, 32);
    to_mpz(sv, in + 64, 32);
    int in_range = mpz_sgn(r) && mpz_sgn(sv) && mpz_cmp(r, g_n) < 0 && mpz_cmp(sv, g_n) < 0;
    mpz_clears(r, sv, NULL);
    if (!in_range) assert_int_equal(cnt, 0);
    if (want_formula && in_range) assert_int_equal(cnt, p256_expected(in, v));
  }
  assert_true(valid >= 80);
  assert_true(invalid >= 200);
}

static void set_word(uint8_t w[32], const char *hex) {
  mpz_t z;
  mpz_init_set_str(z, hex, 16);
  from_mpz(w, z);
  mpz_clear(z);
}

static void test_p256_edges(void **s) {
  (void)s;
  uint8_t in[160], bad[161], hash[32];
  uint64_t cnt = 0;
  rnd_bytes(hash, 32);
  p256_sign(in, hash);
  assert_int_equal(p256_check(in, 160, &cnt), 1);
  assert_int_equal(p256_check(in, 159, &cnt), 0);
  assert_int_equal(cnt, 0);
  memcpy(bad, in, 160);
  bad[160] = 0;
  assert_int_equal(p256_check(bad, 161, &cnt), 0);
  assert_int_equal(p256_check(NULL, 0, &cnt), 0);

  /* r and s at 0, 1, n - 1, n, n + 1, 2^256 - 1. */
  char nm1[65], np1[65];
  mpz_t t;
  mpz_init(t);
  mpz_sub_ui(t, g_n, 1);
  gmp_snprintf(nm1, sizeof nm1, "%Zx", t);
  mpz_add_ui(t, g_n, 1);
  gmp_snprintf(np1, sizeof np1, "%Zx", t);
  const char *vals[] = {"0", "1", nm1, P256_N_HEX, np1,
                        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"};
  for (int which = 0; which < 2; which++)
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
      memcpy(bad, in, 160);
      set_word(bad + 32 + 32 * which, vals[i]);
      int v = p256_check(bad, 160, &cnt);
      assert_int_equal(v, 0);
      if (i == 0 || i >= 3) assert_int_equal(cnt, 0);
      else assert_true(cnt > 3);
    }
  /* Coordinates at p and p - 1, (0, 0), off the curve. */
  const char *coords[] = {P256_P_HEX, "ffffffff00000001000000000000000000000000fffffffffffffffffffffffe", "0"};
  for (int which = 0; which < 2; which++)
    for (size_t i = 0; i < 3; i++) {
      memcpy(bad, in, 160);
      set_word(bad + 96 + 32 * which, coords[i]);
      assert_int_equal(p256_check(bad, 160, &cnt), 0);
      assert_int_equal(cnt, i == 0 ? 0 : 3);
    }
  memcpy(bad, in, 160);
  memset(bad + 96, 0, 64);
  assert_int_equal(p256_check(bad, 160, &cnt), 0);
  assert_int_equal(cnt, 3);

  /* R' at infinity: key d G, hash = -r d mod n, so u1 + u2 d = 0. */
  {
    mpz_t d, qx, qy, h, r;
    mpz_inits(d, qx, qy, h, r, NULL);
    rnd_scalar(d);
    p256_mul_g(qx, qy, d);
    rnd_scalar(r);
    mpz_mul(h, r, d);
    mpz_neg(h, h);
    mpz_mod(h, h, g_n);
    from_mpz(bad, h);
    from_mpz(bad + 32, r);
    rnd_bytes(bad + 64, 32);
    bad[64] &= 0x7f;
    from_mpz(bad + 96, qx);
    from_mpz(bad + 128, qy);
    assert_int_equal(p256_check(bad, 160, &cnt), 0);
    /* Q = G and hash = r, so u1 = u2: each addition of Q meets the G just added. */
    mpz_set_ui(d, 1);
    p256_mul_g(qx, qy, d);
    from_mpz(bad + 96, qx);
    from_mpz(bad + 128, qy);
    from_mpz(bad + 32, r);
    memcpy(bad, bad + 32, 32); /* hash = r: u1 = u2, every G addition is followed by one of G */
    assert_int_equal(p256_check(bad, 160, &cnt), 0);
    /* At the top bit the accumulator is G when Q = G is added: that addition
     * takes its first four products and a doubling (12, one more than 11). */
    assert_int_equal(cnt, p256_expected(bad, 0) + 1);
    mpz_clears(d, qx, qy, h, r, NULL);
  }
  /* A small r (r + n < p): the second comparison is made. */
  memcpy(bad, in, 160);
  memset(bad + 32, 0, 32);
  bad[63] = 5;
  assert_int_equal(p256_check(bad, 160, &cnt), 0);
  assert_int_equal(cnt, p256_expected(bad, 0));
  /* A hash of zero (u1 = 0) and one above n. */
  memset(hash, 0, 32);
  p256_sign(in, hash);
  assert_int_equal(p256_check(in, 160, &cnt), 1);
  assert_int_equal(cnt, p256_expected(in, 1));
  memset(hash, 0xff, 32);
  p256_sign(in, hash);
  assert_int_equal(p256_check(in, 160, &cnt), 1);
  assert_int_equal(cnt, p256_expected(in, 1));
  /* Not in Cancun. */
  assert_int_equal(pcw_run(PCW_ADDR_P256VERIFY, in, 160, BLK_FORK_CANCUN, NULL, NULL, &cnt, NULL, NULL),
                   PCW_E_UNSUPPORTED);
  assert_int_equal(cnt, 0);
  mpz_clear(t);
}

/* ---- MODEXP ---- */

static void put_len(uint8_t w[32], uint64_t v) {
  memset(w, 0, 32);
  for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
}

/* pc_witness.h's count, derived from the operands with GMP. */
static uint64_t modexp_expected(const uint8_t *in, size_t len, size_t bl, size_t el, size_t ml) {
  size_t tot = 96 + bl + el + ml;
  uint8_t *buf = calloc(1, tot);
  assert_non_null(buf);
  memcpy(buf, in, len < tot ? len : tot);
  mpz_t b, e, m, c;
  mpz_inits(b, e, m, c, NULL);
  to_mpz(b, buf + 96, bl);
  to_mpz(e, buf + 96 + bl, el);
  to_mpz(m, buf + 96 + bl + el, ml);
  uint64_t n = 0;
  if (mpz_cmp_ui(m, 1) > 0 && mpz_sgn(e) > 0) {
    size_t bbytes = mpz_sgn(b) ? (mpz_sizeinbase(b, 2) + 7) / 8 : 0;
    if (bbytes) {
      size_t chunks = (bbytes + 31) / 32;
      for (size_t i = 0; i < chunks; i++) {
        mpz_tdiv_q_2exp(c, b, 256 * (unsigned long)i);
        mpz_tdiv_r_2exp(c, c, 256);
        n += mpz_cmp(c, m) >= 0;
      }
      if (chunks > 1) n += 1 + (chunks - 1);
    }
    n += mpz_sizeinbase(e, 2) - 1 + mpz_popcount(e) - 1;
  }
  mpz_clears(b, e, m, c, NULL);
  free(buf);
  return n;
}

/* pcw_run against evm_pc_run; returns pcw_run's status. */
static int modexp_check(const uint8_t *in, size_t len, blk_fork fork, uint64_t *cnt) {
  pc_answer ref;
  pc_call(&ref, EVM_PC_MODEXP, fork, in, len);
  checker c = {0, 0, NULL};
  uint8_t *out = NULL;
  size_t out_len = 0;
  int rc = pcw_run(PCW_ADDR_MODEXP, in, len, fork, on_product, &c, cnt, &out, &out_len);
  uint64_t cnt0 = 99;
  assert_int_equal(pcw_run(PCW_ADDR_MODEXP, in, len, fork, NULL, NULL, &cnt0, NULL, NULL), rc);
  if (rc == PCW_E_UNSUPPORTED) {
    assert_int_equal(*cnt, 0);
    assert_int_equal(cnt0, 0);
  } else {
    assert_int_equal(rc, ref.rc == EVM_PC_OK ? PCW_OK : PCW_FAIL);
    assert_int_equal(c.n, *cnt);
    assert_int_equal(cnt0, *cnt);
    assert_int_equal(out_len, ref.out_len);
    if (out_len) assert_memory_equal(out, ref.out, out_len);
  }
  free(out);
  free(ref.out);
  return rc;
}

/* A MODEXP input: lengths, then the operands (the modulus with mz leading
 * zero bytes); returns its length. */
static size_t modexp_input(uint8_t *in, size_t bl, size_t el, size_t ml, size_t mz) {
  put_len(in, bl);
  put_len(in + 32, el);
  put_len(in + 64, ml);
  rnd_bytes(in + 96, bl + el + ml);
  if (mz > ml) mz = ml;
  memset(in + 96 + bl + el, 0, mz);
  return 96 + bl + el + ml;
}

static void test_modexp_random(void **s) {
  (void)s;
  static uint8_t in[96 + 300];
  int computed = 0;
  for (int k = 0; k < 400; k++) {
    size_t bl = (size_t)(rnd64() % 100), el = (size_t)(rnd64() % 70), ml = 1 + (size_t)(rnd64() % 40);
    size_t mz = ml > 32 ? ml - 32 + (size_t)(rnd64() % 3) : (size_t)(rnd64() % 2);
    size_t len = modexp_input(in, bl, el, ml, mz);
    if (k % 5 == 0) in[96 + bl + el + mz] = (uint8_t)(rnd64() % 3); /* small moduli */
    if (k % 7 == 0 && bl) memset(in + 96, 0, bl / 2);            /* leading zeros in the base */
    if (k % 9 == 0) len -= (size_t)(rnd64() % (len - 95));         /* truncated: reads zeros */
    blk_fork fork = (blk_fork)(k % BLK_FORK_COUNT);
    uint64_t cnt = 0;
    int rc = modexp_check(in, len, fork, &cnt);
    assert_int_equal(rc, PCW_OK);
    assert_int_equal(cnt, modexp_expected(in, len, bl, el, ml));
    computed += cnt > 0;
  }
  assert_true(computed > 200);
}

static void test_modexp_edges(void **s) {
  (void)s;
  static uint8_t in[96 + 2200];
  uint64_t cnt = 0;
  /* Empty input: all lengths 0, empty output. */
  assert_int_equal(modexp_check(NULL, 0, BLK_FORK_CANCUN, &cnt), PCW_OK);
  assert_int_equal(cnt, 0);
  /* Modulus 0 and 1, exponent 0, base 0, base >= modulus. */
  size_t len = modexp_input(in, 32, 32, 32, 0);
  memset(in + 160, 0, 32);
  assert_int_equal(modexp_check(in, len, BLK_FORK_CANCUN, &cnt), PCW_OK); /* m = 0 */
  assert_int_equal(cnt, 0);
  in[191] = 1;
  assert_int_equal(modexp_check(in, len, BLK_FORK_CANCUN, &cnt), PCW_OK); /* m = 1 */
  assert_int_equal(cnt, 0);
  len = modexp_input(in, 32, 32, 32, 0);
  memset(in + 128, 0, 32);
  assert_int_equal(modexp_check(in, len, BLK_FORK_CANCUN, &cnt), PCW_OK); /* e = 0 */
  assert_int_equal(cnt, 0);
  len = modexp_input(in, 32, 32, 32, 0);
  memset(in + 96, 0, 32);
  assert_int_equal(modexp_check(in, len, BLK_FORK_CANCUN, &cnt), PCW_OK); /* b = 0 */
  assert_int_equal(cnt, modexp_expected(in, len, 32, 32, 32));
  len = modexp_input(in, 32, 32, 32, 0);
  memset(in + 96, 0xff, 32);
  in[160] = 0x7f; /* b >= m: one reduction */
  assert_int_equal(modexp_check(in, len, BLK_FORK_CANCUN, &cnt), PCW_OK);
  assert_int_equal(cnt, modexp_expected(in, len, 32, 32, 32));
  /* A 256-bit modulus with a 256-bit exponent. */
  len = modexp_input(in, 32, 32, 32, 0);
  in[128] |= 0x80;
  in[160] |= 0x80;
  assert_int_equal(modexp_check(in, len, BLK_FORK_OSAKA, &cnt), PCW_OK);
  assert_int_equal(cnt, modexp_expected(in, len, 32, 32, 32));
  assert_true(cnt >= 255);
  /* mod_len 0 with other lengths: empty output. */
  len = modexp_input(in, 5, 5, 0, 0);
  assert_int_equal(modexp_check(in, len, BLK_FORK_CANCUN, &cnt), PCW_OK);
  /* A 40-byte modulus with 8 leading zero bytes fits; with 7 it does not. */
  len = modexp_input(in, 40, 40, 40, 8);
  in[96 + 80 + 8] |= 0x80;
  assert_int_equal(modexp_check(in, len, BLK_FORK_PRAGUE, &cnt), PCW_OK);
  assert_int_equal(cnt, modexp_expected(in, len, 40, 40, 40));
  len = modexp_input(in, 40, 40, 40, 7);
  in[96 + 80 + 7] |= 1;
  assert_int_equal(modexp_check(in, len, BLK_FORK_PRAGUE, &cnt), PCW_E_UNSUPPORTED);
  /* A long exponent and a long base (several chunks). */
  len = modexp_input(in, 200, 1000, 32, 0);
  assert_int_equal(modexp_check(in, len, BLK_FORK_OSAKA, &cnt), PCW_OK);
  assert_int_equal(cnt, modexp_expected(in, len, 200, 1000, 32));
  /* Osaka's 1024-byte bound fails the call; Prague computes it. */
  len = modexp_input(in, 1025, 2, 2, 0);
  assert_int_equal(modexp_check(in, len, BLK_FORK_OSAKA, &cnt), PCW_FAIL);
  assert_int_equal(cnt, 0);
  assert_int_equal(modexp_check(in, len, BLK_FORK_PRAGUE, &cnt), PCW_OK);
  assert_int_equal(cnt, modexp_expected(in, len, 1025, 2, 2));
  /* A length word far past the precompile's limit. */
  memset(in, 0, 96);
  in[0] = 1;
  in[95] = 1;
  assert_int_equal(modexp_check(in, 96, BLK_FORK_CANCUN, &cnt), PCW_E_UNSUPPORTED);
}

/* ---- arguments ---- */

static void test_args(void **s) {
  (void)s;
  uint8_t in[8] = {0}, *out = NULL;
  size_t out_len = 0;
  uint64_t cnt = 7;
  assert_int_equal(pcw_run(PCW_ADDR_ECADD, NULL, 5, BLK_FORK_CANCUN, NULL, NULL, &cnt, NULL, NULL), PCW_E_ARG);
  assert_int_equal(cnt, 0);
  assert_int_equal(pcw_run(PCW_ADDR_ECADD, in, 8, BLK_FORK_COUNT, NULL, NULL, NULL, NULL, NULL), PCW_E_ARG);
  assert_int_equal(pcw_run(PCW_ADDR_ECADD, in, 8, BLK_FORK_CANCUN, NULL, NULL, NULL, &out, NULL), PCW_E_ARG);
  assert_int_equal(pcw_run(0x01, in, 8, BLK_FORK_CANCUN, NULL, NULL, &cnt, &out, &out_len), PCW_E_UNSUPPORTED);
  assert_null(out);
  assert_int_equal(out_len, 0);
  assert_int_equal(pcw_run(0x09, in, 8, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL), PCW_E_UNSUPPORTED);
  assert_int_equal(pcw_run(0x101, in, 8, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL), PCW_E_UNSUPPORTED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bn254_vectors), cmocka_unit_test(test_bn254_invalid),
      cmocka_unit_test(test_bn254_observer), cmocka_unit_test(test_bn254_threads),
      cmocka_unit_test(test_p256_random),   cmocka_unit_test(test_p256_edges),
      cmocka_unit_test(test_modexp_random), cmocka_unit_test(test_modexp_edges),
      cmocka_unit_test(test_args),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
