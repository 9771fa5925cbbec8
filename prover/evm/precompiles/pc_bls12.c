/* pc_bls12.c: the BLS12-381 precompiles of EIP-2537 (Prague), on bls12.h.
 *
 * Encoding (EIP-2537 "Fine points and encoding of base elements"): an Fp
 * element is 64 big-endian bytes whose top 16 must be zero and whose value
 * must be below p; Fp2 is c0 || c1; a point is x || y, and all-zero bytes
 * stand for the point at infinity. Scalars are 32 big-endian bytes, not
 * reduced. Every malformed input (length, encoding, a point off its curve,
 * and for MSM and pairing a point outside the prime-order subgroup) answers
 * EVM_PC_FAIL. ADD checks the curve but not the subgroup, as the EIP says.
 *
 * Work reported: field_muls counts every Fp multiplication of the call
 * (checks included), scalar_muls the MSM pairs, pairings the pairs given to
 * the pairing check.
 */
#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/bls12.h"
#include "evm/precompiles/pc_impl.h"

enum { FP_ENC = 64, G1_ENC = 128, G2_ENC = 256, SCALAR = 32 };

static int dec_fp(bls12_fp *r, const uint8_t in[FP_ENC]) {
  for (int i = 0; i < 16; i++) {
    if (in[i]) return -1;
  }
  return bls12_fp_from_bytes(r, in + 16);
}

static int dec_fp2(bls12_fp2 *r, const uint8_t in[2 * FP_ENC]) {
  return dec_fp(&r->c0, in) || dec_fp(&r->c1, in + FP_ENC) ? -1 : 0;
}

static void enc_fp(uint8_t out[FP_ENC], const bls12_fp *a) {
  memset(out, 0, 16);
  bls12_fp_to_bytes(out + 16, a);
}

/* A point on the curve, in the subgroup when sub is set; 0 or -1. */
static int dec_g1(bls12_g1 *r, const uint8_t in[G1_ENC], int sub) {
  bls12_fp x, y;
  if (dec_fp(&x, in) || dec_fp(&y, in + FP_ENC)) return -1;
  bls12_g1_from_affine(r, &x, &y);
  if (!bls12_g1_on_curve(r)) return -1;
  if (sub && !bls12_g1_in_subgroup(r)) return -1;
  return 0;
}

static int dec_g2(bls12_g2 *r, const uint8_t in[G2_ENC], int sub) {
  bls12_fp2 x, y;
  if (dec_fp2(&x, in) || dec_fp2(&y, in + 2 * FP_ENC)) return -1;
  bls12_g2_from_affine(r, &x, &y);
  if (!bls12_g2_on_curve(r)) return -1;
  if (sub && !bls12_g2_in_subgroup(r)) return -1;
  return 0;
}

static int out_g1(const bls12_g1 *p, uint8_t **out, size_t *out_len) {
  uint8_t buf[G1_ENC];
  bls12_fp x, y;
  bls12_g1_to_affine(&x, &y, p);
  enc_fp(buf, &x);
  enc_fp(buf + FP_ENC, &y);
  return pc_set_output(buf, sizeof buf, out, out_len);
}

static int out_g2(const bls12_g2 *p, uint8_t **out, size_t *out_len) {
  uint8_t buf[G2_ENC];
  bls12_fp2 x, y;
  bls12_g2_to_affine(&x, &y, p);
  enc_fp(buf, &x.c0);
  enc_fp(buf + FP_ENC, &x.c1);
  enc_fp(buf + 2 * FP_ENC, &y.c0);
  enc_fp(buf + 3 * FP_ENC, &y.c1);
  return pc_set_output(buf, sizeof buf, out, out_len);
}

int pc_bls12_g1add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint64_t m0 = bls12_fp_muls();
  bls12_g1 a, b;
  int rc = EVM_PC_FAIL;
  if (len == 2 * G1_ENC && !dec_g1(&a, in, 0) && !dec_g1(&b, in + G1_ENC, 0)) {
    bls12_g1_add(&a, &a, &b);
    rc = out_g1(&a, out, out_len);
  }
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}

int pc_bls12_g2add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint64_t m0 = bls12_fp_muls();
  bls12_g2 a, b;
  int rc = EVM_PC_FAIL;
  if (len == 2 * G2_ENC && !dec_g2(&a, in, 0) && !dec_g2(&b, in + G2_ENC, 0)) {
    bls12_g2_add(&a, &a, &b);
    rc = out_g2(&a, out, out_len);
  }
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}

