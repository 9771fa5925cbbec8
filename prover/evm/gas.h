/* gas: opcode tables and the fork-dependent gas schedule.
 *
 * Everything is generated from opcodes.def: the opcode enum (EVM_OP_*), the
 * per-opcode facts (name, stack inputs/outputs, fork of introduction, trace
 * class) and the static-gas table indexed [fork][opcode], in which an opcode
 * not defined in a fork has EVM_GAS_UNDEFINED. The other constants of the gas
 * schedule (dynamic components, intrinsic transaction costs, limits) are
 * named here once and used everywhere else.
 */
#ifndef PKB_EVM_GAS_H
#define PKB_EVM_GAS_H

#include <stdint.h>

#include "blk.h"

typedef enum {
#define EVM_OP(name, code, in, out, gas, fork, cls) EVM_OP_##name = code,
#include "evm/opcodes.def"
#undef EVM_OP
} evm_opcode;

/* Trace-cost classes: which prover table an instruction's work lands in. */
#define EVM_CLASS_LIST(X) \
  X(CONTROL) X(ARITH) X(ARITH256_MUL) X(ARITH256_DIV) X(ARITH256_EXP) X(BITWISE) \
  X(KECCAK) X(ENV) X(ACCOUNT) X(MEMORY) X(STORAGE) X(TSTORAGE) X(STACK) X(LOG)  \
  X(CALL) X(CREATE) X(SYSTEM)

typedef enum {
#define X(c) EVM_CLASS_##c,
  EVM_CLASS_LIST(X)
#undef X
  EVM_CLASS_COUNT
} evm_op_class;

typedef struct {
  const char *name;   /* NULL for an undefined byte */
  uint8_t stack_in;   /* items the instruction needs */
  uint8_t stack_out;  /* items it leaves (DUPn: n+1; SWAPn: n+1) */
  uint8_t since;      /* blk_fork of introduction */
  uint8_t cls;        /* evm_op_class */
} evm_op_info;

extern const evm_op_info evm_op_table[256];

#define EVM_GAS_UNDEFINED 0xffffu
/* Static gas of each opcode defined in fork, EVM_GAS_UNDEFINED where the
 * byte is not an instruction of that fork. The tables are built once
 * (thread-safe) from opcodes.def; the pointer is to 256 entries. */
const uint16_t *evm_gas_table(blk_fork fork);
/* Whether op is an instruction of fork. */
int evm_op_defined(blk_fork fork, uint8_t op);

const char *evm_op_name(uint8_t op);        /* "UNDEFINED" for an undefined byte */
const char *evm_op_class_name(evm_op_class c);

/* Dynamic parts of the schedule (Berlin through Osaka). */
enum {
  EVM_GAS_WARM_ACCESS = 100,
  EVM_GAS_COLD_ACCOUNT = 2600,      /* total for a cold account access */
  EVM_GAS_COLD_SLOAD = 2100,        /* total for a cold slot access */
  EVM_GAS_SSTORE_SET = 20000,
  EVM_GAS_SSTORE_RESET = 5000,      /* includes the cold surcharge it predates */
  EVM_GAS_SSTORE_CLEARS_REFUND = 4800,
  EVM_GAS_SSTORE_STIPEND = 2300,    /* SSTORE fails with this much gas or less */
  EVM_GAS_COPY_WORD = 3,
  EVM_GAS_KECCAK_WORD = 6,
  EVM_GAS_LOG_DATA = 8,
  EVM_GAS_LOG_TOPIC = 375,
  EVM_GAS_EXP_BYTE = 50,
  EVM_GAS_MEMORY_WORD = 3,
  EVM_GAS_MEMORY_QUAD_DIV = 512,
  EVM_GAS_CALL_VALUE = 9000,
  EVM_GAS_CALL_STIPEND = 2300,
  EVM_GAS_NEW_ACCOUNT = 25000,
  EVM_GAS_SELFDESTRUCT_NEW = 25000,
  EVM_GAS_INITCODE_WORD = 2,
  EVM_GAS_CODE_DEPOSIT = 200,
  EVM_GAS_TX = 21000,
  EVM_GAS_TX_CREATE = 32000,
  EVM_GAS_TX_DATA_ZERO = 4,
  EVM_GAS_TX_DATA_NONZERO = 16,
  EVM_GAS_ACCESS_LIST_ADDRESS = 2400,
  EVM_GAS_ACCESS_LIST_KEY = 1900,
  EVM_GAS_FLOOR_PER_TOKEN = 10,      /* EIP-7623 */
  EVM_GAS_AUTH_EMPTY_ACCOUNT = 25000, /* EIP-7702 PER_EMPTY_ACCOUNT_COST */
  EVM_GAS_AUTH_BASE = 12500,          /* EIP-7702 PER_AUTH_BASE_COST */
  EVM_REFUND_QUOTIENT = 5,            /* EIP-3529 */
  EVM_MAX_CODE_SIZE = 24576,          /* EIP-170 */
  EVM_MAX_INITCODE_SIZE = 49152,      /* EIP-3860 */
  EVM_MAX_CALL_DEPTH = 1024,
  EVM_STACK_LIMIT = 1024,
  EVM_GAS_PER_BLOB = 131072,
  EVM_BLOB_VERSION_KZG = 1
};
#define EVM_TX_GAS_CAP_OSAKA (UINT64_C(1) << 24) /* EIP-7825 */

/* Blob parameters per fork. */
typedef struct {
  uint64_t max_blobs_per_block;
  uint64_t max_blobs_per_tx;
  uint64_t update_fraction;
} evm_blob_params;
const evm_blob_params *evm_blob_schedule(blk_fork fork);

/* Memory cost of w words: 3w + w^2/512. Exact for w < 2^32. */
static inline uint64_t evm_memory_cost(uint64_t words) {
  return EVM_GAS_MEMORY_WORD * words + words * words / EVM_GAS_MEMORY_QUAD_DIV;
}

#endif
