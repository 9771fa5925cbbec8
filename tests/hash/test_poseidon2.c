/* Poseidon2 over BabyBear: published known answers (Plonky3 default
 * instances, HorizenLabs reference instance, tests/vectors/
 * poseidon2_babybear.txt), every round constant regenerated with the Grain
 * LFSR of the Poseidon2 paper, the internal diagonal checked against its
 * stated fractions, and every backend (scalar, AVX2, AVX-512 where the CPU has
 * them) checked against the reference permutation, sponge and compression. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "field/bb.h"
#include "hash/poseidon2.h"

/* ---- vectors file ---- */

static int load_vector(const char *name, uint32_t *out, size_t want) {
  const char *dir = getenv("PKB_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/vectors/poseidon2_babybear.txt", dir ? dir : ".");
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[4096];
  size_t nl = strlen(name);
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || strncmp(line, name, nl) != 0 || line[nl] != ':') continue;
    char *p = line + nl + 1;
    size_t n = 0;
    for (;;) {
      char *end;
      unsigned long v = strtoul(p, &end, 16);
      if (end == p) break;
      if (n < want) out[n] = (uint32_t)v;
      n++;
      p = end;
    }
    found = n == want ? 0 : -1;
    break;
  }
  fclose(f);
  return found;
}

static void load_state(const char *name, bb_t *st, size_t n) {
  uint32_t v[P2_MAX_WIDTH];
  assert_int_equal(load_vector(name, v, n), 0);
  /* Inputs are taken mod p, as Plonky3's BabyBear::new_array does (one
   * published input word exceeds p). */
  for (size_t i = 0; i < n; i++) st[i] = bb_from_u32(v[i]);
}

static void assert_state(const bb_t *got, const uint32_t *want, size_t n) {
  for (size_t i = 0; i < n; i++) assert_int_equal(bb_to_u32(got[i]), want[i]);
}

static const p2_backend all_backends[] = {P2_BACKEND_SCALAR, P2_BACKEND_AVX2, P2_BACKEND_AVX512};

/* Every path of the default instance gives the published output. */
static void check_kat(const p2_params *prm, const char *in_name, const char *out_name) {
  const unsigned w = prm->width;
  bb_t in[P2_MAX_WIDTH] = {0}, st[P2_MAX_WIDTH] = {0};
  uint32_t want[P2_MAX_WIDTH];
  load_state(in_name, in, w);
  assert_int_equal(load_vector(out_name, want, w), 0);

  memcpy(st, in, sizeof st);
  p2_permute_ref(prm, st);
  assert_state(st, want, w);

  for (size_t b = 0; b < sizeof all_backends / sizeof *all_backends; b++) {
    if (p2_set_backend(all_backends[b]) != 0) continue;
    memcpy(st, in, sizeof st);
    p2_permute(prm, st);
    assert_state(st, want, w);
    bb_t many[17 * P2_MAX_WIDTH];
    for (int k = 0; k < 17; k++) memcpy(many + k * w, in, w * sizeof(bb_t));
    p2_permute_many(prm, many, 17);
    for (int k = 0; k < 17; k++) assert_state(many + k * w, want, w);
  }
  p2_set_backend(P2_BACKEND_AUTO);
}

static void test_kat_plonky3_16(void **s) {
  (void)s;
  check_kat(p2_params_bb16(), "p3_16_in", "p3_16_out");
  bb_t st[16];
  uint32_t want[16];
  load_state("p3_16_in", st, 16);
  assert_int_equal(load_vector("p3_16_out", want, 16), 0);
  p2_permute16(st);
  assert_state(st, want, 16);
}

static void test_kat_plonky3_24(void **s) {
  (void)s;
  check_kat(p2_params_bb24(), "p3_24_in", "p3_24_out");
  bb_t st[24];
  uint32_t want[24];
  load_state("p3_24_in", st, 24);
  assert_int_equal(load_vector("p3_24_out", want, 24), 0);
  p2_permute24(st);
  assert_state(st, want, 24);
}

/* The HorizenLabs instance: same constants, its own diagonal and 4x4 block. */
static p2_params horizen24(void) {
  p2_params prm = *p2_params_bb24();
  uint32_t d[24];
  assert_int_equal(load_vector("hl_24_diag_m_1", d, 24), 0);
  prm.mds4 = P2_MDS4_HORIZEN;
  for (int i = 0; i < 24; i++) prm.diag[i] = bb_from_u32(d[i]);
  return prm;
}

static void test_kat_horizen_24(void **s) {
  (void)s;
  p2_params prm = horizen24();
  bb_t st[24];
  uint32_t want[24];
  assert_int_equal(load_vector("hl_24_out", want, 24), 0);
  for (int i = 0; i < 24; i++) st[i] = bb_from_u32((uint32_t)i);
  p2_permute_ref(&prm, st);
  assert_state(st, want, 24);
  for (int i = 0; i < 24; i++) st[i] = bb_from_u32((uint32_t)i);
  p2_permute(&prm, st);
  assert_state(st, want, 24);
}

