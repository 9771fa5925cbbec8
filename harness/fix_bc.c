/* fix_bc: blockchain_test fixtures out of and into blocks (contract in fix_bc.h).
 *
 * Export builds two headers. The genesis header is a function of the block's
 * environment and pre-state only, so its hash is known before the block is
 * executed; the block's header then takes the executor's results (state root,
 * receipts, bloom, gas). The fields a client derives from the parent (base
 * fee, excess blob gas) are solved backwards: a genesis with gasUsed 0 gives
 * its child base fee p - floor(p/8), which reaches every value, and with
 * blobGasUsed 0 the child's excess is the parent's minus the target (or, under
 * Osaka's reserve price, the parent's own).
 *
 * Import decodes the block RLP itself rather than trusting the JSON views of
 * it: every transaction is re-encoded from the decoded fields and must give its
 * bytes back, so a field the block format cannot carry cannot slip through.
 *
 * Import follows each fixture's chain: between blocks the state is held as
 * a blk pre-state (accounts and codes), read back whole from the executor
 * (evm_state_each) after a block, then credited its withdrawals; a case's
 * block gets a copy. Export of a chain keeps every block's execution result
 * until the JSON is written, since block i+1 is checked against block i's
 * post-state and headers link by hash.
 *
 * Both directions execute the block once more than strictly needed, to decide
 * whether the block hash of N-1 matters (see fix_bc.h): the cost of one block
 * execution, paid by a tool run on found blocks, not on a hot path.
 */
#include "fix_bc.h"
#include "fix_json.h"

#include <cjson/cJSON.h>
#include <gmp.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/evm.h"
#include "evm/gas.h"
#include "evm/mpt.h"
#include "evm/rlp.h"
#include "evm/state.h"
#include "evm/txsig.h"
#include "hash/keccak.h"

#define OP_BLOCKHASH 0x40
#define MIN_GAS_LIMIT 5000u
#define BLOB_BASE_COST 8192u    /* EIP-7918 */
#define HISTORY_WINDOW 8191u    /* EIP-4788 HISTORY_BUFFER_LENGTH, EIP-2935 HISTORY_SERVE_WINDOW */
#define MAX_RLP_BLOCK_SIZE 8388608u /* EIP-7934 (Osaka): 10 MiB less a 2 MiB margin */

const uint8_t fixb_empty_ommers_hash[32] = {0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
                                            0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
                                            0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47};

/* System contracts (EIP-4788, EIP-2935, EIP-7002, EIP-7251) and the deposit
 * contract whose logs are requests (EIP-6110, the address execution-spec-tests
 * and mainnet use). first_fork: the fork from which a client calls it. */
typedef struct {
  const char *name;
  uint8_t addr[20];
  blk_fork first_fork;
} sys_contract;

static const sys_contract k_sys[] = {
    {"EIP-4788 beacon roots",
     {0x00, 0x0f, 0x3d, 0xf6, 0xd7, 0x32, 0x80, 0x7e, 0xf1, 0x31, 0x9f, 0xb7, 0xb8, 0xbb, 0x85, 0x22, 0xd0, 0xbe,
      0xac, 0x02},
     BLK_FORK_CANCUN},
    {"EIP-2935 block history",
     {0x00, 0x00, 0xf9, 0x08, 0x27, 0xf1, 0xc5, 0x3a, 0x10, 0xcb, 0x7a, 0x02, 0x33, 0x5b, 0x17, 0x53, 0x20, 0x00,
      0x29, 0x35},
     BLK_FORK_PRAGUE},
    {"EIP-7002 withdrawal requests",
     {0x00, 0x00, 0x09, 0x61, 0xef, 0x48, 0x0e, 0xb5, 0x5e, 0x80, 0xd1, 0x9a, 0xd8, 0x35, 0x79, 0xa6, 0x4c, 0x00,
      0x70, 0x02},
     BLK_FORK_PRAGUE},
    {"EIP-7251 consolidation requests",
     {0x00, 0x00, 0xbb, 0xdd, 0xc7, 0xce, 0x48, 0x86, 0x42, 0xfb, 0x57, 0x9f, 0x8b, 0x00, 0xf3, 0xa5, 0x90, 0x00,
      0x72, 0x51},
     BLK_FORK_PRAGUE},
};
enum { SYS_BEACON = 0, SYS_HISTORY = 1 };
static const uint8_t k_deposit_contract[20] = {0x00, 0x00, 0x00, 0x00, 0x21, 0x9a, 0xb5, 0x40, 0x35, 0x6c,
                                               0xbb, 0x83, 0x9c, 0xbe, 0x05, 0x30, 0x3d, 0x77, 0x05, 0xfa};

/* Blob target per block (blobs) and the EIP-4844 schedule written in config. */
static uint64_t blob_target(blk_fork f) { return f == BLK_FORK_CANCUN ? 3 : 6; }

static int make_genesis(const blk_block *b, fixb_header *g, fixx_error *err);

unsigned fixb_header_fields(blk_fork f) { return f == BLK_FORK_CANCUN ? 20u : 21u; }

