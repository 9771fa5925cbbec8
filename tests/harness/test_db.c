/* Tests of the results database (db).
 *
 * Every test works on fresh files from mkstemp under /tmp, removed (with
 * their -wal, -shm and -journal side files) by the teardown even when an
 * assertion fails. Refusals are checked byte for byte: the file must be
 * exactly as it was before the refused open, and no side file may appear.
 * Expected values come from what the test itself wrote, and structural facts
 * (WAL mode, schema version) are read back through SQLite or from the file
 * header, not through the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"

/* ---- temporary files ---- */

#define MAX_TMP 8
static char tmp_paths[MAX_TMP][64];
static int n_tmp;

static const char *const side_suffixes[] = {"-wal", "-shm", "-journal"};

static void side_name(char *out, size_t len, const char *path, const char *suffix) {
  snprintf(out, len, "%s%s", path, suffix);
}

static int file_exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

static int any_side_file(const char *path) {
  char s[600];
  for (size_t i = 0; i < sizeof side_suffixes / sizeof *side_suffixes; i++) {
    side_name(s, sizeof s, path, side_suffixes[i]);
    if (file_exists(s)) return 1;
  }
  return 0;
}

/* A new empty file under /tmp, removed by the teardown. */
static const char *tmp_file(void) {
  assert_true(n_tmp < MAX_TMP);
  char *p = tmp_paths[n_tmp++];
  strcpy(p, "/tmp/pkb_test_db_XXXXXX");
  int fd = mkstemp(p);
  assert_true(fd >= 0);
  close(fd);
  return p;
}

/* A path under /tmp that does not exist (yet), removed by the teardown. */
static const char *tmp_missing(void) {
  const char *p = tmp_file();
  unlink(p);
  return p;
}

static int teardown(void **state) {
  (void)state;
  char s[600];
  for (int i = 0; i < n_tmp; i++) {
    unlink(tmp_paths[i]);
    for (size_t k = 0; k < sizeof side_suffixes / sizeof *side_suffixes; k++) {
      side_name(s, sizeof s, tmp_paths[i], side_suffixes[k]);
      unlink(s);
    }
  }
  n_tmp = 0;
  return 0;
}

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static void spit(const char *path, const void *b, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, len, f), len);
  fclose(f);
}

/* ---- data helpers ---- */

static void hash_of(char out[65], unsigned i) { snprintf(out, 65, "%064x", i); }

static db_handle *open_new(const char *path) {
  db_handle *db = NULL;
  char err[DB_ERRMSG_MAX];
  int rc = db_open(path, DB_OPEN_CREATE, &db, err, sizeof err);
  if (rc != DB_OK) fail_msg("db_open(%s): %d %s", path, rc, err);
  return db;
}

static db_handle *open_existing(const char *path) {
  db_handle *db = NULL;
  char err[DB_ERRMSG_MAX];
  int rc = db_open(path, 0, &db, err, sizeof err);
  if (rc != DB_OK) fail_msg("db_open(%s): %d %s", path, rc, err);
  return db;
}

static int64_t add_block(db_handle *db, unsigned i) {
  char h[65], name[32];
  hash_of(h, i);
  snprintf(name, sizeof name, "block-%u", i);
  db_block_info b = {h, name, "gen", "Prague", 1000 * (int64_t)i, 30000000, i % 7, 100 + i};
  int64_t id = 0;
  assert_int_equal(db_block_upsert(db, &b, &id), DB_OK);
  assert_true(id > 0);
  return id;
}

static int64_t add_run(db_handle *db, const char *host) {
  db_run_info ri = {NULL, "abc123", "{\"blowup\":2}", "cpu", "h100", 16, 12000, host, "pkbench run"};
  int64_t id = 0;
  assert_int_equal(db_run_begin(db, &ri, &id), DB_OK);
  assert_true(id > 0);
  return id;
}

static db_result_info result_for(int64_t run, int64_t block, double prove_ms) {
  db_result_info r = {run, block, DB_RESULT_OK, NULL, 1.5, 2.5, prove_ms, 0.25,
                      prove_ms / 8, "projected:h100x16", prove_ms / 8 <= 12000, 4096, 3.0, 1234, DB_NONE};
  return r;
}

static const db_phase three_phases[] = {{"execute", 1.5}, {"lde", 10.0}, {"fri", 4.0}};
static const db_table two_tables[] = {{"cpu", 1 << 16, 40, 2, DB_NONE}, {"keccak", 1 << 10, 2600, 1, DB_NONE}};

static int64_t record(db_handle *db, int64_t run, int64_t block, double prove_ms) {
  db_result_info r = result_for(run, block, prove_ms);
  int64_t id = 0;
  int rc = db_result_record(db, &r, three_phases, 3, two_tables, 2, &id);
  if (rc != DB_OK) fail_msg("record: %d %s", rc, db_errmsg(db));
  return id;
}

static int64_t count(db_handle *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* Raw access without the code under test. */
static void raw_exec(const char *path, const char *sql) {
  sqlite3 *h = NULL;
  assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
  char *msg = NULL;
  int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) fail_msg("raw_exec: %s", msg ? msg : "?");
  sqlite3_close(h);
}

/* Callbacks collecting rows. */
typedef struct {
  int n;
  int64_t ids[16];
  char hashes[16][65];
  char status[16][33];
  double prove[16], sized[16];
  int made[16];
  char origin[16][256];
  int64_t origin_run[16];
  int64_t n_results[16], n_ok[16], n_made[16];
} rows;

static int collect_run(void *ctx, const db_run_row *r) {
  rows *c = ctx;
  assert_true(c->n < 16);
  c->ids[c->n] = r->id;
  snprintf(c->status[c->n], 33, "%s", r->status);
  snprintf(c->origin[c->n], 256, "%s", r->origin_db ? r->origin_db : "");
  c->origin_run[c->n] = r->origin_run_id;
  c->n_results[c->n] = r->n_results;
  c->n_ok[c->n] = r->n_ok;
  c->n_made[c->n] = r->n_made_slot;
  c->n++;
  return 0;
}

static int collect_result(void *ctx, const db_result_row *r) {
  rows *c = ctx;
  assert_true(c->n < 16);
  c->ids[c->n] = r->id;
  snprintf(c->hashes[c->n], 65, "%s", r->block.content_hash);
  snprintf(c->status[c->n], 33, "%s", r->result.status);
  c->prove[c->n] = r->result.prove_ms;
  c->sized[c->n] = r->result.sized_ms;
  c->made[c->n] = r->result.made_slot;
  c->n++;
  return 0;
}

typedef struct {
  int n;
  char names[8][16];
  double ms[8], est[8];
  int64_t rows[8], width[8], shards[8];
} parts;

static int collect_phase(void *ctx, const db_phase *p) {
  parts *c = ctx;
  assert_true(c->n < 8);
  snprintf(c->names[c->n], 16, "%s", p->name);
  c->ms[c->n++] = p->ms;
  return 0;
}

static int collect_table(void *ctx, const db_table *t) {
  parts *c = ctx;
  assert_true(c->n < 8);
  snprintf(c->names[c->n], 16, "%s", t->name);
  c->rows[c->n] = t->rows;
  c->width[c->n] = t->width;
  c->est[c->n] = t->est_ms;
  c->shards[c->n++] = t->shards;
  return 0;
}

