// SPDX-License-Identifier: MIT
#include "util/hex.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *hex, uint8_t *ret_buf, size_t len, const char *what, struct diag *d)
{
	size_t n = strlen(hex);
	size_t i;

	if (n != 2 * len)
		return diag_fail(d, -EINVAL,
				 "%s must be %zu hex digits (%zu bytes), got %zu characters", what,
				 2 * len, len, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)hex[i];

		if (hex_nibble(hex[i]) >= 0)
			continue;
		if (isprint(c))
			return diag_fail(d, -EINVAL, "%s: '%c' at position %zu is not a hex digit",
					 what, c, i + 1);
		return diag_fail(d, -EINVAL, "%s: byte 0x%02x at position %zu is not a hex digit",
				 what, c, i + 1);
	}
	/* Validated first so that ret_buf is written only on success. */
	for (i = 0; i < len; i++)
		ret_buf[i] = (uint8_t)(hex_nibble(hex[2 * i]) << 4 | hex_nibble(hex[2 * i + 1]));
	return 0;
}
