/* interp: the EVM interpreter and message-frame execution.
 *
 * The loop (interp_loop) is the hottest code of the executor: it runs once per
 * instruction. It keeps gas, the stack pointer and pc in locals, checks stack
 * bounds and static gas from per-fork tables generated from opcodes.def, and
 * dispatches with a switch. It never allocates except when memory grows
 * (per-depth buffers are reused across frames). It is instantiated twice: with
 * tracing compiled out (interp_fast) and with it (interp_traced); a frame
 * picks one once, so tracing costs nothing when off.
 *
 * Frames recurse on the C stack (CALL/CREATE call evm_vm_call/evm_vm_create
 * which call the loop again): at most 1025 levels of a few hundred bytes.
 * Stacks and memory live on the heap, one reusable buffer per depth.
 */
#include <stdlib.h>
#include <string.h>

#include "evm/vm.h"
#include "hash/keccak.h"

typedef struct {
  evm_ctx *c;
  const evm_msg *msg;
  evm_account *self;
  const uint8_t *code;
  size_t code_len;
  const uint8_t *jd;
  int64_t gas;
  u256 *stack;
  u256 *sp;
  evm_buf *mb;     /* this depth's memory buffer */
  uint64_t msize;  /* active memory, bytes (multiple of 32) */
  uint8_t *ret;    /* return data of the last call (owned) */
  size_t ret_len;
  uint8_t *out;    /* RETURN / REVERT data (owned until handed over) */
  size_t out_len;
  const uint8_t *cd; /* call data: the input of a call, empty for init code */
  size_t cd_len;
  uint32_t id;     /* evm_tracer.on_memory's frame: unique in the block */
} frame;

/* Stack bounds per opcode: the loop needs sp - stack >= need_in and
 * sp - stack <= max_before. Built from opcodes.def on first use. */
static uint8_t need_in[256];
static uint16_t max_before[256];
static void stack_tables(void) {
  for (int op = 0; op < 256; op++) {
    need_in[op] = evm_op_table[op].stack_in;
    int grow = (int)evm_op_table[op].stack_out - (int)evm_op_table[op].stack_in;
    max_before[op] = (uint16_t)(grow > 0 ? EVM_STACK_LIMIT - grow : EVM_STACK_LIMIT);
  }
}
#include <pthread.h>
static pthread_once_t stack_once = PTHREAD_ONCE_INIT;

/* ---- helpers --------------------------------------------------------------- */

static void set_fatal(evm_ctx *c, int code) {
  if (!c->fatal) c->fatal = code;
}

/* Expand memory to cover [off, off+size) and charge for it. size == 0 needs
 * nothing (whatever off is). Returns 0, or -1 when gas runs out or the range
 * cannot be addressed; -2 on allocation failure. */
static int mem_expand(frame *f, uint64_t off, uint64_t size) {
  if (size == 0) return 0;
  uint64_t end = off + size;
  if (end <= f->msize) return 0;
  uint64_t words = (end + 31) / 32;
  uint64_t cost = evm_memory_cost(words) - evm_memory_cost(f->msize / 32);
  if ((uint64_t)f->gas < cost) return -1;
  f->gas -= (int64_t)cost;
  uint64_t nsize = words * 32;
  if (nsize > f->mb->cap) {
    size_t nc = f->mb->cap ? f->mb->cap : 4096;
    while (nc < nsize) nc *= 2;
    uint8_t *np = realloc(f->mb->p, nc);
    if (!np) return -2;
    f->mb->p = np;
    f->mb->cap = nc;
  }
  memset(f->mb->p + f->msize, 0, nsize - f->msize);
  f->msize = nsize;
  return 0;
}

/* Offsets and sizes beyond this are out of gas anyway (memory cost of 2^32
 * bytes is above 2^45 gas). */
#define MEM_LIMIT (UINT64_C(1) << 32)

/* Check a (offset, size) operand pair for memory use: -1 when it can never be
 * paid for. With size zero the offset is ignored. */
static inline int mem_range(const u256 *off, const u256 *size, uint64_t *o, uint64_t *n) {
  if (u256_is_zero(size)) {
    *o = 0;
    *n = 0;
    return 0;
  }
  if (!u256_fits64(size) || size->w[0] > MEM_LIMIT || !u256_fits64(off) || off->w[0] > MEM_LIMIT) return -1;
  *o = off->w[0];
  *n = size->w[0];
  return 0;
}

static inline uint64_t words_of(uint64_t n) { return (n + 31) / 32; }

/* Copy src[soff..soff+n) (zero beyond src_len) to memory at moff. */
static void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_len, const u256 *soff, uint64_t n) {
  uint64_t s = u256_fits64(soff) ? soff->w[0] : UINT64_MAX;
  uint64_t avail = s < src_len ? src_len - s : 0;
  uint64_t k = avail < n ? avail : n;
  if (k) memcpy(dst, src + s, k);
  if (n > k) memset(dst + k, 0, n - k);
}

/* The code to run for account a: in Prague and later an EIP-7702 designator
 * is followed once. */
static evm_account *code_holder(evm_ctx *c, evm_account *a) {
  if (c->fork >= BLK_FORK_PRAGUE && evm_is_delegation(a->code, a->code_len)) {
    evm_account *d = evm_state_get(c->st, a->code + 3);
    if (!d) set_fatal(c, EVM_E_NOMEM);
    return d;
  }
  return a;
}

static const uint8_t *account_jumpdests(evm_ctx *c, evm_account *a) {
  if (!a->jumpdests) {
    a->jumpdests = evm_state_jumpdests(c->st, a->code, a->code_len, a->code_hash);
    if (!a->jumpdests) set_fatal(c, EVM_E_NOMEM);
  }
  return a->jumpdests;
}

/* Warm an account, returning the access cost beyond the warm cost already
 * charged statically: 0 or 2500. -1 on allocation failure. */
static int64_t access_account(evm_ctx *c, evm_account *a) {
  int w = evm_state_warm_account(c->st, a);
  if (w < 0) {
    set_fatal(c, EVM_E_NOMEM);
    return -1;
  }
  return w ? EVM_GAS_COLD_ACCOUNT - EVM_GAS_WARM_ACCESS : 0;
}

static void trace_mem(const frame *f, uint64_t off, uint64_t size, int w) {
  const evm_tracer *t = f->c->tr;
  if (t->on_memory && size) t->on_memory(t->ctx, f->id, off, size, w, f->mb->p + off);
}

static void frame_set_ret(frame *f, uint8_t *p, size_t n) {
  free(f->ret);
  f->ret = p;
  f->ret_len = n;
}

/* ---- logs ------------------------------------------------------------------ */

void evm_logs_truncate(evm_ctx *c, size_t n) {
  while (c->n_logs > n) {
    evm_log *l = &c->logs[--c->n_logs];
    free(l->topics);
    free(l->data);
  }
}

