/* SPDX-License-Identifier: MIT */
/*
 * libsnpvmm: launch and supervise AMD SEV-SNP guests (or plain KVM guests) from a Linux
 * bzImage, without firmware, from inside another program. docs/embedding.md has a complete
 * example. Every exported symbol starts with snpvmm_. This header is all an embedder
 * needs unless it implements a backend of its own: <snpvmm/backend.h> has the seam.
 *
 * Objects are opaque: a struct snpvmm_config (what to launch), a struct snpvmm_vm (one
 * guest), and optionally a struct snpvmm_backend (the kernel seam: /dev/kvm, the simulated
 * SNP host, or the caller's own). Several VMs may live in one process; distinct objects
 * may be used from distinct threads at once. Unless a function says otherwise, one object
 * must not be used from two threads at the same time.
 *
 * Errors: functions that can fail return 0 (or a count) on success and a negative errno
 * on failure; those given a struct snpvmm_error fill it on failure. The library never
 * calls exit(), never writes to stdout or stderr, and installs no signal handler unless
 * asked to (snpvmm_install_kick_handler()).
 */
#ifndef SNPVMM_SNPVMM_H
#define SNPVMM_SNPVMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SNPVMM_VERSION_MAJOR  0
#define SNPVMM_VERSION_MINOR  1
#define SNPVMM_VERSION_PATCH  0
#define SNPVMM_VERSION_STRING "0.1.0"

#if defined(__GNUC__)
#define SNPVMM_API	  __attribute__((visibility("default")))
#define SNPVMM_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SNPVMM_API
#define SNPVMM_MUST_CHECK
#endif

/* The library's version as "MAJOR.MINOR.PATCH" (may differ from the header's). */
SNPVMM_API const char *snpvmm_version(void);

/* ---- errors ---------------------------------------------------------------------- */

/* What failed, for a person and for a program. Plain data: the caller owns it. */
struct snpvmm_error {
	int code;	    /* the -errno the function returned */
	char step[32];	    /* the lifecycle step: "config", "backend", "launch", "run" */
	char field[32];	    /* the configuration field at fault ("policy"), or "" */
	char fw_error[40];  /* the SEV firmware status name ("INVALID_PARAM"), or "" */
	uint32_t fw_code;   /* its number, 0 if none */
	char message[4608]; /* one sentence (room for a PATH_MAX path), never a CLI flag */
};

/* ---- configuration ------------------------------------------------------------- */

struct snpvmm_config;

/* Creates a configuration with the defaults (512 MiB, 1 vCPU, SEV-SNP on, boot mode
 * hashes, console off, /dev/kvm). -ENOMEM. The caller owns it: snpvmm_config_free(). */
SNPVMM_API int snpvmm_config_new(struct snpvmm_config **ret_cfg) SNPVMM_MUST_CHECK;
/* Frees it; accepts NULL. VMs created from it keep their own copy. */
SNPVMM_API void snpvmm_config_free(struct snpvmm_config *cfg);

/* Every setter below returns 0, -EINVAL for a value no launch could use (the rules
 * between fields are checked by snpvmm_vm_create(), which names the field), or -ENOMEM;
 * on failure the config is unchanged. One config must not be set from two threads. */

/* Inputs a launch reads. Each may be a path, a file descriptor or a byte buffer; the
 * setters copy what they are given (a path string, a dup() of the fd, the bytes), so
 * the caller may free or close its own right after. A later setter replaces an earlier. */
enum snpvmm_input {
	SNPVMM_INPUT_KERNEL,   /* the bzImage (required) */
	SNPVMM_INPUT_INITRD,   /* an initial ramdisk (optional) */
	SNPVMM_INPUT_ID_BLOCK, /* the 96-byte ID block, raw or base64 (SNP) */
	SNPVMM_INPUT_ID_AUTH,  /* the 4096-byte ID authentication structure (SNP) */
	SNPVMM_INPUT_CERTS,    /* a certificate table served to guest requests, re-read per
				  request (SNP; a path is best: it can be replaced live) */
};
/* -EINVAL for an unknown input or an empty path; -errno of dup()/memfd_create(). */
SNPVMM_API int snpvmm_config_set_input_path(struct snpvmm_config *cfg, enum snpvmm_input which,
					    const char *path) SNPVMM_MUST_CHECK;
