// SPDX-License-Identifier: MIT
/*
 * Launch option parsing. Every rejection names the flag and the value so that the one
 * error line a user sees is enough to fix the command.
 */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/hex.h"
#include "util/num.h"
#include "vmm/snp_host.h"

const char options_usage[] =
	"Usage: snpvmm [OPTIONS] --kernel BZIMAGE\n"
	"       snpvmm measure [OPTIONS]     predict a launch digest (see: snpvmm measure --help)\n"
	"       snpvmm id-block [OPTIONS]    build and sign an SNP ID block (see: snpvmm id-block "
	"--help)\n"
	"       snpvmm verify [OPTIONS]      check an attestation report (see: snpvmm verify "
	"--help)\n"
	"       snpvmm host-info [--sim=PROFILE]   say whether this host can launch SNP guests\n"
	"\n"
	"Launch a measured AMD SEV-SNP guest from a Linux bzImage, with no firmware\n"
	"(or a plain KVM guest with --no-snp).\n"
	"\n"
	"Guest image:\n"
	"  --kernel FILE             bzImage to boot (boot protocol 2.12 or later, 64-bit entry)\n"
	"  --initrd FILE             initial ramdisk\n"
	"  --append TEXT             kernel command line\n"
	"  --setup-data TYPE,FILE    append a boot_params setup_data node of TYPE with FILE's "
	"bytes\n"
	"                            (repeatable, up to 8)\n"
	"  --boot MODE               hashes|content: how the launch measures kernel and initrd\n"
	"                            (default hashes: a measured boot stage checks their\n"
	"                            SHA-384 in the guest and validates RAM itself; content:\n"
	"                            every image byte and RAM page goes through the PSP)\n"
	"\n"
	"Numbers: decimal or 0x hex (C syntax; a leading 0 before more digits is refused,\n"
	"never read as octal). The same syntax in `measure` and `id-block`.\n"
	"\n"
	"Machine:\n"
	"  --mem SIZE                guest RAM, 4M..1T, a multiple of 4 KiB (default 512M):\n"
	"                            512M, 4G, 1.5G, 4GiB (K/M/G/T, either case, optional iB),\n"
	"                            or bytes (a number, or 1048576B); not MB/GB (ambiguous).\n"
	"                            RAM above 3 GiB continues at 4 GiB\n"
	"  --smp N                   vCPUs, 1..255 (default 1); vCPU id = APIC id\n"
	"  --memory-backend KIND     auto|gmem|anon: guest_memfd or anonymous memory for RAM\n"
	"                            (default auto: guest_memfd when the kernel can mmap it;\n"
	"                            SNP guests always use guest_memfd)\n"
	"  --console KIND            stdio|file:PATH|none: where the UART at 0x3f8 goes\n"
	"                            (default stdio)\n"
	"  --kvm-device PATH         KVM device (default /dev/kvm)\n"
	"  --events PATH|fd:N|-      write JSON Lines events (docs/events.md: measurement,\n"
	"                            launch-finished, guest-exit, ...) to PATH, to the open\n"
	"                            file descriptor N, or to stderr with '-' (a FIFO must\n"
	"                            have its reader already)\n"
	"  --name NAME               the VM's name, carried by every event\n"
	"  --events PATH             write JSON Lines events (measurement, launch-finished,\n"
	"                            guest-exit) to PATH, or to stderr with '-' (a FIFO\n"
	"                            must have its reader already)\n"
	"  --control PATH            serve a QMP control socket at PATH (docs/control.md):\n"
	"                            query-status, system_powerdown, system_reset, quit, ...\n"
	"  --shutdown-timeout SECS   how long a guest has to power off after the power button\n"
	"                            (SIGTERM, SIGINT, SIGHUP, QMP system_powerdown) before it\n"
	"                            is stopped, 0..86400 (default 30; 0: a signal stops it at\n"
	"                            once, system_powerdown waits for ever)\n"
	"\n"
	"SEV-SNP launch:\n"
	"  --no-snp                  boot as a plain (unencrypted, unmeasured) KVM guest\n"
	"  --cbitpos N               C-bit position, 32..51; must equal the host's\n"
	"                            (default: the host's)\n"
	"  --reduced-phys-bits N     1..63, accepted for QEMU's command lines and unused:\n"
	"                            KVM takes no such parameter\n"
	"  --policy N                guest policy (default 0x30000 on every host: SMT allowed,\n"
	"                            bit 17 set); 30000 is decimal, write 0x30000\n"
	"  --guest-visible-workarounds N   GOSVW for LAUNCH_START, a 128-bit number\n"
	"  --sev-features LIST       none (default) or a comma list of debug-swap,\n"
	"                            secure-tsc, restricted-injection, alternate-injection\n"
	"                            and 0x masks: VMSA SEV_FEATURES. Every feature is opt-in;\n"
	"                            a guest kernel that does not know one refuses to boot\n"
	"                            (docs/snp-launch.md lists which kernels know which)\n"
	"  --secure-tsc              Secure TSC (SEV feature bit 9; Linux 6.18+ host, 6.14+\n"
	"                            guest)\n"
	"  --tsc-khz N               the Secure TSC frequency in kHz, 1000..4294967295\n"
	"                            (default: the host's TSC frequency); needs --secure-tsc\n"
	"  --kvm-abi ABI             auto|upstream|v12: kernel SNP ABI (default auto-detect)\n"
	"  --id-block B64|FILE       96-byte ID block: base64 inline (QEMU's id-block=), or a\n"
	"                            file holding it raw or as base64; checked before the\n"
	"                            launch against the predicted digest and the policy\n"
	"  --id-auth B64|FILE        4096-byte ID authentication structure, likewise\n"
	"  --author-key-enabled      the ID auth carries an author key\n"
	"  --host-data DATA          32 bytes for the attestation report: 64 hex digits, or\n"
	"                            base64 (QEMU's host-data=)\n"
	"  --vcek-disabled           forbid VCEK-signed reports (VLEK only)\n"
	"  --certs FILE              serve this certificate table (GUID table, as snphost\n"
	"                            writes it) to extended guest requests; re-read under a\n"
	"                            shared lock per request, so it can be replaced live\n"
	"\n"
	"Simulated SNP host (testing only: NO confidentiality):\n"
	"  --sim=PROFILE             the simulated kernel: v12|6.11 (6.11-6.16)|6.17|6.18|\n"
	"                            6.19|7.0 (aliases: upstream = 6.18, upstream-policy-bits\n"
	"                            = 6.19, upstream-certs = 7.0; docs/sim.md)\n"
	"  --sim-guest FILE          guest script (docs/sim-guest.md; default: a built-in one)\n"
	"  --sim-faults SPEC         fault injection (docs/sim-guest.md)\n"
	"  --sim-report PATH         JSON report written when the VM ends\n"
	"  --sim-set KEY=VALUE       override a profile setting (repeatable)\n"
	"  --sim-vcek KEY.pem        the simulated chip's VCEK private key (EC P-384), which\n"
	"                            signs its attestation reports (docs/sim.md)\n"
	"\n"
	"Testing only:\n"
	"  --debug-tamper-staging WHAT  kernel|initrd: after the launch hashed the images,\n"
	"                            flip one byte of WHAT in the staging area (--boot hashes)\n"
	"                            so that the boot stage refuses to boot (exit status 4)\n"
	"\n"
	"  -h, --help                this text\n"
	"  --version                 print the version\n"
	"\n"
	"Exit status: 0 the guest reset (ACPI reset register, i8042) or powered off (ACPI\n"
	"S5); 1 the VMM failed; 2 bad usage; 3 the guest crashed (triple fault / KVM\n"
	"shutdown, internal error, or a plain guest halted with interrupts off on every\n"
	"vCPU); 4 the guest asked to be terminated (SEV termination request); 5 stopped by\n"
	"the host before the guest ended (a signal, QMP quit, Ctrl-a x, or the guest did not\n"
	"power off within --shutdown-timeout).\n"
	"\n"
	"Console keys (stdin a terminal): Ctrl-a x quit, Ctrl-a h help, Ctrl-a Ctrl-a sends\n"
	"Ctrl-a.\n";

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
	OPT_CBITPOS,
	OPT_REDUCED_PHYS_BITS,
	OPT_POLICY,
	OPT_GOSVW,
	OPT_SEV_FEATURES,
	OPT_KVM_ABI,
	OPT_ID_BLOCK,
	OPT_ID_AUTH,
	OPT_AUTHOR_KEY_ENABLED,
	OPT_HOST_DATA,
	OPT_VCEK_DISABLED,
	OPT_CERTS,
	OPT_SECURE_TSC,
	OPT_TSC_KHZ,
	OPT_EVENTS,
	OPT_SIM,
	OPT_SIM_GUEST,
	OPT_SIM_FAULTS,
	OPT_SIM_REPORT,
	OPT_SIM_SET,
	OPT_SIM_VCEK,
	OPT_BOOT,
	OPT_TAMPER_STAGING,
	OPT_NAME,
	OPT_CONTROL,
	OPT_SHUTDOWN_TIMEOUT,
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
	{ "cbitpos", required_argument, NULL, OPT_CBITPOS },
	{ "reduced-phys-bits", required_argument, NULL, OPT_REDUCED_PHYS_BITS },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "guest-visible-workarounds", required_argument, NULL, OPT_GOSVW },
	{ "sev-features", required_argument, NULL, OPT_SEV_FEATURES },
	{ "kvm-abi", required_argument, NULL, OPT_KVM_ABI },
	{ "id-block", required_argument, NULL, OPT_ID_BLOCK },
	{ "id-auth", required_argument, NULL, OPT_ID_AUTH },
	{ "author-key-enabled", no_argument, NULL, OPT_AUTHOR_KEY_ENABLED },
	{ "host-data", required_argument, NULL, OPT_HOST_DATA },
	{ "vcek-disabled", no_argument, NULL, OPT_VCEK_DISABLED },
	{ "certs", required_argument, NULL, OPT_CERTS },
	{ "secure-tsc", no_argument, NULL, OPT_SECURE_TSC },
	{ "tsc-khz", required_argument, NULL, OPT_TSC_KHZ },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "sim", required_argument, NULL, OPT_SIM },
	{ "sim-guest", required_argument, NULL, OPT_SIM_GUEST },
	{ "sim-faults", required_argument, NULL, OPT_SIM_FAULTS },
	{ "sim-report", required_argument, NULL, OPT_SIM_REPORT },
	{ "sim-set", required_argument, NULL, OPT_SIM_SET },
	{ "sim-vcek", required_argument, NULL, OPT_SIM_VCEK },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "debug-tamper-staging", required_argument, NULL, OPT_TAMPER_STAGING },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* --mem: parse_size()'s units. A plain number is bytes; QEMU's -m reads one as MiB, so a
 * plain number too small to be a guest in bytes gets that hint rather than a bare limit. */
