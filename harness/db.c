/* db: the results database.
 *
 * Every block a run handles ends as one row of `results`, written in its own
 * transaction as soon as the block is done, so a crash loses at most the block
 * in flight and a run can resume by skipping blocks that already have a row.
 * The workload is small and write-mostly while a run goes (one transaction per
 * block, seconds apart), and read in bulk by `report` and `compare`; several
 * processes (a run, a hunt, the report) may use one file at once, hence WAL
 * mode and a busy timeout. Writes use BEGIN IMMEDIATE so two writers queue on
 * the lock instead of failing on a read-to-write upgrade, and synchronous=FULL
 * so a committed result survives a power cut too (one fsync per block is
 * nothing next to proving it).
 *
 * Schema (version 4; PRAGMA user_version holds the version, PRAGMA
 * application_id = DB_APP_ID marks the file as ours):
 *
 *   runs     one invocation over a set of blocks: when (started_at,
 *            finished_at, ISO 8601 UTC text so the sqlite3 shell and gnuplot
 *            read it as is), what (git_rev, prover_config, backend), the cluster
 *            model it projected to (profile, gpus, deadline_ms), where (host,
 *            command_line), status ("running" until db_run_finish). uuid
 *            identifies a run across databases: merging matches runs by it, so a
 *            merge repeated or made in a cycle never duplicates a run, and the
 *            new id it gets in the receiving database keeps its first home in
 *            origin_db and origin_run_id.
 *   blocks   one row per distinct block content (content_hash = SHA-256 of the
 *            canonical .blk encoding), whatever file or search produced it, so
 *            the same block proven by two runs or found by two hunts is one
 *            block and results compare across runs by block_id. Descriptive
 *            columns (name, source, fork, gas...) are filled the first time
 *            they are known and then kept.
 *   results  one row per (run, block), UNIQUE: a second record is an error,
 *            not a second row. Measured times (exec, trace, prove, verify; in
 *            ms, REAL) are of this host; projected_latency_ms comes from the
 *            deadline model and projection_label says which ("projected:h100x16"
 *            or "measured:host"), so a projected figure is never mistaken for a
 *            measured one. made_slot is NULL when not known (no projection).
 *            sized_ms is the cost model's projection for the tables the run
 *            only sized (counted, not proven), so that a report can say what
 *            the block would take with every table proven; NULL when not
 *            known.
 *            Unknown numbers are NULL, never 0 or -1, so aggregates skip them.
 *   phases   per-result phase timings (execute, trace, lde, commit, quotient,
 *            fri, open, verify...), a row per phase rather than a column per
 *            phase so the prover can gain phases without a migration; seq keeps
 *            the order for stacked charts.
 *   tables   per-result AIR table sizes: rows (height), width, shards, and
 *            est_ms, the cost model's time for the table (proven or sized),
 *            which names the table that dominates a block.
 *   shards   per-result proof of each shard: the table it is cut from
 *            (table_name), its index within that table, its rows and the
 *            time to prove it alone (prove_ms). The cluster model schedules a
 *            block's shards longest first onto G workers, so keeping every
 *            shard's time (not only the total) lets a report compute the
 *            latency for any G from the database alone. seq keeps the order
 *            given; (result_id, table_name, shard) is UNIQUE, which also
 *            indexes the lookup of one table's shards.
 *   killers  found prover killers: one row per (block, objective) with the
 *            value reached, who found it and when, and provenance as JSON (seed,
 *            generation, parents, mutator), free-form because each finder
 *            knows different things (checked to parse before it is stored).
 *
 * The CREATE statements in db_migrations below are the schema's one written
 * form; this comment explains them.
 *
 * phases, tables and shards hang off results (ON DELETE CASCADE) and are
 * written in the result's transaction. Foreign keys are enforced (PRAGMA foreign_keys is
 * set on every connection).
 *
 * Migrations: db_migrations[k-1] takes a database from version k-1 to k and
 * runs in one transaction with the user_version update, so a database is
 * always at exactly one version. A released migration is frozen text: never
 * edit one, append the next. Migration 1 is the tables above; migration 2 adds
 * the read side for reports (an index for per-block history across runs and
 * the views result_view and run_summary that the report scripts query with the
 * sqlite3 shell); migration 3 adds shards; migration 4 adds results.sized_ms
 * and tables.est_ms (and result_view shows sized_ms). The functions here read
 * only the tables, so they work on any version from 1 on: a database below
 * version 3 simply has no shards (db_shards_iter finds none, db_merge copies
 * none), and only storing shards needs version 3; below version 4 sized_ms
 * and est_ms read back as DB_NONE and are not stored (they are projections,
 * recomputable from the table sizes). db_merge reads the same tables from the
 * other database.
 *
 * Opening never writes before the file has passed its checks: regular file,
 * SQLite magic header, then a read-only connection for user_version,
 * application_id and PRAGMA quick_check. When no -wal or -journal file exists
 * (nobody is writing) the check connection is opened immutable, so it creates
 * no side files either; if such a check fails while a writer has appeared
 * meanwhile it is repeated as an ordinary read-only connection. quick_check
 * reads the whole file once per open, which for a results database (thousands
 * of rows) is milliseconds.
 *
 * db_merge attaches the other database read-only and copies, in one
 * transaction, what this one lacks, mapping ids through temp tables: blocks by
 * content hash, runs by uuid, results by (run, block) with their phases,
 * tables and shards, killers by (block, objective).
 */
#include "db.h"

#include <cJSON.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DB_APP_ID 1347109425 /* 0x504b4231, "PKB1"; written by migration 1 */
#define STR_(x) #x
#define STR(x) STR_(x)
#define DB_STATUS_MAX 32
#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

