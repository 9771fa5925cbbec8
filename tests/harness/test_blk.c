/* Block codec tests: round trips, and rejection of malformed input with the
 * right error code and an offset inside the input.
 *
 * Malformed inputs are made by decoding a valid encoding into a generic RLP
 * tree, changing one node and re-encoding, so each case breaks exactly one
 * rule and the rest of the file stays valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blk.h"
#include "evm/rlp.h"

/* ---- a sample block with every feature of the format ---- */

static void u256_small(blk_u256 *v, uint64_t x) {
  memset(v->b, 0, 32);
  for (int i = 0; i < 8; i++) v->b[31 - i] = (uint8_t)(x >> (8 * i));
}

static uint8_t *dup_bytes(const char *s, size_t n) {
  uint8_t *p = malloc(n);
  memcpy(p, s, n);
  return p;
}

static void make_sample(blk_block *b) {
  memset(b, 0, sizeof *b);
  b->version = BLK_VERSION;
  b->env.fork = BLK_FORK_PRAGUE;
  b->env.chain_id = 1;
  b->env.number = 1000;
  b->env.timestamp = 1700000000;
  b->env.gas_limit = 60000000;
  u256_small(&b->env.base_fee, 7);
  memset(b->env.coinbase.b, 0xcb, 20);
  memset(b->env.prevrandao, 0x5a, 32);
  b->env.excess_blob_gas = 131072;
  b->env.n_block_hashes = 2;
  b->env.block_hashes = calloc(2, sizeof(blk_hash_entry));
  b->env.block_hashes[0].number = 998;
  b->env.block_hashes[1].number = 999;
  memset(b->env.block_hashes[1].hash, 0x99, 32);

  b->n_codes = 2;
  b->codes = calloc(2, sizeof(blk_bytes));
  b->codes[0].data = dup_bytes("\x60\x01\x60\x00\x55\x00", 6);
  b->codes[0].len = 6;
  b->codes[1].data = dup_bytes("\x5b\x60\x00\x56", 4);
  b->codes[1].len = 4;

  b->n_accounts = 3;
  b->accounts = calloc(3, sizeof(blk_account));
  for (int i = 0; i < 3; i++) {
    memset(b->accounts[i].address.b, 0x10 * (i + 1), 20);
    b->accounts[i].nonce = (uint64_t)i;
    u256_small(&b->accounts[i].balance, 1000000000000ull * (uint64_t)(i + 1));
  }
  b->accounts[1].code_ref = 1;
  b->accounts[2].code_ref = 2;
  b->accounts[1].n_storage = 2;
  b->accounts[1].storage = calloc(2, sizeof(blk_slot));
  u256_small(&b->accounts[1].storage[0].key, 1);
  u256_small(&b->accounts[1].storage[0].value, 0x42);
  u256_small(&b->accounts[1].storage[1].key, 2);
  memset(b->accounts[1].storage[1].value.b, 0xff, 32);

  b->n_txs = 6;
  b->txs = calloc(6, sizeof(blk_tx));
  for (int i = 0; i < 6; i++) {
    blk_tx *t = &b->txs[i];
    t->type = (uint8_t)(i < 5 ? i : 2);
    t->sender_key = (uint32_t)i;
    t->nonce = (uint64_t)i;
    t->gas_limit = 100000;
    memset(t->to.b, 0x20, 20);
    u256_small(&t->value, (uint64_t)i);
    u256_small(&t->gas_price, 10);
    if (t->type >= 2) u256_small(&t->max_priority_fee, 2);
  }
  b->txs[0].data.data = dup_bytes("\x01\x02\x03", 3);
  b->txs[0].data.len = 3;
  b->txs[0].has_signature = 1;
  u256_small(&b->txs[0].v, 37);
  u256_small(&b->txs[0].r, 0x1234);
  u256_small(&b->txs[0].s, 0x5678);
  b->txs[1].n_access_list = 1;
  b->txs[1].access_list = calloc(1, sizeof(blk_access));
  memset(b->txs[1].access_list[0].address.b, 0x30, 20);
  b->txs[1].access_list[0].n_keys = 2;
  b->txs[1].access_list[0].keys = calloc(2, sizeof(blk_u256));
  u256_small(&b->txs[1].access_list[0].keys[1], 5);
  b->txs[3].n_blob_hashes = 1;
  b->txs[3].blob_hashes = calloc(1, 32);
  b->txs[3].blob_hashes[0][0] = 0x01;
  u256_small(&b->txs[3].max_fee_per_blob_gas, 3);
  b->txs[4].n_auths = 1;
  b->txs[4].auths = calloc(1, sizeof(blk_auth));
  u256_small(&b->txs[4].auths[0].chain_id, 1);
  memset(b->txs[4].auths[0].address.b, 0x44, 20);
  b->txs[4].auths[0].y_parity = 1;
  u256_small(&b->txs[4].auths[0].r, 9);
  u256_small(&b->txs[4].auths[0].s, 10);
  b->txs[5].is_create = 1;
  memset(b->txs[5].to.b, 0, 20);
  b->txs[5].sender_is_address = 1;
  memset(b->txs[5].sender.b, 0x77, 20);
}

