// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the simulated guest's script parser (docs/sim-guest.md), which
 * reads a file the tester writes, including deliberately hostile lines. Input: the script
 * text (cut at the first NUL, as a file with one is refused before parsing). Checks: a
 * script parses or is refused with -EINVAL and a message naming the line; a parsed
 * script has at most one event per line; nothing leaks (LeakSanitizer).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_script *s = NULL;
	struct diag d = { "" };
	unsigned int lines = 1;
	char *text;
	size_t i;
	int r;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; text[i]; i++)
		lines += text[i] == '\n';
	r = sim_script_parse(text, "fuzz", &s, &d);
	if (r == 0) {
		if (!s || sim_script_length(s) > lines)
			__builtin_trap();
		sim_script_free(s);
	} else if (r == -EINVAL) {
		if (s || strncmp(d.msg, "fuzz:", 5) != 0)
			__builtin_trap();
	} else if (r != -ENOMEM) {
		__builtin_trap();
	}
	free(text);
	return 0;
}
