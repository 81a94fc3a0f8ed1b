/* SPDX-License-Identifier: MIT */
/*
 * The launch digest of a QEMU + OVMF SNP guest, as sev-snp-measure computes it
 * (sevsnpmeasure/guest.py snp_calc_launch_digest(), the order QEMU's target/i386/sev.c
 * sev_snp_launch_finish() replays): firmware NORMAL pages at 4 GiB - size, the OVMF SEV
 * metadata sections in table order, then one VMSA per vCPU.
 */
#ifndef SNPVMM_SNP_QEMU_LAYOUT_H
#define SNPVMM_SNP_QEMU_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snp/launch_digest.h"
#include "snp/ovmf.h"
#include "snp/sev_hashes.h"
#include "snp/vmsa.h"
#include "util/diag.h"

/* KVM_MAX_VCPUS on x86 (arch/x86/include/asm/kvm_host.h). */
#define QEMU_LAYOUT_MAX_VCPUS 4096u

struct qemu_layout_params {
	const uint8_t *firmware; /* the whole -bios image, or its tail (below) */
	size_t firmware_len;	 /* the image's size */
	/* Streaming (`snpvmm measure`): the pages are read from firmware_source, and
	 * `firmware` holds only the image's last firmware_tail_len bytes, where the footer
	 * table and the SEV metadata are (a structure outside them is -EINVAL, as outside
	 * the image). 0 / NULL: `firmware` is the whole image. */
	const struct byte_source *firmware_source;
	size_t firmware_tail_len;
	unsigned int vcpus;
	uint32_t vcpu_sig;	 /* QEMU RDX; unused for ec2/gce */
	uint64_t guest_features; /* VMSA SEV_FEATURES (sev-snp-measure --guest-features) */
	enum snp_vmm_type vmm;
	const struct sev_hashes *hashes; /* NULL: no -kernel */
	/* --snp-ovmf-hash: the LD after the firmware pages, replacing their measurement.
	 * NULL to hash the firmware. */
	const uint8_t *ovmf_hash;
};

/*
 * --mode snp. ld must be initialised by the caller (launch_digest_init(ld, NULL)) and may
 * carry a trace hook; it is re-seeded here when p->ovmf_hash is set. On error *d names the
 * problem: -ENOEXEC/-EINVAL bad firmware, -EINVAL bad parameters (kernel without a hashes
 * section, vcpus > 1 without an AP reset EIP, unknown section type, ...).
 */
int qemu_layout_measure(const struct qemu_layout_params *p, struct launch_digest *ld,
			struct diag *d) __attribute__((warn_unused_result));

/* --mode snp:ovmf-hash: only the firmware pages (the value for --snp-ovmf-hash). */
int qemu_layout_ovmf_hash(const uint8_t *firmware, size_t len, struct launch_digest *ld,
			  struct diag *d) __attribute__((warn_unused_result));
/* The same, streamed from a source. */
int qemu_layout_ovmf_hash_source(const struct byte_source *firmware, struct launch_digest *ld,
				 struct diag *d) __attribute__((warn_unused_result));

/* The VMSA that qemu_layout_measure() measures for vCPU `index`. */
int qemu_layout_vmsa(const struct qemu_layout_params *p, unsigned int index,
		     uint8_t page[VMSA_PAGE_SIZE], struct diag *d)
	__attribute__((warn_unused_result));

/* The page measured for the SNP_KERNEL_HASHES section (p->hashes must be set). */
int qemu_layout_hashes_page(const struct qemu_layout_params *p, uint8_t page[4096], struct diag *d)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_QEMU_LAYOUT_H */
