/* tx: validation and application of one transaction (types 0 to 4).
 *
 * Validation runs before any write, so a rejected transaction leaves the
 * state untouched. Application follows the execution specs: intrinsic gas,
 * sender nonce increment and up-front gas (and blob gas) purchase, EIP-2929
 * warming (sender, recipient, coinbase, precompiles, access list), EIP-7702
 * authorizations, the top-level message, EIP-3529 refunds capped at a fifth
 * of the gas used, the EIP-7623 floor, the priority fee to the coinbase and
 * the end-of-transaction cleaning (EIP-6780 and EIP-161).
 */
#include <stdlib.h>
#include <string.h>

#include "evm/txsig.h"
#include "evm/vm.h"
#include "hash/keccak.h"

/* r = a * b, returning 1 on overflow of 256 bits. */
static int mul_u64(u256 *r, const u256 *a, uint64_t b) {
  u256_u128 carry = 0;
  u256 t;
  for (int i = 0; i < 4; i++) {
    carry += (u256_u128)a->w[i] * b;
    t.w[i] = (uint64_t)carry;
    carry >>= 64;
  }
  *r = t;
  return carry != 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }
static uint64_t sat_mul(uint64_t a, uint64_t b) {
  u256_u128 p = (u256_u128)a * b;
  return p >> 64 ? UINT64_MAX : (uint64_t)p;
}

/* Intrinsic gas and the EIP-7623 floor (saturating). */
static void intrinsic_gas(const blk_tx *tx, blk_fork fork, uint64_t *intrinsic, uint64_t *floor) {
  uint64_t zeros = 0, nonzeros = 0;
  for (size_t i = 0; i < tx->data.len; i++) {
    if (tx->data.data[i])
      nonzeros++;
    else
      zeros++;
  }
  uint64_t g = EVM_GAS_TX;
  g = sat_add(g, sat_mul(zeros, EVM_GAS_TX_DATA_ZERO));
  g = sat_add(g, sat_mul(nonzeros, EVM_GAS_TX_DATA_NONZERO));
  if (tx->is_create) {
    g = sat_add(g, EVM_GAS_TX_CREATE);
    g = sat_add(g, sat_mul((tx->data.len + 31) / 32, EVM_GAS_INITCODE_WORD));
  }
  for (size_t i = 0; i < tx->n_access_list; i++) {
    g = sat_add(g, EVM_GAS_ACCESS_LIST_ADDRESS);
    g = sat_add(g, sat_mul(tx->access_list[i].n_keys, EVM_GAS_ACCESS_LIST_KEY));
  }
  g = sat_add(g, sat_mul(tx->n_auths, EVM_GAS_AUTH_EMPTY_ACCOUNT));
  *intrinsic = g;
  uint64_t tokens = sat_add(zeros, sat_mul(nonzeros, 4));
  *floor = fork >= BLK_FORK_PRAGUE ? sat_add(EVM_GAS_TX, sat_mul(tokens, EVM_GAS_FLOOR_PER_TOKEN)) : 0;
}

static int warm_address(evm_ctx *c, const uint8_t addr[20]) {
  evm_account *a = evm_state_get(c->st, addr);
  return a && evm_state_warm_account(c->st, a) >= 0 ? 0 : -1;
}

/* on_sigrecover_data for tx's sender (evm.h): its signature, made here with
 * its test key when it has none, and the hash that signature covers. */
static void report_sender_sig(evm_ctx *c, const blk_tx *tx) {
  blk_tx t = *tx;
  if (!t.has_signature) {
    if (t.sender_is_address) return;
    uint8_t priv[32];
    int rc = evm_test_key(t.sender_key, priv);
    if (rc == EVM_SIG_OK) rc = evm_tx_sign(&t, c->env->chain_id, priv);
    memset(priv, 0, sizeof priv);
    if (rc != EVM_SIG_OK) return;
  }
  int recid;
  uint8_t h[32];
  if (evm_tx_recid(&t, &recid) != EVM_SIG_OK || evm_tx_signing_hash(&t, c->env->chain_id, h) != EVM_SIG_OK) return;
  c->tr->on_sigrecover_data(c->tr->ctx, EVM_SIG_TX_SENDER, h, recid, t.r.b, t.s.b);
}

