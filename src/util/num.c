// SPDX-License-Identifier: MIT
/*
 * The one number syntax (include/util/num.h). Hand-written rather than strtoull(base 0),
 * which silently reads "030000" as octal and accepts blanks and a sign.
 */
#include "util/num.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static int digit_value(char c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)v < base ? v : -1;
}

/* Splits text into its base and digits; -EINVAL unless the syntax is right. */
static int number_digits(const char *text, unsigned int *ret_base, const char **ret_digits,
			 size_t *ret_len)
{
	unsigned int base = 10;
	size_t i, n;

	if (!text || !*text)
		return -EINVAL;
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		text += 2;
	} else if (text[0] == '0' && text[1] != '\0') {
		return -EINVAL; /* C octal, or a typo: refused either way */
	}
	n = strlen(text);
	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (digit_value(text[i], base) < 0)
			return -EINVAL;
	*ret_base = base;
	*ret_digits = text;
	*ret_len = n;
	return 0;
}

int parse_uint(const char *text, uint64_t max, uint64_t *ret_value)
{
	const char *digits;
	unsigned int base;
	uint64_t v = 0;
	size_t i, n;
	int r;

	r = number_digits(text, &base, &digits, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		uint64_t d = (uint64_t)digit_value(digits[i], base);

		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (v > max)
		return -ERANGE;
	*ret_value = v;
	return 0;
}

int parse_uint128_le(const char *text, uint8_t ret_bytes[16])
{
	unsigned __int128 v = 0, limit = ~(unsigned __int128)0;
	const char *digits;
	unsigned int base, i;
	size_t k, n;
	int r;

	r = number_digits(text, &base, &digits, &n);
	if (r < 0)
		return r;
	for (k = 0; k < n; k++) {
		unsigned int d = (unsigned int)digit_value(digits[k], base);

		if (v > (limit - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	for (i = 0; i < 16; i++)
		ret_bytes[i] = (uint8_t)(v >> (8 * i));
	return 0;
}

/* The binary unit at text (K, M, G, T, optionally + "iB"; or B): its shift and length. */
static int size_unit(const char *text, unsigned int *ret_shift)
{
	static const char units[] = "kmgt";
	const char *u;

	if (!strcmp(text, "B") || !strcmp(text, "b")) {
		*ret_shift = 0;
		return 0;
	}
	u = text[0] ? strchr(units, text[0] | 0x20) : NULL;
	if (!u || (text[1] != '\0' && strcmp(text + 1, "iB")))
		return -EINVAL; /* "MB" and friends: SI or binary? */
	*ret_shift = 10 * (unsigned int)(u - units + 1);
	return 0;
}

int parse_size(const char *text, uint64_t *ret_bytes)
{
	uint64_t whole = 0, frac = 0, scale = 1, v;
	unsigned int shift = 0;
	const char *p = text;
	bool fraction = false;

	if (!text || !*text)
		return -EINVAL;
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		return parse_uint(text, UINT64_MAX, ret_bytes); /* hex: bytes, no unit */
	if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return -EINVAL;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		fraction = true;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1000000)
				return -EINVAL; /* more digits than any size needs */
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
		if (scale == 1)
			return -EINVAL; /* "1." */
	}
	if (*p && size_unit(p, &shift) < 0)
		return -EINVAL;
	if (fraction && !shift)
		return -EINVAL; /* a fraction of a byte */
	if (whole > (UINT64_MAX >> shift))
		return -ERANGE;
	v = whole << shift;
	if (fraction) {
		/* frac / scale of 2^shift bytes must be whole. frac < scale <= 10^6 < 2^20
		 * and shift <= 40, so frac << shift cannot overflow. */
		uint64_t part = frac << shift;

		if (part % scale)
			return -EINVAL;
		if (v > UINT64_MAX - part / scale)
			return -ERANGE;
		v += part / scale;
	}
	*ret_bytes = v;
	return 0;
}
