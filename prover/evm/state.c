/* state: accounts, storage, journal and the post-state root (see state.h).
 *
 * Workload: a block touches thousands of accounts and slots; lookups happen
 * on every SLOAD/SSTORE/BALANCE/CALL, so tables are open-addressing with
 * linear probing over pointers to arena records (records never move; tables
 * double at 1/2 load). The journal is an array of small entries; code
 * changes, rare, keep their previous value in a side array.
 */
#include "evm/state.h"

#include <stdlib.h>
#include <string.h>

#include "evm/evm.h"
#include "evm/mpt.h"
#include "evm/rlp.h"
#include "hash/keccak.h"

const uint8_t evm_empty_code_hash[32] = {0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                                         0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                                         0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70};
const uint8_t evm_empty_trie_root[32] = {0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                                         0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                                         0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21};

enum {
  J_BALANCE,
  J_NONCE,
  J_CODE,
  J_STORAGE,
  J_TRANSIENT,
  J_EXISTS,
  J_TOUCH,
  J_WARM_ACCOUNT,
  J_WARM_SLOT,
  J_DESTROYED,
  J_CREATED
};

typedef struct {
  uint8_t kind;
  uint8_t prev_flag;
  evm_account *a;
  evm_slot *slot;
  u256 prev;
} jentry;

typedef struct {
  const uint8_t *code;
  size_t len;
  const uint8_t *jumpdests;
  uint8_t hash[32];
} code_save;

typedef struct arena_chunk {
  struct arena_chunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} arena_chunk;

typedef struct {
  uint8_t hash[32];
  uint8_t *bitmap;
} jd_entry;

struct evm_state {
  blk_fork fork;
  evm_account **tab;
  uint32_t cap, n;
  arena_chunk *arena;
  jentry *journal;
  size_t jn, jcap;
  code_save *saves;
  size_t sn, scap;
  void **owned; /* code buffers and analyses to free */
  size_t on, ocap;
  jd_entry *jd;
  uint32_t jdcap, jdn;
  /* The RIPEMD-160 precompile account when touched in this transaction, even
   * by a frame that was reverted: a touch of 0x03 is never undone (mainnet
   * block 2675119 cleared the empty account at 0x03 after an out-of-gas
   * call, and every fork since keeps that exception). */
  evm_account *ripemd_touched;
  evm_state_storage_fn on_storage; /* evm_state_observe_storage */
  void *on_storage_ctx;
};

static int is_ripemd(const uint8_t a[20]) {
  static const uint8_t r[20] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
  return memcmp(a, r, 20) == 0;
}

/* ---- allocation ---------------------------------------------------------- */

static void *arena_alloc(evm_state *s, size_t size) {
  size = (size + 15) & ~(size_t)15;
  arena_chunk *c = s->arena;
  if (!c || c->cap - c->used < size) {
    size_t cap = size > 65536 ? size : 65536;
    c = malloc(sizeof *c + cap);
    if (!c) return NULL;
    c->cap = cap;
    c->used = 0;
    c->next = s->arena;
    s->arena = c;
  }
  void *p = c->data + c->used;
  c->used += size;
  memset(p, 0, size);
  return p;
}

static int own(evm_state *s, void *p) {
  if (s->on == s->ocap) {
    size_t nc = s->ocap ? 2 * s->ocap : 64;
    void **no = realloc(s->owned, nc * sizeof *no);
    if (!no) return -1;
    s->owned = no;
    s->ocap = nc;
  }
  s->owned[s->on++] = p;
  return 0;
}

/* ---- hashing ------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

static inline uint64_t addr_hash(const uint8_t a[20]) {
  uint64_t x, y;
  uint32_t z;
  memcpy(&x, a, 8);
  memcpy(&y, a + 8, 8);
  memcpy(&z, a + 16, 4);
  return mix64(x ^ mix64(y ^ ((uint64_t)z << 17)));
}

static inline uint64_t key_hash(const u256 *k) {
  return mix64(k->w[0] ^ mix64(k->w[1] ^ mix64(k->w[2] ^ mix64(k->w[3]))));
}

/* ---- lifecycle ----------------------------------------------------------- */

