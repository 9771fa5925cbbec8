/* poseidon2: Poseidon2 over BabyBear, reference and fast backends.
 *
 * Three layers:
 *   - p2_permute_ref: the definition, written from the paper with the linear
 *     layers as explicit matrix products; slow and kept simple so that the
 *     fast code can be checked against it.
 *   - the rounds in poseidon2_simd.inc, instantiated for one lane (plain C),
 *     8 lanes (AVX2) and 16 lanes (AVX-512). The batched paths permute
 *     independent states side by side, one state per lane, which is how a
 *     Merkle layer is hashed: thousands of independent permutations.
 *   - one state spread over AVX2 lanes, for the single permutations of the
 *     Fiat-Shamir challenger and of Merkle verification.
 *   - the sponge and compression (Plonky3's PaddingFreeSponge and
 *     TruncatedPermutation), single and batched.
 * The backend is picked once from the CPU (cpuid) and can be overridden for
 * tests and benchmarks.
 */
#include "hash/poseidon2.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define P2_HAVE_X86 1
#include <immintrin.h>
#else
#define P2_HAVE_X86 0
#endif

/* Compile-time Montgomery form of a canonical value x < p. */
#define M(x) ((bb_t)((((uint64_t)(x)) << 32) % BB_P))
#include "poseidon2_consts.inc"
#undef M

const p2_params *p2_params_bb16(void) { return &p2_bb16; }
const p2_params *p2_params_bb24(void) { return &p2_bb24; }

/* ---- reference ---------------------------------------------------------- */

static bb_t ref_sbox(bb_t x) {
  bb_t r = BB_ONE;
  for (int i = 0; i < 7; i++) r = bb_mul(r, x);
  return r;
}

/* M_E x with M_E = circ(2B, B, ..., B) written as a product with the full
 * t x t matrix: entry (i, j) = B[i%4][j%4] * (2 if same block else 1). */
static void ref_external(const p2_params *prm, bb_t *s) {
  static const uint32_t b_p3[4][4] = {{2, 3, 1, 1}, {1, 2, 3, 1}, {1, 1, 2, 3}, {3, 1, 1, 2}};
  static const uint32_t b_hl[4][4] = {{5, 7, 1, 3}, {4, 6, 1, 1}, {1, 3, 5, 7}, {1, 1, 4, 6}};
  const uint32_t(*b)[4] = prm->mds4 == P2_MDS4_PLONKY3 ? b_p3 : b_hl;
  const unsigned t = prm->width;
  bb_t out[P2_MAX_WIDTH];
  for (unsigned i = 0; i < t; i++) {
    bb_t acc = BB_ZERO;
    for (unsigned j = 0; j < t; j++) {
      uint32_t c = b[i % 4][j % 4] * (i / 4 == j / 4 ? 2u : 1u);
      acc = bb_add(acc, bb_mul(bb_from_u32(c), s[j]));
    }
    out[i] = acc;
  }
  memcpy(s, out, t * sizeof(bb_t));
}

/* M_I x with M_I = J + Diag(diag) (J the all-ones matrix). */
static void ref_internal(const p2_params *prm, bb_t *s) {
  const unsigned t = prm->width;
  bb_t out[P2_MAX_WIDTH];
  for (unsigned i = 0; i < t; i++) {
    bb_t acc = BB_ZERO;
    for (unsigned j = 0; j < t; j++) {
      bb_t m = i == j ? bb_add(BB_ONE, prm->diag[i]) : BB_ONE;
      acc = bb_add(acc, bb_mul(m, s[j]));
    }
    out[i] = acc;
  }
  memcpy(s, out, t * sizeof(bb_t));
}

void p2_permute_ref(const p2_params *prm, bb_t *s) {
  const unsigned t = prm->width;
  ref_external(prm, s);
  for (unsigned r = 0; r < P2_ROUNDS_F; r++) {
    if (r == P2_ROUNDS_F / 2) {
      for (unsigned k = 0; k < prm->rounds_p; k++) {
        s[0] = ref_sbox(bb_add(s[0], prm->rc_int[k]));
        ref_internal(prm, s);
      }
    }
    for (unsigned i = 0; i < t; i++) s[i] = ref_sbox(bb_add(s[i], prm->rc_ext[r][i]));
    ref_external(prm, s);
  }
}

/* ---- plain C backend ------------------------------------------------------ */

