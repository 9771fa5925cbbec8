/* merkle: Plonky3-style mixed-height Merkle commitment (see merkle.h).
 *
 * Storage: every layer is kept (2H - 1 digests for a tallest height H) so an
 * opening is a lookup. The bottom layer and every layer with injected
 * matrices are hashed from the caller's rows in place (no copy when a height
 * has a single matrix, a small gather buffer otherwise).
 *
 * Work: hashing the bottom layer dominates (ceil(width/8) permutations per
 * row, then one compression per node). Every layer is split into contiguous
 * ranges over worker threads; within a range the batched Poseidon2 functions
 * run 8 or 16 permutations side by side. The verifier re-hashes with an
 * incremental sponge, a code path independent of the batched one.
 */
#include "commit/merkle.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash/keccak.h"
#include "hash/poseidon2.h"

#define MERKLE_MAX_LOG_HEIGHT 40
#define MERKLE_MAX_THREADS 256
/* Rows or nodes per batch inside a range (gather and injection buffers). */
#define MERKLE_BATCH 64

struct merkle_tree {
  merkle_hash hash;
  size_t n_mats;
  merkle_matrix *mats; /* caller's order */
  size_t *sorted;      /* indices into mats, tallest first, stable */
  unsigned log_h;
  size_t open_width;
  merkle_digest *store;   /* all layers back to back */
  merkle_digest **layers; /* layers[k]: H >> k digests; layers[log_h] is the root */
};

_Static_assert(sizeof(merkle_digest) == P2_DIGEST * sizeof(bb_t), "digest is 8 field words");

static int is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

static unsigned log2_exact(size_t x) {
  unsigned k = 0;
  while (((size_t)1 << k) < x) k++;
  return k;
}

/* Stable order by height, tallest first (insertion sort: few matrices). */
static void sort_by_height(const size_t *heights, size_t n, size_t *idx) {
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    while (j > 0 && heights[idx[j - 1]] < heights[i]) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = i;
  }
}

/* Shapes valid: n >= 1, widths >= 1, heights powers of two <= 2^40. */
static int check_dims(const merkle_dims *dims, size_t n) {
  if (!dims || n == 0) return MERKLE_EINVAL;
  for (size_t i = 0; i < n; i++) {
    if (dims[i].width == 0 || !is_pow2(dims[i].height)) return MERKLE_EINVAL;
    if (dims[i].height > ((size_t)1 << MERKLE_MAX_LOG_HEIGHT)) return MERKLE_EINVAL;
  }
  return MERKLE_OK;
}

/* ---- digests and primitive hashes ---------------------------------------- */

void merkle_digest_bytes(merkle_hash hash, const merkle_digest *d, uint8_t out[32]) {
  for (int i = 0; i < MERKLE_DIGEST_WORDS; i++) {
    uint32_t v = hash == MERKLE_POSEIDON2 ? bb_to_u32(d->w[i]) : d->w[i];
    out[4 * i] = (uint8_t)v;
    out[4 * i + 1] = (uint8_t)(v >> 8);
    out[4 * i + 2] = (uint8_t)(v >> 16);
    out[4 * i + 3] = (uint8_t)(v >> 24);
  }
}

static void keccak_to_digest(const uint8_t b[32], merkle_digest *d) {
  for (int i = 0; i < MERKLE_DIGEST_WORDS; i++)
    d->w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
              (uint32_t)b[4 * i + 3] << 24;
}

static void keccak_absorb_row(keccak256_ctx *c, const bb_t *row, size_t n) {
  uint8_t buf[4 * 64];
  while (n > 0) {
    size_t k = n < 64 ? n : 64;
    for (size_t i = 0; i < k; i++) {
      uint32_t v = bb_to_u32(row[i]);
      buf[4 * i] = (uint8_t)v;
      buf[4 * i + 1] = (uint8_t)(v >> 8);
      buf[4 * i + 2] = (uint8_t)(v >> 16);
      buf[4 * i + 3] = (uint8_t)(v >> 24);
    }
    keccak256_update(c, buf, 4 * k);
    row += k;
    n -= k;
  }
}

