/* mutate: the structure-aware block mutator (see mutate.h).
 *
 * Workload: called once per fuzzer execution (libFuzzer, AFL++) or per
 * candidate of a search, so it must cost far less than executing the block:
 * one decode, a handful of edits on the decoded block, a linear fix-up pass
 * and one encode. Nothing here executes the block.
 *
 * Shape: the operators (mut_apply) only have to keep the block decodable in
 * memory (allocations owned as blk_free expects); every protocol rule is then
 * restored in one place, mut_fixup, so an operator may freely break nonces,
 * fees, gas sums, type rules or code uniqueness. The snippets inserted by
 * CODE_PATTERN and CODE_LOOP are stack-neutral and self-contained (they push
 * their own operands), so they can go anywhere in a code without needing what
 * the surrounding instructions left on the stack.
 */
#include "mutate.h"

#include <stdlib.h>
#include <string.h>

#include "evm/evm.h"
#include "evm/gas.h"
#include "evm/txsig.h"
#include "evm/u256.h"
#include "gen.h"
#include "pc_vectors.h"

#define OP(name) ((uint8_t)EVM_OP_##name)

/* Test keys the mutator signs its own EIP-7702 authorizations with; any key
 * may still be a sender (mut_fixup follows the nonces either way). */
#define MUT_AUTH_KEY0 1000u
#define MUT_AUTH_KEYS 24u
/* Sender keys of the transactions the mutator adds. */
#define MUT_SENDER_KEYS 16u
/* Bytes of b's codes a crossover may bring into a. */
#define MUT_CROSS_CODE_BYTES (256u << 10)
/* Extra balance a sender gets over what its transactions can spend. */
#define MUT_BALANCE_MARGIN 1000000000000000000ull

/* ---- names, options, PRNG ---- */

static const char *const op_names[MUT_OP_COUNT] = {
#define X(id, desc) #id,
    MUT_OPS(X)
#undef X
};
static const char *const op_descs[MUT_OP_COUNT] = {
#define X(id, desc) desc,
    MUT_OPS(X)
#undef X
};

const char *mut_op_name(mut_op op) { return (unsigned)op < MUT_OP_COUNT ? op_names[op] : NULL; }
const char *mut_op_desc(mut_op op) { return (unsigned)op < MUT_OP_COUNT ? op_descs[op] : NULL; }

