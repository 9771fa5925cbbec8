/* fix_export: blocks to state-test JSON fixtures (contract in fix_export.h).
 *
 * The block is replayed one transaction at a time: transaction k runs alone
 * on a block whose pre-state is the state after the first k transactions, and
 * the state after it, read back from the executor, is the pre-state of
 * transaction k+1. The executor's state is opaque and answers only lookups by
 * address and slot, so the export keeps two growing sets, the addresses that
 * may exist and the storage slots that may be non-zero (every slot touched,
 * reported by the tracer), and reads the state through them. Because a missed
 * address would silently produce a wrong fixture, each state read back is
 * hashed again and must give the executor's own root.
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
#include "fix_bc.h"
#include "evm/rlp.h"
#include "evm/txsig.h"
#include "hash/keccak.h"

#define OP_BLOCKHASH 0x40
/* Highest precompile address (P256VERIFY, EIP-7951) and the last of the
 * contiguous range 0x01..0x11 (BLS12-381, EIP-2537). */
#define PRECOMPILE_LAST_LOW 0x11
#define PRECOMPILE_P256 0x100

const char *fixx_strerror(int code) {
  switch (code) {
    case FIXX_OK: return "ok";
    case FIXX_E_NOMEM: return "out of memory";
    case FIXX_E_ARG: return "bad argument";
    case FIXX_E_EXEC: return "executor failed";
    case FIXX_E_UNREP: return "block content a state test cannot carry";
    case FIXX_E_STATE: return "post-state could not be enumerated";
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

/* ---- address and slot sets (append, then sort and dedup) ---- */

typedef struct {
  uint8_t (*v)[20];
  size_t n, cap;
  int oom;
} addr_set;

typedef struct {
  uint8_t a[20];
  uint8_t k[32];
} slot_ref;

typedef struct {
  slot_ref *v;
  size_t n, cap;
  int oom;
} slot_set;

static void addr_add(addr_set *s, const uint8_t a[20]) {
  if (s->oom) return;
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 64;
    void *p = realloc(s->v, nc * 20);
    if (!p) {
      s->oom = 1;
      return;
    }
    s->v = p;
    s->cap = nc;
  }
  memcpy(s->v[s->n++], a, 20);
}

static int cmp_addr(const void *x, const void *y) { return memcmp(x, y, 20); }

static void addr_norm(addr_set *s) {
  if (s->n < 2) return;
  qsort(s->v, s->n, 20, cmp_addr);
  size_t w = 1;
  for (size_t i = 1; i < s->n; i++)
    if (memcmp(s->v[i], s->v[w - 1], 20) != 0) memcpy(s->v[w++], s->v[i], 20);
  s->n = w;
}

/* s must be normalised. */
static int addr_has(const addr_set *s, const uint8_t a[20]) {
  return s->n && bsearch(a, s->v, s->n, 20, cmp_addr) != NULL;
}

static void slot_add(slot_set *s, const uint8_t a[20], const uint8_t k[32]) {
  if (s->oom) return;
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 64;
    slot_ref *p = realloc(s->v, nc * sizeof *p);
    if (!p) {
      s->oom = 1;
      return;
    }
    s->v = p;
    s->cap = nc;
  }
  memcpy(s->v[s->n].a, a, 20);
  memcpy(s->v[s->n].k, k, 32);
  s->n++;
}

static int cmp_slot_ref(const void *x, const void *y) { return memcmp(x, y, sizeof(slot_ref)); }

static void slot_norm(slot_set *s) {
  if (s->n < 2) return;
  qsort(s->v, s->n, sizeof *s->v, cmp_slot_ref);
  size_t w = 1;
  for (size_t i = 1; i < s->n; i++)
    if (memcmp(&s->v[i], &s->v[w - 1], sizeof(slot_ref)) != 0) s->v[w++] = s->v[i];
  s->n = w;
}

/* First slot of address a in a normalised set (index of the first entry not
 * below (a, 0...0)). */
