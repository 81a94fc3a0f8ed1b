/* SPDX-License-Identifier: MIT */
/*
 * One option table per subcommand. Each row names a flag, its argument, its --help text and
 * what it sets; option_table_parse() parses argv with it and option_table_help() prints
 * the subcommand's --help from the same rows, so the help can never list a flag the parser
 * does not take, or miss one it does (kvmtool's parse-options tables are the model).
 */
#ifndef SNPVMM_CLI_OPTION_TABLE_H
#define SNPVMM_CLI_OPTION_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/diag.h"

enum option_arg {
	OPTION_ARG_NONE,     /* --flag */
	OPTION_ARG_REQUIRED, /* --flag VALUE or --flag=VALUE */
	OPTION_ARG_OPTIONAL, /* --flag or --flag=VALUE */
	/* --flag, --flag=VALUE, or --flag VALUE when the next argument does not start with
	 * '-' (sev-snp-measure's --dump-vmsa takes no value; ours may be given a directory). */
	OPTION_ARG_OPTIONAL_NEXT,
};

struct option_row;
struct option_table;

/*
 * Another table's flags, lent to a command at an include row's place: parsed as its own
 * and listed by its --help (the flag rows only: the other table's paragraphs are that
 * command's prose). A flag the including table has itself (by name or short name) stays
 * the including table's. One level: an included table includes nothing.
 */
struct option_include {
	const struct option_table *table;
	size_t ctx_offset; /* its setters get (char *)ctx + ctx_offset */
	/* A const char * in ctx set to the name of the first of its flags given, so that a
	 * command can refuse a group of flags in one use with one line naming the flag. */
	size_t given_offset;
};

/* Stores arg (NULL for a flag without one) into ctx, the subcommand's parse target:
 * 0, or -EINVAL with d naming the flag and the value. */
typedef int (*option_setter)(const struct option_row *row, const char *arg, void *ctx,
			     struct diag *d);

struct option_row {
	/* The long name without "--"; NULL makes the row a paragraph of help text only. */
	const char *name;
	char short_name; /* 'h' for -h, or 0 */
	enum option_arg arg;
	/* Shown after the name in --help: "FILE" gives "--kernel FILE"; one starting with
	 * '=' or '[' is joined to the name ("--sim=PROFILE", "--dump-vmsa[=DIR]"). */
	const char *metavar;
	/* The help text: lines after the first are indented to the help column. A paragraph
	 * row's text is printed as it is. */
	const char *help;
	/* Help text computed when printed (a list of names kept elsewhere); after help. */
	const char *(*help_of)(void);
	option_setter set;
	/* For option_set_string and option_set_true: where in ctx the field is. */
	size_t offset;
	/* A paragraph row: where the help text of the rows after it starts (0: as before). */
	unsigned int help_column;
	/* Not NULL: the row includes another table's flags here (name must be NULL). */
	const struct option_include *include;
};

struct option_table {
	const char *command;  /* "snpvmm measure": names the subcommand in errors */
	const char *synopsis; /* printed first by --help */
	const struct option_row *rows;
	size_t nr_rows;
	unsigned int help_column; /* where help text starts, counted from 0 */
	/* Stop at the first argument that is not an option (getopt's '+'): nothing after
	 * it is parsed, so a stray argument is reported as it stands. */
	bool in_order;
};

/* Parses argv[1..argc-1] (argv[0] is the program or subcommand name) with t's rows (and
 * the flags it includes) into ctx. Returns 0, or -EINVAL with one line in d: an unknown
 * flag (naming t->command), a missing value, a stray argument, or the setter's own
 * message. A flag given twice is set twice: the last value wins, and a repeatable setter
 * collects them. */
int option_table_parse(const struct option_table *t, int argc, char **argv, void *ctx,
		       struct diag *d) __attribute__((warn_unused_result));

/*
 * For a subcommand that passes the flags it does not know on (verify hands them to
 * measure): takes t's own flags (not included ones) out of argv[1..argc-1], in order,
 * and appends every other argument to rest (room for argc entries), all of them after a
 * "--". A flag of t must be spelled whole (--name or --name=VALUE; -X for a row's short
 * name), its value may be the next argument, and given twice it is an error. Returns 0
 * or -EINVAL with d.
 */
int option_table_split(const struct option_table *t, int argc, char **argv, void *ctx, char **rest,
		       int *ret_nr_rest, struct diag *d) __attribute__((warn_unused_result));

/* Prints t's --help: the synopsis, then every row in order, an include row as the flags
 * it lends (each with the included table's help column). */
void option_table_help(const struct option_table *t, FILE *f);

/* Setters for the common rows: a string field (const char *) at row->offset, and a
 * bool field at row->offset set to true. */
int option_set_string(const struct option_row *row, const char *arg, void *ctx, struct diag *d);
int option_set_true(const struct option_row *row, const char *arg, void *ctx, struct diag *d);

#endif /* SNPVMM_CLI_OPTION_TABLE_H */
