/* SPDX-License-Identifier: MIT */
/*
 * SHA-384 (FIPS 180-4 §6.5) for the measured boot stage. The stage runs in the guest
 * before any kernel, with no libc and no OpenSSL, so it carries this one hash; the VMM
 * uses OpenSSL, and tests/unit/test_stage_sha384.c checks the two agree. Freestanding:
 * general-purpose registers only, no allocation, no tables beyond the round constants.
 */
#ifndef SNPVMM_STAGE_SHA384_H
#define SNPVMM_STAGE_SHA384_H

#include <stddef.h>
#include <stdint.h>

#define SHA384_DIGEST_SIZE 48
#define SHA384_BLOCK_SIZE  128

struct sha384_ctx {
	uint64_t h[8];
	uint64_t bytes; /* message length so far; images are far below 2^61 bytes */
	uint8_t buf[SHA384_BLOCK_SIZE];
	size_t fill;
};

void sha384_init(struct sha384_ctx *c);
void sha384_update(struct sha384_ctx *c, const void *data, size_t len);
void sha384_final(struct sha384_ctx *c, uint8_t out[SHA384_DIGEST_SIZE]);

#endif /* SNPVMM_STAGE_SHA384_H */
