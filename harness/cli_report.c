/* cli_report: `pkbench report`: the success-rate report of one or more runs,
 * drawn from the database alone.
 *
 * For each run: the latency of every proven block, the share within 6 s and
 * 12 s with 95% Wilson intervals, the same with the cost model's projection
 * of the tables the run only sized added (labelled projected), the slowest
 * blocks with the table that dominates each (by the model's time per table
 * where the database has it, else by cells), and the time by phase. The pictures are drawn by gnuplot
 * from the scripts in reports/ (PNG and SVG); report.md and index.html embed
 * them with the tables. Every figure says how it was obtained (the result's
 * projection label), so a measured host figure is never shown as a GPU one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "model.h"

static const char usage_text[] =
    "usage: pkbench report [--db FILE] [--out DIR] [RUN_ID...]\n"
    "\n"
    "Writes DIR/report.md, DIR/index.html and the pictures (PNG and SVG) for the\n"
    "given runs (default: the last run), from the database alone:\n"
    "  latency_cdf     fraction of blocks within x seconds, with the 6 s and 12 s lines\n"
    "                  (several runs are overlaid)\n"
    "  slowest_<run>   the slowest blocks, labelled with their dominant table\n"
    "  phases_<run>    proving time by phase\n"
    "  classes_<run>   latency by corpus class (the folder of each block file)\n"
    "  workers_<run>   success rate against workers (projected from measured shard times)\n"
    "  cost_<run>      proving time per Mgas by operation, for runs of `pkbench cost --db`:\n"
    "                  measured (proven tables) and projected (every table)\n"
    "  --db FILE   results database (default ./pkbench.db)\n"
    "  --out DIR   output folder, created if missing (default reports/out)\n"
    "The gnuplot scripts are read from reports/ (or $PKB_REPORTS_DIR).";

#define MAX_RUNS 8

typedef struct {
  char *name;
  double latency_ms;
  double prove_ms, estimate_ms, exec_ms, trace_ms;
  double sized_ms; /* projection of the tables only sized; < 0: not known */
  double *shard_ms; /* measured shard proving times, for the cluster model */
  char cls[48];     /* corpus class: the folder the block file was in */
  size_t n_shards;
  int made_slot;
  int64_t result_id;
  char dominant[32];
} rep_block;

typedef struct {
  int64_t id;
  char *started_at, *git_rev, *host, *backend, *profile, *config, *label;
  int64_t deadline_ms, gpus;
  rep_block *blocks;
  size_t n_blocks, cap;
  size_t n_results, n_failed, n_other;
  int has_workers;
  struct {
    char name[48];
    double ms_per_mgas;  /* measured: the proven tables */
    double est_per_mgas; /* the estimate of every table, sized ones projected (< 0: none) */
  } cost[64];
  size_t n_cost;
  double phase_ms[16];
  char phase_name[16][24];
  size_t n_phases;
} rep_run;

static char *dup_or(const char *s, const char *dflt) { return strdup(s ? s : dflt); }

static int run_cb(void *ctx, const db_run_row *row) {
  rep_run *r = ctx;
  r->started_at = dup_or(row->info.started_at, "?");
  r->git_rev = dup_or(row->info.git_rev, "?");
  r->host = dup_or(row->info.host, "?");
  r->backend = dup_or(row->info.backend, "?");
  r->profile = dup_or(row->info.profile, "?");
  r->config = dup_or(row->info.prover_config, "");
  r->deadline_ms = row->info.deadline_ms;
  r->gpus = row->info.gpus;
  return 0;
}

