/* fix_import: state-test JSON fixtures to blk blocks (contract in fix.h).
 *
 * The whole file is parsed with cJSON, then each test is read in two stages:
 * the parts shared by all its cases (env, pre-state, the transaction's arrays
 * and fixed fields) once into a template, then one case per post entry by
 * copying the template and picking the indexed elements. Every reader pushes
 * its JSON key onto a path buffer, so any error can say exactly where it is.
 * The workload is small (a fixture file is at most a few MB and a few hundred
 * cases), so clarity wins over avoiding copies.
 *
 * The sender of a case comes from one of three sources. A secretKey that is
 * one of the deterministic test keys becomes that key's index, unsigned (the
 * block then names the same transaction in its smallest form); any other
 * secretKey signs the transaction (evm_tx_sign). With no secretKey the
 * fixture must name the sender and carry txbytes in each post entry: their
 * signature is taken as it stands, and for a transaction expected to be valid
 * it must recover the stated sender.
 */
#include "fix.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/rlp.h"
#include "evm/txsig.h"
#include "hash/keccak.h"

/* Largest fixture file read; the biggest shipped one is under 2 MB. */
#define FIX_MAX_FILE_BYTES (256u << 20)
#define PATH_BUF 512

/* ---- error reporting with a JSON path ---- */

typedef struct {
  const char *file;
  const char *test; /* NULL outside a test */
  char path[PATH_BUF];
  size_t plen;
  fix_error *err;
  const fix_opts *opts;
  /* Set when the current test holds a value the block format cannot store
   * (then its cases are kept as skipped with this reason). */
  char unrep[FIX_SKIP_MAX];
} pctx;

static int fail(pctx *c, int code, const char *fmt, ...) {
  if (!c->err) return code;
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  fix_error *e = c->err;
  e->code = code;
  size_t n = 0;
  int w = snprintf(e->msg, sizeof e->msg, "%s: ", c->file ? c->file : "(fixture)");
  n = w > 0 ? (size_t)w : 0;
  if (n < sizeof e->msg && c->test) {
    w = snprintf(e->msg + n, sizeof e->msg - n, "test '%.300s': ", c->test);
    n += w > 0 ? (size_t)w : 0;
  }
  if (n < sizeof e->msg && c->plen) {
    w = snprintf(e->msg + n, sizeof e->msg - n, "%s: ", c->path);
    n += w > 0 ? (size_t)w : 0;
  }
  if (n < sizeof e->msg) snprintf(e->msg + n, sizeof e->msg - n, "%s", what);
  return code;
}

static void path_append(pctx *c, const char *s) {
  size_t room = sizeof c->path - 1 - c->plen;
  size_t n = strlen(s);
  if (n > room) n = room;
  memcpy(c->path + c->plen, s, n);
  c->plen += n;
  c->path[c->plen] = 0;
}

static size_t path_key(pctx *c, const char *key) {
  size_t mark = c->plen;
  if (c->plen) path_append(c, ".");
  path_append(c, key);
  return mark;
}

static size_t path_idx(pctx *c, size_t i) {
  size_t mark = c->plen;
  char b[32];
  snprintf(b, sizeof b, "[%zu]", i);
  path_append(c, b);
  return mark;
}

static void path_pop(pctx *c, size_t mark) {
  c->plen = mark;
  c->path[mark] = 0;
}

/* Record, once per test, a value the block format cannot hold. */
static void note_unrep(pctx *c, const char *what) {
  if (!c->unrep[0]) snprintf(c->unrep, sizeof c->unrep, "%.120s: %s", c->path, what);
}

/* ---- the deterministic test keys ----
 * secretKey is matched against the BLK_MAX_TEST_KEYS test keys through a
 * sorted table derived once (keccak only, no curve work) on first use;
 * pthread_once makes that first use safe from any thread, and the table is
 * read-only afterwards. */

typedef struct {
  uint8_t key[32]; /* first member: bsearch compares a bare key against it */
  uint32_t index;
} key_entry;

static key_entry g_keys[BLK_MAX_TEST_KEYS];
static size_t g_n_keys;
static pthread_once_t g_keys_once = PTHREAD_ONCE_INIT;

static int cmp_key(const void *a, const void *b) { return memcmp(a, b, 32); }

static void keys_init(void) {
  size_t n = 0;
  /* a derived value that is not a valid secret is no test key (txsig.h) */
  for (uint32_t i = 0; i < BLK_MAX_TEST_KEYS; i++)
    if (evm_test_key(i, g_keys[n].key) == EVM_SIG_OK) g_keys[n++].index = i;
  qsort(g_keys, n, sizeof *g_keys, cmp_key);
  g_n_keys = n;
}

/* 1 and *index when key is test key *index, else 0. */
static int test_key_index(const uint8_t key[32], uint32_t *index) {
  pthread_once(&g_keys_once, keys_init);
  const key_entry *e = bsearch(key, g_keys, g_n_keys, sizeof *g_keys, cmp_key);
  if (!e) return 0;
  *index = e->index;
  return 1;
}

const char *fix_strerror(int code) {
  switch (code) {
    case FIX_OK: return "ok";
    case FIX_E_NOMEM: return "out of memory";
    case FIX_E_IO: return "cannot read file";
    case FIX_E_JSON: return "malformed JSON";
    case FIX_E_MISSING: return "required field missing";
    case FIX_E_TYPE: return "wrong JSON type";
    case FIX_E_HEX: return "bad hex";
    case FIX_E_RANGE: return "value out of range";
    case FIX_E_INVALID: return "inconsistent fixture";
    case FIX_E_UNSUPPORTED: return "unsupported fixture content";
    case FIX_E_SIGN: return "transaction signing failed";
    case FIX_E_BLOCK: return "block fails validation";
    default: return "unknown error";
  }
}

/* ---- hex ---- */

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* s must be "0x" then hex digits only; *digits and *n describe the digits. */
static int hex_scan(const char *s, const char **digits, size_t *n, const char **why) {
  if (!s) {
    *why = "no string";
    return FIX_E_HEX;
  }
  if (s[0] != '0' || s[1] != 'x') {
    *why = "hex must start with 0x";
    return FIX_E_HEX;
  }
  const char *d = s + 2;
  size_t i = 0;
  for (; d[i]; i++) {
    if (hexval(d[i]) < 0) {
      *why = "non-hex character";
      return FIX_E_HEX;
    }
  }
  *digits = d;
  *n = i;
  return FIX_OK;
}

static int hex_bytes_why(const char *s, size_t max_len, uint8_t **out, size_t *len, const char **why) {
  const char *d;
  size_t n;
  *out = NULL;
  *len = 0;
  int rc = hex_scan(s, &d, &n, why);
  if (rc) return rc;
  if (n % 2) {
    *why = "odd number of hex digits";
    return FIX_E_HEX;
  }
  if (n / 2 > max_len) {
    *why = "byte string too long";
    return FIX_E_RANGE;
  }
  if (n == 0) return FIX_OK;
  uint8_t *b = malloc(n / 2);
  if (!b) {
    *why = "out of memory";
    return FIX_E_NOMEM;
  }
  for (size_t i = 0; i < n / 2; i++) b[i] = (uint8_t)(hexval(d[2 * i]) << 4 | hexval(d[2 * i + 1]));
  *out = b;
  *len = n / 2;
  return FIX_OK;
}

