// SPDX-License-Identifier: MIT
/* `snpvmm measure` through cmd_measure(): output, exit statuses and the one-line errors. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/commands.h"
#include "snp_vectors.h"

#define AMDSEV	     "R1_amdsev_nokernel_1vcpu"
#define AMDSEV_4VCPU "R3_amdsev_emptykernel_4vcpu"

struct run {
	int status;
	char out[8192];
	char err[4096];
};

static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Runs cmd_measure("measure", args..., NULL) with stdout and stderr captured. */
static void run_measure(struct run *r, ...)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int saved_out = dup(1), saved_err = dup(2);
	char *argv[32];
	const char *arg;
	int argc = 0;
	va_list ap;

	argv[argc++] = strdup("measure");
	va_start(ap, r);
	while ((arg = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = strdup(arg);
	va_end(ap);
	argv[argc] = NULL;

	assert_non_null(out);
	assert_non_null(err);
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	r->status = cmd_measure(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	while (argc > 0)
		free(argv[--argc]);
}

static void vector_file(const char *vector, const char *file, char *out, size_t size)
{
	snprintf(out, size, "%s/%s/%s", getenv("SNPVMM_VECTORS_DIR"), vector, file);
}

static bool one_error_line(const char *err)
{
	const char *nl = strchr(err, '\n');

	return strncmp(err, "snpvmm measure: ", 16) == 0 && nl && nl[1] == '\0';
}

static void expected_hex(const char *vector, char *out)
{
	char *text = vector_read_text(vector, "expected.txt");

	memcpy(out, text, 96);
	out[96] = '\0';
	free(text);
}

static void test_measure_cli_prints_expected_digest(void **state)
{
	struct vector_list list;
	char ovmf[1024], want[97];
	struct run r;

	vectors_list(&list);
	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));
	expected_hex(AMDSEV, want);

	run_measure(&r, "--ovmf", ovmf, "--vcpus", "1", "--vcpu-type", "EPYC-v4", NULL);

	assert_int_equal(r.status, 0);
	assert_memory_equal(r.out, want, 96);
	assert_string_equal(r.out + 96, "\n");
	assert_string_equal(r.err, "");
}

static void test_measure_cli_base64_verbose_format(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, "--ovmf", ovmf, "--vcpus", "1", "--vcpu-sig", "0x800f12", "--output-format",
		    "base64", "-v", NULL);

	assert_int_equal(r.status, 0);
	/* expected.txt 19358ba9... in base64 */
	assert_string_equal(r.out,
			    "Calculated SEV_SNP guest measurement: "
			    "GTWLqadhVTSpoeLw38KThNzU3LcGL/nGATsmhppfxuyr4DPEjdb2211tdufF32Mt\n");
}

static void remove_dump(const char *dir, unsigned int n)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/vmsa%u.bin", dir, i);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

static void test_measure_cli_dump_vmsa_writes_vector_pages(void **state)
{
	char ovmf[1024], dir[] = "/tmp/snpvmm-measure-XXXXXX", opt[64], path[128];
	uint8_t *ref, got[4096];
	struct run r;
	size_t len;
	FILE *f;

	vector_file(AMDSEV_4VCPU, "ovmf.bin", ovmf, sizeof(ovmf));
	assert_non_null(mkdtemp(dir));
	snprintf(opt, sizeof(opt), "--dump-vmsa=%s", dir);

	run_measure(&r, "--ovmf", ovmf, "--vcpus", "4", "--vcpu-type", "EPYC-v4",
		    "--guest-features", "0x21", opt, NULL);

	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/vmsa3.bin", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, sizeof(got), f), 4096);
	fclose(f);
	ref = vector_read(AMDSEV_4VCPU, "vmsa3.bin", &len);
	assert_memory_equal(got, ref, 4096);
	free(ref);
	remove_dump(dir, 4);
}

static void test_measure_cli_ovmf_hash_mode_prints_firmware_digest(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, "--mode", "snp:ovmf-hash", "--ovmf", ovmf, NULL);

	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3"
				   "aa16aff8c374c2a55c467a50da6d466b74\n");
}

static void test_measure_cli_missing_vcpus_exits_2(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, "--ovmf", ovmf, "--vcpu-type", "EPYC", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_string_equal(r.out, "");
}