static int result_cb(void *ctx, const db_result_row *row) {
  rep_run *r = ctx;
  r->n_results++;
  const db_result_info *ri = &row->result;
  if (row->block.name && strncmp(row->block.name, "cost:", 5) == 0 && ri->prove_ms > 0 && row->block.gas_used > 0 &&
      r->n_cost < sizeof r->cost / sizeof r->cost[0]) {
    /* a row of `pkbench cost --db`: proving time per Mgas of one operation */
    snprintf(r->cost[r->n_cost].name, sizeof r->cost[r->n_cost].name, "%s", row->block.name + 5);
    r->cost[r->n_cost].ms_per_mgas = ri->prove_ms / ((double)row->block.gas_used / 1e6);
    r->cost[r->n_cost].est_per_mgas = ri->estimate_ms > 0 ? ri->estimate_ms / ((double)row->block.gas_used / 1e6) : -1;
    r->n_cost++;
    return 0;
  }
  if (strcmp(ri->status, DB_RESULT_OK) != 0 || ri->projected_latency_ms < 0) {
    if (strcmp(ri->status, DB_RESULT_FAILED) == 0 || strcmp(ri->status, DB_RESULT_VERIFY_FAILED) == 0) r->n_failed++;
    else r->n_other++;
    return 0;
  }
  if (r->n_blocks == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    rep_block *nb = realloc(r->blocks, cap * sizeof *nb);
    if (!nb) return -1;
    r->blocks = nb;
    r->cap = cap;
  }
  rep_block *b = &r->blocks[r->n_blocks++];
  memset(b, 0, sizeof *b);
  const char *name = row->block.name ? row->block.name : row->block.content_hash;
  const char *slash = strrchr(name, '/');
  b->name = strdup(slash ? slash + 1 : name);
  snprintf(b->cls, sizeof b->cls, "%s", "-");
  if (slash) {
    const char *start = slash;
    while (start > name && start[-1] != '/') start--;
    if (slash > start) snprintf(b->cls, sizeof b->cls, "%.*s", (int)(slash - start), start);
  }
  b->latency_ms = ri->projected_latency_ms;
  b->prove_ms = ri->prove_ms;
  b->exec_ms = ri->exec_ms > 0 ? ri->exec_ms : 0;
  b->trace_ms = ri->trace_ms > 0 ? ri->trace_ms : 0;
  b->estimate_ms = ri->estimate_ms;
  b->sized_ms = ri->sized_ms;
  b->made_slot = ri->made_slot;
  b->result_id = row->id;
  if (!r->label && ri->projection_label) r->label = strdup(ri->projection_label);
  return b->name ? 0 : -1;
}

/* The dominant table: the largest est_ms where any table has one (sized
 * tables included), else the most cells of the proven tables. */
typedef struct {
  rep_block *b;
  double best_cells, best_est;
  char by_est[32];
} dom_ctx;

static int table_cb(void *ctx, const db_table *t) {
  dom_ctx *d = ctx;
  double w = t->width > 0 ? (double)t->width : (double)0;
  double cells = (double)(t->rows > 0 ? t->rows : 0) * w;
  if (cells > d->best_cells) {
    d->best_cells = cells;
    snprintf(d->b->dominant, sizeof d->b->dominant, "%s", t->name);
  }
  if (t->est_ms > d->best_est) {
    d->best_est = t->est_ms;
    snprintf(d->by_est, sizeof d->by_est, "%s", t->name);
  }
  return 0;
}

static int phase_cb(void *ctx, const db_phase *p) {
  rep_run *r = ctx;
  size_t k = 0;
  while (k < r->n_phases && strcmp(r->phase_name[k], p->name) != 0) k++;
  if (k == r->n_phases) {
    if (r->n_phases == 16) return 0;
    snprintf(r->phase_name[k], sizeof r->phase_name[k], "%s", p->name);
    r->phase_ms[k] = 0;
    r->n_phases++;
  }
  r->phase_ms[k] += p->ms;
  return 0;
}

static int shard_cb(void *ctx, const db_shard *sh) {
  rep_block *b = ctx;
  double *n = realloc(b->shard_ms, (b->n_shards + 1) * sizeof *n);
  if (!n) return -1;
  b->shard_ms = n;
  b->shard_ms[b->n_shards++] = sh->prove_ms > 0 ? sh->prove_ms : 0;
  return 0;
}

static int cmp_latency(const void *a, const void *b) {
  double x = ((const rep_block *)a)->latency_ms, y = ((const rep_block *)b)->latency_ms;
  return (x > y) - (x < y);
}

/* Slowest first by latency with the sized tables' projection, over pointers. */
static int cmp_with_sized_desc(const void *a, const void *b) {
  const rep_block *x = *(const rep_block *const *)a, *y = *(const rep_block *const *)b;
  double u = x->latency_ms + x->sized_ms, v = y->latency_ms + y->sized_ms;
  return (u < v) - (u > v);
}

static void free_run(rep_run *r) {
  for (size_t i = 0; i < r->n_blocks; i++) {
    free(r->blocks[i].name);
    free(r->blocks[i].shard_ms);
  }
  free(r->blocks);
  free(r->started_at);
  free(r->git_rev);
  free(r->host);
  free(r->backend);
  free(r->profile);
  free(r->config);
  free(r->label);
}

/* Ranks with ties averaged (1-based), for Spearman's coefficient. */
static void ranks(const double *v, size_t n, double *rk) {
  for (size_t i = 0; i < n; i++) {
    size_t less = 0, equal = 0;
    for (size_t j = 0; j < n; j++) {
      less += v[j] < v[i];
      equal += v[j] == v[i];
    }
    rk[i] = (double)less + ((double)equal + 1) / 2;
  }
}

/* Spearman rank correlation of the estimate and the measured proving time over
 * the blocks that have both; *n_out is how many. Returns 0 when fewer than 3. */
