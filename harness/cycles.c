/* cycles: zkVM cycle profiles (strict loader) and the counting tracer behind
 * the cycle estimate of a block.
 *
 * The loader reads a small TSV written by people, so it is strict: any row it
 * cannot place exactly is an error naming the file and line, and a profile
 * that leaves an instruction or a precompile without a weight is refused, so
 * no part of a block is silently counted as free. The accumulator keeps only
 * integer counts; a profile turns them into cycles when a figure is asked
 * for, so one execution can be priced under several profiles.
 */
#include "cycles.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A weight larger than this is a typo, not a measurement. */
#define CYCLES_WEIGHT_MAX 1e13
#define CYCLES_LINE_MAX 4096

static const char *const unit_names[CYCLES_UNIT_COUNT] = {
#define X(id, name) name,
    CYCLES_UNIT_LIST(X)
#undef X
};

static const struct {
  const char *name, *unit;
  int required;
} witness_info[CYCLES_W_COUNT] = {
#define X(id, name, unit, req) {name, unit, req},
    CYCLES_WITNESS_LIST(X)
#undef X
};

static const char *const kind_names[CYCLES_KIND_COUNT] = {"opcode", "precompile", "witness"};

const char *cycles_unit_name(cycles_unit u) { return (unsigned)u < CYCLES_UNIT_COUNT ? unit_names[u] : "?"; }
const char *cycles_witness_name(cycles_witness w) {
  return (unsigned)w < CYCLES_W_COUNT ? witness_info[w].name : "?";
}
const char *cycles_kind_name(cycles_kind k) { return (unsigned)k < CYCLES_KIND_COUNT ? kind_names[k] : "?"; }

const char *cycles_strerror(int code) {
  switch (code) {
    case CYCLES_OK: return "ok";
    case CYCLES_E_IO: return "cannot read the profile";
    case CYCLES_E_SYNTAX: return "malformed row";
    case CYCLES_E_KIND: return "unknown kind";
    case CYCLES_E_NAME: return "unknown name";
    case CYCLES_E_UNIT: return "unit not allowed here";
    case CYCLES_E_DUP: return "duplicate row";
    case CYCLES_E_MISSING: return "required row missing";
    case CYCLES_E_ARG: return "bad argument";
    case CYCLES_E_EXEC: return "block execution failed";
    case CYCLES_E_NOMEM: return "out of memory";
    default: return "unknown error";
  }
}

/* ---- Loader ------------------------------------------------------------- */

typedef struct {
  const char *source;
  cycles_error *err;
} ctx_t;

static int fail(ctx_t *c, int code, size_t line, const char *fmt, ...) {
  if (c->err) {
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    c->err->line = line;
    snprintf(c->err->msg, sizeof c->err->msg, "%s:%zu: %s", c->source, line, what);
  }
  return code;
}

static int find_opcode(const char *s, size_t n) {
  for (int i = 0; i < 256; i++) {
    const char *nm = evm_op_table[i].name;
    if (nm && strlen(nm) == n && memcmp(nm, s, n) == 0) return i;
  }
  return -1;
}

static int find_precompile(const char *s, size_t n) {
  for (int i = 1; i < EVM_PC_COUNT; i++) {
    const char *nm = evm_pc_name((evm_pc_id)i);
    if (nm && strlen(nm) == n && memcmp(nm, s, n) == 0) return i;
  }
  return -1;
}

static int find_in(const char *const *names, int count, const char *s, size_t n) {
  for (int i = 0; i < count; i++)
    if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) return i;
  return -1;
}

static int find_witness(const char *s, size_t n) {
  for (int i = 0; i < CYCLES_W_COUNT; i++)
    if (strlen(witness_info[i].name) == n && memcmp(witness_info[i].name, s, n) == 0) return i;
  return -1;
}

static int field_eq(const char *s, size_t n, const char *lit) { return strlen(lit) == n && memcmp(s, lit, n) == 0; }

/* Parse a non-negative decimal occupying exactly s[0..n). */
static int parse_weight(const char *s, size_t n, double *out) {
  char buf[64];
  if (n == 0 || n >= sizeof buf) return -1;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-')) return -1;
  }
  if (!(s[0] >= '0' && s[0] <= '9')) return -1; /* no sign, no leading dot */
  memcpy(buf, s, n);
  buf[n] = 0;
  char *end;
  errno = 0;
  double v = strtod(buf, &end);
  if (errno || *end || !isfinite(v) || v < 0 || v > CYCLES_WEIGHT_MAX) return -1;
  *out = v;
  return 0;
}

