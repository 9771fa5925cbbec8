/* Tests of the conformance runner (harness/conformance.h): file collection,
 * known-answer fixtures that must pass, and tampered copies of them that must
 * fail with the right reason (root, logs, validity, first differing account). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance.h"
#include "fix.h"

static const char *src_dir(void) {
  const char *s = getenv("PKB_SOURCE_DIR");
  return s && *s ? s : ".";
}

static char g_tmp[256];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(p);
}

static int setup_tmp(void **state) {
  (void)state;
  snprintf(g_tmp, sizeof g_tmp, "/tmp/pkb_conf_XXXXXX");
  return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown_tmp(void **state) {
  (void)state;
  nftw(g_tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static char *tmp_path(const char *name) {
  static char buf[2][512];
  static int which;
  which ^= 1;
  snprintf(buf[which], sizeof buf[which], "%s/%s", g_tmp, name);
  return buf[which];
}

/* Four known-answer fixtures from ../shared/conformance (never copied into the
 * project): gathered into a temporary folder the first time a test needs them.
 * Without ../shared the tests that need them are skipped, saying why. */
static const char *const known_fixtures[] = {
    "state/stExample/add11.json",
    "state/stExample/invalidTr.json",
    "state/stExample/accessListExample.json",
    "state/eest-fusaka-devnet-5/state_tests/osaka/eip7939_count_leading_zeros/count_leading_zeros/clz_gas_cost.json",
};
static char g_state[256];

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) return -1;
  FILE *out = fopen(to, "wb");
  if (!out) {
    fclose(in);
    return -1;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
  fclose(in);
  return fclose(out);
}

static char *state_dir(void) {
  if (g_state[0]) return g_state;
  char shared[4096];
  snprintf(shared, sizeof shared, "%s/../shared/conformance", src_dir());
  struct stat st;
  if (stat(shared, &st) != 0) {
    print_message("skipped: ../shared/conformance not found (the known-answer fixtures live there)\n");
    skip();
  }
  snprintf(g_state, sizeof g_state, "/tmp/pkb_conf_state_XXXXXX");
  assert_non_null(mkdtemp(g_state));
  for (size_t i = 0; i < sizeof known_fixtures / sizeof known_fixtures[0]; i++) {
    char from[8192], to[1024];
    const char *base = strrchr(known_fixtures[i], '/') + 1;
    snprintf(from, sizeof from, "%s/%s", shared, known_fixtures[i]);
    snprintf(to, sizeof to, "%s/%s", g_state, base);
    assert_int_equal(copy_file(from, to), 0);
  }
  return g_state;
}