/* Points and scalars of an MSM input of n pairs of stride bytes each. */
static uint8_t *msm_scalars(const uint8_t *in, size_t n, size_t stride, size_t pt) {
  uint8_t *k = malloc(n * SCALAR);
  if (!k) return NULL;
  for (size_t i = 0; i < n; i++) memcpy(k + SCALAR * i, in + stride * i + pt, SCALAR);
  return k;
}

int pc_bls12_g1msm_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  enum { STRIDE = G1_ENC + SCALAR };
  if (len == 0 || len % STRIDE) return EVM_PC_FAIL;
  uint64_t m0 = bls12_fp_muls();
  size_t n = len / STRIDE;
  bls12_g1 *p = malloc(n * sizeof *p);
  uint8_t *k = msm_scalars(in, n, STRIDE, G1_ENC);
  int rc = EVM_PC_NOMEM;
  if (p && k) {
    rc = EVM_PC_OK;
    for (size_t i = 0; i < n && rc == EVM_PC_OK; i++) {
      if (dec_g1(&p[i], in + STRIDE * i, 1)) rc = EVM_PC_FAIL;
    }
    if (rc == EVM_PC_OK) {
      bls12_g1 r;
      bls12_g1_msm(&r, p, k, n);
      w->scalar_muls += n;
      rc = out_g1(&r, out, out_len);
    }
  }
  free(k);
  free(p);
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}

int pc_bls12_g2msm_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  enum { STRIDE = G2_ENC + SCALAR };
  if (len == 0 || len % STRIDE) return EVM_PC_FAIL;
  uint64_t m0 = bls12_fp_muls();
  size_t n = len / STRIDE;
  bls12_g2 *p = malloc(n * sizeof *p);
  uint8_t *k = msm_scalars(in, n, STRIDE, G2_ENC);
  int rc = EVM_PC_NOMEM;
  if (p && k) {
    rc = EVM_PC_OK;
    for (size_t i = 0; i < n && rc == EVM_PC_OK; i++) {
      if (dec_g2(&p[i], in + STRIDE * i, 1)) rc = EVM_PC_FAIL;
    }
    if (rc == EVM_PC_OK) {
      bls12_g2 r;
      bls12_g2_msm(&r, p, k, n);
      w->scalar_muls += n;
      rc = out_g2(&r, out, out_len);
    }
  }
  free(k);
  free(p);
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}

int pc_bls12_pairing_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  enum { STRIDE = G1_ENC + G2_ENC };
  if (len == 0 || len % STRIDE) return EVM_PC_FAIL;
  uint64_t m0 = bls12_fp_muls();
  size_t n = len / STRIDE;
  bls12_g1 *p = malloc(n * sizeof *p);
  bls12_g2 *q = malloc(n * sizeof *q);
  int rc = EVM_PC_NOMEM;
  if (p && q) {
    rc = EVM_PC_OK;
    for (size_t i = 0; i < n && rc == EVM_PC_OK; i++) {
      if (dec_g1(&p[i], in + STRIDE * i, 1) || dec_g2(&q[i], in + STRIDE * i + G1_ENC, 1)) rc = EVM_PC_FAIL;
    }
    if (rc == EVM_PC_OK) {
      int v = bls12_pairing_check(p, q, n);
      w->pairings += n;
      if (v == -2) {
        rc = EVM_PC_NOMEM;
      } else if (v < 0) {
        rc = EVM_PC_FAIL; /* unreachable for subgroup points */
      } else {
        uint8_t res[32] = {0};
        res[31] = (uint8_t)v;
        rc = pc_set_output(res, sizeof res, out, out_len);
      }
    }
  }
  free(q);
  free(p);
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}

int pc_bls12_map_g1_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint64_t m0 = bls12_fp_muls();
  bls12_fp u;
  int rc = EVM_PC_FAIL;
  if (len == FP_ENC && !dec_fp(&u, in)) {
    bls12_g1 r;
    bls12_map_fp_to_g1(&r, &u);
    rc = out_g1(&r, out, out_len);
  }
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}

int pc_bls12_map_g2_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint64_t m0 = bls12_fp_muls();
  bls12_fp2 u;
  int rc = EVM_PC_FAIL;
  if (len == 2 * FP_ENC && !dec_fp2(&u, in)) {
    bls12_g2 r;
    bls12_map_fp2_to_g2(&r, &u);
    rc = out_g2(&r, out, out_len);
  }
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}
