/* SPDX-License-Identifier: MIT */
/*
 * The SEV-ES/SNP save area (VMSA) and the two ways snpvmm predicts it:
 *
 *  - vmsa_from_kvm_state(): what upstream KVM's sev_es_sync_vmsa() writes for a vCPU whose
 *    state was set through KVM_SET_{REGS,SREGS,FPU,XCRS,MSRS} on a freshly created vCPU
 *    (arch/x86/kvm/svm/sev.c sev_es_sync_vmsa(), svm.c svm_set_segment/cr0/cr4/efer(),
 *    init_vmcb(), x86.c __set_sregs_common(), kvm_vcpu_reset(); Linux 6.11). Used by the
 *    simulated SNP host and by the VMM's own measurement, so both agree by construction.
 *  - vmsa_build_qemu_model(): sev-snp-measure's VMSA.build_save_area() for --vmm-type
 *    QEMU, ec2 and gce (sevsnpmeasure/vmsa.py).
 *
 * Layout: arch/x86/include/asm/svm.h struct sev_es_save_area (0x670 bytes); the rest of
 * the 4 KiB page is zero.
 */
#ifndef SNPVMM_SNP_VMSA_H
#define SNPVMM_SNP_VMSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/backend.h"

#define VMSA_PAGE_SIZE 4096u

/* struct vmcb_seg (arch/x86/include/asm/svm.h). */
struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib; /* type | S<<4 | DPL<<5 | P<<7 | AVL<<8 | L<<9 | DB<<10 | G<<11 */
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct sev_es_save_area {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x000 */
	uint64_t vmpl0_ssp;					      /* 0x0A0 */
	uint64_t vmpl1_ssp;
	uint64_t vmpl2_ssp;
	uint64_t vmpl3_ssp;
	uint64_t u_cet; /* 0x0C0 */
	uint8_t reserved_0xc8[2];
	uint8_t vmpl; /* 0x0CA */
	uint8_t cpl;  /* 0x0CB */
	uint8_t reserved_0xcc[4];
	uint64_t efer; /* 0x0D0 */
	uint8_t reserved_0xd8[104];
	uint64_t xss;	 /* 0x140 */
	uint64_t cr4;	 /* 0x148 */
	uint64_t cr3;	 /* 0x150 */
	uint64_t cr0;	 /* 0x158 */
	uint64_t dr7;	 /* 0x160 */
	uint64_t dr6;	 /* 0x168 */
	uint64_t rflags; /* 0x170 */
	uint64_t rip;	 /* 0x178 */
	uint64_t dr0, dr1, dr2, dr3;
	uint64_t dr0_addr_mask, dr1_addr_mask, dr2_addr_mask, dr3_addr_mask;
	uint8_t reserved_0x1c0[24];
	uint64_t rsp; /* 0x1D8 */
	uint64_t s_cet;
	uint64_t ssp;
	uint64_t isst_addr;
	uint64_t rax; /* 0x1F8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2; /* 0x240 */
	uint8_t reserved_0x248[32];
	uint64_t g_pat;	 /* 0x268 */
	uint64_t dbgctl; /* 0x270 */
	uint64_t br_from, br_to, last_excp_from, last_excp_to;
	uint8_t reserved_0x298[72];
	uint64_t spec_ctrl; /* 0x2E0: vmcb_save_area.spec_ctrl, copied by sev_es_sync_vmsa() */
	uint32_t pkru;	    /* 0x2E8 */
	uint32_t tsc_aux;   /* 0x2EC */
	uint64_t tsc_scale, tsc_offset;
	uint64_t reserved_0x300;
	uint64_t rcx, rdx, rbx; /* 0x308 */
	uint64_t reserved_0x320;
	uint64_t rbp, rsi, rdi; /* 0x328 */
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint8_t reserved_0x380[16];
	uint64_t guest_exit_info_1, guest_exit_info_2, guest_exit_int_info, guest_nrip;
	uint64_t sev_features; /* 0x3B0 */
	uint64_t vintr_ctrl;   /* 0x3B8 */
	uint64_t guest_exit_code;
	uint64_t virtual_tom; /* 0x3C8 */
	uint64_t tlb_id, pcpu_id, event_inj;
	uint64_t xcr0; /* 0x3E8 */
	uint8_t reserved_0x3f0[16];
	uint64_t x87_dp;  /* 0x400 */
	uint32_t mxcsr;	  /* 0x408 */
	uint16_t x87_ftw; /* 0x40C: abridged FXSAVE tag */
	uint16_t x87_fsw;
	uint16_t x87_fcw; /* 0x410 */
	uint16_t x87_fop;
	uint16_t x87_ds;
	uint16_t x87_cs;
	uint64_t x87_rip;	/* 0x418 */
	uint8_t fpreg_x87[80];	/* 0x420: 8 x 8-byte low parts, then 8 x 2-byte high parts */
	uint8_t fpreg_xmm[256]; /* 0x470 */
	uint8_t fpreg_ymm[256]; /* 0x570 */
} __attribute__((packed));

