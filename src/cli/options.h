/* SPDX-License-Identifier: MIT */
/*
 * The flags of `snpvmm [run]`, parsed into the library's launch configuration. Parsing is
 * pure (no file access, no exit) so every rule about a flag is unit-tested; the caller
 * prints the diag and picks the exit status.
 */
#ifndef SNPVMM_CLI_OPTIONS_H
#define SNPVMM_CLI_OPTIONS_H

#include <stddef.h>

#include "cli/option_table.h"
#include "util/diag.h"
#include "vmm/options.h"

/* Parses argv[1..argc-1] (argv[0] is the program or subcommand name). Returns 0, or
 * -EINVAL with d naming the offending flag and value. Strings point into argv. */
int options_parse(int argc, char **argv, struct vmm_options *ret_opts, struct diag *d)
	__attribute__((warn_unused_result));

/* What options_parse() starts from: the defaults of every flag not given. */
void options_defaults(struct vmm_options *ret_opts);

/* The rules between flags (--kernel is required, --sim-* need --sim, ...) that
 * options_parse() checks after the table parsed them: 0, or -EINVAL with d. For a command
 * that parses the launch options with a table of its own (measure includes run_options). */
int options_check(const struct vmm_options *o, struct diag *d) __attribute__((warn_unused_result));

/* Parses --sev-features: "none", or a comma list of names (debug-swap, secure-tsc,
 * restricted-injection, alternate-injection) and/or 0x bit masks. */
int parse_sev_features(const char *text, uint64_t *ret_features, struct diag *d)
	__attribute__((warn_unused_result));

/* The CLI flag of a library configuration field ("vcpus" -> "--smp"), or NULL. */
const char *cli_flag_of_field(const char *field);
/* msg with its leading field name (a library message about `field` starts with it)
 * replaced by the field's flag, in buf if it had to change. */
const char *cli_error_text(const char *field, const char *msg, char *buf, size_t size);
/* cli_error_text() of a diag (in a static buffer: the CLI's one thread). */
const char *cli_diag_text(const struct diag *d);

/* The option table of `snpvmm [run]`: its parser and its --help. */
extern const struct option_table run_options;

#endif /* SNPVMM_CLI_OPTIONS_H */
