/* cu_dev: the thin layer between the C host code (cu_backend.c) and the CUDA
 * runtime and kernels (cu_runtime.cu, cu_kernels.cu). Only compiled and
 * called when the build has CUDA (PKB_HAVE_CUDA, build_info.h); everything
 * above it (argument checks, pass planning, buffers) is plain C shared with
 * the CPU emulation.
 *
 * Every function returns CU_OK or a CU_ERR_* code of cuda/cu.h: CU_ERR_DEVMEM
 * when the runtime reports an allocation failure, CU_ERR_NODEV when there is
 * no usable device or driver, CU_ERR_KERNEL for any other runtime error (its
 * message is kept for cu_dev_last_error). Kernel launches are asynchronous on
 * the default stream; cu_dev_sync waits for them and reports execution
 * errors, so a caller must sync before trusting any result.
 */
#ifndef PKB_CUDA_CU_DEV_H
#define PKB_CUDA_CU_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "cuda/cu_kern.h"
#include "cuda/cu_kern_air.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of devices (> 0), 0 when none (name then holds the reason). The name
 * of device 0 goes to name (len > 0, always NUL-terminated). */
int cu_dev_probe(char *name, size_t len);
const char *cu_dev_last_error(void);
/* CU_OK for cudaSuccess (passed as int), else the mapped code (message kept). */
int cu_dev_status(int cuda_error, const char *what);

int cu_dev_malloc(void **p, size_t bytes);
void cu_dev_free(void *p);
int cu_dev_h2d(void *dst, const void *src, size_t bytes);
int cu_dev_d2h(void *dst, const void *src, size_t bytes);
int cu_dev_d2d(void *dst, const void *src, size_t bytes);
int cu_dev_zero(void *p, size_t bytes);
int cu_dev_sync(void);

/* Poseidon2 constants into constant memory (before any layer launch). */
int cu_dev_set_p2(const cu_k_p2c *c);

/* Launches (asynchronous; see cu_kern.h for what each computes). */
int cu_dev_ntt_pass(const cu_k_ntt_pass *a);
int cu_dev_ntt1_pass(const cu_k_ntt1_pass *a);
int cu_dev_perm(const cu_k_perm *a);
int cu_dev_layer(const cu_k_layer *a);
int cu_dev_fold(const cu_k_fold *a);
int cu_dev_quot(const cu_k_quot *a);
int cu_dev_lkq(const cu_k_lkq *a);
/* step 0: one thread per row; 1 and 2: one per chunk (cu_kern_air.h). */
int cu_dev_aux(const cu_k_aux *a, int step);
int cu_dev_gather(const cu_k_gather *a);
int cu_dev_chunks(const cu_k_chunks *a);
/* wide: one row per block of CU_DEEP_THREADS threads; else one row per thread. */
int cu_dev_deep(const cu_k_deep *a, int wide);
/* The weights, then the column sums (two launches, in order). */
int cu_dev_open(const cu_k_open *a);

#ifdef __cplusplus
}
#endif

#endif
