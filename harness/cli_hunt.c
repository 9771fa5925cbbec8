/* cli_hunt: `pkbench hunt`: search for prover killers, minimise the winner,
 * re-prove it for real, and keep it with its provenance (file and database). */
#include <dirent.h>
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
#include "trace/trace.h"

static const char usage_text[] =
    "usage: pkbench hunt --gas-limit G --minutes M [--objective prove-time|zkvm-cycles] [--seed S]\n"
    "                    [--out DIR] [--db FILE] [--evals N] [--eval-gas G2] [--fork F] [--no-prove]\n"
    "                    [--cycles-profile NAME] [--include-sized] [--keep K]\n"
    "                    [--block-share F] [--seeds DIR] [--prove-keccak] [--prove-arith]\n"
    "                    [--prove-ecrecover] [--prove-precompiles] [--prove-all] [--no-lookups]\n"
    "                    [--profile P] [--backend cpu|cuda|auto]\n"
    "\n"
    "Evolutionary search over contracts built from stack-neutral instruction patterns,\n"
    "ranked by the estimated proving cost per gas (the cost model of `prove`, over\n"
    "the tables this build proves; --include-sized adds the tables it only sizes, at\n"
    "their assumed widths). The best\n"
    "K candidates (distinct bodies) are each minimised, rebuilt at the gas limit G,\n"
    "proven for real (the tables this build proves) and written to DIR/NAME.blk with\n"
    "DIR/NAME.json provenance, and recorded in the database as killers; the summary\n"
    "names the one with the highest measured proving time per gas.\n"
    "  --gas-limit G   gas limit of the winning block (default 60000000)\n"
    "  --minutes M     search time (default 1); --evals N stops after N evaluations\n"
    "  --eval-gas G2   gas limit of the blocks evaluated during the search (default 2000000)\n"
    "  --objective O   prove-time (default): estimated proving time per gas of this prover;\n"
    "                  zkvm-cycles: estimated RISC-V zkVM cycles per gas from a cycle profile\n"
    "  --cycles-profile NAME  prover/profiles/NAME-cycles.tsv or a path (default sp1)\n"
    "  --seed S        search seed (default 1)\n"
    "  --out DIR       where winners go (default corpus/killers)\n"
    "  --db FILE       results database (default ./pkbench.db)\n"
    "  --keep K        winners re-proven and kept (default 3, at most 8)\n"
    "  --block-share F share of the budget for the block-level phase (default 0.5; 0: off):\n"
    "                  whole blocks (the best genomes, every worst-case generator's block,\n"
    "                  --seeds) varied by the fuzzers' structure-aware mutator; its winners\n"
    "                  are minimised by dropping transactions and resized to G by repeating them\n"
    "  --seeds DIR     more seed blocks for the block phase (*.blk in DIR, e.g. corpus/smoke)\n"
    "  --prove-keccak, --prove-arith, --prove-ecrecover, --prove-precompiles, --prove-all,\n"
    "  --no-lookups\n"
    "                  hunt against the prover that also proves those tables, or without the\n"
    "                  lookup argument (prove --help): the objective counts the tables at\n"
    "                  their AIR widths (and the lookup argument's tables and columns, on by\n"
    "                  default) and the winners are proven with them\n"
    "  --no-prove      do not prove the winners (ranked by the objective instead)\n"
    "  --profile P     hardware profile of the prove-time objective: prover/profiles/P.tsv or\n"
    "                  a path (default: host; with --backend cuda on a GPU, that GPU's profile\n"
    "                  when it exists), so a hunt can rank blocks by a GPU prover's cost\n"
    "  --backend B     the winners' prover: cpu (default), cuda, auto (as prove --help)";

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void progress(void *ctx, uint64_t evals, double secs, const hunt_score *best, const hunt_genome *g) {
  (void)ctx;
  char d[512] = "a mutated block (block phase)";
  if (g && g->n) hunt_describe(g, d, sizeof d);
  if (best->cycles_per_gas > 0)
    fprintf(stderr, "hunt: %llu evals, %.0f s, %.1f evals/s, best %.1f est. zkVM cycles/gas: %s\n",
            (unsigned long long)evals, secs, secs > 0 ? (double)evals / secs : 0, best->cycles_per_gas, d);
  else
    fprintf(stderr, "hunt: %llu evals, %.0f s, %.1f evals/s, best %.1f est. ms/Mgas: %s\n", (unsigned long long)evals,
            secs, secs > 0 ? (double)evals / secs : 0, best->ms_per_mgas, d);
}

