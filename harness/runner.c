/* runner: execute, trace, shard, prove and verify one block (see runner.h).
 *
 * Every proof is serialised, parsed back and verified from the bytes, so what
 * is reported as verified is exactly what would be sent. The stateless
 * witness work of a zkEVM guest that the executor does not itself report is
 * added here: hashing the bytecode of every contract in the pre-state.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "cuda/cu.h"
#include "evm/evm.h"
#include "trace/trace_cols.h"

static const char *const phase_names[RUN_PHASE_COUNT] = {
#define X(id, name) name,
    RUN_PHASES(X)
#undef X
};

const char *run_phase_name(run_phase p) { return (unsigned)p < RUN_PHASE_COUNT ? phase_names[p] : "?"; }

run_opts run_opts_default(void) {
  run_opts o;
  memset(&o, 0, sizeof o); /* every option not named below is off */
  o.log_shard = 20;
  o.stark = stark_config_default();
  o.prove = 1;
  o.prove_tables = RUN_DEFAULT_TRACE_OPTS;
  o.profile = model_profile_default();
  snprintf(o.device, sizeof o.device, "cpu");
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) o.trace_max_bytes = (size_t)pages / 2 * (size_t)page;
  return o;
}

const char *run_backend_name(const run_opts *o) {
  return o->stark.backend == STARK_BACKEND_CUDA ? "cuda" : "cpu";
}

#define EMULATION_DEVICE "cuda emulation (CPU)"

int run_on_device(const run_opts *o) {
  return o->stark.backend == STARK_BACKEND_CUDA && strcmp(o->device, EMULATION_DEVICE) != 0;
}

/* The RUN_CUDA_FAIL_ENV test hook, once the cuda backend is chosen. */
static void arm_fail_hook(void) {
  const char *v = getenv(RUN_CUDA_FAIL_ENV);
  char *end;
  long k = v && *v ? strtol(v, &end, 10) : -1;
  if (v && *v && *end == 0 && k >= 0) cu_test_fail_alloc(k);
}

int run_select_backend(const char *name, run_opts *o, char *why, size_t len) {
  char dev[128];
  if (!name || (strcmp(name, "cpu") != 0 && strcmp(name, "cuda") != 0 && strcmp(name, "auto") != 0)) {
    if (why && len) snprintf(why, len, "unknown backend '%s' (cpu, cuda or auto)", name ? name : "");
    return RUN_E_ARG;
  }
  o->stark.backend = STARK_BACKEND_CPU;
  snprintf(o->device, sizeof o->device, "cpu");
  if (strcmp(name, "cpu") == 0) return RUN_OK;
  int have = cu_available(dev, sizeof dev);
  if (have) {
    cu_set_emulation(0);
    /* The device context and root tables now, so that no block's proving
     * time includes them (a prover keeps its GPU warm); a failure here
     * shows again, with its reason, in the first proof. */
    (void)cu_prepare();
    o->stark.backend = STARK_BACKEND_CUDA;
    snprintf(o->device, sizeof o->device, "%s", dev);
    arm_fail_hook();
    return RUN_OK;
  }
  if (strcmp(name, "auto") == 0) return RUN_OK;
  const char *emu = getenv(RUN_CUDA_EMULATE_ENV);
  if (emu && strcmp(emu, "1") == 0) {
    cu_set_emulation(1);
    o->stark.backend = STARK_BACKEND_CUDA;
    snprintf(o->device, sizeof o->device, EMULATION_DEVICE);
    arm_fail_hook();
    return RUN_OK;
  }
  if (why && len)
    snprintf(why, len, "backend cuda: %s (set %s=1 for the slow CPU emulation, tests only)", dev,
             RUN_CUDA_EMULATE_ENV);
  return RUN_E_DEVICE;
}

void run_block_result_free(run_block_result *r) {
  if (!r) return;
  free(r->shard_ms);
  free(r->shards);
  memset(r, 0, sizeof *r);
}

static int fail(run_block_result *r, int code, const char *fmt, const char *detail) {
  r->status = code;
  snprintf(r->reason, sizeof r->reason, fmt, detail);
  return code;
}

static int push_shard(run_block_result *r, trace_table_id id, size_t k, unsigned log_n, double ms) {
  double *n = realloc(r->shard_ms, (r->n_shards + 1) * sizeof *n);
  if (!n) return -1;
  r->shard_ms = n;
  run_shard *s = realloc(r->shards, (r->n_shards + 1) * sizeof *s);
  if (!s) return -1;
  r->shards = s;
  r->shards[r->n_shards].table = id;
  r->shards[r->n_shards].index = k;
  r->shards[r->n_shards].rows = (uint64_t)1 << log_n;
  r->shard_ms[r->n_shards++] = ms;
  return 0;
}

unsigned run_trace_opts(const run_opts *o) {
  return o->prove_tables;
}

void run_table_list(const run_opts *o, int proven, char *buf, size_t len) {
  size_t k = 0;
  if (len) buf[0] = 0;
  for (int i = 0; i < TRACE_COUNT && len; i++) {
    if (!trace_table_proven((trace_table_id)i, run_trace_opts(o)) != !proven) continue;
    /* without TRACE_OPT_LOOKUPS the range16, meminit and stoinit tables do not exist: not sized either */
    if (!trace_table_exists((trace_table_id)i, run_trace_opts(o))) continue;
    int w = snprintf(buf + k, len - k, "%s%s", k ? ", " : "", trace_table_name((trace_table_id)i));
    if (w < 0 || (size_t)w >= len - k) break;
    k += (size_t)w;
  }
}