mut_opts mut_opts_default(void) {
  mut_opts o;
  memset(&o, 0, sizeof o);
  o.max_ops = 3;
  o.max_txs = 4096;
  o.max_code = EVM_MAX_CODE_SIZE;
  o.max_data = 16384;
  o.tx_gas_cap = GEN_TX_GAS_CAP;
  return o;
}

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void mut_rng_seed(mut_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t mut_rng_next(mut_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

uint64_t mut_rng_below(mut_rng *r, uint64_t n) { return n ? mut_rng_next(r) % n : 0; }

static int coin(mut_rng *r, unsigned one_in) { return mut_rng_below(r, one_in) == 0; }

/* Random bytes, the same on every platform (no dependence on byte order). */
static void rand_bytes(mut_rng *r, uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t x = mut_rng_next(r);
    for (size_t k = 0; k < 8 && i + k < n; k++) p[i + k] = (uint8_t)(x >> (8 * k));
  }
}

/* ---- small utilities ---- */

static void set_u64(blk_u256 *v, uint64_t x) {
  memset(v->b, 0, 32);
  for (int i = 0; i < 8; i++) v->b[31 - i] = (uint8_t)(x >> (8 * i));
}

static int fits_bits(const blk_u256 *v, unsigned bits) {
  for (unsigned i = 0; i < 32 - bits / 8; i++)
    if (v->b[i]) return 0;
  return 1;
}

static uint64_t low_u64(const blk_u256 *v) {
  uint64_t x = 0;
  for (int i = 24; i < 32; i++) x = x << 8 | v->b[i];
  return x;
}

static int is_zero_bytes(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

/* p (n elements of sz bytes) grown by one zeroed element; NULL (p left as
 * it was) on failure. */
static void *grow_one(void *p, size_t n, size_t sz) {
  uint8_t *np = realloc(p, (n + 1) * sz);
  if (np) memset(np + n * sz, 0, sz);
  return np;
}

/* An interesting 256-bit value for immediates, storage and calldata words. */
static void interesting(mut_rng *r, uint8_t v[32]) {
  memset(v, 0, 32);
  uint64_t x;
  switch (mut_rng_below(r, 14)) {
    case 0: return; /* 0 */
    case 1: x = 1 + mut_rng_below(r, 3); break;
    case 2: { /* word sizes and memory offsets */
      static const uint64_t w[] = {31, 32, 33, 63, 64, 96, 128, 192, 213, 255, 256, 1024, 4096, 8192, 0x7fff, 0x8000,
                                   0xffff, 24576, 49152, 0xa000};
      x = w[mut_rng_below(r, sizeof w / sizeof w[0])];
      break;
    }
    case 3: x = 136 * (1 + mut_rng_below(r, 60)) - 1; break; /* keccak: one byte short of k rate blocks */
    case 4: x = 1 + mut_rng_below(r, 0x11); break;          /* precompile addresses */
    case 5: x = 0x100; break;                                /* P256VERIFY */
    case 6: v[0] = 0x80; return;                             /* 2^255 */
    case 7: memset(v, 0xff, 32); return;                     /* 2^256 - 1 */
    case 8: memset(v, 0xff, 32); v[31] = 0xfe; return;       /* 2^256 - 2 */
    case 9: memset(v, 0xff, 32); v[0] = 0x7f; return;        /* 2^255 - 1 */
    case 10: memset(v + 24, 0xff, 8); return;                /* 2^64 - 1 */
    case 11: x = mut_rng_below(r, 1u << 16); break;
    case 12: x = mut_rng_next(r); break;
    default:
      rand_bytes(r, v, 32);
      return;
  }
  for (int i = 0; i < 8; i++) v[31 - i] = (uint8_t)(x >> (8 * i));
}

/* ---- instructions ---- */

static size_t imm_len(uint8_t op) { return op >= OP(PUSH1) && op <= OP(PUSH32) ? (size_t)(op - OP(PUSH1) + 1) : 0; }

size_t mut_insn_len(const uint8_t *code, size_t len, size_t pc) {
  if (pc >= len) return 0;
  size_t n = 1 + imm_len(code[pc]);
  return pc + n > len ? len - pc : n;
}

/* Instruction boundaries of code: every instruction start, then len when the
 * last instruction is complete. starts has room for len + 1 entries. */
static size_t boundaries(const uint8_t *c, size_t len, size_t *starts) {
  size_t n = 0, pc = 0;
  while (pc < len) {
    starts[n++] = pc;
    size_t l = 1 + imm_len(c[pc]);
    if (pc + l > len) return n; /* a PUSH cut by the end: no boundary after it */
    pc += l;
  }
  starts[n++] = len;
  return n;
}

/* ---- code assembly ---- */

typedef struct {
  uint8_t *b;
  size_t n, cap;
  int oom;
} mbuf;

static void put(mbuf *m, const uint8_t *p, size_t n) {
  if (m->oom || n == 0) return;
  if (m->n + n > m->cap) {
    size_t cap = m->cap ? m->cap : 128;
    while (cap < m->n + n) cap *= 2;
    uint8_t *nb = realloc(m->b, cap);
    if (!nb) {
      m->oom = 1;
      return;
    }
    m->b = nb;
    m->cap = cap;
  }
  memcpy(m->b + m->n, p, n);
  m->n += n;
}

static void put1(mbuf *m, uint8_t b) { put(m, &b, 1); }

/* PUSH of the minimal width (PUSH0 for zero). */
static void put_push(mbuf *m, const uint8_t v[32]) {
  size_t k = 0;
  while (k < 32 && v[k] == 0) k++;
  if (k == 32) {
    put1(m, OP(PUSH0));
    return;
  }
  put1(m, (uint8_t)(OP(PUSH1) + (31 - k)));
  put(m, v + k, 32 - k);
}

static void put_push64(mbuf *m, uint64_t x) {
  uint8_t v[32] = {0};
  for (int i = 0; i < 8; i++) v[31 - i] = (uint8_t)(x >> (8 * i));
  put_push(m, v);
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0; }

static size_t from_hex(const char *h, uint8_t *out, size_t cap) {
  size_t n = 0;
  for (; h[0] && h[1] && n < cap; h += 2) out[n++] = (uint8_t)(hexval(h[0]) << 4 | hexval(h[1]));
  return n;
}

/* Worst-case precompile inputs: the known-good vectors (the precompile does
 * its whole computation) and generated modexp / blake2f inputs. */
typedef struct {
  uint16_t addr;
  blk_fork since;
  const char *hex; /* NULL: generated */
  size_t ret;
} pc_case;

static const pc_case pc_cases[] = {
    {0x01, BLK_FORK_CANCUN, PCV_ECRECOVER, 32},   {0x07, BLK_FORK_CANCUN, PCV_BN_MUL, 64},
    {0x08, BLK_FORK_CANCUN, PCV_BN_PAIRING, 32},  {0x06, BLK_FORK_CANCUN, PCV_BN_ADD, 64},
    {0x0a, BLK_FORK_CANCUN, PCV_POINT_EVAL, 64},  {0x0f, BLK_FORK_PRAGUE, PCV_BLS_PAIRING, 32},
    {0x0c, BLK_FORK_PRAGUE, PCV_BLS_G1MSM7, 128}, {0x11, BLK_FORK_PRAGUE, PCV_BLS_MAP_G2, 256},
    {0x100, BLK_FORK_OSAKA, PCV_P256, 32},        {0x05, BLK_FORK_CANCUN, NULL, 0},
    {0x09, BLK_FORK_CANCUN, NULL, 64},
};
#define N_PC_CASES (sizeof pc_cases / sizeof pc_cases[0])

/* A modexp input: lengths from the costly shapes (small even modulus with a
 * long exponent, or wide operands), exponent bytes all high. */
static size_t modexp_input(mut_rng *r, uint8_t *in, size_t cap) {
  static const uint16_t lens[] = {1, 8, 16, 32, 64, 112, 128, 256, 512};
  size_t bl = lens[mut_rng_below(r, 9)], el = lens[mut_rng_below(r, 9)], ml = lens[mut_rng_below(r, 9)];
  size_t n = 96 + bl + el + ml;
  if (n > cap) return 0;
  memset(in, 0, n);
  in[30] = (uint8_t)(bl >> 8), in[31] = (uint8_t)bl;
  in[62] = (uint8_t)(el >> 8), in[63] = (uint8_t)el;
  in[94] = (uint8_t)(ml >> 8), in[95] = (uint8_t)ml;
  for (size_t i = 0; i < bl + el + ml; i++) in[96 + i] = (uint8_t)(0xff - (mut_rng_next(r) & 0x0f));
  if (coin(r, 2)) in[n - 1] &= 0xfe; /* even modulus: the slow path of several implementations */
  return n;
}

static size_t blake2f_input(mut_rng *r, uint8_t *in) {
  static const uint32_t rounds[] = {12, 1000, 20000, 100000, 1000000};
  uint32_t k = rounds[mut_rng_below(r, 5)];
  in[0] = (uint8_t)(k >> 24), in[1] = (uint8_t)(k >> 16), in[2] = (uint8_t)(k >> 8), in[3] = (uint8_t)k;
  for (int i = 4; i < 212; i++) in[i] = (uint8_t)mut_rng_next(r);
  in[212] = 1;
  return 213;
}

#define PC_IN_MAX 1664

/* Input of case c into in (PC_IN_MAX bytes). */
static size_t pc_input(const pc_case *c, mut_rng *r, uint8_t *in) {
  if (c->hex) return from_hex(c->hex, in, PC_IN_MAX);
  if (c->addr == 0x05) return modexp_input(r, in, PC_IN_MAX);
  return blake2f_input(r, in);
}

static const pc_case *pick_pc(mut_rng *r, blk_fork fork) {
  for (;;) {
    const pc_case *c = &pc_cases[mut_rng_below(r, N_PC_CASES)];
    if (c->since <= fork) return c;
  }
}

enum {
  SN_MULMOD, SN_ADDMOD, SN_DIV, SN_SDIV, SN_MOD, SN_EXP, SN_KECCAK, SN_MCOPY, SN_CALLDATACOPY, SN_SLOAD_COLD,
  SN_SSTORE_NEW, SN_BALANCE_COLD, SN_EXTCODESIZE_COLD, SN_EXTCODEHASH_COLD, SN_JUMPDEST, SN_PRECOMPILE,
  SN_HASH_BIG, SN_COUNT
};

static void put_word_rand(mbuf *m, mut_rng *r, int odd) {
  uint8_t v[32];
  for (int i = 0; i < 32; i++) v[i] = (uint8_t)mut_rng_next(r);
  v[0] |= 0x80;
  if (odd) v[31] |= 1;
  put_push(m, v);
}

/* One stack-neutral, self-contained costly snippet. */
static void snippet(mbuf *m, mut_rng *r, blk_fork fork, int which) {
  switch (which) {
    case SN_MULMOD:
    case SN_ADDMOD: {
      unsigned k = 1 + (unsigned)mut_rng_below(r, 4);
      for (unsigned i = 0; i < k; i++) {
        put_word_rand(m, r, 1); /* modulus: odd, never zero */
        put_word_rand(m, r, 0);
        put_word_rand(m, r, 0);
        put1(m, which == SN_MULMOD ? OP(MULMOD) : OP(ADDMOD));
        put1(m, OP(POP));
      }
      break;
    }
    case SN_DIV:
    case SN_SDIV:
    case SN_MOD:
    case SN_EXP: {
      static const uint8_t ops[] = {EVM_OP_DIV, EVM_OP_SDIV, EVM_OP_MOD, EVM_OP_EXP};
      unsigned k = 1 + (unsigned)mut_rng_below(r, 4);
      for (unsigned i = 0; i < k; i++) {
        put_word_rand(m, r, 1);
        put_word_rand(m, r, 0);
        put1(m, ops[which - SN_DIV]);
        put1(m, OP(POP));
      }
      break;
    }
    case SN_KECCAK:
      put_push64(m, 136 * (1 + mut_rng_below(r, 60)) - 1);
      put1(m, OP(PUSH0));
      put1(m, OP(KECCAK256));
      put1(m, OP(POP));
      break;
    case SN_MCOPY:
      put_push64(m, 32 * (1 + mut_rng_below(r, 1024)));
      put1(m, OP(PUSH0));
      put_push64(m, 32);
      put1(m, OP(MCOPY));
      break;
    case SN_CALLDATACOPY:
      put_push64(m, 32 * (1 + mut_rng_below(r, 1024)));
      put1(m, OP(PUSH0));
      put1(m, OP(PUSH0));
      put1(m, OP(CALLDATACOPY));
      break;
    case SN_SLOAD_COLD: /* GAS differs at every step: a fresh key each time */
      put1(m, OP(GAS)), put1(m, OP(SLOAD)), put1(m, OP(POP));
      break;
    case SN_SSTORE_NEW:
      put1(m, OP(GAS)), put1(m, OP(DUP1)), put1(m, OP(SSTORE));
      break;
    case SN_BALANCE_COLD:
      put1(m, OP(GAS)), put1(m, OP(BALANCE)), put1(m, OP(POP));
      break;
    case SN_EXTCODESIZE_COLD:
      put1(m, OP(GAS)), put1(m, OP(EXTCODESIZE)), put1(m, OP(POP));
      break;
    case SN_EXTCODEHASH_COLD:
      put1(m, OP(GAS)), put1(m, OP(EXTCODEHASH)), put1(m, OP(POP));
      break;
    case SN_JUMPDEST: {
      unsigned k = 1 + (unsigned)mut_rng_below(r, 64);
      for (unsigned i = 0; i < k; i++) put1(m, OP(JUMPDEST));
      break;
    }
    case SN_PRECOMPILE: {
      /* the input goes to memory at 0 word by word, then one STATICCALL */
      const pc_case *c = pick_pc(r, fork);
      uint8_t in[PC_IN_MAX + 32] = {0};
      size_t n = pc_input(c, r, in);
      for (size_t off = 0; off < n; off += 32) {
        put1(m, OP(PUSH32));
        put(m, in + off, 32);
        put_push64(m, off);
        put1(m, OP(MSTORE));
      }
      put_push64(m, c->ret);
      put_push64(m, 0);
      put_push64(m, n);
      put_push64(m, 0);
      put_push64(m, c->addr);
      put1(m, OP(GAS));
      put1(m, OP(STATICCALL));
      put1(m, OP(POP));
      break;
    }
    default: { /* SHA-256, RIPEMD-160 or identity over a big memory range */
      static const uint8_t addrs[] = {0x02, 0x03, 0x04};
      put_push64(m, 32);
      put_push64(m, 0);
      put_push64(m, 32 * (1 + mut_rng_below(r, 256)));
      put_push64(m, 0);
      put_push64(m, addrs[mut_rng_below(r, 3)]);
      put1(m, OP(GAS));
      put1(m, OP(STATICCALL));
      put1(m, OP(POP));
      break;
    }
  }
}

/* A contract that loops over 1..4 snippets, unrolled to stay within max_code. */
static int loop_code(mut_rng *r, blk_fork fork, size_t max_code, mbuf *out) {
  mbuf body = {0};
  unsigned k = 1 + (unsigned)mut_rng_below(r, 4);
  for (unsigned i = 0; i < k; i++) snippet(&body, r, fork, (int)mut_rng_below(r, SN_COUNT));
  if (body.oom) {
    free(body.b);
    return MUT_E_NOMEM;
  }
  size_t unroll = 1u << mut_rng_below(r, 6);
  while (unroll > 1 && 1 + body.n * unroll + 4 > max_code) unroll /= 2;
  put1(out, OP(JUMPDEST));
  for (size_t u = 0; u < unroll; u++) put(out, body.b, body.n);
  put(out, (const uint8_t[]){OP(PUSH2), 0, 0, OP(JUMP)}, 4);
  free(body.b);
  return out->oom ? MUT_E_NOMEM : MUT_OK;
}

/* ---- bytecode operators ---- */

/* Replace old[pos, pos + del) of *c by ins[0..n). Jump targets "PUSHk dest;
 * JUMP(I)" outside the edit whose dest was a JUMPDEST of the old code after
 * the edit are moved with it when the new offset fits k bytes. */
static int code_replace(blk_bytes *c, size_t pos, size_t del, const uint8_t *ins, size_t n) {
  size_t old_len = c->len, new_len = old_len - del + n;
  uint8_t *nb = malloc(new_len ? new_len : 1);
  uint8_t *is_start = calloc(old_len + 1, 1);
  if (!nb || !is_start) {
    free(nb);
    free(is_start);
    return MUT_E_NOMEM;
  }
  for (size_t pc = 0; pc < old_len; pc += 1 + imm_len(c->data[pc])) is_start[pc] = 1;
  memcpy(nb, c->data, pos);
  if (n) memcpy(nb + pos, ins, n);
  memcpy(nb + pos + n, c->data + pos + del, old_len - pos - del);
  if (n != del) {
    for (size_t pc = 0; pc < new_len;) {
      size_t k = imm_len(nb[pc]), l = 1 + k;
      int outside = pc + l < pos || pc >= pos + n;
      if (k && k <= 4 && pc + l < new_len && outside && (nb[pc + l] == OP(JUMP) || nb[pc + l] == OP(JUMPI))) {
        uint64_t v = 0;
        for (size_t i = 0; i < k; i++) v = v << 8 | nb[pc + 1 + i];
        if (v >= pos + del && v < old_len && is_start[v] && c->data[v] == OP(JUMPDEST)) {
          uint64_t nv = v - del + n;
          if (k == 8 || nv >> (8 * k) == 0)
            for (size_t i = 0; i < k; i++) nb[pc + k - i] = (uint8_t)(nv >> (8 * i));
        }
      }
      pc += l;
    }
  }
  free(is_start);
  free(c->data);
  c->data = nb;
  c->len = new_len;
  return MUT_OK;
}

static const uint8_t useful_ops[] = {
    EVM_OP_ADD,    EVM_OP_MUL,      EVM_OP_DIV,        EVM_OP_MOD,     EVM_OP_ADDMOD,       EVM_OP_MULMOD,
    EVM_OP_EXP,    EVM_OP_KECCAK256, EVM_OP_SLOAD,     EVM_OP_SSTORE,  EVM_OP_BALANCE,      EVM_OP_EXTCODESIZE,
    EVM_OP_MLOAD,  EVM_OP_MSTORE,   EVM_OP_MCOPY,      EVM_OP_CALLDATALOAD, EVM_OP_CALLDATACOPY, EVM_OP_GAS,
    EVM_OP_DUP1,   EVM_OP_DUP2,     EVM_OP_SWAP1,      EVM_OP_POP,     EVM_OP_JUMPDEST,     EVM_OP_STATICCALL,
    EVM_OP_CALL,   EVM_OP_LOG1,     EVM_OP_TSTORE,     EVM_OP_TLOAD,   EVM_OP_CREATE2,      EVM_OP_RETURN};

/* 1..4 random instructions (PUSH immediates complete). */
static void random_insns(mbuf *m, mut_rng *r, blk_fork fork) {
  unsigned k = 1 + (unsigned)mut_rng_below(r, 4);
  for (unsigned i = 0; i < k; i++) {
    uint8_t op;
    if (coin(r, 3)) {
      uint8_t v[32];
      interesting(r, v);
      put_push(m, v);
      continue;
    }
    if (coin(r, 2)) {
      op = useful_ops[mut_rng_below(r, sizeof useful_ops)];
    } else {
      do op = (uint8_t)mut_rng_below(r, 256);
      while (!evm_op_defined(fork, op));
    }
    put1(m, op);
    for (size_t j = 0; j < imm_len(op); j++) put1(m, (uint8_t)mut_rng_next(r));
  }
}

/* A run of 1..8 instructions between two boundaries: [s[i], s[j]). */
static void pick_run(mut_rng *r, size_t nb, size_t *i, size_t *j) {
  *i = mut_rng_below(r, nb - 1);
  size_t k = 1 + mut_rng_below(r, 8);
  *j = *i + k < nb ? *i + k : nb - 1;
}

int mut_code_op(blk_bytes *code, mut_op op, blk_fork fork, const blk_bytes *donor, mut_rng *r, const mut_opts *o,
                mut_edit *e) {
  if (!code || !r || !o) return MUT_E_ARG;
  if (!donor) donor = code;
  size_t len = code->len;
  size_t *s = malloc((len + 1) * sizeof *s);
  if (!s) return MUT_E_NOMEM;
  size_t nb = boundaries(code->data, len, s);
  mbuf ins = {0};
  size_t pos = 0, del = 0;
  int rc = 1;
  switch (op) {
    case MUT_OP_CODE_INSERT:
    case MUT_OP_CODE_PATTERN:
      pos = s[mut_rng_below(r, nb)];
      if (op == MUT_OP_CODE_INSERT)
        random_insns(&ins, r, fork);
      else
        snippet(&ins, r, fork, (int)mut_rng_below(r, SN_COUNT));
      break;
    case MUT_OP_CODE_DELETE:
    case MUT_OP_CODE_DUP: {
      if (nb < 2) {
        rc = 0;
        break;
      }
      size_t i, j;
      pick_run(r, nb, &i, &j);
      if (op == MUT_OP_CODE_DELETE) {
        pos = s[i];
        del = s[j] - s[i];
        if (del == len) rc = 0; /* a code is never empty */
      } else {
        pos = s[j];
        put(&ins, code->data + s[i], s[j] - s[i]);
      }
      break;
    }
    case MUT_OP_CODE_SPLICE: {
      size_t *ds = malloc((donor->len + 1) * sizeof *ds);
      if (!ds) {
        rc = MUT_E_NOMEM;
        break;
      }
      size_t dn = boundaries(donor->data, donor->len, ds);
      if (dn < 2) {
        free(ds);
        rc = 0;
        break;
      }
      size_t i, j;
      pick_run(r, dn, &i, &j);
      /* longer runs from another code: up to 64 instructions */
      size_t extra = mut_rng_below(r, 56);
      j = j + extra < dn ? j + extra : dn - 1;
      pos = s[mut_rng_below(r, nb)];
      put(&ins, donor->data + ds[i], ds[j] - ds[i]);
      free(ds);
      break;
    }
    case MUT_OP_CODE_SWAP: {
      if (nb < 3) {
        rc = 0;
        break;
      }
      /* runs [a0, a1) and [b0, b1) with a1 <= b0: span [a0, b1) becomes B mid A */
      size_t a0 = mut_rng_below(r, nb - 2);
      size_t a1 = a0 + 1 + mut_rng_below(r, 4);
      if (a1 > nb - 2) a1 = nb - 2;
      size_t b0 = a1 + mut_rng_below(r, 4);
      if (b0 > nb - 2) b0 = nb - 2;
      size_t b1 = b0 + 1 + mut_rng_below(r, 4);
      if (b1 > nb - 1) b1 = nb - 1;
      pos = s[a0];
      del = s[b1] - s[a0];
      put(&ins, code->data + s[b0], s[b1] - s[b0]);
      put(&ins, code->data + s[a1], s[b0] - s[a1]);
      put(&ins, code->data + s[a0], s[a1] - s[a0]);
      break;
    }
    case MUT_OP_CODE_PUSH: {
      /* a complete PUSH0..PUSH32, to an interesting value, same width when it fits */
      size_t cand = 0, pick = SIZE_MAX;
      for (size_t i = 0; i < nb && s[i] < len; i++) {
        size_t pc = s[i];
        uint8_t b = code->data[pc];
        if ((b == OP(PUSH0) || imm_len(b)) && pc + 1 + imm_len(b) <= len && mut_rng_below(r, ++cand) == 0) pick = pc;
      }
      if (pick == SIZE_MAX) {
        rc = 0;
        break;
      }
      uint8_t v[32];
      interesting(r, v);
      size_t w = imm_len(code->data[pick]);
      pos = pick;
      del = 1 + w;
      if (coin(r, 8)) { /* nearby: the old value plus or minus one */
        memset(v, 0, 32);
        memcpy(v + 32 - w, code->data + pick + 1, w);
        int up = coin(r, 2);
        for (int k = 31; k >= 0; k--) {
          if (up ? ++v[k] != 0 : v[k]-- != 0) break;
        }
      }
      if (w && is_zero_bytes(v, 32 - w) && coin(r, 2)) {
        put1(&ins, code->data[pick]);
        put(&ins, v + 32 - w, w);
      } else {
        put_push(&ins, v);
      }
      break;
    }
    default:
      rc = MUT_E_ARG;
  }
  if (rc == 1 && ins.oom) rc = MUT_E_NOMEM;
  if (rc == 1 && (len - del + ins.n == 0 || (len - del + ins.n > o->max_code && ins.n > del))) rc = 0;
  if (rc == 1) rc = code_replace(code, pos, del, ins.b, ins.n) == MUT_OK ? 1 : MUT_E_NOMEM;
  if (rc == 1 && e) {
    e->pos = pos;
    e->del = del;
    e->ins = ins.n;
  }
  free(ins.b);
  free(s);
  return rc;
}

/* ---- transactions ---- */

static void tx_clear(blk_tx *t) {
  free(t->data.data);
  for (size_t j = 0; j < t->n_access_list; j++) free(t->access_list[j].keys);
  free(t->access_list);
  free(t->blob_hashes);
  free(t->auths);
  memset(t, 0, sizeof *t);
}

static void *dup_mem(const void *p, size_t n) {
  if (!n) return NULL;
  void *q = malloc(n);
  if (q) memcpy(q, p, n);
  return q;
}

static int tx_copy(blk_tx *dst, const blk_tx *src) {
  *dst = *src;
  dst->data.data = dup_mem(src->data.data, src->data.len);
  dst->access_list = dup_mem(src->access_list, src->n_access_list * sizeof(blk_access));
  dst->blob_hashes = dup_mem(src->blob_hashes, src->n_blob_hashes * 32);
  dst->auths = dup_mem(src->auths, src->n_auths * sizeof(blk_auth));
  int bad = (src->data.len && !dst->data.data) || (src->n_access_list && !dst->access_list) ||
            (src->n_blob_hashes && !dst->blob_hashes) || (src->n_auths && !dst->auths);
  for (size_t j = 0; j < src->n_access_list; j++) {
    if (!dst->access_list) break;
    dst->access_list[j].keys = dup_mem(src->access_list[j].keys, src->access_list[j].n_keys * sizeof(blk_u256));
    if (src->access_list[j].n_keys && !dst->access_list[j].keys) {
      bad = 1;
      for (size_t k = j + 1; k < src->n_access_list; k++) dst->access_list[k].keys = NULL;
      break;
    }
  }
  if (bad) {
    if (!dst->access_list) dst->n_access_list = 0;
    tx_clear(dst);
    return MUT_E_NOMEM;
  }
  return MUT_OK;
}

/* Insert a zeroed tx at index at; NULL on failure. */
static blk_tx *tx_insert(blk_block *b, size_t at) {
  blk_tx *nt = realloc(b->txs, (b->n_txs + 1) * sizeof *nt);
  if (!nt) return NULL;
  b->txs = nt;
  memmove(nt + at + 1, nt + at, (b->n_txs - at) * sizeof *nt);
  memset(&nt[at], 0, sizeof *nt);
  b->n_txs++;
  return &nt[at];
}

static void tx_remove(blk_block *b, size_t at) {
  tx_clear(&b->txs[at]);
  memmove(b->txs + at, b->txs + at + 1, (b->n_txs - at - 1) * sizeof *b->txs);
  b->n_txs--;
}

static int set_data(blk_tx *t, const uint8_t *p, size_t n) {
  uint8_t *d = n ? malloc(n) : NULL;
  if (n && !d) return MUT_E_NOMEM;
  if (n) memcpy(d, p, n);
  free(t->data.data);
  t->data.data = d;
  t->data.len = n;
  return MUT_OK;
}

/* Resize calldata, new bytes filled with f. */
static int resize_data(blk_tx *t, size_t n, uint8_t f) {
  if (n == t->data.len) return MUT_OK;
  if (n == 0) return set_data(t, NULL, 0);
  uint8_t *d = realloc(t->data.data, n);
  if (!d) return MUT_E_NOMEM;
  if (n > t->data.len) memset(d + t->data.len, f, n - t->data.len);
  t->data.data = d;
  t->data.len = n;
  return MUT_OK;
}

/* A random account holding code, or NULL. */
static blk_account *pick_contract(blk_block *b, mut_rng *r) {
  size_t n = 0;
  for (size_t i = 0; i < b->n_accounts; i++) n += b->accounts[i].code_ref != 0;
  if (!n) return NULL;
  size_t k = mut_rng_below(r, n);
  for (size_t i = 0; i < b->n_accounts; i++)
    if (b->accounts[i].code_ref && k-- == 0) return &b->accounts[i];
  return NULL;
}

static void pc_address(uint16_t a, uint8_t out[20]) {
  memset(out, 0, 20);
  out[18] = (uint8_t)(a >> 8);
  out[19] = (uint8_t)a;
}

static void fresh_address(mut_rng *r, uint8_t out[20]) {
  memset(out, 0xee, 12);
  rand_bytes(r, out + 12, 8);
}

/* An authorization signed by one of the mutator's authority keys, delegating
 * to a contract of b (or a fresh address). */
static int add_auth(blk_block *b, blk_tx *t, mut_rng *r) {
  blk_auth *na = grow_one(t->auths, t->n_auths, sizeof *na);
  if (!na) return MUT_E_NOMEM;
  t->auths = na;
  blk_auth *a = &na[t->n_auths++];
  set_u64(&a->chain_id, coin(r, 4) ? 0 : b->env.chain_id);
  const blk_account *c = pick_contract(b, r);
  if (c)
    a->address = c->address;
  else
    fresh_address(r, a->address.b);
  a->nonce = mut_rng_below(r, 2);
  uint8_t priv[32];
  if (evm_test_key(MUT_AUTH_KEY0 + (uint32_t)mut_rng_below(r, MUT_AUTH_KEYS), priv) != EVM_SIG_OK ||
      evm_auth_sign(a, priv) != EVM_SIG_OK)
    set_u64(&a->r, 1); /* unsigned: the executor skips it, still a recovery to prove */
  return MUT_OK;
}

static int set_type(blk_block *b, blk_tx *t, uint8_t ty, mut_rng *r) {
  t->type = ty;
  if (ty < 2) memset(&t->max_priority_fee, 0, sizeof t->max_priority_fee);
  if (ty == 0) {
    for (size_t j = 0; j < t->n_access_list; j++) free(t->access_list[j].keys);
    free(t->access_list);
    t->access_list = NULL;
    t->n_access_list = 0;
  }
  if (ty != 3) {
    free(t->blob_hashes);
    t->blob_hashes = NULL;
    t->n_blob_hashes = 0;
    memset(&t->max_fee_per_blob_gas, 0, sizeof t->max_fee_per_blob_gas);
  }
  if (ty != 4) {
    free(t->auths);
    t->auths = NULL;
    t->n_auths = 0;
  }
  if ((ty == 3 || ty == 4) && t->is_create) {
    t->is_create = 0;
    const blk_account *c = pick_contract(b, r);
    if (c)
      t->to = c->address;
    else
      fresh_address(r, t->to.b);
  }
  if (ty == 3 && t->n_blob_hashes == 0) {
    size_t k = 1 + mut_rng_below(r, 2);
    for (size_t i = 0; i < k; i++) {
      uint8_t(*nh)[32] = grow_one(t->blob_hashes, t->n_blob_hashes, 32);
      if (!nh) return MUT_E_NOMEM;
      t->blob_hashes = nh;
      uint8_t *h = nh[t->n_blob_hashes++];
      rand_bytes(r, h, 32);
      h[0] = EVM_BLOB_VERSION_KZG;
    }
  }
  if (ty == 4 && t->n_auths == 0) return add_auth(b, t, r);
  if ((ty == 1 || ty == 2) && coin(r, 3)) {
    /* an access list naming the recipient and a slot */
    blk_access *nal = grow_one(t->access_list, t->n_access_list, sizeof *nal);
    if (!nal) return MUT_E_NOMEM;
    t->access_list = nal;
    blk_access *al = &nal[t->n_access_list++];
    al->address = t->to;
    al->keys = grow_one(NULL, 0, sizeof *al->keys);
    if (!al->keys) return MUT_E_NOMEM;
    al->n_keys = 1;
    interesting(r, al->keys[0].b);
  }
  return MUT_OK;
}

/* A new transaction calling a contract of b (or a fresh address). */
static void fresh_tx(blk_block *b, blk_tx *t, mut_rng *r) {
  memset(t, 0, sizeof *t);
  t->type = 2;
  t->sender_key = (uint32_t)mut_rng_below(r, MUT_SENDER_KEYS);
  const blk_account *c = pick_contract(b, r);
  if (c)
    t->to = c->address;
  else
    fresh_address(r, t->to.b);
  t->gas_limit = GEN_TX_GAS_CAP;
  uint64_t base = low_u64(&b->env.base_fee);
  set_u64(&t->gas_price, 2 * base + 2);
  set_u64(&t->max_priority_fee, 2);
}

/* Calldata edits. */
static int edit_data(blk_tx *t, mut_rng *r, const mut_opts *o) {
  size_t len = t->data.len;
  switch (len ? mut_rng_below(r, 6) : 5) {
    case 0: /* flip bytes */
      for (unsigned k = 1 + (unsigned)mut_rng_below(r, 4); k; k--) t->data.data[mut_rng_below(r, len)] ^= (uint8_t)(1u << mut_rng_below(r, 8));
      return MUT_OK;
    case 1: { /* an aligned word to an interesting value */
      size_t w = mut_rng_below(r, (len + 31) / 32);
      uint8_t v[32];
      interesting(r, v);
      size_t n = 32;
      if (w * 32 + 32 > len) {
        if (w * 32 + 32 <= o->max_data) {
          int rc = resize_data(t, w * 32 + 32, 0);
          if (rc) return rc;
        } else {
          n = len - w * 32; /* the word is cut by the end, as the calldata is not grown */
        }
      }
      memcpy(t->data.data + w * 32, v, n);
      return MUT_OK;
    }
    case 2: { /* delete a chunk */
      size_t at = mut_rng_below(r, len), n = 1 + mut_rng_below(r, len - at);
      memmove(t->data.data + at, t->data.data + at + n, len - at - n);
      return resize_data(t, len - n, 0);
    }
    case 3: { /* insert a random chunk */
      size_t n = 1 + mut_rng_below(r, 64);
      if (len + n > o->max_data) return MUT_OK;
      size_t at = mut_rng_below(r, len + 1);
      int rc = resize_data(t, len + n, 0);
      if (rc) return rc;
      memmove(t->data.data + at + n, t->data.data + at, len - at);
      for (size_t i = 0; i < n; i++) t->data.data[at + i] = (uint8_t)mut_rng_next(r);
      return MUT_OK;
    }
    case 4: /* truncate */
      return resize_data(t, mut_rng_below(r, len), 0);
    default: { /* grow: zero or non-zero bytes (EIP-7623 prices them apart) */
      size_t n = 32 * (1 + mut_rng_below(r, 32));
      if (len + n > o->max_data) n = o->max_data > len ? o->max_data - len : 0;
      return resize_data(t, len + n, coin(r, 2) ? 0 : 0xff);
    }
  }
}

/* Find a modexp header (three 32-byte lengths, each below 2^16, not all zero)
 * in d; its offset or SIZE_MAX. */
static size_t find_modexp(const uint8_t *d, size_t len) {
  for (size_t o = 0; o + 96 <= len; o++) {
    int ok = 1, any = 0;
    for (int w = 0; w < 3 && ok; w++) {
      ok = is_zero_bytes(d + o + 32 * w, 30);
      any |= d[o + 32 * w + 30] | d[o + 32 * w + 31];
    }
    if (ok && any) return o;
  }
  return SIZE_MAX;
}

static int pc_input_tweak(blk_block *b, mut_rng *r, const mut_opts *o) {
  if (!b->n_txs) return 0;
  size_t start = mut_rng_below(r, b->n_txs);
  for (size_t k = 0; k < b->n_txs; k++) {
    blk_tx *t = &b->txs[(start + k) % b->n_txs];
    uint8_t *d = t->data.data;
    size_t len = t->data.len;
    int to_blake = !t->is_create && is_zero_bytes(t->to.b, 19) && t->to.b[19] == 0x09;
    if (to_blake && len == 213) {
      if (coin(r, 4)) {
        d[212] ^= 1;
      } else {
        static const uint32_t rounds[] = {0, 1, 12, 1000, 65535, 100000, 1000000, 0xffffffffu};
        uint32_t x = rounds[mut_rng_below(r, 8)];
        d[0] = (uint8_t)(x >> 24), d[1] = (uint8_t)(x >> 16), d[2] = (uint8_t)(x >> 8), d[3] = (uint8_t)x;
      }
      return 1;
    }
    size_t at = find_modexp(d, len);
    if (at == SIZE_MAX) continue;
    size_t l[3];
    for (int w = 0; w < 3; w++) l[w] = (size_t)d[at + 32 * w + 30] << 8 | d[at + 32 * w + 31];
    switch (mut_rng_below(r, 4)) {
      case 0: { /* one length to a costly or boundary size; the body follows */
        static const uint16_t lens[] = {0, 1, 8, 16, 32, 33, 64, 112, 128, 256, 512, 1024};
        int w = (int)mut_rng_below(r, 3);
        l[w] = lens[mut_rng_below(r, 12)];
        d[at + 32 * w + 30] = (uint8_t)(l[w] >> 8);
        d[at + 32 * w + 31] = (uint8_t)l[w];
        size_t need = at + 96 + l[0] + l[1] + l[2];
        if (need > o->max_data && need > len) need = len;
        return resize_data(t, need, 0xff) == MUT_OK ? 1 : MUT_E_NOMEM;
      }
      case 1: { /* exponent bytes: all ones, or random */
        int ones = coin(r, 2);
        for (size_t i = 0; i < l[1] && at + 96 + l[0] + i < len; i++)
          d[at + 96 + l[0] + i] = ones ? 0xff : (uint8_t)mut_rng_next(r);
        return 1;
      }
      case 2: { /* modulus parity */
        size_t last = at + 96 + l[0] + l[1] + l[2];
        if (l[2] && last <= len) d[last - 1] ^= 1;
        return 1;
      }
      default: /* base bytes */
        for (size_t i = 0; i < l[0] && at + 96 + i < len; i++) d[at + 96 + i] = (uint8_t)mut_rng_next(r);
        return 1;
    }
  }
  return 0;
}

/* ---- pre-state ---- */

static blk_account *add_account(blk_block *b, const uint8_t addr[20]) {
  blk_account *na = grow_one(b->accounts, b->n_accounts, sizeof *na);
  if (!na) return NULL;
  b->accounts = na;
  blk_account *a = &na[b->n_accounts++];
  memcpy(a->address.b, addr, 20);
  return a;
}

/* An account of the sorted accounts [0, n), by binary search. */
static blk_account *find_sorted(blk_block *b, size_t n, const uint8_t addr[20]) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(b->accounts[mid].address.b, addr, 20);
    if (c == 0) return &b->accounts[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static blk_account *find_account(blk_block *b, const uint8_t addr[20]) {
  for (size_t i = 0; i < b->n_accounts; i++)
    if (memcmp(b->accounts[i].address.b, addr, 20) == 0) return &b->accounts[i];
  return NULL;
}

/* Append a code (copied); its 1-based ref, or 0 on failure. */
static uint32_t add_code(blk_block *b, const uint8_t *p, size_t n) {
  uint8_t *d = dup_mem(p, n);
  if (!d) return 0;
  blk_bytes *nc = grow_one(b->codes, b->n_codes, sizeof *nc);
  if (!nc) {
    free(d);
    return 0;
  }
  b->codes = nc;
  blk_bytes *c = &nc[b->n_codes++];
  c->data = d;
  c->len = n;
  return (uint32_t)b->n_codes;
}

/* A new contract at a fresh address 0x..10xx.. holding code (copied). */
static blk_account *new_contract(blk_block *b, mut_rng *r, const uint8_t *code, size_t n) {
  uint8_t addr[20] = {0};
  do {
    addr[16] = 0x10;
    rand_bytes(r, addr + 17, 3);
  } while (find_account(b, addr));
  uint32_t ref = add_code(b, code, n);
  if (!ref) return NULL;
  blk_account *a = add_account(b, addr);
  if (a) a->code_ref = ref;
  return a;
}

static int state_storage(blk_block *b, mut_rng *r) {
  blk_account *c = pick_contract(b, r);
  blk_account *a = c ? c : b->n_accounts ? &b->accounts[mut_rng_below(r, b->n_accounts)] : NULL;
  if (!a) return 0;
  if (a->n_storage && coin(r, 2)) {
    size_t i = mut_rng_below(r, a->n_storage);
    if (coin(r, 3)) {
      memset(a->storage[i].value.b, 0, 32); /* cleared: fixup removes it */
    } else {
      interesting(r, a->storage[i].value.b);
      a->storage[i].value.b[31] |= 1;
    }
    return 1;
  }
  blk_slot *ns = grow_one(a->storage, a->n_storage, sizeof *ns);
  if (!ns) return MUT_E_NOMEM;
  a->storage = ns;
  blk_slot *s = &ns[a->n_storage++];
  interesting(r, s->key.b);
  interesting(r, s->value.b);
  s->value.b[31] |= 1;
  return 1;
}

static int state_account(blk_block *b, mut_rng *r, const mut_opts *o) {
  switch (mut_rng_below(r, 3)) {
    case 0: { /* a new contract, a copy of a code or a fresh loop, maybe called by a tx */
      blk_account *a;
      if (b->n_codes && coin(r, 2)) {
        const blk_bytes *src = &b->codes[mut_rng_below(r, b->n_codes)];
        a = new_contract(b, r, src->data, src->len);
      } else {
        mbuf m = {0};
        if (loop_code(r, b->env.fork, o->max_code, &m)) {
          free(m.b);
          return MUT_E_NOMEM;
        }
        a = new_contract(b, r, m.b, m.n);
        free(m.b);
      }
      if (!a) return MUT_E_NOMEM;
      if (b->n_txs && coin(r, 2)) {
        blk_tx *t = &b->txs[mut_rng_below(r, b->n_txs)];
        t->is_create = 0;
        t->to = a->address;
      }
      return 1;
    }
    case 1: { /* balance */
      if (!b->n_accounts) return 0;
      blk_account *a = &b->accounts[mut_rng_below(r, b->n_accounts)];
      static const uint64_t v[] = {0, 1, 1000000000, 1000000000000000000ull};
      set_u64(&a->balance, v[mut_rng_below(r, 4)]);
      return 1;
    }
    default: { /* nonce */
      if (!b->n_accounts) return 0;
      blk_account *a = &b->accounts[mut_rng_below(r, b->n_accounts)];
      a->nonce = coin(r, 2) ? 0 : mut_rng_below(r, 1000);
      return 1;
    }
  }
}

/* ---- crossover pieces ---- */

/* Bring b's contracts that a lacks (up to a byte budget) into a. a's
 * accounts are sorted when mut_fixup ran last (otherwise a duplicate may
 * come in, which mut_fixup merges); b's are distinct. */
static int merge_contracts(blk_block *a, const blk_block *b) {
  size_t budget = MUT_CROSS_CODE_BYTES, n_sorted = a->n_accounts;
  for (size_t i = 0; i < b->n_accounts; i++) {
    const blk_account *src = &b->accounts[i];
    if (!src->code_ref || find_sorted(a, n_sorted, src->address.b)) continue;
    const blk_bytes *code = &b->codes[src->code_ref - 1];
    if (code->len > budget) continue;
    budget -= code->len;
    uint32_t ref = add_code(a, code->data, code->len);
    if (!ref) return MUT_E_NOMEM;
    blk_account *d = add_account(a, src->address.b);
    if (!d) return MUT_E_NOMEM;
    d->nonce = src->nonce;
    d->balance = src->balance;
    d->code_ref = ref;
    if (src->n_storage) {
      d->storage = dup_mem(src->storage, src->n_storage * sizeof(blk_slot));
      if (!d->storage) return MUT_E_NOMEM;
      d->n_storage = src->n_storage;
    }
  }
  return MUT_OK;
}

/* Child txs: a's first i, then a run of b's, then (maybe) the rest of a's. */
static int cross_txs(blk_block *a, const blk_block *b, mut_rng *r) {
  if (!b->n_txs) return 0;
  int rc = merge_contracts(a, b);
  if (rc) return rc;
  size_t i = a->n_txs ? 1 + mut_rng_below(r, a->n_txs) : 0;
  size_t j = mut_rng_below(r, b->n_txs), n = 1 + mut_rng_below(r, b->n_txs - j);
  if (coin(r, 2))
    while (a->n_txs > i) tx_remove(a, a->n_txs - 1);
  for (size_t k = 0; k < n; k++) {
    blk_tx *t = tx_insert(a, i + k);
    if (!t) return MUT_E_NOMEM;
    if (tx_copy(t, &b->txs[j + k])) {
      tx_remove(a, i + k);
      return MUT_E_NOMEM;
    }
  }
  return 1;
}

static int cross_code(blk_block *a, const blk_block *b, mut_rng *r, const mut_opts *o) {
  if (!b->n_codes) return 0;
  const blk_bytes *donor = &b->codes[mut_rng_below(r, b->n_codes)];
  if (!a->n_codes) {
    if (donor->len > o->max_code) return 0;
    return new_contract(a, r, donor->data, donor->len) ? 1 : MUT_E_NOMEM;
  }
  return mut_code_op(&a->codes[mut_rng_below(r, a->n_codes)], MUT_OP_CODE_SPLICE, a->env.fork, donor, r, o, NULL);
}

/* ---- operators ---- */

int mut_apply(blk_block *b, mut_op op, mut_rng *r, const mut_opts *o, const blk_block *donor) {
  if (!b || !r || (unsigned)op >= MUT_OP_COUNT) return MUT_E_ARG;
  mut_opts def = mut_opts_default();
  if (!o) o = &def;
  if (!donor) donor = b;
  blk_fork fork = b->env.fork;
  blk_tx *t = b->n_txs ? &b->txs[mut_rng_below(r, b->n_txs)] : NULL;
  int rc;
  switch (op) {
    case MUT_OP_CODE_INSERT:
    case MUT_OP_CODE_DELETE:
    case MUT_OP_CODE_DUP:
    case MUT_OP_CODE_SPLICE:
    case MUT_OP_CODE_SWAP:
    case MUT_OP_CODE_PUSH:
    case MUT_OP_CODE_PATTERN: {
      if (!b->n_codes) return 0;
      blk_bytes *c = &b->codes[mut_rng_below(r, b->n_codes)];
      const blk_bytes *d = donor->n_codes ? &donor->codes[mut_rng_below(r, donor->n_codes)] : c;
      rc = mut_code_op(c, op, fork, d, r, o, NULL);
      break;
    }
    case MUT_OP_CODE_LOOP: {
      mbuf m = {0};
      if (loop_code(r, fork, o->max_code, &m)) {
        free(m.b);
        return MUT_E_NOMEM;
      }
      const blk_account *c = pick_contract(b, r);
      if (c) {
        blk_bytes *code = &b->codes[c->code_ref - 1];
        free(code->data);
        code->data = m.b;
        code->len = m.n;
        rc = 1;
      } else {
        blk_account *a = new_contract(b, r, m.b, m.n);
        free(m.b);
        if (!a) return MUT_E_NOMEM;
        if (t) {
          t->is_create = 0;
          t->to = a->address;
        }
        rc = 1;
      }
      break;
    }
    case MUT_OP_PC_INPUT:
      rc = pc_input_tweak(b, r, o);
      break;
    case MUT_OP_TX_PRECOMPILE: {
      if (!t) return 0;
      const pc_case *c = pick_pc(r, fork);
      uint8_t in[PC_IN_MAX];
      size_t n = pc_input(c, r, in);
      if (n > o->max_data) return 0;
      t->is_create = 0;
      pc_address(c->addr, t->to.b);
      rc = set_data(t, in, n) ? MUT_E_NOMEM : 1;
      break;
    }
    case MUT_OP_TX_TO: {
      if (!t) return 0;
      uint64_t k = mut_rng_below(r, 10);
      const blk_account *c = pick_contract(b, r);
      t->is_create = 0;
      if (k < 4 && c) {
        t->to = c->address;
      } else if (k < 6) {
        pc_address(pick_pc(r, fork)->addr, t->to.b);
      } else if (k < 8) {
        fresh_address(r, t->to.b);
      } else if (k == 8 && t->type < 3) {
        t->is_create = 1;
        memset(t->to.b, 0, 20);
      } else if (b->n_accounts) {
        t->to = b->accounts[mut_rng_below(r, b->n_accounts)].address;
      } else {
        t->to = b->env.coinbase;
      }
      rc = 1;
      break;
    }
    case MUT_OP_TX_VALUE: {
      if (!t) return 0;
      static const uint64_t v[] = {0, 1, 1000, 1000000000, 1000000000000000000ull};
      uint64_t k = mut_rng_below(r, 6);
      set_u64(&t->value, k < 5 ? v[k] : mut_rng_below(r, 1ull << 40));
      rc = 1;
      break;
    }
    case MUT_OP_TX_DATA:
      if (!t) return 0;
      rc = edit_data(t, r, o) ? MUT_E_NOMEM : 1;
      break;
    case MUT_OP_TX_GAS: {
      if (!t) return 0;
      uint64_t cap = o->tx_gas_cap;
      switch (mut_rng_below(r, 4)) {
        case 0: t->gas_limit = cap; break;
        case 1: t->gas_limit /= 2; break;
        case 2: t->gas_limit = t->gas_limit * 2 > cap ? cap : t->gas_limit * 2; break;
        default: t->gas_limit = cap > 21000 ? 21000 + mut_rng_below(r, cap - 21000 + 1) : cap;
      }
      rc = 1;
      break;
    }
    case MUT_OP_TX_TYPE: {
      if (!t) return 0;
      uint8_t ntypes = fork >= BLK_FORK_PRAGUE ? 5 : 4;
      uint8_t ty = (uint8_t)mut_rng_below(r, ntypes);
      if (ty == t->type) ty = (uint8_t)((ty + 1) % ntypes);
      rc = set_type(b, t, ty, r) ? MUT_E_NOMEM : 1;
      break;
    }
    case MUT_OP_TX_ADD: {
      size_t at = mut_rng_below(r, b->n_txs + 1);
      const blk_tx *src = b->n_txs && coin(r, 2) ? &b->txs[mut_rng_below(r, b->n_txs)] : NULL;
      blk_tx copy;
      if (src) {
        if (tx_copy(&copy, src)) return MUT_E_NOMEM;
        copy.sender_is_address = 0;
        copy.sender_key = (uint32_t)mut_rng_below(r, MUT_SENDER_KEYS);
      } else {
        fresh_tx(b, &copy, r);
      }
      blk_tx *nt = tx_insert(b, at);
      if (!nt) {
        tx_clear(&copy);
        return MUT_E_NOMEM;
      }
      *nt = copy;
      rc = 1;
      break;
    }
    case MUT_OP_TX_DROP:
      if (!t) return 0;
      tx_remove(b, (size_t)(t - b->txs));
      rc = 1;
      break;
    case MUT_OP_TX_DUP: {
      if (!t) return 0;
      size_t at = (size_t)(t - b->txs);
      blk_tx copy;
      if (tx_copy(&copy, t)) return MUT_E_NOMEM;
      blk_tx *nt = tx_insert(b, at + 1);
      if (!nt) {
        tx_clear(&copy);
        return MUT_E_NOMEM;
      }
      *nt = copy;
      rc = 1;
      break;
    }
    case MUT_OP_TX_SWAP: {
      if (b->n_txs < 2) return 0;
      size_t i = mut_rng_below(r, b->n_txs), j = mut_rng_below(r, b->n_txs - 1);
      if (j >= i) j++;
      blk_tx tmp = b->txs[i];
      b->txs[i] = b->txs[j];
      b->txs[j] = tmp;
      rc = 1;
      break;
    }
    case MUT_OP_STATE_STORAGE:
      rc = state_storage(b, r);
      break;
    case MUT_OP_STATE_ACCOUNT:
      rc = state_account(b, r, o);
      break;
    case MUT_OP_CROSS_TXS:
      rc = donor == b ? 0 : cross_txs(b, donor, r);
      break;
    case MUT_OP_CROSS_CODE:
      rc = donor == b ? 0 : cross_code(b, donor, r, o);
      break;
    default:
      return MUT_E_ARG;
  }
  if (rc == 1 && o->stats) o->stats->applied[op]++;
  return rc;
}

/* ---- fix-up ---- */

/* Intrinsic gas and the EIP-7623 floor, by the rules the executor applies
 * (prover/evm/tx.c), saturating. */
static uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }
static uint64_t sat_mul(uint64_t a, uint64_t b) { return b && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

static uint64_t min_gas(const blk_tx *t, blk_fork fork) {
  uint64_t zeros = 0, nonzeros = 0;
  for (size_t i = 0; i < t->data.len; i++) t->data.data[i] ? nonzeros++ : zeros++;
  uint64_t g = EVM_GAS_TX;
  g = sat_add(g, sat_mul(zeros, EVM_GAS_TX_DATA_ZERO));
  g = sat_add(g, sat_mul(nonzeros, EVM_GAS_TX_DATA_NONZERO));
  if (t->is_create) {
    g = sat_add(g, EVM_GAS_TX_CREATE);
    g = sat_add(g, sat_mul((t->data.len + 31) / 32, EVM_GAS_INITCODE_WORD));
  }
  for (size_t i = 0; i < t->n_access_list; i++) {
    g = sat_add(g, EVM_GAS_ACCESS_LIST_ADDRESS);
    g = sat_add(g, sat_mul(t->access_list[i].n_keys, EVM_GAS_ACCESS_LIST_KEY));
  }
  g = sat_add(g, sat_mul(t->n_auths, EVM_GAS_AUTH_EMPTY_ACCOUNT));
  uint64_t floor = 0;
  if (fork >= BLK_FORK_PRAGUE)
    floor = sat_add(EVM_GAS_TX, sat_mul(sat_add(zeros, sat_mul(nonzeros, 4)), EVM_GAS_FLOOR_PER_TOKEN));
  return g > floor ? g : floor;
}

static int is_delegation(const blk_bytes *c) {
  return c->len == 23 && c->data[0] == 0xef && c->data[1] == 0x01 && c->data[2] == 0x00;
}

/* Fields by type and fork, fees, blobs, initcode size, sender form. */
static void fix_tx_fields(blk_block *b, blk_tx *t, const u256 *blob_fee, uint64_t *blobs_used) {
  blk_fork fork = b->env.fork;
  const evm_blob_params *bp = evm_blob_schedule(fork);
  if (t->sender_is_address) {
    t->sender_is_address = 0;
    t->sender_key = (uint32_t)((t->sender.b[18] << 8 | t->sender.b[19]) % BLK_MAX_TEST_KEYS);
    memset(t->sender.b, 0, 20);
  }
  t->has_signature = 0;
  memset(&t->v, 0, sizeof t->v);
  memset(&t->r, 0, sizeof t->r);
  memset(&t->s, 0, sizeof t->s);
  if (t->type > 4 || (t->type == 4 && (fork < BLK_FORK_PRAGUE || t->is_create || !t->n_auths))) t->type = 2;
  if (t->type == 3) {
    if (t->is_create || !t->n_blob_hashes || !u256_fits64(blob_fee) || blob_fee->w[0] >> 48) t->type = 2;
    size_t room = bp->max_blobs_per_block > *blobs_used ? (size_t)(bp->max_blobs_per_block - *blobs_used) : 0;
    if (room > bp->max_blobs_per_tx) room = (size_t)bp->max_blobs_per_tx;
    if (t->n_blob_hashes > room) t->n_blob_hashes = room;
    if (!t->n_blob_hashes) t->type = 2;
  }
  /* what the type does not allow goes */
  if (t->type < 2) memset(&t->max_priority_fee, 0, sizeof t->max_priority_fee);
  if (t->type == 0 && t->n_access_list) {
    for (size_t j = 0; j < t->n_access_list; j++) free(t->access_list[j].keys);
    free(t->access_list);
    t->access_list = NULL;
    t->n_access_list = 0;
  }
  if (t->type != 3) {
    free(t->blob_hashes);
    t->blob_hashes = NULL;
    t->n_blob_hashes = 0;
    memset(&t->max_fee_per_blob_gas, 0, sizeof t->max_fee_per_blob_gas);
  }
  if (t->type != 4) {
    free(t->auths);
    t->auths = NULL;
    t->n_auths = 0;
  }
  if (t->type == 3) {
    for (size_t i = 0; i < t->n_blob_hashes; i++) t->blob_hashes[i][0] = EVM_BLOB_VERSION_KZG;
    *blobs_used += t->n_blob_hashes;
    u256 f;
    u256_from_be(&f, t->max_fee_per_blob_gas.b);
    if (u256_lt(&f, blob_fee) || !fits_bits(&t->max_fee_per_blob_gas, 64) || f.w[0] >> 48) {
      u256 two = u256_from_u64(2);
      u256_mul(&f, blob_fee, &two);
      u256_to_be(&f, t->max_fee_per_blob_gas.b);
    }
  }
  if (t->is_create) {
    memset(t->to.b, 0, 20);
    if (t->data.len > EVM_MAX_INITCODE_SIZE) t->data.len = EVM_MAX_INITCODE_SIZE;
  }
  /* value and fees small enough that every sum below fits 256 bits */
  if (!fits_bits(&t->value, 96)) set_u64(&t->value, low_u64(&t->value) & 0xffffffffffull);
  uint64_t base = low_u64(&b->env.base_fee);
  if (!fits_bits(&t->gas_price, 64) || low_u64(&t->gas_price) >> 48) set_u64(&t->gas_price, base + (low_u64(&t->gas_price) & 0xffff));
  if (low_u64(&t->gas_price) < base) set_u64(&t->gas_price, base + (t->type >= 2 ? base + 2 : 0));
  if (t->type >= 2) {
    if (!fits_bits(&t->max_priority_fee, 64) || low_u64(&t->max_priority_fee) > low_u64(&t->gas_price))
      set_u64(&t->max_priority_fee, low_u64(&t->gas_price) - base);
  }
}

/* Cut what makes a transaction's minimum gas exceed cap (calldata first). */
static void fit_min_gas(blk_tx *t, blk_fork fork, uint64_t cap) {
  while (min_gas(t, fork) > cap && t->data.len) t->data.len /= 2;
  if (min_gas(t, fork) > cap && t->n_access_list) {
    for (size_t j = 0; j < t->n_access_list; j++) free(t->access_list[j].keys);
    free(t->access_list);
    t->access_list = NULL;
    t->n_access_list = 0;
  }
  while (min_gas(t, fork) > cap && t->n_auths > 1) t->n_auths /= 2;
  if (t->data.len == 0 && t->data.data) {
    free(t->data.data);
    t->data.data = NULL;
  }
}

/* Gas limits: each in [min, cap], the sum within the block gas limit. When
 * the sum is over, the room above each minimum shrinks in proportion; when
 * even the minimums are over, transactions go from the end. */
static void fit_gas(blk_block *b, uint64_t cap) {
  blk_fork fork = b->env.fork;
  uint64_t limit = b->env.gas_limit;
  if (cap > limit) cap = limit;
  for (size_t i = 0; i < b->n_txs;) {
    blk_tx *t = &b->txs[i];
    fit_min_gas(t, fork, cap);
    uint64_t lo = min_gas(t, fork);
    if (lo > cap) {
      tx_remove(b, i);
      continue;
    }
    if (t->gas_limit < lo) t->gas_limit = lo;
    if (t->gas_limit > cap) t->gas_limit = cap;
    i++;
  }
  for (;;) {
    u256_u128 sum_lo = 0, sum = 0;
    for (size_t i = 0; i < b->n_txs; i++) {
      sum_lo += min_gas(&b->txs[i], fork);
      sum += b->txs[i].gas_limit;
    }
    if (sum <= limit) return;
    if (sum_lo > limit) {
      tx_remove(b, b->n_txs - 1);
      continue;
    }
    u256_u128 room = limit - sum_lo, over = sum - sum_lo;
    for (size_t i = 0; i < b->n_txs; i++) {
      blk_tx *t = &b->txs[i];
      uint64_t lo = min_gas(t, fork);
      t->gas_limit = lo + (uint64_t)((u256_u128)(t->gas_limit - lo) * room / over);
    }
    return; /* rounding down keeps the sum within the limit */
  }
}

/* What the fix-up follows per address: the nonce the next transaction or
 * authorization must carry, and what its transactions can spend. */
typedef struct {
  uint8_t addr[20];
  uint64_t nonce;
  u256 need;
  int sender;
} acct_track;

/* Addresses met, in an open-addressing table sized once (every transaction's
 * sender and authority fits), so the fix-up stays linear in the block. */
typedef struct {
  acct_track *v;
  size_t n, cap;
  size_t *slot; /* index + 1 into v; 0 empty */
  size_t mask;
} track_set;

static int track_init(track_set *s, size_t cap) {
  size_t nslots = 16;
  while (nslots < 2 * cap) nslots *= 2;
  s->v = malloc((cap ? cap : 1) * sizeof *s->v);
  s->slot = calloc(nslots, sizeof *s->slot);
  s->n = 0;
  s->cap = cap;
  s->mask = nslots - 1;
  return s->v && s->slot ? MUT_OK : MUT_E_NOMEM;
}

static acct_track *track(track_set *s, blk_block *b, size_t n_sorted, const uint8_t addr[20]) {
  uint64_t h = 0;
  for (int i = 12; i < 20; i++) h = h << 8 | addr[i];
  h = (h ^ addr[0] ^ (uint64_t)addr[5] << 8) * 0x9e3779b97f4a7c15ull;
  size_t i = (size_t)(h >> 32) & s->mask;
  while (s->slot[i]) {
    acct_track *t = &s->v[s->slot[i] - 1];
    if (memcmp(t->addr, addr, 20) == 0) return t;
    i = (i + 1) & s->mask;
  }
  if (s->n == s->cap) return NULL; /* cannot happen: sized for every address */
  acct_track *t = &s->v[s->n++];
  s->slot[i] = s->n;
  memset(t, 0, sizeof *t);
  memcpy(t->addr, addr, 20);
  const blk_account *a = find_sorted(b, n_sorted, addr);
  if (a) t->nonce = a->nonce;
  return t;
}

static int normalise_state(blk_block *b);

/* Senders: no code but a delegation, nonces in sequence, balances enough. */
static int fix_senders(blk_block *b) {
  blk_fork fork = b->env.fork;
  int rc = normalise_state(b); /* sorted accounts: binary search below */
  if (rc) return rc;
  size_t n_sorted = b->n_accounts, n_addr = 0;
  for (size_t i = 0; i < b->n_txs; i++) n_addr += 1 + b->txs[i].n_auths;
  track_set s = {0};
  if (track_init(&s, n_addr)) {
    free(s.v);
    free(s.slot);
    return MUT_E_NOMEM;
  }
  /* senders' pre-state: an EOA with a nonce far from overflow */
  for (size_t i = 0; i < b->n_txs; i++) {
    uint8_t addr[20];
    if (evm_test_address(b->txs[i].sender_key, addr) != EVM_SIG_OK) {
      tx_remove(b, i--);
      continue;
    }
    blk_account *a = find_sorted(b, n_sorted, addr);
    if (!a) continue;
    if (a->code_ref && !(fork >= BLK_FORK_PRAGUE && is_delegation(&b->codes[a->code_ref - 1]))) a->code_ref = 0;
    if (a->nonce > (1ull << 62)) a->nonce &= 0xffff;
  }
  u256 cid = u256_from_u64(b->env.chain_id);
  for (size_t i = 0; i < b->n_txs && rc == MUT_OK; i++) {
    blk_tx *t = &b->txs[i];
    uint8_t addr[20];
    evm_test_address(t->sender_key, addr);
    acct_track *a = track(&s, b, n_sorted, addr);
    if (!a) {
      rc = MUT_E_NOMEM;
      break;
    }
    a->sender = 1;
    t->nonce = a->nonce++;
    /* need += gas * max_fee + value + blob gas * blob fee cap */
    u256 fee, gas = u256_from_u64(t->gas_limit), x, value;
    u256_from_be(&fee, t->gas_price.b);
    u256_mul(&x, &fee, &gas);
    u256_add(&a->need, &a->need, &x);
    u256_from_be(&value, t->value.b);
    u256_add(&a->need, &a->need, &value);
    if (t->type == 3) {
      u256 bf, bg = u256_from_u64((uint64_t)t->n_blob_hashes * EVM_GAS_PER_BLOB);
      u256_from_be(&bf, t->max_fee_per_blob_gas.b);
      u256_mul(&x, &bf, &bg);
      u256_add(&a->need, &a->need, &x);
    }
    /* authorizations that will bump an authority's nonce (as the executor decides) */
    for (size_t k = 0; k < t->n_auths; k++) {
      const blk_auth *au = &t->auths[k];
      u256 ac;
      u256_from_be(&ac, au->chain_id.b);
      if ((!u256_is_zero(&ac) && !u256_eq(&ac, &cid)) || au->nonce == UINT64_MAX) continue;
      uint8_t who[20];
      if (evm_auth_signer(au, who) != EVM_SIG_OK) continue;
      blk_account *pa = find_sorted(b, n_sorted, who);
      if (pa && pa->code_ref && !is_delegation(&b->codes[pa->code_ref - 1])) continue;
      acct_track *w = track(&s, b, n_sorted, who);
      if (!w) {
        rc = MUT_E_NOMEM;
        break;
      }
      if (w->nonce == au->nonce) w->nonce++;
    }
  }
  for (size_t i = 0; i < s.n && rc == MUT_OK; i++) {
    if (!s.v[i].sender) continue;
    blk_account *a = find_sorted(b, n_sorted, s.v[i].addr);
    if (!a && !(a = add_account(b, s.v[i].addr))) {
      rc = MUT_E_NOMEM;
      break;
    }
    u256 bal, margin = u256_from_u64(MUT_BALANCE_MARGIN);
    u256_from_be(&bal, a->balance.b);
    if (u256_lt(&bal, &s.v[i].need)) {
      u256_add(&bal, &s.v[i].need, &margin);
      u256_to_be(&bal, a->balance.b);
    }
  }
  free(s.v);
  free(s.slot);
  return rc;
}

/* By key, then by value: equal keys (an operator may add one twice) then
 * sort the same under any qsort, and the smallest non-zero value is kept. */
static int cmp_slot(const void *x, const void *y) {
  const blk_slot *a = x, *b = y;
  int c = memcmp(a->key.b, b->key.b, 32);
  return c ? c : memcmp(a->value.b, b->value.b, 32);
}

/* Accounts sorted and unique, storage sorted, unique and non-zero, codes
 * non-empty, distinct and used. */
static int normalise_state(blk_block *b) {
  for (size_t i = 0; i < b->n_accounts; i++) {
    blk_account *a = &b->accounts[i];
    size_t k = 0;
    if (a->n_storage > 1) qsort(a->storage, a->n_storage, sizeof *a->storage, cmp_slot);
    for (size_t j = 0; j < a->n_storage; j++) {
      if (is_zero_bytes(a->storage[j].value.b, 32)) continue;
      if (k && memcmp(a->storage[k - 1].key.b, a->storage[j].key.b, 32) == 0) continue;
      a->storage[k++] = a->storage[j];
    }
    a->n_storage = k;
    if (a->code_ref > b->n_codes) a->code_ref = 0;
  }
  if (b->n_accounts > 1) {
    size_t *order = malloc(b->n_accounts * sizeof *order);
    blk_account *sorted = malloc(b->n_accounts * sizeof *sorted);
    if (!order || !sorted) {
      free(order);
      free(sorted);
      return MUT_E_NOMEM;
    }
    /* insertion order breaks ties: sort indices by (address, index) */
    for (size_t i = 0; i < b->n_accounts; i++) order[i] = i;
    for (size_t i = 1; i < b->n_accounts; i++) { /* accounts are few: a simple stable sort */
      size_t v = order[i], j = i;
      while (j > 0 && memcmp(b->accounts[order[j - 1]].address.b, b->accounts[v].address.b, 20) > 0) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = v;
    }
    size_t k = 0;
    for (size_t i = 0; i < b->n_accounts; i++) {
      blk_account *a = &b->accounts[order[i]];
      if (k && memcmp(sorted[k - 1].address.b, a->address.b, 20) == 0) {
        free(a->storage);
        continue;
      }
      sorted[k++] = *a;
    }
    free(order);
    free(b->accounts);
    b->accounts = sorted;
    b->n_accounts = k;
  }
  /* codes: map each used, non-empty code to its first identical copy */
  if (b->n_codes) {
    uint32_t *map = calloc(b->n_codes, sizeof *map);
    unsigned char *used = calloc(b->n_codes, 1);
    if (!map || !used) {
      free(map);
      free(used);
      return MUT_E_NOMEM;
    }
    for (size_t i = 0; i < b->n_accounts; i++) {
      blk_account *a = &b->accounts[i];
      if (a->code_ref && b->codes[a->code_ref - 1].len == 0) a->code_ref = 0;
      if (a->code_ref) used[a->code_ref - 1] = 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < b->n_codes; i++) {
      if (!used[i]) {
        free(b->codes[i].data);
        continue;
      }
      size_t j = 0;
      while (j < k && !(b->codes[j].len == b->codes[i].len && memcmp(b->codes[j].data, b->codes[i].data, b->codes[i].len) == 0)) j++;
      if (j < k) {
        free(b->codes[i].data);
      } else {
        b->codes[k++] = b->codes[i];
      }
      map[i] = (uint32_t)j + 1;
    }
    b->n_codes = k;
    for (size_t i = 0; i < b->n_accounts; i++)
      if (b->accounts[i].code_ref) b->accounts[i].code_ref = map[b->accounts[i].code_ref - 1];
    if (!k) {
      free(b->codes);
      b->codes = NULL;
    }
    free(map);
    free(used);
  }
  return MUT_OK;
}

int mut_fixup(blk_block *b, const mut_opts *o) {
  if (!b) return MUT_E_ARG;
  mut_opts def = mut_opts_default();
  if (!o) o = &def;
  b->version = BLK_VERSION;
  if ((unsigned)b->env.fork >= BLK_FORK_COUNT) b->env.fork = BLK_FORK_OSAKA;
  /* a base fee no sender could pay, or a blob base fee past 2^48, is tamed */
  if (!fits_bits(&b->env.base_fee, 64) || low_u64(&b->env.base_fee) >> 40) set_u64(&b->env.base_fee, 7);
  uint8_t bbf[32];
  evm_blob_base_fee(b->env.fork, b->env.excess_blob_gas, bbf);
  u256 blob_fee;
  u256_from_be(&blob_fee, bbf);
  while (b->n_txs > o->max_txs) tx_remove(b, b->n_txs - 1);
  uint64_t blobs_used = 0;
  for (size_t i = 0; i < b->n_txs; i++) fix_tx_fields(b, &b->txs[i], &blob_fee, &blobs_used);
  fit_gas(b, o->tx_gas_cap);
  int rc = fix_senders(b);
  if (rc == MUT_OK) rc = normalise_state(b);
  if (rc == MUT_OK && blk_validate(b, NULL) != BLK_OK) rc = MUT_E_ARG;
  return rc;
}

int mut_drop_tx(blk_block *b, size_t i) {
  if (!b || i >= b->n_txs) return MUT_E_ARG;
  tx_remove(b, i);
  return MUT_OK;
}

int mut_resize(blk_block *b, uint64_t gas_limit, const mut_opts *o) {
  if (!b || gas_limit < 21000) return MUT_E_ARG;
  mut_opts def = mut_opts_default();
  if (!o) o = &def;
  b->env.gas_limit = gas_limit;
  size_t n0 = b->n_txs;
  uint64_t sum = 0;
  for (size_t i = 0; i < n0; i++) sum += b->txs[i].gas_limit;
  if (sum > gas_limit) {
    /* shrink: the first transactions, each raised to the cap while there is
     * room, the rest dropped. Shortening every transaction instead would keep
     * n intrinsic charges of 21000 in a smaller block, so a block cut from
     * 2M to 200k gas in nine transactions would spend most of its gas on
     * them. The order is kept, so a transaction never loses what an earlier
     * one set up. */
    uint64_t room = gas_limit;
    size_t keep = 0;
    while (keep < n0 && room >= 21000) {
      uint64_t g = o->tx_gas_cap < room ? o->tx_gas_cap : room;
      b->txs[keep].gas_limit = g;
      room -= g;
      keep++;
    }
    while (b->n_txs > keep) mut_drop_tx(b, b->n_txs - 1);
    return mut_fixup(b, o);
  }
  /* grow: first each transaction up to the cap (a loop that runs until its
   * gas is spent does more work), then copies of them, in order, round robin,
   * the last one given what room is left */
  for (size_t i = 0; i < n0 && sum < gas_limit && !o->keep_tx_gas; i++) {
    uint64_t room = gas_limit - sum, t = b->txs[i].gas_limit;
    uint64_t add = t < o->tx_gas_cap ? o->tx_gas_cap - t : 0;
    if (add > room) add = room;
    b->txs[i].gas_limit += add;
    sum += add;
  }
  for (size_t k = 0; n0 && gas_limit - sum >= 2 * 21000 && b->n_txs < o->max_txs; k = (k + 1) % n0) {
    uint64_t g = b->txs[k].gas_limit, room = gas_limit - sum;
    if (g > room) g = room;
    blk_tx copy;
    if (tx_copy(&copy, &b->txs[k]) != MUT_OK) return MUT_E_NOMEM;
    blk_tx *t = tx_insert(b, b->n_txs);
    if (!t) {
      tx_clear(&copy);
      return MUT_E_NOMEM;
    }
    copy.gas_limit = g;
    *t = copy;
    sum += g;
  }
  /* shrink (and nonces, balances, signatures) as the fix-up does */
  return mut_fixup(b, o);
}

/* ---- seed ---- */

int mut_seed_block(blk_block *out) {
  if (!out) return MUT_E_ARG;
  mut_rng r;
  mut_rng_seed(&r, 0x706b62656e6368ull);
  mbuf m = {0};
  put1(&m, OP(JUMPDEST));
  for (int u = 0; u < 4; u++) {
    snippet(&m, &r, BLK_FORK_OSAKA, SN_MULMOD);
    snippet(&m, &r, BLK_FORK_OSAKA, SN_KECCAK);
    snippet(&m, &r, BLK_FORK_OSAKA, SN_SLOAD_COLD);
  }
  put(&m, (const uint8_t[]){OP(PUSH2), 0, 0, OP(JUMP)}, 4);
  if (m.oom) {
    free(m.b);
    memset(out, 0, sizeof *out);
    return MUT_E_NOMEM;
  }
  gen_params p = {1000000, BLK_FORK_OSAKA, 0};
  int rc = gen_contract_block(&p, m.b, m.n, 1, out);
  free(m.b);
  return rc == GEN_OK ? MUT_OK : rc == GEN_E_NOMEM ? MUT_E_NOMEM : MUT_E_SEED;
}

/* ---- driving ---- */

static int pick_op(mut_rng *r, const mut_opts *o, int cross) {
  uint32_t allowed[MUT_OP_COUNT];
  int n = 0;
  for (int i = 0; i < MUT_OP_COUNT; i++) {
    int is_cross = i == MUT_OP_CROSS_TXS || i == MUT_OP_CROSS_CODE;
    if (is_cross == cross && !(o->disabled >> i & 1)) allowed[n++] = (uint32_t)i;
  }
  return n ? (int)allowed[mut_rng_below(r, (uint64_t)n)] : -1;
}

static int mutate_some(blk_block *b, mut_rng *r, const mut_opts *o, const blk_block *donor, unsigned min_ops) {
  unsigned max_ops = o->max_ops ? o->max_ops : 1;
  unsigned n = min_ops + (unsigned)mut_rng_below(r, max_ops);
  for (unsigned k = 0; k < n; k++) {
    for (int tries = 0; tries < 8; tries++) {
      int op = pick_op(r, o, 0);
      if (op < 0) return MUT_OK;
      int rc = mut_apply(b, (mut_op)op, r, o, donor);
      if (rc < 0) return rc;
      if (rc == 1) break;
    }
  }
  return MUT_OK;
}

int mut_block_decoded(blk_block *b, mut_rng *r, const mut_opts *o) {
  if (!b || !r) return MUT_E_ARG;
  mut_opts def = mut_opts_default();
  if (!o) o = &def;
  int rc = mutate_some(b, r, o, NULL, 1);
  int frc = mut_fixup(b, o);
  return rc ? rc : frc;
}

int mut_crossover_decoded(blk_block *b, const blk_block *other, mut_rng *r, const mut_opts *o) {
  if (!b || !other || !r) return MUT_E_ARG;
  mut_opts def = mut_opts_default();
  if (!o) o = &def;
  int rc = MUT_OK;
  uint64_t which = mut_rng_below(r, 3); /* 0: txs, 1: code, 2: both */
  if (which != 1 && !(o->disabled >> MUT_OP_CROSS_TXS & 1)) {
    int x = mut_apply(b, MUT_OP_CROSS_TXS, r, o, other);
    if (x < 0) rc = x;
  }
  if (rc == MUT_OK && which != 0 && !(o->disabled >> MUT_OP_CROSS_CODE & 1)) {
    int x = mut_apply(b, MUT_OP_CROSS_CODE, r, o, other);
    if (x < 0) rc = x;
  }
  if (rc == MUT_OK && coin(r, 2)) rc = mutate_some(b, r, o, other, 0);
  int frc = mut_fixup(b, o);
  return rc ? rc : frc;
}

/* Decode, or the seed block; then fit it. */
static int load(const uint8_t *in, size_t len, blk_block *b, const mut_opts *o) {
  if (!in || blk_decode(in, len, b, NULL) != BLK_OK) {
    int rc = mut_seed_block(b);
    if (rc) return rc;
  }
  int rc = mut_fixup(b, o);
  if (rc) blk_free(b);
  return rc;
}

static size_t emit(const blk_block *b, uint8_t *out, size_t max_out) {
  uint8_t *enc;
  size_t n;
  if (blk_encode(b, &enc, &n) != BLK_OK) return 0;
  size_t ret = n <= max_out ? n : 0;
  if (ret) memcpy(out, enc, n);
  free(enc);
  return ret;
}

enum { MUT_TRIES = 4 };

/* Work on a copy of base (kept as its encoding), falling back as mut_block says. */
static size_t drive(blk_block *base, const blk_block *other, uint8_t *out, size_t max_out, mut_rng *r,
                    const mut_opts *o) {
  uint8_t *enc;
  size_t n;
  if (blk_encode(base, &enc, &n) != BLK_OK) return 0;
  size_t got = 0;
  for (int k = 0; k < MUT_TRIES && !got; k++) {
    blk_block w;
    if (blk_decode(enc, n, &w, NULL) != BLK_OK) break;
    int rc = other ? mut_crossover_decoded(&w, other, r, o) : mut_block_decoded(&w, r, o);
    if (rc == MUT_OK) got = emit(&w, out, max_out);
    blk_free(&w);
  }
  if (!got && n <= max_out) {
    memcpy(out, enc, n);
    got = n;
  }
  free(enc);
  if (!got) {
    blk_block s;
    if (mut_seed_block(&s) == MUT_OK) {
      if (mut_fixup(&s, o) == MUT_OK) got = emit(&s, out, max_out);
      blk_free(&s);
    }
  }
  return got;
}

size_t mut_block(const uint8_t *in, size_t len, uint8_t *out, size_t max_out, uint64_t seed, const mut_opts *o) {
  if (!out) return 0;
  mut_opts def = mut_opts_default();
  if (!o) o = &def;
  blk_block b;
  if (load(in, len, &b, o)) return 0;
  mut_rng r;
  mut_rng_seed(&r, seed);
  size_t got = drive(&b, NULL, out, max_out, &r, o);
  blk_free(&b);
  return got;
}

size_t mut_crossover(const uint8_t *a, size_t la, const uint8_t *b, size_t lb, uint8_t *out, size_t max_out,
                     uint64_t seed, const mut_opts *o) {
  if (!out) return 0;
  mut_opts def = mut_opts_default();
  if (!o) o = &def;
  blk_block x, y;
  if (load(a, la, &x, o)) return 0;
  if (load(b, lb, &y, o)) {
    blk_free(&x);
    return 0;
  }
  mut_rng r;
  mut_rng_seed(&r, seed);
  size_t got = drive(&x, &y, out, max_out, &r, o);
  blk_free(&x);
  blk_free(&y);
  return got;
}
