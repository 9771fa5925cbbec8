/* fix_bc: blocks as execution-spec-tests `blockchain_test` fixtures, out and in.
 *
 * A blockchain test holds a genesis block (header, RLP, `pre` allocation) and
 * blocks built on it; a client imports them and compares the resulting head
 * and state. Here one pkbench block becomes one fixture of two blocks:
 *
 *   genesis (number N-1): parentHash 0, the empty ommers hash, coinbase 0,
 *     stateRoot of the block's pre-state, empty transactions/receipts/
 *     withdrawals tries, empty bloom, difficulty 0, gasLimit of the block,
 *     gasUsed 0, timestamp 0, extraData empty, mixHash 0, nonce 0, and the
 *     fork's fields (baseFee, withdrawalsRoot, blobGasUsed 0, excessBlobGas,
 *     parentBeaconBlockRoot 0, requestsHash for Prague and later) chosen so that the child's base fee
 *     (EIP-1559) and excess blob gas (EIP-4844, EIP-7918 for Osaka) computed
 *     from the genesis are exactly the block's own;
 *   block N: the block's environment (coinbase, number, timestamp, gas limit,
 *     base fee, prevrandao as mixHash, excess blob gas), stateRoot, receipts,
 *     bloom and gas from this project's executor, the signed transactions
 *     (test-key senders signed as evm_tx_encode signs them), no ommers, no
 *     withdrawals, parentBeaconBlockRoot 0, requestsHash = sha256("") (no
 *     requests) for Prague and later.
 *
 * Header fields (RLP order): parentHash, ommersHash, coinbase, stateRoot,
 * transactionsRoot, receiptsRoot, logsBloom, difficulty, number, gasLimit,
 * gasUsed, timestamp, extraData, mixHash, nonce(8), then baseFeePerGas
 * (London), withdrawalsRoot (Shanghai), blobGasUsed, excessBlobGas,
 * parentBeaconBlockRoot (Cancun: 20 fields), requestsHash (Prague and Osaka:
 * 21). The block RLP is [header, [tx, ...], [], []]: legacy transactions as
 * lists, typed ones as byte strings holding type || payload. A receipt is
 * [status, cumulativeGasUsed, logsBloom, logs], prefixed by the type byte for
 * typed transactions; both tries are keyed by rlp(index).
 *
 * What the export refuses (FIXX_E_UNREP, with the reason):
 *   - a transaction the executor rejects (a blockchain test's block would be
 *     invalid as a whole); a block of no transactions is fine;
 *   - block number 0 (no room for the genesis), timestamp 0, gas limit below
 *     5000, an excess blob gas no genesis can lead to under Osaka's rule, or
 *     (Osaka) a block RLP over EIP-7934's 8 MiB;
 *   - system contracts in the pre-state (code at the EIP-4788 beacon-roots,
 *     EIP-2935 history, EIP-7002 or EIP-7251 addresses) or a log of the
 *     deposit contract (Prague and later): a client runs their block-level
 *     system calls and request parsing, this executor does not, so the roots
 *     would differ. Without them every client skips those calls (no code to
 *     call) and the requests are empty;
 *   - BLOCKHASH semantics a client would not reproduce: in the fixture the
 *     hash of block N-1 is the genesis hash and every older block is unknown
 *     (zero). The block is executed a second time with block_hashes replaced
 *     by that single entry; any difference in a transaction's status, gas or
 *     logs, or in the state root, refuses the export. So hashes no
 *     transaction depends on are dropped (the fixture does not carry them),
 *     and a block that reads BLOCKHASH(N-1) exports only when its list gives
 *     N-1 the genesis hash (fixb_genesis).
 * The pre-state is the block's own: no system contract is added. A client
 * that requires the EIP-7002/7251 predeploys to have code therefore rejects
 * the Prague/Osaka fixtures made here (ethereumjs skips the calls).
 *
 * Several blocks export as one chain (fixb_export_chain): the genesis of the
 * first block's pre-state, then each block on its parent, which the export
 * checks block by block (see there).
 *
 * Import reads a blockchain_test file (one object of fixtures). Per fixture,
 * every block becomes one case (block_index: its position in `blocks`), run
 * on the state the chain has reached: the `pre` allocation (its root must
 * equal the genesis stateRoot), then each earlier block as this executor
 * runs it. For each block: environment from its header (fork from `network`,
 * chain id from `config.chainid`, default 1), transactions decoded from its
 * `rlp` (every one re-encoded must give its bytes back; a test-key sender
 * whose signature is the deterministic one is named by key index, unsigned,
 * as exported; any other keeps address and signature). The system calls
 * before the transactions are applied to the pre-state where their contract
 * has code: EIP-4788 (slot timestamp % 8191 = timestamp, slot + 8191 =
 * parentBeaconBlockRoot) and, Prague on, EIP-2935 (slot (number-1) % 8191 =
 * parentHash), assuming the canonical contracts there; so a case's pre-state
 * is the chain's state with those calls done. After the transactions the
 * block's withdrawals (EIP-4895) are credited, amount in Gwei times 10^9 wei
 * (an account left empty is deleted; a zero amount creates none), and the
 * result, read back whole from the executor (evm_state_each), is the state
 * the next block runs on.
 *
 * block_hashes (BLOCKHASH): the chain knows the genesis and every block it
 * took (number -> hash of its header). The block is run without hashes and
 * with all known ancestors 256 back (numbers N-256 .. N-1); when the outcome (status, gas, output
 * and logs of each transaction, state root) is the same, none is listed;
 * otherwise [N-1, parentHash] alone when that gives the outcome of the full
 * list, else the full list. So a block reading only BLOCKHASH(N-1) lists
 * that one entry, and a block that reads no hash lists none.
 *
 * Skipped cases, each with its reason (skip):
 *   - every block of a fork other than Cancun, Prague, Osaka, or a sealEngine
 *     other than NoProof;
 *   - a block with an expected exception: a client rejects it, so the chain
 *     goes on from its parent unchanged (its RLP is not read);
 *   - a block with withdrawals (a .blk cannot carry them): executed and
 *     credited all the same, the chain goes on through it;
 *   - a block with ommers, a body of other than 4 items, a header of
 *     another fork's shape, or a parentHash naming an older block of the
 *     chain than the last (a side chain; the chain is one line of blocks
 *     here, no reorganisation): not executed, and the chain stops there
 *     (every later block is skipped, saying so);
 *   - every block after one that diverged: its executed gas used differs
 *     from its header's, or its state root does when that is not explained
 *     below, or it calls a precompile this build lacks (its result unknown).
 * exec_matches records whether the executor's state root (after the
 * withdrawals) and gasUsed equal the header's. They need not: a client runs
 * the EIP-7002/7251 system calls after the transactions, which change those
 * contracts' storage, and this executor does not. So from Prague on, where
 * either contract has code, a state root that differs (gas equal) is
 * expected and not taken as divergence; the chain goes on with the
 * executor's own state, and that block and the later ones say so in note.
 * A fixture that is malformed (bad JSON, hex or RLP, a header parentHash
 * naming no block the chain has taken, a number that does not follow its
 * parent's, a transaction that does not decode or re-encode) fails as a
 * whole, the message naming the test and the block ("blocks[K].rlp").
 *
 * A chained case's pre-state is the whole state the chain has reached (every
 * account, as evm_state_each reports it), not only what the block touches:
 * its .blk grows with the accounts the earlier blocks made.
 *
 * Library code: nothing printed. Thread-safe.
 */
