/* The CUDA backend's quotient kernels of the wide AIRs, Keccak-f[1600]
 * (trace/keccak_air.h, 2633 columns, 3182 constraints), the 256-bit
 * arithmetic (trace/arith_air.h, 2533 columns, 3322 constraints), the
 * SHA-256 compression (trace/sha256_air.h, 631 columns, 1030 constraints),
 * BLAKE2F (trace/blake2f_air.h, 5816 columns, 7390 constraints), the
 * RIPEMD-160 compression (trace/ripemd160_air.h, 901 columns, 1365
 * constraints) and the BLS12-381 base-field product (trace/fp381_air.h,
 * 3378 columns, 3521 constraints), whose constraint bodies
 * (trace/keccak_air_body.inc, arith_air_body.inc, sha256_air_body.inc,
 * blake2f_air_body.inc, ripemd160_air_body.inc, fp381_air_body.inc) the
 * kernel shares with the host:
 *   - binding: each AIR has a kernel, distinct from each other and from
 *     the other AIRs'; a shape that differs in width or constraint count has
 *     none; the SHA-256 body's round constants equal hash/sha256.h's; the
 *     RIPEMD-160 body's step-function coefficients, as the kernel indexes
 *     them (RIPEMD160_F_INDEX), agree with hash/ripemd160.h's f on every
 *     line, round and bit triple;
 *   - the device's quotient evaluations equal a direct host computation
 *     (quot_ref.h, from eval_ext) word for word, on random (not satisfying)
 *     traces, log_n 1..3, blowup 2 and 4, every qc the blowup allows, and on
 *     real tables (keccak_air_trace of two permutations, 64 rows;
 *     arith_air_trace of eight instructions covering every multi-row kind
 *     group, 32 rows; sha256_air_trace of the two compressions of a
 *     two-block message, 128 rows; blake2f_air_trace of one 2-round call, 4
 *     rows, and of one 12-round call, the BLAKE2b-512 of "abc", 16 rows;
 *     ripemd160_air_trace of the one compression of "abc", 128 rows, and
 *     a shard of the generators' "ripemd160" scenario's table, three
 *     compressions of a 4 KiB precompile input, 256 rows; a shard of the
 *     "bls12_g1add" scenario's bls12 table, 8 products, 8 rows), valid and
 *     with one cell tampered;
 *   - whole proofs of those real tables: the CUDA backend evaluated the
 *     constraints on the device (quotient_device), its proof bytes equal the
 *     CPU backend's and verify, at blowup 2 and 4; a tampered table (check_trace
 *     off) gives identical bytes on both backends and fails verification.
 * Each check runs on the CPU emulation of the kernels and, when a device is
 * present, on the GPU (skipped with the reason otherwise). Sizes stay small:
 * the emulation runs the kernel one point at a time. The scenario's shard
 * needs the whole library (generator, executor, trace builder).
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
#include "evm/evm.h"
#include "evm/gas.h"
#include "fri/fri.h"
#include "gen.h"
#include "hash/keccak.h"
#include "hash/ripemd160.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/arith_air.h"
#include "trace/blake2f_air.h"
#include "trace/fp381_air.h"
#include "trace/keccak_air.h"
#include "trace/ripemd160_air.h"
#include "trace/sha256_air.h"
#include "trace/trace.h"
#include "hash/sha256.h"
#include "trace/sha256_air_body.inc" /* SHA256_AIR_K_INIT (no NAME: tables only) */
#include "trace/ripemd160_air_body.inc" /* RA_F_COEF_INIT (no NAME: tables only) */

#include "quot_ref.h"
#include "../trace/trace_test_util.h"

#define CU_TEST_SEED 0x510e527fade682d1ull
#include "cu_test_util.h"