SNPVMM_API int snpvmm_config_set_input_fd(struct snpvmm_config *cfg, enum snpvmm_input which,
					  int fd) SNPVMM_MUST_CHECK;
SNPVMM_API int snpvmm_config_set_input_buffer(struct snpvmm_config *cfg, enum snpvmm_input which,
					      const void *data, size_t size) SNPVMM_MUST_CHECK;
/* A boot_params setup_data node (type != 0, below 0x80000000) with a file's bytes or a
 * buffer's; up to 8. -EINVAL, -E2BIG. */
SNPVMM_API int snpvmm_config_add_setup_data_path(struct snpvmm_config *cfg, uint32_t type,
						 const char *path) SNPVMM_MUST_CHECK;
SNPVMM_API int snpvmm_config_add_setup_data_buffer(struct snpvmm_config *cfg, uint32_t type,
						   const void *data, size_t size) SNPVMM_MUST_CHECK;

/* The kernel command line (copied; NULL for none). */
SNPVMM_API int snpvmm_config_set_cmdline(struct snpvmm_config *cfg,
					 const char *cmdline) SNPVMM_MUST_CHECK;
/* A name for the VM, carried by every event (copied). */
SNPVMM_API int snpvmm_config_set_name(struct snpvmm_config *cfg,
				      const char *name) SNPVMM_MUST_CHECK;
/* Guest RAM in bytes: 4 MiB .. 1 TiB, a multiple of 4 KiB. -EINVAL otherwise. */
SNPVMM_API int snpvmm_config_set_memory(struct snpvmm_config *cfg,
					uint64_t bytes) SNPVMM_MUST_CHECK;
/* vCPUs, 1..255 (vCPU id = APIC id). -EINVAL otherwise. */
SNPVMM_API int snpvmm_config_set_vcpus(struct snpvmm_config *cfg, uint32_t nr) SNPVMM_MUST_CHECK;
/* true (default): an SEV-SNP guest; false: a plain, unmeasured KVM guest. */
SNPVMM_API int snpvmm_config_set_snp(struct snpvmm_config *cfg, bool snp) SNPVMM_MUST_CHECK;

enum snpvmm_boot_mode {
	SNPVMM_BOOT_HASHES,  /* default: a measured boot stage checks the images' SHA-384 */
	SNPVMM_BOOT_CONTENT, /* every image byte goes through the PSP */
};
SNPVMM_API int snpvmm_config_set_boot_mode(struct snpvmm_config *cfg,
					   enum snpvmm_boot_mode mode) SNPVMM_MUST_CHECK;

enum snpvmm_memory_backend {
	SNPVMM_MEMORY_AUTO, /* guest_memfd when the kernel can map it, else anonymous */
	SNPVMM_MEMORY_GMEM,
	SNPVMM_MEMORY_ANON,
};
SNPVMM_API int snpvmm_config_set_memory_backend(struct snpvmm_config *cfg,
						enum snpvmm_memory_backend b) SNPVMM_MUST_CHECK;

/* The guest's serial console (COM1): bytes the guest writes go to out_fd, bytes read
 * from in_fd go to the guest. Either may be -1 (discard / no input). The fds are dup()ed.
 * A terminal on in_fd is put in raw mode while the VM runs, and restored. Default: none. */
SNPVMM_API int snpvmm_config_set_console_fds(struct snpvmm_config *cfg, int in_fd,
					     int out_fd) SNPVMM_MUST_CHECK;
