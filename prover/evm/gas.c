/* gas: tables generated from opcodes.def, and the per-fork blob schedule. */
#include "evm/gas.h"

#include <pthread.h>

#define SINCE_CANCUN BLK_FORK_CANCUN
#define SINCE_PRAGUE BLK_FORK_PRAGUE
#define SINCE_OSAKA BLK_FORK_OSAKA

const evm_op_info evm_op_table[256] = {
#define EVM_OP(name, code, in, out, gas, fork, cls) \
  [code] = {#name, in, out, SINCE_##fork, EVM_CLASS_##cls},
#include "evm/opcodes.def"
#undef EVM_OP
};

static const uint16_t op_gas[256] = {
#define EVM_OP(name, code, in, out, gas, fork, cls) [code] = gas,
#include "evm/opcodes.def"
#undef EVM_OP
};

static uint16_t gas_tables[BLK_FORK_COUNT][256];
static pthread_once_t gas_once = PTHREAD_ONCE_INIT;

static void gas_build(void) {
  for (int f = 0; f < BLK_FORK_COUNT; f++)
    for (int op = 0; op < 256; op++)
      gas_tables[f][op] = evm_op_defined((blk_fork)f, (uint8_t)op) ? op_gas[op] : EVM_GAS_UNDEFINED;
}

int evm_op_defined(blk_fork fork, uint8_t op) {
  return evm_op_table[op].name != NULL && evm_op_table[op].since <= (uint8_t)fork;
}

const uint16_t *evm_gas_table(blk_fork fork) {
  pthread_once(&gas_once, gas_build);
  if ((unsigned)fork >= BLK_FORK_COUNT) fork = BLK_FORK_OSAKA;
  return gas_tables[fork];
}

const char *evm_op_name(uint8_t op) { return evm_op_table[op].name ? evm_op_table[op].name : "UNDEFINED"; }

const char *evm_op_class_name(evm_op_class c) {
  static const char *const names[] = {
#define X(c) #c,
      EVM_CLASS_LIST(X)
#undef X
  };
  return (unsigned)c < EVM_CLASS_COUNT ? names[c] : "?";
}

/* Cancun: EIP-4844; Prague: EIP-7691; Osaka keeps Prague's block parameters
 * and caps blobs per transaction at 6 (EIP-7594). */
static const evm_blob_params blob_params[BLK_FORK_COUNT] = {
    [BLK_FORK_CANCUN] = {6, 6, 3338477},
    [BLK_FORK_PRAGUE] = {9, 9, 5007716},
    [BLK_FORK_OSAKA] = {9, 6, 5007716},
};

const evm_blob_params *evm_blob_schedule(blk_fork fork) {
  if ((unsigned)fork >= BLK_FORK_COUNT) fork = BLK_FORK_OSAKA;
  return &blob_params[fork];
}
