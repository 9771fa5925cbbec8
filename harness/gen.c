/* gen: worst-case block generators (see gen.h).
 *
 * Each scenario is a contract body written with a small assembler whose
 * opcode values come from the one opcode list (prover/evm/opcodes.def), plus
 * the transactions that call it. A loop body is unrolled so that the jump back
 * costs little next to the stressed operation, which is what makes these
 * blocks expensive per unit of gas. Where a scenario needs input data (a
 * precompile's arguments), the data sits after the code and is copied to
 * memory with CODECOPY once per transaction.
 */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

#include "evm/gas.h"
#include "evm/txsig.h"
#include "hash/keccak.h"
#include "pc_vectors.h"

enum {
#define EVM_OP(name, code, in, out, gas, fork, cls) OP_##name = code,
#include "evm/opcodes.def"
#undef EVM_OP
};

/* ---- a tiny assembler ---- */

typedef struct {
  uint8_t *b;
  size_t n, cap;
  int oom;
} gasm;

static void emit(gasm *a, const uint8_t *p, size_t n) {
  if (a->oom) return;
  if (a->n + n > a->cap) {
    size_t cap = a->cap ? a->cap : 256;
    while (cap < a->n + n) cap *= 2;
    uint8_t *nb = realloc(a->b, cap);
    if (!nb) {
      a->oom = 1;
      return;
    }
    a->b = nb;
    a->cap = cap;
  }
  memcpy(a->b + a->n, p, n);
  a->n += n;
}

static void op(gasm *a, uint8_t o) { emit(a, &o, 1); }

/* PUSHn of the minimal width for v (PUSH0 for zero: every supported fork has it). */
static void push(gasm *a, uint64_t v) {
  uint8_t be[8];
  int n = 0;
  for (int i = 7; i >= 0; i--) {
    uint8_t byte = (uint8_t)(v >> (8 * i));
    if (n == 0 && byte == 0) continue;
    be[n++] = byte;
  }
  if (n == 0) {
    op(a, OP_PUSH0);
    return;
  }
  op(a, (uint8_t)(OP_PUSH1 + n - 1));
  emit(a, be, (size_t)n);
}

static void push_bytes(gasm *a, const uint8_t *p, size_t n) {
  op(a, (uint8_t)(OP_PUSH1 + n - 1));
  emit(a, p, n);
}

/* A loop: JUMPDEST, body repeated `unroll` times, jump back. Returns the pc of
 * the loop head so fixed-width jumps stay valid. */
static void loop(gasm *a, const gasm *body, int unroll) {
  size_t head = a->n;
  op(a, OP_JUMPDEST);
  for (int i = 0; i < unroll; i++) emit(a, body->b, body->n);
  uint8_t target[2] = {(uint8_t)(head >> 8), (uint8_t)head};
  push_bytes(a, target, 2);
  op(a, OP_JUMP);
}

/* ---- block scaffolding ---- */

static const uint8_t CONTRACT[20] = {[18] = 0x10, [19] = 0x00};

typedef struct {
  blk_block *b;
  size_t cap_accounts;
  int err;
} builder;

static blk_account *add_account(builder *bd, const uint8_t addr[20]) {
  blk_block *b = bd->b;
  if (b->n_accounts == bd->cap_accounts) {
    size_t cap = bd->cap_accounts ? bd->cap_accounts * 2 : 16;
    blk_account *na = realloc(b->accounts, cap * sizeof *na);
    if (!na) {
      bd->err = GEN_E_NOMEM;
      return NULL;
    }
    b->accounts = na;
    bd->cap_accounts = cap;
  }
  blk_account *a = &b->accounts[b->n_accounts++];
  memset(a, 0, sizeof *a);
  memcpy(a->address.b, addr, 20);
  return a;
}

static void set_u64(blk_u256 *v, uint64_t x) {
  memset(v->b, 0, 32);
  for (int i = 0; i < 8; i++) v->b[31 - i] = (uint8_t)(x >> (8 * i));
}

static int cmp_account(const void *x, const void *y) {
  return memcmp(((const blk_account *)x)->address.b, ((const blk_account *)y)->address.b, 20);
}

static void init_block(blk_block *b, const gen_params *p) {
  memset(b, 0, sizeof *b);
  b->version = BLK_VERSION;
  b->env.fork = p->fork;
  b->env.chain_id = 1;
  b->env.number = 1;
  b->env.timestamp = 1700000000;
  b->env.gas_limit = p->gas_limit;
  set_u64(&b->env.base_fee, 7);
  memset(b->env.coinbase.b, 0xc0, 20);
  memset(b->env.prevrandao, 0x5a, 32);
}

/* Transactions from test keys 0.. (round robin with increasing nonces), each
 * capped at GEN_TX_GAS_CAP, until the block gas limit is used. to == NULL
 * sends to fresh addresses (plain transfers). min_gas is the least gas a
 * transaction must have to be worth sending. */
static int fill_txs(builder *bd, const uint8_t *to, uint64_t per_tx, uint64_t min_gas,
                    const uint8_t *data, size_t data_len, int calldata_offset) {
  blk_block *b = bd->b;
  uint64_t left = b->env.gas_limit;
  size_t n = 0, cap = 0;
  uint32_t nkeys = 0;
  while (left >= min_gas) {
    uint64_t g = per_tx < left ? per_tx : left;
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      blk_tx *nt = realloc(b->txs, cap * sizeof *nt);
      if (!nt) return GEN_E_NOMEM;
      b->txs = nt;
    }
    blk_tx *t = &b->txs[n];
    memset(t, 0, sizeof *t);
    b->n_txs = ++n;
    t->type = 2;
    t->sender_key = (uint32_t)((n - 1) % BLK_MAX_TEST_KEYS);
    t->nonce = (n - 1) / BLK_MAX_TEST_KEYS;
    if (t->sender_key + 1 > nkeys) nkeys = t->sender_key + 1;
    t->gas_limit = g;
    if (to) {
      memcpy(t->to.b, to, 20);
    } else {
      /* fresh recipient per transfer: 0xee.. || index */
      memset(t->to.b, 0xee, 12);
      for (int i = 0; i < 8; i++) t->to.b[19 - i] = (uint8_t)((n - 1) >> (8 * i));
      set_u64(&t->value, 1);
    }
    set_u64(&t->gas_price, 10);
    set_u64(&t->max_priority_fee, 2);
    size_t dl = data_len + (calldata_offset ? 32 : 0);
    if (dl) {
      t->data.data = calloc(dl, 1);
      if (!t->data.data) return GEN_E_NOMEM;
      t->data.len = dl;
      if (data_len) memcpy(t->data.data, data, data_len);
      if (calldata_offset) {
        /* a distinct 32-byte word per transaction: where its loop starts */
        uint64_t start = (uint64_t)(n - 1) << 32;
        for (int i = 0; i < 8; i++) t->data.data[dl - 1 - i] = (uint8_t)(start >> (8 * i));
      }
    }
    left -= g;
  }
  for (uint32_t k = 0; k < nkeys; k++) {
    uint8_t addr[20];
    if (evm_test_address(k, addr) != EVM_SIG_OK) return GEN_E_KEYS;
    blk_account *a = add_account(bd, addr);
    if (!a) return bd->err;
    /* enough for every transaction's gas at the max fee, and the transfers */
    set_u64(&a->balance, 1000000000000000000ull);
  }
  return GEN_OK;
}