/* The console's output into a file created (or truncated) at launch; no input. */
SNPVMM_API int snpvmm_config_set_console_path(struct snpvmm_config *cfg,
					      const char *path) SNPVMM_MUST_CHECK;

/* SEV-SNP launch parameters; each has the documented default until set. */
SNPVMM_API int snpvmm_config_set_cbitpos(struct snpvmm_config *cfg,
					 int cbitpos) SNPVMM_MUST_CHECK; /* 32..51; -1 host's */
SNPVMM_API int snpvmm_config_set_policy(struct snpvmm_config *cfg,
					uint64_t policy) SNPVMM_MUST_CHECK; /* default 0x30000 */
SNPVMM_API int
snpvmm_config_set_guest_visible_workarounds(struct snpvmm_config *cfg,
					    const uint8_t gosvw[16]) SNPVMM_MUST_CHECK;
/* VMSA SEV_FEATURES bits (bit 0, SNP active, is KVM's and refused). Default none. */
SNPVMM_API int snpvmm_config_set_sev_features(struct snpvmm_config *cfg,
					      uint64_t features) SNPVMM_MUST_CHECK;
/* Secure TSC (SEV feature bit 9), at khz (>= 1000), or 0: the host's frequency. */
SNPVMM_API int snpvmm_config_set_secure_tsc(struct snpvmm_config *cfg, bool on,
					    uint32_t khz) SNPVMM_MUST_CHECK;
enum snpvmm_kvm_abi {
	SNPVMM_KVM_ABI_AUTO,
	SNPVMM_KVM_ABI_UPSTREAM, /* Linux 6.11 and later */
	SNPVMM_KVM_ABI_V12,	 /* the SNP v12 patch series */
};
SNPVMM_API int snpvmm_config_set_kvm_abi(struct snpvmm_config *cfg,
					 enum snpvmm_kvm_abi abi) SNPVMM_MUST_CHECK;
/* 32 bytes the attestation report carries (HOST_DATA). */
SNPVMM_API int snpvmm_config_set_host_data(struct snpvmm_config *cfg,
					   const uint8_t data[32]) SNPVMM_MUST_CHECK;
/* The ID auth structure carries an author key (needs an ID block). */
SNPVMM_API int snpvmm_config_set_author_key_enabled(struct snpvmm_config *cfg,
						    bool on) SNPVMM_MUST_CHECK;
/* Forbid VCEK-signed reports (VLEK only). */
SNPVMM_API int snpvmm_config_set_vcek_disabled(struct snpvmm_config *cfg,
					       bool on) SNPVMM_MUST_CHECK;

/* The KVM device the default backend opens (default "/dev/kvm"; copied). */
SNPVMM_API int snpvmm_config_set_kvm_device(struct snpvmm_config *cfg,
					    const char *path) SNPVMM_MUST_CHECK;

/* The simulated SEV-SNP host (testing only: NO confidentiality) as the VM's backend:
 * a profile ("6.18", "v12", "upstream", ... docs/sim.md). The other SIM_* settings take
 * effect with a profile: a guest script path, a fault spec, a report path, a VCEK key path,
 * and KEY=VALUE profile settings (repeatable, up to 16). Strings are copied. */
enum snpvmm_sim_setting {
	SNPVMM_SIM_PROFILE,
	SNPVMM_SIM_GUEST_SCRIPT,
	SNPVMM_SIM_FAULTS,
	SNPVMM_SIM_REPORT,
	SNPVMM_SIM_VCEK_KEY,
	SNPVMM_SIM_SET, /* adds one KEY=VALUE */
};
SNPVMM_API int snpvmm_config_set_sim(struct snpvmm_config *cfg, enum snpvmm_sim_setting what,
				     const char *value) SNPVMM_MUST_CHECK;

/* Testing only: after the launch hashed the images, flip one byte of the kernel (1) or
 * the initrd (2) in the staging area so the boot stage refuses to boot; 0 off. */
