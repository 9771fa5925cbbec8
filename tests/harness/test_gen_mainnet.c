/* Mainnet-like generator: every block validates, executes with every
 * transaction succeeding, uses gas within the declared window; the contracts
 * do what a model of them (GMP arithmetic, written here from the contracts'
 * specification: balances, allowances, reserves, token ids and logs)
 * predicts; the drawn shares match the mix file; the same seed gives the
 * same bytes; a malformed mix is rejected at its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gmp.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/txsig.h"
#include "gen_mainnet.h"
#include "hash/keccak.h"

static char *mix_path(void) {
  static char path[4096];
  const char *s = getenv("PKB_SOURCE_DIR");
  snprintf(path, sizeof path, "%s/%s", s ? s : ".", GENM_DEFAULT_MIX);
  return path;
}

static char *read_text(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static genm_mix load_mix(void) {
  genm_mix m;
  genm_error e;
  int rc = genm_mix_load(mix_path(), &m, &e);
  if (rc != GENM_OK) fprintf(stderr, "mix: line %zu: %s\n", e.line, e.msg);
  assert_int_equal(rc, GENM_OK);
  return m;
}

/* ---- an independent classification of a transaction ---- */

static uint32_t sel_of(const char *sig) {
  uint8_t h[32];
  keccak256(sig, strlen(sig), h);
  return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static uint32_t tx_sel(const blk_tx *t) {
  if (t->data.len < 4) return 0;
  const uint8_t *d = t->data.data;
  return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

static int is_addr(const blk_tx *t, genm_addr a) { return !t->is_create && memcmp(t->to.b, genm_address(a), 20) == 0; }

static int classify(const blk_tx *t) {
  if (t->type == 3) return GENM_BLOB;
  if (t->is_create) return GENM_DEPLOY;
  if (is_addr(t, GENM_ADDR_TOKEN_A) || is_addr(t, GENM_ADDR_TOKEN_B)) {
    if (tx_sel(t) == sel_of("transfer(address,uint256)") && t->data.len == 68) return GENM_ERC20_TRANSFER;
    if (tx_sel(t) == sel_of("approve(address,uint256)") && t->data.len == 68) return GENM_ERC20_APPROVE;
    return -1;
  }
  if (is_addr(t, GENM_ADDR_POOL)) return tx_sel(t) == sel_of("swap(uint256,bool)") ? GENM_DEX_SWAP : -1;
  if (is_addr(t, GENM_ADDR_NFT)) return tx_sel(t) == sel_of("mint()") ? GENM_NFT_MINT : -1;
  if (is_addr(t, GENM_ADDR_CALLDATA_SINK)) return t->data.len > 0 ? GENM_CALLDATA : -1;
  return t->data.len == 0 ? GENM_TRANSFER : -1;
}

/* ---- a storage model of the contracts, in GMP ---- */

typedef struct {
  uint8_t addr[20];
  uint8_t key[32];
  mpz_t v;
} mslot;

typedef struct {
  mslot *s;
  size_t n, cap;
} model;

static mpz_ptr model_get(model *m, const blk_block *b, const uint8_t addr[20], const uint8_t key[32]) {
  for (size_t i = 0; i < m->n; i++)
    if (memcmp(m->s[i].addr, addr, 20) == 0 && memcmp(m->s[i].key, key, 32) == 0) return m->s[i].v;
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 64;
    m->s = realloc(m->s, m->cap * sizeof *m->s);
    assert_non_null(m->s);
  }
  mslot *s = &m->s[m->n++];
  memcpy(s->addr, addr, 20);
  memcpy(s->key, key, 32);
  mpz_init(s->v);
  /* initial value from the pre-state */
  for (size_t a = 0; a < b->n_accounts; a++) {
    if (memcmp(b->accounts[a].address.b, addr, 20) != 0) continue;
    for (size_t k = 0; k < b->accounts[a].n_storage; k++)
      if (memcmp(b->accounts[a].storage[k].key.b, key, 32) == 0)
        mpz_import(s->v, 32, 1, 1, 1, 0, b->accounts[a].storage[k].value.b);
  }
  return s->v;
}

static void model_free(model *m) {
  for (size_t i = 0; i < m->n; i++) mpz_clear(m->s[i].v);
  free(m->s);
}

static void slot_key(uint64_t slot, uint8_t key[32]) {
  memset(key, 0, 32);
  for (int i = 0; i < 8; i++) key[31 - i] = (uint8_t)(slot >> (8 * i));
}

/* keccak256(pad32(word) . pad32(slot)) where word is 32 bytes. */
static void map_key_word(const uint8_t word[32], const uint8_t slot[32], uint8_t key[32]) {
  uint8_t buf[64];
  memcpy(buf, word, 32);
  memcpy(buf + 32, slot, 32);
  keccak256(buf, 64, key);
}

static void addr_word(const uint8_t a[20], uint8_t w[32]) {
  memset(w, 0, 12);
  memcpy(w + 12, a, 20);
}

static void mpz_to_word(mpz_srcptr v, uint8_t w[32]) {
  memset(w, 0, 32);
  size_t cnt = 0;
  uint8_t tmp[64];
  mpz_export(tmp, &cnt, 1, 1, 1, 0, v);
  assert_true(cnt <= 32);
  memcpy(w + 32 - cnt, tmp, cnt);
}

static void topic_of(const char *sig, uint8_t out[32]) { keccak256(sig, strlen(sig), out); }

/* Apply the transactions of b to the model and check each transaction's logs
 * against it; then compare every modelled slot with the executor's post-state. */
static void check_contracts(const blk_block *b, const evm_block_result *r) {
  model m = {0};
  uint8_t w[32], k[32], s0[32], s1[32], s2[32];
  uint8_t ev_transfer[32], ev_approval[32], ev_swap[32];
  topic_of("Transfer(address,address,uint256)", ev_transfer);
  topic_of("Approval(address,address,uint256)", ev_approval);
  topic_of("Swap(address,uint256,uint256,bool)", ev_swap);
  slot_key(0, s0);
  slot_key(1, s1);
  slot_key(2, s2);
  mpz_t a, t1, t2, out;
  mpz_inits(a, t1, t2, out, NULL);
  for (size_t i = 0; i < b->n_txs; i++) {
    const blk_tx *t = &b->txs[i];
    const evm_tx_result *x = &r->txs[i];
    uint8_t from[20];
    assert_int_equal(evm_test_address(t->sender_key, from), EVM_SIG_OK);
    uint8_t fromw[32];
    addr_word(from, fromw);
    int cls = classify(t);
    assert_true(cls >= 0);
    if (cls == GENM_ERC20_TRANSFER || cls == GENM_ERC20_APPROVE) {
      const uint8_t *to_w = t->data.data + 4, *amt_w = t->data.data + 36;
      mpz_import(a, 32, 1, 1, 1, 0, amt_w);
      assert_int_equal(x->n_logs, 1);
      assert_memory_equal(x->logs[0].address, t->to.b, 20);
      assert_int_equal(x->logs[0].n_topics, 3);
      assert_memory_equal(x->logs[0].topics[0], cls == GENM_ERC20_TRANSFER ? ev_transfer : ev_approval, 32);
      assert_memory_equal(x->logs[0].topics[1], fromw, 32);
      assert_memory_equal(x->logs[0].topics[2], to_w, 32);
      assert_int_equal(x->logs[0].data_len, 32);
      assert_memory_equal(x->logs[0].data, amt_w, 32);
      assert_int_equal(x->output_len, 32);
      assert_int_equal(x->output[31], 1);
      if (cls == GENM_ERC20_TRANSFER) {
        map_key_word(fromw, s0, k);
        mpz_ptr bf = model_get(&m, b, t->to.b, k);
        assert_true(mpz_cmp(bf, a) >= 0);
        mpz_sub(bf, bf, a);
        map_key_word(to_w, s0, k);
        mpz_ptr bt = model_get(&m, b, t->to.b, k);
        mpz_add(bt, bt, a);
      } else {
        uint8_t h[32];
        map_key_word(fromw, s1, h);
        map_key_word(to_w, h, k);
        mpz_set(model_get(&m, b, t->to.b, k), a);
      }
    } else if (cls == GENM_DEX_SWAP) {
      int d = t->data.data[67] != 0; /* aToB: output reserve slot d */
      mpz_import(a, 32, 1, 1, 1, 0, t->data.data + 4);
      const uint8_t *pool = t->to.b;
      mpz_ptr rin = model_get(&m, b, pool, d ? s0 : s1);
      mpz_ptr rout = model_get(&m, b, pool, d ? s1 : s0);
      /* out = a*997*rOut / (rIn*1000 + a*997) */
      mpz_mul_ui(t1, a, 997);
      mpz_mul(t2, t1, rout);
      mpz_mul_ui(out, rin, 1000);
      mpz_add(out, out, t1);
      mpz_fdiv_q(out, t2, out);
      assert_true(mpz_sgn(out) > 0);
      /* the product of the reserves never falls (the fee stays in the pool) */
      mpz_mul(t1, rin, rout);
      mpz_add(rin, rin, a);
      mpz_sub(rout, rout, out);
      mpz_mul(t2, rin, rout);
      assert_true(mpz_cmp(t2, t1) >= 0);
      /* the input token (A when d) moves from the caller to the pool against
       * the pool's allowance; the output token from the pool to the caller */
      const uint8_t *tin = genm_address(d ? GENM_ADDR_TOKEN_A : GENM_ADDR_TOKEN_B);
      const uint8_t *tout = genm_address(d ? GENM_ADDR_TOKEN_B : GENM_ADDR_TOKEN_A);
      uint8_t poolw[32], h[32];
      addr_word(pool, poolw);
      map_key_word(fromw, s1, h);
      map_key_word(poolw, h, k);
      mpz_ptr allow = model_get(&m, b, tin, k);
      assert_true(mpz_cmp(allow, a) >= 0);
      mpz_sub(allow, allow, a);
      map_key_word(fromw, s0, k);
      mpz_ptr bin = model_get(&m, b, tin, k);
      assert_true(mpz_cmp(bin, a) >= 0);
      mpz_sub(bin, bin, a);
      map_key_word(poolw, s0, k);
      mpz_ptr pin = model_get(&m, b, tin, k);
      mpz_add(pin, pin, a);
      mpz_ptr pout = model_get(&m, b, tout, k);
      assert_true(mpz_cmp(pout, out) >= 0);
      mpz_sub(pout, pout, out);
      map_key_word(fromw, s0, k);
      mpz_ptr bout = model_get(&m, b, tout, k);
      mpz_add(bout, bout, out);
      mpz_to_word(out, w);
      assert_int_equal(x->n_logs, 3);
      const evm_log *lg = x->logs;
      assert_memory_equal(lg[0].address, tin, 20);
      assert_int_equal(lg[0].n_topics, 3);
      assert_memory_equal(lg[0].topics[0], ev_transfer, 32);
      assert_memory_equal(lg[0].topics[1], fromw, 32);
      assert_memory_equal(lg[0].topics[2], poolw, 32);
      assert_memory_equal(lg[0].data, t->data.data + 4, 32);
      assert_memory_equal(lg[1].address, tout, 20);
      assert_memory_equal(lg[1].topics[0], ev_transfer, 32);
      assert_memory_equal(lg[1].topics[1], poolw, 32);
      assert_memory_equal(lg[1].topics[2], fromw, 32);
      assert_memory_equal(lg[1].data, w, 32);
      assert_memory_equal(lg[2].address, pool, 20);
      assert_int_equal(lg[2].n_topics, 3);
      assert_memory_equal(lg[2].topics[0], ev_swap, 32);
      assert_memory_equal(lg[2].topics[1], fromw, 32);
      assert_int_equal(lg[2].topics[2][31], d);
      assert_int_equal(lg[2].data_len, 64);
      assert_memory_equal(lg[2].data, t->data.data + 4, 32);
      assert_memory_equal(lg[2].data + 32, w, 32);
      assert_int_equal(x->output_len, 32);
      assert_memory_equal(x->output, w, 32);
    } else if (cls == GENM_NFT_MINT) {
      const uint8_t *nft = t->to.b;
      mpz_ptr last = model_get(&m, b, nft, s0);
      mpz_add_ui(last, last, 1);
      uint8_t idw[32];
      mpz_to_word(last, idw);
      map_key_word(idw, s1, k);
      mpz_ptr owner = model_get(&m, b, nft, k);
      assert_int_equal(mpz_sgn(owner), 0); /* a fresh slot per token id */
      mpz_import(owner, 32, 1, 1, 1, 0, fromw);
      map_key_word(fromw, s2, k);
      mpz_ptr bal = model_get(&m, b, nft, k);
      mpz_add_ui(bal, bal, 1);
      assert_int_equal(x->n_logs, 1);
      assert_int_equal(x->logs[0].n_topics, 4);
      assert_memory_equal(x->logs[0].topics[0], ev_transfer, 32);
      memset(w, 0, 32);
      assert_memory_equal(x->logs[0].topics[1], w, 32);
      assert_memory_equal(x->logs[0].topics[2], fromw, 32);
      assert_memory_equal(x->logs[0].topics[3], idw, 32);
    } else if (cls == GENM_DEPLOY) {
      assert_true(x->created);
      const uint8_t *code;
      size_t code_len;
      int exists;
      uint64_t nonce;
      uint8_t bal[32];
      assert_int_equal(evm_state_account(r->state, x->contract_address, &exists, &nonce, bal, &code, &code_len), 0);
      assert_true(exists);
      /* the deployed code is the tail of the initcode, and slot 0 holds the deployer */
      assert_true(code_len > 0 && code_len < t->data.len);
      assert_memory_equal(code, t->data.data + t->data.len - code_len, code_len);
      evm_state_storage(r->state, x->contract_address, s0, w);
      assert_memory_equal(w, fromw, 32);
    } else {
      assert_int_equal(x->n_logs, 0);
    }
  }
  for (size_t i = 0; i < m.n; i++) {
    uint8_t got[32];
    evm_state_storage(r->state, m.s[i].addr, m.s[i].key, got);
    mpz_to_word(m.s[i].v, w);
    assert_memory_equal(got, w, 32);
  }
  mpz_clears(a, t1, t2, out, NULL);
  model_free(&m);
}

/* ---- tests ---- */

static void test_default_mix_loads(void **state) {
  (void)state;
  genm_mix m = load_mix();
  double s = 0, ts = 0, bs = 0;
  for (int i = 0; i < GENM_CLASS_COUNT; i++) s += m.class_share[i];
  for (int i = 0; i < 5; i++) ts += m.type_share[i];
  for (int i = 0; i < 7; i++) bs += m.blob_share[i];
  assert_true(s > 0.99999 && s < 1.00001);
  assert_true(ts > 0.99999 && ts < 1.00001);
  assert_true(bs > 0.99999 && bs < 1.00001);
  assert_true(m.type_share[3] == 0 && m.blob_share[0] == 0);
  assert_true(m.gas_target_fraction == 0.5);
}

/* Shares over 200 blocks at a 3M gas limit (~6000 transactions).
 * Tolerances: (1) per class, |observed - expected| <= 4 sigma of the
 * binomial count (sigma = sqrt(n p (1-p))); (2) a chi-square goodness-of-fit
 * over all classes below its 0.1% critical value (df = 7: 24.32). Same for the
 * envelope types among non-blob, non-deploy transactions (df = 3: 16.27) and
 * for blob counts in the bins {1}, {2,3}, {4,5,6} (df = 2: 13.82). A fair
 * implementation fails each about once in a thousand seeds (the seed is
 * fixed, so the test is repeatable); a class share doubled where 30 or more
 * transactions are expected, or halved where 100 or more are, fails. */
static void check_shares(const char *what, const double *p, const double *obs, int k, double crit) {
  double n = 0, chi = 0;
  for (int i = 0; i < k; i++) n += obs[i];
  assert_true(n > 0);
  for (int i = 0; i < k; i++) {
    double e = n * p[i];
    if (p[i] == 0) {
      if (obs[i] != 0) fail_msg("%s %d: drawn %g times, share 0", what, i, obs[i]);
      continue;
    }
    double sd = 0;
    double v = n * p[i] * (1 - p[i]);
    /* square root by Newton's method: the test needs no libm */
    sd = v > 1 ? v : 1;
    for (int it = 0; it < 60; it++) sd = 0.5 * (sd + v / sd);
    double dev = obs[i] - e;
    if (dev < 0) dev = -dev;
    if (dev > 4 * sd + 0.5) fail_msg("%s %d: %g drawn, %g expected (4 sigma = %g)", what, i, obs[i], e, 4 * sd);
    chi += (obs[i] - e) * (obs[i] - e) / e;
  }
  if (chi > crit) fail_msg("%s: chi-square %g over %g", what, chi, crit);
}

static void test_blocks_execute_and_match_mix(void **state) {
  (void)state;
  genm_mix m = load_mix();
  gen_params p = {3000000, BLK_FORK_OSAKA, 20260101};
  uint64_t lo, hi;
  genm_gas_window(&m, p.gas_limit, &lo, &hi);
  double cls[GENM_CLASS_COUNT] = {0}, typ[5] = {0}, blob_bins[3] = {0};
  size_t total = 0;
  for (uint64_t i = 0; i < 200; i++) {
    blk_block b;
    uint64_t g = 0;
    assert_int_equal(genm_block(&m, &p, i, &b, &g), GENM_OK);
    blk_error e;
    assert_int_equal(blk_validate(&b, &e), BLK_OK);
    assert_int_equal(b.env.fork, BLK_FORK_OSAKA);
    assert_int_equal(b.env.gas_limit, p.gas_limit);
    evm_block_result r;
    assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
    assert_int_equal(r.n_txs, b.n_txs);
    size_t blobs = 0;
    for (size_t t = 0; t < b.n_txs; t++) {
      const blk_tx *tx = &b.txs[t];
      if (r.txs[t].status == EVM_TX_INVALID)
        fail_msg("block %llu tx %zu invalid: %s", (unsigned long long)i, t, evm_invalid_name(r.txs[t].invalid));
      assert_int_equal(r.txs[t].status, EVM_TX_SUCCESS);
      assert_true(tx->gas_limit <= (1u << 24));
      int c = classify(tx);
      assert_true(c >= 0);
      cls[c]++;
      if (c != GENM_BLOB && c != GENM_DEPLOY) typ[tx->type]++;
      if (c == GENM_BLOB) {
        assert_true(tx->n_blob_hashes >= 1 && tx->n_blob_hashes <= 6);
        for (size_t h = 0; h < tx->n_blob_hashes; h++) assert_int_equal(tx->blob_hashes[h][0], 0x01);
        assert_false(tx->max_fee_per_blob_gas.b[31] == 0 && tx->max_fee_per_blob_gas.b[30] == 0);
        blobs += tx->n_blob_hashes;
        blob_bins[tx->n_blob_hashes == 1 ? 0 : tx->n_blob_hashes <= 3 ? 1 : 2]++;
      }
      if (tx->type == 4) assert_true(tx->n_auths >= 1);
      if (tx->type == 1) assert_true(tx->n_access_list == 1);
    }
    assert_true(blobs <= 9);
    if (r.gas_used < lo || r.gas_used > hi)
      fail_msg("block %llu: gas used %llu outside [%llu, %llu]", (unsigned long long)i, (unsigned long long)r.gas_used,
               (unsigned long long)lo, (unsigned long long)hi);
    assert_int_equal(g, r.gas_used);
    if (i < 25) check_contracts(&b, &r);
    total += b.n_txs;
    evm_block_result_free(&r);
    blk_free(&b);
  }
  assert_true(total > 4000);
  check_shares("class", m.class_share, cls, GENM_CLASS_COUNT, 24.32);
  double tp[5], tobs[5];
  for (int i = 0; i < 5; i++) {
    tp[i] = m.type_share[i];
    tobs[i] = typ[i];
  }
  check_shares("txtype", tp, tobs, 5, 16.27);
  double bp[3] = {m.blob_share[1], m.blob_share[2] + m.blob_share[3],
                  m.blob_share[4] + m.blob_share[5] + m.blob_share[6]};
  check_shares("blobs", bp, blob_bins, 3, 13.82);
}

/* The checks above must be able to fail: a mix with the transfer and swap
 * shares exchanged is rejected by the chi-square test on the same blocks. */
static void test_share_check_detects_a_wrong_mix(void **state) {
  (void)state;
  genm_mix m = load_mix(), wrong = m;
  wrong.class_share[GENM_TRANSFER] = m.class_share[GENM_DEX_SWAP];
  wrong.class_share[GENM_DEX_SWAP] = m.class_share[GENM_TRANSFER];
  gen_params p = {3000000, BLK_FORK_OSAKA, 5};
  double cls[GENM_CLASS_COUNT] = {0};
  for (uint64_t i = 0; i < 60; i++) {
    blk_block b;
    assert_int_equal(genm_block(&m, &p, i, &b, NULL), GENM_OK);
    for (size_t t = 0; t < b.n_txs; t++) cls[classify(&b.txs[t])]++;
    blk_free(&b);
  }
  double n = 0, chi = 0;
  for (int i = 0; i < GENM_CLASS_COUNT; i++) n += cls[i];
  for (int i = 0; i < GENM_CLASS_COUNT; i++) {
    double e = n * wrong.class_share[i];
    chi += (cls[i] - e) * (cls[i] - e) / e;
  }
  assert_true(chi > 24.32);
}

static void test_deterministic(void **state) {
  (void)state;
  genm_mix m = load_mix();
  gen_params p = {3000000, BLK_FORK_OSAKA, 7};
  blk_block a, b, c;
  char ha[65], hb[65], hc[65];
  assert_int_equal(genm_block(&m, &p, 3, &a, NULL), GENM_OK);
  assert_int_equal(genm_block(&m, &p, 3, &b, NULL), GENM_OK);
  p.seed = 8;
  assert_int_equal(genm_block(&m, &p, 3, &c, NULL), GENM_OK);
  assert_int_equal(blk_content_hash(&a, ha), BLK_OK);
  assert_int_equal(blk_content_hash(&b, hb), BLK_OK);
  assert_int_equal(blk_content_hash(&c, hc), BLK_OK);
  assert_string_equal(ha, hb);
  assert_string_not_equal(ha, hc);
  blk_free(&a);
  blk_free(&b);
  blk_free(&c);
}

/* The default gas limit (60M): one block, and the encode/decode round trip. */
static void test_default_gas_limit_block(void **state) {
  (void)state;
  genm_mix m = load_mix();
  gen_params p = {GENM_DEFAULT_GAS_LIMIT, BLK_FORK_OSAKA, 1};
  blk_block b, d;
  uint64_t g;
  assert_int_equal(genm_block(&m, &p, 0, &b, &g), GENM_OK);
  uint64_t lo, hi;
  genm_gas_window(&m, p.gas_limit, &lo, &hi);
  assert_true(g >= lo && g <= hi && hi <= p.gas_limit);
  assert_true(b.n_txs > 200);
  evm_block_result r;
  assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
  for (size_t t = 0; t < r.n_txs; t++) assert_int_equal(r.txs[t].status, EVM_TX_SUCCESS);
  assert_int_equal(r.gas_used, g);
  check_contracts(&b, &r);
  evm_block_result_free(&r);
  uint8_t *buf;
  size_t len;
  assert_int_equal(blk_encode(&b, &buf, &len), BLK_OK);
  assert_int_equal(blk_decode(buf, len, &d, NULL), BLK_OK);
  char h1[65], h2[65];
  assert_int_equal(blk_content_hash(&b, h1), BLK_OK);
  assert_int_equal(blk_content_hash(&d, h2), BLK_OK);
  assert_string_equal(h1, h2);
  free(buf);
  blk_free(&d);
  blk_free(&b);
}

static void test_forks_and_params(void **state) {
  (void)state;
  genm_mix m = load_mix();
  /* every fork, down to the smallest gas limit; type 4 only from Prague */
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    size_t type4 = 0;
    for (uint64_t i = 0; i < 40; i++) {
      gen_params p = {i % 2 ? 3000000 : GENM_MIN_GAS_LIMIT, (blk_fork)f, 3};
      blk_block b;
      uint64_t lo, hi;
      assert_int_equal(genm_block(&m, &p, i, &b, NULL), GENM_OK);
      assert_int_equal(b.env.fork, f);
      evm_block_result r;
      assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
      for (size_t t = 0; t < r.n_txs; t++) {
        assert_int_equal(r.txs[t].status, EVM_TX_SUCCESS);
        type4 += b.txs[t].type == 4;
      }
      genm_gas_window(&m, p.gas_limit, &lo, &hi);
      assert_true(r.gas_used >= lo && r.gas_used <= hi && hi <= p.gas_limit);
      evm_block_result_free(&r);
      blk_free(&b);
    }
    if (f == BLK_FORK_CANCUN) assert_int_equal(type4, 0);
  }
  blk_block b;
  gen_params p = {GENM_MIN_GAS_LIMIT - 1, BLK_FORK_OSAKA, 0};
  assert_int_equal(genm_block(&m, &p, 0, &b, NULL), GENM_E_PARAM);
  p.gas_limit = 30000000;
  p.fork = BLK_FORK_COUNT;
  assert_int_equal(genm_block(&m, &p, 0, &b, NULL), GENM_E_PARAM);
  assert_string_equal(genm_class_name(GENM_BLOB), "blob");
  assert_null(genm_class_name(GENM_CLASS_COUNT));
  assert_null(genm_address(GENM_ADDR_COUNT));
}

