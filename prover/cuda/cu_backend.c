/* cu_backend: the host side of the CUDA backend (cuda/cu.h): argument checks,
 * the plan of every operation as a sequence of kernel passes, buffers, and
 * the choice of executor. Compiled by the C compiler in every build; the
 * calls into the CUDA runtime (cuda/cu_dev.h) exist only when build_info.h
 * says PKB_HAVE_CUDA, and otherwise every entry point answers CU_ERR_NODEV.
 *
 * Executors. The same plan runs on one of two executors:
 *   X_DEV  the GPU: buffers from cudaMalloc, passes are kernel launches;
 *   X_EMU  the CPU emulation (cu_set_emulation): buffers from malloc, a pass
 *          runs the kernel body of cu_kern.h for every block in turn with one
 *          thread. Only the thread-to-work mapping inside a block differs.
 * Everything cached (root tables, the coset shift's table, one scratch
 * buffer) belongs to the executor it was made for and is dropped when the
 * executor changes.
 *
 * Plans:
 *   DFT / IDFT / coset DFT: decimation in frequency in passes of at most
 *     CU_NTT_MAX_K stages (natural in, bit-reversed out; the coset shift's
 *     powers are applied as the first pass loads, 1/n as the last one
 *     stores), then for natural order one in-place bit-reversal (row swaps).
 *   coset IDFT: inverse DIF, then the scaling by shift^-j / n fused into the
 *     bit-reversal (natural order) or applied in place (bit-reversed).
 *   coset LDE: input to scratch, inverse DIF (bit-reversed coefficients),
 *     then for bit-reversed output: bit-reversal into the output's first n
 *     rows fused with the scaling by shift^j / n, zero rows n .. N-1,
 *     forward DIF of N rows; for natural output: the scaled coefficients
 *     spread over the N rows in bit-reversed order and a forward DIT that
 *     skips its first log_blowup stages (see lde_core).
 *   Merkle: one launch per layer (bottom: leaf hashes; above: compression,
 *     with the rows of matrices of that height folded in).
 *   FRI fold: one launch.
 *   Quotient constraints: one launch (cu_kern_air.h), after the upload of
 *     alpha's powers and the public values.
 */
#include "cuda/cu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "cuda/cu_kern.h"
#include "cuda/cu_kern_air.h"
#include "hash/poseidon2.h"
#include "stark/stark.h"

#if PKB_HAVE_CUDA
#include "cuda/cu_dev.h"
#else
/* A build without CUDA: the device layer has no device. */
static int cu_dev_probe(char *name, size_t len) {
  snprintf(name, len, "built without CUDA (PKB_HAVE_CUDA = 0)");
  return 0;
}
static const char *cu_dev_last_error(void) { return ""; }
static int cu_dev_malloc(void **p, size_t bytes) {
  (void)bytes;
  *p = NULL;
  return CU_ERR_NODEV;
}
static void cu_dev_free(void *p) { (void)p; }
static int cu_dev_copy(void *d, const void *s, size_t n) {
  (void)d;
  (void)s;
  (void)n;
  return CU_ERR_NODEV;
}
#define cu_dev_h2d cu_dev_copy
#define cu_dev_d2h cu_dev_copy
#define cu_dev_d2d cu_dev_copy
static int cu_dev_zero(void *p, size_t n) {
  (void)p;
  (void)n;
  return CU_ERR_NODEV;
}
static int cu_dev_sync(void) { return CU_ERR_NODEV; }
static int cu_dev_set_p2(const cu_k_p2c *c) { (void)c; return CU_ERR_NODEV; }
static int cu_dev_ntt_pass(const cu_k_ntt_pass *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_ntt1_pass(const cu_k_ntt1_pass *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_perm(const cu_k_perm *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_layer(const cu_k_layer *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_fold(const cu_k_fold *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_quot(const cu_k_quot *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_lkq(const cu_k_lkq *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_aux(const cu_k_aux *a, int step) {
  (void)a;
  (void)step;
  return CU_ERR_NODEV;
}
static int cu_dev_gather(const cu_k_gather *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_chunks(const cu_k_chunks *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_open(const cu_k_open *a) { (void)a; return CU_ERR_NODEV; }
static int cu_dev_deep(const cu_k_deep *a, int wide) {
  (void)a;
  (void)wide;
  return CU_ERR_NODEV;
}
#endif

_Static_assert(sizeof(ext_t) == EXT_DEGREE * sizeof(bb_t), "ext_t is 4 packed words");
_Static_assert(sizeof(merkle_digest) == CU_P2_DIGEST * sizeof(uint32_t), "digest is 8 words");
_Static_assert(P2_WIDTH == CU_P2_WIDTH && P2_RATE == CU_P2_RATE && P2_DIGEST == CU_P2_DIGEST &&
                   P2_ROUNDS_F == CU_P2_ROUNDS_F,
               "kernel Poseidon2 shape matches hash/poseidon2.h");

#define MAX_LOG_HEIGHT 40

typedef enum { X_NONE = 0, X_DEV = 1, X_EMU = 2 } x_mode;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_emu_req;
static int g_ntt_variant = 1; /* cu_ntt_set_variant: 1, measured 3x faster than 0 */
static int g_probed = -1; /* device count, -1 before the first probe */
static char g_probe_name[256];

static struct {
  x_mode mode;
  uint32_t *tw_fwd, *tw_inv; /* root tables of the 2^27-order root and its inverse */
  uint32_t *shift_tab;       /* root table of g.shift when shift_ok */
  bb_t shift;
  int shift_ok;
  uint32_t *scratch;
  size_t scratch_elems;
  int p2_ok;
  cu_k_p2c p2;
} g;

/* The message of the last failure raised by this file rather than the CUDA
 * runtime (emulated allocation, injected fault); g_msg_own says which of the
 * two is the latest. */
static char g_msg[256];
static int g_msg_own;
static long g_fail_after = -1; /* cu_test_fail_alloc */

/* The emulated block's shared memory. */
static uint32_t g_emu_sh[CU_NTT_SH], g_emu_lo[CU_NTT_SH / 2];
static uint32_t g_emu_sh1[1u << CU_NTT1_SH_LOG];

const char *cu_strerror(int rc) {
  switch (rc) {
  case CU_OK: return "ok";
  case CU_ERR_ARG: return "invalid argument";
  case CU_ERR_NODEV: return "no CUDA device";
  case CU_ERR_DEVMEM: return "out of device memory";
  case CU_ERR_NOMEM: return "out of host memory";
  case CU_ERR_KERNEL: return "CUDA kernel or runtime failure";
  case CU_ERR_UNSUPPORTED: return "unsupported parameters";
  default: return "unknown error";
  }
}

const char *cu_last_error_string(void) { return g_msg_own ? g_msg : cu_dev_last_error(); }

/* A failing runtime call (rc != CU_OK) makes the runtime's message the latest. */
static int dev_rc(int rc) {
  if (rc != CU_OK) g_msg_own = 0;
  return rc;
}

void cu_test_fail_alloc(long after) {
  pthread_mutex_lock(&g_lock);
  g_fail_after = after;
  pthread_mutex_unlock(&g_lock);
}

/* ---- executor primitives (caller holds g_lock) ----------------------------- */

static int probe_locked(void) {
  if (g_probed < 0) g_probed = cu_dev_probe(g_probe_name, sizeof g_probe_name);
  return g_probed;
}

/* Executor memory of bytes; NULL with *rc set on failure. */
static void *x_alloc(size_t bytes, int *rc) {
  void *p = NULL;
  if (g_fail_after == 0) {
    snprintf(g_msg, sizeof g_msg, "allocation of %zu bytes: injected failure (cu_test_fail_alloc)", bytes);
    g_msg_own = 1;
    *rc = CU_ERR_DEVMEM;
    return NULL;
  }
  if (g.mode == X_EMU) {
    p = malloc(bytes ? bytes : 1);
    *rc = p ? CU_OK : CU_ERR_DEVMEM;
    if (!p) {
      snprintf(g_msg, sizeof g_msg, "emulated allocation of %zu bytes failed", bytes);
      g_msg_own = 1;
    }
  } else {
    *rc = dev_rc(cu_dev_malloc(&p, bytes));
    if (*rc != CU_OK) p = NULL;
  }
  if (p && g_fail_after > 0) g_fail_after--;
  return p;
}

static void x_free(void *p) {
  if (!p) return;
  if (g.mode == X_EMU)
    free(p);
  else
    cu_dev_free(p);
}

static int x_h2d(void *d, const void *h, size_t bytes) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_h2d(d, h, bytes));
  if (bytes) memcpy(d, h, bytes);
  return CU_OK;
}

static int x_d2h(void *h, const void *d, size_t bytes) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_d2h(h, d, bytes));
  if (bytes) memcpy(h, d, bytes);
  return CU_OK;
}

static int x_d2d(void *dst, const void *src, size_t bytes) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_d2d(dst, src, bytes));
  if (bytes && dst != src) memmove(dst, src, bytes);
  return CU_OK;
}

static int x_zero(void *p, size_t bytes) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_zero(p, bytes));
  if (bytes) memset(p, 0, bytes);
  return CU_OK;
}

static int x_sync(void) { return g.mode == X_EMU ? CU_OK : dev_rc(cu_dev_sync()); }

static int x_ntt_pass(const cu_k_ntt_pass *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_ntt_pass(a));
  for (uint64_t b = 0; b < a->nblocks; b++) cu_k_ntt_tile(*a, b, 0, 1, g_emu_sh, g_emu_lo);
  return CU_OK;
}