SNPVMM_API int snpvmm_config_set_debug_tamper_staging(struct snpvmm_config *cfg,
						      int what) SNPVMM_MUST_CHECK;

/* ---- events and logs ------------------------------------------------------------ */

enum snpvmm_event_type {
	SNPVMM_EVENT_HOST_CHECKED,    /* SNP: the host offers what the launch needs */
	SNPVMM_EVENT_MEASUREMENT,     /* SNP: the predicted launch digest, before any VM */
	SNPVMM_EVENT_LAUNCH_STARTED,  /* snpvmm_vm_launch() began */
	SNPVMM_EVENT_LAUNCH_PROGRESS, /* a launch phase ended ("phase", "elapsed_us") */
	SNPVMM_EVENT_LAUNCH_FINISHED, /* the guest is ready to run; phase times */
	SNPVMM_EVENT_PAGE_STATE,      /* SNP, at the end: private/shared pages, conversions */
	SNPVMM_EVENT_CERTS_SERVED,    /* SNP: a certificate request was answered */
	SNPVMM_EVENT_GUEST_EXIT,      /* always the VM's last event, also after failures */
};

enum snpvmm_field_kind {
	SNPVMM_FIELD_STRING, /* UTF-8 not guaranteed: a path is bytes */
	SNPVMM_FIELD_UINT,
	SNPVMM_FIELD_INT,
	SNPVMM_FIELD_BOOL,
};

struct snpvmm_event_field {
	const char *name; /* e.g. "measurement", "policy" (docs/events.md) */
	enum snpvmm_field_kind kind;
	union {
		const char *s;
		uint64_t u;
		int64_t i;
		bool b;
	} v;
};

/* An event. Everything it points to lives only during the callback. */
struct snpvmm_event {
	enum snpvmm_event_type type;
	const char *type_name; /* "measurement", "guest-exit", ... (docs/events.md) */
	uint64_t monotonic_ns; /* CLOCK_MONOTONIC */
	uint64_t realtime_us;  /* CLOCK_REALTIME, microseconds since the Unix epoch */
	const char *vm_name;   /* snpvmm_config_set_name(), or "" */
	const struct snpvmm_event_field *fields;
	size_t nr_fields;
};

/* Called on one of the VM's threads (the launching thread, a vCPU thread or the one
 * running snpvmm_vm_run()), never twice at once for one VM. It must not call back into
 * that VM except snpvmm_vm_request_stop(). */
typedef void snpvmm_event_fn(void *opaque, const struct snpvmm_event *ev);
SNPVMM_API int snpvmm_config_set_event_callback(struct snpvmm_config *cfg, snpvmm_event_fn *fn,
						void *opaque) SNPVMM_MUST_CHECK;

enum snpvmm_log_level {
	SNPVMM_LOG_ERROR,
	SNPVMM_LOG_WARNING,
	SNPVMM_LOG_INFO,
};
/* Messages for a person (a simulated host's banner, a firmware correction). Same
 * threading as the event callback. Without one, nothing is logged. */
typedef void snpvmm_log_fn(void *opaque, enum snpvmm_log_level level, const char *msg);
SNPVMM_API int snpvmm_config_set_log_callback(struct snpvmm_config *cfg, snpvmm_log_fn *fn,
					      void *opaque) SNPVMM_MUST_CHECK;

/* ---- the pure core: the launch digest without /dev/kvm ----------------------------- */

/* The SEV-SNP launch digest (48 bytes) a launch of cfg would produce, computed by the code
 * the launch itself uses to predict it: reads the inputs, touches no device. The C-bit
 * position defaults to 51 here (every SNP-capable EPYC). Thread-safe for distinct
 * configs. -errno with *err filled (step "measure"). */
SNPVMM_API int snpvmm_measure(const struct snpvmm_config *cfg, uint8_t ret_digest[48],
			      struct snpvmm_error *err) SNPVMM_MUST_CHECK;

