/* SPDX-License-Identifier: MIT */
/*
 * The simulated SNP host's internal objects, shared by the files of src/sim only. One struct sim
 * is the backend: a profile (what kernel and firmware are simulated), a fault plan, the
 * VM's memory model, the SEV state machine, the simulated PSP, the vCPUs and the guest
 * script. One mutex (sim->lock) protects everything; vCPU threads drop it while idle.
 */
#ifndef SNPVMM_SIM_INTERNAL_H
#define SNPVMM_SIM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/kvm_snp.h"
#include "sim/sim.h"
#include "snp/launch_digest.h"
#include "snp/report.h"
#include "util/diag.h"
#include "vmm/backend.h"

#define SIM_PAGE_SIZE	      4096ull
/* KVM_CAP_MAX_VCPUS = KVM_MAX_VCPUS = CONFIG_KVM_MAX_NR_VCPUS on x86: default 1024, up to
 * 4096 (MAXSMP); arch/x86/include/asm/kvm_host.h, arch/x86/kvm/Kconfig. */
#define SIM_DEFAULT_MAX_VCPUS 1024
#define SIM_MAX_VCPUS_LIMIT   4096
#define SIM_MAX_SLOTS	      32
#define SIM_MAX_GMEM	      32
/* KVM_GET_VCPU_MMAP_SIZE on x86 is three pages: struct kvm_run, the PIO data page
 * (KVM_PIO_PAGE_OFFSET 1) and the coalesced-MMIO ring (KVM_COALESCED_MMIO_PAGE_OFFSET 2). */
#define SIM_RUN_SIZE	      (3 * 4096)
#define SIM_PIO_OFFSET	      4096

/* ---- profile (sim_profile.c) ---- */

enum sim_abi {
	SIM_ABI_UPSTREAM, /* 6.11+: ids 100..103, KVM_EXIT_HYPERCALL for PSC */
	SIM_ABI_V12,	  /* v12 series: ids 23..25, KVM_EXIT_VMGEXIT for PSC */
};

/* The kernels the simulated host models, oldest first (docs/testing.md "Profiles"). */
enum sim_kernel {
	SIM_KERNEL_V12,	 /* the SEV-SNP hypervisor series v12 (2024-03-29) on its base */
	SIM_KERNEL_6_11, /* Linux 6.11 .. 6.16 */
	SIM_KERNEL_6_17,
	SIM_KERNEL_6_18,
	SIM_KERNEL_6_19,
	SIM_KERNEL_7_0,
};

/*
 * The kvm_amd / guest_memfd rules that differ between the modelled kernels. Each is set
 * from the kernel by sim_profile_init(), which cites the function and version it comes
 * from; a few can be changed by a setting (docs/sim.md "Settings").
 */
struct sim_kernel_rules {
	bool launch_update_progress; /* 6.11+: gfn_start/uaddr/len written back */
	bool populate_checks_signal; /* 6.11+: kvm_gmem_populate() -EINTR on a signal */
	bool smt_required;	     /* v12, 6.11-6.16: policy without SMT -EINVAL */
	bool single_socket_rejected; /* v12, 6.11-6.16: SINGLE_SOCKET -EINVAL */
	uint64_t policy_mask;	     /* bits KVM lets through to the firmware */
	bool has_policy_bits_attr;   /* 6.19+: KVM_X86_SNP_POLICY_BITS (mask & firmware) */
	bool ghcb_v2_required;	     /* 6.18+: INIT2 ghcb_version 1 -EINVAL for SNP */
	bool len0_rejected;	     /* 6.18+: LAUNCH_UPDATE len 0 -EINVAL (was a no-op) */
	bool uaddr_aligned;	     /* 7.0+: LAUNCH_UPDATE unaligned uaddr -EINVAL */
	bool secure_tsc;	     /* 6.18+: SECURE_TSC offered where the host has it */
	bool has_req_certs;	     /* 7.0+: attribute 2, command 103, the exit */
	uint32_t certs_exit;	     /* KVM_EXIT_SNP_REQ_CERTS: 43 (7.0), 42 (kvm-x86) */
	bool pre_fault_memory;	     /* 6.11+: KVM_PRE_FAULT_MEMORY */
	bool gmem_mmap;		     /* 6.18+: KVM_CAP_GUEST_MEMFD_FLAGS, gmem on plain VMs */
	bool vm_memory_attributes;   /* KVM_SET_MEMORY_ATTRIBUTES on the VM fd */
};

