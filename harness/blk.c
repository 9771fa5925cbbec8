/* blk: the block file codec (see blk.h for the format).
 *
 * Every block pkbench proves, generates, hunts or imports passes through here,
 * and so does every fuzz input, so the decoder assumes hostile bytes: lengths
 * are checked against the input before use, counts against the bytes that
 * could hold them, and a failure frees whatever was built so the caller never
 * sees a partial block. The canonical-form rules are checked in one place
 * (validate_block) for decoded and for built blocks alike, which is what makes
 * encode(decode(x)) == x hold.
 */
#include "blk.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/rlp.h"

static const char *const fork_names[BLK_FORK_COUNT] = {"Cancun", "Prague", "Osaka"};

const char *blk_fork_name(blk_fork f) {
  return (unsigned)f < BLK_FORK_COUNT ? fork_names[f] : "unknown";
}

int blk_fork_from_name(const char *name, blk_fork *out) {
  for (int i = 0; i < BLK_FORK_COUNT; i++) {
    if (strcmp(name, fork_names[i]) == 0) {
      *out = (blk_fork)i;
      return BLK_OK;
    }
  }
  return BLK_E_FORK;
}

const char *blk_strerror(int code) {
  switch (code) {
    case BLK_OK: return "ok";
    case BLK_E_NOMEM: return "out of memory";
    case BLK_E_TRUNCATED: return "truncated input";
    case BLK_E_RLP: return "malformed RLP";
    case BLK_E_NONCANON: return "non-canonical encoding";
    case BLK_E_SHAPE: return "unexpected structure";
    case BLK_E_VERSION: return "unknown block file version";
    case BLK_E_FORK: return "unknown fork";
    case BLK_E_RANGE: return "value out of range";
    case BLK_E_ORDER: return "entries not in strictly ascending order";
    case BLK_E_REF: return "bad code reference";
    case BLK_E_TRAILING: return "trailing bytes after the block";
    case BLK_E_TXTYPE: return "transaction fields do not match its type";
    case BLK_E_TOOBIG: return "over a size limit";
    case BLK_E_IO: return "I/O error";
    default: return "unknown error";
  }
}

/* ---- decoding ---- */

typedef struct {
  blk_error *err;
} dctx;

static int derr(dctx *c, int code, size_t off, const char *msg) {
  if (c->err) {
    c->err->offset = off;
    c->err->msg = msg;
  }
  return code;
}

static int map_rlp(int rc) {
  switch (rc) {
    case RLP_E_TRUNCATED: return BLK_E_TRUNCATED;
    case RLP_E_NONCANON: return BLK_E_NONCANON;
    case RLP_E_TYPE: return BLK_E_SHAPE;
    case RLP_E_RANGE: return BLK_E_RANGE;
    default: return BLK_E_RLP;
  }
}

#define TRY(x)              \
  do {                      \
    int rc_ = (x);          \
    if (rc_ != BLK_OK) return rc_; \
  } while (0)

/* Split list item `l` into exactly n items, naming what is being read. */
static int want_list(dctx *c, const rlp_item *l, rlp_item *items, size_t n, const char *what) {
  size_t got = 0, eoff = l->offset;
  if (!l->is_list) return derr(c, BLK_E_SHAPE, l->offset, what);
  int rc = rlp_list(l, items, n, &got, &eoff);
  if (rc == RLP_E_RANGE) return derr(c, BLK_E_SHAPE, eoff, what);
  if (rc != RLP_OK) return derr(c, map_rlp(rc), eoff, what);
  if (got != n) return derr(c, BLK_E_SHAPE, l->offset, what);
  return BLK_OK;
}

/* Count the items of list `l` (checking each header) and allocate n elements
 * of size sz. Every item must take at least min_bytes of input (the smallest
 * valid encoding of that element), so the allocation stays within a small
 * multiple (sz / min_bytes, at most 32) of the input size. */
static int list_alloc(dctx *c, const rlp_item *l, size_t sz, size_t min_bytes, void **out, size_t *n,
                      const char *what) {
  *out = NULL;
  *n = 0;
  if (!l->is_list) return derr(c, BLK_E_SHAPE, l->offset, what);
  rlp_iter it;
  rlp_item x;
  size_t k = 0, eoff = l->offset;
  rlp_iter_init(&it, l);
  int rc;
  while ((rc = rlp_iter_next(&it, &x, &eoff)) == 1) {
    if (x.total < min_bytes) return derr(c, BLK_E_SHAPE, x.offset, what);
    k++;
  }
  if (rc < 0) return derr(c, map_rlp(rc), eoff, what);
  if (k == 0) return BLK_OK;
  void *p = calloc(k, sz);
  if (!p) return derr(c, BLK_E_NOMEM, l->offset, what);
  *out = p;
  *n = k;
  return BLK_OK;
}

