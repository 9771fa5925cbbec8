/* stark/proof: byte encoding of stark_proof (layout in stark.h).
 *
 * The decoder is strict so that every byte of a proof matters: it computes the
 * exact length from the header before allocating anything, rejects trailing
 * bytes, header values out of range and non-canonical field elements. A proof
 * that decodes is then checked in full by stark_verify.
 *
 * Version 1 is the proof without a lookup argument; version 2 adds the aux
 * sections (stark.h) and is written only when aux_width is non-zero, so a
 * proof without interactions is byte for byte what it was before lookups.
 */
#include <stdlib.h>
#include <string.h>

#include "stark/stark.h"

#define MAX_WIDTH (1u << 20)
#define MAX_QC 16u

typedef struct {
  uint8_t *p;
} wr;

static void put_u8(wr *w, unsigned v) { *w->p++ = (uint8_t)v; }
static void put_u32(wr *w, uint32_t v) {
  for (int i = 0; i < 4; i++) *w->p++ = (uint8_t)(v >> (8 * i));
}
static void put_elems(wr *w, const bb_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) put_u32(w, bb_to_u32(x[i]));
}
static void put_exts(wr *w, const ext_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) put_elems(w, x[i].v, EXT_DEGREE);
}
static void put_digests(wr *w, const merkle_digest *d, size_t n) {
  for (size_t i = 0; i < n; i++) put_elems(w, d[i].w, MERKLE_DIGEST_WORDS);
}

typedef struct {
  const uint8_t *p, *end;
  int bad;
} rd;

static uint32_t get_u32(rd *r) {
  if (r->end - r->p < 4) {
    r->bad = 1;
    return 0;
  }
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)r->p[i] << (8 * i);
  r->p += 4;
  return v;
}
static unsigned get_u8(rd *r) {
  if (r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  return *r->p++;
}
static void get_elems(rd *r, bb_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t v = get_u32(r);
    if (v >= BB_P) r->bad = 1;
    x[i] = bb_from_u32(v);
  }
}
static void get_exts(rd *r, ext_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) get_elems(r, x[i].v, EXT_DEGREE);
}
static void get_digests(rd *r, merkle_digest *d, size_t n) {
  for (size_t i = 0; i < n; i++) get_elems(r, d[i].w, MERKLE_DIGEST_WORDS);
}

#define HEADER_BYTES (4 + 4 + 1 + 1 + 1 + 4 + 4 + 4 + 1 + 4)
#define MAX_AUX_WIDTH STARK_AUX_WIDTH(STARK_MAX_INTERACTIONS, 1)

/* aw = 4(ceil(k/G)+1) for 1 <= k <= STARK_MAX_INTERACTIONS and G >= 1, or 0
 * (no lookup); the verifier checks it against the AIR and the lookup. */
static int aux_width_ok(uint32_t aw) {
  return aw == 0 || (aw >= 8 && aw <= MAX_AUX_WIDTH && aw % 4 == 0);
}

/* The FRI parameters a header implies (pow_bits does not change shapes):
 * final_len = 2^(log_n - d) fixes log_final_len = log2(final_len). */
static fri_params header_fri(unsigned lb, unsigned la, unsigned Q, size_t flen) {
  fri_params f;
  unsigned lf = 0;
  while (((size_t)1 << lf) < flen) lf++;
  f.log_blowup = lb;
  f.num_queries = Q;
  f.pow_bits = 0;
  f.log_final_len = lf;
  f.log_arity = la;
  return f;
}

