/* bench_ntt: micro-benchmarks of the NTT and the coset LDE (`pkbench bench ntt`).
 *
 * Figures: forward NTT of 2^24 and 2^20 points (one column, bit-reversed
 * output: the order the prover consumes, no permutation; plus 2^24 in natural
 * order), a 2^20 x 64 batch, and the LDE of 2^20 x 64 with blowup 2 in both
 * output orders. Each figure is the median wall time over repetitions, with
 * twiddle tables built and one untimed warm-up run first; the input is
 * restored outside the timed region. Quick mode uses small sizes so that a
 * smoke test stays fast.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "field/bb.h"
#include "ntt/ntt.h"


typedef struct {
  const char *variant;
  unsigned log_n;
  size_t width;
  int lde;          /* 0: ntt_dft, else log blowup of ntt_coset_lde */
  ntt_order order;
} ntt_case;

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Runs one case; returns 0 or a negative NTT_ERR_* code. */
static int run_case(const ntt_case *c, int threads, int reps, bench_emit_fn emit, void *ctx) {
  size_t n = (size_t)1 << c->log_n, elems = n * c->width;
  size_t out_elems = c->lde ? elems << c->lde : 0;
  bb_t *src = malloc(elems * sizeof *src), *work = malloc((c->lde ? out_elems : elems) * sizeof *work);
  if (!src || !work) {
    free(src);
    free(work);
    return NTT_ERR_NOMEM;
  }
  uint64_t seed = 0x6a09e667f3bcc908ull ^ elems;
  for (size_t i = 0; i < elems; i++) src[i] = bb_from_u32((uint32_t)splitmix(&seed));
  int rc = ntt_prepare(c->log_n + (unsigned)c->lde);
  double t[16];
  if (reps > 16) reps = 16;
  for (int r = -1; r < reps && rc == 0; r++) { /* r = -1: warm-up */
    double t0;
    if (c->lde) {
      t0 = bench_now_ms();
      rc = ntt_coset_lde(src, c->log_n, c->width, (unsigned)c->lde, bb_generator(), work, c->order,
                         threads);
    } else {
      memcpy(work, src, elems * sizeof *work);
      t0 = bench_now_ms();
      rc = ntt_dft(work, c->log_n, c->width, c->order, threads);
    }
    double dt = bench_now_ms() - t0;
    if (r >= 0) t[r] = dt;
  }
  if (rc == 0) {
    bench_result res = {0};
    res.bench = c->lde ? "lde" : "ntt";
    res.variant = c->variant;
    res.size = elems;
    res.threads = threads;
    res.median_ms = bench_median(t, reps);
    res.per_s = res.median_ms > 0 ? (double)elems / (res.median_ms / 1e3) : 0;
    res.rate_unit = "elements";
    res.device = "cpu";
    emit(ctx, &res);
  }
  free(src);
  free(work);
  return rc;
}

int bench_ntt_run(const bench_opts *o, bench_emit_fn emit, void *ctx) {
  if (!o || !emit) return NTT_ERR_ARG;
  if (o->backend && strcmp(o->backend, "cpu") != 0 && strcmp(o->backend, "auto") != 0)
    return NTT_ERR_UNSUPPORTED; /* this area measures the CPU backend only */
  static const ntt_case full[] = {
      {"2^24x1 bitrev", 24, 1, 0, NTT_ORDER_BITREV},
      {"2^24x1 natural", 24, 1, 0, NTT_ORDER_NATURAL},
      {"2^20x1 bitrev", 20, 1, 0, NTT_ORDER_BITREV},
      {"2^20x64 bitrev", 20, 64, 0, NTT_ORDER_BITREV},
      {"2^20x64 blowup2 bitrev", 20, 64, 1, NTT_ORDER_BITREV},
      {"2^20x64 blowup2 natural", 20, 64, 1, NTT_ORDER_NATURAL},
  };
  static const ntt_case quick[] = {
      {"2^14x1 bitrev", 14, 1, 0, NTT_ORDER_BITREV},
      {"2^12x64 bitrev", 12, 64, 0, NTT_ORDER_BITREV},
      {"2^12x16 blowup2 bitrev", 12, 16, 1, NTT_ORDER_BITREV},
  };
  const ntt_case *cases = o->quick ? quick : full;
  size_t ncases = o->quick ? sizeof quick / sizeof quick[0] : sizeof full / sizeof full[0];
  int reps = o->quick ? 3 : 7;
  int threads = o->threads;
  if (threads <= 0) { /* report the count actually used */
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    threads = c > 0 ? (int)c : 1;
  }
  for (size_t i = 0; i < ncases; i++) {
    int rc = run_case(&cases[i], threads, reps, emit, ctx);
    if (rc != 0) return rc;
  }
  return 0;
}