static int x_ntt1_pass(const cu_k_ntt1_pass *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_ntt1_pass(a));
  for (uint64_t b = 0; b < a->nblocks; b++) cu_k_ntt1_tile(a, b, 0, 1, g_emu_sh1);
  return CU_OK;
}

static int x_perm(const cu_k_perm *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_perm(a));
  for (uint64_t f = 0; f < a->count; f++) cu_k_perm_elem(a, f);
  return CU_OK;
}

static int x_layer(const cu_k_layer *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_layer(a));
  for (uint64_t i = 0; i < a->count; i++) cu_k_layer_node(&g.p2, a, i);
  return CU_OK;
}

static int x_fold(const cu_k_fold *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_fold(a));
  for (uint64_t k = 0; k < a->half; k++) cu_k_fold_elem(a, k);
  return CU_OK;
}

static int x_quot(const cu_k_quot *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_quot(a));
  for (uint64_t j = 0; j < a->d.nq; j++) cu_k_quot_point(a, a->air, j);
  return CU_OK;
}

static int x_lkq(const cu_k_lkq *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_lkq(a));
  for (uint64_t j = 0; j < a->d.nq; j++) cu_k_lkq_point(a, j);
  return CU_OK;
}

/* step 0: rows, 1: chunk sums, 2: running sums (cu_kern_air.h) */
static int x_aux(const cu_k_aux *a, int step) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_aux(a, step));
  if (step == 0)
    for (uint64_t r = 0; r < a->n; r++) cu_k_aux_row(a, r);
  else
    for (uint64_t c = 0; c < a->nchunks; c++) step == 1 ? cu_k_aux_sum(a, c) : cu_k_aux_scan(a, c);
  return CU_OK;
}

static int x_gather(const cu_k_gather *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_gather(a));
  uint64_t n = a->q * (a->row_words + 8u * (uint64_t)a->log_h);
  for (uint64_t f = 0; f < n; f++) cu_k_gather_word(a, f);
  return CU_OK;
}

static int x_chunks(const cu_k_chunks *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_chunks(a));
  for (uint64_t f = 0; f < a->count; f++) cu_k_chunks_elem(a, f);
  return CU_OK;
}

static int x_deep(const cu_k_deep *a, int wide) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_deep(a, wide));
  uint32_t red[CU_DEEP_ACC];
  for (uint64_t i = 0; i < a->N; i++) {
    if (wide)
      cu_k_deep_block(a, i, 0, 1, red);
    else
      cu_k_deep_row(a, i);
  }
  return CU_OK;
}

static int x_open(const cu_k_open *a) {
  if (g.mode != X_EMU) return dev_rc(cu_dev_open(a));
  for (uint64_t i = 0; i < a->n; i++) cu_k_open_weight(a, i);
  for (uint64_t f = 0; f < a->nchunks * a->w; f++) cu_k_open_item(a, f);
  return CU_OK;
}

/* ---- cached state ------------------------------------------------------------ */

static void release_locked(void) {
  x_free(g.tw_fwd);
  x_free(g.tw_inv);
  x_free(g.shift_tab);
  x_free(g.scratch);
  memset(&g, 0, sizeof g);
}

/* tab[i] = b^i (i < 2^LO), tab[2^LO + j] = b^(j 2^LO) (j < 2^HI). */
static void fill_pow_table(uint32_t *tab, bb_t b) {
  bb_t x = BB_ONE;
  for (uint32_t i = 0; i < (1u << CU_TW_LO_BITS); i++) {
    tab[i] = x;
    x = bb_mul(x, b);
  }
  bb_t y = BB_ONE;
  for (uint32_t j = 0; j < (1u << CU_TW_HI_BITS); j++) {
    tab[(1u << CU_TW_LO_BITS) + j] = y;
    y = bb_mul(y, x);
  }
}

/* A root table of b in executor memory: new (*dst == NULL) or overwritten. */
static int put_pow_table(uint32_t **dst, bb_t b) {
  uint32_t *h = malloc(CU_TW_SIZE * sizeof *h);
  if (!h) return CU_ERR_NOMEM;
  fill_pow_table(h, b);
  int rc = CU_OK;
  if (!*dst) *dst = x_alloc(CU_TW_SIZE * sizeof *h, &rc);
  if (rc == CU_OK) rc = x_h2d(*dst, h, CU_TW_SIZE * sizeof *h);
  free(h);
  return rc;
}

static int load_p2_locked(void) {
  const p2_params *p = p2_params_bb16();
  if (p->width != CU_P2_WIDTH || p->rounds_p != CU_P2_ROUNDS_P || p->mds4 != P2_MDS4_PLONKY3)
    return CU_ERR_UNSUPPORTED;
  for (int i = 0; i < CU_P2_WIDTH; i++) g.p2.diag[i] = p->diag[i];
  for (int r = 0; r < CU_P2_ROUNDS_F; r++)
    for (int i = 0; i < CU_P2_WIDTH; i++) g.p2.rc_ext[r][i] = p->rc_ext[r][i];
  for (int r = 0; r < CU_P2_ROUNDS_P; r++) g.p2.rc_int[r] = p->rc_int[r];
  if (g.mode == X_DEV) {
    int rc = dev_rc(cu_dev_set_p2(&g.p2));
    if (rc != CU_OK) return rc;
  }
  g.p2_ok = 1;
  return CU_OK;
}

/* Pick the executor and make its tables; every entry point calls it first. */
static int enter_locked(void) {
  x_mode want = g_emu_req ? X_EMU : (probe_locked() > 0 ? X_DEV : X_NONE);
  if (want == X_NONE) return CU_ERR_NODEV;
  if (g.mode != want) {
    release_locked();
    g.mode = want;
  }
  int rc = CU_OK;
  if (!g.tw_fwd) {
    bb_t w = bb_two_adic_generator(BB_TWO_ADICITY);
    rc = put_pow_table(&g.tw_fwd, w);
    if (rc == CU_OK) rc = put_pow_table(&g.tw_inv, bb_inv(w));
    if (rc != CU_OK) {
      x_free(g.tw_fwd);
      x_free(g.tw_inv);
      g.tw_fwd = g.tw_inv = NULL;
      return rc;
    }
  }
  if (!g.p2_ok) rc = load_p2_locked();
  return rc;
}

static int shift_table_locked(bb_t shift, const uint32_t **out) {
  if (!g.shift_ok || g.shift != shift) {
    g.shift_ok = 0;
    int rc = put_pow_table(&g.shift_tab, shift);
    if (rc != CU_OK) return rc;
    g.shift = shift;
    g.shift_ok = 1;
  }
  *out = g.shift_tab;
  return CU_OK;
}

static int scratch_locked(size_t elems, uint32_t **out) {
  if (g.scratch_elems < elems) {
    x_free(g.scratch);
    g.scratch = NULL;
    g.scratch_elems = 0;
    int rc;
    g.scratch = x_alloc(elems * sizeof(uint32_t), &rc);
    if (rc != CU_OK) return rc;
    g.scratch_elems = elems;
  }
  *out = g.scratch;
  return CU_OK;
}

