// SPDX-License-Identifier: MIT
/*
 * Both VMSA builders: the KVM sev_es_sync_vmsa() model against worked examples computed by a
 * separate model written from the same kernel functions (arch/x86/kvm/svm/sev.c
 * sev_es_sync_vmsa(), svm.c svm_set_segment/cr0/cr4/efer(), init_vmcb(), x86.c
 * kvm_vcpu_reset(), __set_sregs_common(); Linux 6.11+), and the sev-snp-measure model
 * (sevsnpmeasure/vmsa.py) against the vectors' vmsa*.bin.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snp/launch_digest.h"
#include "snp/ovmf.h"
#include "snp/vcpu_sig.h"
#include "snp/vmsa.h"
#include "snp_vectors.h"

#define EPYC_SIG 0x00800F12u

static const struct sev_es_save_area *sa(const uint8_t *page)
{
	return (const struct sev_es_save_area *)page;
}

/* The docs abbreviate hashes as "prefix…suffix". */
static void assert_sha384_affixes(const uint8_t *page, const char *prefix, const char *suffix)
{
	uint8_t h[48];
	char hex[97];

	assert_int_equal(snp_sha384(page, VMSA_PAGE_SIZE, h), 0);
	snp_hex(h, 48, hex);
	if (strncmp(hex, prefix, strlen(prefix)) != 0 ||
	    strcmp(hex + 96 - strlen(suffix), suffix) != 0)
		fail_msg("VMSA SHA-384 %s is not %s...%s", hex, prefix, suffix);
}

static void assert_seg(struct vmcb_seg s, uint16_t sel, uint16_t attrib, uint32_t limit,
		       uint64_t base)
{
	assert_int_equal(s.selector, sel);
	assert_int_equal(s.attrib, attrib);
	assert_int_equal(s.limit, limit);
	assert_int_equal(s.base, base);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

static struct kvm_segment kseg(uint16_t sel, uint8_t type, uint8_t s, uint8_t db, uint8_t l,
			       uint8_t g, uint32_t limit)
{
	struct kvm_segment seg = { .limit = limit,
				   .selector = sel,
				   .type = type,
				   .present = 1,
				   .s = s,
				   .db = db,
				   .l = l,
				   .g = g };
	return seg;
}

/* QEMU's x86_cpu_reset() state as QEMU pushes it through KVM_SET_* (KVM then writes the same page
 * as sev-snp-measure's QEMU EPYC BSP VMSA): accessed data segments (type 3), CS type 0xB, busy
 * 32-bit TSS, RDX = signature. */
static void qemu_reset_state(struct vcpu_state *st, uint32_t sig)
{
	vmsa_kvm_reset_state(st);
	st->regs.rdx = sig;
	st->sregs.cs.type = 0xB;
	st->sregs.ds.type = 0x3;
	st->sregs.es.type = 0x3;
	st->sregs.fs.type = 0x3;
	st->sregs.gs.type = 0x3;
	st->sregs.ss.type = 0x3;
	st->sregs.tr.type = 0xB;
}

/* Worked example: a Linux 64-bit direct-boot BSP (Documentation/arch/x86/boot.rst), REGS and
 * SREGS set. */
static void linux64_state(struct vcpu_state *st)
{
	struct vcpu_state reset;

	vmsa_kvm_reset_state(&reset);
	memset(st, 0, sizeof(*st));
	st->valid = VCPU_STATE_REGS | VCPU_STATE_SREGS;
	st->sregs = reset.sregs; /* TR, LDTR, IDT as KVM_GET_SREGS reports them */
	st->sregs.cs = kseg(0x10, 0xB, 1, 0, 1, 1, 0xFFFFFFFF);
	st->sregs.ds = kseg(0x18, 0x3, 1, 1, 0, 1, 0xFFFFFFFF);
	st->sregs.es = st->sregs.ds;
	st->sregs.ss = st->sregs.ds;
	st->sregs.fs = st->sregs.ds;
	st->sregs.gs = st->sregs.ds;
	st->sregs.gdt.base = 0x500;
	st->sregs.gdt.limit = 0x1F;
	st->sregs.cr0 = 0x80050033;
	st->sregs.cr3 = 0x9000;
	st->sregs.cr4 = 0x20;
	st->sregs.efer = 0x500;
	st->regs.rip = 0x1000200;
	st->regs.rsi = 0x7000;
	st->regs.rflags = 0x2;
}

static void test_vmsa_struct_landmark_offsets_match_doc(void **state)
{
	assert_int_equal(sizeof(struct sev_es_save_area), 0x670);
	assert_int_equal(offsetof(struct sev_es_save_area, vmpl0_ssp), 0x0A0);
	assert_int_equal(offsetof(struct sev_es_save_area, cpl), 0x0CB);
	assert_int_equal(offsetof(struct sev_es_save_area, rsp), 0x1D8);
	assert_int_equal(offsetof(struct sev_es_save_area, g_pat), 0x268);
	assert_int_equal(offsetof(struct sev_es_save_area, rdx), 0x310);
	assert_int_equal(offsetof(struct sev_es_save_area, sev_features), 0x3B0);
	assert_int_equal(offsetof(struct sev_es_save_area, xcr0), 0x3E8);
	assert_int_equal(offsetof(struct sev_es_save_area, x87_fcw), 0x410);
	assert_int_equal(offsetof(struct sev_es_save_area, fpreg_ymm), 0x570);
}

static void test_vmsa_kvm_nothing_set_is_doc_example_a(void **state)
{
	struct vcpu_state st = { .valid = 0 };
	uint8_t page[VMSA_PAGE_SIZE];

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);

	assert_seg(sa(page)->es, 0, 0x92, 0xFFFF, 0);
	assert_seg(sa(page)->cs, 0xF000, 0x9A, 0xFFFF, 0xFFFF0000);
	assert_seg(sa(page)->ss, 0, 0x92, 0xFFFF, 0);
	assert_seg(sa(page)->gdtr, 0, 0, 0xFFFF, 0);
	assert_seg(sa(page)->ldtr, 0, 0x82, 0xFFFF, 0);
	assert_seg(sa(page)->tr, 0, 0x83, 0xFFFF, 0);
	assert_int_equal(sa(page)->efer, 0x1000);
	assert_int_equal(sa(page)->cr4, 0x40);
	assert_int_equal(sa(page)->cr0, 0x10);
	assert_int_equal(sa(page)->rip, 0xFFF0);
	assert_int_equal(sa(page)->rdx, 0x600);
	assert_int_equal(sa(page)->sev_features, 0x1);
	assert_int_equal(sa(page)->mxcsr, 0x1F80);
	assert_int_equal(sa(page)->x87_fcw, 0x37F);
	assert_true(all_zero(page + 0x670, VMSA_PAGE_SIZE - 0x670));
	assert_sha384_affixes(page, "64657e8c", "914d985d");
}

