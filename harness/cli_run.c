/* cli_run: `pkbench run`, the main job.
 *
 * Walks the corpus (folders recursively, *.blk, in path order), handles each
 * block and commits its result to the database before going to the next, so
 * a crash loses at most the block in hand and `--resume RUN_ID` carries on
 * where a run stopped. A block file that does not decode is recorded as
 * invalid with the decoder's offset and reason, and the run goes on.
 *
 * Each block is executed, its tables built and every shard of every proven
 * table proven and verified (harness/runner). The latency compared with the
 * slot is the one measured on this host with one worker: execution, tables,
 * proving and verification of the tables this build proves. It is labelled
 * "measured:host", and the summary names the tables that were only sized.
 * --no-prove records decoded blocks without executing them.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "blk.h"
#include "build_info.h"
#include "cli.h"
#include "db.h"
#include "model.h"
#include "runner.h"

static const char usage_text[] =
    "usage: pkbench run [--db FILE] [--slot 12s|6s|MS] [--gpus G] [--profile NAME]\n"
    "                   [--resume RUN_ID] [--shard-log K] [--no-prove] [--prove-keccak]\n"
    "                   [--prove-arith] [--prove-ecrecover] [--prove-precompiles] [--prove-all]\n"
    "                   [--no-lookups] [--trace-budget-mib N] [--json]\n"
    "                   [--sample K [--seed S]] [--partition I/N] [--backend cpu|cuda|auto]\n"
    "                   [CORPUS_DIR_OR_FILE...]\n"
    "\n"
    "Handles every block file (*.blk, folders searched recursively, in path order),\n"
    "records one result per block in the database as each block finishes, and\n"
    "prints a table and a summary.\n"
    "  --db FILE        results database (default ./pkbench.db, created if missing)\n"
    "  --slot D         slot deadline: 12s, 6s or milliseconds (default 12s)\n"
    "  --gpus G         workers of the cluster model (default 1: the time measured on\n"
    "                   this host; G > 1: shard proofs scheduled longest-first onto G\n"
    "                   workers, labelled projected)\n"
    "  --profile NAME   hardware profile of the estimate: prover/profiles/NAME.tsv or a\n"
    "                   path to one (default: host; on a GPU the GPU's own profile,\n"
    "                   prover/profiles/<gpu-name>.tsv, when bench --backend cuda wrote it)\n"
    "  --resume RUN_ID  continue an interrupted run: blocks it has finished are skipped\n"
    "  --shard-log K    at most 2^K rows per shard (default 20)\n"
    "  --sample K       a seeded random sample of K blocks (--seed S, default 0)\n"
    "  --partition I/N  every N-th block from the I-th: N machines split one corpus and\n"
    "                   merge their databases afterwards (pkbench import --db)\n"
    "  --no-prove       decode and check only; nothing is executed or proven\n"
    "  --prove-keccak   also prove the keccak table with the Keccak-f AIR (see prove --help)\n"
    "  --prove-arith    also prove the arith table with the 256-bit arithmetic AIR (see\n"
    "                   prove --help)\n"
    "  --prove-ecrecover  also prove the ecrecover table: every recovery's modular\n"
    "                   multiplications as MULMOD rows of the arithmetic AIR (see prove --help)\n"
    "  --prove-precompiles  also prove the sha256, ripemd160, blake2f, modmul and bls12 tables (see\n"
    "                   prove --help)\n"
    "  --prove-all      every table option above\n"
    "  --no-lookups     without the lookup argument, on by default (--lookups): LogUp\n"
    "                   buses: cpu rows' opcode facts checked against the opcode ROM,\n"
    "                   memory and storage checked for consistency (storage from the\n"
    "                   block's pre-state), each of their accesses tied to its\n"
    "                   instruction, clocks and\n"
    "                   slot limbs range-checked (see prove --help)\n"
    CLI_TRACE_BUDGET_HELP
    "  --prover-cmd CMD time an external prover instead of the in-tree one: each block is\n"
    "                   exported as a state_test fixture and CMD runs through /bin/sh with\n"
    "                   {fixture} replaced by its path; exit 0 is a success (measured:external)\n"
    "  --timeout S      give up on a block after S seconds and record it as timeout (the\n"
    "                   in-tree prover checks between shards; an external one is killed)\n"
    "  --extra-work N   prove every shard N more times (a deliberately slowed prover,\n"
    "                   for testing regression gates)\n"
    "  --backend B      prover backend: cpu (default), cuda (needs a GPU), auto (cuda when\n"
    "                   a GPU is found, else cpu); recorded in the run. A block that fails\n"
    "                   on the GPU is recorded as failed with the CUDA error. "
    RUN_CUDA_EMULATE_ENV "=1\n"
    "                   lets cuda run on the CPU emulation of the kernels (slow; tests only)\n"
    "  --json           one JSON object per block and a summary object, on stdout\n"
    "Default corpus: corpus/.\n"
    "Exit status: 0 when every block was handled, 2 on bad input (options, database).";

typedef struct {
  char **v;
  size_t n, cap;
} pathlist;

static pathlist *g_walk; /* nftw has no context argument */