static int add_log(evm_ctx *c, const uint8_t addr[20], const u256 *topics, size_t nt, const uint8_t *data,
                   size_t len) {
  if (c->n_logs == c->cap_logs) {
    size_t nc = c->cap_logs ? 2 * c->cap_logs : 16;
    evm_log *nl = realloc(c->logs, nc * sizeof *nl);
    if (!nl) return -1;
    c->logs = nl;
    c->cap_logs = nc;
  }
  evm_log *l = &c->logs[c->n_logs];
  memset(l, 0, sizeof *l);
  memcpy(l->address, addr, 20);
  if (nt) {
    l->topics = malloc(nt * 32);
    if (!l->topics) return -1;
    for (size_t i = 0; i < nt; i++) u256_to_be(&topics[i], l->topics[i]);
  }
  l->n_topics = nt;
  if (len) {
    l->data = malloc(len);
    if (!l->data) {
      free(l->topics);
      return -1;
    }
    memcpy(l->data, data, len);
  }
  l->data_len = len;
  c->n_logs++;
  return 0;
}

/* ---- addresses ------------------------------------------------------------- */

size_t evm_create_preimage(const uint8_t sender[20], uint64_t nonce, uint8_t buf[EVM_CREATE_PREIMAGE_MAX]) {
  size_t n = 0, pl = 21;
  uint8_t nb[9];
  size_t nl = 0;
  if (nonce == 0) {
    nb[nl++] = 0x80;
  } else if (nonce < 0x80) {
    nb[nl++] = (uint8_t)nonce;
  } else {
    int bytes = 0;
    for (uint64_t t = nonce; t; t >>= 8) bytes++;
    nb[nl++] = (uint8_t)(0x80 + bytes);
    for (int i = bytes - 1; i >= 0; i--) nb[nl++] = (uint8_t)(nonce >> (8 * i));
  }
  pl += nl;
  buf[n++] = (uint8_t)(0xc0 + pl);
  buf[n++] = 0x94;
  memcpy(buf + n, sender, 20);
  n += 20;
  memcpy(buf + n, nb, nl);
  n += nl;
  return n;
}

void evm_create_address(const uint8_t sender[20], uint64_t nonce, uint8_t out[20]) {
  uint8_t buf[EVM_CREATE_PREIMAGE_MAX], h[32];
  keccak256(buf, evm_create_preimage(sender, nonce, buf), h);
  memcpy(out, h + 12, 20);
}

/* 0xff ++ sender ++ salt ++ keccak256(init): what CREATE2 hashes last. */
static void create2_preimage(const uint8_t sender[20], const u256 *salt, const uint8_t *init, size_t len,
                             uint8_t buf[85]) {
  buf[0] = 0xff;
  memcpy(buf + 1, sender, 20);
  u256_to_be(salt, buf + 21);
  keccak256(init, len, buf + 53);
}

void evm_create2_address(const uint8_t sender[20], const u256 *salt, const uint8_t *init, size_t len,
                         uint8_t out[20]) {
  uint8_t buf[85], h[32];
  create2_preimage(sender, salt, init, len, buf);
  keccak256(buf, 85, h);
  memcpy(out, h + 12, 20);
}

/* ---- CALL family and CREATE family ---------------------------------------- */

/* Executes a CALL-family instruction whose operands are on f's stack (the
 * static part already charged). Returns 0 to continue, -1 for an exceptional
 * halt, -2 for a fatal error. */
static int op_call(frame *f, uint8_t op) {
  evm_ctx *c = f->c;
  u256 *sp = f->sp;
  u256 gas_req = sp[-1], addr_w = sp[-2], value = u256_zero();
  int k = 3;
  if (op == EVM_OP_CALL || op == EVM_OP_CALLCODE) value = sp[-(k++)];
  u256 in_off = sp[-k], in_size = sp[-k - 1], out_off = sp[-k - 2], out_size = sp[-k - 3];
  f->sp = sp - (k + 3);
  sp = f->sp;
  int has_value = !u256_is_zero(&value);
  if (op == EVM_OP_CALL && has_value && f->msg->is_static) return -1;
  uint64_t io, in, oo, on;
  if (mem_range(&in_off, &in_size, &io, &in) || mem_range(&out_off, &out_size, &oo, &on)) return -1;
  int mr = mem_expand(f, io, in);
  if (!mr) mr = mem_expand(f, oo, on);
  if (mr == -2) {
    set_fatal(c, EVM_E_NOMEM);
    return -2;
  }
  if (mr) return -1;
  uint8_t target[20];
  u256_to_addr(&addr_w, target);
  evm_account *ta = evm_state_get(c->st, target);
  if (!ta) {
    set_fatal(c, EVM_E_NOMEM);
    return -2;
  }
  int64_t cost = access_account(c, ta);
  if (cost < 0) return -2;
  if (c->fork >= BLK_FORK_PRAGUE && evm_is_delegation(ta->code, ta->code_len)) {
    evm_account *d = evm_state_get(c->st, ta->code + 3);
    if (!d) {
      set_fatal(c, EVM_E_NOMEM);
      return -2;
    }
    int w = evm_state_warm_account(c->st, d);
    if (w < 0) {
      set_fatal(c, EVM_E_NOMEM);
      return -2;
    }
    cost += w ? EVM_GAS_COLD_ACCOUNT : EVM_GAS_WARM_ACCESS;
  }
  if (has_value) {
    cost += EVM_GAS_CALL_VALUE;
    if (op == EVM_OP_CALL && evm_account_empty(ta)) cost += EVM_GAS_NEW_ACCOUNT;
  }
  if (f->gas < cost) return -1;
  f->gas -= cost;
  int64_t avail = f->gas - f->gas / 64;
  int64_t callee_gas = (u256_fits64(&gas_req) && gas_req.w[0] < (uint64_t)avail) ? (int64_t)gas_req.w[0] : avail;
  f->gas -= callee_gas;
  if (has_value) callee_gas += EVM_GAS_CALL_STIPEND;
  frame_set_ret(f, NULL, 0);
  int depth = f->msg->depth + 1;
  if (f->c->tr && f->c->traced) trace_mem(f, io, in, 0);
  if (depth > EVM_MAX_CALL_DEPTH || (has_value && u256_lt(&f->self->balance, &value))) {
    f->gas += callee_gas;
    *sp = u256_zero();
    f->sp = sp + 1;
    return 0;
  }
  evm_msg m;
  memset(&m, 0, sizeof m);
  m.depth = depth;
  m.gas = callee_gas;
  m.input = in ? f->mb->p + io : NULL;
  m.input_len = in;
  memcpy(m.code_address, target, 20);
  switch (op) {
  case EVM_OP_CALL:
    m.kind = MSG_CALL;
    m.is_static = f->msg->is_static;
    memcpy(m.recipient, target, 20);
    memcpy(m.sender, f->msg->recipient, 20);
    m.value = value;
    break;
  case EVM_OP_CALLCODE:
    m.kind = MSG_CALLCODE;
    m.is_static = f->msg->is_static;
    memcpy(m.recipient, f->msg->recipient, 20);
    memcpy(m.sender, f->msg->recipient, 20);
    m.value = value;
    break;
  case EVM_OP_DELEGATECALL:
    m.kind = MSG_DELEGATECALL;
    m.is_static = f->msg->is_static;
    memcpy(m.recipient, f->msg->recipient, 20);
    memcpy(m.sender, f->msg->sender, 20);
    m.value = f->msg->value;
    break;
  default:
    m.kind = MSG_STATICCALL;
    m.is_static = 1;
    memcpy(m.recipient, target, 20);
    memcpy(m.sender, f->msg->recipient, 20);
    break;
  }
  /* The callee may grow deeper buffers but never this depth's; the input
   * pointer into this frame's memory stays valid. */
  evm_res r;
  evm_vm_call(c, &m, &r);
  if (r.status == RES_FATAL) {
    free(r.output);
    return -2;
  }
  uint64_t ncopy = on < r.output_len ? on : r.output_len;
  if (ncopy) {
    memcpy(f->mb->p + oo, r.output, ncopy);
    if (c->traced) trace_mem(f, oo, ncopy, 1);
  }
  frame_set_ret(f, r.output, r.output_len);
  f->gas += r.gas_left;
  *sp = u256_from_u64(r.status == RES_SUCCESS);
  f->sp = sp + 1;
  return 0;
}

