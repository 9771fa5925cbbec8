/* cli_prove: `pkbench prove FILE.blk`: execute, build the tables, prove every
 * shard of every proven table, verify every proof, and report. */
#include <stdio.h>
#include <string.h>

#include "blk.h"
#include "cli.h"
#include "runner.h"

static const char usage_text[] =
    "usage: pkbench prove [--json] [--shard-log K] [--blowup 2|4] [--profile P] [--no-prove]\n"
    "                     [--backend cpu|cuda|auto] [--prove-keccak] [--prove-arith]\n"
    "                     [--prove-ecrecover] [--prove-precompiles] [--prove-all] [--no-lookups]\n"
    "                     [--trace-budget-mib N] FILE.blk\n"
    "\n"
    "Executes the block, builds the trace tables, proves every shard of every proven\n"
    "table, verifies every proof (from its serialised bytes) and prints rows per\n"
    "table, shards, per-phase times, proof size and the verification result.\n"
    "  --json          one JSON object on stdout\n"
    "  --shard-log K   at most 2^K rows per shard (default 20)\n"
    "  --blowup B      LDE blowup, 2 or 4 (default 2)\n"
    "  --no-prove      execute and build the tables only\n"
    "  --prove-keccak  also prove the keccak table: every hashed byte string (KECCAK256,\n"
    "                  CREATE2, the stateless witness: trie nodes, bytecode, transactions)\n"
    "                  through the Keccak-f[1600] AIR, 24 rows of 2633 columns per\n"
    "                  permutation, shards of at most 2^14 rows (slow on a CPU)\n"
    "  --prove-arith   also prove the arith table: every ADD..SMOD, ADDMOD, MULMOD, EXP,\n"
    "                  comparison, bitwise op, shift, BYTE, SIGNEXTEND and CLZ with\n"
    "                  its operands through the 256-bit arithmetic AIR, 1 to 5 rows of 2533\n"
    "                  columns per instruction (EXP: up to 511), shards of at most 2^14\n"
    "                  rows (slow on a CPU)\n"
    "  --prove-ecrecover  also prove the ecrecover table: every secp256k1 recovery (each\n"
    "                  transaction's sender, each EIP-7702 authority, each ECRECOVER call)\n"
    "                  redone in-tree, each modular multiplication (about 5,600 a recovery)\n"
    "                  a 4-row MULMOD of the arithmetic AIR (slow on a CPU)\n"
    "  --prove-precompiles  also prove the sha256 table (64 rows of 631 columns per SHA-256\n"
    "                  compression), the ripemd160 table (80 rows of 901 columns per\n"
    "                  RIPEMD-160 compression), the blake2f table (rounds + 2 rows of\n"
    "                  5816 columns per BLAKE2F call), the modmul table (every modular\n"
    "                  multiplication of ECADD, ECMUL, ECPAIRING, P256VERIFY and MODEXP with\n"
    "                  a modulus of at most 32 bytes, redone in-tree, as a 4-row MULMOD of the\n"
    "                  arithmetic AIR; a wider MODEXP modulus as limb steps of a checked\n"
    "                  schoolbook product, 4 rows each) and the bls12 table (every\n"
    "                  BLS12-381 base-field multiplication of the EIP-2537 precompiles and\n"
    "                  the KZG point evaluation, redone in-tree, one row of 3378 columns\n"
    "                  each: about 0.27 rows a gas of pairing checks, very slow on a CPU);\n"
    "                  the precomp table (failed calls, ECRECOVER's input words) stays sized\n"
    "  --prove-all     every table option above\n"
    "  --no-lookups    without the lookup argument, which is on by default (--lookups):\n"
    "                  LogUp buses: every cpu row's static gas, stack effect and immediate\n"
    "                  length are checked against its opcode (the opcode ROM, a public table\n"
    "                  the verifier builds, with per-opcode counts that are part of the\n"
    "                  proof); memory is checked for consistency: each memory row consumes its\n"
    "                  word's previous value and clock and produces the new ones, the meminit\n"
    "                  table (a row per word of each frame's memory) gives every word its zero\n"
    "                  start and takes its end, so every read returns the last value written;\n"
    "                  storage likewise: each storage row (an access, or a write a revert\n"
    "                  undoes) consumes its slot's previous value and clock, the stoinit table\n"
    "                  (a row per slot, sorted, so each slot once) gives every slot its value\n"
    "                  in the block's pre-state, which the verifier supplies (transient\n"
    "                  slots: zero), and takes its end; every memory and storage access\n"
    "                  names its instruction (a cpu row, which counts its memory rows and\n"
    "                  may have them only if its opcode accesses memory or it starts a\n"
    "                  frame: a call's input); clocks and\n"
    "                  slot limbs are range-checked by the range16 table (2^16 rows); the\n"
    "                  tables with interactions are committed first, then proven with shared\n"
    "                  challenges, and the buses must balance. Without it the memory and\n"
    "                  storage values are the prover's (the AIRs alone do not bind them)\n"
    CLI_TRACE_BUDGET_HELP
    "  --profile P     hardware profile of the cost estimate (default: host; with the cuda\n"
    "                  backend on a GPU, prover/profiles/<gpu-name>.tsv when it exists)\n"
    "  --backend B     prover backend: cpu (default), cuda (needs a GPU), auto (cuda when a\n"
    "                  GPU is found, else cpu). " RUN_CUDA_EMULATE_ENV "=1 lets cuda run on the CPU\n"
    "                  emulation of the kernels: same proofs, very slow, for tests only\n"
    "Tables marked 'sized' have no AIR in this build: their rows are counted, not proven.\n"
    "Exit status: 0 proven and verified, 1 a proof did not verify, 2 bad input\n"
    "(a malformed block names the byte offset), a block this build cannot run, or\n"
    "a GPU failure (--backend cuda: no device, out of device memory, kernel error).";

