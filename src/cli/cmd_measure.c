// SPDX-License-Identifier: MIT
/*
 * snpvmm measure: the SNP launch digest of snpvmm's own layout (cmd_measure_own.c), or,
 * with --ovmf, of a QEMU + OVMF guest, with sev-snp-measure's options and output
 * (virtee/sev-snp-measure sevsnpmeasure/cli.py; the algorithm is its guest.py
 * snp_calc_launch_digest(), see docs/snp-launch.md). One option table takes the flags of
 * both layouts (its own rows, sev-snp-measure's and the launch options it includes); the
 * layout follows from what was parsed, and the other layout's flags are refused.
 */
#include <errno.h>
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
#include "cli/options.h"
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

/* sev-snp-measure's options: the QEMU + OVMF layout's alone (qemu_ovmf_options). */
struct qemu_opts {
	enum measure_mode mode;
	const char *vcpu_type, *ovmf_hash;
	bool verbose, base64;
	bool has_vcpus, has_family, has_model, has_stepping;
	unsigned int vcpus;
	uint64_t vcpu_sig, family, model, stepping, guest_features;
	enum snp_vmm_type vmm;
};

/* What measure_options parsed. */
struct measure_opts {
	const char *ovmf; /* given: the QEMU + OVMF layout; else snpvmm's own */
	const char *trace, *dump_dir;
	bool dump_vmsa, json, help;
	/* --kernel, --initrd and --append for both layouts; the other launch options
	 * (run_options, included) for snpvmm's own. */
	struct vmm_options launch;
	struct qemu_opts qemu;
	/* The first flag given of each layout's own, to refuse it in the other layout. */
	const char *launch_flag, *qemu_flag;
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
#define QEMU_OPT(field)	   offsetof(struct qemu_opts, field)

static int set_vcpus(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct qemu_opts *o = ctx;
	uint64_t v;

	if (parse_uint(arg, UINT_MAX, &v) < 0)
		return diag_fail(d, -EINVAL, "--vcpus: '%s' is not a vCPU count", arg);
	o->vcpus = (unsigned int)v;
	o->has_vcpus = true;
	return 0;
}

static int set_vcpu_type(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct qemu_opts *o = ctx;

	if (snp_vcpu_type_sig(arg, &(uint32_t){ 0 }) < 0)
		return diag_fail(d, -EINVAL, "--vcpu-type: unknown vCPU type '%s' (known: %s)", arg,
				 snp_vcpu_type_names());
	o->vcpu_type = arg;
	return 0;
}

static int set_vcpu_sig(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct qemu_opts *o = ctx;

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
	struct qemu_opts *o = ctx;

	return parse_sig_part(row, arg, &o->family, &o->has_family, d);
}

static int set_vcpu_model(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct qemu_opts *o = ctx;

	return parse_sig_part(row, arg, &o->model, &o->has_model, d);
}

static int set_vcpu_stepping(const struct option_row *row, const char *arg, void *ctx,
			     struct diag *d)
{
	struct qemu_opts *o = ctx;

	return parse_sig_part(row, arg, &o->stepping, &o->has_stepping, d);
}

static int set_vmm_type(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct qemu_opts *o = ctx;

	if (snp_vmm_type_parse(arg, &o->vmm) < 0)
		return diag_fail(d, -EINVAL, "unknown VMM type '%s' (QEMU, ec2, gce)", arg);
	return 0;
}

static int set_guest_features(const struct option_row *row, const char *arg, void *ctx,
			      struct diag *d)
{
	struct qemu_opts *o = ctx;

	if (parse_uint(arg, UINT64_MAX, &o->guest_features) < 0)
		return diag_fail(d, -EINVAL,
				 "--guest-features: '%s' is not a 64-bit number (decimal or 0x "
				 "hex)",
				 arg);
	return 0;
}

static int set_mode(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct qemu_opts *o = ctx;

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
	struct qemu_opts *o = ctx;

	if (strcmp(arg, "hex") && strcmp(arg, "base64"))
		return diag_fail(d, -EINVAL, "--output-format: '%s' is not hex or base64", arg);
	o->base64 = strcmp(arg, "base64") == 0;
	return 0;
}

/* sev-snp-measure's --dump-vmsa takes no value; ours may name the directory, after '='
 * or as the next argument (OPTION_ARG_OPTIONAL_NEXT). */
static int set_dump_vmsa(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct measure_opts *o = ctx;

	if (arg && !*arg)
		return diag_fail(d, -EINVAL, "--dump-vmsa: empty directory name");
	o->dump_vmsa = true;
	o->dump_dir = arg;
	return 0;
}

/* The flags only the QEMU + OVMF layout takes: sev-snp-measure's. */
static const struct option_row qemu_ovmf_rows[] = {
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
	  .offset = QEMU_OPT(ovmf_hash) },
	{ .name = "output-format",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FMT",
	  .help = "hex (default) or base64",
	  .set = set_output_format },
	{ .name = "verbose",
	  .short_name = 'v',
	  .help = "print 'Calculated SEV_SNP guest measurement: ...'",
	  .set = option_set_true,
	  .offset = QEMU_OPT(verbose) },
};

