/* Tests of the state-test exporter (harness/fix_export.h).
 *
 * The importer (fix.h) is the reference reader: every export is parsed back
 * and checked against facts derived independently of the exporter:
 *   - a hand-built block (storage write, a log, nested CREATEs, legacy,
 *     access-list and fee-market transactions from three test keys, a
 *     transaction rejected for its nonce, a transfer to a fresh address): the
 *     per-transaction tests chain (the post state of test k is the pre-state
 *     of test k+1), each imported test executes to its stated root and logs,
 *     the last root is the whole block's, the nested CREATE addresses (from a
 *     hand-written RLP) are present, the rejected one carries expectException;
 *   - the refusals: no transactions, blockchain_test of a block holding a
 *     rejected transaction, a transaction that is valid alone but not inside
 *     its block, BLOCKHASH with block hashes;
 *   - accounts no transaction field names: a value transfer to an address
 *     written only in the code, a CREATE2 whose salt exists only at run
 *     time and whose child CREATEs in turn (the addresses derived here by
 *     hand): all in the exported post-state, on every fork;
 *   - generated worst-case blocks at a small gas limit, every scenario;
 *   - every case of every fixture under ../shared/conformance: import, export,
 *     import gives the same block bytes and the same expected root and logs.
 * Blocks are compared byte for byte: the importer names a test-key sender by
 * index (unsigned), as blocks do, and takes any other sender's signature from
 * txbytes, so nothing needs normalising.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/txsig.h"
#include "fix.h"
#include "fix_export.h"
#include "gen.h"
#include "hash/keccak.h"

static const uint8_t k_empty_logs[32] = {0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
                                         0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
                                         0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47};

static const char *src_dir(void) {
  const char *s = getenv("PKB_SOURCE_DIR");
  return s && *s ? s : ".";
}

/* ---- block building ---- */

static void set_u64(blk_u256 *v, uint64_t x) {
  memset(v->b, 0, 32);
  for (int i = 0; i < 8; i++) v->b[31 - i] = (uint8_t)(x >> (8 * i));
}

static void fill_addr(blk_addr *a, uint8_t lead, uint8_t last) {
  memset(a->b, 0, 20);
  a->b[0] = lead;
  a->b[19] = last;
}

static int cmp_account(const void *x, const void *y) {
  return memcmp(((const blk_account *)x)->address.b, ((const blk_account *)y)->address.b, 20);
}

static void base_block(blk_block *b, blk_fork fork, uint64_t gas_limit) {
  memset(b, 0, sizeof *b);
  b->version = BLK_VERSION;
  b->env.fork = fork;
  b->env.chain_id = 1;
  b->env.number = 10;
  b->env.timestamp = 1700000000;
  b->env.gas_limit = gas_limit;
  set_u64(&b->env.base_fee, 7);
  fill_addr(&b->env.coinbase, 0xc0, 0x01);
  memset(b->env.prevrandao, 0x11, 32);
}

/* Accounts: n_keys funded test keys plus the given contracts (code i at
 * address contracts[i], nonce 1, balance bal[i]); sorted. */
static void add_accounts(blk_block *b, uint32_t n_keys, const blk_addr *contracts, const uint8_t *const *codes,
                         const size_t *code_lens, const uint64_t *bal, size_t n_contracts) {
  b->n_accounts = n_keys + n_contracts;
  b->accounts = calloc(b->n_accounts, sizeof *b->accounts);
  b->codes = n_contracts ? calloc(n_contracts, sizeof *b->codes) : NULL;
  assert_non_null(b->accounts);
  for (uint32_t k = 0; k < n_keys; k++) {
    assert_int_equal(evm_test_address(k, b->accounts[k].address.b), EVM_SIG_OK);
    set_u64(&b->accounts[k].balance, 1000000000000000000ull);
  }
  for (size_t i = 0; i < n_contracts; i++) {
    blk_account *a = &b->accounts[n_keys + i];
    a->address = contracts[i];
    a->nonce = 1;
    set_u64(&a->balance, bal[i]);
    b->codes[i].data = malloc(code_lens[i]);
    assert_non_null(b->codes[i].data);
    memcpy(b->codes[i].data, codes[i], code_lens[i]);
    b->codes[i].len = code_lens[i];
    a->code_ref = (uint32_t)(i + 1);
  }
  b->n_codes = n_contracts;
  qsort(b->accounts, b->n_accounts, sizeof *b->accounts, cmp_account);
}

