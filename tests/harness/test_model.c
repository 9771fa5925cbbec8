/* The cost model: LPT scheduling, aggregation levels, Wilson intervals, the
 * estimate's arithmetic, profile files, and the built-in host profile being
 * the one recorded in prover/profiles/host.tsv. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "model.h"

static void test_lpt(void **state) {
  (void)state;
  const double v[] = {5, 4, 3, 3, 3};
  assert_true(model_lpt(v, 5, 1) == 18);
  /* LPT on 2 workers: 5 | 4, then 3 -> 4+3=7, 3 -> 5+3=8, 3 -> 7+3=10: makespan 10 */
  assert_true(model_lpt(v, 5, 2) == 10);
  assert_true(model_lpt(v, 5, 5) == 5);
  assert_true(model_lpt(v, 5, 1000) == 5);
  assert_true(model_lpt(NULL, 0, 4) == 0);
  assert_int_equal(model_agg_levels(1), 0);
  assert_int_equal(model_agg_levels(2), 1);
  assert_int_equal(model_agg_levels(5), 3);
  model_profile p = model_profile_default();
  p.agg_ms_per_level = 10;
  assert_true(model_latency(&p, 2, 1, 2, v, 5) == 1 + 2 + 10 + 30);
}

static void test_wilson(void **state) {
  (void)state;
  double r, lo, hi;
  model_wilson(93, 100, &r, &lo, &hi);
  assert_true(r == 0.93);
  /* the published Wilson interval for 93/100 is about [0.862, 0.966] */
  assert_true(lo > 0.860 && lo < 0.864);
  assert_true(hi > 0.964 && hi < 0.968);
  model_wilson(0, 10, &r, &lo, &hi);
  assert_true(lo < 1e-12 && hi > 0.27 && hi < 0.28);
  model_wilson(10, 10, &r, &lo, &hi);
  assert_true(hi > 0.999999 && lo > 0.72 && lo < 0.73);
}

static void test_estimate_arithmetic(void **state) {
  (void)state;
  model_profile p = model_profile_default();
  p.ms_per_cell = 1e-3;
  p.ms_per_shard = 10;
  uint64_t rows[TRACE_COUNT] = {0};
  rows[TRACE_CPU] = 3000; /* one shard of 2^12 rows (log_shard 20) */
  model_estimate e;
  model_estimate_rows(&p, rows, 20, &e);
  double want = 10 + 1e-3 * 4096 * trace_table_width(TRACE_CPU);
  assert_true(e.proven_ms > want - 1e-9 && e.proven_ms < want + 1e-9);
  assert_int_equal(e.shards, 1);
  /* two full shards of 2^10 and a remainder padded to 2 rows */
  rows[TRACE_CPU] = 2049;
  model_estimate_rows(&p, rows, 10, &e);
  assert_int_equal(e.shards, 3);
  want = 3 * 10 + 1e-3 * (2 * 1024 + 2) * trace_table_width(TRACE_CPU);
  assert_true(e.proven_ms > want - 1e-9 && e.proven_ms < want + 1e-9);
  /* a sized table is projected at its assumed width, separately (keccak's
   * is its AIR's: at keccak's own cell cost) */
  rows[TRACE_KECCAK] = 24;
  model_estimate_rows(&p, rows, 10, &e);
  want = 10 + p.table_ms_per_cell[TRACE_KECCAK] * 32 * model_assumed_width(TRACE_KECCAK);
  assert_true(e.sized_ms > want - 1e-9 && e.sized_ms < want + 1e-9);
}

static void test_smooth_estimate(void **state) {
  (void)state;
  model_profile p = model_profile_default();
  p.ms_per_cell = 1e-3;
  p.ms_per_shard = 8;
  uint64_t rows[TRACE_COUNT] = {0};
  rows[TRACE_CPU] = 3000;
  model_estimate e;
  model_estimate_rows_smooth(&p, rows, 10, &e);
  double want = 3000.0 / 1024 * 8 + 1e-3 * 3000 * trace_table_width(TRACE_CPU);
  assert_true(e.proven_ms > want - 1e-9 && e.proven_ms < want + 1e-9);
  /* twice the rows, twice the cost: no padding steps */
  model_estimate e2;
  rows[TRACE_CPU] = 6000;
  model_estimate_rows_smooth(&p, rows, 10, &e2);
  assert_true(e2.proven_ms > 2 * want - 1e-9 && e2.proven_ms < 2 * want + 1e-9);
}

