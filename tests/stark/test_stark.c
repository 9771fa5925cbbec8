/* STARK prover and verifier: valid traces of each example AIR prove and
 * verify; a trace breaking one constraint is refused by the checking prover
 * and its forced proof does not verify; wrong public values, flipped proof
 * bytes (sampled over every section) and mismatched parameters are rejected;
 * the base and extension constraint paths agree; quotients of 1, 2 and 4
 * chunks work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stark/air.h"
#include "stark/stark.h"
#include "stark_test_util.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t rnd32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}
static bb_t rnd_bb(void) { return bb_from_u32(rnd32() % BB_P); }
static ext_t rnd_ext(void) {
  ext_t r = {{rnd_bb(), rnd_bb(), rnd_bb(), rnd_bb()}};
  return r;
}

/* ---- extra test AIRs: higher degree (2 and 4 quotient chunks) ---- */

/* x' = x^2 + 1, x_0 = pub[0]; degree 3 with the selector -> 2 chunks. */
static void sq_eval_ext(const stark_air *a, stark_eval_ext *e) {
  (void)a;
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, ext_sub(e->local[0], ext_from_base(e->pub[0]))));
  ext_t x = e->local[0];
  stark_assert_zero_ext(
      e, ext_mul(e->is_transition, ext_sub(e->next[0], ext_add(ext_mul(x, x), ext_one()))));
}
static void sq_eval_base(const stark_air *a, stark_eval_base *e) {
  (void)a;
  stark_assert_zero_base(e, bb_mul(e->is_first_row, bb_sub(e->local[0], e->pub[0])));
  bb_t x = e->local[0];
  stark_assert_zero_base(e, bb_mul(e->is_transition, bb_sub(e->next[0], bb_add(bb_mul(x, x), BB_ONE))));
}
static const stark_air air_sq = {"square", 1, 1, 2, 3, sq_eval_ext, sq_eval_base, NULL};

/* x' = x^3 + y, y' = y; degree 4 -> 4 chunks; extension path only. */
static void cube_eval_ext(const stark_air *a, stark_eval_ext *e) {
  (void)a;
  ext_t x = e->local[0], y = e->local[1];
  stark_assert_zero_ext(
      e, ext_mul(e->is_transition, ext_sub(e->next[0], ext_add(ext_mul(x, ext_mul(x, x)), y))));
  stark_assert_zero_ext(e, ext_mul(e->is_transition, ext_sub(e->next[1], y)));
  stark_assert_zero_ext(e, ext_mul(e->is_last_row, ext_sub(e->local[1], ext_from_base(e->pub[0]))));
}
static const stark_air air_cube = {"cube", 2, 1, 3, 4, cube_eval_ext, NULL, NULL};

static bb_t *sq_trace(size_t n, bb_t x0) {
  bb_t *t = malloc(sizeof *t * n);
  t[0] = x0;
  for (size_t i = 1; i < n; i++) t[i] = bb_add(bb_mul(t[i - 1], t[i - 1]), BB_ONE);
  return t;
}

static bb_t *cube_trace(size_t n, bb_t x0, bb_t y) {
  bb_t *t = malloc(sizeof *t * 2 * n);
  t[0] = x0;
  t[1] = y;
  for (size_t i = 1; i < n; i++) {
    bb_t x = t[2 * (i - 1)];
    t[2 * i] = bb_add(bb_mul(x, bb_mul(x, x)), y);
    t[2 * i + 1] = y;
  }
  return t;
}

static bb_t *fib_trace(unsigned log_n, bb_t pub[3]) {
  size_t n = (size_t)1 << log_n;
  bb_t *t = malloc(sizeof *t * 2 * n);
  uint32_t res;
  stark_fib_trace(t, n, 1, 1, &res);
  pub[0] = bb_from_u32(1);
  pub[1] = bb_from_u32(1);
  pub[2] = bb_from_u32(res);
  return t;
}

