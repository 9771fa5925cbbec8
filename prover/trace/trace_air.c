/* trace_air: the AIRs of the proven tables (cpu, memory, storage; keccak's,
 * arith's, sha256's, blake2f's and ripemd160's are keccak_air.c's,
 * arith_air.c's, sha256_air.c's, blake2f_air.c's and ripemd160_air.c's,
 * handed out here when the options
 * prove them; the proven ecrecover and modmul tables are MULMOD rows of the
 * arith AIR).
 *
 * The constraints are written once in trace_air_body.inc and instantiated over
 * the extension field (eval_ext: the definition, used by the verifier) and the
 * base field (eval_base: the prover's fast path), so the two cannot drift.
 *
 * What the constraints establish, and what they take on trust, is listed in
 * prover/README.md: in short, the arithmetic of gas, program counter and stack
 * pointer between consecutive instructions and the shape of memory accesses
 * are enforced; the opcode facts (static gas, stack effect, immediate
 * length) are bound to the opcode only with TRACE_OPT_LOOKUPS, and the
 * dynamic gas is a witnessed value.
 *
 * With TRACE_OPT_LOOKUPS the interactions below (the LogUp buses of
 * stark/air.h) check memory and storage consistency against the meminit
 * and stoinit tables, range-check clocks and slot limbs against the
 * range16 AIR (whose v column runs over [0, 2^16)), and send every cpu
 * row's opcode facts to the opcode ROM (trace.h), a public table whose side
 * of the bus the verifier computes. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "evm/gas.h"
#include "trace/arith_air.h"
#include "trace/blake2f_air.h"
#include "trace/fp381_air.h"
#include "trace/keccak_air.h"
#include "trace/ripemd160_air.h"
#include "trace/sha256_air.h"
#include "trace_cols.h"

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define SUFFIX(x) x##_ext
#define BASE(v) ext_from_base(v)
#include "trace_air_body.inc"
#include "stark/air_field_end.h"
#undef SUFFIX
#undef BASE
#undef CPU_CONSTRAINTS
#undef MEM_CONSTRAINTS
#undef MEMINIT_CONSTRAINTS
#undef STO_CONSTRAINTS
#undef STOINIT_CONSTRAINTS

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define SUFFIX(x) x##_base
#define BASE(v) (v)
#include "trace_air_body.inc"
#include "stark/air_field_end.h"
#undef SUFFIX
#undef BASE

/* ---- range16: v = 0 on the first row, v' = v + 1 on transitions ---- */
static void r16_eval_ext(const stark_air *air, stark_eval_ext *e) {
  (void)air;
  ext_t v = e->local[R16_V], vn = e->next[R16_V];
  stark_assert_zero_ext(e, ext_mul(e->is_first_row, v));
  stark_assert_zero_ext(e, ext_mul(e->is_transition, ext_sub(ext_sub(vn, v), ext_from_base(BB_ONE))));
}

static void r16_eval_base(const stark_air *air, stark_eval_base *e) {
  (void)air;
  bb_t v = e->local[R16_V], vn = e->next[R16_V];
  stark_assert_zero_base(e, bb_mul(e->is_first_row, v));
  stark_assert_zero_base(e, bb_mul(e->is_transition, bb_sub(bb_sub(vn, v), BB_ONE)));
}

#define R16_CONSTRAINTS 2u

static const stark_air airs[TRACE_COUNT] = {
    [TRACE_CPU] = {"pkb-cpu", CPU_WIDTH, CPU_PUBLIC, CPU_CONSTRAINTS, 3, cpu_eval_ext, cpu_eval_base, NULL},
    [TRACE_MEMORY] = {"pkb-memory", MEM_WIDTH, 0, MEM_CONSTRAINTS, 3, mem_eval_ext, mem_eval_base, NULL},
    [TRACE_STORAGE] = {"pkb-storage", STO_WIDTH, 0, STO_CONSTRAINTS, 3, sto_eval_ext, sto_eval_base, NULL},
    [TRACE_RANGE16] = {"pkb-range16", R16_WIDTH, 0, R16_CONSTRAINTS, 2, r16_eval_ext, r16_eval_base, NULL},
    [TRACE_MEMINIT] = {"pkb-meminit", MI_WIDTH, 0, MEMINIT_CONSTRAINTS, 3, meminit_eval_ext, meminit_eval_base,
                       NULL},
    [TRACE_STOINIT] = {"pkb-stoinit", SI_WIDTH, 0, STOINIT_CONSTRAINTS, 3, stoinit_eval_ext, stoinit_eval_base,
                       NULL},
};