static void profile_name_from(const char *source, char out[CYCLES_NAME_MAX]) {
  const char *base = strrchr(source, '/');
  base = base ? base + 1 : source;
  size_t n = strlen(base);
  static const char *const suffixes[] = {"-cycles.tsv", ".tsv"};
  for (size_t k = 0; k < 2; k++) {
    size_t sl = strlen(suffixes[k]);
    if (n > sl && strcmp(base + n - sl, suffixes[k]) == 0) {
      n -= sl;
      break;
    }
  }
  if (n >= CYCLES_NAME_MAX) n = CYCLES_NAME_MAX - 1;
  memcpy(out, base, n);
  out[n] = 0;
}

/* One row: fields f[0..nf) (pointer and length). */
static int parse_row(ctx_t *c, cycles_profile *p, size_t line, const char *f[5], const size_t fl[5], int nf) {
  if (nf < 4 || nf > 5)
    return fail(c, CYCLES_E_SYNTAX, line, "expected 4 TAB-separated fields (kind, name, cycles, per), found %d", nf);
  for (int i = 0; i < nf; i++)
    if (fl[i] == 0) return fail(c, CYCLES_E_SYNTAX, line, "field %d is empty", i + 1);
  if (nf == 5 && f[4][0] != '#')
    return fail(c, CYCLES_E_SYNTAX, line, "a fifth field must be a comment starting with '#'");
  double w;
  if (parse_weight(f[2], fl[2], &w) != 0)
    return fail(c, CYCLES_E_SYNTAX, line, "cycles '%.*s' is not a non-negative decimal", (int)fl[2], f[2]);
  const char *name = f[1], *per = f[3];
  size_t nl = fl[1], pl = fl[3];
  if (field_eq(f[0], fl[0], "opcode")) {
    int op = find_opcode(name, nl);
    if (op < 0) return fail(c, CYCLES_E_NAME, line, "unknown opcode '%.*s'", (int)nl, name);
    if (!field_eq(per, pl, "instruction"))
      return fail(c, CYCLES_E_UNIT, line, "opcode rows are per 'instruction', not '%.*s'", (int)pl, per);
    if (p->op_set[op]) return fail(c, CYCLES_E_DUP, line, "opcode %s listed twice", evm_op_table[op].name);
    p->op[op] = w;
    p->op_set[op] = 1;
  } else if (field_eq(f[0], fl[0], "precompile")) {
    int id = find_precompile(name, nl);
    if (id < 0) return fail(c, CYCLES_E_NAME, line, "unknown precompile '%.*s'", (int)nl, name);
    int u = find_in(unit_names, CYCLES_UNIT_COUNT, per, pl);
    if (u < 0) return fail(c, CYCLES_E_UNIT, line, "unknown precompile unit '%.*s'", (int)pl, per);
    if (p->pc_set[id][u])
      return fail(c, CYCLES_E_DUP, line, "precompile %s per %s listed twice", evm_pc_name((evm_pc_id)id), unit_names[u]);
    p->pc[id][u] = w;
    p->pc_set[id][u] = 1;
  } else if (field_eq(f[0], fl[0], "witness")) {
    int wi = find_witness(name, nl);
    if (wi < 0) return fail(c, CYCLES_E_NAME, line, "unknown witness item '%.*s'", (int)nl, name);
    if (!field_eq(per, pl, witness_info[wi].unit))
      return fail(c, CYCLES_E_UNIT, line, "witness %s is per '%s', not '%.*s'", witness_info[wi].name,
                  witness_info[wi].unit, (int)pl, per);
    if (p->wit_set[wi]) return fail(c, CYCLES_E_DUP, line, "witness %s listed twice", witness_info[wi].name);
    p->wit[wi] = w;
    p->wit_set[wi] = 1;
  } else {
    return fail(c, CYCLES_E_KIND, line, "unknown kind '%.*s' (opcode, precompile or witness)", (int)fl[0], f[0]);
  }
  return CYCLES_OK;
}