static void encode_sample(uint8_t **buf, size_t *len) {
  blk_block b;
  make_sample(&b);
  assert_int_equal(blk_encode(&b, buf, len), BLK_OK);
  blk_free(&b);
}

/* ---- a generic mutable RLP tree ---- */

typedef struct node {
  int is_list;
  uint8_t *bytes;
  size_t len;
  struct node *kids;
  size_t n;
} node;

static void tree_from_item(const rlp_item *it, node *out) {
  memset(out, 0, sizeof *out);
  out->is_list = it->is_list;
  if (!it->is_list) {
    out->len = it->len;
    out->bytes = malloc(it->len ? it->len : 1);
    memcpy(out->bytes, it->p, it->len);
    return;
  }
  rlp_item items[64];
  size_t n = 0, eoff;
  assert_int_equal(rlp_list(it, items, 64, &n, &eoff), RLP_OK);
  out->n = n;
  out->kids = calloc(n ? n : 1, sizeof(node));
  for (size_t i = 0; i < n; i++) tree_from_item(&items[i], &out->kids[i]);
}

static void tree_free(node *t) {
  free(t->bytes);
  for (size_t i = 0; i < t->n; i++) tree_free(&t->kids[i]);
  free(t->kids);
  memset(t, 0, sizeof *t);
}

static void tree_put(rlp_enc *e, const node *t) {
  if (!t->is_list) {
    rlp_put_bytes(e, t->bytes, t->len);
    return;
  }
  rlp_list_begin(e);
  for (size_t i = 0; i < t->n; i++) tree_put(e, &t->kids[i]);
  rlp_list_end(e);
}

static void tree_encode(const node *t, uint8_t **buf, size_t *len) {
  rlp_enc e;
  rlp_enc_init(&e);
  tree_put(&e, t);
  assert_int_equal(rlp_enc_finish(&e, buf, len), RLP_OK);
}

/* Follow a path of child indices ending with -1. */
static node *at(node *t, ...) {
  va_list ap;
  va_start(ap, t);
  for (int i = va_arg(ap, int); i >= 0; i = va_arg(ap, int)) {
    assert_true(t->is_list);
    assert_true((size_t)i < t->n);
    t = &t->kids[i];
  }
  va_end(ap);
  return t;
}

static void set_bytes(node *t, const void *p, size_t n) {
  tree_free(t);
  t->bytes = malloc(n ? n : 1);
  if (n) memcpy(t->bytes, p, n);
  t->len = n;
}

static void set_list_empty(node *t) {
  tree_free(t);
  t->is_list = 1;
  t->kids = calloc(1, sizeof(node));
}

static void drop_last(node *t) {
  assert_true(t->is_list && t->n > 0);
  tree_free(&t->kids[t->n - 1]);
  t->n--;
}

static void append_copy(node *list, const node *src);
static void copy_node(node *dst, const node *src) {
  memset(dst, 0, sizeof *dst);
  dst->is_list = src->is_list;
  if (!src->is_list) {
    dst->len = src->len;
    dst->bytes = malloc(src->len ? src->len : 1);
    memcpy(dst->bytes, src->bytes, src->len);
    return;
  }
  dst->kids = calloc(src->n ? src->n : 1, sizeof(node));
  for (size_t i = 0; i < src->n; i++) append_copy(dst, &src->kids[i]);
}

static void append_copy(node *list, const node *src) {
  node tmp;
  copy_node(&tmp, src);
  list->kids = realloc(list->kids, (list->n + 1) * sizeof(node));
  list->kids[list->n++] = tmp;
}