static bb_t *add_trace(unsigned log_n) {
  size_t n = (size_t)1 << log_n;
  bb_t *t = malloc(sizeof *t * STARK_ADD256_WIDTH * n);
  for (size_t i = 0; i < n; i++) {
    uint16_t a[16], b[16];
    for (int k = 0; k < 16; k++) {
      a[k] = (uint16_t)rnd32();
      b[k] = (uint16_t)(i % 3 == 0 ? 0xffff : rnd32()); /* long carry chains too */
    }
    stark_add256_row(t + i * STARK_ADD256_WIDTH, a, b);
  }
  return t;
}

static int prove_and_verify(const stark_air *air, const stark_config *cfg, const bb_t *trace,
                            unsigned log_n, const bb_t *pub, const bb_t *vpub) {
  stark_proof p;
  stark_timings t;
  int rc = stark_prove(air, cfg, trace, log_n, pub, &p, &t);
  if (rc != STARK_OK) return 1000 + rc;
  assert_true(t.total_ms >= 0);
  assert_true(t.peak_rss_kb > 0);
  rc = stark_verify(air, &cfg->fri, vpub, &p);
  stark_proof_free(&p);
  return rc;
}

/* ---- tests ---- */

static void test_fib_known_values(void **state) {
  (void)state;
  bb_t t[16];
  uint32_t res;
  stark_fib_trace(t, 8, 0, 1, &res);
  /* rows (F_i, F_{i+1}), last row b = F_8 = 21 */
  assert_int_equal(res, 21);
  assert_int_equal(bb_to_u32(t[2 * 7]), 13);
  assert_int_equal(stark_air_check(&stark_air_fib, t, 8, (bb_t[]){0, BB_ONE, bb_from_u32(21)}, NULL, NULL),
                   STARK_OK);
}

static void test_add256_row(void **state) {
  (void)state;
  uint16_t a[16], b[16];
  for (int k = 0; k < 16; k++) a[k] = b[k] = 0xffff;
  bb_t row[STARK_ADD256_WIDTH];
  stark_add256_row(row, a, b);
  /* (2^256-1)*2 = 2^257 - 2: c = 2^256 - 2, overflow 1 */
  assert_int_equal(bb_to_u32(row[32]), 0xfffe);
  for (int k = 1; k < 16; k++) assert_int_equal(bb_to_u32(row[32 + k]), 0xffff);
  for (int k = 0; k < 16; k++) assert_int_equal(row[48 + k], BB_ONE);
  bb_t tr[2 * STARK_ADD256_WIDTH];
  memcpy(tr, row, sizeof row);
  memcpy(tr + STARK_ADD256_WIDTH, row, sizeof row);
  assert_int_equal(stark_air_check(&stark_air_add256, tr, 2, NULL, NULL, NULL), STARK_OK);
}

/* stark_add256_row against 256-bit addition on four 64-bit words. */
static void test_add256_row_random(void **state) {
  (void)state;
  for (int it = 0; it < 1000; it++) {
    uint16_t a[16], b[16];
    for (int k = 0; k < 16; k++) {
      a[k] = (uint16_t)rnd32();
      b[k] = (uint16_t)(it % 4 == 0 ? (uint32_t)(0xffff - a[k] + (k == 0)) : rnd32());
    }
    uint64_t A[4] = {0}, B[4] = {0}, C[4];
    for (int k = 0; k < 16; k++) {
      A[k / 4] |= (uint64_t)a[k] << (16 * (k % 4));
      B[k / 4] |= (uint64_t)b[k] << (16 * (k % 4));
    }
    unsigned carry = 0;
    for (int i = 0; i < 4; i++) {
      uint64_t s = A[i] + B[i];
      unsigned c1 = s < A[i];
      C[i] = s + carry;
      unsigned c2 = C[i] < s;
      carry = c1 | c2;
    }
    bb_t row[STARK_ADD256_WIDTH];
    stark_add256_row(row, a, b);
    for (int k = 0; k < 16; k++)
      assert_int_equal(bb_to_u32(row[32 + k]), (C[k / 4] >> (16 * (k % 4))) & 0xffff);
    assert_int_equal(bb_to_u32(row[48 + 15]), carry);
  }
}

