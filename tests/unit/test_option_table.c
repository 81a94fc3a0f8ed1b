// SPDX-License-Identifier: MIT
/*
 * The option tables: one shared parser takes each subcommand's flags from its table and
 * prints its --help from the same rows, so the two cannot disagree.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/commands.h"
#include "cli/option_table.h"
#include "cli/options.h"

/* ---- a small table of every kind of row ---- */

struct demo {
	const char *file, *mode;
	bool quiet;
	int nr_tags;
	const char *tags[4];
};

static int set_tag(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct demo *demo = ctx;

	if (demo->nr_tags == 4)
		return diag_fail(d, -EINVAL, "--%s: at most 4", row->name);
	demo->tags[demo->nr_tags++] = arg;
	return 0;
}

static int set_mode(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct demo *demo = ctx;

	if (arg && strcmp(arg, "fast") && strcmp(arg, "slow"))
		return diag_fail(d, -EINVAL, "--%s '%s': expected fast or slow", row->name, arg);
	demo->mode = arg ? arg : "default";
	return 0;
}

static const struct option_row demo_rows[] = {
	{ .help = "Files:\n" },
	{ .name = "file",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "the input\nread once",
	  .set = option_set_string,
	  .offset = offsetof(struct demo, file) },
	{ .name = "a-rather-long-flag-name",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "TAG",
	  .help = "a tag (repeatable)",
	  .set = set_tag },
	{ .help = "\nOther:\n", .help_column = 18 },
	{ .name = "mode",
	  .arg = OPTION_ARG_OPTIONAL,
	  .metavar = "[=HOW]",
	  .help = "fast or slow",
	  .set = set_mode },
	{ .name = "quiet",
	  .short_name = 'q',
	  .help = "say less",
	  .set = option_set_true,
	  .offset = offsetof(struct demo, quiet) },
};

static const struct option_table demo_table = {
	.command = "demo cmd",
	.synopsis = "usage: demo cmd [OPTIONS]\n",
	.rows = demo_rows,
	.nr_rows = sizeof(demo_rows) / sizeof(demo_rows[0]),
	.help_column = 16,
};

/* getopt wants char **; the literals are never written to. */
static int parse_with(const struct option_table *t, void *ctx, struct diag *d,
		      const char *const *args)
{
	char *argv[32] = { (char *)"prog" };
	int argc = 1;

	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	return option_table_parse(t, argc, argv, ctx, d);
}

#define PARSE(t, ctx, d, ...) \
	parse_with((t), (ctx), (d), (const char *const[]){ __VA_ARGS__, NULL })

/* The --help text of t, in a malloc'ed string. */
static char *help_of(const struct option_table *t)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	option_table_help(t, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_rows_set_their_fields(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&demo_table, &demo, &d, "--file", "in", "-q", "--mode=fast",
			       "--a-rather-long-flag-name", "x", "--a-rather-long-flag-name=y"),
			 0);
	assert_string_equal(demo.file, "in");
	assert_true(demo.quiet);
	assert_string_equal(demo.mode, "fast");
	assert_int_equal(demo.nr_tags, 2);
	assert_string_equal(demo.tags[0], "x");
	assert_string_equal(demo.tags[1], "y");
}

/* getopt_long's forms stay: a unique prefix of a long name, an optional value only after
 * '=', options after other arguments are still options. */
static void test_getopt_forms_are_kept(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&demo_table, &demo, &d, "--fi", "in", "--quiet", "--mode"), 0);
	assert_string_equal(demo.file, "in");
	assert_string_equal(demo.mode, "default");
}

/* A flag given twice is set twice: the last value wins (getopt's rule, as before). */
static void test_a_flag_given_twice_keeps_the_last_value(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&demo_table, &demo, &d, "--file", "a", "--file", "b"), 0);
	assert_string_equal(demo.file, "b");
}

static void test_unknown_flag_names_the_command(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&demo_table, &demo, &d, "--file", "a", "--frobnicate"), -EINVAL);
	assert_non_null(strstr(d.msg, "unknown option '--frobnicate'"));
	assert_non_null(strstr(d.msg, "`demo cmd`"));
	assert_non_null(strstr(d.msg, "demo cmd --help"));
	assert_null(strchr(d.msg, '\n'));
}

