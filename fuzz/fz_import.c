/* Fuzz target: the state-test fixture importer (harness/fix.h) on arbitrary bytes.
 *
 * Built for libFuzzer by scripts/fuzz.sh and for AFL++ (persistent mode) by
 * scripts/fuzz-afl.sh; seeds are small ethereum/tests state tests
 * (fuzz/seeds/import/). Invariants, beyond no sanitizer report:
 *  - the answer is FIX_OK or one of the FIX_E_* codes, and on error the
 *    error record carries the same code and a non-empty message, and the
 *    file is left empty (nothing to free);
 *  - on success every case that is not skipped holds a block that passes
 *    blk_validate, encodes, decodes back and re-encodes to the same bytes,
 *    with its one transaction; a skipped case holds an empty block;
 *  - importing the same bytes twice gives the same blocks (the importer signs
 *    some transactions: signing must be deterministic).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"
#include "fix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Canonical bytes of every case's block, concatenated with their lengths
 * (NULL, 0 when there are none); aborts when a block fails its round trip. */
static uint8_t *encode_cases(const fix_file *f, size_t *total) {
  uint8_t *all = NULL;
  *total = 0;
  for (size_t i = 0; i < f->n_cases; i++) {
    const fix_case *c = &f->cases[i];
    if (c->skip[0]) {
      if (c->block.n_txs || c->block.n_accounts || c->block.n_codes) abort();
      continue;
    }
    if (c->test == NULL || c->block.n_txs != 1 || (unsigned)c->fork >= BLK_FORK_COUNT) abort();
    blk_error e;
    if (blk_validate(&c->block, &e) != BLK_OK) abort();
    uint8_t *enc;
    size_t len;
    if (blk_encode(&c->block, &enc, &len) != BLK_OK) abort();
    blk_block back;
    if (blk_decode(enc, len, &back, &e) != BLK_OK) abort();
    uint8_t *enc2;
    size_t len2;
    if (blk_encode(&back, &enc2, &len2) != BLK_OK) abort();
    if (len2 != len || memcmp(enc, enc2, len) != 0) abort();
    blk_free(&back);
    free(enc2);
    uint8_t *grown = realloc(all, *total + sizeof len + len);
    if (!grown) abort();
    all = grown;
    memcpy(all + *total, &len, sizeof len);
    memcpy(all + *total + sizeof len, enc, len);
    *total += sizeof len + len;
    free(enc);
  }
  return all;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fix_file f;
  fix_error err;
  memset(&err, 0, sizeof err);
  int rc = fix_parse((const char *)data, size, "fuzz", NULL, &f, &err);
  if (rc != FIX_OK) {
    if (rc < FIX_E_BLOCK || rc > FIX_E_NOMEM) abort();
    if (err.code != rc || err.msg[0] == 0 || memchr(err.msg, 0, sizeof err.msg) == NULL) abort();
    if (f.cases || f.n_cases || f.path) abort();
    return 0;
  }
  if (f.n_cases && !f.cases) abort();
  size_t n1, n2;
  uint8_t *e1 = encode_cases(&f, &n1);
  fix_file g;
  if (fix_parse((const char *)data, size, "fuzz", NULL, &g, &err) != FIX_OK) abort();
  if (g.n_cases != f.n_cases || g.n_tests != f.n_tests) abort();
  uint8_t *e2 = encode_cases(&g, &n2);
  if (n1 != n2 || (n1 && memcmp(e1, e2, n1) != 0)) abort();
  free(e1);
  free(e2);
  fix_file_free(&f);
  fix_file_free(&g);
  return 0;
}

#ifdef PKB_FUZZ_AFL
/* AFL++ persistent mode: the test case arrives in shared memory and one
 * process runs many of them. */
#include <unistd.h>
__AFL_FUZZ_INIT();
int main(void) {
  __AFL_INIT();
  const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
  while (__AFL_LOOP(10000)) LLVMFuzzerTestOneInput(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
  return 0;
}
#endif