/* The run written by add_run(db, "hostA") and finished. */
static int check_run_a(void *ctx, const db_run_row *r) {
  (void)ctx;
  assert_string_equal(r->info.git_rev, "abc123");
  assert_string_equal(r->info.prover_config, "{\"blowup\":2}");
  assert_string_equal(r->info.backend, "cpu");
  assert_string_equal(r->info.profile, "h100");
  assert_int_equal(r->info.gpus, 16);
  assert_int_equal(r->info.deadline_ms, 12000);
  assert_string_equal(r->info.host, "hostA");
  assert_string_equal(r->info.command_line, "pkbench run");
  assert_non_null(r->info.started_at);
  assert_non_null(r->finished_at);
  assert_true(strcmp(r->finished_at, r->info.started_at) >= 0); /* ISO 8601 sorts as text */
  assert_int_equal(strlen(r->uuid), 32);
  return 0;
}

static int stop_at_first(void *ctx, const db_result_row *r) {
  (void)r;
  ++*(int *)ctx;
  return 7;
}

/* ---- tests ---- */

static void test_create_and_reopen(void **state) {
  (void)state;
  const char *path = tmp_file(); /* empty: a new database */
  db_handle *db = open_new(path);
  int v = 0;
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, db_schema_version());
  assert_true(db_schema_version() >= 2);

  int64_t run = add_run(db, "hostA");
  int64_t b1 = add_block(db, 1), b2 = add_block(db, 2);
  int64_t r1 = record(db, run, b1, 8000.0);
  /* a result with unknowns: all NULL numbers */
  db_result_info r = {run, b2, DB_RESULT_FAILED, "out of gas", DB_NONE, DB_NONE, DB_NONE, DB_NONE,
                      DB_NONE, NULL, DB_NONE, DB_NONE, DB_NONE, DB_NONE, DB_NONE};
  assert_int_equal(db_result_record(db, &r, NULL, 0, NULL, 0, NULL), DB_OK);
  assert_int_equal(db_run_finish(db, run, DB_RUN_DONE), DB_OK);
  db_close(db);

  db = open_existing(path);
  int64_t last = 0;
  assert_int_equal(db_run_last(db, &last), DB_OK);
  assert_int_equal(last, run);
  rows runs = {0};
  assert_int_equal(db_runs_list(db, collect_run, &runs), DB_OK);
  assert_int_equal(runs.n, 1);
  assert_string_equal(runs.status[0], DB_RUN_DONE);
  assert_int_equal(runs.n_results[0], 2);
  assert_int_equal(runs.n_ok[0], 1);
  assert_int_equal(runs.n_made[0], 1);
  assert_string_equal(runs.origin[0], "");
  assert_int_equal(runs.origin_run[0], DB_NONE);

  rows res = {0};
  assert_int_equal(db_results_iter(db, run, collect_result, &res), DB_OK);
  assert_int_equal(res.n, 2);
  char h[65];
  hash_of(h, 1);
  assert_string_equal(res.hashes[0], h);
  assert_int_equal(res.ids[0], r1);
  assert_true(res.prove[0] == 8000.0);
  assert_int_equal(res.made[0], 1);
  assert_string_equal(res.status[1], DB_RESULT_FAILED);
  assert_true(res.prove[1] == DB_NONE);
  assert_int_equal(res.made[1], DB_NONE);
  assert_int_equal(count(db, "SELECT count(*) FROM results WHERE prove_ms IS NULL AND made_slot IS NULL"
                             " AND peak_mem_kb IS NULL"), 1);

  parts ph = {0};
  assert_int_equal(db_phases_iter(db, r1, collect_phase, &ph), DB_OK);
  assert_int_equal(ph.n, 3);
  for (int i = 0; i < 3; i++) {
    assert_string_equal(ph.names[i], three_phases[i].name);
    assert_true(ph.ms[i] == three_phases[i].ms);
  }
  parts tb = {0};
  assert_int_equal(db_tables_iter(db, r1, collect_table, &tb), DB_OK);
  assert_int_equal(tb.n, 2);
  assert_string_equal(tb.names[1], "keccak");
  assert_int_equal(tb.rows[0], 1 << 16);
  assert_int_equal(tb.width[1], 2600);
  assert_int_equal(tb.shards[0], 2);

  /* a callback's non-zero return stops the iteration and is passed back */
  int calls = 0;
  assert_int_equal(db_results_iter(db, run, stop_at_first, &calls), 7);
  assert_int_equal(calls, 1);

  assert_int_equal(db_run_get(db, run, check_run_a, NULL), DB_OK);
  rows one = {0};
  assert_int_equal(db_run_get(db, run, collect_run, &one), DB_OK);
  assert_int_equal(one.n, 1);
  assert_int_equal(db_run_get(db, run + 100, collect_run, &one), DB_E_NOENT);
  assert_int_equal(db_run_finish(db, run + 100, DB_RUN_DONE), DB_E_NOENT);
  db_close(db);
}

static void test_open_missing_and_args(void **state) {
  (void)state;
  const char *missing = tmp_missing();
  db_handle *db = (db_handle *)&db; /* must be reset to NULL on failure */
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open(missing, 0, &db, err, sizeof err), DB_E_NOTFOUND);
  assert_null(db);
  assert_false(file_exists(missing));
  assert_int_equal(db_open(missing, DB_OPEN_READONLY | DB_OPEN_CREATE, &db, err, sizeof err), DB_E_NOTFOUND);
  assert_false(file_exists(missing));

  const char *empty = tmp_file();
  assert_int_equal(db_open(empty, 0, &db, err, sizeof err), DB_E_NOTFOUND);
  assert_int_equal(db_open(empty, DB_OPEN_READONLY, &db, err, sizeof err), DB_E_NOTFOUND);
  assert_false(any_side_file(empty));

  assert_int_equal(db_open(NULL, DB_OPEN_CREATE, &db, err, sizeof err), DB_E_ARG);
  assert_int_equal(db_open(empty, 0x100, &db, err, sizeof err), DB_E_ARG);
  assert_int_equal(db_open_at(empty, DB_OPEN_CREATE, 0, &db, err, sizeof err), DB_E_ARG);
  assert_int_equal(db_open_at(empty, DB_OPEN_CREATE, db_schema_version() + 1, &db, err, sizeof err), DB_E_ARG);
  assert_int_equal(db_open(empty, 0, NULL, err, sizeof err), DB_E_ARG);

  /* a directory is not a database */
  assert_int_equal(db_open("/tmp", DB_OPEN_CREATE, &db, err, sizeof err), DB_E_IO);

  db = open_new(missing);
  assert_true(file_exists(missing));
  /* argument checks on the calls */
  db_block_info bad = {"ABC", NULL, NULL, NULL, DB_NONE, DB_NONE, DB_NONE, DB_NONE};
  assert_int_equal(db_block_upsert(db, &bad, NULL), DB_E_ARG);
  char upper[65];
  hash_of(upper, 0xabcdef);
  upper[63] = 'F';
  bad.content_hash = upper;
  assert_int_equal(db_block_upsert(db, &bad, NULL), DB_E_ARG);
  assert_int_equal(db_result_exists(db, 1, "zz"), DB_E_ARG);
  int64_t run = add_run(db, "h");
  int64_t blk = add_block(db, 3);
  db_result_info r = result_for(run, blk, 1.0);
  r.status = "Not a word";
  assert_int_equal(db_result_record(db, &r, NULL, 0, NULL, 0, NULL), DB_E_ARG);
  r.status = DB_RESULT_OK;
  r.made_slot = 2;
  assert_int_equal(db_result_record(db, &r, NULL, 0, NULL, 0, NULL), DB_E_ARG);
  r.made_slot = 1;
  db_phase unnamed = {NULL, 1.0};
  assert_int_equal(db_result_record(db, &r, &unnamed, 1, NULL, 0, NULL), DB_E_ARG);
  assert_int_equal(db_run_finish(db, run, ""), DB_E_ARG);
  assert_int_equal(count(db, "SELECT count(*) FROM results"), 0);
  assert_string_not_equal(db_errmsg(db), "");
  db_close(db);
  db_close(NULL);

  for (int code = 0; code >= DB_E_READONLY; code--) assert_non_null(db_strerror(code));
  assert_string_equal(db_strerror(DB_E_NEWER), "database schema is newer than this build");
}

