/* pc_hash: the SHA-256 (0x02), RIPEMD-160 (0x03) and identity (0x04)
 * precompiles, and ecrecover (0x01).
 *
 * SHA-256 and RIPEMD-160 come from OpenSSL 3 (EVP). RIPEMD-160 may be absent
 * from OpenSSL 3's default provider, so it is looked up once and, if missing,
 * the reference implementation below (written from the RIPEMD-160 paper)
 * is used instead; the tests check the two agree whenever both exist. Work is
 * counted in compression blocks, the unit a prover's hash table is sized by.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "evm/precompiles/pc_impl.h"
#include "evm/txsig.h"

/* ---- ecrecover ---- */

int evm_pc_ecrecover_input(const uint8_t *in, size_t len, uint8_t buf[128]) {
  memset(buf, 0, 128);
  if (len) memcpy(buf, in, len < 128 ? len : 128);
  /* v is a full 32-byte word that must be exactly 27 or 28. */
  for (int i = 32; i < 63; i++)
    if (buf[i]) return -1;
  if (buf[63] != 27 && buf[63] != 28) return -1;
  return buf[63] - 27;
}

int pc_ecrecover_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint8_t buf[128];
  if (evm_pc_ecrecover_input(in, len, buf) < 0) return pc_set_output(NULL, 0, out, out_len);
  uint8_t res[32] = {0};
  int rc = evm_ecrecover(buf, buf[63] - 27, buf + 64, buf + 96, res + 12);
  if (rc == EVM_SIG_E_NOMEM) return EVM_PC_NOMEM;
  if (rc == EVM_SIG_E_INVALID) return pc_set_output(NULL, 0, out, out_len); /* r or s out of range */
  /* A recovery is the double multiplication u1*G + u2*R. */
  w->scalar_muls += 2;
  if (rc != EVM_SIG_OK) return pc_set_output(NULL, 0, out, out_len);
  return pc_set_output(res, 32, out, out_len);
}

/* ---- identity ---- */

int pc_identity_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)w;
  return pc_set_output(in, len, out, out_len);
}

/* ---- SHA-256 ---- */

int pc_sha256_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint8_t d[32];
  unsigned dl = 0;
  static const uint8_t empty = 0;
  if (!EVP_Digest(len ? in : &empty, len, d, &dl, EVP_sha256(), NULL) || dl != 32)
    return EVM_PC_NOMEM;
  w->compressions += pc_md_blocks(len);
  return pc_set_output(d, 32, out, out_len);
}

/* ---- RIPEMD-160 ---- */

static EVP_MD *g_ripemd;
static pthread_once_t g_ripemd_once = PTHREAD_ONCE_INIT;
static void ripemd_init(void) { g_ripemd = EVP_MD_fetch(NULL, "RIPEMD160", NULL); }

int pc_ripemd160_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint8_t d[32] = {0}; /* 12 zero bytes, then the 20-byte digest */
  pthread_once(&g_ripemd_once, ripemd_init);
  static const uint8_t empty = 0;
  if (g_ripemd) {
    unsigned dl = 0;
    if (!EVP_Digest(len ? in : &empty, len, d + 12, &dl, g_ripemd, NULL) || dl != 20)
      return EVM_PC_NOMEM;
  } else {
    pc_ripemd160_ref(in, len, d + 12);
  }
  w->compressions += pc_md_blocks(len);
  return pc_set_output(d, 32, out, out_len);
}

/* Reference RIPEMD-160: two parallel lines of five 16-step rounds over each
 * 64-byte block, little-endian words, Merkle-Damgard padding as MD4. */
static const uint8_t rmd_r[80] = {
    0, 1, 2,  3,  4,  5,  6,  7,  8, 9, 10, 11, 12, 13, 14, 15, 7, 4,  13, 1,  10, 6,  15, 3,  12, 0, 9,
    5, 2, 14, 11, 8,  3,  10, 14, 4, 9, 15, 8,  1,  2,  7,  0,  6, 13, 11, 5,  12, 1,  9,  11, 10, 0, 8,
    12, 4, 13, 3, 7,  15, 14, 5,  6, 2, 4,  0,  5,  9,  7,  12, 2, 10, 14, 1,  3,  8,  11, 6,  15, 13};
