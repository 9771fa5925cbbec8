/* gen_mainnet: mainnet-like blocks drawn from a cited mix (see gen_mainnet.h).
 *
 * Three contracts are assembled here from the opcode list: an ERC-20 token
 * (transfer, approve, transferFrom), a constant-product pool in the shape of
 * a Uniswap V2 pair (swap: reserves, price accumulators, and the two token
 * transfers as calls into the tokens), and an ERC-721 style mint. Their storage follows
 * Solidity's layout, so a transfer reads and writes keccak-keyed slots as a
 * deployed token does. A block is filled by drawing transactions from the
 * mix until the gas it used when executed reaches a drawn target, then cut
 * just past the target, given wallet-like gas limits and executed again:
 * the generator returns only blocks it has seen execute cleanly.
 *
 * The pre-state is derived from the transactions kept (their senders, the
 * token holders they touch), so a block carries only the state it reads.
 */
#include "gen_mainnet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "evm/evm.h"
#include "evm/gas.h"
#include "evm/txsig.h"
#include "hash/keccak.h"

enum {
#define EVM_OP(name, code, in, out, gas, fork, cls) MOP_##name = code,
#include "evm/opcodes.def"
#undef EVM_OP
};

/* ---- names and addresses ---- */

static const char *const class_names[GENM_CLASS_COUNT] = {
#define X(id, name, desc) name,
    GENM_CLASSES(X)
#undef X
};

const char *genm_class_name(genm_class c) { return (unsigned)c < GENM_CLASS_COUNT ? class_names[c] : NULL; }

const char *genm_strerror(int code) {
  switch (code) {
    case GENM_OK: return "ok";
    case GENM_E_PARAM: return "gas limit or fork out of range";
    case GENM_E_NOMEM: return "out of memory";
    case GENM_E_KEYS: return "test key derivation or signing failed";
    case GENM_E_MIX: return "malformed mix file";
    case GENM_E_IO: return "mix file could not be read";
    case GENM_E_EXEC: return "generated block did not execute cleanly";
    default: return "unknown error";
  }
}

/* Each address is one byte repeated, except the blob inbox, which has the
 * 0xff00..00NN shape rollups use for their batch inboxes. None falls in the
 * precompile range. */
static const uint8_t addr_tag[GENM_ADDR_COUNT] = {0xa1, 0xa2, 0xb1, 0xc1, 0xda, 0x00, 0xd1};
static uint8_t addresses[GENM_ADDR_COUNT][20];
static int addresses_ready;

static void init_addresses(void) {
  if (addresses_ready) return;
  for (int i = 0; i < GENM_ADDR_COUNT; i++) memset(addresses[i], addr_tag[i], 20);
  addresses[GENM_ADDR_BLOB_INBOX][0] = 0xff;
  addresses[GENM_ADDR_BLOB_INBOX][19] = 0x42;
  addresses_ready = 1;
}

const uint8_t *genm_address(genm_addr a) {
  if ((unsigned)a >= GENM_ADDR_COUNT) return NULL;
  init_addresses();
  return addresses[a];
}

void genm_mapping_key(const uint8_t who[20], uint64_t slot, uint8_t key[32]) {
  uint8_t buf[64] = {0};
  memcpy(buf + 12, who, 20);
  for (int i = 0; i < 8; i++) buf[63 - i] = (uint8_t)(slot >> (8 * i));
  keccak256(buf, sizeof buf, key);
}

/* ---- random numbers: splitmix64, integer only ---- */

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t rng_next(uint64_t *s) {
  *s += 0x9e3779b97f4a7c15ull;
  return mix64(*s);
}

/* Uniform in [0, 1) with 53 bits. */
static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0); }

/* Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for our n). */
static uint64_t rng_below(uint64_t *s, uint64_t n) { return rng_next(s) % n; }

/* Index drawn from weights w[0..n) summing to 1. */
static size_t rng_pick(uint64_t *s, const double *w, size_t n) {
  double u = rng_unit(s), acc = 0;
  size_t last = 0;
  for (size_t i = 0; i < n; i++) {
    if (w[i] <= 0) continue;
    last = i;
    acc += w[i];
    if (u < acc) return i;
  }
  return last;
}

/* Log-uniform-like integer in [lo, hi]: a uniform octave, then uniform within
 * it (integer arithmetic only, so the same bytes everywhere). */
static uint64_t rng_log_between(uint64_t *s, uint64_t lo, uint64_t hi) {
  if (lo == 0) lo = 1;
  if (hi <= lo) return lo;
  int oct = 0;
  while (oct < 62 && (lo << (oct + 1)) <= hi) oct++;
  uint64_t base = lo << rng_below(s, (uint64_t)oct + 1);
  uint64_t top = base * 2 - 1 < hi && base * 2 > base ? base * 2 - 1 : hi;
  return base + rng_below(s, top - base + 1);
}

/* ---- a small assembler with forward labels ---- */

enum { MASM_LABELS = 8, MASM_FIXUPS = 32 };

typedef struct {
  uint8_t *b;
  size_t n, cap;
  int bad; /* out of memory or a label problem */
  size_t label_pc[MASM_LABELS];
  int label_set[MASM_LABELS];
  size_t fix_at[MASM_FIXUPS];
  int fix_label[MASM_FIXUPS];
  int nfix;
} masm;

static void m_emit(masm *a, const uint8_t *p, size_t n) {
  if (a->bad) return;
  if (a->n + n > a->cap) {
    size_t cap = a->cap ? a->cap : 256;
    while (cap < a->n + n) cap *= 2;
    uint8_t *nb = realloc(a->b, cap);
    if (!nb) {
      a->bad = 1;
      return;
    }
    a->b = nb;
    a->cap = cap;
  }
  memcpy(a->b + a->n, p, n);
  a->n += n;
}

static void m_op(masm *a, uint8_t o) { m_emit(a, &o, 1); }

/* PUSH of exactly n big-endian bytes (1..32). */
static void m_push_bytes(masm *a, const uint8_t *p, size_t n) {
  m_op(a, (uint8_t)(MOP_PUSH1 + n - 1));
  m_emit(a, p, n);
}

/* PUSH of v in the fewest bytes; PUSH0 for zero (every supported fork has it). */
static void m_push(masm *a, uint64_t v) {
  uint8_t be[8];
  size_t n = 0;
  for (int i = 7; i >= 0; i--) {
    uint8_t byte = (uint8_t)(v >> (8 * i));
    if (n == 0 && byte == 0) continue;
    be[n++] = byte;
  }
  if (n == 0)
    m_op(a, MOP_PUSH0);
  else
    m_push_bytes(a, be, n);
}

static void m_push2(masm *a, uint16_t v) {
  uint8_t be[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  m_push_bytes(a, be, 2);
}

/* PUSH2 of a label's pc, patched by m_finish. */
static void m_ref(masm *a, int label) {
  if (a->nfix == MASM_FIXUPS) {
    a->bad = 1;
    return;
  }
  a->fix_at[a->nfix] = a->n + 1;
  a->fix_label[a->nfix++] = label;
  m_push2(a, 0);
}

static void m_label(masm *a, int label) {
  a->label_pc[label] = a->n;
  a->label_set[label] = 1;
  m_op(a, MOP_JUMPDEST);
}

static int m_finish(masm *a) {
  for (int i = 0; i < a->nfix && !a->bad; i++) {
    int l = a->fix_label[i];
    if (!a->label_set[l] || a->label_pc[l] > 0xffff) {
      a->bad = 1;
      break;
    }
    a->b[a->fix_at[i]] = (uint8_t)(a->label_pc[l] >> 8);
    a->b[a->fix_at[i] + 1] = (uint8_t)a->label_pc[l];
  }
  return a->bad ? -1 : 0;
}

/* First four bytes of keccak256(signature), as Solidity selects functions. */
static uint32_t selector(const char *sig) {
  uint8_t h[32];
  keccak256(sig, strlen(sig), h);
  return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static void event_topic(const char *sig, uint8_t out[32]) { keccak256(sig, strlen(sig), out); }

static const char SIG_TRANSFER[] = "transfer(address,uint256)";
static const char SIG_APPROVE[] = "approve(address,uint256)";
static const char SIG_TRANSFER_FROM[] = "transferFrom(address,address,uint256)";
static const char SIG_SWAP[] = "swap(uint256,bool)";
static const char SIG_MINT[] = "mint()";
static const char EV_TRANSFER[] = "Transfer(address,address,uint256)";
static const char EV_APPROVAL[] = "Approval(address,address,uint256)";
static const char EV_SWAP[] = "Swap(address,uint256,uint256,bool)";

/* Function dispatch on the selector; no match reverts. Leaves [sel] on the
 * stack at each entry label, so every function starts with POP. */
static void m_dispatch(masm *a, const char *const *sigs, const int *labels, int n) {
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_CALLDATALOAD);
  m_push(a, 224);
  m_op(a, MOP_SHR); /* [sel] */
  for (int i = 0; i < n; i++) {
    m_op(a, MOP_DUP1);
    m_push(a, selector(sigs[i]));
    m_op(a, MOP_EQ);
    m_ref(a, labels[i]);
    m_op(a, MOP_JUMPI); /* [sel] */
  }
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_DUP1);
  m_op(a, MOP_REVERT);
}

