/* trace: the event collector and the sharding of tables (see trace.h).
 *
 * Hot path: the tracer callbacks run once per executed instruction, so they
 * append fixed-width rows to growing arrays and do nothing else; columns that
 * need the next row (does the frame continue? was the jump taken?) are filled
 * in one pass by trace_finish.
 *
 * The cpu, memory and storage tables carry their values and are proven with
 * the AIRs of trace_air.c. The keccak table is proven with keccak_air when
 * the collector has TRACE_OPT_PROVE_KECCAK: it then keeps each permutation's
 * input state (the rows, 2633 columns each, are generated shard by shard in
 * trace_shard), and is sized otherwise. The arith table likewise is proven
 * with arith_air when the collector has TRACE_OPT_PROVE_ARITH: it keeps each
 * supported instruction's opcode and operands, packed (below), and
 * trace_shard generates the 2528-column rows shard by shard; otherwise it is
 * sized from the cost classes of on_arith. The ecrecover table is proven
 * with arith_air too when the collector has TRACE_OPT_PROVE_ECRECOVER: it
 * keeps each recovery's inputs and how many products secp_witness reports
 * for it; trace_shard redoes the recoveries a shard covers and writes the
 * MULMOD rows of the products that fall in it. Otherwise it is sized, 256
 * rows per recovery. The sha256 and blake2f tables are proven with
 * sha256_air and blake2f_air when the collector has
 * TRACE_OPT_PROVE_PRECOMPILES: it keeps each SHA-256 compression's chaining
 * value and block, and each BLAKE2F call's inputs, from on_precompile_input,
 * and trace_shard generates the rows (631 and 5816 columns) shard by shard;
 * otherwise they are sized with the same counts, sha256 from the
 * compressions on_precompile reports and blake2f from each successful
 * call's round count (on_precompile_input: on_precompile cannot tell a
 * failed call from a 0-round one). The precomp table is sized here from the
 * work of the other precompiles (rows only, data == NULL): their AIRs are
 * not in this build, so it is counted and reported, not proven.
 *
 * A packed arith instruction is ARITH_HDR bytes (opcode, then its row count
 * as 16 bits little-endian, at most ARITH_AIR_MAX_ROWS_PER_OP) followed by
 * the 32-byte big-endian words a, b and, for ADDMOD and MULMOD only, c: 67
 * or 99 bytes instead of a 10 KiB row per row. Shards are found by walking
 * the headers.
 */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "evm/txsig.h"
#include "hash/keccak.h"
#include "hash/sha256.h"
#include "trace/arith_air.h"
#include "trace/blake2f_air.h"
#include "trace/keccak_air.h"
#include "trace/secp_witness.h"
#include "trace/sha256_air.h"
#include "trace_cols.h"

/* The one table of which tables are proven: width is the proven width, and
 * a table is proven when width != 0 and the collector's options include
 * every bit of needs. */
static const struct {
  const char *name;
  unsigned width;
  unsigned needs;
} table_info[TRACE_COUNT] = {
    [TRACE_CPU] = {"cpu", CPU_WIDTH, 0},
    [TRACE_MEMORY] = {"memory", MEM_WIDTH, 0},
    [TRACE_STORAGE] = {"storage", STO_WIDTH, 0},
    [TRACE_KECCAK] = {"keccak", KECCAK_AIR_WIDTH, TRACE_OPT_PROVE_KECCAK},
    [TRACE_ARITH] = {"arith", ARITH_AIR_WIDTH, TRACE_OPT_PROVE_ARITH},
    [TRACE_PRECOMP] = {"precomp", 0, 0},
    [TRACE_ECRECOVER] = {"ecrecover", ARITH_AIR_WIDTH, TRACE_OPT_PROVE_ECRECOVER},
    [TRACE_SHA256] = {"sha256", SHA256_AIR_WIDTH, TRACE_OPT_PROVE_PRECOMPILES},
    [TRACE_BLAKE2F] = {"blake2f", BLAKE2F_AIR_WIDTH, TRACE_OPT_PROVE_PRECOMPILES},
};

const char *trace_table_name(trace_table_id id) { return (unsigned)id < TRACE_COUNT ? table_info[id].name : "?"; }

int trace_table_proven(trace_table_id id, unsigned opts) {
  return (unsigned)id < TRACE_COUNT && table_info[id].width != 0 &&
         (opts & table_info[id].needs) == table_info[id].needs;
}

unsigned trace_table_width_opts(trace_table_id id, unsigned opts) {
  return trace_table_proven(id, opts) ? table_info[id].width : 0;
}

unsigned trace_table_width(trace_table_id id) { return trace_table_width_opts(id, 0); }

const stark_air *trace_table_air(const trace_table *t) { return t ? t->air : NULL; }

unsigned trace_max_log_shard(trace_table_id id, unsigned opts) {
  if ((id == TRACE_KECCAK || id == TRACE_ARITH || id == TRACE_ECRECOVER || id == TRACE_SHA256 ||
       id == TRACE_BLAKE2F) &&
      trace_table_proven(id, opts))
    return TRACE_WIDE_MAX_LOG_SHARD;
  return TRACE_NO_LOG_SHARD_CAP;
}