static void test_measure_cli_missing_signature_exits_2(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, "--ovmf", ovmf, "--vcpus", "1", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
}

static void test_measure_cli_unknown_vcpu_type_exits_2(void **state)
{
	struct run r;

	run_measure(&r, "--ovmf", "x", "--vcpus", "1", "--vcpu-type", "EPYC-Zen9", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
}

static void test_measure_cli_unknown_option_exits_2(void **state)
{
	struct run r;

	run_measure(&r, "--frobnicate", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
}

static void test_measure_cli_missing_file_exits_1(void **state)
{
	struct run r;

	run_measure(&r, "--ovmf", "/nonexistent/ovmf.fd", "--vcpus", "1", "--vcpu-type", "EPYC",
		    NULL);

	assert_int_equal(r.status, 1);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "/nonexistent/ovmf.fd"));
}

static void test_measure_cli_kernel_without_hashes_section_exits_1(void **state)
{
	char ovmf[1024], kernel[1024];
	struct run r;

	vector_file("R4_ovmfx64_nokernel_1vcpu", "ovmf.bin", ovmf, sizeof(ovmf));
	vector_file("R4_ovmfx64_nokernel_1vcpu", "ovmf.bin", kernel, sizeof(kernel));

	run_measure(&r, "--ovmf", ovmf, "--vcpus", "1", "--vcpu-type", "EPYC", "--kernel", kernel,
		    NULL);

	assert_int_equal(r.status, 1);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "SNP_KERNEL_HASHES"));
}

static void test_measure_cli_without_ovmf_takes_launch_options(void **state)
{
	struct run r;

	run_measure(&r, "--kernel", "bzImage", "--vcpus", "1", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "--vcpus"));
}

static void test_measure_cli_own_layout_sev_features_auto_exits_2(void **state)
{
	struct run r;

	run_measure(&r, "--kernel", "bzImage", "--smp", "2", "--sev-features", "auto", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "opt-in"));
}

static void test_measure_cli_number_with_leading_zero_exits_2(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, "--ovmf", ovmf, "--vcpus", "01", "--vcpu-type", "EPYC", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "--vcpus"));
}

static void test_measure_cli_bad_ovmf_hash_exits_2(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, "--ovmf", ovmf, "--vcpus", "1", "--vcpu-type", "EPYC", "--snp-ovmf-hash",
		    "abcd", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
}

static void test_measure_cli_help_exits_0(void **state)
{
	struct run r;

	run_measure(&r, "--help", NULL);

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--trace FILE"));
}

/* ---- one option table for both layouts (issue 12) ---- */

/* The digest line `measure` prints for AMDSEV with these extra arguments. */
#define AMDSEV_ARGS(ovmf) "--ovmf", (ovmf), "--vcpus", "1", "--vcpu-type", "EPYC-v4"

/* --json is a row of the table: before, among and after the other options it gives the
 * same JSON, and given twice it is given. The old code took the first --json out of argv
 * by hand and then refused a second one in snpvmm's own layout. */
static void test_measure_cli_json_anywhere_among_the_options(void **state)
{
	char ovmf[1024], want[97], expect[256];
	struct run first, middle, last, twice;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));
	expected_hex(AMDSEV, want);
	snprintf(expect, sizeof(expect), "{\"layout\":\"qemu-ovmf\",\"measurement\":\"%s\",", want);

	run_measure(&first, "--json", AMDSEV_ARGS(ovmf), NULL);
	run_measure(&middle, "--ovmf", ovmf, "--json", "--vcpus", "1", "--vcpu-type", "EPYC-v4",
		    NULL);
	run_measure(&last, AMDSEV_ARGS(ovmf), "--json", NULL);
	run_measure(&twice, "--json", AMDSEV_ARGS(ovmf), "--json", NULL);

	assert_int_equal(first.status, 0);
	assert_string_equal(first.err, "");
	assert_memory_equal(first.out, expect, strlen(expect));
	assert_string_equal(middle.out, first.out);
	assert_string_equal(last.out, first.out);
	assert_int_equal(twice.status, 0);
	assert_string_equal(twice.out, first.out);
}

/* "--" ends the options: a --json after it is an argument, which measure takes none of. */
static void test_measure_cli_json_after_double_dash_is_an_argument(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, AMDSEV_ARGS(ovmf), "--", "--json", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "unexpected argument '--json'"));
	assert_string_equal(r.out, "");
}

