/* run_external: time an external prover on a block (see runner.h).
 *
 * The block is written as an execution-spec-tests state_test fixture (the form
 * zkVM hosts and clients read), the command runs through /bin/sh with every
 * "{fixture}" replaced by the file's path, and its wall-clock time from start to
 * exit is the measurement. The command runs in its own process group so that a
 * timeout stops everything it started. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "fix_export.h"
#include "runner.h"

/* cmd with each {fixture} replaced by path in single quotes (path has no quote). */
static char *expand(const char *cmd, const char *path) {
  size_t n = 0, plen = strlen(path) + 2;
  for (const char *p = cmd; *p;) {
    if (strncmp(p, "{fixture}", 9) == 0) {
      n += plen;
      p += 9;
    } else {
      n++;
      p++;
    }
  }
  char *out = malloc(n + 1), *o = out;
  if (!out) return NULL;
  for (const char *p = cmd; *p;) {
    if (strncmp(p, "{fixture}", 9) == 0) {
      o += sprintf(o, "'%s'", path);
      p += 9;
    } else {
      *o++ = *p++;
    }
  }
  *o = 0;
  return out;
}

int run_external(const blk_block *b, const char *cmd, double timeout_ms, double *ms, char *reason, size_t rlen) {
  *ms = 0;
  char *json = NULL;
  size_t len = 0;
  fixx_error fe;
  fixx_opts fo = {"block", 0, 0, NULL, NULL};
  if (fixx_state_test(b, &fo, &json, &len, &fe) != FIXX_OK) {
    snprintf(reason, rlen, "cannot export the block for the external prover: %s", fe.msg);
    return RUN_E_EXEC;
  }
  char path[] = "/tmp/pkb_fixture_XXXXXX.json";
  int fd = mkstemps(path, 5);
  if (fd < 0) {
    free(json);
    snprintf(reason, rlen, "cannot create a fixture file: %s", strerror(errno));
    return RUN_E_EXEC;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, json + off, len - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
  close(fd);
  free(json);
  char *full = off == len ? expand(cmd, path) : NULL;
  if (!full) {
    unlink(path);
    snprintf(reason, rlen, "cannot write the fixture for the external prover");
    return RUN_E_EXEC;
  }
  double t0 = bench_now_ms();
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", full, (char *)NULL);
    _exit(127);
  }
  free(full);
  if (pid < 0) {
    unlink(path);
    snprintf(reason, rlen, "cannot start the external prover: %s", strerror(errno));
    return RUN_E_EXEC;
  }
  int st = 0, timed_out = 0;
  for (;;) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (timeout_ms > 0 && bench_now_ms() - t0 > timeout_ms) {
      kill(-pid, SIGKILL);
      waitpid(pid, &st, 0);
      timed_out = 1;
      break;
    }
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  *ms = bench_now_ms() - t0;
  unlink(path);
  if (timed_out) {
    snprintf(reason, rlen, "external prover timed out after %.0f ms", timeout_ms);
    return RUN_E_TIMEOUT;
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    if (WIFEXITED(st)) snprintf(reason, rlen, "external prover exited with status %d", WEXITSTATUS(st));
    else snprintf(reason, rlen, "external prover killed by signal %d", WTERMSIG(st));
    return RUN_E_PROVE;
  }
  return RUN_OK;
}
