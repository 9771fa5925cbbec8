/* fri/challenger: the Fiat-Shamir transcript shared by FRI and the STARK.
 *
 * A duplex sponge over the Poseidon2 permutation of width 16 (rate 8, capacity
 * 8), with the buffering rules of Plonky3's DuplexChallenger:
 *   - observe(x) drops any buffered output and appends x to the input buffer;
 *     when 8 inputs are buffered the sponge duplexes;
 *   - duplexing overwrites state[0..k) with the k buffered inputs, permutes, and
 *     refills the output buffer with state[0..8);
 *   - sample() duplexes first when inputs are pending or no output is left, then
 *     takes the last element of the output buffer.
 * Everything the verifier will see must be observed before a challenge that
 * depends on it is sampled; prover and verifier make the same calls in the same
 * order (that order is written out in stark/stark.h and fri/fri.h).
 *
 * sample_bits(b) keeps the low b bits of a sampled element's canonical value;
 * p = 15 * 2^27 + 1, so for b <= 27 the bias is below 2^-27 per sample (as in
 * Plonky3). Proof of work: a witness w is accepted for k bits when, after
 * observing w, sample_bits(k) == 0; grinding finds the smallest such w.
 *
 * All functions work on a caller-owned chal_state, have no hidden state and
 * never fail except where an int status is returned.
 */
#ifndef PKB_FRI_CHALLENGER_H
#define PKB_FRI_CHALLENGER_H

#include <stddef.h>
#include <stdint.h>

#include "commit/merkle.h"
#include "field/bb.h"
#include "field/ext.h"

#define CHAL_WIDTH 16
#define CHAL_RATE 8
#define CHAL_MAX_BITS 27   /* sample_bits and grinding accept 0..27 bits */

typedef struct {
  bb_t state[CHAL_WIDTH];
  bb_t in[CHAL_RATE];
  unsigned n_in;
  bb_t out[CHAL_RATE];
  unsigned n_out;
} chal_state;

/* Zero state, empty buffers. */
void chal_init(chal_state *c);

void chal_observe(chal_state *c, bb_t x);
void chal_observe_many(chal_state *c, const bb_t *x, size_t n);
void chal_observe_ext(chal_state *c, ext_t x);
/* The 8 words of a Poseidon2 Merkle digest, as field elements. */
void chal_observe_digest(chal_state *c, const merkle_digest *d);
/* A label: its bytes are observed 3 at a time as field elements (so a label
 * binds the transcript to a protocol and an AIR name), then its length. */
void chal_observe_label(chal_state *c, const char *label);

bb_t chal_sample(chal_state *c);
/* Four samples, coefficient 0 first. */
ext_t chal_sample_ext(chal_state *c);
/* Low `bits` bits (0 <= bits <= CHAL_MAX_BITS) of one sample's canonical value. */
uint32_t chal_sample_bits(chal_state *c, unsigned bits);

/* Proof of work. chal_grind finds the smallest witness for `bits` leading zero
 * bits, observes it (leaving *c as the verifier's check leaves it) and stores it
 * in *witness. Returns 0, or -1 when bits > CHAL_MAX_BITS or no witness exists
 * in the field (probability ~exp(-p / 2^bits)). chal_check_witness observes the
 * witness and returns 1 when it is accepted, 0 otherwise (also for bits out of
 * range or a non-canonical witness word). */
int chal_grind(chal_state *c, unsigned bits, bb_t *witness);
/* chal_grind on `threads` worker threads (0: every online core, 1: none):
 * the same smallest witness, the same state afterwards, whatever the count.
 * Also -1 when a thread cannot be started and the search cannot go on. */
int chal_grind_threads(chal_state *c, unsigned bits, int threads, bb_t *witness);
int chal_check_witness(chal_state *c, unsigned bits, bb_t witness);

#endif
