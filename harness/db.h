/* db: the results database (SQLite), where every run, block, result, phase
 * timing, table size, per-shard proving time and found killer is kept.
 *
 * The schema and the reasons for its shape are described at the top of db.c.
 * This header is the contract:
 *
 * - Every function returns DB_OK (0) or a negative DB_E_* code; on error the
 *   handle's message (db_errmsg) says what and why. Nothing here prints or exits.
 * - Opening checks before it writes: a file that is not SQLite, a corrupt file,
 *   a database written by a newer schema, or a SQLite database that is not a
 *   pkbench one is refused with its own code, and the file is left as it was
 *   (no migration, no journal-mode change, no write of any kind).
 * - Each write is one transaction: a result with its phases, tables and shards
 *   is either wholly recorded or not at all, and is durable once the call returns.
 * - Numbers that may be unknown: any int64_t or double field below 0 (use
 *   DB_NONE) is stored as NULL and reads back as DB_NONE. made_slot is 0, 1 or
 *   DB_NONE. Strings may be NULL (stored as NULL) unless a field says otherwise.
 * - Strings handed to a callback (db_*_row, db_phase, db_table, db_shard, db_killer_info)
 *   are owned by the database and valid only during that call. A callback
 *   returns 0 to go on; any other value stops the iteration and is returned by
 *   the iterating function as is. A callback may read through the same handle
 *   but must not write through it.
 * - A handle is used by one thread at a time. Several processes may share one
 *   database file (WAL mode, busy timeout DB_BUSY_TIMEOUT_MS).
 */
#ifndef PKB_DB_H
#define PKB_DB_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;

typedef struct db_handle db_handle;

enum {
  DB_OK = 0,
  DB_E_NOMEM = -1,     /* allocation failed */
  DB_E_IO = -2,        /* the file could not be opened, read or written */
  DB_E_NOTFOUND = -3,  /* no such file, or an empty one, and no creation asked (or read-only) */
  DB_E_NOTDB = -4,     /* the file is not a SQLite database */
  DB_E_CORRUPT = -5,   /* SQLite database that fails its integrity check */
  DB_E_NEWER = -6,     /* schema version newer than this build knows */
  DB_E_FOREIGN = -7,   /* a SQLite database that pkbench did not write */
  DB_E_SQL = -8,       /* any other SQLite failure */
  DB_E_BUSY = -9,      /* another process held the lock past the busy timeout */
  DB_E_DUPLICATE = -10, /* the row exists: (run, block) result, phase or table name,
                          (table, shard), killer */
  DB_E_NOENT = -11,    /* no such run, block or result */
  DB_E_ARG = -12,      /* invalid argument (NULL, bad hash, bad status, ...) */
  DB_E_READONLY = -13  /* write on a handle opened with DB_OPEN_READONLY */
};

/* db_open flags. */
#define DB_OPEN_CREATE 1u   /* create the file (and the schema) when missing or empty */
#define DB_OPEN_READONLY 2u /* no writes at all: no migration, write calls fail */

#define DB_NONE (-1)               /* "not known" for numeric fields */
#define DB_HASH_HEX_LEN 64         /* content hash: SHA-256, lower-case hex */
#define DB_BUSY_TIMEOUT_MS 10000
#define DB_ERRMSG_MAX 512          /* longest message db_errmsg or an errbuf holds */

/* Conventional status words. Status columns hold one lower-case word
 * ([a-z0-9_]+, at most 32 bytes); these are the ones pkbench writes. */
#define DB_RUN_RUNNING "running"   /* set by db_run_begin */
#define DB_RUN_DONE "done"         /* every block of the run was handled */
#define DB_RUN_ABORTED "aborted"   /* stopped early (signal, user) */
#define DB_RUN_FAILED "failed"     /* stopped by an error of the harness itself */

#define DB_RESULT_OK "ok"                  /* proven, and the proof verified */
#define DB_RESULT_FAILED "failed"          /* execution or proving failed: see reason */
#define DB_RESULT_VERIFY_FAILED "verify_failed" /* a proof was made but did not verify */
#define DB_RESULT_DECODED "decoded"        /* decoded and estimated only, not proven */
#define DB_RESULT_INVALID "invalid"        /* the block file was rejected by the decoder */
#define DB_RESULT_TIMEOUT "timeout"        /* given up after the run's time cap */

/* A run: one invocation of `pkbench run` / `hunt` over a set of blocks. */
typedef struct {
  const char *started_at;    /* ISO 8601 UTC; NULL on input means now */
  const char *git_rev;
  const char *prover_config; /* free text (JSON by convention): blowup, queries, shard size... */
  const char *backend;       /* "cpu", "cuda" */
  const char *profile;       /* hardware profile the projections use, e.g. "h100" */
  int64_t gpus;              /* G of the cluster model */
  int64_t deadline_ms;       /* slot deadline made_slot is measured against */
  const char *host;
  const char *command_line;
} db_run_info;

