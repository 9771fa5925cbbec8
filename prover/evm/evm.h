/* evm: the Ethereum executor of pkbench, its public contract.
 *
 * A block (harness/blk.h: environment, pre-state, transactions) is executed
 * with the full semantics of its fork (Cancun, Prague, Osaka): every
 * transaction in order, each either applied or rejected as invalid with a
 * reason; an invalid transaction leaves the state exactly as it was (the
 * state-test convention: the block goes on with the next transaction). The
 * result carries per-transaction status, gas and logs, the block's gas, the
 * logs hash (keccak256 of the RLP list of all logs [address, [topics], data])
 * and the post-state root (secure Merkle-Patricia trie, EIP-161 cleaning).
 *
 * The executor reports its work to an optional tracer (evm_tracer): steps,
 * memory and storage accesses, Keccak permutations (counted, and the bytes
 * hashed), 256-bit arithmetic (operand sizes, and the values), precompile
 * work and signature recoveries. These events are what the trace
 * builder turns into AIR tables. With a NULL tracer (or NULL members) the
 * interpreter runs an instantiation of its loop with tracing compiled out.
 *
 * BLOCKHASH reads blk_env.block_hashes: a number in the 256-block window with
 * no entry there reads as zero, so a block (or an imported state test) must
 * list every hash its code asks for. Block-level system calls (EIP-4788
 * beacon root, EIP-2935 history, EIP-7002/7251 requests) and withdrawals are
 * not part of a pkbench block and are not executed.
 *
 * Threading: evm_execute_block keeps all its state in the result and on the
 * heap; concurrent calls on different results are safe.
 */
#ifndef PKB_EVM_H
#define PKB_EVM_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "evm/precompiles/precompile.h"
#include "evm/u256.h"

/* Block-level status codes (evm_execute_block's return value and
 * evm_block_result.status). An invalid transaction is NOT an error here: it is
 * reported per transaction (evm_tx_result.invalid). */
enum {
  EVM_OK = 0,
  EVM_E_NOMEM = -1,                  /* allocation failed */
  EVM_E_UNSUPPORTED_PRECOMPILE = -2, /* a precompile not built into this binary was
                                        called: the block's result is unknown, skip it */
  EVM_E_ARG = -3,                    /* bad argument (NULL block, unknown fork) */
  EVM_E_INTERNAL = -4                /* a dependency failed (trie, RLP encoder) */
};

/* Why a transaction was rejected. The names are those of execution-spec-tests'
 * TransactionException where one exists, so a runner can compare them. */
#define EVM_INVALID_LIST(X)                               \
  X(NONE, "")                                             \
  X(TYPE_NOT_SUPPORTED, "TYPE_NOT_SUPPORTED")             \
  X(INVALID_SIGNATURE, "INVALID_SIGNATURE")               \
  X(INTRINSIC_GAS_TOO_LOW, "INTRINSIC_GAS_TOO_LOW")       \
  X(INTRINSIC_GAS_BELOW_FLOOR_GAS_COST, "INTRINSIC_GAS_BELOW_FLOOR_GAS_COST") \
  X(GAS_ALLOWANCE_EXCEEDED, "GAS_ALLOWANCE_EXCEEDED")     \
  X(GAS_LIMIT_EXCEEDS_MAXIMUM, "GAS_LIMIT_EXCEEDS_MAXIMUM") \
  X(NONCE_MISMATCH_TOO_LOW, "NONCE_MISMATCH_TOO_LOW")     \
  X(NONCE_MISMATCH_TOO_HIGH, "NONCE_MISMATCH_TOO_HIGH")   \
  X(NONCE_IS_MAX, "NONCE_IS_MAX")                         \
  X(INSUFFICIENT_MAX_FEE_PER_GAS, "INSUFFICIENT_MAX_FEE_PER_GAS") \
  X(PRIORITY_GREATER_THAN_MAX_FEE, "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS") \
  X(INSUFFICIENT_ACCOUNT_FUNDS, "INSUFFICIENT_ACCOUNT_FUNDS") \
  X(SENDER_NOT_EOA, "SENDER_NOT_EOA")                     \
  X(INITCODE_SIZE_EXCEEDED, "INITCODE_SIZE_EXCEEDED")     \
  X(TYPE_3_TX_ZERO_BLOBS, "TYPE_3_TX_ZERO_BLOBS")         \
  X(TYPE_3_TX_BLOB_COUNT_EXCEEDED, "TYPE_3_TX_BLOB_COUNT_EXCEEDED") \
  X(TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH, "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH") \
  X(TYPE_3_TX_CONTRACT_CREATION, "TYPE_3_TX_CONTRACT_CREATION") \
  X(TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED, "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED") \
  X(INSUFFICIENT_MAX_FEE_PER_BLOB_GAS, "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS") \
  X(TYPE_4_EMPTY_AUTHORIZATION_LIST, "TYPE_4_EMPTY_AUTHORIZATION_LIST") \
  X(TYPE_4_TX_CONTRACT_CREATION, "TYPE_4_TX_CONTRACT_CREATION")

