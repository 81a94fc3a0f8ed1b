// SPDX-License-Identifier: MIT
/*
 * The boot stage's logic (src/stage/stage_core.c) against a model of the guest's hardware:
 * RAM (a window backed by memory, a 2 MiB sink above it), the shared staging area with the
 * GHCB in its first page, an RMP that records which pages were asked to be private and
 * which are validated, a hypervisor that answers GHCB page-state changes in the ways a
 * real or a hostile one may, and PVALIDATE with or without 2 MiB RMP entries. What the
 * stage does on SNP hardware is checked here: PVALIDATE and the GHCB run only there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi/ghcb.h"
#include "snp/launch_digest.h"
#include "stage/stage_core.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define PG  4096ULL

#define WINDOW	    (16 * MiB) /* RAM backed by memory; above it writes go to a sink */
#define STAGING	    (4 * GiB)
#define KERNEL_SIZE (0x4321ULL)
#define INITRD_SIZE (0x123456ULL)
#define INITRD_DEST (0xA00000ULL)
#define CMDLINE	    "console=ttyS0 root=/dev/vda"

enum psc_reply {
	PSC_REPLY_ALL,	     /* every entry done in one exit */
	PSC_REPLY_THREE,     /* three entries per exit: the guest must loop */
	PSC_REPLY_GENERIC,   /* SW_EXITINFO2 = ERROR_GENERIC */
	PSC_REPLY_EXITINFO1, /* SW_EXITINFO1 != 0 */
	PSC_REPLY_RESERVED,  /* hdr.reserved set */
	PSC_REPLY_STALL,     /* success, cur_entry never moves */
	PSC_REPLY_BACKWARDS, /* the second reply moves cur_entry back */
	PSC_REPLY_END_GROWS, /* end_entry changed */
};

struct model {
	struct stage_params p;
	uint64_t ram_end; /* the top of the second RAM range */
	uint8_t *ram;	  /* [0, WINDOW) */
	uint8_t *sink;	  /* 2 MiB: RAM above the window */
	uint8_t *staging;
	uint8_t *kernel, *initrd; /* the images as the VMM staged them */
	uint8_t *valid;		  /* one byte per 4 KiB page of [0, ram_end) */
	uint8_t *priv;		  /* asked to be private (PSC) */
	bool rmp_2m;		  /* PVALIDATE of 2 MiB succeeds (2 MiB RMP entries) */
	bool snp_status;	  /* SEV_STATUS says SNP */
	bool refuse_register;
	enum psc_reply reply;
	unsigned int psc_rounds, psc_2m, psc_4k, max_entries;
	unsigned int pv_2m, pv_4k, pv_fail_at; /* pv_fail_at: 1-based 4 KiB call to fail */
	unsigned int violations;	       /* PVALIDATE before PSC, unmapped access, ... */
	bool registered;
	/* Host writes into the staging area while the stage copies (offsets in the kernel). */
	bool tamper;
	uint64_t tamper_when_mapping, tamper_at;
	bool tampered;
	int term;
	bool entered;
};

static void mark(uint8_t *map, uint64_t gpa, uint64_t size, uint8_t v)
{
	memset(map + gpa / PG, v, size / PG);
}

static void *m_map(void *ctx, uint64_t gpa, uint64_t len)
{
	struct model *m = ctx;

	if (gpa >= STAGING && gpa + len <= STAGING + m->p.staging_size) {
		if (m->tamper && !m->tampered &&
		    gpa == m->p.kernel.staging_gpa + m->tamper_when_mapping) {
			m->staging[m->p.kernel.staging_gpa - STAGING + m->tamper_at] ^= 0x5a;
			m->tampered = true;
		}
		return m->staging + (gpa - STAGING);
	}
	if (gpa + len <= WINDOW)
		return m->ram + gpa;
	if (gpa >= WINDOW && gpa + len <= m->ram_end && len <= 2 * MiB)
		return m->sink;
	m->violations++;
	return m->sink;
}