static void m_revert_label(masm *a, int label) {
  m_label(a, label);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_DUP1);
  m_op(a, MOP_REVERT);
}

/* keccak256(mem[0..64)) with mem[32..64) = slot: the mapping key of the word
 * already at mem[0..32). Leaves [key]. */
static void m_mapkey_slot(masm *a, uint64_t slot) {
  m_push(a, slot);
  m_push(a, 32);
  m_op(a, MOP_MSTORE);
  m_push(a, 64);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_KECCAK256);
}

static void m_return_true(masm *a) {
  m_push(a, 1);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_push(a, 32);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_RETURN);
}

static void m_cdl(masm *a, uint64_t off) {
  m_push(a, off);
  m_op(a, MOP_CALLDATALOAD);
}

/* ERC-20: balances mapping at slot 0, allowances at slot 1. Stack comments
 * list the top last. */
static int token_code(masm *a) {
  enum { L_TRANSFER, L_APPROVE, L_TRANSFER_FROM, L_REVERT };
  uint8_t topic[32];
  const char *sigs[] = {SIG_TRANSFER, SIG_APPROVE, SIG_TRANSFER_FROM};
  const int labels[] = {L_TRANSFER, L_APPROVE, L_TRANSFER_FROM};
  m_dispatch(a, sigs, labels, 3);

  /* transfer(to, amount) */
  m_label(a, L_TRANSFER);
  m_op(a, MOP_POP);
  m_op(a, MOP_CALLER);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_mapkey_slot(a, 0); /* [kf] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_SLOAD); /* [kf, bf] */
  m_push(a, 36);
  m_op(a, MOP_CALLDATALOAD); /* [kf, bf, amt] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_DUP3);
  m_op(a, MOP_LT); /* [kf, bf, amt, bf<amt] */
  m_ref(a, L_REVERT);
  m_op(a, MOP_JUMPI); /* [kf, bf, amt] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_DUP3);
  m_op(a, MOP_SUB); /* [kf, bf, amt, bf-amt] */
  m_op(a, MOP_DUP4);
  m_op(a, MOP_SSTORE); /* [kf, bf, amt] */
  m_op(a, MOP_SWAP2);
  m_op(a, MOP_POP);
  m_op(a, MOP_POP); /* [amt] */
  m_push(a, 4);
  m_op(a, MOP_CALLDATALOAD);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_mapkey_slot(a, 0); /* [amt, kt] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_SLOAD); /* [amt, kt, bt] */
  m_op(a, MOP_DUP3);
  m_op(a, MOP_ADD); /* [amt, kt, bt+amt] */
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_SSTORE); /* [amt] */
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE); /* [] mem[0] = amt */
  event_topic(EV_TRANSFER, topic);
  m_push(a, 4);
  m_op(a, MOP_CALLDATALOAD); /* topic2: to */
  m_op(a, MOP_CALLER);       /* topic1: from */
  m_push_bytes(a, topic, 32);
  m_push(a, 32);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_LOG3);
  m_return_true(a);

  /* approve(spender, amount): allowance[owner][spender] at
   * keccak(spender . keccak(owner . 1)) */
  m_label(a, L_APPROVE);
  m_op(a, MOP_POP);
  m_op(a, MOP_CALLER);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_mapkey_slot(a, 1); /* [h] */
  m_push(a, 32);
  m_op(a, MOP_MSTORE); /* [] mem[32] = h */
  m_push(a, 4);
  m_op(a, MOP_CALLDATALOAD);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE); /* mem[0] = spender */
  m_push(a, 36);
  m_op(a, MOP_CALLDATALOAD); /* [amt] */
  m_push(a, 64);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_KECCAK256); /* [amt, k] */
  m_op(a, MOP_SSTORE);    /* [] */
  m_push(a, 36);
  m_op(a, MOP_CALLDATALOAD);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  event_topic(EV_APPROVAL, topic);
  m_push(a, 4);
  m_op(a, MOP_CALLDATALOAD);
  m_op(a, MOP_CALLER);
  m_push_bytes(a, topic, 32);
  m_push(a, 32);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_LOG3);
  m_return_true(a);

  /* transferFrom(from, to, amount): allowance[from][caller] -= amount, then
   * the transfer from `from` */
  m_label(a, L_TRANSFER_FROM);
  m_op(a, MOP_POP);
  m_cdl(a, 4);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_mapkey_slot(a, 1); /* [h] */
  m_push(a, 32);
  m_op(a, MOP_MSTORE);
  m_op(a, MOP_CALLER);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_push(a, 64);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_KECCAK256); /* [ka] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_SLOAD);
  m_cdl(a, 68); /* [ka, al, amt] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_DUP3);
  m_op(a, MOP_LT);
  m_ref(a, L_REVERT);
  m_op(a, MOP_JUMPI);
  m_op(a, MOP_DUP1);
  m_op(a, MOP_DUP3);
  m_op(a, MOP_SUB);
  m_op(a, MOP_DUP4);
  m_op(a, MOP_SSTORE);
  m_op(a, MOP_SWAP2);
  m_op(a, MOP_POP);
  m_op(a, MOP_POP); /* [amt] */
  m_cdl(a, 4);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_mapkey_slot(a, 0); /* [amt, kf] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_SLOAD); /* [amt, kf, bf] */
  m_op(a, MOP_DUP3);
  m_op(a, MOP_DUP2);
  m_op(a, MOP_LT); /* bf < amt */
  m_ref(a, L_REVERT);
  m_op(a, MOP_JUMPI);
  m_op(a, MOP_DUP3);
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_SUB); /* [amt, kf, bf-amt] */
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_SSTORE); /* [amt] */
  m_cdl(a, 36);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_mapkey_slot(a, 0); /* [amt, kt] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_SLOAD);
  m_op(a, MOP_DUP3);
  m_op(a, MOP_ADD);
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_SSTORE); /* [amt] */
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  event_topic(EV_TRANSFER, topic);
  m_cdl(a, 36);
  m_cdl(a, 4);
  m_push_bytes(a, topic, 32);
  m_push(a, 32);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_LOG3);
  m_return_true(a);

  m_revert_label(a, L_REVERT);
  return m_finish(a);
}

/* mem[at..at+32) = sel << 224: a call's selector at `at`. */
static void m_put_selector(masm *a, const char *sig, uint64_t at) {
  m_push(a, selector(sig));
  m_push(a, 224);
  m_op(a, MOP_SHL);
  m_push(a, at);
  m_op(a, MOP_MSTORE);
}

/* CALL(gas, [top], 0, in_off, in_len, 0, 32) with the callee address on top
 * of the stack; reverts unless the call succeeded. Consumes the address. */
static void m_call_or_revert(masm *a, uint64_t in_off, uint64_t in_len, int l_revert) {
  m_push(a, 32);
  m_op(a, MOP_PUSH0);
  m_push(a, in_len);
  m_push(a, in_off);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_DUP6); /* the address, under the five arguments just pushed */
  m_op(a, MOP_GAS);
  m_op(a, MOP_CALL); /* [addr, ok] */
  m_op(a, MOP_ISZERO);
  m_ref(a, l_revert);
  m_op(a, MOP_JUMPI);
  m_op(a, MOP_POP);
}