static void print_json(const char *file, const run_opts *o, const run_block_result *r) {
  printf("{\"file\":");
  cli_json_str(stdout, file);
  printf(",\"backend\":\"%s\",\"device\":", run_backend_name(o));
  cli_json_str(stdout, o->device);
  printf(",\"status\":\"%s\",\"verified\":%s,\"gas_used\":%llu,\"txs\":%zu,\"invalid_txs\":%zu,\"steps\":%llu,",
         r->status == RUN_OK ? "ok" : "failed", r->verified && r->status == RUN_OK ? "true" : "false",
         (unsigned long long)r->gas_used, r->txs, r->invalid_txs, (unsigned long long)r->steps);
  printf("\"total_ms\":%.3f,\"prove_ms\":%.3f,\"phases\":{", r->total_ms, r->prove_ms);
  for (int p = 0; p < RUN_PHASE_COUNT; p++) printf("%s\"%s\":%.3f", p ? "," : "", run_phase_name((run_phase)p), r->phase_ms[p]);
  printf("},\"tables\":{");
  for (int i = 0; i < TRACE_COUNT; i++) printf("%s\"%s\":%llu", i ? "," : "", r->tables[i].name, (unsigned long long)r->tables[i].rows);
  printf("},\"proven_tables\":[");
  int first = 1;
  for (int i = 0; i < TRACE_COUNT; i++)
    if (r->tables[i].proven) {
      printf("%s\"%s\"", first ? "" : ",", r->tables[i].name);
      first = 0;
    }
  printf("],\"shards\":%zu,\"passes\":%zu,\"proof_bytes\":%llu,\"peak_rss_kb\":%ld,\"estimate_ms\":%.3f,"
         "\"estimate_proven_ms\":%.3f,\"estimate_sized_ms\":%.3f,\"estimate_us\":%.3f",
         r->n_shards, r->passes, (unsigned long long)r->proof_bytes, r->peak_rss_kb, r->estimate.total_ms,
         r->estimate.proven_ms,
         r->estimate.sized_ms, r->estimate_us);
  if (r->lookups) printf(",\"lookup_commit_ms\":%.3f,\"aux_ms\":%.3f", r->lookup_commit_ms, r->aux_ms);
  if (r->status != RUN_OK) {
    printf(",\"reason\":");
    cli_json_str(stdout, r->reason);
  }
  printf("}\n");
}