static uint64_t m_sev_status(void *ctx)
{
	return ((struct model *)ctx)->snp_status ? SEV_STATUS_SNP_ENABLED | 3 : 0;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* The hypervisor's side of a PSC NAE, as KVM's snp_begin_psc()/snp_complete_one_psc() would do it
 * with every conversion succeeding, or one of the misbehaviours. */
static void m_psc(struct model *m, uint8_t *ghcb)
{
	uint8_t *desc = ghcb + GHCB_SHARED_BUFFER_OFFSET;
	uint64_t hdr = get64(desc), valid = get64(ghcb + GHCB_VALID_BITMAP_OFFSET + 8);
	unsigned int cur = (uint16_t)hdr, end = (uint16_t)(hdr >> 16), i, todo;

	/* What KVM checks before it looks at the descriptor. */
	if (get64(ghcb + GHCB_SW_SCRATCH_OFFSET) != m->p.ghcb_gpa + GHCB_SHARED_BUFFER_OFFSET ||
	    (valid & 0x3c000000000000ULL) != 0x3c000000000000ULL ||
	    *(uint16_t *)(void *)(ghcb + GHCB_PROTOCOL_VERSION_OFFSET) != 2 || end >= 253)
		m->violations++;
	m->psc_rounds++;
	if (end + 1 > m->max_entries)
		m->max_entries = end + 1;
	todo = m->reply == PSC_REPLY_THREE || m->reply == PSC_REPLY_BACKWARDS ? 3 : end + 1;
	if (m->reply == PSC_REPLY_STALL)
		todo = 0;
	for (i = cur; i <= end && todo; i++, todo--) {
		uint64_t e = get64(desc + 8 + 8 * i), gpa = e & PSC_ENTRY_GFN_MASK;
		bool huge = e & PSC_ENTRY_PAGESIZE_2M;

		if (((e & PSC_ENTRY_OP_MASK) >> PSC_ENTRY_OP_SHIFT) != VMGEXIT_PSC_OP_PRIVATE)
			m->violations++;
		/* snp_begin_psc(): a 2 MiB entry with an unaligned GFN, or any cur_page but 0
		 * in a fresh descriptor, is VMGEXIT_PSC_ERROR_INVALID_ENTRY. */
		if ((huge && (gpa & (2 * MiB - 1))) || (e & PSC_ENTRY_CUR_PAGE_MASK) ||
		    (e & PSC_ENTRY_RESERVED_MASK))
			m->violations++;
		huge ? m->psc_2m++ : m->psc_4k++;
		mark(m->priv, gpa, huge ? 2 * MiB : PG, 1);
	}
	put64(ghcb + GHCB_SW_EXITINFO1_OFFSET, 0);
	put64(ghcb + GHCB_SW_EXITINFO2_OFFSET, 0);
	if (m->reply == PSC_REPLY_BACKWARDS && m->psc_rounds == 2)
		i = cur - 1;
	put64(desc, i | (uint64_t)end << 16);
	if (m->reply == PSC_REPLY_GENERIC)
		put64(ghcb + GHCB_SW_EXITINFO2_OFFSET, VMGEXIT_PSC_ERROR_GENERIC);
	if (m->reply == PSC_REPLY_EXITINFO1)
		put64(ghcb + GHCB_SW_EXITINFO1_OFFSET, 1);
	if (m->reply == PSC_REPLY_RESERVED)
		put64(desc, i | (uint64_t)end << 16 | 1ULL << 32);
	if (m->reply == PSC_REPLY_END_GROWS)
		put64(desc, i | (uint64_t)(end + 1) << 16);
}

static uint64_t m_ghcb_call(void *ctx, uint64_t msr)
{
	struct model *m = ctx;
	uint8_t *ghcb = m->staging + (m->p.ghcb_gpa - STAGING);

	if ((msr & GHCB_MSR_INFO_MASK) == GHCB_MSR_REG_GPA_REQ) {
		m->registered = (msr >> 12) == m->p.ghcb_gpa >> 12;
		return m->refuse_register ? GHCB_MSR_REG_GPA_RESP : msr + 1;
	}
	if (msr != m->p.ghcb_gpa || !m->registered ||
	    get64(ghcb + GHCB_SW_EXIT_CODE_OFFSET) != SVM_VMGEXIT_PSC) {
		m->violations++;
		return msr;
	}
	m_psc(m, ghcb);
	return msr;
}

static int m_pvalidate(void *ctx, uint64_t gpa, int size, bool *ret_unchanged)
{
	struct model *m = ctx;
	uint64_t len = size == PVALIDATE_PAGE_2M ? 2 * MiB : PG, i;

	/* APM Vol. 3 PVALIDATE: an address not aligned to the page size is FAIL_INPUT. */
	if (gpa & (len - 1)) {
		m->violations++;
		return PVALIDATE_FAIL_INPUT;
	}
	if (size == PVALIDATE_PAGE_2M) {
		m->pv_2m++;
		if (!m->rmp_2m)
			return PVALIDATE_FAIL_SIZEMISMATCH;
	} else if (++m->pv_4k == m->pv_fail_at) {
		return PVALIDATE_FAIL_INPUT;
	}
	*ret_unchanged = false;
	for (i = gpa; i < gpa + len; i += PG) {
		if (!m->priv[i / PG])
			m->violations++; /* validated before being asked to be private */
		if (m->valid[i / PG])
			*ret_unchanged = true;
	}
	if (!*ret_unchanged)
		mark(m->valid, gpa, len, 1);
	return PVALIDATE_OK;
}

static void m_terminate(void *ctx, const struct stage_params *p, unsigned int code)
{
	((struct model *)ctx)->term = (int)code;
}

static void m_enter(void *ctx, const struct stage_params *p)
{
	((struct model *)ctx)->entered = true;
}

static struct stage_ops model_ops(struct model *m)
{
	return (struct stage_ops){ m,		m_map,	     m_sev_status, m_ghcb_call,
				   m_pvalidate, m_terminate, m_enter };
}

static void sha384(const void *data, size_t len, uint8_t out[48])
{
	assert_int_equal(snp_sha384(data, len, out), 0);
}

static uint8_t *filled(size_t len, uint8_t seed)
{
	uint8_t *p = malloc(len);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 12));
	return p;
}

