/* cli_gen: `pkbench gen`, the corpus generators. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "blk.h"
#include "cli.h"
#include "gen.h"
#include "gen_mainnet.h"

static const char usage_text[] =
    "usage: pkbench gen worst-case [--gas-limit G] [--fork F] [--scenario NAME] [--out DIR] [--seed S]\n"
    "       pkbench gen worst-case --list\n"
    "       pkbench gen mainnet-like --count N --seed S [--gas-limit G] --out DIR\n"
    "\n"
    "worst-case writes one block per scenario (or only NAME) that fills the gas\n"
    "limit with transactions of at most 2^24 gas each (EIP-7825), as the\n"
    "execution-spec-tests benchmark suite builds them, to DIR/NAME_<G/1e6>M.blk.\n"
    "  --gas-limit G   block gas limit (default 60000000)\n"
    "  --fork F        Cancun, Prague or Osaka (default Osaka)\n"
    "  --out DIR       output folder, created if missing (default corpus/worst-case)\n"
    "  --seed S        seed for the data patterns (default 0)\n"
    "  --list          print the scenario names and what each stresses\n"
    "mainnet-like writes DIR/mainnet_s<S>_<i>.blk: blocks drawn from the transaction mix of\n"
    "corpus/mainnet-mix.tsv (--mix FILE), sources cited there; --fork as above.";

int cli_gen(int argc, char **argv) {
  if (argc < 2 || cli_is_help(argv[1])) {
    printf("%s\n", usage_text);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "mainnet-like") == 0)
    return genm_cli(argc - 1, argv + 1, usage_text);
  if (strcmp(argv[1], "worst-case") != 0) {
    cli_err("gen", "unknown generator '%s' (worst-case or mainnet-like)", argv[1]);
    return 2;
  }
  gen_params p = {60000000, BLK_FORK_OSAKA, 0};
  const char *only = NULL, *out = "corpus/worst-case";
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long n;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--list") == 0) {
      for (size_t k = 0; k < gen_scenario_count(); k++)
        printf("%-14s %s\n", gen_scenario_name(k), gen_scenario_desc(k));
      return 0;
    } else if (strcmp(a, "--gas-limit") == 0 && v) {
      if (cli_parse_u64(v, &n) || n < 21000) {
        cli_err("gen", "--gas-limit: '%s' is not a gas limit of at least 21000", v);
        return 2;
      }
      p.gas_limit = n;
      i++;
    } else if (strcmp(a, "--seed") == 0 && v) {
      if (cli_parse_u64(v, &n)) {
        cli_err("gen", "--seed: '%s' is not a non-negative integer", v);
        return 2;
      }
      p.seed = n;
      i++;
    } else if (strcmp(a, "--fork") == 0 && v) {
      if (blk_fork_from_name(v, &p.fork) != BLK_OK) {
        cli_err("gen", "--fork: unknown fork '%s' (Cancun, Prague or Osaka)", v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--scenario") == 0 && v) {
      only = v;
      i++;
    } else if (strcmp(a, "--out") == 0 && v) {
      out = v;
      i++;
    } else {
      cli_err("gen", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    }
  }
  if (only) {
    size_t k = 0;
    while (k < gen_scenario_count() && strcmp(gen_scenario_name(k), only) != 0) k++;
    if (k == gen_scenario_count()) {
      cli_err("gen", "--scenario: unknown scenario '%s' (see --list)", only);
      return 2;
    }
  }
  if (cli_make_dir("gen", out) != 0) {
    return 2;
  }
  int written = 0;
  for (size_t k = 0; k < gen_scenario_count(); k++) {
    const char *name = gen_scenario_name(k);
    if (only && strcmp(only, name) != 0) continue;
    blk_block b;
    int rc = gen_worst_case(name, &p, &b);
    if (rc != GEN_OK) {
      cli_err("gen", "%s: generator failed (code %d)", name, rc);
      return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s_%lluM.blk", out, name, (unsigned long long)(p.gas_limit / 1000000));
    rc = blk_write_file(path, &b);
    if (rc != BLK_OK) {
      cli_err("gen", "%s: cannot write: %s", path, rc == BLK_E_IO ? strerror(errno) : blk_strerror(rc));
      blk_free(&b);
      return 2;
    }
    printf("%s: %zu txs, %llu gas\n", path, b.n_txs, (unsigned long long)blk_total_tx_gas(&b));
    blk_free(&b);
    written++;
  }
  return written ? 0 : 2;
}
