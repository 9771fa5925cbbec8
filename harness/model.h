/* model: the proving-cost estimate and hardware profiles.
 *
 * The estimate predicts a block's proving time from its tables' heights and
 * widths alone, without proving: each table is cut into shards as the prover
 * cuts it, each shard padded to a power of two, and a shard of 2^k rows and w
 * columns is taken to cost
 *     ms_per_shard + ms_per_cell * 2^k * w
 * with the two constants of a hardware profile, measured by
 * `pkbench bench calibrate` (prover/profiles/<name>.tsv). The per-cell
 * constant is fitted on the cpu table (24 columns), where it also carries the
 * costs that grow with rows, not cells (FRI, the quotient domain's points);
 * a wide AIR (keccak, arith: 2500 columns, 3000 constraints over sums of 32
 * products) spreads those over thousands of columns but pays more for its
 * constraints and for moving 10 KiB rows, so the profile also holds a
 * per-cell cost measured on each wide table's own shard (at the wide
 * tables' shard size), used in place of the cpu table's when that table is
 * proven. It runs in microseconds, which is what makes it usable as a
 * search objective.
 *
 * Tables this build only sizes (no AIR yet) are estimated with the width a
 * production AIR of that kind has (model_assumed_width, sources in model.c);
 * the estimate reports that part separately so it is never mistaken for a
 * measured figure.
 */
#ifndef PKB_MODEL_H
#define PKB_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "stark/stark.h"
#include "trace/trace.h"

enum { MODEL_OK = 0, MODEL_E_IO = -1, MODEL_E_FORMAT = -2, MODEL_E_ARG = -3 };

typedef struct {
  char name[64];        /* "host", "h100", ... */
  char measured_on[128];/* machine description */
  char measured_at[32]; /* ISO date */
  unsigned log_shard;   /* shard size the profile was measured for */
  double ms_per_cell;   /* per committed trace cell (rows x width before blowup) */
  double ms_per_shard;  /* fixed cost per shard proof (FRI grinding, queries, ...) */
  double agg_ms_per_level; /* one level of the recursion/aggregation tree; 0: not modelled */
  /* per-cell cost of table i's own shards when it is proven (calibrated on
   * the wide AIRs); 0: ms_per_cell. File key "ms_per_cell.<table name>". */
  double table_ms_per_cell[TRACE_COUNT];
  /* per cell of a lookup argument's aux trace (its base columns: an ext
   * column is 4), measured as the extra time of a shard proven with its
   * interactions over the same shard without: the fingerprints, one
   * inversion per group and row, the running sum, the lookup constraints
   * over the quotient domain, the aux LDE, tree and openings. It depends on
   * the interactions per aux column and their fields, so the cpu table (two
   * interactions of few fields, the opcode ROM's) has its own, and the other
   * tables (memory, storage and their init tables, range checks: wide
   * tuples) take the memory table's. 0: the table's own per-cell cost.
   * File keys "ms_per_aux_cell" and "ms_per_aux_cell.<table name>". */
  double ms_per_aux_cell;
  double table_ms_per_aux_cell[TRACE_COUNT];
} model_profile;

/* The profile built into this binary when no file is given (measured on the
 * development host; see prover/profiles/host.tsv). */
model_profile model_profile_default(void);

/* The profile name of a device: its name's letters and digits, lower case,
 * each run of other characters one '-' ("NVIDIA H100 80GB HBM3" ->
 * "nvidia-h100-80gb-hbm3"); "gpu" when nothing is left. out: len > 0 bytes,
 * NUL-terminated. */
void model_profile_name(const char *device, char *out, size_t len);

/* Read / write a profile file: "key<TAB>value" lines, '#' comments. */
int model_profile_load(const char *path, model_profile *p, char *err, size_t errlen);
int model_profile_save(const char *path, const model_profile *p);

/* Width assumed for a table without an AIR in this build (0 for proven tables). */
unsigned model_assumed_width(trace_table_id id);

typedef struct {
  double total_ms;   /* all tables */
  double proven_ms;  /* tables with an AIR in this build */
  double sized_ms;   /* tables only sized here, at their assumed widths */
  double table_ms[TRACE_COUNT];
  size_t shards;
} model_estimate;

/* Estimate from table heights: rows[i] for table i; log_shard as the prover's. */
void model_estimate_rows(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                         model_estimate *out);

/* The cluster model. A block's latency on G workers is
 *     exec + trace + LPT(shard times, G) + levels(shards) * agg_ms_per_level
 * where LPT is the makespan of longest-processing-time-first scheduling of the
 * shard proofs onto G identical workers and levels = ceil(log2(shards)) is the
 * depth of a binary aggregation tree. With G = 1 and no aggregation it is the
 * sequential time measured on the host. */
double model_lpt(const double *shard_ms, size_t n, unsigned workers);
unsigned model_agg_levels(size_t n_shards);
double model_latency(const model_profile *p, unsigned workers, double exec_ms, double trace_ms,
                     const double *shard_ms, size_t n);

/* The same cost without the power-of-two padding of the last shard and with
 * the fixed cost spread per row: the cost per row a block of that shape has
 * when it is large. The hunt ranks small evaluation blocks with it, so that
 * the padding of a small block does not decide which shape wins at the full
 * gas limit. */
/* As model_estimate_rows / _smooth, with the trace options (trace.h
 * TRACE_OPT_*) deciding which tables are proven and their widths; a table
 * whose shard size is capped (the proven keccak and arith tables,
 * trace_max_log_shard) is estimated at its own shard size. */
void model_estimate_rows_opts(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                              unsigned opts, model_estimate *out);
void model_estimate_rows_smooth_opts(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                                     unsigned opts, model_estimate *out);

void model_estimate_rows_smooth(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                                model_estimate *out);

/* 95% Wilson score interval of k successes out of n (n > 0): *rate = k/n. */
void model_wilson(size_t k, size_t n, double *rate, double *lo, double *hi);

/* Measure a profile on this machine with the prover configuration cfg (NULL:
 * stark_config_default(), the CPU backend): prove cpu-table shards of a generated
 * block at 2^lo .. 2^hi rows (reps each, median) and fit ms_per_shard and
 * ms_per_cell by least squares; then prove one memory-table shard of 2^hi
 * rows (an MCOPY block), the same shard and the cpu table's largest again
 * with their lookup arguments (the extra time per aux cell: the memory
 * table's into ms_per_aux_cell, the cpu table's into its own) and, for
 * every table whose AIR is at least
 * MODEL_WIDE_COLUMNS wide, one shard of 2^wide_log rows of a scenario
 * that fills it, and keep (ms - ms_per_shard) / cells as each one's own
 * per-cell cost. Each point is also reported through emit (bench
 * "calibrate"; log_rows, cells, ms; table is "cpu" or the table's name) when
 * emit is not NULL. */
#define MODEL_WIDE_COLUMNS 256
int model_calibrate(const stark_config *cfg, unsigned lo, unsigned hi, unsigned wide_log, int reps,
                    model_profile *out,
                    void (*emit)(void *ctx, const char *table, unsigned log_rows, double cells, double ms),
                    void *ctx);

/* The per-cell cost the estimate uses for table id under opts: the table's
 * own (p->table_ms_per_cell) where it is proven under opts or sized at its
 * AIR's width, else the profile's ms_per_cell. */
double model_cell_ms(const model_profile *p, trace_table_id id, unsigned opts);

/* The per-cell cost of table id's aux trace: its own, else the profile's
 * ms_per_aux_cell, else model_cell_ms. */
double model_aux_cell_ms(const model_profile *p, trace_table_id id, unsigned opts);

#endif
