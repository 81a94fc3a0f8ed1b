// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snp/psc.h"
#include "vmm/page_state.h"

#define PG     4096ULL
#define MIB    (1ULL << 20)
#define GIB    (1ULL << 30)
#define HOLE   0xC0000000ULL
#define HI_END (5 * GIB + MIB) /* the high region ends 1 MiB into a 2 MiB frame */

static const struct mem_range ram[] = { { 0, HOLE }, { 4 * GIB, GIB + MIB } };
#define NR_RAM 2

/* GHCB v2: the descriptor fills the 0x7f0-byte shared buffer (asm/svm.h struct ghcb). */
#define DESC_LEN 0x7f0

struct call {
	uint64_t gpa, size;
	bool to_private;
};

struct fixture {
	uint8_t *desc; /* exactly DESC_LEN bytes on the heap: ASan sees any overrun */
	struct call calls[300];
	unsigned int nr_calls;
	unsigned int fail_at; /* 1-based call number that fails; 0 = never */
	int fail_with;
	struct page_state_map map;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->desc = calloc(1, DESC_LEN);
	if (!f->desc || page_state_init(&f->map, ram, NR_RAM, PAGE_STATE_SHARED) < 0)
		return -1;
	f->fail_with = -ENOMEM;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	page_state_destroy(&f->map);
	free(f->desc);
	free(f);
	return 0;
}

static int convert(void *opaque, uint64_t gpa, uint64_t size, bool to_private)
{
	struct fixture *f = opaque;

	if (f->nr_calls < 300)
		f->calls[f->nr_calls] = (struct call){ gpa, size, to_private };
	f->nr_calls++;
	if (f->nr_calls == f->fail_at)
		return f->fail_with;
	return page_state_set(&f->map, gpa, size,
			      to_private ? PAGE_STATE_PRIVATE : PAGE_STATE_SHARED);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

static void wr64(uint8_t *p, uint64_t x)
{
	memcpy(p, &x, 8);
}

static void hdr(struct fixture *f, uint16_t cur, uint16_t end, uint32_t rsvd)
{
	wr64(f->desc, cur | (uint64_t)end << 16 | (uint64_t)rsvd << 32);
}

static uint64_t ent(uint64_t gfn, unsigned int op, bool huge, unsigned int cur_page)
{
	return cur_page | gfn << 12 | (uint64_t)op << 52 | (huge ? PSC_ENTRY_PAGESIZE_2M : 0);
}

static void put(struct fixture *f, unsigned int i, uint64_t e)
{
	wr64(f->desc + 8 + 8 * i, e);
}

static uint16_t cur_entry(const struct fixture *f)
{
	return (uint16_t)rd64(f->desc);
}

static unsigned int cur_page(const struct fixture *f, unsigned int i)
{
	return rd64(f->desc + 8 + 8 * i) & 0xfff;
}

static uint64_t run(struct fixture *f)
{
	uint64_t ret = 0xdead;

	assert_int_equal(psc_process_descriptor(f->desc, DESC_LEN, ram, NR_RAM, convert, f, &ret),
			 0);
	return ret;
}

static uint64_t run_len(struct fixture *f, size_t len)
{
	uint64_t ret = 0xdead;

	assert_int_equal(psc_process_descriptor(f->desc, len, ram, NR_RAM, convert, f, &ret), 0);
	return ret;
}

#define OP_PRIV VMGEXIT_PSC_OP_PRIVATE
#define OP_SHRD VMGEXIT_PSC_OP_SHARED

/* ---- MAP_GPA_RANGE ---- */

static struct kvm_exit_hypercall hc(uint64_t gpa, uint64_t npages, uint64_t attrs)
{
	return (struct kvm_exit_hypercall){ .nr = KVM_HC_MAP_GPA_RANGE,
					    .args = { gpa, npages, attrs } };
}

static void test_psc_map_gpa_range_4k_shared_decodes_range(void **state)
{
	struct kvm_exit_hypercall h = hc(0x10000, 3, KVM_MAP_GPA_RANGE_DECRYPTED);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), 0);

	assert_int_equal(req.gpa, 0x10000);
	assert_int_equal(req.size, 3 * PG);
	assert_false(req.to_private);
	assert_false(req.hint_2m);
	assert_int_equal(req.ram_index, 0);
}

