/* cu_runtime: device discovery, memory and copies for the CUDA backend, with
 * every CUDA runtime status turned into a CU_ERR_* code (cu_dev.h). The
 * message of the last failure is kept (one static buffer: the backend
 * serialises its calls) so that a caller can say what went wrong.
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

#include "cuda/cu.h"
#include "cuda/cu_dev.h"

static char g_last_error[256];

static int map_err(cudaError_t e, const char *what) {
  if (e == cudaSuccess) return CU_OK;
  snprintf(g_last_error, sizeof g_last_error, "%s: %s (%s)", what, cudaGetErrorString(e),
           cudaGetErrorName(e));
  /* Reset the runtime's last error, or a later launch check would report this
   * one again (a sticky error, after a kernel fault, stays regardless). */
  (void)cudaGetLastError();
  switch (e) {
  case cudaErrorMemoryAllocation:
    return CU_ERR_DEVMEM;
  case cudaErrorNoDevice:
  case cudaErrorInsufficientDriver:
    return CU_ERR_NODEV;
  default:
    return CU_ERR_KERNEL;
  }
}

extern "C" int cu_dev_status(int cuda_error, const char *what) {
  return map_err((cudaError_t)cuda_error, what);
}

extern "C" const char *cu_dev_last_error(void) { return g_last_error; }

extern "C" int cu_dev_probe(char *name, size_t len) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n <= 0) {
    if (e == cudaSuccess) e = cudaErrorNoDevice;
    snprintf(name, len, "no CUDA device: %s", cudaGetErrorString(e));
    (void)cudaGetLastError(); /* clear the non-sticky error */
    return 0;
  }
  int dev = 0;
  cudaDeviceProp prop;
  if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
    snprintf(name, len, "no CUDA device: cannot read device properties");
    (void)cudaGetLastError();
    return 0;
  }
  snprintf(name, len, "%s", prop.name);
  return n;
}

extern "C" int cu_dev_malloc(void **p, size_t bytes) {
  *p = NULL;
  return map_err(cudaMalloc(p, bytes ? bytes : 1), "cudaMalloc");
}

extern "C" void cu_dev_free(void *p) {
  if (p) (void)cudaFree(p);
}

extern "C" int cu_dev_h2d(void *dst, const void *src, size_t bytes) {
  if (!bytes) return CU_OK;
  return map_err(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "copy to device");
}

extern "C" int cu_dev_d2h(void *dst, const void *src, size_t bytes) {
  if (!bytes) return CU_OK;
  return map_err(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "copy from device");
}

extern "C" int cu_dev_d2d(void *dst, const void *src, size_t bytes) {
  if (!bytes || dst == src) return CU_OK;
  return map_err(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice), "device copy");
}

extern "C" int cu_dev_zero(void *p, size_t bytes) {
  if (!bytes) return CU_OK;
  return map_err(cudaMemset(p, 0, bytes), "cudaMemset");
}

extern "C" int cu_dev_sync(void) {
  int rc = map_err(cudaDeviceSynchronize(), "kernel execution");
  if (rc == CU_OK) rc = map_err(cudaGetLastError(), "kernel execution");
  return rc;
}
