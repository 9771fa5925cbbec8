/* Tests of the state-test importer (harness/fix.h): hex helpers, hand-made
 * fixtures in tests/vectors/fixtures/ (valid ones checked field by field,
 * malformed ones each with its error and JSON path), robustness against every
 * truncation and many byte mutations, and the import of every shipped fixture
 * under ../shared/conformance, whose txbytes must be reproduced exactly. The
 * sender forms: any test key's secretKey gives that key's index; without
 * secretKey the signature comes from txbytes and must recover the sender,
 * checked on edited copies of the hand-made fixtures and on every shipped
 * fixture with its secretKey removed (real signatures from the fillers). */
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
#include "evm/txsig.h"
#include "fix.h"

static const char *src_dir(void) {
  const char *s = getenv("PKB_SOURCE_DIR");
  return s && *s ? s : ".";
}

static char *vec_path(const char *name) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/tests/vectors/fixtures/%s", src_dir(), name);
  return buf;
}

static void unhex(const char *s, uint8_t *out, size_t n) {
  assert_int_equal(fix_hex_fixed(s, out, n), FIX_OK);
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* ---- hex helpers ---- */

static void test_hex_u64(void **state) {
  (void)state;
  uint64_t v = 7;
  assert_int_equal(fix_hex_u64("0x0", &v), FIX_OK);
  assert_int_equal(v, 0);
  assert_int_equal(fix_hex_u64("0x00", &v), FIX_OK);
  assert_int_equal(v, 0);
  assert_int_equal(fix_hex_u64("0x1", &v), FIX_OK);
  assert_int_equal(v, 1);
  assert_int_equal(fix_hex_u64("0x03e8", &v), FIX_OK);
  assert_int_equal(v, 1000);
  assert_int_equal(fix_hex_u64("0xFFffFFffFFffFFff", &v), FIX_OK);
  assert_true(v == UINT64_MAX);
  assert_int_equal(fix_hex_u64("0x0000ffffffffffffffff", &v), FIX_OK); /* leading zeros do not count */
  assert_true(v == UINT64_MAX);
  v = 5;
  assert_int_equal(fix_hex_u64("0x10000000000000000", &v), FIX_E_RANGE);
  assert_int_equal(fix_hex_u64("0x", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64("", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64("12", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64("0X12", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64("0x12 ", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64(" 0x12", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64("0x-1", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64("0xg", &v), FIX_E_HEX);
  assert_int_equal(fix_hex_u64(NULL, &v), FIX_E_HEX);
  assert_int_equal(v, 5); /* untouched on error */
}

static void test_hex_u256(void **state) {
  (void)state;
  uint8_t b[32], want[32];
  memset(want, 0, 32);
  want[30] = 0x01;
  want[31] = 0x23;
  assert_int_equal(fix_hex_u256("0x123", b), FIX_OK);
  assert_memory_equal(b, want, 32);
  char s[80] = "0x";
  for (int i = 0; i < 64; i++) s[2 + i] = 'f';
  s[66] = 0;
  assert_int_equal(fix_hex_u256(s, b), FIX_OK);
  memset(want, 0xff, 32);
  assert_memory_equal(b, want, 32);
  char t[80] = "0x1";
  for (int i = 0; i < 64; i++) t[3 + i] = '0';
  t[67] = 0;
  memset(b, 0xaa, 32);
  assert_int_equal(fix_hex_u256(t, b), FIX_E_RANGE);
  for (int i = 0; i < 32; i++) assert_int_equal(b[i], 0xaa);
  t[2] = '0'; /* 65 digits with a leading zero fit */
  assert_int_equal(fix_hex_u256(t, b), FIX_OK);
  assert_true(b[0] == 0 && b[31] == 0);
  assert_int_equal(fix_hex_u256("0x12q4", b), FIX_E_HEX);
}

static void test_hex_bytes_fixed(void **state) {
  (void)state;
  uint8_t *p = (uint8_t *)1;
  size_t n = 99;
  assert_int_equal(fix_hex_bytes("0x", 10, &p, &n), FIX_OK);
  assert_null(p);
  assert_int_equal(n, 0);
  assert_int_equal(fix_hex_bytes("0xdeADbe", 10, &p, &n), FIX_OK);
  assert_int_equal(n, 3);
  assert_true(p[0] == 0xde && p[1] == 0xad && p[2] == 0xbe);
  free(p);
  assert_int_equal(fix_hex_bytes("0xabc", 10, &p, &n), FIX_E_HEX);
  assert_null(p);
  assert_int_equal(n, 0);
  assert_int_equal(fix_hex_bytes("0xabcd", 1, &p, &n), FIX_E_RANGE);
  assert_int_equal(fix_hex_bytes("abcd", 10, &p, &n), FIX_E_HEX);
  assert_int_equal(fix_hex_bytes("0xab\xff", 10, &p, &n), FIX_E_HEX);
  uint8_t a[20];
  assert_int_equal(fix_hex_fixed("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", a, 20), FIX_OK);
  assert_true(a[0] == 0xa9 && a[19] == 0x0b);
  assert_int_equal(fix_hex_fixed("0xa94f5374fce5edbc8e2a8697c15331677e6ebf", a, 20), FIX_E_RANGE);
  assert_int_equal(fix_hex_fixed("0x00a94f5374fce5edbc8e2a8697c15331677e6ebf0b", a, 20), FIX_E_RANGE);
  assert_int_equal(fix_hex_fixed("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0x", a, 20), FIX_E_HEX);
}

/* ---- hand-made valid fixtures ---- */

static void check_encode_roundtrip(const blk_block *b) {
  assert_int_equal(blk_validate(b, NULL), BLK_OK);
  uint8_t *e1, *e2;
  size_t n1, n2;
  assert_int_equal(blk_encode(b, &e1, &n1), BLK_OK);
  blk_block d;
  blk_error err;
  assert_int_equal(blk_decode(e1, n1, &d, &err), BLK_OK);
  assert_int_equal(blk_encode(&d, &e2, &n2), BLK_OK);
  assert_int_equal(n1, n2);
  assert_memory_equal(e1, e2, n1);
  free(e1);
  free(e2);
  blk_free(&d);
}

static void test_valid_legacy(void **state) {
  (void)state;
  fix_file f;
  fix_error e;
  int rc = fix_load(vec_path("valid_legacy.json"), NULL, &f, &e);
  if (rc) print_error("%s\n", e.msg);
  assert_int_equal(rc, FIX_OK);
  assert_int_equal(f.n_tests, 1);
  assert_int_equal(f.n_cases, 2);

  const fix_case *c = &f.cases[0];
  assert_string_equal(c->test, "simpleLegacy");
  assert_string_equal(c->fork_name, "Cancun");
  assert_int_equal(c->fork, BLK_FORK_CANCUN);
  assert_int_equal(c->skip[0], 0);
  assert_null(c->expect_exception);
  assert_int_equal(c->has_post_state, 0);
  uint8_t h[32];
  memset(h, 0x11, 32);
  assert_memory_equal(c->post_root, h, 32);
  unhex("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", h, 32);
  assert_memory_equal(c->logs_hash, h, 32);

  const blk_block *b = &c->block;
  assert_int_equal(b->version, BLK_VERSION);
  assert_int_equal(b->env.chain_id, 1);
  assert_int_equal(b->env.number, 1);
  assert_int_equal(b->env.timestamp, 1000);
  assert_int_equal(b->env.gas_limit, 100000000);
  assert_int_equal(b->env.base_fee.b[31], 10);
  assert_int_equal(b->env.prevrandao[29], 0x02);
  assert_int_equal(b->env.excess_blob_gas, 0);
  uint8_t cb[20];
  unhex("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba", cb, 20);
  assert_memory_equal(b->env.coinbase.b, cb, 20);

  /* pre: sorted by address, one shared code stored once, the zero slot dropped */
  assert_int_equal(b->n_accounts, 4);
  assert_int_equal(b->n_codes, 2);
  assert_int_equal(b->accounts[0].address.b[0], 0x10);
  assert_int_equal(b->accounts[1].address.b[0], 0x20);
  assert_int_equal(b->accounts[2].address.b[0], 0xa9);
  assert_int_equal(b->accounts[3].address.b[0], 0xcc);
  assert_int_equal(b->accounts[0].nonce, 1);
  assert_int_equal(b->accounts[1].nonce, 2);
  assert_int_equal(b->accounts[1].balance.b[30], 1);
  assert_int_equal(b->accounts[0].code_ref, 1);
  assert_int_equal(b->accounts[1].code_ref, 2);
  assert_int_equal(b->accounts[2].code_ref, 0);
  assert_int_equal(b->accounts[3].code_ref, 1);
  static const uint8_t code1[] = {0x60, 0x01, 0x60, 0x00, 0x55, 0x00};
  assert_int_equal(b->codes[0].len, sizeof code1);
  assert_memory_equal(b->codes[0].data, code1, sizeof code1);
  assert_int_equal(b->codes[1].len, 1);
  const blk_account *cc = &b->accounts[3];
  assert_int_equal(cc->n_storage, 2);
  assert_int_equal(cc->storage[0].key.b[31], 0);
  assert_int_equal(cc->storage[0].value.b[31], 7);
  assert_int_equal(cc->storage[1].key.b[31], 2);
  assert_int_equal(cc->storage[1].value.b[31], 5);

  /* the transaction: test key 0 by index, unsigned, indexes 0/0/0 */
  assert_int_equal(b->n_txs, 1);
  const blk_tx *t = &b->txs[0];
  assert_int_equal(t->type, 0);
  assert_int_equal(t->sender_is_address, 0);
  assert_int_equal(t->sender_key, 0);
  assert_int_equal(t->has_signature, 0);
  assert_int_equal(t->gas_limit, 400000);
  assert_int_equal(t->data.len, 0);
  assert_int_equal(t->value.b[31], 1);
  assert_int_equal(t->gas_price.b[31], 10);
  assert_int_equal(t->is_create, 0);
  assert_int_equal(t->to.b[0], 0xcc);
  uint8_t sender[20], want[20];
  unhex("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", want, 20);
  assert_int_equal(evm_tx_sender(t, 1, sender), EVM_SIG_OK);
  assert_memory_equal(sender, want, 20);
  check_encode_roundtrip(b);

  /* second entry: indexes 1/1/0 and the expected exception */
  c = &f.cases[1];
  assert_int_equal(c->post_index, 1);
  assert_int_equal(c->idx_data, 1);
  assert_int_equal(c->idx_gas, 1);
  assert_int_equal(c->idx_value, 0);
  assert_non_null(c->expect_exception);
  assert_string_equal(c->expect_exception, "TransactionException.INTRINSIC_GAS_TOO_LOW");
  t = &c->block.txs[0];
  assert_int_equal(t->gas_limit, 21000);
  assert_int_equal(t->data.len, 4);
  assert_int_equal(t->data.data[0], 0xde);
  check_encode_roundtrip(&c->block);
  fix_file_free(&f);
  assert_null(f.cases);
}

static const fix_case *find_case(const fix_file *f, const char *test, size_t post_index) {
  for (size_t i = 0; i < f->n_cases; i++)
    if (strcmp(f->cases[i].test, test) == 0 && f->cases[i].post_index == post_index) return &f->cases[i];
  return NULL;
}

static void test_valid_typed(void **state) {
  (void)state;
  fix_file f;
  fix_error e;
  int rc = fix_load(vec_path("valid_typed.json"), NULL, &f, &e);
  if (rc) print_error("%s\n", e.msg);
  assert_int_equal(rc, FIX_OK);
  assert_int_equal(f.n_tests, 5);
  assert_int_equal(f.n_cases, 7);
  uint8_t addr1[20], a[20];
  /* the well-known address of secret key 1 */
  unhex("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf", addr1, 20);

  /* accessLists: a null entry keeps the legacy type, a list makes it type 1 */
  const fix_case *c = find_case(&f, "accessListTx", 0);
  assert_non_null(c);
  assert_int_equal(c->block.txs[0].type, 0);
  assert_int_equal(c->block.txs[0].n_access_list, 0);
  c = find_case(&f, "accessListTx", 1);
  assert_non_null(c);
  const blk_tx *t = &c->block.txs[0];
  assert_int_equal(t->type, 1);
  assert_int_equal(t->n_access_list, 1);
  assert_int_equal(t->access_list[0].address.b[0], 0xcc);
  assert_int_equal(t->access_list[0].n_keys, 2);
  assert_int_equal(t->access_list[0].keys[1].b[0], 0xaa);
  check_encode_roundtrip(&c->block);

  /* type 2 creation signed by key 1, chain id from config */
  c = find_case(&f, "dynamicFeeCreate", 0);
  assert_non_null(c);
  t = &c->block.txs[0];
  assert_int_equal(c->block.env.chain_id, 5);
  assert_int_equal(c->sign_chain_id, 5);
  assert_int_equal(t->type, 2);
  assert_int_equal(t->is_create, 1);
  assert_int_equal(t->gas_price.b[31], 0x64);
  assert_int_equal(t->max_priority_fee.b[31], 2);
  assert_int_equal(t->sender_is_address, 1);
  assert_memory_equal(t->sender.b, addr1, 20);
  assert_int_equal(t->has_signature, 1);
  assert_int_equal(evm_tx_sender(t, 5, a), EVM_SIG_OK);
  assert_memory_equal(a, addr1, 20);
  assert_int_not_equal(evm_tx_sender(t, 1, a), EVM_SIG_OK); /* signed for chain 5 only */
  check_encode_roundtrip(&c->block);

  c = find_case(&f, "blobTx", 0);
  assert_non_null(c);
  t = &c->block.txs[0];
  assert_int_equal(c->fork, BLK_FORK_PRAGUE);
  assert_int_equal(t->type, 3);
  assert_int_equal(t->n_blob_hashes, 2);
  assert_int_equal(t->blob_hashes[1][0], 0x01);
  assert_int_equal(t->blob_hashes[1][31], 0xcd);
  assert_int_equal(t->max_fee_per_blob_gas.b[31], 0x0a);
  assert_int_equal(evm_tx_sender(t, 1, a), EVM_SIG_OK);
  assert_memory_equal(a, addr1, 20);
  check_encode_roundtrip(&c->block);

  /* type 4: the authorization is carried as signed; its signer is the one the
   * execution-spec-tests fixture it was taken from names */
  c = find_case(&f, "setCodeTx", 0);
  assert_non_null(c);
  t = &c->block.txs[0];
  assert_int_equal(c->fork, BLK_FORK_OSAKA);
  assert_int_equal(t->type, 4);
  assert_int_equal(t->n_auths, 1);
  assert_int_equal(t->auths[0].y_parity, 1);
  assert_int_equal(t->auths[0].r.b[0], 0xd7);
  uint8_t signer[20];
  unhex("0x89873a93c67fc34d662483a081ebaabe443ea62f", signer, 20);
  assert_int_equal(evm_auth_signer(&t->auths[0], a), EVM_SIG_OK);
  assert_memory_equal(a, signer, 20);
  check_encode_roundtrip(&c->block);

  /* a fork pkbench does not model: kept, skipped with its reason */
  size_t shanghai = 0, cancun = 0;
  for (size_t i = 0; i < f.n_cases; i++) {
    if (strcmp(f.cases[i].test, "olderFork") != 0) continue;
    if (strcmp(f.cases[i].fork_name, "Shanghai") == 0) {
      shanghai++;
      assert_non_null(strstr(f.cases[i].skip, "Shanghai"));
      assert_int_equal(f.cases[i].block.n_txs, 0);
    } else {
      cancun++;
      assert_int_equal(f.cases[i].skip[0], 0);
    }
  }
  assert_int_equal(shanghai, 1);
  assert_int_equal(cancun, 1);
  fix_file_free(&f);
}

/* An authorization nonce wider than the block format keeps the test, skipped
 * with the reason, rather than failing the file. */
static void test_unrepresentable_kept_as_skip(void **state) {
  (void)state;
  fix_file f;
  fix_error e;
  int rc = fix_load(vec_path("wide_auth_nonce.json"), NULL, &f, &e);
  if (rc) print_error("%s\n", e.msg);
  assert_int_equal(rc, FIX_OK);
  assert_int_equal(f.n_cases, 1);
  assert_non_null(strstr(f.cases[0].skip, "transaction.authorizationList[0]: authorization nonce"));
  assert_int_equal(f.cases[0].block.n_txs, 0);
  assert_non_null(f.cases[0].expect_exception);
  fix_file_free(&f);
}

static void test_fork_filter(void **state) {
  (void)state;
  fix_file f;
  fix_error e;
  fix_opts o = {"Prague"};
  assert_int_equal(fix_load(vec_path("valid_typed.json"), &o, &f, &e), FIX_OK);
  assert_int_equal(f.n_cases, 1);
  assert_string_equal(f.cases[0].test, "blobTx");
  fix_file_free(&f);
  o.fork = "Frontier";
  assert_int_equal(fix_load(vec_path("valid_typed.json"), &o, &f, &e), FIX_OK);
  assert_int_equal(f.n_cases, 0);
  fix_file_free(&f);
}

/* ---- sender forms, on edited copies of the hand-made fixtures ---- */

static cJSON *load_json(const char *path) {
  size_t len;
  char *text = read_all(path, &len);
  cJSON *root = cJSON_ParseWithLength(text, len);
  free(text);
  assert_non_null(root);
  return root;
}

static void to_hex(const uint8_t *p, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  out[0] = '0';
  out[1] = 'x';
  for (size_t i = 0; i < n; i++) {
    out[2 + 2 * i] = digits[p[i] >> 4];
    out[3 + 2 * i] = digits[p[i] & 15];
  }
  out[2 + 2 * n] = 0;
}

static void set_hex(cJSON *obj, const char *key, const uint8_t *p, size_t n) {
  char *h = malloc(2 * n + 3);
  assert_non_null(h);
  to_hex(p, n, h);
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  assert_non_null(cJSON_AddStringToObject(obj, key, h));
  free(h);
}

static int parse_json(const cJSON *root, const char *name, fix_file *f, fix_error *e) {
  char *text = cJSON_PrintUnformatted(root);
  assert_non_null(text);
  int rc = fix_parse(text, strlen(text), name, NULL, f, e);
  free(text);
  return rc;
}

static cJSON *tx_of(cJSON *root, const char *test) {
  cJSON *tx = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, test), "transaction");
  assert_non_null(tx);
  return tx;
}

/* A secretKey equal to any test key names the sender by that key's index,
 * unsigned: the same transaction as the one signed with the key. */
static void test_any_test_key_by_index(void **state) {
  (void)state;
  static const uint32_t keys[] = {5, 1, BLK_MAX_TEST_KEYS - 1};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    uint8_t priv[32], addr[20], got[20];
    assert_int_equal(evm_test_key(keys[k], priv), EVM_SIG_OK);
    assert_int_equal(evm_test_address(keys[k], addr), EVM_SIG_OK);
    cJSON *root = load_json(vec_path("valid_legacy.json"));
    cJSON *tx = tx_of(root, "simpleLegacy");
    set_hex(tx, "secretKey", priv, 32);
    set_hex(tx, "sender", addr, 20);
    fix_file f;
    fix_error e;
    int rc = parse_json(root, "key", &f, &e);
    if (rc) print_error("%s\n", e.msg);
    assert_int_equal(rc, FIX_OK);
    assert_int_equal(f.n_cases, 2);
    for (size_t i = 0; i < f.n_cases; i++) {
      const blk_tx *t = &f.cases[i].block.txs[0];
      assert_int_equal(t->sender_is_address, 0);
      assert_int_equal(t->sender_key, keys[k]);
      assert_int_equal(t->has_signature, 0);
      assert_int_equal(evm_tx_sender(t, 1, got), EVM_SIG_OK);
      assert_memory_equal(got, addr, 20);
      /* the same transaction as the key's signed one */
      blk_tx signed_tx = *t;
      signed_tx.sender_is_address = 1;
      memcpy(signed_tx.sender.b, addr, 20);
      assert_int_equal(evm_tx_sign(&signed_tx, f.cases[i].sign_chain_id, priv), EVM_SIG_OK);
      uint8_t *e1 = NULL, *e2 = NULL;
      size_t n1 = 0, n2 = 0;
      assert_int_equal(evm_tx_encode(t, f.cases[i].sign_chain_id, &e1, &n1), EVM_SIG_OK);
      assert_int_equal(evm_tx_encode(&signed_tx, f.cases[i].sign_chain_id, &e2, &n2), EVM_SIG_OK);
      assert_int_equal(n1, n2);
      assert_memory_equal(e1, e2, n1);
      free(e1);
      free(e2);
      check_encode_roundtrip(&f.cases[i].block);
    }
    fix_file_free(&f);
    /* one byte off a test key is an ordinary key, signed by address */
    priv[31] ^= 1;
    set_hex(tx, "secretKey", priv, 32);
    cJSON_DeleteItemFromObjectCaseSensitive(tx, "sender");
    assert_int_equal(parse_json(root, "key", &f, &e), FIX_OK);
    assert_int_equal(f.cases[0].block.txs[0].sender_is_address, 1);
    assert_int_equal(f.cases[0].block.txs[0].has_signature, 1);
    fix_file_free(&f);
    cJSON_Delete(root);
  }
}

static const uint8_t k_addr1[20] = {0x7e, 0x5f, 0x45, 0x52, 0x09, 0x1a, 0x69, 0x12, 0x5d, 0x5d,
                                    0xfc, 0xb7, 0xb8, 0xc2, 0x65, 0x90, 0x29, 0x39, 0x5b, 0xdf};

/* Without secretKey the signature is taken from txbytes. The fixtures are
 * the hand-made ones signed by secret key 1 (whose address is well known)
 * with txbytes added: a legacy transaction signed before EIP-155 and a
 * type 2 creation on chain 5. */
static void check_txbytes_fixture(const char *file, const char *test, const char *fork) {
  cJSON *root = load_json(vec_path(file));
  cJSON *tx = tx_of(root, test);
  uint8_t one[32] = {0};
  one[31] = 1;
  set_hex(tx, "secretKey", one, 32);
  set_hex(tx, "sender", k_addr1, 20);
  fix_file f1, f2;
  fix_error e;
  assert_int_equal(parse_json(root, "signed", &f1, &e), FIX_OK);
  cJSON *entries = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, test), "post"), fork);
  size_t n = (size_t)cJSON_GetArraySize(entries);
  assert_true(n > 0);
  uint8_t *enc[4] = {NULL};
  size_t enc_len[4] = {0};
  assert_true(n <= 4);
  for (size_t i = 0; i < n; i++) {
    const fix_case *c = find_case(&f1, test, i);
    assert_non_null(c);
    assert_int_equal(evm_tx_encode(&c->block.txs[0], c->sign_chain_id, &enc[i], &enc_len[i]), EVM_SIG_OK);
    set_hex(cJSON_GetArrayItem(entries, (int)i), "txbytes", enc[i], enc_len[i]);
  }
  cJSON_DeleteItemFromObjectCaseSensitive(tx, "secretKey");
  int rc = parse_json(root, "unsigned", &f2, &e);
  if (rc) print_error("%s\n", e.msg);
  assert_int_equal(rc, FIX_OK);
  assert_int_equal(f2.n_cases, f1.n_cases);
  for (size_t i = 0; i < n; i++) {
    const fix_case *a = find_case(&f1, test, i), *c = find_case(&f2, test, i);
    assert_non_null(c);
    assert_int_equal(c->skip[0], 0);
    const blk_tx *t = &c->block.txs[0];
    assert_int_equal(t->sender_is_address, 1);
    assert_memory_equal(t->sender.b, k_addr1, 20);
    assert_int_equal(t->has_signature, 1);
    assert_int_equal(c->sign_chain_id, a->sign_chain_id);
    uint8_t got[20];
    assert_int_equal(evm_tx_sender(t, c->block.env.chain_id, got), EVM_SIG_OK);
    assert_memory_equal(got, k_addr1, 20);
    uint8_t *re = NULL;
    size_t re_len = 0;
    assert_int_equal(evm_tx_encode(t, c->sign_chain_id, &re, &re_len), EVM_SIG_OK);
    assert_int_equal(re_len, enc_len[i]);
    assert_memory_equal(re, enc[i], re_len);
    free(re);
    /* the very block the signing import built */
    uint8_t *b1, *b2;
    size_t l1, l2;
    assert_int_equal(blk_encode(&a->block, &b1, &l1), BLK_OK);
    assert_int_equal(blk_encode(&c->block, &b2, &l2), BLK_OK);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);
    check_encode_roundtrip(&c->block);
  }
  fix_file_free(&f2);

  /* another sender than the signer's: rejected, naming the entry */
  uint8_t other[20];
  memcpy(other, k_addr1, 20);
  other[19] ^= 1;
  set_hex(tx, "sender", other, 20);
  char where[128];
  snprintf(where, sizeof where, "post.%s[0].txbytes: the signature does not recover the stated sender", fork);
  rc = parse_json(root, "wrong", &f2, &e);
  if (rc != FIX_E_INVALID || !strstr(e.msg, where)) print_error("rc %d: %s\n", rc, e.msg);
  assert_int_equal(rc, FIX_E_INVALID);
  assert_non_null(strstr(e.msg, where));
  assert_null(f2.cases);
  set_hex(tx, "sender", k_addr1, 20);

  /* a damaged signature: rejected */
  enc[0][enc_len[0] - 1] ^= 1;
  set_hex(cJSON_GetArrayItem(entries, 0), "txbytes", enc[0], enc_len[0]);
  snprintf(where, sizeof where, "post.%s[0].txbytes: ", fork);
  assert_int_equal(parse_json(root, "damaged", &f2, &e), FIX_E_INVALID);
  assert_non_null(strstr(e.msg, where));
  enc[0][enc_len[0] - 1] ^= 1;
  set_hex(cJSON_GetArrayItem(entries, 0), "txbytes", enc[0], enc_len[0]);

  /* neither secretKey nor txbytes */
  cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetArrayItem(entries, (int)n - 1), "txbytes");
  snprintf(where, sizeof where, "post.%s[%zu].txbytes: required field missing", fork, n - 1);
  assert_int_equal(parse_json(root, "no txbytes", &f2, &e), FIX_E_MISSING);
  assert_non_null(strstr(e.msg, where));
  set_hex(cJSON_GetArrayItem(entries, (int)n - 1), "txbytes", enc[n - 1], enc_len[n - 1]);

  /* neither secretKey nor sender */
  cJSON_DeleteItemFromObjectCaseSensitive(tx, "sender");
  assert_int_equal(parse_json(root, "no sender", &f2, &e), FIX_E_MISSING);
  assert_non_null(strstr(e.msg, "transaction.secretKey: required field missing"));
  set_hex(tx, "sender", k_addr1, 20);
  assert_int_equal(parse_json(root, "restored", &f2, &e), FIX_OK);
  fix_file_free(&f2);

  for (size_t i = 0; i < n; i++) free(enc[i]);
  fix_file_free(&f1);
  cJSON_Delete(root);
}

