/* Transaction signatures: the test keys, EIP-155's published example (signing
 * data, hash, v/r/s, raw transaction and sender), signed transactions of every
 * type taken from filled state tests (tests/vectors/txsig_state_tests.json:
 * fields, key, sender and the signed bytes, with EIP-7702 authorization
 * signers, extracted from ethereum/tests GeneralStateTests at 4c87ebbf and
 * execution-spec-tests fusaka-devnet-5 state tests), pre-EIP-155 signing, a sign and recover round trip for every type
 * and for authorizations, and every rejection rule (high s, bad v, r or s out
 * of range, wrong chain, tampered fields). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "evm/rlp.h"
#include "evm/txsig.h"
#include "hash/keccak.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

static void u256_from_u64(blk_u256 *x, uint64_t v) {
  memset(x->b, 0, 32);
  for (int i = 0; i < 8; i++) x->b[31 - i] = (uint8_t)(v >> (8 * i));
}

static uint64_t u256_low64(const blk_u256 *x) {
  uint64_t v = 0;
  for (int i = 24; i < 32; i++) v = v << 8 | x->b[i];
  return v;
}

/* a = n - a (mod 2^256), n the secp256k1 order: flips s to its high twin. */
static void negate_mod_n(uint8_t a[32]) {
  uint8_t n[32];
  hex_to_bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", n, 32);
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int d = n[i] - a[i] - borrow;
    borrow = d < 0;
    a[i] = (uint8_t)(d & 0xff);
  }
}

/* ---- filled state-test transactions ---- */

static size_t hex_len(const char *h) {
  if (h[0] == '0' && h[1] == 'x') h += 2;
  return strlen(h) / 2;
}

/* "0x..." of any length into n big-endian bytes, right-aligned. */
static void hex_be(const char *h, uint8_t *out, size_t n) {
  if (h[0] == '0' && h[1] == 'x') h += 2;
  size_t hl = strlen(h);
  memset(out, 0, n);
  /* Odd-length quantities ("0x7") get an implicit leading zero nibble. */
  for (size_t i = 0; i < hl; i++) {
    char c = h[hl - 1 - i];
    unsigned v = c >= '0' && c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
    assert_true(v < 16);
    assert_true(i / 2 < n);
    out[n - 1 - i / 2] |= (uint8_t)(i & 1 ? v << 4 : v);
  }
}

static uint64_t hex_u64(const char *h) {
  uint8_t b[8];
  hex_be(h, b, 8);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | b[i];
  return v;
}

static const char *jstr(const cJSON *o, const char *k) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(j) ? j->valuestring : NULL;
}

