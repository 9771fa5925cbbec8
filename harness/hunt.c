/* hunt: evolutionary search for blocks that cost the most to prove per gas
 * (see hunt.h).
 *
 * Hot path: hunt_eval runs once per candidate. It builds the block, executes
 * it with a counting collector (rows only, nothing stored) and applies the
 * cost model, so an evaluation costs about one plain execution of the block.
 */
#include "hunt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "evm/evm.h"
#include "gen.h"
#include "runner.h"
#include "trace/trace.h"

enum {
#define EVM_OP(name, code, in, out, gas, fork, cls) OP_##name = code,
#include "evm/opcodes.def"
#undef EVM_OP
};

/* Memory layout the patterns share: [0, 0x8020) scratch for hashing and
 * copies, precompile inputs copied from the code at DATA_AT by the set-up. */
#define DATA_AT 0xa000
#define MODEXP_AT DATA_AT
#define BLAKE_AT (DATA_AT + 320)
#define DATA_LEN (320 + 213)

typedef struct {
  const char *name;
  uint8_t len;
  uint8_t code[40];
} pattern;

/* Every pattern leaves the stack as deep as it found it (the set-up pushes 17
 * operands, so DUP3 and SWAP16 always have theirs). Most also leave the
 * values as they were, so every iteration works on the set-up's operand
 * widths, as the worst-case generators do; the "_dense" forms fold the
 * result into the top operand (DUP2 OP: one DUP per operation instead of
 * two DUPs and a POP), so the operands drift but the instructions per gas
 * rise, which is what a prover whose rows per instruction do not depend on
 * the values pays for. */
static const pattern patterns[] = {
    {"mulmod", 5, {OP_DUP3, OP_DUP3, OP_DUP3, OP_MULMOD, OP_POP}},
    {"addmod", 5, {OP_DUP3, OP_DUP3, OP_DUP3, OP_ADDMOD, OP_POP}},
    {"mul", 4, {OP_DUP2, OP_DUP2, OP_MUL, OP_POP}},
    {"div", 4, {OP_DUP2, OP_DUP2, OP_DIV, OP_POP}},
    {"sdiv", 4, {OP_DUP2, OP_DUP2, OP_SDIV, OP_POP}},
    {"mod", 4, {OP_DUP2, OP_DUP2, OP_MOD, OP_POP}},
    {"exp", 4, {OP_DUP2, OP_DUP2, OP_EXP, OP_POP}},
    {"add", 4, {OP_DUP2, OP_DUP2, OP_ADD, OP_POP}},
    {"shl", 4, {OP_DUP2, OP_DUP2, OP_SHL, OP_POP}},
    {"keccak_8159", 6, {OP_PUSH2, 0x1f, 0xdf, OP_PUSH0, OP_KECCAK256, OP_POP}},
    {"keccak_32", 5, {OP_PUSH1, 0x20, OP_PUSH0, OP_KECCAK256, OP_POP}},
    {"jumpdest", 1, {OP_JUMPDEST}},
    {"swap16", 1, {OP_SWAP16}},
    {"push32", 34, {OP_PUSH32, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf6, 0xf5, 0xf4, 0xf3, 0xf2,
                    0xf1, 0xf0, 0xef, 0xee, 0xed, 0xec, 0xeb, 0xea, 0xe9, 0xe8, 0xe7, 0xe6, 0xe5, 0xe4, 0xe3, 0xe2,
                    0xe1, 0xe0, OP_POP}},
    {"mcopy_32k", 7, {OP_PUSH2, 0x80, 0x00, OP_PUSH0, OP_PUSH1, 0x20, OP_MCOPY}},
    {"mstore", 3, {OP_DUP1, OP_PUSH0, OP_MSTORE}},
    {"calldataload", 3, {OP_PUSH0, OP_CALLDATALOAD, OP_POP}},
    {"sload_cold", 3, {OP_GAS, OP_SLOAD, OP_POP}},
    {"sstore_new", 3, {OP_GAS, OP_DUP1, OP_SSTORE}},
    {"tstore", 3, {OP_GAS, OP_DUP1, OP_TSTORE}},
    {"balance_cold", 3, {OP_GAS, OP_BALANCE, OP_POP}},
    {"extcodesize_cold", 3, {OP_GAS, OP_EXTCODESIZE, OP_POP}},
    {"sha256_4k", 14, {OP_PUSH1, 0x20, OP_PUSH2, 0x10, 0x00, OP_PUSH2, 0x10, 0x00, OP_PUSH0, OP_PUSH1, 0x02, OP_GAS,
                       OP_STATICCALL, OP_POP}},
    /* 32 KiB of input to an empty account (0x0100): no per-byte gas, every input word read */
    {"call_input_32k", 12, {OP_PUSH0, OP_PUSH0, OP_PUSH2, 0x80, 0x00, OP_PUSH0, OP_PUSH2, 0x01, 0x00, OP_GAS,
                            OP_STATICCALL, OP_POP}},
    {"identity_4k", 13, {OP_PUSH0, OP_PUSH2, 0x10, 0x00, OP_PUSH2, 0x10, 0x00, OP_PUSH0, OP_PUSH1, 0x04, OP_GAS,
                         OP_STATICCALL, OP_POP}},
    {"modexp_even", 15, {OP_PUSH1, 0x08, OP_PUSH2, (MODEXP_AT + 0x100) >> 8, (MODEXP_AT + 0x100) & 0xff, OP_PUSH1,
                         224, OP_PUSH2, MODEXP_AT >> 8, MODEXP_AT & 0xff, OP_PUSH1, 0x05, OP_GAS, OP_STATICCALL, OP_POP}},
    {"blake2f", 16, {OP_PUSH1, 0x40, OP_PUSH2, (BLAKE_AT + 0x100) >> 8, (BLAKE_AT + 0x100) & 0xff, OP_PUSH2, 0x00,
                     213, OP_PUSH2, BLAKE_AT >> 8, BLAKE_AT & 0xff, OP_PUSH1, 0x09, OP_GAS, OP_STATICCALL, OP_POP}},
    {"mulmod_dense", 3, {OP_DUP3, OP_DUP3, OP_MULMOD}},
    {"addmod_dense", 3, {OP_DUP3, OP_DUP3, OP_ADDMOD}},
    {"sdiv_dense", 2, {OP_DUP2, OP_SDIV}},
    {"div_dense", 2, {OP_DUP2, OP_DIV}},
    {"smod_dense", 2, {OP_DUP2, OP_SMOD}},
    {"mul_dense", 2, {OP_DUP2, OP_MUL}},
};
#define N_PATTERNS (sizeof patterns / sizeof patterns[0])