/* The layout snpvmm builds, shrunk: RAM [0, 0xA0000) and [1 MiB, ram_end), the boot pages
 * and the stage measured, kernel at 1 MiB, initrd at 10 MiB, staging at 4 GiB. */
static struct model *model_new(uint64_t ram_end, bool snp)
{
	struct model *m = calloc(1, sizeof(*m));
	struct stage_params *p = &m->p;
	uint64_t kspan = (KERNEL_SIZE + PG - 1) & ~(PG - 1);

	assert_non_null(m);
	m->ram_end = ram_end;
	m->ram = malloc(WINDOW);
	m->sink = malloc(2 * MiB);
	m->valid = calloc(ram_end / PG, 1);
	m->priv = calloc(ram_end / PG, 1);
	assert_true(m->ram && m->sink && m->valid && m->priv);
	memset(m->ram, 0xAA, WINDOW); /* not zero: what the stage zeroes must be seen */
	m->kernel = filled(KERNEL_SIZE, 1);
	m->initrd = filled(INITRD_SIZE, 2);
	m->snp_status = snp;

	*p = (struct stage_params){
		.magic = STAGE_PARAMS_MAGIC,
		.version = STAGE_PARAMS_VERSION,
		.flags = snp ? STAGE_FLAG_SNP : 0,
		.boot_params_gpa = 0x2000,
		.kernel_entry = 0x100200,
		.kernel_cr3 = 0x4000,
		.staging_gpa = STAGING,
		.ghcb_gpa = STAGING,
		.exit_port = STAGE_EXIT_PORT,
		.kernel = { STAGING + PG, 0x100000, KERNEL_SIZE },
		.initrd = { STAGING + PG + kspan, INITRD_DEST, INITRD_SIZE },
		.cmdline_gpa = 0x3000,
		.cmdline_size = sizeof(CMDLINE),
		.nr_ram = 2,
		.ram = { { 0, 0xA0000 }, { 0x100000, ram_end - 0x100000 } },
		.nr_measured = 3,
		.measured = { { 0x1000, 0xD000 }, { 0x10000, 0x2000 }, { 0xA0000, 0xA000 } },
	};
	p->staging_size = PG + kspan + ((INITRD_SIZE + PG - 1) & ~(PG - 1));
	m->staging = calloc(1, p->staging_size);
	assert_non_null(m->staging);
	memcpy(m->staging + PG, m->kernel, KERNEL_SIZE);
	memcpy(m->staging + PG + kspan, m->initrd, INITRD_SIZE);
	sha384(m->kernel, KERNEL_SIZE, p->kernel.sha384);
	sha384(m->initrd, INITRD_SIZE, p->initrd.sha384);
	memcpy(m->ram + 0x3000, CMDLINE, sizeof(CMDLINE));
	sha384(CMDLINE, sizeof(CMDLINE), p->cmdline_sha384);
	/* The launch validated the measured pages. */
	mark(m->valid, 0x1000, 0xD000, 1);
	mark(m->valid, 0x10000, 0x2000, 1);
	return m;
}

