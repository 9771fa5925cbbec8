/* cli_bench: `pkbench bench [AREA...]`, the micro-benchmarks.
 *
 * Areas: prover (ntt, hash, stark), precompiles; `all` runs every area. Figures
 * are medians over repetitions, printed as they are measured; they are never
 * compared with a threshold here. With --backend cuda (or auto on a machine
 * with a GPU) the prover group runs on the GPU: the cuda area (device NTT,
 * LDE, Merkle, fold) in place of the CPU ntt and hash areas, and the stark
 * area's whole proofs on the CUDA backend; then, unless --quick, the GPU
 * hardware profile is measured and written (bench_cuda.h). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "bench.h"
#include "bench_cuda.h"
#include "cli.h"
#include "cuda/cu.h"
#include "model.h"

static const char usage_text[] =
    "usage: pkbench bench [--json] [--quick] [--threads N] [--backend cpu|cuda|auto] [AREA...]\n"
    "\n"
    "Runs micro-benchmarks and prints one line per figure (median over repetitions).\n"
    "Areas: prover (= ntt hash stark), ntt, hash, stark, precompiles, evm, hunt, cuda, all (default all).\n"
    "'pkbench bench calibrate [--backend cpu|cuda] [--quick] [--out FILE]' measures this\n"
    "machine's proving cost per shard and per cell (cpu-table shards of 2^10..2^20 rows,\n"
    "2^12..2^20 on a GPU, up to the default shard size, where large blocks spend their\n"
    "time; a memory-table shard of 2^20 rows; the cpu and memory shards of 2^20 rows\n"
    "again with their lookup arguments, for the cost per aux cell; --quick stops at\n"
    "2^14 on a CPU, 2^16 on a GPU) and one 2^14-row shard of each wide\n"
    "table: keccak, arith, ecrecover, sha256, ripemd160, modmul, bls12; not blake2f, whose\n"
    "smallest shard is too big) and writes the hardware profile the cost estimate uses\n"
    "(default prover/profiles/host.tsv, or prover/profiles/<gpu-name>.tsv with cuda).\n"
    "  --json        one JSON object per line: bench, variant, size, threads, median_ms,\n"
    "                per_s, unit, device, host\n"
    "  --quick       small sizes and few repetitions (smoke runs)\n"
    "  --threads N   worker threads (default: all cores)\n"
    "  --block FILE  (evm) time the executor on this block file instead of the fixed mix;\n"
    "                repeat for more files\n"
    "  --backend B   prover backend: cpu (default); cuda: the prover figures on the GPU\n"
    "                (device NTT 2^20..2^26 and LDE with both NTT kernels, the 2^24 x 16\n"
    "                NTT's bandwidth in GB/s, Merkle commit, FRI fold, whole proofs in\n"
    "                cells/s, each naming the device) and, without --quick, the GPU's\n"
    "                hardware profile (cpu-table shards and each wide table) written to\n"
    "                prover/profiles/<gpu-name>.tsv; without a GPU everything is skipped\n"
    "                with the reason (exit 0); auto: cuda when a GPU is found, else cpu.\n"
    "                The CPU emulation is never benchmarked.";

typedef struct {
  const char *name;
  int (*fn)(const bench_opts *, bench_emit_fn, void *);
  int prover; /* part of the `prover` group */
} area;

static const area areas[] = {
    {"ntt", bench_ntt_run, 1},
    {"hash", bench_hash_run, 1},
    {"stark", bench_stark_run, 1},
    {"precompiles", bench_precompiles_run, 0},
    {"evm", bench_evm_run, 0},
    {"hunt", bench_hunt_run, 0},
    {"cuda", bench_cuda_run, 0},
};
#define N_AREAS (sizeof areas / sizeof areas[0])

typedef struct {
  int json;
  const char *host;
} emit_ctx;

