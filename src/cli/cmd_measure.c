// SPDX-License-Identifier: MIT
/*
 * snpvmm measure: the SNP launch digest of a QEMU + OVMF guest, with sev-snp-measure's
 * options and output (virtee/sev-snp-measure sevsnpmeasure/cli.py; the algorithm is its
 * guest.py snp_calc_launch_digest(), see docs/snp-launch.md).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/option_table.h"
#include "snp/launch_digest.h"
#include "snp/qemu_layout.h"
#include "snp/sev_hashes.h"
#include "snp/vcpu_sig.h"
#include "snp/vmsa.h"
#include "util/diag.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/num.h"
#include "util/source.h"
#include "vmm/options.h"

enum measure_mode {
	MEASURE_SNP,
	MEASURE_SNP_OVMF_HASH,
};

struct measure_opts {
	enum measure_mode mode;
	const char *ovmf, *kernel, *initrd, *append;
	const char *vcpu_type, *ovmf_hash, *trace, *dump_dir;
	bool dump_vmsa, verbose, base64;
	bool has_vcpus, has_family, has_model, has_stepping;
	unsigned int vcpus;
	uint64_t vcpu_sig, family, model, stepping, guest_features;
	enum snp_vmm_type vmm;
	bool json, help;
	/* The command line, for --dump-vmsa's look at the argument after it. */
	int argc;
	char **argv;
};

