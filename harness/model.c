/* model: proving-cost estimate from table heights, and profile files (see model.h). */
#include "model.h"

#include "bench.h"
#include "gen.h"
#include "stark/stark.h"
#include "trace/blake2f_air.h"
#include "trace/trace_cols.h"

#define CPU_WIDTH_FOR_MODEL ((double)trace_table_width(TRACE_CPU))

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

/* Widths of production AIRs for the tables this build sizes (by default;
 * a proven table is estimated at its AIR's width, table_width below):
 *   keccak    2633 columns: Plonky3's keccak-air (one row per round, bits of
 *             the state and its theta/rho/pi/chi intermediates);
 *   arith     96: sixteen 16-bit limbs for each of two operands, the result
 *             and three columns of carries/quotient limbs per limb group, as
 *             in limb-based 256-bit ALU chips;
 *   precomp   64: one compression/round state per row (RIPEMD-160 keeps 5
 *             words of state per line plus the message word and
 *             temporaries);
 *   ecrecover 128: a point in affine coordinates as limbs plus the doubling
 *             and addition witnesses per scalar bit;
 *   sha256, blake2f, ripemd160: the widths of this build's AIRs
 *             (sha256_air.h, 631; blake2f_air.h, 5816; ripemd160_air.h, 901),
 *             the rows (trace.h) at the width a proof of them has (ripemd160
 *             has rows only when proven; sized, its work is in precomp);
 *   modmul    the arith AIR's width (arith_air.h, 2533), as a proof of its
 *             MULMOD rows has it; its rows are the same sized or proven;
 *   bls12     the fp381 AIR's width (fp381_air.h, 3378), one row per
 *             BLS12-381 base-field product, sized or proven.
 * The others are assumptions of the model, stated so, until each table's AIR
 * is built and measured. */
unsigned model_assumed_width(trace_table_id id) {
  switch (id) {
    case TRACE_KECCAK: return 2633;
    case TRACE_ARITH: return 96;
    case TRACE_PRECOMP: return 64;
    case TRACE_ECRECOVER: return 128;
    case TRACE_SHA256:
    case TRACE_BLAKE2F:
    case TRACE_RIPEMD160:
    case TRACE_MODMUL:
    case TRACE_BLS12: return trace_table_width_opts(id, TRACE_OPT_PROVE_PRECOMPILES); /* this build's AIRs */
    default: return 0;
  }
}

model_profile model_profile_default(void) {
  /* `pkbench bench calibrate` on the development host (2-core x86-64,
   * Intel Xeon, 24 GiB); prover/profiles/host.tsv holds the same figures
   * with how they were measured, and a test checks that the two agree. */
  model_profile p;
  memset(&p, 0, sizeof p);
  snprintf(p.name, sizeof p.name, "host");
  snprintf(p.measured_on, sizeof p.measured_on, "2-core x86-64 (Intel Xeon) development host");
  snprintf(p.measured_at, sizeof p.measured_at, "2026-11-26");
  p.log_shard = 20;
  p.ms_per_cell = 0.00014299;
  p.ms_per_shard = 0;
  p.ms_per_aux_cell = 0.00016162;
  p.table_ms_per_aux_cell[TRACE_CPU] = 0.00017141;
  p.table_ms_per_cell[TRACE_MEMORY] = 0.00011358;
  p.table_ms_per_cell[TRACE_KECCAK] = 6.7996e-05;
  p.table_ms_per_cell[TRACE_ARITH] = 5.9619e-05;
  p.table_ms_per_cell[TRACE_ECRECOVER] = 6.0485e-05;
  p.table_ms_per_cell[TRACE_SHA256] = 6.8225e-05;
  p.table_ms_per_cell[TRACE_RIPEMD160] = 6.7311e-05;
  p.table_ms_per_cell[TRACE_MODMUL] = 6.0713e-05;
  p.table_ms_per_cell[TRACE_BLS12] = 5.6738e-05;
  p.table_ms_per_cell[TRACE_BLAKE2F] = 5.5633e-05;
  return p;
}