static double spearman(const rep_run *r, size_t *n_out) {
  size_t n = 0;
  double *x = malloc((r->n_blocks + 1) * sizeof *x), *y = malloc((r->n_blocks + 1) * sizeof *y);
  double *rx = malloc((r->n_blocks + 1) * sizeof *rx), *ry = malloc((r->n_blocks + 1) * sizeof *ry);
  double rho = 0;
  if (x && y && rx && ry) {
    for (size_t i = 0; i < r->n_blocks; i++)
      if (r->blocks[i].estimate_ms > 0 && r->blocks[i].prove_ms > 0) {
        x[n] = r->blocks[i].estimate_ms;
        y[n] = r->blocks[i].prove_ms;
        n++;
      }
    if (n >= 3) {
      ranks(x, n, rx);
      ranks(y, n, ry);
      double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
      for (size_t i = 0; i < n; i++) mx += rx[i] / (double)n, my += ry[i] / (double)n;
      for (size_t i = 0; i < n; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
      }
      rho = sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
    }
  }
  free(x);
  free(y);
  free(rx);
  free(ry);
  *n_out = n >= 3 ? n : 0;
  return rho;
}

#define MAX_LOG_WORKERS 10

/* Fraction of the run's blocks within ms on 2^k workers, k = 0..MAX_LOG_WORKERS,
 * from the measured shard times (model.h). 0 when no block has shards. */
static int workers_curve(const rep_run *r, double ms, double *frac) {
  model_profile none;
  memset(&none, 0, sizeof none); /* aggregation not modelled */
  size_t with = 0;
  for (size_t i = 0; i < r->n_blocks; i++) with += r->blocks[i].n_shards > 0;
  if (!with) return 0;
  for (int k = 0; k <= MAX_LOG_WORKERS; k++) {
    size_t in = 0;
    for (size_t i = 0; i < r->n_blocks; i++) {
      const rep_block *b = &r->blocks[i];
      double lat = model_latency(&none, 1u << k, b->exec_ms, b->trace_ms, b->shard_ms, b->n_shards);
      in += lat <= ms;
    }
    frac[k] = (double)in / (double)r->n_blocks;
  }
  return 1;
}

#define MAX_CLASSES 16

typedef struct {
  char name[48];
  double med, min, max;
  size_t n, in6, in12;
} rep_class;

/* Per-class latency statistics (blocks are sorted by latency already). */
static size_t classes(const rep_run *r, rep_class *c) {
  size_t nc = 0;
  for (size_t i = 0; i < r->n_blocks; i++) {
    size_t k = 0;
    while (k < nc && strcmp(c[k].name, r->blocks[i].cls) != 0) k++;
    if (k == nc) {
      if (nc == MAX_CLASSES) continue;
      memset(&c[nc], 0, sizeof c[nc]);
      snprintf(c[nc].name, sizeof c[nc].name, "%s", r->blocks[i].cls);
      c[nc].min = r->blocks[i].latency_ms;
      nc++;
    }
    c[k].n++;
    c[k].max = r->blocks[i].latency_ms;
    c[k].in6 += r->blocks[i].latency_ms <= 6000;
    c[k].in12 += r->blocks[i].latency_ms <= 12000;
  }
  for (size_t k = 0; k < nc; k++) {
    /* the median of the class's latencies, in sorted order */
    size_t want = (c[k].n - 1) / 2, seen = 0;
    for (size_t i = 0; i < r->n_blocks; i++) {
      if (strcmp(r->blocks[i].cls, c[k].name) != 0) continue;
      if (seen++ == want) {
        c[k].med = r->blocks[i].latency_ms;
        break;
      }
    }
  }
  return nc;
}

static size_t within(const rep_run *r, double ms) {
  size_t k = 0;
  for (size_t i = 0; i < r->n_blocks; i++) k += r->blocks[i].latency_ms <= ms;
  return k;
}

/* Blocks within ms once the sized tables' projection is added to their
 * latency; *known: blocks that have it (every block, or the line is not
 * shown). */
static size_t within_sized(const rep_run *r, double ms, size_t *known) {
  size_t k = 0;
  *known = 0;
  for (size_t i = 0; i < r->n_blocks; i++) {
    const rep_block *b = &r->blocks[i];
    if (b->sized_ms < 0) continue;
    (*known)++;
    k += b->latency_ms + b->sized_ms <= ms;
  }
  return k;
}

/* The sentence on the sized tables for run r (empty when not every block
 * has their projection, or none has anything sized); html or markdown. */
static int sized_shown(const rep_run *r) {
  size_t known;
  int any = 0;
  within_sized(r, 0, &known);
  for (size_t i = 0; i < r->n_blocks; i++) any |= r->blocks[i].sized_ms > 0;
  /* one worker only: the measured latency is then a sum the projection adds to */
  return known && known == r->n_blocks && any && r->gpus <= 1;
}