#define VMSA_CHECK_OFF(f, off) \
	_Static_assert(offsetof(struct sev_es_save_area, f) == (off), "VMSA " #f)
_Static_assert(sizeof(struct vmcb_seg) == 16, "vmcb_seg");
_Static_assert(sizeof(struct sev_es_save_area) == 0x670, "sev_es_save_area size");
VMSA_CHECK_OFF(cs, 0x010);
VMSA_CHECK_OFF(ss, 0x020);
VMSA_CHECK_OFF(gdtr, 0x060);
VMSA_CHECK_OFF(ldtr, 0x070);
VMSA_CHECK_OFF(idtr, 0x080);
VMSA_CHECK_OFF(tr, 0x090);
VMSA_CHECK_OFF(vmpl0_ssp, 0x0A0);
VMSA_CHECK_OFF(u_cet, 0x0C0);
VMSA_CHECK_OFF(vmpl, 0x0CA);
VMSA_CHECK_OFF(cpl, 0x0CB);
VMSA_CHECK_OFF(efer, 0x0D0);
VMSA_CHECK_OFF(xss, 0x140);
VMSA_CHECK_OFF(cr4, 0x148);
VMSA_CHECK_OFF(cr3, 0x150);
VMSA_CHECK_OFF(cr0, 0x158);
VMSA_CHECK_OFF(dr7, 0x160);
VMSA_CHECK_OFF(dr6, 0x168);
VMSA_CHECK_OFF(rflags, 0x170);
VMSA_CHECK_OFF(rip, 0x178);
VMSA_CHECK_OFF(dr0, 0x180);
VMSA_CHECK_OFF(rsp, 0x1D8);
VMSA_CHECK_OFF(s_cet, 0x1E0);
VMSA_CHECK_OFF(isst_addr, 0x1F0);
VMSA_CHECK_OFF(rax, 0x1F8);
VMSA_CHECK_OFF(star, 0x200);
VMSA_CHECK_OFF(sysenter_eip, 0x238);
VMSA_CHECK_OFF(cr2, 0x240);
VMSA_CHECK_OFF(g_pat, 0x268);
VMSA_CHECK_OFF(dbgctl, 0x270);
VMSA_CHECK_OFF(spec_ctrl, 0x2E0);
VMSA_CHECK_OFF(pkru, 0x2E8);
VMSA_CHECK_OFF(tsc_aux, 0x2EC);
VMSA_CHECK_OFF(tsc_scale, 0x2F0);
VMSA_CHECK_OFF(rcx, 0x308);
VMSA_CHECK_OFF(rdx, 0x310);
VMSA_CHECK_OFF(rbx, 0x318);
VMSA_CHECK_OFF(rbp, 0x328);
VMSA_CHECK_OFF(rsi, 0x330);
VMSA_CHECK_OFF(rdi, 0x338);
VMSA_CHECK_OFF(r8, 0x340);
VMSA_CHECK_OFF(r15, 0x378);
VMSA_CHECK_OFF(sev_features, 0x3B0);
VMSA_CHECK_OFF(vintr_ctrl, 0x3B8);
VMSA_CHECK_OFF(virtual_tom, 0x3C8);
VMSA_CHECK_OFF(xcr0, 0x3E8);
VMSA_CHECK_OFF(x87_dp, 0x400);
VMSA_CHECK_OFF(mxcsr, 0x408);
VMSA_CHECK_OFF(x87_ftw, 0x40C);
VMSA_CHECK_OFF(x87_fcw, 0x410);
VMSA_CHECK_OFF(x87_ds, 0x414);
VMSA_CHECK_OFF(x87_rip, 0x418);
VMSA_CHECK_OFF(fpreg_x87, 0x420);
VMSA_CHECK_OFF(fpreg_xmm, 0x470);
VMSA_CHECK_OFF(fpreg_ymm, 0x570);

/* ---- (a) KVM's sev_es_sync_vmsa() model ---- */

/* Facts about the host and VM that change the VMSA KVM writes (svm.c svm_set_cr0/cr4(),
 * svm_set_msr()). */
struct vmsa_host_facts {
	bool cr4_mce;		   /* host CR4.MCE: svm_set_cr4() ORs it into the guest CR4 */
	bool cd_nw_quirk_disabled; /* KVM_X86_QUIRK_CD_NW_CLEARED disabled by the VMM */
	bool lbrv;		   /* kvm_amd lbrv=1: MSR_IA32_DEBUGCTLMSR reaches dbgctl */
	bool v_spec_ctrl;	   /* X86_FEATURE_V_SPEC_CTRL: SPEC_CTRL reaches 0x2E0 */
};

/*
 * The VMSA page KVM measures at KVM_SEV_SNP_LAUNCH_FINISH for a vCPU created by
 * KVM_CREATE_VCPU and then given the parts of *st flagged in st->valid, in the backend's
 * order (SREGS, REGS, FPU, XCRS, MSRS), once. Parts not flagged keep KVM's reset values.
 * host may be NULL (= a normal host: CR4.MCE, quirk on, no lbrv, no V_SPEC_CTRL).
 * vmsa_features is KVM_SEV_INIT2's value; SNPActive is added as KVM does.
 *
 * Returns -EINVAL for a state KVM itself rejects (KVM_SET_SREGS/XCRS/MSRS validity rules
 * that do not depend on guest CPUID), with page untouched.
 */
int vmsa_from_kvm_state(const struct vcpu_state *st, uint64_t vmsa_features,
			const struct vmsa_host_facts *host, uint8_t page[VMSA_PAGE_SIZE])
	__attribute__((warn_unused_result));

/* KVM's vCPU reset state (kvm_vcpu_reset + init_vmcb) expressed as a vcpu_state with every
 * part valid, as KVM_GET_* would report it (before any normalisation of GET_SREGS). */
void vmsa_kvm_reset_state(struct vcpu_state *ret_st);

/* ---- (b) sev-snp-measure's model ---- */

enum snp_vmm_type {
	SNP_VMM_QEMU,
	SNP_VMM_EC2,
	SNP_VMM_GCE,
};

/* "QEMU", "ec2", "gce" (sev-snp-measure's spelling, case-sensitive). -EINVAL otherwise. */
int snp_vmm_type_parse(const char *name, enum snp_vmm_type *ret_type)
	__attribute__((warn_unused_result));
const char *snp_vmm_type_name(enum snp_vmm_type type);

/* The reset EIP of the boot CPU. */
#define VMSA_BSP_EIP 0xFFFFFFF0u

/* sev-snp-measure VMSA.build_save_area(eip, sev_features, vcpu_sig, vmm_type): eip is
 * VMSA_BSP_EIP for vCPU 0 and the OVMF SEV-ES reset-block EIP for the APs. vcpu_sig is
 * used only for QEMU (ec2/gce put KVM's reset RDX 0x600 there). */
void vmsa_build_qemu_model(enum snp_vmm_type vmm, uint32_t eip, uint64_t sev_features,
			   uint32_t vcpu_sig, uint8_t page[VMSA_PAGE_SIZE]);

#endif /* SNPVMM_SNP_VMSA_H */
