// SPDX-License-Identifier: MIT
/*
 * VMSA builders. The KVM model follows arch/x86/kvm/svm/sev.c sev_es_sync_vmsa() and the
 * svm.c/x86.c functions that fill vmcb->save and vcpu->arch (Linux 6.11+, read in the
 * 6.14-6.17 sources, where these functions agree); the sev-snp-measure model follows
 * sevsnpmeasure/vmsa.py VMSA.build_save_area().
 */
#include "snp/vmsa.h"

#include <errno.h>
#include <string.h>

#define X86_CR0_PE   (1ull << 0)
#define X86_CR0_ET   (1ull << 4)
#define X86_CR0_NW   (1ull << 29)
#define X86_CR0_CD   (1ull << 30)
#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_PAE  (1ull << 5)
#define X86_CR4_MCE  (1ull << 6)
#define EFER_LME     (1ull << 8)
#define EFER_LMA     (1ull << 10)
#define EFER_SVME    (1ull << 12)
#define XFEATURE_FP  (1ull << 0)
#define XFEATURE_SSE (1ull << 1)
#define XFEATURE_YMM (1ull << 2)

#define MSR_IA32_SPEC_CTRL	  0x00000048u
#define MSR_IA32_SYSENTER_CS	  0x00000174u
#define MSR_IA32_SYSENTER_ESP	  0x00000175u
#define MSR_IA32_SYSENTER_EIP	  0x00000176u
#define MSR_IA32_DEBUGCTLMSR	  0x000001D9u
#define MSR_IA32_CR_PAT		  0x00000277u
#define MSR_IA32_XSS		  0x00000DA0u
#define MSR_EFER		  0xC0000080u
#define MSR_STAR		  0xC0000081u
#define MSR_LSTAR		  0xC0000082u
#define MSR_CSTAR		  0xC0000083u
#define MSR_SYSCALL_MASK	  0xC0000084u
#define MSR_FS_BASE		  0xC0000100u
#define MSR_GS_BASE		  0xC0000101u
#define MSR_KERNEL_GS_BASE	  0xC0000102u
#define MSR_IA32_CR_PAT_DEFAULT	  0x0007040600070406ull
#define DR6_ACTIVE_LOW		  0xFFFF0FF0ull
#define DR7_FIXED_1		  0x400ull
#define X86_EFLAGS_FIXED	  0x2ull
#define KVM_RESET_RDX		  0x600ull /* kvm_vcpu_reset(): CPUID.1.EAX, no CPUID yet */
#define FPU_FCW_DEFAULT		  0x037F
#define MXCSR_DEFAULT		  0x1F80
#define XCR_XFEATURE_ENABLED_MASK 0

/* svm.c svm_set_segment() packing. `unusable` clears only P. */
static struct vmcb_seg seg_from_kvm(const struct kvm_segment *s)
{
	struct vmcb_seg v = {
		.selector = s->selector,
		.limit = s->limit,
		.base = s->base,
	};