typedef struct {
  const hunt_opts *o;
  const hunt_result *hr;
  uint64_t gas;
  int prove, zkvm;
  const cycles_profile *cp;
  const char *out;
  db_handle *db;
  const char *dbpath;
  int64_t run_id;
  const run_opts *backend; /* the backend (and device) the winners are proven on */
  char kept[HUNT_TOP][65]; /* content hashes of the winners kept so far */
  unsigned n_kept;
} winner_ctx;

typedef struct {
  char desc[512];
  char path[4200];
  uint64_t gas_used;
  double value;          /* the objective's value at the full gas limit */
  double est_total_ms, est_proven_ms, est_sized_ms, est_per_mgas;
  double prove_ms, prove_per_mgas;
  double rank_value;     /* what orders the winners: measured ms/Mgas for prove-time (when proven), else the objective */
} winner;

/* Minimise the rank-th member of the final population, build it at the gas
 * limit, prove it (unless --no-prove), write DIR/NAME.blk and NAME.json, and
 * record it as a result of the hunt's run and as a killer. Prints one line.
 * Returns 0, 1 when the minimised block is one already kept (nothing done),
 * or -1 after printing why. */
static int keep_winner(winner_ctx *w, unsigned rank, winner *res) {
  memset(res, 0, sizeof *res);
  const hunt_candidate *cand = &w->hr->top[rank];
  hunt_score s;
  blk_block b;
  if (cand->is_block) {
    /* minimise at the evaluation gas (drop transactions), then resize */
    blk_block m;
    int kept_gas = 0;
    int mrc = hunt_resize_block(&cand->b, w->o->eval_gas, 0, &m);
    if (mrc == HUNT_OK) hunt_minimise_block(w->o, &m, &s);
    if (mrc == HUNT_OK) mrc = hunt_rebuild_block(w->o, &m, w->gas, &b, &s, &kept_gas);
    blk_free(&m);
    snprintf(res->desc, sizeof res->desc, "block %s, %zu transactions at %llu gas%s", cand->how,
             mrc == HUNT_OK ? b.n_txs : (size_t)0, (unsigned long long)w->gas,
             kept_gas ? " (copies of the evaluated transactions)" : "");
    if (mrc != HUNT_OK) {
      cli_err("hunt", "cannot build winner %u (%s)", rank + 1, res->desc);
      return -1;
    }
  } else {
    hunt_genome g = cand->g;
    hunt_minimise(w->o, &g, &s);
    hunt_describe(&g, res->desc, sizeof res->desc);
    if (hunt_build(&g, w->gas, w->o->fork, &b) != HUNT_OK) {
      cli_err("hunt", "cannot build winner %u (%s)", rank + 1, res->desc);
      return -1;
    }
  }
  char hash[65];
  blk_content_hash(&b, hash);
  for (unsigned i = 0; i < w->n_kept; i++)
    if (strcmp(w->kept[i], hash) == 0) {
      blk_free(&b);
      return 1;
    }
  memcpy(w->kept[w->n_kept++], hash, sizeof hash);
  rank = w->n_kept - 1;
  run_opts ro = run_opts_default();
  ro.stark.backend = w->backend->stark.backend;
  snprintf(ro.device, sizeof ro.device, "%s", w->backend->device);
  ro.prove = w->prove;
  ro.profile = w->o->profile;
  ro.prove_tables = w->o->trace_opts;
  char proven_tables[160];
  run_table_list(&ro, 1, proven_tables, sizeof proven_tables);
  run_block_result pr;
  cli_progress pg;
  char what[64];
  snprintf(what, sizeof what, "hunt: proving winner %u", rank + 1);
  cli_progress_attach(&pg, what, &ro);
  int prc = run_prove_block(&b, &ro, &pr);
  cli_progress_end(&pg);
  int proven = w->prove && prc == RUN_OK && pr.verified;
  char name[96], jpath[4200];
  snprintf(name, sizeof name, "hunt-s%llu-%.12s", (unsigned long long)w->o->seed, hash);
  snprintf(res->path, sizeof res->path, "%s/%s.blk", w->out, name);
  snprintf(jpath, sizeof jpath, "%s/%s.json", w->out, name);
  uint8_t *enc;
  size_t enc_len = 0;
  if (blk_encode(&b, &enc, &enc_len) == BLK_OK) free(enc);
  res->value = 0;
  char objective[96] = "estimate_ms_per_mgas";
  if (w->zkvm) {
    cycles_report cr;
    if (cycles_estimate_block(w->cp, &b, &cr) == CYCLES_OK) res->value = cr.per_gas;
    snprintf(objective, sizeof objective, "zkvm_cycles_per_gas:%s", w->cp->name);
  }
  int wrc = blk_write_file(res->path, &b);
  blk_free(&b);
  if (wrc != BLK_OK) {
    cli_err("hunt", "%s: cannot write: %s", res->path, strerror(errno));
    run_block_result_free(&pr);
    return -1;
  }
  double mgas = (double)pr.gas_used / 1e6;
  res->gas_used = pr.gas_used;
  res->est_total_ms = pr.estimate.total_ms;
  res->est_proven_ms = pr.estimate.proven_ms;
  res->est_sized_ms = pr.estimate.sized_ms;
  res->est_per_mgas = mgas > 0 ? (w->o->use_sized ? pr.estimate.total_ms : pr.estimate.proven_ms) / mgas : 0;
  if (!w->zkvm) res->value = res->est_per_mgas;
  res->prove_ms = proven ? pr.prove_ms : -1;
  res->prove_per_mgas = proven && mgas > 0 ? pr.prove_ms / mgas : -1;
  res->rank_value = w->prove && !w->zkvm ? res->prove_per_mgas : res->value;
  static char prov[48 * 1024]; /* bounded by the fields below (desc, paths) */
  time_t now = time(NULL);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  snprintf(prov, sizeof prov,
           "{\"found_by\":\"hunt\",\"rank\":%u,\"objective\":\"%s\",\"objective_value\":%.3f,"
           "\"search_value\":%.3f,\"estimate_ms_per_mgas\":%.3f,\"gas_limit\":%llu,\"gas_used\":%llu,\"estimate_ms\":%.3f,"
           "\"estimate_proven_ms\":%.3f,\"estimate_sized_ms\":%.3f,\"measured_prove_ms\":%.3f,"
           "\"measured_prove_ms_per_mgas\":%.3f,\"proven_tables\":\"%s\",\"verified\":%s,\"seed\":%llu,"
           "\"evals\":%llu,\"search_seconds\":%.1f,\"eval_gas\":%llu,\"evals_per_s\":%.2f,\"body\":\"%s\",\"fork\":\"%s\","
           "\"git_rev\":\"%s\",\"found_at\":\"%s\"}",
           rank + 1, objective, res->value, w->zkvm ? s.cycles_per_gas : s.ms_per_mgas, res->est_per_mgas,
           (unsigned long long)w->gas, (unsigned long long)pr.gas_used, pr.estimate.total_ms, pr.estimate.proven_ms,
           pr.estimate.sized_ms, res->prove_ms, res->prove_per_mgas, proven_tables, proven ? "true" : "false",
           (unsigned long long)w->o->seed, (unsigned long long)w->hr->evals, w->hr->seconds,
           (unsigned long long)w->o->eval_gas, w->hr->evals_per_s, res->desc, blk_fork_name(w->o->fork), PKB_GIT_REV,
           when);
  FILE *jf = fopen(jpath, "w");
  if (!jf || fprintf(jf, "%s\n", prov) < 0 || fclose(jf) != 0) {
    cli_err("hunt", "%s: cannot write the provenance", jpath);
    run_block_result_free(&pr);
    return -1;
  }
  /* Database: each winner is a result of the hunt's run, and a killer. */
  int64_t block_id;
  db_block_info bi = {hash, res->path, "hunt", blk_fork_name(w->o->fork), (int64_t)pr.gas_used, (int64_t)w->gas,
                      DB_NONE, (int64_t)enc_len};
  int drc = db_block_upsert(w->db, &bi, &block_id);
  if (drc == DB_OK) {
    db_result_info r;
    memset(&r, 0, sizeof r);
    r.run_id = w->run_id;
    r.block_id = block_id;
    r.status = !w->prove ? DB_RESULT_DECODED
               : proven  ? DB_RESULT_OK
               : prc == RUN_OK ? DB_RESULT_VERIFY_FAILED
                              : DB_RESULT_FAILED;
    r.reason = !w->prove || proven ? NULL : prc == RUN_OK ? "a proof did not verify" : pr.reason;
    r.exec_ms = pr.phase_ms[RUN_PHASE_EXECUTE];
    r.trace_ms = pr.phase_ms[RUN_PHASE_TRACE];
    r.prove_ms = proven ? pr.prove_ms : DB_NONE;
    r.verify_ms = proven ? pr.phase_ms[RUN_PHASE_VERIFY] : DB_NONE;
    r.projected_latency_ms = proven ? pr.total_ms : DB_NONE;
    r.projection_label = proven ? "measured:host" : NULL;
    r.made_slot = proven ? pr.total_ms <= 12000 : DB_NONE;
    r.peak_mem_kb = pr.peak_rss_kb;
    r.estimate_ms = pr.estimate.proven_ms;
    r.sized_ms = pr.estimate.sized_ms;
    r.proof_bytes = (int64_t)pr.proof_bytes;
    drc = db_result_record(w->db, &r, NULL, 0, NULL, 0, NULL);
  }
  if (drc == DB_OK) {
    db_killer_info k = {block_id, objective, res->value, "hunt", NULL, prov};
    drc = db_killer_record(w->db, &k, NULL);
    if (drc == DB_E_DUPLICATE) drc = DB_OK; /* found before: the first finding is kept */
  }
  if (drc != DB_OK) cli_err("hunt", "%s: %s", w->dbpath, db_errmsg(w->db));
  printf("winner %u: %s\n  %s: %llu gas, estimate %.1f ms/Mgas", rank + 1, res->desc, res->path,
         (unsigned long long)pr.gas_used, res->est_per_mgas);
  if (proven) printf(", measured %.1f ms = %.1f ms/Mgas, verified\n", pr.prove_ms, res->prove_per_mgas);
  else printf("%s\n", w->prove ? ", NOT proven" : "");
  fflush(stdout);
  if (w->prove && !proven)
    cli_err("hunt", "%s: proving winner %u failed: %s", res->path, rank + 1,
            prc == RUN_OK ? "a proof did not verify" : pr.reason);
  run_block_result_free(&pr);
  return (w->prove && !proven) || drc != DB_OK ? -1 : 0;
}

