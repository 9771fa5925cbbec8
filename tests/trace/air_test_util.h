/* Checks shared by the tests of the AIRs (tests/trace/test_*_air.c) and of
 * the trace tables proved with them: a seeded xorshift generator, the
 * agreement of eval_base and eval_ext on random and honest frames, the
 * constraints folded through eval_ext alone, the column groups a test
 * tampers with and the changed value of a cell, and proving then verifying
 * (honest traces verify; a changed cell is refused by the checking prover
 * and its forced proof does not verify).
 *
 * Every function is static inline, so a test that does not call one gets no
 * unused-function warning. The generator is one per test executable: a test
 * defines ATU_SEED before including this file to fix its sequence, and a
 * test's data depends on the order of the draws, so each function below
 * documents the draws it makes. Include after <cmocka.h>. */
#ifndef PKB_TESTS_AIR_TEST_UTIL_H
#define PKB_TESTS_AIR_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field/bb.h"
#include "field/ext.h"
#include "fri/fri.h"
#include "stark/air.h"
#include "stark/stark.h"

#ifndef ATU_SEED
#define ATU_SEED 0x9e3779b97f4a7c15ull
#endif

/* xorshift64 state, nonzero; one per test executable. */
static inline uint64_t *atu_rng(void) {
  static uint64_t s = ATU_SEED;
  return &s;
}
static inline uint64_t atu_rnd64(void) {
  uint64_t *s = atu_rng();
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}
static inline uint32_t atu_rnd_below(uint32_t m) { return (uint32_t)(atu_rnd64() % m); }
static inline bb_t atu_rnd_bb(void) { return bb_from_u32(atu_rnd_below(BB_P)); }
static inline ext_t atu_rnd_ext(void) {
  ext_t r = {{atu_rnd_bb(), atu_rnd_bb(), atu_rnd_bb(), atu_rnd_bb()}};
  return r;
}

/* The first row (from 0) of an n-row trace t where some constraint of air,
 * folded through eval_ext with a random alpha per row (one atu_rnd_ext each),
 * is non-zero; -1 when all hold. The last row wraps to row 0. */
static inline long atu_check_ext(const stark_air *air, const bb_t *t, size_t n) {
  unsigned w = air->width;
  ext_t *lx = malloc(sizeof *lx * w), *nx = malloc(sizeof *nx * w);
  assert_true(lx && nx);
  long bad = -1;
  for (size_t i = 0; i < n && bad < 0; i++) {
    const bb_t *loc = t + i * w, *nxt = t + ((i + 1) % n) * w;
    for (unsigned j = 0; j < w; j++) {
      lx[j] = ext_from_base(loc[j]);
      nx[j] = ext_from_base(nxt[j]);
    }
    bb_t first = i == 0 ? BB_ONE : 0, last = i == n - 1 ? BB_ONE : 0;
    bb_t trans = i == n - 1 ? 0 : BB_ONE;
    stark_eval_ext e = {lx, nx, NULL, ext_from_base(first), ext_from_base(last),
                        ext_from_base(trans), atu_rnd_ext(), ext_zero(), 0, -1};
    air->eval_ext(air, &e);
    assert_int_equal(e.count, air->num_constraints);
    if (e.first_nonzero >= 0 || !ext_is_zero(e.acc)) bad = (long)i;
  }
  free(lx);
  free(nx);
  return bad;
}

/* eval_base (powers of alpha) and eval_ext (Horner in alpha) fold the same
 * value, count every constraint and name the same first non-zero one, on the
 * frame (loc, nxt) with random selectors and alpha (drawn in this order: first,
 * last, transition, alpha). The frame must break some constraint. */