/* Exact size for a header; 0 when the header is out of range or inconsistent. */
static size_t size_for(unsigned log_n, unsigned lb, unsigned la, unsigned w, unsigned qc,
                       unsigned Q, unsigned L, size_t flen, unsigned aw) {
  if (!aux_width_ok(aw)) return 0;
  if (log_n < 1 || log_n > STARK_MAX_LOG_ROWS || lb < 1 || lb > FRI_MAX_LOG_BLOWUP ||
      log_n + lb > BB_TWO_ADICITY || la < 1 || la > FRI_MAX_LOG_ARITY || w < 1 || w > MAX_WIDTH ||
      qc < 1 || qc > MAX_QC || (qc & (qc - 1)) || Q < 1 || Q > FRI_MAX_QUERIES || flen < 1 ||
      (flen & (flen - 1)) || flen > ((size_t)1 << FRI_MAX_LOG_FINAL) || flen > ((size_t)1 << log_n))
    return 0;
  unsigned log_N = log_n + lb;
  fri_params f = header_fri(lb, la, Q, flen);
  if (fri_num_layers(&f, log_N) != L || fri_final_len(&f, log_N) != flen) return 0;
  size_t E = 4, X = 16, D = 32, qw = 4 * (size_t)qc;
  size_t s = HEADER_BYTES + 2 * D + (2 * w + qw) * X + L * D + flen * X + E;
  size_t per_q = (w + qw) * E + 2 * log_N * D + fri_row_values(&f, log_N) * X +
                 fri_path_digests(&f, log_N) * D;
  if (aw) { /* version 2: aux_width, aux_root, cumulative_sum, aux openings, aux rows and paths */
    s += 4 + D + X + 2 * (size_t)aw * X;
    per_q += aw * E + log_N * D;
  }
  return s + Q * per_q;
}

size_t stark_proof_size(const stark_proof *p) {
  if (!p) return 0;
  if (p->fri.log_n != p->log_n + p->log_blowup || p->fri.num_queries != p->num_queries) return 0;
  return size_for(p->log_n, p->log_blowup, p->fri.log_arity, p->width, p->qc, p->num_queries,
                  p->fri.num_layers, p->fri.final_len, p->aux_width);
}

size_t stark_proof_size_for(const stark_air *air, const fri_params *fp, unsigned log_n) {
  return stark_proof_size_for_lookup(air, NULL, fp, log_n);
}

size_t stark_proof_size_for_lookup(const stark_air *air, const stark_lookup *lk,
                                   const fri_params *fp, unsigned log_n) {
  unsigned k = lk ? lk->num_interactions : 0;
  if (!air || !fp || fri_params_check(fp) != FRI_OK || log_n < 1 || log_n > STARK_MAX_LOG_ROWS ||
      k > STARK_MAX_INTERACTIONS)
    return 0;
  unsigned log_N = log_n + fp->log_blowup, qc = stark_air_quotient_chunks(air);
  if (log_N > BB_TWO_ADICITY || qc > (1u << fp->log_blowup)) return 0;
  return size_for(log_n, fp->log_blowup, fri_log_arity(fp), air->width, qc, fp->num_queries,
                  fri_num_layers(fp, log_N), fri_final_len(fp, log_N),
                  stark_lookup_aux_width(air, lk));
}

