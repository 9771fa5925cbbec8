/* bench: the micro-benchmark interface behind `pkbench bench`.
 *
 * Each area (prover, evm, precompiles, ...) provides one bench_<area>_run that
 * measures and hands every figure to an emit callback; only the CLI prints. A
 * figure is a median over repetitions of wall-clock time from a monotonic clock.
 * Benchmarks report; they never pass or fail on a timing.
 */
#ifndef PKB_BENCH_H
#define PKB_BENCH_H

#include <stdint.h>

typedef struct {
  const char *bench;   /* e.g. "ntt", "poseidon2", "merkle", "prove", "evm" */
  const char *variant; /* e.g. "single", "batch64", "mainnet-like"; may be NULL */
  uint64_t size;       /* problem size (elements, rows, gas...) */
  int threads;
  double median_ms;
  double per_s;        /* rate in rate_unit per second, 0 when none applies; with rate_unit
                          "percent", a ratio of two rates in percent */
  const char *rate_unit; /* e.g. "elements", "permutations", "cells", "mgas"; may be NULL */
  const char *device;  /* "cpu" or a GPU name; NULL means "cpu" */
} bench_result;

typedef void (*bench_emit_fn)(void *ctx, const bench_result *r);

typedef struct {
  int threads;          /* 0: all cores */
  int quick;            /* smaller sizes and fewer repetitions (tests, smoke runs) */
  const char *backend;  /* "cpu", "cuda", "auto" */
  const char *const *files; /* evm: time these block files instead of the fixed mix */
  int n_files;
} bench_opts;

/* The benchmark areas (harness/bench_<area>.c). Each returns 0 or a negative
 * error code and reports every figure through emit. */
int bench_ntt_run(const bench_opts *o, bench_emit_fn emit, void *ctx);
int bench_hash_run(const bench_opts *o, bench_emit_fn emit, void *ctx);
int bench_stark_run(const bench_opts *o, bench_emit_fn emit, void *ctx);
int bench_precompiles_run(const bench_opts *o, bench_emit_fn emit, void *ctx);
int bench_evm_run(const bench_opts *o, bench_emit_fn emit, void *ctx);
/* The hunt's evaluation rate against plain execution of the same blocks. */
int bench_hunt_run(const bench_opts *o, bench_emit_fn emit, void *ctx);
/* The CUDA backend; BENCH_E_NODEV when this build or machine has no device. */
int bench_cuda_run(const bench_opts *o, bench_emit_fn emit, void *ctx);
#define BENCH_E_NODEV (-2)

/* Monotonic wall clock in milliseconds. */
double bench_now_ms(void);

/* Median of n doubles (the array is reordered). n > 0. */
double bench_median(double *v, int n);

#endif