/* ---- lookup interactions (TRACE_OPT_LOOKUPS) ----
 * Linear combinations take canonical integers (stark/air.h). */
/* A linear combination of one column times k (a term of its own, static);
 * LIMB_LCS the 16 columns from base, each alone. */
#define LC1(col, k) {&(const stark_lc_term){(col), (k)}, 1, 0}
#define LIMB_LCS(base)                                                                                      \
  LC1((base) + 0, 1), LC1((base) + 1, 1), LC1((base) + 2, 1), LC1((base) + 3, 1), LC1((base) + 4, 1),       \
      LC1((base) + 5, 1), LC1((base) + 6, 1), LC1((base) + 7, 1), LC1((base) + 8, 1), LC1((base) + 9, 1),   \
      LC1((base) + 10, 1), LC1((base) + 11, 1), LC1((base) + 12, 1), LC1((base) + 13, 1), LC1((base) + 14, 1), \
      LC1((base) + 15, 1)
/* The slot's 27 limbs, columns 0..26 in both the storage and the stoinit
 * table. */
#define SLOT_LCS LC1(0, 1), LC1(1, 1), LC1(2, 1), LC1(3, 1), LC1(4, 1), LC1(5, 1), LC1(6, 1), LC1(7, 1), LC1(8, 1), \
    LC1(9, 1), LC1(10, 1), LIMB_LCS(11)
_Static_assert(STO_CTX == 0 && STO_ADDR == 1 && STO_KEY == 11 && SI_CTX == 0 && SI_ADDR == 1 && SI_KEY == 11 &&
                   STO_SLOT_LIMBS == 27,
               "the slot is columns 0..26 of both tables");
/* CTX - 1 (p - 1 is -1), range-checked on transient rows: their context is
 * 1 .. 2^16. */
#define CTX_MINUS_1(col) {&(const stark_lc_term){(col), 1}, 1, BB_P - 1}

static const stark_lc r16_v_lc = LC1(R16_V, 1);
static const stark_interaction r16_receive = {TRACE_BUS_RANGE16, STARK_RECEIVE, LC1(R16_M, 1), &r16_v_lc, 1};

/* The cpu row's opcode facts, in the ROM's field order (trace.h). */
static const stark_lc cpu_rom_lc[TRACE_ROM_FIELDS] = {LC1(CPU_OP, 1),      LC1(CPU_STATIC, 1),  LC1(CPU_IN, 1),
                                                      LC1(CPU_OUT, 1),     LC1(CPU_PUSHLEN, 1), LC1(CPU_ISPUSH, 1),
                                                      LC1(CPU_MAYMEM, 1)};
/* A storage access's instruction: (step, transaction, opcode). */
static const stark_lc cpu_step_lc[3] = {LC1(CPU_STEP, 1), LC1(CPU_TX, 1), LC1(CPU_OP, 1)};
/* A memory access's instruction: 2 step + 2, a memory row's clock less its
 * write flag. */
static const stark_lc cpu_memstep_lc = {&(const stark_lc_term){CPU_STEP, 2}, 1, 2};
static const stark_interaction cpu_sends[3] = {
    {TRACE_BUS_OPCODE, STARK_SEND, LC1(CPU_REAL, 1), cpu_rom_lc, TRACE_ROM_FIELDS},
    {TRACE_BUS_STOSTEP, STARK_SEND, LC1(CPU_ISSTO, 1), cpu_step_lc, 3},
    {TRACE_BUS_MEMSTEP, STARK_SEND, LC1(CPU_MEMN, 1), &cpu_memstep_lc, 1}};

