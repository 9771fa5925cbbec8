/* pc_modexp: the MODEXP precompile (0x05), EIP-198 semantics with EIP-2565
 * pricing (Cancun, Prague) and EIP-7883 pricing plus EIP-7823 bounds (Osaka).
 *
 * Input: three 32-byte big-endian lengths (base, exponent, modulus), then the
 * three operands back to back; everything past the end of the input reads as
 * zero. Output: base^exp mod m as exactly mod_len big-endian bytes (all zero
 * when m is 0). The lengths are 256-bit numbers, so the price is computed with
 * GMP integers exactly as the EIPs write it and saturates at UINT64_MAX, which
 * no call can pay.
 *
 * Modexp is a classic prover killer (a small modulus with a long exponent is
 * cheap in gas before EIP-7883 and long to prove), so the work reported is the
 * size of a square-and-multiply over 64-bit limbs: bitlen(e) squarings plus
 * popcount(e) multiplications, each costed 2*k^2 limb products for a k-limb
 * modulus (schoolbook product plus Montgomery reduction). It is an estimate of
 * a zkVM's arithmetic, not a count of what GMP does.
 */
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "evm/precompiles/pc_impl.h"

/* Osaka's per-operand bound (EIP-7823). */
#define MODEXP_OSAKA_MAX_LEN 1024u

/* Bytes [off, off+n) of the input, zero past its end, into dst. */
static void read_padded(const uint8_t *in, size_t len, size_t off, size_t n, uint8_t *dst) {
  memset(dst, 0, n);
  if (off >= len) return;
  size_t avail = len - off < n ? len - off : n;
  memcpy(dst, in + off, avail);
}

/* The 32-byte word at offset off as an integer. */
static void word_at(mpz_t z, const uint8_t *in, size_t len, size_t off) {
  uint8_t w[32];
  read_padded(in, len, off, 32, w);
  mpz_import(z, 32, 1, 1, 1, 0, w);
}

/* The three lengths, each as a size_t when it fits below PC_MODEXP_MAX_LEN. */
typedef struct {
  mpz_t base, exp, mod;
} modexp_lens;

static void lens_init(modexp_lens *l, const uint8_t *in, size_t len) {
  mpz_inits(l->base, l->exp, l->mod, NULL);
  word_at(l->base, in, len, 0);
  word_at(l->exp, in, len, 32);
  word_at(l->mod, in, len, 64);
}
static void lens_clear(modexp_lens *l) { mpz_clears(l->base, l->exp, l->mod, NULL); }

static int over(const mpz_t z, unsigned long lim) { return mpz_cmp_ui(z, lim) > 0; }

uint64_t pc_modexp_gas(blk_fork fork, const uint8_t *in, size_t len) {
  int osaka = fork >= BLK_FORK_OSAKA;
  if (!in) len = 0;
  modexp_lens l;
  lens_init(&l, in, len);
  mpz_t head, adj, gas;
  mpz_inits(head, adj, gas, NULL);

  /* Exponent head: its first min(exp_len, 32) bytes, read at 96 + base_len. */
  if (mpz_cmp_ui(l.base, (unsigned long)len) < 0) {
    size_t boff = 96 + (size_t)mpz_get_ui(l.base);
    size_t hl = over(l.exp, 32) ? 32 : (size_t)mpz_get_ui(l.exp);
    uint8_t h[32];
    read_padded(in, len, boff, hl, h);
    mpz_import(head, hl, 1, 1, 1, 0, h);
  }
  /* Iteration count: (8 or 16) * (exp_len - 32) + msb(head), at least 1. */
  if (over(l.exp, 32)) {
    mpz_sub_ui(adj, l.exp, 32);
    mpz_mul_2exp(adj, adj, osaka ? 4 : 3);
  }
  size_t bits = mpz_sgn(head) ? mpz_sizeinbase(head, 2) : 0;
  if (bits > 1) mpz_add_ui(adj, adj, (unsigned long)(bits - 1));

  /* Multiplication complexity from max(base_len, mod_len). */
  const mpz_srcptr mx = mpz_cmp(l.base, l.mod) >= 0 ? l.base : l.mod;
  int over32 = over(mx, 32);
  mpz_add_ui(gas, mx, 7);
  mpz_fdiv_q_2exp(gas, gas, 3);
  mpz_mul(gas, gas, gas);
  if (osaka) {
    if (over32)
      mpz_mul_2exp(gas, gas, 1);
    else
      mpz_set_ui(gas, 16);
  }
  if (mpz_cmp_ui(adj, 1) > 0) mpz_mul(gas, gas, adj);
  if (!osaka) mpz_fdiv_q_ui(gas, gas, 3);
  uint64_t g;
  if (mpz_sizeinbase(gas, 2) > 64) {
    g = UINT64_MAX;
  } else {
    uint8_t b[8] = {0};
    size_t cnt = 0;
    mpz_export(b, &cnt, 1, 1, 1, 0, gas);
    g = 0;
    for (size_t i = 0; i < cnt; i++) g = g << 8 | b[i];
    uint64_t floor = osaka ? 500 : 200;
    if (g < floor) g = floor;
  }
  mpz_clears(head, adj, gas, NULL);
  lens_clear(&l);
  return g;
}