/* ---- public: device, memory ------------------------------------------------- */

int cu_available(char *name, size_t len) {
  pthread_mutex_lock(&g_lock);
  int n = probe_locked();
  if (name && len > 0) snprintf(name, len, "%s", g_probe_name);
  pthread_mutex_unlock(&g_lock);
  return n > 0;
}

int cu_set_emulation(int on) {
  pthread_mutex_lock(&g_lock);
  int old = g_emu_req;
  g_emu_req = on != 0;
  pthread_mutex_unlock(&g_lock);
  return old;
}

int cu_ntt_set_variant(int v) {
  if (v != 0 && v != 1) return CU_ERR_ARG;
  pthread_mutex_lock(&g_lock);
  int old = g_ntt_variant;
  g_ntt_variant = v;
  pthread_mutex_unlock(&g_lock);
  return old;
}

int cu_prepare(void) {
  pthread_mutex_lock(&g_lock);
  int rc = enter_locked();
  if (rc == CU_OK) rc = x_sync();
  pthread_mutex_unlock(&g_lock);
  return rc;
}

void cu_release(void) {
  pthread_mutex_lock(&g_lock);
  release_locked();
  pthread_mutex_unlock(&g_lock);
}

int cu_malloc(bb_t **d, size_t n_elems) {
  if (!d) return CU_ERR_ARG;
  *d = NULL;
  if (n_elems > SIZE_MAX / sizeof(bb_t)) return CU_ERR_ARG;
  pthread_mutex_lock(&g_lock);
  int rc = enter_locked();
  if (rc == CU_OK) *d = x_alloc(n_elems * sizeof(bb_t), &rc);
  pthread_mutex_unlock(&g_lock);
  return rc;
}

void cu_free(bb_t *d) {
  if (!d) return;
  pthread_mutex_lock(&g_lock);
  x_free(d);
  pthread_mutex_unlock(&g_lock);
}

int cu_upload(bb_t *d_dst, const bb_t *h_src, size_t n_elems) {
  if ((!d_dst || !h_src) && n_elems) return CU_ERR_ARG;
  if (n_elems > SIZE_MAX / sizeof(bb_t)) return CU_ERR_ARG;
  pthread_mutex_lock(&g_lock);
  int rc = enter_locked();
  if (rc == CU_OK) rc = x_h2d(d_dst, h_src, n_elems * sizeof(bb_t));
  pthread_mutex_unlock(&g_lock);
  return rc;
}

int cu_download(bb_t *h_dst, const bb_t *d_src, size_t n_elems) {
  if ((!h_dst || !d_src) && n_elems) return CU_ERR_ARG;
  if (n_elems > SIZE_MAX / sizeof(bb_t)) return CU_ERR_ARG;
  pthread_mutex_lock(&g_lock);
  int rc = enter_locked();
  if (rc == CU_OK) rc = x_sync();
  if (rc == CU_OK) rc = x_d2h(h_dst, d_src, n_elems * sizeof(bb_t));
  pthread_mutex_unlock(&g_lock);
  return rc;
}

int cu_memzero(bb_t *d, size_t n_elems) {
  if (!d && n_elems) return CU_ERR_ARG;
  if (n_elems > SIZE_MAX / sizeof(bb_t)) return CU_ERR_ARG;
  pthread_mutex_lock(&g_lock);
  int rc = enter_locked();
  if (rc == CU_OK) rc = x_zero(d, n_elems * sizeof(bb_t));
  if (rc == CU_OK) rc = x_sync();
  pthread_mutex_unlock(&g_lock);
  return rc;
}

/* ---- NTT ---------------------------------------------------------------------- */

/* n * width * 4 bytes fits size_t and log_n is in range. */
static int ntt_size_ok(unsigned log_n, size_t width) {
  return log_n <= NTT_MAX_LOG && width >= 1 && width <= (SIZE_MAX / sizeof(bb_t)) >> log_n;
}

static int order_ok(ntt_order o) { return o == NTT_ORDER_NATURAL || o == NTT_ORDER_BITREV; }

/* Passes of at most CU_NTT_MAX_K stages for `bits` stages (run_passes). */
static unsigned pass_count(unsigned bits) { return (bits + CU_NTT_MAX_K - 1) / CU_NTT_MAX_K; }

/* One pass of variant 1 (cu_k_ntt1_pass) with the plan of variant 0's pass a:
 * tiles of up to 2^CU_NTT1_SH_LOG words, T = the next power of two >= inner
 * (at most 2^(CU_NTT1_SH_LOG - k)), and when one tile spans the whole inner
 * range, as many consecutive line groups (hi) as fill the rest. */
static int run_pass1(const cu_k_ntt_pass *a, unsigned log_n) {
  cu_k_ntt1_pass b;
  memset(&b, 0, sizeof b);
  b.data = a->data;
  b.tw = a->tw;
  b.pre = a->pre;
  b.post = a->post;
  b.dit = a->dit;
  b.s = a->s;
  b.k = a->k;
  b.width = a->width;
  b.inner = a->inner;
  b.wlog = 32;
  for (unsigned l = 0; l < 32; l++)
    if (a->width == (uint64_t)1 << l) b.wlog = l;
  unsigned cap_log = CU_NTT1_SH_LOG - a->k, tlog = 0;
  while (tlog < cap_log && ((uint64_t)1 << tlog) < a->inner) tlog++;
  b.tlog = tlog;
  b.tiles_per_hi = (a->inner + ((uint64_t)1 << tlog) - 1) >> tlog;
  unsigned his_log = log_n - a->s - a->k, hlog = 0;
  if (b.tiles_per_hi == 1)
    while (hlog < his_log && hlog < cap_log - tlog) hlog++;
  b.hlog = hlog;
  b.nblocks = b.tiles_per_hi << (his_log - hlog);
  /* the small roots of the table's root: g^(x 2^23) */
  bb_t root = bb_two_adic_generator(BB_TWO_ADICITY);
  if (a->tw == g.tw_inv) root = bb_inv(root);
  bb_t w16 = bb_pow(root, (uint64_t)1 << (BB_TWO_ADICITY - CU_NTT1_R)), x = BB_ONE;
  for (unsigned i = 0; i < (1u << CU_NTT1_R); i++) {
    b.rt[i] = x;
    x = bb_mul(x, w16);
  }
  return x_ntt1_pass(&b);
}

/* The stages of bits [lo_bit, log_n) of a transform of 2^log_n rows of d, in
 * place, in passes of at most CU_NTT_MAX_K stages (cu_k_ntt_pass, or the
 * same passes as cu_k_ntt1_pass under variant 1): DIF from the top bit down
 * (natural in, bit-reversed out when lo_bit = 0) or DIT from lo_bit up
 * (bit-reversed in, natural out). pre: DIF only. */
static int run_passes(uint32_t *d, unsigned log_n, unsigned lo_bit, size_t width, int dit,
                      const uint32_t *tw, const uint32_t *pre, uint32_t post) {
  unsigned bits = log_n - lo_bit;
  if (bits == 0) return CU_OK; /* one point: shift^0 = 1, 1/n = 1 */
  unsigned passes = pass_count(bits), s = dit ? lo_bit : log_n;
  for (unsigned p = 0; p < passes; p++) {
    unsigned k = bits / passes + (p < bits % passes ? 1u : 0u);
    if (!dit) s -= k;
    cu_k_ntt_pass a;
    memset(&a, 0, sizeof a);
    a.data = d;
    a.tw = tw;
    a.pre = p == 0 && !dit ? pre : NULL;
    a.post = p + 1 == passes ? post : BB_ONE;
    a.dit = dit != 0;
    a.s = s;
    a.k = k;
    a.width = width;
    a.inner = (uint64_t)width << s;
    /* T: the next power of two >= inner, at most CU_NTT_SH / 2^k. */
    unsigned cap_log = CU_NTT_SH_LOG - k, tlog = 0;
    while (tlog < cap_log && ((uint64_t)1 << tlog) < a.inner) tlog++;
    a.tlog = tlog;
    a.tiles_per_hi = (a.inner + ((uint64_t)1 << tlog) - 1) >> tlog;
    a.nblocks = a.tiles_per_hi << (log_n - s - k);
    int rc = g_ntt_variant == 1 ? run_pass1(&a, log_n) : x_ntt_pass(&a);
    if (rc != CU_OK) return rc;
    if (dit) s += k;
  }
  return CU_OK;
}

