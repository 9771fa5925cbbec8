/* Merkle-Patricia trie roots: the ethereum/tests TrieTests vectors (trietest,
 * trieanyorder and their secure-trie variants, ethereum/tests TrieTests/ as of
 * commit e489c3cf, kept in tests/vectors/trie_*.json; an ordered "in" list is
 * applied as inserts with null meaning delete), the empty trie, nodes worked
 * out by hand, order independence over every permutation of a small set,
 * duplicate-key rejection and the work counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "evm/mpt.h"
#include "hash/keccak.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

/* TrieTests convention: a string starting with 0x is hex, anything else is
 * its own bytes; null is absence. Returns a malloc'd buffer (never NULL). */
static uint8_t *fixture_bytes(const cJSON *j, size_t *len) {
  if (cJSON_IsNull(j)) {
    *len = 0;
    return malloc(1);
  }
  assert_true(cJSON_IsString(j));
  const char *s = j->valuestring;
  size_t n = strlen(s);
  uint8_t *b = malloc(n + 1);
  assert_non_null(b);
  if (n >= 2 && s[0] == '0' && s[1] == 'x') {
    *len = (n - 2) / 2;
    hex_to_bytes(s + 2, b, *len);
  } else {
    memcpy(b, s, n);
    *len = n;
  }
  return b;
}

static cJSON *load_json(const char *name) {
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

/* A tiny ordered map with last-write-wins and delete-on-null, used to turn an
 * ordered TrieTests "in" stream into the final set of pairs. */
typedef struct {
  mpt_kv kv[128];
  uint8_t *own_k[128], *own_v[128];
  size_t n;
} kvset;

static void kvset_put(kvset *s, uint8_t *k, size_t kl, uint8_t *v, size_t vl) {
  for (size_t i = 0; i < s->n; i++) {
    if (s->kv[i].key_len == kl && memcmp(s->kv[i].key, k, kl) == 0) {
      free(k);
      free(s->own_v[i]);
      s->own_v[i] = v;
      s->kv[i].val = v;
      s->kv[i].val_len = vl;
      return;
    }
  }
  assert_true(s->n < 128);
  s->own_k[s->n] = k;
  s->own_v[s->n] = v;
  s->kv[s->n] = (mpt_kv){k, kl, v, vl};
  s->n++;
}

static void kvset_free(kvset *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->own_k[i]);
    free(s->own_v[i]);
  }
  s->n = 0;
}

static void run_file(const char *name, int secure) {
  cJSON *all = load_json(name);
  int cases = 0;
  for (cJSON *t = all->child; t; t = t->next) {
    kvset s = {0};
    cJSON *in = cJSON_GetObjectItemCaseSensitive(t, "in");
    cJSON *root = cJSON_GetObjectItemCaseSensitive(t, "root");
    assert_non_null(in);
    assert_true(cJSON_IsString(root));
    if (cJSON_IsArray(in)) {
      for (cJSON *p = in->child; p; p = p->next) {
        size_t kl, vl;
        uint8_t *k = fixture_bytes(cJSON_GetArrayItem(p, 0), &kl);
        uint8_t *v = fixture_bytes(cJSON_GetArrayItem(p, 1), &vl);
        kvset_put(&s, k, kl, v, vl);
      }
    } else {
      for (cJSON *p = in->child; p; p = p->next) {
        cJSON key = {0};
        key.type = cJSON_String;
        key.valuestring = p->string;
        size_t kl, vl;
        uint8_t *k = fixture_bytes(&key, &kl);
        uint8_t *v = fixture_bytes(p, &vl);
        kvset_put(&s, k, kl, v, vl);
      }
    }
    uint8_t want[32], got[32];
    hex_to_bytes(root->valuestring + 2, want, 32);
    mpt_stats st;
    int rc = secure ? mpt_secure_root(s.kv, s.n, got, &st) : mpt_root_stats(s.kv, s.n, got, &st);
    assert_int_equal(rc, MPT_OK);
    if (memcmp(got, want, 32) != 0) fail_msg("%s: case %s root differs", name, t->string);
    /* Reversing the input order never changes the root. */
    for (size_t i = 0; i < s.n / 2; i++) {
      mpt_kv tmp = s.kv[i];
      s.kv[i] = s.kv[s.n - 1 - i];
      s.kv[s.n - 1 - i] = tmp;
    }
    rc = secure ? mpt_secure_root(s.kv, s.n, got, NULL) : mpt_root(s.kv, s.n, got);
    assert_int_equal(rc, MPT_OK);
    assert_memory_equal(got, want, 32);
    kvset_free(&s);
    cases++;
  }
  assert_true(cases >= 3);
  cJSON_Delete(all);
}

