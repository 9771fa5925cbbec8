/* keccak: the Keccak-f[1600] permutation and Ethereum's Keccak-256.
 *
 * One permutation serves both the EVM (KECCAK256 opcode, addresses, trie and
 * transaction hashes) and the prover (the keccak AIR table counts permutations,
 * and the Merkle commitment can use Keccak-256 as a comparison backend).
 *
 * Keccak-256 here is the original Keccak submission as Ethereum uses it:
 * rate 136 bytes, capacity 512 bits, multi-rate padding with domain byte 0x01
 * (pad10*1). It is NOT FIPS 202 SHA3-256, which differs only in the domain byte
 * (0x06); keccak_sha3_256 is provided so the shared sponge can be checked
 * against an independent SHA3-256 implementation.
 *
 * Lanes are little-endian 64-bit words, state index x + 5*y, as in FIPS 202 and
 * the Keccak team's reference code. All functions are pure (no global state)
 * and thread-safe.
 */
#ifndef PKB_HASH_KECCAK_H
#define PKB_HASH_KECCAK_H

#include <stddef.h>
#include <stdint.h>

/* Rate of Keccak-256 / SHA3-256 in bytes (1600 - 2*256 bits). */
#define KECCAK256_RATE 136
#define KECCAK256_DIGEST 32

/* Keccak-f[1600], 24 rounds, in place on 25 lanes (lane i = x + 5*y). */
void keccak_f1600(uint64_t st[25]);

/* Keccak-256 of len bytes at data (data may be NULL when len == 0).
 * out may alias data. */
void keccak256(const void *data, size_t len, uint8_t out[32]);

/* FIPS 202 SHA3-256 (domain byte 0x06); same sponge as keccak256. */
void keccak_sha3_256(const void *data, size_t len, uint8_t out[32]);

/* Number of Keccak-f[1600] permutations keccak256 performs on a len-byte
 * input: the padded message has len/136 + 1 blocks (padding always adds at
 * least one byte). This is the work measure tracers report. */
uint64_t keccak256_permutations(size_t len);

/* Incremental Keccak-256. Usage: init, any number of update calls (in any
 * split of the input: the result equals keccak256 over the concatenation),
 * final once. After final the context must be re-initialised before reuse. */
typedef struct {
  uint64_t st[25];
  size_t pos;            /* bytes absorbed into the current block, < 136 */
  uint64_t permutations; /* permutations performed so far (final adds one) */
  uint8_t pad;           /* domain byte: 0x01 Keccak, 0x06 SHA3 */
} keccak256_ctx;

void keccak256_init(keccak256_ctx *c);
/* data may be NULL when len == 0. */
void keccak256_update(keccak256_ctx *c, const void *data, size_t len);
void keccak256_final(keccak256_ctx *c, uint8_t out[32]);

/* SHA3-256 flavour of the same context (final pads with 0x06). */
void keccak_sha3_256_init(keccak256_ctx *c);

#endif
