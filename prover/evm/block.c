/* block: execution of a whole block and the public entry points of evm.h.
 *
 * Loads the pre-state, applies the transactions in order (an invalid one is
 * recorded and skipped), then computes the logs hash over all logs of the
 * block and the post-state root. The per-block interpreter context (stacks,
 * memory buffers) is made here and reused by every transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "evm/rlp.h"
#include "evm/vm.h"
#include "hash/keccak.h"

const char *evm_invalid_name(evm_invalid_reason r) {
  static const char *const names[] = {
#define X(id, name) name,
      EVM_INVALID_LIST(X)
#undef X
  };
  return (unsigned)r < EVM_INVALID_COUNT ? names[r] : "UNKNOWN";
}

const char *evm_strerror(int code) {
  switch (code) {
  case EVM_OK: return "ok";
  case EVM_E_NOMEM: return "out of memory";
  case EVM_E_UNSUPPORTED_PRECOMPILE: return "precompile not supported by this build";
  case EVM_E_ARG: return "bad argument";
  case EVM_E_INTERNAL: return "internal error";
  default: return "unknown error";
  }
}

void evm_blob_base_fee(blk_fork fork, uint64_t excess, uint8_t out[32]) {
  /* fake_exponential(1, excess, fraction) of EIP-4844, in 256-bit integers;
   * saturates at 2^256 - 1 (unreachable for any real excess). */
  const uint64_t fraction = evm_blob_schedule(fork)->update_fraction;
  u256 den = u256_from_u64(fraction), num = u256_from_u64(excess);
  u256 acc = den, output = u256_zero();
  int sat = 0;
  for (uint64_t i = 1; !u256_is_zero(&acc); i++) {
    if (u256_add(&output, &output, &acc)) {
      sat = 1;
      break;
    }
    /* acc = acc * num / (den * i); the product must not overflow. */
    if (u256_bits(&acc) + u256_bits(&num) > 255) {
      sat = 1;
      break;
    }
    u256 prod, d, di = u256_from_u64(i);
    u256_mul(&prod, &acc, &num);
    u256_mul(&d, &den, &di);
    u256_divmod(&acc, NULL, &prod, &d);
  }
  u256 r;
  if (sat) {
    r.w[0] = r.w[1] = r.w[2] = r.w[3] = ~(uint64_t)0;
  } else {
    u256_divmod(&r, NULL, &output, &den);
  }
  u256_to_be(&r, out);
}

int evm_logs_hash(const evm_log *logs, size_t n, uint8_t out[32]) {
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  for (size_t i = 0; i < n; i++) {
    const evm_log *l = &logs[i];
    rlp_list_begin(&e);
    rlp_put_bytes(&e, l->address, 20);
    rlp_list_begin(&e);
    for (size_t t = 0; t < l->n_topics; t++) rlp_put_bytes(&e, l->topics[t], 32);
    rlp_list_end(&e);
    rlp_put_bytes(&e, l->data, l->data_len);
    rlp_list_end(&e);
  }
  rlp_list_end(&e);
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc = rlp_enc_finish(&e, &buf, &len);
  if (rc != RLP_OK) {
    free(buf);
    return rc == RLP_E_NOMEM ? EVM_E_NOMEM : EVM_E_INTERNAL;
  }
  keccak256(buf, len, out);
  free(buf);
  return EVM_OK;
}

static int tracer_active(const evm_tracer *t) {
  return t && (t->on_step || t->on_memory || t->on_storage || t->on_storage_undo || t->on_keccak ||
               t->on_keccak_data || t->on_arith ||
               t->on_arith_values || t->on_precompile || t->on_precompile_input || t->on_sigrecover ||
               t->on_sigrecover_data || t->on_tx_start || t->on_tx_end);
}

/* The state's storage changes that no instruction makes, handed to the
 * tracer with the address and key as bytes. */
static void storage_undone(void *ctx, const evm_account *a, const evm_slot *sl, const u256 *from, const u256 *to,
                           int transient) {
  const evm_tracer *t = ctx;
  uint8_t k[32], f[32], v[32];
  u256_to_be(&sl->key, k);
  u256_to_be(from, f);
  u256_to_be(to, v);
  t->on_storage_undo(t->ctx, a->addr, k, transient, f, v);
}

/* The post-state root's hashing, handed to the tracer as EVM_KECCAK_TRIE. */
static void trie_hashed(void *ctx, const uint8_t *data, size_t len) {
  const evm_tracer *t = ((const evm_ctx *)ctx)->tr;
  t->on_keccak_data(t->ctx, data, len, EVM_KECCAK_TRIE);
}