static int get_u64(dctx *c, const rlp_item *it, uint64_t *v, const char *what) {
  int rc = rlp_get_u64(it, v);
  if (rc == RLP_E_RANGE && !it->is_list && it->len > 0 && it->p[0] == 0)
    return derr(c, BLK_E_NONCANON, it->offset, what);
  if (rc != RLP_OK) return derr(c, map_rlp(rc), it->offset, what);
  return BLK_OK;
}

static int get_u256(dctx *c, const rlp_item *it, blk_u256 *v, const char *what) {
  int rc = rlp_get_u256(it, v->b);
  if (rc == RLP_E_RANGE && !it->is_list && it->len > 0 && it->p[0] == 0)
    return derr(c, BLK_E_NONCANON, it->offset, what);
  if (rc != RLP_OK) return derr(c, map_rlp(rc), it->offset, what);
  return BLK_OK;
}

static int get_fixed(dctx *c, const rlp_item *it, uint8_t *out, size_t n, const char *what) {
  int rc = rlp_get_fixed(it, out, n);
  if (rc != RLP_OK) return derr(c, map_rlp(rc), it->offset, what);
  return BLK_OK;
}

static int get_bytes(dctx *c, const rlp_item *it, blk_bytes *out, size_t max, const char *what) {
  if (it->is_list) return derr(c, BLK_E_SHAPE, it->offset, what);
  if (it->len > max) return derr(c, BLK_E_TOOBIG, it->offset, what);
  out->len = it->len;
  out->data = NULL;
  if (it->len == 0) return BLK_OK;
  out->data = malloc(it->len);
  if (!out->data) return derr(c, BLK_E_NOMEM, it->offset, what);
  memcpy(out->data, it->p, it->len);
  return BLK_OK;
}

static int get_u8(dctx *c, const rlp_item *it, uint8_t *v, unsigned max, const char *what) {
  uint64_t x;
  TRY(get_u64(c, it, &x, what));
  if (x > max) return derr(c, BLK_E_RANGE, it->offset, what);
  *v = (uint8_t)x;
  return BLK_OK;
}

static int decode_env(dctx *c, const rlp_item *l, blk_env *env) {
  rlp_item f[10];
  TRY(want_list(c, l, f, 10, "env: expected a list of 10 fields"));
  if (f[0].is_list) return derr(c, BLK_E_SHAPE, f[0].offset, "env.fork: expected a string");
  char name[16];
  if (f[0].len >= sizeof name) return derr(c, BLK_E_FORK, f[0].offset, "env.fork: unknown fork");
  memcpy(name, f[0].p, f[0].len);
  name[f[0].len] = 0;
  if (blk_fork_from_name(name, &env->fork) != BLK_OK)
    return derr(c, BLK_E_FORK, f[0].offset, "env.fork: unknown fork");
  TRY(get_u64(c, &f[1], &env->chain_id, "env.chain_id"));
  TRY(get_u64(c, &f[2], &env->number, "env.number"));
  TRY(get_u64(c, &f[3], &env->timestamp, "env.timestamp"));
  TRY(get_u64(c, &f[4], &env->gas_limit, "env.gas_limit"));
  TRY(get_u256(c, &f[5], &env->base_fee, "env.base_fee"));
  TRY(get_fixed(c, &f[6], env->coinbase.b, 20, "env.coinbase: expected 20 bytes"));
  TRY(get_fixed(c, &f[7], env->prevrandao, 32, "env.prevrandao: expected 32 bytes"));
  TRY(get_u64(c, &f[8], &env->excess_blob_gas, "env.excess_blob_gas"));
  void *p;
  TRY(list_alloc(c, &f[9], sizeof(blk_hash_entry), 35, &p, &env->n_block_hashes, "env.block_hashes"));
  env->block_hashes = p;
  rlp_iter it;
  rlp_item x, e[2];
  size_t eoff = 0;
  rlp_iter_init(&it, &f[9]);
  for (size_t i = 0; rlp_iter_next(&it, &x, &eoff) == 1; i++) {
    TRY(want_list(c, &x, e, 2, "env.block_hashes: expected [number, hash]"));
    TRY(get_u64(c, &e[0], &env->block_hashes[i].number, "env.block_hashes: number"));
    TRY(get_fixed(c, &e[1], env->block_hashes[i].hash, 32, "env.block_hashes: expected a 32-byte hash"));
    if (i > 0 && env->block_hashes[i].number <= env->block_hashes[i - 1].number)
      return derr(c, BLK_E_ORDER, x.offset, "env.block_hashes: numbers not strictly ascending");
  }
  return BLK_OK;
}