static void test_host_profile_file_is_the_default(void **state) {
  (void)state;
  const char *src = getenv("PKB_SOURCE_DIR");
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/prover/profiles/host.tsv", src ? src : ".");
  model_profile f, d = model_profile_default();
  assert_int_equal(model_profile_load(path, &f, err, sizeof err), MODEL_OK);
  assert_true(f.ms_per_cell == d.ms_per_cell);
  assert_true(f.ms_per_shard == d.ms_per_shard);
  assert_int_equal(f.log_shard, d.log_shard);
  assert_true(f.ms_per_aux_cell == d.ms_per_aux_cell);
  for (int i = 0; i < TRACE_COUNT; i++) {
    assert_true(f.table_ms_per_cell[i] == d.table_ms_per_cell[i]);
    assert_true(f.table_ms_per_aux_cell[i] == d.table_ms_per_aux_cell[i]);
  }
}

static unsigned g_points[TRACE_COUNT + 1];

static void count_point(void *ctx, const char *table, unsigned log_rows, double cells, double ms) {
  (void)ctx;
  assert_true(cells > 0 && ms > 0 && log_rows >= 4);
  for (int i = 0; i < TRACE_COUNT; i++)
    if (strcmp(table, trace_table_name((trace_table_id)i)) == 0) g_points[i]++;
  g_points[TRACE_COUNT]++;
}

/* A calibration at tiny sizes: a cpu fit, the memory table's own cost per
 * cell from its shard, and each wide table's; every point reported. The
 * figures are this machine's, not checked: only that each was measured. */
static void test_calibrate_small(void **state) {
  (void)state;
  stark_config cfg = stark_config_default();
  cfg.fri = fri_params_for(1, 24);
  model_profile p;
  memset(g_points, 0, sizeof g_points);
  assert_int_equal(model_calibrate(&cfg, 6, 10, 4, 1, &p, count_point, NULL), MODEL_OK);
  assert_true(p.ms_per_cell > 0);
  assert_int_equal(g_points[TRACE_CPU], 3); /* 2^6, 2^8, 2^10 */
  assert_int_equal(g_points[TRACE_MEMORY], 1);
  assert_true(p.table_ms_per_cell[TRACE_MEMORY] > 0);
  assert_int_equal(g_points[TRACE_ARITH], 1);
  assert_true(p.table_ms_per_cell[TRACE_ARITH] > 0);
  assert_true(p.table_ms_per_cell[TRACE_CPU] == 0); /* the cpu table uses ms_per_cell */
  /* the cpu and memory shards again with their lookup arguments: two points
   * more than the tables' own; their aux costs are >= 0 (0: noise left no
   * difference, and the table's own cost stands in) */
  unsigned named = 0;
  for (int i = 0; i < TRACE_COUNT; i++) named += g_points[i];
  assert_int_equal(g_points[TRACE_COUNT], named + 2);
  assert_true(p.ms_per_aux_cell >= 0 && p.table_ms_per_aux_cell[TRACE_CPU] >= 0);
  for (int i = 0; i < TRACE_COUNT; i++)
    if (i != TRACE_CPU) assert_true(p.table_ms_per_aux_cell[i] == 0);
  assert_int_equal(model_calibrate(&cfg, 6, 30, 4, 1, &p, NULL, NULL), MODEL_E_ARG);
}

static void test_profile_files(void **state) {
  (void)state;
  char path[] = "/tmp/pkb_prof_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("# c\nname\tx\nlog_shard\t18\nms_per_cell\t0.5\nms_per_shard\t2\n", f);
  fclose(f);
  model_profile p;
  char err[512];
  assert_int_equal(model_profile_load(path, &p, err, sizeof err), MODEL_OK);
  assert_true(p.ms_per_cell == 0.5);
  f = fopen(path, "w");
  fputs("name\tx\nms_per_cell\t-1\n", f);
  fclose(f);
  assert_int_equal(model_profile_load(path, &p, err, sizeof err), MODEL_E_FORMAT);
  assert_non_null(strstr(err, ":2:"));
  f = fopen(path, "w");
  fputs("bogus line\n", f);
  fclose(f);
  assert_int_equal(model_profile_load(path, &p, err, sizeof err), MODEL_E_FORMAT);
  remove(path);
  assert_int_equal(model_profile_load("/nonexistent/p.tsv", &p, err, sizeof err), MODEL_E_IO);
}

