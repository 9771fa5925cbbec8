/* rlp: strict RLP decoding and a growing encoder (see rlp.h).
 *
 * The decoder is on the path of every block file read and every fuzz input,
 * so it checks every length against the bytes actually present before it
 * touches them, and it never allocates. The encoder writes list payloads in
 * place and inserts each list header when the list is closed; headers are at
 * most 9 bytes, so the move is cheap next to the payload itself.
 */
#include "rlp.h"

#include <stdlib.h>
#include <string.h>

static int fail(size_t *err_off, size_t off, int code) {
  if (err_off) *err_off = off;
  return code;
}

int rlp_decode(const uint8_t *buf, size_t len, size_t base_off, rlp_item *out, size_t *err_off) {
  if (len == 0) return fail(err_off, base_off, RLP_E_TRUNCATED);
  uint8_t b = buf[0];
  size_t hdr, plen;
  int is_list;
  if (b < 0x80) {
    out->p = buf;
    out->len = 1;
    out->is_list = 0;
    out->offset = base_off;
    out->total = 1;
    return RLP_OK;
  }
  if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
    is_list = b >= 0xc0;
    hdr = 1;
    plen = (size_t)(b - (is_list ? 0xc0 : 0x80));
  } else {
    is_list = b >= 0xf8;
    size_t ll = (size_t)(b - (is_list ? 0xf7 : 0xb7));
    if (len < 1 + ll) return fail(err_off, base_off, RLP_E_TRUNCATED);
    if (buf[1] == 0) return fail(err_off, base_off + 1, RLP_E_NONCANON);
    if (ll > sizeof(size_t)) return fail(err_off, base_off, RLP_E_MALFORMED);
    plen = 0;
    for (size_t i = 0; i < ll; i++) plen = (plen << 8) | buf[1 + i];
    if (plen <= 55) return fail(err_off, base_off, RLP_E_NONCANON);
    hdr = 1 + ll;
  }
  if (plen > len - hdr) return fail(err_off, base_off, RLP_E_TRUNCATED);
  /* A single byte below 0x80 has its own encoding and must not be wrapped. */
  if (!is_list && plen == 1 && hdr == 1 && buf[1] < 0x80) return fail(err_off, base_off, RLP_E_NONCANON);
  out->p = buf + hdr;
  out->len = plen;
  out->is_list = is_list;
  out->offset = base_off;
  out->total = hdr + plen;
  return RLP_OK;
}

int rlp_decode_whole(const uint8_t *buf, size_t len, rlp_item *out, size_t *err_off) {
  int rc = rlp_decode(buf, len, 0, out, err_off);
  if (rc != RLP_OK) return rc;
  if (out->total != len) return fail(err_off, out->total, RLP_E_MALFORMED);
  return RLP_OK;
}

void rlp_iter_init(rlp_iter *it, const rlp_item *list) {
  it->p = list->p;
  it->len = list->len;
  it->pos = 0;
  it->base_off = list->offset + (list->total - list->len);
}

int rlp_iter_next(rlp_iter *it, rlp_item *out, size_t *err_off) {
  if (it->pos == it->len) return 0;
  int rc = rlp_decode(it->p + it->pos, it->len - it->pos, it->base_off + it->pos, out, err_off);
  if (rc != RLP_OK) return rc;
  it->pos += out->total;
  return 1;
}

int rlp_list(const rlp_item *list, rlp_item *items, size_t max, size_t *n, size_t *err_off) {
  if (!list->is_list) return fail(err_off, list->offset, RLP_E_TYPE);
  rlp_iter it;
  rlp_iter_init(&it, list);
  size_t k = 0;
  rlp_item tmp;
  for (;;) {
    int rc = rlp_iter_next(&it, k < max ? &items[k] : &tmp, err_off);
    if (rc < 0) return rc;
    if (rc == 0) break;
    if (k == max) return fail(err_off, tmp.offset, RLP_E_RANGE);
    k++;
  }
  *n = k;
  return RLP_OK;
}

static int scalar_check(const rlp_item *it, size_t max) {
  if (it->is_list) return RLP_E_TYPE;
  if (it->len > max) return RLP_E_RANGE;
  if (it->len > 0 && it->p[0] == 0) return RLP_E_RANGE;
  return RLP_OK;
}

int rlp_get_u64(const rlp_item *it, uint64_t *out) {
  int rc = scalar_check(it, 8);
  if (rc != RLP_OK) return rc;
  uint64_t v = 0;
  for (size_t i = 0; i < it->len; i++) v = (v << 8) | it->p[i];
  *out = v;
  return RLP_OK;
}

