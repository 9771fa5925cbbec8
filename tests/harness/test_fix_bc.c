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
#include "evm/txsig.h"
#include "fix.h"
#include "fix_bc.h"
#include "fix_export.h"
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_kat),   cmocka_unit_test(test_hand_block),
      cmocka_unit_test(test_blockhash),    cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_malformed),    cmocka_unit_test(test_generated),
      cmocka_unit_test(test_conformance_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