static inline void atu_frame_agree(const stark_air *air, const bb_t *loc, const bb_t *nxt) {
  unsigned w = air->width, m = air->num_constraints;
  ext_t *lx = malloc(sizeof *lx * w), *nx = malloc(sizeof *nx * w);
  ext_t *pows = malloc(sizeof *pows * m);
  assert_true(lx && nx && pows);
  bb_t sf = atu_rnd_bb(), sl = atu_rnd_bb(), st = atu_rnd_bb();
  ext_t alpha = atu_rnd_ext();
  pows[m - 1] = ext_one();
  for (unsigned i = m - 1; i-- > 0;) pows[i] = ext_mul(pows[i + 1], alpha);
  stark_eval_base eb = {loc, nxt, NULL, sf, sl, st, pows, ext_zero(), 0, m, -1};
  air->eval_base(air, &eb);
  for (unsigned j = 0; j < w; j++) {
    lx[j] = ext_from_base(loc[j]);
    nx[j] = ext_from_base(nxt[j]);
  }
  stark_eval_ext ee = {lx, nx, NULL, ext_from_base(sf), ext_from_base(sl), ext_from_base(st),
                       alpha, ext_zero(), 0, -1};
  air->eval_ext(air, &ee);
  assert_int_equal(eb.count, m);
  assert_int_equal(ee.count, m);
  assert_true(ext_eq(eb.acc, ee.acc));
  assert_int_equal(eb.first_nonzero, ee.first_nonzero);
  assert_true(eb.first_nonzero >= 0);
  free(lx);
  free(nx);
  free(pows);
}

/* Fills loc and nxt (air->width cells each) with a frame near an honest one
 * that breaks some constraint. */
typedef void (*atu_pick_frame)(bb_t *loc, bb_t *nxt, void *ctx);

/* The frames of an honest trace that atu_changed_frame picks from: rows
 * 0..rows-1 of t as the current row (the next one must exist). */
typedef struct {
  const bb_t *t;
  unsigned width;
  uint32_t rows;
} atu_frames;

/* An atu_pick_frame: a random honest frame of ctx (an atu_frames) with one
 * cell of the current row changed to a random value, so that some
 * constraints are non-zero. Draws the row, the column, then the value. */
static inline void atu_changed_frame(bb_t *loc, bb_t *nxt, void *ctx) {
  const atu_frames *f = ctx;
  size_t r = atu_rnd_below(f->rows);
  memcpy(loc, f->t + r * f->width, sizeof *loc * f->width);
  memcpy(nxt, f->t + (r + 1) * f->width, sizeof *nxt * f->width);
  loc[atu_rnd_below(f->width)] = atu_rnd_bb();
}

/* atu_frame_agree on `trials` frames: trials 0-3 are random (trial 1 with a
 * boolean current row, so that products of bits are exercised), the others
 * come from pick. */
static inline void atu_base_ext_agree(const stark_air *air, int trials, atu_pick_frame pick,
                                      void *ctx) {
  unsigned w = air->width;
  bb_t *loc = malloc(sizeof *loc * w), *nxt = malloc(sizeof *nxt * w);
  assert_true(loc && nxt);
  for (int trial = 0; trial < trials; trial++) {
    if (trial < 4) {
      for (unsigned j = 0; j < w; j++) {
        loc[j] = atu_rnd_bb();
        nxt[j] = atu_rnd_bb();
      }
      if (trial == 1)
        for (unsigned j = 0; j < w; j++) loc[j] = atu_rnd64() & 1 ? BB_ONE : 0;
    } else {
      pick(loc, nxt, ctx);
    }
    atu_frame_agree(air, loc, nxt);
  }
  free(loc);
  free(nxt);
}

/* A run of columns sampled for tampering. */
typedef struct {
  const char *name;
  unsigned off, len;
  int bits; /* 1: the honest value is a bit */
} atu_group;

/* Changed value of a cell: a bit flips (staying a bit, so the logic
 * constraints must catch it) when how is 0, other cells (and bits with how
 * 1 or 2) get +1 (how 1) or a random value other than v. */
static inline bb_t atu_tampered(const atu_group *g, bb_t v, int how) {
  if (g->bits && how == 0) return v ? 0 : BB_ONE;
  if (how == 1) return bb_add(v, BB_ONE);
  bb_t r;
  do r = atu_rnd_bb();
  while (r == v);
  return r;
}

/* Reduced-security parameters that keep test proofs fast: blowup 2^lb,
 * 8 queries, 2 bits of grinding, one thread. */
static inline stark_config atu_small_cfg(unsigned lb) {
  stark_config c = stark_config_default();
  c.fri.log_blowup = lb;
  c.fri.num_queries = 8;
  c.fri.pow_bits = 2;
  c.fri.log_final_len = 2;
  c.threads = 1;
  return c;
}

