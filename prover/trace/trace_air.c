/* trace_air: the AIRs of the proven tables (cpu, memory, storage; keccak's,
 * arith's, sha256's, blake2f's and ripemd160's are keccak_air.c's,
 * arith_air.c's, sha256_air.c's, blake2f_air.c's and ripemd160_air.c's,
 * handed out here when the options
 * prove them; the proven ecrecover and modmul tables are MULMOD rows of the
 * arith AIR).
 *
 * The constraints are written once in trace_air_body.inc and instantiated over
 * the extension field (eval_ext: the definition, used by the verifier) and the
 * base field (eval_base: the prover's fast path), so the two cannot drift.
 *
 * What the constraints establish, and what they take on trust, is listed in
 * prover/README.md: in short, the arithmetic of gas, program counter and stack
 * pointer between consecutive instructions and the shape of memory accesses
 * are enforced; the opcode facts (static gas, stack effect) and the dynamic
 * gas are witnessed values that a production zkEVM binds with lookups. */
#include "trace.h"
#include "trace/arith_air.h"
#include "trace/blake2f_air.h"
#include "trace/keccak_air.h"
#include "trace/ripemd160_air.h"
#include "trace/sha256_air.h"
#include "trace_cols.h"

/* ---- extension-field instance ---- */
#include "stark/air_field_ext.h"
#define SUFFIX(x) x##_ext
#include "trace_air_body.inc"
#include "stark/air_field_end.h"
#undef SUFFIX
#undef CPU_CONSTRAINTS
#undef MEM_CONSTRAINTS
#undef STO_CONSTRAINTS

/* ---- base-field instance ---- */
#include "stark/air_field_base.h"
#define SUFFIX(x) x##_base
#include "trace_air_body.inc"
#include "stark/air_field_end.h"
#undef SUFFIX

static const stark_air airs[TRACE_COUNT] = {
    [TRACE_CPU] = {"pkb-cpu", CPU_WIDTH, 0, CPU_CONSTRAINTS, 3, cpu_eval_ext, cpu_eval_base, NULL},
    [TRACE_MEMORY] = {"pkb-memory", MEM_WIDTH, 0, MEM_CONSTRAINTS, 3, mem_eval_ext, mem_eval_base, NULL},
    [TRACE_STORAGE] = {"pkb-storage", STO_WIDTH, 0, STO_CONSTRAINTS, 3, sto_eval_ext, sto_eval_base, NULL},
};

const stark_air *trace_air_opts(trace_table_id id, unsigned opts) {
  if (!trace_table_proven(id, opts)) return NULL;
  if (id == TRACE_KECCAK) return keccak_air();
  if (id == TRACE_ARITH || id == TRACE_ECRECOVER || id == TRACE_MODMUL) return arith_air();
  if (id == TRACE_SHA256) return sha256_air();
  if (id == TRACE_BLAKE2F) return blake2f_air();
  if (id == TRACE_RIPEMD160) return ripemd160_air();
  return &airs[id];
}

const stark_air *trace_air(trace_table_id id) { return trace_air_opts(id, 0); }
