/* fri/challenger: duplex-sponge Fiat-Shamir transcript over Poseidon2-16.
 * See challenger.h for the buffering rules; this file follows them literally.
 */
#include "fri/challenger.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

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

/* Parallel grinding: worker t takes the blocks of GRIND_BLOCK candidates
 * t, t + T, t + 2T, ... in increasing order and records any accepted
 * candidate in best (an atomic minimum); it stops at the first block that
 * starts at or above best. Every candidate below the final best lies in a
 * block started before its worker stopped, so was checked: the result is
 * the smallest witness, as chal_grind's. */
#define GRIND_BLOCK 256u
#define GRIND_MAX_THREADS 64

typedef struct {
  const chal_state *c;
  unsigned bits, t, nt;
  _Atomic uint32_t *best;
} grind_job;

static void *grind_worker(void *arg) {
  grind_job *j = arg;
  for (uint64_t b = j->t;; b += j->nt) {
    uint64_t lo = b * GRIND_BLOCK;
    if (lo >= atomic_load(j->best)) return NULL;
    uint64_t hi = lo + GRIND_BLOCK < BB_P ? lo + GRIND_BLOCK : BB_P;
    for (uint64_t w = lo; w < hi; w++) {
      chal_state t = *j->c;
      if (chal_check_witness(&t, j->bits, bb_from_u32((uint32_t)w))) {
        uint32_t cur = atomic_load(j->best);
        while (w < cur && !atomic_compare_exchange_weak(j->best, &cur, (uint32_t)w)) {
        }
        return NULL;
      }
    }
  }
}

int chal_grind_threads(chal_state *c, unsigned bits, int threads, bb_t *witness) {
  if (bits > CHAL_MAX_BITS) return -1;
  if (threads <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (int)n : 1;
  }
  if (threads > GRIND_MAX_THREADS) threads = GRIND_MAX_THREADS;
  if (threads == 1 || bits == 0) return chal_grind(c, bits, witness);
  _Atomic uint32_t best = BB_P;
  grind_job jobs[GRIND_MAX_THREADS];
  pthread_t tid[GRIND_MAX_THREADS];
  int started = 0;
  for (int t = 0; t < threads; t++) {
    jobs[t] = (grind_job){c, bits, (unsigned)t, (unsigned)threads, &best};
    if (t > 0 && pthread_create(&tid[t], NULL, grind_worker, &jobs[t]) != 0) break;
    started = t + 1;
  }
  if (started < threads) { /* a worker missing: its blocks would go unchecked */
    atomic_store(&best, 0);
    for (int t = 1; t < started; t++) pthread_join(tid[t], NULL);
    return -1;
  }
  grind_worker(&jobs[0]);
  for (int t = 1; t < threads; t++) pthread_join(tid[t], NULL);
  uint32_t w = atomic_load(&best);
  if (w >= BB_P) return -1;
  *witness = bb_from_u32(w);
  (void)chal_check_witness(c, bits, *witness);
  return 0;
}