static void test_psc_map_gpa_range_encrypted_decodes_to_private(void **state)
{
	struct kvm_exit_hypercall h = hc(4 * GIB, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), 0);

	assert_true(req.to_private);
	assert_int_equal(req.ram_index, 1);
}

static void test_psc_map_gpa_range_2m_aligned_sets_hint(void **state)
{
	struct kvm_exit_hypercall h =
		hc(2 * MIB, 512, KVM_MAP_GPA_RANGE_ENCRYPTED | KVM_MAP_GPA_RANGE_PAGE_SZ_2M);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), 0);

	assert_true(req.hint_2m);
	assert_int_equal(req.size, 2 * MIB);
}

/* sev.c snp_begin_psc() keeps PAGE_SZ_2M for the remainder of a half-done 2M entry
 * (it ORs in entry_start.pagesize): gpa = (gfn + cur_page) << 12, npages = 512 - cur_page. */
static void test_psc_map_gpa_range_2m_hint_unaligned_remainder_accepted(void **state)
{
	struct kvm_exit_hypercall h = hc(2 * MIB + 100 * PG, 412, KVM_MAP_GPA_RANGE_PAGE_SZ_2M);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), 0);

	assert_int_equal(req.gpa, 2 * MIB + 100 * PG);
	assert_int_equal(req.size, 412 * PG);
}

static void test_psc_map_gpa_range_range_ending_at_region_end_accepted(void **state)
{
	struct kvm_exit_hypercall h = hc(HOLE - 2 * PG, 2, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), 0);
}

static void test_psc_map_gpa_range_other_hypercall_returns_enosys(void **state)
{
	struct kvm_exit_hypercall h = hc(0x10000, 1, 0);
	struct psc_request req;

	h.nr = 11;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -ENOSYS);
}

