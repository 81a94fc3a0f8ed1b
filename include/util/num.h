/* SPDX-License-Identifier: MIT */
/*
 * The one number syntax of snpvmm: every numeric option of a launch, of `measure` and of
 * `id-block`, and every number in the simulator's settings and scripts.
 *
 *   0x1f, 0X1F   hexadecimal ("0x" then 1.. hex digits)
 *   31, 0        decimal
 *
 * That is C's integer syntax without its octal: a leading 0 followed by more digits
 * ("030000") is refused, because C would read it as octal and most people mean decimal.
 * No sign, no blanks, no digit separators.
 */
#ifndef SNPVMM_UTIL_NUM_H
#define SNPVMM_UTIL_NUM_H

#include <stdint.h>

/* A number in the syntax above that is at most max. 0; -EINVAL for malformed text (and
 * for a refused leading zero); -ERANGE for a well-formed number above max. */
int parse_uint(const char *text, uint64_t max, uint64_t *ret_value)
	__attribute__((warn_unused_result));

/* A 128-bit number in the same syntax, as 16 bytes, least significant first (the layout of
 * the firmware's GOSVW field). 0, -EINVAL or -ERANGE. */
int parse_uint128_le(const char *text, uint8_t ret_bytes[16]) __attribute__((warn_unused_result));

/* A memory size in bytes:
 *   a number in the syntax above, in bytes ("268435456", "0x10000000");
 *   a decimal with a binary unit: K, M, G, T (either case), alone as QEMU writes them or
 *   with "iB" ("512M", "512m", "4GiB"), or "B" for bytes; the decimal may have a fraction
 *   as long as the result is a whole number of bytes ("1.5G").
 * Hex takes no unit (so "0x1B" is 27 bytes). Refused: "MB", "GB" and the like (SI or
 * binary? say which), blanks, a leading zero, overflow. 0, -EINVAL or -ERANGE. */
int parse_size(const char *text, uint64_t *ret_bytes) __attribute__((warn_unused_result));

#endif /* SNPVMM_UTIL_NUM_H */