/* A quantity into width big-endian bytes. */
static int hex_quantity_why(const char *s, uint8_t *out, size_t width, const char **why) {
  const char *d;
  size_t n;
  int rc = hex_scan(s, &d, &n, why);
  if (rc) return rc;
  if (n == 0) {
    *why = "no hex digits";
    return FIX_E_HEX;
  }
  while (n > 1 && d[0] == '0') {
    d++;
    n--;
  }
  if (n > 2 * width) {
    *why = width == 8 ? "value does not fit in 64 bits" : "value does not fit in 256 bits";
    return FIX_E_RANGE;
  }
  memset(out, 0, width);
  for (size_t i = 0; i < n; i++) {
    size_t pos = n - 1 - i; /* nibble index from the least significant end */
    uint8_t v = (uint8_t)hexval(d[i]);
    out[width - 1 - pos / 2] |= (uint8_t)(pos % 2 ? v << 4 : v);
  }
  return FIX_OK;
}

static int hex_fixed_why(const char *s, uint8_t *out, size_t nbytes, const char **why) {
  const char *d;
  size_t n;
  int rc = hex_scan(s, &d, &n, why);
  if (rc) return rc;
  if (n != 2 * nbytes) {
    *why = nbytes == 20 ? "expected 20 bytes (40 hex digits)"
           : nbytes == 32 ? "expected 32 bytes (64 hex digits)"
                          : "wrong length";
    return FIX_E_RANGE;
  }
  for (size_t i = 0; i < nbytes; i++) out[i] = (uint8_t)(hexval(d[2 * i]) << 4 | hexval(d[2 * i + 1]));
  return FIX_OK;
}

int fix_hex_bytes(const char *s, size_t max_len, uint8_t **out, size_t *len) {
  const char *why;
  return hex_bytes_why(s, max_len, out, len, &why);
}

int fix_hex_u64(const char *s, uint64_t *out) {
  const char *why;
  uint8_t b[8];
  int rc = hex_quantity_why(s, b, 8, &why);
  if (rc) return rc;
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | b[i];
  *out = v;
  return FIX_OK;
}

int fix_hex_u256(const char *s, uint8_t out[32]) {
  const char *why;
  uint8_t b[32];
  int rc = hex_quantity_why(s, b, 32, &why);
  if (rc == FIX_OK) memcpy(out, b, 32);
  return rc;
}

int fix_hex_fixed(const char *s, uint8_t *out, size_t n) {
  const char *why;
  uint8_t *tmp = n ? malloc(n) : NULL;
  if (n && !tmp) return FIX_E_NOMEM;
  int rc = hex_fixed_why(s, tmp, n, &why);
  if (rc == FIX_OK && n) memcpy(out, tmp, n);
  free(tmp);
  return rc;
}

/* ---- typed JSON readers; the caller has pushed the item's path ---- */

static int item_str(pctx *c, const cJSON *it, const char **s) {
  if (!cJSON_IsString(it) || !it->valuestring) return fail(c, FIX_E_TYPE, "expected a string");
  *s = it->valuestring;
  return FIX_OK;
}

static int hex_fail(pctx *c, int rc, const char *why, const char *s) {
  if (rc == FIX_E_NOMEM) return fail(c, rc, "out of memory");
  return fail(c, rc, "%s (got \"%.48s%s\")", why, s, strlen(s) > 48 ? "..." : "");
}

static int item_u64(pctx *c, const cJSON *it, uint64_t *out) {
  const char *s = NULL, *why = NULL;
  int rc = item_str(c, it, &s);
  if (rc) return rc;
  uint8_t b[8];
  rc = hex_quantity_why(s, b, 8, &why);
  if (rc) return hex_fail(c, rc, why, s);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | b[i];
  *out = v;
  return FIX_OK;
}

static int item_u256(pctx *c, const cJSON *it, blk_u256 *out) {
  const char *s = NULL, *why = NULL;
  int rc = item_str(c, it, &s);
  if (rc) return rc;
  rc = hex_quantity_why(s, out->b, 32, &why);
  return rc ? hex_fail(c, rc, why, s) : FIX_OK;
}

static int item_fixed(pctx *c, const cJSON *it, uint8_t *out, size_t n) {
  const char *s = NULL, *why = NULL;
  int rc = item_str(c, it, &s);
  if (rc) return rc;
  rc = hex_fixed_why(s, out, n, &why);
  return rc ? hex_fail(c, rc, why, s) : FIX_OK;
}

static int item_bytes(pctx *c, const cJSON *it, size_t max_len, blk_bytes *out) {
  const char *s = NULL, *why = NULL;
  int rc = item_str(c, it, &s);
  if (rc) return rc;
  rc = hex_bytes_why(s, max_len, &out->data, &out->len, &why);
  return rc ? hex_fail(c, rc, why, s) : FIX_OK;
}

/* A non-negative integral JSON number below 2^32 (post-entry indexes). */
static int item_index(pctx *c, const cJSON *it, size_t *out) {
  if (!cJSON_IsNumber(it)) return fail(c, FIX_E_TYPE, "expected a number");
  double d = it->valuedouble;
  if (!(d >= 0) || d > 4294967295.0 || d != (double)(uint32_t)d)
    return fail(c, FIX_E_RANGE, "expected a non-negative integer index");
  *out = (size_t)(uint32_t)d;
  return FIX_OK;
}

/* obj[key]: *out NULL when absent and optional; FIX_E_MISSING when required. */
static int get(pctx *c, const cJSON *obj, const char *key, int required, const cJSON **out) {
  *out = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!*out && required) {
    size_t m = path_key(c, key);
    int rc = fail(c, FIX_E_MISSING, "required field missing");
    path_pop(c, m);
    return rc;
  }
  return FIX_OK;
}

typedef int (*item_fn)(pctx *, const cJSON *, void *);

/* Read obj[key] with fn (absent and optional: *present = 0, nothing read). */
static int field(pctx *c, const cJSON *obj, const char *key, int required, int *present, item_fn fn, void *out) {
  const cJSON *it;
  int rc = get(c, obj, key, required, &it);
  if (present) *present = it != NULL;
  if (rc || !it) return rc;
  size_t m = path_key(c, key);
  rc = fn(c, it, out);
  path_pop(c, m);
  return rc;
}

static int fn_u64(pctx *c, const cJSON *it, void *o) { return item_u64(c, it, o); }
static int fn_u256(pctx *c, const cJSON *it, void *o) { return item_u256(c, it, o); }
static int fn_addr(pctx *c, const cJSON *it, void *o) { return item_fixed(c, it, ((blk_addr *)o)->b, 20); }
static int fn_h256(pctx *c, const cJSON *it, void *o) { return item_fixed(c, it, o, 32); }
/* A 32-byte word written as a quantity (PREVRANDAO). */
static int fn_word(pctx *c, const cJSON *it, void *o) {
  const char *s = NULL, *why = NULL;
  int rc = item_str(c, it, &s);
  if (rc) return rc;
  rc = hex_quantity_why(s, o, 32, &why);
  return rc ? hex_fail(c, rc, why, s) : FIX_OK;
}

static int want_object(pctx *c, const cJSON *it) {
  return cJSON_IsObject(it) ? FIX_OK : fail(c, FIX_E_TYPE, "expected an object");
}

static int want_array(pctx *c, const cJSON *it) {
  return cJSON_IsArray(it) ? FIX_OK : fail(c, FIX_E_TYPE, "expected an array");
}