static void test_vmsa_kvm_reset_state_all_valid_equals_nothing_set(void **state)
{
	struct vcpu_state none = { .valid = 0 }, reset;
	uint8_t a[VMSA_PAGE_SIZE], b[VMSA_PAGE_SIZE];

	vmsa_kvm_reset_state(&reset);

	assert_int_equal(vmsa_from_kvm_state(&none, 0, NULL, a), 0);
	assert_int_equal(vmsa_from_kvm_state(&reset, 0, NULL, b), 0);
	assert_memory_equal(a, b, VMSA_PAGE_SIZE);
}

static void test_vmsa_kvm_qemu_reset_state_equals_qemu_model_a2(void **state)
{
	struct vcpu_state st;
	uint8_t kvm[VMSA_PAGE_SIZE], model[VMSA_PAGE_SIZE];

	qemu_reset_state(&st, EPYC_SIG);

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, kvm), 0);
	vmsa_build_qemu_model(SNP_VMM_QEMU, VMSA_BSP_EIP, 0x1, EPYC_SIG, model);

	assert_memory_equal(kvm, model, VMSA_PAGE_SIZE);
	assert_sha384_affixes(kvm, "77920c4c629ff47e", "d51c553a");
}

/* (a″) against the shipped reference page for the same signature and features. */
static void test_vmsa_kvm_qemu_reset_state_equals_vector_vmsa0(void **state)
{
	struct vector_list list;
	struct vector_inputs in;
	struct vcpu_state st;
	uint8_t kvm[VMSA_PAGE_SIZE], *ref;
	unsigned int i, checked = 0;
	size_t len;

	vectors_list(&list);
	for (i = 0; i < list.count; i++) {
		vector_inputs_load(list.names[i], &in);
		if (in.params.vmm == SNP_VMM_QEMU && (in.params.guest_features & 1)) {
			qemu_reset_state(&st, in.params.vcpu_sig);
			assert_int_equal(vmsa_from_kvm_state(&st, in.params.guest_features & ~1ull,
							     NULL, kvm),
					 0);
			ref = vector_read(list.names[i], "vmsa0.bin", &len);
			assert_int_equal(len, VMSA_PAGE_SIZE);
			assert_memory_equal(kvm, ref, VMSA_PAGE_SIZE);
			free(ref);
			checked++;
		}
		vector_inputs_free(&in);
	}
	assert_true(checked > 0);
}