static blk_tx *add_tx(blk_block *b, uint8_t type, uint32_t key, uint64_t nonce, uint64_t gas, const blk_addr *to) {
  blk_tx *nt = realloc(b->txs, (b->n_txs + 1) * sizeof *nt);
  assert_non_null(nt);
  b->txs = nt;
  blk_tx *t = &b->txs[b->n_txs++];
  memset(t, 0, sizeof *t);
  t->type = type;
  t->sender_key = key;
  t->nonce = nonce;
  t->gas_limit = gas;
  t->to = *to;
  set_u64(&t->gas_price, 10);
  if (type >= 2) set_u64(&t->max_priority_fee, 2);
  return t;
}

/* ---- comparison helpers ---- */

static void assert_same_block(blk_block *x, blk_block *y) {
  uint8_t *ex = NULL, *ey = NULL;
  size_t nx = 0, ny = 0;
  assert_int_equal(blk_encode(x, &ex, &nx), BLK_OK);
  assert_int_equal(blk_encode(y, &ey, &ny), BLK_OK);
  assert_int_equal(nx, ny);
  assert_memory_equal(ex, ey, nx);
  free(ex);
  free(ey);
}

static void export_parse(const blk_block *b, int post_state, fix_file *f) {
  fixx_opts o = {"t", post_state, 0, NULL, NULL};
  char *json = NULL;
  size_t len = 0;
  fixx_error e;
  int rc = fixx_state_test(b, &o, &json, &len, &e);
  if (rc != FIXX_OK) print_error("export: %s\n", e.msg);
  assert_int_equal(rc, FIXX_OK);
  assert_int_equal(strlen(json), len);
  fix_error fe;
  rc = fix_parse(json, len, "export", NULL, f, &fe);
  if (rc != FIX_OK) print_error("import of the export: %s\n", fe.msg);
  assert_int_equal(rc, FIX_OK);
  free(json);
}

/* The pre-state of block p equals the expected post-state of case c. */
static void assert_pre_is_post(const blk_block *p, const fix_case *c) {
  assert_true(c->has_post_state);
  assert_int_equal(p->n_accounts, c->n_post_state);
  for (size_t i = 0; i < p->n_accounts; i++) {
    const blk_account *a = &p->accounts[i];
    const fix_account *q = &c->post_state[i];
    assert_memory_equal(a->address.b, q->address.b, 20);
    assert_int_equal(a->nonce, q->nonce);
    assert_memory_equal(a->balance.b, q->balance.b, 32);
    size_t cl = a->code_ref ? p->codes[a->code_ref - 1].len : 0;
    assert_int_equal(cl, q->code.len);
    if (cl) assert_memory_equal(p->codes[a->code_ref - 1].data, q->code.data, cl);
    assert_int_equal(a->n_storage, q->n_storage);
    if (a->n_storage) assert_memory_equal(a->storage, q->storage, a->n_storage * sizeof *a->storage);
  }
}

/* Check an exported block through the importer: one case per transaction,
 * in order; each case's transaction is the block's; case 0's pre-state is the
 * block's; the cases chain; each executes to its stated root and logs; the
 * last root is the whole block's. Returns the parsed file (caller frees). */