static void test_quotient_chunks(void **state) {
  (void)state;
  assert_int_equal(stark_air_quotient_chunks(&stark_air_fib), 1);
  assert_int_equal(stark_air_quotient_chunks(&air_sq), 2);
  assert_int_equal(stark_air_quotient_chunks(&air_cube), 4);
}

/* eval_base and eval_ext fold the same constraints in the same order. */
static void check_paths_agree(const stark_air *air) {
  unsigned w = air->width, m = air->num_constraints;
  for (int it = 0; it < 20; it++) {
    bb_t loc[128], nxt[128], pub[8];
    ext_t lx[128], nx[128];
    for (unsigned j = 0; j < w; j++) {
      loc[j] = rnd_bb();
      nxt[j] = rnd_bb();
      lx[j] = ext_from_base(loc[j]);
      nx[j] = ext_from_base(nxt[j]);
    }
    for (unsigned j = 0; j < air->num_public; j++) pub[j] = rnd_bb();
    bb_t f = rnd_bb(), l = rnd_bb(), tr = rnd_bb();
    ext_t alpha = rnd_ext();
    ext_t pows[64];
    pows[m - 1] = ext_one();
    for (unsigned i = m - 1; i-- > 0;) pows[i] = ext_mul(pows[i + 1], alpha);
    stark_eval_base eb = {loc, nxt, pub, f, l, tr, pows, ext_zero(), 0, m, -1};
    air->eval_base(air, &eb);
    stark_eval_ext ee = {lx, nx, pub, ext_from_base(f), ext_from_base(l), ext_from_base(tr),
                         alpha, ext_zero(), 0, -1};
    air->eval_ext(air, &ee);
    assert_int_equal(eb.count, m);
    assert_int_equal(ee.count, m);
    assert_true(ext_eq(eb.acc, ee.acc));
    assert_int_equal(eb.first_nonzero, ee.first_nonzero);
  }
}

static void test_base_ext_agree(void **state) {
  (void)state;
  check_paths_agree(&stark_air_fib);
  check_paths_agree(&stark_air_add256);
  check_paths_agree(&air_sq);
}

static void test_fib_prove_verify(void **state) {
  (void)state;
  for (unsigned la = 1; la <= 2; la++) {
    for (unsigned lb = 1; lb <= 2; lb++)
      for (unsigned log_n = 1; log_n <= 9; log_n++) {
        stark_config cfg = test_cfg(lb);
        cfg.fri.log_arity = la;
        bb_t pub[3];
        bb_t *t = fib_trace(log_n, pub);
        assert_int_equal(prove_and_verify(&stark_air_fib, &cfg, t, log_n, pub, pub), STARK_OK);
        free(t);
      }
  }
}

static void test_add256_prove_verify(void **state) {
  (void)state;
  for (unsigned lb = 1; lb <= 2; lb++)
    for (unsigned log_n = 2; log_n <= 7; log_n += 5) {
      stark_config cfg = test_cfg(lb);
      bb_t *t = add_trace(log_n);
      assert_int_equal(prove_and_verify(&stark_air_add256, &cfg, t, log_n, NULL, NULL), STARK_OK);
      free(t);
    }
}