static void test_psc_map_gpa_range_unaligned_gpa_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(0x10008, 1, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_zero_npages_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(0x10000, 0, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_byte_end_overflow_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(0xfffffffffffff000ULL, 2, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

/* gfn + npages does not wrap (KVM's check passes) but npages << 12 does. */
static void test_psc_map_gpa_range_npages_times_4k_overflow_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(0, 1ULL << 52, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_pci_hole_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(HOLE, 1, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_crossing_into_hole_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(HOLE - PG, 2, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_spanning_hole_into_high_ram_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(HOLE - PG, (4 * GIB - HOLE) / PG + 2, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_beyond_ram_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(HI_END, 1, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_1g_page_size_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(GIB, 262144, KVM_MAP_GPA_RANGE_PAGE_SZ_1G);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_undefined_page_size_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(0x10000, 1, 3);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_reserved_attribute_bit_returns_einval(void **state)
{
	struct kvm_exit_hypercall h = hc(0x10000, 1, 1ULL << 5);
	struct psc_request req;

	assert_int_equal(psc_decode_map_gpa_range(&h, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_map_gpa_range_ret_success_is_zero(void **state)
{
	assert_int_equal(psc_map_gpa_range_ret(0), 0);
}

static void test_psc_map_gpa_range_ret_eagain_is_eagain(void **state)
{
	assert_int_equal(psc_map_gpa_range_ret(-EAGAIN), EAGAIN);
}

static void test_psc_map_gpa_range_ret_eintr_is_eagain(void **state)
{
	assert_int_equal(psc_map_gpa_range_ret(-EINTR), EAGAIN);
}

static void test_psc_map_gpa_range_ret_enomem_is_einval(void **state)
{
	assert_int_equal(psc_map_gpa_range_ret(-ENOMEM), EINVAL);
}

static void test_psc_map_gpa_range_ret_enosys_is_einval(void **state)
{
	assert_int_equal(psc_map_gpa_range_ret(-ENOSYS), EINVAL);
}

static void test_psc_map_gpa_range_ret_is_valid_rejects_enospc(void **state)
{
	assert_false(psc_map_gpa_range_ret_is_valid(ENOSPC));
	assert_true(psc_map_gpa_range_ret_is_valid(psc_map_gpa_range_ret(-EFAULT)));
}

/* ---- v12 PSC_MSR ---- */

static struct kvm_user_vmgexit_v12 msr(uint64_t gpa, uint8_t op)
{
	struct kvm_user_vmgexit_v12 x = { .type = KVM_USER_VMGEXIT_PSC_MSR };

	x.psc_msr.gpa = gpa;
	x.psc_msr.op = op;
	return x;
}

static void test_psc_msr_shared_decodes_one_page(void **state)
{
	struct kvm_user_vmgexit_v12 x = msr(0x12345000, KVM_USER_VMGEXIT_PSC_MSR_OP_SHARED);
	struct psc_request req;

	assert_int_equal(psc_decode_msr(&x, ram, NR_RAM, &req), 0);

	assert_int_equal(req.gpa, 0x12345000);
	assert_int_equal(req.size, PG);
	assert_false(req.to_private);
}

static void test_psc_msr_private_decodes_to_private(void **state)
{
	struct kvm_user_vmgexit_v12 x = msr(4 * GIB, KVM_USER_VMGEXIT_PSC_MSR_OP_PRIVATE);
	struct psc_request req;

	assert_int_equal(psc_decode_msr(&x, ram, NR_RAM, &req), 0);

	assert_true(req.to_private);
}

static void test_psc_msr_op_zero_returns_einval(void **state)
{
	struct kvm_user_vmgexit_v12 x = msr(0x10000, 0);
	struct psc_request req;

	assert_int_equal(psc_decode_msr(&x, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_msr_op_psmash_returns_einval(void **state)
{
	struct kvm_user_vmgexit_v12 x = msr(0x10000, 3);
	struct psc_request req;

	assert_int_equal(psc_decode_msr(&x, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_msr_wrong_type_returns_einval(void **state)
{
	struct kvm_user_vmgexit_v12 x = msr(0x10000, KVM_USER_VMGEXIT_PSC_MSR_OP_SHARED);
	struct psc_request req;

	x.type = KVM_USER_VMGEXIT_PSC;

	assert_int_equal(psc_decode_msr(&x, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_msr_unaligned_gpa_returns_einval(void **state)
{
	struct kvm_user_vmgexit_v12 x = msr(0x10010, KVM_USER_VMGEXIT_PSC_MSR_OP_SHARED);
	struct psc_request req;

	assert_int_equal(psc_decode_msr(&x, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_msr_pci_hole_returns_einval(void **state)
{
	struct kvm_user_vmgexit_v12 x = msr(0xFEE00000, KVM_USER_VMGEXIT_PSC_MSR_OP_SHARED);
	struct psc_request req;

	assert_int_equal(psc_decode_msr(&x, ram, NR_RAM, &req), -EINVAL);
}

static void test_psc_msr_ret_success_is_zero(void **state)
{
	assert_int_equal(psc_msr_ret(0), 0);
}

/* (0x80000000 << 32) | 0x015 = upstream's GHCB_MSR_PSC_RESP_ERROR (asm/sev-common.h) */
static void test_psc_msr_ret_failure_is_bit31(void **state)
{
	assert_int_equal(((uint64_t)psc_msr_ret(-EIO) << 32) | 0x015, 0x8000000000000015ULL);
}

/* ---- PSC descriptor: happy paths ---- */

static void test_psc_desc_4k_shared_converts_one_page(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 1);
	assert_int_equal(f->calls[0].gpa, 0x100000);
	assert_int_equal(f->calls[0].size, PG);
	assert_false(f->calls[0].to_private);
}

static void test_psc_desc_4k_private_converts_to_private(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_PRIV, false, 0));

	assert_int_equal(run(f), 0);
	assert_true(f->calls[0].to_private);
}

static void test_psc_desc_done_sets_cur_entry_past_end(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));
	put(f, 1, ent(0x300, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(cur_entry(f), 2);
}

static void test_psc_desc_done_4k_entry_gets_cur_page_1(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(cur_page(f, 0), 1);
}

static void test_psc_desc_2m_private_converts_2m(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x200, OP_PRIV, true, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->calls[0].gpa, 2 * MIB);
	assert_int_equal(f->calls[0].size, 2 * MIB);
	assert_true(page_state_is_uniform(&f->map, 2 * MIB, 2 * MIB, PAGE_STATE_PRIVATE));
}

static void test_psc_desc_done_2m_entry_gets_cur_page_512(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x200, OP_SHRD, true, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(cur_page(f, 0), 512);
}

static void test_psc_desc_writeback_keeps_entry_fields(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x200, OP_SHRD, true, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(rd64(f->desc + 8), ent(0x200, OP_SHRD, true, 512));
}

static void test_psc_desc_writeback_keeps_end_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(rd64(f->desc), 1);
}

static void test_psc_desc_contiguous_same_op_entries_convert_once(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 2, 0);
	put(f, 0, ent(0x200, OP_SHRD, true, 0));
	put(f, 1, ent(0x400, OP_SHRD, true, 0));
	put(f, 2, ent(0x600, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 1);
	assert_int_equal(f->calls[0].gpa, 2 * MIB);
	assert_int_equal(f->calls[0].size, 4 * MIB + PG);
}

static void test_psc_desc_op_change_splits_conversions(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));
	put(f, 1, ent(0x101, OP_PRIV, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 2);
	assert_true(f->calls[1].to_private);
}

static void test_psc_desc_gap_splits_conversions(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));
	put(f, 1, ent(0x102, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 2);
}

static void test_psc_desc_touching_regions_split_conversions(void **state)
{
	struct fixture *f = *state;
	const struct mem_range touching[] = { { 0, 2 * MIB }, { 2 * MIB, 2 * MIB } };
	uint64_t ret = 1;

	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x1ff, OP_SHRD, false, 0));
	put(f, 1, ent(0x200, OP_SHRD, false, 0));

	assert_int_equal(psc_process_descriptor(f->desc, DESC_LEN, touching, 2, convert, f, &ret),
			 0);
	assert_int_equal(ret, 0);
	assert_int_equal(f->nr_calls, 2);
}

/* 253 private 4K entries, every other page from gfn 0x1000 (none batch together). */
static void fill_253(struct fixture *f)
{
	unsigned int i;

	hdr(f, 0, 252, 0);
	for (i = 0; i < 253; i++)
		put(f, i, ent(0x1000 + 2 * i, OP_PRIV, false, 0));
}

static void test_psc_desc_253_entries_all_processed(void **state)
{
	struct fixture *f = *state;

	fill_253(f);

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 253);
	assert_int_equal(cur_entry(f), 253);
	assert_int_equal(page_state_count_pages(&f->map, PAGE_STATE_PRIVATE), 253);
}

/* ---- resume (GHCB 56421 resumable PSC; sev.c __snp_complete_one_psc()) ---- */

static void test_psc_desc_cur_entry_skips_earlier_entries(void **state)
{
	struct fixture *f = *state;

	hdr(f, 1, 1, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));
	put(f, 1, ent(0x300, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 1);
	assert_int_equal(f->calls[0].gpa, 0x300000);
	assert_int_equal(cur_page(f, 0), 0);
}

static void test_psc_desc_cur_page_converts_remaining_pages_only(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x200, OP_PRIV, true, 100));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->calls[0].gpa, 2 * MIB + 100 * PG);
	assert_int_equal(f->calls[0].size, 412 * PG);
	assert_int_equal(cur_page(f, 0), 512);
}

static void test_psc_desc_completed_entry_skipped_without_conversion(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x200, OP_PRIV, true, 512));
	put(f, 1, ent(0x100, OP_PRIV, false, 1));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 0);
	assert_int_equal(cur_entry(f), 2);
}

static void test_psc_desc_cur_entry_past_end_succeeds_doing_nothing(void **state)
{
	struct fixture *f = *state;

	hdr(f, 3, 2, 0);
	put(f, 2, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 0);
	assert_int_equal(cur_entry(f), 3);
}

static void test_psc_desc_psmash_completes_without_conversion(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x200, VMGEXIT_PSC_OP_PSMASH, true, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 0);
	assert_int_equal(cur_page(f, 0), 512);
}

static void test_psc_desc_unsmash_completes_without_conversion(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x200, VMGEXIT_PSC_OP_UNSMASH, true, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 0);
	assert_int_equal(cur_entry(f), 1);
}

/* ---- repeated / overlapping entries: in order, the later wins (as KVM) ---- */

static void test_psc_desc_repeated_entry_converts_twice(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x100, OP_PRIV, false, 0));
	put(f, 1, ent(0x100, OP_PRIV, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 2);
	assert_int_equal(page_state_count_pages(&f->map, PAGE_STATE_PRIVATE), 1);
}

static void test_psc_desc_overlapping_entries_later_wins(void **state)
{
	struct fixture *f = *state;
	enum page_state s;

	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x200, OP_PRIV, true, 0));
	put(f, 1, ent(0x210, OP_SHRD, false, 0));

	assert_int_equal(run(f), 0);
	assert_int_equal(page_state_get(&f->map, 0x210000, &s), 0);
	assert_int_equal(s, PAGE_STATE_SHARED);
	assert_int_equal(page_state_count_pages(&f->map, PAGE_STATE_PRIVATE), 511);
}

/* ---- hostile header ---- */

static void test_psc_desc_end_entry_253_returns_invalid_hdr(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 253, 0);

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_HDR);
	assert_int_equal(f->nr_calls, 0);
}

