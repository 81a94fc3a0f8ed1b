/* SPDX-License-Identifier: MIT */
/*
 * The launch options of `snpvmm [run]`, parsed into a plain struct. Parsing is pure (no
 * file access, no exit) so every rule about a flag is unit-tested; the caller prints
 * the diag and picks the exit status.
 */
#ifndef SNPVMM_VMM_OPTIONS_H
#define SNPVMM_VMM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/diag.h"

#define OPT_MAX_SMP	   255		/* APIC IDs must fit the 8-bit xAPIC/MADT field */
#define OPT_MIN_MEM	   (4ULL << 20) /* below this not even the boot structures fit */
#define OPT_MAX_MEM	   (1ULL << 40) /* 1 TiB: far beyond what this VMM is tested with */
#define OPT_DEFAULT_MEM	   (512ULL << 20)
#define OPT_MAX_SETUP_DATA 8

enum mem_backend {
	MEM_BACKEND_AUTO, /* guest_memfd when the kernel can map it, else anonymous memory */
	MEM_BACKEND_GMEM,
	MEM_BACKEND_ANON,
};

enum console_kind {
	CONSOLE_STDIO,
	CONSOLE_FILE,
	CONSOLE_NONE,
};

struct setup_data_opt {
	uint32_t type;
	const char *path;
};

struct vmm_options {
	const char *kernel;
	const char *initrd;
	const char *append;
	uint64_t mem_size;
	uint32_t smp;
	bool no_snp;
	enum mem_backend mem_backend;
	enum console_kind console;
	const char *console_path; /* CONSOLE_FILE */
	const char *kvm_device;	  /* default /dev/kvm */
	struct setup_data_opt setup_data[OPT_MAX_SETUP_DATA];
	unsigned int nr_setup_data;
	bool help;
	bool version;
};

/* Parses argv[1..argc-1] (argv[0] is the program or subcommand name). Returns 0, or
 * -EINVAL with d naming the offending flag and value. Strings point into argv. */
int options_parse(int argc, char **argv, struct vmm_options *ret_opts, struct diag *d)
	__attribute__((warn_unused_result));

/* "512M", "4G", "1T", "64k", or plain bytes. -EINVAL for malformed text or overflow. */
int parse_size(const char *text, uint64_t *ret_bytes) __attribute__((warn_unused_result));

/* Decimal or 0x-prefixed unsigned integer no larger than max. */
int parse_uint(const char *text, uint64_t max, uint64_t *ret_value)
	__attribute__((warn_unused_result));

/* The usage text printed by --help. */
extern const char options_usage[];

#endif /* SNPVMM_VMM_OPTIONS_H */
