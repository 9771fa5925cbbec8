/* cli_import: `pkbench import`. The capability is not in this build yet; the
 * command states its interface and refuses plainly rather than pretend. */
#include "cli.h"

int cli_import(int argc, char **argv) {
  return cli_not_available(argc, argv,
                           "usage: pkbench import FIXTURE.json... --out DIR\n       pkbench import --db OTHER.db\n\nReads ethereum/tests or execution-spec-tests state_test/blockchain_test JSON\nfixtures and writes one .blk per test, fork and case into DIR; or merges the\nresults database OTHER.db into ./pkbench.db.",
                           "fixture import to files and database merge are not wired into the command line yet");
}