static int op_create(frame *f, uint8_t op) {
  evm_ctx *c = f->c;
  u256 *sp = f->sp;
  u256 value = sp[-1], off = sp[-2], size = sp[-3], salt = u256_zero();
  int k = 3;
  if (op == EVM_OP_CREATE2) salt = sp[-(++k)];
  f->sp = sp - k;
  sp = f->sp;
  if (f->msg->is_static) return -1;
  uint64_t o, n;
  if (mem_range(&off, &size, &o, &n)) return -1;
  if (n > EVM_MAX_INITCODE_SIZE) return -1;
  int64_t cost = (int64_t)(EVM_GAS_INITCODE_WORD * words_of(n));
  if (op == EVM_OP_CREATE2) cost += (int64_t)(EVM_GAS_KECCAK_WORD * words_of(n));
  int mr = mem_expand(f, o, n);
  if (mr == -2) {
    set_fatal(c, EVM_E_NOMEM);
    return -2;
  }
  if (mr || f->gas < cost) return -1;
  f->gas -= cost;
  frame_set_ret(f, NULL, 0);
  evm_account *self = f->self;
  if (f->msg->depth + 1 > EVM_MAX_CALL_DEPTH || u256_lt(&self->balance, &value) || self->nonce == UINT64_MAX) {
    *sp = u256_zero();
    f->sp = sp + 1;
    return 0;
  }
  int64_t callee_gas = f->gas - f->gas / 64;
  f->gas -= callee_gas;
  const uint8_t *init = n ? f->mb->p + o : NULL;
  if (c->traced) trace_mem(f, o, n, 0);
  uint8_t addr[20];
  if (op == EVM_OP_CREATE) {
    if (c->traced && c->tr->on_keccak_data) {
      uint8_t pre[EVM_CREATE_PREIMAGE_MAX], h[32];
      size_t pl = evm_create_preimage(f->msg->recipient, self->nonce, pre);
      c->tr->on_keccak_data(c->tr->ctx, pre, pl, EVM_KECCAK_CREATE);
      keccak256(pre, pl, h);
      memcpy(addr, h + 12, 20);
    } else {
      evm_create_address(f->msg->recipient, self->nonce, addr);
    }
    if (c->tr->on_keccak && c->traced) c->tr->on_keccak(c->tr->ctx, 1, EVM_KECCAK_CREATE);
  } else {
    if (c->traced && c->tr->on_keccak_data) {
      uint8_t pre[85], h[32];
      create2_preimage(f->msg->recipient, &salt, init, n, pre);
      c->tr->on_keccak_data(c->tr->ctx, init, n, EVM_KECCAK_CREATE);
      c->tr->on_keccak_data(c->tr->ctx, pre, sizeof pre, EVM_KECCAK_CREATE);
      keccak256(pre, sizeof pre, h);
      memcpy(addr, h + 12, 20);
    } else {
      evm_create2_address(f->msg->recipient, &salt, init, n, addr);
    }
    if (c->tr->on_keccak && c->traced)
      c->tr->on_keccak(c->tr->ctx, keccak256_permutations(n) + 1, EVM_KECCAK_CREATE);
  }
  if (evm_state_set_nonce(c->st, self, self->nonce + 1)) {
    set_fatal(c, EVM_E_NOMEM);
    return -2;
  }
  evm_msg m;
  memset(&m, 0, sizeof m);
  m.kind = op == EVM_OP_CREATE ? MSG_CREATE : MSG_CREATE2;
  m.depth = f->msg->depth + 1;
  m.gas = callee_gas;
  memcpy(m.sender, f->msg->recipient, 20);
  memcpy(m.recipient, addr, 20);
  memcpy(m.code_address, addr, 20);
  m.value = value;
  m.input = init;
  m.input_len = n;
  m.salt = salt;
  evm_res r;
  evm_vm_create(c, &m, addr, &r);
  if (r.status == RES_FATAL) {
    free(r.output);
    return -2;
  }
  f->gas += r.gas_left;
  if (r.status == RES_SUCCESS) {
    u256_from_addr(sp, addr);
    free(r.output);
  } else {
    *sp = u256_zero();
    if (r.status == RES_REVERT)
      frame_set_ret(f, r.output, r.output_len);
    else
      free(r.output);
  }
  f->sp = sp + 1;
  return 0;
}

/* SELFDESTRUCT (EIP-6780). 0 ok (frame stops), -1 halt, -2 fatal. */
static int op_selfdestruct(frame *f) {
  evm_ctx *c = f->c;
  u256 bw = *--f->sp;
  if (f->msg->is_static) return -1;
  uint8_t baddr[20];
  u256_to_addr(&bw, baddr);
  evm_account *b = evm_state_get(c->st, baddr);
  if (!b) {
    set_fatal(c, EVM_E_NOMEM);
    return -2;
  }
  int w = evm_state_warm_account(c->st, b);
  if (w < 0) {
    set_fatal(c, EVM_E_NOMEM);
    return -2;
  }
  int64_t cost = w ? EVM_GAS_COLD_ACCOUNT : 0;
  evm_account *self = f->self;
  if (!u256_is_zero(&self->balance) && evm_account_empty(b)) cost += EVM_GAS_SELFDESTRUCT_NEW;
  if (f->gas < cost) return -1;
  f->gas -= cost;
  u256 bal = self->balance;
  if (evm_state_sub_balance(c->st, self, &bal) || evm_state_add_balance(c->st, b, &bal)) {
    set_fatal(c, EVM_E_NOMEM);
    return -2;
  }
  if (self->created) {
    u256 z = u256_zero();
    if (evm_state_set_balance(c->st, self, &z) || evm_state_destroy(c->st, self)) {
      set_fatal(c, EVM_E_NOMEM);
      return -2;
    }
  }
  return 0;
}

/* ---- the loop -------------------------------------------------------------- */

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static inline unsigned bits_of(const u256 *a) { return u256_bits(a); }

