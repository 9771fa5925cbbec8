/* ripemd160: the RIPEMD-160 compression function and hash (Dobbertin,
 * Bosselaers, Preneel, "RIPEMD-160: A Strengthened Version of RIPEMD", 1996),
 * in plain C.
 *
 * The EVM's RIPEMD-160 precompile (0x03) hashes with OpenSSL where its
 * provider has the digest, and with ripemd160() otherwise. OpenSSL exposes no
 * single compression, and the prover's RIPEMD-160 AIR
 * (trace/ripemd160_air.h) proves compressions one 64-byte block at a time, so
 * this module gives the compression and its step schedule (message word
 * selection, rotation amounts, constants) as the one reference the AIR's
 * constraints, its trace and its tests are built from.
 *
 * The state is the five 32-bit chaining words h0..h4; a block is 64 bytes read
 * as sixteen little-endian 32-bit words; the digest is the final state's
 * words, little-endian. Each compression runs two lines of 80 steps (five
 * rounds of 16) side by side, the left line with f_1..f_5 and the right line
 * with f_5..f_1, and combines them with the chaining value. All functions are
 * pure and thread-safe.
 */
#ifndef PKB_HASH_RIPEMD160_H
#define PKB_HASH_RIPEMD160_H

#include <stddef.h>
#include <stdint.h>

#define RIPEMD160_BLOCK 64
#define RIPEMD160_DIGEST 20
#define RIPEMD160_STEPS 80

/* Initial value h0..h4. */
extern const uint32_t ripemd160_iv[5];

/* Step schedule of line L (0 = left, 1 = right), step j < 80: the message
 * word read, r_L(j) < 16, and the left rotation, s_L(j) in 5..15. */
extern const uint8_t ripemd160_r[2][RIPEMD160_STEPS];
extern const uint8_t ripemd160_s[2][RIPEMD160_STEPS];

/* Additive constant of line L in round j / 16 (K and K' of the paper). */
extern const uint32_t ripemd160_k[2][5];

/* The schedule's values as initialisers: the one source of ripemd160_r,
 * ripemd160_s and ripemd160_k above and of any other copy (the CUDA
 * backend's constant tables of the RIPEMD-160 AIR's kernel). */
#define RIPEMD160_R_INIT                                                                           \
  {                                                                                                \
    {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 7,  4,  13, 1,                \
     10, 6,  15, 3,  12, 0,  9,  5,  2,  14, 11, 8,  3,  10, 14, 4,  9,  15, 8,  1,                \
     2,  7,  0,  6,  13, 11, 5,  12, 1,  9,  11, 10, 0,  8,  12, 4,  13, 3,  7,  15,               \
     14, 5,  6,  2,  4,  0,  5,  9,  7,  12, 2,  10, 14, 1,  3,  8,  11, 6,  15, 13},              \
    {5,  14, 7,  0,  9,  2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12, 6,  11, 3,  7,                \
     0,  13, 5,  10, 14, 15, 8,  12, 4,  9,  1,  2,  15, 5,  1,  3,  7,  14, 6,  9,                \
     11, 8,  12, 2,  10, 0,  4,  13, 8,  6,  4,  1,  3,  11, 15, 0,  5,  12, 2,  13,               \
     9,  7,  10, 14, 12, 15, 10, 4,  1,  5,  8,  7,  6,  2,  13, 14, 0,  3,  9,  11}               \
  }
#define RIPEMD160_S_INIT                                                                           \
  {                                                                                                \
    {11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,  7,  6,  8,  13,               \
     11, 9,  7,  15, 7,  12, 15, 9,  11, 7,  13, 12, 11, 13, 6,  7,  14, 9,  13, 15,               \
     14, 8,  13, 6,  5,  12, 7,  5,  11, 12, 14, 15, 14, 15, 9,  8,  9,  14, 5,  6,                \
     8,  6,  5,  12, 9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6},               \
    {8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,  9,  13, 15, 7,                \
     12, 8,  9,  11, 7,  7,  12, 7,  6,  15, 13, 11, 9,  7,  15, 11, 8,  6,  6,  14,               \
     12, 13, 5,  14, 13, 13, 7,  5,  15, 5,  8,  11, 14, 14, 6,  14, 6,  9,  12, 9,                \
     12, 5,  15, 8,  8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11}               \
  }
#define RIPEMD160_K_INIT                                                                           \
  {                                                                                                \
    {0x00000000u, 0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu, 0xa953fd4eu},                             \
    {0x50a28be6u, 0x5c4dd124u, 0x6d703ef3u, 0x7a6d76e9u, 0x00000000u}                              \
  }

/* The boolean function of line L in round q < 5 (bitwise on x, y, z):
 * f_{q+1} on the left line, f_{5-q} on the right line, where
 * f1 = x ^ y ^ z, f2 = (x & y) | (~x & z), f3 = (x | ~y) ^ z,
 * f4 = (x & z) | (y & ~z), f5 = x ^ (y | ~z). */
uint32_t ripemd160_f(unsigned line, unsigned round, uint32_t x, uint32_t y, uint32_t z);

/* Which f_i (0-based: 0 for f1 .. 4 for f5) line L uses in round q; the
 * macro is the one definition, for code that cannot call a host function. */
#define RIPEMD160_F_INDEX(line, round) ((line) ? 4 - (round) : (round))
static inline unsigned ripemd160_f_index(unsigned line, unsigned round) {
  return RIPEMD160_F_INDEX(line, round);
}

/* Message word j (0..15) of a block: bytes 4j..4j+3, little-endian. */
static inline uint32_t ripemd160_block_word(const uint8_t block[RIPEMD160_BLOCK], unsigned j) {
  const uint8_t *b = block + 4 * j;
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* One compression: state <- combine(state, left line, right line). */
void ripemd160_compress(uint32_t state[5], const uint8_t block[RIPEMD160_BLOCK]);

/* RIPEMD-160 of len bytes at data (data may be NULL when len == 0); out may
 * alias data. */
void ripemd160(const void *data, size_t len, uint8_t out[RIPEMD160_DIGEST]);

/* Compressions ripemd160() performs on a len-byte message: (len + 8) / 64 + 1
 * (a 0x80 byte and the 64-bit little-endian bit length always follow the
 * data, as in MD4). */
uint64_t ripemd160_compressions(size_t len);

/* Block k < ripemd160_compressions(len) of the padded len-byte message. */
void ripemd160_padded_block(const uint8_t *data, size_t len, uint64_t k,
                            uint8_t block[RIPEMD160_BLOCK]);

#endif
