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

/* memory: one row per 32-byte word of an access. */
enum {
  MEM_ADDR,  /* word index */
  MEM_TIME,  /* instruction counter at the access */
  MEM_WRITE, /* 1 write, 0 read */
  MEM_CONT,  /* 1 when this word continues the previous row's access */
  MEM_REAL,
  MEM_WIDTH
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
