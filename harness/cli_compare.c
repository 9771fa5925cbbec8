/* cli_compare: `pkbench compare BASE NEW`, the regression gate of a nightly job.
 *
 * Blocks are matched by content hash. For the blocks proven in both runs the
 * latency ratio new/base is summarised by its median with a bootstrap 95%
 * interval (2000 resamples, fixed seed, so the verdict is reproducible); the
 * success rates of both runs against the slot come with Wilson intervals; and
 * every block that made the slot in BASE but not in NEW, or was proven in
 * BASE but failed in NEW, is named. The verdict is a regression when the
 * lower end of the median ratio's interval is above 1 + threshold, or when
 * any block newly misses the slot or newly fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "model.h"

static const char usage_text[] =
    "usage: pkbench compare [--db FILE] [--threshold PCT] [--slot MS] [--json] BASE_RUN NEW_RUN\n"
    "\n"
    "Compares two runs block by block (matched by content hash) and as distributions:\n"
    "median latency ratio NEW/BASE with a bootstrap 95% interval, success rates with\n"
    "Wilson intervals, blocks that newly miss the slot or newly fail.\n"
    "  --db FILE        results database (default ./pkbench.db)\n"
    "  --threshold PCT  tolerated slowdown of the median ratio (default 10)\n"
    "  --slot MS        slot deadline for both runs (default: each run's own deadline)\n"
    "  --json           one JSON object\n"
    "Exit status: 0 no regression beyond the threshold, 1 regression, 2 bad input.";

typedef struct {
  char hash[65];
  char *name;
  int ok;
  double latency_ms;
} cmp_block;

typedef struct {
  cmp_block *v;
  size_t n, cap;
  int64_t deadline_ms;
  int failed_alloc;
} cmp_run;

static int run_cb(void *ctx, const db_run_row *row) {
  ((cmp_run *)ctx)->deadline_ms = row->info.deadline_ms;
  return 0;
}

static int res_cb(void *ctx, const db_result_row *row) {
  cmp_run *r = ctx;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    cmp_block *nv = realloc(r->v, cap * sizeof *nv);
    if (!nv) {
      r->failed_alloc = 1;
      return 1;
    }
    r->v = nv;
    r->cap = cap;
  }
  cmp_block *b = &r->v[r->n++];
  snprintf(b->hash, sizeof b->hash, "%s", row->block.content_hash);
  b->name = strdup(row->block.name ? row->block.name : row->block.content_hash);
  b->ok = strcmp(row->result.status, DB_RESULT_OK) == 0 && row->result.projected_latency_ms >= 0;
  b->latency_ms = row->result.projected_latency_ms;
  return 0;
}

static int cmp_hash(const void *a, const void *b) {
  return strcmp(((const cmp_block *)a)->hash, ((const cmp_block *)b)->hash);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* xorshift64*: a fixed-seed generator so the bootstrap is reproducible. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static void free_run(cmp_run *r) {
  for (size_t i = 0; i < r->n; i++) free(r->v[i].name);
  free(r->v);
}

static int load(db_handle *db, int64_t id, cmp_run *r, const char *dbpath) {
  memset(r, 0, sizeof *r);
  if (db_run_get(db, id, run_cb, r) != DB_OK) {
    cli_err("compare", "%s: no run %lld", dbpath, (long long)id);
    return 2;
  }
  if (db_results_iter(db, id, res_cb, r) != DB_OK || r->failed_alloc) {
    cli_err("compare", "%s: cannot read the results of run %lld", dbpath, (long long)id);
    return 2;
  }
  if (r->n > 1) qsort(r->v, r->n, sizeof *r->v, cmp_hash);
  return 0;
}

int cli_compare(int argc, char **argv) {
  const char *dbpath = "pkbench.db";
  double threshold = 10;
  long long slot = -1;
  int json = 0;
  int64_t ids[2];
  int nid = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long x;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--db") == 0 && v) {
      dbpath = v;
      i++;
    } else if (strcmp(a, "--threshold") == 0 && v) {
      if (cli_parse_u64(v, &x) || x > 1000) {
        cli_err("compare", "--threshold: '%s' is not a percentage (0..1000)", v);
        return 2;
      }
      threshold = (double)x;
      i++;
    } else if (strcmp(a, "--slot") == 0 && v) {
      if (cli_parse_u64(v, &x) || x == 0) {
        cli_err("compare", "--slot: '%s' is not a deadline in milliseconds", v);
        return 2;
      }
      slot = (long long)x;
      i++;
    } else if (a[0] == '-') {
      cli_err("compare", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    } else if (nid == 2 || cli_parse_u64(a, &x) || x == 0) {
      cli_err("compare", "'%s': expected exactly two run ids (BASE_RUN NEW_RUN)", a);
      return 2;
    } else {
      ids[nid++] = (int64_t)x;
    }
  }
  if (nid != 2) {
    cli_err("compare", "expected two run ids: BASE_RUN NEW_RUN (see --help)");
    return 2;
  }
  char errbuf[DB_ERRMSG_MAX];
  db_handle *db;
  if (db_open(dbpath, DB_OPEN_READONLY, &db, errbuf, sizeof errbuf) != DB_OK) {
    cli_err("compare", "%s", errbuf);
    return 2;
  }
  cmp_run base, cur;
  int rc = load(db, ids[0], &base, dbpath);
  if (!rc) rc = load(db, ids[1], &cur, dbpath);
  db_close(db);
  if (rc) {
    free_run(&base);
    return rc;
  }
  double base_slot = slot > 0 ? (double)slot : (double)base.deadline_ms;
  double cur_slot = slot > 0 ? (double)slot : (double)cur.deadline_ms;

  /* Match by hash (both sorted). */
  double *ratios = malloc((base.n + 1) * sizeof *ratios);
  size_t nr = 0, newly_missed = 0, newly_failed = 0, ok_base = 0, ok_cur = 0, made_base = 0, made_cur = 0;
  if (!ratios) {
    free_run(&base);
    free_run(&cur);
    cli_err("compare", "out of memory");
    return 2;
  }
  for (size_t i = 0; i < base.n; i++) {
    ok_base += base.v[i].ok;
    made_base += base.v[i].ok && base.v[i].latency_ms <= base_slot;
  }
  for (size_t i = 0; i < cur.n; i++) {
    ok_cur += cur.v[i].ok;
    made_cur += cur.v[i].ok && cur.v[i].latency_ms <= cur_slot;
  }
  if (!json) printf("blocks in BASE %lld: %zu (%zu proven); in NEW %lld: %zu (%zu proven)\n", (long long)ids[0],
                    base.n, ok_base, (long long)ids[1], cur.n, ok_cur);
  for (size_t i = 0, j = 0; i < base.n && j < cur.n;) {
    int c = strcmp(base.v[i].hash, cur.v[j].hash);
    if (c < 0) {
      i++;
      continue;
    }
    if (c > 0) {
      j++;
      continue;
    }
    const cmp_block *b = &base.v[i], *n = &cur.v[j];
    if (b->ok && n->ok && b->latency_ms > 0) ratios[nr++] = n->latency_ms / b->latency_ms;
    if (b->ok && !n->ok) {
      newly_failed++;
      if (!json) printf("  newly failed: %s\n", n->name);
    } else if (b->ok && n->ok && b->latency_ms <= base_slot && n->latency_ms > cur_slot) {
      newly_missed++;
      if (!json) printf("  newly misses the slot: %s (%.1f ms -> %.1f ms)\n", n->name, b->latency_ms, n->latency_ms);
    }
    i++;
    j++;
  }
  double med = 0, lo = 0, hi = 0;
  if (nr) {
    double *tmp = malloc(nr * sizeof *tmp), *meds = malloc(2000 * sizeof *meds);
    if (!tmp || !meds) {
      free(tmp);
      free(meds);
      free(ratios);
      free_run(&base);
      free_run(&cur);
      cli_err("compare", "out of memory");
      return 2;
    }
    memcpy(tmp, ratios, nr * sizeof *tmp);
    med = median(tmp, nr);
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int k = 0; k < 2000; k++) {
      for (size_t i = 0; i < nr; i++) tmp[i] = ratios[rng_next(&s) % nr];
      meds[k] = median(tmp, nr);
    }
    qsort(meds, 2000, sizeof *meds, cmp_double);
    lo = meds[49];
    hi = meds[1949];
    free(tmp);
    free(meds);
  }
  free(ratios);
  int regression = (nr && lo > 1 + threshold / 100) || newly_missed || newly_failed;
  double rb = 0, rbl = 0, rbh = 0, rc2 = 0, rcl = 0, rch = 0;
  if (ok_base) model_wilson(made_base, ok_base, &rb, &rbl, &rbh);
  if (ok_cur) model_wilson(made_cur, ok_cur, &rc2, &rcl, &rch);
  if (json) {
    printf("{\"base\":%lld,\"new\":%lld,\"matched\":%zu,\"median_ratio\":%.6f,\"ci95\":[%.6f,%.6f],"
           "\"threshold_pct\":%.1f,\"success_base\":%.6f,\"success_new\":%.6f,\"newly_missed\":%zu,"
           "\"newly_failed\":%zu,\"regression\":%s}\n",
           (long long)ids[0], (long long)ids[1], nr, med, lo, hi, threshold, rb, rc2, newly_missed, newly_failed,
           regression ? "true" : "false");
  } else {
    if (nr) printf("median latency ratio NEW/BASE over %zu blocks: %.3f (95%% CI %.3f-%.3f)\n", nr, med, lo, hi);
    else printf("no block proven in both runs\n");
    if (ok_base) printf("success BASE: %.1f%% (%.1f-%.1f%%) of %zu\n", 100 * rb, 100 * rbl, 100 * rbh, ok_base);
    if (ok_cur) printf("success NEW:  %.1f%% (%.1f-%.1f%%) of %zu\n", 100 * rc2, 100 * rcl, 100 * rch, ok_cur);
    printf("verdict: %s (threshold %.0f%%; %zu newly miss the slot, %zu newly fail)\n",
           regression ? "REGRESSION" : "no regression", threshold, newly_missed, newly_failed);
  }
  free_run(&base);
  free_run(&cur);
  return regression ? 1 : 0;
}
