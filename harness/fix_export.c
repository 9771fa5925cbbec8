/* fix_export: blocks to state-test JSON fixtures (contract in fix_export.h).
 *
 * The block is replayed one transaction at a time: transaction k runs alone
 * on a block whose pre-state is the state after the first k transactions, and
 * the state after it, read back from the executor, is the pre-state of
 * transaction k+1. The state is read back whole with evm_state_each (every
 * account in the trie and its non-zero slots, sorted, which is the form a
 * blk pre-state takes), so the fixture holds exactly the executor's state.
 * Each state read back is hashed again and must give the executor's own
 * root: a check that the copy (and the blk round trip) lost nothing.
 *
 * Cost: one execution per transaction plus one of the whole block and one
 * root per transaction; the JSON holds one full pre-state per transaction, so
 * a block of n transactions over a state of m accounts writes O(n*m) entries.
 * Export is a tool for found blocks, not a hot path.
 */
#include "fix_export.h"
#include "fix_json.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/evm.h"
#include "evm/state.h"
#include "evm/txsig.h"
#include "fix_bc.h"

#define OP_BLOCKHASH 0x40

const char *fixx_strerror(int code) {
  switch (code) {
    case FIXX_OK: return "ok";
    case FIXX_E_NOMEM: return "out of memory";
    case FIXX_E_ARG: return "bad argument";
    case FIXX_E_EXEC: return "executor failed";
    case FIXX_E_UNREP: return "block content a state test cannot carry";
    case FIXX_E_STATE: return "post-state read back does not give the executor's root";
    case FIXX_E_CONTEXT: return "transaction outcome depends on the rest of the block";
    case FIXX_E_SIGN: return "transaction signing failed";
    case FIXX_E_UNAVAILABLE: return "format not available in this build";
    default: return "unknown error";
  }
}

const char *fixx_format_name(fixx_format f) {
  return f == FIXX_BLOCKCHAIN_TEST ? "blockchain_test" : "state_test";
}

int fixx_format_from_name(const char *name, fixx_format *out) {
  if (!name || !out) return FIXX_E_ARG;
  if (strcmp(name, "state_test") == 0) *out = FIXX_STATE_TEST;
  else if (strcmp(name, "blockchain_test") == 0) *out = FIXX_BLOCKCHAIN_TEST;
  else return FIXX_E_ARG;
  return FIXX_OK;
}