static const uint8_t rmd_rp[80] = {
    5,  14, 7,  0, 9, 2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12, 6,  11, 3,  7, 0,  13, 5,  10, 14, 15, 8,
    12, 4,  9,  1, 2, 15, 5,  1,  3,  7,  14, 6,  9,  11, 8,  12, 2,  10, 0,  4, 13, 8,  6,  4,  1,  3,  11,
    15, 0,  5,  12, 2, 13, 9,  7,  10, 14, 12, 15, 10, 4,  1,  5,  8,  7,  6,  2, 13, 14, 0,  3,  9,  11};
static const uint8_t rmd_s[80] = {
    11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,  7,  6,  8,  13, 11, 9,  7,  15, 7,  12, 15,
    9,  11, 7,  13, 12, 11, 13, 6,  7,  14, 9,  13, 15, 14, 8,  13, 6,  5,  12, 7,  5,  11, 12, 14, 15, 14, 15,
    9,  8,  9,  14, 5,  6,  8,  6,  5,  12, 9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6};
static const uint8_t rmd_sp[80] = {
    8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,  9,  13, 15, 7,  12, 8,  9,  11, 7,  7,  12,
    7,  6,  15, 13, 11, 9,  7,  15, 11, 8,  6,  6,  14, 12, 13, 5,  14, 13, 13, 7,  5,  15, 5,  8,  11, 14, 14,
    6,  14, 6,  9,  12, 9,  12, 5,  15, 8,  8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11};
static const uint32_t rmd_k[5] = {0x00000000u, 0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu, 0xa953fd4eu};
static const uint32_t rmd_kp[5] = {0x50a28be6u, 0x5c4dd124u, 0x6d703ef3u, 0x7a6d76e9u, 0x00000000u};

static uint32_t rol32(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

static uint32_t rmd_f(int j, uint32_t x, uint32_t y, uint32_t z) {
  switch (j / 16) {
  case 0: return x ^ y ^ z;
  case 1: return (x & y) | (~x & z);
  case 2: return (x | ~y) ^ z;
  case 3: return (x & z) | (y & ~z);
  default: return x ^ (y | ~z);
  }
}

static void rmd_block(uint32_t h[5], const uint8_t blk[64]) {
  uint32_t x[16];
  for (int i = 0; i < 16; i++)
    x[i] = (uint32_t)blk[4 * i] | (uint32_t)blk[4 * i + 1] << 8 | (uint32_t)blk[4 * i + 2] << 16 |
           (uint32_t)blk[4 * i + 3] << 24;
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  uint32_t ap = a, bp = b, cp = c, dp = d, ep = e;
  for (int j = 0; j < 80; j++) {
    uint32_t t = rol32(a + rmd_f(j, b, c, d) + x[rmd_r[j]] + rmd_k[j / 16], rmd_s[j]) + e;
    a = e;
    e = d;
    d = rol32(c, 10);
    c = b;
    b = t;
    t = rol32(ap + rmd_f(79 - j, bp, cp, dp) + x[rmd_rp[j]] + rmd_kp[j / 16], rmd_sp[j]) + ep;
    ap = ep;
    ep = dp;
    dp = rol32(cp, 10);
    cp = bp;
    bp = t;
  }
  uint32_t t = h[1] + c + dp;
  h[1] = h[2] + d + ep;
  h[2] = h[3] + e + ap;
  h[3] = h[4] + a + bp;
  h[4] = h[0] + b + cp;
  h[0] = t;
}

void pc_ripemd160_ref(const uint8_t *in, size_t len, uint8_t out[20]) {
  uint32_t h[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u};
  size_t full = len / 64;
  for (size_t i = 0; i < full; i++) rmd_block(h, in + 64 * i);
  uint8_t tail[128] = {0};
  size_t rem = len % 64;
  if (rem) memcpy(tail, in + 64 * full, rem);
  tail[rem] = 0x80;
  size_t tl = rem + 9 > 64 ? 128 : 64;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) tail[tl - 8 + i] = (uint8_t)(bits >> (8 * i));
  rmd_block(h, tail);
  if (tl == 128) rmd_block(h, tail + 64);
  for (int i = 0; i < 5; i++) {
    out[4 * i] = (uint8_t)h[i];
    out[4 * i + 1] = (uint8_t)(h[i] >> 8);
    out[4 * i + 2] = (uint8_t)(h[i] >> 16);
    out[4 * i + 3] = (uint8_t)(h[i] >> 24);
  }
}