/* Every key of obj must be in allowed (NULL-terminated). */
static int only_keys(pctx *c, const cJSON *obj, const char *const *allowed) {
  for (const cJSON *ch = obj->child; ch; ch = ch->next) {
    int ok = 0;
    for (size_t i = 0; allowed[i]; i++)
      if (ch->string && strcmp(ch->string, allowed[i]) == 0) ok = 1;
    if (!ok) {
      size_t m = path_key(c, ch->string ? ch->string : "?");
      int rc = fail(c, FIX_E_UNSUPPORTED, "unsupported field");
      path_pop(c, m);
      return rc;
    }
  }
  return FIX_OK;
}

static int is_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

/* ---- accounts (pre-state and expected post-state) ---- */

static int cmp_slot(const void *a, const void *b) {
  return memcmp(((const blk_slot *)a)->key.b, ((const blk_slot *)b)->key.b, 32);
}

static int cmp_acct(const void *a, const void *b) {
  return memcmp(((const fix_account *)a)->address.b, ((const fix_account *)b)->address.b, 20);
}

static void accounts_free(fix_account *a, size_t n) {
  for (size_t i = 0; a && i < n; i++) {
    free(a[i].code.data);
    free(a[i].storage);
  }
  free(a);
}

static int read_storage(pctx *c, const cJSON *obj, fix_account *a) {
  int rc = want_object(c, obj);
  if (rc) return rc;
  size_t n = (size_t)cJSON_GetArraySize(obj);
  if (n == 0) return FIX_OK;
  a->storage = calloc(n, sizeof *a->storage);
  if (!a->storage) return fail(c, FIX_E_NOMEM, "out of memory");
  for (const cJSON *ch = obj->child; ch; ch = ch->next) {
    size_t m = path_key(c, ch->string ? ch->string : "?");
    blk_slot s;
    const char *why;
    rc = hex_quantity_why(ch->string, s.key.b, 32, &why);
    if (rc) rc = hex_fail(c, rc, why, ch->string ? ch->string : "");
    if (!rc) rc = item_u256(c, ch, &s.value);
    path_pop(c, m);
    if (rc) return rc;
    if (!is_zero(s.value.b, 32)) a->storage[a->n_storage++] = s;
  }
  qsort(a->storage, a->n_storage, sizeof *a->storage, cmp_slot);
  for (size_t i = 1; i < a->n_storage; i++)
    if (memcmp(a->storage[i].key.b, a->storage[i - 1].key.b, 32) == 0)
      return fail(c, FIX_E_INVALID, "the same storage key is listed twice");
  return FIX_OK;
}

static const char *const k_account_keys[] = {"balance", "nonce", "code", "storage", NULL};

static int fn_code(pctx *c, const cJSON *it, void *o) { return item_bytes(c, it, BLK_MAX_CODE_BYTES, o); }

static int fn_storage(pctx *c, const cJSON *it, void *o) { return read_storage(c, it, o); }

static int read_account(pctx *c, const cJSON *obj, fix_account *a) {
  int rc = want_object(c, obj);
  if (!rc) rc = only_keys(c, obj, k_account_keys);
  if (!rc) rc = field(c, obj, "balance", 1, NULL, fn_u256, &a->balance);
  if (!rc) rc = field(c, obj, "nonce", 1, NULL, fn_u64, &a->nonce);
  if (!rc) rc = field(c, obj, "code", 1, NULL, fn_code, &a->code);
  if (!rc) rc = field(c, obj, "storage", 1, NULL, fn_storage, a);
  return rc;
}

/* An object mapping addresses to accounts, sorted by address. */
static int read_accounts(pctx *c, const cJSON *obj, fix_account **out, size_t *n_out) {
  *out = NULL;
  *n_out = 0;
  int rc = want_object(c, obj);
  if (rc) return rc;
  size_t n = (size_t)cJSON_GetArraySize(obj), k = 0;
  fix_account *a = n ? calloc(n, sizeof *a) : NULL;
  if (n && !a) return fail(c, FIX_E_NOMEM, "out of memory");
  for (const cJSON *ch = obj->child; ch; ch = ch->next, k++) {
    size_t m = path_key(c, ch->string ? ch->string : "?");
    const char *why;
    rc = hex_fixed_why(ch->string, a[k].address.b, 20, &why);
    if (rc) rc = hex_fail(c, rc, why, ch->string ? ch->string : "");
    if (!rc) rc = read_account(c, ch, &a[k]);
    path_pop(c, m);
    if (rc) {
      accounts_free(a, n);
      return rc;
    }
  }
  if (n > 1) qsort(a, n, sizeof *a, cmp_acct);
  for (size_t i = 1; i < n; i++) {
    if (memcmp(a[i].address.b, a[i - 1].address.b, 20) == 0) {
      accounts_free(a, n);
      return fail(c, FIX_E_INVALID, "the same address is listed twice");
    }
  }
  *out = a;
  *n_out = n;
  return FIX_OK;
}

/* The pre-state section of a block from sorted accounts: distinct codes once,
 * in order of first use. */
static int build_pre(const fix_account *a, size_t n, blk_block *b) {
  if (n == 0) return FIX_OK;
  b->accounts = calloc(n, sizeof *b->accounts);
  b->codes = calloc(n, sizeof *b->codes);
  if (!b->accounts || !b->codes) return FIX_E_NOMEM;
  b->n_accounts = n;
  for (size_t i = 0; i < n; i++) {
    blk_account *d = &b->accounts[i];
    d->address = a[i].address;
    d->nonce = a[i].nonce;
    d->balance = a[i].balance;
    if (a[i].n_storage) {
      d->storage = malloc(a[i].n_storage * sizeof *d->storage);
      if (!d->storage) return FIX_E_NOMEM;
      memcpy(d->storage, a[i].storage, a[i].n_storage * sizeof *d->storage);
      d->n_storage = a[i].n_storage;
    }
    if (a[i].code.len == 0) continue;
    size_t j = 0;
    while (j < b->n_codes &&
           !(b->codes[j].len == a[i].code.len && memcmp(b->codes[j].data, a[i].code.data, a[i].code.len) == 0))
      j++;
    if (j == b->n_codes) {
      b->codes[j].data = malloc(a[i].code.len);
      if (!b->codes[j].data) return FIX_E_NOMEM;
      memcpy(b->codes[j].data, a[i].code.data, a[i].code.len);
      b->codes[j].len = a[i].code.len;
      b->n_codes++;
    }
    d->code_ref = (uint32_t)(j + 1);
  }
  return FIX_OK;
}

/* ---- environment ---- */

static const char *const k_env_keys[] = {"currentCoinbase", "currentGasLimit", "currentNumber",
                                         "currentTimestamp", "currentBaseFee", "currentRandom",
                                         "currentExcessBlobGas", "currentDifficulty", NULL};