/* Pool, Uniswap V2 pair style: reserves of A and B at slots 0 and 1, the
 * time of the last update at slot 2, the price accumulators at slots 3 and 4.
 * swap(amountIn, aToB) computes out = amountIn*997*rOut / (rIn*1000 +
 * amountIn*997) (V2's formula with its 0.3% fee), pulls amountIn of the input
 * token with transferFrom(caller, pool, amountIn), pays out with
 * transfer(caller, out), updates the accumulators and both reserves and
 * emits Swap. d = aToB (0/1) is the slot of the output reserve, 1-d the
 * input's; token A is reserve 0. */
static int pool_code(masm *a) {
  enum { L_SWAP, L_REVERT };
  uint8_t topic[32];
  const char *sigs[] = {SIG_SWAP};
  const int labels[] = {L_SWAP};
  const uint8_t *ta = genm_address(GENM_ADDR_TOKEN_A), *tb = genm_address(GENM_ADDR_TOKEN_B);
  uint8_t axb[20];
  for (int i = 0; i < 20; i++) axb[i] = ta[i] ^ tb[i];
  m_dispatch(a, sigs, labels, 1);

  m_label(a, L_SWAP);
  m_op(a, MOP_POP);
  m_cdl(a, 36);
  m_op(a, MOP_ISZERO);
  m_op(a, MOP_ISZERO); /* [d] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_ISZERO); /* [d, sIn] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_SLOAD); /* [d, sIn, rIn] */
  m_op(a, MOP_DUP3);
  m_op(a, MOP_SLOAD); /* [d, sIn, rIn, rOut] */
  /* price accumulators: p0 += (r1 << 112) / r0 * dt, p1 += (r0 << 112) / r1 * dt */
  m_op(a, MOP_TIMESTAMP);
  m_push(a, 2);
  m_op(a, MOP_SLOAD);
  m_op(a, MOP_DUP2);
  m_op(a, MOP_SUB); /* [.., rOut, ts, dt] */
  m_op(a, MOP_TIMESTAMP);
  m_push(a, 2);
  m_op(a, MOP_SSTORE);
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_POP); /* [d, sIn, rIn, rOut, dt] */
  for (int k = 0; k < 2; k++) {
    /* slot 3 + k: numerator reserve 1 - k, denominator reserve k */
    m_push(a, (uint64_t)k);
    m_op(a, MOP_SLOAD);
    m_push(a, (uint64_t)(1 - k));
    m_op(a, MOP_SLOAD);
    m_push(a, 112);
    m_op(a, MOP_SHL);
    m_op(a, MOP_DIV); /* [.., dt, price] */
    m_op(a, MOP_DUP2);
    m_op(a, MOP_MUL);
    m_push(a, (uint64_t)(3 + k));
    m_op(a, MOP_SLOAD);
    m_op(a, MOP_ADD);
    m_push(a, (uint64_t)(3 + k));
    m_op(a, MOP_SSTORE); /* [.., dt] */
  }
  m_op(a, MOP_POP);
  m_cdl(a, 4); /* [d, sIn, rIn, rOut, a] */
  m_op(a, MOP_DUP1);
  m_push(a, 997);
  m_op(a, MOP_MUL); /* [.., a, a997] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_DUP4);
  m_op(a, MOP_MUL); /* [.., a, a997, num] */
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_DUP5);
  m_push(a, 1000);
  m_op(a, MOP_MUL);
  m_op(a, MOP_ADD); /* [.., a, num, den] */
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_DIV); /* [d, sIn, rIn, rOut, a, out] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_ISZERO);
  m_ref(a, L_REVERT);
  m_op(a, MOP_JUMPI);
  /* reserve in += a; reserve out -= out */
  m_op(a, MOP_DUP2);
  m_op(a, MOP_DUP5);
  m_op(a, MOP_ADD);
  m_op(a, MOP_DUP6);
  m_op(a, MOP_SSTORE);
  m_op(a, MOP_DUP1);
  m_op(a, MOP_DUP4);
  m_op(a, MOP_SUB);
  m_op(a, MOP_DUP7);
  m_op(a, MOP_SSTORE); /* [d, sIn, rIn, rOut, a, out] */
  /* input token = B ^ (d * (A ^ B)): transferFrom(caller, this, a) */
  m_put_selector(a, SIG_TRANSFER_FROM, 0x100);
  m_op(a, MOP_CALLER);
  m_push(a, 0x104);
  m_op(a, MOP_MSTORE);
  m_op(a, MOP_ADDRESS);
  m_push(a, 0x124);
  m_op(a, MOP_MSTORE);
  m_op(a, MOP_DUP2);
  m_push(a, 0x144);
  m_op(a, MOP_MSTORE);
  m_push_bytes(a, axb, 20);
  m_op(a, MOP_DUP7);
  m_op(a, MOP_MUL);
  m_push_bytes(a, tb, 20);
  m_op(a, MOP_XOR); /* [.., a, out, tokenIn] */
  m_call_or_revert(a, 0x100, 100, L_REVERT);
  /* output token = A ^ (d * (A ^ B)): transfer(caller, out) */
  m_put_selector(a, SIG_TRANSFER, 0x100);
  m_op(a, MOP_CALLER);
  m_push(a, 0x104);
  m_op(a, MOP_MSTORE);
  m_op(a, MOP_DUP1);
  m_push(a, 0x124);
  m_op(a, MOP_MSTORE);
  m_push_bytes(a, axb, 20);
  m_op(a, MOP_DUP7);
  m_op(a, MOP_MUL);
  m_push_bytes(a, ta, 20);
  m_op(a, MOP_XOR); /* [.., a, out, tokenOut] */
  m_call_or_revert(a, 0x100, 68, L_REVERT);
  /* Swap(caller, amountIn, amountOut, aToB): data (a, out) */
  m_push(a, 32);
  m_op(a, MOP_MSTORE);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE); /* [d, sIn, rIn, rOut] */
  event_topic(EV_SWAP, topic);
  m_op(a, MOP_DUP4);
  m_op(a, MOP_CALLER);
  m_push_bytes(a, topic, 32);
  m_push(a, 64);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_LOG3);
  m_push(a, 32);
  m_push(a, 32);
  m_op(a, MOP_RETURN); /* amountOut */

  m_revert_label(a, L_REVERT);
  return m_finish(a);
}

/* NFT: last id at slot 0, owners at mapping slot 1, balances at slot 2.
 * mint() takes the next id, writes its (fresh) owner slot, bumps the caller's
 * balance and emits Transfer(0, caller, id) with all three indexed (LOG4). */
static int nft_code(masm *a) {
  enum { L_MINT };
  uint8_t topic[32];
  const char *sigs[] = {SIG_MINT};
  const int labels[] = {L_MINT};
  m_dispatch(a, sigs, labels, 1);

  m_label(a, L_MINT);
  m_op(a, MOP_POP);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_SLOAD);
  m_push(a, 1);
  m_op(a, MOP_ADD); /* [id] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_SSTORE); /* [id] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_op(a, MOP_CALLER);
  m_mapkey_slot(a, 1); /* [id, caller, kOwner] */
  m_op(a, MOP_SSTORE); /* [id] */
  m_op(a, MOP_CALLER);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_mapkey_slot(a, 2); /* [id, kb] */
  m_op(a, MOP_DUP1);
  m_op(a, MOP_SLOAD);
  m_push(a, 1);
  m_op(a, MOP_ADD);
  m_op(a, MOP_SWAP1);
  m_op(a, MOP_SSTORE); /* [id] */
  event_topic(EV_TRANSFER, topic);
  m_op(a, MOP_DUP1);   /* topic3: id */
  m_op(a, MOP_CALLER); /* topic2: to */
  m_op(a, MOP_PUSH0);  /* topic1: from = 0 */
  m_push_bytes(a, topic, 32);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_LOG4); /* [id] */
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_MSTORE);
  m_push(a, 32);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_RETURN);
  return m_finish(a);
}

/* Initcode deploying `runtime` (copied from after the prelude) with a
 * constructor that records the deployer at slot 0, as Ownable does. */
static int deploy_initcode(masm *a, const uint8_t *runtime, size_t rlen) {
  if (rlen > EVM_MAX_CODE_SIZE) return -1;
  m_push2(a, (uint16_t)rlen);
  size_t patch = a->n + 1;
  m_push2(a, 0);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_CODECOPY);
  m_op(a, MOP_CALLER);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_SSTORE);
  m_push2(a, (uint16_t)rlen);
  m_op(a, MOP_PUSH0);
  m_op(a, MOP_RETURN);
  size_t off = a->n;
  if (!a->bad) {
    a->b[patch] = (uint8_t)(off >> 8);
    a->b[patch + 1] = (uint8_t)off;
  }
  m_emit(a, runtime, rlen);
  return m_finish(a);
}