/* The ROM's columns: the fields, then the multiplicity. */
static const stark_lc rom_lc[TRACE_ROM_FIELDS] = {LC1(0, 1), LC1(1, 1), LC1(2, 1), LC1(3, 1),
                                                  LC1(4, 1), LC1(5, 1), LC1(6, 1)};
static const stark_interaction rom_receive = {TRACE_BUS_OPCODE, STARK_RECEIVE, LC1(TRACE_ROM_FIELDS, 1), rom_lc,
                                              TRACE_ROM_FIELDS};
_Static_assert(TRACE_ROM_WIDTH == TRACE_ROM_FIELDS + 1, "the ROM is its fields, then the multiplicity");

const stark_interaction *trace_opcode_receive(void) { return &rom_receive; }

/* Memory (trace.h: memory consistency). A word's state is (context, word,
 * 16 limbs, clock): a memory row receives the state before and sends the
 * state after, and range-checks its clock and the clock's advance (low
 * limb, high limb, 16 x high limb: the high limb below 2^12); a meminit row
 * sends the initial state (zero limbs, clock 0), receives the final one,
 * and chains (context, word) to its successor. */
#define WORD_FIELDS 19u /* context, word, 16 limbs, clock */
static const stark_lc mem_before[WORD_FIELDS] = {LC1(MEM_CTX, 1), LC1(MEM_ADDR, 1), LIMB_LCS(MEM_P), LC1(MEM_PT, 1)};
static const stark_lc mem_after[WORD_FIELDS] = {LC1(MEM_CTX, 1), LC1(MEM_ADDR, 1), LIMB_LCS(MEM_V),
                                                LC1(MEM_TIME, 1)};
static const stark_lc mem_ranged[6] = {LC1(MEM_TLO, 1), LC1(MEM_THI, 1), LC1(MEM_THI, 16),
                                       LC1(MEM_DLO, 1), LC1(MEM_DHI, 1), LC1(MEM_DHI, 16)};
_Static_assert(TRACE_MEM_CLOCK_BITS == 16 + 12, "16 x a high limb below 2^16 holds it below 2^12");
#define MEM_REAL_LC LC1(MEM_REAL, 1)
#define MEM_RANGE(i) {TRACE_BUS_RANGE16, STARK_SEND, MEM_REAL_LC, &mem_ranged[i], 1}
/* (TIME - WRITE): 2 (step + 1), the instruction's (trace.h) */
static const stark_lc_term mem_step_terms[2] = {{MEM_TIME, 1}, {MEM_WRITE, BB_P - 1}};
static const stark_lc mem_step_lc = {mem_step_terms, 2, 0};
static const stark_interaction mem_interactions[9] = {
    {TRACE_BUS_MEMORY, STARK_RECEIVE, MEM_REAL_LC, mem_before, WORD_FIELDS},
    {TRACE_BUS_MEMORY, STARK_SEND, MEM_REAL_LC, mem_after, WORD_FIELDS},
    {TRACE_BUS_MEMSTEP, STARK_RECEIVE, MEM_REAL_LC, &mem_step_lc, 1},
    MEM_RANGE(0), MEM_RANGE(1), MEM_RANGE(2), MEM_RANGE(3), MEM_RANGE(4), MEM_RANGE(5)};
#undef MEM_RANGE
#undef MEM_REAL_LC

/* Storage (trace.h: storage consistency): a slot's state is (27 slot
 * limbs, 16 value limbs, clock). */