static const char *const db_migrations[] = {
    /* 1: initial schema */
    "PRAGMA application_id = " STR(DB_APP_ID) ";\n"
    "CREATE TABLE runs (\n"
    "  id            INTEGER PRIMARY KEY,\n"
    "  uuid          TEXT NOT NULL UNIQUE,\n"
    "  started_at    TEXT NOT NULL,\n"
    "  finished_at   TEXT,\n"
    "  status        TEXT NOT NULL,\n"
    "  git_rev       TEXT,\n"
    "  prover_config TEXT,\n"
    "  backend       TEXT,\n"
    "  profile       TEXT,\n"
    "  gpus          INTEGER,\n"
    "  deadline_ms   INTEGER,\n"
    "  host          TEXT,\n"
    "  command_line  TEXT,\n"
    "  origin_db     TEXT,\n"
    "  origin_run_id INTEGER\n"
    ");\n"
    "CREATE TABLE blocks (\n"
    "  id           INTEGER PRIMARY KEY,\n"
    "  content_hash TEXT NOT NULL UNIQUE CHECK (length(content_hash) = 64),\n"
    "  name         TEXT,\n"
    "  source       TEXT,\n"
    "  fork         TEXT,\n"
    "  gas_used     INTEGER,\n"
    "  gas_limit    INTEGER,\n"
    "  tx_count     INTEGER,\n"
    "  bytes        INTEGER,\n"
    "  added_at     TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE results (\n"
    "  id                   INTEGER PRIMARY KEY,\n"
    "  run_id               INTEGER NOT NULL REFERENCES runs(id),\n"
    "  block_id             INTEGER NOT NULL REFERENCES blocks(id),\n"
    "  status               TEXT NOT NULL,\n"
    "  reason               TEXT,\n"
    "  exec_ms              REAL,\n"
    "  trace_ms             REAL,\n"
    "  prove_ms             REAL,\n"
    "  verify_ms            REAL,\n"
    "  projected_latency_ms REAL,\n"
    "  projection_label     TEXT,\n"
    "  made_slot            INTEGER CHECK (made_slot IN (0, 1)),\n"
    "  peak_mem_kb          INTEGER,\n"
    "  estimate_ms          REAL,\n"
    "  proof_bytes          INTEGER,\n"
    "  recorded_at          TEXT NOT NULL,\n"
    "  UNIQUE (run_id, block_id)\n"
    ");\n"
    "CREATE TABLE phases (\n"
    "  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,\n"
    "  seq       INTEGER NOT NULL,\n"
    "  name      TEXT NOT NULL,\n"
    "  ms        REAL,\n"
    "  PRIMARY KEY (result_id, name)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE tables (\n"
    "  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,\n"
    "  seq       INTEGER NOT NULL,\n"
    "  name      TEXT NOT NULL,\n"
    "  rows      INTEGER,\n"
    "  width     INTEGER,\n"
    "  shards    INTEGER,\n"
    "  PRIMARY KEY (result_id, name)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE killers (\n"
    "  id         INTEGER PRIMARY KEY,\n"
    "  block_id   INTEGER NOT NULL REFERENCES blocks(id),\n"
    "  objective  TEXT NOT NULL,\n"
    "  value      REAL,\n"
    "  found_by   TEXT,\n"
    "  found_at   TEXT NOT NULL,\n"
    "  provenance TEXT,\n"
    "  UNIQUE (block_id, objective)\n"
    ");\n",

    /* 2: read side for reports */
    "CREATE INDEX results_block ON results(block_id);\n"
    "CREATE VIEW result_view AS\n"
    "  SELECT r.id AS result_id, r.run_id, b.id AS block_id, b.content_hash,\n"
    "         b.name AS block_name, b.source, b.fork, b.gas_used, b.gas_limit, b.tx_count,\n"
    "         r.status, r.reason, r.exec_ms, r.trace_ms, r.prove_ms, r.verify_ms,\n"
    "         r.projected_latency_ms, r.projection_label, r.made_slot, r.peak_mem_kb,\n"
    "         r.estimate_ms, r.proof_bytes, u.deadline_ms, u.gpus, u.profile, u.backend\n"
    "  FROM results r JOIN blocks b ON b.id = r.block_id JOIN runs u ON u.id = r.run_id;\n"
    "CREATE VIEW run_summary AS\n"
    "  SELECT u.id AS run_id, u.started_at, u.finished_at, u.status, u.git_rev, u.backend,\n"
    "         u.profile, u.gpus, u.deadline_ms, u.host, count(r.id) AS n_results,\n"
    "         coalesce(sum(r.status = 'ok'), 0) AS n_ok,\n"
    "         coalesce(sum(r.made_slot = 1), 0) AS n_made_slot\n"
    "  FROM runs u LEFT JOIN results r ON r.run_id = u.id GROUP BY u.id;\n",

    /* 3: per-shard proving times for the cluster model */
    "CREATE TABLE shards (\n"
    "  result_id  INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,\n"
    "  seq        INTEGER NOT NULL,\n"
    "  table_name TEXT NOT NULL,\n"
    "  shard      INTEGER NOT NULL CHECK (shard >= 0),\n"
    "  rows       INTEGER,\n"
    "  prove_ms   REAL,\n"
    "  PRIMARY KEY (result_id, seq),\n"
    "  UNIQUE (result_id, table_name, shard)\n"
    ") WITHOUT ROWID;\n",

    /* 4: the projected cost of what a run only sized */
    "ALTER TABLE results ADD COLUMN sized_ms REAL;\n"
    "ALTER TABLE tables ADD COLUMN est_ms REAL;\n"
    "DROP VIEW result_view;\n"
    "CREATE VIEW result_view AS\n"
    "  SELECT r.id AS result_id, r.run_id, b.id AS block_id, b.content_hash,\n"
    "         b.name AS block_name, b.source, b.fork, b.gas_used, b.gas_limit, b.tx_count,\n"
    "         r.status, r.reason, r.exec_ms, r.trace_ms, r.prove_ms, r.verify_ms,\n"
    "         r.projected_latency_ms, r.projection_label, r.made_slot, r.peak_mem_kb,\n"
    "         r.estimate_ms, r.proof_bytes, u.deadline_ms, u.gpus, u.profile, u.backend,\n"
    "         r.sized_ms\n"
    "  FROM results r JOIN blocks b ON b.id = r.block_id JOIN runs u ON u.id = r.run_id;\n",
};

/* The first version with the shards table. */
#define DB_V_SHARDS 3
/* The first version with results.sized_ms and tables.est_ms. */
#define DB_V_PROJECTION 4

#define DB_N_MIGRATIONS ((int)(sizeof db_migrations / sizeof db_migrations[0]))

/* The block upsert of db_block_upsert and db_merge: a stored value wins, a
 * stored NULL is filled. */
#define BLOCK_COLS "content_hash, name, source, fork, gas_used, gas_limit, tx_count, bytes, added_at"
#define BLOCK_UPSERT_TAIL                                                               \
  " ON CONFLICT(content_hash) DO UPDATE SET name = coalesce(name, excluded.name),"     \
  " source = coalesce(source, excluded.source), fork = coalesce(fork, excluded.fork),"  \
  " gas_used = coalesce(gas_used, excluded.gas_used),"                                  \
  " gas_limit = coalesce(gas_limit, excluded.gas_limit),"                               \
  " tx_count = coalesce(tx_count, excluded.tx_count), bytes = coalesce(bytes, excluded.bytes)"

#define RUN_COLS                                                                        \
  "started_at, finished_at, status, git_rev, prover_config, backend, profile, gpus,"   \
  " deadline_ms, host, command_line"

struct db_handle {
  sqlite3 *h;
  int readonly;
  char err[DB_ERRMSG_MAX];
};

/* ---- errors ---- */

const char *db_strerror(int code) {
  switch (code) {
  case DB_OK: return "ok";
  case DB_E_NOMEM: return "out of memory";
  case DB_E_IO: return "I/O error";
  case DB_E_NOTFOUND: return "no such database";
  case DB_E_NOTDB: return "not a SQLite database";
  case DB_E_CORRUPT: return "database is corrupt";
  case DB_E_NEWER: return "database schema is newer than this build";
  case DB_E_FOREIGN: return "not a pkbench database";
  case DB_E_SQL: return "SQLite error";
  case DB_E_BUSY: return "database is locked";
  case DB_E_DUPLICATE: return "already recorded";
  case DB_E_NOENT: return "no such row";
  case DB_E_ARG: return "invalid argument";
  case DB_E_READONLY: return "database opened read-only";
  default: return "unknown error";
  }
}

static void vfmt(char *buf, size_t len, const char *fmt, va_list ap) {
  if (buf && len) vsnprintf(buf, len, fmt, ap);
}

static void fmt(char *buf, size_t len, const char *fmt_, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t len, const char *fmt_, ...) {
  va_list ap;
  va_start(ap, fmt_);
  vfmt(buf, len, fmt_, ap);
  va_end(ap);
}

static int fail(db_handle *db, int code, const char *fmt_, ...) __attribute__((format(printf, 3, 4)));
static int fail(db_handle *db, int code, const char *fmt_, ...) {
  va_list ap;
  va_start(ap, fmt_);
  vfmt(db->err, sizeof db->err, fmt_, ap);
  va_end(ap);
  return code;
}

/* Map an (extended) SQLite result code to a DB_E_* code. */
static int map_rc(int rc) {
  switch (rc & 0xff) {
  case SQLITE_OK: case SQLITE_ROW: case SQLITE_DONE: return DB_OK;
  case SQLITE_NOMEM: return DB_E_NOMEM;
  case SQLITE_BUSY: case SQLITE_LOCKED: return DB_E_BUSY;
  case SQLITE_CORRUPT: return DB_E_CORRUPT;
  case SQLITE_NOTADB: return DB_E_NOTDB;
  case SQLITE_READONLY: return DB_E_READONLY;
  case SQLITE_IOERR: case SQLITE_CANTOPEN: case SQLITE_FULL: case SQLITE_PERM: return DB_E_IO;
  case SQLITE_CONSTRAINT:
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return DB_E_DUPLICATE;
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return DB_E_NOENT;
    return DB_E_ARG;
  default: return DB_E_SQL;
  }
}

/* Fail with the code of SQLite result rc and its message, prefixed by what. */
static int sql_fail(db_handle *db, int rc, const char *what) {
  return fail(db, map_rc(rc), "%s: %s", what, sqlite3_errmsg(db->h));
}

/* ---- small helpers ---- */

static int status_word_ok(const char *s) {
  if (!s || !*s) return 0;
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
  }
  return n <= DB_STATUS_MAX;
}

static int hash_ok(const char *s) {
  if (!s) return 0;
  for (int i = 0; i < DB_HASH_HEX_LEN; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
  }
  return s[DB_HASH_HEX_LEN] == '\0';
}