/* A sized table whose assumed width is this build's AIR's for it (keccak,
 * sha256, blake2f, ripemd160, modmul, bls12) is projected as a proof of it
 * would be made: at the table's own cell cost and in its capped shards. */
static int sized_as_proven(trace_table_id id) {
  return model_assumed_width(id) != 0 && model_assumed_width(id) == trace_table_width_opts(id, ~0u);
}

/* The wide proven tables' shards are capped (trace_max_log_shard), and so
 * are those sized as proven; the range16 table is one shard of 2^16 rows
 * whatever the shard size. */
static unsigned table_log_shard(trace_table_id id, unsigned log_shard, unsigned opts) {
  if (id == TRACE_RANGE16) return TRACE_RANGE16_LOG_ROWS;
  unsigned cap = trace_max_log_shard(id, sized_as_proven(id) ? ~0u : opts);
  return log_shard > cap ? cap : log_shard;
}

static unsigned table_width(trace_table_id id, unsigned opts) {
  if (!trace_table_proven(id, opts)) return model_assumed_width(id);
  return trace_table_width_opts(id, opts);
}

/* A proven table with lookup interactions (TRACE_OPT_LOOKUPS) also commits
 * its aux trace: stark_lookup_aux_width base columns. */
static unsigned table_aux_width(trace_table_id id, unsigned opts) {
  if (!trace_table_proven(id, opts)) return 0;
  return stark_lookup_aux_width(trace_air_opts(id, opts), trace_lookup_opts(id, opts));
}

double model_aux_cell_ms(const model_profile *p, trace_table_id id, unsigned opts) {
  if (p->table_ms_per_aux_cell[id] > 0) return p->table_ms_per_aux_cell[id];
  if (p->ms_per_aux_cell > 0) return p->ms_per_aux_cell;
  return model_cell_ms(p, id, opts);
}

/* The cost of one row of table id: its main cells at the table's per-cell
 * cost, its aux cells at its aux cost. */
static double row_ms(const model_profile *p, trace_table_id id, unsigned opts) {
  double aw = table_aux_width(id, opts);
  return model_cell_ms(p, id, opts) * table_width(id, opts) + (aw > 0 ? model_aux_cell_ms(p, id, opts) * aw : 0);
}

/* Rows of table i: as given, except that with TRACE_OPT_LOOKUPS the range16
 * table has its 2^16 rows whenever the storage or memory table sends (a
 * counting collector does not build it), and that the tables that exist
 * only with TRACE_OPT_LOOKUPS (meminit, stoinit) have none without it. */
static uint64_t table_rows(const uint64_t rows[TRACE_COUNT], int i, unsigned opts) {
  if (!trace_table_exists((trace_table_id)i, opts)) return 0;
  if (i == TRACE_RANGE16 && (rows[TRACE_STORAGE] > 0 || rows[TRACE_MEMORY] > 0)) return TRACE_RANGE16_ROWS;
  return rows[i];
}

/* A table's own per-cell cost applies where its rows are proven, or sized
 * at exactly the width of this build's AIR for it (keccak, sha256, blake2f,
 * ripemd160, modmul, bls12: the projection is then what proving them would
 * cost); a table sized at an assumed production width (arith, ecrecover,
 * precomp) takes the cpu table's. */
double model_cell_ms(const model_profile *p, trace_table_id id, unsigned opts) {
  if (p->table_ms_per_cell[id] > 0 && (trace_table_proven(id, opts) || sized_as_proven(id)))
    return p->table_ms_per_cell[id];
  return p->ms_per_cell;
}

