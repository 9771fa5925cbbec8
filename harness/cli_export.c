/* cli_export: `pkbench export`: a block file written as an Ethereum test
 * fixture (fix_export.h), to stdout or a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk.h"
#include "cli.h"
#include "fix_export.h"

static const char usage_text[] =
    "usage: pkbench export [--format state_test|blockchain_test] [--name NAME] [--no-post-state]\n"
    "                      [--compact] FILE.blk [--out FILE]\n"
    "\n"
    "Writes the block as a filled execution-spec-tests / ethereum/tests fixture (to\n"
    "stdout by default), so any client's test runner can replay it.\n"
    "state_test (the default): one test per transaction, NAME_tx0.., whose pre-state\n"
    "is the state after the block's earlier transactions; post holds the state root\n"
    "and logs hash this executor computes, the signed transaction (test-key senders\n"
    "signed with their keys, which are written as secretKey), expectException for a\n"
    "rejected transaction and the full post-state; _info holds the gas used.\n"
    "blockchain_test: one fixture of a genesis block (the block's pre-state) and\n"
    "the block, with the header roots, receipts and gas this executor computes and\n"
    "the block RLP; postStateHash states the post-state. Refused, with the reason:\n"
    "a rejected transaction, system contracts in the pre-state, a block whose\n"
    "BLOCKHASH results a chain starting at its genesis cannot reproduce.\n"
    "  --format F       state_test or blockchain_test\n"
    "  --name NAME      test name prefix (default: the file name without .blk)\n"
    "  --no-post-state  leave out each post entry's full `state`\n"
    "  --compact        one line of JSON instead of indented\n"
    "  --out FILE       write there instead of stdout";

/* Progress on a terminal for blocks of many transactions. */
static void progress(void *ctx, size_t done, size_t total) {
  (void)ctx;
  if (total < 64 || (done % 32 && done != total)) return;
  fprintf(stderr, "\rpkbench export: transaction %zu of %zu%s", done, total, done == total ? "\n" : "");
  fflush(stderr);
}

/* The file's base name without its directory and a trailing ".blk". */
static void default_name(const char *path, char *out, size_t n) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  snprintf(out, n, "%s", base);
  size_t l = strlen(out);
  if (l > 4 && strcmp(out + l - 4, ".blk") == 0) out[l - 4] = 0;
  if (!out[0]) snprintf(out, n, "block");
}

int cli_export(int argc, char **argv) {
  const char *file = NULL, *out = NULL, *name = NULL;
  fixx_format fmt = FIXX_STATE_TEST;
  fixx_opts o = {NULL, 1, 1, NULL, NULL};
  if (isatty(STDERR_FILENO)) o.progress = progress;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--format") == 0 && v) {
      if (fixx_format_from_name(v, &fmt) != FIXX_OK) {
        cli_err("export", "--format: unknown format '%s' (state_test or blockchain_test)", v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--out") == 0 && v) {
      out = v;
      i++;
    } else if (strcmp(a, "--name") == 0 && v) {
      if (!v[0]) {
        cli_err("export", "--name: empty name");
        return 2;
      }
      name = v;
      i++;
    } else if (strcmp(a, "--no-post-state") == 0) {
      o.post_state = 0;
    } else if (strcmp(a, "--compact") == 0) {
      o.pretty = 0;
    } else if (a[0] == '-' && a[1]) {
      cli_err("export", "%s: unknown option or missing value (see --help)", a);
      return 2;
    } else if (file) {
      cli_err("export", "%s: only one block file at a time", a);
      return 2;
    } else {
      file = a;
    }
  }
  if (!file) {
    cli_err("export", "no block file given (see --help)");
    return 2;
  }
  char defname[256];
  default_name(file, defname, sizeof defname);
  o.name = name ? name : defname;

  blk_block b;
  if (cli_load_block("export", file, &b) != BLK_OK) return 2;
  char *json = NULL;
  size_t len = 0;
  fixx_error e;
  int rc = fixx_export(&b, fmt, &o, &json, &len, &e);
  blk_free(&b);
  if (rc != FIXX_OK) {
    cli_err("export", "%s: %s", file, e.msg[0] ? e.msg : fixx_strerror(rc));
    return 2;
  }
  FILE *f = out ? fopen(out, "w") : stdout;
  if (!f) {
    cli_err("export", "%s: %s", out, strerror(errno));
    free(json);
    return 2;
  }
  int bad = fwrite(json, 1, len, f) != len || fputc('\n', f) == EOF;
  free(json);
  if (out) bad |= fclose(f) != 0;
  else bad |= fflush(f) != 0;
  if (bad) {
    cli_err("export", "%s: write failed: %s", out ? out : "stdout", strerror(errno));
    return 2;
  }
  return 0;
}