/* EIP-7702 authorizations; invalid ones are skipped. -1 on allocation failure. */
static int apply_auths(evm_ctx *c, const blk_tx *tx) {
  for (size_t i = 0; i < tx->n_auths; i++) {
    const blk_auth *au = &tx->auths[i];
    u256 cid;
    u256_from_be(&cid, au->chain_id.b);
    if (!u256_is_zero(&cid) && !u256_eq(&cid, &c->chain_id)) continue;
    if (au->nonce == UINT64_MAX) continue;
    uint8_t authority[20];
    if (c->traced && c->tr->on_sigrecover) c->tr->on_sigrecover(c->tr->ctx, EVM_SIG_AUTHORITY);
    if (c->traced && c->tr->on_sigrecover_data && au->y_parity <= 1) {
      uint8_t h[32];
      if (evm_auth_signing_hash(au, h) == EVM_SIG_OK)
        c->tr->on_sigrecover_data(c->tr->ctx, EVM_SIG_AUTHORITY, h, au->y_parity, au->r.b, au->s.b);
    }
    if (evm_auth_signer(au, authority) != EVM_SIG_OK) continue;
    evm_account *a = evm_state_get(c->st, authority);
    if (!a || evm_state_warm_account(c->st, a) < 0) return -1;
    if (a->code_len && !evm_is_delegation(a->code, a->code_len)) continue;
    if (a->nonce != au->nonce) continue;
    if (a->exists) c->refund += EVM_GAS_AUTH_EMPTY_ACCOUNT - EVM_GAS_AUTH_BASE;
    static const uint8_t zero20[20] = {0};
    if (memcmp(au->address.b, zero20, 20) == 0) {
      if (evm_state_set_code(c->st, a, NULL, 0, NULL)) return -1;
    } else {
      uint8_t d[23], h[32];
      d[0] = 0xef;
      d[1] = 0x01;
      d[2] = 0x00;
      memcpy(d + 3, au->address.b, 20);
      keccak256(d, 23, h);
      if (evm_state_set_code(c->st, a, d, 23, h)) return -1;
    }
    if (evm_state_set_nonce(c->st, a, a->nonce + 1)) return -1;
  }
  return 0;
}