/* ---- Grain LFSR (Poseidon paper, appendix; poseidon2_rust_params.sage) ---- */

typedef struct {
  uint8_t b[80];
} grain;

static uint8_t grain_step(grain *g) {
  uint8_t nb = g->b[62] ^ g->b[51] ^ g->b[38] ^ g->b[23] ^ g->b[13] ^ g->b[0];
  memmove(g->b, g->b + 1, 79);
  g->b[79] = nb;
  return nb;
}

static void grain_init(grain *g, unsigned t, unsigned rf, unsigned rp) {
  /* field = 1 (2 bits), sbox = 0 (4 bits), n = 31 (12), t (12), R_F (10),
   * R_P (10), then 30 ones; each field most significant bit first. */
  struct { unsigned v, bits; } fields[] = {{1, 2}, {0, 4}, {31, 12}, {t, 12}, {rf, 10}, {rp, 10}};
  int k = 0;
  for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
    for (int i = (int)fields[f].bits - 1; i >= 0; i--) g->b[k++] = (uint8_t)((fields[f].v >> i) & 1);
  while (k < 80) g->b[k++] = 1;
  for (int i = 0; i < 160; i++) grain_step(g);
}

/* Output bits in pairs: when the first is 1 the second is emitted. */
static uint8_t grain_bit(grain *g) {
  for (;;) {
    uint8_t a = grain_step(g);
    uint8_t b = grain_step(g);
    if (a) return b;
  }
}

static uint32_t grain_field(grain *g) {
  for (;;) {
    uint32_t v = 0;
    for (int i = 0; i < 31; i++) v = (v << 1) | grain_bit(g);
    if (v < BB_P) return v;
  }
}

static void check_grain(const p2_params *prm) {
  const unsigned t = prm->width;
  grain g;
  grain_init(&g, t, P2_ROUNDS_F, prm->rounds_p);
  for (unsigned r = 0; r < P2_ROUNDS_F / 2; r++)
    for (unsigned i = 0; i < t; i++) assert_int_equal(bb_to_u32(prm->rc_ext[r][i]), grain_field(&g));
  for (unsigned r = 0; r < prm->rounds_p; r++)
    assert_int_equal(bb_to_u32(prm->rc_int[r]), grain_field(&g));
  for (unsigned r = P2_ROUNDS_F / 2; r < P2_ROUNDS_F; r++)
    for (unsigned i = 0; i < t; i++) assert_int_equal(bb_to_u32(prm->rc_ext[r][i]), grain_field(&g));
}

static void test_round_constants_grain(void **s) {
  (void)s;
  assert_int_equal(p2_params_bb16()->width, 16);
  assert_int_equal(p2_params_bb16()->rounds_p, 13);
  assert_int_equal(p2_params_bb24()->width, 24);
  assert_int_equal(p2_params_bb24()->rounds_p, 21);
  check_grain(p2_params_bb16());
  check_grain(p2_params_bb24());
}

/* diag[i] * num == sign * 2^-k, as Plonky3 states V. */
static void check_diag(const p2_params *prm, const int *num, const int *log2den, const int *sign) {
  bb_t half = bb_inv(bb_from_u32(2));
  for (unsigned i = 0; i < prm->width; i++) {
    bb_t want = bb_from_u32((uint32_t)num[i]);
    want = bb_mul(want, bb_pow(half, (uint64_t)log2den[i]));
    if (sign[i] < 0) want = bb_neg(want);
    assert_int_equal(prm->diag[i], want);
  }
}