/* Operand of n bytes at off, zero-padded, as an integer. */
static int operand(mpz_t z, const uint8_t *in, size_t len, size_t off, size_t n) {
  if (n == 0) {
    mpz_set_ui(z, 0);
    return EVM_PC_OK;
  }
  uint8_t *b = malloc(n);
  if (!b) return EVM_PC_NOMEM;
  read_padded(in, len, off, n, b);
  mpz_import(z, n, 1, 1, 1, 0, b);
  free(b);
  return EVM_PC_OK;
}

int pc_modexp_run(blk_fork fork, const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
                  evm_pc_work *w) {
  modexp_lens l;
  lens_init(&l, in, len);
  int rc;
  if (fork >= BLK_FORK_OSAKA &&
      (over(l.base, MODEXP_OSAKA_MAX_LEN) || over(l.exp, MODEXP_OSAKA_MAX_LEN) ||
       over(l.mod, MODEXP_OSAKA_MAX_LEN))) {
    lens_clear(&l);
    return EVM_PC_FAIL;
  }
  /* The output has mod_len bytes; with none there is nothing to compute
   * (this is also EIP-198's base_len == mod_len == 0 case). */
  if (mpz_sgn(l.mod) == 0) {
    lens_clear(&l);
    return pc_set_output(NULL, 0, out, out_len);
  }
  if (over(l.base, PC_MODEXP_MAX_LEN) || over(l.exp, PC_MODEXP_MAX_LEN) ||
      over(l.mod, PC_MODEXP_MAX_LEN)) {
    lens_clear(&l);
    return EVM_PC_UNSUPPORTED;
  }
  size_t bl = mpz_get_ui(l.base), el = mpz_get_ui(l.exp), ml = mpz_get_ui(l.mod);
  lens_clear(&l);

  mpz_t b, e, m, r;
  mpz_inits(b, e, m, r, NULL);
  uint8_t *res = NULL;
  rc = operand(b, in, len, 96, bl);
  if (rc == EVM_PC_OK) rc = operand(e, in, len, 96 + bl, el);
  if (rc == EVM_PC_OK) rc = operand(m, in, len, 96 + bl + el, ml);
  if (rc != EVM_PC_OK) goto done;
  res = calloc(1, ml);
  if (!res) {
    rc = EVM_PC_NOMEM;
    goto done;
  }
  if (mpz_sgn(m) != 0) {
    mpz_powm(r, b, e, m);
    size_t cnt = 0, rb = (mpz_sizeinbase(r, 2) + 7) / 8;
    if (mpz_sgn(r)) mpz_export(res + (ml - rb), &cnt, 1, 1, 1, 0, r);
    uint64_t k = (mpz_sizeinbase(m, 2) + 63) / 64;
    uint64_t ebits = mpz_sgn(e) ? mpz_sizeinbase(e, 2) : 0;
    uint64_t emuls = ebits + (ebits ? mpz_popcount(e) : 0);
    w->limb_muls += emuls * 2 * k * k;
  }
  *out = res;
  *out_len = ml;
  res = NULL;
done:
  free(res);
  mpz_clears(b, e, m, r, NULL);
  return rc;
}
