/* conformance: the state-test runner (contract in conformance.h).
 *
 * Files are handled one at a time (import, run every case, free), so memory
 * stays at one fixture file whatever the size of the suite. The suite is a few
 * thousand cases; the cost is in execution, not here. The expected post-state,
 * where a fixture has one, is consulted only after a root mismatch, to turn a
 * bare "roots differ" into the first account that differs.
 */
#include "conformance.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evm/evm.h"
#include "evm/txsig.h"
#include "trace/trace.h"

/* Folder nesting followed before giving up (guards against link cycles). */
#define CONF_MAX_DEPTH 64

const char *conf_verdict_name(conf_verdict v) {
  switch (v) {
    case CONF_PASS: return "pass";
    case CONF_FAIL: return "fail";
    case CONF_SKIP: return "skip";
  }
  return "?";
}

static void say(char *buf, size_t len, const char *fmt, ...) {
  if (!buf || !len) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
}

/* ---- collecting files ---- */

typedef struct {
  char **v;
  size_t n, cap;
  int nomem;
} str_vec;

static void sv_push_owned(str_vec *s, char *p) {
  if (!p) {
    s->nomem = 1;
    return;
  }
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 64;
    char **nv = realloc(s->v, nc * sizeof *nv);
    if (!nv) {
      free(p);
      s->nomem = 1;
      return;
    }
    s->v = nv;
    s->cap = nc;
  }
  s->v[s->n++] = p;
}

static int ends_with_json(const char *name) {
  size_t n = strlen(name);
  return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static char *join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  int slash = a && dir[a - 1] == '/';
  char *p = malloc(a + b + 2);
  if (!p) return NULL;
  memcpy(p, dir, a);
  if (!slash) p[a++] = '/';
  memcpy(p + a, name, b + 1);
  return p;
}

