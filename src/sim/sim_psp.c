// SPDX-License-Identifier: MIT
/*
 * The simulated PSP: the guest context's state, the launch digest chain
 * (56860 SNP_LAUNCH_UPDATE PAGE_INFO, computed by the measurement library, never
 * re-implemented here),
 * the CPUID page policy, and the SNP_LAUNCH_START / SNP_LAUNCH_FINISH firmware checks
 * (SEV-SNP ABI 56860, commands SNP_LAUNCH_START, SNP_LAUNCH_UPDATE, SNP_LAUNCH_FINISH).
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <string.h>

#include <linux/psp-sev.h>

#include "sim_internal.h"
#include "snp/idblock.h"
#include "snp/snp_cpuid.h"

void sim_psp_fini(struct sim_psp *psp)
{
	if (psp->ld_ready)
		launch_digest_fini(&psp->ld);
	psp->ld_ready = false;
}

int sim_psp_launch_start(struct sim_psp *psp, const struct sim_profile *p, uint64_t policy,
			 const uint8_t gosvw[16], uint32_t desired_tsc_khz, uint32_t *fw_error)
{
	unsigned int major = (unsigned int)((policy & SNP_POLICY_API_MAJOR_MASK) >> 8);
	unsigned int minor = (unsigned int)(policy & SNP_POLICY_API_MINOR_MASK);
	int r;

	*fw_error = 0;
	/* 56860 "Guest Policy": ABI_MAJOR.ABI_MINOR is the minimum firmware ABI the guest
	 * accepts; SNP_LAUNCH_START fails with POLICY_FAILURE on an older firmware. */
	if (major > p->api_major || (major == p->api_major && minor > p->api_minor)) {
		*fw_error = SEV_RET_POLICY_FAILURE;
		return -EIO;
	}
	/* A policy bit this firmware does not support (56860 "Guest Policy"; modelled, see
	 * docs/testing.md): POLICY_FAILURE. */
	if (policy & ~p->fw_policy_bits) {
		*fw_error = SEV_RET_POLICY_FAILURE;
		return -EIO;
	}
	/* 56860 "Guest Policy" SMT: 0 = "SMT is disallowed"; SNP_LAUNCH_START fails with
	 * POLICY_FAILURE when SMT is enabled in the BIOS, even if Linux runs with nosmt (the
	 * firmware behaviour 6.17's "KVM: SVM: Allow SNP guest policy disallow running with
	 * SMT enabled", 9f4701e05fae, relies on: "SMT has been disabled *in the BIOS*"). */
	if (!(policy & SNP_POLICY_SMT) && p->smt_bios) {
		*fw_error = SEV_RET_POLICY_FAILURE;
		return -EIO;
	}
	/* 56860 "Guest Policy": bit 17 is reserved, must be one. */
	if (!(policy & SNP_POLICY_RSVD_MBO)) {
		*fw_error = SEV_RET_INVALID_PARAM;
		return -EIO;
	}
	sim_psp_fini(psp);
	/* The launch digest starts as 48 zero bytes (56860 SNP_LAUNCH_START; gctx.py GCTX). */
	r = launch_digest_init(&psp->ld, NULL);
	if (r < 0)
		return r;
	psp->ld_ready = true;
	psp->policy = policy;
	psp->desired_tsc_khz = desired_tsc_khz;
	memcpy(psp->gosvw, gosvw, sizeof(psp->gosvw));
	psp->state = SIM_GSTATE_LAUNCH;
	return 0;
}

int sim_psp_measure_page(struct sim_psp *psp, enum snp_page_type type, uint64_t gpa,
			 const void *page)
{
	int r;

	if (!psp->ld_ready)
		return -EINVAL;
	/* One PAGE_INFO step per 4 KiB page; CONTENTS is SHA-384(page) for NORMAL and VMSA
	 * only (56860 PAGE_INFO; sev-snp-measure gctx.py). */
	r = launch_digest_add_page(&psp->ld, type, gpa, page);
	if (r < 0)
		return r;
	if ((unsigned int)type < sizeof(psp->page_ops) / sizeof(psp->page_ops[0]))
		psp->page_ops[type]++;
	return 0;
}

/* ---- CPUID page (asm/sev.h struct snp_cpuid_table; 56860 "CPUID Reporting" policy) ---- */

/* The page layout (struct snp_cpuid_table) is an ABI fact shared with the VMM:
 * include/snp/snp_cpuid.h. The policy below is the simulator's own model of the PSP. */