static cJSON *load_vectors(const char *name) {
  const char *root = getenv("PKB_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/vectors/%s", root ? root : ".", name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *txt = malloc((size_t)sz + 1);
  assert_non_null(txt);
  assert_int_equal(fread(txt, 1, (size_t)sz, f), (size_t)sz);
  txt[sz] = 0;
  fclose(f);
  cJSON *j = cJSON_Parse(txt);
  free(txt);
  assert_non_null(j);
  return j;
}

/* Everything a decoded fixture transaction owns. */
typedef struct {
  blk_tx tx;
  uint8_t data[1024];
  blk_access al[8];
  blk_u256 keys[32];
  uint8_t blobs[8][32];
  blk_auth auths[4];
  uint8_t signers[4][20];
  uint8_t priv[32], sender[20], raw[1024];
  size_t raw_len;
  uint64_t chain_id;
} fixture_tx;

static void fixture_from_json(const cJSON *v, fixture_tx *f) {
  memset(f, 0, sizeof *f);
  blk_tx *tx = &f->tx;
  tx->type = (uint8_t)cJSON_GetObjectItemCaseSensitive(v, "type")->valueint;
  f->chain_id = hex_u64(jstr(v, "chainId"));
  hex_be(jstr(v, "secretKey"), f->priv, 32);
  hex_be(jstr(v, "sender"), f->sender, 20);
  tx->nonce = hex_u64(jstr(v, "nonce"));
  tx->gas_limit = hex_u64(jstr(v, "gasLimit"));
  const char *to = jstr(v, "to");
  tx->is_create = to[0] == 0;
  if (!tx->is_create) hex_be(to, tx->to.b, 20);
  hex_be(jstr(v, "value"), tx->value.b, 32);
  const char *data = jstr(v, "data");
  tx->data.len = hex_len(data);
  assert_true(tx->data.len <= sizeof f->data);
  hex_be(data, f->data, tx->data.len);
  tx->data.data = f->data;
  if (tx->type <= 1) {
    hex_be(jstr(v, "gasPrice"), tx->gas_price.b, 32);
  } else {
    hex_be(jstr(v, "maxFeePerGas"), tx->gas_price.b, 32);
    hex_be(jstr(v, "maxPriorityFeePerGas"), tx->max_priority_fee.b, 32);
  }
  const cJSON *al = cJSON_GetObjectItemCaseSensitive(v, "accessList");
  size_t nk = 0;
  for (const cJSON *e = al ? al->child : NULL; e; e = e->next) {
    blk_access *a = &f->al[tx->n_access_list++];
    assert_true(tx->n_access_list <= 8);
    hex_be(jstr(e, "address"), a->address.b, 20);
    a->keys = f->keys + nk;
    for (const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "storageKeys")->child; k; k = k->next) {
      assert_true(nk < 32);
      hex_be(k->valuestring, f->keys[nk++].b, 32);
      a->n_keys++;
    }
  }
  tx->access_list = f->al;
  if (tx->type == 3) {
    hex_be(jstr(v, "maxFeePerBlobGas"), tx->max_fee_per_blob_gas.b, 32);
    for (const cJSON *h = cJSON_GetObjectItemCaseSensitive(v, "blobVersionedHashes")->child; h; h = h->next) {
      assert_true(tx->n_blob_hashes < 8);
      hex_be(h->valuestring, f->blobs[tx->n_blob_hashes++], 32);
    }
    tx->blob_hashes = f->blobs;
  }
  if (tx->type == 4) {
    for (const cJSON *a = cJSON_GetObjectItemCaseSensitive(v, "authorizationList")->child; a; a = a->next) {
      assert_true(tx->n_auths < 4);
      blk_auth *au = &f->auths[tx->n_auths];
      hex_be(jstr(a, "chainId"), au->chain_id.b, 32);
      hex_be(jstr(a, "address"), au->address.b, 20);
      au->nonce = hex_u64(jstr(a, "nonce"));
      au->y_parity = (uint8_t)hex_u64(jstr(a, "yParity"));
      hex_be(jstr(a, "r"), au->r.b, 32);
      hex_be(jstr(a, "s"), au->s.b, 32);
      hex_be(jstr(a, "signer"), f->signers[tx->n_auths], 20);
      tx->n_auths++;
    }
    tx->auths = f->auths;
  }
  const char *raw = jstr(v, "txbytes");
  f->raw_len = hex_len(raw);
  assert_true(f->raw_len <= sizeof f->raw);
  hex_be(raw, f->raw, f->raw_len);
}

/* The signature (last three items) of a signed encoding. */
static void signature_of(const fixture_tx *f, blk_u256 *v, blk_u256 *r, blk_u256 *s) {
  size_t off = f->tx.type ? 1 : 0, err;
  rlp_item whole, items[16];
  size_t n;
  assert_int_equal(rlp_decode_whole(f->raw + off, f->raw_len - off, &whole, &err), RLP_OK);
  assert_int_equal(rlp_list(&whole, items, 16, &n, &err), RLP_OK);
  assert_true(n >= 9);
  assert_int_equal(rlp_get_u256(&items[n - 3], v->b), RLP_OK);
  assert_int_equal(rlp_get_u256(&items[n - 2], r->b), RLP_OK);
  assert_int_equal(rlp_get_u256(&items[n - 1], s->b), RLP_OK);
}