static int bind_text(sqlite3_stmt *st, int i, const char *s) {
  return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_i64(sqlite3_stmt *st, int i, int64_t v) {
  return v >= 0 ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

/* NaN counts as unknown too (the comparison is false). */
static int bind_dbl(sqlite3_stmt *st, int i, double v) {
  return v >= 0 ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

static int64_t col_i64(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? DB_NONE : sqlite3_column_int64(st, i);
}

static double col_dbl(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? DB_NONE : sqlite3_column_double(st, i);
}

static int prepare(db_handle *db, const char *sql, sqlite3_stmt **st) {
  int rc = sqlite3_prepare_v2(db->h, sql, -1, st, NULL);
  if (rc != SQLITE_OK) {
    *st = NULL;
    return sql_fail(db, rc, "prepare");
  }
  return DB_OK;
}

static int exec(db_handle *db, const char *sql, const char *what) {
  int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? DB_OK : sql_fail(db, rc, what);
}

static int begin(db_handle *db) {
  if (db->readonly) return fail(db, DB_E_READONLY, "database opened read-only");
  return exec(db, "BEGIN IMMEDIATE", "begin transaction");
}

/* Commit; on failure roll back so the handle is never left inside a transaction. */
static int commit(db_handle *db) {
  int rc = exec(db, "COMMIT", "commit");
  if (rc != DB_OK) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

static void rollback(db_handle *db) {
  if (!sqlite3_get_autocommit(db->h)) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

/* Read one integer from a single-row query (a PRAGMA). */
static int query_int(sqlite3 *h, const char *sql, int64_t *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      *out = sqlite3_column_int64(st, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_ERROR;
    }
  }
  sqlite3_finalize(st);
  return rc;
}

/* "file:" URI for path with query q ("" or "?..."), so that ATTACH and open
 * take the same form and a path with '?' or '%' in it means itself. */
static char *path_uri(const char *path, const char *q) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(path), qn = strlen(q);
  char *u = malloc(7 + 3 * n + qn + 1);
  if (!u) return NULL;
  char *p = u;
  memcpy(p, "file:", 5);
  p += 5;
  if (path[0] == '/') { /* empty authority, so "//x" stays a path */
    memcpy(p, "//", 2);
    p += 2;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)path[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
        c == '.' || c == '-' || c == '_' || c == '~') {
      *p++ = (char)c;
    } else {
      *p++ = '%';
      *p++ = hex[c >> 4];
      *p++ = hex[c & 15];
    }
  }
  memcpy(p, q, qn + 1);
  return u;
}

static int side_file_exists(const char *path, const char *suffix) {
  size_t n = strlen(path), s = strlen(suffix);
  char *f = malloc(n + s + 1);
  if (!f) return 1; /* assume a writer: the safe choice */
  memcpy(f, path, n);
  memcpy(f + n, suffix, s + 1);
  struct stat sb;
  int r = stat(f, &sb) == 0;
  free(f);
  return r;
}

/* ---- checks before open ---- */

typedef struct {
  int64_t version;
  int64_t app_id;
  int64_t objects; /* rows of sqlite_schema */
} file_facts;

/* Read the facts of an existing SQLite file through a read-only connection
 * and run quick_check. Returns DB_OK or an error with msg set. */
static int check_sqlite(const char *path, int immutable, file_facts *ff, char *msg, size_t len) {
  char *uri = path_uri(path, immutable ? "?mode=ro&immutable=1" : "?mode=ro");
  if (!uri) return DB_E_NOMEM;
  sqlite3 *h = NULL;
  int rc = sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  free(uri);
  int code = DB_OK;
  if (rc != SQLITE_OK) {
    code = map_rc(rc);
    fmt(msg, len, "%s: cannot open: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
    goto out;
  }
  sqlite3_extended_result_codes(h, 1);
  sqlite3_busy_timeout(h, DB_BUSY_TIMEOUT_MS);
  /* The version first: a newer schema is reported as newer even if this
   * SQLite cannot parse it. */
  if ((rc = query_int(h, "PRAGMA user_version", &ff->version)) != SQLITE_OK ||
      (rc = query_int(h, "PRAGMA application_id", &ff->app_id)) != SQLITE_OK) {
    code = map_rc(rc);
    fmt(msg, len, "%s: cannot read the header: %s", path, sqlite3_errmsg(h));
    goto out;
  }
  if (ff->version > DB_N_MIGRATIONS && ff->app_id == DB_APP_ID) goto out;
  sqlite3_stmt *st = NULL;
  rc = sqlite3_prepare_v2(h, "PRAGMA quick_check(1)", -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const char *r = col_text(st, 0);
    if (!r || strcmp(r, "ok") != 0) {
      code = DB_E_CORRUPT;
      fmt(msg, len, "%s: database is corrupt: %s", path, r ? r : "(no detail)");
    }
  } else {
    code = map_rc(rc);
    if (code == DB_OK) code = DB_E_SQL;
    fmt(msg, len, "%s: integrity check failed: %s", path, sqlite3_errmsg(h));
  }
  sqlite3_finalize(st);
  if (code != DB_OK) goto out;
  if ((rc = query_int(h, "SELECT count(*) FROM sqlite_master", &ff->objects)) != SQLITE_OK) {
    code = map_rc(rc);
    fmt(msg, len, "%s: cannot read the schema: %s", path, sqlite3_errmsg(h));
  }
out:
  sqlite3_close(h);
  return code;
}

/* Everything db_open and db_merge check before touching a file. Returns
 * DB_OK with *fresh = 1 for an empty file (a new database), DB_OK with
 * *fresh = 0 and *version for a pkbench database this build can use, or an
 * error with msg set. DB_E_NOTFOUND when the file does not exist. */
static int check_file(const char *path, int *fresh, int64_t *version, char *msg, size_t len) {
  static const char magic[16] = "SQLite format 3";
  struct stat sb;
  *fresh = 0;
  *version = 0;
  if (stat(path, &sb) != 0) {
    int e = errno;
    fmt(msg, len, "%s: %s", path, strerror(e));
    return e == ENOENT ? DB_E_NOTFOUND : DB_E_IO;
  }
  if (!S_ISREG(sb.st_mode)) {
    fmt(msg, len, "%s: not a regular file", path);
    return DB_E_IO;
  }
  int writer = side_file_exists(path, "-wal") || side_file_exists(path, "-journal");
  if (sb.st_size == 0 && !writer) {
    *fresh = 1;
    return DB_OK;
  }
  if (sb.st_size > 0) {
    char head[100];
    FILE *f = fopen(path, "rb");
    if (!f) {
      fmt(msg, len, "%s: %s", path, strerror(errno));
      return DB_E_IO;
    }
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (got < sizeof head || memcmp(head, magic, sizeof magic) != 0) {
      fmt(msg, len, "%s: not a SQLite database (bad header)", path);
      return DB_E_NOTDB;
    }
  }
  file_facts ff = {0, 0, 0};
  int rc = check_sqlite(path, !writer, &ff, msg, len);
  if (rc != DB_OK && !writer &&
      (side_file_exists(path, "-wal") || side_file_exists(path, "-journal"))) {
    /* A writer appeared while the file was read as immutable: read it again,
     * this time through the locks. */
    ff = (file_facts){0, 0, 0};
    rc = check_sqlite(path, 0, &ff, msg, len);
  }
  if (rc != DB_OK) return rc;
  if (ff.version == 0 && ff.app_id == 0 && ff.objects == 0) {
    *fresh = 1;
    return DB_OK;
  }
  if (ff.app_id != DB_APP_ID || ff.version <= 0) {
    fmt(msg, len, "%s: a SQLite database that pkbench did not write (application_id %lld, "
        "user_version %lld)", path, (long long)ff.app_id, (long long)ff.version);
    return DB_E_FOREIGN;
  }
  if (ff.version > DB_N_MIGRATIONS) {
    fmt(msg, len, "%s: schema version %lld is newer than this build knows (%d); use a newer pkbench",
        path, (long long)ff.version, DB_N_MIGRATIONS);
    return DB_E_NEWER;
  }
  *version = ff.version;
  return DB_OK;
}

/* ---- open, migrate, close ---- */

int db_schema_version(void) { return DB_N_MIGRATIONS; }

/* Bring db from its version to target, one transaction per migration. The
 * version is read again inside each transaction: another process may have
 * migrated meanwhile. */
static int migrate(db_handle *db, int target) {
  int64_t now = 0;
  int src = query_int(db->h, "PRAGMA user_version", &now);
  if (src != SQLITE_OK) return sql_fail(db, src, "read schema version");
  if (now >= target && now <= DB_N_MIGRATIONS) return DB_OK; /* the usual case: no write lock */
  for (;;) {
    int rc = begin(db);
    if (rc != DB_OK) return rc;
    int64_t v = 0;
    src = query_int(db->h, "PRAGMA user_version", &v);
    if (src != SQLITE_OK) {
      rc = sql_fail(db, src, "read schema version");
      rollback(db);
      return rc;
    }
    if (v > DB_N_MIGRATIONS) {
      rollback(db);
      return fail(db, DB_E_NEWER, "schema version %lld is newer than this build knows (%d)",
                  (long long)v, DB_N_MIGRATIONS);
    }
    if (v >= target) {
      rollback(db); /* nothing was written */
      return DB_OK;
    }
    char set[64];
    snprintf(set, sizeof set, "PRAGMA user_version = %lld", (long long)v + 1);
    char what[48];
    snprintf(what, sizeof what, "migration %lld", (long long)v + 1);
    if ((rc = exec(db, db_migrations[v], what)) != DB_OK || (rc = exec(db, set, what)) != DB_OK) {
      rollback(db);
      return rc;
    }
    if ((rc = commit(db)) != DB_OK) return rc;
  }
}

static int setup_connection(db_handle *db) {
  sqlite3_extended_result_codes(db->h, 1);
  sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
  int rc = exec(db, "PRAGMA foreign_keys = ON", "enable foreign keys");
  if (rc != DB_OK || db->readonly) return rc;
  sqlite3_stmt *st = NULL;
  if ((rc = prepare(db, "PRAGMA journal_mode = WAL", &st)) != DB_OK) return rc;
  int s = sqlite3_step(st);
  if (s != SQLITE_ROW) {
    rc = sql_fail(db, s, "enable WAL");
  } else if (!col_text(st, 0) || strcmp(col_text(st, 0), "wal") != 0) {
    rc = fail(db, DB_E_IO, "enable WAL: journal mode stays '%s'", col_text(st, 0) ? col_text(st, 0) : "?");
  }
  sqlite3_finalize(st);
  if (rc != DB_OK) return rc;
  return exec(db, "PRAGMA synchronous = FULL", "set synchronous");
}

int db_open_at(const char *path, unsigned flags, int version, db_handle **out, char *errbuf,
               size_t errlen) {
  if (errbuf && errlen) errbuf[0] = '\0';
  if (!out) return DB_E_ARG;
  *out = NULL;
  if (!path || !*path || (flags & ~(DB_OPEN_CREATE | DB_OPEN_READONLY)) || version < 1 ||
      version > DB_N_MIGRATIONS) {
    fmt(errbuf, errlen, "db_open: invalid argument");
    return DB_E_ARG;
  }
  int readonly = (flags & DB_OPEN_READONLY) != 0;
  int create = (flags & DB_OPEN_CREATE) != 0 && !readonly;
  int fresh = 0;
  int64_t have = 0;
  int rc = check_file(path, &fresh, &have, errbuf, errlen);
  if (rc == DB_E_NOTFOUND && create) {
    rc = DB_OK;
    fresh = 1;
  }
  if (rc != DB_OK) return rc;
  if (fresh && !create) {
    fmt(errbuf, errlen, "%s: empty database%s", path,
        readonly ? " (opened read-only)" : " (creation not asked for)");
    return DB_E_NOTFOUND;
  }

  db_handle *db = calloc(1, sizeof *db);
  char *uri = path_uri(path, readonly ? "?mode=ro" : "");
  if (!db || !uri) {
    free(db);
    free(uri);
    fmt(errbuf, errlen, "%s: out of memory", path);
    return DB_E_NOMEM;
  }
  db->readonly = readonly;
  int oflags = SQLITE_OPEN_URI | (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
               (create ? SQLITE_OPEN_CREATE : 0);
  int src = sqlite3_open_v2(uri, &db->h, oflags, NULL);
  free(uri);
  if (src != SQLITE_OK) {
    rc = map_rc(src);
    fmt(errbuf, errlen, "%s: cannot open: %s", path, db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(src));
    goto fail;
  }
  if ((rc = setup_connection(db)) != DB_OK) goto fail_msg;
  if (!readonly && (rc = migrate(db, version)) != DB_OK) goto fail_msg;
  *out = db;
  return DB_OK;
fail_msg:
  fmt(errbuf, errlen, "%s: %s", path, db->err);
fail:
  sqlite3_close(db->h);
  free(db);
  return rc;
}

int db_open(const char *path, unsigned flags, db_handle **out, char *errbuf, size_t errlen) {
  return db_open_at(path, flags, DB_N_MIGRATIONS, out, errbuf, errlen);
}

void db_close(db_handle *db) {
  if (!db) return;
  rollback(db);
  sqlite3_close(db->h);
  free(db);
}

const char *db_errmsg(const db_handle *db) { return db ? db->err : "no database handle"; }

struct sqlite3 *db_sqlite(db_handle *db) { return db ? db->h : NULL; }

int db_user_version(db_handle *db, int *version) {
  if (!db || !version) return DB_E_ARG;
  int64_t v = 0;
  int rc = query_int(db->h, "PRAGMA user_version", &v);
  if (rc != SQLITE_OK) return sql_fail(db, rc, "read schema version");
  *version = (int)v;
  return DB_OK;
}

/* ---- runs ---- */

int db_run_begin(db_handle *db, const db_run_info *info, int64_t *run_id) {
  if (!db) return DB_E_ARG;
  if (db->readonly) return fail(db, DB_E_READONLY, "database opened read-only");
  db_run_info none = {NULL, NULL, NULL, NULL, NULL, DB_NONE, DB_NONE, NULL, NULL};
  if (!info) info = &none;
  sqlite3_stmt *st;
  int rc = prepare(db,
                   "INSERT INTO runs (uuid, " RUN_COLS ") VALUES (lower(hex(randomblob(16))),"
                   " coalesce(?1, " NOW_SQL "), NULL, '" DB_RUN_RUNNING "', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                   &st);
  if (rc != DB_OK) return rc;
  bind_text(st, 1, info->started_at);
  bind_text(st, 2, info->git_rev);
  bind_text(st, 3, info->prover_config);
  bind_text(st, 4, info->backend);
  bind_text(st, 5, info->profile);
  bind_i64(st, 6, info->gpus);
  bind_i64(st, 7, info->deadline_ms);
  bind_text(st, 8, info->host);
  bind_text(st, 9, info->command_line);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s != SQLITE_DONE) return sql_fail(db, s, "begin run");
  if (run_id) *run_id = sqlite3_last_insert_rowid(db->h);
  return DB_OK;
}

int db_run_finish(db_handle *db, int64_t run_id, const char *status) {
  if (!db) return DB_E_ARG;
  if (!status_word_ok(status)) return fail(db, DB_E_ARG, "run status must be one lower-case word");
  if (db->readonly) return fail(db, DB_E_READONLY, "database opened read-only");
  sqlite3_stmt *st;
  int rc = prepare(db, "UPDATE runs SET status = ?1, finished_at = " NOW_SQL " WHERE id = ?2", &st);
  if (rc != DB_OK) return rc;
  bind_text(st, 1, status);
  sqlite3_bind_int64(st, 2, run_id);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s != SQLITE_DONE) return sql_fail(db, s, "finish run");
  if (sqlite3_changes(db->h) == 0) return fail(db, DB_E_NOENT, "no run %lld", (long long)run_id);
  return DB_OK;
}

int db_run_last(db_handle *db, int64_t *run_id) {
  if (!db || !run_id) return DB_E_ARG;
  sqlite3_stmt *st;
  int rc = prepare(db, "SELECT max(id) FROM runs", &st);
  if (rc != DB_OK) return rc;
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    *run_id = sqlite3_column_int64(st, 0);
    rc = DB_OK;
  } else if (s == SQLITE_ROW) {
    rc = fail(db, DB_E_NOENT, "no runs recorded");
  } else {
    rc = sql_fail(db, s, "last run");
  }
  sqlite3_finalize(st);
  return rc;
}

#define RUN_SELECT                                                                        \
  "SELECT u.id, u.uuid, u.finished_at, u.status, u.origin_db, u.origin_run_id,"          \
  " u.started_at, u.git_rev, u.prover_config, u.backend, u.profile, u.gpus, u.deadline_ms," \
  " u.host, u.command_line,"                                                              \
  " (SELECT count(*) FROM results r WHERE r.run_id = u.id),"                             \
  " (SELECT count(*) FROM results r WHERE r.run_id = u.id AND r.status = '" DB_RESULT_OK "'),"         \
  " (SELECT count(*) FROM results r WHERE r.run_id = u.id AND r.made_slot = 1)"          \
  " FROM runs u"

static void run_row(sqlite3_stmt *st, db_run_row *r) {
  r->id = sqlite3_column_int64(st, 0);
  r->uuid = col_text(st, 1);
  r->finished_at = col_text(st, 2);
  r->status = col_text(st, 3);
  r->origin_db = col_text(st, 4);
  r->origin_run_id = col_i64(st, 5);
  r->info.started_at = col_text(st, 6);
  r->info.git_rev = col_text(st, 7);
  r->info.prover_config = col_text(st, 8);
  r->info.backend = col_text(st, 9);
  r->info.profile = col_text(st, 10);
  r->info.gpus = col_i64(st, 11);
  r->info.deadline_ms = col_i64(st, 12);
  r->info.host = col_text(st, 13);
  r->info.command_line = col_text(st, 14);
  r->n_results = sqlite3_column_int64(st, 15);
  r->n_ok = sqlite3_column_int64(st, 16);
  r->n_made_slot = sqlite3_column_int64(st, 17);
}

/* Step st to the end: fill a rowtype from each row and hand it to cb; stop
 * when cb returns non-zero. Sets the caller's rc; rows counts the rows seen.
 * A macro because the row type differs per iterator. */
#define ITERATE(db, st, rowtype, fill, cb, ctx, rows, what)            \
  do {                                                                 \
    int s_;                                                            \
    rc = DB_OK;                                                        \
    while ((s_ = sqlite3_step(st)) == SQLITE_ROW) {                    \
      rowtype row_;                                                    \
      fill(st, &row_);                                                 \
      (rows)++;                                                        \
      if ((rc = (cb)((ctx), &row_)) != 0) break;                       \
    }                                                                  \
    if (rc == DB_OK && s_ != SQLITE_DONE) rc = sql_fail(db, s_, what); \
  } while (0)

int db_run_get(db_handle *db, int64_t run_id, db_run_cb cb, void *ctx) {
  if (!db || !cb) return DB_E_ARG;
  sqlite3_stmt *st;
  int rc = prepare(db, RUN_SELECT " WHERE u.id = ?1", &st);
  if (rc != DB_OK) return rc;
  sqlite3_bind_int64(st, 1, run_id);
  int64_t n = 0;
  ITERATE(db, st, db_run_row, run_row, cb, ctx, n, "read run");
  sqlite3_finalize(st);
  if (rc == DB_OK && n == 0) rc = fail(db, DB_E_NOENT, "no run %lld", (long long)run_id);
  return rc;
}

int db_runs_list(db_handle *db, db_run_cb cb, void *ctx) {
  if (!db || !cb) return DB_E_ARG;
  sqlite3_stmt *st;
  int rc = prepare(db, RUN_SELECT " ORDER BY u.id", &st);
  if (rc != DB_OK) return rc;
  int64_t n = 0;
  ITERATE(db, st, db_run_row, run_row, cb, ctx, n, "list runs");
  sqlite3_finalize(st);
  return rc;
}

/* ---- blocks ---- */

static int find_block(db_handle *db, const char *hash, int64_t *block_id) {
  sqlite3_stmt *st;
  int rc = prepare(db, "SELECT id FROM blocks WHERE content_hash = ?1", &st);
  if (rc != DB_OK) return rc;
  bind_text(st, 1, hash);
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW) {
    if (block_id) *block_id = sqlite3_column_int64(st, 0);
  } else if (s == SQLITE_DONE) {
    rc = fail(db, DB_E_NOENT, "no block %s", hash);
  } else {
    rc = sql_fail(db, s, "find block");
  }
  sqlite3_finalize(st);
  return rc;
}

int db_block_find(db_handle *db, const char *content_hash, int64_t *block_id) {
  if (!db) return DB_E_ARG;
  if (!hash_ok(content_hash)) return fail(db, DB_E_ARG, "content hash must be 64 lower-case hex digits");
  return find_block(db, content_hash, block_id);
}

int db_block_upsert(db_handle *db, const db_block_info *b, int64_t *block_id) {
  if (!db) return DB_E_ARG;
  if (!b || !hash_ok(b->content_hash))
    return fail(db, DB_E_ARG, "content hash must be 64 lower-case hex digits");
  int rc = begin(db);
  if (rc != DB_OK) return rc;
  sqlite3_stmt *st;
  if ((rc = prepare(db,
                    "INSERT INTO blocks (" BLOCK_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                    NOW_SQL ")" BLOCK_UPSERT_TAIL, &st)) != DB_OK) {
    rollback(db);
    return rc;
  }
  bind_text(st, 1, b->content_hash);
  bind_text(st, 2, b->name);
  bind_text(st, 3, b->source);
  bind_text(st, 4, b->fork);
  bind_i64(st, 5, b->gas_used);
  bind_i64(st, 6, b->gas_limit);
  bind_i64(st, 7, b->tx_count);
  bind_i64(st, 8, b->bytes);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s != SQLITE_DONE) rc = sql_fail(db, s, "record block");
  if (rc == DB_OK) rc = find_block(db, b->content_hash, block_id);
  if (rc != DB_OK) {
    rollback(db);
    return rc;
  }
  return commit(db);
}

