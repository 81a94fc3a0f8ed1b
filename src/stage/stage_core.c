// SPDX-License-Identifier: MIT
/*
 * The measured boot stage's logic; see include/stage/stage_core.h. Freestanding: only
 * memcpy/memset/memcmp, which the stage supplies itself (stage_lib.c) and the host's libc
 * supplies in the unit tests.
 */
#include "stage/stage_core.h"

#include <stddef.h>
#include <string.h>

#include "abi/ghcb.h"
#include "stage/sha384.h"

/* How many replies without progress a page-state change may take before we give up: a
 * hypervisor that never advances cur_entry would otherwise keep us here forever. */
#define PSC_MAX_STALLS 16

static bool page_aligned(uint64_t v)
{
	return (v & (STAGE_PAGE_4K - 1)) == 0;
}

static bool range_ok(uint64_t gpa, uint64_t size)
{
	return size && page_aligned(gpa) && page_aligned(size) && gpa + size > gpa;
}

/* Whether [a, a + as) and [b, b + bs) overlap; both already checked not to wrap. */
static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static bool inside(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a >= b && as <= bs && a - b <= bs - as;
}

/* Ascending, disjoint, page aligned, non-empty, no wrap. */
static bool ranges_ok(const struct stage_range *r, uint32_t nr)
{
	uint32_t i;

	if (nr > STAGE_MAX_RANGES)
		return false;
	for (i = 0; i < nr; i++) {
		if (!range_ok(r[i].gpa, r[i].size))
			return false;
		if (i && r[i].gpa < r[i - 1].gpa + r[i - 1].size)
			return false;
	}
	return true;
}

static bool in_one_range(const struct stage_range *r, uint32_t nr, uint64_t gpa, uint64_t size)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		if (inside(gpa, size, r[i].gpa, r[i].size))
			return true;
	return false;
}

static bool overlaps_any(const struct stage_range *r, uint32_t nr, uint64_t gpa, uint64_t size)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		if (overlaps(gpa, size, r[i].gpa, r[i].size))
			return true;
	return false;
}

static uint64_t page_up(uint64_t v)
{
	return (v + STAGE_PAGE_4K - 1) & ~(STAGE_PAGE_4K - 1);
}

static bool image_ok(const struct stage_params *p, const struct stage_image *img)
{
	uint64_t span;

	if (!img->size)
		return true;
	span = page_up(img->size);
	if (span < img->size || !range_ok(img->staging_gpa, span) || !range_ok(img->dest_gpa, span))
		return false;
	/* The source lies in the staging area; the destination in one RAM range and in no
	 * measured range, whose contents the copy would otherwise overwrite. */
	return inside(img->staging_gpa, span, p->staging_gpa, p->staging_size) &&
	       in_one_range(p->ram, p->nr_ram, img->dest_gpa, span) &&
	       !overlaps_any(p->measured, p->nr_measured, img->dest_gpa, span);
}

int stage_check_params(const struct stage_params *p)
{
	const struct stage_image *k = &p->kernel, *i = &p->initrd;

	if (p->magic != STAGE_PARAMS_MAGIC || p->version != STAGE_PARAMS_VERSION ||
	    (p->flags & ~STAGE_FLAG_SNP))
		return STAGE_TERM_BAD_PARAMS;
	if (!ranges_ok(p->ram, p->nr_ram) || !ranges_ok(p->measured, p->nr_measured) ||
	    !range_ok(p->staging_gpa, p->staging_size) ||
	    overlaps_any(p->ram, p->nr_ram, p->staging_gpa, p->staging_size))
		return STAGE_TERM_BAD_PARAMS;
	if (!k->size || !image_ok(p, k) || !image_ok(p, i))
		return STAGE_TERM_BAD_PARAMS;
	if (i->size &&
	    (overlaps(k->dest_gpa, page_up(k->size), i->dest_gpa, page_up(i->size)) ||
	     overlaps(k->staging_gpa, page_up(k->size), i->staging_gpa, page_up(i->size))))
		return STAGE_TERM_BAD_PARAMS;
	if (p->kernel_entry < k->dest_gpa || p->kernel_entry - k->dest_gpa >= k->size)
		return STAGE_TERM_BAD_PARAMS;
	/* What the kernel reads before it can check anything itself was measured. */
	if (!in_one_range(p->measured, p->nr_measured, p->boot_params_gpa, STAGE_PAGE_4K) ||
	    !page_aligned(p->kernel_cr3) ||
	    !in_one_range(p->measured, p->nr_measured, p->kernel_cr3, STAGE_PAGE_4K) ||
	    !p->cmdline_size || p->cmdline_size > STAGE_PAGE_4K ||
	    !in_one_range(p->measured, p->nr_measured, p->cmdline_gpa, p->cmdline_size))
		return STAGE_TERM_BAD_PARAMS;
	if ((p->flags & STAGE_FLAG_SNP) &&
	    (!range_ok(p->ghcb_gpa, STAGE_PAGE_4K) ||
	     !inside(p->ghcb_gpa, STAGE_PAGE_4K, p->staging_gpa, p->staging_size) ||
	     (k->size && overlaps(p->ghcb_gpa, STAGE_PAGE_4K, k->staging_gpa, page_up(k->size))) ||
	     (i->size && overlaps(p->ghcb_gpa, STAGE_PAGE_4K, i->staging_gpa, page_up(i->size)))))
		return STAGE_TERM_BAD_PARAMS;
	return 0;
}