static cJSON *load_json(const char *name) {
  char p[8192];
  snprintf(p, sizeof p, "%s/%s", state_dir(), name);
  FILE *f = fopen(p, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = 0;
  fclose(f);
  cJSON *j = cJSON_Parse(b);
  free(b);
  assert_non_null(j);
  return j;
}

static void save_json(const cJSON *j, const char *path) {
  char *s = cJSON_Print(j);
  assert_non_null(s);
  write_file(path, s);
  free(s);
}

/* The first post entry of the only test in a fixture. */
static cJSON *first_entry(cJSON *root) {
  cJSON *post = cJSON_GetObjectItemCaseSensitive(root->child, "post");
  assert_non_null(post);
  assert_non_null(post->child);
  assert_non_null(post->child->child);
  return post->child->child;
}

static void set_str(cJSON *obj, const char *key, const char *val) {
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  assert_non_null(cJSON_AddStringToObject(obj, key, val));
}

static void run_one(const char *path, conf_report *rep) {
  const char *paths[] = {path};
  char err[256];
  assert_int_equal(conf_run(paths, 1, NULL, rep, err, sizeof err), CONF_OK);
}

/* ---- collection ---- */

static void test_collect(void **state) {
  (void)state;
  char p[512];
  snprintf(p, sizeof p, "%s/sub", g_tmp);
  assert_int_equal(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/sub/deeper", g_tmp);
  assert_int_equal(mkdir(p, 0700), 0);
  write_file(tmp_path("b.json"), "{}");
  write_file(tmp_path("a.json"), "{}");
  write_file(tmp_path("notes.txt"), "x");
  write_file(tmp_path(".hidden.json"), "{}");
  write_file(tmp_path("sub/deeper/c.json"), "{}");
  char **files;
  size_t n;
  char err[512];
  const char *one[] = {g_tmp};
  assert_int_equal(conf_collect(one, 1, &files, &n, err, sizeof err), CONF_OK);
  assert_int_equal(n, 3);
  assert_string_equal(files[0], tmp_path("a.json"));
  assert_string_equal(files[1], tmp_path("b.json"));
  assert_string_equal(files[2], tmp_path("sub/deeper/c.json"));
  conf_files_free(files, n);

  /* a file named directly is taken whatever its name; duplicates collapse */
  char a[512], t[512];
  snprintf(a, sizeof a, "%s", tmp_path("a.json"));
  snprintf(t, sizeof t, "%s", tmp_path("notes.txt"));
  const char *several[] = {t, g_tmp, a};
  assert_int_equal(conf_collect(several, 3, &files, &n, err, sizeof err), CONF_OK);
  assert_int_equal(n, 4);
  conf_files_free(files, n);

  const char *missing[] = {tmp_path("nope")};
  assert_int_equal(conf_collect(missing, 1, &files, &n, err, sizeof err), CONF_E_PATH);
  assert_non_null(strstr(err, "nope"));
  assert_null(files);
  snprintf(p, sizeof p, "%s/empty", g_tmp);
  assert_int_equal(mkdir(p, 0700), 0);
  const char *empty[] = {p};
  assert_int_equal(conf_collect(empty, 1, &files, &n, err, sizeof err), CONF_E_PATH);
  assert_non_null(strstr(err, "no *.json"));

  conf_report rep;
  assert_int_equal(conf_run(missing, 1, NULL, &rep, err, sizeof err), CONF_E_PATH);
  assert_int_equal(rep.n_results, 0);
  conf_report_free(&rep);
}

/* ---- known answers ---- */

static void test_known_answers_pass(void **state) {
  (void)state;
  conf_report rep;
  run_one(state_dir(), &rep);
  for (size_t i = 0; i < rep.n_results; i++)
    print_error("%s %s %s: %s\n", conf_verdict_name(rep.results[i].verdict), rep.results[i].file,
                rep.results[i].test ? rep.results[i].test : "", rep.results[i].detail);
  assert_int_equal(rep.counts.files, 4);
  assert_int_equal(rep.counts.passed, 5);
  assert_int_equal(rep.counts.failed, 0);
  assert_int_equal(rep.counts.skipped, 0);
  assert_int_equal(rep.n_results, 0);
  conf_report_free(&rep);
}

static void test_fork_filter_and_keep(void **state) {
  (void)state;
  const char *paths[] = {state_dir()};
  char err[256];
  conf_report rep;
  conf_opts o = {"Osaka", 1, NULL, NULL, 0};
  assert_int_equal(conf_run(paths, 1, &o, &rep, err, sizeof err), CONF_OK);
  assert_int_equal(rep.counts.passed + rep.counts.failed + rep.counts.skipped, 1);
  assert_int_equal(rep.n_results, 1); /* keep_passes records the pass too */
  assert_string_equal(rep.results[0].fork, "Osaka");
  conf_report_free(&rep);
  o.fork = "Prague";
  assert_int_equal(conf_run(paths, 1, &o, &rep, err, sizeof err), CONF_OK);
  assert_int_equal(rep.counts.passed + rep.counts.failed + rep.counts.skipped, 0);
  assert_int_equal(rep.counts.files, 4);
  conf_report_free(&rep);
}

/* Traced, the known-answer cases pass as they do untraced: the trace
 * collector's replay of memory agrees with the executor on each. */
static void test_traced(void **state) {
  (void)state;
  const char *paths[] = {state_dir()};
  char err[256];
  conf_report r0, r1;
  conf_opts o = {NULL, 0, NULL, NULL, 0};
  assert_int_equal(conf_run(paths, 1, &o, &r0, err, sizeof err), CONF_OK);
  o.trace = 1;
  assert_int_equal(conf_run(paths, 1, &o, &r1, err, sizeof err), CONF_OK);
  assert_true(r0.counts.passed > 0);
  assert_int_equal(r1.counts.passed, r0.counts.passed);
  assert_int_equal(r1.counts.failed, r0.counts.failed);
  conf_report_free(&r0);
  conf_report_free(&r1);
}

static size_t g_progress_calls;

static void on_progress(void *ctx, size_t i, size_t n, const char *path, const conf_counts *k) {
  (void)path;
  assert_ptr_equal(ctx, &g_progress_calls);
  assert_true(i < n);
  assert_int_equal(k->files, i + 1);
  g_progress_calls++;
}

static void test_progress(void **state) {
  (void)state;
  const char *paths[] = {state_dir()};
  char err[256];
  conf_report rep;
  conf_opts o = {NULL, 0, on_progress, &g_progress_calls, 0};
  g_progress_calls = 0;
  assert_int_equal(conf_run(paths, 1, &o, &rep, err, sizeof err), CONF_OK);
  assert_int_equal(g_progress_calls, 4);
  conf_report_free(&rep);
}

/* ---- tampered copies must fail, each for its reason ---- */

static void expect_one_failure(const char *path, const char *reason) {
  conf_report rep;
  run_one(path, &rep);
  assert_int_equal(rep.counts.failed, 1);
  assert_int_equal(rep.n_results, 1);
  assert_int_equal(rep.results[0].verdict, CONF_FAIL);
  if (!strstr(rep.results[0].detail, reason)) print_error("detail: %s\n", rep.results[0].detail);
  assert_non_null(strstr(rep.results[0].detail, reason));
  conf_report_free(&rep);
}

static void test_wrong_root(void **state) {
  (void)state;
  cJSON *j = load_json("add11.json");
  set_str(first_entry(j), "hash", "0x00000000000000000000000000000000000000000000000000000000000000aa");
  save_json(j, tmp_path("root.json"));
  cJSON_Delete(j);
  expect_one_failure(tmp_path("root.json"), "post-state root 0x");
}

static void test_wrong_logs(void **state) {
  (void)state;
  cJSON *j = load_json("add11.json");
  set_str(first_entry(j), "logs", "0x00000000000000000000000000000000000000000000000000000000000000bb");
  save_json(j, tmp_path("logs.json"));
  cJSON_Delete(j);
  expect_one_failure(tmp_path("logs.json"), "logs hash");
}

static void test_validity(void **state) {
  (void)state;
  cJSON *j = load_json("add11.json");
  set_str(first_entry(j), "expectException", "TransactionException.INTRINSIC_GAS_TOO_LOW");
  save_json(j, tmp_path("exc.json"));
  cJSON_Delete(j);
  expect_one_failure(tmp_path("exc.json"), "transaction accepted");

  j = load_json("invalidTr.json");
  cJSON_DeleteItemFromObjectCaseSensitive(first_entry(j), "expectException");
  save_json(j, tmp_path("noexc.json"));
  cJSON_Delete(j);
  expect_one_failure(tmp_path("noexc.json"), "rejected as invalid");
}

static void test_wrong_txbytes(void **state) {
  (void)state;
  cJSON *j = load_json("add11.json");
  cJSON *e = first_entry(j);
  const char *tb = cJSON_GetObjectItemCaseSensitive(e, "txbytes")->valuestring;
  char *copy = strdup(tb);
  assert_non_null(copy);
  size_t n = strlen(copy);
  copy[n - 1] = copy[n - 1] == '0' ? '1' : '0'; /* last byte of s */
  set_str(e, "txbytes", copy);
  free(copy);
  save_json(j, tmp_path("txbytes.json"));
  cJSON_Delete(j);
  expect_one_failure(tmp_path("txbytes.json"), "txbytes");
}

/* With the expected post-state at hand, a wrong root names the first account
 * that differs. */
static void test_first_differing_account(void **state) {
  (void)state;
  cJSON *j = load_json("clz_gas_cost.json");
  cJSON *e = first_entry(j);
  set_str(e, "hash", "0x00000000000000000000000000000000000000000000000000000000000000cc");
  save_json(j, tmp_path("clz_root.json"));
  expect_one_failure(tmp_path("clz_root.json"), "no difference in the accounts the fixture lists");

  cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "state");
  assert_non_null(st);
  /* the last listed account gets another balance */
  cJSON *acct = st->child;
  while (acct->next) acct = acct->next;
  char want[128];
  snprintf(want, sizeof want, "account %s balance", acct->string);
  set_str(acct, "balance", "0x0123456789");
  save_json(j, tmp_path("clz_bal.json"));
  cJSON_Delete(j);
  expect_one_failure(tmp_path("clz_bal.json"), want);
}

static void test_import_failure_counts_once(void **state) {
  (void)state;
  write_file(tmp_path("broken.json"), "{\"t\": {\"env\": 5}}");
  write_file(tmp_path("good.json"), "");
  cJSON *j = load_json("add11.json");
  save_json(j, tmp_path("good.json"));
  cJSON_Delete(j);
  conf_report rep;
  run_one(g_tmp, &rep);
  assert_int_equal(rep.counts.files, 2);
  assert_int_equal(rep.counts.passed, 1);
  assert_int_equal(rep.counts.failed, 1);
  assert_int_equal(rep.n_results, 1);
  assert_null(rep.results[0].test);
  assert_non_null(strstr(rep.results[0].detail, "import failed"));
  assert_non_null(strstr(rep.results[0].detail, "env: expected an object"));
  conf_report_free(&rep);
}

static void test_skip_case(void **state) {
  (void)state;
  fix_case c;
  memset(&c, 0, sizeof c);
  snprintf(c.skip, sizeof c.skip, "fork 'Berlin' is not supported");
  char detail[CONF_DETAIL_MAX];
  assert_int_equal(conf_check_case(&c, detail, sizeof detail), CONF_SKIP);
  assert_string_equal(detail, "fork 'Berlin' is not supported");
  assert_string_equal(conf_verdict_name(CONF_SKIP), "skip");
}

static void remove_state(void) {
  if (g_state[0]) nftw(g_state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
  atexit(remove_state);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_collect, setup_tmp, teardown_tmp),
      cmocka_unit_test(test_known_answers_pass),
      cmocka_unit_test(test_fork_filter_and_keep),
      cmocka_unit_test(test_progress),
      cmocka_unit_test(test_traced),
      cmocka_unit_test_setup_teardown(test_wrong_root, setup_tmp, teardown_tmp),
      cmocka_unit_test_setup_teardown(test_wrong_logs, setup_tmp, teardown_tmp),
      cmocka_unit_test_setup_teardown(test_validity, setup_tmp, teardown_tmp),
      cmocka_unit_test_setup_teardown(test_wrong_txbytes, setup_tmp, teardown_tmp),
      cmocka_unit_test_setup_teardown(test_first_differing_account, setup_tmp, teardown_tmp),
      cmocka_unit_test_setup_teardown(test_import_failure_counts_once, setup_tmp, teardown_tmp),
      cmocka_unit_test(test_skip_case),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
