/* cli: the pkbench command line. Only this layer prints or exits.
 *
 * Each subcommand is one function cli_<name>(argc, argv) in harness/cli_<name>.c,
 * where argv[0] is the subcommand's name. It returns the process exit status:
 * 0 success, 1 a negative verdict (a regression, a failed proof, conformance
 * failures), 2 bad input or a capability this build does not have.
 * Errors are one line on stderr: "pkbench SUB: WHAT: WHY".
 */
#ifndef PKB_CLI_H
#define PKB_CLI_H

#include <stdio.h>
#include <stddef.h>

#include "runner.h"

int cli_main(int argc, char **argv);

int cli_run(int argc, char **argv);
int cli_prove(int argc, char **argv);
int cli_hunt(int argc, char **argv);
int cli_gen(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_cost(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_conformance(int argc, char **argv);

/* One-line error on stderr, prefixed with "pkbench SUB: ". */
void cli_err(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Make the output folder path and any missing folders above it (as
 * mkdir -p). Returns 0, or prints "PATH: cannot create folder: REASON"
 * (or "PATH: not a folder") through cli_err(sub, ...) and returns -1. */
int cli_make_dir(const char *sub, const char *path);

/* Is s "--help" or "-h"? */
int cli_is_help(const char *s);

/* The table options of prove, run, hunt and cost: when a is --prove-keccak,
 * --prove-arith, --prove-ecrecover, --prove-precompiles (the sha256 and
 * blake2f tables) or --prove-all, sets its trace.h TRACE_OPT_PROVE_* bits in
 * *opts, for --lookups (not part of --prove-all; on by default:
 * RUN_DEFAULT_TRACE_OPTS) sets TRACE_OPT_LOOKUPS and for --no-lookups
 * clears it, and returns 1; else 0. */
int cli_prove_flag(const char *a, unsigned *opts);

/* Shard progress of one long block on stderr (run_opts.on_shard with
 * on_shard_ctx a cli_progress), redrawn on one line at most twice a second:
 * "WHAT: done/total shards proven (table), elapsed, time left at the pace
 * so far". For a terminal only; cli_progress_end clears the line. */
typedef struct {
  char what[160];
  double t0, last;
  int shown;
} cli_progress;
void cli_progress_start(cli_progress *p, const char *what);
void cli_shard_progress(void *ctx, size_t done, size_t total, const char *table);
/* cli_progress_start, and o's shard progress set to p when stderr is a
 * terminal (else none). */
void cli_progress_attach(cli_progress *p, const char *what, run_opts *o);
void cli_progress_end(cli_progress *p);

/* --trace-budget-mib N of command cmd into *bytes (run_opts.trace_max_bytes):
 * 0, or -1 after a one-line error when v is not a positive number of MiB. */
int cli_trace_budget(const char *cmd, const char *v, size_t *bytes);
/* Its line of --help. */
#define CLI_TRACE_BUDGET_HELP                                                                  \
  "  --trace-budget-mib N  memory the tables may take (default: half of this machine's);\n"     \
  "                   a block whose tables need more is proven in passes: executed again\n"    \
  "                   for each window of the cpu, memory and storage rows that fits, each\n"   \
  "                   window's shards proven before the next (the same proofs, more\n"         \
  "                   execution; with the lookup argument the passes run twice: commit,\n" \
  "                   then prove)\n"

/* Parse a non-negative integer option value; 0 on success, -1 on bad input. */
int cli_parse_u64(const char *s, unsigned long long *out);

/* Help and refusal for a subcommand whose capability is not in this build:
 * --help prints usage (exit 0); anything else says so plainly (exit 2). */
int cli_not_available(int argc, char **argv, const char *usage, const char *what);

/* Read and decode a block file; on failure print the one-line error naming the
 * file, the byte offset and the reason, and return the BLK_E_* code. */
int cli_load_block(const char *sub, const char *path, void *block /* blk_block* */);

/* Load the hardware profile NAME (prover/profiles/NAME.tsv, or a path to a
 * .tsv file) into *profile (a model_profile); "host" without a file is the
 * built-in host profile. Prints the error and returns non-zero on failure. */
int cli_load_profile(const char *sub, const char *name, void *profile);

/* The profile a run estimates with when none is named: on a GPU (on_device)
 * the device's own, prover/profiles/<model_profile_name(device)>.tsv, when
 * that file exists (written by `pkbench bench --backend cuda prover`), else
 * "host". The name is written to buf (len > 0) and returned. */
const char *cli_default_profile(const char *device, int on_device, char *buf, size_t len);

/* A command's prover: when select, the backend named `backend` (cpu, cuda,
 * auto) chosen into opts (a run_opts, run_select_backend), else opts keeps
 * its backend; then the cost profile *profile loaded into opts' profile,
 * where a NULL *profile becomes the backend's default (cli_default_profile,
 * its name written to buf). Prints the error and returns 2 on failure, else
 * 0. */
int cli_prover_setup(const char *sub, const char *backend, int select, const char **profile, void *opts, char *buf,
                     size_t len);

/* JSON string output with escaping. */
void cli_json_str(FILE *f, const char *s);

#endif