/* Every *.blk directly in dir (sorted by name), decoded; a file that does not
 * decode is an error naming it. Returns 0 or -1 after printing why. */
static int load_seeds(const char *dir, blk_block **out, size_t *n) {
  *out = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) {
    cli_err("hunt", "--seeds: %s: %s", dir, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t nn = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".blk") != 0) continue;
    char **t = realloc(names, (nn + 1) * sizeof *names);
    if (!t || !(t[nn] = strdup(e->d_name))) {
      if (t) names = t;
      break;
    }
    names = t;
    nn++;
  }
  closedir(d);
  qsort(names, nn, sizeof *names, cmp_names);
  int rc = 0;
  blk_block *bs = nn ? calloc(nn, sizeof *bs) : NULL;
  if (nn && !bs) rc = -1;
  for (size_t i = 0; i < nn && rc == 0; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    blk_error err;
    if (blk_read_file(path, &bs[*n], &err) != BLK_OK) {
      cli_err("hunt", "--seeds: %s: offset %zu: %s", path, err.offset, err.msg ? err.msg : "unreadable");
      rc = -1;
      break;
    }
    (*n)++;
  }
  for (size_t i = 0; i < nn; i++) free(names[i]);
  free(names);
  if (rc != 0) {
    for (size_t i = 0; i < *n; i++) blk_free(&bs[i]);
    free(bs);
    *n = 0;
    return -1;
  }
  if (*n == 0) {
    cli_err("hunt", "--seeds: %s: no .blk files", dir);
    free(bs);
    return -1;
  }
  *out = bs;
  return 0;
}