evm_state *evm_state_new(blk_fork fork) {
  evm_state *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->fork = fork;
  s->cap = 256;
  s->tab = calloc(s->cap, sizeof *s->tab);
  s->jdcap = 64;
  s->jd = calloc(s->jdcap, sizeof *s->jd);
  if (!s->tab || !s->jd) {
    evm_state_free(s);
    return NULL;
  }
  return s;
}

static void slot_table_free(evm_slot_table *t) {
  free(t->tab);
  t->tab = NULL;
  t->cap = t->n = 0;
}

void evm_state_free(evm_state *s) {
  if (!s) return;
  if (s->tab)
    for (uint32_t i = 0; i < s->cap; i++)
      if (s->tab[i]) {
        slot_table_free(&s->tab[i]->storage);
        slot_table_free(&s->tab[i]->transient);
      }
  free(s->tab);
  for (size_t i = 0; i < s->on; i++) free(s->owned[i]);
  free(s->owned);
  if (s->jd)
    for (uint32_t i = 0; i < s->jdcap; i++) free(s->jd[i].bitmap);
  free(s->jd);
  free(s->journal);
  free(s->saves);
  while (s->arena) {
    arena_chunk *n = s->arena->next;
    free(s->arena);
    s->arena = n;
  }
  free(s);
}

/* ---- accounts ------------------------------------------------------------ */

evm_account *evm_state_find(const evm_state *s, const uint8_t addr[20]) {
  uint32_t mask = s->cap - 1;
  for (uint32_t i = (uint32_t)addr_hash(addr) & mask;; i = (i + 1) & mask) {
    evm_account *a = s->tab[i];
    if (!a) return NULL;
    if (memcmp(a->addr, addr, 20) == 0) return a;
  }
}

static int account_grow(evm_state *s) {
  uint32_t nc = s->cap * 2;
  evm_account **nt = calloc(nc, sizeof *nt);
  if (!nt) return -1;
  for (uint32_t i = 0; i < s->cap; i++) {
    evm_account *a = s->tab[i];
    if (!a) continue;
    uint32_t j = (uint32_t)addr_hash(a->addr) & (nc - 1);
    while (nt[j]) j = (j + 1) & (nc - 1);
    nt[j] = a;
  }
  free(s->tab);
  s->tab = nt;
  s->cap = nc;
  return 0;
}

evm_account *evm_state_get(evm_state *s, const uint8_t addr[20]) {
  uint32_t mask = s->cap - 1;
  uint32_t i = (uint32_t)addr_hash(addr) & mask;
  for (;; i = (i + 1) & mask) {
    evm_account *a = s->tab[i];
    if (!a) break;
    if (memcmp(a->addr, addr, 20) == 0) return a;
  }
  if (2 * (s->n + 1) > s->cap) {
    if (account_grow(s)) return NULL;
    mask = s->cap - 1;
    i = (uint32_t)addr_hash(addr) & mask;
    while (s->tab[i]) i = (i + 1) & mask;
  }
  evm_account *a = arena_alloc(s, sizeof *a);
  if (!a) return NULL;
  memcpy(a->addr, addr, 20);
  memcpy(a->code_hash, evm_empty_code_hash, 32);
  s->tab[i] = a;
  s->n++;
  return a;
}

/* ---- slots --------------------------------------------------------------- */

static evm_slot *slot_find(const evm_slot_table *t, const u256 *key) {
  if (!t->cap) return NULL;
  uint32_t mask = t->cap - 1;
  for (uint32_t i = (uint32_t)key_hash(key) & mask;; i = (i + 1) & mask) {
    evm_slot *sl = t->tab[i];
    if (!sl) return NULL;
    if (u256_eq(&sl->key, key)) return sl;
  }
}

