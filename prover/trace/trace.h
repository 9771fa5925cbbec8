/* trace: execution events to AIR tables, and tables to shards.
 *
 * The executor reports its work through evm_tracer; the collector here turns
 * the events into tables the way a zkVM's chips see them: a fixed width per
 * table and one or more rows per unit of work. Each table has an AIR (its
 * constraints, trace_air) and is cut into shards of at most 2^log_shard rows,
 * each padded to a power of two with rows that satisfy the constraints, and
 * each proven on its own. This module knows nothing of FRI or Merkle trees;
 * the STARK prover knows nothing of the EVM.
 *
 * Tables and what their rows stand for (prover/README.md states which
 * constraints each one has, and which work is only sized, not yet
 * constrained):
 *   cpu      one row per executed instruction
 *   memory   one row per 32-byte word read or written, with the word's
 *            value before and after the access
 *   storage  one row per SLOAD/SSTORE/TLOAD/TSTORE, and per write a revert
 *            undoes or slot an account's deletion clears, with the slot's
 *            value before and after
 *   keccak   24 rows per Keccak-f[1600] permutation (KECCAK256, CREATE and
 *            CREATE2, and the stateless witness: trie nodes and keys,
 *            bytecode and transaction hashing)
 *   arith    sized: rows per 256-bit arithmetic instruction by its cost
 *            class (all of ADD..SIGNEXTEND, comparisons, bitwise, shifts,
 *            CLZ); proven: arith_air_rows_for rows per instruction the arith
 *            AIR supports (arith_air.h: 1 to 5, EXP 1 to 511; it supports
 *            every instruction the sized table counts)
 *   precomp  rows per unit of precompile work of the precompiles without a
 *            table of their own (RIPEMD-160 compressions while the ripemd160
 *            table is not proven, limb and field multiplications, input
 *            words): failed ECADD, ECMUL, ECPAIRING, BLS12-381 and KZG point
 *            evaluation calls, ECRECOVER; SHA256, BLAKE2F and the calls of the modmul and
 *            bls12 tables add nothing here
 *   ecrecover sized: 256 rows per secp256k1 recovery (senders, authorities,
 *            ECRECOVER); proven: the recoveries redone by secp_witness, 4
 *            arith MULMOD rows per modular multiplication (about 5,600
 *            multiplications, 22,300 rows, per recovery)
 *   sha256   64 rows per SHA-256 compression of each successful SHA256
 *            precompile call (sha256_compressions(input length) of them)
 *   blake2f  rounds + 2 rows per successful BLAKE2F precompile call (an init
 *            row, a row per round, a final row); a call that fails (bad
 *            length, final flag above 1) has none
 *   ripemd160 proven only: 80 rows per RIPEMD-160 compression of each
 *            successful RIPEMD160 precompile call
 *            (ripemd160_compressions(input length) of them); sized, it has no
 *            rows and the calls are counted in precomp as before
 *   modmul   4 rows (an arith MULMOD instruction) per modular multiplication
 *            pc_witness reports for each successful ECADD, ECMUL, ECPAIRING,
 *            P256VERIFY (an input it rejects included: the products done
 *            before) and MODEXP whose modulus fits 32 bytes; 4 rows (arith
 *            MUL, ADD, ADD, ADD) per limb step pcw_run_wide reports for a
 *            MODEXP with a wider modulus; sized and proven alike
 *   bls12    1 row per BLS12-381 base-field multiplication pc_witness
 *            reports for each successful EIP-2537 call and KZG point
 *            evaluation (the executor's own Fp products); sized and proven
 *            alike
 *
 * Which tables are proven (have an AIR and values) and which are only sized
 * (rows counted, width 0, data NULL) depends on the collector's options
 * (trace_init_opts); trace_table_proven answers it, from one table in
 * trace.c:
 *   table      options 0   with the option
 *   cpu        proven      proven
 *   memory     proven      proven
 *   storage    proven      proven
 *   keccak     sized       proven with TRACE_OPT_PROVE_KECCAK (keccak_air.h:
 *                          2633 columns)
 *   arith      sized       proven with TRACE_OPT_PROVE_ARITH (arith_air.h:
 *                          2533 columns)
 *   ecrecover  sized       proven with TRACE_OPT_PROVE_ECRECOVER (the arith
 *                          AIR, 2533 columns, MULMOD rows only)
 *   precomp    sized in every mode
 *   sha256     sized       proven with TRACE_OPT_PROVE_PRECOMPILES
 *                          (sha256_air.h: 631 columns)
 *   blake2f    sized       proven with TRACE_OPT_PROVE_PRECOMPILES
 *                          (blake2f_air.h: 5816 columns)
 *   ripemd160  sized       proven with TRACE_OPT_PROVE_PRECOMPILES
 *                          (ripemd160_air.h: 901 columns)
 *   modmul     sized       proven with TRACE_OPT_PROVE_PRECOMPILES (the
 *                          arith AIR, 2533 columns, MULMOD rows only)
 *   bls12      sized       proven with TRACE_OPT_PROVE_PRECOMPILES
 *                          (fp381_air.h: 3378 columns)
 *   range16    none        proven with TRACE_OPT_LOOKUPS (2 columns, 2^16
 *                          rows when the storage or memory table has rows)
 *   meminit    none        proven with TRACE_OPT_LOOKUPS (22 columns, a row
 *                          per word of each memory context; a counting
 *                          collector counts them only with the option)
 *   stoinit    none        proven with TRACE_OPT_LOOKUPS (90 columns, a row
 *                          per slot accessed, one shard; counted as
 *                          meminit's)
 * The sized and proven row counts of sha256, blake2f, modmul and bls12 are the
 * same: both are the AIRs' own counts. The ripemd160 table's are not:
 * sized, its work
 * stays in precomp (80 rows per compression and a row per 32 input bytes, at
 * precomp's width), proven, it is 80 rows per compression here and nothing in
 * precomp. The keccak, arith, ecrecover, sha256, blake2f, ripemd160, modmul
 * and bls12 tables are sized by default because their widths make them by far the
 * slowest tables to prove.
 *
 * Values are BabyBear elements in Montgomery form (field/bb.h). A value that
 * does not fit the field (a gas counter above p - 1) makes the build fail
 * with TRACE_E_RANGE rather than wrap silently.
 */
