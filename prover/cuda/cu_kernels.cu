/* cu_kernels: the __global__ kernels of the backend and their launchers. The
 * bodies live in cu_kern.h (shared with the CPU emulation); a kernel here only
 * maps blocks and threads onto them:
 *   - NTT pass: one block per tile (grid-stride over tiles), CU_NTT_THREADS
 *     threads cooperating through CU_NTT_SH words of shared memory;
 *     variant 1 (cu_k_ntt1_tile): CU_NTT1_THREADS threads and the tile's
 *     words (up to 2^CU_NTT1_SH_LOG) of dynamic shared memory;
 *   - permutation, Merkle layer, FRI fold, quotient: one element (row, node,
 *     pair, quotient point) per thread, grid-stride, so any count fits any
 *     grid. The quotient kernel is a template over the AIR (one instance
 *     per CU_AIR_LIST entry), so each instance holds one constraint body.
 * Launch errors are reported at once; execution errors at cu_dev_sync.
 */
#include <cuda_runtime.h>

#include "cuda/cu.h"
#include "cuda/cu_dev.h"

/* Grid cap: enough blocks to fill any current GPU many times over; larger
 * counts loop inside the kernels. */
#define CU_MAX_GRID (1u << 20)
#define CU_ELEM_THREADS 256u
#define CU_HASH_THREADS 128u
#define CU_QUOT_THREADS 128u

__constant__ cu_k_p2c c_p2;

__global__ void __launch_bounds__(CU_NTT_THREADS) k_ntt_pass(cu_k_ntt_pass a) {
  __shared__ uint32_t sh[CU_NTT_SH];
  __shared__ uint32_t lo_tab[CU_NTT_SH / 2];
  for (uint64_t b = blockIdx.x; b < a.nblocks; b += gridDim.x)
    cu_k_ntt_tile(a, b, threadIdx.x, blockDim.x, sh, lo_tab);
}

/* Up to 64 KiB of dynamic shared memory per block: 3 blocks per SM fit an
 * H100's 228 KiB; at most 80 registers per thread keeps 3 x 256 threads. */
__global__ void __launch_bounds__(CU_NTT1_THREADS, CU_NTT1_MIN_BLOCKS)
    k_ntt1_pass(cu_k_ntt1_pass a) {
  extern __shared__ uint32_t sh1[];
  for (uint64_t b = blockIdx.x; b < a.nblocks; b += gridDim.x)
    cu_k_ntt1_tile(&a, b, threadIdx.x, blockDim.x, sh1);
}

__global__ void k_perm(cu_k_perm a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t f = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; f < a.count; f += stride)
    cu_k_perm_elem(&a, f);
}

__global__ void __launch_bounds__(CU_HASH_THREADS) k_layer(cu_k_layer a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; i < a.count; i += stride)
    cu_k_layer_node(&c_p2, &a, i);
}

__global__ void k_fold(cu_k_fold a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t k = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; k < a.half; k += stride)
    cu_k_fold_elem(&a, k);
}

__global__ void k_gather(cu_k_gather a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x, n = a.q * (a.row_words + 8u * (uint64_t)a.log_h);
  for (uint64_t f = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; f < n; f += stride)
    cu_k_gather_word(&a, f);
}

__global__ void k_chunks(cu_k_chunks a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t f = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; f < a.count; f += stride)
    cu_k_chunks_elem(&a, f);
}

__global__ void __launch_bounds__(CU_DEEP_THREADS) k_deep_row(cu_k_deep a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; i < a.N; i += stride)
    cu_k_deep_row(&a, i);
}

__global__ void __launch_bounds__(CU_DEEP_THREADS) k_deep_block(cu_k_deep a) {
  __shared__ uint32_t red[CU_DEEP_THREADS * CU_DEEP_ACC];
  for (uint64_t i = blockIdx.x; i < a.N; i += gridDim.x) cu_k_deep_block(&a, i, threadIdx.x, blockDim.x, red);
}

__global__ void k_open_weight(cu_k_open a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; i < a.n; i += stride)
    cu_k_open_weight(&a, i);
}

__global__ void k_open_item(cu_k_open a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x, n = a.nchunks * a.w;
  for (uint64_t f = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; f < n; f += stride)
    cu_k_open_item(&a, f);
}

/* One instance per AIR (AIR is CU_AIR_*): each compiles only its own body. */
template <uint32_t AIR>
__global__ void __launch_bounds__(CU_QUOT_THREADS) k_quot(cu_k_quot a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t j = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; j < a.d.nq; j += stride)
    cu_k_quot_point(&a, AIR, j);
}

__global__ void __launch_bounds__(CU_QUOT_THREADS) k_lkq(cu_k_lkq a) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x;
  for (uint64_t j = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; j < a.d.nq; j += stride) cu_k_lkq_point(&a, j);
}

__global__ void k_aux(cu_k_aux a, int step) {
  uint64_t stride = (uint64_t)gridDim.x * blockDim.x, items = step == 0 ? a.n : a.nchunks;
  for (uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; i < items; i += stride) {
    if (step == 0)
      cu_k_aux_row(&a, i);
    else if (step == 1)
      cu_k_aux_sum(&a, i);
    else
      cu_k_aux_scan(&a, i);
  }
}

static unsigned grid_for(uint64_t items, unsigned threads) {
  uint64_t g = (items + threads - 1) / threads;
  if (g == 0) g = 1;
  return g > CU_MAX_GRID ? CU_MAX_GRID : (unsigned)g;
}