unsigned run_log_shard(const run_opts *o, trace_table_id id) {
  unsigned cap = trace_max_log_shard(id, run_trace_opts(o));
  return o->log_shard > cap ? cap : o->log_shard;
}

/* How much the lookup's early commitments may hold for the proofs (host
 * memory with the CPU backend, device memory with CUDA); past it a shard's
 * LDE and tree are made again when it is proven. */
#define RUN_KEEP_HOST_BYTES ((size_t)2 << 30)
#define RUN_KEEP_DEVICE_BYTES ((size_t)16 << 30)
static size_t run_keep_budget(const run_opts *o) {
  return o->stark.backend == STARK_BACKEND_CUDA ? RUN_KEEP_DEVICE_BYTES : RUN_KEEP_HOST_BYTES;
}

/* The lookup argument of a block (TRACE_OPT_LOOKUPS): every shard of every
 * table with interactions is committed first (table then shard order), the
 * challenges are drawn from all those roots, and each such shard is then
 * proven and verified with them. The verifier side keeps the trace roots of
 * the proofs it parsed, in the same order, derives the challenges again from
 * them and adds up the cumulative sums, which must be zero. */
typedef struct {
  ext_t ch[2];
  bb_t *pub;            /* the public part of the block's proof (trace_public_values), npub values */
  size_t npub;
  const blk_block *pre; /* the block whose pre-state the verifier reads (trace_public_sum) */
  double *commit_ms;    /* per lookup shard, in order: its commitment before the challenges */
  stark_main_commit **kept; /* per lookup shard: that commitment kept for its proof, or NULL */
  size_t kept_bytes;        /* what the kept ones hold */
  size_t n, next;       /* lookup shards; how many have been proven */
  merkle_digest *roots; /* their trace roots before the challenges, in order */
  merkle_digest *seen;  /* trace roots of the verified proofs, in order */
  ext_t sum;            /* their cumulative sums, added */
} lk_block;

/* Prove and verify shards [k0, k1) of one table; t_start is when the block
 * began. lb NULL or t without interactions: stark_prove / stark_verify as
 * always; else shard k is lookup shard pos0 + k - k0 (the order of the
 * commitments). Shards are built into *buf (trace_shard_reuse; the caller
 * frees it). A shard's public values (trace_shard_public) are proven and
 * verified with it; chain (the cpu table's: every shard's CPU_PUBLIC
 * values, at k CPU_PUBLIC) receives those of shard k, for the caller's
 * trace_cpu_chain_check once every shard is verified (cpu_chain_check). */
