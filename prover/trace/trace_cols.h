/* trace_cols: column layouts of the tables built in trace.c and constrained in
 * trace_air.c (one place for both). */
#ifndef PKB_TRACE_COLS_H
#define PKB_TRACE_COLS_H

/* cpu: one row per instruction. The look-ahead columns (SEQ, ISJUMP, ADV)
 * describe the relation to the next row and are filled by trace_finish. */
enum {
  CPU_PC,         /* program counter */
  CPU_OP,         /* opcode byte */
  CPU_GAS_BEFORE, /* gas left before the instruction */
  CPU_GAS_AFTER,  /* gas left after it (0 on an exceptional halt) */
  CPU_COST,       /* gas_before - gas_after */
  CPU_STATIC,     /* the opcode's static gas */
  CPU_DYN,        /* cost - static: memory expansion, cold access, copies, callee gas */
  CPU_SP,         /* stack items before the instruction */
  CPU_IN,         /* items the opcode pops */
  CPU_OUT,        /* items it pushes */
  CPU_MEMW,       /* memory size in words after the instruction */
  CPU_DEPTH,      /* call depth */
  CPU_TX,         /* transaction index */
  CPU_PUSHLEN,    /* immediate bytes (PUSH1..PUSH32), else 0 */
  CPU_ISPUSH,     /* 1 for PUSH1..PUSH32 */
  CPU_ISJUMP,     /* 1 when the next row is a taken jump's target */
  CPU_SEQ,        /* 1 when the next row continues this frame */
  CPU_ADV,        /* SEQ and not ISJUMP: the next pc is pc + 1 + pushlen */
  CPU_REAL,       /* 1 for an executed instruction, 0 for padding */
  CPU_STEP,       /* the instruction's index in the block (0, 1, ..): one more
                     than the previous row's within a shard */
  CPU_ISSTO,      /* 1 when the instruction accessed storage (an SLOAD, SSTORE,
                     TLOAD or TSTORE that got as far as its access) */
  CPU_MEMN,       /* memory rows the collector attributes to the instruction:
                     the words it accessed, and at a frame's first instruction
                     also the words its call or create read as input */
  CPU_MAYMEM,     /* 1 when the opcode can access memory (the ROM's fact) */
  CPU_MEMX,       /* MEMN (1 - MAYMEM): memory rows of an instruction that
                     cannot access memory, which only a frame's first
                     instruction may have */
  CPU_WIDTH
};

/* The cpu table's public values (trace.h: shards in a chain): a shard's
 * first row as it enters (CPU_PUB_IN_*) and its last row as it leaves
 * (CPU_PUB_OUT_*: the fall-through pc is PC + 1 + PUSHLEN, the stack
 * pointer after it SP - IN + OUT). */
enum {
  CPU_PUB_IN_STEP,
  CPU_PUB_IN_PC,
  CPU_PUB_IN_GAS,   /* GAS_BEFORE */
  CPU_PUB_IN_SP,
  CPU_PUB_IN_DEPTH,
  CPU_PUB_IN_TX,
  CPU_PUB_IN_OP,
  CPU_PUB_IN_MEMX,
  CPU_PUB_OUT_REAL,
  CPU_PUB_OUT_STEP,
  CPU_PUB_OUT_PC,
  CPU_PUB_OUT_PUSHLEN,
  CPU_PUB_OUT_OP,
  CPU_PUB_OUT_GAS,  /* GAS_AFTER */
  CPU_PUB_OUT_SP,   /* SP - IN + OUT */
  CPU_PUB_OUT_DEPTH,
  CPU_PUB_OUT_TX,
  CPU_PUBLIC
};

/* memory: one row per 32-byte word of an access, in the order the accesses
 * happen. A row consumes the word's state before the access (value P, clock
 * PT) and leaves its state after (value V, clock TIME): with
 * TRACE_OPT_LOOKUPS both travel on TRACE_BUS_MEMORY (trace.h), which makes
 * every read return what the last write left. Values are 16 limbs of 16
 * bits, big-endian. */
enum {
  MEM_CTX,   /* memory context: the access's frame, numbered 1, 2, .. in the
                order of first access (trace.h) */
  MEM_ADDR,  /* word index */
  MEM_TIME,  /* the clock: 2 (instruction counter + 1) + WRITE, so that a
                write after a read in one instruction (MCOPY) comes later */
  MEM_WRITE, /* 1 write, 0 read */
  MEM_CONT,  /* 1 when this word continues the previous row's access */
  MEM_REAL,
  MEM_V,                 /* 16 limbs: the word after the access */
  MEM_P = MEM_V + 16,    /* 16 limbs: the word before it (a read: the same) */
  MEM_PT = MEM_P + 16,   /* the clock of the word's previous access (0: none) */
  MEM_TLO,               /* TIME = TLO + 2^16 THI, THI < 2^12 */
  MEM_THI,
  MEM_DLO,               /* TIME - PT - 1 = DLO + 2^16 DHI, DHI < 2^12 */
  MEM_DHI,
  MEM_WIDTH
};

