// SPDX-License-Identifier: MIT
/*
 * Launch option parsing. Every rejection names the flag and the value so that the one
 * error line a user sees is enough to fix the command.
 */
#include "vmm/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char options_usage[] =
	"Usage: snpvmm [OPTIONS] --kernel BZIMAGE\n"
	"       snpvmm measure [OPTIONS]     predict a launch digest (see: snpvmm measure --help)\n"
	"       snpvmm id-block [OPTIONS]    build and sign an SNP ID block (see: snpvmm id-block "
	"--help)\n"
	"\n"
	"Launch a guest from a Linux bzImage, with no firmware.\n"
	"\n"
	"Guest image:\n"
	"  --kernel FILE             bzImage to boot (boot protocol 2.12 or later, 64-bit entry)\n"
	"  --initrd FILE             initial ramdisk\n"
	"  --append TEXT             kernel command line\n"
	"  --setup-data TYPE,FILE    append a boot_params setup_data node of TYPE with FILE's "
	"bytes\n"
	"                            (repeatable, up to 8)\n"
	"\n"
	"Machine:\n"
	"  --mem SIZE                guest RAM: 512M, 4G, or bytes; 4M..1T, page multiple\n"
	"                            (default 512M); RAM above 3 GiB continues at 4 GiB\n"
	"  --smp N                   vCPUs, 1..255 (default 1); vCPU id = APIC id\n"
	"  --memory-backend KIND     auto|gmem|anon: guest_memfd or anonymous memory for RAM\n"
	"                            (default auto: guest_memfd when the kernel can mmap it)\n"
	"  --console KIND            stdio|file:PATH|none: where the UART at 0x3f8 goes\n"
	"                            (default stdio)\n"
	"  --kvm-device PATH         KVM device (default /dev/kvm)\n"
	"\n"
	"Mode:\n"
	"  --no-snp                  boot as a plain (unencrypted, unmeasured) KVM guest\n"
	"\n"
	"  -h, --help                this text\n"
	"  --version                 print the version\n"
	"\n"
	"Exit status: 0 the guest reset or powered off; 1 the VMM failed; 2 bad usage;\n"
	"3 the guest crashed (triple fault / KVM shutdown or internal error).\n";

enum {
	OPT_KERNEL = 0x100,
	OPT_INITRD,
	OPT_APPEND,
	OPT_MEM,
	OPT_SMP,
	OPT_NO_SNP,
	OPT_MEMORY_BACKEND,
	OPT_CONSOLE,
	OPT_KVM_DEVICE,
	OPT_SETUP_DATA,
	OPT_VERSION,
};

static const struct option long_options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "no-snp", no_argument, NULL, OPT_NO_SNP },
	{ "memory-backend", required_argument, NULL, OPT_MEMORY_BACKEND },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "kvm-device", required_argument, NULL, OPT_KVM_DEVICE },
	{ "setup-data", required_argument, NULL, OPT_SETUP_DATA },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int parse_uint(const char *text, uint64_t max, uint64_t *ret_value)
{
	unsigned long long v;
	char *end;

	if (!text || !*text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret_value = v;
	return 0;
}

int parse_size(const char *text, uint64_t *ret_bytes)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1] != '\0')
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*ret_bytes = (uint64_t)v << shift;
	return 0;
}

static int parse_setup_data(const char *arg, struct vmm_options *o, struct diag *d)
{
	const char *comma = strchr(arg, ',');
	char type_text[24];
	uint64_t type;
	size_t n;

	if (o->nr_setup_data == OPT_MAX_SETUP_DATA)
		return diag_fail(d, -EINVAL, "--setup-data: at most %d entries",
				 OPT_MAX_SETUP_DATA);
	n = comma ? (size_t)(comma - arg) : 0;
	if (!comma || n == 0 || n >= sizeof(type_text) || comma[1] == '\0')
		return diag_fail(d, -EINVAL, "--setup-data '%s': expected TYPE,FILE", arg);
	memcpy(type_text, arg, n);
	type_text[n] = '\0';
	/* SETUP_NONE (0) ends nothing and SETUP_INDIRECT (bit 31) needs a nested layout this
	 * option cannot express (boot.rst "setup_data"). */
	if (parse_uint(type_text, UINT32_MAX, &type) || type == 0 || (type & 0x80000000u))
		return diag_fail(
			d, -EINVAL,
			"--setup-data '%s': TYPE must be a non-zero number below 0x80000000", arg);
	o->setup_data[o->nr_setup_data].type = (uint32_t)type;
	o->setup_data[o->nr_setup_data].path = comma + 1;
	o->nr_setup_data++;
	return 0;
}