#ifndef PKB_TRACE_H
#define PKB_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "evm/evm.h"
#include "field/bb.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/blake2f_air.h"

enum {
  TRACE_OK = 0,
  TRACE_E_NOMEM = -1,
  TRACE_E_RANGE = -2, /* a value does not fit a field element, or a shard a STARK */
  TRACE_E_ARG = -3
};

#define TRACE_TABLES(X)     \
  X(CPU, "cpu")             \
  X(MEMORY, "memory")       \
  X(STORAGE, "storage")     \
  X(KECCAK, "keccak")       \
  X(ARITH, "arith")         \
  X(PRECOMP, "precomp")     \
  X(ECRECOVER, "ecrecover") \
  X(SHA256, "sha256")       \
  X(BLAKE2F, "blake2f")     \
  X(RIPEMD160, "ripemd160") \
  X(MODMUL, "modmul")       \
  X(BLS12, "bls12")         \
  X(RANGE16, "range16")     \
  X(MEMINIT, "meminit")     \
  X(STOINIT, "stoinit")

typedef enum {
#define X(id, name) TRACE_##id,
  TRACE_TABLES(X)
#undef X
  TRACE_COUNT
} trace_table_id;

/* Collector options (trace_init_opts), or-ed. */
enum {
  /* Keep the input of every Keccak-f[1600] permutation so that the keccak
   * table is proven with keccak_air (24 rows per permutation). */
  TRACE_OPT_PROVE_KECCAK = 1u << 0,
  /* Keep the opcode and operands of every arithmetic instruction the arith
   * AIR supports so that the arith table is proven with arith_air. */
  TRACE_OPT_PROVE_ARITH = 1u << 1,
  /* Keep the inputs of every secp256k1 recovery (on_sigrecover_data) so that
   * the ecrecover table is proven with arith_air: each recovery redone by
   * secp_witness, every modular multiplication a MULMOD instruction. */
  TRACE_OPT_PROVE_ECRECOVER = 1u << 2,
  /* Keep the inputs of every successful SHA256, BLAKE2F and RIPEMD160
   * precompile call (on_precompile_input) so that the sha256 table is proven
   * with sha256_air, the blake2f table with blake2f_air and the ripemd160
   * table with ripemd160_air; and of every successful ECADD, ECMUL,
   * ECPAIRING, P256VERIFY and MODEXP call so that the modmul table is
   * proven with arith_air (the calls replayed by pc_witness). */
  TRACE_OPT_PROVE_PRECOMPILES = 1u << 3,
  /* Lookup buses (LogUp, stark/air.h): the range16 table receives every
   * 16-bit range check (the memory and storage clocks, the stoinit table's
   * slot limbs); the cpu table sends to the opcode ROM; the memory and
   * meminit tables check memory consistency, the storage and stoinit
   * tables storage consistency (below).
   * Not part of any other option: a collector without it builds exactly the
   * tables it built before (meminit and range16 aside, which exist only
   * with it). */
  TRACE_OPT_LOOKUPS = 1u << 4
};

/* Buses of the lookup argument (the fingerprint's constant term). */
enum {
  TRACE_BUS_RANGE16 = 1, /* one field: a value that must lie in [0, 2^16) */
  TRACE_BUS_OPCODE = 2,  /* a row of the opcode ROM (below) */
  TRACE_BUS_MEMORY = 3,  /* a memory word's state: (context, word, 16 limbs, clock) */
  TRACE_BUS_MEMCHAIN = 4, /* (context, word): the meminit table's chain */
  TRACE_BUS_STORAGE = 5,  /* a slot's state: (27 slot limbs, 16 value limbs, clock) */
  TRACE_BUS_PRESTATE = 6, /* a storage slot's value before the block: (27 slot limbs, 16 value limbs) */
  TRACE_BUS_STOSTEP = 7,  /* a storage access's instruction: (step, transaction, opcode) */
  TRACE_BUS_MEMSTEP = 8   /* a memory access's instruction: (2 step + 2) */
};

/* Memory consistency (TRACE_OPT_LOOKUPS), offline memory checking as a
 * LogUp bus. Memory is per code frame; the collector numbers the frames
 * that access memory 1 .. N in the order of their first access (memory
 * contexts). On TRACE_BUS_MEMORY every memory row receives its word's
 * previous state (MEM_CTX, MEM_ADDR, MEM_P limbs, MEM_PT) and sends its new
 * one (MEM_CTX, MEM_ADDR, MEM_V limbs, MEM_TIME); a read keeps the value
 * (a constraint), and TIME > PT (TIME - PT - 1 and TIME as range-checked
 * 16-bit limbs, the high ones below 2^12, so clocks stay below 2^28 and
 * the difference cannot wrap). The meminit table sends each word's initial
 * state (zero at clock 0) and receives its final one. The bus balances only
 * when each word's states form one chain from zero through its accesses in
 * clock order: every read returns the last value written, or zero. The
 * initial states must be distinct, or a word could start over at zero: the
 * meminit rows form a chain on TRACE_BUS_MEMCHAIN ((c, a) -> (c, a + 1), or
 * (c + 1, 0) after a context's last word) that the verifier starts at
 * (1, 0) and ends at (N + 1, 0) (trace_public_sum); a chain whose every
 * step goes forward visits each (c, a) at most once. N is a public value.
 * Each memory row names its instruction: a row's clock less its write flag
 * is 2 (step + 1), and it receives (TIME - WRITE) on TRACE_BUS_MEMSTEP,
 * which the cpu row with that CPU_STEP sends ((2 CPU_STEP + 2)) CPU_MEMN
 * times. So every memory row belongs to an executed instruction, and each
 * cpu row's count of memory rows is exact. The rows are the instruction's
 * own accesses, except that a call's or create's input (the caller's
 * memory read before the callee runs) is counted on the callee's first
 * instruction, which runs next (the CALL's own cpu row comes after the
 * callee's). So an instruction whose opcode cannot access memory (the
 * ROM's CPU_MAYMEM 0) has memory rows (CPU_MEMX = CPU_MEMN (1 - MAYMEM)
 * not zero) only as the first instruction of a frame: a constraint refuses
 * them on a row the previous one continues (CPU_SEQ). Not yet bound: the
 * values an instruction moved and the addresses it used (the cpu table has
 * no stack values), so which words an instruction touched and what it
 * wrote are the prover's. Across cpu shards the chain of their public
 * values (below: shards in a chain) makes CPU_STEP one run 0, 1, .. over
 * the block and carries a continuing frame's state, and its CPU_MEMX rule,
 * over a shard's edge. What is proven is that the memory rows are one
 * consistent history of zero-initialised memories, each access made by an
 * instruction that accesses memory or a frame's entry, as many as the cpu
 * rows say. */
