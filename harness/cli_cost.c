/* cli_cost: `pkbench cost`: the repricing table. One block per operation
 * pattern (the operation in a loop that runs until gas runs out, as the
 * benchmark suite's single-opcode tests build them), proven for real, with
 * proving time per million gas; and the estimate including the tables this
 * build only sizes, labelled as projected. */
#include <stdio.h>
#include <string.h>

#include "build_info.h"
#include "cli.h"
#include "cycles.h"
#include "db.h"
#include "gen.h"
#include "hunt.h"
#include "runner.h"

static const char usage_text[] =
    "usage: pkbench cost [--json] [--gas-limit G] [--no-prove] [--only NAME] [--cycles NAME] [--db FILE]\n"
    "                    [--no-lookups]\n"
    "\n"
    "For each operation pattern (see `pkbench hunt`) and each precompile the patterns do not\n"
    "call (the generator's scenarios of that name: ecrecover, p256verify, ripemd160, modexp_odd,\n"
    "modexp_min_gas, modexp_base_heavy, bn254_*, bls12_*, point_evaluation; see `pkbench gen\n"
    "worst-case --list`), builds a block of G gas (default 1000000) that repeats it until gas\n"
    "runs out, proves it and prints:\n"
    "  prove_ms_per_mgas      measured proving time of the proven tables per Mgas\n"
    "  estimate_ms_per_mgas   the cost model for all tables (sized tables projected\n"
    "                         at their assumed widths), per Mgas\n"
    "  cycles_per_gas         estimated RISC-V zkVM cycles per gas from a cycle profile\n"
    "                         (projected from published figures; --cycles NAME, default sp1)\n"
    "  --json         one JSON object per operation: name, gas, prove_ms_per_mgas, ...\n"
    "  --no-prove     the estimate only (fast)\n"
    "  --no-lookups   prove without the lookup argument (on by default; prove --help)\n"
    "  --db FILE      also record the table as a run (blocks named cost:<operation>), which\n"
    "                 `pkbench report` draws as proving cost per gas by operation";

/* The precompiles the operation patterns do not call, as the generator's
 * scenarios build them (valid inputs, a call per loop iteration). */
static const char *const pc_scenarios[] = {
    "ecrecover",  "p256verify",  "ripemd160",   "modexp_odd",  "modexp_min_gas", "modexp_base_heavy",
    "bn254_add",  "bn254_mul",   "bn254_pairing", "bls12_g1add", "bls12_g1msm",    "bls12_g2add",
    "bls12_g2msm", "bls12_pairing", "bls12_map_fp_to_g1", "bls12_map_fp2_to_g2", "point_evaluation",
};

typedef struct {
  const run_opts *ro;
  db_handle *db;
  int64_t run_id;
  int json, prove;
  uint64_t gas;
  const cycles_profile *cp;
  int status; /* 2 once a block failed */
} cost_ctx;

/* One operation's block b (freed here): proven (or estimated), its line
 * printed and, with a database, recorded. */
static void cost_block(cost_ctx *x, const char *name, blk_block *b) {
  const run_opts *ro = x->ro;
  db_handle *db = x->db;
  int json = x->json, prove = x->prove;
  uint64_t gas = x->gas;
  cycles_report cr;
  double cpg = cycles_estimate_block(x->cp, b, &cr) == CYCLES_OK ? cr.per_gas : -1;
  char hash[65];
  blk_content_hash(b, hash);
  run_block_result r;
  int rc = run_prove_block(b, ro, &r);
  blk_free(b);
  if (db) {
    char bname[64];
    snprintf(bname, sizeof bname, "cost:%s", name);
    db_block_info bi = {hash, bname, "cost", "Osaka", (int64_t)r.gas_used, (int64_t)gas, 1, DB_NONE};
    db_result_info res;
    memset(&res, 0, sizeof res);
    res.run_id = x->run_id;
    res.status = rc == RUN_OK ? (prove ? DB_RESULT_OK : DB_RESULT_DECODED) : DB_RESULT_FAILED;
    res.reason = rc == RUN_OK ? NULL : r.reason;
    res.exec_ms = r.phase_ms[RUN_PHASE_EXECUTE];
    res.trace_ms = r.phase_ms[RUN_PHASE_TRACE];
    res.prove_ms = prove && rc == RUN_OK ? r.prove_ms : DB_NONE;
    res.verify_ms = DB_NONE;
    res.projected_latency_ms = DB_NONE;
    res.made_slot = DB_NONE;
    res.peak_mem_kb = r.peak_rss_kb;
    res.estimate_ms = r.estimate.total_ms;
    res.sized_ms = r.estimate.sized_ms;
    res.proof_bytes = (int64_t)r.proof_bytes;
    int64_t bid;
    if (db_block_upsert(db, &bi, &bid) != DB_OK ||
        (res.block_id = bid, db_result_record(db, &res, NULL, 0, NULL, 0, NULL)) != DB_OK) {
      cli_err("cost", "%s", db_errmsg(db));
      x->status = 2;
    }
  }
  if (rc != RUN_OK) {
    cli_err("cost", "%s: %s", name, r.reason);
    run_block_result_free(&r);
    x->status = 2;
    return;
  }
  double mgas = (double)r.gas_used / 1e6;
  double pm = prove && mgas > 0 ? r.prove_ms / mgas : -1, em = mgas > 0 ? r.estimate.total_ms / mgas : 0;
  if (json) {
    printf("{\"name\":\"%s\",\"gas\":%llu,\"prove_ms_per_mgas\":", name, (unsigned long long)r.gas_used);
    if (pm >= 0) printf("%.3f", pm);
    else printf("null");
    printf(",\"estimate_ms_per_mgas\":%.3f,\"estimate_label\":\"projected:%s\",\"steps\":%llu,"
           "\"proven_tables\":\"cpu,memory,storage\",\"zkvm_profile\":\"%s\",\"zkvm_cycles_per_gas\":",
           em, ro->profile.name, (unsigned long long)r.steps, x->cp->name);
    if (cpg >= 0) printf("%.3f}\n", cpg);
    else printf("null}\n");
  } else {
    char pbuf[32] = "-";
    if (pm >= 0) snprintf(pbuf, sizeof pbuf, "%.1f", pm);
    char cbuf[32] = "-";
    if (cpg >= 0) snprintf(cbuf, sizeof cbuf, "%.1f", cpg);
    printf("%-18s %10llu %14s %16.1f %14s %14llu\n", name, (unsigned long long)r.gas_used, pbuf, em, cbuf,
           (unsigned long long)r.steps);
  }
  fflush(stdout);
  run_block_result_free(&r);
}