static int slot_grow(evm_slot_table *t) {
  uint32_t nc = t->cap ? t->cap * 2 : 16;
  evm_slot **nt = calloc(nc, sizeof *nt);
  if (!nt) return -1;
  for (uint32_t i = 0; i < t->cap; i++) {
    evm_slot *sl = t->tab[i];
    if (!sl) continue;
    uint32_t j = (uint32_t)key_hash(&sl->key) & (nc - 1);
    while (nt[j]) j = (j + 1) & (nc - 1);
    nt[j] = sl;
  }
  free(t->tab);
  t->tab = nt;
  t->cap = nc;
  return 0;
}

static evm_slot *slot_get(evm_state *s, evm_slot_table *t, const u256 *key) {
  evm_slot *sl = slot_find(t, key);
  if (sl) return sl;
  if (2 * (t->n + 1) > t->cap && slot_grow(t)) return NULL;
  uint32_t mask = t->cap - 1;
  uint32_t i = (uint32_t)key_hash(key) & mask;
  while (t->tab[i]) i = (i + 1) & mask;
  sl = arena_alloc(s, sizeof *sl);
  if (!sl) return NULL;
  sl->key = *key;
  t->tab[i] = sl;
  t->n++;
  return sl;
}

evm_slot *evm_state_slot_find(const evm_account *a, const u256 *key) { return slot_find(&a->storage, key); }
evm_slot *evm_state_slot(evm_state *s, evm_account *a, const u256 *key) { return slot_get(s, &a->storage, key); }
evm_slot *evm_state_tslot(evm_state *s, evm_account *a, const u256 *key) { return slot_get(s, &a->transient, key); }

int evm_account_has_storage(const evm_account *a) {
  for (uint32_t i = 0; i < a->storage.cap; i++) {
    evm_slot *sl = a->storage.tab[i];
    if (sl && !u256_is_zero(&sl->value)) return 1;
  }
  return 0;
}

/* ---- journal ------------------------------------------------------------- */

static jentry *jpush(evm_state *s, int kind, evm_account *a, evm_slot *slot) {
  if (s->jn == s->jcap) {
    size_t nc = s->jcap ? 2 * s->jcap : 1024;
    jentry *nj = realloc(s->journal, nc * sizeof *nj);
    if (!nj) return NULL;
    s->journal = nj;
    s->jcap = nc;
  }
  jentry *e = &s->journal[s->jn++];
  e->kind = (uint8_t)kind;
  e->a = a;
  e->slot = slot;
  e->prev_flag = 0;
  return e;
}

/* Existence and touch, journaled; shared by every setter. */
static int bring(evm_state *s, evm_account *a) {
  if (!a->exists) {
    jentry *e = jpush(s, J_EXISTS, a, NULL);
    if (!e) return -1;
    a->exists = 1;
  }
  return evm_state_touch(s, a);
}

int evm_state_touch(evm_state *s, evm_account *a) {
  if (a->addr[19] == 3 && is_ripemd(a->addr)) s->ripemd_touched = a;
  if (a->touched) return 0;
  if (!jpush(s, J_TOUCH, a, NULL)) return -1;
  a->touched = 1;
  return 0;
}

int evm_state_set_balance(evm_state *s, evm_account *a, const u256 *v) {
  if (bring(s, a)) return -1;
  jentry *e = jpush(s, J_BALANCE, a, NULL);
  if (!e) return -1;
  e->prev = a->balance;
  a->balance = *v;
  return 0;
}

int evm_state_add_balance(evm_state *s, evm_account *a, const u256 *v) {
  u256 nb;
  u256_add(&nb, &a->balance, v);
  return evm_state_set_balance(s, a, &nb);
}

int evm_state_sub_balance(evm_state *s, evm_account *a, const u256 *v) {
  u256 nb;
  u256_sub(&nb, &a->balance, v);
  return evm_state_set_balance(s, a, &nb);
}

int evm_state_set_nonce(evm_state *s, evm_account *a, uint64_t n) {
  if (bring(s, a)) return -1;
  jentry *e = jpush(s, J_NONCE, a, NULL);
  if (!e) return -1;
  e->prev = u256_from_u64(a->nonce);
  a->nonce = n;
  return 0;
}

