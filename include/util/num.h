/* SPDX-License-Identifier: MIT */
#ifndef SNPVMM_UTIL_NUM_H
#define SNPVMM_UTIL_NUM_H

#include <stdint.h>

/* A decimal, 0x-hex or 0-octal unsigned integer (strtoull base 0) that starts with a digit,
 * has nothing after it, and is at most max. 0 or -EINVAL. */
int parse_uint(const char *text, uint64_t max, uint64_t *ret_value)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_UTIL_NUM_H */