static void test_signature_from_txbytes(void **state) {
  (void)state;
  check_txbytes_fixture("valid_legacy.json", "simpleLegacy", "Cancun");
  check_txbytes_fixture("valid_typed.json", "dynamicFeeCreate", "Cancun");
  check_txbytes_fixture("valid_typed.json", "blobTx", "Prague");
  check_txbytes_fixture("valid_typed.json", "setCodeTx", "Osaka");
}

/* A transaction expected to be invalid keeps the signature its txbytes hold,
 * even one that is not the sender's (the executor rejects it, as the fixture
 * expects), and bytes with no signature leave the case skipped. */
static void test_invalid_tx_signature_kept(void **state) {
  (void)state;
  cJSON *root = load_json(vec_path("valid_legacy.json"));
  cJSON *tx = tx_of(root, "simpleLegacy");
  uint8_t one[32] = {0};
  one[31] = 1;
  set_hex(tx, "secretKey", one, 32);
  set_hex(tx, "sender", k_addr1, 20);
  fix_file f;
  fix_error e;
  assert_int_equal(parse_json(root, "signed", &f, &e), FIX_OK);
  uint8_t *enc = NULL;
  size_t len = 0;
  assert_int_equal(evm_tx_encode(&f.cases[0].block.txs[0], f.cases[0].sign_chain_id, &enc, &len), EVM_SIG_OK);
  fix_file_free(&f);
  cJSON *entries = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "simpleLegacy"), "post"), "Cancun");
  /* both entries carry entry 0's bytes: entry 1 (other data and gas) is
   * expected invalid, and that signature recovers someone else for it */
  set_hex(cJSON_GetArrayItem(entries, 0), "txbytes", enc, len);
  set_hex(cJSON_GetArrayItem(entries, 1), "txbytes", enc, len);
  cJSON_DeleteItemFromObjectCaseSensitive(tx, "secretKey");
  int rc = parse_json(root, "kept", &f, &e);
  if (rc) print_error("%s\n", e.msg);
  assert_int_equal(rc, FIX_OK);
  assert_int_equal(f.n_cases, 2);
  uint8_t got[20];
  assert_int_equal(evm_tx_sender(&f.cases[0].block.txs[0], 1, got), EVM_SIG_OK);
  assert_memory_equal(got, k_addr1, 20);
  assert_non_null(f.cases[1].expect_exception);
  assert_int_equal(f.cases[1].skip[0], 0);
  assert_int_equal(f.cases[1].block.txs[0].has_signature, 1);
  assert_int_equal(evm_tx_sender(&f.cases[1].block.txs[0], 1, got), EVM_SIG_E_SENDER);
  fix_file_free(&f);
  /* bytes of another type hold no legacy signature: the invalid case is kept, skipped */
  static const uint8_t typed[] = {0x02, 0xc0};
  set_hex(cJSON_GetArrayItem(entries, 1), "txbytes", typed, sizeof typed);
  assert_int_equal(parse_json(root, "skipped", &f, &e), FIX_OK);
  assert_int_equal(f.cases[0].skip[0], 0);
  assert_non_null(strstr(f.cases[1].skip, "txbytes holds no type 0 signature"));
  assert_int_equal(f.cases[1].block.n_txs, 0);
  fix_file_free(&f);
  free(enc);
  cJSON_Delete(root);
}