static void test_state_test_transactions(void **s) {
  (void)s;
  cJSON *all = load_vectors("txsig_state_tests.json");
  int seen[5] = {0}, n = 0;
  static fixture_tx f;
  for (const cJSON *v = all->child; v; v = v->next, n++) {
    fixture_from_json(v, &f);
    uint8_t addr[20], got[20], h[32], want_h[32];
    /* The key is the sender's. */
    assert_int_equal(evm_priv_to_address(f.priv, addr), EVM_SIG_OK);
    assert_memory_equal(addr, f.sender, 20);
    /* The fixture's signature, put into our fields, re-encodes to its bytes
     * (field order and encoding of every type) and recovers its sender
     * (the signing hash). */
    blk_tx t = f.tx;
    signature_of(&f, &t.v, &t.r, &t.s);
    t.has_signature = 1;
    t.sender_is_address = 1;
    memcpy(t.sender.b, f.sender, 20);
    uint8_t *enc;
    size_t len;
    assert_int_equal(evm_tx_encode(&t, f.chain_id, &enc, &len), EVM_SIG_OK);
    assert_int_equal(len, f.raw_len);
    assert_memory_equal(enc, f.raw, len);
    free(enc);
    assert_int_equal(evm_tx_sender(&t, f.chain_id, got), EVM_SIG_OK);
    assert_memory_equal(got, f.sender, 20);
    keccak256(f.raw, f.raw_len, want_h);
    assert_int_equal(evm_tx_hash(&t, f.chain_id, h), EVM_SIG_OK);
    assert_memory_equal(h, want_h, 32);
    /* Our own signature with the key (the fixture tools chose other nonces,
     * so r and s differ) recovers the same sender. */
    blk_tx u = f.tx;
    assert_int_equal(evm_tx_sign(&u, f.chain_id, f.priv), EVM_SIG_OK);
    u.sender_is_address = 1;
    memcpy(u.sender.b, f.sender, 20);
    assert_int_equal(evm_tx_sender(&u, f.chain_id, got), EVM_SIG_OK);
    assert_memory_equal(got, f.sender, 20);
    /* Authorization signers. */
    for (size_t i = 0; i < f.tx.n_auths; i++) {
      assert_int_equal(evm_auth_signer(&f.auths[i], got), EVM_SIG_OK);
      assert_memory_equal(got, f.signers[i], 20);
    }
    seen[f.tx.type]++;
  }
  cJSON_Delete(all);
  for (int t = 0; t <= 4; t++) assert_true(seen[t] > 0);
  assert_true(n >= 5);
}

static void test_key0(void **s) {
  (void)s;
  uint8_t priv[32], want[32], addr[20], want_addr[20];
  hex_to_bytes("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8", want, 32);
  hex_to_bytes("a94f5374fce5edbc8e2a8697c15331677e6ebf0b", want_addr, 20);
  assert_int_equal(evm_test_key(0, priv), EVM_SIG_OK);
  assert_memory_equal(priv, want, 32);
  assert_int_equal(evm_test_address(0, addr), EVM_SIG_OK);
  assert_memory_equal(addr, want_addr, 20);
  assert_int_equal(evm_test_address(0, addr), EVM_SIG_OK); /* cached path */
  assert_memory_equal(addr, want_addr, 20);
}

static void test_derived_keys(void **s) {
  (void)s;
  for (uint32_t i = 1; i < 40; i++) {
    uint8_t msg[20], want[32], priv[32], a1[20], a2[20];
    memcpy(msg, "pkbench test key", 16);
    msg[16] = (uint8_t)(i >> 24);
    msg[17] = (uint8_t)(i >> 16);
    msg[18] = (uint8_t)(i >> 8);
    msg[19] = (uint8_t)i;
    keccak256(msg, 20, want);
    assert_int_equal(evm_test_key(i, priv), EVM_SIG_OK);
    assert_memory_equal(priv, want, 32);
    assert_int_equal(evm_priv_to_address(priv, a1), EVM_SIG_OK);
    assert_int_equal(evm_test_address(i, a2), EVM_SIG_OK);
    assert_memory_equal(a1, a2, 20);
    assert_int_equal(evm_test_address(i, a2), EVM_SIG_OK);
    assert_memory_equal(a1, a2, 20);
  }
  /* The last index is served, the bound is not. */
  uint8_t priv[32], addr[20];
  assert_int_equal(evm_test_address(BLK_MAX_TEST_KEYS - 1, addr), EVM_SIG_OK);
  assert_int_equal(evm_test_key(BLK_MAX_TEST_KEYS, priv), EVM_SIG_E_KEY);
  assert_int_equal(evm_test_address(BLK_MAX_TEST_KEYS, addr), EVM_SIG_E_KEY);
  /* Keys 0 and 1 differ and so do their addresses. */
  uint8_t a0[20], a1[20];
  evm_test_address(0, a0);
  evm_test_address(1, a1);
  assert_memory_not_equal(a0, a1, 20);
  /* Invalid private keys are refused. */
  uint8_t zero[32] = {0};
  assert_int_equal(evm_priv_to_address(zero, addr), EVM_SIG_E_KEY);
}

