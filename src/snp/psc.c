// SPDX-License-Identifier: MIT
#include "snp/psc.h"

#include <assert.h>
#include <errno.h>

#define MAP_GPA_RANGE_PAGE_SZ_MASK 0xfULL /* hypercalls.rst: bits 3:0 preferred page size */
#define MAP_GPA_RANGE_KNOWN	   (MAP_GPA_RANGE_PAGE_SZ_MASK | KVM_MAP_GPA_RANGE_ENCRYPTED)

/* True when [gpa, gpa + size) lies wholly inside one region; size > 0, no wrap. */
static bool in_one_region(const struct mem_range *ram, unsigned int nr_ram, uint64_t gpa,
			  uint64_t size, unsigned int *ret_index)
{
	unsigned int i;

	if (!size || gpa + size < gpa)
		return false;
	for (i = 0; i < nr_ram; i++) {
		if (gpa >= ram[i].gpa && gpa - ram[i].gpa < ram[i].size &&
		    size <= ram[i].size - (gpa - ram[i].gpa)) {
			*ret_index = i;
			return true;
		}
	}
	return false;
}

int psc_decode_map_gpa_range(const struct kvm_exit_hypercall *hc, const struct mem_range *ram,
			     unsigned int nr_ram, struct psc_request *ret_req)
{
	/* One read of each field: run->hypercall is shared with the kernel only, but decode
	 * from locals anyway so validation and use cannot disagree. */
	uint64_t nr = hc->nr, gpa = hc->args[0], npages = hc->args[1], attrs = hc->args[2];
	uint64_t pgsz = attrs & MAP_GPA_RANGE_PAGE_SZ_MASK;
	unsigned int idx;

	if (nr != KVM_HC_MAP_GPA_RANGE)
		return -ENOSYS;
	/* KVM checks these three only for the VMMCALL route (x86.c: PAGE_ALIGNED(gpa),
	 * npages != 0, gfn + npages no wrap); and its gfn-space check still lets
	 * npages << 12 wrap the byte address, so check all of them here. */
	if (gpa & (PSC_PAGE_SIZE - 1) || !npages || npages > (UINT64_MAX - gpa) / PSC_PAGE_SIZE)
		return -EINVAL;
	if (attrs & ~MAP_GPA_RANGE_KNOWN)
		return -EINVAL; /* bits 63:5 reserved, MBZ (hypercalls.rst) */
	if (pgsz != KVM_MAP_GPA_RANGE_PAGE_SZ_4K && pgsz != KVM_MAP_GPA_RANGE_PAGE_SZ_2M)
		return -EINVAL; /* 1G: no SNP producer sends it; 3..15: undefined */
	if (!in_one_region(ram, nr_ram, gpa, npages * PSC_PAGE_SIZE, &idx))
		return -EINVAL;
	*ret_req = (struct psc_request){
		.gpa = gpa,
		.size = npages * PSC_PAGE_SIZE,
		.to_private = attrs & KVM_MAP_GPA_RANGE_ENCRYPTED,
		.hint_2m = pgsz == KVM_MAP_GPA_RANGE_PAGE_SZ_2M,
		.ram_index = idx,
	};
	return 0;
}

uint64_t psc_map_gpa_range_ret(int err)
{
	if (!err)
		return 0;
	if (err == -EAGAIN || err == -EINTR)
		return EAGAIN;
	return EINVAL;
}

bool psc_map_gpa_range_ret_is_valid(uint64_t ret)
{
	/* x86.c kvm_is_valid_map_gpa_range_ret() (kvm-x86 2026) */
	return ret == 0 || ret == EINVAL || ret == EAGAIN;
}

int psc_decode_msr(const struct kvm_user_vmgexit_v12 *exit, const struct mem_range *ram,
		   unsigned int nr_ram, struct psc_request *ret_req)
{
	uint32_t type = exit->type;
	uint64_t gpa = exit->psc_msr.gpa;
	uint8_t op = exit->psc_msr.op;
	unsigned int idx;

	if (type != KVM_USER_VMGEXIT_PSC_MSR)
		return -EINVAL;
	if (op != KVM_USER_VMGEXIT_PSC_MSR_OP_PRIVATE && op != KVM_USER_VMGEXIT_PSC_MSR_OP_SHARED)
		return -EINVAL;
	if (gpa & (PSC_PAGE_SIZE - 1) || !in_one_region(ram, nr_ram, gpa, PSC_PAGE_SIZE, &idx))
		return -EINVAL;
	*ret_req = (struct psc_request){
		.gpa = gpa,
		.size = PSC_PAGE_SIZE,
		.to_private = op == KVM_USER_VMGEXIT_PSC_MSR_OP_PRIVATE,
		.ram_index = idx,
	};
	return 0;
}