/* Proves the 2^log_n-row trace m with atu_small_cfg(1) (check_trace as
 * given) and verifies the proof: the first status that is not STARK_OK. */
static inline int atu_prove_verify(const stark_air *air, const bb_t *m, unsigned log_n, int check) {
  stark_config cfg = atu_small_cfg(1);
  cfg.check_trace = check;
  stark_proof proof;
  int rc = stark_prove(air, &cfg, m, log_n, NULL, &proof, NULL);
  if (rc != STARK_OK) return rc;
  rc = stark_verify(air, &cfg.fri, NULL, &proof);
  stark_proof_free(&proof);
  return rc;
}

/* Adds 1 to the cell (row, col) of the n-row trace m (n = 2^log_n): the
 * constraint check fails and the proof forced without the check does not
 * verify. The cell is restored afterwards. */
static inline void atu_cell_breaks_proof(const stark_air *air, bb_t *m, size_t n, unsigned log_n,
                                         size_t row, unsigned col) {
  bb_t *cell = &m[row * air->width + col], saved = *cell;
  *cell = bb_add(saved, BB_ONE);
  assert_int_equal(stark_air_check(air, m, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  if (atu_prove_verify(air, m, log_n, 0) == STARK_OK)
    fail_msg("cell (row %zu, column %u) changed and the proof still verifies", row, col);
  *cell = saved;
}

/* The honest trace t verifies with blowup 2 at default security, also after
 * a round trip through bytes, and with blowup 4 at reduced parameters. */
static inline void atu_prove_verify_honest(const stark_air *air, const bb_t *t, unsigned log_n) {
  stark_config cfg = stark_config_default();
  cfg.fri.log_blowup = 1;
  cfg.threads = 1;
  assert_int_equal(fri_params_check(&cfg.fri), 0);
  stark_proof pf;
  assert_int_equal(stark_prove(air, &cfg, t, log_n, NULL, &pf, NULL), STARK_OK);
  assert_int_equal(stark_verify(air, &cfg.fri, NULL, &pf), STARK_OK);
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(stark_proof_serialize(&pf, &buf, &len), STARK_OK);
  stark_proof pf2;
  assert_int_equal(stark_proof_deserialize(buf, len, &pf2), STARK_OK);
  assert_int_equal(stark_verify(air, &cfg.fri, NULL, &pf2), STARK_OK);
  stark_proof_free(&pf2);
  free(buf);
  stark_proof_free(&pf);

  stark_config c4 = atu_small_cfg(2);
  assert_int_equal(stark_prove(air, &c4, t, log_n, NULL, &pf, NULL), STARK_OK);
  assert_int_equal(stark_verify(air, &c4.fri, NULL, &pf), STARK_OK);
  stark_proof_free(&pf);
}

/* One changed cell per group (a random row, a random column of the group,
 * atu_tampered with how 1 on even groups and 0 on odd ones): the checking
 * prover refuses the trace, and the proof forced without the check does not
 * verify. t (2^log_n rows) is restored afterwards. */
static inline void atu_prove_tampered(const stark_air *air, bb_t *t, unsigned log_n,
                                      const atu_group *groups, size_t ngroups) {
  size_t n = (size_t)1 << log_n;
  unsigned w = air->width;
  for (size_t gi = 0; gi < ngroups; gi++) {
    const atu_group *g = &groups[gi];
    size_t r = atu_rnd_below((uint32_t)n);
    bb_t *cell = t + r * w + g->off + atu_rnd_below(g->len), old = *cell;
    *cell = atu_tampered(g, old, gi & 1 ? 0 : 1);
    stark_config cfg = atu_small_cfg(1);
    stark_proof pf;
    assert_int_equal(stark_prove(air, &cfg, t, log_n, NULL, &pf, NULL), STARK_ERR_CONSTRAINT);
    cfg.check_trace = 0;
    assert_int_equal(stark_prove(air, &cfg, t, log_n, NULL, &pf, NULL), STARK_OK);
    if (stark_verify(air, &cfg.fri, NULL, &pf) != STARK_ERR_VERIFY)
      fail_msg("tampered %s cell (row %zu) verified", g->name, r);
    stark_proof_free(&pf);
    *cell = old;
  }
}

#endif