struct sim_profile {
	char name[32];	/* the canonical profile name ("6.18") */
	char alias[32]; /* the name it was asked by, if an alias ("upstream"), else "" */
	enum sim_kernel kernel;
	enum sim_abi abi;
	struct sim_kernel_rules rules;
	/* the host: CPU, firmware and machine */
	uint64_t vm_types;	      /* KVM_CAP_VM_TYPES bitmap */
	uint64_t vmsa_features;	      /* KVM_X86_SEV_VMSA_FEATURES (derived unless set) */
	uint64_t fw_policy_bits;      /* policy bits the firmware supports */
	uint32_t cpuid_8000001f[4];   /* host CPUID 0x8000001F eax, ebx, ecx, edx */
	bool smt_active;	      /* /sys/devices/system/cpu/smt/active (0 under nosmt) */
	bool smt_bios;		      /* SMT enabled in the BIOS: what the firmware checks */
	uint8_t api_major, api_minor; /* firmware API version */
	uint8_t build_id;	      /* and build (SNP_PLATFORM_STATUS, reports) */
	uint32_t max_vcpus;
	uint64_t gmem_flags_snp; /* KVM_CAP_GUEST_MEMFD_FLAGS on an SNP VM (derived unless set) */
	uint64_t ghcb_gpa;	 /* where the scripted guest keeps its GHCB (v12 PSC) */
	uint32_t tsc_khz;	 /* the host's TSC frequency (KVM's tsc_khz) */
	uint64_t host_memory;	 /* bytes of guest_memfd the simulated host backs */
	unsigned int set;	 /* SIM_SET_* bits: derived values given by a setting */
};

#define SIM_SET_VMSA_FEATURES (1u << 0)
#define SIM_SET_GMEM_FLAGS    (1u << 1)

/* The profile of kernel `name` (or an alias, or NULL for the newest) with the default host. */
int sim_profile_init(struct sim_profile *p, const char *name, struct diag *d)
	__attribute__((warn_unused_result));
int sim_profile_apply(struct sim_profile *p, const char *setting, struct diag *d)
	__attribute__((warn_unused_result));
/* Derives what depends on both kernel and host (VMSA features, guest_memfd flags) after the
 * settings are applied. */
void sim_profile_finish(struct sim_profile *p);

/* ---- fault injection (sim_faults.c) ---- */

enum sim_fw_cmd {
	SIM_FW_LAUNCH_START,
	SIM_FW_LAUNCH_UPDATE,
	SIM_FW_LAUNCH_FINISH,
	SIM_FW_CMD_MAX,
};

#define SIM_FAULTS_MAX 8

struct sim_fault_list {
	unsigned int nth[SIM_FAULTS_MAX]; /* 1-based occurrence numbers */
	unsigned int nr;
};

struct sim_fw_fault {
	uint32_t code;
	unsigned int nth; /* 0: every time */
	bool armed;
};

/* A signal that arrives during the nth LAUNCH_UPDATE (1-based). */
struct sim_signal_fault {
	unsigned int nth;
	int signo;
};

/* fail-call=N[:ERRNO]: the Nth call into the seam fails. */
struct sim_call_fault {
	unsigned int nth;
	int err; /* a positive errno */
};

struct sim_faults {
	struct sim_call_fault call[SIM_FAULTS_MAX];
	unsigned int nr_call;
	struct sim_fault_list launch_update_eagain;
	struct sim_fault_list launch_update_partial;
	struct sim_signal_fault launch_update_signal[SIM_FAULTS_MAX];
	unsigned int nr_launch_update_signal;
	struct sim_fault_list run_eintr;
	struct sim_fw_fault fw[SIM_FW_CMD_MAX];
	bool gmem_enomem;
	bool cpuid_reject;
};

int sim_faults_parse(struct sim_faults *f, const char *spec, struct diag *d)
	__attribute__((warn_unused_result));
bool sim_fault_hit(const struct sim_fault_list *l, unsigned int count);
/* The signal injected into the count-th LAUNCH_UPDATE, or 0. */
int sim_fault_signal(const struct sim_faults *f, unsigned int count);
/* The errno (positive) the count-th seam call must fail with, or 0. */
int sim_call_fault(const struct sim_faults *f, unsigned int count);
/* The injected firmware error for the count-th use of cmd, or 0. */
uint32_t sim_fw_fault(struct sim_faults *f, enum sim_fw_cmd cmd, unsigned int count);
const char *sim_fw_cmd_name(enum sim_fw_cmd cmd);

/* ---- memory (sim_memory.c) ---- */

struct sim_gmem {
	int fd; /* a memfd standing in for the guest_memfd */
	uint64_t size;
	uint64_t flags;
	uint8_t *prepared; /* one bit per page: RMP-assigned (kvm_gmem_mark_prepared) */
};

