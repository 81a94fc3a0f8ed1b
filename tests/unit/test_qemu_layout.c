// SPDX-License-Identifier: MIT
/* The QEMU + OVMF launch digest end to end (sev-snp-measure guest.py
 * snp_calc_launch_digest()), from each vector's args. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snp/launch_digest.h"
#include "snp/qemu_layout.h"
#include "snp_vectors.h"

#define AMDSEV	"R1_amdsev_nokernel_1vcpu"
#define OVMFX64 "R4_ovmfx64_nokernel_1vcpu"

/* Records the page types and GPAs of every step. */
struct steps {
	unsigned int n;
	uint8_t type[256];
	uint64_t gpa[256];
};

static void record(void *opaque, const struct launch_digest_step *step)
{
	struct steps *s = opaque;

	if (s->n < 256) {
		s->type[s->n] = (uint8_t)step->page_type;
		s->gpa[s->n] = step->gpa;
	}
	s->n++;
}

static unsigned int count_lines(const char *vector, const char *file)
{
	char *text = vector_read_text(vector, file);
	unsigned int n = 0;
	char *p;

	for (p = text; *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

static void check_vector(const char *vector)
{
	struct vector_inputs in;
	struct launch_digest ld;
	struct steps steps = { 0 };
	struct diag d = { "" };
	uint8_t expected[48], page[4096], *ref;
	size_t len;

	vector_inputs_load(vector, &in);
	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	launch_digest_set_trace(&ld, record, &steps);

	if (qemu_layout_measure(&in.params, &ld, &d) != 0)
		fail_msg("%s: %s", vector, d.msg);

	vector_expected(vector, expected);
	if (memcmp(ld.ld, expected, 48) != 0)
		fail_msg("%s: launch digest differs from expected.txt", vector);
	/* trace.tsv has a header line and one line per step. */
	assert_int_equal(steps.n, count_lines(vector, "trace.tsv") - 1);
	if (vector_has(vector, "hashes_page.bin")) {
		assert_int_equal(qemu_layout_hashes_page(&in.params, page, &d), 0);
		ref = vector_read(vector, "hashes_page.bin", &len);
		assert_int_equal(len, 4096);
		assert_memory_equal(page, ref, 4096);
		free(ref);
	}
	launch_digest_fini(&ld);
	vector_inputs_free(&in);
}

static void test_qemu_layout_every_vector_matches_expected(void **state)
{
	struct vector_list list;
	unsigned int i;

	vectors_list(&list);
	for (i = 0; i < list.count; i++)
		check_vector(list.names[i]);
}

static int measure(struct vector_inputs *in, struct steps *steps, uint8_t out[48], struct diag *d)
{
	struct launch_digest ld;
	int r;

	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	if (steps)
		launch_digest_set_trace(&ld, record, steps);
	r = qemu_layout_measure(&in->params, &ld, d);
	memcpy(out, ld.ld, 48);
	launch_digest_fini(&ld);
	return r;
}

static void test_qemu_layout_ovmf_hash_seed_gives_same_digest(void **state)
{
	struct vector_inputs in;
	struct launch_digest ld;
	uint8_t seed[48], full[48], seeded[48];

	vector_inputs_load(AMDSEV, &in);
	in.params.vcpus = 3;
	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	assert_int_equal(qemu_layout_ovmf_hash(in.firmware, in.firmware_len, &ld, NULL), 0);
	memcpy(seed, ld.ld, 48);
	launch_digest_fini(&ld);

	assert_int_equal(measure(&in, NULL, full, NULL), 0);
	in.params.ovmf_hash = seed;
	assert_int_equal(measure(&in, NULL, seeded, NULL), 0);

	assert_memory_equal(full, seeded, 48);
	vector_inputs_free(&in);
}

static void test_qemu_layout_ovmf_hash_of_amdsev_is_known_value(void **state)
{
	/* The Go port's test vector for the same firmware suffix (sev-snp-measure-go
	 * guest_test.go "success with kernel": ovmfHash), equal to trace step 0. */
	static const char *want = "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3"
				  "aa16aff8c374c2a55c467a50da6d466b74";
	struct vector_inputs in;
	struct launch_digest ld;
	char hex[97];

	vector_inputs_load(AMDSEV, &in);
	assert_int_equal(launch_digest_init(&ld, NULL), 0);

	assert_int_equal(qemu_layout_ovmf_hash(in.firmware, in.firmware_len, &ld, NULL), 0);

	snp_hex(ld.ld, 48, hex);
	assert_string_equal(hex, want);
	launch_digest_fini(&ld);
	vector_inputs_free(&in);
}

static void test_qemu_layout_kernel_without_hashes_section_returns_einval(void **state)
{
	struct vector_inputs in;
	struct sev_hashes h;
	struct diag d = { "" };
	uint8_t out[48];

	vector_inputs_load(OVMFX64, &in);
	assert_int_equal(sev_hashes_compute(NULL, 0, NULL, 0, NULL, &h), 0);
	in.params.hashes = &h;

	assert_int_equal(measure(&in, NULL, out, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "SNP_KERNEL_HASHES"));
	vector_inputs_free(&in);
}

static void test_qemu_layout_zero_vcpus_returns_einval(void **state)
{
	struct vector_inputs in;
	struct diag d = { "" };
	uint8_t out[48];

	vector_inputs_load(AMDSEV, &in);
	in.params.vcpus = 0;

	assert_int_equal(measure(&in, NULL, out, &d), -EINVAL);
	vector_inputs_free(&in);
}

static void test_qemu_layout_partial_page_firmware_returns_einval(void **state)
{
	struct vector_inputs in;
	struct diag d = { "" };
	uint8_t out[48];

	vector_inputs_load(AMDSEV, &in);
	in.params.firmware_len -= 1;

	assert_int_equal(measure(&in, NULL, out, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "multiple of 4096"));
	vector_inputs_free(&in);
}

static void test_qemu_layout_non_ovmf_firmware_returns_enoexec(void **state)
{
	static uint8_t blank[8192];
	struct vector_inputs in;
	struct diag d = { "" };
	uint8_t out[48];

	vector_inputs_load(AMDSEV, &in);
	in.params.firmware = blank;
	in.params.firmware_len = sizeof(blank);

	assert_int_equal(measure(&in, NULL, out, &d), -ENOEXEC);
	vector_inputs_free(&in);
}

static void test_qemu_layout_ec2_measures_cpuid_after_other_sections(void **state)
{
	struct vector_inputs in;
	struct steps s = { 0 };
	uint8_t out[48];

	vector_inputs_load(AMDSEV, &in);
	in.params.vmm = SNP_VMM_EC2;
	in.params.vcpus = 2;

	assert_int_equal(measure(&in, &s, out, NULL), 0);

	assert_int_equal(s.type[s.n - 3], SNP_PAGE_CPUID);
	assert_int_equal(s.gpa[s.n - 3], 0x80E000);
	assert_int_equal(s.type[s.n - 2], SNP_PAGE_VMSA);
	assert_int_equal(s.type[s.n - 1], SNP_PAGE_VMSA);
	vector_inputs_free(&in);
}

static void test_qemu_layout_gce_measures_sec_mem_unmeasured(void **state)
{
	struct vector_inputs in;
	struct steps s = { 0 };
	uint8_t out[48];

	vector_inputs_load(AMDSEV, &in);
	in.params.vmm = SNP_VMM_GCE;

	assert_int_equal(measure(&in, &s, out, NULL), 0);

	assert_int_equal(s.type[1], SNP_PAGE_UNMEASURED);
	assert_int_equal(s.gpa[1], 0x800000);
	vector_inputs_free(&in);
}

static void test_qemu_layout_kernel_hashes_page_is_one_normal_step(void **state)
{
	struct vector_inputs in;
	struct sev_hashes h;
	struct steps with = { 0 }, without = { 0 };
	uint8_t out[48];

	vector_inputs_load(AMDSEV, &in);
	assert_int_equal(measure(&in, &without, out, NULL), 0);
	assert_int_equal(sev_hashes_compute("k", 1, NULL, 0, "x", &h), 0);
	in.params.hashes = &h;

	assert_int_equal(measure(&in, &with, out, NULL), 0);

	assert_int_equal(with.n, without.n);
	assert_int_equal(with.type[16], SNP_PAGE_NORMAL);
	assert_int_equal(with.gpa[16], 0x810000);
	assert_int_equal(without.type[16], SNP_PAGE_ZERO);
	vector_inputs_free(&in);
}

static void test_qemu_layout_vmsa_out_of_range_returns_einval(void **state)
{
	struct vector_inputs in;
	uint8_t page[4096];

	vector_inputs_load(AMDSEV, &in);

	assert_int_equal(qemu_layout_vmsa(&in.params, in.params.vcpus, page, NULL), -EINVAL);
	vector_inputs_free(&in);
}

static void test_sev_hashes_table_layout_matches_doc(void **state)
{
	static const uint8_t header[18] = { 0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c, 0xb4,
					    0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21, 0xa8, 0x00 };
	struct sev_hashes h;
	uint8_t table[SEV_HASH_TABLE_PADDED], nul_hash[32];

	assert_int_equal(sev_hashes_compute(NULL, 0, NULL, 0, NULL, &h), 0);
	assert_int_equal(sev_sha256("", 1, nul_hash), 0);

	sev_hashes_table(&h, table);

	assert_memory_equal(table, header, sizeof(header));
	assert_int_equal(table[0x12 + 16], 0x32);
	assert_memory_equal(table + 0x12 + 18, nul_hash, 32);
	assert_int_equal(table[0x44], 0x31);
	assert_int_equal(table[0x76], 0x37);
	assert_int_equal(table[0xA8], 0);
}

static void test_sev_hashes_empty_append_hashes_single_nul(void **state)
{
	struct sev_hashes a, b;

	assert_int_equal(sev_hashes_compute(NULL, 0, NULL, 0, "", &a), 0);
	assert_int_equal(sev_hashes_compute(NULL, 0, NULL, 0, NULL, &b), 0);

	assert_memory_equal(a.cmdline, b.cmdline, 32);
}

static void test_sev_hashes_page_offset_past_fit_returns_einval(void **state)
{
	struct sev_hashes h = { { 0 } };
	uint8_t page[4096];

	assert_int_equal(sev_hashes_page(&h, 4096 - 0xB0 + 1, page), -EINVAL);
	assert_int_equal(sev_hashes_page(&h, 4096 - 0xB0, page), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_layout_every_vector_matches_expected),
		cmocka_unit_test(test_qemu_layout_ovmf_hash_seed_gives_same_digest),
		cmocka_unit_test(test_qemu_layout_ovmf_hash_of_amdsev_is_known_value),
		cmocka_unit_test(test_qemu_layout_kernel_without_hashes_section_returns_einval),
		cmocka_unit_test(test_qemu_layout_zero_vcpus_returns_einval),
		cmocka_unit_test(test_qemu_layout_partial_page_firmware_returns_einval),
		cmocka_unit_test(test_qemu_layout_non_ovmf_firmware_returns_enoexec),
		cmocka_unit_test(test_qemu_layout_ec2_measures_cpuid_after_other_sections),
		cmocka_unit_test(test_qemu_layout_gce_measures_sec_mem_unmeasured),
		cmocka_unit_test(test_qemu_layout_kernel_hashes_page_is_one_normal_step),
		cmocka_unit_test(test_qemu_layout_vmsa_out_of_range_returns_einval),
		cmocka_unit_test(test_sev_hashes_table_layout_matches_doc),
		cmocka_unit_test(test_sev_hashes_empty_append_hashes_single_nul),
		cmocka_unit_test(test_sev_hashes_page_offset_past_fit_returns_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