int rlp_get_u256(const rlp_item *it, uint8_t out[32]) {
  int rc = scalar_check(it, 32);
  if (rc != RLP_OK) return rc;
  memset(out, 0, 32 - it->len);
  if (it->len) memcpy(out + 32 - it->len, it->p, it->len);
  return RLP_OK;
}

int rlp_get_fixed(const rlp_item *it, uint8_t *out, size_t n) {
  if (it->is_list) return RLP_E_TYPE;
  if (it->len != n) return RLP_E_RANGE;
  if (n) memcpy(out, it->p, n);
  return RLP_OK;
}

/* ---- encoder ---- */

void rlp_enc_init(rlp_enc *e) { memset(e, 0, sizeof *e); }

void rlp_enc_free(rlp_enc *e) {
  free(e->buf);
  memset(e, 0, sizeof *e);
}

static int reserve(rlp_enc *e, size_t extra) {
  if (e->err) return 0;
  if (extra > SIZE_MAX / 2 - e->len) {
    e->err = RLP_E_NOMEM;
    return 0;
  }
  if (e->len + extra <= e->cap) return 1;
  size_t cap = e->cap ? e->cap : 256;
  while (cap < e->len + extra) cap *= 2;
  uint8_t *nb = realloc(e->buf, cap);
  if (!nb) {
    e->err = RLP_E_NOMEM;
    return 0;
  }
  e->buf = nb;
  e->cap = cap;
  return 1;
}

size_t rlp_header_len(size_t len) {
  if (len <= 55) return 1;
  size_t n = 0;
  for (size_t v = len; v; v >>= 8) n++;
  return 1 + n;
}

static void write_header(uint8_t *dst, size_t len, uint8_t base) {
  if (len <= 55) {
    dst[0] = (uint8_t)(base + len);
    return;
  }
  size_t n = rlp_header_len(len) - 1;
  dst[0] = (uint8_t)(base + 55 + n);
  for (size_t i = 0; i < n; i++) dst[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

void rlp_put_bytes(rlp_enc *e, const void *data, size_t len) {
  const uint8_t *d = data;
  if (len == 1 && d[0] < 0x80) {
    if (!reserve(e, 1)) return;
    e->buf[e->len++] = d[0];
    return;
  }
  size_t h = rlp_header_len(len);
  if (!reserve(e, h + len)) return;
  write_header(e->buf + e->len, len, 0x80);
  e->len += h;
  if (len) memcpy(e->buf + e->len, d, len);
  e->len += len;
}

void rlp_put_u64(rlp_enc *e, uint64_t v) {
  uint8_t be[8];
  size_t n = 0;
  for (int i = 7; i >= 0; i--) {
    uint8_t byte = (uint8_t)(v >> (8 * i));
    if (n == 0 && byte == 0) continue;
    be[n++] = byte;
  }
  rlp_put_bytes(e, be, n);
}

void rlp_put_u256(rlp_enc *e, const uint8_t be[32]) {
  size_t z = 0;
  while (z < 32 && be[z] == 0) z++;
  rlp_put_bytes(e, be + z, 32 - z);
}

void rlp_put_raw(rlp_enc *e, const void *encoded, size_t len) {
  if (!reserve(e, len)) return;
  if (len) memcpy(e->buf + e->len, encoded, len);
  e->len += len;
}

void rlp_list_begin(rlp_enc *e) {
  if (e->err) return;
  if (e->depth == RLP_MAX_DEPTH) {
    e->err = RLP_E_DEPTH;
    return;
  }
  e->stack[e->depth++] = e->len;
}

void rlp_list_end(rlp_enc *e) {
  if (e->err) return;
  if (e->depth == 0) {
    e->err = RLP_E_DEPTH;
    return;
  }
  size_t start = e->stack[--e->depth];
  size_t plen = e->len - start;
  size_t h = rlp_header_len(plen);
  if (!reserve(e, h)) return;
  memmove(e->buf + start + h, e->buf + start, plen);
  write_header(e->buf + start, plen, 0xc0);
  e->len += h;
}

int rlp_enc_finish(rlp_enc *e, uint8_t **out, size_t *len) {
  int rc = e->err ? e->err : (e->depth ? RLP_E_DEPTH : RLP_OK);
  if (rc != RLP_OK || e->len == 0) {
    *out = NULL;
    *len = 0;
    rlp_enc_free(e);
    return rc;
  }
  *out = e->buf;
  *len = e->len;
  memset(e, 0, sizeof *e);
  return RLP_OK;
}