static const struct option_table qemu_ovmf_options = {
	.command = "snpvmm measure --ovmf",
	.synopsis = "",
	.rows = qemu_ovmf_rows,
	.nr_rows = sizeof(qemu_ovmf_rows) / sizeof(qemu_ovmf_rows[0]),
	.help_column = 25,
};

static const struct option_include qemu_ovmf_include = {
	.table = &qemu_ovmf_options,
	.ctx_offset = MEASURE_OPT(qemu),
	.given_offset = MEASURE_OPT(qemu_flag),
};

/* Every launch option of `snpvmm [run]`: snpvmm's own layout measures a launch of them. */
static const struct option_include launch_include = {
	.table = &run_options,
	.ctx_offset = MEASURE_OPT(launch),
	.given_offset = MEASURE_OPT(launch_flag),
};

static const struct option_row measure_rows[] = {
	{ .help = "Both layouts:\n" },
	{ .name = "kernel",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "bzImage: booted by snpvmm's own layout; with --ovmf, hashed\n"
		  "into the OVMF hashes page (measured direct boot)",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(launch.kernel) },
	{ .name = "initrd",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "initrd (needs --kernel)",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(launch.initrd) },
	{ .name = "append",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "CMDLINE",
	  .help = "kernel command line (needs --kernel)",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(launch.append) },
	{ .name = "trace",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "write every PAGE_INFO step as trace.tsv lines (header first)\n"
		  "to FILE; '-' writes them to stdout before the digest",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(trace) },
	{ .name = "dump-vmsa",
	  .arg = OPTION_ARG_OPTIONAL_NEXT,
	  .metavar = "[=DIR]",
	  .help = "write the measured VMSAs as vmsa0.bin, vmsa1.bin, ... into\n"
		  "the directory DIR (default: the current directory;\n"
		  "`--dump-vmsa DIR` works too)",
	  .set = set_dump_vmsa },
	{ .name = "json",
	  .help = "print {\"layout\", \"measurement\" (hex),\n"
		  "\"measurement_base64\"} as one JSON line ({\"layout\",\n"
		  "\"ovmf_hash\"} for --mode snp:ovmf-hash)",
	  .set = option_set_true,
	  .offset = MEASURE_OPT(json) },
	{ .name = "help",
	  .short_name = 'h',
	  .help = "this text",
	  .set = option_set_true,
	  .offset = MEASURE_OPT(help) },
	{ .help = "\n"
		  "QEMU + OVMF layout (sev-snp-measure's options; refused without --ovmf):\n" },
	{ .name = "ovmf",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "OVMF image (-bios), loaded to end at 4 GiB: measures a\n"
		  "QEMU + OVMF guest",
	  .set = option_set_string,
	  .offset = MEASURE_OPT(ovmf) },
	{ .include = &qemu_ovmf_include },
	{ .help = "\n"
		  "snpvmm's own layout (without --ovmf; refused with it): the launch options of\n"
		  "`snpvmm --help`, measured with the launch's own plan code. Those that do not\n"
		  "change the digest are taken and ignored, so one command line serves a launch\n"
		  "and its prediction; --no-snp, --sim and --debug-tamper-staging are refused.\n"
		  "--cbitpos defaults to 51 here, every SNP-capable EPYC's C-bit.\n" },
	{ .include = &launch_include },
	{ .help = "\n"
		  "Numbers: decimal or 0x hex; a leading 0 before more digits is refused (no "
		  "octal).\n"
		  "The images are streamed: memory use does not grow with their size.\n"
		  "Exit status: 0 digest printed, 1 bad input file, 2 usage error.\n" },
};

