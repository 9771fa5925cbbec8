/* The ecrecover table proven (TRACE_OPT_PROVE_ECRECOVER): built from a small
 * Prague block (a type-2, a type-0 and a pre-signed type-2 transaction from
 * test key 0 calling a contract that passes its calldata to ECRECOVER: a
 * signature by test key 2, one with v = 29 and one with r = 0; and a type-4
 * transaction to the same contract, with empty calldata (v = 0), and an
 * authorization by test key 1). The executor hands every
 * recovery's inputs to the tracer: each recovers to the key that signed it
 * (so test-key senders get their real signing hash and signature), and the
 * contract stored what ECRECOVER returned. The table has 4 rows per product
 * of the recoveries it keeps (those with products), its shards hold the
 * MULMOD rows of those products in order (operands as reported, results as
 * GMP gives them), satisfy the arith AIR, prove and verify, and a changed
 * cell fails. Without the option the table stays sized, 256 rows per
 * recovery, and no other table changes with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "../evm/evm_test_util.h"
#include "air_test_util.h"
#include "evm/txsig.h"
#include "hash/keccak.h"
#include "stark/stark.h"
#include "trace/arith_air.h"
#include "trace/secp_witness.h"
#include "trace/trace.h"

#define C 0x1000
#define W ARITH_AIR_WIDTH
#define MAXEV 16
/* CALLDATACOPY(0, 0, 128); STATICCALL(GAS, 1, 0, 128, 128, 32); POP;
 * SSTORE(CALLDATALOAD(128), MLOAD(128)) */
#define C_CODE "608060006000" "37" "602060806080600060015a" "fa" "50" "608051" "608035" "55" "00"

/* Every on_sigrecover_data event. */
typedef struct {
  evm_sig_source src;
  uint8_t hash[32], r[32], s[32];
  int recid;
  uint64_t muls;  /* secp_witness's products */
  int rc;         /* its status */
  uint8_t addr[20]; /* the recovered signer when rc is 0 */
} event;

static event g_ev[MAXEV];
static size_t g_n;
static evm_tracer g_inner;

static void tee_data(void *ctx, evm_sig_source src, const uint8_t hash[32], int recid, const uint8_t r[32],
                     const uint8_t s[32]) {
  assert_true(g_n < MAXEV);
  event *e = &g_ev[g_n++];
  memset(e, 0, sizeof *e);
  e->src = src;
  memcpy(e->hash, hash, 32);
  memcpy(e->r, r, 32);
  memcpy(e->s, s, 32);
  e->recid = recid;
  uint8_t pub[64], h[32];
  e->rc = secp_witness_recover(hash, recid, r, s, NULL, NULL, pub, &e->muls);
  if (e->rc == SECP_WITNESS_OK) {
    keccak256(pub, 64, h);
    memcpy(e->addr, h + 12, 20);
  }
  if (g_inner.on_sigrecover_data) g_inner.on_sigrecover_data(ctx, src, hash, recid, r, s);
}

/* Calldata for C: the ECRECOVER input (hash, v, r, s) and the slot to store
 * the output in, as hex. */
static void ecrec_calldata(char *hex, const uint8_t h[32], unsigned v, const uint8_t r[32], const uint8_t s[32],
                           unsigned slot) {
  uint8_t buf[160] = {0};
  memcpy(buf, h, 32);
  buf[63] = (uint8_t)v;
  memcpy(buf + 64, r, 32);
  memcpy(buf + 96, s, 32);
  buf[159] = (uint8_t)slot;
  for (int i = 0; i < 160; i++) sprintf(hex + 2 * i, "%02x", buf[i]);
}

static uint8_t g_msg[32], g_r[32], g_s[32];
static int g_recid;
static blk_auth g_auth;