/* One line on stderr, and the exit status to return (commands.h). */
__attribute__((format(printf, 2, 3))) static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("snpvmm measure: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static bool is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

#define MEASURE_OPT(field) offsetof(struct measure_opts, field)

static int set_vcpus(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;
	uint64_t v;

	if (parse_uint(arg, UINT_MAX, &v) < 0)
		return diag_fail(d, -EINVAL, "--vcpus: '%s' is not a vCPU count", arg);
	o->vcpus = (unsigned int)v;
	o->has_vcpus = true;
	return 0;
}

static int set_vcpu_type(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	if (snp_vcpu_type_sig(arg, &(uint32_t){ 0 }) < 0)
		return diag_fail(d, -EINVAL, "--vcpu-type: unknown vCPU type '%s' (known: %s)", arg,
				 snp_vcpu_type_names());
	o->vcpu_type = arg;
	return 0;
}

static int set_vcpu_sig(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	if (parse_uint(arg, UINT32_MAX, &o->vcpu_sig) < 0)
		return diag_fail(d, -EINVAL,
				 "--vcpu-sig: '%s' is not a 32-bit number (decimal or 0x hex)",
				 arg);
	return 0;
}

/* --vcpu-family, --vcpu-model, --vcpu-stepping: a 32-bit number, and that it was given. */
static int parse_sig_part(const struct option_row *row, const char *arg, uint64_t *ret,
			  bool *ret_given, struct diag *d)
{
	if (parse_uint(arg, UINT32_MAX, ret) < 0)
		return diag_fail(d, -EINVAL, "--%s: '%s' is not a number (decimal or 0x hex)",
				 row->name, arg);
	*ret_given = true;
	return 0;
}

static int set_vcpu_family(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	return parse_sig_part(row, arg, &o->family, &o->has_family, d);
}

static int set_vcpu_model(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	return parse_sig_part(row, arg, &o->model, &o->has_model, d);
}

static int set_vcpu_stepping(const struct option_row *row, const char *arg, void *ctx,
			     struct diag *d)
{
	struct measure_opts *o = ctx;

	return parse_sig_part(row, arg, &o->stepping, &o->has_stepping, d);
}

static int set_vmm_type(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	if (snp_vmm_type_parse(arg, &o->vmm) < 0)
		return diag_fail(d, -EINVAL, "unknown VMM type '%s' (QEMU, ec2, gce)", arg);
	return 0;
}

static int set_guest_features(const struct option_row *row, const char *arg, void *ctx,
			      struct diag *d)
{
	struct measure_opts *o = ctx;

	if (parse_uint(arg, UINT64_MAX, &o->guest_features) < 0)
		return diag_fail(d, -EINVAL,
				 "--guest-features: '%s' is not a 64-bit number (decimal or 0x "
				 "hex)",
				 arg);
	return 0;
}

static int set_mode(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	if (strcmp(arg, "snp") == 0)
		o->mode = MEASURE_SNP;
	else if (strcmp(arg, "snp:ovmf-hash") == 0)
		o->mode = MEASURE_SNP_OVMF_HASH;
	else if (!strcmp(arg, "sev") || !strcmp(arg, "seves") || !strcmp(arg, "snp:svsm"))
		return diag_fail(d, -EINVAL, "--mode %s is not supported (snp, snp:ovmf-hash)",
				 arg);
	else
		return diag_fail(d, -EINVAL, "unknown --mode '%s' (snp, snp:ovmf-hash)", arg);
	return 0;
}

static int set_output_format(const struct option_row *row, const char *arg, void *ctx,
			     struct diag *d)
{
	struct measure_opts *o = ctx;

	if (strcmp(arg, "hex") && strcmp(arg, "base64"))
		return diag_fail(d, -EINVAL, "--output-format: '%s' is not hex or base64", arg);
	o->base64 = strcmp(arg, "base64") == 0;
	return 0;
}

/* sev-snp-measure's --dump-vmsa takes no value; a directory after it is taken as ours.
 * The table parses in order (getopt's '+'), so optind is the argument after the flag. */
static int set_dump_vmsa(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	o->dump_vmsa = true;
	o->dump_dir = arg;
	if (!arg && optind < o->argc && o->argv[optind][0] != '-' && is_directory(o->argv[optind]))
		o->dump_dir = o->argv[optind++];
	return 0;
}

static const struct option_row measure_rows[] = {
	{ .name = "ovmf",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "OVMF image (-bios), loaded to end at 4 GiB",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(ovmf) },
	{ .name = "vcpus",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "number of vCPUs (one VMSA each)",
	  .set = set_vcpus },
	{ .name = "vcpu-type",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "NAME",
	  .help = "",
	  .help_of = snp_vcpu_type_names,
	  .set = set_vcpu_type },
	{ .name = "vcpu-sig",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "CPUID(1).EAX signature",
	  .set = set_vcpu_sig },
	{ .name = "vcpu-family",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "F",
	  .help = "the signature from its parts: family,",
	  .set = set_vcpu_family },
	{ .name = "vcpu-model",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "M",
	  .help = "model",
	  .set = set_vcpu_model },
	{ .name = "vcpu-stepping",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "S",
	  .help = "and stepping (all three together)",
	  .set = set_vcpu_stepping },
	{ .name = "vmm-type",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "TYPE",
	  .help = "QEMU (default), ec2 or gce",
	  .set = set_vmm_type },
	{ .name = "kernel",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "measured direct boot: kernel hashed into the OVMF hashes page",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(kernel) },
	{ .name = "initrd",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "initrd (needs --kernel)",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(initrd) },
	{ .name = "append",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "CMDLINE",
	  .help = "kernel command line (needs --kernel)",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(append) },
	{ .name = "guest-features",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "VMSA SEV_FEATURES (default 0x1)",
	  .set = set_guest_features },
	{ .name = "mode",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "MODE",
	  .help = "snp (default) or snp:ovmf-hash (firmware pages only)",
	  .set = set_mode },
	{ .name = "snp-ovmf-hash",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "precomputed snp:ovmf-hash result; skips hashing the firmware",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(ovmf_hash) },
	{ .name = "output-format",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FMT",
	  .help = "hex (default) or base64",
	  .set = set_output_format },
	{ .name = "trace",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "write every PAGE_INFO step as trace.tsv lines (header first)\n"
		  "to FILE; '-' writes them to stdout before the digest",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(trace) },
	{ .name = "dump-vmsa",
	  .arg = OPTION_ARG_OPTIONAL,
	  .metavar = "[=DIR]",
	  .help = "write the measured VMSAs as vmsa0.bin, vmsa1.bin, ... into\n"
		  "DIR (default: the current directory; `--dump-vmsa DIR` also\n"
		  "works when DIR is an existing directory)",
	  .set = set_dump_vmsa },
	{ .name = "verbose",
	  .short_name = 'v',
	  .help = "print 'Calculated SEV_SNP guest measurement: ...'",
	  .set = option_set_true,
	  .offset = MEASURE_OPT(verbose) },
	/* cmd_measure() takes --json out of argv before parsing (the own layout's launch
	 * options do not know it), so this row serves --help and a second --json. */
	{ .name = "json",
	  .help = "print {\"layout\", \"measurement\" (hex),\n"
		  "\"measurement_base64\"} as one JSON line (either layout)",
	  .set = option_set_true,
	  .offset = MEASURE_OPT(json) },
	{ .name = "help",
	  .short_name = 'h',
	  .help = "this text",
	  .set = option_set_true,
	  .offset = MEASURE_OPT(help) },
	{ .help = "\n"
		  "Without --ovmf, snpvmm's own firmware-less layout is measured, from the same\n"
		  "launch options a launch takes (snpvmm --help), with the same plan code:\n"
		  "  snpvmm measure --kernel FILE [--initrd FILE] [--append TEXT] [--mem SIZE]\n"
		  "                 [--smp N] [--sev-features LIST] [--secure-tsc]\n"
		  "                 [--cbitpos N (default 51)] [--boot hashes|content (default "
		  "hashes)]\n"
		  "                 [--setup-data TYPE,FILE] [--trace FILE|-] [--dump-vmsa DIR]\n"
		  "Numbers: decimal or 0x hex; a leading 0 before more digits is refused (no "
		  "octal).\n"
		  "The images are streamed: memory use does not grow with their size.\n"
		  "Exit status: 0 digest printed, 1 bad input file, 2 usage error.\n" },
};

/* The QEMU + OVMF layout's table; without --ovmf the launch options are run's
 * (cmd_measure_own.c). */
const struct option_table measure_options = {
	.command = "snpvmm measure",
	.synopsis =
		"usage: snpvmm measure --ovmf FILE --vcpus N (--vcpu-type NAME | --vcpu-sig N |\n"
		"                      --vcpu-family F --vcpu-model M --vcpu-stepping S) "
		"[options]\n"
		"\n"
		"Print the SEV-SNP launch digest of a QEMU + OVMF guest, as sev-snp-measure does.\n"
		"\n",
	.rows = measure_rows,
	.nr_rows = sizeof(measure_rows) / sizeof(measure_rows[0]),
	.help_column = 25,
	.in_order = true,
};

/* Returns 0 or an exit status. */
static int parse_args(int argc, char **argv, struct measure_opts *o, bool *ret_help)
{
	struct diag d = { "" };

	memset(o, 0, sizeof(*o));
	o->guest_features = 0x1; /* sev-snp-measure default */
	o->argc = argc;
	o->argv = argv;
	*ret_help = false;
	if (option_table_parse(&measure_options, argc, argv, o, &d) < 0)
		return fail(EXIT_USAGE, "%s", d.msg);
	*ret_help = o->help;
	return 0;
}

/* sev-snp-measure get_vcpu_sig(): family, then sig, then type; a zero family or sig counts
 * as absent there, and so it does here. ec2 and gce need none. */
static int resolve_sig(const struct measure_opts *o, uint32_t *ret_sig)
{
	*ret_sig = 0;
	if (o->has_family && o->family) {
		if (!o->has_model || !o->has_stepping)
			return fail(EXIT_USAGE,
				    "--vcpu-family needs --vcpu-model and --vcpu-stepping");
		*ret_sig = snp_vcpu_sig((uint32_t)o->family, (uint32_t)o->model,
					(uint32_t)o->stepping);
	} else if (o->vcpu_sig) {
		*ret_sig = (uint32_t)o->vcpu_sig;
	} else if (o->vcpu_type) {
		if (snp_vcpu_type_sig(o->vcpu_type, ret_sig) < 0)
			return fail(EXIT_USAGE, "unknown vCPU type '%s'", o->vcpu_type);
	} else if (o->vmm == SNP_VMM_QEMU) {
		return fail(EXIT_USAGE, "missing --vcpu-type or --vcpu-sig or --vcpu-family in "
					"guest mode 'snp'");
	}
	return 0;
}

static void trace_line(void *opaque, const struct launch_digest_step *step)
{
	char line[LAUNCH_DIGEST_TRACE_LINE_MAX];

	if (launch_digest_step_format(step, line, sizeof(line)) >= 0)
		fprintf(opaque, "%s\n", line);
}

static int print_digest(const struct measure_opts *o, const uint8_t ld[SNP_LD_SIZE])
{
	char text[2 * SNP_LD_SIZE + 1];

	_Static_assert(4 * (SNP_LD_SIZE / 3) + 1 <= sizeof(text), "base64 fits");
	if (o->base64 && o->mode == MEASURE_SNP)
		EVP_EncodeBlock((unsigned char *)text, ld, SNP_LD_SIZE);
	else
		snp_hex(ld, SNP_LD_SIZE, text);
	if (o->verbose && o->mode == MEASURE_SNP)
		printf("Calculated SEV_SNP guest measurement: %s\n", text);
	else
		printf("%s\n", text);
	return fflush(stdout) == 0 ? 0 : fail(1, "cannot write the digest: %s", strerror(errno));
}

static int dump_vmsas(const struct measure_opts *o, const struct qemu_layout_params *p)
{
	uint8_t page[VMSA_PAGE_SIZE];
	char path[4096];
	struct diag d = { "" };
	unsigned int i;
	FILE *f;
	bool ok;
	int n;

	for (i = 0; i < p->vcpus; i++) {
		if (qemu_layout_vmsa(p, i, page, &d) < 0)
			return fail(1, "%s", d.msg);
		n = snprintf(path, sizeof(path), "%s/vmsa%u.bin", o->dump_dir ? o->dump_dir : ".",
			     i);
		if (n < 0 || (size_t)n >= sizeof(path))
			return fail(1, "--dump-vmsa: directory name too long");
		if (file_create_stream(path, "VMSA file", &f, &d) < 0)
			return fail(1, "%s", d.msg);
		ok = fwrite(page, 1, sizeof(page), f) == sizeof(page);
		if (fclose(f) != 0)
			ok = false;
		if (!ok)
			return fail(1, "cannot write '%s'", path);
	}
	return 0;
}

/* The firmware, streamed: its pages are read in pieces, and only its tail (footer table,
 * SEV metadata) is kept in memory for parsing. */
struct firmware_input {
	struct byte_source file;
	uint8_t *tail;
	size_t tail_len;
};

/* The footer table sits in the last 32 bytes + at most 64 KiB, the SEV metadata a few KiB
 * before the end in every OVMF build; 1 MiB leaves room. */
#define FIRMWARE_TAIL_MAX (1u << 20)

/* Everything after option parsing; files are opened and closed by the caller. Writes the
 * digest (or, in snp:ovmf-hash mode, the firmware hash) to ret_ld without printing it. */
static int measure(const struct measure_opts *o, const struct firmware_input *fw,
		   const struct sev_hashes *hashes, uint32_t sig, FILE *trace,
		   uint8_t ret_ld[SNP_LD_SIZE])
{
	struct qemu_layout_params p = {
		.firmware = fw->tail,
		.firmware_len = (size_t)fw->file.size,
		.firmware_source = &fw->file,
		.firmware_tail_len = fw->tail_len,
		.vcpus = o->vcpus,
		.vcpu_sig = sig,
		.guest_features = o->guest_features,
		.vmm = o->vmm,
		.hashes = hashes,
	};
	uint8_t seed[SNP_LD_SIZE];
	struct launch_digest ld;
	struct diag d = { "" };
	int r, status;

	if (o->mode == MEASURE_SNP && o->ovmf_hash) {
		if (hex_decode(o->ovmf_hash, seed, SNP_LD_SIZE, "--snp-ovmf-hash", NULL) < 0)
			return fail(EXIT_USAGE, "--snp-ovmf-hash: expected 96 hex digits");
		p.ovmf_hash = seed;
	}
	r = launch_digest_init(&ld, NULL);
	if (r < 0)
		return fail(1, "cannot set up SHA-384: %s", strerror(-r));
	if (trace) {
		fprintf(trace, "%s\n", LAUNCH_DIGEST_TRACE_HEADER);
		launch_digest_set_trace(&ld, trace_line, trace);
	}
	if (o->mode == MEASURE_SNP_OVMF_HASH)
		r = qemu_layout_ovmf_hash_source(&fw->file, &ld, &d);
	else
		r = qemu_layout_measure(&p, &ld, &d);
	if (r < 0) {
		status = fail(1, "'%s': %s", o->ovmf, d.msg[0] ? d.msg : strerror(-r));
		goto out_fini;
	}
	if (trace && fflush(trace) != 0) {
		status = fail(1, "cannot write the trace: %s", strerror(errno));
		goto out_fini;
	}
	if (o->dump_vmsa && o->mode == MEASURE_SNP) {
		status = dump_vmsas(o, &p);
		if (status)
			goto out_fini;
	}
	memcpy(ret_ld, ld.ld, SNP_LD_SIZE);
	status = 0;
out_fini:
	launch_digest_fini(&ld);
	return status;
}

/* QEMU maps the firmware to end at 4 GiB and loads the kernel and initrd below 4 GiB
 * (hw/i386/x86.c x86_load_linux(): "initrd is too large" past initrd_addr_max, a 32-bit
 * field): no larger file can be part of a launch, so none is read. */
#define QEMU_MAX_IMAGE_BYTES (4ull << 30)

static int open_optional(const char *path, const char *what, struct byte_source *s)
{
	struct diag d = { "" };

	if (!path)
		return 0;
	if (source_open_file(s, path, what, QEMU_MAX_IMAGE_BYTES, &d) < 0)
		return fail(1, "%s", d.msg);
	return 0;
}

static int open_firmware(const char *path, struct firmware_input *fw)
{
	struct diag d = { "" };
	int status = open_optional(path, "firmware", &fw->file);

	if (status)
		return status;
	fw->tail_len =
		fw->file.size < FIRMWARE_TAIL_MAX ? (size_t)fw->file.size : FIRMWARE_TAIL_MAX;
	fw->tail = malloc(fw->tail_len ? fw->tail_len : 1);
	if (!fw->tail)
		return fail(1, "out of memory");
	if (source_read(&fw->file, fw->file.size - fw->tail_len, fw->tail, fw->tail_len, &d) < 0)
		return fail(1, "%s", d.msg);
	return 0;
}

/* Whether argv asks for the QEMU+OVMF layout (or for help); else it is snpvmm's own. */
static bool wants_ovmf_layout(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--ovmf") || !strncmp(argv[i], "--ovmf=", 7) ||
		    !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return argc < 2;
}

/* Parses and computes the QEMU+OVMF digest without printing it; 0 or an exit status.
 * *ret_help is set, and nothing computed, for --help. */
static int ovmf_digest(int argc, char **argv, struct measure_opts *o, uint8_t ret_ld[SNP_LD_SIZE],
		       bool *ret_help)
{
	struct firmware_input fw = { .file = { .fd = -1 } };
	struct byte_source kernel = { .fd = -1 }, initrd = { .fd = -1 };
	struct diag d = { "" };
	struct sev_hashes hashes;
	FILE *trace = NULL;
	uint32_t sig = 0;
	int status, r;

	status = parse_args(argc, argv, o, ret_help);
	if (status || *ret_help)
		return status;
	if (!o->ovmf)
		return fail(EXIT_USAGE, "missing --ovmf FILE (see 'snpvmm measure --help')");
	if (o->mode == MEASURE_SNP) {
		if ((o->initrd && *o->initrd) && !o->kernel)
			return fail(EXIT_USAGE, "--kernel required when using --initrd");
		if ((o->append && *o->append) && !o->kernel)
			return fail(EXIT_USAGE, "--kernel required when using --append");
		if (!o->has_vcpus)
			return fail(EXIT_USAGE, "missing --vcpus N in guest mode 'snp'");
		if (o->vcpus < 1 || o->vcpus > QEMU_LAYOUT_MAX_VCPUS)
			return fail(EXIT_USAGE, "--vcpus must be between 1 and %u",
				    QEMU_LAYOUT_MAX_VCPUS);
		status = resolve_sig(o, &sig);
		if (status)
			return status;
	}

	status = open_firmware(o->ovmf, &fw);
	if (status)
		goto out_unmap;
	if (o->mode == MEASURE_SNP && o->kernel) {
		status = open_optional(o->kernel, "kernel", &kernel);
		if (!status && o->initrd && *o->initrd)
			status = open_optional(o->initrd, "initrd", &initrd);
		if (status)
			goto out_unmap;
		r = sev_hashes_compute_sources(&kernel, o->initrd && *o->initrd ? &initrd : NULL,
					       o->append, &hashes, &d);
		if (r < 0) {
			status = fail(1, "hashing the kernel/initrd failed: %s",
				      d.msg[0] ? d.msg : strerror(-r));
			goto out_unmap;
		}
	}
	if (o->trace) {
		d = (struct diag){ "" };
		trace = stdout;
		if (strcmp(o->trace, "-") != 0 &&
		    file_create_stream(o->trace, "trace file", &trace, &d) < 0) {
			trace = NULL;
			status = fail(1, "%s", d.msg);
			goto out_unmap;
		}
	}
	status = measure(o, &fw, o->mode == MEASURE_SNP && o->kernel ? &hashes : NULL, sig, trace,
			 ret_ld);
	if (trace && trace != stdout && fclose(trace) != 0 && status == 0)
		status = fail(1, "cannot write trace file '%s'", o->trace);
out_unmap:
	source_close(&initrd);
	source_close(&kernel);
	source_close(&fw.file);
	free(fw.tail);
	return status;
}

/* Takes a flag without a value out of argv; true if it was there. */
static bool take_switch(int *argc, char **argv, const char *name)
{
	int i, j;

	for (i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
		if (strcmp(argv[i], name))
			continue;
		for (j = i; j + 1 <= *argc; j++)
			argv[j] = argv[j + 1];
		(*argc)--;
		return true;
	}
	return false;
}

/*
 * --json: {"layout", "measurement" (hex), "measurement_base64"} for a launch digest, or
 * {"layout", "ovmf_hash"} for --mode snp:ovmf-hash. The digest comes from the code that
 * prints it as text; --trace - and --verbose, which write text to stdout, are refused.
 */
static int measure_json(int argc, char **argv)
{
	unsigned char b64[4 * ((SNP_LD_SIZE + 2) / 3) + 1];
	char hex[2 * SNP_LD_SIZE + 1];
	uint8_t ld[SNP_LD_SIZE];
	bool ovmf = wants_ovmf_layout(argc, argv), help = false;
	struct measure_opts o = { .mode = MEASURE_SNP };
	json_t *out;
	int i, status, r;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--trace") && !strcmp(argv[i + 1], "-"))
			return fail(EXIT_USAGE,
				    "--json and --trace - both write to standard output");
	status = ovmf ? ovmf_digest(argc, argv, &o, ld, &help)
		      : measure_own_digest(argc, argv, ld, NULL);
	if (status)
		return status;
	if (help) {
		option_table_help(&measure_options, stdout);
		return 0;
	}
	if (o.verbose)
		return fail(EXIT_USAGE, "--json and --verbose: choose one output");
	snp_hex(ld, SNP_LD_SIZE, hex);
	EVP_EncodeBlock(b64, ld, SNP_LD_SIZE);
	if (o.mode != MEASURE_SNP)
		out = json_pack("{s:s,s:s}", "layout", "qemu-ovmf", "ovmf_hash", hex);
	else
		out = json_pack("{s:s,s:s,s:s}", "layout", ovmf ? "qemu-ovmf" : "snpvmm",
				"measurement", hex, "measurement_base64", (const char *)b64);
	r = out ? json_dumpf(out, stdout, JSON_COMPACT) : -1;
	json_decref(out);
	if (r < 0 || putchar('\n') == EOF || fflush(stdout) != 0)
		return fail(1, "cannot write the JSON output");
	return 0;
}

int cmd_measure(int argc, char **argv)
{
	uint8_t ld[SNP_LD_SIZE];
	struct measure_opts o;
	bool help;
	int status;

	if (take_switch(&argc, argv, "--json"))
		return measure_json(argc, argv);
	if (!wants_ovmf_layout(argc, argv))
		return cmd_measure_own(argc, argv);
	status = ovmf_digest(argc, argv, &o, ld, &help);
	if (status)
		return status;
	if (help) {
		option_table_help(&measure_options, stdout);
		return 0;
	}
	return print_digest(&o, ld);
}

int measure_digest(int argc, char **argv, uint8_t ret_ld[SNP_LD_SIZE],
		   struct vmm_options *ret_launch)
{
	struct measure_opts o;
	bool help;
	int status;

	if (!wants_ovmf_layout(argc, argv))
		return measure_own_digest(argc, argv, ret_ld, ret_launch);
	status = ovmf_digest(argc, argv, &o, ret_ld, &help);
	if (status)
		return status;
	if (help)
		return fail(EXIT_USAGE, "--help is not a launch option");
	if (o.mode != MEASURE_SNP)
		return fail(EXIT_USAGE, "--mode snp:ovmf-hash hashes the firmware alone; a report "
					"carries the launch digest (--mode snp)");
	if (ret_launch)
		memset(ret_launch, 0, sizeof(*ret_launch));
	return 0;
}
