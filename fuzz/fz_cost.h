/* fz_cost: proving-cost feedback for the fuzz targets, in the style of PerfFuzz.
 *
 * Code coverage alone keeps an input only when it reaches new code; a prover
 * killer reaches the same code as a harmless block, only more of the costly
 * parts per unit of gas. So the targets that execute blocks also report the
 * estimated proving cost (model.h, the smooth estimate the hunt ranks with)
 * as coverage: for each trace table (cpu, memory, storage, keccak, arith,
 * precomp, ecrecover) and for the total, the cost per gas is put in a
 * logarithmic bucket
 *     bucket = floor(FZ_COST_STEPS * log2(picoseconds per gas)) + 1
 * clamped to 1 .. FZ_COST_BUCKETS - 1 (bucket 0: the table has no rows), and
 * every bucket from 1 up to it is marked ("thermometer" code). An input is
 * then new coverage exactly when it lifts some table's cost per gas above
 * the highest bucket reached so far: the fuzzer keeps new maxima, as PerfFuzz
 * keeps inputs that raise an edge's maximum count, and never keeps an input
 * for being cheaper. The gas under the ratio is at least FZ_COST_MIN_GAS, so
 * a block whose transactions are all rejected (zero gas, yet signatures to
 * recover) does not divide by zero or win by it.
 *
 * How the marks reach the fuzzer:
 *  - libFuzzer: an array in the section __libfuzzer_extra_counters, which
 *    libFuzzer clears before each input and reads as extra edge counters;
 *  - AFL++ (built with afl-clang-fast, which defines __AFL_COMPILER): a call
 *    per mark to one of FZ_COST_SLOTS * FZ_COST_BUCKETS distinct functions,
 *    each of which afl-clang-fast instruments with edges of its own.
 * Both are kept in fz_cost_marks too, which a test (or a target's debug
 * mode) reads.
 *
 * Header-only (everything static): each target includes its own copy. Called
 * once per input, after the block was executed; the cost is a few
 * microseconds.
 */
#ifndef PKB_FZ_COST_H
#define PKB_FZ_COST_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "model.h"
#include "trace/trace.h"

#define FZ_COST_STEPS 2             /* buckets per doubling of cost per gas */
#define FZ_COST_BUCKETS 64          /* per slot; covers 1 ps .. 2^31.5 ps per gas */
#define FZ_COST_TOTAL TRACE_COUNT   /* the slot of the total estimate */
#define FZ_COST_SLOTS (TRACE_COUNT + 1)
#define FZ_COST_MIN_GAS 21000u      /* one plain transaction */

/* One byte per (slot, bucket), slot-major. libFuzzer reads it directly. */
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
    fz_cost_marks[FZ_COST_SLOTS * FZ_COST_BUCKETS];

/* Bucket of a cost of ms milliseconds for gas units of gas (see the file
 * comment). Pure: the unit test checks it at bucket edges. */
static inline unsigned fz_cost_bucket(double ms, uint64_t gas) {
  if (!(ms > 0)) return 0;
  if (gas < FZ_COST_MIN_GAS) gas = FZ_COST_MIN_GAS;
  double ps = ms * 1e9 / (double)gas;
  if (ps < 1) return 1;
  double b = floor(FZ_COST_STEPS * log2(ps)) + 1;
  return b >= FZ_COST_BUCKETS - 1 ? FZ_COST_BUCKETS - 1 : (unsigned)b;
}

#ifdef __AFL_COMPILER
/* AFL++: distinct functions, so distinct instrumented edges. Each body
 * differs (its own constant) and branches, so no pass merges two of them or
 * leaves one without an edge of its own. */
static volatile unsigned fz_cost_sink;
#define FZ_COST_EDGE_FN(x)                                    \
  static __attribute__((noinline)) void fz_cost_edge_##x(void) { \
    if (fz_cost_sink & 1u) fz_cost_sink += 0x##x##u;          \
    else fz_cost_sink ^= 0x##x##u;                            \
  }
