// SPDX-License-Identifier: MIT
/* The PAGE_INFO chain (56860 SNP_LAUNCH_UPDATE; sev-snp-measure gctx.py) against the
 * reference vectors' trace.tsv (tests/vectors). */
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
#include "snp_vectors.h"

struct trace_row {
	unsigned long long step;
	int type;
	char name[16];
	unsigned long long gpa;
	uint8_t contents[48];
	uint8_t after[48];
};

/* Parses trace.tsv (header skipped); returns the number of rows. */
static unsigned int read_trace(const char *vector, struct trace_row *rows, unsigned int max)
{
	char *text = vector_read_text(vector, "trace.tsv");
	char contents[128], after[128];
	char *line, *save = NULL;
	unsigned int n = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "step\t", 5) == 0)
			continue;
		assert_true(n < max);
		assert_int_equal(sscanf(line, "%llu\t%d\t%15s\t%llx\t%127s\t%127s", &rows[n].step,
					&rows[n].type, rows[n].name, &rows[n].gpa, contents, after),
				 6);
		assert_int_equal(vec_hex_decode(contents, rows[n].contents, 48), 48);
		assert_int_equal(vec_hex_decode(after, rows[n].after, 48), 48);
		n++;
	}
	free(text);
	return n;
}

#define MAX_ROWS 65536
static struct trace_row *alloc_rows(void)
{
	struct trace_row *rows = calloc(MAX_ROWS, sizeof(*rows));

	assert_non_null(rows);
	return rows;
}

/* Replays one vector's trace step by step through launch_digest_add_page_hash(). */
static void replay_vector(const char *vector)
{
	struct trace_row *rows = alloc_rows();
	struct launch_digest ld;
	uint8_t expected[48];
	unsigned int n, i;

	n = read_trace(vector, rows, MAX_ROWS);
	assert_true(n > 0);
	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(rows[i].step, i);
		assert_string_equal(rows[i].name, snp_page_type_name(rows[i].type));
		assert_int_equal(launch_digest_add_page_hash(&ld, rows[i].type, rows[i].gpa,
							     rows[i].contents),
				 0);
		if (memcmp(ld.ld, rows[i].after, 48) != 0)
			fail_msg("%s: step %u (%s at 0x%llx): digest differs", vector, i,
				 rows[i].name, rows[i].gpa);
	}
	vector_expected(vector, expected);
	assert_memory_equal(ld.ld, expected, 48);
	launch_digest_fini(&ld);
	free(rows);
}

/* The contents of the VMSA steps are the SHA-384 of the vector's vmsa<N>.bin files. */
static void check_vmsa_contents(const char *vector)
{
	struct trace_row *rows = alloc_rows();
	unsigned int n, i, vcpu = 0;
	char file[32];
	uint8_t *page, hash[48];
	size_t len;

	n = read_trace(vector, rows, MAX_ROWS);
	for (i = 0; i < n; i++) {
		if (rows[i].type != SNP_PAGE_VMSA)
			continue;
		assert_int_equal(rows[i].gpa, SNP_VMSA_GPA);
		snprintf(file, sizeof(file), "vmsa%u.bin", vcpu++);
		page = vector_read(vector, file, &len);
		assert_int_equal(len, 4096);
		assert_int_equal(snp_sha384(page, len, hash), 0);
		assert_memory_equal(hash, rows[i].contents, 48);
		free(page);
	}
	assert_true(vcpu > 0);
	free(rows);
}

static void test_page_info_layout_matches_abi(void **state)
{
	struct snp_page_info pi = { .length = 0x70, .page_type = 2, .gpa = SNP_VMSA_GPA };
	const uint8_t *b = (const uint8_t *)&pi;

	assert_int_equal(sizeof(pi), 0x70);
	assert_int_equal(offsetof(struct snp_page_info, contents), 0x30);
	assert_int_equal(offsetof(struct snp_page_info, length), 0x60);
	assert_int_equal(offsetof(struct snp_page_info, page_type), 0x62);
	assert_int_equal(offsetof(struct snp_page_info, imi_page), 0x63);
	assert_int_equal(offsetof(struct snp_page_info, vmpl3_perms), 0x64);
	assert_int_equal(offsetof(struct snp_page_info, gpa), 0x68);
	assert_int_equal(b[0x60], 0x70);
	assert_int_equal(b[0x61], 0x00);
	assert_int_equal(b[0x62], 0x02);
	assert_int_equal(b[0x68], 0x00);
	assert_int_equal(b[0x69], 0xF0);
	assert_int_equal(b[0x6D], 0xFF);
	assert_int_equal(b[0x6E], 0x00);
}