/* Opcode facts from the one opcode list. */
static const uint8_t op_in[256] = {
#define EVM_OP(name, code, in, out, gas, fork, cls) [code] = in,
#include "evm/opcodes.def"
#undef EVM_OP
};
static const uint8_t op_out[256] = {
#define EVM_OP(name, code, in, out, gas, fork, cls) [code] = out,
#include "evm/opcodes.def"
#undef EVM_OP
};
static const uint16_t op_gas[256] = {
#define EVM_OP(name, code, in, out, gas, fork, cls) [code] = gas,
#include "evm/opcodes.def"
#undef EVM_OP
};

enum { OPC_JUMP = 0x56, OPC_JUMPI = 0x57, OPC_PUSH1 = 0x60, OPC_PUSH32 = 0x7f };

void trace_init_opts(trace_collector *c, blk_fork fork, unsigned opts) {
  memset(c, 0, sizeof *c);
  c->fork = fork;
  c->opts = opts;
  for (int i = 0; i < TRACE_COUNT; i++) {
    c->t[i].id = (trace_table_id)i;
    c->t[i].width = trace_table_width_opts((trace_table_id)i, opts);
    c->t[i].air = trace_air_opts((trace_table_id)i, opts);
  }
}

void trace_init(trace_collector *c, blk_fork fork) { trace_init_opts(c, fork, 0); }

void trace_init_counting(trace_collector *c, blk_fork fork) {
  trace_init(c, fork);
  c->count_only = 1;
}

void trace_free(trace_collector *c) {
  for (int i = 0; i < TRACE_COUNT; i++) {
    free(c->t[i].data);
    free(c->t[i].keccak_in);
    free(c->t[i].arith_ops);
    free(c->t[i].sigrec);
    free(c->t[i].sha_state);
    free(c->t[i].sha_block);
    free(c->t[i].b2_calls);
  }
  memset(c, 0, sizeof *c);
}

/* Room for one more row; NULL (and c->err set) when out of memory. */
static bb_t *new_row(trace_collector *c, trace_table *t) {
  if (c->err) return NULL;
  if (t->rows == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 1024;
    bb_t *nd = realloc(t->data, cap * t->width * sizeof *nd);
    if (!nd) {
      c->err = TRACE_E_NOMEM;
      return NULL;
    }
    t->data = nd;
    t->cap = cap;
  }
  bb_t *r = t->data + t->rows * t->width;
  memset(r, 0, t->width * sizeof *r);
  t->rows++;
  return r;
}

static bb_t fe(trace_collector *c, uint64_t v) {
  if (v >= BB_P) {
    c->err = c->err ? c->err : TRACE_E_RANGE;
    return 0;
  }
  return bb_from_u32((uint32_t)v);
}

/* ---- tracer callbacks (hot) ---- */

static void on_step(void *ctx, const evm_step_event *e) {
  trace_collector *c = ctx;
  if (c->count_only) {
    c->t[TRACE_CPU].rows++;
    c->time++;
    return;
  }
  bb_t *r = new_row(c, &c->t[TRACE_CPU]);
  if (!r) return;
  uint8_t op = e->opcode;
  uint64_t cost = e->gas_before - e->gas_after;
  r[CPU_PC] = fe(c, e->pc);
  r[CPU_OP] = fe(c, op);
  r[CPU_GAS_BEFORE] = fe(c, e->gas_before);
  r[CPU_GAS_AFTER] = fe(c, e->gas_after);
  r[CPU_COST] = fe(c, cost);
  r[CPU_STATIC] = fe(c, op_gas[op]);
  /* dynamic gas = cost - static; below zero only for an instruction that ran
   * out of gas before its static cost, where the field difference is kept. */
  r[CPU_DYN] = bb_sub(r[CPU_COST], r[CPU_STATIC]);
  r[CPU_SP] = fe(c, e->stack_depth);
  r[CPU_IN] = fe(c, op_in[op]);
  r[CPU_OUT] = fe(c, op_out[op]);
  r[CPU_MEMW] = fe(c, (e->memory_size + 31) / 32);
  r[CPU_DEPTH] = fe(c, e->call_depth);
  r[CPU_TX] = fe(c, c->tx);
  if (op >= OPC_PUSH1 && op <= OPC_PUSH32) {
    r[CPU_ISPUSH] = BB_ONE;
    r[CPU_PUSHLEN] = fe(c, (uint64_t)(op - OPC_PUSH1 + 1));
  }
  r[CPU_REAL] = BB_ONE;
  c->time++;
}

static void on_memory(void *ctx, uint64_t offset, uint64_t size, int is_write) {
  trace_collector *c = ctx;
  if (size == 0) return;
  uint64_t first = offset / 32, last = (offset + size - 1) / 32;
  if (c->count_only) {
    c->t[TRACE_MEMORY].rows += (size_t)(last - first + 1);
    return;
  }
  for (uint64_t w = first; w <= last; w++) {
    bb_t *r = new_row(c, &c->t[TRACE_MEMORY]);
    if (!r) return;
    r[MEM_ADDR] = fe(c, w);
    r[MEM_TIME] = fe(c, c->time);
    r[MEM_WRITE] = is_write ? BB_ONE : 0;
    r[MEM_CONT] = w != first ? BB_ONE : 0;
    r[MEM_REAL] = BB_ONE;
  }
}