static ext_t rand_ext(void) {
  return ext_from_u32((uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng());
}

static int kernel_of(const stark_air *a) {
  return cu_air_kernel(a->name, a->width, a->num_public, a->num_constraints);
}

#define NWIDE 6

static const stark_air *wide_air(size_t i) {
  switch (i) {
    case 0: return keccak_air();
    case 1: return arith_air();
    case 2: return sha256_air();
    case 3: return blake2f_air();
    case 4: return ripemd160_air();
    default: return fp381_air();
  }
}

static void t_bind(void **state) {
  (void)state;
  static const unsigned width[NWIDE] = {2633, 2533, 631, 5816, 901, 3378};
  static const unsigned m[NWIDE] = {3182, 3322, 1030, 7390, 1365, 3521};
  int kid[NWIDE];
  for (size_t i = 0; i < NWIDE; i++) {
    const stark_air *w = wide_air(i);
    assert_int_equal(w->width, width[i]);
    assert_int_equal(w->num_constraints, m[i]);
    kid[i] = kernel_of(w);
    assert_true(kid[i] > 0);
    for (size_t j = 0; j < i; j++) assert_int_not_equal(kid[i], kid[j]);
    assert_int_equal(cu_air_kernel(w->name, w->width - 1, w->num_public, w->num_constraints), 0);
    assert_int_equal(cu_air_kernel(w->name, w->width, w->num_public + 1, w->num_constraints), 0);
    assert_int_equal(cu_air_kernel(w->name, w->width, w->num_public, w->num_constraints + 1), 0);
    /* each name with the next one's shape */
    const stark_air *o = wide_air((i + 1) % NWIDE);
    assert_int_equal(cu_air_kernel(w->name, o->width, 0, o->num_constraints), 0);
  }
  const stark_air *others[] = {&stark_air_fib, &stark_air_add256};
  for (size_t i = 0; i < 2; i++) {
    int ko = kernel_of(others[i]);
    assert_true(ko > 0);
    for (size_t j = 0; j < NWIDE; j++) assert_int_not_equal(ko, kid[j]);
  }
  /* the kernel's copy of SHA-256's K (from the body's initialiser) is FIPS 180-4's */
  static const uint32_t body_k[SHA256_ROUNDS] = SHA256_AIR_K_INIT;
  assert_memory_equal(body_k, sha256_k, sizeof body_k);
  /* the kernel's copy of RIPEMD-160's f coefficients (1, x, y, z, xy, xz, yz,
   * xyz), at the index it reads for line L, round q, is f on {0,1}^3 */
  static const int coef[5][8] = RA_F_COEF_INIT;
  for (unsigned L = 0; L < 2; L++)
    for (unsigned q = 0; q < 5; q++)
      for (unsigned pt = 0; pt < 8; pt++) {
        int x = pt & 1, y = pt >> 1 & 1, z = pt >> 2 & 1;
        const int *c = coef[RIPEMD160_F_INDEX(L, q)];
        int v = c[0] + c[1] * x + c[2] * y + c[3] * z + c[4] * x * y + c[5] * x * z + c[6] * y * z +
                c[7] * x * y * z;
        uint32_t f = ripemd160_f(L, q, x ? ~0u : 0, y ? ~0u : 0, z ? ~0u : 0);
        assert_true(f == 0 || f == ~0u);
        assert_int_equal(v, (int)(f & 1));
      }
}

static bb_t *rand_trace(size_t cells) {
  bb_t *t = malloc(cells * sizeof *t);
  assert_non_null(t);
  for (size_t i = 0; i < cells; i++) t[i] = bb_from_u32((uint32_t)rng());
  return t;
}

static void t_quot_random(void **state) {
  if (!use_mode(state)) return;
  size_t checked = 0;
  for (size_t a = 0; a < NWIDE; a++) {
    const stark_air *air = wide_air(a);
    assert_int_equal(stark_air_quotient_chunks(air), 2);
    for (unsigned lb = 1; lb <= 2; lb++)
      for (unsigned log_n = 1; log_n <= 3; log_n++)
        for (unsigned qc = 1; qc <= (1u << lb); qc <<= 1) {
          bb_t *t = rand_trace(((size_t)1 << log_n) * air->width);
          free(quot_check(air, t, log_n, lb, qc, NULL, rand_ext()));
          free(t);
          checked++;
        }
  }
  assert_int_equal(checked, NWIDE * 3 * (2 + 3));
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

/* The two compressions of the 56-byte message of FIPS 180-4's two-block
 * example, "abcdbcdecdefdefg...nopq": its padded form is two blocks; the
 * second compression's output (on every row of rows 64..127) is the digest
 * 248d6a61 d20638b8 e5c02693 0c3e6039 a33ce459 64ff2167 f6ecedd4 19db06c1.
 * 128 rows. */
static bb_t *sha256_table(unsigned *log_n) {
  static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  static const uint32_t digest[8] = {0x248d6a61u, 0xd20638b8u, 0xe5c02693u, 0x0c3e6039u,
                                     0xa33ce459u, 0x64ff2167u, 0xf6ecedd4u, 0x19db06c1u};
  assert_int_equal(sizeof msg - 1, 56);
  uint8_t block[2][64];
  memset(block, 0, sizeof block);
  memcpy(block[0], msg, 56);
  block[0][56] = 0x80;
  block[1][62] = 0x01; /* length 448 bits = 0x1c0, big-endian in the last 8 bytes */
  block[1][63] = 0xc0;
  uint32_t cv[2][8];
  memcpy(cv[0], sha256_iv, sizeof cv[0]);
  memcpy(cv[1], cv[0], sizeof cv[1]);
  sha256_compress(cv[1], block[0]);
  bb_t *t;
  assert_int_equal(sha256_air_trace((const uint32_t(*)[8])cv, (const uint8_t(*)[64])block, 2, &t,
                                    log_n),
                   0);
  assert_int_equal(*log_n, 7);
  for (size_t r = SHA256_AIR_ROWS_PER_COMP; r < 2 * SHA256_AIR_ROWS_PER_COMP; r += 21) {
    const bb_t *row = t + r * SHA256_AIR_WIDTH;
    for (unsigned i = 0; i < 8; i++) {
      uint32_t v = bb_to_u32(row[sha256_air_output_col(i, 0)]) |
                   bb_to_u32(row[sha256_air_output_col(i, 1)]) << 16;
      assert_true(v == digest[i]);
    }
  }
  assert_int_equal(stark_air_check(sha256_air(), t, (size_t)1 << *log_n, NULL, NULL, NULL),
                   STARK_OK);
  return t;
}

/* One BLAKE2F call. rounds 12: the single compression of BLAKE2b-512("abc")
 * (RFC 7693, appendix A: h = IV with h[0] ^= 0x01010040, m[0] = "abc",
 * t = 3, f = 1); its final row's output is the digest ba80a53f 981c4d0d
 * 6a2797b6 9f12f6e9 ... (the words little-endian), 14 rows padded to 16.
 * rounds 2: the same inputs with 2 rounds, 4 rows (checked by the AIR's own
 * trace check only). */
static bb_t *blake2f_table(uint32_t rounds, unsigned *log_n) {
  static const uint64_t iv[8] = {0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull,
                                 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
                                 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
                                 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};
  static const uint64_t digest[8] = {0x0d4d1c983fa580baull, 0xe9f6129fb697276aull,
                                     0xb7c45a68142f214cull, 0xd1a2ffdb6fbb124bull,
                                     0x2d79ab2a39c5877dull, 0x95cc3345ded552c2ull,
                                     0x5a92f1dba88ad318ull, 0x239900d4ed8623b9ull};
  blake2f_air_call c;
  memset(&c, 0, sizeof c);
  c.rounds = rounds;
  memcpy(c.h, iv, sizeof c.h);
  c.h[0] ^= 0x01010040ull;
  c.m[0] = 0x636261ull;
  c.t[0] = 3;
  c.f = 1;
  bb_t *t;
  assert_int_equal(blake2f_air_trace(&c, 1, &t, log_n), 0);
  assert_int_equal(*log_n, rounds == 12 ? 4 : 2);
  if (rounds == 12) {
    const bb_t *row = t + blake2f_air_final_row(&c, 0) * BLAKE2F_AIR_WIDTH;
    for (unsigned i = 0; i < 8; i++) {
      uint64_t v = 0;
      for (unsigned k = 0; k < BLAKE2F_AIR_LIMBS; k++)
        v |= (uint64_t)bb_to_u32(row[blake2f_air_output_col(i, k)]) << (16 * k);
      assert_true(v == digest[i]);
    }
  }
  assert_int_equal(stark_air_check(blake2f_air(), t, (size_t)1 << *log_n, NULL, NULL, NULL),
                   STARK_OK);
  return t;
}

/* The one compression of RIPEMD-160("abc") from the IV (its padded block:
 * "abc", 0x80, the bit length 24 little-endian at byte 56); its step-79 row
 * outputs the digest 8eb208f7 e05d987a 9b044a8e 98c6b087 f15a0bfc (the
 * state words little-endian). 80 rows padded to 128. */
static bb_t *ripemd160_abc_table(unsigned *log_n) {
  static const uint8_t digest[RIPEMD160_DIGEST] = {0x8e, 0xb2, 0x08, 0xf7, 0xe0, 0x5d, 0x98,
                                                   0x7a, 0x9b, 0x04, 0x4a, 0x8e, 0x98, 0xc6,
                                                   0xb0, 0x87, 0xf1, 0x5a, 0x0b, 0xfc};
  uint8_t block[1][64];
  memset(block, 0, sizeof block);
  memcpy(block[0], "abc", 3);
  block[0][3] = 0x80;
  block[0][56] = 24;
  uint32_t cv[1][5];
  memcpy(cv[0], ripemd160_iv, sizeof cv[0]);
  bb_t *t;
  assert_int_equal(ripemd160_air_trace((const uint32_t(*)[5])cv, (const uint8_t(*)[64])block, 1,
                                       &t, log_n),
                   0);
  assert_int_equal(*log_n, 7);
  const bb_t *row = t + (size_t)(RIPEMD160_AIR_ROWS_PER_COMP - 1) * RIPEMD160_AIR_WIDTH;
  for (unsigned i = 0; i < 5; i++) {
    uint32_t v = bb_to_u32(row[ripemd160_air_output_col(i, 0)]) |
                 bb_to_u32(row[ripemd160_air_output_col(i, 1)]) << 16;
    for (unsigned b = 0; b < 4; b++) assert_int_equal((uint8_t)(v >> (8 * b)), digest[4 * i + b]);
  }
  assert_int_equal(stark_air_check(ripemd160_air(), t, (size_t)1 << *log_n, NULL, NULL, NULL),
                   STARK_OK);
  return t;
}

/* The second 2^8-row shard of the "ripemd160" scenario's table (100k gas,
 * STATICCALLs to 0x03 on 4 KiB inputs, proven with
 * TRACE_OPT_PROVE_PRECOMPILES): compressions 3, 4 and 5 of the first call,
 * whose step-79 rows output ripemd160_compress of the kept input state and
 * block; 240 rows padded to 256. */
static bb_t *ripemd160_shard(unsigned *log_n) {
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case("ripemd160", &gp, &b), GEN_OK);
  trace_collector c;
  trace_collect_block(&b, TRACE_OPT_PROVE_PRECOMPILES, &c);
  blk_free(&b);
  const trace_table *tab = &c.t[TRACE_RIPEMD160];
  assert_ptr_equal(tab->air, ripemd160_air());
  assert_true(tab->rmd_n >= 6);
  bb_t *t;
  assert_int_equal(trace_shard(tab, 8, 1, &t, log_n), TRACE_OK);
  assert_int_equal(*log_n, 8);
  for (size_t j = 0; j < 3; j++) {
    uint32_t st[5];
    memcpy(st, tab->rmd_state[3 + j], sizeof st);
    ripemd160_compress(st, tab->rmd_block[3 + j]);
    const bb_t *row = t + (80 * j + 79) * RIPEMD160_AIR_WIDTH;
    for (unsigned i = 0; i < 5; i++)
      assert_true((bb_to_u32(row[ripemd160_air_output_col(i, 0)]) |
                   bb_to_u32(row[ripemd160_air_output_col(i, 1)]) << 16) == st[i]);
  }
  trace_free(&c);
  assert_int_equal(stark_air_check(ripemd160_air(), t, (size_t)1 << *log_n, NULL, NULL, NULL),
                   STARK_OK);
  return t;
}

/* The second 2^3-row shard of the bls12 table of the "bls12_g1add" scenario
 * (100k gas, proven with TRACE_OPT_PROVE_PRECOMPILES): 8 products of the
 * first call, each row's a * b = q * p + r. */
static bb_t *bls12_shard(unsigned *log_n) {
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case("bls12_g1add", &gp, &b), GEN_OK);
  trace_collector c;
  trace_collect_block(&b, TRACE_OPT_PROVE_PRECOMPILES, &c);
  blk_free(&b);
  const trace_table *tab = &c.t[TRACE_BLS12];
  assert_ptr_equal(tab->air, fp381_air());
  assert_true(tab->rows >= 16);
  bb_t *t;
  assert_int_equal(trace_shard(tab, 3, 1, &t, log_n), TRACE_OK);
  assert_int_equal(*log_n, 3);
  for (size_t r = 0; r < 8; r++) assert_true(t[r * FP381_AIR_WIDTH + FP381_AIR_REAL] == BB_ONE);
  trace_free(&c);
  assert_int_equal(stark_air_check(fp381_air(), t, 8, NULL, NULL, NULL), STARK_OK);
  return t;
}