static void emit(void *vctx, const bench_result *r) {
  emit_ctx *c = vctx;
  const char *dev = r->device ? r->device : "cpu";
  if (c->json) {
    printf("{\"bench\":");
    cli_json_str(stdout, r->bench);
    printf(",\"variant\":");
    cli_json_str(stdout, r->variant ? r->variant : "");
    printf(",\"size\":%llu,\"threads\":%d,\"median_ms\":%.6g,\"per_s\":%.6g,\"unit\":",
           (unsigned long long)r->size, r->threads, r->median_ms, r->per_s);
    cli_json_str(stdout, r->rate_unit ? r->rate_unit : "");
    /* the names other tools read: name, mgas_per_s, and us_per_call where one
     * measurement is one call (precompiles) */
    printf(",\"name\":");
    cli_json_str(stdout, r->variant ? r->variant : r->bench);
    if (r->rate_unit && strcmp(r->rate_unit, "mgas") == 0) printf(",\"mgas_per_s\":%.6g", r->per_s);
    if (strcmp(r->bench, "precompiles") == 0) printf(",\"us_per_call\":%.6g", r->median_ms * 1e3);
    printf(",\"device\":");
    cli_json_str(stdout, dev);
    printf(",\"host\":");
    cli_json_str(stdout, c->host);
    printf("}\n");
  } else {
    printf("%-12s %-22s size %-10llu threads %-2d median %10.3f ms", r->bench, r->variant ? r->variant : "",
           (unsigned long long)r->size, r->threads, r->median_ms);
    /* a "percent" figure is a ratio of two rates, not a rate */
    if (r->per_s > 0 && r->rate_unit && strcmp(r->rate_unit, "percent") == 0)
      printf("  %12.1f %%", r->per_s);
    else if (r->per_s > 0)
      printf("  %12.4g %s/s", r->per_s, r->rate_unit ? r->rate_unit : "");
    printf("  [%s]\n", dev);
  }
  fflush(stdout);
}

static void cal_point(void *vctx, const char *table, unsigned log_rows, double cells, double ms) {
  emit_ctx *c = vctx;
  char v[64];
  snprintf(v, sizeof v, "%s-shard", table);
  bench_result r = {"calibrate", v, (uint64_t)1 << log_rows, 0, ms, cells / (ms / 1e3), "cells", NULL};
  emit(c, &r);
}

/* Measure this machine's hardware profile (cuda: its GPU's), write it to
 * out (NULL: prover/profiles/host.tsv, or prover/profiles/<gpu-name>.tsv)
 * and say so; 0, or 2 after a one-line error. */
static int measure_profile(int cuda, int quick, const char *out, emit_ctx *c, int json) {
  model_profile p;
  char path[512];
  if (cuda) {
    int rc = bench_cuda_calibrate(12, quick ? 16 : 20, quick ? 8 : TRACE_WIDE_MAX_LOG_SHARD, quick ? 1 : 3, &p,
                                  emit, c);
    if (rc != 0) {
      const char *why = cu_last_error_string();
      cli_err("bench", "calibrate: cuda: %s%s%s%s", cu_strerror(rc), why && why[0] ? " (" : "", why ? why : "",
              why && why[0] ? ")" : "");
      return 2;
    }
    snprintf(path, sizeof path, "prover/profiles/%s.tsv", p.name);
  } else {
    int rc = model_calibrate(NULL, 10, quick ? 14 : 20, quick ? 8 : TRACE_WIDE_MAX_LOG_SHARD, quick ? 1 : 3, &p,
                             cal_point, c);
    if (rc != MODEL_OK) {
      cli_err("bench", "calibrate: measurement failed (code %d)", rc);
      return 2;
    }
    snprintf(path, sizeof path, "prover/profiles/host.tsv");
  }
  if (out) snprintf(path, sizeof path, "%s", out);
  if (model_profile_save(path, &p) != MODEL_OK) {
    cli_err("bench", "calibrate: %s: cannot write the profile", path);
    return 2;
  }
  fprintf(json ? stderr : stdout, "profile %s: ms_per_cell %.4g, ms_per_shard %.4g, ms_per_aux_cell %.4g (written to %s)\n",
          p.name, p.ms_per_cell, p.ms_per_shard, p.ms_per_aux_cell, path);
  return 0;
}

/* `bench calibrate`: every argument is checked before anything is measured
 * or written, so that --help or a mistyped option never overwrites a
 * profile. */
static int calibrate(int argc, char **argv) {
  const char *out = NULL, *backend = "cpu";
  int json = 0, quick = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "calibrate") == 0) continue;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--quick") == 0) {
      quick = 1;
    } else if ((strcmp(a, "--out") == 0 || strcmp(a, "--backend") == 0) && !v) {
      cli_err("bench", "calibrate: %s needs a value", a);
      return 2;
    } else if (strcmp(a, "--out") == 0) {
      out = argv[++i];
    } else if (strcmp(a, "--backend") == 0) {
      backend = argv[++i];
    } else {
      cli_err("bench", "calibrate: unknown option '%s' (see --help)", a);
      return 2;
    }
  }
  if (strcmp(backend, "cpu") != 0 && strcmp(backend, "cuda") != 0) {
    cli_err("bench", "calibrate: --backend: '%s' is not cpu or cuda", backend);
    return 2;
  }
  struct utsname u;
  char host[512] = "unknown";
  if (uname(&u) == 0) snprintf(host, sizeof host, "%s %s", u.nodename, u.machine);
  emit_ctx c = {json, host};
  return measure_profile(strcmp(backend, "cuda") == 0, quick, out, &c, json);
}