void model_estimate_rows_opts(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                              unsigned opts, model_estimate *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < TRACE_COUNT; i++) {
    uint64_t n = table_rows(rows, i, opts);
    if (n == 0) continue;
    uint64_t per = (uint64_t)1 << table_log_shard((trace_table_id)i, log_shard, opts);
    if (i == TRACE_STOINIT) { /* one shard of all its rows */
      per = 2;
      while (per < n) per <<= 1;
    }
    uint64_t full = n / per, rest = n % per;
    double row = row_ms(p, (trace_table_id)i, opts);
    double ms = (double)full * (p->ms_per_shard + row * (double)per);
    size_t shards = (size_t)full;
    if (rest) {
      uint64_t padded = 2;
      while (padded < rest) padded <<= 1;
      ms += p->ms_per_shard + row * (double)padded;
      shards++;
    }
    out->table_ms[i] = ms;
    out->shards += shards;
    out->total_ms += ms;
    if (trace_table_proven((trace_table_id)i, opts)) out->proven_ms += ms;
    else out->sized_ms += ms;
  }
}

void model_estimate_rows(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                         model_estimate *out) {
  model_estimate_rows_opts(p, rows, log_shard, 0, out);
}

void model_estimate_rows_smooth_opts(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                                     unsigned opts, model_estimate *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < TRACE_COUNT; i++) {
    if (table_rows(rows, i, opts) == 0) continue;
    double per = (double)((uint64_t)1 << table_log_shard((trace_table_id)i, log_shard, opts));
    double n = (double)table_rows(rows, i, opts);
    double ms = n / per * p->ms_per_shard + row_ms(p, (trace_table_id)i, opts) * n;
    out->table_ms[i] = ms;
    out->total_ms += ms;
    if (trace_table_proven((trace_table_id)i, opts)) out->proven_ms += ms;
    else out->sized_ms += ms;
  }
}

void model_estimate_rows_smooth(const model_profile *p, const uint64_t rows[TRACE_COUNT], unsigned log_shard,
                                model_estimate *out) {
  model_estimate_rows_smooth_opts(p, rows, log_shard, 0, out);
}

int model_profile_save(const char *path, const model_profile *p) {
  FILE *f = fopen(path, "w");
  if (!f) return MODEL_E_IO;
  fprintf(f,
          "# pkbench hardware profile: cost of proving one shard of 2^k rows and w columns\n"
          "#   ms = ms_per_shard + ms_per_cell * 2^k * w\n"
          "# measured by `pkbench bench calibrate`\n");
  fprintf(f, "name\t%s\nmeasured_on\t%s\nmeasured_at\t%s\nlog_shard\t%u\nms_per_cell\t%.6g\nms_per_shard\t%.6g\n",
          p->name, p->measured_on, p->measured_at, p->log_shard, p->ms_per_cell, p->ms_per_shard);
  fprintf(f, "# aggregation is not measured by calibrate: 0 means not modelled\nagg_ms_per_level\t%.6g\n",
          p->agg_ms_per_level);
  if (p->ms_per_aux_cell > 0)
    fprintf(f, "# per cell of a lookup argument's aux trace (and a table's own)\nms_per_aux_cell\t%.6g\n",
            p->ms_per_aux_cell);
  for (int i = 0; i < TRACE_COUNT; i++)
    if (p->table_ms_per_aux_cell[i] > 0)
      fprintf(f, "ms_per_aux_cell.%s\t%.6g\n", trace_table_name((trace_table_id)i), p->table_ms_per_aux_cell[i]);
  fprintf(f, "# per-cell cost of each wide table's own shards, when proven\n");
  for (int i = 0; i < TRACE_COUNT; i++)
    if (p->table_ms_per_cell[i] > 0)
      fprintf(f, "ms_per_cell.%s\t%.6g\n", trace_table_name((trace_table_id)i), p->table_ms_per_cell[i]);
  return fclose(f) == 0 ? MODEL_OK : MODEL_E_IO;
}