/* Device names become profile names; a run on a GPU estimates with that
 * GPU's profile file when the repository has one, with host otherwise. */
static void test_profile_names(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"NVIDIA H100 80GB HBM3", "nvidia-h100-80gb-hbm3"},
      {"  NVIDIA  H200 ", "nvidia-h200"},
      {"A/B_c", "a-b-c"},
      {"--", "gpu"},
      {"", "gpu"},
  };
  char out[64];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    model_profile_name(cases[i][0], out, sizeof out);
    assert_string_equal(out, cases[i][1]);
  }
  model_profile_name("NVIDIA H100 80GB HBM3", out, 7); /* truncated, still terminated */
  assert_string_equal(out, "nvidia");
  char buf[128];
  FILE *f = fopen("prover/profiles/nvidia-h100-80gb-hbm3.tsv", "r");
  if (f) { /* the shipped H100 profile (tests run from the repository root) */
    fclose(f);
    assert_string_equal(cli_default_profile("NVIDIA H100 80GB HBM3", 1, buf, sizeof buf), "nvidia-h100-80gb-hbm3");
    model_profile p;
    assert_int_equal(cli_load_profile("test", buf, &p), 0);
    assert_string_equal(p.name, "nvidia-h100-80gb-hbm3");
  }
  f = fopen("prover/profiles/nvidia-h200.tsv", "r");
  if (f) { /* the shipped H200 profile, with the lookup argument's aux costs */
    fclose(f);
    assert_string_equal(cli_default_profile("NVIDIA H200", 1, buf, sizeof buf), "nvidia-h200");
    model_profile p;
    assert_int_equal(cli_load_profile("test", buf, &p), 0);
    assert_true(p.ms_per_aux_cell > 0 && p.table_ms_per_aux_cell[TRACE_CPU] > 0);
    assert_true(model_aux_cell_ms(&p, TRACE_STORAGE, TRACE_OPT_LOOKUPS) == p.ms_per_aux_cell);
  }
  assert_string_equal(cli_default_profile("NVIDIA H100 80GB HBM3", 0, buf, sizeof buf), "host");
  assert_string_equal(cli_default_profile("Imaginary GPU 9000", 1, buf, sizeof buf), "host");
  assert_string_equal(cli_default_profile(NULL, 1, buf, sizeof buf), "host");
}

/* A wide table's own per-cell cost replaces the cpu table's when that table
 * is proven, and only then; profile files carry it per table name. */