int evm_state_set_code(evm_state *s, evm_account *a, const uint8_t *code, size_t len,
                       const uint8_t hash[32]) {
  uint8_t *copy = NULL;
  if (len) {
    copy = malloc(len);
    if (!copy || own(s, copy)) {
      free(copy);
      return -1;
    }
    memcpy(copy, code, len);
  }
  if (s->sn == s->scap) {
    size_t nc = s->scap ? 2 * s->scap : 16;
    code_save *ns = realloc(s->saves, nc * sizeof *ns);
    if (!ns) return -1;
    s->saves = ns;
    s->scap = nc;
  }
  if (bring(s, a)) return -1;
  jentry *e = jpush(s, J_CODE, a, NULL);
  if (!e) return -1;
  code_save *cs = &s->saves[s->sn++];
  cs->code = a->code;
  cs->len = a->code_len;
  cs->jumpdests = a->jumpdests;
  memcpy(cs->hash, a->code_hash, 32);
  a->code = copy;
  a->code_len = len;
  a->jumpdests = NULL;
  memcpy(a->code_hash, len ? hash : evm_empty_code_hash, 32);
  return 0;
}

int evm_state_set_storage(evm_state *s, evm_account *a, evm_slot *slot, const u256 *v) {
  jentry *e = jpush(s, J_STORAGE, a, slot);
  if (!e) return -1;
  e->prev = slot->value;
  slot->value = *v;
  return 0;
}

int evm_state_set_transient(evm_state *s, evm_account *a, evm_slot *slot, const u256 *v) {
  jentry *e = jpush(s, J_TRANSIENT, a, slot);
  if (!e) return -1;
  e->prev = slot->value;
  slot->value = *v;
  return 0;
}

int evm_state_create(evm_state *s, evm_account *a) {
  if (bring(s, a)) return -1;
  if (!a->created) {
    if (!jpush(s, J_CREATED, a, NULL)) return -1;
    a->created = 1;
  }
  return 0;
}

int evm_state_destroy(evm_state *s, evm_account *a) {
  if (a->destroyed) return 0;
  if (!jpush(s, J_DESTROYED, a, NULL)) return -1;
  a->destroyed = 1;
  return 0;
}

int evm_state_warm_account(evm_state *s, evm_account *a) {
  if (a->warm) return 0;
  if (!jpush(s, J_WARM_ACCOUNT, a, NULL)) return -1;
  a->warm = 1;
  return 1;
}

int evm_state_warm_slot(evm_state *s, evm_slot *slot) {
  if (slot->warm) return 0;
  if (!jpush(s, J_WARM_SLOT, NULL, slot)) return -1;
  slot->warm = 1;
  return 1;
}

void evm_state_observe_storage(evm_state *s, evm_state_storage_fn fn, void *ctx) {
  s->on_storage = fn;
  s->on_storage_ctx = ctx;
}

size_t evm_state_checkpoint(const evm_state *s) { return s->jn; }

void evm_state_revert(evm_state *s, size_t cp) {
  while (s->jn > cp) {
    jentry *e = &s->journal[--s->jn];
    switch (e->kind) {
    case J_BALANCE: e->a->balance = e->prev; break;
    case J_NONCE: e->a->nonce = e->prev.w[0]; break;
    case J_CODE: {
      code_save *cs = &s->saves[--s->sn];
      e->a->code = cs->code;
      e->a->code_len = cs->len;
      e->a->jumpdests = cs->jumpdests;
      memcpy(e->a->code_hash, cs->hash, 32);
      break;
    }
    case J_STORAGE:
    case J_TRANSIENT:
      if (s->on_storage)
        s->on_storage(s->on_storage_ctx, e->a, e->slot, &e->slot->value, &e->prev, e->kind == J_TRANSIENT);
      e->slot->value = e->prev;
      break;
    case J_EXISTS: e->a->exists = 0; break;
    case J_TOUCH: e->a->touched = 0; break;
    case J_WARM_ACCOUNT: e->a->warm = 0; break;
    case J_WARM_SLOT: e->slot->warm = 0; break;
    case J_DESTROYED: e->a->destroyed = 0; break;
    case J_CREATED: e->a->created = 0; break;
    }
  }
}