static int set_err(fixx_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_err(fixx_error *err, int code, const char *fmt, ...) {
  if (!err) return code;
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return code;
}

/* ---- header codec ---- */

static void header_put(rlp_enc *e, const fixb_header *h) {
  rlp_list_begin(e);
  rlp_put_bytes(e, h->parent_hash, 32);
  rlp_put_bytes(e, h->ommers_hash, 32);
  rlp_put_bytes(e, h->coinbase, 20);
  rlp_put_bytes(e, h->state_root, 32);
  rlp_put_bytes(e, h->tx_root, 32);
  rlp_put_bytes(e, h->receipts_root, 32);
  rlp_put_bytes(e, h->bloom, 256);
  rlp_put_u256(e, h->difficulty.b);
  rlp_put_u64(e, h->number);
  rlp_put_u64(e, h->gas_limit);
  rlp_put_u64(e, h->gas_used);
  rlp_put_u64(e, h->timestamp);
  rlp_put_bytes(e, h->extra, h->extra_len);
  rlp_put_bytes(e, h->mix_hash, 32);
  rlp_put_bytes(e, h->nonce, 8);
  if (h->n_fields >= 16) rlp_put_u256(e, h->base_fee.b);
  if (h->n_fields >= 17) rlp_put_bytes(e, h->withdrawals_root, 32);
  if (h->n_fields >= 18) rlp_put_u64(e, h->blob_gas_used);
  if (h->n_fields >= 19) rlp_put_u64(e, h->excess_blob_gas);
  if (h->n_fields >= 20) rlp_put_bytes(e, h->beacon_root, 32);
  if (h->n_fields >= 21) rlp_put_bytes(e, h->requests_hash, 32);
  rlp_list_end(e);
}

int fixb_header_encode(const fixb_header *h, uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  if (h->n_fields < 15 || h->n_fields > 21 || h->extra_len > 32) return FIXX_E_ARG;
  rlp_enc e;
  rlp_enc_init(&e);
  header_put(&e, h);
  return rlp_enc_finish(&e, out, len) == RLP_OK ? FIXX_OK : FIXX_E_NOMEM;
}

int fixb_header_hash(const fixb_header *h, uint8_t out[32]) {
  uint8_t *p;
  size_t n;
  int rc = fixb_header_encode(h, &p, &n);
  if (rc) return rc;
  keccak256(p, n, out);
  free(p);
  return FIXX_OK;
}

int fixb_header_decode(const uint8_t *p, size_t len, fixb_header *h, size_t *err_off) {
  memset(h, 0, sizeof *h);
  rlp_item it, f[22];
  size_t n = 0, off = 0;
  int rc = rlp_decode_whole(p, len, &it, &off);
  if (!rc && !it.is_list) rc = RLP_E_TYPE;
  if (!rc) rc = rlp_list(&it, f, 22, &n, &off);
  if (!rc && (n < 15 || n > 21)) rc = FIXX_E_ARG;
  if (rc) {
    if (err_off) *err_off = off;
    return rc;
  }
  h->n_fields = (unsigned)n;
  size_t bad = 0;
#define GETF(i, dst, sz) \
  if (!rc && (rc = rlp_get_fixed(&f[i], dst, sz)) != 0) bad = i
#define GETU(i, dst) \
  if (!rc && (rc = rlp_get_u64(&f[i], dst)) != 0) bad = i
#define GETW(i, dst) \
  if (!rc && (rc = rlp_get_u256(&f[i], dst)) != 0) bad = i
  GETF(0, h->parent_hash, 32);
  GETF(1, h->ommers_hash, 32);
  GETF(2, h->coinbase, 20);
  GETF(3, h->state_root, 32);
  GETF(4, h->tx_root, 32);
  GETF(5, h->receipts_root, 32);
  GETF(6, h->bloom, 256);
  GETW(7, h->difficulty.b);
  GETU(8, &h->number);
  GETU(9, &h->gas_limit);
  GETU(10, &h->gas_used);
  GETU(11, &h->timestamp);
  if (!rc && (f[12].is_list || f[12].len > 32)) {
    rc = RLP_E_RANGE;
    bad = 12;
  }
  if (!rc) {
    memcpy(h->extra, f[12].p, f[12].len);
    h->extra_len = f[12].len;
  }
  GETF(13, h->mix_hash, 32);
  GETF(14, h->nonce, 8);
  if (n >= 16) GETW(15, h->base_fee.b);
  if (n >= 17) GETF(16, h->withdrawals_root, 32);
  if (n >= 18) GETU(17, &h->blob_gas_used);
  if (n >= 19) GETU(18, &h->excess_blob_gas);
  if (n >= 20) GETF(19, h->beacon_root, 32);
  if (n >= 21) GETF(20, h->requests_hash, 32);
#undef GETF
#undef GETU
#undef GETW
  if (rc && err_off) *err_off = f[bad].offset;
  return rc;
}

/* ---- shared pieces ---- */

static void bloom_add(uint8_t bloom[256], const uint8_t *p, size_t n) {
  uint8_t h[32];
  keccak256(p, n, h);
  for (int i = 0; i < 6; i += 2) {
    unsigned bit = (((unsigned)h[i] << 8) | h[i + 1]) & 2047u;
    bloom[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
  }
}

static void bloom_logs(uint8_t bloom[256], const evm_log *l, size_t n) {
  for (size_t i = 0; i < n; i++) {
    bloom_add(bloom, l[i].address, 20);
    for (size_t t = 0; t < l[i].n_topics; t++) bloom_add(bloom, l[i].topics[t], 32);
  }
}

/* Root of the trie rlp(i) -> vals[i]. */
static int index_trie(uint8_t *const *vals, const size_t *lens, size_t n, uint8_t root[32]) {
  mpt_kv *kv = n ? calloc(n, sizeof *kv) : NULL;
  uint8_t(*keys)[9] = n ? calloc(n, sizeof *keys) : NULL;
  int rc = FIXX_OK;
  if (n && (!kv || !keys)) rc = FIXX_E_NOMEM;
  for (size_t i = 0; !rc && i < n; i++) {
    rlp_enc e;
    rlp_enc_init(&e);
    rlp_put_u64(&e, i);
    uint8_t *k;
    size_t kl;
    if (rlp_enc_finish(&e, &k, &kl) != RLP_OK || kl > 9) {
      rc = FIXX_E_NOMEM;
      break;
    }
    memcpy(keys[i], k, kl);
    free(k);
    kv[i].key = keys[i];
    kv[i].key_len = kl;
    kv[i].val = vals[i];
    kv[i].val_len = lens[i];
  }
  if (!rc && mpt_root(kv, n, root) != MPT_OK) rc = FIXX_E_NOMEM;
  free(kv);
  free(keys);
  return rc;
}

/* Root of the pre-state of b as a client computes the genesis stateRoot. */
static int pre_root(const blk_block *b, uint8_t root[32]) {
  evm_state *s = evm_state_new(b->env.fork);
  if (!s) return FIXX_E_NOMEM;
  int rc = evm_state_load_block(s, b) == 0 && evm_state_root(s, root) == 0 ? FIXX_OK : FIXX_E_EXEC;
  evm_state_free(s);
  return rc;
}

/* Whether two executions agree on every transaction and the state. */
static int same_result(const evm_block_result *a, const evm_block_result *b) {
  if (a->status != b->status || a->n_txs != b->n_txs || memcmp(a->state_root, b->state_root, 32) != 0 ||
      memcmp(a->logs_hash, b->logs_hash, 32) != 0 || a->gas_used != b->gas_used)
    return 0;
  for (size_t i = 0; i < a->n_txs; i++) {
    const evm_tx_result *x = &a->txs[i], *y = &b->txs[i];
    if (x->status != y->status || x->gas_used != y->gas_used || x->n_logs != y->n_logs ||
        x->output_len != y->output_len || (x->output_len && memcmp(x->output, y->output, x->output_len) != 0))
      return 0;
  }
  return 1;
}

static void on_step_count(void *ctx, const evm_step_event *e) {
  if (e->opcode == OP_BLOCKHASH) ++*(uint64_t *)ctx;
}

/* Execute b with block_hashes replaced by hashes[0..n). */
static int exec_with_hashes(const blk_block *b, blk_hash_entry *hashes, size_t n, evm_block_result *r) {
  blk_block v = *b;
  v.env.block_hashes = hashes;
  v.env.n_block_hashes = n;
  return evm_execute_block(&v, NULL, r);
}

/* 32 big-endian bytes <-> mpz. */
static void mpz_from_be(mpz_t z, const uint8_t b[32]) { mpz_import(z, 32, 1, 1, 1, 0, b); }
static int mpz_to_be(const mpz_t z, uint8_t b[32]) {
  if (mpz_sgn(z) < 0 || mpz_sizeinbase(z, 2) > 256) return -1;
  size_t n = 0;
  uint8_t t[33];
  memset(b, 0, 32);
  if (mpz_sgn(z) == 0) return 0;
  mpz_export(t, &n, 1, 1, 1, 0, z);
  memcpy(b + 32 - n, t, n);
  return 0;
}

/* The smallest parent base fee p with p - floor(p/8) == want (a genesis with
 * gasUsed 0 lowers its child's base fee by an eighth, EIP-1559). */
static int solve_parent_base_fee(const uint8_t want[32], uint8_t out[32]) {
  mpz_t w, p, c, t;
  mpz_inits(w, p, c, t, NULL);
  mpz_from_be(w, want);
  mpz_mul_ui(p, w, 8);
  mpz_fdiv_q_ui(p, p, 7);
  if (mpz_cmp_ui(p, 2) >= 0) mpz_sub_ui(p, p, 2);
  else mpz_set_ui(p, 0);
  int rc = -1;
  for (int i = 0; i < 6; i++, mpz_add_ui(p, p, 1)) {
    mpz_fdiv_q_ui(t, p, 8);
    mpz_sub(c, p, t);
    if (mpz_cmp(c, w) == 0) {
      rc = mpz_to_be(p, out);
      break;
    }
  }
  mpz_clears(w, p, c, t, NULL);
  return rc;
}

/* The child's excess blob gas from its parent's excess, blob gas used and
 * base fee (EIP-4844; Osaka adds EIP-7918's reserve price against the
 * parent's base fee). Saturates instead of wrapping (no real header comes
 * near 2^64). */
static uint64_t next_excess(blk_fork f, uint64_t parent_excess, uint64_t parent_used,
                            const uint8_t parent_base_fee[32]) {
  uint64_t target = blob_target(f) * EVM_GAS_PER_BLOB;
  uint64_t sum = parent_excess + parent_used;
  if (sum < parent_excess) sum = UINT64_MAX;
  if (sum < target) return 0;
  if (f >= BLK_FORK_OSAKA) {
    uint8_t fee[32];
    evm_blob_base_fee(f, parent_excess, fee);
    mpz_t a, b;
    mpz_inits(a, b, NULL);
    mpz_from_be(a, parent_base_fee);
    mpz_mul_ui(a, a, BLOB_BASE_COST);
    mpz_from_be(b, fee);
    mpz_mul_ui(b, b, EVM_GAS_PER_BLOB);
    int reserve = mpz_cmp(a, b) > 0;
    mpz_clears(a, b, NULL);
    if (reserve) {
      uint64_t max = evm_blob_schedule(f)->max_blobs_per_block, tb = blob_target(f);
      uint64_t add = max ? parent_used / max * (max - tb) + parent_used % max * (max - tb) / max : 0;
      return parent_excess + add < parent_excess ? UINT64_MAX : parent_excess + add;
    }
  }
  return sum - target;
}

/* The child's base fee from its parent's gas used, gas limit and base fee
 * (EIP-1559: elasticity 2, change denominator 8, an increase at least 1). */
static void next_base_fee(uint64_t gas_used, uint64_t gas_limit, const uint8_t fee[32], uint8_t out[32]) {
  uint64_t target = gas_limit / 2;
  if (gas_used == target || target == 0) {
    memcpy(out, fee, 32);
    return;
  }
  mpz_t p, d;
  mpz_inits(p, d, NULL);
  mpz_from_be(p, fee);
  mpz_set(d, p);
  if (gas_used > target) {
    mpz_mul_ui(d, d, gas_used - target);
    mpz_fdiv_q_ui(d, d, target);
    mpz_fdiv_q_ui(d, d, 8);
    if (mpz_cmp_ui(d, 1) < 0) mpz_set_ui(d, 1);
    mpz_add(p, p, d);
  } else {
    mpz_mul_ui(d, d, target - gas_used);
    mpz_fdiv_q_ui(d, d, target);
    mpz_fdiv_q_ui(d, d, 8);
    mpz_sub(p, p, d);
  }
  if (mpz_to_be(p, out) != 0) memset(out, 0xff, 32); /* past 2^256: no block can state it */
  mpz_clears(p, d, NULL);
}

/* ---- export ---- */

static void put_header(fixj_ctx *j, cJSON *o, const char *k, const fixb_header *h, const uint8_t hash[32]) {
  cJSON *x = fixj_put_obj(j, o, k);
  if (!x) return;
  fixj_put_hex(j, x, "parentHash", h->parent_hash, 32);
  fixj_put_hex(j, x, "uncleHash", h->ommers_hash, 32);
  fixj_put_hex(j, x, "coinbase", h->coinbase, 20);
  fixj_put_hex(j, x, "stateRoot", h->state_root, 32);
  fixj_put_hex(j, x, "transactionsTrie", h->tx_root, 32);
  fixj_put_hex(j, x, "receiptTrie", h->receipts_root, 32);
  fixj_put_hex(j, x, "bloom", h->bloom, 256);
  fixj_put_qty(j, x, "difficulty", h->difficulty.b, 32);
  fixj_put_u64(j, x, "number", h->number);
  fixj_put_u64(j, x, "gasLimit", h->gas_limit);
  fixj_put_u64(j, x, "gasUsed", h->gas_used);
  fixj_put_u64(j, x, "timestamp", h->timestamp);
  fixj_put_hex(j, x, "extraData", h->extra, h->extra_len);
  fixj_put_hex(j, x, "mixHash", h->mix_hash, 32);
  fixj_put_hex(j, x, "nonce", h->nonce, 8);
  if (h->n_fields >= 16) fixj_put_qty(j, x, "baseFeePerGas", h->base_fee.b, 32);
  if (h->n_fields >= 17) fixj_put_hex(j, x, "withdrawalsRoot", h->withdrawals_root, 32);
  if (h->n_fields >= 18) fixj_put_u64(j, x, "blobGasUsed", h->blob_gas_used);
  if (h->n_fields >= 19) fixj_put_u64(j, x, "excessBlobGas", h->excess_blob_gas);
  if (h->n_fields >= 20) fixj_put_hex(j, x, "parentBeaconBlockRoot", h->beacon_root, 32);
  if (h->n_fields >= 21) fixj_put_hex(j, x, "requestsHash", h->requests_hash, 32);
  fixj_put_hex(j, x, "hash", hash, 32);
}

/* The transaction with its signature: a test-key sender signed as
 * evm_tx_encode signs it. */
static int signed_copy(const blk_tx *t, uint64_t chain_id, blk_tx *out, uint8_t sender[20]) {
  *out = *t;
  if (!t->sender_is_address) {
    uint8_t priv[32];
    if (evm_test_key(t->sender_key, priv) != EVM_SIG_OK || evm_test_address(t->sender_key, sender) != EVM_SIG_OK)
      return FIXX_E_SIGN;
    if (!t->has_signature && evm_tx_sign(out, chain_id, priv) != EVM_SIG_OK) return FIXX_E_SIGN;
  } else {
    memcpy(sender, t->sender.b, 20);
  }
  return FIXX_OK;
}

static void put_tx_json(fixj_ctx *j, cJSON *arr, const blk_tx *t, uint64_t chain_id, const uint8_t sender[20],
                        const uint8_t hash[32]) {
  cJSON *x = cJSON_CreateObject();
  fixj_add(j, arr, NULL, x);
  if (j->oom) return;
  fixj_put_u64(j, x, "type", t->type);
  if (t->type >= 1) fixj_put_u64(j, x, "chainId", chain_id);
  fixj_put_u64(j, x, "nonce", t->nonce);
  if (t->type >= 2) {
    fixj_put_qty(j, x, "maxPriorityFeePerGas", t->max_priority_fee.b, 32);
    fixj_put_qty(j, x, "maxFeePerGas", t->gas_price.b, 32);
  } else {
    fixj_put_qty(j, x, "gasPrice", t->gas_price.b, 32);
  }
  fixj_put_u64(j, x, "gasLimit", t->gas_limit);
  if (t->is_create) fixj_put_str(j, x, "to", "");
  else fixj_put_hex(j, x, "to", t->to.b, 20);
  fixj_put_qty(j, x, "value", t->value.b, 32);
  fixj_put_hex(j, x, "data", t->data.data, t->data.len);
  if (t->type >= 1) {
    cJSON *al = fixj_put_arr(j, x, "accessList");
    for (size_t i = 0; al && i < t->n_access_list; i++) {
      cJSON *e = cJSON_CreateObject();
      fixj_add(j, al, NULL, e);
      if (j->oom) return;
      fixj_put_hex(j, e, "address", t->access_list[i].address.b, 20);
      cJSON *ks = fixj_put_arr(j, e, "storageKeys");
      for (size_t k = 0; ks && k < t->access_list[i].n_keys; k++)
        fixj_add(j, ks, NULL, fixj_hex_bytes(t->access_list[i].keys[k].b, 32));
    }
  }
  if (t->type == 3) {
    fixj_put_qty(j, x, "maxFeePerBlobGas", t->max_fee_per_blob_gas.b, 32);
    cJSON *bh = fixj_put_arr(j, x, "blobVersionedHashes");
    for (size_t i = 0; bh && i < t->n_blob_hashes; i++) fixj_add(j, bh, NULL, fixj_hex_bytes(t->blob_hashes[i], 32));
  }
  if (t->type == 4) {
    cJSON *au = fixj_put_arr(j, x, "authorizationList");
    for (size_t i = 0; au && i < t->n_auths; i++) {
      const blk_auth *a = &t->auths[i];
      cJSON *e = cJSON_CreateObject();
      fixj_add(j, au, NULL, e);
      if (j->oom) return;
      fixj_put_qty(j, e, "chainId", a->chain_id.b, 32);
      fixj_put_hex(j, e, "address", a->address.b, 20);
      fixj_put_u64(j, e, "nonce", a->nonce);
      fixj_put_u64(j, e, "v", a->y_parity);
      fixj_put_qty(j, e, "r", a->r.b, 32);
      fixj_put_qty(j, e, "s", a->s.b, 32);
    }
  }
  fixj_put_qty(j, x, "v", t->v.b, 32);
  fixj_put_qty(j, x, "r", t->r.b, 32);
  fixj_put_qty(j, x, "s", t->s.b, 32);
  fixj_put_hex(j, x, "sender", sender, 20);
  fixj_put_hex(j, x, "hash", hash, 32);
}

/* Everything the export computes, freed by exp_free. */
typedef struct {
  uint8_t **txe; /* signed encodings */
  size_t *txl;
  uint8_t **rce; /* receipts */
  size_t *rcl;
  size_t n;
} exp_bufs;

static void exp_free(exp_bufs *x) {
  for (size_t i = 0; i < x->n; i++) {
    if (x->txe) free(x->txe[i]);
    if (x->rce) free(x->rce[i]);
  }
  free(x->txe);
  free(x->txl);
  free(x->rce);
  free(x->rcl);
  memset(x, 0, sizeof *x);
}

static int receipt_encode(const blk_tx *t, const evm_tx_result *r, uint64_t cumulative, uint8_t **out,
                          size_t *len) {
  uint8_t bloom[256] = {0};
  bloom_logs(bloom, r->logs, r->n_logs);
  rlp_enc e;
  rlp_enc_init(&e);
  if (t->type) {
    uint8_t ty = t->type;
    rlp_put_raw(&e, &ty, 1); /* the type byte precedes the receipt's RLP */
  }
  rlp_list_begin(&e);
  rlp_put_u64(&e, r->status == EVM_TX_SUCCESS ? 1 : 0);
  rlp_put_u64(&e, cumulative);
  rlp_put_bytes(&e, bloom, 256);
  rlp_list_begin(&e);
  for (size_t i = 0; i < r->n_logs; i++) {
    const evm_log *l = &r->logs[i];
    rlp_list_begin(&e);
    rlp_put_bytes(&e, l->address, 20);
    rlp_list_begin(&e);
    for (size_t k = 0; k < l->n_topics; k++) rlp_put_bytes(&e, l->topics[k], 32);
    rlp_list_end(&e);
    rlp_put_bytes(&e, l->data, l->data_len);
    rlp_list_end(&e);
  }
  rlp_list_end(&e);
  rlp_list_end(&e);
  return rlp_enc_finish(&e, out, len) == RLP_OK ? FIXX_OK : FIXX_E_NOMEM;
}

/* [header, [txs], [], []]: legacy transactions as lists, typed ones as strings. */
static int block_rlp(const fixb_header *h, const exp_bufs *x, const blk_block *b, uint8_t **out, size_t *len) {
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  header_put(&e, h);
  rlp_list_begin(&e);
  for (size_t i = 0; i < x->n; i++) {
    if (b->txs[i].type == 0) rlp_put_raw(&e, x->txe[i], x->txl[i]);
    else rlp_put_bytes(&e, x->txe[i], x->txl[i]);
  }
  rlp_list_end(&e);
  rlp_list_begin(&e);
  rlp_list_end(&e);
  rlp_list_begin(&e);
  rlp_list_end(&e);
  rlp_list_end(&e);
  return rlp_enc_finish(&e, out, len) == RLP_OK ? FIXX_OK : FIXX_E_NOMEM;
}

int fixb_genesis(const blk_block *b, fixb_header *g, fixx_error *err) {
  if (err) {
    err->code = FIXX_OK;
    err->msg[0] = 0;
  }
  if (!b || !g) return set_err(err, FIXX_E_ARG, "NULL argument");
  if (b->env.number == 0) return set_err(err, FIXX_E_UNREP, "env.number is 0: no room for the genesis block before it");
  return make_genesis(b, g, err);
}

/* The genesis header for b (see fix_bc.h); its state root is pre_root(b). */
static int make_genesis(const blk_block *b, fixb_header *g, fixx_error *err) {
  const blk_env *e = &b->env;
  memset(g, 0, sizeof *g);
  g->n_fields = fixb_header_fields(e->fork);
  memcpy(g->ommers_hash, fixb_empty_ommers_hash, 32);
  int rc = pre_root(b, g->state_root);
  if (rc) return set_err(err, rc, "genesis: the pre-state root could not be computed");
  memcpy(g->tx_root, mpt_empty_root, 32);
  memcpy(g->receipts_root, mpt_empty_root, 32);
  memcpy(g->withdrawals_root, mpt_empty_root, 32);
  g->number = e->number - 1;
  g->gas_limit = e->gas_limit;
  if (solve_parent_base_fee(e->base_fee.b, g->base_fee.b) != 0)
    return set_err(err, FIXX_E_UNREP, "env.base_fee: no genesis base fee below 2^256 leads to it");
  uint64_t target = blob_target(e->fork) * EVM_GAS_PER_BLOB;
  uint64_t cand[3] = {0, e->excess_blob_gas, e->excess_blob_gas + target};
  int found = 0;
  for (int i = 0; i < 3 && !found; i++) {
    if (i == 2 && cand[2] < e->excess_blob_gas) break; /* overflow */
    if (next_excess(e->fork, cand[i], 0, g->base_fee.b) == e->excess_blob_gas) {
      g->excess_blob_gas = cand[i];
      found = 1;
    }
  }
  if (!found)
    return set_err(err, FIXX_E_UNREP,
                   "env.excess_blob_gas %llu: no genesis excess blob gas leads to it under %s's rule",
                   (unsigned long long)e->excess_blob_gas, blk_fork_name(e->fork));
  if (e->fork >= BLK_FORK_PRAGUE) SHA256(NULL, 0, g->requests_hash);
  return FIXX_OK;
}

/* ---- pre-states as the accounts and codes of a blk_block ---- */

static const blk_bytes *code_of(const blk_block *p, const blk_account *a) {
  return a->code_ref ? &p->codes[a->code_ref - 1] : NULL;
}

/* The first account in which pre-states a and b differ, in words (out). */
static void pre_diff(const blk_block *a, const blk_block *b, char *out, size_t n) {
  size_t i = 0, k = 0;
  char hex[41];
  while (i < a->n_accounts || k < b->n_accounts) {
    int cmp = i == a->n_accounts   ? 1
              : k == b->n_accounts ? -1
                                   : memcmp(a->accounts[i].address.b, b->accounts[k].address.b, 20);
    const blk_account *x = cmp <= 0 ? &a->accounts[i] : &b->accounts[k];
    for (int q = 0; q < 20; q++) snprintf(hex + 2 * q, 3, "%02x", x->address.b[q]);
    if (cmp < 0) {
      snprintf(out, n, "account 0x%s is missing", hex);
      return;
    }
    if (cmp > 0) {
      snprintf(out, n, "account 0x%s is not in it", hex);
      return;
    }
    const blk_account *y = &b->accounts[k];
    const blk_bytes *cx = code_of(a, x), *cy = code_of(b, y);
    const char *what = NULL;
    if (x->nonce != y->nonce) what = "nonce";
    else if (memcmp(x->balance.b, y->balance.b, 32) != 0) what = "balance";
    else if (!cx != !cy || (cx && (cx->len != cy->len || memcmp(cx->data, cy->data, cx->len) != 0))) what = "code";
    else if (x->n_storage != y->n_storage ||
             (x->n_storage && memcmp(x->storage, y->storage, x->n_storage * sizeof *x->storage) != 0))
      what = "storage";
    if (what) {
      snprintf(out, n, "account 0x%s differs in its %s", hex, what);
      return;
    }
    i++;
    k++;
  }
  snprintf(out, n, "the accounts agree but the roots do not");
}

/* ---- export: the chain ---- */

/* What the export computes for one block of the chain. */
typedef struct {
  evm_block_result r;
  int ran; /* r initialised */
  exp_bufs x;
  fixb_header h;
  uint8_t hash[32];
  uint8_t *rlp;
  size_t rlp_len;
} exp_block;

/* Checks that b (block i > 0) follows block i-1 of the chain, whose header is
 * p and whose post-state is the executor's prev. */
static int check_link(const blk_block *b, size_t i, const blk_block *pb, const fixb_header *p,
                      const evm_block_result *prev, fixx_error *err) {
  const blk_env *e = &b->env;
  if (e->fork != pb->env.fork)
    return set_err(err, FIXX_E_UNREP, "fork %s differs from block %zu's %s", blk_fork_name(e->fork), i - 1,
                   blk_fork_name(pb->env.fork));
  if (e->chain_id != pb->env.chain_id)
    return set_err(err, FIXX_E_UNREP, "chain id %llu differs from block %zu's %llu", (unsigned long long)e->chain_id,
                   i - 1, (unsigned long long)pb->env.chain_id);
  if (e->number != p->number + 1)
    return set_err(err, FIXX_E_UNREP, "env.number %llu does not follow block %zu's %llu",
                   (unsigned long long)e->number, i - 1, (unsigned long long)p->number);
  if (e->timestamp <= p->timestamp)
    return set_err(err, FIXX_E_UNREP, "env.timestamp %llu is not after block %zu's %llu",
                   (unsigned long long)e->timestamp, i - 1, (unsigned long long)p->timestamp);
  uint64_t step = p->gas_limit / 1024;
  if (e->gas_limit >= p->gas_limit + step || e->gas_limit <= p->gas_limit - step)
    return set_err(err, FIXX_E_UNREP,
                   "env.gas_limit %llu: a child of block %zu (gas limit %llu) must stay within %llu of it",
                   (unsigned long long)e->gas_limit, i - 1, (unsigned long long)p->gas_limit,
                   (unsigned long long)(step ? step - 1 : 0));
  uint8_t fee[32];
  next_base_fee(p->gas_used, p->gas_limit, p->base_fee.b, fee);
  if (memcmp(fee, e->base_fee.b, 32) != 0) {
    mpz_t z;
    mpz_init(z);
    mpz_from_be(z, fee);
    char *want = mpz_get_str(NULL, 10, z);
    mpz_from_be(z, e->base_fee.b);
    char *have = mpz_get_str(NULL, 10, z);
    mpz_clear(z);
    int rc = set_err(err, FIXX_E_UNREP,
                     "env.base_fee %.80s: block %zu's gas used %llu of limit %llu gives its child %.80s (EIP-1559)",
                     have ? have : "?", i - 1, (unsigned long long)p->gas_used, (unsigned long long)p->gas_limit,
                     want ? want : "?");
    free(want);
    free(have);
    return rc;
  }
  uint64_t xs = next_excess(e->fork, p->excess_blob_gas, p->blob_gas_used, p->base_fee.b);
  if (xs != e->excess_blob_gas)
    return set_err(err, FIXX_E_UNREP, "env.excess_blob_gas %llu: block %zu's header gives its child %llu",
                   (unsigned long long)e->excess_blob_gas, i - 1, (unsigned long long)xs);
  uint8_t root[32];
  int rc = pre_root(b, root);
  if (rc) return set_err(err, rc, "the pre-state root could not be computed");
  if (memcmp(root, prev->state_root, 32) != 0) {
    blk_block post;
    char why[200] = "?";
    if (fixx_state_dump(prev->state, &post) == FIXX_OK) pre_diff(&post, b, why, sizeof why);
    blk_free(&post);
    return set_err(err, FIXX_E_UNREP, "the pre-state is not block %zu's post-state: %s", i - 1, why);
  }
  return FIXX_OK;
}

/* Execute block i of the chain bs and fill eb[i] (header, encodings, RLP);
 * g and ghash: the chain's genesis. Blocks 0..i-1 are done. */
static int export_block(const blk_block *bs, size_t i, exp_block *eb, const fixb_header *g, const uint8_t ghash[32],
                        fixx_error *err) {
  const blk_block *b = &bs[i];
  const blk_env *e = &b->env;
  exp_block *cur = &eb[i];
  if (i > 0) {
    int rc = check_link(b, i, &bs[i - 1], &eb[i - 1].h, &eb[i - 1].r, err);
    if (rc) return rc;
  }
  uint64_t n_blockhash = 0;
  evm_tracer tr;
  memset(&tr, 0, sizeof tr);
  tr.ctx = &n_blockhash;
  tr.on_step = on_step_count;
  evm_block_result *r = &cur->r;
  int rc = evm_execute_block(b, &tr, r);
  cur->ran = 1;
  if (rc != EVM_OK) return set_err(err, FIXX_E_EXEC, "executor: %s", evm_strerror(rc));
  for (size_t t = 0; t < r->n_txs; t++) {
    if (r->txs[t].status == EVM_TX_INVALID)
      return set_err(err, FIXX_E_UNREP,
                     "transaction %zu: rejected (%s); a block holding it is invalid as a whole in a blockchain "
                     "test (state_test can carry it)",
                     t, evm_invalid_name(r->txs[t].invalid));
    for (size_t k = 0; e->fork >= BLK_FORK_PRAGUE && k < r->txs[t].n_logs; k++)
      if (memcmp(r->txs[t].logs[k].address, k_deposit_contract, 20) == 0)
        return set_err(err, FIXX_E_UNREP,
                       "transaction %zu: logs from the deposit contract are EIP-6110 requests, not modelled", t);
  }
  if (n_blockhash) {
    /* BLOCKHASH ran: the chain answers its own blocks (the genesis and blocks
     * 0..i-1, numbers consecutive) within 256 back, older ones with zero. */
    blk_hash_entry *hs = calloc(i + 1, sizeof *hs);
    if (!hs) return set_err(err, FIXX_E_NOMEM, "out of memory");
    size_t nh = 0;
    for (size_t k = 0; k <= i; k++) {
      uint64_t num = k == 0 ? g->number : eb[k - 1].h.number;
      if (num + 256 < e->number) continue;
      hs[nh].number = num;
      memcpy(hs[nh].hash, k == 0 ? ghash : eb[k - 1].hash, 32);
      nh++;
    }
    evm_block_result r2;
    int rc2 = exec_with_hashes(b, hs, nh, &r2);
    int same = rc2 == EVM_OK && same_result(r, &r2);
    evm_block_result_free(&r2);
    free(hs);
    if (!same && i == 0)
      return set_err(err, FIXX_E_UNREP,
                     "BLOCKHASH: the block's outcome depends on block hashes a blockchain test cannot give it "
                     "(there, block %llu is the genesis with hash computed from the fixture, older blocks read 0)",
                     (unsigned long long)(e->number - 1));
    if (!same)
      return set_err(err, FIXX_E_UNREP,
                     "BLOCKHASH: the block's outcome depends on block hashes the chain gives otherwise (there, "
                     "blocks %llu..%llu have the hashes of the chain's headers, older blocks read 0)",
                     (unsigned long long)g->number, (unsigned long long)(e->number - 1));
  }

  exp_bufs *x = &cur->x;
  x->n = b->n_txs;
  if (x->n) {
    x->txe = calloc(x->n, sizeof *x->txe);
    x->txl = calloc(x->n, sizeof *x->txl);
    x->rce = calloc(x->n, sizeof *x->rce);
    x->rcl = calloc(x->n, sizeof *x->rcl);
    if (!x->txe || !x->txl || !x->rce || !x->rcl) return set_err(err, FIXX_E_NOMEM, "out of memory");
  }
  fixb_header *h = &cur->h;
  memset(h, 0, sizeof *h);
  h->n_fields = g->n_fields;
  memcpy(h->parent_hash, i ? eb[i - 1].hash : ghash, 32);
  memcpy(h->ommers_hash, fixb_empty_ommers_hash, 32);
  memcpy(h->coinbase, e->coinbase.b, 20);
  memcpy(h->state_root, r->state_root, 32);
  h->number = e->number;
  h->gas_limit = e->gas_limit;
  h->gas_used = r->gas_used;
  h->timestamp = e->timestamp;
  memcpy(h->mix_hash, e->prevrandao, 32);
  h->base_fee = e->base_fee;
  memcpy(h->withdrawals_root, mpt_empty_root, 32);
  h->blob_gas_used = r->blob_gas_used;
  h->excess_blob_gas = e->excess_blob_gas;
  memcpy(h->requests_hash, g->requests_hash, 32);
  uint64_t cum = 0;
  for (size_t t = 0; t < x->n; t++) {
    if (evm_tx_encode(&b->txs[t], e->chain_id, &x->txe[t], &x->txl[t]) != EVM_SIG_OK)
      return set_err(err, FIXX_E_SIGN, "transaction %zu: signing or encoding failed", t);
    cum += r->txs[t].gas_used;
    bloom_logs(h->bloom, r->txs[t].logs, r->txs[t].n_logs);
    if ((rc = receipt_encode(&b->txs[t], &r->txs[t], cum, &x->rce[t], &x->rcl[t])) != 0)
      return set_err(err, rc, "out of memory");
  }
  if (index_trie(x->txe, x->txl, x->n, h->tx_root) || index_trie(x->rce, x->rcl, x->n, h->receipts_root) ||
      fixb_header_hash(h, cur->hash) || block_rlp(h, x, b, &cur->rlp, &cur->rlp_len))
    return set_err(err, FIXX_E_NOMEM, "out of memory");
  if (e->fork >= BLK_FORK_OSAKA && cur->rlp_len > MAX_RLP_BLOCK_SIZE)
    return set_err(err, FIXX_E_UNREP, "the block's RLP is %zu bytes, over EIP-7934's limit of %u", cur->rlp_len,
                   MAX_RLP_BLOCK_SIZE);
  return FIXX_OK;
}

/* The checks of one block alone (before anything is executed). */
static int check_block(const blk_block *b, fixx_error *err) {
  const blk_env *e = &b->env;
  if (e->number == 0) return set_err(err, FIXX_E_UNREP, "env.number is 0: no room for the genesis block before it");
  if (e->timestamp == 0)
    return set_err(err, FIXX_E_UNREP, "env.timestamp is 0: a block's timestamp must exceed its parent's (0)");
  if (e->gas_limit < MIN_GAS_LIMIT)
    return set_err(err, FIXX_E_UNREP, "env.gas_limit %llu is below the protocol minimum %u",
                   (unsigned long long)e->gas_limit, MIN_GAS_LIMIT);
  for (size_t i = 0; i < sizeof k_sys / sizeof k_sys[0]; i++) {
    const blk_account *a = fixj_pre_find(b, k_sys[i].addr);
    if (a && a->code_ref && e->fork >= k_sys[i].first_fork)
      return set_err(err, FIXX_E_UNREP,
                     "pre-state holds code at the %s contract: a client runs its block-level system call, "
                     "this executor does not",
                     k_sys[i].name);
  }
  return FIXX_OK;
}

/* "block I: " before err->msg, for chains of more than one block. */
static int block_err(fixx_error *err, int rc, size_t i, size_t n) {
  if (err && n > 1) {
    char tmp[FIXX_ERR_MAX];
    snprintf(tmp, sizeof tmp, "%s", err->msg);
    int k = snprintf(err->msg, sizeof err->msg, "block %zu: ", i);
    if (k > 0 && (size_t)k < sizeof err->msg) {
      size_t l = strnlen(tmp, sizeof err->msg - (size_t)k - 1);
      memcpy(err->msg + k, tmp, l);
      err->msg[(size_t)k + l] = 0;
    }
  }
  return rc;
}

/* Export of bs[0..n) as one chain (see fixb_export_chain); n == 1 is
 * fixb_export. */
static int export_chain(const blk_block *bs, size_t n, const fixx_opts *opts, char **json, size_t *len,
                        fixx_error *err) {
  if (json) *json = NULL;
  if (len) *len = 0;
  if (err) {
    err->code = FIXX_OK;
    err->msg[0] = 0;
  }
  if (!bs || !json) return set_err(err, FIXX_E_ARG, "NULL argument");
  if (n == 0) return set_err(err, FIXX_E_ARG, "no blocks");
  for (size_t i = 0; i < n; i++) {
    blk_error be;
    if (blk_validate(&bs[i], &be) != BLK_OK)
      return block_err(err, set_err(err, FIXX_E_ARG, "invalid block: %s", be.msg), i, n);
  }
  const char *name = opts && opts->name ? opts->name : "block";
  if (!name[0]) return set_err(err, FIXX_E_ARG, "empty test name");
  for (size_t i = 0; i < n; i++) {
    int rc = check_block(&bs[i], err);
    if (rc) return block_err(err, rc, i, n);
  }
  const blk_env *e = &bs[n - 1].env;

  fixb_header g;
  int rc = make_genesis(&bs[0], &g, err);
  if (rc) return block_err(err, rc, 0, n);
  uint8_t ghash[32];
  if (fixb_header_hash(&g, ghash)) return set_err(err, FIXX_E_NOMEM, "out of memory");

  exp_block *eb = calloc(n, sizeof *eb);
  if (!eb) return set_err(err, FIXX_E_NOMEM, "out of memory");
  cJSON *root = NULL;
  fixj_ctx j = {0};
  for (size_t i = 0; i < n; i++) {
    rc = export_block(bs, i, eb, &g, ghash, err);
    if (rc) {
      block_err(err, rc, i, n);
      goto out;
    }
  }

  root = cJSON_CreateObject();
  if (!root) {
    rc = set_err(err, FIXX_E_NOMEM, "out of memory");
    goto out;
  }
  cJSON *t = fixj_put_obj(&j, root, name);
  cJSON *info = fixj_put_obj(&j, t, "_info");
  if (info && n == 1) {
    char ch[65];
    if (blk_content_hash(&bs[0], ch) == BLK_OK) fixj_put_str(&j, info, "pkbench-block", ch);
    fixj_put_str(&j, info, "comment", "exported by pkbench: post-state and receipts from its executor");
    fixj_put_u64(&j, info, "gas-used", eb[0].r.gas_used);
  } else if (info) {
    cJSON *hs = fixj_put_arr(&j, info, "pkbench-blocks");
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
      char ch[65];
      if (hs && blk_content_hash(&bs[i], ch) == BLK_OK) fixj_add(&j, hs, NULL, cJSON_CreateString(ch));
      total += eb[i].r.gas_used;
    }
    fixj_put_str(&j, info, "comment",
                 "exported by pkbench: a chain of blocks, each on the state the one before left; post-states "
                 "and receipts from its executor");
    fixj_put_u64(&j, info, "gas-used", total);
  }
  fixj_put_str(&j, t, "network", blk_fork_name(e->fork));
  cJSON *cfg = fixj_put_obj(&j, t, "config");
  if (cfg) {
    fixj_put_str(&j, cfg, "network", blk_fork_name(e->fork));
    fixj_put_u64(&j, cfg, "chainid", e->chain_id);
    cJSON *bsch = fixj_put_obj(&j, cfg, "blobSchedule");
    cJSON *fb = bsch ? fixj_put_obj(&j, bsch, blk_fork_name(e->fork)) : NULL;
    if (fb) {
      const evm_blob_params *bp = evm_blob_schedule(e->fork);
      fixj_put_u64(&j, fb, "target", blob_target(e->fork));
      fixj_put_u64(&j, fb, "max", bp->max_blobs_per_block);
      fixj_put_u64(&j, fb, "baseFeeUpdateFraction", bp->update_fraction);
    }
  }
  put_header(&j, t, "genesisBlockHeader", &g, ghash);
  {
    uint8_t *grlp = NULL;
    size_t glen = 0;
    exp_bufs empty;
    memset(&empty, 0, sizeof empty);
    if (block_rlp(&g, &empty, &bs[0], &grlp, &glen)) {
      rc = set_err(err, FIXX_E_NOMEM, "out of memory");
      goto out;
    }
    fixj_put_hex(&j, t, "genesisRLP", grlp, glen);
    free(grlp);
  }
  fixj_put_accounts(&j, t, "pre", &bs[0]);
  cJSON *blocks = fixj_put_arr(&j, t, "blocks");
  for (size_t i = 0; i < n && !j.oom; i++) {
    const blk_block *b = &bs[i];
    cJSON *blk = blocks ? cJSON_CreateObject() : NULL;
    fixj_add(&j, blocks, NULL, blk);
    if (j.oom) break;
    put_header(&j, blk, "blockHeader", &eb[i].h, eb[i].hash);
    cJSON *txs = fixj_put_arr(&j, blk, "transactions");
    for (size_t k = 0; txs && k < eb[i].x.n; k++) {
      blk_tx st;
      uint8_t sender[20], th[32];
      if (signed_copy(&b->txs[k], b->env.chain_id, &st, sender)) {
        rc = block_err(err, set_err(err, FIXX_E_SIGN, "transaction %zu: signing failed", k), i, n);
        goto out;
      }
      keccak256(eb[i].x.txe[k], eb[i].x.txl[k], th);
      put_tx_json(&j, txs, &st, b->env.chain_id, sender, th);
    }
    fixj_put_arr(&j, blk, "uncleHeaders");
    fixj_put_arr(&j, blk, "withdrawals");
    fixj_put_hex(&j, blk, "rlp", eb[i].rlp, eb[i].rlp_len);
  }
  fixj_put_hex(&j, t, "postStateHash", eb[n - 1].r.state_root, 32);
  fixj_put_hex(&j, t, "lastblockhash", eb[n - 1].hash, 32);
  fixj_put_str(&j, t, "sealEngine", "NoProof");
  if (j.oom) {
    rc = set_err(err, FIXX_E_NOMEM, "out of memory");
    goto out;
  }
  char *s = opts && opts->pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
  if (!s) {
    rc = set_err(err, FIXX_E_NOMEM, "out of memory");
    goto out;
  }
  *json = s;
  if (len) *len = strlen(s);
  rc = FIXX_OK;
out:
  cJSON_Delete(root);
  for (size_t i = 0; i < n; i++) {
    exp_free(&eb[i].x);
    if (eb[i].ran) evm_block_result_free(&eb[i].r);
    free(eb[i].rlp);
  }
  free(eb);
  return rc;
}

int fixb_export(const blk_block *b, const fixx_opts *opts, char **json, size_t *len, fixx_error *err) {
  return export_chain(b, b ? 1 : 0, opts, json, len, err);
}

int fixb_export_chain(const blk_block *blocks, size_t n, const fixx_opts *opts, char **json, size_t *len,
                      fixx_error *err) {
  return export_chain(blocks, n, opts, json, len, err);
}

/* ---- import ---- */

typedef struct {
  const char *file;
  const char *test;
  const char *path; /* JSON path of the field at fault, or NULL */
  fix_error *err;
} ictx;

static int ifail(ictx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ifail(ictx *c, int code, const char *fmt, ...) {
  if (!c->err) return code;
  char what[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  c->err->code = code;
  snprintf(c->err->msg, sizeof c->err->msg, "%s: %s%.300s%s%s%s%s", c->file, c->test ? "test '" : "",
           c->test ? c->test : "", c->test ? "': " : "", c->path ? c->path : "", c->path ? ": " : "", what);
  return code;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* "0x" + an even number of hex digits into a malloc'd buffer; errors name
 * the field as shown (NULL: key). */
static int json_hex(ictx *c, const cJSON *o, const char *key, const char *shown, uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
  c->path = shown ? shown : key;
  if (!it) return ifail(c, FIX_E_MISSING, "required field is absent");
  if (!cJSON_IsString(it)) return ifail(c, FIX_E_TYPE, "expected a hex string");
  const char *s = it->valuestring;
  size_t n = strlen(s);
  if (n < 2 || s[0] != '0' || s[1] != 'x' || (n - 2) % 2)
    return ifail(c, FIX_E_HEX, "expected \"0x\" and an even number of hex digits");
  if ((n - 2) / 2 > BLK_MAX_FILE_BYTES) return ifail(c, FIX_E_RANGE, "too long");
  uint8_t *b = malloc((n - 2) / 2 + 1);
  if (!b) return ifail(c, FIX_E_NOMEM, "out of memory");
  for (size_t i = 0; i < (n - 2) / 2; i++) {
    int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
    if (hi < 0 || lo < 0) {
      free(b);
      return ifail(c, FIX_E_HEX, "not a hex digit at character %zu", 2 + 2 * i);
    }
    b[i] = (uint8_t)(hi << 4 | lo);
  }
  *out = b;
  *len = (n - 2) / 2;
  c->path = NULL;
  return FIX_OK;
}

static int get_item(ictx *c, const rlp_item *list, rlp_item *f, size_t max, size_t *n, const char *what) {
  size_t off = 0;
  if (!list->is_list) return ifail(c, FIX_E_TYPE, "%s: expected an RLP list at byte %zu", what, list->offset);
  if (rlp_list(list, f, max, n, &off) != RLP_OK)
    return ifail(c, FIX_E_RANGE, "%s: malformed or too many items at byte %zu", what, off);
  return FIX_OK;
}

/* Decode the fields of one transaction (legacy list or typed payload p[0..len)
 * whose first byte is the type) into *t, signature included, sender unset. */
static int tx_fields(ictx *c, size_t i, const rlp_item *txit, uint64_t chain_id, blk_tx *t) {
  rlp_item body, f[16];
  size_t n = 0, off = 0;
  if (txit->is_list) {
    t->type = 0;
    body = *txit;
  } else {
    if (txit->len < 1 || txit->p[0] < 1 || txit->p[0] > 4)
      return ifail(c, FIX_E_UNSUPPORTED, "transaction %zu: unknown typed-transaction envelope", i);
    t->type = txit->p[0];
    size_t base = txit->offset + txit->total - txit->len + 1; /* payload start + the type byte */
    if (rlp_decode(txit->p + 1, txit->len - 1, base, &body, &off) != RLP_OK || body.total != txit->len - 1)
      return ifail(c, FIX_E_RANGE, "transaction %zu: malformed RLP near byte %zu", i, off);
  }
  static const size_t k_n[5] = {9, 11, 12, 14, 13};
  int rc = get_item(c, &body, f, 16, &n, "transaction");
  if (rc) return rc;
  if (n != k_n[t->type])
    return ifail(c, FIX_E_RANGE, "transaction %zu: type %u has %zu fields, expected %zu", i, t->type, n, k_n[t->type]);
  size_t k = 0;
  int bad = 0;
  if (t->type) {
    uint64_t cid;
    if (rlp_get_u64(&f[k++], &cid) || cid != chain_id)
      return ifail(c, FIX_E_INVALID, "transaction %zu: chain id differs from config.chainid %llu", i,
                   (unsigned long long)chain_id);
  }
  bad |= rlp_get_u64(&f[k++], &t->nonce);
  if (t->type >= 2) bad |= rlp_get_u256(&f[k++], t->max_priority_fee.b);
  bad |= rlp_get_u256(&f[k++], t->gas_price.b);
  bad |= rlp_get_u64(&f[k++], &t->gas_limit);
  const rlp_item *to = &f[k++];
  if (to->is_list || (to->len != 0 && to->len != 20)) bad = 1;
  else if (to->len == 0) t->is_create = 1;
  else memcpy(t->to.b, to->p, 20);
  bad |= rlp_get_u256(&f[k++], t->value.b);
  const rlp_item *data = &f[k++];
  if (data->is_list || data->len > BLK_MAX_DATA_BYTES) bad = 1;
  else if (data->len) {
    t->data.data = malloc(data->len);
    if (!t->data.data) return ifail(c, FIX_E_NOMEM, "out of memory");
    memcpy(t->data.data, data->p, data->len);
    t->data.len = data->len;
  }
  if (bad) return ifail(c, FIX_E_RANGE, "transaction %zu: a field is malformed or out of range", i);
  if (t->type >= 1) {
    const rlp_item *al = &f[k++];
    rlp_item ents[1];
    rlp_iter it;
    if (!al->is_list) return ifail(c, FIX_E_TYPE, "transaction %zu: access list is not a list", i);
    size_t cnt = 0;
    rlp_iter_init(&it, al);
    while ((rc = rlp_iter_next(&it, ents, &off)) == 1) cnt++;
    if (rc < 0) return ifail(c, FIX_E_RANGE, "transaction %zu: access list malformed at byte %zu", i, off);
    t->access_list = cnt ? calloc(cnt, sizeof *t->access_list) : NULL;
    if (cnt && !t->access_list) return ifail(c, FIX_E_NOMEM, "out of memory");
    rlp_iter_init(&it, al);
    for (size_t a = 0; a < cnt; a++) {
      rlp_item e, pair[2], key;
      size_t np = 0;
      rlp_iter_next(&it, &e, &off);
      blk_access *d = &t->access_list[t->n_access_list++];
      if (!e.is_list || rlp_list(&e, pair, 2, &np, &off) || np != 2 || rlp_get_fixed(&pair[0], d->address.b, 20) ||
          !pair[1].is_list)
        return ifail(c, FIX_E_RANGE, "transaction %zu: access list entry %zu malformed", i, a);
      size_t nk = 0;
      rlp_iter ki;
      rlp_iter_init(&ki, &pair[1]);
      while ((rc = rlp_iter_next(&ki, &key, &off)) == 1) nk++;
      if (rc < 0) return ifail(c, FIX_E_RANGE, "transaction %zu: access list keys malformed", i);
      d->keys = nk ? calloc(nk, sizeof *d->keys) : NULL;
      if (nk && !d->keys) return ifail(c, FIX_E_NOMEM, "out of memory");
      rlp_iter_init(&ki, &pair[1]);
      for (size_t q = 0; q < nk; q++) {
        rlp_iter_next(&ki, &key, &off);
        if (rlp_get_fixed(&key, d->keys[q].b, 32))
          return ifail(c, FIX_E_RANGE, "transaction %zu: access list key malformed", i);
        d->n_keys++;
      }
    }
  }
  if (t->type == 3) {
    if (rlp_get_u256(&f[k++], t->max_fee_per_blob_gas.b))
      return ifail(c, FIX_E_RANGE, "transaction %zu: maxFeePerBlobGas malformed", i);
    const rlp_item *bh = &f[k++];
    rlp_item h;
    rlp_iter it;
    size_t nb = 0;
    if (!bh->is_list) return ifail(c, FIX_E_TYPE, "transaction %zu: blob hashes not a list", i);
    rlp_iter_init(&it, bh);
    while ((rc = rlp_iter_next(&it, &h, &off)) == 1) nb++;
    if (rc < 0) return ifail(c, FIX_E_RANGE, "transaction %zu: blob hashes malformed", i);
    t->blob_hashes = nb ? calloc(nb, 32) : NULL;
    if (nb && !t->blob_hashes) return ifail(c, FIX_E_NOMEM, "out of memory");
    rlp_iter_init(&it, bh);
    for (size_t q = 0; q < nb; q++) {
      rlp_iter_next(&it, &h, &off);
      if (rlp_get_fixed(&h, t->blob_hashes[q], 32))
        return ifail(c, FIX_E_RANGE, "transaction %zu: blob hash %zu malformed", i, q);
      t->n_blob_hashes++;
    }
  }
  if (t->type == 4) {
    const rlp_item *au = &f[k++];
    rlp_item e;
    rlp_iter it;
    size_t na = 0;
    if (!au->is_list) return ifail(c, FIX_E_TYPE, "transaction %zu: authorization list not a list", i);
    rlp_iter_init(&it, au);
    while ((rc = rlp_iter_next(&it, &e, &off)) == 1) na++;
    if (rc < 0) return ifail(c, FIX_E_RANGE, "transaction %zu: authorization list malformed", i);
    t->auths = na ? calloc(na, sizeof *t->auths) : NULL;
    if (na && !t->auths) return ifail(c, FIX_E_NOMEM, "out of memory");
    rlp_iter_init(&it, au);
    for (size_t q = 0; q < na; q++) {
      rlp_item af[6];
      size_t nf = 0;
      uint64_t y = 0;
      rlp_iter_next(&it, &e, &off);
      blk_auth *a = &t->auths[q];
      if (!e.is_list || rlp_list(&e, af, 6, &nf, &off) || nf != 6 || rlp_get_u256(&af[0], a->chain_id.b) ||
          rlp_get_fixed(&af[1], a->address.b, 20) || rlp_get_u64(&af[2], &a->nonce) || rlp_get_u64(&af[3], &y) ||
          y > 255 || rlp_get_u256(&af[4], a->r.b) || rlp_get_u256(&af[5], a->s.b))
        return ifail(c, FIX_E_RANGE, "transaction %zu: authorization %zu malformed", i, q);
      a->y_parity = (uint8_t)y;
      t->n_auths++;
    }
  }
  if (rlp_get_u256(&f[k++], t->v.b) || rlp_get_u256(&f[k++], t->r.b) || rlp_get_u256(&f[k++], t->s.b))
    return ifail(c, FIX_E_RANGE, "transaction %zu: signature malformed", i);
  t->has_signature = 1;
  t->sender_is_address = 1;
  return FIX_OK;
}

static int same_bytes(const uint8_t *a, size_t al, const uint8_t *b, size_t bl) {
  return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* Sender of a decoded transaction whose signed encoding is raw[0..len): the
 * test-key form when re-signing with that key gives the same bytes. */
static int tx_sender(ictx *c, size_t i, blk_tx *t, uint64_t chain_id, const uint8_t *raw, size_t len) {
  uint8_t h[32], addr[20];
  uint64_t v = 0;
  for (int q = 0; q < 24; q++)
    if (t->v.b[q]) return ifail(c, FIX_E_INVALID, "transaction %zu: v out of range", i);
  for (int q = 24; q < 32; q++) v = v << 8 | t->v.b[q];
  int recid;
  if (t->type) recid = v <= 1 ? (int)v : -1;
  else if (v == 27 || v == 28) recid = (int)(v - 27);
  else recid = v >= 35 + 2 * chain_id && v <= 36 + 2 * chain_id ? (int)(v - 35 - 2 * chain_id) : -1;
  if (recid < 0) return ifail(c, FIX_E_INVALID, "transaction %zu: v does not fit the type and chain id", i);
  if (evm_tx_signing_hash(t, chain_id, h) != EVM_SIG_OK ||
      evm_ecrecover(h, recid, t->r.b, t->s.b, addr) != EVM_SIG_OK)
    return ifail(c, FIX_E_INVALID, "transaction %zu: the signature does not recover a sender", i);
  memcpy(t->sender.b, addr, 20);
  uint32_t key;
  uint8_t *enc = NULL;
  size_t el = 0;
  if (fixj_find_test_key(addr, &key)) {
    blk_tx k = *t;
    k.sender_is_address = 0;
    k.sender_key = key;
    k.has_signature = 0;
    memset(k.v.b, 0, 32);
    memset(k.r.b, 0, 32);
    memset(k.s.b, 0, 32);
    memset(k.sender.b, 0, 20);
    if (evm_tx_encode(&k, chain_id, &enc, &el) == EVM_SIG_OK && same_bytes(enc, el, raw, len)) {
      free(enc);
      *t = k;
      return FIX_OK;
    }
    free(enc);
    enc = NULL;
  }
  if (evm_tx_encode(t, chain_id, &enc, &el) != EVM_SIG_OK || !same_bytes(enc, el, raw, len)) {
    free(enc);
    return ifail(c, FIX_E_UNSUPPORTED, "transaction %zu: re-encoding the decoded fields does not give its bytes", i);
  }
  free(enc);
  return FIX_OK;
}

/* Set (value != 0) or clear a storage slot of the existing account at addr. */
static int pre_set_slot(blk_block *b, const uint8_t addr[20], const uint8_t key[32], const uint8_t val[32]) {
  blk_account *a = (blk_account *)fixj_pre_find(b, addr);
  if (!a) return FIX_E_INVALID;
  int zero = 1;
  for (int i = 0; i < 32; i++) zero &= val[i] == 0;
  size_t lo = 0, hi = a->n_storage;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int cmp = memcmp(a->storage[mid].key.b, key, 32);
    if (cmp == 0) {
      lo = mid;
      hi = mid + 1;
      break;
    }
    if (cmp < 0) lo = mid + 1;
    else hi = mid;
  }
  int found = lo < a->n_storage && memcmp(a->storage[lo].key.b, key, 32) == 0;
  if (found && zero) {
    memmove(&a->storage[lo], &a->storage[lo + 1], (a->n_storage - lo - 1) * sizeof *a->storage);
    a->n_storage--;
  } else if (found) {
    memcpy(a->storage[lo].value.b, val, 32);
  } else if (!zero) {
    blk_slot *s = realloc(a->storage, (a->n_storage + 1) * sizeof *s);
    if (!s) return FIX_E_NOMEM;
    a->storage = s;
    memmove(&s[lo + 1], &s[lo], (a->n_storage - lo) * sizeof *s);
    memcpy(s[lo].key.b, key, 32);
    memcpy(s[lo].value.b, val, 32);
    a->n_storage++;
  }
  return FIX_OK;
}

static void be_u64(uint64_t v, uint8_t out[32]) {
  memset(out, 0, 32);
  for (int i = 0; i < 8; i++) out[31 - i] = (uint8_t)(v >> (8 * i));
}

/* The system calls a client makes before the transactions, where their
 * contract has code: EIP-4788 and (Prague on) EIP-2935. */
static int apply_system_calls(blk_block *b, const fixb_header *h) {
  uint8_t k[32], v[32];
  const blk_account *a = fixj_pre_find(b, k_sys[SYS_BEACON].addr);
  if (a && a->code_ref) {
    uint64_t slot = h->timestamp % HISTORY_WINDOW;
    be_u64(slot, k);
    be_u64(h->timestamp, v);
    int rc = pre_set_slot(b, k_sys[SYS_BEACON].addr, k, v);
    be_u64(slot + HISTORY_WINDOW, k);
    if (!rc) rc = pre_set_slot(b, k_sys[SYS_BEACON].addr, k, h->beacon_root);
    if (rc) return rc;
  }
  a = fixj_pre_find(b, k_sys[SYS_HISTORY].addr);
  if (b->env.fork >= BLK_FORK_PRAGUE && a && a->code_ref) {
    be_u64((h->number - 1) % HISTORY_WINDOW, k);
    int rc = pre_set_slot(b, k_sys[SYS_HISTORY].addr, k, h->parent_hash);
    if (rc) return rc;
  }
  return FIX_OK;
}

typedef struct {
  fixb_case *v;
  size_t n, cap;
} case_vec;

static fixb_case *case_push(case_vec *cv, const char *test, const char *network, size_t index) {
  if (cv->n == cv->cap) {
    size_t nc = cv->cap ? cv->cap * 2 : 8;
    fixb_case *p = realloc(cv->v, nc * sizeof *p);
    if (!p) return NULL;
    cv->v = p;
    cv->cap = nc;
  }
  fixb_case *c = &cv->v[cv->n];
  memset(c, 0, sizeof *c);
  c->test = strdup(test);
  if (!c->test) return NULL;
  snprintf(c->network, sizeof c->network, "%s", network);
  c->block_index = index;
  cv->n++;
  return c;
}

static void case_free(fixb_case *c) {
  free(c->test);
  blk_free(&c->block);
  memset(c, 0, sizeof *c);
}

/* A deep copy of the accounts and codes of src into *dst (zeroed here; on
 * failure left for blk_free). */
static int pre_clone(const blk_block *src, blk_block *dst) {
  memset(dst, 0, sizeof *dst);
  dst->version = BLK_VERSION;
  dst->env.fork = src->env.fork;
  if (src->n_codes && !(dst->codes = calloc(src->n_codes, sizeof *dst->codes))) return FIX_E_NOMEM;
  for (size_t i = 0; i < src->n_codes; i++) {
    if (!(dst->codes[i].data = malloc(src->codes[i].len ? src->codes[i].len : 1))) return FIX_E_NOMEM;
    memcpy(dst->codes[i].data, src->codes[i].data, src->codes[i].len);
    dst->codes[i].len = src->codes[i].len;
    dst->n_codes = i + 1;
  }
  if (src->n_accounts && !(dst->accounts = calloc(src->n_accounts, sizeof *dst->accounts))) return FIX_E_NOMEM;
  for (size_t i = 0; i < src->n_accounts; i++) {
    const blk_account *a = &src->accounts[i];
    blk_account *d = &dst->accounts[i];
    *d = *a;
    d->storage = NULL;
    d->n_storage = 0;
    dst->n_accounts = i + 1;
    if (a->n_storage) {
      if (!(d->storage = malloc(a->n_storage * sizeof *d->storage))) return FIX_E_NOMEM;
      memcpy(d->storage, a->storage, a->n_storage * sizeof *d->storage);
      d->n_storage = a->n_storage;
    }
  }
  return FIX_OK;
}

/* One EIP-4895 withdrawal: the part that changes the state. */
typedef struct {
  uint8_t addr[20];
  uint64_t gwei;
} withdrawal;

/* Credit w[0..n) to the pre-state p as a client does after the transactions:
 * balance + amount * 10^9 wei; an account left empty (nonce 0, balance 0, no
 * code) is deleted, and a zero amount creates no account. */
static int apply_withdrawals(blk_block *p, const withdrawal *w, size_t n) {
  mpz_t z, add;
  mpz_inits(z, add, NULL);
  int rc = FIX_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    size_t lo = 0, hi = p->n_accounts;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (memcmp(p->accounts[mid].address.b, w[i].addr, 20) < 0) lo = mid + 1;
      else hi = mid;
    }
    int found = lo < p->n_accounts && memcmp(p->accounts[lo].address.b, w[i].addr, 20) == 0;
    if (!found && w[i].gwei == 0) continue;
    if (!found) {
      blk_account *q = realloc(p->accounts, (p->n_accounts + 1) * sizeof *q);
      if (!q) {
        rc = FIX_E_NOMEM;
        break;
      }
      p->accounts = q;
      memmove(&q[lo + 1], &q[lo], (p->n_accounts - lo) * sizeof *q);
      memset(&q[lo], 0, sizeof *q);
      memcpy(q[lo].address.b, w[i].addr, 20);
      p->n_accounts++;
    }
    blk_account *a = &p->accounts[lo];
    mpz_from_be(z, a->balance.b);
    mpz_set_ui(add, 1000000000u);
    mpz_mul_ui(add, add, w[i].gwei);
    mpz_add(z, z, add);
    if (mpz_to_be(z, a->balance.b) != 0) rc = FIX_E_RANGE;
    int zero = 1;
    for (int q = 0; q < 32; q++) zero &= a->balance.b[q] == 0;
    if (!rc && zero && a->nonce == 0 && a->code_ref == 0) { /* EIP-161: touched and empty */
      free(a->storage);
      memmove(a, a + 1, (p->n_accounts - lo - 1) * sizeof *a);
      p->n_accounts--;
    }
  }
  mpz_clears(z, add, NULL);
  return rc;
}

/* Withdrawals of a block body item ([[index, validatorIndex, address, amount], ...]). */
static int read_withdrawals(ictx *c, const rlp_item *list, withdrawal **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!list->is_list) return ifail(c, FIX_E_TYPE, "withdrawals are not a list");
  size_t cnt = 0, off = 0;
  rlp_iter it;
  rlp_item e;
  int rc;
  rlp_iter_init(&it, list);
  while ((rc = rlp_iter_next(&it, &e, &off)) == 1) cnt++;
  if (rc < 0) return ifail(c, FIX_E_RANGE, "withdrawals malformed at byte %zu", off);
  if (!cnt) return FIX_OK;
  withdrawal *w = calloc(cnt, sizeof *w);
  if (!w) return ifail(c, FIX_E_NOMEM, "out of memory");
  rlp_iter_init(&it, list);
  for (size_t i = 0; i < cnt; i++) {
    rlp_item f[4];
    size_t nf = 0;
    uint64_t idx, val;
    rlp_iter_next(&it, &e, &off);
    if (!e.is_list || rlp_list(&e, f, 4, &nf, &off) || nf != 4 || rlp_get_u64(&f[0], &idx) ||
        rlp_get_u64(&f[1], &val) || rlp_get_fixed(&f[2], w[i].addr, 20) || rlp_get_u64(&f[3], &w[i].gwei)) {
      free(w);
      return ifail(c, FIX_E_RANGE, "withdrawal %zu malformed at byte %zu", i, e.offset);
    }
  }
  *out = w;
  *n = cnt;
  return FIX_OK;
}

/* The chain an import follows through a fixture's blocks. */
typedef struct {
  blk_block pre;             /* the state the next block runs on (accounts and codes) */
  fixb_header parent;        /* header of the last block taken (the genesis at first) */
  uint8_t parent_hash[32];
  size_t parent_index;       /* its position in blocks[]; SIZE_MAX: the genesis */
  blk_hash_entry anc[256];   /* hashes of the last 256 blocks taken, ascending */
  size_t n_anc;
  char stop[FIX_SKIP_MAX];   /* non-empty: later blocks are skipped, and why */
  char caveat[FIX_SKIP_MAX]; /* non-empty: why later roots may differ from their headers */
} chain_st;

static void chain_push_hash(chain_st *ch, uint64_t number, const uint8_t hash[32]) {
  if (ch->n_anc == 256) {
    memmove(ch->anc, ch->anc + 1, 255 * sizeof *ch->anc);
    ch->n_anc = 255;
  }
  ch->anc[ch->n_anc].number = number;
  memcpy(ch->anc[ch->n_anc].hash, hash, 32);
  ch->n_anc++;
}

/* Whether p holds code at the EIP-7002 or EIP-7251 contract (Prague on): a
 * client calls them after the transactions, this executor does not. */
static int has_request_contracts(const blk_block *p, blk_fork fork) {
  for (size_t i = 2; i < 4; i++) {
    const blk_account *a = fixj_pre_find(p, k_sys[i].addr);
    if (a && a->code_ref && fork >= k_sys[i].first_fork) return 1;
  }
  return 0;
}

/* Block k of a fixture into *fc, on the chain's state; the chain then moves
 * on to the state after it (or records why it stops). */
static int read_block(ictx *c, const cJSON *jb, size_t k, chain_st *ch, uint64_t chain_id, blk_fork fork,
                      fixb_case *fc) {
  blk_block *b = &fc->block;
  uint8_t *raw = NULL;
  size_t rawlen = 0;
  rlp_item whole, parts[6], txs;
  size_t np = 0, off = 0;
  withdrawal *wd = NULL;
  size_t n_wd = 0;
  evm_block_result r0, r1, r2;
  int ran0 = 0, ran1 = 0, ran2 = 0;
  blk_block next;
  memset(&next, 0, sizeof next);
  char path[48];
  snprintf(path, sizeof path, "blocks[%zu].rlp", k);
  int rc = json_hex(c, jb, "rlp", path, &raw, &rawlen);
  if (rc) return rc;
  c->path = path;
  if (rlp_decode_whole(raw, rawlen, &whole, &off) != RLP_OK) {
    rc = ifail(c, FIX_E_RANGE, "malformed RLP at byte %zu", off);
    goto out;
  }
  if ((rc = get_item(c, &whole, parts, 6, &np, "block")) != 0) goto out;
  if (np != 4) {
    snprintf(fc->skip, sizeof fc->skip, "block body has %zu items (a block with withdrawals has 4)", np);
    snprintf(ch->stop, sizeof ch->stop, "the chain stops at block %zu, whose body has %zu items", k, np);
    goto out;
  }
  fixb_header h;
  if (fixb_header_decode(raw + parts[0].offset, parts[0].total, &h, &off) != 0) {
    rc = ifail(c, FIX_E_RANGE, "header malformed at byte %zu", off);
    goto out;
  }
  keccak256(raw + parts[0].offset, parts[0].total, fc->block_hash);
  memcpy(fc->header_state_root, h.state_root, 32);
  fc->header_gas_used = h.gas_used;
  if (memcmp(h.parent_hash, ch->parent_hash, 32) != 0) {
    for (size_t i = 0; i + 1 < ch->n_anc; i++)
      if (memcmp(ch->anc[i].hash, h.parent_hash, 32) == 0) {
        /* a side chain from an older block: a client may reorganise to it;
         * this importer follows one line of blocks only */
        snprintf(fc->skip, sizeof fc->skip, "block on a side chain (its parent is block number %llu, not the last "
                 "valid block)", (unsigned long long)ch->anc[i].number);
        snprintf(ch->stop, sizeof ch->stop, "the chain stops at block %zu, which starts a side chain (not followed)",
                 k);
        goto out;
      }
    if (ch->parent_index == SIZE_MAX) rc = ifail(c, FIX_E_INVALID, "header parentHash is not the genesis hash");
    else
      rc = ifail(c, FIX_E_INVALID, "header parentHash is not the hash of block %zu (the last valid block before it)",
                 ch->parent_index);
    goto out;
  }
  if (!h.number) {
    rc = ifail(c, FIX_E_INVALID, "block number 0 after a genesis");
    goto out;
  }
  if (h.number != ch->parent.number + 1) {
    rc = ifail(c, FIX_E_INVALID, "header number %llu does not follow its parent's %llu", (unsigned long long)h.number,
               (unsigned long long)ch->parent.number);
    goto out;
  }
  if (h.n_fields != fixb_header_fields(fork)) {
    snprintf(fc->skip, sizeof fc->skip, "header has %u fields, %s has %u", h.n_fields, blk_fork_name(fork),
             fixb_header_fields(fork));
    snprintf(ch->stop, sizeof ch->stop, "the chain stops at block %zu, whose header has %u fields, not %s's", k,
             h.n_fields, blk_fork_name(fork));
    goto out;
  }
  if (parts[2].len) {
    snprintf(fc->skip, sizeof fc->skip, "block has ommers (uncleHeaders), which a .blk cannot carry");
    snprintf(ch->stop, sizeof ch->stop, "the chain stops at block %zu, which has ommers", k);
    goto out;
  }
  if ((rc = read_withdrawals(c, &parts[3], &wd, &n_wd)) != 0) goto out;
  blk_env *e = &b->env;
  e->chain_id = chain_id;
  e->number = h.number;
  e->timestamp = h.timestamp;
  e->gas_limit = h.gas_limit;
  e->base_fee = h.base_fee;
  memcpy(e->coinbase.b, h.coinbase, 20);
  memcpy(e->prevrandao, h.mix_hash, 32);
  e->excess_blob_gas = h.excess_blob_gas;
  txs = parts[1];
  if (!txs.is_list) {
    rc = ifail(c, FIX_E_TYPE, "transactions are not a list");
    goto out;
  }
  size_t nt = 0;
  rlp_iter it;
  rlp_item ti;
  rlp_iter_init(&it, &txs);
  while ((rc = rlp_iter_next(&it, &ti, &off)) == 1) nt++;
  if (rc < 0) {
    rc = ifail(c, FIX_E_RANGE, "transactions malformed at byte %zu", off);
    goto out;
  }
  rc = FIX_OK;
  b->txs = nt ? calloc(nt, sizeof *b->txs) : NULL;
  if (nt && !b->txs) {
    rc = ifail(c, FIX_E_NOMEM, "out of memory");
    goto out;
  }
  rlp_iter_init(&it, &txs);
  for (size_t i = 0; i < nt; i++) {
    rlp_iter_next(&it, &ti, &off);
    b->n_txs = i + 1;
    if ((rc = tx_fields(c, i, &ti, chain_id, &b->txs[i])) != 0) goto out;
    const uint8_t *tr = ti.is_list ? raw + ti.offset : ti.p;
    size_t tl = ti.is_list ? ti.total : ti.len;
    if ((rc = tx_sender(c, i, &b->txs[i], chain_id, tr, tl)) != 0) goto out;
  }
  if ((rc = apply_system_calls(b, &h)) != 0) {
    rc = ifail(c, rc, "applying the system calls failed");
    goto out;
  }
  blk_error be;
  if (blk_validate(b, &be) != BLK_OK) {
    rc = ifail(c, FIX_E_BLOCK, "the block built is invalid: %s", be.msg);
    goto out;
  }
  /* Block hashes: none when the outcome does not depend on them; else N-1
   * alone when that gives the outcome all the chain's ancestors (256 back)
   * give; else all of those. */
  size_t w0 = 0;
  while (w0 < ch->n_anc && ch->anc[w0].number + 256 < h.number) w0++;
  blk_hash_entry *win = ch->anc + w0;
  size_t n_win = ch->n_anc - w0;
  int e0 = exec_with_hashes(b, NULL, 0, &r0), e1 = EVM_OK, e2 = EVM_OK;
  ran0 = 1;
  if (e0 == EVM_OK && n_win) {
    e1 = exec_with_hashes(b, win, n_win, &r1);
    ran1 = 1;
  }
  const evm_block_result *use = &r0;
  if (e0 == EVM_E_UNSUPPORTED_PRECOMPILE || e1 == EVM_E_UNSUPPORTED_PRECOMPILE) {
    fc->exec_matches = 0;
    snprintf(fc->note, sizeof fc->note, "not executed to the end here: it calls a precompile this build lacks");
    snprintf(ch->stop, sizeof ch->stop,
             "the chain stops at block %zu, which calls a precompile this build lacks (the state after it is unknown)",
             k);
    goto done;
  }
  if (e0 != EVM_OK || e1 != EVM_OK) {
    rc = ifail(c, FIX_E_NOMEM, "executor failed: %s", evm_strerror(e0 ? e0 : e1));
    goto out;
  }
  if (ran1 && !same_result(&r0, &r1)) {
    use = &r1;
    size_t pick = n_win;
    if (n_win > 1 && win[n_win - 1].number == h.number - 1) {
      e2 = exec_with_hashes(b, &win[n_win - 1], 1, &r2);
      ran2 = 1;
      if (e2 == EVM_OK && same_result(&r1, &r2)) pick = 1;
    }
    b->env.block_hashes = malloc(pick * sizeof *b->env.block_hashes);
    if (!b->env.block_hashes) {
      rc = ifail(c, FIX_E_NOMEM, "out of memory");
      goto out;
    }
    memcpy(b->env.block_hashes, win + (n_win - pick), pick * sizeof *win);
    b->env.n_block_hashes = pick;
  }
  /* The chain moves on: the executor's post-state, then the withdrawals. */
  if (fixx_state_dump(use->state, &next) != FIXX_OK) {
    rc = ifail(c, FIX_E_NOMEM, "reading the post-state back failed");
    goto out;
  }
  next.env.fork = fork;
  uint8_t root[32];
  memcpy(root, use->state_root, 32);
  if (n_wd) {
    if ((rc = apply_withdrawals(&next, wd, n_wd)) != 0) {
      rc = ifail(c, rc, "crediting the withdrawals failed");
      goto out;
    }
    if (pre_root(&next, root) != FIXX_OK) {
      rc = ifail(c, FIX_E_NOMEM, "state root after the withdrawals failed");
      goto out;
    }
  }
  int root_ok = memcmp(root, h.state_root, 32) == 0, gas_ok = use->gas_used == h.gas_used;
  fc->exec_matches = root_ok && gas_ok;
  if (ch->caveat[0]) snprintf(fc->note, sizeof fc->note, "%s", ch->caveat);
  if (!fc->exec_matches) {
    if (gas_ok && has_request_contracts(&next, fork)) {
      snprintf(fc->note, sizeof fc->note,
               "state root differs from the header's, as expected: the EIP-7002/7251 system calls after the "
               "transactions are not executed here");
      if (!ch->caveat[0])
        snprintf(ch->caveat, sizeof ch->caveat,
                 "runs on this executor's state, which lacks the EIP-7002/7251 system calls of block %zu on", k);
    } else {
      snprintf(fc->note, sizeof fc->note, "this executor's %s differs from the header's: the chain diverges here",
               gas_ok ? "state root" : "gas used");
      snprintf(ch->stop, sizeof ch->stop,
               "the chain diverged at block %zu: it executes to a %s other than its header's", k,
               gas_ok ? "state root" : "gas used");
    }
  }
  blk_free(&ch->pre);
  ch->pre = next;
  memset(&next, 0, sizeof next);
done:
  ch->parent = h;
  memcpy(ch->parent_hash, fc->block_hash, 32);
  ch->parent_index = k;
  chain_push_hash(ch, h.number, fc->block_hash);
  if (n_wd)
    snprintf(fc->skip, sizeof fc->skip,
             "block has withdrawals, which a .blk cannot carry (the chain goes on through it, crediting them)");
out:
  if (ran0) evm_block_result_free(&r0);
  if (ran1) evm_block_result_free(&r1);
  if (ran2) evm_block_result_free(&r2);
  blk_free(&next);
  free(wd);
  c->path = NULL;
  free(raw);
  return rc;
}

static int read_fixture(ictx *c, const cJSON *t, case_vec *cv) {
  const cJSON *net = cJSON_GetObjectItemCaseSensitive(t, "network");
  const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(t, "blocks");
  const cJSON *pre = cJSON_GetObjectItemCaseSensitive(t, "pre");
  c->path = "network";
  if (!net) return ifail(c, FIX_E_MISSING, "required field is absent");
  if (!cJSON_IsString(net)) return ifail(c, FIX_E_TYPE, "expected a string");
  c->path = "blocks";
  if (!blocks) return ifail(c, FIX_E_MISSING, "required field is absent");
  if (!cJSON_IsArray(blocks)) return ifail(c, FIX_E_TYPE, "expected an array");
  c->path = "pre";
  if (!pre) return ifail(c, FIX_E_MISSING, "required field is absent");
  c->path = NULL;
  size_t nb = (size_t)cJSON_GetArraySize(blocks);
  if (nb == 0) {
    c->path = "blocks";
    return ifail(c, FIX_E_MISSING, "no blocks");
  }
  uint64_t chain_id = 1;
  const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(t, "config");
  const cJSON *cid = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, "chainid") : NULL;
  if (cid) {
    c->path = "config.chainid";
    if (!cJSON_IsString(cid) || fix_hex_u64(cid->valuestring, &chain_id) != FIX_OK)
      return ifail(c, FIX_E_HEX, "expected a hex quantity below 2^64");
    c->path = NULL;
  }
  blk_fork fork = BLK_FORK_CANCUN;
  char reason[FIX_SKIP_MAX] = "";
  if (blk_fork_from_name(net->valuestring, &fork) != BLK_OK)
    snprintf(reason, sizeof reason, "network '%.60s' is not a fork pkbench models (Cancun, Prague, Osaka)",
             net->valuestring);
  const cJSON *seal = cJSON_GetObjectItemCaseSensitive(t, "sealEngine");
  if (!reason[0] && seal && (!cJSON_IsString(seal) || strcmp(seal->valuestring, "NoProof") != 0))
    snprintf(reason, sizeof reason, "sealEngine is not NoProof");
  if (reason[0]) {
    for (size_t k = 0; k < nb; k++) {
      fixb_case *fc = case_push(cv, c->test, net->valuestring, k);
      if (!fc) return ifail(c, FIX_E_NOMEM, "out of memory");
      snprintf(fc->skip, sizeof fc->skip, "%s", reason);
    }
    return FIX_OK;
  }
  /* genesis: its header and the pre-state it commits to */
  chain_st *ch = calloc(1, sizeof *ch);
  if (!ch) return ifail(c, FIX_E_NOMEM, "out of memory");
  uint8_t *graw = NULL;
  size_t glen = 0;
  int rc = json_hex(c, t, "genesisRLP", NULL, &graw, &glen);
  if (rc) goto out;
  rlp_item gw, gp[6];
  size_t ng = 0, off = 0;
  c->path = "genesisRLP";
  if (rlp_decode_whole(graw, glen, &gw, &off) != RLP_OK || !gw.is_list || rlp_list(&gw, gp, 6, &ng, &off) != RLP_OK ||
      ng < 3 || fixb_header_decode(graw + gp[0].offset, gp[0].total, &ch->parent, &off) != 0) {
    free(graw);
    rc = ifail(c, FIX_E_RANGE, "malformed genesis block RLP near byte %zu", off);
    goto out;
  }
  keccak256(graw + gp[0].offset, gp[0].total, ch->parent_hash);
  free(graw);
  c->path = NULL;
  ch->parent_index = SIZE_MAX;
  chain_push_hash(ch, ch->parent.number, ch->parent_hash);
  ch->pre.version = BLK_VERSION;
  ch->pre.env.fork = fork;
  if ((rc = fix_read_alloc(pre, c->file, c->test, "pre", &ch->pre, c->err)) != 0) goto out;
  uint8_t root[32];
  if (pre_root(&ch->pre, root) != FIXX_OK) {
    rc = ifail(c, FIX_E_NOMEM, "pre-state root failed");
    goto out;
  }
  if (memcmp(root, ch->parent.state_root, 32) != 0) {
    c->path = "pre";
    rc = ifail(c, FIX_E_INVALID, "its state root differs from the genesis header's stateRoot");
    goto out;
  }
  for (size_t k = 0; k < nb; k++) {
    fixb_case *fc = case_push(cv, c->test, net->valuestring, k);
    if (!fc) {
      rc = ifail(c, FIX_E_NOMEM, "out of memory");
      goto out;
    }
    if (ch->stop[0]) {
      snprintf(fc->skip, sizeof fc->skip, "%s", ch->stop);
      continue;
    }
    const cJSON *jb = cJSON_GetArrayItem(blocks, (int)k);
    if (!cJSON_IsObject(jb)) {
      char path[32];
      snprintf(path, sizeof path, "blocks[%zu]", k);
      c->path = path;
      rc = ifail(c, FIX_E_TYPE, "expected an object");
      c->path = NULL;
      goto out;
    }
    if (cJSON_GetObjectItemCaseSensitive(jb, "expectException")) {
      snprintf(fc->skip, sizeof fc->skip,
               "block %zu is expected to be invalid (expectException); the chain goes on from its parent", k);
      continue;
    }
    if ((rc = pre_clone(&ch->pre, &fc->block)) != FIX_OK) {
      rc = ifail(c, FIX_E_NOMEM, "out of memory");
      goto out;
    }
    fc->block.env.fork = fork;
    if ((rc = read_block(c, jb, k, ch, chain_id, fork, fc)) != 0) goto out;
    if (fc->skip[0]) blk_free(&fc->block);
  }
out:
  blk_free(&ch->pre);
  free(ch);
  return rc;
}