static size_t slot_lower(const slot_set *s, const uint8_t a[20]) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (memcmp(s->v[mid].a, a, 20) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* ---- the tracer: every storage slot touched, and BLOCKHASH use ---- */

typedef struct {
  addr_set *addrs;
  slot_set *slots;
  int blockhash_used;
} trace_ctx;

static void on_storage(void *ctx, const uint8_t address[20], const uint8_t key[32], int is_write, int is_cold,
                       int transient) {
  (void)is_write;
  (void)is_cold;
  if (transient) return;
  trace_ctx *t = ctx;
  slot_add(t->slots, address, key);
  addr_add(t->addrs, address);
}

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

/* Read the accounts named in addrs (normalised) and the slots in slots
 * (normalised) out of the executor's state into *out (empty on entry). */
static int pre_dump(const evm_state *s, const addr_set *addrs, const slot_set *slots, blk_block *out) {
  size_t cap = 0;
  out->accounts = addrs->n ? calloc(addrs->n, sizeof *out->accounts) : NULL;
  if (addrs->n && !out->accounts) return FIXX_E_NOMEM;
  for (size_t i = 0; i < addrs->n; i++) {
    int exists = 0;
    uint64_t nonce = 0;
    uint8_t bal[32];
    const uint8_t *code = NULL;
    size_t code_len = 0;
    if (evm_state_account(s, addrs->v[i], &exists, &nonce, bal, &code, &code_len) != EVM_OK) return FIXX_E_EXEC;
    if (!exists) continue;
    blk_account *d = &out->accounts[out->n_accounts++];
    memcpy(d->address.b, addrs->v[i], 20);
    d->nonce = nonce;
    memcpy(d->balance.b, bal, 32);
    if (code_len) {
      d->code_ref = pre_code_ref(out, &cap, code, code_len);
      if (!d->code_ref) return FIXX_E_NOMEM;
    }
    size_t j0 = slot_lower(slots, addrs->v[i]), j1 = j0;
    while (j1 < slots->n && memcmp(slots->v[j1].a, addrs->v[i], 20) == 0) j1++;
    if (j1 == j0) continue;
    d->storage = malloc((j1 - j0) * sizeof *d->storage);
    if (!d->storage) return FIXX_E_NOMEM;
    for (size_t j = j0; j < j1; j++) {
      blk_slot sl;
      memcpy(sl.key.b, slots->v[j].k, 32);
      evm_state_storage(s, addrs->v[i], sl.key.b, sl.value.b);
      int nz = 0;
      for (int q = 0; q < 32; q++) nz |= sl.value.b[q];
      if (nz) d->storage[d->n_storage++] = sl;
    }
  }
  return FIXX_OK;
}

/* The address CREATE gives to sender at nonce: keccak256(rlp([sender, nonce]))[12:]. */
static int create_address(const uint8_t sender[20], uint64_t nonce, uint8_t out[20]) {
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  rlp_put_bytes(&e, sender, 20);
  rlp_put_u64(&e, nonce);
  rlp_list_end(&e);
  uint8_t *buf = NULL;
  size_t len = 0;
  if (rlp_enc_finish(&e, &buf, &len) != RLP_OK) return FIXX_E_NOMEM;
  uint8_t h[32];
  keccak256(buf, len, h);
  free(buf);
  memcpy(out, h + 12, 20);
  return FIXX_OK;
}

/* Add the CREATE addresses of every contract whose nonce rose from prev to
 * cur; *added counts the ones not already in addrs. */
static int add_create_candidates(const blk_block *prev, const blk_block *cur, addr_set *addrs, size_t *added) {
  addr_set fresh = {0};
  for (size_t i = 0; i < cur->n_accounts; i++) {
    const blk_account *a = &cur->accounts[i];
    if (!a->code_ref) continue;
    const blk_account *p = fixj_pre_find(prev, a->address.b);
    uint64_t from = p ? p->nonce : 0;
    for (uint64_t n = from; n < a->nonce; n++) {
      uint8_t c[20];
      if (create_address(a->address.b, n, c) != FIXX_OK) {
        free(fresh.v);
        return FIXX_E_NOMEM;
      }
      if (!addr_has(addrs, c)) addr_add(&fresh, c);
    }
  }
  int rc = fresh.oom ? FIXX_E_NOMEM : FIXX_OK;
  for (size_t i = 0; !rc && i < fresh.n; i++) addr_add(addrs, fresh.v[i]);
  *added = fresh.n;
  free(fresh.v);
  if (addrs->oom) rc = FIXX_E_NOMEM;
  addr_norm(addrs);
  return rc;
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
  addr_set addrs;
  slot_set slots;
  trace_ctx tc;
  evm_tracer tr;
  char block_hash[65];
  fixj_ctx j;
  cJSON *root;
} exp_ctx;

static void add_fixed_candidates(exp_ctx *x) {
  const blk_block *b = x->b;
  for (size_t i = 0; i < b->n_accounts; i++) {
    addr_add(&x->addrs, b->accounts[i].address.b);
    for (size_t s = 0; s < b->accounts[i].n_storage; s++)
      slot_add(&x->slots, b->accounts[i].address.b, b->accounts[i].storage[s].key.b);
  }
  addr_add(&x->addrs, b->env.coinbase.b);
  uint8_t p[20];
  memset(p, 0, 20);
  for (unsigned i = 1; i <= PRECOMPILE_LAST_LOW; i++) {
    p[19] = (uint8_t)i;
    addr_add(&x->addrs, p);
  }
  p[18] = PRECOMPILE_P256 >> 8;
  p[19] = PRECOMPILE_P256 & 0xff;
  addr_add(&x->addrs, p);
}

static void add_tx_candidates(exp_ctx *x, const blk_tx *t, const evm_tx_result *r) {
  addr_add(&x->addrs, r->sender);
  if (t->sender_is_address) addr_add(&x->addrs, t->sender.b);
  if (!t->is_create) addr_add(&x->addrs, t->to.b);
  if (r->created) addr_add(&x->addrs, r->contract_address);
  for (size_t i = 0; i < t->n_auths; i++) {
    uint8_t a[20];
    if (evm_auth_signer(&t->auths[i], a) == EVM_SIG_OK) addr_add(&x->addrs, a);
  }
}

/* The state after a transaction, read back from its result into *next, with
 * the CREATE addresses chased until no new one exists, and checked against
 * the executor's root. */
static int read_post(exp_ctx *x, size_t k, const blk_block *prev, const evm_block_result *r, blk_block *next) {
  for (;;) {
    addr_norm(&x->addrs);
    slot_norm(&x->slots);
    if (x->addrs.oom || x->slots.oom) return set_err(x->err, FIXX_E_NOMEM, "out of memory");
    memset(next, 0, sizeof *next);
    int rc = pre_dump(r->state, &x->addrs, &x->slots, next);
    if (rc) {
      pre_free(next);
      return set_err(x->err, rc, "transaction %zu: reading the post-state failed", k);
    }
    size_t added = 0;
    rc = add_create_candidates(prev, next, &x->addrs, &added);
    if (rc) {
      pre_free(next);
      return set_err(x->err, rc, "out of memory");
    }
    if (!added) break;
    pre_free(next);
  }
  uint8_t root[32];
  int rc = state_root_of(x->b, next, root);
  if (rc) {
    pre_free(next);
    return set_err(x->err, rc, "transaction %zu: hashing the post-state failed", k);
  }
  if (memcmp(root, r->state_root, 32) != 0) {
    pre_free(next);
    return set_err(x->err, FIXX_E_STATE,
                   "transaction %zu: the accounts found do not give the executor's state root (an account was "
                   "created at an address the export cannot see)",
                   k);
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
    int erc = evm_execute_block(&v, &x->tr, &r);
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
      add_tx_candidates(x, &b->txs[k], &r.txs[0]);
      rc = read_post(x, k, &cur, &r, &next);
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
  x.tc.addrs = &x.addrs;
  x.tc.slots = &x.slots;
  x.tr.ctx = &x.tc;
  x.tr.on_storage = on_storage;
  /* watching every step costs time: only when BLOCKHASH could differ */
  if (b->env.n_block_hashes) x.tr.on_step = on_step;
  int rc = blk_content_hash(b, x.block_hash) == BLK_OK ? FIXX_OK : FIXX_E_NOMEM;
  add_fixed_candidates(&x);
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
  free(x.addrs.v);
  free(x.slots.v);
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