static int launched(const char *what) { return cu_dev_status((int)cudaGetLastError(), what); }

extern "C" int cu_dev_set_p2(const cu_k_p2c *c) {
  return cu_dev_status((int)cudaMemcpyToSymbol(c_p2, c, sizeof *c), "constants to device");
}

extern "C" int cu_dev_ntt_pass(const cu_k_ntt_pass *a) {
  if (a->nblocks == 0) return CU_OK;
  unsigned g = a->nblocks > CU_MAX_GRID ? CU_MAX_GRID : (unsigned)a->nblocks;
  k_ntt_pass<<<g, CU_NTT_THREADS>>>(*a);
  return launched("ntt pass");
}

extern "C" int cu_dev_ntt1_pass(const cu_k_ntt1_pass *a) {
  static int attr_set; /* calls are serialised by the backend's lock */
  if (a->nblocks == 0) return CU_OK;
  if (!attr_set) {
    int rc = cu_dev_status((int)cudaFuncSetAttribute(k_ntt1_pass,
                                                     cudaFuncAttributeMaxDynamicSharedMemorySize,
                                                     (int)(sizeof(uint32_t) << CU_NTT1_SH_LOG)),
                           "ntt pass shared memory");
    if (rc != CU_OK) return rc;
    attr_set = 1;
  }
  size_t smem = sizeof(uint32_t) << (a->hlog + a->k + a->tlog);
  unsigned g = a->nblocks > CU_MAX_GRID ? CU_MAX_GRID : (unsigned)a->nblocks;
  k_ntt1_pass<<<g, CU_NTT1_THREADS, smem>>>(*a);
  return launched("ntt pass (variant 1)");
}

extern "C" int cu_dev_perm(const cu_k_perm *a) {
  if (a->count == 0) return CU_OK;
  k_perm<<<grid_for(a->count, CU_ELEM_THREADS), CU_ELEM_THREADS>>>(*a);
  return launched("permutation");
}

extern "C" int cu_dev_layer(const cu_k_layer *a) {
  if (a->count == 0) return CU_OK;
  k_layer<<<grid_for(a->count, CU_HASH_THREADS), CU_HASH_THREADS>>>(*a);
  return launched("merkle layer");
}

extern "C" int cu_dev_fold(const cu_k_fold *a) {
  if (a->half == 0) return CU_OK;
  k_fold<<<grid_for(a->half, CU_ELEM_THREADS), CU_ELEM_THREADS>>>(*a);
  return launched("fri fold");
}

extern "C" int cu_dev_gather(const cu_k_gather *a) {
  uint64_t n = a->q * (a->row_words + 8u * (uint64_t)a->log_h);
  if (n == 0) return CU_OK;
  k_gather<<<grid_for(n, CU_ELEM_THREADS), CU_ELEM_THREADS>>>(*a);
  return launched("opening gather");
}

extern "C" int cu_dev_chunks(const cu_k_chunks *a) {
  if (a->count == 0) return CU_OK;
  k_chunks<<<grid_for(a->count, CU_ELEM_THREADS), CU_ELEM_THREADS>>>(*a);
  return launched("quotient chunks");
}

extern "C" int cu_dev_deep(const cu_k_deep *a, int wide) {
  if (a->N == 0) return CU_OK;
  if (wide) {
    unsigned g = a->N > CU_MAX_GRID ? CU_MAX_GRID : (unsigned)a->N;
    k_deep_block<<<g, CU_DEEP_THREADS>>>(*a);
  } else {
    k_deep_row<<<grid_for(a->N, CU_DEEP_THREADS), CU_DEEP_THREADS>>>(*a);
  }
  return launched("deep quotient");
}

extern "C" int cu_dev_open(const cu_k_open *a) {
  if (a->n == 0) return CU_OK;
  k_open_weight<<<grid_for(a->n, CU_ELEM_THREADS), CU_ELEM_THREADS>>>(*a);
  int rc = launched("opening weights");
  if (rc != CU_OK) return rc;
  k_open_item<<<grid_for(a->nchunks * a->w, CU_ELEM_THREADS), CU_ELEM_THREADS>>>(*a);
  return launched("opening sums");
}

extern "C" int cu_dev_quot(const cu_k_quot *a) {
  if (a->d.nq == 0) return CU_OK;
  unsigned grid = grid_for(a->d.nq, CU_QUOT_THREADS);
  switch (a->air) {
#define CU_AIR_LAUNCH(id, name, width, num_public, m, fn) \
  case CU_AIR_##id: k_quot<CU_AIR_##id><<<grid, CU_QUOT_THREADS>>>(*a); break;
    CU_AIR_LIST(CU_AIR_LAUNCH)
#undef CU_AIR_LAUNCH
    default: return CU_ERR_ARG;
  }
  return launched("quotient constraints");
}

extern "C" int cu_dev_lkq(const cu_k_lkq *a) {
  if (a->d.nq == 0) return CU_OK;
  k_lkq<<<grid_for(a->d.nq, CU_QUOT_THREADS), CU_QUOT_THREADS>>>(*a);
  return launched("lookup constraints");
}

extern "C" int cu_dev_aux(const cu_k_aux *a, int step) {
  uint64_t items = step == 0 ? a->n : a->nchunks;
  if (items == 0) return CU_OK;
  k_aux<<<grid_for(items, CU_QUOT_THREADS), CU_QUOT_THREADS>>>(*a, step);
  return launched("lookup aux trace");
}
