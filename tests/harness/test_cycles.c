/* zkVM cycle profiles: the strict loader (every malformed row named by line),
 * the counting tracer on small programs whose cycles are computed by hand,
 * and every profile shipped in prover/profiles loading cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "blk.h"
#include "cycles.h"
#include "evm/gas.h"
#include "gen.h"

/* ---- building profile text ---- */

typedef struct {
  char *s;
  size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[512];
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  assert_true(k >= 0 && (size_t)k < sizeof tmp);
  if (b->n + (size_t)k + 1 > b->cap) {
    b->cap = (b->n + (size_t)k + 1) * 2;
    b->s = realloc(b->s, b->cap);
    assert_non_null(b->s);
  }
  memcpy(b->s + b->n, tmp, (size_t)k + 1);
  b->n += (size_t)k;
}

/* Weights used by the hand-computed tests. An opcode not named here weighs
 * 1000, so an unexpected instruction shows in the total. */
typedef struct {
  const char *op;
  const char *w;
} opw;

static const opw test_ops[] = {{"PUSH1", "3"},  {"ADD", "7"},   {"POP", "11"},  {"STOP", "13"},
                               {"JUMPDEST", "2.5"}, {"GAS", "17"}, {"STATICCALL", "19"}, {"KECCAK256", "23"}};

static const char *op_weight(const char *name) {
  for (size_t i = 0; i < sizeof test_ops / sizeof test_ops[0]; i++)
    if (strcmp(test_ops[i].op, name) == 0) return test_ops[i].w;
  return "1000";
}

/* A complete profile: two comment lines first, so data starts at line 3.
 * skip_* leave out one required row. */
static char *profile_text(const char *skip_op, const char *skip_pc, const char *skip_wit) {
  sbuf b = {0};
  sb_add(&b, "# test profile\n#\n");
  for (int op = 0; op < 256; op++) {
    const char *nm = evm_op_table[op].name;
    if (!nm || (skip_op && strcmp(nm, skip_op) == 0)) continue;
    sb_add(&b, "opcode\t%s\t%s\tinstruction\n", nm, op_weight(nm));
  }
  for (int id = 1; id < EVM_PC_COUNT; id++) {
    const char *nm = evm_pc_name((evm_pc_id)id);
    if (skip_pc && strcmp(nm, skip_pc) == 0) continue;
    if (id == EVM_PC_IDENTITY) {
      sb_add(&b, "precompile\t%s\t1000\tcall\nprecompile\t%s\t10\tinput_byte\n", nm, nm);
      sb_add(&b, "precompile\t%s\t100\tinput_word\t# a comment\twith a tab\n", nm);
    } else if (id == EVM_PC_SHA256) {
      sb_add(&b, "precompile\t%s\t7\tcompression\n", nm);
    } else {
      sb_add(&b, "precompile\t%s\t5000\tcall\n", nm);
    }
  }
  if (!(skip_wit && strcmp(skip_wit, "sender_recovery") == 0)) sb_add(&b, "witness\tsender_recovery\t100000\tsignature\n");
  if (!(skip_wit && strcmp(skip_wit, "keccak_permutation") == 0))
    sb_add(&b, "witness\tkeccak_permutation\t1000\tpermutation\n");
  sb_add(&b, "witness\tmemory_byte\t1\tbyte\r\n"); /* CRLF is accepted */
  sb_add(&b, "witness\ttx_overhead\t1000000\ttransaction\n");
  sb_add(&b, "witness\tblock_overhead\t10000000\tblock\n");
  sb_add(&b, "witness\tbytecode_byte\t0.5\tbyte\n\n   \n");
  return b.s;
}

static void load_ok(cycles_profile *p) {
  char *t = profile_text(NULL, NULL, NULL);
  cycles_error e;
  int rc = cycles_profile_parse(t, strlen(t), "dir/test-cycles.tsv", p, &e);
  if (rc != CYCLES_OK) fail_msg("%s", e.msg);
  free(t);
}