/* A block, identified by its content hash (blk_content_hash). */
typedef struct {
  const char *content_hash;  /* required: DB_HASH_HEX_LEN lower-case hex digits */
  const char *name;
  const char *source;        /* "corpus", "gen", "hunt", "eest", ... */
  const char *fork;          /* "Cancun", "Prague", "Osaka" */
  int64_t gas_used;
  int64_t gas_limit;
  int64_t tx_count;
  int64_t bytes;             /* size of the .blk encoding */
} db_block_info;

/* The outcome of one block in one run. */
typedef struct {
  int64_t run_id;                 /* required, an existing run */
  int64_t block_id;               /* required, an existing block */
  const char *status;             /* required: DB_RESULT_* or another status word */
  const char *reason;             /* why, when not ok */
  double exec_ms, trace_ms, prove_ms, verify_ms; /* measured on this host */
  double projected_latency_ms;    /* from the deadline model */
  const char *projection_label;   /* e.g. "projected:h100x16", "measured:host" */
  int made_slot;                  /* 1, 0, or DB_NONE when not known */
  int64_t peak_mem_kb;
  double estimate_ms;             /* estimated cost (no proof) */
  int64_t proof_bytes;
  double sized_ms;                /* projected cost of the tables only sized, not proven, in this
                                     run (the cost model); DB_NONE when not known. Stored from schema
                                     version 4 on, read back as DB_NONE below it */
} db_result_info;

/* One phase timing of a result; names are unique within a result. */
typedef struct {
  const char *name;               /* required: "execute", "trace", "lde", "commit", ... */
  double ms;
} db_phase;

/* One AIR table of a result; names are unique within a result. */
typedef struct {
  const char *name;               /* required: "cpu", "memory", "keccak", ... */
  int64_t rows;
  int64_t width;
  int64_t shards;
  double est_ms;                  /* the cost model's time for this table; DB_NONE when not known
                                     (stored from schema version 4 on, as sized_ms) */
} db_table;

/* The proof of one shard of a result, for the cluster model: the shards of a
 * block are scheduled longest first onto G workers, so with every shard's time
 * the latency for any G can be computed again from the database alone.
 * (table, shard) pairs are unique within a result. */
typedef struct {
  const char *table;              /* required: the AIR table the shard is cut from */
  int64_t shard;                  /* required, >= 0: index of the shard within its table */
  int64_t rows;                   /* rows of the shard (padded height) */
  double prove_ms;                /* time to prove this shard alone, measured on this host */
} db_shard;

/* A found prover killer. */
typedef struct {
  int64_t block_id;               /* required, an existing block */
  const char *objective;          /* required: what was maximised, e.g. "estimate_ms", "prove_ms" */
  double value;                   /* the objective's value for this block */
  const char *found_by;           /* "hunt", "afl++", "libfuzzer", "manual", ... */
  const char *found_at;           /* ISO 8601 UTC; NULL on input means now */
  const char *provenance;         /* JSON text (must parse) or NULL: seed, generation, parents... */
} db_killer_info;

typedef struct {
  int64_t id;
  const char *uuid;               /* identity of the run across merged databases */
  const char *finished_at;        /* NULL while running */
  const char *status;
  const char *origin_db;          /* database the run was first recorded in; NULL: this one */
  int64_t origin_run_id;          /* its id there; DB_NONE when recorded here */
  db_run_info info;               /* started_at is always set */
  int64_t n_results;              /* results recorded */
  int64_t n_ok;                   /* of which status "ok" */
  int64_t n_made_slot;            /* of which made_slot = 1 */
} db_run_row;

typedef struct {
  int64_t id;                     /* result id (for db_phases_iter, db_tables_iter, db_shards_iter) */
  const char *recorded_at;
  db_result_info result;
  db_block_info block;
} db_result_row;

typedef struct {
  int64_t id;
  const char *content_hash;       /* of killer.block_id */
  const char *block_name;
  db_killer_info killer;
} db_killer_row;

typedef struct {
  int64_t runs;      /* runs added */
  int64_t blocks;    /* blocks added (blocks already known by hash are not counted) */
  int64_t results;   /* results added */
  int64_t killers;   /* killers added */
} db_merge_stats;

typedef int (*db_run_cb)(void *ctx, const db_run_row *row);
typedef int (*db_result_cb)(void *ctx, const db_result_row *row);
typedef int (*db_phase_cb)(void *ctx, const db_phase *phase);
typedef int (*db_table_cb)(void *ctx, const db_table *table);
typedef int (*db_shard_cb)(void *ctx, const db_shard *shard);
typedef int (*db_killer_cb)(void *ctx, const db_killer_row *row);

/* Open (and with DB_OPEN_CREATE create) the database at path and bring its
 * schema to the latest version, each migration in its own transaction. The
 * file is checked read-only first; on any refusal *out is NULL, the file is
 * untouched and errbuf (if non-NULL, errlen bytes, DB_ERRMSG_MAX suffice) holds
 * a message naming the path. An empty file counts as a new database. */
int db_open(const char *path, unsigned flags, db_handle **out, char *errbuf, size_t errlen);

/* As db_open, but migrate no further than version (1..db_schema_version());
 * a database already at or above it (up to the latest) is opened as it is.
 * For tests of the migration path and tools that must write an older schema. */