static int check_complete(ctx_t *c, cycles_profile *p) {
  for (int op = 0; op < 256; op++)
    if (evm_op_table[op].name && !p->op_set[op])
      return fail(c, CYCLES_E_MISSING, 0, "no row for opcode %s", evm_op_table[op].name);
  for (int id = 1; id < EVM_PC_COUNT; id++) {
    int any = 0;
    for (int u = 0; u < CYCLES_UNIT_COUNT; u++) any |= p->pc_set[id][u];
    if (!any) return fail(c, CYCLES_E_MISSING, 0, "no row for precompile %s", evm_pc_name((evm_pc_id)id));
  }
  for (int wi = 0; wi < CYCLES_W_COUNT; wi++)
    if (witness_info[wi].required && !p->wit_set[wi])
      return fail(c, CYCLES_E_MISSING, 0, "no row for witness %s", witness_info[wi].name);
  if (!p->wit_set[CYCLES_W_TRIE_KECCAK_PERMUTATION])
    p->wit[CYCLES_W_TRIE_KECCAK_PERMUTATION] = p->wit[CYCLES_W_KECCAK_PERMUTATION];
  return CYCLES_OK;
}

int cycles_profile_parse(const char *text, size_t len, const char *source, cycles_profile *p, cycles_error *err) {
  if (!p) return CYCLES_E_ARG;
  memset(p, 0, sizeof *p);
  if (err) memset(err, 0, sizeof *err);
  if (!source) source = "(profile)";
  ctx_t c = {source, err};
  if (!text && len) return fail(&c, CYCLES_E_ARG, 0, "no text");
  size_t pos = 0, line = 0;
  int rc = CYCLES_OK;
  while (pos < len && rc == CYCLES_OK) {
    line++;
    size_t end = pos;
    while (end < len && text[end] != '\n') end++;
    const char *s = text + pos;
    size_t n = end - pos;
    pos = end + 1;
    if (n && s[n - 1] == '\r') n--;
    if (n > CYCLES_LINE_MAX) {
      rc = fail(&c, CYCLES_E_SYNTAX, line, "line longer than %d bytes", CYCLES_LINE_MAX);
      break;
    }
    if (memchr(s, 0, n)) {
      rc = fail(&c, CYCLES_E_SYNTAX, line, "NUL byte in line");
      break;
    }
    size_t lead = 0;
    while (lead < n && (s[lead] == ' ' || s[lead] == '\t')) lead++;
    if (lead == n || s[0] == '#') continue; /* blank or comment */
    if (lead) {
      rc = fail(&c, CYCLES_E_SYNTAX, line, "row starts with white space");
      break;
    }
    const char *f[5];
    size_t fl[5];
    int nf = 0;
    size_t a = 0;
    for (;;) {
      size_t b = a;
      /* the comment field runs to the end of the line, TABs included */
      int comment = nf == 4 && b < n && s[b] == '#';
      while (b < n && (comment || s[b] != '\t')) b++;
      if (nf == 5) {
        nf = 6;
        break;
      }
      f[nf] = s + a;
      fl[nf] = b - a;
      nf++;
      if (b >= n) break;
      a = b + 1;
    }
    for (int i = 0; i < nf && i < 4; i++) {
      if (fl[i] && (f[i][0] == ' ' || f[i][fl[i] - 1] == ' ')) {
        rc = fail(&c, CYCLES_E_SYNTAX, line, "field %d has spaces around it (fields are TAB-separated)", i + 1);
        break;
      }
    }
    if (rc == CYCLES_OK) rc = parse_row(&c, p, line, f, fl, nf);
  }
  if (rc == CYCLES_OK) rc = check_complete(&c, p);
  if (rc != CYCLES_OK) {
    memset(p, 0, sizeof *p);
    return rc;
  }
  profile_name_from(source, p->name);
  return CYCLES_OK;
}