static void on_storage(void *ctx, const uint8_t address[20], const uint8_t key[32], int is_write, int is_cold,
                       int transient) {
  trace_collector *c = ctx;
  if (c->count_only) {
    c->t[TRACE_STORAGE].rows++;
    return;
  }
  bb_t *r = new_row(c, &c->t[TRACE_STORAGE]);
  if (!r) return;
  for (int i = 0; i < 10; i++) r[STO_ADDR + i] = bb_from_u32((uint32_t)address[2 * i] << 8 | address[2 * i + 1]);
  for (int i = 0; i < 16; i++) r[STO_KEY + i] = bb_from_u32((uint32_t)key[2 * i] << 8 | key[2 * i + 1]);
  r[STO_WRITE] = is_write ? BB_ONE : 0;
  r[STO_COLD] = is_cold ? BB_ONE : 0;
  r[STO_TRANSIENT] = transient ? BB_ONE : 0;
  r[STO_TIME] = fe(c, c->time);
  r[STO_REAL] = BB_ONE;
}

/* Sized tables: rows only. */
static void add_rows(trace_collector *c, trace_table_id id, uint64_t n) { c->t[id].rows += (size_t)n; }

/* Proven keccak table: rows come from the bytes (on_keccak_data); the
 * counts only feed keccak_perms, the cross-check. */
static int keccak_proven(const trace_collector *c) { return c->t[TRACE_KECCAK].air != NULL; }

static void on_keccak(void *ctx, uint64_t count, evm_keccak_source src) {
  (void)src;
  trace_collector *c = ctx;
  c->keccak_perms += count;
  if (!keccak_proven(c)) add_rows(c, TRACE_KECCAK, 24 * count);
}

/* One more permutation input; NULL (and c->err set) when out of memory. */
static uint64_t *new_perm(trace_collector *c) {
  trace_table *t = &c->t[TRACE_KECCAK];
  if (c->err) return NULL;
  size_t n = t->rows / KECCAK_AIR_ROWS_PER_PERM;
  if (n == t->keccak_cap) {
    size_t cap = t->keccak_cap ? t->keccak_cap * 2 : 256;
    uint64_t(*nk)[25] = realloc(t->keccak_in, cap * sizeof *nk);
    if (!nk) {
      c->err = TRACE_E_NOMEM;
      return NULL;
    }
    t->keccak_in = nk;
    t->keccak_cap = cap;
  }
  t->rows += KECCAK_AIR_ROWS_PER_PERM;
  return t->keccak_in[n];
}

/* keccak256's sponge over data, keeping the state that enters each
 * permutation: blocks of 136 bytes xor-ed into lanes 0..16 (little-endian),
 * the last block padded with 0x01 .. 0x80 (one byte 0x81 when only one byte
 * of room is left), so len / 136 + 1 permutations. */
static void absorb(trace_collector *c, const uint8_t *data, size_t len) {
  uint64_t st[25] = {0};
  size_t off = 0;
  for (;;) {
    uint8_t blk[KECCAK256_RATE];
    size_t take = len - off < KECCAK256_RATE ? len - off : KECCAK256_RATE;
    int last = take < KECCAK256_RATE;
    if (take) memcpy(blk, data + off, take);
    if (last) {
      memset(blk + take, 0, KECCAK256_RATE - take);
      blk[take] ^= 0x01;
      blk[KECCAK256_RATE - 1] ^= 0x80;
    }
    for (int i = 0; i < KECCAK256_RATE / 8; i++) {
      uint64_t w = 0;
      for (int b = 7; b >= 0; b--) w = w << 8 | blk[8 * i + b];
      st[i] ^= w;
    }
    uint64_t *in = new_perm(c);
    if (!in) return;
    memcpy(in, st, sizeof st);
    keccak_f1600(st);
    off += take;
    if (last) return;
  }
}

static void on_keccak_data(void *ctx, const uint8_t *data, size_t len, evm_keccak_source src) {
  (void)src;
  absorb(ctx, data, len);
}

/* Rows per 256-bit instruction by its work over 16-bit limbs: one row for
 * linear work (add, compare, bitwise), 16 for a 16x16-limb product, 32 for a
 * division (product plus remainder check), 48 for the modular forms, and 16
 * per exponent bit for EXP (square and multiply). */
static int arith_proven(const trace_collector *c) { return c->t[TRACE_ARITH].air != NULL; }

static void on_arith(void *ctx, uint8_t opcode, uint16_t bits_a, uint16_t bits_b) {
  (void)bits_a;
  trace_collector *c = ctx;
  if (arith_proven(c)) return; /* on_arith_values builds the table */
  uint64_t rows;
  switch (opcode) {
    case 0x02: rows = 16; break;                       /* MUL */
    case 0x04: case 0x05: case 0x06: case 0x07: rows = 32; break; /* DIV SDIV MOD SMOD */
    case 0x08: case 0x09: rows = 48; break;            /* ADDMOD MULMOD */
    case 0x0a: rows = 16 * (uint64_t)(bits_b ? bits_b : 1); break; /* EXP */
    default: rows = 1;
  }
  add_rows(c, TRACE_ARITH, rows);
}