int model_profile_load(const char *path, model_profile *p, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open", path);
    return MODEL_E_IO;
  }
  memset(p, 0, sizeof *p);
  char line[512];
  int lineno = 0, have_cell = 0, have_shard = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (n == 0 || line[0] == '#') continue;
    char *tab = strchr(line, '\t');
    if (!tab) {
      snprintf(err, errlen, "%s:%d: expected key<TAB>value", path, lineno);
      fclose(f);
      return MODEL_E_FORMAT;
    }
    *tab = 0;
    const char *k = line, *v = tab + 1;
    char *end;
    if (strcmp(k, "name") == 0) snprintf(p->name, sizeof p->name, "%s", v);
    else if (strcmp(k, "measured_on") == 0) snprintf(p->measured_on, sizeof p->measured_on, "%s", v);
    else if (strcmp(k, "measured_at") == 0) snprintf(p->measured_at, sizeof p->measured_at, "%s", v);
    else if (strcmp(k, "log_shard") == 0) {
      unsigned long x = strtoul(v, &end, 10);
      if (*end || x < 1 || x > 27) goto bad;
      p->log_shard = (unsigned)x;
    } else if (strcmp(k, "ms_per_cell") == 0) {
      p->ms_per_cell = strtod(v, &end);
      if (*end || !(p->ms_per_cell > 0)) goto bad;
      have_cell = 1;
    } else if (strcmp(k, "agg_ms_per_level") == 0) {
      p->agg_ms_per_level = strtod(v, &end);
      if (*end || !(p->agg_ms_per_level >= 0)) goto bad;
    } else if (strcmp(k, "ms_per_shard") == 0) {
      p->ms_per_shard = strtod(v, &end);
      if (*end || !(p->ms_per_shard >= 0)) goto bad;
      have_shard = 1;
    } else if (strcmp(k, "ms_per_aux_cell") == 0) {
      p->ms_per_aux_cell = strtod(v, &end);
      if (*end || !(p->ms_per_aux_cell >= 0)) goto bad;
    } else if (strncmp(k, "ms_per_cell.", 12) == 0 || strncmp(k, "ms_per_aux_cell.", 16) == 0) {
      int aux = k[7] == 'a';
      const char *tn = k + (aux ? 16 : 12);
      int id = 0;
      while (id < TRACE_COUNT && strcmp(trace_table_name((trace_table_id)id), tn) != 0) id++;
      if (id == TRACE_COUNT) {
        snprintf(err, errlen, "%s:%d: unknown table '%s'", path, lineno, tn);
        fclose(f);
        return MODEL_E_FORMAT;
      }
      double *dst = aux ? &p->table_ms_per_aux_cell[id] : &p->table_ms_per_cell[id];
      *dst = strtod(v, &end);
      if (*end || !(*dst >= 0)) goto bad;
    } else {
      snprintf(err, errlen, "%s:%d: unknown key '%s'", path, lineno, k);
      fclose(f);
      return MODEL_E_FORMAT;
    }
    continue;
  bad:
    snprintf(err, errlen, "%s:%d: bad value '%s' for %s", path, lineno, v, k);
    fclose(f);
    return MODEL_E_FORMAT;
  }
  fclose(f);
  if (!have_cell || !have_shard || !p->log_shard) {
    snprintf(err, errlen, "%s: needs ms_per_cell, ms_per_shard and log_shard", path);
    return MODEL_E_FORMAT;
  }
  return MODEL_OK;
}

/* A scenario that fills each wide table when it is proven, and the gas that
 * gives it well over 2^14 rows (sha256: 4 KiB inputs, 65 compressions and
 * 4160 rows a call: 45 calls, 187,200 rows, in 100,000 gas; ripemd160:
 * the same inputs, 80 rows a compression, about 31,000 rows; modmul: ECMUL
 * calls of thousands of Fp products each, 4 rows a product, about 6,000 gas
 * a call; bls12: pairing checks, about 0.27 Fp products a gas, one row
 * each). blake2f is not here: its scenario's calls have 100,000 rounds
 * each, so its smallest shard holds one call, 2^17 rows of 5816 columns (3
 * GB before the extension); blake2f_shard_ms measures a shard of short
 * calls instead. */