static void test_missing_value_is_named(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&demo_table, &demo, &d, "--file"), -EINVAL);
	assert_string_equal(d.msg, "option '--file' needs a value");
}

static void test_setter_error_stops_the_parse(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&demo_table, &demo, &d, "--mode=medium", "--file", "a"), -EINVAL);
	assert_string_equal(d.msg, "--mode 'medium': expected fast or slow");
	assert_null(demo.file);
}

static void test_stray_argument_is_refused(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&demo_table, &demo, &d, "stray", "--quiet"), -EINVAL);
	assert_non_null(strstr(d.msg, "unexpected argument 'stray'"));
}

/* The help is the rows, in order: names with metavars, text aligned at the column, later
 * lines indented to it, a long flag pushing its text two spaces on, paragraphs as they are
 * (and moving the column when they say so). */
static void test_help_is_printed_from_the_rows(void **state)
{
	char *help = help_of(&demo_table);

	assert_string_equal(help, "usage: demo cmd [OPTIONS]\n"
				  "Files:\n"
				  "  --file FILE   the input\n"
				  "                read once\n"
				  "  --a-rather-long-flag-name TAG  a tag (repeatable)\n"
				  "\n"
				  "Other:\n"
				  "  --mode[=HOW]    fast or slow\n"
				  "  -q, --quiet     say less\n");
	free(help);
}

/* ---- include: one command takes another table's flags ---- */

struct outer {
	const char *file, *dir;
	bool dir_given, help;
	struct demo demo; /* the included demo table's ctx */
	const char *demo_flag;
};

static int set_dir(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct outer *o = ctx;

	o->dir_given = true;
	o->dir = arg;
	return 0;
}

static const struct option_include demo_include = {
	.table = &demo_table,
	.ctx_offset = offsetof(struct outer, demo),
	.given_offset = offsetof(struct outer, demo_flag),
};

static const struct option_row outer_rows[] = {
	{ .name = "file",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "PATH",
	  .help = "the outer input",
	  .set = option_set_string,
	  .offset = offsetof(struct outer, file) },
	{ .name = "dir",
	  .arg = OPTION_ARG_OPTIONAL_NEXT,
	  .metavar = "[=DIR]",
	  .help = "a directory",
	  .set = set_dir },
	{ .name = "help",
	  .short_name = 'q', /* takes the demo's -q away from it */
	  .help = "this text",
	  .set = option_set_true,
	  .offset = offsetof(struct outer, help) },
	{ .help = "Lent:\n" },
	{ .include = &demo_include },
	{ .help = "End.\n" },
};

static const struct option_table outer_table = {
	.command = "outer",
	.synopsis = "usage: outer\n",
	.rows = outer_rows,
	.nr_rows = sizeof(outer_rows) / sizeof(outer_rows[0]),
	.help_column = 12,
	.in_order = true,
};

/* An included flag sets its own table's ctx, and the first one given is noted; a flag
 * whose name or short name the including table has itself is the including table's. */
static void test_include_lends_flags_and_notes_the_first_given(void **state)
{
	struct outer o = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&outer_table, &o, &d, "--file", "a", "--a-rather-long-flag-name",
			       "x", "--mode=fast", "--a", "y"),
			 0);
	assert_string_equal(o.file, "a");
	assert_null(o.demo.file);
	assert_int_equal(o.demo.nr_tags, 2);
	assert_string_equal(o.demo.mode, "fast");
	assert_string_equal(o.demo_flag, "a-rather-long-flag-name");

	memset(&o, 0, sizeof(o));
	assert_int_equal(PARSE(&outer_table, &o, &d, "--file", "a", "-q"), 0);
	assert_true(o.help);
	assert_false(o.demo.quiet);
	assert_null(o.demo_flag); /* no flag of the demo's was given */
	/* The demo's -q, --quiet row is not lent at all: one flag, one meaning. */
	assert_int_equal(PARSE(&outer_table, &o, &d, "--quiet"), -EINVAL);
	assert_non_null(strstr(d.msg, "unknown option '--quiet'"));
}

