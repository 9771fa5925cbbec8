/* pc_impl: what the precompile sources share among themselves (not a public
 * interface: callers use precompile.h).
 *
 * Every pc_*_run follows evm_pc_run's contract: on EVM_PC_OK *out is malloc'd
 * (NULL when *out_len is 0); on any other status *out is NULL and *out_len 0.
 * work is never NULL here (evm_pc_run substitutes a scratch record).
 */
#ifndef PKB_EVM_PC_IMPL_H
#define PKB_EVM_PC_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "evm/precompiles/precompile.h"

/* Copy n bytes (data may be NULL when n == 0) into a fresh *out. */
int pc_set_output(const void *data, size_t n, uint8_t **out, size_t *out_len);

/* Compression blocks of a 64-byte-block Merkle-Damgard hash (SHA-256,
 * RIPEMD-160) over len bytes: the padding adds 0x80 and an 8-byte length. */
uint64_t pc_md_blocks(size_t len);

int pc_ecrecover_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_sha256_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_ripemd160_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_identity_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);

uint64_t pc_modexp_gas(blk_fork fork, const uint8_t *in, size_t len);
int pc_modexp_run(blk_fork fork, const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
                  evm_pc_work *w);
/* Longest base, exponent or modulus evm_pc_run computes before Osaka's
 * 1024-byte bound (EIP-7823). Longer operands cost far more gas than any
 * block holds (an exponent of this length alone prices at ~180 million gas),
 * so a call with one is answered EVM_PC_UNSUPPORTED rather than computed. */
#define PC_MODEXP_MAX_LEN ((size_t)64 << 20)

uint64_t pc_blake2f_gas(const uint8_t *in, size_t len);
int pc_blake2f_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
/* BLAKE2b compression F (RFC 7693 section 3.2) with a caller-chosen round
 * count: h is updated in place; f is the final-block flag (0 or 1). */
void pc_blake2b_compress(uint64_t h[8], const uint64_t m[16], uint64_t t0, uint64_t t1, int f,
                         uint32_t rounds);

/* The precompiles of the costly-curve families, each in its own file
 * (pc_bn254.c, pc_bls12.c, pc_kzg.c, pc_p256.c). A file whose computation is
 * not built yet answers EVM_PC_UNSUPPORTED. */
int pc_bn254_add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bn254_mul_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bn254_pairing_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bls12_g1add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bls12_g1msm_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bls12_g2add_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bls12_g2msm_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bls12_pairing_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bls12_map_g1_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_bls12_map_g2_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_point_eval_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);
int pc_p256verify_run(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, evm_pc_work *w);

#endif
