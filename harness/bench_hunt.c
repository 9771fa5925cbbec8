/* bench_hunt: how fast the hunt evaluates candidates compared with executing
 * the same blocks plainly.
 *
 * The hunt's claim is that scoring a candidate costs about one plain
 * execution: the counting collector takes the executor's step count instead
 * of a callback per instruction and stores no values. This area measures it
 * on the blocks the hunt actually scores: every worst-case scenario and a
 * fixed sample of random genomes, all at the hunt's evaluation gas (2M).
 * Three figures, each a median over repetitions of the whole set:
 *   plain   evm_execute_block with no tracer (blocks per second)
 *   eval    hunt_eval_block, the block phase's evaluation: execution with
 *           the counting collector, the stateless witness and the estimate
 *   genome  hunt_eval, the genome phase's evaluation: build the block from
 *           the genome, then hunt_eval_block (its plain counterpart builds
 *           and executes)
 * and the ratios eval/plain and genome/(build + plain) in percent (100:
 * as fast as plain execution). One thread, as the hunt runs.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "evm/evm.h"
#include "gen.h"
#include "hunt.h"

#define BH_GENOMES 32

typedef struct {
  blk_block *blocks;
  size_t n;
  hunt_genome g[BH_GENOMES];
  unsigned ng;
} bh_set;

static void bh_free(bh_set *s) {
  for (size_t i = 0; i < s->n; i++) blk_free(&s->blocks[i]);
  free(s->blocks);
}

/* splitmix64: a fixed genome sample, the same on every run */
static uint64_t bh_rnd(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int bh_build(const hunt_opts *o, int quick, bh_set *s) {
  memset(s, 0, sizeof *s);
  size_t ns = gen_scenario_count();
  if (quick && ns > 8) ns = 8;
  s->blocks = calloc(ns + BH_GENOMES, sizeof *s->blocks);
  if (!s->blocks) return -1;
  gen_params p = {o->eval_gas, o->fork, 0};
  for (size_t i = 0; i < ns; i++) {
    if (gen_worst_case(gen_scenario_name(i), &p, &s->blocks[s->n]) != GEN_OK) return -2;
    s->n++;
  }
  uint64_t x = 1;
  unsigned want = quick ? 4 : BH_GENOMES;
  while (s->ng < want) {
    hunt_genome g;
    memset(&g, 0, sizeof g);
    g.n = 1 + (unsigned)(bh_rnd(&x) % 6);
    for (unsigned k = 0; k < g.n; k++) g.pat[k] = (uint8_t)(bh_rnd(&x) % hunt_pattern_count());
    g.unroll = 1u << (bh_rnd(&x) % 6);
    if (hunt_build(&g, o->eval_gas, o->fork, &s->blocks[s->n]) != HUNT_OK) continue; /* too long a body */
    s->g[s->ng++] = g;
    s->n++;
  }
  return 0;
}

/* One pass over the set; returns its wall time in ms, < 0 on error. what:
 * 0 plain execution, 1 hunt_eval_block, 2 build + plain (genomes only),
 * 3 hunt_eval (genomes only). */
static double bh_pass(const hunt_opts *o, const bh_set *s, int what) {
  size_t first_genome = s->n - s->ng;
  double t0 = bench_now_ms();
  for (size_t i = 0; i < s->n; i++) {
    int genome = i >= first_genome;
    if (what >= 2 && !genome) continue;
    const hunt_genome *g = genome ? &s->g[i - first_genome] : NULL;
    hunt_score sc;
    if (what == 0 || what == 2) {
      blk_block built;
      const blk_block *b = &s->blocks[i];
      if (what == 2) {
        if (hunt_build(g, o->eval_gas, o->fork, &built) != HUNT_OK) return -1;
        b = &built;
      }
      evm_block_result r;
      int rc = evm_execute_block(b, NULL, &r);
      evm_block_result_free(&r);
      if (what == 2) blk_free(&built);
      if (rc != EVM_OK) return -1;
    } else if (what == 1) {
      if (hunt_eval_block(o, &s->blocks[i], &sc) != HUNT_OK) return -1;
    } else if (hunt_eval(o, g, &sc) != HUNT_OK) {
      return -1;
    }
  }
  return bench_now_ms() - t0;
}

int bench_hunt_run(const bench_opts *bo, bench_emit_fn emit, void *ctx) {
  hunt_opts o = hunt_opts_default();
  bh_set s;
  int rc = bh_build(&o, bo->quick, &s);
  if (rc) {
    bh_free(&s);
    return rc;
  }
  enum { REPS = 5 };
  int reps = bo->quick ? 1 : REPS;
  double med[4];
  for (int what = 0; what < 4; what++) {
    double t[REPS];
    for (int r = 0; r < reps; r++) {
      t[r] = bh_pass(&o, &s, what);
      if (t[r] < 0) {
        bh_free(&s);
        return -3;
      }
    }
    med[what] = bench_median(t, reps);
  }
  static const char *const names[4] = {"plain", "eval", "build+plain", "genome"};
  for (int what = 0; what < 4; what++) {
    uint64_t n = what < 2 ? s.n : s.ng;
    bench_result br = {"hunt", names[what], n, 1, med[what], med[what] > 0 ? (double)n / (med[what] / 1e3) : 0,
                       "blocks", NULL};
    emit(ctx, &br);
  }
  /* speed relative to plain execution, in percent of its rate */
  bench_result r1 = {"hunt", "eval/plain", s.n, 1, med[1], med[1] > 0 ? 100.0 * med[0] / med[1] : 0, "percent", NULL};
  bench_result r2 = {"hunt", "genome/(build+plain)", s.ng, 1, med[3], med[3] > 0 ? 100.0 * med[2] / med[3] : 0,
                     "percent", NULL};
  emit(ctx, &r1);
  emit(ctx, &r2);
  bh_free(&s);
  return 0;
}
