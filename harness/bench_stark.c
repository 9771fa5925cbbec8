/* bench_stark: whole-proof benchmarks of the uni-STARK (`pkbench bench stark`).
 *
 * Figures, each a median over repetitions after one untimed warm-up proof:
 *   prove        Fibonacci AIR (2 columns) at 2^20 rows (quick: 2^10), blowup 2,
 *                ~100 conjectured bits; rate in trace cells per second;
 *   prove-phase  the same proofs' phase times (lde, trace_commit, quotient,
 *                quotient_commit, open, fri_commit, queries), medians per phase;
 *   verify       verification of that proof (the variant names the proof size);
 *   prove        the 256-bit add AIR (64 columns) at 2^16 rows (quick: 2^8);
 *   prove        the Fibonacci proof again with FRI folding by 4 (and its verify);
 *   prove        the 256-bit add AIR with a LogUp lookup argument (stark.h) sending
 *                each of its 48 limbs (a, b, c) on a range bus, multiplicity 1,
 *                challenges from its own transcript; add256 has max_degree 2, so
 *                one interaction per aux column (G = 1): 49 ext columns (196
 *                base columns); same sizes as add256, with its phases and the
 *                aux phase (aux trace, LDE, commitment);
 *   prove        the same with add256 declared of max_degree 3 ("add256d3", as
 *                the trace AIRs are: two quotient chunks), where interactions
 *                go two per aux column (G = 2): 25 ext columns (100 base
 *                columns). The variant names the aux width.
 * Peak resident memory (process-wide ru_maxrss) is reported in the variant.
 * Every proof is verified; a proof that does not verify is an error, not a
 * figure.
 * Backend (bench_opts.backend): "cpu" (default); "cuda" proves on the GPU
 * (stark.h, STARK_BACKEND_CUDA) and names the device in every figure, or
 * returns BENCH_E_NODEV without one (never the CPU emulation: timings of it
 * mean nothing); "auto" is cuda when a device is present, else cpu. The
 * verifier always runs on the CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cuda/cu.h"
#include "stark/air.h"
#include "stark/stark.h"

#define MAX_REPS 9

typedef struct {
  const char *name;
  const stark_air *air;
  unsigned log_n;
  bb_t *trace;
  bb_t pub[STARK_FIB_PUBLIC];
  const stark_lookup *lookup; /* NULL: none */
} bench_case;

/* add256's limbs a, b, c sent on bus 1 (a range-check workload) */
#define LIMB_SENDS (3 * STARK_ADD256_LIMBS)
static stark_lc_term limb_terms[LIMB_SENDS];
static stark_lc limb_fields[LIMB_SENDS];
static stark_interaction limb_sends[LIMB_SENDS];

static const stark_lookup *limb_lookup(void) {
  static stark_lookup lk;
  for (unsigned i = 0; i < LIMB_SENDS; i++) {
    limb_terms[i] = (stark_lc_term){i, 1};
    limb_fields[i] = (stark_lc){&limb_terms[i], 1, 0};
    limb_sends[i] = (stark_interaction){1, STARK_SEND, {NULL, 0, 1}, &limb_fields[i], 1};
  }
  lk = (stark_lookup){limb_sends, LIMB_SENDS, NULL, 0};
  return &lk;
}

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int build_trace(bench_case *c) {
  size_t n = (size_t)1 << c->log_n, w = c->air->width;
  c->trace = malloc(sizeof *c->trace * n * w);
  if (!c->trace) return STARK_ERR_NOMEM;
  if (c->air->eval_ext == stark_air_fib.eval_ext) {
    uint32_t res;
    stark_fib_trace(c->trace, n, 0, 1, &res);
    c->pub[0] = 0;
    c->pub[1] = BB_ONE;
    c->pub[2] = bb_from_u32(res);
  } else {
    uint64_t seed = 0x243f6a8885a308d3ull;
    for (size_t i = 0; i < n; i++) {
      uint16_t a[16], b[16];
      for (int k = 0; k < 16; k++) {
        a[k] = (uint16_t)splitmix(&seed);
        b[k] = (uint16_t)splitmix(&seed);
      }
      stark_add256_row(c->trace + i * w, a, b);
    }
  }
  return STARK_OK;
}

static void emit_fig(bench_emit_fn emit, void *ctx, const char *bench, const char *variant,
                     uint64_t size, int threads, double ms, double per_s, const char *unit,
                     const char *device) {
  bench_result r;
  memset(&r, 0, sizeof r);
  r.bench = bench;
  r.variant = variant;
  r.size = size;
  r.threads = threads;
  r.median_ms = ms;
  r.per_s = per_s;
  r.rate_unit = unit;
  r.device = device;
  emit(ctx, &r);
}

