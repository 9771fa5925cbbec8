/* Fuzz target: decode a block and execute it, with the executor's invariants checked.
 *
 * Built for libFuzzer by scripts/fuzz.sh and for AFL++ (persistent mode) by
 * scripts/fuzz-afl.sh, linked with -Wl,--wrap for the four balance and
 * commit functions of prover/evm/state.h (see "Ether accounting" below).
 * Seeds: corpus/smoke blocks and fuzz/seeds/exec/ (small imported state tests).
 *
 * The input is fitted first, so one execution stays in the milliseconds: the
 * block gas limit is clamped to FZ_EXEC_GAS, each transaction's gas limit to
 * the block's, and every pre-state balance below 2^FZ_EXEC_BALANCE_BITS (the
 * total supply then cannot reach 2^256, so any wrap-around is a bug).
 *
 * The block is executed twice:
 *  B. evm_execute_block with the counting trace collector (the traced
 *     interpreter loop), whose table heights feed the cost feedback
 *     (fz_cost.h);
 *  C. transaction by transaction through the executor's internal contract
 *     (evm/vm.h) with no tracer (the untraced loop), as block.c does, except
 *     that before each transaction its message is first run speculatively
 *     (evm_vm_call / evm_vm_create) inside a journal checkpoint and reverted.
 * and abort() is called when any of these fail:
 *  - gas: the block's gas is at most its gas limit and is the sum of its
 *    valid transactions' gas (the receipts); a transaction uses at most its
 *    gas limit; a rejected one uses none and has a reason, an accepted one
 *    none; a frame that failed (revert or halt) has no logs and, unless
 *    EIP-7702 authorizations earned one, no refund, and a halted one used
 *    all its gas; the refund is at most a fifth of the gas before it;
 *  - journal: after the speculative run and the revert the state root (for
 *    the first FZ_EXEC_ROOT_CHECKS transactions) and the ether total are as
 *    before;
 *  - determinism: C's per-transaction results (status, gas, refund, logs
 *    hash, output, created address) and final state root equal B's, so the
 *    traced and untraced loops agree and the speculative runs' reverts also
 *    restored what the root does not show (warm marks, transient storage,
 *    original slot values, logs, refunds);
 *  - ether: see below. The executor may refuse a block only with
 *    EVM_E_UNSUPPORTED_PRECOMPILE or EVM_E_NOMEM; EVM_E_ARG or
 *    EVM_E_INTERNAL on a decoded block is a bug.
 *
 * Ether accounting. Every balance change goes through
 * evm_state_set/add/sub_balance, which this target wraps (-Wl,--wrap): a
 * subtraction below zero or an addition past 2^256 aborts, and during run C
 * every account whose balance changes is recorded, so with the pre-state's
 * accounts the recorded set holds every account that ever held ether. The
 * fee rules of the executor (tx.c) make the sender pay effective_price x gas
 * plus the blob fee up front, get effective_price x unused gas back, and the
 * coinbase get priority_fee x gas used, where effective_price - priority_fee
 * is the base fee for every transaction type. Self-destructed accounts are
 * deleted with whatever balance they hold when the transaction ends (the
 * wrapped evm_state_commit_tx adds it up first). So for each transaction
 *     sum(balances before) = sum(balances after)
 *                          + base_fee x gas_used + blob_base_fee x blob_gas_used
 *                          + balances of the accounts self-destructed in it
 * exactly, and 0 for a rejected transaction. There are no withdrawals and no
 * block reward in a pkbench block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/state.h"
#include "evm/txsig.h"
#include "evm/u256.h"
#include "evm/vm.h"
#include "fz_cost.h"
#include "trace/trace.h"

#define FZ_EXEC_GAS 1000000u        /* block gas limit clamp */
#define FZ_EXEC_BALANCE_BITS 128    /* pre-state balances are taken modulo 2^128 */
#define FZ_EXEC_ROOT_CHECKS 2       /* transactions whose revert is checked by state root */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- structure-aware mutator --------------------------------------------
 * fuzz/mutator.inc defines LLVMFuzzerCustomMutator (and its crossover) over
 * decoded blocks; scripts/fuzz.sh builds this target with -DPKB_FUZZ_MUTATOR
 * and harness/mutate.c when that file exists. */
#ifdef PKB_FUZZ_MUTATOR
/* mutated blocks are made to fit what one input may cost here */
#define FZ_MUT_OPTS(o) ((o).tx_gas_cap = FZ_EXEC_GAS, (o).max_txs = 64)
#include "mutator.inc"
#endif

/* ---- ether accounting ---------------------------------------------------- */

/* 320-bit sums: enough for any number of balances below 2^256. */
typedef struct {
  u256 lo;
  uint64_t hi;
} fz_wide;

