/* blk: the block file (.blk), the unit of work of pkbench.
 *
 * A block is self-contained, like the input of a stateless zkEVM guest: the
 * environment, the pre-state it touches and its transactions. It is proven with
 * no node and no database. The encoding is RLP (the ecosystem's own):
 *
 *   block    = [version, env, pre, txs]                    version = 1
 *   env      = [fork, chain_id, number, timestamp, gas_limit, base_fee,
 *               coinbase(20), prevrandao(32), excess_blob_gas, block_hashes]
 *   block_hashes = [[number, hash(32)], ...]               strictly ascending numbers
 *   pre      = [codes, accounts]
 *   codes    = [code, ...]                                  each distinct code once
 *   accounts = [[address(20), nonce, balance, code_ref, storage], ...]
 *              strictly ascending addresses; code_ref 0 = no code, i = codes[i-1]
 *   storage  = [[key, value], ...]   strictly ascending keys, value != 0
 *   txs      = [tx, ...]
 *   tx       = [type, sender, nonce, gas_limit, to, value, data,
 *               gas_price, max_priority_fee, access_list,
 *               max_fee_per_blob_gas, blob_hashes, authorizations, signature]
 *   sender   = integer key index into the deterministic test keys (evm_test_key,
 *              prover/evm) or address(20) of a sender given by its signature
 *   to       = "" (contract creation) or address(20)
 *   gas_price: type 0/1 the gas price, type 2/3/4 max_fee_per_gas
 *   max_priority_fee: 0 for type 0/1
 *   access_list = [[address(20), [key(32), ...]], ...]
 *   blob_hashes = [hash(32), ...]                            type 3 only
 *   authorizations = [[chain_id, address(20), nonce, y_parity, r, s], ...]  type 4
 *   signature = [] or [v, r, s]  (v as in the tx type: 27/28 or chain-id form
 *               for type 0, y_parity for types 1-4)
 *
 * Integers are canonical RLP scalars (no leading zero bytes; zero is the empty
 * string). fork is one of the names in blk_fork_name. The encoding is canonical:
 * every valid file satisfies encode(decode(x)) == x, and the decoder rejects any
 * input that is not in that canonical form, so a block has one content hash.
 *
 * 256-bit quantities are stored as 32-byte big-endian arrays (blk_u256); the
 * EVM converts them to its own representation.
 */
#ifndef PKB_BLK_H
#define PKB_BLK_H

#include <stddef.h>
#include <stdint.h>

#include "evm/rlp.h"

#define BLK_VERSION 1

/* Bounds that keep a hostile file from making the decoder allocate without limit. */
#define BLK_MAX_FILE_BYTES (256u << 20) /* whole file */
#define BLK_MAX_CODE_BYTES (1u << 20)   /* one pre-state code */
#define BLK_MAX_DATA_BYTES (32u << 20)  /* one tx's calldata */
#define BLK_MAX_TEST_KEYS 1024u         /* sender key index bound */

typedef enum {
  BLK_FORK_CANCUN = 0,
  BLK_FORK_PRAGUE = 1,
  BLK_FORK_OSAKA = 2,
  BLK_FORK_COUNT
} blk_fork;

typedef struct { uint8_t b[32]; } blk_u256; /* big-endian */
typedef struct { uint8_t b[20]; } blk_addr;

typedef struct {
  uint64_t number;
  uint8_t hash[32];
} blk_hash_entry;

typedef struct {
  blk_fork fork;
  uint64_t chain_id;
  uint64_t number;
  uint64_t timestamp;
  uint64_t gas_limit;
  blk_u256 base_fee;
  blk_addr coinbase;
  uint8_t prevrandao[32];
  uint64_t excess_blob_gas;
  blk_hash_entry *block_hashes;
  size_t n_block_hashes;
} blk_env;

typedef struct {
  uint8_t *data;
  size_t len;
} blk_bytes;

typedef struct {
  blk_u256 key;
  blk_u256 value;
} blk_slot;

typedef struct {
  blk_addr address;
  uint64_t nonce;
  blk_u256 balance;
  uint32_t code_ref; /* 0: no code; i: codes[i-1] */
  blk_slot *storage;
  size_t n_storage;
} blk_account;

typedef struct {
  blk_addr address;
  blk_u256 *keys;
  size_t n_keys;
} blk_access;

typedef struct {
  blk_u256 chain_id;
  blk_addr address;
  uint64_t nonce;
  uint8_t y_parity;
  blk_u256 r, s;
} blk_auth;

