/* mutate: the structure-aware mutator of blocks, shared by the libFuzzer hooks
 * (fuzz/mutator.inc), the AFL++ custom mutator (fuzz/afl_mutator.c) and any
 * in-process search such as the hunt.
 *
 * A byte-level fuzzer almost never turns a valid .blk into another valid one
 * (RLP lengths, canonical integers, sorted accounts, signatures). This module
 * works on the decoded block instead: it applies a few operators from the list
 * below, then re-fits the block so that it is again one the codec and the
 * executor accept:
 *   - every transaction's gas limit lies between its intrinsic gas (and the
 *     EIP-7623 floor) and the per-transaction cap (mut_opts.tx_gas_cap,
 *     GEN_TX_GAS_CAP by default), and their sum is at most the block gas limit
 *     (transactions are shortened, then dropped from the end, to make it so);
 *   - senders are test keys (an address sender is replaced by a test key, its
 *     now stale signature dropped), hold no code other than an EIP-7702
 *     delegation, have nonces in sequence from their pre-state nonce
 *     (authorizations of type 4 transactions that bump an authority's nonce
 *     are followed), and a balance that pays every transaction's gas at its
 *     fee cap, value and blob fee;
 *   - fee caps at least the base fee (and the blob base fee), priority fee at
 *     most the fee cap, fields only where the transaction type allows them,
 *     blob counts within the fork's limits, initcode within EIP-3860;
 *   - pre-state codes distinct, non-empty and used, accounts and storage
 *     sorted, no zero storage value.
 * Transactions can still fail, revert or run out of gas at run time; the
 * block as a whole executes with EVM_OK, and no transaction is rejected as
 * invalid, with one exception the fix-up cannot see without executing: a
 * sender whose EIP-7702 delegate code, run by a call to it, creates contracts
 * (bumping its nonce) or sends its ether away before its next transaction.
 *
 * Bytecode operators walk the code instruction by instruction (a PUSHn and
 * its n immediate bytes are one instruction; a PUSH cut short by the end of
 * the code is one instruction up to the end): every edit removes and inserts
 * whole instructions at instruction boundaries, so no PUSH immediate is ever
 * split. After an edit that moves code, jump targets written as "PUSHn dest;
 * JUMP/JUMPI" whose dest was a JUMPDEST of the old code are moved with it
 * (when the new offset fits the PUSH width), so unrolled loops keep looping.
 *
 * Determinism: the output is a function of (input bytes, seed, options) only.
 * Threading: no global state except read-only tables; distinct calls may run
 * concurrently as long as they do not share a mut_opts.stats.
 * Aliasing: in and out buffers of mut_block / mut_crossover must not overlap.
 */
#ifndef PKB_MUTATE_H
#define PKB_MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"

/* The operators. CODE_* edit a pre-state code (instruction-aware); TX_* edit
 * transactions; STATE_* edit pre-state accounts and storage. */
#define MUT_OPS(X)                                                                   \
  X(CODE_INSERT, "insert random instructions")                                      \
  X(CODE_DELETE, "delete a run of instructions")                                    \
  X(CODE_DUP, "duplicate a run of instructions in place")                           \
  X(CODE_SPLICE, "copy a run of instructions from another code")                    \
  X(CODE_SWAP, "swap two runs of instructions")                                     \
  X(CODE_PUSH, "set a PUSH immediate to an interesting value")                      \
  X(CODE_PATTERN, "insert a known costly snippet")                                  \
  X(CODE_LOOP, "replace a code by a loop over costly snippets")                     \
  X(PC_INPUT, "tweak a precompile input in calldata (modexp lengths, exponent)")    \
  X(TX_PRECOMPILE, "send a transaction to a precompile with a worst-case input")    \
  X(TX_TO, "change a transaction's recipient")                                      \
  X(TX_VALUE, "change a transaction's value")                                       \
  X(TX_DATA, "edit a transaction's calldata")                                       \
  X(TX_GAS, "change a transaction's gas limit")                                     \
  X(TX_TYPE, "change a transaction's type")                                         \
  X(TX_ADD, "add a transaction")                                                    \
  X(TX_DROP, "drop a transaction")                                                  \
  X(TX_DUP, "duplicate a transaction")                                              \
  X(TX_SWAP, "swap two transactions")                                               \
  X(STATE_STORAGE, "set, change or clear a storage slot of a contract")             \
  X(STATE_ACCOUNT, "add a contract account, or change a balance or nonce")          \
  X(CROSS_TXS, "splice the transactions of two blocks (crossover only)")            \
  X(CROSS_CODE, "splice the bytecode of two blocks (crossover only)")

typedef enum {
#define X(id, desc) MUT_OP_##id,
  MUT_OPS(X)
#undef X
  MUT_OP_COUNT
} mut_op;

/* Error codes: 0 ok, negative errors. */
enum {
  MUT_OK = 0,
  MUT_E_NOMEM = -1,
  MUT_E_ARG = -2,    /* NULL where a pointer is needed, or an operator out of range */
  MUT_E_SEED = -3    /* the built-in seed block could not be built */
};

/* Operator application counts (a test's way to see every operator run). */
typedef struct {
  uint64_t applied[MUT_OP_COUNT];
} mut_stats;