typedef enum {
#define X(id, name) EVM_INVALID_##id,
  EVM_INVALID_LIST(X)
#undef X
  EVM_INVALID_COUNT
} evm_invalid_reason;

const char *evm_invalid_name(evm_invalid_reason r); /* "" for NONE; never NULL */
const char *evm_strerror(int code);                 /* for EVM_OK / EVM_E_* */

/* ---- Tracer ------------------------------------------------------------- */

/* Where a Keccak permutation batch came from. */
typedef enum {
  EVM_KECCAK_OPCODE = 0, /* KECCAK256 */
  EVM_KECCAK_CREATE,     /* CREATE/CREATE2 address derivation, created code hash */
  EVM_KECCAK_TX,         /* transaction-level hashing (create tx address) */
  EVM_KECCAK_TRIE        /* the post-state root: every trie node and hashed key,
                            reported once per block after the last transaction */
} evm_keccak_source;

/* Where a signature recovery came from. */
typedef enum {
  EVM_SIG_TX_SENDER = 0,  /* transaction sender */
  EVM_SIG_AUTHORITY = 1,  /* EIP-7702 authorization */
  EVM_SIG_PRECOMPILE = 2  /* the ECRECOVER precompile (on_sigrecover_data only:
                             on_sigrecover is not called for it) */
} evm_sig_source;

/* One executed instruction. Reported after it completes (for CALL/CREATE
 * family instructions, after the callee's own steps); gas_after is 0 when the
 * instruction halted exceptionally. */
typedef struct {
  uint32_t pc;
  uint8_t opcode;
  uint16_t call_depth;   /* 0 for the transaction's own frame */
  uint16_t stack_depth;  /* items on the stack before the instruction */
  uint64_t gas_before;
  uint64_t gas_after;
  uint64_t memory_size;  /* bytes, after the instruction */
} evm_step_event;

