/* rlp: Recursive Length Prefix encoding, strict decoding and a growing encoder.
 *
 * RLP is the serialisation of the ecosystem: transactions, trie nodes, receipts
 * and pkbench's own block files use it. The decoder is strict: it accepts only
 * the canonical form (a single byte below 0x80 is never wrapped, long lengths
 * are used only above 55 bytes and have no leading zero bytes), so a value has
 * one encoding and re-encoding a decoded value gives the same bytes. Items are
 * views into the caller's buffer; nothing is copied or allocated while decoding.
 * Offsets are absolute byte offsets in the outermost buffer, for error messages.
 */
#ifndef PKB_RLP_H
#define PKB_RLP_H

#include <stddef.h>
#include <stdint.h>

enum {
  RLP_OK = 0,
  RLP_E_TRUNCATED = -1, /* item header or payload runs past the end */
  RLP_E_MALFORMED = -2, /* length field impossible (e.g. overflows) */
  RLP_E_NONCANON = -3,  /* valid but not canonical encoding */
  RLP_E_TYPE = -4,      /* list where a string was required or the reverse */
  RLP_E_RANGE = -5,     /* scalar too large or with a leading zero byte */
  RLP_E_NOMEM = -6,     /* encoder allocation failed */
  RLP_E_DEPTH = -7      /* encoder list nesting unbalanced or too deep */
};

typedef struct {
  const uint8_t *p; /* payload (string bytes, or the concatenated list items) */
  size_t len;       /* payload length */
  int is_list;
  size_t offset;    /* absolute offset of the item's first header byte */
  size_t total;     /* header + payload bytes */
} rlp_item;

/* Decode the one item starting at buf[0] (at most len bytes available).
 * base_off is the absolute offset of buf[0], added to item offsets.
 * Returns RLP_OK, RLP_E_TRUNCATED, RLP_E_MALFORMED or RLP_E_NONCANON; on error
 * *err_off (if non-NULL) is the absolute offset of the offending byte. */
int rlp_decode(const uint8_t *buf, size_t len, size_t base_off, rlp_item *out, size_t *err_off);

/* Decode buf as exactly one item: any bytes after it are RLP_E_MALFORMED
 * (reported at the first trailing byte). */
int rlp_decode_whole(const uint8_t *buf, size_t len, rlp_item *out, size_t *err_off);

/* Iterate over the items of a list item. */
typedef struct {
  const uint8_t *p;
  size_t len, pos, base_off;
} rlp_iter;
void rlp_iter_init(rlp_iter *it, const rlp_item *list); /* list->is_list must hold */
/* 1: *out is the next item; 0: end of list; <0: error code (err_off set). */
int rlp_iter_next(rlp_iter *it, rlp_item *out, size_t *err_off);

/* Split a list into at most max items; *n is the count found. A list with more
 * than max items is RLP_E_RANGE. */
int rlp_list(const rlp_item *list, rlp_item *items, size_t max, size_t *n, size_t *err_off);

/* Canonical scalars: a string of at most 8 (resp. 32) bytes with no leading
 * zero byte; zero is the empty string. RLP_E_TYPE for a list, RLP_E_RANGE for
 * too long or a leading zero. rlp_get_u256 writes 32 big-endian bytes. */
int rlp_get_u64(const rlp_item *it, uint64_t *out);
int rlp_get_u256(const rlp_item *it, uint8_t out[32]);
/* A string of exactly n bytes (addresses, hashes): RLP_E_RANGE otherwise. */
int rlp_get_fixed(const rlp_item *it, uint8_t *out, size_t n);

/* Encoder. Errors are sticky: calls after an allocation failure do nothing and
 * rlp_enc_finish reports RLP_E_NOMEM. */
#define RLP_MAX_DEPTH 32
typedef struct {
  uint8_t *buf;
  size_t len, cap;
  int err;
  int depth;
  size_t stack[RLP_MAX_DEPTH]; /* payload start of each open list */
} rlp_enc;

void rlp_enc_init(rlp_enc *e);
void rlp_enc_free(rlp_enc *e); /* frees the buffer unless finished */
void rlp_put_bytes(rlp_enc *e, const void *data, size_t len);
void rlp_put_u64(rlp_enc *e, uint64_t v);
void rlp_put_u256(rlp_enc *e, const uint8_t be[32]); /* leading zeros stripped */
void rlp_put_raw(rlp_enc *e, const void *encoded, size_t len); /* an already encoded item */
void rlp_list_begin(rlp_enc *e);
void rlp_list_end(rlp_enc *e);
/* Hand the encoded bytes to the caller (malloc'd; free()). Fails with
 * RLP_E_DEPTH if lists are still open, or the sticky error. The encoder is
 * reset either way. An empty encoding yields *out == NULL, *len == 0. */
int rlp_enc_finish(rlp_enc *e, uint8_t **out, size_t *len);

/* Length of the header rlp would put before a payload of len bytes. */
size_t rlp_header_len(size_t len);

#endif