static void sized_sentence(FILE *f, const rep_run *r, int html) {
  if (!sized_shown(r)) return;
  size_t known, k6 = within_sized(r, 6000, &known), k12 = within_sized(r, 12000, &known);
  double a, alo, ahi, b, blo, bhi;
  model_wilson(k6, known, &a, &alo, &ahi);
  model_wilson(k12, known, &b, &blo, &bhi);
  fprintf(f,
          "%sWith every table (projected, not measured: the cost model's time for the tables this run only sized, "
          "profile %s, added to each latency): within 6 s %.1f%% (%zu/%zu; %.1f-%.1f%%), within 12 s %.1f%% "
          "(%zu/%zu; %.1f-%.1f%%).%s\n",
          html ? "<p>" : "\n", r->profile, 100 * a, k6, known, 100 * alo, 100 * ahi, 100 * b, k12, known, 100 * blo,
          100 * bhi, html ? "</p>" : "");
}

/* Where the gnuplot scripts are. */
static int scripts_dir(char *out, size_t n) {
  const char *env = getenv("PKB_REPORTS_DIR");
  const char *cands[3] = {env, "reports", NULL};
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  static char rel[4200];
  if (len > 0) {
    exe[len] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = 0;
      snprintf(rel, sizeof rel, "%s/../reports", exe);
      cands[2] = rel;
    }
  }
  for (int i = 0; i < 3; i++) {
    if (!cands[i]) continue;
    char p[4300];
    snprintf(p, sizeof p, "%s/cdf.gp", cands[i]);
    if (access(p, R_OK) == 0) {
      snprintf(out, n, "%s", cands[i]);
      return 0;
    }
  }
  return -1;
}

static int gnuplot(const char *dir, const char *script, const char *vars) {
  char cmd[16384];
  snprintf(cmd, sizeof cmd, "gnuplot -e \"%s\" '%s/%s' 2>&1", vars, dir, script);
  FILE *p = popen(cmd, "r");
  if (!p) return -1;
  char line[512];
  int noisy = 0;
  while (fgets(line, sizeof line, p)) {
    if (!noisy) fprintf(stderr, "pkbench report: gnuplot: ");
    fputs(line, stderr);
    noisy = 1;
  }
  int st = pclose(p);
  return st == 0 ? 0 : -1;
}

static int parse_runs(int argc, char **argv, const char **dbpath, const char **out, int64_t *ids, size_t *n) {
  *n = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long x;
    if (strcmp(a, "--db") == 0 && v) {
      *dbpath = v;
      i++;
    } else if (strcmp(a, "--out") == 0 && v) {
      *out = v;
      i++;
    } else if (a[0] == '-') {
      cli_err("report", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    } else if (cli_parse_u64(a, &x) || x == 0) {
      cli_err("report", "'%s' is not a run id", a);
      return 2;
    } else if (*n == MAX_RUNS) {
      cli_err("report", "at most %d runs in one report", MAX_RUNS);
      return 2;
    } else {
      ids[(*n)++] = (int64_t)x;
    }
  }
  return 0;
}

