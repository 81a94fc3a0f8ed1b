// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the OVMF footer-table / SEV-metadata parser, which reads firmware
 * images a user hands us. Besides the sanitizers it checks the parser's promises: on
 * success every section is page-aligned, inside 4 GiB, non-empty and disjoint from the
 * others; on failure a diagnostic is written.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "snp/ovmf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sections(const struct ovmf_info *info)
{
	const struct ovmf_section *a, *b;
	uint32_t i, j;

	if (info->nr_sections > OVMF_MAX_SECTIONS)
		__builtin_trap();
	for (i = 0; i < info->nr_sections; i++) {
		a = &info->sections[i];
		if ((a->gpa | a->size) & 0xFFF || a->size == 0 ||
		    (uint64_t)a->gpa + a->size > 0x100000000ull)
			__builtin_trap();
		for (j = 0; j < i; j++) {
			b = &info->sections[j];
			if (a->gpa < (uint64_t)b->gpa + b->size &&
			    b->gpa < (uint64_t)a->gpa + a->size)
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovmf_info info;
	struct diag d;

	memset(&d, 0, sizeof(d));
	if (ovmf_parse(data, size, &info, &d) == 0)
		check_sections(&info);
	else if (d.msg[0] == '\0')
		__builtin_trap();
	return 0;
}
