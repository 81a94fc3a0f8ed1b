// SPDX-License-Identifier: MIT
/*
 * QEMU + OVMF launch order (sev-snp-measure guest.py
 * snp_calc_launch_digest; QEMU sev_snp_launch_finish / snp_populate_metadata_pages).
 */
#include "snp/qemu_layout.h"

#include <errno.h>
#include <string.h>

#define FOUR_GIB 0x100000000ull
#define PAGE_4K	 4096u

static int check_firmware(const uint8_t *fw, size_t len, struct diag *d)
{
	if (!fw || len == 0)
		return diag_fail(d, -EINVAL, "firmware image is empty");
	/* QEMU maps -bios so that it ends at 4 GiB; the pages must be whole. */
	if (len % PAGE_4K)
		return diag_fail(d, -EINVAL, "firmware size %zu is not a multiple of 4096", len);
	if ((uint64_t)len > FOUR_GIB)
		return diag_fail(d, -EINVAL, "firmware size %zu is larger than 4 GiB", len);
	return 0;
}

static int add_firmware(const uint8_t *fw, size_t len, struct launch_digest *ld, struct diag *d)
{
	int r = launch_digest_add_normal_pages(ld, FOUR_GIB - len, fw, len);

	if (r < 0)
		return diag_fail(d, r, "hashing the firmware pages failed");
	return 0;
}

int qemu_layout_ovmf_hash(const uint8_t *firmware, size_t len, struct launch_digest *ld,
			  struct diag *d)
{
	int r = check_firmware(firmware, len, d);

	if (r < 0)
		return r;
	return add_firmware(firmware, len, ld, d);
}

static int add_firmware_source(const struct byte_source *src, struct launch_digest *ld,
			       struct diag *d)
{
	int r = launch_digest_add_normal_source(ld, FOUR_GIB - src->size, src, 0, src->size, d);

	if (r < 0 && d && !d->msg[0])
		return diag_fail(d, r, "hashing the firmware pages failed");
	return r;
}

int qemu_layout_ovmf_hash_source(const struct byte_source *firmware, struct launch_digest *ld,
				 struct diag *d)
{
	/* check_firmware() looks at the size only (and that there is something). */
	int r = check_firmware((const uint8_t *)"", (size_t)firmware->size, d);

	if (r < 0)
		return r;
	return add_firmware_source(firmware, ld, d);
}

/* Everything that can be wrong with the inputs, found before any hashing. */
static int check_params(const struct qemu_layout_params *p, const struct ovmf_info *fw,
			struct diag *d)
{
	const struct ovmf_section *s;
	uint32_t i;

	if (p->vcpus < 1 || p->vcpus > QEMU_LAYOUT_MAX_VCPUS)
		return diag_fail(d, -EINVAL, "vcpus must be 1..%u, not %u", QEMU_LAYOUT_MAX_VCPUS,
				 p->vcpus);
	if (!fw->has_reset_eip)
		return diag_fail(d, -ENOEXEC,
				 "firmware has no SEV-ES reset block (00f771de-...) in its footer "
				 "table");
	/* QEMU sets the AP reset vector only when OVMF provides one (sev_es_set_reset_vector);
	 * sev-snp-measure then builds no AP VMSA. */
	if (p->vcpus > 1 && fw->reset_eip == 0)
		return diag_fail(d, -EINVAL,
				 "firmware SEV-ES reset EIP is 0: cannot start %u vCPUs", p->vcpus);
	for (i = 0; i < fw->nr_sections; i++) {
		s = &fw->sections[i];
		switch (s->type) {
		case OVMF_SECTION_SNP_SEC_MEM:
		case OVMF_SECTION_SNP_SECRETS:
		case OVMF_SECTION_CPUID:
		case OVMF_SECTION_SVSM_CAA:
			break;
		case OVMF_SECTION_SNP_KERNEL_HASHES:
			/* sev-snp-measure asserts the section is exactly the hashes page. */
			if (p->hashes && s->size != PAGE_4K)
				return diag_fail(d, -EINVAL,
						 "SNP_KERNEL_HASHES section at 0x%x is 0x%x bytes, "
						 "not one page",
						 s->gpa, s->size);
			break;
		default:
			return diag_fail(d, -EINVAL,
					 "unknown OVMF SEV metadata section type 0x%x (section %u)",
					 s->type, i);
		}
	}
	if (p->hashes) {
		if (!ovmf_has_section(fw, OVMF_SECTION_SNP_KERNEL_HASHES))
			return diag_fail(
				d, -EINVAL,
				"a kernel was given but the firmware's SEV metadata has no "
				"SNP_KERNEL_HASHES section");
		if (!fw->has_hashes_table)
			return diag_fail(
				d, -EINVAL,
				"a kernel was given but the firmware has no SEV hash table "
				"entry (7255371f-...)");
		if ((fw->hashes_table_base & (PAGE_4K - 1)) > PAGE_4K - SEV_HASH_TABLE_PADDED)
			return diag_fail(d, -EINVAL,
					 "SEV hash table at 0x%x does not fit in its page",
					 fw->hashes_table_base);
	}
	return 0;
}

static int parse_checked(const struct qemu_layout_params *p, struct ovmf_info *fw, struct diag *d)
{
	int r;

	r = check_firmware(p->firmware, p->firmware_len, d);
	if (r < 0)
		return r;
	r = ovmf_parse(p->firmware, p->firmware_tail_len ? p->firmware_tail_len : p->firmware_len,
		       fw, d);
	if (r < 0)
		return r;
	return check_params(p, fw, d);
}