/* Remove an account from the trie: all fields and storage zero. Storage
 * records stay (with value and original zero) so pointers remain valid. */
static void delete_account(evm_state *s, evm_account *a) {
  a->exists = 0;
  a->nonce = 0;
  a->balance = u256_zero();
  a->code = NULL;
  a->code_len = 0;
  a->jumpdests = NULL;
  memcpy(a->code_hash, evm_empty_code_hash, 32);
  for (uint32_t i = 0; i < a->storage.cap; i++) {
    evm_slot *sl = a->storage.tab[i];
    if (!sl) continue;
    if (s->on_storage && !u256_is_zero(&sl->value)) {
      const u256 zero = u256_zero();
      s->on_storage(s->on_storage_ctx, a, sl, &sl->value, &zero, 0);
    }
    sl->value = sl->original = u256_zero();
  }
}

void evm_state_commit_tx(evm_state *s) {
  evm_account *rp = s->ripemd_touched;
  if (rp && rp->exists && evm_account_empty(rp)) delete_account(s, rp);
  s->ripemd_touched = NULL;
  /* First pass: deletions (they need the touched/destroyed marks). */
  for (size_t i = 0; i < s->jn; i++) {
    jentry *e = &s->journal[i];
    if (e->kind == J_DESTROYED && e->a->destroyed) delete_account(s, e->a);
    else if (e->kind == J_TOUCH && e->a->touched && e->a->exists && evm_account_empty(e->a))
      delete_account(s, e->a);
  }
  for (size_t i = 0; i < s->jn; i++) {
    jentry *e = &s->journal[i];
    switch (e->kind) {
    case J_STORAGE: e->slot->original = e->slot->value; break;
    case J_TRANSIENT: e->slot->value = u256_zero(); break;
    case J_TOUCH: e->a->touched = 0; break;
    case J_WARM_ACCOUNT: e->a->warm = 0; break;
    case J_WARM_SLOT: e->slot->warm = 0; break;
    case J_DESTROYED: e->a->destroyed = 0; break;
    case J_CREATED: e->a->created = 0; break;
    default: break;
    }
  }
  s->jn = 0;
  s->sn = 0;
}

/* ---- jump destinations --------------------------------------------------- */

uint8_t *evm_jumpdest_analyze(const uint8_t *code, size_t len) {
  uint8_t *bm = calloc(len / 8 + 1, 1);
  if (!bm) return NULL;
  for (size_t i = 0; i < len; i++) {
    uint8_t op = code[i];
    if (op == 0x5b)
      bm[i / 8] |= (uint8_t)(1u << (i % 8));
    else if (op >= 0x60 && op <= 0x7f)
      i += (size_t)(op - 0x5f);
  }
  return bm;
}

const uint8_t *evm_state_jumpdests(evm_state *s, const uint8_t *code, size_t len, const uint8_t hash[32]) {
  uint64_t h;
  memcpy(&h, hash, 8);
  uint32_t mask = s->jdcap - 1;
  uint32_t i = (uint32_t)h & mask;
  for (; s->jd[i].bitmap; i = (i + 1) & mask)
    if (memcmp(s->jd[i].hash, hash, 32) == 0) return s->jd[i].bitmap;
  if (2 * (s->jdn + 1) > s->jdcap) {
    uint32_t nc = s->jdcap * 2;
    jd_entry *nt = calloc(nc, sizeof *nt);
    if (!nt) return NULL;
    for (uint32_t k = 0; k < s->jdcap; k++) {
      if (!s->jd[k].bitmap) continue;
      uint64_t hk;
      memcpy(&hk, s->jd[k].hash, 8);
      uint32_t j = (uint32_t)hk & (nc - 1);
      while (nt[j].bitmap) j = (j + 1) & (nc - 1);
      nt[j] = s->jd[k];
    }
    free(s->jd);
    s->jd = nt;
    s->jdcap = nc;
    mask = nc - 1;
    i = (uint32_t)h & mask;
    while (s->jd[i].bitmap) i = (i + 1) & mask;
  }
  uint8_t *bm = evm_jumpdest_analyze(code, len);
  if (!bm) return NULL;
  memcpy(s->jd[i].hash, hash, 32);
  s->jd[i].bitmap = bm;
  s->jdn++;
  return bm;
}

