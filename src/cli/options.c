// SPDX-License-Identifier: MIT
/*
 * Launch option parsing: the option table of `snpvmm [run]`. Every rejection names the
 * flag and the value so that the one error line a user sees is enough to fix the command.
 */
#include "cli/options.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/hex.h"
#include "util/num.h"
#include "vmm/snp_host.h"

/* The vmm_options the setters write to. */
static struct vmm_options *opts_of(void *ctx)
{
	return ctx;
}

/* --mem: parse_size()'s units. A plain number is bytes; QEMU's -m reads one as MiB, so a
 * plain number too small to be a guest in bytes gets that hint rather than a bare limit. */
static int set_mem(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	uint64_t v;
	int r = parse_size(arg, &v);

	if (r == -EINVAL)
		return diag_fail(
			d, -EINVAL,
			"--mem '%s': expected a size such as 512M, 4G, 1.5G, 4GiB or bytes "
			"(not MB/GB: SI or binary? write M or G)",
			arg);
	if (r >= 0 && v < OPT_MIN_MEM && arg[strspn(arg, "0123456789")] == '\0')
		return diag_fail(d, -EINVAL,
				 "--mem '%s': a plain number is bytes here (QEMU's -m reads it as "
				 "MiB): write %sM",
				 arg, arg);
	if (r < 0 || v < OPT_MIN_MEM || v > OPT_MAX_MEM)
		return diag_fail(d, -EINVAL, "--mem '%s': must be between 4M and 1T", arg);
	if (v & 0xfff)
		return diag_fail(d, -EINVAL, "--mem '%s': must be a multiple of 4 KiB", arg);
	opts_of(ctx)->mem_size = v;
	return 0;
}