bool stage_next_unmeasured(const struct stage_params *p, struct stage_cursor *c,
			   struct stage_range *ret)
{
	for (; c->ram < p->nr_ram; c->ram++, c->offset = 0) {
		const struct stage_range *r = &p->ram[c->ram];
		uint64_t start = r->gpa + c->offset, end = r->gpa + r->size;
		uint32_t m;

		/* Skip measured ranges covering start; then stop at the next one. */
		for (m = 0; m < p->nr_measured && start < end; m++) {
			const struct stage_range *s = &p->measured[m];

			if (s->gpa <= start && start < s->gpa + s->size)
				start = s->gpa + s->size;
		}
		if (start >= end)
			continue;
		for (m = 0; m < p->nr_measured; m++) {
			const struct stage_range *s = &p->measured[m];

			if (s->gpa > start && s->gpa < end)
				end = s->gpa;
		}
		ret->gpa = start;
		ret->size = end - start;
		c->offset = end - r->gpa;
		return true;
	}
	return false;
}

unsigned int stage_psc_fill(uint64_t *entries, unsigned int max, uint64_t *gpa, uint64_t end)
{
	uint64_t op = (uint64_t)VMGEXIT_PSC_OP_PRIVATE << PSC_ENTRY_OP_SHIFT;
	unsigned int n = 0;

	while (n < max && *gpa < end) {
		bool huge = (*gpa & (STAGE_PAGE_2M - 1)) == 0 && end - *gpa >= STAGE_PAGE_2M;

		entries[n++] =
			(*gpa & PSC_ENTRY_GFN_MASK) | op | (huge ? PSC_ENTRY_PAGESIZE_2M : 0);
		*gpa += huge ? STAGE_PAGE_2M : STAGE_PAGE_4K;
	}
	return n;
}

static int validate_4k(const struct stage_ops *ops, uint64_t gpa, uint64_t end)
{
	for (; gpa < end; gpa += STAGE_PAGE_4K) {
		bool unchanged = false;
		int rc = ops->pvalidate(ops->ctx, gpa, PVALIDATE_PAGE_4K, &unchanged);

		if (rc != PVALIDATE_OK)
			return STAGE_TERM_PVALIDATE;
		if (unchanged)
			return STAGE_TERM_ALREADY_VALIDATED;
	}
	return 0;
}

int stage_validate(const struct stage_ops *ops, uint64_t gpa, uint64_t end)
{
	while (gpa < end) {
		bool unchanged = false;
		uint64_t next;
		int rc;

		if ((gpa & (STAGE_PAGE_2M - 1)) || end - gpa < STAGE_PAGE_2M) {
			next = (gpa + STAGE_PAGE_2M) & ~(STAGE_PAGE_2M - 1);
			next = next < end ? next : end;
			rc = validate_4k(ops, gpa, next);
			if (rc)
				return rc;
			gpa = next;
			continue;
		}
		/* A 2 MiB PVALIDATE needs a 2 MiB RMP entry; guest_memfd backed by 4 KiB pages
		 * answers FAIL_SIZEMISMATCH and the range is done page by page (APM Vol. 3
		 * "PVALIDATE"; Oak stage0 and Linux pvalidate_pages() fall back the same way). */
		rc = ops->pvalidate(ops->ctx, gpa, PVALIDATE_PAGE_2M, &unchanged);
		if (rc == PVALIDATE_FAIL_SIZEMISMATCH)
			rc = validate_4k(ops, gpa, gpa + STAGE_PAGE_2M);
		else if (rc != PVALIDATE_OK)
			rc = STAGE_TERM_PVALIDATE;
		else if (unchanged)
			rc = STAGE_TERM_ALREADY_VALIDATED;
		if (rc)
			return rc;
		gpa += STAGE_PAGE_2M;
	}
	return 0;
}