	v.attrib = (uint16_t)((s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
			      ((s->present & 1) && !s->unusable) << 7 | (s->avl & 1) << 8 |
			      (s->l & 1) << 9 | (s->db & 1) << 10 | (s->g & 1) << 11);
	return v;
}

static struct kvm_segment kvm_seg(uint16_t sel, uint8_t type, uint8_t s, uint64_t base)
{
	struct kvm_segment seg = {
		.base = base,
		.limit = 0xFFFF,
		.selector = sel,
		.type = type,
		.present = 1,
		.s = s,
	};
	return seg;
}

void vmsa_kvm_reset_state(struct vcpu_state *ret_st)
{
	struct vcpu_state st;

	/* x86.c kvm_vcpu_reset(vcpu, false) + svm.c init_vmcb()/init_seg()/init_sys_seg(), and
	 * the FPU defaults of fpstate_init_fxstate() (FCW 0x37F, MXCSR 0x1F80). */
	memset(&st, 0, sizeof(st));
	st.valid = VCPU_STATE_REGS | VCPU_STATE_SREGS | VCPU_STATE_FPU | VCPU_STATE_XCRS |
		   VCPU_STATE_MSRS;
	st.regs.rip = 0xFFF0;
	st.regs.rdx = KVM_RESET_RDX;
	st.regs.rflags = X86_EFLAGS_FIXED;
	st.sregs.cs = kvm_seg(0xF000, 0xA, 1, 0xFFFF0000);
	st.sregs.ds = kvm_seg(0, 0x2, 1, 0);
	st.sregs.es = st.sregs.ds;
	st.sregs.fs = st.sregs.ds;
	st.sregs.gs = st.sregs.ds;
	st.sregs.ss = st.sregs.ds;
	st.sregs.ldt = kvm_seg(0, 0x2, 0, 0);
	st.sregs.tr = kvm_seg(0, 0x3, 0, 0);
	st.sregs.gdt.limit = 0xFFFF;
	st.sregs.idt.limit = 0xFFFF;
	st.sregs.cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	st.sregs.apic_base = 0xFEE00000 | (1u << 11) | (1u << 8); /* enabled, BSP */
	st.fpu.fcw = FPU_FCW_DEFAULT;
	st.fpu.mxcsr = MXCSR_DEFAULT;
	st.xcrs.nr_xcrs = 1;
	st.xcrs.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	st.xcrs.xcrs[0].value = XFEATURE_FP;
	st.nr_msrs = 1;
	st.msrs[0].index = MSR_IA32_CR_PAT;
	st.msrs[0].data = MSR_IA32_CR_PAT_DEFAULT;
	*ret_st = st;
}

/* kvm_is_valid_sregs() + kvm_is_valid_cr0(), minus the checks that need guest CPUID
 * (CR4 reserved bits, CR3 legality) (x86.c __set_sregs_common()). */
static bool sregs_valid(const struct kvm_sregs *sr)
{
	if (sr->cr0 >> 32)
		return false;
	if ((sr->cr0 & X86_CR0_NW) && !(sr->cr0 & X86_CR0_CD))
		return false;
	if ((sr->cr0 & X86_CR0_PG) && !(sr->cr0 & X86_CR0_PE))
		return false;
	if ((sr->efer & EFER_LME) && (sr->cr0 & X86_CR0_PG))
		return (sr->cr4 & X86_CR4_PAE) && (sr->efer & EFER_LMA);
	return !(sr->efer & EFER_LMA) && !sr->cs.l;
}

/* kvm_pat_valid(): every byte a valid memory type (0, 1, 4, 5, 6, 7). */
static bool pat_valid(uint64_t pat)
{
	int i;

	if (pat & 0xF8F8F8F8F8F8F8F8ull)
		return false;
	for (i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (8 * i));
		if (t == 2 || t == 3)
			return false;
	}
	return true;
}

static void apply_sregs(struct sev_es_save_area *s, const struct kvm_sregs *sr,
			const struct vmsa_host_facts *host, uint64_t *arch_efer)
{
	uint64_t cr0 = sr->cr0;

	/* x86.c __set_sregs_common() order: IDT, GDT, CR3, EFER, CR0, CR4, segments. */
	s->idtr.limit = sr->idt.limit;
	s->idtr.base = sr->idt.base;
	s->gdtr.limit = sr->gdt.limit;
	s->gdtr.base = sr->gdt.base;
	s->cr3 = sr->cr3; /* sev_post_set_cr3() */

	/* svm_set_efer(): the VMCB copy always has SVME. */
	*arch_efer = sr->efer;
	s->efer = sr->efer | EFER_SVME;
	/* svm_set_cr0(): CR0.PG going 0 -> 1 with EFER.LME sets LMA (and LME) in the VMCB.
	 * The previous CR0 is the reset value (no PG): this model applies one SET_SREGS to a
	 * fresh vCPU, so the 1 -> 0 branch cannot occur. */
	if ((*arch_efer & EFER_LME) && (cr0 & X86_CR0_PG)) {
		*arch_efer |= EFER_LMA;
		s->efer |= EFER_LMA | EFER_LME;
	}
	/* svm.c svm_set_cr0(): KVM_X86_QUIRK_CD_NW_CLEARED, on by default on SVM. */
	if (!host->cd_nw_quirk_disabled)
		cr0 &= ~(X86_CR0_CD | X86_CR0_NW);
	s->cr0 = cr0;
	/* svm.c svm_set_cr4(): host CR4.MCE is ORed in, nothing masked. */
	s->cr4 = sr->cr4 | (host->cr4_mce ? X86_CR4_MCE : 0);

	s->cs = seg_from_kvm(&sr->cs);
	s->ds = seg_from_kvm(&sr->ds);
	s->es = seg_from_kvm(&sr->es);
	s->fs = seg_from_kvm(&sr->fs);
	s->gs = seg_from_kvm(&sr->gs);
	s->ss = seg_from_kvm(&sr->ss);
	s->tr = seg_from_kvm(&sr->tr);
	s->ldtr = seg_from_kvm(&sr->ldt);
	s->cpl = sr->ss.dpl & 3; /* from SS.DPL only (svm_set_segment) */
}