enum { ARITH_HDR = 3, OPC_ADDMOD = 0x08, OPC_MULMOD = 0x09 };

static size_t arith_rec_len(uint8_t opcode) {
  return ARITH_HDR + (opcode == OPC_ADDMOD || opcode == OPC_MULMOD ? 96 : 64);
}

static size_t arith_rec_rows(const uint8_t *rec) { return (size_t)rec[1] | (size_t)rec[2] << 8; }

/* Proven arith table: one packed instruction per supported opcode. */
static void on_arith_values(void *ctx, uint8_t opcode, const u256 *a, const u256 *b, const u256 *cw,
                            const u256 *result) {
  (void)result;
  trace_collector *c = ctx;
  if (c->err || !arith_air_supports(opcode)) return;
  trace_table *t = &c->t[TRACE_ARITH];
  size_t len = arith_rec_len(opcode);
  if (t->arith_cap - t->arith_len < len) {
    size_t cap = t->arith_cap ? t->arith_cap * 2 : 16384;
    uint8_t *np = realloc(t->arith_ops, cap);
    if (!np) {
      c->err = TRACE_E_NOMEM;
      return;
    }
    t->arith_ops = np;
    t->arith_cap = cap;
  }
  uint8_t *rec = t->arith_ops + t->arith_len, *w = rec + ARITH_HDR;
  u256_to_be(a, w);
  if (b)
    u256_to_be(b, w + 32);
  else
    memset(w + 32, 0, 32);
  if (len == ARITH_HDR + 96) {
    if (cw)
      u256_to_be(cw, w + 64);
    else
      memset(w + 64, 0, 32);
  }
  size_t rows = arith_air_rows_for(opcode, w, w + 32, len == ARITH_HDR + 96 ? w + 64 : NULL);
  if (rows == 0 || rows > ARITH_AIR_MAX_ROWS_PER_OP) {
    c->err = TRACE_E_ARG;
    return;
  }
  rec[0] = opcode;
  rec[1] = (uint8_t)rows;
  rec[2] = (uint8_t)(rows >> 8);
  t->arith_len += len;
  t->arith_n++;
  t->rows += rows;
}

/* The proven ecrecover table: its products are MULMOD instructions of the
 * arith AIR, mulmod_rows() rows each (4). */
static int ecrec_proven(const trace_collector *c) { return c->t[TRACE_ECRECOVER].air != NULL; }

static size_t mulmod_rows(void) {
  static const uint8_t z[32];
  return arith_air_rows_for(OPC_MULMOD, z, z, z);
}

static int sha_proven(const trace_collector *c) { return c->t[TRACE_SHA256].air != NULL; }
static int b2_proven(const trace_collector *c) { return c->t[TRACE_BLAKE2F].air != NULL; }

/* Rows per unit of precompile work: SHA256 calls go to the sha256 table
 * (64 rows per compression, sized here, or kept by on_precompile_input),
 * BLAKE2F calls to the blake2f table (on_precompile_input); for the others,
 * in precomp, a RIPEMD-160 compression is 80 rounds (one row each), a 64-bit
 * limb product 4 rows of 16-bit limbs, a curve field multiplication 1 row,
 * and every 32 bytes of input 1 row. */
static void on_precompile(void *ctx, evm_pc_id id, uint64_t input_len, const evm_pc_work *w) {
  (void)input_len;
  trace_collector *c = ctx;
  if (id == EVM_PC_SHA256) {
    if (!sha_proven(c)) add_rows(c, TRACE_SHA256, SHA256_AIR_ROWS_PER_COMP * w->compressions);
    return;
  }
  if (id == EVM_PC_BLAKE2F) return;
  add_rows(c, TRACE_PRECOMP, w->compressions * 80 + w->limb_muls * 4 + w->field_muls +
                                 (w->input_bytes + 31) / 32);
  if (id == EVM_PC_ECRECOVER) {
    c->sig_recoveries++;
    if (!ecrec_proven(c)) add_rows(c, TRACE_ECRECOVER, 256);
  }
}

/* A SHA256 call's input padded as SHA-256 pads it (0x80, zeros, the bit
 * length as 64 bits big-endian) and compressed block by block from
 * sha256_iv, keeping each compression's chaining value and block:
 * sha256_compressions(len) of them. */
