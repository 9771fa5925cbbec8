/* runner: one block from file to verified proofs, with every phase timed.
 *
 * execute (with the trace collector attached) -> build tables -> cut shards ->
 * prove each shard -> serialise, parse back and verify each proof. The result
 * says per table how many rows and shards there were and whether the table was
 * proven in this build (tables whose AIR is not built yet are sized only), and
 * per phase how long it took. A proof that does not verify makes the block
 * fail; it is never reported as proven. Shards are proven on the backend of
 * o->stark.backend (run_select_backend); a GPU failure fails the block with
 * RUN_E_DEVICE and the CUDA error in the reason, it never yields a proof.
 *
 * Lookups (TRACE_OPT_LOOKUPS in prove_tables, `--lookups`). When some proven
 * table has interactions (trace.h: trace_table_lookup) the block is proven in
 * two phases: first the main trace of every shard of every such table is
 * committed (stark_commit_main_keep, the commitments kept for the proofs
 * within a memory budget; table then shard order), the challenges are drawn
 * from all those roots and the opcode ROM's public counts
 * (stark_lookup_challenges_pub), then each such shard is proven with them
 * (stark_prove_lookup_kept) and verified from its bytes
 * (stark_verify_lookup). The verifier side derives the challenges again from
 * the verified proofs' trace roots and the counts, and adds their cumulative
 * sums and the ROM's side (stark_lookup_public_sum): other challenges, or a
 * non-zero sum ("lookup buses do not balance"), fail the block with
 * RUN_E_VERIFY. The first phase's time is counted in the commit
 * phase and in lookup_commit_ms, and each shard's commitment in that shard's
 * time (shard_ms, prove_ms). Tables without interactions are proven exactly
 * as without the option.
 *
 * Blocks past the collector's budget (run_opts.trace_max_bytes) are proven
 * as a zkVM proves a long execution in segments, with bounded memory: the
 * rows are counted first (a counting collector keeps no values, and gives
 * the estimate), then the block is executed again once per pass, each pass
 * storing only a window of the cpu, memory and storage tables' rows
 * (trace_keep_rows: the next shards of each, as many as fit in three
 * quarters of the budget) and proving those shards; the first proving pass
 * also proves the other tables, which every pass keeps whole. With lookups
 * every commitment precedes the challenges, so the passes run twice: each
 * commits its shards and adds up its range16 and opcode counts
 * (trace_counts_add), the challenges are drawn from all the roots and the
 * sums, then each pass proves its shards (the last window first, from the
 * collector the first round ended with). The proofs are those of one
 * collection, shard for shard; r->passes says how many executions it took
 * (passes, or 2 passes - 1 with lookups), and their time is all in the
 * execute phase. A block where a single shard of each windowed table does
 * not fit fails with RUN_E_NOMEM and the reason (its rows counted and
 * estimated). */
#ifndef PKB_RUNNER_H
#define PKB_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "model.h"
#include "stark/stark.h"
#include "trace/trace.h"

enum {
  RUN_OK = 0,
  RUN_E_NOMEM = -1,
  RUN_E_EXEC = -2,        /* the executor failed (not an invalid transaction: those are results) */
  RUN_E_UNSUPPORTED = -3, /* the block calls a precompile this build lacks */
  RUN_E_TRACE = -4,       /* a value did not fit the tables */
  RUN_E_PROVE = -5,       /* the prover refused (a constraint does not hold: a bug) */
  RUN_E_VERIFY = -6,      /* a proof did not verify */
  RUN_E_TIMEOUT = -7,     /* the block ran past its time limit (in-tree or external prover) */
  RUN_E_DEVICE = -8,      /* the CUDA backend failed (no device, device memory, kernel): see reason */
  RUN_E_ARG = -9          /* a bad option value (run_select_backend) */
};