/* ---- results ---- */

static int check_result(db_handle *db, const db_result_info *r, const db_phase *phases,
                        size_t n_phases, const db_table *tables, size_t n_tables,
                        const db_shard *shards, size_t n_shards) {
  if (!r) return fail(db, DB_E_ARG, "no result");
  if (!status_word_ok(r->status)) return fail(db, DB_E_ARG, "result status must be one lower-case word");
  if (r->made_slot != 0 && r->made_slot != 1 && r->made_slot != DB_NONE)
    return fail(db, DB_E_ARG, "made_slot must be 0, 1 or DB_NONE");
  if ((n_phases && !phases) || (n_tables && !tables)) return fail(db, DB_E_ARG, "NULL phases or tables");
  for (size_t i = 0; i < n_phases; i++)
    if (!phases[i].name || !*phases[i].name) return fail(db, DB_E_ARG, "phase %zu has no name", i);
  for (size_t i = 0; i < n_tables; i++)
    if (!tables[i].name || !*tables[i].name) return fail(db, DB_E_ARG, "table %zu has no name", i);
  if (n_shards && !shards) return fail(db, DB_E_ARG, "NULL shards");
  for (size_t i = 0; i < n_shards; i++) {
    if (!shards[i].table || !*shards[i].table) return fail(db, DB_E_ARG, "shard %zu has no table name", i);
    if (shards[i].shard < 0) return fail(db, DB_E_ARG, "shard %zu has a negative index", i);
  }
  return DB_OK;
}

