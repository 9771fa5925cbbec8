/* Fuzz target: the block decoder.
 *
 * Built for libFuzzer (clang -fsanitize=fuzzer) and for AFL++ (afl-clang-fast
 * with the same flag, persistent mode) by scripts/fuzz.sh. Invariants, beyond
 * no sanitizer report: a rejected input names an offset inside the input, and
 * an accepted input re-encodes to exactly the same bytes (canonical form). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  blk_block b;
  blk_error err;
  int rc = blk_decode(data, size, &b, &err);
  if (rc != BLK_OK) {
    if (err.offset > size || err.msg == NULL) abort();
    if (b.txs || b.accounts || b.codes) abort();
    return 0;
  }
  uint8_t *out;
  size_t len;
  if (blk_encode(&b, &out, &len) != BLK_OK) abort();
  if (len != size || memcmp(out, data, size) != 0) abort();
  free(out);
  blk_free(&b);
  return 0;
}