static void test_vmsa_kvm_sregs_round_trip_equals_ec2_model_but_fpu_a1(void **state)
{
	struct vcpu_state st;
	uint8_t kvm[VMSA_PAGE_SIZE], model[VMSA_PAGE_SIZE];
	struct sev_es_save_area *m = (struct sev_es_save_area *)model;

	/* GET_SREGS reports the data segments accessed (type 3); SS stays 2 (svm.c
	 * svm_get_segment()). */
	vmsa_kvm_reset_state(&st);
	st.sregs.ds.type = 3;
	st.sregs.es.type = 3;
	st.sregs.fs.type = 3;
	st.sregs.gs.type = 3;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, kvm), 0);
	vmsa_build_qemu_model(SNP_VMM_EC2, VMSA_BSP_EIP, 0x1, 0, model);
	m->mxcsr = 0x1F80;
	m->x87_fcw = 0x37F;

	assert_memory_equal(kvm, model, VMSA_PAGE_SIZE);
}

static void test_vmsa_kvm_linux64_entry_is_doc_example_b(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	linux64_state(&st);

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);

	assert_seg(sa(page)->es, 0x18, 0x0C93, 0xFFFFFFFF, 0);
	assert_seg(sa(page)->cs, 0x10, 0x0A9B, 0xFFFFFFFF, 0);
	assert_seg(sa(page)->ss, 0x18, 0x0C93, 0xFFFFFFFF, 0);
	assert_seg(sa(page)->gs, 0x18, 0x0C93, 0xFFFFFFFF, 0);
	assert_seg(sa(page)->gdtr, 0, 0, 0x1F, 0x500);
	assert_seg(sa(page)->ldtr, 0, 0x82, 0xFFFF, 0);
	assert_seg(sa(page)->idtr, 0, 0, 0xFFFF, 0);
	assert_seg(sa(page)->tr, 0, 0x83, 0xFFFF, 0);
	assert_int_equal(sa(page)->cpl, 0);
	assert_int_equal(sa(page)->efer, 0x1500);
	assert_int_equal(sa(page)->cr4, 0x60);
	assert_int_equal(sa(page)->cr3, 0x9000);
	assert_int_equal(sa(page)->cr0, 0x80050033);
	assert_int_equal(sa(page)->dr7, 0x400);
	assert_int_equal(sa(page)->dr6, 0xFFFF0FF0);
	assert_int_equal(sa(page)->rflags, 0x2);
	assert_int_equal(sa(page)->rip, 0x1000200);
	assert_int_equal(sa(page)->rsi, 0x7000);
	assert_int_equal(sa(page)->rdx, 0);
	assert_int_equal(sa(page)->g_pat, 0x0007040600070406ull);
	assert_int_equal(sa(page)->xcr0, 1);
	assert_sha384_affixes(page, "4156e3ae68359e4c", "bbf6981114");
}

static void test_vmsa_kvm_linux64_rdx_reset_value_matches_doc_variant(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	linux64_state(&st);
	st.regs.rdx = 0x600;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_sha384_affixes(page, "745c655d", "a44621b028");
}

static void test_vmsa_kvm_linux64_host_without_mce_matches_doc_variant(void **state)
{
	const struct vmsa_host_facts no_mce = { .cr4_mce = false };
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	linux64_state(&st);

	assert_int_equal(vmsa_from_kvm_state(&st, 0, &no_mce, page), 0);
	assert_int_equal(sa(page)->cr4, 0x20);
	assert_sha384_affixes(page, "3d3b57a1", "c8985b461f");
}

