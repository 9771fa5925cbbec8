/* Keccak-f[1600] AIR: the generated trace computes the permutation (each
 * permutation's last row holds keccak_f1600 of its input), every row pair
 * satisfies the constraints (checked both through eval_ext directly and
 * through stark_air_check), the base and extension evaluations agree, a
 * change to one cell in any column group breaks a constraint, and the trace
 * proves and verifies with the STARK while a tampered one does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash/keccak.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/keccak_air.h"

#define W KECCAK_AIR_WIDTH

#define ATU_SEED 0x9e3779b97f4a7c15ull
#include "air_test_util.h"

static uint64_t (*rnd_inputs(size_t n))[25] {
  uint64_t (*in)[25] = malloc(sizeof *in * (n ? n : 1));
  assert_non_null(in);
  for (size_t k = 0; k < n; k++)
    for (int i = 0; i < 25; i++) in[k][i] = atu_rnd64();
  return in;
}

/* Lane (x, y) of the round output written on row `row`. */
static uint64_t out_lane(const bb_t *row, unsigned x, unsigned y) {
  uint64_t v = 0;
  for (unsigned k = 0; k < KECCAK_AIR_LIMBS; k++) {
    uint32_t limb = bb_to_u32(row[keccak_air_output_col(x, y, k)]);
    assert_true(limb < 0x10000u);
    v |= (uint64_t)limb << (16 * k);
  }
  return v;
}

static uint64_t limbs_lane(const bb_t *limbs) {
  uint64_t v = 0;
  for (unsigned k = 0; k < KECCAK_AIR_LIMBS; k++) {
    uint32_t limb = bb_to_u32(limbs[k]);
    assert_true(limb < 0x10000u);
    v |= (uint64_t)limb << (16 * k);
  }
  return v;
}

static void test_shape(void **state) {
  (void)state;
  const stark_air *air = keccak_air();
  assert_int_equal(keccak_air_width(), 2633);
  assert_int_equal(air->width, 2633);
  assert_int_equal(air->num_constraints, 3182);
  assert_int_equal(air->max_degree, 3);
  assert_int_equal(air->num_public, 0);
  assert_non_null(air->eval_ext);
  assert_non_null(air->eval_base);
  assert_int_equal(stark_air_quotient_chunks(air), 2);
  assert_int_equal(keccak_air_rows(0), 2);
  assert_int_equal(keccak_air_rows(1), 32);
  assert_int_equal(keccak_air_rows(3), 128);
  assert_int_equal(keccak_air_rows(5), 128);
  assert_int_equal(keccak_air_rows(6), 256);
  assert_int_equal(keccak_air_rows(((size_t)1 << STARK_MAX_LOG_ROWS) / 24 + 1), 0);
  /* the output columns are distinct and lie in the APP / APPP00 groups */
  for (unsigned i = 0; i < 100; i++)
    for (unsigned j = i + 1; j < 100; j++)
      assert_int_not_equal(keccak_air_output_col(i / 4 % 5, i / 20, i % 4),
                           keccak_air_output_col(j / 4 % 5, j / 20, j % 4));
}

/* The trace computes keccak_f1600: outputs, flags, preimage, export, padding. */
static void test_trace_computes_permutation(void **state) {
  (void)state;
  const size_t counts[] = {0, 1, 3, 5, 6};
  for (size_t ci = 0; ci < sizeof counts / sizeof *counts; ci++) {
    size_t np = counts[ci];
    uint64_t (*in)[25] = rnd_inputs(np);
    bb_t *t = NULL;
    unsigned log_n = 0;
    assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, np, &t, &log_n), 0);
    size_t n = (size_t)1 << log_n;
    assert_int_equal(n, keccak_air_rows(np));
    for (size_t k = 0; k < np; k++) {
      uint64_t expect[25];
      memcpy(expect, in[k], sizeof expect);
      keccak_f1600(expect);
      const bb_t *first = t + (24 * k) * W, *last = t + (24 * k + 23) * W;
      for (unsigned i = 0; i < 25; i++) {
        assert_true(out_lane(last, i % 5, i / 5) == expect[i]);
        assert_true(limbs_lane(first + KECCAK_AIR_A + 4 * i) == in[k][i]);
        assert_true(limbs_lane(last + KECCAK_AIR_PREIMAGE + 4 * i) == in[k][i]);
      }
    }
    /* padding permutations are of the zero state: a full one ends in f(0) */
    uint64_t f0[25] = {0};
    keccak_f1600(f0);
    for (size_t k = np; 24 * k + 23 < n; k++)
      for (unsigned i = 0; i < 25; i++)
        assert_true(out_lane(t + (24 * k + 23) * W, i % 5, i / 5) == f0[i]);
    for (size_t r = 0; r < n; r++) {
      const bb_t *row = t + r * W;
      for (unsigned j = 0; j < 24; j++)
        assert_int_equal(row[KECCAK_AIR_FLAGS + j], j == r % 24 ? BB_ONE : 0);
      int real_last = r % 24 == 23 && r / 24 < np;
      assert_int_equal(row[KECCAK_AIR_EXPORT], real_last ? BB_ONE : 0);
      if (r / 24 >= np)
        for (unsigned j = 0; j < 100; j++) assert_int_equal(row[KECCAK_AIR_PREIMAGE + j], 0);
    }
    assert_int_equal(stark_air_check(keccak_air(), t, n, NULL, NULL, NULL), 0);
    free(t);
    free(in);
  }
}