/* EIP-155's example transaction. */
static void eip155_tx(blk_tx *tx) {
  memset(tx, 0, sizeof *tx);
  tx->type = 0;
  tx->sender_is_address = 1;
  hex_to_bytes("9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f", tx->sender.b, 20);
  tx->nonce = 9;
  u256_from_u64(&tx->gas_price, 20000000000ull);
  tx->gas_limit = 21000;
  memset(tx->to.b, 0x35, 20);
  u256_from_u64(&tx->value, 1000000000000000000ull);
}

static void test_eip155_example(void **s) {
  (void)s;
  static const char raw_hex[] =
      "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080"
      "25a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761a"
      "ecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
  blk_tx tx;
  eip155_tx(&tx);
  uint8_t h[32], want[32], priv[32], r[32], sv[32];
  /* Signing data ec0985...018080 hashes to daf5a7...: both from the EIP. */
  static const char signing_data_hex[] =
      "ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080";
  uint8_t sd[45];
  hex_to_bytes(signing_data_hex, sd, sizeof sd);
  keccak256(sd, sizeof sd, want);
  assert_int_equal(evm_tx_signing_hash(&tx, 1, h), EVM_SIG_OK);
  assert_memory_equal(h, want, 32);
  hex_to_bytes("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", want, 32);
  assert_memory_equal(h, want, 32);

  memset(priv, 0x46, 32);
  assert_int_equal(evm_tx_sign(&tx, 1, priv), EVM_SIG_OK);
  assert_true(tx.has_signature);
  assert_int_equal(u256_low64(&tx.v), 37);
  hex_to_bytes("28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276", r, 32);
  hex_to_bytes("67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83", sv, 32);
  assert_memory_equal(tx.r.b, r, 32);
  assert_memory_equal(tx.s.b, sv, 32);

  uint8_t *enc, raw[110];
  size_t len;
  hex_to_bytes(raw_hex, raw, sizeof raw);
  assert_int_equal(evm_tx_encode(&tx, 1, &enc, &len), EVM_SIG_OK);
  assert_int_equal(len, sizeof raw);
  assert_memory_equal(enc, raw, sizeof raw);
  free(enc);
  keccak256(raw, sizeof raw, want);
  assert_int_equal(evm_tx_hash(&tx, 1, h), EVM_SIG_OK);
  assert_memory_equal(h, want, 32);

  uint8_t addr[20];
  assert_int_equal(evm_tx_sender(&tx, 1, addr), EVM_SIG_OK);
  assert_memory_equal(addr, tx.sender.b, 20);
  assert_int_equal(evm_priv_to_address(priv, addr), EVM_SIG_OK);
  assert_memory_equal(addr, tx.sender.b, 20);
  /* v = 37 belongs to chain 1 only. */
  assert_int_equal(evm_tx_sender(&tx, 5, addr), EVM_SIG_E_CHAIN);
  assert_int_equal(evm_tx_signing_hash(&tx, 5, h), EVM_SIG_E_CHAIN);
}

static void test_pre_eip155(void **s) {
  (void)s;
  blk_tx tx;
  eip155_tx(&tx);
  uint8_t priv[32], addr[20], h[32], want[32];
  memset(priv, 0x46, 32);
  assert_int_equal(evm_tx_sign(&tx, 0, priv), EVM_SIG_OK);
  uint64_t v = u256_low64(&tx.v);
  assert_true(v == 27 || v == 28);
  /* The pre-EIP-155 signing data is the six fields alone: the EIP-155 data
   * above without its last three items (list header 0xe9 = 0xc0 + 41). */
  static const char six_hex[] =
      "e9098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080";
  uint8_t six[42];
  hex_to_bytes(six_hex, six, sizeof six);
  keccak256(six, sizeof six, want);
  assert_int_equal(evm_tx_signing_hash(&tx, 1, h), EVM_SIG_OK);
  assert_memory_equal(h, want, 32);
  /* A 27/28 signature is valid whatever the chain. */
  assert_int_equal(evm_tx_sender(&tx, 1, addr), EVM_SIG_OK);
  assert_memory_equal(addr, tx.sender.b, 20);
  assert_int_equal(evm_tx_sender(&tx, 0, addr), EVM_SIG_OK);
  /* v = 29..34 is no valid form. */
  u256_from_u64(&tx.v, 29);
  assert_int_equal(evm_tx_sender(&tx, 1, addr), EVM_SIG_E_INVALID);
  u256_from_u64(&tx.v, 0);
  assert_int_equal(evm_tx_sender(&tx, 1, addr), EVM_SIG_E_INVALID);
}

