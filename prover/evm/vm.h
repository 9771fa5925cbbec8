/* vm: the executor's internal contract between transaction processing
 * (tx.c, block.c) and the interpreter (interp.c). Not a public header.
 *
 * One evm_ctx lives for a block; tx.c fills the transaction fields before
 * each transaction. evm_vm_call / evm_vm_create execute one message frame
 * (value transfer, precompile or code, revert on failure) and are what the
 * CALL/CREATE instructions call recursively.
 */
#ifndef PKB_EVM_VM_H
#define PKB_EVM_VM_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/gas.h"
#include "evm/state.h"
#include "evm/u256.h"

typedef enum { MSG_CALL, MSG_CALLCODE, MSG_DELEGATECALL, MSG_STATICCALL, MSG_CREATE, MSG_CREATE2 } evm_msg_kind;

/* Frame outcome. FATAL stops the block (ctx->fatal says why). */
typedef enum { RES_SUCCESS = 0, RES_REVERT, RES_FAILURE, RES_FATAL } evm_res_status;

typedef struct {
  evm_msg_kind kind;
  int is_static;
  int depth;
  int64_t gas;
  uint8_t recipient[20];    /* storage context, ADDRESS */
  uint8_t sender[20];       /* CALLER */
  uint8_t code_address[20]; /* whose code runs (precompile check for calls) */
  u256 value;               /* CALLVALUE; transferred for CALL and creates */
  const uint8_t *input;     /* call data, or init code for creates */
  size_t input_len;
  u256 salt;                /* CREATE2 */
} evm_msg;

typedef struct {
  evm_res_status status;
  int64_t gas_left;
  uint8_t *output; /* malloc'd, owned by the receiver (NULL when empty) */
  size_t output_len;
  uint8_t create_address[20];
} evm_res;

typedef struct {
  uint8_t *p;
  size_t cap;
} evm_buf;

typedef struct {
  /* block */
  blk_fork fork;
  const blk_env *env;
  evm_state *st;
  const evm_tracer *tr;
  int traced; /* tr has at least one non-NULL event */
  const uint16_t *gas_table;
  u256 base_fee, blob_base_fee, chain_id;
  /* transaction */
  uint8_t origin[20];
  u256 gas_price;
  const blk_tx *tx;
  int64_t refund;
  evm_log *logs;
  size_t n_logs, cap_logs;
  /* failure that stops the block */
  int fatal; /* EVM_E_* or 0 */
  uint64_t steps;
  uint32_t frames; /* code frames started in the block: the next frame's id */
  /* per-depth reusable buffers (stack and memory) */
  u256 *stacks[EVM_MAX_CALL_DEPTH + 1];
  evm_buf mems[EVM_MAX_CALL_DEPTH + 1];
} evm_ctx;

/* Execute a call message (kinds CALL..STATICCALL). The caller has checked
 * depth and balance; msg->gas includes any stipend. */
void evm_vm_call(evm_ctx *c, const evm_msg *msg, evm_res *res);
/* Execute a create message at address addr (derived by the caller, whose
 * nonce the caller already incremented). */
void evm_vm_create(evm_ctx *c, const evm_msg *msg, const uint8_t addr[20], evm_res *res);

/* Validate and apply tx (index in the block) on c->st. gas_before and
 * blob_gas_before are the block's totals so far (for the block limits).
 * Fills *out (status, gas, logs moved out of c). Returns EVM_OK or a fatal
 * EVM_E_* code (the block must stop). */
int evm_tx_apply(evm_ctx *c, const blk_tx *tx, size_t index, uint64_t gas_before, uint64_t blob_gas_before,
                 evm_tx_result *out);

/* Release the per-depth buffers of c. */
void evm_ctx_release(evm_ctx *c);
/* Drop logs from index n on, freeing them. */
void evm_logs_truncate(evm_ctx *c, size_t n);

/* CREATE address: keccak256(rlp([sender, nonce]))[12:]. */
void evm_create_address(const uint8_t sender[20], uint64_t nonce, uint8_t out[20]);
/* rlp([sender, nonce]) into buf (what evm_create_address hashes, for the
 * tracer's on_keccak_data); returns its length, at most
 * EVM_CREATE_PREIMAGE_MAX. */
#define EVM_CREATE_PREIMAGE_MAX 31
size_t evm_create_preimage(const uint8_t sender[20], uint64_t nonce, uint8_t buf[EVM_CREATE_PREIMAGE_MAX]);
/* CREATE2 address: keccak256(0xff ++ sender ++ salt ++ keccak256(init))[12:]. */
void evm_create2_address(const uint8_t sender[20], const u256 *salt, const uint8_t *init, size_t len,
                         uint8_t out[20]);

/* EIP-7702 delegation designator: 0xef0100 ++ address (23 bytes). */
static inline int evm_is_delegation(const uint8_t *code, size_t len) {
  return len == 23 && code[0] == 0xef && code[1] == 0x01 && code[2] == 0x00;
}

#endif