int stark_proof_serialize(const stark_proof *p, uint8_t **out, size_t *len) {
  if (!p || !out || !len) return STARK_ERR_ARG;
  size_t sz = stark_proof_size(p);
  if (!sz) return STARK_ERR_ARG;
  uint8_t *buf = malloc(sz);
  if (!buf) return STARK_ERR_NOMEM;
  wr w = {buf};
  unsigned W = p->width, qw = 4 * p->qc, Q = p->num_queries, L = p->fri.num_layers;
  unsigned log_N = p->log_n + p->log_blowup, aw = p->aux_width;
  if (aw && (!p->aux_zeta || !p->aux_zeta_next || !p->aux_rows || !p->aux_paths)) {
    free(buf);
    return STARK_ERR_ARG;
  }
  memcpy(w.p, "PKBS", 4);
  w.p += 4;
  put_u32(&w, aw ? STARK_PROOF_VERSION_LOOKUP : STARK_PROOF_VERSION);
  put_u8(&w, p->log_n);
  put_u8(&w, p->log_blowup);
  put_u8(&w, p->fri.log_arity);
  put_u32(&w, W);
  put_u32(&w, p->qc);
  put_u32(&w, Q);
  put_u8(&w, L);
  put_u32(&w, (uint32_t)p->fri.final_len);
  if (aw) put_u32(&w, aw);
  put_digests(&w, &p->trace_root, 1);
  put_digests(&w, &p->quotient_root, 1);
  if (aw) {
    put_digests(&w, &p->aux_root, 1);
    put_exts(&w, &p->cumulative_sum, 1);
  }
  put_exts(&w, p->trace_zeta, W);
  put_exts(&w, p->trace_zeta_next, W);
  put_exts(&w, p->quotient_zeta, qw);
  if (aw) {
    put_exts(&w, p->aux_zeta, aw);
    put_exts(&w, p->aux_zeta_next, aw);
  }
  put_digests(&w, p->fri.roots, L);
  put_exts(&w, p->fri.final_poly, p->fri.final_len);
  put_elems(&w, &p->fri.pow_witness, 1);
  fri_params f = header_fri(p->log_blowup, p->fri.log_arity, Q, p->fri.final_len);
  size_t pd = fri_path_digests(&f, log_N), rv = fri_row_values(&f, log_N);
  for (unsigned q = 0; q < Q; q++) {
    put_elems(&w, p->trace_rows + (size_t)q * W, W);
    put_digests(&w, p->trace_paths + (size_t)q * log_N, log_N);
    put_elems(&w, p->quotient_rows + (size_t)q * qw, qw);
    put_digests(&w, p->quotient_paths + (size_t)q * log_N, log_N);
    if (aw) {
      put_elems(&w, p->aux_rows + (size_t)q * aw, aw);
      put_digests(&w, p->aux_paths + (size_t)q * log_N, log_N);
    }
    const merkle_digest *path = p->fri.paths + (size_t)q * pd;
    const ext_t *row = p->fri.rows + (size_t)q * rv;
    for (unsigned i = 0; i < L; i++) {
      unsigned ls, la;
      fri_layer_shape(&f, log_N, i, &ls, &la);
      put_exts(&w, row, (size_t)1 << la);
      put_digests(&w, path, ls - la);
      row += (size_t)1 << la;
      path += ls - la;
    }
  }
  if ((size_t)(w.p - buf) != sz) {
    free(buf);
    return STARK_ERR_INTERNAL;
  }
  *out = buf;
  *len = sz;
  return STARK_OK;
}