static void check_export(const blk_block *b, fix_file *f) {
  export_parse(b, 1, f);
  assert_int_equal(f->n_cases, b->n_txs);
  evm_block_result whole;
  assert_int_equal(evm_execute_block(b, NULL, &whole), EVM_OK);
  for (size_t k = 0; k < f->n_cases; k++) {
    fix_case *c = &f->cases[k];
    char want[64];
    snprintf(want, sizeof want, "t_tx%zu", k);
    assert_string_equal(c->test, want);
    assert_int_equal(c->skip[0], 0);
    assert_int_equal(c->fork, b->env.fork);
    assert_int_equal(c->block.n_txs, 1);
    /* the transaction: the block's own */
    blk_block one = c->block, mine = *b;
    one.codes = NULL, one.n_codes = 0, one.accounts = NULL, one.n_accounts = 0;
    mine.codes = NULL, mine.n_codes = 0, mine.accounts = NULL, mine.n_accounts = 0;
    mine.env.block_hashes = NULL, mine.env.n_block_hashes = 0;
    blk_tx copy = b->txs[k];
    mine.txs = &copy, mine.n_txs = 1;
    uint8_t *e1 = NULL, *e2 = NULL;
    size_t n1 = 0, n2 = 0;
    assert_int_equal(blk_encode(&one, &e1, &n1), BLK_OK);
    assert_int_equal(blk_encode(&mine, &e2, &n2), BLK_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(e1, e2, n1);
    free(e1);
    free(e2);
    /* the pre-state: the block's for k = 0, the previous case's post after */
    if (k == 0) {
      blk_block pa = *b, pb = c->block;
      pa.txs = pb.txs = NULL;
      pa.n_txs = pb.n_txs = 0;
      pa.env.block_hashes = NULL, pa.env.n_block_hashes = 0;
      assert_int_equal(blk_validate(&pa, NULL), BLK_OK);
      /* the account lists must agree; code order may differ, so compare
       * through the post-state form */
      assert_int_equal(pa.n_accounts, pb.n_accounts);
      for (size_t i = 0; i < pa.n_accounts; i++) {
        assert_memory_equal(pa.accounts[i].address.b, pb.accounts[i].address.b, 20);
        assert_int_equal(pa.accounts[i].nonce, pb.accounts[i].nonce);
        assert_memory_equal(pa.accounts[i].balance.b, pb.accounts[i].balance.b, 32);
        assert_int_equal(pa.accounts[i].n_storage, pb.accounts[i].n_storage);
        const blk_bytes *ca = pa.accounts[i].code_ref ? &pa.codes[pa.accounts[i].code_ref - 1] : NULL;
        const blk_bytes *cb = pb.accounts[i].code_ref ? &pb.codes[pb.accounts[i].code_ref - 1] : NULL;
        assert_int_equal(ca ? ca->len : 0, cb ? cb->len : 0);
        if (ca && ca->len) assert_memory_equal(ca->data, cb->data, ca->len);
      }
    } else {
      assert_pre_is_post(&c->block, &f->cases[k - 1]);
    }
    /* executing the imported test gives what it states */
    evm_block_result r;
    assert_int_equal(evm_execute_block(&c->block, NULL, &r), EVM_OK);
    assert_memory_equal(r.state_root, c->post_root, 32);
    assert_memory_equal(r.logs_hash, c->logs_hash, 32);
    assert_int_equal(r.txs[0].status, whole.txs[k].status);
    assert_int_equal(r.txs[0].gas_used, whole.txs[k].gas_used);
    if (whole.txs[k].status == EVM_TX_INVALID) {
      assert_non_null(c->expect_exception);
      assert_string_equal(c->expect_exception, evm_invalid_name(whole.txs[k].invalid));
    } else {
      assert_null(c->expect_exception);
    }
    evm_block_result_free(&r);
  }
  assert_memory_equal(f->cases[f->n_cases - 1].post_root, whole.state_root, 32);
  evm_block_result_free(&whole);
}

/* ---- a hand-built block ---- */

/* C: SSTORE(0, 42); LOG1(0, 0, topic 0xff); CREATE(0, 0, 0); STOP */
static const uint8_t k_code_c[] = {0x60, 0x2a, 0x60, 0x00, 0x55, 0x60, 0xff, 0x60, 0x00, 0x60, 0x00, 0xa1,
                                   0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0xf0, 0x50, 0x00};

static void hand_block(blk_block *b) {
  blk_addr c;
  fill_addr(&c, 0xcc, 0x01);
  const uint8_t *codes[] = {k_code_c};
  size_t lens[] = {sizeof k_code_c};
  uint64_t bal[] = {0};
  base_block(b, BLK_FORK_PRAGUE, 10000000);
  add_accounts(b, 3, &c, codes, lens, bal, 1);
  add_tx(b, 2, 0, 0, 200000, &c);
  add_tx(b, 0, 1, 0, 200000, &c);
  blk_tx *t = add_tx(b, 1, 2, 0, 200000, &c);
  t->access_list = calloc(1, sizeof *t->access_list);
  assert_non_null(t->access_list);
  t->n_access_list = 1;
  t->access_list[0].address = c;
  t->access_list[0].keys = calloc(1, sizeof(blk_u256));
  assert_non_null(t->access_list[0].keys);
  t->access_list[0].n_keys = 1;
  add_tx(b, 2, 0, 5, 100000, &c); /* nonce too high: rejected */
  blk_addr fresh;
  fill_addr(&fresh, 0xee, 0x42);
  t = add_tx(b, 2, 0, 1, 21000, &fresh);
  set_u64(&t->value, 1);
  assert_int_equal(blk_validate(b, NULL), BLK_OK);
}

static const fix_account *find_post(const fix_case *c, const uint8_t a[20]) {
  for (size_t i = 0; i < c->n_post_state; i++)
    if (memcmp(c->post_state[i].address.b, a, 20) == 0) return &c->post_state[i];
  return NULL;
}

static void count_progress(void *ctx, size_t done, size_t total) {
  size_t *seen = ctx;
  assert_int_equal(done, seen[0] + 1); /* once per transaction, in order */
  seen[0] = done;
  seen[1] = total;
}

static void test_hand_block(void **state) {
  (void)state;
  blk_block b;
  hand_block(&b);
  fix_file f;
  check_export(&b, &f);
  assert_int_equal(f.n_cases, 5);
  /* C's CREATE at nonces 1, 2, 3 (txs 0, 1, 2): rlp([C, n]) = d6 94 C n */
  uint8_t rl[23] = {0xd6, 0x94};
  memset(rl + 2, 0, 20);
  rl[2] = 0xcc;
  rl[21] = 0x01;
  for (int n = 1; n <= 3; n++) {
    rl[22] = (uint8_t)n;
    uint8_t h[32];
    keccak256(rl, sizeof rl, h);
    const fix_account *a = find_post(&f.cases[n - 1], h + 12);
    assert_non_null(a);
    assert_int_equal(a->nonce, 1);
    assert_int_equal(a->code.len, 0);
    if (n >= 2) assert_null(find_post(&f.cases[n - 2], h + 12)); /* not there before */
  }
  /* the slot and the log */
  uint8_t caddr[20] = {0xcc};
  caddr[19] = 0x01;
  const fix_account *ca = find_post(&f.cases[0], caddr);
  assert_non_null(ca);
  assert_int_equal(ca->nonce, 2);
  assert_int_equal(ca->n_storage, 1);
  assert_int_equal(ca->storage[0].value.b[31], 42);
  assert_memory_not_equal(f.cases[0].logs_hash, k_empty_logs, 32);
  /* the rejected transaction: state unchanged, no logs */
  assert_non_null(f.cases[3].expect_exception);
  assert_string_equal(f.cases[3].expect_exception, "NONCE_MISMATCH_TOO_HIGH");
  assert_memory_equal(f.cases[3].post_root, f.cases[2].post_root, 32);
  assert_memory_equal(f.cases[3].logs_hash, k_empty_logs, 32);
  /* the fresh recipient of the last transfer */
  uint8_t fresh[20] = {0xee};
  fresh[19] = 0x42;
  assert_null(find_post(&f.cases[3], fresh));
  assert_non_null(find_post(&f.cases[4], fresh));
  /* the transaction types survive (senders were compared by check_export) */
  assert_int_equal(f.cases[0].block.txs[0].type, 2);
  assert_int_equal(f.cases[1].block.txs[0].type, 0);
  assert_int_equal(f.cases[2].block.txs[0].type, 1);
  fix_file_free(&f);

  /* export without the post state, indented: same cases, no `state` */
  size_t seen[2] = {0, 0};
  fixx_opts o = {"t", 0, 1, count_progress, seen};
  char *json = NULL;
  size_t len = 0;
  assert_int_equal(fixx_state_test(&b, &o, &json, &len, NULL), FIXX_OK);
  assert_int_equal(seen[0], 5);
  assert_int_equal(seen[1], 5);
  assert_non_null(strchr(json, '\n'));
  assert_null(strstr(json, "\"state\""));
  assert_int_equal(fix_parse(json, len, "x", NULL, &f, NULL), FIX_OK);
  assert_int_equal(f.n_cases, 5);
  assert_int_equal(f.cases[4].has_post_state, 0);
  fix_file_free(&f);
  free(json);
  blk_free(&b);
}

/* ---- refusals ---- */

static void expect_refusal(const blk_block *b, int code, const char *msg_part) {
  char *json = (char *)1;
  fixx_error e;
  assert_int_equal(fixx_state_test(b, NULL, &json, NULL, &e), code);
  assert_null(json);
  assert_int_equal(e.code, code);
  if (msg_part && !strstr(e.msg, msg_part)) print_error("message: %s\n", e.msg);
  if (msg_part) assert_non_null(strstr(e.msg, msg_part));
}

static void test_refusals(void **state) {
  (void)state;
  assert_int_equal(fixx_state_test(NULL, NULL, NULL, NULL, NULL), FIXX_E_ARG);
  fixx_format fmt;
  assert_int_equal(fixx_format_from_name("state_test", &fmt), FIXX_OK);
  assert_int_equal(fmt, FIXX_STATE_TEST);
  assert_int_equal(fixx_format_from_name("blockchain_test", &fmt), FIXX_OK);
  assert_int_equal(fmt, FIXX_BLOCKCHAIN_TEST);
  assert_int_equal(fixx_format_from_name("state", &fmt), FIXX_E_ARG);
  assert_string_equal(fixx_format_name(FIXX_BLOCKCHAIN_TEST), "blockchain_test");

  blk_block b;
  hand_block(&b);
  char *json = NULL;
  fixx_error e;
  /* the hand block holds a rejected transaction: a blockchain test cannot carry it */
  assert_int_equal(fixx_export(&b, FIXX_BLOCKCHAIN_TEST, NULL, &json, NULL, &e), FIXX_E_UNREP);
  assert_non_null(strstr(e.msg, "rejected"));
  assert_null(json);
  fixx_opts empty_name = {"", 0, 0, NULL, NULL};
  assert_int_equal(fixx_state_test(&b, &empty_name, &json, NULL, NULL), FIXX_E_ARG);
  size_t n = b.n_txs;
  b.n_txs = 0;
  expect_refusal(&b, FIXX_E_ARG, "no transactions");
  b.n_txs = n;
  blk_free(&b);

  /* valid alone, over the block's gas limit after the first */
  blk_addr to;
  fill_addr(&to, 0xee, 0x01);
  base_block(&b, BLK_FORK_OSAKA, 50000);
  add_accounts(&b, 1, NULL, NULL, NULL, NULL, 0);
  add_tx(&b, 2, 0, 0, 30000, &to);
  add_tx(&b, 2, 0, 1, 30000, &to);
  expect_refusal(&b, FIXX_E_CONTEXT, "transaction 1");
  blk_free(&b);

  /* BLOCKHASH(9) with the block's hashes listed; without BLOCKHASH they are harmless */
  uint8_t code_h[] = {0x60, 0x09, 0x40, 0x60, 0x00, 0x55, 0x00};
  uint8_t code_n[] = {0x60, 0x09, 0x60, 0x00, 0x55, 0x00};
  for (int with_op = 0; with_op < 2; with_op++) {
    blk_addr h;
    fill_addr(&h, 0xbb, 0x01);
    const uint8_t *hc[] = {with_op ? code_h : code_n};
    size_t hl[] = {with_op ? sizeof code_h : sizeof code_n};
    uint64_t hb[] = {0};
    base_block(&b, BLK_FORK_CANCUN, 10000000);
    add_accounts(&b, 1, &h, hc, hl, hb, 1);
    add_tx(&b, 2, 0, 0, 100000, &h);
    b.env.block_hashes = calloc(1, sizeof *b.env.block_hashes);
    assert_non_null(b.env.block_hashes);
    b.env.n_block_hashes = 1;
    b.env.block_hashes[0].number = 9;
    memset(b.env.block_hashes[0].hash, 0x99, 32);
    if (with_op) {
      expect_refusal(&b, FIXX_E_UNREP, "BLOCKHASH");
    } else {
      assert_int_equal(fixx_state_test(&b, NULL, &json, NULL, NULL), FIXX_OK);
      free(json);
    }
    blk_free(&b);
  }
}

/* ---- accounts no transaction field names ---- */

/* D sends 1 wei to an address nothing else names: CALL(gas, X, 1, 0, 0, 0, 0) */
static const uint8_t k_code_d[] = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x01, 0x73, 0x77,
                                   0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77,
                                   0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x5a, 0xf1, 0x50, 0x00};