int cli_bench(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "calibrate") == 0) return calibrate(argc, argv);
  }
  bench_opts o = {0, 0, "cpu", NULL, 0};
  const char *files[64];
  int json = 0;
  int want[N_AREAS] = {0}, any = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long n;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--quick") == 0) {
      o.quick = 1;
    } else if (strcmp(a, "--block") == 0 && v) {
      if (o.n_files == 64) {
        cli_err("bench", "--block: at most 64 files");
        return 2;
      }
      files[o.n_files++] = v;
      o.files = files;
      i++;
    } else if (strcmp(a, "--threads") == 0 && v) {
      if (cli_parse_u64(v, &n) || n == 0 || n > 1024) {
        cli_err("bench", "--threads: '%s' is not a thread count", v);
        return 2;
      }
      o.threads = (int)n;
      i++;
    } else if (strcmp(a, "--backend") == 0 && v) {
      if (strcmp(v, "cpu") != 0 && strcmp(v, "auto") != 0 && strcmp(v, "cuda") != 0) {
        cli_err("bench", "--backend: '%s' is not cpu, cuda or auto", v);
        return 2;
      }
      o.backend = v;
      i++;
    } else if (strcmp(a, "all") == 0 || strcmp(a, "prover") == 0) {
      int prover_only = strcmp(a, "prover") == 0;
      for (size_t k = 0; k < N_AREAS; k++)
        if (!prover_only || areas[k].prover) want[k] = 1;
      any = 1;
    } else {
      size_t k = 0;
      while (k < N_AREAS && strcmp(areas[k].name, a) != 0) k++;
      if (k == N_AREAS) {
        cli_err("bench", "unknown area or option '%s' (see --help)", a);
        return 2;
      }
      want[k] = 1;
      any = 1;
    }
  }
  /* The GPU: --backend cuda, or auto with a device. */
  int gpu = 0;
  if (strcmp(o.backend, "cpu") != 0) {
    char why[256];
    cu_set_emulation(0);
    gpu = cu_available(why, sizeof why);
    if (!gpu && strcmp(o.backend, "cuda") == 0) {
      fprintf(stderr, "pkbench bench: --backend cuda: skipped: %s\n", why);
      return 0;
    }
    o.backend = gpu ? "cuda" : "cpu";
  }
  if (gpu) {
    size_t kc = 0;
    while (strcmp(areas[kc].name, "cuda") != 0) kc++;
    for (size_t k = 0; k < N_AREAS; k++)
      if ((!any || want[k]) && areas[k].prover && strcmp(areas[k].name, "stark") != 0) {
        want[k] = 0; /* CPU-only figures: the cuda area's stand in for them */
        want[kc] = 1;
      }
    if (!any) {
      for (size_t k = 0; k < N_AREAS; k++) want[k] = want[k] || strcmp(areas[k].name, "stark") == 0;
      any = 1;
    }
  }
  struct utsname u;
  char host[512] = "unknown";
  if (uname(&u) == 0) snprintf(host, sizeof host, "%s %s", u.nodename, u.machine);
  emit_ctx c = {json, host};
  int status = 0;
  for (size_t k = 0; k < N_AREAS; k++) {
    if (any && !want[k]) continue;
    int rc = areas[k].fn(&o, emit, &c);
    if (rc == BENCH_E_NODEV && strcmp(areas[k].name, "cuda") == 0) {
      /* no device: a skipped area, an error only when asked for by name */
      fprintf(stderr, "pkbench bench: cuda: skipped: no CUDA device in this build or on this machine\n");
      if (any) status = 2;
      continue;
    }
    if (rc != 0) {
      cli_err("bench", "%s: benchmark failed (code %d)", areas[k].name, rc);
      status = 2;
    }
  }
  if (gpu && !o.quick && status == 0 && measure_profile(1, 0, NULL, &c, json) != 0) return 2;
  return status;
}
