// SPDX-License-Identifier: MIT
#include "util/num.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int parse_uint(const char *text, uint64_t max, uint64_t *ret_value)
{
	unsigned long long v;
	char *end;

	if (!text || !*text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret_value = v;
	return 0;
}
