/* pc_p256.c: the P256VERIFY precompile of EIP-7951 (Osaka).
 *
 * Input is exactly 160 bytes: hash || r || s || qx || qy, each 32 bytes big
 * endian. The answer is 32 bytes ending in 1 for a valid ECDSA signature over
 * secp256r1 and an empty output for anything else: a wrong length, r or s
 * outside [1, n-1], a coordinate outside [0, p-1], a key off the curve (the
 * point at infinity has no affine encoding on this curve, so (0, 0) is simply
 * off it), R' = u1*G + u2*Q at infinity, or x(R') mod n != r. The call never
 * fails: an invalid input costs the fixed price and returns nothing.
 *
 * The curve arithmetic is OpenSSL's (EC_POINT_mul computes u1*G + u2*Q in one
 * double-scalar multiplication); the checks around it follow the EIP, not
 * OpenSSL's ECDSA wrapper, so every rule above is ours and explicit.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "evm/precompiles/pc_impl.h"

enum { P256_IN_LEN = 160 };

/* The curve, built once: building it takes longer than a verification.
 * OpenSSL only reads a group during EC_POINT operations, so threads share it. */
static EC_GROUP *p256_group;
static pthread_once_t p256_once = PTHREAD_ONCE_INIT;
static void p256_init(void) { p256_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1); }

/* 1 valid, 0 invalid, negative on an allocation failure. */
static int p256_verify(const uint8_t in[P256_IN_LEN], evm_pc_work *w) {
  int ok = -1;
  pthread_once(&p256_once, p256_init);
  const EC_GROUP *g = p256_group;
  BN_CTX *ctx = BN_CTX_new();
  EC_POINT *q = NULL, *rp = NULL;
  if (!ctx || !g) goto done;
  q = EC_POINT_new(g);
  rp = EC_POINT_new(g);
  if (!q || !rp) goto done;
  BN_CTX_start(ctx);
  BIGNUM *h = BN_CTX_get(ctx), *r = BN_CTX_get(ctx), *s = BN_CTX_get(ctx);
  BIGNUM *qx = BN_CTX_get(ctx), *qy = BN_CTX_get(ctx), *p = BN_CTX_get(ctx);
  BIGNUM *u1 = BN_CTX_get(ctx), *u2 = BN_CTX_get(ctx), *x = BN_CTX_get(ctx);
  BIGNUM *sinv = BN_CTX_get(ctx);
  if (!sinv) goto end;
  const BIGNUM *n = EC_GROUP_get0_order(g);
  if (!BN_bin2bn(in, 32, h) || !BN_bin2bn(in + 32, 32, r) || !BN_bin2bn(in + 64, 32, s) ||
      !BN_bin2bn(in + 96, 32, qx) || !BN_bin2bn(in + 128, 32, qy) ||
      !EC_GROUP_get_curve(g, p, NULL, NULL, ctx))
    goto end;
  ok = 0;
  if (BN_is_zero(r) || BN_cmp(r, n) >= 0 || BN_is_zero(s) || BN_cmp(s, n) >= 0) goto end;
  if (BN_cmp(qx, p) >= 0 || BN_cmp(qy, p) >= 0) goto end;
  /* set_affine_coordinates refuses a point off the curve; check again so the
   * rule does not rest on that library behaviour alone. */
  if (!EC_POINT_set_affine_coordinates(g, q, qx, qy, ctx)) goto end;
  if (EC_POINT_is_on_curve(g, q, ctx) != 1 || EC_POINT_is_at_infinity(g, q)) goto end;
  ok = -1;
  w->scalar_muls += 2; /* u1 G + u2 Q, one double-scalar multiplication */
  if (!BN_mod_inverse(sinv, s, n, ctx) || !BN_mod_mul(u1, h, sinv, n, ctx) ||
      !BN_mod_mul(u2, r, sinv, n, ctx) || !EC_POINT_mul(g, rp, u1, q, u2, ctx))
    goto end;
  ok = 0;
  if (EC_POINT_is_at_infinity(g, rp)) goto end;
  ok = -1;
  if (!EC_POINT_get_affine_coordinates(g, rp, x, NULL, ctx) || !BN_nnmod(x, x, n, ctx)) goto end;
  ok = BN_cmp(x, r) == 0;
end:
  BN_CTX_end(ctx);
done:
  EC_POINT_free(rp);
  EC_POINT_free(q);
  BN_CTX_free(ctx);
  /* A refused key leaves OpenSSL errors queued on this thread: drop them so
   * no later caller reads them as its own. */
  ERR_clear_error();
  return ok;
}

int pc_p256verify_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  if (len != P256_IN_LEN) return pc_set_output(NULL, 0, out, out_len);
  int v = p256_verify(in, w);
  if (v < 0) return EVM_PC_NOMEM;
  if (!v) return pc_set_output(NULL, 0, out, out_len);
  uint8_t one[32] = {0};
  one[31] = 1;
  return pc_set_output(one, 32, out, out_len);
}
