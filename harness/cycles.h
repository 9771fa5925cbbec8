/* cycles: zkVM cycle profiles and the cycle estimate of a block.
 *
 * A real zkVM (SP1, RISC Zero, Airbender, ...) proves a RISC-V program that
 * executes the EVM; its proving time follows the number of RISC-V cycles that
 * program runs, with a precompile or witness check counted at its own cost.
 * A cycle profile (prover/profiles/NAME-cycles.tsv) gives those costs as
 * weights, so blocks can be ranked by the cycles a given zkVM would spend on
 * them, as a second objective beside pkbench's own estimated proving cost.
 *
 * Profile file, one row per line, fields separated by one TAB:
 *
 *   kind  name  cycles  per  [# note]
 *
 *   kind opcode:     name is an instruction mnemonic of prover/evm/opcodes.def;
 *                    per is "instruction". Every instruction must have a row.
 *   kind precompile: name is a precompile name of EVM_PC_LIST (evm_pc_name);
 *                    per is one of the work units below (CYCLES_UNIT_LIST);
 *                    several rows with different units add up. Every
 *                    precompile must have at least one row.
 *   kind witness:    the work outside instruction weights (CYCLES_WITNESS_LIST),
 *                    each with its one unit. Items marked required must have a
 *                    row; an absent optional item costs nothing, except
 *                    trie_keccak_permutation, which takes keccak_permutation's
 *                    weight when absent.
 *
 * cycles is a non-negative decimal (fractions allowed: derived figures are
 * averages). Lines that are empty or start with '#' are ignored; a row may end
 * with a fifth field starting with '#'. Sources are cited in the file's
 * comments, and a weight with no source is marked "# assumed" there.
 *
 * Estimate: the accumulator counts events (instructions per opcode, precompile
 * work units, witness units) from an evm_tracer; cycles are counts times
 * weights, computed when asked, so the hot path is one increment per event.
 */
#ifndef PKB_CYCLES_H
#define PKB_CYCLES_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/gas.h"
#include "evm/precompiles/precompile.h"

/* Precompile work units: id, name in the file, how many one call counts. */
#define CYCLES_UNIT_LIST(X)                                       \
  X(CALL, "call")               /* 1 per call */                  \
  X(INPUT_BYTE, "input_byte")   /* input length in bytes */       \
  X(INPUT_WORD, "input_word")   /* ceil(input length / 32) */     \
  X(COMPRESSION, "compression") /* evm_pc_work.compressions */    \
  X(ROUND, "round")             /* evm_pc_work.rounds */          \
  X(LIMB_MUL, "limb_mul")       /* evm_pc_work.limb_muls */       \
  X(SCALAR_MUL, "scalar_mul")   /* evm_pc_work.scalar_muls */     \
  X(FIELD_MUL, "field_mul")     /* evm_pc_work.field_muls */      \
  X(PAIRING, "pairing")         /* evm_pc_work.pairings */

typedef enum {
#define X(id, name) CYCLES_UNIT_##id,
  CYCLES_UNIT_LIST(X)
#undef X
  CYCLES_UNIT_COUNT
} cycles_unit;

/* Witness and block-level items: id, name, unit, required. */
#define CYCLES_WITNESS_LIST(X)                                                           \
  /* one secp256k1 recovery: each transaction sender and each EIP-7702 authority */    \
  X(SENDER_RECOVERY, "sender_recovery", "signature", 1)                                 \
  /* Keccak-f[1600] permutations of KECCAK256, CREATE/CREATE2 and transaction hashing */ \
  X(KECCAK_PERMUTATION, "keccak_permutation", "permutation", 1)                         \
  /* permutations of the post-state root (trie nodes and hashed keys) */                \
  X(TRIE_KECCAK_PERMUTATION, "trie_keccak_permutation", "permutation", 0)               \
  /* bytes of EVM memory read or written by instructions */                             \
  X(MEMORY_BYTE, "memory_byte", "byte", 0)                                              \
  /* fixed work per transaction (decoding, validation, receipt) */                      \
  X(TX_OVERHEAD, "tx_overhead", "transaction", 0)                                       \
  /* fixed work per block (input reading, header checks) */                             \
  X(BLOCK_OVERHEAD, "block_overhead", "block", 0)                                       \
  /* per byte of pre-state bytecode the guest receives (hashed to check it) */          \
  X(BYTECODE_BYTE, "bytecode_byte", "byte", 0)                                          \
  /* per significant byte of an EXP exponent (the part the EXP row does not cover) */   \
  X(EXP_BYTE, "exp_byte", "byte", 0)                                                    \
  /* per cold SLOAD/SSTORE slot access (its witness proof in a stateless guest) */      \
  X(STORAGE_COLD, "storage_cold_access", "access", 0)

typedef enum {
#define X(id, name, unit, req) CYCLES_W_##id,
  CYCLES_WITNESS_LIST(X)
#undef X
  CYCLES_W_COUNT
} cycles_witness;

/* Kinds of rows (and of breakdown entries). */
typedef enum { CYCLES_KIND_OPCODE = 0, CYCLES_KIND_PRECOMPILE, CYCLES_KIND_WITNESS, CYCLES_KIND_COUNT } cycles_kind;

enum {
  CYCLES_OK = 0,
  CYCLES_E_IO = -1,      /* file could not be read */
  CYCLES_E_SYNTAX = -2,  /* malformed row: field count, empty field, bad number, line too long */
  CYCLES_E_KIND = -3,    /* unknown kind */
  CYCLES_E_NAME = -4,    /* unknown opcode, precompile or witness name */
  CYCLES_E_UNIT = -5,    /* per is not a unit of that kind/name */
  CYCLES_E_DUP = -6,     /* the same (kind, name, per) twice */
  CYCLES_E_MISSING = -7, /* a required row is absent (line is 0) */
  CYCLES_E_ARG = -8,     /* NULL argument */
  CYCLES_E_EXEC = -9,    /* the block could not be executed (see report.exec_status) */
  CYCLES_E_NOMEM = -10
};