/* C2's init code: CREATE(0, 0, 0); POP; STOP (a grandchild created by a
 * contract that did not exist before the transaction). */
static const uint8_t k_init_c2[] = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0xf0, 0x50, 0x00};

/* G: mem[23..32) = C2's init code; CREATE2(5 wei, 23, 9, salt = TIMESTAMP);
 * POP; STOP. The salt exists only at run time. */
static const uint8_t k_code_g[] = {0x68, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0xf0, 0x50, 0x00, /* PUSH9 init */
                                   0x60, 0x00, 0x52,                                           /* MSTORE at 0 */
                                   0x42, 0x60, 0x09, 0x60, 0x17, 0x60, 0x05, 0xf5, 0x50, 0x00};

/* keccak256(rlp([sender, nonce]))[12:] for 0 < nonce < 0x80, encoded by hand. */
static void create_addr(const uint8_t sender[20], uint8_t nonce, uint8_t out[20]) {
  uint8_t rl[23] = {0xd6, 0x94}, h[32];
  memcpy(rl + 2, sender, 20);
  rl[22] = nonce;
  keccak256(rl, sizeof rl, h);
  memcpy(out, h + 12, 20);
}

/* Accounts that no transaction field names and no nonce derives (found only
 * by executing): every one is in the exported post-state, the tests chain
 * and each executes to its root. */
