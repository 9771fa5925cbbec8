/* cli_conformance: `pkbench conformance PATH...`. Not wired yet. */
#include "cli.h"

int cli_conformance(int argc, char **argv) {
  return cli_not_available(argc, argv,
                           "usage: pkbench conformance [--verbose] [--fork NAME] PATH...\n\n"
                           "Runs every state-test fixture under PATH against the executor and ends\n"
                           "with the line 'N passed, N failed, N skipped'.",
                           "the conformance runner needs the executor");
}