/* test key 2's signature of g_msg */
static void sign_message(void) {
  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  uint8_t priv[32], rs[64];
  assert_int_equal(evm_test_key(2, priv), EVM_SIG_OK);
  keccak256((const uint8_t *)"pkbench ecrecover", 17, g_msg);
  secp256k1_ecdsa_recoverable_signature sig;
  assert_true(secp256k1_ecdsa_sign_recoverable(ctx, &sig, g_msg, priv, NULL, NULL));
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &g_recid, &sig);
  memcpy(g_r, rs, 32);
  memcpy(g_s, rs + 32, 32);
  secp256k1_context_destroy(ctx);
}

static void build(tu_world *w) {
  sign_message();
  tu_init(w, BLK_FORK_PRAGUE);
  tu_contract(w, C, C_CODE, 0);
  char hex[321];
  uint8_t zero[32] = {0};
  ecrec_calldata(hex, g_msg, 27u + (unsigned)g_recid, g_r, g_s, 1);
  tu_tx(w, C, 200000, 0, hex); /* type 2 */
  ecrec_calldata(hex, g_msg, 29, g_r, g_s, 2);
  tu_tx(w, C, 200000, 0, hex)->type = 0; /* EIP-155 legacy */
  ecrec_calldata(hex, g_msg, 27u + (unsigned)g_recid, zero, g_s, 3);
  blk_tx *t = tu_tx(w, C, 200000, 0, hex);
  uint8_t priv[32];
  assert_int_equal(evm_test_key(0, priv), EVM_SIG_OK);
  assert_int_equal(evm_tx_sign(t, w->b.env.chain_id, priv), EVM_SIG_OK); /* carries its signature */
  memset(&g_auth, 0, sizeof g_auth);
  tu_u256(&g_auth.chain_id, 1);
  tu_addr(g_auth.address.b, C);
  assert_int_equal(evm_test_key(1, priv), EVM_SIG_OK);
  assert_int_equal(evm_auth_sign(&g_auth, priv), EVM_SIG_OK);
  t = tu_tx(w, C, 200000, 0, "");
  t->type = 4;
  t->auths = &g_auth;
  t->n_auths = 1;
}

static void collect(tu_world *w, unsigned opts, trace_collector *c) {
  g_n = 0;
  build(w);
  trace_init_opts(c, w->b.env.fork, opts);
  g_inner = trace_tracer(c);
  evm_tracer t = g_inner;
  t.on_sigrecover_data = tee_data;
  assert_int_equal(tu_run(w, &t), EVM_OK);
  for (size_t i = 0; i < w->b.n_txs; i++) assert_int_equal(w->r.txs[i].status, EVM_TX_SUCCESS);
  trace_add_block_witness(c, &w->b);
  assert_int_equal(trace_finish(c), TRACE_OK);
  w->txs[3].auths = NULL; /* not owned by the world */
  w->txs[3].n_auths = 0;
}

/* The reported products of the kept recoveries, in order (each event's
 * recovery redone): NULL-terminated arrays of a, b, m. */
typedef struct {
  uint8_t (*a)[32], (*b)[32], (*m)[32];
  size_t n, cap;
} products;

static void on_product(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32]) {
  products *p = ctx;
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 4096;
    p->a = realloc(p->a, p->cap * 32);
    p->b = realloc(p->b, p->cap * 32);
    p->m = realloc(p->m, p->cap * 32);
    assert_non_null(p->a);
    assert_non_null(p->b);
    assert_non_null(p->m);
  }
  memcpy(p->a[p->n], a, 32);
  memcpy(p->b[p->n], b, 32);
  memcpy(p->m[p->n], m, 32);
  p->n++;
}

static void all_products(products *p) {
  memset(p, 0, sizeof *p);
  for (size_t i = 0; i < g_n; i++) {
    uint8_t pub[64];
    secp_witness_recover(g_ev[i].hash, g_ev[i].recid, g_ev[i].r, g_ev[i].s, on_product, p, pub, NULL);
  }
}