int evm_tx_apply(evm_ctx *c, const blk_tx *tx, size_t index, uint64_t gas_before, uint64_t blob_gas_before,
                 evm_tx_result *out) {
  (void)index;
  memset(out, 0, sizeof *out);
  const blk_fork fork = c->fork;
  evm_invalid_reason why = EVM_INVALID_NONE;
  uint8_t sender[20];

#define REJECT(r)   \
  do {              \
    why = (r);      \
    goto rejected;  \
  } while (0)

  if (tx->type > 4 || (tx->type == 4 && fork < BLK_FORK_PRAGUE)) REJECT(EVM_INVALID_TYPE_NOT_SUPPORTED);
  if (c->traced && c->tr->on_sigrecover) c->tr->on_sigrecover(c->tr->ctx, EVM_SIG_TX_SENDER);
  if (c->traced && c->tr->on_sigrecover_data) report_sender_sig(c, tx);
  if (evm_tx_sender(tx, c->env->chain_id, sender) != EVM_SIG_OK) REJECT(EVM_INVALID_INVALID_SIGNATURE);
  memcpy(out->sender, sender, 20);

  uint64_t intrinsic, floor;
  intrinsic_gas(tx, fork, &intrinsic, &floor);
  if (tx->gas_limit < intrinsic) REJECT(EVM_INVALID_INTRINSIC_GAS_TOO_LOW);
  if (tx->gas_limit < floor) REJECT(EVM_INVALID_INTRINSIC_GAS_BELOW_FLOOR_GAS_COST);
  if (tx->is_create && tx->data.len > EVM_MAX_INITCODE_SIZE) REJECT(EVM_INVALID_INITCODE_SIZE_EXCEEDED);
  if (fork >= BLK_FORK_OSAKA && tx->gas_limit > EVM_TX_GAS_CAP_OSAKA) REJECT(EVM_INVALID_GAS_LIMIT_EXCEEDS_MAXIMUM);
  if (tx->gas_limit > c->env->gas_limit || gas_before > c->env->gas_limit - tx->gas_limit)
    REJECT(EVM_INVALID_GAS_ALLOWANCE_EXCEEDED);

  /* Fees. */
  u256 max_fee, prio, eff_price;
  u256_from_be(&max_fee, tx->gas_price.b);
  if (tx->type >= 2) {
    u256_from_be(&prio, tx->max_priority_fee.b);
    if (u256_lt(&max_fee, &c->base_fee)) REJECT(EVM_INVALID_INSUFFICIENT_MAX_FEE_PER_GAS);
    if (u256_lt(&max_fee, &prio)) REJECT(EVM_INVALID_PRIORITY_GREATER_THAN_MAX_FEE);
    u256 room;
    u256_sub(&room, &max_fee, &c->base_fee);
    if (u256_lt(&room, &prio)) prio = room;
    u256_add(&eff_price, &c->base_fee, &prio);
  } else {
    if (u256_lt(&max_fee, &c->base_fee)) REJECT(EVM_INVALID_INSUFFICIENT_MAX_FEE_PER_GAS);
    eff_price = max_fee;
    u256_sub(&prio, &max_fee, &c->base_fee);
  }

  /* Blobs. */
  uint64_t blob_gas = 0;
  u256 max_blob_fee = u256_zero();
  if (tx->type == 3) {
    const evm_blob_params *bp = evm_blob_schedule(fork);
    if (tx->is_create) REJECT(EVM_INVALID_TYPE_3_TX_CONTRACT_CREATION);
    if (tx->n_blob_hashes == 0) REJECT(EVM_INVALID_TYPE_3_TX_ZERO_BLOBS);
    for (size_t i = 0; i < tx->n_blob_hashes; i++)
      if (tx->blob_hashes[i][0] != EVM_BLOB_VERSION_KZG) REJECT(EVM_INVALID_TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH);
    if (tx->n_blob_hashes > bp->max_blobs_per_tx) REJECT(EVM_INVALID_TYPE_3_TX_BLOB_COUNT_EXCEEDED);
    blob_gas = (uint64_t)tx->n_blob_hashes * EVM_GAS_PER_BLOB;
    if (blob_gas_before + blob_gas > bp->max_blobs_per_block * EVM_GAS_PER_BLOB)
      REJECT(EVM_INVALID_TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED);
    u256_from_be(&max_blob_fee, tx->max_fee_per_blob_gas.b);
    if (u256_lt(&max_blob_fee, &c->blob_base_fee)) REJECT(EVM_INVALID_INSUFFICIENT_MAX_FEE_PER_BLOB_GAS);
  }
  if (tx->type == 4) {
    if (tx->is_create) REJECT(EVM_INVALID_TYPE_4_TX_CONTRACT_CREATION);
    if (tx->n_auths == 0) REJECT(EVM_INVALID_TYPE_4_EMPTY_AUTHORIZATION_LIST);
  }

  /* Sender. */
  evm_account *sa = evm_state_get(c->st, sender);
  if (!sa) return EVM_E_NOMEM;
  if (sa->nonce == UINT64_MAX) REJECT(EVM_INVALID_NONCE_IS_MAX);
  if (tx->nonce < sa->nonce) REJECT(EVM_INVALID_NONCE_MISMATCH_TOO_LOW);
  if (tx->nonce > sa->nonce) REJECT(EVM_INVALID_NONCE_MISMATCH_TOO_HIGH);
  if (sa->code_len && !(fork >= BLK_FORK_PRAGUE && evm_is_delegation(sa->code, sa->code_len)))
    REJECT(EVM_INVALID_SENDER_NOT_EOA);
  {
    u256 need, t, value;
    u256_from_be(&value, tx->value.b);
    int ovf = mul_u64(&need, &max_fee, tx->gas_limit);
    ovf |= (int)u256_add(&need, &need, &value);
    if (blob_gas) {
      ovf |= mul_u64(&t, &max_blob_fee, blob_gas);
      ovf |= (int)u256_add(&need, &need, &t);
    }
    if (ovf || u256_lt(&sa->balance, &need)) REJECT(EVM_INVALID_INSUFFICIENT_ACCOUNT_FUNDS);
  }
#undef REJECT

  /* ---- apply ---- */
  c->tx = tx;
  memcpy(c->origin, sender, 20);
  c->gas_price = eff_price;
  c->refund = 0;
  evm_state *st = c->st;
  {
    u256 cost, blob_cost;
    mul_u64(&cost, &eff_price, tx->gas_limit);
    if (blob_gas) {
      mul_u64(&blob_cost, &c->blob_base_fee, blob_gas);
      u256_add(&cost, &cost, &blob_cost);
    }
    if (evm_state_sub_balance(st, sa, &cost) || evm_state_set_nonce(st, sa, sa->nonce + 1)) return EVM_E_NOMEM;
  }
  /* Warm set. */
  if (evm_state_warm_account(st, sa) < 0 || warm_address(c, c->env->coinbase.b)) return EVM_E_NOMEM;
  if (!tx->is_create && warm_address(c, tx->to.b)) return EVM_E_NOMEM;
  for (int id = 1; id < EVM_PC_COUNT; id++) {
    uint8_t pa[20];
    evm_pc_address((evm_pc_id)id, pa);
    if (evm_pc_lookup(fork, pa) == (evm_pc_id)id && warm_address(c, pa)) return EVM_E_NOMEM;
  }
  for (size_t i = 0; i < tx->n_access_list; i++) {
    const blk_access *al = &tx->access_list[i];
    evm_account *a = evm_state_get(st, al->address.b);
    if (!a || evm_state_warm_account(st, a) < 0) return EVM_E_NOMEM;
    for (size_t k = 0; k < al->n_keys; k++) {
      u256 key;
      u256_from_be(&key, al->keys[k].b);
      evm_slot *sl = evm_state_slot(st, a, &key);
      if (!sl || evm_state_warm_slot(st, sl) < 0) return EVM_E_NOMEM;
    }
  }
  if (tx->type == 4 && apply_auths(c, tx)) return EVM_E_NOMEM;

  evm_msg m;
  memset(&m, 0, sizeof m);
  m.depth = 0;
  m.gas = (int64_t)(tx->gas_limit - intrinsic);
  memcpy(m.sender, sender, 20);
  u256_from_be(&m.value, tx->value.b);
  m.input = tx->data.len ? tx->data.data : NULL;
  m.input_len = tx->data.len;
  evm_res r;
  if (tx->is_create) {
    uint8_t addr[20];
    evm_create_address(sender, tx->nonce, addr);
    if (c->traced && c->tr->on_keccak) c->tr->on_keccak(c->tr->ctx, 1, EVM_KECCAK_TX);
    if (c->traced && c->tr->on_keccak_data) {
      uint8_t pre[EVM_CREATE_PREIMAGE_MAX];
      c->tr->on_keccak_data(c->tr->ctx, pre, evm_create_preimage(sender, tx->nonce, pre), EVM_KECCAK_TX);
    }
    m.kind = MSG_CREATE;
    memcpy(m.recipient, addr, 20);
    memcpy(m.code_address, addr, 20);
    evm_vm_create(c, &m, addr, &r);
    if (r.status == RES_SUCCESS) {
      out->created = 1;
      memcpy(out->contract_address, addr, 20);
    }
  } else {
    m.kind = MSG_CALL;
    memcpy(m.recipient, tx->to.b, 20);
    memcpy(m.code_address, tx->to.b, 20);
    if (fork >= BLK_FORK_PRAGUE) {
      evm_account *ta = evm_state_get(st, tx->to.b);
      if (!ta) return EVM_E_NOMEM;
      if (evm_is_delegation(ta->code, ta->code_len) && warm_address(c, ta->code + 3)) return EVM_E_NOMEM;
    }
    evm_vm_call(c, &m, &r);
  }
  if (r.status == RES_FATAL) {
    free(r.output);
    return c->fatal ? c->fatal : EVM_E_INTERNAL;
  }

  uint64_t gas_used = tx->gas_limit - (uint64_t)r.gas_left;
  uint64_t refund = c->refund > 0 ? (uint64_t)c->refund : 0;
  if (refund > gas_used / EVM_REFUND_QUOTIENT) refund = gas_used / EVM_REFUND_QUOTIENT;
  gas_used -= refund;
  if (gas_used < floor) gas_used = floor;
  uint64_t gas_back = tx->gas_limit - gas_used;
  {
    u256 back, fee;
    mul_u64(&back, &eff_price, gas_back);
    mul_u64(&fee, &prio, gas_used);
    evm_account *cb = evm_state_get(st, c->env->coinbase.b);
    if (!cb || evm_state_add_balance(st, sa, &back) || evm_state_add_balance(st, cb, &fee)) {
      free(r.output);
      return EVM_E_NOMEM;
    }
  }
  evm_state_commit_tx(st);

  out->status = r.status == RES_SUCCESS ? EVM_TX_SUCCESS : r.status == RES_REVERT ? EVM_TX_REVERT : EVM_TX_HALT;
  out->gas_used = gas_used;
  out->blob_gas_used = blob_gas;
  out->gas_refund = refund;
  out->output = r.output;
  out->output_len = r.output_len;
  /* Logs move to the result; a failed top frame left none (reverted). */
  out->logs = c->logs;
  out->n_logs = c->n_logs;
  c->logs = NULL;
  c->n_logs = c->cap_logs = 0;
  c->tx = NULL;
  return EVM_OK;

rejected:
  out->status = EVM_TX_INVALID;
  out->invalid = why;
  return EVM_OK;
}