/* All members optional: NULL switches that event off. ctx is passed back. */
typedef struct evm_tracer {
  void *ctx;
  void (*on_step)(void *ctx, const evm_step_event *e);
  /* A memory range read or written by an instruction (size > 0 only), in
   * the memory of the code frame `frame` (numbered from 0 in the order the
   * block starts them; each frame has its own memory, zero when it starts).
   * data holds the range's size bytes as the access leaves them (a write's
   * new bytes; a read's bytes, reported before anything the instruction
   * writes), valid only during the call. Reported in the order the accesses
   * happen, so that a reader can replay each frame's memory: MCOPY reports
   * its read, then its write; a CALL-family instruction its input read
   * before the callee runs and its output write after. */
  void (*on_memory)(void *ctx, uint32_t frame, uint64_t offset, uint64_t size, int is_write,
                    const uint8_t *data);
  /* SLOAD/SSTORE (transient = 0) and TLOAD/TSTORE (transient = 1); is_cold is
   * the EIP-2929 status before the access (always 0 for transient). before
   * is the slot's value as the access finds it, after as it leaves it (a
   * read, or a write of the value already there: the same 32 bytes), both
   * big-endian and valid only during the call. With on_storage_undo a reader
   * can replay every slot: each access finds what the last event left. */
  void (*on_storage)(void *ctx, const uint8_t address[20], const uint8_t key[32], int is_write,
                     int is_cold, int transient, const uint8_t before[32], const uint8_t after[32]);
  /* A change of a slot's value that no instruction made: a write undone
   * (the frame or transaction that made it reverted: one call per journaled
   * write, the latest first, each restoring the value before it), and at
   * the end of a transaction each non-zero slot of an account it deletes
   * (self-destructed, or EIP-161 empty) cleared to zero. Transient storage
   * emptied at the end of a transaction is not reported: each transaction's
   * transient storage is its own. */
  void (*on_storage_undo)(void *ctx, const uint8_t address[20], const uint8_t key[32], int transient,
                          const uint8_t before[32], const uint8_t after[32]);
  /* count Keccak-f[1600] permutations done for one hash. */
  void (*on_keccak)(void *ctx, uint64_t count, evm_keccak_source src);
  /* The bytes of one keccak256 call (data may be NULL when len == 0; valid
   * only during the call): reported for every hash on_keccak counts, so the
   * permutations of all on_keccak_data calls, keccak256_permutations(len)
   * each, add up to the on_keccak counts. For EVM_KECCAK_CREATE a CREATE2
   * reports the init code, then 0xff ++ sender ++ salt ++ keccak256(init)
   * (85 bytes); a CREATE reports rlp([sender, nonce]) (as does a create
   * transaction, under EVM_KECCAK_TX); a successful creation reports the
   * deployed code. For EVM_KECCAK_TRIE: every hashed address and
   * storage key, then each trie node encoding as it is hashed, children
   * before parents, the account trie's root node last. */
  void (*on_keccak_data)(void *ctx, const uint8_t *data, size_t len, evm_keccak_source src);
  /* One 256-bit arithmetic instruction (ADD..SIGNEXTEND, comparisons, bitwise,
   * shifts, CLZ) with the significant bit lengths of its first two operands
   * (0 for a missing one). */
  void (*on_arith)(void *ctx, uint8_t opcode, uint16_t bits_a, uint16_t bits_b);
  /* The same instruction with its values, after it ran: a is the top stack
   * operand, b the second (NULL for ISZERO, NOT, CLZ), c the third (ADDMOD,
   * MULMOD; NULL otherwise) and result what it pushed. The pointers are valid
   * only during the call and never alias the stack. */
  void (*on_arith_values)(void *ctx, uint8_t opcode, const u256 *a, const u256 *b, const u256 *c,
                          const u256 *result);
  /* A precompile run (after its gas was charged), with the work it did. */
  void (*on_precompile)(void *ctx, evm_pc_id id, uint64_t input_len, const evm_pc_work *w);
  /* The input of a precompile call that succeeded, for a prover that redoes
   * its work: it follows that call's on_precompile (input may be NULL when
   * len is 0; valid only during the call). A call that failed (EVM_PC_FAIL:
   * a BLAKE2F with a length other than 213 or a final flag above 1, an
   * invalid curve point, ...) or ran out of gas before it ran is not
   * reported here. */
  void (*on_precompile_input)(void *ctx, evm_pc_id id, const uint8_t *input, size_t len);
  /* One secp256k1 public-key recovery the block implies outside precompiles:
   * one per transaction (its sender, reported whether or not this run had to
   * compute it: a test-key sender is looked up, a prover still recovers it)
   * and one per EIP-7702 authorization examined. ECRECOVER calls are
   * reported by on_precompile. */
  void (*on_sigrecover)(void *ctx, evm_sig_source src);
  /* The inputs of a recovery, for a prover that redoes it: the 32-byte
   * message hash the signature covers, the recovery id (bit 0: R's y
   * parity) and r, s (32 bytes big-endian each; valid only during the
   * call). For a transaction sender and an EIP-7702 authority it follows
   * that on_sigrecover call, with the signing hash (evm_tx_signing_hash,
   * evm_auth_signing_hash) and the signature; a test-key sender whose
   * transaction carries no signature is signed here first (evm_tx_sign on a
   * copy, as an export signs it; done only when this member is set), so
   * the data is the real signature that the sender's recovery checks. It
   * is not called where no recovery input exists: a sender given by address
   * with no signature, a v that gives no recovery id (type 0: not 27, 28 or
   * 35 + 2 chain_id + {0, 1}; types 1 to 4: above 1) or no signing hash
   * (an EIP-155 v naming another chain), an authorization's y_parity
   * above 1. r and s are passed as they are, unchecked (a
   * recovery rejects them when out of range). For ECRECOVER
   * (EVM_SIG_PRECOMPILE) it follows on_precompile with the call's input,
   * zero-padded to 128 bytes, as hash, v - 27, r, s, when the v word is 27
   * or 28 (other v values return empty output without a recovery). */
  void (*on_sigrecover_data)(void *ctx, evm_sig_source src, const uint8_t hash[32], int recid,
                             const uint8_t r[32], const uint8_t s[32]);
  /* Transaction boundaries: index in the block; on_tx_end gets the gas used
   * (0 when invalid) and whether it was rejected. */
  void (*on_tx_start)(void *ctx, size_t index);
  void (*on_tx_end)(void *ctx, size_t index, uint64_t gas_used, int invalid);
} evm_tracer;

