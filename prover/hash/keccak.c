/* keccak: Keccak-f[1600] and the Keccak-256 / SHA3-256 sponge.
 *
 * Hot path: the EVM calls keccak256 for every KECCAK256 opcode, every address
 * and every trie node, so the permutation is written out in full (two rounds
 * per loop iteration with the state renamed between two sets of 25 locals, so
 * no copies between rounds) on plain 64-bit lanes. Theta, rho, pi, chi and
 * iota are fused per output plane: the five lanes of an output plane come from
 * five input lanes, one per input plane, at the positions pi sends there.
 * The sponge works on lanes when absorbing whole blocks and on bytes for the
 * unaligned head and tail; lanes are little-endian regardless of the host.
 */
#include "hash/keccak.h"

#include <string.h>

static const uint64_t keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
    0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
    0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation by a constant 0 < n < 64. */
#define ROL64(a, n) (((a) << (n)) | ((a) >> (64 - (n))))

/* One round from the 25 locals named A##xy to those named E##xy.
 * Lane names: plane (y) letter b,g,k,m,s for y = 0..4, column (x) letter
 * a,e,i,o,u for x = 0..4, as in the Keccak team's documentation. Rotation
 * amounts are rho's offsets r[x][y]; output plane Y takes input lane (x, y)
 * with X = y, Y = 2x + 3y (pi). */