#define TRACE_MEM_CLOCK_BITS 28u /* clocks below 2^28: 2^27 - 1 instructions */

/* Storage consistency (TRACE_OPT_LOOKUPS), the same offline check on
 * TRACE_BUS_STORAGE. A slot is (context, address, key): context 0 is
 * storage, shared by the block's transactions; context 1 + i is
 * transaction i's transient storage, zero when it starts (so that the
 * transient storage emptied at a transaction's end needs no rows). Every
 * storage row receives its slot's previous state (STO_P limbs, STO_PT)
 * and sends its new one (STO_V limbs, STO_TIME); a read keeps the value,
 * and TIME > PT as for memory (the storage clock is the row's index + 1,
 * below 2^28). The executor reports every change of a slot (evm.h:
 * on_storage_undo), so a write a revert undoes is a row that writes the
 * old value back, and the rows replay each slot's whole history. The
 * stoinit table sends each slot's initial state (its value before the
 * block, clock 0) and receives its final one; its rows are sorted by slot,
 * strictly increasing (SI_SEL marks the first limb where the next row's
 * slot differs, the limbs before it equal, SI_D = that limb's difference
 * minus 1 a 16-bit value, and every slot limb a 16-bit value), so no slot
 * has two initial states; this needs the table in one shard (its
 * transitions are constraints), which trace_shard_count gives it whatever
 * the shard size. A transient slot starts at zero (a constraint), and
 * context > 0 exactly for the transient rows (CTX - 1 range-checked on
 * them, CTX = 0 on the others). The bus balances only when every read
 * returns the last value written to its slot, or the initial one. The
 * initial values of storage slots (context 0) are the block's pre-state:
 * each such stoinit row receives (slot, initial value) on
 * TRACE_BUS_PRESTATE, and the verifier sends them itself
 * (trace_public_sum), from the list of those slots, which is public (the
 * block proof's public values, bound into the challenges), and the values
 * the block file's pre-state gives them (zero for a slot it lacks; where it
 * lists an address twice, the later entry's slot, as evm_state_load_block
 * does). Each storage row of an access (not an undo) names its
 * instruction: it receives (STO_STEP, STO_TX, opcode) on TRACE_BUS_STOSTEP,
 * the opcode 0x54 + WRITE + 8 TRANSIENT (SLOAD, SSTORE, TLOAD, TSTORE),
 * and the cpu row with that CPU_STEP sends (CPU_STEP, CPU_TX, CPU_OP) with
 * multiplicity CPU_ISSTO; a transient row's context is 1 + STO_TX (a
 * constraint). So every access is one storage instruction's, of its kind,
 * in its transaction, and a cpu row that says it accessed storage has
 * exactly one access. Not yet bound: the pre-state to a state root (the
 * trie's keccak rows are not linked to it), the values an instruction
 * moved (the cpu table has no stack values), and that an undo row is a
 * revert's, as for memory (CPU_STEP is distinct across the block: shards in
 * a chain, below). */


/* The opcode ROM (TRACE_OPT_LOOKUPS). The cpu table sends, on every row,
 * (CPU_OP, CPU_STATIC, CPU_IN, CPU_OUT, CPU_PUSHLEN, CPU_ISPUSH,
 * CPU_MAYMEM) on TRACE_BUS_OPCODE with multiplicity CPU_REAL, so that an
 * executed instruction's static gas, stack effect, immediate length and
 * whether it can access memory are the opcode's, not values the prover
 * picks (the cpu AIR only relates them to gas, stack pointer, pc and
 * memory rows). The receiving side is a public table of TRACE_ROM_ROWS
 * rows, row op = (op, static gas, items popped, items pushed, immediate
 * bytes, is PUSH1..PUSH32, can access memory, multiplicity): the facts of
 * evm/opcodes.def that the cpu rows are filled from (the last one from
 * the opcodes that report memory accesses, evm.h: on_memory),
 * fork-independent (an opcode a fork lacks halts, with the same row). It is not proven as a
 * table: no constraint of low degree pins down 256 arbitrary rows, so the
 * verifier builds the ROM itself (trace_opcode_rom) and adds its side of
 * the bus (stark_lookup_public_sum with trace_opcode_receive). The
 * multiplicities, how many real cpu rows send each opcode's tuple
 * (trace_collector.op_count), are public values of the block's proof and
 * are bound into the lookup challenges (stark_lookup_challenges_pub). */
#define TRACE_ROM_ROWS 256u
#define TRACE_ROM_FIELDS 7u
#define TRACE_ROM_WIDTH (TRACE_ROM_FIELDS + 1u) /* the fields, then the multiplicity */

/* The ROM into rom (TRACE_ROM_ROWS x TRACE_ROM_WIDTH, row-major), with
 * multiplicity count[op] (count NULL: all zero). */