static void wide_add(fz_wide *s, const u256 *v) { s->hi += u256_add(&s->lo, &s->lo, v); }
static int wide_eq(const fz_wide *a, const fz_wide *b) { return a->hi == b->hi && u256_eq(&a->lo, &b->lo); }

/* The accounts that may hold ether in run C: a set of record pointers
 * (records never move for the life of a state, state.h). */
static struct {
  int on;
  evm_account **tab;
  size_t cap, n;
  fz_wide burnt; /* balances of self-destructed accounts at commit */
} rec;

static void rec_reset(void) {
  free(rec.tab);
  memset(&rec, 0, sizeof rec);
}

static void rec_put(evm_account *a) {
  if (2 * (rec.n + 1) > rec.cap) {
    size_t nc = rec.cap ? 2 * rec.cap : 64;
    evm_account **nt = calloc(nc, sizeof *nt);
    if (!nt) abort();
    for (size_t i = 0; i < rec.cap; i++) {
      if (!rec.tab[i]) continue;
      size_t h = ((uintptr_t)rec.tab[i] >> 4) & (nc - 1);
      while (nt[h]) h = (h + 1) & (nc - 1);
      nt[h] = rec.tab[i];
    }
    free(rec.tab);
    rec.tab = nt;
    rec.cap = nc;
  }
  size_t h = ((uintptr_t)a >> 4) & (rec.cap - 1);
  while (rec.tab[h]) {
    if (rec.tab[h] == a) return;
    h = (h + 1) & (rec.cap - 1);
  }
  rec.tab[h] = a;
  rec.n++;
}

static fz_wide rec_total(void) {
  fz_wide s = {u256_zero(), 0};
  for (size_t i = 0; i < rec.cap; i++)
    if (rec.tab[i]) wide_add(&s, &rec.tab[i]->balance);
  return s;
}

int __real_evm_state_set_balance(evm_state *s, evm_account *a, const u256 *v);
int __real_evm_state_add_balance(evm_state *s, evm_account *a, const u256 *v);
int __real_evm_state_sub_balance(evm_state *s, evm_account *a, const u256 *v);
void __real_evm_state_commit_tx(evm_state *s);
int __wrap_evm_state_set_balance(evm_state *s, evm_account *a, const u256 *v);
int __wrap_evm_state_add_balance(evm_state *s, evm_account *a, const u256 *v);
int __wrap_evm_state_sub_balance(evm_state *s, evm_account *a, const u256 *v);
void __wrap_evm_state_commit_tx(evm_state *s);

int __wrap_evm_state_set_balance(evm_state *s, evm_account *a, const u256 *v) {
  if (rec.on) rec_put(a);
  return __real_evm_state_set_balance(s, a, v);
}

int __wrap_evm_state_add_balance(evm_state *s, evm_account *a, const u256 *v) {
  u256 t;
  if (u256_add(&t, &a->balance, v)) abort(); /* a balance wrapped past 2^256 */
  if (rec.on) rec_put(a);
  return __real_evm_state_add_balance(s, a, v);
}

int __wrap_evm_state_sub_balance(evm_state *s, evm_account *a, const u256 *v) {
  if (u256_lt(&a->balance, v)) abort(); /* a balance went negative */
  if (rec.on) rec_put(a);
  return __real_evm_state_sub_balance(s, a, v);
}

void __wrap_evm_state_commit_tx(evm_state *s) {
  if (rec.on)
    for (size_t i = 0; i < rec.cap; i++)
      if (rec.tab[i] && rec.tab[i]->destroyed) wide_add(&rec.burnt, &rec.tab[i]->balance);
  __real_evm_state_commit_tx(s);
}

/* ---- fitting the input ---------------------------------------------------- */

static void fit(blk_block *b) {
  if (b->env.gas_limit > FZ_EXEC_GAS) b->env.gas_limit = FZ_EXEC_GAS;
  for (size_t i = 0; i < b->n_txs; i++)
    if (b->txs[i].gas_limit > b->env.gas_limit) b->txs[i].gas_limit = b->env.gas_limit;
  for (size_t i = 0; i < b->n_accounts; i++) memset(b->accounts[i].balance.b, 0, 32 - FZ_EXEC_BALANCE_BITS / 8);
}

/* ---- result checks -------------------------------------------------------- */

