/* txsig: signing hashes, signatures and senders of the five transaction types,
 * and the deterministic test keys.
 *
 * Sender lookup is on the executor's path for every transaction, so test-key
 * addresses are cached (one elliptic-curve multiplication per index, ever) and
 * the cache is read lock-free once an entry is published. Signature recovery
 * is only done for senders given by address, as imported fixtures carry them.
 */
#include "evm/txsig.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "evm/rlp.h"
#include "hash/keccak.h"

static const uint8_t test_key0[32] = {
    0x45, 0xa9, 0x15, 0xe4, 0xd0, 0x60, 0x14, 0x9e, 0xb4, 0x36, 0x59, 0x60, 0xe6, 0xa7, 0xa4, 0x5f,
    0x33, 0x43, 0x93, 0x09, 0x30, 0x61, 0x11, 0x6b, 0x19, 0x7e, 0x32, 0x40, 0x06, 0x5f, 0xf2, 0xd8};
static const char test_key_domain[16] = {'p', 'k', 'b', 'e', 'n', 'c', 'h', ' ',
                                         't', 'e', 's', 't', ' ', 'k', 'e', 'y'};

/* secp256k1 group order n and n/2 (floor), big-endian. */
static const uint8_t secp_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t secp_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

static secp256k1_context *g_ctx;
static pthread_once_t g_ctx_once = PTHREAD_ONCE_INIT;
static void ctx_init(void) { g_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE); }
static const secp256k1_context *ctx(void) {
  pthread_once(&g_ctx_once, ctx_init);
  return g_ctx;
}

/* ---- 256-bit big-endian arithmetic ---- */

static int be_is_zero(const uint8_t *a, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++) acc |= a[i];
  return acc == 0;
}
static int be_cmp(const uint8_t a[32], const uint8_t b[32]) { return memcmp(a, b, 32); }
static void be_from_u64(uint8_t out[32], uint64_t v) {
  memset(out, 0, 32);
  for (int i = 0; i < 8; i++) out[31 - i] = (uint8_t)(v >> (8 * i));
}
/* 1 and *v set when the value fits 64 bits. */
static int be_to_u64(const uint8_t a[32], uint64_t *v) {
  if (!be_is_zero(a, 24)) return 0;
  uint64_t x = 0;
  for (int i = 24; i < 32; i++) x = x << 8 | a[i];
  *v = x;
  return 1;
}

/* r, s in [1, n-1]; with low_s, s <= n/2 as well. */
static int rs_valid(const uint8_t r[32], const uint8_t s[32], int low_s) {
  if (be_is_zero(r, 32) || be_is_zero(s, 32)) return 0;
  if (be_cmp(r, secp_n) >= 0 || be_cmp(s, secp_n) >= 0) return 0;
  if (low_s && be_cmp(s, secp_half_n) > 0) return 0;
  return 1;
}

/* ---- keys and addresses ---- */

static void pubkey_to_address(const secp256k1_pubkey *pk, uint8_t addr[20]) {
  uint8_t ser[65], h[32];
  size_t len = sizeof ser;
  secp256k1_ec_pubkey_serialize(ctx(), ser, &len, pk, SECP256K1_EC_UNCOMPRESSED);
  keccak256(ser + 1, 64, h);
  memcpy(addr, h + 12, 20);
}

int evm_priv_to_address(const uint8_t priv[32], uint8_t addr[20]) {
  if (!priv || !addr) return EVM_SIG_E_ARG;
  const secp256k1_context *c = ctx();
  if (!c) return EVM_SIG_E_NOMEM;
  secp256k1_pubkey pk;
  if (!secp256k1_ec_pubkey_create(c, &pk, priv)) return EVM_SIG_E_KEY;
  pubkey_to_address(&pk, addr);
  return EVM_SIG_OK;
}

int evm_test_key(uint32_t i, uint8_t priv[32]) {
  if (!priv) return EVM_SIG_E_ARG;
  if (i >= BLK_MAX_TEST_KEYS) return EVM_SIG_E_KEY;
  if (i == 0) {
    memcpy(priv, test_key0, 32);
    return EVM_SIG_OK;
  }
  uint8_t msg[sizeof test_key_domain + 4];
  memcpy(msg, test_key_domain, sizeof test_key_domain);
  msg[16] = (uint8_t)(i >> 24);
  msg[17] = (uint8_t)(i >> 16);
  msg[18] = (uint8_t)(i >> 8);
  msg[19] = (uint8_t)i;
  keccak256(msg, sizeof msg, priv);
  if (be_is_zero(priv, 32) || be_cmp(priv, secp_n) >= 0) return EVM_SIG_E_KEY;
  return EVM_SIG_OK;
}