int cli_cost(int argc, char **argv) {
  uint64_t gas = 1000000;
  int json = 0, prove = 1;
  unsigned tables = RUN_DEFAULT_TRACE_OPTS;
  const char *only = NULL, *cycles_name = "sp1", *dbpath = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long n;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--no-prove") == 0) {
      prove = 0;
    } else if (strcmp(a, "--lookups") == 0 || strcmp(a, "--no-lookups") == 0) {
      (void)cli_prove_flag(a, &tables);
    } else if (strcmp(a, "--db") == 0 && v) {
      dbpath = v;
      i++;
    } else if (strcmp(a, "--cycles") == 0 && v) {
      cycles_name = v;
      i++;
    } else if (strcmp(a, "--only") == 0 && v) {
      only = v;
      i++;
    } else if (strcmp(a, "--gas-limit") == 0 && v) {
      if (cli_parse_u64(v, &n) || n < 100000 || n > 100000000) {
        cli_err("cost", "--gas-limit: '%s' is not in 100000..100000000", v);
        return 2;
      }
      gas = n;
      i++;
    } else {
      cli_err("cost", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    }
  }
  if (only) {
    size_t k = 0, j = 0;
    while (k < hunt_pattern_count() && strcmp(hunt_pattern_name(k), only) != 0) k++;
    while (j < sizeof pc_scenarios / sizeof pc_scenarios[0] && strcmp(pc_scenarios[j], only) != 0) j++;
    if (k == hunt_pattern_count() && j == sizeof pc_scenarios / sizeof pc_scenarios[0]) {
      cli_err("cost", "--only: no operation '%s'", only);
      return 2;
    }
  }
  static cycles_profile cp;
  cycles_error ce;
  if (cycles_profile_open(cycles_name, NULL, &cp, &ce) != CYCLES_OK) {
    cli_err("cost", "--cycles: %s", ce.msg);
    return 2;
  }
  run_opts ro = run_opts_default();
  ro.prove = prove;
  ro.prove_tables = tables;
  db_handle *db = NULL;
  int64_t run_id = 0;
  if (dbpath) {
    char errbuf[DB_ERRMSG_MAX];
    if (db_open(dbpath, DB_OPEN_CREATE, &db, errbuf, sizeof errbuf) != DB_OK) {
      cli_err("cost", "%s", errbuf);
      return 2;
    }
    db_run_info ri = {NULL, PKB_GIT_REV, "{\"command\":\"cost\"}", "cpu", ro.profile.name, 1, DB_NONE, NULL,
                      "pkbench cost"};
    if (db_run_begin(db, &ri, &run_id) != DB_OK) {
      cli_err("cost", "%s: %s", dbpath, db_errmsg(db));
      db_close(db);
      return 2;
    }
  }
  if (!json)
    printf("%-18s %10s %14s %16s %14s %14s\n", "operation", "gas_used", "prove_ms/Mgas", "estimate_ms/Mgas", "cycles/gas",
           "instructions");
  int status = 0;
  cost_ctx cc = {&ro, db, run_id, json, prove, gas, &cp, 0};
  for (size_t k = 0; k < hunt_pattern_count(); k++) {
    const char *name = hunt_pattern_name(k);
    if (only && strcmp(only, name) != 0) continue;
    hunt_genome g = {{(uint8_t)k}, 1, 16};
    blk_block b;
    if (hunt_build(&g, gas, BLK_FORK_OSAKA, &b) != HUNT_OK) {
      cli_err("cost", "%s: cannot build the block", name);
      return 2;
    }
    cost_block(&cc, name, &b);
  }
  for (size_t k = 0; k < sizeof pc_scenarios / sizeof pc_scenarios[0]; k++) {
    const char *name = pc_scenarios[k];
    if (only && strcmp(only, name) != 0) continue;
    gen_params gp = {gas, BLK_FORK_OSAKA, 0};
    blk_block b;
    if (gen_worst_case(name, &gp, &b) != GEN_OK) {
      cli_err("cost", "%s: cannot build the block", name);
      return 2;
    }
    cost_block(&cc, name, &b);
  }
  status = cc.status;
  if (db) {
    db_run_finish(db, run_id, status ? DB_RUN_FAILED : DB_RUN_DONE);
    db_close(db);
  }
  if (!json) {
    char proven[256];
    run_table_list(&ro, 1, proven, sizeof proven);
    printf("\nprove_ms/Mgas: measured on this host for the tables proven (%s);\n"
           "estimate_ms/Mgas: projected with profile '%s' for all tables, sized ones at assumed widths;\n"
           "cycles/gas: projected from the published figures of zkVM profile '%s' (prover/profiles).\n",
           proven, ro.profile.name, cp.name);
  }
  return status;
}
