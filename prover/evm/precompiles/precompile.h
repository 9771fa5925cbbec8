/* precompile: the interface between the interpreter and the precompiled contracts.
 *
 * The interpreter asks whether an address is a precompile in a fork, charges
 * the gas evm_pc_gas states, and runs it. Each precompile reports the work it
 * did (evm_pc_work) so the prover's tables are sized by real work, not by gas.
 * A precompile that is specified but not built into this binary answers
 * EVM_PC_UNSUPPORTED, never a wrong result, so a caller can skip honestly.
 */
#ifndef PKB_PRECOMPILE_H
#define PKB_PRECOMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"

/* Identifiers; the value is not the address (P256VERIFY lives at 0x100). */
#define EVM_PC_LIST(X)                                  \
  X(ECRECOVER, 0x01, "ecrecover", BLK_FORK_CANCUN)      \
  X(SHA256, 0x02, "sha256", BLK_FORK_CANCUN)            \
  X(RIPEMD160, 0x03, "ripemd160", BLK_FORK_CANCUN)      \
  X(IDENTITY, 0x04, "identity", BLK_FORK_CANCUN)        \
  X(MODEXP, 0x05, "modexp", BLK_FORK_CANCUN)            \
  X(BN_ADD, 0x06, "bn254_add", BLK_FORK_CANCUN)         \
  X(BN_MUL, 0x07, "bn254_mul", BLK_FORK_CANCUN)         \
  X(BN_PAIRING, 0x08, "bn254_pairing", BLK_FORK_CANCUN) \
  X(BLAKE2F, 0x09, "blake2f", BLK_FORK_CANCUN)          \
  X(POINT_EVAL, 0x0a, "point_evaluation", BLK_FORK_CANCUN) \
  X(BLS_G1ADD, 0x0b, "bls12_g1add", BLK_FORK_PRAGUE)    \
  X(BLS_G1MSM, 0x0c, "bls12_g1msm", BLK_FORK_PRAGUE)    \
  X(BLS_G2ADD, 0x0d, "bls12_g2add", BLK_FORK_PRAGUE)    \
  X(BLS_G2MSM, 0x0e, "bls12_g2msm", BLK_FORK_PRAGUE)    \
  X(BLS_PAIRING, 0x0f, "bls12_pairing_check", BLK_FORK_PRAGUE) \
  X(BLS_MAP_G1, 0x10, "bls12_map_fp_to_g1", BLK_FORK_PRAGUE) \
  X(BLS_MAP_G2, 0x11, "bls12_map_fp2_to_g2", BLK_FORK_PRAGUE) \
  X(P256VERIFY, 0x100, "p256verify", BLK_FORK_OSAKA)

typedef enum {
  EVM_PC_NONE = 0,
#define X(id, addr, name, fork) EVM_PC_##id,
  EVM_PC_LIST(X)
#undef X
  EVM_PC_COUNT
} evm_pc_id;

/* Work done by one call, added to by evm_pc_run (the caller zeroes it). */
typedef struct {
  uint64_t input_bytes;
  uint64_t compressions; /* sha256 / ripemd160 compression blocks */
  uint64_t rounds;       /* blake2f rounds */
  uint64_t limb_muls;    /* modexp: 64x64-bit limb multiplications */
  uint64_t scalar_muls;  /* elliptic-curve scalar multiplications */
  uint64_t field_muls;   /* base-field multiplications of curve work (bn254, bls12-381) */
  uint64_t pairings;     /* Miller loops */
} evm_pc_work;

enum {
  EVM_PC_OK = 0,           /* success; output set */
  EVM_PC_FAIL = 1,         /* the call fails and consumes all gas given to it */
  EVM_PC_UNSUPPORTED = -1, /* not built in: the caller must not treat the result as executed */
  EVM_PC_NOMEM = -2
};

/* The precompile at addr in fork, or EVM_PC_NONE. */
evm_pc_id evm_pc_lookup(blk_fork fork, const uint8_t addr[20]);
/* The 20-byte address of id. */
void evm_pc_address(evm_pc_id id, uint8_t addr[20]);
const char *evm_pc_name(evm_pc_id id);
/* Gas for one call with this input; UINT64_MAX when it overflows. */
uint64_t evm_pc_gas(evm_pc_id id, blk_fork fork, const uint8_t *in, size_t len);
/* Run id on in[0..len). On EVM_PC_OK *out is malloc'd (may be NULL when
 * *out_len is 0) and owned by the caller. in may be NULL when len is 0. */
int evm_pc_run(evm_pc_id id, blk_fork fork, const uint8_t *in, size_t len,
               uint8_t **out, size_t *out_len, evm_pc_work *work);

/* ECRECOVER's reading of its input: in[0..len) zero-padded to 128 bytes into
 * buf (hash, v, r, s words); the recovery id (0 or 1) when the v word is
 * exactly 27 or 28, else -1 (the call then returns nothing). */
int evm_pc_ecrecover_input(const uint8_t *in, size_t len, uint8_t buf[128]);

#endif