static void test_parse_valid(void **state) {
  (void)state;
  cycles_profile p;
  load_ok(&p);
  assert_string_equal(p.name, "test");
  assert_true(p.op[EVM_OP_PUSH1] == 3.0);
  assert_true(p.op[EVM_OP_JUMPDEST] == 2.5);
  assert_true(p.op[EVM_OP_MUL] == 1000.0);
  assert_true(p.op[0x0c] == 0.0); /* undefined byte */
  assert_true(p.pc[EVM_PC_IDENTITY][CYCLES_UNIT_CALL] == 1000.0);
  assert_true(p.pc[EVM_PC_IDENTITY][CYCLES_UNIT_INPUT_WORD] == 100.0);
  assert_true(p.pc[EVM_PC_SHA256][CYCLES_UNIT_COMPRESSION] == 7.0);
  assert_true(p.wit[CYCLES_W_BYTECODE_BYTE] == 0.5);
  /* absent trie_keccak_permutation takes keccak_permutation's weight */
  assert_true(p.wit[CYCLES_W_TRIE_KECCAK_PERMUTATION] == 1000.0);
}

/* Insert `row` as line 3 of a valid profile; expect code and line 3 in the message. */
static void expect_bad_row(const char *row, int code) {
  char *t = profile_text(NULL, NULL, NULL);
  char *nl = strchr(strchr(t, '\n') + 1, '\n') + 1; /* start of line 3 */
  size_t head = (size_t)(nl - t);
  size_t len = strlen(t) + strlen(row) + 2;
  char *u = malloc(len);
  assert_non_null(u);
  memcpy(u, t, head);
  snprintf(u + head, len - head, "%s\n%s", row, nl);
  cycles_profile p;
  cycles_error e;
  int rc = cycles_profile_parse(u, strlen(u), "bad.tsv", &p, &e);
  if (rc != code) fail_msg("row '%s': rc %d, expected %d (%s)", row, rc, code, e.msg);
  assert_int_equal(e.line, 3);
  assert_true(strncmp(e.msg, "bad.tsv:3: ", 11) == 0);
  assert_true(p.name[0] == 0 && p.op[EVM_OP_PUSH1] == 0); /* zeroed on error */
  free(u);
  free(t);
}

