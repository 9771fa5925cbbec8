/* poseidon2: the Poseidon2 permutation over BabyBear, and the sponge and
 * compression built on it for Merkle commitments.
 *
 * Instances (p2_params_bb16 / p2_params_bb24) are Plonky3's
 * default_babybear_poseidon2_16 / _24: S-box x^7, 8 full rounds (4 before and
 * 4 after the partial rounds), 13 (width 16) or 21 (width 24) partial rounds,
 * round constants from the HorizenLabs reference instance (Grain LFSR),
 * Plonky3's internal diagonal and 4x4 block [[2,3,1,1],[1,2,3,1],[1,1,2,3],
 * [3,1,1,2]] for the external layer M_E = circ(2B, B, B, B). Sources and the
 * values are in poseidon2_consts.inc; the known-answer tests are in
 * tests/vectors/poseidon2_babybear.txt.
 *
 * Permutation (paper, section 4): x <- M_E x; 4 x [add round constants,
 * S-box on every element, M_E]; R_P x [add constant to x0, S-box on x0,
 * M_I = 1 + Diag(V)]; 4 x [constants, S-box, M_E].
 *
 * All state words are bb_t (Montgomery form, reduced, see field/bb.h). All
 * functions are thread-safe; the only global is the backend choice.
 *
 * Backends: a plain-C reference (p2_permute_ref, generic and slow, the
 * definition), a plain-C fast path, batched AVX2 (8 states per step) and
 * AVX-512 (16 states per step) paths for the *_many functions, and one state
 * spread over AVX2 lanes for single permutations; chosen at run time from the
 * CPU unless p2_set_backend overrides it (P2_BACKEND_SCALAR makes every path
 * plain C). Every backend gives identical results (tested against the
 * reference).
 */
#ifndef PKB_HASH_POSEIDON2_H
#define PKB_HASH_POSEIDON2_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"

#define P2_WIDTH 16    /* the width used by the sponge and compression */
#define P2_RATE 8      /* sponge rate (elements absorbed per permutation) */
#define P2_DIGEST 8    /* digest elements (sponge output, compression output) */
#define P2_ROUNDS_F 8  /* full rounds, half before and half after the partial ones */
#define P2_MAX_WIDTH 24
#define P2_MAX_ROUNDS_P 21

/* 4x4 block of the external layer. */
typedef enum {
  P2_MDS4_PLONKY3 = 0, /* [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]] (Plonky3 MDSMat4) */
  P2_MDS4_HORIZEN = 1, /* [[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]] (HorizenLabs) */
} p2_mds4;

/* A Poseidon2 instance over BabyBear; every bb_t in Montgomery form. */
typedef struct {
  unsigned width;    /* 16 or 24 */
  unsigned rounds_p; /* partial rounds, <= P2_MAX_ROUNDS_P */
  p2_mds4 mds4;
  bb_t diag[P2_MAX_WIDTH];                  /* M_I x: y_i = sum(x) + diag[i] * x_i */
  bb_t rc_ext[P2_ROUNDS_F][P2_MAX_WIDTH];   /* rows 0-3 initial, 4-7 final full rounds */
  bb_t rc_int[P2_MAX_ROUNDS_P];             /* one constant per partial round (to x0) */
} p2_params;

const p2_params *p2_params_bb16(void);
const p2_params *p2_params_bb24(void);

/* Reference permutation of prm->width words in place (the definition). */
void p2_permute_ref(const p2_params *prm, bb_t *state);

/* Fast permutation of one state of prm->width words, in place: with a SIMD
 * backend selected and a P2_MDS4_PLONKY3 instance, the state is spread over
 * AVX2 lanes; otherwise plain C. */
void p2_permute(const p2_params *prm, bb_t *state);

/* Shorthands for the default instances. */
void p2_permute16(bb_t state[16]);
void p2_permute24(bb_t state[24]);

/* Permute n states stored back to back (state k at states + k*prm->width), in
 * place, with the selected SIMD backend. n may be 0. */
void p2_permute_many(const p2_params *prm, bb_t *states, size_t n);

/* Sponge hash (width 16, rate 8, no padding: Plonky3 PaddingFreeSponge): the
 * state starts at zero; each chunk of up to 8 input elements overwrites the
 * first elements of the state, then the state is permuted (a final partial
 * chunk overwrites only its own positions); the digest is the first 8 words.
 * len == 0 gives the zero digest without a permutation. Without padding,
 * zeros at the end of a final partial chunk do not change the digest, so the
 * length must be fixed by context (a Merkle row's width is). in may be NULL
 * when len == 0; out may alias in. Uses ceil(len/8) permutations. */
void p2_hash(const bb_t *in, size_t len, bb_t out[P2_DIGEST]);

/* Number of permutations p2_hash performs on len elements. */
static inline uint64_t p2_hash_permutations(size_t len) { return (uint64_t)((len + P2_RATE - 1) / P2_RATE); }

/* p2_hash of count rows of len elements; row k starts at rows + k*stride
 * (stride >= len) and its digest goes to out + 8*k. out must not overlap the
 * rows. Batched over the SIMD backend. */
void p2_hash_many(const bb_t *rows, size_t stride, size_t len, size_t count, bb_t *out);

/* 2-to-1 compression (Plonky3 TruncatedPermutation): the first 8 words of the
 * width-16 permutation of left || right. out may alias left or right. */
void p2_compress(const bb_t left[P2_DIGEST], const bb_t right[P2_DIGEST], bb_t out[P2_DIGEST]);

/* count compressions: pair k is the 16 words in[16k .. 16k+15] (left then
 * right, i.e. two consecutive digests of a Merkle layer); its result goes to
 * out + 8*k. out may equal in (each result is written after its pair is
 * read, and out + 8k never reaches a later pair); no other overlap. */
void p2_compress_many(const bb_t *in, size_t count, bb_t *out);

typedef enum {
  P2_BACKEND_AUTO = 0, /* best the CPU supports */
  P2_BACKEND_SCALAR = 1,
  P2_BACKEND_AVX2 = 2,
  P2_BACKEND_AVX512 = 3,
} p2_backend;

/* Select the backend (tests and benchmarks).
 * Returns 0, or -1 if the CPU (or the compiler) does not support it, in which
 * case the choice is unchanged. Not to be called while hashing is running in
 * other threads. */
int p2_set_backend(p2_backend b);

/* The backend in use (never P2_BACKEND_AUTO). */
p2_backend p2_get_backend(void);

/* "scalar", "avx2", "avx512" (or "auto"). */
const char *p2_backend_name(p2_backend b);

#endif
