/* Helpers shared by the executor tests: build a one-block world in memory
 * (a funded test-key sender, contracts at fixed addresses, one or more
 * transactions), run it and read the post-state. Header-only (static), so each
 * test executable includes its own copy. */
#ifndef PKB_TESTS_EVM_TEST_UTIL_H
#define PKB_TESTS_EVM_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/txsig.h"
#include "evm/u256.h"

#define TU_MAX_ACCOUNTS 16
#define TU_MAX_TXS 8

typedef struct {
  blk_block b;
  blk_account acc[TU_MAX_ACCOUNTS];
  blk_bytes codes[TU_MAX_ACCOUNTS];
  blk_slot slots[TU_MAX_ACCOUNTS][8];
  blk_tx txs[TU_MAX_TXS];
  uint8_t sender[20];
  evm_block_result r;
} tu_world;

static inline void tu_u256(blk_u256 *out, uint64_t v) {
  memset(out->b, 0, 32);
  for (int i = 0; i < 8; i++) out->b[31 - i] = (uint8_t)(v >> (8 * i));
}

/* Address 0x00..00XXXX (big-endian v in the last bytes). */
static inline void tu_addr(uint8_t out[20], uint64_t v) {
  memset(out, 0, 20);
  for (int i = 0; i < 8; i++) out[19 - i] = (uint8_t)(v >> (8 * i));
}

static inline size_t tu_hex(const char *hex, uint8_t *out, size_t max) {
  size_t n = strlen(hex) / 2;
  if (n > max) n = max;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  return n;
}

/* A Cancun/Prague/Osaka block: base fee 7, gas limit 30M, chain id 1; the
 * sender is test key 0 with 10^20 wei. */
static inline void tu_init(tu_world *w, blk_fork fork) {
  memset(w, 0, sizeof *w);
  w->b.version = BLK_VERSION;
  w->b.env.fork = fork;
  w->b.env.chain_id = 1;
  w->b.env.number = 10;
  w->b.env.timestamp = 1000;
  w->b.env.gas_limit = 30000000;
  tu_u256(&w->b.env.base_fee, 7);
  tu_addr(w->b.env.coinbase.b, 0xc0ffee);
  w->b.accounts = w->acc;
  w->b.codes = w->codes;
  w->b.txs = w->txs;
  evm_test_address(0, w->sender);
  blk_account *s = &w->acc[w->b.n_accounts++];
  memcpy(s->address.b, w->sender, 20);
  /* 10^20 wei = 0x056bc75e2d63100000 */
  tu_hex("056bc75e2d63100000", s->balance.b + 23, 9);
}

/* Add an account at address v with code (hex, may be "") and balance. */
static inline blk_account *tu_contract(tu_world *w, uint64_t v, const char *code_hex, uint64_t balance) {
  blk_account *a = &w->acc[w->b.n_accounts++];
  tu_addr(a->address.b, v);
  tu_u256(&a->balance, balance);
  size_t n = strlen(code_hex) / 2;
  if (n) {
    blk_bytes *c = &w->codes[w->b.n_codes++];
    c->data = malloc(n);
    c->len = tu_hex(code_hex, c->data, n);
    a->code_ref = (uint32_t)w->b.n_codes;
  }
  a->storage = w->slots[w->b.n_accounts - 1];
  return a;
}

static inline void tu_slot(blk_account *a, uint64_t key, uint64_t value) {
  blk_slot *s = &a->storage[a->n_storage++];
  tu_u256(&s->key, key);
  tu_u256(&s->value, value);
}

/* A type-2 call (or create when to == 0) from test key 0, max fee 10, tip 1. */
static inline blk_tx *tu_tx(tu_world *w, uint64_t to, uint64_t gas, uint64_t value, const char *data_hex) {
  blk_tx *t = &w->txs[w->b.n_txs];
  memset(t, 0, sizeof *t);
  t->type = 2;
  t->nonce = w->b.n_txs;
  t->gas_limit = gas;
  if (to)
    tu_addr(t->to.b, to);
  else
    t->is_create = 1;
  tu_u256(&t->value, value);
  tu_u256(&t->gas_price, 10);
  tu_u256(&t->max_priority_fee, 1);
  size_t n = strlen(data_hex) / 2;
  if (n) {
    t->data.data = malloc(n);
    t->data.len = tu_hex(data_hex, t->data.data, n);
  }
  w->b.n_txs++;
  return t;
}

static inline int tu_run(tu_world *w, const evm_tracer *tr) { return evm_execute_block(&w->b, tr, &w->r); }

static inline void tu_free(tu_world *w) {
  evm_block_result_free(&w->r);
  for (size_t i = 0; i < w->b.n_codes; i++) free(w->codes[i].data);
  for (size_t i = 0; i < w->b.n_txs; i++) {
    free(w->txs[i].data.data);
    free(w->txs[i].access_list);
  }
}

/* Storage slot key of account v after the run, as a u256. */
static inline u256 tu_storage(const tu_world *w, uint64_t v, uint64_t key) {
  uint8_t a[20], k[32], val[32];
  tu_addr(a, v);
  memset(k, 0, 32);
  for (int i = 0; i < 8; i++) k[31 - i] = (uint8_t)(key >> (8 * i));
  evm_state_storage(w->r.state, a, k, val);
  u256 r;
  u256_from_be(&r, val);
  return r;
}

static inline uint64_t tu_storage64(const tu_world *w, uint64_t v, uint64_t key) {
  u256 r = tu_storage(w, v, key);
  return r.w[0];
}

#endif