static int run_dif(uint32_t *d, unsigned log_n, size_t width, const uint32_t *tw,
                   const uint32_t *pre, uint32_t post) {
  return run_passes(d, log_n, 0, width, 0, tw, pre, post);
}

unsigned cu_ntt_dft_passes(unsigned log_n) {
  if (log_n > NTT_MAX_LOG) return 0;
  return pass_count(log_n);
}

/* cu_k_perm: output row r = input row p or bitrev(p) (rev_src), p = r >> spread,
 * times c * pow^(p or bitrev(p) (rev_exp)), or times c alone when pow is NULL. */
static int run_perm(const uint32_t *in, uint32_t *out, unsigned log_n, unsigned spread,
                    size_t width, int rev_src, const uint32_t *pow, int rev_exp, uint32_t c) {
  cu_k_perm a;
  memset(&a, 0, sizeof a);
  a.in = in;
  a.out = out;
  a.pow = pow;
  a.c = c;
  a.log_n = log_n;
  a.spread = spread;
  a.rev_src = rev_src != 0;
  a.rev_exp = rev_exp != 0;
  a.width = width;
  a.count = ((uint64_t)1 << (log_n + spread)) * width;
  return x_perm(&a);
}

typedef enum { OP_DFT, OP_IDFT, OP_COSET_DFT, OP_COSET_IDFT } ntt_op;

/* Transform d in place.
 *   DFT, coset DFT: DIF (coset: shift^i applied on load); natural order: an
 *     in-place bit-reversal.
 *   IDFT: inverse DIF with 1/n on the last store; natural: bit-reversal.
 *   coset IDFT: inverse DIF, then coefficient j times shift^-j / n, fused
 *     into the bit-reversal (natural) or applied in place (bit-reversed, the
 *     row at r holding coefficient bitrev(r)). */
static int ntt_core(uint32_t *d, unsigned log_n, size_t width, ntt_op op, bb_t shift,
                    ntt_order order) {
  const uint32_t *pre = NULL, *ipow = NULL;
  uint32_t ninv = bb_inv(bb_from_u32(1u << log_n));
  int inverse = op == OP_IDFT || op == OP_COSET_IDFT;
  int rc = CU_OK;
  if (op == OP_COSET_DFT) rc = shift_table_locked(shift, &pre);
  if (op == OP_COSET_IDFT) rc = shift_table_locked(bb_inv(shift), &ipow);
  if (rc == CU_OK)
    rc = run_dif(d, log_n, width, inverse ? g.tw_inv : g.tw_fwd, pre, op == OP_IDFT ? ninv : BB_ONE);
  if (rc != CU_OK) return rc;
  int natural = order == NTT_ORDER_NATURAL;
  if (op == OP_COSET_IDFT) return run_perm(d, d, log_n, 0, width, natural, ipow, !natural, ninv);
  return natural ? run_perm(d, d, log_n, 0, width, 1, NULL, 0, BB_ONE) : CU_OK;
}

static int ntt_entry(bb_t *data, int on_device, ntt_op op, unsigned log_n, size_t width, bb_t shift,
                     ntt_order order) {
  if (!data || !ntt_size_ok(log_n, width) || !order_ok(order) || shift >= BB_P) return CU_ERR_ARG;
  if (op == OP_COSET_IDFT && shift == 0) return CU_ERR_ARG;
  size_t bytes = ((size_t)1 << log_n) * width * sizeof(bb_t);
  pthread_mutex_lock(&g_lock);
  uint32_t *buf = NULL;
  int rc = enter_locked();
  if (rc == CU_OK) {
    if (on_device) {
      buf = data;
    } else {
      buf = x_alloc(bytes, &rc);
      if (rc == CU_OK) rc = x_h2d(buf, data, bytes);
    }
  }
  if (rc == CU_OK) rc = ntt_core(buf, log_n, width, op, shift, order);
  if (rc == CU_OK) rc = x_sync();
  if (rc == CU_OK && !on_device) rc = x_d2h(data, buf, bytes);
  if (!on_device) x_free(buf);
  pthread_mutex_unlock(&g_lock);
  return rc;
}

int cu_ntt_dft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order) {
  return ntt_entry(data, 0, OP_DFT, log_n, width, 0, out_order);
}
int cu_ntt_idft(bb_t *data, unsigned log_n, size_t width, ntt_order out_order) {
  return ntt_entry(data, 0, OP_IDFT, log_n, width, 0, out_order);
}
int cu_ntt_coset_dft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order) {
  return ntt_entry(data, 0, OP_COSET_DFT, log_n, width, shift, out_order);
}
int cu_ntt_coset_idft(bb_t *data, unsigned log_n, size_t width, bb_t shift, ntt_order out_order) {
  return ntt_entry(data, 0, OP_COSET_IDFT, log_n, width, shift, out_order);
}
int cu_ntt_dft_dev(bb_t *d_data, unsigned log_n, size_t width, ntt_order out_order) {
  return ntt_entry(d_data, 1, OP_DFT, log_n, width, 0, out_order);
}
int cu_ntt_idft_dev(bb_t *d_data, unsigned log_n, size_t width, ntt_order out_order) {
  return ntt_entry(d_data, 1, OP_IDFT, log_n, width, 0, out_order);
}
int cu_ntt_coset_dft_dev(bb_t *d_data, unsigned log_n, size_t width, bb_t shift,
                         ntt_order out_order) {
  return ntt_entry(d_data, 1, OP_COSET_DFT, log_n, width, shift, out_order);
}

int cu_ntt_coset_idft_dev(bb_t *d_data, unsigned log_n, size_t width, bb_t shift,
                          ntt_order out_order) {
  return ntt_entry(d_data, 1, OP_COSET_IDFT, log_n, width, shift, out_order);
}

/* LDE from d_in (n rows) into d_out (N rows); d_in == d_out allowed. The
 * coefficients come out of the inverse DIF in bit-reversed order; then
 *   bit-reversed output: bit-reverse them into d_out's first n rows with the
 *     scaling shift^j / n, zero the other rows, forward DIF of N rows;
 *   natural output: DIT of N rows wants its input in bit-reversed order,
 *     where coefficient j (at bitrev_n position p) sits at row p << lb and
 *     the other rows are zero. DIT's first lb stages then only copy each
 *     such row into the 2^lb rows after it (every twiddle multiplies a
 *     zero), so the spread writes those copies directly and the DIT starts
 *     at stage lb. No bit-reversal of the N rows is needed. */
static int lde_core(const uint32_t *d_in, unsigned log_n, size_t width, unsigned log_blowup,
                    bb_t shift, uint32_t *d_out, ntt_order order) {
  size_t small = ((size_t)1 << log_n) * width, big = small << log_blowup;
  uint32_t *s, ninv = bb_inv(bb_from_u32(1u << log_n));
  const uint32_t *sp;
  int rc = scratch_locked(small, &s);
  if (rc == CU_OK) rc = shift_table_locked(shift, &sp);
  if (rc == CU_OK) rc = x_d2d(s, d_in, small * sizeof *s);
  if (rc == CU_OK) rc = run_dif(s, log_n, width, g.tw_inv, NULL, BB_ONE);
  if (rc != CU_OK) return rc;
  unsigned log_N = log_n + log_blowup;
  if (order == NTT_ORDER_NATURAL) {
    rc = run_perm(s, d_out, log_n, log_blowup, width, 0, sp, 1, ninv);
    if (rc == CU_OK) rc = run_passes(d_out, log_N, log_blowup, width, 1, g.tw_fwd, NULL, BB_ONE);
    return rc;
  }
  rc = run_perm(s, d_out, log_n, 0, width, 1, sp, 0, ninv);
  if (rc == CU_OK) rc = x_zero(d_out + small, (big - small) * sizeof *d_out);
  if (rc == CU_OK) rc = run_dif(d_out, log_N, width, g.tw_fwd, NULL, BB_ONE);
  return rc;
}

