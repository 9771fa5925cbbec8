/* State: post-state roots against known answers (the pre-state roots of
 * ethereum/tests and execution-spec-tests cases whose transaction is invalid,
 * so their expected `hash` is the root of `pre`), and the journal: every kind
 * of change reverts to a checkpoint; the end of a transaction deletes touched
 * empty and self-destructed accounts, clears warm marks and transient storage
 * and makes current values the originals.
 *
 * Enumeration (evm_state_each): a block built by hand whose post-state is
 * worked out here (contracts created by CREATE, one created and
 * self-destructed in the same transaction, an old contract self-destructing
 * under EIP-6780, a slot cleared to zero, an untouched and a touched empty
 * account) on every fork; the order, the early stop, the counts; and a round
 * trip: the root of the reported accounts, hashed here from the Yellow
 * Paper's encodings with the MPT module, is evm_state_root's, on random
 * states (random writes, zero writes, deletions, reverts, commits) and on the
 * post-states of every generated worst-case block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/evm.h"
#include "evm/mpt.h"
#include "evm/rlp.h"
#include "evm/state.h"
#include "evm_test_util.h"
#include "gen.h"
#include "hash/keccak.h"

static void hex(const char *h, uint8_t *out, size_t n) { tu_hex(h, out, n); }

static void test_empty_root(void **s) {
  (void)s;
  evm_state *st = evm_state_new(BLK_FORK_CANCUN);
  assert_non_null(st);
  uint8_t r[32], want[32];
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  hex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", want, 32);
  assert_memory_equal(r, want, 32);
  /* An absent record does not enter the trie. */
  uint8_t a[20] = {1};
  assert_non_null(evm_state_get(st, a));
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  assert_memory_equal(r, want, 32);
  evm_state_free(st);
}

static void test_known_roots(void **s) {
  (void)s;
  /* execution-spec-tests osaka/eip7594 invalid_max_blobs_per_tx: one account
   * b871...2d66, nonce 0, balance 10^18. */
  blk_block b;
  blk_account acc[2];
  blk_bytes code;
  blk_slot slot;
  memset(&b, 0, sizeof b);
  memset(acc, 0, sizeof acc);
  b.env.fork = BLK_FORK_OSAKA;
  b.accounts = acc;
  b.n_accounts = 1;
  hex("b871111ec4a0decf4859fdc0ce2f498943e32d66", acc[0].address.b, 20);
  hex("0de0b6b3a7640000", acc[0].balance.b + 24, 8);
  uint8_t r[32], want[32];
  evm_state *st = evm_state_new(BLK_FORK_OSAKA);
  assert_int_equal(evm_state_load_block(st, &b), EVM_OK);
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  hex("10a5c6893be7cd3c05ed3a767c2151c2c1298543e9f9db61bb87fcdae64a1e1a", want, 32);
  assert_memory_equal(r, want, 32);
  evm_state_free(st);

  /* ethereum/tests stEIP1559/lowGasLimit: a94f...0b (nonce 1, 10^18) and
   * cccc...cc (10^18, code 600260005500, storage {0: 0x60a7}). */
  memset(acc, 0, sizeof acc);
  b.n_accounts = 2;
  hex("a94f5374fce5edbc8e2a8697c15331677e6ebf0b", acc[0].address.b, 20);
  acc[0].nonce = 1;
  hex("0de0b6b3a7640000", acc[0].balance.b + 24, 8);
  hex("cccccccccccccccccccccccccccccccccccccccc", acc[1].address.b, 20);
  hex("0de0b6b3a7640000", acc[1].balance.b + 24, 8);
  uint8_t codebytes[6];
  hex("600260005500", codebytes, 6);
  code.data = codebytes;
  code.len = 6;
  b.codes = &code;
  b.n_codes = 1;
  acc[1].code_ref = 1;
  memset(&slot, 0, sizeof slot);
  slot.value.b[30] = 0x60;
  slot.value.b[31] = 0xa7;
  acc[1].storage = &slot;
  acc[1].n_storage = 1;
  st = evm_state_new(BLK_FORK_CANCUN);
  assert_int_equal(evm_state_load_block(st, &b), EVM_OK);
  assert_int_equal(evm_state_root(st, r), EVM_OK);
  hex("b2b8d1860969ed21cd1eee5c69206176b951fbf820ee6b7f8ad84e8234094a5e", want, 32);
  assert_memory_equal(r, want, 32);
  evm_state_free(st);
}

