/* SPDX-License-Identifier: MIT */
/*
 * The launch configuration of one VM as the library takes it: a plain struct the public
 * configuration (snpvmm_config, src/lib/snpvmm.c) fills, and the CLI's option parser
 * (src/cli/options.c) too. Nothing here parses argv.
 */
#ifndef SNPVMM_VMM_OPTIONS_H
#define SNPVMM_VMM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/num.h"
#include "vmm/stage_plan.h"

#define OPT_MAX_SMP	   255		/* APIC IDs must fit the 8-bit xAPIC/MADT field */
#define OPT_MIN_MEM	   (4ULL << 20) /* below this not even the boot structures fit */
#define OPT_MAX_MEM	   (1ULL << 40) /* 1 TiB: far beyond what this VMM is tested with */
#define OPT_DEFAULT_MEM	   (512ULL << 20)
#define OPT_MAX_SETUP_DATA 8

/* --shutdown-timeout, seconds */
#define OPT_DEFAULT_SHUTDOWN_TIMEOUT 30
#define OPT_MAX_SHUTDOWN_TIMEOUT     86400

enum mem_backend {
	MEM_BACKEND_AUTO, /* guest_memfd when the kernel can map it, else anonymous memory */
	MEM_BACKEND_GMEM,
	MEM_BACKEND_ANON,
};

enum console_kind {
	CONSOLE_STDIO,
	CONSOLE_FILE,
	CONSOLE_NONE,
	CONSOLE_FDS, /* console_in_fd / console_out_fd, borrowed (either may be -1) */
};

struct setup_data_opt {
	uint32_t type;
	const char *path;
};

enum kvm_abi_choice {
	KVM_ABI_AUTO,
	KVM_ABI_UPSTREAM,
	KVM_ABI_V12,
};

/* SEV-SNP launch options. Unset numbers are -1 / UINT64_MAX: "use the host's value". */
struct snp_options {
	int cbitpos;	       /* -1: the host's CPUID 0x8000001F EBX[5:0] */
	int reduced_phys_bits; /* -1: the host's EBX[11:6] */
	uint64_t policy;       /* UINT64_MAX: SNP_POLICY_DEFAULT (0x30000) */
	uint8_t gosvw[16];     /* guest OS visible workarounds, little-endian */
	uint64_t sev_features; /* VMSA SEV_FEATURES bits (default none) */
	bool secure_tsc;       /* --secure-tsc: SEV feature bit 9 */
	uint32_t tsc_khz;      /* --tsc-khz: KVM_SET_TSC_KHZ before LAUNCH_START; 0: the host's */
	enum kvm_abi_choice abi;
	const char *id_block_path;
	const char *id_auth_path;
	bool author_key_enabled;
	bool vcek_disabled;
	bool have_host_data;
	uint8_t host_data[32];
	const char *certs_path;
};

#define OPT_MAX_SIM_SETTINGS 16

struct sim_cli_options {
	const char *profile; /* NULL: the real kernel */
	const char *guest_script;
	const char *faults;
	const char *report_path;
	const char *vcek_key;
	const char *settings[OPT_MAX_SIM_SETTINGS];
	unsigned int nr_settings;
};

/* --debug-tamper-staging: what to change in the staging area after the launch hashed it. */
enum staging_tamper {
	STAGING_TAMPER_NONE,
	STAGING_TAMPER_KERNEL,
	STAGING_TAMPER_INITRD,
};

struct vmm_options {
	const char *kernel;
	const char *initrd;
	const char *append;
	enum boot_mode boot_mode; /* default BOOT_MODE_HASHES */
	enum staging_tamper tamper_staging;
	uint64_t mem_size;
	uint32_t smp;
	bool no_snp;
	enum mem_backend mem_backend;
	enum console_kind console;
	const char *console_path;	   /* CONSOLE_FILE */
	int console_in_fd, console_out_fd; /* CONSOLE_FDS */
	int kick_signal;		   /* 0: SIGRTMIN */
	const char *kvm_device;		   /* default /dev/kvm */
	struct setup_data_opt setup_data[OPT_MAX_SETUP_DATA];
	unsigned int nr_setup_data;
	struct snp_options snp;
	struct sim_cli_options sim;
	const char *events_path; /* CLI: JSON Lines events; "-" for stderr, fd:N */
	const char *name;	 /* CLI: the VM's name in events */
	/* CLI: the QMP socket (--control), power button -> forced stop (seconds). */
	const char *control_path;
	unsigned int shutdown_timeout_s;
	bool help;
	bool version;
};

/* The name of one SEV_FEATURES bit ("debug-swap"), or NULL (snp_host.c). */
const char *sev_feature_name(unsigned int bit);

#endif /* SNPVMM_VMM_OPTIONS_H */
