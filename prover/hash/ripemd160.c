/* ripemd160: plain-C RIPEMD-160 compression and hash (contract in
 * ripemd160.h), the reference for the RIPEMD-160 AIR and the precompile's
 * implementation where OpenSSL lacks the digest. Written for clarity over
 * speed. */
#include "hash/ripemd160.h"

#include <string.h>

const uint32_t ripemd160_iv[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
                                  0xc3d2e1f0u};

const uint8_t ripemd160_r[2][RIPEMD160_STEPS] = {
    {0, 1, 2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 7,  4,  13, 1,
     10, 6, 15, 3, 12, 0, 9, 5,  2,  14, 11, 8, 3,  10, 14, 4,  9,  15, 8,  1,
     2, 7, 0,  6,  13, 11, 5,  12, 1, 9,  11, 10, 0,  8,  12, 4,  13, 3,  7,  15,
     14, 5, 6,  2,  4,  0,  5,  9,  7,  12, 2,  10, 14, 1,  3,  8,  11, 6,  15, 13},
    {5,  14, 7,  0, 9, 2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12, 6,  11, 3,  7,
     0,  13, 5,  10, 14, 15, 8, 12, 4,  9,  1,  2,  15, 5,  1,  3,  7,  14, 6,  9,
     11, 8,  12, 2,  10, 0,  4, 13, 8,  6,  4,  1,  3,  11, 15, 0,  5,  12, 2,  13,
     9,  7,  10, 14, 12, 15, 10, 4, 1,  5,  8,  7,  6,  2,  13, 14, 0,  3,  9,  11}};

const uint8_t ripemd160_s[2][RIPEMD160_STEPS] = {
    {11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,  7,  6,  8,  13,
     11, 9,  7,  15, 7,  12, 15, 9,  11, 7,  13, 12, 11, 13, 6,  7,  14, 9,  13, 15,
     14, 8,  13, 6,  5,  12, 7,  5,  11, 12, 14, 15, 14, 15, 9,  8,  9,  14, 5,  6,
     8,  6,  5,  12, 9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6},
    {8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,  9,  13, 15, 7,
     12, 8,  9,  11, 7,  7,  12, 7,  6,  15, 13, 11, 9,  7,  15, 11, 8,  6,  6,  14,
     12, 13, 5,  14, 13, 13, 7,  5,  15, 5,  8,  11, 14, 14, 6,  14, 6,  9,  12, 9,
     12, 5,  15, 8,  8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11}};

const uint32_t ripemd160_k[2][5] = {
    {0x00000000u, 0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu, 0xa953fd4eu},
    {0x50a28be6u, 0x5c4dd124u, 0x6d703ef3u, 0x7a6d76e9u, 0x00000000u}};

static inline uint32_t rol(uint32_t x, unsigned n) { return x << n | x >> (32 - n); }

uint32_t ripemd160_f(unsigned line, unsigned round, uint32_t x, uint32_t y, uint32_t z) {
  switch (ripemd160_f_index(line, round)) {
    case 0: return x ^ y ^ z;
    case 1: return (x & y) | (~x & z);
    case 2: return (x | ~y) ^ z;
    case 3: return (x & z) | (y & ~z);
    default: return x ^ (y | ~z);
  }
}

void ripemd160_compress(uint32_t state[5], const uint8_t block[RIPEMD160_BLOCK]) {
  uint32_t x[16];
  for (unsigned i = 0; i < 16; i++) x[i] = ripemd160_block_word(block, i);
  uint32_t v[2][5]; /* A, B, C, D, E of each line */
  for (unsigned l = 0; l < 2; l++) memcpy(v[l], state, sizeof v[l]);
  for (unsigned j = 0; j < RIPEMD160_STEPS; j++)
    for (unsigned l = 0; l < 2; l++) {
      uint32_t *s = v[l];
      uint32_t t = rol(s[0] + ripemd160_f(l, j / 16, s[1], s[2], s[3]) + x[ripemd160_r[l][j]] +
                           ripemd160_k[l][j / 16],
                       ripemd160_s[l][j]) +
                   s[4];
      s[0] = s[4];
      s[4] = s[3];
      s[3] = rol(s[2], 10);
      s[2] = s[1];
      s[1] = t;
    }
  const uint32_t *L = v[0], *R = v[1];
  uint32_t t = state[1] + L[2] + R[3];
  state[1] = state[2] + L[3] + R[4];
  state[2] = state[3] + L[4] + R[0];
  state[3] = state[4] + L[0] + R[1];
  state[4] = state[0] + L[1] + R[2];
  state[0] = t;
}

uint64_t ripemd160_compressions(size_t len) { return (uint64_t)(len + 8) / RIPEMD160_BLOCK + 1; }

void ripemd160_padded_block(const uint8_t *data, size_t len, uint64_t k,
                            uint8_t block[RIPEMD160_BLOCK]) {
  uint64_t n = ripemd160_compressions(len), off = k * RIPEMD160_BLOCK;
  size_t take = off < len ? (size_t)(len - off) : 0;
  if (take > RIPEMD160_BLOCK) take = RIPEMD160_BLOCK;
  if (take) memcpy(block, data + off, take);
  memset(block + take, 0, RIPEMD160_BLOCK - take);
  if (take < RIPEMD160_BLOCK && off + take == len) block[take] = 0x80; /* the data ends here */
  if (k == n - 1) {
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) block[56 + i] = (uint8_t)(bits >> (8 * i));
  }
}

void ripemd160(const void *data, size_t len, uint8_t out[RIPEMD160_DIGEST]) {
  uint32_t st[5];
  memcpy(st, ripemd160_iv, sizeof st);
  uint64_t n = ripemd160_compressions(len);
  uint8_t blk[RIPEMD160_BLOCK];
  for (uint64_t k = 0; k < n; k++) {
    ripemd160_padded_block(data, len, k, blk);
    ripemd160_compress(st, blk);
  }
  for (int i = 0; i < 5; i++) {
    out[4 * i] = (uint8_t)st[i];
    out[4 * i + 1] = (uint8_t)(st[i] >> 8);
    out[4 * i + 2] = (uint8_t)(st[i] >> 16);
    out[4 * i + 3] = (uint8_t)(st[i] >> 24);
  }
}
