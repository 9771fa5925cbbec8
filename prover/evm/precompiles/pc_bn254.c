/* pc_bn254.c: the alt_bn128 precompiles ECADD (0x06), ECMUL (0x07) and
 * ECPAIRING (0x08) of EIP-196 and EIP-197 (priced by EIP-1108 in pc_table.c).
 *
 * Input rules. ECADD reads 128 bytes and ECMUL 96, zero-padding a shorter
 * input and ignoring bytes past those. Each coordinate is a 32-byte
 * big-endian integer that must be < p; (0, 0) is the point at infinity and
 * any other point must be on y^2 = x^3 + 3. ECPAIRING takes k 192-byte
 * records (its length must be a multiple of 192; empty input is the empty
 * product, true): a G1 point, then a G2 point as x = (x_im, x_re),
 * y = (y_im, y_re), whose infinity is all zeros; a G2 point must be on the
 * twist and of order r. Any violation fails the call (EVM_PC_FAIL). Output:
 * ECADD/ECMUL the affine sum/product as 64 bytes ((0, 0) for infinity);
 * ECPAIRING 32 bytes, 1 when the product of the pairings is one, else 0.
 *
 * Work: field_muls counts the Fp multiplications done (an Fp2 product is
 * three, an Fp2 squaring two), validation included; scalar_muls counts ECMUL's
 * product and each G2 subgroup check (one 63-bit multiplication on the twist,
 * see bn254_g2_in_subgroup); pairings counts the Miller loops of pairs with
 * neither point at infinity.
 */
#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/bn254.h"
#include "evm/precompiles/pc_impl.h"

/* Bytes [0, n) of the input, zero past its end. */
static void read_padded(const uint8_t *in, size_t len, uint8_t *dst, size_t n) {
  memset(dst, 0, n);
  if (len > n) len = n;
  if (len) memcpy(dst, in, len);
}

/* A G1 point from 64 bytes; -1 when a coordinate is >= p or it is off the curve. */
static int g1_read(bn254_g1 *r, const uint8_t b[64]) {
  bn254_fp x, y;
  if (bn254_fp_from_bytes(&x, b) || bn254_fp_from_bytes(&y, b + 32)) return -1;
  return bn254_g1_set_affine(r, &x, &y);
}

static void g1_write(uint8_t out[64], const bn254_g1 *a) {
  bn254_fp x, y;
  bn254_g1_to_affine(&x, &y, a);
  bn254_fp_to_bytes(out, &x);
  bn254_fp_to_bytes(out + 32, &y);
}

/* A G2 point from 128 bytes (imaginary part first); -1 when a coordinate is
 * >= p or it is off the twist. The subgroup check is the caller's. */
static int g2_read(bn254_g2 *r, const uint8_t b[128]) {
  bn254_fp2 x, y;
  if (bn254_fp_from_bytes(&x.c1, b) || bn254_fp_from_bytes(&x.c0, b + 32) ||
      bn254_fp_from_bytes(&y.c1, b + 64) || bn254_fp_from_bytes(&y.c0, b + 96))
    return -1;
  return bn254_g2_set_affine(r, &x, &y);
}

static int finish(int rc, const uint8_t *data, size_t n, uint8_t **out, size_t *out_len,
                  evm_pc_work *w, uint64_t muls_before) {
  w->field_muls += bn254_fp_mul_count() - muls_before;
  if (rc != EVM_PC_OK) return rc;
  return pc_set_output(data, n, out, out_len);
}

int pc_bn254_add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
                     evm_pc_work *w) {
  uint64_t m0 = bn254_fp_mul_count();
  uint8_t buf[128], res[64];
  bn254_g1 a, b;
  read_padded(in, len, buf, sizeof buf);
  if (g1_read(&a, buf) || g1_read(&b, buf + 64))
    return finish(EVM_PC_FAIL, NULL, 0, out, out_len, w, m0);
  bn254_g1_add(&a, &a, &b);
  g1_write(res, &a);
  return finish(EVM_PC_OK, res, sizeof res, out, out_len, w, m0);
}

int pc_bn254_mul_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
                     evm_pc_work *w) {
  uint64_t m0 = bn254_fp_mul_count();
  uint8_t buf[96], res[64];
  bn254_g1 a;
  read_padded(in, len, buf, sizeof buf);
  if (g1_read(&a, buf)) return finish(EVM_PC_FAIL, NULL, 0, out, out_len, w, m0);
  bn254_g1_mul(&a, &a, buf + 64);
  w->scalar_muls++;
  g1_write(res, &a);
  return finish(EVM_PC_OK, res, sizeof res, out, out_len, w, m0);
}

int pc_bn254_pairing_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
                         evm_pc_work *w) {
  uint64_t m0 = bn254_fp_mul_count();
  uint8_t res[32] = {0};
  if (len % 192) return finish(EVM_PC_FAIL, NULL, 0, out, out_len, w, m0);
  size_t k = len / 192;
  if (k == 0) {
    res[31] = 1;
    return finish(EVM_PC_OK, res, sizeof res, out, out_len, w, m0);
  }
  bn254_g1 *p = malloc(k * sizeof *p);
  bn254_g2 *q = malloc(k * sizeof *q);
  if (!p || !q) {
    free(p);
    free(q);
    return EVM_PC_NOMEM;
  }
  int rc = EVM_PC_OK;
  uint64_t loops = 0;
  for (size_t i = 0; i < k && rc == EVM_PC_OK; i++) {
    const uint8_t *rec = in + 192 * i;
    if (g1_read(&p[i], rec) || g2_read(&q[i], rec + 64)) {
      rc = EVM_PC_FAIL;
      break;
    }
    if (!bn254_g2_is_inf(&q[i])) {
      w->scalar_muls++;
      if (!bn254_g2_in_subgroup(&q[i])) rc = EVM_PC_FAIL;
    }
    if (!bn254_g1_is_inf(&p[i]) && !bn254_g2_is_inf(&q[i])) loops++;
  }
  if (rc == EVM_PC_OK) {
    bn254_fp12 f = {0};
    if (loops) {
      bn254_miller_loop(&f, p, q, k);
      bn254_final_exp(&f, &f);
    } else {
      bn254_fp12_one(&f);
    }
    res[31] = (uint8_t)bn254_fp12_is_one(&f);
    w->pairings += loops;
  }
  free(p);
  free(q);
  return finish(rc, res, sizeof res, out, out_len, w, m0);
}