static int lde_entry(const bb_t *in, int on_device, unsigned log_n, size_t width,
                     unsigned log_blowup, bb_t shift, bb_t *out, ntt_order order) {
  if (!in || !out || log_blowup > NTT_MAX_LOG || log_n > NTT_MAX_LOG - log_blowup ||
      !ntt_size_ok(log_n + log_blowup, width) || !order_ok(order) || shift >= BB_P)
    return CU_ERR_ARG;
  size_t small = ((size_t)1 << log_n) * width * sizeof(bb_t), big = small << log_blowup;
  pthread_mutex_lock(&g_lock);
  uint32_t *buf = NULL;
  int rc = enter_locked();
  if (rc == CU_OK) {
    if (on_device) {
      rc = lde_core(in, log_n, width, log_blowup, shift, out, order);
    } else {
      buf = x_alloc(big, &rc);
      if (rc == CU_OK) rc = x_h2d(buf, in, small);
      if (rc == CU_OK) rc = lde_core(buf, log_n, width, log_blowup, shift, buf, order);
      if (rc == CU_OK) rc = x_sync();
      if (rc == CU_OK) rc = x_d2h(out, buf, big);
      x_free(buf);
    }
  }
  if (rc == CU_OK) rc = x_sync();
  pthread_mutex_unlock(&g_lock);
  return rc;
}

int cu_ntt_coset_lde(const bb_t *in, unsigned log_n, size_t width, unsigned log_blowup, bb_t shift,
                     bb_t *out, ntt_order out_order) {
  return lde_entry(in, 0, log_n, width, log_blowup, shift, out, out_order);
}

int cu_ntt_coset_lde_dev(const bb_t *d_in, unsigned log_n, size_t width, unsigned log_blowup,
                         bb_t shift, bb_t *d_out, ntt_order out_order) {
  return lde_entry(d_in, 1, log_n, width, log_blowup, shift, d_out, out_order);
}

/* ---- Merkle -------------------------------------------------------------------- */

static int is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

/* keep: NULL, or where the layers' executor buffer goes instead of being
 * freed (on success). */
static int merkle_entry(const merkle_matrix *mats, size_t n_mats, int on_device,
                        merkle_digest *root, merkle_digest *layers, uint32_t **keep) {
  if (!mats || n_mats == 0 || n_mats > UINT32_MAX || !root) return CU_ERR_ARG;
  for (size_t i = 0; i < n_mats; i++) {
    if (!mats[i].data || mats[i].width == 0 || !is_pow2(mats[i].height) ||
        mats[i].height > ((size_t)1 << MAX_LOG_HEIGHT) ||
        mats[i].width > (SIZE_MAX / sizeof(bb_t)) / mats[i].height)
      return CU_ERR_ARG;
  }
  /* Stable order by height, tallest first (as merkle.c). */
  size_t *idx = malloc(n_mats * sizeof *idx);
  cu_k_mat *desc = malloc(n_mats * sizeof *desc);
  uint32_t **copies = calloc(n_mats, sizeof *copies);
  if (!idx || !desc || !copies) {
    free(idx);
    free(desc);
    free(copies);
    return CU_ERR_NOMEM;
  }
  for (size_t i = 0; i < n_mats; i++) {
    size_t j = i;
    while (j > 0 && mats[idx[j - 1]].height < mats[i].height) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = i;
  }
  const size_t H = mats[idx[0]].height;
  unsigned log_h = 0;
  while (((size_t)1 << log_h) < H) log_h++;

  pthread_mutex_lock(&g_lock);
  cu_k_mat *d_desc = NULL;
  uint32_t *store = NULL;
  int rc = enter_locked();
  for (size_t s = 0; s < n_mats && rc == CU_OK; s++) {
    const merkle_matrix *m = &mats[idx[s]];
    desc[s].width = m->width;
    if (on_device) {
      desc[s].data = m->data;
    } else {
      size_t bytes = m->width * m->height * sizeof(bb_t);
      copies[s] = x_alloc(bytes, &rc);
      if (rc == CU_OK) rc = x_h2d(copies[s], m->data, bytes);
      desc[s].data = copies[s];
    }
  }
  if (rc == CU_OK) d_desc = x_alloc(n_mats * sizeof *d_desc, &rc);
  if (rc == CU_OK) rc = x_h2d(d_desc, desc, n_mats * sizeof *desc);
  if (rc == CU_OK) store = x_alloc((2 * H - 1) * sizeof(merkle_digest), &rc);
  size_t first = 0, off = 0, prev_off = 0;
  for (unsigned k = 0; k <= log_h && rc == CU_OK; k++) {
    size_t count = H >> k, cnt = 0;
    while (first < n_mats && mats[idx[first]].height > count) first++;
    while (first + cnt < n_mats && mats[idx[first + cnt]].height == count) cnt++;
    cu_k_layer a;
    memset(&a, 0, sizeof a);
    a.mats = d_desc + first;
    a.n_mats = (uint32_t)cnt;
    a.prev = k ? store + prev_off * CU_P2_DIGEST : NULL;
    a.out = store + off * CU_P2_DIGEST;
    a.count = count;
    rc = x_layer(&a);
    prev_off = off;
    off += count;
  }
  if (rc == CU_OK) rc = x_sync();
  if (rc == CU_OK) rc = x_d2h(root->w, store + prev_off * CU_P2_DIGEST, sizeof *root);
  if (rc == CU_OK && layers) rc = x_d2h(layers, store, (2 * H - 1) * sizeof *layers);
  if (rc == CU_OK && keep) {
    *keep = store;
    store = NULL;
  }
  x_free(store);
  x_free(d_desc);
  for (size_t s = 0; s < n_mats; s++) x_free(copies[s]);
  pthread_mutex_unlock(&g_lock);
  free(idx);
  free(desc);
  free(copies);
  return rc;
}

int cu_merkle_commit(const merkle_matrix *mats, size_t n_mats, merkle_digest *root,
                     merkle_digest *layers) {
  return merkle_entry(mats, n_mats, 0, root, layers, NULL);
}

int cu_merkle_commit_dev(const merkle_matrix *mats, size_t n_mats, merkle_digest *root,
                         merkle_digest *layers) {
  return merkle_entry(mats, n_mats, 1, root, layers, NULL);
}

/* ---- Merkle tree kept for openings ---------------------------------------------- */

struct cu_merkle_tree {
  size_t n_mats;
  unsigned log_h;
  uint64_t row_words;   /* the widths' sum */
  cu_k_omat *d_mats;    /* executor memory: the matrices in the caller's order */
  uint32_t *d_store;    /* executor memory: every layer, the bottom one first */
  merkle_digest root;
};

int cu_merkle_tree_build_dev(const merkle_matrix *mats, size_t n_mats, cu_merkle_tree **out) {
  if (!out) return CU_ERR_ARG;
  *out = NULL;
  if (!mats || n_mats == 0 || n_mats > UINT32_MAX) return CU_ERR_ARG;
  size_t H = 0;
  for (size_t i = 0; i < n_mats; i++) {
    if (!is_pow2(mats[i].height) || mats[i].height > ((size_t)1 << MAX_LOG_HEIGHT)) return CU_ERR_ARG;
    if (mats[i].height > H) H = mats[i].height;
  }
  cu_merkle_tree *t = calloc(1, sizeof *t);
  cu_k_omat *h = malloc(n_mats * sizeof *h);
  if (!t || !h) {
    free(t);
    free(h);
    return CU_ERR_NOMEM;
  }
  t->n_mats = n_mats;
  while (((size_t)1 << t->log_h) < H) t->log_h++;
  for (size_t i = 0; i < n_mats; i++) {
    h[i].data = mats[i].data;
    h[i].width = mats[i].width;
    h[i].log_h = 0;
    while (((size_t)1 << h[i].log_h) < mats[i].height) h[i].log_h++;
    t->row_words += mats[i].width;
  }
  int rc = merkle_entry(mats, n_mats, 1, &t->root, NULL, &t->d_store);
  if (rc == CU_OK) {
    pthread_mutex_lock(&g_lock);
    rc = enter_locked();
    if (rc == CU_OK) t->d_mats = x_alloc(n_mats * sizeof *h, &rc);
    if (rc == CU_OK) rc = x_h2d(t->d_mats, h, n_mats * sizeof *h);
    pthread_mutex_unlock(&g_lock);
  }
  free(h);
  if (rc != CU_OK) {
    cu_merkle_tree_free(t);
    return rc;
  }
  *out = t;
  return CU_OK;
}