static void model_free(struct model *m)
{
	free(m->ram);
	free(m->sink);
	free(m->valid);
	free(m->priv);
	free(m->staging);
	free(m->kernel);
	free(m->initrd);
	free(m);
}

static int run(struct model *m)
{
	const struct stage_ops ops = model_ops(m);

	return stage_run(&m->p, &ops);
}

/* ---- booting ---- */

static void test_stage_without_snp_copies_checks_and_enters_the_kernel(void **state)
{
	struct model *m = model_new(WINDOW, false);

	int r = run(m);

	assert_int_equal(r, 0);
	assert_true(m->entered);
	assert_memory_equal(m->ram + 0x100000, m->kernel, KERNEL_SIZE);
	assert_memory_equal(m->ram + INITRD_DEST, m->initrd, INITRD_SIZE);
	assert_int_equal(m->pv_2m + m->pv_4k + m->psc_rounds, 0); /* no SNP: no validation */
	assert_int_equal(m->violations, 0);
	model_free(m);
}

static void test_stage_without_initrd_boots(void **state)
{
	struct model *m = model_new(WINDOW, false);
	m->p.initrd = (struct stage_image){ 0 };

	int r = run(m);

	assert_int_equal(r, 0);
	assert_true(m->entered);
	model_free(m);
}

/* ---- refusing ---- */

static void test_stage_refuses_a_kernel_changed_in_the_staging_area(void **state)
{
	struct model *m = model_new(WINDOW, true);
	m->staging[PG + KERNEL_SIZE / 2] ^= 1;

	int r = run(m);

	assert_int_equal(r, STAGE_TERM_KERNEL_HASH);
	assert_int_equal(m->term, STAGE_TERM_KERNEL_HASH);
	assert_false(m->entered);
	model_free(m);
}

static void test_stage_refuses_an_initrd_changed_in_the_staging_area(void **state)
{
	struct model *m = model_new(WINDOW, false);
	m->staging[m->p.initrd.staging_gpa - STAGING + INITRD_SIZE - 1] ^= 0x80;

	int r = run(m);

	assert_int_equal(r, STAGE_TERM_INITRD_HASH);
	assert_false(m->entered);
	model_free(m);
}

static void test_stage_refuses_a_changed_command_line(void **state)
{
	struct model *m = model_new(WINDOW, false);
	m->ram[0x3000] = 'C';

	int r = run(m);

	assert_int_equal(r, STAGE_TERM_CMDLINE_HASH);
	assert_false(m->entered);
	model_free(m);
}

/* The host rewrites bytes the stage has not copied yet: the copy holds them and the hash
 * of the copy catches them. */
static void test_stage_refuses_staging_rewritten_while_it_copies(void **state)
{
	struct model *m = model_new(WINDOW, false);
	m->tamper = true;
	m->tamper_when_mapping = 0;	/* at the first piece's map ... */
	m->tamper_at = KERNEL_SIZE - 1; /* ... change a byte of the last piece */

	int r = run(m);

	assert_true(m->tampered);
	assert_int_equal(r, STAGE_TERM_KERNEL_HASH);
	model_free(m);
}

/* The host rewrites bytes the stage has already copied: the kernel gets the bytes that
 * were hashed, never the host's later ones. */
static void test_stage_hashes_its_private_copy_not_the_shared_bytes(void **state)
{
	struct model *m = model_new(WINDOW, false);
	uint8_t *big = filled(3 * STAGE_COPY_CHUNK, 9);

	/* A kernel of three copy pieces; the host changes piece 0 when piece 1 is mapped. */
	m->p.kernel.size = 3 * STAGE_COPY_CHUNK;
	m->p.initrd = (struct stage_image){ 0 };
	m->p.staging_size = PG + 3 * STAGE_COPY_CHUNK;
	m->staging = realloc(m->staging, m->p.staging_size);
	memcpy(m->staging + PG, big, 3 * STAGE_COPY_CHUNK);
	sha384(big, 3 * STAGE_COPY_CHUNK, m->p.kernel.sha384);
	m->tamper = true;
	m->tamper_when_mapping = STAGE_COPY_CHUNK;
	m->tamper_at = 100;

	int r = run(m);

	assert_true(m->tampered);
	assert_int_equal(r, 0);
	assert_memory_equal(m->ram + 0x100000, big, 3 * STAGE_COPY_CHUNK);
	free(big);
	model_free(m);
}