typedef struct {
  unsigned log_shard; /* rows per shard = 2^log_shard (default 20) */
  stark_config stark;
  int prove;          /* 0: execute and build tables only */
  model_profile profile; /* for the cost estimate (model.h) */
  unsigned extra_work;   /* tests of the regression gate: prove each shard this many more times */
  double timeout_ms;     /* give up (RUN_E_TIMEOUT) once a block has taken longer; checked
                            between shards; 0: no limit */
  unsigned prove_tables; /* trace.h TRACE_OPT_PROVE_* bits (and TRACE_OPT_LOOKUPS: the
                            lookup buses and the range16 table, see above): the tables proven besides cpu,
                            memory and storage (keccak, arith, ecrecover, ...), built from
                            the values the executor reports; a wide table's shards hold at
                            most 2^trace_max_log_shard rows (0: those tables are sized) */
  char device[128];      /* what stark.backend runs on: "cpu", a GPU's name, or
                            "cuda emulation (CPU)"; set by run_select_backend */
  size_t trace_max_bytes; /* the collector's budget (trace.h max_bytes; default half of
                             this machine's memory, 0: none): a block whose rows would
                             take more is proven in passes (above) */
  /* Progress of a long block (NULL: none): called after each shard is
   * proven and verified with the shards done and the block's total, and
   * the shard's table. */
  void (*on_shard)(void *ctx, size_t done, size_t total, const char *table);
  void *on_shard_ctx;
} run_opts;

run_opts run_opts_default(void); /* backend cpu */

/* The trace options (trace.h TRACE_OPT_*) that o asks for. */
unsigned run_trace_opts(const run_opts *o);

/* The trace options a block is proven with unless told otherwise
 * (run_opts_default, hunt_opts_default, the CLI): the lookup argument, so
 * that memory and storage are checked for consistency and the opcode facts
 * against the ROM; --no-lookups clears it. */
#define RUN_DEFAULT_TRACE_OPTS TRACE_OPT_LOOKUPS
/* The names of the tables o proves (proven = 1) or only sizes (0; range16,
 * which exists only with TRACE_OPT_LOOKUPS, is never listed as sized), as a
 * JSON-free list "cpu, memory, storage" into buf. */
void run_table_list(const run_opts *o, int proven, char *buf, size_t len);
/* The shard size of table id under o: o->log_shard, capped by
 * trace_max_log_shard for the wide proven tables. */
unsigned run_log_shard(const run_opts *o, trace_table_id id);

/* Environment variable that lets `cuda` run without a GPU: PKB_CUDA_EMULATE=1
 * runs the CUDA backend's kernels on the CPU emulation (cuda/cu.h,
 * cu_set_emulation). Bit-identical results, orders of magnitude slower than
 * either real backend: for tests and CI on machines without a GPU only,
 * never for timings. */
#define RUN_CUDA_EMULATE_ENV "PKB_CUDA_EMULATE"
/* Test hook: with the cuda backend selected, RUN_CUDA_FAIL_ENV=K makes every
 * device allocation after the first K fail (cu_test_fail_alloc), so that the
 * handling of a GPU failure can be tested end to end. Tests only. */
#define RUN_CUDA_FAIL_ENV "PKB_CUDA_TEST_FAIL_ALLOC"

/* Set o->stark.backend (and o->device) from a backend name:
 *   "cpu"  the CPU prover;
 *   "cuda" the CUDA prover: needs a device, or RUN_CUDA_EMULATE_ENV=1 (then
 *          the emulation is switched on, process-wide);
 *   "auto" cuda when cu_available() reports a device, else cpu (never the
 *          emulation).
 * Returns RUN_OK; RUN_E_DEVICE for cuda without a device (why: one line
 * saying so and why the runtime found none); RUN_E_ARG for another name.
 * why may be NULL. */
int run_select_backend(const char *name, run_opts *o, char *why, size_t len);

/* "cpu" or "cuda": the backend o->stark.backend names. */
const char *run_backend_name(const run_opts *o);

