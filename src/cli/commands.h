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

#include <stdint.h>

#define EXIT_USAGE 2

struct vmm_options;
struct option_table;

/* Each subcommand's one option table (src/cli/option_table.h): its parser and its --help.
 * `run` has run_options (src/cli/options.h). */
extern const struct option_table measure_options;
extern const struct option_table id_block_options;
extern const struct option_table host_info_options;
extern const struct option_table verify_options;

int cmd_run(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_id_block(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/*
 * The launch digest `snpvmm measure` would print for these arguments (argv[0] is the
 * subcommand name), computed by the same code and not printed: 0, or an exit status
 * after one error line on stderr. For snpvmm's own layout *ret_launch (if not NULL) gets
 * the parsed launch options (strings point into argv); for --ovmf it is zeroed.
 */
int measure_digest(int argc, char **argv, uint8_t ret_ld[48], struct vmm_options *ret_launch);
/*
 * `snpvmm measure` without --ovmf (cmd_measure_own.c): the launch digest of the launch
 * options o (as parsed, defaults included; checked here as a launch checks them), with
 * every PAGE_INFO step written to trace_path ("-": stdout; NULL: none) and the VMSAs into
 * vmsa_dir (NULL: none). 0, or an exit status after one error line.
 */
int measure_own_digest(const struct vmm_options *o, const char *trace_path, const char *vmsa_dir,
		       uint8_t ret_ld[48]);
int cmd_host_info(int argc, char **argv);

#endif /* SNPVMM_CLI_COMMANDS_H */