static int decode_account(dctx *c, const rlp_item *l, blk_account *a, size_t n_codes) {
  rlp_item f[5];
  TRY(want_list(c, l, f, 5, "account: expected [address, nonce, balance, code_ref, storage]"));
  TRY(get_fixed(c, &f[0], a->address.b, 20, "account.address: expected 20 bytes"));
  TRY(get_u64(c, &f[1], &a->nonce, "account.nonce"));
  TRY(get_u256(c, &f[2], &a->balance, "account.balance"));
  uint64_t ref;
  TRY(get_u64(c, &f[3], &ref, "account.code_ref"));
  if (ref > n_codes) return derr(c, BLK_E_REF, f[3].offset, "account.code_ref: no such code");
  a->code_ref = (uint32_t)ref;
  void *p;
  TRY(list_alloc(c, &f[4], sizeof(blk_slot), 3, &p, &a->n_storage, "account.storage"));
  a->storage = p;
  rlp_iter it;
  rlp_item x, kv[2];
  size_t eoff = 0;
  rlp_iter_init(&it, &f[4]);
  for (size_t i = 0; rlp_iter_next(&it, &x, &eoff) == 1; i++) {
    TRY(want_list(c, &x, kv, 2, "account.storage: expected [key, value]"));
    TRY(get_u256(c, &kv[0], &a->storage[i].key, "account.storage: key"));
    TRY(get_u256(c, &kv[1], &a->storage[i].value, "account.storage: value"));
    if (kv[1].len == 0) return derr(c, BLK_E_RANGE, kv[1].offset, "account.storage: zero value stored");
    if (i > 0 && memcmp(a->storage[i].key.b, a->storage[i - 1].key.b, 32) <= 0)
      return derr(c, BLK_E_ORDER, x.offset, "account.storage: keys not strictly ascending");
  }
  return BLK_OK;
}