static const struct {
  trace_table_id id;
  const char *scenario;
  uint64_t gas;
} wide_fill[] = {
    {TRACE_KECCAK, "keccak", 2000000},
    {TRACE_ARITH, "mulmod", 200000},
    {TRACE_ECRECOVER, "ecrecover", 200000},
    {TRACE_SHA256, "sha256", 100000},
    {TRACE_RIPEMD160, "ripemd160", 100000},
    {TRACE_MODMUL, "bn254_mul", 100000},
    {TRACE_BLS12, "bls12_pairing", 200000},
};

/* Median ms of proving trace m (2^log_n rows of air, a shard of table id,
 * with its public values) reps times, with the lookup argument lk (NULL:
 * none; its challenges, NULL, are then sampled by each proof, which costs
 * what the block's shared ones do); < 0 when a proof fails. */
static double median_prove_ms(const stark_config *cfg, const stark_air *air, const stark_lookup *lk,
                              trace_table_id id, const bb_t *m, unsigned log_n, int reps) {
  double t[15];
  bb_t pubv[CPU_PUBLIC];
  const bb_t *pub = trace_shard_public(id, m, log_n, pubv) ? pubv : NULL;
  for (int r = 0; r < reps; r++) {
    stark_proof proof;
    stark_timings tm;
    if (stark_prove_lookup(air, lk, cfg, m, log_n, pub, &proof, &tm) != STARK_OK) return -1;
    stark_proof_free(&proof);
    t[r] = tm.total_ms;
  }
  return bench_median(t, reps);
}

/* Median ms of proving a blake2f shard of 2^log rows: 12-round calls (EIP-152's
 * vector 5 with the counter varied), as many as fit. A row's cost does not
 * depend on which round it holds, so this is the per-cell cost of the
 * scenario's 100,000-round calls too. */
static double blake2f_shard_ms(const stark_config *cfg, unsigned log, int reps, unsigned *log_n) {
  size_t n = ((size_t)1 << log) / blake2f_air_call_rows(12);
  blake2f_air_call *calls = calloc(n ? n : 1, sizeof *calls);
  if (!calls) return -1;
  static const uint64_t iv[8] = {0x6a09e667f2bdc948ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
                                 0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
                                 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};
  for (size_t i = 0; i < n; i++) {
    calls[i].rounds = 12;
    memcpy(calls[i].h, iv, sizeof iv);
    calls[i].m[0] = 0x636261 + i;
    calls[i].t[0] = 3;
    calls[i].f = 1;
  }
  bb_t *m = NULL;
  double out = -1;
  if (n && blake2f_air_trace(calls, n, &m, log_n) == 0)
    out = median_prove_ms(cfg, blake2f_air(), NULL, TRACE_BLAKE2F, m, *log_n, reps);
  free(m);
  free(calls);
  return out;
}

/* Median ms of proving m, a shard of 2^log_n rows of table id collected
 * under opts, with the table's AIR and lookup argument under opts |
 * TRACE_OPT_LOOKUPS, and its aux width into *aux_w; < 0 when the table has
 * no interactions, its main trace differs in width under the option, or a
 * proof fails. */
static double time_with_lookups(const stark_config *cfg, trace_table_id id, unsigned opts, const bb_t *m,
                                unsigned log_n, int reps, unsigned *aux_w) {
  unsigned lo = opts | TRACE_OPT_LOOKUPS;
  const stark_lookup *lk = trace_lookup_opts(id, lo);
  const stark_air *air = trace_air_opts(id, lo);
  if (!lk || !air || trace_table_width_opts(id, lo) != trace_table_width_opts(id, opts)) return -1;
  *aux_w = stark_lookup_aux_width(air, lk);
  return median_prove_ms(cfg, air, lk, id, m, log_n, reps);
}