static int read_env(pctx *c, const cJSON *obj, blk_env *e) {
  blk_u256 difficulty;
  int rc = want_object(c, obj);
  if (!rc) rc = only_keys(c, obj, k_env_keys);
  if (!rc) rc = field(c, obj, "currentCoinbase", 1, NULL, fn_addr, &e->coinbase);
  if (!rc) rc = field(c, obj, "currentGasLimit", 1, NULL, fn_u64, &e->gas_limit);
  if (!rc) rc = field(c, obj, "currentNumber", 1, NULL, fn_u64, &e->number);
  if (!rc) rc = field(c, obj, "currentTimestamp", 1, NULL, fn_u64, &e->timestamp);
  if (!rc) rc = field(c, obj, "currentBaseFee", 1, NULL, fn_u256, &e->base_fee);
  /* PREVRANDAO is a 32-byte word written as a quantity. */
  if (!rc) rc = field(c, obj, "currentRandom", 1, NULL, fn_word, e->prevrandao);
  if (!rc) rc = field(c, obj, "currentExcessBlobGas", 1, NULL, fn_u64, &e->excess_blob_gas);
  if (!rc) rc = field(c, obj, "currentDifficulty", 0, NULL, fn_u256, &difficulty);
  return rc;
}

/* ---- transaction template ---- */

typedef struct {
  int present; /* 0: JSON null, no access list for this data index */
  blk_access *list;
  size_t n;
} tx_al;

typedef struct {
  uint64_t nonce;
  int is_create;
  blk_addr to;
  int has_key;        /* 0: no secretKey, the signature comes from each txbytes */
  uint8_t key[32];
  int is_test_key;    /* key is test key key_index */
  uint32_t key_index;
  blk_addr sender;    /* the address of key, or the stated sender without one */
  int has_gas_price, has_max_fee, has_blob, has_auth, has_als;
  blk_u256 gas_price, max_fee, max_priority, max_fee_per_blob;
  uint8_t (*blob_hashes)[32];
  size_t n_blob;
  blk_auth *auths;
  size_t n_auths;
  tx_al *als;
  size_t n_als;
  blk_bytes *data;
  size_t n_data;
  uint64_t *gas;
  size_t n_gas;
  blk_u256 *value;
  size_t n_value;
} tx_tmpl;

static void access_free(blk_access *l, size_t n) {
  for (size_t i = 0; l && i < n; i++) free(l[i].keys);
  free(l);
}

static void tmpl_free(tx_tmpl *t) {
  free(t->blob_hashes);
  free(t->auths);
  for (size_t i = 0; t->als && i < t->n_als; i++) access_free(t->als[i].list, t->als[i].n);
  free(t->als);
  for (size_t i = 0; t->data && i < t->n_data; i++) free(t->data[i].data);
  free(t->data);
  free(t->gas);
  free(t->value);
  memset(t, 0, sizeof *t);
}

/* Read a JSON array with fn into a new array of n elements of size sz. */
static int read_array(pctx *c, const cJSON *arr, size_t sz, item_fn fn, void **out, size_t *n_out) {
  *out = NULL;
  *n_out = 0;
  int rc = want_array(c, arr);
  if (rc) return rc;
  size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
  if (n == 0) return FIX_OK;
  unsigned char *p = calloc(n, sz);
  if (!p) return fail(c, FIX_E_NOMEM, "out of memory");
  *out = p;
  for (const cJSON *ch = arr->child; ch; ch = ch->next, i++) {
    size_t m = path_idx(c, i);
    rc = fn(c, ch, p + i * sz);
    path_pop(c, m);
    if (rc) return rc; /* the caller frees the partly filled array */
    *n_out = i + 1;
  }
  return FIX_OK;
}

static int field_array(pctx *c, const cJSON *obj, const char *key, int required, int *present, size_t sz,
                       item_fn fn, void **out, size_t *n) {
  const cJSON *it;
  *out = NULL;
  *n = 0;
  int rc = get(c, obj, key, required, &it);
  if (present) *present = it != NULL;
  if (rc || !it) return rc;
  size_t m = path_key(c, key);
  rc = read_array(c, it, sz, fn, out, n);
  path_pop(c, m);
  return rc;
}

static int fn_data(pctx *c, const cJSON *it, void *o) { return item_bytes(c, it, BLK_MAX_DATA_BYTES, o); }

static const char *const k_access_keys[] = {"address", "storageKeys", NULL};

static int fn_access(pctx *c, const cJSON *it, void *o) {
  blk_access *a = o;
  void *keys;
  int rc = want_object(c, it);
  if (!rc) rc = only_keys(c, it, k_access_keys);
  if (!rc) rc = field(c, it, "address", 1, NULL, fn_addr, &a->address);
  if (rc) return rc;
  rc = field_array(c, it, "storageKeys", 1, NULL, sizeof(blk_u256), fn_h256, &keys, &a->n_keys);
  a->keys = keys;
  return rc;
}

static int fn_access_list(pctx *c, const cJSON *it, void *o) {
  tx_al *al = o;
  if (cJSON_IsNull(it)) return FIX_OK;
  al->present = 1;
  void *p;
  int rc = read_array(c, it, sizeof(blk_access), fn_access, &p, &al->n);
  al->list = p;
  if (rc && p) {
    /* read_array counted only the complete entries; the failing one may hold keys */
    size_t total = (size_t)cJSON_GetArraySize(it);
    access_free(al->list, total);
    al->list = NULL;
    al->n = 0;
  }
  return rc;
}

static const char *const k_auth_keys[] = {"chainId", "address", "nonce", "v", "r", "s", "yParity", "signer", NULL};

static int fn_auth(pctx *c, const cJSON *it, void *o) {
  blk_auth *a = o;
  blk_u256 parity, v;
  blk_addr signer;
  int has_parity, has_v;
  int rc = want_object(c, it);
  if (!rc) rc = only_keys(c, it, k_auth_keys);
  if (!rc) rc = field(c, it, "chainId", 1, NULL, fn_u256, &a->chain_id);
  if (!rc) rc = field(c, it, "address", 1, NULL, fn_addr, &a->address);
  blk_u256 nonce;
  if (!rc) rc = field(c, it, "nonce", 1, NULL, fn_u256, &nonce);
  if (!rc) rc = field(c, it, "r", 1, NULL, fn_u256, &a->r);
  if (!rc) rc = field(c, it, "s", 1, NULL, fn_u256, &a->s);
  if (!rc) rc = field(c, it, "yParity", 0, &has_parity, fn_u256, &parity);
  if (!rc) rc = field(c, it, "v", 0, &has_v, fn_u256, &v);
  if (!rc) rc = field(c, it, "signer", 0, NULL, fn_addr, &signer);
  if (rc) return rc;
  if (!has_parity && !has_v) return fail(c, FIX_E_MISSING, "authorization has neither yParity nor v");
  if (has_parity && has_v && memcmp(parity.b, v.b, 32) != 0)
    return fail(c, FIX_E_INVALID, "authorization yParity and v differ");
  /* Invalid authorizations (tests of their rejection) may carry values wider
   * than blk_auth's fields: the test is then kept, skipped. */
  const blk_u256 *y = has_parity ? &parity : &v;
  if (!is_zero(y->b, 31)) note_unrep(c, "authorization y_parity above 255 cannot be stored in a block");
  if (!is_zero(nonce.b, 24)) note_unrep(c, "authorization nonce above 2^64-1 cannot be stored in a block");
  a->y_parity = y->b[31];
  for (int i = 24; i < 32; i++) a->nonce = a->nonce << 8 | nonce.b[i];
  return FIX_OK;
}

static int fn_u64_item(pctx *c, const cJSON *it, void *o) { return item_u64(c, it, o); }