/* meminit (TRACE_OPT_LOOKUPS): one row per word of each memory context's
 * memory (words 0 .. W - 1, W past the highest word it accessed), contexts
 * in order. A row puts the word's initial state (zero, clock 0) on
 * TRACE_BUS_MEMORY and takes its final state off it; on TRACE_BUS_MEMCHAIN
 * it receives its own (CTX, ADDR) and sends its successor's, (CTX, ADDR + 1)
 * or, on a context's last word, (CTX + 1, 0), which makes the rows distinct
 * (trace.h). */
enum {
  MI_CTX,
  MI_ADDR,
  MI_LAST,               /* 1 on the context's last word */
  MI_NEXT,               /* (1 - LAST)(ADDR + 1): the successor's address */
  MI_REAL,
  MI_FV,                 /* 16 limbs: the word's final value */
  MI_FT = MI_FV + 16,    /* its final clock (0: never accessed) */
  MI_WIDTH
};

/* storage: one row per access (an SLOAD, SSTORE, TLOAD or TSTORE, or a
 * write undone by a revert or a slot cleared by an account's deletion), in
 * the order they happen. A slot is (CTX, ADDR, KEY), STO_SLOT_LIMBS values
 * below 2^16: CTX is 0 for storage and 1 + the transaction index for
 * transient storage (each transaction's own); address and key as 16-bit
 * limbs, big-endian. As a memory row, a storage row consumes the slot's
 * state before the access (value P, clock PT) and leaves its state after
 * (value V, clock TIME); with TRACE_OPT_LOOKUPS both travel on
 * TRACE_BUS_STORAGE (trace.h). */
enum {
  STO_CTX = 0,
  STO_ADDR = 1,   /* 10 limbs */
  STO_KEY = 11,   /* 16 limbs */
  STO_WRITE = 27, /* 1 write (an undo included), 0 read */
  STO_COLD,       /* the EIP-2929 status before the access */
  STO_TRANSIENT,
  STO_UNDO,       /* 1 for a write no instruction made (undone, cleared) */
  STO_REAL,
  STO_TIME,       /* the storage clock: 1 + the row's index in the table */
  STO_V,                 /* 16 limbs: the value after the access */
  STO_P = STO_V + 16,    /* 16 limbs: the value before it (a read: the same) */
  STO_PT = STO_P + 16,   /* the clock of the slot's previous access (0: none) */
  STO_TLO,               /* TIME = TLO + 2^16 THI, THI < 2^12 */
  STO_THI,
  STO_DLO,               /* TIME - PT - 1 = DLO + 2^16 DHI, DHI < 2^12 */
  STO_DHI,
  STO_STEP,              /* the index of the instruction that made the access
                            (the cpu row's CPU_STEP; 0 for an undo) */
  STO_TX,                /* the transaction (a transient row: CTX - 1) */
  STO_WIDTH
};
#define STO_SLOT_LIMBS 27u /* CTX, 10 address limbs, 16 key limbs */

/* stoinit (TRACE_OPT_LOOKUPS): one row per slot the block accesses, sorted
 * by (CTX, ADDR, KEY) as a big-endian number, strictly increasing; always
 * one shard. A row puts the slot's initial state (its value before the
 * block's first access to it, clock 0) on TRACE_BUS_STORAGE and takes its
 * final state off it; the sorted order makes the slots distinct (trace.h). */
enum {
  SI_CTX = 0,
  SI_ADDR = 1,           /* 10 limbs */
  SI_KEY = 11,           /* 16 limbs */
  SI_TRANS = 27,         /* 1 for transient storage (CTX > 0) */
  SI_REAL,
  SI_IV,                 /* 16 limbs: the initial value (transient: zero) */
  SI_FV = SI_IV + 16,    /* 16 limbs: the final value */
  SI_FT = SI_FV + 16,    /* the final clock */
  SI_D,                  /* next row's slot - this row's at the first limb
                            where they differ, minus 1 (0 before padding) */
  SI_SEL,                /* STO_SLOT_LIMBS flags: the first limb where the next
                            row's slot differs (all 0 before padding) */
  SI_WIDTH = SI_SEL + STO_SLOT_LIMBS
};

/* range16 (TRACE_OPT_LOOKUPS): one row per 16-bit value. */
enum {
  R16_V, /* the value: the row index */
  R16_M, /* how many times the block sends it on TRACE_BUS_RANGE16 */
  R16_WIDTH
};

#endif
