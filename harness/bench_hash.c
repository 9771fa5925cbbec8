/* bench_hash: micro-benchmarks of the hashes and the Merkle commitment
 * (`pkbench bench hash`).
 *
 * Figures: Poseidon2 width-16 permutations per second, one state at a time,
 * batched in plain C, and batched with the SIMD backend in use on one thread
 * and on every thread (independent buffers, aggregate rate); width-24 batched;
 * Keccak-f[1600] permutations per second; Keccak-256 of 32-byte inputs; and
 * the Merkle commitment of a 2^20 x 64 matrix (2^12 x 16 in quick mode) with
 * Poseidon2 and with Keccak-256. Every figure is the median of several timed
 * repetitions after one untimed warm-up.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "commit/merkle.h"
#include "field/bb.h"
#include "hash/keccak.h"
#include "hash/poseidon2.h"


#define BH_MAX_REPS 16
#define BH_MAX_THREADS 256

static uint64_t bh_splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void bh_fill(bb_t *v, size_t n, uint64_t seed) {
  for (size_t i = 0; i < n; i++) v[i] = bb_from_u32((uint32_t)bh_splitmix(&seed));
}

static void bh_emit(bench_emit_fn emit, void *ctx, const char *bench, const char *variant,
                    uint64_t size, int threads, double ms, double units, const char *unit) {
  bench_result r = {0};
  r.bench = bench;
  r.variant = variant;
  r.size = size;
  r.threads = threads;
  r.median_ms = ms;
  r.per_s = ms > 0 ? units / (ms / 1e3) : 0;
  r.rate_unit = unit;
  r.device = "cpu";
  emit(ctx, &r);
}

/* ---- Poseidon2 permutations --------------------------------------------- */

typedef struct {
  const p2_params *prm;
  bb_t *states;
  size_t n;     /* states in the buffer */
  int rounds;   /* passes over the buffer */
  int batched;  /* p2_permute_many, else one p2_permute at a time */
} perm_job;

static void perm_run(const perm_job *j) {
  for (int r = 0; r < j->rounds; r++) {
    if (j->batched) {
      p2_permute_many(j->prm, j->states, j->n);
    } else {
      for (size_t k = 0; k < j->n; k++) p2_permute(j->prm, j->states + k * j->prm->width);
    }
  }
}

static void *perm_thread(void *arg) {
  perm_run(arg);
  return NULL;
}

/* Median ms of `threads` threads each running job (own buffers). */
static int perm_bench(const p2_params *prm, int batched, int threads, size_t n, int rounds,
                      int reps, double *median_ms) {
  perm_job jobs[BH_MAX_THREADS];
  pthread_t tid[BH_MAX_THREADS];
  int rc = 0;
  for (int i = 0; i < threads; i++) {
    jobs[i].prm = prm;
    jobs[i].n = n;
    jobs[i].rounds = rounds;
    jobs[i].batched = batched;
    jobs[i].states = malloc(n * prm->width * sizeof(bb_t));
    if (!jobs[i].states) {
      for (int k = 0; k < i; k++) free(jobs[k].states);
      return -1;
    }
    bh_fill(jobs[i].states, n * prm->width, 0x1234u + (uint64_t)i);
  }
  double t[BH_MAX_REPS];
  for (int r = -1; r < reps; r++) {
    double t0 = bench_now_ms();
    int started = 0;
    for (int i = 1; i < threads; i++) {
      if (pthread_create(&tid[i], NULL, perm_thread, &jobs[i]) != 0) {
        rc = -1;
        break;
      }
      started = i;
    }
    perm_run(&jobs[0]);
    for (int i = 1; i <= started; i++) pthread_join(tid[i], NULL);
    if (rc) break;
    if (r >= 0) t[r] = bench_now_ms() - t0;
  }
  for (int i = 0; i < threads; i++) free(jobs[i].states);
  if (rc == 0) *median_ms = bench_median(t, reps);
  return rc;
}

/* ---- Keccak -------------------------------------------------------------- */

static void keccak_bench(int quick, int reps, bench_emit_fn emit, void *ctx) {
  uint64_t st[25] = {1, 2, 3};
  const int n = quick ? 20000 : 400000;
  double t[BH_MAX_REPS];
  for (int r = -1; r < reps; r++) {
    double t0 = bench_now_ms();
    for (int i = 0; i < n; i++) keccak_f1600(st);
    if (r >= 0) t[r] = bench_now_ms() - t0;
  }
  /* keep the result observable so the loop is not removed */
  volatile uint64_t sink = st[0];
  (void)sink;
  bh_emit(emit, ctx, "keccak-f1600", "plain-c", (uint64_t)n, 1, bench_median(t, reps), n,
          "permutations");

  uint8_t buf[32] = {0};
  for (int r = -1; r < reps; r++) {
    double t0 = bench_now_ms();
    for (int i = 0; i < n; i++) keccak256(buf, sizeof buf, buf);
    if (r >= 0) t[r] = bench_now_ms() - t0;
  }
  bh_emit(emit, ctx, "keccak256", "32-byte", (uint64_t)n, 1, bench_median(t, reps), n, "hashes");
}