static void test_table_cell_cost(void **state) {
  (void)state;
  model_profile p = model_profile_default();
  p.ms_per_cell = 1e-3;
  p.ms_per_shard = 10;
  memset(p.table_ms_per_cell, 0, sizeof p.table_ms_per_cell);
  p.table_ms_per_cell[TRACE_ARITH] = 5e-3;
  uint64_t rows[TRACE_COUNT] = {0};
  rows[TRACE_ARITH] = 1000; /* one shard of 1024 rows */
  model_estimate e;
  model_estimate_rows_opts(&p, rows, 20, TRACE_OPT_PROVE_ARITH, &e);
  double want = 10 + 5e-3 * 1024 * trace_table_width_opts(TRACE_ARITH, TRACE_OPT_PROVE_ARITH);
  assert_true(e.proven_ms > want - 1e-6 && e.proven_ms < want + 1e-6);
  assert_true(model_cell_ms(&p, TRACE_ARITH, TRACE_OPT_PROVE_ARITH) == 5e-3);
  /* sized: the assumed width at the cpu table's cell cost */
  model_estimate_rows_opts(&p, rows, 20, 0, &e);
  want = 10 + 1e-3 * 1024 * model_assumed_width(TRACE_ARITH);
  assert_true(e.sized_ms > want - 1e-6 && e.sized_ms < want + 1e-6);
  assert_true(model_cell_ms(&p, TRACE_ARITH, 0) == 1e-3);
  assert_true(model_cell_ms(&p, TRACE_CPU, TRACE_OPT_PROVE_ARITH) == 1e-3);
  /* a table sized at its AIR's own width (bls12) is projected at its own
   * cost, proven or not */
  p.table_ms_per_cell[TRACE_BLS12] = 7e-3;
  assert_true(model_cell_ms(&p, TRACE_BLS12, 0) == 7e-3);
  assert_true(model_cell_ms(&p, TRACE_BLS12, TRACE_OPT_PROVE_PRECOMPILES) == 7e-3);
  assert_int_equal(model_assumed_width(TRACE_BLS12), trace_table_width_opts(TRACE_BLS12, TRACE_OPT_PROVE_PRECOMPILES));
  rows[TRACE_ARITH] = 0;
  rows[TRACE_BLS12] = 1000;
  model_estimate_rows_opts(&p, rows, 20, 0, &e);
  want = 10 + 7e-3 * 1024 * model_assumed_width(TRACE_BLS12);
  assert_true(e.sized_ms > want - 1e-6 && e.sized_ms < want + 1e-6);
  rows[TRACE_BLS12] = 0;
  rows[TRACE_ARITH] = 1000;
  /* the smooth form too */
  model_estimate_rows_smooth_opts(&p, rows, 20, TRACE_OPT_PROVE_ARITH, &e);
  want = 1000.0 / (1 << 14) * 10 + 5e-3 * 1000 * trace_table_width_opts(TRACE_ARITH, TRACE_OPT_PROVE_ARITH);
  assert_true(e.proven_ms > want - 1e-6 && e.proven_ms < want + 1e-6);

  char path[] = "/tmp/pkb_prof_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("name\tx\nlog_shard\t18\nms_per_cell\t0.5\nms_per_shard\t2\nms_per_cell.arith\t0.75\n", f);
  fclose(f);
  model_profile q;
  char err[512];
  assert_int_equal(model_profile_load(path, &q, err, sizeof err), MODEL_OK);
  assert_true(q.table_ms_per_cell[TRACE_ARITH] == 0.75 && q.table_ms_per_cell[TRACE_KECCAK] == 0);
  /* saved and read back */
  assert_int_equal(model_profile_save(path, &q), MODEL_OK);
  model_profile r;
  assert_int_equal(model_profile_load(path, &r, err, sizeof err), MODEL_OK);
  assert_true(r.table_ms_per_cell[TRACE_ARITH] == 0.75);
  f = fopen(path, "w");
  fputs("name\tx\nlog_shard\t18\nms_per_cell\t0.5\nms_per_shard\t2\nms_per_cell.nosuch\t1\n", f);
  fclose(f);
  assert_int_equal(model_profile_load(path, &q, err, sizeof err), MODEL_E_FORMAT);
  assert_non_null(strstr(err, "nosuch"));
  remove(path);
}

/* With the lookup argument a table's aux columns are costed at its own aux
 * cost, else the profile's, else its main per-cell cost; profile files carry
 * both keys. */