#define FZ_COST_EDGE_PTR(x) fz_cost_edge_##x,
#define FZ_COST_HEX16(M, pre) \
  M(pre##0) M(pre##1) M(pre##2) M(pre##3) M(pre##4) M(pre##5) M(pre##6) M(pre##7) \
  M(pre##8) M(pre##9) M(pre##a) M(pre##b) M(pre##c) M(pre##d) M(pre##e) M(pre##f)
#define FZ_COST_HEX1024(M)                                                                          \
  FZ_COST_HEX16(M, 0) FZ_COST_HEX16(M, 1) FZ_COST_HEX16(M, 2) FZ_COST_HEX16(M, 3)                   \
  FZ_COST_HEX16(M, 4) FZ_COST_HEX16(M, 5) FZ_COST_HEX16(M, 6) FZ_COST_HEX16(M, 7)                   \
  FZ_COST_HEX16(M, 8) FZ_COST_HEX16(M, 9) FZ_COST_HEX16(M, a) FZ_COST_HEX16(M, b)                   \
  FZ_COST_HEX16(M, c) FZ_COST_HEX16(M, d) FZ_COST_HEX16(M, e) FZ_COST_HEX16(M, f)                   \
  FZ_COST_HEX16(M, 10) FZ_COST_HEX16(M, 11) FZ_COST_HEX16(M, 12) FZ_COST_HEX16(M, 13)               \
  FZ_COST_HEX16(M, 14) FZ_COST_HEX16(M, 15) FZ_COST_HEX16(M, 16) FZ_COST_HEX16(M, 17)               \
  FZ_COST_HEX16(M, 18) FZ_COST_HEX16(M, 19) FZ_COST_HEX16(M, 1a) FZ_COST_HEX16(M, 1b)               \
  FZ_COST_HEX16(M, 1c) FZ_COST_HEX16(M, 1d) FZ_COST_HEX16(M, 1e) FZ_COST_HEX16(M, 1f)               \
  FZ_COST_HEX16(M, 20) FZ_COST_HEX16(M, 21) FZ_COST_HEX16(M, 22) FZ_COST_HEX16(M, 23)               \
  FZ_COST_HEX16(M, 24) FZ_COST_HEX16(M, 25) FZ_COST_HEX16(M, 26) FZ_COST_HEX16(M, 27)               \
  FZ_COST_HEX16(M, 28) FZ_COST_HEX16(M, 29) FZ_COST_HEX16(M, 2a) FZ_COST_HEX16(M, 2b)               \
  FZ_COST_HEX16(M, 2c) FZ_COST_HEX16(M, 2d) FZ_COST_HEX16(M, 2e) FZ_COST_HEX16(M, 2f)               \
  FZ_COST_HEX16(M, 30) FZ_COST_HEX16(M, 31) FZ_COST_HEX16(M, 32) FZ_COST_HEX16(M, 33)               \
  FZ_COST_HEX16(M, 34) FZ_COST_HEX16(M, 35) FZ_COST_HEX16(M, 36) FZ_COST_HEX16(M, 37)               \
  FZ_COST_HEX16(M, 38) FZ_COST_HEX16(M, 39) FZ_COST_HEX16(M, 3a) FZ_COST_HEX16(M, 3b)               \
  FZ_COST_HEX16(M, 3c) FZ_COST_HEX16(M, 3d) FZ_COST_HEX16(M, 3e) FZ_COST_HEX16(M, 3f)
FZ_COST_HEX1024(FZ_COST_EDGE_FN)
static void (*const fz_cost_edges[])(void) = {FZ_COST_HEX1024(FZ_COST_EDGE_PTR)};
_Static_assert(sizeof fz_cost_edges / sizeof fz_cost_edges[0] >= FZ_COST_SLOTS * FZ_COST_BUCKETS,
               "one AFL++ edge per (slot, bucket)");
#endif

/* Mark buckets 1 .. bucket of slot. */
static inline void fz_cost_mark(unsigned slot, unsigned bucket) {
  for (unsigned k = 1; k <= bucket; k++) {
    fz_cost_marks[slot * FZ_COST_BUCKETS + k] = 1;
#ifdef __AFL_COMPILER
    fz_cost_edges[slot * FZ_COST_BUCKETS + k]();
#endif
  }
}

/* Clear the marks. libFuzzer does it itself before each input; the AFL++
 * edges need nothing; tests and debug modes call it. */
static inline void fz_cost_reset(void) { memset(fz_cost_marks, 0, sizeof fz_cost_marks); }

/* Highest marked bucket of slot (0 when none). */
static inline unsigned fz_cost_marked(unsigned slot) {
  unsigned top = 0;
  for (unsigned k = 1; k < FZ_COST_BUCKETS; k++)
    if (fz_cost_marks[slot * FZ_COST_BUCKETS + k]) top = k;
  return top;
}

/* Report a block's table heights (rows, as the trace collector counted them,
 * cpu rows included) and gas: estimate, bucket and mark every slot. The
 * buckets go to out[FZ_COST_SLOTS] when out is not NULL. */
static inline void fz_cost_feed(const uint64_t rows[TRACE_COUNT], uint64_t gas_used, unsigned out[FZ_COST_SLOTS]) {
  static model_profile profile;
  static int have_profile;
  if (!have_profile) {
    profile = model_profile_default();
    have_profile = 1;
  }
  model_estimate e;
  model_estimate_rows_smooth(&profile, rows, profile.log_shard, &e);
  for (unsigned s = 0; s < FZ_COST_SLOTS; s++) {
    double ms = s == FZ_COST_TOTAL ? e.total_ms : e.table_ms[s];
    unsigned b = fz_cost_bucket(ms, gas_used);
    fz_cost_mark(s, b);
    if (out) out[s] = b;
  }
}

#endif