static void test_psc_desc_end_entry_ffff_returns_invalid_hdr(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0xffff, 0xffff, 0);

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_HDR);
}

static void test_psc_desc_end_entry_past_mapped_bytes_returns_invalid_hdr(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 4, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(run_len(f, 8 + 4 * 8), VMGEXIT_PSC_ERROR_INVALID_HDR);
}

static void test_psc_desc_last_entry_fitting_mapped_bytes_processed(void **state)
{
	struct fixture *f = *state;

	hdr(f, 3, 3, 0);
	put(f, 3, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(run_len(f, 8 + 4 * 8), 0);
}

static void test_psc_desc_header_reserved_set_returns_invalid_hdr(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 1);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_HDR);
	assert_int_equal(f->nr_calls, 0);
}

static void test_psc_desc_len_below_header_returns_generic(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_len(f, 7), VMGEXIT_PSC_ERROR_GENERIC);
}

static void test_psc_desc_null_mapping_returns_generic(void **state)
{
	struct fixture *f = *state;
	uint64_t ret = 0;

	assert_int_equal(psc_process_descriptor(NULL, DESC_LEN, ram, NR_RAM, convert, f, &ret), 0);
	assert_int_equal(ret, VMGEXIT_PSC_ERROR_GENERIC);
}

/* ---- hostile entries ---- */