/* `snpvmm measure`: both layouts' flags, each layout refusing the other's. */
const struct option_table measure_options = {
	.command = "snpvmm measure",
	.synopsis =
		"usage: snpvmm measure --kernel FILE [LAUNCH OPTIONS] [--trace FILE|-]\n"
		"                      [--dump-vmsa[=DIR]] [--json]\n"
		"       snpvmm measure --ovmf FILE --vcpus N (--vcpu-type NAME | --vcpu-sig N |\n"
		"                      --vcpu-family F --vcpu-model M --vcpu-stepping S) "
		"[options]\n"
		"\n"
		"Print the SEV-SNP launch digest of snpvmm's own firmware-less layout, from the\n"
		"launch options a launch takes, or, with --ovmf, of a QEMU + OVMF guest, as\n"
		"sev-snp-measure does.\n"
		"\n",
	.rows = measure_rows,
	.nr_rows = sizeof(measure_rows) / sizeof(measure_rows[0]),
	.help_column = 25,
	.in_order = true,
};

/* Parses argv into o; 0, or an exit status after one error line. */
static int parse_args(int argc, char **argv, struct measure_opts *o)
{
	struct diag d = { "" };

	memset(o, 0, sizeof(*o));
	options_defaults(&o->launch);
	o->qemu.guest_features = 0x1; /* sev-snp-measure default */
	if (option_table_parse(&measure_options, argc, argv, o, &d) < 0)
		return fail(EXIT_USAGE, "%s", d.msg);
	return 0;
}

/* The layout is --ovmf given or not; a flag of the other layout is refused, naming the
 * first one given. 0 or an exit status. */
static int check_layout(const struct measure_opts *o)
{
	if (o->ovmf && o->launch_flag)
		return fail(EXIT_USAGE,
			    "--%s is a launch option of snpvmm's own layout, not of --ovmf (QEMU + "
			    "OVMF): see snpvmm measure --help",
			    o->launch_flag);
	if (!o->ovmf && o->qemu_flag)
		return fail(EXIT_USAGE,
			    "--%s is an option of the QEMU + OVMF layout: it needs --ovmf FILE "
			    "(snpvmm's own layout takes the launch options; see snpvmm measure "
			    "--help)",
			    o->qemu_flag);
	if (!o->ovmf && !o->launch.kernel)
		return fail(EXIT_USAGE, "missing --kernel FILE (snpvmm's own layout) or --ovmf "
					"FILE (QEMU + OVMF); see snpvmm measure --help");
	if (o->dump_dir && !is_directory(o->dump_dir))
		return fail(1, "--dump-vmsa: '%s' is not a directory", o->dump_dir);
	return 0;
}

/* sev-snp-measure get_vcpu_sig(): family, then sig, then type; a zero family or sig counts
 * as absent there, and so it does here. ec2 and gce need none. */
static int resolve_sig(const struct qemu_opts *o, uint32_t *ret_sig)
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