static void test_higher_degree(void **state) {
  (void)state;
  for (unsigned lb = 1; lb <= 2; lb++) {
    stark_config cfg = test_cfg(lb);
    bb_t pub = bb_from_u32(3);
    bb_t *t = sq_trace(64, pub);
    assert_int_equal(prove_and_verify(&air_sq, &cfg, t, 6, &pub, &pub), STARK_OK);
    t[40] = bb_add(t[40], BB_ONE);
    cfg.check_trace = 0;
    assert_int_equal(prove_and_verify(&air_sq, &cfg, t, 6, &pub, &pub), STARK_ERR_VERIFY);
    free(t);
  }
  stark_config cfg = test_cfg(1);
  bb_t y = bb_from_u32(5);
  bb_t *t = cube_trace(32, bb_from_u32(2), y);
  /* 4 chunks need blowup >= 4 */
  stark_proof p;
  assert_int_equal(stark_prove(&air_cube, &cfg, t, 5, &y, &p, NULL), STARK_ERR_ARG);
  cfg = test_cfg(2);
  assert_int_equal(prove_and_verify(&air_cube, &cfg, t, 5, &y, &y), STARK_OK);
  bb_t y2 = bb_from_u32(6);
  assert_int_equal(prove_and_verify(&air_cube, &cfg, t, 5, &y, &y2), STARK_ERR_VERIFY);
  free(t);
}

/* The checking prover refuses a bad trace; a forced proof does not verify. */
static void expect_bad(const stark_air *air, const bb_t *t, unsigned log_n, const bb_t *pub,
                       size_t want_row, int want_c) {
  size_t row = 99;
  int c = -7;
  assert_int_equal(stark_air_check(air, t, (size_t)1 << log_n, pub, &row, &c), STARK_ERR_CONSTRAINT);
  assert_int_equal(row, want_row);
  assert_int_equal(c, want_c);
  stark_config cfg = test_cfg(1);
  stark_proof p;
  assert_int_equal(stark_prove(air, &cfg, t, log_n, pub, &p, NULL), STARK_ERR_CONSTRAINT);
  cfg.check_trace = 0;
  assert_int_equal(prove_and_verify(air, &cfg, t, log_n, pub, pub), STARK_ERR_VERIFY);
  cfg = test_cfg(2);
  cfg.check_trace = 0;
  assert_int_equal(prove_and_verify(air, &cfg, t, log_n, pub, pub), STARK_ERR_VERIFY);
}

static void test_fib_bad_trace(void **state) {
  (void)state;
  unsigned log_n = 6;
  bb_t pub[3];
  bb_t *t = fib_trace(log_n, pub);
  bb_t *u = malloc(sizeof *u * 2 * 64);
  /* transition: next.b = a + b broken at row 10 -> 11 */
  memcpy(u, t, sizeof *u * 128);
  u[2 * 11 + 1] = bb_add(u[2 * 11 + 1], BB_ONE);
  expect_bad(&stark_air_fib, u, log_n, pub, 10, 3);
  /* first row a */
  memcpy(u, t, sizeof *u * 128);
  pub[0] = bb_from_u32(2);
  expect_bad(&stark_air_fib, u, log_n, pub, 0, 0);
  pub[0] = bb_from_u32(1);
  /* last row result */
  pub[2] = bb_add(pub[2], BB_ONE);
  expect_bad(&stark_air_fib, u, log_n, pub, 63, 4);
  free(u);
  free(t);
}

static void test_add256_bad_trace(void **state) {
  (void)state;
  unsigned log_n = 4;
  bb_t *t = add_trace(log_n);
  /* one limb equation: c[3] off by one on row 5 (constraint 16 + 3) */
  t[5 * 64 + 32 + 3] = bb_add(t[5 * 64 + 32 + 3], BB_ONE);
  expect_bad(&stark_air_add256, t, log_n, NULL, 5, 19);
  free(t);
  /* only the boolean constraint: carry[15] = 2 with c[15] adjusted so the
   * limb equation still holds modulo p */
  t = add_trace(log_n);
  bb_t *r = t + 7 * 64;
  r[48 + 15] = bb_from_u32(2);
  r[32 + 15] = bb_sub(bb_add(bb_add(r[15], r[16 + 15]), r[48 + 14]), bb_from_u32(1u << 17));
  expect_bad(&stark_air_add256, t, log_n, NULL, 7, 15);
  free(t);
}

/* The threaded check reports exactly what the one-thread check reports (the
 * first offending row and its constraint), whichever ranges the rows fall
 * in, for every thread count; a good trace passes on all of them. */