size_t hunt_pattern_count(void) { return N_PATTERNS; }
const char *hunt_pattern_name(size_t i) { return i < N_PATTERNS ? patterns[i].name : NULL; }

hunt_opts hunt_opts_default(void) {
  hunt_opts o;
  memset(&o, 0, sizeof o);
  o.eval_gas = 2000000;
  o.fork = BLK_FORK_OSAKA;
  o.seed = 1;
  o.population = 32;
  o.use_sized = 0;
  o.block_share = 0.5;
  o.seed_generators = 1;
  o.trace_opts = RUN_DEFAULT_TRACE_OPTS;
  o.profile = model_profile_default();
  return o;
}

void hunt_describe(const hunt_genome *g, char *buf, size_t len) {
  size_t k = 0;
  buf[0] = 0;
  for (unsigned i = 0; i < g->n && k + 1 < len; i++) {
    unsigned run = 1;
    while (i + run < g->n && g->pat[i + run] == g->pat[i]) run++;
    int w = run > 1 ? snprintf(buf + k, len - k, "%s%s x%u", i ? ", " : "", patterns[g->pat[i]].name, run)
                    : snprintf(buf + k, len - k, "%s%s", i ? ", " : "", patterns[g->pat[i]].name);
    if (w < 0) break;
    k += (size_t)w < len - k ? (size_t)w : len - k - 1;
    i += run - 1;
  }
  if (k + 1 < len) snprintf(buf + k, len - k, " (unroll %u)", g->unroll);
}

/* Contract code: set-up (17 operands, precompile inputs to memory), the loop,
 * then the data CODECOPY reads. */
