/* The CUDA backend's quotient kernels of the two wide AIRs, Keccak-f[1600]
 * (trace/keccak_air.h, 2633 columns, 3182 constraints) and the 256-bit
 * arithmetic (trace/arith_air.h, 2528 columns, 3310 constraints), whose
 * constraint bodies (trace/keccak_air_body.inc, trace/arith_air_body.inc)
 * the kernel shares with the host:
 *   - binding: both AIRs have a kernel, distinct from each other and from
 *     the other AIRs'; a shape that differs in width or constraint count has
 *     none;
 *   - the device's quotient evaluations equal a direct host computation
 *     (quot_ref.h, from eval_ext) word for word, on random (not satisfying)
 *     traces, log_n 1..3, blowup 2 and 4, every qc the blowup allows, and on
 *     real tables (keccak_air_trace of two permutations, 64 rows;
 *     arith_air_trace of eight instructions covering every multi-row kind
 *     group, 32 rows), valid and with one cell tampered;
 *   - whole proofs of those real tables: the CUDA backend evaluated the
 *     constraints on the device (quotient_device), its proof bytes equal the
 *     CPU backend's and verify, at blowup 2 and 4; a tampered table (check_trace
 *     off) gives identical bytes on both backends and fails verification.
 * Each check runs on the CPU emulation of the kernels and, when a device is
 * present, on the GPU (skipped with the reason otherwise). Sizes stay small:
 * the emulation runs the kernel one point at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cuda/cu.h"
#include "evm/gas.h"
#include "fri/fri.h"
#include "hash/keccak.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/arith_air.h"
#include "trace/keccak_air.h"

#include "quot_ref.h"

enum { MODE_EMU = 0, MODE_GPU = 1 };
static int mode_emu = MODE_EMU, mode_gpu = MODE_GPU;

static uint64_t rng_state = 0x510e527fade682d1ull;
static uint64_t rng(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static ext_t rand_ext(void) {
  return ext_from_u32((uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng());
}

static int use_mode(void **state) {
  int mode = *(int *)*state;
  if (mode == MODE_EMU) {
    cu_set_emulation(1);
    return 1;
  }
  cu_set_emulation(0);
  char why[256];
  if (!cu_available(why, sizeof why)) {
    print_message("[  SKIP    ] GPU check skipped: %s\n", why);
    return 0;
  }
  return 1;
}

static int kernel_of(const stark_air *a) {
  return cu_air_kernel(a->name, a->width, a->num_public, a->num_constraints);
}

static void t_bind(void **state) {
  (void)state;
  const stark_air *k = keccak_air(), *a = arith_air();
  assert_int_equal(k->width, 2633);
  assert_int_equal(k->num_constraints, 3182);
  assert_int_equal(a->width, 2528);
  assert_int_equal(a->num_constraints, 3310);
  int kk = kernel_of(k), ka = kernel_of(a);
  assert_true(kk > 0);
  assert_true(ka > 0);
  assert_int_not_equal(kk, ka);
  const stark_air *others[] = {&stark_air_fib, &stark_air_add256};
  for (size_t i = 0; i < 2; i++) {
    int ko = kernel_of(others[i]);
    assert_true(ko > 0);
    assert_int_not_equal(ko, kk);
    assert_int_not_equal(ko, ka);
  }
  const stark_air *wide[] = {k, a};
  for (size_t i = 0; i < 2; i++) {
    const stark_air *w = wide[i];
    assert_int_equal(cu_air_kernel(w->name, w->width - 1, w->num_public, w->num_constraints), 0);
    assert_int_equal(cu_air_kernel(w->name, w->width, w->num_public + 1, w->num_constraints), 0);
    assert_int_equal(cu_air_kernel(w->name, w->width, w->num_public, w->num_constraints + 1), 0);
  }
  /* each name with the other's shape */
  assert_int_equal(cu_air_kernel(k->name, a->width, 0, a->num_constraints), 0);
  assert_int_equal(cu_air_kernel(a->name, k->width, 0, k->num_constraints), 0);
}

