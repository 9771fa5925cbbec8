/* state: the in-memory world state of one block execution, with a journal.
 *
 * Accounts live in an open-addressing hash table keyed by address; each
 * account has its own storage table keyed by slot, and a transient-storage
 * table (EIP-1153). Account and slot records are allocated from an arena and
 * never move, so the journal and the interpreter may hold pointers to them
 * for the life of the state.
 *
 * Every mutation made through the evm_state_* setters is journaled; a
 * checkpoint is a journal length and evm_state_revert undoes everything after
 * it (balances, nonces, code, storage, transient storage, existence, touches,
 * EIP-2929 warm marks, self-destruct and created-in-transaction marks).
 * evm_state_commit_tx ends a transaction: self-destructed accounts and
 * touched empty accounts (EIP-161) are deleted, warm marks and transient
 * storage are cleared, slot original values (EIP-2200) become the current
 * values, and the journal is emptied.
 *
 * An account record may stand for an absent account (exists == 0, all
 * fields zero): lookups create such records so the interpreter can warm and
 * read addresses that are not in the trie.
 */
#ifndef PKB_EVM_STATE_H
#define PKB_EVM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "evm/mpt.h"
#include "evm/u256.h"

typedef struct evm_slot {
  u256 key;
  u256 value;
  u256 original; /* value at the start of the current transaction */
  uint8_t warm;  /* EIP-2929: accessed in the current transaction */
} evm_slot;

typedef struct {
  evm_slot **tab; /* cap entries (power of two) or NULL */
  uint32_t cap, n;
} evm_slot_table;

typedef struct evm_account {
  uint8_t addr[20];
  uint8_t exists;     /* in the trie */
  uint8_t warm;       /* EIP-2929 accessed_addresses */
  uint8_t touched;    /* EIP-161, this transaction */
  uint8_t destroyed;  /* EIP-6780 self-destruct of an account created in this tx */
  uint8_t created;    /* created in this transaction (CREATE, CREATE2, create tx) */
  uint64_t nonce;
  u256 balance;
  const uint8_t *code; /* code_len bytes, owned by the state or the source block */
  size_t code_len;
  uint8_t code_hash[32];
  const uint8_t *jumpdests; /* analysis of code (bitmap), NULL until first run */
  evm_slot_table storage;
  evm_slot_table transient;
} evm_account;

typedef struct evm_state evm_state;

/* A new empty state for fork. NULL on allocation failure. */
evm_state *evm_state_new(blk_fork fork);
void evm_state_free(evm_state *s);
/* Load the pre-state of b (accounts, code, storage). Codes are referenced, not
 * copied: b must outlive s. Returns 0 or EVM_E_NOMEM / EVM_E_ARG. */
int evm_state_load_block(evm_state *s, const blk_block *b);

/* The record for addr, or NULL when none has been made. */
evm_account *evm_state_find(const evm_state *s, const uint8_t addr[20]);
/* The record for addr, made (absent) if needed. NULL only on allocation failure. */
evm_account *evm_state_get(evm_state *s, const uint8_t addr[20]);
/* The slot record, made (value 0) if needed. NULL only on allocation failure. */
evm_slot *evm_state_slot(evm_state *s, evm_account *a, const u256 *key);
/* Existing slot or NULL (no allocation). */
evm_slot *evm_state_slot_find(const evm_account *a, const u256 *key);
evm_slot *evm_state_tslot(evm_state *s, evm_account *a, const u256 *key);

/* EIP-161 empty: nonce 0, balance 0, no code (absent accounts are empty). */
static inline int evm_account_empty(const evm_account *a) {
  return a->nonce == 0 && a->code_len == 0 && u256_is_zero(&a->balance);
}
/* Whether the account has a non-zero storage slot (EIP-7610 collision). */
int evm_account_has_storage(const evm_account *a);

/* Journaled setters. Setting balance, nonce or code brings the account into
 * existence and touches it. They fail only on allocation failure (-1). */
int evm_state_set_balance(evm_state *s, evm_account *a, const u256 *v);
int evm_state_add_balance(evm_state *s, evm_account *a, const u256 *v); /* wraps mod 2^256 */
int evm_state_sub_balance(evm_state *s, evm_account *a, const u256 *v); /* caller checked */
int evm_state_set_nonce(evm_state *s, evm_account *a, uint64_t n);
/* code is copied into the state; hash is keccak256 of code. */
int evm_state_set_code(evm_state *s, evm_account *a, const uint8_t *code, size_t len,
                       const uint8_t hash[32]);
/* slot is one of account a's (storage, or transient storage). */
int evm_state_set_storage(evm_state *s, evm_account *a, evm_slot *slot, const u256 *v);
int evm_state_set_transient(evm_state *s, evm_account *a, evm_slot *slot, const u256 *v);
int evm_state_touch(evm_state *s, evm_account *a);
int evm_state_create(evm_state *s, evm_account *a); /* exists = 1 (created mark too) */
int evm_state_destroy(evm_state *s, evm_account *a);
/* EIP-2929 marks. Return 1 when the mark was newly set (was cold), 0 when
 * already warm, -1 on allocation failure. */
int evm_state_warm_account(evm_state *s, evm_account *a);
int evm_state_warm_slot(evm_state *s, evm_slot *slot);

/* Observer of the storage changes no setter makes: each journaled storage
 * or transient write that evm_state_revert undoes (the latest first: from
 * is the value it wrote, to the value it restores), and each non-zero slot
 * that evm_state_commit_tx clears by deleting its account (to zero). NULL
 * fn: none (the default). */
