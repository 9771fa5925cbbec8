/* Tests of the blockchain_test export and import (harness/fix_bc.h).
 *
 * Facts checked against values derived apart from the code under test:
 *   - header codec: the mainnet genesis header (its published fields and hash
 *     d4e56740...), the empty ommers hash keccak256(0xc0) and the empty trie
 *     root keccak256(0x80); a 21-field header decodes and re-encodes to the
 *     same bytes;
 *   - a hand-built block: the exported headers read back from the JSON and
 *     from the block RLP (decoded here with the RLP reader): parent hash =
 *     genesis hash = keccak of the genesis header RLP, the block's state root
 *     and gas = a separate execution's, the transactions root of a one-
 *     transaction block = keccak of the one-leaf trie node built here by hand,
 *     the genesis base fee and excess blob gas = the EIP-1559 / EIP-4844
 *     inverses computed here, requestsHash = sha256 of nothing (FIPS 180
 *     value);
 *   - export then import gives the same block bytes: the hand-built block, a
 *     block reading BLOCKHASH(N-1) whose block_hashes hold the genesis hash,
 *     every generated worst-case scenario (Cancun, Prague, Osaka, small gas)
 *     and every state-test case under ../shared/conformance that exports;
 *   - refusals (rejected transaction, number 0, timestamp 0, system contract
 *     in the pre-state, BLOCKHASH that a chain would answer otherwise) and
 *     malformed fixtures, each with a message naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/rlp.h"
#include "evm/state.h"
#include "evm/txsig.h"
#include "fix.h"
#include "fix_bc.h"
#include "fix_export.h"
#include "fix_json.h"
#include "gen.h"
#include "hash/keccak.h"

static const char *src_dir(void) {
  const char *s = getenv("PKB_SOURCE_DIR");
  return s && *s ? s : ".";
}

static void unhex(const char *s, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

static void set_u64(blk_u256 *v, uint64_t x) {
  memset(v->b, 0, 32);
  for (int i = 0; i < 8; i++) v->b[31 - i] = (uint8_t)(x >> (8 * i));
}

static uint64_t u64_of(const blk_u256 *v) {
  uint64_t x = 0;
  for (int i = 24; i < 32; i++) x = x << 8 | v->b[i];
  return x;
}

/* ---- header codec ---- */

static void test_header_kat(void **state) {
  (void)state;
  /* keccak256(rlp([])) and keccak256(rlp("")) */
  uint8_t c0 = 0xc0, e80 = 0x80, h[32];
  keccak256(&c0, 1, h);
  assert_memory_equal(h, fixb_empty_ommers_hash, 32);
  uint8_t want_ommers[32];
  unhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", want_ommers, 32);
  assert_memory_equal(h, want_ommers, 32);
  keccak256(&e80, 1, h);
  uint8_t want_empty[32];
  unhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", want_empty, 32);
  assert_memory_equal(h, want_empty, 32);

  /* Ethereum mainnet genesis (block 0), 15 fields. */
  fixb_header g;
  memset(&g, 0, sizeof g);
  g.n_fields = 15;
  memcpy(g.ommers_hash, want_ommers, 32);
  unhex("d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544", g.state_root, 32);
  memcpy(g.tx_root, want_empty, 32);
  memcpy(g.receipts_root, want_empty, 32);
  set_u64(&g.difficulty, 17179869184ull);
  g.gas_limit = 5000;
  unhex("11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa", g.extra, 32);
  g.extra_len = 32;
  g.nonce[7] = 0x42;
  uint8_t want_hash[32];
  unhex("d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3", want_hash, 32);
  assert_int_equal(fixb_header_hash(&g, h), FIXX_OK);
  assert_memory_equal(h, want_hash, 32);
  /* decode -> re-encode */
  uint8_t *enc;
  size_t len;
  assert_int_equal(fixb_header_encode(&g, &enc, &len), FIXX_OK);
  fixb_header d;
  size_t off = 0;
  assert_int_equal(fixb_header_decode(enc, len, &d, &off), 0);
  assert_int_equal(d.n_fields, 15);
  assert_int_equal(d.gas_limit, 5000);
  assert_memory_equal(d.state_root, g.state_root, 32);
  free(enc);

  /* A Prague-shaped header (21 fields) round-trips, and each field moves the hash. */
  fixb_header p = g;
  p.n_fields = 21;
  set_u64(&p.base_fee, 7);
  memset(p.withdrawals_root, 0x56, 32);
  p.blob_gas_used = 131072;
  p.excess_blob_gas = 5;
  memset(p.beacon_root, 0xbe, 32);
  memset(p.requests_hash, 0xe3, 32);
  assert_int_equal(fixb_header_encode(&p, &enc, &len), FIXX_OK);
  assert_int_equal(fixb_header_decode(enc, len, &d, &off), 0);
  uint8_t *enc2;
  size_t len2;
  assert_int_equal(fixb_header_encode(&d, &enc2, &len2), FIXX_OK);
  assert_int_equal(len, len2);
  assert_memory_equal(enc, enc2, len);
  free(enc2);
  uint8_t h21[32], h20[32];
  assert_int_equal(fixb_header_hash(&p, h21), FIXX_OK);
  p.n_fields = 20;
  assert_int_equal(fixb_header_hash(&p, h20), FIXX_OK);
  assert_memory_not_equal(h20, h21, 32);
  /* truncated input is an error, never a header */
  assert_true(fixb_header_decode(enc, len - 1, &d, &off) != 0);
  free(enc);
  assert_int_equal(fixb_header_fields(BLK_FORK_CANCUN), 20);
  assert_int_equal(fixb_header_fields(BLK_FORK_PRAGUE), 21);
  assert_int_equal(fixb_header_fields(BLK_FORK_OSAKA), 21);
}

/* ---- blocks ---- */

static const blk_addr k_contract = {{0xcc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}};

static int cmp_account(const void *x, const void *y) {
  return memcmp(((const blk_account *)x)->address.b, ((const blk_account *)y)->address.b, 20);
}

/* Test key 0 funded and one contract with code; one type-2 call to it. */
static void one_call_block(blk_block *b, blk_fork fork, const uint8_t *code, size_t code_len) {
  memset(b, 0, sizeof *b);
  b->version = BLK_VERSION;
  b->env.fork = fork;
  b->env.chain_id = 1;
  b->env.number = 10;
  b->env.timestamp = 1700000000;
  b->env.gas_limit = 1000000;
  set_u64(&b->env.base_fee, 7);
  b->env.coinbase.b[0] = 0xc0;
  memset(b->env.prevrandao, 0x11, 32);
  b->n_accounts = 2;
  b->accounts = calloc(2, sizeof *b->accounts);
  assert_non_null(b->accounts);
  assert_int_equal(evm_test_address(0, b->accounts[0].address.b), EVM_SIG_OK);
  set_u64(&b->accounts[0].balance, 1000000000000000000ull);
  b->accounts[1].address = k_contract;
  b->accounts[1].nonce = 1;
  b->accounts[1].code_ref = 1;
  b->codes = calloc(1, sizeof *b->codes);
  assert_non_null(b->codes);
  b->codes[0].data = malloc(code_len);
  assert_non_null(b->codes[0].data);
  memcpy(b->codes[0].data, code, code_len);
  b->codes[0].len = code_len;
  b->n_codes = 1;
  qsort(b->accounts, 2, sizeof *b->accounts, cmp_account);
  b->txs = calloc(1, sizeof *b->txs);
  assert_non_null(b->txs);
  b->n_txs = 1;
  blk_tx *t = &b->txs[0];
  t->type = 2;
  t->gas_limit = 100000;
  t->to = k_contract;
  set_u64(&t->gas_price, 10);
  set_u64(&t->max_priority_fee, 2);
}

static void assert_same_block(const blk_block *x, const blk_block *y) {
  uint8_t *ex = NULL, *ey = NULL;
  size_t nx = 0, ny = 0;
  assert_int_equal(blk_encode(x, &ex, &nx), BLK_OK);
  assert_int_equal(blk_encode(y, &ey, &ny), BLK_OK);
  assert_int_equal(nx, ny);
  assert_memory_equal(ex, ey, nx);
  free(ex);
  free(ey);
}

/* Export b, import the JSON back: one case, not skipped, executing to its
 * header's root and gas, and the same block bytes. Returns the JSON. */
static char *round_trip(const blk_block *b) {
  fixx_opts o = {"bt", 0, 0, NULL, NULL};
  char *json = NULL;
  size_t len = 0;
  fixx_error e;
  int rc = fixx_export(b, FIXX_BLOCKCHAIN_TEST, &o, &json, &len, &e);
  if (rc != FIXX_OK) print_error("export: %s\n", e.msg);
  assert_int_equal(rc, FIXX_OK);
  assert_int_equal(strlen(json), len);
  assert_int_equal(fix_detect_kind(json, len), FIX_KIND_BLOCKCHAIN);
  fixb_file f;
  fix_error fe;
  rc = fixb_parse(json, len, "export", &f, &fe);
  if (rc != FIX_OK) print_error("import: %s\n", fe.msg);
  assert_int_equal(rc, FIX_OK);
  assert_int_equal(f.n_cases, 1);
  if (f.cases[0].skip[0]) print_error("skipped: %s\n", f.cases[0].skip);
  assert_int_equal(f.cases[0].skip[0], 0);
  assert_true(f.cases[0].exec_matches);
  assert_same_block(b, &f.cases[0].block);
  fixb_file_free(&f);
  return json;
}

static void json_fixed(const cJSON *o, const char *k, uint8_t *out, size_t n) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
  assert_non_null(it);
  assert_int_equal(fix_hex_fixed(it->valuestring, out, n), FIX_OK);
}