static void test_run_without_info_and_last(void **state) {
  (void)state;
  db_handle *db = open_new(tmp_file());
  int64_t last = 0;
  assert_int_equal(db_run_last(db, &last), DB_E_NOENT);
  int64_t a = 0, b = 0;
  assert_int_equal(db_run_begin(db, NULL, &a), DB_OK);
  assert_int_equal(db_run_begin(db, NULL, &b), DB_OK);
  assert_true(b > a);
  assert_int_equal(db_run_last(db, &last), DB_OK);
  assert_int_equal(last, b);
  rows runs = {0};
  assert_int_equal(db_runs_list(db, collect_run, &runs), DB_OK);
  assert_int_equal(runs.n, 2);
  assert_string_equal(runs.status[0], DB_RUN_RUNNING);
  assert_int_equal(runs.ids[0], a);
  /* every run gets its own uuid, 32 hex digits */
  assert_int_equal(count(db, "SELECT count(DISTINCT uuid) FROM runs WHERE length(uuid) = 32"), 2);
  db_close(db);
}

static void test_migrate_from_v1(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = NULL;
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open_at(path, DB_OPEN_CREATE, 1, &db, err, sizeof err), DB_OK);
  int v = 0;
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, 1);
  assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'result_view'"), 0);
  assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                             " ('runs','blocks','results','phases','tables','killers')"), 6);
  /* the API works on the older schema */
  int64_t run = add_run(db, "old");
  int64_t blk = add_block(db, 5);
  int64_t res = record(db, run, blk, 100.0);
  db_close(db);

  /* opening an older database at version 1 does not move it */
  assert_int_equal(db_open_at(path, 0, 1, &db, err, sizeof err), DB_OK);
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, 1);
  db_close(db);

  /* read-only open of an older version: readable, not migrated */
  assert_int_equal(db_open(path, DB_OPEN_READONLY, &db, err, sizeof err), DB_OK);
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, 1);
  rows rr = {0};
  assert_int_equal(db_results_iter(db, run, collect_result, &rr), DB_OK);
  assert_int_equal(rr.n, 1);
  db_close(db);

  db = open_existing(path);
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, db_schema_version());
  assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
                             " ('result_view','run_summary','results_block')"), 3);
  /* data recorded under version 1 is intact and visible through the new views */
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM result_view WHERE result_id = %lld AND prove_ms = 100.0"
           " AND block_name = 'block-5'", (long long)res);
  assert_int_equal(count(db, sql), 1);
  assert_int_equal(count(db, "SELECT n_ok FROM run_summary"), 1);
  parts ph = {0};
  assert_int_equal(db_phases_iter(db, res, collect_phase, &ph), DB_OK);
  assert_int_equal(ph.n, 3);
  db_close(db);

  /* opening at an older version never goes back */
  assert_int_equal(db_open_at(path, 0, 1, &db, err, sizeof err), DB_OK);
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, db_schema_version());
  db_close(db);
}

/* A migration that fails is rolled back whole: the database stays at the
 * version before it, with none of the migration's objects. */
static void test_failed_migration_rolls_back(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = NULL;
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open_at(path, DB_OPEN_CREATE, 1, &db, err, sizeof err), DB_OK);
  db_close(db);
  /* an object in the way of migration 2's last statement (a view of that name) */
  raw_exec(path, "CREATE TABLE run_summary (x)");
  assert_int_equal(db_open(path, 0, &db, err, sizeof err), DB_E_SQL);
  assert_null(db);
  assert_non_null(strstr(err, "migration 2"));
  assert_int_equal(db_open_at(path, 0, 1, &db, err, sizeof err), DB_OK);
  int v = 0;
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, 1);
  /* the index and the first view, created before the failing statement, are gone */
  assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('results_block', 'result_view')"), 0);
  assert_int_not_equal(sqlite3_get_autocommit(db_sqlite(db)), 0);
  db_close(db);
}

/* Open must refuse path with code want, leave it byte for byte as it was and
 * create no side file; read-only open and merge refuse it the same way. */
static void expect_refused(const char *path, int want) {
  size_t n0 = 0, n1 = 0;
  unsigned char *before = slurp(path, &n0);
  int had_side = any_side_file(path);
  db_handle *db = NULL;
  char err[DB_ERRMSG_MAX];
  err[0] = '\0';
  assert_int_equal(db_open(path, DB_OPEN_CREATE, &db, err, sizeof err), want);
  assert_null(db);
  assert_non_null(strstr(err, path)); /* the message names the file */
  assert_int_equal(db_open(path, DB_OPEN_READONLY, &db, err, sizeof err), want);
  assert_int_equal(db_open(path, 0, &db, err, sizeof err), want);

  db_handle *other = open_new(tmp_missing());
  assert_int_equal(db_merge(other, path, NULL), want);
  assert_int_equal(count(other, "SELECT count(*) FROM runs"), 0);
  db_close(other);

  unsigned char *after = slurp(path, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  if (!had_side) assert_false(any_side_file(path));
  free(before);
  free(after);
}

static void test_refuse_newer(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = open_new(path);
  add_run(db, "h");
  db_close(db);
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA user_version = %d", db_schema_version() + 1);
  raw_exec(path, sql);
  assert_false(any_side_file(path));
  expect_refused(path, DB_E_NEWER);
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open(path, 0, &db, err, sizeof err), DB_E_NEWER);
  assert_non_null(strstr(err, "newer"));
}

static void test_refuse_not_sqlite(void **state) {
  (void)state;
  const char *path = tmp_file();
  char text[300];
  memset(text, 'x', sizeof text);
  memcpy(text, "block,gas\nkiller,30000000\n", 26);
  spit(path, text, sizeof text);
  expect_refused(path, DB_E_NOTDB);

  /* shorter than a SQLite header, but with its magic */
  spit(path, "SQLite format 3", 16);
  expect_refused(path, DB_E_NOTDB);
}

static void test_refuse_foreign(void **state) {
  (void)state;
  const char *path = tmp_file();
  raw_exec(path, "CREATE TABLE notes (a TEXT); INSERT INTO notes VALUES ('mine');");
  expect_refused(path, DB_E_FOREIGN);
  /* a pkbench-like version number does not make it ours */
  raw_exec(path, "PRAGMA user_version = 1");
  expect_refused(path, DB_E_FOREIGN);
}

static void test_refuse_corrupt(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = open_new(path);
  int64_t run = add_run(db, "h");
  for (unsigned i = 0; i < 400; i++) {
    int64_t b = add_block(db, i);
    if (i < 50) record(db, run, b, (double)i);
  }
  db_close(db);
  assert_false(any_side_file(path)); /* everything is in the main file */

  size_t n = 0;
  unsigned char *img = slurp(path, &n);
  size_t ps = (size_t)img[16] << 8 | img[17];
  if (ps == 1) ps = 65536;
  assert_true(ps >= 512 && n % ps == 0);
  /* The first table leaf page that is nearly full (content area starts in
   * its first quarter): its middle holds records, so garbage there breaks
   * cells that quick_check walks. */
  size_t page = 0;
  for (size_t p = 1; p < n / ps && !page; p++) {
    const unsigned char *h = img + p * ps;
    size_t content = (size_t)h[5] << 8 | h[6];
    if (h[0] == 0x0d && content > 0 && content < ps / 4) page = p;
  }
  assert_true(page > 0);
  memset(img + page * ps + ps / 2 - 256, 0xff, 512);
  spit(path, img, n);
  free(img);
  expect_refused(path, DB_E_CORRUPT);
}