static void free_products(products *p) {
  free(p->a);
  free(p->b);
  free(p->m);
}

/* A word from its 32 byte limbs at col (little-endian), big-endian. */
static void word_at(const bb_t *row, unsigned col, uint8_t out[32]) {
  for (int i = 0; i < 32; i++) {
    uint32_t v = bb_to_u32(row[col + (unsigned)i]);
    assert_true(v < 256);
    out[31 - i] = (uint8_t)v;
  }
}

static void test_events_and_rows(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_ECRECOVER, &c);
  const trace_table *t = &c.t[TRACE_ECRECOVER];
  uint8_t key0[20], key1[20], key2[20];
  evm_test_address(0, key0);
  evm_test_address(1, key1);
  evm_test_address(2, key2);
  /* 4 senders, 1 authority, ECRECOVER with v = 27/28 twice (v = 29: none) */
  size_t senders = 0, auths = 0, pcs = 0;
  uint64_t muls = 0, kept = 0;
  for (size_t i = 0; i < g_n; i++) {
    const event *e = &g_ev[i];
    if (e->src == EVM_SIG_TX_SENDER) {
      senders++;
      assert_int_equal(e->rc, SECP_WITNESS_OK);
      assert_memory_equal(e->addr, key0, 20);
    } else if (e->src == EVM_SIG_AUTHORITY) {
      auths++;
      assert_int_equal(e->rc, SECP_WITNESS_OK);
      assert_memory_equal(e->addr, key1, 20);
    } else {
      assert_int_equal(e->src, EVM_SIG_PRECOMPILE);
      pcs++;
      assert_memory_equal(e->hash, g_msg, 32);
      assert_memory_equal(e->s, g_s, 32);
      assert_int_equal(e->recid, g_recid);
      static const uint8_t zero[32];
      if (memcmp(e->r, zero, 32) == 0) {
        assert_int_equal(e->rc, SECP_WITNESS_E_INVALID); /* r = 0 */
        assert_int_equal(e->muls, 0);
      } else {
        assert_int_equal(e->rc, SECP_WITNESS_OK);
        assert_memory_equal(e->addr, key2, 20);
      }
    }
    muls += e->muls;
    kept += e->muls > 0;
  }
  assert_int_equal(senders, 4);
  assert_int_equal(auths, 1);
  assert_int_equal(pcs, 2);
  assert_int_equal(g_n, 7);
  /* ECRECOVER ran 4 times: the type-4 transaction calls C with empty
   * calldata, so v = 0 (no recovery, no data) */
  assert_int_equal(c.sig_recoveries, 4 + 1 + 4);
  /* the contract stored the signer ECRECOVER returned, and nothing for
   * v = 29 and r = 0 */
  u256 got = tu_storage(&w, C, 1), want;
  u256_from_addr(&want, key2);
  assert_true(u256_eq(&got, &want));
  got = tu_storage(&w, C, 2);
  assert_true(u256_is_zero(&got));
  got = tu_storage(&w, C, 3);
  assert_true(u256_is_zero(&got));
  /* the table: 4 rows per product of the kept recoveries */
  assert_int_equal(t->sigrec_n, kept);
  assert_int_equal(kept, 6);
  assert_int_equal(t->rows, 4 * muls);
  assert_true(muls > 6 * 4000);
  assert_int_equal(t->width, W);
  assert_ptr_equal(trace_table_air(t), arith_air());
  assert_null(t->data);
  /* shard counts: floor(2^ls / 4) products a shard, at least one */
  for (unsigned ls = 1; ls <= 14; ls++) {
    uint64_t per = ((uint64_t)1 << ls) / 4;
    if (!per) per = 1;
    assert_int_equal(trace_shard_count(t, ls), (muls + per - 1) / per);
  }
  trace_free(&c);
  tu_free(&w);
}

