/* cli_report: `pkbench report`. The capability is not in this build yet; the
 * command states its interface and refuses plainly rather than pretend. */
#include "cli.h"

int cli_report(int argc, char **argv) {
  return cli_not_available(argc, argv,
                           "usage: pkbench report [--db FILE] [--out DIR] [RUN_ID...]\n\nDraws, with gnuplot, the CDF of projected latency with the 6 s and 12 s lines,\nthe success rate against the number of GPUs and the slowest blocks, and writes\nDIR/index.html and DIR/report.md (defaults: ./pkbench.db, reports/out).",
                           "reports need proving results in the database");
}