static const char *const k_tx_keys[] = {"data", "gasLimit", "value", "nonce", "to", "secretKey", "sender",
                                        "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "accessLists",
                                        "maxFeePerBlobGas", "blobVersionedHashes", "authorizationList", NULL};

static int read_tx(pctx *c, const cJSON *obj, tx_tmpl *t) {
  int rc = want_object(c, obj);
  if (!rc) rc = only_keys(c, obj, k_tx_keys);
  if (!rc) rc = field(c, obj, "nonce", 1, NULL, fn_u64, &t->nonce);
  if (rc) return rc;

  const cJSON *to;
  if ((rc = get(c, obj, "to", 1, &to))) return rc;
  size_t m = path_key(c, "to");
  const char *s = NULL;
  rc = item_str(c, to, &s);
  if (!rc) {
    if (s[0] == 0) t->is_create = 1;
    else rc = item_fixed(c, to, t->to.b, 20);
  }
  path_pop(c, m);
  if (rc) return rc;

  if ((rc = field(c, obj, "secretKey", 0, &t->has_key, fn_h256, t->key))) return rc;
  if (t->has_key) {
    m = path_key(c, "secretKey");
    if (evm_priv_to_address(t->key, t->sender.b) != EVM_SIG_OK)
      rc = fail(c, FIX_E_INVALID, "not a valid secp256k1 secret key");
    path_pop(c, m);
    if (rc) return rc;
    t->is_test_key = test_key_index(t->key, &t->key_index);
  }
  blk_addr named;
  int has_sender;
  if ((rc = field(c, obj, "sender", 0, &has_sender, fn_addr, &named))) return rc;
  if (!t->has_key && !has_sender) {
    m = path_key(c, "secretKey");
    rc = fail(c, FIX_E_MISSING, "required field missing (there is no sender either)");
    path_pop(c, m);
    return rc;
  }
  if (!t->has_key) t->sender = named;
  if (has_sender && memcmp(named.b, t->sender.b, 20) != 0) {
    m = path_key(c, "sender");
    rc = fail(c, FIX_E_INVALID, "sender is not the address of secretKey");
    path_pop(c, m);
    return rc;
  }

  int has_prio;
  if (!rc) rc = field(c, obj, "gasPrice", 0, &t->has_gas_price, fn_u256, &t->gas_price);
  if (!rc) rc = field(c, obj, "maxFeePerGas", 0, &t->has_max_fee, fn_u256, &t->max_fee);
  if (!rc) rc = field(c, obj, "maxPriorityFeePerGas", 0, &has_prio, fn_u256, &t->max_priority);
  if (rc) return rc;
  if (t->has_gas_price && (t->has_max_fee || has_prio))
    return fail(c, FIX_E_INVALID, "both gasPrice and maxFeePerGas/maxPriorityFeePerGas given");
  if (!t->has_gas_price && !t->has_max_fee) return fail(c, FIX_E_MISSING, "neither gasPrice nor maxFeePerGas given");
  if (t->has_max_fee && !has_prio) {
    m = path_key(c, "maxPriorityFeePerGas");
    rc = fail(c, FIX_E_MISSING, "required field missing (maxFeePerGas is given)");
    path_pop(c, m);
    return rc;
  }

  /* Each array is stored before rc is checked, so tmpl_free releases the
   * complete elements of a partly read array. */
  void *p = NULL;
  int has_blob_fee;
  rc = field(c, obj, "maxFeePerBlobGas", 0, &has_blob_fee, fn_u256, &t->max_fee_per_blob);
  if (rc) return rc;
  rc = field_array(c, obj, "blobVersionedHashes", 0, &t->has_blob, 32, fn_h256, &p, &t->n_blob);
  t->blob_hashes = p;
  if (rc) return rc;
  if (t->has_blob != has_blob_fee)
    return fail(c, FIX_E_INVALID, "blobVersionedHashes and maxFeePerBlobGas must come together");

  rc = field_array(c, obj, "authorizationList", 0, &t->has_auth, sizeof(blk_auth), fn_auth, &p, &t->n_auths);
  t->auths = p;
  if (rc) return rc;
  if ((t->has_blob || t->has_auth) && !t->has_max_fee)
    return fail(c, FIX_E_INVALID, "blob and authorization transactions need maxFeePerGas");
  if (t->has_blob && t->has_auth) return fail(c, FIX_E_INVALID, "both blobVersionedHashes and authorizationList given");

  rc = field_array(c, obj, "accessLists", 0, &t->has_als, sizeof(tx_al), fn_access_list, &p, &t->n_als);
  t->als = p;
  if (rc) return rc;
  rc = field_array(c, obj, "data", 1, NULL, sizeof(blk_bytes), fn_data, &p, &t->n_data);
  t->data = p;
  if (rc) return rc;
  rc = field_array(c, obj, "gasLimit", 1, NULL, sizeof(uint64_t), fn_u64_item, &p, &t->n_gas);
  t->gas = p;
  if (rc) return rc;
  rc = field_array(c, obj, "value", 1, NULL, sizeof(blk_u256), fn_u256, &p, &t->n_value);
  t->value = p;
  if (rc) return rc;
  if (t->has_als && t->n_als != t->n_data)
    return fail(c, FIX_E_INVALID, "accessLists has %zu entries but data has %zu", t->n_als, t->n_data);
  return FIX_OK;
}

static int copy_access(const blk_access *src, size_t n, blk_access **out) {
  *out = NULL;
  if (n == 0) return FIX_OK;
  blk_access *d = calloc(n, sizeof *d);
  if (!d) return FIX_E_NOMEM;
  for (size_t i = 0; i < n; i++) {
    d[i].address = src[i].address;
    if (src[i].n_keys) {
      d[i].keys = malloc(src[i].n_keys * sizeof *d[i].keys);
      if (!d[i].keys) {
        access_free(d, n);
        return FIX_E_NOMEM;
      }
      memcpy(d[i].keys, src[i].keys, src[i].n_keys * sizeof *d[i].keys);
      d[i].n_keys = src[i].n_keys;
    }
  }
  *out = d;
  return FIX_OK;
}

static int tx_type(const tx_tmpl *t, size_t d) {
  if (t->has_auth) return 4;
  if (t->has_blob) return 3;
  if (t->has_max_fee) return 2;
  return t->has_als && t->als[d].present ? 1 : 0;
}

/* The transaction of one case into tx (zeroed by the caller; freed by blk_free
 * of its block whatever is returned). Indexes have been checked. */
