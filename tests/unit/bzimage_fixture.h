/* SPDX-License-Identifier: MIT */
/*
 * A minimal bzImage synthesised in memory for the boot loader tests: just the setup
 * header fields bzimage_parse() and boot_plan_build() read (boot.rst offsets), then a
 * payload of FIXTURE_PAYLOAD_SIZE bytes filled with 0xCC.
 */
#ifndef SNPVMM_TESTS_BZIMAGE_FIXTURE_H
#define SNPVMM_TESTS_BZIMAGE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <asm/bootparam.h>

#define FIXTURE_SETUP_SECTS  4
#define FIXTURE_PAYLOAD_OFF  ((FIXTURE_SETUP_SECTS + 1) * 512)
#define FIXTURE_PAYLOAD_SIZE 0x3000
#define FIXTURE_SIZE	     (FIXTURE_PAYLOAD_OFF + FIXTURE_PAYLOAD_SIZE)
#define FIXTURE_PROTOCOL     0x020F
#define FIXTURE_HEADER_END   0x268 /* 0x202 + 0x66, through handover_offset */
#define FIXTURE_INITRD_MAX   0x7FFFFFFF
#define FIXTURE_ALIGNMENT    0x200000
#define FIXTURE_CMDLINE_SIZE 2047
#define FIXTURE_PREF_ADDRESS 0x1000000ULL
#define FIXTURE_INIT_SIZE    0x2000000
#define FIXTURE_XLOADFLAGS   (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G)

#define FIXTURE_OFF(field) offsetof(struct boot_params, hdr.field)

static inline void fixture_put(uint8_t *img, size_t off, uint64_t v, size_t len)
{
	memcpy(img + off, &v, len); /* x86: little-endian */
}

#define FIXTURE_SET(img, field, v) \
	fixture_put((img), FIXTURE_OFF(field), (v), sizeof(((struct setup_header *)0)->field))

/* Caller frees. */
static inline uint8_t *fixture_bzimage(void)
{
	uint8_t *img = calloc(1, FIXTURE_SIZE);

	if (!img)
		return NULL;
	FIXTURE_SET(img, setup_sects, FIXTURE_SETUP_SECTS);
	FIXTURE_SET(img, boot_flag, 0xAA55);
	FIXTURE_SET(img, jump, 0xEB | ((FIXTURE_HEADER_END - 0x202) << 8));
	memcpy(img + FIXTURE_OFF(header), "HdrS", 4);
	FIXTURE_SET(img, version, FIXTURE_PROTOCOL);
	FIXTURE_SET(img, loadflags, LOADED_HIGH);
	FIXTURE_SET(img, initrd_addr_max, FIXTURE_INITRD_MAX);
	FIXTURE_SET(img, kernel_alignment, FIXTURE_ALIGNMENT);
	FIXTURE_SET(img, relocatable_kernel, 1);
	FIXTURE_SET(img, xloadflags, FIXTURE_XLOADFLAGS);
	FIXTURE_SET(img, cmdline_size, FIXTURE_CMDLINE_SIZE);
	FIXTURE_SET(img, pref_address, FIXTURE_PREF_ADDRESS);
	FIXTURE_SET(img, init_size, FIXTURE_INIT_SIZE);
	memset(img + FIXTURE_PAYLOAD_OFF, 0xCC, FIXTURE_PAYLOAD_SIZE);
	return img;
}

#endif /* SNPVMM_TESTS_BZIMAGE_FIXTURE_H */
