/* fix_json: the JSON writing shared by the fixture exporters (state_test,
 * fix_export.c; blockchain_test, fix_bc.c), in the form filled fixtures use.
 *
 * Building a document: every fixj_put_* adds one member to an object (key
 * non-NULL) or one element to an array (key NULL) and never fails loudly: an
 * allocation failure sets ctx->oom, after which further calls do nothing
 * harmful, and the caller checks oom once at the end. Items handed to
 * fixj_add belong to the document afterwards (or are freed on failure).
 */
#ifndef PKB_FIX_JSON_H
#define PKB_FIX_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "blk.h"

typedef struct {
  int oom; /* set by the first allocation failure */
} fixj_ctx;

void fixj_add(fixj_ctx *j, cJSON *obj, const char *key, cJSON *item);

/* "0x" and the bytes, lower case (possibly none). NULL on allocation failure. */
cJSON *fixj_hex_bytes(const uint8_t *p, size_t n);
/* A quantity: the significant bytes of a big-endian number, at least one
 * ("0x00" for zero). */
cJSON *fixj_hex_qty(const uint8_t *be, size_t n);
cJSON *fixj_hex_u64(uint64_t v);

void fixj_put_hex(fixj_ctx *j, cJSON *o, const char *k, const uint8_t *p, size_t n);
void fixj_put_qty(fixj_ctx *j, cJSON *o, const char *k, const uint8_t *be, size_t n);
void fixj_put_u64(fixj_ctx *j, cJSON *o, const char *k, uint64_t v);
void fixj_put_str(fixj_ctx *j, cJSON *o, const char *k, const char *s);
/* A new empty object / array added under k; NULL once oom is set. */
cJSON *fixj_put_obj(fixj_ctx *j, cJSON *o, const char *k);
cJSON *fixj_put_arr(fixj_ctx *j, cJSON *o, const char *k);

/* An address as an object key ("0x" + 40 digits), a slot key as a quantity. */
void fixj_addr_key(const uint8_t a[20], char out[43]);
void fixj_qty_key(const uint8_t be[32], char out[67]);

/* The accounts of pre as a fixture's account map under k (nonce, balance,
 * code, storage). */
void fixj_put_accounts(fixj_ctx *j, cJSON *o, const char *k, const blk_block *pre);

/* The account of pre at address a (accounts are sorted), or NULL. */
const blk_account *fixj_pre_find(const blk_block *p, const uint8_t a[20]);

/* 1 and *idx when a is the address of one of the first BLK_MAX_TEST_KEYS test
 * keys, else 0. */
int fixj_find_test_key(const uint8_t a[20], uint32_t *idx);

#endif
