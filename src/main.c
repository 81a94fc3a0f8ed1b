// SPDX-License-Identifier: MIT
/*
 * snpvmm: launch AMD SEV-SNP guests (or plain KVM guests with --no-snp) from a Linux
 * bzImage, with no firmware. main() only picks the subcommand; each lives in src/cli/.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "run", cmd_run },	  { "measure", cmd_measure },	  { "id-block", cmd_id_block },
	{ "verify", cmd_verify }, { "host-info", cmd_host_info },
};

/* A process started with fd 0, 1 or 2 closed hands that number to the next file it
 * opens: --events FILE could become fd 1, and the guest's console output (and anything it
 * prints, such as a forged event) would land in the event stream. The standard fds that
 * are closed become /dev/null, as POSIX lets a setuid program's loader do (exec(3p)). */
static int open_standard_fds(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int r;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* open() returns the lowest free fd, which is this one. */
		r = open("/dev/null", O_RDWR);
		if (r < 0)
			return -errno;
		if (r != fd) {
			close(r);
			return -EBADF;
		}
	}
	return 0;
}

/* What went to stdout through stdio (a digest, a report, --help) must have been written:
 * `snpvmm host-info > /dev/full` is a failure, not a silent success. A command that failed
 * has said why already (perhaps that very write). */
static int check_stdout(int status)
{
	if (status != 0 || (fflush(stdout) == 0 && !ferror(stdout)))
		return status;
	fprintf(stderr, "snpvmm: cannot write to standard output: %s\n",
		errno ? strerror(errno) : "write error");
	return 1;
}

/* `--version` anywhere among the options, before or after the subcommand (up to a "--"),
 * as `--help` is found in measure's arguments: the one answer does not depend on them. */
static bool wants_version(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--version"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	size_t i;

	if (open_standard_fds() < 0)
		return 1; /* nowhere to say so: stderr may be the fd that is missing */
	/* A console reader that goes away (a closed pipe) must not kill the VMM: the serial
	 * device sees EPIPE and drops the output instead. */
	signal(SIGPIPE, SIG_IGN);
	if (wants_version(argc, argv)) {
		printf("snpvmm %s\n", SNPVMM_VERSION);
		return check_stdout(0);
	}
	for (i = 0; argc > 1 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return check_stdout(subcommands[i].run(argc - 1, argv + 1));
	/* No subcommand: the options are those of `run`. */
	return check_stdout(cmd_run(argc, argv));
}
