/* cli_import: `pkbench import`: state-test fixtures to block files, and merging
 * another machine's results database into this one. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blk.h"
#include "cli.h"
#include "db.h"
#include "fix.h"
#include "fix_bc.h"

static const char usage_text[] =
    "usage: pkbench import [--fork NAME] --out DIR FIXTURE.json...\n"
    "       pkbench import --db OTHER.db [--into FILE]\n"
    "\n"
    "The first form reads ethereum/tests or execution-spec-tests state_test JSON\n"
    "fixtures and writes one block per test, fork and post entry to\n"
    "DIR/<test>_<fork>_<index>.blk (characters other than letters, digits, '-'\n"
    "and '_' in the test name become '_'). Cases the block format cannot hold are\n"
    "listed as skipped with the reason. blockchain_test fixtures (recognised by\n"
    "their keys) give one block per block of each fixture, DIR/<test>_<network>_bK.blk\n"
    "(K: the block's index): block K runs on the state the genesis `pre` and\n"
    "blocks 0..K-1 leave as this executor runs them (system calls before the\n"
    "transactions, transactions, withdrawals), with the ancestors' hashes its\n"
    "BLOCKHASH reads. Listed as skipped, with the reason: invalid blocks\n"
    "(expectException; the chain goes on from their parent), blocks with\n"
    "withdrawals (the chain goes on through them), blocks with ommers (the chain\n"
    "stops), and every block after one whose executed state root or gas\n"
    "differs from its header's in a way that means the chain diverged. A block\n"
    "whose executed state root or gas differs from its header's is written and\n"
    "named in a note.\n"
    "  --fork NAME   only this fork (Cancun, Prague or Osaka)\n"
    "The second form merges the results database OTHER.db into FILE (default\n"
    "./pkbench.db), keeping where each run came from; merging twice adds nothing.";

static int merge(const char *other, const char *into) {
  char errbuf[DB_ERRMSG_MAX];
  db_handle *db;
  if (db_open(into, DB_OPEN_CREATE, &db, errbuf, sizeof errbuf) != DB_OK) {
    cli_err("import", "%s", errbuf);
    return 2;
  }
  db_merge_stats st;
  int rc = db_merge(db, other, &st);
  if (rc != DB_OK) {
    cli_err("import", "%s", db_errmsg(db));
    db_close(db);
    return 2;
  }
  printf("merged %s into %s: %lld runs, %lld blocks, %lld results, %lld killers added\n", other, into,
         (long long)st.runs, (long long)st.blocks, (long long)st.results, (long long)st.killers);
  db_close(db);
  return 0;
}

static void safe_name(const char *in, char *out, size_t n) {
  size_t k = 0;
  for (; *in && k + 1 < n; in++) out[k++] = (isalnum((unsigned char)*in) || *in == '-' || *in == '_') ? *in : '_';
  out[k] = 0;
}

/* The fixture kind of a file, from its keys; unreadable files are left to
 * the state-test reader, which names the error. */
static int detect(const char *path) {
  uint8_t *buf = NULL;
  size_t len = 0;
  if (blk_read_bytes(path, &buf, &len) != BLK_OK) return FIX_KIND_UNKNOWN;
  fix_kind k = fix_detect_kind((const char *)buf, len);
  free(buf);
  return k;
}