static bb_t *rand_trace(size_t cells) {
  bb_t *t = malloc(cells * sizeof *t);
  assert_non_null(t);
  for (size_t i = 0; i < cells; i++) t[i] = bb_from_u32((uint32_t)rng());
  return t;
}

static void t_quot_random(void **state) {
  if (!use_mode(state)) return;
  const stark_air *airs[] = {keccak_air(), arith_air()};
  size_t checked = 0;
  for (size_t a = 0; a < 2; a++) {
    assert_int_equal(stark_air_quotient_chunks(airs[a]), 2);
    for (unsigned lb = 1; lb <= 2; lb++)
      for (unsigned log_n = 1; log_n <= 3; log_n++)
        for (unsigned qc = 1; qc <= (1u << lb); qc <<= 1) {
          bb_t *t = rand_trace(((size_t)1 << log_n) * airs[a]->width);
          free(quot_check(airs[a], t, log_n, lb, qc, NULL, rand_ext()));
          free(t);
          checked++;
        }
  }
  assert_int_equal(checked, 2 * 3 * (2 + 3));
}

/* Two permutations: the padded block of Keccak-256("abc") (its sponge state
 * after absorbing; the permutation's first lane starts the digest) and that
 * permutation's output, so the rows hold the states a real hash goes
 * through. The second permutation's output row is checked against
 * keccak_f1600. 64 rows. */
static bb_t *keccak_table(unsigned *log_n) {
  uint64_t in[2][25];
  memset(in, 0, sizeof in);
  in[0][0] = 0x0000000001636261ull; /* "abc", then the domain byte 0x01 */
  in[0][16] = 0x8000000000000000ull; /* the final bit of the rate (byte 135) */
  memcpy(in[1], in[0], sizeof in[1]);
  keccak_f1600(in[1]);
  uint8_t digest[32];
  keccak256("abc", 3, digest);
  for (int i = 0; i < 8; i++) assert_int_equal(digest[i], (uint8_t)(in[1][0] >> (8 * i)));
  bb_t *t;
  assert_int_equal(keccak_air_trace((const uint64_t(*)[25])in, 2, &t, log_n), 0);
  assert_int_equal(*log_n, 6);
  uint64_t want[25];
  memcpy(want, in[1], sizeof want);
  keccak_f1600(want);
  const bb_t *row = t + (size_t)(2 * KECCAK_AIR_ROWS_PER_PERM - 1) * KECCAK_AIR_WIDTH;
  for (unsigned lane = 0; lane < 25; lane++) {
    uint64_t v = 0;
    for (unsigned k = 0; k < KECCAK_AIR_LIMBS; k++)
      v |= (uint64_t)bb_to_u32(row[keccak_air_output_col(lane % 5, lane / 5, k)]) << (16 * k);
    assert_true(v == want[lane]);
  }
  size_t n = (size_t)1 << *log_n;
  assert_int_equal(stark_air_check(keccak_air(), t, n, NULL, NULL, NULL), STARK_OK);
  return t;
}

static void set_word(uint8_t w[32], uint64_t hi, uint64_t lo) {
  memset(w, 0, 32);
  for (int i = 0; i < 8; i++) {
    w[31 - i] = (uint8_t)(lo >> (8 * i));
    w[23 - i] = (uint8_t)(hi >> (8 * i));
  }
}

/* Eight instructions, one of each row-count group: ADD, LT (1 row), MUL with
 * a carry into the high word, SDIV of a negative dividend (5 rows), ADDMOD
 * (4 rows), EXP 3^5 (4 rows), SAR of a negative value (2 rows), AND. 19 rows,
 * padded to 32. */