void cu_merkle_tree_root(const cu_merkle_tree *t, merkle_digest *root) { *root = t->root; }

int cu_merkle_tree_open_many(const cu_merkle_tree *t, const size_t *idx, size_t q, bb_t *rows,
                             merkle_digest *paths) {
  if (!t || (q && (!idx || !rows || (!paths && t->log_h > 0)))) return CU_ERR_ARG;
  if (q == 0) return CU_OK;
  if (q > (SIZE_MAX / sizeof(bb_t)) / (t->row_words + 8u * t->log_h)) return CU_ERR_ARG;
  uint64_t *h = malloc(q * sizeof *h);
  if (!h) return CU_ERR_NOMEM;
  for (size_t k = 0; k < q; k++) {
    if (idx[k] >> t->log_h) {
      free(h);
      return CU_ERR_ARG;
    }
    h[k] = idx[k];
  }
  size_t rbytes = q * t->row_words * sizeof(bb_t), pbytes = q * t->log_h * sizeof(merkle_digest);
  pthread_mutex_lock(&g_lock);
  uint64_t *d_idx = NULL;
  uint32_t *d_rows = NULL, *d_paths = NULL;
  int rc = enter_locked();
  if (rc == CU_OK) d_idx = x_alloc(q * sizeof *h, &rc);
  if (rc == CU_OK) d_rows = x_alloc(rbytes, &rc);
  if (rc == CU_OK) d_paths = x_alloc(pbytes, &rc);
  if (rc == CU_OK) rc = x_h2d(d_idx, h, q * sizeof *h);
  if (rc == CU_OK) {
    cu_k_gather a;
    memset(&a, 0, sizeof a);
    a.mats = t->d_mats;
    a.n_mats = (uint32_t)t->n_mats;
    a.log_h = t->log_h;
    a.store = t->d_store;
    a.idx = d_idx;
    a.q = q;
    a.row_words = t->row_words;
    a.rows = d_rows;
    a.paths = d_paths;
    rc = x_gather(&a);
  }
  if (rc == CU_OK) rc = x_sync();
  if (rc == CU_OK) rc = x_d2h(rows, d_rows, rbytes);
  if (rc == CU_OK && pbytes) rc = x_d2h(paths, d_paths, pbytes);
  x_free(d_idx);
  x_free(d_rows);
  x_free(d_paths);
  pthread_mutex_unlock(&g_lock);
  free(h);
  return rc;
}

int cu_merkle_tree_open(const cu_merkle_tree *t, size_t index, bb_t *rows, merkle_digest *path) {
  if (!rows) return CU_ERR_ARG;
  return cu_merkle_tree_open_many(t, &index, 1, rows, path);
}

void cu_merkle_tree_free(cu_merkle_tree *t) {
  if (!t) return;
  pthread_mutex_lock(&g_lock);
  x_free(t->d_mats);
  x_free(t->d_store);
  pthread_mutex_unlock(&g_lock);
  free(t);
}

/* ---- FRI fold ------------------------------------------------------------------- */

static int fold_entry(const bb_t *in, int on_device, unsigned log_n, bb_t shift, ext_t beta,
                      bb_t *out) {
  if (!in || !out || log_n < 1 || log_n > NTT_MAX_LOG || shift == 0 || shift >= BB_P)
    return CU_ERR_ARG;
  for (int q = 0; q < EXT_DEGREE; q++)
    if (beta.v[q] >= BB_P) return CU_ERR_ARG;
  size_t N = (size_t)1 << log_n, in_bytes = N * sizeof(ext_t), out_bytes = in_bytes / 2;
  cu_k_fold a;
  memset(&a, 0, sizeof a);
  a.log_n = log_n;
  a.half = N / 2;
  a.inv2 = bb_inv(bb_from_u32(2));
  a.inv2s = bb_inv(bb_double(shift));
  for (int q = 0; q < EXT_DEGREE; q++) a.beta[q] = beta.v[q];
  pthread_mutex_lock(&g_lock);
  uint32_t *buf = NULL;
  int rc = enter_locked();
  a.itw = g.tw_inv;
  if (rc == CU_OK) {
    if (on_device) {
      a.in = in;
      a.out = out;
      rc = x_fold(&a);
    } else {
      buf = x_alloc(in_bytes, &rc);
      if (rc == CU_OK) rc = x_h2d(buf, in, in_bytes);
      a.in = buf;
      a.out = buf;
      if (rc == CU_OK) rc = x_fold(&a);
      if (rc == CU_OK) rc = x_sync();
      if (rc == CU_OK) rc = x_d2h(out, buf, out_bytes);
      x_free(buf);
    }
  }
  if (rc == CU_OK) rc = x_sync();
  pthread_mutex_unlock(&g_lock);
  return rc;
}

int cu_fri_fold(const ext_t *in, unsigned log_n, bb_t shift, ext_t beta, ext_t *out) {
  return fold_entry(in ? in->v : NULL, 0, log_n, shift, beta, out ? out->v : NULL);
}

int cu_fri_fold_dev(const bb_t *d_in, unsigned log_n, bb_t shift, ext_t beta, bb_t *d_out) {
  return fold_entry(d_in, 1, log_n, shift, beta, d_out);
}

/* ---- quotient constraints ------------------------------------------------------- */

static const struct {
  const char *name;
  unsigned width, num_public, num_constraints;
} air_shapes[CU_AIR_COUNT] = {
#define CU_AIR_SHAPE_ROW(id, nm, w, np, m, fn) [CU_AIR_##id] = {nm, w, np, m},
    CU_AIR_LIST(CU_AIR_SHAPE_ROW)
#undef CU_AIR_SHAPE_ROW
};

/* The quotient domain of n = 2^log_n rows, blowup 2^log_blowup, qc chunks
 * on the coset shift (tw is the caller's): CU_ERR_ARG for sizes out of range
 * or a shift for which Z_H vanishes on the domain. */
static int qdom_init(cu_k_qdom *d, unsigned log_n, unsigned log_blowup, unsigned qc, bb_t shift) {
  unsigned log_qc = 0;
  while ((1u << log_qc) < qc && log_qc < 31) log_qc++;
  if (log_n < 1 || qc == 0 || qc > CU_QUOT_MAX_QC || (1u << log_qc) != qc || log_blowup < log_qc ||
      log_blowup > NTT_MAX_LOG || log_n > NTT_MAX_LOG - log_blowup || shift == 0 || shift >= BB_P)
    return CU_ERR_ARG;
  d->log_nq = log_n + log_qc;
  d->qc = qc;
  d->s = shift;
  d->ginv = bb_inv(bb_two_adic_generator(log_n));
  d->N = (uint64_t)1 << (log_n + log_blowup);
  d->nq = (uint64_t)1 << d->log_nq;
  d->stride = d->N / d->nq;
  d->next_off = (uint64_t)1 << log_blowup;
  /* Z_H(x) = x^n - 1 = s^n w_nq^(j n) - 1 depends on j mod qc only. */
  size_t n = (size_t)1 << log_n;
  bb_t sn = bb_pow(shift, n), wn = bb_pow(bb_two_adic_generator(d->log_nq), n);
  for (unsigned k = 0; k < qc; k++) {
    d->zh[k] = bb_sub(bb_mul(sn, bb_pow(wn, k)), BB_ONE);
    if (d->zh[k] == 0) return CU_ERR_ARG; /* the quotient domain meets H */
    d->zh_inv[k] = bb_inv(d->zh[k]);
  }
  return CU_OK;
}

int cu_air_kernel(const char *name, unsigned width, unsigned num_public, unsigned num_constraints) {
  if (!name) return 0;
  for (int id = 1; id < CU_AIR_COUNT; id++)
    if (strcmp(name, air_shapes[id].name) == 0 && width == air_shapes[id].width &&
        num_public == air_shapes[id].num_public && num_constraints == air_shapes[id].num_constraints)
      return id;
  return 0;
}