/* What evm_state_observe_storage reports, in order. */
typedef struct {
  int n;
  const evm_account *a[8];
  uint64_t key[8], from[8], to[8];
  int transient[8];
} undo_log;

static void on_undo(void *ctx, const evm_account *a, const evm_slot *sl, const u256 *from, const u256 *to,
                    int transient) {
  undo_log *l = ctx;
  if (l->n == 8) fail_msg("more storage changes than expected");
  l->a[l->n] = a;
  l->key[l->n] = sl->key.w[0];
  l->from[l->n] = from->w[0];
  l->to[l->n] = to->w[0];
  l->transient[l->n] = transient;
  l->n++;
}

/* A revert reports each journaled storage and transient write it undoes,
 * the latest first, each from the value written to the value restored. */
static void test_revert_observed(void **s) {
  (void)s;
  evm_state *st = evm_state_new(BLK_FORK_CANCUN);
  uint8_t addr[20] = {0};
  addr[19] = 7;
  evm_account *a = evm_state_get(st, addr);
  u256 key = u256_from_u64(5), v1 = u256_from_u64(11), v2 = u256_from_u64(22);
  evm_slot *sl = evm_state_slot(st, a, &key), *ts = evm_state_tslot(st, a, &key);
  assert_int_equal(evm_state_set_storage(st, a, sl, &v1), 0);
  undo_log l;
  memset(&l, 0, sizeof l);
  evm_state_observe_storage(st, on_undo, &l);
  size_t cp = evm_state_checkpoint(st);
  assert_int_equal(evm_state_set_storage(st, a, sl, &v2), 0);
  assert_int_equal(evm_state_set_transient(st, a, ts, &v1), 0);
  assert_int_equal(evm_state_set_storage(st, a, sl, &v1), 0);
  assert_int_equal(l.n, 0); /* the setters report nothing */
  evm_state_revert(st, cp);
  assert_int_equal(l.n, 3);
  assert_ptr_equal(l.a[0], a);
  assert_int_equal(l.key[0], 5);
  assert_int_equal(l.from[0], 11); /* the last write, undone first */
  assert_int_equal(l.to[0], 22);
  assert_int_equal(l.transient[0], 0);
  assert_int_equal(l.from[1], 11);
  assert_int_equal(l.to[1], 0);
  assert_int_equal(l.transient[1], 1);
  assert_int_equal(l.from[2], 22);
  assert_int_equal(l.to[2], 11);
  assert_int_equal(sl->value.w[0], 11);
  evm_state_observe_storage(st, NULL, NULL);
  evm_state_revert(st, 0);
  assert_int_equal(l.n, 3);
  evm_state_free(st);
}

static void test_journal_revert(void **s) {
  (void)s;
  evm_state *st = evm_state_new(BLK_FORK_CANCUN);
  uint8_t addr[20] = {0}, before[32], after[32];
  addr[19] = 9;
  evm_account *a = evm_state_get(st, addr);
  u256 ten = u256_from_u64(10), key = u256_from_u64(3), v = u256_from_u64(77);
  assert_int_equal(evm_state_set_balance(st, a, &ten), 0);
  assert_int_equal(evm_state_root(st, before), EVM_OK);
  size_t cp = evm_state_checkpoint(st);
  u256 five = u256_from_u64(5);
  assert_int_equal(evm_state_sub_balance(st, a, &five), 0);
  assert_int_equal(evm_state_set_nonce(st, a, 4), 0);
  uint8_t code[3] = {0x60, 0x00, 0x00}, h[32] = {0xaa};
  assert_int_equal(evm_state_set_code(st, a, code, 3, h), 0);
  evm_slot *sl = evm_state_slot(st, a, &key);
  assert_int_equal(evm_state_set_storage(st, a, sl, &v), 0);
  evm_slot *ts = evm_state_tslot(st, a, &key);
  assert_int_equal(evm_state_set_transient(st, a, ts, &v), 0);
  assert_int_equal(evm_state_warm_slot(st, sl), 1);
  assert_int_equal(evm_state_warm_slot(st, sl), 0);
  uint8_t other[20] = {0};
  other[19] = 10;
  evm_account *b = evm_state_get(st, other);
  assert_int_equal(evm_state_warm_account(st, b), 1);
  assert_int_equal(evm_state_add_balance(st, b, &five), 0);
  assert_true(b->exists);
  assert_int_equal(evm_state_root(st, after), EVM_OK);
  assert_memory_not_equal(before, after, 32);
  evm_state_revert(st, cp);
  assert_int_equal(a->balance.w[0], 10);
  assert_int_equal(a->nonce, 0);
  assert_int_equal(a->code_len, 0);
  assert_true(u256_is_zero(&sl->value));
  assert_true(u256_is_zero(&ts->value));
  assert_false(sl->warm);
  assert_false(b->warm);
  assert_false(b->exists);
  assert_int_equal(evm_state_root(st, after), EVM_OK);
  assert_memory_equal(before, after, 32);
  evm_state_free(st);
}