static void test_psc_desc_entry_reserved_bit_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0) | 1ULL << 63);

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
	assert_int_equal(f->nr_calls, 0);
}

static void test_psc_desc_4k_cur_page_2_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 2));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_2m_cur_page_513_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x200, OP_SHRD, true, 513));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_2m_unaligned_gfn_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x201, OP_SHRD, true, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_op_0_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, 0, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_op_5_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, 5, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_op_15_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, 15, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_gfn_beyond_ram_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0xffffffffffULL, OP_SHRD, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_4k_in_pci_hole_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(HOLE / PG, OP_SHRD, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_2m_in_pci_hole_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0xFEE00, OP_PRIV, true, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_desc_2m_crossing_region_end_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent((HI_END - MIB) / PG, OP_PRIV, true, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

/* Even a resumed entry whose remaining pages are RAM is refused: the entry is judged whole. */
static void test_psc_desc_resumed_2m_crossing_region_end_returns_invalid_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent((HI_END - MIB) / PG, OP_PRIV, true, 1));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
}

/* ---- progress after a partial failure ---- */

static void test_psc_desc_invalid_entry_after_valid_converts_earlier(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 2, 0);
	put(f, 0, ent(0x100, OP_PRIV, false, 0));
	put(f, 1, ent(0x101, OP_PRIV, false, 0));
	put(f, 2, ent(0x102, 9, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
	assert_int_equal(f->nr_calls, 1);
	assert_int_equal(f->calls[0].size, 2 * PG);
}

static void test_psc_desc_invalid_entry_sets_cur_entry_to_it(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 2, 0);
	put(f, 0, ent(0x100, OP_PRIV, false, 0));
	put(f, 1, ent(0x101, 9, false, 0));
	put(f, 2, ent(0x102, OP_PRIV, false, 0));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
	assert_int_equal(cur_entry(f), 1);
	assert_int_equal(cur_page(f, 0), 1);
}