static int prove_shards(const trace_table *t, const run_opts *o, run_block_result *r, run_table *rt, double t_start,
                        lk_block *lb, size_t k0, size_t k1, size_t pos0, bb_t **buf, size_t *cap, bb_t *chain) {
  const stark_air *air = trace_table_air(t);
  stark_lookup lk;
  const stark_lookup *lkp = NULL;
  if (lb && trace_table_lookup(t)) {
    lk = *trace_table_lookup(t);
    lk.challenges = lb->ch;
    lkp = &lk;
  }
  unsigned ls = run_log_shard(o, t->id);
  size_t shards = trace_shard_count(t, ls);
  if (k1 > shards) k1 = shards;
  for (size_t k = k0; k < k1; k++) {
    if (o->timeout_ms > 0 && bench_now_ms() - t_start > o->timeout_ms) {
      r->status = RUN_E_TIMEOUT;
      snprintf(r->reason, sizeof r->reason, "gave up after %.0f ms (%s shard %zu of %zu not proven)", o->timeout_ms,
               rt->name, k, shards);
      return RUN_E_TIMEOUT;
    }
    double t0 = bench_now_ms();
    unsigned log_n;
    if (trace_shard_reuse(t, ls, k, buf, cap, &log_n) != TRACE_OK)
      return fail(r, RUN_E_NOMEM, "%s: cannot build a shard", rt->name);
    r->phase_ms[RUN_PHASE_TRACE] += bench_now_ms() - t0;
    const bb_t *m = *buf;
    bb_t pubv[CPU_PUBLIC];
    const bb_t *pub = trace_shard_public(t->id, m, log_n, pubv) ? pubv : NULL;
    if (pub && chain) memcpy(chain + k * CPU_PUBLIC, pub, sizeof pubv);
    stark_proof proof;
    stark_timings tm;
    stark_main_commit *kc = NULL; /* the early commitment, when kept */
    size_t pos = pos0 + (k - k0);
    if (lkp) {
      kc = lb->kept[pos];
      lb->kept[pos] = NULL;
    }
    int rc = lkp ? stark_prove_lookup_kept(air, lkp, &o->stark, m, log_n, pub, kc, &proof, &tm)
                 : stark_prove(air, &o->stark, m, log_n, pub, &proof, &tm);
    if (rc == STARK_ERR_DEVICE) {
      char what[224];
      snprintf(what, sizeof what, "%s shard %zu on %s: %s (%s)", rt->name, k, o->device, cu_strerror(tm.device_rc),
               cu_last_error_string());
      return fail(r, RUN_E_DEVICE, "cuda backend failed: %s", what);
    }
    if (rc != STARK_OK) {
      char what[96];
      snprintf(what, sizeof what, "%s shard %zu (stark code %d)", rt->name, k, rc);
      return fail(r, rc == STARK_ERR_NOMEM ? RUN_E_NOMEM : RUN_E_PROVE, "prover refused %s", what);
    }
    for (unsigned x = 0; x < o->extra_work && rc == STARK_OK; x++) {
      /* deliberate extra work (a slowed prover for testing the gate) */
      stark_proof again;
      stark_timings t2;
      if ((lkp ? stark_prove_lookup(air, lkp, &o->stark, m, log_n, pub, &again, &t2)
               : stark_prove(air, &o->stark, m, log_n, pub, &again, &t2)) == STARK_OK) {
        stark_proof_free(&again);
        tm.total_ms += t2.total_ms;
        tm.lde_ms += t2.lde_ms;
      }
    }
    /* a lookup shard's commitment before the challenges is part of its time
     * (and of the commit phase, counted when it was made) */
    if (lkp) tm.total_ms += lb->commit_ms[pos];
    r->phase_ms[RUN_PHASE_LDE] += tm.lde_ms;
    r->phase_ms[RUN_PHASE_COMMIT] += tm.trace_commit_ms;
    r->phase_ms[RUN_PHASE_QUOTIENT] += tm.quotient_ms;
    r->phase_ms[RUN_PHASE_QUOTIENT_COMMIT] += tm.quotient_commit_ms;
    r->phase_ms[RUN_PHASE_OPEN] += tm.open_ms;
    r->phase_ms[RUN_PHASE_FRI] += tm.fri_commit_ms;
    r->phase_ms[RUN_PHASE_QUERIES] += tm.queries_ms;
    r->prove_ms += tm.total_ms;
    r->aux_ms += tm.aux_ms;
    rt->prove_ms += tm.total_ms;
    if (tm.peak_rss_kb > r->peak_rss_kb) r->peak_rss_kb = tm.peak_rss_kb;
    if (push_shard(r, t->id, k, log_n, tm.total_ms)) {
      stark_proof_free(&proof);
      return fail(r, RUN_E_NOMEM, "%s: out of memory", rt->name);
    }

    double v0 = bench_now_ms();
    uint8_t *bytes;
    size_t len;
    rc = stark_proof_serialize(&proof, &bytes, &len);
    stark_proof_free(&proof);
    if (rc != STARK_OK) return fail(r, RUN_E_NOMEM, "%s: cannot serialise a proof", rt->name);
    r->proof_bytes += len;
    stark_proof parsed;
    rc = stark_proof_deserialize(bytes, len, &parsed);
    free(bytes);
    if (rc == STARK_OK) {
      if (lkp) {
        ext_t cs;
        rc = stark_verify_lookup(air, lkp, &o->stark.fri, pub, &parsed, &cs);
        if (rc == STARK_OK) {
          lb->seen[pos] = parsed.trace_root;
          lb->sum = ext_add(lb->sum, cs);
        }
      } else {
        rc = stark_verify(air, &o->stark.fri, pub, &parsed);
      }
      stark_proof_free(&parsed);
    }
    if (lkp) lb->next++;
    r->phase_ms[RUN_PHASE_VERIFY] += bench_now_ms() - v0;
    if (rc != STARK_OK) {
      char what[96];
      snprintf(what, sizeof what, "%s shard %zu (stark code %d)", rt->name, k, rc);
      return fail(r, RUN_E_VERIFY, "proof of %s does not verify", what);
    }
    if (o->on_shard) o->on_shard(o->on_shard_ctx, r->n_shards, r->shards_total, rt->name);
  }
  return RUN_OK;
}

/* The chain of the cpu table's n verified shards (trace.h: shards in a
 * chain): RUN_OK, or RUN_E_VERIFY naming the shard that does not follow. */
static int cpu_chain_check(const bb_t *chain, size_t n, run_block_result *r) {
  size_t bad;
  if (trace_cpu_chain_check(chain, n, &bad) == TRACE_OK) return RUN_OK;
  char what[96];
  snprintf(what, sizeof what, "cpu shard %zu of %zu does not continue the one before it", bad, n);
  return fail(r, RUN_E_VERIFY, "%s", what);
}

/* Room for the public values of the n shards of t when it is the cpu table
 * (NULL otherwise, and *err set when out of memory). */
static bb_t *chain_alloc(const trace_table *t, size_t n, int *err) {
  *err = 0;
  if (t->id != TRACE_CPU || n == 0) return NULL;
  bb_t *c = calloc(n * CPU_PUBLIC, sizeof *c);
  if (!c) *err = 1;
  return c;
}

static int prove_table(const trace_table *t, const run_opts *o, run_block_result *r, run_table *rt, double t_start,
                       lk_block *lb) {
  bb_t *buf = NULL;
  size_t cap = 0, n = trace_shard_count(t, run_log_shard(o, t->id));
  int err;
  bb_t *chain = chain_alloc(t, n, &err);
  if (err) return fail(r, RUN_E_NOMEM, "%s", "cpu: out of memory");
  int rc = prove_shards(t, o, r, rt, t_start, lb, 0, SIZE_MAX, lb ? lb->next : 0, &buf, &cap, chain);
  if (rc == RUN_OK && chain) rc = cpu_chain_check(chain, n, r);
  free(buf);
  free(chain);
  if (rc == RUN_OK) rt->proven = 1;
  return rc;
}

