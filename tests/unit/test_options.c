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

#include "cli/options.h"

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

static void test_options_boot_mode_defaults_to_hashes(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "bz"), 0);

	assert_int_equal(o.boot_mode, BOOT_MODE_HASHES);
	assert_int_equal(o.tamper_staging, STAGING_TAMPER_NONE);
}

static void test_options_boot_mode_content_and_hashes_are_parsed(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--boot", "content"), 0);
	assert_int_equal(o.boot_mode, BOOT_MODE_CONTENT);
	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--boot", "hashes"), 0);
	assert_int_equal(o.boot_mode, BOOT_MODE_HASHES);
}

static void test_options_unknown_boot_mode_is_named(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--boot", "firmware"), -EINVAL);

	assert_non_null(strstr(d.msg, "--boot 'firmware'"));
}

static void test_options_tamper_staging_is_parsed(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--initrd", "i", "--debug-tamper-staging",
			       "initrd"),
			 0);
	assert_int_equal(o.tamper_staging, STAGING_TAMPER_INITRD);
	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--debug-tamper-staging", "kernel"), 0);
	assert_int_equal(o.tamper_staging, STAGING_TAMPER_KERNEL);
}

static void test_options_tamper_staging_needs_boot_hashes(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--boot", "content",
			       "--debug-tamper-staging", "kernel"),
			 -EINVAL);

	assert_non_null(strstr(d.msg, "--boot hashes"));
}

static void test_options_tamper_staging_initrd_needs_an_initrd(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--debug-tamper-staging", "initrd"),
			 -EINVAL);
	assert_int_equal(PARSE(&o, &d, "--kernel", "bz", "--debug-tamper-staging", "cmdline"),
			 -EINVAL);
}

static void test_options_snp_defaults_enable_no_sev_feature(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k"), 0);

	assert_int_equal(o.snp.cbitpos, -1);
	assert_int_equal(o.snp.reduced_phys_bits, -1);
	assert_true(o.snp.policy == UINT64_MAX);
	assert_true(o.snp.sev_features == 0);
	assert_false(o.snp.secure_tsc);
	assert_int_equal(o.snp.tsc_khz, 0);
	assert_int_equal(o.snp.abi, KVM_ABI_AUTO);
}

static void test_options_sev_features_auto_is_refused_with_the_reason(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--sev-features", "auto"), -EINVAL);
	assert_non_null(strstr(d.msg, "opt-in"));
}

static void test_options_numbers_with_a_leading_zero_are_refused_not_octal(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--policy", "030000"), -EINVAL);
	assert_non_null(strstr(d.msg, "--policy '030000'"));
	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--smp", "02"), -EINVAL);
	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--cbitpos", "051"), -EINVAL);
}

static void test_options_policy_in_decimal_is_decimal(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--policy", "196608"), 0);
	assert_int_equal(o.snp.policy, 0x30000);
}

static void test_options_policy_decimal_meant_as_hex_gets_the_hint(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--policy", "30000"), -EINVAL);
	assert_non_null(strstr(d.msg, "is decimal (0x7530)"));
	assert_non_null(strstr(d.msg, "0x30000"));
}

static void test_options_guest_visible_workarounds_decimal_is_decimal(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--guest-visible-workarounds", "10"), 0);
	assert_int_equal(o.snp.gosvw[0], 10);
}

static void test_options_mem_qemu_spellings_are_accepted(void **state)
{
	struct vmm_options a, b, c;
	struct diag d = { "" };

	assert_int_equal(PARSE(&a, &d, "--kernel", "k", "--mem", "512m"), 0);
	assert_int_equal(PARSE(&b, &d, "--kernel", "k", "--mem", "1.5G"), 0);
	assert_int_equal(PARSE(&c, &d, "--kernel", "k", "--mem", "2GiB"), 0);
	assert_int_equal(a.mem_size, 512ULL << 20);
	assert_int_equal(b.mem_size, 3ULL << 29);
	assert_int_equal(c.mem_size, 2ULL << 30);
}

static void test_options_mem_plain_small_number_says_it_is_bytes_not_qemu_mib(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--mem", "2048"), -EINVAL);
	assert_non_null(strstr(d.msg, "write 2048M"));
}

