// SPDX-License-Identifier: MIT
/*
 * The attestation report: parsing real reports of versions 2, 3 and 5 (fields read back
 * at the spec's offsets, written out here independently of struct snp_report), refusing
 * other versions and sizes, both TCB_VERSION layouts on real values, the product from
 * CPUID, every input form of snp_report_decode() and the console frame.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attest_test_util.h"
#include "snp/report.h"
#include "snp/report_frame.h"

/* 56860 "ATTESTATION_REPORT Structure" offsets, independent of the struct. */
#define OFF_VERSION	 0x000
#define OFF_POLICY	 0x008
#define OFF_MEASUREMENT	 0x090
#define OFF_REPORTED_TCB 0x180
#define OFF_CPUID_FAM	 0x188
#define OFF_CHIP_ID	 0x1a0
#define OFF_LAUNCH_MIT	 0x1f8
#define OFF_SIG_R	 0x2a0

static uint8_t *raw_file(const char *name, size_t *ret_len)
{
	char rel[256];
	uint8_t *data;

	snprintf(rel, sizeof(rel), "tests/data/attestation/%s", name);
	attest_load_file(rel, &data, ret_len);
	return data;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void test_report_parse_v3_fields_sit_at_spec_offsets(void **state)
{
	size_t len;
	uint8_t *raw = raw_file("msft-genoa-v3.bin", &len);
	struct snp_report r;

	assert_int_equal(snp_report_parse(raw, len, &r, NULL), 0);

	assert_int_equal(r.version, 3);
	assert_int_equal(r.policy, le64(raw + OFF_POLICY));
	assert_memory_equal(r.measurement, raw + OFF_MEASUREMENT, 48);
	assert_int_equal(r.reported_tcb, le64(raw + OFF_REPORTED_TCB));
	assert_int_equal(r.cpuid_fam_id, raw[OFF_CPUID_FAM]);
	assert_int_equal(r.cpuid_mod_id, raw[OFF_CPUID_FAM + 1]);
	assert_memory_equal(r.chip_id, raw + OFF_CHIP_ID, 64);
	assert_memory_equal(r.signature.r, raw + OFF_SIG_R, 72);
	assert_int_equal(snp_report_product(&r), SNP_PRODUCT_GENOA);
	free(raw);
}

static void test_report_parse_v5_has_mitigation_vectors(void **state)
{
	size_t len;
	uint8_t *raw = raw_file("msft-turin-v5.bin", &len);
	struct snp_report r;

	assert_int_equal(snp_report_parse(raw, len, &r, NULL), 0);

	assert_int_equal(r.version, 5);
	assert_int_equal(r.launch_mit_vector, le64(raw + OFF_LAUNCH_MIT));
	assert_int_equal(r.launch_mit_vector, 0x3f);
	assert_int_equal(snp_report_product(&r), SNP_PRODUCT_TURIN);
	free(raw);
}

static void test_report_parse_v2_names_no_product(void **state)
{
	struct snp_report r;

	attest_load_report("gosevguest-milan-v2.bin", &r);

	assert_int_equal(r.version, 2);
	assert_int_equal(r.policy, 0xb0000);
	assert_int_equal(snp_report_product(&r), SNP_PRODUCT_UNKNOWN);
}

static void test_report_parse_refuses_unknown_versions(void **state)
{
	static const uint32_t bad[] = { 0, 1, 6, 0xffffffff };
	uint8_t raw[SNP_REPORT_SIZE] = { 0 };
	struct diag d = { "" };
	struct snp_report r;

	memcpy(raw, &bad[1], 4);
	assert_int_equal(snp_report_parse(raw, sizeof(raw), &r, &d), -EPROTONOSUPPORT);
	assert_non_null(strstr(d.msg, "report version 1 is not supported"));
	memcpy(raw, &bad[2], 4);
	assert_int_equal(snp_report_parse(raw, sizeof(raw), &r, &d), -EPROTONOSUPPORT);
	memcpy(raw, &bad[0], 4);
	assert_int_equal(snp_report_parse(raw, sizeof(raw), &r, &d), -EPROTONOSUPPORT);
	memcpy(raw, &bad[3], 4);
	assert_int_equal(snp_report_parse(raw, sizeof(raw), &r, &d), -EPROTONOSUPPORT);
}

static void test_report_parse_accepts_version_4_with_the_v3_layout(void **state)
{
	uint8_t raw[SNP_REPORT_SIZE] = { 4 };
	struct snp_report r;

	raw[OFF_CPUID_FAM] = 0x19;
	raw[OFF_CPUID_FAM + 1] = 0x01;

	assert_int_equal(snp_report_parse(raw, sizeof(raw), &r, NULL), 0);
	assert_int_equal(snp_report_product(&r), SNP_PRODUCT_MILAN);
}

static void test_report_parse_refuses_wrong_sizes(void **state)
{
	uint8_t raw[SNP_REPORT_SIZE + 1] = { 2 };
	struct diag d = { "" };
	struct snp_report r;

	assert_int_equal(snp_report_parse(raw, SNP_REPORT_SIZE - 1, &r, &d), -EINVAL);
	assert_int_equal(snp_report_parse(raw, SNP_REPORT_SIZE + 1, &r, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "1184 bytes"));
}

static void test_report_tcb_milan_layout_on_a_real_report(void **state)
{
	struct snp_report r;
	struct snp_tcb t;
	char text[64];

	attest_load_report("msft-milan-v3.bin", &r); /* REPORTED_TCB 04 00 00 00 00 00 18 db */

	snp_tcb_decode(r.reported_tcb, SNP_PRODUCT_MILAN, &t);

	assert_int_equal(t.bootloader, 4);
	assert_int_equal(t.tee, 0);
	assert_int_equal(t.snp, 24);
	assert_int_equal(t.microcode, 0xdb);
	assert_false(t.has_fmc);
	assert_string_equal(snp_tcb_format(&t, text, sizeof(text)),
			    "bl 4, tee 0, snp 24, ucode 219");
}

static void test_report_tcb_turin_layout_puts_fmc_first(void **state)
{
	struct snp_report r;
	struct snp_tcb t;
	char text[64];

	attest_load_report("msft-turin-v5.bin", &r); /* REPORTED_TCB 01 01 01 04 00 00 00 51 */

	snp_tcb_decode(r.reported_tcb, SNP_PRODUCT_TURIN, &t);

	assert_int_equal(t.fmc, 1);
	assert_int_equal(t.bootloader, 1);
	assert_int_equal(t.tee, 1);
	assert_int_equal(t.snp, 4);
	assert_int_equal(t.microcode, 0x51);
	assert_string_equal(snp_tcb_format(&t, text, sizeof(text)),
			    "fmc 1, bl 1, tee 1, snp 4, ucode 81");
}

static void test_report_product_from_cpuid_ranges(void **state)
{
	assert_int_equal(snp_product_from_cpuid(0x19, 0x01), SNP_PRODUCT_MILAN);
	assert_int_equal(snp_product_from_cpuid(0x19, 0x0f), SNP_PRODUCT_MILAN);
	assert_int_equal(snp_product_from_cpuid(0x19, 0x11), SNP_PRODUCT_GENOA);
	assert_int_equal(snp_product_from_cpuid(0x19, 0xa0), SNP_PRODUCT_GENOA);
	assert_int_equal(snp_product_from_cpuid(0x1a, 0x02), SNP_PRODUCT_TURIN);
	assert_int_equal(snp_product_from_cpuid(0x1a, 0x11), SNP_PRODUCT_TURIN);
	assert_int_equal(snp_product_from_cpuid(0x1a, 0x50), SNP_PRODUCT_UNKNOWN);
	assert_int_equal(snp_product_from_cpuid(0x19, 0x20), SNP_PRODUCT_UNKNOWN);
	assert_int_equal(snp_product_from_cpuid(0x17, 0x31), SNP_PRODUCT_UNKNOWN);
}

static void test_report_product_names_parse_with_stepping_suffix(void **state)
{
	enum snp_product p = SNP_PRODUCT_UNKNOWN;

	assert_int_equal(snp_product_parse("Milan-B0", &p), 0);
	assert_int_equal(p, SNP_PRODUCT_MILAN);
	assert_int_equal(snp_product_parse("TURIN", &p), 0);
	assert_int_equal(p, SNP_PRODUCT_TURIN);
	assert_int_equal(snp_product_parse("genoa", &p), 0);
	assert_int_equal(p, SNP_PRODUCT_GENOA);
	assert_int_equal(snp_product_parse("rome", &p), -EINVAL);
	assert_int_equal(snp_product_parse("milanx", &p), -EINVAL);
	assert_int_equal(snp_product_parse("", &p), -EINVAL);
	assert_string_equal(snp_product_name(SNP_PRODUCT_GENOA), "genoa");
}

/* ---- input forms ---- */

static uint8_t *binary_report(void)
{
	size_t len;
	uint8_t *raw = raw_file("msft-milan-v3.bin", &len);

	assert_int_equal(len, SNP_REPORT_SIZE);
	return raw;
}

static void assert_decodes_to(const char *text, const uint8_t *want)
{
	uint8_t out[SNP_REPORT_SIZE];
	struct diag d = { "" };

	if (snp_report_decode((const uint8_t *)text, strlen(text), out, &d) < 0)
		fail_msg("%s", d.msg);
	assert_memory_equal(out, want, SNP_REPORT_SIZE);
}

static void test_report_decode_binary_is_taken_as_is(void **state)
{
	uint8_t *raw = binary_report(), out[SNP_REPORT_SIZE];

	assert_int_equal(snp_report_decode(raw, SNP_REPORT_SIZE, out, NULL), 0);
	assert_memory_equal(out, raw, SNP_REPORT_SIZE);
	free(raw);
}

static void test_report_decode_hex_one_line_as_virtee_stores_it(void **state)
{
	size_t len;
	uint8_t *hex = raw_file("virtee-milan-v2.hex", &len), out[SNP_REPORT_SIZE];
	struct diag d = { "" };

	assert_int_equal(snp_report_decode(hex, len, out, &d), 0);
	assert_int_equal(out[OFF_VERSION], 2);
	assert_int_equal(le64(out + OFF_POLICY), 0x30000);
	free(hex);
}

static void test_report_decode_hex_with_whitespace_and_upper_case(void **state)
{
	uint8_t *raw = binary_report();
	char *text = malloc(3 * SNP_REPORT_SIZE + 2);
	size_t i, n = 0;

	assert_non_null(text);
	for (i = 0; i < SNP_REPORT_SIZE; i++)
		n += (size_t)sprintf(text + n, "%02X%s", raw[i], i % 16 == 15 ? "\n" : " ");

	assert_decodes_to(text, raw);
	free(text);
	free(raw);
}

static void test_report_decode_base64_with_line_breaks(void **state)
{
	uint8_t *raw = binary_report();
	char b64[1600], wrapped[1700];
	size_t i, n = 0;

	assert_int_equal(EVP_EncodeBlock((unsigned char *)b64, raw, SNP_REPORT_SIZE), 1580);
	for (i = 0; b64[i]; i++) {
		wrapped[n++] = b64[i];
		if (i % 76 == 75)
			wrapped[n++] = '\n';
	}
	wrapped[n] = '\0';

	assert_decodes_to(wrapped, raw);
	free(raw);
}

static void test_report_frame_is_begin_37_hex_lines_end(void **state)
{
	uint8_t *raw = binary_report();
	char frame[SNP_REPORT_FRAME_SIZE];
	size_t len = snp_report_frame(raw, frame);
	const char *second = strchr(frame, '\n') + 1;

	assert_int_equal(len, SNP_REPORT_FRAME_SIZE - 1);
	assert_int_equal(strlen(frame), len);
	assert_memory_equal(frame, "SNPVMM-ATTESTATION-REPORT-BEGIN\n", 32);
	assert_int_equal(strchr(second, '\n') - second, 64);
	assert_memory_equal(second, "03000000", 8);
	assert_string_equal(frame + len - 30, "SNPVMM-ATTESTATION-REPORT-END\n");
	assert_decodes_to(frame, raw);
	free(raw);
}

static void test_report_decode_frame_amid_kernel_messages_and_crlf(void **state)
{
	uint8_t *raw = binary_report();
	char frame[SNP_REPORT_FRAME_SIZE], console[8192];
	char *line, *save = NULL;
	size_t n = 0;

	snp_report_frame(raw, frame);
	n += (size_t)sprintf(console + n, "[    1.234] Run /init as init process\r\n");
	for (line = strtok_r(frame, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n += (size_t)sprintf(console + n, "%s\r\n", line);
		if (strlen(line) == 64 && line[0] == '0')
			n += (size_t)sprintf(console + n, "[    1.300] random: crng init done\r\n");
	}
	n += (size_t)sprintf(console + n, "reboot: Power down\n");

	assert_decodes_to(console, raw);
	free(raw);
}

static void test_report_decode_refuses_two_frames(void **state)
{
	uint8_t *raw = binary_report(), out[SNP_REPORT_SIZE];
	char frame[SNP_REPORT_FRAME_SIZE], two[2 * SNP_REPORT_FRAME_SIZE];
	struct diag d = { "" };

	snp_report_frame(raw, frame);
	snprintf(two, sizeof(two), "%s%s", frame, frame);

	assert_int_equal(snp_report_decode((uint8_t *)two, strlen(two), out, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "2 report frames"));
	free(raw);
}

static void test_report_decode_refuses_a_frame_missing_a_line_or_its_end(void **state)
{
	uint8_t *raw = binary_report(), out[SNP_REPORT_SIZE];
	char frame[SNP_REPORT_FRAME_SIZE];
	struct diag d = { "" };
	char *third, *fourth;
	size_t len = snp_report_frame(raw, frame);

	len -= 30; /* cut the END line */
	assert_int_equal(snp_report_decode((uint8_t *)frame, len, out, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "no SNPVMM-ATTESTATION-REPORT-END"));

	snp_report_frame(raw, frame);
	third = strchr(strchr(frame, '\n') + 1, '\n') + 1;
	fourth = strchr(third, '\n') + 1;
	memmove(third, fourth, strlen(fourth) + 1); /* drop one hex line */
	assert_int_equal(snp_report_decode((uint8_t *)frame, strlen(frame), out, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "36 lines of hex, not 37"));
	free(raw);
}

static void test_report_decode_refuses_other_text_and_binary(void **state)
{
	static const char junk[] = "this is not a report";
	uint8_t out[SNP_REPORT_SIZE], zeros[SNP_REPORT_SIZE + 1] = { 0 };
	struct diag d = { "" };

	assert_int_equal(snp_report_decode((const uint8_t *)junk, strlen(junk), out, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "not a report"));
	assert_int_equal(snp_report_decode(zeros, sizeof(zeros), out, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "neither"));
	assert_int_equal(snp_report_decode(zeros, 0, out, &d), -EINVAL);
}

/* MSG_REPORT_RSP (56860): STATUS at 0x0, REPORT_SIZE at 0x4, the report at 0x20, in a
 * 4000-byte snp_report_resp. */
static void test_report_rsp_extract_finds_the_report_at_0x20(void **state)
{
	uint8_t *raw = binary_report(), rsp[4000] = { 0 };
	const uint8_t *report = NULL;
	uint32_t status = 99;

	rsp[4] = 0xa0; /* REPORT_SIZE 0x4a0 */
	rsp[5] = 0x04;
	memcpy(rsp + 0x20, raw, SNP_REPORT_SIZE);

	assert_int_equal(snp_report_rsp_extract(rsp, sizeof(rsp), &report, &status), 0);
	assert_int_equal(status, 0);
	assert_ptr_equal(report, rsp + 0x20);
	free(raw);
}

static void test_report_rsp_extract_refuses_status_size_and_short_buffers(void **state)
{
	uint8_t rsp[4000] = { 0x16 }; /* STATUS INVALID_PARAMETERS */
	const uint8_t *report = NULL;
	uint32_t status = 0;

	rsp[4] = 0xa0;
	rsp[5] = 0x04;
	assert_int_equal(snp_report_rsp_extract(rsp, sizeof(rsp), &report, &status), -EIO);
	assert_int_equal(status, 0x16);
	rsp[0] = 0;
	rsp[4] = 0x9f;
	assert_int_equal(snp_report_rsp_extract(rsp, sizeof(rsp), &report, &status), -EBADMSG);
	assert_int_equal(snp_report_rsp_extract(rsp, 0x20 + SNP_REPORT_SIZE - 1, &report, &status),
			 -EBADMSG);
	assert_null(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_parse_v3_fields_sit_at_spec_offsets),
		cmocka_unit_test(test_report_parse_v5_has_mitigation_vectors),
		cmocka_unit_test(test_report_parse_v2_names_no_product),
		cmocka_unit_test(test_report_parse_refuses_unknown_versions),
		cmocka_unit_test(test_report_parse_accepts_version_4_with_the_v3_layout),
		cmocka_unit_test(test_report_parse_refuses_wrong_sizes),
		cmocka_unit_test(test_report_tcb_milan_layout_on_a_real_report),
		cmocka_unit_test(test_report_tcb_turin_layout_puts_fmc_first),
		cmocka_unit_test(test_report_product_from_cpuid_ranges),
		cmocka_unit_test(test_report_product_names_parse_with_stepping_suffix),
		cmocka_unit_test(test_report_decode_binary_is_taken_as_is),
		cmocka_unit_test(test_report_decode_hex_one_line_as_virtee_stores_it),
		cmocka_unit_test(test_report_decode_hex_with_whitespace_and_upper_case),
		cmocka_unit_test(test_report_decode_base64_with_line_breaks),
		cmocka_unit_test(test_report_frame_is_begin_37_hex_lines_end),
		cmocka_unit_test(test_report_decode_frame_amid_kernel_messages_and_crlf),
		cmocka_unit_test(test_report_decode_refuses_two_frames),
		cmocka_unit_test(test_report_decode_refuses_a_frame_missing_a_line_or_its_end),
		cmocka_unit_test(test_report_decode_refuses_other_text_and_binary),
		cmocka_unit_test(test_report_rsp_extract_finds_the_report_at_0x20),
		cmocka_unit_test(test_report_rsp_extract_refuses_status_size_and_short_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
