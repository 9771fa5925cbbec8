/* cli_compare: `pkbench compare`. The capability is not in this build yet; the
 * command states its interface and refuses plainly rather than pretend. */
#include "cli.h"

int cli_compare(int argc, char **argv) {
  return cli_not_available(argc, argv,
                           "usage: pkbench compare [--db FILE] [--threshold PCT] BASE_RUN NEW_RUN\n\nCompares two runs block by block and as distributions; exit 0 when there is no\nregression beyond the threshold, 1 on a regression, 2 on bad input.",
                           "comparison needs proving results in the database");
}
