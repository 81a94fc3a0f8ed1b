/* SPDX-License-Identifier: MIT */
/*
 * Subcommands of the snpvmm binary. Each takes the arguments after its name (argv[0] is
 * the subcommand name, getopt-style) and returns the process exit status. These files are
 * the program's edge: they may print to stdout/stderr; the libraries below them do not.
 *
 * Exit statuses shared by all subcommands: 0 success, 1 runtime failure, 2 usage error.
 */
#ifndef SNPVMM_CLI_COMMANDS_H
#define SNPVMM_CLI_COMMANDS_H

#define EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_measure(int argc, char **argv);
/* `snpvmm measure` without --ovmf: snpvmm's own layout (cmd_measure_own.c). */
int cmd_measure_own(int argc, char **argv);
int cmd_id_block(int argc, char **argv);
int cmd_host_info(int argc, char **argv);

#endif /* SNPVMM_CLI_COMMANDS_H */