#define SLOT_FIELDS (STO_SLOT_LIMBS + 16 + 1)
static const stark_lc sto_before[SLOT_FIELDS] = {SLOT_LCS, LIMB_LCS(STO_P), LC1(STO_PT, 1)};
static const stark_lc sto_after[SLOT_FIELDS] = {SLOT_LCS, LIMB_LCS(STO_V), LC1(STO_TIME, 1)};
static const stark_lc sto_ranged[7] = {LC1(STO_TLO, 1), LC1(STO_THI, 1), LC1(STO_THI, 16), LC1(STO_DLO, 1),
                                       LC1(STO_DHI, 1), LC1(STO_DHI, 16), CTX_MINUS_1(STO_CTX)};
#define STO_REAL_LC LC1(STO_REAL, 1)
#define STO_RANGE(i) {TRACE_BUS_RANGE16, STARK_SEND, STO_REAL_LC, &sto_ranged[i], 1}
/* (step, transaction, 0x54 + WRITE + 8 TRANSIENT) on accesses (REAL - UNDO) */
static const stark_lc_term sto_op_terms[2] = {{STO_WRITE, 1}, {STO_TRANSIENT, 8}};
static const stark_lc sto_step_lc[3] = {LC1(STO_STEP, 1), LC1(STO_TX, 1), {sto_op_terms, 2, 0x54}};
static const stark_lc_term sto_access_terms[2] = {{STO_REAL, 1}, {STO_UNDO, BB_P - 1}};
_Static_assert(0x54 + 1 == 0x55 && 0x54 + 8 == 0x5c && 0x54 + 8 + 1 == 0x5d, "SLOAD SSTORE TLOAD TSTORE");
static const stark_interaction sto_interactions[10] = {
    {TRACE_BUS_STORAGE, STARK_RECEIVE, STO_REAL_LC, sto_before, SLOT_FIELDS},
    {TRACE_BUS_STORAGE, STARK_SEND, STO_REAL_LC, sto_after, SLOT_FIELDS},
    {TRACE_BUS_STOSTEP, STARK_RECEIVE, {sto_access_terms, 2, 0}, sto_step_lc, 3},
    STO_RANGE(0), STO_RANGE(1), STO_RANGE(2), STO_RANGE(3), STO_RANGE(4), STO_RANGE(5),
    {TRACE_BUS_RANGE16, STARK_SEND, LC1(STO_TRANSIENT, 1), &sto_ranged[6], 1}};
#undef STO_RANGE
#undef STO_REAL_LC

static const stark_lc si_init[SLOT_FIELDS] = {SLOT_LCS, LIMB_LCS(SI_IV)}; /* clock: constant 0 */
static const stark_lc si_final[SLOT_FIELDS] = {SLOT_LCS, LIMB_LCS(SI_FV), LC1(SI_FT, 1)};
static const stark_lc si_ranged[STO_SLOT_LIMBS + 2] = {SLOT_LCS, LC1(SI_D, 1), CTX_MINUS_1(SI_CTX)};
#define SI_REAL_LC LC1(SI_REAL, 1)
#define SI_RANGE(i) {TRACE_BUS_RANGE16, STARK_SEND, SI_REAL_LC, &si_ranged[i], 1}
/* The pre-state: (slot, initial value) received on storage slots (REAL -
 * TRANS: 1 on them, 0 on transient slots and padding), sent by the
 * verifier (trace_public_sum). */
#define PRE_FIELDS (STO_SLOT_LIMBS + 16)
static const stark_lc_term si_storage_terms[2] = {{SI_REAL, 1}, {SI_TRANS, BB_P - 1}};
static const stark_interaction si_interactions[3 + STO_SLOT_LIMBS + 2] = {
    {TRACE_BUS_STORAGE, STARK_SEND, SI_REAL_LC, si_init, SLOT_FIELDS},
    {TRACE_BUS_STORAGE, STARK_RECEIVE, SI_REAL_LC, si_final, SLOT_FIELDS},
    {TRACE_BUS_PRESTATE, STARK_RECEIVE, {si_storage_terms, 2, 0}, si_init, PRE_FIELDS},
    SI_RANGE(0), SI_RANGE(1), SI_RANGE(2), SI_RANGE(3), SI_RANGE(4), SI_RANGE(5), SI_RANGE(6), SI_RANGE(7),
    SI_RANGE(8), SI_RANGE(9), SI_RANGE(10), SI_RANGE(11), SI_RANGE(12), SI_RANGE(13), SI_RANGE(14), SI_RANGE(15),
    SI_RANGE(16), SI_RANGE(17), SI_RANGE(18), SI_RANGE(19), SI_RANGE(20), SI_RANGE(21), SI_RANGE(22), SI_RANGE(23),
    SI_RANGE(24), SI_RANGE(25), SI_RANGE(26), SI_RANGE(27),
    {TRACE_BUS_RANGE16, STARK_SEND, LC1(SI_TRANS, 1), &si_ranged[28], 1}};