static void test_commit_tx(void **s) {
  (void)s;
  evm_state *st = evm_state_new(BLK_FORK_CANCUN);
  uint8_t ea[20] = {0}, da[20] = {0}, ka[20] = {0};
  ea[19] = 1; /* empty, touched: deleted */
  da[19] = 2; /* destroyed: deleted */
  ka[19] = 4; /* keeps storage; slot original follows */
  evm_account *e = evm_state_get(st, ea), *d = evm_state_get(st, da), *k = evm_state_get(st, ka);
  u256 one = u256_from_u64(1), key = u256_zero();
  assert_int_equal(evm_state_create(st, e), 0);
  assert_int_equal(evm_state_create(st, d), 0);
  assert_int_equal(evm_state_set_nonce(st, d, 1), 0);
  assert_int_equal(evm_state_destroy(st, d), 0);
  assert_int_equal(evm_state_set_nonce(st, k, 1), 0);
  evm_slot *sl = evm_state_slot(st, k, &key), *ts = evm_state_tslot(st, k, &key);
  assert_int_equal(evm_state_set_storage(st, k, sl, &one), 0);
  assert_int_equal(evm_state_set_transient(st, k, ts, &one), 0);
  u256 two = u256_from_u64(2), key2 = u256_from_u64(9);
  evm_slot *ds = evm_state_slot(st, d, &key2), *dz = evm_state_slot(st, d, &key);
  assert_int_equal(evm_state_set_storage(st, d, ds, &two), 0);
  assert_non_null(dz); /* a zero slot of d: cleared without a report */
  assert_int_equal(evm_state_warm_account(st, k), 1);
  assert_true(u256_is_zero(&sl->original));
  undo_log l;
  memset(&l, 0, sizeof l);
  evm_state_observe_storage(st, on_undo, &l);
  evm_state_commit_tx(st);
  /* the destroyed account's non-zero slot is reported cleared; transient
   * storage emptied is not */
  assert_int_equal(l.n, 1);
  assert_ptr_equal(l.a[0], d);
  assert_int_equal(l.key[0], 9);
  assert_int_equal(l.from[0], 2);
  assert_int_equal(l.to[0], 0);
  assert_int_equal(l.transient[0], 0);
  assert_true(u256_is_zero(&ds->value));
  assert_false(e->exists);
  assert_false(d->exists);
  assert_int_equal(d->nonce, 0);
  assert_true(k->exists);
  assert_false(k->warm);
  assert_false(k->touched);
  assert_int_equal(sl->original.w[0], 1);
  assert_true(u256_is_zero(&ts->value));
  assert_int_equal(evm_state_checkpoint(st), 0);
  evm_state_free(st);
}

static void test_jumpdests(void **s) {
  (void)s;
  /* 0x5b at 0 and 4; the 0x5b at 2 is PUSH1 data; PUSH32 at 5 hides 6..37. */
  uint8_t code[40] = {0x5b, 0x60, 0x5b, 0x00, 0x5b, 0x7f};
  for (int i = 6; i < 38; i++) code[i] = 0x5b;
  code[38] = 0x5b;
  code[39] = 0x00;
  uint8_t *bm = evm_jumpdest_analyze(code, sizeof code);
  for (int i = 0; i < 40; i++) {
    int want = i == 0 || i == 4 || i == 38;
    assert_int_equal((bm[i / 8] >> (i % 8)) & 1, want);
  }
  free(bm);
}

/* ---- enumeration ---- */

#define MAX_SEEN 128
#define MAX_SEEN_SLOTS 128

typedef struct {
  evm_state_entry e; /* storage and code point into the copies below */
  uint8_t code[256];
  evm_state_kv slots[MAX_SEEN_SLOTS];
} seen_account;