/* The trace on stdout and the JSON cannot share it, in every spelling of --trace - (the
 * old hand scan missed --trace=-), and nothing is printed. */
static void test_measure_cli_json_refuses_a_trace_on_stdout(void **state)
{
	char ovmf[1024];
	struct run split, joined, verbose;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&split, "--json", AMDSEV_ARGS(ovmf), "--trace", "-", NULL);
	run_measure(&joined, AMDSEV_ARGS(ovmf), "--trace=-", "--json", NULL);
	run_measure(&verbose, AMDSEV_ARGS(ovmf), "-v", "--json", NULL);

	assert_int_equal(split.status, EXIT_USAGE);
	assert_true(one_error_line(split.err));
	assert_non_null(strstr(split.err, "--json and --trace - both write to standard output"));
	assert_string_equal(split.out, "");
	assert_int_equal(joined.status, EXIT_USAGE);
	assert_string_equal(joined.err, split.err);
	assert_string_equal(joined.out, "");
	assert_int_equal(verbose.status, EXIT_USAGE);
	assert_true(one_error_line(verbose.err));
	assert_non_null(strstr(verbose.err, "--verbose"));
	assert_string_equal(verbose.out, "");
}

/* With --ovmf, a launch option of snpvmm's own layout is one usage line naming it. */
static void test_measure_cli_ovmf_refuses_own_layout_options(void **state)
{
	static const char *const flags[][2] = {
		{ "--smp", "2" },
		{ "--mem", "1G" },
		{ "--boot", "content" },
		{ "--secure-tsc", NULL },
	};
	char ovmf[1024], name[64];
	struct run r;
	size_t i;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		run_measure(&r, AMDSEV_ARGS(ovmf), flags[i][0], flags[i][1], NULL);

		assert_int_equal(r.status, EXIT_USAGE);
		assert_true(one_error_line(r.err));
		snprintf(name, sizeof(name), "%s is a launch option of snpvmm's own layout",
			 flags[i][0]);
		assert_non_null(strstr(r.err, name));
		assert_string_equal(r.out, "");
	}
}

/* Without --ovmf, sev-snp-measure's options are one usage line naming the first given. */
static void test_measure_cli_own_layout_refuses_ovmf_options(void **state)
{
	struct run r;

	run_measure(&r, "--kernel", "bzImage", "--output-format", "base64", "-v", NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "--output-format is an option of the QEMU + OVMF layout"));

	run_measure(&r, "--kernel", "bzImage", "--mode", "snp:ovmf-hash", NULL);
	assert_int_equal(r.status, EXIT_USAGE);
	assert_non_null(strstr(r.err, "--mode is an option of the QEMU + OVMF layout"));
}

/* Neither a kernel nor a firmware: one line naming both layouts' inputs. */
static void test_measure_cli_without_inputs_names_both_layouts(void **state)
{
	struct run r;

	run_measure(&r, NULL);

	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "--kernel FILE"));
	assert_non_null(strstr(r.err, "--ovmf FILE"));
}

static void assert_vmsa0_is(const char *dir, const uint8_t *want)
{
	char path[128];
	uint8_t got[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vmsa0.bin", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, sizeof(got), f), 4096);
	fclose(f);
	assert_memory_equal(got, want, 4096);
	assert_int_equal(unlink(path), 0);
}

/* --dump-vmsa=DIR, --dump-vmsa DIR (sev-snp-measure's flag then a directory), and a bare
 * --dump-vmsa (the current directory) followed by another option. */
static void test_measure_cli_dump_vmsa_forms(void **state)
{
	char ovmf[1024], dir[] = "/tmp/snpvmm-measure-XXXXXX", opt[64], cwd[4096];
	uint8_t *ref;
	struct run r;
	size_t len;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));
	ref = vector_read(AMDSEV, "vmsa0.bin", &len);
	assert_int_equal(len, 4096);
	assert_non_null(mkdtemp(dir));
	snprintf(opt, sizeof(opt), "--dump-vmsa=%s", dir);

	run_measure(&r, AMDSEV_ARGS(ovmf), opt, NULL);
	assert_int_equal(r.status, 0);
	assert_vmsa0_is(dir, ref);

	run_measure(&r, "--dump-vmsa", dir, AMDSEV_ARGS(ovmf), NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_vmsa0_is(dir, ref);

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	run_measure(&r, "--dump-vmsa", AMDSEV_ARGS(ovmf), NULL);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r.status, 0);
	assert_vmsa0_is(dir, ref);

	free(ref);
	remove_dump(dir, 0);
}