/* Errors name the including command, for its own flags and the lent ones alike. */
static void test_include_errors_name_the_including_command(void **state)
{
	struct outer o = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&outer_table, &o, &d, "--a-rather-long-flag-name"), -EINVAL);
	assert_string_equal(d.msg, "option '--a-rather-long-flag-name' needs a value");
	assert_int_equal(PARSE(&outer_table, &o, &d, "--frobnicate"), -EINVAL);
	assert_non_null(strstr(d.msg, "`outer` takes no such flag"));
	assert_int_equal(PARSE(&outer_table, &o, &d, "--mode=medium"), -EINVAL);
	assert_string_equal(d.msg, "--mode 'medium': expected fast or slow");
}

/* --help lists the lent flag rows at the include row's place, each at the included
 * table's column, without that table's paragraphs or its shadowed rows. */
static void test_include_help_lists_the_lent_flags(void **state)
{
	char *help = help_of(&outer_table);

	assert_string_equal(help, "usage: outer\n"
				  "  --file PATH  the outer input\n"
				  "  --dir[=DIR]  a directory\n"
				  "  -q, --help  this text\n"
				  "Lent:\n"
				  "  --a-rather-long-flag-name TAG  a tag (repeatable)\n"
				  "  --mode[=HOW]  fast or slow\n"
				  "End.\n");
	free(help);
}

/* OPTION_ARG_OPTIONAL_NEXT: no value, a value after '=', or the next argument when it
 * does not start with '-'. */
static void test_optional_next_takes_the_next_argument(void **state)
{
	struct outer o = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&outer_table, &o, &d, "--dir"), 0);
	assert_true(o.dir_given);
	assert_null(o.dir);
	assert_int_equal(PARSE(&outer_table, &o, &d, "--dir=a", "--file", "f"), 0);
	assert_string_equal(o.dir, "a");
	assert_int_equal(PARSE(&outer_table, &o, &d, "--dir", "b", "--file", "f"), 0);
	assert_string_equal(o.dir, "b");
	assert_string_equal(o.file, "f");
	memset(&o, 0, sizeof(o));
	assert_int_equal(PARSE(&outer_table, &o, &d, "--dir", "--file", "f"), 0);
	assert_true(o.dir_given);
	assert_null(o.dir);
	assert_string_equal(o.file, "f");
	/* After "--" nothing is an option or its value. */
	assert_int_equal(PARSE(&outer_table, &o, &d, "--dir", "--", "c"), -EINVAL);
	assert_non_null(strstr(d.msg, "unexpected argument 'c'"));
}

static const struct option_include outer_include = {
	.table = &outer_table,
};

static const struct option_row nested_rows[] = {
	{ .include = &outer_include },
};

static const struct option_table nested_table = {
	.command = "nested",
	.synopsis = "",
	.rows = nested_rows,
	.nr_rows = 1,
};

/* One level only: a table including one that includes is a programmer error, said so. */
static void test_nested_include_is_refused(void **state)
{
	struct outer o = { 0 };
	struct diag d = { "" };

	assert_int_equal(PARSE(&nested_table, &o, &d, "--file", "x"), -EINVAL);
	assert_string_equal(d.msg, "nested: internal: nested include");
}

/* ---- split: flags of the table taken out, the rest passed on ---- */

static int split_with(void *ctx, struct diag *d, char **rest, int *nr_rest, const char *const *args)
{
	char *argv[32] = { (char *)"prog" };
	int argc = 1;

	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	return option_table_split(&demo_table, argc, argv, ctx, rest, nr_rest, d);
}

#define SPLIT(ctx, d, rest, nr, ...) \
	split_with((ctx), (d), (rest), (nr), (const char *const[]){ __VA_ARGS__, NULL })

static void test_split_passes_other_arguments_on_in_order(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };
	char *rest[32];
	int nr = -1;

	assert_int_equal(SPLIT(&demo, &d, rest, &nr, "--kernel", "bz", "--file", "in", "-q", "--fi",
			       "--", "--file", "x"),
			 0);
	assert_string_equal(demo.file, "in");
	assert_true(demo.quiet);
	/* Only whole names are the table's: --fi is passed on, and so is all after "--". */
	assert_int_equal(nr, 5);
	assert_string_equal(rest[0], "--kernel");
	assert_string_equal(rest[1], "bz");
	assert_string_equal(rest[2], "--fi");
	assert_string_equal(rest[3], "--file");
	assert_string_equal(rest[4], "x");
}