/* ---- loading ------------------------------------------------------------- */

int evm_state_load_block(evm_state *s, const blk_block *b) {
  if (!s || !b) return EVM_E_ARG;
  uint8_t(*hashes)[32] = NULL;
  if (b->n_codes) {
    hashes = malloc(b->n_codes * 32);
    if (!hashes) return EVM_E_NOMEM;
    for (size_t i = 0; i < b->n_codes; i++) keccak256(b->codes[i].data, b->codes[i].len, hashes[i]);
  }
  int rc = EVM_OK;
  for (size_t i = 0; i < b->n_accounts && rc == EVM_OK; i++) {
    const blk_account *ba = &b->accounts[i];
    evm_account *a = evm_state_get(s, ba->address.b);
    if (!a) {
      rc = EVM_E_NOMEM;
      break;
    }
    a->exists = 1;
    a->nonce = ba->nonce;
    u256_from_be(&a->balance, ba->balance.b);
    if (ba->code_ref) {
      if (ba->code_ref > b->n_codes) {
        rc = EVM_E_ARG;
        break;
      }
      const blk_bytes *c = &b->codes[ba->code_ref - 1];
      a->code = c->data;
      a->code_len = c->len;
      memcpy(a->code_hash, c->len ? hashes[ba->code_ref - 1] : evm_empty_code_hash, 32);
    }
    for (size_t k = 0; k < ba->n_storage; k++) {
      u256 key, val;
      u256_from_be(&key, ba->storage[k].key.b);
      u256_from_be(&val, ba->storage[k].value.b);
      evm_slot *sl = evm_state_slot(s, a, &key);
      if (!sl) {
        rc = EVM_E_NOMEM;
        break;
      }
      sl->value = sl->original = val;
    }
  }
  free(hashes);
  return rc;
}

/* ---- root ---------------------------------------------------------------- */

/* RLP of a big-endian scalar with leading zeros stripped, into out (<= 33 bytes). */
static size_t rlp_scalar32(const uint8_t be[32], uint8_t out[33]) {
  size_t z = 0;
  while (z < 32 && be[z] == 0) z++;
  size_t n = 32 - z;
  if (n == 1 && be[31] < 0x80) {
    out[0] = be[31];
    return 1;
  }
  out[0] = (uint8_t)(0x80 + n);
  memcpy(out + 1, be + z, n);
  return n + 1;
}

/* The tracer of a root computation: on_hash (may be NULL) gets every byte
 * string hashed, keys and nodes. */
typedef struct {
  mpt_hash_fn on_hash;
  void *ctx;
} root_tracer;

static void hash_traced(const root_tracer *t, const uint8_t *data, size_t len, uint8_t out[32]) {
  if (t->on_hash) t->on_hash(t->ctx, data, len);
  keccak256(data, len, out);
}

static int storage_root(const evm_account *a, uint8_t out[32], uint64_t *perms, const root_tracer *t) {
  size_t n = 0;
  for (uint32_t i = 0; i < a->storage.cap; i++) {
    evm_slot *sl = a->storage.tab[i];
    if (sl && !u256_is_zero(&sl->value)) n++;
  }
  if (n == 0) {
    memcpy(out, evm_empty_trie_root, 32);
    return EVM_OK;
  }
  mpt_kv *kv = malloc(n * sizeof *kv);
  uint8_t *buf = malloc(n * (32 + 33));
  if (!kv || !buf) {
    free(kv);
    free(buf);
    return EVM_E_NOMEM;
  }
  size_t j = 0;
  for (uint32_t i = 0; i < a->storage.cap; i++) {
    evm_slot *sl = a->storage.tab[i];
    if (!sl || u256_is_zero(&sl->value)) continue;
    uint8_t *k = buf + j * 65, *v = k + 32, be[32];
    u256_to_be(&sl->key, be);
    hash_traced(t, be, 32, k);
    u256_to_be(&sl->value, be);
    size_t vl = rlp_scalar32(be, v);
    kv[j].key = k;
    kv[j].key_len = 32;
    kv[j].val = v;
    kv[j].val_len = vl;
    j++;
  }
  mpt_stats ms;
  int rc = mpt_root_traced(kv, n, out, &ms, t->on_hash, t->ctx) == 0 ? EVM_OK : EVM_E_INTERNAL;
  *perms += ms.keccak_perms + n; /* one permutation per hashed key */
  free(kv);
  free(buf);
  return rc;
}