enum { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

/* The bits KVM synthesizes that the hardware does not report, which the firmware
 * therefore refuses in a CPUID page (the bits QEMU target/i386/sev.c
 * sev_snp_mask_cpuid_features() and OpenVMM sanitize_snp_cpuid_entry() clear). */
static const struct {
	uint32_t leaf, subleaf;
	int reg;
	uint32_t bits;
} synthesized[] = {
	{ 0x1, 0, REG_ECX, 1u << 24 },	      /* TSC-deadline */
	{ 0x7, 0, REG_EBX, 1u << 1 },	      /* TSC_ADJUST */
	{ 0x7, 0, REG_EDX, 0xfc000000u },     /* SPEC_CTRL, STIBP, FLUSH_L1D, ARCH_CAP, ..., SSBD */
	{ 0x80000008, 0, REG_EBX, 1u << 25 }, /* VIRT_SSBD */
	{ 0x80000021, 0, REG_EAX, 1u << 9 },  /* NO_SMM_CTL_MSR */
};

/* Clears bits in one output register; true if any was set. */
static bool clear_reg_bits(struct snp_cpuid_fn *f, int reg, uint32_t bits)
{
	uint32_t v;

	switch (reg) {
	case REG_EAX:
		v = f->eax;
		f->eax = v & ~bits;
		break;
	case REG_EBX:
		v = f->ebx;
		f->ebx = v & ~bits;
		break;
	case REG_ECX:
		v = f->ecx;
		f->ecx = v & ~bits;
		break;
	default:
		v = f->edx;
		f->edx = v & ~bits;
		break;
	}
	return (v & bits) != 0;
}

/* XSAVE area size for the enabled components, from the host's 0xD subleaves. */
static uint32_t xsave_size(const struct sim_profile *p, uint64_t mask)
{
	uint32_t size = 0x240; /* legacy region + header */
	unsigned int i;

	for (i = 2; i < 63; i++) {
		const struct kvm_cpuid_entry2 *e;

		if (!(mask & (1ull << i)))
			continue;
		e = sim_supported_cpuid_entry(p, 0xd, i);
		if (e && e->ebx + e->eax > size)
			size = e->ebx + e->eax;
	}
	return size;
}

static bool check_xsave_entry(const struct sim_profile *p, struct snp_cpuid_fn *f)
{
	const struct kvm_cpuid_entry2 *d0 = sim_supported_cpuid_entry(p, 0xd, 0);
	const struct kvm_cpuid_entry2 *d1 = sim_supported_cpuid_entry(p, 0xd, 1);
	uint64_t xcr0_ok = d0 ? (d0->eax | (uint64_t)d0->edx << 32) : 1;
	uint64_t xss_ok = d1 ? (d1->ecx | (uint64_t)d1->edx << 32) : 0;
	bool ok = true;
	uint32_t want;

	/* XCR0_IN must enable x87 and only components the host supports; XSS_IN only
	 * supervisor components the host supports; EBX must be the XSAVE size for exactly
	 * those (QEMU sev_snp_cpuid_info_fill() and OpenVMM write_snp_cpuid_page() force 0x240
	 * with xcr0_in = 1). */
	if (!(f->xcr0_in & 1) || (f->xcr0_in & ~xcr0_ok)) {
		f->xcr0_in = (f->xcr0_in | 1) & xcr0_ok;
		ok = false;
	}
	if (f->xss_in & ~xss_ok) {
		f->xss_in &= xss_ok;
		ok = false;
	}
	want = xsave_size(p, f->xcr0_in | (f->ecx_in == 1 ? f->xss_in : 0));
	if (f->ebx != want) {
		f->ebx = want;
		ok = false;
	}
	return ok;
}

bool sim_psp_cpuid_page_check(const struct sim_profile *p, uint8_t page[SIM_PAGE_SIZE])
{
	struct snp_cpuid_table t;
	bool ok = true;
	unsigned int i, j;

	memcpy(&t, page, sizeof(t));
	if (t.count > SNP_CPUID_COUNT_MAX) {
		t.count = SNP_CPUID_COUNT_MAX;
		ok = false;
	}
	if (t.reserved1 || t.reserved2) {
		t.reserved1 = 0;
		t.reserved2 = 0;
		ok = false;
	}
	for (i = 0; i < t.count; i++) {
		struct snp_cpuid_fn *f = &t.fn[i];

		if (f->reserved) {
			f->reserved = 0;
			ok = false;
		}
		if (f->eax_in == 0xd && (f->ecx_in == 0 || f->ecx_in == 1) &&
		    !check_xsave_entry(p, f))
			ok = false;
		for (j = 0; j < sizeof(synthesized) / sizeof(synthesized[0]); j++) {
			if (f->eax_in != synthesized[j].leaf ||
			    (snp_cpuid_leaf_is_indexed(f->eax_in) &&
			     f->ecx_in != synthesized[j].subleaf))
				continue;
			if (clear_reg_bits(f, synthesized[j].reg, synthesized[j].bits))
				ok = false;
		}
	}
	memcpy(page, &t, sizeof(t));
	return ok;
}

int sim_psp_launch_update(struct sim_psp *psp, const struct sim_profile *p, uint8_t type,
			  uint64_t gpa, uint8_t page[SIM_PAGE_SIZE], bool force_cpuid_reject,
			  uint32_t *fw_error)
{
	*fw_error = 0;
	/* SNP_LAUNCH_UPDATE is only valid in GSTATE_LAUNCH (56860 SNP_LAUNCH_UPDATE). */
	if (psp->state != SIM_GSTATE_LAUNCH) {
		*fw_error = SEV_RET_INVALID_GUEST_STATE;
		return -EIO;
	}
	if (type == SNP_PAGE_CPUID) {
		bool ok = sim_psp_cpuid_page_check(p, page);

		/* "writes the values it expects into the page and leaves it unencrypted",
		 * failing with INVALID_PARAM (sev.c sev_gmem_post_populate() fw_err path,
		 * Linux 6.11). */
		if (!ok || force_cpuid_reject) {
			*fw_error = SEV_RET_INVALID_PARAM;
			return -EIO;
		}
	}
	return sim_psp_measure_page(psp, (enum snp_page_type)type, gpa, page);
}

/* ---- SNP_LAUNCH_FINISH ---- */

/* 56860 "ECDSA Signature": R and S little-endian, zero-extended to 72 bytes. */
static int ecdsa_p384_verify(const struct snp_ecdsa_pubkey *key, const struct snp_ecdsa_sig *sig,
			     const void *msg, size_t len)
{
	uint8_t point[1 + 2 * 48], der[128], *pder = der;
	EVP_PKEY_CTX *pctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int der_len, ok = 0, i;

	if (key->curve != SNP_ECDSA_CURVE_P384)
		return 0;
	point[0] = 0x04; /* uncompressed, big-endian X || Y */
	for (i = 0; i < 48; i++) {
		point[1 + i] = key->qx[47 - i];
		point[49 + i] = key->qy[47 - i];
	}
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !pctx || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	r = BN_lebin2bn(sig->r, SNP_ECDSA_COMPONENT_SIZE, NULL);
	s = BN_lebin2bn(sig->s, SNP_ECDSA_COMPONENT_SIZE, NULL);
	es = ECDSA_SIG_new();
	if (!r || !s || !es || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL; /* owned by es */
	der_len = i2d_ECDSA_SIG(es, NULL);
	if (der_len <= 0 || der_len > (int)sizeof(der) || i2d_ECDSA_SIG(es, &pder) != der_len)
		goto out;
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pkey) <= 0)
		goto out;
	ok = EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
out:
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return ok;
}