void trace_opcode_rom(const bb_t *count, bb_t *rom);
/* The ROM's interaction: it receives its fields with its multiplicity. */
const stark_interaction *trace_opcode_receive(void);

/* The range16 table (TRACE_OPT_LOOKUPS): exactly TRACE_RANGE16_ROWS rows,
 * row r holding v = r and m = how many times r is sent on TRACE_BUS_RANGE16
 * in the block (trace_cols.h: R16_V, R16_M); it receives (v) with
 * multiplicity m. Constraints: v = 0 on the first row, v' = v + 1 on every
 * transition; m is free (a receiver's multiplicity only has to match what
 * is sent). It has rows only when some table of the collector sends on the
 * bus (proven storage or memory rows), 0 otherwise, and is always one shard
 * of 2^16 rows, whatever the shard size asked for (its v column must run
 * over every value). A sending table's padding rows must send with
 * multiplicity 0 (the storage and memory tables' do: STO_REAL, MEM_REAL = 0). */
#define TRACE_RANGE16_LOG_ROWS 16u
#define TRACE_RANGE16_ROWS ((size_t)1 << TRACE_RANGE16_LOG_ROWS)

/* The stoinit table is one shard of its rows padded to a power of two (at
 * least 2), whatever the shard size asked for. */

/* The largest log2 shard size a prover should use for table id under opts:
 * TRACE_WIDE_MAX_LOG_SHARD for the proven keccak, arith, ecrecover, sha256,
 * blake2f, ripemd160 and modmul tables (2633, 2533, 631, 5816, 901 and
 * 2533 columns: a
 * 2^20-row shard of 2600 columns would be an 11 GB trace before its
 * extension), else
 * TRACE_NO_LOG_SHARD_CAP (no cap). */
#define TRACE_WIDE_MAX_LOG_SHARD 14u
#define TRACE_NO_LOG_SHARD_CAP 64u
unsigned trace_max_log_shard(trace_table_id id, unsigned opts);

/* One recovery of the proven ecrecover table: its inputs (secp_witness.h)
 * and where its products stand among the table's. */
typedef struct {
  uint8_t hash[32], r[32], s[32];
  uint8_t recid;
  uint32_t muls;  /* products its recovery reports (at least 1) */
  uint64_t first; /* products of the recoveries before it */
} trace_sigrec;

/* One call of the proven modmul table (a successful ECADD, ECMUL,
 * ECPAIRING, P256VERIFY or MODEXP call, replayed by pcw_run, or by
 * pcw_run_wide for a MODEXP whose modulus is past 32 bytes)
 * or of the proven bls12 table (a successful BLS12-381 or point evaluation
 * call, replayed by pcw_run_bls12). Its input is mm_bytes[off, off + len)
 * of the table. */
typedef struct {
  uint16_t address; /* PCW_ADDR_* */
  uint8_t wide;     /* a MODEXP replayed by pcw_run_wide: muls counts limb steps */
  uint64_t off, len;
  uint64_t muls;    /* products pcw_run reports for it (at least 1) */
  uint64_t first;   /* products of the calls before it */
} trace_mmcall;

/* One table: rows x width values, row-major, unpadded. A sized table has
 * width 0 and data NULL. The proven keccak table keeps its permutations'
 * inputs instead of rows (rows = 24 x permutations; data NULL): trace_shard
 * generates a shard's rows from them, as 2633-column rows would take 10 KiB
 * each. The proven ecrecover table likewise keeps its recoveries' inputs
 * (97 bytes each instead of about 22,000 rows) and redoes a recovery to
 * generate its rows. The proven sha256 table keeps, per compression, the
 * chaining value it starts from and its 64-byte block (96 bytes instead of
 * 64 rows of 631 columns), the proven blake2f table each call's inputs
 * (blake2f_air_call), and the proven ripemd160 table, per compression, its
 * chaining value and block (84 bytes instead of 80 rows of 901 columns).
 * The proven modmul and bls12 tables keep each call's input (mm_bytes, one
 * arena) and a trace_mmcall, and replay a call to generate its rows. */
typedef struct {
  trace_table_id id;
  unsigned width;
  size_t rows, cap;
  bb_t *data;
  const stark_air *air;       /* the table's AIR; NULL when sized only */
  uint64_t (*keccak_in)[25];  /* keccak, proven: permutation k's input state
                                 (lanes x + 5y), k < rows / 24 */
  size_t keccak_cap;
  uint8_t *arith_ops;         /* arith, proven: the instructions in order,
                                 packed (trace.c); rows = the sum of their
                                 arith_air_rows_for; data NULL */
  size_t arith_n;             /* instructions in arith_ops */
  size_t arith_len, arith_cap; /* bytes used and allocated */
  trace_sigrec *sigrec;       /* ecrecover, proven: the recoveries in order;
                                 rows = 4 x their products; data NULL */
  size_t sigrec_n, sigrec_cap;
  uint32_t (*sha_state)[8];   /* sha256, proven: compression k's chaining
                                 value in, k < sha_n = rows / 64 */
  uint8_t (*sha_block)[64];   /* and its block */
  size_t sha_n, sha_cap;
  blake2f_air_call *b2_calls; /* blake2f, proven: the calls in order; rows =
                                 the sum of their rounds + 2; data NULL */
  size_t b2_n, b2_cap;
  size_t pad_rows;            /* rows its proven shards add beyond rows because
                                 a unit can not be cut: a blake2f call of more
                                 than 2^TRACE_WIDE_MAX_LOG_SHARD rows fills a
                                 shard of the next power of two (counted sized
                                 and proven alike); 0 for the other tables */
  uint32_t (*rmd_state)[5];   /* ripemd160, proven: compression k's chaining
                                 value in, k < rmd_n = rows / 80 */
  uint8_t (*rmd_block)[64];   /* and its block */
  size_t rmd_n, rmd_cap;
  trace_mmcall *mm_calls;     /* modmul, bls12, proven: the calls in order;
                                 rows = 4 x (modmul) or 1 x (bls12) their
                                 products; data NULL */
  size_t mm_n, mm_cap;
  uint8_t *mm_bytes;          /* their inputs, one after another */
  size_t mm_len, mm_bytes_cap;
  blk_fork mm_fork;           /* the fork the calls ran in (pcw_run's, pcw_run_bls12's) */
  const stark_lookup *lookup; /* its interactions under the collector's options
                                 (trace_lookup_opts); NULL: none */
  size_t prefaulted;          /* bytes of data known mapped (trace.c: prefault) */
  size_t keep_lo, keep_hi;    /* rows whose values are stored: [keep_lo, keep_hi)
                                 (trace_keep_rows; all by default); data[0] is
                                 row keep_lo */
  bb_t *spill;                /* one row: where a row outside them is written */
} trace_table;