static int decode_tx(dctx *c, const rlp_item *l, blk_tx *t) {
  rlp_item f[14];
  TRY(want_list(c, l, f, 14, "tx: expected a list of 14 fields"));
  TRY(get_u8(c, &f[0], &t->type, 4, "tx.type: unknown transaction type"));
  if (!f[1].is_list && f[1].len == 20) {
    t->sender_is_address = 1;
    memcpy(t->sender.b, f[1].p, 20);
  } else {
    uint64_t k;
    TRY(get_u64(c, &f[1], &k, "tx.sender: expected a key index or a 20-byte address"));
    if (k >= BLK_MAX_TEST_KEYS) return derr(c, BLK_E_RANGE, f[1].offset, "tx.sender: test key index too large");
    t->sender_key = (uint32_t)k;
  }
  TRY(get_u64(c, &f[2], &t->nonce, "tx.nonce"));
  TRY(get_u64(c, &f[3], &t->gas_limit, "tx.gas_limit"));
  if (!f[4].is_list && f[4].len == 0) {
    t->is_create = 1;
  } else {
    TRY(get_fixed(c, &f[4], t->to.b, 20, "tx.to: expected empty or 20 bytes"));
  }
  TRY(get_u256(c, &f[5], &t->value, "tx.value"));
  TRY(get_bytes(c, &f[6], &t->data, BLK_MAX_DATA_BYTES, "tx.data"));
  TRY(get_u256(c, &f[7], &t->gas_price, "tx.gas_price"));
  TRY(get_u256(c, &f[8], &t->max_priority_fee, "tx.max_priority_fee"));

  void *p;
  rlp_iter it;
  rlp_item x;
  size_t eoff = 0;
  TRY(list_alloc(c, &f[9], sizeof(blk_access), 23, &p, &t->n_access_list, "tx.access_list"));
  t->access_list = p;
  rlp_iter_init(&it, &f[9]);
  for (size_t i = 0; rlp_iter_next(&it, &x, &eoff) == 1; i++) {
    rlp_item ak[2];
    blk_access *a = &t->access_list[i];
    TRY(want_list(c, &x, ak, 2, "tx.access_list: expected [address, keys]"));
    TRY(get_fixed(c, &ak[0], a->address.b, 20, "tx.access_list: expected a 20-byte address"));
    TRY(list_alloc(c, &ak[1], sizeof(blk_u256), 1, &p, &a->n_keys, "tx.access_list: keys"));
    a->keys = p;
    rlp_iter kit;
    rlp_item k;
    rlp_iter_init(&kit, &ak[1]);
    for (size_t j = 0; rlp_iter_next(&kit, &k, &eoff) == 1; j++)
      TRY(get_fixed(c, &k, a->keys[j].b, 32, "tx.access_list: expected a 32-byte key"));
  }
  TRY(get_u256(c, &f[10], &t->max_fee_per_blob_gas, "tx.max_fee_per_blob_gas"));
  TRY(list_alloc(c, &f[11], 32, 1, &p, &t->n_blob_hashes, "tx.blob_hashes"));
  t->blob_hashes = p;
  rlp_iter_init(&it, &f[11]);
  for (size_t i = 0; rlp_iter_next(&it, &x, &eoff) == 1; i++)
    TRY(get_fixed(c, &x, t->blob_hashes[i], 32, "tx.blob_hashes: expected a 32-byte hash"));
  TRY(list_alloc(c, &f[12], sizeof(blk_auth), 27, &p, &t->n_auths, "tx.authorizations"));
  t->auths = p;
  rlp_iter_init(&it, &f[12]);
  for (size_t i = 0; rlp_iter_next(&it, &x, &eoff) == 1; i++) {
    rlp_item af[6];
    blk_auth *a = &t->auths[i];
    TRY(want_list(c, &x, af, 6, "tx.authorizations: expected [chain_id, address, nonce, y_parity, r, s]"));
    TRY(get_u256(c, &af[0], &a->chain_id, "tx.authorizations: chain_id"));
    TRY(get_fixed(c, &af[1], a->address.b, 20, "tx.authorizations: expected a 20-byte address"));
    TRY(get_u64(c, &af[2], &a->nonce, "tx.authorizations: nonce"));
    TRY(get_u8(c, &af[3], &a->y_parity, 255, "tx.authorizations: y_parity"));
    TRY(get_u256(c, &af[4], &a->r, "tx.authorizations: r"));
    TRY(get_u256(c, &af[5], &a->s, "tx.authorizations: s"));
  }
  if (!f[13].is_list) return derr(c, BLK_E_SHAPE, f[13].offset, "tx.signature: expected a list");
  if (f[13].len != 0) {
    rlp_item s[3];
    TRY(want_list(c, &f[13], s, 3, "tx.signature: expected [] or [v, r, s]"));
    TRY(get_u256(c, &s[0], &t->v, "tx.signature: v"));
    TRY(get_u256(c, &s[1], &t->r, "tx.signature: r"));
    TRY(get_u256(c, &s[2], &t->s, "tx.signature: s"));
    t->has_signature = 1;
  }
  return BLK_OK;
}

/* ---- validation shared by decode and encode ---- */

static int is_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static int cmp_code(const blk_bytes *a, const blk_bytes *b) {
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  return memcmp(a->data, b->data, a->len);
}

static int cmp_code_ptr(const void *x, const void *y) {
  return cmp_code(*(const blk_bytes *const *)x, *(const blk_bytes *const *)y);
}

static int check_tx(const blk_tx *t, size_t i, blk_error *err) {
  const char *msg = NULL;
  int code = BLK_E_TXTYPE;
  if (t->type > 4) code = BLK_E_RANGE, msg = "tx.type: unknown transaction type";
  else if (!t->sender_is_address && t->sender_key >= BLK_MAX_TEST_KEYS)
    code = BLK_E_RANGE, msg = "tx.sender: test key index too large";
  else if (t->data.len > BLK_MAX_DATA_BYTES) code = BLK_E_TOOBIG, msg = "tx.data: over the size limit";
  else if (t->type < 2 && !is_zero(t->max_priority_fee.b, 32)) msg = "tx: max_priority_fee set on a type 0/1 transaction";
  else if (t->type == 0 && t->n_access_list) msg = "tx: access list on a type 0 transaction";
  else if (t->type != 3 && (t->n_blob_hashes || !is_zero(t->max_fee_per_blob_gas.b, 32)))
    msg = "tx: blob fields on a non-blob transaction";
  else if (t->type == 3 && (t->n_blob_hashes == 0 || t->is_create)) msg = "tx: blob transaction without blobs or creating a contract";
  else if (t->type != 4 && t->n_auths) msg = "tx: authorizations on a non-7702 transaction";
  else if (t->type == 4 && (t->n_auths == 0 || t->is_create)) msg = "tx: 7702 transaction without authorizations or creating a contract";
  if (!msg) return BLK_OK;
  if (err) {
    err->offset = i;
    err->msg = msg;
  }
  return code;
}

