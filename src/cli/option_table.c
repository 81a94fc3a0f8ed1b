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

/* More flags than any subcommand has (measure: its own, QEMU + OVMF's and every launch
 * option); a table that outgrows it fails its unit test. */
#define OPTION_TABLE_MAX_FLAGS 96

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
	case OPTION_ARG_OPTIONAL_NEXT:
		return optional_argument;
	default:
		return no_argument;
	}
}

/* Whether t has a flag row of its own named like row, or with row's short name. */
static bool is_shadowed(const struct option_table *t, const struct option_row *row)
{
	size_t i;

	for (i = 0; i < t->nr_rows; i++) {
		const struct option_row *own = &t->rows[i];

		if (!own->name)
			continue;
		if (!strcmp(own->name, row->name) ||
		    (row->short_name && own->short_name == row->short_name))
			return true;
	}
	return false;
}

/* One flag the parser takes: its row, the ctx its setter gets, and where to note that a
 * flag of its include was given (or NULL). */
struct flag {
	const struct option_row *row;
	void *ctx;
	const char **given;
};

/* t's flags, its own and the ones it includes, in --help order. Returns how many, or
 * -EINVAL with d for a table this parser cannot take (a programmer error its unit test
 * finds). */
static int collect_flags(const struct option_table *t, void *ctx,
			 struct flag flags[OPTION_TABLE_MAX_FLAGS], struct diag *d)
{
	size_t i, k;
	int n = 0;

	for (i = 0; i < t->nr_rows; i++) {
		const struct option_row *row = &t->rows[i];
		const struct option_include *inc = row->include;

		if (row->name) {
			if (n == OPTION_TABLE_MAX_FLAGS)
				goto too_many;
			flags[n++] = (struct flag){ row, ctx, NULL };
			continue;
		}
		if (!inc)
			continue;
		for (k = 0; k < inc->table->nr_rows; k++) {
			const struct option_row *lent = &inc->table->rows[k];

			if (lent->include)
				return diag_fail(d, -EINVAL, "%s: internal: nested include",
						 t->command);
			if (!lent->name || is_shadowed(t, lent))
				continue;
			if (n == OPTION_TABLE_MAX_FLAGS)
				goto too_many;
			flags[n++] = (struct flag){ lent, (char *)ctx + inc->ctx_offset,
						    (const char **)(void *)((char *)ctx +
									    inc->given_offset) };
		}
	}
	return n;
too_many:
	return diag_fail(d, -EINVAL, "%s: internal: more than %d flags", t->command,
			 OPTION_TABLE_MAX_FLAGS);
}

/* The flag getopt_long() returned val for, or NULL. */
static const struct flag *flag_of(const struct flag *flags, int nr, int val)
{
	int i;

	if (val >= OPTION_VAL_BASE && val - OPTION_VAL_BASE < nr)
		return &flags[val - OPTION_VAL_BASE];
	for (i = 0; i < nr; i++)
		if (flags[i].row->short_name && flags[i].row->short_name == val)
			return &flags[i];
	return NULL;
}

int option_table_parse(const struct option_table *t, int argc, char **argv, void *ctx,
		       struct diag *d)
{
	struct flag flags[OPTION_TABLE_MAX_FLAGS];
	struct option longopts[OPTION_TABLE_MAX_FLAGS + 1];
	/* '+' (in order), ':' (report a missing value apart), then short options. */
	char shortopts[2 + 2 * OPTION_TABLE_MAX_FLAGS + 1];
	size_t nr_short = 0;
	int i, nr, val, r;

	nr = collect_flags(t, ctx, flags, d);
	if (nr < 0)
		return nr;
	if (t->in_order)
		shortopts[nr_short++] = '+';
	shortopts[nr_short++] = ':';
	for (i = 0; i < nr; i++) {
		const struct option_row *row = flags[i].row;

		longopts[i] = (struct option){ row->name, has_arg_of(row->arg), NULL,
					       OPTION_VAL_BASE + i };
		if (row->short_name) {
			shortopts[nr_short++] = row->short_name;
			if (row->arg == OPTION_ARG_REQUIRED)
				shortopts[nr_short++] = ':';
		}
	}
	longopts[nr] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[nr_short] = '\0';