static void test_parse_malformed_rows(void **state) {
  (void)state;
  expect_bad_row("opcode\tADD\t3", CYCLES_E_SYNTAX);                          /* 3 fields */
  expect_bad_row("opcode", CYCLES_E_SYNTAX);                                  /* 1 field */
  expect_bad_row("opcode\tADD\t3\tinstruction\tnote", CYCLES_E_SYNTAX);      /* 5th not a comment */
  expect_bad_row("opcode\tADD\t3\tinstruction\t", CYCLES_E_SYNTAX);          /* empty 5th */
  expect_bad_row("opcode\tADD\t3\tinstruction\tx\ty", CYCLES_E_SYNTAX);      /* 6 fields */
  expect_bad_row("opcode\t\t3\tinstruction", CYCLES_E_SYNTAX);               /* empty name */
  expect_bad_row("opcode\tADD\tabc\tinstruction", CYCLES_E_SYNTAX);
  expect_bad_row("opcode\tADD\t-1\tinstruction", CYCLES_E_SYNTAX);
  expect_bad_row("opcode\tADD\t+1\tinstruction", CYCLES_E_SYNTAX);
  expect_bad_row("opcode\tADD\t.5\tinstruction", CYCLES_E_SYNTAX);
  expect_bad_row("opcode\tADD\t5x\tinstruction", CYCLES_E_SYNTAX);
  expect_bad_row("opcode\tADD\tnan\tinstruction", CYCLES_E_SYNTAX);
  expect_bad_row("opcode\tADD\t1e99\tinstruction", CYCLES_E_SYNTAX);
  expect_bad_row(" opcode\tADD\t3\tinstruction", CYCLES_E_SYNTAX);          /* leading space */
  expect_bad_row("opcode\tADD \t3\tinstruction", CYCLES_E_SYNTAX);          /* padded field */
  expect_bad_row("opcode ADD 3 instruction", CYCLES_E_SYNTAX);              /* spaces, not TABs */
  expect_bad_row("opcodes\tADD\t3\tinstruction", CYCLES_E_KIND);
  expect_bad_row("Opcode\tADD\t3\tinstruction", CYCLES_E_KIND);
  expect_bad_row("opcode\tFOO\t3\tinstruction", CYCLES_E_NAME);
  expect_bad_row("opcode\tadd\t3\tinstruction", CYCLES_E_NAME);              /* names are exact */
  expect_bad_row("opcode\tUNDEFINED\t3\tinstruction", CYCLES_E_NAME);
  expect_bad_row("precompile\tsha512\t3\tcall", CYCLES_E_NAME);
  expect_bad_row("witness\tgas\t3\tbyte", CYCLES_E_NAME);
  expect_bad_row("opcode\tADD\t3\tcall", CYCLES_E_UNIT);
  expect_bad_row("precompile\tsha256\t3\tinstruction", CYCLES_E_UNIT);
  expect_bad_row("witness\tsender_recovery\t3\tcall", CYCLES_E_UNIT);
  /* a duplicate: the row at line 3 is fine, its twin later in the file is the error */
  char *t = profile_text(NULL, NULL, NULL);
  size_t len = strlen(t) + 64;
  char *u = malloc(len);
  assert_non_null(u);
  snprintf(u, len, "%sopcode\tADD\t9\tinstruction\n", t);
  size_t lines = 0;
  for (const char *q = u; *q; q++) lines += *q == '\n';
  cycles_profile p;
  cycles_error e;
  assert_int_equal(cycles_profile_parse(u, strlen(u), "dup.tsv", &p, &e), CYCLES_E_DUP);
  assert_int_equal(e.line, lines);
  assert_non_null(strstr(e.msg, "ADD"));
  free(u);
  free(t);
}

static void test_parse_missing_rows(void **state) {
  (void)state;
  struct {
    const char *op, *pc, *wit, *word;
  } cases[] = {{"CLZ", NULL, NULL, "CLZ"},
               {"JUMPDEST", NULL, NULL, "JUMPDEST"},
               {NULL, "p256verify", NULL, "p256verify"},
               {NULL, NULL, "sender_recovery", "sender_recovery"},
               {NULL, NULL, "keccak_permutation", "keccak_permutation"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *t = profile_text(cases[i].op, cases[i].pc, cases[i].wit);
    cycles_profile p;
    cycles_error e;
    assert_int_equal(cycles_profile_parse(t, strlen(t), "m.tsv", &p, &e), CYCLES_E_MISSING);
    assert_int_equal(e.line, 0);
    assert_non_null(strstr(e.msg, cases[i].word));
    free(t);
  }
  /* an empty text lacks everything */
  cycles_profile p;
  cycles_error e;
  assert_int_equal(cycles_profile_parse("", 0, "empty.tsv", &p, &e), CYCLES_E_MISSING);
  assert_int_equal(cycles_profile_parse("# only a comment\n", 17, "c.tsv", &p, &e), CYCLES_E_MISSING);
  /* a missing file is an I/O error naming it */
  assert_int_equal(cycles_profile_open("no-such-profile", "/nonexistent", &p, &e), CYCLES_E_IO);
  assert_non_null(strstr(e.msg, "/nonexistent/no-such-profile-cycles.tsv"));
}

/* ---- accumulator on hand-written programs ---- */

/* One transaction (gas limit 100000 holds exactly one) calling `code`. */
static void run_code(const cycles_profile *p, const uint8_t *code, size_t len, cycles_report *r) {
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_contract_block(&gp, code, len, 0, &b), GEN_OK);
  assert_int_equal(b.n_txs, 1);
  assert_int_equal(b.n_codes, 1);
  assert_int_equal(cycles_estimate_block(p, &b, r), CYCLES_OK);
  blk_free(&b);
}