/* The constraints evaluated through eval_ext alone hold on every row pair. */
static void test_constraints_hold_ext(void **state) {
  (void)state;
  uint64_t (*in)[25] = rnd_inputs(2);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 2, &t, &log_n), 0);
  assert_int_equal(atu_check_ext(keccak_air(), t, (size_t)1 << log_n), -1);
  free(t);
  free(in);
}

/* eval_base and eval_ext fold the same constraints: equal accumulators on
 * random rows (arbitrary field values) and on trace rows with random
 * selectors. */
static void test_base_ext_agree(void **state) {
  (void)state;
  uint64_t (*in)[25] = rnd_inputs(1);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 1, &t, &log_n), 0);
  atu_frames f = {t, W, 31};
  atu_base_ext_agree(keccak_air(), 8, atu_changed_frame, &f);
  free(t);
  free(in);
}

/* Column groups, for sampling cells to tamper with. */
static const atu_group groups[] = {
    {"flags", KECCAK_AIR_FLAGS, 24, 1},
    {"preimage", KECCAK_AIR_PREIMAGE, 100, 0},
    {"a", KECCAK_AIR_A, 100, 0},
    {"c", KECCAK_AIR_C, 320, 1},
    {"c'", KECCAK_AIR_CP, 320, 1},
    {"a'", KECCAK_AIR_AP, 1600, 1},
    {"a''", KECCAK_AIR_APP, 100, 0},
    {"a''00 bits", KECCAK_AIR_APP00_BITS, 64, 1},
    {"a'''00", KECCAK_AIR_APPP00, 4, 0},
};
#define NGROUPS (sizeof groups / sizeof *groups)

/* One changed cell anywhere (any group, any row, including padding rows and
 * the first and last rows) breaks a constraint. */
static void test_tamper_any_cell(void **state) {
  (void)state;
  const stark_air *air = keccak_air();
  uint64_t (*in)[25] = rnd_inputs(2); /* 64 rows: 48 real, a cut-short padding permutation */
  bb_t *t;
  unsigned log_n;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 2, &t, &log_n), 0);
  size_t n = (size_t)1 << log_n;
  const size_t fixed_rows[] = {0, 1, 22, 23, 24, 47, 48, 62, 63};
  int checked = 0;
  for (size_t gi = 0; gi < NGROUPS; gi++) {
    const atu_group *g = &groups[gi];
    for (int s = 0; s < 24; s++) {
      size_t r = s < 9 ? fixed_rows[s] : atu_rnd_below((uint32_t)n);
      unsigned col = g->off + (s < 2 ? (s == 0 ? 0 : g->len - 1) : atu_rnd_below(g->len));
      bb_t *cell = t + r * W + col, old = *cell;
      for (int how = 0; how < 3; how++) {
        *cell = atu_tampered(g, old, how);
        size_t bad_row = 0;
        int bad_c = -1;
        int rc = stark_air_check(air, t, n, NULL, &bad_row, &bad_c);
        if (rc != STARK_ERR_CONSTRAINT)
          fail_msg("group %s row %zu col %u (how %d) not caught", g->name, r, col, how);
        checked++;
      }
      *cell = old;
    }
  }
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  /* a few through eval_ext alone */
  for (size_t gi = 0; gi < NGROUPS; gi++) {
    size_t r = atu_rnd_below((uint32_t)n);
    bb_t *cell = t + r * W + groups[gi].off + atu_rnd_below(groups[gi].len), old = *cell;
    *cell = atu_tampered(&groups[gi], old, 0);
    assert_true(atu_check_ext(keccak_air(), t, n) >= 0);
    *cell = old;
  }
  assert_true(checked == (int)NGROUPS * 24 * 3);
  free(t);
  free(in);
}