static uint64_t json_u64(const cJSON *o, const char *k) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
  assert_non_null(it);
  uint64_t v;
  assert_int_equal(fix_hex_u64(it->valuestring, &v), FIX_OK);
  return v;
}

static uint8_t *json_bytes(const cJSON *o, const char *k, size_t *len) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
  assert_non_null(it);
  uint8_t *p = NULL;
  assert_int_equal(fix_hex_bytes(it->valuestring, 1u << 26, &p, len), FIX_OK);
  return p;
}

/* The header fields of the export, checked against values derived here. */
static void check_headers(const blk_block *b, const char *json) {
  cJSON *root = cJSON_Parse(json);
  assert_non_null(root);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "bt");
  assert_non_null(t);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "network")->valuestring, blk_fork_name(b->env.fork));
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "sealEngine")->valuestring, "NoProof");
  const cJSON *gh = cJSON_GetObjectItemCaseSensitive(t, "genesisBlockHeader");
  const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(t, "blocks");
  assert_int_equal(cJSON_GetArraySize(blocks), 1);
  const cJSON *jb = cJSON_GetArrayItem(blocks, 0);
  const cJSON *bh = cJSON_GetObjectItemCaseSensitive(jb, "blockHeader");
  uint8_t x[32], y[32], empty[32], ommers[32];
  unhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", empty, 32);
  unhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", ommers, 32);

  /* genesis: RLP hash = stated hash = the block's parentHash */
  size_t glen;
  uint8_t *graw = json_bytes(t, "genesisRLP", &glen);
  rlp_item gw, gp[4];
  size_t n = 0, off = 0;
  assert_int_equal(rlp_decode_whole(graw, glen, &gw, &off), RLP_OK);
  assert_int_equal(rlp_list(&gw, gp, 4, &n, &off), RLP_OK);
  assert_int_equal(n, 4);
  assert_true(gp[1].is_list && gp[1].len == 0 && gp[2].len == 0 && gp[3].len == 0);
  keccak256(graw + gp[0].offset, gp[0].total, x);
  free(graw);
  json_fixed(gh, "hash", y, 32);
  assert_memory_equal(x, y, 32);
  json_fixed(bh, "parentHash", y, 32);
  assert_memory_equal(x, y, 32);
  json_fixed(gh, "uncleHash", y, 32);
  assert_memory_equal(y, ommers, 32);
  json_fixed(gh, "transactionsTrie", y, 32);
  assert_memory_equal(y, empty, 32);
  json_fixed(gh, "withdrawalsRoot", y, 32);
  assert_memory_equal(y, empty, 32);
  assert_int_equal(json_u64(gh, "number"), b->env.number - 1);
  assert_int_equal(json_u64(gh, "gasUsed"), 0);
  /* EIP-1559 inverse: with gasUsed 0 the child's base fee is p - p/8 */
  uint64_t p = json_u64(gh, "baseFeePerGas"), want_fee = u64_of(&b->env.base_fee);
  assert_int_equal(p - p / 8, want_fee);
  /* EIP-4844: blobGasUsed 0, so the child's excess is the parent's minus the target */
  uint64_t target = (b->env.fork == BLK_FORK_CANCUN ? 3 : 6) * 131072ull;
  uint64_t ge = json_u64(gh, "excessBlobGas");
  assert_int_equal(json_u64(gh, "blobGasUsed"), 0);
  assert_int_equal(ge < target ? 0 : ge - target, b->env.excess_blob_gas);

  /* block: state root and gas from a separate execution */
  evm_block_result r;
  assert_int_equal(evm_execute_block(b, NULL, &r), EVM_OK);
  json_fixed(bh, "stateRoot", y, 32);
  assert_memory_equal(y, r.state_root, 32);
  assert_int_equal(json_u64(bh, "gasUsed"), r.gas_used);
  assert_int_equal(json_u64(bh, "number"), b->env.number);
  assert_int_equal(json_u64(bh, "timestamp"), b->env.timestamp);
  assert_int_equal(json_u64(bh, "baseFeePerGas"), want_fee);
  assert_int_equal(json_u64(bh, "excessBlobGas"), b->env.excess_blob_gas);
  json_fixed(bh, "mixHash", y, 32);
  assert_memory_equal(y, b->env.prevrandao, 32);
  uint8_t cb[20];
  json_fixed(bh, "coinbase", cb, 20);
  assert_memory_equal(cb, b->env.coinbase.b, 20);
  if (b->env.fork >= BLK_FORK_PRAGUE) {
    uint8_t sha_empty[32];
    unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha_empty, 32);
    json_fixed(bh, "requestsHash", y, 32);
    assert_memory_equal(y, sha_empty, 32);
  } else {
    assert_null(cJSON_GetObjectItemCaseSensitive(bh, "requestsHash"));
  }
  json_fixed(t, "postStateHash", y, 32);
  assert_memory_equal(y, r.state_root, 32);

  /* the block RLP: header hash, one transaction, no ommers, no withdrawals */
  size_t blen;
  uint8_t *braw = json_bytes(jb, "rlp", &blen);
  rlp_item bw, bp[4], tx;
  assert_int_equal(rlp_decode_whole(braw, blen, &bw, &off), RLP_OK);
  assert_int_equal(rlp_list(&bw, bp, 4, &n, &off), RLP_OK);
  assert_int_equal(n, 4);
  keccak256(braw + bp[0].offset, bp[0].total, x);
  json_fixed(bh, "hash", y, 32);
  assert_memory_equal(x, y, 32);
  json_fixed(t, "lastblockhash", y, 32);
  assert_memory_equal(x, y, 32);
  fixb_header dh;
  assert_int_equal(fixb_header_decode(braw + bp[0].offset, bp[0].total, &dh, &off), 0);
  assert_int_equal(dh.n_fields, fixb_header_fields(b->env.fork));
  assert_memory_equal(dh.state_root, r.state_root, 32);
  assert_true(bp[2].is_list && bp[2].len == 0 && bp[3].is_list && bp[3].len == 0);
  rlp_item txs[4];
  assert_int_equal(rlp_list(&bp[1], txs, 4, &n, &off), RLP_OK);
  assert_int_equal(n, b->n_txs);
  if (n == 1) {
    /* a one-leaf trie: root = keccak(rlp([hp(nibbles of rlp(0)) = 0x20 0x80, tx])) */
    tx = txs[0];
    const uint8_t *tb = tx.is_list ? braw + tx.offset : tx.p;
    size_t tl = tx.is_list ? tx.total : tx.len;
    rlp_enc e;
    rlp_enc_init(&e);
    rlp_list_begin(&e);
    const uint8_t path[2] = {0x20, 0x80};
    rlp_put_bytes(&e, path, 2);
    rlp_put_bytes(&e, tb, tl);
    rlp_list_end(&e);
    uint8_t *node;
    size_t nl;
    assert_int_equal(rlp_enc_finish(&e, &node, &nl), RLP_OK);
    keccak256(node, nl, x);
    free(node);
    assert_memory_equal(dh.tx_root, x, 32);
    json_fixed(bh, "transactionsTrie", y, 32);
    assert_memory_equal(x, y, 32);
    /* and its hash is the one evm_tx_hash gives */
    uint8_t th[32];
    assert_int_equal(evm_tx_hash(&b->txs[0], b->env.chain_id, th), EVM_SIG_OK);
    keccak256(tb, tl, x);
    assert_memory_equal(x, th, 32);
  }
  free(braw);
  evm_block_result_free(&r);
  cJSON_Delete(root);
}

/* SSTORE(0, 1); LOG1 to exercise receipts and bloom */
static const uint8_t k_store_log[] = {0x60, 0x01, 0x60, 0x00, 0x55, 0x60, 0xaa, 0x60, 0x00, 0x60, 0x00, 0xa1, 0x00};
/* SSTORE(0, BLOCKHASH(NUMBER - 1)) */
static const uint8_t k_blockhash[] = {0x43, 0x60, 0x01, 0x90, 0x03, 0x40, 0x60, 0x00, 0x55, 0x00};

static void test_hand_block(void **state) {
  (void)state;
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    blk_block b;
    one_call_block(&b, (blk_fork)f, k_store_log, sizeof k_store_log);
    b.env.excess_blob_gas = f == BLK_FORK_CANCUN ? 0 : 1000000;
    char *json = round_trip(&b);
    check_headers(&b, json);
    free(json);
    blk_free(&b);
  }
  /* a block with no transactions exports too */
  blk_block b;
  one_call_block(&b, BLK_FORK_PRAGUE, k_store_log, sizeof k_store_log);
  free(b.txs);
  b.txs = NULL;
  b.n_txs = 0;
  free(round_trip(&b));
  blk_free(&b);
}

/* BLOCKHASH(N-1): representable when the block lists the genesis hash for
 * N-1 (fixb_genesis gives it); the import lists it again because the
 * execution depends on it. */
