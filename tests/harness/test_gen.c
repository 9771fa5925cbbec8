/* Worst-case generators: every scenario yields a valid block that fits the gas
 * limit and the per-transaction cap, fills it, is deterministic, and executes:
 * every transaction valid, every loop running until it is out of gas, the
 * block's gas used within 1% of its limit. The whole-block scenarios (access
 * lists, EIP-7702 authorisations) and the 24 KiB-contract variants are also
 * checked against counts derived here from the gas schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blk.h"
#include "evm/evm.h"
#include "evm/precompiles/pc_impl.h"
#include "evm/txsig.h"
#include "fix.h"
#include "fix_export.h"
#include "gen.h"
#include "hash/keccak.h"

/* Scenarios whose block has no transactions: "empty", and the EIP-7702 one
 * before Prague (no type 4 there). */
static int expect_no_txs(const char *name, blk_fork f) {
  return strcmp(name, "empty") == 0 || (strcmp(name, "authorizations") == 0 && f < BLK_FORK_PRAGUE);
}

/* Scenarios that run a loop until out of gas, or whose transactions carry
 * exactly their intrinsic gas: their blocks use all but a sliver of the
 * limit. Transfers (21000 each) and calldata (per-byte rounding, EIP-7623
 * floor) are also close, but the 1% bound is checked only where the
 * generator promises it. */
static const char *const k_full[] = {"keccak",          "mulmod",           "extcodesize_big", "blockhash",
                                     "extcodecopy_big", "call_big",         "access_list_keys",
                                     "access_list_addresses", "authorizations",
                                     "mulmod_63", "mulmod_127", "mulmod_191", "addmod_63", "addmod_127",
                                     "addmod_191", "div_63", "div_127", "div_191", "sdiv_63", "sdiv_127", "sdiv_191",
                                     "mod_63", "mod_127", "mod_191", "mod_255", "dup1", "dup16", "jump", "jumpi",
                                     "jumpi_fallthrough", "mstore_grow", "mload_grow", "calldatacopy", "codecopy",
                                     "returndatacopy", "balance_warm", "extcodehash_warm", "sload_warm",
                                     "sstore_warm", "sstore_toggle", "sstore_update", "tload", "tstore", "bn254_add",
                                     "bls12_g1add", "bls12_g2add", "bls12_g2msm", "bls12_map_fp_to_g1",
                                     "bls12_map_fp2_to_g2", "modexp_odd", "modexp_min_gas", "modexp_base_heavy"};

static int is_full(const char *name) {
  for (size_t i = 0; i < sizeof k_full / sizeof k_full[0]; i++)
    if (strcmp(name, k_full[i]) == 0) return 1;
  return 0;
}

static uint64_t u64_of(const blk_u256 *v) {
  uint64_t x = 0;
  for (int i = 24; i < 32; i++) x = x << 8 | v->b[i];
  return x;
}

static const blk_account *find_account(const blk_block *b, const uint8_t addr[20]) {
  for (size_t i = 0; i < b->n_accounts; i++)
    if (memcmp(b->accounts[i].address.b, addr, 20) == 0) return &b->accounts[i];
  return NULL;
}

static int cmp_addr20(const void *x, const void *y) { return memcmp(x, y, 20); }

/* PKB_TEST_STRIDE=N (the sanitizer run): the tests that execute scenarios
 * at 45M or 60M gas take every N-th there, or one (the plain run takes
 * them all; at the small limits every one runs either way). */
static size_t big_stride(void) {
  const char *sv = getenv("PKB_TEST_STRIDE");
  long n = sv ? strtol(sv, NULL, 10) : 1;
  return n > 1 ? (size_t)n : 1;
}

static void test_every_scenario_valid_and_fits(void **state) {
  (void)state;
  const uint64_t limits[] = {1000000, 45000000, 60000000};
  for (size_t li = 0; li < 3; li++) {
    for (int f = 0; f < BLK_FORK_COUNT; f++) {
      gen_params p = {limits[li], (blk_fork)f, 0};
      for (size_t i = 0; i < gen_scenario_count(); i++) {
        const char *name = gen_scenario_name(i);
        blk_block b;
        assert_int_equal(gen_worst_case(name, &p, &b), GEN_OK);
        assert_int_equal(blk_validate(&b, NULL), BLK_OK);
        uint64_t total = blk_total_tx_gas(&b);
        assert_true(total <= p.gas_limit);
        for (size_t t = 0; t < b.n_txs; t++) assert_true(b.txs[t].gas_limit <= GEN_TX_GAS_CAP);
        if (expect_no_txs(name, (blk_fork)f)) {
          assert_int_equal(b.n_txs, 0);
        } else {
          assert_true(b.n_txs > 0);
          /* filled: what is left could not hold one more transaction of the
           * scenario's size (capped). */
          uint64_t per = b.txs[0].gas_limit;
          assert_true(p.gas_limit - total < per);
        }
        assert_int_equal(b.env.gas_limit, p.gas_limit);
        assert_int_equal(b.env.fork, f);
        blk_free(&b);
      }
    }
  }
}