typedef struct {
  seen_account a[MAX_SEEN];
  size_t n;
  size_t stop_after; /* 0: never stop */
} seen;

static int collect_entry(void *ctx, const evm_state_entry *e) {
  seen *v = ctx;
  assert_true(v->n < MAX_SEEN);
  assert_true(e->code_len <= sizeof v->a[0].code);
  assert_true(e->n_storage <= MAX_SEEN_SLOTS);
  seen_account *c = &v->a[v->n++];
  c->e = *e;
  if (e->code_len) memcpy(c->code, e->code, e->code_len);
  if (e->n_storage) memcpy(c->slots, e->storage, e->n_storage * sizeof *e->storage);
  c->e.code = e->code_len ? c->code : NULL;
  c->e.storage = e->n_storage ? c->slots : NULL;
  if (v->stop_after && v->n == v->stop_after) return 7;
  return 0;
}

static const seen_account *seen_find(const seen *v, const uint8_t a[20]) {
  for (size_t i = 0; i < v->n; i++)
    if (memcmp(v->a[i].e.addr, a, 20) == 0) return &v->a[i];
  return NULL;
}

/* The value of slot key (a small number) in an account as reported; 0 when absent. */
static uint64_t seen_slot(const seen_account *a, uint64_t key) {
  for (size_t i = 0; i < a->e.n_storage; i++) {
    uint8_t k[32] = {0};
    for (int b = 0; b < 8; b++) k[31 - b] = (uint8_t)(key >> (8 * b));
    if (memcmp(a->e.storage[i].key, k, 32) == 0) {
      uint64_t v = 0;
      for (int b = 24; b < 32; b++) v = v << 8 | a->e.storage[i].value[b];
      return v;
    }
  }
  return 0;
}

static uint64_t be_low64(const uint8_t be[32]) {
  uint64_t v = 0;
  for (int b = 24; b < 32; b++) v = v << 8 | be[b];
  return v;
}

/* keccak256(rlp([sender, nonce]))[12:], encoded here by hand for nonce < 0x80. */
static void create_addr(const uint8_t sender[20], uint8_t nonce, uint8_t out[20]) {
  uint8_t r[23] = {0xd6, 0x94}, h[32];
  memcpy(r + 2, sender, 20);
  r[22] = nonce ? nonce : 0x80;
  keccak256(r, sizeof r, h);
  memcpy(out, h + 12, 20);
}

/* Reported accounts are strictly ascending, slots strictly ascending with
 * non-zero values, code_hash is keccak256(code), and each agrees with the
 * lookup accessors. */
static void check_order_and_lookups(const evm_state *st, const seen *v) {
  for (size_t i = 0; i < v->n; i++) {
    const evm_state_entry *e = &v->a[i].e;
    if (i) assert_true(memcmp(v->a[i - 1].e.addr, e->addr, 20) < 0);
    uint8_t h[32];
    keccak256(e->code, e->code_len, h);
    assert_memory_equal(h, e->code_hash, 32);
    int exists = 0;
    uint64_t nonce = 0;
    uint8_t bal[32];
    const uint8_t *code = NULL;
    size_t code_len = 0;
    assert_int_equal(evm_state_account(st, e->addr, &exists, &nonce, bal, &code, &code_len), EVM_OK);
    assert_true(exists);
    assert_int_equal(nonce, e->nonce);
    assert_memory_equal(bal, e->balance, 32);
    assert_int_equal(code_len, e->code_len);
    for (size_t k = 0; k < e->n_storage; k++) {
      static const uint8_t zero[32];
      assert_memory_not_equal(e->storage[k].value, zero, 32);
      if (k) assert_true(memcmp(e->storage[k - 1].key, e->storage[k].key, 32) < 0);
      uint8_t val[32];
      evm_state_storage(st, e->addr, e->storage[k].key, val);
      assert_memory_equal(val, e->storage[k].value, 32);
    }
  }
}

/* F: CREATE(0) of A (init: SSTORE(1, 5), return code 5b); CREATE(3 wei) of B
 * (init: SELFDESTRUCT(0xbe)); SSTORE(0, 0) (was 7); SSTORE(2, 9); CALL K (an
 * old contract: SELFDESTRUCT(0xbf)); CALL E2 (empty, value 0). The expected
 * post-state is worked out by hand below. */
