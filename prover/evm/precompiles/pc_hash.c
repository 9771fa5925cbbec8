/* pc_hash: the SHA-256 (0x02), RIPEMD-160 (0x03) and identity (0x04)
 * precompiles, and ecrecover (0x01).
 *
 * SHA-256 and RIPEMD-160 come from OpenSSL 3 (EVP). RIPEMD-160 may be absent
 * from OpenSSL 3's default provider, so it is looked up once and, if missing,
 * the plain implementation in hash/ripemd160.h (the one the prover's AIR is
 * built from) is used instead; the tests check the two agree whenever both
 * exist. Work is
 * counted in compression blocks, the unit a prover's hash table is sized by.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "evm/precompiles/pc_impl.h"
#include "hash/ripemd160.h"
#include "evm/txsig.h"

/* ---- ecrecover ---- */

int evm_pc_ecrecover_input(const uint8_t *in, size_t len, uint8_t buf[128]) {
  memset(buf, 0, 128);
  if (len) memcpy(buf, in, len < 128 ? len : 128);
  /* v is a full 32-byte word that must be exactly 27 or 28. */
  for (int i = 32; i < 63; i++)
    if (buf[i]) return -1;
  if (buf[63] != 27 && buf[63] != 28) return -1;
  return buf[63] - 27;
}

int pc_ecrecover_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint8_t buf[128];
  if (evm_pc_ecrecover_input(in, len, buf) < 0) return pc_set_output(NULL, 0, out, out_len);
  uint8_t res[32] = {0};
  int rc = evm_ecrecover(buf, buf[63] - 27, buf + 64, buf + 96, res + 12);
  if (rc == EVM_SIG_E_NOMEM) return EVM_PC_NOMEM;
  if (rc == EVM_SIG_E_INVALID) return pc_set_output(NULL, 0, out, out_len); /* r or s out of range */
  /* A recovery is the double multiplication u1*G + u2*R. */
  w->scalar_muls += 2;
  if (rc != EVM_SIG_OK) return pc_set_output(NULL, 0, out, out_len);
  return pc_set_output(res, 32, out, out_len);
}

/* ---- identity ---- */

int pc_identity_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)w;
  return pc_set_output(in, len, out, out_len);
}

/* ---- SHA-256 ---- */

int pc_sha256_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint8_t d[32];
  unsigned dl = 0;
  static const uint8_t empty = 0;
  if (!EVP_Digest(len ? in : &empty, len, d, &dl, EVP_sha256(), NULL) || dl != 32)
    return EVM_PC_NOMEM;
  w->compressions += pc_md_blocks(len);
  return pc_set_output(d, 32, out, out_len);
}

/* ---- RIPEMD-160 ---- */

static EVP_MD *g_ripemd;
static pthread_once_t g_ripemd_once = PTHREAD_ONCE_INIT;
static void ripemd_init(void) { g_ripemd = EVP_MD_fetch(NULL, "RIPEMD160", NULL); }

int pc_ripemd160_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  uint8_t d[32] = {0}; /* 12 zero bytes, then the 20-byte digest */
  pthread_once(&g_ripemd_once, ripemd_init);
  static const uint8_t empty = 0;
  if (g_ripemd) {
    unsigned dl = 0;
    if (!EVP_Digest(len ? in : &empty, len, d + 12, &dl, g_ripemd, NULL) || dl != 20)
      return EVM_PC_NOMEM;
  } else {
    ripemd160(in, len, d + 12);
  }
  w->compressions += pc_md_blocks(len);
  return pc_set_output(d, 32, out, out_len);
}