static void test_launch_digest_vector_traces_replay_every_step(void **state)
{
	struct vector_list list;
	unsigned int i;

	vectors_list(&list);
	for (i = 0; i < list.count; i++)
		replay_vector(list.names[i]);
}

static void test_launch_digest_vector_vmsa_steps_hash_vmsa_files(void **state)
{
	struct vector_list list;
	unsigned int i;

	vectors_list(&list);
	for (i = 0; i < list.count; i++)
		check_vmsa_contents(list.names[i]);
}

struct capture {
	unsigned int steps;
	char first[LAUNCH_DIGEST_TRACE_LINE_MAX];
};

static void capture_step(void *opaque, const struct launch_digest_step *step)
{
	struct capture *c = opaque;

	if (c->steps++ == 0)
		assert_true(launch_digest_step_format(step, c->first, sizeof(c->first)) > 0);
}

static void test_launch_digest_trace_hook_formats_reference_line(void **state)
{
	struct vector_list list;
	struct capture cap = { 0 };
	struct vector_args args;
	struct launch_digest ld;
	char *trace, *line2;
	uint8_t *fw;
	size_t len;

	vectors_list(&list);
	vector_args_parse(list.names[0], &args);
	fw = vector_read(list.names[0], args.ovmf, &len);
	trace = vector_read_text(list.names[0], "trace.tsv");
	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	launch_digest_set_trace(&ld, capture_step, &cap);

	assert_int_equal(launch_digest_add_normal_pages(&ld, 0x100000000ull - len, fw, len), 0);

	assert_int_equal(cap.steps, len / 4096);
	assert_memory_equal(trace, LAUNCH_DIGEST_TRACE_HEADER "\n",
			    strlen(LAUNCH_DIGEST_TRACE_HEADER) + 1);
	line2 = trace + strlen(LAUNCH_DIGEST_TRACE_HEADER) + 1;
	assert_memory_equal(line2, cap.first, strlen(cap.first));
	assert_int_equal(line2[strlen(cap.first)], '\n');
	launch_digest_fini(&ld);
	free(trace);
	free(fw);
}

static void test_launch_digest_init_seed_starts_from_seed(void **state)
{
	uint8_t seed[48];
	struct launch_digest ld;

	memset(seed, 0xA5, sizeof(seed));
	assert_int_equal(launch_digest_init(&ld, seed), 0);
	assert_memory_equal(ld.ld, seed, 48);
	launch_digest_fini(&ld);
}

static void test_launch_digest_init_null_starts_from_zero(void **state)
{
	static const uint8_t zero[48];
	struct launch_digest ld;

	memset(&ld, 0xFF, sizeof(ld.ld));
	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	assert_memory_equal(ld.ld, zero, 48);
	launch_digest_fini(&ld);
}

static void test_launch_digest_step_is_sha384_of_page_info(void **state)
{
	struct snp_page_info pi = { .length = 0x70, .page_type = SNP_PAGE_ZERO, .gpa = 0x800000 };
	struct launch_digest ld;
	uint8_t want[48];

	assert_int_equal(snp_sha384(&pi, sizeof(pi), want), 0);
	assert_int_equal(launch_digest_init(&ld, NULL), 0);

	assert_int_equal(launch_digest_add_zero_pages(&ld, 0x800000, 0x1000), 0);

	assert_memory_equal(ld.ld, want, 48);
	launch_digest_fini(&ld);
}