/* Every scenario at 1M gas on every fork executes with all transactions valid
 * and no precompile missing; a transaction calling a loop runs out of gas
 * (an exceptional halt, all its gas used) rather than stopping or reverting
 * (the precompile loops revert when a call fails), and the others succeed. */
static void test_every_scenario_executes(void **state) {
  (void)state;
  static const uint8_t loop_contract[20] = {[18] = 0x10, [19] = 0x00};
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    gen_params p = {1000000, (blk_fork)f, 0};
    for (size_t i = 0; i < gen_scenario_count(); i++) {
      const char *name = gen_scenario_name(i);
      blk_block b;
      evm_block_result r;
      assert_int_equal(gen_worst_case(name, &p, &b), GEN_OK);
      int rc = evm_execute_block(&b, NULL, &r);
      if (rc != EVM_OK) print_error("%s on %s: %s\n", name, blk_fork_name((blk_fork)f), evm_strerror(rc));
      assert_int_equal(rc, EVM_OK);
      assert_int_equal(r.n_txs, b.n_txs);
      for (size_t t = 0; t < b.n_txs; t++) {
        const evm_tx_result *x = &r.txs[t];
        if (x->status == EVM_TX_INVALID)
          print_error("%s on %s: tx %zu invalid (%s)\n", name, blk_fork_name((blk_fork)f), t,
                      evm_invalid_name(x->invalid));
        assert_int_not_equal(x->status, EVM_TX_INVALID);
        if (memcmp(b.txs[t].to.b, loop_contract, 20) == 0) {
          if (x->status != EVM_TX_HALT) print_error("%s on %s: tx %zu status %d\n", name, blk_fork_name((blk_fork)f), t, (int)x->status);
          assert_int_equal(x->status, EVM_TX_HALT);
          assert_int_equal(x->gas_used, b.txs[t].gas_limit);
        } else {
          assert_int_equal(x->status, EVM_TX_SUCCESS);
        }
      }
      if (strcmp(name, "point_evaluation") == 0) {
        /* its loop is unchecked: a valid proof makes each call cost 50000
         * gas, about 19 calls of 9 steps in 1M gas; a rejected one would eat
         * 63/64 of the gas left per call and end after a handful of steps */
        assert_true(r.steps >= 150);
      }
      if (is_full(name) && !expect_no_txs(name, (blk_fork)f)) {
        if (r.gas_used * 100 < p.gas_limit * 99)
          print_error("%s on %s: gas used %llu\n", name, blk_fork_name((blk_fork)f), (unsigned long long)r.gas_used);
        assert_true(r.gas_used * 100 >= p.gas_limit * 99);
        assert_true(r.gas_used <= p.gas_limit);
      }
      evm_block_result_free(&r);
      blk_free(&b);
    }
  }
}

/* The new block-level and 24 KiB scenarios at the corpus gas limits: every
 * transaction valid, gas used within 1% of the limit. */
static void test_full_at_corpus_limits(void **state) {
  (void)state;
  static const char *const names[] = {"extcodecopy_big", "call_big", "access_list_keys", "access_list_addresses",
                                      "authorizations", "blockhash"};
  const uint64_t limits[] = {5000000, 45000000, 60000000};
  for (size_t li = 0; li < 3; li++) {
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
      if (li > 0 && big_stride() > 1 && i != li) continue; /* one scenario at each big limit */
      gen_params p = {limits[li], BLK_FORK_OSAKA, 0};
      blk_block b;
      evm_block_result r;
      assert_int_equal(gen_worst_case(names[i], &p, &b), GEN_OK);
      assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
      for (size_t t = 0; t < r.n_txs; t++) assert_int_not_equal(r.txs[t].status, EVM_TX_INVALID);
      print_message("%-22s %3lluM: %zu txs, gas used %llu\n", names[i], (unsigned long long)(limits[li] / 1000000),
                    b.n_txs, (unsigned long long)r.gas_used);
      assert_true(r.gas_used * 100 >= p.gas_limit * 99);
      assert_true(r.gas_used <= p.gas_limit);
      evm_block_result_free(&r);
      blk_free(&b);
    }
  }
}