static void test_blockhash(void **state) {
  (void)state;
  blk_block b;
  one_call_block(&b, BLK_FORK_CANCUN, k_blockhash, sizeof k_blockhash);
  fixx_opts o = {"bt", 0, 0, NULL, NULL};
  char *json = NULL;
  fixx_error e;
  /* no entry: the executor reads 0, a chain reads the genesis hash */
  assert_int_equal(fixx_export(&b, FIXX_BLOCKCHAIN_TEST, &o, &json, NULL, &e), FIXX_E_UNREP);
  assert_non_null(strstr(e.msg, "BLOCKHASH"));
  assert_null(json);
  /* an entry that is not the genesis hash */
  b.env.block_hashes = calloc(1, sizeof *b.env.block_hashes);
  assert_non_null(b.env.block_hashes);
  b.env.n_block_hashes = 1;
  b.env.block_hashes[0].number = 9;
  memset(b.env.block_hashes[0].hash, 0x77, 32);
  assert_int_equal(fixx_export(&b, FIXX_BLOCKCHAIN_TEST, &o, &json, NULL, &e), FIXX_E_UNREP);
  /* the genesis hash: exports, and comes back identical */
  fixb_header g;
  assert_int_equal(fixb_genesis(&b, &g, &e), FIXX_OK);
  assert_int_equal(fixb_header_hash(&g, b.env.block_hashes[0].hash), FIXX_OK);
  char *j2 = round_trip(&b);
  check_headers(&b, j2);
  free(j2);
  /* hashes no transaction reads are not carried: the import gives none */
  blk_block c;
  one_call_block(&c, BLK_FORK_CANCUN, k_store_log, sizeof k_store_log);
  c.env.block_hashes = calloc(1, sizeof *c.env.block_hashes);
  assert_non_null(c.env.block_hashes);
  c.env.n_block_hashes = 1;
  c.env.block_hashes[0].number = 3;
  assert_int_equal(fixx_export(&c, FIXX_BLOCKCHAIN_TEST, &o, &json, NULL, &e), FIXX_OK);
  fixb_file f;
  fix_error fe;
  assert_int_equal(fixb_parse(json, strlen(json), "x", &f, &fe), FIX_OK);
  free(json);
  assert_int_equal(f.cases[0].block.env.n_block_hashes, 0);
  fixb_file_free(&f);
  blk_free(&c);
  blk_free(&b);
}

static void expect_refusal(const blk_block *b, int code, const char *needle) {
  fixx_opts o = {"bt", 0, 0, NULL, NULL};
  char *json = NULL;
  fixx_error e;
  int rc = fixx_export(b, FIXX_BLOCKCHAIN_TEST, &o, &json, NULL, &e);
  assert_int_equal(rc, code);
  assert_null(json);
  if (!strstr(e.msg, needle)) print_error("message '%s' lacks '%s'\n", e.msg, needle);
  assert_non_null(strstr(e.msg, needle));
}

static void test_refusals(void **state) {
  (void)state;
  blk_block b;
  one_call_block(&b, BLK_FORK_PRAGUE, k_store_log, sizeof k_store_log);
  b.txs[0].nonce = 5; /* the sender's nonce is 0 */
  expect_refusal(&b, FIXX_E_UNREP, "NONCE_MISMATCH_TOO_HIGH");
  b.txs[0].nonce = 0;
  b.env.number = 0;
  expect_refusal(&b, FIXX_E_UNREP, "env.number");
  b.env.number = 10;
  b.env.timestamp = 0;
  expect_refusal(&b, FIXX_E_UNREP, "env.timestamp");
  b.env.timestamp = 1;
  b.env.gas_limit = 4999;
  expect_refusal(&b, FIXX_E_UNREP, "env.gas_limit");
  blk_free(&b);
  /* the EIP-4788 contract (code at 0x000f3df6...beac02) in the pre-state */
  one_call_block(&b, BLK_FORK_CANCUN, k_store_log, sizeof k_store_log);
  unhex("000f3df6d732807ef1319fb7b8bb8522d0beac02", b.accounts[0].address.b, 20);
  b.accounts[0].code_ref = 1;
  qsort(b.accounts, b.n_accounts, sizeof *b.accounts, cmp_account);
  expect_refusal(&b, FIXX_E_UNREP, "EIP-4788");
  blk_free(&b);
}

/* ---- malformed fixtures ---- */

static void expect_bad(const char *json, int code, const char *needle) {
  fixb_file f;
  fix_error fe;
  int rc = fixb_parse(json, strlen(json), "bad.json", &f, &fe);
  if (rc != code) print_error("rc %d (%s)\n", rc, fe.msg);
  assert_int_equal(rc, code);
  assert_null(f.cases);
  assert_non_null(strstr(fe.msg, "bad.json"));
  if (!strstr(fe.msg, needle)) print_error("message '%s' lacks '%s'\n", fe.msg, needle);
  assert_non_null(strstr(fe.msg, needle));
}

/* Replace the first occurrence of from by to in s (malloc'd result). */
static char *replace(const char *s, const char *from, const char *to) {
  const char *p = strstr(s, from);
  assert_non_null(p);
  size_t a = (size_t)(p - s), fl = strlen(from), tl = strlen(to), sl = strlen(s);
  char *r = malloc(sl - fl + tl + 1);
  assert_non_null(r);
  memcpy(r, s, a);
  memcpy(r + a, to, tl);
  memcpy(r + a + tl, p + fl, sl - a - fl + 1);
  return r;
}

static void test_malformed(void **state) {
  (void)state;
  expect_bad("{", FIX_E_JSON, "malformed JSON");
  expect_bad("[]", FIX_E_TYPE, "top level");
  expect_bad("{\"t\":{\"blocks\":[],\"pre\":{}}}", FIX_E_MISSING, "network");
  expect_bad("{\"t\":{\"network\":\"Cancun\",\"pre\":{}}}", FIX_E_MISSING, "blocks");
  blk_block b;
  one_call_block(&b, BLK_FORK_CANCUN, k_store_log, sizeof k_store_log);
  fixx_opts o = {"bt", 0, 0, NULL, NULL};
  char *json = NULL;
  fixx_error e;
  assert_int_equal(fixx_export(&b, FIXX_BLOCKCHAIN_TEST, &o, &json, NULL, &e), FIXX_OK);
  /* a truncated block RLP */
  cJSON *root = cJSON_Parse(json);
  cJSON *jb = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "bt"), "blocks"), 0);
  char *rlp = strdup(cJSON_GetObjectItem(jb, "rlp")->valuestring);
  char *genesis = strdup(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "bt"), "genesisRLP")->valuestring);
  cJSON_Delete(root);
  char *cut = strdup(rlp);
  cut[strlen(cut) - 2] = 0;
  char *bad = replace(json, rlp, cut);
  expect_bad(bad, FIX_E_RANGE, "blocks[0].rlp");
  free(bad);
  /* odd hex */
  cut[strlen(cut) - 1] = 0;
  bad = replace(json, rlp, cut);
  expect_bad(bad, FIX_E_HEX, "rlp");
  free(bad);
  /* a pre-state that is not the genesis state */
  bad = replace(json, "\"balance\":\"0x0de0b6b3a7640000\"", "\"balance\":\"0x0de0b6b3a7640001\"");
  expect_bad(bad, FIX_E_INVALID, "pre");
  free(bad);
  /* a block whose parent is not the genesis: the genesis with gasUsed 1 */
  {
    size_t gl = (strlen(genesis) - 2) / 2;
    uint8_t *gb = malloc(gl);
    assert_non_null(gb);
    unhex(genesis + 2, gb, gl);
    rlp_item gw, gp[4];
    size_t n = 0, off = 0;
    assert_int_equal(rlp_decode_whole(gb, gl, &gw, &off), RLP_OK);
    assert_int_equal(rlp_list(&gw, gp, 4, &n, &off), RLP_OK);
    fixb_header gh;
    assert_int_equal(fixb_header_decode(gb + gp[0].offset, gp[0].total, &gh, &off), 0);
    free(gb);
    gh.gas_used = 1;
    uint8_t *he;
    size_t hl;
    assert_int_equal(fixb_header_encode(&gh, &he, &hl), FIXX_OK);
    rlp_enc en;
    rlp_enc_init(&en);
    rlp_list_begin(&en);
    rlp_put_raw(&en, he, hl);
    for (int k = 0; k < 3; k++) {
      rlp_list_begin(&en);
      rlp_list_end(&en);
    }
    rlp_list_end(&en);
    free(he);
    uint8_t *ge;
    size_t gel;
    assert_int_equal(rlp_enc_finish(&en, &ge, &gel), RLP_OK);
    char *g2 = malloc(2 * gel + 3);
    assert_non_null(g2);
    strcpy(g2, "0x");
    for (size_t k = 0; k < gel; k++) sprintf(g2 + 2 + 2 * k, "%02x", ge[k]);
    free(ge);
    bad = replace(json, genesis, g2);
    expect_bad(bad, FIX_E_INVALID, "parentHash");
    free(bad);
    free(g2);
  }
  /* an unknown network is a skipped case with its reason */
  bad = replace(json, "\"network\":\"Cancun\"", "\"network\":\"Frontier\"");
  fixb_file f;
  fix_error fe;
  assert_int_equal(fixb_parse(bad, strlen(bad), "x", &f, &fe), FIX_OK);
  assert_int_equal(f.n_cases, 1);
  assert_non_null(strstr(f.cases[0].skip, "Frontier"));
  fixb_file_free(&f);
  free(bad);
  assert_int_equal(fix_detect_kind("{\"t\":{\"env\":{},\"post\":{}}}", 27), FIX_KIND_STATE);
  assert_int_equal(fix_detect_kind("{\"t\":{}}", 8), FIX_KIND_UNKNOWN);
  free(genesis);
  free(cut);
  free(rlp);
  free(json);
  blk_free(&b);
}

/* ---- generated and conformance blocks ---- */

static void test_generated(void **state) {
  (void)state;
  size_t done = 0;
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    for (size_t i = 0; i < gen_scenario_count(); i++) {
      gen_params p = {200000, (blk_fork)f, 1};
      blk_block b;
      int rc = gen_worst_case(gen_scenario_name(i), &p, &b);
      if (rc == GEN_E_PARAM) continue; /* does not fit this gas */
      assert_int_equal(rc, GEN_OK);
      free(round_trip(&b));
      blk_free(&b);
      done++;
    }
  }
  print_message("%zu generated blocks round-tripped\n", done);
  assert_true(done > 0);
}