static void swap_kids(node *t, size_t i, size_t j) {
  node tmp = t->kids[i];
  t->kids[i] = t->kids[j];
  t->kids[j] = tmp;
}

/* Decode buf and expect code; checks that the block is left empty. */
static void expect_decode(const uint8_t *buf, size_t len, int code) {
  blk_block b;
  blk_error err = {12345, NULL};
  int rc = blk_decode(buf, len, &b, &err);
  if (rc != code) fprintf(stderr, "expected %d got %d (%s at %zu)\n", code, rc, err.msg, err.offset);
  assert_int_equal(rc, code);
  if (code != BLK_OK) {
    assert_non_null(err.msg);
    assert_true(err.offset <= len);
    assert_null(b.txs);
    assert_null(b.accounts);
    assert_int_equal(b.n_txs, 0);
  } else {
    blk_free(&b);
  }
}

typedef void (*mutator)(node *root);

static void check_mutation(mutator m, int code) {
  uint8_t *buf;
  size_t len;
  encode_sample(&buf, &len);
  rlp_item top;
  size_t eoff;
  assert_int_equal(rlp_decode_whole(buf, len, &top, &eoff), RLP_OK);
  node root;
  tree_from_item(&top, &root);
  free(buf);
  m(&root);
  tree_encode(&root, &buf, &len);
  tree_free(&root);
  expect_decode(buf, len, code);
  free(buf);
}

/* ---- round trips ---- */

static void test_roundtrip_sample(void **state) {
  (void)state;
  uint8_t *buf, *buf2;
  size_t len, len2;
  encode_sample(&buf, &len);
  blk_block b;
  blk_error err;
  assert_int_equal(blk_decode(buf, len, &b, &err), BLK_OK);
  assert_int_equal(b.n_txs, 6);
  assert_int_equal(b.txs[5].is_create, 1);
  assert_int_equal(b.txs[5].sender_is_address, 1);
  assert_int_equal(b.txs[0].has_signature, 1);
  assert_int_equal(b.txs[1].access_list[0].n_keys, 2);
  assert_int_equal(b.accounts[1].code_ref, 1);
  assert_int_equal(b.env.fork, BLK_FORK_PRAGUE);
  assert_int_equal(b.env.block_hashes[1].number, 999);
  assert_int_equal(blk_encode(&b, &buf2, &len2), BLK_OK);
  assert_int_equal(len, len2);
  assert_memory_equal(buf, buf2, len);
  blk_free(&b);
  free(buf);
  free(buf2);
}

static void test_roundtrip_empty_block(void **state) {
  (void)state;
  blk_block b;
  memset(&b, 0, sizeof b);
  b.version = BLK_VERSION;
  b.env.fork = BLK_FORK_OSAKA;
  uint8_t *buf, *buf2;
  size_t len, len2;
  assert_int_equal(blk_encode(&b, &buf, &len), BLK_OK);
  blk_block d;
  assert_int_equal(blk_decode(buf, len, &d, NULL), BLK_OK);
  assert_int_equal(d.env.fork, BLK_FORK_OSAKA);
  assert_int_equal(blk_encode(&d, &buf2, &len2), BLK_OK);
  assert_int_equal(len, len2);
  assert_memory_equal(buf, buf2, len);
  blk_free(&d);
  free(buf);
  free(buf2);
}

static void test_every_prefix_rejected(void **state) {
  (void)state;
  uint8_t *buf;
  size_t len;
  encode_sample(&buf, &len);
  for (size_t n = 0; n < len; n++) {
    blk_block b;
    blk_error err;
    int rc = blk_decode(buf, n, &b, &err);
    assert_true(rc == BLK_E_TRUNCATED);
    assert_true(err.offset <= n);
  }
  free(buf);
}

static void test_every_byte_flip_safe(void **state) {
  (void)state;
  /* Not every flip is invalid (a flipped balance byte is another valid block);
   * what must hold is: no crash, and a block that decodes re-encodes to the
   * same bytes. */
  uint8_t *buf;
  size_t len;
  encode_sample(&buf, &len);
  for (size_t i = 0; i < len; i++) {
    for (int bit = 0; bit < 8; bit++) {
      buf[i] ^= (uint8_t)(1u << bit);
      blk_block b;
      if (blk_decode(buf, len, &b, NULL) == BLK_OK) {
        uint8_t *re;
        size_t rlen;
        assert_int_equal(blk_encode(&b, &re, &rlen), BLK_OK);
        assert_int_equal(rlen, len);
        assert_memory_equal(re, buf, len);
        free(re);
        blk_free(&b);
      }
      buf[i] ^= (uint8_t)(1u << bit);
    }
  }
  free(buf);
}