/* Whether table t of a block is proven (o->prove aside). */
static int table_to_prove(const trace_table *t) { return trace_table_air(t) && t->rows > 0; }

/* Commit shards [k0, k1) of table t as lookup shards pos0 ... (roots,
 * commitments kept while the budget lasts), the shards built into *buf
 * (trace_shard_reuse; the caller frees it). */
static int commit_range(const trace_table *t, const run_opts *o, run_block_result *r, double t_start, lk_block *lb,
                        size_t k0, size_t k1, size_t pos0, bb_t **buf, size_t *cap) {
  unsigned ls = run_log_shard(o, t->id);
  size_t shards = trace_shard_count(t, ls);
  if (k1 > shards) k1 = shards;
  for (size_t k = k0; k < k1; k++) {
    size_t j = pos0 + (k - k0);
    if (o->timeout_ms > 0 && bench_now_ms() - t_start > o->timeout_ms) {
      r->status = RUN_E_TIMEOUT;
      snprintf(r->reason, sizeof r->reason, "gave up after %.0f ms (%s shard %zu of %zu not committed)",
               o->timeout_ms, trace_table_name(t->id), k, shards);
      return RUN_E_TIMEOUT;
    }
    double t0 = bench_now_ms();
    unsigned log_n;
    if (trace_shard_reuse(t, ls, k, buf, cap, &log_n) != TRACE_OK)
      return fail(r, RUN_E_NOMEM, "%s: cannot build a shard", trace_table_name(t->id));
    double t1 = bench_now_ms();
    r->phase_ms[RUN_PHASE_TRACE] += t1 - t0;
    /* kept for the proof while the budget lasts, else made again there */
    int keep = lb->kept_bytes < run_keep_budget(o);
    int drc = 0, rc = stark_commit_main_keep(trace_table_air(t), &o->stark, *buf, log_n, &lb->roots[j],
                                             keep ? &lb->kept[j] : NULL, &drc);
    lb->kept_bytes += stark_main_commit_bytes(lb->kept[j]);
    lb->commit_ms[j] = bench_now_ms() - t1;
    r->phase_ms[RUN_PHASE_COMMIT] += lb->commit_ms[j];
    r->lookup_commit_ms += lb->commit_ms[j];
    if (rc == STARK_ERR_DEVICE) {
      char what[224];
      snprintf(what, sizeof what, "%s shard %zu on %s: %s (%s)", trace_table_name(t->id), k, o->device,
               cu_strerror(drc), cu_last_error_string());
      return fail(r, RUN_E_DEVICE, "cuda backend failed: %s", what);
    }
    if (rc != STARK_OK) {
      char what[96];
      snprintf(what, sizeof what, "%s shard %zu (stark code %d)", trace_table_name(t->id), k, rc);
      return fail(r, rc == STARK_ERR_NOMEM ? RUN_E_NOMEM : RUN_E_PROVE, "cannot commit %s", what);
    }
  }
  return RUN_OK;
}

/* Room for n lookup shards in lb (zeroed first). */
static int lookup_alloc(lk_block *lb, size_t n, run_block_result *r) {
  memset(lb, 0, sizeof *lb);
  lb->n = n;
  if (n == 0) return RUN_OK;
  lb->roots = malloc(n * sizeof *lb->roots);
  lb->seen = malloc(n * sizeof *lb->seen);
  lb->commit_ms = malloc(n * sizeof *lb->commit_ms);
  lb->kept = calloc(n, sizeof *lb->kept);
  if (!lb->roots || !lb->seen || !lb->commit_ms || !lb->kept) return fail(r, RUN_E_NOMEM, "%s", "lookup: out of memory");
  return RUN_OK;
}

/* The challenges, from the roots of lb's n shards and the public values of
 * c (its opcode counts, memory contexts and storage slots: the whole
 * block's); the verifier will read the pre-state of c's block. */
static int lookup_draw(lk_block *lb, const trace_collector *c, run_block_result *r) {
  lb->npub = trace_public_len(c);
  if (!(lb->pub = malloc(lb->npub * sizeof *lb->pub))) return fail(r, RUN_E_NOMEM, "%s", "lookup: out of memory");
  trace_public_values(c, lb->pub);
  lb->pre = c->block;
  r->proof_bytes += lb->npub * sizeof(uint32_t);
  stark_lookup_challenges_pub(lb->roots, lb->n, lb->pub, lb->npub, lb->ch);
  r->lookups = 1;
  return RUN_OK;
}

/* The number of lookup shards of c's tables from table `from` on. */
static size_t lookup_shards(const trace_collector *c, const run_opts *o, int from) {
  size_t n = 0;
  for (int i = from; i < TRACE_COUNT; i++)
    if (table_to_prove(&c->t[i]) && trace_table_lookup(&c->t[i]))
      n += trace_shard_count(&c->t[i], run_log_shard(o, (trace_table_id)i));
  return n;
}