int stark_proof_deserialize(const uint8_t *buf, size_t len, stark_proof *p) {
  if (!p) return STARK_ERR_ARG;
  memset(p, 0, sizeof *p);
  if (!buf || len < HEADER_BYTES || memcmp(buf, "PKBS", 4) != 0) return STARK_ERR_FORMAT;
  rd r = {buf + 4, buf + len, 0};
  uint32_t version = get_u32(&r);
  if (version != STARK_PROOF_VERSION && version != STARK_PROOF_VERSION_LOOKUP) return STARK_ERR_FORMAT;
  unsigned log_n = get_u8(&r), lb = get_u8(&r), la = get_u8(&r);
  uint32_t W = get_u32(&r), qc = get_u32(&r), Q = get_u32(&r);
  unsigned L = get_u8(&r);
  uint32_t flen = get_u32(&r);
  uint32_t aw = version == STARK_PROOF_VERSION_LOOKUP ? get_u32(&r) : 0;
  if (r.bad) return STARK_ERR_FORMAT;
  if (version == STARK_PROOF_VERSION_LOOKUP && aw == 0) return STARK_ERR_FORMAT;
  size_t sz = size_for(log_n, lb, la, W, qc, Q, L, flen, aw);
  if (!sz || sz != len) return STARK_ERR_FORMAT;

  unsigned log_N = log_n + lb, qw = 4 * qc;
  fri_params f = header_fri(lb, la, Q, flen);
  size_t pd = fri_path_digests(&f, log_N), rv = fri_row_values(&f, log_N);
  p->log_n = log_n;
  p->log_blowup = lb;
  p->width = W;
  p->qc = qc;
  p->num_queries = Q;
  p->fri.log_n = log_N;
  p->fri.log_arity = la;
  p->fri.num_layers = L;
  p->fri.num_queries = Q;
  p->fri.final_len = flen;
  p->aux_width = aw;
  if (aw) {
    p->aux_zeta = malloc(sizeof(ext_t) * aw);
    p->aux_zeta_next = malloc(sizeof(ext_t) * aw);
    p->aux_rows = malloc(sizeof(bb_t) * Q * aw);
    p->aux_paths = malloc(sizeof(merkle_digest) * Q * log_N);
    if (!p->aux_zeta || !p->aux_zeta_next || !p->aux_rows || !p->aux_paths) {
      stark_proof_free(p);
      return STARK_ERR_NOMEM;
    }
  }
  p->trace_zeta = malloc(sizeof(ext_t) * W);
  p->trace_zeta_next = malloc(sizeof(ext_t) * W);
  p->quotient_zeta = malloc(sizeof(ext_t) * qw);
  p->trace_rows = malloc(sizeof(bb_t) * Q * W);
  p->trace_paths = malloc(sizeof(merkle_digest) * Q * log_N);
  p->quotient_rows = malloc(sizeof(bb_t) * Q * qw);
  p->quotient_paths = malloc(sizeof(merkle_digest) * Q * log_N);
  p->fri.roots = malloc(sizeof(merkle_digest) * (L + 1));
  p->fri.final_poly = malloc(sizeof(ext_t) * flen);
  p->fri.rows = malloc(sizeof(ext_t) * ((size_t)Q * rv + 1));
  p->fri.paths = malloc(sizeof(merkle_digest) * ((size_t)Q * pd + 1));
  if (!p->trace_zeta || !p->trace_zeta_next || !p->quotient_zeta || !p->trace_rows ||
      !p->trace_paths || !p->quotient_rows || !p->quotient_paths || !p->fri.roots ||
      !p->fri.final_poly || !p->fri.rows || !p->fri.paths) {
    stark_proof_free(p);
    return STARK_ERR_NOMEM;
  }
  get_digests(&r, &p->trace_root, 1);
  get_digests(&r, &p->quotient_root, 1);
  if (aw) {
    get_digests(&r, &p->aux_root, 1);
    get_exts(&r, &p->cumulative_sum, 1);
  }
  get_exts(&r, p->trace_zeta, W);
  get_exts(&r, p->trace_zeta_next, W);
  get_exts(&r, p->quotient_zeta, qw);
  if (aw) {
    get_exts(&r, p->aux_zeta, aw);
    get_exts(&r, p->aux_zeta_next, aw);
  }
  get_digests(&r, p->fri.roots, L);
  get_exts(&r, p->fri.final_poly, flen);
  get_elems(&r, &p->fri.pow_witness, 1);
  for (unsigned q = 0; q < Q && !r.bad; q++) {
    get_elems(&r, p->trace_rows + (size_t)q * W, W);
    get_digests(&r, p->trace_paths + (size_t)q * log_N, log_N);
    get_elems(&r, p->quotient_rows + (size_t)q * qw, qw);
    get_digests(&r, p->quotient_paths + (size_t)q * log_N, log_N);
    if (aw) {
      get_elems(&r, p->aux_rows + (size_t)q * aw, aw);
      get_digests(&r, p->aux_paths + (size_t)q * log_N, log_N);
    }
    merkle_digest *path = p->fri.paths + (size_t)q * pd;
    ext_t *row = p->fri.rows + (size_t)q * rv;
    for (unsigned i = 0; i < L; i++) {
      unsigned ls, lai;
      fri_layer_shape(&f, log_N, i, &ls, &lai);
      get_exts(&r, row, (size_t)1 << lai);
      get_digests(&r, path, ls - lai);
      row += (size_t)1 << lai;
      path += ls - lai;
    }
  }
  if (r.bad || r.p != r.end) {
    stark_proof_free(p);
    return STARK_ERR_FORMAT;
  }
  return STARK_OK;
}
