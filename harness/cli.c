/* cli: subcommand dispatch, --help and --version, and small helpers shared by
 * the subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "blk.h"
#include "build_info.h"
#include "model.h"
#include "runner.h"

typedef struct {
  const char *name;
  int (*fn)(int, char **);
  const char *summary;
} cli_cmd;

static const cli_cmd commands[] = {
    {"run", cli_run, "prove a corpus, record results in the database, print the success table"},
    {"prove", cli_prove, "execute and prove one block file"},
    {"hunt", cli_hunt, "search for prover killers under a gas limit"},
    {"gen", cli_gen, "generate worst-case and mainnet-like blocks"},
    {"import", cli_import, "import state-test fixtures into block files"},
    {"export", cli_export, "export a block file as a test fixture"},
    {"report", cli_report, "draw the success-rate report from the database"},
    {"compare", cli_compare, "compare two runs (regression gate for CI)"},
    {"cost", cli_cost, "proving cost per gas of each opcode and precompile"},
    {"bench", cli_bench, "micro-benchmarks of the prover and the executor"},
    {"conformance", cli_conformance, "run Ethereum state-test fixtures against the executor"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: pkbench [--version] COMMAND [ARGS...]\n"
          "\n"
          "pkbench finds Ethereum blocks that fit the gas limit but take a zero-knowledge\n"
          "prover longer than a slot to prove, and measures how often a prover makes it.\n"
          "\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'pkbench COMMAND --help' describes each command. With no command, 'run' is used.\n");
}

static void version(void) {
  printf("pkbench %s (%s, %s)\nbackends: cpu%s\n", PKB_VERSION, PKB_GIT_REV, PKB_BUILD_TYPE,
         PKB_HAVE_CUDA ? " cuda" : "");
}

int cli_main(int argc, char **argv) {
  if (argc < 2) {
    char *def[] = {"run", NULL};
    return cli_run(1, def);
  }
  const char *sub = argv[1];
  if (cli_is_help(sub) || strcmp(sub, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(sub, "--version") == 0 || strcmp(sub, "version") == 0) {
    version();
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(sub, commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "pkbench: unknown command '%s' (try 'pkbench --help')\n", sub);
  return 2;
}

void cli_err(const char *sub, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "pkbench %s: ", sub);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int cli_make_dir(const char *sub, const char *path) {
  size_t n = strlen(path);
  char *p = malloc(n + 1);
  if (!p) {
    cli_err(sub, "%s: cannot create folder: out of memory", path);
    return -1;
  }
  memcpy(p, path, n + 1);
  int rc = 0;
  /* Each prefix that ends before a '/' (not the root's), then the whole. */
  for (size_t i = 1; i <= n && rc == 0; i++) {
    if (i < n && p[i] != '/') continue;
    if (i < n && p[i - 1] == '/') continue; /* "a//b" */
    char c = p[i];
    p[i] = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      cli_err(sub, "%s: cannot create folder: %s", p, strerror(errno));
      rc = -1;
    }
    p[i] = c;
  }
  struct stat st;
  if (rc == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))) {
    cli_err(sub, "%s: not a folder", path);
    rc = -1;
  }
  free(p);
  return rc;
}

int cli_is_help(const char *s) { return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0; }

int cli_prove_flag(const char *a, unsigned *opts) {
  static const struct {
    const char *flag;
    unsigned bit;
  } flags[] = {
      {"--prove-keccak", TRACE_OPT_PROVE_KECCAK},
      {"--prove-arith", TRACE_OPT_PROVE_ARITH},
      {"--prove-ecrecover", TRACE_OPT_PROVE_ECRECOVER},
      {"--prove-precompiles", TRACE_OPT_PROVE_PRECOMPILES},
      {"--prove-all", TRACE_OPT_PROVE_KECCAK | TRACE_OPT_PROVE_ARITH | TRACE_OPT_PROVE_ECRECOVER |
                          TRACE_OPT_PROVE_PRECOMPILES},
      {"--lookups", TRACE_OPT_LOOKUPS}, /* not part of --prove-all */
  };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (strcmp(a, flags[i].flag) == 0) {
      *opts |= flags[i].bit;
      return 1;
    }
  if (strcmp(a, "--no-lookups") == 0) {
    *opts &= ~(unsigned)TRACE_OPT_LOOKUPS;
    return 1;
  }
  return 0;
}

