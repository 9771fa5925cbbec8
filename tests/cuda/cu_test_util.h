/* cu_test_util: what every CUDA test shares. Each check runs in two modes:
 * the CPU emulation of the kernels (always) and the device (skipped, with the
 * reason, when there is none); cmocka hands the mode to a test as its state
 * (&mode_emu or &mode_gpu) and use_mode() switches the backend to it. rng() is
 * splitmix64 from the seed the including file defines as CU_TEST_SEED before
 * including this header (each file keeps its own sequence). Include after
 * cmocka.h. */
#ifndef PKB_TESTS_CUDA_CU_TEST_UTIL_H
#define PKB_TESTS_CUDA_CU_TEST_UTIL_H

#include <stdint.h>

#include "cuda/cu.h"

#ifndef CU_TEST_SEED
#error "define CU_TEST_SEED before including cu_test_util.h"
#endif

enum { MODE_EMU = 0, MODE_GPU = 1 };
static int mode_emu = MODE_EMU, mode_gpu = MODE_GPU;

static uint64_t rng_state = CU_TEST_SEED;
static inline uint64_t rng(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* 1: run the test in the state's mode; 0: no device for MODE_GPU (skip). */
static inline int use_mode(void **state) {
  int mode = *(int *)*state;
  if (mode == MODE_EMU) {
    cu_set_emulation(1);
    return 1;
  }
  cu_set_emulation(0);
  char why[256];
  if (!cu_available(why, sizeof why)) {
    print_message("[  SKIP    ] GPU check skipped: %s\n", why);
    return 0;
  }
  return 1;
}

#endif
