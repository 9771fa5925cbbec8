/* gen: block generators for the corpus.
 *
 * Worst-case scenarios follow the shape of the execution-spec-tests benchmark
 * suite: one contract holds a loop that repeats the stressed operation until
 * the transaction runs out of gas, and transactions calling it fill the block
 * up to its gas limit, each capped at GEN_TX_GAS_CAP (EIP-7825's 2^24, used
 * for every fork as the suite does). Generators are deterministic: the same
 * parameters give the same bytes.
 *
 * Whole-block scenarios (access_list_keys, access_list_addresses,
 * authorizations) send transactions to an address without code, each with
 * exactly its intrinsic gas and as many access-list items or authorisations
 * as that gas pays for. EIP-7702 authorities are keys of their own,
 * keccak256("pkbench authority" || j as 4 bytes big-endian) for j = 0, 1, ...
 * in block order, never a test key (those send the transactions); before
 * Prague the authorizations block has no transactions. The 24 KiB-contract
 * scenarios (extcodesize_big, extcodecopy_big, call_big) share one set of
 * contracts, gas_limit / 400000 of them between 4 and 128.
 *
 * Names are stable (the corpus files are named after them). Where the suite
 * parameterises an operation by operand width, the width is a suffix:
 * mulmod_63, addmod_127, div_191, sdiv_63, mod_255, ... run the operation on
 * 255-bit operands with a modulus or divisor of that many bits; the
 * unsuffixed mulmod, addmod, div, sdiv (255-bit operands) and mod (127-bit)
 * are kept as they were. modexp_min_gas depends on the fork: its exponent is
 * the longest a call at the minimum price buys (EIP-2565 before Osaka,
 * EIP-7883 from Osaka).
 *
 * BLOCKHASH in a .blk answers the hashes the block lists in
 * blk_env.block_hashes and zero for any other number in the 256-block window
 * (prover/evm/evm.h). The blockhash scenario lists none, so each lookup reads
 * zero; its loop drops the values, so its gas and post-state are the same
 * whatever a client answers, and it exports as a state test (which refuses a
 * block that lists hashes and executes BLOCKHASH: fix_export.h).
 */
#ifndef PKB_GEN_H
#define PKB_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"

#define GEN_TX_GAS_CAP (1ull << 24)

typedef struct {
  uint64_t gas_limit; /* block gas limit, filled by the transactions */
  blk_fork fork;
  uint64_t seed;      /* for generators with random choices */
} gen_params;

enum {
  GEN_OK = 0,
  GEN_E_UNKNOWN = -1, /* no scenario of that name */
  GEN_E_PARAM = -2,   /* gas limit too small for one transaction, or out of range */
  GEN_E_NOMEM = -3,
  GEN_E_KEYS = -4     /* a test or authority key could not be derived or sign */
};

/* Worst-case scenarios, by index 0..gen_scenario_count()-1. */
size_t gen_scenario_count(void);
const char *gen_scenario_name(size_t i);
const char *gen_scenario_desc(size_t i);

/* A block of one contract with `code` at the generators' contract address,
 * called by transactions that fill p->gas_limit (each at most GEN_TX_GAS_CAP).
 * With calldata_offset each transaction passes a distinct 32-byte start value.
 * The code is copied. */
int gen_contract_block(const gen_params *p, const uint8_t *code, size_t len, int calldata_offset, blk_block *out);

/* Build scenario `name` into *out (caller frees with blk_free). */
int gen_worst_case(const char *name, const gen_params *p, blk_block *out);

#endif