/* EXPORT: a bit, forced to 0 off the last round; free on last-round rows (a
 * consumer of the outputs decides which rows it reads). */
static void test_export_flag(void **state) {
  (void)state;
  const stark_air *air = keccak_air();
  uint64_t (*in)[25] = rnd_inputs(1);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 1, &t, &log_n), 0);
  size_t n = (size_t)1 << log_n;
  bb_t *ex = t + 23 * W + KECCAK_AIR_EXPORT;
  assert_int_equal(*ex, BB_ONE);
  *ex = 0;
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  *ex = bb_from_u32(2);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  *ex = BB_ONE;
  for (size_t r = 0; r < n; r++) {
    if (r == 23) continue;
    t[r * W + KECCAK_AIR_EXPORT] = BB_ONE;
    assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
    t[r * W + KECCAK_AIR_EXPORT] = 0;
  }
  free(t);
  free(in);
}

/* The permutation boundary: after a round-23 row any new permutation may
 * start (its preimage is free, its A must equal it), but a change of state
 * inside a permutation, or a trace that does not start at round 0, fails. */
static void test_boundaries(void **state) {
  (void)state;
  const stark_air *air = keccak_air();
  uint64_t (*in)[25] = rnd_inputs(2), (*other)[25] = rnd_inputs(2);
  bb_t *t, *u;
  unsigned log_n, lg_u;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 2, &t, &log_n), 0);
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])other, 2, &u, &lg_u), 0);
  size_t n = (size_t)1 << log_n;
  /* (in[0], other[0]) spliced from the two traces is a valid trace */
  memcpy(t + 24 * W, u, sizeof *t * W * 24);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  /* switching to another permutation in the middle (after round 11) is not */
  memcpy(t + 36 * W, u + 36 * W, sizeof *t * W * 12);
  size_t bad_row = 0;
  assert_int_equal(stark_air_check(air, t, n, NULL, &bad_row, NULL), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 35);
  /* the same with the preimage columns kept, so only the round chaining
   * (next A = this round's output) can catch it */
  memcpy(t + 24 * W, u, sizeof *t * W * 24);
  for (size_t r = 36; r < 48; r++) {
    memcpy(t + r * W, u + r * W, sizeof *t * W);
    memcpy(t + r * W + KECCAK_AIR_PREIMAGE, u + KECCAK_AIR_PREIMAGE, sizeof *t * 100);
  }
  assert_int_equal(stark_air_check(air, t, n, NULL, &bad_row, NULL), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 35);
  /* a permutation whose claimed preimage (on all its rows) is not its A */
  memcpy(t + 24 * W, u, sizeof *t * W * 24);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  for (size_t r = 24; r < 48; r++) {
    bb_t *cell = t + r * W + KECCAK_AIR_PREIMAGE + 17;
    *cell = bb_add(*cell, BB_ONE);
  }
  assert_int_equal(stark_air_check(air, t, n, NULL, &bad_row, NULL), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 24);
  /* a second hot flag that rotates along with the first one is refused by
   * row 0's flag constraints (constraint 12: flag 12 is zero on row 0) */
  memcpy(t + 24 * W, u, sizeof *t * W * 24);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  for (size_t r = 0; r < n; r++) t[r * W + KECCAK_AIR_FLAGS + (r + 12) % 24] = BB_ONE;
  int bad_c = -1;
  assert_int_equal(stark_air_check(air, t, n, NULL, &bad_row, &bad_c), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 0);
  assert_int_equal(bad_c, 12);
  /* rows shifted by one (row 0 computes round 1) fail on the first row */
  assert_int_equal(stark_air_check(air, u + W, 32, NULL, &bad_row, NULL), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 0);
  free(t);
  free(u);
  free(in);
  free(other);
}

/* First index of each constraint group, in the order keccak_air.h lists. */
enum {
  CI_FLAGS = 0,
  CI_ROUND0 = CI_FLAGS + 48,
  CI_CARRY_PRE = CI_ROUND0 + 100,
  CI_EXPORT = CI_CARRY_PRE + 100,
  CI_C_BOOL = CI_EXPORT + 2,
  CI_CP = CI_C_BOOL + 320,
  CI_AP_BOOL = CI_CP + 320,
  CI_A_LIMBS = CI_AP_BOOL + 1600,
  CI_PARITY = CI_A_LIMBS + 100,
  CI_CHI = CI_PARITY + 320,
  CI_IOTA_BOOL = CI_CHI + 100,
  CI_APP00 = CI_IOTA_BOOL + 64,
  CI_APPP00 = CI_APP00 + 4,
  CI_CHAIN = CI_APPP00 + 4,
  CI_END = CI_CHAIN + 100
};