void merkle_compress(merkle_hash hash, const merkle_digest *left, const merkle_digest *right,
                     merkle_digest *out) {
  if (hash == MERKLE_POSEIDON2) {
    p2_compress(left->w, right->w, out->w);
  } else {
    uint8_t buf[64], h[32];
    merkle_digest_bytes(hash, left, buf);
    merkle_digest_bytes(hash, right, buf + 32);
    keccak256(buf, sizeof buf, h);
    keccak_to_digest(h, out);
  }
}

/* Incremental form of both leaf hashes, for rows spread over several
 * matrices: Poseidon2 in overwrite mode (PaddingFreeSponge), Keccak over the
 * serialised values. */
typedef struct {
  merkle_hash hash;
  bb_t st[P2_WIDTH];
  unsigned pos;
  keccak256_ctx kc;
} row_hasher;

static void rh_init(row_hasher *h, merkle_hash hash) {
  h->hash = hash;
  memset(h->st, 0, sizeof h->st);
  h->pos = 0;
  if (hash == MERKLE_KECCAK) keccak256_init(&h->kc);
}

static void rh_absorb(row_hasher *h, const bb_t *row, size_t n) {
  if (h->hash == MERKLE_KECCAK) {
    keccak_absorb_row(&h->kc, row, n);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    h->st[h->pos++] = row[i];
    if (h->pos == P2_RATE) {
      p2_permute16(h->st);
      h->pos = 0;
    }
  }
}

static void rh_final(row_hasher *h, merkle_digest *out) {
  if (h->hash == MERKLE_KECCAK) {
    uint8_t b[32];
    keccak256_final(&h->kc, b);
    keccak_to_digest(b, out);
    return;
  }
  if (h->pos != 0) p2_permute16(h->st);
  memcpy(out->w, h->st, sizeof out->w);
}

void merkle_hash_row(merkle_hash hash, const bb_t *row, size_t n, merkle_digest *out) {
  if (hash == MERKLE_POSEIDON2) {
    p2_hash(row, n, out->w);
  } else {
    row_hasher h;
    rh_init(&h, hash);
    rh_absorb(&h, row, n);
    rh_final(&h, out);
  }
}

/* ---- building ------------------------------------------------------------- */

/* The matrices of one height: sorted[first .. first + count - 1]. */
typedef struct {
  size_t first, count, width;
} group;

static group group_of_height(const merkle_tree *t, size_t height) {
  group g = {0, 0, 0};
  size_t i = 0;
  while (i < t->n_mats && t->mats[t->sorted[i]].height > height) i++;
  g.first = i;
  while (i < t->n_mats && t->mats[t->sorted[i]].height == height) {
    g.width += t->mats[t->sorted[i]].width;
    i++;
  }
  g.count = i - g.first;
  return g;
}

/* Digests of rows [b, e) of a group; buf holds MERKLE_BATCH * g->width words
 * (only needed when the group has several matrices). */
static void hash_group_rows(const merkle_tree *t, const group *g, size_t b, size_t e, bb_t *buf,
                            merkle_digest *out) {
  if (t->hash == MERKLE_POSEIDON2 && g->count == 1) {
    const merkle_matrix *m = &t->mats[t->sorted[g->first]];
    p2_hash_many(m->data + b * m->width, m->width, m->width, e - b, out->w);
    return;
  }
  if (t->hash == MERKLE_POSEIDON2) {
    for (size_t r0 = b; r0 < e; r0 += MERKLE_BATCH) {
      size_t n = e - r0 < MERKLE_BATCH ? e - r0 : MERKLE_BATCH;
      for (size_t r = 0; r < n; r++) {
        bb_t *dst = buf + r * g->width;
        for (size_t j = 0; j < g->count; j++) {
          const merkle_matrix *m = &t->mats[t->sorted[g->first + j]];
          memcpy(dst, m->data + (r0 + r) * m->width, m->width * sizeof(bb_t));
          dst += m->width;
        }
      }
      p2_hash_many(buf, g->width, g->width, n, out[r0 - b].w);
    }
    return;
  }
  for (size_t r = b; r < e; r++) {
    row_hasher h;
    rh_init(&h, t->hash);
    for (size_t j = 0; j < g->count; j++) {
      const merkle_matrix *m = &t->mats[t->sorted[g->first + j]];
      rh_absorb(&h, m->data + r * m->width, m->width);
    }
    rh_final(&h, &out[r - b]);
  }
}

