/* mpt: the root of a Merkle-Patricia trie built from a set of key/value pairs.
 *
 * Ethereum commits to its state, storage, transactions and receipts with the
 * hexary Merkle-Patricia trie of the Yellow Paper (appendix D): keys are split
 * into 4-bit nibbles (high nibble first); a node is a leaf [hp(path, 1), value],
 * an extension [hp(path, 0), child] or a branch [child0..child15, value], where
 * hp is the hex-prefix encoding; nodes are RLP lists and a child whose encoding
 * is shorter than 32 bytes is embedded in its parent, otherwise referred to by
 * the Keccak-256 of its encoding. The root is always hashed, so the empty trie
 * has root keccak256(rlp("")) = 56e81f17...5e363b421.
 *
 * The root depends only on the set of pairs, never on the order in which they
 * were given, so this module builds it in one pass over the sorted pairs with
 * no mutable trie: no insert or delete, no node database. A value of length 0
 * means "absent" (the trie cannot hold an empty value, and inserting one is a
 * deletion in every client); such pairs are skipped.
 *
 * The work is reported in Keccak-f[1600] permutations because that is what a
 * stateless witness check costs a prover: every hashed node is one keccak256
 * call over its encoding.
 */
#ifndef PKB_EVM_MPT_H
#define PKB_EVM_MPT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *key; /* may be NULL when key_len == 0 */
  size_t key_len;
  const uint8_t *val; /* may be NULL when val_len == 0 (pair skipped) */
  size_t val_len;
} mpt_kv;

/* What building a root cost. Filled by mpt_root_stats (overwritten, not added). */
typedef struct {
  uint64_t nodes;        /* leaf + extension + branch nodes encoded */
  uint64_t hashed_nodes; /* nodes referred to by hash (>= 32 bytes, and the root) */
  uint64_t hashed_bytes; /* bytes of node encodings fed to keccak256 */
  uint64_t keccak_perms; /* Keccak-f[1600] permutations, key hashing included */
} mpt_stats;

enum {
  MPT_OK = 0,
  MPT_E_DUPKEY = -1, /* two pairs have the same key (values not compared) */
  MPT_E_NOMEM = -2,
  MPT_E_ARG = -3 /* NULL pointer with a non-zero length, or out == NULL */
};

/* Root of the trie holding the n pairs kv[0..n) in any order. kv may be NULL
 * when n == 0. out receives 32 bytes and may not alias the keys or values.
 * Duplicate keys are MPT_E_DUPKEY, whether or not their values agree. */
int mpt_root(const mpt_kv *kv, size_t n, uint8_t out[32]);

/* As mpt_root; st (may be NULL) receives the work done. */
int mpt_root_stats(const mpt_kv *kv, size_t n, uint8_t out[32], mpt_stats *st);

/* Receives each node encoding that is hashed, as it is hashed: encodings of
 * 32 bytes or more, and the root's whatever its length; a node's children
 * come before the node, so the root comes last. data is valid only during
 * the call. */
typedef void (*mpt_hash_fn)(void *ctx, const uint8_t *data, size_t len);

/* As mpt_root_stats; on_hash (may be NULL) is called with ctx for every node
 * hashed, so a prover can take the very bytes it must hash (the keccak
 * table of a stateless-witness check). keccak256 of the last encoding
 * reported is *out, and the keccak256_permutations of the encodings reported
 * add up to st->keccak_perms. Nothing is reported for an empty trie (its
 * root is the constant mpt_empty_root). */
int mpt_root_traced(const mpt_kv *kv, size_t n, uint8_t out[32], mpt_stats *st, mpt_hash_fn on_hash, void *ctx);

/* The "secure" trie of the state and storage tries: each key is replaced by
 * keccak256(key) before insertion. The key hashes count in st->keccak_perms.
 * Two different keys with one hash would be a Keccak collision; equal keys are
 * MPT_E_DUPKEY as above. */
int mpt_secure_root(const mpt_kv *kv, size_t n, uint8_t out[32], mpt_stats *st);

/* keccak256(rlp("")): the root of the empty trie. */
extern const uint8_t mpt_empty_root[32];

#endif
