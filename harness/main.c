/* The pkbench executable: everything is in the library; see cli.c. */
#include "cli.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
