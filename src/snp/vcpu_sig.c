// SPDX-License-Identifier: MIT
#include "snp/vcpu_sig.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

uint32_t snp_vcpu_sig(uint32_t family, uint32_t model, uint32_t stepping)
{
	/* Families above 0xF are split into the base family 0xF plus an extended family
	 * (AMD #25481, CPUID Fn0000_0001_EAX). */
	uint32_t fam_lo = family > 0xF ? 0xF : family;
	uint32_t fam_hi = family > 0xF ? (family - 0xF) & 0xFF : 0;

	return fam_hi << 20 | ((model >> 4) & 0xF) << 16 | (fam_lo & 0xF) << 8 |
	       (model & 0xF) << 4 | (stepping & 0xF);
}

/* QEMU's builtin_x86_defs for the SEV-capable EPYC models (sevsnpmeasure/vcpu_types.py).
 * Every version of a model keeps its family/model/stepping, so "-vN" maps to the base. */
static const struct {
	const char *name;
	uint32_t family, model, stepping;
} vcpu_types[] = {
	{ "EPYC", 23, 1, 2 },	    { "EPYC-IBPB", 23, 1, 2 },	 { "EPYC-Rome", 23, 49, 0 },
	{ "EPYC-Milan", 25, 1, 1 }, { "EPYC-Genoa", 25, 17, 0 }, { "EPYC-Turin", 26, 0, 0 },
};

/* "" or "-v<N>" with N a decimal >= 1 without leading zeros. */
static bool is_version_suffix(const char *s)
{
	if (*s == '\0')
		return true;
	if (s[0] != '-' || s[1] != 'v' || s[2] < '1' || s[2] > '9')
		return false;
	for (s += 3; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

int snp_vcpu_type_sig(const char *name, uint32_t *ret_sig)
{
	size_t i, n;

	if (!name)
		return -EINVAL;
	for (i = 0; i < sizeof(vcpu_types) / sizeof(vcpu_types[0]); i++) {
		n = strlen(vcpu_types[i].name);
		if (strncmp(name, vcpu_types[i].name, n) != 0 || !is_version_suffix(name + n))
			continue;
		*ret_sig = snp_vcpu_sig(vcpu_types[i].family, vcpu_types[i].model,
					vcpu_types[i].stepping);
		return 0;
	}
	return -EINVAL;
}

const char *snp_vcpu_type_names(void)
{
	return "EPYC, EPYC-IBPB, EPYC-Rome, EPYC-Milan, EPYC-Genoa, EPYC-Turin (each also -v<N>)";
}