/* One page the PSP measures (SEV-SNP firmware ABI 56860 §8.17, PAGE_INFO), in the order
 * of the launch: the plan as the digest sees it. */
struct snpvmm_measure_step {
	uint64_t index;		    /* 0-based */
	uint64_t gpa;		    /* guest physical address of the page */
	uint32_t page_type;	    /* PAGE_TYPE: 1 normal, 2 VMSA, 3 zero, 4 unmeasured, ... */
	const char *page_type_name; /* "NORMAL", "VMSA", ... */
	uint8_t contents[48];	    /* SHA-384 of the page (zero where not measured) */
	uint8_t digest_after[48];   /* the launch digest after this page */
};
typedef void snpvmm_measure_step_fn(void *opaque, const struct snpvmm_measure_step *step);

/* snpvmm_measure() that also hands every measured page to fn (called in the caller's
 * thread, before it returns). */
SNPVMM_API int snpvmm_measure_steps(const struct snpvmm_config *cfg, snpvmm_measure_step_fn *fn,
				    void *opaque, uint8_t ret_digest[48],
				    struct snpvmm_error *err) SNPVMM_MUST_CHECK;

/* ---- the kernel seam ---------------------------------------------------------------- */

/*
 * A backend is what the VM's ioctls go to. By default snpvmm_vm_create() opens one
 * itself (/dev/kvm, or the simulated host when the config names a profile). To plug in
 * another, wrap it with snpvmm_backend_from_ops(): `impl` is a `struct kvm_backend`
 * (or an object whose first member is one) pointing at a `struct kvm_backend_ops`, the
 * seam of <snpvmm/backend.h>: one operation per ioctl family, each returning 0 or -errno.
 * One backend serves one VM.
 */
struct snpvmm_backend;
struct kvm_backend; /* <snpvmm/backend.h> */
SNPVMM_API int snpvmm_backend_open_kvm(const char *device, struct snpvmm_backend **ret_be,
				       struct snpvmm_error *err) SNPVMM_MUST_CHECK;
/* The simulated host as cfg's SIM_* settings describe it. */
SNPVMM_API int snpvmm_backend_open_sim(const struct snpvmm_config *cfg,
				       struct snpvmm_backend **ret_be,
				       struct snpvmm_error *err) SNPVMM_MUST_CHECK;
/* Wraps a caller's backend; impl->ops->destroy(impl) runs when the backend is freed (by
 * snpvmm_backend_free() or by the VM that took it). abi_version is the
 * SNPVMM_BACKEND_ABI_VERSION of the <snpvmm/backend.h> impl was built with: a library
 * built with another refuses it: -EPROTONOSUPPORT. -EINVAL without impl, ops or
 * destroy. After those two impl is still the caller's; after -ENOMEM it was destroyed. */
SNPVMM_API int snpvmm_backend_from_ops(void *impl, unsigned int abi_version,
				       struct snpvmm_backend **ret_be) SNPVMM_MUST_CHECK;
/* The implementation under a backend the library opened (or the impl a caller wrapped),
 * to delegate to from a backend of one's own: its ops are the seam's. It stays owned by
 * `be`, and lives as long as `be` does; NULL for NULL. */
SNPVMM_API struct kvm_backend *snpvmm_backend_impl(struct snpvmm_backend *be);
/* Frees a backend no VM took; accepts NULL. */
SNPVMM_API void snpvmm_backend_free(struct snpvmm_backend *be);

/* ---- a VM's lifecycle ------------------------------------------------------------------- */

struct snpvmm_vm;