#ifndef PKB_FIX_BC_H
#define PKB_FIX_BC_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "fix.h"
#include "fix_export.h"

/* A block header of any fork from London on (15 legacy fields plus the
 * extension fields; n_fields says how many are present, 15..21). */
typedef struct {
  uint8_t parent_hash[32];
  uint8_t ommers_hash[32];
  uint8_t coinbase[20];
  uint8_t state_root[32];
  uint8_t tx_root[32];
  uint8_t receipts_root[32];
  uint8_t bloom[256];
  blk_u256 difficulty;
  uint64_t number, gas_limit, gas_used, timestamp;
  uint8_t extra[32];
  size_t extra_len; /* at most 32 */
  uint8_t mix_hash[32];
  uint8_t nonce[8];
  unsigned n_fields;         /* 15 .. 21 */
  blk_u256 base_fee;         /* field 16 */
  uint8_t withdrawals_root[32]; /* 17 */
  uint64_t blob_gas_used;    /* 18 */
  uint64_t excess_blob_gas;  /* 19 */
  uint8_t beacon_root[32];   /* 20 */
  uint8_t requests_hash[32]; /* 21 */
} fixb_header;

/* Header fields of a fork: 20 for Cancun, 21 for Prague and Osaka. */
unsigned fixb_header_fields(blk_fork f);