static void test_failed_record_leaves_nothing(void **state) {
  (void)state;
  db_handle *db = open_new(tmp_file());
  int64_t run = add_run(db, "h");
  int64_t blk = add_block(db, 9);
  db_result_info r = result_for(run, blk, 50.0);

  /* fails on the last phase, after the result row and two phases were inserted */
  const db_phase dup_phase[] = {{"execute", 1}, {"lde", 2}, {"execute", 3}};
  assert_int_equal(db_result_record(db, &r, dup_phase, 3, two_tables, 2, NULL), DB_E_DUPLICATE);
  assert_non_null(strstr(db_errmsg(db), "execute"));
  /* fails on the last table, after everything else */
  const db_table dup_table[] = {{"cpu", 1, 1, 1, DB_NONE}, {"cpu", 2, 2, 2, DB_NONE}};
  assert_int_equal(db_result_record(db, &r, three_phases, 3, dup_table, 2, NULL), DB_E_DUPLICATE);
  /* fails on the result row: no such block, no such run */
  db_result_info nob = result_for(run, blk + 1000, 1.0);
  assert_int_equal(db_result_record(db, &nob, three_phases, 3, NULL, 0, NULL), DB_E_NOENT);
  db_result_info norun = result_for(run + 1000, blk, 1.0);
  assert_int_equal(db_result_record(db, &norun, NULL, 0, NULL, 0, NULL), DB_E_NOENT);

  assert_int_equal(count(db, "SELECT count(*) FROM results"), 0);
  assert_int_equal(count(db, "SELECT count(*) FROM phases"), 0);
  assert_int_equal(count(db, "SELECT count(*) FROM tables"), 0);
  assert_int_equal(db_result_exists(db, run, "0000000000000000000000000000000000000000000000000000000000000009"), 0);
  /* no transaction is left open: the handle goes on working */
  assert_int_not_equal(sqlite3_get_autocommit(db_sqlite(db)), 0);
  int64_t id = record(db, run, blk, 50.0);
  assert_true(id > 0);
  assert_int_equal(count(db, "SELECT count(*) FROM phases"), 3);
  db_close(db);
}

static void test_duplicate_result(void **state) {
  (void)state;
  db_handle *db = open_new(tmp_file());
  int64_t run = add_run(db, "h");
  int64_t blk = add_block(db, 4);
  int64_t first = record(db, run, blk, 10.0);
  db_result_info again = result_for(run, blk, 99.0);
  int64_t id = -5;
  assert_int_equal(db_result_record(db, &again, three_phases, 3, two_tables, 2, &id), DB_E_DUPLICATE);
  assert_int_equal(id, -5); /* untouched on failure */
  assert_int_equal(count(db, "SELECT count(*) FROM results"), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM phases"), 3);
  assert_int_equal(count(db, "SELECT count(*) FROM results WHERE prove_ms = 10.0"), 1);
  /* the same block in another run is a different result */
  int64_t run2 = add_run(db, "h");
  int64_t second = record(db, run2, blk, 99.0);
  assert_true(second != first);
  db_close(db);
}

static void test_resume_and_blocks(void **state) {
  (void)state;
  db_handle *db = open_new(tmp_file());
  int64_t run = add_run(db, "h");
  char h[65];
  hash_of(h, 77);
  /* first seen without execution facts */
  db_block_info b = {h, "first-name", "corpus", "Cancun", DB_NONE, DB_NONE, DB_NONE, 512};
  int64_t id1 = 0, id2 = 0, found = 0;
  assert_int_equal(db_block_upsert(db, &b, &id1), DB_OK);
  assert_int_equal(db_result_exists(db, run, h), 0);
  /* seen again with more facts and another name: same block, NULLs filled, name kept */
  db_block_info b2 = {h, "second-name", "hunt", "Osaka", 21000, 30000000, 1, 999};
  assert_int_equal(db_block_upsert(db, &b2, &id2), DB_OK);
  assert_int_equal(id1, id2);
  assert_int_equal(db_block_find(db, h, &found), DB_OK);
  assert_int_equal(found, id1);
  assert_int_equal(count(db, "SELECT count(*) FROM blocks"), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM blocks WHERE name = 'first-name' AND source = 'corpus'"
                             " AND fork = 'Cancun' AND gas_used = 21000 AND gas_limit = 30000000"
                             " AND tx_count = 1 AND bytes = 512"), 1);
  char other[65];
  hash_of(other, 78);
  assert_int_equal(db_block_find(db, other, &found), DB_E_NOENT);

  record(db, run, id1, 5.0);
  assert_int_equal(db_result_exists(db, run, h), 1);
  assert_int_equal(db_result_exists(db, run, other), 0);
  assert_int_equal(db_result_exists(db, run + 1, h), 0);
  db_close(db);
}

typedef struct {
  int n;
  char objective[8][24];
  double value[8];
  char hash[8][65];
} kills;

static int collect_killer(void *ctx, const db_killer_row *k) {
  kills *c = ctx;
  assert_true(c->n < 8);
  snprintf(c->objective[c->n], 24, "%s", k->killer.objective);
  snprintf(c->hash[c->n], 65, "%s", k->content_hash);
  c->value[c->n++] = k->killer.value;
  return 0;
}

static void test_killers(void **state) {
  (void)state;
  db_handle *db = open_new(tmp_file());
  int64_t b1 = add_block(db, 11), b2 = add_block(db, 12);
  db_killer_info k = {b1, "estimate_ms", 15000.0, "hunt", NULL, "{\"seed\":42,\"generation\":7}"};
  int64_t id = 0, again = 0;
  assert_int_equal(db_killer_record(db, &k, &id), DB_OK);
  assert_true(id > 0);
  db_killer_info k2 = {b1, "estimate_ms", 99999.0, "afl++", NULL, NULL};
  assert_int_equal(db_killer_record(db, &k2, &again), DB_E_DUPLICATE);
  assert_int_equal(again, id);
  assert_int_equal(count(db, "SELECT count(*) FROM killers WHERE value = 15000.0 AND found_by = 'hunt'"), 1);
  db_killer_info k3 = {b2, "estimate_ms", 20000.0, "manual", "2026-01-01T00:00:00.000Z", NULL};
  assert_int_equal(db_killer_record(db, &k3, NULL), DB_OK);
  db_killer_info k4 = {b1, "prove_ms", 13000.0, "hunt", NULL, "[1,2]"};
  assert_int_equal(db_killer_record(db, &k4, NULL), DB_OK);
  db_killer_info badjson = {b2, "prove_ms", 1.0, "hunt", NULL, "{seed:"};
  assert_int_equal(db_killer_record(db, &badjson, NULL), DB_E_ARG);
  db_killer_info noblock = {b2 + 100, "prove_ms", 1.0, "hunt", NULL, NULL};
  assert_int_equal(db_killer_record(db, &noblock, NULL), DB_E_NOENT);
  assert_int_equal(count(db, "SELECT count(*) FROM killers"), 3);

  kills got = {0};
  assert_int_equal(db_killers_iter(db, collect_killer, &got), DB_OK);
  assert_int_equal(got.n, 3);
  char h12[65];
  hash_of(h12, 12);
  assert_string_equal(got.objective[0], "estimate_ms");
  assert_true(got.value[0] == 20000.0);
  assert_string_equal(got.hash[0], h12);
  assert_true(got.value[1] == 15000.0);
  assert_string_equal(got.objective[2], "prove_ms");
  db_close(db);
}