enum snpvmm_exit_reason {
	SNPVMM_EXIT_NONE,
	SNPVMM_EXIT_RESET,	/* the guest reset the machine */
	SNPVMM_EXIT_POWEROFF,	/* the guest powered off (ACPI S5) */
	SNPVMM_EXIT_CRASH,	/* triple fault, internal error, halted forever */
	SNPVMM_EXIT_TERMINATED, /* the guest asked to be terminated (SEV) */
	SNPVMM_EXIT_STOPPED,	/* the host stopped it: a stop request, the control socket */
	SNPVMM_EXIT_ERROR,	/* the VMM failed */
};

struct snpvmm_exit {
	enum snpvmm_exit_reason reason;
	int error;	   /* -errno for SNPVMM_EXIT_ERROR */
	char detail[4608]; /* one sentence */
};

/* The event name of a reason: "reset", "poweroff", "crash", "terminated", "stopped",
 * "vmm-error". */
SNPVMM_API const char *snpvmm_exit_reason_name(enum snpvmm_exit_reason reason);

/* Creates a VM from cfg (copied; cfg may be freed after) over `be` (taken: the VM owns
 * it from then on, also when this fails) or, be == NULL, a backend of its own. Checks
 * the configuration and opens the backend; creates nothing in the kernel yet.
 * -EINVAL (a field named in *err), -errno of the backend. */
SNPVMM_API int snpvmm_vm_create(const struct snpvmm_config *cfg, struct snpvmm_backend *be,
				struct snpvmm_vm **ret_vm,
				struct snpvmm_error *err) SNPVMM_MUST_CHECK;
/* Builds and launches the guest: images read and checked, the plan and its measurement
 * (SNP), the kernel VM, memory, LAUNCH_*, devices, vCPUs. Events: launch-started, ...,
 * launch-finished; after a failure, guest-exit (reason vmm-error). Once only. */
SNPVMM_API int snpvmm_vm_launch(struct snpvmm_vm *vm, struct snpvmm_error *err) SNPVMM_MUST_CHECK;
/* The launch digest the launch measured (SNP). -ENODATA before a launch or without SNP. */
SNPVMM_API int snpvmm_vm_measurement(const struct snpvmm_vm *vm,
				     uint8_t ret_digest[48]) SNPVMM_MUST_CHECK;

/* Runs the launched guest in the calling thread (one thread per vCPU below it) until it
 * ends, then fills *ret_exit and emits page-state and guest-exit. The vCPUs are kicked
 * out of KVM_RUN with the kick signal (snpvmm_install_kick_handler()). Once only.
 * -EINVAL if not launched or the kick signal has no handler. */
SNPVMM_API int snpvmm_vm_run(struct snpvmm_vm *vm, struct snpvmm_exit *ret_exit,
			     struct snpvmm_error *err) SNPVMM_MUST_CHECK;
/* The same in a thread of the library's; snpvmm_vm_wait() collects the end. */
SNPVMM_API int snpvmm_vm_start(struct snpvmm_vm *vm, struct snpvmm_error *err) SNPVMM_MUST_CHECK;
/* Waits for a started VM to end. -EINVAL if it was not started. */
SNPVMM_API int snpvmm_vm_wait(struct snpvmm_vm *vm, struct snpvmm_exit *ret_exit) SNPVMM_MUST_CHECK;

enum snpvmm_stop_mode {
	SNPVMM_STOP_GRACEFUL = 1, /* press the ACPI power button; forced after the deadline */
	SNPVMM_STOP_FORCED = 2,	  /* stop the vCPUs now */
};
/* Asks the VM to stop. Safe from any thread and from a signal handler (it stores a flag
 * and writes an eventfd); returns at once. A stop requested before run/start ends the run
 * as soon as it begins. Repeatable: forced overrides graceful. -EINVAL for a bad mode. */
SNPVMM_API int snpvmm_vm_request_stop(struct snpvmm_vm *vm, enum snpvmm_stop_mode mode);
/* How long a graceful stop waits for the guest before forcing it (default 10000 ms; 0:
 * a graceful stop is a forced one). */
SNPVMM_API int snpvmm_config_set_stop_deadline_ms(struct snpvmm_config *cfg,
						  uint32_t ms) SNPVMM_MUST_CHECK;
