/* bench_cuda: micro-benchmarks of the CUDA backend (`pkbench bench cuda`).
 *
 * Figures (device name in bench_result.device):
 *   ntt    forward NTT, bit-reversed output, data resident on the device
 *          (cu_ntt_dft_dev): 2^20 .. 2^26 points x 1 column (a size whose
 *          buffers do not fit device memory is skipped) and
 *          2^24 x 16 columns (also in natural order); plus 2^24 x 16 through
 *          host memory (cu_ntt_dft: PCIe copies in and out included);
 *   lde    coset LDE 2^22 x 16, log blowup 2 (x4), both orders, on the device;
 *          every ntt and lde case runs once per NTT variant (cu_ntt_set_variant,
 *          variant text suffixed " v0" / " v1"); for 2^24 x 16 bit-reversed
 *          on the device two more "ntt" lines per variant give the bandwidth
 *          in GB/s (size: bytes): "passes" counts one read and one write of
 *          the data per pass executed (cu_ntt_dft_passes), "1r1w" one read
 *          and one write in all (2 x data bytes / time) (quick: 2^14 x 16);
 *   merkle Poseidon2 commitment of 2^20 x 16 and 2^22 x 8 matrices already on
 *          the device (cu_merkle_commit_dev), rate in cells (rows x width);
 *   fri    one fold of 2^24 ext values on the device.
 * Each figure is the median of the wall times of synchronous calls, after
 * the root tables are built and one untimed warm-up call. Quick mode uses
 * small sizes. Without a device nothing is measured and the result is
 * CU_ERR_NODEV (the CLI prints cu_strerror of it); with no CUDA in the build
 * the same. Whole proofs on the GPU are bench_stark.c's (backend cuda);
 * bench_cuda_calibrate (bench_cuda.h) fits the hardware profile.
 */
#include "bench_cuda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cuda/cu.h"
#include "field/bb.h"
#include "stark/stark.h"

#define MAX_REPS 16

typedef enum { K_NTT_DEV, K_NTT_HOST, K_LDE_DEV, K_MERKLE_DEV, K_FOLD_DEV } kind;

typedef struct {
  kind k;
  const char *variant;
  int bw; /* also emit the bandwidth lines (K_NTT_DEV, bit-reversed) */
  unsigned log_n;
  size_t width;
  ntt_order order; /* NTT and LDE */
} cuda_case;

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* One timed call of case c; d_a / d_b are device buffers of the case's size. */
static int run_once(const cuda_case *c, bb_t *host, bb_t *d_a, bb_t *d_b, size_t elems) {
  switch (c->k) {
  case K_NTT_DEV:
    return cu_ntt_dft_dev(d_a, c->log_n, c->width, c->order);
  case K_NTT_HOST:
    return cu_ntt_dft(host, c->log_n, c->width, c->order);
  case K_LDE_DEV:
    return cu_ntt_coset_lde_dev(d_a, c->log_n, c->width, 2, bb_generator(), d_b, c->order);
  case K_MERKLE_DEV: {
    merkle_matrix m = {d_a, c->width, (size_t)1 << c->log_n};
    merkle_digest root;
    return cu_merkle_commit_dev(&m, 1, &root, NULL);
  }
  case K_FOLD_DEV: {
    ext_t beta = ext_from_u32(3, 5, 7, 11);
    return cu_fri_fold_dev(d_a, c->log_n, bb_generator(), beta, d_b);
  }
  }
  (void)elems;
  return CU_ERR_ARG;
}

/* The bandwidth lines of an NTT timing (see the header comment). */
static void emit_bandwidth(const cuda_case *c, const char *name, double ms, size_t elems,
                           const char *device, bench_emit_fn emit, void *ctx) {
  const double data = (double)elems * sizeof(bb_t);
  const unsigned passes = cu_ntt_dft_passes(c->log_n);
  char text[2][160];
  snprintf(text[0], sizeof text[0], "%s bandwidth %u passes", name, passes);
  snprintf(text[1], sizeof text[1], "%s bandwidth 1r1w", name);
  const double bytes[2] = {2.0 * passes * data, 2.0 * data};
  for (int i = 0; i < 2; i++) {
    bench_result res;
    memset(&res, 0, sizeof res);
    res.bench = "ntt";
    res.variant = text[i];
    res.size = (uint64_t)bytes[i];
    res.threads = 1;
    res.median_ms = ms;
    res.per_s = ms > 0 ? bytes[i] / 1e9 / (ms / 1e3) : 0;
    res.rate_unit = "GB";
    res.device = device;
    emit(ctx, &res);
  }
}