static void test_trietest(void **s) {
  (void)s;
  run_file("trie_trietest.json", 0);
}
static void test_trietest_secure(void **s) {
  (void)s;
  run_file("trie_trietest_secure.json", 1);
}
static void test_anyorder(void **s) {
  (void)s;
  run_file("trie_anyorder.json", 0);
}
static void test_anyorder_secure(void **s) {
  (void)s;
  run_file("trie_anyorder_secure.json", 1);
}

/* The empty root is keccak256 of the RLP empty string 0x80, and every way of
 * asking for an empty trie gives it. */
static void test_empty(void **s) {
  (void)s;
  uint8_t out[32], want[32], rlp_empty = 0x80;
  keccak256(&rlp_empty, 1, want);
  assert_memory_equal(mpt_empty_root, want, 32);
  mpt_stats st;
  assert_int_equal(mpt_root_stats(NULL, 0, out, &st), MPT_OK);
  assert_memory_equal(out, want, 32);
  assert_int_equal(st.nodes, 0);
  mpt_kv only_absent[2] = {{(const uint8_t *)"a", 1, NULL, 0}, {(const uint8_t *)"b", 1, NULL, 0}};
  assert_int_equal(mpt_root(only_absent, 2, out), MPT_OK);
  assert_memory_equal(out, want, 32);
  assert_int_equal(mpt_secure_root(NULL, 0, out, NULL), MPT_OK);
  assert_memory_equal(out, want, 32);
}

/* A single leaf: the root is keccak of [hp(key, leaf), value], worked out by
 * hand here. Key "A" = nibbles 4,1 (even): hp = 0x20 0x41. */
static void test_single_leaf_by_hand(void **s) {
  (void)s;
  const uint8_t key[1] = {'A'}, val[3] = {'x', 'y', 'z'};
  const uint8_t node[] = {0xc7, 0x82, 0x20, 0x41, 0x83, 'x', 'y', 'z'};
  uint8_t want[32], got[32];
  keccak256(node, sizeof node, want);
  mpt_kv kv = {key, 1, val, 3};
  mpt_stats st;
  assert_int_equal(mpt_root_stats(&kv, 1, got, &st), MPT_OK);
  assert_memory_equal(got, want, 32);
  assert_int_equal(st.nodes, 1);
  assert_int_equal(st.hashed_nodes, 1);
  assert_int_equal(st.hashed_bytes, sizeof node);
  assert_int_equal(st.keccak_perms, 1);
}

/* Two keys "a" (0x61) and "b" (0x62) share nibble 6: an extension [0x16, branch]
 * over a branch holding two embedded leaves [0x20, "1"] and [0x20, "2"] at
 * children 1 and 2. Everything is below 32 bytes, so only the root is hashed. */