/* Median ms of proving shard 0 of table id (2^log rows) of scenario under
 * opts, then (aux_ms not NULL) of proving the same shard with the table's
 * lookup argument under opts | TRACE_OPT_LOOKUPS, into *aux_ms, and its aux
 * width into *aux_w; < 0 when the scenario does not fill such a shard or a
 * step fails. The main trace is the same either way for the tables
 * measured here (the option adds tables and interactions, not columns). */
static double time_table_shard(const stark_config *cfg, trace_table_id id, const char *scenario, uint64_t gas,
                               unsigned opts, unsigned log, int reps, unsigned *log_n_out, double *aux_ms,
                               unsigned *aux_w) {
  gen_params gp = {gas, BLK_FORK_OSAKA, 0};
  blk_block b;
  if (gen_worst_case(scenario, &gp, &b) != GEN_OK) return -1;
  trace_collector c;
  trace_init_opts(&c, b.env.fork, opts);
  evm_tracer tr = trace_tracer(&c);
  evm_block_result res;
  int rc = evm_execute_block(&b, &tr, &res);
  evm_block_result_free(&res);
  if (rc == EVM_OK) trace_add_block_witness(&c, &b);
  blk_free(&b);
  double out = -1;
  bb_t *m = NULL;
  unsigned log_n = 0;
  if (rc == EVM_OK && trace_finish(&c) == TRACE_OK && c.t[id].air && c.t[id].rows >= ((size_t)1 << log) &&
      trace_shard(&c.t[id], log, 0, &m, &log_n) == TRACE_OK) {
    out = median_prove_ms(cfg, c.t[id].air, NULL, id, m, log_n, reps);
    if (out >= 0 && aux_ms && (*aux_ms = time_with_lookups(cfg, id, opts, m, log_n, reps, aux_w)) < 0) out = -1;
  }
  free(m);
  trace_free(&c);
  *log_n_out = log_n;
  return out;
}

