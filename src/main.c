// SPDX-License-Identifier: MIT
/*
 * snpvmm: launch AMD SEV-SNP guests (or plain KVM guests with --no-snp) from a Linux
 * bzImage, with no firmware. main() only picks the subcommand; each lives in src/cli/.
 */
#include <signal.h>
#include <string.h>

#include "cli/commands.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "run", cmd_run },	  { "measure", cmd_measure },	  { "id-block", cmd_id_block },
	{ "verify", cmd_verify }, { "host-info", cmd_host_info },
};

int main(int argc, char **argv)
{
	size_t i;

	/* A console reader that goes away (a closed pipe) must not kill the VMM: the serial
	 * device sees EPIPE and drops the output instead. */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; argc > 1 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	/* No subcommand: the options are those of `run`. */
	return cmd_run(argc, argv);
}