/* sender recovery + transaction + block overheads + half a cycle per code byte,
 * with the post-state root's permutations (not known by hand) removed. */
static double fixed_part(const cycles_report *r, size_t code_len) {
  return 100000.0 + 1000000.0 + 10000000.0 + 0.5 * (double)code_len + r->by_witness[CYCLES_W_TRIE_KECCAK_PERMUTATION];
}

static void test_straight_line(void **state) {
  (void)state;
  cycles_profile p;
  load_ok(&p);
  /* PUSH1 5 PUSH1 3 ADD POP STOP: 2*3 + 7 + 11 + 13 = 37 */
  const uint8_t code[] = {0x60, 0x05, 0x60, 0x03, 0x01, 0x50, 0x00};
  cycles_report r;
  run_code(&p, code, sizeof code, &r);
  assert_int_equal(r.steps, 5);
  assert_true(r.by_kind[CYCLES_KIND_OPCODE] == 37.0);
  assert_true(r.by_kind[CYCLES_KIND_PRECOMPILE] == 0.0);
  assert_true(r.by_witness[CYCLES_W_MEMORY_BYTE] == 0.0);
  assert_true(r.by_witness[CYCLES_W_TRIE_KECCAK_PERMUTATION] > 0); /* the root was hashed */
  assert_true(r.total == 37.0 + fixed_part(&r, sizeof code));
  assert_true(r.gas_used == 21000 + 3 + 3 + 3 + 2);
  assert_true(r.per_gas == r.total / (double)r.gas_used);
  /* classes: PUSH1 and POP are STACK, ADD is ARITH, STOP is CONTROL */
  assert_true(r.by_op_class[EVM_CLASS_STACK] == 17.0);
  assert_true(r.by_op_class[EVM_CLASS_ARITH] == 7.0);
  assert_true(r.by_op_class[EVM_CLASS_CONTROL] == 13.0);
  /* top contributors: descending, the block overhead first */
  assert_true(r.n_top > 0 && r.n_top <= CYCLES_TOP);
  assert_string_equal(r.top[0].name, "block_overhead");
  for (size_t i = 1; i < r.n_top; i++) assert_true(r.top[i - 1].cycles >= r.top[i].cycles);
}

static void test_jumpdest_run(void **state) {
  (void)state;
  cycles_profile p;
  load_ok(&p);
  /* 1000 JUMPDESTs then STOP: 1000 * 2.5 + 13 */
  uint8_t code[1001];
  memset(code, 0x5b, 1000);
  code[1000] = 0x00;
  cycles_report r;
  run_code(&p, code, sizeof code, &r);
  assert_int_equal(r.steps, 1001);
  assert_true(r.by_kind[CYCLES_KIND_OPCODE] == 2513.0);
  assert_true(r.total == 2513.0 + fixed_part(&r, sizeof code));
  assert_true(r.gas_used == 21000 + 1000);
}

static void test_keccak_and_memory(void **state) {
  (void)state;
  cycles_profile p;
  load_ok(&p);
  /* PUSH1 32 PUSH1 0 KECCAK256 POP STOP: one permutation over 32 bytes of memory
   * the instruction reads (memory_byte 1, keccak_permutation 1000). */
  const uint8_t code[] = {0x60, 0x20, 0x60, 0x00, 0x20, 0x50, 0x00};
  cycles_report r;
  run_code(&p, code, sizeof code, &r);
  assert_true(r.by_kind[CYCLES_KIND_OPCODE] == 3 + 3 + 23 + 11 + 13);
  assert_true(r.by_witness[CYCLES_W_KECCAK_PERMUTATION] == 1000.0);
  assert_true(r.by_witness[CYCLES_W_MEMORY_BYTE] == 32.0);
  assert_true(r.total == 53.0 + 1000.0 + 32.0 + fixed_part(&r, sizeof code));
}