static void test_vmsa_kvm_linux64_debug_swap_matches_doc_variant(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	linux64_state(&st);

	assert_int_equal(vmsa_from_kvm_state(&st, 1u << 5, NULL, page), 0);
	assert_int_equal(sa(page)->sev_features, 0x21);
	assert_sha384_affixes(page, "05fca5d4", "fa1573d9177");
}

static void test_vmsa_kvm_long_mode_paging_sets_lma_lme(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	linux64_state(&st);
	st.sregs.efer = 0x500; /* LME|LMA, as KVM requires with PG */

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_int_equal(sa(page)->efer, 0x1500);
}

static void test_vmsa_kvm_cr0_cd_nw_cleared_by_quirk(void **state)
{
	struct vcpu_state st = { .valid = 0 };
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_kvm_reset_state(&st);
	st.sregs.cr0 = 0x60000011;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_int_equal(sa(page)->cr0, 0x11);
}

static void test_vmsa_kvm_cr0_kept_when_quirk_disabled(void **state)
{
	const struct vmsa_host_facts host = { .cr4_mce = true, .cd_nw_quirk_disabled = true };
	struct vcpu_state st = { .valid = 0 };
	uint8_t page[VMSA_PAGE_SIZE];

	assert_int_equal(vmsa_from_kvm_state(&st, 0, &host, page), 0);
	assert_int_equal(sa(page)->cr0, 0x60000010);
}

static void test_vmsa_kvm_unusable_segment_clears_present_only(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_kvm_reset_state(&st);
	st.sregs.fs.unusable = 1;
	st.sregs.fs.type = 3;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_int_equal(sa(page)->fs.attrib, 0x13);
}

static void test_vmsa_kvm_cpl_comes_from_ss_dpl(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_kvm_reset_state(&st);
	st.sregs.ss.dpl = 3;
	st.sregs.cs.dpl = 0;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_int_equal(sa(page)->cpl, 3);
	assert_int_equal(sa(page)->ss.attrib, 0xF2);
}

static void test_vmsa_kvm_rflags_gets_fixed_bit(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_REGS };
	uint8_t page[VMSA_PAGE_SIZE];

	st.regs.rflags = 0x200;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_int_equal(sa(page)->rflags, 0x202);
	assert_int_equal(sa(page)->rdx, 0);
}

static void test_vmsa_kvm_fpu_x87_registers_split_8_plus_2(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_FPU };
	uint8_t page[VMSA_PAGE_SIZE];
	static const uint8_t lo[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t hi[2] = { 9, 10 };

	memcpy(st.fpu.fpr[1], "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\xff\xff", 12);
	st.fpu.fcw = 0x27F;
	st.fpu.ftwx = 0x80;
	st.fpu.mxcsr = 0x1234; /* KVM_SET_FPU ignores it */
	st.fpu.xmm[15][15] = 0xEE;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_memory_equal(sa(page)->fpreg_x87 + 8, lo, 8);
	assert_memory_equal(sa(page)->fpreg_x87 + 64 + 2, hi, 2);
	assert_int_equal(sa(page)->x87_fcw, 0x27F);
	assert_int_equal(sa(page)->x87_ftw, 0x80);
	assert_int_equal(sa(page)->mxcsr, 0x1F80);
	assert_int_equal(sa(page)->fpreg_xmm[255], 0xEE);
}

static void test_vmsa_kvm_xcr0_and_pat_taken_from_state(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_XCRS | VCPU_STATE_MSRS };
	uint8_t page[VMSA_PAGE_SIZE];

	st.xcrs.nr_xcrs = 1;
	st.xcrs.xcrs[0].value = 0x7;
	st.nr_msrs = 1;
	st.msrs[0].index = 0x277;
	st.msrs[0].data = 0x0007010600070106ull;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_int_equal(sa(page)->xcr0, 0x7);
	assert_int_equal(sa(page)->g_pat, 0x0007010600070106ull);
}