/* One contract with `code` at CONTRACT, then transactions calling it. */
static int contract_block(const gen_params *p, gasm *code, int calldata_offset, blk_block *out) {
  if (code->oom) return GEN_E_NOMEM;
  init_block(out, p);
  builder bd = {out, 0, 0};
  out->codes = calloc(1, sizeof(blk_bytes));
  if (!out->codes) return GEN_E_NOMEM;
  out->n_codes = 1;
  out->codes[0].data = code->b;
  out->codes[0].len = code->n;
  code->b = NULL;
  blk_account *c = add_account(&bd, CONTRACT);
  if (!c) return bd.err;
  c->code_ref = 1;
  int rc = fill_txs(&bd, CONTRACT, GEN_TX_GAS_CAP, 100000, NULL, 0, calldata_offset);
  if (rc != GEN_OK) return rc;
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

int gen_contract_block(const gen_params *p, const uint8_t *code, size_t len, int calldata_offset, blk_block *out) {
  memset(out, 0, sizeof *out);
  if (p->gas_limit < 21000 || (unsigned)p->fork >= BLK_FORK_COUNT || len == 0 || len > BLK_MAX_CODE_BYTES)
    return GEN_E_PARAM;
  gasm a = {0};
  emit(&a, code, len);
  int rc = contract_block(p, &a, calldata_offset, out);
  free(a.b);
  if (rc != GEN_OK) blk_free(out);
  return rc;
}

/* ---- scenarios ---- */

typedef int (*gen_fn)(const gen_params *p, blk_block *out);

static int g_empty(const gen_params *p, blk_block *out) {
  init_block(out, p);
  return GEN_OK;
}

static int g_transfers(const gen_params *p, blk_block *out) {
  init_block(out, p);
  builder bd = {out, 0, 0};
  int rc = fill_txs(&bd, NULL, 21000, 21000, NULL, 0, 0);
  if (rc != GEN_OK) return rc;
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

/* Calldata-heavy transactions to an account without code: the most calldata
 * bytes per gas (non-zero bytes, at the floor price of EIP-7623 from Prague). */
static int g_calldata(const gen_params *p, blk_block *out) {
  init_block(out, p);
  builder bd = {out, 0, 0};
  uint64_t per_byte = p->fork >= BLK_FORK_PRAGUE ? 40 : 16;
  uint8_t sink[20];
  memset(sink, 0xda, 20);
  int rc = fill_txs(&bd, sink, GEN_TX_GAS_CAP, 21000 + per_byte, NULL, 0, 0);
  if (rc != GEN_OK) return rc;
  /* Each transaction carries as many bytes as its own gas pays for. */
  for (size_t t = 0; t < out->n_txs; t++) {
    blk_tx *tx = &out->txs[t];
    size_t len = (size_t)((tx->gas_limit - 21000) / per_byte);
    tx->data.data = malloc(len);
    if (!tx->data.data) return GEN_E_NOMEM;
    tx->data.len = len;
    for (size_t i = 0; i < len; i++) tx->data.data[i] = (uint8_t)(0x80 | (i * 131 + t + p->seed));
  }
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

static int g_keccak(const gen_params *p, blk_block *out) {
  /* 8159 bytes = 60 full rate blocks minus one byte, so the padding fits in
   * the last block: 60 permutations for 30 + 6*255 gas. */
  gasm code = {0}, body = {0};
  push(&body, 8159);
  push(&body, 0);
  op(&body, OP_KECCAK256);
  op(&body, OP_POP);
  loop(&code, &body, 32);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

/* Operands stay on the stack; each step copies them, applies the operation
 * and drops the result. The last operand (the modulus or divisor) has
 * `mod_bits` bits and the others `bits`, each with its top bit set and odd. */
static int arith_loop_w(const gen_params *p, uint8_t opcode, int nargs, int bits, int mod_bits, blk_block *out) {
  gasm code = {0}, body = {0};
  uint8_t v[32];
  for (int k = nargs - 1; k >= 0; k--) {
    int w = k == nargs - 1 ? mod_bits : bits;
    size_t nb = (size_t)(w + 7) / 8;
    for (size_t i = 0; i < nb; i++) v[i] = (uint8_t)(0xa5 ^ (i * 29) ^ (k * 77) ^ p->seed);
    v[0] &= (uint8_t)(0xff >> (8 * nb - (size_t)w));
    v[0] |= (uint8_t)(0x80 >> (8 * nb - (size_t)w));
    v[nb - 1] |= 1; /* odd: a modulus that is never zero */
    push_bytes(&code, v, nb);
  }
  for (int k = 0; k < nargs; k++) op(&body, (uint8_t)(OP_DUP1 + nargs - 1));
  op(&body, opcode);
  op(&body, OP_POP);
  loop(&code, &body, 64);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int arith_loop(const gen_params *p, uint8_t opcode, int nargs, int bits, blk_block *out) {
  return arith_loop_w(p, opcode, nargs, bits, bits, out);
}

static int g_mulmod(const gen_params *p, blk_block *out) { return arith_loop(p, OP_MULMOD, 3, 255, out); }
static int g_addmod(const gen_params *p, blk_block *out) { return arith_loop(p, OP_ADDMOD, 3, 255, out); }
static int g_div(const gen_params *p, blk_block *out) { return arith_loop(p, OP_DIV, 2, 255, out); }
static int g_sdiv(const gen_params *p, blk_block *out) { return arith_loop(p, OP_SDIV, 2, 255, out); }
static int g_mod(const gen_params *p, blk_block *out) { return arith_loop(p, OP_MOD, 2, 127, out); }
static int g_mul(const gen_params *p, blk_block *out) { return arith_loop(p, OP_MUL, 2, 255, out); }
static int g_exp(const gen_params *p, blk_block *out) { return arith_loop(p, OP_EXP, 2, 255, out); }

/* Operand widths as the suite parameterises them (63, 127, 191, 255 bits):
 * the dividend or factors are 255-bit, the modulus or divisor `w` bits;
 * scenario names carry the width as a suffix. */
static int g_mulmod_63(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_MULMOD, 3, 255, 63, out); }
static int g_mulmod_127(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_MULMOD, 3, 255, 127, out); }
static int g_mulmod_191(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_MULMOD, 3, 255, 191, out); }
static int g_addmod_63(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_ADDMOD, 3, 255, 63, out); }
static int g_addmod_127(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_ADDMOD, 3, 255, 127, out); }
static int g_addmod_191(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_ADDMOD, 3, 255, 191, out); }
static int g_div_63(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_DIV, 2, 255, 63, out); }
static int g_div_127(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_DIV, 2, 255, 127, out); }
static int g_div_191(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_DIV, 2, 255, 191, out); }
static int g_sdiv_63(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_SDIV, 2, 255, 63, out); }
static int g_sdiv_127(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_SDIV, 2, 255, 127, out); }
static int g_sdiv_191(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_SDIV, 2, 255, 191, out); }
static int g_mod_63(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_MOD, 2, 255, 63, out); }
static int g_mod_127(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_MOD, 2, 255, 127, out); }
static int g_mod_191(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_MOD, 2, 255, 191, out); }
static int g_mod_255(const gen_params *p, blk_block *out) { return arith_loop_w(p, OP_MOD, 2, 255, 255, out); }

static int g_sstore_new(const gen_params *p, blk_block *out) {
  /* Each transaction writes fresh slots from its own start (calldata word):
   * every SSTORE is a cold zero-to-nonzero write. */
  gasm code = {0}, body = {0};
  push(&code, 0);
  op(&code, OP_CALLDATALOAD);
  push(&body, 1);
  op(&body, OP_DUP2);
  op(&body, OP_SSTORE);
  push(&body, 1);
  op(&body, OP_ADD);
  loop(&code, &body, 16);
  free(body.b);
  return contract_block(p, &code, 1, out);
}

static int g_sload_cold(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&code, 0);
  op(&code, OP_CALLDATALOAD);
  push(&body, 1);
  op(&body, OP_ADD);
  op(&body, OP_DUP1);
  op(&body, OP_SLOAD);
  op(&body, OP_POP);
  loop(&code, &body, 16);
  free(body.b);
  return contract_block(p, &code, 1, out);
}