/* x / 2: x even gives x >> 1; x odd gives (x + p) / 2 = (x >> 1) + (p + 1) / 2. */
static inline bb_t bb_halve_(bb_t x) { return (x >> 1) + ((x & 1u) ? (BB_P + 1) / 2 : 0u); }

#define VT bb_t
#define V_LANES 1
#define V_ATTR
#define V_FN(name) name##_c
#define V_set1(x) (x)
#define V_add bb_add
#define V_sub bb_sub
#define V_mul bb_mul
#define V_halve bb_halve_
#define V_CORE_ONLY
#include "poseidon2_simd.inc"
#undef V_CORE_ONLY
#undef VT
#undef V_LANES
#undef V_ATTR
#undef V_FN
#undef V_set1
#undef V_add
#undef V_sub
#undef V_mul
#undef V_halve


/* ---- AVX2 and AVX-512 backends ------------------------------------------- */

#if P2_HAVE_X86
#define P2_AVX2 __attribute__((target("avx2")))
#define P2_AVX512 __attribute__((target("avx512f")))

/* Lane-wise a + b for reduced a, b: the sum is < 2p < 2^32, and min(s, s - p)
 * (unsigned) picks s - p exactly when s >= p. */
static P2_AVX2 inline __m256i v8_add(__m256i a, __m256i b) {
  __m256i s = _mm256_add_epi32(a, b);
  return _mm256_min_epu32(s, _mm256_sub_epi32(s, _mm256_set1_epi32((int)BB_P)));
}

/* a - b wraps below zero exactly when a < b; then min picks a - b + p. */
static P2_AVX2 inline __m256i v8_sub(__m256i a, __m256i b) {
  __m256i d = _mm256_sub_epi32(a, b);
  return _mm256_min_epu32(d, _mm256_add_epi32(d, _mm256_set1_epi32((int)BB_P)));
}

static P2_AVX2 inline __m256i v8_halve(__m256i x) {
  const __m256i one = _mm256_set1_epi32(1);
  __m256i odd = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_and_si256(x, one));
  __m256i h = _mm256_srli_epi32(x, 1);
  return _mm256_add_epi32(h, _mm256_and_si256(odd, _mm256_set1_epi32((int)((BB_P + 1) / 2))));
}

/* Lane-wise Montgomery product (bb_monty_reduce of a*b), even and odd lanes
 * as two sets of 64-bit products; the result is hi(ab) - hi(q p) with
 * q = lo(ab) * p^-1 mod 2^32, brought into [0, p) by min(r, r + p). */
/* Odd 32-bit lanes copied down to the even ones (a shuffle rather than a
 * shift, leaving the shift and multiply ports to the products). */
static P2_AVX2 inline __m256i v8_odd(__m256i x) {
  return _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(x)));
}

static P2_AVX2 inline __m256i v8_mul(__m256i a, __m256i b) {
  const __m256i p = _mm256_set1_epi32((int)BB_P), mu = _mm256_set1_epi32((int)BB_MONTY_MU);
  __m256i pe = _mm256_mul_epu32(a, b);
  __m256i po = _mm256_mul_epu32(v8_odd(a), v8_odd(b));
  __m256i qpe = _mm256_mul_epu32(_mm256_mul_epu32(pe, mu), p);
  __m256i qpo = _mm256_mul_epu32(_mm256_mul_epu32(po, mu), p);
  __m256i ph = _mm256_blend_epi32(v8_odd(pe), po, 0xAA);
  __m256i qph = _mm256_blend_epi32(v8_odd(qpe), qpo, 0xAA);
  __m256i r = _mm256_sub_epi32(ph, qph);
  return _mm256_min_epu32(r, _mm256_add_epi32(r, p));
}

#define VT __m256i
#define V_LANES 8
#define V_ATTR P2_AVX2
#define V_FN(name) name##_avx2
#define V_set1(x) _mm256_set1_epi32((int)(x))
#define V_add v8_add
#define V_sub v8_sub
#define V_mul v8_mul
#define V_halve v8_halve
#define V_load(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define V_store(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#include "poseidon2_simd.inc"
#undef VT
#undef V_LANES
#undef V_ATTR
#undef V_FN
#undef V_set1
#undef V_add
#undef V_sub
#undef V_mul
#undef V_halve
#undef V_load
#undef V_store