static int parse_console(const char *arg, struct vmm_options *o, struct diag *d)
{
	if (!strcmp(arg, "stdio")) {
		o->console = CONSOLE_STDIO;
	} else if (!strcmp(arg, "none")) {
		o->console = CONSOLE_NONE;
	} else if (!strncmp(arg, "file:", 5) && arg[5] != '\0') {
		o->console = CONSOLE_FILE;
		o->console_path = arg + 5;
	} else {
		return diag_fail(d, -EINVAL, "--console '%s': expected stdio, file:PATH or none",
				 arg);
	}
	return 0;
}

static int parse_one(int opt, const char *arg, struct vmm_options *o, struct diag *d)
{
	uint64_t v;

	switch (opt) {
	case OPT_KERNEL:
		o->kernel = arg;
		return 0;
	case OPT_INITRD:
		o->initrd = arg;
		return 0;
	case OPT_APPEND:
		o->append = arg;
		return 0;
	case OPT_MEM:
		if (parse_size(arg, &v))
			return diag_fail(d, -EINVAL,
					 "--mem '%s': expected a size such as 512M, 4G or bytes",
					 arg);
		if (v < OPT_MIN_MEM || v > OPT_MAX_MEM)
			return diag_fail(d, -EINVAL, "--mem '%s': must be between 4M and 1T", arg);
		if (v & 0xfff)
			return diag_fail(d, -EINVAL, "--mem '%s': must be a multiple of 4 KiB",
					 arg);
		o->mem_size = v;
		return 0;
	case OPT_SMP:
		if (parse_uint(arg, UINT32_MAX, &v) || v < 1 || v > OPT_MAX_SMP)
			return diag_fail(d, -EINVAL, "--smp '%s': must be a number from 1 to %d",
					 arg, OPT_MAX_SMP);
		o->smp = (uint32_t)v;
		return 0;
	case OPT_NO_SNP:
		o->no_snp = true;
		return 0;
	case OPT_MEMORY_BACKEND:
		if (!strcmp(arg, "auto"))
			o->mem_backend = MEM_BACKEND_AUTO;
		else if (!strcmp(arg, "gmem"))
			o->mem_backend = MEM_BACKEND_GMEM;
		else if (!strcmp(arg, "anon"))
			o->mem_backend = MEM_BACKEND_ANON;
		else
			return diag_fail(d, -EINVAL,
					 "--memory-backend '%s': expected auto, gmem or anon", arg);
		return 0;
	case OPT_CONSOLE:
		return parse_console(arg, o, d);
	case OPT_KVM_DEVICE:
		o->kvm_device = arg;
		return 0;
	case OPT_SETUP_DATA:
		return parse_setup_data(arg, o, d);
	case 'h':
		o->help = true;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	default:
		return -EINVAL;
	}
}

int options_parse(int argc, char **argv, struct vmm_options *ret_opts, struct diag *d)
{
	struct vmm_options o = {
		.mem_size = OPT_DEFAULT_MEM,
		.smp = 1,
		.mem_backend = MEM_BACKEND_AUTO,
		.console = CONSOLE_STDIO,
		.kvm_device = "/dev/kvm",
	};
	int opt, r;

	/* optind = 0 makes GNU getopt start afresh, so parsing can run more than once. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if (opt == '?')
			return diag_fail(d, -EINVAL, "unknown option '%s' (see --help)",
					 argv[optind - 1]);
		if (opt == ':')
			return diag_fail(d, -EINVAL, "option '%s' needs a value", argv[optind - 1]);
		r = parse_one(opt, optarg, &o, d);
		if (r < 0)
			return r;
	}
	if (optind < argc)
		return diag_fail(d, -EINVAL, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!o.help && !o.version && !o.kernel)
		return diag_fail(d, -EINVAL, "--kernel is required (see --help)");
	*ret_opts = o;
	return 0;
}
