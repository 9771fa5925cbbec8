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

/* The boolean function of line L in round q < 5 (bitwise on x, y, z):
 * f_{q+1} on the left line, f_{5-q} on the right line, where
 * f1 = x ^ y ^ z, f2 = (x & y) | (~x & z), f3 = (x | ~y) ^ z,
 * f4 = (x & z) | (y & ~z), f5 = x ^ (y | ~z). */
uint32_t ripemd160_f(unsigned line, unsigned round, uint32_t x, uint32_t y, uint32_t z);

/* Which f_i (0-based: 0 for f1 .. 4 for f5) line L uses in round q. */
static inline unsigned ripemd160_f_index(unsigned line, unsigned round) {
  return line ? 4 - round : round;
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
