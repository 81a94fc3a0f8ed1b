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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
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
};

enum {
	OPT_OVMF = 0x100,
	OPT_VCPUS,
	OPT_VCPU_TYPE,
	OPT_VCPU_SIG,
	OPT_VCPU_FAMILY,
	OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_APPEND,
	OPT_GUEST_FEATURES,
	OPT_VMM_TYPE,
	OPT_MODE,
	OPT_OVMF_HASH,
	OPT_OUTPUT_FORMAT,
	OPT_TRACE,
	OPT_DUMP_VMSA,
};

static const struct option long_opts[] = {
	{ "ovmf", required_argument, NULL, OPT_OVMF },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
	{ "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
	{ "vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY },
	{ "vcpu-model", required_argument, NULL, OPT_VCPU_MODEL },
	{ "vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
	{ "vmm-type", required_argument, NULL, OPT_VMM_TYPE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "snp-ovmf-hash", required_argument, NULL, OPT_OVMF_HASH },
	{ "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "dump-vmsa", optional_argument, NULL, OPT_DUMP_VMSA },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: snpvmm measure --ovmf FILE --vcpus N (--vcpu-type NAME | --vcpu-sig N |\n"
		"                      --vcpu-family F --vcpu-model M --vcpu-stepping S) "
		"[options]\n"
		"\n"
		"Print the SEV-SNP launch digest of a QEMU + OVMF guest, as sev-snp-measure does.\n"
		"\n"
		"  --ovmf FILE            OVMF image (-bios), loaded to end at 4 GiB\n"
		"  --vcpus N              number of vCPUs (one VMSA each)\n"
		"  --vcpu-type NAME       %s\n"
		"  --vcpu-sig N           CPUID(1).EAX signature\n"
		"  --vcpu-family/--vcpu-model/--vcpu-stepping N   signature from its parts\n"
		"  --vmm-type TYPE        QEMU (default), ec2 or gce\n"
		"  --kernel FILE          measured direct boot: kernel hashed into the OVMF hashes "
		"page\n"
		"  --initrd FILE          initrd (needs --kernel)\n"
		"  --append CMDLINE       kernel command line (needs --kernel)\n"
		"  --guest-features N     VMSA SEV_FEATURES (default 0x1)\n"
		"  --mode MODE            snp (default) or snp:ovmf-hash (firmware pages only)\n"
		"  --snp-ovmf-hash HEX    precomputed snp:ovmf-hash result; skips hashing the "
		"firmware\n"
		"  --output-format FMT    hex (default) or base64\n"
		"  --trace FILE           write every PAGE_INFO step as trace.tsv lines (header "
		"first)\n"
		"                         to FILE; '-' writes them to stdout before the digest\n"
		"  --dump-vmsa[=DIR]      write the measured VMSAs as vmsa0.bin, vmsa1.bin, ... "
		"into\n"
		"                         DIR (default: the current directory; `--dump-vmsa DIR` "
		"also\n"
		"                         works when DIR is an existing directory)\n"
		"  -v, --verbose          print 'Calculated SEV_SNP guest measurement: ...'\n"
		"  --json                 print {\"layout\", \"measurement\" (hex),\n"
		"                         \"measurement_base64\"} as one JSON line (either "
		"layout)\n"
		"  -h, --help             this text\n"
		"\n"
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
		"Exit status: 0 digest printed, 1 bad input file, 2 usage error.\n",
		snp_vcpu_type_names());
}

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

/* Returns 0 or an exit status. */
static int parse_args(int argc, char **argv, struct measure_opts *o, bool *ret_help)
{
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->guest_features = 0x1; /* sev-snp-measure default */
	*ret_help = false;
	optind = 0; /* full getopt reset: cmd_measure may be called more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_OVMF:
			o->ovmf = optarg;
			break;
		case OPT_VCPUS:
			if (parse_uint(optarg, UINT_MAX, &v) < 0)
				return fail(EXIT_USAGE, "--vcpus: '%s' is not a vCPU count",
					    optarg);
			o->vcpus = (unsigned int)v;
			o->has_vcpus = true;
			break;
		case OPT_VCPU_TYPE:
			o->vcpu_type = optarg;
			if (snp_vcpu_type_sig(optarg, &(uint32_t){ 0 }) < 0)
				return fail(EXIT_USAGE,
					    "--vcpu-type: unknown vCPU type '%s' (known: %s)",
					    optarg, snp_vcpu_type_names());
			break;
		case OPT_VCPU_SIG:
			if (parse_uint(optarg, UINT32_MAX, &o->vcpu_sig) < 0)
				return fail(EXIT_USAGE,
					    "--vcpu-sig: '%s' is not a 32-bit number (decimal or "
					    "0x hex)",
					    optarg);
			break;
		case OPT_VCPU_FAMILY:
		case OPT_VCPU_MODEL:
		case OPT_VCPU_STEPPING:
			if (parse_uint(optarg, UINT32_MAX, &v) < 0)
				return fail(EXIT_USAGE,
					    "%s: '%s' is not a number (decimal or 0x hex)",
					    argv[optind - 1], optarg);
			if (c == OPT_VCPU_FAMILY) {
				o->family = v;
				o->has_family = true;
			} else if (c == OPT_VCPU_MODEL) {
				o->model = v;
				o->has_model = true;
			} else {
				o->stepping = v;
				o->has_stepping = true;
			}
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_GUEST_FEATURES:
			if (parse_uint(optarg, UINT64_MAX, &o->guest_features) < 0)
				return fail(
					EXIT_USAGE,
					"--guest-features: '%s' is not a 64-bit number (decimal or "
					"0x hex)",
					optarg);
			break;
		case OPT_VMM_TYPE:
			if (snp_vmm_type_parse(optarg, &o->vmm) < 0)
				return fail(EXIT_USAGE, "unknown VMM type '%s' (QEMU, ec2, gce)",
					    optarg);
			break;
		case OPT_MODE:
			if (strcmp(optarg, "snp") == 0)
				o->mode = MEASURE_SNP;
			else if (strcmp(optarg, "snp:ovmf-hash") == 0)
				o->mode = MEASURE_SNP_OVMF_HASH;
			else if (!strcmp(optarg, "sev") || !strcmp(optarg, "seves") ||
				 !strcmp(optarg, "snp:svsm"))
				return fail(EXIT_USAGE,
					    "--mode %s is not supported (snp, snp:ovmf-hash)",
					    optarg);
			else
				return fail(EXIT_USAGE, "unknown --mode '%s' (snp, snp:ovmf-hash)",
					    optarg);
			break;
		case OPT_OVMF_HASH:
			o->ovmf_hash = optarg;
			break;
		case OPT_OUTPUT_FORMAT:
			if (strcmp(optarg, "hex") && strcmp(optarg, "base64"))
				return fail(EXIT_USAGE,
					    "--output-format: '%s' is not hex or base64", optarg);
			o->base64 = strcmp(optarg, "base64") == 0;
			break;
		case OPT_TRACE:
			o->trace = optarg;
			break;
		case OPT_DUMP_VMSA:
			o->dump_vmsa = true;
			o->dump_dir = optarg;
			/* sev-snp-measure's --dump-vmsa takes no value; accept a following
			 * directory as ours. */
			if (!optarg && optind < argc && argv[optind][0] != '-' &&
			    is_directory(argv[optind]))
				o->dump_dir = argv[optind++];
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			*ret_help = true;
			return 0;
		case ':':
			return fail(EXIT_USAGE, "option '%s' needs a value", argv[optind - 1]);
		case '?':
		default:
			return fail(EXIT_USAGE, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
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
		usage(stdout);
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
		usage(stdout);
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