/* ---- malformed mix files ---- */

/* The 1-based line of the first line starting with prefix. */
static size_t line_of(const char *text, const char *prefix) {
  size_t line = 1;
  const char *p = text;
  while (*p) {
    if (strncmp(p, prefix, strlen(prefix)) == 0) return line;
    const char *nl = strchr(p, '\n');
    if (!nl) break;
    p = nl + 1;
    line++;
  }
  fail_msg("no line starts with '%s'", prefix);
  return 0;
}

static size_t count_lines(const char *text) {
  size_t n = 0;
  for (const char *p = text; *p; p++) n += *p == '\n';
  return n;
}

/* text with the line starting with `prefix` replaced by `repl` (NULL: removed). */
static char *replace_line(const char *text, const char *prefix, const char *repl) {
  size_t line = line_of(text, prefix);
  const char *p = text;
  for (size_t i = 1; i < line; i++) p = strchr(p, '\n') + 1;
  const char *e = strchr(p, '\n');
  e = e ? e + 1 : p + strlen(p);
  size_t rl = repl ? strlen(repl) + 1 : 0;
  char *out = malloc(strlen(text) + rl + 1);
  assert_non_null(out);
  size_t a = (size_t)(p - text);
  memcpy(out, text, a);
  if (repl) {
    memcpy(out + a, repl, rl - 1);
    out[a + rl - 1] = '\n';
  }
  strcpy(out + a + rl, e);
  return out;
}

