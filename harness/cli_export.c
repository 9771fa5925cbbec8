/* cli_export: `pkbench export`. The capability is not in this build yet; the
 * command states its interface and refuses plainly rather than pretend. */
#include "cli.h"

int cli_export(int argc, char **argv) {
  return cli_not_available(argc, argv,
                           "usage: pkbench export --format state_test|blockchain_test FILE.blk [--out FILE]\n\nWrites the block as an execution-spec-tests fixture (to stdout by default) with\ntransactions signed by the deterministic test keys, so any client can replay it.",
                           "fixture export needs transaction signing and the executor's post state");
}