typedef void (*evm_state_storage_fn)(void *ctx, const evm_account *a, const evm_slot *slot, const u256 *from,
                                     const u256 *to, int transient);
void evm_state_observe_storage(evm_state *s, evm_state_storage_fn fn, void *ctx);

size_t evm_state_checkpoint(const evm_state *s);
void evm_state_revert(evm_state *s, size_t checkpoint);
/* End the current transaction (see the file comment). */
void evm_state_commit_tx(evm_state *s);

/* Jump-destination bitmap of code (bit i set: byte i is a JUMPDEST opcode),
 * cached by code hash. NULL on allocation failure. */
const uint8_t *evm_state_jumpdests(evm_state *s, const uint8_t *code, size_t len,
                                   const uint8_t hash[32]);
/* Analysis of code not cached (init code): caller frees. */
uint8_t *evm_jumpdest_analyze(const uint8_t *code, size_t len);

/* Post-state root (secure trie). Returns 0, EVM_E_NOMEM or EVM_E_INTERNAL. */
int evm_state_root(const evm_state *s, uint8_t out[32]);
/* As evm_state_root; *keccak_perms (may be NULL) receives the Keccak-f[1600]
 * permutations the root took: node hashes of every storage trie and of the
 * account trie, plus one per hashed key (slot or address). */
int evm_state_root_stats(const evm_state *s, uint8_t out[32], uint64_t *keccak_perms);
/* As evm_state_root_stats; on_hash (may be NULL) receives, with ctx, every
 * byte string the root hashes, in the order hashed: per account its address,
 * then its storage keys and storage trie nodes; then the account trie's
 * nodes, its root node last (mpt_root_traced). The permutations of the
 * strings reported add up to *keccak_perms. */
int evm_state_root_traced(const evm_state *s, uint8_t out[32], uint64_t *keccak_perms, mpt_hash_fn on_hash,
                          void *ctx);

/* ---- enumeration --------------------------------------------------------
 *
 * evm_state_each reports the state evm_state_root commits to, account by
 * account, so that a caller can write out exactly the executor's post-state
 * (fixture exporters) instead of probing guessed addresses.
 *
 * What is reported: every account in the trie (exists set), and nothing else.
 *  - Read after evm_state_commit_tx (as evm_block_result.state is), accounts
 *    deleted at the end of a transaction are gone: self-destructed ones
 *    (EIP-6780, every fork here: only accounts created in the same
 *    transaction; SELFDESTRUCT of an older contract only moves its balance)
 *    and touched empty ones (EIP-161, with the RIPEMD-160 exception noted in
 *    state.c).
 *  - Empty accounts (nonce 0, balance 0, no code) appear only while in the
 *    trie: an empty account of the loaded pre-state that no transaction
 *    touched stays, as in every fork from Spurious Dragon on; one touched is
 *    deleted. Every fork this executor runs applies EIP-161, so none made
 *    during a transaction survives its end.
 *  - Records made only by lookups (exists clear) are never reported.
 *  - Storage: the slots whose current value is non-zero. A slot never
 *    written, written back to zero, or belonging to a deleted account holds
 *    zero and is not reported (the storage trie holds no zero value).
 *    Transient storage (EIP-1153) is never reported.
 *  - Between commits (inside a transaction) the current values are reported,
 *    as evm_state_root hashes them then: self-destructs and EIP-161 deletions
 *    take effect only at evm_state_commit_tx.
 *
 * Order, deterministic: accounts by address ascending (bytewise), the slots
 * of each account by key ascending (bytewise big-endian, the numeric order).
 * The reported set, hashed with the account and storage encodings of the
 * Yellow Paper, gives evm_state_root; it is also a valid blk pre-state
 * (harness/blk.h: ascending addresses and keys, no zero value). */

typedef struct {
  uint8_t key[32];   /* big-endian */
  uint8_t value[32]; /* big-endian, never zero */
} evm_state_kv;

typedef struct {
  uint8_t addr[20];
  uint64_t nonce;
  uint8_t balance[32];         /* big-endian */
  const uint8_t *code;         /* code_len bytes; NULL when code_len is 0 */
  size_t code_len;
  uint8_t code_hash[32];       /* keccak256(code); evm_empty_code_hash for none */
  const evm_state_kv *storage; /* n_storage slots, keys strictly ascending; NULL when none */
  size_t n_storage;
} evm_state_entry;

/* Receives one account. e, its storage array and code are valid only during
 * the call. The callback must not change s (no setter, no evm_state_get or
 * evm_state_slot: they may grow the tables being walked). Returning non-zero
 * stops the walk. */
typedef int (*evm_state_visit_fn)(void *ctx, const evm_state_entry *e);

/* Call fn(ctx, entry) for every account described above, in that order.
 * Returns 0 when every account was reported, the callback's non-zero return
 * when it stopped the walk (return a positive value to tell it from the
 * errors), EVM_E_NOMEM on allocation failure (possibly after some accounts
 * were reported) or EVM_E_ARG when s or fn is NULL. */
int evm_state_each(const evm_state *s, evm_state_visit_fn fn, void *ctx);

/* What evm_state_each would report, counted without allocating: accounts in
 * the trie and their non-zero storage slots in all (either pointer may be
 * NULL). */
void evm_state_count(const evm_state *s, size_t *accounts, size_t *slots);

extern const uint8_t evm_empty_code_hash[32]; /* keccak256("") */
extern const uint8_t evm_empty_trie_root[32]; /* keccak256(rlp("")) */

#endif