static int run_case(bench_case *c, const stark_config *cfg, int reps, int threads, int phases,
                    const char *device, bench_emit_fn emit, void *ctx) {
  int rc = build_trace(c);
  if (rc != STARK_OK) return rc;
  size_t n = (size_t)1 << c->log_n;
  double tot[MAX_REPS], ver[MAX_REPS], ph[8][MAX_REPS];
  size_t proof_bytes = 0;
  long rss = 0;
  for (int r = -1; r < reps && rc == STARK_OK; r++) { /* r = -1: warm-up */
    stark_proof p;
    stark_timings t;
    double t0 = bench_now_ms();
    rc = stark_prove_lookup(c->air, c->lookup, cfg, c->trace, c->log_n, c->pub, &p, &t);
    double dt = bench_now_ms() - t0;
    if (rc != STARK_OK) break;
    double v0 = bench_now_ms();
    rc = stark_verify_lookup(c->air, c->lookup, &cfg->fri, c->pub, &p, NULL);
    double dv = bench_now_ms() - v0;
    proof_bytes = stark_proof_size(&p);
    stark_proof_free(&p);
    if (rc != STARK_OK || r < 0) continue;
    tot[r] = dt;
    ver[r] = dv;
    double pv[8] = {t.lde_ms, t.trace_commit_ms, t.quotient_ms, t.quotient_commit_ms,
                    t.open_ms, t.fri_commit_ms, t.queries_ms, t.aux_ms};
    for (int k = 0; k < 8; k++) ph[k][r] = pv[k];
    rss = t.peak_rss_kb;
  }
  if (rc == STARK_OK) {
    char var[160];
    double cells = (double)n * c->air->width;
    double med = bench_median(tot, reps);
    int at = snprintf(var, sizeof var, "%s 2^%u blowup%u fold%u %ubit peak_rss=%ldMB", c->name,
                      c->log_n, 1u << cfg->fri.log_blowup, 1u << fri_log_arity(&cfg->fri),
                      fri_security_bits(&cfg->fri), rss / 1024);
    if (c->lookup && at > 0 && (size_t)at < sizeof var)
      snprintf(var + at, sizeof var - (size_t)at, " aux=%u",
               stark_lookup_aux_width(c->air, c->lookup));
    emit_fig(emit, ctx, "prove", var, n, threads, med, med > 0 ? cells / (med / 1e3) : 0, "cells",
             device);
    if (phases) {
      static const char *names[8] = {"lde",  "trace_commit", "quotient", "quotient_commit",
                                     "open", "fri_commit",   "queries",  "aux"};
      for (int k = 0; k < (c->lookup ? 8 : 7); k++) {
        snprintf(var, sizeof var, "%s 2^%u %s", c->name, c->log_n, names[k]);
        emit_fig(emit, ctx, "prove-phase", var, n, threads, bench_median(ph[k], reps), 0, NULL,
                 device);
      }
    }
    snprintf(var, sizeof var, "%s 2^%u fold%u proof=%zuB", c->name, c->log_n,
             1u << fri_log_arity(&cfg->fri), proof_bytes);
    emit_fig(emit, ctx, "verify", var, n, threads, bench_median(ver, reps), 0, NULL, "cpu");
  }
  free(c->trace);
  c->trace = NULL;
  return rc;
}

int bench_stark_run(const bench_opts *o, bench_emit_fn emit, void *ctx) {
  if (!o || !emit) return STARK_ERR_ARG;
  const char *be = o->backend ? o->backend : "cpu";
  if (strcmp(be, "cpu") != 0 && strcmp(be, "auto") != 0 && strcmp(be, "cuda") != 0)
    return STARK_ERR_ARG;
  static char device[256];
  snprintf(device, sizeof device, "cpu");
  int cuda = 0;
  if (strcmp(be, "cpu") != 0) {
    char name[256];
    cu_set_emulation(0);
    if (cu_available(name, sizeof name)) {
      cuda = 1;
      snprintf(device, sizeof device, "%s", name);
    } else if (strcmp(be, "cuda") == 0) {
      return BENCH_E_NODEV;
    }
  }
  int threads = o->threads;
  if (threads <= 0) {
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    threads = nc > 0 ? (int)nc : 1;
  }
  stark_config cfg = stark_config_default();
  cfg.threads = threads;
  cfg.check_trace = 0; /* measure proving, not trace checking */
  cfg.backend = cuda ? STARK_BACKEND_CUDA : STARK_BACKEND_CPU;
  if (cuda && cu_prepare() != CU_OK) return BENCH_E_NODEV;
  int reps = o->quick ? 3 : 5;
  bench_case fib = {"fibonacci", &stark_air_fib, o->quick ? 10 : 20, NULL, {0}, NULL};
  int rc = run_case(&fib, &cfg, reps, threads, 1, device, emit, ctx);
  if (rc != STARK_OK) return rc;
  bench_case add = {"add256", &stark_air_add256, o->quick ? 8 : 16, NULL, {0}, NULL};
  rc = run_case(&add, &cfg, reps, threads, 1, device, emit, ctx);
  if (rc != STARK_OK) return rc;
  bench_case addl = {"add256+logup48", &stark_air_add256, o->quick ? 8 : 16, NULL, {0}, limb_lookup()};
  rc = run_case(&addl, &cfg, reps, threads, 1, device, emit, ctx);
  if (rc != STARK_OK) return rc;
  stark_air add3 = stark_air_add256;
  add3.name = "add256d3";
  add3.max_degree = 3;
  bench_case addl3 = {"add256d3+logup48", &add3, o->quick ? 8 : 16, NULL, {0}, limb_lookup()};
  rc = run_case(&addl3, &cfg, reps, threads, 1, device, emit, ctx);
  if (rc != STARK_OK) return rc;
  /* the Fibonacci proof again with FRI folding by 4 (whole-proof figure only) */
  cfg.fri.log_arity = 2;
  bench_case fib4 = {"fibonacci", &stark_air_fib, o->quick ? 10 : 20, NULL, {0}, NULL};
  return run_case(&fib4, &cfg, reps, threads, 0, device, emit, ctx);
}