static void print_text(const char *file, const run_opts *o, const run_block_result *r) {
  printf("%s: gas used %llu, %zu txs (%zu invalid), %llu instructions\n", file, (unsigned long long)r->gas_used,
         r->txs, r->invalid_txs, (unsigned long long)r->steps);
  printf("  backend %s (%s)\n", run_backend_name(o), o->device);
  printf("  %-10s %12s %6s %7s %12s\n", "table", "rows", "width", "shards", "prove ms");
  for (int i = 0; i < TRACE_COUNT; i++) {
    const run_table *t = &r->tables[i];
    if (!trace_table_exists((trace_table_id)i, run_trace_opts(o))) continue; /* exist only with --lookups */
    if (t->width) printf("  %-10s %12llu %6u %7zu %12.1f\n", t->name, (unsigned long long)t->rows, t->width, t->shards, t->prove_ms);
    else printf("  %-10s %12llu %6s %7zu %12s\n", t->name, (unsigned long long)t->rows, "-", t->shards, "sized");
  }
  printf("  phases (ms):");
  for (int p = 0; p < RUN_PHASE_COUNT; p++) printf(" %s %.1f", run_phase_name((run_phase)p), r->phase_ms[p]);
  printf("\n  total %.1f ms, %zu proofs, %llu proof bytes, peak memory %ld KiB: %s\n", r->total_ms, r->n_shards,
         (unsigned long long)r->proof_bytes, r->peak_rss_kb, r->verified ? "every proof verified" : "not proven");
  printf("  estimate (%.1f us to compute): %.1f ms for the proven tables, %.1f ms projected for the sized "
         "tables at their assumed widths\n",
         r->estimate_us, r->estimate.proven_ms, r->estimate.sized_ms);
  if (r->passes > 1)
    printf("  executed %zu times: its tables did not fit the collector's budget at once, so each pass stored the "
           "next shards (execute phase: all of them)\n",
           r->passes);
  if (r->lookups)
    printf("  lookups: %.1f ms committing before the challenges (in commit), %.1f ms aux traces\n",
           r->lookup_commit_ms, r->aux_ms);
}

int cli_prove(int argc, char **argv) {
  const char *file = NULL;
  int json = 0;
  run_opts o = run_opts_default();
  const char *backend = "cpu", *profile = NULL; /* NULL: the backend's (cli_default_profile) */
  char profile_buf[128];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long n;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--no-prove") == 0) {
      o.prove = 0;
    } else if (cli_prove_flag(a, &o.prove_tables)) {
    } else if (strcmp(a, "--profile") == 0 && v) {
      profile = v;
      i++;
    } else if (strcmp(a, "--backend") == 0 && v) {
      if (strcmp(v, "cpu") != 0 && strcmp(v, "cuda") != 0 && strcmp(v, "auto") != 0) {
        cli_err("prove", "--backend: '%s' is not cpu, cuda or auto", v);
        return 2;
      }
      backend = v;
      i++;
    } else if (strcmp(a, "--shard-log") == 0 && v) {
      if (cli_parse_u64(v, &n) || n < 1 || n > STARK_MAX_LOG_ROWS) {
        cli_err("prove", "--shard-log: '%s' is not in 1..%d", v, STARK_MAX_LOG_ROWS);
        return 2;
      }
      o.log_shard = (unsigned)n;
      i++;
    } else if (strcmp(a, "--trace-budget-mib") == 0 && v) {
      if (cli_trace_budget("prove", v, &o.trace_max_bytes)) return 2;
      i++;
    } else if (strcmp(a, "--blowup") == 0 && v) {
      if (cli_parse_u64(v, &n) || (n != 2 && n != 4)) {
        cli_err("prove", "--blowup: '%s' is not 2 or 4", v);
        return 2;
      }
      o.stark.fri = fri_params_for(n == 2 ? 1 : 2, fri_security_bits(&o.stark.fri));
      i++;
    } else if (a[0] == '-' && a[1]) {
      cli_err("prove", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    } else if (file) {
      cli_err("prove", "one block file at a time ('%s' and '%s' given)", file, a);
      return 2;
    } else {
      file = a;
    }
  }
  if (!file) {
    cli_err("prove", "no block file given (see --help)");
    return 2;
  }
  if (cli_prover_setup("prove", backend, o.prove, &profile, &o, profile_buf, sizeof profile_buf)) return 2;
  blk_block b;
  if (cli_load_block("prove", file, &b) != BLK_OK) return 2;
  run_block_result r;
  cli_progress pg;
  cli_progress_attach(&pg, file, &o);
  int rc = run_prove_block(&b, &o, &r);
  cli_progress_end(&pg);
  blk_free(&b);
  if (json) print_json(file, &o, &r);
  else if (rc == RUN_OK) print_text(file, &o, &r);
  if (rc != RUN_OK) cli_err("prove", "%s: %s", file, r.reason);
  run_block_result_free(&r);
  return rc == RUN_OK ? 0 : rc == RUN_E_VERIFY ? 1 : 2;
}
