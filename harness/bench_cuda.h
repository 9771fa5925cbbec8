/* bench_cuda: the CUDA backend's benchmarks (bench_cuda_run, declared in
 * bench.h) and the measurement of a GPU hardware profile for the deadline
 * model (model.h), the GPU counterpart of model_calibrate. */
#ifndef PKB_BENCH_CUDA_H
#define PKB_BENCH_CUDA_H

#include "bench.h"
#include "model.h"

/* Prove shards of the cpu table of a JUMPDEST block (as model_calibrate does)
 * at 2^lo, 2^(lo+2), ..., 2^hi rows with the CUDA backend on the device
 * (never the emulation), reps proofs each (median of stark_timings.total_ms),
 * and fit ms_per_shard + ms_per_cell * cells by least squares. Every point
 * goes to emit (bench "calibrate", variant "cuda-shard", the device named).
 * out->name is the device's name in lower case with every run of other
 * characters than letters and digits turned into one '-' (e.g.
 * "nvidia-h100-80gb-hbm3"): the profile's file is
 * prover/profiles/<out->name>.tsv. 4 <= lo <= hi <= 22, 1 <= reps <= 15.
 * Returns 0, BENCH_E_NODEV (no device: nothing measured), or another
 * negative code (a proof failed; the GPU error is in cu_last_error_string). */
int bench_cuda_calibrate(unsigned lo, unsigned hi, int reps, model_profile *out, bench_emit_fn emit,
                         void *ctx);

#endif
