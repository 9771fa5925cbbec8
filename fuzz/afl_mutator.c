/* afl_mutator: the block mutator (harness/mutate.h) as an AFL++ custom
 * mutator library, built by scripts/build-afl-mutator.sh into
 * build-fuzz/afl_mutator.so and loaded with
 *
 *     AFL_CUSTOM_MUTATOR_LIBRARY=build-fuzz/afl_mutator.so AFL_CUSTOM_MUTATOR_ONLY=1 afl-fuzz ...
 *
 * (AFL_CUSTOM_MUTATOR_ONLY keeps AFL++'s byte-level havoc from turning the
 * valid blocks back into ones the decoder rejects at once.)
 *
 * afl_custom_fuzz mutates the queue entry; when AFL++ passes a second entry
 * (add_buf, its splicing partner) one call in four is a crossover of the two
 * instead. The library does its own splicing, so it wants add_buf:
 * afl_custom_splice_optout (which tells AFL++ not to pass one) is exported
 * only when built with -DFZ_AFL_SPLICE_OPTOUT, for mutation-only campaigns.
 *
 * Each call's seed is drawn from a splitmix64 stream started at the seed
 * afl_custom_init receives, so a campaign replays with the same -s. The
 * output buffer belongs to the mutator and stays valid until the next call.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mutate.h"

typedef struct {
  uint64_t state;  /* splitmix64 stream of per-call seeds */
  uint8_t *out;
  size_t cap;
  mut_opts opts;
} fz_afl;

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);
#ifdef FZ_AFL_SPLICE_OPTOUT
void afl_custom_splice_optout(void *data);
void afl_custom_splice_optout(void *data) { (void)data; }
#endif

static uint64_t fz_afl_next(fz_afl *m) {
  uint64_t z = (m->state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void *afl_custom_init(void *afl, unsigned int seed) {
  (void)afl;
  fz_afl *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->state = seed;
  m->opts = mut_opts_default();
  return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size) {
  fz_afl *m = data;
  if (!m || !out_buf || max_size == 0) return 0;
  if (max_size > m->cap) {
    uint8_t *p = realloc(m->out, max_size);
    if (!p) return 0;
    m->out = p;
    m->cap = max_size;
  }
  uint64_t seed = fz_afl_next(m);
  size_t n;
  if (add_buf && add_buf_size && (seed & 3) == 0)
    n = mut_crossover(buf, buf_size, add_buf, add_buf_size, m->out, max_size, seed >> 2, &m->opts);
  else
    n = mut_block(buf, buf_size, m->out, max_size, seed >> 2, &m->opts);
  *out_buf = m->out;
  return n;
}

void afl_custom_deinit(void *data) {
  fz_afl *m = data;
  if (!m) return;
  free(m->out);
  free(m);
}