/* Schema version of the main database; read inside a write transaction it
 * cannot change before the commit. */
static int main_version(db_handle *db, int64_t *v) {
  int rc = query_int(db->h, "PRAGMA main.user_version", v);
  return rc == SQLITE_OK ? DB_OK : sql_fail(db, rc, "read schema version");
}

/* The result row; sized_ms (?15) only into a database that has the column
 * (proj: version DB_V_PROJECTION or later). */
#define INSERT_RESULT_SQL(cols, vals)                                                    \
  "INSERT INTO results (run_id, block_id, status, reason, exec_ms, trace_ms,"          \
  " prove_ms, verify_ms, projected_latency_ms, projection_label, made_slot,"           \
  " peak_mem_kb, estimate_ms, proof_bytes, recorded_at" cols ") VALUES (?1, ?2, ?3, ?4," \
  " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, " NOW_SQL vals ")"

static int insert_result(db_handle *db, const db_result_info *r, int proj, int64_t *id) {
  sqlite3_stmt *st;
  int rc = prepare(db, proj ? INSERT_RESULT_SQL(", sized_ms", ", ?15") : INSERT_RESULT_SQL("", ""), &st);
  if (rc != DB_OK) return rc;
  if (proj) bind_dbl(st, 15, r->sized_ms);
  sqlite3_bind_int64(st, 1, r->run_id);
  sqlite3_bind_int64(st, 2, r->block_id);
  bind_text(st, 3, r->status);
  bind_text(st, 4, r->reason);
  bind_dbl(st, 5, r->exec_ms);
  bind_dbl(st, 6, r->trace_ms);
  bind_dbl(st, 7, r->prove_ms);
  bind_dbl(st, 8, r->verify_ms);
  bind_dbl(st, 9, r->projected_latency_ms);
  bind_text(st, 10, r->projection_label);
  bind_i64(st, 11, r->made_slot);
  bind_i64(st, 12, r->peak_mem_kb);
  bind_dbl(st, 13, r->estimate_ms);
  bind_i64(st, 14, r->proof_bytes);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s == SQLITE_DONE) {
    *id = sqlite3_last_insert_rowid(db->h);
    return DB_OK;
  }
  rc = map_rc(s);
  if (rc == DB_E_DUPLICATE)
    return fail(db, rc, "run %lld already has a result for block %lld", (long long)r->run_id,
                (long long)r->block_id);
  if (rc == DB_E_NOENT)
    return fail(db, rc, "no run %lld or no block %lld", (long long)r->run_id, (long long)r->block_id);
  return sql_fail(db, s, "record result");
}

static int insert_phases(db_handle *db, int64_t id, const db_phase *p, size_t n) {
  if (n == 0) return DB_OK;
  sqlite3_stmt *st;
  int rc = prepare(db, "INSERT INTO phases (result_id, seq, name, ms) VALUES (?1, ?2, ?3, ?4)", &st);
  for (size_t i = 0; rc == DB_OK && i < n; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (int64_t)i);
    bind_text(st, 3, p[i].name);
    bind_dbl(st, 4, p[i].ms);
    int s = sqlite3_step(st);
    if (s != SQLITE_DONE) {
      rc = map_rc(s) == DB_E_DUPLICATE ? fail(db, DB_E_DUPLICATE, "phase '%s' given twice", p[i].name)
                                       : sql_fail(db, s, "record phase");
    }
  }
  sqlite3_finalize(st);
  return rc;
}