static void sha_keep(trace_collector *c, const uint8_t *in, size_t len) {
  trace_table *t = &c->t[TRACE_SHA256];
  size_t n = (size_t)sha256_compressions(len);
  if (t->sha_cap - t->sha_n < n) {
    size_t cap = t->sha_cap ? t->sha_cap : 256;
    while (cap - t->sha_n < n) cap *= 2;
    uint32_t(*ns)[8] = realloc(t->sha_state, cap * sizeof *ns);
    if (ns) t->sha_state = ns;
    uint8_t(*nb)[64] = realloc(t->sha_block, cap * sizeof *nb);
    if (nb) t->sha_block = nb;
    if (!ns || !nb) {
      c->err = TRACE_E_NOMEM;
      return;
    }
    t->sha_cap = cap;
  }
  uint32_t st[8];
  memcpy(st, sha256_iv, sizeof st);
  uint64_t bits = (uint64_t)len * 8;
  for (size_t k = 0; k < n; k++) {
    uint8_t *blk = t->sha_block[t->sha_n + k];
    size_t off = k * SHA256_BLOCK, take = off < len ? len - off : 0;
    if (take > SHA256_BLOCK) take = SHA256_BLOCK;
    if (take) memcpy(blk, in + off, take);
    memset(blk + take, 0, SHA256_BLOCK - take);
    if (take < SHA256_BLOCK && off + take == len) blk[take] = 0x80; /* the block the data ends in */
    if (k == n - 1)
      for (int i = 0; i < 8; i++) blk[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    memcpy(t->sha_state[t->sha_n + k], st, sizeof st);
    sha256_compress(st, blk);
  }
  t->sha_n += n;
  t->rows += n * SHA256_AIR_ROWS_PER_COMP;
}

static uint64_t le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* EIP-152's input layout: rounds (4 bytes, big-endian), h (8 x 8), m
 * (16 x 8), t (2 x 8, all little-endian), f (1). */
enum { B2_INPUT_LEN = 213, B2_H = 4, B2_M = 68, B2_T = 196, B2_F = 212 };

static void b2_keep(trace_collector *c, const uint8_t *in, size_t len) {
  if (len != B2_INPUT_LEN || in[B2_F] > 1) return; /* not a successful call */
  uint32_t rounds = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
  trace_table *t = &c->t[TRACE_BLAKE2F];
  if (!b2_proven(c) || c->count_only) {
    add_rows(c, TRACE_BLAKE2F, blake2f_air_call_rows(rounds));
    return;
  }
  if (t->b2_n == t->b2_cap) {
    size_t cap = t->b2_cap ? t->b2_cap * 2 : 64;
    blake2f_air_call *nc = realloc(t->b2_calls, cap * sizeof *nc);
    if (!nc) {
      c->err = TRACE_E_NOMEM;
      return;
    }
    t->b2_calls = nc;
    t->b2_cap = cap;
  }
  blake2f_air_call *e = &t->b2_calls[t->b2_n++];
  memset(e, 0, sizeof *e);
  e->rounds = rounds;
  for (int i = 0; i < 8; i++) e->h[i] = le64(in + B2_H + 8 * i);
  for (int i = 0; i < 16; i++) e->m[i] = le64(in + B2_M + 8 * i);
  for (int i = 0; i < 2; i++) e->t[i] = le64(in + B2_T + 8 * i);
  e->f = in[B2_F];
  t->rows += blake2f_air_call_rows(rounds);
}

static void on_precompile_input(void *ctx, evm_pc_id id, const uint8_t *input, size_t len) {
  trace_collector *c = ctx;
  if (c->err) return;
  if (id == EVM_PC_SHA256 && sha_proven(c)) {
    if (c->count_only)
      add_rows(c, TRACE_SHA256, SHA256_AIR_ROWS_PER_COMP * sha256_compressions(len));
    else
      sha_keep(c, input, len);
  }
  if (id == EVM_PC_BLAKE2F) b2_keep(c, input, len);
}

static void on_sigrecover(void *ctx, evm_sig_source src) {
  (void)src;
  trace_collector *c = ctx;
  c->sig_recoveries++;
  /* sized: one row per bit of the double scalar multiplication */
  if (!ecrec_proven(c)) add_rows(c, TRACE_ECRECOVER, 256);
}

/* Proven ecrecover table: the recovery is done once here to count its
 * products (its rows), and again by trace_shard for the values. */
static void on_sigrecover_data(void *ctx, evm_sig_source src, const uint8_t hash[32], int recid, const uint8_t r[32],
                               const uint8_t s[32]) {
  (void)src;
  trace_collector *c = ctx;
  if (c->err) return;
  uint8_t pub[64];
  uint64_t muls = 0;
  if (secp_witness_recover(hash, recid, r, s, NULL, NULL, pub, &muls) == SECP_WITNESS_E_ARG || muls == 0) return;
  trace_table *t = &c->t[TRACE_ECRECOVER];
  if (t->sigrec_n == t->sigrec_cap) {
    size_t cap = t->sigrec_cap ? t->sigrec_cap * 2 : 64;
    trace_sigrec *nr = realloc(t->sigrec, cap * sizeof *nr);
    if (!nr) {
      c->err = TRACE_E_NOMEM;
      return;
    }
    t->sigrec = nr;
    t->sigrec_cap = cap;
  }
  trace_sigrec *e = &t->sigrec[t->sigrec_n];
  memcpy(e->hash, hash, 32);
  memcpy(e->r, r, 32);
  memcpy(e->s, s, 32);
  e->recid = (uint8_t)recid;
  e->muls = (uint32_t)muls;
  e->first = t->sigrec_n ? t->sigrec[t->sigrec_n - 1].first + t->sigrec[t->sigrec_n - 1].muls : 0;
  t->sigrec_n++;
  t->rows += (size_t)muls * mulmod_rows();
}

static void on_tx_start(void *ctx, size_t index) {
  trace_collector *c = ctx;
  c->tx = (uint32_t)index;
}

evm_tracer trace_tracer(trace_collector *c) {
  evm_tracer t;
  memset(&t, 0, sizeof t);
  t.ctx = c;
  t.on_step = on_step;
  t.on_memory = on_memory;
  t.on_storage = on_storage;
  t.on_keccak = on_keccak;
  if (keccak_proven(c)) t.on_keccak_data = on_keccak_data;
  t.on_arith = on_arith;
  if (arith_proven(c)) t.on_arith_values = on_arith_values;
  t.on_precompile = on_precompile;
  t.on_precompile_input = on_precompile_input; /* blake2f is sized from it too */
  t.on_sigrecover = on_sigrecover;
  if (ecrec_proven(c)) t.on_sigrecover_data = on_sigrecover_data;
  t.on_tx_start = on_tx_start;
  return t;
}

/* A transaction's signed encoding absorbed (see trace.h for the stand-in
 * when it cannot be encoded). */
static void absorb_tx(trace_collector *c, const blk_tx *tx, uint64_t chain_id) {
  uint8_t *enc = NULL;
  size_t len = 0;
  if (evm_tx_encode(tx, chain_id, &enc, &len) != 0) {
    free(enc);
    len = tx->data.len + 128;
    enc = calloc(len, 1);
    if (!enc) {
      c->err = c->err ? c->err : TRACE_E_NOMEM;
      return;
    }
    if (tx->data.len) memcpy(enc, tx->data.data, tx->data.len);
  }
  c->keccak_perms += keccak256_permutations(len);
  absorb(c, enc, len);
  free(enc);
}

void trace_add_block_witness(trace_collector *c, const blk_block *b) {
  if (keccak_proven(c) && !c->count_only) {
    for (size_t i = 0; i < b->n_codes; i++) {
      c->keccak_perms += keccak256_permutations(b->codes[i].len);
      absorb(c, b->codes[i].data, b->codes[i].len);
    }
    for (size_t i = 0; i < b->n_txs; i++) absorb_tx(c, &b->txs[i], b->env.chain_id);
    return;
  }
  uint64_t perms = 0;
  for (size_t i = 0; i < b->n_codes; i++) perms += b->codes[i].len / 136 + 1;
  for (size_t i = 0; i < b->n_txs; i++) perms += (b->txs[i].data.len + 128) / 136 + 1;
  c->keccak_perms += perms;
  add_rows(c, TRACE_KECCAK, 24 * perms);
}

int trace_finish(trace_collector *c) {
  if (c->err) return c->err;
  trace_table *t = &c->t[TRACE_CPU];
  for (size_t i = 0; i + 1 < t->rows; i++) {
    bb_t *r = t->data + i * CPU_WIDTH, *n = r + CPU_WIDTH;
    /* Rows of one frame are contiguous except where deeper frames' rows sit
     * between them, and sibling frames are always separated by their
     * caller's CALL row; so same transaction and same depth means the next
     * row continues this frame. */
    if (r[CPU_TX] != n[CPU_TX] || r[CPU_DEPTH] != n[CPU_DEPTH]) continue;
    r[CPU_SEQ] = BB_ONE;
    uint32_t op = bb_to_u32(r[CPU_OP]);
    int taken = op == OPC_JUMP || (op == OPC_JUMPI && bb_to_u32(n[CPU_PC]) != bb_to_u32(r[CPU_PC]) + 1);
    r[CPU_ISJUMP] = taken ? BB_ONE : 0;
    r[CPU_ADV] = taken ? 0 : BB_ONE;
  }
  return TRACE_OK;
}

/* A zeroed shard of the smallest power of two at least n rows, and at least
 * 2 (the STARK's minimum), of width columns: zero rows are the padding
 * every AIR here accepts. NULL when out of memory. */
static bb_t *shard_alloc(size_t n, unsigned width, unsigned *lg) {
  unsigned l = 1;
  while (((size_t)1 << l) < n) l++;
  *lg = l;
  return calloc(((size_t)1 << l) * width, sizeof(bb_t));
}

/* Permutations in one shard of the proven keccak table. */
static size_t keccak_shard_perms(unsigned log_shard) {
  size_t p = ((size_t)1 << log_shard) / KECCAK_AIR_ROWS_PER_PERM;
  return p ? p : 1;
}

/* The proven arith table's shards: instructions in order while their rows
 * fit in per, at least one a shard. arith_shard_next returns the offset in
 * arith_ops after the shard starting at byte off, and its rows in *rows. */
static size_t arith_shard_next(const trace_table *t, size_t off, size_t per, size_t *rows) {
  size_t n = 0;
  while (off < t->arith_len) {
    const uint8_t *rec = t->arith_ops + off;
    size_t r = arith_rec_rows(rec);
    if (n && n + r > per) break;
    n += r;
    off += arith_rec_len(rec[0]);
  }
  *rows = n;
  return off;
}

static int arith_table(const trace_table *t) { return t->id == TRACE_ARITH && t->air != NULL; }

/* The proven ecrecover table's shards: its products in order, as 4-row
 * MULMOD instructions cut by the arith table's rule (as many as fit in
 * 2^log_shard rows, at least one). */
static int ecrec_table(const trace_table *t) { return t->id == TRACE_ECRECOVER && t->air != NULL; }

static uint64_t ecrec_shard_muls(unsigned log_shard) {
  uint64_t p = ((uint64_t)1 << log_shard) / mulmod_rows();
  return p ? p : 1;
}

static uint64_t ecrec_total(const trace_table *t) {
  if (!t->sigrec_n) return 0;
  const trace_sigrec *l = &t->sigrec[t->sigrec_n - 1];
  return l->first + l->muls;
}

/* The proven sha256 table's shards: whole compressions. */
static int sha_table(const trace_table *t) { return t->id == TRACE_SHA256 && t->air != NULL; }

static size_t sha_shard_comps(unsigned log_shard) {
  size_t p = ((size_t)1 << log_shard) / SHA256_AIR_ROWS_PER_COMP;
  return p ? p : 1;
}

/* The proven blake2f table's shards: calls in order while their rows fit in
 * per, at least one a shard. b2_shard_next returns the index after the
 * shard starting at call i, and its rows in *rows. */
static int b2_table(const trace_table *t) { return t->id == TRACE_BLAKE2F && t->air != NULL; }

static size_t b2_shard_next(const trace_table *t, size_t i, size_t per, size_t *rows) {
  size_t n = 0;
  for (; i < t->b2_n; i++) {
    size_t r = blake2f_air_call_rows(t->b2_calls[i].rounds);
    if (n && n + r > per) break;
    n += r;
  }
  *rows = n;
  return i;
}

size_t trace_shard_count(const trace_table *t, unsigned log_shard) {
  if (sha_table(t)) {
    size_t per = sha_shard_comps(log_shard);
    return (t->sha_n + per - 1) / per;
  }
  if (b2_table(t)) {
    size_t per = (size_t)1 << log_shard, n = 0, i = 0, rows;
    while (i < t->b2_n) {
      i = b2_shard_next(t, i, per, &rows);
      n++;
    }
    return n;
  }
  if (ecrec_table(t)) {
    uint64_t per = ecrec_shard_muls(log_shard);
    return (size_t)((ecrec_total(t) + per - 1) / per);
  }
  if (arith_table(t)) {
    size_t per = (size_t)1 << log_shard, n = 0, off = 0, rows;
    while (off < t->arith_len) {
      off = arith_shard_next(t, off, per, &rows);
      n++;
    }
    return n;
  }
  if (t->keccak_in) {
    size_t per = keccak_shard_perms(log_shard);
    return (t->rows / KECCAK_AIR_ROWS_PER_PERM + per - 1) / per;
  }
  size_t per = (size_t)1 << log_shard;
  return (t->rows + per - 1) / per;
}

/* Shard k of the proven keccak table: its permutations' rows, then
 * permutations of the zero state (keccak_air_fill). */
static int keccak_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n) {
  size_t per = keccak_shard_perms(log_shard), n = t->rows / KECCAK_AIR_ROWS_PER_PERM;
  if (k >= (n + per - 1) / per) return TRACE_E_ARG;
  size_t first = k * per, cnt = n - first < per ? n - first : per;
  size_t rows = keccak_air_rows(cnt);
  if (!rows) return TRACE_E_ARG;
  bb_t *m = malloc(rows * KECCAK_AIR_WIDTH * sizeof *m);
  if (!m) return TRACE_E_NOMEM;
  if (keccak_air_fill((const uint64_t(*)[25])(t->keccak_in + first), cnt, m, rows) != 0) {
    free(m);
    return TRACE_E_ARG;
  }
  unsigned lg = 1;
  while (((size_t)1 << lg) < rows) lg++;
  *out = m;
  *log_n = lg;
  return TRACE_OK;
}