/* ---- the mix file ---- */

typedef enum { SEC_CLASS, SEC_TXTYPE, SEC_BLOBS, SEC_PARAM, SEC_COUNT } mix_section;
static const char *const section_names[SEC_COUNT] = {"class", "txtype", "blobs", "param"};

enum {
#define X(name, lo, hi) PARAM_##name,
  GENM_PARAMS(X)
#undef X
  PARAM_COUNT
};
static const struct {
  const char *name;
  double lo, hi;
} param_info[PARAM_COUNT] = {
#define X(name, lo, hi) {#name, lo, hi},
    GENM_PARAMS(X)
#undef X
};

static int mix_fail(genm_error *err, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int mix_fail(genm_error *err, size_t line, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->line = line;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return GENM_E_MIX;
}

static int parse_number(const char *s, double *out) {
  if (!*s) return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || v != v || v > 1e300 || v < -1e300) return -1;
  *out = v;
  return 0;
}

static double *param_slot(genm_mix *m, int i) {
  switch (i) {
#define X(name, lo, hi) \
  case PARAM_##name: return &m->name;
    GENM_PARAMS(X)
#undef X
    default: return NULL;
  }
}

int genm_mix_parse(const char *text, size_t len, genm_mix *out, genm_error *err) {
  memset(out, 0, sizeof *out);
  if (err) {
    err->line = 0;
    err->msg[0] = 0;
  }
  /* line of each record once seen (0 = missing) */
  size_t seen_class[GENM_CLASS_COUNT] = {0}, seen_type[5] = {0}, seen_blobs[7] = {0}, seen_param[PARAM_COUNT] = {0};
  size_t last_line[SEC_COUNT] = {0};
  double sum[SEC_COUNT] = {0};
  size_t line = 0, pos = 0;
  while (pos < len) {
    size_t start = pos;
    while (pos < len && text[pos] != '\n') pos++;
    size_t end = pos;
    if (pos < len) pos++;
    line++;
    if (end > start && text[end - 1] == '\r') end--;
    if (end == start || text[start] == '#') continue;
    char buf[512];
    if (end - start >= sizeof buf) return mix_fail(err, line, "line longer than %zu bytes", sizeof buf - 1);
    memcpy(buf, text + start, end - start);
    buf[end - start] = 0;
    if (memchr(buf, 0, end - start)) return mix_fail(err, line, "NUL byte in the line");
    char *f[4];
    int nf = 0;
    char *p = buf;
    while (nf < 4) {
      f[nf++] = p;
      char *tab = strchr(p, '\t');
      if (!tab) break;
      *tab = 0;
      p = tab + 1;
    }
    if (nf != 3)
      return mix_fail(err, line, "expected 3 TAB-separated fields (section, key, value), found %s",
                      nf > 3 ? "more" : nf == 2 ? "2" : "1");
    int sec = -1;
    for (int i = 0; i < SEC_COUNT; i++)
      if (strcmp(f[0], section_names[i]) == 0) sec = i;
    if (sec < 0) return mix_fail(err, line, "unknown section '%s' (class, txtype, blobs or param)", f[0]);
    double v;
    if (parse_number(f[2], &v)) return mix_fail(err, line, "'%s' is not a number", f[2]);
    last_line[sec] = line;
    if (sec != SEC_PARAM) {
      if (v < 0 || v > 100) return mix_fail(err, line, "percentage %s is not within 0..100", f[2]);
      sum[sec] += v;
    }
    if (sec == SEC_CLASS) {
      int c = -1;
      for (int i = 0; i < GENM_CLASS_COUNT; i++)
        if (strcmp(f[1], class_names[i]) == 0) c = i;
      if (c < 0) return mix_fail(err, line, "unknown transaction class '%s'", f[1]);
      if (seen_class[c]) return mix_fail(err, line, "class '%s' given twice (first on line %zu)", f[1], seen_class[c]);
      seen_class[c] = line;
      out->class_share[c] = v / 100;
    } else if (sec == SEC_TXTYPE || sec == SEC_BLOBS) {
      double k;
      int lo = sec == SEC_TXTYPE ? 0 : 1, hi = sec == SEC_TXTYPE ? 4 : 6;
      if (parse_number(f[1], &k) || k != (double)(int)k || k < lo || k > hi || (sec == SEC_TXTYPE && k == 3))
        return mix_fail(err, line,
                        sec == SEC_TXTYPE ? "txtype '%s' is not 0, 1, 2 or 4 (type 3 is the blob class)"
                                          : "blob count '%s' is not within 1..6",
                        f[1]);
      size_t *seen = sec == SEC_TXTYPE ? &seen_type[(int)k] : &seen_blobs[(int)k];
      if (*seen) return mix_fail(err, line, "%s %s given twice (first on line %zu)", f[0], f[1], *seen);
      *seen = line;
      if (sec == SEC_TXTYPE)
        out->type_share[(int)k] = v / 100;
      else
        out->blob_share[(int)k] = v / 100;
    } else {
      int pi = -1;
      for (int i = 0; i < PARAM_COUNT; i++)
        if (strcmp(f[1], param_info[i].name) == 0) pi = i;
      if (pi < 0) return mix_fail(err, line, "unknown param '%s'", f[1]);
      if (seen_param[pi])
        return mix_fail(err, line, "param '%s' given twice (first on line %zu)", f[1], seen_param[pi]);
      if (v < param_info[pi].lo || v > param_info[pi].hi)
        return mix_fail(err, line, "param %s = %s is outside %g..%g", f[1], f[2], param_info[pi].lo, param_info[pi].hi);
      seen_param[pi] = line;
      *param_slot(out, pi) = v;
    }
  }
  size_t eof = line + 1;
  for (int i = 0; i < GENM_CLASS_COUNT; i++)
    if (!seen_class[i]) return mix_fail(err, eof, "missing: class %s", class_names[i]);
  for (int i = 0; i < 5; i++)
    if (i != 3 && !seen_type[i]) return mix_fail(err, eof, "missing: txtype %d", i);
  for (int i = 1; i <= 6; i++)
    if (!seen_blobs[i]) return mix_fail(err, eof, "missing: blobs %d", i);
  for (int i = 0; i < PARAM_COUNT; i++)
    if (!seen_param[i]) return mix_fail(err, eof, "missing: param %s", param_info[i].name);
  for (int s = 0; s < SEC_PARAM; s++)
    if (sum[s] < 99.999 || sum[s] > 100.001)
      return mix_fail(err, last_line[s], "%s percentages sum to %g, not 100", section_names[s], sum[s]);
  if (out->base_fee_gwei_min > out->base_fee_gwei_max)
    return mix_fail(err, seen_param[PARAM_base_fee_gwei_max], "base_fee_gwei_max is below base_fee_gwei_min");
  if (out->calldata_bytes_min > out->calldata_bytes_max)
    return mix_fail(err, seen_param[PARAM_calldata_bytes_max], "calldata_bytes_max is below calldata_bytes_min");
  if (out->deploy_bytes_min > out->deploy_bytes_max)
    return mix_fail(err, seen_param[PARAM_deploy_bytes_max], "deploy_bytes_max is below deploy_bytes_min");
  if (out->gas_spread * out->gas_clip >= 1)
    return mix_fail(err, seen_param[PARAM_gas_clip],
                    "gas_spread * gas_clip must be below 1 (the target would reach 0)");
  if (out->gas_target_fraction * (1 + out->gas_spread * out->gas_clip) + out->max_tx_fraction > 1)
    return mix_fail(err, seen_param[PARAM_max_tx_fraction],
                    "gas_target_fraction * (1 + gas_spread * gas_clip) + max_tx_fraction exceeds 1: "
                    "a block could pass its gas limit");
  return GENM_OK;
}