static void check_gas(const blk_block *b, const evm_block_result *r) {
  if (r->n_txs != b->n_txs) abort();
  uint64_t sum = 0, blob = 0;
  for (size_t i = 0; i < r->n_txs; i++) {
    const evm_tx_result *t = &r->txs[i];
    if (t->status == EVM_TX_INVALID) {
      if (t->invalid == EVM_INVALID_NONE || (unsigned)t->invalid >= EVM_INVALID_COUNT) abort();
      if (t->gas_used || t->blob_gas_used || t->n_logs || t->created) abort();
      continue;
    }
    if (t->invalid != EVM_INVALID_NONE) abort();
    if (t->gas_used > b->txs[i].gas_limit) abort();
    if (t->gas_refund * EVM_REFUND_QUOTIENT > t->gas_used + t->gas_refund) abort();
    if (t->status != EVM_TX_SUCCESS && (t->n_logs || t->created)) abort();
    /* a failed frame's refunds are undone; only EIP-7702 authorizations,
     * applied before the frame, keep theirs */
    if (b->txs[i].type != 4 && t->status != EVM_TX_SUCCESS && t->gas_refund) abort();
    if (b->txs[i].type != 4 && t->status == EVM_TX_HALT && t->gas_used != b->txs[i].gas_limit) abort();
    sum += t->gas_used;
    blob += t->blob_gas_used;
  }
  if (sum != r->gas_used || blob != r->blob_gas_used) abort();
  if (r->gas_used > b->env.gas_limit) abort();
}

static void same_tx(const evm_tx_result *x, const evm_tx_result *y) {
  uint8_t hx[32], hy[32];
  if (evm_logs_hash(x->logs, x->n_logs, hx) != EVM_OK || evm_logs_hash(y->logs, y->n_logs, hy) != EVM_OK) return;
  if (x->status != y->status || x->invalid != y->invalid || x->gas_used != y->gas_used ||
      x->blob_gas_used != y->blob_gas_used || x->gas_refund != y->gas_refund || x->n_logs != y->n_logs ||
      memcmp(hx, hy, 32) != 0 || x->created != y->created || memcmp(x->contract_address, y->contract_address, 20) != 0 ||
      memcmp(x->sender, y->sender, 20) != 0 || x->output_len != y->output_len ||
      (x->output_len && memcmp(x->output, y->output, x->output_len) != 0))
    abort();
}

static void free_tx(evm_tx_result *t) {
  for (size_t i = 0; i < t->n_logs; i++) {
    free(t->logs[i].topics);
    free(t->logs[i].data);
  }
  free(t->logs);
  free(t->output);
  memset(t, 0, sizeof *t);
}

/* ---- run C ------------------------------------------------------------------ */

/* Run tx's message on the current state without committing it (the
 * speculative run); the caller reverts. */
static void speculate(evm_ctx *c, const blk_tx *tx) {
  uint8_t sender[20];
  if (evm_tx_sender(tx, c->env->chain_id, sender) != EVM_SIG_OK) return;
  evm_account *sa = evm_state_get(c->st, sender);
  if (!sa) abort();
  evm_msg m;
  memset(&m, 0, sizeof m);
  m.gas = (int64_t)(tx->gas_limit > 21000 ? tx->gas_limit - 21000 : 0);
  memcpy(m.sender, sender, 20);
  u256_from_be(&m.value, tx->value.b);
  if (u256_lt(&sa->balance, &m.value)) m.value = u256_zero();
  m.input = tx->data.len ? tx->data.data : NULL;
  m.input_len = tx->data.len;
  c->tx = tx;
  memcpy(c->origin, sender, 20);
  u256_from_be(&c->gas_price, tx->gas_price.b);
  c->refund = 0;
  evm_res r;
  if (tx->is_create) {
    if (sa->nonce == UINT64_MAX) return;
    uint8_t addr[20];
    evm_create_address(sender, sa->nonce, addr);
    if (evm_state_set_nonce(c->st, sa, sa->nonce + 1)) abort();
    m.kind = MSG_CREATE;
    memcpy(m.recipient, addr, 20);
    memcpy(m.code_address, addr, 20);
    evm_vm_create(c, &m, addr, &r);
  } else {
    m.kind = MSG_CALL;
    memcpy(m.recipient, tx->to.b, 20);
    memcpy(m.code_address, tx->to.b, 20);
    evm_vm_call(c, &m, &r);
  }
  free(r.output);
}

/* Whether the pre-state holds the RIPEMD-160 precompile's account: a touch of
 * it survives a revert by design (state.c), so a speculative run may delete
 * it where the plain run keeps it, and run C cannot be compared with B. */
static int has_ripemd_account(const blk_block *b) {
  static const uint8_t ripemd[20] = {[19] = 3};
  for (size_t i = 0; i < b->n_accounts; i++)
    if (memcmp(b->accounts[i].address.b, ripemd, 20) == 0) return 1;
  return 0;
}