int model_calibrate(const stark_config *cfg, unsigned lo, unsigned hi, unsigned wide_log, int reps,
                    model_profile *out,
                    void (*emit)(void *ctx, const char *table, unsigned log_rows, double cells, double ms),
                    void *ctx) {
  if (lo < 4 || hi < lo || hi > 22 || wide_log < 4 || wide_log > TRACE_WIDE_MAX_LOG_SHARD || reps < 1 || reps > 15)
    return MODEL_E_ARG;
  stark_config dflt = stark_config_default();
  if (!cfg) cfg = &dflt;
  /* A block whose cpu table fills the largest shard: JUMPDEST runs make one
   * row per gas. */
  gen_params gp = {((uint64_t)1 << hi) + 200000, BLK_FORK_OSAKA, 0};
  blk_block b;
  if (gen_worst_case("jumpdest", &gp, &b) != GEN_OK) return MODEL_E_ARG;
  trace_collector c;
  trace_init(&c, b.env.fork);
  evm_tracer tr = trace_tracer(&c);
  evm_block_result res;
  int rc = evm_execute_block(&b, &tr, &res);
  evm_block_result_free(&res);
  blk_free(&b);
  if (rc != EVM_OK || trace_finish(&c) != TRACE_OK || c.t[TRACE_CPU].rows < ((size_t)1 << hi)) {
    trace_free(&c);
    return MODEL_E_ARG;
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0, cpu_aux_cells = 0, cpu_aux_ms = 0;
  int n = 0;
  for (unsigned k = lo; k <= hi; k += 2) {
    bb_t *m;
    unsigned log_n;
    if (trace_shard(&c.t[TRACE_CPU], k, 0, &m, &log_n) != TRACE_OK) {
      trace_free(&c);
      return MODEL_E_ARG;
    }
    double ms = median_prove_ms(cfg, trace_air(TRACE_CPU), NULL, TRACE_CPU, m, log_n, reps);
    if (ms < 0) {
      free(m);
      trace_free(&c);
      return MODEL_E_ARG;
    }
    double cells = (double)((size_t)1 << log_n) * CPU_WIDTH_FOR_MODEL;
    if (emit) emit(ctx, "cpu", log_n, cells, ms);
    if (k + 2 > hi) { /* the largest: again with the opcode ROM's lookups */
      unsigned aw = 0;
      double lms = time_with_lookups(cfg, TRACE_CPU, 0, m, log_n, reps, &aw);
      if (lms < 0) {
        free(m);
        trace_free(&c);
        return MODEL_E_ARG;
      }
      cpu_aux_cells = (double)((size_t)1 << log_n) * aw;
      cpu_aux_ms = lms - ms;
      if (emit) emit(ctx, "cpu+lookups", log_n, cells + cpu_aux_cells, lms);
    }
    free(m);
    sx += cells;
    sy += ms;
    sxx += cells * cells;
    sxy += cells * ms;
    n++;
  }
  trace_free(&c);
  double den = n * sxx - sx * sx;
  if (n < 2 || den <= 0) return MODEL_E_ARG;
  double slope = (n * sxy - sx * sy) / den, icpt = (sy - slope * sx) / n;
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "host");
  struct utsname u;
  if (uname(&u) == 0) snprintf(out->measured_on, sizeof out->measured_on, "%.60s %.60s", u.nodename, u.machine);
  time_t now = time(NULL);
  strftime(out->measured_at, sizeof out->measured_at, "%Y-%m-%d", gmtime(&now));
  out->log_shard = 20;
  out->ms_per_cell = slope > 0 ? slope : 1e-9;
  out->ms_per_shard = icpt > 0 ? icpt : 0;
  /* The memory table (43 columns) costs less per cell than the narrower
   * cpu table: the per-row work (FRI, the quotient domain, hashing a row) is
   * spread over more columns. Its own shard, at the cpu fit's largest size
   * (an MCOPY run makes about 0.65 memory rows per gas). */
  unsigned log_n, maw;
  double mlk;
  double mms = time_table_shard(cfg, TRACE_MEMORY, "mcopy", ((uint64_t)1 << hi) * 8 / 5 + 100000, 0, hi, reps,
                                &log_n, &mlk, &maw);
  if (mms < 0) return MODEL_E_ARG;
  double mcells = (double)((size_t)1 << log_n) * trace_table_width(TRACE_MEMORY);
  if (emit) emit(ctx, trace_table_name(TRACE_MEMORY), log_n, mcells, mms);
  double mper = (mms - out->ms_per_shard) / mcells;
  out->table_ms_per_cell[TRACE_MEMORY] = mper > 0 ? mper : out->ms_per_cell;
  /* The aux trace's cost per cell: the extra time of a shard proven with
   * its lookup argument, over its aux cells; the memory table's (range
   * checks and the consistency and instruction buses, wide tuples) for
   * every table but the cpu table, which has its own (the opcode ROM's and
   * the instruction sends: few fields each). Noise can make a difference
   * negative: 0 then, the table's own per-cell cost. */
  double mauxcells = (double)((size_t)1 << log_n) * maw;
  if (emit) emit(ctx, "memory+lookups", log_n, mcells + mauxcells, mlk);
  out->ms_per_aux_cell = mlk > mms ? (mlk - mms) / mauxcells : 0;
  out->table_ms_per_aux_cell[TRACE_CPU] = cpu_aux_ms > 0 ? cpu_aux_ms / cpu_aux_cells : 0;
  for (size_t k = 0; k < sizeof wide_fill / sizeof wide_fill[0]; k++) {
    trace_table_id id = wide_fill[k].id;
    unsigned w = trace_table_width_opts(id, ~0u);
    if (!trace_air_opts(id, ~0u) || w < MODEL_WIDE_COLUMNS) continue;
    double ms =
        time_table_shard(cfg, id, wide_fill[k].scenario, wide_fill[k].gas, ~0u, wide_log, reps, &log_n, NULL, NULL);
    if (ms < 0) return MODEL_E_ARG;
    double cells = (double)((size_t)1 << log_n) * w;
    if (emit) emit(ctx, trace_table_name(id), log_n, cells, ms);
    double per = (ms - out->ms_per_shard) / cells;
    /* may be below the cpu table's: the cost per row (FRI, the quotient domain) is
     * spread over thousands of columns here */
    out->table_ms_per_cell[id] = per > 0 ? per : out->ms_per_cell;
  }
  double bms = blake2f_shard_ms(cfg, wide_log, reps, &log_n);
  if (bms < 0) return MODEL_E_ARG;
  double bcells = (double)((size_t)1 << log_n) * blake2f_air()->width;
  if (emit) emit(ctx, trace_table_name(TRACE_BLAKE2F), log_n, bcells, bms);
  double bper = (bms - out->ms_per_shard) / bcells;
  out->table_ms_per_cell[TRACE_BLAKE2F] = bper > 0 ? bper : out->ms_per_cell;
  return MODEL_OK;
}

