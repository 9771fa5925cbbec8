/* fix_json: the JSON writing shared by the fixture exporters (state_test in
 * fix_export.c, blockchain_test in fix_bc.c): hex quantities and byte strings
 * as filled fixtures write them, and the pre-state's account map. */
#include "fix_json.h"

#include <stdlib.h>
#include <string.h>

#include "evm/txsig.h"


static const char hexd[] = "0123456789abcdef";

void fixj_add(fixj_ctx *j, cJSON *obj, const char *key, cJSON *item) {
  if (!item) {
    j->oom = 1;
    return;
  }
  if (obj && key ? !cJSON_AddItemToObject(obj, key, item) : !cJSON_AddItemToArray(obj, item)) {
    cJSON_Delete(item);
    j->oom = 1;
  }
}

/* "0x" and the bytes (possibly none). */
cJSON *fixj_hex_bytes(const uint8_t *p, size_t n) {
  char *s = malloc(2 * n + 3);
  if (!s) return NULL;
  s[0] = '0';
  s[1] = 'x';
  for (size_t i = 0; i < n; i++) {
    s[2 + 2 * i] = hexd[p[i] >> 4];
    s[3 + 2 * i] = hexd[p[i] & 15];
  }
  s[2 + 2 * n] = 0;
  cJSON *it = cJSON_CreateString(s);
  free(s);
  return it;
}

/* A quantity as filled fixtures write it: the significant bytes, at least one
 * ("0x00" for zero). */
cJSON *fixj_hex_qty(const uint8_t *be, size_t n) {
  size_t i = 0;
  while (i + 1 < n && be[i] == 0) i++;
  return fixj_hex_bytes(be + i, n - i);
}

cJSON *fixj_hex_u64(uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++) b[7 - i] = (uint8_t)(v >> (8 * i));
  return fixj_hex_qty(b, 8);
}

void fixj_put_hex(fixj_ctx *j, cJSON *o, const char *k, const uint8_t *p, size_t n) { fixj_add(j, o, k, fixj_hex_bytes(p, n)); }
void fixj_put_qty(fixj_ctx *j, cJSON *o, const char *k, const uint8_t *be, size_t n) { fixj_add(j, o, k, fixj_hex_qty(be, n)); }
void fixj_put_u64(fixj_ctx *j, cJSON *o, const char *k, uint64_t v) { fixj_add(j, o, k, fixj_hex_u64(v)); }
void fixj_put_str(fixj_ctx *j, cJSON *o, const char *k, const char *s) { fixj_add(j, o, k, cJSON_CreateString(s)); }

cJSON *fixj_put_obj(fixj_ctx *j, cJSON *o, const char *k) {
  cJSON *c = cJSON_CreateObject();
  fixj_add(j, o, k, c);
  return j->oom ? NULL : c;
}

cJSON *fixj_put_arr(fixj_ctx *j, cJSON *o, const char *k) {
  cJSON *c = cJSON_CreateArray();
  fixj_add(j, o, k, c);
  return j->oom ? NULL : c;
}

/* An address as an object key: "0x" and 40 lower-case digits. */
void fixj_addr_key(const uint8_t a[20], char out[43]) {
  out[0] = '0';
  out[1] = 'x';
  for (int i = 0; i < 20; i++) {
    out[2 + 2 * i] = hexd[a[i] >> 4];
    out[3 + 2 * i] = hexd[a[i] & 15];
  }
  out[42] = 0;
}

/* A slot key written as a quantity, as the fixtures' storage maps do. */
void fixj_qty_key(const uint8_t be[32], char out[67]) {
  size_t i = 0;
  while (i < 31 && be[i] == 0) i++;
  out[0] = '0';
  out[1] = 'x';
  size_t w = 2;
  for (; i < 32; i++) {
    out[w++] = hexd[be[i] >> 4];
    out[w++] = hexd[be[i] & 15];
  }
  out[w] = 0;
}

void fixj_put_accounts(fixj_ctx *j, cJSON *o, const char *k, const blk_block *pre) {
  cJSON *m = fixj_put_obj(j, o, k);
  for (size_t i = 0; m && !j->oom && i < pre->n_accounts; i++) {
    const blk_account *a = &pre->accounts[i];
    char key[67];
    fixj_addr_key(a->address.b, key);
    cJSON *acc = fixj_put_obj(j, m, key);
    if (!acc) return;
    fixj_put_u64(j, acc, "nonce", a->nonce);
    fixj_put_qty(j, acc, "balance", a->balance.b, 32);
    if (a->code_ref) fixj_put_hex(j, acc, "code", pre->codes[a->code_ref - 1].data, pre->codes[a->code_ref - 1].len);
    else fixj_put_hex(j, acc, "code", NULL, 0);
    cJSON *st = fixj_put_obj(j, acc, "storage");
    for (size_t s = 0; st && !j->oom && s < a->n_storage; s++) {
      fixj_qty_key(a->storage[s].key.b, key);
      fixj_put_qty(j, st, key, a->storage[s].value.b, 32);
    }
  }
}

const blk_account *fixj_pre_find(const blk_block *p, const uint8_t a[20]) {
  size_t lo = 0, hi = p->n_accounts;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(p->accounts[mid].address.b, a, 20);
    if (c == 0) return &p->accounts[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* The test key whose address is a, if any (first BLK_MAX_TEST_KEYS keys). */
int fixj_find_test_key(const uint8_t a[20], uint32_t *idx) {
  for (uint32_t i = 0; i < BLK_MAX_TEST_KEYS; i++) {
    uint8_t t[20];
    if (evm_test_address(i, t) != EVM_SIG_OK) return 0;
    if (memcmp(t, a, 20) == 0) {
      *idx = i;
      return 1;
    }
  }
  return 0;
}