/* Validation of a whole block. For a decoded block the offsets reported here
 * are item indices, so decode calls it with a mapping done by the caller. */
static int validate_block(const blk_block *b, blk_error *err, size_t *bad_index, int *bad_section) {
#define VFAIL(code, sec, idx, m)              \
  do {                                        \
    if (err) { err->offset = (idx); err->msg = (m); } \
    *bad_section = (sec);                     \
    *bad_index = (idx);                       \
    return (code);                            \
  } while (0)
  if (b->version != BLK_VERSION) VFAIL(BLK_E_VERSION, 0, 0, "version: unknown block file version");
  if ((unsigned)b->env.fork >= BLK_FORK_COUNT) VFAIL(BLK_E_FORK, 0, 0, "env.fork: unknown fork");
  for (size_t i = 1; i < b->env.n_block_hashes; i++)
    if (b->env.block_hashes[i].number <= b->env.block_hashes[i - 1].number)
      VFAIL(BLK_E_ORDER, 0, i, "env.block_hashes: numbers not strictly ascending");
  for (size_t i = 0; i < b->n_codes; i++) {
    if (b->codes[i].len == 0) VFAIL(BLK_E_REF, 1, i, "pre.codes: empty code entry");
    if (b->codes[i].len > BLK_MAX_CODE_BYTES) VFAIL(BLK_E_TOOBIG, 1, i, "pre.codes: code over the size limit");
  }
  if (b->n_codes > 1) {
    const blk_bytes **idx = malloc(b->n_codes * sizeof *idx);
    if (!idx) VFAIL(BLK_E_NOMEM, 1, 0, "pre.codes: out of memory");
    for (size_t i = 0; i < b->n_codes; i++) idx[i] = &b->codes[i];
    qsort(idx, b->n_codes, sizeof *idx, cmp_code_ptr);
    for (size_t i = 1; i < b->n_codes; i++) {
      if (cmp_code(idx[i], idx[i - 1]) == 0) {
        size_t dup = (size_t)((idx[i] > idx[i - 1] ? idx[i] : idx[i - 1]) - b->codes);
        free(idx);
        VFAIL(BLK_E_REF, 1, dup, "pre.codes: the same code stored twice");
      }
    }
    free(idx);
  }
  unsigned char *used = b->n_codes ? calloc(b->n_codes, 1) : NULL;
  if (b->n_codes && !used) VFAIL(BLK_E_NOMEM, 1, 0, "pre.codes: out of memory");
  for (size_t i = 0; i < b->n_accounts; i++) {
    const blk_account *a = &b->accounts[i];
    if (i > 0 && memcmp(a->address.b, b->accounts[i - 1].address.b, 20) <= 0) {
      free(used);
      VFAIL(BLK_E_ORDER, 2, i, "pre.accounts: addresses not strictly ascending");
    }
    if (a->code_ref > b->n_codes) {
      free(used);
      VFAIL(BLK_E_REF, 2, i, "account.code_ref: no such code");
    }
    if (a->code_ref) used[a->code_ref - 1] = 1;
    for (size_t j = 0; j < a->n_storage; j++) {
      if (is_zero(a->storage[j].value.b, 32)) {
        free(used);
        VFAIL(BLK_E_RANGE, 2, i, "account.storage: zero value stored");
      }
      if (j > 0 && memcmp(a->storage[j].key.b, a->storage[j - 1].key.b, 32) <= 0) {
        free(used);
        VFAIL(BLK_E_ORDER, 2, i, "account.storage: keys not strictly ascending");
      }
    }
  }
  for (size_t i = 0; i < b->n_codes; i++) {
    if (!used[i]) {
      free(used);
      VFAIL(BLK_E_REF, 1, i, "pre.codes: code not used by any account");
    }
  }
  free(used);
  for (size_t i = 0; i < b->n_txs; i++) {
    int rc = check_tx(&b->txs[i], i, err);
    if (rc != BLK_OK) {
      *bad_section = 3;
      *bad_index = i;
      return rc;
    }
  }
  return BLK_OK;
#undef VFAIL
}

int blk_validate(const blk_block *b, blk_error *err) {
  size_t idx;
  int sec;
  return validate_block(b, err, &idx, &sec);
}