static bb_t *arith_table(unsigned *log_n) {
  arith_air_op ops[8];
  memset(ops, 0, sizeof ops);
  ops[0].opcode = EVM_OP_ADD;
  set_word(ops[0].a, 0xffffffffffffffffull, 0xfffffffffffffff0ull);
  set_word(ops[0].b, 0, 0x20);
  ops[1].opcode = EVM_OP_LT;
  set_word(ops[1].a, 0, 7);
  set_word(ops[1].b, 1, 0);
  ops[2].opcode = EVM_OP_MUL;
  set_word(ops[2].a, 0x0123456789abcdefull, 0xfedcba9876543210ull);
  set_word(ops[2].b, 0, 0xdeadbeefcafebabeull);
  memset(ops[2].a, 0xee, 8);
  ops[3].opcode = EVM_OP_SDIV;
  memset(ops[3].a, 0xff, 32);
  ops[3].a[31] = 0x00; /* -256 */
  set_word(ops[3].b, 0, 7);
  ops[4].opcode = EVM_OP_ADDMOD;
  memset(ops[4].a, 0xff, 32);
  memset(ops[4].b, 0xfe, 32);
  set_word(ops[4].c, 0x1000, 0x12345);
  ops[5].opcode = EVM_OP_EXP;
  set_word(ops[5].a, 0, 3);
  set_word(ops[5].b, 0, 5);
  ops[6].opcode = EVM_OP_SAR;
  set_word(ops[6].a, 0, 9);
  memset(ops[6].b, 0x80, 32);
  ops[7].opcode = EVM_OP_AND;
  set_word(ops[7].a, 0xf0f0f0f0f0f0f0f0ull, 0x0ff00ff00ff00ff0ull);
  set_word(ops[7].b, 0xffff0000ffff0000ull, 0x123456789abcdef0ull);
  size_t rows = 0;
  for (size_t i = 0; i < 8; i++) {
    assert_true(arith_air_supports(ops[i].opcode));
    rows += arith_air_rows_for(ops[i].opcode, ops[i].a, ops[i].b, ops[i].c);
  }
  assert_int_equal(rows, 19);
  bb_t *t;
  assert_int_equal(arith_air_trace(ops, 8, &t, log_n), 0);
  assert_int_equal(*log_n, 5);
  size_t n = (size_t)1 << *log_n;
  assert_int_equal(stark_air_check(arith_air(), t, n, NULL, NULL, NULL), STARK_OK);
  return t;
}

/* The tampered copy: row 3 breaks a boolean column (keccak: an A' bit; arith:
 * a bit of X) by setting it to 2. */
static void tamper(const stark_air *air, bb_t *t) {
  size_t col = air == keccak_air() ? KECCAK_AIR_AP + 5 : ARITH_AIR_X + 3;
  t[(size_t)3 * air->width + col] = bb_from_u32(2);
}

static bb_t *real_table(const stark_air *air, unsigned *log_n) {
  return air == keccak_air() ? keccak_table(log_n) : arith_table(log_n);
}

static void t_quot_real(void **state) {
  if (!use_mode(state)) return;
  const stark_air *airs[] = {keccak_air(), arith_air()};
  for (size_t a = 0; a < 2; a++) {
    unsigned log_n;
    bb_t *t = real_table(airs[a], &log_n);
    for (unsigned lb = 1; lb <= 2; lb++) {
      ext_t alpha = rand_ext();
      ext_t *good = quot_check(airs[a], t, log_n, lb, 2, NULL, alpha);
      bb_t *bad_t = malloc(((size_t)airs[a]->width << log_n) * sizeof *bad_t);
      assert_non_null(bad_t);
      memcpy(bad_t, t, ((size_t)airs[a]->width << log_n) * sizeof *bad_t);
      tamper(airs[a], bad_t);
      ext_t *bad = quot_check(airs[a], bad_t, log_n, lb, 2, NULL, alpha);
      size_t differ = 0;
      for (size_t j = 0; j < ((size_t)2 << log_n); j++) differ += !ext_eq(good[j], bad[j]);
      assert_true(differ > 0);
      free(good);
      free(bad);
      free(bad_t);
    }
    free(t);
  }
}