static int set_setup_data(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct vmm_options *o = opts_of(ctx);
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

static int set_console(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct vmm_options *o = opts_of(ctx);

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

int parse_sev_features(const char *text, uint64_t *ret_features, struct diag *d)
{
	uint64_t features = 0;
	const char *p = text;

	if (!*text)
		return diag_fail(d, -EINVAL, "--sev-features: empty (say none or a list)");
	if (!strcmp(text, "auto"))
		return diag_fail(
			d, -EINVAL,
			"--sev-features auto is no longer accepted: every SEV feature is "
			"opt-in, so name the ones you want (e.g. debug-swap); guest kernels "
			"refuse features they do not know (docs/snp-launch.md)");
	if (!strcmp(text, "none")) {
		*ret_features = 0;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		char word[32];
		unsigned int bit;
		uint64_t mask;

		if (n == 0 || n >= sizeof(word))
			return diag_fail(d, -EINVAL, "--sev-features '%s': empty or overlong name",
					 text);
		memcpy(word, p, n);
		word[n] = '\0';
		for (bit = 0; bit < 64; bit++)
			if (sev_feature_name(bit) && !strcmp(word, sev_feature_name(bit)))
				break;
		if (bit < 64) {
			features |= 1ULL << bit;
		} else if (!strncmp(word, "0x", 2) && !parse_uint(word, UINT64_MAX, &mask)) {
			features |= mask;
		} else {
			return diag_fail(
				d, -EINVAL,
				"--sev-features: unknown feature '%s' (known: debug-swap, "
				"secure-tsc, restricted-injection, alternate-injection, or a 0x "
				"mask; or none)",
				word);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	/* KVM sets SNP_ACTIVE itself and rejects it from userspace (sev.c __sev_guest_init(),
	 * Linux 6.11). */
	if (features & 1)
		return diag_fail(
			d, -EINVAL,
			"--sev-features: bit 0 (SNP active) is set by KVM, do not pass it");
	*ret_features = features;
	return 0;
}

/* 32 bytes: 64 hex digits (optionally 0x), or base64 as QEMU's host-data property takes. */
static int set_host_data(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct snp_options *snp = &opts_of(ctx)->snp;
	const char *hex = strncmp(arg, "0x", 2) ? arg : arg + 2;

	if (strlen(hex) == 2 * sizeof(snp->host_data)) {
		if (hex_decode(hex, snp->host_data, sizeof(snp->host_data), "--host-data", d) < 0)
			return -EINVAL;
	} else if (base64_decode_exact(arg, strlen(arg), snp->host_data, sizeof(snp->host_data)) <
		   0) {
		return diag_fail(d, -EINVAL,
				 "--host-data '%s': expected 32 bytes as 64 hex digits or as "
				 "base64 (44 characters, QEMU's form)",
				 arg);
	}
	snp->have_host_data = true;
	return 0;
}

static int set_smp(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	uint64_t v;

	if (parse_uint(arg, UINT32_MAX, &v) || v < 1 || v > OPT_MAX_SMP)
		return diag_fail(d, -EINVAL, "--smp '%s': must be a number from 1 to %d", arg,
				 OPT_MAX_SMP);
	opts_of(ctx)->smp = (uint32_t)v;
	return 0;
}

static int set_memory_backend(const struct option_row *row, const char *arg, void *ctx,
			      struct diag *d)
{
	struct vmm_options *o = opts_of(ctx);

	if (!strcmp(arg, "auto"))
		o->mem_backend = MEM_BACKEND_AUTO;
	else if (!strcmp(arg, "gmem"))
		o->mem_backend = MEM_BACKEND_GMEM;
	else if (!strcmp(arg, "anon"))
		o->mem_backend = MEM_BACKEND_ANON;
	else
		return diag_fail(d, -EINVAL, "--memory-backend '%s': expected auto, gmem or anon",
				 arg);
	return 0;
}

static int set_boot(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct vmm_options *o = opts_of(ctx);

	if (!strcmp(arg, "hashes"))
		o->boot_mode = BOOT_MODE_HASHES;
	else if (!strcmp(arg, "content"))
		o->boot_mode = BOOT_MODE_CONTENT;
	else
		return diag_fail(d, -EINVAL, "--boot '%s': expected hashes or content", arg);
	return 0;
}

static int set_tamper_staging(const struct option_row *row, const char *arg, void *ctx,
			      struct diag *d)
{
	struct vmm_options *o = opts_of(ctx);

	if (!strcmp(arg, "kernel"))
		o->tamper_staging = STAGING_TAMPER_KERNEL;
	else if (!strcmp(arg, "initrd"))
		o->tamper_staging = STAGING_TAMPER_INITRD;
	else
		return diag_fail(d, -EINVAL,
				 "--debug-tamper-staging '%s': expected kernel or initrd", arg);
	return 0;
}

static int set_control(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	if (!*arg)
		return diag_fail(d, -EINVAL, "--control: empty path");
	opts_of(ctx)->control_path = arg;
	return 0;
}

static int set_shutdown_timeout(const struct option_row *row, const char *arg, void *ctx,
				struct diag *d)
{
	uint64_t v;

	if (parse_uint(arg, OPT_MAX_SHUTDOWN_TIMEOUT, &v))
		return diag_fail(d, -EINVAL,
				 "--shutdown-timeout '%s': expected seconds from 0 to %d", arg,
				 OPT_MAX_SHUTDOWN_TIMEOUT);
	opts_of(ctx)->shutdown_timeout_s = (unsigned int)v;
	return 0;
}

static int set_cbitpos(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	uint64_t v;

	if (parse_uint(arg, 63, &v) || v < 32 || v > 51)
		return diag_fail(d, -EINVAL, "--cbitpos '%s': must be a number from 32 to 51", arg);
	opts_of(ctx)->snp.cbitpos = (int)v;
	return 0;
}

/* Accepted as QEMU does (1..63) and otherwise unused: KVM takes no such parameter, and
 * neither the guest's page tables nor its CPUID page depend on it (the guest reads CPUID
 * 0x8000001F itself). */
static int set_reduced_phys_bits(const struct option_row *row, const char *arg, void *ctx,
				 struct diag *d)
{
	uint64_t v;

	if (parse_uint(arg, 63, &v) || v < 1)
		return diag_fail(d, -EINVAL, "--reduced-phys-bits '%s': must be from 1 to 63", arg);
	opts_of(ctx)->snp.reduced_phys_bits = (int)v;
	return 0;
}

static int set_policy(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	uint64_t v;

	if (snp_policy_parse("--policy", arg, &v, d) < 0)
		return -EINVAL;
	if (v == UINT64_MAX)
		return diag_fail(d, -EINVAL, "--policy '%s': reserved bits are set", arg);
	opts_of(ctx)->snp.policy = v;
	return 0;
}

static int set_gosvw(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	if (parse_uint128_le(arg, opts_of(ctx)->snp.gosvw))
		return diag_fail(d, -EINVAL,
				 "--guest-visible-workarounds '%s': expected a 128-bit number, "
				 "0x hex (up to 32 digits) or decimal",
				 arg);
	return 0;
}

static int set_sev_features(const struct option_row *row, const char *arg, void *ctx,
			    struct diag *d)
{
	return parse_sev_features(arg, &opts_of(ctx)->snp.sev_features, d);
}

static int set_kvm_abi(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct snp_options *snp = &opts_of(ctx)->snp;

	if (!strcmp(arg, "auto"))
		snp->abi = KVM_ABI_AUTO;
	else if (!strcmp(arg, "upstream"))
		snp->abi = KVM_ABI_UPSTREAM;
	else if (!strcmp(arg, "v12"))
		snp->abi = KVM_ABI_V12;
	else
		return diag_fail(d, -EINVAL, "--kvm-abi '%s': expected auto, upstream or v12", arg);
	return 0;
}

/* The guest reads its TSC frequency in MHz (MSR GUEST_TSC_FREQ): at least 1 MHz;
 * KVM_SET_TSC_KHZ takes 32 bits. */
static int set_tsc_khz(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	uint64_t v;

	if (parse_uint(arg, UINT32_MAX, &v) || v < 1000)
		return diag_fail(d, -EINVAL,
				 "--tsc-khz '%s': expected a frequency in kHz from 1000 to "
				 "4294967295",
				 arg);
	opts_of(ctx)->snp.tsc_khz = (uint32_t)v;
	return 0;
}

static int set_sim_set(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct sim_cli_options *sim = &opts_of(ctx)->sim;

	if (sim->nr_settings == OPT_MAX_SIM_SETTINGS || !strchr(arg, '='))
		return diag_fail(d, -EINVAL,
				 "--sim-set '%s': expected KEY=VALUE (at most %d times)", arg,
				 OPT_MAX_SIM_SETTINGS);
	sim->settings[sim->nr_settings++] = arg;
	return 0;
}

#define VMM_OPT(field) offsetof(struct vmm_options, field)

/* `snpvmm [run]`: the rows in the order --help lists them. */
static const struct option_row run_rows[] = {
	{ .help = "\nGuest image:\n" },
	{ .name = "kernel",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "bzImage to boot (boot protocol 2.12 or later, 64-bit entry)",
	  .set = option_set_string,
	  .offset = VMM_OPT(kernel) },
	{ .name = "initrd",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "initial ramdisk",
	  .set = option_set_string,
	  .offset = VMM_OPT(initrd) },
	{ .name = "append",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "TEXT",
	  .help = "kernel command line",
	  .set = option_set_string,
	  .offset = VMM_OPT(append) },
	{ .name = "setup-data",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "TYPE,FILE",
	  .help = "append a boot_params setup_data node of TYPE with FILE's bytes\n"
		  "(repeatable, up to 8)",
	  .set = set_setup_data },
	{ .name = "boot",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "MODE",
	  .help = "hashes|content: how the launch measures kernel and initrd\n"
		  "(default hashes: a measured boot stage checks their\n"
		  "SHA-384 in the guest and validates RAM itself; content:\n"
		  "every image byte and RAM page goes through the PSP)",
	  .set = set_boot },
	{ .help = "\n"
		  "Numbers: decimal or 0x hex (C syntax; a leading 0 before more digits is "
		  "refused,\n"
		  "never read as octal). The same syntax in `measure` and `id-block`.\n"
		  "\n"
		  "Machine:\n" },
	{ .name = "mem",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "SIZE",
	  .help = "guest RAM, 4M..1T, a multiple of 4 KiB (default 512M):\n"
		  "512M, 4G, 1.5G, 4GiB (K/M/G/T, either case, optional iB),\n"
		  "or bytes (a number, or 1048576B); not MB/GB (ambiguous).\n"
		  "RAM above 3 GiB continues at 4 GiB",
	  .set = set_mem },
	{ .name = "smp",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "vCPUs, 1..255 (default 1); vCPU id = APIC id",
	  .set = set_smp },
	{ .name = "memory-backend",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KIND",
	  .help = "auto|gmem|anon: guest_memfd or anonymous memory for RAM\n"
		  "(default auto: guest_memfd when the kernel can mmap it;\n"
		  "SNP guests always use guest_memfd)",
	  .set = set_memory_backend },
	{ .name = "console",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KIND",
	  .help = "stdio|file:PATH|none: where the UART at 0x3f8 goes\n"
		  "(default stdio)",
	  .set = set_console },
	{ .name = "kvm-device",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "PATH",
	  .help = "KVM device (default /dev/kvm)",
	  .set = option_set_string,
	  .offset = VMM_OPT(kvm_device) },
	{ .name = "events",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "PATH|fd:N|-",
	  .help = "write JSON Lines events (docs/events.md: measurement,\n"
		  "launch-finished, guest-exit, ...) to PATH, to the open\n"
		  "file descriptor N, or to stderr with '-' (a FIFO must\n"
		  "have its reader already)",
	  .set = option_set_string,
	  .offset = VMM_OPT(events_path) },
	{ .name = "name",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "NAME",
	  .help = "the VM's name, carried by every event",
	  .set = option_set_string,
	  .offset = VMM_OPT(name) },
	{ .name = "control",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "PATH",
	  .help = "serve a QMP control socket at PATH (docs/control.md):\n"
		  "query-status, system_powerdown, system_reset, quit, ...",
	  .set = set_control },
	{ .name = "shutdown-timeout",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "SECS",
	  .help = "how long a guest has to power off after the power button\n"
		  "(SIGTERM, SIGINT, SIGHUP, QMP system_powerdown) before it\n"
		  "is stopped, 0..86400 (default 30; 0: a signal stops it at\n"
		  "once, system_powerdown waits for ever)",
	  .set = set_shutdown_timeout },
	{ .help = "\nSEV-SNP launch:\n" },
	{ .name = "no-snp",
	  .help = "boot as a plain (unencrypted, unmeasured) KVM guest",
	  .set = option_set_true,
	  .offset = VMM_OPT(no_snp) },
	{ .name = "cbitpos",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "C-bit position, 32..51; must equal the host's\n"
		  "(default: the host's)",
	  .set = set_cbitpos },
	{ .name = "reduced-phys-bits",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "1..63, accepted for QEMU's command lines and unused:\n"
		  "KVM takes no such parameter",
	  .set = set_reduced_phys_bits },
	{ .name = "policy",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "guest policy (default 0x30000 on every host: SMT allowed,\n"
		  "bit 17 set); 30000 is decimal, write 0x30000",
	  .set = set_policy },
	{ .name = "guest-visible-workarounds",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "GOSVW for LAUNCH_START, a 128-bit number",
	  .set = set_gosvw },
	{ .name = "sev-features",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "LIST",
	  .help = "none (default) or a comma list of debug-swap,\n"
		  "secure-tsc, restricted-injection, alternate-injection\n"
		  "and 0x masks: VMSA SEV_FEATURES. Every feature is opt-in;\n"
		  "a guest kernel that does not know one refuses to boot\n"
		  "(docs/snp-launch.md lists which kernels know which)",
	  .set = set_sev_features },
	{ .name = "secure-tsc",
	  .help = "Secure TSC (SEV feature bit 9; Linux 6.18+ host, 6.14+\n"
		  "guest)",
	  .set = option_set_true,
	  .offset = VMM_OPT(snp.secure_tsc) },
	{ .name = "tsc-khz",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "the Secure TSC frequency in kHz, 1000..4294967295\n"
		  "(default: the host's TSC frequency); needs --secure-tsc",
	  .set = set_tsc_khz },
	{ .name = "kvm-abi",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "ABI",
	  .help = "auto|upstream|v12: kernel SNP ABI (default auto-detect)",
	  .set = set_kvm_abi },
	{ .name = "id-block",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "B64|FILE",
	  .help = "96-byte ID block: base64 inline (QEMU's id-block=), or a\n"
		  "file holding it raw or as base64; checked before the\n"
		  "launch against the predicted digest and the policy",
	  .set = option_set_string,
	  .offset = VMM_OPT(snp.id_block_path) },
	{ .name = "id-auth",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "B64|FILE",
	  .help = "4096-byte ID authentication structure, likewise",
	  .set = option_set_string,
	  .offset = VMM_OPT(snp.id_auth_path) },
	{ .name = "author-key-enabled",
	  .help = "the ID auth carries an author key",
	  .set = option_set_true,
	  .offset = VMM_OPT(snp.author_key_enabled) },
	{ .name = "host-data",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "DATA",
	  .help = "32 bytes for the attestation report: 64 hex digits, or\n"
		  "base64 (QEMU's host-data=)",
	  .set = set_host_data },
	{ .name = "vcek-disabled",
	  .help = "forbid VCEK-signed reports (VLEK only)",
	  .set = option_set_true,
	  .offset = VMM_OPT(snp.vcek_disabled) },
	{ .name = "certs",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "serve this certificate table (GUID table, as snphost\n"
		  "writes it) to extended guest requests; re-read under a\n"
		  "shared lock per request, so it can be replaced live",
	  .set = option_set_string,
	  .offset = VMM_OPT(snp.certs_path) },
	{ .help = "\nSimulated SNP host (testing only: NO confidentiality):\n" },
	{ .name = "sim",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "=PROFILE",
	  .help = "the simulated kernel: v12|6.11 (6.11-6.16)|6.17|6.18|\n"
		  "6.19|7.0 (aliases: upstream = 6.18, upstream-policy-bits\n"
		  "= 6.19, upstream-certs = 7.0; docs/sim.md)",
	  .set = option_set_string,
	  .offset = VMM_OPT(sim.profile) },
	{ .name = "sim-guest",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "guest script (docs/sim-guest.md; default: a built-in one)",
	  .set = option_set_string,
	  .offset = VMM_OPT(sim.guest_script) },
	{ .name = "sim-faults",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "SPEC",
	  .help = "fault injection (docs/sim-guest.md)",
	  .set = option_set_string,
	  .offset = VMM_OPT(sim.faults) },
	{ .name = "sim-report",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "PATH",
	  .help = "JSON report written when the VM ends",
	  .set = option_set_string,
	  .offset = VMM_OPT(sim.report_path) },
	{ .name = "sim-set",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KEY=VALUE",
	  .help = "override a profile setting (repeatable)",
	  .set = set_sim_set },
	{ .name = "sim-vcek",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KEY.pem",
	  .help = "the simulated chip's VCEK private key (EC P-384), which\n"
		  "signs its attestation reports (docs/sim.md)",
	  .set = option_set_string,
	  .offset = VMM_OPT(sim.vcek_key) },
	{ .help = "\nTesting only:\n" },
	{ .name = "debug-tamper-staging",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "WHAT",
	  .help = "kernel|initrd: after the launch hashed the images,\n"
		  "flip one byte of WHAT in the staging area (--boot hashes)\n"
		  "so that the boot stage refuses to boot (exit status 4)",
	  .set = set_tamper_staging },
	{ .help = "\n" },
	{ .name = "help",
	  .short_name = 'h',
	  .help = "this text",
	  .set = option_set_true,
	  .offset = VMM_OPT(help) },
	{ .name = "version",
	  .help = "print the version",
	  .set = option_set_true,
	  .offset = VMM_OPT(version) },
	{ .help = "\n"
		  "Exit status: 0 the guest reset (ACPI reset register, i8042) or powered off "
		  "(ACPI\n"
		  "S5); 1 the VMM failed; 2 bad usage; 3 the guest crashed (triple fault / KVM\n"
		  "shutdown, internal error, or a plain guest halted with interrupts off on every\n"
		  "vCPU); 4 the guest asked to be terminated (SEV termination request); 5 stopped "
		  "by\n"
		  "the host before the guest ended (a signal, QMP quit, Ctrl-a x, or the guest did "
		  "not\n"
		  "power off within --shutdown-timeout).\n"
		  "\n"
		  "Console keys (stdin a terminal): Ctrl-a x quit, Ctrl-a h help, Ctrl-a Ctrl-a "
		  "sends\n"
		  "Ctrl-a.\n" },
};

const struct option_table run_options = {
	.command = "snpvmm",
	.synopsis =
		"Usage: snpvmm [OPTIONS] --kernel BZIMAGE\n"
		"       snpvmm measure [OPTIONS]     predict a launch digest (see: snpvmm measure "
		"--help)\n"
		"       snpvmm id-block [OPTIONS]    build and sign an SNP ID block (see: snpvmm "
		"id-block --help)\n"
		"       snpvmm verify [OPTIONS]      check an attestation report (see: snpvmm "
		"verify "
		"--help)\n"
		"       snpvmm host-info [--sim=PROFILE]   say whether this host can launch SNP "
		"guests\n"
		"\n"
		"Launch a measured AMD SEV-SNP guest from a Linux bzImage, with no firmware\n"
		"(or a plain KVM guest with --no-snp).\n",
	.rows = run_rows,
	.nr_rows = sizeof(run_rows) / sizeof(run_rows[0]),
	.help_column = 28,
};

void options_defaults(struct vmm_options *ret_opts)
{
	*ret_opts = (struct vmm_options){
		.mem_size = OPT_DEFAULT_MEM,
		.boot_mode = BOOT_MODE_HASHES,
		.smp = 1,
		.mem_backend = MEM_BACKEND_AUTO,
		.console = CONSOLE_STDIO,
		.kvm_device = "/dev/kvm",
		.shutdown_timeout_s = OPT_DEFAULT_SHUTDOWN_TIMEOUT,
		.snp = {
			.cbitpos = -1,
			.reduced_phys_bits = -1,
			.policy = UINT64_MAX,
		},
	};
}

int options_parse(int argc, char **argv, struct vmm_options *ret_opts, struct diag *d)
{
	struct vmm_options o;
	int r;

	options_defaults(&o);
	r = option_table_parse(&run_options, argc, argv, &o, d);
	if (r < 0)
		return r;
	r = options_check(&o, d);
	if (r < 0)
		return r;
	*ret_opts = o;
	return 0;
}

int options_check(const struct vmm_options *o, struct diag *d)
{
	if (!o->help && !o->version && !o->kernel)
		return diag_fail(d, -EINVAL, "--kernel is required (see --help)");
	if (o->no_snp && o->sim.profile)
		return diag_fail(d, -EINVAL,
				 "--sim simulates an SNP host: it cannot go with --no-snp");
	if (!o->sim.profile && (o->sim.guest_script || o->sim.faults || o->sim.report_path ||
				o->sim.nr_settings || o->sim.vcek_key))
		return diag_fail(d, -EINVAL,
				 "--sim-guest, --sim-faults, --sim-report, --sim-set and "
				 "--sim-vcek need --sim=PROFILE");
	if (o->tamper_staging && o->boot_mode != BOOT_MODE_HASHES)
		return diag_fail(d, -EINVAL,
				 "--debug-tamper-staging needs --boot hashes (content mode has no "
				 "staging area)");
	if (o->tamper_staging == STAGING_TAMPER_INITRD && !o->initrd)
		return diag_fail(d, -EINVAL, "--debug-tamper-staging initrd needs --initrd");
	if (!o->snp.id_block_path != !o->snp.id_auth_path)
		return diag_fail(d, -EINVAL, "--id-block and --id-auth go together");
	if (o->snp.tsc_khz && !o->snp.secure_tsc)
		return diag_fail(d, -EINVAL,
				 "--tsc-khz sets the Secure TSC frequency: it needs --secure-tsc");
	if (o->no_snp && (o->snp.secure_tsc || o->snp.sev_features))
		return diag_fail(
			d, -EINVAL,
			"--secure-tsc and --sev-features are SEV-SNP features: they cannot "
			"go with --no-snp");
	if (o->snp.author_key_enabled && !o->snp.id_block_path)
		return diag_fail(d, -EINVAL, "--author-key-enabled needs --id-block and --id-auth");
	return 0;
}

/* The library names configuration fields; the CLI's user knows flags. */
static const struct {
	const char *field, *flag;
} field_flags[] = {
	{ "policy", "--policy" },
	{ "vcpus", "--smp" },
	{ "memory", "--mem" },
	{ "sev_features", "--sev-features" },
	{ "tsc_khz", "--tsc-khz" },
	{ "secure_tsc", "--secure-tsc" },
	{ "cbitpos", "--cbitpos" },
	{ "memory_backend", "--memory-backend" },
	{ "certs", "--certs" },
	{ "debug_tamper_staging", "--debug-tamper-staging" },
	{ "kernel", "--kernel" },
	{ "initrd", "--initrd" },
	{ "cmdline", "--append" },
	{ "kvm_abi", "--kvm-abi" },
	{ "id_block", "--id-block" },
	{ "id_auth", "--id-auth" },
	{ "author_key_enabled", "--author-key-enabled" },
	{ "host_data", "--host-data" },
	{ "sim", "--sim" },
	{ "kvm_device", "--kvm-device" },
	{ "stop_deadline_ms", "--shutdown-timeout" },
	{ "control_path", "--control" },
};

const char *cli_flag_of_field(const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(field_flags) / sizeof(field_flags[0]); i++)
		if (!strcmp(field, field_flags[i].field))
			return field_flags[i].flag;
	return NULL;
}

const char *cli_error_text(const char *field, const char *msg, char *buf, size_t size)
{
	const char *flag = field && field[0] ? cli_flag_of_field(field) : NULL;
	size_t n = field ? strlen(field) : 0;

	if (!flag || strncmp(msg, field, n) || (msg[n] != ' ' && msg[n] != ':'))
		return msg;
	snprintf(buf, size, "%s%s", flag, msg + n);
	return buf;
}

const char *cli_diag_text(const struct diag *d)
{
	static char buf[sizeof(d->msg) + 32];

	return cli_error_text(d->field, d->msg, buf, sizeof(buf));
}
