/* SPDX-License-Identifier: MIT */
/*
 * Page-state change requests from a running SNP guest, decoded and validated before the
 * VMM touches a memory attribute. Every value here comes from the guest and may be hostile.
 * Pure code: no kvm_run, no ioctls; the conversion itself is the caller's psc_convert_fn.
 *
 *  - upstream KVM: KVM_EXIT_HYPERCALL with nr KVM_HC_MAP_GPA_RANGE (arch/x86/kvm/svm/sev.c
 *    snp_begin_psc_msr(), snp_begin_psc(), Linux 6.11; Documentation/virt/kvm/x86/hypercalls.rst):
 *    psc_decode_map_gpa_range() + psc_map_gpa_range_ret();
 *  - v12 KVM_EXIT_VMGEXIT, PSC_MSR (one 4 KiB page; "[PATCH v12 15/29] KVM: SEV: Add support
 *    to handle Page State Change VMGEXIT", 2024-03-29): psc_decode_msr() + psc_msr_ret();
 *  - v12 KVM_EXIT_VMGEXIT, PSC (the GHCB Page State Change descriptor, GHCB spec 56421
 *    "Page State Change"; the same v12 patch, and QEMU's "[PATCH v3 34/49] i386/sev: Add
 *    KVM_EXIT_VMGEXIT handling for Page State Changes"): psc_process_descriptor().
 */
#ifndef SNPVMM_SNP_PSC_H
#define SNPVMM_SNP_PSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/ghcb.h"
#include "abi/kvm_snp.h"
#include "vmm/boot.h"

#define PSC_PAGE_SIZE 4096ULL
#define PSC_2M_PAGES  512ULL

/* The GHCB Page State Change descriptor layout, ops and replies: abi/ghcb.h. */

/* GHCBData[63:32] of the MSR-protocol PSC response on failure. v12 KVM writes
 * (ret << 32) | 0x015 (v12 15/29 snp_complete_psc_msr()); bit 31 of ret makes that
 * BIT(63) | 0x015, the value upstream KVM uses for its own errors (GHCB_MSR_PSC_RESP_ERROR,
 * arch/x86/include/asm/sev-common.h). */
#define PSC_MSR_RET_ERROR 0x80000000U

/* A validated conversion: [gpa, gpa + size) lies wholly inside ram[ram_index]. */
struct psc_request {
	uint64_t gpa;
	uint64_t size; /* bytes: > 0, a multiple of 4 KiB */
	bool to_private;
	bool hint_2m;		/* the guest's preferred page size was 2 MiB: a hint only */
	unsigned int ram_index; /* the RAM region holding the range */
};

/*
 * Decodes KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) (Documentation/virt/kvm/x86/hypercalls.rst):
 * args[0] gpa, args[1] number of 4 KiB pages, args[2] attributes.
 * Returns 0 with *ret_req filled, or:
 *   -ENOSYS  nr is not KVM_HC_MAP_GPA_RANGE (not ours to answer);
 *   -EINVAL  gpa not page aligned, npages 0, gpa + npages * 4 KiB wraps, the range is not
 *            wholly inside one RAM region, an attribute bit other than 3:0 and 4 is set,
 *            or the page size field is not 0 (4K) or 1 (2M) (1G and 3..15 are refused).
 * A 2M page size is NOT required to come with a 2M-aligned gpa or a multiple of 512
 * pages: KVM's snp_begin_psc() sends PAGE_SZ_2M for the 4K remainder of a half-done 2M
 * descriptor entry (it ORs in the first entry's pagesize, not the downgraded size), so it
 * is reported as hint_2m only.
 * args[3..5] and flags are ignored: KVM never writes them for PSC exits.
 */
int psc_decode_map_gpa_range(const struct kvm_exit_hypercall *hc, const struct mem_range *ram,
			     unsigned int nr_ram, struct psc_request *ret_req)
	__attribute__((warn_unused_result));