/* The table rows; est_ms (?7) only into a database that has the column. */
static int insert_tables(db_handle *db, int64_t id, const db_table *t, size_t n, int proj) {
  if (n == 0) return DB_OK;
  sqlite3_stmt *st;
  int rc = prepare(db,
                   proj ? "INSERT INTO tables (result_id, seq, name, rows, width, shards, est_ms)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                        : "INSERT INTO tables (result_id, seq, name, rows, width, shards)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                   &st);
  for (size_t i = 0; rc == DB_OK && i < n; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (int64_t)i);
    bind_text(st, 3, t[i].name);
    bind_i64(st, 4, t[i].rows);
    bind_i64(st, 5, t[i].width);
    bind_i64(st, 6, t[i].shards);
    if (proj) bind_dbl(st, 7, t[i].est_ms);
    int s = sqlite3_step(st);
    if (s != SQLITE_DONE) {
      rc = map_rc(s) == DB_E_DUPLICATE ? fail(db, DB_E_DUPLICATE, "table '%s' given twice", t[i].name)
                                       : sql_fail(db, s, "record table");
    }
  }
  sqlite3_finalize(st);
  return rc;
}

static int insert_shards(db_handle *db, int64_t id, const db_shard *sh, size_t n) {
  if (n == 0) return DB_OK;
  int64_t v = 0;
  int rc = main_version(db, &v);
  if (rc != DB_OK) return rc;
  if (v < DB_V_SHARDS)
    return fail(db, DB_E_ARG, "shards need schema version %d; this database is open at version %lld",
                DB_V_SHARDS, (long long)v);
  sqlite3_stmt *st;
  rc = prepare(db,
               "INSERT INTO shards (result_id, seq, table_name, shard, rows, prove_ms)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
               &st);
  for (size_t i = 0; rc == DB_OK && i < n; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (int64_t)i);
    bind_text(st, 3, sh[i].table);
    sqlite3_bind_int64(st, 4, sh[i].shard);
    bind_i64(st, 5, sh[i].rows);
    bind_dbl(st, 6, sh[i].prove_ms);
    int s = sqlite3_step(st);
    if (s != SQLITE_DONE) {
      rc = map_rc(s) == DB_E_DUPLICATE
               ? fail(db, DB_E_DUPLICATE, "shard %lld of table '%s' given twice", (long long)sh[i].shard,
                      sh[i].table)
               : sql_fail(db, s, "record shard");
    }
  }
  sqlite3_finalize(st);
  return rc;
}

int db_result_record(db_handle *db, const db_result_info *r, const db_phase *phases,
                     size_t n_phases, const db_table *tables, size_t n_tables,
                     int64_t *result_id) {
  return db_result_record_shards(db, r, phases, n_phases, tables, n_tables, NULL, 0, result_id);
}

int db_result_record_shards(db_handle *db, const db_result_info *r, const db_phase *phases,
                            size_t n_phases, const db_table *tables, size_t n_tables,
                            const db_shard *shards, size_t n_shards, int64_t *result_id) {
  if (!db) return DB_E_ARG;
  int rc = check_result(db, r, phases, n_phases, tables, n_tables, shards, n_shards);
  if (rc != DB_OK) return rc;
  if ((rc = begin(db)) != DB_OK) return rc;
  int64_t id = 0, v = 0;
  if ((rc = main_version(db, &v)) != DB_OK || (rc = insert_result(db, r, v >= DB_V_PROJECTION, &id)) != DB_OK ||
      (rc = insert_phases(db, id, phases, n_phases)) != DB_OK ||
      (rc = insert_tables(db, id, tables, n_tables, v >= DB_V_PROJECTION)) != DB_OK ||
      (rc = insert_shards(db, id, shards, n_shards)) != DB_OK) {
    rollback(db);
    return rc;
  }
  if ((rc = commit(db)) != DB_OK) return rc;
  if (result_id) *result_id = id;
  return DB_OK;
}

int db_result_exists(db_handle *db, int64_t run_id, const char *content_hash) {
  if (!db) return DB_E_ARG;
  if (!hash_ok(content_hash)) return fail(db, DB_E_ARG, "content hash must be 64 lower-case hex digits");
  sqlite3_stmt *st;
  int rc = prepare(db,
                   "SELECT 1 FROM results r JOIN blocks b ON b.id = r.block_id"
                   " WHERE r.run_id = ?1 AND b.content_hash = ?2",
                   &st);
  if (rc != DB_OK) return rc;
  sqlite3_bind_int64(st, 1, run_id);
  bind_text(st, 2, content_hash);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s == SQLITE_ROW) return 1;
  if (s == SQLITE_DONE) return 0;
  return sql_fail(db, s, "look up result");
}

static void result_row(sqlite3_stmt *st, db_result_row *r) {
  r->id = sqlite3_column_int64(st, 0);
  r->recorded_at = col_text(st, 1);
  db_result_info *x = &r->result;
  x->run_id = sqlite3_column_int64(st, 2);
  x->block_id = sqlite3_column_int64(st, 3);
  x->status = col_text(st, 4);
  x->reason = col_text(st, 5);
  x->exec_ms = col_dbl(st, 6);
  x->trace_ms = col_dbl(st, 7);
  x->prove_ms = col_dbl(st, 8);
  x->verify_ms = col_dbl(st, 9);
  x->projected_latency_ms = col_dbl(st, 10);
  x->projection_label = col_text(st, 11);
  x->made_slot = (int)col_i64(st, 12);
  x->peak_mem_kb = col_i64(st, 13);
  x->estimate_ms = col_dbl(st, 14);
  x->proof_bytes = col_i64(st, 15);
  db_block_info *b = &r->block;
  b->content_hash = col_text(st, 16);
  b->name = col_text(st, 17);
  b->source = col_text(st, 18);
  b->fork = col_text(st, 19);
  b->gas_used = col_i64(st, 20);
  b->gas_limit = col_i64(st, 21);
  b->tx_count = col_i64(st, 22);
  b->bytes = col_i64(st, 23);
  x->sized_ms = col_dbl(st, 24);
}

#define RESULTS_SQL(sized)                                                                  \
  "SELECT r.id, r.recorded_at, r.run_id, r.block_id, r.status, r.reason, r.exec_ms,"       \
  " r.trace_ms, r.prove_ms, r.verify_ms, r.projected_latency_ms, r.projection_label,"      \
  " r.made_slot, r.peak_mem_kb, r.estimate_ms, r.proof_bytes, b.content_hash,"            \
  " b.name, b.source, b.fork, b.gas_used, b.gas_limit, b.tx_count, b.bytes, " sized         \
  " FROM results r JOIN blocks b ON b.id = r.block_id WHERE r.run_id = ?1"                 \
  " ORDER BY r.id"

int db_results_iter(db_handle *db, int64_t run_id, db_result_cb cb, void *ctx) {
  if (!db || !cb) return DB_E_ARG;
  int64_t v = 0;
  int rc = main_version(db, &v);
  if (rc != DB_OK) return rc;
  sqlite3_stmt *st;
  rc = prepare(db, v >= DB_V_PROJECTION ? RESULTS_SQL("r.sized_ms") : RESULTS_SQL("NULL"), &st);
  if (rc != DB_OK) return rc;
  sqlite3_bind_int64(st, 1, run_id);
  int64_t n = 0;
  ITERATE(db, st, db_result_row, result_row, cb, ctx, n, "read results");
  sqlite3_finalize(st);
  return rc;
}

static void phase_row(sqlite3_stmt *st, db_phase *p) {
  p->name = col_text(st, 0);
  p->ms = col_dbl(st, 1);
}

static void table_row(sqlite3_stmt *st, db_table *t) {
  t->name = col_text(st, 0);
  t->rows = col_i64(st, 1);
  t->width = col_i64(st, 2);
  t->shards = col_i64(st, 3);
  t->est_ms = col_dbl(st, 4);
}

static void shard_row(sqlite3_stmt *st, db_shard *s) {
  s->table = col_text(st, 0);
  s->shard = sqlite3_column_int64(st, 1);
  s->rows = col_i64(st, 2);
  s->prove_ms = col_dbl(st, 3);
}

int db_phases_iter(db_handle *db, int64_t result_id, db_phase_cb cb, void *ctx) {
  if (!db || !cb) return DB_E_ARG;
  sqlite3_stmt *st;
  int rc = prepare(db, "SELECT name, ms FROM phases WHERE result_id = ?1 ORDER BY seq", &st);
  if (rc != DB_OK) return rc;
  sqlite3_bind_int64(st, 1, result_id);
  int64_t n = 0;
  ITERATE(db, st, db_phase, phase_row, cb, ctx, n, "read phases");
  sqlite3_finalize(st);
  return rc;
}

