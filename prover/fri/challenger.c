/* fri/challenger: duplex-sponge Fiat-Shamir transcript over Poseidon2-16.
 * See challenger.h for the buffering rules; this file follows them literally.
 */
#include "fri/challenger.h"

#include <string.h>

#include "hash/poseidon2.h"

void chal_init(chal_state *c) { memset(c, 0, sizeof *c); }

static void duplex(chal_state *c) {
  for (unsigned i = 0; i < c->n_in; i++) c->state[i] = c->in[i];
  c->n_in = 0;
  p2_permute16(c->state);
  memcpy(c->out, c->state, sizeof c->out);
  c->n_out = CHAL_RATE;
}

void chal_observe(chal_state *c, bb_t x) {
  c->n_out = 0;
  c->in[c->n_in++] = x;
  if (c->n_in == CHAL_RATE) duplex(c);
}

void chal_observe_many(chal_state *c, const bb_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) chal_observe(c, x[i]);
}

void chal_observe_ext(chal_state *c, ext_t x) { chal_observe_many(c, x.v, EXT_DEGREE); }

void chal_observe_digest(chal_state *c, const merkle_digest *d) {
  chal_observe_many(c, d->w, MERKLE_DIGEST_WORDS);
}

void chal_observe_label(chal_state *c, const char *label) {
  size_t n = label ? strlen(label) : 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t w = 0;
    for (size_t k = 0; k < 3 && i + k < n; k++) w |= (uint32_t)(unsigned char)label[i + k] << (8 * k);
    chal_observe(c, bb_from_u32(w));
  }
  chal_observe(c, bb_from_u64(n));
}

bb_t chal_sample(chal_state *c) {
  if (c->n_in > 0 || c->n_out == 0) duplex(c);
  return c->out[--c->n_out];
}

ext_t chal_sample_ext(chal_state *c) {
  ext_t r;
  for (int k = 0; k < EXT_DEGREE; k++) r.v[k] = chal_sample(c);
  return r;
}

uint32_t chal_sample_bits(chal_state *c, unsigned bits) {
  uint32_t v = bb_to_u32(chal_sample(c));
  if (bits >= 32) return v;
  return v & ((1u << bits) - 1u);
}

int chal_check_witness(chal_state *c, unsigned bits, bb_t witness) {
  if (bits > CHAL_MAX_BITS || witness >= BB_P) return 0;
  chal_observe(c, witness);
  return chal_sample_bits(c, bits) == 0;
}

/* Hot only while grinding: one permutation per candidate. */
int chal_grind(chal_state *c, unsigned bits, bb_t *witness) {
  if (bits > CHAL_MAX_BITS) return -1;
  for (uint32_t w = 0; w < BB_P; w++) {
    chal_state t = *c;
    bb_t cand = bb_from_u32(w);
    if (chal_check_witness(&t, bits, cand)) {
      *witness = cand;
      *c = t;
      return 0;
    }
  }
  return -1;
}