static char **g_files;
static size_t g_n_files, g_cap_files;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb;
  (void)ftw;
  size_t n = strlen(path);
  if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0) return 0;
  if (g_n_files == g_cap_files) {
    g_cap_files = g_cap_files ? 2 * g_cap_files : 256;
    g_files = realloc(g_files, g_cap_files * sizeof *g_files);
    assert_non_null(g_files);
  }
  g_files[g_n_files] = strdup(path);
  assert_non_null(g_files[g_n_files]);
  g_n_files++;
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

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
  qsort(g_files, g_n_files, sizeof *g_files, cmp_str);
  /* PKB_TEST_STRIDE=N takes every N-th file (the sanitizer run); the
   * execution-spec-tests files (Prague, Osaka: typed transactions) always. */
  size_t stride = 1;
  const char *sv = getenv("PKB_TEST_STRIDE");
  if (sv && atoi(sv) > 1) stride = (size_t)atoi(sv);
  size_t cases = 0, same = 0, by_address = 0, refused = 0, import_skip = 0;
  for (size_t i = 0; i < g_n_files; i++) {
    if (i % stride && !strstr(g_files[i], "eest-")) continue;
    fix_file f;
    fix_error fe;
    assert_int_equal(fix_load(g_files[i], NULL, &f, &fe), FIX_OK);
    for (size_t j = 0; j < f.n_cases; j++) {
      fix_case *a = &f.cases[j];
      cases++;
      if (a->skip[0]) {
        import_skip++;
        continue;
      }
      fixx_opts o = {"bt", 0, 0, NULL, NULL};
      char *json = NULL;
      size_t len = 0;
      fixx_error e;
      int rc = fixx_export(&a->block, FIXX_BLOCKCHAIN_TEST, &o, &json, &len, &e);
      if (rc == FIXX_E_UNREP || rc == FIXX_E_EXEC) { /* rejected tx, BLOCKHASH, a precompile this build lacks */
        refused++;
        continue;
      }
      if (rc != FIXX_OK) print_error("%s: %s: %s\n", g_files[i], a->test, e.msg);
      assert_int_equal(rc, FIXX_OK);
      fixb_file g;
      rc = fixb_parse(json, len, "export", &g, &fe);
      free(json);
      if (rc != FIX_OK) print_error("%s: %s: %s\n", g_files[i], a->test, fe.msg);
      assert_int_equal(rc, FIX_OK);
      assert_int_equal(g.n_cases, 1);
      assert_int_equal(g.cases[0].skip[0], 0);
      assert_true(g.cases[0].exec_matches);
      assert_same_block(&a->block, &g.cases[0].block);
      if (g.cases[0].block.n_txs && g.cases[0].block.txs[0].sender_is_address) by_address++;
      same++;
      fixb_file_free(&g);
    }
    fix_file_free(&f);
  }
  for (size_t i = 0; i < g_n_files; i++) free(g_files[i]);
  free(g_files);
  g_files = NULL;
  print_message("%zu cases: %zu round-tripped through blockchain_test (%zu with a sender that is no test key); "
                "%zu refused by the export, %zu not importable as state tests\n",
                cases, same, by_address, refused, import_skip);
  assert_true(same > 0);
}

/* ---- chains of blocks ---- */

/* Runtime code: SSTORE(NUMBER, BLOCKHASH(NUMBER - 1)). */
static const uint8_t k_hash_logger[] = {0x43, 0x60, 0x01, 0x90, 0x03, 0x40, 0x43, 0x55, 0x00};
/* Init code returning it: PUSH9 code, PUSH1 0, MSTORE, PUSH1 9, PUSH1 23, RETURN. */
static const uint8_t k_logger_init[] = {0x68, 0x43, 0x60, 0x01, 0x90, 0x03, 0x40, 0x43, 0x55, 0x00, 0x60,
                                        0x00, 0x52, 0x60, 0x09, 0x60, 0x17, 0xf3};

/* The executor's post-state as a blk pre-state, read with evm_state_each. */
static int dump_one(void *ctx, const evm_state_entry *e) {
  blk_block *p = ctx;
  blk_account *a = &p->accounts[p->n_accounts++];
  memset(a, 0, sizeof *a);
  memcpy(a->address.b, e->addr, 20);
  a->nonce = e->nonce;
  memcpy(a->balance.b, e->balance, 32);
  if (e->code_len) {
    size_t i = 0;
    while (i < p->n_codes && !(p->codes[i].len == e->code_len && memcmp(p->codes[i].data, e->code, e->code_len) == 0))
      i++;
    if (i == p->n_codes) {
      p->codes = realloc(p->codes, (p->n_codes + 1) * sizeof *p->codes);
      assert_non_null(p->codes);
      p->codes[i].data = malloc(e->code_len);
      assert_non_null(p->codes[i].data);
      memcpy(p->codes[i].data, e->code, e->code_len);
      p->codes[i].len = e->code_len;
      p->n_codes++;
    }
    a->code_ref = (uint32_t)(i + 1);
  }
  if (e->n_storage) {
    a->storage = calloc(e->n_storage, sizeof *a->storage);
    assert_non_null(a->storage);
    for (size_t i = 0; i < e->n_storage; i++) {
      memcpy(a->storage[i].key.b, e->storage[i].key, 32);
      memcpy(a->storage[i].value.b, e->storage[i].value, 32);
    }
    a->n_storage = e->n_storage;
  }
  return 0;
}

static void post_state(const evm_block_result *r, blk_block *out) {
  memset(out, 0, sizeof *out);
  out->version = BLK_VERSION;
  size_t n = 0;
  evm_state_count(r->state, &n, NULL);
  out->accounts = calloc(n ? n : 1, sizeof *out->accounts);
  assert_non_null(out->accounts);
  assert_int_equal(evm_state_each(r->state, dump_one, out), 0);
  assert_int_equal(out->n_accounts, n);
}

/* Same accounts, code bytes and storage (code order may differ). */
static void assert_same_pre(const blk_block *x, const blk_block *y) {
  assert_int_equal(x->n_accounts, y->n_accounts);
  for (size_t i = 0; i < x->n_accounts; i++) {
    const blk_account *a = &x->accounts[i], *b = &y->accounts[i];
    assert_memory_equal(a->address.b, b->address.b, 20);
    assert_int_equal(a->nonce, b->nonce);
    assert_memory_equal(a->balance.b, b->balance.b, 32);
    assert_int_equal(!a->code_ref, !b->code_ref);
    if (a->code_ref) {
      const blk_bytes *ca = &x->codes[a->code_ref - 1], *cb = &y->codes[b->code_ref - 1];
      assert_int_equal(ca->len, cb->len);
      assert_memory_equal(ca->data, cb->data, ca->len);
    }
    assert_int_equal(a->n_storage, b->n_storage);
    if (a->n_storage) assert_memory_equal(a->storage, b->storage, a->n_storage * sizeof *a->storage);
  }
}

/* EIP-1559, written out here: elasticity 2, denominator 8. */
static uint64_t child_base_fee(uint64_t fee, uint64_t used, uint64_t limit) {
  uint64_t target = limit / 2;
  if (used == target) return fee;
  if (used > target) {
    uint64_t d = fee * (used - target) / target / 8;
    return fee + (d ? d : 1);
  }
  return fee - fee * (target - used) / target / 8;
}

static void add_tx(blk_block *b, uint64_t nonce, const blk_addr *to, const uint8_t *data, size_t len) {
  b->txs = realloc(b->txs, (b->n_txs + 1) * sizeof *b->txs);
  assert_non_null(b->txs);
  blk_tx *t = &b->txs[b->n_txs++];
  memset(t, 0, sizeof *t);
  t->type = 2;
  t->nonce = nonce;
  t->gas_limit = 200000;
  if (to) t->to = *to;
  else t->is_create = 1;
  if (len) {
    t->data.data = malloc(len);
    assert_non_null(t->data.data);
    memcpy(t->data.data, data, len);
    t->data.len = len;
  }
  set_u64(&t->gas_price, 3000000000ull);
  set_u64(&t->max_priority_fee, 1);
}

/* The child of parent (executed to r): its post-state, number + 1, 12 s
 * later, the same gas limit, the EIP-1559 base fee; no transactions. */
static void child_of(const blk_block *parent, const evm_block_result *r, blk_block *c) {
  post_state(r, c);
  c->env = parent->env;
  c->env.block_hashes = NULL;
  c->env.n_block_hashes = 0;
  c->env.number++;
  c->env.timestamp += 12;
  set_u64(&c->env.base_fee, child_base_fee(u64_of(&parent->env.base_fee), r->gas_used, parent->env.gas_limit));
}

static void one_hash(blk_block *b, uint64_t number, const uint8_t hash[32]) {
  b->env.block_hashes = calloc(1, sizeof *b->env.block_hashes);
  assert_non_null(b->env.block_hashes);
  b->env.n_block_hashes = 1;
  b->env.block_hashes[0].number = number;
  memcpy(b->env.block_hashes[0].hash, hash, 32);
}

static char *export_chain_ok(const blk_block *bs, size_t n) {
  fixx_opts o = {"bt", 0, 0, NULL, NULL};
  char *json = NULL;
  size_t len = 0;
  fixx_error e;
  int rc = fixb_export_chain(bs, n, &o, &json, &len, &e);
  if (rc != FIXX_OK) print_error("export of %zu blocks: %s\n", n, e.msg);
  assert_int_equal(rc, FIXX_OK);
  assert_int_equal(strlen(json), len);
  return json;
}

/* Hash of the last block of the chain bs[0..n), as the import reads it. */
static void last_hash(const blk_block *bs, size_t n, uint8_t out[32]) {
  char *json = export_chain_ok(bs, n);
  fixb_file f;
  fix_error fe;
  assert_int_equal(fixb_parse(json, strlen(json), "x", &f, &fe), FIX_OK);
  assert_int_equal(f.n_cases, n);
  memcpy(out, f.cases[n - 1].block_hash, 32);
  fixb_file_free(&f);
  free(json);
}