struct sim_slot {
	bool used;
	uint32_t id;
	uint32_t flags;
	uint64_t gpa, size, uaddr, gmem_offset;
	struct sim_gmem *gmem; /* NULL without KVM_MEM_GUEST_MEMFD */
};

struct sim_range {
	uint64_t start, end; /* GFNs, [start, end) */
};

struct sim_memory {
	struct sim_gmem gmem[SIM_MAX_GMEM];
	unsigned int nr_gmem;
	struct sim_slot slots[SIM_MAX_SLOTS];
	struct sim_range *priv; /* sorted, disjoint, non-adjacent private GFN ranges */
	unsigned int nr_priv, cap_priv;
	uint64_t gmem_bytes; /* the sizes of all guest_memfds */
};

void sim_memory_fini(struct sim_memory *m);
int sim_memory_create_gmem(struct sim_memory *m, const struct kvm_create_guest_memfd *g);
int sim_memory_set_region(struct sim_memory *m, const struct kvm_userspace_memory_region2 *r);
struct sim_slot *sim_memory_slot_of(struct sim_memory *m, uint64_t gfn);
/* One 4 KiB page of a guest_memfd. Writing an all-zero page punches a hole, so that memory
 * the launch only zeroes (ZERO pages, most of RAM) is never allocated. */
int sim_gmem_write_page(struct sim_gmem *g, uint64_t index, const uint8_t page[SIM_PAGE_SIZE])
	__attribute__((warn_unused_result));
int sim_gmem_read_page(struct sim_gmem *g, uint64_t index, uint8_t page[SIM_PAGE_SIZE])
	__attribute__((warn_unused_result));
int sim_memory_set_private(struct sim_memory *m, uint64_t start_gfn, uint64_t end_gfn, bool priv)
	__attribute__((warn_unused_result));
/* True if every GFN in [start, end) has the PRIVATE attribute (priv) or none has (!priv). */
bool sim_memory_range_is(const struct sim_memory *m, uint64_t start, uint64_t end, bool priv);
uint64_t sim_memory_private_pages_in(const struct sim_memory *m, uint64_t start, uint64_t end);
/* The VMM's shared view of [gpa, gpa+len) (through the slot's userspace_addr), or NULL
 * if the range is not inside one memslot. */
void *sim_memory_shared_hva(struct sim_memory *m, uint64_t gpa, uint64_t len);

/* ---- simulated PSP (sim_psp.c) ---- */

enum sim_gstate {
	SIM_GSTATE_NONE,    /* no guest context */
	SIM_GSTATE_LAUNCH,  /* after SNP_LAUNCH_START */
	SIM_GSTATE_RUNNING, /* after SNP_LAUNCH_FINISH */
};

struct sim_psp {
	enum sim_gstate state;
	struct launch_digest ld;
	bool ld_ready;
	uint64_t policy;
	uint8_t gosvw[16];
	uint64_t page_ops[7]; /* firmware SNP_LAUNCH_UPDATE 4K pages by page type */
	uint8_t host_data[32];
	bool id_block_en, auth_key_en, vcek_disabled;
	uint8_t id_key_digest[48], author_key_digest[48];
	uint8_t measurement[48];  /* LD at LAUNCH_FINISH */
	uint32_t desired_tsc_khz; /* SNP_LAUNCH_START DESIRED_TSC_FREQ (Secure TSC), or 0 */
};

void sim_psp_fini(struct sim_psp *psp);
/* SNP_LAUNCH_START's firmware checks; 0 or -EIO with *fw_error. */
int sim_psp_launch_start(struct sim_psp *psp, const struct sim_profile *p, uint64_t policy,
			 const uint8_t gosvw[16], uint32_t desired_tsc_khz, uint32_t *fw_error);
/* The measurement primitive: one 4 KiB PAGE_INFO step of the firmware's chain. */
int sim_psp_measure_page(struct sim_psp *psp, enum snp_page_type type, uint64_t gpa,
			 const void *page) __attribute__((warn_unused_result));
/* Firmware SNP_LAUNCH_UPDATE of one page. For a CPUID page the firmware may rewrite page
 * (the values it expects) and fail with INVALID_PARAM. 0 or -EIO with *fw_error. */
int sim_psp_launch_update(struct sim_psp *psp, const struct sim_profile *p, uint8_t type,
			  uint64_t gpa, uint8_t page[SIM_PAGE_SIZE], bool force_cpuid_reject,
			  uint32_t *fw_error);