static void test_each_block(void **s) {
  (void)s;
  const char *factory =
      "6e" "6005600155605b60005360016000f3" "600052" /* mem[17..32) = init A */
      "600f" "6011" "6000" "f0" "50"                /* CREATE(0, 17, 15); POP */
      "62" "60beff" "600052"                        /* mem[29..32) = init B */
      "6003" "601d" "6003" "f0" "50"                /* CREATE(3, 29, 3); POP */
      "6000" "6000" "55"                            /* SSTORE(0, 0) */
      "6009" "6002" "55"                            /* SSTORE(2, 9) */
      "6000600060006000600060b0" "5a" "f1" "50"    /* CALL(gas, K=0xb0, 0, 0, 0, 0, 0); POP */
      "6000600060006000600060e2" "5a" "f1" "50"    /* CALL(gas, E2=0xe2, ...); POP */
      "00";
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    tu_world w;
    tu_init(&w, (blk_fork)f);
    blk_account *fa = tu_contract(&w, 0xf0, factory, 100);
    fa->nonce = 1;
    tu_slot(fa, 0, 7);
    blk_account *k = tu_contract(&w, 0xb0, "60bfff", 50);
    k->nonce = 1;
    tu_slot(k, 1, 1);
    tu_contract(&w, 0xe1, "", 0); /* empty, untouched: stays */
    tu_contract(&w, 0xe2, "", 0); /* empty, touched by the call: deleted */
    tu_tx(&w, 0xf0, 1000000, 0, "");
    assert_int_equal(tu_run(&w, NULL), EVM_OK);
    assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
    const evm_state *st = w.r.state;

    seen *v = calloc(1, sizeof *v);
    assert_non_null(v);
    assert_int_equal(evm_state_each(st, collect_entry, v), 0);
    check_order_and_lookups(st, v);
    size_t na = 0, ns = 0;
    evm_state_count(st, &na, &ns);
    assert_int_equal(na, v->n);
    size_t total = 0;
    for (size_t i = 0; i < v->n; i++) total += v->a[i].e.n_storage;
    assert_int_equal(ns, total);

    uint8_t fad[20], a_addr[20], b_addr[20], x[20];
    tu_addr(fad, 0xf0);
    create_addr(fad, 1, a_addr);
    create_addr(fad, 2, b_addr);
    /* sender, coinbase, F, A, 0xbe, K, 0xbf, E1 */
    assert_int_equal(v->n, 8);
    const seen_account *sa = seen_find(v, fad);
    assert_non_null(sa);
    assert_int_equal(sa->e.nonce, 3);
    assert_int_equal(be_low64(sa->e.balance), 97);
    assert_int_equal(sa->e.n_storage, 1); /* slot 0 cleared to zero is not reported */
    assert_int_equal(seen_slot(sa, 2), 9);
    const seen_account *ca = seen_find(v, a_addr);
    assert_non_null(ca);
    assert_int_equal(ca->e.nonce, 1);
    assert_int_equal(ca->e.code_len, 1);
    assert_int_equal(ca->e.code[0], 0x5b);
    assert_int_equal(ca->e.n_storage, 1);
    assert_int_equal(seen_slot(ca, 1), 5);
    assert_null(seen_find(v, b_addr)); /* created and destroyed in the transaction */
    tu_addr(x, 0xbe);
    assert_non_null(seen_find(v, x));
    assert_int_equal(be_low64(seen_find(v, x)->e.balance), 3);
    tu_addr(x, 0xb0); /* EIP-6780: an old contract survives its SELFDESTRUCT */
    const seen_account *ka = seen_find(v, x);
    assert_non_null(ka);
    assert_int_equal(be_low64(ka->e.balance), 0);
    assert_int_equal(ka->e.code_len, 3);
    assert_int_equal(seen_slot(ka, 1), 1);
    tu_addr(x, 0xbf);
    assert_non_null(seen_find(v, x));
    assert_int_equal(be_low64(seen_find(v, x)->e.balance), 50);
    tu_addr(x, 0xe1);
    assert_non_null(seen_find(v, x));
    assert_int_equal(seen_find(v, x)->e.nonce, 0);
    tu_addr(x, 0xe2);
    assert_null(seen_find(v, x));
    assert_non_null(seen_find(v, w.sender));
    assert_non_null(seen_find(v, w.b.env.coinbase.b));

    /* the walk stops at the callback's word */
    seen *u = calloc(1, sizeof *u);
    assert_non_null(u);
    u->stop_after = 3;
    assert_int_equal(evm_state_each(st, collect_entry, u), 7);
    assert_int_equal(u->n, 3);
    for (size_t i = 0; i < 3; i++) assert_memory_equal(u->a[i].e.addr, v->a[i].e.addr, 20);
    free(u);
    free(v);
    tu_free(&w);
  }
  assert_int_equal(evm_state_each(NULL, collect_entry, NULL), EVM_E_ARG);
}