static void test_split_refuses_a_flag_given_twice(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };
	char *rest[32];
	int nr;

	assert_int_equal(SPLIT(&demo, &d, rest, &nr, "--file", "a", "--file=b"), -EINVAL);
	assert_string_equal(d.msg, "--file given twice");
}

static void test_split_errors_name_the_flag(void **state)
{
	struct demo demo = { 0 };
	struct diag d = { "" };
	char *rest[32];
	int nr;

	assert_int_equal(SPLIT(&demo, &d, rest, &nr, "--quiet=1"), -EINVAL);
	assert_string_equal(d.msg, "--quiet takes no value");
	assert_int_equal(SPLIT(&demo, &d, rest, &nr, "--file"), -EINVAL);
	assert_string_equal(d.msg, "--file needs a value");
}

/* ---- the subcommands' own tables ---- */

static const struct option_table *const tables[] = {
	&run_options, &measure_options, &id_block_options, &host_info_options, &verify_options,
};
#define NR_TABLES (sizeof(tables) / sizeof(tables[0]))

/* Room for any subcommand's parse target: an unknown flag or a missing value is found
 * before a setter writes to it. */
static union {
	struct vmm_options launch;
	char bytes[1 << 16];
	max_align_t align;
} scratch;

/* A flag another subcommand takes, or none at all, is refused by each subcommand with one
 * line naming it. */
static void test_every_subcommand_refuses_unknown_flags(void **state)
{
	static const char *const flags[] = { "--frobnicate", "--ovmf", "--report", "--kernel" };
	size_t i, j;

	for (i = 0; i < NR_TABLES; i++) {
		for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++) {
			const struct option_table *t = tables[i];
			struct diag d = { "" };
			char expect[128];
			size_t k;
			bool known = false;

			for (k = 0; k < t->nr_rows; k++)
				known |= t->rows[k].name && !strcmp(t->rows[k].name, flags[j] + 2);
			if (known || t == &verify_options)
				continue; /* verify passes unknown flags on to measure */
			memset(&scratch, 0, sizeof(scratch));
			assert_int_equal(PARSE(t, &scratch, &d, flags[j], "v"), -EINVAL);
			snprintf(expect, sizeof(expect),
				 "unknown option '%s': `%s` takes no such flag", flags[j],
				 t->command);
			assert_non_null(strstr(d.msg, expect));
		}
	}
}

/* Every flag that takes a value says so when it has none. */
static void test_every_valued_flag_needs_its_value(void **state)
{
	size_t i, k;

	for (i = 0; i < NR_TABLES; i++) {
		const struct option_table *t = tables[i];

		if (t == &verify_options)
			continue; /* split: test_split_errors_name_the_flag */
		for (k = 0; k < t->nr_rows; k++) {
			const struct option_row *row = &t->rows[k];
			struct diag d = { "" };
			char flag[64], expect[96];

			if (!row->name || row->arg != OPTION_ARG_REQUIRED)
				continue;
			snprintf(flag, sizeof(flag), "--%s", row->name);
			snprintf(expect, sizeof(expect), "option '%s' needs a value", flag);
			memset(&scratch, 0, sizeof(scratch));
			assert_int_equal(PARSE(t, &scratch, &d, flag), -EINVAL);
			assert_string_equal(d.msg, expect);
		}
	}
}

/* Each table's --help lists every flag it parses, with help text, once; no two rows share
 * a name. */
static void test_every_help_lists_every_flag_of_its_table(void **state)
{
	size_t i, k, m;

	for (i = 0; i < NR_TABLES; i++) {
		const struct option_table *t = tables[i];
		char *help = help_of(t);

		for (k = 0; k < t->nr_rows; k++) {
			const struct option_row *row = &t->rows[k];
			char flag[64];

			if (!row->name)
				continue;
			assert_non_null(row->help);
			assert_non_null(row->set);
			snprintf(flag, sizeof(flag), "--%s%s", row->name,
				 row->metavar && row->metavar[0] == '=' ? "=" : "");
			if (!strstr(help, flag))
				fail_msg("%s --help does not list %s", t->command, flag);
			for (m = k + 1; m < t->nr_rows; m++)
				assert_false(t->rows[m].name &&
					     !strcmp(t->rows[m].name, row->name));
		}
		free(help);
	}
}