static P2_AVX512 inline __m512i v16_add(__m512i a, __m512i b) {
  __m512i s = _mm512_add_epi32(a, b);
  return _mm512_min_epu32(s, _mm512_sub_epi32(s, _mm512_set1_epi32((int)BB_P)));
}

static P2_AVX512 inline __m512i v16_sub(__m512i a, __m512i b) {
  __m512i d = _mm512_sub_epi32(a, b);
  return _mm512_min_epu32(d, _mm512_add_epi32(d, _mm512_set1_epi32((int)BB_P)));
}

static P2_AVX512 inline __m512i v16_halve(__m512i x) {
  __mmask16 odd = _mm512_test_epi32_mask(x, _mm512_set1_epi32(1));
  __m512i h = _mm512_srli_epi32(x, 1);
  return _mm512_mask_add_epi32(h, odd, h, _mm512_set1_epi32((int)((BB_P + 1) / 2)));
}

/* Odd 32-bit lanes copied down to the even ones (a shuffle, so the shift
 * units stay free for the products). */
static P2_AVX512 inline __m512i v16_odd(__m512i x) {
  return _mm512_castps_si512(_mm512_movehdup_ps(_mm512_castsi512_ps(x)));
}

/* High halves of the even-lane products into even lanes, keeping the odd
 * lanes of the odd-lane products (where their high halves already sit). */
static P2_AVX512 inline __m512i v16_hi(__m512i even, __m512i odd) {
  return _mm512_castps_si512(_mm512_mask_movehdup_ps(_mm512_castsi512_ps(odd), (__mmask16)0x5555,
                                                     _mm512_castsi512_ps(even)));
}

static P2_AVX512 inline __m512i v16_mul(__m512i a, __m512i b) {
  const __m512i p = _mm512_set1_epi32((int)BB_P), mu = _mm512_set1_epi32((int)BB_MONTY_MU);
  __m512i pe = _mm512_mul_epu32(a, b);
  __m512i po = _mm512_mul_epu32(v16_odd(a), v16_odd(b));
  __m512i qpe = _mm512_mul_epu32(_mm512_mul_epu32(pe, mu), p);
  __m512i qpo = _mm512_mul_epu32(_mm512_mul_epu32(po, mu), p);
  __m512i r = _mm512_sub_epi32(v16_hi(pe, po), v16_hi(qpe, qpo));
  return _mm512_min_epu32(r, _mm512_add_epi32(r, p));
}

#define VT __m512i
#define V_LANES 16
#define V_ATTR P2_AVX512
#define V_FN(name) name##_avx512
#define V_set1(x) _mm512_set1_epi32((int)(x))
#define V_add v16_add
#define V_sub v16_sub
#define V_mul v16_mul
#define V_halve v16_halve
#define V_load(p) _mm512_loadu_si512((const void *)(p))
#define V_store(p, v) _mm512_storeu_si512((void *)(p), (v))
#include "poseidon2_simd.inc"
#undef VT
#undef V_LANES
#undef V_ATTR
#undef V_FN
#undef V_set1
#undef V_add
#undef V_sub
#undef V_mul
#undef V_halve
#undef V_load
#undef V_store
/* One state across AVX2 lanes ("horizontal"), for single permutations
 * (Fiat-Shamir challenger, Merkle verification): vector k holds elements
 * 8k .. 8k+7, so each 128-bit half is one block of four. Plonky3's block
 * [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]] is circulant,
 * y_i = 2x_i + 3x_{i+1} + x_{i+2} + x_{i+3} (indices mod 4 within the block),
 * i.e. y = (block sum) + x + 2 rot1(x), which in-lane shuffles give. Only for
 * P2_MDS4_PLONKY3 instances of width 16 or 24. */
#define P2H_ROT1 _MM_SHUFFLE(0, 3, 2, 1)
#define P2H_ROT2 _MM_SHUFFLE(1, 0, 3, 2)

static P2_AVX2 inline __m256i h_sbox(__m256i x) {
  __m256i x2 = v8_mul(x, x);
  __m256i x3 = v8_mul(x2, x);
  __m256i x4 = v8_mul(x2, x2);
  return v8_mul(x3, x4);
}