static void test_options_mem_si_unit_is_refused_as_ambiguous(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--mem", "512MB"), -EINVAL);
	assert_non_null(strstr(d.msg, "not MB/GB"));
}

static void test_options_host_data_in_base64_as_qemu_passes_it(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--host-data",
			       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
			 0);

	assert_true(o.snp.have_host_data);
	assert_int_equal(o.snp.host_data[1], 1);
	assert_int_equal(o.snp.host_data[31], 31);
}

static void test_options_secure_tsc_with_frequency_is_parsed(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--secure-tsc", "--tsc-khz", "2000000"), 0);

	assert_true(o.snp.secure_tsc);
	assert_int_equal(o.snp.tsc_khz, 2000000);
}

static void test_options_tsc_khz_needs_secure_tsc(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--tsc-khz", "2000000"), -EINVAL);
	assert_non_null(strstr(d.msg, "needs --secure-tsc"));
}

static void test_options_tsc_khz_below_1_mhz_is_refused(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--secure-tsc", "--tsc-khz", "999"),
			 -EINVAL);
	assert_non_null(strstr(d.msg, "--tsc-khz '999'"));
}

static void test_options_secure_tsc_with_no_snp_is_refused(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--no-snp", "--secure-tsc"), -EINVAL);
}

static void test_options_reduced_phys_bits_takes_qemu_range(void **state)
{
	struct vmm_options a, b;
	struct diag d = { "" };

	assert_int_equal(PARSE(&a, &d, "--kernel", "k", "--reduced-phys-bits", "1"), 0);
	assert_int_equal(PARSE(&b, &d, "--kernel", "k", "--reduced-phys-bits", "63"), 0);
	assert_int_equal(a.snp.reduced_phys_bits, 1);
	assert_int_equal(PARSE(&a, &d, "--kernel", "k", "--reduced-phys-bits", "0"), -EINVAL);
	assert_int_equal(PARSE(&a, &d, "--kernel", "k", "--reduced-phys-bits", "64"), -EINVAL);
}

static void test_options_snp_launch_flags_are_parsed(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--cbitpos", "51", "--policy", "0x30000",
			       "--kvm-abi", "v12", "--vcek-disabled", "--guest-visible-workarounds",
			       "0x0102", "--certs", "c.bin", "--events", "-"),
			 0);

	assert_int_equal(o.snp.cbitpos, 51);
	assert_int_equal(o.snp.policy, 0x30000);
	assert_int_equal(o.snp.abi, KVM_ABI_V12);
	assert_true(o.snp.vcek_disabled);
	assert_int_equal(o.snp.gosvw[0], 0x02);
	assert_int_equal(o.snp.gosvw[1], 0x01);
	assert_string_equal(o.snp.certs_path, "c.bin");
	assert_string_equal(o.events_path, "-");
}

static void test_options_cbitpos_outside_32_51_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--cbitpos", "52"), -EINVAL);
	assert_non_null(strstr(d.msg, "--cbitpos"));
}

static void test_options_host_data_needs_64_hex_digits(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--host-data", "abcd"), -EINVAL);
	assert_non_null(strstr(d.msg, "--host-data"));
}

static void test_options_host_data_is_decoded_in_order(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--host-data",
			       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"),
			 0);

	assert_true(o.snp.have_host_data);
	assert_int_equal(o.snp.host_data[1], 0x11);
	assert_int_equal(o.snp.host_data[31], 0xff);
}

static void test_sev_features_names_and_masks_combine(void **state)
{
	uint64_t f;
	struct diag d = { "" };

	assert_int_equal(parse_sev_features("debug-swap,0x200", &f, &d), 0);
	assert_int_equal(f, (1ULL << 5) | (1ULL << 9));
}

static void test_sev_features_none_is_zero(void **state)
{
	uint64_t f = 1;
	struct diag d = { "" };

	assert_int_equal(parse_sev_features("none", &f, &d), 0);
	assert_int_equal(f, 0);
}

static void test_sev_features_unknown_name_is_named(void **state)
{
	uint64_t f;
	struct diag d = { "" };

	assert_int_equal(parse_sev_features("debug-swap,warp", &f, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "'warp'"));
}

static void test_sev_features_snp_active_bit_is_rejected(void **state)
{
	uint64_t f;
	struct diag d = { "" };

	assert_int_equal(parse_sev_features("0x21", &f, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "bit 0"));
}