static int parse_mem(const char *arg, uint64_t *ret, struct diag *d)
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
	*ret = v;
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
static int parse_host_data(const char *arg, struct snp_options *snp, struct diag *d)
{
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

static int parse_snp_one(int opt, const char *arg, struct vmm_options *o, struct diag *d)
{
	struct snp_options *snp = &o->snp;
	uint64_t v;

	switch (opt) {
	case OPT_CBITPOS:
		if (parse_uint(arg, 63, &v) || v < 32 || v > 51)
			return diag_fail(d, -EINVAL,
					 "--cbitpos '%s': must be a number from 32 to 51", arg);
		snp->cbitpos = (int)v;
		return 0;
	case OPT_REDUCED_PHYS_BITS:
		/* Accepted as QEMU does (1..63) and otherwise unused: KVM takes no such
		 * parameter, and neither the guest's page tables nor its CPUID page depend
		 * on it (the guest reads CPUID 0x8000001F itself). */
		if (parse_uint(arg, 63, &v) || v < 1)
			return diag_fail(d, -EINVAL,
					 "--reduced-phys-bits '%s': must be from 1 to 63", arg);
		snp->reduced_phys_bits = (int)v;
		return 0;
	case OPT_POLICY:
		if (snp_policy_parse("--policy", arg, &v, d) < 0)
			return -EINVAL;
		if (v == UINT64_MAX)
			return diag_fail(d, -EINVAL, "--policy '%s': reserved bits are set", arg);
		snp->policy = v;
		return 0;
	case OPT_GOSVW:
		if (parse_uint128_le(arg, snp->gosvw))
			return diag_fail(
				d, -EINVAL,
				"--guest-visible-workarounds '%s': expected a 128-bit number, "
				"0x hex (up to 32 digits) or decimal",
				arg);
		return 0;
	case OPT_SEV_FEATURES:
		return parse_sev_features(arg, &snp->sev_features, d);
	case OPT_KVM_ABI:
		if (!strcmp(arg, "auto"))
			snp->abi = KVM_ABI_AUTO;
		else if (!strcmp(arg, "upstream"))
			snp->abi = KVM_ABI_UPSTREAM;
		else if (!strcmp(arg, "v12"))
			snp->abi = KVM_ABI_V12;
		else
			return diag_fail(d, -EINVAL,
					 "--kvm-abi '%s': expected auto, upstream or v12", arg);
		return 0;
	case OPT_ID_BLOCK:
		snp->id_block_path = arg;
		return 0;
	case OPT_ID_AUTH:
		snp->id_auth_path = arg;
		return 0;
	case OPT_AUTHOR_KEY_ENABLED:
		snp->author_key_enabled = true;
		return 0;
	case OPT_HOST_DATA:
		return parse_host_data(arg, snp, d);
	case OPT_SECURE_TSC:
		snp->secure_tsc = true;
		return 0;
	case OPT_TSC_KHZ:
		/* The guest reads its TSC frequency in MHz (MSR GUEST_TSC_FREQ): at least
		 * 1 MHz; KVM_SET_TSC_KHZ takes 32 bits. */
		if (parse_uint(arg, UINT32_MAX, &v) || v < 1000)
			return diag_fail(d, -EINVAL,
					 "--tsc-khz '%s': expected a frequency in kHz from 1000 to "
					 "4294967295",
					 arg);
		snp->tsc_khz = (uint32_t)v;
		return 0;
	case OPT_VCEK_DISABLED:
		snp->vcek_disabled = true;
		return 0;
	case OPT_CERTS:
		snp->certs_path = arg;
		return 0;
	default:
		return 1; /* not an SNP option */
	}
}

static int parse_sim_one(int opt, const char *arg, struct vmm_options *o, struct diag *d)
{
	struct sim_cli_options *sim = &o->sim;

	switch (opt) {
	case OPT_SIM:
		sim->profile = arg;
		return 0;
	case OPT_SIM_GUEST:
		sim->guest_script = arg;
		return 0;
	case OPT_SIM_FAULTS:
		sim->faults = arg;
		return 0;
	case OPT_SIM_REPORT:
		sim->report_path = arg;
		return 0;
	case OPT_SIM_VCEK:
		sim->vcek_key = arg;
		return 0;
	case OPT_SIM_SET:
		if (sim->nr_settings == OPT_MAX_SIM_SETTINGS || !strchr(arg, '='))
			return diag_fail(d, -EINVAL,
					 "--sim-set '%s': expected KEY=VALUE (at most %d times)",
					 arg, OPT_MAX_SIM_SETTINGS);
		sim->settings[sim->nr_settings++] = arg;
		return 0;
	default:
		return 1;
	}
}

static int parse_one(int opt, const char *arg, struct vmm_options *o, struct diag *d)
{
	uint64_t v;
	int r;

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
		return parse_mem(arg, &o->mem_size, d);
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
	case OPT_BOOT:
		if (!strcmp(arg, "hashes"))
			o->boot_mode = BOOT_MODE_HASHES;
		else if (!strcmp(arg, "content"))
			o->boot_mode = BOOT_MODE_CONTENT;
		else
			return diag_fail(d, -EINVAL, "--boot '%s': expected hashes or content",
					 arg);
		return 0;
	case OPT_TAMPER_STAGING:
		if (!strcmp(arg, "kernel"))
			o->tamper_staging = STAGING_TAMPER_KERNEL;
		else if (!strcmp(arg, "initrd"))
			o->tamper_staging = STAGING_TAMPER_INITRD;
		else
			return diag_fail(d, -EINVAL,
					 "--debug-tamper-staging '%s': expected kernel or initrd",
					 arg);
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	case OPT_EVENTS:
		o->events_path = arg;
		return 0;
	case OPT_NAME:
		o->name = arg;
		return 0;
	case OPT_CONTROL:
		if (!*arg)
			return diag_fail(d, -EINVAL, "--control: empty path");
		o->control_path = arg;
		return 0;
	case OPT_SHUTDOWN_TIMEOUT:
		if (parse_uint(arg, OPT_MAX_SHUTDOWN_TIMEOUT, &v))
			return diag_fail(d, -EINVAL,
					 "--shutdown-timeout '%s': expected seconds from 0 to %d",
					 arg, OPT_MAX_SHUTDOWN_TIMEOUT);
		o->shutdown_timeout_s = (unsigned int)v;
		return 0;
	default:
		r = parse_snp_one(opt, arg, o, d);
		if (r <= 0)
			return r;
		r = parse_sim_one(opt, arg, o, d);
		return r <= 0 ? r : -EINVAL;
	}
}