static void test_merge(void **state) {
  (void)state;
  const char *pa = tmp_file(), *pb = tmp_file();
  db_handle *a = open_new(pa), *b = open_new(pb);

  /* A: run a1 over blocks 1, 2; killer on 1 */
  int64_t a1 = add_run(a, "hostA");
  record(a, a1, add_block(a, 1), 10.0);
  record(a, a1, add_block(a, 2), 20.0);
  db_killer_info ka = {1, "estimate_ms", 5.0, "hunt", NULL, NULL};
  int64_t blk1 = 0;
  char h1[65], h2[65], h3[65];
  hash_of(h1, 1);
  hash_of(h2, 2);
  hash_of(h3, 3);
  assert_int_equal(db_block_find(a, h1, &blk1), DB_OK);
  ka.block_id = blk1;
  assert_int_equal(db_killer_record(a, &ka, NULL), DB_OK);

  /* B: an unrelated block first so that ids differ; run b1 over blocks 3, 2 */
  add_block(b, 900);
  int64_t b1 = add_run(b, "hostB");
  int64_t bb3 = add_block(b, 3), bb2 = add_block(b, 2);
  int64_t rb3 = record(b, b1, bb3, 30.0);
  (void)rb3;
  record(b, b1, bb2, 21.0);
  db_killer_info kb = {bb3, "estimate_ms", 7.0, "afl++", NULL, "{\"seed\":1}"};
  assert_int_equal(db_killer_record(b, &kb, NULL), DB_OK);
  db_close(b);

  db_merge_stats st;
  assert_int_equal(db_merge(a, pb, &st), DB_OK);
  assert_int_equal(st.runs, 1);
  assert_int_equal(st.blocks, 2); /* 900 and 3; 2 was known */
  assert_int_equal(st.results, 2);
  assert_int_equal(st.killers, 1);
  assert_int_equal(count(a, "SELECT count(*) FROM blocks"), 4);
  assert_int_equal(count(a, "SELECT count(*) FROM results"), 4);
  assert_int_equal(count(a, "SELECT count(*) FROM phases"), 12);
  assert_int_equal(count(a, "SELECT count(*) FROM tables"), 8);
  assert_int_equal(count(a, "SELECT count(*) FROM pragma_foreign_key_check"), 0);

  rows runs = {0};
  assert_int_equal(db_runs_list(a, collect_run, &runs), DB_OK);
  assert_int_equal(runs.n, 2);
  int64_t merged = runs.ids[1];
  assert_true(merged != a1);
  char *real = realpath(pb, NULL);
  assert_non_null(real);
  assert_string_equal(runs.origin[1], real);
  free(real);
  assert_int_equal(runs.origin_run[1], b1);
  assert_int_equal(runs.n_results[1], 2);

  /* the merged run's results point at the right blocks, by hash */
  rows res = {0};
  assert_int_equal(db_results_iter(a, merged, collect_result, &res), DB_OK);
  assert_int_equal(res.n, 2);
  assert_string_equal(res.hashes[0], h3);
  assert_true(res.prove[0] == 30.0);
  assert_string_equal(res.hashes[1], h2);
  assert_true(res.prove[1] == 21.0);
  parts ph = {0};
  assert_int_equal(db_phases_iter(a, res.ids[0], collect_phase, &ph), DB_OK);
  assert_int_equal(ph.n, 3);
  assert_string_equal(ph.names[1], "lde");
  assert_int_equal(db_result_exists(a, merged, h3), 1);
  assert_int_equal(db_result_exists(a, merged, h1), 0);

  /* again: nothing new */
  assert_int_equal(db_merge(a, pb, &st), DB_OK);
  assert_int_equal(st.runs + st.blocks + st.results + st.killers, 0);
  assert_int_equal(count(a, "SELECT count(*) FROM results"), 4);

  /* into itself: refused */
  assert_int_equal(db_merge(a, pa, &st), DB_E_ARG);

  /* B's run goes on (resume) and finishes: a new merge brings the new result and the status */
  b = open_existing(pb);
  record(b, b1, add_block(b, 4), 40.0);
  assert_int_equal(db_run_finish(b, b1, DB_RUN_DONE), DB_OK);
  db_close(b);
  assert_int_equal(db_merge(a, pb, &st), DB_OK);
  assert_int_equal(st.runs, 0);
  assert_int_equal(st.results, 1);
  memset(&runs, 0, sizeof runs);
  assert_int_equal(db_run_get(a, merged, collect_run, &runs), DB_OK);
  assert_string_equal(runs.status[0], DB_RUN_DONE);
  assert_int_equal(runs.n_results[0], 3);

  /* the other way round: B gets A's own run, and its own run is not duplicated */
  db_close(a);
  b = open_existing(pb);
  assert_int_equal(db_merge(b, pa, &st), DB_OK);
  assert_int_equal(st.runs, 1);
  assert_int_equal(st.results, 2);
  assert_int_equal(count(b, "SELECT count(*) FROM runs"), 2);
  assert_int_equal(count(b, "SELECT count(*) FROM results"), 5);
  assert_int_equal(count(b, "SELECT count(*) FROM killers"), 2);
  /* B's own run came back through A but keeps no origin: it was recorded here */
  assert_int_equal(count(b, "SELECT count(*) FROM runs WHERE origin_db IS NULL"), 1);
  db_close(b);

  /* merging into a read-only handle is refused */
  db_handle *ro = NULL;
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open(pa, DB_OPEN_READONLY, &ro, err, sizeof err), DB_OK);
  assert_int_equal(db_merge(ro, pb, &st), DB_E_READONLY);
  db_close(ro);
}

static void test_merge_from_v1(void **state) {
  (void)state;
  const char *old = tmp_file();
  db_handle *o = NULL;
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open_at(old, DB_OPEN_CREATE, 1, &o, err, sizeof err), DB_OK);
  int64_t run = add_run(o, "old");
  record(o, run, add_block(o, 1), 1.0);
  db_close(o);
  db_handle *db = open_new(tmp_file());
  db_merge_stats st;
  assert_int_equal(db_merge(db, old, &st), DB_OK);
  assert_int_equal(st.results, 1);
  db_close(db);
  /* the older database was read, not migrated */
  assert_int_equal(db_open_at(old, DB_OPEN_READONLY, 1, &o, err, sizeof err), DB_OK);
  int v = 0;
  assert_int_equal(db_user_version(o, &v), DB_OK);
  assert_int_equal(v, 1);
  db_close(o);
}

/* ---- shards ---- */

/* Shards in an order that is neither by table nor by index, with unknowns. */
static const db_shard four_shards[] = {
    {"keccak", 0, 1 << 10, 700.0},
    {"cpu", 1, 1 << 16, 2500.0},
    {"cpu", 0, 1 << 16, DB_NONE},
    {"memory", 3, DB_NONE, 125.5},
};

typedef struct {
  int n;
  char table[8][16];
  int64_t shard[8], rows[8];
  double ms[8];
} shard_list;

static int collect_shard(void *ctx, const db_shard *s) {
  shard_list *c = ctx;
  assert_true(c->n < 8);
  snprintf(c->table[c->n], 16, "%s", s->table);
  c->shard[c->n] = s->shard;
  c->rows[c->n] = s->rows;
  c->ms[c->n++] = s->prove_ms;
  return 0;
}

static int stop_at_shard(void *ctx, const db_shard *s) {
  (void)s;
  ++*(int *)ctx;
  return -42;
}

/* The shards read back for result_id are exactly want[0..n), in that order. */
static void expect_shards(db_handle *db, int64_t result_id, const db_shard *want, size_t n) {
  shard_list got = {0};
  assert_int_equal(db_shards_iter(db, result_id, collect_shard, &got), DB_OK);
  assert_int_equal(got.n, n);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(got.table[i], want[i].table);
    assert_int_equal(got.shard[i], want[i].shard);
    assert_int_equal(got.rows[i], want[i].rows);
    assert_true(got.ms[i] == want[i].prove_ms);
  }
}