static size_t build_code(const hunt_genome *g, uint8_t *code, size_t cap) {
  size_t n = 0;
#define PUT(b) (n < cap ? (void)(code[n++] = (uint8_t)(b)) : (void)0)
  for (int k = 0; k < 17; k++) {
    PUT(OP_PUSH32);
    for (int i = 0; i < 32; i++) PUT(i == 0 ? 0x40 | (k * 7) : i == 31 ? (0x11 * k) | 1 : 0xa5 ^ (i * 29) ^ k);
  }
  PUT(OP_PUSH2);
  PUT(DATA_LEN >> 8);
  PUT(DATA_LEN & 0xff);
  size_t patch = n;
  PUT(OP_PUSH2);
  PUT(0);
  PUT(0);
  PUT(OP_PUSH2);
  PUT(DATA_AT >> 8);
  PUT(DATA_AT & 0xff);
  PUT(OP_CODECOPY);
  size_t head = n;
  PUT(OP_JUMPDEST);
  for (unsigned u = 0; u < g->unroll; u++)
    for (unsigned i = 0; i < g->n; i++)
      for (unsigned b = 0; b < patterns[g->pat[i]].len; b++) PUT(patterns[g->pat[i]].code[b]);
  PUT(OP_PUSH2);
  PUT(head >> 8);
  PUT(head & 0xff);
  PUT(OP_JUMP);
  size_t data = n;
  if (patch + 2 < cap) {
    code[patch + 1] = (uint8_t)(data >> 8);
    code[patch + 2] = (uint8_t)data;
  }
  /* modexp: 8-byte base and even modulus, 112-byte exponent */
  uint8_t mx[320] = {0};
  mx[31] = 8;
  mx[63] = 112;
  mx[95] = 8;
  for (int i = 0; i < 8; i++) mx[96 + i] = (uint8_t)(0xf1 - i);
  for (int i = 0; i < 112; i++) mx[104 + i] = (uint8_t)(0xff - (i & 7));
  for (int i = 0; i < 8; i++) mx[216 + i] = (uint8_t)(0xe2 + i * 6);
  for (int i = 0; i < 320; i++) PUT(mx[i]);
  /* blake2f: 2000 rounds, final block */
  uint8_t bl[213] = {0};
  bl[2] = 0x07;
  bl[3] = 0xd0;
  for (int i = 4; i < 212; i++) bl[i] = (uint8_t)(i * 3);
  bl[212] = 1;
  for (int i = 0; i < 213; i++) PUT(bl[i]);
#undef PUT
  return n;
}

#define CODE_CAP 65536

int hunt_build(const hunt_genome *g, uint64_t gas, blk_fork fork, blk_block *out) {
  memset(out, 0, sizeof *out);
  if (g->n == 0 || g->n > HUNT_MAX_BODY || g->unroll == 0) return HUNT_E_ARG;
  for (unsigned i = 0; i < g->n; i++)
    if (g->pat[i] >= N_PATTERNS) return HUNT_E_ARG;
  uint8_t *code = malloc(CODE_CAP);
  if (!code) return HUNT_E_NOMEM;
  size_t n = build_code(g, code, CODE_CAP);
  if (n >= CODE_CAP) {
    free(code);
    return HUNT_E_ARG;
  }
  gen_params p = {gas, fork, 0};
  int rc = gen_contract_block(&p, code, n, 0, out);
  free(code);
  return rc == GEN_OK ? HUNT_OK : rc == GEN_E_NOMEM ? HUNT_E_NOMEM : HUNT_E_ARG;
}

int hunt_eval_block(const hunt_opts *o, const blk_block *b, hunt_score *s) {
  memset(s, 0, sizeof *s);
  trace_collector c;
  trace_init_opts(&c, b->env.fork, o->trace_opts);
  c.count_only = 1; /* rows only; a proven arith table still keeps its operands, to size its rows */
  evm_tracer tr = trace_tracer(&c);
  /* the cpu table has one row per instruction: the executor's step count gives
   * it without a callback per instruction (the cycles profile needs them) */
  if (!o->cycles) tr.on_step = NULL;
  /* one execution feeds both objectives: the cycles tracer forwards to the rows counter */
  cycles_acc ca;
  cycles_acc_init(&ca);
  cycles_tee tee = {&ca, &tr};
  evm_tracer tt = o->cycles ? cycles_tracer_tee(&tee) : tr;
  if (o->cycles) cycles_acc_add_block(&ca, b);
  evm_block_result res;
  int erc = evm_execute_block(b, &tt, &res);
  s->gas_used = res.gas_used;
  if (!o->cycles) c.t[TRACE_CPU].rows = (size_t)res.steps;
  evm_block_result_free(&res);
  trace_add_block_witness(&c, b);
  if (erc != EVM_OK) {
    trace_free(&c);
    return HUNT_E_EXEC;
  }
  uint64_t rows[TRACE_COUNT];
  trace_estimate_rows(&c, rows);
  trace_free(&c);
  model_estimate e;
  model_estimate_rows_smooth_opts(&o->profile, rows, o->profile.log_shard, o->trace_opts, &e);
  s->estimate_ms = o->use_sized ? e.total_ms : e.proven_ms;
  s->ms_per_mgas = s->gas_used ? s->estimate_ms / ((double)s->gas_used / 1e6) : 0;
  if (o->cycles && s->gas_used) s->cycles_per_gas = cycles_total(o->cycles, &ca) / (double)s->gas_used;
  return HUNT_OK;
}

