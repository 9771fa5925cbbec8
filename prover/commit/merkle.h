/* merkle: vector commitment to one or several row-major BabyBear matrices.
 *
 * This is the commitment the STARK prover uses for trace LDEs, quotient chunks
 * and FRI layers. It follows Plonky3's MerkleTreeMmcs so that tree shapes,
 * roots and openings are the same as Plonky3's for the same inputs:
 *
 *   - Leaves are matrix rows. Matrices are ordered by height, tallest first
 *     (a stable order: matrices of equal height keep the caller's order).
 *   - The bottom layer has one digest per row of the tallest matrices: the
 *     sponge hash of the concatenation of row i of every matrix of that height.
 *   - Each next layer compresses pairs: node = C(left, right). When matrices
 *     exist whose height equals the size of the new layer, their rows are
 *     hashed the same way (concatenated, sponge) and folded in:
 *     node = C(C(left, right), H(rows)). A matrix of height 1 is folded into
 *     the root.
 *   Matrices of equal height are thus committed as their concatenation: the
 *   shapes (widths and order) must be fixed by the protocol, not trusted from
 *   the prover, and moving columns between two matrices of the same height
 *   does not change the root.
 *
 * Hash backends behind one interface (merkle_hash):
 *   MERKLE_POSEIDON2: H = Poseidon2 width-16 sponge, rate 8, no padding
 *     (Plonky3 PaddingFreeSponge<_, 16, 8, 8>); C = width-16 permutation of
 *     left || right truncated to 8 elements (TruncatedPermutation). A digest is
 *     8 bb_t in Montgomery form (field/bb.h), ready to be absorbed as field
 *     elements by a Fiat-Shamir challenger.
 *   MERKLE_KECCAK: H = Keccak-256 of the canonical values as 32-bit
 *     little-endian words (Plonky3 SerializingHasher over Keccak256Hash);
 *     C = Keccak-256 of the 64 bytes left || right. A digest is the 32 output
 *     bytes read as 8 little-endian 32-bit words. For comparison only.
 *
 * Restrictions: every height is a power of two (1, 2, 4, ...), at least one
 * matrix, every width >= 1; max height at most 2^40.
 *
 * Error codes: MERKLE_OK (0), MERKLE_EINVAL (bad arguments: empty input,
 * non-power-of-two height, index out of range, NULL pointer, bad serialised
 * data), MERKLE_ENOMEM, MERKLE_EVERIFY (a well-formed opening that does not
 * match the root).
 *
 * Thread safety: a built tree is read-only; open may run concurrently from
 * several threads. Build uses its own worker threads.
 */
#ifndef PKB_COMMIT_MERKLE_H
#define PKB_COMMIT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "field/bb.h"

#define MERKLE_OK 0
#define MERKLE_EINVAL (-1)
#define MERKLE_ENOMEM (-2)
#define MERKLE_EVERIFY (-3)

/* Elements of a digest (both backends: 8 x 32 bits = 32 bytes). */
#define MERKLE_DIGEST_WORDS 8

typedef struct {
  uint32_t w[MERKLE_DIGEST_WORDS];
} merkle_digest;

typedef enum {
  MERKLE_POSEIDON2 = 0,
  MERKLE_KECCAK = 1,
} merkle_hash;

/* Shape of one committed matrix (what a verifier knows). */
typedef struct {
  size_t width;
  size_t height;
} merkle_dims;

/* One matrix to commit: row r is data[r*width .. r*width + width - 1]. */
typedef struct {
  const bb_t *data;
  size_t width;
  size_t height;
} merkle_matrix;

typedef struct merkle_tree merkle_tree;

/* Commit to mats[0..n_mats-1]. The tree keeps pointers to the matrices' data
 * (no copy): the data must stay alive and unchanged until merkle_free.
 * threads: worker threads for hashing; 0 means all online cores, 1 means none
 * (the calling thread does everything). The result does not depend on it.
 * On success *out is a new tree (free with merkle_free); on error *out is NULL. */