/* Commit c's lookup shards of tables from `from` on, at positions pos0 on. */
static int commit_tables(const trace_collector *c, const run_opts *o, run_block_result *r, double t_start,
                         lk_block *lb, int from, size_t pos0) {
  bb_t *buf = NULL;
  size_t cap = 0;
  int rc = RUN_OK;
  for (int i = from; i < TRACE_COUNT && rc == RUN_OK; i++) {
    const trace_table *t = &c->t[i];
    if (!table_to_prove(t) || !trace_table_lookup(t)) continue;
    rc = commit_range(t, o, r, t_start, lb, 0, SIZE_MAX, pos0, &buf, &cap);
    pos0 += trace_shard_count(t, run_log_shard(o, t->id));
  }
  free(buf);
  return rc;
}

/* The lookup argument's first phase: commit the main trace of every shard
 * of every proven table with interactions, draw the challenges. lb->n == 0
 * when no proven table has interactions. */
static int lookup_commit(const trace_collector *c, const run_opts *o, run_block_result *r, double t_start,
                         lk_block *lb) {
  int rc = lookup_alloc(lb, lookup_shards(c, o, 0), r);
  if (rc != RUN_OK || lb->n == 0) return rc;
  rc = commit_tables(c, o, r, t_start, lb, 0, 0);
  if (rc == RUN_OK) rc = lookup_draw(lb, c, r);
  return rc;
}

/* The verifier's last word on the lookup argument: the challenges again
 * from the verified proofs' roots, and the sums. */
static int lookup_check(const lk_block *lb, run_block_result *r) {
  if (lb->n == 0) return RUN_OK;
  ext_t ch[2], sum = lb->sum;
  stark_lookup_challenges_pub(lb->seen, lb->n, lb->pub, lb->npub, ch);
  if (lb->next != lb->n || !ext_eq(ch[0], lb->ch[0]) || !ext_eq(ch[1], lb->ch[1]))
    return fail(r, RUN_E_VERIFY, "%s", "lookup challenges do not follow from the proofs' trace roots");
  ext_t ps; /* the public buses' side (opcode ROM, memory chain ends, pre-state), which the verifier computes */
  int prc = trace_public_sum(lb->pub, lb->npub, lb->pre, ch, &ps);
  if (prc == STARK_ERR_NOMEM) return fail(r, RUN_E_NOMEM, "%s", "lookup: out of memory");
  if (prc != STARK_OK) return fail(r, RUN_E_VERIFY, "%s", "the public side of the lookup cannot be evaluated");
  sum = ext_add(sum, ps);
  if (!ext_is_zero(sum)) return fail(r, RUN_E_VERIFY, "%s", "lookup buses do not balance");
  return RUN_OK;
}

static void lookup_free(lk_block *lb) {
  for (size_t j = 0; lb->kept && j < lb->n; j++) stark_main_commit_free(lb->kept[j]);
  free(lb->kept);
  free(lb->pub);
  free(lb->roots);
  free(lb->commit_ms);
  free(lb->seen);
  memset(lb, 0, sizeof *lb);
}

/* The estimate of a collector's tables and their descriptions (name,
 * width, rows; shards unless it only counted). */
static void describe_tables(const trace_collector *c, const run_opts *o, run_block_result *r) {
  unsigned topts = run_trace_opts(o);
  uint64_t rows[TRACE_COUNT];
  trace_estimate_rows(c, rows);
  double t0 = bench_now_ms();
  model_estimate_rows_opts(&o->profile, rows, o->log_shard, topts, &r->estimate);
  r->estimate_us = (bench_now_ms() - t0) * 1e3;
  for (int i = 0; i < TRACE_COUNT; i++) {
    const trace_table *t = &c->t[i];
    run_table *rt = &r->tables[i];
    rt->name = trace_table_name((trace_table_id)i);
    rt->width = trace_table_air(t) ? trace_table_width_opts((trace_table_id)i, topts) : 0;
    rt->rows = t->rows;
    rt->shards = t->rows && !c->count_only ? trace_shard_count(t, run_log_shard(o, (trace_table_id)i)) : 0;
  }
  r->shards_total = 0;
  for (int i = 0; i < TRACE_COUNT; i++)
    if (table_to_prove(&c->t[i])) r->shards_total += r->tables[i].shards;
}

/* The rows and the estimate of a block whose tables do not fit the
 * collector's budget: a counting collector keeps no values, so it takes no
 * such memory. */
static int count_rows(const blk_block *b, unsigned topts, const run_opts *o, run_block_result *r) {
  trace_collector c;
  trace_init_opts(&c, b->env.fork, topts);
  c.count_only = 1;
  c.count_slots = 1;
  evm_tracer tr = trace_tracer(&c);
  evm_block_result ex;
  int erc = evm_execute_block(b, &tr, &ex);
  if (erc == EVM_OK) {
    evm_block_result_free(&ex);
    trace_add_block_witness(&c, b);
    describe_tables(&c, o, r);
    r->kept_bytes = trace_kept_bytes(&c);
  }
  trace_free(&c);
  return erc == EVM_OK ? RUN_OK : RUN_E_EXEC;
}

/* Estimate, describe and (with o->prove) prove the tables of a finished
 * collector; the block's totals are the caller's. */