/* The real tables: keccak, arith, sha256, blake2f of 2 rounds, of 12,
 * ripemd160 of "abc", the ripemd160 scenario's shard, a bls12 shard. */
#define NTAB 8

static const stark_air *tab_air(size_t tab) {
  static const size_t air_of[NTAB] = {0, 1, 2, 3, 3, 4, 4, 5};
  return wide_air(air_of[tab]);
}

static bb_t *real_table(size_t tab, unsigned *log_n) {
  switch (tab) {
    case 0: return keccak_table(log_n);
    case 1: return arith_table(log_n);
    case 2: return sha256_table(log_n);
    case 3: return blake2f_table(2, log_n);
    case 4: return blake2f_table(12, log_n);
    case 5: return ripemd160_abc_table(log_n);
    case 6: return ripemd160_shard(log_n);
    default: return bls12_shard(log_n);
  }
}

/* The tampered copy: row 3 breaks a boolean column (keccak: an A' bit; arith:
 * a bit of X; sha256: a bit of the working variable a; blake2f: a bit of the
 * first G's A1; ripemd160: a bit of the right line's C; bls12: a bit of r)
 * by setting it to 2. */
static void tamper(size_t tab, bb_t *t) {
  static const size_t col[NTAB] = {KECCAK_AIR_AP + 5, ARITH_AIR_X + 3, SHA256_AIR_ST + 5,
                                   BLAKE2F_AIR_G + BLAKE2F_AIR_G_A1 + 5,
                                   BLAKE2F_AIR_G + BLAKE2F_AIR_G_A1 + 5,
                                   RIPEMD160_AIR_LINE(1) + RIPEMD160_AIR_L_ST + 77,
                                   RIPEMD160_AIR_LINE(1) + RIPEMD160_AIR_L_ST + 77, FP381_AIR_R + 9};
  t[(size_t)3 * tab_air(tab)->width + col[tab]] = bb_from_u32(2);
}

static void t_quot_real(void **state) {
  if (!use_mode(state)) return;
  for (size_t tab = 0; tab < NTAB; tab++) {
    const stark_air *air = tab_air(tab);
    unsigned log_n;
    bb_t *t = real_table(tab, &log_n);
    for (unsigned lb = 1; lb <= 2; lb++) {
      ext_t alpha = rand_ext();
      ext_t *good = quot_check(air, t, log_n, lb, 2, NULL, alpha);
      bb_t *bad_t = malloc(((size_t)air->width << log_n) * sizeof *bad_t);
      assert_non_null(bad_t);
      memcpy(bad_t, t, ((size_t)air->width << log_n) * sizeof *bad_t);
      tamper(tab, bad_t);
      ext_t *bad = quot_check(air, bad_t, log_n, lb, 2, NULL, alpha);
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
  for (size_t tab = 0; tab < NTAB; tab++) {
    const stark_air *air = tab_air(tab);
    unsigned log_n;
    bb_t *t = real_table(tab, &log_n);
    for (unsigned lb = 1; lb <= 2; lb++) prove_both(air, t, log_n, test_cfg(lb), 1);
    tamper(tab, t);
    prove_both(air, t, log_n, test_cfg(1), 0);
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