static int add_path(pathlist *l, const char *p) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    char **nv = realloc(l->v, cap * sizeof *nv);
    if (!nv) return -1;
    l->v = nv;
    l->cap = cap;
  }
  l->v[l->n] = strdup(p);
  if (!l->v[l->n]) return -1;
  l->n++;
  return 0;
}

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  size_t n = strlen(path);
  if (type == FTW_F && n > 4 && strcmp(path + n - 4, ".blk") == 0) return add_path(g_walk, path);
  return 0;
}

static int run_exists_cb(void *ctx, const db_run_row *row) {
  (void)ctx;
  (void)row;
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void free_paths(pathlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
}

static int parse_slot(const char *s, long long *ms) {
  unsigned long long v;
  size_t n = strlen(s);
  if (n > 1 && s[n - 1] == 's' && (n < 2 || s[n - 2] != 'm')) {
    char buf[32];
    if (n - 1 >= sizeof buf) return -1;
    memcpy(buf, s, n - 1);
    buf[n - 1] = 0;
    if (cli_parse_u64(buf, &v) || v == 0 || v > 86400) return -1;
    *ms = (long long)v * 1000;
    return 0;
  }
  char buf[32];
  if (n >= sizeof buf) return -1;
  strcpy(buf, s);
  if (n > 2 && strcmp(buf + n - 2, "ms") == 0) buf[n - 2] = 0;
  if (cli_parse_u64(buf, &v) || v == 0 || v > 86400000ull) return -1;
  *ms = (long long)v;
  return 0;
}

typedef struct {
  size_t handled, decoded, invalid, skipped, failed, proven, prove_failed, made_slot;
  /* proven blocks whose measured latency plus the sized tables' projection
   * is known, and of those the ones within the slot */
  size_t with_sized, made_slot_sized;
} run_counts;

/* Record what the runner measured into the result row, its phases and tables. */
static void fill_result(const run_block_result *pr, const model_profile *prof, unsigned gpus, long long slot_ms,
                        char *label, size_t label_len, db_result_info *ri, db_phase *ph, size_t *nph, db_table *tb,
                        size_t *ntb) {
  ri->exec_ms = pr->phase_ms[RUN_PHASE_EXECUTE];
  ri->trace_ms = pr->phase_ms[RUN_PHASE_TRACE];
  ri->prove_ms = pr->prove_ms;
  ri->verify_ms = pr->phase_ms[RUN_PHASE_VERIFY];
  ri->peak_mem_kb = pr->peak_rss_kb;
  ri->proof_bytes = (int64_t)pr->proof_bytes;
  ri->estimate_ms = pr->estimate.proven_ms;
  ri->sized_ms = pr->estimate.sized_ms;
  *nph = 0;
  for (int p = 0; p < RUN_PHASE_COUNT; p++) {
    ph[*nph].name = run_phase_name((run_phase)p);
    ph[*nph].ms = pr->phase_ms[p];
    (*nph)++;
  }
  *ntb = 0;
  for (int i = 0; i < TRACE_COUNT; i++) {
    tb[*ntb].name = pr->tables[i].name;
    tb[*ntb].rows = (int64_t)pr->tables[i].rows;
    tb[*ntb].width = pr->tables[i].width ? (int64_t)pr->tables[i].width : DB_NONE;
    tb[*ntb].shards = (int64_t)pr->tables[i].shards;
    tb[*ntb].est_ms = pr->estimate.table_ms[i];
    (*ntb)++;
  }
  if (pr->status == RUN_OK) {
    /* One worker and no aggregation: the sequential time measured here.
     * Otherwise the cluster model over the measured shard times. */
    ri->projected_latency_ms = model_latency(prof, gpus, pr->phase_ms[RUN_PHASE_EXECUTE], pr->phase_ms[RUN_PHASE_TRACE],
                                             pr->shard_ms, pr->n_shards);
    if (gpus == 1 && prof->agg_ms_per_level == 0) snprintf(label, label_len, "measured:host");
    else snprintf(label, label_len, "projected:%s-x%u", prof->name, gpus);
    ri->projection_label = label;
    ri->made_slot = ri->projected_latency_ms <= (double)slot_ms;
  }
}

int cli_run(int argc, char **argv) {
  const char *dbpath = "pkbench.db", *profile = NULL; /* NULL: the backend's (cli_default_profile) */
  char profile_buf[128];
  long long slot_ms = 12000;
  unsigned long long gpus = 1, resume = 0;
  int json = 0, prove = 1;
  unsigned long long part_i = 1, part_n = 1, sample = 0, sample_seed = 0, timeout_s = 0;
  const char *prover_cmd = NULL;
  run_opts ro = run_opts_default();
  const char *backend = "cpu";
  pathlist inputs = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      free_paths(&inputs);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--no-prove") == 0) {
      prove = 0;
    } else if (cli_prove_flag(a, &ro.prove_tables)) {
    } else if (strcmp(a, "--prover-cmd") == 0 && v) {
      if (!strstr(v, "{fixture}")) {
        cli_err("run", "--prover-cmd: the command must contain {fixture} (the exported block's path)");
        free_paths(&inputs);
        return 2;
      }
      prover_cmd = v;
      i++;
    } else if (strcmp(a, "--timeout") == 0 && v) {
      if (cli_parse_u64(v, &timeout_s) || timeout_s == 0) {
        cli_err("run", "--timeout: '%s' is not a positive number of seconds", v);
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--partition") == 0 && v) {
      char *slash = strchr(v, '/');
      char ib[32];
      if (!slash || (size_t)(slash - v) >= sizeof ib) {
        cli_err("run", "--partition: '%s' is not I/N", v);
        free_paths(&inputs);
        return 2;
      }
      memcpy(ib, v, (size_t)(slash - v));
      ib[slash - v] = 0;
      if (cli_parse_u64(ib, &part_i) || cli_parse_u64(slash + 1, &part_n) || part_n == 0 || part_i == 0 ||
          part_i > part_n) {
        cli_err("run", "--partition: '%s' is not I/N with 1 <= I <= N", v);
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--sample") == 0 && v) {
      if (cli_parse_u64(v, &sample) || sample == 0) {
        cli_err("run", "--sample: '%s' is not a positive count", v);
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--seed") == 0 && v) {
      if (cli_parse_u64(v, &sample_seed)) {
        cli_err("run", "--seed: '%s' is not a non-negative integer", v);
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--extra-work") == 0 && v) {
      unsigned long long k;
      if (cli_parse_u64(v, &k) || k > 100) {
        cli_err("run", "--extra-work: '%s' is not in 0..100", v);
        free_paths(&inputs);
        return 2;
      }
      ro.extra_work = (unsigned)k;
      i++;
    } else if (strcmp(a, "--shard-log") == 0 && v) {
      unsigned long long k;
      if (cli_parse_u64(v, &k) || k < 1 || k > STARK_MAX_LOG_ROWS) {
        cli_err("run", "--shard-log: '%s' is not in 1..%d", v, STARK_MAX_LOG_ROWS);
        free_paths(&inputs);
        return 2;
      }
      ro.log_shard = (unsigned)k;
      i++;
    } else if (strcmp(a, "--trace-budget-mib") == 0 && v) {
      if (cli_trace_budget("run", v, &ro.trace_max_bytes)) {
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--db") == 0 && v) {
      dbpath = v;
      i++;
    } else if (strcmp(a, "--backend") == 0 && v) {
      if (strcmp(v, "cpu") != 0 && strcmp(v, "cuda") != 0 && strcmp(v, "auto") != 0) {
        cli_err("run", "--backend: '%s' is not cpu, cuda or auto", v);
        free_paths(&inputs);
        return 2;
      }
      backend = v;
      i++;
    } else if (strcmp(a, "--profile") == 0 && v) {
      profile = v;
      i++;
    } else if (strcmp(a, "--slot") == 0 && v) {
      if (parse_slot(v, &slot_ms)) {
        cli_err("run", "--slot: '%s' is not a deadline (12s, 6s or milliseconds)", v);
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--gpus") == 0 && v) {
      if (cli_parse_u64(v, &gpus) || gpus == 0 || gpus > 1000000) {
        cli_err("run", "--gpus: '%s' is not a positive number of workers", v);
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--resume") == 0 && v) {
      if (cli_parse_u64(v, &resume) || resume == 0) {
        cli_err("run", "--resume: '%s' is not a run id", v);
        free_paths(&inputs);
        return 2;
      }
      i++;
    } else if (a[0] == '-' && a[1]) {
      cli_err("run", "unknown or incomplete option '%s' (see --help)", a);
      free_paths(&inputs);
      return 2;
    } else if (add_path(&inputs, a)) {
      cli_err("run", "out of memory");
      free_paths(&inputs);
      return 2;
    }
  }
  ro.timeout_ms = (double)timeout_s * 1e3;
  if (cli_prover_setup("run", backend, prove && !prover_cmd, &profile, &ro, profile_buf, sizeof profile_buf)) {
    free_paths(&inputs);
    return 2;
  }
  if (inputs.n == 0 && add_path(&inputs, "corpus")) {
    cli_err("run", "out of memory");
    return 2;
  }

  /* Collect the block files first so bad paths fail before the run starts. */
  pathlist files = {0};
  for (size_t i = 0; i < inputs.n; i++) {
    struct stat st;
    if (stat(inputs.v[i], &st) != 0) {
      cli_err("run", "%s: %s", inputs.v[i], strerror(errno));
      free_paths(&inputs);
      free_paths(&files);
      return 2;
    }
    size_t before = files.n;
    if (S_ISDIR(st.st_mode)) {
      g_walk = &files;
      if (nftw(inputs.v[i], walk_cb, 16, FTW_PHYS) != 0) {
        cli_err("run", "%s: cannot read folder: %s", inputs.v[i], strerror(errno));
        free_paths(&inputs);
        free_paths(&files);
        return 2;
      }
      qsort(files.v + before, files.n - before, sizeof(char *), cmp_str);
    } else if (add_path(&files, inputs.v[i])) {
      cli_err("run", "out of memory");
      free_paths(&inputs);
      free_paths(&files);
      return 2;
    }
  }
  free_paths(&inputs);
  /* --partition I/N: this machine takes every N-th file from the I-th (1-based),
   * so N machines split one corpus and their databases merge. --sample K: a
   * seeded random K of what is left (Fisher-Yates on a copy; order kept). */
  if (part_n > 1 || sample) {
    size_t keep = 0;
    for (size_t i = 0; i < files.n; i++) {
      if (part_n > 1 && i % part_n != part_i - 1) {
        free(files.v[i]);
        continue;
      }
      files.v[keep++] = files.v[i];
    }
    files.n = keep;
    if (sample && sample < files.n) {
      size_t *idx = malloc(files.n * sizeof *idx);
      unsigned char *chosen = calloc(files.n, 1);
      if (!idx || !chosen) {
        free(idx);
        free(chosen);
        cli_err("run", "out of memory");
        free_paths(&files);
        return 2;
      }
      for (size_t i = 0; i < files.n; i++) idx[i] = i;
      uint64_t st = sample_seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
      for (size_t i = 0; i < sample; i++) {
        st ^= st >> 12;
        st ^= st << 25;
        st ^= st >> 27;
        size_t j = i + (size_t)((st * 2685821657736338717ull) % (files.n - i));
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        chosen[idx[i]] = 1;
      }
      keep = 0;
      for (size_t i = 0; i < files.n; i++) {
        if (!chosen[i]) {
          free(files.v[i]);
          continue;
        }
        files.v[keep++] = files.v[i];
      }
      files.n = keep;
      free(idx);
      free(chosen);
    }
  }
  if (files.n == 0) {
    cli_err("run", "no block files (*.blk) found");
    free_paths(&files);
    return 2;
  }

  char errbuf[DB_ERRMSG_MAX];
  db_handle *db = NULL;
  int rc = db_open(dbpath, DB_OPEN_CREATE, &db, errbuf, sizeof errbuf);
  if (rc != DB_OK) {
    cli_err("run", "%s", errbuf);
    free_paths(&files);
    return 2;
  }
  int64_t run_id;
  if (resume) {
    run_id = (int64_t)resume;
    rc = db_run_get(db, run_id, run_exists_cb, NULL);
    if (rc != DB_OK) {
      cli_err("run", "--resume %llu: %s: no such run", resume, dbpath);
      db_close(db);
      free_paths(&files);
      return 2;
    }
  } else {
    char host[256] = "unknown", cmd[1024] = "pkbench";
    gethostname(host, sizeof host - 1);
    for (int i = 0; i < argc; i++) {
      size_t l = strlen(cmd);
      snprintf(cmd + l, sizeof cmd - l, " %s", argv[i]);
    }
    char config[768], proven_json[256] = "";
    /* the proven tables as a JSON list: "cpu","memory",... */
    for (int t = 0, k = 0; t < TRACE_COUNT; t++)
      if (trace_table_proven((trace_table_id)t, run_trace_opts(&ro)))
        k += snprintf(proven_json + k, sizeof proven_json - (size_t)k, "%s\"%s\"", k ? "," : "",
                      trace_table_name((trace_table_id)t));
    if (prover_cmd)
      snprintf(config, sizeof config, "{\"prover\":\"external\",\"command_len\":%zu}", strlen(prover_cmd));
    else if (prove)
      snprintf(config, sizeof config,
               "{\"prover\":\"stark\",\"log_shard\":%u,\"log_blowup\":%u,\"queries\":%u,\"pow_bits\":%u,"
               "\"proven_tables\":[%s],\"backend\":\"%s\",\"device\":\"%s\"}",
               ro.log_shard, ro.stark.fri.log_blowup, ro.stark.fri.num_queries, ro.stark.fri.pow_bits,
               proven_json, run_backend_name(&ro), ro.device);
    else
      snprintf(config, sizeof config, "{\"prover\":\"none\",\"stage\":\"decode\"}");
    db_run_info info = {NULL, PKB_GIT_REV, config, prover_cmd ? "external" : run_backend_name(&ro), profile,
                        (int64_t)gpus, slot_ms, host, cmd};
    rc = db_run_begin(db, &info, &run_id);
    if (rc != DB_OK) {
      cli_err("run", "%s: %s", dbpath, db_errmsg(db));
      db_close(db);
      free_paths(&files);
      return 2;
    }
  }

  if (!json)
    printf("%-40s %-7s %5s %10s %10s %10s %5s  %s\n", "block", "fork", "txs", "gas_limit", "gas_used", "latency_ms",
           "slot", "status");
  run_counts c = {0};
  int tty = isatty(2);
  double t_run = bench_now_ms();
  int status = 0;
  for (size_t i = 0; i < files.n; i++) {
    const char *path = files.v[i];
    uint8_t *buf;
    size_t len;
    rc = blk_read_bytes(path, &buf, &len);
    if (rc != BLK_OK) {
      cli_err("run", "%s: cannot read: %s", path, rc == BLK_E_IO ? strerror(errno) : blk_strerror(rc));
      c.failed++;
      continue;
    }
    char hash[65];
    blk_hash_bytes(buf, len, hash);
    if (resume && db_result_exists(db, run_id, hash) == 1) {
      free(buf);
      c.skipped++;
      continue;
    }
    blk_block b;
    blk_error e;
    int drc = blk_decode(buf, len, &b, &e);
    free(buf);
    char reason[512], label[96];
    db_block_info bi = {hash, path, "corpus", NULL, DB_NONE, DB_NONE, DB_NONE, (int64_t)len};
    db_result_info ri;
    memset(&ri, 0, sizeof ri);
    ri.exec_ms = ri.trace_ms = ri.prove_ms = ri.verify_ms = ri.projected_latency_ms = ri.estimate_ms = DB_NONE;
    ri.sized_ms = DB_NONE;
    ri.peak_mem_kb = ri.proof_bytes = DB_NONE;
    ri.made_slot = DB_NONE;
    ri.run_id = run_id;
    if (drc != BLK_OK) {
      snprintf(reason, sizeof reason, "offset %zu: %s (%s)", e.offset, e.msg, blk_strerror(drc));
      ri.status = DB_RESULT_INVALID;
      ri.reason = reason;
      cli_err("run", "%s: %s", path, reason);
      c.invalid++;
    }
    run_block_result pr;
    memset(&pr, 0, sizeof pr);
    db_shard *sh = NULL;
    db_phase ph[RUN_PHASE_COUNT];
    db_table tb[TRACE_COUNT];
    size_t nph = 0, ntb = 0;
    if (drc == BLK_OK) {
      bi.fork = blk_fork_name(b.env.fork);
      bi.gas_limit = (int64_t)b.env.gas_limit;
      bi.tx_count = (int64_t)b.n_txs;
      c.decoded++;
      if (!prove) {
        ri.status = DB_RESULT_DECODED;
        ri.reason = "decoded and checked (--no-prove)";
      } else {
        if (tty) {
          /* progress: blocks done, time left at the pace so far, success so far */
          double el = (bench_now_ms() - t_run) / 1e3;
          size_t done = c.handled;
          fprintf(stderr, "[%zu/%zu] proving %s  elapsed %.0fs", i + 1, files.n, path, el);
          if (done) fprintf(stderr, "  eta %.0fs", el / (double)done * (double)(files.n - i));
          if (c.proven) fprintf(stderr, "  in slot %zu/%zu", c.made_slot, c.proven);
          fflush(stderr);
        }
        int prc;
        if (prover_cmd) {
          double ext_ms;
          prc = run_external(&b, prover_cmd, (double)timeout_s * 1e3, &ext_ms, pr.reason, sizeof pr.reason);
          pr.status = prc;
          ri.prove_ms = ext_ms;
          if (prc == RUN_OK) {
            ri.projected_latency_ms = ext_ms;
            ri.projection_label = "measured:external";
            ri.made_slot = ext_ms <= (double)slot_ms;
          }
        } else {
          /* a long block's own progress, shard by shard, on the same line */
          cli_progress pg;
          char what[160];
          snprintf(what, sizeof what, "[%zu/%zu] %s", i + 1, files.n, path);
          cli_progress_attach(&pg, what, &ro);
          prc = run_prove_block(&b, &ro, &pr);
          ro.on_shard = NULL;
          bi.gas_used = (int64_t)pr.gas_used;
          fill_result(&pr, &ro.profile, (unsigned)gpus, slot_ms, label, sizeof label, &ri, ph, &nph, tb, &ntb);
        }
        if (tty) fprintf(stderr, "\r\033[K");
        if (prc == RUN_OK) {
          ri.status = DB_RESULT_OK;
          ri.reason = NULL;
          c.proven++;
          c.made_slot += ri.made_slot == 1;
          if (ri.made_slot != DB_NONE && ri.sized_ms >= 0) {
            c.with_sized++;
            c.made_slot_sized += ri.projected_latency_ms + ri.sized_ms <= (double)slot_ms;
          }
        } else {
          ri.status = prc == RUN_E_VERIFY ? DB_RESULT_VERIFY_FAILED : prc == RUN_E_TIMEOUT ? DB_RESULT_TIMEOUT : DB_RESULT_FAILED;
          snprintf(reason, sizeof reason, "%s", pr.reason);
          ri.reason = reason;
          c.prove_failed++;
          cli_err("run", "%s: %s", path, pr.reason);
        }
      }
    }
    if (pr.n_shards && (sh = calloc(pr.n_shards, sizeof *sh)) != NULL) {
      for (size_t k = 0; k < pr.n_shards; k++) {
        sh[k].table = trace_table_name(pr.shards[k].table);
        sh[k].shard = (int64_t)pr.shards[k].index;
        sh[k].rows = (int64_t)pr.shards[k].rows;
        sh[k].prove_ms = pr.shard_ms[k];
      }
    }
    int64_t block_id;
    rc = db_block_upsert(db, &bi, &block_id);
    if (rc == DB_OK) {
      ri.block_id = block_id;
      rc = db_result_record_shards(db, &ri, ph, nph, tb, ntb, sh, sh ? pr.n_shards : 0, NULL);
    }
    free(sh);
    run_block_result_free(&pr);
    if (rc != DB_OK) {
      cli_err("run", "%s: recording %s: %s", dbpath, path, db_errmsg(db));
      if (drc == BLK_OK) blk_free(&b);
      status = 2;
      break;
    }
    c.handled++;
    if (json) {
      printf("{\"run_id\":%lld,\"block\":", (long long)run_id);
      cli_json_str(stdout, path);
      printf(",\"content_hash\":\"%s\",\"status\":\"%s\"", hash, ri.status);
      if (drc == BLK_OK)
        printf(",\"fork\":\"%s\",\"txs\":%zu,\"gas_limit\":%llu,\"gas_used\":%lld", bi.fork, b.n_txs,
               (unsigned long long)b.env.gas_limit, (long long)bi.gas_used);
      if (ri.made_slot != DB_NONE)
        printf(",\"latency_ms\":%.3f,\"label\":\"%s\",\"made_slot\":%s", ri.projected_latency_ms,
               ri.projection_label, ri.made_slot ? "true" : "false");
      if (ri.reason) {
        printf(",\"reason\":");
        cli_json_str(stdout, ri.reason);
      }
      printf("}\n");
    } else if (drc == BLK_OK) {
      char lat[32] = "-", gu[32] = "-";
      if (ri.made_slot != DB_NONE) snprintf(lat, sizeof lat, "%.1f", ri.projected_latency_ms);
      if (bi.gas_used != DB_NONE) snprintf(gu, sizeof gu, "%lld", (long long)bi.gas_used);
      printf("%-40s %-7s %5zu %10llu %10s %10s %5s  %s\n", path, bi.fork, b.n_txs, (unsigned long long)b.env.gas_limit,
             gu, lat, ri.made_slot == DB_NONE ? "-" : ri.made_slot ? "yes" : "no", ri.status);
    } else {
      printf("%-40s %-7s %5s %10s %10s %10s %5s  %s\n", path, "-", "-", "-", "-", "-", "-", ri.status);
    }
    fflush(stdout);
    if (drc == BLK_OK) blk_free(&b);
  }
  free_paths(&files);
  db_run_finish(db, run_id, status ? DB_RUN_FAILED : DB_RUN_DONE);
  db_close(db);
  /* Success rate over proven blocks, with a 95% Wilson interval. */
  double rate = 0, lo = 0, hi = 0;
  if (c.proven) model_wilson(c.made_slot, c.proven, &rate, &lo, &hi);
  /* The same with the sized tables' projected cost added: one worker only,
   * where the measured latency is a sum the projection can be added to. */
  double srate = 0, slo = 0, shi = 0;
  const int sized_rate_shown = c.with_sized == c.proven && c.proven && gpus == 1 && !prover_cmd;
  if (sized_rate_shown) model_wilson(c.made_slot_sized, c.with_sized, &srate, &slo, &shi);
  if (json) {
    printf("{\"summary\":true,\"run_id\":%lld,\"blocks\":%zu,\"decoded\":%zu,\"invalid\":%zu,\"skipped\":%zu,"
           "\"unreadable\":%zu,\"proven\":%zu,\"failed\":%zu,\"made_slot\":%zu,\"slot_ms\":%lld,",
           (long long)run_id, c.handled, c.decoded, c.invalid, c.skipped, c.failed, c.proven, c.prove_failed,
           c.made_slot, slot_ms);
    if (c.proven)
      printf("\"success_rate\":%.6f,\"ci95\":[%.6f,%.6f],\"workers\":%llu,", rate, lo, hi, gpus);
    else
      printf("\"success_rate\":null,");
    if (sized_rate_shown)
      printf("\"made_slot_with_sized\":%zu,\"success_rate_with_sized\":%.6f,\"ci95_with_sized\":[%.6f,%.6f],",
             c.made_slot_sized, srate, slo, shi);
    printf("\"db\":");
    cli_json_str(stdout, dbpath);
    printf("}\n");
  } else {
    printf("\nrun %lld: %zu blocks recorded in %s (%zu proven, %zu failed, %zu invalid, %zu already done, %zu "
           "unreadable)\n",
           (long long)run_id, c.handled, dbpath, c.proven, c.prove_failed, c.invalid, c.skipped, c.failed);
    char sized_list[160];
    run_table_list(&ro, 0, sized_list, sizeof sized_list);
    if (c.proven && prover_cmd)
      printf("success_rate: %.1f%% of %zu blocks within the %.1f s slot (95%% CI %.1f-%.1f%%), measured: wall clock "
             "of the external prover command on this host\n",
             100 * rate, c.proven, slot_ms / 1000.0, 100 * lo, 100 * hi);
    else if (c.proven && gpus == 1)
      printf("success_rate: %.1f%% of %zu proven blocks within the %.1f s slot (95%% CI %.1f-%.1f%%), measured on "
             "this host, one worker (%s); %s tables are sized, not proven in this run\n",
             100 * rate, c.proven, slot_ms / 1000.0, 100 * lo, 100 * hi,
             ro.stark.backend == STARK_BACKEND_CUDA ? ro.device : "CPU", sized_list);
    if (c.proven && sized_rate_shown && sized_list[0])
      printf("with every table: %.1f%% of %zu within the slot (95%% CI %.1f-%.1f%%) when the %s tables' projected "
             "cost (profile %s) is added to each measured latency: projected, not measured\n",
             100 * srate, c.with_sized, 100 * slo, 100 * shi, sized_list, ro.profile.name);
    else if (c.proven)
      printf("success_rate: %.1f%% of %zu proven blocks within the %.1f s slot (95%% CI %.1f-%.1f%%), projected for "
             "%llu workers like this host from its measured shard times (longest first); %s tables are sized, not "
             "proven in this run\n",
             100 * rate, c.proven, slot_ms / 1000.0, 100 * lo, 100 * hi, gpus, sized_list);
    else
      printf("success_rate: n/a (no block proven%s)\n", prove ? "" : ": --no-prove");
  }
  return status ? status : (c.failed ? 2 : 0);
}