static void free_logs(evm_log *logs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(logs[i].topics);
    free(logs[i].data);
  }
  free(logs);
}

static const evm_tracer no_tracer;

int evm_execute_block(const blk_block *b, const evm_tracer *tr, evm_block_result *out) {
  if (!out) return EVM_E_ARG;
  memset(out, 0, sizeof *out);
  if (!b || (unsigned)b->env.fork >= BLK_FORK_COUNT) return out->status = EVM_E_ARG;
  evm_ctx *c = calloc(1, sizeof *c);
  if (!c) return out->status = EVM_E_NOMEM;
  c->fork = b->env.fork;
  c->env = &b->env;
  c->tr = tr ? tr : &no_tracer;
  c->traced = tracer_active(tr);
  c->gas_table = evm_gas_table(c->fork);
  u256_from_be(&c->base_fee, b->env.base_fee.b);
  c->chain_id = u256_from_u64(b->env.chain_id);
  uint8_t bbf[32];
  evm_blob_base_fee(c->fork, b->env.excess_blob_gas, bbf);
  u256_from_be(&c->blob_base_fee, bbf);

  int rc = EVM_OK;
  c->st = evm_state_new(c->fork);
  if (!c->st) rc = EVM_E_NOMEM;
  if (rc == EVM_OK) rc = evm_state_load_block(c->st, b);
  if (rc == EVM_OK && c->traced && c->tr->on_storage_undo)
    evm_state_observe_storage(c->st, storage_undone, (void *)c->tr);
  if (rc == EVM_OK && b->n_txs) {
    out->txs = calloc(b->n_txs, sizeof *out->txs);
    if (!out->txs) rc = EVM_E_NOMEM;
  }
  for (size_t i = 0; rc == EVM_OK && i < b->n_txs; i++) {
    if (c->traced && c->tr->on_tx_start) c->tr->on_tx_start(c->tr->ctx, i);
    rc = evm_tx_apply(c, &b->txs[i], i, out->gas_used, out->blob_gas_used, &out->txs[i]);
    if (rc != EVM_OK) {
      /* The transaction did not complete: its partial result is dropped. */
      free(out->txs[i].output);
      free_logs(out->txs[i].logs, out->txs[i].n_logs);
      memset(&out->txs[i], 0, sizeof out->txs[i]);
      break;
    }
    evm_tx_result *t = &out->txs[i];
    out->n_txs = i + 1;
    if (t->status != EVM_TX_INVALID) {
      out->gas_used += t->gas_used;
      out->blob_gas_used += t->blob_gas_used;
    }
    if (c->traced && c->tr->on_tx_end)
      c->tr->on_tx_end(c->tr->ctx, i, t->gas_used, t->status == EVM_TX_INVALID);
  }
  out->steps = c->steps;
  if (rc == EVM_OK) {
    /* Logs hash over every log of the block, in order. */
    size_t total = 0;
    for (size_t i = 0; i < out->n_txs; i++) total += out->txs[i].n_logs;
    evm_log *all = total ? malloc(total * sizeof *all) : NULL;
    if (total && !all) {
      rc = EVM_E_NOMEM;
    } else {
      size_t k = 0;
      for (size_t i = 0; i < out->n_txs; i++)
        for (size_t j = 0; j < out->txs[i].n_logs; j++) all[k++] = out->txs[i].logs[j];
      rc = evm_logs_hash(all, total, out->logs_hash);
      free(all);
    }
  }
  if (rc == EVM_OK) {
    uint64_t perms = 0;
    int data = c->traced && c->tr->on_keccak_data;
    rc = evm_state_root_traced(c->st, out->state_root, &perms, data ? trie_hashed : NULL, c);
    if (rc == EVM_OK && c->traced && c->tr->on_keccak && perms) c->tr->on_keccak(c->tr->ctx, perms, EVM_KECCAK_TRIE);
  }
  evm_state_observe_storage(c->st, NULL, NULL); /* the tracer is the caller's, for this call only */
  out->state = c->st;
  evm_ctx_release(c);
  free(c);
  if (rc != EVM_OK) {
    memset(out->state_root, 0, 32);
    memset(out->logs_hash, 0, 32);
  }
  return out->status = rc;
}

void evm_block_result_free(evm_block_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n_txs; i++) {
    free_logs(r->txs[i].logs, r->txs[i].n_logs);
    free(r->txs[i].output);
  }
  free(r->txs);
  evm_state_free(r->state);
  memset(r, 0, sizeof *r);
}

const uint8_t *evm_result_state_root(const evm_block_result *r) { return r->state_root; }
const uint8_t *evm_result_logs_hash(const evm_block_result *r) { return r->logs_hash; }
