/* cli_cost: `pkbench cost`. The capability is not in this build yet; the
 * command states its interface and refuses plainly rather than pretend. */
#include "cli.h"

int cli_cost(int argc, char **argv) {
  return cli_not_available(argc, argv,
                           "usage: pkbench cost [--json] [--gas-limit G]\n\nProves one single-opcode block per opcode and precompile and prints proving\ntime per gas and cycles per gas: the repricing table.",
                           "the cost table needs the executor and the block prover");
}