/* Block 0 (number 10): a call writing storage and the creation of the hash
 * logger D; block 1 calls D (BLOCKHASH(10): block 0); block 2 calls D
 * (BLOCKHASH(11): block 1). *d: D's address. */
static void make_chain(blk_fork fork, blk_block bs[3], blk_addr *d) {
  one_call_block(&bs[0], fork, k_store_log, sizeof k_store_log);
  set_u64(&bs[0].env.base_fee, 1000000000ull);
  set_u64(&bs[0].txs[0].gas_price, 3000000000ull);
  add_tx(&bs[0], 1, NULL, k_logger_init, sizeof k_logger_init);
  evm_block_result r;
  assert_int_equal(evm_execute_block(&bs[0], NULL, &r), EVM_OK);
  assert_int_equal(r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(r.txs[1].status, EVM_TX_SUCCESS);
  assert_true(r.txs[1].created);
  memcpy(d->b, r.txs[1].contract_address, 20);
  int exists = 0;
  uint64_t nonce = 0;
  uint8_t bal[32];
  const uint8_t *code = NULL;
  size_t code_len = 0;
  assert_int_equal(evm_state_account(r.state, d->b, &exists, &nonce, bal, &code, &code_len), 0);
  assert_true(exists);
  assert_int_equal(code_len, sizeof k_hash_logger);
  assert_memory_equal(code, k_hash_logger, code_len);
  child_of(&bs[0], &r, &bs[1]);
  evm_block_result_free(&r);
  add_tx(&bs[1], 2, d, NULL, 0);
  uint8_t h[32];
  last_hash(bs, 1, h);
  one_hash(&bs[1], 10, h);
  assert_int_equal(evm_execute_block(&bs[1], NULL, &r), EVM_OK);
  assert_int_equal(r.txs[0].status, EVM_TX_SUCCESS);
  child_of(&bs[1], &r, &bs[2]);
  evm_block_result_free(&r);
  add_tx(&bs[2], 3, d, NULL, 0);
  last_hash(bs, 2, h);
  one_hash(&bs[2], 11, h);
  /* the base fee moved, so the chain exercises the EIP-1559 rule */
  assert_true(u64_of(&bs[1].env.base_fee) != u64_of(&bs[0].env.base_fee));
}

static const cJSON *fixture_of(const cJSON *root) { return cJSON_GetObjectItemCaseSensitive(root, "bt"); }

static const cJSON *block_json(const cJSON *root, size_t k) {
  return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fixture_of(root), "blocks"), (int)k);
}

/* Export of 3 blocks, imported back: every case is its block, runs on the
 * state the case before left and executes to its header's root and gas;
 * BLOCKHASH reads the chain's hashes. */
static void test_chain_round_trip(void **state) {
  (void)state;
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    blk_block bs[3];
    blk_addr d;
    make_chain((blk_fork)f, bs, &d);
    char *json = export_chain_ok(bs, 3);
    /* one block: the chain export is fixb_export's */
    {
      char *one = export_chain_ok(bs, 1), *ref = NULL;
      fixx_opts o = {"bt", 0, 0, NULL, NULL};
      fixx_error e;
      assert_int_equal(fixb_export(&bs[0], &o, &ref, NULL, &e), FIXX_OK);
      assert_string_equal(one, ref);
      free(one);
      free(ref);
    }
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fixture_of(root), "blocks")), 3);
    fixb_file ff;
    fix_error fe;
    int rc = fixb_parse(json, strlen(json), "chain", &ff, &fe);
    if (rc) print_error("%s\n", fe.msg);
    assert_int_equal(rc, FIX_OK);
    assert_int_equal(ff.n_cases, 3);
    uint8_t prev[32], x[32];
    json_fixed(cJSON_GetObjectItemCaseSensitive(fixture_of(root), "genesisBlockHeader"), "hash", prev, 32);
    uint8_t hashes[3][32];
    for (size_t k = 0; k < 3; k++) {
      const fixb_case *c = &ff.cases[k];
      if (c->skip[0]) print_error("case %zu skipped: %s\n", k, c->skip);
      assert_int_equal(c->skip[0], 0);
      assert_int_equal(c->block_index, k);
      assert_true(c->exec_matches);
      assert_same_block(&bs[k], &c->block);
      /* the header from the block RLP: its hash, its link to the parent */
      const cJSON *jb = block_json(root, k), *bh = cJSON_GetObjectItemCaseSensitive(jb, "blockHeader");
      size_t blen, off = 0, n = 0;
      uint8_t *braw = json_bytes(jb, "rlp", &blen);
      rlp_item bw, bp[4];
      assert_int_equal(rlp_decode_whole(braw, blen, &bw, &off), RLP_OK);
      assert_int_equal(rlp_list(&bw, bp, 4, &n, &off), RLP_OK);
      keccak256(braw + bp[0].offset, bp[0].total, hashes[k]);
      fixb_header h;
      assert_int_equal(fixb_header_decode(braw + bp[0].offset, bp[0].total, &h, &off), 0);
      free(braw);
      assert_memory_equal(c->block_hash, hashes[k], 32);
      json_fixed(bh, "hash", x, 32);
      assert_memory_equal(x, hashes[k], 32);
      assert_memory_equal(h.parent_hash, prev, 32);
      memcpy(prev, hashes[k], 32);
      /* executing the case gives the header's root and gas */
      evm_block_result r;
      assert_int_equal(evm_execute_block(&c->block, NULL, &r), EVM_OK);
      assert_memory_equal(r.state_root, h.state_root, 32);
      assert_int_equal(r.gas_used, h.gas_used);
      assert_int_equal(json_u64(bh, "gasUsed"), r.gas_used);
      if (k + 1 < 3) {
        /* case k+1's pre-state is this execution's post-state */
        blk_block post;
        post_state(&r, &post);
        assert_same_pre(&post, &ff.cases[k + 1].block);
        blk_free(&post);
      } else {
        /* D logged BLOCKHASH(10) = block 0's hash in block 1 and
         * BLOCKHASH(11) = block 1's hash in block 2 */
        uint8_t key[32] = {0}, v[32];
        key[31] = 11;
        evm_state_storage(r.state, d.b, key, v);
        assert_memory_equal(v, hashes[0], 32);
        key[31] = 12;
        evm_state_storage(r.state, d.b, key, v);
        assert_memory_equal(v, hashes[1], 32);
        json_fixed(fixture_of(root), "postStateHash", x, 32);
        assert_memory_equal(x, r.state_root, 32);
        json_fixed(fixture_of(root), "lastblockhash", x, 32);
        assert_memory_equal(x, hashes[2], 32);
      }
      evm_block_result_free(&r);
    }
    /* the imported cases list exactly the hash each BLOCKHASH read */
    assert_int_equal(ff.cases[0].block.env.n_block_hashes, 0);
    assert_int_equal(ff.cases[2].block.env.n_block_hashes, 1);
    assert_memory_equal(ff.cases[2].block.env.block_hashes[0].hash, hashes[1], 32);
    fixb_file_free(&ff);
    cJSON_Delete(root);
    free(json);
    for (int k = 0; k < 3; k++) blk_free(&bs[k]);
  }
}

static void expect_chain_refusal(const blk_block *bs, size_t n, const char *needle) {
  fixx_opts o = {"bt", 0, 0, NULL, NULL};
  char *json = NULL;
  fixx_error e;
  int rc = fixb_export_chain(bs, n, &o, &json, NULL, &e);
  if (rc != FIXX_E_UNREP || !strstr(e.msg, needle)) print_error("rc %d, '%s' (wanted '%s')\n", rc, e.msg, needle);
  assert_int_equal(rc, FIXX_E_UNREP);
  assert_null(json);
  assert_non_null(strstr(e.msg, needle));
}

static void test_chain_refusals(void **state) {
  (void)state;
  blk_block bs[3];
  blk_addr d;
  make_chain(BLK_FORK_PRAGUE, bs, &d);
  blk_env keep = bs[1].env;
  bs[1].env.base_fee.b[31] ^= 1;
  expect_chain_refusal(bs, 2, "block 1: env.base_fee");
  bs[1].env = keep;
  bs[1].env.number++;
  expect_chain_refusal(bs, 2, "block 1: env.number");
  bs[1].env = keep;
  bs[1].env.timestamp = bs[0].env.timestamp;
  expect_chain_refusal(bs, 2, "block 1: env.timestamp");
  bs[1].env = keep;
  bs[1].env.gas_limit += bs[0].env.gas_limit / 1024;
  expect_chain_refusal(bs, 2, "block 1: env.gas_limit");
  bs[1].env = keep;
  bs[1].env.chain_id = 5;
  expect_chain_refusal(bs, 2, "block 1: chain id");
  bs[1].env = keep;
  bs[1].env.fork = BLK_FORK_OSAKA;
  expect_chain_refusal(bs, 2, "block 1: fork");
  bs[1].env = keep;
  bs[1].env.excess_blob_gas = 1;
  expect_chain_refusal(bs, 2, "block 1: env.excess_blob_gas");
  bs[1].env = keep;
  /* a pre-state that is not the post-state: the sender's balance */
  uint8_t sender[20];
  char hex[41];
  assert_int_equal(evm_test_address(0, sender), EVM_SIG_OK);
  for (int i = 0; i < 20; i++) snprintf(hex + 2 * i, 3, "%02x", sender[i]);
  blk_account *a = (blk_account *)fixj_pre_find(&bs[1], sender);
  assert_non_null(a);
  a->balance.b[31] ^= 1;
  char want[160];
  snprintf(want, sizeof want, "block 1: the pre-state is not block 0's post-state: account 0x%s differs in its balance",
           hex);
  expect_chain_refusal(bs, 2, want);
  a->balance.b[31] ^= 1;
  /* block 2 reads BLOCKHASH(11), which the chain answers with block 1's hash */
  free(bs[2].env.block_hashes);
  bs[2].env.block_hashes = NULL;
  bs[2].env.n_block_hashes = 0;
  expect_chain_refusal(bs, 3, "block 2: BLOCKHASH");
  /* a block left out: block 2 after block 0 */
  blk_block sw[2] = {bs[0], bs[2]};
  expect_chain_refusal(sw, 2, "block 1: env.number");
  /* and the original chain still exports */
  one_hash(&bs[2], 11, (uint8_t[32]){0});
  expect_chain_refusal(bs, 3, "block 2: BLOCKHASH");
  for (int k = 0; k < 3; k++) blk_free(&bs[k]);
}