static void test_precompile_work(void **state) {
  (void)state;
  cycles_profile p;
  load_ok(&p);
  /* STATICCALL(GAS, 4, 0, 64, 0, 0): identity on 64 bytes. Pushes in reverse:
   * retSize 0, retOffset 0, argsSize 64, argsOffset 0, address 4, then GAS. */
  const uint8_t id_code[] = {0x60, 0x00, 0x60, 0x00, 0x60, 0x40, 0x60, 0x00, 0x60, 0x04, 0x5a, 0xfa, 0x50, 0x00};
  cycles_report r;
  run_code(&p, id_code, sizeof id_code, &r);
  /* call 1000 + 64 bytes * 10 + 2 words * 100 */
  assert_true(r.by_kind[CYCLES_KIND_PRECOMPILE] == 1840.0);
  assert_true(r.by_kind[CYCLES_KIND_OPCODE] == 5 * 3 + 17 + 19 + 11 + 13);
  /* 1840 cycles rank it among the largest contributors, as one call */
  int found = 0;
  for (size_t i = 0; i < r.n_top; i++)
    if (strcmp(r.top[i].name, "identity") == 0) {
      found = 1;
      assert_int_equal(r.top[i].kind, CYCLES_KIND_PRECOMPILE);
      assert_int_equal(r.top[i].count, 1);
      assert_true(r.top[i].cycles == 1840.0);
    }
  assert_true(found);
  /* the same on sha256 (address 2): 64 bytes pad to 2 compressions at 7 */
  uint8_t sha_code[sizeof id_code];
  memcpy(sha_code, id_code, sizeof id_code);
  sha_code[9] = 0x02;
  run_code(&p, sha_code, sizeof sha_code, &r);
  assert_true(r.by_kind[CYCLES_KIND_PRECOMPILE] == 14.0);
}

/* Every instruction weighs 1 and nothing else counts: the opcode total must be
 * the executor's own step count, and the sender recoveries its transactions. */
static void test_counts_match_executor(void **state) {
  (void)state;
  sbuf b = {0};
  for (int op = 0; op < 256; op++)
    if (evm_op_table[op].name) sb_add(&b, "opcode\t%s\t1\tinstruction\n", evm_op_table[op].name);
  for (int id = 1; id < EVM_PC_COUNT; id++) sb_add(&b, "precompile\t%s\t0\tcall\n", evm_pc_name((evm_pc_id)id));
  sb_add(&b, "witness\tsender_recovery\t1\tsignature\nwitness\tkeccak_permutation\t0\tpermutation\n");
  cycles_profile p;
  cycles_error e;
  int rc = cycles_profile_parse(b.s, b.n, "ones", &p, &e);
  if (rc) fail_msg("%s", e.msg);
  free(b.s);
  const char *scenarios[] = {"jumpdest", "transfers", "keccak"};
  for (size_t s = 0; s < 3; s++) {
    gen_params gp = {1000000, BLK_FORK_OSAKA, 0};
    blk_block blk;
    assert_int_equal(gen_worst_case(scenarios[s], &gp, &blk), GEN_OK);
    cycles_report r;
    assert_int_equal(cycles_estimate_block(&p, &blk, &r), CYCLES_OK);
    assert_true(r.by_kind[CYCLES_KIND_OPCODE] == (double)r.steps);
    assert_true(r.by_kind[CYCLES_KIND_WITNESS] == (double)blk.n_txs);
    assert_true(r.total == (double)r.steps + (double)blk.n_txs);
    if (strcmp(scenarios[s], "transfers") != 0) assert_true(r.steps > 1000);
    blk_free(&blk);
  }
}

/* The tracer and the counts can be used directly (one execution priced under
 * two profiles). */