static void test_check_threads(void **state) {
  (void)state;
  unsigned log_n = 12;
  size_t n = (size_t)1 << log_n;
  bb_t pub[3];
  bb_t *t = fib_trace(log_n, pub), *u = malloc(sizeof *u * 2 * n);
  assert_non_null(u);
  static const int counts[] = {1, 2, 3, 4, 7, 8, 0};
  static const size_t rows[][3] = {{4000, 1200, 3000}, {4094, 4094, 4094}, {17, 2500, 2048}, {2049, 2049, 3000}};
  for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
    assert_int_equal(stark_air_check_threads(&stark_air_fib, t, n, pub, counts[k], NULL, NULL), STARK_OK);
  for (size_t v = 0; v < sizeof rows / sizeof rows[0]; v++) {
    memcpy(u, t, sizeof *u * 2 * n);
    for (int e = 0; e < 3; e++) u[2 * rows[v][e] + 1] = bb_add(u[2 * rows[v][e] + 1], BB_ONE);
    size_t want_row = SIZE_MAX;
    int want_c = -1;
    assert_int_equal(stark_air_check(&stark_air_fib, u, n, pub, &want_row, &want_c), STARK_ERR_CONSTRAINT);
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
      size_t row = SIZE_MAX;
      int c = -1;
      assert_int_equal(stark_air_check_threads(&stark_air_fib, u, n, pub, counts[k], &row, &c), STARK_ERR_CONSTRAINT);
      assert_int_equal(row, want_row);
      assert_int_equal(c, want_c);
    }
  }
  assert_int_equal(stark_air_check_rows(&stark_air_fib, t, n, pub, 5, 4, NULL, NULL), STARK_ERR_ARG);
  assert_int_equal(stark_air_check_rows(&stark_air_fib, t, n, pub, 0, n + 1, NULL, NULL), STARK_ERR_ARG);
  free(u);
  free(t);
}

static void test_wrong_public(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  bb_t pub[3];
  bb_t *t = fib_trace(7, pub);
  stark_proof p;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 7, pub, &p, NULL), STARK_OK);
  assert_int_equal(stark_verify(&stark_air_fib, &cfg.fri, pub, &p), STARK_OK);
  for (int k = 0; k < 3; k++) {
    bb_t bad[3] = {pub[0], pub[1], pub[2]};
    bad[k] = bb_add(bad[k], BB_ONE);
    assert_int_equal(stark_verify(&stark_air_fib, &cfg.fri, bad, &p), STARK_ERR_VERIFY);
  }
  /* other parameters or another AIR: shape mismatch */
  fri_params f = cfg.fri;
  f.num_queries++;
  assert_int_equal(stark_verify(&stark_air_fib, &f, pub, &p), STARK_ERR_ARG);
  f = cfg.fri;
  f.pow_bits++;
  assert_int_equal(stark_verify(&stark_air_fib, &f, pub, &p), STARK_ERR_VERIFY);
  f = cfg.fri;
  f.log_blowup = 2;
  assert_int_equal(stark_verify(&stark_air_fib, &f, pub, &p), STARK_ERR_ARG);
  assert_int_equal(stark_verify(&stark_air_add256, &cfg.fri, NULL, &p), STARK_ERR_ARG);
  f = cfg.fri;
  f.log_arity = 2;
  assert_int_equal(stark_verify(&stark_air_fib, &f, pub, &p), STARK_ERR_ARG);
  stark_proof_free(&p);
  free(t);
}