/* ---- malformed fixtures ---- */

typedef struct {
  const char *file;
  int code;
  const char *where; /* substring the message must contain */
} bad_case;

static const bad_case k_bad[] = {
    {"bad_hex_balance.json", FIX_E_HEX, "test 'broken': pre.0x1000000000000000000000000000000000000000.balance: "},
    {"bad_hex_odd_data.json", FIX_E_HEX, "transaction.data[1]: odd number of hex digits"},
    {"bad_hex_no_prefix.json", FIX_E_HEX, "env.currentNumber: "},
    {"bad_missing_env_field.json", FIX_E_MISSING, "env.currentGasLimit: required field missing"},
    {"bad_missing_transaction.json", FIX_E_MISSING, "test 'broken': transaction: "},
    {"bad_missing_hash.json", FIX_E_MISSING, "post.Cancun[1].hash: "},
    {"bad_type_gaslimit.json", FIX_E_TYPE, "transaction.gasLimit: expected an array"},
    {"bad_type_index.json", FIX_E_TYPE, "post.Cancun[0].indexes.data: expected a number"},
    {"bad_type_storage.json", FIX_E_TYPE, "pre.0xcccccccccccccccccccccccccccccccccccccccc.storage: expected an object"},
    {"bad_index_range.json", FIX_E_RANGE, "post.Cancun[1].indexes: gas index 2"},
    {"bad_address_length.json", FIX_E_RANGE, "transaction.to: expected 20 bytes"},
    {"bad_value_too_big.json", FIX_E_RANGE, "transaction.value[0]: "},
    {"bad_unsupported_field.json", FIX_E_UNSUPPORTED, "transaction.foo: unsupported field"},
    {"bad_sender_mismatch.json", FIX_E_INVALID, "transaction.sender: "},
    {"bad_duplicate_slot.json", FIX_E_INVALID, ".storage: the same storage key is listed twice"},
    {"bad_blockchain_test.json", FIX_E_UNSUPPORTED, "test 'broken': "},
    {"bad_top_array.json", FIX_E_TYPE, "bad_top_array.json: "},
    {"bad_empty.json", FIX_E_MISSING, "no tests"},
    {"bad_truncated.json", FIX_E_JSON, "malformed JSON at line "},
    {"no_such_file.json", FIX_E_IO, "no_such_file.json: cannot open"},
};