int sim_psp_launch_finish(struct sim_psp *psp, const void *id_block, const void *id_auth,
			  bool id_block_en, bool auth_key_en, bool vcek_disabled,
			  const uint8_t host_data[32], uint32_t *fw_error)
{
	const struct snp_id_block *blk = id_block;
	const struct snp_id_auth *auth = id_auth;
	int r;

	*fw_error = 0;
	if (psp->state != SIM_GSTATE_LAUNCH) {
		*fw_error = SEV_RET_INVALID_GUEST_STATE;
		return -EIO;
	}
	if (id_block_en) {
		/* 56860 SNP_LAUNCH_FINISH: the ID block is signed by the ID key (ECDSA
		 * P-384 with SHA-384) and, with AUTH_KEY_EN, the ID key by the author key;
		 * its LD must be the launch digest and its policy the guest's. */
		if (auth->id_key_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384 ||
		    (auth_key_en && auth->auth_key_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384) ||
		    blk->version != SNP_ID_BLOCK_VERSION) {
			*fw_error = SEV_RET_INVALID_PARAM;
			return -EIO;
		}
		if (!ecdsa_p384_verify(&auth->id_key, &auth->id_block_sig, blk, sizeof(*blk)) ||
		    (auth_key_en && !ecdsa_p384_verify(&auth->author_key, &auth->id_key_sig,
						       &auth->id_key, sizeof(auth->id_key)))) {
			*fw_error = SEV_RET_BAD_SIGNATURE;
			return -EIO;
		}
		if (memcmp(blk->ld, psp->ld.ld, SNP_LD_SIZE) != 0) {
			*fw_error = SEV_RET_BAD_MEASUREMENT;
			return -EIO;
		}
		if (blk->policy != psp->policy) {
			*fw_error = SEV_RET_POLICY_FAILURE;
			return -EIO;
		}
		/* The attestation report's ID_KEY_DIGEST / AUTHOR_KEY_DIGEST: SHA-384 of
		 * the public key structures. */
		r = snp_sha384(&auth->id_key, sizeof(auth->id_key), psp->id_key_digest);
		if (r < 0)
			return r;
		if (auth_key_en) {
			r = snp_sha384(&auth->author_key, sizeof(auth->author_key),
				       psp->author_key_digest);
			if (r < 0)
				return r;
		}
	}
	psp->id_block_en = id_block_en;
	psp->auth_key_en = id_block_en && auth_key_en;
	psp->vcek_disabled = vcek_disabled;
	memcpy(psp->host_data, host_data, sizeof(psp->host_data));
	memcpy(psp->measurement, psp->ld.ld, SNP_LD_SIZE);
	psp->state = SIM_GSTATE_RUNNING;
	return 0;
}
