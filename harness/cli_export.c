/* cli_export: `pkbench export`: a block file written as an Ethereum test
 * fixture (fix_export.h), or several block files written as one chain
 * (blockchain_test, fix_bc.h), to stdout or a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk.h"
#include "cli.h"
#include "fix_bc.h"
#include "fix_export.h"

static const char usage_text[] =
    "usage: pkbench export [--format state_test|blockchain_test] [--name NAME] [--no-post-state]\n"
    "                      [--compact] FILE.blk... [--out FILE]\n"
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
    "Several files (blockchain_test only) make one chain, in the order given: the\n"
    "genesis of the first block's pre-state, then every block. Each block must be\n"
    "the child of the one before: its pre-state that block's post-state as this\n"
    "executor computes it, number + 1, a later timestamp, and the gas limit, base\n"
    "fee and excess blob gas a client derives from the parent's header;\n"
    "BLOCKHASH reads the chain's own block hashes. Otherwise the export is\n"
    "refused, naming the block and the reason.\n"
    "  --format F       state_test or blockchain_test\n"
    "  --name NAME      test name prefix (default: the last file's name without .blk)\n"
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

#define MAX_CHAIN_FILES 256

int cli_export(int argc, char **argv) {
  const char *files[MAX_CHAIN_FILES], *out = NULL, *name = NULL;
  size_t n_files = 0;
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
    } else if (n_files == MAX_CHAIN_FILES) {
      cli_err("export", "at most %d block files in one chain", MAX_CHAIN_FILES);
      return 2;
    } else {
      files[n_files++] = a;
    }
  }
  if (!n_files) {
    cli_err("export", "no block file given (see --help)");
    return 2;
  }
  if (n_files > 1 && fmt != FIXX_BLOCKCHAIN_TEST) {
    cli_err("export", "several block files make one chain: give --format blockchain_test");
    return 2;
  }
  const char *file = files[n_files - 1];
  char defname[256];
  default_name(file, defname, sizeof defname);
  o.name = name ? name : defname;

  blk_block *bs = calloc(n_files, sizeof *bs);
  if (!bs) {
    cli_err("export", "out of memory");
    return 2;
  }
  size_t loaded = 0;
  int rc = FIXX_OK;
  for (; loaded < n_files; loaded++)
    if (cli_load_block("export", files[loaded], &bs[loaded]) != BLK_OK) {
      rc = FIXX_E_ARG;
      break;
    }
  char *json = NULL;
  size_t len = 0;
  fixx_error e;
  e.msg[0] = 0;
  if (rc == FIXX_OK)
    rc = n_files == 1 ? fixx_export(&bs[0], fmt, &o, &json, &len, &e)
                      : fixb_export_chain(bs, n_files, &o, &json, &len, &e);
  for (size_t i = 0; i < loaded; i++) blk_free(&bs[i]);
  free(bs);
  if (rc != FIXX_OK && loaded < n_files) return 2; /* cli_load_block said why */
  if (rc != FIXX_OK) {
    if (n_files == 1) cli_err("export", "%s: %s", file, e.msg[0] ? e.msg : fixx_strerror(rc));
    else cli_err("export", "chain of %zu blocks (%s ... %s): %s", n_files, files[0], file,
                 e.msg[0] ? e.msg : fixx_strerror(rc));
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
