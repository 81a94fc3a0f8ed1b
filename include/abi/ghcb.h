/* SPDX-License-Identifier: MIT */
/*
 * Guest-hypervisor communication block (GHCB) facts shared by the VMM, which decodes what
 * a guest sends, and the measured boot stage (src/stage/), which sends it: the GHCB MSR
 * protocol, the GHCB page offsets, the page-state-change (PSC) descriptor and the
 * termination request. Numbers and layouts are facts of the GHCB specification (AMD
 * 56421, "GHCB MSR protocol", "Page State Change", "Termination Request") as Linux writes
 * them down in arch/x86/include/asm/sev-common.h and struct ghcb in asm/svm.h, and as KVM
 * reads them in arch/x86/kvm/svm/sev.c (sev_handle_vmgexit_msr_protocol(), snp_begin_psc()).
 *
 * Only <stdint.h>: the freestanding stage includes this header too.
 */
#ifndef SNPVMM_ABI_GHCB_H
#define SNPVMM_ABI_GHCB_H

#include <stdint.h>

/* ---- GHCB MSR protocol (MSR 0xC001_0130): GHCBData[11:0] is the request code ---- */
#define GHCB_MSR		 0xC0010130u
#define GHCB_MSR_INFO_MASK	 0xfffULL
#define GHCB_MSR_REG_GPA_REQ	 0x012ULL /* GHCBData[63:12] = GFN of the GHCB page */
#define GHCB_MSR_REG_GPA_RESP	 0x013ULL /* GHCBData[63:12] = the same GFN on success */
#define GHCB_MSR_TERM_REQ	 0x100ULL
#define GHCB_MSR_TERM_SET_SHIFT	 12 /* GHCBData[15:12] reason code set */
#define GHCB_MSR_TERM_CODE_SHIFT 16 /* GHCBData[23:16] reason code */
#define GHCB_MSR_TERM(set, code)                                                  \
	(GHCB_MSR_TERM_REQ | ((uint64_t)((set)&0xf) << GHCB_MSR_TERM_SET_SHIFT) | \
	 ((uint64_t)((code)&0xff) << GHCB_MSR_TERM_CODE_SHIFT))

/* SEV_STATUS (MSR 0xC001_0131, "MSR_AMD64_SEV" in Linux): bit 0 SEV, 1 SEV-ES, 2 SNP. */
#define MSR_SEV_STATUS	       0xC0010131u
#define SEV_STATUS_SNP_ENABLED (1ULL << 2)

/* ---- The GHCB page (struct ghcb, arch/x86/include/asm/svm.h; 4096 bytes) ---- */
#define GHCB_PAGE_SIZE		     4096u
#define GHCB_SW_EXIT_CODE_OFFSET     0x390u
#define GHCB_SW_EXITINFO1_OFFSET     0x398u
#define GHCB_SW_EXITINFO2_OFFSET     0x3a0u
#define GHCB_SW_SCRATCH_OFFSET	     0x3a8u
#define GHCB_VALID_BITMAP_OFFSET     0x3f0u /* one bit per 8-byte field of the save area */
#define GHCB_SHARED_BUFFER_OFFSET    0x800u
#define GHCB_SHARED_BUFFER_SIZE	     0x7f0u
#define GHCB_PROTOCOL_VERSION_OFFSET 0xffau /* u16 */
#define GHCB_USAGE_OFFSET	     0xffcu /* u32, 0 = the standard format */
#define GHCB_PROTOCOL_VERSION	     2u	    /* SNP needs version 2 */
/* A field's bit in the valid bitmap is its offset / 8 (KVM's kvm_ghcb_*_is_valid()). */
#define GHCB_VALID_BIT(offset)	     ((offset) / 8u)

/* SW_EXITCODE of the page-state-change NAE (SVM_VMGEXIT_PSC, asm/uapi svm.h). */
#define SVM_VMGEXIT_PSC 0x80000010ULL

/* ---- Page State Change descriptor (in the GHCB shared buffer; packed, little-endian) ---- */
#define PSC_HDR_SIZE	      8 /* u16 cur_entry, u16 end_entry (inclusive), u32 reserved (0) */
#define PSC_ENTRY_SIZE	      8
/* The GHCB-defined maximum: 8 + 253 * 8 = 0x7f0, exactly the shared buffer
 * (sev-common.h VMGEXIT_PSC_MAX_COUNT). */
#define VMGEXIT_PSC_MAX_COUNT 253

#define PSC_ENTRY_CUR_PAGE_MASK 0x0000000000000fffULL /* bits 11:0  */
#define PSC_ENTRY_GFN_MASK	0x000ffffffffff000ULL /* bits 51:12 */
#define PSC_ENTRY_GFN_SHIFT	12
#define PSC_ENTRY_OP_MASK	0x00f0000000000000ULL /* bits 55:52 */
#define PSC_ENTRY_OP_SHIFT	52
#define PSC_ENTRY_PAGESIZE_2M	0x0100000000000000ULL /* bit 56 */
#define PSC_ENTRY_RESERVED_MASK 0xfe00000000000000ULL /* bits 63:57 */

#define VMGEXIT_PSC_OP_PRIVATE 1
#define VMGEXIT_PSC_OP_SHARED  2
#define VMGEXIT_PSC_OP_PSMASH  3 /* COCONUT-SVSM PSC_OP_PSMASH */
#define VMGEXIT_PSC_OP_UNSMASH 4

/* SW_EXITINFO2 replies to a PSC (sev-common.h). 0 = success. */
#define VMGEXIT_PSC_ERROR_GENERIC	(0x100ULL << 32)
#define VMGEXIT_PSC_ERROR_INVALID_HDR	((1ULL << 32) | 1)
#define VMGEXIT_PSC_ERROR_INVALID_ENTRY ((1ULL << 32) | 2)

/* ---- PVALIDATE (AMD APM Vol. 3 "PVALIDATE"): RAX return codes; CF = 1 means the RMP
 * entry already had the requested Validated state and was not changed ---- */
#define PVALIDATE_OK		    0
#define PVALIDATE_FAIL_INPUT	    1
#define PVALIDATE_FAIL_SIZEMISMATCH 6
#define PVALIDATE_PAGE_4K	    0
#define PVALIDATE_PAGE_2M	    1

#endif /* SNPVMM_ABI_GHCB_H */