int cu_quotient_dev(int kernel, const bb_t *d_lde, unsigned log_n, unsigned log_blowup, unsigned qc,
                    size_t width, bb_t shift, const ext_t *alpha_pows, unsigned num_constraints,
                    const bb_t *pub, unsigned num_public, bb_t *d_out) {
  if (kernel <= CU_AIR_NONE || kernel >= CU_AIR_COUNT || !d_lde || !d_out || !alpha_pows ||
      (num_public && !pub))
    return CU_ERR_ARG;
  if (width != air_shapes[kernel].width || num_public != air_shapes[kernel].num_public ||
      num_constraints != air_shapes[kernel].num_constraints)
    return CU_ERR_ARG;
  cu_k_quot a;
  memset(&a, 0, sizeof a);
  if (qdom_init(&a.d, log_n, log_blowup, qc, shift) != CU_OK) return CU_ERR_ARG;
  a.air = (uint32_t)kernel;
  a.width = (uint32_t)width;
  a.m = num_constraints;
  a.out = d_out;
  a.lde = d_lde;
  size_t n_consts = (size_t)EXT_DEGREE * num_constraints + num_public;
  uint32_t *h = malloc(n_consts * sizeof *h);
  if (!h) return CU_ERR_NOMEM;
  for (unsigned i = 0; i < num_constraints; i++)
    for (int q = 0; q < EXT_DEGREE; q++) h[EXT_DEGREE * i + (unsigned)q] = alpha_pows[i].v[q];
  for (unsigned i = 0; i < num_public; i++) h[EXT_DEGREE * (size_t)num_constraints + i] = pub[i];
  pthread_mutex_lock(&g_lock);
  uint32_t *d_consts = NULL;
  int rc = enter_locked();
  if (rc == CU_OK) d_consts = x_alloc(n_consts * sizeof *h, &rc);
  if (rc == CU_OK) rc = x_h2d(d_consts, h, n_consts * sizeof *h);
  if (rc == CU_OK) {
    a.consts = d_consts;
    a.d.tw = g.tw_fwd;
    rc = x_quot(&a);
  }
  if (rc == CU_OK) rc = x_sync();
  x_free(d_consts);
  pthread_mutex_unlock(&g_lock);
  free(h);
  return rc;
}

/* The words of one linear combination (cu_kern_air.h's program); NULL: count only. */
static size_t lc_words(const stark_lc *lc, uint32_t *out) {
  if (out) {
    out[0] = lc->num_terms;
    out[1] = bb_from_u32(lc->constant);
    for (unsigned t = 0; t < lc->num_terms; t++) {
      out[2 + 2 * t] = lc->terms[t].col;
      out[3 + 2 * t] = bb_from_u32(lc->terms[t].coeff);
    }
  }
  return 2 + 2 * (size_t)lc->num_terms;
}

/* The interactions as cu_k_lkq's program; returns its length (out NULL: count only). */
static size_t lookup_program(const stark_interaction *it, unsigned k, uint32_t *out) {
  size_t n = 0;
  for (unsigned i = 0; i < k; i++) {
    if (out) {
      out[n] = bb_from_u32(it[i].bus);
      out[n + 1] = it[i].direction == STARK_SEND ? 1u : 0u;
    }
    n += 2;
    n += lc_words(&it[i].multiplicity, out ? out + n : NULL);
    if (out) out[n] = it[i].num_fields;
    n++;
    for (unsigned f = 0; f < it[i].num_fields; f++) n += lc_words(&it[i].fields[f], out ? out + n : NULL);
  }
  return n;
}

/* The lookup kernels' common arguments: 1 .. STARK_MAX_INTERACTIONS well
 * formed interactions on a table of width words, groups of g. */
static int lookup_args_ok(const stark_interaction *it, unsigned k, unsigned g, size_t width) {
  return it && k >= 1 && g >= 1 && g <= STARK_MAX_LOOKUP_GROUP && width >= 1 && width <= UINT32_MAX &&
         stark_interactions_ok(it, k, width);
}

/* gamma^1 .. gamma^STARK_MAX_LOOKUP_FIELDS into out (4 words each). */
static void gamma_words(ext_t gamma, uint32_t *out) {
  ext_t gp = gamma;
  for (unsigned j = 0; j < STARK_MAX_LOOKUP_FIELDS; j++, gp = ext_mul(gp, gamma))
    memcpy(out + EXT_DEGREE * j, gp.v, sizeof gp.v);
}

int cu_lookup_aux_dev(const bb_t *d_trace, size_t width, unsigned log_n, const stark_interaction *it, unsigned k,
                      unsigned g_size, const ext_t ch[2], bb_t *d_aux, ext_t *cumulative_sum, int *zero) {
  if (!d_trace || !d_aux || !ch || !cumulative_sum || !zero || log_n < 1 || log_n > NTT_MAX_LOG ||
      !lookup_args_ok(it, k, g_size, width))
    return CU_ERR_ARG;
  cu_k_aux a;
  memset(&a, 0, sizeof a);
  a.width = (uint32_t)width;
  a.aw = STARK_AUX_WIDTH(k, g_size);
  a.k = k;
  a.g = g_size;
  a.n = (uint64_t)1 << log_n;
  a.nchunks = a.n < 4096 ? a.n : 4096;
  a.rows_per = a.n / a.nchunks;
  a.trace = d_trace;
  a.aux = d_aux;
  for (int q = 0; q < EXT_DEGREE; q++) a.beta[q] = ch[0].v[q];
  /* device words: gamma powers, the zero flag, the chunk sums, the program */
  size_t n_g = (size_t)EXT_DEGREE * STARK_MAX_LOOKUP_FIELDS, n_part = (size_t)EXT_DEGREE * a.nchunks;
  size_t n_prog = lookup_program(it, k, NULL), words = n_g + 1 + n_part + n_prog;
  uint32_t *h = calloc(words, sizeof *h);
  if (!h) return CU_ERR_NOMEM;
  gamma_words(ch[1], h);
  lookup_program(it, k, h + n_g + 1 + n_part);
  pthread_mutex_lock(&g_lock);
  uint32_t *d_h = NULL;
  int rc = enter_locked();
  if (rc == CU_OK) d_h = x_alloc(words * sizeof *h, &rc);
  if (rc == CU_OK) rc = x_h2d(d_h, h, words * sizeof *h);
  if (rc == CU_OK) {
    a.gpow = d_h;
    a.zero = d_h + n_g;
    a.part = d_h + n_g + 1;
    a.prog = d_h + n_g + 1 + n_part;
    rc = x_aux(&a, 0);
    if (rc == CU_OK) rc = x_aux(&a, 1);
    if (rc == CU_OK) rc = x_sync();
    if (rc == CU_OK) rc = x_d2h(h + n_g, a.zero, (1 + n_part) * sizeof *h);
  }
  if (rc == CU_OK) { /* the chunks' sums into their exclusive prefix sums */
    ext_t run = ext_zero();
    for (uint64_t c = 0; c < a.nchunks; c++) {
      uint32_t *pc = h + n_g + 1 + EXT_DEGREE * c;
      ext_t v = {{pc[0], pc[1], pc[2], pc[3]}};
      memcpy(pc, run.v, sizeof run.v);
      run = ext_add(run, v);
    }
    *cumulative_sum = run;
    *zero = h[n_g] != 0;
    rc = x_h2d(a.part, h + n_g + 1, n_part * sizeof *h);
  }
  if (rc == CU_OK) rc = x_aux(&a, 2);
  if (rc == CU_OK) rc = x_sync();
  x_free(d_h);
  pthread_mutex_unlock(&g_lock);
  free(h);
  return rc;
}

