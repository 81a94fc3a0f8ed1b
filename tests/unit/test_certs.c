// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "snp/certs.h"
#include "snp/certs_lock.h"

struct spec {
	enum certs_kind kind;
	uint32_t offset, length;
};

struct fixture {
	uint8_t buf[CERTS_MAX_BYTES + 64];
	size_t len;
	struct certs_table t;
	struct diag d;
	uint8_t guest[3 * CERTS_PAGE_SIZE];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	certs_table_free(&f->t);
	free(f);
	return 0;
}

static void put_le32(uint8_t *p, uint32_t x)
{
	p[0] = x;
	p[1] = x >> 8;
	p[2] = x >> 16;
	p[3] = x >> 24;
}

static void put_entry(uint8_t *p, const uint8_t *guid, uint32_t offset, uint32_t length)
{
	memcpy(p, guid, 16);
	put_le32(p + 16, offset);
	put_le32(p + 20, length);
}

/* Builds a table of n entries + terminator and `len` bytes in all; certificate bytes are
 * filled with 0xc0 + entry index where they lie past the table. */
static void build(struct fixture *f, const struct spec *s, unsigned int n, size_t len)
{
	unsigned int i;

	memset(f->buf, 0, sizeof(f->buf));
	for (i = 0; i < n; i++) {
		put_entry(f->buf + 24 * i, certs_kind_guid(s[i].kind), s[i].offset, s[i].length);
		if (s[i].offset >= 24 * (n + 1) && s[i].offset < len &&
		    s[i].length <= len - s[i].offset)
			memset(f->buf + s[i].offset, 0xc0 + i, s[i].length);
	}
	f->len = len;
}

/* snphost's layout for ARK, ASK, VCEK: blobs packed from (3 + 1) * 24 = 96. */
static const struct spec chain[] = { { CERTS_ARK, 96, 1000 },
				     { CERTS_ASK, 1096, 1000 },
				     { CERTS_VCEK, 2096, 1300 } };
#define CHAIN_LEN 3396

static int parse(struct fixture *f)
{
	return certs_parse(f->buf, f->len, &f->t, &f->d);
}

static void test_certs_parse_snphost_chain_succeeds(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, CHAIN_LEN);

	assert_int_equal(parse(f), 0);
	assert_int_equal(f->t.nr, 3);
	assert_int_equal(f->t.size, CHAIN_LEN);
}

static void test_certs_parse_reports_kinds_in_table_order(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, CHAIN_LEN);

	assert_int_equal(parse(f), 0);
	assert_int_equal(f->t.entries[0].kind, CERTS_ARK);
	assert_int_equal(f->t.entries[1].kind, CERTS_ASK);
	assert_int_equal(f->t.entries[2].kind, CERTS_VCEK);
	assert_int_equal(f->t.entries[2].offset, 2096);
	assert_int_equal(f->t.entries[2].length, 1300);
}

static void test_certs_parse_keeps_blob_byte_for_byte(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, CHAIN_LEN);

	assert_int_equal(parse(f), 0);
	assert_memory_equal(f->t.blob, f->buf, CHAIN_LEN);
}

static void test_certs_parse_terminator_only_is_empty_table(void **state)
{
	struct fixture *f = *state;

	build(f, NULL, 0, 24);

	assert_int_equal(parse(f), 0);
	assert_int_equal(f->t.nr, 0);
}

static void test_certs_parse_vlek_and_crl_accepted(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VLEK, 72, 10 }, { CERTS_CRL, 82, 10 } };

	build(f, s, 2, 92);

	assert_int_equal(parse(f), 0);
}

static void test_certs_parse_empty_file_returns_einval(void **state)
{
	struct fixture *f = *state;

	build(f, NULL, 0, 0);

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "terminator"));
}

static void test_certs_parse_missing_terminator_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VCEK, 100, 1 } };

	build(f, s, 1, 24);

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "terminator"));
}

static void test_certs_parse_truncated_terminator_returns_einval(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, 3 * 24 + 23);

	assert_int_equal(parse(f), -EINVAL);
}

static void test_certs_parse_unknown_guid_names_it(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, CHAIN_LEN);
	f->buf[24] = 0x11;

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "11b7b379-bbac-4fe4-a02f-05aef327c782"));
}

