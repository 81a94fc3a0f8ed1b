// SPDX-License-Identifier: MIT
/*
 * Launch option parsing: every flag's accepted forms and every rejection the user can hit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/options.h"

/* getopt wants char **; the literals are never written to. */
static int parse_args(struct vmm_options *o, struct diag *d, const char *const *args)
{
	char *argv[32] = { (char *)"snpvmm" };
	int argc = 1;

	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	return options_parse(argc, argv, o, d);
}

#define PARSE(o, d, ...) parse_args((o), (d), (const char *const[]){ __VA_ARGS__, NULL })

static void test_options_kernel_only_gives_defaults(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "bz"), 0);

	assert_string_equal(o.kernel, "bz");
	assert_null(o.initrd);
	assert_int_equal(o.mem_size, 512ULL << 20);
	assert_int_equal(o.smp, 1);
	assert_false(o.no_snp);
	assert_int_equal(o.mem_backend, MEM_BACKEND_AUTO);
	assert_int_equal(o.console, CONSOLE_STDIO);
	assert_string_equal(o.kvm_device, "/dev/kvm");
}

static void test_options_full_command_line_is_parsed(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--no-snp", "--kernel", "k", "--initrd", "i", "--append",
			       "a b c", "--mem", "256M", "--smp", "2", "--memory-backend", "gmem",
			       "--console", "file:/tmp/out", "--setup-data", "0x10,f"),
			 0);

	assert_true(o.no_snp);
	assert_string_equal(o.initrd, "i");
	assert_string_equal(o.append, "a b c");
	assert_int_equal(o.mem_size, 256ULL << 20);
	assert_int_equal(o.smp, 2);
	assert_int_equal(o.mem_backend, MEM_BACKEND_GMEM);
	assert_int_equal(o.console, CONSOLE_FILE);
	assert_string_equal(o.console_path, "/tmp/out");
	assert_int_equal(o.nr_setup_data, 1);
	assert_int_equal(o.setup_data[0].type, 0x10);
	assert_string_equal(o.setup_data[0].path, "f");
}

static void test_options_missing_kernel_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--no-snp"), -EINVAL);
	assert_non_null(strstr(d.msg, "--kernel is required"));
}

static void test_options_help_needs_no_kernel(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--help"), 0);
	assert_true(o.help);
}

static void test_options_unknown_flag_is_named(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--frobnicate"), -EINVAL);
	assert_non_null(strstr(d.msg, "--frobnicate"));
}

static void test_options_flag_without_value_is_named(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel"), -EINVAL);
	assert_non_null(strstr(d.msg, "needs a value"));
}

static void test_options_stray_argument_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "extra"), -EINVAL);
	assert_non_null(strstr(d.msg, "extra"));
}

static void test_options_mem_zero_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--mem", "0"), -EINVAL);
	assert_non_null(strstr(d.msg, "--mem '0'"));
}

static void test_options_mem_absurd_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--mem", "2T"), -EINVAL);
	assert_non_null(strstr(d.msg, "between 4M and 1T"));
}

static void test_options_mem_overflowing_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--mem", "99999999999999999999G"), -EINVAL);
}

static void test_options_mem_malformed_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--mem", "12MB"), -EINVAL);
	assert_non_null(strstr(d.msg, "expected a size"));
}

static void test_options_mem_unaligned_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--mem", "4194305"), -EINVAL);
	assert_non_null(strstr(d.msg, "multiple of 4 KiB"));
}

static void test_options_smp_zero_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--smp", "0"), -EINVAL);
	assert_non_null(strstr(d.msg, "--smp '0'"));
}

static void test_options_smp_too_many_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--smp", "256"), -EINVAL);
}

static void test_options_smp_max_is_accepted(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--smp", "255"), 0);
	assert_int_equal(o.smp, 255);
}

static void test_options_smp_negative_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--smp", "-1"), -EINVAL);
}

static void test_options_unknown_backend_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--memory-backend", "hugetlb"), -EINVAL);
	assert_non_null(strstr(d.msg, "auto, gmem or anon"));
}

static void test_options_console_none_is_parsed(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--console", "none"), 0);
	assert_int_equal(o.console, CONSOLE_NONE);
}

static void test_options_console_file_without_path_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--console", "file:"), -EINVAL);
}

static void test_options_setup_data_without_file_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--setup-data", "7"), -EINVAL);
	assert_non_null(strstr(d.msg, "TYPE,FILE"));
}

static void test_options_setup_data_indirect_type_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--setup-data", "0x80000001,f"), -EINVAL);
}

static void test_parse_size_suffixes_scale(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("64k", &v), 0);
	assert_int_equal(v, 64ULL << 10);
	assert_int_equal(parse_size("512M", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(parse_size("4G", &v), 0);
	assert_int_equal(v, 4ULL << 30);
	assert_int_equal(parse_size("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(parse_size("268435456", &v), 0);
	assert_int_equal(v, 268435456ULL);
}

static void test_parse_size_garbage_is_rejected(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("M", &v), -EINVAL);
	assert_int_equal(parse_size(" 4G", &v), -EINVAL);
	assert_int_equal(parse_size("4 G", &v), -EINVAL);
	assert_int_equal(parse_size("18446744073709551616", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_kernel_only_gives_defaults),
		cmocka_unit_test(test_options_full_command_line_is_parsed),
		cmocka_unit_test(test_options_missing_kernel_is_rejected),
		cmocka_unit_test(test_options_help_needs_no_kernel),
		cmocka_unit_test(test_options_unknown_flag_is_named),
		cmocka_unit_test(test_options_flag_without_value_is_named),
		cmocka_unit_test(test_options_stray_argument_is_rejected),
		cmocka_unit_test(test_options_mem_zero_is_rejected),
		cmocka_unit_test(test_options_mem_absurd_is_rejected),
		cmocka_unit_test(test_options_mem_overflowing_is_rejected),
		cmocka_unit_test(test_options_mem_malformed_is_rejected),
		cmocka_unit_test(test_options_mem_unaligned_is_rejected),
		cmocka_unit_test(test_options_smp_zero_is_rejected),
		cmocka_unit_test(test_options_smp_too_many_is_rejected),
		cmocka_unit_test(test_options_smp_max_is_accepted),
		cmocka_unit_test(test_options_smp_negative_is_rejected),
		cmocka_unit_test(test_options_unknown_backend_is_rejected),
		cmocka_unit_test(test_options_console_none_is_parsed),
		cmocka_unit_test(test_options_console_file_without_path_is_rejected),
		cmocka_unit_test(test_options_setup_data_without_file_is_rejected),
		cmocka_unit_test(test_options_setup_data_indirect_type_is_rejected),
		cmocka_unit_test(test_parse_size_suffixes_scale),
		cmocka_unit_test(test_parse_size_garbage_is_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
