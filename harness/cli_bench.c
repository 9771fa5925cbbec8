/* cli_bench: placeholder until wired. */
#include "cli.h"

int cli_bench(int argc, char **argv) {
  return cli_not_available(argc, argv, "usage: pkbench bench", "not wired");
}