static int decode_block(dctx *c, const uint8_t *buf, size_t len, blk_block *b) {
  if (len > BLK_MAX_FILE_BYTES) return derr(c, BLK_E_TOOBIG, 0, "block: file over the size limit");
  rlp_item top, f[4];
  size_t eoff = 0;
  int rc = rlp_decode(buf, len, 0, &top, &eoff);
  if (rc != RLP_OK) return derr(c, map_rlp(rc), eoff, "block: malformed RLP");
  if (top.total != len) return derr(c, BLK_E_TRAILING, top.total, "block: trailing bytes after the block");
  TRY(want_list(c, &top, f, 4, "block: expected [version, env, pre, txs]"));
  TRY(get_u64(c, &f[0], &b->version, "version"));
  if (b->version != BLK_VERSION) return derr(c, BLK_E_VERSION, f[0].offset, "version: unknown block file version");
  TRY(decode_env(c, &f[1], &b->env));

  rlp_item pre[2];
  TRY(want_list(c, &f[2], pre, 2, "pre: expected [codes, accounts]"));
  void *p;
  TRY(list_alloc(c, &pre[0], sizeof(blk_bytes), 1, &p, &b->n_codes, "pre.codes"));
  b->codes = p;
  rlp_iter it;
  rlp_item x;
  rlp_item *code_items = NULL;
  if (b->n_codes) {
    code_items = malloc(b->n_codes * sizeof *code_items);
    if (!code_items) return derr(c, BLK_E_NOMEM, pre[0].offset, "pre.codes");
  }
  rlp_iter_init(&it, &pre[0]);
  for (size_t i = 0; rlp_iter_next(&it, &x, &eoff) == 1; i++) {
    code_items[i] = x;
    rc = get_bytes(c, &x, &b->codes[i], BLK_MAX_CODE_BYTES, "pre.codes: code");
    if (rc != BLK_OK) {
      free(code_items);
      return rc;
    }
  }
  rc = list_alloc(c, &pre[1], sizeof(blk_account), 26, &p, &b->n_accounts, "pre.accounts");
  b->accounts = p;
  rlp_item *acct_items = NULL;
  if (rc == BLK_OK && b->n_accounts) {
    acct_items = malloc(b->n_accounts * sizeof *acct_items);
    if (!acct_items) rc = derr(c, BLK_E_NOMEM, pre[1].offset, "pre.accounts");
  }
  if (rc == BLK_OK) {
    rlp_iter_init(&it, &pre[1]);
    for (size_t i = 0; rc == BLK_OK && rlp_iter_next(&it, &x, &eoff) == 1; i++) {
      acct_items[i] = x;
      rc = decode_account(c, &x, &b->accounts[i], b->n_codes);
    }
  }
  rlp_item *tx_items = NULL;
  if (rc == BLK_OK) {
    rc = list_alloc(c, &f[3], sizeof(blk_tx), 15, &p, &b->n_txs, "txs");
    b->txs = p;
  }
  if (rc == BLK_OK && b->n_txs) {
    tx_items = malloc(b->n_txs * sizeof *tx_items);
    if (!tx_items) rc = derr(c, BLK_E_NOMEM, f[3].offset, "txs");
  }
  if (rc == BLK_OK) {
    rlp_iter_init(&it, &f[3]);
    for (size_t i = 0; rc == BLK_OK && rlp_iter_next(&it, &x, &eoff) == 1; i++) {
      tx_items[i] = x;
      rc = decode_tx(c, &x, &b->txs[i]);
    }
  }
  if (rc == BLK_OK) {
    /* Whole-block rules; map the failing entry back to its byte offset. */
    size_t idx = 0;
    int sec = 0;
    blk_error verr = {0, NULL};
    rc = validate_block(b, &verr, &idx, &sec);
    if (rc != BLK_OK) {
      size_t off = sec == 1 ? code_items[idx].offset : sec == 2 ? acct_items[idx].offset
                 : sec == 3 ? tx_items[idx].offset : f[1].offset;
      derr(c, rc, off, verr.msg);
    }
  }
  free(code_items);
  free(acct_items);
  free(tx_items);
  return rc;
}

int blk_decode(const uint8_t *buf, size_t len, blk_block *out, blk_error *err) {
  dctx c = {err};
  memset(out, 0, sizeof *out);
  if (err) {
    err->offset = 0;
    err->msg = "ok";
  }
  int rc = decode_block(&c, buf, len, out);
  if (rc != BLK_OK) blk_free(out);
  return rc;
}