static void test_extension_by_hand(void **s) {
  (void)s;
  const uint8_t branch[] = {0xd5, 0x80, 0xc2, 0x20, '1', 0xc2, 0x20, '2', 0x80, 0x80, 0x80, 0x80,
                            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
  uint8_t ext[2 + 1 + sizeof branch];
  ext[0] = (uint8_t)(0xc0 + 1 + sizeof branch);
  ext[1] = 0x16;
  memcpy(ext + 2, branch, sizeof branch);
  assert_true(sizeof branch < 32);
  uint8_t want[32], got[32];
  keccak256(ext, 2 + sizeof branch, want);
  mpt_kv kv[2] = {{(const uint8_t *)"b", 1, (const uint8_t *)"2", 1},
                  {(const uint8_t *)"a", 1, (const uint8_t *)"1", 1}};
  mpt_stats st;
  assert_int_equal(mpt_root_stats(kv, 2, got, &st), MPT_OK);
  assert_memory_equal(got, want, 32);
  assert_int_equal(st.nodes, 4);
  assert_int_equal(st.hashed_nodes, 1);
}

static void test_duplicates(void **s) {
  (void)s;
  uint8_t out[32];
  mpt_kv kv[3] = {{(const uint8_t *)"dog", 3, (const uint8_t *)"x", 1},
                  {(const uint8_t *)"cat", 3, (const uint8_t *)"y", 1},
                  {(const uint8_t *)"dog", 3, (const uint8_t *)"x", 1}};
  assert_int_equal(mpt_root(kv, 3, out), MPT_E_DUPKEY);
  assert_int_equal(mpt_secure_root(kv, 3, out, NULL), MPT_E_DUPKEY);
  kv[2].val_len = 0; /* an absent duplicate is still a duplicate */
  assert_int_equal(mpt_root(kv, 3, out), MPT_E_DUPKEY);
  assert_int_equal(mpt_root(kv, 2, out), MPT_OK);
  assert_int_equal(mpt_root(NULL, 1, out), MPT_E_ARG);
  assert_int_equal(mpt_root(kv, 2, NULL), MPT_E_ARG);
}

/* Every permutation of a 6-key set with shared prefixes, a key that is a
 * prefix of others and an empty key gives one root. */
static void test_all_orders(void **s) {
  (void)s;
  static const char *keys[6] = {"", "do", "dog", "doge", "horse", "dogglesworth"};
  static const char *vals[6] = {"root", "verb", "puppy", "coin", "stallion",
                                "a value long enough to force this leaf to be hashed by its parent"};
  mpt_kv base[6];
  for (int i = 0; i < 6; i++)
    base[i] = (mpt_kv){(const uint8_t *)keys[i], strlen(keys[i]), (const uint8_t *)vals[i], strlen(vals[i])};
  uint8_t want[32], got[32];
  assert_int_equal(mpt_root(base, 6, want), MPT_OK);
  int idx[6] = {0, 1, 2, 3, 4, 5}, perms = 0;
  /* Heap's algorithm, iterative. */
  int c[6] = {0};
  for (int i = 0; i < 6;) {
    if (c[i] < i) {
      int j = (i & 1) ? c[i] : 0, t = idx[j];
      idx[j] = idx[i];
      idx[i] = t;
      mpt_kv kv[6];
      for (int k = 0; k < 6; k++) kv[k] = base[idx[k]];
      assert_int_equal(mpt_root(kv, 6, got), MPT_OK);
      assert_memory_equal(got, want, 32);
      perms++;
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
  assert_int_equal(perms, 719);
  /* Dropping any one key changes the root. */
  for (int d = 0; d < 6; d++) {
    mpt_kv kv[5];
    for (int k = 0, m = 0; k < 6; k++)
      if (k != d) kv[m++] = base[k];
    assert_int_equal(mpt_root(kv, 5, got), MPT_OK);
    assert_memory_not_equal(got, want, 32);
  }
}

/* Secure root over n keys costs at least one permutation per key plus one per
 * hashed node; a large set exercises deep recursion and many hashed nodes. */
static void test_secure_stats(void **s) {
  (void)s;
  enum { N = 2000 };
  static uint8_t keys[N][4], vals[N][40];
  static mpt_kv kv[N];
  for (uint32_t i = 0; i < N; i++) {
    keys[i][0] = (uint8_t)(i >> 24);
    keys[i][1] = (uint8_t)(i >> 16);
    keys[i][2] = (uint8_t)(i >> 8);
    keys[i][3] = (uint8_t)i;
    memset(vals[i], (int)(i & 0xff) | 1, sizeof vals[i]);
    kv[i] = (mpt_kv){keys[i], 4, vals[i], sizeof vals[i]};
  }
  uint8_t r1[32], r2[32];
  mpt_stats st;
  assert_int_equal(mpt_secure_root(kv, N, r1, &st), MPT_OK);
  assert_true(st.keccak_perms >= N + st.hashed_nodes);
  assert_true(st.hashed_nodes >= N); /* 40-byte values: every leaf is >= 32 bytes */
  /* The secure root equals the plain root over the hashed keys. */
  static uint8_t hk[N][32];
  static mpt_kv kv2[N];
  for (size_t i = 0; i < N; i++) {
    keccak256(keys[i], 4, hk[i]);
    kv2[i] = (mpt_kv){hk[i], 32, vals[i], sizeof vals[i]};
  }
  mpt_stats st2;
  assert_int_equal(mpt_root_stats(kv2, N, r2, &st2), MPT_OK);
  assert_memory_equal(r1, r2, 32);
  assert_int_equal(st.keccak_perms, st2.keccak_perms + N);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trietest),       cmocka_unit_test(test_trietest_secure),
      cmocka_unit_test(test_anyorder),       cmocka_unit_test(test_anyorder_secure),
      cmocka_unit_test(test_empty),          cmocka_unit_test(test_single_leaf_by_hand),
      cmocka_unit_test(test_extension_by_hand), cmocka_unit_test(test_duplicates),
      cmocka_unit_test(test_all_orders),     cmocka_unit_test(test_secure_stats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