static stark_config test_cfg(unsigned log_blowup) {
  stark_config c = stark_config_default();
  c.fri = fri_params_for(log_blowup, 100);
  c.fri.pow_bits = 4; /* cheap grinding; the value is bound in the transcript */
  c.threads = 1;
  return c;
}

/* Prove on both backends: same bytes; the CUDA proof took the kernel and
 * verifies iff `valid`. */
static void prove_both(const stark_air *air, const bb_t *trace, unsigned log_n, stark_config cfg,
                       int valid) {
  stark_proof pc, pg;
  stark_timings tc, tg;
  cfg.check_trace = valid;
  cfg.backend = STARK_BACKEND_CPU;
  assert_int_equal(stark_prove(air, &cfg, trace, log_n, NULL, &pc, &tc), STARK_OK);
  assert_int_equal(tc.quotient_device, 0);
  cfg.backend = STARK_BACKEND_CUDA;
  int rc = stark_prove(air, &cfg, trace, log_n, NULL, &pg, &tg);
  if (rc != STARK_OK)
    fail_msg("%s 2^%u: cuda backend: stark code %d, device %s (%s)", air->name, log_n, rc,
             cu_strerror(tg.device_rc), cu_last_error_string());
  assert_int_equal(tg.quotient_device, 1);
  uint8_t *bc, *bg;
  size_t lc, lg;
  assert_int_equal(stark_proof_serialize(&pc, &bc, &lc), STARK_OK);
  assert_int_equal(stark_proof_serialize(&pg, &bg, &lg), STARK_OK);
  assert_int_equal(lc, lg);
  for (size_t i = 0; i < lc; i++)
    if (bc[i] != bg[i])
      fail_msg("%s 2^%u blowup %u: proofs differ at byte %zu of %zu", air->name, log_n,
               1u << cfg.fri.log_blowup, i, lc);
  assert_int_equal(stark_verify(air, &cfg.fri, NULL, &pc), valid ? STARK_OK : STARK_ERR_VERIFY);
  assert_int_equal(stark_verify(air, &cfg.fri, NULL, &pg), valid ? STARK_OK : STARK_ERR_VERIFY);
  print_message("  %s, 2^%u rows, blowup %u%s: %zu identical proof bytes\n", air->name, log_n,
                1u << cfg.fri.log_blowup, valid ? "" : " (tampered)", lc);
  free(bc);
  free(bg);
  stark_proof_free(&pc);
  stark_proof_free(&pg);
}

static void t_prove(void **state) {
  if (!use_mode(state)) return;
  const stark_air *airs[] = {keccak_air(), arith_air()};
  for (size_t a = 0; a < 2; a++) {
    unsigned log_n;
    bb_t *t = real_table(airs[a], &log_n);
    for (unsigned lb = 1; lb <= 2; lb++) prove_both(airs[a], t, log_n, test_cfg(lb), 1);
    tamper(airs[a], t);
    prove_both(airs[a], t, log_n, test_cfg(1), 0);
    free(t);
  }
}

int main(void) {
  char name[256];
  int dev = cu_available(name, sizeof name);
  print_message("cuda backend: %s%s\n", dev ? "device " : "", name);
#define T(name, f, st) {name, f, NULL, NULL, st}
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_bind),
      T("emu_quot_random", t_quot_random, &mode_emu),
      T("emu_quot_real", t_quot_real, &mode_emu),
      T("emu_prove", t_prove, &mode_emu),
      T("gpu_quot_random", t_quot_random, &mode_gpu),
      T("gpu_quot_real", t_quot_real, &mode_gpu),
      T("gpu_prove", t_prove, &mode_gpu),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cu_set_emulation(0);
  cu_release();
  return rc;
}