static int import_blockchain(const char *file, const char *out, const char *fork, size_t *written,
                             size_t *skipped) {
  fixb_file ff;
  fix_error fe;
  if (fixb_load(file, &ff, &fe) != FIX_OK) {
    cli_err("import", "%s", fe.msg);
    return 2;
  }
  int status = 0;
  for (size_t k = 0; k < ff.n_cases; k++) {
    const fixb_case *c = &ff.cases[k];
    if (fork && strcmp(fork, c->network) != 0) continue;
    if (c->skip[0]) {
      fprintf(stderr, "pkbench import: %s: %s block %zu skipped: %s\n", file, c->test, c->block_index, c->skip);
      (*skipped)++;
      continue;
    }
    if (c->note[0])
      fprintf(stderr, "pkbench import: %s: %s block %zu: note: %s\n", file, c->test, c->block_index, c->note);
    else if (!c->exec_matches)
      fprintf(stderr,
              "pkbench import: %s: %s block %zu: note: this executor's state root or gas differs from the "
              "header's\n",
              file, c->test, c->block_index);
    char name[160], path[4096];
    safe_name(c->test, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s_%s_b%zu.blk", out, name, c->network, c->block_index);
    int rc = blk_write_file(path, &c->block);
    if (rc != BLK_OK) {
      cli_err("import", "%s: cannot write: %s", path, rc == BLK_E_IO ? strerror(errno) : blk_strerror(rc));
      status = 2;
      continue;
    }
    (*written)++;
  }
  fixb_file_free(&ff);
  return status;
}

int cli_import(int argc, char **argv) {
  const char *out = NULL, *other_db = NULL, *into = "pkbench.db";
  fix_opts fo = {NULL};
  const char *files[256];
  int n_files = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (cli_is_help(a)) {
      printf("%s\n", usage_text);
      return 0;
    } else if (strcmp(a, "--out") == 0 && v) {
      out = v;
      i++;
    } else if (strcmp(a, "--db") == 0 && v) {
      other_db = v;
      i++;
    } else if (strcmp(a, "--into") == 0 && v) {
      into = v;
      i++;
    } else if (strcmp(a, "--fork") == 0 && v) {
      blk_fork f;
      if (blk_fork_from_name(v, &f) != BLK_OK) {
        cli_err("import", "--fork: unknown fork '%s' (Cancun, Prague or Osaka)", v);
        return 2;
      }
      fo.fork = v;
      i++;
    } else if (a[0] == '-' && a[1]) {
      cli_err("import", "unknown or incomplete option '%s' (see --help)", a);
      return 2;
    } else if (n_files == (int)(sizeof files / sizeof files[0])) {
      cli_err("import", "at most %zu fixture files at a time", sizeof files / sizeof files[0]);
      return 2;
    } else {
      files[n_files++] = a;
    }
  }
  if (other_db) {
    if (n_files) {
      cli_err("import", "--db merges a database; fixtures are imported with --out DIR (not both)");
      return 2;
    }
    return merge(other_db, into);
  }
  if (!out || !n_files) {
    cli_err("import", "give --out DIR and at least one FIXTURE.json (see --help)");
    return 2;
  }
  if (cli_make_dir("import", out) != 0) {
    return 2;
  }
  size_t written = 0, skipped = 0;
  int status = 0;
  for (int i = 0; i < n_files; i++) {
    int kind = detect(files[i]);
    if (kind == FIX_KIND_BLOCKCHAIN) {
      int rc = import_blockchain(files[i], out, fo.fork, &written, &skipped);
      if (rc) status = rc;
      continue;
    }
    fix_file ff;
    fix_error fe;
    if (fix_load(files[i], &fo, &ff, &fe) != FIX_OK) {
      cli_err("import", "%s", fe.msg);
      status = 2;
      continue;
    }
    for (size_t k = 0; k < ff.n_cases; k++) {
      const fix_case *c = &ff.cases[k];
      if (c->skip[0]) {
        fprintf(stderr, "pkbench import: %s: %s %s[%zu] skipped: %s\n", files[i], c->test, c->fork_name,
                c->post_index, c->skip);
        skipped++;
        continue;
      }
      char name[160], path[4096];
      safe_name(c->test, name, sizeof name);
      snprintf(path, sizeof path, "%s/%s_%s_%zu.blk", out, name, c->fork_name, c->post_index);
      int rc = blk_write_file(path, &c->block);
      if (rc != BLK_OK) {
        cli_err("import", "%s: cannot write: %s", path, rc == BLK_E_IO ? strerror(errno) : blk_strerror(rc));
        status = 2;
        continue;
      }
      written++;
    }
    fix_file_free(&ff);
  }
  printf("imported %zu blocks into %s (%zu cases skipped)\n", written, out, skipped);
  return status;
}