/* Set blocks[k]'s header to h and its withdrawals to wd (RLP of the list;
 * NULL: empty), recomputing the block RLP and the hashes stated. */
static void set_block(cJSON *root, size_t k, const fixb_header *h, const uint8_t *wd, size_t wd_len, uint8_t hash[32]) {
  cJSON *jb = cJSON_GetArrayItem(cJSON_GetObjectItem(fixture_of(root), "blocks"), (int)k);
  size_t blen, off = 0, n = 0;
  uint8_t *braw = json_bytes(jb, "rlp", &blen);
  rlp_item bw, bp[4];
  assert_int_equal(rlp_decode_whole(braw, blen, &bw, &off), RLP_OK);
  assert_int_equal(rlp_list(&bw, bp, 4, &n, &off), RLP_OK);
  uint8_t *he;
  size_t hl;
  assert_int_equal(fixb_header_encode(h, &he, &hl), FIXX_OK);
  keccak256(he, hl, hash);
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  rlp_put_raw(&e, he, hl);
  rlp_put_raw(&e, braw + bp[1].offset, bp[1].total);
  rlp_put_raw(&e, braw + bp[2].offset, bp[2].total);
  if (wd) rlp_put_raw(&e, wd, wd_len);
  else rlp_put_raw(&e, braw + bp[3].offset, bp[3].total);
  rlp_list_end(&e);
  free(he);
  free(braw);
  uint8_t *nb;
  size_t nl;
  assert_int_equal(rlp_enc_finish(&e, &nb, &nl), RLP_OK);
  char *s = malloc(2 * nl + 3), hs[67];
  assert_non_null(s);
  strcpy(s, "0x");
  for (size_t i = 0; i < nl; i++) sprintf(s + 2 + 2 * i, "%02x", nb[i]);
  free(nb);
  cJSON_ReplaceItemInObject(jb, "rlp", cJSON_CreateString(s));
  free(s);
  strcpy(hs, "0x");
  for (int i = 0; i < 32; i++) sprintf(hs + 2 + 2 * i, "%02x", hash[i]);
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(jb, "blockHeader"), "hash", cJSON_CreateString(hs));
}

static void get_header(const cJSON *root, size_t k, fixb_header *h) {
  size_t blen, off = 0, n = 0;
  uint8_t *braw = json_bytes(block_json(root, k), "rlp", &blen);
  rlp_item bw, bp[4];
  assert_int_equal(rlp_decode_whole(braw, blen, &bw, &off), RLP_OK);
  assert_int_equal(rlp_list(&bw, bp, 4, &n, &off), RLP_OK);
  assert_int_equal(fixb_header_decode(braw + bp[0].offset, bp[0].total, h, &off), 0);
  free(braw);
}

/* blocks[] of the fixture made of copies of items[0..n) (cJSON_InsertItemInArray
 * is not relied on: some cJSON releases fail it). */
static void set_blocks(cJSON *root, const cJSON *const *items, size_t n) {
  cJSON *arr = cJSON_CreateArray();
  assert_non_null(arr);
  for (size_t i = 0; i < n; i++) assert_true(cJSON_AddItemToArray(arr, cJSON_Duplicate(items[i], 1)));
  assert_true(cJSON_ReplaceItemInObject(cJSON_GetObjectItem(root, "bt"), "blocks", arr));
}

static fixb_file parse_doc(const cJSON *root) {
  char *s = cJSON_PrintUnformatted(root);
  assert_non_null(s);
  fixb_file f;
  fix_error fe;
  int rc = fixb_parse(s, strlen(s), "chain", &f, &fe);
  if (rc) print_error("%s\n", fe.msg);
  assert_int_equal(rc, FIX_OK);
  free(s);
  return f;
}

static void expect_doc_bad(const cJSON *root, int code, const char *n1, const char *n2) {
  char *s = cJSON_PrintUnformatted(root);
  assert_non_null(s);
  fixb_file f;
  fix_error fe;
  int rc = fixb_parse(s, strlen(s), "chain.json", &f, &fe);
  free(s);
  if (rc != code || !strstr(fe.msg, n1) || !strstr(fe.msg, n2))
    print_error("rc %d: '%s' (wanted '%s', '%s')\n", rc, fe.msg, n1, n2);
  assert_int_equal(rc, code);
  assert_null(f.cases);
  assert_non_null(strstr(fe.msg, "chain.json: test 'bt'"));
  assert_non_null(strstr(fe.msg, n1));
  assert_non_null(strstr(fe.msg, n2));
}

/* A middle block marked invalid is skipped and changes nothing: the block
 * after it (a child of block 0) imports as it was exported. Here the marked
 * block is a real child of block 0 that spends the sender's nonce 2, so
 * applying it would invalidate the next one. */
static void test_chain_invalid_block(void **state) {
  (void)state;
  blk_block bs[3];
  blk_addr d;
  make_chain(BLK_FORK_CANCUN, bs, &d);
  blk_block alt[2];
  alt[0] = bs[0];
  evm_block_result r;
  assert_int_equal(evm_execute_block(&bs[0], NULL, &r), EVM_OK);
  child_of(&bs[0], &r, &alt[1]);
  evm_block_result_free(&r);
  add_tx(&alt[1], 2, &k_contract, NULL, 0);
  alt[1].env.timestamp += 1;
  char *ja = export_chain_ok(bs, 3), *jx = export_chain_ok(alt, 2);
  blk_free(&alt[1]);
  cJSON *root = cJSON_Parse(ja), *rx = cJSON_Parse(jx);
  cJSON *bad = cJSON_Duplicate(block_json(rx, 1), 1);
  cJSON_AddStringToObject(bad, "expectException", "TransactionException.NONCE_MISMATCH_TOO_LOW");
  const cJSON *order[4] = {block_json(root, 0), bad, block_json(root, 1), block_json(root, 2)};
  set_blocks(root, order, 4);
  fixb_file f = parse_doc(root);
  assert_int_equal(f.n_cases, 4);
  assert_int_equal(f.cases[0].skip[0], 0);
  assert_non_null(strstr(f.cases[1].skip, "expectException"));
  for (size_t k = 2; k < 4; k++) {
    if (f.cases[k].skip[0]) print_error("case %zu: %s\n", k, f.cases[k].skip);
    assert_int_equal(f.cases[k].skip[0], 0);
    assert_int_equal(f.cases[k].block_index, k);
    assert_true(f.cases[k].exec_matches);
    assert_same_block(&bs[k - 1], &f.cases[k].block);
  }
  fixb_file_free(&f);
  /* the same block unmarked after blocks 1 and 2: a side chain from block 0,
   * skipped, and the chain stops there */
  cJSON_DeleteItemFromObject(bad, "expectException");
  const cJSON *side[5] = {block_json(root, 0), block_json(root, 2), block_json(root, 3), bad, block_json(root, 3)};
  set_blocks(root, side, 5);
  f = parse_doc(root);
  assert_int_equal(f.n_cases, 5);
  for (size_t k = 0; k < 3; k++) assert_int_equal(f.cases[k].skip[0], 0);
  assert_non_null(strstr(f.cases[3].skip, "side chain (its parent is block number 10"));
  assert_non_null(strstr(f.cases[4].skip, "the chain stops at block 3, which starts a side chain"));
  fixb_file_free(&f);
  /* the marked block alone, unmarked, is a valid child: imported, it is alt[1] */
  const cJSON *two[2] = {block_json(root, 0), bad};
  set_blocks(root, two, 2);
  cJSON_Delete(bad);
  f = parse_doc(root);
  assert_int_equal(f.n_cases, 2);
  assert_int_equal(f.cases[1].skip[0], 0);
  assert_true(f.cases[1].exec_matches);
  fixb_file_free(&f);
  cJSON_Delete(root);
  cJSON_Delete(rx);
  free(ja);
  free(jx);
  for (int k = 0; k < 3; k++) blk_free(&bs[k]);
}