int db_open_at(const char *path, unsigned flags, int version, db_handle **out, char *errbuf,
               size_t errlen);

/* Close; NULL is fine. Outstanding data is already committed. */
void db_close(db_handle *db);

/* Last error message of db ("" if none). Valid until the next call on db. */
const char *db_errmsg(const db_handle *db);

/* Static description of a DB_E_* code. */
const char *db_strerror(int code);

/* The schema version this build writes (the number of migrations). */
int db_schema_version(void);

/* The schema version of the open database (PRAGMA user_version). */
int db_user_version(db_handle *db, int *version);

/* The underlying connection, for read-only queries the functions here do not
 * cover (reports). Do not write through it nor change its settings. */
struct sqlite3 *db_sqlite(db_handle *db);

/* Start a run (status DB_RUN_RUNNING); *run_id receives its id. info may be NULL. */
int db_run_begin(db_handle *db, const db_run_info *info, int64_t *run_id);

/* Set a run's final status (a status word) and finished_at = now. DB_E_NOENT if no such run. */
int db_run_finish(db_handle *db, int64_t run_id, const char *status);

/* Id of the most recently started run (largest id); DB_E_NOENT when there is none. */
int db_run_last(db_handle *db, int64_t *run_id);

/* Call cb once with run run_id; DB_E_NOENT if no such run. */
int db_run_get(db_handle *db, int64_t run_id, db_run_cb cb, void *ctx);

/* Call cb for every run, oldest first. */
int db_runs_list(db_handle *db, db_run_cb cb, void *ctx);

/* Insert the block, or find it by content hash; fields the stored row lacks
 * (NULL) are filled from b, fields it has are kept. *block_id (may be NULL)
 * receives its id. */
int db_block_upsert(db_handle *db, const db_block_info *b, int64_t *block_id);

/* Id of the block with this content hash; DB_E_NOENT if none. */
int db_block_find(db_handle *db, const char *content_hash, int64_t *block_id);

/* Record a result with its phases and tables in one transaction: all of it or
 * none of it is stored. A second result for the same (run, block), a phase or
 * table name given twice, or a run or block that does not exist fail with
 * DB_E_DUPLICATE / DB_E_NOENT and leave the database as it was. phases and
 * tables may be NULL when their count is 0. *result_id may be NULL. */
int db_result_record(db_handle *db, const db_result_info *r, const db_phase *phases,
                     size_t n_phases, const db_table *tables, size_t n_tables,
                     int64_t *result_id);

/* As db_result_record, with the result's shard proofs in the same transaction,
 * kept in the order given. A shard without a table name or with a negative
 * index is DB_E_ARG; a (table, shard) pair given twice is DB_E_DUPLICATE; in
 * both cases nothing of the result is stored. shards may be NULL when n_shards
 * is 0. Shards need schema version 3: on a database opened at an older version
 * (db_open_at) a call with n_shards > 0 fails with DB_E_ARG and stores nothing;
 * with n_shards = 0 it is db_result_record. */
int db_result_record_shards(db_handle *db, const db_result_info *r, const db_phase *phases,
                            size_t n_phases, const db_table *tables, size_t n_tables,
                            const db_shard *shards, size_t n_shards, int64_t *result_id);

/* 1 if run run_id has a result for the block with this content hash, 0 if
 * not, negative on error. Used to resume a run. */
int db_result_exists(db_handle *db, int64_t run_id, const char *content_hash);

/* Call cb for every result of run run_id in the order recorded. */
int db_results_iter(db_handle *db, int64_t run_id, db_result_cb cb, void *ctx);

/* Call cb for each phase / table of a result, in the order given when recorded. */
int db_phases_iter(db_handle *db, int64_t result_id, db_phase_cb cb, void *ctx);
int db_tables_iter(db_handle *db, int64_t result_id, db_table_cb cb, void *ctx);

/* Call cb for each shard of a result, in the order given when recorded. A
 * database older than version 3 has no shards: cb is not called, DB_OK. */
int db_shards_iter(db_handle *db, int64_t result_id, db_shard_cb cb, void *ctx);

/* Record a killer. One row per (block, objective): when one exists already
 * the call returns DB_E_DUPLICATE, keeps the first finding and sets *killer_id
 * (may be NULL) to it. */
int db_killer_record(db_handle *db, const db_killer_info *k, int64_t *killer_id);

/* Call cb for every killer, highest value first within each objective. */
int db_killers_iter(db_handle *db, db_killer_cb cb, void *ctx);

/* Copy into db everything of the database at other_path that db lacks, in one
 * transaction: blocks matched by content hash, runs matched by uuid (a new
 * run gets a new id and keeps where it came from in origin_db and
 * origin_run_id), results matched by (run, block) with their phases, tables
 * and shards, killers matched by (block, objective). Merging the same database
 * again adds nothing new. other_path is opened read-only and checked as
 * db_open checks; merging a database into itself is DB_E_ARG. A database older
 * than version 3 merges as one without shards; merging shards into db while db
 * is open at an older version is DB_E_ARG, and nothing is merged. stats may be
 * NULL. */
int db_merge(db_handle *db, const char *other_path, db_merge_stats *stats);

#endif