static void test_malformed(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
    fix_file f;
    fix_error e;
    memset(&f, 0x5a, sizeof f);
    const char *p = vec_path(k_bad[i].file);
    int rc = fix_load(p, NULL, &f, &e);
    if (rc != k_bad[i].code || !strstr(e.msg, k_bad[i].where))
      print_error("%s: rc %d (%s), message: %s\n", k_bad[i].file, rc, fix_strerror(rc), e.msg);
    assert_int_equal(rc, k_bad[i].code);
    assert_int_equal(e.code, rc);
    assert_non_null(strstr(e.msg, k_bad[i].where));
    assert_non_null(strstr(e.msg, p)); /* names the file */
    assert_null(f.cases);              /* nothing half-built handed out */
    assert_int_equal(f.n_cases, 0);
    fix_file_free(&f);
  }
}

/* Every proper prefix of a valid fixture is rejected; single-byte mutations
 * (every byte of the legacy fixture, every third byte of the typed one) are
 * either accepted with valid blocks or rejected cleanly. The sanitizer build
 * checks that no bad access happens on the way. */
static void mutate_all(const char *name, size_t stride, size_t *accepted, size_t *rejected) {
  static const char subst[] = {'"', '0', 'z', '}', ']', ',', '-', 0};
  size_t len;
  char *text = read_all(vec_path(name), &len);
  fix_file f;
  fix_error e;
  for (size_t i = 0; i < len; i += stride) {
    char orig = text[i];
    for (size_t s = 0; s < sizeof subst; s++) {
      if (subst[s] == orig) continue;
      text[i] = subst[s];
      int rc = fix_parse(text, len, name, NULL, &f, &e);
      if (rc == FIX_OK) {
        (*accepted)++;
        for (size_t k = 0; k < f.n_cases; k++)
          if (!f.cases[k].skip[0]) assert_int_equal(blk_validate(&f.cases[k].block, NULL), BLK_OK);
        fix_file_free(&f);
      } else {
        (*rejected)++;
        assert_true(e.msg[0] != 0);
        assert_null(f.cases);
      }
    }
    text[i] = orig;
  }
  free(text);
}