/* The value for hypercall.ret after decoding/converting with result err (0 or -errno):
 * 0 for 0, EAGAIN for -EAGAIN and -EINTR (transient, the guest may retry), EINVAL for
 * anything else. Always one of the three values kvm_is_valid_map_gpa_range_ret() accepts
 * (x86.c, Sagi Shahar's patch v4, 2026-03-05); any other value makes KVM_RUN fail with
 * -EINVAL. */
uint64_t psc_map_gpa_range_ret(int err);
bool psc_map_gpa_range_ret_is_valid(uint64_t ret);

/*
 * Decodes a v12 KVM_USER_VMGEXIT_PSC_MSR exit (one 4 KiB page). Returns 0 with *ret_req
 * filled, or -EINVAL for a wrong type, an op other than 1 (private) or 2 (shared), an
 * unaligned gpa, or a page outside RAM.
 */
int psc_decode_msr(const struct kvm_user_vmgexit_v12 *exit, const struct mem_range *ram,
		   unsigned int nr_ram, struct psc_request *ret_req)
	__attribute__((warn_unused_result));

/* The value for vmgexit.psc_msr.ret: 0 for err == 0, PSC_MSR_RET_ERROR otherwise (a Linux
 * guest accepts only GHCBData[63:32] == 0: arch/x86/coco/sev/core.c
 * early_set_pages_state(), Linux 6.11). */
uint32_t psc_msr_ret(int err);

/* Performs one conversion (KVM_SET_MEMORY_ATTRIBUTES, discard, page-state map update).
 * Returns 0 or -errno; the range is page aligned and wholly inside one RAM region. */
typedef int (*psc_convert_fn)(void *opaque, uint64_t gpa, uint64_t size, bool to_private);

/*
 * Serves a v12 KVM_USER_VMGEXIT_PSC exit: processes the GHCB PSC descriptor at `desc`
 * (the host mapping of psc.shared_gpa) of which `len` bytes are mapped (at most up to the
 * end of its page: 4096 - (shared_gpa & 0xfff)). Only those bytes are ever read or written,
 * and every guest field is read exactly once into a local before use (the guest may change
 * the shared page concurrently).
 *
 * Always writes *ret_exitinfo2 (the value for psc.ret, copied to SW_EXITINFO2):
 *   0                       entries cur_entry..end_entry done, hdr.cur_entry = end_entry + 1
 *                           (also when cur_entry > end_entry: nothing to do, as KVM does);
 *   INVALID_HDR             header reserved != 0, or end_entry >= the entries that fit
 *                           (min(253, (len - 8) / 8));
 *   INVALID_ENTRY           an entry with reserved bits 63:57 set, cur_page > its page
 *                           count, a 2M gfn not 512-aligned, an op other than 1..4, or (ops
 *                           1, 2) a range not wholly inside one RAM region;
 *   GENERIC                 desc NULL or len < 8, or a conversion failed.
 * Progress is written back as the GHCB spec's resumable protocol expects (GHCB 56421 "Page
 * State Change"; upstream sev.c __snp_complete_one_psc() does the same; the Linux guest's
 * vmgexit_psc(), arch/x86/coco/sev/core.c in 6.11, re-issues while cur_entry <= end_entry):
 * a completed entry gets cur_page = 1 (4K) or 512 (2M) and hdr.cur_entry moves past
 * it; on an error hdr.cur_entry names the first entry not completed and that entry is left
 * untouched. A resumed entry (0 < cur_page < its count) converts only its remaining pages.
 * Contiguous entries with the same op in the same RAM region become one conversion.
 * Ops 3 (PSMASH) and 4 (UNSMASH) are completed without a conversion, as upstream KVM does.
 * Entries are applied strictly in order; repeated or overlapping entries are not an error
 * (KVM does not check either) and the later entry wins.
 *
 * Returns 0, or the convert callback's -errno (the reply is then GENERIC) so the caller
 * can tell a host failure from a guest's bad request. -EIO if the callback returned > 0.
 */
int psc_process_descriptor(uint8_t *desc, size_t len, const struct mem_range *ram,
			   unsigned int nr_ram, psc_convert_fn convert, void *opaque,
			   uint64_t *ret_exitinfo2) __attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_PSC_H */