	/* optind = 0 makes GNU getopt start afresh, so parsing can run more than once. */
	optind = 0;
	opterr = 0;
	while ((val = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct flag *flag = flag_of(flags, nr, val);
		const char *arg = optarg;

		if (val == ':')
			return diag_fail(d, -EINVAL, "option '%s' needs a value", argv[optind - 1]);
		if (val == '?' || !flag)
			return diag_fail(d, -EINVAL,
					 "unknown option '%s': `%s` takes no such flag (see %s "
					 "--help)",
					 argv[optind - 1], t->command, t->command);
		/* getopt leaves the next argument where it is: taking it here is what getopt
		 * does for a required value (it is argv[optind] in either getopt order). */
		if (flag->row->arg == OPTION_ARG_OPTIONAL_NEXT && !arg && optind < argc &&
		    argv[optind][0] != '-')
			arg = argv[optind++];
		r = flag->row->set(flag->row, arg, flag->ctx, d);
		if (r < 0)
			return r;
		if (flag->given && !*flag->given)
			*flag->given = flag->row->name;
	}
	if (optind < argc)
		return diag_fail(d, -EINVAL, "unexpected argument '%s' (see %s --help)",
				 argv[optind], t->command);
	return 0;
}

/* The flag row arg names ("--name", "--name=VALUE" or "-X"), or NULL; *ret_value is
 * what follows a '='. */
static const struct option_row *split_row_of(const struct option_table *t, const char *arg,
					     const char **ret_value)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	size_t i;

	*ret_value = NULL;
	for (i = 0; i < t->nr_rows; i++) {
		const struct option_row *row = &t->rows[i];

		if (!row->name)
			continue;
		if (row->short_name && arg[0] == '-' && arg[1] == row->short_name && !arg[2])
			return row;
		if (len == strlen(row->name) + 2 && !strncmp(arg, "--", 2) &&
		    !strncmp(arg + 2, row->name, len - 2)) {
			*ret_value = eq ? eq + 1 : NULL;
			return row;
		}
	}
	return NULL;
}

int option_table_split(const struct option_table *t, int argc, char **argv, void *ctx, char **rest,
		       int *ret_nr_rest, struct diag *d)
{
	bool given[OPTION_TABLE_MAX_FLAGS] = { false };
	int i, nr_rest = 0, r;

	if (t->nr_rows > OPTION_TABLE_MAX_FLAGS)
		return diag_fail(d, -EINVAL, "%s: internal: more than %d rows", t->command,
				 OPTION_TABLE_MAX_FLAGS);
	for (i = 1; i < argc; i++) {
		const char *value;
		const struct option_row *row = split_row_of(t, argv[i], &value);
		size_t index;

		if (!strcmp(argv[i], "--")) {
			while (++i < argc)
				rest[nr_rest++] = argv[i];
			break;
		}
		if (!row) {
			rest[nr_rest++] = argv[i];
			continue;
		}
		index = (size_t)(row - t->rows);
		if (given[index])
			return diag_fail(d, -EINVAL, "--%s given twice", row->name);
		given[index] = true;
		if (row->arg == OPTION_ARG_NONE && value)
			return diag_fail(d, -EINVAL, "--%s takes no value", row->name);
		if (row->arg == OPTION_ARG_REQUIRED && !value) {
			if (i + 1 >= argc)
				return diag_fail(d, -EINVAL, "--%s needs a value", row->name);
			value = argv[++i];
		}
		r = row->set(row, value, ctx, d);
		if (r < 0)
			return r;
	}
	*ret_nr_rest = nr_rest;
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

/* One flag row: its left column, then its help text from column on. */
static void print_row(const struct option_row *row, unsigned int column, FILE *f)
{
	int n = print_flag(row, f);

	/* A long flag pushes its text two spaces past it. */
	fprintf(f, "%*s", n + 2 <= (int)column ? (int)column - n : 2, "");
	print_indented(row->help ? row->help : "", column, f);
	if (row->help_of)
		fputs(row->help_of(), f);
	fputc('\n', f);
}

void option_table_help(const struct option_table *t, FILE *f)
{
	unsigned int column = t->help_column;
	size_t i, k;

	fputs(t->synopsis, f);
	for (i = 0; i < t->nr_rows; i++) {
		const struct option_row *row = &t->rows[i];
		const struct option_table *lent = row->include ? row->include->table : NULL;

		if (row->name) {
			print_row(row, column, f);
			continue;
		}
		if (lent) {
			/* Its help texts are wrapped for its own column. */
			for (k = 0; k < lent->nr_rows; k++)
				if (lent->rows[k].name && !is_shadowed(t, &lent->rows[k]))
					print_row(&lent->rows[k], lent->help_column, f);
			continue;
		}
		fputs(row->help, f);
		if (row->help_column)
			column = row->help_column;
	}
}