/* A DIR that is not a directory is said before anything is measured; an empty one is a
 * usage error. */
static void test_measure_cli_dump_vmsa_needs_a_directory(void **state)
{
	char ovmf[1024];
	struct run r;

	vector_file(AMDSEV, "ovmf.bin", ovmf, sizeof(ovmf));

	run_measure(&r, AMDSEV_ARGS(ovmf), "--dump-vmsa", "/nonexistent/dir", NULL);
	assert_int_equal(r.status, 1);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "'/nonexistent/dir' is not a directory"));
	assert_string_equal(r.out, "");

	run_measure(&r, AMDSEV_ARGS(ovmf), "--dump-vmsa=", NULL);
	assert_int_equal(r.status, EXIT_USAGE);
	assert_true(one_error_line(r.err));
	assert_non_null(strstr(r.err, "--dump-vmsa: empty directory name"));
}

/* --help lists both layouts' flags from the tables, whatever else is given. */
static void test_measure_cli_help_lists_both_layouts(void **state)
{
	static const char *const listed[] = {
		"  --ovmf FILE ",   "  --vcpus N ",	      "  -v, --verbose ",
		"  --json ",	    "  --dump-vmsa[=DIR] ",   "  --smp N ",
		"  --mem SIZE ",    "  --sev-features LIST ", "  --setup-data TYPE,FILE ",
		"  --kernel FILE ",
	};
	struct run r;
	size_t i;

	run_measure(&r, "--kernel", "bz", "--smp", "2", "--help", NULL);

	assert_int_equal(r.status, 0);
	for (i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		if (!strstr(r.out, listed[i]))
			fail_msg("measure --help does not list '%s'", listed[i]);
	/* --kernel once: the launch table's row is shadowed by measure's own. */
	assert_null(strstr(strstr(r.out, "  --kernel FILE ") + 1, "  --kernel FILE "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure_cli_prints_expected_digest),
		cmocka_unit_test(test_measure_cli_base64_verbose_format),
		cmocka_unit_test(test_measure_cli_dump_vmsa_writes_vector_pages),
		cmocka_unit_test(test_measure_cli_ovmf_hash_mode_prints_firmware_digest),
		cmocka_unit_test(test_measure_cli_missing_vcpus_exits_2),
		cmocka_unit_test(test_measure_cli_missing_signature_exits_2),
		cmocka_unit_test(test_measure_cli_unknown_vcpu_type_exits_2),
		cmocka_unit_test(test_measure_cli_unknown_option_exits_2),
		cmocka_unit_test(test_measure_cli_missing_file_exits_1),
		cmocka_unit_test(test_measure_cli_kernel_without_hashes_section_exits_1),
		cmocka_unit_test(test_measure_cli_without_ovmf_takes_launch_options),
		cmocka_unit_test(test_measure_cli_own_layout_sev_features_auto_exits_2),
		cmocka_unit_test(test_measure_cli_number_with_leading_zero_exits_2),
		cmocka_unit_test(test_measure_cli_bad_ovmf_hash_exits_2),
		cmocka_unit_test(test_measure_cli_help_exits_0),
		cmocka_unit_test(test_measure_cli_json_anywhere_among_the_options),
		cmocka_unit_test(test_measure_cli_json_after_double_dash_is_an_argument),
		cmocka_unit_test(test_measure_cli_json_refuses_a_trace_on_stdout),
		cmocka_unit_test(test_measure_cli_ovmf_refuses_own_layout_options),
		cmocka_unit_test(test_measure_cli_own_layout_refuses_ovmf_options),
		cmocka_unit_test(test_measure_cli_without_inputs_names_both_layouts),
		cmocka_unit_test(test_measure_cli_dump_vmsa_forms),
		cmocka_unit_test(test_measure_cli_dump_vmsa_needs_a_directory),
		cmocka_unit_test(test_measure_cli_help_lists_both_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