typedef struct {
  unsigned max_ops;     /* operators per mutation: 1..max_ops (default 3) */
  size_t max_txs;       /* at most this many transactions (default 4096) */
  size_t max_code;      /* a mutated code stays at most this long (default 24576, EIP-170) */
  size_t max_data;      /* no edit makes a calldata longer than this (default 16384) */
  uint64_t tx_gas_cap;  /* per-transaction gas cap (default GEN_TX_GAS_CAP, EIP-7825) */
  int keep_tx_gas;      /* mut_resize growing: copies of the transactions as they are, not
                           raised to the cap first (default 0) */
  uint32_t disabled;    /* bit i set: operator i is never chosen (default 0) */
  mut_stats *stats;     /* NULL or counts to add to (not thread-safe) */
} mut_opts;

mut_opts mut_opts_default(void);
const char *mut_op_name(mut_op op);  /* "CODE_INSERT", ...; NULL out of range */
const char *mut_op_desc(mut_op op);

/* A small deterministic PRNG (xoshiro256**, seeded by splitmix64). */
typedef struct {
  uint64_t s[4];
} mut_rng;

void mut_rng_seed(mut_rng *r, uint64_t seed);
uint64_t mut_rng_next(mut_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t mut_rng_below(mut_rng *r, uint64_t n);

/* ---- bytes in, bytes out (the fuzzers' entry points) ---- */

/* Decode in[0..len) (on a decode failure start from the built-in seed block
 * instead), mutate, re-fit and encode into out. Returns the encoded length,
 * at most max_out; when no mutation fits max_out the re-fitted input, then the
 * seed block, is tried; 0 only when nothing fits (or on allocation failure).
 * o may be NULL (defaults). in may be NULL when len is 0. */
size_t mut_block(const uint8_t *in, size_t len, uint8_t *out, size_t max_out, uint64_t seed,
                 const mut_opts *o);

/* Crossover of blocks a and b (either may fail to decode: the seed block
 * stands in): the child is a with transactions and/or bytecode spliced from b
 * (b's accounts come along where a lacks them), then mutated with the same
 * likelihood as mut_block and re-fitted. Same return convention as mut_block. */
size_t mut_crossover(const uint8_t *a, size_t la, const uint8_t *b, size_t lb, uint8_t *out, size_t max_out,
                     uint64_t seed, const mut_opts *o);

/* ---- on decoded blocks (no encoding; for in-process searches) ---- */

/* Apply 1..o->max_ops random operators to b, then mut_fixup. b must be a
 * valid block (blk_validate); it stays one. MUT_OK or MUT_E_NOMEM (b is then
 * still a valid block, possibly partly mutated). */
int mut_block_decoded(blk_block *b, mut_rng *r, const mut_opts *o);

/* Splice other into b (CROSS_TXS and/or CROSS_CODE), then mutate as
 * mut_block_decoded does. other is read only. */
int mut_crossover_decoded(blk_block *b, const blk_block *other, mut_rng *r, const mut_opts *o);

/* Apply one operator (no fixup). donor may be NULL (b itself is then the
 * donor for splices; CROSS_* need one). Returns 1 when applied, 0 when the
 * operator does not apply to this block (e.g. no code to edit), or MUT_E_*. */
int mut_apply(blk_block *b, mut_op op, mut_rng *r, const mut_opts *o, const blk_block *donor);

/* Make b a block the codec and the executor accept (see the top of this
 * file). Called by every function above; idempotent. */
int mut_fixup(blk_block *b, const mut_opts *o);

/* Remove transaction i of b, freeing its fields (no fix-up: call mut_fixup
 * to renumber nonces). MUT_OK or MUT_E_ARG (i out of range). */
int mut_drop_tx(blk_block *b, size_t i);

/* Set b's gas limit to gas_limit and fit its transactions to it: when they
 * ask for less, each is first raised to the per-transaction cap (unless
 * o->keep_tx_gas: a transaction whose work per gas falls as it runs longer,
 * such as one that grows memory, whose expansion cost is quadratic, keeps
 * its gas), then copies of them (in order, round robin) are appended, the
 * last with the room left;
 * when more, the first transactions are kept, each raised to the cap while
 * there is room (fewer intrinsic charges), and the rest dropped. Then mut_fixup (nonces,
 * balances, signatures). MUT_OK, MUT_E_ARG (gas_limit below one transaction)
 * or MUT_E_NOMEM. */
int mut_resize(blk_block *b, uint64_t gas_limit, const mut_opts *o);

/* The built-in seed: a small Osaka block at 1M gas, one contract looping over
 * costly snippets and transactions calling it. Caller frees with blk_free. */
int mut_seed_block(blk_block *out);

/* ---- bytecode (exposed for tests and other searches) ---- */

/* Length of the instruction at code[pc] (PUSHn: 1 + n, cut at len). */
size_t mut_insn_len(const uint8_t *code, size_t len, size_t pc);

/* What a bytecode operator changed: bytes [pos, pos + del) of the old code
 * became bytes [pos, pos + ins) of the new one; the rest only moved (and jump
 * immediates may have been rewritten in place). */
typedef struct {
  size_t pos, del, ins;
} mut_edit;

/* Apply bytecode operator op (one of CODE_INSERT..CODE_PATTERN) to *code,
 * which stays non-empty and at most o->max_code bytes (when it already was).
 * donor is the code CODE_SPLICE copies from (NULL: code itself). Returns 1
 * when applied (with *e set when e is non-NULL), 0 when not, or MUT_E_*. */
int mut_code_op(blk_bytes *code, mut_op op, blk_fork fork, const blk_bytes *donor, mut_rng *r,
                const mut_opts *o, mut_edit *e);

#endif