static void expect_bad(const char *text, size_t line, const char *needle) {
  genm_mix m;
  genm_error e;
  int rc = genm_mix_parse(text, strlen(text), &m, &e);
  assert_int_equal(rc, GENM_E_MIX);
  if (e.line != line) fail_msg("error at line %zu (%s), expected line %zu", e.line, e.msg, line);
  if (!strstr(e.msg, needle)) fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void test_malformed_mix(void **state) {
  (void)state;
  size_t len;
  char *text = read_text(mix_path(), &len);
  genm_mix m;
  genm_error e;
  assert_int_equal(genm_mix_parse(text, len, &m, &e), GENM_OK);
  size_t nlines = count_lines(text);
  struct {
    const char *prefix, *repl, *needle;
    int at_line; /* 1: the replaced line; 0: given below */
  } cases[] = {
      {"class\ttransfer\t", "class\ttransfer\tabc", "not a number", 1},
      {"class\ttransfer\t", "class\tteleport\t29", "unknown transaction class", 1},
      {"class\ttransfer\t", "class transfer 29", "3 TAB-separated fields", 1},
      {"class\ttransfer\t", "class\ttransfer\t29\textra", "3 TAB-separated fields", 1},
      {"class\ttransfer\t", "klass\ttransfer\t29", "unknown section", 1},
      {"class\ttransfer\t", "class\ttransfer\t-1", "within 0..100", 1},
      {"txtype\t1\t", "txtype\t3\t0.5", "not 0, 1, 2 or 4", 1},
      {"blobs\t2\t", "blobs\t7\t8", "not within 1..6", 1},
      {"param\tgas_spread\t", "param\tgas_spread\t2", "outside", 1},
      {"param\tgas_spread\t", "param\tgas_sprad\t0.2", "unknown param", 1},
      {"blobs\t2\t", "blobs\t1\t8", "given twice", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t line = line_of(text, cases[i].prefix);
    char *bad = replace_line(text, cases[i].prefix, cases[i].repl);
    expect_bad(bad, line, cases[i].needle);
    free(bad);
  }
  /* a missing record: reported after the last line */
  char *bad = replace_line(text, "class\tnft_mint\t", NULL);
  expect_bad(bad, nlines, "missing: class nft_mint");
  free(bad);
  /* shares that do not sum to 100: reported at the group's last record */
  bad = replace_line(text, "class\ttransfer\t", "class\ttransfer\t30");
  expect_bad(bad, line_of(text, "class\tblob\t"), "sum to 101");
  free(bad);
  /* parameters that would let a block pass its gas limit */
  bad = replace_line(text, "param\tmax_tx_fraction\t", "param\tmax_tx_fraction\t0.4");
  expect_bad(bad, line_of(text, "param\tmax_tx_fraction\t"), "exceeds 1");
  free(bad);
  /* CRLF line ends are accepted */
  char *crlf = malloc(2 * len + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '\n') crlf[o++] = '\r';
    crlf[o++] = text[i];
  }
  assert_int_equal(genm_mix_parse(crlf, o, &m, &e), GENM_OK);
  free(crlf);
  free(text);
  /* a file that cannot be read */
  assert_int_equal(genm_mix_load("/nonexistent/mainnet-mix.tsv", &m, &e), GENM_E_IO);
  assert_int_equal(e.line, 0);
}

/* `pkbench gen mainnet-like` writes the blocks genm_block builds. */
static void test_cli_writes_blocks(void **state) {
  (void)state;
  char dir[] = "/tmp/pkb_genm_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char out[64];
  snprintf(out, sizeof out, "%s/out", dir);
  char *argv[] = {"mainnet-like", "--count", "2",       "--seed", "11", "--gas-limit",
                  "3000000",      "--mix",   mix_path(), "--out",  out};
  assert_int_equal(genm_cli(11, argv, "usage"), 0);
  genm_mix m = load_mix();
  gen_params p = {3000000, BLK_FORK_OSAKA, 11};
  for (int i = 0; i < 2; i++) {
    char path[128];
    snprintf(path, sizeof path, "%s/mainnet_s11_%04d.blk", out, i);
    blk_block f, g;
    assert_int_equal(blk_read_file(path, &f, NULL), BLK_OK);
    assert_int_equal(genm_block(&m, &p, (uint64_t)i, &g, NULL), GENM_OK);
    char h1[65], h2[65];
    assert_int_equal(blk_content_hash(&f, h1), BLK_OK);
    assert_int_equal(blk_content_hash(&g, h2), BLK_OK);
    assert_string_equal(h1, h2);
    blk_free(&f);
    blk_free(&g);
    unlink(path);
  }
  char *bad[] = {"mainnet-like", "--count", "2", "--out", out};
  assert_int_equal(genm_cli(5, bad, "usage"), 2); /* no seed */
  rmdir(out);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_mix_loads),
      cmocka_unit_test(test_blocks_execute_and_match_mix),
      cmocka_unit_test(test_share_check_detects_a_wrong_mix),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_default_gas_limit_block),
      cmocka_unit_test(test_forks_and_params),
      cmocka_unit_test(test_malformed_mix),
      cmocka_unit_test(test_cli_writes_blocks),
  };
  return cmocka_run_group_tests_name("gen_mainnet", tests, NULL, NULL);
}