static int build_tx(const tx_tmpl *t, size_t d, size_t g, size_t v, blk_tx *tx) {
  tx->type = (uint8_t)tx_type(t, d);
  if (t->is_test_key) {
    tx->sender_is_address = 0;
    tx->sender_key = t->key_index;
  } else {
    tx->sender_is_address = 1;
    tx->sender = t->sender;
  }
  tx->nonce = t->nonce;
  tx->gas_limit = t->gas[g];
  tx->is_create = t->is_create;
  tx->to = t->to;
  tx->value = t->value[v];
  if (t->data[d].len) {
    tx->data.data = malloc(t->data[d].len);
    if (!tx->data.data) return FIX_E_NOMEM;
    memcpy(tx->data.data, t->data[d].data, t->data[d].len);
    tx->data.len = t->data[d].len;
  }
  if (tx->type >= 2) {
    tx->gas_price = t->max_fee;
    tx->max_priority_fee = t->max_priority;
  } else {
    tx->gas_price = t->gas_price;
  }
  if (t->has_als && t->als[d].present) {
    int rc = copy_access(t->als[d].list, t->als[d].n, &tx->access_list);
    if (rc) return rc;
    tx->n_access_list = t->als[d].n;
  }
  if (tx->type == 3) {
    tx->max_fee_per_blob_gas = t->max_fee_per_blob;
    if (t->n_blob) {
      tx->blob_hashes = malloc(t->n_blob * 32);
      if (!tx->blob_hashes) return FIX_E_NOMEM;
      memcpy(tx->blob_hashes, t->blob_hashes, t->n_blob * 32);
      tx->n_blob_hashes = t->n_blob;
    }
  }
  if (tx->type == 4 && t->n_auths) {
    tx->auths = malloc(t->n_auths * sizeof *tx->auths);
    if (!tx->auths) return FIX_E_NOMEM;
    memcpy(tx->auths, t->auths, t->n_auths * sizeof *tx->auths);
    tx->n_auths = t->n_auths;
  }
  return FIX_OK;
}

/* ---- cases ---- */

typedef struct {
  fix_case *v;
  size_t n, cap;
} case_vec;

void fix_case_free(fix_case *c) {
  if (!c) return;
  free(c->test);
  free(c->expect_exception);
  free(c->txbytes.data);
  accounts_free(c->post_state, c->n_post_state);
  blk_free(&c->block);
  memset(c, 0, sizeof *c);
}

static fix_case *case_push(case_vec *cv) {
  if (cv->n == cv->cap) {
    size_t nc = cv->cap ? cv->cap * 2 : 16;
    fix_case *p = realloc(cv->v, nc * sizeof *p);
    if (!p) return NULL;
    cv->v = p;
    cv->cap = nc;
  }
  fix_case *c = &cv->v[cv->n++];
  memset(c, 0, sizeof *c);
  return c;
}

typedef struct {
  blk_env env;
  blk_block pre; /* codes and accounts only */
  tx_tmpl tx;
  uint64_t chain_id;
} test_tmpl;

static int copy_pre(const blk_block *src, blk_block *dst) {
  if (src->n_codes) {
    dst->codes = calloc(src->n_codes, sizeof *dst->codes);
    if (!dst->codes) return FIX_E_NOMEM;
    for (size_t i = 0; i < src->n_codes; i++) {
      dst->codes[i].data = malloc(src->codes[i].len);
      if (!dst->codes[i].data) return FIX_E_NOMEM;
      memcpy(dst->codes[i].data, src->codes[i].data, src->codes[i].len);
      dst->codes[i].len = src->codes[i].len;
      dst->n_codes = i + 1;
    }
  }
  if (src->n_accounts) {
    dst->accounts = calloc(src->n_accounts, sizeof *dst->accounts);
    if (!dst->accounts) return FIX_E_NOMEM;
    dst->n_accounts = src->n_accounts;
    for (size_t i = 0; i < src->n_accounts; i++) {
      dst->accounts[i] = src->accounts[i];
      dst->accounts[i].storage = NULL;
      dst->accounts[i].n_storage = 0;
      size_t ns = src->accounts[i].n_storage;
      if (ns) {
        dst->accounts[i].storage = malloc(ns * sizeof(blk_slot));
        if (!dst->accounts[i].storage) return FIX_E_NOMEM;
        memcpy(dst->accounts[i].storage, src->accounts[i].storage, ns * sizeof(blk_slot));
        dst->accounts[i].n_storage = ns;
      }
    }
  }
  return FIX_OK;
}

/* Whether a legacy transaction's signed encoding uses EIP-155 (v other than
 * 27/28). FIX_E_INVALID when txbytes is not a legacy transaction. */
static int legacy_is_eip155(const blk_bytes *txbytes, int *eip155) {
  rlp_item top, f[9];
  size_t n, eoff;
  uint64_t v;
  if (rlp_decode_whole(txbytes->data, txbytes->len, &top, &eoff) != RLP_OK || !top.is_list ||
      rlp_list(&top, f, 9, &n, &eoff) != RLP_OK || n != 9 || rlp_get_u64(&f[6], &v) != RLP_OK)
    return FIX_E_INVALID;
  *eip155 = v != 27 && v != 28;
  return FIX_OK;
}

/* Field count of each transaction type's signed RLP list. */
static const size_t k_signed_fields[5] = {9, 11, 12, 14, 13};

/* The signature of a signed transaction of the given type: v, r, s, the last
 * three items of legacy rlp([nonce, gasPrice, gas, to, value, data, v, r, s])
 * or of type || rlp([..., y_parity, r, s]). FIX_E_INVALID when txbytes is not
 * such an encoding. */
static int txbytes_signature(const blk_bytes *txbytes, int type, blk_tx *tx) {
  rlp_item top, f[14];
  size_t n, eoff, skip = type == 0 ? 0 : 1;
  if (type < 0 || type > 4 || txbytes->len <= skip) return FIX_E_INVALID;
  if (type != 0 && txbytes->data[0] != type) return FIX_E_INVALID;
  if (rlp_decode_whole(txbytes->data + skip, txbytes->len - skip, &top, &eoff) != RLP_OK || !top.is_list ||
      rlp_list(&top, f, 14, &n, &eoff) != RLP_OK || n != k_signed_fields[type])
    return FIX_E_INVALID;
  blk_u256 v, r, s;
  if (rlp_get_u256(&f[n - 3], v.b) != RLP_OK || rlp_get_u256(&f[n - 2], r.b) != RLP_OK ||
      rlp_get_u256(&f[n - 1], s.b) != RLP_OK)
    return FIX_E_INVALID;
  tx->has_signature = 1;
  tx->v = v;
  tx->r = r;
  tx->s = s;
  return FIX_OK;
}

static void hex20(const uint8_t a[20], char out[43]) {
  static const char digits[] = "0123456789abcdef";
  out[0] = '0';
  out[1] = 'x';
  for (int i = 0; i < 20; i++) {
    out[2 + 2 * i] = digits[a[i] >> 4];
    out[3 + 2 * i] = digits[a[i] & 15];
  }
  out[42] = 0;
}

/* Give a case's transaction its signature when its sender is named by
 * address: made with secretKey, or taken from txbytes without one. A
 * signature from txbytes must recover the stated sender unless the
 * transaction is expected to be invalid (the executor then rejects it as the
 * fixture says); txbytes that hold no signature of the transaction's type
 * leave such a case skipped, as a block cannot hold it. */
static int sign_case(pctx *c, const tx_tmpl *t, fix_case *fc, uint64_t chain_id, blk_tx *tx) {
  if (t->is_test_key) return FIX_OK;
  if (t->has_key) {
    int rc = evm_tx_sign(tx, fc->sign_chain_id, t->key);
    if (rc != EVM_SIG_OK) return fail(c, FIX_E_SIGN, "evm_tx_sign failed (%d)", rc);
    return FIX_OK;
  }
  size_t m = path_key(c, "txbytes");
  int rc = FIX_OK;
  if (txbytes_signature(&fc->txbytes, tx->type, tx) != FIX_OK) {
    if (fc->expect_exception) {
      snprintf(fc->skip, sizeof fc->skip,
               "invalid transaction not representable as a block: txbytes holds no type %d signature", tx->type);
      blk_free(&fc->block);
    } else {
      rc = fail(c, FIX_E_INVALID, "not a signed type %d transaction (no secretKey to sign with)", tx->type);
    }
  } else {
    uint8_t got[20];
    int src = evm_tx_sender(tx, chain_id, got);
    if (src == EVM_SIG_E_NOMEM) {
      rc = fail(c, FIX_E_NOMEM, "out of memory");
    } else if (!fc->expect_exception) {
      if (src != EVM_SIG_OK && src != EVM_SIG_E_SENDER) {
        rc = fail(c, FIX_E_INVALID, "the signature recovers no sender (%d)", src);
      } else if (src == EVM_SIG_E_SENDER) {
        char want[43];
        hex20(t->sender.b, want);
        rc = fail(c, FIX_E_INVALID, "the signature does not recover the stated sender %s", want);
      }
    }
  }
  path_pop(c, m);
  return rc;
}