/* A forced stop with the sentence the exit's detail gets (NULL: "stopped by the host"),
 * through the same path as snpvmm_vm_request_stop(). Thread-safe, but NOT from a signal
 * handler (it takes the VM's lock). Before snpvmm_vm_launch() has returned it is
 * snpvmm_vm_request_stop(SNPVMM_STOP_FORCED) (the detail is the default). Returns 0. */
SNPVMM_API int snpvmm_vm_stop(struct snpvmm_vm *vm, const char *detail);

/* Frees everything the VM holds: kernel objects, memory, fds, threads (a started VM is
 * forced to stop and waited for first), its backend. Accepts NULL and a VM in any state. */
SNPVMM_API void snpvmm_vm_destroy(struct snpvmm_vm *vm);

/* ---- the QMP control socket ---------------------------------------------------------- */

/* A Unix stream socket speaking a subset of QMP, the QEMU Machine Protocol (docs/control.md):
 * query-status, system_powerdown, system_reset, quit, query-sev, ...; the events SHUTDOWN,
 * POWERDOWN, ... to every client. One thread serves all its clients. Its requests take
 * the same path as snpvmm_vm_request_stop(). */
struct snpvmm_control;

/* Binds and listens at path (a stale socket file is replaced, a live one refused) and
 * starts the thread. Open it before the launch: clients may connect during it (status
 * "prelaunch"; a quit is remembered). system_powerdown gives the guest powerdown_timeout_ms
 * to power off before the VM is stopped (0: it waits for ever). -errno, *err says why. */
SNPVMM_API int snpvmm_control_open(const char *path, uint32_t powerdown_timeout_ms,
				   struct snpvmm_control **ret_ctl,
				   struct snpvmm_error *err) SNPVMM_MUST_CHECK;
/* Gives the socket the launched VM (NULL: none again). The VM must outlive the attachment:
 * attach NULL or close the socket before destroying it. Thread-safe. */
SNPVMM_API void snpvmm_control_attach(struct snpvmm_control *ctl, struct snpvmm_vm *vm);
/* Who will stop the VM, as QMP's SHUTDOWN "reason" (a ShutdownCause) names it, e.g.
 * "host-signal"; the first one set wins. Thread-safe; accepts NULL. */
SNPVMM_API void snpvmm_control_set_host_cause(struct snpvmm_control *ctl, const char *cause);
/* Sends the event {"event": event, "data": {}} to every client (e.g. "POWERDOWN").
 * Thread-safe; accepts NULL. */
SNPVMM_API void snpvmm_control_emit(struct snpvmm_control *ctl, const char *event);
/* Sends SHUTDOWN (and GUEST_PANICKED) for how the VM ended. Accepts NULL. */
SNPVMM_API void snpvmm_control_vm_ended(struct snpvmm_control *ctl, const struct snpvmm_exit *e);
/* Delivers what is queued (for up to a second), closes every client, removes the socket
 * file, ends the thread, frees ctl. Accepts NULL. */
SNPVMM_API void snpvmm_control_close(struct snpvmm_control *ctl);

/* ---- the vCPU kick signal ------------------------------------------------------------ */

/* The signal that makes a vCPU thread leave KVM_RUN (default SIGRTMIN). It needs a handler
 * in the process, which the library installs only when asked: */
SNPVMM_API int snpvmm_config_set_kick_signal(struct snpvmm_config *cfg,
					     int signo) SNPVMM_MUST_CHECK;
/* Installs a handler that does nothing (no SA_RESTART) on signo: process-wide, once per
 * process. -errno of sigaction(). Call it before running any VM, or install your own. */
SNPVMM_API int snpvmm_install_kick_handler(int signo) SNPVMM_MUST_CHECK;

#ifdef __cplusplus
}
#endif

#endif /* SNPVMM_SNPVMM_H */