typedef struct {
  const merkle_tree *t;
  unsigned layer; /* the layer being filled */
  group g;        /* matrices hashed into this layer (count may be 0 above the bottom) */
  atomic_int failed;
} layer_job;

/* Fill nodes [b, e) of job->layer. */
static void layer_range(layer_job *job, size_t b, size_t e) {
  const merkle_tree *t = job->t;
  const group *g = &job->g;
  merkle_digest *dst = t->layers[job->layer];
  bb_t *buf = NULL;
  if (t->hash == MERKLE_POSEIDON2 && g->count > 1) {
    buf = malloc(MERKLE_BATCH * g->width * sizeof(bb_t));
    if (!buf) {
      atomic_store(&job->failed, 1);
      return;
    }
  }
  if (job->layer == 0) {
    hash_group_rows(t, g, b, e, buf, dst + b);
    free(buf);
    return;
  }
  const merkle_digest *src = t->layers[job->layer - 1];
  if (t->hash == MERKLE_POSEIDON2)
    p2_compress_many(src[2 * b].w, e - b, dst[b].w);
  else
    for (size_t i = b; i < e; i++) merkle_compress(t->hash, &src[2 * i], &src[2 * i + 1], &dst[i]);
  if (g->count > 0) {
    /* node = C(C(left, right), H(rows)), in batches. */
    merkle_digest rows_d[MERKLE_BATCH];
    merkle_digest pairs[2 * MERKLE_BATCH];
    for (size_t i0 = b; i0 < e; i0 += MERKLE_BATCH) {
      size_t n = e - i0 < MERKLE_BATCH ? e - i0 : MERKLE_BATCH;
      hash_group_rows(t, g, i0, i0 + n, buf, rows_d);
      if (t->hash == MERKLE_POSEIDON2) {
        for (size_t k = 0; k < n; k++) {
          pairs[2 * k] = dst[i0 + k];
          pairs[2 * k + 1] = rows_d[k];
        }
        p2_compress_many(pairs[0].w, n, dst[i0].w);
      } else {
        for (size_t k = 0; k < n; k++) merkle_compress(t->hash, &dst[i0 + k], &rows_d[k], &dst[i0 + k]);
      }
    }
  }
  free(buf);
}

typedef struct {
  layer_job *job;
  size_t b, e;
} layer_task;

static void *layer_worker(void *arg) {
  layer_task *task = arg;
  layer_range(task->job, task->b, task->e);
  return NULL;
}

/* Split [0, n) over up to `threads` threads; ranges of at least min_chunk. */
static void run_layer(layer_job *job, size_t n, int threads) {
  size_t min_chunk = 256;
  size_t nt = (size_t)threads;
  if (nt > n / min_chunk) nt = n / min_chunk;
  if (nt <= 1) {
    layer_range(job, 0, n);
    return;
  }
  pthread_t tid[MERKLE_MAX_THREADS];
  layer_task task[MERKLE_MAX_THREADS];
  int started[MERKLE_MAX_THREADS];
  for (size_t i = 0; i < nt; i++) {
    task[i].job = job;
    task[i].b = n * i / nt;
    task[i].e = n * (i + 1) / nt;
  }
  for (size_t i = 1; i < nt; i++)
    started[i] = pthread_create(&tid[i], NULL, layer_worker, &task[i]) == 0;
  layer_range(job, task[0].b, task[0].e);
  for (size_t i = 1; i < nt; i++) {
    if (started[i])
      pthread_join(tid[i], NULL);
    else
      layer_range(job, task[i].b, task[i].e); /* no thread: do it here */
  }
}