/* 1 when o proves on a GPU (the cuda backend, not its CPU emulation). */
int run_on_device(const run_opts *o);

typedef struct {
  const char *name;
  unsigned width;     /* 0 for a sized-only table */
  uint64_t rows;
  size_t shards;
  int proven;         /* 1 when its shards were proven and verified */
  double prove_ms;
} run_table;

/* Phase names, in the order of run_block_result.phase_ms. */
#define RUN_PHASES(X) \
  X(EXECUTE, "execute") X(TRACE, "trace") X(LDE, "lde") X(COMMIT, "commit") X(QUOTIENT, "quotient") \
  X(QUOTIENT_COMMIT, "quotient_commit") X(OPEN, "open") X(FRI, "fri") X(QUERIES, "queries") X(VERIFY, "verify")

typedef enum {
#define X(id, name) RUN_PHASE_##id,
  RUN_PHASES(X)
#undef X
  RUN_PHASE_COUNT
} run_phase;

typedef struct {
  trace_table_id table;
  size_t index;            /* shard index within its table */
  uint64_t rows;           /* padded rows proven */
} run_shard;

typedef struct {
  int status;              /* RUN_OK or RUN_E_* */
  char reason[256];        /* why, when status != RUN_OK */
  uint64_t gas_used;
  size_t txs, invalid_txs;
  uint64_t steps;
  double phase_ms[RUN_PHASE_COUNT];
  double prove_ms;         /* sum of the shards' proving times */
  double total_ms;         /* execute through verify, wall clock */
  run_table tables[TRACE_COUNT];
  double *shard_ms;        /* proving time of each shard (malloc'd), for the cluster model */
  run_shard *shards;       /* which table, index and rows each of them was (malloc'd) */
  size_t n_shards;
  uint64_t proof_bytes;
  long peak_rss_kb;
  int verified;            /* every proof made verified */
  model_estimate estimate; /* predicted from table heights (model.h) */
  double estimate_us;      /* time the estimate itself took */
  int lookups;             /* 1 when the block was proven with a lookup argument */
  double lookup_commit_ms; /* its first phase: the commitments before the challenges */
  double aux_ms;           /* its aux traces, their LDE and commitment (stark_timings.aux_ms) */
  size_t shards_total;     /* shards of the proven tables (those proven once the block is done) */
  size_t passes;           /* executions whose rows were used: 1, or more for a block proven in
                              passes (above) */
  size_t kept_bytes;       /* a block proven in passes: what every pass holds whole (the memory
                              and storage replays, trace_kept_bytes), from the counting pass */
} run_block_result;

const char *run_phase_name(run_phase p);

/* Execute, trace and (with o->prove) prove block b. *r is always initialised
 * and must be released with run_block_result_free. Returns r->status. */
int run_prove_block(const blk_block *b, const run_opts *o, run_block_result *r);
void run_block_result_free(run_block_result *r);

/* The proving half of run_prove_block on a collector already filled and
 * finished (trace_finish) with run_trace_opts(o): estimate, describe and
 * (with o->prove) prove and verify its tables. Execution fields of *r
 * (gas_used, txs, steps) stay 0. *r as for run_prove_block; returns
 * r->status. c is not modified. */
int run_prove_collected(const trace_collector *c, const run_opts *o, run_block_result *r);

/* Time an external prover on b: the block is exported as a state_test fixture
 * to a temporary file, cmd runs through /bin/sh with each "{fixture}" replaced
 * by that file's path, and *ms is its wall-clock time to exit. timeout_ms 0
 * means none. RUN_OK when it exits 0; otherwise RUN_E_PROVE (non-zero exit or
 * a signal), RUN_E_TIMEOUT, or RUN_E_EXEC (the block could not be exported or
 * the command not started), with the reason in reason. */
int run_external(const blk_block *b, const char *cmd, double timeout_ms, double *ms, char *reason, size_t rlen);

#endif
