/* pc_bls12.c: the BLS12-381 precompiles of EIP-2537.
 *
 * Not built yet: every call answers EVM_PC_UNSUPPORTED, so a block that
 * uses these is reported as needing a precompile this build lacks. */
#include "evm/precompiles/pc_impl.h"

int pc_bls12_g1add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}

int pc_bls12_g1msm_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}

int pc_bls12_g2add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}

int pc_bls12_g2msm_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}

int pc_bls12_pairing_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}

int pc_bls12_map_g1_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}

int pc_bls12_map_g2_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}
