/* bb: the out-of-line part of the BabyBear field, batch inversion.
 *
 * Montgomery's trick over blocks of BB_BATCH_BLOCK elements: prefix products
 * in a stack buffer, one inversion per block, a backward pass. The block keeps
 * the scratch off the heap (so the function cannot fail) and lets out alias in;
 * one inversion (about 45 multiplications) per 256 elements is noise. Zeros are
 * skipped in the products and written back as zero.
 */
#include "field/bb.h"

#define BB_BATCH_BLOCK 256

void bb_batch_inv(bb_t *out, const bb_t *in, size_t n) {
  bb_t prefix[BB_BATCH_BLOCK];
  for (size_t base = 0; base < n; base += BB_BATCH_BLOCK) {
    size_t m = n - base < BB_BATCH_BLOCK ? n - base : BB_BATCH_BLOCK;
    const bb_t *x = in + base;
    bb_t *y = out + base;
    bb_t acc = BB_ONE;
    for (size_t i = 0; i < m; i++) {
      prefix[i] = acc; /* product of the non-zero x[0..i) */
      if (x[i]) acc = bb_mul(acc, x[i]);
    }
    bb_t inv = bb_inv(acc); /* inverse of the product of all non-zero x in the block */
    for (size_t i = m; i-- > 0;) {
      bb_t xi = x[i]; /* read before y[i] is written: y may alias x */
      if (xi) {
        y[i] = bb_mul(inv, prefix[i]);
        inv = bb_mul(inv, xi);
      } else {
        y[i] = 0;
      }
    }
  }
}