static void test_truncations_and_mutations(void **state) {
  (void)state;
  size_t len;
  char *text = read_all(vec_path("valid_typed.json"), &len);
  fix_file f;
  fix_error e;
  assert_int_equal(fix_parse(text, len, "typed", NULL, &f, &e), FIX_OK);
  fix_file_free(&f);
  for (size_t n = 0; n < len; n++) {
    /* trailing whitespace keeps the JSON whole */
    int tail_ws = 1;
    for (size_t k = n; k < len; k++)
      if (text[k] != '\n' && text[k] != ' ') tail_ws = 0;
    int rc = fix_parse(text, n, "typed", NULL, &f, &e);
    if (tail_ws) {
      assert_int_equal(rc, FIX_OK);
      fix_file_free(&f);
    } else {
      assert_int_not_equal(rc, FIX_OK);
      assert_null(f.cases);
    }
  }
  free(text);
  size_t accepted = 0, rejected = 0;
  mutate_all("valid_legacy.json", 1, &accepted, &rejected);
  mutate_all("valid_typed.json", 3, &accepted, &rejected);
  assert_true(accepted > 0);
  assert_true(rejected > accepted); /* most edits break something */
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

static void test_shipped_fixtures(void **state) {
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
  size_t cases = 0, checked = 0;
  for (size_t i = 0; i < g_n_files; i++) {
    fix_file f;
    fix_error e;
    int rc = fix_load(g_files[i], NULL, &f, &e);
    if (rc != FIX_OK) print_error("%s\n", e.msg);
    assert_int_equal(rc, FIX_OK);
    assert_true(f.n_cases > 0);
    cases += f.n_cases;
    for (size_t j = 0; j < f.n_cases; j++) {
      const fix_case *c = &f.cases[j];
      if (c->skip[0]) continue;
      assert_int_equal(blk_validate(&c->block, NULL), BLK_OK);
      if (c->expect_exception || !c->txbytes.len) continue;
      /* the block's transaction must be exactly the one the fixture signed */
      uint8_t *enc = NULL;
      size_t n = 0;
      assert_int_equal(evm_tx_encode(&c->block.txs[0], c->sign_chain_id, &enc, &n), EVM_SIG_OK);
      if (n != c->txbytes.len || memcmp(enc, c->txbytes.data, n) != 0)
        print_error("%s: %s [%s %zu]: transaction differs from txbytes\n", g_files[i], c->test, c->fork_name,
                    c->post_index);
      assert_int_equal(n, c->txbytes.len);
      assert_memory_equal(enc, c->txbytes.data, n);
      free(enc);
      checked++;
    }
    fix_file_free(&f);
    free(g_files[i]);
  }
  print_message("imported %zu files, %zu cases; %zu transactions equal their txbytes\n", g_n_files, cases,
                checked);
  free(g_files);
  g_files = NULL;
}

/* Every shipped fixture with its secretKey removed: the filler's own
 * signatures in txbytes must recover each sender, and the transactions must
 * re-encode to txbytes exactly. */
static void test_shipped_without_secret_key(void **state) {
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
  size_t stride = 1;
  const char *sv = getenv("PKB_TEST_STRIDE");
  if (sv && atoi(sv) > 1) stride = (size_t)atoi(sv);
  size_t cases = 0, checked = 0, invalid = 0;
  for (size_t i = 0; i < g_n_files; i += stride) {
    fix_file f, g;
    fix_error e;
    int rc = fix_load(g_files[i], NULL, &f, &e);
    if (rc != FIX_OK) print_error("%s\n", e.msg);
    assert_int_equal(rc, FIX_OK);
    cJSON *json = load_json(g_files[i]);
    for (cJSON *t = json->child; t; t = t->next)
      cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "transaction"), "secretKey");
    rc = parse_json(json, g_files[i], &g, &e);
    cJSON_Delete(json);
    if (rc != FIX_OK) print_error("%s\n", e.msg);
    assert_int_equal(rc, FIX_OK);
    assert_int_equal(g.n_cases, f.n_cases);
    for (size_t j = 0; j < f.n_cases; j++) {
      const fix_case *a = &f.cases[j], *c = &g.cases[j];
      cases++;
      assert_int_equal(c->sign_chain_id, a->sign_chain_id);
      if (a->skip[0] || c->skip[0]) {
        /* only an invalid transaction's bytes may lack a signature */
        if (!a->skip[0]) assert_non_null(c->expect_exception);
        continue;
      }
      const blk_tx *t = &c->block.txs[0];
      assert_int_equal(t->sender_is_address, 1);
      assert_int_equal(t->has_signature, 1);
      assert_int_equal(blk_validate(&c->block, NULL), BLK_OK);
      if (c->expect_exception) {
        invalid++;
        continue;
      }
      uint8_t want[20], got[20];
      assert_int_equal(evm_tx_sender(&a->block.txs[0], a->block.env.chain_id, want), EVM_SIG_OK);
      assert_int_equal(evm_tx_sender(t, c->block.env.chain_id, got), EVM_SIG_OK);
      assert_memory_equal(got, want, 20);
      uint8_t *enc = NULL;
      size_t n = 0;
      assert_int_equal(evm_tx_encode(t, c->sign_chain_id, &enc, &n), EVM_SIG_OK);
      assert_int_equal(n, c->txbytes.len);
      assert_memory_equal(enc, c->txbytes.data, n);
      free(enc);
      checked++;
    }
    fix_file_free(&f);
    fix_file_free(&g);
  }
  for (size_t i = 0; i < g_n_files; i++) free(g_files[i]);
  free(g_files);
  g_files = NULL;
  print_message("without secretKey: %zu cases; %zu valid transactions recover their sender and equal their "
                "txbytes, %zu invalid ones imported with their signature\n",
                cases, checked, invalid);
  if (stride == 1) assert_true(checked > 0);
}