/* nv: the NTT variant of an ntt / lde case, -1 for the others. */
static int run_case(const cuda_case *c, int nv, int reps, const char *device, bench_emit_fn emit,
                    void *ctx) {
  char name[96];
  if (nv >= 0) {
    snprintf(name, sizeof name, "%s v%d", c->variant, nv);
    int rc = cu_ntt_set_variant(nv);
    if (rc < 0) return rc;
  } else {
    snprintf(name, sizeof name, "%s", c->variant);
  }
  size_t rows = (size_t)1 << c->log_n;
  size_t elems = rows * c->width;                     /* input words */
  size_t a_elems = c->k == K_FOLD_DEV ? 4 * rows : elems;
  size_t b_elems = c->k == K_LDE_DEV ? elems << 2 : c->k == K_FOLD_DEV ? 2 * rows : 0;
  bb_t *host = malloc(a_elems * sizeof *host), *d_a = NULL, *d_b = NULL;
  if (!host) return CU_ERR_NOMEM;
  uint64_t seed = 0xbb67ae8584caa73bull ^ a_elems;
  for (size_t i = 0; i < a_elems; i++) host[i] = bb_from_u32((uint32_t)splitmix(&seed));
  int rc = CU_OK;
  if (c->k != K_NTT_HOST) {
    rc = cu_malloc(&d_a, a_elems);
    if (rc == CU_OK) rc = cu_upload(d_a, host, a_elems);
    if (rc == CU_OK && b_elems) rc = cu_malloc(&d_b, b_elems);
  }
  double t[MAX_REPS];
  if (reps > MAX_REPS) reps = MAX_REPS;
  for (int r = -1; r < reps && rc == CU_OK; r++) { /* r = -1: warm-up */
    double t0 = bench_now_ms();
    rc = run_once(c, host, d_a, d_b, elems);
    double dt = bench_now_ms() - t0;
    if (r >= 0) t[r] = dt;
  }
  if (rc == CU_OK) {
    bench_result res;
    memset(&res, 0, sizeof res);
    res.bench = c->k == K_MERKLE_DEV ? "merkle" : c->k == K_LDE_DEV ? "lde"
                : c->k == K_FOLD_DEV ? "fri" : "ntt";
    res.variant = name;
    res.size = c->k == K_FOLD_DEV ? rows : elems;
    res.threads = 1;
    res.median_ms = bench_median(t, reps);
    res.per_s = res.median_ms > 0 ? (double)res.size / (res.median_ms / 1e3) : 0;
    res.rate_unit = c->k == K_MERKLE_DEV ? "cells" : "elements";
    res.device = device;
    emit(ctx, &res);
    if (c->bw) emit_bandwidth(c, name, res.median_ms, elems, device, emit, ctx);
  }
  cu_free(d_a);
  cu_free(d_b);
  free(host);
  return rc;
}