static void put64(uint8_t *ghcb, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(void *)(ghcb + off) = v;
}

static uint64_t get64(const uint8_t *ghcb, unsigned int off)
{
	return *(const volatile uint64_t *)(const void *)(ghcb + off);
}

/* One GHCB page-state-change round trip with the descriptor already in the shared buffer.
 * The GHCB is shared with the host: each field is read once, as a volatile. */
static void psc_exit(const struct stage_params *p, const struct stage_ops *ops, uint8_t *ghcb)
{
	uint64_t valid = 1ULL << (GHCB_VALID_BIT(GHCB_SW_EXIT_CODE_OFFSET) % 64) |
			 1ULL << (GHCB_VALID_BIT(GHCB_SW_EXITINFO1_OFFSET) % 64) |
			 1ULL << (GHCB_VALID_BIT(GHCB_SW_EXITINFO2_OFFSET) % 64) |
			 1ULL << (GHCB_VALID_BIT(GHCB_SW_SCRATCH_OFFSET) % 64);

	_Static_assert(GHCB_VALID_BIT(GHCB_SW_EXIT_CODE_OFFSET) / 64 == 1 &&
			       GHCB_VALID_BIT(GHCB_SW_SCRATCH_OFFSET) / 64 == 1,
		       "the four fields are in the second word of the valid bitmap");
	/* A clean save area and valid bitmap, as Linux's vc_ghcb_invalidate() leaves it. */
	memset(ghcb, 0, GHCB_SHARED_BUFFER_OFFSET);
	put64(ghcb, GHCB_SW_EXIT_CODE_OFFSET, SVM_VMGEXIT_PSC);
	put64(ghcb, GHCB_SW_EXITINFO1_OFFSET, 0);
	put64(ghcb, GHCB_SW_EXITINFO2_OFFSET, 0);
	put64(ghcb, GHCB_SW_SCRATCH_OFFSET, p->ghcb_gpa + GHCB_SHARED_BUFFER_OFFSET);
	put64(ghcb, GHCB_VALID_BITMAP_OFFSET + 8, valid);
	*(volatile uint16_t *)(void *)(ghcb + GHCB_PROTOCOL_VERSION_OFFSET) = GHCB_PROTOCOL_VERSION;
	*(volatile uint32_t *)(void *)(ghcb + GHCB_USAGE_OFFSET) = 0;
	(void)ops->ghcb_call(ops->ctx, p->ghcb_gpa);
}

/* Asks for [*gpa, end) to become private, at most one descriptor's worth; advances *gpa
 * past the pages it covered. The reply is checked as Linux's vmgexit_psc() does: no error
 * in SW_EXITINFO1/2, reserved still 0, end_entry unchanged, cur_entry never going back. */
static int psc_private(const struct stage_params *p, const struct stage_ops *ops, uint64_t *gpa,
		       uint64_t end)
{
	uint8_t *ghcb = ops->map(ops->ctx, p->ghcb_gpa, GHCB_PAGE_SIZE);
	uint8_t *desc = ghcb + GHCB_SHARED_BUFFER_OFFSET;
	/* The entries go straight into the shared buffer (8-byte aligned); the host reads
	 * them only once we exit. */
	unsigned int n = stage_psc_fill((uint64_t *)(void *)(desc + PSC_HDR_SIZE),
					VMGEXIT_PSC_MAX_COUNT, gpa, end);
	uint16_t last = (uint16_t)(n - 1), cur = 0;
	unsigned int stalls = 0;

	if (!n)
		return 0;
	put64(desc, 0, (uint64_t)last << 16);
	for (;;) {
		uint64_t hdr, info1, info2;
		uint16_t now_cur, now_end;

		psc_exit(p, ops, ghcb);
		info1 = get64(ghcb, GHCB_SW_EXITINFO1_OFFSET);
		info2 = get64(ghcb, GHCB_SW_EXITINFO2_OFFSET);
		hdr = get64(desc, 0);
		now_cur = (uint16_t)hdr;
		now_end = (uint16_t)(hdr >> 16);
		if ((uint32_t)info1 || info2 || (hdr >> 32) || now_end != last || now_cur < cur)
			return STAGE_TERM_PSC;
		if (now_cur > last)
			return 0;
		if (now_cur == cur && ++stalls > PSC_MAX_STALLS)
			return STAGE_TERM_PSC;
		cur = now_cur;
	}
}

