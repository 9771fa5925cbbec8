/* fix_export: pkbench blocks written as Ethereum test fixtures (JSON).
 *
 * The inverse of fix_import (fix.h): a block becomes a filled state test in
 * the execution-spec-tests / ethereum/tests format, so a block found here can
 * be replayed by any client's state-test runner. A state test holds one
 * transaction, so a block of n transactions becomes n tests, named
 * NAME_tx0 .. NAME_tx{n-1} in block order. Test k has
 *   - env: the block's environment (currentDifficulty 0, post-merge);
 *   - pre: the state after the block's first k transactions (the block's own
 *     pre-state for k = 0), every account that exists in it;
 *   - transaction: transaction k with one-element data/gasLimit/value arrays,
 *     `sender`, and `secretKey` when the sender is one of the deterministic
 *     test keys (evm_test_key), including an address sender equal to a test
 *     key's address;
 *   - post[fork] = [{hash, logs, txbytes, indexes {0,0,0}, expectException
 *     when the executor rejects the transaction (evm_invalid_name), state when
 *     asked for}], the hash and logs computed by this project's executor;
 *   - config.chainid, and _info with the source block's content hash, the
 *     transaction index and the gas the executor charged ("gas-used"), which a
 *     differential runner compares; importers ignore _info.
 * Transactions are signed as evm_tx_encode signs them: a test-key sender with
 * the block's chain id (EIP-155 for legacy transactions); a sender given by
 * address keeps the block's own signature.
 *
 * Exactness. The pre-state of test k is the executor's post-state after
 * transaction k - 1, read back whole (evm_state_each: every account in the
 * trie, every non-zero slot). Its state root is recomputed and must equal
 * the executor's; FIXX_E_STATE means it did not (an internal inconsistency,
 * never a fixture written wrong). Each transaction is also run alone on its
 * pre-state and must give the status and gas it has inside the whole block;
 * a transaction whose outcome depends on the block around it (cumulative
 * gas or blob limits) fails with FIXX_E_CONTEXT. A block listing block hashes fails with
 * FIXX_E_UNREP: a state test cannot carry them.
 *
 * Blockchain tests (FIXX_BLOCKCHAIN_TEST) are produced by fixb_export
 * (fix_bc.h): one fixture of a genesis and the block.
 *
 * Library code: nothing is printed; results are returned in caller-owned
 * buffers. Thread-safe (the executor and signer are).
 */
#ifndef PKB_FIX_EXPORT_H
#define PKB_FIX_EXPORT_H

#include <stddef.h>

#include "blk.h"

struct evm_state;

enum {
  FIXX_OK = 0,
  FIXX_E_NOMEM = -1,
  FIXX_E_ARG = -2,         /* NULL argument, invalid block (blk_validate), empty name */
  FIXX_E_EXEC = -3,        /* the executor failed (e.g. a precompile this build lacks) */
  FIXX_E_UNREP = -4,       /* the block holds something a state test cannot carry */
  FIXX_E_STATE = -5,       /* the state read back does not hash to the executor's root */
  FIXX_E_CONTEXT = -6,     /* a transaction's outcome depends on the rest of the block */
  FIXX_E_SIGN = -7,        /* signing or encoding a transaction failed */
  FIXX_E_UNAVAILABLE = -8  /* the format is not produced by this build */
};

typedef enum { FIXX_STATE_TEST = 0, FIXX_BLOCKCHAIN_TEST = 1 } fixx_format;

typedef struct {
  const char *name; /* test name prefix; NULL: "block" */
  int post_state;   /* write each post entry's full expected state (`state`) */
  int pretty;       /* indented JSON (otherwise compact) */
  /* Called after each transaction's test is built (done of total); may be
   * NULL. Large blocks take a while: one execution and one state root per
   * transaction. */
  void (*progress)(void *ctx, size_t done, size_t total);
  void *progress_ctx;
} fixx_opts;

#define FIXX_ERR_MAX 512

typedef struct {
  int code;
  char msg[FIXX_ERR_MAX]; /* "transaction K: what" when a transaction is at fault */
} fixx_error;

/* Export b (which must pass blk_validate) as a state-test fixture. On FIXX_OK
 * *json is a malloc'd NUL-terminated string of *len bytes (len may be NULL)
 * owned by the caller. On error *json is NULL and *err (if non-NULL) says why.
 * opts may be NULL (name "block", no post state, compact). A block with no
 * transactions is FIXX_E_ARG (a state test needs one). */
int fixx_state_test(const blk_block *b, const fixx_opts *opts, char **json, size_t *len, fixx_error *err);

/* Dispatch on fmt; same contract as fixx_state_test (blockchain_test: see
 * fixb_export in fix_bc.h, which also accepts a block of no transactions). */
int fixx_export(const blk_block *b, fixx_format fmt, const fixx_opts *opts, char **json, size_t *len,
                fixx_error *err);

/* The whole of the executor's state s (every account, code and non-zero
 * slot, sorted as evm_state_each gives them; each code kept once) as the
 * accounts and codes of *out, which is zeroed here and gets version
 * BLK_VERSION and nothing else: a pre-state. FIXX_OK, FIXX_E_NOMEM or
 * FIXX_E_EXEC (the state changed while read); on failure what was filled is
 * released by blk_free. */
int fixx_state_dump(const struct evm_state *s, blk_block *out);

/* "state_test" / "blockchain_test" <-> fixx_format; FIXX_E_ARG for any other. */
int fixx_format_from_name(const char *name, fixx_format *out);
const char *fixx_format_name(fixx_format f);
const char *fixx_strerror(int code);

#endif