static void test_chain_malformed(void **state) {
  (void)state;
  blk_block bs[3];
  blk_addr d;
  make_chain(BLK_FORK_CANCUN, bs, &d);
  char *json = export_chain_ok(bs, 3);
  /* blocks 1 and 2 swapped: block 2's parent is not block 0 */
  cJSON *root = cJSON_Parse(json);
  const cJSON *swapped[3] = {block_json(root, 0), block_json(root, 2), block_json(root, 1)};
  set_blocks(root, swapped, 3);
  expect_doc_bad(root, FIX_E_INVALID, "blocks[1].rlp", "parentHash is not the hash of block 0");
  cJSON_Delete(root);
  /* block 2's RLP cut short */
  root = cJSON_Parse(json);
  cJSON *jb = cJSON_GetArrayItem(cJSON_GetObjectItem(fixture_of(root), "blocks"), 2);
  char *cut = strdup(cJSON_GetObjectItem(jb, "rlp")->valuestring);
  cut[strlen(cut) - 2] = 0;
  cJSON_ReplaceItemInObject(jb, "rlp", cJSON_CreateString(cut));
  free(cut);
  expect_doc_bad(root, FIX_E_RANGE, "blocks[2].rlp", "malformed RLP");
  /* not hex, and not an object */
  cJSON_ReplaceItemInObject(jb, "rlp", cJSON_CreateString("0xzz"));
  expect_doc_bad(root, FIX_E_HEX, "blocks[2].rlp", "hex");
  cJSON_ReplaceItemInArray(cJSON_GetObjectItem(fixture_of(root), "blocks"), 2, cJSON_CreateNumber(1));
  expect_doc_bad(root, FIX_E_TYPE, "blocks[2]", "object");
  cJSON_Delete(root);
  /* a header number that does not follow its parent's (hash relinked) */
  root = cJSON_Parse(json);
  fixb_header h;
  uint8_t hash[32];
  get_header(root, 2, &h);
  h.number = 13;
  set_block(root, 2, &h, NULL, 0, hash);
  expect_doc_bad(root, FIX_E_INVALID, "blocks[2].rlp", "number 13 does not follow");
  cJSON_Delete(root);
  /* a block whose header states another state root: the chain diverged
   * there, and the blocks after it are skipped (not read) */
  root = cJSON_Parse(json);
  get_header(root, 1, &h);
  h.state_root[0] ^= 1;
  set_block(root, 1, &h, NULL, 0, hash);
  fixb_file f = parse_doc(root);
  assert_int_equal(f.n_cases, 3);
  assert_true(f.cases[0].exec_matches);
  assert_int_equal(f.cases[1].skip[0], 0);
  assert_false(f.cases[1].exec_matches);
  assert_non_null(strstr(f.cases[1].note, "diverges"));
  assert_non_null(
      strstr(f.cases[2].skip, "the chain diverged at block 1: it executes to a state root other than its header's"));
  assert_int_equal(f.cases[2].block.n_accounts, 0);
  fixb_file_free(&f);
  cJSON_Delete(root);
  free(json);
  for (int k = 0; k < 3; k++) blk_free(&bs[k]);
}

/* Withdrawals (EIP-4895) in block 1: its case is skipped, but the chain goes
 * on through it with the amounts credited (Gwei): block 2 runs on them and
 * reads block 1's new hash. Headers are rewritten here with the roots
 * computed here. */
static void test_chain_withdrawals(void **state) {
  (void)state;
  blk_block bs[3];
  blk_addr d;
  make_chain(BLK_FORK_CANCUN, bs, &d);
  char *json = export_chain_ok(bs, 3);
  cJSON *root = cJSON_Parse(json);
  /* withdrawals: 5 Gwei to the sender (exists), 7 Gwei to 0x77..77 (new), 0 to 0x88..88 (none made) */
  uint8_t sender[20], w1[20], w2[20];
  assert_int_equal(evm_test_address(0, sender), EVM_SIG_OK);
  memset(w1, 0x77, 20);
  memset(w2, 0x88, 20);
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  const uint8_t *who[3] = {sender, w1, w2};
  const uint64_t gwei[3] = {5, 7, 0};
  for (int i = 0; i < 3; i++) {
    rlp_list_begin(&e);
    rlp_put_u64(&e, (uint64_t)i);
    rlp_put_u64(&e, 100 + (uint64_t)i);
    rlp_put_bytes(&e, who[i], 20);
    rlp_put_u64(&e, gwei[i]);
    rlp_list_end(&e);
  }
  rlp_list_end(&e);
  uint8_t *wd;
  size_t wl;
  assert_int_equal(rlp_enc_finish(&e, &wd, &wl), RLP_OK);
  /* block 2's pre-state: block 1's post-state with the credits */
  blk_block *p2 = &bs[2];
  blk_account *s = (blk_account *)fixj_pre_find(p2, sender);
  assert_non_null(s);
  uint64_t bal = u64_of(&s->balance);
  set_u64(&s->balance, bal + 5000000000ull);
  assert_int_equal(u64_of(&s->balance) - bal, 5000000000ull);
  p2->accounts = realloc(p2->accounts, (p2->n_accounts + 1) * sizeof *p2->accounts);
  assert_non_null(p2->accounts);
  blk_account *na = &p2->accounts[p2->n_accounts++];
  memset(na, 0, sizeof *na);
  memcpy(na->address.b, w1, 20);
  set_u64(&na->balance, 7000000000ull);
  qsort(p2->accounts, p2->n_accounts, sizeof *p2->accounts, cmp_account);
  /* block 1's header: the root after the credits (the root of block 2's pre-state) */
  blk_block v = *p2;
  v.txs = NULL;
  v.n_txs = 0;
  v.env.block_hashes = NULL;
  v.env.n_block_hashes = 0;
  evm_block_result r;
  assert_int_equal(evm_execute_block(&v, NULL, &r), EVM_OK);
  fixb_header h1, h2;
  get_header(root, 1, &h1);
  memcpy(h1.state_root, r.state_root, 32);
  evm_block_result_free(&r);
  uint8_t hash1[32], hash2[32];
  set_block(root, 1, &h1, wd, wl, hash1);
  free(wd);
  /* block 2: parent relinked, BLOCKHASH(11) now the new hash, root and gas re-executed */
  memcpy(p2->env.block_hashes[0].hash, hash1, 32);
  assert_int_equal(evm_execute_block(p2, NULL, &r), EVM_OK);
  get_header(root, 2, &h2);
  memcpy(h2.parent_hash, hash1, 32);
  memcpy(h2.state_root, r.state_root, 32);
  assert_int_equal(h2.gas_used, r.gas_used);
  evm_block_result_free(&r);
  set_block(root, 2, &h2, NULL, 0, hash2);
  fixb_file f = parse_doc(root);
  assert_int_equal(f.n_cases, 3);
  assert_int_equal(f.cases[0].skip[0], 0);
  assert_non_null(strstr(f.cases[1].skip, "withdrawals"));
  assert_true(f.cases[1].exec_matches); /* the root after the credits */
  if (f.cases[2].skip[0]) print_error("%s\n", f.cases[2].skip);
  assert_int_equal(f.cases[2].skip[0], 0);
  assert_true(f.cases[2].exec_matches);
  assert_same_block(p2, &f.cases[2].block);
  assert_null(fixj_pre_find(&f.cases[2].block, w2));
  fixb_file_free(&f);
  cJSON_Delete(root);
  free(json);
  for (int k = 0; k < 3; k++) blk_free(&bs[k]);
}

/* A Prague chain whose state holds code at the EIP-7002 contract: a client
 * calls it after the transactions, this executor does not, so a header root
 * that differs from the executor's is expected there and the chain goes on
 * (with a note); the same difference without the contract ends the chain
 * (test_chain_malformed). The fixture is relinked here: the contract added to
 * `pre`, the genesis and every header recomputed (roots from executions of
 * the test-built blocks with the contract added, each next block's pre-state
 * the post-state of that execution), block 0's root then tampered. */