static int resolve_threads(int threads) {
  if (threads <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (int)n : 1;
  }
  return threads > MERKLE_MAX_THREADS ? MERKLE_MAX_THREADS : threads;
}

int merkle_build(const merkle_matrix *mats, size_t n_mats, merkle_hash hash, int threads,
                 merkle_tree **out) {
  if (!out) return MERKLE_EINVAL;
  *out = NULL;
  if (!mats || n_mats == 0 || (hash != MERKLE_POSEIDON2 && hash != MERKLE_KECCAK))
    return MERKLE_EINVAL;
  for (size_t i = 0; i < n_mats; i++) {
    merkle_dims d = {mats[i].width, mats[i].height};
    if (check_dims(&d, 1) != MERKLE_OK || !mats[i].data) return MERKLE_EINVAL;
    if (mats[i].width > SIZE_MAX / sizeof(bb_t) / mats[i].height) return MERKLE_EINVAL;
  }
  merkle_tree *t = calloc(1, sizeof *t);
  if (!t) return MERKLE_ENOMEM;
  t->hash = hash;
  t->n_mats = n_mats;
  t->mats = malloc(n_mats * sizeof *t->mats);
  t->sorted = malloc(n_mats * sizeof *t->sorted);
  size_t *heights = malloc(n_mats * sizeof *heights);
  if (!t->mats || !t->sorted || !heights) goto nomem;
  memcpy(t->mats, mats, n_mats * sizeof *mats);
  for (size_t i = 0; i < n_mats; i++) {
    heights[i] = mats[i].height;
    t->open_width += mats[i].width;
  }
  sort_by_height(heights, n_mats, t->sorted);
  free(heights);
  heights = NULL;

  const size_t H = t->mats[t->sorted[0]].height;
  t->log_h = log2_exact(H);
  t->store = malloc((2 * H - 1) * sizeof *t->store);
  t->layers = malloc((t->log_h + 1) * sizeof *t->layers);
  if (!t->store || !t->layers) goto nomem;
  size_t off = 0;
  for (unsigned k = 0; k <= t->log_h; k++) {
    t->layers[k] = t->store + off;
    off += H >> k;
  }
  threads = resolve_threads(threads);
  for (unsigned k = 0; k <= t->log_h; k++) {
    layer_job job;
    job.t = t;
    job.layer = k;
    job.g = group_of_height(t, H >> k);
    atomic_init(&job.failed, 0);
    run_layer(&job, H >> k, threads);
    if (atomic_load(&job.failed)) goto nomem;
  }
  *out = t;
  return MERKLE_OK;
nomem:
  free(heights);
  merkle_free(t);
  return MERKLE_ENOMEM;
}

void merkle_free(merkle_tree *t) {
  if (!t) return;
  free(t->mats);
  free(t->sorted);
  free(t->store);
  free(t->layers);
  free(t);
}

void merkle_root(const merkle_tree *t, merkle_digest *root) { *root = t->layers[t->log_h][0]; }
merkle_hash merkle_tree_hash(const merkle_tree *t) { return t->hash; }
unsigned merkle_log_height(const merkle_tree *t) { return t->log_h; }
size_t merkle_height(const merkle_tree *t) { return (size_t)1 << t->log_h; }
size_t merkle_num_matrices(const merkle_tree *t) { return t->n_mats; }
size_t merkle_opening_width(const merkle_tree *t) { return t->open_width; }