static void test_unnamed_accounts(void **state) {
  (void)state;
  blk_block b;
  fix_file f;

  /* a value transfer to a fresh address named only inside the code */
  blk_addr d;
  fill_addr(&d, 0xdd, 0x01);
  const uint8_t *codes_d[] = {k_code_d};
  size_t lens_d[] = {sizeof k_code_d};
  uint64_t bal_d[] = {1000};
  base_block(&b, BLK_FORK_CANCUN, 10000000);
  add_accounts(&b, 1, &d, codes_d, lens_d, bal_d, 1);
  add_tx(&b, 2, 0, 0, 100000, &d);
  check_export(&b, &f);
  uint8_t x[20];
  memset(x, 0x77, 20);
  const fix_account *xa = find_post(&f.cases[0], x);
  assert_non_null(xa);
  assert_int_equal(xa->balance.b[31], 1);
  fix_file_free(&f);
  blk_free(&b);

  /* CREATE2 with a salt computed at run time, whose child CREATEs in turn;
   * neither child touches storage. Two transactions: the second finds the
   * first's CREATE2 address taken and fails it (collision), the nonce of G
   * still rises. */
  blk_addr g;
  fill_addr(&g, 0x99, 0x01);
  const uint8_t *codes_g[] = {k_code_g};
  size_t lens_g[] = {sizeof k_code_g};
  uint64_t bal_g[] = {100};
  for (int fork = 0; fork < BLK_FORK_COUNT; fork++) {
    base_block(&b, (blk_fork)fork, 10000000);
    add_accounts(&b, 1, &g, codes_g, lens_g, bal_g, 1);
    add_tx(&b, 2, 0, 0, 200000, &g);
    add_tx(&b, 2, 0, 1, 200000, &g);
    check_export(&b, &f);
    assert_int_equal(f.n_cases, 2);
    /* keccak256(0xff ++ G ++ salt ++ keccak256(init))[12:], salt the timestamp */
    uint8_t pre[85], h[32], c2[20], gc[20];
    pre[0] = 0xff;
    memcpy(pre + 1, g.b, 20);
    memset(pre + 21, 0, 32);
    for (int i = 0; i < 8; i++) pre[52 - i] = (uint8_t)(b.env.timestamp >> (8 * i));
    keccak256(k_init_c2, sizeof k_init_c2, pre + 53);
    keccak256(pre, sizeof pre, h);
    memcpy(c2, h + 12, 20);
    create_addr(c2, 1, gc);
    for (size_t k = 0; k < 2; k++) {
      const fix_account *ca = find_post(&f.cases[k], c2);
      assert_non_null(ca);
      assert_int_equal(ca->nonce, 2); /* 1 at creation, 1 for its CREATE */
      assert_int_equal(ca->balance.b[31], 5);
      assert_int_equal(ca->code.len, 0);
      assert_int_equal(ca->n_storage, 0);
      const fix_account *gca = find_post(&f.cases[k], gc);
      assert_non_null(gca);
      assert_int_equal(gca->nonce, 1);
      const fix_account *ga = find_post(&f.cases[k], g.b);
      assert_non_null(ga);
      assert_int_equal(ga->nonce, 2 + k);
      assert_int_equal(ga->balance.b[31], 95);
    }
    fix_file_free(&f);
    blk_free(&b);
  }
}