static void test_psc_desc_invalid_entry_left_untouched(void **state)
{
	struct fixture *f = *state;

	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x201, OP_PRIV, true, 7));

	assert_int_equal(run(f), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
	assert_int_equal(rd64(f->desc + 8), ent(0x201, OP_PRIV, true, 7));
}

static void test_psc_desc_convert_failure_returns_generic(void **state)
{
	struct fixture *f = *state;
	uint64_t ret = 0;

	f->fail_at = 1;
	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(psc_process_descriptor(f->desc, DESC_LEN, ram, NR_RAM, convert, f, &ret),
			 -ENOMEM);
	assert_int_equal(ret, VMGEXIT_PSC_ERROR_GENERIC);
}

static void test_psc_desc_convert_failure_keeps_entry_pending(void **state)
{
	struct fixture *f = *state;
	uint64_t ret = 0;

	f->fail_at = 2;
	hdr(f, 0, 2, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));
	put(f, 1, ent(0x200, OP_PRIV, true, 0));
	put(f, 2, ent(0x400, OP_PRIV, true, 0));

	assert_int_equal(psc_process_descriptor(f->desc, DESC_LEN, ram, NR_RAM, convert, f, &ret),
			 -ENOMEM);
	assert_int_equal(cur_entry(f), 1);
	assert_int_equal(cur_page(f, 0), 1);
	assert_int_equal(cur_page(f, 1), 0);
	assert_int_equal(cur_page(f, 2), 0);
}

static void test_psc_desc_resume_after_convert_failure_finishes(void **state)
{
	struct fixture *f = *state;
	uint64_t ret = 0;

	f->fail_at = 2;
	hdr(f, 0, 1, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));
	put(f, 1, ent(0x200, OP_PRIV, true, 0));
	assert_int_equal(psc_process_descriptor(f->desc, DESC_LEN, ram, NR_RAM, convert, f, &ret),
			 -ENOMEM);

	assert_int_equal(run(f), 0);
	assert_int_equal(f->nr_calls, 3);
	assert_int_equal(f->calls[2].gpa, 2 * MIB);
	assert_int_equal(cur_entry(f), 2);
}