static const char *const k_index_keys[] = {"data", "gas", "value", NULL};

static int fn_index(pctx *c, const cJSON *it, void *o) { return item_index(c, it, o); }

static int fn_str_dup(pctx *c, const cJSON *it, void *o) {
  const char *s = NULL;
  int rc = item_str(c, it, &s);
  if (rc) return rc;
  char *d = strdup(s);
  if (!d) return fail(c, FIX_E_NOMEM, "out of memory");
  *(char **)o = d;
  return FIX_OK;
}

static int fn_txbytes(pctx *c, const cJSON *it, void *o) { return item_bytes(c, it, BLK_MAX_DATA_BYTES + 65536, o); }

static int fn_state(pctx *c, const cJSON *it, void *o) {
  fix_case *fc = o;
  return read_accounts(c, it, &fc->post_state, &fc->n_post_state);
}

static int read_entry(pctx *c, const cJSON *e, const test_tmpl *tt, fix_case *fc) {
  int rc = want_object(c, e);
  if (rc) return rc;
  const cJSON *ix;
  if ((rc = get(c, e, "indexes", 1, &ix))) return rc;
  size_t m = path_key(c, "indexes");
  rc = want_object(c, ix);
  if (!rc) rc = only_keys(c, ix, k_index_keys);
  if (!rc) rc = field(c, ix, "data", 1, NULL, fn_index, &fc->idx_data);
  if (!rc) rc = field(c, ix, "gas", 1, NULL, fn_index, &fc->idx_gas);
  if (!rc) rc = field(c, ix, "value", 1, NULL, fn_index, &fc->idx_value);
  if (!rc && fc->idx_data >= tt->tx.n_data)
    rc = fail(c, FIX_E_RANGE, "data index %zu but transaction.data has %zu entries", fc->idx_data, tt->tx.n_data);
  if (!rc && fc->idx_gas >= tt->tx.n_gas)
    rc = fail(c, FIX_E_RANGE, "gas index %zu but transaction.gasLimit has %zu entries", fc->idx_gas,
              tt->tx.n_gas);
  if (!rc && fc->idx_value >= tt->tx.n_value)
    rc = fail(c, FIX_E_RANGE, "value index %zu but transaction.value has %zu entries", fc->idx_value,
              tt->tx.n_value);
  path_pop(c, m);
  if (rc) return rc;

  if (!rc) rc = field(c, e, "hash", 1, NULL, fn_h256, fc->post_root);
  if (!rc) rc = field(c, e, "logs", 1, NULL, fn_h256, fc->logs_hash);
  if (!rc) rc = field(c, e, "expectException", 0, NULL, fn_str_dup, &fc->expect_exception);
  if (!rc) rc = field(c, e, "txbytes", 0, NULL, fn_txbytes, &fc->txbytes);
  if (!rc) rc = field(c, e, "state", 0, &fc->has_post_state, fn_state, fc);
  if (rc) return rc;

  /* The fixture's own encoding must agree with the type inferred from the
   * fields, and says which signing form a legacy transaction used (ethereum/
   * tests sign before EIP-155; with no txbytes that form is kept). */
  int type = tx_type(&tt->tx, fc->idx_data), eip155 = 0;
  if (fc->txbytes.len) {
    int tb = fc->txbytes.data[0] >= 0xc0 ? 0 : fc->txbytes.data[0];
    int legacy_ok = tb == 0 && legacy_is_eip155(&fc->txbytes, &eip155) == FIX_OK;
    m = path_key(c, "txbytes");
    /* an invalid transaction's bytes may be malformed on purpose */
    if (!fc->expect_exception && tb != type)
      rc = fail(c, FIX_E_INVALID, "transaction fields give type %d but txbytes has type %d", type, tb);
    else if (!fc->expect_exception && type == 0 && !legacy_ok)
      rc = fail(c, FIX_E_INVALID, "txbytes is not a signed legacy transaction");
    path_pop(c, m);
    if (rc) return rc;
  }
  fc->sign_chain_id = type == 0 && !eip155 ? 0 : tt->chain_id;
  if (!tt->tx.has_key && !fc->txbytes.len) {
    m = path_key(c, "txbytes");
    rc = fail(c, FIX_E_MISSING, "required field missing (the transaction has no secretKey)");
    path_pop(c, m);
    return rc;
  }
  if (fc->skip[0]) return FIX_OK; /* fork not modelled: expectations only */

  blk_block *b = &fc->block;
  b->version = BLK_VERSION;
  b->env = tt->env;
  b->env.fork = fc->fork;
  b->env.chain_id = tt->chain_id;
  b->env.block_hashes = NULL;
  b->env.n_block_hashes = 0;
  if ((rc = copy_pre(&tt->pre, b))) return fail(c, rc, "out of memory");
  b->txs = calloc(1, sizeof *b->txs);
  if (!b->txs) return fail(c, FIX_E_NOMEM, "out of memory");
  b->n_txs = 1;
  if ((rc = build_tx(&tt->tx, fc->idx_data, fc->idx_gas, fc->idx_value, b->txs))) return fail(c, rc, "out of memory");

  blk_error be = {0, NULL};
  rc = blk_validate(b, &be);
  if (rc != BLK_OK) {
    if (fc->expect_exception) {
      /* An invalid transaction the block format cannot hold (e.g. a blob
       * transaction without blobs): keep the case, skipped, with the reason. */
      snprintf(fc->skip, sizeof fc->skip, "invalid transaction not representable as a block: %s",
               be.msg ? be.msg : blk_strerror(rc));
      blk_free(b);
      return FIX_OK;
    }
    return fail(c, FIX_E_BLOCK, "built block is invalid: %s (%s)", be.msg ? be.msg : "", blk_strerror(rc));
  }
  return sign_case(c, &tt->tx, fc, tt->chain_id, b->txs);
}

static const char *const k_config_keys[] = {"chainid", "blobSchedule", NULL};
static const char *const k_test_keys[] = {"_info", "env", "pre", "transaction", "post", "config", NULL};

static int fn_env(pctx *c, const cJSON *it, void *o) { return read_env(c, it, o); }
static int fn_tx(pctx *c, const cJSON *it, void *o) { return read_tx(c, it, o); }

static int fn_pre(pctx *c, const cJSON *it, void *o) {
  fix_account *a;
  size_t n;
  int rc = read_accounts(c, it, &a, &n);
  if (rc) return rc;
  rc = build_pre(a, n, o);
  accounts_free(a, n);
  return rc ? fail(c, rc, "out of memory") : FIX_OK;
}