/* Address cache: an entry is written under the lock, then published by a
 * release store of its flag; readers that see the flag (acquire) see the
 * address. */
static uint8_t g_addr[BLK_MAX_TEST_KEYS][20];
static atomic_uchar g_addr_ready[BLK_MAX_TEST_KEYS];
static pthread_mutex_t g_addr_lock = PTHREAD_MUTEX_INITIALIZER;

int evm_test_address(uint32_t i, uint8_t addr[20]) {
  if (!addr) return EVM_SIG_E_ARG;
  if (i >= BLK_MAX_TEST_KEYS) return EVM_SIG_E_KEY;
  if (atomic_load_explicit(&g_addr_ready[i], memory_order_acquire)) {
    memcpy(addr, g_addr[i], 20);
    return EVM_SIG_OK;
  }
  uint8_t priv[32], a[20];
  int rc = evm_test_key(i, priv);
  if (rc == EVM_SIG_OK) rc = evm_priv_to_address(priv, a);
  memset(priv, 0, sizeof priv);
  if (rc != EVM_SIG_OK) return rc;
  pthread_mutex_lock(&g_addr_lock);
  if (!atomic_load_explicit(&g_addr_ready[i], memory_order_relaxed)) {
    memcpy(g_addr[i], a, 20);
    atomic_store_explicit(&g_addr_ready[i], 1, memory_order_release);
  }
  pthread_mutex_unlock(&g_addr_lock);
  memcpy(addr, a, 20);
  return EVM_SIG_OK;
}

int evm_ecrecover(const uint8_t hash[32], int recid, const uint8_t r[32], const uint8_t s[32],
                  uint8_t addr[20]) {
  if (!hash || !r || !s || !addr) return EVM_SIG_E_ARG;
  if (recid < 0 || recid > 1 || !rs_valid(r, s, 0)) return EVM_SIG_E_INVALID;
  const secp256k1_context *c = ctx();
  if (!c) return EVM_SIG_E_NOMEM;
  uint8_t rs[64];
  memcpy(rs, r, 32);
  memcpy(rs + 32, s, 32);
  secp256k1_ecdsa_recoverable_signature sig;
  secp256k1_pubkey pk;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(c, &sig, rs, recid)) return EVM_SIG_E_INVALID;
  if (!secp256k1_ecdsa_recover(c, &pk, &sig, hash)) return EVM_SIG_E_INVALID;
  pubkey_to_address(&pk, addr);
  return EVM_SIG_OK;
}

/* Sign a 32-byte hash: r, s (low s) and the recovery id. */
static int sign_hash(const uint8_t hash[32], const uint8_t priv[32], uint8_t r[32], uint8_t s[32],
                     int *recid) {
  const secp256k1_context *c = ctx();
  if (!c) return EVM_SIG_E_NOMEM;
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_sign_recoverable(c, &sig, hash, priv, NULL, NULL)) return EVM_SIG_E_KEY;
  uint8_t rs[64];
  secp256k1_ecdsa_recoverable_signature_serialize_compact(c, rs, recid, &sig);
  memcpy(r, rs, 32);
  memcpy(s, rs + 32, 32);
  return EVM_SIG_OK;
}

/* ---- transaction encodings ---- */

static void put_to(rlp_enc *e, const blk_tx *tx) {
  if (tx->is_create)
    rlp_put_bytes(e, NULL, 0);
  else
    rlp_put_bytes(e, tx->to.b, 20);
}

/* The fields of a typed transaction before its signature, without the
 * enclosing list. */
static void put_typed_fields(rlp_enc *e, const blk_tx *tx, uint64_t chain_id) {
  rlp_put_u64(e, chain_id);
  rlp_put_u64(e, tx->nonce);
  if (tx->type >= 2) rlp_put_u256(e, tx->max_priority_fee.b);
  rlp_put_u256(e, tx->gas_price.b);
  rlp_put_u64(e, tx->gas_limit);
  put_to(e, tx);
  rlp_put_u256(e, tx->value.b);
  rlp_put_bytes(e, tx->data.data, tx->data.len);
  blk_put_access_list(e, tx);
  if (tx->type == 3) {
    rlp_put_u256(e, tx->max_fee_per_blob_gas.b);
    rlp_list_begin(e);
    for (size_t i = 0; i < tx->n_blob_hashes; i++) rlp_put_bytes(e, tx->blob_hashes[i], 32);
    rlp_list_end(e);
  }
  if (tx->type == 4) blk_put_auths(e, tx);
}