/* The all-zero GUID with a non-zero offset is not the terminator (Linux stops only at
 * guid_is_null && !offset && !length: drivers/virt/coco/sev-guest/sev-guest.c). */
static void test_certs_parse_null_guid_with_offset_returns_einval(void **state)
{
	struct fixture *f = *state;

	build(f, NULL, 0, 200);
	put_le32(f->buf + 16, 48);

	assert_int_equal(parse(f), -EINVAL);
}

static void test_certs_parse_duplicate_guid_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VCEK, 72, 10 }, { CERTS_VCEK, 82, 10 } };

	build(f, s, 2, 92);

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "both VCEK"));
}

static void test_certs_parse_offset_inside_table_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VCEK, 40, 10 } };

	build(f, s, 1, 100);

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "overlaps the table"));
}

static void test_certs_parse_offset_on_terminator_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VCEK, 24, 10 } };

	build(f, s, 1, 100);

	assert_int_equal(parse(f), -EINVAL);
}

static void test_certs_parse_length_past_end_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VCEK, 48, 100 } };

	build(f, s, 1, 147);

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "past the end"));
}

static void test_certs_parse_offset_plus_length_wrap_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VCEK, 0xffffffff, 2 } };

	build(f, s, 1, 100);

	assert_int_equal(parse(f), -EINVAL);
}

static void test_certs_parse_overlapping_certificates_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_ARK, 72, 20 }, { CERTS_ASK, 91, 10 } };

	build(f, s, 2, 101);

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "overlap"));
}

static void test_certs_parse_zero_length_returns_einval(void **state)
{
	struct fixture *f = *state;
	const struct spec s[] = { { CERTS_VCEK, 48, 0 } };

	build(f, s, 1, 100);

	assert_int_equal(parse(f), -EINVAL);
}

static void test_certs_parse_over_16k_returns_efbig(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, CERTS_MAX_BYTES + 1);

	assert_int_equal(parse(f), -EFBIG);
}

static void test_certs_parse_exactly_16k_succeeds(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, CERTS_MAX_BYTES);

	assert_int_equal(parse(f), 0);
}

static void fill_17_entries(struct fixture *f)
{
	unsigned int i;

	memset(f->buf, 0, sizeof(f->buf));
	for (i = 0; i < 17; i++)
		put_entry(f->buf + 24 * i, certs_kind_guid(CERTS_ARK), 1000 + i, 1);
	f->len = 2000;
}

static void test_certs_parse_too_many_entries_returns_einval(void **state)
{
	struct fixture *f = *state;

	fill_17_entries(f);

	assert_int_equal(parse(f), -EINVAL);
	assert_non_null(strstr(f->d.msg, "more than 16"));
}

static void test_certs_guid_vcek_bytes_are_textual_order(void **state)
{
	const uint8_t vcek[16] = { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
				   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd };

	assert_memory_equal(certs_kind_guid(CERTS_VCEK), vcek, 16);
}

static void test_certs_guid_ark_bytes_are_textual_order(void **state)
{
	const uint8_t ark[16] = { 0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
				  0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae };

	assert_memory_equal(certs_kind_guid(CERTS_ARK), ark, 16);
}

static void test_certs_npages_empty_table_is_one(void **state)
{
	assert_int_equal(certs_npages(NULL), 1);
}

static void test_certs_npages_exact_page_is_not_rounded_up(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, 4096);
	assert_int_equal(parse(f), 0);

	assert_int_equal(certs_npages(&f->t), 1);
}

static void test_certs_npages_one_byte_over_is_two(void **state)
{
	struct fixture *f = *state;

	build(f, chain, 3, 4097);
	assert_int_equal(parse(f), 0);

	assert_int_equal(certs_npages(&f->t), 2);
}

static void test_certs_write_fitting_table_returns_zero_and_copies(void **state)
{
	struct fixture *f = *state;
	uint64_t npages = 77;

	build(f, chain, 3, CHAIN_LEN);
	assert_int_equal(parse(f), 0);
	memset(f->guest, 0xee, sizeof(f->guest));

	assert_int_equal(certs_write_to_guest(&f->t, 4, f->guest, sizeof(f->guest), &npages), 0);
	assert_memory_equal(f->guest, f->buf, CHAIN_LEN);
	assert_int_equal(npages, 77);
}