int evm_state_root(const evm_state *s, uint8_t out[32]) { return evm_state_root_stats(s, out, NULL); }

int evm_state_root_stats(const evm_state *s, uint8_t out[32], uint64_t *keccak_perms) {
  return evm_state_root_traced(s, out, keccak_perms, NULL, NULL);
}

int evm_state_root_traced(const evm_state *s, uint8_t out[32], uint64_t *keccak_perms, mpt_hash_fn on_hash,
                          void *ctx) {
  const root_tracer t = {on_hash, ctx};
  uint64_t perms = 0;
  if (keccak_perms) *keccak_perms = 0;
  size_t n = 0;
  for (uint32_t i = 0; i < s->cap; i++)
    if (s->tab[i] && s->tab[i]->exists) n++;
  if (n == 0) {
    memcpy(out, evm_empty_trie_root, 32);
    return EVM_OK;
  }
  /* Account RLP: list header (<= 3) + nonce (<= 9) + balance (<= 33) + 2 x 33. */
  enum { ACC_MAX = 3 + 9 + 33 + 33 + 33 };
  mpt_kv *kv = malloc(n * sizeof *kv);
  uint8_t *buf = malloc(n * (32 + ACC_MAX));
  if (!kv || !buf) {
    free(kv);
    free(buf);
    return EVM_E_NOMEM;
  }
  int rc = EVM_OK;
  size_t j = 0;
  for (uint32_t i = 0; i < s->cap && rc == EVM_OK; i++) {
    const evm_account *a = s->tab[i];
    if (!a || !a->exists) continue;
    uint8_t *k = buf + j * (32 + ACC_MAX), *v = k + 32;
    hash_traced(&t, a->addr, 20, k);
    uint8_t payload[ACC_MAX], be[32], sroot[32];
    size_t pl = 0;
    uint8_t nb[32] = {0};
    for (int b = 0; b < 8; b++) nb[31 - b] = (uint8_t)(a->nonce >> (8 * b));
    pl += rlp_scalar32(nb, payload + pl);
    u256_to_be(&a->balance, be);
    pl += rlp_scalar32(be, payload + pl);
    rc = storage_root(a, sroot, &perms, &t);
    payload[pl++] = 0xa0;
    memcpy(payload + pl, sroot, 32);
    pl += 32;
    payload[pl++] = 0xa0;
    memcpy(payload + pl, a->code_hash, 32);
    pl += 32;
    size_t vl = 0;
    if (pl <= 55) {
      v[vl++] = (uint8_t)(0xc0 + pl);
    } else {
      v[vl++] = 0xf8;
      v[vl++] = (uint8_t)pl;
    }
    memcpy(v + vl, payload, pl);
    vl += pl;
    kv[j].key = k;
    kv[j].key_len = 32;
    kv[j].val = v;
    kv[j].val_len = vl;
    j++;
  }
  if (rc == EVM_OK) {
    mpt_stats ms;
    rc = mpt_root_traced(kv, n, out, &ms, on_hash, ctx) == 0 ? EVM_OK : EVM_E_INTERNAL;
    perms += ms.keccak_perms + n; /* one permutation per hashed address */
  }
  if (keccak_perms) *keccak_perms = perms;
  free(kv);
  free(buf);
  return rc;
}

/* ---- enumeration ---------------------------------------------------------- */

static int cmp_account_ptr(const void *x, const void *y) {
  const evm_account *a = *(const evm_account *const *)x, *b = *(const evm_account *const *)y;
  return memcmp(a->addr, b->addr, 20);
}

static int cmp_kv(const void *x, const void *y) { return memcmp(x, y, 32); }