static int set_err(fixx_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_err(fixx_error *err, int code, const char *fmt, ...) {
  if (!err) return code;
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return code;
}

/* ---- the tracer: BLOCKHASH use ---- */

typedef struct {
  int blockhash_used;
} trace_ctx;

static void on_step(void *ctx, const evm_step_event *e) {
  if (e->opcode == OP_BLOCKHASH) ((trace_ctx *)ctx)->blockhash_used = 1;
}

/* ---- pre-states held as the codes and accounts of a blk_block ---- */

static void pre_free(blk_block *p) {
  for (size_t i = 0; p->codes && i < p->n_codes; i++) free(p->codes[i].data);
  free(p->codes);
  for (size_t i = 0; p->accounts && i < p->n_accounts; i++) free(p->accounts[i].storage);
  free(p->accounts);
  p->codes = NULL;
  p->accounts = NULL;
  p->n_codes = p->n_accounts = 0;
}

/* Index (1-based code_ref) of code in p->codes, appending a copy when new.
 * 0 on allocation failure (code_len > 0 is required). */
static uint32_t pre_code_ref(blk_block *p, size_t *cap, const uint8_t *code, size_t len) {
  for (size_t i = 0; i < p->n_codes; i++)
    if (p->codes[i].len == len && memcmp(p->codes[i].data, code, len) == 0) return (uint32_t)(i + 1);
  if (p->n_codes == *cap) {
    size_t nc = *cap ? *cap * 2 : 8;
    blk_bytes *q = realloc(p->codes, nc * sizeof *q);
    if (!q) return 0;
    p->codes = q;
    *cap = nc;
  }
  uint8_t *d = malloc(len);
  if (!d) return 0;
  memcpy(d, code, len);
  p->codes[p->n_codes].data = d;
  p->codes[p->n_codes].len = len;
  p->n_codes++;
  return (uint32_t)p->n_codes;
}

static int pre_copy(const blk_block *src, blk_block *dst) {
  size_t cap = 0;
  dst->accounts = src->n_accounts ? calloc(src->n_accounts, sizeof *dst->accounts) : NULL;
  if (src->n_accounts && !dst->accounts) return FIXX_E_NOMEM;
  for (size_t i = 0; i < src->n_accounts; i++) {
    const blk_account *a = &src->accounts[i];
    blk_account *d = &dst->accounts[i];
    *d = *a;
    d->storage = NULL;
    d->n_storage = 0;
    d->code_ref = 0;
    dst->n_accounts = i + 1;
    if (a->n_storage) {
      d->storage = malloc(a->n_storage * sizeof *d->storage);
      if (!d->storage) return FIXX_E_NOMEM;
      memcpy(d->storage, a->storage, a->n_storage * sizeof *d->storage);
      d->n_storage = a->n_storage;
    }
    if (a->code_ref) {
      const blk_bytes *c = &src->codes[a->code_ref - 1];
      d->code_ref = pre_code_ref(dst, &cap, c->data, c->len);
      if (!d->code_ref) return FIXX_E_NOMEM;
    }
  }
  return FIXX_OK;
}

/* Builder of a pre-state from the executor's state: accounts arrive sorted
 * (evm_state_each) and are appended; codes are kept once each, found by hash. */
typedef struct {
  blk_block *out;
  size_t n_alloc;           /* accounts allocated (the count of the state) */
  size_t code_cap;          /* capacity of out->codes and hashes */
  uint8_t (*hashes)[32];    /* keccak of out->codes[i] */
} dump_ctx;

enum { DUMP_NOMEM = 1, DUMP_OVERFLOW = 2 }; /* positive: told apart from EVM_E_* */

static uint32_t dump_code_ref(dump_ctx *d, const uint8_t *code, size_t len, const uint8_t hash[32]) {
  blk_block *p = d->out;
  for (size_t i = 0; i < p->n_codes; i++)
    if (memcmp(d->hashes[i], hash, 32) == 0 && p->codes[i].len == len) return (uint32_t)(i + 1);
  if (p->n_codes == d->code_cap) {
    size_t nc = d->code_cap ? d->code_cap * 2 : 8;
    blk_bytes *q = realloc(p->codes, nc * sizeof *q);
    if (!q) return 0;
    p->codes = q;
    uint8_t(*h)[32] = realloc(d->hashes, nc * sizeof *h);
    if (!h) return 0;
    d->hashes = h;
    d->code_cap = nc;
  }
  uint8_t *c = malloc(len);
  if (!c) return 0;
  memcpy(c, code, len);
  p->codes[p->n_codes].data = c;
  p->codes[p->n_codes].len = len;
  memcpy(d->hashes[p->n_codes], hash, 32);
  p->n_codes++;
  return (uint32_t)p->n_codes;
}

static int dump_account(void *ctx, const evm_state_entry *e) {
  dump_ctx *d = ctx;
  blk_block *out = d->out;
  if (out->n_accounts == d->n_alloc) return DUMP_OVERFLOW;
  blk_account *a = &out->accounts[out->n_accounts++];
  memset(a, 0, sizeof *a);
  memcpy(a->address.b, e->addr, 20);
  a->nonce = e->nonce;
  memcpy(a->balance.b, e->balance, 32);
  if (e->code_len && !(a->code_ref = dump_code_ref(d, e->code, e->code_len, e->code_hash))) return DUMP_NOMEM;
  if (e->n_storage) {
    a->storage = malloc(e->n_storage * sizeof *a->storage);
    if (!a->storage) return DUMP_NOMEM;
    for (size_t i = 0; i < e->n_storage; i++) {
      memcpy(a->storage[i].key.b, e->storage[i].key, 32);
      memcpy(a->storage[i].value.b, e->storage[i].value, 32);
    }
    a->n_storage = e->n_storage;
  }
  return 0;
}

int fixx_state_dump(const evm_state *s, blk_block *out) {
  memset(out, 0, sizeof *out);
  out->version = BLK_VERSION;
  size_t n = 0;
  evm_state_count(s, &n, NULL);
  dump_ctx d = {out, n, 0, NULL};
  out->accounts = n ? calloc(n, sizeof *out->accounts) : NULL;
  if (n && !out->accounts) return FIXX_E_NOMEM;
  int rc = evm_state_each(s, dump_account, &d);
  free(d.hashes);
  if (rc == 0 && out->n_accounts == n) return FIXX_OK;
  return rc == DUMP_NOMEM || rc == EVM_E_NOMEM ? FIXX_E_NOMEM : FIXX_E_EXEC;
}

/* ---- execution helpers ---- */

/* A block of env, the pre-state pre and the transactions txs[0..n): a view
 * (nothing copied), never freed with blk_free. */
static blk_block view_block(const blk_block *b, const blk_block *pre, const blk_tx *txs, size_t n) {
  blk_block v;
  memset(&v, 0, sizeof v);
  v.version = BLK_VERSION;
  v.env = b->env;
  v.env.block_hashes = NULL;
  v.env.n_block_hashes = 0;
  v.codes = pre->codes;
  v.n_codes = pre->n_codes;
  v.accounts = pre->accounts;
  v.n_accounts = pre->n_accounts;
  v.txs = (blk_tx *)txs;
  v.n_txs = n;
  return v;
}

static int state_root_of(const blk_block *b, const blk_block *pre, uint8_t root[32]) {
  blk_block v = view_block(b, pre, NULL, 0);
  evm_block_result r;
  int rc = evm_execute_block(&v, NULL, &r);
  if (rc == EVM_OK) memcpy(root, r.state_root, 32);
  evm_block_result_free(&r);
  return rc == EVM_OK ? FIXX_OK : rc == EVM_E_NOMEM ? FIXX_E_NOMEM : FIXX_E_EXEC;
}

static const char *tx_status_name(evm_tx_status s) {
  switch (s) {
    case EVM_TX_SUCCESS: return "success";
    case EVM_TX_REVERT: return "revert";
    case EVM_TX_HALT: return "halt";
    case EVM_TX_INVALID: return "invalid";
  }
  return "?";
}

/* ---- JSON output ---- */

static void put_env(fixj_ctx *j, cJSON *o, const blk_env *e) {
  cJSON *env = fixj_put_obj(j, o, "env");
  if (!env) return;
  fixj_put_hex(j, env, "currentCoinbase", e->coinbase.b, 20);
  fixj_put_u64(j, env, "currentGasLimit", e->gas_limit);
  fixj_put_u64(j, env, "currentNumber", e->number);
  fixj_put_u64(j, env, "currentTimestamp", e->timestamp);
  fixj_put_hex(j, env, "currentRandom", e->prevrandao, 32);
  fixj_put_u64(j, env, "currentDifficulty", 0);
  fixj_put_qty(j, env, "currentBaseFee", e->base_fee.b, 32);
  fixj_put_u64(j, env, "currentExcessBlobGas", e->excess_blob_gas);
}

static int put_tx(fixj_ctx *j, cJSON *o, const blk_tx *t) {
  cJSON *tx = fixj_put_obj(j, o, "transaction");
  if (!tx) return FIXX_E_NOMEM;
  fixj_put_u64(j, tx, "nonce", t->nonce);
  if (t->type >= 2) {
    fixj_put_qty(j, tx, "maxPriorityFeePerGas", t->max_priority_fee.b, 32);
    fixj_put_qty(j, tx, "maxFeePerGas", t->gas_price.b, 32);
  } else {
    fixj_put_qty(j, tx, "gasPrice", t->gas_price.b, 32);
  }
  cJSON *a = fixj_put_arr(j, tx, "gasLimit");
  if (a) fixj_add(j, a, NULL, fixj_hex_u64(t->gas_limit));
  if (t->is_create) fixj_put_str(j, tx, "to", "");
  else fixj_put_hex(j, tx, "to", t->to.b, 20);
  a = fixj_put_arr(j, tx, "value");
  if (a) fixj_add(j, a, NULL, fixj_hex_qty(t->value.b, 32));
  a = fixj_put_arr(j, tx, "data");
  if (a) fixj_add(j, a, NULL, fixj_hex_bytes(t->data.data, t->data.len));
  if (t->type >= 1) {
    cJSON *als = fixj_put_arr(j, tx, "accessLists");
    cJSON *al = als ? cJSON_CreateArray() : NULL;
    if (als) fixj_add(j, als, NULL, al);
    for (size_t i = 0; al && !j->oom && i < t->n_access_list; i++) {
      cJSON *e = cJSON_CreateObject();
      fixj_add(j, al, NULL, e);
      if (j->oom) break;
      fixj_put_hex(j, e, "address", t->access_list[i].address.b, 20);
      cJSON *ks = fixj_put_arr(j, e, "storageKeys");
      for (size_t k = 0; ks && !j->oom && k < t->access_list[i].n_keys; k++)
        fixj_add(j, ks, NULL, fixj_hex_bytes(t->access_list[i].keys[k].b, 32));
    }
  }
  if (t->type == 3) {
    fixj_put_qty(j, tx, "maxFeePerBlobGas", t->max_fee_per_blob_gas.b, 32);
    cJSON *bh = fixj_put_arr(j, tx, "blobVersionedHashes");
    for (size_t i = 0; bh && !j->oom && i < t->n_blob_hashes; i++) fixj_add(j, bh, NULL, fixj_hex_bytes(t->blob_hashes[i], 32));
  }
  if (t->type == 4) {
    cJSON *al = fixj_put_arr(j, tx, "authorizationList");
    for (size_t i = 0; al && !j->oom && i < t->n_auths; i++) {
      const blk_auth *au = &t->auths[i];
      cJSON *e = cJSON_CreateObject();
      fixj_add(j, al, NULL, e);
      if (j->oom) break;
      fixj_put_qty(j, e, "chainId", au->chain_id.b, 32);
      fixj_put_hex(j, e, "address", au->address.b, 20);
      fixj_put_u64(j, e, "nonce", au->nonce);
      fixj_put_u64(j, e, "v", au->y_parity);
      fixj_put_qty(j, e, "r", au->r.b, 32);
      fixj_put_qty(j, e, "s", au->s.b, 32);
      uint8_t signer[20];
      if (evm_auth_signer(au, signer) == EVM_SIG_OK) fixj_put_hex(j, e, "signer", signer, 20);
      fixj_put_u64(j, e, "yParity", au->y_parity);
    }
  }
  uint8_t sender[20];
  uint32_t key_idx = 0;
  int have_key = 0;
  if (t->sender_is_address) {
    memcpy(sender, t->sender.b, 20);
    have_key = fixj_find_test_key(sender, &key_idx);
  } else {
    if (evm_test_address(t->sender_key, sender) != EVM_SIG_OK) return FIXX_E_SIGN;
    key_idx = t->sender_key;
    have_key = 1;
  }
  fixj_put_hex(j, tx, "sender", sender, 20);
  if (have_key) {
    uint8_t priv[32];
    if (evm_test_key(key_idx, priv) != EVM_SIG_OK) return FIXX_E_SIGN;
    fixj_put_hex(j, tx, "secretKey", priv, 32);
  }
  return j->oom ? FIXX_E_NOMEM : FIXX_OK;
}

/* ---- the export ---- */

typedef struct {
  const blk_block *b;
  const fixx_opts *o;
  fixx_error *err;
  trace_ctx tc;
  evm_tracer tr;
  char block_hash[65];
  fixj_ctx j;
  cJSON *root;
} exp_ctx;

/* The state after a transaction, read back whole from its result into
 * *next, and checked against the executor's root. */
static int read_post(exp_ctx *x, size_t k, const evm_block_result *r, blk_block *next) {
  memset(next, 0, sizeof *next);
  int rc = fixx_state_dump(r->state, next);
  if (rc) {
    pre_free(next);
    return set_err(x->err, rc, "transaction %zu: reading the post-state failed", k);
  }
  uint8_t root[32];
  rc = state_root_of(x->b, next, root);
  if (rc) {
    pre_free(next);
    return set_err(x->err, rc, "transaction %zu: hashing the post-state failed", k);
  }
  if (memcmp(root, r->state_root, 32) != 0) {
    pre_free(next);
    return set_err(x->err, FIXX_E_STATE,
                   "transaction %zu: the post-state read back does not give the executor's state root", k);
  }
  return FIXX_OK;
}

static int emit_test(exp_ctx *x, size_t k, const blk_block *pre, const blk_block *post_state,
                     const evm_block_result *r) {
  const blk_block *b = x->b;
  const blk_tx *t = &b->txs[k];
  const evm_tx_result *tr = &r->txs[0];
  fixj_ctx *j = &x->j;
  char name[512];
  snprintf(name, sizeof name, "%s_tx%zu", x->o && x->o->name ? x->o->name : "block", k);
  cJSON *test = fixj_put_obj(j, x->root, name);
  if (!test) return set_err(x->err, FIXX_E_NOMEM, "out of memory");

  cJSON *info = fixj_put_obj(j, test, "_info");
  if (info) {
    fixj_put_str(j, info, "comment", "exported by pkbench from a block file");
    fixj_put_str(j, info, "fixture-format", "state_test");
    fixj_put_str(j, info, "source-block", x->block_hash);
    fixj_add(j, info, "transaction-index", cJSON_CreateNumber((double)k));
    fixj_add(j, info, "transactions-in-block", cJSON_CreateNumber((double)b->n_txs));
    fixj_put_str(j, info, "status", tx_status_name(tr->status));
    fixj_put_u64(j, info, "gas-used", tr->gas_used);
  }
  put_env(j, test, &b->env);
  fixj_put_accounts(j, test, "pre", pre);
  int rc = put_tx(j, test, t);
  if (rc) return set_err(x->err, rc, "transaction %zu: %s", k, fixx_strerror(rc));

  uint8_t *enc = NULL;
  size_t enc_len = 0;
  int src = evm_tx_encode(t, b->env.chain_id, &enc, &enc_len);
  if (src != EVM_SIG_OK)
    return set_err(x->err, src == EVM_SIG_E_NOMEM ? FIXX_E_NOMEM : FIXX_E_SIGN,
                   "transaction %zu: encoding the signed transaction failed (%d)", k, src);
  cJSON *post = fixj_put_obj(j, test, "post");
  cJSON *list = post ? fixj_put_arr(j, post, blk_fork_name(b->env.fork)) : NULL;
  cJSON *e = list ? cJSON_CreateObject() : NULL;
  if (list) fixj_add(j, list, NULL, e);
  if (e && !j->oom) {
    fixj_put_hex(j, e, "hash", r->state_root, 32);
    fixj_put_hex(j, e, "logs", r->logs_hash, 32);
    fixj_put_hex(j, e, "txbytes", enc, enc_len);
    cJSON *ix = fixj_put_obj(j, e, "indexes");
    if (ix) {
      fixj_add(j, ix, "data", cJSON_CreateNumber(0));
      fixj_add(j, ix, "gas", cJSON_CreateNumber(0));
      fixj_add(j, ix, "value", cJSON_CreateNumber(0));
    }
    if (tr->status == EVM_TX_INVALID) fixj_put_str(j, e, "expectException", evm_invalid_name(tr->invalid));
    if (x->o && x->o->post_state) fixj_put_accounts(j, e, "state", post_state);
  }
  free(enc);
  cJSON *cfg = fixj_put_obj(j, test, "config");
  if (cfg) fixj_put_u64(j, cfg, "chainid", b->env.chain_id);
  return j->oom ? set_err(x->err, FIXX_E_NOMEM, "out of memory") : FIXX_OK;
}

/* Whether a transaction run alone gave what it gave inside the whole block. */
static int same_outcome(const evm_tx_result *a, const evm_tx_result *b) {
  return a->status == b->status && a->invalid == b->invalid && a->gas_used == b->gas_used;
}

static int export_txs(exp_ctx *x, const evm_block_result *whole) {
  const blk_block *b = x->b;
  blk_block cur, next;
  memset(&cur, 0, sizeof cur);
  int rc = pre_copy(b, &cur);
  if (rc) {
    pre_free(&cur);
    return set_err(x->err, rc, "out of memory");
  }
  for (size_t k = 0; k < b->n_txs && !rc; k++) {
    blk_block v = view_block(b, &cur, &b->txs[k], 1);
    evm_block_result r;
    int erc = evm_execute_block(&v, x->tr.on_step ? &x->tr : NULL, &r);
    if (erc != EVM_OK) {
      rc = set_err(x->err, erc == EVM_E_NOMEM ? FIXX_E_NOMEM : FIXX_E_EXEC, "transaction %zu: executor: %s", k,
                   evm_strerror(erc));
    } else if (x->tc.blockhash_used && b->env.n_block_hashes) {
      rc = set_err(x->err, FIXX_E_UNREP,
                   "transaction %zu executes BLOCKHASH and the block lists block hashes, which a state test "
                   "cannot carry",
                   k);
    } else if (whole && !same_outcome(&r.txs[0], &whole->txs[k])) {
      rc = set_err(x->err, FIXX_E_CONTEXT,
                   "transaction %zu: alone it is %s with %llu gas, in the block %s with %llu gas (it depends on "
                   "the block's cumulative limits)",
                   k, tx_status_name(r.txs[0].status), (unsigned long long)r.txs[0].gas_used,
                   tx_status_name(whole->txs[k].status), (unsigned long long)whole->txs[k].gas_used);
    } else {
      rc = read_post(x, k, &r, &next);
      if (!rc) {
        rc = emit_test(x, k, &cur, &next, &r);
        pre_free(&cur);
        cur = next;
        if (!rc && x->o && x->o->progress) x->o->progress(x->o->progress_ctx, k + 1, b->n_txs);
      }
    }
    evm_block_result_free(&r);
  }
  if (!rc && whole) {
    /* the chained single-transaction runs must end where the block does */
    uint8_t root[32];
    rc = state_root_of(b, &cur, root);
    if (rc) rc = set_err(x->err, rc, "hashing the final state failed");
    else if (memcmp(root, whole->state_root, 32) != 0)
      rc = set_err(x->err, FIXX_E_CONTEXT,
                   "the transactions run one by one end in another state than the whole block");
  }
  pre_free(&cur);
  return rc;
}

int fixx_state_test(const blk_block *b, const fixx_opts *opts, char **json, size_t *len, fixx_error *err) {
  if (json) *json = NULL;
  if (len) *len = 0;
  if (err) {
    err->code = FIXX_OK;
    err->msg[0] = 0;
  }
  if (!b || !json) return set_err(err, FIXX_E_ARG, "no block or no output");
  if (opts && opts->name && !opts->name[0]) return set_err(err, FIXX_E_ARG, "empty test name");
  blk_error be = {0, NULL};
  int brc = blk_validate(b, &be);
  if (brc != BLK_OK) return set_err(err, FIXX_E_ARG, "invalid block: %s", be.msg ? be.msg : blk_strerror(brc));
  if (b->n_txs == 0) return set_err(err, FIXX_E_ARG, "the block has no transactions (a state test needs one)");

  exp_ctx x;
  memset(&x, 0, sizeof x);
  x.b = b;
  x.o = opts;
  x.err = err;
  x.tr.ctx = &x.tc;
  /* watching every step costs time: only when BLOCKHASH could differ */
  if (b->env.n_block_hashes) x.tr.on_step = on_step;
  int rc = blk_content_hash(b, x.block_hash) == BLK_OK ? FIXX_OK : FIXX_E_NOMEM;
  x.root = cJSON_CreateObject();
  if (!x.root) rc = FIXX_E_NOMEM;
  if (rc) set_err(err, rc, "out of memory");

  evm_block_result whole;
  int have_whole = 0;
  if (!rc && b->n_txs > 1) {
    int erc = evm_execute_block(b, NULL, &whole);
    have_whole = 1;
    if (erc != EVM_OK)
      rc = set_err(err, erc == EVM_E_NOMEM ? FIXX_E_NOMEM : FIXX_E_EXEC, "executing the block: %s",
                   evm_strerror(erc));
  }
  if (!rc) rc = export_txs(&x, have_whole ? &whole : NULL);
  if (have_whole) evm_block_result_free(&whole);

  if (!rc) {
    char *s = opts && opts->pretty ? cJSON_Print(x.root) : cJSON_PrintUnformatted(x.root);
    if (!s) {
      rc = set_err(err, FIXX_E_NOMEM, "out of memory");
    } else {
      *json = s;
      if (len) *len = strlen(s);
    }
  }
  cJSON_Delete(x.root);
  return rc;
}

int fixx_export(const blk_block *b, fixx_format fmt, const fixx_opts *opts, char **json, size_t *len,
                fixx_error *err) {
  if (json) *json = NULL;
  if (len) *len = 0;
  if (fmt == FIXX_STATE_TEST) return fixx_state_test(b, opts, json, len, err);
  if (fmt == FIXX_BLOCKCHAIN_TEST) return fixb_export(b, opts, json, len, err);
  return set_err(err, FIXX_E_ARG, "unknown fixture format");
}