static void test_certs_write_zero_fills_rest_of_last_page(void **state)
{
	struct fixture *f = *state;
	uint64_t npages = 0;

	build(f, chain, 3, CHAIN_LEN);
	assert_int_equal(parse(f), 0);
	memset(f->guest, 0xee, sizeof(f->guest));

	assert_int_equal(certs_write_to_guest(&f->t, 4, f->guest, sizeof(f->guest), &npages), 0);
	assert_int_equal(f->guest[CHAIN_LEN], 0);
	assert_int_equal(f->guest[4095], 0);
	assert_int_equal(f->guest[4096], 0xee);
}

static void test_certs_write_too_few_pages_returns_enospc_with_need(void **state)
{
	struct fixture *f = *state;
	uint64_t npages = 0;

	build(f, chain, 3, 5000);
	assert_int_equal(parse(f), 0);

	assert_int_equal(certs_write_to_guest(&f->t, 1, f->guest, sizeof(f->guest), &npages),
			 ENOSPC);
	assert_int_equal(npages, 2);
}

static void test_certs_write_too_few_pages_writes_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t npages = 0;

	build(f, chain, 3, 5000);
	assert_int_equal(parse(f), 0);
	memset(f->guest, 0xee, sizeof(f->guest));

	assert_int_equal(certs_write_to_guest(&f->t, 1, f->guest, sizeof(f->guest), &npages),
			 ENOSPC);
	assert_int_equal(f->guest[0], 0xee);
}

static void test_certs_write_zero_guest_pages_returns_enospc(void **state)
{
	uint64_t npages = 0;

	assert_int_equal(certs_write_to_guest(NULL, 0, NULL, 0, &npages), ENOSPC);
	assert_int_equal(npages, 1);
}

static void test_certs_write_unmapped_destination_returns_eio(void **state)
{
	struct fixture *f = *state;
	uint64_t npages = 0;

	build(f, chain, 3, CHAIN_LEN);
	assert_int_equal(parse(f), 0);

	assert_int_equal(certs_write_to_guest(&f->t, 1, NULL, 0, &npages), EIO);
}

static void test_certs_write_short_destination_returns_eio(void **state)
{
	struct fixture *f = *state;
	uint64_t npages = 0;

	build(f, chain, 3, CHAIN_LEN);
	assert_int_equal(parse(f), 0);

	assert_int_equal(certs_write_to_guest(&f->t, 1, f->guest, 100, &npages), EIO);
}

static void test_certs_write_no_table_sends_24_zero_bytes(void **state)
{
	struct fixture *f = *state;
	const uint8_t zero[24] = { 0 };
	uint64_t npages = 0;

	memset(f->guest, 0xee, sizeof(f->guest));

	assert_int_equal(certs_write_to_guest(NULL, 1, f->guest, sizeof(f->guest), &npages), 0);
	assert_memory_equal(f->guest, zero, 24);
}

static void test_certs_ret_for_eagain_is_eagain(void **state)
{
	assert_int_equal(certs_ret_for_error(-EAGAIN), EAGAIN);
}

static void test_certs_ret_for_enoent_is_eio(void **state)
{
	assert_int_equal(certs_ret_for_error(-ENOENT), EIO);
}

/* ---- certs_lock: two open file descriptions of one temp file in this process ---- */

struct lock_fixture {
	char path[64];
	int vmm_fd, operator_fd;
};

static int lock_setup(void **state)
{
	struct lock_fixture *l = calloc(1, sizeof(*l));

	if (!l)
		return -1;
	strcpy(l->path, "/tmp/snpvmm-certs-XXXXXX");
	l->vmm_fd = mkstemp(l->path);
	if (l->vmm_fd < 0)
		return -1;
	l->operator_fd = open(l->path, O_RDWR);
	if (l->operator_fd < 0)
		return -1;
	*state = l;
	return 0;
}

static int lock_teardown(void **state)
{
	struct lock_fixture *l = *state;

	close(l->vmm_fd);
	close(l->operator_fd);
	unlink(l->path);
	free(l);
	return 0;
}

static int ofd_lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

static void test_certs_lock_shared_unlocked_file_succeeds(void **state)
{
	struct lock_fixture *l = *state;

	assert_int_equal(certs_lock_shared(l->vmm_fd), 0);
}