static void test_vmsa_kvm_msrs_follow_svm_set_msr(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_MSRS };
	uint8_t page[VMSA_PAGE_SIZE];

	st.nr_msrs = 4;
	st.msrs[0].index = 0x175; /* SYSENTER_ESP: truncated to 32 bits */
	st.msrs[0].data = 0x123456789ull;
	st.msrs[1].index = 0xC0000100; /* FS_BASE */
	st.msrs[1].data = 0xABC000;
	st.msrs[2].index = 0xC0000103; /* TSC_AUX: dropped */
	st.msrs[2].data = 7;
	st.msrs[3].index = 0x1D9; /* DEBUGCTL: needs lbrv */
	st.msrs[3].data = 1;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), 0);
	assert_int_equal(sa(page)->sysenter_esp, 0x23456789);
	assert_int_equal(sa(page)->fs.base, 0xABC000);
	assert_int_equal(sa(page)->tsc_aux, 0);
	assert_int_equal(sa(page)->dbgctl, 0);
}

static void test_vmsa_kvm_nw_without_cd_returns_einval(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_kvm_reset_state(&st);
	st.sregs.cr0 = 0x20000011;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), -EINVAL);
}

static void test_vmsa_kvm_lme_paging_without_lma_returns_einval(void **state)
{
	struct vcpu_state st;
	uint8_t page[VMSA_PAGE_SIZE];

	linux64_state(&st);
	st.sregs.efer = 0x100;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), -EINVAL);
}

static void test_vmsa_kvm_xcr0_without_x87_returns_einval(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_XCRS };
	uint8_t page[VMSA_PAGE_SIZE];

	st.xcrs.nr_xcrs = 1;
	st.xcrs.xcrs[0].value = 0x6;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), -EINVAL);
}

static void test_vmsa_kvm_invalid_pat_returns_einval(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_MSRS };
	uint8_t page[VMSA_PAGE_SIZE];

	st.nr_msrs = 1;
	st.msrs[0].index = 0x277;
	st.msrs[0].data = 0x0007040600070402ull;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), -EINVAL);
}

static void test_vmsa_kvm_too_many_msrs_returns_einval(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_MSRS };
	uint8_t page[VMSA_PAGE_SIZE];

	st.nr_msrs = VCPU_STATE_MAX_MSRS + 1;

	assert_int_equal(vmsa_from_kvm_state(&st, 0, NULL, page), -EINVAL);
}

/* Every vector's vmsa<N>.bin, built from its args and the firmware's AP reset EIP. */
static void check_vector_vmsas(const char *vector)
{
	struct vector_inputs in;
	struct ovmf_info fw;
	uint8_t page[VMSA_PAGE_SIZE], *ref;
	char file[32];
	unsigned int i;
	size_t len;

	vector_inputs_load(vector, &in);
	assert_int_equal(ovmf_parse(in.firmware, in.firmware_len, &fw, NULL), 0);
	for (i = 0; i < in.params.vcpus; i++) {
		vmsa_build_qemu_model(in.params.vmm, i == 0 ? VMSA_BSP_EIP : fw.reset_eip,
				      in.params.guest_features, in.params.vcpu_sig, page);
		snprintf(file, sizeof(file), "vmsa%u.bin", i);
		ref = vector_read(vector, file, &len);
		assert_int_equal(len, VMSA_PAGE_SIZE);
		if (memcmp(page, ref, VMSA_PAGE_SIZE) != 0)
			fail_msg("%s: %s differs", vector, file);
		free(ref);
	}
	vector_inputs_free(&in);
}

static void test_vmsa_qemu_model_equals_every_vector_vmsa(void **state)
{
	struct vector_list list;
	unsigned int i;

	vectors_list(&list);
	for (i = 0; i < list.count; i++)
		check_vector_vmsas(list.names[i]);
}

static void test_vmsa_qemu_model_ap_uses_reset_eip(void **state)
{
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_build_qemu_model(SNP_VMM_QEMU, 0x0080B004, 0x21, EPYC_SIG, page);

	assert_seg(sa(page)->cs, 0xF000, 0x9B, 0xFFFF, 0x00800000);
	assert_int_equal(sa(page)->rip, 0xB004);
	assert_int_equal(sa(page)->rdx, EPYC_SIG);
	assert_int_equal(sa(page)->sev_features, 0x21);
}