/* Every loop scenario at 1M and 60M gas on Osaka: every transaction valid
 * and out of gas in its loop, gas used within 1% of the limit. */
static void test_loops_full_at_1m_and_60m(void **state) {
  (void)state;
  static const uint8_t loop_contract[20] = {[18] = 0x10, [19] = 0x00};
  const uint64_t limits[] = {1000000, 60000000};
  for (size_t i = 0; i < sizeof k_full / sizeof k_full[0]; i++) {
    for (size_t li = 0; li < 2; li++) {
      if (li > 0 && i % big_stride() != 0) continue;
      gen_params p = {limits[li], BLK_FORK_OSAKA, 0};
      blk_block b;
      evm_block_result r;
      assert_int_equal(gen_worst_case(k_full[i], &p, &b), GEN_OK);
      assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
      for (size_t t = 0; t < r.n_txs; t++) {
        assert_int_not_equal(r.txs[t].status, EVM_TX_INVALID);
        if (memcmp(b.txs[t].to.b, loop_contract, 20) == 0) assert_int_equal(r.txs[t].status, EVM_TX_HALT);
      }
      print_message("%-22s %3lluM: %zu txs, gas used %llu, %llu steps\n", k_full[i],
                    (unsigned long long)(limits[li] / 1000000), b.n_txs, (unsigned long long)r.gas_used,
                    (unsigned long long)r.steps);
      assert_true(r.gas_used * 100 >= p.gas_limit * 99);
      assert_true(r.gas_used <= p.gas_limit);
      evm_block_result_free(&r);
      blk_free(&b);
    }
  }
}

/* Width-suffixed arithmetic: the first value the contract pushes is the
 * modulus or divisor (the last operand), with its top bit at w - 1 and odd;
 * the next is a 255-bit operand. */
static void test_arith_widths(void **state) {
  (void)state;
  static const char *const ops[] = {"mulmod", "addmod", "div", "sdiv", "mod"};
  static const int widths[] = {63, 127, 191, 255};
  gen_params p = {1000000, BLK_FORK_OSAKA, 0};
  for (size_t o = 0; o < 5; o++) {
    for (size_t w = 0; w < 4; w++) {
      char name[32];
      snprintf(name, sizeof name, "%s_%d", ops[o], widths[w]);
      blk_block b;
      int rc = gen_worst_case(name, &p, &b);
      if (widths[w] == 255 && strcmp(ops[o], "mod") != 0) {
        assert_int_equal(rc, GEN_E_UNKNOWN);
        continue;
      }
      assert_int_equal(rc, GEN_OK);
      const uint8_t *c = b.codes[0].data;
      size_t nb = (size_t)(c[0] - 0x5f);
      assert_int_equal(nb, (size_t)(widths[w] + 7) / 8);
      int top = 7 - (int)(8 * nb - (size_t)widths[w]);
      assert_int_equal(c[1] >> top, 1);
      assert_int_equal(c[nb] & 1, 1);
      assert_int_equal(c[1 + nb], 0x5f + 32); /* PUSH32 of the 255-bit operand */
      assert_int_equal(c[2 + nb] >> 6, 1);
      blk_free(&b);
    }
  }
}

/* modexp_min_gas: its input (the tail of the contract code) costs exactly
 * the minimum (200 gas before Osaka, 500 from Osaka), and one more exponent
 * byte of ones would cost more. */
static void test_modexp_min_gas(void **state) {
  (void)state;
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    gen_params p = {1000000, (blk_fork)f, 0};
    blk_block b;
    assert_int_equal(gen_worst_case("modexp_min_gas", &p, &b), GEN_OK);
    size_t elen = f >= BLK_FORK_OSAKA ? 4 : 75, len = 96 + 8 + elen + 8;
    uint64_t floor = f >= BLK_FORK_OSAKA ? 500 : 200;
    assert_true(b.codes[0].len > len);
    const uint8_t *in = b.codes[0].data + b.codes[0].len - len;
    assert_int_equal(in[63], elen);
    assert_int_equal(pc_modexp_gas((blk_fork)f, in, len), floor);
    uint8_t longer[96 + 8 + 76 + 8];
    memcpy(longer, in, 96 + 8);
    longer[63] = (uint8_t)(elen + 1);
    memset(longer + 104, 0xff, elen + 1);
    memcpy(longer + 104 + elen + 1, in + 104 + elen, 8);
    assert_true(pc_modexp_gas((blk_fork)f, longer, len + 1) > floor);
    blk_free(&b);
  }
}