/* Serialise, round trip, and flip bytes sampled over every section. */
static void test_serialize_and_flips(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  bb_t pub[3];
  unsigned log_n = 5;
  bb_t *t = fib_trace(log_n, pub);
  stark_proof p;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, log_n, pub, &p, NULL), STARK_OK);
  uint8_t *buf;
  size_t len;
  assert_int_equal(stark_proof_serialize(&p, &buf, &len), STARK_OK);
  assert_int_equal(len, stark_proof_size(&p));
  stark_proof q;
  assert_int_equal(stark_proof_deserialize(buf, len, &q), STARK_OK);
  assert_int_equal(stark_verify(&stark_air_fib, &cfg.fri, pub, &q), STARK_OK);
  uint8_t *buf2;
  size_t len2;
  assert_int_equal(stark_proof_serialize(&q, &buf2, &len2), STARK_OK);
  assert_int_equal(len2, len);
  assert_memory_equal(buf, buf2, len);
  free(buf2);
  stark_proof_free(&q);

  /* truncated, extended */
  assert_int_equal(stark_proof_deserialize(buf, len - 1, &q), STARK_ERR_FORMAT);
  uint8_t *ext = malloc(len + 1);
  memcpy(ext, buf, len);
  ext[len] = 0;
  assert_int_equal(stark_proof_deserialize(ext, len + 1, &q), STARK_ERR_FORMAT);
  free(ext);
  assert_int_equal(stark_proof_deserialize(buf, 10, &q), STARK_ERR_FORMAT);

  /* Flips: every byte of the header and of the out-of-domain values, then a
   * stride over the rest (which covers roots, final polynomial, witness, rows
   * and every kind of path), each with a varying bit. */
  size_t head = 28 + 64 + (2 * 2 + 4) * 16 + 64;
  size_t stride = len / 700 + 1, tried = 0, format = 0, verify = 0;
  uint8_t *m = malloc(len);
  for (size_t pos = 0; pos < len; pos += pos < head ? 1 : stride) {
    memcpy(m, buf, len);
    m[pos] ^= (uint8_t)(1u << (pos % 8));
    stark_proof r;
    int rc = stark_proof_deserialize(m, len, &r);
    if (rc == STARK_OK) {
      int v = stark_verify(&stark_air_fib, &cfg.fri, pub, &r);
      if (v == STARK_OK) fail_msg("flip at byte %zu of %zu verified", pos, len);
      verify++;
      stark_proof_free(&r);
    } else {
      assert_int_equal(rc, STARK_ERR_FORMAT);
      format++;
    }
    tried++;
  }
  assert_true(tried > 500);
  assert_true(format > 0 && verify > 0);
  /* the last byte too */
  memcpy(m, buf, len);
  m[len - 1] ^= 0x10;
  stark_proof r;
  if (stark_proof_deserialize(m, len, &r) == STARK_OK) {
    assert_int_not_equal(stark_verify(&stark_air_fib, &cfg.fri, pub, &r), STARK_OK);
    stark_proof_free(&r);
  }
  free(m);
  free(buf);
  stark_proof_free(&p);
  free(t);
}

/* A small proof: every byte flipped (one bit each, varying position) fails to
 * deserialise or to verify. */
static void flip_every_byte(unsigned la) {
  stark_config cfg = test_cfg(1);
  cfg.fri.num_queries = 3;
  cfg.fri.log_arity = la;
  bb_t pub[3];
  unsigned log_n = 3 + la; /* arity 4: folds of 4 then 2 */
  bb_t *t = fib_trace(log_n, pub);
  stark_proof p;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, log_n, pub, &p, NULL), STARK_OK);
  assert_true(p.fri.num_layers >= 2);
  uint8_t *buf;
  size_t len;
  assert_int_equal(stark_proof_serialize(&p, &buf, &len), STARK_OK);
  uint8_t *m = malloc(len);
  for (size_t pos = 0; pos < len; pos++) {
    memcpy(m, buf, len);
    m[pos] ^= (uint8_t)(1u << ((pos * 5) % 8));
    stark_proof r;
    if (stark_proof_deserialize(m, len, &r) == STARK_OK) {
      if (stark_verify(&stark_air_fib, &cfg.fri, pub, &r) == STARK_OK)
        fail_msg("flip at byte %zu of %zu verified", pos, len);
      stark_proof_free(&r);
    }
  }
  free(m);
  free(buf);
  stark_proof_free(&p);
  free(t);
}

static void test_flip_every_byte(void **state) {
  (void)state;
  flip_every_byte(1);
  flip_every_byte(2);
}

