/* pc_kzg.c: the KZG point evaluation precompile of EIP-4844.
 *
 * Input is exactly 192 bytes: versioned_hash(32) z(32) y(32) commitment(48)
 * proof(48). The call fails (all gas consumed) unless
 *   - versioned_hash == 0x01 || sha256(commitment)[1..32],
 *   - z and y are below the BLS12-381 group order r,
 *   - commitment and proof are compressed G1 points (or infinity) in the
 *     prime-order subgroup, and
 *   - e(C - [y]G1, -G2) * e(proof, [s]G2 - [z]G2) == 1 (verify_kzg_proof of
 *     the Deneb polynomial-commitments specification).
 * On success it answers FIELD_ELEMENTS_PER_BLOB (4096) and r, each as a
 * 32-byte big-endian word.
 *
 * [s]G2 is g2_monomial[1] of the Ethereum KZG ceremony's output,
 * consensus-specs presets/mainnet/trusted_setups/trusted_setup_4096.json
 * (also the second G2 point of c-kzg-4844's trusted_setup.txt).
 */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "evm/precompiles/bls12.h"
#include "evm/precompiles/pc_impl.h"

enum { KZG_IN_LEN = 192, FIELD_ELEMENTS_PER_BLOB = 4096 };

/* r, big endian (EIP-4844 BLS_MODULUS). */
static const uint8_t BLS_MODULUS[32] = {0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8,
                                        0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe,
                                        0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01};

/* Compressed generators (trusted_setup_4096.json g1_monomial[0], g2_monomial[0]) and [s]G2. */
static const char *const G1_GEN_HEX =
    "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
static const char *const G2_GEN_HEX =
    "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
    "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";
static const char *const S_G2_HEX =
    "aee6272b6c6a036d66d28c953f36ae82106b6e973abb0718ba57cfc740b3800c765631f528ee4da218fe16c89aa061e7"
    "16bae604888036ae6be49fd78f541b1af47ea4451644096a272f8ea205d15e8116e50b20a4f826aefe11b6a4d38f2ee3";

static bls12_g1 g1_gen;
static bls12_g2 g2_gen, g2_neg_gen, s_g2;
static int setup_ok;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void unhex(uint8_t *out, const char *hex, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[2 * i + (size_t)k];
      v = (v << 4) | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    out[i] = (uint8_t)v;
  }
}

static void setup_body(void *arg) {
  (void)arg;
  uint8_t g1[48], g2[96], s2[96];
  unhex(g1, G1_GEN_HEX, sizeof g1);
  unhex(g2, G2_GEN_HEX, sizeof g2);
  unhex(s2, S_G2_HEX, sizeof s2);
  setup_ok = !bls12_g1_from_compressed(&g1_gen, g1) && !bls12_g2_from_compressed(&g2_gen, g2) &&
             !bls12_g2_from_compressed(&s_g2, s2);
  if (setup_ok) bls12_g2_neg(&g2_neg_gen, &g2_gen);
}

/* Once per process, its products not counted: not the first call's work. */
static void setup(void) { bls12_uncounted(setup_body, NULL); }

static int below_r(const uint8_t v[32]) { return memcmp(v, BLS_MODULUS, 32) < 0; }

/* r - v for v < r (v = 0 gives r, which multiplies to the same infinity). */
static void neg_mod_r(uint8_t out[32], const uint8_t v[32]) {
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int d = (int)BLS_MODULUS[i] - (int)v[i] - borrow;
    borrow = d < 0;
    out[i] = (uint8_t)(d + (borrow ? 256 : 0));
  }
}

static int g1_valid(bls12_g1 *p, const uint8_t in[48]) {
  return !bls12_g1_from_compressed(p, in) && bls12_g1_on_curve(p) && bls12_g1_in_subgroup(p);
}

int pc_point_eval_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  if (len != KZG_IN_LEN) return EVM_PC_FAIL;
  pthread_once(&setup_once, setup);
  if (!setup_ok) return EVM_PC_UNSUPPORTED;
  const uint8_t *vh = in, *z = in + 32, *y = in + 64, *cm = in + 96, *pf = in + 144;
  uint8_t d[EVP_MAX_MD_SIZE];
  unsigned dl = 0;
  if (!EVP_Digest(cm, 48, d, &dl, EVP_sha256(), NULL) || dl != 32) return EVM_PC_NOMEM;
  if (vh[0] != 0x01 || memcmp(vh + 1, d + 1, 31) != 0) return EVM_PC_FAIL;
  if (!below_r(z) || !below_r(y)) return EVM_PC_FAIL;
  uint64_t m0 = bls12_fp_muls();
  int rc = EVM_PC_FAIL;
  bls12_g1 c, proof, t1;
  bls12_g2 t2;
  if (g1_valid(&c, cm) && g1_valid(&proof, pf)) {
    uint8_t k[32];
    neg_mod_r(k, y);
    bls12_g1_mul(&t1, &g1_gen, k, 32);
    bls12_g1_add(&t1, &c, &t1); /* C - [y]G1 */
    neg_mod_r(k, z);
    bls12_g2_mul(&t2, &g2_gen, k, 32);
    bls12_g2_add(&t2, &s_g2, &t2); /* [s - z]G2 */
    bls12_g1 ps[2] = {t1, proof};
    bls12_g2 qs[2] = {g2_neg_gen, t2};
    w->scalar_muls += 2;
    w->pairings += 2;
    int v = bls12_pairing_check(ps, qs, 2);
    if (v == -2) rc = EVM_PC_NOMEM;
    if (v == 1) {
      uint8_t res[64] = {0};
      res[30] = (uint8_t)(FIELD_ELEMENTS_PER_BLOB >> 8);
      res[31] = (uint8_t)FIELD_ELEMENTS_PER_BLOB;
      memcpy(res + 32, BLS_MODULUS, 32);
      rc = pc_set_output(res, sizeof res, out, out_len);
    }
  }
  w->field_muls += bls12_fp_muls() - m0;
  return rc;
}