merkle_dims merkle_matrix_dims(const merkle_tree *t, size_t i) {
  merkle_dims d = {0, 0};
  if (i < t->n_mats) {
    d.width = t->mats[i].width;
    d.height = t->mats[i].height;
  }
  return d;
}

/* ---- opening and verification -------------------------------------------- */

int merkle_open(const merkle_tree *t, size_t index, bb_t *rows, merkle_digest *path) {
  if (!t || !rows || (!path && t->log_h > 0)) return MERKLE_EINVAL;
  if (index >> t->log_h) return MERKLE_EINVAL;
  bb_t *dst = rows;
  for (size_t i = 0; i < t->n_mats; i++) {
    const merkle_matrix *m = &t->mats[i];
    size_t r = index >> (t->log_h - log2_exact(m->height));
    memcpy(dst, m->data + r * m->width, m->width * sizeof(bb_t));
    dst += m->width;
  }
  for (unsigned k = 0; k < t->log_h; k++) path[k] = t->layers[k][(index >> k) ^ 1];
  return MERKLE_OK;
}

/* Hash the opened rows of the matrices of one height, in sorted order;
 * offsets[i] is where matrix i's row starts in rows. */
static void hash_opened(merkle_hash hash, const merkle_dims *dims, const size_t *sorted,
                        size_t first, size_t count, const size_t *offsets, const bb_t *rows,
                        merkle_digest *out) {
  row_hasher h;
  rh_init(&h, hash);
  for (size_t j = first; j < first + count; j++)
    rh_absorb(&h, rows + offsets[sorted[j]], dims[sorted[j]].width);
  rh_final(&h, out);
}

int merkle_verify(merkle_hash hash, const merkle_digest *root, const merkle_dims *dims,
                  size_t n_mats, size_t index, const bb_t *rows, const merkle_digest *path) {
  if (!root || !rows || (hash != MERKLE_POSEIDON2 && hash != MERKLE_KECCAK)) return MERKLE_EINVAL;
  if (check_dims(dims, n_mats) != MERKLE_OK) return MERKLE_EINVAL;
  /* Verification runs per query: no allocation for the usual few matrices. */
  size_t small[3][16];
  size_t *sorted = small[0], *offsets = small[1], *heights = small[2];
  if (n_mats > 16) {
    sorted = malloc(n_mats * sizeof *sorted);
    offsets = malloc(n_mats * sizeof *offsets);
    heights = malloc(n_mats * sizeof *heights);
  }
  int rc = MERKLE_ENOMEM;
  if (!sorted || !offsets || !heights) goto out;
  size_t total = 0;
  for (size_t i = 0; i < n_mats; i++) {
    heights[i] = dims[i].height;
    offsets[i] = total;
    total += dims[i].width;
  }
  sort_by_height(heights, n_mats, sorted);
  const size_t H = dims[sorted[0]].height;
  const unsigned log_h = log2_exact(H);
  rc = MERKLE_EINVAL;
  if (index >= H || (log_h > 0 && !path)) goto out;
  /* Words from outside must be reduced field elements. */
  if (hash == MERKLE_POSEIDON2) {
    for (size_t i = 0; i < total; i++)
      if (rows[i] >= BB_P) goto out;
    for (unsigned k = 0; k < log_h; k++)
      for (int j = 0; j < MERKLE_DIGEST_WORDS; j++)
        if (path[k].w[j] >= BB_P) goto out;
  }
  size_t first = 0;
  size_t count = 0;
  while (count < n_mats && dims[sorted[count]].height == H) count++;
  merkle_digest cur;
  hash_opened(hash, dims, sorted, first, count, offsets, rows, &cur);
  first = count;
  for (unsigned k = 0; k < log_h; k++) {
    if ((index >> k) & 1)
      merkle_compress(hash, &path[k], &cur, &cur);
    else
      merkle_compress(hash, &cur, &path[k], &cur);
    size_t layer_size = H >> (k + 1);
    count = 0;
    while (first + count < n_mats && dims[sorted[first + count]].height == layer_size) count++;
    if (count > 0) {
      merkle_digest rd;
      hash_opened(hash, dims, sorted, first, count, offsets, rows, &rd);
      merkle_compress(hash, &cur, &rd, &cur);
      first += count;
    }
  }
  rc = memcmp(&cur, root, sizeof cur) == 0 ? MERKLE_OK : MERKLE_EVERIFY;
out:
  if (n_mats > 16) {
    free(sorted);
    free(offsets);
    free(heights);
  }
  return rc;
}