static int64_t record_shards(db_handle *db, int64_t run, int64_t block, double prove_ms,
                             const db_shard *sh, size_t n) {
  db_result_info r = result_for(run, block, prove_ms);
  int64_t id = 0;
  int rc = db_result_record_shards(db, &r, three_phases, 3, two_tables, 2, sh, n, &id);
  if (rc != DB_OK) fail_msg("record_shards: %d %s", rc, db_errmsg(db));
  return id;
}

static void test_shards_record_and_read(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = open_new(path);
  assert_true(db_schema_version() >= 3);
  int64_t run = add_run(db, "h");
  int64_t r1 = record_shards(db, run, add_block(db, 1), 3325.5, four_shards, 4);
  int64_t r2 = record(db, run, add_block(db, 2), 1.0); /* no shards */
  const db_shard one[] = {{"cpu", 0, 8, 0.5}};
  int64_t r3 = record_shards(db, run, add_block(db, 3), 0.5, one, 1);
  db_close(db);

  db = open_existing(path);
  expect_shards(db, r1, four_shards, 4);
  expect_shards(db, r2, NULL, 0);
  expect_shards(db, r3, one, 1);
  expect_shards(db, r3 + 100, NULL, 0); /* no such result: nothing */
  /* the phases and tables went in with the shards */
  parts ph = {0};
  assert_int_equal(db_phases_iter(db, r1, collect_phase, &ph), DB_OK);
  assert_int_equal(ph.n, 3);
  /* stored as given: seq in order, unknowns as NULL */
  char sql[320];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM shards WHERE result_id = %lld AND ((seq = 1 AND"
           " table_name = 'cpu' AND shard = 1 AND rows = 65536 AND prove_ms = 2500.0) OR (seq = 2 AND"
           " prove_ms IS NULL) OR (seq = 3 AND rows IS NULL))", (long long)r1);
  assert_int_equal(count(db, sql), 3);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 5);
  /* a callback's non-zero return stops the iteration and is passed back */
  int calls = 0;
  assert_int_equal(db_shards_iter(db, r1, stop_at_shard, &calls), -42);
  assert_int_equal(calls, 1);
  assert_int_equal(db_shards_iter(db, r1, NULL, NULL), DB_E_ARG);
  assert_int_equal(db_shards_iter(NULL, r1, collect_shard, NULL), DB_E_ARG);

  /* argument checks: nothing stored */
  int64_t blk = add_block(db, 4);
  db_result_info r = result_for(run, blk, 1.0);
  const db_shard unnamed[] = {{"cpu", 0, 1, 1.0}, {NULL, 1, 1, 1.0}};
  const db_shard empty_name[] = {{"", 0, 1, 1.0}};
  const db_shard negative[] = {{"cpu", -1, 1, 1.0}};
  assert_int_equal(db_result_record_shards(db, &r, NULL, 0, NULL, 0, unnamed, 2, NULL), DB_E_ARG);
  assert_int_equal(db_result_record_shards(db, &r, NULL, 0, NULL, 0, empty_name, 1, NULL), DB_E_ARG);
  assert_int_equal(db_result_record_shards(db, &r, NULL, 0, NULL, 0, negative, 1, NULL), DB_E_ARG);
  assert_int_equal(db_result_record_shards(db, &r, NULL, 0, NULL, 0, NULL, 1, NULL), DB_E_ARG);
  assert_int_equal(count(db, "SELECT count(*) FROM results"), 3);
  /* NULL shards with a count of 0 is a result without shards */
  assert_int_equal(db_result_record_shards(db, &r, NULL, 0, NULL, 0, NULL, 0, NULL), DB_OK);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 5);
  db_close(db);

  /* the shards go with their result */
  snprintf(sql, sizeof sql, "PRAGMA foreign_keys = ON; DELETE FROM results WHERE id = %lld", (long long)r1);
  raw_exec(path, sql);
  db = open_existing(path);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 1);
  expect_shards(db, r3, one, 1);
  db_close(db);
}

/* A (table, shard) pair given twice fails the whole result, whatever was
 * inserted before it. */
static void test_shard_duplicate_rolls_back(void **state) {
  (void)state;
  db_handle *db = open_new(tmp_file());
  int64_t run = add_run(db, "h");
  int64_t blk = add_block(db, 9);
  db_result_info r = result_for(run, blk, 50.0);
  const db_shard dup[] = {{"cpu", 0, 8, 1.0}, {"keccak", 1, 8, 2.0}, {"cpu", 1, 8, 3.0}, {"keccak", 1, 4, 4.0}};
  int64_t id = -5;
  assert_int_equal(db_result_record_shards(db, &r, three_phases, 3, two_tables, 2, dup, 4, &id), DB_E_DUPLICATE);
  assert_int_equal(id, -5);
  assert_non_null(strstr(db_errmsg(db), "keccak"));
  assert_int_equal(count(db, "SELECT count(*) FROM results"), 0);
  assert_int_equal(count(db, "SELECT count(*) FROM phases"), 0);
  assert_int_equal(count(db, "SELECT count(*) FROM tables"), 0);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 0);
  assert_int_not_equal(sqlite3_get_autocommit(db_sqlite(db)), 0);

  /* the shards fail the result after a valid result row: a duplicate result
   * with valid shards leaves the first result's shards alone */
  const db_shard ok[] = {{"cpu", 0, 8, 1.0}, {"keccak", 0, 8, 2.0}, {"cpu", 1, 8, 3.0}};
  int64_t first = record_shards(db, run, blk, 50.0, ok, 3);
  assert_int_equal(db_result_record_shards(db, &r, NULL, 0, NULL, 0, ok, 3, NULL), DB_E_DUPLICATE);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 3);
  expect_shards(db, first, ok, 3);
  /* the same pair in another result is no duplicate */
  int64_t run2 = add_run(db, "h");
  int64_t second = record_shards(db, run2, blk, 50.0, ok, 3);
  expect_shards(db, second, ok, 3);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 6);
  db_close(db);
}

