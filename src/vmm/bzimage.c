// SPDX-License-Identifier: MIT
/*
 * bzImage setup-header validation (Documentation/arch/x86/boot.rst, "The real-mode kernel
 * header"). The image is untrusted: every read is bounds-checked against `size` before it
 * happens, and sizes derived from the header are checked against the file.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmm/boot.h"

/* Offsets of setup-header fields in the file are their offsets in struct boot_params:
 * boot.rst says the header is loaded at 0x1F1 of the zero page, and the file's first
 * sectors are that zero page. */
#define HDR_OFF(field) offsetof(struct boot_params, hdr.field)

#define BOOT_FLAG_MAGIC	    0xAA55
#define HDRS_MAGIC	    0x53726448 /* "HdrS" read as a little-endian u32 */
#define SECTOR_SIZE	    512
/* boot.rst: "If [setup_sects] is 0, the real value is 4." */
#define SETUP_SECTS_DEFAULT 4

/* Every field bzimage_parse() reads, through init_size (2.10+), must be inside the file and
 * inside the header the kernel declares. */
#define HDR_MIN_END (HDR_OFF(init_size) + sizeof(uint32_t))

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "x86 only: host integers have the guest's byte order");

static uint8_t get8(const uint8_t *p, size_t off)
{
	return p[off];
}

static uint16_t get16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

int bzimage_parse(const uint8_t *image, size_t size, struct bzimage_info *ret_info, struct diag *d)
{
	return bzimage_parse_head(image, size, size, ret_info, d);
}

int bzimage_parse_head(const uint8_t *image, size_t head_len, uint64_t file_size,
		       struct bzimage_info *ret_info, struct diag *d)
{
	struct bzimage_info info = { 0 };
	unsigned int sects;
	uint32_t syssize;
	size_t size;

	if (file_size > SIZE_MAX || head_len > file_size)
		return diag_fail(d, -EFBIG, "kernel image of %llu bytes is too large",
				 (unsigned long long)file_size);
	size = (size_t)file_size;
	if (!image || size < HDR_MIN_END)
		return diag_fail(d, -ENOEXEC,
				 "kernel image is too small for a bzImage: %zu bytes, the setup "
				 "header alone ends at 0x%zx",
				 size, (size_t)HDR_MIN_END);
	/* Every field read below lies before BZIMAGE_HEAD_MIN. */
	if (head_len < BZIMAGE_HEAD_MIN && head_len < size)
		return diag_fail(d, -EINVAL, "only %zu bytes of the kernel's header were read",
				 head_len);

	if (get16(image, HDR_OFF(boot_flag)) != BOOT_FLAG_MAGIC ||
	    get32(image, HDR_OFF(header)) != HDRS_MAGIC)
		return diag_fail(d, -ENOEXEC,
				 "kernel image is not a bzImage: no boot flag 0xAA55 at 0x1FE "
				 "and \"HdrS\" at 0x202 (pass the bzImage, not vmlinux)");

	info.protocol = get16(image, HDR_OFF(version));
	if (info.protocol < BOOT_MIN_PROTOCOL)
		return diag_fail(d, -EPROTONOSUPPORT,
				 "kernel boot protocol %u.%02u is older than %u.%02u, the first "
				 "with a 64-bit entry point",
				 info.protocol >> 8, info.protocol & 0xff, BOOT_MIN_PROTOCOL >> 8,
				 BOOT_MIN_PROTOCOL & 0xff);

	/* The header's length is encoded in the jump at 0x200: "jmp short" + offset byte. */
	info.header_end = HDR_OFF(header) + get8(image, HDR_OFF(jump) + 1);
	if (info.header_end < HDR_MIN_END)
		return diag_fail(d, -ENOEXEC,
				 "kernel image is not a valid bzImage: its setup header ends at "
				 "0x%zx, before the init_size field a %u.%02u header must have",
				 info.header_end, info.protocol >> 8, info.protocol & 0xff);

	info.xloadflags = get16(image, HDR_OFF(xloadflags));
	if (!(info.xloadflags & XLF_KERNEL_64))
		return diag_fail(d, -EPROTONOSUPPORT,
				 "kernel has no 64-bit entry point (xloadflags 0x%x lacks "
				 "XLF_KERNEL_64): build it for x86_64",
				 info.xloadflags);

	info.setup_sects = get8(image, HDR_OFF(setup_sects));
	sects = info.setup_sects ? info.setup_sects : SETUP_SECTS_DEFAULT;
	/* At most 256 sectors: no overflow. */
	info.payload_offset = ((size_t)sects + 1) * SECTOR_SIZE;
	if (info.payload_offset >= size)
		return diag_fail(d, -ENOEXEC,
				 "kernel image is truncated: setup header says %u setup sectors "
				 "(payload at 0x%zx) but the file has %zu bytes",
				 sects, info.payload_offset, size);
	info.payload_size = size - info.payload_offset;
	/* boot.rst: syssize is the protected-mode code's size in 16-byte paragraphs, rounded
	 * up (arch/x86/boot/tools/build.c: sys_size = (sz + 15 + 4) / 16), so a complete
	 * image holds at least syssize * 16 - 15 payload bytes. A shorter file would load a
	 * partial kernel that runs off into zeros. */
	syssize = get32(image, HDR_OFF(syssize));
	if ((uint64_t)syssize * 16 > (uint64_t)info.payload_size + 15)
		return diag_fail(d, -ENOEXEC,
				 "kernel image is truncated: its setup header says the payload has "
				 "%llu bytes (syssize) but the file holds %zu after the setup "
				 "sectors",
				 (unsigned long long)syssize * 16, info.payload_size);

	info.relocatable = get8(image, HDR_OFF(relocatable_kernel));
	info.kernel_alignment = get32(image, HDR_OFF(kernel_alignment));
	info.initrd_addr_max = get32(image, HDR_OFF(initrd_addr_max));
	info.cmdline_size = get32(image, HDR_OFF(cmdline_size));
	info.pref_address = get64(image, HDR_OFF(pref_address));
	info.init_size = get32(image, HDR_OFF(init_size));

	*ret_info = info;
	return 0;
}