static void put_legacy_fields(rlp_enc *e, const blk_tx *tx) {
  rlp_put_u64(e, tx->nonce);
  rlp_put_u256(e, tx->gas_price.b);
  rlp_put_u64(e, tx->gas_limit);
  put_to(e, tx);
  rlp_put_u256(e, tx->value.b);
  rlp_put_bytes(e, tx->data.data, tx->data.len);
}

/* keccak256 of prefix byte (when typed) followed by the encoder's output. */
static int finish_hash(rlp_enc *e, int typed, uint8_t type, uint8_t out[32]) {
  uint8_t *buf;
  size_t len;
  if (rlp_enc_finish(e, &buf, &len) != RLP_OK) return EVM_SIG_E_NOMEM;
  keccak256_ctx k;
  keccak256_init(&k);
  if (typed) keccak256_update(&k, &type, 1);
  keccak256_update(&k, buf, len);
  keccak256_final(&k, out);
  free(buf);
  return EVM_SIG_OK;
}

/* How a type-0 transaction is signed: 0 pre-EIP-155, 1 EIP-155. */
static int legacy_form(const blk_tx *tx, uint64_t chain_id, int *eip155) {
  if (!tx->has_signature) {
    *eip155 = chain_id != 0;
    return EVM_SIG_OK;
  }
  uint64_t v;
  if (!be_to_u64(tx->v.b, &v)) return EVM_SIG_E_INVALID;
  if (v == 27 || v == 28) {
    *eip155 = 0;
    return EVM_SIG_OK;
  }
  if (v < 35) return EVM_SIG_E_INVALID;
  if ((v - 35) / 2 != chain_id) return EVM_SIG_E_CHAIN;
  *eip155 = 1;
  return EVM_SIG_OK;
}

int evm_tx_signing_hash(const blk_tx *tx, uint64_t chain_id, uint8_t out[32]) {
  if (!tx || !out || tx->type > 4) return EVM_SIG_E_ARG;
  rlp_enc e;
  rlp_enc_init(&e);
  if (tx->type == 0) {
    int eip155, rc = legacy_form(tx, chain_id, &eip155);
    if (rc) return rc;
    rlp_list_begin(&e);
    put_legacy_fields(&e, tx);
    if (eip155) {
      rlp_put_u64(&e, chain_id);
      rlp_put_u64(&e, 0);
      rlp_put_u64(&e, 0);
    }
    rlp_list_end(&e);
    return finish_hash(&e, 0, 0, out);
  }
  rlp_list_begin(&e);
  put_typed_fields(&e, tx, chain_id);
  rlp_list_end(&e);
  return finish_hash(&e, 1, tx->type, out);
}

int evm_tx_sign(blk_tx *tx, uint64_t chain_id, const uint8_t priv[32]) {
  if (!tx || !priv || tx->type > 4) return EVM_SIG_E_ARG;
  /* The signing hash must not depend on a previous signature's v. */
  blk_tx t = *tx;
  t.has_signature = 0;
  uint8_t h[32], r[32], s[32];
  int recid;
  int rc = evm_tx_signing_hash(&t, chain_id, h);
  if (rc) return rc;
  rc = sign_hash(h, priv, r, s, &recid);
  if (rc) return rc;
  if (tx->type == 0) {
    /* 35 + 2 * chain_id + recid overflows 64 bits only for chain ids near 2^63. */
    if (chain_id == 0) {
      be_from_u64(tx->v.b, 27u + (unsigned)recid);
    } else {
      if (chain_id > (UINT64_MAX - 36) / 2) return EVM_SIG_E_CHAIN;
      be_from_u64(tx->v.b, 35 + 2 * chain_id + (uint64_t)recid);
    }
  } else {
    be_from_u64(tx->v.b, (uint64_t)recid);
  }
  memcpy(tx->r.b, r, 32);
  memcpy(tx->s.b, s, 32);
  tx->has_signature = 1;
  return EVM_SIG_OK;
}

int evm_tx_recid(const blk_tx *tx, int *recid) {
  uint64_t v;
  if (!be_to_u64(tx->v.b, &v)) return EVM_SIG_E_INVALID;
  if (tx->type == 0) {
    if (v == 27 || v == 28) {
      *recid = (int)(v - 27);
      return EVM_SIG_OK;
    }
    if (v < 35) return EVM_SIG_E_INVALID;
    *recid = (int)((v - 35) & 1);
    return EVM_SIG_OK;
  }
  if (v > 1) return EVM_SIG_E_INVALID;
  *recid = (int)v;
  return EVM_SIG_OK;
}