static void test_migrate_from_v2(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = NULL;
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open_at(path, DB_OPEN_CREATE, 2, &db, err, sizeof err), DB_OK);
  int v = 0;
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, 2);
  assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'shards'"), 0);
  int64_t run = add_run(db, "old");
  int64_t blk = add_block(db, 5);
  int64_t res = record(db, run, blk, 100.0);
  /* no shards at version 2: none to read, and storing some is refused whole */
  expect_shards(db, res, NULL, 0);
  db_result_info r = result_for(run, add_block(db, 6), 1.0);
  assert_int_equal(db_result_record_shards(db, &r, three_phases, 3, NULL, 0, four_shards, 4, NULL), DB_E_ARG);
  assert_non_null(strstr(db_errmsg(db), "version"));
  assert_int_equal(count(db, "SELECT count(*) FROM results"), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM phases"), 3);
  assert_int_not_equal(sqlite3_get_autocommit(db_sqlite(db)), 0);
  assert_int_equal(db_result_record_shards(db, &r, NULL, 0, NULL, 0, NULL, 0, NULL), DB_OK);
  db_close(db);

  /* read-only: stays at 2, still no shards to read */
  assert_int_equal(db_open(path, DB_OPEN_READONLY, &db, err, sizeof err), DB_OK);
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, 2);
  expect_shards(db, res, NULL, 0);
  db_close(db);

  db = open_existing(path);
  assert_int_equal(db_user_version(db, &v), DB_OK);
  assert_int_equal(v, db_schema_version());
  assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'shards'"), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 0);
  /* rows of version 2 intact */
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM result_view WHERE result_id = %lld AND prove_ms = 100.0"
           " AND block_name = 'block-5'", (long long)res);
  assert_int_equal(count(db, sql), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM results"), 2);
  parts ph = {0};
  assert_int_equal(db_phases_iter(db, res, collect_phase, &ph), DB_OK);
  assert_int_equal(ph.n, 3);
  parts tb = {0};
  assert_int_equal(db_tables_iter(db, res, collect_table, &tb), DB_OK);
  assert_int_equal(tb.n, 2);
  /* and shards can now be stored */
  int64_t res2 = record_shards(db, run, add_block(db, 7), 1.0, four_shards, 4);
  expect_shards(db, res2, four_shards, 4);
  assert_int_equal(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  db_close(db);
}

static void test_merge_shards(void **state) {
  (void)state;
  const char *pa = tmp_file(), *pb = tmp_file();
  db_handle *a = open_new(pa), *b = open_new(pb);
  int64_t a1 = add_run(a, "hostA");
  const db_shard sa[] = {{"cpu", 0, 16, 9.0}};
  int64_t ra = record_shards(a, a1, add_block(a, 1), 9.0, sa, 1);

  /* B: other ids than A's, results with and without shards */
  add_block(b, 900);
  add_run(b, "hostB0");
  int64_t b1 = add_run(b, "hostB");
  const db_shard sb[] = {{"memory", 2, 32, 5.0}, {"cpu", 0, 64, 7.0}};
  record_shards(b, b1, add_block(b, 3), 30.0, four_shards, 4);
  record(b, b1, add_block(b, 2), 21.0);
  record_shards(b, b1, add_block(b, 1), 12.0, sb, 2);
  db_close(b);

  db_merge_stats st;
  assert_int_equal(db_merge(a, pb, &st), DB_OK);
  assert_int_equal(st.results, 3);
  assert_int_equal(count(a, "SELECT count(*) FROM shards"), 7);
  assert_int_equal(count(a, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  expect_shards(a, ra, sa, 1);
  rows runs = {0};
  assert_int_equal(db_runs_list(a, collect_run, &runs), DB_OK);
  assert_int_equal(runs.n, 3);
  assert_int_equal(runs.origin_run[2], b1);
  rows res = {0};
  assert_int_equal(db_results_iter(a, runs.ids[2], collect_result, &res), DB_OK);
  assert_int_equal(res.n, 3);
  char h[65];
  hash_of(h, 3);
  assert_string_equal(res.hashes[0], h);
  expect_shards(a, res.ids[0], four_shards, 4);
  expect_shards(a, res.ids[1], NULL, 0);
  expect_shards(a, res.ids[2], sb, 2);

  /* again: nothing new */
  assert_int_equal(db_merge(a, pb, &st), DB_OK);
  assert_int_equal(st.results, 0);
  assert_int_equal(count(a, "SELECT count(*) FROM shards"), 7);
  db_close(a);
}

static void test_merge_from_v2(void **state) {
  (void)state;
  const char *old = tmp_file(), *cur = tmp_file();
  db_handle *o = NULL;
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open_at(old, DB_OPEN_CREATE, 2, &o, err, sizeof err), DB_OK);
  int64_t run = add_run(o, "old");
  record(o, run, add_block(o, 1), 1.0);
  record(o, run, add_block(o, 2), 2.0);
  db_close(o);

  /* a version-2 database merges into a version-3 one: results, no shards */
  db_handle *db = open_new(cur);
  int64_t mine = add_run(db, "new");
  record_shards(db, mine, add_block(db, 1), 5.0, four_shards, 4);
  db_merge_stats st;
  assert_int_equal(db_merge(db, old, &st), DB_OK);
  assert_int_equal(st.results, 2);
  assert_int_equal(count(db, "SELECT count(*) FROM results"), 3);
  assert_int_equal(count(db, "SELECT count(*) FROM phases"), 9);
  assert_int_equal(count(db, "SELECT count(*) FROM shards"), 4);
  db_close(db);
  assert_int_equal(db_open_at(old, DB_OPEN_READONLY, 1, &o, err, sizeof err), DB_OK);
  int v = 0;
  assert_int_equal(db_user_version(o, &v), DB_OK);
  assert_int_equal(v, 2); /* read, not migrated */
  db_close(o);

  /* the other way: a database open at version 2 refuses results whose
   * shards it cannot hold, and takes the merge whole once they are gone */
  assert_int_equal(db_open_at(old, 0, 2, &o, err, sizeof err), DB_OK);
  assert_int_equal(db_merge(o, cur, &st), DB_E_ARG);
  assert_non_null(strstr(db_errmsg(o), "shards"));
  assert_int_equal(count(o, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(count(o, "SELECT count(*) FROM results"), 2);
  assert_int_not_equal(sqlite3_get_autocommit(db_sqlite(o)), 0);
  raw_exec(cur, "DELETE FROM shards");
  assert_int_equal(db_merge(o, cur, &st), DB_OK);
  assert_int_equal(st.runs, 1);
  assert_int_equal(st.results, 1);
  assert_int_equal(db_user_version(o, &v), DB_OK);
  assert_int_equal(v, 2);
  db_close(o);
}

/* A result with its sized tables' projection and each table's est_ms. */
static int64_t record_projected(db_handle *db, int64_t run, int64_t block, double sized) {
  db_result_info r = result_for(run, block, 10.0);
  r.sized_ms = sized;
  const db_table t[3] = {{"cpu", 1 << 16, 24, 1, 50.0}, {"modmul", 465920, DB_NONE, 29, 71922.9},
                         {"keccak", 600, DB_NONE, 1, DB_NONE}};
  int64_t id = 0;
  int rc = db_result_record(db, &r, NULL, 0, t, 3, &id);
  if (rc != DB_OK) fail_msg("record: %d %s", rc, db_errmsg(db));
  return id;
}

/* sized_ms and est_ms (version 4): stored and read back, NULL as DB_NONE,
 * shown by result_view; a version-3 database stores neither and reads them
 * as DB_NONE, and keeps its rows through the migration; merges carry them
 * where both sides have them and drop them into a version-3 receiver. */
static void test_projection(void **state) {
  (void)state;
  const char *path = tmp_file(), *old = tmp_file();
  db_handle *db = open_new(path);
  assert_true(db_schema_version() >= 4);
  int64_t run = add_run(db, "h");
  int64_t a = record_projected(db, run, add_block(db, 1), 71922.9);
  record_projected(db, run, add_block(db, 2), DB_NONE);
  rows res = {0};
  assert_int_equal(db_results_iter(db, run, collect_result, &res), DB_OK);
  assert_int_equal(res.n, 2);
  assert_true(res.sized[0] == 71922.9);
  assert_true(res.sized[1] == DB_NONE);
  parts tb = {0};
  assert_int_equal(db_tables_iter(db, a, collect_table, &tb), DB_OK);
  assert_int_equal(tb.n, 3);
  assert_true(tb.est[0] == 50.0 && tb.est[1] == 71922.9 && tb.est[2] == DB_NONE);
  assert_int_equal(count(db, "SELECT count(*) FROM result_view WHERE sized_ms = 71922.9"), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM result_view WHERE sized_ms IS NULL"), 1);
  db_close(db);

  /* version 3: nothing stored, DB_NONE read */
  char err[DB_ERRMSG_MAX];
  db_handle *o = NULL;
  assert_int_equal(db_open_at(old, DB_OPEN_CREATE, 3, &o, err, sizeof err), DB_OK);
  int64_t orun = add_run(o, "old");
  int64_t oa = record_projected(o, orun, add_block(o, 3), 5.0);
  rows ores = {0};
  assert_int_equal(db_results_iter(o, orun, collect_result, &ores), DB_OK);
  assert_int_equal(ores.n, 1);
  assert_true(ores.sized[0] == DB_NONE);
  parts otb = {0};
  assert_int_equal(db_tables_iter(o, oa, collect_table, &otb), DB_OK);
  assert_true(otb.est[1] == DB_NONE);
  /* a version-4 database merges into it: the results, not the projections */
  db_merge_stats st;
  assert_int_equal(db_merge(o, path, &st), DB_OK);
  assert_int_equal(st.results, 2);
  int v = 0;
  assert_int_equal(db_user_version(o, &v), DB_OK);
  assert_int_equal(v, 3);
  db_close(o);

  /* migrated: the old rows are intact, their projections unknown */
  o = open_existing(old);
  assert_int_equal(db_user_version(o, &v), DB_OK);
  assert_int_equal(v, db_schema_version());
  memset(&ores, 0, sizeof ores);
  assert_int_equal(db_results_iter(o, orun, collect_result, &ores), DB_OK);
  assert_int_equal(ores.n, 1);
  assert_true(ores.prove[0] == 10.0 && ores.sized[0] == DB_NONE);
  db_close(o);

  /* version 4 into version 4: carried */
  const char *fresh = tmp_file();
  db = open_new(fresh);
  assert_int_equal(db_merge(db, path, &st), DB_OK);
  assert_int_equal(st.results, 2);
  assert_int_equal(count(db, "SELECT count(*) FROM results WHERE sized_ms = 71922.9"), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM tables WHERE name = 'modmul' AND est_ms = 71922.9"), 2);
  assert_int_equal(count(db, "SELECT count(*) FROM tables WHERE name = 'keccak' AND est_ms IS NULL"), 2);
  db_close(db);
}

static void test_wal_and_settings(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = open_new(path);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
  sqlite3_finalize(st);
  assert_int_equal(count(db, "PRAGMA foreign_keys"), 1);
  assert_int_equal(count(db, "PRAGMA application_id"), 0x504b4231);
  add_run(db, "h");
  db_close(db);
  /* WAL is recorded in the file header (bytes 18 and 19 = 2) */
  size_t n = 0;
  unsigned char *img = slurp(path, &n);
  assert_true(n >= 100);
  assert_int_equal(img[18], 2);
  assert_int_equal(img[19], 2);
  free(img);

  /* read-only handles read but do not write */
  char err[DB_ERRMSG_MAX];
  assert_int_equal(db_open(path, DB_OPEN_READONLY, &db, err, sizeof err), DB_OK);
  int64_t last = 0, id = 0;
  assert_int_equal(db_run_last(db, &last), DB_OK);
  assert_int_equal(db_run_begin(db, NULL, &id), DB_E_READONLY);
  char h[65];
  hash_of(h, 1);
  db_block_info b = {h, NULL, NULL, NULL, DB_NONE, DB_NONE, DB_NONE, DB_NONE};
  assert_int_equal(db_block_upsert(db, &b, &id), DB_E_READONLY);
  assert_int_equal(db_run_finish(db, last, DB_RUN_DONE), DB_E_READONLY);
  db_close(db);
}

/* Paths are passed to SQLite as URIs: characters that mean something in a
 * URI must still name the file itself. */
static void test_odd_path(void **state) {
  (void)state;
  assert_true(n_tmp < MAX_TMP);
  char base[64];
  snprintf(base, sizeof base, "%s", tmp_missing());
  char *odd = tmp_paths[n_tmp++];
  snprintf(odd, 64, "%.23s q?mode=ro&x=%%41#f", base);
  db_handle *db = open_new(odd);
  int64_t run = add_run(db, "h");
  record(db, run, add_block(db, 1), 1.0);
  db_close(db);
  assert_true(file_exists(odd));
  assert_false(file_exists(base));
  db = open_new(tmp_missing());
  db_merge_stats st;
  assert_int_equal(db_merge(db, odd, &st), DB_OK);
  assert_int_equal(st.results, 1);
  db_close(db);
}

/* Two handles on one file (as a run and a report would be) see each other's writes. */
static void test_two_handles(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *a = open_new(path), *b = open_existing(path);
  int64_t ra = add_run(a, "a");
  int64_t blk = add_block(b, 5);
  record(b, ra, blk, 3.0);
  char h[65];
  hash_of(h, 5);
  assert_int_equal(db_result_exists(a, ra, h), 1);
  int64_t last = 0;
  assert_int_equal(db_run_last(b, &last), DB_OK);
  assert_int_equal(last, ra);
  db_close(a);
  db_close(b);
}

/* A process that dies right after recording, without closing, loses nothing. */
static void test_crash_keeps_results(void **state) {
  (void)state;
  const char *path = tmp_file();
  db_handle *db = open_new(path);
  db_close(db);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    db_handle *c = NULL;
    if (db_open(path, 0, &c, NULL, 0) != DB_OK) _exit(2);
    int64_t run = 0, blk = 0;
    char h[65];
    hash_of(h, 31);
    db_block_info b = {h, NULL, NULL, NULL, DB_NONE, DB_NONE, DB_NONE, DB_NONE};
    if (db_run_begin(c, NULL, &run) != DB_OK || db_block_upsert(c, &b, &blk) != DB_OK) _exit(3);
    db_result_info r = result_for(run, blk, 1.0);
    if (db_result_record(c, &r, three_phases, 3, two_tables, 2, NULL) != DB_OK) _exit(4);
    _exit(0); /* no db_close, no checkpoint */
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  char wal[600];
  side_name(wal, sizeof wal, path, "-wal");
  assert_true(file_exists(wal)); /* the data sits in the WAL, not yet checkpointed */
  db = open_existing(path);
  int64_t run = 0;
  assert_int_equal(db_run_last(db, &run), DB_OK);
  char h[65];
  hash_of(h, 31);
  assert_int_equal(db_result_exists(db, run, h), 1);
  assert_int_equal(count(db, "SELECT count(*) FROM phases"), 3);
  db_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_create_and_reopen, teardown),
      cmocka_unit_test_teardown(test_open_missing_and_args, teardown),
      cmocka_unit_test_teardown(test_run_without_info_and_last, teardown),
      cmocka_unit_test_teardown(test_migrate_from_v1, teardown),
      cmocka_unit_test_teardown(test_failed_migration_rolls_back, teardown),
      cmocka_unit_test_teardown(test_refuse_newer, teardown),
      cmocka_unit_test_teardown(test_refuse_not_sqlite, teardown),
      cmocka_unit_test_teardown(test_refuse_foreign, teardown),
      cmocka_unit_test_teardown(test_refuse_corrupt, teardown),
      cmocka_unit_test_teardown(test_failed_record_leaves_nothing, teardown),
      cmocka_unit_test_teardown(test_duplicate_result, teardown),
      cmocka_unit_test_teardown(test_resume_and_blocks, teardown),
      cmocka_unit_test_teardown(test_killers, teardown),
      cmocka_unit_test_teardown(test_merge, teardown),
      cmocka_unit_test_teardown(test_merge_from_v1, teardown),
      cmocka_unit_test_teardown(test_shards_record_and_read, teardown),
      cmocka_unit_test_teardown(test_shard_duplicate_rolls_back, teardown),
      cmocka_unit_test_teardown(test_migrate_from_v2, teardown),
      cmocka_unit_test_teardown(test_merge_shards, teardown),
      cmocka_unit_test_teardown(test_merge_from_v2, teardown),
      cmocka_unit_test_teardown(test_projection, teardown),
      cmocka_unit_test_teardown(test_wal_and_settings, teardown),
      cmocka_unit_test_teardown(test_odd_path, teardown),
      cmocka_unit_test_teardown(test_two_handles, teardown),
      cmocka_unit_test_teardown(test_crash_keeps_results, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
