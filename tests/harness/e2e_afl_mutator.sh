#!/usr/bin/env bash
# The AFL++ custom mutator as AFL++ loads it: scripts/build-afl-mutator.sh
# builds the .so, a small driver dlopen()s it and calls afl_custom_init /
# afl_custom_fuzz / afl_custom_deinit as afl-fuzz does (chains of mutations
# from smoke blocks, with and without a splicing partner), and every block it
# wrote must decode (pkbench run --no-prove: no invalid, no unreadable block).
# Usage: e2e_afl_mutator.sh PATH/TO/pkbench   (run from the repository root by ctest)
# Exit 77 (skipped) when no C compiler or nm is found.
set -u
PKB=${1:?usage: e2e_afl_mutator.sh PATH/TO/pkbench}
CC=${CC:-cc}
command -v "$CC" >/dev/null && command -v nm >/dev/null || { echo "e2e_afl_mutator: no $CC or nm; skipped"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

scripts/build-afl-mutator.sh "$T/afl_mutator.so" >"$T/build.log" 2>&1 || { cat "$T/build.log"; echo "FAIL: build"; exit 1; }

cat >"$T/driver.c" <<'EOF'
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef void *(*init_fn)(void *, unsigned);
typedef size_t (*fuzz_fn)(void *, uint8_t *, size_t, uint8_t **, uint8_t *, size_t, size_t);
typedef void (*deinit_fn)(void *);
static uint8_t *slurp(const char *p, size_t *n) {
  FILE *f = fopen(p, "rb");
  if (!f) return NULL;
  uint8_t *b = malloc(1 << 20);
  *n = b ? fread(b, 1, 1 << 20, f) : 0;
  fclose(f);
  return b;
}
int main(int argc, char **argv) { /* SO OUTDIR PARTNER FILE... */
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  init_fn init = (init_fn)dlsym(h, "afl_custom_init");
  fuzz_fn fuzz = (fuzz_fn)dlsym(h, "afl_custom_fuzz");
  deinit_fn deinit = (deinit_fn)dlsym(h, "afl_custom_deinit");
  if (!init || !fuzz || !deinit) { fprintf(stderr, "missing afl_custom_* symbol\n"); return 1; }
  void *m = init(NULL, 1);
  size_t pn;
  uint8_t *partner = slurp(argv[3], &pn);
  if (!m || !partner) return 1;
  int written = 0;
  for (int a = 4; a < argc; a++) {
    size_t n;
    uint8_t *cur = slurp(argv[a], &n);
    if (!cur) return 1;
    for (int k = 0; k < 40; k++) {
      uint8_t *out;
      size_t got = fuzz(m, cur, n, &out, k % 3 ? NULL : partner, k % 3 ? 0 : pn, 1 << 20);
      if (got == 0 || got > (1 << 20)) { fprintf(stderr, "%s: step %d: %zu bytes\n", argv[a], k, got); return 1; }
      memcpy(cur, out, got);
      n = got;
      if (k % 8 == 7) {
        char path[4096];
        snprintf(path, sizeof path, "%s/m%03d.blk", argv[2], written++);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(cur, 1, n, f) != n) return 1;
        fclose(f);
      }
    }
    free(cur);
  }
  deinit(m);
  free(partner);
  printf("%d\n", written);
  return 0;
}
EOF
"$CC" -std=c11 -D_GNU_SOURCE -O1 -o "$T/driver" "$T/driver.c" -ldl || { echo "FAIL: driver build"; exit 1; }
mkdir -p "$T/out"
n=$("$T/driver" "$T/afl_mutator.so" "$T/out" corpus/smoke/call_1M.blk \
      corpus/smoke/mulmod_1M.blk corpus/smoke/transfers_1M.blk corpus/smoke/modexp_even_1M.blk \
      corpus/smoke/sstore_new_1M.blk) || { echo "FAIL: driver"; exit 1; }
summary=$("$PKB" run --no-prove --db "$T/x.db" "$T/out" 2>&1 | grep '^run 1:')
echo "e2e_afl_mutator: $n blocks written; $summary"
if grep -q "$n blocks recorded" <<<"$summary" && grep -q " 0 invalid" <<<"$summary" && grep -q " 0 unreadable" <<<"$summary"; then
  exit 0
fi
echo "FAIL: some blocks the mutator wrote do not decode"
exit 1
