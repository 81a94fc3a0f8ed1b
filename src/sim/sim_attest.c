// SPDX-License-Identifier: MIT
/*
 * The simulated PSP's answer to a guest's MSG_REPORT_REQ: an ATTESTATION_REPORT in the
 * firmware's binary format (include/snp/report.h; 56860 "MSG_REPORT_REQ" and
 * "ATTESTATION_REPORT Structure"), signed with the simulated chip's VCEK. On a real
 * host KVM forwards the request to the PSP (snp_handle_guest_req, arch/x86/kvm/svm/sev.c)
 * and the VMM never sees it; here the same place in the model produces the report.
 *
 * The simulated chip is a Milan (CPUID family 19h model 01h stepping 1) whose identity
 * is fixed and documented (docs/sim.md "Attestation"), so a test suite can issue it a
 * VCEK certificate under a test ARK/ASK chain it makes itself: CHIP_ID is SHA-512 of
 * "snpvmm simulated chip" and every TCB (current, committed, launch, reported) is
 * bl 3, tee 0, snp 8, ucode 115. The VCEK private key is --sim-vcek's, or a key made
 * for this VM alone when none is given (reports then verify against no certificate).
 */
#include <errno.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "sim_internal.h"
#include "snp/idblock.h"

/* Milan layout: byte 0 BOOT_LOADER, 1 TEE, 6 SNP, 7 MICROCODE. */
static const uint8_t sim_chip_tcb[8] = { 3, 0, 0, 0, 0, 0, 8, 115 };

#define SIM_CHIP_ID_SEED "snpvmm simulated chip"

int sim_attest_init(struct sim_attest *a, const char *vcek_key_path, struct diag *d)
{
	memset(a, 0, sizeof(*a));
	if (!vcek_key_path)
		return 0;
	return snp_ecdsa_key_load_pem(vcek_key_path, &a->vcek, d);
}

void sim_attest_fini(struct sim_attest *a)
{
	EVP_PKEY_free(a->vcek);
	a->vcek = NULL;
}

static uint64_t tcb_u64(const uint8_t b[8])
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

int sim_attest_report(struct sim *sim, const uint8_t report_data[SNP_REPORT_DATA_SIZE],
		      uint32_t vmpl, struct snp_report *ret_report, struct diag *d)
{
	const struct sim_psp *psp = &sim->psp;
	struct sim_attest *a = &sim->attest;
	uint8_t chip_id[64];
	unsigned int len = 0;
	struct snp_report r;
	int ret;

	if (psp->state != SIM_GSTATE_RUNNING)
		return diag_fail(d, -EINVAL, "no launched guest to report on");
	if (!a->vcek) {
		a->vcek = EVP_EC_gen("P-384");
		if (!a->vcek)
			return diag_fail(d, -ENOMEM, "cannot make a VCEK key");
	}
	/* REPORT_ID identifies the guest for its lifetime (56860 "REPORT_ID"). */
	if (!a->has_report_id) {
		if (RAND_bytes(a->report_id, sizeof(a->report_id)) != 1)
			return diag_fail(d, -EIO, "no random bytes for REPORT_ID");
		a->has_report_id = true;
	}
	if (EVP_Digest(SIM_CHIP_ID_SEED, strlen(SIM_CHIP_ID_SEED), chip_id, &len, EVP_sha512(),
		       NULL) != 1 ||
	    len != sizeof(chip_id))
		return diag_fail(d, -EIO, "SHA-512 failed");

	memset(&r, 0, sizeof(r));
	r.version = 3;
	r.policy = psp->policy;
	r.vmpl = vmpl;
	r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
	r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = tcb_u64(sim_chip_tcb);
	r.platform_info = sim->profile.smt_bios ? 1 : 0; /* SMT_EN: the firmware's view */
	/* KEY_INFO: AUTHOR_KEY_EN, SIGNING_KEY 0 (VCEK). */
	r.key_info = psp->auth_key_en ? SNP_KEY_INFO_AUTHOR_KEY_EN : 0;
	memcpy(r.report_data, report_data, sizeof(r.report_data));
	memcpy(r.measurement, psp->measurement, sizeof(r.measurement));
	memcpy(r.host_data, psp->host_data, sizeof(r.host_data));
	if (psp->id_block_en)
		memcpy(r.id_key_digest, psp->id_key_digest, sizeof(r.id_key_digest));
	if (psp->auth_key_en)
		memcpy(r.author_key_digest, psp->author_key_digest, sizeof(r.author_key_digest));
	memcpy(r.report_id, a->report_id, sizeof(r.report_id));
	memset(r.report_id_ma, 0xff, sizeof(r.report_id_ma)); /* no migration agent */
	r.cpuid_fam_id = 0x19;
	r.cpuid_mod_id = 0x01;
	r.cpuid_step = 0x01;
	memcpy(r.chip_id, chip_id, sizeof(r.chip_id));
	r.current_major = r.committed_major = sim->profile.api_major;
	r.current_minor = r.committed_minor = sim->profile.api_minor;
	r.current_build = r.committed_build = sim->profile.build_id;
	ret = snp_ecdsa_sign(a->vcek, &r, SNP_REPORT_SIGNED_SIZE, &r.signature, d);
	if (ret < 0)
		return ret;
	*ret_report = r;
	return 0;
}