int cycles_profile_load(const char *path, cycles_profile *p, cycles_error *err) {
  if (!path || !p) return CYCLES_E_ARG;
  memset(p, 0, sizeof *p);
  if (err) memset(err, 0, sizeof *err);
  ctx_t c = {path, err};
  FILE *fp = fopen(path, "rb");
  if (!fp) return fail(&c, CYCLES_E_IO, 0, "cannot open: %s", strerror(errno));
  size_t cap = 1 << 14, len = 0;
  char *buf = malloc(cap);
  if (!buf) {
    fclose(fp);
    return fail(&c, CYCLES_E_NOMEM, 0, "out of memory");
  }
  for (;;) {
    if (len == cap) {
      if (cap >= (1u << 24)) {
        free(buf);
        fclose(fp);
        return fail(&c, CYCLES_E_IO, 0, "file larger than 16 MiB");
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        fclose(fp);
        return fail(&c, CYCLES_E_NOMEM, 0, "out of memory");
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0) break;
  }
  int bad = ferror(fp);
  fclose(fp);
  if (bad) {
    free(buf);
    return fail(&c, CYCLES_E_IO, 0, "read error");
  }
  int rc = cycles_profile_parse(buf, len, path, p, err);
  free(buf);
  return rc;
}

int cycles_profile_open(const char *name_or_path, const char *dir, cycles_profile *p, cycles_error *err) {
  if (!name_or_path || !p) return CYCLES_E_ARG;
  size_t n = strlen(name_or_path);
  if (strchr(name_or_path, '/') || (n > 4 && strcmp(name_or_path + n - 4, ".tsv") == 0))
    return cycles_profile_load(name_or_path, p, err);
  char path[1024];
  int w = snprintf(path, sizeof path, "%s/%s-cycles.tsv", dir ? dir : "prover/profiles", name_or_path);
  if (w < 0 || (size_t)w >= sizeof path) {
    memset(p, 0, sizeof *p);
    ctx_t c = {name_or_path, err};
    return fail(&c, CYCLES_E_ARG, 0, "profile path too long");
  }
  return cycles_profile_load(path, p, err);
}

/* ---- Accumulator -------------------------------------------------------- */

void cycles_acc_init(cycles_acc *a) { memset(a, 0, sizeof *a); }

/* Hot: called once per executed instruction. */
static void on_step(void *ctx, const evm_step_event *e) { ((cycles_acc *)ctx)->op[e->opcode]++; }

static void on_memory(void *ctx, uint32_t frame, uint64_t offset, uint64_t size, int is_write,
                      const uint8_t *data) {
  (void)frame;
  (void)offset;
  (void)is_write;
  (void)data;
  ((cycles_acc *)ctx)->wit[CYCLES_W_MEMORY_BYTE] += size;
}

static void on_keccak(void *ctx, uint64_t count, evm_keccak_source src) {
  cycles_acc *a = ctx;
  a->wit[src == EVM_KECCAK_TRIE ? CYCLES_W_TRIE_KECCAK_PERMUTATION : CYCLES_W_KECCAK_PERMUTATION] += count;
}

static void on_arith(void *ctx, uint8_t opcode, uint16_t bits_a, uint16_t bits_b) {
  (void)bits_a;
  if (opcode == EVM_OP_EXP) ((cycles_acc *)ctx)->wit[CYCLES_W_EXP_BYTE] += (bits_b + 7u) / 8u;
}

static void on_storage(void *ctx, const uint8_t address[20], const uint8_t key[32], int is_write, int is_cold,
                       int transient, const uint8_t before[32], const uint8_t after[32]) {
  (void)address;
  (void)key;
  (void)is_write;
  (void)before;
  (void)after;
  if (is_cold && !transient) ((cycles_acc *)ctx)->wit[CYCLES_W_STORAGE_COLD]++;
}

static void on_precompile(void *ctx, evm_pc_id id, uint64_t input_len, const evm_pc_work *w) {
  cycles_acc *a = ctx;
  if ((unsigned)id >= EVM_PC_COUNT) return;
  uint64_t *u = a->pc[id];
  u[CYCLES_UNIT_CALL] += 1;
  u[CYCLES_UNIT_INPUT_BYTE] += input_len;
  u[CYCLES_UNIT_INPUT_WORD] += input_len / 32 + (input_len % 32 != 0);
  if (w) {
    u[CYCLES_UNIT_COMPRESSION] += w->compressions;
    u[CYCLES_UNIT_ROUND] += w->rounds;
    u[CYCLES_UNIT_LIMB_MUL] += w->limb_muls;
    u[CYCLES_UNIT_SCALAR_MUL] += w->scalar_muls;
    u[CYCLES_UNIT_FIELD_MUL] += w->field_muls;
    u[CYCLES_UNIT_PAIRING] += w->pairings;
  }
}

static void on_sigrecover(void *ctx, evm_sig_source src) {
  (void)src;
  ((cycles_acc *)ctx)->wit[CYCLES_W_SENDER_RECOVERY]++;
}

static void on_tx_start(void *ctx, size_t index) {
  (void)index;
  ((cycles_acc *)ctx)->wit[CYCLES_W_TX_OVERHEAD]++;
}

evm_tracer cycles_tracer(cycles_acc *acc) {
  evm_tracer t;
  memset(&t, 0, sizeof t);
  t.ctx = acc;
  t.on_step = on_step;
  t.on_memory = on_memory;
  t.on_keccak = on_keccak;
  t.on_arith = on_arith;
  t.on_storage = on_storage;
  t.on_precompile = on_precompile;
  t.on_sigrecover = on_sigrecover;
  t.on_tx_start = on_tx_start;
  return t;
}

/* The tee: count, then forward. Hot like the plain callbacks. */
#define TEE_NEXT(tee, member) ((tee)->next && (tee)->next->member ? (tee)->next : NULL)

static void tee_step(void *ctx, const evm_step_event *e) {
  cycles_tee *t = ctx;
  on_step(t->acc, e);
  const evm_tracer *n = TEE_NEXT(t, on_step);
  if (n) n->on_step(n->ctx, e);
}

static void tee_memory(void *ctx, uint32_t frame, uint64_t offset, uint64_t size, int is_write,
                       const uint8_t *data) {
  cycles_tee *t = ctx;
  on_memory(t->acc, frame, offset, size, is_write, data);
  const evm_tracer *n = TEE_NEXT(t, on_memory);
  if (n) n->on_memory(n->ctx, frame, offset, size, is_write, data);
}

static void tee_storage(void *ctx, const uint8_t address[20], const uint8_t key[32], int is_write, int is_cold,
                        int transient, const uint8_t before[32], const uint8_t after[32]) {
  cycles_tee *t = ctx;
  on_storage(t->acc, address, key, is_write, is_cold, transient, before, after);
  const evm_tracer *n = TEE_NEXT(t, on_storage);
  if (n) n->on_storage(n->ctx, address, key, is_write, is_cold, transient, before, after);
}

static void tee_keccak(void *ctx, uint64_t count, evm_keccak_source src) {
  cycles_tee *t = ctx;
  on_keccak(t->acc, count, src);
  const evm_tracer *n = TEE_NEXT(t, on_keccak);
  if (n) n->on_keccak(n->ctx, count, src);
}

static void tee_arith(void *ctx, uint8_t opcode, uint16_t bits_a, uint16_t bits_b) {
  cycles_tee *t = ctx;
  on_arith(t->acc, opcode, bits_a, bits_b);
  const evm_tracer *n = TEE_NEXT(t, on_arith);
  if (n) n->on_arith(n->ctx, opcode, bits_a, bits_b);
}

static void tee_precompile(void *ctx, evm_pc_id id, uint64_t input_len, const evm_pc_work *w) {
  cycles_tee *t = ctx;
  on_precompile(t->acc, id, input_len, w);
  const evm_tracer *n = TEE_NEXT(t, on_precompile);
  if (n) n->on_precompile(n->ctx, id, input_len, w);
}

static void tee_sigrecover(void *ctx, evm_sig_source src) {
  cycles_tee *t = ctx;
  on_sigrecover(t->acc, src);
  const evm_tracer *n = TEE_NEXT(t, on_sigrecover);
  if (n) n->on_sigrecover(n->ctx, src);
}

static void tee_tx_start(void *ctx, size_t index) {
  cycles_tee *t = ctx;
  on_tx_start(t->acc, index);
  const evm_tracer *n = TEE_NEXT(t, on_tx_start);
  if (n) n->on_tx_start(n->ctx, index);
}

/* The byte-level callbacks only feed the next tracer (a proving collector). */
static void tee_keccak_data(void *ctx, const uint8_t *data, size_t len, evm_keccak_source src) {
  cycles_tee *t = ctx;
  const evm_tracer *n = TEE_NEXT(t, on_keccak_data);
  if (n) n->on_keccak_data(n->ctx, data, len, src);
}

static void tee_arith_values(void *ctx, uint8_t opcode, const u256 *a, const u256 *b, const u256 *c,
                             const u256 *result) {
  cycles_tee *t = ctx;
  const evm_tracer *n = TEE_NEXT(t, on_arith_values);
  if (n) n->on_arith_values(n->ctx, opcode, a, b, c, result);
}

static void tee_sigrecover_data(void *ctx, evm_sig_source src, const uint8_t hash[32], int recid, const uint8_t r[32],
                                const uint8_t s[32]) {
  cycles_tee *t = ctx;
  const evm_tracer *n = TEE_NEXT(t, on_sigrecover_data);
  if (n) n->on_sigrecover_data(n->ctx, src, hash, recid, r, s);
}

static void tee_precompile_input(void *ctx, evm_pc_id id, const uint8_t *input, size_t len) {
  cycles_tee *t = ctx;
  const evm_tracer *n = TEE_NEXT(t, on_precompile_input);
  if (n) n->on_precompile_input(n->ctx, id, input, len);
}

/* Undone and cleared slots are no instruction's work: only forwarded. */
static void tee_storage_undo(void *ctx, const uint8_t address[20], const uint8_t key[32], int transient,
                             const uint8_t before[32], const uint8_t after[32]) {
  cycles_tee *t = ctx;
  const evm_tracer *n = TEE_NEXT(t, on_storage_undo);
  if (n) n->on_storage_undo(n->ctx, address, key, transient, before, after);
}

static void tee_tx_end(void *ctx, size_t index, uint64_t gas_used, int invalid) {
  cycles_tee *t = ctx;
  const evm_tracer *n = TEE_NEXT(t, on_tx_end);
  if (n) n->on_tx_end(n->ctx, index, gas_used, invalid);
}

evm_tracer cycles_tracer_tee(cycles_tee *tee) {
  evm_tracer t;
  memset(&t, 0, sizeof t);
  t.ctx = tee;
  t.on_step = tee_step;
  t.on_memory = tee_memory;
  t.on_storage = tee_storage;
  t.on_keccak = tee_keccak;
  t.on_arith = tee_arith;
  /* the byte-level callbacks only when the next tracer takes them: the
   * executor does extra work for each one set (signing a copy of every
   * test-key transaction for on_sigrecover_data) */
  if (TEE_NEXT(tee, on_keccak_data)) t.on_keccak_data = tee_keccak_data;
  if (TEE_NEXT(tee, on_arith_values)) t.on_arith_values = tee_arith_values;
  if (TEE_NEXT(tee, on_sigrecover_data)) t.on_sigrecover_data = tee_sigrecover_data;
  if (TEE_NEXT(tee, on_precompile_input)) t.on_precompile_input = tee_precompile_input;
  if (TEE_NEXT(tee, on_storage_undo)) t.on_storage_undo = tee_storage_undo;
  t.on_precompile = tee_precompile;
  t.on_sigrecover = tee_sigrecover;
  t.on_tx_start = tee_tx_start;
  t.on_tx_end = tee_tx_end;
  return t;
}

void cycles_acc_add_block(cycles_acc *a, const blk_block *b) {
  a->wit[CYCLES_W_BLOCK_OVERHEAD]++;
  for (size_t i = 0; i < b->n_codes; i++) a->wit[CYCLES_W_BYTECODE_BYTE] += b->codes[i].len;
}

static double op_cycles(const cycles_profile *p, const cycles_acc *a, int op) { return (double)a->op[op] * p->op[op]; }

static double pc_cycles(const cycles_profile *p, const cycles_acc *a, int id) {
  double s = 0;
  for (int u = 0; u < CYCLES_UNIT_COUNT; u++) s += (double)a->pc[id][u] * p->pc[id][u];
  return s;
}

static double wit_cycles(const cycles_profile *p, const cycles_acc *a, int w) { return (double)a->wit[w] * p->wit[w]; }

double cycles_kind_total(const cycles_profile *p, const cycles_acc *a, cycles_kind k) {
  double s = 0;
  switch (k) {
    case CYCLES_KIND_OPCODE:
      for (int op = 0; op < 256; op++) s += op_cycles(p, a, op);
      break;
    case CYCLES_KIND_PRECOMPILE:
      for (int id = 0; id < EVM_PC_COUNT; id++) s += pc_cycles(p, a, id);
      break;
    case CYCLES_KIND_WITNESS:
      for (int w = 0; w < CYCLES_W_COUNT; w++) s += wit_cycles(p, a, w);
      break;
    default:
      break;
  }
  return s;
}

double cycles_total(const cycles_profile *p, const cycles_acc *a) {
  double s = 0;
  for (int k = 0; k < CYCLES_KIND_COUNT; k++) s += cycles_kind_total(p, a, (cycles_kind)k);
  return s;
}

double cycles_op_class_total(const cycles_profile *p, const cycles_acc *a, evm_op_class c) {
  double s = 0;
  for (int op = 0; op < 256; op++)
    if (evm_op_table[op].name && evm_op_table[op].cls == (uint8_t)c) s += op_cycles(p, a, op);
  return s;
}

/* Keep the CYCLES_TOP largest, descending (insertion into a short list). */
static void top_insert(cycles_report *r, cycles_kind k, const char *name, uint64_t count, double cyc) {
  if (cyc <= 0) return;
  size_t pos = r->n_top;
  while (pos > 0 && r->top[pos - 1].cycles < cyc) pos--;
  if (pos >= CYCLES_TOP) return;
  size_t last = r->n_top < CYCLES_TOP ? r->n_top : CYCLES_TOP - 1;
  memmove(&r->top[pos + 1], &r->top[pos], (last - pos) * sizeof r->top[0]);
  cycles_contrib *c = &r->top[pos];
  c->kind = k;
  snprintf(c->name, sizeof c->name, "%s", name);
  c->count = count;
  c->cycles = cyc;
  if (r->n_top < CYCLES_TOP) r->n_top++;
}

void cycles_report_fill(const cycles_profile *p, const cycles_acc *a, uint64_t gas_used, uint64_t steps,
                        cycles_report *r) {
  memset(r, 0, sizeof *r);
  r->gas_used = gas_used;
  r->steps = steps;
  for (int k = 0; k < CYCLES_KIND_COUNT; k++) r->by_kind[k] = cycles_kind_total(p, a, (cycles_kind)k);
  r->total = r->by_kind[0] + r->by_kind[1] + r->by_kind[2];
  r->per_gas = gas_used ? r->total / (double)gas_used : 0;
  for (int c = 0; c < EVM_CLASS_COUNT; c++) r->by_op_class[c] = cycles_op_class_total(p, a, (evm_op_class)c);
  for (int w = 0; w < CYCLES_W_COUNT; w++) r->by_witness[w] = wit_cycles(p, a, w);
  for (int op = 0; op < 256; op++)
    if (evm_op_table[op].name) top_insert(r, CYCLES_KIND_OPCODE, evm_op_table[op].name, a->op[op], op_cycles(p, a, op));
  for (int id = 1; id < EVM_PC_COUNT; id++)
    top_insert(r, CYCLES_KIND_PRECOMPILE, evm_pc_name((evm_pc_id)id), a->pc[id][CYCLES_UNIT_CALL], pc_cycles(p, a, id));
  for (int w = 0; w < CYCLES_W_COUNT; w++)
    top_insert(r, CYCLES_KIND_WITNESS, witness_info[w].name, a->wit[w], wit_cycles(p, a, w));
}

int cycles_estimate_block(const cycles_profile *p, const blk_block *b, cycles_report *r) {
  if (!p || !b || !r) return CYCLES_E_ARG;
  memset(r, 0, sizeof *r);
  cycles_acc *a = malloc(sizeof *a);
  if (!a) return CYCLES_E_NOMEM;
  cycles_acc_init(a);
  evm_tracer t = cycles_tracer(a);
  evm_block_result res;
  int st = evm_execute_block(b, &t, &res);
  uint64_t gas = res.gas_used, steps = res.steps;
  evm_block_result_free(&res);
  if (st != EVM_OK) {
    free(a);
    r->exec_status = st;
    return CYCLES_E_EXEC;
  }
  cycles_acc_add_block(a, b);
  cycles_report_fill(p, a, gas, steps, r);
  free(a);
  return CYCLES_OK;
}