static int build_hashes_page(const struct qemu_layout_params *p, const struct ovmf_info *fw,
			     uint8_t page[PAGE_4K])
{
	/* The table goes at its offset within the page; the page is measured at the section
	 * GPA, not the table base (sev_hashes.py; QEMU target/i386/sev.c). check_params() made
	 * it fit. */
	return sev_hashes_page(p->hashes, fw->hashes_table_base & (PAGE_4K - 1), page);
}

static int add_section(const struct qemu_layout_params *p, const struct ovmf_info *fw,
		       const struct ovmf_section *s, struct launch_digest *ld)
{
	uint8_t page[PAGE_4K];
	int r;

	switch (s->type) {
	case OVMF_SECTION_SNP_SEC_MEM:
		/* gce launches SEC_MEM as UNMEASURED (sev-snp-measure guest.py
		 * snp_update_metadata_pages()). */
		if (p->vmm == SNP_VMM_GCE)
			return launch_digest_add_unmeasured_pages(ld, s->gpa, s->size);
		return launch_digest_add_zero_pages(ld, s->gpa, s->size);
	case OVMF_SECTION_SNP_SECRETS:
		/* One page whatever the size (sev-snp-measure update_secrets_page). */
		return launch_digest_add_secrets_page(ld, s->gpa);
	case OVMF_SECTION_CPUID:
		/* ec2 measures the CPUID page after all other sections. */
		if (p->vmm == SNP_VMM_EC2)
			return 0;
		return launch_digest_add_cpuid_page(ld, s->gpa);
	case OVMF_SECTION_SVSM_CAA:
		return launch_digest_add_zero_pages(ld, s->gpa, s->size);
	case OVMF_SECTION_SNP_KERNEL_HASHES:
		if (!p->hashes)
			return launch_digest_add_zero_pages(ld, s->gpa, s->size);
		r = build_hashes_page(p, fw, page);
		if (r < 0)
			return r;
		return launch_digest_add_page(ld, SNP_PAGE_NORMAL, s->gpa, page);
	}
	return -EINVAL;
}

static void build_vmsa(const struct qemu_layout_params *p, const struct ovmf_info *fw,
		       unsigned int index, uint8_t page[VMSA_PAGE_SIZE])
{
	uint32_t eip = index == 0 ? VMSA_BSP_EIP : fw->reset_eip;

	vmsa_build_qemu_model(p->vmm, eip, p->guest_features, p->vcpu_sig, page);
}

int qemu_layout_measure(const struct qemu_layout_params *p, struct launch_digest *ld,
			struct diag *d)
{
	struct ovmf_info fw;
	uint8_t bsp[VMSA_PAGE_SIZE], ap[VMSA_PAGE_SIZE];
	unsigned int i;
	int r;

	r = parse_checked(p, &fw, d);
	if (r < 0)
		return r;

	/* 1. Firmware, or the precomputed LD that stands for it (sev-snp-measure
	 * --snp-ovmf-hash, mode snp:ovmf-hash). */
	if (p->ovmf_hash) {
		memcpy(ld->ld, p->ovmf_hash, SNP_LD_SIZE);
	} else {
		r = p->firmware_source ? add_firmware_source(p->firmware_source, ld, d)
				       : add_firmware(p->firmware, p->firmware_len, ld, d);
		if (r < 0)
			return r;
	}

	/* 2. Metadata sections in table order; 2b. ec2's deferred CPUID pages. */
	for (i = 0; i < fw.nr_sections; i++) {
		r = add_section(p, &fw, &fw.sections[i], ld);
		if (r < 0)
			return diag_fail(
				d, r, "measuring SEV metadata section %u (%s at 0x%x) failed", i,
				ovmf_section_type_name(fw.sections[i].type), fw.sections[i].gpa);
	}
	if (p->vmm == SNP_VMM_EC2) {
		for (i = 0; i < fw.nr_sections; i++) {
			if (fw.sections[i].type != OVMF_SECTION_CPUID)
				continue;
			r = launch_digest_add_cpuid_page(ld, fw.sections[i].gpa);
			if (r < 0)
				return diag_fail(d, r, "measuring the CPUID page failed");
		}
	}

	/* 3. One VMSA per vCPU: the BSP, then identical APs. */
	build_vmsa(p, &fw, 0, bsp);
	if (p->vcpus > 1)
		build_vmsa(p, &fw, 1, ap);
	for (i = 0; i < p->vcpus; i++) {
		r = launch_digest_add_vmsa(ld, i == 0 ? bsp : ap);
		if (r < 0)
			return diag_fail(d, r, "measuring the VMSA of vCPU %u failed", i);
	}
	return 0;
}

int qemu_layout_vmsa(const struct qemu_layout_params *p, unsigned int index,
		     uint8_t page[VMSA_PAGE_SIZE], struct diag *d)
{
	struct ovmf_info fw;
	int r;

	r = parse_checked(p, &fw, d);
	if (r < 0)
		return r;
	if (index >= p->vcpus)
		return diag_fail(d, -EINVAL, "vCPU %u does not exist (%u vCPUs)", index, p->vcpus);
	build_vmsa(p, &fw, index, page);
	return 0;
}

int qemu_layout_hashes_page(const struct qemu_layout_params *p, uint8_t page[4096], struct diag *d)
{
	struct ovmf_info fw;
	int r;

	if (!p->hashes)
		return diag_fail(d, -EINVAL, "no kernel: there is no hashes page");
	r = parse_checked(p, &fw, d);
	if (r < 0)
		return r;
	r = build_hashes_page(p, &fw, page);
	if (r < 0)
		return diag_fail(d, r, "SEV hash table does not fit in its page");
	return 0;
}
