/* cli_conformance: `pkbench conformance [--verbose] [--fork NAME] [--trace] PATH...`.
 *
 * Runs every state-test case under the paths (conformance.h), prints one line
 * per failed case (and per skipped case with --verbose), and ends with the
 * line "N passed, N failed, N skipped". Exit status: 0 when nothing failed,
 * 1 when a case failed, 2 for bad arguments or paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk.h"
#include "cli.h"
#include "conformance.h"

static const char *const k_usage =
    "usage: pkbench conformance [--verbose] [--fork NAME] [--trace] PATH...\n"
    "\n"
    "Runs Ethereum state-test fixtures (ethereum/tests GeneralStateTests and\n"
    "execution-spec-tests state_test JSON) against the executor: each case's\n"
    "post-state root, logs hash and transaction encoding must match the fixture,\n"
    "and a transaction the fixture marks with expectException must be rejected.\n"
    "\n"
    "arguments:\n"
    "  PATH...        fixture files, or folders searched recursively for *.json\n"
    "  --fork NAME    run only the cases of one fork (Cancun, Prague, Osaka)\n"
    "  --trace        also run each passing case through the prover's trace\n"
    "                 collector (the tables of a proof with --lookups): a case\n"
    "                 fails when the collector refuses it (its replay of memory or\n"
    "                 storage disagrees with the executor or the pre-state) or when\n"
    "                 a table breaks its AIR's constraints, checked as one shard\n"
    "  --verbose, -v  also list skipped cases (failures are always listed)\n"
    "  --help, -h     this text\n"
    "\n"
    "A case is skipped when it needs a precompile this build lacks or cannot be\n"
    "represented as a block. The last line is 'N passed, N failed, N skipped'.\n"
    "Exit status: 0 no failure, 1 some case failed, 2 bad arguments or paths.\n";

typedef struct {
  int tty;
} progress_ctx;

static void progress(void *ctx, size_t i, size_t n, const char *path, const conf_counts *k) {
  const progress_ctx *p = ctx;
  (void)path;
  if (!p->tty) return;
  fprintf(stderr, "\r[%zu/%zu files] %zu passed, %zu failed, %zu skipped", i + 1, n, k->passed, k->failed,
          k->skipped);
  if (i + 1 == n) fputc('\n', stderr);
  fflush(stderr);
}

static void print_result(const conf_result *r) {
  const char *tag = r->verdict == CONF_FAIL ? "FAIL" : r->verdict == CONF_SKIP ? "SKIP" : "PASS";
  if (!r->test) {
    printf("%s %s: %s\n", tag, r->file, r->detail);
    return;
  }
  printf("%s %s: %s [%s d=%zu g=%zu v=%zu]%s%s\n", tag, r->file, r->test, r->fork, r->idx_data, r->idx_gas,
         r->idx_value, r->detail[0] ? ": " : "", r->detail);
}

int cli_conformance(int argc, char **argv) {
  const char *sub = argc > 0 ? argv[0] : "conformance";
  int verbose = 0, only_paths = 0, trace = 0;
  const char *fork = NULL;
  const char **paths = argc > 1 ? (const char **)calloc((size_t)argc, sizeof *paths) : NULL;
  size_t n_paths = 0;
  if (argc > 1 && !paths) {
    cli_err(sub, "out of memory");
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!only_paths && cli_is_help(a)) {
      fputs(k_usage, stdout);
      free(paths);
      return 0;
    } else if (!only_paths && (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)) {
      verbose = 1;
    } else if (!only_paths && strcmp(a, "--trace") == 0) {
      trace = 1;
    } else if (!only_paths && strcmp(a, "--fork") == 0) {
      blk_fork f;
      if (i + 1 >= argc) {
        cli_err(sub, "--fork: a fork name is required (Cancun, Prague, Osaka)");
        free(paths);
        return 2;
      }
      fork = argv[++i];
      if (blk_fork_from_name(fork, &f) != BLK_OK) {
        cli_err(sub, "--fork: unknown fork '%s' (Cancun, Prague, Osaka)", fork);
        free(paths);
        return 2;
      }
    } else if (!only_paths && strcmp(a, "--") == 0) {
      only_paths = 1;
    } else if (!only_paths && a[0] == '-' && a[1]) {
      cli_err(sub, "unknown option '%s' (try 'pkbench conformance --help')", a);
      free(paths);
      return 2;
    } else {
      paths[n_paths++] = a;
    }
  }
  if (n_paths == 0) {
    cli_err(sub, "no fixture path given (try 'pkbench conformance --help')");
    free(paths);
    return 2;
  }

  progress_ctx pc = {isatty(fileno(stderr))};
  conf_opts opts = {fork, 0, progress, &pc, trace};
  conf_report rep;
  char err[512] = "";
  int rc = conf_run(paths, n_paths, &opts, &rep, err, sizeof err);
  free(paths);
  if (rc == CONF_E_PATH) {
    cli_err(sub, "%s", err);
    conf_report_free(&rep);
    return 2;
  }
  if (rc != CONF_OK) {
    cli_err(sub, "run stopped: %s", err);
    conf_report_free(&rep);
    return 2;
  }
  for (size_t i = 0; i < rep.n_results; i++)
    if (rep.results[i].verdict == CONF_FAIL || verbose) print_result(&rep.results[i]);
  printf("%zu passed, %zu failed, %zu skipped\n", rep.counts.passed, rep.counts.failed, rep.counts.skipped);
  int status = rep.counts.failed ? 1 : 0;
  conf_report_free(&rep);
  return status;
}