/* Access-list blocks: each transaction's gas is its intrinsic gas computed
 * here (21000 + 2400 per address + 1900 per key) and as many items as the cap
 * allows; every listed key and account is distinct and in the pre-state. */
static void test_access_lists(void **state) {
  (void)state;
  gen_params p = {60000000, BLK_FORK_PRAGUE, 0};
  blk_block b;
  /* keys: one address per transaction */
  assert_int_equal(gen_worst_case("access_list_keys", &p, &b), GEN_OK);
  uint64_t next = 1;
  for (size_t t = 0; t < b.n_txs; t++) {
    const blk_tx *tx = &b.txs[t];
    assert_int_equal(tx->type, 1);
    assert_int_equal(tx->n_access_list, 1);
    size_t n = tx->access_list[0].n_keys;
    assert_int_equal(tx->gas_limit, 21000 + 2400 + 1900 * (uint64_t)n);
    /* one more key would not fit its gas: the cap, or for the last
     * transaction what the full ones before it left of the block */
    uint64_t room = (1ull << 24) < p.gas_limit - t * (1ull << 24) ? (1ull << 24) : p.gas_limit - t * (1ull << 24);
    assert_true(tx->gas_limit <= room);
    assert_true(tx->gas_limit + 1900 > room);
    const blk_account *a = find_account(&b, tx->access_list[0].address.b);
    assert_non_null(a);
    for (size_t k = 0; k < n; k++) {
      /* distinct: they count up across the block; present: slot k has value k */
      assert_int_equal(u64_of(&tx->access_list[0].keys[k]), next);
      assert_true(next <= a->n_storage);
      assert_memory_equal(a->storage[next - 1].key.b, tx->access_list[0].keys[k].b, 32);
      assert_int_not_equal(u64_of(&a->storage[next - 1].value), 0);
      next++;
    }
  }
  /* (2^24 - 23400) / 1900 = 8817 keys in a full transaction */
  assert_int_equal(b.txs[0].access_list[0].n_keys, 8817);
  assert_int_equal(b.n_txs, 4);
  blk_free(&b);

  /* addresses: no keys, every address distinct and an existing account */
  assert_int_equal(gen_worst_case("access_list_addresses", &p, &b), GEN_OK);
  size_t total = 0;
  for (size_t t = 0; t < b.n_txs; t++) total += b.txs[t].n_access_list;
  uint8_t(*all)[20] = malloc(total * 20);
  assert_non_null(all);
  size_t m = 0;
  for (size_t t = 0; t < b.n_txs; t++) {
    const blk_tx *tx = &b.txs[t];
    assert_int_equal(tx->type, 2);
    assert_int_equal(tx->gas_limit, 21000 + 2400 * (uint64_t)tx->n_access_list);
    for (size_t k = 0; k < tx->n_access_list; k++) {
      assert_int_equal(tx->access_list[k].n_keys, 0);
      const blk_account *a = find_account(&b, tx->access_list[k].address.b);
      assert_non_null(a);
      assert_int_not_equal(u64_of(&a->balance), 0);
      memcpy(all[m++], tx->access_list[k].address.b, 20);
    }
  }
  /* (2^24 - 21000) / 2400 = 6981 accounts in a full transaction */
  assert_int_equal(b.txs[0].n_access_list, 6981);
  qsort(all, m, 20, cmp_addr20);
  for (size_t k = 1; k < m; k++) assert_true(memcmp(all[k - 1], all[k], 20) < 0);
  free(all);
  blk_free(&b);
}

/* EIP-7702 block: each authority recovered from its signature is distinct, a
 * key that is neither a sender nor in the pre-state, and after the block is an
 * account with nonce 1 delegating to the stated target; each transaction
 * costs exactly 21000 + 25000 per authorisation (no refund). */