int cli_hunt(int argc, char **argv) {
  hunt_opts o = hunt_opts_default();
  uint64_t gas = 60000000;
  double minutes = 1;
  const char *out = "corpus/killers", *dbpath = "pkbench.db";
  int prove = 1, zkvm = 0;
  unsigned keep = 3;
  const char *seeds_dir = NULL;
  const char *cycles_name = "sp1";
  const char *backend = "cpu", *profile = NULL; /* profile NULL: the backend's (cli_default_profile) */
  char profile_buf[128];
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
    } else if (cli_prove_flag(a, &o.trace_opts)) {
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
    } else if (strcmp(a, "--block-share") == 0) {
      char *end;
      double f = strtod(v, &end);
      if (*end || !(f >= 0 && f <= 0.9)) {
        cli_err("hunt", "--block-share: '%s' is not a fraction from 0 to 0.9", v);
        return 2;
      }
      o.block_share = f;
      i++;
    } else if (strcmp(a, "--seeds") == 0) {
      seeds_dir = v;
      i++;
    } else if (strcmp(a, "--keep") == 0) {
      if (cli_parse_u64(v, &n) || n < 1 || n > HUNT_TOP) {
        cli_err("hunt", "--keep: '%s' is not a count from 1 to %d", v, HUNT_TOP);
        return 2;
      }
      keep = (unsigned)n;
      i++;
    } else if (strcmp(a, "--out") == 0) {
      out = v;
      i++;
    } else if (strcmp(a, "--profile") == 0) {
      profile = v;
      i++;
    } else if (strcmp(a, "--backend") == 0) {
      if (strcmp(v, "cpu") != 0 && strcmp(v, "cuda") != 0 && strcmp(v, "auto") != 0) {
        cli_err("hunt", "--backend: '%s' is not cpu, cuda or auto", v);
        return 2;
      }
      backend = v;
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
  /* the winners' prover, then the cost model's profile (the GPU's own by
   * default when proving on one) */
  static run_opts sel;
  sel = run_opts_default();
  if (cli_prover_setup("hunt", backend, prove, &profile, &sel, profile_buf, sizeof profile_buf)) return 2;
  o.profile = sel.profile;
  if (zkvm) {
    cycles_error ce;
    if (cycles_profile_open(cycles_name, NULL, &cp, &ce) != CYCLES_OK) {
      cli_err("hunt", "--cycles-profile: %s", ce.msg);
      return 2;
    }
    o.cycles = &cp;
  }
  if (cli_make_dir("hunt", out) != 0) {
    return 2;
  }
  char errbuf[DB_ERRMSG_MAX];
  db_handle *db;
  if (db_open(dbpath, DB_OPEN_CREATE, &db, errbuf, sizeof errbuf) != DB_OK) {
    cli_err("hunt", "%s", errbuf);
    return 2;
  }
  blk_block *seeds = NULL;
  size_t n_seeds = 0;
  if (seeds_dir && load_seeds(seeds_dir, &seeds, &n_seeds) != 0) {
    db_close(db);
    return 2;
  }
  o.seed_blocks = seeds;
  o.n_seed_blocks = n_seeds;
  o.progress = progress;
  hunt_result hr;
  int rc = hunt_run(&o, &hr);
  for (size_t i = 0; i < n_seeds; i++) blk_free(&seeds[i]);
  free(seeds);
  if (rc != HUNT_OK) {
    cli_err("hunt", "search failed (code %d)", rc);
    db_close(db);
    return 2;
  }
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  db_run_info ri = {NULL,         PKB_GIT_REV, "{\"command\":\"hunt\"}", run_backend_name(&sel), o.profile.name, 1,
                    12000,        host,        "pkbench hunt"};
  int64_t run_id = 0;
  if (db_run_begin(db, &ri, &run_id) != DB_OK) {
    cli_err("hunt", "%s: %s", dbpath, db_errmsg(db));
    db_close(db);
    return 2;
  }
  printf("hunt: %llu evaluations in %.1f s (%.1f evals/s, %.1f Mgas/s executed)\n", (unsigned long long)hr.evals,
         hr.seconds, hr.evals_per_s, (double)hr.gas_per_s / 1e6);
  fflush(stdout);
  static winner_ctx w;
  w = (winner_ctx){&o, &hr, gas, prove, zkvm, &cp, out, db, dbpath, run_id, &sel, {{0}}, 0};
  int best = -1, failed = 0;
  static winner res[HUNT_TOP];
  unsigned got = 0;
  /* members whose minimised blocks coincide count once */
  for (unsigned i = 0; i < hr.n_top && got < keep; i++) {
    int krc = keep_winner(&w, i, &res[got]);
    if (krc == 1) continue;
    got++;
    if (krc != 0) {
      failed = 1;
      continue;
    }
    /* the best is the highest measured proving time per gas (or estimate without proving) */
    if (best < 0 || res[got - 1].rank_value > res[best].rank_value) best = (int)got - 1;
  }
  hunt_result_free(&hr);
  int drc = db_run_finish(db, run_id, failed ? DB_RUN_FAILED : DB_RUN_DONE);
  if (drc != DB_OK) cli_err("hunt", "%s: %s", dbpath, db_errmsg(db));
  db_close(db);
  if (best < 0) {
    cli_err("hunt", "no winner could be kept");
    return 2;
  }
  const winner *b = &res[best];
  if (zkvm)
    printf("best: %s: %.1f estimated zkVM cycles per gas (profile %s, projected from published figures)\n", b->desc,
           b->value, cp.name);
  printf("best: %s\n  %s: %llu gas used, estimate %.1f ms (%.1f ms/Mgas; %.1f ms for the proven tables, %.1f ms "
         "projected for the sized ones)",
         b->desc, b->path, (unsigned long long)b->gas_used, b->est_total_ms, b->est_per_mgas, b->est_proven_ms,
         b->est_sized_ms);
  if (prove) printf(", measured %.1f ms proving the proven tables (%.1f ms/Mgas), every proof verified\n", b->prove_ms,
                    b->prove_per_mgas);
  else printf(", not proven (--no-prove)\n");
  return failed || drc != DB_OK ? 2 : 0;
}
