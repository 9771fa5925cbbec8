/* conformance: run state-test fixtures against the executor and count verdicts.
 *
 * Every case of every fixture found under the given paths (files, or folders
 * searched recursively for *.json) is imported (fix.h), executed
 * (evm_execute_block) and judged:
 *   - a valid transaction passes when it is applied, the post-state root equals
 *     the fixture's `hash`, the logs hash equals `logs`, and (when the fixture
 *     carries `txbytes`) the block's transaction encodes to exactly those bytes,
 *     which checks the import and the signature as well;
 *   - a case with `expectException` passes when the executor rejects the
 *     transaction and the state root (then that of the pre-state) matches;
 *   - a case is skipped, with its reason, when the executor reports that it
 *     needs a precompile this build lacks, or the importer could not represent
 *     it (a fork pkbench does not model, an invalid transaction the block format
 *     cannot hold);
 *   - a fixture file that cannot be imported counts as one failure.
 * For a root mismatch the first differing account is named when the fixture
 * carries the expected post-state (`state`, execution-spec-tests fills).
 *
 * Library code: results are returned as data; nothing is printed.
 */
#ifndef PKB_CONFORMANCE_H
#define PKB_CONFORMANCE_H

#include <stddef.h>

#include "fix.h"

enum {
  CONF_OK = 0,
  CONF_E_NOMEM = -1,
  CONF_E_PATH = -2 /* a path does not exist, cannot be read, or holds no *.json file */
};

typedef enum { CONF_PASS = 0, CONF_FAIL = 1, CONF_SKIP = 2 } conf_verdict;

#define CONF_DETAIL_MAX 1024

typedef struct {
  char *file;   /* fixture path */
  char *test;   /* NULL when the whole file failed to import */
  char fork[FIX_FORK_NAME_MAX];
  size_t post_index;
  size_t idx_data, idx_gas, idx_value;
  conf_verdict verdict;
  char detail[CONF_DETAIL_MAX]; /* why it failed or was skipped; empty for a pass */
} conf_result;

typedef struct {
  size_t passed, failed, skipped;
  size_t files; /* fixture files processed */
} conf_counts;

/* Called after each file; so_far includes that file. */
typedef void (*conf_progress_fn)(void *ctx, size_t file_index, size_t n_files, const char *path,
                                 const conf_counts *so_far);

typedef struct {
  const char *fork;          /* run only this fork's cases (exact name); NULL: all */
  int keep_passes;           /* also record passing cases in the report */
  conf_progress_fn progress; /* may be NULL */
  void *progress_ctx;
  int trace;                 /* also run each passing case through the trace collector
                                (conf_trace_case): a refusal fails the case */
} conf_opts;

typedef struct {
  conf_counts counts;
  conf_result *results; /* failures and skips (and passes with keep_passes), in run order */
  size_t n_results;
} conf_report;

/* The fixture files under paths: an existing regular file is taken as it is;
 * a folder is searched recursively for regular files named *.json. The list is
 * sorted and free of duplicates; *files is owned by the caller
 * (conf_files_free). CONF_E_PATH names the offending path in err (err_len
 * bytes, may be NULL when err_len is 0). */
int conf_collect(const char *const *paths, size_t n_paths, char ***files, size_t *n_files, char *err,
                 size_t err_len);
void conf_files_free(char **files, size_t n);

/* Judge one imported case (see above). detail receives the reason for a fail
 * or a skip (empty for a pass). */
conf_verdict conf_check_case(const fix_case *c, char *detail, size_t detail_len);

/* Execute the case again with the trace collector attached (the options of
 * a proof with lookups, TRACE_OPT_LOOKUPS): CONF_PASS when it builds its
 * tables, so that its replay of every frame's memory agrees with the
 * executor's bytes; CONF_SKIP when a value of the run does not fit the
 * tables (TRACE_E_RANGE: gas counters past the field, as many fixtures'
 * gas limits are); CONF_FAIL with the reason in detail otherwise. */
conf_verdict conf_trace_case(const fix_case *c, char *detail, size_t detail_len);

/* Collect, import, execute and judge everything under paths. *out is always
 * initialised (conf_report_free). Returns CONF_OK when the run completed
 * (failures are in the report, not in the status), CONF_E_PATH or
 * CONF_E_NOMEM otherwise, with err saying why. */
int conf_run(const char *const *paths, size_t n_paths, const conf_opts *opts, conf_report *out, char *err,
             size_t err_len);
void conf_report_free(conf_report *r);

const char *conf_verdict_name(conf_verdict v); /* "pass", "fail", "skip" */

#endif