int fixb_parse(const char *json, size_t len, const char *name, fixb_file *out, fix_error *err) {
  memset(out, 0, sizeof *out);
  ictx c = {name ? name : "(fixture)", NULL, NULL, err};
  if (err) {
    err->code = FIX_OK;
    err->msg[0] = 0;
  }
  cJSON *root = cJSON_ParseWithLength(json, len);
  if (!root) return ifail(&c, FIX_E_JSON, "malformed JSON");
  int rc = FIX_OK;
  case_vec cv = {NULL, 0, 0};
  if (!cJSON_IsObject(root)) rc = ifail(&c, FIX_E_TYPE, "top level must be an object of tests");
  if (!rc && !root->child) rc = ifail(&c, FIX_E_MISSING, "no tests in file");
  size_t nt = 0;
  for (const cJSON *t = rc ? NULL : root->child; t && !rc; t = t->next, nt++) {
    c.test = t->string ? t->string : "";
    if (!cJSON_IsObject(t)) rc = ifail(&c, FIX_E_TYPE, "a test must be an object");
    else rc = read_fixture(&c, t, &cv);
    c.test = NULL;
  }
  cJSON_Delete(root);
  if (!rc && !(out->path = strdup(c.file))) rc = ifail(&c, FIX_E_NOMEM, "out of memory");
  if (rc) {
    for (size_t i = 0; i < cv.n; i++) case_free(&cv.v[i]);
    free(cv.v);
    free(out->path);
    memset(out, 0, sizeof *out);
    return rc;
  }
  out->cases = cv.v;
  out->n_cases = cv.n;
  out->n_tests = nt;
  return FIX_OK;
}

