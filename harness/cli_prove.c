/* cli_prove: `pkbench prove FILE.blk`. Decodes and checks the block; executing
 * and proving it belong to the executor and block prover, which this build
 * does not have yet, so a valid block is summarised and the command says
 * plainly that no proof was made. */
#include <stdio.h>
#include <string.h>

#include "blk.h"
#include "cli.h"

static const char usage_text[] =
    "usage: pkbench prove [--json] FILE.blk\n"
    "\n"
    "Executes the block, builds the trace tables, proves every shard, verifies every\n"
    "proof and prints rows per table, shards, per-phase times, proof size and the\n"
    "verification result. Exit status: 0 proven and verified, 1 a proof did not\n"
    "verify, 2 bad input (the block file is malformed: the error names the byte\n"
    "offset) or a capability this build lacks.\n"
    "  --json   one JSON object on stdout";

int cli_prove(int argc, char **argv) {
  const char *file = NULL;
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      printf("%s\nstatus: this build decodes and checks the block; proving is not available yet.\n", usage_text);
      return 0;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      cli_err("prove", "unknown option '%s' (see --help)", argv[i]);
      return 2;
    } else if (file) {
      cli_err("prove", "one block file at a time ('%s' and '%s' given)", file, argv[i]);
      return 2;
    } else {
      file = argv[i];
    }
  }
  if (!file) {
    cli_err("prove", "no block file given (see --help)");
    return 2;
  }
  blk_block b;
  if (cli_load_block("prove", file, &b) != BLK_OK) return 2;
  char hash[65];
  blk_content_hash(&b, hash);
  if (json) {
    printf("{\"file\":");
    cli_json_str(stdout, file);
    printf(",\"content_hash\":\"%s\",\"fork\":\"%s\",\"txs\":%zu,\"gas_limit\":%llu,"
           "\"tx_gas_total\":%llu,\"verified\":false,\"status\":\"decoded\"}\n",
           hash, blk_fork_name(b.env.fork), b.n_txs, (unsigned long long)b.env.gas_limit,
           (unsigned long long)blk_total_tx_gas(&b));
  } else {
    printf("%s: %s block, %zu txs, %zu accounts, gas limit %llu, tx gas total %llu\n", file,
           blk_fork_name(b.env.fork), b.n_txs, b.n_accounts, (unsigned long long)b.env.gas_limit,
           (unsigned long long)blk_total_tx_gas(&b));
  }
  blk_free(&b);
  cli_err("prove", "%s: decoded, but proving is not available in this build yet", file);
  return 2;
}