static void write_tables_md(FILE *f, rep_run *runs, size_t nr) {
  fprintf(f, "| run | started | revision | host | backend | blocks proven | failed | within 6 s (95%% CI) | within 12 s (95%% CI) | how measured |\n");
  fprintf(f, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (size_t i = 0; i < nr; i++) {
    rep_run *r = &runs[i];
    fprintf(f, "| %lld | %s | %s | %s | %s | %zu | %zu |", (long long)r->id, r->started_at, r->git_rev, r->host,
            r->backend, r->n_blocks, r->n_failed);
    for (int s = 0; s < 2; s++) {
      if (!r->n_blocks) {
        fprintf(f, " n/a |");
        continue;
      }
      double rate, lo, hi;
      size_t k = within(r, s ? 12000 : 6000);
      model_wilson(k, r->n_blocks, &rate, &lo, &hi);
      fprintf(f, " %.1f%% (%zu/%zu; %.1f-%.1f%%) |", 100 * rate, k, r->n_blocks, 100 * lo, 100 * hi);
    }
    fprintf(f, " %s |\n", r->label ? r->label : "-");
  }
}

int cli_report(int argc, char **argv) {
  const char *dbpath = "pkbench.db", *out = "reports/out";
  int64_t ids[MAX_RUNS];
  size_t nr;
  for (int i = 1; i < argc; i++)
    if (cli_is_help(argv[i])) {
      printf("%s\n", usage_text);
      return 0;
    }
  int prc = parse_runs(argc, argv, &dbpath, &out, ids, &nr);
  if (prc) return prc;
  if (strlen(out) > 1024 || strchr(out, '\'') || strchr(out, '"')) {
    cli_err("report", "--out: the folder name must be under 1024 characters without quotes");
    return 2;
  }
  char sdir[4096];
  if (scripts_dir(sdir, sizeof sdir)) {
    cli_err("report", "the gnuplot scripts (reports/cdf.gp) were not found; run from the source tree or set PKB_REPORTS_DIR");
    return 2;
  }
  char errbuf[DB_ERRMSG_MAX];
  db_handle *db;
  if (db_open(dbpath, DB_OPEN_READONLY, &db, errbuf, sizeof errbuf) != DB_OK) {
    cli_err("report", "%s", errbuf);
    return 2;
  }
  if (nr == 0) {
    if (db_run_last(db, &ids[0]) != DB_OK) {
      cli_err("report", "%s: no runs recorded", dbpath);
      db_close(db);
      return 2;
    }
    nr = 1;
  }
  rep_run runs[MAX_RUNS];
  memset(runs, 0, sizeof runs);
  int status = 0;
  for (size_t i = 0; i < nr && !status; i++) {
    runs[i].id = ids[i];
    if (db_run_get(db, ids[i], run_cb, &runs[i]) != DB_OK) {
      cli_err("report", "%s: no run %lld", dbpath, (long long)ids[i]);
      status = 2;
      break;
    }
    if (db_results_iter(db, ids[i], result_cb, &runs[i]) != DB_OK) {
      cli_err("report", "%s: %s", dbpath, db_errmsg(db));
      status = 2;
      break;
    }
    for (size_t k = 0; k < runs[i].n_blocks; k++) {
      dom_ctx d = {&runs[i].blocks[k], 0, 0, ""};
      db_tables_iter(db, runs[i].blocks[k].result_id, table_cb, &d);
      if (d.by_est[0]) snprintf(runs[i].blocks[k].dominant, sizeof runs[i].blocks[k].dominant, "%s", d.by_est);
      db_phases_iter(db, runs[i].blocks[k].result_id, phase_cb, &runs[i]);
      db_shards_iter(db, runs[i].blocks[k].result_id, shard_cb, &runs[i].blocks[k]);
    }
    if (runs[i].n_blocks > 1) qsort(runs[i].blocks, runs[i].n_blocks, sizeof(rep_block), cmp_latency);
  }
  db_close(db);
  if (status) {
    for (size_t i = 0; i < nr; i++) free_run(&runs[i]);
    return status;
  }
  if (cli_make_dir("report", out) != 0) {
    for (size_t i = 0; i < nr; i++) free_run(&runs[i]);
    return 2;
  }

  /* Data files and pictures. */
  char files[MAX_RUNS * 4100] = "", titles[1024] = "", path[4096];
  double xmax = 14;
  int have_cdf = 0;
  for (size_t i = 0; i < nr && !status; i++) {
    rep_run *r = &runs[i];
    if (r->n_blocks) {
      snprintf(path, sizeof path, "%s/latency_run%lld.dat", out, (long long)r->id);
      FILE *f = fopen(path, "w");
      if (!f) {
        status = 2;
        break;
      }
      fprintf(f, "# latency_s fraction (run %lld, %s)\n0 0\n", (long long)r->id, r->label ? r->label : "");
      for (size_t k = 0; k < r->n_blocks; k++) {
        double s = r->blocks[k].latency_ms / 1000;
        fprintf(f, "%.6f %.6f\n", s, (double)(k + 1) / (double)r->n_blocks);
        if (s * 1.1 > xmax) xmax = s * 1.1;
      }
      fclose(f);
      size_t l = strlen(files);
      snprintf(files + l, sizeof files - l, "%s%s", l ? " " : "", path);
      l = strlen(titles);
      snprintf(titles + l, sizeof titles - l, "%srun_%lld", l ? " " : "", (long long)r->id);
      have_cdf = 1;

      snprintf(path, sizeof path, "%s/slowest_run%lld.dat", out, (long long)r->id);
      f = fopen(path, "w");
      if (!f) {
        status = 2;
        break;
      }
      size_t top = r->n_blocks < 15 ? r->n_blocks : 15;
      for (size_t k = 0; k < top; k++) {
        const rep_block *b = &r->blocks[r->n_blocks - 1 - k];
        fprintf(f, "%zu \"%s\" %.6f \"%s\"\n", k, b->name, b->latency_ms / 1000, b->dominant[0] ? b->dominant : "-");
      }
      fclose(f);
      snprintf(path, sizeof path, "%s/phases_run%lld.dat", out, (long long)r->id);
      f = fopen(path, "w");
      if (!f) {
        status = 2;
        break;
      }
      for (size_t k = 0; k < r->n_phases; k++) fprintf(f, "\"%s\" %.6f\n", r->phase_name[k], r->phase_ms[k]);
      fclose(f);
      rep_class cl[MAX_CLASSES];
      size_t ncl = classes(r, cl);
      snprintf(path, sizeof path, "%s/classes_run%lld.dat", out, (long long)r->id);
      f = fopen(path, "w");
      if (!f) {
        status = 2;
        break;
      }
      for (size_t k = 0; k < ncl; k++)
        fprintf(f, "%zu \"%s\" %.6f %.6f %.6f %zu\n", k, cl[k].name, cl[k].med / 1000, cl[k].min / 1000,
                cl[k].max / 1000, cl[k].n);
      fclose(f);
      double f6[MAX_LOG_WORKERS + 1], f12[MAX_LOG_WORKERS + 1];
      if (workers_curve(r, 6000, f6) && workers_curve(r, 12000, f12)) {
        snprintf(path, sizeof path, "%s/workers_run%lld.dat", out, (long long)r->id);
        f = fopen(path, "w");
        if (!f) {
          status = 2;
          break;
        }
        fprintf(f, "# workers within_6s within_12s (projected from measured shard times, longest first)\n");
        for (int k = 0; k <= MAX_LOG_WORKERS; k++) fprintf(f, "%u %.6f %.6f\n", 1u << k, f6[k], f12[k]);
        fclose(f);
        r->has_workers = 1;
      }
      for (int fmt = 0; fmt < 2 && !status; fmt++) {
        const char *ext = fmt ? "svg" : "png";
        char vars[6000];
        if (r->has_workers) {
          snprintf(vars, sizeof vars,
                   "file='%s/workers_run%lld.dat'; out='%s/workers_run%lld.%s'; fmt='%s'; label='projected from measured "
                   "shard times, aggregation not modelled'",
                   out, (long long)r->id, out, (long long)r->id, ext, ext);
          if (gnuplot(sdir, "workers.gp", vars)) status = 2;
        }
        snprintf(vars, sizeof vars, "file='%s/slowest_run%lld.dat'; out='%s/slowest_run%lld.%s'; fmt='%s'", out,
                 (long long)r->id, out, (long long)r->id, ext, ext);
        if (gnuplot(sdir, "slowest.gp", vars)) status = 2;
        snprintf(vars, sizeof vars, "file='%s/phases_run%lld.dat'; out='%s/phases_run%lld.%s'; fmt='%s'", out,
                 (long long)r->id, out, (long long)r->id, ext, ext);
        if (!status && gnuplot(sdir, "phases.gp", vars)) status = 2;
        snprintf(vars, sizeof vars, "file='%s/classes_run%lld.dat'; out='%s/classes_run%lld.%s'; fmt='%s'", out,
                 (long long)r->id, out, (long long)r->id, ext, ext);
        if (!status && gnuplot(sdir, "classes.gp", vars)) status = 2;
      }
    }
  }
  for (size_t i = 0; i < nr && !status; i++) {
    rep_run *r = &runs[i];
    if (!r->n_cost) continue;
    snprintf(path, sizeof path, "%s/cost_run%lld.dat", out, (long long)r->id);
    FILE *f = fopen(path, "w");
    if (!f) {
      status = 2;
      break;
    }
    /* index, name, measured, projected ("NaN": none, which gnuplot skips) */
    for (size_t k = 0; k < r->n_cost; k++) {
      fprintf(f, "%zu \"%s\" %.6f ", k, r->cost[k].name, r->cost[k].ms_per_mgas);
      if (r->cost[k].est_per_mgas > 0) fprintf(f, "%.6f\n", r->cost[k].est_per_mgas);
      else fprintf(f, "NaN\n");
    }
    fclose(f);
    for (int fmt = 0; fmt < 2 && !status; fmt++) {
      const char *ext = fmt ? "svg" : "png";
      char vars[6000];
      snprintf(vars, sizeof vars, "file='%s/cost_run%lld.dat'; out='%s/cost_run%lld.%s'; fmt='%s'", out,
               (long long)r->id, out, (long long)r->id, ext, ext);
      if (gnuplot(sdir, "cost.gp", vars)) status = 2;
    }
  }
  if (!status && have_cdf) {
    const rep_run *r0 = &runs[0];
    char l6[128], l12[128];
    snprintf(l6, sizeof l6, "6 s: %.1f%%", r0->n_blocks ? 100.0 * (double)within(r0, 6000) / (double)r0->n_blocks : 0);
    snprintf(l12, sizeof l12, "12 s: %.1f%%", r0->n_blocks ? 100.0 * (double)within(r0, 12000) / (double)r0->n_blocks : 0);
    for (int fmt = 0; fmt < 2 && !status; fmt++) {
      const char *ext = fmt ? "svg" : "png";
      char vars[MAX_RUNS * 4100 + 8192];
      snprintf(vars, sizeof vars, "files='%s'; titles='%s'; out='%s/latency_cdf.%s'; fmt='%s'; label6='%s'; label12='%s'; xmax=%.3f",
               files, titles, out, ext, ext, l6, l12, xmax);
      if (gnuplot(sdir, "cdf.gp", vars)) status = 2;
    }
  }
  if (status) {
    cli_err("report", "%s: drawing failed", out);
    for (size_t i = 0; i < nr; i++) free_run(&runs[i]);
    return 2;
  }

  /* report.md and index.html */
  snprintf(path, sizeof path, "%s/report.md", out);
  FILE *md = fopen(path, "w");
  snprintf(path, sizeof path, "%s/index.html", out);
  FILE *html = fopen(path, "w");
  if (!md || !html) {
    if (md) fclose(md);
    if (html) fclose(html);
    cli_err("report", "%s: cannot write the report: %s", out, strerror(errno));
    for (size_t i = 0; i < nr; i++) free_run(&runs[i]);
    return 2;
  }
  fprintf(md, "# pkbench report\n\nDatabase `%s`. Latency is what the result's label says: `measured:host` is the\n"
              "wall-clock time of execution, table building and proving (verification excluded) on\n"
              "the host that ran the block, with one worker; `projected:...` figures come from the\n"
              "cluster model over measured shard times and name the profile and worker count.\n\n",
          dbpath);
  write_tables_md(md, runs, nr);
  if (have_cdf) fprintf(md, "\n![latency CDF](latency_cdf.png)\n");
  for (size_t i = 0; i < nr; i++) {
    rep_run *r = &runs[i];
    fprintf(md, "\n## Run %lld\n\nProver configuration: `%s`. Deadline of the run: %.1f s.\n", (long long)r->id,
            r->config, (double)r->deadline_ms / 1000);
    if (r->n_cost) {
      fprintf(md, "\nProving cost by operation (`pkbench cost`): measured on this host for the proven tables,\n"
                  "and the cost model's projection for every table (the sized ones at their widths, profile `%s`):\n\n"
                  "| operation | measured ms per Mgas (proven tables) | projected ms per Mgas (all tables) |\n"
                  "| --- | --- | --- |\n",
              r->profile);
      for (size_t k = 0; k < r->n_cost; k++) {
        fprintf(md, "| %s | %.1f | ", r->cost[k].name, r->cost[k].ms_per_mgas);
        if (r->cost[k].est_per_mgas > 0) fprintf(md, "%.1f |\n", r->cost[k].est_per_mgas);
        else fprintf(md, "- |\n");
      }
      fprintf(md, "\n![cost per gas](cost_run%lld.png)\n", (long long)r->id);
    }
    if (!r->n_blocks) {
      if (!r->n_cost)
        fprintf(md, "\nNo proven blocks in this run (%zu results, %zu failed).\n", r->n_results, r->n_failed);
      continue;
    }
    size_t ns;
    double rho = spearman(r, &ns);
    if (ns)
      fprintf(md, "\nCost estimate against measured proving time (proven tables): Spearman rank correlation "
                  "%.3f over %zu blocks.\n", rho, ns);
    sized_sentence(md, r, 0);
    if (r->has_workers) {
      double f6[MAX_LOG_WORKERS + 1], f12[MAX_LOG_WORKERS + 1];
      workers_curve(r, 6000, f6);
      workers_curve(r, 12000, f12);
      fprintf(md, "\nWorkers like the measuring host needed (projected from the measured shard times, shards "
                  "scheduled longest first, aggregation not modelled):\n\n| target | within 6 s | within 12 s |\n"
                  "| --- | --- | --- |\n");
      const double targets[2] = {0.93, 0.99};
      for (int t = 0; t < 2; t++) {
        char a[32] = "more than 1024", b12[32] = "more than 1024";
        for (int k = MAX_LOG_WORKERS; k >= 0; k--) {
          if (f6[k] >= targets[t]) snprintf(a, sizeof a, "%u", 1u << k);
          if (f12[k] >= targets[t]) snprintf(b12, sizeof b12, "%u", 1u << k);
        }
        fprintf(md, "| %.0f%% of blocks | %s | %s |\n", 100 * targets[t], a, b12);
      }
      fprintf(md, "\n![workers](workers_run%lld.png)\n", (long long)r->id);
    }
    rep_class cl[MAX_CLASSES];
    size_t ncl = classes(r, cl);
    fprintf(md, "\n| corpus class | blocks | median latency (s) | fastest (s) | slowest (s) | within 6 s | within 12 s |\n"
                "| --- | --- | --- | --- | --- | --- | --- |\n");
    for (size_t k = 0; k < ncl; k++)
      fprintf(md, "| %s | %zu | %.3f | %.3f | %.3f | %zu | %zu |\n", cl[k].name, cl[k].n, cl[k].med / 1000,
              cl[k].min / 1000, cl[k].max / 1000, cl[k].in6, cl[k].in12);
    fprintf(md, "\n![classes](classes_run%lld.png)\n", (long long)r->id);
    fprintf(md, "\n![slowest blocks](slowest_run%lld.png)\n![phases](phases_run%lld.png)\n\n", (long long)r->id,
            (long long)r->id);
    fprintf(md, "| slowest blocks | latency (s) | with the sized tables, projected (s) | dominant table | within the "
                "run's deadline |\n| --- | --- | --- | --- | --- |\n");
    size_t top = r->n_blocks < 15 ? r->n_blocks : 15;
    for (size_t k = 0; k < top; k++) {
      const rep_block *b = &r->blocks[r->n_blocks - 1 - k];
      char all[32] = "-";
      if (b->sized_ms >= 0 && r->gpus <= 1) snprintf(all, sizeof all, "%.3f", (b->latency_ms + b->sized_ms) / 1000);
      fprintf(md, "| %s | %.3f | %s | %s | %s |\n", b->name, b->latency_ms / 1000, all,
              b->dominant[0] ? b->dominant : "-", b->made_slot == 1 ? "yes" : b->made_slot == 0 ? "no" : "-");
    }
    if (sized_shown(r)) {
      /* The killers as the model sees them: every table proven. */
      const rep_block **ix = malloc(r->n_blocks * sizeof *ix);
      if (ix) {
        for (size_t k = 0; k < r->n_blocks; k++) ix[k] = &r->blocks[k];
        qsort(ix, r->n_blocks, sizeof *ix, cmp_with_sized_desc);
        fprintf(md, "\n| slowest with every table (projected) | projected (s) | measured, proven tables (s) | "
                    "dominant table |\n| --- | --- | --- | --- |\n");
        for (size_t k = 0; k < top; k++) {
          const rep_block *b = ix[k];
          fprintf(md, "| %s | %.3f | %.3f | %s |\n", b->name, (b->latency_ms + b->sized_ms) / 1000,
                  b->latency_ms / 1000, b->dominant[0] ? b->dominant : "-");
        }
        free(ix);
      }
    }
  }
  fprintf(html, "<!doctype html><html><head><meta charset=\"utf-8\"><title>pkbench report</title>"
                "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}"
                "td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>\n<h1>pkbench report</h1>\n");
  fprintf(html, "<p>Database <code>%s</code>. Latency is what each result's label says (measured:host = wall clock of "
                "execution, tables and proving on the host that ran the block, one worker).</p>\n<table><tr><th>run</th><th>started</th><th>revision</th>"
                "<th>blocks proven</th><th>failed</th><th>within 6 s</th><th>within 12 s</th><th>how measured</th></tr>\n",
          dbpath);
  for (size_t i = 0; i < nr; i++) {
    rep_run *r = &runs[i];
    fprintf(html, "<tr><td>%lld</td><td>%s</td><td>%s</td><td>%zu</td><td>%zu</td>", (long long)r->id, r->started_at,
            r->git_rev, r->n_blocks, r->n_failed);
    for (int s = 0; s < 2; s++) {
      if (!r->n_blocks) {
        fprintf(html, "<td>n/a</td>");
        continue;
      }
      double rate, lo, hi;
      size_t k = within(r, s ? 12000 : 6000);
      model_wilson(k, r->n_blocks, &rate, &lo, &hi);
      fprintf(html, "<td>%.1f%% (%.1f-%.1f%%)</td>", 100 * rate, 100 * lo, 100 * hi);
    }
    fprintf(html, "<td>%s</td></tr>\n", r->label ? r->label : "-");
  }
  fprintf(html, "</table>\n");
  if (have_cdf) fprintf(html, "<h2>Latency</h2><img src=\"latency_cdf.svg\" alt=\"latency CDF\">\n");
  for (size_t i = 0; i < nr; i++) {
    if (runs[i].n_cost)
      fprintf(html, "<h2>Run %lld: cost by operation</h2><img src=\"cost_run%lld.svg\" alt=\"cost per gas\">\n",
              (long long)runs[i].id, (long long)runs[i].id);
    if (!runs[i].n_blocks) continue;
    fprintf(html, "<h2>Run %lld</h2>", (long long)runs[i].id);
    sized_sentence(html, &runs[i], 1);
    if (runs[i].has_workers) fprintf(html, "<img src=\"workers_run%lld.svg\" alt=\"workers\">", (long long)runs[i].id);
    fprintf(html,
            "<img src=\"classes_run%lld.svg\" alt=\"classes\"><img src=\"slowest_run%lld.svg\" alt=\"slowest blocks\">"
            "<img src=\"phases_run%lld.svg\" alt=\"phases\">\n",
            (long long)runs[i].id, (long long)runs[i].id, (long long)runs[i].id);
  }
  fprintf(html, "</body></html>\n");
  int bad = fclose(md) != 0;
  if (fclose(html) != 0) bad = 1;
  for (size_t i = 0; i < nr; i++) free_run(&runs[i]);
  if (bad) {
    cli_err("report", "%s: writing the report failed", out);
    return 2;
  }
  printf("report written to %s/index.html and %s/report.md\n", out, out);
  return 0;
}