int genm_mix_load(const char *path, genm_mix *out, genm_error *err) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (err) {
      err->line = 0;
      snprintf(err->msg, sizeof err->msg, "%s: %s", path, strerror(errno));
    }
    return GENM_E_IO;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  int rc = GENM_OK;
  while (buf) {
    if (n == cap) {
      if (cap >= (1u << 20)) {
        rc = mix_fail(err, 0, "%s: larger than 1 MiB", path);
        break;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) break;
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  int io = ferror(f);
  fclose(f);
  if (!buf) return GENM_E_NOMEM;
  if (rc == GENM_OK && io) {
    if (err) {
      err->line = 0;
      snprintf(err->msg, sizeof err->msg, "%s: read error", path);
    }
    rc = GENM_E_IO;
  }
  if (rc == GENM_OK) rc = genm_mix_parse(buf, n, out, err);
  free(buf);
  return rc;
}

static uint64_t frac_of(double f, uint64_t x) { return (uint64_t)(f * (double)x); }

uint64_t genm_max_tx_gas(const genm_mix *m, uint64_t gas_limit) {
  uint64_t g = frac_of(m->max_tx_fraction, gas_limit);
  if (g < GENM_FIXED_TX_MAX_GAS) g = GENM_FIXED_TX_MAX_GAS;
  /* leave room for the wallet margin under the per-transaction cap */
  if (g > GEN_TX_GAS_CAP * 3 / 4) g = GEN_TX_GAS_CAP * 3 / 4;
  return g;
}

static void target_range(const genm_mix *m, uint64_t gas_limit, uint64_t *tmin, uint64_t *tmax) {
  double t = m->gas_target_fraction * (double)gas_limit, d = m->gas_spread * m->gas_clip;
  *tmin = (uint64_t)(t * (1 - d));
  *tmax = (uint64_t)(t * (1 + d));
}

void genm_gas_window(const genm_mix *m, uint64_t gas_limit, uint64_t *lo, uint64_t *hi) {
  uint64_t tmin, tmax;
  target_range(m, gas_limit, &tmin, &tmax);
  *lo = tmin;
  *hi = tmax + genm_max_tx_gas(m, gas_limit);
}

/* ---- building a block ---- */

enum {
  SENDER_KEYS = 768,                          /* senders and existing recipients */
  AUTH_KEY_BASE = SENDER_KEYS,                /* EIP-7702 authorities, each used once per block */
  AUTH_KEYS = BLK_MAX_TEST_KEYS - SENDER_KEYS
};

typedef struct {
  uint8_t cls;
  uint8_t token;    /* 0: A, 1: B (token classes) */
  int32_t peer_key; /* test key of a recipient that must hold a balance, or -1 */
} txmeta;

typedef struct {
  const genm_mix *m;
  const gen_params *p;
  uint64_t index;
  uint64_t rng;
  blk_block *b;
  size_t cap_txs;
  txmeta *meta;
  uint64_t next_nonce[SENDER_KEYS];
  uint8_t nonce_set[SENDER_KEYS];
  uint32_t auths_used;
  uint64_t blobs_used, max_blobs;
  uint64_t base_fee, priority;
  blk_u256 blob_fee_cap;
  blk_bytes code[3]; /* token, pool, nft */
  size_t token_runtime_len;
} mctx;

static void u256_set(blk_u256 *v, uint64_t x) {
  memset(v->b, 0, 32);
  for (int i = 0; i < 8; i++) v->b[31 - i] = (uint8_t)(x >> (8 * i));
}

static void u256_pow2(blk_u256 *v, unsigned e) {
  memset(v->b, 0, 32);
  v->b[31 - e / 8] = (uint8_t)(1u << (e % 8));
}

static uint64_t start_nonce(const mctx *c, uint32_t key) {
  return mix64(c->p->seed ^ mix64(c->index * 0x100000001b3ull + key + 1)) % 4096;
}

static int key_address(uint32_t key, uint8_t out[20]) { return evm_test_address(key, out) == EVM_SIG_OK ? 0 : -1; }

static blk_tx *push_tx(mctx *c, genm_class cls) {
  blk_block *b = c->b;
  if (b->n_txs == c->cap_txs) {
    size_t cap = c->cap_txs ? c->cap_txs * 2 : 64;
    blk_tx *nt = realloc(b->txs, cap * sizeof *nt);
    if (!nt) return NULL;
    b->txs = nt;
    txmeta *nm = realloc(c->meta, cap * sizeof *nm);
    if (!nm) return NULL;
    c->meta = nm;
    c->cap_txs = cap;
  }
  blk_tx *t = &b->txs[b->n_txs];
  memset(t, 0, sizeof *t);
  txmeta *mt = &c->meta[b->n_txs];
  mt->cls = (uint8_t)cls;
  mt->token = 0;
  mt->peer_key = -1;
  b->n_txs++;
  return t;
}

static void set_fees(mctx *c, blk_tx *t) {
  if (t->type < 2) {
    u256_set(&t->gas_price, c->base_fee + c->priority);
  } else {
    /* max fee = 2 * base fee + tip, the common wallet default */
    u256_set(&t->gas_price, 2 * c->base_fee + c->priority);
    u256_set(&t->max_priority_fee, c->priority);
  }
}

static uint8_t *put_word(uint8_t *p, const uint8_t *v, size_t n) {
  memset(p, 0, 32 - n);
  memcpy(p + 32 - n, v, n);
  return p + 32;
}

static int set_data(blk_tx *t, size_t len) {
  t->data.data = calloc(len ? len : 1, 1);
  if (!t->data.data) return -1;
  t->data.len = len;
  return 0;
}

static void put_selector(uint8_t *p, const char *sig) {
  uint32_t s = selector(sig);
  p[0] = (uint8_t)(s >> 24);
  p[1] = (uint8_t)(s >> 16);
  p[2] = (uint8_t)(s >> 8);
  p[3] = (uint8_t)s;
}

static void random_bytes(uint64_t *s, uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t r = rng_next(s);
    for (size_t j = 0; j < 8 && i + j < n; j++) p[i + j] = (uint8_t)(r >> (8 * j));
  }
}

