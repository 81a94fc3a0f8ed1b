// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the MAP_GPA_RANGE and v12 PSC_MSR decoders (guest-controlled
 * arguments). Input: a struct kvm_exit_hypercall image (nr forced to 12 when the first
 * byte is even, to stay on the interesting path), then a kvm_user_vmgexit_v12 image.
 * Checks: a decoded range is page aligned, non-empty and inside the RAM region it names;
 * every reply is one KVM accepts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "snp/psc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mem_range ram[] = { { 0, 0xC0000000ULL }, { 0x100000000ULL, 0x40100000ULL } };

static void check(const struct psc_request *q)
{
	const struct mem_range *r;

	if (q->ram_index >= 2 || !q->size || (q->gpa | q->size) & 0xfff)
		__builtin_trap();
	r = &ram[q->ram_index];
	if (q->gpa < r->gpa || q->gpa + q->size < q->gpa || q->gpa + q->size > r->gpa + r->size)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvm_exit_hypercall hc = { 0 };
	struct kvm_user_vmgexit_v12 x = { 0 };
	struct psc_request q;
	int r;

	memcpy(&hc, data, size < sizeof(hc) ? size : sizeof(hc));
	if (size && !(data[0] & 1))
		hc.nr = KVM_HC_MAP_GPA_RANGE;
	r = psc_decode_map_gpa_range(&hc, ram, 2, &q);
	if (r == 0)
		check(&q);
	else if (r != -EINVAL && r != -ENOSYS)
		__builtin_trap();
	if (!psc_map_gpa_range_ret_is_valid(psc_map_gpa_range_ret(r)))
		__builtin_trap();

	if (size > sizeof(hc)) {
		memcpy(&x, data + sizeof(hc),
		       size - sizeof(hc) < sizeof(x) ? size - sizeof(hc) : sizeof(x));
		r = psc_decode_msr(&x, ram, 2, &q);
		if (r == 0) {
			check(&q);
			if (q.size != 4096)
				__builtin_trap();
		} else if (r != -EINVAL || psc_msr_ret(r) != PSC_MSR_RET_ERROR) {
			__builtin_trap();
		}
	}
	return 0;
}