int hunt_eval(const hunt_opts *o, const hunt_genome *g, hunt_score *s) {
  memset(s, 0, sizeof *s);
  blk_block b;
  int rc = hunt_build(g, o->eval_gas, o->fork, &b);
  if (rc != HUNT_OK) return rc;
  rc = hunt_eval_block(o, &b, s);
  blk_free(&b);
  return rc;
}

/* ---- search ---- */

static uint64_t rnd(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static unsigned below(uint64_t *s, unsigned n) { return (unsigned)(rnd(s) % n); }

/* Keep the unrolled body within the contract size limit of EIP-170. */
static void clamp(hunt_genome *g) {
  size_t body = 0;
  for (unsigned i = 0; i < g->n; i++) body += patterns[g->pat[i]].len;
  if (g->unroll < 1) g->unroll = 1;
  if (g->unroll > 4096) g->unroll = 4096;
  while (g->unroll > 1 && body * g->unroll > 20000) g->unroll--;
}

static void mutate(hunt_genome *g, uint64_t *s) {
  unsigned ops = 1 + below(s, 2);
  for (unsigned k = 0; k < ops; k++) {
    switch (below(s, 5)) {
      case 0: /* insert */
        if (g->n < HUNT_MAX_BODY) {
          unsigned at = below(s, g->n + 1);
          memmove(g->pat + at + 1, g->pat + at, g->n - at);
          g->pat[at] = (uint8_t)below(s, N_PATTERNS);
          g->n++;
        }
        break;
      case 1: /* delete */
        if (g->n > 1) {
          unsigned at = below(s, g->n);
          memmove(g->pat + at, g->pat + at + 1, g->n - at - 1);
          g->n--;
        }
        break;
      case 2: /* replace */
        g->pat[below(s, g->n)] = (uint8_t)below(s, N_PATTERNS);
        break;
      case 3: /* duplicate a pattern in place */
        if (g->n < HUNT_MAX_BODY) {
          unsigned at = below(s, g->n);
          memmove(g->pat + at + 1, g->pat + at, g->n - at);
          g->n++;
        }
        break;
      default: /* unroll */
        g->unroll = below(s, 2) ? g->unroll * 2 : (g->unroll + 1) / 2;
    }
  }
  clamp(g);
}

static hunt_genome crossover(const hunt_genome *a, const hunt_genome *b, uint64_t *s) {
  hunt_genome c;
  unsigned ca = below(s, a->n + 1), cb = below(s, b->n + 1);
  c.n = 0;
  for (unsigned i = 0; i < ca && c.n < HUNT_MAX_BODY; i++) c.pat[c.n++] = a->pat[i];
  for (unsigned i = cb; i < b->n && c.n < HUNT_MAX_BODY; i++) c.pat[c.n++] = b->pat[i];
  if (c.n == 0) c.pat[c.n++] = a->pat[0];
  c.unroll = below(s, 2) ? a->unroll : b->unroll;
  clamp(&c);
  return c;
}

typedef struct {
  hunt_genome g;
  hunt_score s;
} member;

/* The objective: cycles per gas when a zkVM profile is given, else the
 * estimated proving time per gas. */
static double objective(const hunt_score *s) { return s->cycles_per_gas > 0 ? s->cycles_per_gas : s->ms_per_mgas; }

double hunt_objective(const hunt_score *s) { return objective(s); }

static int better(const hunt_score *x, const hunt_score *y) { return objective(x) > objective(y); }

static int same_body(const hunt_genome *a, const hunt_genome *b) {
  return a->n == b->n && memcmp(a->pat, b->pat, a->n) == 0;
}

/* The best members with distinct bodies, best first, appended to the
 * result's candidates (selection by repeated maximum: the population is small). */
static void collect_top(const member *pop, unsigned np, hunt_result *r) {
  unsigned first = r->n_top;
  while (r->n_top < HUNT_TOP) {
    const member *pick = NULL;
    for (unsigned i = 0; i < np; i++) {
      int seen = 0;
      for (unsigned k = first; k < r->n_top && !seen; k++) seen = same_body(&pop[i].g, &r->top[k].g);
      if (seen || pop[i].s.gas_used == 0) continue;
      if (!pick || better(&pop[i].s, &pick->s)) pick = &pop[i];
    }
    if (!pick) break;
    hunt_candidate *t = &r->top[r->n_top++];
    memset(t, 0, sizeof *t);
    t->g = pick->g;
    t->s = pick->s;
    snprintf(t->how, sizeof t->how, "genome search");
  }
}

/* ---- block phase ---- */

typedef struct {
  blk_block b;
  hunt_score s;
  char how[160];
  char hash[65];
} bmember;

static int block_copy(const blk_block *src, blk_block *dst) {
  uint8_t *enc;
  size_t n;
  memset(dst, 0, sizeof *dst);
  if (blk_encode(src, &enc, &n) != BLK_OK) return HUNT_E_NOMEM;
  int rc = blk_decode(enc, n, dst, NULL);
  free(enc);
  return rc == BLK_OK ? HUNT_OK : HUNT_E_NOMEM;
}

int hunt_resize_block(const blk_block *b, uint64_t gas, int keep_tx_gas, blk_block *out) {
  int rc = block_copy(b, out);
  if (rc != HUNT_OK) return rc;
  mut_opts mo = mut_opts_default();
  mo.keep_tx_gas = keep_tx_gas;
  int mrc = mut_resize(out, gas, &mo);
  if (mrc != MUT_OK) {
    blk_free(out);
    return mrc == MUT_E_NOMEM ? HUNT_E_NOMEM : HUNT_E_ARG;
  }
  return HUNT_OK;
}

int hunt_rebuild_block(const hunt_opts *o, const blk_block *b, uint64_t gas, blk_block *out, hunt_score *s,
                       int *kept_gas) {
  blk_block way[2];
  hunt_score sc[2];
  int ok[2];
  for (int k = 0; k < 2; k++) {
    ok[k] = hunt_resize_block(b, gas, k, &way[k]) == HUNT_OK;
    if (ok[k] && hunt_eval_block(o, &way[k], &sc[k]) != HUNT_OK) {
      blk_free(&way[k]);
      ok[k] = 0;
    }
  }
  if (!ok[0] && !ok[1]) return HUNT_E_ARG;
  int pick = !ok[0] || (ok[1] && hunt_objective(&sc[1]) > hunt_objective(&sc[0]));
  if (ok[!pick]) blk_free(&way[!pick]);
  *out = way[pick];
  *s = sc[pick];
  *kept_gas = pick;
  return HUNT_OK;
}

/* Add a block to the population if it evaluates (takes ownership of *b). */
static int badd(const hunt_opts *o, bmember *pop, unsigned *n, unsigned cap, blk_block *b, const char *how,
                hunt_result *r, double *exec_gas) {
  if (*n >= cap) {
    blk_free(b);
    return HUNT_OK;
  }
  bmember *m = &pop[*n];
  int rc = hunt_eval_block(o, b, &m->s);
  r->evals++;
  r->block_evals++;
  if (rc != HUNT_OK || m->s.gas_used == 0) {
    blk_free(b);
    return rc == HUNT_E_NOMEM ? rc : HUNT_OK;
  }
  *exec_gas += (double)m->s.gas_used;
  m->b = *b;
  memset(b, 0, sizeof *b);
  snprintf(m->how, sizeof m->how, "%s", how);
  blk_content_hash(&m->b, m->hash);
  (*n)++;
  return HUNT_OK;
}

static int out_of_budget(const hunt_opts *o, double t0, double seconds, uint64_t evals, uint64_t max_evals) {
  if (o->seconds > 0) return (bench_now_ms() - t0) / 1e3 >= seconds;
  return evals >= max_evals;
}

/* The block phase: seeds, then tournament selection, mutation and crossover
 * with the structure-aware mutator, replacing the worst member. */
static int block_phase(const hunt_opts *o, hunt_result *r, uint64_t *s, double t0, double seconds,
                       uint64_t max_evals, double *exec_gas, double *last) {
  unsigned cap = 16 + (unsigned)gen_scenario_count() + (unsigned)o->n_seed_blocks + HUNT_TOP;
  bmember *pop = calloc(cap, sizeof *pop);
  if (!pop) return HUNT_E_NOMEM;
  unsigned n = 0;
  int rc = HUNT_OK;
  char how[160];
  for (unsigned i = 0; i < r->n_top && rc == HUNT_OK; i++) {
    blk_block b;
    if (r->top[i].is_block || hunt_build(&r->top[i].g, o->eval_gas, o->fork, &b) != HUNT_OK) continue;
    char d[128];
    hunt_describe(&r->top[i].g, d, sizeof d);
    snprintf(how, sizeof how, "mutated from the genome %s", d);
    rc = badd(o, pop, &n, cap, &b, how, r, exec_gas);
  }
  gen_params gp = {o->eval_gas, o->fork, 0};
  for (size_t i = 0; o->seed_generators && i < gen_scenario_count() && rc == HUNT_OK; i++) {
    blk_block b;
    if (gen_worst_case(gen_scenario_name(i), &gp, &b) != GEN_OK) continue;
    snprintf(how, sizeof how, "mutated from the generator %s", gen_scenario_name(i));
    rc = badd(o, pop, &n, cap, &b, how, r, exec_gas);
  }
  for (size_t i = 0; i < o->n_seed_blocks && rc == HUNT_OK; i++) {
    blk_block b;
    if (hunt_resize_block(&o->seed_blocks[i], o->eval_gas, 0, &b) != HUNT_OK) continue;
    snprintf(how, sizeof how, "mutated from seed block %zu", i);
    rc = badd(o, pop, &n, cap, &b, how, r, exec_gas);
  }
  mut_opts mo = mut_opts_default();
  mut_rng mr;
  mut_rng_seed(&mr, *s);
  while (rc == HUNT_OK && n >= 2 && !out_of_budget(o, t0, seconds, r->evals, max_evals)) {
    unsigned pa = (unsigned)below(s, n), pb = (unsigned)below(s, n);
    for (int k = 0; k < 2; k++) {
      unsigned x = below(s, n), y = below(s, n);
      if (better(&pop[x].s, &pop[pa].s)) pa = x;
      if (better(&pop[y].s, &pop[pb].s)) pb = y;
    }
    blk_block child;
    if (block_copy(&pop[pa].b, &child) != HUNT_OK) {
      rc = HUNT_E_NOMEM;
      break;
    }
    int cross = pa != pb && below(s, 3) == 0;
    int mrc = cross ? mut_crossover_decoded(&child, &pop[pb].b, &mr, &mo) : mut_block_decoded(&child, &mr, &mo);
    if (mrc == MUT_E_NOMEM) {
      blk_free(&child);
      rc = HUNT_E_NOMEM;
      break;
    }
    hunt_score cs;
    int erc = hunt_eval_block(o, &child, &cs);
    r->evals++;
    r->block_evals++;
    if (erc == HUNT_OK) *exec_gas += (double)cs.gas_used;
    unsigned worst = 0;
    for (unsigned i = 1; i < n; i++)
      if (better(&pop[worst].s, &pop[i].s)) worst = i;
    char ch[65];
    if (erc == HUNT_OK && cs.gas_used && better(&cs, &pop[worst].s) && blk_content_hash(&child, ch) == BLK_OK) {
      int dup = 0;
      for (unsigned i = 0; i < n && !dup; i++) dup = strcmp(pop[i].hash, ch) == 0;
      if (!dup) {
        /* the lineage: the parent's origin stays, the first mutation says so */
        snprintf(how, sizeof how, "%s", pop[pa].how);
        blk_free(&pop[worst].b);
        pop[worst].b = child;
        pop[worst].s = cs;
        memcpy(pop[worst].hash, ch, sizeof ch);
        memcpy(pop[worst].how, how, sizeof how);
        memset(&child, 0, sizeof child);
      }
    }
    blk_free(&child);
    double now = bench_now_ms();
    if (o->progress && now - *last >= 1000) {
      *last = now;
      unsigned bi = 0;
      for (unsigned i = 1; i < n; i++)
        if (better(&pop[i].s, &pop[bi].s)) bi = i;
      hunt_genome none = {{0}, 0, 0};
      o->progress(o->progress_ctx, r->evals, (now - t0) / 1e3, &pop[bi].s, &none);
    }
  }
  /* merge: the best blocks join the genome candidates; keep the HUNT_TOP best */
  for (unsigned taken = 0; rc == HUNT_OK && taken < HUNT_TOP; taken++) {
    /* one block per lineage (origin), so the finalists differ */
    int pick = -1;
    for (unsigned i = 0; i < n; i++) {
      int taken_origin = 0;
      for (unsigned k = 0; k < r->n_top && !taken_origin; k++)
        taken_origin = r->top[k].is_block && strcmp(r->top[k].how, pop[i].how) == 0;
      if (pop[i].b.txs && !taken_origin && (pick < 0 || better(&pop[i].s, &pop[pick].s))) pick = (int)i;
    }
    if (pick < 0) break;
    /* the slot: a free one, or the worst candidate if this block beats it */
    unsigned slot = r->n_top;
    if (slot == HUNT_TOP) {
      slot = 0;
      for (unsigned i = 1; i < r->n_top; i++)
        if (better(&r->top[slot].s, &r->top[i].s)) slot = i;
      if (!better(&pop[pick].s, &r->top[slot].s)) break;
      if (r->top[slot].is_block) blk_free(&r->top[slot].b);
    } else {
      r->n_top++;
    }
    hunt_candidate *t = &r->top[slot];
    memset(t, 0, sizeof *t);
    t->is_block = 1;
    t->b = pop[pick].b;
    t->s = pop[pick].s;
    memcpy(t->how, pop[pick].how, sizeof t->how);
    memset(&pop[pick].b, 0, sizeof pop[pick].b);
  }
  for (unsigned i = 0; i < n; i++) blk_free(&pop[i].b);
  free(pop);
  /* best first */
  for (unsigned i = 1; i < r->n_top; i++)
    for (unsigned j = i; j > 0 && better(&r->top[j].s, &r->top[j - 1].s); j--) {
      hunt_candidate t = r->top[j];
      r->top[j] = r->top[j - 1];
      r->top[j - 1] = t;
    }
  return rc;
}

void hunt_result_free(hunt_result *r) {
  if (!r) return;
  for (unsigned i = 0; i < r->n_top; i++)
    if (r->top[i].is_block) blk_free(&r->top[i].b);
  r->n_top = 0;
}

int hunt_run(const hunt_opts *o, hunt_result *r) {
  memset(r, 0, sizeof *r);
  unsigned np = o->population ? o->population : 32;
  if (np < 4 || np > 1024 || o->eval_gas < 100000 || !(o->block_share >= 0 && o->block_share <= 0.9))
    return HUNT_E_ARG;
  member *pop = calloc(np, sizeof *pop);
  if (!pop) return HUNT_E_NOMEM;
  uint64_t s = o->seed * 0x9e3779b97f4a7c15ull + 1;
  double t0 = bench_now_ms(), last = t0, exec_gas = 0;
  /* the genome phase's share of the budget */
  double g_seconds = o->seconds * (1 - o->block_share);
  uint64_t g_evals = o->max_evals ? (uint64_t)((double)o->max_evals * (1 - o->block_share)) : 0;
  if (o->max_evals && g_evals < np) g_evals = np;
  int rc = HUNT_OK;
  /* Seeds: each pattern alone (what the scenario generators do), then random mixes. */
  for (unsigned i = 0; i < np && rc == HUNT_OK; i++) {
    hunt_genome *g = &pop[i].g;
    if (i < N_PATTERNS) {
      g->n = 1;
      g->pat[0] = (uint8_t)i;
      g->unroll = 16;
    } else {
      g->n = 1 + below(&s, 4);
      for (unsigned k = 0; k < g->n; k++) g->pat[k] = (uint8_t)below(&s, N_PATTERNS);
      g->unroll = 1u << below(&s, 6);
    }
    clamp(g);
    rc = hunt_eval(o, g, &pop[i].s);
    r->evals++;
    exec_gas += (double)pop[i].s.gas_used;
  }
  size_t best = 0;
  for (unsigned i = 1; i < np; i++)
    if (better(&pop[i].s, &pop[best].s)) best = i;
  while (rc == HUNT_OK) {
    double now = bench_now_ms();
    if (o->seconds > 0 && (now - t0) / 1e3 >= g_seconds) break;
    if (o->max_evals && r->evals >= g_evals) break;
    if (o->seconds <= 0 && !o->max_evals) break;
    /* tournaments of three */
    size_t pa = below(&s, np), pb = below(&s, np);
    for (int k = 0; k < 2; k++) {
      size_t x = below(&s, np), y = below(&s, np);
      if (better(&pop[x].s, &pop[pa].s)) pa = x;
      if (better(&pop[y].s, &pop[pb].s)) pb = y;
    }
    member child;
    child.g = below(&s, 2) ? crossover(&pop[pa].g, &pop[pb].g, &s) : pop[pa].g;
    mutate(&child.g, &s);
    int erc = hunt_eval(o, &child.g, &child.s);
    r->evals++;
    if (erc == HUNT_E_NOMEM) {
      rc = erc;
      break;
    }
    if (erc != HUNT_OK) continue; /* a candidate the executor rejects is simply not kept */
    exec_gas += (double)child.s.gas_used;
    size_t worst = 0;
    for (unsigned i = 1; i < np; i++)
      if (better(&pop[worst].s, &pop[i].s)) worst = i;
    if (better(&child.s, &pop[worst].s)) {
      pop[worst] = child;
      if (better(&child.s, &pop[best].s)) best = worst;
    }
    if (o->progress && now - last >= 1000) {
      last = now;
      o->progress(o->progress_ctx, r->evals, (now - t0) / 1e3, &pop[best].s, &pop[best].g);
    }
  }
  collect_top(pop, np, r);
  r->best = r->n_top ? r->top[0].g : pop[best].g;
  r->best_score = r->n_top ? r->top[0].s : pop[best].s;
  free(pop);
  if (rc == HUNT_OK && o->block_share > 0 && (o->seconds > 0 || o->max_evals))
    rc = block_phase(o, r, &s, t0, o->seconds, o->max_evals, &exec_gas, &last);
  r->seconds = (bench_now_ms() - t0) / 1e3;
  r->evals_per_s = r->seconds > 0 ? (double)r->evals / r->seconds : 0;
  r->gas_per_s = r->seconds > 0 ? (uint64_t)(exec_gas / r->seconds) : 0;
  if (o->progress) o->progress(o->progress_ctx, r->evals, r->seconds, &r->top[0].s, r->top[0].is_block ? NULL : &r->top[0].g);
  if (rc != HUNT_OK) hunt_result_free(r);
  return rc;
}

int hunt_minimise(const hunt_opts *o, hunt_genome *g, hunt_score *s) {
  int rc = hunt_eval(o, g, s);
  if (rc != HUNT_OK) return rc;
  for (unsigned i = 0; i < g->n && g->n > 1;) {
    hunt_genome t = *g;
    memmove(t.pat + i, t.pat + i + 1, t.n - i - 1);
    t.n--;
    hunt_score ts;
    if (hunt_eval(o, &t, &ts) == HUNT_OK && objective(&ts) >= 0.99 * objective(s)) {
      *g = t;
      *s = ts;
    } else {
      i++;
    }
  }
  return HUNT_OK;
}

int hunt_minimise_block(const hunt_opts *o, blk_block *b, hunt_score *s) {
  int rc = hunt_eval_block(o, b, s);
  if (rc != HUNT_OK) return rc;
  mut_opts mo = mut_opts_default();
  for (size_t i = b->n_txs; i-- > 0 && b->n_txs > 1;) {
    blk_block keep;
    if (block_copy(b, &keep) != HUNT_OK) return HUNT_E_NOMEM;
    /* drop transaction i (the fix-up renumbers nonces and re-fits balances) */
    mut_drop_tx(&keep, i);
    hunt_score ts;
    int ok = mut_fixup(&keep, &mo) == MUT_OK && hunt_eval_block(o, &keep, &ts) == HUNT_OK && ts.gas_used &&
             objective(&ts) >= 0.99 * objective(s);
    if (ok) {
      blk_free(b);
      *b = keep;
      *s = ts;
    } else {
      blk_free(&keep);
    }
  }
  return HUNT_OK;
}