#undef SI_RANGE
#undef SI_REAL_LC
#undef CTX_MINUS_1

static const stark_lc mi_init[WORD_FIELDS] = {LC1(MI_CTX, 1), LC1(MI_ADDR, 1)}; /* the rest: constant 0 */
static const stark_lc mi_final[WORD_FIELDS] = {LC1(MI_CTX, 1), LC1(MI_ADDR, 1), LIMB_LCS(MI_FV), LC1(MI_FT, 1)};
static const stark_lc mi_self[2] = {LC1(MI_CTX, 1), LC1(MI_ADDR, 1)};
static const stark_lc_term mi_succ_ctx[2] = {{MI_CTX, 1}, {MI_LAST, 1}};
static const stark_lc mi_succ[2] = {{mi_succ_ctx, 2, 0}, LC1(MI_NEXT, 1)};
#define MI_REAL_LC LC1(MI_REAL, 1)
static const stark_interaction mi_interactions[4] = {
    {TRACE_BUS_MEMORY, STARK_SEND, MI_REAL_LC, mi_init, WORD_FIELDS},
    {TRACE_BUS_MEMORY, STARK_RECEIVE, MI_REAL_LC, mi_final, WORD_FIELDS},
    {TRACE_BUS_MEMCHAIN, STARK_RECEIVE, MI_REAL_LC, mi_self, 2},
    {TRACE_BUS_MEMCHAIN, STARK_SEND, MI_REAL_LC, mi_succ, 2}};
#undef MI_REAL_LC

/* The chain's ends, which the verifier supplies: rows (context, word,
 * multiplicity) for the send of (1, 0) and the receive of (N + 1, 0). */
static const stark_lc chain_end_lc[2] = {LC1(0, 1), LC1(1, 1)};
static const stark_interaction chain_start = {TRACE_BUS_MEMCHAIN, STARK_SEND, LC1(2, 1), chain_end_lc, 2};
static const stark_interaction chain_end = {TRACE_BUS_MEMCHAIN, STARK_RECEIVE, LC1(2, 1), chain_end_lc, 2};

/* The verifier's pre-state rows: (slot limbs, value limbs, multiplicity). */
static const stark_lc pre_lc[PRE_FIELDS] = {SLOT_LCS, LIMB_LCS(STO_SLOT_LIMBS)};
static const stark_interaction pre_send = {TRACE_BUS_PRESTATE, STARK_SEND, LC1(PRE_FIELDS, 1), pre_lc, PRE_FIELDS};
#undef SLOT_LCS
#undef LIMB_LCS
#undef LC1

/* The verifier's pre-state: every (address, key) the block's accounts give
 * a value, sorted, the later of two entries for one slot kept (as
 * evm_state_load_block overwrites). */
typedef struct {
  uint8_t id[20 + 32];
  size_t pos;
  const uint8_t *value;
} pre_slot;