/* Shard k of the proven arith table: its instructions' rows, then zero
 * rows (the AIR's padding). */
static int arith_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n) {
  size_t per = (size_t)1 << log_shard, off = 0, end = 0, n = 0;
  for (size_t i = 0;; i++) {
    if (off >= t->arith_len) return TRACE_E_ARG;
    end = arith_shard_next(t, off, per, &n);
    if (i == k) break;
    off = end;
  }
  unsigned lg;
  bb_t *m = shard_alloc(n, ARITH_AIR_WIDTH, &lg);
  if (!m) return TRACE_E_NOMEM;
  size_t at = 0;
  for (; off < end; off += arith_rec_len(t->arith_ops[off])) {
    const uint8_t *rec = t->arith_ops + off, *w = rec + ARITH_HDR;
    const uint8_t *cw = arith_rec_len(rec[0]) == ARITH_HDR + 96 ? w + 64 : NULL;
    if (arith_air_fill(rec[0], w, w + 32, cw, m + at * ARITH_AIR_WIDTH) != 0) {
      free(m);
      return TRACE_E_ARG;
    }
    at += arith_rec_rows(rec);
  }
  *out = m;
  *log_n = lg;
  return TRACE_OK;
}

/* The air modules' status as the collector's. */
static int from_stark(int rc) { return rc == STARK_ERR_NOMEM ? TRACE_E_NOMEM : TRACE_E_ARG; }