/* Every truncation, random bytes and a wrong magic or version are refused
 * without a crash (the sanitizer build checks the reads). */
static void test_deserialize_garbage(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  bb_t pub[3];
  bb_t *t = fib_trace(3, pub);
  stark_proof p, r;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 3, pub, &p, NULL), STARK_OK);
  uint8_t *buf;
  size_t len;
  assert_int_equal(stark_proof_serialize(&p, &buf, &len), STARK_OK);
  for (size_t l = 0; l < len; l++) assert_int_equal(stark_proof_deserialize(buf, l, &r), STARK_ERR_FORMAT);
  assert_int_equal(stark_proof_deserialize(NULL, 0, &r), STARK_ERR_FORMAT);
  uint8_t *m = malloc(len);
  for (int it = 0; it < 200; it++) {
    for (size_t i = 0; i < len; i++) m[i] = (uint8_t)rnd32();
    if (it & 1) memcpy(m, buf, 40); /* a valid header, garbage body */
    int rc = stark_proof_deserialize(m, len, &r);
    if (rc == STARK_OK) {
      assert_int_not_equal(stark_verify(&stark_air_fib, &cfg.fri, pub, &r), STARK_OK);
      stark_proof_free(&r);
    }
  }
  memcpy(m, buf, len);
  m[4] ^= 2; /* version */
  assert_int_equal(stark_proof_deserialize(m, len, &r), STARK_ERR_FORMAT);
  memcpy(m, buf, len);
  m[0] = 'X';
  assert_int_equal(stark_proof_deserialize(m, len, &r), STARK_ERR_FORMAT);
  /* a non-canonical element (p itself) in the first opened value */
  memcpy(m, buf, len);
  size_t off = 28 + 64; /* header, two roots */
  m[off] = 0x01; m[off + 1] = 0x00; m[off + 2] = 0x00; m[off + 3] = 0x78;
  assert_int_equal(stark_proof_deserialize(m, len, &r), STARK_ERR_FORMAT);
  stark_proof bad = p;
  bad.width = 0;
  assert_int_equal(stark_proof_size(&bad), 0);
  free(m);
  free(buf);
  stark_proof_free(&p);
  free(t);
}

/* The extension-only path gives the same proof as the base fast path. */
static void test_ext_only_same_proof(void **state) {
  (void)state;
  stark_air ext_only = stark_air_fib;
  ext_only.eval_base = NULL;
  stark_config cfg = test_cfg(1);
  bb_t pub[3];
  bb_t *t = fib_trace(6, pub);
  stark_proof a, b;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 6, pub, &a, NULL), STARK_OK);
  assert_int_equal(stark_prove(&ext_only, &cfg, t, 6, pub, &b, NULL), STARK_OK);
  assert_same_proof_bytes(&a, &b);
  /* the thread count does not change the proof either (2^13 rows: several
   * blocks in every threaded loop) */
  bb_t pub2[3];
  bb_t *t2 = fib_trace(13, pub2);
  stark_proof c, d;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t2, 13, pub2, &c, NULL), STARK_OK);
  cfg.threads = 3;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t2, 13, pub2, &d, NULL), STARK_OK);
  assert_same_proof_bytes(&c, &d);
  assert_int_equal(stark_verify(&stark_air_fib, &cfg.fri, pub2, &d), STARK_OK);
  stark_proof_free(&d);
  free(t2);
  stark_proof_free(&a);
  stark_proof_free(&b);
  stark_proof_free(&c);
  free(t);
}