#define CYCLES_NAME_MAX 64

typedef struct {
  char name[CYCLES_NAME_MAX];                    /* profile name ("sp1" for sp1-cycles.tsv) */
  double op[256];                                /* cycles per instruction; 0 for undefined bytes */
  double pc[EVM_PC_COUNT][CYCLES_UNIT_COUNT];    /* cycles per unit of precompile work */
  double wit[CYCLES_W_COUNT];                    /* cycles per witness unit */
  uint8_t op_set[256];                           /* row seen (the loader's bookkeeping) */
  uint8_t pc_set[EVM_PC_COUNT][CYCLES_UNIT_COUNT];
  uint8_t wit_set[CYCLES_W_COUNT];
} cycles_profile;

/* Where a load failed: msg is "SOURCE:LINE: what" (LINE 0 for a missing row). */
typedef struct {
  size_t line;
  char msg[256];
} cycles_error;

/* Parse a profile from text[0..len) (need not be NUL-terminated). source
 * names the text in error messages and gives the profile name: its basename
 * without a trailing "-cycles.tsv" (or ".tsv"). On error *p is zeroed, a
 * CYCLES_E_* code is returned and *err (if non-NULL) says where. */
int cycles_profile_parse(const char *text, size_t len, const char *source, cycles_profile *p, cycles_error *err);

/* Read and parse the file at path. */
int cycles_profile_load(const char *path, cycles_profile *p, cycles_error *err);

/* Load by name or path: an argument containing '/' or ending in ".tsv" is a
 * path; otherwise DIR/NAME-cycles.tsv is loaded, with dir NULL meaning
 * "prover/profiles" (relative to the working directory). */
int cycles_profile_open(const char *name_or_path, const char *dir, cycles_profile *p, cycles_error *err);

const char *cycles_strerror(int code);
const char *cycles_unit_name(cycles_unit u);
const char *cycles_witness_name(cycles_witness w);
const char *cycles_kind_name(cycles_kind k);

/* ---- Accumulator -------------------------------------------------------- */

/* Event counts of one or more executions. Plain data: zero it (or call
 * cycles_acc_init) before use; it owns nothing. */
typedef struct {
  uint64_t op[256];
  uint64_t pc[EVM_PC_COUNT][CYCLES_UNIT_COUNT];
  uint64_t wit[CYCLES_W_COUNT];
} cycles_acc;

void cycles_acc_init(cycles_acc *a);

/* A tracer that counts into acc (on_step, on_memory, on_keccak,
 * on_arith for EXP, on_storage, on_precompile, on_sigrecover, on_tx_start).
 * acc must outlive the execution;
 * counting is one increment per event (on the interpreter's hot path). */
evm_tracer cycles_tracer(cycles_acc *acc);

/* Counting beside another tracer, in the same execution: the tracer returned
 * counts into tee->acc, then passes every event on to tee->next (its NULL
 * members skipped; next may be NULL). tee, its acc and next must outlive the
 * execution. */
typedef struct {
  cycles_acc *acc;
  const evm_tracer *next;
} cycles_tee;

evm_tracer cycles_tracer_tee(cycles_tee *tee);

/* The block-level items the tracer cannot see: one block_overhead and the
 * bytes of every distinct pre-state code (bytecode_byte). */
void cycles_acc_add_block(cycles_acc *a, const blk_block *b);

/* Cycles of the counts under profile p. */
double cycles_total(const cycles_profile *p, const cycles_acc *a);
double cycles_kind_total(const cycles_profile *p, const cycles_acc *a, cycles_kind k);
/* Instructions of one trace-cost class (evm_op_class of opcodes.def). */
double cycles_op_class_total(const cycles_profile *p, const cycles_acc *a, evm_op_class c);

/* ---- Block estimate ----------------------------------------------------- */

#define CYCLES_TOP 8

typedef struct {
  cycles_kind kind;
  char name[32];    /* mnemonic, precompile name or witness name */
  uint64_t count;   /* instructions, calls or witness units */
  double cycles;
} cycles_contrib;

typedef struct {
  double total;                          /* estimated cycles of the block */
  uint64_t gas_used;                     /* of the valid transactions */
  double per_gas;                        /* total / gas_used (0 when no gas) */
  uint64_t steps;                        /* instructions executed */
  double by_kind[CYCLES_KIND_COUNT];     /* opcode, precompile, witness */
  double by_op_class[EVM_CLASS_COUNT];   /* the opcode part by trace-cost class */
  double by_witness[CYCLES_W_COUNT];
  cycles_contrib top[CYCLES_TOP];        /* largest contributors, descending */
  size_t n_top;
  int exec_status;                       /* evm_execute_block's status */
} cycles_report;

/* Fill r from counts a (gas_used and steps as given). */
void cycles_report_fill(const cycles_profile *p, const cycles_acc *a, uint64_t gas_used, uint64_t steps,
                        cycles_report *r);

/* Execute b with the counting tracer, add the block-level items and fill r.
 * Returns CYCLES_OK, CYCLES_E_ARG, or CYCLES_E_EXEC when the executor failed
 * (r->exec_status holds its EVM_E_* code and the rest of r is zero). */
int cycles_estimate_block(const cycles_profile *p, const blk_block *b, cycles_report *r);

#endif