/* ---- generated blocks ---- */

static void test_generated(void **state) {
  (void)state;
  size_t done = 0;
  for (size_t i = 0; i < gen_scenario_count(); i++) {
    gen_params p = {300000, (blk_fork)(i % BLK_FORK_COUNT), 1};
    blk_block b;
    int rc = gen_worst_case(gen_scenario_name(i), &p, &b);
    if (rc == GEN_E_PARAM) continue; /* needs more gas than this small block */
    assert_int_equal(rc, GEN_OK);
    if (b.n_txs == 0) {
      blk_free(&b);
      continue;
    }
    fix_file f;
    check_export(&b, &f);
    /* import -> export -> import of each case is a fixed point */
    for (size_t k = 0; k < f.n_cases; k++) {
      fix_file g;
      export_parse(&f.cases[k].block, 0, &g);
      assert_int_equal(g.n_cases, 1);
      assert_memory_equal(g.cases[0].post_root, f.cases[k].post_root, 32);
      assert_memory_equal(g.cases[0].logs_hash, f.cases[k].logs_hash, 32);
      assert_same_block(&f.cases[k].block, &g.cases[0].block);
      fix_file_free(&g);
    }
    fix_file_free(&f);
    blk_free(&b);
    done++;
  }
  print_message("exported %zu generated blocks\n", done);
  assert_true(done > 0);
}