static int read_text(const char *path, char **buf, size_t *len) {
  uint8_t *b = NULL;
  size_t n = 0;
  if (blk_read_bytes(path, &b, &n) != BLK_OK) return -1;
  *buf = (char *)b;
  *len = n;
  return 0;
}

int fixb_load(const char *path, fixb_file *out, fix_error *err) {
  memset(out, 0, sizeof *out);
  char *buf;
  size_t len;
  if (read_text(path, &buf, &len)) {
    ictx c = {path, NULL, NULL, err};
    return ifail(&c, FIX_E_IO, "cannot read file");
  }
  int rc = fixb_parse(buf, len, path, out, err);
  free(buf);
  return rc;
}

void fixb_file_free(fixb_file *f) {
  if (!f) return;
  for (size_t i = 0; i < f->n_cases; i++) case_free(&f->cases[i]);
  free(f->cases);
  free(f->path);
  memset(f, 0, sizeof *f);
}

fix_kind fix_detect_kind(const char *json, size_t len) {
  cJSON *root = cJSON_ParseWithLength(json, len);
  fix_kind k = FIX_KIND_UNKNOWN;
  const cJSON *t = root && cJSON_IsObject(root) ? root->child : NULL;
  if (t && cJSON_IsObject(t)) {
    if (cJSON_GetObjectItemCaseSensitive(t, "genesisBlockHeader") || cJSON_GetObjectItemCaseSensitive(t, "blocks"))
      k = FIX_KIND_BLOCKCHAIN;
    else if (cJSON_GetObjectItemCaseSensitive(t, "env") && cJSON_GetObjectItemCaseSensitive(t, "post"))
      k = FIX_KIND_STATE;
  }
  cJSON_Delete(root);
  return k;
}