static void test_content_hash_stable(void **state) {
  (void)state;
  blk_block a, b;
  make_sample(&a);
  make_sample(&b);
  char ha[65], hb[65];
  assert_int_equal(blk_content_hash(&a, ha), BLK_OK);
  assert_int_equal(blk_content_hash(&b, hb), BLK_OK);
  assert_string_equal(ha, hb);
  b.txs[0].nonce++;
  assert_int_equal(blk_content_hash(&b, hb), BLK_OK);
  assert_true(strcmp(ha, hb) != 0);
  blk_free(&a);
  blk_free(&b);
}

static void test_file_roundtrip(void **state) {
  (void)state;
  char path[] = "/tmp/pkb_blk_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  blk_block a, b;
  make_sample(&a);
  assert_int_equal(blk_write_file(path, &a), BLK_OK);
  blk_error err;
  assert_int_equal(blk_read_file(path, &b, &err), BLK_OK);
  char ha[65], hb[65];
  blk_content_hash(&a, ha);
  blk_content_hash(&b, hb);
  assert_string_equal(ha, hb);
  blk_free(&a);
  blk_free(&b);
  remove(path);
  assert_int_equal(blk_read_file("/nonexistent/x.blk", &b, &err), BLK_E_IO);
}

static void test_encode_rejects_invalid(void **state) {
  (void)state;
  blk_block b;
  make_sample(&b);
  uint8_t *buf;
  size_t len;
  b.accounts[2].address = b.accounts[0].address;
  assert_int_equal(blk_encode(&b, &buf, &len), BLK_E_ORDER);
  assert_null(buf);
  b.accounts[2].address.b[0] = 0xf0;
  b.txs[0].type = 9;
  assert_int_equal(blk_encode(&b, &buf, &len), BLK_E_RANGE);
  blk_free(&b);
}

/* ---- malformed inputs: raw bytes ---- */

static void test_raw_malformed(void **state) {
  (void)state;
  expect_decode((const uint8_t *)"", 0, BLK_E_TRUNCATED);
  /* a string, not a list */
  expect_decode((const uint8_t *)"\x83" "abc", 4, BLK_E_SHAPE);
  /* single byte wrapped in a string header */
  expect_decode((const uint8_t *)"\xc2\x81\x05", 3, BLK_E_NONCANON);
  /* long-form length used for a short payload */
  expect_decode((const uint8_t *)"\xf8\x01\x01", 3, BLK_E_NONCANON);
  /* length of length with a leading zero byte */
  expect_decode((const uint8_t *)"\xf9\x00\x40", 3, BLK_E_NONCANON);
  /* list longer than the input */
  expect_decode((const uint8_t *)"\xc5\x01\x02", 3, BLK_E_TRUNCATED);
  /* a length of length beyond the input */
  expect_decode((const uint8_t *)"\xff\x01\x02", 3, BLK_E_TRUNCATED);
  /* top list with three items */
  expect_decode((const uint8_t *)"\xc3\x01\xc0\xc0", 4, BLK_E_SHAPE);
  /* trailing byte after a valid block */
  uint8_t *buf;
  size_t len;
  encode_sample(&buf, &len);
  buf = realloc(buf, len + 1);
  buf[len] = 0;
  expect_decode(buf, len + 1, BLK_E_TRAILING);
  free(buf);
}

/* ---- malformed inputs: one rule broken in an otherwise valid block ---- */

#define MUT(name, body, code)                     \
  static void m_##name(node *r) { body; }         \
  static void test_##name(void **state) {         \
    (void)state;                                  \
    check_mutation(m_##name, code);               \
  }