uint32_t psc_msr_ret(int err)
{
	return err ? PSC_MSR_RET_ERROR : 0;
}

/*
 * Guest memory accessors. The descriptor lives in memory the guest can write at any time,
 * so each field is loaded exactly once through volatile byte accesses (the compiler may
 * neither re-load nor merge them: KVM's READ_ONCE in sev.c snp_begin_psc()), little-endian,
 * at any alignment.
 */
static uint64_t guest_load64(const uint8_t *p)
{
	const volatile uint8_t *v = p;
	uint64_t x = 0;
	int i;

	for (i = 7; i >= 0; i--)
		x = x << 8 | v[i];
	return x;
}

static void guest_store(uint8_t *p, uint64_t x, int bytes)
{
	volatile uint8_t *v = p;
	int i;

	for (i = 0; i < bytes; i++, x >>= 8)
		v[i] = (uint8_t)x;
}

struct psc_batch {
	bool active;
	unsigned int first, last; /* entry indexes */
	uint64_t gpa, end;
	bool to_private;
	unsigned int region;
};

struct psc_ctx {
	uint8_t *desc;
	const struct mem_range *ram;
	unsigned int nr_ram;
	psc_convert_fn convert;
	void *opaque;
	uint64_t entries[VMGEXIT_PSC_MAX_COUNT]; /* validated copies, index = entry index */
	struct psc_batch batch;
};

static uint8_t *entry_ptr(struct psc_ctx *c, unsigned int i)
{
	return c->desc + PSC_HDR_SIZE + (size_t)i * PSC_ENTRY_SIZE;
}

static unsigned int entry_pages(uint64_t e)
{
	return e & PSC_ENTRY_PAGESIZE_2M ? PSC_2M_PAGES : 1;
}

/* Marks entry i done: the validated copy with cur_page = its page count (sev.c
 * __snp_complete_one_psc()). */
static void complete_entry(struct psc_ctx *c, unsigned int i)
{
	uint64_t e = (c->entries[i] & ~PSC_ENTRY_CUR_PAGE_MASK) | entry_pages(c->entries[i]);

	guest_store(entry_ptr(c, i), e, PSC_ENTRY_SIZE);
}

static void set_cur_entry(struct psc_ctx *c, unsigned int i)
{
	guest_store(c->desc, i, 2); /* hdr.cur_entry only; end_entry/reserved stay the guest's */
}

/* Runs the pending conversion; on success its entries are complete and cur_entry moves
 * past them. On failure nothing of the batch is marked and cur_entry names its first. */
static int flush(struct psc_ctx *c)
{
	struct psc_batch *b = &c->batch;
	unsigned int i;
	int r;

	if (!b->active)
		return 0;
	b->active = false;
	r = c->convert(c->opaque, b->gpa, b->end - b->gpa, b->to_private);
	if (r) {
		set_cur_entry(c, b->first);
		return r < 0 ? r : -EIO;
	}
	for (i = b->first; i <= b->last; i++)
		complete_entry(c, i);
	set_cur_entry(c, b->last + 1);
	return 0;
}

/* Validation of one entry (GHCB 56421 "Page State Change"; sev.c snp_begin_psc()); true when
 * well formed. */
static bool entry_valid(const struct psc_ctx *c, uint64_t e, unsigned int *ret_region)
{
	uint64_t gfn = (e & PSC_ENTRY_GFN_MASK) >> PSC_ENTRY_GFN_SHIFT;
	unsigned int op = (e & PSC_ENTRY_OP_MASK) >> PSC_ENTRY_OP_SHIFT;
	unsigned int npages = entry_pages(e);

	if (e & PSC_ENTRY_RESERVED_MASK)
		return false;
	/* sev.c snp_begin_psc(): cur_page > npages or a misaligned 2M gfn is INVALID_ENTRY */
	if ((e & PSC_ENTRY_CUR_PAGE_MASK) > npages || gfn & (npages - 1))
		return false;
	if (op < VMGEXIT_PSC_OP_PRIVATE || op > VMGEXIT_PSC_OP_UNSMASH)
		return false;
	if (op == VMGEXIT_PSC_OP_PSMASH || op == VMGEXIT_PSC_OP_UNSMASH)
		return true;
	/* gfn < 2^40, so the byte range cannot wrap */
	return in_one_region(c->ram, c->nr_ram, gfn * PSC_PAGE_SIZE, npages * PSC_PAGE_SIZE,
			     ret_region);
}