typedef struct {
  uint8_t type; /* 0..4 */
  int sender_is_address; /* 0: sender_key is an index into the test keys */
  uint32_t sender_key;
  blk_addr sender;
  uint64_t nonce;
  uint64_t gas_limit;
  int is_create; /* to is empty */
  blk_addr to;
  blk_u256 value;
  blk_bytes data;
  blk_u256 gas_price; /* type 0/1: gas price; 2/3/4: max fee per gas */
  blk_u256 max_priority_fee;
  blk_access *access_list;
  size_t n_access_list;
  blk_u256 max_fee_per_blob_gas;
  uint8_t (*blob_hashes)[32];
  size_t n_blob_hashes;
  blk_auth *auths;
  size_t n_auths;
  int has_signature;
  blk_u256 v, r, s;
} blk_tx;

typedef struct {
  uint64_t version;
  blk_env env;
  blk_bytes *codes;
  size_t n_codes;
  blk_account *accounts;
  size_t n_accounts;
  blk_tx *txs;
  size_t n_txs;
} blk_block;

/* Error codes. BLK_OK is 0; all errors are negative. */
enum {
  BLK_OK = 0,
  BLK_E_NOMEM = -1,     /* allocation failed */
  BLK_E_TRUNCATED = -2, /* input ends inside an item */
  BLK_E_RLP = -3,       /* malformed RLP header or length */
  BLK_E_NONCANON = -4,  /* valid RLP but not the canonical form */
  BLK_E_SHAPE = -5,     /* wrong item kind or list arity */
  BLK_E_VERSION = -6,   /* unknown version */
  BLK_E_FORK = -7,      /* unknown fork name */
  BLK_E_RANGE = -8,     /* integer or length out of range */
  BLK_E_ORDER = -9,     /* keys/addresses not strictly ascending */
  BLK_E_REF = -10,      /* code_ref names no code, or a code is never used */
  BLK_E_TRAILING = -11, /* bytes after the block */
  BLK_E_TXTYPE = -12,   /* unknown tx type or fields not allowed by the type */
  BLK_E_TOOBIG = -13,   /* over a BLK_MAX_* bound */
  BLK_E_IO = -14        /* file could not be read or written */
};

/* Where and why a decode failed: offset is the byte offset in the input of the
 * item that was rejected; msg is a short static description. */
typedef struct {
  size_t offset;
  const char *msg;
} blk_error;

/* Decode len bytes at buf into *out. On success *out owns its memory (free with
 * blk_free) and BLK_OK is returned. On failure *out is left zeroed (nothing to
 * free), a negative BLK_E_* code is returned and *err (if non-NULL) says where. */
int blk_decode(const uint8_t *buf, size_t len, blk_block *out, blk_error *err);

/* Encode b canonically. On success *out is a malloc'd buffer of *out_len bytes
 * owned by the caller. The block must satisfy the same rules the decoder checks
 * (blk_validate); otherwise the error of blk_validate is returned. */
int blk_encode(const blk_block *b, uint8_t **out, size_t *out_len);

/* Check the invariants the decoder enforces on a block built in memory
 * (sorted accounts and slots, valid code refs, fields allowed by tx type). */
int blk_validate(const blk_block *b, blk_error *err);

/* Release everything a decoded or built block owns; b is zeroed. NULL is fine. */
void blk_free(blk_block *b);

/* Read a whole file (at most BLK_MAX_FILE_BYTES; larger is BLK_E_TOOBIG) into a
 * malloc'd buffer owned by the caller. BLK_E_IO with errno set on failure. */
int blk_read_bytes(const char *path, uint8_t **buf, size_t *len);

/* SHA-256 of bytes as lower-case hex: the content hash of a canonical encoding. */
void blk_hash_bytes(const uint8_t *buf, size_t len, char out[65]);

/* Read and decode a file. err->offset is a byte offset in the file. */
int blk_read_file(const char *path, blk_block *out, blk_error *err);
int blk_write_file(const char *path, const blk_block *b);

/* Content hash of a block: SHA-256 of its canonical encoding, lower-case hex
 * in out (65 bytes with the NUL). Used as the block's identity in the database. */
int blk_content_hash(const blk_block *b, char out[65]);

/* RLP of a transaction's access list and authorization list. The block file
 * uses the forms the transaction types (EIP-2930, EIP-7702) define, so the
 * signing code and the codec share these. */
void blk_put_access_list(rlp_enc *e, const blk_tx *t);
void blk_put_auths(rlp_enc *e, const blk_tx *t);

const char *blk_fork_name(blk_fork f);      /* "Cancun", "Prague", "Osaka" */
int blk_fork_from_name(const char *name, blk_fork *out); /* BLK_OK or BLK_E_FORK */
const char *blk_strerror(int code);

/* Totals a block states without executing it. */
uint64_t blk_total_tx_gas(const blk_block *b);

#endif