/* The state root of the reported accounts, computed here: secure trie of
 * rlp([nonce, balance, storage_root, code_hash]) with each storage root the
 * secure trie of rlp(value) by slot key. */
typedef struct {
  uint8_t (*addr)[20];
  uint8_t **val;
  size_t *len;
  size_t n, cap;
} root_acc;

static int put_entry(void *ctx, const evm_state_entry *e) {
  root_acc *r = ctx;
  if (r->n == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 64;
    r->addr = realloc(r->addr, r->cap * 20);
    r->val = realloc(r->val, r->cap * sizeof *r->val);
    r->len = realloc(r->len, r->cap * sizeof *r->len);
    assert_true(r->addr && r->val && r->len);
  }
  mpt_kv *kv = e->n_storage ? calloc(e->n_storage, sizeof *kv) : NULL;
  uint8_t **sv = e->n_storage ? calloc(e->n_storage, sizeof *sv) : NULL;
  for (size_t i = 0; i < e->n_storage; i++) {
    rlp_enc q;
    rlp_enc_init(&q);
    rlp_put_u256(&q, e->storage[i].value);
    size_t l = 0;
    assert_int_equal(rlp_enc_finish(&q, &sv[i], &l), RLP_OK);
    kv[i].key = e->storage[i].key;
    kv[i].key_len = 32;
    kv[i].val = sv[i];
    kv[i].val_len = l;
  }
  uint8_t sroot[32];
  assert_int_equal(mpt_secure_root(kv, e->n_storage, sroot, NULL), MPT_OK);
  for (size_t i = 0; i < e->n_storage; i++) free(sv[i]);
  free(sv);
  free(kv);
  rlp_enc q;
  rlp_enc_init(&q);
  rlp_list_begin(&q);
  rlp_put_u64(&q, e->nonce);
  rlp_put_u256(&q, e->balance);
  rlp_put_bytes(&q, sroot, 32);
  rlp_put_bytes(&q, e->code_hash, 32);
  rlp_list_end(&q);
  memcpy(r->addr[r->n], e->addr, 20);
  assert_int_equal(rlp_enc_finish(&q, &r->val[r->n], &r->len[r->n]), RLP_OK);
  r->n++;
  return 0;
}

static void enumerated_root(const evm_state *st, uint8_t out[32]) {
  root_acc r;
  memset(&r, 0, sizeof r);
  assert_int_equal(evm_state_each(st, put_entry, &r), 0);
  mpt_kv *kv = r.n ? calloc(r.n, sizeof *kv) : NULL;
  for (size_t i = 0; i < r.n; i++) {
    kv[i].key = r.addr[i];
    kv[i].key_len = 20;
    kv[i].val = r.val[i];
    kv[i].val_len = r.len[i];
  }
  assert_int_equal(mpt_secure_root(kv, r.n, out, NULL), MPT_OK);
  for (size_t i = 0; i < r.n; i++) free(r.val[i]);
  free(kv);
  free(r.addr);
  free(r.val);
  free(r.len);
}

static void assert_round_trip(const evm_state *st) {
  uint8_t a[32], b[32];
  enumerated_root(st, a);
  assert_int_equal(evm_state_root(st, b), EVM_OK);
  assert_memory_equal(a, b, 32);
}