/* ---- encoding ---- */

void blk_put_access_list(rlp_enc *e, const blk_tx *t) {
  rlp_list_begin(e);
  for (size_t i = 0; i < t->n_access_list; i++) {
    rlp_list_begin(e);
    rlp_put_bytes(e, t->access_list[i].address.b, 20);
    rlp_list_begin(e);
    for (size_t j = 0; j < t->access_list[i].n_keys; j++) rlp_put_bytes(e, t->access_list[i].keys[j].b, 32);
    rlp_list_end(e);
    rlp_list_end(e);
  }
  rlp_list_end(e);
}

void blk_put_auths(rlp_enc *e, const blk_tx *t) {
  rlp_list_begin(e);
  for (size_t i = 0; i < t->n_auths; i++) {
    const blk_auth *a = &t->auths[i];
    rlp_list_begin(e);
    rlp_put_u256(e, a->chain_id.b);
    rlp_put_bytes(e, a->address.b, 20);
    rlp_put_u64(e, a->nonce);
    rlp_put_u64(e, a->y_parity);
    rlp_put_u256(e, a->r.b);
    rlp_put_u256(e, a->s.b);
    rlp_list_end(e);
  }
  rlp_list_end(e);
}

static void put_tx(rlp_enc *e, const blk_tx *t) {
  rlp_list_begin(e);
  rlp_put_u64(e, t->type);
  if (t->sender_is_address) rlp_put_bytes(e, t->sender.b, 20);
  else rlp_put_u64(e, t->sender_key);
  rlp_put_u64(e, t->nonce);
  rlp_put_u64(e, t->gas_limit);
  rlp_put_bytes(e, t->to.b, t->is_create ? 0 : 20);
  rlp_put_u256(e, t->value.b);
  rlp_put_bytes(e, t->data.data, t->data.len);
  rlp_put_u256(e, t->gas_price.b);
  rlp_put_u256(e, t->max_priority_fee.b);
  blk_put_access_list(e, t);
  rlp_put_u256(e, t->max_fee_per_blob_gas.b);
  rlp_list_begin(e);
  for (size_t i = 0; i < t->n_blob_hashes; i++) rlp_put_bytes(e, t->blob_hashes[i], 32);
  rlp_list_end(e);
  blk_put_auths(e, t);
  rlp_list_begin(e);
  if (t->has_signature) {
    rlp_put_u256(e, t->v.b);
    rlp_put_u256(e, t->r.b);
    rlp_put_u256(e, t->s.b);
  }
  rlp_list_end(e);
  rlp_list_end(e);
}

int blk_encode(const blk_block *b, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  int rc = blk_validate(b, NULL);
  if (rc != BLK_OK) return rc;
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  rlp_put_u64(&e, b->version);
  rlp_list_begin(&e);
  const char *fn = blk_fork_name(b->env.fork);
  rlp_put_bytes(&e, fn, strlen(fn));
  rlp_put_u64(&e, b->env.chain_id);
  rlp_put_u64(&e, b->env.number);
  rlp_put_u64(&e, b->env.timestamp);
  rlp_put_u64(&e, b->env.gas_limit);
  rlp_put_u256(&e, b->env.base_fee.b);
  rlp_put_bytes(&e, b->env.coinbase.b, 20);
  rlp_put_bytes(&e, b->env.prevrandao, 32);
  rlp_put_u64(&e, b->env.excess_blob_gas);
  rlp_list_begin(&e);
  for (size_t i = 0; i < b->env.n_block_hashes; i++) {
    rlp_list_begin(&e);
    rlp_put_u64(&e, b->env.block_hashes[i].number);
    rlp_put_bytes(&e, b->env.block_hashes[i].hash, 32);
    rlp_list_end(&e);
  }
  rlp_list_end(&e);
  rlp_list_end(&e);
  rlp_list_begin(&e);
  rlp_list_begin(&e);
  for (size_t i = 0; i < b->n_codes; i++) rlp_put_bytes(&e, b->codes[i].data, b->codes[i].len);
  rlp_list_end(&e);
  rlp_list_begin(&e);
  for (size_t i = 0; i < b->n_accounts; i++) {
    const blk_account *a = &b->accounts[i];
    rlp_list_begin(&e);
    rlp_put_bytes(&e, a->address.b, 20);
    rlp_put_u64(&e, a->nonce);
    rlp_put_u256(&e, a->balance.b);
    rlp_put_u64(&e, a->code_ref);
    rlp_list_begin(&e);
    for (size_t j = 0; j < a->n_storage; j++) {
      rlp_list_begin(&e);
      rlp_put_u256(&e, a->storage[j].key.b);
      rlp_put_u256(&e, a->storage[j].value.b);
      rlp_list_end(&e);
    }
    rlp_list_end(&e);
    rlp_list_end(&e);
  }
  rlp_list_end(&e);
  rlp_list_end(&e);
  rlp_list_begin(&e);
  for (size_t i = 0; i < b->n_txs; i++) put_tx(&e, &b->txs[i]);
  rlp_list_end(&e);
  rlp_list_end(&e);
  rc = rlp_enc_finish(&e, out, out_len);
  return rc == RLP_OK ? BLK_OK : BLK_E_NOMEM;
}