/* ---- Results ------------------------------------------------------------ */

typedef struct {
  uint8_t address[20];
  uint8_t (*topics)[32];
  size_t n_topics;
  uint8_t *data;
  size_t data_len;
} evm_log;

typedef enum {
  EVM_TX_SUCCESS = 0, /* executed, top frame returned normally */
  EVM_TX_REVERT = 1,  /* executed, top frame reverted */
  EVM_TX_HALT = 2,    /* executed, top frame halted exceptionally (all its gas used) */
  EVM_TX_INVALID = 3  /* rejected: state unchanged, see invalid */
} evm_tx_status;

typedef struct {
  evm_tx_status status;
  evm_invalid_reason invalid;  /* EVM_INVALID_NONE unless status is EVM_TX_INVALID */
  uint64_t gas_used;           /* after refunds and the EIP-7623 floor */
  uint64_t blob_gas_used;
  uint64_t gas_refund;         /* refund actually applied */
  evm_log *logs;               /* only when status is SUCCESS */
  size_t n_logs;
  int created;                 /* a contract creation that succeeded */
  uint8_t contract_address[20];
  uint8_t sender[20];          /* recovered or given sender (zero when the signature failed) */
  uint8_t *output;             /* top frame's return or revert data */
  size_t output_len;
} evm_tx_result;

typedef struct evm_state evm_state; /* prover/evm/state.h */

typedef struct {
  int status;               /* EVM_OK or EVM_E_* */
  evm_tx_result *txs;       /* n_txs entries, in block order */
  size_t n_txs;
  uint64_t gas_used;        /* sum of valid transactions' gas_used */
  uint64_t blob_gas_used;
  uint64_t steps;           /* instructions executed (all frames) */
  uint8_t logs_hash[32];    /* keccak256(rlp(all logs of the block, in order)) */
  uint8_t state_root[32];   /* post-state root */
  evm_state *state;         /* post-state, owned; see evm_state_* accessors */
} evm_block_result;

/* Execute b. tr may be NULL. On return *out is always initialised and must be
 * released with evm_block_result_free, whatever the status. Returns out->status.
 * With EVM_E_UNSUPPORTED_PRECOMPILE the transactions before the one that hit
 * the precompile are in out->txs (n_txs counts them) and the roots are zero. */
int evm_execute_block(const blk_block *b, const evm_tracer *tr, evm_block_result *out);
void evm_block_result_free(evm_block_result *r);

/* Accessors (aliases of the result fields, for callers holding a pointer). */
const uint8_t *evm_result_state_root(const evm_block_result *r);
const uint8_t *evm_result_logs_hash(const evm_block_result *r);

/* keccak256(rlp(list of logs)) of logs[0..n): the per-transaction logs hash
 * state tests compare. */
int evm_logs_hash(const evm_log *logs, size_t n, uint8_t out[32]);

/* Post-state inspection (tests, EEST full-state comparison). A missing
 * account reads as all zero; exists says whether it is in the trie. */
int evm_state_account(const evm_state *s, const uint8_t addr[20], int *exists, uint64_t *nonce,
                      uint8_t balance[32], const uint8_t **code, size_t *code_len);
void evm_state_storage(const evm_state *s, const uint8_t addr[20], const uint8_t key[32],
                       uint8_t value[32]);

/* Blob base fee for a fork and excess blob gas (EIP-4844 fake exponential with
 * the fork's update fraction), as 32 big-endian bytes. */
void evm_blob_base_fee(blk_fork fork, uint64_t excess_blob_gas, uint8_t out[32]);

#endif