int cu_quotient_lookup_dev(const bb_t *d_lde, size_t width, const bb_t *d_alde, size_t aw, unsigned log_n,
                           unsigned log_blowup, unsigned qc, bb_t shift, const stark_interaction *it, unsigned k,
                           unsigned g_size, const ext_t ch[2], ext_t cumulative_sum, const ext_t *apow,
                           bb_t *d_out) {
  if (!d_lde || !d_alde || !d_out || !ch || !apow || !lookup_args_ok(it, k, g_size, width) ||
      aw != STARK_AUX_WIDTH(k, g_size))
    return CU_ERR_ARG;
  unsigned c = (k + g_size - 1) / g_size;
  cu_k_lkq a;
  memset(&a, 0, sizeof a);
  if (qdom_init(&a.d, log_n, log_blowup, qc, shift) != CU_OK) return CU_ERR_ARG;
  a.width = (uint32_t)width;
  a.aw = (uint32_t)aw;
  a.k = k;
  a.g = g_size;
  a.lde = d_lde;
  a.alde = d_alde;
  a.out = d_out;
  for (int q = 0; q < EXT_DEGREE; q++) {
    a.beta[q] = ch[0].v[q];
    a.cumsum[q] = cumulative_sum.v[q];
  }
  /* consts: the c + 3 weights, then gamma^1 .. gamma^32; then the program */
  size_t n_consts = (size_t)EXT_DEGREE * (c + 3 + STARK_MAX_LOOKUP_FIELDS);
  size_t n_prog = lookup_program(it, k, NULL);
  uint32_t *h = malloc((n_consts + n_prog) * sizeof *h);
  if (!h) return CU_ERR_NOMEM;
  for (unsigned i = 0; i < c + 3; i++) memcpy(h + EXT_DEGREE * i, apow[i].v, sizeof apow[i].v);
  gamma_words(ch[1], h + EXT_DEGREE * (c + 3));
  lookup_program(it, k, h + n_consts);
  pthread_mutex_lock(&g_lock);
  uint32_t *d_h = NULL;
  int rc = enter_locked();
  if (rc == CU_OK) d_h = x_alloc((n_consts + n_prog) * sizeof *h, &rc);
  if (rc == CU_OK) rc = x_h2d(d_h, h, (n_consts + n_prog) * sizeof *h);
  if (rc == CU_OK) {
    a.consts = d_h;
    a.prog = d_h + n_consts;
    a.d.tw = g.tw_fwd;
    rc = x_lkq(&a);
  }
  if (rc == CU_OK) rc = x_sync();
  x_free(d_h);
  pthread_mutex_unlock(&g_lock);
  free(h);
  return rc;
}

/* ---- quotient matrix and DEEP quotient -------------------------------------------- */

int cu_quotient_lde_dev(const bb_t *d_q, unsigned log_n, unsigned qc, unsigned log_blowup, bb_t shift,
                        bb_t *d_out) {
  if (!d_q || !d_out || d_q == d_out || qc == 0 || qc > 64 || (qc & (qc - 1)) || log_n < 1 ||
      log_blowup > NTT_MAX_LOG || log_n > NTT_MAX_LOG - log_blowup || shift >= BB_P ||
      !ntt_size_ok(log_n + log_blowup, 4u * qc))
    return CU_ERR_ARG;
  size_t n = (size_t)1 << log_n, qw = 4u * qc, N = n << log_blowup;
  cu_k_chunks a;
  memset(&a, 0, sizeof a);
  a.in = d_q;
  a.out = d_out;
  a.qc = qc;
  a.n = n;
  a.count = (uint64_t)n * qw;
  pthread_mutex_lock(&g_lock);
  int rc = enter_locked();
  if (rc == CU_OK) rc = x_chunks(&a);
  if (rc == CU_OK) rc = x_zero(d_out + n * qw, (N - n) * qw * sizeof(bb_t));
  if (rc == CU_OK) rc = ntt_core(d_out, log_n + log_blowup, qw, OP_COSET_DFT, shift, NTT_ORDER_NATURAL);
  if (rc == CU_OK) rc = x_sync();
  pthread_mutex_unlock(&g_lock);
  return rc;
}

int cu_deep_dev(const bb_t *d_lde, size_t w, const bb_t *d_qlde, size_t qw, const bb_t *d_alde, size_t aw,
                unsigned log_N, bb_t shift, const ext_t *coef, ext_t A, ext_t Bv, ext_t zeta, ext_t zeta_next,
                bb_t *d_out) {
  if (!d_lde || !d_qlde || !d_out || !coef || w == 0 || qw == 0 || (aw && !d_alde) || w > UINT32_MAX / 8 ||
      qw > UINT32_MAX / 8 || aw > UINT32_MAX / 8 || log_N > NTT_MAX_LOG || shift == 0 || shift >= BB_P)
    return CU_ERR_ARG;
  size_t n_coef = 2 * (w + aw) + qw;
  cu_k_deep a;
  memset(&a, 0, sizeof a);
  a.lde = d_lde;
  a.qlde = d_qlde;
  a.alde = aw ? d_alde : NULL;
  a.out = d_out;
  a.w = (uint32_t)w;
  a.qw = (uint32_t)qw;
  a.aw = (uint32_t)aw;
  a.log_N = log_N;
  a.s = shift;
  a.N = (uint64_t)1 << log_N;
  ext_t zsum = ext_add(zeta, zeta_next), zprod = ext_mul(zeta, zeta_next);
  for (int q = 0; q < EXT_DEGREE; q++) {
    a.A[q] = A.v[q];
    a.Bv[q] = Bv.v[q];
    a.zeta[q] = zeta.v[q];
    a.zeta_next[q] = zeta_next.v[q];
    a.zsum[q] = zsum.v[q];
    a.zprod[q] = zprod.v[q];
  }
  pthread_mutex_lock(&g_lock);
  uint32_t *d_coef = NULL;
  int rc = enter_locked();
  if (rc == CU_OK) d_coef = x_alloc(n_coef * sizeof(ext_t), &rc);
  if (rc == CU_OK) rc = x_h2d(d_coef, coef, n_coef * sizeof(ext_t));
  if (rc == CU_OK) {
    a.coef = d_coef;
    a.tw = g.tw_fwd;
    rc = x_deep(&a, w + qw + aw > CU_DEEP_WIDE);
  }
  if (rc == CU_OK) rc = x_sync();
  x_free(d_coef);
  pthread_mutex_unlock(&g_lock);
  return rc;
}

/* Chunks of rows for the opening sums: enough (chunk, column) items to fill
 * a GPU (about 2^16), chunks of at least 64 rows. */
#define OPEN_ITEMS (1u << 16)
#define OPEN_MIN_ROWS 64u

int cu_open_dev(const bb_t *d_trace, unsigned log_n, size_t w, ext_t zeta, ext_t zeta_next, ext_t *sums) {
  if (!d_trace || !sums || w == 0 || w > UINT32_MAX || log_n > NTT_MAX_LOG ||
      w > (SIZE_MAX / sizeof(bb_t) / 8) >> log_n)
    return CU_ERR_ARG;
  uint64_t n = (uint64_t)1 << log_n, nchunks = 1;
  while (nchunks * w < OPEN_ITEMS && (n / (2 * nchunks)) >= OPEN_MIN_ROWS) nchunks *= 2;
  cu_k_open a;
  memset(&a, 0, sizeof a);
  a.trace = d_trace;
  a.w = (uint32_t)w;
  a.log_n = log_n;
  a.n = n;
  a.nchunks = nchunks;
  a.rows_per = n / nchunks;
  for (int q = 0; q < EXT_DEGREE; q++) {
    a.zeta[q] = zeta.v[q];
    a.zeta_next[q] = zeta_next.v[q];
  }
  size_t pwords = (size_t)nchunks * w * 8;
  uint32_t *h = malloc(pwords * sizeof *h);
  if (!h) return CU_ERR_NOMEM;
  pthread_mutex_lock(&g_lock);
  int rc = enter_locked();
  if (rc == CU_OK) a.wts = x_alloc((size_t)n * 8 * sizeof(uint32_t), &rc);
  if (rc == CU_OK) a.part = x_alloc(pwords * sizeof(uint32_t), &rc);
  if (rc == CU_OK) {
    a.tw = g.tw_fwd;
    rc = x_open(&a);
  }
  if (rc == CU_OK) rc = x_sync();
  if (rc == CU_OK) rc = x_d2h(h, a.part, pwords * sizeof *h);
  x_free(a.wts);
  x_free(a.part);
  pthread_mutex_unlock(&g_lock);
  if (rc == CU_OK) {
    for (size_t j = 0; j < 2 * w; j++) sums[j] = ext_zero();
    for (uint64_t c = 0; c < nchunks; c++)
      for (size_t j = 0; j < w; j++) {
        const uint32_t *p = h + 8 * (c * w + j);
        ext_t s1, s2;
        memcpy(s1.v, p, sizeof s1.v);
        memcpy(s2.v, p + 4, sizeof s2.v);
        sums[j] = ext_add(sums[j], s1);
        sums[w + j] = ext_add(sums[w + j], s2);
      }
  }
  free(h);
  return rc;
}