#define KECCAK_ROUND(A, E, rc)                                                   \
  do {                                                                           \
    uint64_t Ca = A##ba ^ A##ga ^ A##ka ^ A##ma ^ A##sa;                         \
    uint64_t Ce = A##be ^ A##ge ^ A##ke ^ A##me ^ A##se;                         \
    uint64_t Ci = A##bi ^ A##gi ^ A##ki ^ A##mi ^ A##si;                         \
    uint64_t Co = A##bo ^ A##go ^ A##ko ^ A##mo ^ A##so;                         \
    uint64_t Cu = A##bu ^ A##gu ^ A##ku ^ A##mu ^ A##su;                         \
    uint64_t Da = Cu ^ ROL64(Ce, 1);                                             \
    uint64_t De = Ca ^ ROL64(Ci, 1);                                             \
    uint64_t Di = Ce ^ ROL64(Co, 1);                                             \
    uint64_t Do = Ci ^ ROL64(Cu, 1);                                             \
    uint64_t Du = Co ^ ROL64(Ca, 1);                                             \
    uint64_t B0, B1, B2, B3, B4;                                                 \
    B0 = A##ba ^ Da;                                                             \
    B1 = ROL64(A##ge ^ De, 44);                                                  \
    B2 = ROL64(A##ki ^ Di, 43);                                                  \
    B3 = ROL64(A##mo ^ Do, 21);                                                  \
    B4 = ROL64(A##su ^ Du, 14);                                                  \
    E##ba = B0 ^ (~B1 & B2) ^ (rc);                                              \
    E##be = B1 ^ (~B2 & B3);                                                     \
    E##bi = B2 ^ (~B3 & B4);                                                     \
    E##bo = B3 ^ (~B4 & B0);                                                     \
    E##bu = B4 ^ (~B0 & B1);                                                     \
    B0 = ROL64(A##bo ^ Do, 28);                                                  \
    B1 = ROL64(A##gu ^ Du, 20);                                                  \
    B2 = ROL64(A##ka ^ Da, 3);                                                   \
    B3 = ROL64(A##me ^ De, 45);                                                  \
    B4 = ROL64(A##si ^ Di, 61);                                                  \
    E##ga = B0 ^ (~B1 & B2);                                                     \
    E##ge = B1 ^ (~B2 & B3);                                                     \
    E##gi = B2 ^ (~B3 & B4);                                                     \
    E##go = B3 ^ (~B4 & B0);                                                     \
    E##gu = B4 ^ (~B0 & B1);                                                     \
    B0 = ROL64(A##be ^ De, 1);                                                   \
    B1 = ROL64(A##gi ^ Di, 6);                                                   \
    B2 = ROL64(A##ko ^ Do, 25);                                                  \
    B3 = ROL64(A##mu ^ Du, 8);                                                   \
    B4 = ROL64(A##sa ^ Da, 18);                                                  \
    E##ka = B0 ^ (~B1 & B2);                                                     \
    E##ke = B1 ^ (~B2 & B3);                                                     \
    E##ki = B2 ^ (~B3 & B4);                                                     \
    E##ko = B3 ^ (~B4 & B0);                                                     \
    E##ku = B4 ^ (~B0 & B1);                                                     \
    B0 = ROL64(A##bu ^ Du, 27);                                                  \
    B1 = ROL64(A##ga ^ Da, 36);                                                  \
    B2 = ROL64(A##ke ^ De, 10);                                                  \
    B3 = ROL64(A##mi ^ Di, 15);                                                  \
    B4 = ROL64(A##so ^ Do, 56);                                                  \
    E##ma = B0 ^ (~B1 & B2);                                                     \
    E##me = B1 ^ (~B2 & B3);                                                     \
    E##mi = B2 ^ (~B3 & B4);                                                     \
    E##mo = B3 ^ (~B4 & B0);                                                     \
    E##mu = B4 ^ (~B0 & B1);                                                     \
    B0 = ROL64(A##bi ^ Di, 62);                                                  \
    B1 = ROL64(A##go ^ Do, 55);                                                  \
    B2 = ROL64(A##ku ^ Du, 39);                                                  \
    B3 = ROL64(A##ma ^ Da, 41);                                                  \
    B4 = ROL64(A##se ^ De, 2);                                                   \
    E##sa = B0 ^ (~B1 & B2);                                                     \
    E##se = B1 ^ (~B2 & B3);                                                     \
    E##si = B2 ^ (~B3 & B4);                                                     \
    E##so = B3 ^ (~B4 & B0);                                                     \
    E##su = B4 ^ (~B0 & B1);                                                     \
  } while (0)

#define KECCAK_LANES(P)                                                          \
  uint64_t P##ba, P##be, P##bi, P##bo, P##bu, P##ga, P##ge, P##gi, P##go, P##gu, \
      P##ka, P##ke, P##ki, P##ko, P##ku, P##ma, P##me, P##mi, P##mo, P##mu,      \
      P##sa, P##se, P##si, P##so, P##su

void keccak_f1600(uint64_t st[25]) {
  KECCAK_LANES(A);
  KECCAK_LANES(E);
  Aba = st[0];  Abe = st[1];  Abi = st[2];  Abo = st[3];  Abu = st[4];
  Aga = st[5];  Age = st[6];  Agi = st[7];  Ago = st[8];  Agu = st[9];
  Aka = st[10]; Ake = st[11]; Aki = st[12]; Ako = st[13]; Aku = st[14];
  Ama = st[15]; Ame = st[16]; Ami = st[17]; Amo = st[18]; Amu = st[19];
  Asa = st[20]; Ase = st[21]; Asi = st[22]; Aso = st[23]; Asu = st[24];
  for (int r = 0; r < 24; r += 2) {
    KECCAK_ROUND(A, E, keccak_rc[r]);
    KECCAK_ROUND(E, A, keccak_rc[r + 1]);
  }
  st[0] = Aba;  st[1] = Abe;  st[2] = Abi;  st[3] = Abo;  st[4] = Abu;
  st[5] = Aga;  st[6] = Age;  st[7] = Agi;  st[8] = Ago;  st[9] = Agu;
  st[10] = Aka; st[11] = Ake; st[12] = Aki; st[13] = Ako; st[14] = Aku;
  st[15] = Ama; st[16] = Ame; st[17] = Ami; st[18] = Amo; st[19] = Amu;
  st[20] = Asa; st[21] = Ase; st[22] = Asi; st[23] = Aso; st[24] = Asu;
}

static inline uint64_t load64_le(const uint8_t *p) {
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
         (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
         (uint64_t)p[7] << 56;
}

static inline void xor_byte(uint64_t st[25], size_t i, uint8_t b) {
  st[i >> 3] ^= (uint64_t)b << (8 * (i & 7));
}

uint64_t keccak256_permutations(size_t len) { return (uint64_t)(len / KECCAK256_RATE) + 1; }

static void ctx_init(keccak256_ctx *c, uint8_t pad) {
  memset(c->st, 0, sizeof c->st);
  c->pos = 0;
  c->permutations = 0;
  c->pad = pad;
}

void keccak256_init(keccak256_ctx *c) { ctx_init(c, 0x01); }
void keccak_sha3_256_init(keccak256_ctx *c) { ctx_init(c, 0x06); }

void keccak256_update(keccak256_ctx *c, const void *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  if (len == 0) return;
  /* Finish a partial block byte by byte. */
  while (c->pos != 0 && len > 0) {
    xor_byte(c->st, c->pos, *p++);
    len--;
    if (++c->pos == KECCAK256_RATE) {
      keccak_f1600(c->st);
      c->permutations++;
      c->pos = 0;
    }
  }
  /* Whole blocks lane by lane. A block that ends exactly at the end of the
   * input is absorbed now; final then pads into a fresh block, which matches
   * len/136 + 1 permutations in total. */
  while (len >= KECCAK256_RATE) {
    for (int i = 0; i < KECCAK256_RATE / 8; i++) c->st[i] ^= load64_le(p + 8 * i);
    keccak_f1600(c->st);
    c->permutations++;
    p += KECCAK256_RATE;
    len -= KECCAK256_RATE;
  }
  for (size_t i = 0; i < len; i++) xor_byte(c->st, c->pos + i, p[i]);
  c->pos += len;
}

void keccak256_final(keccak256_ctx *c, uint8_t out[32]) {
  /* pad10*1 with the domain bits in the first padding byte; when only one
   * byte of the block is left both land in it (0x81 / 0x86). */
  xor_byte(c->st, c->pos, c->pad);
  xor_byte(c->st, KECCAK256_RATE - 1, 0x80);
  keccak_f1600(c->st);
  c->permutations++;
  for (int i = 0; i < 4; i++) {
    uint64_t w = c->st[i];
    for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(w >> (8 * j));
  }
  c->pos = 0;
}

void keccak256(const void *data, size_t len, uint8_t out[32]) {
  keccak256_ctx c;
  keccak256_init(&c);
  keccak256_update(&c, data, len);
  keccak256_final(&c, out);
}

void keccak_sha3_256(const void *data, size_t len, uint8_t out[32]) {
  keccak256_ctx c;
  keccak_sha3_256_init(&c);
  keccak256_update(&c, data, len);
  keccak256_final(&c, out);
}
