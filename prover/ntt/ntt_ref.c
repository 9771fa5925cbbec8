/* ntt_ref: the textbook reference the fast NTT paths are tested against.
 *
 * One column at a time: copy it out, apply the explicit bit-reversal
 * permutation, run iterative radix-2 Cooley-Tukey with twiddles derived by
 * repeated multiplication, copy it back. Deliberately shares no code with
 * ntt.c (other than bb.h) so that a bug in the fast path cannot hide here.
 */
#include <stdlib.h>
#include <string.h>

#include "ntt/ntt.h"

static size_t rev_bits(size_t i, unsigned bits) {
  size_t r = 0;
  for (unsigned b = 0; b < bits; b++) r |= ((i >> b) & 1u) << (bits - 1 - b);
  return r;
}

static void permute_rows(bb_t *data, unsigned log_n, size_t width) {
  size_t n = (size_t)1 << log_n;
  for (size_t i = 0; i < n; i++) {
    size_t j = rev_bits(i, log_n);
    if (i < j)
      for (size_t c = 0; c < width; c++) {
        bb_t t = data[i * width + c];
        data[i * width + c] = data[j * width + c];
        data[j * width + c] = t;
      }
  }
}

/* x[i] <- sum_j x[j] root^(i j), root of order n = 2^log_n. */
static void dft_vec(bb_t *x, unsigned log_n, bb_t root) {
  size_t n = (size_t)1 << log_n;
  for (size_t i = 0; i < n; i++) {
    size_t j = rev_bits(i, log_n);
    if (i < j) {
      bb_t t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }
  for (unsigned s = 1; s <= log_n; s++) {
    size_t len = (size_t)1 << s, half = len >> 1;
    bb_t wl = bb_pow(root, (uint64_t)(n >> s)); /* order len */
    for (size_t k = 0; k < n; k += len) {
      bb_t w = BB_ONE;
      for (size_t j = 0; j < half; j++) {
        bb_t u = x[k + j], v = bb_mul(x[k + j + half], w);
        x[k + j] = bb_add(u, v);
        x[k + j + half] = bb_sub(u, v);
        w = bb_mul(w, wl);
      }
    }
  }
}

static int args_ok(const bb_t *data, unsigned log_n, size_t width) {
  return data && width > 0 && log_n <= NTT_MAX_LOG && width <= SIZE_MAX / ((size_t)1 << log_n);
}

/* Transform every column with root, then multiply everything by scale. */
static int transform(bb_t *data, unsigned log_n, size_t width, bb_t root, bb_t scale) {
  size_t n = (size_t)1 << log_n;
  bb_t *col = malloc(n * sizeof *col);
  if (!col) return NTT_ERR_NOMEM;
  for (size_t c = 0; c < width; c++) {
    for (size_t i = 0; i < n; i++) col[i] = data[i * width + c];
    dft_vec(col, log_n, root);
    for (size_t i = 0; i < n; i++) data[i * width + c] = bb_mul(col[i], scale);
  }
  free(col);
  return NTT_OK;
}

int ntt_dft_ref(bb_t *data, unsigned log_n, size_t width, ntt_order out_order) {
  if (!args_ok(data, log_n, width)) return NTT_ERR_ARG;
  int rc = transform(data, log_n, width, bb_two_adic_generator(log_n), BB_ONE);
  if (rc == NTT_OK && out_order == NTT_ORDER_BITREV) permute_rows(data, log_n, width);
  return rc;
}

int ntt_idft_ref(bb_t *data, unsigned log_n, size_t width, ntt_order out_order) {
  if (!args_ok(data, log_n, width)) return NTT_ERR_ARG;
  bb_t ninv = bb_inv(bb_from_u64((uint64_t)1 << log_n));
  int rc = transform(data, log_n, width, bb_inv(bb_two_adic_generator(log_n)), ninv);
  if (rc == NTT_OK && out_order == NTT_ORDER_BITREV) permute_rows(data, log_n, width);
  return rc;
}

int ntt_coset_lde_ref(const bb_t *in, unsigned log_n, size_t width, unsigned log_blowup, bb_t shift,
                      bb_t *out, ntt_order out_order) {
  if (!in || !out || log_blowup > NTT_MAX_LOG || log_n + log_blowup > NTT_MAX_LOG ||
      !args_ok(out, log_n + log_blowup, width))
    return NTT_ERR_ARG;
  size_t n = (size_t)1 << log_n, big = n << log_blowup;
  if (out != in) memmove(out, in, n * width * sizeof *out);
  int rc = ntt_idft_ref(out, log_n, width, NTT_ORDER_NATURAL);
  if (rc != NTT_OK) return rc;
  bb_t s = BB_ONE;
  for (size_t i = 0; i < n; i++) {
    for (size_t c = 0; c < width; c++) out[i * width + c] = bb_mul(out[i * width + c], s);
    s = bb_mul(s, shift);
  }
  memset(out + n * width, 0, (big - n) * width * sizeof *out);
  return ntt_dft_ref(out, log_n + log_blowup, width, out_order);
}