void blk_free(blk_block *b) {
  if (!b) return;
  free(b->env.block_hashes);
  for (size_t i = 0; i < b->n_codes; i++) free(b->codes[i].data);
  free(b->codes);
  for (size_t i = 0; i < b->n_accounts; i++) free(b->accounts[i].storage);
  free(b->accounts);
  for (size_t i = 0; i < b->n_txs; i++) {
    blk_tx *t = &b->txs[i];
    free(t->data.data);
    for (size_t j = 0; j < t->n_access_list; j++) free(t->access_list[j].keys);
    free(t->access_list);
    free(t->blob_hashes);
    free(t->auths);
  }
  free(b->txs);
  memset(b, 0, sizeof *b);
}

/* ---- files ---- */

int blk_read_bytes(const char *path, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return BLK_E_IO;
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  int rc = BLK_OK;
  for (;;) {
    if (len == cap) {
      if (cap > BLK_MAX_FILE_BYTES) {
        rc = BLK_E_TOOBIG;
        break;
      }
      size_t nc = cap ? cap * 2 : 65536;
      if (nc > BLK_MAX_FILE_BYTES + 1) nc = BLK_MAX_FILE_BYTES + 1;
      uint8_t *nb = realloc(buf, nc);
      if (!nb) {
        rc = BLK_E_NOMEM;
        break;
      }
      buf = nb;
      cap = nc;
    }
    size_t r = fread(buf + len, 1, cap - len, f);
    len += r;
    if (r == 0) break;
  }
  if (rc == BLK_OK && ferror(f)) rc = BLK_E_IO;
  fclose(f);
  if (rc != BLK_OK) {
    free(buf);
    return rc;
  }
  *out = buf;
  *out_len = len;
  return BLK_OK;
}

int blk_read_file(const char *path, blk_block *out, blk_error *err) {
  memset(out, 0, sizeof *out);
  uint8_t *buf;
  size_t len;
  int rc = blk_read_bytes(path, &buf, &len);
  if (rc != BLK_OK) {
    if (err) {
      err->offset = 0;
      err->msg = rc == BLK_E_IO ? "cannot read file" : rc == BLK_E_TOOBIG ? "file over the size limit"
                                                                           : "out of memory reading file";
    }
    return rc;
  }
  rc = blk_decode(buf, len, out, err);
  free(buf);
  return rc;
}

int blk_write_file(const char *path, const blk_block *b) {
  uint8_t *buf;
  size_t len;
  int rc = blk_encode(b, &buf, &len);
  if (rc != BLK_OK) return rc;
  FILE *f = fopen(path, "wb");
  if (!f) {
    free(buf);
    return BLK_E_IO;
  }
  size_t w = fwrite(buf, 1, len, f);
  int bad = (w != len) | (fclose(f) != 0);
  free(buf);
  return bad ? BLK_E_IO : BLK_OK;
}

int blk_content_hash(const blk_block *b, char out[65]) {
  uint8_t *buf;
  size_t len;
  int rc = blk_encode(b, &buf, &len);
  if (rc != BLK_OK) return rc;
  blk_hash_bytes(buf, len, out);
  free(buf);
  return BLK_OK;
}

void blk_hash_bytes(const uint8_t *buf, size_t len, char out[65]) {
  uint8_t h[32];
  SHA256(buf, len, h);
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[h[i] >> 4];
    out[2 * i + 1] = hex[h[i] & 15];
  }
  out[64] = 0;
}

uint64_t blk_total_tx_gas(const blk_block *b) {
  uint64_t s = 0;
  for (size_t i = 0; i < b->n_txs; i++) {
    uint64_t g = b->txs[i].gas_limit;
    s = (s + g < s) ? UINT64_MAX : s + g;
  }
  return s;
}
