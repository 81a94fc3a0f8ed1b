/* SPDX-License-Identifier: MIT */
#ifndef SNPVMM_UTIL_BASE64_H
#define SNPVMM_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Decodes standard base64 (RFC 4648 §4, '=' padding required) of exactly `want` bytes
 * into ret_buf. Blanks and line breaks anywhere are skipped, as in a wrapped file. Returns
 * 0, or -EINVAL for anything else (other characters, wrong padding, another length);
 * ret_buf is written only on success. */
int base64_decode_exact(const char *text, size_t len, uint8_t *ret_buf, size_t want)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_UTIL_BASE64_H */