int db_tables_iter(db_handle *db, int64_t result_id, db_table_cb cb, void *ctx) {
  if (!db || !cb) return DB_E_ARG;
  int64_t v = 0;
  int rc = main_version(db, &v);
  if (rc != DB_OK) return rc;
  sqlite3_stmt *st;
  rc = prepare(db,
               v >= DB_V_PROJECTION
                   ? "SELECT name, rows, width, shards, est_ms FROM tables WHERE result_id = ?1 ORDER BY seq"
                   : "SELECT name, rows, width, shards, NULL FROM tables WHERE result_id = ?1 ORDER BY seq",
               &st);
  if (rc != DB_OK) return rc;
  sqlite3_bind_int64(st, 1, result_id);
  int64_t n = 0;
  ITERATE(db, st, db_table, table_row, cb, ctx, n, "read tables");
  sqlite3_finalize(st);
  return rc;
}

int db_shards_iter(db_handle *db, int64_t result_id, db_shard_cb cb, void *ctx) {
  if (!db || !cb) return DB_E_ARG;
  int64_t v = 0;
  int rc = main_version(db, &v);
  if (rc != DB_OK || v < DB_V_SHARDS) return rc;
  sqlite3_stmt *st;
  rc = prepare(db,
               "SELECT table_name, shard, rows, prove_ms FROM shards WHERE result_id = ?1 ORDER BY seq",
               &st);
  if (rc != DB_OK) return rc;
  sqlite3_bind_int64(st, 1, result_id);
  int64_t n = 0;
  ITERATE(db, st, db_shard, shard_row, cb, ctx, n, "read shards");
  sqlite3_finalize(st);
  return rc;
}

/* ---- killers ---- */

int db_killer_record(db_handle *db, const db_killer_info *k, int64_t *killer_id) {
  if (!db) return DB_E_ARG;
  if (!k || !k->objective || !*k->objective) return fail(db, DB_E_ARG, "killer needs an objective");
  if (k->provenance) {
    cJSON *j = cJSON_Parse(k->provenance);
    if (!j) return fail(db, DB_E_ARG, "killer provenance is not valid JSON");
    cJSON_Delete(j);
  }
  int rc = begin(db);
  if (rc != DB_OK) return rc;
  sqlite3_stmt *st;
  if ((rc = prepare(db,
                    "INSERT INTO killers (block_id, objective, value, found_by, found_at, provenance)"
                    " VALUES (?1, ?2, ?3, ?4, coalesce(?5, " NOW_SQL "), ?6)"
                    " ON CONFLICT(block_id, objective) DO NOTHING",
                    &st)) != DB_OK) {
    rollback(db);
    return rc;
  }
  sqlite3_bind_int64(st, 1, k->block_id);
  bind_text(st, 2, k->objective);
  sqlite3_bind_double(st, 3, k->value);
  bind_text(st, 4, k->found_by);
  bind_text(st, 5, k->found_at);
  bind_text(st, 6, k->provenance);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s != SQLITE_DONE) {
    rc = map_rc(s) == DB_E_NOENT ? fail(db, DB_E_NOENT, "no block %lld", (long long)k->block_id)
                                 : sql_fail(db, s, "record killer");
    rollback(db);
    return rc;
  }
  int inserted = sqlite3_changes(db->h) > 0;
  int64_t id = sqlite3_last_insert_rowid(db->h);
  if (!inserted) {
    if ((rc = prepare(db, "SELECT id FROM killers WHERE block_id = ?1 AND objective = ?2", &st)) != DB_OK) {
      rollback(db);
      return rc;
    }
    sqlite3_bind_int64(st, 1, k->block_id);
    bind_text(st, 2, k->objective);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    else rc = sql_fail(db, s, "find killer");
    sqlite3_finalize(st);
  }
  if (rc != DB_OK) {
    rollback(db);
    return rc;
  }
  if (inserted) {
    if ((rc = commit(db)) != DB_OK) return rc;
  } else {
    rollback(db); /* nothing was written */
  }
  if (killer_id) *killer_id = id;
  return inserted ? DB_OK
                  : fail(db, DB_E_DUPLICATE, "block %lld already has a killer for objective '%s'",
                         (long long)k->block_id, k->objective);
}

static void killer_row(sqlite3_stmt *st, db_killer_row *r) {
  r->id = sqlite3_column_int64(st, 0);
  r->content_hash = col_text(st, 1);
  r->block_name = col_text(st, 2);
  r->killer.block_id = sqlite3_column_int64(st, 3);
  r->killer.objective = col_text(st, 4);
  r->killer.value = col_dbl(st, 5);
  r->killer.found_by = col_text(st, 6);
  r->killer.found_at = col_text(st, 7);
  r->killer.provenance = col_text(st, 8);
}

int db_killers_iter(db_handle *db, db_killer_cb cb, void *ctx) {
  if (!db || !cb) return DB_E_ARG;
  sqlite3_stmt *st;
  int rc = prepare(db,
                   "SELECT k.id, b.content_hash, b.name, k.block_id, k.objective, k.value,"
                   " k.found_by, k.found_at, k.provenance FROM killers k"
                   " JOIN blocks b ON b.id = k.block_id ORDER BY k.objective, k.value DESC, k.id",
                   &st);
  if (rc != DB_OK) return rc;
  int64_t n = 0;
  ITERATE(db, st, db_killer_row, killer_row, cb, ctx, n, "read killers");
  sqlite3_finalize(st);
  return rc;
}

/* ---- merge ---- */

/* The merge, statement by statement, inside one transaction with the other
 * database attached read-only as pkb_src. Temp tables map the other
 * database's ids to ours: blocks by content hash, runs by uuid, results by
 * (run, block). Only results new to us bring their phases, tables and shards
 * (the shards only from a database at version 3 or later: an older one has
 * none). */
static const char merge_blocks_sql[] =
    "INSERT INTO main.blocks (" BLOCK_COLS ") SELECT " BLOCK_COLS
    " FROM pkb_src.blocks WHERE true ORDER BY id" BLOCK_UPSERT_TAIL;

static const char merge_block_map_sql[] =
    "CREATE TEMP TABLE pkb_mblock (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);"
    "INSERT INTO temp.pkb_mblock SELECT s.id, d.id FROM pkb_src.blocks s"
    " JOIN main.blocks d ON d.content_hash = s.content_hash;";

/* ?1: where the other database is, for runs recorded there. */
static const char merge_runs_sql[] =
    "INSERT INTO main.runs (uuid, " RUN_COLS ", origin_db, origin_run_id) SELECT uuid, " RUN_COLS
    ", coalesce(origin_db, ?1), coalesce(origin_run_id, id) FROM pkb_src.runs"
    " WHERE uuid NOT IN (SELECT uuid FROM main.runs) ORDER BY id";

static const char merge_rest_sql[] =
    /* a run we hold as running that the other database has seen finish */
    "UPDATE main.runs AS t SET finished_at = s.finished_at, status = s.status"
    " FROM pkb_src.runs AS s"
    " WHERE t.uuid = s.uuid AND t.finished_at IS NULL AND s.finished_at IS NOT NULL;"
    "CREATE TEMP TABLE pkb_mrun (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);"
    "INSERT INTO temp.pkb_mrun SELECT s.id, d.id FROM pkb_src.runs s"
    " JOIN main.runs d ON d.uuid = s.uuid;"
    "CREATE TEMP TABLE pkb_mresult (src INTEGER PRIMARY KEY, run INTEGER NOT NULL,"
    " block INTEGER NOT NULL, dst INTEGER);"
    "INSERT INTO temp.pkb_mresult (src, run, block) SELECT r.id, mr.dst, mb.dst"
    " FROM pkb_src.results r JOIN temp.pkb_mrun mr ON mr.src = r.run_id"
    " JOIN temp.pkb_mblock mb ON mb.src = r.block_id"
    " WHERE NOT EXISTS (SELECT 1 FROM main.results d WHERE d.run_id = mr.dst AND d.block_id = mb.dst);"
    "INSERT INTO main.results (run_id, block_id, status, reason, exec_ms, trace_ms, prove_ms,"
    " verify_ms, projected_latency_ms, projection_label, made_slot, peak_mem_kb, estimate_ms,"
    " proof_bytes, recorded_at)"
    " SELECT x.run, x.block, r.status, r.reason, r.exec_ms, r.trace_ms, r.prove_ms, r.verify_ms,"
    " r.projected_latency_ms, r.projection_label, r.made_slot, r.peak_mem_kb, r.estimate_ms,"
    " r.proof_bytes, r.recorded_at FROM temp.pkb_mresult x JOIN pkb_src.results r ON r.id = x.src"
    " ORDER BY x.src;"
    "UPDATE temp.pkb_mresult SET dst = (SELECT d.id FROM main.results d"
    " WHERE d.run_id = pkb_mresult.run AND d.block_id = pkb_mresult.block);"
    "INSERT INTO main.phases (result_id, seq, name, ms) SELECT x.dst, p.seq, p.name, p.ms"
    " FROM pkb_src.phases p JOIN temp.pkb_mresult x ON x.src = p.result_id;"
    "INSERT INTO main.tables (result_id, seq, name, rows, width, shards)"
    " SELECT x.dst, t.seq, t.name, t.rows, t.width, t.shards"
    " FROM pkb_src.tables t JOIN temp.pkb_mresult x ON x.src = t.result_id;";