static void test_certs_lock_shared_beside_other_reader_succeeds(void **state)
{
	struct lock_fixture *l = *state;

	assert_int_equal(ofd_lock(l->operator_fd, F_RDLCK), 0);

	assert_int_equal(certs_lock_shared(l->vmm_fd), 0);
}

static void test_certs_lock_shared_while_operator_writes_returns_eagain(void **state)
{
	struct lock_fixture *l = *state;

	assert_int_equal(ofd_lock(l->operator_fd, F_WRLCK), 0);

	assert_int_equal(certs_lock_shared(l->vmm_fd), -EAGAIN);
}

static void test_certs_lock_shared_held_blocks_operator_write_lock(void **state)
{
	struct lock_fixture *l = *state;

	assert_int_equal(certs_lock_shared(l->vmm_fd), 0);

	assert_int_equal(ofd_lock(l->operator_fd, F_WRLCK), -EAGAIN);
}

static void test_certs_unlock_lets_operator_write_lock(void **state)
{
	struct lock_fixture *l = *state;

	assert_int_equal(certs_lock_shared(l->vmm_fd), 0);

	assert_int_equal(certs_unlock(l->vmm_fd), 0);
	assert_int_equal(ofd_lock(l->operator_fd, F_WRLCK), 0);
}

static void test_certs_lock_shared_bad_fd_returns_ebadf(void **state)
{
	assert_int_equal(certs_lock_shared(-1), -EBADF);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define L(fn) cmocka_unit_test_setup_teardown(fn, lock_setup, lock_teardown)
	const struct CMUnitTest tests[] = {
		T(test_certs_parse_snphost_chain_succeeds),
		T(test_certs_parse_reports_kinds_in_table_order),
		T(test_certs_parse_keeps_blob_byte_for_byte),
		T(test_certs_parse_terminator_only_is_empty_table),
		T(test_certs_parse_vlek_and_crl_accepted),
		T(test_certs_parse_empty_file_returns_einval),
		T(test_certs_parse_missing_terminator_returns_einval),
		T(test_certs_parse_truncated_terminator_returns_einval),
		T(test_certs_parse_unknown_guid_names_it),
		T(test_certs_parse_null_guid_with_offset_returns_einval),
		T(test_certs_parse_duplicate_guid_returns_einval),
		T(test_certs_parse_offset_inside_table_returns_einval),
		T(test_certs_parse_offset_on_terminator_returns_einval),
		T(test_certs_parse_length_past_end_returns_einval),
		T(test_certs_parse_offset_plus_length_wrap_returns_einval),
		T(test_certs_parse_overlapping_certificates_returns_einval),
		T(test_certs_parse_zero_length_returns_einval),
		T(test_certs_parse_over_16k_returns_efbig),
		T(test_certs_parse_exactly_16k_succeeds),
		T(test_certs_parse_too_many_entries_returns_einval),
		T(test_certs_guid_vcek_bytes_are_textual_order),
		T(test_certs_guid_ark_bytes_are_textual_order),
		T(test_certs_npages_empty_table_is_one),
		T(test_certs_npages_exact_page_is_not_rounded_up),
		T(test_certs_npages_one_byte_over_is_two),
		T(test_certs_write_fitting_table_returns_zero_and_copies),
		T(test_certs_write_zero_fills_rest_of_last_page),
		T(test_certs_write_too_few_pages_returns_enospc_with_need),
		T(test_certs_write_too_few_pages_writes_nothing),
		T(test_certs_write_zero_guest_pages_returns_enospc),
		T(test_certs_write_unmapped_destination_returns_eio),
		T(test_certs_write_short_destination_returns_eio),
		T(test_certs_write_no_table_sends_24_zero_bytes),
		T(test_certs_ret_for_eagain_is_eagain),
		T(test_certs_ret_for_enoent_is_eio),
		L(test_certs_lock_shared_unlocked_file_succeeds),
		L(test_certs_lock_shared_beside_other_reader_succeeds),
		L(test_certs_lock_shared_while_operator_writes_returns_eagain),
		L(test_certs_lock_shared_held_blocks_operator_write_lock),
		L(test_certs_unlock_lets_operator_write_lock),
		L(test_certs_lock_shared_bad_fd_returns_ebadf),
	};
#undef T
#undef L
	return cmocka_run_group_tests(tests, NULL, NULL);
}