static void test_vmsa_ec2_model_bsp_has_kvm_reset_segments(void **state)
{
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_build_qemu_model(SNP_VMM_EC2, VMSA_BSP_EIP, 0x1, EPYC_SIG, page);

	assert_int_equal(sa(page)->cs.attrib, 0x9A);
	assert_int_equal(sa(page)->ss.attrib, 0x92);
	assert_int_equal(sa(page)->tr.attrib, 0x83);
	assert_int_equal(sa(page)->rdx, 0x600);
	assert_int_equal(sa(page)->mxcsr, 0);
	assert_int_equal(sa(page)->x87_fcw, 0);
	assert_int_equal(sa(page)->g_pat, 0x0007040600070406ull);
}

static void test_vmsa_ec2_model_ap_has_cs_9b(void **state)
{
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_build_qemu_model(SNP_VMM_EC2, 0x0080B004, 0x1, 0, page);

	assert_int_equal(sa(page)->cs.attrib, 0x9B);
}

static void test_vmsa_gce_model_has_gce_pat_and_no_fpu(void **state)
{
	uint8_t page[VMSA_PAGE_SIZE];

	vmsa_build_qemu_model(SNP_VMM_GCE, VMSA_BSP_EIP, 0x1, EPYC_SIG, page);

	assert_int_equal(sa(page)->cs.attrib, 0x9B);
	assert_int_equal(sa(page)->ss.attrib, 0x93);
	assert_int_equal(sa(page)->tr.attrib, 0x8B);
	assert_int_equal(sa(page)->rdx, 0x600);
	assert_int_equal(sa(page)->g_pat, 0x00070106);
	assert_int_equal(sa(page)->mxcsr, 0);
	assert_int_equal(sa(page)->x87_fcw, 0);
}

static void test_vmsa_vmm_type_parse_accepts_upstream_spellings(void **state)
{
	enum snp_vmm_type t;

	assert_int_equal(snp_vmm_type_parse("QEMU", &t), 0);
	assert_int_equal(t, SNP_VMM_QEMU);
	assert_int_equal(snp_vmm_type_parse("ec2", &t), 0);
	assert_int_equal(t, SNP_VMM_EC2);
	assert_int_equal(snp_vmm_type_parse("gce", &t), 0);
	assert_int_equal(t, SNP_VMM_GCE);
	assert_int_equal(snp_vmm_type_parse("qemu", &t), -EINVAL);
	assert_int_equal(snp_vmm_type_parse("krun", &t), -EINVAL);
}

static void test_vcpu_sig_formula_matches_table(void **state)
{
	assert_int_equal(snp_vcpu_sig(23, 1, 2), 0x00800F12);
	assert_int_equal(snp_vcpu_sig(23, 49, 0), 0x00830F10);
	assert_int_equal(snp_vcpu_sig(25, 1, 1), 0x00A00F11);
	assert_int_equal(snp_vcpu_sig(25, 17, 0), 0x00A10F10);
	assert_int_equal(snp_vcpu_sig(26, 0, 0), 0x00B00F00);
	assert_int_equal(snp_vcpu_sig(6, 0x3A, 9), 0x000306A9);
}

static uint32_t type_sig(const char *name)
{
	uint32_t sig = 0xDEADBEEF;

	return snp_vcpu_type_sig(name, &sig) == 0 ? sig : 0xDEADBEEF;
}

static void test_vcpu_type_known_names_map_to_signatures(void **state)
{
	assert_int_equal(type_sig("EPYC"), 0x00800F12);
	assert_int_equal(type_sig("EPYC-v4"), 0x00800F12);
	assert_int_equal(type_sig("EPYC-IBPB"), 0x00800F12);
	assert_int_equal(type_sig("EPYC-Rome"), 0x00830F10);
	assert_int_equal(type_sig("EPYC-Rome-v3"), 0x00830F10);
	assert_int_equal(type_sig("EPYC-Rome-v5"), 0x00830F10);
	assert_int_equal(type_sig("EPYC-Milan-v2"), 0x00A00F11);
	assert_int_equal(type_sig("EPYC-Genoa"), 0x00A10F10);
	assert_int_equal(type_sig("EPYC-Genoa-v1"), 0x00A10F10);
	assert_int_equal(type_sig("EPYC-Turin"), 0x00B00F00);
	assert_int_equal(type_sig("EPYC-Turin-v12"), 0x00B00F00);
}