uint64_t merkle_poseidon2_permutations(const merkle_dims *dims, size_t n_mats) {
  if (check_dims(dims, n_mats) != MERKLE_OK) return 0;
  size_t H = 0;
  for (size_t i = 0; i < n_mats; i++)
    if (dims[i].height > H) H = dims[i].height;
  uint64_t perms = (uint64_t)H - 1; /* one compression per node above the bottom layer */
  for (size_t h = H; h >= 1; h /= 2) {
    uint64_t w = 0;
    for (size_t i = 0; i < n_mats; i++)
      if (dims[i].height == h) w += dims[i].width;
    if (w == 0) continue;
    perms += (uint64_t)h * ((w + P2_RATE - 1) / P2_RATE);
    if (h < H) perms += h; /* C(C(left, right), H(rows)) */
  }
  return perms;
}

/* ---- serialisation ---------------------------------------------------------- */

size_t merkle_opening_size(const merkle_dims *dims, size_t n_mats) {
  if (check_dims(dims, n_mats) != MERKLE_OK) return 0;
  size_t total = 0, H = 0;
  for (size_t i = 0; i < n_mats; i++) {
    total += dims[i].width;
    if (dims[i].height > H) H = dims[i].height;
  }
  return 4 * total + 32 * (size_t)log2_exact(H);
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

long merkle_opening_write(merkle_hash hash, const merkle_dims *dims, size_t n_mats,
                          const bb_t *rows, const merkle_digest *path, uint8_t *buf, size_t cap) {
  size_t need = merkle_opening_size(dims, n_mats);
  if (need == 0 || !buf || cap < need || !rows) return MERKLE_EINVAL;
  size_t total = 0;
  for (size_t i = 0; i < n_mats; i++) total += dims[i].width;
  size_t n_path = (need - 4 * total) / 32;
  if (n_path > 0 && !path) return MERKLE_EINVAL;
  uint8_t *p = buf;
  for (size_t i = 0; i < total; i++, p += 4) put32(p, bb_to_u32(rows[i]));
  for (size_t k = 0; k < n_path; k++, p += 32) merkle_digest_bytes(hash, &path[k], p);
  return (long)need;
}

int merkle_opening_read(merkle_hash hash, const merkle_dims *dims, size_t n_mats,
                        const uint8_t *buf, size_t len, bb_t *rows, merkle_digest *path) {
  size_t need = merkle_opening_size(dims, n_mats);
  if (need == 0 || !buf || len != need || !rows) return MERKLE_EINVAL;
  size_t total = 0;
  for (size_t i = 0; i < n_mats; i++) total += dims[i].width;
  size_t n_path = (need - 4 * total) / 32;
  if (n_path > 0 && !path) return MERKLE_EINVAL;
  const uint8_t *p = buf;
  for (size_t i = 0; i < total; i++, p += 4) {
    uint32_t v = get32(p);
    if (v >= BB_P) return MERKLE_EINVAL;
    rows[i] = bb_from_u32(v);
  }
  for (size_t k = 0; k < n_path; k++) {
    for (int j = 0; j < MERKLE_DIGEST_WORDS; j++, p += 4) {
      uint32_t v = get32(p);
      if (hash == MERKLE_POSEIDON2) {
        if (v >= BB_P) return MERKLE_EINVAL;
        v = bb_from_u32(v);
      }
      path[k].w[j] = v;
    }
  }
  return MERKLE_OK;
}