/* paths: r[1]=env r[2]=pre r[3]=txs; pre[0]=codes pre[1]=accounts */
MUT(version_2, set_bytes(at(r, 0, -1), "\x02", 1), BLK_E_VERSION)
MUT(version_0, set_bytes(at(r, 0, -1), "", 0), BLK_E_VERSION)
MUT(version_noncanon, set_bytes(at(r, 0, -1), "\x00\x01", 2), BLK_E_NONCANON)
MUT(version_list, set_list_empty(at(r, 0, -1)), BLK_E_SHAPE)
MUT(fork_unknown, set_bytes(at(r, 1, 0, -1), "London", 6), BLK_E_FORK)
MUT(fork_long, set_bytes(at(r, 1, 0, -1), "PragueAndMoreMoreMore", 21), BLK_E_FORK)
MUT(fork_list, set_list_empty(at(r, 1, 0, -1)), BLK_E_SHAPE)
MUT(env_short, drop_last(at(r, 1, -1)), BLK_E_SHAPE)
MUT(env_not_list, set_bytes(at(r, 1, -1), "x", 1), BLK_E_SHAPE)
MUT(chain_id_9_bytes, set_bytes(at(r, 1, 1, -1), "\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9), BLK_E_RANGE)
MUT(number_leading_zero, set_bytes(at(r, 1, 2, -1), "\x00\x05", 2), BLK_E_NONCANON)
MUT(base_fee_33_bytes, set_bytes(at(r, 1, 5, -1), "\x01\x02\x03\x04\x05\x06\x07\x08\x01\x02\x03\x04\x05\x06\x07\x08"
                                                   "\x01\x02\x03\x04\x05\x06\x07\x08\x01\x02\x03\x04\x05\x06\x07\x08\x09", 33), BLK_E_RANGE)
MUT(coinbase_19, set_bytes(at(r, 1, 6, -1), "0123456789012345678", 19), BLK_E_RANGE)
MUT(prevrandao_31, set_bytes(at(r, 1, 7, -1), "0123456789012345678901234567890", 31), BLK_E_RANGE)
MUT(block_hashes_order, swap_kids(at(r, 1, 9, -1), 0, 1), BLK_E_ORDER)
MUT(block_hash_31, set_bytes(at(r, 1, 9, 1, 1, -1), "0123456789012345678901234567890", 31), BLK_E_RANGE)
MUT(block_hash_arity, drop_last(at(r, 1, 9, 0, -1)), BLK_E_SHAPE)
MUT(pre_arity, drop_last(at(r, 2, -1)), BLK_E_SHAPE)
MUT(accounts_order, swap_kids(at(r, 2, 1, -1), 0, 2), BLK_E_ORDER)
MUT(accounts_duplicate, append_copy(at(r, 2, 1, -1), at(r, 2, 1, 2, -1)), BLK_E_ORDER)
MUT(account_arity, drop_last(at(r, 2, 1, 0, -1)), BLK_E_SHAPE)
MUT(address_21, set_bytes(at(r, 2, 1, 0, 0, -1), "012345678901234567890", 21), BLK_E_RANGE)
MUT(code_ref_missing, set_bytes(at(r, 2, 1, 0, 3, -1), "\x03", 1), BLK_E_REF)
MUT(code_unused, set_bytes(at(r, 2, 1, 2, 3, -1), "\x01", 1), BLK_E_REF)
MUT(code_duplicate, append_copy(at(r, 2, 0, -1), at(r, 2, 0, 0, -1)), BLK_E_REF)
MUT(code_empty, set_bytes(at(r, 2, 0, 1, -1), "", 0), BLK_E_REF)
MUT(code_list, set_list_empty(at(r, 2, 0, 1, -1)), BLK_E_SHAPE)
MUT(storage_zero_value, set_bytes(at(r, 2, 1, 1, 4, 0, 1, -1), "", 0), BLK_E_RANGE)
MUT(storage_order, swap_kids(at(r, 2, 1, 1, 4, -1), 0, 1), BLK_E_ORDER)
MUT(storage_key_noncanon, set_bytes(at(r, 2, 1, 1, 4, 0, 0, -1), "\x00\x01", 2), BLK_E_NONCANON)
MUT(nonce_list, set_list_empty(at(r, 2, 1, 0, 1, -1)), BLK_E_SHAPE)
MUT(tx_type_5, set_bytes(at(r, 3, 0, 0, -1), "\x05", 1), BLK_E_RANGE)
MUT(tx_arity, drop_last(at(r, 3, 0, -1)), BLK_E_SHAPE)
MUT(tx_sender_key_big, set_bytes(at(r, 3, 0, 1, -1), "\x13\x88", 2), BLK_E_RANGE)
MUT(tx_sender_19, set_bytes(at(r, 3, 0, 1, -1), "0123456789012345678", 19), BLK_E_RANGE)
MUT(tx_to_19, set_bytes(at(r, 3, 0, 4, -1), "0123456789012345678", 19), BLK_E_RANGE)
MUT(tx_type0_priority, set_bytes(at(r, 3, 0, 8, -1), "\x01", 1), BLK_E_TXTYPE)
MUT(tx_type0_access_list, append_copy(at(r, 3, 0, 9, -1), at(r, 3, 1, 9, 0, -1)), BLK_E_TXTYPE)
MUT(tx_type2_blob, append_copy(at(r, 3, 2, 11, -1), at(r, 3, 3, 11, 0, -1)), BLK_E_TXTYPE)
MUT(tx_type3_no_blobs, drop_last(at(r, 3, 3, 11, -1)), BLK_E_TXTYPE)
MUT(tx_type4_no_auths, drop_last(at(r, 3, 4, 12, -1)), BLK_E_TXTYPE)
MUT(tx_access_key_31, set_bytes(at(r, 3, 1, 9, 0, 1, 0, -1), "0123456789012345678901234567890", 31), BLK_E_RANGE)
MUT(tx_auth_arity, drop_last(at(r, 3, 4, 12, 0, -1)), BLK_E_SHAPE)
MUT(tx_signature_arity, drop_last(at(r, 3, 0, 13, -1)), BLK_E_SHAPE)
MUT(tx_signature_string, set_bytes(at(r, 3, 0, 13, -1), "sig", 3), BLK_E_SHAPE)
MUT(tx_data_list, set_list_empty(at(r, 3, 0, 6, -1)), BLK_E_SHAPE)
MUT(tx_gas_leading_zero, set_bytes(at(r, 3, 0, 3, -1), "\x00\x01\x86\xa0", 4), BLK_E_NONCANON)
MUT(txs_not_list, set_bytes(at(r, 3, -1), "", 0), BLK_E_SHAPE)

static void m_code_too_big(node *r) {
  node *code = at(r, 2, 0, 0, -1);
  size_t n = BLK_MAX_CODE_BYTES + 1;
  uint8_t *big = calloc(n, 1);
  big[0] = 0x60;
  set_bytes(code, big, n);
  free(big);
}
static void test_code_too_big(void **state) {
  (void)state;
  check_mutation(m_code_too_big, BLK_E_TOOBIG);
}

static void test_strerror_and_forks(void **state) {
  (void)state;
  for (int c = 0; c >= BLK_E_IO; c--) assert_true(strcmp(blk_strerror(c), "unknown error") != 0);
  blk_fork f;
  for (int i = 0; i < BLK_FORK_COUNT; i++) {
    assert_int_equal(blk_fork_from_name(blk_fork_name((blk_fork)i), &f), BLK_OK);
    assert_int_equal(f, i);
  }
  assert_int_equal(blk_fork_from_name("cancun", &f), BLK_E_FORK);
}

#define T(name) cmocka_unit_test(test_##name)
int main(void) {
  const struct CMUnitTest tests[] = {
      T(roundtrip_sample), T(roundtrip_empty_block), T(every_prefix_rejected), T(every_byte_flip_safe),
      T(content_hash_stable), T(file_roundtrip), T(encode_rejects_invalid), T(raw_malformed),
      T(version_2), T(version_0), T(version_noncanon), T(version_list), T(fork_unknown), T(fork_long),
      T(fork_list), T(env_short), T(env_not_list), T(chain_id_9_bytes), T(number_leading_zero),
      T(base_fee_33_bytes), T(coinbase_19), T(prevrandao_31), T(block_hashes_order), T(block_hash_31),
      T(block_hash_arity), T(pre_arity), T(accounts_order), T(accounts_duplicate), T(account_arity),
      T(address_21), T(code_ref_missing), T(code_unused), T(code_duplicate), T(code_empty), T(code_list),
      T(storage_zero_value), T(storage_order), T(storage_key_noncanon), T(nonce_list), T(tx_type_5),
      T(tx_arity), T(tx_sender_key_big), T(tx_sender_19), T(tx_to_19), T(tx_type0_priority),
      T(tx_type0_access_list), T(tx_type2_blob), T(tx_type3_no_blobs), T(tx_type4_no_auths),
      T(tx_access_key_31), T(tx_auth_arity), T(tx_signature_arity), T(tx_signature_string),
      T(tx_data_list), T(tx_gas_leading_zero), T(txs_not_list), T(code_too_big), T(strerror_and_forks),
  };
  return cmocka_run_group_tests_name("blk", tests, NULL, NULL);
}