static int walk(const char *dir, int depth, str_vec *out, char *err, size_t err_len) {
  if (depth > CONF_MAX_DEPTH) {
    say(err, err_len, "%s: folders nested too deep", dir);
    return CONF_E_PATH;
  }
  DIR *d = opendir(dir);
  if (!d) {
    say(err, err_len, "%s: %s", dir, strerror(errno));
    return CONF_E_PATH;
  }
  int rc = CONF_OK;
  struct dirent *e;
  while (rc == CONF_OK && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue; /* ".", ".." and hidden entries */
    char *p = join(dir, e->d_name);
    if (!p) {
      rc = CONF_E_NOMEM;
      break;
    }
    struct stat st;
    if (stat(p, &st) != 0) {
      free(p); /* a dangling link is not a fixture */
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      rc = walk(p, depth + 1, out, err, err_len);
      free(p);
    } else if (S_ISREG(st.st_mode) && ends_with_json(e->d_name)) {
      sv_push_owned(out, p);
      if (out->nomem) rc = CONF_E_NOMEM;
    } else {
      free(p);
    }
  }
  closedir(d);
  if (rc == CONF_E_NOMEM) say(err, err_len, "out of memory");
  return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void conf_files_free(char **files, size_t n) {
  for (size_t i = 0; files && i < n; i++) free(files[i]);
  free(files);
}

int conf_collect(const char *const *paths, size_t n_paths, char ***files, size_t *n_files, char *err,
                 size_t err_len) {
  str_vec sv = {NULL, 0, 0, 0};
  *files = NULL;
  *n_files = 0;
  int rc = CONF_OK;
  for (size_t i = 0; i < n_paths && rc == CONF_OK; i++) {
    struct stat st;
    if (stat(paths[i], &st) != 0) {
      say(err, err_len, "%s: %s", paths[i], strerror(errno));
      rc = CONF_E_PATH;
    } else if (S_ISDIR(st.st_mode)) {
      size_t before = sv.n;
      rc = walk(paths[i], 0, &sv, err, err_len);
      if (rc == CONF_OK && sv.n == before) {
        say(err, err_len, "%s: no *.json fixture found", paths[i]);
        rc = CONF_E_PATH;
      }
    } else if (S_ISREG(st.st_mode)) {
      sv_push_owned(&sv, strdup(paths[i]));
      if (sv.nomem) {
        say(err, err_len, "out of memory");
        rc = CONF_E_NOMEM;
      }
    } else {
      say(err, err_len, "%s: not a file or folder", paths[i]);
      rc = CONF_E_PATH;
    }
  }
  if (rc != CONF_OK) {
    conf_files_free(sv.v, sv.n);
    return rc;
  }
  if (sv.n > 1) qsort(sv.v, sv.n, sizeof *sv.v, cmp_str);
  size_t k = 0;
  for (size_t i = 0; i < sv.n; i++) {
    if (k && strcmp(sv.v[k - 1], sv.v[i]) == 0) free(sv.v[i]);
    else sv.v[k++] = sv.v[i];
  }
  *files = sv.v;
  *n_files = k;
  return CONF_OK;
}

/* ---- judging one case ---- */

static void hex(char *out, const uint8_t *b, size_t n) {
  static const char d[] = "0123456789abcdef";
  out[0] = '0';
  out[1] = 'x';
  for (size_t i = 0; i < n; i++) {
    out[2 + 2 * i] = d[b[i] >> 4];
    out[3 + 2 * i] = d[b[i] & 15];
  }
  out[2 + 2 * n] = 0;
}

static const fix_account *find_expected(const fix_case *c, const uint8_t addr[20]) {
  size_t lo = 0, hi = c->n_post_state;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int r = memcmp(c->post_state[mid].address.b, addr, 20);
    if (r == 0) return &c->post_state[mid];
    if (r < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

static const blk_account *find_pre(const blk_block *b, const uint8_t addr[20]) {
  for (size_t i = 0; i < b->n_accounts; i++)
    if (memcmp(b->accounts[i].address.b, addr, 20) == 0) return &b->accounts[i];
  return NULL;
}

/* First difference between one expected account and the executor's. 1 when
 * one was written to out. */
static int diff_account(const evm_state *s, const fix_case *c, const fix_account *a, char *out, size_t len) {
  char ah[43], x[67], y[67];
  hex(ah, a->address.b, 20);
  int exists = 0;
  uint64_t nonce = 0;
  uint8_t bal[32];
  const uint8_t *code = NULL;
  size_t code_len = 0;
  if (evm_state_account(s, a->address.b, &exists, &nonce, bal, &code, &code_len) != 0 || !exists) {
    say(out, len, "account %s missing from the post-state", ah);
    return 1;
  }
  if (nonce != a->nonce) {
    say(out, len, "account %s nonce %llu, expected %llu", ah, (unsigned long long)nonce,
        (unsigned long long)a->nonce);
    return 1;
  }
  if (memcmp(bal, a->balance.b, 32) != 0) {
    hex(x, bal, 32);
    hex(y, a->balance.b, 32);
    say(out, len, "account %s balance %s, expected %s", ah, x, y);
    return 1;
  }
  if (code_len != a->code.len || (code_len && memcmp(code, a->code.data, code_len) != 0)) {
    say(out, len, "account %s code differs (%zu bytes, expected %zu)", ah, code_len, a->code.len);
    return 1;
  }
  uint8_t v[32];
  for (size_t i = 0; i < a->n_storage; i++) {
    evm_state_storage(s, a->address.b, a->storage[i].key.b, v);
    if (memcmp(v, a->storage[i].value.b, 32) != 0) {
      hex(x, a->storage[i].key.b, 32);
      hex(y, v, 32);
      say(out, len, "account %s storage[%s] = %s, expected another value", ah, x, y);
      return 1;
    }
  }
  /* slots set before the transaction and absent from the expected state must be zero now */
  const blk_account *pre = find_pre(&c->block, a->address.b);
  for (size_t i = 0; pre && i < pre->n_storage; i++) {
    int listed = 0;
    for (size_t j = 0; j < a->n_storage && !listed; j++)
      listed = memcmp(a->storage[j].key.b, pre->storage[i].key.b, 32) == 0;
    if (listed) continue;
    evm_state_storage(s, a->address.b, pre->storage[i].key.b, v);
    for (size_t k = 0; k < 32; k++) {
      if (v[k]) {
        hex(x, pre->storage[i].key.b, 32);
        say(out, len, "account %s storage[%s] should be zero", ah, x);
        return 1;
      }
    }
  }
  return 0;
}

/* The first account that differs from the fixture's expected post-state,
 * among those listed there and those the block names. */
static int first_diff(const evm_state *s, const fix_case *c, char *out, size_t len) {
  for (size_t i = 0; i < c->n_post_state; i++)
    if (diff_account(s, c, &c->post_state[i], out, len)) return 1;
  const blk_block *b = &c->block;
  for (size_t i = 0; i <= b->n_accounts + 2; i++) {
    uint8_t addr[20];
    if (i < b->n_accounts) {
      memcpy(addr, b->accounts[i].address.b, 20);
    } else if (i == b->n_accounts) {
      memcpy(addr, b->env.coinbase.b, 20);
    } else if (i == b->n_accounts + 1) {
      if (b->txs[0].is_create) continue;
      memcpy(addr, b->txs[0].to.b, 20);
    } else {
      if (evm_tx_sender(&b->txs[0], b->env.chain_id, addr) != EVM_SIG_OK) continue;
    }
    if (find_expected(c, addr)) continue;
    int exists = 0;
    uint64_t nonce;
    uint8_t bal[32];
    const uint8_t *code;
    size_t code_len;
    if (evm_state_account(s, addr, &exists, &nonce, bal, &code, &code_len) == 0 && exists) {
      char ah[43];
      hex(ah, addr, 20);
      say(out, len, "account %s exists but is not in the expected post-state", ah);
      return 1;
    }
  }
  return 0;
}

conf_verdict conf_trace_case(const fix_case *c, char *detail, size_t detail_len) {
  say(detail, detail_len, "%s", "");
  trace_collector t;
  trace_init_opts(&t, c->block.env.fork, TRACE_OPT_LOOKUPS);
  evm_tracer tr = trace_tracer(&t);
  evm_block_result r;
  int rc = evm_execute_block(&c->block, &tr, &r);
  conf_verdict v = CONF_PASS;
  if (rc != EVM_OK) {
    say(detail, detail_len, "traced run: executor error: %s", evm_strerror(rc));
    v = CONF_FAIL;
  } else {
    trace_add_block_witness(&t, &c->block);
    int trc = trace_finish(&t);
    /* the storage slots start at the pre-state's values, as the verifier's
     * pre-state send requires */
    if (trc == TRACE_OK) trc = trace_check_prestate(&t);
    if (trc == TRACE_E_RANGE) { /* a limit of the tables, not a fault of the run */
      say(detail, detail_len, "trace: a value does not fit the tables (a gas counter of 2^31 - 2^27 or more)");
      v = CONF_SKIP;
    } else if (trc != TRACE_OK) {
      say(detail, detail_len, "trace: the collector refused the run (%s)",
          trc == TRACE_E_ARG ? "its memory or storage replay disagrees with the executor or the pre-state"
                               : "out of memory");
      v = CONF_FAIL;
    }
    /* and every table with an AIR satisfies it, as one shard */
    for (int i = 0; v == CONF_PASS && trc == TRACE_OK && i < TRACE_COUNT; i++) {
      size_t row = 0;
      int con = 0, arc = trace_table_air_check(&t.t[i], &row, &con);
      if (arc == STARK_OK) continue;
      if (arc == STARK_ERR_NOMEM)
        say(detail, detail_len, "trace: out of memory checking the %s table", trace_table_name((trace_table_id)i));
      else
        say(detail, detail_len, "trace: the %s table breaks its constraint %d on row %zu (stark code %d)",
            trace_table_name((trace_table_id)i), con, row, arc);
      v = CONF_FAIL;
    }
  }
  if (rc == EVM_OK) evm_block_result_free(&r);
  trace_free(&t);
  return v;
}

conf_verdict conf_check_case(const fix_case *c, char *detail, size_t detail_len) {
  say(detail, detail_len, "%s", "");
  if (c->skip[0]) {
    say(detail, detail_len, "%s", c->skip);
    return CONF_SKIP;
  }
  evm_block_result r;
  int rc = evm_execute_block(&c->block, NULL, &r);
  conf_verdict v = CONF_PASS;
  char got[67], want[67], where[600];
  if (rc == EVM_E_UNSUPPORTED_PRECOMPILE) {
    say(detail, detail_len, "needs a precompile this build lacks");
    v = CONF_SKIP;
  } else if (rc != EVM_OK) {
    say(detail, detail_len, "executor error: %s", evm_strerror(rc));
    v = CONF_FAIL;
  } else if (r.n_txs != 1) {
    say(detail, detail_len, "executor returned %zu transaction results for 1 transaction", r.n_txs);
    v = CONF_FAIL;
  } else if (c->expect_exception && r.txs[0].status != EVM_TX_INVALID) {
    say(detail, detail_len, "transaction accepted, expected it rejected (%s)", c->expect_exception);
    v = CONF_FAIL;
  } else if (!c->expect_exception && r.txs[0].status == EVM_TX_INVALID) {
    say(detail, detail_len, "transaction rejected as invalid (%s), expected it applied",
        evm_invalid_name(r.txs[0].invalid));
    v = CONF_FAIL;
  } else if (memcmp(r.state_root, c->post_root, 32) != 0) {
    hex(got, r.state_root, 32);
    hex(want, c->post_root, 32);
    where[0] = 0;
    if (c->has_post_state && r.state && !first_diff(r.state, c, where, sizeof where))
      say(where, sizeof where, "no difference in the accounts the fixture lists");
    say(detail, detail_len, "post-state root %s, expected %s%s%s", got, want, where[0] ? "; " : "", where);
    v = CONF_FAIL;
  } else if (memcmp(r.logs_hash, c->logs_hash, 32) != 0) {
    hex(got, r.logs_hash, 32);
    hex(want, c->logs_hash, 32);
    say(detail, detail_len, "logs hash %s, expected %s", got, want);
    v = CONF_FAIL;
  }
  evm_block_result_free(&r);
  if (v != CONF_PASS || c->expect_exception || !c->txbytes.len) return v;

  uint8_t *enc = NULL;
  size_t n = 0;
  rc = evm_tx_encode(&c->block.txs[0], c->sign_chain_id, &enc, &n);
  if (rc != EVM_SIG_OK) {
    say(detail, detail_len, "transaction could not be encoded (%d)", rc);
    v = CONF_FAIL;
  } else if (n != c->txbytes.len || memcmp(enc, c->txbytes.data, n) != 0) {
    say(detail, detail_len, "transaction encodes to other bytes than the fixture's txbytes");
    v = CONF_FAIL;
  }
  free(enc);
  return v;
}

/* ---- the run ---- */

typedef struct {
  conf_result *v;
  size_t n, cap;
} res_vec;

static conf_result *res_push(res_vec *rv) {
  if (rv->n == rv->cap) {
    size_t nc = rv->cap ? rv->cap * 2 : 64;
    conf_result *p = realloc(rv->v, nc * sizeof *p);
    if (!p) return NULL;
    rv->v = p;
    rv->cap = nc;
  }
  conf_result *r = &rv->v[rv->n++];
  memset(r, 0, sizeof *r);
  return r;
}

void conf_report_free(conf_report *r) {
  if (!r) return;
  for (size_t i = 0; r->results && i < r->n_results; i++) {
    free(r->results[i].file);
    free(r->results[i].test);
  }
  free(r->results);
  memset(r, 0, sizeof *r);
}

int conf_run(const char *const *paths, size_t n_paths, const conf_opts *opts, conf_report *out, char *err,
             size_t err_len) {
  memset(out, 0, sizeof *out);
  char **files = NULL;
  size_t n_files = 0;
  int rc = conf_collect(paths, n_paths, &files, &n_files, err, err_len);
  if (rc != CONF_OK) return rc;
  fix_opts fo = {opts ? opts->fork : NULL};
  int keep = opts && opts->keep_passes;
  res_vec rv = {NULL, 0, 0};
  conf_counts *k = &out->counts;
  for (size_t i = 0; i < n_files && rc == CONF_OK; i++) {
    fix_file f;
    fix_error fe;
    int frc = fix_load(files[i], &fo, &f, &fe);
    k->files++;
    if (frc != FIX_OK) {
      if (frc == FIX_E_NOMEM) {
        rc = CONF_E_NOMEM;
        break;
      }
      conf_result *r = res_push(&rv);
      if (!r || !(r->file = strdup(files[i]))) {
        rc = CONF_E_NOMEM;
        break;
      }
      r->verdict = CONF_FAIL;
      say(r->detail, sizeof r->detail, "import failed: %s", fe.msg);
      k->failed++;
    }
    for (size_t j = 0; frc == FIX_OK && j < f.n_cases; j++) {
      const fix_case *c = &f.cases[j];
      char detail[CONF_DETAIL_MAX];
      conf_verdict v = conf_check_case(c, detail, sizeof detail);
      if (v == CONF_PASS && opts && opts->trace) v = conf_trace_case(c, detail, sizeof detail);
      if (v == CONF_PASS) k->passed++;
      else if (v == CONF_FAIL) k->failed++;
      else k->skipped++;
      if (v == CONF_PASS && !keep) continue;
      conf_result *r = res_push(&rv);
      if (!r || !(r->file = strdup(files[i])) || !(r->test = strdup(c->test))) {
        rc = CONF_E_NOMEM;
        break;
      }
      memcpy(r->fork, c->fork_name, sizeof r->fork);
      r->post_index = c->post_index;
      r->idx_data = c->idx_data;
      r->idx_gas = c->idx_gas;
      r->idx_value = c->idx_value;
      r->verdict = v;
      memcpy(r->detail, detail, sizeof r->detail);
    }
    if (frc == FIX_OK) fix_file_free(&f);
    if (rc == CONF_OK && opts && opts->progress)
      opts->progress(opts->progress_ctx, i, n_files, files[i], k);
  }
  conf_files_free(files, n_files);
  out->results = rv.v;
  out->n_results = rv.n;
  if (rc == CONF_E_NOMEM) say(err, err_len, "out of memory");
  return rc;
}
