/* SPDX-License-Identifier: MIT */
#ifndef SNPVMM_UTIL_HEX_H
#define SNPVMM_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

/* 0..15 for a hex digit (either case), -1 otherwise. */
int hex_nibble(char c);

/* Exactly 2*len hex digits into len bytes, in order; ret_buf is written only on success.
 * -EINVAL with d naming `what` and the offending character. */
int hex_decode(const char *hex, uint8_t *ret_buf, size_t len, const char *what, struct diag *d)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_UTIL_HEX_H */