/* A transaction of the given type exercising every field the type has. */
typedef struct {
  blk_tx tx;
  blk_access al[2];
  blk_u256 keys[3];
  uint8_t blobs[2][32];
  blk_auth auths[2];
  uint8_t data[40];
} tx_fixture;

static void make_tx(tx_fixture *f, uint8_t type) {
  memset(f, 0, sizeof *f);
  blk_tx *tx = &f->tx;
  tx->type = type;
  tx->nonce = 0x1234;
  tx->gas_limit = 1000000;
  memset(tx->to.b, 0xaa, 20);
  u256_from_u64(&tx->value, 7);
  for (size_t i = 0; i < sizeof f->data; i++) f->data[i] = (uint8_t)(i * 3);
  tx->data.data = f->data;
  tx->data.len = sizeof f->data;
  u256_from_u64(&tx->gas_price, 3000000000ull);
  if (type >= 2) u256_from_u64(&tx->max_priority_fee, 1000000000ull);
  if (type >= 1) {
    for (int i = 0; i < 3; i++) u256_from_u64(&f->keys[i], (uint64_t)i + 1);
    memset(f->al[0].address.b, 0x11, 20);
    f->al[0].keys = f->keys;
    f->al[0].n_keys = 2;
    memset(f->al[1].address.b, 0x22, 20);
    f->al[1].keys = f->keys + 2;
    f->al[1].n_keys = 1;
    tx->access_list = f->al;
    tx->n_access_list = 2;
  }
  if (type == 3) {
    u256_from_u64(&tx->max_fee_per_blob_gas, 100);
    memset(f->blobs, 0x01, sizeof f->blobs);
    f->blobs[1][5] = 0x77;
    tx->blob_hashes = f->blobs;
    tx->n_blob_hashes = 2;
  }
  if (type == 4) {
    uint8_t priv[32];
    for (int i = 0; i < 2; i++) {
      u256_from_u64(&f->auths[i].chain_id, (uint64_t)i); /* 0: any chain */
      memset(f->auths[i].address.b, 0x40 + i, 20);
      f->auths[i].nonce = (uint64_t)i + 3;
      assert_int_equal(evm_test_key((uint32_t)i + 7, priv), EVM_SIG_OK);
      assert_int_equal(evm_auth_sign(&f->auths[i], priv), EVM_SIG_OK);
    }
    tx->auths = f->auths;
    tx->n_auths = 2;
  }
}