/* One memory context (a frame that accessed memory) as the collector
 * replays it: words = one past the highest word accessed; with values kept
 * (not a counting collector) each word's bytes and clock. */
typedef struct {
  uint64_t words, cap;
  uint8_t *bytes;  /* 32 per word */
  uint32_t *clock; /* MEM_TIME of its last access, 0: none */
} trace_memctx;

/* One slot as the collector replays it: its identity (the context, 2
 * bytes, the address and the key, big-endian: memcmp orders slots as the
 * stoinit table does), its value before the block's first access, its
 * value now and the clock of its last access. */
typedef struct {
  uint8_t id[2 + 20 + 32];
  uint8_t init[32], cur[32];
  uint32_t clock;
} trace_slot;

/* The collector: attach with trace_tracer, run the executor, then read the
 * tables. Not thread-safe; one collector per block. */
typedef struct {
  trace_table t[TRACE_COUNT];
  int err;            /* first error met while collecting (sticky) */
  uint32_t tx;        /* index of the transaction being executed */
  uint64_t time;      /* instruction counter: the cpu rows' CPU_STEP and the
                         storage rows' STO_STEP, and (2 (time + 1) + write)
                         the memory rows' clock */
  int sto_in_step;    /* the running instruction accessed storage (CPU_ISSTO) */
  uint64_t mem_in_step; /* memory rows since the last cpu row (CPU_MEMN) */
  uint64_t keccak_perms;
  uint64_t sig_recoveries;
  blk_fork fork;
  const blk_block *block; /* the block trace_add_block_witness was given: its
                             pre-state is what the storage slots start at */
  int count_only;     /* rows are counted, no values stored (cost estimates) */
  int count_slots;    /* counting: also the distinct slots (n_slots) without
                         TRACE_OPT_LOOKUPS, for trace_kept_bytes */
  unsigned opts;      /* TRACE_OPT_* given to trace_init_opts */
  size_t pc_precomp_rows; /* precomp rows the last on_precompile added
                             (taken back when its call goes to modmul) */
  uint64_t pc_field_muls; /* and its work's field_muls */
  bb_t op_count[TRACE_ROM_ROWS]; /* TRACE_OPT_LOOKUPS: the opcode ROM's
                                    multiplicities (trace_opcode_fill) */
  int op_bus;                    /* 1 when some table sends on TRACE_BUS_OPCODE */
  trace_slot *slots;     /* TRACE_OPT_LOOKUPS: the slots accessed, in order
                            of first access (a counting collector: their
                            identities only) */
  size_t n_slots, slots_cap;
  uint32_t *slot_tab;    /* open addressing: 1 + index into slots, 0 empty */
  size_t slot_tab_cap;
  uint32_t *frame_ctx;   /* frame id -> memory context (0: none yet) */
  size_t frame_cap;
  trace_memctx *mctx;    /* memory contexts 1 .. n_mctx at [0 .. n_mctx) */
  size_t n_mctx, mctx_cap;
  size_t max_bytes;      /* budget of the collected rows and memory replays (0: none;
                            the caller sets it after trace_init_opts): past it the
                            collection stops with TRACE_E_NOMEM and over_budget set,
                            so that a block whose tables would not fit this machine
                            fails with a reason instead of exhausting its memory */
  size_t bytes;          /* what they have taken */
  int over_budget;
} trace_collector;

/* The public values of a block's lookup argument (runner: the block
 * proof's public part, bound into the challenges): the opcode ROM's
 * multiplicities (c->op_count, TRACE_ROM_ROWS of them), the number of
 * memory contexts, the number S of storage slots (context 0) the stoinit
 * table lists, then those slots in its order, TRACE_PUB_SLOT_LIMBS limbs
 * each (address, then key: 16-bit limbs, big-endian): trace_public_len(c)
 * values in all, TRACE_PUB_VALUES + TRACE_PUB_SLOT_LIMBS S. */
#define TRACE_PUB_VALUES (TRACE_ROM_ROWS + 2u)
#define TRACE_PUB_SLOT_LIMBS 26u
size_t trace_public_len(const trace_collector *c);
void trace_public_values(const trace_collector *c, bb_t *pub);
/* The verifier's side of the public buses for the npub values pub, the
 * pre-state of block pre and the challenges ch, into *sum: the opcode
 * ROM's receives, the memory chain's ends (a send of (1, 0), a receive of
 * (N + 1, 0)) and a send on TRACE_BUS_PRESTATE of each listed slot with
 * the value pre's accounts give it. STARK_OK; STARK_ERR_ARG when pub is not
 * such a list (a length that does not match S, a limb of 2^16 or more,
 * slots not strictly increasing) or pre is NULL with S > 0;
 * STARK_ERR_NOMEM; else stark_lookup_public_sum's error. */
int trace_public_sum(const bb_t *pub, size_t npub, const blk_block *pre, const ext_t ch[2], ext_t *sum);
/* Whether the stoinit table of finished collector c gives every storage
 * slot its value in c->block's pre-state: TRACE_OK, TRACE_E_ARG for a slot
 * that starts at another value (or no block), TRACE_E_NOMEM. What the
 * verifier's pre-state send checks, without a proof. */
