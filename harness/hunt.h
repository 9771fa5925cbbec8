/* hunt: the built-in search for prover killers.
 *
 * A candidate is a contract whose loop body is a sequence of stack-neutral
 * instruction patterns (the operations the worst-case generators stress:
 * 256-bit arithmetic, Keccak, memory copies, cold state access, precompile
 * calls, cheap-instruction runs), called by transactions that fill the block
 * as the generators do. The search is evolutionary: a population ranked by
 * the objective, tournament selection, crossover (splicing two bodies) and
 * mutation (insert, delete, replace a pattern, change the unroll factor).
 * The objective is the estimated proving cost per unit of gas (model.h),
 * measured by executing the candidate with a counting collector: the same
 * execution a plain run does, without storing the tables. Winners are
 * minimised (patterns dropped while the cost per gas holds).
 *
 * A second, block-level phase takes a share of the budget: its population is
 * whole blocks (the best genomes built at the evaluation gas, every
 * worst-case generator's block at that gas, and any seed blocks given, e.g.
 * the corpus, resized to it), varied with the structure-aware mutator that
 * the fuzzers use (mutate.h: bytecode, transactions, precompile inputs,
 * crossover). Its winners are minimised by dropping transactions and resized
 * to the final gas limit by repeating their transactions (mut_resize).
 */
#ifndef PKB_HUNT_H
#define PKB_HUNT_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "cycles.h"
#include "model.h"
#include "mutate.h"

#define HUNT_MAX_BODY 24

typedef struct {
  uint8_t pat[HUNT_MAX_BODY]; /* pattern indices */
  unsigned n;                 /* patterns in the body, >= 1 */
  unsigned unroll;            /* body repetitions per loop iteration, 1..4096 (code <= 20000 bytes) */
} hunt_genome;

typedef struct {
  double ms_per_mgas;   /* objective prove-time: estimated proving ms per million gas */
  double cycles_per_gas;/* objective zkvm-cycles: estimated zkVM cycles per gas (0 without a profile) */
  double estimate_ms;   /* estimated proving ms of the evaluation block */
  uint64_t gas_used;
} hunt_score;

typedef struct {
  uint64_t eval_gas;    /* gas limit of the blocks the search evaluates (default 2M) */
  blk_fork fork;
  uint64_t seed;
  double seconds;       /* time budget (0: none) */
  uint64_t max_evals;   /* evaluation budget (0: none) */
  unsigned population;  /* default 32 (at least one member per pattern) */
  unsigned trace_opts;  /* trace.h TRACE_OPT_*: the tables proven besides cpu, memory and storage
                           (keccak, arith), which the objective then counts at their AIR widths */
  int use_sized;        /* 1: objective also counts sized tables at their assumed widths (default 0:
                           only the tables this build proves, i.e. what is measured) */
  model_profile profile;
  const cycles_profile *cycles; /* non-NULL: rank by estimated zkVM cycles per gas instead */
  double block_share;   /* share of the budget (time or evaluations) for the block-level phase,
                           0 .. 0.9 (default 0.5; 0: genomes only) */
  int seed_generators;  /* block phase: every worst-case scenario at eval_gas seeds it (default 1) */
  const blk_block *seed_blocks; /* block phase: more seeds (resized to eval_gas); may be NULL */
  size_t n_seed_blocks;
  /* progress, called about once per second and at the end; may be NULL */
  void (*progress)(void *ctx, uint64_t evals, double seconds, const hunt_score *best, const hunt_genome *g);
  void *progress_ctx;
} hunt_opts;

#define HUNT_TOP 8

/* A finalist: a genome, or (block phase) a block at the evaluation gas. */
typedef struct {
  int is_block;
  hunt_genome g;        /* when !is_block */
  blk_block b;          /* when is_block (owned by the result) */
  hunt_score s;
  char how[160];        /* how it was found, for provenance */
} hunt_candidate;

typedef struct {
  hunt_genome best;     /* the genome phase's best */
  hunt_score best_score;
  /* the best candidates of both phases, best first: genomes with distinct
   * bodies, blocks with distinct contents (free with hunt_result_free) */
  hunt_candidate top[HUNT_TOP];
  unsigned n_top;
  uint64_t block_evals; /* evaluations of the block phase (included in evals) */
  uint64_t evals;
  double seconds;
  double evals_per_s;
  uint64_t gas_per_s;   /* execution throughput of the evaluations */
} hunt_result;

enum { HUNT_OK = 0, HUNT_E_NOMEM = -1, HUNT_E_ARG = -2, HUNT_E_EXEC = -3 };

hunt_opts hunt_opts_default(void);
size_t hunt_pattern_count(void);
const char *hunt_pattern_name(size_t i);

/* Describe a genome ("mulmod x3, keccak ... (unroll 8)") into buf. */
void hunt_describe(const hunt_genome *g, char *buf, size_t len);

/* Build the block of genome g at gas limit gas (caller frees with blk_free). */
int hunt_build(const hunt_genome *g, uint64_t gas, blk_fork fork, blk_block *out);

/* Evaluate g: build at o->eval_gas, execute with a counting collector, estimate. */
int hunt_eval(const hunt_opts *o, const hunt_genome *g, hunt_score *s);

/* Evaluate a built block the way hunt_eval does. */
int hunt_eval_block(const hunt_opts *o, const blk_block *b, hunt_score *s);

/* Run the search. On HUNT_OK, release r with hunt_result_free. */
int hunt_run(const hunt_opts *o, hunt_result *r);
void hunt_result_free(hunt_result *r);

/* Drop transactions of b (from the last) while the objective stays within 1%
 * of its value; *s receives the final score. */
int hunt_minimise_block(const hunt_opts *o, blk_block *b, hunt_score *s);

/* A copy of b resized to gas (mut_resize; keep_tx_gas: mut_opts.keep_tx_gas).
 * Caller frees with blk_free. */
int hunt_resize_block(const blk_block *b, uint64_t gas, int keep_tx_gas, blk_block *out);
/* A block winner b (at the evaluation gas) rebuilt at gas: resized both
 * ways (each transaction raised to the cap, or copies of them as they are)
 * and the one the objective ranks higher at gas kept, its score in *s and
 * which way in *kept_gas. Work per gas that falls with a transaction's
 * length (quadratic memory expansion) makes the second way win, fixed
 * costs per transaction the first. */
int hunt_rebuild_block(const hunt_opts *o, const blk_block *b, uint64_t gas, blk_block *out, hunt_score *s,
                       int *kept_gas);

/* The objective of a score (cycles per gas when present, else ms/Mgas). */
double hunt_objective(const hunt_score *s);

/* Drop patterns of g while the objective stays within 1% of its value. */
int hunt_minimise(const hunt_opts *o, hunt_genome *g, hunt_score *s);

#endif