void model_wilson(size_t k, size_t n, double *rate, double *lo, double *hi) {
  double nn = (double)n, ph = (double)k / nn, z = 1.959964, z2 = z * z;
  double den = 1 + z2 / nn, mid = (ph + z2 / (2 * nn)) / den;
  double half = z * sqrt(ph * (1 - ph) / nn + z2 / (4 * nn * nn)) / den;
  *rate = ph;
  *lo = mid - half < 0 ? 0 : mid - half;
  *hi = mid + half > 1 ? 1 : mid + half;
}

static int cmp_desc(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

double model_lpt(const double *shard_ms, size_t n, unsigned workers) {
  if (n == 0) return 0;
  if (workers == 0) workers = 1;
  double *v = malloc(n * sizeof *v);
  double *load = calloc(workers < n ? workers : n, sizeof *load);
  if (!v || !load) {
    /* without scratch memory, the sequential bound */
    free(v);
    free(load);
    double s = 0;
    for (size_t i = 0; i < n; i++) s += shard_ms[i];
    return s;
  }
  memcpy(v, shard_ms, n * sizeof *v);
  qsort(v, n, sizeof *v, cmp_desc);
  size_t g = workers < n ? workers : n;
  for (size_t i = 0; i < n; i++) {
    size_t best = 0;
    for (size_t k = 1; k < g; k++)
      if (load[k] < load[best]) best = k;
    load[best] += v[i];
  }
  double mk = 0;
  for (size_t k = 0; k < g; k++)
    if (load[k] > mk) mk = load[k];
  free(v);
  free(load);
  return mk;
}

unsigned model_agg_levels(size_t n_shards) {
  unsigned l = 0;
  while (((size_t)1 << l) < n_shards) l++;
  return l;
}

double model_latency(const model_profile *p, unsigned workers, double exec_ms, double trace_ms,
                     const double *shard_ms, size_t n) {
  return exec_ms + trace_ms + model_lpt(shard_ms, n, workers) + model_agg_levels(n) * p->agg_ms_per_level;
}

void model_profile_name(const char *device, char *out, size_t len) {
  size_t k = 0;
  int dash = 0;
  for (const char *p = device; *p && k + 1 < len; p++) {
    if (isalnum((unsigned char)*p)) {
      if (dash && k) out[k++] = '-';
      if (k + 1 < len) out[k++] = (char)tolower((unsigned char)*p);
      dash = 0;
    } else {
      dash = 1;
    }
  }
  out[k] = 0;
  if (!k) snprintf(out, len, "gpu");
}
