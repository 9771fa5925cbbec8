/* gen_mainnet: blocks drawn from a mix that resembles Ethereum mainnet.
 *
 * Where gen.h builds the worst case, this builds the ordinary case: a block
 * of plain ether transfers, ERC-20 transfers and approvals, swaps on a
 * constant-product pool, NFT mints, contract deployments, calldata-heavy
 * transactions and blob transactions, in the proportions of a mix file
 * (corpus/mainnet-mix.tsv, which cites where each figure comes from). The
 * contracts are small programs assembled here from the one opcode list; they
 * keep their state the way Solidity lays it out (mapping slots are
 * keccak256(key . slot)), so the storage traffic has mainnet's shape.
 *
 * Mix file: UTF-8 text, one record per line, fields separated by one TAB:
 *   class   NAME   PERCENT   share of transactions of class NAME (GENM_CLASSES)
 *   txtype  T      PERCENT   envelope share among non-blob transactions, T in {0,1,2,4}
 *   blobs   N      PERCENT   share of blob transactions carrying N blobs, N in 1..6
 *   param   NAME   VALUE     a scalar (GENM_PARAMS)
 * Lines starting with '#' and empty lines are ignored. Every class, txtype,
 * blobs count and param must appear exactly once; each group of percentages
 * must sum to 100 (within 0.001). Anything else is rejected with the line
 * number (genm_error.line, 1-based; for a missing record, the line after the
 * last one).
 *
 * Drawing a block (seed and block index fix every choice):
 *   - a gas target T = gas_limit * gas_target_fraction * (1 + gas_spread * z),
 *     z approximately standard normal (sum of 12 uniforms minus 6, no libm)
 *     truncated to [-gas_clip, gas_clip];
 *   - transactions drawn one at a time (class from `class`, envelope type from
 *     `txtype`, blob count from `blobs`) until the executed gas reaches T: the
 *     gas used lies in genm_gas_window (at most one transaction past T, and
 *     that transaction is at most max_tx_gas);
 *   - the block is executed (prover/evm) before it is returned: every
 *     transaction must succeed (none invalid, none reverted), or the
 *     generator reports GENM_E_EXEC.
 * Exceptions to the independent draws, kept because the protocol demands
 * them: a deployment drawn with envelope type 4 is sent as type 2 (a 7702
 * transaction cannot create), and so is every type 4 draw before Prague (and
 * past the 256 authority keys a block has); a blob transaction is cut to the
 * blobs left under the fork's per-block maximum, and when none are left the
 * class is drawn again.
 *
 * Transactions: senders are test keys 0..767 drawn uniformly (nonces in
 * sequence from a per-key start); type 0/1 pay base fee + tip as gas price,
 * types 2-4 offer 2 * base fee + tip; type 1 carries an access list naming
 * its callee; type 4 one EIP-7702 authorization signed by a test key of
 * 768..1023 (an account absent from the pre-state); type 3 sends to the blob
 * inbox with 0x01-versioned hashes and a blob fee cap of twice the blob base
 * fee. Gas limits are set from the executed gas: exact for plain transfers,
 * 20% over (rounded up to 1000) for everything else, as wallets estimate.
 * The pre-state holds the contracts and every sender and peer account, with
 * the token balances, allowances and pool state the transactions spend.
 *
 * Determinism: the same mix, parameters and index give the same bytes on
 * every platform (integer random numbers; floating point only in + - * /).
 */
#ifndef PKB_GEN_MAINNET_H
#define PKB_GEN_MAINNET_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "gen.h"

#define GENM_DEFAULT_MIX "corpus/mainnet-mix.tsv"
#define GENM_DEFAULT_GAS_LIMIT 60000000ull
#define GENM_MIN_GAS_LIMIT 1000000ull
/* A transaction of a fixed-size class never uses more than this (a swap or a
 * mint with a 7702 authorization and an access list). */
#define GENM_FIXED_TX_MAX_GAS 200000ull

/* Transaction classes: name in the mix file, what it is. */
#define GENM_CLASSES(X)                                                         \
  X(TRANSFER, "transfer", "plain ether transfer between accounts")             \
  X(ERC20_TRANSFER, "erc20_transfer", "ERC-20 transfer(address,uint256)")     \
  X(ERC20_APPROVE, "erc20_approve", "ERC-20 approve(address,uint256), spender a fresh address") \
  X(DEX_SWAP, "dex_swap", "swap on a constant-product pool (transferFrom in, transfer out)") \
  X(NFT_MINT, "nft_mint", "ERC-721 style mint of a fresh token id")           \
  X(DEPLOY, "deploy", "contract creation transaction")                        \
  X(CALLDATA, "calldata", "calldata-heavy transaction to an account without code") \
  X(BLOB, "blob", "blob-carrying (type 3) transaction")

typedef enum {
#define X(id, name, desc) GENM_##id,
  GENM_CLASSES(X)
#undef X
  GENM_CLASS_COUNT
} genm_class;

