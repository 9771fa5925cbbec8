/* pc_p256.c: the P256VERIFY precompile of EIP-7951 (Osaka).
 *
 * Not built yet: every call answers EVM_PC_UNSUPPORTED, so a block that
 * uses these is reported as needing a precompile this build lacks. */
#include "evm/precompiles/pc_impl.h"

int pc_p256verify_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w) {
  (void)in;
  (void)len;
  (void)out;
  (void)out_len;
  (void)w;
  return EVM_PC_UNSUPPORTED;
}