/* Shard k of the proven sha256 table: its compressions, then compressions
 * of the zero state and block (sha256_air_fill's padding). */
static int sha_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n) {
  size_t per = sha_shard_comps(log_shard), n = t->sha_n;
  if (k >= (n + per - 1) / per) return TRACE_E_ARG;
  size_t first = k * per, cnt = n - first < per ? n - first : per;
  int rc = sha256_air_trace((const uint32_t(*)[8])(t->sha_state + first),
                            (const uint8_t(*)[64])(t->sha_block + first), cnt, out, log_n);
  return rc == 0 ? TRACE_OK : from_stark(rc);
}

/* Shard k of the proven blake2f table: its calls, then zero rows. */
static int b2_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n) {
  size_t per = (size_t)1 << log_shard, i = 0, end = 0, n = 0;
  for (size_t s = 0;; s++) {
    if (i >= t->b2_n) return TRACE_E_ARG;
    end = b2_shard_next(t, i, per, &n);
    if (s == k) break;
    i = end;
  }
  if (blake2f_air_rows(t->b2_calls + i, end - i) == 0) return TRACE_E_RANGE;
  int rc = blake2f_air_trace(t->b2_calls + i, end - i, out, log_n);
  return rc == 0 ? TRACE_OK : from_stark(rc);
}

