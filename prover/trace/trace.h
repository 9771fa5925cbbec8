/* trace: execution events to AIR tables, and tables to shards.
 *
 * The executor reports its work through evm_tracer; the collector here turns
 * the events into tables the way a zkVM's chips see them: a fixed width per
 * table and one or more rows per unit of work. Each table has an AIR (its
 * constraints, trace_air) and is cut into shards of at most 2^log_shard rows,
 * each padded to a power of two with rows that satisfy the constraints, and
 * each proven on its own. This module knows nothing of FRI or Merkle trees;
 * the STARK prover knows nothing of the EVM.
 *
 * Tables and what their rows stand for (prover/README.md states which
 * constraints each one has, and which work is only sized, not yet
 * constrained):
 *   cpu      one row per executed instruction
 *   memory   one row per 32-byte word read or written
 *   storage  one row per SLOAD/SSTORE/TLOAD/TSTORE
 *   keccak   24 rows per Keccak-f[1600] permutation (KECCAK256, CREATE2,
 *            and the stateless witness: trie nodes and bytecode hashing)
 *   arith    rows per 256-bit arithmetic instruction by its cost class
 *   precomp  rows per unit of precompile work (compressions, rounds, limb
 *            multiplications, field multiplications)
 *   ecrecover rows per secp256k1 recovery (senders, authorities, ECRECOVER)
 *
 * Values are BabyBear elements in Montgomery form (field/bb.h). A value that
 * does not fit the field (a gas counter above p - 1) makes the build fail
 * with TRACE_E_RANGE rather than wrap silently.
 */
#ifndef PKB_TRACE_H
#define PKB_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "evm/evm.h"
#include "field/bb.h"
#include "stark/air.h"

enum {
  TRACE_OK = 0,
  TRACE_E_NOMEM = -1,
  TRACE_E_RANGE = -2, /* a value does not fit a field element */
  TRACE_E_ARG = -3
};

#define TRACE_TABLES(X)     \
  X(CPU, "cpu")             \
  X(MEMORY, "memory")       \
  X(STORAGE, "storage")     \
  X(KECCAK, "keccak")       \
  X(ARITH, "arith")         \
  X(PRECOMP, "precomp")     \
  X(ECRECOVER, "ecrecover")

typedef enum {
#define X(id, name) TRACE_##id,
  TRACE_TABLES(X)
#undef X
  TRACE_COUNT
} trace_table_id;

/* One table: rows x width values, row-major, unpadded. */
typedef struct {
  trace_table_id id;
  unsigned width;
  size_t rows, cap;
  bb_t *data;
} trace_table;

/* The collector: attach with trace_tracer, run the executor, then read the
 * tables. Not thread-safe; one collector per block. */
typedef struct {
  trace_table t[TRACE_COUNT];
  int err;            /* first error met while collecting (sticky) */
  uint32_t tx;        /* index of the transaction being executed */
  uint64_t time;      /* instruction counter: the memory and storage rows' clock */
  uint64_t keccak_perms;
  uint64_t sig_recoveries;
  blk_fork fork;
  int count_only;     /* rows are counted, no values stored (cost estimates) */
} trace_collector;

void trace_init(trace_collector *c, blk_fork fork);
/* A collector that only counts rows: what the cost estimate needs, without
 * the memory and time of storing values. trace_finish and trace_shard are not
 * for such a collector. */
void trace_init_counting(trace_collector *c, blk_fork fork);
void trace_free(trace_collector *c);

/* An evm_tracer whose callbacks fill c. */
evm_tracer trace_tracer(trace_collector *c);

/* Stateless-witness hashing of block b that the executor does not report: the
 * guest hashes the bytecode of every contract it is given, and every
 * transaction's signed encoding (to recover its sender; the encoding is taken
 * as its data plus 128 bytes of fields). The permutations go to the keccak
 * table. */
void trace_add_block_witness(trace_collector *c, const blk_block *b);

/* Finish collecting: derives the cpu table's look-ahead columns (rows whose
 * successor continues the same frame). Returns c->err or TRACE_OK. */
int trace_finish(trace_collector *c);

const char *trace_table_name(trace_table_id id);
unsigned trace_table_width(trace_table_id id);

/* The AIR of a table (static; valid for the life of the process). */
const stark_air *trace_air(trace_table_id id);

/* Shards of a table: how many of at most 2^log_shard rows. */
size_t trace_shard_count(const trace_table *t, unsigned log_shard);

/* Shard k of t as a new padded trace: *out (malloc'd, caller frees) holds
 * 2^(*log_n) rows of t->width values; padding rows satisfy the AIR. A shard
 * has at least 2 rows (log_n >= 1), as the STARK requires. */
int trace_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n);

#endif