static void run_journaled(const blk_block *b, const evm_block_result *ref) {
  static const evm_tracer none;
  evm_ctx *c = calloc(1, sizeof *c);
  if (!c) abort();
  c->fork = b->env.fork;
  c->env = &b->env;
  c->tr = &none;
  c->gas_table = evm_gas_table(c->fork);
  u256_from_be(&c->base_fee, b->env.base_fee.b);
  c->chain_id = u256_from_u64(b->env.chain_id);
  uint8_t bbf[32];
  evm_blob_base_fee(c->fork, b->env.excess_blob_gas, bbf);
  u256_from_be(&c->blob_base_fee, bbf);
  c->st = evm_state_new(c->fork);
  if (!c->st || evm_state_load_block(c->st, b) != EVM_OK) abort();
  rec_reset();
  rec.on = 1;
  for (size_t i = 0; i < b->n_accounts; i++) {
    evm_account *a = evm_state_find(c->st, b->accounts[i].address.b);
    if (!a) abort(); /* a loaded account has a record */
    rec_put(a);
  }
  const int compare = !has_ripemd_account(b);
  uint64_t gas = 0, blob = 0;
  for (size_t i = 0; i < b->n_txs; i++) {
    const blk_tx *tx = &b->txs[i];
    fz_wide before = rec_total();
    uint8_t root0[32], root1[32];
    int roots = i < FZ_EXEC_ROOT_CHECKS;
    if (roots && evm_state_root(c->st, root0) != EVM_OK) abort();
    size_t cp = evm_state_checkpoint(c->st);
    speculate(c, tx);
    evm_state_revert(c->st, cp);
    evm_logs_truncate(c, 0);
    c->fatal = 0;
    c->tx = NULL;
    fz_wide back = rec_total();
    if (!wide_eq(&back, &before)) abort();
    if (roots && (evm_state_root(c->st, root1) != EVM_OK || memcmp(root0, root1, 32) != 0)) abort();

    rec.burnt.lo = u256_zero();
    rec.burnt.hi = 0;
    evm_tx_result t;
    int rc = evm_tx_apply(c, tx, i, gas, blob, &t);
    if (rc != EVM_OK) { /* a fatal error: B must have stopped here too */
      free_tx(&t);
      if (compare && ref->n_txs > i) abort();
      break;
    }
    if (compare) same_tx(&t, &ref->txs[i]);
    fz_wide after = rec_total();
    if (t.status != EVM_TX_INVALID) {
      gas += t.gas_used;
      blob += t.blob_gas_used;
      u256 fee, k = u256_from_u64(t.gas_used);
      u256_mul(&fee, &c->base_fee, &k);
      wide_add(&after, &fee);
      k = u256_from_u64(t.blob_gas_used);
      u256_mul(&fee, &c->blob_base_fee, &k);
      wide_add(&after, &fee);
      wide_add(&after, &rec.burnt.lo);
      after.hi += rec.burnt.hi;
    }
    if (!wide_eq(&after, &before)) abort(); /* ether created or lost */
    free_tx(&t);
  }
  rec.on = 0;
  if (compare && ref->n_txs == b->n_txs) {
    uint8_t root[32];
    if (evm_state_root(c->st, root) != EVM_OK || memcmp(root, ref->state_root, 32) != 0) abort();
  }
  rec_reset();
  evm_ctx_release(c);
  evm_state_free(c->st);
  free(c);
}

/* ---- the target ------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  blk_block b;
  if (blk_decode(data, size, &b, NULL) != BLK_OK) return 0;
  fit(&b);

  trace_collector tc;
  trace_init_counting(&tc, b.env.fork);
  evm_tracer tr = trace_tracer(&tc);
  tr.on_step = NULL; /* cpu rows are the executor's step count */
  evm_block_result rb;
  int rc = evm_execute_block(&b, &tr, &rb);
  if (rc == EVM_E_ARG || rc == EVM_E_INTERNAL) abort();
  if (rc != EVM_OK) {
    evm_block_result_free(&rb);
    trace_free(&tc);
    blk_free(&b);
    return 0;
  }
  check_gas(&b, &rb);
  tc.t[TRACE_CPU].rows = (size_t)rb.steps;
  trace_add_block_witness(&tc, &b);
  uint64_t rows[TRACE_COUNT];
  for (int i = 0; i < TRACE_COUNT; i++) rows[i] = tc.t[i].rows;
  trace_free(&tc);
  fz_cost_feed(rows, rb.gas_used, NULL);

  run_journaled(&b, &rb);
  evm_block_result_free(&rb);
  blk_free(&b);
  return 0;
}

#ifdef PKB_FUZZ_AFL
/* AFL++ persistent mode: the test case arrives in shared memory and one
 * process runs many of them. */
#include <unistd.h>
__AFL_FUZZ_INIT();
int main(void) {
  __AFL_INIT();
  const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
  while (__AFL_LOOP(10000)) LLVMFuzzerTestOneInput(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
  return 0;
}
#endif