static int prove_collected(const trace_collector *c, const run_opts *o, run_block_result *r, double t_start) {
  /* every table is described before any is proven, so a block given up
   * part-way still reports all of them */
  describe_tables(c, o, r);
  if (!o->prove) return RUN_OK;
  lk_block lb;
  int rc = lookup_commit(c, o, r, t_start, &lb);
  for (int i = 0; i < TRACE_COUNT && rc == RUN_OK; i++)
    if (table_to_prove(&c->t[i])) rc = prove_table(&c->t[i], o, r, &r->tables[i], t_start, &lb);
  if (rc == RUN_OK) rc = lookup_check(&lb, r);
  lookup_free(&lb);
  return rc;
}

static void finish_result(const run_opts *o, run_block_result *r, double t_start) {
  r->verified = o->prove ? 1 : 0;
  r->total_ms = bench_now_ms() - t_start;
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > r->peak_rss_kb) r->peak_rss_kb = ru.ru_maxrss;
  r->status = RUN_OK;
}

/* A fresh result: every table named, so that a block given up before its
 * tables are described (a value past the field, the executor's error) is
 * still a whole result for the database. */
static void result_init(run_block_result *r) {
  memset(r, 0, sizeof *r);
  for (int i = 0; i < TRACE_COUNT; i++) r->tables[i].name = trace_table_name((trace_table_id)i);
}

int run_prove_collected(const trace_collector *c, const run_opts *o, run_block_result *r) {
  result_init(r);
  double t_start = bench_now_ms();
  int rc = prove_collected(c, o, r, t_start);
  if (rc != RUN_OK) {
    r->total_ms = bench_now_ms() - t_start;
    return rc;
  }
  finish_result(o, r, t_start);
  return RUN_OK;
}

/* A budget in GiB, MiB or KiB, for reasons. */
static const char *budget_str(size_t bytes, char *buf, size_t len) {
  if (bytes >= (size_t)1 << 30) snprintf(buf, len, "%.2f GiB", (double)bytes / (1 << 30));
  else if (bytes >= (size_t)1 << 20) snprintf(buf, len, "%.1f MiB", (double)bytes / (1 << 20));
  else snprintf(buf, len, "%zu KiB", bytes >> 10);
  return buf;
}

/* Execute b into c (its witness added, trace_finish run), the time added to
 * the execute and trace phases; the block's totals (gas, transactions,
 * steps) into r when first. RUN_OK, or the failure (r->status, reason) with
 * *over set when the collector ran past its budget. */
static int collect(const blk_block *b, trace_collector *c, run_block_result *r, int first, int *over) {
  evm_tracer tr = trace_tracer(c);
  double t0 = bench_now_ms();
  evm_block_result ex;
  int erc = evm_execute_block(b, &tr, &ex);
  r->phase_ms[RUN_PHASE_EXECUTE] += bench_now_ms() - t0;
  *over = 0;
  if (first) {
    r->gas_used = ex.gas_used;
    r->txs = ex.n_txs;
    r->steps = ex.steps;
    for (size_t i = 0; i < ex.n_txs; i++) r->invalid_txs += ex.txs[i].status == EVM_TX_INVALID;
  }
  evm_block_result_free(&ex);
  if (erc != EVM_OK) {
    if (erc == EVM_E_UNSUPPORTED_PRECOMPILE)
      return fail(r, RUN_E_UNSUPPORTED, "%s", "the block calls a precompile this build does not have");
    return fail(r, erc == EVM_E_NOMEM ? RUN_E_NOMEM : RUN_E_EXEC, "executor: %s", evm_strerror(erc));
  }
  t0 = bench_now_ms();
  trace_add_block_witness(c, b);
  int trc = trace_finish(c);
  r->phase_ms[RUN_PHASE_TRACE] += bench_now_ms() - t0;
  if (trc == TRACE_OK) return RUN_OK;
  if (c->over_budget) {
    *over = 1;
    char sz[32];
    return fail(r, RUN_E_NOMEM, "trace: the tables need more than %s, the collector's budget (half of this "
                "machine's memory by default)", budget_str(c->max_bytes, sz, sizeof sz));
  }
  return fail(r, trc == TRACE_E_NOMEM ? RUN_E_NOMEM : RUN_E_TRACE, "trace: %s",
              trc == TRACE_E_RANGE ? "a value does not fit a field element" : "cannot build the tables");
}

/* The tables whose rows a pass windows (trace_keep_rows): the first three,
 * so that in the lookup order (table then shard) their shards come first
 * and every other table follows them. */
static const trace_table_id windowed[] = {TRACE_CPU, TRACE_MEMORY, TRACE_STORAGE};
#define N_WINDOWED (sizeof windowed / sizeof windowed[0])
_Static_assert(TRACE_CPU == 0 && TRACE_MEMORY == 1 && TRACE_STORAGE == 2, "the windowed tables come first");
static int is_windowed(int id) { return id <= TRACE_STORAGE; }

/* How a block past the budget is cut into passes: pass p stores shards
 * [p take[w], (p + 1) take[w]) of windowed table w. */
typedef struct {
  size_t passes;
  size_t per[N_WINDOWED];    /* rows per shard */
  size_t shards[N_WINDOWED]; /* the table's shards (counted rows) */
  size_t take[N_WINDOWED];   /* shards a pass */
} pass_plan;

/* The fewest passes whose windows fit in three quarters of the budget, and
 * in what the replays every pass keeps whole (r->kept_bytes) leave of it
 * (the rest is for them and the other tables), each table's shards spread
 * evenly over them. */