/* Filling a proven ecrecover shard: the products of a recovery come in
 * order, numbered from its first; those in [lo, hi) become rows. */
typedef struct {
  bb_t *m;
  uint64_t lo, hi, at;
  int err;
} ecrec_fill;

static void ecrec_put(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t mod[32]) {
  ecrec_fill *f = ctx;
  uint64_t i = f->at++;
  if (i < f->lo || i >= f->hi) return;
  bb_t *rows = f->m + (size_t)(i - f->lo) * mulmod_rows() * ARITH_AIR_WIDTH;
  if (arith_air_fill(OPC_MULMOD, a, b, mod, rows) != 0) f->err = 1;
}

/* Shard k of the proven ecrecover table: the recoveries it overlaps are
 * redone (a recovery's products are the same every time: the collector
 * counted them), then zero rows. */
static int ecrec_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n) {
  uint64_t per = ecrec_shard_muls(log_shard), total = ecrec_total(t);
  if (k >= (total + per - 1) / per) return TRACE_E_ARG;
  ecrec_fill f = {NULL, (uint64_t)k * per, 0, 0, 0};
  f.hi = total - f.lo < per ? total : f.lo + per;
  unsigned lg;
  f.m = shard_alloc((size_t)(f.hi - f.lo) * mulmod_rows(), ARITH_AIR_WIDTH, &lg);
  if (!f.m) return TRACE_E_NOMEM;
  /* the first recovery whose products reach past lo */
  size_t a = 0, b = t->sigrec_n;
  while (a < b) {
    size_t mid = a + (b - a) / 2;
    if (t->sigrec[mid].first + t->sigrec[mid].muls <= f.lo)
      a = mid + 1;
    else
      b = mid;
  }
  for (size_t j = a; j < t->sigrec_n && t->sigrec[j].first < f.hi && !f.err; j++) {
    const trace_sigrec *e = &t->sigrec[j];
    uint8_t pub[64];
    uint64_t muls = 0;
    f.at = e->first;
    secp_witness_recover(e->hash, e->recid, e->r, e->s, ecrec_put, &f, pub, &muls);
    if (muls != e->muls) f.err = 1;
  }
  if (f.err) {
    free(f.m);
    return TRACE_E_ARG;
  }
  *out = f.m;
  *log_n = lg;
  return TRACE_OK;
}

int trace_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n) {
  *out = NULL;
  if (log_shard < 1) return TRACE_E_ARG;
  if (arith_table(t)) return arith_shard(t, log_shard, k, out, log_n);
  if (ecrec_table(t)) return ecrec_shard(t, log_shard, k, out, log_n);
  if (sha_table(t)) return sha_shard(t, log_shard, k, out, log_n);
  if (b2_table(t)) return b2_shard(t, log_shard, k, out, log_n);
  if (t->keccak_in) return keccak_shard(t, log_shard, k, out, log_n);
  if (!t->data || t->width == 0) return TRACE_E_ARG;
  size_t per = (size_t)1 << log_shard;
  size_t start = k * per;
  if (start >= t->rows) return TRACE_E_ARG;
  size_t n = t->rows - start < per ? t->rows - start : per;
  unsigned lg;
  bb_t *m = shard_alloc(n, t->width, &lg);
  if (!m) return TRACE_E_NOMEM;
  memcpy(m, t->data + start * t->width, n * t->width * sizeof *m);
  /* The shard's last real row has no successor inside the shard: its
   * look-ahead columns are cleared so the shard stands alone. Padding rows
   * are all zero, which every AIR here accepts. */
  bb_t *last = m + (n - 1) * t->width;
  if (t->id == TRACE_CPU) {
    last[CPU_SEQ] = 0;
    last[CPU_ISJUMP] = 0;
    last[CPU_ADV] = 0;
  }
  if (t->id == TRACE_MEMORY) m[MEM_CONT] = 0; /* first row starts an access */
  *out = m;
  *log_n = lg;
  return TRACE_OK;
}