static int pre_cmp(const void *a, const void *b) {
  const pre_slot *x = a, *y = b;
  int c = memcmp(x->id, y->id, sizeof x->id);
  return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* *out (malloc'd, NULL when empty) and *n; -1 when out of memory. */
static int pre_index(const blk_block *b, pre_slot **out, size_t *n) {
  size_t total = 0, k = 0;
  for (size_t i = 0; i < b->n_accounts; i++) total += b->accounts[i].n_storage;
  *out = NULL;
  *n = 0;
  if (!total) return 0;
  pre_slot *e = malloc(total * sizeof *e);
  if (!e) return -1;
  for (size_t i = 0; i < b->n_accounts; i++)
    for (size_t j = 0; j < b->accounts[i].n_storage; j++, k++) {
      memcpy(e[k].id, b->accounts[i].address.b, 20);
      memcpy(e[k].id + 20, b->accounts[i].storage[j].key.b, 32);
      e[k].pos = k;
      e[k].value = b->accounts[i].storage[j].value.b;
    }
  qsort(e, total, sizeof *e, pre_cmp);
  size_t m = 0;
  for (size_t i = 0; i < total; i++) {
    if (i + 1 < total && memcmp(e[i].id, e[i + 1].id, sizeof e[i].id) == 0) continue; /* a later entry follows */
    e[m++] = e[i];
  }
  *out = e;
  *n = m;
  return 0;
}

/* The pre-state value of slot id (20 address bytes, 32 key bytes): NULL
 * for zero. */
static const uint8_t *pre_find(const pre_slot *e, size_t n, const uint8_t id[52]) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(e[mid].id, id, 52);
    if (c == 0) return e[mid].value;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* The pre-state value of slot id as 16 limbs (zero when it has none). */
static void pre_value_limbs(const pre_slot *e, size_t n, const uint8_t id[52], bb_t out[16]) {
  const uint8_t *v = pre_find(e, n, id);
  for (int i = 0; i < 16; i++) out[i] = v ? bb_from_u32((uint32_t)v[2 * i] << 8 | v[2 * i + 1]) : 0;
}

/* Slot limbs (address then key, 16-bit, big-endian) to bytes; -1 for a
 * limb of 2^16 or more. */
static int limbs_to_id(const bb_t *limbs, uint8_t id[52]) {
  for (unsigned i = 0; i < TRACE_PUB_SLOT_LIMBS; i++) {
    uint32_t v = bb_to_u32(limbs[i]);
    if (v > 0xffff) return -1;
    id[2 * i] = (uint8_t)(v >> 8);
    id[2 * i + 1] = (uint8_t)v;
  }
  return 0;
}

int trace_public_sum(const bb_t *pub, size_t npub, const blk_block *pre, const ext_t ch[2], ext_t *sum) {
  if (!pub || npub < TRACE_PUB_VALUES) return STARK_ERR_ARG;
  size_t ns = bb_to_u32(pub[TRACE_ROM_ROWS + 1]);
  if (npub != TRACE_PUB_VALUES + TRACE_PUB_SLOT_LIMBS * ns || (ns && !pre)) return STARK_ERR_ARG;
  bb_t rom[TRACE_ROM_ROWS * TRACE_ROM_WIDTH];
  ext_t a, b, c, d = ext_zero();
  trace_opcode_rom(pub, rom);
  int rc = stark_lookup_public_sum(&rom_receive, rom, TRACE_ROM_ROWS, TRACE_ROM_WIDTH, ch, &a);
  const bb_t start[3] = {BB_ONE, 0, BB_ONE}, end[3] = {bb_add(pub[TRACE_ROM_ROWS], BB_ONE), 0, BB_ONE};
  if (rc == STARK_OK) rc = stark_lookup_public_sum(&chain_start, start, 1, 3, ch, &b);
  if (rc == STARK_OK) rc = stark_lookup_public_sum(&chain_end, end, 1, 3, ch, &c);
  if (rc == STARK_OK && ns) {
    /* rows (0, address and key limbs, value limbs, multiplicity 1) */
    pre_slot *idx;
    size_t n;
    bb_t *rows = malloc(ns * (PRE_FIELDS + 1) * sizeof *rows);
    if (!rows || pre_index(pre, &idx, &n)) {
      free(rows);
      return STARK_ERR_NOMEM;
    }
    uint8_t id[52], prev[52];
    for (size_t k = 0; k < ns && rc == STARK_OK; k++) {
      bb_t *r = rows + k * (PRE_FIELDS + 1);
      if (limbs_to_id(pub + TRACE_PUB_VALUES + k * TRACE_PUB_SLOT_LIMBS, id) || (k && memcmp(prev, id, 52) >= 0)) {
        rc = STARK_ERR_ARG; /* not a list of distinct slots in order */
        break;
      }
      memcpy(prev, id, 52);
      r[0] = 0;
      memcpy(r + 1, pub + TRACE_PUB_VALUES + k * TRACE_PUB_SLOT_LIMBS, TRACE_PUB_SLOT_LIMBS * sizeof *r);
      pre_value_limbs(idx, n, id, r + STO_SLOT_LIMBS);
      r[PRE_FIELDS] = BB_ONE;
    }
    if (rc == STARK_OK) rc = stark_lookup_public_sum(&pre_send, rows, ns, PRE_FIELDS + 1, ch, &d);
    free(rows);
    free(idx);
  }
  if (rc == STARK_OK) *sum = ext_add(ext_add(a, d), ext_add(b, c));
  return rc;
}

int trace_check_prestate(const trace_collector *c) {
  const trace_table *t = &c->t[TRACE_STOINIT];
  if (!t->data || !t->rows) return TRACE_OK;
  if (!c->block) return TRACE_E_ARG;
  pre_slot *idx;
  size_t n;
  if (pre_index(c->block, &idx, &n)) return TRACE_E_NOMEM;
  int rc = TRACE_OK;
  for (size_t k = 0; k < t->rows && rc == TRACE_OK; k++) {
    const bb_t *r = t->data + k * SI_WIDTH;
    if (r[SI_CTX] != 0) break; /* the transient slots follow */
    uint8_t id[52];
    if (limbs_to_id(r + SI_ADDR, id)) {
      rc = TRACE_E_ARG;
      break;
    }
    bb_t want[16];
    pre_value_limbs(idx, n, id, want);
    for (int i = 0; i < 16; i++)
      if (!bb_eq(r[SI_IV + i], want[i])) rc = TRACE_E_ARG;
  }
  free(idx);
  return rc;
}

static const stark_lookup lookups[TRACE_COUNT] = {
    [TRACE_CPU] = {cpu_sends, 3, NULL, 0},
    [TRACE_MEMORY] = {mem_interactions, 9, NULL, 0},
    [TRACE_STORAGE] = {sto_interactions, 10, NULL, 0},
    [TRACE_STOINIT] = {si_interactions, 3 + STO_SLOT_LIMBS + 2, NULL, 0},
    [TRACE_RANGE16] = {&r16_receive, 1, NULL, 0},
    [TRACE_MEMINIT] = {mi_interactions, 4, NULL, 0},
};

const stark_lookup *trace_lookup_opts(trace_table_id id, unsigned opts) {
  if (!(opts & TRACE_OPT_LOOKUPS) || !trace_table_proven(id, opts)) return NULL;
  return lookups[id].num_interactions ? &lookups[id] : NULL;
}

const stark_lookup *trace_table_lookup(const trace_table *t) { return t ? t->lookup : NULL; }

const stark_air *trace_air_opts(trace_table_id id, unsigned opts) {
  if (!trace_table_proven(id, opts)) return NULL;
  if (id == TRACE_KECCAK) return keccak_air();
  if (id == TRACE_ARITH || id == TRACE_ECRECOVER || id == TRACE_MODMUL) return arith_air();
  if (id == TRACE_SHA256) return sha256_air();
  if (id == TRACE_BLAKE2F) return blake2f_air();
  if (id == TRACE_RIPEMD160) return ripemd160_air();
  if (id == TRACE_BLS12) return fp381_air();
  return &airs[id];
}

const stark_air *trace_air(trace_table_id id) { return trace_air_opts(id, 0); }

unsigned trace_shard_public(trace_table_id id, const bb_t *shard, unsigned log_n, bb_t *pub) {
  if (id != TRACE_CPU) return 0;
  const bb_t *f = shard, *z = shard + (((size_t)1 << log_n) - 1) * CPU_WIDTH;
  pub[CPU_PUB_IN_STEP] = f[CPU_STEP];
  pub[CPU_PUB_IN_PC] = f[CPU_PC];
  pub[CPU_PUB_IN_GAS] = f[CPU_GAS_BEFORE];
  pub[CPU_PUB_IN_SP] = f[CPU_SP];
  pub[CPU_PUB_IN_DEPTH] = f[CPU_DEPTH];
  pub[CPU_PUB_IN_TX] = f[CPU_TX];
  pub[CPU_PUB_IN_OP] = f[CPU_OP];
  pub[CPU_PUB_IN_MEMX] = f[CPU_MEMX];
  pub[CPU_PUB_OUT_REAL] = z[CPU_REAL];
  pub[CPU_PUB_OUT_STEP] = z[CPU_STEP];
  pub[CPU_PUB_OUT_PC] = z[CPU_PC];
  pub[CPU_PUB_OUT_PUSHLEN] = z[CPU_PUSHLEN];
  pub[CPU_PUB_OUT_OP] = z[CPU_OP];
  pub[CPU_PUB_OUT_GAS] = z[CPU_GAS_AFTER];
  pub[CPU_PUB_OUT_SP] = bb_add(bb_sub(z[CPU_SP], z[CPU_IN]), z[CPU_OUT]);
  pub[CPU_PUB_OUT_DEPTH] = z[CPU_DEPTH];
  pub[CPU_PUB_OUT_TX] = z[CPU_TX];
  return CPU_PUBLIC;
}

int trace_cpu_chain_check(const bb_t *pub, size_t n, size_t *bad) {
  if (bad) *bad = 0;
  if (n == 0) return TRACE_OK;
  if (!pub) return TRACE_E_ARG;
  if (pub[CPU_PUB_IN_STEP] != 0) return TRACE_E_RANGE;
  for (size_t k = 0; k + 1 < n; k++) {
    const bb_t *a = pub + k * CPU_PUBLIC, *b = a + CPU_PUBLIC;
    if (bad) *bad = k + 1;
    /* a shard that continues ends on an executed instruction, and the next
     * one starts at the instruction after it */
    if (a[CPU_PUB_OUT_REAL] != BB_ONE || b[CPU_PUB_IN_STEP] != bb_add(a[CPU_PUB_OUT_STEP], BB_ONE))
      return TRACE_E_RANGE;
    /* the same frame continues (trace_finish's rule): its state carries over */
    if (a[CPU_PUB_OUT_TX] != b[CPU_PUB_IN_TX] || a[CPU_PUB_OUT_DEPTH] != b[CPU_PUB_IN_DEPTH]) continue;
    if (b[CPU_PUB_IN_GAS] != a[CPU_PUB_OUT_GAS] || b[CPU_PUB_IN_SP] != a[CPU_PUB_OUT_SP] || b[CPU_PUB_IN_MEMX] != 0)
      return TRACE_E_RANGE;
    uint32_t op = bb_to_u32(a[CPU_PUB_OUT_OP]);
    bb_t fall = bb_add(bb_add(a[CPU_PUB_OUT_PC], BB_ONE), a[CPU_PUB_OUT_PUSHLEN]);
    int jump = op == EVM_OP_JUMP || (op == EVM_OP_JUMPI && b[CPU_PUB_IN_PC] != bb_add(a[CPU_PUB_OUT_PC], BB_ONE));
    if (jump ? bb_to_u32(b[CPU_PUB_IN_OP]) != EVM_OP_JUMPDEST : b[CPU_PUB_IN_PC] != fall) return TRACE_E_RANGE;
  }
  if (bad) *bad = 0;
  return TRACE_OK;
}