/* RLP of h (malloc'd, caller frees); FIXX_E_ARG when n_fields or extra_len is
 * out of range, FIXX_E_NOMEM. */
int fixb_header_encode(const fixb_header *h, uint8_t **out, size_t *len);
/* keccak256 of the RLP: the block hash. */
int fixb_header_hash(const fixb_header *h, uint8_t out[32]);
/* Decode one header item (a list of 15..21 canonical fields). Returns 0 or a
 * negative RLP_E_* / FIXX_E_ARG; *err_off is the offset of the bad item. */
int fixb_header_decode(const uint8_t *p, size_t len, fixb_header *h, size_t *err_off);

/* keccak256(rlp([])): the ommers hash of a block with no ommers. */
extern const uint8_t fixb_empty_ommers_hash[32];

/* The genesis header fixb_export writes for b (a function of b's pre-state
 * and environment only; block_hashes and transactions play no part). b must
 * pass blk_validate. FIXX_E_UNREP when no genesis leads to b's environment. */
int fixb_genesis(const blk_block *b, fixb_header *g, fixx_error *err);

/* Export b as a blockchain_test fixture named opts->name (contract of
 * fixx_state_test in fix_export.h). The post-state is stated by its root
 * (`postStateHash`); opts->post_state and opts->progress are not used. Error
 * codes FIXX_E_*; err->msg names the field or transaction at fault. */
int fixb_export(const blk_block *b, const fixx_opts *opts, char **json, size_t *len, fixx_error *err);

/* Export blocks[0..n) (n >= 1) as one blockchain_test fixture: the genesis
 * of blocks[0] (as fixb_export makes it), then every block, each header's
 * parentHash the hash of the one before. Block i+1 must be the child of
 * block i as a client checks it, so the export verifies (FIXX_E_UNREP, with
 * "block I: " and the reason, otherwise): same fork and chain id; number one
 * more; a later timestamp; a gas limit within parent/1024 of the parent's;
 * the base fee (EIP-1559) and excess blob gas (EIP-4844, EIP-7918) that
 * block i's executed header gives its child; and block i+1's pre-state equal
 * to block i's post-state as this executor computes it (compared by state
 * root; the message names the first account that differs). Every block
 * passes fixb_export's own refusals. BLOCKHASH: in the fixture, block i
 * reads the chain's own hashes (the genesis and blocks 0..i-1, 256 back at
 * most) and zero before the genesis; a block whose outcome differs under
 * those answers from its own block_hashes is refused. postStateHash is the
 * last block's post-state root, lastblockhash its hash; _info lists the
 * content hash of every block (`pkbench-blocks`) and the total gas. n == 1
 * gives exactly fixb_export's output. */
int fixb_export_chain(const blk_block *blocks, size_t n, const fixx_opts *opts, char **json, size_t *len,
                      fixx_error *err);

/* ---- import ---- */

typedef struct {
  char *test;                        /* top-level key */
  char network[FIX_FORK_NAME_MAX];   /* as written */
  size_t block_index;                /* position in blocks[] */
  char skip[FIX_SKIP_MAX];           /* non-empty: not imported, and why */
  uint8_t block_hash[32];            /* keccak of the block's header */
  uint8_t header_state_root[32];
  uint64_t header_gas_used;
  int exec_matches;                  /* executor's root and gas equal the header's */
  char note[FIX_SKIP_MAX];           /* non-empty: why they differ, or a caveat on the chained state */
  blk_block block;                   /* empty when skipped */
} fixb_case;

typedef struct {
  char *path;
  size_t n_tests;
  fixb_case *cases; /* file order: fixture, then block */
  size_t n_cases;
} fixb_file;

/* Parse a blockchain_test fixture (fix_parse's contract: on error *out is
 * empty and err says "FILE: test 'NAME': JSON.PATH: what"). */
int fixb_parse(const char *json, size_t len, const char *name, fixb_file *out, fix_error *err);
int fixb_load(const char *path, fixb_file *out, fix_error *err);
void fixb_file_free(fixb_file *f);

/* Which kind of fixture a JSON text holds, from the keys of its first test:
 * `genesisBlockHeader` or `blocks`: blockchain; `env` and `post`: state. */
typedef enum { FIX_KIND_UNKNOWN = 0, FIX_KIND_STATE = 1, FIX_KIND_BLOCKCHAIN = 2 } fix_kind;
fix_kind fix_detect_kind(const char *json, size_t len);

#endif
