// SPDX-License-Identifier: MIT
/*
 * The table-driven option parser every subcommand uses. It hands the rows to GNU
 * getopt_long(), so every command line keeps getopt's forms: --flag=VALUE and
 * --flag VALUE, unique prefixes of a long name, options after other arguments (unless the
 * table asks for in_order), and "--" ending the options.
 */
#include "cli/option_table.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

/* More flags than any subcommand has; a table that outgrows it fails its unit test. */
#define OPTION_TABLE_MAX_FLAGS 64

/* getopt_long() values of long-only rows: past every char, so none is a short option. */
#define OPTION_VAL_BASE 0x100

int option_set_string(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	const char **field = (void *)((char *)ctx + row->offset);

	*field = arg;
	return 0;
}

int option_set_true(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	bool *field = (void *)((char *)ctx + row->offset);

	*field = true;
	return 0;
}

static int has_arg_of(enum option_arg arg)
{
	switch (arg) {
	case OPTION_ARG_REQUIRED:
		return required_argument;
	case OPTION_ARG_OPTIONAL:
		return optional_argument;
	default:
		return no_argument;
	}
}

/* The row getopt_long() returned val for, or NULL. */
static const struct option_row *row_of(const struct option_table *t, int val)
{
	size_t i;

	if (val >= OPTION_VAL_BASE && (size_t)(val - OPTION_VAL_BASE) < t->nr_rows)
		return &t->rows[val - OPTION_VAL_BASE];
	for (i = 0; i < t->nr_rows; i++)
		if (t->rows[i].name && t->rows[i].short_name && t->rows[i].short_name == val)
			return &t->rows[i];
	return NULL;
}

int option_table_parse(const struct option_table *t, int argc, char **argv, void *ctx,
		       struct diag *d)
{
	struct option longopts[OPTION_TABLE_MAX_FLAGS + 1];
	/* '+' (in order), ':' (report a missing value apart), then short options. */
	char shortopts[2 + 2 * OPTION_TABLE_MAX_FLAGS + 1];
	size_t i, nr_long = 0, nr_short = 0;
	int val, r;

	if (t->in_order)
		shortopts[nr_short++] = '+';
	shortopts[nr_short++] = ':';
	for (i = 0; i < t->nr_rows; i++) {
		const struct option_row *row = &t->rows[i];

		if (!row->name)
			continue;
		if (nr_long == OPTION_TABLE_MAX_FLAGS)
			return diag_fail(d, -EINVAL, "%s: internal: more than %d flags", t->command,
					 OPTION_TABLE_MAX_FLAGS);
		longopts[nr_long++] = (struct option){ row->name, has_arg_of(row->arg), NULL,
						       OPTION_VAL_BASE + (int)i };
		if (row->short_name) {
			shortopts[nr_short++] = row->short_name;
			if (row->arg == OPTION_ARG_REQUIRED)
				shortopts[nr_short++] = ':';
		}
	}
	longopts[nr_long] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[nr_short] = '\0';

	/* optind = 0 makes GNU getopt start afresh, so parsing can run more than once. */
	optind = 0;
	opterr = 0;
	while ((val = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct option_row *row = row_of(t, val);

		if (val == ':')
			return diag_fail(d, -EINVAL, "option '%s' needs a value", argv[optind - 1]);
		if (val == '?' || !row)
			return diag_fail(d, -EINVAL,
					 "unknown option '%s': `%s` takes no such flag (see %s "
					 "--help)",
					 argv[optind - 1], t->command, t->command);
		r = row->set(row, optarg, ctx, d);
		if (r < 0)
			return r;
	}
	if (optind < argc)
		return diag_fail(d, -EINVAL, "unexpected argument '%s' (see %s --help)",
				 argv[optind], t->command);
	return 0;
}

/* "  -h, --help", "  --kernel FILE", "  --sim=PROFILE": the row's left column. */
static int print_flag(const struct option_row *row, FILE *f)
{
	const char *meta = row->metavar;
	bool joined = meta && (meta[0] == '=' || meta[0] == '[');
	int n = 0;

	n += fprintf(f, "  ");
	if (row->short_name)
		n += fprintf(f, "-%c, ", row->short_name);
	n += fprintf(f, "--%s", row->name);
	if (meta)
		n += fprintf(f, "%s%s", joined ? "" : " ", meta);
	return n;
}

/* text with every line after the first indented to column. */
static void print_indented(const char *text, unsigned int column, FILE *f)
{
	const char *p;

	for (p = text; *p; p++) {
		fputc(*p, f);
		if (*p == '\n' && p[1])
			fprintf(f, "%*s", (int)column, "");
	}
}

void option_table_help(const struct option_table *t, FILE *f)
{
	size_t i;

	fputs(t->synopsis, f);
	for (i = 0; i < t->nr_rows; i++) {
		const struct option_row *row = &t->rows[i];
		int n;

		if (!row->name) {
			fputs(row->help, f);
			continue;
		}
		n = print_flag(row, f);
		/* A long flag pushes its text two spaces past it. */
		fprintf(f, "%*s", n + 2 <= (int)t->help_column ? (int)t->help_column - n : 2, "");
		print_indented(row->help ? row->help : "", t->help_column, f);
		if (row->help_of)
			fputs(row->help_of(), f);
		fputc('\n', f);
	}
}