/* Scalar parameters: name, lowest and highest value accepted. */
#define GENM_PARAMS(X)                                       \
  X(gas_target_fraction, 0.05, 0.95)                        \
  X(gas_spread, 0.0, 1.0)                                   \
  X(gas_clip, 0.0, 6.0)                                     \
  X(max_tx_fraction, 0.01, 0.5)                             \
  X(base_fee_gwei_min, 0.000000001, 10000.0)                \
  X(base_fee_gwei_max, 0.000000001, 10000.0)                \
  X(priority_fee_gwei, 0.0, 10000.0)                        \
  X(excess_blob_gas_max, 0.0, 1e8)                         \
  X(calldata_bytes_min, 1.0, 1048576.0)                     \
  X(calldata_bytes_max, 1.0, 1048576.0)                     \
  X(calldata_zero_fraction, 0.0, 1.0)                       \
  X(deploy_bytes_min, 64.0, 24576.0)                        \
  X(deploy_bytes_max, 64.0, 24576.0)                        \
  X(fresh_recipient_share, 0.0, 1.0)

typedef struct {
  double class_share[GENM_CLASS_COUNT]; /* fractions, sum 1 */
  double type_share[5];                 /* by envelope type; [3] is 0 */
  double blob_share[7];                 /* by blob count; [0] is 0 */
#define X(name, lo, hi) double name;
  GENM_PARAMS(X)
#undef X
} genm_mix;

typedef struct {
  size_t line; /* 1-based line of the offending record; 0 when not about a line */
  char msg[200];
} genm_error;

enum {
  GENM_OK = 0,
  GENM_E_PARAM = -1, /* gas limit below GENM_MIN_GAS_LIMIT or over 2^40, unknown fork */
  GENM_E_NOMEM = -2,
  GENM_E_KEYS = -3,  /* test key derivation or signing failed */
  GENM_E_MIX = -4,   /* malformed mix (see genm_error) */
  GENM_E_IO = -5,    /* mix file could not be read (errno set) */
  GENM_E_EXEC = -6   /* the generated block did not execute cleanly (a bug) */
};

const char *genm_class_name(genm_class c); /* "transfer", ...; NULL out of range */
const char *genm_strerror(int code);

/* Parse a mix from len bytes of text (need not be NUL-terminated). On error
 * *out is unspecified and *err (if non-NULL) has the line and the reason. */
int genm_mix_parse(const char *text, size_t len, genm_mix *out, genm_error *err);
/* Read and parse a mix file. GENM_E_IO (line 0) when it cannot be read. */
int genm_mix_load(const char *path, genm_mix *out, genm_error *err);

/* The most gas one transaction of a block of this gas limit may use:
 * max(max_tx_fraction * gas_limit, GENM_FIXED_TX_MAX_GAS). */
uint64_t genm_max_tx_gas(const genm_mix *m, uint64_t gas_limit);
/* The declared range of a block's gas used: [T_min, T_max + max_tx_gas]. */
void genm_gas_window(const genm_mix *m, uint64_t gas_limit, uint64_t *lo, uint64_t *hi);

/* Block `index` of the sequence for (mix, p->seed): env number 20000000 +
 * index, timestamp 12 s apart. p->gas_limit at least GENM_MIN_GAS_LIMIT and
 * at most 2^40. *out is owned by the caller (blk_free); zeroed on failure.
 * gas_used (may be NULL) receives the gas the block used when executed. */
int genm_block(const genm_mix *m, const gen_params *p, uint64_t index, blk_block *out, uint64_t *gas_used);

/* Addresses of the pre-deployed contracts and sinks, for tests and tools
 * that classify transactions. */
typedef enum {
  GENM_ADDR_TOKEN_A = 0, /* ERC-20 */
  GENM_ADDR_TOKEN_B,     /* ERC-20, same code */
  GENM_ADDR_POOL,        /* constant-product pool of A and B */
  GENM_ADDR_NFT,         /* ERC-721 style mint */
  GENM_ADDR_CALLDATA_SINK, /* receives calldata-heavy transactions, no code */
  GENM_ADDR_BLOB_INBOX,  /* receives blob transactions, no code */
  GENM_ADDR_DELEGATE,    /* target of EIP-7702 authorizations */
  GENM_ADDR_COUNT
} genm_addr;
const uint8_t *genm_address(genm_addr a); /* 20 bytes; NULL out of range */

/* Storage layout of the contracts (Solidity's): token balances mapping at
 * slot 0, allowances at slot 1 (allowance[owner][spender] at
 * keccak256(pad32(spender) . key(owner, 1))); pool reserves of A and B at
 * slots 0 and 1, last update time at 2, price accumulators at 3 and 4 (its
 * token balances live in the tokens); NFT last token id at slot 0, owners at
 * mapping slot 1, balances at 2.
 * Key of mapping `slot` for address `who`: keccak256(pad32(who) . pad32(slot)). */
void genm_mapping_key(const uint8_t who[20], uint64_t slot, uint8_t key[32]);

/* `pkbench gen mainnet-like ...` (argv[0] is "mainnet-like"): writes
 * DIR/mainnet_s<seed>_<index>.blk for index 0..N-1. Prints progress and
 * errors; returns the process exit status (0 ok, 2 usage or failure). */
int genm_cli(int argc, char **argv, const char *usage);

#endif