static void test_tracer_direct(void **state) {
  (void)state;
  cycles_profile p;
  load_ok(&p);
  const uint8_t code[] = {0x5b, 0x5b, 0x5b, 0x00};
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_contract_block(&gp, code, sizeof code, 0, &b), GEN_OK);
  cycles_acc a;
  cycles_acc_init(&a);
  evm_tracer t = cycles_tracer(&a);
  evm_block_result res;
  assert_int_equal(evm_execute_block(&b, &t, &res), EVM_OK);
  evm_block_result_free(&res);
  assert_int_equal(a.op[EVM_OP_JUMPDEST], 3);
  assert_int_equal(a.op[EVM_OP_STOP], 1);
  assert_int_equal(a.wit[CYCLES_W_SENDER_RECOVERY], 1);
  assert_int_equal(a.wit[CYCLES_W_TX_OVERHEAD], 1);
  assert_int_equal(a.wit[CYCLES_W_BLOCK_OVERHEAD], 0); /* block items come from add_block */
  cycles_acc_add_block(&a, &b);
  assert_int_equal(a.wit[CYCLES_W_BLOCK_OVERHEAD], 1);
  assert_int_equal(a.wit[CYCLES_W_BYTECODE_BYTE], sizeof code);
  assert_true(cycles_kind_total(&p, &a, CYCLES_KIND_OPCODE) == 3 * 2.5 + 13);
  assert_true(cycles_total(&p, &a) == cycles_kind_total(&p, &a, CYCLES_KIND_OPCODE) +
                                          cycles_kind_total(&p, &a, CYCLES_KIND_PRECOMPILE) +
                                          cycles_kind_total(&p, &a, CYCLES_KIND_WITNESS));
  assert_true(cycles_op_class_total(&p, &a, EVM_CLASS_CONTROL) == 3 * 2.5 + 13);
  blk_free(&b);
  assert_int_equal(cycles_estimate_block(NULL, &b, NULL), CYCLES_E_ARG);
}

/* EXP exponent bytes and cold slot accesses, counted by hand. */
static void test_exp_and_cold_storage(void **state) {
  (void)state;
  /* EXP(base 2, exponent 0x0101): 9 significant bits = 2 bytes. Then SLOAD of
   * slot 7 twice (cold, then warm) and SSTORE to slot 9 (cold). */
  const uint8_t code[] = {0x61, 0x01, 0x01, 0x60, 0x02, 0x0a, 0x50,  /* EXP, POP */
                          0x60, 0x07, 0x54, 0x50, 0x60, 0x07, 0x54, 0x50, /* SLOAD x2 */
                          0x60, 0x01, 0x60, 0x09, 0x55, 0x00};          /* SSTORE(9, 1), STOP */
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_contract_block(&gp, code, sizeof code, 0, &b), GEN_OK);
  cycles_acc a;
  cycles_acc_init(&a);
  evm_tracer t = cycles_tracer(&a);
  evm_block_result res;
  assert_int_equal(evm_execute_block(&b, &t, &res), EVM_OK);
  assert_int_equal(res.txs[0].status, EVM_TX_SUCCESS);
  evm_block_result_free(&res);
  blk_free(&b);
  assert_int_equal(a.wit[CYCLES_W_EXP_BYTE], 2);
  assert_int_equal(a.wit[CYCLES_W_STORAGE_COLD], 2);
  assert_int_equal(a.op[EVM_OP_SLOAD], 2);
  assert_int_equal(a.op[EVM_OP_SSTORE], 1);
  /* priced: exp_byte and storage_cold_access rows */
  const char *extra = "witness\texp_byte\t40\tbyte\nwitness\tstorage_cold_access\t300\taccess\n";
  char *base = profile_text(NULL, NULL, NULL);
  size_t len = strlen(base) + strlen(extra) + 1;
  char *txt = malloc(len);
  assert_non_null(txt);
  snprintf(txt, len, "%s%s", base, extra);
  cycles_profile p;
  cycles_error e;
  int rc = cycles_profile_parse(txt, strlen(txt), "x.tsv", &p, &e);
  if (rc) fail_msg("%s", e.msg);
  free(txt);
  free(base);
  cycles_report r;
  cycles_report_fill(&p, &a, 0, 0, &r);
  assert_true(r.by_witness[CYCLES_W_EXP_BYTE] == 80.0);
  assert_true(r.by_witness[CYCLES_W_STORAGE_COLD] == 600.0);
  assert_true(r.per_gas == 0.0); /* no gas given */
}