static void test_internal_diagonal(void **s) {
  (void)s;
  /* [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/4, 1/8, 1/2^27, -1/2^8, -1/16, -1/2^27] */
  static const int n16[16] = {2, 1, 2, 1, 3, 4, 1, 3, 4, 1, 1, 1, 1, 1, 1, 1};
  static const int k16[16] = {0, 0, 0, 1, 0, 0, 1, 0, 0, 8, 2, 3, 27, 8, 4, 27};
  static const int s16[16] = {-1, 1, 1, 1, 1, 1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1};
  check_diag(p2_params_bb16(), n16, k16, s16);
  /* [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/4, 1/8, 1/16, 1/2^7, 1/2^9, 1/2^27,
   *  -1/2^8, -1/4, -1/8, -1/16, -1/32, -1/64, -1/2^7, -1/2^27] */
  static const int n24[24] = {2, 1, 2, 1, 3, 4, 1, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  static const int k24[24] = {0, 0, 0, 1, 0, 0, 1, 0, 0, 8, 2, 3, 4, 7, 9, 27, 8, 2, 3, 4, 5, 6, 7, 27};
  static const int s24[24] = {-1, 1, 1, 1, 1, 1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 1,
                              -1, -1, -1, -1, -1, -1, -1, -1};
  check_diag(p2_params_bb24(), n24, k24, s24);
}

/* ---- differential checks against the reference ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}
/* Random field element, with the edges 0, 1, p-1 mixed in. */
static bb_t rnd_bb(void) {
  uint32_t r = rnd();
  switch (r & 15) {
    case 0: return 0;
    case 1: return BB_ONE;
    case 2: return bb_from_u32(BB_P - 1);
    default: return bb_from_u32(rnd() % BB_P);
  }
}

static void check_many_vs_ref(const p2_params *prm) {
  enum { MAXN = 41 };
  const unsigned w = prm->width;
  static bb_t in[MAXN * P2_MAX_WIDTH], want[MAXN * P2_MAX_WIDTH], got[MAXN * P2_MAX_WIDTH];
  for (size_t i = 0; i < MAXN * w; i++) in[i] = rnd_bb();
  memcpy(want, in, sizeof in);
  for (size_t k = 0; k < MAXN; k++) p2_permute_ref(prm, want + k * w);
  for (size_t b = 0; b < sizeof all_backends / sizeof *all_backends; b++) {
    if (p2_set_backend(all_backends[b]) != 0) continue;
    /* single states (plain C, or one state across AVX2 lanes) */
    for (size_t k = 0; k < MAXN; k++) {
      memcpy(got, in + k * w, w * sizeof(bb_t));
      p2_permute(prm, got);
      assert_memory_equal(got, want + k * w, w * sizeof(bb_t));
    }
    for (size_t n = 0; n <= MAXN; n++) {
      memcpy(got, in, sizeof in);
      p2_permute_many(prm, got, n);
      assert_memory_equal(got, want, n * w * sizeof(bb_t));
      assert_memory_equal(got + n * w, in + n * w, (MAXN - n) * w * sizeof(bb_t));
    }
  }
  p2_set_backend(P2_BACKEND_AUTO);
}

static void test_backends_vs_ref(void **s) {
  (void)s;
  check_many_vs_ref(p2_params_bb16());
  check_many_vs_ref(p2_params_bb24());
  p2_params hl = horizen24();
  check_many_vs_ref(&hl);
  p2_params hl16 = *p2_params_bb16();
  uint32_t d[16];
  assert_int_equal(load_vector("hl_16_diag_m_1", d, 16), 0);
  hl16.mds4 = P2_MDS4_HORIZEN;
  for (int i = 0; i < 16; i++) hl16.diag[i] = bb_from_u32(d[i]);
  check_many_vs_ref(&hl16);
}

/* Extreme inputs: all p-1 stresses every lazy bound of the fast paths. */
static void test_extreme_states(void **s) {
  (void)s;
  const p2_params *prm = p2_params_bb16();
  bb_t a[16 * 16], r[16 * 16];
  for (int k = 0; k < 16; k++)
    for (int i = 0; i < 16; i++) a[k * 16 + i] = k & 1 ? bb_from_u32(BB_P - 1) : (k & 2 ? 0 : BB_ONE);
  memcpy(r, a, sizeof a);
  for (int k = 0; k < 16; k++) p2_permute_ref(prm, r + 16 * k);
  for (size_t b = 0; b < sizeof all_backends / sizeof *all_backends; b++) {
    if (p2_set_backend(all_backends[b]) != 0) continue;
    bb_t g[16 * 16];
    memcpy(g, a, sizeof a);
    p2_permute_many(prm, g, 16);
    assert_memory_equal(g, r, sizeof r);
  }
  p2_set_backend(P2_BACKEND_AUTO);
}

/* Sponge as defined (overwrite mode, rate 8, no padding), from the reference
 * permutation. */
static void ref_hash(const bb_t *in, size_t len, bb_t out[8]) {
  bb_t st[16] = {0};
  size_t i = 0;
  while (i < len) {
    for (size_t j = 0; j < 8 && i < len; j++, i++) st[j] = in[i];
    p2_permute_ref(p2_params_bb16(), st);
  }
  memcpy(out, st, 8 * sizeof(bb_t));
}

static void test_sponge(void **s) {
  (void)s;
  enum { MAXLEN = 70, ROWS = 37 };
  static bb_t data[ROWS * (MAXLEN + 3)];
  for (size_t i = 0; i < sizeof data / sizeof *data; i++) data[i] = rnd_bb();
  bb_t want[8], got[8];
  /* empty input: zero digest, no permutation */
  p2_hash(NULL, 0, got);
  for (int j = 0; j < 8; j++) assert_int_equal(got[j], 0);
  assert_true(p2_hash_permutations(0) == 0);
  assert_true(p2_hash_permutations(8) == 1);
  assert_true(p2_hash_permutations(9) == 2);
  for (size_t b = 0; b < sizeof all_backends / sizeof *all_backends; b++) {
    if (p2_set_backend(all_backends[b]) != 0) continue;
    for (size_t len = 0; len <= MAXLEN; len++) {
      ref_hash(data, len, want);
      p2_hash(data, len, got);
      assert_memory_equal(got, want, sizeof want);
    }
  }
  p2_set_backend(P2_BACKEND_AUTO);
  /* No padding: trailing zeros in a final partial chunk do not change the
   * digest ([x] and [x, 0] collide), so a row hash commits to the row only
   * together with its known width. */
  bb_t one[2] = {BB_ONE, 0};
  bb_t d1[8], d2[8];
  p2_hash(one, 1, d1);
  p2_hash(one, 2, d2);
  assert_memory_equal(d1, d2, sizeof d1);

  static bb_t outs[ROWS * 8], refs[ROWS * 8];
  /* empty rows: zero digests */
  memset(outs, 0xff, sizeof outs);
  p2_hash_many(data, 1, 0, ROWS, outs);
  for (size_t i = 0; i < ROWS * 8; i++) assert_int_equal(outs[i], 0);
  for (size_t len = 1; len <= MAXLEN; len += 3) {
    size_t stride = len + 3;
    for (size_t k = 0; k < ROWS; k++) ref_hash(data + k * stride, len, refs + 8 * k);
    for (size_t b = 0; b < sizeof all_backends / sizeof *all_backends; b++) {
      if (p2_set_backend(all_backends[b]) != 0) continue;
      for (size_t count = 0; count <= ROWS; count += (count < 20 ? 1 : 17)) {
        memset(outs, 0xff, sizeof outs);
        p2_hash_many(data, stride, len, count, outs);
        assert_memory_equal(outs, refs, count * 8 * sizeof(bb_t));
      }
    }
  }
  p2_set_backend(P2_BACKEND_AUTO);
}

static void test_compress(void **s) {
  (void)s;
  enum { PAIRS = 45 };
  static bb_t in[PAIRS * 16], want[PAIRS * 8], got[PAIRS * 16];
  for (size_t i = 0; i < sizeof in / sizeof *in; i++) in[i] = rnd_bb();
  for (size_t k = 0; k < PAIRS; k++) {
    bb_t st[16];
    memcpy(st, in + 16 * k, sizeof st);
    p2_permute_ref(p2_params_bb16(), st);
    memcpy(want + 8 * k, st, 8 * sizeof(bb_t));
  }
  for (size_t b = 0; b < sizeof all_backends / sizeof *all_backends; b++) {
    if (p2_set_backend(all_backends[b]) != 0) continue;
    for (size_t k = 0; k < PAIRS; k++) {
      bb_t out[8];
      p2_compress(in + 16 * k, in + 16 * k + 8, out);
      assert_memory_equal(out, want + 8 * k, sizeof out);
      /* output aliasing an input */
      bb_t l[8];
      memcpy(l, in + 16 * k, sizeof l);
      p2_compress(l, in + 16 * k + 8, l);
      assert_memory_equal(l, want + 8 * k, sizeof l);
    }
    for (size_t count = 0; count <= PAIRS; count++) {
      bb_t out[PAIRS * 8];
      p2_compress_many(in, count, out);
      assert_memory_equal(out, want, count * 8 * sizeof(bb_t));
      /* in place: a Merkle layer compressed onto itself */
      memcpy(got, in, sizeof in);
      p2_compress_many(got, count, got);
      assert_memory_equal(got, want, count * 8 * sizeof(bb_t));
    }
  }
  p2_set_backend(P2_BACKEND_AUTO);
}

static void test_backend_selection(void **s) {
  (void)s;
  assert_int_equal(p2_set_backend(P2_BACKEND_SCALAR), 0);
  assert_int_equal(p2_get_backend(), P2_BACKEND_SCALAR);
  assert_string_equal(p2_backend_name(P2_BACKEND_SCALAR), "scalar");
  assert_int_equal(p2_set_backend(P2_BACKEND_AUTO), 0);
  assert_true(p2_get_backend() != P2_BACKEND_AUTO);
  print_message("poseidon2 backend: %s\n", p2_backend_name(p2_get_backend()));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kat_plonky3_16),
      cmocka_unit_test(test_kat_plonky3_24),
      cmocka_unit_test(test_kat_horizen_24),
      cmocka_unit_test(test_round_constants_grain),
      cmocka_unit_test(test_internal_diagonal),
      cmocka_unit_test(test_backends_vs_ref),
      cmocka_unit_test(test_extreme_states),
      cmocka_unit_test(test_sponge),
      cmocka_unit_test(test_compress),
      cmocka_unit_test(test_backend_selection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