static void apply_regs(struct sev_es_save_area *s, const struct kvm_regs *r)
{
	/* sev_es_sync_vmsa() step 2; rflags via __set_regs() (| X86_EFLAGS_FIXED). */
	s->rax = r->rax;
	s->rbx = r->rbx;
	s->rcx = r->rcx;
	s->rdx = r->rdx;
	s->rsi = r->rsi;
	s->rdi = r->rdi;
	s->rsp = r->rsp;
	s->rbp = r->rbp;
	s->r8 = r->r8;
	s->r9 = r->r9;
	s->r10 = r->r10;
	s->r11 = r->r11;
	s->r12 = r->r12;
	s->r13 = r->r13;
	s->r14 = r->r14;
	s->r15 = r->r15;
	s->rip = r->rip;
	s->rflags = r->rflags | X86_EFLAGS_FIXED;
}

static void apply_fpu(struct sev_es_save_area *s, const struct kvm_fpu *f)
{
	int i;

	/* kvm_arch_vcpu_ioctl_set_fpu() fills the FXSAVE image, then sev_es_sync_vmsa()
	 * copies it (the FPU copy added in 6.10). MXCSR is not part of KVM_SET_FPU: it keeps
	 * its default. */
	s->x87_fcw = f->fcw;
	s->x87_fsw = f->fsw;
	s->x87_ftw = f->ftwx; /* fxsave->twd = fpu->ftwx: abridged tag, high byte 0 */
	s->x87_fop = f->last_opcode;
	s->x87_rip = f->last_ip;
	s->x87_dp = f->last_dp;
	/* The VMSA x87 register file: 8 x 8-byte significands, then 8 x 2-byte
	 * sign/exponent words (sev_es_sync_vmsa(): "undocumented" 8+2 split). */
	for (i = 0; i < 8; i++) {
		memcpy(&s->fpreg_x87[i * 8], &f->fpr[i][0], 8);
		memcpy(&s->fpreg_x87[64 + i * 2], &f->fpr[i][8], 2);
	}
	memcpy(s->fpreg_xmm, f->xmm, sizeof(s->fpreg_xmm));
	_Static_assert(sizeof(((struct kvm_fpu *)0)->xmm) == 256, "kvm_fpu.xmm");
}