static void test_chain_request_contracts(void **state) {
  (void)state;
  blk_block bs[3];
  blk_addr d;
  make_chain(BLK_FORK_PRAGUE, bs, &d);
  char *json = export_chain_ok(bs, 3);
  cJSON *root = cJSON_Parse(json);
  cJSON *t = cJSON_GetObjectItem(root, "bt");
  uint8_t req[20];
  unhex("00000961ef480eb55e80d19ad83579a64c007002", req, 20);
  cJSON *acct = cJSON_CreateObject();
  cJSON_AddStringToObject(acct, "nonce", "0x01");
  cJSON_AddStringToObject(acct, "balance", "0x00");
  cJSON_AddStringToObject(acct, "code", "0x00");
  cJSON_AddItemToObject(acct, "storage", cJSON_CreateObject());
  cJSON_AddItemToObject(cJSON_GetObjectItem(t, "pre"), "0x00000961ef480eb55e80d19ad83579a64c007002", acct);
  /* the contract (code 0x00) added to every block's pre-state */
  for (int k = 0; k < 3; k++) {
    blk_block *b = &bs[k];
    b->codes = realloc(b->codes, (b->n_codes + 1) * sizeof *b->codes);
    assert_non_null(b->codes);
    b->codes[b->n_codes].data = calloc(1, 1);
    assert_non_null(b->codes[b->n_codes].data);
    b->codes[b->n_codes].len = 1;
    b->n_codes++;
    b->accounts = realloc(b->accounts, (b->n_accounts + 1) * sizeof *b->accounts);
    assert_non_null(b->accounts);
    blk_account *a = &b->accounts[b->n_accounts++];
    memset(a, 0, sizeof *a);
    memcpy(a->address.b, req, 20);
    a->nonce = 1;
    a->code_ref = (uint32_t)b->n_codes;
    qsort(b->accounts, b->n_accounts, sizeof *b->accounts, cmp_account);
  }
  /* genesis: root of the new pre-state */
  blk_block v = bs[0];
  v.txs = NULL;
  v.n_txs = 0;
  evm_block_result r;
  assert_int_equal(evm_execute_block(&v, NULL, &r), EVM_OK);
  size_t glen, off = 0, n = 0;
  uint8_t *graw = json_bytes(t, "genesisRLP", &glen);
  rlp_item gw, gp[4];
  assert_int_equal(rlp_decode_whole(graw, glen, &gw, &off), RLP_OK);
  assert_int_equal(rlp_list(&gw, gp, 4, &n, &off), RLP_OK);
  fixb_header g;
  assert_int_equal(fixb_header_decode(graw + gp[0].offset, gp[0].total, &g, &off), 0);
  free(graw);
  memcpy(g.state_root, r.state_root, 32);
  evm_block_result_free(&r);
  uint8_t *he, *ge, prev[32];
  size_t hl, gel;
  assert_int_equal(fixb_header_encode(&g, &he, &hl), FIXX_OK);
  keccak256(he, hl, prev);
  rlp_enc en;
  rlp_enc_init(&en);
  rlp_list_begin(&en);
  rlp_put_raw(&en, he, hl);
  for (int k = 0; k < 3; k++) {
    rlp_list_begin(&en);
    rlp_list_end(&en);
  }
  rlp_list_end(&en);
  free(he);
  assert_int_equal(rlp_enc_finish(&en, &ge, &gel), RLP_OK);
  char *gs = malloc(2 * gel + 3);
  assert_non_null(gs);
  strcpy(gs, "0x");
  for (size_t k = 0; k < gel; k++) sprintf(gs + 2 + 2 * k, "%02x", ge[k]);
  free(ge);
  cJSON_ReplaceItemInObject(t, "genesisRLP", cJSON_CreateString(gs));
  free(gs);
  /* blocks: parent relinked, BLOCKHASH(N-1) the new parent hash, root re-executed; block 0's root tampered */
  uint8_t hashes[3][32];
  for (size_t k = 0; k < 3; k++) {
    if (k) memcpy(bs[k].env.block_hashes[0].hash, prev, 32);
    assert_int_equal(evm_execute_block(&bs[k], NULL, &r), EVM_OK);
    fixb_header h;
    get_header(root, k, &h);
    memcpy(h.parent_hash, prev, 32);
    memcpy(h.state_root, r.state_root, 32);
    assert_int_equal(h.gas_used, r.gas_used);
    if (k == 0) h.state_root[0] ^= 1;
    if (k + 1 < 3) { /* the next block runs on this post-state (D's log holds the new hashes) */
      blk_block post, *nb = &bs[k + 1];
      post_state(&r, &post);
      for (size_t q = 0; q < nb->n_codes; q++) free(nb->codes[q].data);
      free(nb->codes);
      for (size_t q = 0; q < nb->n_accounts; q++) free(nb->accounts[q].storage);
      free(nb->accounts);
      nb->codes = post.codes;
      nb->n_codes = post.n_codes;
      nb->accounts = post.accounts;
      nb->n_accounts = post.n_accounts;
    }
    evm_block_result_free(&r);
    set_block(root, k, &h, NULL, 0, hashes[k]);
    memcpy(prev, hashes[k], 32);
  }
  fixb_file f = parse_doc(root);
  assert_int_equal(f.n_cases, 3);
  assert_false(f.cases[0].exec_matches);
  assert_non_null(strstr(f.cases[0].note, "as expected: the EIP-7002/7251 system calls"));
  for (size_t k = 1; k < 3; k++) {
    if (f.cases[k].skip[0] || !f.cases[k].exec_matches)
      print_error("case %zu: %s / %s\n", k, f.cases[k].skip, f.cases[k].note);
    assert_int_equal(f.cases[k].skip[0], 0);
    assert_true(f.cases[k].exec_matches);
    assert_non_null(strstr(f.cases[k].note, "lacks the EIP-7002/7251 system calls of block 0 on"));
    assert_same_block(&bs[k], &f.cases[k].block);
  }
  fixb_file_free(&f);
  cJSON_Delete(root);
  free(json);
  for (int k = 0; k < 3; k++) blk_free(&bs[k]);
}

/* Block 0 with blob transactions (Cancun 2 + 2 blobs, Prague and Osaka
 * 4 + 3), block 1 its child with the excess blob gas written out here from
 * the EIPs: Cancun 4 * 131072 - 3 * 131072 (EIP-4844, target 3); Prague
 * 7 * 131072 - 6 * 131072 (EIP-7691, target 6); Osaka, where the reserve
 * price holds (8192 * base fee 10^9 > 131072 * blob base fee 1, EIP-7918),
 * 7 * 131072 * (9 - 6) / 9 = 305834. */
static const uint64_t k_blob_excess[BLK_FORK_COUNT] = {131072, 131072, 305834};

static void make_blob_chain(blk_fork fork, blk_block bs[2]) {
  one_call_block(&bs[0], fork, k_store_log, sizeof k_store_log);
  set_u64(&bs[0].env.base_fee, 1000000000ull);
  set_u64(&bs[0].txs[0].gas_price, 3000000000ull);
  const size_t blobs[2] = {fork == BLK_FORK_CANCUN ? 2u : 4u, fork == BLK_FORK_CANCUN ? 2u : 3u};
  for (size_t i = 0; i < 2; i++) {
    add_tx(&bs[0], 1 + i, &k_contract, NULL, 0);
    blk_tx *t = &bs[0].txs[bs[0].n_txs - 1];
    t->type = 3;
    set_u64(&t->max_fee_per_blob_gas, 10);
    t->blob_hashes = calloc(blobs[i], 32);
    assert_non_null(t->blob_hashes);
    t->n_blob_hashes = blobs[i];
    for (size_t k = 0; k < blobs[i]; k++) {
      t->blob_hashes[k][0] = 0x01; /* KZG version */
      t->blob_hashes[k][31] = (uint8_t)(16 * i + k);
    }
  }
  evm_block_result r;
  assert_int_equal(evm_execute_block(&bs[0], NULL, &r), EVM_OK);
  for (size_t i = 0; i < r.n_txs; i++) assert_true(r.txs[i].status == EVM_TX_SUCCESS);
  assert_int_equal(r.blob_gas_used, (blobs[0] + blobs[1]) * 131072u);
  child_of(&bs[0], &r, &bs[1]);
  evm_block_result_free(&r);
  bs[1].env.excess_blob_gas = k_blob_excess[fork];
  add_tx(&bs[1], 3, &k_contract, NULL, 0);
}

static void test_chain_blobs(void **state) {
  (void)state;
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    blk_block bs[2];
    make_blob_chain((blk_fork)f, bs);
    char *json = export_chain_ok(bs, 2);
    fixb_file ff;
    fix_error fe;
    assert_int_equal(fixb_parse(json, strlen(json), "blobs", &ff, &fe), FIX_OK);
    assert_int_equal(ff.n_cases, 2);
    for (size_t k = 0; k < 2; k++) {
      assert_int_equal(ff.cases[k].skip[0], 0);
      assert_true(ff.cases[k].exec_matches);
      assert_same_block(&bs[k], &ff.cases[k].block);
    }
    fixb_file_free(&ff);
    free(json);
    bs[1].env.excess_blob_gas++;
    expect_chain_refusal(bs, 2, "block 1: env.excess_blob_gas");
    bs[1].env.excess_blob_gas -= 2;
    expect_chain_refusal(bs, 2, "block 1: env.excess_blob_gas");
    blk_free(&bs[0]);
    blk_free(&bs[1]);
  }
}

/* The chains of make_chain as block files, tests/vectors/bc_chain/FORK_bK.blk,
 * for the end-to-end check (e2e_blockchain_test.sh exports them as one chain
 * and has ethereumjs replay it). The files must be what make_chain builds
 * today: a change to the executor's gas or roots shows here first.
 * PKB_REGEN_VECTORS=1 writes them anew. FORK_blob_bK.blk: the blob chain of
 * make_blob_chain. */
/* Write b to the vector file FORK_NAME.blk (regen) or check the file holds it. */
static void check_vector(blk_fork fork, const char *name, const blk_block *b, int regen) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/vectors/bc_chain/%s_%s.blk", src_dir(), blk_fork_name(fork), name);
  uint8_t *enc = NULL, *have = NULL;
  size_t n = 0, hn = 0;
  assert_int_equal(blk_encode(b, &enc, &n), BLK_OK);
  if (regen) {
    assert_int_equal(blk_write_file(path, b), BLK_OK);
  } else {
    int rc = blk_read_bytes(path, &have, &hn);
    if (rc != BLK_OK || hn != n || memcmp(have, enc, n) != 0)
      print_error("%s differs from the chain built here (PKB_REGEN_VECTORS=1 rewrites it)\n", path);
    assert_int_equal(rc, BLK_OK);
    assert_int_equal(hn, n);
    assert_memory_equal(have, enc, n);
  }
  free(enc);
  free(have);
}

static void test_chain_vectors(void **state) {
  (void)state;
  const char *rv = getenv("PKB_REGEN_VECTORS");
  int regen = rv && rv[0] == '1';
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    blk_block bs[3], bb[2];
    blk_addr d;
    make_chain((blk_fork)f, bs, &d);
    make_blob_chain((blk_fork)f, bb);
    check_vector((blk_fork)f, "b0", &bs[0], regen);
    check_vector((blk_fork)f, "b1", &bs[1], regen);
    check_vector((blk_fork)f, "b2", &bs[2], regen);
    check_vector((blk_fork)f, "blob_b0", &bb[0], regen);
    check_vector((blk_fork)f, "blob_b1", &bb[1], regen);
    for (int k = 0; k < 3; k++) blk_free(&bs[k]);
    blk_free(&bb[0]);
    blk_free(&bb[1]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_kat),   cmocka_unit_test(test_hand_block),
      cmocka_unit_test(test_blockhash),    cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_malformed),    cmocka_unit_test(test_generated),
      cmocka_unit_test(test_conformance_round_trip),
      cmocka_unit_test(test_chain_round_trip), cmocka_unit_test(test_chain_refusals),
      cmocka_unit_test(test_chain_invalid_block), cmocka_unit_test(test_chain_malformed),
      cmocka_unit_test(test_chain_withdrawals), cmocka_unit_test(test_chain_request_contracts),
      cmocka_unit_test(test_chain_blobs),
      cmocka_unit_test(test_chain_vectors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