/* An empty account map ("pre": {}) is a clean error or an empty pre-state,
 * never undefined behaviour (it once sorted a NULL array; UBSan reports it). */
static void test_empty_pre(void **state) {
  (void)state;
  static const char text[] =
      "{\"t\":{\"env\":{\"currentBaseFee\":\"0x0a\",\"currentCoinbase\":\"0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba\","
      "\"currentExcessBlobGas\":\"0x00\",\"currentGasLimit\":\"0x05f5e100\",\"currentNumber\":\"0x01\","
      "\"currentRandom\":\"0x0000000000000000000000000000000000000000000000000000000000020000\","
      "\"currentTimestamp\":\"0x03e8\"},\"pre\":{}}}";
  fix_file f;
  fix_error e;
  int rc = fix_parse(text, strlen(text), "empty_pre", NULL, &f, &e);
  if (rc == FIX_OK) fix_file_free(&f);
  else assert_true(e.msg[0] != 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hex_u64),
      cmocka_unit_test(test_hex_u256),
      cmocka_unit_test(test_hex_bytes_fixed),
      cmocka_unit_test(test_valid_legacy),
      cmocka_unit_test(test_valid_typed),
      cmocka_unit_test(test_unrepresentable_kept_as_skip),
      cmocka_unit_test(test_fork_filter),
      cmocka_unit_test(test_any_test_key_by_index),
      cmocka_unit_test(test_signature_from_txbytes),
      cmocka_unit_test(test_invalid_tx_signature_kept),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_empty_pre),
      cmocka_unit_test(test_truncations_and_mutations),
      cmocka_unit_test(test_shipped_fixtures),
      cmocka_unit_test(test_shipped_without_secret_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