int evm_tx_sender(const blk_tx *tx, uint64_t chain_id, uint8_t addr[20]) {
  if (!tx || !addr || tx->type > 4) return EVM_SIG_E_ARG;
  if (!tx->sender_is_address) return evm_test_address(tx->sender_key, addr);
  if (!tx->has_signature) {
    memcpy(addr, tx->sender.b, 20);
    return EVM_SIG_OK;
  }
  int recid;
  int rc = evm_tx_recid(tx, &recid);
  if (rc) return rc;
  if (!rs_valid(tx->r.b, tx->s.b, 1)) return EVM_SIG_E_INVALID;
  uint8_t h[32], a[20];
  rc = evm_tx_signing_hash(tx, chain_id, h);
  if (rc) return rc;
  rc = evm_ecrecover(h, recid, tx->r.b, tx->s.b, a);
  if (rc) return rc;
  if (memcmp(a, tx->sender.b, 20) != 0) return EVM_SIG_E_SENDER;
  memcpy(addr, a, 20);
  return EVM_SIG_OK;
}

int evm_tx_encode(const blk_tx *tx, uint64_t chain_id, uint8_t **out, size_t *out_len) {
  if (!tx || !out || !out_len || tx->type > 4) return EVM_SIG_E_ARG;
  blk_tx t = *tx;
  if (!t.has_signature) {
    if (t.sender_is_address) return EVM_SIG_E_UNSIGNED;
    uint8_t priv[32];
    int rc = evm_test_key(t.sender_key, priv);
    if (rc == EVM_SIG_OK) rc = evm_tx_sign(&t, chain_id, priv);
    memset(priv, 0, sizeof priv);
    if (rc) return rc;
  }
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  if (t.type == 0)
    put_legacy_fields(&e, &t);
  else
    put_typed_fields(&e, &t, chain_id);
  rlp_put_u256(&e, t.v.b);
  rlp_put_u256(&e, t.r.b);
  rlp_put_u256(&e, t.s.b);
  rlp_list_end(&e);
  uint8_t *buf;
  size_t len;
  if (rlp_enc_finish(&e, &buf, &len) != RLP_OK) return EVM_SIG_E_NOMEM;
  if (t.type == 0) {
    *out = buf;
    *out_len = len;
    return EVM_SIG_OK;
  }
  uint8_t *typed = malloc(len + 1);
  if (!typed) {
    free(buf);
    return EVM_SIG_E_NOMEM;
  }
  typed[0] = t.type;
  memcpy(typed + 1, buf, len);
  free(buf);
  *out = typed;
  *out_len = len + 1;
  return EVM_SIG_OK;
}

int evm_tx_hash(const blk_tx *tx, uint64_t chain_id, uint8_t out[32]) {
  if (!out) return EVM_SIG_E_ARG;
  uint8_t *buf;
  size_t len;
  int rc = evm_tx_encode(tx, chain_id, &buf, &len);
  if (rc) return rc;
  keccak256(buf, len, out);
  free(buf);
  return EVM_SIG_OK;
}

/* ---- EIP-7702 authorizations ---- */

int evm_auth_signing_hash(const blk_auth *a, uint8_t out[32]) {
  if (!a || !out) return EVM_SIG_E_ARG;
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  rlp_put_u256(&e, a->chain_id.b);
  rlp_put_bytes(&e, a->address.b, 20);
  rlp_put_u64(&e, a->nonce);
  rlp_list_end(&e);
  return finish_hash(&e, 1, 0x05, out);
}

int evm_auth_sign(blk_auth *a, const uint8_t priv[32]) {
  if (!a || !priv) return EVM_SIG_E_ARG;
  uint8_t h[32];
  int recid;
  int rc = evm_auth_signing_hash(a, h);
  if (rc == EVM_SIG_OK) rc = sign_hash(h, priv, a->r.b, a->s.b, &recid);
  if (rc) return rc;
  a->y_parity = (uint8_t)recid;
  return EVM_SIG_OK;
}

int evm_auth_signer(const blk_auth *a, uint8_t addr[20]) {
  if (!a || !addr) return EVM_SIG_E_ARG;
  if (a->y_parity > 1 || !rs_valid(a->r.b, a->s.b, 1)) return EVM_SIG_E_INVALID;
  uint8_t h[32];
  int rc = evm_auth_signing_hash(a, h);
  if (rc) return rc;
  return evm_ecrecover(h, a->y_parity, a->r.b, a->s.b, addr);
}