static void test_vcpu_type_bad_names_return_einval(void **state)
{
	uint32_t sig;

	assert_int_equal(snp_vcpu_type_sig("EPYC-Zen9", &sig), -EINVAL);
	assert_int_equal(snp_vcpu_type_sig("epyc", &sig), -EINVAL);
	assert_int_equal(snp_vcpu_type_sig("EPYC-v0", &sig), -EINVAL);
	assert_int_equal(snp_vcpu_type_sig("EPYC-v01", &sig), -EINVAL);
	assert_int_equal(snp_vcpu_type_sig("EPYC-v", &sig), -EINVAL);
	assert_int_equal(snp_vcpu_type_sig("EPYC-Milan-v2x", &sig), -EINVAL);
	assert_int_equal(snp_vcpu_type_sig("", &sig), -EINVAL);
	assert_int_equal(snp_vcpu_type_sig(NULL, &sig), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmsa_struct_landmark_offsets_match_doc),
		cmocka_unit_test(test_vmsa_kvm_nothing_set_is_doc_example_a),
		cmocka_unit_test(test_vmsa_kvm_reset_state_all_valid_equals_nothing_set),
		cmocka_unit_test(test_vmsa_kvm_qemu_reset_state_equals_qemu_model_a2),
		cmocka_unit_test(test_vmsa_kvm_qemu_reset_state_equals_vector_vmsa0),
		cmocka_unit_test(test_vmsa_kvm_sregs_round_trip_equals_ec2_model_but_fpu_a1),
		cmocka_unit_test(test_vmsa_kvm_linux64_entry_is_doc_example_b),
		cmocka_unit_test(test_vmsa_kvm_linux64_rdx_reset_value_matches_doc_variant),
		cmocka_unit_test(test_vmsa_kvm_linux64_host_without_mce_matches_doc_variant),
		cmocka_unit_test(test_vmsa_kvm_linux64_debug_swap_matches_doc_variant),
		cmocka_unit_test(test_vmsa_kvm_long_mode_paging_sets_lma_lme),
		cmocka_unit_test(test_vmsa_kvm_cr0_cd_nw_cleared_by_quirk),
		cmocka_unit_test(test_vmsa_kvm_cr0_kept_when_quirk_disabled),
		cmocka_unit_test(test_vmsa_kvm_unusable_segment_clears_present_only),
		cmocka_unit_test(test_vmsa_kvm_cpl_comes_from_ss_dpl),
		cmocka_unit_test(test_vmsa_kvm_rflags_gets_fixed_bit),
		cmocka_unit_test(test_vmsa_kvm_fpu_x87_registers_split_8_plus_2),
		cmocka_unit_test(test_vmsa_kvm_xcr0_and_pat_taken_from_state),
		cmocka_unit_test(test_vmsa_kvm_msrs_follow_svm_set_msr),
		cmocka_unit_test(test_vmsa_kvm_nw_without_cd_returns_einval),
		cmocka_unit_test(test_vmsa_kvm_lme_paging_without_lma_returns_einval),
		cmocka_unit_test(test_vmsa_kvm_xcr0_without_x87_returns_einval),
		cmocka_unit_test(test_vmsa_kvm_invalid_pat_returns_einval),
		cmocka_unit_test(test_vmsa_kvm_too_many_msrs_returns_einval),
		cmocka_unit_test(test_vmsa_qemu_model_equals_every_vector_vmsa),
		cmocka_unit_test(test_vmsa_qemu_model_ap_uses_reset_eip),
		cmocka_unit_test(test_vmsa_ec2_model_bsp_has_kvm_reset_segments),
		cmocka_unit_test(test_vmsa_ec2_model_ap_has_cs_9b),
		cmocka_unit_test(test_vmsa_gce_model_has_gce_pat_and_no_fpu),
		cmocka_unit_test(test_vmsa_vmm_type_parse_accepts_upstream_spellings),
		cmocka_unit_test(test_vcpu_sig_formula_matches_table),
		cmocka_unit_test(test_vcpu_type_known_names_map_to_signatures),
		cmocka_unit_test(test_vcpu_type_bad_names_return_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