static int first_bad(const bb_t *t, size_t n, size_t *row) {
  int c = -1;
  size_t r = 0;
  int rc = stark_air_check(keccak_air(), t, n, NULL, &r, &c);
  if (rc == 0) return -1;
  assert_int_equal(rc, STARK_ERR_CONSTRAINT);
  if (row) *row = r;
  return c;
}

static int bit_at(const bb_t *row, unsigned col) { return row[col] == BB_ONE; }
static bb_t bit_val(int b) { return b ? BB_ONE : 0; }
/* D[x, z] = C ^ C' as the row holds them */
static int d_bit(const bb_t *row, unsigned x, unsigned z) {
  return bit_at(row, KECCAK_AIR_C + 64 * x + z) ^ bit_at(row, KECCAK_AIR_CP + 64 * x + z);
}

/* Edits of several cells of one row that keep every linear recomposition
 * (limbs) intact, so that only the constraint group under test can see them:
 * the first failing constraint must be the one that group declares. */
static void test_targeted_forgeries(void **state) {
  (void)state;
  assert_int_equal(CI_END, 3182);
  uint64_t (*in)[25] = rnd_inputs(1);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 1, &t, &log_n), 0);
  size_t n = (size_t)1 << log_n, bad_row = 0;
  bb_t *save = malloc(sizeof *save * W);
  assert_non_null(save);
  const size_t r = 5;
  bb_t *row = t + r * W;
  memcpy(save, row, sizeof *save * W);

  /* parity: flip C[x0][z0], recompute the C' bits it feeds and the A' bits
   * whose D changed; A's limbs, C' and A' booleanity still hold, only the
   * column parity at (x0, z0) breaks. */
  for (int trial = 0; trial < 4; trial++) {
    unsigned x0 = atu_rnd_below(5), z0 = atu_rnd_below(64);
    int c[5][64], cp[5][64];
    for (unsigned x = 0; x < 5; x++)
      for (unsigned z = 0; z < 64; z++) c[x][z] = bit_at(row, KECCAK_AIR_C + 64 * x + z);
    c[x0][z0] ^= 1;
    for (unsigned x = 0; x < 5; x++)
      for (unsigned z = 0; z < 64; z++)
        cp[x][z] = c[x][z] ^ c[(x + 4) % 5][z] ^ c[(x + 1) % 5][(z + 63) % 64];
    for (unsigned x = 0; x < 5; x++)
      for (unsigned z = 0; z < 64; z++) {
        int d_old = d_bit(row, x, z);
        int d_new = c[x][z] ^ cp[x][z];
        row[KECCAK_AIR_C + 64 * x + z] = bit_val(c[x][z]);
        row[KECCAK_AIR_CP + 64 * x + z] = bit_val(cp[x][z]);
        if (d_old != d_new)
          for (unsigned y = 0; y < 5; y++) {
            unsigned col = KECCAK_AIR_AP + 64 * (x + 5 * y) + z;
            row[col] = bit_val(!bit_at(row, col));
          }
      }
    assert_int_equal(first_bad(t, n, &bad_row), CI_PARITY + 64 * x0 + z0);
    assert_int_equal(bad_row, r);
    memcpy(row, save, sizeof *save * W);
  }

  /* A' booleanity: where D is 0 at z and z+1 (same limb) and A' is 0, 1
   * there, writing 2, 0 keeps A's limb. */
  int done = 0;
  for (unsigned lane = 0; lane < 25 && !done; lane++)
    for (unsigned z = 0; z + 1 < 64 && !done; z++) {
      if (z % 16 == 15) continue;
      unsigned x = lane % 5, a = KECCAK_AIR_AP + 64 * lane + z;
      int d0 = d_bit(row, x, z), d1 = d_bit(row, x, z + 1);
      if (d0 || d1 || bit_at(row, a) || !bit_at(row, a + 1)) continue;
      row[a] = bb_from_u32(2);
      row[a + 1] = 0;
      assert_int_equal(first_bad(t, n, &bad_row), CI_AP_BOOL + 64 * lane + z);
      assert_int_equal(bad_row, r);
      memcpy(row, save, sizeof *save * W);
      done = 1;
    }
  assert_true(done);

  /* A''[0,0] bits booleanity: bits 4, 5 carry no round constant in any round;
   * where they are 0, 1 writing 2, 0 keeps both recompositions. */
  done = 0;
  for (size_t rr = 0; rr < 24 && !done; rr++) {
    bb_t *q = t + rr * W;
    for (unsigned z = 4; z <= 4 && !done; z++) {
      unsigned col = KECCAK_AIR_APP00_BITS + z;
      if (bit_at(q, col) || !bit_at(q, col + 1)) continue;
      bb_t s0 = q[col], s1 = q[col + 1];
      q[col] = bb_from_u32(2);
      q[col + 1] = 0;
      assert_int_equal(first_bad(t, n, &bad_row), CI_IOTA_BOOL + z);
      assert_int_equal(bad_row, rr);
      q[col] = s0;
      q[col + 1] = s1;
      done = 1;
    }
  }
  assert_true(done);

  /* C booleanity: a C bit of 2 is seen first by its own constraint */
  row[KECCAK_AIR_C + 64 * 3 + 9] = bb_from_u32(2);
  assert_int_equal(first_bad(t, n, &bad_row), CI_C_BOOL + 64 * 3 + 9);
  memcpy(row, save, sizeof *save * W);

  /* chi and the limb groups: one changed limb is seen by its own constraint */
  row[KECCAK_AIR_APP + 4 * 7 + 2] = bb_add(row[KECCAK_AIR_APP + 4 * 7 + 2], BB_ONE);
  assert_int_equal(first_bad(t, n, &bad_row), CI_CHI + 4 * 7 + 2);
  memcpy(row, save, sizeof *save * W);
  row[KECCAK_AIR_APPP00 + 1] = bb_add(row[KECCAK_AIR_APPP00 + 1], BB_ONE);
  assert_int_equal(first_bad(t, n, &bad_row), CI_APPP00 + 1);
  assert_int_equal(bad_row, r);
  memcpy(row, save, sizeof *save * W);

  assert_int_equal(first_bad(t, n, NULL), -1);
  free(save);
  free(t);
  free(in);
}

