/* mpt: Merkle-Patricia trie roots by one recursive pass over sorted keys.
 *
 * The pairs are sorted by key bytes (byte order equals nibble order), so the
 * keys below any trie node form a contiguous run. build() turns a run and a
 * nibble depth into a node reference: a run of one key is a leaf; a run whose
 * keys all share more nibbles is an extension over a branch; otherwise it is a
 * branch whose children are the sub-runs of each next nibble (a key that ends
 * exactly at the branch sorts first and becomes the branch value). Each node
 * is encoded once, so the cost is O(total key nibbles) plus the hashing.
 * Recursion depth is bounded by the longest key in nibbles.
 */
#include "evm/mpt.h"

#include <stdlib.h>
#include <string.h>

#include "evm/rlp.h"
#include "hash/keccak.h"

const uint8_t mpt_empty_root[32] = {
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21};

/* A child reference as its parent stores it: the raw encoding of a node
 * shorter than 32 bytes (embedded), or the 32-byte hash of a longer one. */
typedef struct {
  uint8_t b[32];
  uint8_t len;
  uint8_t embedded;
} mpt_ref;

typedef struct {
  const mpt_kv **items;
  mpt_stats st;
  mpt_hash_fn on_hash; /* may be NULL */
  void *hash_ctx;
} mpt_ctx;

static unsigned nibble(const mpt_kv *kv, size_t i) {
  uint8_t b = kv->key[i >> 1];
  return (i & 1) ? (b & 0x0f) : (b >> 4);
}

static int cmp_kv(const void *pa, const void *pb) {
  const mpt_kv *a = *(const mpt_kv *const *)pa, *b = *(const mpt_kv *const *)pb;
  size_t m = a->key_len < b->key_len ? a->key_len : b->key_len;
  int c = m ? memcmp(a->key, b->key, m) : 0;
  if (c) return c;
  return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* Hex-prefix encoding of nibbles [from, to) of kv's key into hp (room for
 * (to - from) / 2 + 1 bytes); returns its length. */
static size_t hex_prefix(const mpt_kv *kv, size_t from, size_t to, int leaf, uint8_t *hp) {
  size_t n = to - from, o = 0, i = from;
  uint8_t flag = (uint8_t)((leaf ? 2 : 0) + (n & 1));
  if (n & 1) {
    hp[o++] = (uint8_t)(flag << 4 | nibble(kv, i));
    i++;
  } else {
    hp[o++] = (uint8_t)(flag << 4);
  }
  for (; i < to; i += 2) hp[o++] = (uint8_t)(nibble(kv, i) << 4 | nibble(kv, i + 1));
  return o;
}

static void put_ref(rlp_enc *e, const mpt_ref *r) {
  if (r->embedded)
    rlp_put_raw(e, r->b, r->len);
  else
    rlp_put_bytes(e, r->b, 32);
}

/* Finish the node being encoded in e and turn it into a reference. */
static int finish_node(mpt_ctx *c, rlp_enc *e, int is_root, mpt_ref *out) {
  uint8_t *buf;
  size_t len;
  if (rlp_enc_finish(e, &buf, &len) != RLP_OK) return MPT_E_NOMEM;
  c->st.nodes++;
  if (len < 32 && !is_root) {
    memcpy(out->b, buf, len);
    out->len = (uint8_t)len;
    out->embedded = 1;
  } else {
    if (c->on_hash) c->on_hash(c->hash_ctx, buf, len);
    keccak256(buf, len, out->b);
    out->len = 32;
    out->embedded = 0;
    c->st.hashed_nodes++;
    c->st.hashed_bytes += len;
    c->st.keccak_perms += keccak256_permutations(len);
  }
  free(buf);
  return MPT_OK;
}

/* Leaf or extension: [hp(path), payload]. payload is the value (leaf) or the
 * child reference (extension). */
static int short_node(mpt_ctx *c, const mpt_kv *kv, size_t from, size_t to, int leaf,
                      const mpt_ref *child, int is_root, mpt_ref *out) {
  uint8_t small[64], *hp = small;
  size_t need = (to - from) / 2 + 1;
  if (need > sizeof small && !(hp = malloc(need))) return MPT_E_NOMEM;
  size_t hl = hex_prefix(kv, from, to, leaf, hp);
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  rlp_put_bytes(&e, hp, hl);
  if (leaf)
    rlp_put_bytes(&e, kv->val, kv->val_len);
  else
    put_ref(&e, child);
  rlp_list_end(&e);
  if (hp != small) free(hp);
  return finish_node(c, &e, is_root, out);
}

static int build(mpt_ctx *c, size_t lo, size_t hi, size_t depth, int is_root, mpt_ref *out);

/* Branch at depth over items [lo, hi): every key has at least depth nibbles,
 * and the keys do not all continue with one common nibble. */
static int branch(mpt_ctx *c, size_t lo, size_t hi, size_t depth, int is_root, mpt_ref *out) {
  const mpt_kv *value = NULL;
  if (2 * c->items[lo]->key_len == depth) value = c->items[lo++];
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  size_t i = lo;
  for (unsigned k = 0; k < 16; k++) {
    size_t j = i;
    while (j < hi && nibble(c->items[j], depth) == k) j++;
    if (j == i) {
      rlp_put_bytes(&e, NULL, 0);
      continue;
    }
    mpt_ref child;
    int rc = build(c, i, j, depth + 1, 0, &child);
    if (rc) {
      rlp_enc_free(&e);
      return rc;
    }
    put_ref(&e, &child);
    i = j;
  }
  if (value)
    rlp_put_bytes(&e, value->val, value->val_len);
  else
    rlp_put_bytes(&e, NULL, 0);
  rlp_list_end(&e);
  return finish_node(c, &e, is_root, out);
}