int trace_check_prestate(const trace_collector *c);

/* Windowed collection, for a block whose tables do not fit in memory at
 * once: a block is executed again once per window, each time storing the
 * values of rows [lo, hi) of the cpu, memory and storage tables only (a
 * STARK shard of those tables is a copy of its rows, so the shards inside
 * a window are exactly those of a collector that stored every row). The
 * other rows are still counted (rows is the table's full height) and their
 * values computed, then dropped; the memory replay and the other tables are
 * kept whole. Call before the collector sees any event; lo <= hi. Not on a
 * counting collector: TRACE_E_ARG then, or for another table. With
 * TRACE_OPT_LOOKUPS the range16 table and the opcode ROM's counts
 * (trace_finish) count the stored rows only: a runner adds them up over
 * its passes (trace_counts_add) and gives the sums to one collector
 * (trace_counts_apply) to prove the range16 table and draw the challenges
 * from; every row is stored by exactly one window, so the sums are those
 * of a collector that stored every row. */
int trace_keep_rows(trace_collector *c, trace_table_id id, size_t lo, size_t hi);
/* The rows of t whose values are stored: data holds them, from row
 * t->keep_lo on. */
size_t trace_table_stored(const trace_table *t);
/* What a collector storing values holds whole for a block, whatever its
 * row windows: the memory replay of every context and the slot replay, at
 * the sizes their allocations grow to; from a finished counting collector
 * c with count_slots set (or TRACE_OPT_LOOKUPS), which counts the words and
 * slots. */
size_t trace_kept_bytes(const trace_collector *c);

/* trace_init_opts(c, fork, 0): the default tables. */
void trace_init(trace_collector *c, blk_fork fork);
/* A collector with options (TRACE_OPT_*; unknown bits are ignored). With
 * TRACE_OPT_PROVE_KECCAK the tracer takes the bytes of every hash
 * (on_keccak_data), pads and absorbs them as keccak256 does (rate 136, pad
 * 0x01 .. 0x80) and keeps one input state per permutation; the keccak table
 * then has width KECCAK_AIR_WIDTH and the keccak AIR. keccak_perms still
 * counts what on_keccak reports plus the block witness, so rows == 24 *
 * keccak_perms when both agree. With TRACE_OPT_PROVE_ARITH the tracer takes
 * on_arith_values and keeps every instruction arith_air_supports (opcode,
 * the operands a and b, and c for ADDMOD and MULMOD, as 32-byte words; a
 * missing b is kept as zero); the arith table then has width
 * ARITH_AIR_WIDTH, the arith AIR and rows = the sum of arith_air_rows_for
 * over those instructions (on_arith no longer sizes it). With
 * TRACE_OPT_PROVE_ECRECOVER the tracer takes on_sigrecover_data and keeps
 * every recovery whose secp_witness_recover reports at least one product
 * (one with r or s out of range reports none; one rejected later, x^3 + 7
 * not a square or Q at infinity, keeps the products it did); the ecrecover
 * table then has width ARITH_AIR_WIDTH, the arith AIR and rows = 4 x the
 * products of all kept recoveries (on_sigrecover and on_precompile no
 * longer size it; sig_recoveries still counts them). A recovery with no
 * data (evm.h: no signature, no recovery id) has no rows. With
 * TRACE_OPT_PROVE_PRECOMPILES the tracer keeps, for every successful SHA256
 * call (on_precompile_input), the (chaining value, block) pair of each
 * compression of its padded input (the 0x80 byte, zeros and the 64-bit bit
 * length, blocks chained from sha256_iv), and for every successful BLAKE2F
 * call its input decoded as a blake2f_air_call (rounds big-endian, h, m and
 * t little-endian 64-bit words, f); the sha256 table then has width
 * SHA256_AIR_WIDTH and the sha256 AIR, the blake2f table width
 * BLAKE2F_AIR_WIDTH and the blake2f AIR. Their rows are the same with the
 * option or without (the table at the top). The option also keeps, for every
 * successful RIPEMD160 call, the (chaining value, block) pair of each
 * compression of its padded input (0x80, zeros, the 64-bit bit length
 * little-endian; blocks chained from ripemd160_iv); the ripemd160 table then
 * has width RIPEMD160_AIR_WIDTH, the ripemd160 AIR and 80 rows per
 * compression, and precomp no longer counts RIPEMD160 calls. The option
 * keeps, last, every successful call (on_precompile_input) of ECADD, ECMUL,
 * ECPAIRING, P256VERIFY and of MODEXP when pcw_run witnesses it (modulus
 * value below 2^256) with at least one product: its input, its address and
 * its product count (bn254: the call's field_muls; the others: pcw_run
 * without a callback); the modmul table then has width ARITH_AIR_WIDTH, the
 * arith AIR and rows = 4 x the products of all kept calls. With the option
 * or without, those calls add their 4 x products rows to the modmul table
 * and nothing to precomp; a failed bn254 call, or a MODEXP pcw_run does not
 * witness, stays in precomp. */
void trace_init_opts(trace_collector *c, blk_fork fork, unsigned opts);
/* A collector that only counts rows: what the cost estimate needs, without
 * the memory and time of storing values. trace_finish and trace_shard are not
 * for such a collector. */
void trace_init_counting(trace_collector *c, blk_fork fork);
void trace_free(trace_collector *c);

/* An evm_tracer whose callbacks fill c. */
evm_tracer trace_tracer(trace_collector *c);

/* Stateless-witness hashing of block b that the executor does not report: the
 * guest hashes the bytecode of every contract it is given, and every
 * transaction's signed encoding (to recover its sender). The permutations go
 * to the keccak table. A sized table takes the encoding as the tx data plus
 * 128 bytes of fields (no signing: cheap enough for the hunt's estimates);
 * with TRACE_OPT_PROVE_KECCAK the real bytes are absorbed: each code, and
 * evm_tx_encode's signed encoding (a tx that cannot be encoded, unsigned
 * with an address sender, is absorbed as its data plus 128 zero bytes). */