int bench_cuda_run(const bench_opts *o, bench_emit_fn emit, void *ctx) {
  if (!o || !emit) return CU_ERR_ARG;
  char device[256];
  cu_set_emulation(0); /* measure the device, never the CPU emulation */
  _Static_assert(CU_ERR_NODEV == BENCH_E_NODEV, "bench.h's no-device code is the backend's");
  if (!cu_available(device, sizeof device)) return CU_ERR_NODEV;
  const ntt_order R = NTT_ORDER_BITREV, N = NTT_ORDER_NATURAL;
  const cuda_case full[] = {
      {K_NTT_DEV, "2^20x1 bitrev dev", 0, 20, 1, R},
      {K_NTT_DEV, "2^21x1 bitrev dev", 0, 21, 1, R},
      {K_NTT_DEV, "2^22x1 bitrev dev", 0, 22, 1, R},
      {K_NTT_DEV, "2^23x1 bitrev dev", 0, 23, 1, R},
      {K_NTT_DEV, "2^24x1 bitrev dev", 0, 24, 1, R},
      {K_NTT_DEV, "2^25x1 bitrev dev", 0, 25, 1, R},
      {K_NTT_DEV, "2^26x1 bitrev dev", 0, 26, 1, R},
      {K_NTT_DEV, "2^24x16 bitrev dev", 1, 24, 16, R},
      {K_NTT_DEV, "2^24x16 natural dev", 0, 24, 16, N},
      {K_NTT_HOST, "2^24x16 bitrev host", 0, 24, 16, R},
      {K_LDE_DEV, "2^22x16 blowup4 bitrev dev", 0, 22, 16, R},
      {K_LDE_DEV, "2^22x16 blowup4 natural dev", 0, 22, 16, N},
      {K_MERKLE_DEV, "2^20x16 dev", 0, 20, 16, R},
      {K_MERKLE_DEV, "2^22x8 dev", 0, 22, 8, R},
      {K_FOLD_DEV, "fold 2^24 dev", 0, 24, 4, R},
  };
  const cuda_case quick[] = {
      {K_NTT_DEV, "2^16x1 bitrev dev", 0, 16, 1, R},
      {K_NTT_DEV, "2^14x16 bitrev dev", 1, 14, 16, R},
      {K_NTT_HOST, "2^14x16 bitrev host", 0, 14, 16, R},
      {K_LDE_DEV, "2^12x16 blowup4 natural dev", 0, 12, 16, N},
      {K_MERKLE_DEV, "2^12x16 dev", 0, 12, 16, R},
      {K_FOLD_DEV, "fold 2^14 dev", 0, 14, 4, R},
  };
  const cuda_case *cases = o->quick ? quick : full;
  size_t ncases = o->quick ? sizeof quick / sizeof quick[0] : sizeof full / sizeof full[0];
  int reps = o->quick ? 3 : 7;
  int rc = cu_prepare();
  int nv0 = cu_ntt_set_variant(0);
  for (size_t i = 0; i < ncases && rc == CU_OK; i++) {
    int ntt = cases[i].k == K_NTT_DEV || cases[i].k == K_NTT_HOST || cases[i].k == K_LDE_DEV;
    for (int nv = ntt ? 0 : -1; nv <= (ntt ? 1 : -1) && rc == CU_OK; nv++) {
      rc = run_case(&cases[i], nv, reps, device, emit, ctx);
      if (rc == CU_ERR_DEVMEM) rc = CU_OK; /* does not fit this device: skipped */
    }
  }
  if (nv0 >= 0) cu_ntt_set_variant(nv0);
  return rc;
}

/* ---- hardware profile ---------------------------------------------------------- */

typedef struct {
  bench_emit_fn emit;
  void *ctx;
  const char *device;
} cal_ctx;

static void cal_point(void *vctx, const char *table, unsigned log_rows, double cells, double ms) {
  const cal_ctx *c = vctx;
  if (!c->emit) return;
  char v[64];
  snprintf(v, sizeof v, "cuda-%s-shard", table);
  bench_result br = {"calibrate", v, (uint64_t)1 << log_rows, 0, ms, cells / (ms / 1e3), "cells", c->device};
  c->emit(c->ctx, &br);
}

int bench_cuda_calibrate(unsigned lo, unsigned hi, unsigned wide_log, int reps, model_profile *out,
                         bench_emit_fn emit, void *ctx) {
  if (lo < 4 || hi < lo || hi > 22 || reps < 1 || reps > 15 || !out) return CU_ERR_ARG;
  char device[256];
  cu_set_emulation(0);
  if (!cu_available(device, sizeof device)) return CU_ERR_NODEV;
  int rc = cu_prepare();
  if (rc != CU_OK) return rc;
  stark_config cfg = stark_config_default();
  cfg.backend = STARK_BACKEND_CUDA;
  cal_ctx cc = {emit, ctx, device};
  if (model_calibrate(&cfg, lo, hi, wide_log, reps, out, cal_point, &cc) != MODEL_OK) {
    const char *e = cu_last_error_string();
    return e && e[0] ? CU_ERR_KERNEL : CU_ERR_ARG;
  }
  model_profile_name(device, out->name, sizeof out->name);
  struct utsname u;
  if (uname(&u) == 0)
    snprintf(out->measured_on, sizeof out->measured_on, "%.40s %.40s %.40s", device, u.nodename, u.machine);
  return CU_OK;
}