static int build(mpt_ctx *c, size_t lo, size_t hi, size_t depth, int is_root, mpt_ref *out) {
  const mpt_kv *first = c->items[lo];
  if (hi - lo == 1) return short_node(c, first, depth, 2 * first->key_len, 1, NULL, is_root, out);
  /* Sorted run: the common prefix of all keys is that of the first and last. */
  const mpt_kv *last = c->items[hi - 1];
  size_t lim = 2 * first->key_len, cp = depth;
  while (cp < lim && nibble(first, cp) == nibble(last, cp)) cp++;
  if (cp == depth) return branch(c, lo, hi, depth, is_root, out);
  mpt_ref child;
  int rc = branch(c, lo, hi, cp, 0, &child);
  if (rc) return rc;
  return short_node(c, first, depth, cp, 0, &child, is_root, out);
}

/* Sort, reject duplicates, drop empty values, build. */
static int root_of(const mpt_kv *kv, size_t n, uint8_t out[32], mpt_stats *acc, mpt_hash_fn on_hash,
                   void *hash_ctx) {
  mpt_ctx c;
  memset(&c, 0, sizeof c);
  c.on_hash = on_hash;
  c.hash_ctx = hash_ctx;
  if (n == 0) {
    memcpy(out, mpt_empty_root, 32);
    return MPT_OK;
  }
  if (n > SIZE_MAX / sizeof *c.items) return MPT_E_NOMEM;
  c.items = malloc(n * sizeof *c.items);
  if (!c.items) return MPT_E_NOMEM;
  for (size_t i = 0; i < n; i++) c.items[i] = &kv[i];
  qsort(c.items, n, sizeof *c.items, cmp_kv);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && cmp_kv(&c.items[i - 1], &c.items[i]) == 0) {
      free(c.items);
      return MPT_E_DUPKEY;
    }
  }
  for (size_t i = 0; i < n; i++)
    if (c.items[i]->val_len) c.items[m++] = c.items[i];
  int rc = MPT_OK;
  if (m == 0) {
    memcpy(out, mpt_empty_root, 32);
  } else {
    mpt_ref r;
    rc = build(&c, 0, m, 0, 1, &r);
    if (rc == MPT_OK) memcpy(out, r.b, 32);
  }
  free(c.items);
  if (rc == MPT_OK && acc) {
    acc->nodes += c.st.nodes;
    acc->hashed_nodes += c.st.hashed_nodes;
    acc->hashed_bytes += c.st.hashed_bytes;
    acc->keccak_perms += c.st.keccak_perms;
  }
  return rc;
}

static int check_args(const mpt_kv *kv, size_t n, const uint8_t *out) {
  if (!out || (n && !kv)) return MPT_E_ARG;
  for (size_t i = 0; i < n; i++)
    if ((kv[i].key_len && !kv[i].key) || (kv[i].val_len && !kv[i].val)) return MPT_E_ARG;
  return MPT_OK;
}

int mpt_root_traced(const mpt_kv *kv, size_t n, uint8_t out[32], mpt_stats *st, mpt_hash_fn on_hash, void *ctx) {
  mpt_stats s;
  memset(&s, 0, sizeof s);
  int rc = check_args(kv, n, out);
  if (rc == MPT_OK) rc = root_of(kv, n, out, &s, on_hash, ctx);
  if (st) *st = s;
  return rc;
}

int mpt_root_stats(const mpt_kv *kv, size_t n, uint8_t out[32], mpt_stats *st) {
  return mpt_root_traced(kv, n, out, st, NULL, NULL);
}

int mpt_root(const mpt_kv *kv, size_t n, uint8_t out[32]) { return mpt_root_stats(kv, n, out, NULL); }

int mpt_secure_root(const mpt_kv *kv, size_t n, uint8_t out[32], mpt_stats *st) {
  mpt_stats s;
  const mpt_kv **sorted = NULL;
  mpt_kv *hk = NULL;
  uint8_t(*hashes)[32] = NULL;
  memset(&s, 0, sizeof s);
  int rc = check_args(kv, n, out);
  if (rc) goto done;
  if (n == 0) {
    memcpy(out, mpt_empty_root, 32);
    goto done;
  }
  /* Equal keys must be reported as duplicates, not silently merged by the
   * hashing: detect them on the original keys first. */
  if (n > SIZE_MAX / sizeof(mpt_kv) || n > SIZE_MAX / 32) {
    rc = MPT_E_NOMEM;
    goto out;
  }
  sorted = malloc(n * sizeof *sorted);
  hk = malloc(n * sizeof *hk);
  hashes = malloc(n * 32);
  if (!sorted || !hk || !hashes) {
    rc = MPT_E_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < n; i++) sorted[i] = &kv[i];
  qsort(sorted, n, sizeof *sorted, cmp_kv);
  for (size_t i = 1; i < n; i++)
    if (cmp_kv(&sorted[i - 1], &sorted[i]) == 0) {
      rc = MPT_E_DUPKEY;
      goto out;
    }
  for (size_t i = 0; i < n; i++) {
    keccak256(kv[i].key, kv[i].key_len, hashes[i]);
    if (kv[i].val_len) s.keccak_perms += keccak256_permutations(kv[i].key_len);
    hk[i].key = hashes[i];
    hk[i].key_len = 32;
    hk[i].val = kv[i].val;
    hk[i].val_len = kv[i].val_len;
  }
  rc = root_of(hk, n, out, &s, NULL, NULL);
out:
  free(sorted);
  free(hk);
  free(hashes);
done:
  if (st) *st = s;
  return rc;
}