static int plan_passes(const run_opts *o, const run_block_result *r, pass_plan *pl) {
  unsigned topts = run_trace_opts(o);
  size_t bytes[N_WINDOWED], room = o->trace_max_bytes / 4 * 3, all = 0;
  size_t left = o->trace_max_bytes > r->kept_bytes ? o->trace_max_bytes - r->kept_bytes : 0;
  if (room > left) room = left;
  for (size_t w = 0; w < N_WINDOWED; w++) {
    pl->per[w] = (size_t)1 << run_log_shard(o, windowed[w]);
    pl->shards[w] = (size_t)((r->tables[windowed[w]].rows + pl->per[w] - 1) / pl->per[w]);
    bytes[w] = pl->per[w] * trace_table_width_opts(windowed[w], topts) * sizeof(bb_t);
    all += pl->shards[w] ? bytes[w] : 0;
  }
  if (all > room) return -1;
  for (pl->passes = 1;; pl->passes++) {
    size_t need = 0;
    for (size_t w = 0; w < N_WINDOWED; w++) {
      pl->take[w] = (pl->shards[w] + pl->passes - 1) / pl->passes;
      need += pl->take[w] * bytes[w];
    }
    if (need <= room) return 0;
  }
}

/* Pass p of plan pl: the block executed again into *c (initialised here,
 * the caller frees it), storing that pass's windows; the tables' heights
 * must be the counted ones. */
static int collect_pass(const blk_block *b, const run_opts *o, const pass_plan *pl, size_t p, trace_collector *c,
                        run_block_result *r) {
  trace_init_opts(c, b->env.fork, run_trace_opts(o));
  c->max_bytes = o->trace_max_bytes;
  for (size_t w = 0; w < N_WINDOWED; w++) {
    size_t lo = p * pl->take[w] * pl->per[w];
    if (trace_keep_rows(c, windowed[w], lo, lo + pl->take[w] * pl->per[w]) != TRACE_OK)
      return fail(r, RUN_E_TRACE, "%s", "trace: cannot window the tables");
  }
  int over, rc = collect(b, c, r, 0, &over);
  for (size_t w = 0; w < N_WINDOWED && rc == RUN_OK; w++)
    if (c->t[windowed[w]].rows != r->tables[windowed[w]].rows)
      rc = fail(r, RUN_E_TRACE, "trace: the %s table's height changed between passes", trace_table_name(windowed[w]));
  return rc;
}

/* Whether windowed table w is a lookup shard source under o. */
static int windowed_lookup(const run_opts *o, size_t w) {
  return trace_lookup_opts(windowed[w], run_trace_opts(o)) != NULL;
}

/* The lookup argument's first phase over passes: each pass commits its
 * windows' shards (lookup positions wpos[w] + shard index) and adds its
 * range16 and opcode counts; the last pass's collector is kept (*held),
 * given the sums, and commits the other tables' lookup shards; then the
 * challenges. */
static int lookup_passes(const blk_block *b, const run_opts *o, const pass_plan *pl, run_block_result *r,
                         double t_start, lk_block *lb, const size_t *wpos, size_t nw, trace_collector *held) {
  /* room for the other tables' lookup shards: range16's one, meminit's
   * from the counted rows and stoinit's one (lb->n is set to the real
   * count below) */
  uint64_t mi = r->tables[TRACE_MEMINIT].rows, per = (uint64_t)1 << run_log_shard(o, TRACE_MEMINIT);
  int rc = lookup_alloc(lb, nw + 1 + (size_t)((mi + per - 1) / per) + 1 + 1, r);
  trace_lookup_counts *cnt = calloc(1, sizeof *cnt);
  if (rc == RUN_OK && !cnt) rc = fail(r, RUN_E_NOMEM, "%s", "lookup: out of memory");
  bb_t *buf = NULL;
  size_t cap = 0;
  for (size_t p = 0; p < pl->passes && rc == RUN_OK; p++) {
    trace_collector c;
    rc = collect_pass(b, o, pl, p, &c, r);
    if (rc == RUN_OK) trace_counts_add(cnt, &c);
    for (size_t w = 0; w < N_WINDOWED && rc == RUN_OK; w++)
      if (windowed_lookup(o, w) && table_to_prove(&c.t[windowed[w]]))
        rc = commit_range(&c.t[windowed[w]], o, r, t_start, lb, p * pl->take[w], (p + 1) * pl->take[w],
                          wpos[w] + p * pl->take[w], &buf, &cap);
    if (rc == RUN_OK && p + 1 == pl->passes) *held = c;
    else trace_free(&c);
  }
  free(buf);
  if (rc == RUN_OK && trace_counts_apply(held, cnt) != TRACE_OK) rc = fail(r, RUN_E_NOMEM, "%s", "lookup: out of memory");
  free(cnt);
  if (rc != RUN_OK) return rc;
  size_t rest = lookup_shards(held, o, N_WINDOWED);
  if (nw + rest > lb->n) return fail(r, RUN_E_TRACE, "%s", "lookup: more shards than counted");
  lb->n = nw + rest;
  rc = commit_tables(held, o, r, t_start, lb, N_WINDOWED, nw);
  if (rc == RUN_OK) rc = lookup_draw(lb, held, r);
  return rc;
}