/* Whether t has a flag row of its own that takes lent's name or short name. */
static bool has_own(const struct option_table *t, const struct option_row *lent)
{
	size_t k;

	for (k = 0; k < t->nr_rows; k++)
		if (t->rows[k].name &&
		    (!strcmp(t->rows[k].name, lent->name) ||
		     (lent->short_name && lent->short_name == t->rows[k].short_name)))
			return true;
	return false;
}

/* The flags a table includes (measure: sev-snp-measure's and every launch option) are
 * listed by its --help and parsed, and no two flags it takes share a name. */
static void test_every_included_flag_is_listed_and_taken(void **state)
{
	const char *names[128];
	size_t i, k, m, n;

	for (i = 0; i < NR_TABLES; i++) {
		const struct option_table *t = tables[i];
		char *help = help_of(t);

		n = 0;
		for (k = 0; k < t->nr_rows; k++)
			if (t->rows[k].name)
				names[n++] = t->rows[k].name;
		for (k = 0; k < t->nr_rows; k++) {
			const struct option_table *lent =
				t->rows[k].include ? t->rows[k].include->table : NULL;

			for (m = 0; lent && m < lent->nr_rows; m++) {
				const struct option_row *row = &lent->rows[m];
				struct diag d = { "" };
				char flag[64];

				if (!row->name || has_own(t, row))
					continue;
				assert_true(n < sizeof(names) / sizeof(names[0]));
				names[n++] = row->name;
				snprintf(flag, sizeof(flag), " --%s", row->name);
				if (!strstr(help, flag))
					fail_msg("%s --help does not list %s", t->command,
						 flag + 1);
				/* Taken: whatever the parse says, it is not an unknown flag. */
				snprintf(flag, sizeof(flag), "--%s", row->name);
				memset(&scratch, 0, sizeof(scratch));
				(void)PARSE(t, &scratch, &d, flag);
				assert_null(strstr(d.msg, "unknown option"));
			}
		}
		for (k = 0; k < n; k++)
			for (m = k + 1; m < n; m++)
				if (!strcmp(names[k], names[m]))
					fail_msg("%s takes --%s twice", t->command, names[k]);
		free(help);
	}
}

/* run's table: the help a user reads is the one the man page test compares; it keeps its
 * sections and the exit statuses. */
static void test_run_help_keeps_its_sections(void **state)
{
	char *help = help_of(&run_options);

	assert_non_null(strstr(help, "Usage: snpvmm [OPTIONS] --kernel BZIMAGE\n"));
	assert_non_null(strstr(help, "\nSEV-SNP launch:\n  --no-snp  "));
	assert_non_null(strstr(help, "\n  --sim=PROFILE             the simulated kernel"));
	assert_non_null(strstr(help, "\n  -h, --help                this text\n"));
	assert_non_null(strstr(help, "Exit status: 0 the guest reset"));
	/* One row per flag: --events is listed once. */
	assert_null(strstr(strstr(help, "  --events ") + 1, "  --events "));
	free(help);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_set_their_fields),
		cmocka_unit_test(test_getopt_forms_are_kept),
		cmocka_unit_test(test_a_flag_given_twice_keeps_the_last_value),
		cmocka_unit_test(test_unknown_flag_names_the_command),
		cmocka_unit_test(test_missing_value_is_named),
		cmocka_unit_test(test_setter_error_stops_the_parse),
		cmocka_unit_test(test_stray_argument_is_refused),
		cmocka_unit_test(test_help_is_printed_from_the_rows),
		cmocka_unit_test(test_include_lends_flags_and_notes_the_first_given),
		cmocka_unit_test(test_include_errors_name_the_including_command),
		cmocka_unit_test(test_include_help_lists_the_lent_flags),
		cmocka_unit_test(test_optional_next_takes_the_next_argument),
		cmocka_unit_test(test_nested_include_is_refused),
		cmocka_unit_test(test_split_passes_other_arguments_on_in_order),
		cmocka_unit_test(test_split_refuses_a_flag_given_twice),
		cmocka_unit_test(test_split_errors_name_the_flag),
		cmocka_unit_test(test_every_subcommand_refuses_unknown_flags),
		cmocka_unit_test(test_every_valued_flag_needs_its_value),
		cmocka_unit_test(test_every_help_lists_every_flag_of_its_table),
		cmocka_unit_test(test_every_included_flag_is_listed_and_taken),
		cmocka_unit_test(test_run_help_keeps_its_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