static void test_authorizations(void **state) {
  (void)state;
  gen_params p = {1000000, BLK_FORK_PRAGUE, 0};
  blk_block b;
  evm_block_result r;
  assert_int_equal(gen_worst_case("authorizations", &p, &b), GEN_OK);
  assert_int_equal(b.n_txs, 1);
  /* (1000000 - 21000) / 25000 = 39 */
  assert_int_equal(b.txs[0].n_auths, 39);
  assert_int_equal(b.txs[0].type, 4);
  assert_int_equal(b.txs[0].gas_limit, 21000 + 25000 * 39);
  uint8_t signers[39][20];
  for (size_t i = 0; i < 39; i++) {
    assert_int_equal(evm_auth_signer(&b.txs[0].auths[i], signers[i]), EVM_SIG_OK);
    assert_null(find_account(&b, signers[i]));
    uint8_t sender[20];
    assert_int_equal(evm_test_address(b.txs[0].sender_key, sender), EVM_SIG_OK);
    assert_memory_not_equal(signers[i], sender, 20);
  }
  /* authority 0's key, from the definition in gen.c's header comment */
  uint8_t pre[21] = "pkbench authority", priv[32], a0[20];
  keccak256(pre, sizeof pre, priv);
  assert_int_equal(evm_priv_to_address(priv, a0), EVM_SIG_OK);
  assert_memory_equal(a0, signers[0], 20);
  assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
  assert_int_equal(r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(r.txs[0].gas_used, 21000 + 25000 * 39);
  assert_int_equal(r.txs[0].gas_refund, 0);
  for (size_t i = 0; i < 39; i++) {
    int exists;
    uint64_t nonce;
    uint8_t bal[32];
    const uint8_t *code;
    size_t code_len;
    assert_int_equal(evm_state_account(r.state, signers[i], &exists, &nonce, bal, &code, &code_len), 0);
    assert_true(exists);
    assert_int_equal(nonce, 1);
    assert_int_equal(code_len, 23);
    assert_memory_equal(code, "\xef\x01\x00", 3);
    assert_memory_equal(code + 3, b.txs[0].auths[i].address.b, 20);
  }
  qsort(signers, 39, 20, cmp_addr20);
  for (size_t i = 1; i < 39; i++) assert_true(memcmp(signers[i - 1], signers[i], 20) < 0);
  evm_block_result_free(&r);
  blk_free(&b);
  /* Cancun has no type 4: the block is empty */
  p.fork = BLK_FORK_CANCUN;
  assert_int_equal(gen_worst_case("authorizations", &p, &b), GEN_OK);
  assert_int_equal(b.n_txs, 0);
  blk_free(&b);
}

/* The 24 KiB variants share the contracts: the same number of distinct
 * maximum-size codes (gas / 400000, between 4 and 128), each starting with
 * STOP, and a loop contract that differs by the opcode it uses on them. */
static void test_big_code_variants(void **state) {
  (void)state;
  static const char *const names[] = {"extcodesize_big", "extcodecopy_big", "call_big"};
  static const uint8_t opcodes[] = {0x3b, 0x3c, 0xf1}; /* EXTCODESIZE, EXTCODECOPY, CALL */
  const uint64_t limits[] = {1000000, 20000000, 60000000};
  const size_t want[] = {4, 50, 128};
  for (size_t li = 0; li < 3; li++) {
    char h0[3][65];
    for (size_t v = 0; v < 3; v++) {
      gen_params p = {limits[li], BLK_FORK_OSAKA, 0};
      blk_block b;
      assert_int_equal(gen_worst_case(names[v], &p, &b), GEN_OK);
      size_t big = 0;
      uint8_t hs[128][32];
      for (size_t c = 0; c < b.n_codes; c++) {
        if (b.codes[c].len != 24576) continue;
        assert_int_equal(b.codes[c].data[0], 0x00);
        assert_true(big < 128);
        keccak256(b.codes[c].data, b.codes[c].len, hs[big++]);
      }
      assert_int_equal(big, want[li]);
      for (size_t x = 0; x < big; x++)
        for (size_t y = x + 1; y < big; y++) assert_memory_not_equal(hs[x], hs[y], 32);
      /* the loop contract (the one short code) uses the variant's opcode and
       * none of the other two */
      const blk_bytes *loopc = NULL;
      for (size_t c = 0; c < b.n_codes; c++)
        if (b.codes[c].len != 24576) loopc = &b.codes[c];
      assert_non_null(loopc);
      for (size_t o = 0; o < 3; o++) assert_int_equal(memchr(loopc->data, opcodes[o], loopc->len) != NULL, o == v);
      /* the contracts themselves are the same in every variant */
      uint8_t all[32];
      keccak256(hs, big * 32, all);
      for (int k = 0; k < 32; k++) snprintf(h0[v] + 2 * k, 3, "%02x", all[k]);
      if (v) assert_string_equal(h0[v], h0[0]);
      blk_free(&b);
    }
  }
}

/* The new scenarios export as state tests (one per transaction) that import
 * back and execute, each alone, to the post-state root the export states;
 * authorizations at 20M has two transactions, so the second test's pre-state
 * must hold the authorities the first created. */
static void test_new_scenarios_export(void **state) {
  (void)state;
  static const char *const names[] = {"extcodecopy_big", "call_big", "access_list_keys", "access_list_addresses",
                                      "authorizations", "blockhash"};
  for (int f = BLK_FORK_PRAGUE; f < BLK_FORK_COUNT; f++) {
    for (size_t i = 0; i < sizeof names / sizeof names[0] + 1; i++) {
      int multi = i == sizeof names / sizeof names[0];
      gen_params p = {multi ? 20000000 : 300000, (blk_fork)f, 0};
      blk_block b;
      assert_int_equal(gen_worst_case(multi ? "authorizations" : names[i], &p, &b), GEN_OK);
      assert_true(b.n_txs >= (multi ? 2u : 1u));
      char *json = NULL;
      size_t len = 0;
      fixx_error e;
      int rc = fixx_state_test(&b, NULL, &json, &len, &e);
      if (rc != FIXX_OK) print_error("%s: %s\n", names[i], e.msg);
      assert_int_equal(rc, FIXX_OK);
      fix_file ff;
      assert_int_equal(fix_parse(json, len, "export", NULL, &ff, NULL), FIX_OK);
      assert_int_equal(ff.n_cases, b.n_txs);
      for (size_t k = 0; k < ff.n_cases; k++) {
        evm_block_result r;
        assert_int_equal(evm_execute_block(&ff.cases[k].block, NULL, &r), EVM_OK);
        assert_int_not_equal(r.txs[0].status, EVM_TX_INVALID);
        assert_memory_equal(r.state_root, ff.cases[k].post_root, 32);
        evm_block_result_free(&r);
      }
      fix_file_free(&ff);
      free(json);
      blk_free(&b);
    }
  }
}

static void test_deterministic(void **state) {
  (void)state;
  gen_params p = {30000000, BLK_FORK_OSAKA, 7};
  for (size_t i = 0; i < gen_scenario_count(); i++) {
    blk_block a, b;
    char ha[65], hb[65];
    assert_int_equal(gen_worst_case(gen_scenario_name(i), &p, &a), GEN_OK);
    assert_int_equal(gen_worst_case(gen_scenario_name(i), &p, &b), GEN_OK);
    assert_int_equal(blk_content_hash(&a, ha), BLK_OK);
    assert_int_equal(blk_content_hash(&b, hb), BLK_OK);
    assert_string_equal(ha, hb);
    blk_free(&a);
    blk_free(&b);
  }
}

static void test_bad_params(void **state) {
  (void)state;
  blk_block b;
  gen_params p = {20999, BLK_FORK_OSAKA, 0};
  assert_int_equal(gen_worst_case("keccak", &p, &b), GEN_E_PARAM);
  p.gas_limit = 30000000;
  assert_int_equal(gen_worst_case("no-such-scenario", &p, &b), GEN_E_UNKNOWN);
  p.fork = BLK_FORK_COUNT;
  assert_int_equal(gen_worst_case("keccak", &p, &b), GEN_E_PARAM);
  assert_null(gen_scenario_name(gen_scenario_count()));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_scenario_valid_and_fits),
      cmocka_unit_test(test_every_scenario_executes),
      cmocka_unit_test(test_full_at_corpus_limits),
      cmocka_unit_test(test_loops_full_at_1m_and_60m),
      cmocka_unit_test(test_arith_widths),
      cmocka_unit_test(test_modexp_min_gas),
      cmocka_unit_test(test_access_lists),
      cmocka_unit_test(test_authorizations),
      cmocka_unit_test(test_big_code_variants),
      cmocka_unit_test(test_new_scenarios_export),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_bad_params),
  };
  return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