void trace_add_block_witness(trace_collector *c, const blk_block *b);

/* Finish collecting: derives the cpu table's look-ahead columns (rows whose
 * successor continues the same frame). Returns c->err or TRACE_OK. */
int trace_finish(trace_collector *c);
/* With TRACE_OPT_LOOKUPS it also builds the meminit table from the
 * replayed memory contexts (rows = the words of all contexts) and the
 * stoinit table from the replayed slots (sorted), fills the range16 table
 * (trace_range_fill) and counts the opcode ROM's multiplicities
 * (trace_opcode_fill). */

const char *trace_table_name(trace_table_id id);

/* 1 when table id is proven in a collector built with opts, 0 when it is
 * sized only (see the table at the top). */
int trace_table_proven(trace_table_id id, unsigned opts);

/* 0 for a table that exists only with an option opts lacks (range16,
 * meminit, stoinit: TRACE_OPT_LOOKUPS), neither proven nor sized; else 1. */
int trace_table_exists(trace_table_id id, unsigned opts);

/* Width of table id with opts: its AIR's width when proven, 0 when sized. */
unsigned trace_table_width_opts(trace_table_id id, unsigned opts);
/* trace_table_width_opts(id, 0). */
unsigned trace_table_width(trace_table_id id);

/* The AIR of table id with opts (static, valid for the life of the process);
 * NULL when the table is sized only. */
const stark_air *trace_air_opts(trace_table_id id, unsigned opts);
/* trace_air_opts(id, 0). */
const stark_air *trace_air(trace_table_id id);

/* The AIR a collected table is proven with: t->air (NULL: sized only). */
const stark_air *trace_table_air(const trace_table *t);

/* Check the collected rows of t (all of them, t->keep_lo 0 and every row
 * kept), padded with zero rows to a power of two (at least 2), against its
 * AIR: stark_air_check's code (STARK_OK, STARK_ERR_CONSTRAINT with
 * *bad_row and *bad_constraint when not NULL, ...), STARK_OK for a table
 * without an AIR or rows, STARK_ERR_NOMEM when the copy cannot be made. A
 * table whose constraints span shards (stoinit) is checked as the one shard
 * it is proven as; the others as if in one shard, which a collector's rows
 * satisfy whenever each shard does but for the rows at shard edges. */
int trace_table_air_check(const trace_table *t, size_t *bad_row, int *bad_constraint);

/* Shards in a chain. The cpu table's shards are proven separately, so the
 * AIR's transition constraints stop at a shard's edges; its public values
 * (trace_cols.h: CPU_PUB_*) carry the edges instead: the first row's
 * instruction index, pc, gas before, stack pointer, call depth,
 * transaction, opcode and CPU_MEMX as the shard enters, and the last row's
 * real flag, index, pc, immediate length, opcode, gas after, stack pointer
 * after (SP - IN + OUT), depth and transaction as it leaves (constraints on
 * the first and last rows bind them). The block's verifier checks the
 * chain (trace_cpu_chain_check): the first shard starts at instruction 0,
 * every shard but the last ends on an executed instruction and the next
 * starts at the index after it, so the indices of all shards are one run
 * 0, 1, .. and CPU_STEP is distinct across the block (each memory and
 * storage row names one instruction); and where the same frame continues
 * across the edge (same transaction and depth, the rule the collector's
 * CPU_SEQ follows), gas and stack pointer carry over, the pc advances past
 * the immediate or, after a taken jump (JUMP, or a JUMPI whose next pc is
 * not pc + 1), lands on a JUMPDEST, and the first row has no call input
 * (CPU_MEMX 0), as within a shard. */

/* The public values of a shard of table id (2^log_n rows as trace_shard
 * gives them) into pub (room for CPU_PUBLIC): their number, CPU_PUBLIC for
 * the cpu table, 0 for every other table (pub untouched). */
unsigned trace_shard_public(trace_table_id id, const bb_t *shard, unsigned log_n, bb_t *pub);

/* Check the chain of n cpu shards' public values (pub: n x CPU_PUBLIC, in
 * shard order) as above: TRACE_OK, or TRACE_E_RANGE with *bad (if not NULL)
 * the first shard whose entry does not follow (0: the first shard does not
 * start at instruction 0); TRACE_E_ARG for pub NULL with n > 0. */
int trace_cpu_chain_check(const bb_t *pub, size_t n, size_t *bad);

/* The interactions (stark.h: stark_lookup, challenges NULL) of table id
 * under opts: with TRACE_OPT_LOOKUPS the storage table's 26 sends and the
 * range16 table's receive; NULL for every table without interactions
 * (every table when opts lacks TRACE_OPT_LOOKUPS). Static, valid for the
 * life of the process. */
const stark_lookup *trace_lookup_opts(trace_table_id id, unsigned opts);
/* The interactions a collected table is proven with: t->lookup. */
const stark_lookup *trace_table_lookup(const trace_table *t);

/* Fill the range16 table of c from what every table of c with interactions
 * sends on TRACE_BUS_RANGE16 (its stored rows, unpadded: the storage
 * table's limbs, the memory table's clock limbs): rows =
 * TRACE_RANGE16_ROWS when anything is sent (even with multiplicity 0),
 * else 0 (data freed). A sent value outside [0, 2^16) has no row to be
 * counted on and is left out, so the buses then do not balance. Called by
 * trace_finish; calling it again (after changing a table's rows) recounts.
 * TRACE_OK, TRACE_E_NOMEM; a no-op without TRACE_OPT_LOOKUPS or for a
 * counting collector. */
int trace_range_fill(trace_collector *c);

/* The range16 multiplicities and opcode ROM counts of a block collected in
 * row windows (trace_keep_rows), added up over its passes. Zero it before
 * the first. */