/* ---- validating RAM under SNP ---- */

static void check_every_unmeasured_ram_page_validated_once(const struct model *m)
{
	uint64_t gpa;

	for (gpa = 0; gpa < m->ram_end; gpa += PG) {
		bool ram = gpa < 0xA0000 || gpa >= 0x100000;

		if (!ram)
			assert_int_equal(m->valid[gpa / PG], 0); /* the hole stays unvalidated */
		else
			assert_int_equal(m->valid[gpa / PG], 1);
	}
}

static void test_stage_validates_all_ram_but_the_measured_pages(void **state)
{
	struct model *m = model_new(WINDOW, true);

	int r = run(m);

	assert_int_equal(r, 0);
	assert_true(m->entered);
	assert_int_equal(m->violations, 0);
	check_every_unmeasured_ram_page_validated_once(m);
	model_free(m);
}

/* Every page it validates reads as zero afterwards, as a ZERO page of a launch by content
 * would; measured pages keep their bytes. */
static void test_stage_zeroes_what_it_validates(void **state)
{
	struct model *m = model_new(WINDOW, true);
	uint8_t zero[4096] = { 0 };
	uint64_t gpa;

	int r = run(m);

	assert_int_equal(r, 0);
	assert_memory_equal(m->ram, zero, PG);				/* page 0 */
	assert_memory_equal(m->ram + 0x3000, CMDLINE, sizeof(CMDLINE)); /* measured */
	for (gpa = 0x12000; gpa < 0xA0000; gpa += PG)
		assert_memory_equal(m->ram + gpa, zero, PG);
	/* Past the kernel's last byte, in its last page, and above the initrd. */
	assert_int_equal(m->ram[0x100000 + KERNEL_SIZE], 0);
	for (gpa = INITRD_DEST + 2 * MiB; gpa < WINDOW; gpa += PG)
		assert_memory_equal(m->ram + gpa, zero, PG);
	model_free(m);
}

static void test_stage_uses_2m_entries_and_full_descriptors(void **state)
{
	struct model *m = model_new(4 * GiB, true);
	m->rmp_2m = true;

	int r = run(m);

	assert_int_equal(r, 0);
	assert_int_equal(m->violations, 0);
	/* [1 MiB, 2 MiB) and the low 640 KiB in 4 KiB entries, the rest in 2 MiB ones, 253
	 * entries a descriptor: one round trip for each of the three low pieces, then
	 * ceil((256 + 2047) / 253) = 10 for [1 MiB, 4 GiB). Not a million. */
	assert_int_equal(m->psc_4k, (0xA0000 - 0xD000 - 0x2000) / PG + 256);
	assert_int_equal(m->psc_2m, (4 * GiB - 2 * MiB) / (2 * MiB));
	assert_int_equal(m->max_entries, VMGEXIT_PSC_MAX_COUNT);
	assert_int_equal(m->psc_rounds, 3 + 10);
	check_every_unmeasured_ram_page_validated_once(m);
	model_free(m);
}

static void test_stage_validates_2m_pages_where_the_rmp_has_them(void **state)
{
	struct model *m = model_new(WINDOW, true);
	m->rmp_2m = true;

	int r = run(m);

	assert_int_equal(r, 0);
	assert_int_equal(m->pv_2m, (WINDOW - 2 * MiB) / (2 * MiB));
	assert_int_equal(m->pv_4k, (0xA0000 - 0xD000 - 0x2000) / PG + 256);
	check_every_unmeasured_ram_page_validated_once(m);
	model_free(m);
}

/* guest_memfd backs RAM with 4 KiB pages: every 2 MiB PVALIDATE answers
 * FAIL_SIZEMISMATCH and the stage goes page by page. */