/* A block past the collector's budget, proven in passes (runner.h): r holds
 * the counted rows (count_rows). Each pass executes the block again, stores
 * the rows of the next shards of the cpu, memory and storage tables and
 * proves them; the other tables are proven with the first proving pass.
 * With lookups the passes run twice: to commit (lookup_passes), then to
 * prove, the last window first, from the collector the commitments left. */
static int prove_in_passes(const blk_block *b, const run_opts *o, run_block_result *r, double t_start) {
  pass_plan pl;
  if (plan_passes(o, r, &pl)) {
    char sz[32], kept[32], what[160];
    snprintf(what, sizeof what, "%s, the collector's budget, or than what the memory and storage replays (%s)",
             budget_str(o->trace_max_bytes, sz, sizeof sz), budget_str(r->kept_bytes, kept, sizeof kept));
    return fail(r, RUN_E_NOMEM, "trace: a shard of each table needs more than 3/4 of %s leave of it", what);
  }
  int lookups = (run_trace_opts(o) & TRACE_OPT_LOOKUPS) != 0;
  r->passes = lookups ? 2 * pl.passes - 1 : pl.passes;
  /* the failed first collection's time stays counted: a prover meets it too */
  lk_block lb;
  memset(&lb, 0, sizeof lb);
  trace_collector held; /* zeroed: trace_free is a no-op until lookup_passes fills it */
  memset(&held, 0, sizeof held);
  int have_held = 0, rc = RUN_OK;
  bb_t *chain = NULL; /* the cpu shards' public values, for cpu_chain_check */
  size_t chain_n = 0;
  size_t wpos[N_WINDOWED], nw = 0;
  for (size_t w = 0; w < N_WINDOWED; w++) {
    wpos[w] = nw;
    if (windowed_lookup(o, w)) nw += pl.shards[w];
  }
  if (lookups) {
    rc = lookup_passes(b, o, &pl, r, t_start, &lb, wpos, nw, &held);
    have_held = rc == RUN_OK;
  }
  bb_t *buf = NULL;
  size_t cap = 0;
  for (size_t q = 0; q < pl.passes && rc == RUN_OK; q++) {
    size_t p = pl.passes - 1 - q;
    trace_collector c;
    if (have_held) {
      c = held;
      memset(&held, 0, sizeof held);
      have_held = 0;
    } else {
      rc = collect_pass(b, o, &pl, p, &c, r);
    }
    if (rc == RUN_OK && q == 0) {
      describe_tables(&c, o, r); /* shards too, which the counting pass does not give */
      size_t pos = nw;
      for (int i = 0; i < TRACE_COUNT && rc == RUN_OK; i++) {
        const trace_table *t = &c.t[i];
        if (is_windowed(i) || !table_to_prove(t)) continue;
        rc = prove_shards(t, o, r, &r->tables[i], t_start, lookups ? &lb : NULL, 0, SIZE_MAX, pos, &buf, &cap, NULL);
        if (trace_table_lookup(t)) pos += trace_shard_count(t, run_log_shard(o, t->id));
        if (rc == RUN_OK) r->tables[i].proven = 1;
      }
    }
    for (size_t w = 0; w < N_WINDOWED && rc == RUN_OK; w++) {
      const trace_table *t = &c.t[windowed[w]];
      if (!table_to_prove(t)) continue;
      if (t->id == TRACE_CPU && !chain) {
        int err;
        chain = chain_alloc(t, pl.shards[w], &err);
        chain_n = pl.shards[w];
        if (err) rc = fail(r, RUN_E_NOMEM, "%s", "cpu: out of memory");
        if (rc != RUN_OK) break;
      }
      rc = prove_shards(t, o, r, &r->tables[windowed[w]], t_start, lookups ? &lb : NULL, p * pl.take[w],
                        (p + 1) * pl.take[w], wpos[w] + p * pl.take[w], &buf, &cap, t->id == TRACE_CPU ? chain : NULL);
      if (rc == RUN_OK && q + 1 == pl.passes) r->tables[windowed[w]].proven = 1;
    }
    trace_free(&c);
  }
  free(buf);
  trace_free(&held);
  if (rc == RUN_OK && chain) rc = cpu_chain_check(chain, chain_n, r);
  free(chain);
  if (rc == RUN_OK && lookups) rc = lookup_check(&lb, r);
  lookup_free(&lb);
  return rc;
}

int run_prove_block(const blk_block *b, const run_opts *o, run_block_result *r) {
  result_init(r);
  r->passes = 1;
  double t_start = bench_now_ms();
  trace_collector c;
  unsigned topts = run_trace_opts(o);
  trace_init_opts(&c, b->env.fork, topts);
  c.max_bytes = o->trace_max_bytes;
  int over, rc = collect(b, &c, r, 1, &over);
  if (rc == RUN_OK) rc = prove_collected(&c, o, r, t_start);
  trace_free(&c);
  if (over) {
    /* the block stays estimated: its rows counted without values; without
     * lookups it is then proven in passes */
    if (count_rows(b, topts, o, r) == RUN_OK && o->prove) {
      r->status = RUN_OK;
      r->reason[0] = 0;
      rc = prove_in_passes(b, o, r, t_start);
    }
  }
  if (rc != RUN_OK) {
    r->total_ms = bench_now_ms() - t_start;
    return rc;
  }
  finish_result(o, r, t_start);
  return RUN_OK;
}