static void test_psc_desc_convert_positive_return_is_eio(void **state)
{
	struct fixture *f = *state;
	uint64_t ret = 0;

	f->fail_at = 1;
	f->fail_with = 1;
	hdr(f, 0, 0, 0);
	put(f, 0, ent(0x100, OP_SHRD, false, 0));

	assert_int_equal(psc_process_descriptor(f->desc, DESC_LEN, ram, NR_RAM, convert, f, &ret),
			 -EIO);
	assert_int_equal(ret, VMGEXIT_PSC_ERROR_GENERIC);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_psc_map_gpa_range_4k_shared_decodes_range),
		T(test_psc_map_gpa_range_encrypted_decodes_to_private),
		T(test_psc_map_gpa_range_2m_aligned_sets_hint),
		T(test_psc_map_gpa_range_2m_hint_unaligned_remainder_accepted),
		T(test_psc_map_gpa_range_range_ending_at_region_end_accepted),
		T(test_psc_map_gpa_range_other_hypercall_returns_enosys),
		T(test_psc_map_gpa_range_unaligned_gpa_returns_einval),
		T(test_psc_map_gpa_range_zero_npages_returns_einval),
		T(test_psc_map_gpa_range_byte_end_overflow_returns_einval),
		T(test_psc_map_gpa_range_npages_times_4k_overflow_returns_einval),
		T(test_psc_map_gpa_range_pci_hole_returns_einval),
		T(test_psc_map_gpa_range_crossing_into_hole_returns_einval),
		T(test_psc_map_gpa_range_spanning_hole_into_high_ram_returns_einval),
		T(test_psc_map_gpa_range_beyond_ram_returns_einval),
		T(test_psc_map_gpa_range_1g_page_size_returns_einval),
		T(test_psc_map_gpa_range_undefined_page_size_returns_einval),
		T(test_psc_map_gpa_range_reserved_attribute_bit_returns_einval),
		T(test_psc_map_gpa_range_ret_success_is_zero),
		T(test_psc_map_gpa_range_ret_eagain_is_eagain),
		T(test_psc_map_gpa_range_ret_eintr_is_eagain),
		T(test_psc_map_gpa_range_ret_enomem_is_einval),
		T(test_psc_map_gpa_range_ret_enosys_is_einval),
		T(test_psc_map_gpa_range_ret_is_valid_rejects_enospc),
		T(test_psc_msr_shared_decodes_one_page),
		T(test_psc_msr_private_decodes_to_private),
		T(test_psc_msr_op_zero_returns_einval),
		T(test_psc_msr_op_psmash_returns_einval),
		T(test_psc_msr_wrong_type_returns_einval),
		T(test_psc_msr_unaligned_gpa_returns_einval),
		T(test_psc_msr_pci_hole_returns_einval),
		T(test_psc_msr_ret_success_is_zero),
		T(test_psc_msr_ret_failure_is_bit31),
		T(test_psc_desc_4k_shared_converts_one_page),
		T(test_psc_desc_4k_private_converts_to_private),
		T(test_psc_desc_done_sets_cur_entry_past_end),
		T(test_psc_desc_done_4k_entry_gets_cur_page_1),
		T(test_psc_desc_2m_private_converts_2m),
		T(test_psc_desc_done_2m_entry_gets_cur_page_512),
		T(test_psc_desc_writeback_keeps_entry_fields),
		T(test_psc_desc_writeback_keeps_end_entry),
		T(test_psc_desc_contiguous_same_op_entries_convert_once),
		T(test_psc_desc_op_change_splits_conversions),
		T(test_psc_desc_gap_splits_conversions),
		T(test_psc_desc_touching_regions_split_conversions),
		T(test_psc_desc_253_entries_all_processed),
		T(test_psc_desc_cur_entry_skips_earlier_entries),
		T(test_psc_desc_cur_page_converts_remaining_pages_only),
		T(test_psc_desc_completed_entry_skipped_without_conversion),
		T(test_psc_desc_cur_entry_past_end_succeeds_doing_nothing),
		T(test_psc_desc_psmash_completes_without_conversion),
		T(test_psc_desc_unsmash_completes_without_conversion),
		T(test_psc_desc_repeated_entry_converts_twice),
		T(test_psc_desc_overlapping_entries_later_wins),
		T(test_psc_desc_end_entry_253_returns_invalid_hdr),
		T(test_psc_desc_end_entry_ffff_returns_invalid_hdr),
		T(test_psc_desc_end_entry_past_mapped_bytes_returns_invalid_hdr),
		T(test_psc_desc_last_entry_fitting_mapped_bytes_processed),
		T(test_psc_desc_header_reserved_set_returns_invalid_hdr),
		T(test_psc_desc_len_below_header_returns_generic),
		T(test_psc_desc_null_mapping_returns_generic),
		T(test_psc_desc_entry_reserved_bit_returns_invalid_entry),
		T(test_psc_desc_4k_cur_page_2_returns_invalid_entry),
		T(test_psc_desc_2m_cur_page_513_returns_invalid_entry),
		T(test_psc_desc_2m_unaligned_gfn_returns_invalid_entry),
		T(test_psc_desc_op_0_returns_invalid_entry),
		T(test_psc_desc_op_5_returns_invalid_entry),
		T(test_psc_desc_op_15_returns_invalid_entry),
		T(test_psc_desc_gfn_beyond_ram_returns_invalid_entry),
		T(test_psc_desc_4k_in_pci_hole_returns_invalid_entry),
		T(test_psc_desc_2m_in_pci_hole_returns_invalid_entry),
		T(test_psc_desc_2m_crossing_region_end_returns_invalid_entry),
		T(test_psc_desc_resumed_2m_crossing_region_end_returns_invalid_entry),
		T(test_psc_desc_invalid_entry_after_valid_converts_earlier),
		T(test_psc_desc_invalid_entry_sets_cur_entry_to_it),
		T(test_psc_desc_invalid_entry_left_untouched),
		T(test_psc_desc_convert_failure_returns_generic),
		T(test_psc_desc_convert_failure_keeps_entry_pending),
		T(test_psc_desc_resume_after_convert_failure_finishes),
		T(test_psc_desc_convert_positive_return_is_eio),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