/* ---- the shipped fixtures ---- */

static char **g_files;
static size_t g_n_files, g_cap_files;

static int collect(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  size_t n = strlen(path);
  if (flag == FTW_F && n > 5 && strcmp(path + n - 5, ".json") == 0) {
    if (g_n_files == g_cap_files) {
      g_cap_files = g_cap_files ? g_cap_files * 2 : 256;
      g_files = realloc(g_files, g_cap_files * sizeof *g_files);
      if (!g_files) return 1;
    }
    g_files[g_n_files++] = strdup(path);
  }
  return 0;
}

static void test_conformance_round_trip(void **state) {
  (void)state;
  char root[4096];
  snprintf(root, sizeof root, "%s/../shared/conformance", src_dir());
  struct stat st;
  if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
    print_message("skipped: %s not found (the shared conformance fixtures sit beside the repository)\n", root);
    skip();
  }
  g_files = NULL;
  g_n_files = g_cap_files = 0;
  assert_int_equal(nftw(root, collect, 16, FTW_PHYS), 0);
  assert_true(g_n_files > 0);
  size_t cases = 0, same = 0, by_address = 0, import_skip = 0, exec_skip = 0, exec_differs = 0;
  /* PKB_TEST_STRIDE=N takes every N-th file (the sanitizer run uses it to
   * keep its time in bounds); the plain run reads them all. */
  size_t stride = 1;
  const char *sv = getenv("PKB_TEST_STRIDE");
  if (sv && atoi(sv) > 1) stride = (size_t)atoi(sv);
  for (size_t i = 0; i < g_n_files; i += stride) {
    fix_file f;
    fix_error fe;
    int rc = fix_load(g_files[i], NULL, &f, &fe);
    if (rc != FIX_OK) print_error("%s\n", fe.msg);
    assert_int_equal(rc, FIX_OK);
    for (size_t j = 0; j < f.n_cases; j++) {
      fix_case *a = &f.cases[j];
      cases++;
      if (a->skip[0]) {
        import_skip++;
        continue;
      }
      char *json = NULL;
      size_t len = 0;
      fixx_error e;
      fixx_opts o = {"case", 0, 0, NULL, NULL};
      rc = fixx_state_test(&a->block, &o, &json, &len, &e);
      if (rc == FIXX_E_EXEC) { /* a precompile this build lacks */
        exec_skip++;
        continue;
      }
      if (rc != FIXX_OK) print_error("%s: %s: %s\n", g_files[i], a->test, e.msg);
      assert_int_equal(rc, FIXX_OK);
      fix_file g;
      rc = fix_parse(json, len, "export", NULL, &g, &fe);
      free(json);
      if (rc != FIX_OK) print_error("%s: %s: %s\n", g_files[i], a->test, fe.msg);
      assert_int_equal(rc, FIX_OK);
      assert_int_equal(g.n_cases, 1);
      fix_case *b = &g.cases[0];
      assert_int_equal(b->skip[0], 0);
      if (memcmp(a->post_root, b->post_root, 32) != 0 || memcmp(a->logs_hash, b->logs_hash, 32) != 0 ||
          !a->expect_exception != !b->expect_exception) {
        /* the export states this executor's result: where that differs from
         * the fixture it is the executor's disagreement, not the export's */
        evm_block_result r;
        assert_int_equal(evm_execute_block(&a->block, NULL, &r), EVM_OK);
        assert_memory_equal(r.state_root, b->post_root, 32);
        assert_memory_equal(r.logs_hash, b->logs_hash, 32);
        evm_block_result_free(&r);
        print_message("executor differs from the fixture: %s: %s [%s %zu]\n", g_files[i], a->test, a->fork_name,
                      a->post_index);
        exec_differs++;
      }
      assert_same_block(&a->block, &b->block);
      same++;
      /* no test key: the export has no secretKey, the import took the signature from txbytes */
      if (b->block.txs[0].sender_is_address) by_address++;
      fix_file_free(&g);
    }
    fix_file_free(&f);
  }
  for (size_t i = 0; i < g_n_files; i++) free(g_files[i]);
  free(g_files);
  g_files = NULL;
  print_message("%zu cases: %zu round-tripped (%zu with a sender that is no test key, %zu where the executor "
                "differs from the fixture); skipped: %zu not importable, %zu need a precompile this build lacks\n",
                cases, same, by_address, exec_differs, import_skip, exec_skip);
  assert_true(same > 0);
  if (stride == 1) assert_true(by_address > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_block),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_unnamed_accounts),
      cmocka_unit_test(test_generated),
      cmocka_unit_test(test_conformance_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