/* The firmware's CPUID page check (56860 "CPUID Reporting", modelled; docs/sim.md). True
 * if the page passes; otherwise page holds the corrected table. */
bool sim_psp_cpuid_page_check(const struct sim_profile *p, uint8_t page[SIM_PAGE_SIZE]);
int sim_psp_launch_finish(struct sim_psp *psp, const void *id_block, const void *id_auth,
			  bool id_block_en, bool auth_key_en, bool vcek_disabled,
			  const uint8_t host_data[32], uint32_t *fw_error);

/* ---- the host's CPUID (sim_profile.c) ---- */

/* KVM_GET_SUPPORTED_CPUID of the simulated host; -E2BIG if cpuid->nent is too small. */
int sim_supported_cpuid(const struct sim_profile *p, struct kvm_cpuid2 *cpuid);
/* The entry for (function, index) in that table, or NULL. */
const struct kvm_cpuid_entry2 *sim_supported_cpuid_entry(const struct sim_profile *p,
							 uint32_t function, uint32_t index);

/* ---- guest script (sim_guest.c) ---- */

struct sim_script;
struct sim;

int sim_script_parse(const char *text, const char *name, struct sim_script **ret, struct diag *d)
	__attribute__((warn_unused_result));
int sim_script_load(const char *path, struct sim_script **ret, struct diag *d)
	__attribute__((warn_unused_result));
/* The default script (docs/sim-guest.md). */
int sim_script_default(struct sim_script **ret, struct diag *d) __attribute__((warn_unused_result));
void sim_script_free(struct sim_script *s);
unsigned int sim_script_length(const struct sim_script *s);

/* KVM_RUN of the scripted boot vCPU after LAUNCH_FINISH; called with sim->lock held.
 * Returns the ioctl's result, or SIM_GUEST_HALTED: the guest executed HLT and waits for
 * an interrupt (sim_vcpu_run() blocks, and calls again when an IRQ line rose). */
#define SIM_GUEST_HALTED 2
int sim_guest_run(struct sim *sim, struct kvm_run *run);
/* The completion of the exit in flight, which KVM_RUN does before it honours
 * immediate_exit: 0, or the -errno KVM_RUN fails with. */
int sim_guest_complete(struct sim *sim, struct kvm_run *run);
/* The ACPI SCI: the FADT's SCI_INT, ISA IRQ 9 in snpvmm's tables (and QEMU's). */
#define SIM_SCI_IRQ 9

/* ---- the backend (sim_backend.c) ---- */

enum sim_ioctl {
	SIM_IOC_CHECK_EXTENSION,
	SIM_IOC_GET_DEVICE_ATTR,
	SIM_IOC_GET_SUPPORTED_CPUID,
	SIM_IOC_CREATE_VM,
	SIM_IOC_ENABLE_CAP,
	SIM_IOC_SET_TSC_KHZ,
	SIM_IOC_CREATE_IRQCHIP,
	SIM_IOC_IRQ_LINE,
	SIM_IOC_CREATE_GUEST_MEMFD,
	SIM_IOC_SET_USER_MEMORY_REGION2,
	SIM_IOC_SET_MEMORY_ATTRIBUTES,
	SIM_IOC_MEMORY_ENCRYPT_OP,
	SIM_IOC_SEV_INIT2,
	SIM_IOC_SNP_LAUNCH_START,
	SIM_IOC_SNP_LAUNCH_UPDATE,
	SIM_IOC_SNP_LAUNCH_FINISH,
	SIM_IOC_SNP_ENABLE_REQ_CERTS,
	SIM_IOC_SEV_OTHER,
	SIM_IOC_SEV_ISSUE_CMD,
	SIM_IOC_CREATE_VCPU,
	SIM_IOC_SET_CPUID2,
	SIM_IOC_GET_VCPU_STATE,
	SIM_IOC_SET_VCPU_STATE,
	SIM_IOC_RUN,
	SIM_IOC_PRE_FAULT_MEMORY,
	SIM_IOC_MAX,
};

const char *sim_ioctl_name(enum sim_ioctl i);

/* One call a fail-call fault failed, for the report. */
struct sim_injected_fault {
	unsigned int call; /* 1-based number of the seam call */
	enum sim_ioctl op;
	int err; /* positive errno */
};

struct sim_vcpu {
	uint32_t id;
	struct kvm_run *run;	 /* SIM_RUN_SIZE bytes, page aligned */
	struct vcpu_state state; /* what KVM_SET_* gave it, over KVM's reset state */
	bool has_cpuid;
	bool protected_state; /* guest_state_protected: VMSA encrypted at LAUNCH_FINISH */
};

