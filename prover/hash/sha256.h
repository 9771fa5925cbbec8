/* sha256: the SHA-256 compression function and hash (FIPS 180-4), in plain C.
 *
 * The EVM's SHA256 precompile hashes with OpenSSL, which exposes no stable
 * interface to a single compression. The prover's SHA-256 AIR
 * (trace/sha256_air.h) proves compressions one 64-byte block at a time, so
 * this module gives the compression itself as the reference the AIR's trace
 * and tests are checked against; sha256() chains it over a padded message so
 * the reference can in turn be checked against any full SHA-256.
 *
 * State words are the eight 32-bit chaining values H0..H7; a block is 64 bytes
 * read as sixteen big-endian 32-bit words. All functions are pure and
 * thread-safe.
 */
#ifndef PKB_HASH_SHA256_H
#define PKB_HASH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BLOCK 64
#define SHA256_DIGEST 32
#define SHA256_ROUNDS 64

/* Initial hash value H(0) (FIPS 180-4, 5.3.3). */
extern const uint32_t sha256_iv[8];

/* Round constants K0..K63 (FIPS 180-4, 4.2.2). */
extern const uint32_t sha256_k[SHA256_ROUNDS];

/* Message word j (0..15) of a block: bytes 4j..4j+3, big-endian. */
static inline uint32_t sha256_block_word(const uint8_t block[SHA256_BLOCK], unsigned j) {
  const uint8_t *b = block + 4 * j;
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* One compression: state <- state + rounds(state, block) (word-wise mod 2^32). */
void sha256_compress(uint32_t state[8], const uint8_t block[SHA256_BLOCK]);

/* SHA-256 of len bytes at data (data may be NULL when len == 0); out may
 * alias data. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST]);

/* Compressions sha256() performs on a len-byte message: the padded message
 * has (len + 8) / 64 + 1 blocks (a 0x80 byte and the 64-bit length always
 * follow the data). */
uint64_t sha256_compressions(size_t len);

#endif