void evm_state_count(const evm_state *s, size_t *accounts, size_t *slots) {
  size_t na = 0, ns = 0;
  for (uint32_t i = 0; s && i < s->cap; i++) {
    const evm_account *a = s->tab[i];
    if (!a || !a->exists) continue;
    na++;
    for (uint32_t k = 0; k < a->storage.cap; k++) {
      const evm_slot *sl = a->storage.tab[k];
      if (sl && !u256_is_zero(&sl->value)) ns++;
    }
  }
  if (accounts) *accounts = na;
  if (slots) *slots = ns;
}

/* Sorting is done here, on a pointer array and a per-account slot buffer,
 * because the tables are hashed: their order is an accident of the hash
 * and of the growth history, which must not leak into a written state. */
int evm_state_each(const evm_state *s, evm_state_visit_fn fn, void *ctx) {
  if (!s || !fn) return EVM_E_ARG;
  size_t n = 0;
  evm_state_count(s, &n, NULL);
  if (n == 0) return 0;
  const evm_account **acc = malloc(n * sizeof *acc);
  if (!acc) return EVM_E_NOMEM;
  size_t j = 0;
  for (uint32_t i = 0; i < s->cap; i++)
    if (s->tab[i] && s->tab[i]->exists) acc[j++] = s->tab[i];
  qsort(acc, n, sizeof *acc, cmp_account_ptr);
  evm_state_kv *kv = NULL;
  size_t kv_cap = 0;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    const evm_account *a = acc[i];
    size_t m = 0;
    for (uint32_t k = 0; k < a->storage.cap; k++) {
      const evm_slot *sl = a->storage.tab[k];
      if (sl && !u256_is_zero(&sl->value)) m++;
    }
    if (m > kv_cap) {
      evm_state_kv *nk = realloc(kv, m * sizeof *nk);
      if (!nk) {
        rc = EVM_E_NOMEM;
        break;
      }
      kv = nk;
      kv_cap = m;
    }
    m = 0;
    for (uint32_t k = 0; k < a->storage.cap; k++) {
      const evm_slot *sl = a->storage.tab[k];
      if (!sl || u256_is_zero(&sl->value)) continue;
      u256_to_be(&sl->key, kv[m].key);
      u256_to_be(&sl->value, kv[m].value);
      m++;
    }
    if (m > 1) qsort(kv, m, sizeof *kv, cmp_kv);
    evm_state_entry e;
    memcpy(e.addr, a->addr, 20);
    e.nonce = a->nonce;
    u256_to_be(&a->balance, e.balance);
    e.code = a->code_len ? a->code : NULL;
    e.code_len = a->code_len;
    memcpy(e.code_hash, a->code_hash, 32);
    e.storage = m ? kv : NULL;
    e.n_storage = m;
    rc = fn(ctx, &e);
  }
  free(kv);
  free(acc);
  return rc;
}

/* ---- public accessors (evm.h) ---------------------------------------------- */

int evm_state_account(const evm_state *s, const uint8_t addr[20], int *exists, uint64_t *nonce,
                      uint8_t balance[32], const uint8_t **code, size_t *code_len) {
  const evm_account *a = s ? evm_state_find(s, addr) : NULL;
  int ex = a && a->exists;
  if (exists) *exists = ex;
  if (nonce) *nonce = ex ? a->nonce : 0;
  if (balance) {
    if (ex)
      u256_to_be(&a->balance, balance);
    else
      memset(balance, 0, 32);
  }
  if (code) *code = ex ? a->code : NULL;
  if (code_len) *code_len = ex ? a->code_len : 0;
  return EVM_OK;
}

void evm_state_storage(const evm_state *s, const uint8_t addr[20], const uint8_t key[32], uint8_t value[32]) {
  memset(value, 0, 32);
  const evm_account *a = s ? evm_state_find(s, addr) : NULL;
  if (!a || !a->exists) return;
  u256 k;
  u256_from_be(&k, key);
  const evm_slot *sl = slot_find(&a->storage, &k);
  if (sl) u256_to_be(&sl->value, value);
}
