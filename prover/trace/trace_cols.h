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
  CPU_WIDTH
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

/* storage: one row per access; address and key as 16-bit limbs, big-endian. */
enum {
  STO_ADDR = 0,   /* 10 limbs */
  STO_KEY = 10,   /* 16 limbs */
  STO_WRITE = 26,
  STO_COLD,
  STO_TRANSIENT,
  STO_TIME,
  STO_REAL,
  STO_WIDTH
};

/* range16 (TRACE_OPT_LOOKUPS): one row per 16-bit value. */
enum {
  R16_V, /* the value: the row index */
  R16_M, /* how many times the block sends it on TRACE_BUS_RANGE16 */
  R16_WIDTH
};

#endif