int merkle_build(const merkle_matrix *mats, size_t n_mats, merkle_hash hash, int threads,
                 merkle_tree **out);

/* Frees t and everything it allocated; t may be NULL. */
void merkle_free(merkle_tree *t);

/* The commitment. */
void merkle_root(const merkle_tree *t, merkle_digest *root);

merkle_hash merkle_tree_hash(const merkle_tree *t);

/* log2 of the tallest matrix height = number of digests in a path. */
unsigned merkle_log_height(const merkle_tree *t);

/* Tallest height (valid indices are 0 .. merkle_height(t) - 1). */
size_t merkle_height(const merkle_tree *t);

size_t merkle_num_matrices(const merkle_tree *t);

/* Shape of matrix i in the caller's order (i < merkle_num_matrices). */
merkle_dims merkle_matrix_dims(const merkle_tree *t, size_t i);

/* Sum of the widths: the number of elements merkle_open writes to rows. */
size_t merkle_opening_width(const merkle_tree *t);

/* Open leaf index (< merkle_height(t)).
 * rows (merkle_opening_width(t) elements): for every matrix, in the caller's
 * order, its row index >> (log_max_height - log_height), concatenated.
 * path (merkle_log_height(t) digests): the sibling at each layer, bottom
 * layer first. Neither buffer may overlap the tree's matrices. */
int merkle_open(const merkle_tree *t, size_t index, bb_t *rows, merkle_digest *path);

/* Check an opening against root, knowing only the matrices' shapes (given in
 * the same order as to merkle_build). rows and path as merkle_open writes
 * them. Returns MERKLE_OK when the opening matches, MERKLE_EVERIFY when it does
 * not, MERKLE_EINVAL for inconsistent shapes or an index out of range. rows
 * must hold reduced bb_t words (Montgomery form). */
int merkle_verify(merkle_hash hash, const merkle_digest *root, const merkle_dims *dims,
                  size_t n_mats, size_t index, const bb_t *rows, const merkle_digest *path);

/* Leaf hash H of a concatenated row (n elements) with the chosen backend, and
 * the 2-to-1 compression C; exposed so that other commitments (FRI folding)
 * can use the same primitives. */
void merkle_hash_row(merkle_hash hash, const bb_t *row, size_t n, merkle_digest *out);
void merkle_compress(merkle_hash hash, const merkle_digest *left, const merkle_digest *right,
                     merkle_digest *out);

/* Canonical bytes of a digest (32 bytes): Poseidon2 digests as the canonical
 * values of their 8 elements, 32-bit little-endian; Keccak digests as the
 * Keccak-256 output bytes. */
void merkle_digest_bytes(merkle_hash hash, const merkle_digest *d, uint8_t out[32]);

/* Poseidon2 permutations merkle_build performs for these shapes (MERKLE_POSEIDON2):
 * for every height h with total width w_h, h * ceil(w_h / 8) for the row
 * hashes; one per node above the bottom layer; one more per node of a layer
 * that injects rows. 0 for invalid shapes. Cheap (no hashing): meant for cost
 * estimates. */
uint64_t merkle_poseidon2_permutations(const merkle_dims *dims, size_t n_mats);

/* Serialised opening: the opened rows (canonical values, 4 bytes little-endian
 * each) followed by the path (32 bytes per digest, as merkle_digest_bytes).
 * merkle_opening_size gives the exact byte count for the shapes (0 for
 * invalid shapes). write returns the bytes written or MERKLE_EINVAL when cap
 * is too small; read returns MERKLE_OK or MERKLE_EINVAL (wrong length,
 * non-canonical field value). */
size_t merkle_opening_size(const merkle_dims *dims, size_t n_mats);
long merkle_opening_write(merkle_hash hash, const merkle_dims *dims, size_t n_mats,
                          const bb_t *rows, const merkle_digest *path, uint8_t *buf, size_t cap);
int merkle_opening_read(merkle_hash hash, const merkle_dims *dims, size_t n_mats,
                        const uint8_t *buf, size_t len, bb_t *rows, merkle_digest *path);

#endif