static P2_AVX2 inline void h_ext(__m256i *v, unsigned nv) {
  for (unsigned k = 0; k < nv; k++) {
    __m256i x = v[k];
    __m256i r1 = _mm256_shuffle_epi32(x, P2H_ROT1);
    __m256i s = v8_add(x, r1);
    __m256i bsum = v8_add(s, _mm256_shuffle_epi32(s, P2H_ROT2));
    v[k] = v8_add(v8_add(bsum, x), v8_add(r1, r1));
  }
  __m256i t = v[0];
  for (unsigned k = 1; k < nv; k++) t = v8_add(t, v[k]);
  t = v8_add(t, _mm256_permute2x128_si256(t, t, 0x01));
  for (unsigned k = 0; k < nv; k++) v[k] = v8_add(v[k], t);
}

static P2_AVX2 inline void h_perm_w(const p2_params *prm, bb_t *state, unsigned nv) {
  __m256i v[3], diag[3];
  for (unsigned k = 0; k < nv; k++) {
    v[k] = _mm256_loadu_si256((const __m256i *)(const void *)(state + 8 * k));
    diag[k] = _mm256_loadu_si256((const __m256i *)(const void *)(prm->diag + 8 * k));
  }
  h_ext(v, nv);
  for (unsigned r = 0; r < P2_ROUNDS_F; r++) {
    if (r == P2_ROUNDS_F / 2) {
      for (unsigned k = 0; k < prm->rounds_p; k++) {
        __m256i a = v8_add(v[0], _mm256_setr_epi32((int)prm->rc_int[k], 0, 0, 0, 0, 0, 0, 0));
        v[0] = _mm256_blend_epi32(v[0], h_sbox(a), 0x01);
        __m256i t = v[0];
        for (unsigned j = 1; j < nv; j++) t = v8_add(t, v[j]);
        t = v8_add(t, _mm256_shuffle_epi32(t, P2H_ROT2));
        t = v8_add(t, _mm256_shuffle_epi32(t, P2H_ROT1));
        t = v8_add(t, _mm256_permute2x128_si256(t, t, 0x01));
        for (unsigned j = 0; j < nv; j++) v[j] = v8_add(t, v8_mul(v[j], diag[j]));
      }
    }
    for (unsigned k = 0; k < nv; k++) {
      __m256i rc = _mm256_loadu_si256((const __m256i *)(const void *)(prm->rc_ext[r] + 8 * k));
      v[k] = h_sbox(v8_add(v[k], rc));
    }
    h_ext(v, nv);
  }
  for (unsigned k = 0; k < nv; k++) _mm256_storeu_si256((__m256i *)(void *)(state + 8 * k), v[k]);
}

static P2_AVX2 void h_perm16(const p2_params *prm, bb_t *state) { h_perm_w(prm, state, 2); }
static P2_AVX2 void h_perm24(const p2_params *prm, bb_t *state) { h_perm_w(prm, state, 3); }
#endif /* P2_HAVE_X86 */

/* ---- backend selection ---------------------------------------------------- */

static atomic_int p2_backend_sel = P2_BACKEND_AUTO;

static int backend_supported(p2_backend b) {
  switch (b) {
    case P2_BACKEND_SCALAR:
      return 1;
#if P2_HAVE_X86
    case P2_BACKEND_AVX2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") != 0;
    case P2_BACKEND_AVX512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") != 0;
#endif
    default:
      return 0;
  }
}

static p2_backend detect_backend(void) {
  if (backend_supported(P2_BACKEND_AVX512)) return P2_BACKEND_AVX512;
  if (backend_supported(P2_BACKEND_AVX2)) return P2_BACKEND_AVX2;
  return P2_BACKEND_SCALAR;
}

int p2_set_backend(p2_backend b) {
  if (b == P2_BACKEND_AUTO) {
    atomic_store_explicit(&p2_backend_sel, (int)detect_backend(), memory_order_relaxed);
    return 0;
  }
  if (!backend_supported(b)) return -1;
  atomic_store_explicit(&p2_backend_sel, (int)b, memory_order_relaxed);
  return 0;
}

p2_backend p2_get_backend(void) {
  int b = atomic_load_explicit(&p2_backend_sel, memory_order_relaxed);
  if (b == P2_BACKEND_AUTO) {
    b = (int)detect_backend();
    atomic_store_explicit(&p2_backend_sel, b, memory_order_relaxed);
  }
  return (p2_backend)b;
}