/* Shards of 2^10 rows: the first, the one where the second kept recovery
 * starts, the last (short, padded); their rows are the products in order
 * with the results GMP gives, and satisfy the AIR. */
static void test_shard_values(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_ECRECOVER, &c);
  const trace_table *t = &c.t[TRACE_ECRECOVER];
  products p;
  all_products(&p);
  assert_int_equal(4 * p.n, t->rows);
  const unsigned ls = 10;
  const size_t per = 256, shards = trace_shard_count(t, ls);
  size_t boundary = 0;
  for (size_t i = 0; i < g_n && !boundary; i++)
    if (g_ev[i].muls) boundary = g_ev[i].muls; /* the first kept recovery's products */
  size_t ks[3] = {0, boundary / per, shards - 1};
  assert_true(boundary % per != 0);
  mpz_t a, b, m, r;
  mpz_inits(a, b, m, r, NULL);
  for (int i = 0; i < 3; i++) {
    bb_t *sh;
    unsigned log_n;
    assert_int_equal(trace_shard(t, ls, ks[i], &sh, &log_n), TRACE_OK);
    size_t first = ks[i] * per, cnt = p.n - first < per ? p.n - first : per;
    size_t rows = (size_t)1 << log_n;
    assert_true(rows >= 4 * cnt && rows / 2 < 4 * cnt);
    for (size_t j = 0; j < cnt; j++) {
      const bb_t *row = sh + 4 * j * W;
      uint8_t x[32];
      word_at(row, ARITH_AIR_A, x);
      assert_memory_equal(x, p.a[first + j], 32);
      word_at(row, ARITH_AIR_B, x);
      assert_memory_equal(x, p.b[first + j], 32);
      word_at(row, ARITH_AIR_C, x);
      assert_memory_equal(x, p.m[first + j], 32);
      assert_int_equal(bb_to_u32(row[3 * W + ARITH_AIR_SEL + ARITH_AIR_K_MULMOD_P]), 1);
      mpz_import(a, 32, 1, 1, 1, 0, p.a[first + j]);
      mpz_import(b, 32, 1, 1, 1, 0, p.b[first + j]);
      mpz_import(m, 32, 1, 1, 1, 0, p.m[first + j]);
      mpz_mul(r, a, b);
      mpz_mod(r, r, m);
      assert_int_equal(arith_air_result(row + 3 * W, x), 0);
      mpz_import(a, 32, 1, 1, 1, 0, x);
      assert_int_equal(mpz_cmp(a, r), 0);
    }
    for (size_t j = 4 * cnt * W; j < rows * W; j++) assert_int_equal(sh[j], 0);
    assert_int_equal(stark_air_check(arith_air(), sh, rows, NULL, NULL, NULL), 0);
    free(sh);
  }
  mpz_clears(a, b, m, r, NULL);
  bb_t *sh;
  unsigned log_n;
  assert_int_equal(trace_shard(t, ls, shards, &sh, &log_n), TRACE_E_ARG);
  assert_null(sh);
  free_products(&p);
  trace_free(&c);
  tu_free(&w);
}

/* The 2^8-row shard where the second kept recovery starts (products of two
 * recoveries) proves and verifies; with a changed cell it does not. */
static void test_shard_proves(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_ECRECOVER, &c);
  const trace_table *t = &c.t[TRACE_ECRECOVER];
  assert_int_equal(trace_max_log_shard(TRACE_ECRECOVER, c.opts), TRACE_WIDE_MAX_LOG_SHARD);
  size_t boundary = 0;
  for (size_t i = 0; i < g_n && !boundary; i++) boundary = g_ev[i].muls;
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 8, boundary / 64, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 8);
  assert_int_equal(atu_prove_verify(arith_air(), m, log_n, 1), STARK_OK);
  const struct {
    size_t row;
    unsigned col;
  } cells[] = {
      {4 * (boundary % 64), ARITH_AIR_C + 0},      /* the second recovery's first modulus */
      {4 * (boundary % 64) - 1, ARITH_AIR_R + 9}, /* the first's last result */
      {130, ARITH_AIR_H + 17},
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    atu_cell_breaks_proof(arith_air(), m, 256, log_n, cells[i].row, cells[i].col);
  free(m);
  trace_free(&c);
  tu_free(&w);
}