typedef struct {
  bb_t range[TRACE_RANGE16_ROWS]; /* the range16 table's m column */
  bb_t op[TRACE_ROM_ROWS];        /* trace_collector.op_count */
  int range_any;                  /* some pass had range16 rows */
  int op_bus;                     /* some pass sent on TRACE_BUS_OPCODE */
  int whole_added;                /* the tables no pass windows are counted */
} trace_lookup_counts;
/* Add the counts of finished collector c to *acc: the stored rows of the
 * tables a pass windows, and the other tables' rows (each pass builds them
 * whole) with the first collector only. */
void trace_counts_add(trace_lookup_counts *acc, const trace_collector *c);
/* Make c's range16 table (rows TRACE_RANGE16_ROWS when any pass had them,
 * else none) and opcode counts those of *acc. TRACE_OK, TRACE_E_NOMEM. */
int trace_counts_apply(trace_collector *c, const trace_lookup_counts *acc);

/* The opcode ROM's multiplicities: c->op_count[op] = the sum, over every
 * stored row of every table sending on TRACE_BUS_OPCODE, of the row's
 * multiplicity where its first field is op (a tuple whose opcode is 256 or
 * more is counted nowhere, so its bus cannot balance); c->op_bus = whether
 * any table sends. Called by trace_finish; calling it again recounts.
 * TRACE_OK; a no-op (op_count zero, op_bus 0) without TRACE_OPT_LOOKUPS or
 * for a counting collector. */
int trace_opcode_fill(trace_collector *c);

/* Shards of a table: how many of at most 2^log_shard rows (the range16
 * table: 1 whenever it has rows, whatever log_shard). The proven arith
 * table is cut at instruction boundaries (an instruction's rows are never
 * split): each shard takes instructions in order while their rows fit in
 * 2^log_shard, and at least one, so an EXP longer than 2^log_shard rows
 * (up to ARITH_AIR_MAX_ROWS_PER_OP) is a shard of its own, padded to the
 * next power of two above the cap. The proven keccak
 * table is cut at permutation boundaries (its AIR starts every trace at
 * round 0): floor(2^log_shard / 24) permutations a shard, at least one, so
 * with log_shard < 5 its shards have 32 rows. Its rows are 10.3 KiB each:
 * a shard of 2^20 rows is an 11 GB trace before its low-degree extension,
 * so a runner proving it wants a smaller log_shard for this table. The
 * proven ecrecover table is a sequence of 4-row MULMOD instructions, cut
 * by the arith table's rule: floor(2^log_shard / 4) products a shard, at
 * least one (a recovery's products may span shards). The proven sha256
 * table is cut at compression boundaries: floor(2^log_shard / 64)
 * compressions a shard, at least one (with log_shard < 6 its shards have 64
 * rows). The proven blake2f table is cut at call boundaries, by the arith
 * table's rule: calls in order while their rows (rounds + 2 each) fit in
 * 2^log_shard, at least one, so a call longer than 2^log_shard rows is a
 * shard of its own, padded to the next power of two above the cap. The
 * proven ripemd160 table is cut at compression boundaries:
 * floor(2^log_shard / 80) compressions a shard, at least one (with
 * log_shard < 7 its shards have 128 rows). The proven modmul table is cut as
 * the ecrecover table: floor(2^log_shard / 4) products a shard, at least
 * one (a call's products may span several shards). */
size_t trace_shard_count(const trace_table *t, unsigned log_shard);

/* The rows the cost model should see for each table of c: rows plus
 * pad_rows, so that a table whose shards must hold whole units is
 * estimated with the padding its proof will have. */
void trace_estimate_rows(const trace_collector *c, uint64_t rows[TRACE_COUNT]);

/* Shard k of t as a new padded trace: *out (malloc'd, caller frees) holds
 * 2^(*log_n) rows of t->width values (of a table with a row window,
 * trace_keep_rows, only a shard wholly inside it: TRACE_E_ARG otherwise);
 * padding rows satisfy the AIR (zero
 * rows, or for keccak permutations of the zero state with EXPORT = 0). A
 * proven arith shard is its instructions' arith_air_fill rows then zero
 * rows; a proven ecrecover shard is the MULMOD rows of its products (its
 * recoveries redone with secp_witness_recover) then zero rows. A proven
 * sha256 shard is sha256_air_fill's rows of its compressions then
 * compressions of the zero state and block with EXPORT = 0; a proven blake2f
 * shard is blake2f_air_fill's rows of its calls then zero rows; a proven
 * ripemd160 shard is ripemd160_air_fill's rows of its compressions then its
 * padding compressions (EXPORT = 0); a proven modmul shard is the MULMOD
 * rows of its products (the calls it overlaps replayed by pcw_run) then zero
 * rows (TRACE_E_ARG if a replay reports other products than counted). A
 * shard has at least 2 rows (log_n >= 1), as the STARK requires. TRACE_E_ARG
 * for a sized table, log_shard < 1 or k >= trace_shard_count. TRACE_E_RANGE
 * for a blake2f shard too tall for any STARK of this build: a single
 * BLAKE2F call of more than 2^STARK_MAX_LOG_ROWS - 2 rounds, whose padded
 * rows blake2f_air_rows cannot give (such a call costs over 67 M gas). */
int trace_shard(const trace_table *t, unsigned log_shard, size_t k, bb_t **out, unsigned *log_n);

/* trace_shard into a buffer the caller keeps from one shard to the next:
 * *buf (NULL, or a malloc'd buffer of *cap elements) is reused when it
 * holds the shard, else freed and replaced (*cap updated); the shard's
 * values are trace_shard's. The buffer stays the caller's to free, also
 * after an error. The cpu, memory and storage tables' shards are copies of
 * the collected rows, so that a fresh allocation per shard costs more in
 * page faults than the copy; the other tables' shards are built fresh and
 * handed over. */
int trace_shard_reuse(const trace_table *t, unsigned log_shard, size_t k, bb_t **buf, size_t *cap,
                      unsigned *log_n);

#endif