static int print_digest(const struct qemu_opts *o, const uint8_t ld[SNP_LD_SIZE])
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
		.vcpus = o->qemu.vcpus,
		.vcpu_sig = sig,
		.guest_features = o->qemu.guest_features,
		.vmm = o->qemu.vmm,
		.hashes = hashes,
	};
	uint8_t seed[SNP_LD_SIZE];
	struct launch_digest ld;
	struct diag d = { "" };
	int r, status;

	if (o->qemu.mode == MEASURE_SNP && o->qemu.ovmf_hash) {
		if (hex_decode(o->qemu.ovmf_hash, seed, SNP_LD_SIZE, "--snp-ovmf-hash", NULL) < 0)
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
	if (o->qemu.mode == MEASURE_SNP_OVMF_HASH)
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
	if (o->dump_vmsa && o->qemu.mode == MEASURE_SNP) {
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

/* Computes the QEMU+OVMF digest of o without printing it; 0 or an exit status. */
static int ovmf_digest(const struct measure_opts *o, uint8_t ret_ld[SNP_LD_SIZE])
{
	struct firmware_input fw = { .file = { .fd = -1 } };
	struct byte_source kernel = { .fd = -1 }, initrd = { .fd = -1 };
	const struct qemu_opts *q = &o->qemu;
	const char *kernel_path = o->launch.kernel, *initrd_path = o->launch.initrd;
	const char *append = o->launch.append;
	bool has_initrd = initrd_path && *initrd_path;
	struct diag d = { "" };
	struct sev_hashes hashes;
	FILE *trace = NULL;
	uint32_t sig = 0;
	int status, r;

	if (q->mode == MEASURE_SNP) {
		if (has_initrd && !kernel_path)
			return fail(EXIT_USAGE, "--kernel required when using --initrd");
		if ((append && *append) && !kernel_path)
			return fail(EXIT_USAGE, "--kernel required when using --append");
		if (!q->has_vcpus)
			return fail(EXIT_USAGE, "missing --vcpus N in guest mode 'snp'");
		if (q->vcpus < 1 || q->vcpus > QEMU_LAYOUT_MAX_VCPUS)
			return fail(EXIT_USAGE, "--vcpus must be between 1 and %u",
				    QEMU_LAYOUT_MAX_VCPUS);
		status = resolve_sig(q, &sig);
		if (status)
			return status;
	}

	status = open_firmware(o->ovmf, &fw);
	if (status)
		goto out_unmap;
	if (q->mode == MEASURE_SNP && kernel_path) {
		status = open_optional(kernel_path, "kernel", &kernel);
		if (!status && has_initrd)
			status = open_optional(initrd_path, "initrd", &initrd);
		if (status)
			goto out_unmap;
		r = sev_hashes_compute_sources(&kernel, has_initrd ? &initrd : NULL, append,
					       &hashes, &d);
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
	status = measure(o, &fw, q->mode == MEASURE_SNP && kernel_path ? &hashes : NULL, sig, trace,
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

/* The digest of the layout o chose, not printed: 0 or an exit status. */
static int layout_digest(const struct measure_opts *o, uint8_t ret_ld[SNP_LD_SIZE])
{
	const char *vmsa_dir = o->dump_dir ? o->dump_dir : ".";

	if (o->ovmf)
		return ovmf_digest(o, ret_ld);
	return measure_own_digest(&o->launch, o->trace, o->dump_vmsa ? vmsa_dir : NULL, ret_ld);
}

/*
 * --json: {"layout", "measurement" (hex), "measurement_base64"} for a launch digest, or
 * {"layout", "ovmf_hash"} for --mode snp:ovmf-hash. The digest comes from the code that
 * prints it as text.
 */
static int print_json(const struct measure_opts *o, const uint8_t ld[SNP_LD_SIZE])
{
	unsigned char b64[4 * ((SNP_LD_SIZE + 2) / 3) + 1];
	char hex[2 * SNP_LD_SIZE + 1];
	json_t *out;
	int r;

	snp_hex(ld, SNP_LD_SIZE, hex);
	EVP_EncodeBlock(b64, ld, SNP_LD_SIZE);
	if (o->qemu.mode != MEASURE_SNP)
		out = json_pack("{s:s,s:s}", "layout", "qemu-ovmf", "ovmf_hash", hex);
	else
		out = json_pack("{s:s,s:s,s:s}", "layout", o->ovmf ? "qemu-ovmf" : "snpvmm",
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
	int status;

	status = parse_args(argc, argv, &o);
	if (status)
		return status;
	if (o.help) {
		option_table_help(&measure_options, stdout);
		return 0;
	}
	if (o.launch.version) {
		/* main() answers --version before any subcommand; this is a direct caller. */
		printf("snpvmm %s\n", SNPVMM_VERSION);
		return 0;
	}
	status = check_layout(&o);
	if (status)
		return status;
	/* Refused before anything is read: these write text where the JSON goes. */
	if (o.json && o.trace && !strcmp(o.trace, "-"))
		return fail(EXIT_USAGE, "--json and --trace - both write to standard output");
	if (o.json && o.qemu.verbose)
		return fail(EXIT_USAGE, "--json and --verbose: choose one output");
	status = layout_digest(&o, ld);
	if (status)
		return status;
	return o.json ? print_json(&o, ld) : print_digest(&o.qemu, ld);
}

int measure_digest(int argc, char **argv, uint8_t ret_ld[SNP_LD_SIZE],
		   struct vmm_options *ret_launch)
{
	struct measure_opts o;
	int status;

	status = parse_args(argc, argv, &o);
	if (status)
		return status;
	if (o.help || o.launch.version)
		return fail(EXIT_USAGE, "--%s is not a launch option", o.help ? "help" : "version");
	status = check_layout(&o);
	if (status)
		return status;
	if (o.json)
		return fail(EXIT_USAGE, "--json formats what `snpvmm measure` prints; it is not "
					"a launch option");
	if (o.trace && !strcmp(o.trace, "-"))
		return fail(EXIT_USAGE, "--trace - would write into this command's output: give "
					"--trace FILE");
	if (o.ovmf && o.qemu.mode != MEASURE_SNP)
		return fail(EXIT_USAGE, "--mode snp:ovmf-hash hashes the firmware alone; a report "
					"carries the launch digest (--mode snp)");
	status = layout_digest(&o, ret_ld);
	if (status)
		return status;
	if (ret_launch) {
		if (o.ovmf)
			memset(ret_launch, 0, sizeof(*ret_launch));
		else
			*ret_launch = o.launch;
	}
	return 0;
}
