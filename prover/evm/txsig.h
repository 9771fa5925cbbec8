/* txsig: transaction signatures, senders and the deterministic test keys.
 *
 * A block names each transaction's sender either by index into a fixed set of
 * test keys or by address with a signature (blk.h). This module owns both: the
 * keys themselves, the signing hash and hash of every transaction type, signing
 * (so an exported block carries real signatures that real clients accept) and
 * sender recovery with the validity rules of the protocol.
 *
 * Test keys (fixed forever: found blocks and exported fixtures depend on them):
 *   key 0      = 0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8,
 *                the ethereum/tests key of address a94f5374fce5edbc8e2a8697c15331677e6ebf0b;
 *   key i >= 1 = keccak256("pkbench test key" || i as 4 bytes big-endian), where the
 *                string is its 16 ASCII bytes with no terminator.
 * A derived value that is not a valid secp256k1 secret (zero or >= the group
 * order, probability ~2^-128) is refused with EVM_SIG_E_KEY, never replaced.
 *
 * Signing hashes (all keccak256):
 *   type 0, pre-EIP-155 (v = 27/28):  rlp([nonce, gas_price, gas, to, value, data])
 *   type 0, EIP-155 (v = 35 + 2*chain_id + y): rlp([nonce, gas_price, gas, to,
 *           value, data, chain_id, 0, 0])
 *   type 1 (EIP-2930): 0x01 || rlp([chain_id, nonce, gas_price, gas, to, value, data,
 *           access_list])
 *   type 2 (EIP-1559): 0x02 || rlp([chain_id, nonce, max_priority_fee, max_fee, gas,
 *           to, value, data, access_list])
 *   type 3 (EIP-4844): 0x03 || rlp([... type 2 fields ..., max_fee_per_blob_gas,
 *           blob_versioned_hashes])
 *   type 4 (EIP-7702): 0x04 || rlp([... type 2 fields ..., authorization_list]) with
 *           each authorization [chain_id, address, nonce, y_parity, r, s]
 * The transaction hash is keccak256 of the signed encoding: rlp of the legacy
 * fields followed by v, r, s for type 0; type || rlp(fields ++ [y_parity, r, s])
 * for types 1 to 4. An EIP-7702 authorization is signed over
 * keccak256(0x05 || rlp([chain_id, address, nonce])).
 *
 * Validity (EIP-2 and the typed-transaction EIPs): 0 < r < n and 0 < s <= n/2
 * where n is the secp256k1 group order; v is 27/28 or 35 + 2*chain_id + {0,1}
 * for type 0 and y_parity 0/1 for types 1 to 4 and for authorizations.
 *
 * chain_id arguments are the block's chain id (blk_env.chain_id): typed
 * transactions carry it in their payload; blk_tx does not store it.
 *
 * Threading: every function is safe to call concurrently. The secp256k1
 * context and the address cache are created on first use.
 */
#ifndef PKB_EVM_TXSIG_H
#define PKB_EVM_TXSIG_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"

enum {
  EVM_SIG_OK = 0,
  EVM_SIG_E_ARG = -1,      /* NULL pointer or type not in 0..4 */
  EVM_SIG_E_KEY = -2,      /* test key index >= BLK_MAX_TEST_KEYS, or invalid private key */
  EVM_SIG_E_INVALID = -3,  /* signature out of range (r, s, high s, v) or unrecoverable */
  EVM_SIG_E_CHAIN = -4,    /* EIP-155 v names another chain than chain_id */
  EVM_SIG_E_SENDER = -5,   /* recovered address differs from the stated sender */
  EVM_SIG_E_UNSIGNED = -6, /* a signature is needed and the tx has none (and no test key) */
  EVM_SIG_E_NOMEM = -7
};

/* The private key of test key i (i < BLK_MAX_TEST_KEYS). */
int evm_test_key(uint32_t i, uint8_t priv[32]);

/* The address of test key i, from a cache filled on first use of each index
 * (a few hundred nanoseconds once cached). */
int evm_test_address(uint32_t i, uint8_t addr[20]);

/* Address of a private key: the last 20 bytes of keccak256 of the 64-byte
 * uncompressed public key. EVM_SIG_E_KEY for an invalid key. */
int evm_priv_to_address(const uint8_t priv[32], uint8_t addr[20]);

/* Recover the signer address of a 32-byte message hash from (recid, r, s) with
 * recid 0 or 1. Only 0 < r, s < n is required here (the ECRECOVER precompile's
 * rule); callers that need EIP-2's low s check it themselves. */
int evm_ecrecover(const uint8_t hash[32], int recid, const uint8_t r[32], const uint8_t s[32],
                  uint8_t addr[20]);

/* The hash the sender signs (see above). For type 0 the form follows the
 * signature when there is one (v 27/28: pre-EIP-155; otherwise EIP-155, and
 * v must match chain_id); an unsigned type 0 uses EIP-155 when chain_id != 0. */
int evm_tx_signing_hash(const blk_tx *tx, uint64_t chain_id, uint8_t out[32]);

/* Sign tx with priv (RFC 6979 deterministic nonces, so the result is
 * reproducible; libsecp256k1 always yields low s): sets has_signature, v, r, s.
 * Type 0 with chain_id == 0 is signed pre-EIP-155 (v = 27/28). The sender
 * fields of tx are left as they are. */
int evm_tx_sign(blk_tx *tx, uint64_t chain_id, const uint8_t priv[32]);

/* The sender of tx. A test-key sender is looked up (no signature work, even
 * when the tx is signed). A sender given by address is recovered from the
 * signature and must equal tx->sender (EVM_SIG_E_SENDER otherwise); with no
 * signature the stated address is returned as it is. */
int evm_tx_sender(const blk_tx *tx, uint64_t chain_id, uint8_t addr[20]);

/* The recovery id (0 or 1) of a signed tx from its v, checking v's range
 * (27/28 or >= 35 for type 0, 0/1 otherwise; the chain id is not checked).
 * EVM_SIG_OK or EVM_SIG_E_INVALID. */
int evm_tx_recid(const blk_tx *tx, int *recid);

/* The signed network encoding of tx (EIP-2718 envelope for types 1 to 4):
 * *out is malloc'd, owned by the caller. An unsigned test-key tx is signed on
 * a copy first, exactly as an export would sign it; an unsigned tx with an
 * address sender is EVM_SIG_E_UNSIGNED. */
int evm_tx_encode(const blk_tx *tx, uint64_t chain_id, uint8_t **out, size_t *out_len);

/* keccak256 of evm_tx_encode's output: the transaction hash. */
int evm_tx_hash(const blk_tx *tx, uint64_t chain_id, uint8_t out[32]);

/* EIP-7702: keccak256(0x05 || rlp([chain_id, address, nonce])). */
int evm_auth_signing_hash(const blk_auth *a, uint8_t out[32]);
/* Sign an authorization (sets y_parity, r, s). */
int evm_auth_sign(blk_auth *a, const uint8_t priv[32]);
/* The authority of an authorization: EVM_SIG_E_INVALID when y_parity > 1,
 * r or s out of range, s > n/2, or recovery fails (the authorization is then
 * skipped by the executor, per EIP-7702). */
int evm_auth_signer(const blk_auth *a, uint8_t addr[20]);

#endif
