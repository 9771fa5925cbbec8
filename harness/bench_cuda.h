/* bench_cuda: the CUDA backend's benchmarks (bench_cuda_run, declared in
 * bench.h) and the measurement of a GPU hardware profile for the deadline
 * model (model.h), the GPU counterpart of model_calibrate. */
#ifndef PKB_BENCH_CUDA_H
#define PKB_BENCH_CUDA_H

#include "bench.h"
#include "model.h"

/* model_calibrate with the CUDA backend on the device (never the emulation):
 * cpu-table shards of a JUMPDEST block at 2^lo, 2^(lo+2), ..., 2^hi rows,
 * reps proofs each (median of stark_timings.total_ms), ms_per_shard +
 * ms_per_cell * cells fitted by least squares, then one 2^wide_log-row
 * shard of every wide table for its own per-cell cost. Every point goes to
 * emit (bench "calibrate", variant "cuda-<table>-shard", the device named).
 * out->name is the device's name in lower case with every run of other
 * characters than letters and digits turned into one '-' (e.g.
 * "nvidia-h100-80gb-hbm3"): the profile's file is
 * prover/profiles/<out->name>.tsv. 4 <= lo <= hi <= 22, 1 <= reps <= 15.
 * Returns 0, BENCH_E_NODEV (no device: nothing measured), or another
 * negative code (a proof failed; the GPU error is in cu_last_error_string). */
int bench_cuda_calibrate(unsigned lo, unsigned hi, unsigned wide_log, int reps, model_profile *out,
                         bench_emit_fn emit, void *ctx);

#endif
