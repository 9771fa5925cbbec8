/* cli_hunt: `pkbench hunt`. The capability is not in this build yet; the
 * command states its interface and refuses plainly rather than pretend. */
#include "cli.h"

int cli_hunt(int argc, char **argv) {
  return cli_not_available(argc, argv,
                           "usage: pkbench hunt --gas-limit G --minutes M [--objective prove-time|zkvm-cycles] [--seed S] [--out DIR] [--db FILE]\n\nEvolutionary search for blocks that fit the gas limit G and maximise the\nestimated proving cost; winners are re-proven, minimised and written to DIR\n(default corpus/killers) with provenance, and to the database (default ./pkbench.db).",
                           "the built-in hunt needs the executor and the prover's cost estimate");
}