/* Proving a few permutations: verifies with blowup 2 (default security) and
 * blowup 4 (reduced parameters). */
static void test_prove_verify(void **state) {
  (void)state;
  uint64_t (*in)[25] = rnd_inputs(4);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 4, &t, &log_n), 0);
  assert_int_equal(log_n, 7);
  atu_prove_verify_honest(keccak_air(), t, log_n);
  free(t);
  free(in);
}

/* One changed cell per column group: the checking prover refuses it, and the
 * proof forced without the check does not verify. */
static void test_prove_tampered(void **state) {
  (void)state;
  uint64_t (*in)[25] = rnd_inputs(1);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(keccak_air_trace((const uint64_t (*)[25])in, 1, &t, &log_n), 0);
  atu_prove_tampered(keccak_air(), t, log_n, groups, NGROUPS);
  free(t);
  free(in);
}

static void test_args(void **state) {
  (void)state;
  bb_t *t = (bb_t *)(uintptr_t)1;
  unsigned lg = 0;
  assert_int_equal(keccak_air_trace(NULL, 1, &t, &lg), STARK_ERR_ARG);
  assert_null(t);
  assert_int_equal(keccak_air_trace(NULL, 0, NULL, &lg), STARK_ERR_ARG);
  assert_int_equal(keccak_air_trace(NULL, 0, &t, NULL), STARK_ERR_ARG);
  size_t too_many = (size_t)1 << STARK_MAX_LOG_ROWS;
  assert_int_equal(keccak_air_trace(NULL, too_many, &t, &lg), STARK_ERR_ARG);
  assert_int_equal(keccak_air_trace(NULL, 0, &t, &lg), 0);
  assert_int_equal(lg, 1);
  assert_int_equal(stark_air_check(keccak_air(), t, 2, NULL, NULL, NULL), 0);
  uint64_t in[2][25] = {{0}};
  const uint64_t (*cin)[25] = (const uint64_t (*)[25])in;
  assert_int_equal(keccak_air_fill(cin, 2, t, 2), STARK_ERR_ARG); /* too few rows */
  assert_int_equal(keccak_air_fill(cin, 0, t, 3), STARK_ERR_ARG); /* not a power of 2 */
  assert_int_equal(keccak_air_fill(cin, 0, NULL, 2), STARK_ERR_ARG);
  assert_int_equal(keccak_air_fill(NULL, 1, t, 2), STARK_ERR_ARG);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shape),
      cmocka_unit_test(test_trace_computes_permutation),
      cmocka_unit_test(test_constraints_hold_ext),
      cmocka_unit_test(test_base_ext_agree),
      cmocka_unit_test(test_tamper_any_cell),
      cmocka_unit_test(test_export_flag),
      cmocka_unit_test(test_boundaries),
      cmocka_unit_test(test_targeted_forgeries),
      cmocka_unit_test(test_prove_verify),
      cmocka_unit_test(test_prove_tampered),
      cmocka_unit_test(test_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