void cli_progress_start(cli_progress *p, const char *what) {
  snprintf(p->what, sizeof p->what, "%s", what);
  p->t0 = p->last = bench_now_ms();
  p->shown = 0;
}

void cli_shard_progress(void *ctx, size_t done, size_t total, const char *table) {
  cli_progress *p = ctx;
  double now = bench_now_ms();
  if (now - p->last < 500 && done < total) return;
  p->last = now;
  p->shown = 1;
  double el = (now - p->t0) / 1e3;
  fprintf(stderr, "\r%s: %zu/%zu shards proven (%s), %.0f s", p->what, done, total, table, el);
  if (done && done < total) fprintf(stderr, ", about %.0f s left", el / (double)done * (double)(total - done));
  fprintf(stderr, "\033[K");
  fflush(stderr);
}

void cli_progress_attach(cli_progress *p, const char *what, run_opts *o) {
  cli_progress_start(p, what);
  o->on_shard = isatty(2) ? cli_shard_progress : NULL;
  o->on_shard_ctx = p;
}

void cli_progress_end(cli_progress *p) {
  if (p->shown) fprintf(stderr, "\r\033[K");
  p->shown = 0;
}

int cli_trace_budget(const char *cmd, const char *v, size_t *bytes) {
  unsigned long long n;
  if (cli_parse_u64(v, &n) || n < 1 || n > ((unsigned long long)SIZE_MAX >> 20)) {
    cli_err(cmd, "--trace-budget-mib: '%s' is not a positive number of MiB", v);
    return -1;
  }
  *bytes = (size_t)n << 20;
  return 0;
}

int cli_parse_u64(const char *s, unsigned long long *out) {
  if (!s || !*s || *s == '-') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

int cli_not_available(int argc, char **argv, const char *usage_text, const char *what) {
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      printf("%s\nstatus: not available in this build yet (%s).\n", usage_text, what);
      return 0;
    }
  }
  cli_err(argv[0], "not available yet: %s", what);
  return 2;
}

void cli_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch == '\n') fputs("\\n", f);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

int cli_load_block(const char *sub, const char *path, void *block) {
  blk_error e = {0, NULL};
  int rc = blk_read_file(path, (blk_block *)block, &e);
  if (rc == BLK_E_IO) cli_err(sub, "%s: %s: %s", path, e.msg, strerror(errno));
  else if (rc != BLK_OK) cli_err(sub, "%s: offset %zu: %s (%s)", path, e.offset, e.msg, blk_strerror(rc));
  return rc;
}

int cli_prover_setup(const char *sub, const char *backend, int select, const char **profile, void *opts, char *buf,
                     size_t len) {
  run_opts *o = opts;
  if (select) {
    char why[320];
    if (run_select_backend(backend, o, why, sizeof why) != RUN_OK) {
      cli_err(sub, "%s", why);
      return 2;
    }
  }
  if (!*profile) *profile = cli_default_profile(o->device, run_on_device(o), buf, len);
  return cli_load_profile(sub, *profile, &o->profile) ? 2 : 0;
}

const char *cli_default_profile(const char *device, int on_device, char *buf, size_t len) {
  snprintf(buf, len, "host");
  if (!on_device || !device) return buf;
  char name[128], path[256];
  model_profile_name(device, name, sizeof name);
  snprintf(path, sizeof path, "prover/profiles/%s.tsv", name);
  FILE *f = fopen(path, "r");
  if (f) {
    fclose(f);
    snprintf(buf, len, "%s", name);
  }
  return buf;
}

int cli_load_profile(const char *sub, const char *name, void *profile) {
  model_profile *p = profile;
  char path[4096], err[512];
  size_t n = strlen(name);
  if (strchr(name, '/') || (n > 4 && strcmp(name + n - 4, ".tsv") == 0)) snprintf(path, sizeof path, "%s", name);
  else snprintf(path, sizeof path, "prover/profiles/%s.tsv", name);
  FILE *f = fopen(path, "r");
  if (!f) {
    if (strcmp(name, "host") == 0) {
      *p = model_profile_default();
      return 0;
    }
    cli_err(sub, "--profile: %s: no such profile (%s)", name, path);
    return 2;
  }
  fclose(f);
  if (model_profile_load(path, p, err, sizeof err) != MODEL_OK) {
    cli_err(sub, "--profile: %s", err);
    return 2;
  }
  return 0;
}