static void test_stage_falls_back_to_4k_on_size_mismatch(void **state)
{
	struct model *m = model_new(WINDOW, true);

	int r = run(m);

	assert_int_equal(r, 0);
	assert_int_equal(m->pv_2m, (WINDOW - 2 * MiB) / (2 * MiB));
	assert_int_equal(m->pv_4k, (0xA0000 - 0xD000 - 0x2000 + WINDOW - MiB) / PG);
	check_every_unmeasured_ram_page_validated_once(m);
	model_free(m);
}

static void test_stage_refuses_a_page_that_was_already_validated(void **state)
{
	struct model *m = model_new(WINDOW, true);
	m->valid[(8 * MiB + 5 * PG) / PG] = 1; /* not measured, yet validated: a swapped page */

	int r = run(m);

	assert_int_equal(r, STAGE_TERM_ALREADY_VALIDATED);
	assert_false(m->entered);
	model_free(m);
}

static void test_stage_refuses_a_failed_pvalidate(void **state)
{
	struct model *m = model_new(WINDOW, true);
	m->pv_fail_at = 40;

	int r = run(m);

	assert_int_equal(r, STAGE_TERM_PVALIDATE);
	assert_false(m->entered);
	model_free(m);
}

static void test_stage_loops_while_the_hypervisor_does_part_of_a_descriptor(void **state)
{
	struct model *m = model_new(WINDOW, true);
	m->reply = PSC_REPLY_THREE;

	int r = run(m);

	assert_int_equal(r, 0);
	assert_int_equal(m->violations, 0);
	check_every_unmeasured_ram_page_validated_once(m);
	model_free(m);
}

static void test_stage_refuses_every_bad_psc_reply(void **state)
{
	static const enum psc_reply bad[] = {
		PSC_REPLY_GENERIC, PSC_REPLY_EXITINFO1, PSC_REPLY_RESERVED,
		PSC_REPLY_STALL,   PSC_REPLY_BACKWARDS, PSC_REPLY_END_GROWS,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct model *m = model_new(WINDOW, true);
		m->reply = bad[i];

		int r = run(m);

		assert_int_equal(r, STAGE_TERM_PSC);
		assert_false(m->entered);
		model_free(m);
	}
}

static void test_stage_refuses_a_refused_ghcb_registration(void **state)
{
	struct model *m = model_new(WINDOW, true);
	m->refuse_register = true;

	int r = run(m);

	assert_int_equal(r, STAGE_TERM_GHCB_REGISTER);
	assert_int_equal(m->psc_rounds, 0);
	model_free(m);
}

static void test_stage_refuses_snp_parameters_without_snp_hardware(void **state)
{
	struct model *m = model_new(WINDOW, true);
	m->snp_status = false;

	int r = run(m);

	assert_int_equal(r, STAGE_TERM_NOT_SNP);
	assert_int_equal(m->pv_4k + m->psc_rounds, 0);
	model_free(m);
}

/* ---- the parameters page ---- */

static void test_stage_params_as_built_are_consistent(void **state)
{
	struct model *m = model_new(WINDOW, true);

	assert_int_equal(stage_check_params(&m->p), 0);
	model_free(m);
}

static void test_stage_refuses_inconsistent_params(void **state)
{
	struct model *m = model_new(WINDOW, true);
	struct stage_params good = m->p;
	struct stage_params bad[12];
	unsigned int i;

	for (i = 0; i < 12; i++)
		bad[i] = good;
	bad[0].magic++;
	bad[1].version = 2;
	bad[2].flags |= 2;
	bad[3].kernel.dest_gpa = 0x2000; /* onto boot_params: a measured page */
	bad[4].initrd.staging_gpa = STAGING + good.staging_size; /* outside the staging area */
	bad[5].staging_gpa = 0x200000;				 /* staging inside RAM */
	bad[6].ram[1].gpa = 0x50000;				 /* overlapping ranges */
	bad[7].kernel_entry = 0x100000 + KERNEL_SIZE;		 /* past the kernel */
	bad[8].cmdline_size = 8192;
	bad[9].initrd.dest_gpa = 0x101000;	    /* onto the kernel */
	bad[10].ghcb_gpa = good.kernel.staging_gpa; /* the GHCB over the kernel's bytes */
	bad[11].nr_measured = STAGE_MAX_RANGES + 1;
	for (i = 0; i < 12; i++) {
		m->p = bad[i];
		assert_int_equal(stage_check_params(&m->p), STAGE_TERM_BAD_PARAMS);
		assert_int_equal(run(m), STAGE_TERM_BAD_PARAMS);
		assert_false(m->entered);
	}
	model_free(m);
}