static int g_jumpdest(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  op(&body, OP_JUMPDEST);
  loop(&code, &body, 1024);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_swap16(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  for (int i = 0; i < 17; i++) push(&code, (uint64_t)i + 1);
  op(&body, OP_SWAP16);
  loop(&code, &body, 512);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_push32(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  uint8_t v[32];
  for (int i = 0; i < 32; i++) v[i] = (uint8_t)(0xff - i);
  push_bytes(&body, v, 32);
  op(&body, OP_POP);
  loop(&code, &body, 256);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_mcopy(const gen_params *p, blk_block *out) {
  /* 32 KiB copies: memory is paid once, each copy costs 3 + 3 per word. */
  gasm code = {0}, body = {0};
  push(&body, 32768);
  push(&body, 0);
  push(&body, 32);
  op(&body, OP_MCOPY);
  loop(&code, &body, 16);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

/* Calls to a second contract that returns at once: frame set-up and teardown
 * per 100 gas (warm) is the cost being stressed. */
static const uint8_t CALLEE[20] = {[18] = 0x10, [19] = 0x01};

/* STATICCALLs with an input of args_size bytes from memory offset 0 (the
 * EVM charges nothing per input byte beyond memory expansion, paid once;
 * the callee's input is still a copy of them for a prover). */
static int call_block(const gen_params *p, uint32_t args_size, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&body, 0);         /* retSize */
  push(&body, 0);         /* retOffset */
  push(&body, args_size); /* argsSize */
  push(&body, 0);         /* argsOffset */
  uint8_t callee[20];
  memcpy(callee, CALLEE, 20);
  push_bytes(&body, callee + 18, 2);
  op(&body, OP_GAS);
  op(&body, OP_STATICCALL);
  op(&body, OP_POP);
  loop(&code, &body, 16);
  free(body.b);
  int rc = contract_block(p, &code, 0, out);
  if (rc != GEN_OK) return rc;
  /* the callee: a single STOP, as a second code entry */
  blk_bytes *nc = realloc(out->codes, 2 * sizeof *nc);
  if (!nc) return GEN_E_NOMEM;
  out->codes = nc;
  out->codes[1].data = malloc(1);
  if (!out->codes[1].data) return GEN_E_NOMEM;
  out->codes[1].data[0] = OP_STOP;
  out->codes[1].len = 1;
  out->n_codes = 2;
  builder bd = {out, out->n_accounts, 0};
  blk_account *a = add_account(&bd, CALLEE);
  if (!a) return bd.err;
  a->code_ref = 2;
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

static int g_call(const gen_params *p, blk_block *out) { return call_block(p, 0, out); }
static int g_call_input(const gen_params *p, blk_block *out) { return call_block(p, 32768, out); }

/* A loop of STATICCALLs to precompile `addr` with `in` as input, copied from
 * the end of the code into memory at 0 before the loop. */
static int precompile_loop_ex(const gen_params *p, uint16_t addr, const uint8_t *in, size_t in_len, size_t ret_len,
                              int check, blk_block *out) {
  gasm code = {0}, body = {0};
  if (check) {
    /* A failed call jumps to pc 4: with plenty of gas left the input was
     * rejected and the transaction reverts; with little left (a call that
     * failed for want of gas leaves at most 1/64 of what it was given, below
     * 10000 for every input here) the loop has simply run out of gas and
     * halts like the others. */
    static const uint8_t stub[] = {OP_PUSH2, 0, 18, OP_JUMP, OP_JUMPDEST, OP_PUSH2, 0x27, 0x10, OP_GAS, OP_GT,
                                   OP_PUSH1, 14, OP_JUMPI, OP_INVALID, OP_JUMPDEST, OP_PUSH0, OP_PUSH0, OP_REVERT,
                                   OP_JUMPDEST};
    emit(&code, stub, sizeof stub);
  }
  /* CODECOPY(0, data_start, in_len); data_start is patched once the code length is known. */
  push(&code, in_len);
  size_t patch = code.n;
  uint8_t zero2[2] = {0, 0};
  push_bytes(&code, zero2, 2);
  push(&code, 0);
  op(&code, OP_CODECOPY);
  push(&body, ret_len);
  push(&body, in_len);
  push(&body, in_len);
  push(&body, 0);
  push(&body, addr);
  op(&body, OP_GAS);
  op(&body, OP_STATICCALL);
  if (check) {
    /* a failed call, or one answering nothing (how ecrecover and p256verify
     * reject), reverts the transaction */
    op(&body, OP_RETURNDATASIZE);
    op(&body, OP_MUL);
    op(&body, OP_ISZERO);
    push(&body, 4);
    op(&body, OP_JUMPI);
  } else {
    op(&body, OP_POP);
  }
  loop(&code, &body, 8);
  free(body.b);
  size_t data_start = code.n;
  if (!code.oom) {
    code.b[patch + 1] = (uint8_t)(data_start >> 8);
    code.b[patch + 2] = (uint8_t)data_start;
  }
  emit(&code, in, in_len);
  return contract_block(p, &code, 0, out);
}

static int precompile_loop(const gen_params *p, uint16_t addr, const uint8_t *in, size_t in_len, size_t ret_len,
                           blk_block *out) {
  return precompile_loop_ex(p, addr, in, in_len, ret_len, 0, out);
}

static int g_sha256(const gen_params *p, blk_block *out) {
  uint8_t in[4096];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 7 + p->seed);
  return precompile_loop(p, 0x02, in, sizeof in, 32, out);
}

static int g_ripemd160(const gen_params *p, blk_block *out) {
  uint8_t in[4096];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 11 + p->seed);
  return precompile_loop(p, 0x03, in, sizeof in, 32, out);
}

static int g_identity(const gen_params *p, blk_block *out) {
  uint8_t in[4096];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 13 + p->seed);
  return precompile_loop(p, 0x04, in, sizeof in, 0, out);
}

static int g_blake2f(const gen_params *p, blk_block *out) {
  /* EIP-152 input: rounds (4 bytes), h (64), m (128), t (16), f (1). */
  uint8_t in[213] = {0};
  uint32_t rounds = 100000;
  in[0] = (uint8_t)(rounds >> 24);
  in[1] = (uint8_t)(rounds >> 16);
  in[2] = (uint8_t)(rounds >> 8);
  in[3] = (uint8_t)rounds;
  for (int i = 4; i < 212; i++) in[i] = (uint8_t)(i * 3 + p->seed);
  in[212] = 1;
  return precompile_loop(p, 0x09, in, sizeof in, 64, out);
}

static int g_modexp_even(const gen_params *p, blk_block *out) {
  /* mod_even_8b_exp_896 of the benchmark suite: 8-byte base and modulus
   * (even), 112-byte exponent. */
  uint8_t in[96 + 8 + 112 + 8] = {0};
  in[31] = 8;
  in[63] = 112;
  in[95] = 8;
  for (int i = 0; i < 8; i++) in[96 + i] = (uint8_t)(0xf1 - i);
  for (int i = 0; i < 112; i++) in[104 + i] = (uint8_t)(0xff - (i & 7));
  for (int i = 0; i < 8; i++) in[216 + i] = (uint8_t)(0xe3 + i * 5);
  in[223] &= 0xfe;
  return precompile_loop(p, 0x05, in, sizeof in, 8, out);
}

/* ---- precompiles on valid inputs ----
 *
 * Each call's input is a known-good vector, so the precompile does its whole
 * computation; the loop reverts if a call fails or answers nothing, which
 * cannot happen on these inputs. Before the fork that adds a precompile its
 * address is an empty account: the block is still built (the calls then do
 * nothing and are not checked), but it stresses nothing there. */

static int hex_nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Decodes lower-case hex (of an even length, at most cap bytes) into out. */
static size_t from_hex(const char *h, uint8_t *out, size_t cap) {
  size_t n = 0;
  for (; h[0] && h[1] && n < cap; h += 2) out[n++] = (uint8_t)(hex_nibble(h[0]) << 4 | hex_nibble(h[1]));
  return n;
}

static int hex_loop(const gen_params *p, uint16_t addr, const char *hex, size_t ret_len, blk_fork since,
                    blk_block *out) {
  uint8_t in[1536];
  size_t n = from_hex(hex, in, sizeof in);
  return precompile_loop_ex(p, addr, in, n, ret_len, p->fork >= since, out);
}

/* The precompile scenarios that call one precompile on a fixed valid input
 * in a loop: name, address, input vector (pc_vectors.h), output bytes, and
 * the first fork that has the precompile. KZG point evaluation: f(X) = X
 * committed with the mainnet trusted setup (commitment [s]G1, f(z) = z,
 * proof [1]G1, the quotient being 1; versioned hash 0x01 ||
 * sha256(commitment)[1..32]); marked available in no fork so that the
 * input is not checked: a client without the trusted setup then fails
 * each call, which costs it the same gas (all of it) and leaves the same
 * state, so such a client still agrees with us. */
#define GEN_PRECOMPILE_LOOPS(X)                             \
  X(ecrecover, 0x01, PCV_ECRECOVER, 32, BLK_FORK_CANCUN)     \
  X(bn254_add, 0x06, PCV_BN_ADD, 64, BLK_FORK_CANCUN)        \
  X(bn254_mul, 0x07, PCV_BN_MUL, 64, BLK_FORK_CANCUN)        \
  X(bn254_pairing, 0x08, PCV_BN_PAIRING, 32, BLK_FORK_CANCUN) \
  X(point_evaluation, 0x0a, PCV_POINT_EVAL, 64, BLK_FORK_COUNT) \
  X(bls12_g1add, 0x0b, PCV_BLS_G1ADD, 128, BLK_FORK_PRAGUE)  \
  X(bls12_g1msm, 0x0c, PCV_BLS_G1MSM7, 128, BLK_FORK_PRAGUE) \
  X(bls12_g2add, 0x0d, PCV_BLS_G2ADD, 256, BLK_FORK_PRAGUE)  \
  X(bls12_pairing, 0x0f, PCV_BLS_PAIRING, 32, BLK_FORK_PRAGUE) \
  X(bls12_map_fp_to_g1, 0x10, PCV_BLS_MAP_G1, 128, BLK_FORK_PRAGUE) \
  X(bls12_map_fp2_to_g2, 0x11, PCV_BLS_MAP_G2, 256, BLK_FORK_PRAGUE) \
  X(p256verify, 0x100, PCV_P256, 32, BLK_FORK_OSAKA)

#define X(n, addr, vec, ret, since) \
  static int g_##n(const gen_params *p, blk_block *out) { return hex_loop(p, addr, vec, ret, since, out); }
GEN_PRECOMPILE_LOOPS(X)
#undef X

/* ---- state, logs, creation ---- */

static int g_log4(const gen_params *p, blk_block *out) {
  /* LOG4 of 1 KiB (memory paid by the first) with four distinct topics. */
  gasm code = {0}, body = {0};
  for (int i = 0; i < 4; i++) push(&code, 0x7001 + (uint64_t)i + p->seed);
  for (int i = 0; i < 4; i++) op(&body, OP_DUP4);
  push(&body, 1024);
  push(&body, 0);
  op(&body, OP_LOG4);
  loop(&code, &body, 16);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_balance_cold(const gen_params *p, blk_block *out) {
  /* GAS differs at every step, so every BALANCE reads a fresh, cold account. */
  gasm code = {0}, body = {0};
  op(&body, OP_GAS);
  op(&body, OP_BALANCE);
  op(&body, OP_POP);
  loop(&code, &body, 64);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_create2(const gen_params *p, blk_block *out) {
  /* Initcode PUSH1 1 PUSH0 RETURN (deploys one zero byte), stored in memory
   * at 28..31; the salt counts up from the transaction's calldata word. */
  gasm code = {0}, body = {0};
  static const uint8_t init[4] = {OP_PUSH1, 1, OP_PUSH0, OP_RETURN};
  push_bytes(&code, init, 4);
  push(&code, 0);
  op(&code, OP_MSTORE);
  push(&code, 0);
  op(&code, OP_CALLDATALOAD);
  op(&body, OP_DUP1);
  push(&body, 4);
  push(&body, 28);
  push(&body, 0);
  op(&body, OP_CREATE2);
  op(&body, OP_POP);
  push(&body, 1);
  op(&body, OP_ADD);
  loop(&code, &body, 8);
  free(body.b);
  return contract_block(p, &code, 1, out);
}

/* Many distinct maximum-size (EIP-170, 24 KiB) contracts, each touched once
 * cold by one opcode (EXTCODESIZE, EXTCODECOPY or CALL, the variants of the
 * benchmark suite's test_worst_bytecode_single_opcode): a stateless prover
 * must load and hash the whole bytecode of every one, whatever the opcode
 * reads of it. The suite reaches a new contract at every step (tens of
 * thousands of them, deployed by a factory in a setup block); a .blk carries
 * its pre-state, so their number grows with the gas limit but is capped at
 * GEN_BIG_MAX to keep the block file a few MB. Each transaction touches them
 * all cold once, then goes on cycling through them warm. */
#define GEN_CODE_MAX 24576u /* EIP-170's limit on deployed code */
#define GEN_BIG_CODE GEN_CODE_MAX
#define GEN_BIG_MAX 128u
static const uint8_t BIG_BASE[20] = {[17] = 0x10};

typedef enum { BIG_EXTCODESIZE, BIG_EXTCODECOPY, BIG_CALL } big_variant;

static int big_code_block(const gen_params *p, big_variant v, blk_block *out) {
  uint64_t n = p->gas_limit / 400000;
  if (n < 4) n = 4;
  if (n > GEN_BIG_MAX) n = GEN_BIG_MAX;
  gasm code = {0}, body = {0};
  push(&code, 0);
  /* the stack holds the step counter i; the address is BIG_BASE + i mod n */
  int depth = 2; /* DUPn that reaches i once the opcode's other arguments are pushed */
  if (v == BIG_EXTCODECOPY) {
    /* EXTCODECOPY(addr, 96, 0, 1000) as the suite has it: memory is paid once */
    push(&body, 1000);
    push(&body, 0);
    push(&body, 96);
    depth = 5;
  } else if (v == BIG_CALL) {
    /* CALL(gas, addr, 0, 0, 0, 0, 0): the callee's first byte is STOP */
    for (int k = 0; k < 5; k++) push(&body, 0);
    depth = 7;
  }
  push(&body, n);
  op(&body, (uint8_t)(OP_DUP1 + depth - 1));
  op(&body, OP_MOD);
  push_bytes(&body, BIG_BASE + 17, 3);
  op(&body, OP_ADD);
  if (v == BIG_EXTCODESIZE) {
    op(&body, OP_EXTCODESIZE);
    op(&body, OP_POP);
  } else if (v == BIG_EXTCODECOPY) {
    op(&body, OP_EXTCODECOPY);
  } else {
    op(&body, OP_GAS);
    op(&body, OP_CALL);
    op(&body, OP_POP);
  }
  push(&body, 1);
  op(&body, OP_ADD);
  loop(&code, &body, 16);
  free(body.b);
  int rc = contract_block(p, &code, 0, out);
  if (rc != GEN_OK) return rc;
  blk_bytes *nc = realloc(out->codes, (1 + (size_t)n) * sizeof *nc);
  if (!nc) return GEN_E_NOMEM;
  out->codes = nc;
  builder bd = {out, out->n_accounts, 0};
  for (uint64_t i = 0; i < n; i++) {
    blk_bytes *c = &out->codes[out->n_codes];
    c->data = malloc(GEN_BIG_CODE);
    if (!c->data) return GEN_E_NOMEM;
    c->len = GEN_BIG_CODE;
    out->n_codes++;
    /* STOP first (a CALL returns at once), then bytes that differ per contract */
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ p->seed;
    c->data[0] = OP_STOP;
    for (size_t k = 1; k < GEN_BIG_CODE; k++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      c->data[k] = (uint8_t)x;
    }
    uint8_t addr[20];
    memcpy(addr, BIG_BASE, 20);
    addr[18] = (uint8_t)(i >> 8);
    addr[19] = (uint8_t)i;
    blk_account *a = add_account(&bd, addr);
    if (!a) return bd.err;
    a->code_ref = (uint32_t)out->n_codes;
  }
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

static int g_extcodesize_big(const gen_params *p, blk_block *out) { return big_code_block(p, BIG_EXTCODESIZE, out); }
static int g_extcodecopy_big(const gen_params *p, blk_block *out) { return big_code_block(p, BIG_EXTCODECOPY, out); }
static int g_call_big(const gen_params *p, blk_block *out) { return big_code_block(p, BIG_CALL, out); }

/* BLOCKHASH over the 256-block window. A .blk defines BLOCKHASH by the
 * ancestor hashes it lists (blk_env.block_hashes); a number in the window with
 * no entry answers zero (evm.h). This block is number 257, so blocks 1..256
 * are all in the window, and it lists none: every lookup answers zero, and the
 * loop drops each value, so neither gas nor state depends on what a client
 * answers there (which is why it exports as a state test and agrees with
 * other clients; fix_export refuses a block that lists hashes and executes
 * BLOCKHASH). What a stateless guest would add, checking each hash against
 * the chain of 256 ancestor headers, is therefore not in this block. */
static int g_blockhash(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&code, 0);
  push(&body, 256);
  op(&body, OP_DUP2);
  op(&body, OP_MOD);
  push(&body, 1);
  op(&body, OP_ADD);
  op(&body, OP_BLOCKHASH);
  op(&body, OP_POP);
  push(&body, 1);
  op(&body, OP_ADD);
  loop(&code, &body, 16);
  free(body.b);
  int rc = contract_block(p, &code, 0, out);
  if (rc != GEN_OK) return rc;
  out->env.number = 257;
  return GEN_OK;
}

/* ---- whole blocks of access lists and authorisations ----
 *
 * As the suite's test_worst_blocks builds them: transactions to an address
 * with no code, whose whole gas is intrinsic. Each transaction carries as many
 * items as its gas (at most GEN_TX_GAS_CAP) pays for, and its gas limit is
 * exactly its intrinsic gas, so the block's gas used is the sum of the limits.
 * Every listed account and slot exists in the pre-state: a stateless guest
 * whose client reads each listed entry when the transaction starts (clients
 * differ; some only mark them warm) must prove each one with a full trie
 * path. The executor here only marks them warm, so what these blocks put in
 * the trace is mostly signature recoveries (senders and authorities). */

static const uint8_t SINK[20] = {[0] = 0xdb, [19] = 0x01};      /* no code, never created */
static const uint8_t AL_ACCOUNT[20] = {[0] = 0xa1, [19] = 0x01}; /* holds the listed slots */
static const uint8_t AUTH_TARGET[20] = {[18] = 0x10, [19] = 0x02};

static void set_u32_be(uint8_t *p, uint32_t x) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(x >> (24 - 8 * i));
}

/* Transactions to SINK filling the block, each with gas for `fixed` plus a
 * whole number (at least one) of items of `per` gas; *counts[i] is how many
 * items transaction i carries (caller frees). */
static int item_txs(builder *bd, uint64_t fixed, uint64_t per, size_t **counts) {
  *counts = NULL;
  int rc = fill_txs(bd, SINK, GEN_TX_GAS_CAP, fixed + per, NULL, 0, 0);
  if (rc != GEN_OK) return rc;
  blk_block *b = bd->b;
  *counts = calloc(b->n_txs ? b->n_txs : 1, sizeof **counts);
  if (!*counts) return GEN_E_NOMEM;
  for (size_t t = 0; t < b->n_txs; t++) {
    uint64_t n = (b->txs[t].gas_limit - fixed) / per;
    (*counts)[t] = (size_t)n;
    b->txs[t].gas_limit = fixed + n * per;
  }
  return GEN_OK;
}

static int set_code(blk_block *b, blk_account *a, const uint8_t *code, size_t len) {
  blk_bytes *nc = realloc(b->codes, (b->n_codes + 1) * sizeof *nc);
  if (!nc) return GEN_E_NOMEM;
  b->codes = nc;
  nc[b->n_codes].data = malloc(len);
  if (!nc[b->n_codes].data) return GEN_E_NOMEM;
  memcpy(nc[b->n_codes].data, code, len);
  nc[b->n_codes].len = len;
  a->code_ref = (uint32_t)++b->n_codes;
  return GEN_OK;
}

/* Type 1 transactions listing one contract with as many storage keys as fit
 * (1900 gas each, after 2400 for the address), as the suite's access-list
 * block does; the keys run on across transactions (1, 2, 3, ...), so every
 * one is distinct, and each is a non-zero slot of that contract. */
static int g_access_list_keys(const gen_params *p, blk_block *out) {
  init_block(out, p);
  builder bd = {out, 0, 0};
  size_t *counts;
  int rc = item_txs(&bd, EVM_GAS_TX + EVM_GAS_ACCESS_LIST_ADDRESS, EVM_GAS_ACCESS_LIST_KEY, &counts);
  if (rc != GEN_OK) {
    free(counts);
    return rc;
  }
  size_t total = 0;
  for (size_t t = 0; t < out->n_txs; t++) {
    blk_tx *tx = &out->txs[t];
    tx->type = 1;
    set_u64(&tx->max_priority_fee, 0);
    blk_access *al = tx->access_list = calloc(1, sizeof *tx->access_list);
    if (!al || !(al->keys = calloc(counts[t], sizeof *al->keys))) {
      free(counts);
      return GEN_E_NOMEM;
    }
    tx->n_access_list = 1;
    memcpy(al->address.b, AL_ACCOUNT, 20);
    al->n_keys = counts[t];
    for (size_t k = 0; k < counts[t]; k++) set_u64(&al->keys[k], ++total);
  }
  free(counts);
  blk_account *a = add_account(&bd, AL_ACCOUNT);
  if (!a) return bd.err;
  static const uint8_t stop = OP_STOP;
  if ((rc = set_code(out, a, &stop, 1)) != GEN_OK) return rc;
  a->nonce = 1;
  a->storage = calloc(total ? total : 1, sizeof *a->storage);
  if (!a->storage) return GEN_E_NOMEM;
  a->n_storage = total;
  for (size_t k = 0; k < total; k++) {
    set_u64(&a->storage[k].key, k + 1);
    set_u64(&a->storage[k].value, k + 1);
  }
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

/* Type 2 transactions listing as many distinct accounts as fit (2400 gas
 * each, no keys); every listed account exists (balance 1). */
static int g_access_list_addresses(const gen_params *p, blk_block *out) {
  init_block(out, p);
  builder bd = {out, 0, 0};
  size_t *counts;
  int rc = item_txs(&bd, EVM_GAS_TX, EVM_GAS_ACCESS_LIST_ADDRESS, &counts);
  if (rc != GEN_OK) {
    free(counts);
    return rc;
  }
  uint32_t total = 0;
  for (size_t t = 0; t < out->n_txs; t++) {
    blk_tx *tx = &out->txs[t];
    tx->access_list = calloc(counts[t], sizeof *tx->access_list);
    if (!tx->access_list) {
      free(counts);
      return GEN_E_NOMEM;
    }
    tx->n_access_list = counts[t];
    for (size_t k = 0; k < counts[t]; k++) {
      uint8_t *ad = tx->access_list[k].address.b;
      ad[0] = 0xa2;
      set_u32_be(ad + 16, total++);
    }
  }
  free(counts);
  for (uint32_t i = 0; i < total; i++) {
    uint8_t ad[20] = {0xa2};
    set_u32_be(ad + 16, i);
    blk_account *a = add_account(&bd, ad);
    if (!a) return bd.err;
    set_u64(&a->balance, 1 + p->seed);
  }
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

/* EIP-7702: type 4 transactions with as many authorisations as fit (25000 gas
 * each, PER_EMPTY_ACCOUNT_COST), the suite's auth block with empty
 * authorities: each authority is a distinct key whose account does not exist
 * yet, so every authorisation costs a signature recovery (ecrecover's work)
 * and creates an account with a delegation to AUTH_TARGET, and no refund
 * applies. Authority keys are keccak256("pkbench authority" || j as 4 bytes
 * big-endian) for j = 0, 1, ... across the block: a domain apart from the test
 * keys (which are bounded by BLK_MAX_TEST_KEYS, fewer than a 60M block needs,
 * and which send the transactions). Before Prague (no type 4) the block is
 * empty. */
static int g_authorizations(const gen_params *p, blk_block *out) {
  init_block(out, p);
  if (p->fork < BLK_FORK_PRAGUE) return GEN_OK;
  builder bd = {out, 0, 0};
  size_t *counts;
  int rc = item_txs(&bd, EVM_GAS_TX, EVM_GAS_AUTH_EMPTY_ACCOUNT, &counts);
  if (rc != GEN_OK) {
    free(counts);
    return rc;
  }
  static const char domain[] = "pkbench authority";
  uint8_t pre[sizeof domain - 1 + 4], priv[32];
  memcpy(pre, domain, sizeof domain - 1);
  uint32_t j = 0;
  for (size_t t = 0; t < out->n_txs && rc == GEN_OK; t++) {
    blk_tx *tx = &out->txs[t];
    tx->type = 4;
    tx->auths = calloc(counts[t], sizeof *tx->auths);
    if (!tx->auths) {
      rc = GEN_E_NOMEM;
      break;
    }
    tx->n_auths = counts[t];
    for (size_t k = 0; k < counts[t] && rc == GEN_OK; k++) {
      blk_auth *au = &tx->auths[k];
      set_u64(&au->chain_id, out->env.chain_id);
      memcpy(au->address.b, AUTH_TARGET, 20);
      au->nonce = 0;
      set_u32_be(pre + sizeof domain - 1, j++);
      keccak256(pre, sizeof pre, priv);
      if (evm_auth_sign(au, priv) != EVM_SIG_OK) rc = GEN_E_KEYS;
    }
  }
  free(counts);
  if (rc != GEN_OK) return rc;
  blk_account *a = add_account(&bd, AUTH_TARGET);
  if (!a) return bd.err;
  static const uint8_t stop = OP_STOP;
  if ((rc = set_code(out, a, &stop, 1)) != GEN_OK) return rc;
  a->nonce = 1;
  qsort(out->accounts, out->n_accounts, sizeof(blk_account), cmp_account);
  return GEN_OK;
}

/* ---- more compute, control flow, memory and state loops ---- */

/* DUPn then POP: the stack holds 16 values pushed once. */
static int dup_loop(const gen_params *p, int n, blk_block *out) {
  gasm code = {0}, body = {0};
  for (int i = 0; i < 16; i++) push(&code, (uint64_t)i + 1 + p->seed);
  op(&body, (uint8_t)(OP_DUP1 + n - 1));
  op(&body, OP_POP);
  loop(&code, &body, 512);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_dup1(const gen_params *p, blk_block *out) { return dup_loop(p, 1, out); }
static int g_dup16(const gen_params *p, blk_block *out) { return dup_loop(p, 16, out); }

typedef enum { JMP_JUMP, JMP_JUMPI_TAKEN, JMP_JUMPI_FALL } jump_kind;

/* Unrolled jumps, each to the JUMPDEST right after it (JUMP, or JUMPI with a
 * true condition), or JUMPIs whose condition is false and fall through (their
 * target is the loop head, a valid JUMPDEST). Targets are absolute, so the
 * body is emitted in place rather than copied. */
static int jump_loop(const gen_params *p, jump_kind k, blk_block *out) {
  gasm code = {0};
  size_t head = code.n;
  op(&code, OP_JUMPDEST);
  for (int i = 0; i < 512; i++) {
    if (k == JMP_JUMPI_TAKEN) push(&code, 1);
    if (k == JMP_JUMPI_FALL) push(&code, 0);
    size_t target = k == JMP_JUMPI_FALL ? head : code.n + 4;
    uint8_t t[2] = {(uint8_t)(target >> 8), (uint8_t)target};
    push_bytes(&code, t, 2);
    op(&code, k == JMP_JUMP ? OP_JUMP : OP_JUMPI);
    if (k != JMP_JUMPI_FALL) op(&code, OP_JUMPDEST);
  }
  uint8_t t[2] = {(uint8_t)(head >> 8), (uint8_t)head};
  push_bytes(&code, t, 2);
  op(&code, OP_JUMP);
  return contract_block(p, &code, 0, out);
}

static int g_jump(const gen_params *p, blk_block *out) { return jump_loop(p, JMP_JUMP, out); }
static int g_jumpi(const gen_params *p, blk_block *out) { return jump_loop(p, JMP_JUMPI_TAKEN, out); }
static int g_jumpi_fallthrough(const gen_params *p, blk_block *out) { return jump_loop(p, JMP_JUMPI_FALL, out); }

/* MSTORE or MLOAD one word further at every step: memory grows until its
 * quadratic cost exhausts the transaction (a few MiB). */
static int mem_grow(const gen_params *p, int store, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&code, 0);
  op(&body, OP_DUP1);
  if (store) {
    op(&body, OP_DUP1);
    op(&body, OP_MSTORE);
  } else {
    op(&body, OP_MLOAD);
    op(&body, OP_POP);
  }
  push(&body, 32);
  op(&body, OP_ADD);
  loop(&code, &body, 16);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_mstore_grow(const gen_params *p, blk_block *out) { return mem_grow(p, 1, out); }
static int g_mload_grow(const gen_params *p, blk_block *out) { return mem_grow(p, 0, out); }

#define GEN_COPY_BYTES 32768u

/* CALLDATACOPY of 32 KiB to memory 0 (the calldata is empty: the copy reads
 * zeros past its end, which a client still writes byte for byte). */
static int g_calldatacopy(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&body, GEN_COPY_BYTES);
  push(&body, 0);
  push(&body, 0);
  op(&body, OP_CALLDATACOPY);
  loop(&code, &body, 8);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

/* CODECOPY of the whole code, padded with data to the EIP-170 maximum. */
static int g_codecopy(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  op(&body, OP_CODESIZE);
  push(&body, 0);
  push(&body, 0);
  op(&body, OP_CODECOPY);
  loop(&code, &body, 8);
  free(body.b);
  uint8_t pad[256];
  while (!code.oom && code.n < GEN_CODE_MAX) {
    size_t n = GEN_CODE_MAX - code.n < sizeof pad ? GEN_CODE_MAX - code.n : sizeof pad;
    for (size_t i = 0; i < n; i++) pad[i] = (uint8_t)((code.n + i) * 151 + p->seed);
    emit(&code, pad, n);
  }
  return contract_block(p, &code, 0, out);
}

/* One IDENTITY call with 32 KiB of input leaves 32 KiB of return data, then
 * RETURNDATACOPY of all of it in a loop. */
static int g_returndatacopy(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&code, 0);
  push(&code, 0);
  push(&code, GEN_COPY_BYTES);
  push(&code, 0);
  push(&code, 4);
  op(&code, OP_GAS);
  op(&code, OP_STATICCALL);
  op(&code, OP_POP);
  op(&body, OP_RETURNDATASIZE);
  push(&body, 0);
  push(&body, 0);
  op(&body, OP_RETURNDATACOPY);
  loop(&code, &body, 8);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static blk_account *contract_account(blk_block *b) {
  for (size_t i = 0; i < b->n_accounts; i++)
    if (memcmp(b->accounts[i].address.b, CONTRACT, 20) == 0) return &b->accounts[i];
  return NULL;
}

/* A one-opcode-on-self loop: ADDRESS (warm: the callee) then `o` and POP. */
static int self_loop(const gen_params *p, uint8_t o, blk_block *out) {
  gasm code = {0}, body = {0};
  op(&body, OP_ADDRESS);
  op(&body, o);
  op(&body, OP_POP);
  loop(&code, &body, 64);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

static int g_balance_warm(const gen_params *p, blk_block *out) { return self_loop(p, OP_BALANCE, out); }
static int g_extcodehash_warm(const gen_params *p, blk_block *out) { return self_loop(p, OP_EXTCODEHASH, out); }

/* Slot 0 of the contract holds 1 + seed in the pre-state. */
static int with_slot0(const gen_params *p, gasm *code, blk_block *out) {
  int rc = contract_block(p, code, 0, out);
  if (rc != GEN_OK) return rc;
  blk_account *c = contract_account(out);
  if (!c) return GEN_E_PARAM;
  c->storage = calloc(1, sizeof *c->storage);
  if (!c->storage) return GEN_E_NOMEM;
  c->n_storage = 1;
  set_u64(&c->storage[0].value, 1 + p->seed);
  return GEN_OK;
}

/* SLOAD of one present slot: cold once, then warm. */
static int g_sload_warm(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&body, 0);
  op(&body, OP_SLOAD);
  op(&body, OP_POP);
  loop(&code, &body, 64);
  free(body.b);
  return with_slot0(p, &code, out);
}

/* SSTORE of a new non-zero value (GAS, never the same twice) to one present
 * slot: x to y cold once, then warm writes to a dirty slot. */
static int g_sstore_warm(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  op(&body, OP_GAS);
  push(&body, 0);
  op(&body, OP_SSTORE);
  loop(&code, &body, 32);
  free(body.b);
  return with_slot0(p, &code, out);
}

/* SSTORE toggling a present slot between zero and its original value: each
 * clear of a slot back at its original value is priced as a fresh update
 * and books a refund, each restore takes the refund back (EIP-2200/3529), so
 * the refund counter moves at every step. The transaction ends out of gas,
 * so no refund is paid. */
static int g_sstore_toggle(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&body, 0);
  push(&body, 0);
  op(&body, OP_SSTORE);
  push(&body, 1 + p->seed);
  push(&body, 0);
  op(&body, OP_SSTORE);
  loop(&code, &body, 16);
  free(body.b);
  return with_slot0(p, &code, out);
}

/* SSTORE x to y of distinct present slots, each cold: transaction t writes
 * slots t*2^32 + 1, + 2, ... (its calldata word is where it starts); the
 * pre-state holds every slot a transaction's gas can reach (each write costs
 * at least 5000), value 1, and the new value is GAS (above 2300 wherever an
 * SSTORE may run, so never 1). */
static int g_sstore_update(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&code, 0);
  op(&code, OP_CALLDATALOAD);
  push(&body, 1);
  op(&body, OP_ADD);
  op(&body, OP_GAS);
  op(&body, OP_DUP2);
  op(&body, OP_SSTORE);
  loop(&code, &body, 16);
  free(body.b);
  int rc = contract_block(p, &code, 1, out);
  if (rc != GEN_OK) return rc;
  blk_account *c = contract_account(out);
  if (!c) return GEN_E_PARAM;
  size_t total = 0;
  for (size_t t = 0; t < out->n_txs; t++) total += (size_t)(out->txs[t].gas_limit / 5000 + 1);
  c->storage = calloc(total, sizeof *c->storage);
  if (!c->storage) return GEN_E_NOMEM;
  for (size_t t = 0; t < out->n_txs; t++) {
    uint64_t n = out->txs[t].gas_limit / 5000 + 1;
    for (uint64_t i = 1; i <= n; i++) {
      blk_slot *s = &c->storage[c->n_storage++];
      set_u64(&s->key, ((uint64_t)t << 32) + i);
      set_u64(&s->value, 1);
    }
  }
  return GEN_OK;
}

static int g_tload(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  push(&body, 0);
  op(&body, OP_TLOAD);
  op(&body, OP_POP);
  loop(&code, &body, 64);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

/* TSTORE to a new key at every step (key = value = GAS), so transient
 * storage grows with the gas. */
static int g_tstore(const gen_params *p, blk_block *out) {
  gasm code = {0}, body = {0};
  op(&body, OP_GAS);
  op(&body, OP_DUP1);
  op(&body, OP_TSTORE);
  loop(&code, &body, 64);
  free(body.b);
  return contract_block(p, &code, 0, out);
}

/* ---- more precompiles ---- */

/* G2 MSM of 8 pairs: the first point of the G2ADD vector (a subgroup point)
 * with scalars r - 1 - j (dense, below the group order r). */
#define GEN_G2MSM_PAIRS 8
static int g_bls12_g2msm(const gen_params *p, blk_block *out) {
  static const char r_minus_1[] = "73eda753299d7d483339d80809a1d80553bda402fffe5bfefffffffeffffffff";
  uint8_t g2[512], in[GEN_G2MSM_PAIRS * 288];
  if (from_hex(PCV_BLS_G2ADD, g2, sizeof g2) < 256) return GEN_E_PARAM;
  for (int j = 0; j < GEN_G2MSM_PAIRS; j++) {
    uint8_t *pair = in + 288 * j;
    memcpy(pair, g2, 256);
    from_hex(r_minus_1, pair + 256, 32);
    pair[287] = (uint8_t)(pair[287] - j);
  }
  return precompile_loop_ex(p, 0x0e, in, sizeof in, 256, p->fork >= BLK_FORK_PRAGUE, out);
}

/* A MODEXP input: base of blen bytes, exponent of elen bytes all 0xff (every
 * bit set: a multiplication per bit), odd modulus of mlen bytes. */
static int modexp_loop(const gen_params *p, size_t blen, size_t elen, size_t mlen, blk_block *out) {
  size_t len = 96 + blen + elen + mlen;
  uint8_t *in = calloc(len, 1);
  if (!in) return GEN_E_NOMEM;
  set_u32_be(in + 28, (uint32_t)blen);
  set_u32_be(in + 60, (uint32_t)elen);
  set_u32_be(in + 92, (uint32_t)mlen);
  uint8_t *b = in + 96, *e = b + blen, *m = e + elen;
  for (size_t i = 0; i < blen; i++) b[i] = (uint8_t)(0xd7 ^ (i * 37) ^ p->seed);
  memset(e, 0xff, elen);
  for (size_t i = 0; i < mlen; i++) m[i] = (uint8_t)(0xf9 ^ (i * 53));
  m[0] |= 0x80;
  m[mlen - 1] |= 1;
  int rc = precompile_loop(p, 0x05, in, len, mlen, out);
  free(in);
  return rc;
}

/* mod_odd_32b_exp_256: 32-byte base and odd modulus, 256-byte exponent. */
static int g_modexp_odd(const gen_params *p, blk_block *out) { return modexp_loop(p, 32, 256, 32, out); }

/* The most exponent bits a call at the minimum price buys, with 8-byte base
 * and modulus: before Osaka 200 gas for (8 * (75 - 32) + 255) / 3 = 199
 * (a 75-byte exponent); from Osaka (EIP-7883) 500 gas for 16 * 31 = 496 (a
 * 4-byte exponent). */
static int g_modexp_min_gas(const gen_params *p, blk_block *out) {
  return modexp_loop(p, 8, p->fork >= BLK_FORK_OSAKA ? 4 : 75, 8, out);
}

/* mod_1024_exp_2 style, base-heavy: 1024-byte base and modulus (EIP-7823's
 * bound from Osaka) and a one-byte exponent of 0xff (8 squarings). */
static int g_modexp_base_heavy(const gen_params *p, blk_block *out) { return modexp_loop(p, 1024, 1, 1024, out); }

#define GEN_SCENARIOS(X)                                                                  \
  X(empty, "a block with no transactions")                                                \
  X(transfers, "plain ether transfers to fresh accounts, 21000 gas each")                 \
  X(calldata, "transactions carrying the most non-zero calldata per gas")                \
  X(keccak, "KECCAK256 over 8159 bytes (60 permutations) in a loop")                       \
  X(mulmod, "MULMOD on 255-bit operands in a loop")                                       \
  X(addmod, "ADDMOD on 255-bit operands in a loop")                                       \
  X(mul, "MUL on 255-bit operands in a loop")                                             \
  X(div, "DIV of 255-bit operands in a loop")                                             \
  X(sdiv, "SDIV of 255-bit operands in a loop")                                           \
  X(mod, "MOD of 127-bit operands in a loop")                                             \
  X(exp, "EXP with a 255-bit exponent in a loop")                                         \
  X(sstore_new, "SSTORE of fresh slots (cold, zero to non-zero)")                         \
  X(call, "STATICCALL to a contract that stops at once, in a loop")                      \
  X(call_input, "STATICCALL with 32 KiB of input to a contract that stops at once, in a loop") \
  X(sload_cold, "SLOAD of distinct cold slots")                                           \
  X(jumpdest, "runs of JUMPDEST (most instructions per gas)")                             \
  X(swap16, "SWAP16 in a loop")                                                           \
  X(push32, "PUSH32 and POP in a loop")                                                   \
  X(mcopy, "MCOPY of 32 KiB in a loop")                                                   \
  X(sha256, "SHA2-256 precompile on 4 KiB inputs")                                        \
  X(ripemd160, "RIPEMD-160 precompile on 4 KiB inputs")                                   \
  X(identity, "IDENTITY precompile on 4 KiB inputs")                                      \
  X(blake2f, "BLAKE2F precompile at 100000 rounds per call")                              \
  X(modexp_even, "MODEXP with 8-byte even modulus and 896-bit exponent") \
  X(ecrecover, "ECRECOVER precompile on a valid signature") \
  X(bn254_mul, "bn254 scalar multiplication precompile on a valid point") \
  X(bn254_pairing, "bn254 pairing check of two pairs that holds") \
  X(point_evaluation, "KZG point evaluation precompile on a valid proof") \
  X(bls12_pairing, "BLS12-381 pairing check of two pairs that holds (Prague on)") \
  X(bls12_g1msm, "BLS12-381 G1 MSM of seven pairs (Prague on)") \
  X(p256verify, "P256VERIFY precompile on a valid signature (Osaka on)") \
  X(log4, "LOG4 with four topics and 1 KiB of data in a loop") \
  X(balance_cold, "BALANCE of a fresh (cold) address at every step") \
  X(create2, "CREATE2 of a 4-byte initcode with a counting salt") \
  X(extcodesize_big, "EXTCODESIZE of many distinct 24 KiB contracts (unchunkified bytecode)") \
  X(blockhash, "BLOCKHASH of each of the last 256 blocks in turn (no hashes listed: each reads zero)") \
  X(extcodecopy_big, "EXTCODECOPY of 1000 bytes from many distinct 24 KiB contracts") \
  X(call_big, "CALL to many distinct 24 KiB contracts (each stops at once)") \
  X(access_list_keys, "type 1 transactions listing the most storage keys (distinct, present)") \
  X(access_list_addresses, "type 2 transactions listing the most accounts (distinct, present)") \
  X(authorizations, "type 4 transactions with the most EIP-7702 authorisations (fresh authorities; Prague on)") \
  X(mulmod_63, "MULMOD of 255-bit operands modulo a 63-bit modulus") \
  X(mulmod_127, "MULMOD of 255-bit operands modulo a 127-bit modulus") \
  X(mulmod_191, "MULMOD of 255-bit operands modulo a 191-bit modulus") \
  X(addmod_63, "ADDMOD of 255-bit operands modulo a 63-bit modulus") \
  X(addmod_127, "ADDMOD of 255-bit operands modulo a 127-bit modulus") \
  X(addmod_191, "ADDMOD of 255-bit operands modulo a 191-bit modulus") \
  X(div_63, "DIV of 255-bit operands by a 63-bit divisor") \
  X(div_127, "DIV of 255-bit operands by a 127-bit divisor") \
  X(div_191, "DIV of 255-bit operands by a 191-bit divisor") \
  X(sdiv_63, "SDIV of 255-bit operands by a 63-bit divisor") \
  X(sdiv_127, "SDIV of 255-bit operands by a 127-bit divisor") \
  X(sdiv_191, "SDIV of 255-bit operands by a 191-bit divisor") \
  X(mod_63, "MOD of 255-bit operands modulo a 63-bit modulus") \
  X(mod_127, "MOD of 255-bit operands modulo a 127-bit modulus") \
  X(mod_191, "MOD of 255-bit operands modulo a 191-bit modulus") \
  X(mod_255, "MOD of 255-bit operands modulo a 255-bit modulus") \
  X(dup1, "DUP1 and POP in a loop") \
  X(dup16, "DUP16 and POP in a loop") \
  X(jump, "JUMP to the JUMPDEST right after it, unrolled") \
  X(jumpi, "JUMPI taken to the JUMPDEST right after it, unrolled") \
  X(jumpi_fallthrough, "JUMPI not taken (condition zero), unrolled") \
  X(mstore_grow, "MSTORE one word further at every step (memory expansion)") \
  X(mload_grow, "MLOAD one word further at every step (memory expansion)") \
  X(calldatacopy, "CALLDATACOPY of 32 KiB in a loop") \
  X(codecopy, "CODECOPY of the whole 24 KiB code in a loop") \
  X(returndatacopy, "RETURNDATACOPY of 32 KiB (an IDENTITY call's output) in a loop") \
  X(balance_warm, "BALANCE of the (warm) contract itself") \
  X(extcodehash_warm, "EXTCODEHASH of the (warm) contract itself") \
  X(sload_warm, "SLOAD of one present slot, warm after the first") \
  X(sstore_warm, "SSTORE of new non-zero values to one present slot (x to y, warm)") \
  X(sstore_toggle, "SSTORE toggling a present slot to zero and back (refund bookkeeping)") \
  X(sstore_update, "SSTORE x to y of distinct present slots (cold)") \
  X(tload, "TLOAD of one key in a loop") \
  X(tstore, "TSTORE to a new key at every step") \
  X(bn254_add, "bn254 point addition precompile on valid points") \
  X(bls12_g1add, "BLS12-381 G1ADD on valid points (Prague on)") \
  X(bls12_g2add, "BLS12-381 G2ADD on valid points (Prague on)") \
  X(bls12_g2msm, "BLS12-381 G2 MSM of eight pairs with dense scalars (Prague on)") \
  X(bls12_map_fp_to_g1, "BLS12-381 MAP_FP_TO_G1 on a valid field element (Prague on)") \
  X(bls12_map_fp2_to_g2, "BLS12-381 MAP_FP2_TO_G2 on a valid element (Prague on)") \
  X(modexp_odd, "MODEXP with 32-byte base and odd modulus, 256-byte exponent") \
  X(modexp_min_gas, "MODEXP at the minimum price with the longest exponent it buys (8-byte operands)") \
  X(modexp_base_heavy, "MODEXP with 1024-byte base and odd modulus, exponent 0xff")

static const struct {
  const char *name;
  const char *desc;
  gen_fn fn;
} scenarios[] = {
#define X(n, d) {#n, d, g_##n},
    GEN_SCENARIOS(X)
#undef X
};

size_t gen_scenario_count(void) { return sizeof scenarios / sizeof scenarios[0]; }
const char *gen_scenario_name(size_t i) { return i < gen_scenario_count() ? scenarios[i].name : NULL; }
const char *gen_scenario_desc(size_t i) { return i < gen_scenario_count() ? scenarios[i].desc : NULL; }

int gen_worst_case(const char *name, const gen_params *p, blk_block *out) {
  memset(out, 0, sizeof *out);
  if (p->gas_limit < 21000 || p->gas_limit > (1ull << 40) || (unsigned)p->fork >= BLK_FORK_COUNT)
    return GEN_E_PARAM;
  for (size_t i = 0; i < gen_scenario_count(); i++) {
    if (strcmp(name, scenarios[i].name) == 0) {
      int rc = scenarios[i].fn(p, out);
      if (rc != GEN_OK) blk_free(out);
      return rc;
    }
  }
  return GEN_E_UNKNOWN;
}