const char *p2_backend_name(p2_backend b) {
  switch (b) {
    case P2_BACKEND_SCALAR: return "scalar";
    case P2_BACKEND_AVX2: return "avx2";
    case P2_BACKEND_AVX512: return "avx512";
    default: return "auto";
  }
}

/* ---- single permutation ---------------------------------------------------- */

/* One state: the horizontal AVX2 form when a SIMD backend is selected and the
 * instance allows it, else plain C. */
static inline void perm_one(const p2_params *prm, bb_t *s) {
#if P2_HAVE_X86
  if (prm->mds4 == P2_MDS4_PLONKY3 && p2_get_backend() != P2_BACKEND_SCALAR) {
    if (prm->width == 16) {
      h_perm16(prm, s);
      return;
    }
    if (prm->width == 24) {
      h_perm24(prm, s);
      return;
    }
  }
#endif
  perm_c(prm, s);
}

void p2_permute(const p2_params *prm, bb_t *state) { perm_one(prm, state); }
void p2_permute16(bb_t state[16]) { perm_one(&p2_bb16, state); }
void p2_permute24(bb_t state[24]) { perm_one(&p2_bb24, state); }

/* ---- batched permutation, sponge, compression ----------------------------- */

void p2_permute_many(const p2_params *prm, bb_t *states, size_t n) {
  size_t k = 0;
#if P2_HAVE_X86
  p2_backend b = p2_get_backend();
  if (b == P2_BACKEND_AVX512)
    for (; k + 16 <= n; k += 16) permute_block_avx512(prm, states + k * prm->width);
  if (b == P2_BACKEND_AVX512 || b == P2_BACKEND_AVX2)
    for (; k + 8 <= n; k += 8) permute_block_avx2(prm, states + k * prm->width);
#endif
  for (; k < n; k++) perm_one(prm, states + k * prm->width);
}

void p2_hash(const bb_t *in, size_t len, bb_t out[P2_DIGEST]) {
  bb_t s[P2_WIDTH] = {0};
  for (size_t off = 0; off < len; off += P2_RATE) {
    size_t c = len - off < P2_RATE ? len - off : P2_RATE;
    memcpy(s, in + off, c * sizeof(bb_t));
    perm_one(&p2_bb16, s);
  }
  memcpy(out, s, P2_DIGEST * sizeof(bb_t));
}

void p2_hash_many(const bb_t *rows, size_t stride, size_t len, size_t count, bb_t *out) {
  size_t k = 0;
#if P2_HAVE_X86
  p2_backend b = p2_get_backend();
  if (b == P2_BACKEND_AVX512)
    for (; k + 16 <= count; k += 16)
      hash_block_avx512(&p2_bb16, rows + k * stride, stride, len, out + k * P2_DIGEST);
  if (b == P2_BACKEND_AVX512 || b == P2_BACKEND_AVX2)
    for (; k + 8 <= count; k += 8)
      hash_block_avx2(&p2_bb16, rows + k * stride, stride, len, out + k * P2_DIGEST);
#endif
  for (; k < count; k++) p2_hash(rows + k * stride, len, out + k * P2_DIGEST);
}

void p2_compress(const bb_t left[P2_DIGEST], const bb_t right[P2_DIGEST], bb_t out[P2_DIGEST]) {
  bb_t s[P2_WIDTH];
  memcpy(s, left, P2_DIGEST * sizeof(bb_t));
  memcpy(s + P2_DIGEST, right, P2_DIGEST * sizeof(bb_t));
  perm_one(&p2_bb16, s);
  memcpy(out, s, P2_DIGEST * sizeof(bb_t));
}

void p2_compress_many(const bb_t *in, size_t count, bb_t *out) {
  size_t k = 0;
#if P2_HAVE_X86
  p2_backend b = p2_get_backend();
  if (b == P2_BACKEND_AVX512)
    for (; k + 16 <= count; k += 16)
      compress_block_avx512(&p2_bb16, in + k * P2_WIDTH, out + k * P2_DIGEST);
  if (b == P2_BACKEND_AVX512 || b == P2_BACKEND_AVX2)
    for (; k + 8 <= count; k += 8)
      compress_block_avx2(&p2_bb16, in + k * P2_WIDTH, out + k * P2_DIGEST);
#endif
  for (; k < count; k++) p2_compress(in + k * P2_WIDTH, in + k * P2_WIDTH + P2_DIGEST, out + k * P2_DIGEST);
}