/* ---- Merkle commitment --------------------------------------------------- */

static int merkle_bench(merkle_hash hash, unsigned log_rows, size_t width, int threads, int reps,
                        bench_emit_fn emit, void *ctx) {
  size_t rows = (size_t)1 << log_rows, cells = rows * width;
  bb_t *data = malloc(cells * sizeof *data);
  if (!data) return -1;
  bh_fill(data, cells, 0xabcdefu);
  merkle_matrix m = {data, width, rows};
  double t[BH_MAX_REPS];
  int rc = 0;
  for (int r = -1; r < reps && rc == 0; r++) {
    merkle_tree *tree = NULL;
    double t0 = bench_now_ms();
    rc = merkle_build(&m, 1, hash, threads, &tree);
    double dt = bench_now_ms() - t0;
    merkle_free(tree);
    if (r >= 0) t[r] = dt;
  }
  if (rc == 0) {
    const char *variant = hash == MERKLE_POSEIDON2 ? "poseidon2" : "keccak256";
    bh_emit(emit, ctx, "merkle", variant, cells, threads, bench_median(t, reps), (double)cells,
            "cells");
  }
  free(data);
  return rc;
}

int bench_hash_run(const bench_opts *o, bench_emit_fn emit, void *ctx) {
  int quick = o && o->quick;
  int threads = o ? o->threads : 0;
  if (threads <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (int)n : 1;
  }
  if (threads > BH_MAX_THREADS) threads = BH_MAX_THREADS;
  const int reps = quick ? 3 : 7;
  const size_t n = 4096; /* states per buffer: 256 KiB at width 16, cache resident */
  const int rounds = quick ? 1 : 16;
  const char *simd = p2_backend_name(p2_get_backend());
  double ms;
  int rc;

  /* one state at a time (challenger, verifier), then plain C batched for the
   * gain of the SIMD backend */
  rc = perm_bench(p2_params_bb16(), 0, 1, quick ? 512 : n, 1, reps, &ms);
  if (rc) return rc;
  bh_emit(emit, ctx, "poseidon2", "w16-single", quick ? 512 : n, 1, ms, quick ? 512.0 : (double)n,
          "permutations");
  p2_backend keep = p2_get_backend();
  p2_set_backend(P2_BACKEND_SCALAR);
  rc = perm_bench(p2_params_bb16(), 1, 1, quick ? 512 : n, 1, reps, &ms);
  p2_set_backend(keep);
  if (rc) return rc;
  bh_emit(emit, ctx, "poseidon2", "w16-plain-c", quick ? 512 : n, 1, ms, quick ? 512.0 : (double)n,
          "permutations");

  /* every SIMD backend the CPU has, one thread */
  static const p2_backend simd_backends[] = {P2_BACKEND_AVX2, P2_BACKEND_AVX512};
  static const char *const simd_names[] = {"w16-avx2", "w16-avx512"};
  for (int b = 0; b < 2; b++) {
    if (p2_set_backend(simd_backends[b]) != 0) continue;
    rc = perm_bench(p2_params_bb16(), 1, 1, n, rounds, reps, &ms);
    if (rc) break;
    bh_emit(emit, ctx, "poseidon2", simd_names[b], n * (uint64_t)rounds, 1, ms,
            (double)n * rounds, "permutations");
  }
  p2_set_backend(keep);
  if (rc) return rc;
  char v16[32], v24[32];
  strcpy(v16, "w16-");
  strcat(v16, simd);
  strcpy(v24, "w24-");
  strcat(v24, simd);
  if (threads > 1) {
    rc = perm_bench(p2_params_bb16(), 1, threads, n, rounds, reps, &ms);
    if (rc) return rc;
    bh_emit(emit, ctx, "poseidon2", v16, n * (uint64_t)rounds * (uint64_t)threads, threads, ms,
            (double)n * rounds * threads, "permutations");
  }
  rc = perm_bench(p2_params_bb24(), 1, 1, n, rounds, reps, &ms);
  if (rc) return rc;
  bh_emit(emit, ctx, "poseidon2", v24, n * (uint64_t)rounds, 1, ms, (double)n * rounds,
          "permutations");

  keccak_bench(quick, reps, emit, ctx);

  unsigned log_rows = quick ? 12 : 20;
  size_t width = quick ? 16 : 64;
  rc = merkle_bench(MERKLE_POSEIDON2, log_rows, width, threads, quick ? 3 : 5, emit, ctx);
  if (rc) return rc;
  if (threads > 1) {
    rc = merkle_bench(MERKLE_POSEIDON2, log_rows, width, 1, 3, emit, ctx);
    if (rc) return rc;
  }
  rc = merkle_bench(MERKLE_KECCAK, log_rows, width, threads, 3, emit, ctx);
  return rc;
}