static int register_ghcb(const struct stage_params *p, const struct stage_ops *ops)
{
	uint64_t gfn = p->ghcb_gpa >> 12;
	uint64_t resp = ops->ghcb_call(ops->ctx, (gfn << 12) | GHCB_MSR_REG_GPA_REQ);

	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_REG_GPA_RESP || (resp >> 12) != gfn)
		return STAGE_TERM_GHCB_REGISTER;
	return 0;
}

static void zero(const struct stage_ops *ops, uint64_t gpa, uint64_t end)
{
	/* In 2 MiB-aligned steps (the host tests model RAM in 2 MiB frames). */
	while (gpa < end) {
		uint64_t next = (gpa + STAGE_PAGE_2M) & ~(STAGE_PAGE_2M - 1);
		uint64_t n = (next < end ? next : end) - gpa;

		memset(ops->map(ops->ctx, gpa, n), 0, n);
		gpa += n;
	}
}

/* PSC, PVALIDATE and zero every page of RAM the launch did not measure, one descriptor's
 * worth at a time so that each batch is still in the TLB and cache when it is zeroed. */
static int validate_ram(const struct stage_params *p, const struct stage_ops *ops)
{
	struct stage_cursor cur = { 0, 0 };
	struct stage_range r;
	int rc;

	rc = register_ghcb(p, ops);
	if (rc)
		return rc;
	while (stage_next_unmeasured(p, &cur, &r)) {
		uint64_t gpa = r.gpa, end = r.gpa + r.size;

		while (gpa < end) {
			uint64_t batch = gpa;

			rc = psc_private(p, ops, &gpa, end);
			if (!rc)
				rc = stage_validate(ops, batch, gpa);
			if (rc)
				return rc;
			zero(ops, batch, gpa);
		}
	}
	return 0;
}

/* Copy first, then hash the private copy: the staging area is shared, and the host may
 * rewrite it at any moment, also while we read it. */
static int copy_and_check(const struct stage_ops *ops, const struct stage_image *img, int mismatch)
{
	struct sha384_ctx c;
	uint8_t digest[SHA384_DIGEST_SIZE];
	uint64_t off;

	if (!img->size)
		return 0;
	sha384_init(&c);
	for (off = 0; off < img->size; off += STAGE_COPY_CHUNK) {
		uint64_t n =
			img->size - off < STAGE_COPY_CHUNK ? img->size - off : STAGE_COPY_CHUNK;
		uint8_t *dst = ops->map(ops->ctx, img->dest_gpa + off, n);

		memcpy(dst, ops->map(ops->ctx, img->staging_gpa + off, n), n);
		sha384_update(&c, dst, n);
	}
	sha384_final(&c, digest);
	return memcmp(digest, img->sha384, sizeof(digest)) ? mismatch : 0;
}

static int check_cmdline(const struct stage_params *p, const struct stage_ops *ops)
{
	struct sha384_ctx c;
	uint8_t digest[SHA384_DIGEST_SIZE];

	sha384_init(&c);
	sha384_update(&c, ops->map(ops->ctx, p->cmdline_gpa, p->cmdline_size), p->cmdline_size);
	sha384_final(&c, digest);
	return memcmp(digest, p->cmdline_sha384, sizeof(digest)) ? STAGE_TERM_CMDLINE_HASH : 0;
}

int stage_run(const struct stage_params *p, const struct stage_ops *ops)
{
	int rc = stage_check_params(p);

	if (!rc && (p->flags & STAGE_FLAG_SNP)) {
		/* The flag is measured, so a verifier knows which kind of launch this was;
		 * the hardware must agree (SEV_STATUS reads are not intercepted). */
		if (!(ops->read_sev_status(ops->ctx) & SEV_STATUS_SNP_ENABLED))
			rc = STAGE_TERM_NOT_SNP;
		else
			rc = validate_ram(p, ops);
	}
	if (!rc)
		rc = copy_and_check(ops, &p->kernel, STAGE_TERM_KERNEL_HASH);
	if (!rc)
		rc = copy_and_check(ops, &p->initrd, STAGE_TERM_INITRD_HASH);
	if (!rc)
		rc = check_cmdline(p, ops);
	if (rc) {
		ops->terminate(ops->ctx, p, (unsigned int)rc);
		return rc;
	}
	ops->enter_kernel(ops->ctx, p);
	return 0;
}