static int read_test(pctx *c, const cJSON *test, case_vec *cv) {
  test_tmpl tt;
  memset(&tt, 0, sizeof tt);
  c->unrep[0] = 0;
  int rc = want_object(c, test);
  if (!rc && (cJSON_GetObjectItemCaseSensitive(test, "blocks") ||
              cJSON_GetObjectItemCaseSensitive(test, "genesisBlockHeader")))
    rc = fail(c, FIX_E_UNSUPPORTED, "a blockchain test, not a state test");
  if (!rc) rc = only_keys(c, test, k_test_keys);
  if (!rc) rc = field(c, test, "env", 1, NULL, fn_env, &tt.env);
  if (!rc) rc = field(c, test, "pre", 1, NULL, fn_pre, &tt.pre);
  if (!rc) rc = field(c, test, "transaction", 1, NULL, fn_tx, &tt.tx);
  tt.chain_id = 1;
  const cJSON *cfg = NULL, *post = NULL;
  if (!rc) rc = get(c, test, "config", 0, &cfg);
  if (!rc && cfg) {
    size_t m = path_key(c, "config");
    rc = want_object(c, cfg);
    if (!rc) rc = only_keys(c, cfg, k_config_keys);
    if (!rc) rc = field(c, cfg, "chainid", 0, NULL, fn_u64, &tt.chain_id);
    path_pop(c, m);
  }
  if (!rc) rc = get(c, test, "post", 1, &post);
  size_t mpost = c->plen;
  if (!rc) {
    mpost = path_key(c, "post");
    rc = want_object(c, post);
  }
  for (const cJSON *fk = rc ? NULL : post->child; fk && !rc; fk = fk->next) {
    const char *fname = fk->string ? fk->string : "";
    if (c->opts && c->opts->fork && strcmp(c->opts->fork, fname) != 0) continue;
    size_t mf = path_key(c, fname);
    blk_fork fork = BLK_FORK_CANCUN;
    int known = blk_fork_from_name(fname, &fork) == BLK_OK;
    if (strlen(fname) >= FIX_FORK_NAME_MAX) rc = fail(c, FIX_E_UNSUPPORTED, "fork name too long");
    if (!rc) rc = want_array(c, fk);
    size_t i = 0;
    for (const cJSON *e = rc ? NULL : fk->child; e && !rc; e = e->next, i++) {
      size_t me = path_idx(c, i);
      fix_case *fc = case_push(cv);
      if (!fc) {
        rc = fail(c, FIX_E_NOMEM, "out of memory");
      } else {
        fc->test = strdup(c->test);
        snprintf(fc->fork_name, sizeof fc->fork_name, "%s", fname);
        fc->fork = fork;
        fc->post_index = i;
        if (!known) snprintf(fc->skip, sizeof fc->skip, "fork '%s' is not supported", fname);
        else if (c->unrep[0]) snprintf(fc->skip, sizeof fc->skip, "%s", c->unrep);
        rc = fc->test ? read_entry(c, e, &tt, fc) : fail(c, FIX_E_NOMEM, "out of memory");
      }
      path_pop(c, me);
    }
    path_pop(c, mf);
  }
  path_pop(c, mpost);
  blk_free(&tt.pre);
  tmpl_free(&tt.tx);
  return rc;
}

/* ---- files ---- */

void fix_file_free(fix_file *f) {
  if (!f) return;
  for (size_t i = 0; f->cases && i < f->n_cases; i++) fix_case_free(&f->cases[i]);
  free(f->cases);
  free(f->path);
  memset(f, 0, sizeof *f);
}

/* Line and column (1-based) of byte off in text. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

int fix_parse(const char *json, size_t len, const char *name, const fix_opts *opts, fix_file *out,
              fix_error *err) {
  pctx c;
  memset(&c, 0, sizeof c);
  memset(out, 0, sizeof *out);
  c.file = name ? name : "(fixture)";
  c.err = err;
  c.opts = opts;
  if (err) {
    err->code = FIX_OK;
    err->msg[0] = 0;
  }
  if (memchr(json, 0, len)) return fail(&c, FIX_E_JSON, "NUL byte inside the JSON text");
  char *text = malloc(len + 1);
  if (!text) return fail(&c, FIX_E_NOMEM, "out of memory");
  memcpy(text, json, len);
  text[len] = 0;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
  if (!root) {
    size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0, line, col;
    line_col(text, off, &line, &col);
    free(text);
    return fail(&c, FIX_E_JSON, "malformed JSON at line %zu column %zu (byte %zu)", line, col, off);
  }
  int rc = FIX_OK;
  case_vec cv = {NULL, 0, 0};
  if (!cJSON_IsObject(root)) rc = fail(&c, FIX_E_TYPE, "top level must be an object of tests");
  if (!rc && !root->child) rc = fail(&c, FIX_E_MISSING, "no tests in file");
  size_t n_tests = 0;
  for (const cJSON *t = rc ? NULL : root->child; t && !rc; t = t->next, n_tests++) {
    c.test = t->string ? t->string : "";
    rc = read_test(&c, t, &cv);
    c.test = NULL;
  }
  cJSON_Delete(root);
  free(text);
  if (!rc) {
    out->path = strdup(c.file);
    if (!out->path) rc = fail(&c, FIX_E_NOMEM, "out of memory");
  }
  if (rc) {
    for (size_t i = 0; i < cv.n; i++) fix_case_free(&cv.v[i]);
    free(cv.v);
    free(out->path);
    memset(out, 0, sizeof *out);
    return rc;
  }
  out->cases = cv.v;
  out->n_cases = cv.n;
  out->n_tests = n_tests;
  return FIX_OK;
}

int fix_load(const char *path, const fix_opts *opts, fix_file *out, fix_error *err) {
  memset(out, 0, sizeof *out);
  pctx c;
  memset(&c, 0, sizeof c);
  c.file = path;
  c.err = err;
  FILE *f = fopen(path, "rb");
  if (!f) return fail(&c, FIX_E_IO, "cannot open file");
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int rc = FIX_OK;
  for (;;) {
    if (len == cap) {
      if (cap > FIX_MAX_FILE_BYTES) {
        rc = fail(&c, FIX_E_RANGE, "file larger than %u bytes", FIX_MAX_FILE_BYTES);
        break;
      }
      size_t nc = cap ? cap * 2 : 1u << 16;
      char *nb = realloc(buf, nc);
      if (!nb) {
        rc = fail(&c, FIX_E_NOMEM, "out of memory");
        break;
      }
      buf = nb;
      cap = nc;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) rc = fail(&c, FIX_E_IO, "read error");
      break;
    }
  }
  fclose(f);
  if (!rc) rc = fix_parse(buf, len, path, opts, out, err);
  free(buf);
  return rc;
}

int fix_read_alloc(const struct cJSON *obj, const char *file, const char *test, const char *key, blk_block *b,
                   fix_error *err) {
  pctx c;
  memset(&c, 0, sizeof c);
  c.file = file ? file : "(fixture)";
  c.test = test;
  c.err = err;
  if (key) path_key(&c, key);
  fix_account *a = NULL;
  size_t n = 0;
  int rc = read_accounts(&c, obj, &a, &n);
  if (rc) return rc;
  rc = build_pre(a, n, b);
  accounts_free(a, n);
  if (rc) return fail(&c, rc, "out of memory");
  return FIX_OK;
}