/* The tee counts exactly what the plain tracer counts and forwards every
 * event: a second counting tracer behind it sees the same block. */
static void test_tee_forwards(void **state) {
  (void)state;
  gen_params gp = {1000000, BLK_FORK_OSAKA, 0};
  const char *scenarios[] = {"keccak", "sload_cold", "exp", "identity"};
  for (size_t s = 0; s < 4; s++) {
    blk_block b;
    assert_int_equal(gen_worst_case(scenarios[s], &gp, &b), GEN_OK);
    cycles_acc plain, first, behind;
    cycles_acc_init(&plain);
    cycles_acc_init(&first);
    cycles_acc_init(&behind);
    evm_tracer tp = cycles_tracer(&plain);
    evm_block_result res;
    assert_int_equal(evm_execute_block(&b, &tp, &res), EVM_OK);
    evm_block_result_free(&res);
    /* each scenario exercises its event */
    const uint64_t seen[] = {plain.wit[CYCLES_W_KECCAK_PERMUTATION], plain.wit[CYCLES_W_STORAGE_COLD],
                             plain.wit[CYCLES_W_EXP_BYTE], plain.pc[EVM_PC_IDENTITY][CYCLES_UNIT_INPUT_BYTE]};
    assert_true(seen[s] > 0);
    evm_tracer next = cycles_tracer(&behind);
    cycles_tee tee = {&first, &next};
    evm_tracer tt = cycles_tracer_tee(&tee);
    assert_int_equal(evm_execute_block(&b, &tt, &res), EVM_OK);
    evm_block_result_free(&res);
    assert_memory_equal(&plain, &first, sizeof plain);
    assert_memory_equal(&plain, &behind, sizeof plain);
    /* NULL next: counts alone */
    cycles_acc alone;
    cycles_acc_init(&alone);
    cycles_tee solo = {&alone, NULL};
    tt = cycles_tracer_tee(&solo);
    assert_int_equal(evm_execute_block(&b, &tt, &res), EVM_OK);
    evm_block_result_free(&res);
    assert_memory_equal(&plain, &alone, sizeof plain);
    blk_free(&b);
  }
}

/* ---- shipped profiles ---- */

static void test_shipped_profiles_load(void **state) {
  (void)state;
  const char *src = getenv("PKB_SOURCE_DIR");
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/prover/profiles", src ? src : ".");
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t l = strlen(de->d_name);
    const char *suf = "-cycles.tsv";
    if (l <= strlen(suf) || strcmp(de->d_name + l - strlen(suf), suf) != 0) continue;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    cycles_profile p;
    cycles_error e;
    int rc = cycles_profile_load(path, &p, &e);
    if (rc != CYCLES_OK) fail_msg("%s", e.msg);
    assert_true(strlen(p.name) > 0);
    /* by name, from the same folder */
    cycles_profile q;
    assert_int_equal(cycles_profile_open(p.name, dir, &q, &e), CYCLES_OK);
    assert_memory_equal(p.op, q.op, sizeof p.op);
    /* a real profile prices every instruction and the signature recovery */
    for (int op = 0; op < 256; op++)
      if (evm_op_table[op].name) assert_true(p.op[op] > 0);
    assert_true(p.wit[CYCLES_W_SENDER_RECOVERY] > 0 && p.wit[CYCLES_W_KECCAK_PERMUTATION] > 0);
    n++;
  }
  closedir(d);
  assert_true(n >= 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_valid),           cmocka_unit_test(test_parse_malformed_rows),
      cmocka_unit_test(test_parse_missing_rows),    cmocka_unit_test(test_straight_line),
      cmocka_unit_test(test_jumpdest_run),          cmocka_unit_test(test_keccak_and_memory),
      cmocka_unit_test(test_precompile_work),       cmocka_unit_test(test_counts_match_executor),
      cmocka_unit_test(test_tracer_direct),         cmocka_unit_test(test_exp_and_cold_storage),
      cmocka_unit_test(test_tee_forwards),          cmocka_unit_test(test_shipped_profiles_load),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