static int apply_xcrs(struct sev_es_save_area *s, const struct kvm_xcrs *x)
{
	uint32_t i;
	uint64_t v;

	/* kvm_vcpu_ioctl_x86_set_xcrs(): only the first XCR0 entry is applied. */
	if (x->nr_xcrs > KVM_MAX_XCRS || x->flags)
		return -EINVAL;
	for (i = 0; i < x->nr_xcrs; i++) {
		if (x->xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			continue;
		v = x->xcrs[i].value;
		/* __kvm_set_xcr(): x87 is mandatory, AVX needs SSE. */
		if (!(v & XFEATURE_FP) || ((v & XFEATURE_YMM) && !(v & XFEATURE_SSE)))
			return -EINVAL;
		s->xcr0 = v;
		break;
	}
	return 0;
}

static int apply_msrs(struct sev_es_save_area *s, const struct vcpu_state *st,
		      const struct vmsa_host_facts *host, uint64_t *arch_efer)
{
	const struct kvm_msr_entry *m;
	uint32_t i;

	if (st->nr_msrs > VCPU_STATE_MAX_MSRS)
		return -EINVAL;
	/* svm.c svm_set_msr() for the MSRs that live in vmcb->save, which sev_es_sync_vmsa()
	 * copies whole. Others do not reach the VMSA. */
	for (i = 0; i < st->nr_msrs; i++) {
		m = &st->msrs[i];
		switch (m->index) {
		case MSR_IA32_CR_PAT:
			if (!pat_valid(m->data))
				return -EINVAL;
			s->g_pat = m->data;
			break;
		case MSR_EFER:
			/* set_efer(), host-initiated: the current LMA is kept. */
			*arch_efer = (m->data & ~EFER_LMA) | (*arch_efer & EFER_LMA);
			s->efer = *arch_efer | EFER_SVME;
			break;
		case MSR_STAR:
			s->star = m->data;
			break;
		case MSR_LSTAR:
			s->lstar = m->data;
			break;
		case MSR_CSTAR:
			s->cstar = m->data;
			break;
		case MSR_SYSCALL_MASK:
			s->sfmask = m->data;
			break;
		case MSR_KERNEL_GS_BASE:
			s->kernel_gs_base = m->data;
			break;
		case MSR_FS_BASE:
			s->fs.base = m->data;
			break;
		case MSR_GS_BASE:
			s->gs.base = m->data;
			break;
		case MSR_IA32_SYSENTER_CS:
			s->sysenter_cs = m->data;
			break;
		case MSR_IA32_SYSENTER_ESP: /* stored as (u32)data */
			s->sysenter_esp = (uint32_t)m->data;
			break;
		case MSR_IA32_SYSENTER_EIP:
			s->sysenter_eip = (uint32_t)m->data;
			break;
		case MSR_IA32_XSS:
			s->xss = m->data; /* vcpu->arch.ia32_xss, copied in step 3 */
			break;
		case MSR_IA32_DEBUGCTLMSR:
			if (host->lbrv)
				s->dbgctl = m->data;
			break;
		case MSR_IA32_SPEC_CTRL:
			if (host->v_spec_ctrl)
				s->spec_ctrl = m->data;
			break;
		default:
			/* Includes MSR_TSC_AUX, dropped for SEV-ES/SNP (svm_set_msr()). */
			break;
		}
	}
	return 0;
}

int vmsa_from_kvm_state(const struct vcpu_state *st, uint64_t vmsa_features,
			const struct vmsa_host_facts *host, uint8_t page[VMSA_PAGE_SIZE])
{
	static const struct vmsa_host_facts normal_host = { .cr4_mce = true };
	struct vcpu_state reset;
	struct sev_es_save_area s;
	const struct kvm_sregs *sr;
	uint64_t arch_efer = 0;
	int r;

	if (!host)
		host = &normal_host;
	vmsa_kvm_reset_state(&reset);
	sr = (st->valid & VCPU_STATE_SREGS) ? &st->sregs : &reset.sregs;
	if (!sregs_valid(sr))
		return -EINVAL;

	memset(&s, 0, sizeof(s));
	/* Applying the reset parts through the same setters gives exactly what
	 * init_vmcb() writes (it uses svm_set_cr0/cr4/efer itself). */
	apply_sregs(&s, sr, host, &arch_efer);
	apply_regs(&s, (st->valid & VCPU_STATE_REGS) ? &st->regs : &reset.regs);
	apply_fpu(&s, (st->valid & VCPU_STATE_FPU) ? &st->fpu : &reset.fpu);
	s.mxcsr = MXCSR_DEFAULT;
	s.xcr0 = XFEATURE_FP;
	if (st->valid & VCPU_STATE_XCRS) {
		r = apply_xcrs(&s, &st->xcrs);
		if (r < 0)
			return r;
	}
	s.g_pat = MSR_IA32_CR_PAT_DEFAULT;
	if (st->valid & VCPU_STATE_MSRS) {
		r = apply_msrs(&s, st, host, &arch_efer);
		if (r < 0)
			return r;
	}
	/* No debug registers in vcpu_state: KVM's reset DR6/DR7 (kvm_vcpu_reset()). */
	s.dr6 = DR6_ACTIVE_LOW;
	s.dr7 = DR7_FIXED_1;
	/* sev.c __sev_guest_init(): SNP VMs always have SNPActive. */
	s.sev_features = vmsa_features | 1;

	memset(page, 0, VMSA_PAGE_SIZE);
	memcpy(page, &s, sizeof(s));
	return 0;
}

int snp_vmm_type_parse(const char *name, enum snp_vmm_type *ret_type)
{
	if (!name)
		return -EINVAL;
	if (strcmp(name, "QEMU") == 0)
		*ret_type = SNP_VMM_QEMU;
	else if (strcmp(name, "ec2") == 0)
		*ret_type = SNP_VMM_EC2;
	else if (strcmp(name, "gce") == 0)
		*ret_type = SNP_VMM_GCE;
	else
		return -EINVAL;
	return 0;
}

const char *snp_vmm_type_name(enum snp_vmm_type type)
{
	switch (type) {
	case SNP_VMM_QEMU:
		return "QEMU";
	case SNP_VMM_EC2:
		return "ec2";
	case SNP_VMM_GCE:
		return "gce";
	}
	return "?";
}

static struct vmcb_seg seg(uint16_t sel, uint16_t attrib, uint64_t base)
{
	struct vmcb_seg v = { .selector = sel, .attrib = attrib, .limit = 0xFFFF, .base = base };
	return v;
}

void vmsa_build_qemu_model(enum snp_vmm_type vmm, uint32_t eip, uint64_t sev_features,
			   uint32_t vcpu_sig, uint8_t page[VMSA_PAGE_SIZE])
{
	struct sev_es_save_area s;
	uint16_t cs_attr = 0x9B, ss_attr = 0x93, tr_attr = 0x8B;
	uint64_t rdx = vcpu_sig, g_pat = MSR_IA32_CR_PAT_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;
	uint16_t fcw = FPU_FCW_DEFAULT;

	/* sevsnpmeasure/vmsa.py VMM types. ec2 models KVM's own reset segments (CS 0x9A
	 * for the BSP, SS 0x92, TR 0x83); ec2 and gce keep KVM's reset RDX 0x600 (upstream
	 * sev-snp-measure 4a02bf0 changed ec2 from 0) and model a VM without the INIT2 FPU
	 * copy. */
	switch (vmm) {
	case SNP_VMM_QEMU:
		break;
	case SNP_VMM_EC2:
		cs_attr = eip == VMSA_BSP_EIP ? 0x9A : 0x9B;
		ss_attr = 0x92;
		tr_attr = 0x83;
		rdx = KVM_RESET_RDX;
		mxcsr = 0;
		fcw = 0;
		break;
	case SNP_VMM_GCE:
		rdx = KVM_RESET_RDX;
		mxcsr = 0;
		fcw = 0;
		g_pat = 0x00070106;
		break;
	}

	memset(&s, 0, sizeof(s));
	s.es = seg(0, 0x93, 0);
	s.cs = seg(0xF000, cs_attr, eip & 0xFFFF0000u);
	s.ss = seg(0, ss_attr, 0);
	s.ds = seg(0, 0x93, 0);
	s.fs = seg(0, 0x93, 0);
	s.gs = seg(0, 0x93, 0);
	s.gdtr = seg(0, 0, 0);
	s.idtr = seg(0, 0, 0);
	s.ldtr = seg(0, 0x82, 0);
	s.tr = seg(0, tr_attr, 0);
	s.efer = EFER_SVME;  /* added by KVM */
	s.cr4 = X86_CR4_MCE; /* added by KVM from the host */
	s.cr0 = X86_CR0_ET;
	s.dr7 = DR7_FIXED_1;
	s.dr6 = DR6_ACTIVE_LOW;
	s.rflags = X86_EFLAGS_FIXED;
	s.rip = eip & 0xFFFF;
	s.g_pat = g_pat;
	s.rdx = rdx;
	s.sev_features = sev_features;
	s.xcr0 = XFEATURE_FP;
	s.mxcsr = mxcsr;
	s.x87_fcw = fcw;

	memset(page, 0, VMSA_PAGE_SIZE);
	memcpy(page, &s, sizeof(s));
}