/* ---- pieces ---- */

static void test_stage_unmeasured_walk_subtracts_the_measured_ranges(void **state)
{
	struct model *m = model_new(WINDOW, true);
	struct stage_cursor c = { 0, 0 };
	struct stage_range got[8];
	unsigned int n = 0;

	while (n < 8 && stage_next_unmeasured(&m->p, &c, &got[n]))
		n++;

	assert_int_equal(n, 4);
	assert_int_equal(got[0].gpa, 0);
	assert_int_equal(got[0].size, 0x1000);
	assert_int_equal(got[1].gpa, 0xE000);
	assert_int_equal(got[1].size, 0x2000);
	assert_int_equal(got[2].gpa, 0x12000);
	assert_int_equal(got[2].size, 0xA0000 - 0x12000);
	assert_int_equal(got[3].gpa, 0x100000);
	assert_int_equal(got[3].size, WINDOW - 0x100000);
	model_free(m);
}

static void test_stage_psc_fill_uses_2m_entries_where_aligned(void **state)
{
	uint64_t e[8], gpa = 0x1FF000;

	unsigned int n = stage_psc_fill(e, 8, &gpa, 0x601000);

	assert_int_equal(n, 4); /* 4K at 0x1FF000, 2M at 2M and 4M, 4K at 6M */
	assert_int_equal(e[0], 0x1FF000ULL | 1ULL << 52);
	assert_int_equal(e[1], 0x200000ULL | 1ULL << 52 | PSC_ENTRY_PAGESIZE_2M);
	assert_int_equal(e[2], 0x400000ULL | 1ULL << 52 | PSC_ENTRY_PAGESIZE_2M);
	assert_int_equal(e[3], 0x600000ULL | 1ULL << 52);
	assert_int_equal(gpa, 0x601000);
}

static void test_stage_psc_fill_stops_at_max_entries(void **state)
{
	uint64_t e[3], gpa = 0;

	unsigned int n = stage_psc_fill(e, 3, &gpa, 64 * MiB);

	assert_int_equal(n, 3);
	assert_int_equal(gpa, 6 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_without_snp_copies_checks_and_enters_the_kernel),
		cmocka_unit_test(test_stage_without_initrd_boots),
		cmocka_unit_test(test_stage_refuses_a_kernel_changed_in_the_staging_area),
		cmocka_unit_test(test_stage_refuses_an_initrd_changed_in_the_staging_area),
		cmocka_unit_test(test_stage_refuses_a_changed_command_line),
		cmocka_unit_test(test_stage_refuses_staging_rewritten_while_it_copies),
		cmocka_unit_test(test_stage_hashes_its_private_copy_not_the_shared_bytes),
		cmocka_unit_test(test_stage_validates_all_ram_but_the_measured_pages),
		cmocka_unit_test(test_stage_zeroes_what_it_validates),
		cmocka_unit_test(test_stage_uses_2m_entries_and_full_descriptors),
		cmocka_unit_test(test_stage_validates_2m_pages_where_the_rmp_has_them),
		cmocka_unit_test(test_stage_falls_back_to_4k_on_size_mismatch),
		cmocka_unit_test(test_stage_refuses_a_page_that_was_already_validated),
		cmocka_unit_test(test_stage_refuses_a_failed_pvalidate),
		cmocka_unit_test(test_stage_loops_while_the_hypervisor_does_part_of_a_descriptor),
		cmocka_unit_test(test_stage_refuses_every_bad_psc_reply),
		cmocka_unit_test(test_stage_refuses_a_refused_ghcb_registration),
		cmocka_unit_test(test_stage_refuses_snp_parameters_without_snp_hardware),
		cmocka_unit_test(test_stage_params_as_built_are_consistent),
		cmocka_unit_test(test_stage_refuses_inconsistent_params),
		cmocka_unit_test(test_stage_unmeasured_walk_subtracts_the_measured_ranges),
		cmocka_unit_test(test_stage_psc_fill_uses_2m_entries_where_aligned),
		cmocka_unit_test(test_stage_psc_fill_stops_at_max_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