static inline __attribute__((always_inline)) evm_res_status interp_loop(frame *f, const int traced) {
  evm_ctx *const c = f->c;
  const evm_tracer *const tr = c->tr;
  const uint8_t *const code = f->code;
  const size_t code_len = f->code_len;
  const uint16_t *const gtab = c->gas_table;
  u256 *const stack = f->stack;
  u256 *sp = f->sp;
  int64_t gas = f->gas;
  size_t pc = 0;
  evm_res_status status = RES_SUCCESS;
  evm_step_event ev;
  memset(&ev, 0, sizeof ev);
  ev.call_depth = (uint16_t)f->msg->depth;
  uint64_t steps = 0;

#define SAVE() (f->gas = gas, f->sp = sp)
#define LOAD() (gas = f->gas, sp = f->sp)
#define CHARGE(n)                          \
  do {                                     \
    uint64_t _n = (uint64_t)(n);           \
    if ((uint64_t)gas < _n) goto halt_fail; \
    gas -= (int64_t)_n;                    \
  } while (0)
#define MEM(off, size)                       \
  do {                                       \
    SAVE();                                  \
    int _r = mem_expand(f, (off), (size));   \
    LOAD();                                  \
    if (UNLIKELY(_r)) {                      \
      if (_r == -2) goto fatal_nomem;        \
      goto halt_fail;                        \
    }                                        \
  } while (0)
#define TMEM(off, size, w) \
  do {                     \
    if (traced) trace_mem(f, (off), (size), (w)); \
  } while (0)
  /* Operands of the arithmetic instruction being executed, kept for
   * on_arith_values, which is called once the result is on the stack (after
   * the switch); av_n is how many are held (0: no report pending). */
  u256 av_op[3] = {u256_zero(), u256_zero(), u256_zero()};
  unsigned av_n = 0;
#define TARITH(a, b)                                                                     \
  do {                                                                                   \
    if (traced && tr->on_arith)                                                          \
      tr->on_arith(tr->ctx, op, (uint16_t)bits_of(a), (uint16_t)((b) ? bits_of(b) : 0)); \
    if (traced && tr->on_arith_values) {                                                 \
      av_op[0] = *(a);                                                                   \
      av_n = 1;                                                                          \
      if (b) av_op[av_n++] = *(const u256 *)(b);                                         \
    }                                                                                    \
  } while (0)
#define TARITH3(a, b, c3)                                          \
  do {                                                             \
    TARITH(a, b);                                                  \
    if (traced && tr->on_arith_values) av_op[av_n++] = *(c3);      \
  } while (0)
#define MEMP (f->mb->p)

  for (;;) {
    uint8_t op = LIKELY(pc < code_len) ? code[pc] : 0;
    steps++;
    uint16_t g = gtab[op];
    size_t depth_now = (size_t)(sp - stack);
    if (traced && tr->on_step) {
      ev.pc = (uint32_t)pc;
      ev.opcode = op;
      ev.stack_depth = (uint16_t)depth_now;
      ev.gas_before = (uint64_t)gas;
    }
    if (UNLIKELY(g == EVM_GAS_UNDEFINED)) goto halt_fail;
    if (UNLIKELY(depth_now < need_in[op] || depth_now > max_before[op])) goto halt_fail;
    if (UNLIKELY(gas < (int64_t)g)) goto halt_fail;
    gas -= g;

    switch (op) {
    case EVM_OP_STOP: goto done;
    case EVM_OP_ADD:
      TARITH(&sp[-1], &sp[-2]);
      u256_add(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_MUL:
      TARITH(&sp[-1], &sp[-2]);
      u256_mul(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_SUB:
      TARITH(&sp[-1], &sp[-2]);
      u256_sub(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_DIV:
      TARITH(&sp[-1], &sp[-2]);
      u256_divmod(&sp[-2], NULL, &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_SDIV:
      TARITH(&sp[-1], &sp[-2]);
      u256_sdiv(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_MOD:
      TARITH(&sp[-1], &sp[-2]);
      u256_divmod(NULL, &sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_SMOD:
      TARITH(&sp[-1], &sp[-2]);
      u256_smod(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_ADDMOD:
      TARITH3(&sp[-1], &sp[-2], &sp[-3]);
      u256_addmod(&sp[-3], &sp[-1], &sp[-2], &sp[-3]);
      sp -= 2;
      break;
    case EVM_OP_MULMOD:
      TARITH3(&sp[-1], &sp[-2], &sp[-3]);
      u256_mulmod(&sp[-3], &sp[-1], &sp[-2], &sp[-3]);
      sp -= 2;
      break;
    case EVM_OP_EXP: {
      unsigned eb = (u256_bits(&sp[-2]) + 7) / 8;
      CHARGE((uint64_t)EVM_GAS_EXP_BYTE * eb);
      TARITH(&sp[-1], &sp[-2]);
      u256_exp(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    }
    case EVM_OP_SIGNEXTEND:
      TARITH(&sp[-1], &sp[-2]);
      u256_signextend(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_LT:
      TARITH(&sp[-1], &sp[-2]);
      sp[-2] = u256_from_u64((uint64_t)u256_lt(&sp[-1], &sp[-2]));
      sp--;
      break;
    case EVM_OP_GT:
      TARITH(&sp[-1], &sp[-2]);
      sp[-2] = u256_from_u64((uint64_t)u256_lt(&sp[-2], &sp[-1]));
      sp--;
      break;
    case EVM_OP_SLT:
      TARITH(&sp[-1], &sp[-2]);
      sp[-2] = u256_from_u64((uint64_t)u256_slt(&sp[-1], &sp[-2]));
      sp--;
      break;
    case EVM_OP_SGT:
      TARITH(&sp[-1], &sp[-2]);
      sp[-2] = u256_from_u64((uint64_t)u256_slt(&sp[-2], &sp[-1]));
      sp--;
      break;
    case EVM_OP_EQ:
      TARITH(&sp[-1], &sp[-2]);
      sp[-2] = u256_from_u64((uint64_t)u256_eq(&sp[-1], &sp[-2]));
      sp--;
      break;
    case EVM_OP_ISZERO:
      TARITH(&sp[-1], (const u256 *)NULL);
      sp[-1] = u256_from_u64((uint64_t)u256_is_zero(&sp[-1]));
      break;
    case EVM_OP_AND:
      TARITH(&sp[-1], &sp[-2]);
      u256_and(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_OR:
      TARITH(&sp[-1], &sp[-2]);
      u256_or(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_XOR:
      TARITH(&sp[-1], &sp[-2]);
      u256_xor(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_NOT:
      TARITH(&sp[-1], (const u256 *)NULL);
      u256_not(&sp[-1], &sp[-1]);
      break;
    case EVM_OP_BYTE:
      TARITH(&sp[-1], &sp[-2]);
      u256_byte(&sp[-2], &sp[-1], &sp[-2]);
      sp--;
      break;
    case EVM_OP_SHL:
      TARITH(&sp[-1], &sp[-2]);
      u256_shl(&sp[-2], &sp[-2], u256_fits64(&sp[-1]) && sp[-1].w[0] < 256 ? (unsigned)sp[-1].w[0] : 256);
      sp--;
      break;
    case EVM_OP_SHR:
      TARITH(&sp[-1], &sp[-2]);
      u256_shr(&sp[-2], &sp[-2], u256_fits64(&sp[-1]) && sp[-1].w[0] < 256 ? (unsigned)sp[-1].w[0] : 256);
      sp--;
      break;
    case EVM_OP_SAR:
      TARITH(&sp[-1], &sp[-2]);
      u256_sar(&sp[-2], &sp[-2], u256_fits64(&sp[-1]) && sp[-1].w[0] < 256 ? (unsigned)sp[-1].w[0] : 256);
      sp--;
      break;
    case EVM_OP_CLZ:
      TARITH(&sp[-1], (const u256 *)NULL);
      sp[-1] = u256_from_u64(u256_clz(&sp[-1]));
      break;
    case EVM_OP_KECCAK256: {
      uint64_t o, n;
      if (mem_range(&sp[-1], &sp[-2], &o, &n)) goto halt_fail;
      CHARGE((uint64_t)EVM_GAS_KECCAK_WORD * words_of(n));
      MEM(o, n);
      uint8_t h[32];
      keccak256(n ? MEMP + o : NULL, n, h);
      TMEM(o, n, 0);
      if (traced && tr->on_keccak) tr->on_keccak(tr->ctx, keccak256_permutations(n), EVM_KECCAK_OPCODE);
      if (traced && tr->on_keccak_data) tr->on_keccak_data(tr->ctx, n ? MEMP + o : NULL, n, EVM_KECCAK_OPCODE);
      sp--;
      u256_from_be(&sp[-1], h);
      break;
    }
    case EVM_OP_ADDRESS:
      u256_from_addr(sp++, f->msg->recipient);
      break;
    case EVM_OP_BALANCE:
    case EVM_OP_EXTCODESIZE:
    case EVM_OP_EXTCODEHASH: {
      uint8_t a20[20];
      u256_to_addr(&sp[-1], a20);
      evm_account *a = evm_state_get(c->st, a20);
      if (!a) goto fatal_nomem;
      int64_t extra = access_account(c, a);
      if (extra < 0) goto fatal;
      CHARGE(extra);
      if (op == EVM_OP_BALANCE)
        sp[-1] = a->balance;
      else if (op == EVM_OP_EXTCODESIZE)
        sp[-1] = u256_from_u64(a->code_len);
      else if (evm_account_empty(a))
        sp[-1] = u256_zero();
      else
        u256_from_be(&sp[-1], a->code_hash);
      break;
    }
    case EVM_OP_ORIGIN:
      u256_from_addr(sp++, c->origin);
      break;
    case EVM_OP_CALLER:
      u256_from_addr(sp++, f->msg->sender);
      break;
    case EVM_OP_CALLVALUE:
      *sp++ = f->msg->value;
      break;
    case EVM_OP_CALLDATALOAD: {
      uint8_t b[32];
      copy_padded(b, f->cd, f->cd_len, &sp[-1], 32);
      u256_from_be(&sp[-1], b);
      break;
    }
    case EVM_OP_CALLDATASIZE:
      *sp++ = u256_from_u64(f->cd_len);
      break;
    case EVM_OP_CALLDATACOPY:
    case EVM_OP_CODECOPY:
    case EVM_OP_RETURNDATACOPY: {
      uint64_t o, n;
      if (mem_range(&sp[-1], &sp[-3], &o, &n)) goto halt_fail;
      if (op == EVM_OP_RETURNDATACOPY) {
        const u256 *so = &sp[-2];
        if (!u256_fits64(so) || so->w[0] > f->ret_len || f->ret_len - so->w[0] < n) goto halt_fail;
      }
      CHARGE((uint64_t)EVM_GAS_COPY_WORD * words_of(n));
      MEM(o, n);
      if (n) {
        if (op == EVM_OP_CALLDATACOPY)
          copy_padded(MEMP + o, f->cd, f->cd_len, &sp[-2], n);
        else if (op == EVM_OP_CODECOPY)
          copy_padded(MEMP + o, code, code_len, &sp[-2], n);
        else
          memcpy(MEMP + o, f->ret + sp[-2].w[0], n);
        TMEM(o, n, 1);
      }
      sp -= 3;
      break;
    }
    case EVM_OP_CODESIZE:
      *sp++ = u256_from_u64(code_len);
      break;
    case EVM_OP_GASPRICE:
      *sp++ = c->gas_price;
      break;
    case EVM_OP_EXTCODECOPY: {
      uint8_t a20[20];
      u256_to_addr(&sp[-1], a20);
      uint64_t o, n;
      if (mem_range(&sp[-2], &sp[-4], &o, &n)) goto halt_fail;
      CHARGE((uint64_t)EVM_GAS_COPY_WORD * words_of(n));
      MEM(o, n);
      evm_account *a = evm_state_get(c->st, a20);
      if (!a) goto fatal_nomem;
      int64_t extra = access_account(c, a);
      if (extra < 0) goto fatal;
      CHARGE(extra);
      if (n) {
        copy_padded(MEMP + o, a->code, a->code_len, &sp[-3], n);
        TMEM(o, n, 1);
      }
      sp -= 4;
      break;
    }
    case EVM_OP_RETURNDATASIZE:
      *sp++ = u256_from_u64(f->ret_len);
      break;
    case EVM_OP_BLOCKHASH: {
      u256 *x = &sp[-1];
      uint64_t cur = c->env->number;
      u256 r = u256_zero();
      if (u256_fits64(x) && x->w[0] < cur && cur - x->w[0] <= 256) {
        const blk_env *e = c->env;
        size_t lo = 0, hi = e->n_block_hashes;
        while (lo < hi) {
          size_t mid = (lo + hi) / 2;
          if (e->block_hashes[mid].number < x->w[0])
            lo = mid + 1;
          else
            hi = mid;
        }
        if (lo < e->n_block_hashes && e->block_hashes[lo].number == x->w[0])
          u256_from_be(&r, e->block_hashes[lo].hash);
      }
      *x = r;
      break;
    }
    case EVM_OP_COINBASE:
      u256_from_addr(sp++, c->env->coinbase.b);
      break;
    case EVM_OP_TIMESTAMP:
      *sp++ = u256_from_u64(c->env->timestamp);
      break;
    case EVM_OP_NUMBER:
      *sp++ = u256_from_u64(c->env->number);
      break;
    case EVM_OP_PREVRANDAO:
      u256_from_be(sp++, c->env->prevrandao);
      break;
    case EVM_OP_GASLIMIT:
      *sp++ = u256_from_u64(c->env->gas_limit);
      break;
    case EVM_OP_CHAINID:
      *sp++ = c->chain_id;
      break;
    case EVM_OP_SELFBALANCE:
      *sp++ = f->self->balance;
      break;
    case EVM_OP_BASEFEE:
      *sp++ = c->base_fee;
      break;
    case EVM_OP_BLOBHASH: {
      u256 *x = &sp[-1];
      if (c->tx && u256_fits64(x) && x->w[0] < c->tx->n_blob_hashes)
        u256_from_be(x, c->tx->blob_hashes[x->w[0]]);
      else
        *x = u256_zero();
      break;
    }
    case EVM_OP_BLOBBASEFEE:
      *sp++ = c->blob_base_fee;
      break;
    case EVM_OP_POP:
      sp--;
      break;
    case EVM_OP_MLOAD: {
      uint64_t o, n;
      u256 thirty_two = u256_from_u64(32);
      if (mem_range(&sp[-1], &thirty_two, &o, &n)) goto halt_fail;
      MEM(o, 32);
      u256_from_be(&sp[-1], MEMP + o);
      TMEM(o, 32, 0);
      break;
    }
    case EVM_OP_MSTORE:
    case EVM_OP_MSTORE8: {
      uint64_t o, n, sz = op == EVM_OP_MSTORE ? 32 : 1;
      u256 szw = u256_from_u64(sz);
      if (mem_range(&sp[-1], &szw, &o, &n)) goto halt_fail;
      MEM(o, sz);
      if (op == EVM_OP_MSTORE)
        u256_to_be(&sp[-2], MEMP + o);
      else
        MEMP[o] = (uint8_t)sp[-2].w[0];
      TMEM(o, sz, 1);
      sp -= 2;
      break;
    }
    case EVM_OP_SLOAD: {
      evm_slot *sl = evm_state_slot(c->st, f->self, &sp[-1]);
      if (!sl) goto fatal_nomem;
      int w = evm_state_warm_slot(c->st, sl);
      if (w < 0) goto fatal_nomem;
      if (w) CHARGE(EVM_GAS_COLD_SLOAD - EVM_GAS_WARM_ACCESS);
      if (traced && tr->on_storage) {
        uint8_t kb[32], vb[32];
        u256_to_be(&sp[-1], kb);
        u256_to_be(&sl->value, vb);
        tr->on_storage(tr->ctx, f->msg->recipient, kb, 0, w, 0, vb, vb);
      }
      sp[-1] = sl->value;
      break;
    }
    case EVM_OP_SSTORE: {
      if (f->msg->is_static) goto halt_fail;
      if (gas <= EVM_GAS_SSTORE_STIPEND) goto halt_fail;
      evm_slot *sl = evm_state_slot(c->st, f->self, &sp[-1]);
      if (!sl) goto fatal_nomem;
      int w = evm_state_warm_slot(c->st, sl);
      if (w < 0) goto fatal_nomem;
      int64_t cost = w ? EVM_GAS_COLD_SLOAD : 0;
      const u256 *nv = &sp[-2], *cur = &sl->value, *orig = &sl->original;
      if (u256_eq(cur, nv)) {
        cost += EVM_GAS_WARM_ACCESS;
      } else if (u256_eq(orig, cur)) {
        if (u256_is_zero(orig))
          cost += EVM_GAS_SSTORE_SET;
        else {
          cost += EVM_GAS_SSTORE_RESET - EVM_GAS_COLD_SLOAD;
          if (u256_is_zero(nv)) c->refund += EVM_GAS_SSTORE_CLEARS_REFUND;
        }
      } else {
        cost += EVM_GAS_WARM_ACCESS;
        if (!u256_is_zero(orig)) {
          if (u256_is_zero(cur))
            c->refund -= EVM_GAS_SSTORE_CLEARS_REFUND;
          else if (u256_is_zero(nv))
            c->refund += EVM_GAS_SSTORE_CLEARS_REFUND;
        }
        if (u256_eq(orig, nv)) {
          if (u256_is_zero(orig))
            c->refund += EVM_GAS_SSTORE_SET - EVM_GAS_WARM_ACCESS;
          else
            c->refund += EVM_GAS_SSTORE_RESET - EVM_GAS_COLD_SLOAD - EVM_GAS_WARM_ACCESS;
        }
      }
      CHARGE(cost);
      if (traced && tr->on_storage) {
        uint8_t kb[32], ob[32], nb[32];
        u256_to_be(&sp[-1], kb);
        u256_to_be(cur, ob);
        u256_to_be(nv, nb);
        tr->on_storage(tr->ctx, f->msg->recipient, kb, 1, w, 0, ob, nb);
      }
      if (!u256_eq(cur, nv) && evm_state_set_storage(c->st, f->self, sl, nv)) goto fatal_nomem;
      sp -= 2;
      break;
    }
    case EVM_OP_JUMP:
    case EVM_OP_JUMPI: {
      const u256 *dst = &sp[-1];
      if (op == EVM_OP_JUMPI) {
        int cond = !u256_is_zero(&sp[-2]);
        sp -= 2;
        if (!cond) break;
      } else {
        sp--;
      }
      if (!u256_fits64(dst) || dst->w[0] >= code_len || !((f->jd[dst->w[0] / 8] >> (dst->w[0] % 8)) & 1))
        goto halt_fail;
      pc = (size_t)dst->w[0];
      if (traced && tr->on_step) {
        ev.gas_after = (uint64_t)gas;
        ev.memory_size = f->msize;
        tr->on_step(tr->ctx, &ev);
      }
      continue;
    }
    case EVM_OP_PC:
      *sp++ = u256_from_u64(pc);
      break;
    case EVM_OP_MSIZE:
      *sp++ = u256_from_u64(f->msize);
      break;
    case EVM_OP_GAS:
      *sp++ = u256_from_u64((uint64_t)gas);
      break;
    case EVM_OP_JUMPDEST:
      break;
    case EVM_OP_TLOAD:
    case EVM_OP_TSTORE: {
      if (op == EVM_OP_TSTORE && f->msg->is_static) goto halt_fail;
      evm_slot *sl = evm_state_tslot(c->st, f->self, &sp[-1]);
      if (!sl) goto fatal_nomem;
      if (traced && tr->on_storage) {
        uint8_t kb[32], ob[32], nb[32];
        u256_to_be(&sp[-1], kb);
        u256_to_be(&sl->value, ob);
        if (op == EVM_OP_TSTORE)
          u256_to_be(&sp[-2], nb);
        else
          memcpy(nb, ob, 32);
        tr->on_storage(tr->ctx, f->msg->recipient, kb, op == EVM_OP_TSTORE, 0, 1, ob, nb);
      }
      if (op == EVM_OP_TLOAD) {
        sp[-1] = sl->value;
      } else {
        if (!u256_eq(&sl->value, &sp[-2]) && evm_state_set_transient(c->st, f->self, sl, &sp[-2])) goto fatal_nomem;
        sp -= 2;
      }
      break;
    }
    case EVM_OP_MCOPY: {
      uint64_t d, s, n, dummy;
      if (mem_range(&sp[-1], &sp[-3], &d, &n) || mem_range(&sp[-2], &sp[-3], &s, &dummy)) goto halt_fail;
      CHARGE((uint64_t)EVM_GAS_COPY_WORD * words_of(n));
      if (n) {
        uint64_t end = (d > s ? d : s);
        MEM(end, n);
        TMEM(s, n, 0); /* reported before the copy: the bytes read */
        memmove(MEMP + d, MEMP + s, n);
        TMEM(d, n, 1);
      }
      sp -= 3;
      break;
    }
    case EVM_OP_PUSH0:
      *sp++ = u256_zero();
      break;
    case EVM_OP_PUSH1: {
      uint64_t v = pc + 1 < code_len ? code[pc + 1] : 0;
      *sp++ = u256_from_u64(v);
      pc += 2;
      goto next_nopc;
    }
    case EVM_OP_PUSH2: case EVM_OP_PUSH3: case EVM_OP_PUSH4: case EVM_OP_PUSH5:
    case EVM_OP_PUSH6: case EVM_OP_PUSH7: case EVM_OP_PUSH8: case EVM_OP_PUSH9:
    case EVM_OP_PUSH10: case EVM_OP_PUSH11: case EVM_OP_PUSH12: case EVM_OP_PUSH13:
    case EVM_OP_PUSH14: case EVM_OP_PUSH15: case EVM_OP_PUSH16: case EVM_OP_PUSH17:
    case EVM_OP_PUSH18: case EVM_OP_PUSH19: case EVM_OP_PUSH20: case EVM_OP_PUSH21:
    case EVM_OP_PUSH22: case EVM_OP_PUSH23: case EVM_OP_PUSH24: case EVM_OP_PUSH25:
    case EVM_OP_PUSH26: case EVM_OP_PUSH27: case EVM_OP_PUSH28: case EVM_OP_PUSH29:
    case EVM_OP_PUSH30: case EVM_OP_PUSH31: case EVM_OP_PUSH32: {
      size_t n = (size_t)(op - EVM_OP_PUSH1 + 1);
      uint8_t b[32] = {0};
      size_t avail = pc + 1 < code_len ? code_len - pc - 1 : 0;
      size_t k = avail < n ? avail : n;
      /* Bytes past the end of code read as zero: right-pad, then align. */
      memcpy(b + 32 - n, code + pc + 1, k);
      u256_from_be(sp++, b);
      pc += n + 1;
      goto next_nopc;
    }
    case EVM_OP_DUP1: case EVM_OP_DUP2: case EVM_OP_DUP3: case EVM_OP_DUP4:
    case EVM_OP_DUP5: case EVM_OP_DUP6: case EVM_OP_DUP7: case EVM_OP_DUP8:
    case EVM_OP_DUP9: case EVM_OP_DUP10: case EVM_OP_DUP11: case EVM_OP_DUP12:
    case EVM_OP_DUP13: case EVM_OP_DUP14: case EVM_OP_DUP15: case EVM_OP_DUP16: {
      int n = op - EVM_OP_DUP1 + 1;
      *sp = sp[-n];
      sp++;
      break;
    }
    case EVM_OP_SWAP1: case EVM_OP_SWAP2: case EVM_OP_SWAP3: case EVM_OP_SWAP4:
    case EVM_OP_SWAP5: case EVM_OP_SWAP6: case EVM_OP_SWAP7: case EVM_OP_SWAP8:
    case EVM_OP_SWAP9: case EVM_OP_SWAP10: case EVM_OP_SWAP11: case EVM_OP_SWAP12:
    case EVM_OP_SWAP13: case EVM_OP_SWAP14: case EVM_OP_SWAP15: case EVM_OP_SWAP16: {
      int n = op - EVM_OP_SWAP1 + 1;
      u256 t = sp[-1];
      sp[-1] = sp[-1 - n];
      sp[-1 - n] = t;
      break;
    }
    case EVM_OP_LOG0: case EVM_OP_LOG1: case EVM_OP_LOG2: case EVM_OP_LOG3: case EVM_OP_LOG4: {
      if (f->msg->is_static) goto halt_fail;
      size_t nt = (size_t)(op - EVM_OP_LOG0);
      uint64_t o, n;
      if (mem_range(&sp[-1], &sp[-2], &o, &n)) goto halt_fail;
      CHARGE((uint64_t)EVM_GAS_LOG_DATA * n);
      MEM(o, n);
      u256 topics[4];
      for (size_t i = 0; i < nt; i++) topics[i] = sp[-3 - (int)i];
      if (add_log(c, f->msg->recipient, topics, nt, n ? MEMP + o : NULL, n)) goto fatal_nomem;
      TMEM(o, n, 0);
      sp -= 2 + nt;
      break;
    }
    case EVM_OP_CREATE:
    case EVM_OP_CREATE2:
    case EVM_OP_CALL:
    case EVM_OP_CALLCODE:
    case EVM_OP_DELEGATECALL:
    case EVM_OP_STATICCALL: {
      SAVE();
      int r = (op == EVM_OP_CREATE || op == EVM_OP_CREATE2) ? op_create(f, op) : op_call(f, op);
      LOAD();
      if (r == -1) goto halt_fail;
      if (r == -2) goto fatal;
      break;
    }
    case EVM_OP_RETURN:
    case EVM_OP_REVERT: {
      uint64_t o, n;
      if (mem_range(&sp[-1], &sp[-2], &o, &n)) goto halt_fail;
      MEM(o, n);
      if (n) {
        f->out = malloc(n);
        if (!f->out) goto fatal_nomem;
        memcpy(f->out, MEMP + o, n);
        f->out_len = n;
        TMEM(o, n, 0);
      }
      sp -= 2;
      status = op == EVM_OP_RETURN ? RES_SUCCESS : RES_REVERT;
      goto done;
    }
    case EVM_OP_SELFDESTRUCT: {
      SAVE();
      int r = op_selfdestruct(f);
      LOAD();
      if (r == -1) goto halt_fail;
      if (r == -2) goto fatal;
      goto done;
    }
    default: /* INVALID and anything the table let through */
      goto halt_fail;
    }
    pc++;
  next_nopc:
    if (traced && av_n) {
      tr->on_arith_values(tr->ctx, op, &av_op[0], av_n > 1 ? &av_op[1] : NULL, av_n > 2 ? &av_op[2] : NULL,
                          &sp[-1]);
      av_n = 0;
    }
    if (traced && tr->on_step) {
      ev.gas_after = (uint64_t)gas;
      ev.memory_size = f->msize;
      tr->on_step(tr->ctx, &ev);
    }
  }

done:
  if (traced && tr->on_step) {
    ev.gas_after = (uint64_t)gas;
    ev.memory_size = f->msize;
    tr->on_step(tr->ctx, &ev);
  }
  f->gas = gas;
  f->sp = sp;
  c->steps += steps;
  return status;

halt_fail:
  if (traced && tr->on_step) {
    ev.gas_after = 0;
    ev.memory_size = f->msize;
    tr->on_step(tr->ctx, &ev);
  }
  f->gas = 0;
  f->sp = sp;
  c->steps += steps;
  return RES_FAILURE;

fatal_nomem:
  set_fatal(c, EVM_E_NOMEM);
fatal:
  f->gas = 0;
  c->steps += steps;
  return RES_FATAL;

#undef SAVE
#undef LOAD
#undef CHARGE
#undef MEM
#undef TMEM
#undef TARITH
#undef TARITH3
#undef MEMP
}

static __attribute__((noinline)) evm_res_status interp_fast(frame *f) { return interp_loop(f, 0); }
static __attribute__((noinline)) evm_res_status interp_traced(frame *f) { return interp_loop(f, 1); }

/* Run code in a new frame for msg. The frame's output is handed to res. */
static void run_code(evm_ctx *c, const evm_msg *msg, evm_account *self, const uint8_t *code, size_t len,
                     const uint8_t *jd, evm_res *res) {
  pthread_once(&stack_once, stack_tables);
  int d = msg->depth;
  if (!c->stacks[d]) {
    c->stacks[d] = malloc(sizeof(u256) * EVM_STACK_LIMIT);
    if (!c->stacks[d]) {
      set_fatal(c, EVM_E_NOMEM);
      res->status = RES_FATAL;
      res->gas_left = 0;
      return;
    }
  }
  frame f;
  memset(&f, 0, sizeof f);
  f.c = c;
  f.msg = msg;
  f.self = self;
  f.code = code;
  f.code_len = len;
  f.jd = jd;
  f.gas = msg->gas;
  f.stack = f.sp = c->stacks[d];
  f.mb = &c->mems[d];
  f.id = c->frames++;
  if (msg->kind != MSG_CREATE && msg->kind != MSG_CREATE2) {
    f.cd = msg->input;
    f.cd_len = msg->input_len;
  }
  evm_res_status st = c->traced ? interp_traced(&f) : interp_fast(&f);
  free(f.ret);
  res->status = st;
  res->gas_left = st == RES_SUCCESS || st == RES_REVERT ? f.gas : 0;
  if (st == RES_SUCCESS || st == RES_REVERT) {
    res->output = f.out;
    res->output_len = f.out_len;
  } else {
    free(f.out);
  }
}

/* ---- message execution ------------------------------------------------------ */

/* on_sigrecover_data for an ECRECOVER call (evm.h), when its v word gives a
 * recovery id. */
static void report_ecrecover(evm_ctx *c, const evm_msg *m) {
  uint8_t buf[128];
  int recid = evm_pc_ecrecover_input(m->input, m->input_len, buf);
  if (recid >= 0) c->tr->on_sigrecover_data(c->tr->ctx, EVM_SIG_PRECOMPILE, buf, recid, buf + 64, buf + 96);
}

static void run_precompile(evm_ctx *c, evm_pc_id id, const evm_msg *m, evm_res *r) {
  uint64_t cost = evm_pc_gas(id, c->fork, m->input, m->input_len);
  if (cost > (uint64_t)m->gas) {
    r->status = RES_FAILURE;
    r->gas_left = 0;
    return;
  }
  evm_pc_work w;
  memset(&w, 0, sizeof w);
  uint8_t *out = NULL;
  size_t out_len = 0;
  int rc = evm_pc_run(id, c->fork, m->input, m->input_len, &out, &out_len, &w);
  if (rc == EVM_PC_UNSUPPORTED || rc == EVM_PC_NOMEM || rc < 0) {
    set_fatal(c, rc == EVM_PC_UNSUPPORTED ? EVM_E_UNSUPPORTED_PRECOMPILE : EVM_E_NOMEM);
    free(out);
    r->status = RES_FATAL;
    r->gas_left = 0;
    return;
  }
  if (c->traced && c->tr->on_precompile) c->tr->on_precompile(c->tr->ctx, id, m->input_len, &w);
  if (rc == EVM_PC_OK && c->traced && c->tr->on_precompile_input)
    c->tr->on_precompile_input(c->tr->ctx, id, m->input, m->input_len);
  if (id == EVM_PC_ECRECOVER && c->traced && c->tr->on_sigrecover_data) report_ecrecover(c, m);
  if (rc == EVM_PC_FAIL) {
    free(out);
    r->status = RES_FAILURE;
    r->gas_left = 0;
    return;
  }
  r->status = RES_SUCCESS;
  r->gas_left = m->gas - (int64_t)cost;
  r->output = out;
  r->output_len = out_len;
}

void evm_vm_call(evm_ctx *c, const evm_msg *m, evm_res *r) {
  memset(r, 0, sizeof *r);
  r->gas_left = m->gas;
  r->status = RES_SUCCESS;
  evm_state *st = c->st;
  size_t cp = evm_state_checkpoint(st);
  size_t logs_cp = c->n_logs;
  int64_t refund_cp = c->refund;
  evm_account *to = evm_state_get(st, m->recipient);
  if (!to) goto nomem;
  if (m->kind == MSG_CALL) {
    if (!u256_is_zero(&m->value)) {
      evm_account *from = evm_state_get(st, m->sender);
      if (!from || evm_state_sub_balance(st, from, &m->value) || evm_state_add_balance(st, to, &m->value))
        goto nomem;
    } else if (evm_state_touch(st, to)) {
      goto nomem;
    }
  } else if (m->kind == MSG_STATICCALL) {
    if (evm_state_touch(st, to)) goto nomem;
  }
  evm_pc_id pc = evm_pc_lookup(c->fork, m->code_address);
  if (pc != EVM_PC_NONE) {
    run_precompile(c, pc, m, r);
  } else {
    evm_account *ca = m->kind == MSG_CALL || m->kind == MSG_STATICCALL ? to : evm_state_get(st, m->code_address);
    if (!ca) goto nomem;
    ca = code_holder(c, ca);
    if (!ca) goto nomem;
    if (ca->code_len == 0) return;
    const uint8_t *jd = account_jumpdests(c, ca);
    if (!jd) goto nomem;
    run_code(c, m, to, ca->code, ca->code_len, jd, r);
  }
  if (r->status != RES_SUCCESS) {
    if (r->status == RES_FATAL) return;
    evm_state_revert(st, cp);
    evm_logs_truncate(c, logs_cp);
    c->refund = refund_cp;
    if (r->status == RES_FAILURE) r->gas_left = 0;
  }
  return;
nomem:
  set_fatal(c, EVM_E_NOMEM);
  r->status = RES_FATAL;
  r->gas_left = 0;
}

void evm_vm_create(evm_ctx *c, const evm_msg *m, const uint8_t addr[20], evm_res *r) {
  memset(r, 0, sizeof *r);
  memcpy(r->create_address, addr, 20);
  r->gas_left = m->gas;
  evm_state *st = c->st;
  evm_account *a = evm_state_get(st, addr);
  evm_account *from = evm_state_get(st, m->sender);
  if (!a || !from || evm_state_warm_account(st, a) < 0) goto nomem;
  if (a->nonce != 0 || a->code_len != 0 || evm_account_has_storage(a)) {
    r->status = RES_FAILURE;
    r->gas_left = 0;
    return;
  }
  size_t cp = evm_state_checkpoint(st);
  size_t logs_cp = c->n_logs;
  int64_t refund_cp = c->refund;
  if (evm_state_create(st, a) || evm_state_set_nonce(st, a, 1)) goto nomem;
  if (!u256_is_zero(&m->value) &&
      (evm_state_sub_balance(st, from, &m->value) || evm_state_add_balance(st, a, &m->value)))
    goto nomem;
  r->status = RES_SUCCESS;
  if (m->input_len) {
    uint8_t *jd = evm_jumpdest_analyze(m->input, m->input_len);
    if (!jd) goto nomem;
    run_code(c, m, a, m->input, m->input_len, jd, r);
    free(jd);
  }
  if (r->status == RES_FATAL) return;
  if (r->status == RES_SUCCESS) {
    size_t n = r->output_len;
    int64_t deposit = (int64_t)(EVM_GAS_CODE_DEPOSIT * n);
    if (n > EVM_MAX_CODE_SIZE || (n && r->output[0] == 0xef) || r->gas_left < deposit) {
      r->status = RES_FAILURE;
    } else {
      r->gas_left -= deposit;
      uint8_t h[32];
      keccak256(r->output, n, h);
      if (c->traced && c->tr->on_keccak) c->tr->on_keccak(c->tr->ctx, keccak256_permutations(n), EVM_KECCAK_CREATE);
      if (c->traced && c->tr->on_keccak_data) c->tr->on_keccak_data(c->tr->ctx, r->output, n, EVM_KECCAK_CREATE);
      if (evm_state_set_code(st, a, r->output, n, h)) goto nomem;
      free(r->output);
      r->output = NULL;
      r->output_len = 0;
    }
  }
  if (r->status != RES_SUCCESS) {
    evm_state_revert(st, cp);
    evm_logs_truncate(c, logs_cp);
    c->refund = refund_cp;
    if (r->status == RES_FAILURE) {
      r->gas_left = 0;
      free(r->output);
      r->output = NULL;
      r->output_len = 0;
    }
  }
  return;
nomem:
  set_fatal(c, EVM_E_NOMEM);
  r->status = RES_FATAL;
  r->gas_left = 0;
}

void evm_ctx_release(evm_ctx *c) {
  for (int i = 0; i <= EVM_MAX_CALL_DEPTH; i++) {
    free(c->stacks[i]);
    c->stacks[i] = NULL;
    free(c->mems[i].p);
    c->mems[i].p = NULL;
    c->mems[i].cap = 0;
  }
  evm_logs_truncate(c, 0);
  free(c->logs);
  c->logs = NULL;
  c->cap_logs = 0;
}