static void test_bad_args(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  bb_t pub[3];
  bb_t *t = fib_trace(4, pub);
  stark_proof p;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 0, pub, &p, NULL), STARK_ERR_ARG);
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 4, NULL, &p, NULL), STARK_ERR_ARG);
  stark_air broken = stark_air_fib;
  broken.num_constraints = 4; /* declares fewer than it folds */
  assert_int_equal(stark_prove(&broken, &cfg, t, 4, pub, &p, NULL), STARK_ERR_AIR);
  cfg.check_trace = 0;
  assert_int_equal(stark_prove(&broken, &cfg, t, 4, pub, &p, NULL), STARK_ERR_AIR);
  cfg.fri.num_queries = 0;
  assert_int_equal(stark_prove(&stark_air_fib, &cfg, t, 4, pub, &p, NULL), STARK_ERR_ARG);
  free(t);
}

/* The work estimate matches real proofs where it can be observed. */
static void test_estimate(void **state) {
  (void)state;
  stark_config cfg = test_cfg(1);
  stark_work wk;
  assert_int_equal(stark_estimate_work(&stark_air_fib, &cfg.fri, 3, &wk), STARK_OK);
  /* N = 16: trace tree 16 sponges + 15 compressions, quotient the same, one
   * FRI layer of 8 rows (8 + 7), grinding 2^4 expected */
  assert_int_equal(wk.p2_permutations, 31 + 31 + 15 + 16);
  assert_int_equal(wk.merkle_leaves, 16 + 16 + 8);
  assert_int_equal(wk.fri_layers, 1);
  assert_int_equal(wk.trace_cells, 16);
  assert_int_equal(wk.lde_cells, 16 * 6);
  for (unsigned log_n = 1; log_n <= 10; log_n += 3) {
    const stark_air *airs[2] = {&stark_air_fib, &stark_air_add256};
    cfg.fri.log_arity = 1 + log_n % 2;
    for (int a = 0; a < 2; a++) {
      bb_t pub[3];
      bb_t *t = a ? add_trace(log_n) : fib_trace(log_n, pub);
      stark_proof p;
      assert_int_equal(stark_prove(airs[a], &cfg, t, log_n, pub, &p, NULL), STARK_OK);
      assert_int_equal(stark_estimate_work(airs[a], &cfg.fri, log_n, &wk), STARK_OK);
      assert_int_equal(wk.proof_bytes, stark_proof_size(&p));
      assert_int_equal(stark_proof_size_for(airs[a], &cfg.fri, log_n), stark_proof_size(&p));
      assert_int_equal(wk.fri_layers, p.fri.num_layers);
      stark_proof_free(&p);
      free(t);
    }
  }
  assert_int_equal(stark_estimate_work(&stark_air_fib, &cfg.fri, 0, &wk), STARK_ERR_ARG);
  assert_int_equal(stark_estimate_work(&air_cube, &cfg.fri, 5, &wk), STARK_ERR_ARG); /* 4 chunks > blowup 2 */
}

/* A larger proof with the default (~100-bit) parameters. */
static void test_default_params(void **state) {
  (void)state;
  stark_config cfg = stark_config_default();
  assert_true(fri_security_bits(&cfg.fri) >= 100);
  bb_t pub[3];
  bb_t *t = fib_trace(12, pub);
  assert_int_equal(prove_and_verify(&stark_air_fib, &cfg, t, 12, pub, pub), STARK_OK);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fib_known_values),
      cmocka_unit_test(test_add256_row),
      cmocka_unit_test(test_add256_row_random),
      cmocka_unit_test(test_quotient_chunks),
      cmocka_unit_test(test_deserialize_garbage),
      cmocka_unit_test(test_base_ext_agree),
      cmocka_unit_test(test_fib_prove_verify),
      cmocka_unit_test(test_add256_prove_verify),
      cmocka_unit_test(test_higher_degree),
      cmocka_unit_test(test_fib_bad_trace),
      cmocka_unit_test(test_add256_bad_trace),
      cmocka_unit_test(test_check_threads),
      cmocka_unit_test(test_wrong_public),
      cmocka_unit_test(test_serialize_and_flips),
      cmocka_unit_test(test_flip_every_byte),
      cmocka_unit_test(test_ext_only_same_proof),
      cmocka_unit_test(test_bad_args),
      cmocka_unit_test(test_estimate),
      cmocka_unit_test(test_default_params),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