/* Run after merge_rest_sql, while temp.pkb_mresult maps the new results. */
static const char merge_shards_sql[] =
    "INSERT INTO main.shards (result_id, seq, table_name, shard, rows, prove_ms)"
    " SELECT x.dst, s.seq, s.table_name, s.shard, s.rows, s.prove_ms"
    " FROM pkb_src.shards s JOIN temp.pkb_mresult x ON x.src = s.result_id";

/* Run after merge_rest_sql when both databases have the projection columns. */
static const char merge_projection_sql[] =
    "UPDATE main.results SET sized_ms = (SELECT r.sized_ms FROM pkb_src.results r"
    " JOIN temp.pkb_mresult x ON x.src = r.id WHERE x.dst = main.results.id)"
    " WHERE id IN (SELECT dst FROM temp.pkb_mresult);"
    "UPDATE main.tables SET est_ms = (SELECT t.est_ms FROM pkb_src.tables t"
    " JOIN temp.pkb_mresult x ON x.src = t.result_id"
    " WHERE x.dst = main.tables.result_id AND t.seq = main.tables.seq)"
    " WHERE result_id IN (SELECT dst FROM temp.pkb_mresult);";

static const char merge_shards_count_sql[] =
    "SELECT count(*) FROM pkb_src.shards s JOIN temp.pkb_mresult x ON x.src = s.result_id";

static const char merge_killers_sql[] =
    "INSERT INTO main.killers (block_id, objective, value, found_by, found_at, provenance)"
    " SELECT mb.dst, k.objective, k.value, k.found_by, k.found_at, k.provenance"
    " FROM pkb_src.killers k JOIN temp.pkb_mblock mb ON mb.src = k.block_id"
    " WHERE true ORDER BY k.id ON CONFLICT(block_id, objective) DO NOTHING";

static const char merge_cleanup_sql[] =
    "DROP TABLE IF EXISTS temp.pkb_mblock; DROP TABLE IF EXISTS temp.pkb_mrun;"
    " DROP TABLE IF EXISTS temp.pkb_mresult;";

/* Run one statement with an optional text parameter; *changes gets the rows it changed. */
static int run_one(db_handle *db, const char *sql, const char *param, int64_t *changes, const char *what) {
  sqlite3_stmt *st;
  int rc = prepare(db, sql, &st);
  if (rc != DB_OK) return rc;
  if (param) bind_text(st, 1, param);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s != SQLITE_DONE && s != SQLITE_ROW) return sql_fail(db, s, what);
  if (changes) *changes = sqlite3_changes(db->h);
  return DB_OK;
}

static int count_blocks(db_handle *db, int64_t *n) {
  int rc = query_int(db->h, "SELECT count(*) FROM main.blocks", n);
  return rc == SQLITE_OK ? DB_OK : sql_fail(db, rc, "count blocks");
}

/* Copy the shards of the results just merged from a pkb_src that has them.
 * A receiving database open at a version without shards takes the merge only
 * when there are none to copy: results must not arrive without them. */
static int merge_shards(db_handle *db) {
  int64_t v = 0, n = 0;
  int rc = main_version(db, &v);
  if (rc != DB_OK) return rc;
  if (v >= DB_V_SHARDS) return run_one(db, merge_shards_sql, NULL, NULL, "merge shards");
  if (query_int(db->h, merge_shards_count_sql, &n) != SQLITE_OK)
    return sql_fail(db, sqlite3_errcode(db->h), "count shards");
  if (n > 0)
    return fail(db, DB_E_ARG, "the other database has shards; this one is open at schema version %lld "
                "(shards need %d)", (long long)v, DB_V_SHARDS);
  return DB_OK;
}

/* The merge proper, with pkb_src attached and a transaction open. */
static int merge_attached(db_handle *db, const char *origin, db_merge_stats *st) {
  int64_t v = 0, app = 0, before = 0, after = 0;
  int rc;
  if (query_int(db->h, "PRAGMA pkb_src.user_version", &v) != SQLITE_OK ||
      query_int(db->h, "PRAGMA pkb_src.application_id", &app) != SQLITE_OK)
    return sql_fail(db, sqlite3_errcode(db->h), "read the other database's version");
  if (app != DB_APP_ID || v < 1 || v > DB_N_MIGRATIONS)
    return fail(db, v > DB_N_MIGRATIONS ? DB_E_NEWER : DB_E_FOREIGN,
                "other database changed while merging (version %lld)", (long long)v);
  if ((rc = exec(db, merge_cleanup_sql, "merge")) != DB_OK || (rc = count_blocks(db, &before)) != DB_OK ||
      (rc = run_one(db, merge_blocks_sql, NULL, NULL, "merge blocks")) != DB_OK ||
      (rc = count_blocks(db, &after)) != DB_OK || (rc = exec(db, merge_block_map_sql, "merge blocks")) != DB_OK ||
      (rc = run_one(db, merge_runs_sql, origin, &st->runs, "merge runs")) != DB_OK)
    return rc;
  st->blocks = after - before;
  /* merge_rest_sql is several statements: count the results insert alone. */
  int64_t n_before = 0, n_after = 0;
  if (query_int(db->h, "SELECT count(*) FROM main.results", &n_before) != SQLITE_OK)
    return sql_fail(db, sqlite3_errcode(db->h), "count results");
  if ((rc = exec(db, merge_rest_sql, "merge results")) != DB_OK) return rc;
  if (query_int(db->h, "SELECT count(*) FROM main.results", &n_after) != SQLITE_OK)
    return sql_fail(db, sqlite3_errcode(db->h), "count results");
  st->results = n_after - n_before;
  if (v >= DB_V_SHARDS && (rc = merge_shards(db)) != DB_OK) return rc;
  /* The projections come along where both sides have them (a projection,
   * unlike a shard, can be recomputed, so an older receiver drops them). */
  int64_t mv = 0;
  if ((rc = main_version(db, &mv)) != DB_OK) return rc;
  if (v >= DB_V_PROJECTION && mv >= DB_V_PROJECTION && (rc = exec(db, merge_projection_sql, "merge projections")) != DB_OK)
    return rc;
  if ((rc = run_one(db, merge_killers_sql, NULL, &st->killers, "merge killers")) != DB_OK) return rc;
  return exec(db, merge_cleanup_sql, "merge");
}

int db_merge(db_handle *db, const char *other_path, db_merge_stats *stats) {
  if (!db) return DB_E_ARG;
  db_merge_stats local = {0, 0, 0, 0};
  if (stats) *stats = local;
  if (!other_path || !*other_path) return fail(db, DB_E_ARG, "no database to merge");
  if (db->readonly) return fail(db, DB_E_READONLY, "database opened read-only");
  char msg[DB_ERRMSG_MAX];
  int fresh = 0;
  int64_t version = 0;
  int rc = check_file(other_path, &fresh, &version, msg, sizeof msg);
  if (rc != DB_OK) return fail(db, rc, "%s", msg);
  if (fresh) return fail(db, DB_E_NOTFOUND, "%s: empty database, nothing to merge", other_path);
  const char *self = sqlite3_db_filename(db->h, "main");
  struct stat a, b;
  if (self && *self && stat(self, &a) == 0 && stat(other_path, &b) == 0 && a.st_dev == b.st_dev &&
      a.st_ino == b.st_ino)
    return fail(db, DB_E_ARG, "%s: cannot merge a database into itself", other_path);

  char *origin = realpath(other_path, NULL);
  char *uri = path_uri(other_path, "?mode=ro");
  if (!uri) {
    free(origin);
    return fail(db, DB_E_NOMEM, "out of memory");
  }
  rc = run_one(db, "ATTACH DATABASE ?1 AS pkb_src", uri, NULL, "attach the other database");
  free(uri);
  if (rc == DB_OK) {
    if ((rc = begin(db)) == DB_OK) {
      rc = merge_attached(db, origin ? origin : other_path, &local);
      if (rc == DB_OK) {
        rc = commit(db);
      } else {
        rollback(db);
      }
    }
    char keep[DB_ERRMSG_MAX];
    memcpy(keep, db->err, sizeof keep);
    sqlite3_exec(db->h, "DETACH DATABASE pkb_src", NULL, NULL, NULL);
    memcpy(db->err, keep, sizeof keep);
  }
  free(origin);
  if (rc == DB_OK && stats) *stats = local;
  return rc;
}