static void test_aux_cell_cost(void **state) {
  (void)state;
  unsigned o = TRACE_OPT_LOOKUPS;
  unsigned cw = trace_table_width_opts(TRACE_CPU, o), mw = trace_table_width_opts(TRACE_MEMORY, o);
  unsigned caw = stark_lookup_aux_width(trace_air_opts(TRACE_CPU, o), trace_lookup_opts(TRACE_CPU, o));
  unsigned maw = stark_lookup_aux_width(trace_air_opts(TRACE_MEMORY, o), trace_lookup_opts(TRACE_MEMORY, o));
  assert_true(caw > 0 && maw > 0);
  model_profile p = model_profile_default();
  p.ms_per_cell = 1e-3;
  p.ms_per_shard = 10;
  memset(p.table_ms_per_cell, 0, sizeof p.table_ms_per_cell);
  memset(p.table_ms_per_aux_cell, 0, sizeof p.table_ms_per_aux_cell);
  p.table_ms_per_cell[TRACE_MEMORY] = 2e-3;
  p.ms_per_aux_cell = 0;
  uint64_t rows[TRACE_COUNT] = {0};
  rows[TRACE_CPU] = 1000;    /* one shard of 1024 */
  rows[TRACE_MEMORY] = 3000; /* one of 4096 */
  model_estimate e;
  /* no aux cost in the profile: each table's own per-cell cost */
  model_estimate_rows_opts(&p, rows, 20, o, &e);
  double cpu = 10 + 1e-3 * 1024 * (cw + caw), mem = 10 + 2e-3 * 4096 * (mw + maw);
  assert_true(fabs(e.table_ms[TRACE_CPU] - cpu) < 1e-6 && fabs(e.table_ms[TRACE_MEMORY] - mem) < 1e-6);
  /* the profile's aux cost, then the cpu table's own */
  p.ms_per_aux_cell = 5e-3;
  p.table_ms_per_aux_cell[TRACE_CPU] = 7e-3;
  model_estimate_rows_opts(&p, rows, 20, o, &e);
  cpu = 10 + 1024 * (1e-3 * cw + 7e-3 * caw);
  mem = 10 + 4096 * (2e-3 * mw + 5e-3 * maw);
  assert_true(fabs(e.table_ms[TRACE_CPU] - cpu) < 1e-6 && fabs(e.table_ms[TRACE_MEMORY] - mem) < 1e-6);
  assert_true(model_aux_cell_ms(&p, TRACE_STORAGE, o) == 5e-3);
  model_estimate_rows_smooth_opts(&p, rows, 20, o, &e);
  mem = 3000.0 / (1 << 20) * 10 + 3000 * (2e-3 * mw + 5e-3 * maw);
  assert_true(fabs(e.table_ms[TRACE_MEMORY] - mem) < 1e-6);
  /* without the lookup argument the aux costs change nothing */
  model_estimate_rows_opts(&p, rows, 20, 0, &e);
  cpu = 10 + 1e-3 * 1024 * trace_table_width(TRACE_CPU);
  assert_true(fabs(e.table_ms[TRACE_CPU] - cpu) < 1e-6);

  char path[] = "/tmp/pkb_prof_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("name\tx\nlog_shard\t18\nms_per_cell\t0.5\nms_per_shard\t2\nms_per_aux_cell\t0.25\n"
        "ms_per_aux_cell.cpu\t0.125\n",
        f);
  fclose(f);
  model_profile q, r;
  char err[512];
  assert_int_equal(model_profile_load(path, &q, err, sizeof err), MODEL_OK);
  assert_true(q.ms_per_aux_cell == 0.25 && q.table_ms_per_aux_cell[TRACE_CPU] == 0.125);
  assert_true(q.table_ms_per_cell[TRACE_CPU] == 0 && q.table_ms_per_aux_cell[TRACE_MEMORY] == 0);
  assert_int_equal(model_profile_save(path, &q), MODEL_OK);
  assert_int_equal(model_profile_load(path, &r, err, sizeof err), MODEL_OK);
  assert_true(r.ms_per_aux_cell == 0.25 && r.table_ms_per_aux_cell[TRACE_CPU] == 0.125);
  static const char *const bad[] = {"ms_per_aux_cell\t-1\n", "ms_per_aux_cell.nosuch\t1\n",
                                    "ms_per_aux_cell.cpu\tx\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    f = fopen(path, "w");
    fprintf(f, "name\tx\nlog_shard\t18\nms_per_cell\t0.5\nms_per_shard\t2\n%s", bad[i]);
    fclose(f);
    assert_int_equal(model_profile_load(path, &q, err, sizeof err), MODEL_E_FORMAT);
    assert_non_null(strstr(err, ":5:"));
  }
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lpt),
      cmocka_unit_test(test_wilson),
      cmocka_unit_test(test_table_cell_cost),
      cmocka_unit_test(test_aux_cell_cost),
      cmocka_unit_test(test_estimate_arithmetic),
      cmocka_unit_test(test_smooth_estimate),
      cmocka_unit_test(test_host_profile_file_is_the_default),
      cmocka_unit_test(test_profile_files),
      cmocka_unit_test(test_calibrate_small),
      cmocka_unit_test(test_profile_names),
  };
  return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