static void test_round_trip_all_types(void **s) {
  (void)s;
  for (uint8_t type = 0; type <= 4; type++) {
    for (uint64_t chain = 1; chain <= 2; chain++) {
      tx_fixture f;
      make_tx(&f, type);
      uint8_t priv[32], want[20], got[20], h0[32], h1[32];
      assert_int_equal(evm_test_key(3, priv), EVM_SIG_OK);
      assert_int_equal(evm_test_address(3, want), EVM_SIG_OK);
      assert_int_equal(evm_tx_signing_hash(&f.tx, chain, h0), EVM_SIG_OK);
      assert_int_equal(evm_tx_sign(&f.tx, chain, priv), EVM_SIG_OK);
      /* Signing does not change the signing hash (EIP-155 chain form kept). */
      assert_int_equal(evm_tx_signing_hash(&f.tx, chain, h1), EVM_SIG_OK);
      assert_memory_equal(h0, h1, 32);
      if (type > 0) assert_true(u256_low64(&f.tx.v) <= 1);
      f.tx.sender_is_address = 1;
      memcpy(f.tx.sender.b, want, 20);
      assert_int_equal(evm_tx_sender(&f.tx, chain, got), EVM_SIG_OK);
      assert_memory_equal(got, want, 20);

      /* Encoding: a typed tx starts with its type byte, then an RLP list. */
      uint8_t *enc, th[32], th2[32];
      size_t len;
      assert_int_equal(evm_tx_encode(&f.tx, chain, &enc, &len), EVM_SIG_OK);
      if (type > 0) {
        assert_int_equal(enc[0], type);
        assert_true(enc[1] >= 0xc0);
      } else {
        assert_true(enc[0] >= 0xc0);
      }
      keccak256(enc, len, th);
      free(enc);
      assert_int_equal(evm_tx_hash(&f.tx, chain, th2), EVM_SIG_OK);
      assert_memory_equal(th, th2, 32);
      /* An unsigned test-key tx hashes as its signed export. */
      blk_tx u = f.tx;
      u.has_signature = 0;
      u.sender_is_address = 0;
      u.sender_key = 3;
      assert_int_equal(evm_tx_hash(&u, chain, th2), EVM_SIG_OK);
      assert_memory_equal(th, th2, 32);
      u.sender_is_address = 1;
      assert_int_equal(evm_tx_hash(&u, chain, th2), EVM_SIG_E_UNSIGNED);
      /* Unsigned address sender: taken as stated. */
      assert_int_equal(evm_tx_sender(&u, chain, got), EVM_SIG_OK);
      assert_memory_equal(got, want, 20);
      /* A test-key sender needs no signature work. */
      u.sender_is_address = 0;
      assert_int_equal(evm_tx_sender(&u, chain, got), EVM_SIG_OK);
      assert_memory_equal(got, want, 20);

      /* Every signed field matters: change one, the recovered sender moves. */
      blk_tx t = f.tx;
      t.nonce++;
      assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_SENDER);
      t = f.tx;
      t.data.len--;
      assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_SENDER);
      if (type >= 1) {
        t = f.tx;
        t.n_access_list = 1;
        assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_SENDER);
        /* The chain id is in the payload of a typed tx. */
        assert_int_equal(evm_tx_sender(&f.tx, chain + 1, got), EVM_SIG_E_SENDER);
      }
      if (type >= 2) {
        t = f.tx;
        u256_from_u64(&t.max_priority_fee, 5);
        assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_SENDER);
      }
      if (type == 3) {
        t = f.tx;
        t.n_blob_hashes = 1;
        assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_SENDER);
      }
      if (type == 4) {
        t = f.tx;
        t.n_auths = 1;
        assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_SENDER);
      }

      /* EIP-2: the high-s twin of a valid signature is refused. */
      t = f.tx;
      negate_mod_n(t.s.b);
      uint64_t v = u256_low64(&t.v);
      u256_from_u64(&t.v, v ^ 1);
      assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_INVALID);
      /* r = 0, s = 0, r = n. */
      t = f.tx;
      memset(t.r.b, 0, 32);
      assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_INVALID);
      t = f.tx;
      memset(t.s.b, 0, 32);
      assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_INVALID);
      t = f.tx;
      memset(t.r.b, 0, 32);
      negate_mod_n(t.r.b);
      assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_INVALID);
      /* y_parity 2 for typed transactions. */
      if (type > 0) {
        t = f.tx;
        u256_from_u64(&t.v, 2);
        assert_int_equal(evm_tx_sender(&t, chain, got), EVM_SIG_E_INVALID);
      } else {
        assert_int_equal((u256_low64(&f.tx.v) - 35) / 2, chain); /* v = 35 + 2c + y */
      }
    }
  }
  blk_tx bad;
  memset(&bad, 0, sizeof bad);
  bad.type = 5;
  uint8_t h[32];
  assert_int_equal(evm_tx_signing_hash(&bad, 1, h), EVM_SIG_E_ARG);
}

