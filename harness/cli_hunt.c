/* cli_hunt: `pkbench hunt`: search for prover killers, minimise the winner,
 * re-prove it for real, and keep it with its provenance (file and database). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blk.h"
#include "build_info.h"
#include "cli.h"
#include "db.h"
#include "cycles.h"
#include "hunt.h"
#include "runner.h"

static const char usage_text[] =
    "usage: pkbench hunt --gas-limit G --minutes M [--objective prove-time|zkvm-cycles] [--seed S]\n"
    "                    [--out DIR] [--db FILE] [--evals N] [--eval-gas G2] [--fork F] [--no-prove]\n"
    "                    [--cycles-profile NAME] [--include-sized]\n"
    "\n"
    "Evolutionary search over contracts built from stack-neutral instruction patterns,\n"
    "ranked by the estimated proving cost per gas (the cost model of `prove`, over\n"
    "the tables this build proves; --include-sized adds the tables it only sizes, at\n"
    "their assumed widths). The best\n"
    "candidate is minimised, rebuilt at the gas limit G, proven for real (the tables\n"
    "this build proves) and written to DIR/NAME.blk with DIR/NAME.json provenance,\n"
    "and recorded in the database as a killer.\n"
    "  --gas-limit G   gas limit of the winning block (default 60000000)\n"
    "  --minutes M     search time (default 1); --evals N stops after N evaluations\n"
    "  --eval-gas G2   gas limit of the blocks evaluated during the search (default 2000000)\n"
    "  --objective O   prove-time (default): estimated proving time per gas of this prover;\n"
    "                  zkvm-cycles: estimated RISC-V zkVM cycles per gas from a cycle profile\n"
    "  --cycles-profile NAME  prover/profiles/NAME-cycles.tsv or a path (default sp1)\n"
    "  --seed S        search seed (default 1)\n"
    "  --out DIR       where winners go (default corpus/killers)\n"
    "  --db FILE       results database (default ./pkbench.db)\n"
    "  --no-prove      do not re-prove the winner";

static void progress(void *ctx, uint64_t evals, double secs, const hunt_score *best, const hunt_genome *g) {
  (void)ctx;
  char d[512];
  hunt_describe(g, d, sizeof d);
  if (best->cycles_per_gas > 0)
    fprintf(stderr, "hunt: %llu evals, %.0f s, %.1f evals/s, best %.1f est. zkVM cycles/gas: %s\n",
            (unsigned long long)evals, secs, secs > 0 ? (double)evals / secs : 0, best->cycles_per_gas, d);
  else
    fprintf(stderr, "hunt: %llu evals, %.0f s, %.1f evals/s, best %.1f est. ms/Mgas: %s\n", (unsigned long long)evals,
            secs, secs > 0 ? (double)evals / secs : 0, best->ms_per_mgas, d);
}

int cli_hunt(int argc, char **argv) {
  hunt_opts o = hunt_opts_default();
  uint64_t gas = 60000000;
  double minutes = 1;
  const char *out = "corpus/killers", *dbpath = "pkbench.db";
  int prove = 1, zkvm = 0;
  const char *cycles_name = "sp1";
  static cycles_profile cp;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long n;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--no-prove") == 0) {
      prove = 0;
    } else if (strcmp(a, "--include-sized") == 0) {
      o.use_sized = 1;
    } else if (!v) {
      cli_err("hunt", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    } else if (strcmp(a, "--gas-limit") == 0) {
      if (cli_parse_u64(v, &n) || n < 100000 || n > (1ull << 36)) {
        cli_err("hunt", "--gas-limit: '%s' is not a gas limit of at least 100000", v);
        return 2;
      }
      gas = n;
      i++;
    } else if (strcmp(a, "--eval-gas") == 0) {
      if (cli_parse_u64(v, &n) || n < 100000 || n > (1ull << 32)) {
        cli_err("hunt", "--eval-gas: '%s' is not a gas limit of at least 100000", v);
        return 2;
      }
      o.eval_gas = n;
      i++;
    } else if (strcmp(a, "--minutes") == 0) {
      char *end;
      minutes = strtod(v, &end);
      if (*end || !(minutes > 0) || minutes > 100000) {
        cli_err("hunt", "--minutes: '%s' is not a positive number", v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--evals") == 0) {
      if (cli_parse_u64(v, &n) || n == 0) {
        cli_err("hunt", "--evals: '%s' is not a positive count", v);
        return 2;
      }
      o.max_evals = n;
      i++;
    } else if (strcmp(a, "--seed") == 0) {
      if (cli_parse_u64(v, &n)) {
        cli_err("hunt", "--seed: '%s' is not a non-negative integer", v);
        return 2;
      }
      o.seed = n;
      i++;
    } else if (strcmp(a, "--fork") == 0) {
      if (blk_fork_from_name(v, &o.fork) != BLK_OK) {
        cli_err("hunt", "--fork: unknown fork '%s' (Cancun, Prague or Osaka)", v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--objective") == 0) {
      if (strcmp(v, "zkvm-cycles") == 0) zkvm = 1;
      else if (strcmp(v, "prove-time") == 0) zkvm = 0;
      else {
        cli_err("hunt", "--objective: '%s' is not prove-time or zkvm-cycles", v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--cycles-profile") == 0) {
      cycles_name = v;
      i++;
    } else if (strcmp(a, "--out") == 0) {
      out = v;
      i++;
    } else if (strcmp(a, "--db") == 0) {
      dbpath = v;
      i++;
    } else {
      cli_err("hunt", "unknown option '%s' (see --help)", a);
      return 2;
    }
  }
  if (!o.max_evals) o.seconds = minutes * 60;
  if (zkvm) {
    cycles_error ce;
    if (cycles_profile_open(cycles_name, NULL, &cp, &ce) != CYCLES_OK) {
      cli_err("hunt", "--cycles-profile: %s", ce.msg);
      return 2;
    }
    o.cycles = &cp;
  }
  if (mkdir(out, 0777) != 0 && errno != EEXIST) {
    cli_err("hunt", "%s: cannot create folder: %s", out, strerror(errno));
    return 2;
  }
  char errbuf[DB_ERRMSG_MAX];
  db_handle *db;
  if (db_open(dbpath, DB_OPEN_CREATE, &db, errbuf, sizeof errbuf) != DB_OK) {
    cli_err("hunt", "%s", errbuf);
    return 2;
  }
  o.progress = progress;
  hunt_result hr;
  int rc = hunt_run(&o, &hr);
  if (rc != HUNT_OK) {
    cli_err("hunt", "search failed (code %d)", rc);
    db_close(db);
    return 2;
  }
  hunt_genome g = hr.best;
  hunt_score s;
  hunt_minimise(&o, &g, &s);
  char desc[512];
  hunt_describe(&g, desc, sizeof desc);

  /* The winner at the requested gas limit, estimated and (unless --no-prove) proven. */
  blk_block b;
  if (hunt_build(&g, gas, o.fork, &b) != HUNT_OK) {
    cli_err("hunt", "cannot build the winning block");
    db_close(db);
    return 2;
  }
  run_opts ro = run_opts_default();
  ro.prove = prove;
  ro.profile = o.profile;
  run_block_result pr;
  int prc = run_prove_block(&b, &ro, &pr);
  char hash[65];
  blk_content_hash(&b, hash);
  char name[96], path[4200], jpath[4200];
  snprintf(name, sizeof name, "hunt-s%llu-%.12s", (unsigned long long)o.seed, hash);
  snprintf(path, sizeof path, "%s/%s.blk", out, name);
  snprintf(jpath, sizeof jpath, "%s/%s.json", out, name);
  uint8_t *enc;
  size_t enc_len = 0;
  if (blk_encode(&b, &enc, &enc_len) == BLK_OK) free(enc);
  int wrc = blk_write_file(path, &b);
  blk_free(&b);
  if (wrc != BLK_OK) {
    cli_err("hunt", "%s: cannot write: %s", path, strerror(errno));
    run_block_result_free(&pr);
    db_close(db);
    return 2;
  }
  double est_per_mgas =
      pr.gas_used ? (o.use_sized ? pr.estimate.total_ms : pr.estimate.proven_ms) / ((double)pr.gas_used / 1e6) : 0;
  /* the objective's value for the block at the full gas limit */
  double value = est_per_mgas;
  char objective[96] = "estimate_ms_per_mgas";
  if (zkvm) {
    blk_block full;
    cycles_report cr;
    if (hunt_build(&g, gas, o.fork, &full) == HUNT_OK) {
      if (cycles_estimate_block(&cp, &full, &cr) == CYCLES_OK) value = cr.per_gas;
      blk_free(&full);
    }
    snprintf(objective, sizeof objective, "zkvm_cycles_per_gas:%s", cp.name);
  }
  char prov[2048];
  time_t now = time(NULL);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  snprintf(prov, sizeof prov,
           "{\"found_by\":\"hunt\",\"objective\":\"%s\",\"objective_value\":%.3f,"
           "\"search_value\":%.3f,\"estimate_ms_per_mgas\":%.3f,\"gas_limit\":%llu,\"gas_used\":%llu,\"estimate_ms\":%.3f,"
           "\"estimate_proven_ms\":%.3f,\"estimate_sized_ms\":%.3f,\"measured_prove_ms\":%.3f,"
           "\"proven_tables\":\"cpu,memory,storage\",\"verified\":%s,\"seed\":%llu,\"evals\":%llu,"
           "\"eval_gas\":%llu,\"evals_per_s\":%.2f,\"body\":\"%s\",\"fork\":\"%s\",\"git_rev\":\"%s\",\"found_at\":\"%s\"}",
           objective, value, zkvm ? s.cycles_per_gas : s.ms_per_mgas, est_per_mgas, (unsigned long long)gas, (unsigned long long)pr.gas_used,
           pr.estimate.total_ms, pr.estimate.proven_ms, pr.estimate.sized_ms, prove && prc == RUN_OK ? pr.prove_ms : -1,
           prove && prc == RUN_OK && pr.verified ? "true" : "false", (unsigned long long)o.seed,
           (unsigned long long)hr.evals, (unsigned long long)o.eval_gas, hr.evals_per_s, desc, blk_fork_name(o.fork),
           PKB_GIT_REV, when);
  FILE *jf = fopen(jpath, "w");
  if (!jf || fprintf(jf, "%s\n", prov) < 0 || fclose(jf) != 0) {
    cli_err("hunt", "%s: cannot write the provenance", jpath);
    run_block_result_free(&pr);
    db_close(db);
    return 2;
  }

  /* Database: the hunt is a run of one block, and the block a killer. */
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  db_run_info ri = {NULL, PKB_GIT_REV, "{\"command\":\"hunt\"}", "cpu", o.profile.name, 1, 12000, host, "pkbench hunt"};
  int64_t run_id, block_id;
  db_block_info bi = {hash, path, "hunt", blk_fork_name(o.fork), (int64_t)pr.gas_used, (int64_t)gas, DB_NONE,
                      (int64_t)enc_len};
  int drc = db_run_begin(db, &ri, &run_id);
  if (drc == DB_OK) drc = db_block_upsert(db, &bi, &block_id);
  if (drc == DB_OK) {
    db_result_info res;
    memset(&res, 0, sizeof res);
    res.run_id = run_id;
    res.block_id = block_id;
    res.status = !prove ? DB_RESULT_DECODED : prc == RUN_OK ? DB_RESULT_OK : DB_RESULT_FAILED;
    res.reason = prc == RUN_OK ? NULL : pr.reason;
    res.exec_ms = pr.phase_ms[RUN_PHASE_EXECUTE];
    res.trace_ms = pr.phase_ms[RUN_PHASE_TRACE];
    res.prove_ms = prove && prc == RUN_OK ? pr.prove_ms : DB_NONE;
    res.verify_ms = prove && prc == RUN_OK ? pr.phase_ms[RUN_PHASE_VERIFY] : DB_NONE;
    res.projected_latency_ms = prove && prc == RUN_OK ? pr.total_ms : DB_NONE;
    res.projection_label = prove && prc == RUN_OK ? "measured:host" : NULL;
    res.made_slot = prove && prc == RUN_OK ? pr.total_ms <= 12000 : DB_NONE;
    res.peak_mem_kb = pr.peak_rss_kb;
    res.estimate_ms = pr.estimate.proven_ms;
    res.proof_bytes = (int64_t)pr.proof_bytes;
    drc = db_result_record(db, &res, NULL, 0, NULL, 0, NULL);
  }
  if (drc == DB_OK) {
    db_killer_info k = {block_id, objective, value, "hunt", NULL, prov};
    drc = db_killer_record(db, &k, NULL);
    if (drc == DB_E_DUPLICATE) drc = DB_OK; /* found before: the first finding is kept */
  }
  if (drc == DB_OK) drc = db_run_finish(db, run_id, DB_RUN_DONE);
  if (drc != DB_OK) cli_err("hunt", "%s: %s", dbpath, db_errmsg(db));
  db_close(db);
  printf("hunt: %llu evaluations in %.1f s (%.1f evals/s, %.1f Mgas/s executed)\n", (unsigned long long)hr.evals,
         hr.seconds, hr.evals_per_s, (double)hr.gas_per_s / 1e6);
  if (zkvm) printf("best: %s: %.1f estimated zkVM cycles per gas (profile %s, projected from published figures)\n", desc,
                  value, cp.name);
  printf("best: %s\n  %s: %llu gas used, estimate %.1f ms (%.1f ms/Mgas; %.1f ms for the proven tables, %.1f ms "
         "projected for the sized ones)",
         desc, path, (unsigned long long)pr.gas_used, pr.estimate.total_ms, est_per_mgas, pr.estimate.proven_ms,
         pr.estimate.sized_ms);
  if (prove && prc == RUN_OK) printf(", measured %.1f ms proving the proven tables, every proof verified\n", pr.prove_ms);
  else printf("%s\n", prove ? "" : ", not proven (--no-prove)");
  if (prove && prc != RUN_OK) cli_err("hunt", "%s: proving the winner failed: %s", path, pr.reason);
  int ret = (prove && prc != RUN_OK) || drc != DB_OK ? 2 : 0;
  run_block_result_free(&pr);
  return ret;
}
