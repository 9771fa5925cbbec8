/* ripemd160: plain-C RIPEMD-160 compression and hash (contract in
 * ripemd160.h), the reference for the RIPEMD-160 AIR and the precompile's
 * implementation where OpenSSL lacks the digest. Written for clarity over
 * speed. */
#include "hash/ripemd160.h"

#include <string.h>

const uint32_t ripemd160_iv[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
                                  0xc3d2e1f0u};

const uint8_t ripemd160_r[2][RIPEMD160_STEPS] = RIPEMD160_R_INIT;
const uint8_t ripemd160_s[2][RIPEMD160_STEPS] = RIPEMD160_S_INIT;
const uint32_t ripemd160_k[2][5] = RIPEMD160_K_INIT;

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
