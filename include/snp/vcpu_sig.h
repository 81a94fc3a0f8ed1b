/* SPDX-License-Identifier: MIT */
/*
 * The vCPU signature, CPUID Fn0000_0001_EAX (AMD CPUID Specification #25481, "Family,
 * Model, Stepping Identifiers"), that QEMU puts in RDX at reset and sev-snp-measure puts in
 * the VMSA (sevsnpmeasure/vmsa.py and vcpu_types.py).
 */
#ifndef SNPVMM_SNP_VCPU_SIG_H
#define SNPVMM_SNP_VCPU_SIG_H

#include <stdint.h>

uint32_t snp_vcpu_sig(uint32_t family, uint32_t model, uint32_t stepping);

/*
 * The signature of a QEMU CPU model name: EPYC, EPYC-IBPB, EPYC-Rome, EPYC-Milan,
 * EPYC-Genoa, EPYC-Turin, each also as "<name>-v<N>" (N >= 1, QEMU's versioned models).
 * -EINVAL for anything else.
 */
int snp_vcpu_type_sig(const char *name, uint32_t *ret_sig) __attribute__((warn_unused_result));

/* Comma-separated list of the base names, for help and error text. */
const char *snp_vcpu_type_names(void);

#endif /* SNPVMM_SNP_VCPU_SIG_H */