static void test_auth(void **s) {
  (void)s;
  blk_auth a;
  memset(&a, 0, sizeof a);
  u256_from_u64(&a.chain_id, 1);
  memset(a.address.b, 0x5a, 20);
  a.nonce = 42;
  /* The message is 0x05 || rlp([1, address, 42]). */
  uint8_t msg[1 + 1 + 1 + 21 + 1], want[32], h[32];
  msg[0] = 0x05;
  msg[1] = 0xc0 + 1 + 21 + 1;
  msg[2] = 0x01;
  msg[3] = 0x94;
  memset(msg + 4, 0x5a, 20);
  msg[24] = 42;
  keccak256(msg, sizeof msg, want);
  assert_int_equal(evm_auth_signing_hash(&a, h), EVM_SIG_OK);
  assert_memory_equal(h, want, 32);

  uint8_t priv[32], addr[20], got[20];
  assert_int_equal(evm_test_key(9, priv), EVM_SIG_OK);
  assert_int_equal(evm_test_address(9, addr), EVM_SIG_OK);
  assert_int_equal(evm_auth_sign(&a, priv), EVM_SIG_OK);
  assert_true(a.y_parity <= 1);
  assert_int_equal(evm_auth_signer(&a, got), EVM_SIG_OK);
  assert_memory_equal(got, addr, 20);
  blk_auth b = a;
  b.nonce++;
  assert_int_equal(evm_auth_signer(&b, got), EVM_SIG_OK);
  assert_memory_not_equal(got, addr, 20);
  b = a;
  b.y_parity = 2;
  assert_int_equal(evm_auth_signer(&b, got), EVM_SIG_E_INVALID);
  b = a;
  negate_mod_n(b.s.b);
  b.y_parity ^= 1;
  assert_int_equal(evm_auth_signer(&b, got), EVM_SIG_E_INVALID);
}

/* evm_ecrecover allows high s (the precompile's rule) and recovers the same
 * signer from the twin signature with the other recovery id. */
static void test_ecrecover_high_s(void **s) {
  (void)s;
  blk_tx tx;
  eip155_tx(&tx);
  uint8_t priv[32], h[32], got[20];
  memset(priv, 0x46, 32);
  assert_int_equal(evm_tx_sign(&tx, 1, priv), EVM_SIG_OK);
  assert_int_equal(evm_tx_signing_hash(&tx, 1, h), EVM_SIG_OK);
  int recid = (int)((u256_low64(&tx.v) - 35) & 1);
  assert_int_equal(evm_ecrecover(h, recid, tx.r.b, tx.s.b, got), EVM_SIG_OK);
  assert_memory_equal(got, tx.sender.b, 20);
  negate_mod_n(tx.s.b);
  assert_int_equal(evm_ecrecover(h, recid ^ 1, tx.r.b, tx.s.b, got), EVM_SIG_OK);
  assert_memory_equal(got, tx.sender.b, 20);
  assert_int_equal(evm_ecrecover(h, 2, tx.r.b, tx.s.b, got), EVM_SIG_E_INVALID);
}

/* Concurrent first use of the address cache: every thread sees the same
 * addresses as a single-threaded derivation. */
static void *cache_worker(void *arg) {
  uint8_t(*got)[20] = arg;
  for (uint32_t i = 0; i < 64; i++)
    if (evm_test_address(900 + i, got[i]) != EVM_SIG_OK) return (void *)1;
  return NULL;
}

static void test_address_cache_threads(void **s) {
  (void)s;
  enum { T = 4 };
  static uint8_t got[T][64][20];
  pthread_t tid[T];
  for (int t = 0; t < T; t++) assert_int_equal(pthread_create(&tid[t], NULL, cache_worker, got[t]), 0);
  for (int t = 0; t < T; t++) {
    void *ret;
    assert_int_equal(pthread_join(tid[t], &ret), 0);
    assert_null(ret);
  }
  for (uint32_t i = 0; i < 64; i++) {
    uint8_t priv[32], want[20];
    assert_int_equal(evm_test_key(900 + i, priv), EVM_SIG_OK);
    assert_int_equal(evm_priv_to_address(priv, want), EVM_SIG_OK);
    for (int t = 0; t < T; t++) assert_memory_equal(got[t][i], want, 20);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_key0),           cmocka_unit_test(test_derived_keys),
      cmocka_unit_test(test_eip155_example), cmocka_unit_test(test_pre_eip155),
      cmocka_unit_test(test_round_trip_all_types), cmocka_unit_test(test_auth),
      cmocka_unit_test(test_ecrecover_high_s), cmocka_unit_test(test_state_test_transactions),
      cmocka_unit_test(test_address_cache_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