/* Without the option: 256 rows per recovery, no inputs kept, no data
 * callback; every other table as with the option. */
static void test_sized_by_default(void **state) {
  (void)state;
  tu_world w, w2;
  trace_collector c, d;
  collect(&w, 0, &c);
  const trace_table *t = &c.t[TRACE_ECRECOVER];
  assert_null(c.t[TRACE_ECRECOVER].air);
  assert_null(trace_tracer(&c).on_sigrecover_data);
  assert_int_equal(t->width, 0);
  assert_null(t->sigrec);
  assert_int_equal(c.sig_recoveries, 9);
  assert_int_equal(t->rows, 256 * 9);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 10, 0, &m, &log_n), TRACE_E_ARG);
  collect(&w2, TRACE_OPT_PROVE_ECRECOVER, &d);
  for (int i = 0; i < TRACE_COUNT; i++) {
    if (i == TRACE_ECRECOVER) continue;
    assert_int_equal(c.t[i].rows, d.t[i].rows);
    assert_int_equal(c.t[i].width, d.t[i].width);
    if (c.t[i].data) assert_memory_equal(c.t[i].data, d.t[i].data, c.t[i].rows * c.t[i].width * sizeof(bb_t));
  }
  trace_free(&d);
  tu_free(&w2);
  trace_free(&c);
  tu_free(&w);
}

static void test_modes(void **state) {
  (void)state;
  const unsigned E = TRACE_OPT_PROVE_ECRECOVER, A = TRACE_OPT_PROVE_ARITH, K = TRACE_OPT_PROVE_KECCAK;
  for (int i = 0; i < TRACE_COUNT; i++) {
    trace_table_id id = (trace_table_id)i;
    int always = id == TRACE_CPU || id == TRACE_MEMORY || id == TRACE_STORAGE;
    assert_int_equal(trace_table_proven(id, E), always || id == TRACE_ECRECOVER);
    assert_int_equal(trace_table_proven(id, A), always || id == TRACE_ARITH);
    assert_int_equal(trace_air_opts(id, E) != NULL, always || id == TRACE_ECRECOVER);
    if (trace_air_opts(id, E)) assert_int_equal(trace_air_opts(id, E)->width, trace_table_width_opts(id, E));
    unsigned cap = trace_max_log_shard(id, E | A | K);
    assert_int_equal(cap == TRACE_WIDE_MAX_LOG_SHARD, id == TRACE_ARITH || id == TRACE_KECCAK || id == TRACE_ECRECOVER);
    assert_int_equal(trace_max_log_shard(id, E) == TRACE_WIDE_MAX_LOG_SHARD, id == TRACE_ECRECOVER);
  }
  assert_ptr_equal(trace_air_opts(TRACE_ECRECOVER, E), arith_air());
  assert_int_equal(trace_table_width_opts(TRACE_ECRECOVER, E), W);
  assert_int_equal(trace_table_width_opts(TRACE_ECRECOVER, A | K), 0);
  assert_int_equal(trace_table_width(TRACE_ECRECOVER), 0);
  assert_null(trace_air(TRACE_ECRECOVER));
  assert_int_equal(trace_max_log_shard(TRACE_ECRECOVER, A | K), TRACE_NO_LOG_SHARD_CAP);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_events_and_rows),
      cmocka_unit_test(test_shard_values),
      cmocka_unit_test(test_shard_proves),
      cmocka_unit_test(test_sized_by_default),
      cmocka_unit_test(test_modes),
  };
  return cmocka_run_group_tests_name("ecrecover_table", tests, NULL, NULL);
}
