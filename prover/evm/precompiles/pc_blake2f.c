/* pc_blake2f: the BLAKE2F precompile (0x09, EIP-152), the BLAKE2b
 * compression function F of RFC 7693 with a caller-chosen number of rounds.
 *
 * Input, exactly 213 bytes: rounds (4 bytes big-endian), h (8 x 8 bytes), m
 * (16 x 8 bytes), t0, t1 (8 bytes each), f (1 byte, 0 or 1); words are
 * little-endian. Output: the new h, 64 bytes. Gas is one per round, so the
 * round count is also the work reported: up to 2^32 - 1 rounds in one call.
 */
#include <string.h>

#include "evm/precompiles/pc_impl.h"

#define BLAKE2F_INPUT_LEN 213

static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

/* Message word schedule; round i uses row i mod 10. */
static const uint8_t blake2b_sigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

#define G(a, b, c, d, x, y)         \
  do {                              \
    v[a] = v[a] + v[b] + (x);       \
    v[d] = rotr64(v[d] ^ v[a], 32); \
    v[c] = v[c] + v[d];             \
    v[b] = rotr64(v[b] ^ v[c], 24); \
    v[a] = v[a] + v[b] + (y);       \
    v[d] = rotr64(v[d] ^ v[a], 16); \
    v[c] = v[c] + v[d];             \
    v[b] = rotr64(v[b] ^ v[c], 63); \
  } while (0)

/* Hot for a 2^32-round call: no allocation, no branches besides the loop. */
void pc_blake2b_compress(uint64_t h[8], const uint64_t m[16], uint64_t t0, uint64_t t1, int f,
                         uint32_t rounds) {
  uint64_t v[16];
  for (int i = 0; i < 8; i++) {
    v[i] = h[i];
    v[i + 8] = blake2b_iv[i];
  }
  v[12] ^= t0;
  v[13] ^= t1;
  if (f) v[14] = ~v[14];
  for (uint32_t r = 0; r < rounds; r++) {
    const uint8_t *s = blake2b_sigma[r % 10];
    G(0, 4, 8, 12, m[s[0]], m[s[1]]);
    G(1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(2, 6, 10, 14, m[s[4]], m[s[5]]);
    G(3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(0, 5, 10, 15, m[s[8]], m[s[9]]);
    G(1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(2, 7, 8, 13, m[s[12]], m[s[13]]);
    G(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

static uint64_t load_le64(const uint8_t *p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; i--) x = x << 8 | p[i];
  return x;
}

static void store_le64(uint8_t *p, uint64_t x) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t rounds_of(const uint8_t *in) {
  return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

uint64_t pc_blake2f_gas(const uint8_t *in, size_t len) {
  if (len != BLAKE2F_INPUT_LEN || !in) return 0; /* the call fails; EIP-152 prices it at 0 */
  return rounds_of(in);
}

int pc_blake2f_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  if (len != BLAKE2F_INPUT_LEN) return EVM_PC_FAIL;
  uint8_t f = in[212];
  if (f > 1) return EVM_PC_FAIL;
  uint32_t rounds = rounds_of(in);
  uint64_t h[8], m[16];
  for (int i = 0; i < 8; i++) h[i] = load_le64(in + 4 + 8 * i);
  for (int i = 0; i < 16; i++) m[i] = load_le64(in + 68 + 8 * i);
  uint64_t t0 = load_le64(in + 196), t1 = load_le64(in + 204);
  pc_blake2b_compress(h, m, t0, t1, f, rounds);
  w->rounds += rounds;
  uint8_t res[64];
  for (int i = 0; i < 8; i++) store_le64(res + 8 * i, h[i]);
  return pc_set_output(res, 64, out, out_len);
}