static uint64_t rng_next(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

static void test_each_random(void **s) {
  (void)s;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    uint64_t r = seed * UINT64_C(0x9e3779b97f4a7c15);
    evm_state *st = evm_state_new(BLK_FORK_CANCUN);
    assert_non_null(st);
    /* a small address space so that writes, deletions and re-creations meet */
    size_t n_addr = 4 + rng_next(&r) % 60;
    for (int round = 0; round < 6; round++) {
      size_t cp = evm_state_checkpoint(st);
      int ops = (int)(rng_next(&r) % 200);
      for (int o = 0; o < ops; o++) {
        uint8_t addr[20];
        memset(addr, 0, 20);
        uint64_t ai = rng_next(&r) % n_addr;
        addr[0] = (uint8_t)(ai * 37); /* spread over the first byte: order is not insertion order */
        addr[19] = (uint8_t)ai;
        evm_account *a = evm_state_get(st, addr);
        assert_non_null(a);
        switch (rng_next(&r) % 10) {
        case 0: case 1: {
          u256 v = u256_from_u64(rng_next(&r) % 3);
          assert_int_equal(evm_state_set_balance(st, a, &v), 0);
          break;
        }
        case 2: assert_int_equal(evm_state_set_nonce(st, a, rng_next(&r) % 3), 0); break;
        case 3: {
          uint8_t code[4] = {0x60, (uint8_t)rng_next(&r), 0x00, 0x5b}, h[32];
          size_t len = rng_next(&r) % 5;
          keccak256(code, len, h);
          assert_int_equal(evm_state_set_code(st, a, code, len, h), 0);
          break;
        }
        case 4: case 5: case 6: {
          u256 key = u256_from_u64(rng_next(&r) % 20), v = u256_from_u64(rng_next(&r) % 3);
          if (rng_next(&r) % 4 == 0) key.w[3] = rng_next(&r); /* a large key */
          evm_slot *sl = evm_state_slot(st, a, &key);
          assert_non_null(sl);
          if (!a->exists) assert_int_equal(evm_state_touch(st, a), 0);
          if (a->exists) assert_int_equal(evm_state_set_storage(st, a, sl, &v), 0);
          break;
        }
        case 7: assert_int_equal(evm_state_touch(st, a), 0); break;
        case 8:
          if (a->exists && rng_next(&r) % 2) assert_int_equal(evm_state_destroy(st, a), 0);
          break;
        case 9: assert_int_equal(evm_state_create(st, a), 0); break;
        }
      }
      /* mid-transaction the current values are reported */
      assert_round_trip(st);
      if (rng_next(&r) % 4 == 0) evm_state_revert(st, cp);
      evm_state_commit_tx(st);
      assert_round_trip(st);
      seen *v = calloc(1, sizeof *v);
      assert_non_null(v);
      size_t na = 0;
      evm_state_count(st, &na, NULL);
      assert_int_equal(evm_state_each(st, collect_entry, v), 0);
      assert_int_equal(v->n, na);
      check_order_and_lookups(st, v);
      /* every record not reported is out of the trie */
      for (size_t ai = 0; ai < n_addr; ai++) {
        uint8_t addr[20];
        memset(addr, 0, 20);
        addr[0] = (uint8_t)(ai * 37);
        addr[19] = (uint8_t)ai;
        int exists = 0;
        assert_int_equal(evm_state_account(st, addr, &exists, NULL, NULL, NULL, NULL), EVM_OK);
        assert_int_equal(exists, seen_find(v, addr) != NULL);
      }
      free(v);
    }
    evm_state_free(st);
  }
}

static void test_each_generated(void **s) {
  (void)s;
  size_t done = 0;
  for (size_t i = 0; i < gen_scenario_count(); i++) {
    for (int f = 0; f < BLK_FORK_COUNT; f++) {
      gen_params p = {300000, (blk_fork)f, 1};
      blk_block b;
      int rc = gen_worst_case(gen_scenario_name(i), &p, &b);
      if (rc == GEN_E_PARAM) continue;
      assert_int_equal(rc, GEN_OK);
      evm_block_result r;
      rc = evm_execute_block(&b, NULL, &r);
      if (rc == EVM_OK) {
        assert_round_trip(r.state);
        uint8_t root[32];
        enumerated_root(r.state, root);
        assert_memory_equal(root, r.state_root, 32);
        done++;
      }
      evm_block_result_free(&r);
      blk_free(&b);
    }
  }
  print_message("enumerated the post-states of %zu generated blocks\n", done);
  assert_true(done > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_root),   cmocka_unit_test(test_known_roots),
      cmocka_unit_test(test_journal_revert),
      cmocka_unit_test(test_revert_observed), cmocka_unit_test(test_commit_tx),
      cmocka_unit_test(test_jumpdests),    cmocka_unit_test(test_each_block),
      cmocka_unit_test(test_each_random),  cmocka_unit_test(test_each_generated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
