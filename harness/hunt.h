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
 */
#ifndef PKB_HUNT_H
#define PKB_HUNT_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "cycles.h"
#include "model.h"

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
  int use_sized;        /* 1: objective also counts sized tables at their assumed widths (default 0:
                           only the tables this build proves, i.e. what is measured) */
  model_profile profile;
  const cycles_profile *cycles; /* non-NULL: rank by estimated zkVM cycles per gas instead */
  /* progress, called about once per second and at the end; may be NULL */
  void (*progress)(void *ctx, uint64_t evals, double seconds, const hunt_score *best, const hunt_genome *g);
  void *progress_ctx;
} hunt_opts;

#define HUNT_TOP 8

typedef struct {
  hunt_genome best;
  hunt_score best_score;
  /* the best members of the final population, best first, at most one per
   * distinct body (same patterns in the same order), top[0] = best */
  hunt_genome top[HUNT_TOP];
  hunt_score top_score[HUNT_TOP];
  unsigned n_top;
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

/* Run the search. */
int hunt_run(const hunt_opts *o, hunt_result *r);

/* Drop patterns of g while the objective stays within 1% of its value. */
int hunt_minimise(const hunt_opts *o, hunt_genome *g, hunt_score *s);

#endif