int options_parse(int argc, char **argv, struct vmm_options *ret_opts, struct diag *d)
{
	struct vmm_options o = {
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
	if (o.no_snp && o.sim.profile)
		return diag_fail(d, -EINVAL,
				 "--sim simulates an SNP host: it cannot go with --no-snp");
	if (!o.sim.profile && (o.sim.guest_script || o.sim.faults || o.sim.report_path ||
			       o.sim.nr_settings || o.sim.vcek_key))
		return diag_fail(d, -EINVAL,
				 "--sim-guest, --sim-faults, --sim-report, --sim-set and "
				 "--sim-vcek need --sim=PROFILE");
	if (o.tamper_staging && o.boot_mode != BOOT_MODE_HASHES)
		return diag_fail(d, -EINVAL,
				 "--debug-tamper-staging needs --boot hashes (content mode has no "
				 "staging area)");
	if (o.tamper_staging == STAGING_TAMPER_INITRD && !o.initrd)
		return diag_fail(d, -EINVAL, "--debug-tamper-staging initrd needs --initrd");
	if (!o.snp.id_block_path != !o.snp.id_auth_path)
		return diag_fail(d, -EINVAL, "--id-block and --id-auth go together");
	if (o.snp.tsc_khz && !o.snp.secure_tsc)
		return diag_fail(d, -EINVAL,
				 "--tsc-khz sets the Secure TSC frequency: it needs --secure-tsc");
	if (o.no_snp && (o.snp.secure_tsc || o.snp.sev_features))
		return diag_fail(
			d, -EINVAL,
			"--secure-tsc and --sev-features are SEV-SNP features: they cannot "
			"go with --no-snp");
	if (o.snp.author_key_enabled && !o.snp.id_block_path)
		return diag_fail(d, -EINVAL, "--author-key-enabled needs --id-block and --id-auth");
	*ret_opts = o;
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
