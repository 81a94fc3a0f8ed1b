// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the v12 GHCB PSC descriptor processor, which reads and writes a
 * page the guest controls. Input: 2 bytes mapped length, 1 byte "fail the n-th
 * conversion", then the descriptor bytes (zero padded). The descriptor lives in a heap
 * block of exactly the mapped length, so ASan catches any access past it. Besides the
 * sanitizers it checks: every conversion is page aligned and inside one RAM region; the
 * reply is one of the four GHCB values; a success leaves cur_entry past end_entry; and a
 * second run over the result converts nothing more.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snp/psc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mem_range ram[] = { { 0, 0xC0000000ULL }, { 0x100000000ULL, 0x40100000ULL } };

struct state {
	unsigned int calls, fail_at;
};

static int convert(void *opaque, uint64_t gpa, uint64_t size, bool to_private)
{
	struct state *s = opaque;
	unsigned int i;
	bool inside = false;

	if (!size || (gpa | size) & 0xfff)
		__builtin_trap();
	for (i = 0; i < 2; i++)
		if (gpa >= ram[i].gpa && gpa + size <= ram[i].gpa + ram[i].size && gpa + size > gpa)
			inside = true;
	if (!inside)
		__builtin_trap();
	return ++s->calls == s->fail_at ? -5 : 0;
}

static bool valid_reply(uint64_t r)
{
	return r == 0 || r == VMGEXIT_PSC_ERROR_GENERIC || r == VMGEXIT_PSC_ERROR_INVALID_HDR ||
	       r == VMGEXIT_PSC_ERROR_INVALID_ENTRY;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s = { 0 };
	uint64_t ret = 1, ret2 = 1;
	uint16_t cur, end;
	size_t len;
	uint8_t *desc;
	int r;

	if (size < 3)
		return 0;
	len = (size_t)(data[0] | data[1] << 8) % 0x801;
	s.fail_at = data[2];
	data += 3;
	size -= 3;
	desc = malloc(len ? len : 1);
	if (!desc)
		return 0;
	memset(desc, 0, len);
	memcpy(desc, data, size < len ? size : len);

	r = psc_process_descriptor(desc, len, ram, 2, convert, &s, &ret);
	if (!valid_reply(ret) || (r && ret != VMGEXIT_PSC_ERROR_GENERIC))
		__builtin_trap();
	if (ret == 0 && len >= 8) {
		memcpy(&cur, desc, 2);
		memcpy(&end, desc + 2, 2);
		if (cur <= end)
			__builtin_trap();
		/* Resuming a finished descriptor does nothing. */
		s.calls = 0;
		s.fail_at = 0;
		r = psc_process_descriptor(desc, len, ram, 2, convert, &s, &ret2);
		if (r || ret2 != 0 || s.calls)
			__builtin_trap();
	}
	free(desc);
	return 0;
}