enum sim_outcome {
	SIM_OUTCOME_NOT_RUN,
	SIM_OUTCOME_RUNNING,
	SIM_OUTCOME_PASSED,
	SIM_OUTCOME_FAILED,
	SIM_OUTCOME_TERMINATED,
};

#define SIM_MAX_REPORTS 8

struct sim_attestation {
	uint8_t report_data[64];
	struct snp_report report; /* as the guest received it, signed */
};

/* ---- attestation (sim_attest.c) ---- */

struct sim_attest {
	EVP_PKEY *vcek; /* the simulated chip's VCEK; made at the first report if not given */
	uint8_t report_id[SNP_REPORT_ID_SIZE];
	bool has_report_id;
};

/* vcek_key_path: a PEM EC P-384 private key, or NULL. -errno with d naming the file. */
int sim_attest_init(struct sim_attest *a, const char *vcek_key_path, struct diag *d)
	__attribute__((warn_unused_result));
void sim_attest_fini(struct sim_attest *a);

struct sim {
	struct kvm_backend be;
	struct kvm_backend_ops ops; /* sim_ops with the name "sim:<profile>" */
	char name[48];
	pthread_mutex_t lock;
	struct sim_profile profile;
	struct sim_faults faults;
	char *report_path;
	int report_fd; /* opened by sim_backend_create(); -1 without --sim-report */

	/* VM */
	bool vm_created;
	unsigned long vm_type;
	uint64_t exit_hypercall; /* KVM_CAP_EXIT_HYPERCALL enabled mask */
	bool irqchip;
	uint32_t irq_levels;	  /* KVM_IRQ_LINE levels of IRQs 0..31 */
	uint32_t default_tsc_khz; /* kvm->arch.default_tsc_khz (KVM_SET_TSC_KHZ on the VM) */
	struct sim_memory mem;

	/* SEV (sim_sev.c) */
	bool sev_init; /* INIT2 done (need_init cleared) */
	uint64_t vmsa_features;
	uint16_t ghcb_version;
	bool snp_context; /* KVM's sev->snp_context */
	bool finished;	  /* LAUNCH_FINISH succeeded: pre_fault_allowed */
	bool req_certs;	  /* KVM_SEV_SNP_ENABLE_REQ_CERTS issued */
	struct sim_psp psp;

	/* vCPUs */
	struct sim_vcpu *vcpus; /* grown as vCPUs are created, up to profile.max_vcpus */
	unsigned int nr_vcpus, cap_vcpus;

	/* guest */
	struct sim_script *script;
	enum sim_outcome outcome;
	char failure[256];
	struct sim_attestation reports[SIM_MAX_REPORTS];
	unsigned int nr_reports;
	struct sim_attest attest;

	/* counters */
	uint64_t ioctls[SIM_IOC_MAX];
	unsigned int seam_calls; /* every call counted in ioctls[], in order */
	struct sim_injected_fault injected[SIM_FAULTS_MAX]; /* what fail-call did */
	unsigned int nr_injected;
	bool destroying; /* the report lists the VMM's open fds (sim_destroy) */
	unsigned int launch_update_calls;
	unsigned int fw_calls[SIM_FW_CMD_MAX];
	unsigned int run_calls;
	bool report_written;
	/* What a real host would not survive (an RMP violation in the kernel), or "". */
	char host_fault[160];
};

static inline struct sim *to_sim(struct kvm_backend *be)
{
	return (struct sim *)be;
}

/* KVM_MEMORY_ENCRYPT_OP (sim_sev.c); called with sim->lock held. */
int sim_sev_ioctl(struct sim *sim, struct kvm_sev_cmd *cmd);

/* The JSON report (sim_report.c): replaces the contents of report_fd (0 without one). */
int sim_report_write(struct sim *sim);
/* Appends the report to f (used by the tests and the writer). */
int sim_report_to_buffer(struct sim *sim, char **ret_buf, size_t *ret_len);

/* The signed ATTESTATION_REPORT the simulated PSP returns for a guest request
 * (sim_attest.c). -EINVAL before LAUNCH_FINISH; -errno with d otherwise. */
int sim_attest_report(struct sim *sim, const uint8_t report_data[SNP_REPORT_DATA_SIZE],
		      uint32_t vmpl, struct snp_report *ret_report, struct diag *d)
	__attribute__((warn_unused_result));

/* Outcome bookkeeping for the guest script (sim_guest.c). */
void sim_guest_set_failure(struct sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* SNPVMM_SIM_INTERNAL_H */