static void test_launch_digest_normal_pages_partial_page_is_zero_padded(void **state)
{
	static uint8_t page[4096];
	struct launch_digest a, b;

	memcpy(page, "0123456789", 10);
	assert_int_equal(launch_digest_init(&a, NULL), 0);
	assert_int_equal(launch_digest_init(&b, NULL), 0);

	assert_int_equal(launch_digest_add_normal_pages(&a, 0x1000, page, 10), 0);
	assert_int_equal(launch_digest_add_page(&b, SNP_PAGE_NORMAL, 0x1000, page), 0);

	assert_memory_equal(a.ld, b.ld, 48);
	assert_int_equal(a.steps, 1);
	launch_digest_fini(&a);
	launch_digest_fini(&b);
}

static void test_launch_digest_non_normal_page_contents_are_not_measured(void **state)
{
	static uint8_t page[4096];
	struct launch_digest a, b;

	memset(page, 0x5A, sizeof(page));
	assert_int_equal(launch_digest_init(&a, NULL), 0);
	assert_int_equal(launch_digest_init(&b, NULL), 0);

	assert_int_equal(launch_digest_add_page(&a, SNP_PAGE_CPUID, 0x80E000, page), 0);
	assert_int_equal(launch_digest_add_cpuid_page(&b, 0x80E000), 0);

	assert_memory_equal(a.ld, b.ld, 48);
	launch_digest_fini(&a);
	launch_digest_fini(&b);
}

static void test_launch_digest_unaligned_gpa_returns_einval(void **state)
{
	struct launch_digest ld;

	assert_int_equal(launch_digest_init(&ld, NULL), 0);

	assert_int_equal(launch_digest_add_page_hash(&ld, SNP_PAGE_ZERO, 0x800010, NULL), -EINVAL);
	assert_int_equal(ld.steps, 0);
	launch_digest_fini(&ld);
}

static void test_launch_digest_zero_pages_partial_length_returns_einval(void **state)
{
	struct launch_digest ld;

	assert_int_equal(launch_digest_init(&ld, NULL), 0);

	assert_int_equal(launch_digest_add_zero_pages(&ld, 0x800000, 0x1800), -EINVAL);
	assert_int_equal(ld.steps, 0);
	launch_digest_fini(&ld);
}

static void test_launch_digest_range_past_2_64_returns_einval(void **state)
{
	struct launch_digest ld;

	assert_int_equal(launch_digest_init(&ld, NULL), 0);

	assert_int_equal(launch_digest_add_zero_pages(&ld, 0xFFFFFFFFFFFFF000ull, 0x2000), -EINVAL);
	assert_int_equal(ld.steps, 0);
	launch_digest_fini(&ld);
}

static void test_launch_digest_unknown_page_type_returns_einval(void **state)
{
	struct launch_digest ld;

	assert_int_equal(launch_digest_init(&ld, NULL), 0);

	assert_int_equal(launch_digest_add_page_hash(&ld, (enum snp_page_type)7, 0, NULL), -EINVAL);
	launch_digest_fini(&ld);
}

static void test_launch_digest_fini_twice_is_harmless(void **state)
{
	struct launch_digest ld;

	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	launch_digest_fini(&ld);
	launch_digest_fini(&ld);
	launch_digest_fini(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_info_layout_matches_abi),
		cmocka_unit_test(test_launch_digest_vector_traces_replay_every_step),
		cmocka_unit_test(test_launch_digest_vector_vmsa_steps_hash_vmsa_files),
		cmocka_unit_test(test_launch_digest_trace_hook_formats_reference_line),
		cmocka_unit_test(test_launch_digest_init_seed_starts_from_seed),
		cmocka_unit_test(test_launch_digest_init_null_starts_from_zero),
		cmocka_unit_test(test_launch_digest_step_is_sha384_of_page_info),
		cmocka_unit_test(test_launch_digest_normal_pages_partial_page_is_zero_padded),
		cmocka_unit_test(test_launch_digest_non_normal_page_contents_are_not_measured),
		cmocka_unit_test(test_launch_digest_unaligned_gpa_returns_einval),
		cmocka_unit_test(test_launch_digest_zero_pages_partial_length_returns_einval),
		cmocka_unit_test(test_launch_digest_range_past_2_64_returns_einval),
		cmocka_unit_test(test_launch_digest_unknown_page_type_returns_einval),
		cmocka_unit_test(test_launch_digest_fini_twice_is_harmless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