int psc_process_descriptor(uint8_t *desc, size_t len, const struct mem_range *ram,
			   unsigned int nr_ram, psc_convert_fn convert, void *opaque,
			   uint64_t *ret_exitinfo2)
{
	struct psc_ctx c;
	unsigned int cur, end, max, i;
	uint64_t hdr;
	int r;

	assert(convert && ret_exitinfo2);
	if (!desc || len < PSC_HDR_SIZE) {
		*ret_exitinfo2 = VMGEXIT_PSC_ERROR_GENERIC; /* QEMU v3 34/49: cannot map */
		return 0;
	}
	/* The bound is what fits in the mapped bytes, as in KVM's scratch-length fix
	 * (sev.c snp_begin_psc() bounds end_entry by (ghcb_sa_len - 8) / 8, kvm-x86 2026), and
	 * never more than the GHCB maximum of 253. */
	max = (len - PSC_HDR_SIZE) / PSC_ENTRY_SIZE < VMGEXIT_PSC_MAX_COUNT
		      ? (unsigned int)((len - PSC_HDR_SIZE) / PSC_ENTRY_SIZE)
		      : VMGEXIT_PSC_MAX_COUNT;
	hdr = guest_load64(desc);
	cur = hdr & 0xffff;
	end = (hdr >> 16) & 0xffff;
	/* hdr.reserved "must be 0" (GHCB 56421 PSC header; Linux vmgexit_psc() checks it on
	 * return). KVM does not check it: we are stricter, no known guest sets it. */
	if (hdr >> 32 || end >= max) {
		*ret_exitinfo2 = VMGEXIT_PSC_ERROR_INVALID_HDR;
		return 0;
	}
	/* cur_entry > end_entry: nothing left to do, success (sev.c snp_begin_psc(), QEMU) */
	if (cur > end) {
		*ret_exitinfo2 = 0;
		return 0;
	}

	c.desc = desc;
	c.ram = ram;
	c.nr_ram = nr_ram;
	c.convert = convert;
	c.opaque = opaque;
	c.batch.active = false;

	for (i = cur; i <= end; i++) {
		uint64_t e = guest_load64(entry_ptr(&c, i));
		unsigned int op = (e & PSC_ENTRY_OP_MASK) >> PSC_ENTRY_OP_SHIFT;
		unsigned int npages = entry_pages(e);
		unsigned int done = e & PSC_ENTRY_CUR_PAGE_MASK;
		unsigned int region = 0;
		uint64_t gpa;

		c.entries[i] = e;
		if (!entry_valid(&c, e, &region)) {
			r = flush(&c);
			if (r) {
				*ret_exitinfo2 = VMGEXIT_PSC_ERROR_GENERIC;
				return r;
			}
			set_cur_entry(&c, i);
			*ret_exitinfo2 = VMGEXIT_PSC_ERROR_INVALID_ENTRY;
			return 0;
		}
		if (done == npages || op == VMGEXIT_PSC_OP_PSMASH || op == VMGEXIT_PSC_OP_UNSMASH) {
			/* Nothing to convert. PSMASH/UNSMASH change the RMP page size, which
			 * the kernel owns; upstream KVM completes them without an exit. */
			r = flush(&c);
			if (r) {
				*ret_exitinfo2 = VMGEXIT_PSC_ERROR_GENERIC;
				return r;
			}
			if (done != npages)
				complete_entry(&c, i);
			set_cur_entry(&c, i + 1);
			continue;
		}
		gpa = (((e & PSC_ENTRY_GFN_MASK) >> PSC_ENTRY_GFN_SHIFT) + done) * PSC_PAGE_SIZE;
		if (c.batch.active && !done && gpa == c.batch.end && region == c.batch.region &&
		    (op == VMGEXIT_PSC_OP_PRIVATE) == c.batch.to_private) {
			c.batch.end += (uint64_t)npages * PSC_PAGE_SIZE;
			c.batch.last = i;
			continue;
		}
		r = flush(&c);
		if (r) {
			*ret_exitinfo2 = VMGEXIT_PSC_ERROR_GENERIC;
			return r;
		}
		c.batch = (struct psc_batch){
			.active = true,
			.first = i,
			.last = i,
			.gpa = gpa,
			.end = gpa + (uint64_t)(npages - done) * PSC_PAGE_SIZE,
			.to_private = op == VMGEXIT_PSC_OP_PRIVATE,
			.region = region,
		};
	}
	r = flush(&c);
	if (r) {
		*ret_exitinfo2 = VMGEXIT_PSC_ERROR_GENERIC;
		return r;
	}
	*ret_exitinfo2 = 0;
	return 0;
}