static void test_options_sim_flags_need_a_profile(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--sim-report", "r.json"), -EINVAL);
	assert_non_null(strstr(d.msg, "--sim=PROFILE"));
}

static void test_options_sim_vcek_is_a_simulator_option(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--sim-vcek", "vcek.pem"), -EINVAL);
	assert_non_null(strstr(d.msg, "--sim-vcek need --sim=PROFILE"));
	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--sim=v12", "--sim-vcek", "vcek.pem"), 0);
	assert_string_equal(o.sim.vcek_key, "vcek.pem");
}

static void test_options_sim_with_no_snp_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--sim=upstream", "--no-snp"), -EINVAL);
}

static void test_options_sim_set_needs_key_value(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--sim=upstream", "--sim-set", "smt"),
			 -EINVAL);
	assert_non_null(strstr(d.msg, "KEY=VALUE"));
}

static void test_options_id_block_needs_id_auth(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--id-block", "b"), -EINVAL);
	assert_non_null(strstr(d.msg, "--id-auth"));
}

static void test_options_unknown_kvm_abi_is_rejected(void **state)
{
	struct vmm_options o;
	struct diag d = { "" };

	assert_int_equal(PARSE(&o, &d, "--kernel", "k", "--kvm-abi", "v11"), -EINVAL);
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
		cmocka_unit_test(test_options_snp_defaults_enable_no_sev_feature),
		cmocka_unit_test(test_options_sev_features_auto_is_refused_with_the_reason),
		cmocka_unit_test(test_options_numbers_with_a_leading_zero_are_refused_not_octal),
		cmocka_unit_test(test_options_policy_in_decimal_is_decimal),
		cmocka_unit_test(test_options_policy_decimal_meant_as_hex_gets_the_hint),
		cmocka_unit_test(test_options_guest_visible_workarounds_decimal_is_decimal),
		cmocka_unit_test(test_options_mem_qemu_spellings_are_accepted),
		cmocka_unit_test(test_options_mem_plain_small_number_says_it_is_bytes_not_qemu_mib),
		cmocka_unit_test(test_options_mem_si_unit_is_refused_as_ambiguous),
		cmocka_unit_test(test_options_host_data_in_base64_as_qemu_passes_it),
		cmocka_unit_test(test_options_secure_tsc_with_frequency_is_parsed),
		cmocka_unit_test(test_options_tsc_khz_needs_secure_tsc),
		cmocka_unit_test(test_options_tsc_khz_below_1_mhz_is_refused),
		cmocka_unit_test(test_options_secure_tsc_with_no_snp_is_refused),
		cmocka_unit_test(test_options_reduced_phys_bits_takes_qemu_range),
		cmocka_unit_test(test_options_boot_mode_defaults_to_hashes),
		cmocka_unit_test(test_options_boot_mode_content_and_hashes_are_parsed),
		cmocka_unit_test(test_options_unknown_boot_mode_is_named),
		cmocka_unit_test(test_options_tamper_staging_is_parsed),
		cmocka_unit_test(test_options_tamper_staging_needs_boot_hashes),
		cmocka_unit_test(test_options_tamper_staging_initrd_needs_an_initrd),
		cmocka_unit_test(test_options_snp_launch_flags_are_parsed),
		cmocka_unit_test(test_options_cbitpos_outside_32_51_is_rejected),
		cmocka_unit_test(test_options_host_data_needs_64_hex_digits),
		cmocka_unit_test(test_options_host_data_is_decoded_in_order),
		cmocka_unit_test(test_sev_features_names_and_masks_combine),
		cmocka_unit_test(test_sev_features_none_is_zero),
		cmocka_unit_test(test_sev_features_unknown_name_is_named),
		cmocka_unit_test(test_sev_features_snp_active_bit_is_rejected),
		cmocka_unit_test(test_options_sim_flags_need_a_profile),
		cmocka_unit_test(test_options_sim_vcek_is_a_simulator_option),
		cmocka_unit_test(test_options_sim_with_no_snp_is_rejected),
		cmocka_unit_test(test_options_sim_set_needs_key_value),
		cmocka_unit_test(test_options_id_block_needs_id_auth),
		cmocka_unit_test(test_options_unknown_kvm_abi_is_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
