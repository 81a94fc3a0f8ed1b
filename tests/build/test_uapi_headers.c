// SPDX-License-Identifier: MIT
/*
 * Our UAPI headers against the system's (tests/build/meson.build builds this twice: on
 * Debian 12's 6.1 headers alone, and with linux_7_0_uapi.h forced in first). That it
 * compiles is most of the test: no redefinition of anything a newer header has. What it
 * checks at run time is that the numbers snpvmm acts on are its own, not the header's.
 */
#include <stddef.h>
#include <stdio.h>

#include "abi/kvm_snp.h"
#include "abi/psp_sev.h"
#include "sev/sev_fw.h"
#include "vmm/backend.h"

int main(void)
{
	int bad = 0;

	/* The certificate exit is answered under both numbers, whichever the header has. */
	bad |= SNP_EXIT_REQ_CERTS != 43;
	bad |= SNP_EXIT_REQ_CERTS_KVM_X86 != 42;
	bad |= KVM_EXIT_SNP_REQ_CERTS != 43;
	bad |= KVM_SEV_SNP_ENABLE_REQ_CERTS != 103;
	bad |= KVM_X86_SEV_SNP_REQ_CERTS != 2;
	bad |= KVM_SEV_SNP_LAUNCH_UPDATE != 101;
	bad |= KVM_SEV_INIT2 != 22;
	bad |= SEV_RET_POLICY_FAILURE != 7 || SEV_RET_INVALID_PARAM != 0x16;
	bad |= sizeof(struct kvm_exit_snp_req_certs) != 24;
	bad |= offsetof(struct kvm_sev_snp_launch_update, len) != 16;
	if (bad)
		fprintf(stderr, "a UAPI number or layout is not what snpvmm expects\n");
	return bad;
}
