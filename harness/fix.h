/* fix: import of Ethereum state-test JSON fixtures into pkbench blocks.
 *
 * A filled state test (ethereum/tests GeneralStateTests, execution-spec-tests
 * `state_test`) is one JSON object mapping test names to tests. Each test holds
 * an environment, a pre-state, one transaction written with arrays (data[],
 * gasLimit[], value[]) and, per fork, a list of post entries; an entry picks one
 * element of each array through its indexes and states the expected post-state
 * root and logs hash. One entry becomes one case here: a self-contained
 * blk_block with one transaction, plus the expectations to check it against.
 *
 * The import is strict. Anything that changes the input (an unknown field in
 * env, pre or the transaction, bad hex, a value out of range, an index past its
 * array) is an error naming the file, the test and the JSON path; fields that
 * only add expectations beyond the ones used here are ignored. Nothing in a
 * malformed file can crash the importer or yield a partly filled case.
 *
 * Blocks follow blk.h: accounts sorted by address, storage sorted by key with
 * zero values dropped, each distinct code stored once. A secretKey that is one
 * of the test keys names the sender by that key's index, unsigned; any other
 * secretKey names the sender by address with a signature made with that key
 * (evm_tx_sign). Without secretKey, sender and each entry's txbytes are
 * required: the signature is taken from txbytes and, for a transaction
 * expected to be valid, must recover sender. Either way the block is
 * replayable as it stands.
 */
#ifndef PKB_FIX_H
#define PKB_FIX_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"

/* Error codes: FIX_OK is 0, errors are negative. */
enum {
  FIX_OK = 0,
  FIX_E_NOMEM = -1,       /* allocation failed */
  FIX_E_IO = -2,          /* file could not be read */
  FIX_E_JSON = -3,        /* not well-formed JSON */
  FIX_E_MISSING = -4,     /* a required field is absent */
  FIX_E_TYPE = -5,        /* a field has the wrong JSON type */
  FIX_E_HEX = -6,         /* not "0x" followed by hex digits (even count for bytes) */
  FIX_E_RANGE = -7,       /* value too large, wrong length, or index past its array */
  FIX_E_INVALID = -8,     /* inconsistent content: duplicate key, sender mismatch, bad key */
  FIX_E_UNSUPPORTED = -9, /* a field or form this importer does not handle */
  FIX_E_SIGN = -10,       /* signing the transaction failed */
  FIX_E_BLOCK = -11       /* the block built fails blk_validate */
};

#define FIX_ERR_MAX 1024

/* Why an import failed: code is the FIX_E_* returned; msg reads
 * "FILE: test 'NAME': JSON.PATH: what" (test and path when known). */
typedef struct {
  int code;
  char msg[FIX_ERR_MAX];
} fix_error;

/* One account of an expected post-state (execution-spec-tests fill `state`).
 * Storage is sorted by key with zero values dropped, as in the pre-state. */
typedef struct {
  blk_addr address;
  uint64_t nonce;
  blk_u256 balance;
  blk_bytes code;
  blk_slot *storage;
  size_t n_storage;
} fix_account;

#define FIX_FORK_NAME_MAX 32
#define FIX_SKIP_MAX 192

/* One post entry of one fork of one test. */
typedef struct {
  char *test;                        /* top-level key of the test */
  char fork_name[FIX_FORK_NAME_MAX]; /* as written in `post` */
  blk_fork fork;                     /* valid only when skip[0] == 0 */
  size_t post_index;                 /* position in post[fork_name] */
  size_t idx_data, idx_gas, idx_value;
  uint8_t post_root[32];             /* `hash` */
  uint8_t logs_hash[32];             /* `logs` */
  char *expect_exception;            /* NULL: the transaction is valid */
  blk_bytes txbytes;                 /* the fixture's signed transaction; len 0 if absent */
  /* Chain id the transaction's signature commits to, for evm_tx_sign and
   * evm_tx_encode: the block's chain id, or 0 for a legacy transaction signed
   * before EIP-155 (v = 27/28, the ethereum/tests form). */
  uint64_t sign_chain_id;
  int has_post_state;
  fix_account *post_state;           /* sorted by address */
  size_t n_post_state;
  /* Non-empty when the case cannot be represented (a fork pkbench does not
   * model, or an invalid transaction the block format cannot hold): then block
   * is empty and the case must be counted as skipped with this reason. */
  char skip[FIX_SKIP_MAX];
  blk_block block;                   /* env, pre-state and the one transaction */
} fix_case;

typedef struct {
  char *path;      /* as given to fix_load, or the name given to fix_parse */
  size_t n_tests;  /* tests (top-level keys) in the file */
  fix_case *cases; /* in file order: test, then fork, then post entry */
  size_t n_cases;
} fix_file;

typedef struct {
  const char *fork; /* import only this fork's entries (exact name); NULL: all */
} fix_opts;

/* Parse a fixture held in memory. json need not be NUL-terminated; len bytes
 * are read. name labels error messages and becomes out->path. opts may be NULL.
 * On FIX_OK *out owns everything (fix_file_free). On error *out is left empty
 * (nothing to free), and *err (if non-NULL) says what and where. */
int fix_parse(const char *json, size_t len, const char *name, const fix_opts *opts,
              fix_file *out, fix_error *err);

/* Read and parse the file at path (same contract as fix_parse). */
int fix_load(const char *path, const fix_opts *opts, fix_file *out, fix_error *err);

/* Release a file and its cases; f is zeroed. NULL is fine. */
void fix_file_free(fix_file *f);
void fix_case_free(fix_case *c);

const char *fix_strerror(int code);

/* Read an allocation object (address -> {balance, nonce, code, storage}, as
 * `pre` of state and blockchain tests) into the pre-state part of *b (codes
 * and accounts, which must be empty): accounts sorted, zero slots dropped,
 * each distinct code once in order of first use. Errors as fix_parse, the
 * message naming file, test and key (the JSON path of obj). */
struct cJSON;
int fix_read_alloc(const struct cJSON *obj, const char *file, const char *test, const char *key, blk_block *b,
                   fix_error *err);

/* Hex helpers. Every one requires the prefix "0x" and hex digits (either case)
 * and nothing else: no whitespace, no sign, no "0X".
 * fix_hex_bytes: an even number of digits (possibly none); *out is malloc'd
 *   (NULL when *len is 0) and owned by the caller; at most max_len bytes, else
 *   FIX_E_RANGE.
 * fix_hex_u64 / fix_hex_u256: a quantity, at least one digit, leading zeros
 *   allowed; FIX_E_RANGE when the value does not fit. u256 is big-endian.
 * fix_hex_fixed: exactly 2*n digits (addresses, hashes); FIX_E_RANGE otherwise.
 * On error the outputs are untouched (fix_hex_bytes: *out NULL, *len 0). */
int fix_hex_bytes(const char *s, size_t max_len, uint8_t **out, size_t *len);
int fix_hex_u64(const char *s, uint64_t *out);
int fix_hex_u256(const char *s, uint8_t out[32]);
int fix_hex_fixed(const char *s, uint8_t *out, size_t n);

#endif