/* One transaction of class cls appended; *est gets its expected gas. */
static int add_tx(mctx *c, genm_class cls, uint64_t *est) {
  const genm_mix *m = c->m;
  uint64_t *s = &c->rng;
  blk_tx *t = push_tx(c, cls);
  if (!t) return GENM_E_NOMEM;
  txmeta *mt = &c->meta[c->b->n_txs - 1];
  uint32_t sender = (uint32_t)rng_below(s, SENDER_KEYS);
  t->sender_key = sender;
  if (!c->nonce_set[sender]) {
    c->next_nonce[sender] = start_nonce(c, sender);
    c->nonce_set[sender] = 1;
  }
  t->nonce = c->next_nonce[sender]++;
  if (cls == GENM_BLOB) {
    t->type = 3;
  } else {
    t->type = (uint8_t)rng_pick(s, m->type_share, 5);
    if (t->type == 4 && (cls == GENM_DEPLOY || c->auths_used == AUTH_KEYS || c->p->fork < BLK_FORK_PRAGUE)) t->type = 2;
  }
  set_fees(c, t);
  uint64_t g = 21000;
  uint64_t max_tx = genm_max_tx_gas(m, c->p->gas_limit);
  const uint8_t *to = NULL;
  switch (cls) {
    case GENM_TRANSFER: {
      if (rng_unit(s) < m->fresh_recipient_share) {
        random_bytes(s, t->to.b, 20);
        t->to.b[0] |= 0x10; /* never a precompile */
      } else {
        uint32_t peer = (uint32_t)rng_below(s, SENDER_KEYS);
        if (key_address(peer, t->to.b)) return GENM_E_KEYS;
        mt->peer_key = (int32_t)peer;
      }
      u256_set(&t->value, 1 + rng_below(s, 1ull << 60));
      break;
    }
    case GENM_ERC20_TRANSFER:
    case GENM_ERC20_APPROVE: {
      mt->token = (uint8_t)rng_below(s, 2);
      to = genm_address(mt->token ? GENM_ADDR_TOKEN_B : GENM_ADDR_TOKEN_A);
      uint8_t who[20];
      if (cls == GENM_ERC20_APPROVE) {
        /* a spender of its own (a router, a marketplace), not the pool, so
         * that approvals never shrink the allowances swaps rely on */
        random_bytes(s, who, 20);
        who[0] |= 0x10;
        g = 50000;
      } else if (rng_unit(s) < m->fresh_recipient_share) {
        random_bytes(s, who, 20);
        who[0] |= 0x10;
        g = 55000;
      } else {
        uint32_t peer = (uint32_t)rng_below(s, SENDER_KEYS);
        if (key_address(peer, who)) return GENM_E_KEYS;
        mt->peer_key = (int32_t)peer;
        g = 40000;
      }
      if (set_data(t, 68)) return GENM_E_NOMEM;
      put_selector(t->data.data, cls == GENM_ERC20_APPROVE ? SIG_APPROVE : SIG_TRANSFER);
      uint8_t amt[8];
      uint64_t a = 1 + rng_below(s, 1ull << 62);
      for (int i = 0; i < 8; i++) amt[i] = (uint8_t)(a >> (56 - 8 * i));
      put_word(put_word(t->data.data + 4, who, 20), amt, 8);
      break;
    }
    case GENM_DEX_SWAP: {
      to = genm_address(GENM_ADDR_POOL);
      if (set_data(t, 68)) return GENM_E_NOMEM;
      put_selector(t->data.data, SIG_SWAP);
      /* amountIn between 2^40 and 2^70 token units, log-uniform by octave */
      unsigned e = 40 + (unsigned)rng_below(s, 30);
      uint8_t w[32] = {0};
      uint64_t mant = rng_next(s) | (1ull << 63);
      /* mant * 2^(e-63): place the 64-bit mantissa so its top bit is bit e */
      for (int i = 0; i < 64; i++)
        if (mant >> (63 - i) & 1) {
          int bit = (int)e - i;
          if (bit >= 0) w[31 - bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
      memcpy(t->data.data + 4, w, 32);
      t->data.data[67] = (uint8_t)rng_below(s, 2);
      g = 110000;
      break;
    }
    case GENM_NFT_MINT:
      to = genm_address(GENM_ADDR_NFT);
      if (set_data(t, 4)) return GENM_E_NOMEM;
      put_selector(t->data.data, SIG_MINT);
      g = 95000;
      break;
    case GENM_DEPLOY: {
      /* runtime: the token code followed by metadata-like bytes, size drawn
       * and capped so the deployment stays within max_tx */
      uint64_t lo = (uint64_t)m->deploy_bytes_min, hi = (uint64_t)m->deploy_bytes_max;
      uint64_t cap = max_tx > 90000 ? (max_tx - 90000) / 230 : 0;
      if (hi > cap) hi = cap;
      if (lo > hi) lo = hi;
      uint64_t r = rng_log_between(s, lo, hi);
      if (r < c->token_runtime_len) r = c->token_runtime_len;
      uint8_t *rt = malloc(r);
      if (!rt) return GENM_E_NOMEM;
      memcpy(rt, c->code[0].data, c->token_runtime_len);
      random_bytes(s, rt + c->token_runtime_len, r - c->token_runtime_len);
      masm a = {0};
      int rc = deploy_initcode(&a, rt, r);
      free(rt);
      if (rc) {
        free(a.b);
        return GENM_E_NOMEM;
      }
      t->is_create = 1;
      t->data.data = a.b;
      t->data.len = a.n;
      g = 80000 + 216 * r;
      break;
    }
    case GENM_CALLDATA: {
      to = genm_address(GENM_ADDR_CALLDATA_SINK);
      uint64_t lo = (uint64_t)m->calldata_bytes_min, hi = (uint64_t)m->calldata_bytes_max;
      uint64_t cap = (max_tx - 60000) / 40; /* every byte at the EIP-7623 floor of a non-zero byte */
      if (hi > cap) hi = cap;
      if (lo > hi) lo = hi;
      uint64_t len = rng_log_between(s, lo, hi);
      if (set_data(t, len)) return GENM_E_NOMEM;
      uint64_t nz = 0;
      for (uint64_t i = 0; i < len; i++) {
        if (rng_unit(s) < m->calldata_zero_fraction) continue;
        t->data.data[i] = (uint8_t)(1 + rng_below(s, 255));
        nz++;
      }
      uint64_t std = 21000 + 16 * nz + 4 * (len - nz), floor = 21000 + 10 * (len - nz + 4 * nz);
      g = std > floor ? std : floor;
      break;
    }
    case GENM_BLOB: {
      to = genm_address(GENM_ADDR_BLOB_INBOX);
      uint64_t n = rng_pick(s, m->blob_share, 7);
      const evm_blob_params *bp = evm_blob_schedule(c->p->fork);
      if (n > bp->max_blobs_per_tx) n = bp->max_blobs_per_tx;
      if (n > c->max_blobs - c->blobs_used) n = c->max_blobs - c->blobs_used;
      t->blob_hashes = calloc(n, 32);
      if (!t->blob_hashes) return GENM_E_NOMEM;
      t->n_blob_hashes = n;
      for (uint64_t i = 0; i < n; i++) {
        t->blob_hashes[i][0] = EVM_BLOB_VERSION_KZG;
        random_bytes(s, t->blob_hashes[i] + 1, 31);
      }
      c->blobs_used += n;
      t->max_fee_per_blob_gas = c->blob_fee_cap;
      break;
    }
    default: return GENM_E_PARAM;
  }
  if (to) memcpy(t->to.b, to, 20);
  if (t->type == 1) {
    /* an access list naming the callee, as eth_createAccessList would */
    if (!t->is_create) {
      t->access_list = calloc(1, sizeof *t->access_list);
      if (!t->access_list) return GENM_E_NOMEM;
      t->n_access_list = 1;
      memcpy(t->access_list[0].address.b, t->to.b, 20);
      g += 2400;
    }
  }
  if (t->type == 4) {
    uint32_t key = AUTH_KEY_BASE + c->auths_used++;
    uint8_t priv[32];
    t->auths = calloc(1, sizeof *t->auths);
    if (!t->auths) return GENM_E_NOMEM;
    t->n_auths = 1;
    u256_set(&t->auths[0].chain_id, 1);
    memcpy(t->auths[0].address.b, genm_address(GENM_ADDR_DELEGATE), 20);
    t->auths[0].nonce = 0;
    if (evm_test_key(key, priv) != EVM_SIG_OK || evm_auth_sign(&t->auths[0], priv) != EVM_SIG_OK) return GENM_E_KEYS;
    g += EVM_GAS_AUTH_EMPTY_ACCOUNT;
  }
  /* generous for the first execution; tightened once the gas used is known */
  uint64_t lim = g + g / 4 + 25000;
  if (lim > GEN_TX_GAS_CAP) lim = GEN_TX_GAS_CAP;
  t->gas_limit = lim;
  *est = g;
  return GENM_OK;
}

static void free_tx(blk_tx *t) {
  free(t->data.data);
  for (size_t i = 0; i < t->n_access_list; i++) free(t->access_list[i].keys);
  free(t->access_list);
  free(t->blob_hashes);
  free(t->auths);
  memset(t, 0, sizeof *t);
}

/* ---- pre-state ---- */

typedef struct {
  blk_slot *v;
  size_t n, cap;
} slotvec;

static int slot_push(slotvec *sv, const uint8_t key[32], const blk_u256 *val) {
  if (sv->n == sv->cap) {
    size_t cap = sv->cap ? sv->cap * 2 : 64;
    blk_slot *nv = realloc(sv->v, cap * sizeof *nv);
    if (!nv) return -1;
    sv->v = nv;
    sv->cap = cap;
  }
  memcpy(sv->v[sv->n].key.b, key, 32);
  sv->v[sv->n++].value = *val;
  return 0;
}

static int cmp_slot(const void *x, const void *y) {
  return memcmp(((const blk_slot *)x)->key.b, ((const blk_slot *)y)->key.b, 32);
}

/* Sort and drop repeated keys (all repeats carry the same value here). */
static void slot_finish(slotvec *sv) {
  if (!sv->n) return;
  qsort(sv->v, sv->n, sizeof *sv->v, cmp_slot);
  size_t w = 1;
  for (size_t i = 1; i < sv->n; i++)
    if (memcmp(sv->v[i].key.b, sv->v[w - 1].key.b, 32) != 0) sv->v[w++] = sv->v[i];
  sv->n = w;
}

static int cmp_account(const void *x, const void *y) {
  return memcmp(((const blk_account *)x)->address.b, ((const blk_account *)y)->address.b, 20);
}

static void free_prestate(blk_block *b) {
  for (size_t i = 0; i < b->n_accounts; i++) free(b->accounts[i].storage);
  free(b->accounts);
  b->accounts = NULL;
  b->n_accounts = 0;
  for (size_t i = 0; i < b->n_codes; i++) free(b->codes[i].data);
  free(b->codes);
  b->codes = NULL;
  b->n_codes = 0;
}

/* Rebuild codes and accounts for the transactions now in the block. */
static int assemble(mctx *c) {
  blk_block *b = c->b;
  free_prestate(b);
  b->codes = calloc(3, sizeof *b->codes);
  if (!b->codes) return GENM_E_NOMEM;
  b->n_codes = 3;
  for (int i = 0; i < 3; i++) {
    b->codes[i].data = malloc(c->code[i].len);
    if (!b->codes[i].data) return GENM_E_NOMEM;
    memcpy(b->codes[i].data, c->code[i].data, c->code[i].len);
    b->codes[i].len = c->code[i].len;
  }
  /* at most: 4 contracts, a sender and a peer per transaction */
  b->accounts = calloc(4 + 2 * b->n_txs, sizeof *b->accounts);
  if (!b->accounts) return GENM_E_NOMEM;
  slotvec st[4] = {{0}}; /* token A, token B, pool, nft */
  blk_u256 big, reserve;
  u256_pow2(&big, 100);
  u256_pow2(&reserve, 110);
  int rc = GENM_OK;
  size_t na = 0;
  uint8_t key[32];
  for (size_t i = 0; i < b->n_txs && rc == GENM_OK; i++) {
    const blk_tx *t = &b->txs[i];
    const txmeta *mt = &c->meta[i];
    uint32_t keys[2] = {t->sender_key, mt->peer_key >= 0 ? (uint32_t)mt->peer_key : UINT32_MAX};
    for (int k = 0; k < 2; k++) {
      if (keys[k] == UINT32_MAX) continue;
      blk_account *a = &b->accounts[na++];
      if (key_address(keys[k], a->address.b)) {
        rc = GENM_E_KEYS;
        break;
      }
      a->nonce = start_nonce(c, keys[k]);
      u256_pow2(&a->balance, 70);
      if (mt->cls == GENM_ERC20_TRANSFER) {
        genm_mapping_key(a->address.b, 0, key);
        if (slot_push(&st[mt->token], key, &big)) rc = GENM_E_NOMEM;
      } else if (mt->cls == GENM_DEX_SWAP && k == 0) {
        /* a balance in both tokens and an allowance for the pool in both */
        uint8_t h[32], buf[64] = {0};
        genm_mapping_key(a->address.b, 1, h);
        memcpy(buf + 12, genm_address(GENM_ADDR_POOL), 20);
        memcpy(buf + 32, h, 32);
        uint8_t ka[32];
        keccak256(buf, 64, ka);
        genm_mapping_key(a->address.b, 0, key);
        for (int tk = 0; tk < 2; tk++)
          if (slot_push(&st[tk], key, &big) || slot_push(&st[tk], ka, &big)) rc = GENM_E_NOMEM;
      }
    }
  }
  if (rc == GENM_OK) {
    /* pool: reserves, last update one slot ago, accumulators; its balances
     * in both tokens (above its reserves, as a pair's balances are); the
     * NFT's last minted id */
    uint8_t k[5][32] = {{0}};
    for (int i = 0; i < 5; i++) k[i][31] = (uint8_t)i;
    blk_u256 last, acc, pool_bal, minted;
    u256_set(&last, c->b->env.timestamp - 12);
    u256_pow2(&acc, 150);
    u256_pow2(&pool_bal, 120);
    u256_set(&minted, 1000 + mix64(c->p->seed ^ 0x6e6674) % 100000);
    genm_mapping_key(genm_address(GENM_ADDR_POOL), 0, key);
    if (slot_push(&st[2], k[0], &reserve) || slot_push(&st[2], k[1], &reserve) || slot_push(&st[2], k[2], &last) ||
        slot_push(&st[2], k[3], &acc) || slot_push(&st[2], k[4], &acc) || slot_push(&st[0], key, &pool_bal) ||
        slot_push(&st[1], key, &pool_bal) || slot_push(&st[3], k[0], &minted))
      rc = GENM_E_NOMEM;
  }
  static const genm_addr contract_addr[4] = {GENM_ADDR_TOKEN_A, GENM_ADDR_TOKEN_B, GENM_ADDR_POOL, GENM_ADDR_NFT};
  static const uint32_t contract_code[4] = {1, 1, 2, 3};
  for (int i = 0; i < 4; i++) {
    slot_finish(&st[i]);
    blk_account *a = &b->accounts[na++];
    memcpy(a->address.b, genm_address(contract_addr[i]), 20);
    a->nonce = 1;
    a->code_ref = contract_code[i];
    a->storage = st[i].v;
    a->n_storage = st[i].n;
  }
  if (rc != GENM_OK) {
    b->n_accounts = na;
    return rc;
  }
  qsort(b->accounts, na, sizeof *b->accounts, cmp_account);
  /* the same key may appear as sender and peer: identical accounts, keep one */
  size_t w = na ? 1 : 0;
  for (size_t i = 1; i < na; i++) {
    if (memcmp(b->accounts[i].address.b, b->accounts[w - 1].address.b, 20) == 0) {
      free(b->accounts[i].storage);
      continue;
    }
    b->accounts[w++] = b->accounts[i];
  }
  b->n_accounts = w;
  return GENM_OK;
}

/* Execute the block; every transaction up to the one at which the gas used
 * reaches `target` (all of them when target is 0) must succeed. *cut gets the
 * number of transactions up to and including that one (0: never reached),
 * *gas the gas they used. */
static int run(mctx *c, uint64_t target, size_t *cut, uint64_t *gas, evm_block_result *r) {
  blk_error e;
  memset(r, 0, sizeof *r);
  if (blk_validate(c->b, &e) != BLK_OK) return GENM_E_EXEC;
  int rc = evm_execute_block(c->b, NULL, r);
  if (rc == EVM_E_NOMEM) return GENM_E_NOMEM;
  if (rc != EVM_OK || r->n_txs != c->b->n_txs) return GENM_E_EXEC;
  uint64_t cum = 0;
  *cut = 0;
  for (size_t i = 0; i < r->n_txs; i++) {
    if (r->txs[i].status != EVM_TX_SUCCESS) return GENM_E_EXEC;
    cum += r->txs[i].gas_used;
    if (target && cum >= target) {
      *cut = i + 1;
      break;
    }
  }
  *gas = cum;
  return GENM_OK;
}

static int build_codes(mctx *c) {
  masm a[3] = {{0}};
  int bad = token_code(&a[0]) | pool_code(&a[1]) | nft_code(&a[2]);
  for (int i = 0; i < 3; i++) {
    c->code[i].data = a[i].b;
    c->code[i].len = a[i].n;
  }
  c->token_runtime_len = a[0].n;
  return bad ? GENM_E_NOMEM : GENM_OK;
}

static int generate(mctx *c, uint64_t *gas_used) {
  const genm_mix *m = c->m;
  blk_block *b = c->b;
  uint64_t L = c->p->gas_limit;
  int rc = build_codes(c);
  if (rc != GENM_OK) return rc;

  b->version = BLK_VERSION;
  b->env.fork = c->p->fork;
  b->env.chain_id = 1;
  b->env.number = 20000000 + c->index;
  b->env.timestamp = 1750000000 + 12 * c->index;
  b->env.gas_limit = L;
  memset(b->env.coinbase.b, 0xc0, 20);
  random_bytes(&c->rng, b->env.prevrandao, 32);

  /* fees: base fee log-uniform by octave between the mix's bounds */
  uint64_t bf_lo = (uint64_t)(m->base_fee_gwei_min * 1e9 + 0.5), bf_hi = (uint64_t)(m->base_fee_gwei_max * 1e9 + 0.5);
  c->base_fee = rng_log_between(&c->rng, bf_lo ? bf_lo : 1, bf_hi ? bf_hi : 1);
  u256_set(&b->env.base_fee, c->base_fee);
  c->priority = (uint64_t)(m->priority_fee_gwei * 1e9 + 0.5);
  uint64_t ex_max = (uint64_t)m->excess_blob_gas_max;
  b->env.excess_blob_gas = ex_max ? rng_below(&c->rng, ex_max + 1) : 0;
  uint8_t bbf[32];
  evm_blob_base_fee(c->p->fork, b->env.excess_blob_gas, bbf);
  /* cap = 2 * blob base fee + 1 (big-endian add with carry) */
  unsigned carry = 1;
  for (int i = 31; i >= 0; i--) {
    unsigned v = 2u * bbf[i] + carry;
    c->blob_fee_cap.b[i] = (uint8_t)v;
    carry = v >> 8;
  }
  c->max_blobs = evm_blob_schedule(c->p->fork)->max_blobs_per_block;

  /* the gas target */
  double z = -6;
  for (int i = 0; i < 12; i++) z += rng_unit(&c->rng);
  if (z > m->gas_clip) z = m->gas_clip;
  if (z < -m->gas_clip) z = -m->gas_clip;
  uint64_t tmin, tmax;
  target_range(m, L, &tmin, &tmax);
  uint64_t target = (uint64_t)(m->gas_target_fraction * (double)L * (1 + m->gas_spread * z));
  if (target < tmin) target = tmin;
  if (target > tmax) target = tmax;
  if (target == 0) target = 1;

  uint64_t est_total = 0;
  size_t cut = 0;
  uint64_t gas = 0;
  for (int round = 0; round < 64 && !cut; round++) {
    while (est_total < target + target / 20 + 50000) {
      genm_class cls;
      int tries = 0;
      do cls = (genm_class)rng_pick(&c->rng, m->class_share, GENM_CLASS_COUNT);
      while (cls == GENM_BLOB && c->blobs_used >= c->max_blobs && ++tries < 100000);
      if (cls == GENM_BLOB && c->blobs_used >= c->max_blobs) return GENM_E_PARAM; /* a mix of blobs only */
      uint64_t est;
      rc = add_tx(c, cls, &est);
      if (rc != GENM_OK) return rc;
      est_total += est;
    }
    rc = assemble(c);
    if (rc != GENM_OK) return rc;
    evm_block_result r;
    rc = run(c, target, &cut, &gas, &r);
    evm_block_result_free(&r);
    if (rc != GENM_OK) return rc;
    est_total = gas; /* what was really used; draw more if short */
  }
  if (!cut) return GENM_E_EXEC;
  for (size_t i = cut; i < b->n_txs; i++) free_tx(&b->txs[i]);
  b->n_txs = cut;

  /* wallet-like gas limits: exact for plain transfers, 20% over the gas used
   * (rounded up to 1000) otherwise. */
  evm_block_result r;
  rc = assemble(c);
  if (rc != GENM_OK) return rc;
  rc = run(c, 0, &cut, &gas, &r);
  if (rc != GENM_OK) {
    evm_block_result_free(&r);
    return rc;
  }
  uint64_t *used = malloc((b->n_txs ? b->n_txs : 1) * sizeof *used);
  if (!used) {
    evm_block_result_free(&r);
    return GENM_E_NOMEM;
  }
  for (size_t i = 0; i < b->n_txs; i++) {
    used[i] = r.txs[i].gas_used;
    uint64_t lim = used[i];
    if (c->meta[i].cls != GENM_TRANSFER) lim = (used[i] + used[i] / 5 + 999) / 1000 * 1000;
    if (lim > GEN_TX_GAS_CAP) lim = GEN_TX_GAS_CAP;
    b->txs[i].gas_limit = lim;
  }
  evm_block_result_free(&r);
  uint64_t first = gas;
  rc = run(c, 0, &cut, &gas, &r);
  if (rc == GENM_OK) {
    for (size_t i = 0; i < b->n_txs; i++)
      if (r.txs[i].gas_used != used[i]) rc = GENM_E_EXEC;
    if (gas != first) rc = GENM_E_EXEC;
  }
  evm_block_result_free(&r);
  free(used);
  if (rc != GENM_OK) return rc;
  uint64_t lo, hi;
  genm_gas_window(m, L, &lo, &hi);
  if (gas < lo || gas > hi) return GENM_E_EXEC;
  if (gas_used) *gas_used = gas;
  return GENM_OK;
}

int genm_block(const genm_mix *m, const gen_params *p, uint64_t index, blk_block *out, uint64_t *gas_used) {
  memset(out, 0, sizeof *out);
  if (!m || !p || p->gas_limit < GENM_MIN_GAS_LIMIT || p->gas_limit > (1ull << 40) ||
      (unsigned)p->fork >= BLK_FORK_COUNT)
    return GENM_E_PARAM;
  init_addresses();
  mctx *c = calloc(1, sizeof *c);
  if (!c) return GENM_E_NOMEM;
  c->m = m;
  c->p = p;
  c->index = index;
  c->rng = mix64(p->seed) ^ mix64(index + 0x6d61696e6e6574ull);
  c->b = out;
  int rc = generate(c, gas_used);
  for (int i = 0; i < 3; i++) free(c->code[i].data);
  free(c->meta);
  free(c);
  if (rc != GENM_OK) blk_free(out);
  return rc;
}

/* ---- `pkbench gen mainnet-like`: the command-line front end ---- */

int genm_cli(int argc, char **argv, const char *usage) {
  gen_params p = {GENM_DEFAULT_GAS_LIMIT, BLK_FORK_OSAKA, 0};
  const char *out = NULL, *mixpath = GENM_DEFAULT_MIX;
  unsigned long long count = 0;
  int have_count = 0, have_seed = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long n;
    if (cli_is_help(a)) {
      printf("%s\n", usage);
      printf("mainnet-like writes N blocks DIR/mainnet_s<S>_<i>.blk drawn from the mix in\n"
             "%s (--mix FILE to use another); --fork F as for worst-case.\n",
             GENM_DEFAULT_MIX);
      return 0;
    } else if (strcmp(a, "--count") == 0 && v) {
      if (cli_parse_u64(v, &n) || n == 0 || n > 1000000) {
        cli_err("gen", "--count: '%s' is not a count of 1..1000000", v);
        return 2;
      }
      count = n;
      have_count = 1;
      i++;
    } else if (strcmp(a, "--seed") == 0 && v) {
      if (cli_parse_u64(v, &n)) {
        cli_err("gen", "--seed: '%s' is not a non-negative integer", v);
        return 2;
      }
      p.seed = n;
      have_seed = 1;
      i++;
    } else if (strcmp(a, "--gas-limit") == 0 && v) {
      if (cli_parse_u64(v, &n) || n < GENM_MIN_GAS_LIMIT || n > (1ull << 40)) {
        cli_err("gen", "--gas-limit: '%s' is not a gas limit of %llu..2^40", v, (unsigned long long)GENM_MIN_GAS_LIMIT);
        return 2;
      }
      p.gas_limit = n;
      i++;
    } else if (strcmp(a, "--fork") == 0 && v) {
      if (blk_fork_from_name(v, &p.fork) != BLK_OK) {
        cli_err("gen", "--fork: unknown fork '%s' (Cancun, Prague or Osaka)", v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--mix") == 0 && v) {
      mixpath = v;
      i++;
    } else if (strcmp(a, "--out") == 0 && v) {
      out = v;
      i++;
    } else {
      cli_err("gen", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    }
  }
  if (!have_count || !have_seed || !out) {
    cli_err("gen", "mainnet-like needs --count N, --seed S and --out DIR (see --help)");
    return 2;
  }
  genm_mix m;
  genm_error e;
  int rc = genm_mix_load(mixpath, &m, &e);
  if (rc != GENM_OK) {
    if (e.line)
      cli_err("gen", "%s:%zu: %s", mixpath, e.line, e.msg);
    else
      cli_err("gen", "%s", e.msg);
    return 2;
  }
  if (cli_make_dir("gen", out) != 0) {
    return 2;
  }
  for (unsigned long long i = 0; i < count; i++) {
    blk_block b;
    uint64_t gas = 0;
    rc = genm_block(&m, &p, i, &b, &gas);
    if (rc != GENM_OK) {
      cli_err("gen", "mainnet-like block %llu: %s", i, genm_strerror(rc));
      return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/mainnet_s%llu_%04llu.blk", out, (unsigned long long)p.seed, i);
    int wr = blk_write_file(path, &b);
    if (wr != BLK_OK) {
      cli_err("gen", "%s: cannot write: %s", path, wr == BLK_E_IO ? strerror(errno) : blk_strerror(wr));
      blk_free(&b);
      return 2;
    }
    size_t blobs = 0;
    for (size_t t = 0; t < b.n_txs; t++) blobs += b.txs[t].n_blob_hashes;
    printf("%s: %zu txs, %llu gas used (%.1f%% of %llu), %zu blobs\n", path, b.n_txs, (unsigned long long)gas,
           100.0 * (double)gas / (double)p.gas_limit, (unsigned long long)p.gas_limit, blobs);
    blk_free(&b);
  }
  return 0;
}
