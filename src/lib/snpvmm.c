// SPDX-License-Identifier: MIT
/*
 * The public API (include/snpvmm/snpvmm.h) over the VMM's own modules: a configuration
 * that owns copies of what it is given and becomes a struct vmm_options, a VM that owns
 * its backend, its events sink and, while it runs, a stopper thread, and errors turned
 * into struct snpvmm_error. Nothing here logs or prints: people get the log callback.
 */
#include "snpvmm/snpvmm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "sev/sev_fw.h"
#include "sim/sim.h"
#include "snp/launch_digest.h"
#include "util/file.h"
#include "vmm/backend.h"
#include "vmm/control.h"
#include "vmm/events.h"
#include "vmm/measure.h"
#include "vmm/options.h"
#include "vmm/vm.h"

#define NR_INPUTS		 (SNPVMM_INPUT_CERTS + 1)
#define NR_SIM_STRINGS		 (SNPVMM_SIM_VCEK_KEY + 1)
#define DEFAULT_STOP_DEADLINE_MS 10000

/* An input: a path, or an fd we own (dup()ed from the caller's, or a memfd holding a
 * buffer), reached by its /proc/self/fd path so every loader opens it the same way. */
struct cfg_input {
	char *path;
	int fd;
};

struct snpvmm_config {
	struct vmm_options o; /* numbers; strings are filled in by config_options() */
	struct cfg_input inputs[NR_INPUTS];
	struct cfg_input setup_data[OPT_MAX_SETUP_DATA];
	char *cmdline, *name, *kvm_device, *console_path;
	int console_in_fd, console_out_fd; /* owned dups, -1 if none */
	char *sim[NR_SIM_STRINGS];
	char *sim_settings[OPT_MAX_SIM_SETTINGS];
	snpvmm_event_fn *event_fn;
	void *event_opaque;
	snpvmm_log_fn *log_fn;
	void *log_opaque;
	uint32_t stop_deadline_ms;
};

struct snpvmm_backend {
	struct kvm_backend *be;
};

enum vm_life {
	LIFE_CREATED,
	LIFE_LAUNCHED,
	LIFE_RUNNING, /* run() or start() began */
	LIFE_ENDED,
	LIFE_FAILED,
};

struct snpvmm_vm {
	struct snpvmm_config *cfg; /* our copy */
	struct vmm_options o;	   /* strings point into cfg */
	struct kvm_backend *be;
	struct vm *vm;
	struct events ev;
	enum vm_life life;
	atomic_int stop_mode; /* enum snpvmm_stop_mode bits: the async-signal-safe side */
	atomic_bool ended;    /* the vCPUs are gone: the stopper thread leaves */
	int wake_fd;	      /* eventfd: request_stop() and the end wake the stopper */
	pthread_t stopper;
	pthread_t runner; /* snpvmm_vm_start() */
	bool runner_started;
	int run_result;
	struct snpvmm_exit exit;
};

const char *snpvmm_version(void)
{
	return SNPVMM_VERSION_STRING;
}

/* ---- errors ---- */

static int fail(struct snpvmm_error *err, const char *step, int code, const struct diag *d)
{
	if (!err)
		return code;
	*err = (struct snpvmm_error){ .code = code };
	snprintf(err->step, sizeof(err->step), "%s", step);
	if (d && d->msg[0])
		snprintf(err->message, sizeof(err->message), "%s", d->msg);
	else
		snprintf(err->message, sizeof(err->message), "%s", strerror(-code));
	if (d) {
		snprintf(err->field, sizeof(err->field), "%s", d->field);
		err->fw_code = d->fw_error;
		if (d->fw_error)
			snprintf(err->fw_error, sizeof(err->fw_error), "%s",
				 sev_fw_strerror(d->fw_error));
	}
	return code;
}

static int fail_msg(struct snpvmm_error *err, const char *step, int code, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_msg(struct snpvmm_error *err, const char *step, int code, const char *field,
		    const char *fmt, ...)
{
	struct diag d = { "" };
	va_list ap;

	snprintf(d.field, sizeof(d.field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	return fail(err, step, code, &d);
}

static void log_msg(const struct snpvmm_config *cfg, enum snpvmm_log_level level, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
static void log_msg(const struct snpvmm_config *cfg, enum snpvmm_log_level level, const char *fmt,
		    ...)
{
	char msg[512];
	va_list ap;

	if (!cfg->log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg->log_fn(cfg->log_opaque, level, msg);
}

/* ---- configuration ---- */

int snpvmm_config_new(struct snpvmm_config **ret_cfg)
{
	struct snpvmm_config *c = calloc(1, sizeof(*c));
	unsigned int i;

	if (!c)
		return -ENOMEM;
	c->o = (struct vmm_options){
		.mem_size = OPT_DEFAULT_MEM,
		.boot_mode = BOOT_MODE_HASHES,
		.smp = 1,
		.mem_backend = MEM_BACKEND_AUTO,
		.console = CONSOLE_NONE,
		.snp = { .cbitpos = -1, .reduced_phys_bits = -1, .policy = UINT64_MAX },
	};
	for (i = 0; i < NR_INPUTS; i++)
		c->inputs[i].fd = -1;
	for (i = 0; i < OPT_MAX_SETUP_DATA; i++)
		c->setup_data[i].fd = -1;
	c->console_in_fd = c->console_out_fd = -1;
	c->stop_deadline_ms = DEFAULT_STOP_DEADLINE_MS;
	*ret_cfg = c;
	return 0;
}

static void input_clear(struct cfg_input *in)
{
	free(in->path);
	if (in->fd >= 0)
		close(in->fd);
	*in = (struct cfg_input){ .fd = -1 };
}

void snpvmm_config_free(struct snpvmm_config *c)
{
	unsigned int i;

	if (!c)
		return;
	for (i = 0; i < NR_INPUTS; i++)
		input_clear(&c->inputs[i]);
	for (i = 0; i < OPT_MAX_SETUP_DATA; i++)
		input_clear(&c->setup_data[i]);
	for (i = 0; i < NR_SIM_STRINGS; i++)
		free(c->sim[i]);
	for (i = 0; i < OPT_MAX_SIM_SETTINGS; i++)
		free(c->sim_settings[i]);
	free(c->cmdline);
	free(c->name);
	free(c->kvm_device);
	free(c->console_path);
	if (c->console_in_fd >= 0)
		close(c->console_in_fd);
	if (c->console_out_fd >= 0)
		close(c->console_out_fd);
	free(c);
}

/* Replaces *dst with a copy of src (NULL clears). */
static int set_string(char **dst, const char *src)
{
	char *copy = NULL;

	if (src) {
		copy = strdup(src);
		if (!copy)
			return -ENOMEM;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

static int input_from_fd(struct cfg_input *in, int fd)
{
	char path[64], *copy;
	int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (own < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", own);
	copy = strdup(path);
	if (!copy) {
		close(own);
		return -ENOMEM;
	}
	input_clear(in);
	*in = (struct cfg_input){ .path = copy, .fd = own };
	return 0;
}

static int input_from_path(struct cfg_input *in, const char *path)
{
	char *copy;

	if (!path || !path[0])
		return -EINVAL;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	input_clear(in);
	in->path = copy;
	return 0;
}

/* A buffer becomes a sealed memfd: a file the loaders open and size like any other. */
static int input_from_buffer(struct cfg_input *in, const char *name, const void *data, size_t size)
{
	const uint8_t *p = data;
	size_t done = 0;
	int fd, r;

	if (!data && size)
		return -EINVAL;
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (done < size) {
		ssize_t n = write(fd, p + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			close(fd);
			return r;
		}
		done += (size_t)n;
	}
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	r = input_from_fd(in, fd);
	close(fd);
	return r;
}

static const char *const input_names[NR_INPUTS] = {
	[SNPVMM_INPUT_KERNEL] = "kernel",     [SNPVMM_INPUT_INITRD] = "initrd",
	[SNPVMM_INPUT_ID_BLOCK] = "id-block", [SNPVMM_INPUT_ID_AUTH] = "id-auth",
	[SNPVMM_INPUT_CERTS] = "certs",
};

int snpvmm_config_set_input_path(struct snpvmm_config *c, enum snpvmm_input which, const char *path)
{
	if ((unsigned int)which >= NR_INPUTS)
		return -EINVAL;
	return input_from_path(&c->inputs[which], path);
}

int snpvmm_config_set_input_fd(struct snpvmm_config *c, enum snpvmm_input which, int fd)
{
	if ((unsigned int)which >= NR_INPUTS || fd < 0)
		return -EINVAL;
	return input_from_fd(&c->inputs[which], fd);
}

int snpvmm_config_set_input_buffer(struct snpvmm_config *c, enum snpvmm_input which,
				   const void *data, size_t size)
{
	if ((unsigned int)which >= NR_INPUTS)
		return -EINVAL;
	return input_from_buffer(&c->inputs[which], input_names[which], data, size);
}

static int setup_data_slot(struct snpvmm_config *c, uint32_t type)
{
	/* SETUP_NONE (0) ends nothing and SETUP_INDIRECT (bit 31) needs a nested layout
	 * (boot.rst "setup_data"). */
	if (type == 0 || (type & 0x80000000u))
		return -EINVAL;
	if (c->o.nr_setup_data == OPT_MAX_SETUP_DATA)
		return -E2BIG;
	return (int)c->o.nr_setup_data;
}

int snpvmm_config_add_setup_data_path(struct snpvmm_config *c, uint32_t type, const char *path)
{
	int i = setup_data_slot(c, type), r;

	if (i < 0)
		return i;
	r = input_from_path(&c->setup_data[i], path);
	if (r < 0)
		return r;
	c->o.setup_data[i].type = type;
	c->o.nr_setup_data++;
	return 0;
}

int snpvmm_config_add_setup_data_buffer(struct snpvmm_config *c, uint32_t type, const void *data,
					size_t size)
{
	int i = setup_data_slot(c, type), r;

	if (i < 0)
		return i;
	r = input_from_buffer(&c->setup_data[i], "setup_data", data, size);
	if (r < 0)
		return r;
	c->o.setup_data[i].type = type;
	c->o.nr_setup_data++;
	return 0;
}

int snpvmm_config_set_cmdline(struct snpvmm_config *c, const char *cmdline)
{
	return set_string(&c->cmdline, cmdline);
}

int snpvmm_config_set_name(struct snpvmm_config *c, const char *name)
{
	return set_string(&c->name, name);
}

int snpvmm_config_set_memory(struct snpvmm_config *c, uint64_t bytes)
{
	if (bytes < OPT_MIN_MEM || bytes > OPT_MAX_MEM || (bytes & 0xfff))
		return -EINVAL;
	c->o.mem_size = bytes;
	return 0;
}

int snpvmm_config_set_vcpus(struct snpvmm_config *c, uint32_t nr)
{
	if (nr < 1 || nr > OPT_MAX_SMP)
		return -EINVAL;
	c->o.smp = nr;
	return 0;
}

int snpvmm_config_set_snp(struct snpvmm_config *c, bool snp)
{
	c->o.no_snp = !snp;
	return 0;
}

int snpvmm_config_set_boot_mode(struct snpvmm_config *c, enum snpvmm_boot_mode mode)
{
	if (mode != SNPVMM_BOOT_HASHES && mode != SNPVMM_BOOT_CONTENT)
		return -EINVAL;
	c->o.boot_mode = mode == SNPVMM_BOOT_HASHES ? BOOT_MODE_HASHES : BOOT_MODE_CONTENT;
	return 0;
}

int snpvmm_config_set_memory_backend(struct snpvmm_config *c, enum snpvmm_memory_backend b)
{
	switch (b) {
	case SNPVMM_MEMORY_AUTO:
		c->o.mem_backend = MEM_BACKEND_AUTO;
		return 0;
	case SNPVMM_MEMORY_GMEM:
		c->o.mem_backend = MEM_BACKEND_GMEM;
		return 0;
	case SNPVMM_MEMORY_ANON:
		c->o.mem_backend = MEM_BACKEND_ANON;
		return 0;
	}
	return -EINVAL;
}

static int dup_or_none(int fd, int *ret)
{
	if (fd < 0) {
		*ret = -1;
		return 0;
	}
	*ret = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return *ret < 0 ? -errno : 0;
}

static void console_clear(struct snpvmm_config *c)
{
	if (c->console_in_fd >= 0)
		close(c->console_in_fd);
	if (c->console_out_fd >= 0)
		close(c->console_out_fd);
	c->console_in_fd = c->console_out_fd = -1;
	free(c->console_path);
	c->console_path = NULL;
	c->o.console = CONSOLE_NONE;
}

int snpvmm_config_set_console_fds(struct snpvmm_config *c, int in_fd, int out_fd)
{
	int in, out, r;

	r = dup_or_none(in_fd, &in);
	if (r < 0)
		return r;
	r = dup_or_none(out_fd, &out);
	if (r < 0) {
		if (in >= 0)
			close(in);
		return r;
	}
	console_clear(c);
	c->console_in_fd = in;
	c->console_out_fd = out;
	c->o.console = CONSOLE_FDS;
	return 0;
}

int snpvmm_config_set_console_path(struct snpvmm_config *c, const char *path)
{
	char *copy;

	if (!path || !path[0])
		return -EINVAL;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	console_clear(c);
	c->console_path = copy;
	c->o.console = CONSOLE_FILE;
	return 0;
}

int snpvmm_config_set_cbitpos(struct snpvmm_config *c, int cbitpos)
{
	if (cbitpos != -1 && (cbitpos < 32 || cbitpos > 51))
		return -EINVAL;
	c->o.snp.cbitpos = cbitpos;
	return 0;
}

int snpvmm_config_set_policy(struct snpvmm_config *c, uint64_t policy)
{
	/* Checked at launch against the host's rules (snp_host.c); UINT64_MAX is reserved
	 * for "the default" and has reserved bits set anyway. */
	if (policy == UINT64_MAX)
		return -EINVAL;
	c->o.snp.policy = policy;
	return 0;
}

int snpvmm_config_set_guest_visible_workarounds(struct snpvmm_config *c, const uint8_t gosvw[16])
{
	memcpy(c->o.snp.gosvw, gosvw, sizeof(c->o.snp.gosvw));
	return 0;
}

int snpvmm_config_set_sev_features(struct snpvmm_config *c, uint64_t features)
{
	/* KVM sets SNP_ACTIVE itself and rejects it from userspace (sev.c
	 * __sev_guest_init(), Linux 6.11). */
	if (features & 1)
		return -EINVAL;
	c->o.snp.sev_features = features;
	return 0;
}

int snpvmm_config_set_secure_tsc(struct snpvmm_config *c, bool on, uint32_t khz)
{
	if ((khz && khz < 1000) || (!on && khz))
		return -EINVAL;
	c->o.snp.secure_tsc = on;
	c->o.snp.tsc_khz = khz;
	return 0;
}

int snpvmm_config_set_kvm_abi(struct snpvmm_config *c, enum snpvmm_kvm_abi abi)
{
	switch (abi) {
	case SNPVMM_KVM_ABI_AUTO:
		c->o.snp.abi = KVM_ABI_AUTO;
		return 0;
	case SNPVMM_KVM_ABI_UPSTREAM:
		c->o.snp.abi = KVM_ABI_UPSTREAM;
		return 0;
	case SNPVMM_KVM_ABI_V12:
		c->o.snp.abi = KVM_ABI_V12;
		return 0;
	}
	return -EINVAL;
}

int snpvmm_config_set_host_data(struct snpvmm_config *c, const uint8_t data[32])
{
	memcpy(c->o.snp.host_data, data, sizeof(c->o.snp.host_data));
	c->o.snp.have_host_data = true;
	return 0;
}

int snpvmm_config_set_author_key_enabled(struct snpvmm_config *c, bool on)
{
	c->o.snp.author_key_enabled = on;
	return 0;
}

int snpvmm_config_set_vcek_disabled(struct snpvmm_config *c, bool on)
{
	c->o.snp.vcek_disabled = on;
	return 0;
}

int snpvmm_config_set_kvm_device(struct snpvmm_config *c, const char *path)
{
	if (!path || !path[0])
		return -EINVAL;
	return set_string(&c->kvm_device, path);
}

int snpvmm_config_set_sim(struct snpvmm_config *c, enum snpvmm_sim_setting what, const char *value)
{
	if (what == SNPVMM_SIM_SET) {
		if (!value || !strchr(value, '=') || c->o.sim.nr_settings == OPT_MAX_SIM_SETTINGS)
			return -EINVAL;
		if (set_string(&c->sim_settings[c->o.sim.nr_settings], value) < 0)
			return -ENOMEM;
		c->o.sim.nr_settings++;
		return 0;
	}
	if ((unsigned int)what >= NR_SIM_STRINGS)
		return -EINVAL;
	return set_string(&c->sim[what], value);
}

int snpvmm_config_set_debug_tamper_staging(struct snpvmm_config *c, int what)
{
	if (what < STAGING_TAMPER_NONE || what > STAGING_TAMPER_INITRD)
		return -EINVAL;
	c->o.tamper_staging = (enum staging_tamper)what;
	return 0;
}

int snpvmm_config_set_event_callback(struct snpvmm_config *c, snpvmm_event_fn *fn, void *opaque)
{
	c->event_fn = fn;
	c->event_opaque = opaque;
	return 0;
}

int snpvmm_config_set_log_callback(struct snpvmm_config *c, snpvmm_log_fn *fn, void *opaque)
{
	c->log_fn = fn;
	c->log_opaque = opaque;
	return 0;
}

int snpvmm_config_set_stop_deadline_ms(struct snpvmm_config *c, uint32_t ms)
{
	c->stop_deadline_ms = ms;
	return 0;
}

int snpvmm_config_set_kick_signal(struct snpvmm_config *c, int signo)
{
	if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
		return -EINVAL;
	c->o.kick_signal = signo;
	return 0;
}

static void kick_handler(int sig)
{
	/* Only there so that the signal interrupts KVM_RUN with EINTR. */
}

int snpvmm_install_kick_handler(int signo)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: KVM_RUN must come back with EINTR when kicked. */
	sigemptyset(&sa.sa_mask);
	return sigaction(signo, &sa, NULL) < 0 ? -errno : 0;
}

/* The vmm_options of c, pointing into c's strings. */
static void config_options(const struct snpvmm_config *c, struct vmm_options *o)
{
	unsigned int i;

	*o = c->o;
	o->kernel = c->inputs[SNPVMM_INPUT_KERNEL].path;
	o->initrd = c->inputs[SNPVMM_INPUT_INITRD].path;
	o->snp.id_block_path = c->inputs[SNPVMM_INPUT_ID_BLOCK].path;
	o->snp.id_auth_path = c->inputs[SNPVMM_INPUT_ID_AUTH].path;
	o->snp.certs_path = c->inputs[SNPVMM_INPUT_CERTS].path;
	for (i = 0; i < o->nr_setup_data; i++)
		o->setup_data[i].path = c->setup_data[i].path;
	o->append = c->cmdline;
	o->kvm_device = c->kvm_device ? c->kvm_device : "/dev/kvm";
	o->console_path = c->console_path;
	o->console_in_fd = c->console_in_fd;
	o->console_out_fd = c->console_out_fd;
	o->sim.profile = c->sim[SNPVMM_SIM_PROFILE];
	o->sim.guest_script = c->sim[SNPVMM_SIM_GUEST_SCRIPT];
	o->sim.faults = c->sim[SNPVMM_SIM_FAULTS];
	o->sim.report_path = c->sim[SNPVMM_SIM_REPORT];
	o->sim.vcek_key = c->sim[SNPVMM_SIM_VCEK_KEY];
	for (i = 0; i < o->sim.nr_settings; i++)
		o->sim.settings[i] = c->sim_settings[i];
}

static void sim_options_of(const struct vmm_options *o, struct sim_options *ret)
{
	unsigned int i;

	*ret = (struct sim_options){
		.profile = o->sim.profile,
		.guest_script = o->sim.guest_script,
		.faults = o->sim.faults,
		.report_path = o->sim.report_path,
		.vcek_key = o->sim.vcek_key,
		.nr_settings = o->sim.nr_settings,
	};
	for (i = 0; i < o->sim.nr_settings && i < SIM_MAX_SETTINGS; i++)
		ret->settings[i] = o->sim.settings[i];
}

/* The rules between fields; each error names the field to change. */
static int config_check(const struct vmm_options *o, struct snpvmm_error *err)
{
	const struct sim_cli_options *s = &o->sim;
	struct sim_options so;
	struct diag d = { "" };

	if (!o->kernel)
		return fail_msg(err, "config", -EINVAL, "kernel", "kernel: no kernel image given");
	if (o->no_snp && s->profile)
		return fail_msg(err, "config", -EINVAL, "sim",
				"sim: the simulated host is an SNP host: it cannot launch a "
				"plain guest");
	if (!s->profile &&
	    (s->guest_script || s->faults || s->report_path || s->nr_settings || s->vcek_key))
		return fail_msg(err, "config", -EINVAL, "sim",
				"sim: guest script, faults, report, settings and VCEK key need "
				"a simulated host profile");
	if (o->tamper_staging && o->boot_mode != BOOT_MODE_HASHES)
		return fail_msg(err, "config", -EINVAL, "debug_tamper_staging",
				"debug_tamper_staging needs boot mode hashes (content mode has no "
				"staging area)");
	if (o->tamper_staging == STAGING_TAMPER_INITRD && !o->initrd)
		return fail_msg(err, "config", -EINVAL, "debug_tamper_staging",
				"debug_tamper_staging of the initrd needs an initrd");
	if (!o->snp.id_block_path != !o->snp.id_auth_path)
		return fail_msg(err, "config", -EINVAL, "id_block",
				"id_block: the ID block and the ID auth structure go together");
	if (o->no_snp && (o->snp.secure_tsc || o->snp.sev_features))
		return fail_msg(err, "config", -EINVAL, "sev_features",
				"sev_features: Secure TSC and SEV features need an SEV-SNP guest");
	if (o->snp.author_key_enabled && !o->snp.id_block_path)
		return fail_msg(err, "config", -EINVAL, "author_key_enabled",
				"author_key_enabled needs an ID block and ID auth structure");
	if (s->profile) {
		sim_options_of(o, &so);
		if (sim_options_check(&so, &d) < 0) {
			snprintf(d.field, sizeof(d.field), "sim");
			return fail(err, "config", -EINVAL, &d);
		}
	}
	return 0;
}

static int config_copy(const struct snpvmm_config *src, struct snpvmm_config **ret)
{
	struct snpvmm_config *c;
	unsigned int i;
	int r;

	r = snpvmm_config_new(&c);
	if (r < 0)
		return r;
	c->o = src->o;
	c->event_fn = src->event_fn;
	c->event_opaque = src->event_opaque;
	c->log_fn = src->log_fn;
	c->log_opaque = src->log_opaque;
	c->stop_deadline_ms = src->stop_deadline_ms;
	for (i = 0; r >= 0 && i < NR_INPUTS; i++) {
		if (src->inputs[i].fd >= 0)
			r = input_from_fd(&c->inputs[i], src->inputs[i].fd);
		else if (src->inputs[i].path)
			r = input_from_path(&c->inputs[i], src->inputs[i].path);
	}
	for (i = 0; r >= 0 && i < src->o.nr_setup_data; i++) {
		if (src->setup_data[i].fd >= 0)
			r = input_from_fd(&c->setup_data[i], src->setup_data[i].fd);
		else
			r = input_from_path(&c->setup_data[i], src->setup_data[i].path);
	}
	for (i = 0; r >= 0 && i < NR_SIM_STRINGS; i++)
		r = set_string(&c->sim[i], src->sim[i]);
	for (i = 0; r >= 0 && i < src->o.sim.nr_settings; i++)
		r = set_string(&c->sim_settings[i], src->sim_settings[i]);
	if (r >= 0)
		r = set_string(&c->cmdline, src->cmdline);
	if (r >= 0)
		r = set_string(&c->name, src->name);
	if (r >= 0)
		r = set_string(&c->kvm_device, src->kvm_device);
	if (r >= 0)
		r = set_string(&c->console_path, src->console_path);
	if (r >= 0)
		r = dup_or_none(src->console_in_fd, &c->console_in_fd);
	if (r >= 0)
		r = dup_or_none(src->console_out_fd, &c->console_out_fd);
	if (r < 0) {
		snpvmm_config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* ---- the pure core ---- */

struct step_hook {
	snpvmm_measure_step_fn *fn;
	void *opaque;
};

static void step_trace(void *opaque, const struct launch_digest_step *step)
{
	const struct step_hook *h = opaque;
	struct snpvmm_measure_step s = {
		.index = step->index,
		.gpa = step->gpa,
		.page_type = (uint32_t)step->page_type,
		.page_type_name = snp_page_type_name(step->page_type),
	};

	memcpy(s.contents, step->contents, sizeof(s.contents));
	memcpy(s.digest_after, step->digest_after, sizeof(s.digest_after));
	h->fn(h->opaque, &s);
}

int snpvmm_measure_steps(const struct snpvmm_config *cfg, snpvmm_measure_step_fn *fn, void *opaque,
			 uint8_t ret_digest[48], struct snpvmm_error *err)
{
	struct step_hook h = { fn, opaque };
	struct measure_hooks hooks = { .trace = fn ? step_trace : NULL, .trace_opaque = &h };
	struct vmm_options o;
	struct diag d = { "" };
	int r;

	config_options(cfg, &o);
	/* Which host runs it is no input of the digest (the simulated one models the same
	 * PSP measurement). */
	memset(&o.sim, 0, sizeof(o.sim));
	if (!o.kernel)
		return fail_msg(err, "measure", -EINVAL, "kernel", "kernel: no kernel image given");
	r = measure_launch(&o, &hooks, ret_digest, &d);
	return r < 0 ? fail(err, "measure", r, &d) : 0;
}

int snpvmm_measure(const struct snpvmm_config *cfg, uint8_t ret_digest[48],
		   struct snpvmm_error *err)
{
	return snpvmm_measure_steps(cfg, NULL, NULL, ret_digest, err);
}

/* ---- backends ---- */

static int open_kvm(const char *device, struct kvm_backend **ret_be, struct snpvmm_error *err)
{
	int r = kvm_linux_open(device, ret_be);

	switch (r) {
	case 0:
		return 0;
	case -ENOENT:
		return fail_msg(err, "backend", r, "kvm_device",
				"cannot open '%s': no such device (is KVM enabled and the kvm "
				"module loaded?)",
				device);
	case -EACCES:
	case -EPERM:
		return fail_msg(err, "backend", r, "kvm_device",
				"cannot open '%s': permission denied (run as root or join the "
				"group that owns it, usually 'kvm')",
				device);
	case -EPROTONOSUPPORT:
		return fail_msg(err, "backend", r, "kvm_device",
				"'%s' speaks an unexpected KVM API version (need 12)", device);
	default:
		return fail_msg(err, "backend", r, "kvm_device", "cannot use '%s': %s", device,
				strerror(-r));
	}
}

static int open_sim(const struct snpvmm_config *cfg, const struct vmm_options *o,
		    struct kvm_backend **ret_be, struct snpvmm_error *err)
{
	struct sim_options so;
	struct diag d = { "" };
	int r;

	sim_options_of(o, &so);
	r = sim_backend_create(&so, ret_be, &d);
	if (r < 0)
		return fail(err, "backend", r, &d);
	log_msg(cfg, SNPVMM_LOG_INFO,
		"SIMULATED SEV-SNP host (profile %s): no confidentiality and no hardware "
		"measurement; for testing only",
		o->sim.profile);
	return 0;
}

static int wrap_backend(struct kvm_backend *be, struct snpvmm_backend **ret)
{
	struct snpvmm_backend *b = malloc(sizeof(*b));

	if (!b) {
		kvm_backend_destroy(be);
		return -ENOMEM;
	}
	b->be = be;
	*ret = b;
	return 0;
}

int snpvmm_backend_open_kvm(const char *device, struct snpvmm_backend **ret_be,
			    struct snpvmm_error *err)
{
	struct kvm_backend *be;
	int r;

	r = open_kvm(device ? device : "/dev/kvm", &be, err);
	if (r < 0)
		return r;
	r = wrap_backend(be, ret_be);
	return r < 0 ? fail(err, "backend", r, NULL) : 0;
}

int snpvmm_backend_open_sim(const struct snpvmm_config *cfg, struct snpvmm_backend **ret_be,
			    struct snpvmm_error *err)
{
	struct vmm_options o;
	struct kvm_backend *be;
	int r;

	config_options(cfg, &o);
	if (!o.sim.profile)
		return fail_msg(err, "backend", -EINVAL, "sim", "sim: no simulated host profile");
	r = open_sim(cfg, &o, &be, err);
	if (r < 0)
		return r;
	r = wrap_backend(be, ret_be);
	return r < 0 ? fail(err, "backend", r, NULL) : 0;
}

int snpvmm_backend_from_ops(void *impl, unsigned int abi_version, struct snpvmm_backend **ret_be)
{
	struct kvm_backend *be = impl;

	if (abi_version != SNPVMM_BACKEND_ABI_VERSION)
		return -EPROTONOSUPPORT;
	if (!be || !be->ops || !be->ops->destroy)
		return -EINVAL;
	return wrap_backend(be, ret_be);
}

struct kvm_backend *snpvmm_backend_impl(struct snpvmm_backend *b)
{
	return b ? b->be : NULL;
}

void snpvmm_backend_free(struct snpvmm_backend *b)
{
	if (!b)
		return;
	kvm_backend_destroy(b->be);
	free(b);
}

/* ---- lifecycle ---- */

const char *snpvmm_exit_reason_name(enum snpvmm_exit_reason reason)
{
	switch (reason) {
	case SNPVMM_EXIT_RESET:
		return "reset";
	case SNPVMM_EXIT_POWEROFF:
		return "poweroff";
	case SNPVMM_EXIT_CRASH:
		return "crash";
	case SNPVMM_EXIT_TERMINATED:
		return "terminated";
	case SNPVMM_EXIT_STOPPED:
		return "stopped";
	case SNPVMM_EXIT_ERROR:
		return "vmm-error";
	case SNPVMM_EXIT_NONE:
		break;
	}
	return "none";
}

static enum snpvmm_exit_reason public_reason(enum vm_exit_reason r)
{
	switch (r) {
	case VM_EXIT_RESET:
		return SNPVMM_EXIT_RESET;
	case VM_EXIT_POWEROFF:
		return SNPVMM_EXIT_POWEROFF;
	case VM_EXIT_GUEST_CRASH:
		return SNPVMM_EXIT_CRASH;
	case VM_EXIT_GUEST_TERMINATED:
		return SNPVMM_EXIT_TERMINATED;
	case VM_EXIT_STOPPED:
		return SNPVMM_EXIT_STOPPED;
	case VM_EXIT_VMM_ERROR:
		return SNPVMM_EXIT_ERROR;
	case VM_EXIT_NONE:
		break;
	}
	return SNPVMM_EXIT_ERROR;
}

static void emit_guest_exit(struct events *ev, const struct snpvmm_exit *e)
{
	struct snpvmm_event_field f[] = {
		EV_STR("reason", snpvmm_exit_reason_name(e->reason)),
		EV_STR("detail", e->detail),
		EV_INT("error", e->error),
	};

	events_emit(ev, SNPVMM_EVENT_GUEST_EXIT, f, 3);
}

/* A VM that could not even be created still ends with guest-exit (docs/events.md). */
static void emit_early_exit(const struct snpvmm_config *cfg, const struct snpvmm_error *err)
{
	struct snpvmm_exit e = { .reason = SNPVMM_EXIT_ERROR, .error = err->code };
	struct events ev;

	events_init(&ev, cfg->event_fn, cfg->event_opaque, cfg->name);
	snprintf(e.detail, sizeof(e.detail), "%s", err->message);
	emit_guest_exit(&ev, &e);
	events_destroy(&ev);
}

/* The kernel and initrd, where given by path, can be opened as regular files. Checked
 * before the host is opened: a missing kernel is the caller's mistake and must not hide
 * behind "cannot open /dev/kvm" on a machine without KVM. The launch opens them again (and
 * reports any change in between the same way). The ID block and ID auth "paths" may be
 * inline base64 (QEMU's spelling), so they are left to the launch. */
static int inputs_check(const struct snpvmm_config *c, struct snpvmm_error *err)
{
	static const enum snpvmm_input files[] = { SNPVMM_INPUT_KERNEL, SNPVMM_INPUT_INITRD };
	struct diag d = { "" };
	struct file_in f;
	unsigned int k, i;
	int r;

	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		i = files[k];
		if (!c->inputs[i].path || c->inputs[i].fd >= 0)
			continue;
		r = file_in_open(c->inputs[i].path, input_names[i], &f, &d);
		if (r < 0)
			return fail(err, "config", r, &d);
		file_in_close(&f);
	}
	return 0;
}

int snpvmm_vm_create(const struct snpvmm_config *cfg, struct snpvmm_backend *be,
		     struct snpvmm_vm **ret_vm, struct snpvmm_error *err)
{
	struct snpvmm_error local;
	struct snpvmm_vm *vm;
	int r;

	if (!err)
		err = &local;
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		snpvmm_backend_free(be);
		r = fail(err, "create", -ENOMEM, NULL);
		emit_early_exit(cfg, err);
		return r;
	}
	vm->wake_fd = -1;
	if (be) {
		vm->be = be->be;
		free(be);
	}
	r = config_copy(cfg, &vm->cfg);
	if (r < 0) {
		r = fail(err, "create", r, NULL);
		goto out_early;
	}
	config_options(vm->cfg, &vm->o);
	events_init(&vm->ev, vm->cfg->event_fn, vm->cfg->event_opaque, vm->cfg->name);
	r = config_check(&vm->o, err);
	if (r >= 0)
		r = inputs_check(vm->cfg, err);
	if (r < 0)
		goto out_fail;
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0) {
		r = fail(err, "create", -errno, NULL);
		goto out_fail;
	}
	if (!vm->be && vm->o.sim.profile)
		r = open_sim(vm->cfg, &vm->o, &vm->be, err);
	else if (!vm->be)
		r = open_kvm(vm->o.kvm_device, &vm->be, err);
	if (r < 0)
		goto out_fail;
	*ret_vm = vm;
	return 0;

out_early:
	emit_early_exit(cfg, err);
	kvm_backend_destroy(vm->be);
	free(vm);
	return r;
out_fail:
	vm->life = LIFE_FAILED;
	{
		struct snpvmm_exit e = { .reason = SNPVMM_EXIT_ERROR, .error = r };

		snprintf(e.detail, sizeof(e.detail), "%s", err->message);
		emit_guest_exit(&vm->ev, &e);
	}
	snpvmm_vm_destroy(vm);
	return r;
}

static void emit_launch_finished(struct snpvmm_vm *vm)
{
	struct snpvmm_event_field f[16 + VM_MAX_PHASES];
	char names[VM_MAX_PHASES][48];
	char policy[24], features[24];
	const struct vm *v = vm->vm;
	size_t n = 0;
	unsigned int i;

	f[n++] = (struct snpvmm_event_field)EV_BOOL("snp", v->snp.enabled);
	f[n++] = (struct snpvmm_event_field)EV_STR(
		"boot", vm->o.boot_mode == BOOT_MODE_HASHES ? "hashes" : "content");
	if (v->snp.enabled) {
		snprintf(policy, sizeof(policy), "0x%llx", (unsigned long long)v->snp.policy);
		snprintf(features, sizeof(features), "0x%llx",
			 (unsigned long long)(v->snp.vmsa_features | SVM_SEV_FEAT_SNP_ACTIVE));
		f[n++] = (struct snpvmm_event_field)EV_STR("abi", snp_abi_name(v->snp.abi));
		f[n++] = (struct snpvmm_event_field)EV_STR("policy", policy);
		f[n++] = (struct snpvmm_event_field)EV_STR("sev_features", features);
		f[n++] = (struct snpvmm_event_field)EV_UINT("launch_update_ioctls",
							    v->snp.stats.update_ioctls);
		f[n++] = (struct snpvmm_event_field)EV_UINT("normal_pages",
							    v->snp.stats.pages[SNP_PAGE_NORMAL]);
		f[n++] = (struct snpvmm_event_field)EV_UINT("zero_pages",
							    v->snp.stats.pages[SNP_PAGE_ZERO]);
	}
	/* The time of each phase, in the order they ran: phase_<name>_us. */
	for (i = 0; i < v->nr_phases; i++) {
		snprintf(names[i], sizeof(names[i]), "phase_%s_us", v->phases[i].name);
		f[n++] = (struct snpvmm_event_field)EV_UINT(names[i], v->phases[i].us);
	}
	events_emit(&vm->ev, SNPVMM_EVENT_LAUNCH_FINISHED, f, n);
}

int snpvmm_vm_launch(struct snpvmm_vm *vm, struct snpvmm_error *err)
{
	struct snpvmm_event_field started[] = {
		EV_BOOL("snp", !vm->o.no_snp),
		EV_UINT("vcpus", vm->o.smp),
		EV_UINT("memory", vm->o.mem_size),
		EV_STR("backend", vm->be->ops->name),
	};
	struct diag d = { "" };
	char hex[2 * SNP_LD_SIZE + 1];
	int r;

	if (vm->life != LIFE_CREATED)
		return fail_msg(err, "launch", -EINVAL, NULL, "the VM was launched already");
	events_emit(&vm->ev, SNPVMM_EVENT_LAUNCH_STARTED, started, 4);
	r = vm_create(vm->be, &vm->o, &vm->ev, &vm->vm, &d);
	if (r < 0) {
		struct snpvmm_exit e = { .reason = SNPVMM_EXIT_ERROR, .error = r };
		struct snpvmm_error local;

		vm->vm = NULL;
		vm->life = LIFE_FAILED;
		r = fail(err ? err : &local, "launch", r, &d);
		snprintf(e.detail, sizeof(e.detail), "%s", (err ? err : &local)->message);
		emit_guest_exit(&vm->ev, &e);
		return r;
	}
	vm->life = LIFE_LAUNCHED;
	if (vm->vm->snp.enabled) {
		if (vm->vm->snp.cpuid_retry[0])
			log_msg(vm->cfg, SNPVMM_LOG_WARNING,
				"the firmware corrected the CPUID page (%s); launched with its "
				"values",
				vm->vm->snp.cpuid_retry);
		snp_hex(vm->vm->snp.measurement, SNP_LD_SIZE, hex);
		log_msg(vm->cfg, SNPVMM_LOG_INFO, "SEV-SNP launch measurement %s", hex);
	}
	emit_launch_finished(vm);
	return 0;
}

int snpvmm_vm_measurement(const struct snpvmm_vm *vm, uint8_t ret_digest[48])
{
	if (!vm->vm || !vm->vm->snp.enabled)
		return -ENODATA;
	memcpy(ret_digest, vm->vm->snp.measurement, SNP_LD_SIZE);
	return 0;
}

int snpvmm_vm_request_stop(struct snpvmm_vm *vm, enum snpvmm_stop_mode mode)
{
	uint64_t one = 1;

	if (mode != SNPVMM_STOP_GRACEFUL && mode != SNPVMM_STOP_FORCED)
		return -EINVAL;
	/* Only a lock-free atomic and write(2): both async-signal-safe. */
	atomic_fetch_or(&vm->stop_mode, (int)mode);
	if (write(vm->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, so the stopper is awake anyway */
	}
	return 0;
}

/* Turns the async-signal-safe requests (snpvmm_vm_request_stop()) into the VM's host
 * requests (vm_control.c), which a control socket and the console's escape use directly:
 * a graceful stop presses the ACPI power button (the guest's kernel acts on it: Linux
 * hands KEY_POWER to user space) with the deadline after which vm_run()'s wait loop stops
 * the VM; a forced one stops it now. Each mode acts once. */
static void *stopper_thread(void *arg)
{
	struct snpvmm_vm *vm = arg;
	int done = 0;

	while (!atomic_load(&vm->ended)) {
		struct pollfd p = { .fd = vm->wake_fd, .events = POLLIN };
		int fresh = atomic_load(&vm->stop_mode) & ~done;
		uint64_t count;

		done |= fresh;
		if ((fresh & SNPVMM_STOP_FORCED) ||
		    ((fresh & SNPVMM_STOP_GRACEFUL) && !vm->cfg->stop_deadline_ms))
			vm_request_host_stop(vm->vm, VM_STOP_FORCE, 0, "stopped by the host");
		else if (fresh & SNPVMM_STOP_GRACEFUL)
			vm_request_host_stop(vm->vm, VM_STOP_POWERDOWN, vm->cfg->stop_deadline_ms,
					     NULL);
		if (poll(&p, 1, -1) > 0 && read(vm->wake_fd, &count, sizeof(count)) < 0) {
			/* EAGAIN: another reader was faster; nothing is lost */
		}
	}
	return NULL;
}

int snpvmm_vm_stop(struct snpvmm_vm *vm, const char *detail)
{
	if (!vm->vm)
		return snpvmm_vm_request_stop(vm, SNPVMM_STOP_FORCED);
	vm_request_host_stop(vm->vm, VM_STOP_FORCE, 0,
			     detail && *detail ? detail : "stopped by the host");
	return 0;
}

static int run_locked_in(struct snpvmm_vm *vm, struct snpvmm_exit *ret_exit,
			 struct snpvmm_error *err)
{
	struct vm_exit e = { 0 };
	uint64_t one = 1;
	int r;

	/* A forced stop asked for before the run wins over anything the guest would do. */
	if (atomic_load(&vm->stop_mode) & SNPVMM_STOP_FORCED)
		vm_request_host_stop(vm->vm, VM_STOP_FORCE, 0, "stopped by the host");
	r = pthread_create(&vm->stopper, NULL, stopper_thread, vm);
	if (r) {
		/* The run ends before it began, and its event stream with it (guest-exit is
		 * always the last event, docs/events.md). */
		vm->life = LIFE_FAILED;
		vm->exit = (struct snpvmm_exit){ .reason = SNPVMM_EXIT_ERROR, .error = -r };
		snprintf(vm->exit.detail, sizeof(vm->exit.detail),
			 "cannot start the stop thread: %s", strerror(r));
		emit_guest_exit(&vm->ev, &vm->exit);
		if (ret_exit)
			*ret_exit = vm->exit;
		return fail_msg(err, "run", -r, NULL, "%s", vm->exit.detail);
	}
	r = vm_run(vm->vm, &e);
	atomic_store(&vm->ended, true);
	if (write(vm->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the stopper is awake anyway */
	}
	pthread_join(vm->stopper, NULL);
	if (r < 0) {
		e.reason = VM_EXIT_VMM_ERROR;
		e.error = r;
		snprintf(e.detail, sizeof(e.detail), "cannot run the guest: %s", strerror(-r));
	}
	vm->exit = (struct snpvmm_exit){ .reason = public_reason(e.reason), .error = e.error };
	snprintf(vm->exit.detail, sizeof(vm->exit.detail), "%s",
		 e.reason == VM_EXIT_NONE ? "the guest stopped without a reason" : e.detail);
	if (vm->vm->conv.enabled) {
		struct snpvmm_event_field f[] = {
			EV_UINT("private_pages",
				page_state_count_pages(&vm->vm->conv.states, PAGE_STATE_PRIVATE)),
			EV_UINT("shared_pages",
				page_state_count_pages(&vm->vm->conv.states, PAGE_STATE_SHARED)),
			EV_UINT("conversions", vm->vm->conv.conversions),
			EV_UINT("rejected_requests", atomic_load(&vm->vm->conv.rejected)),
		};

		events_emit(&vm->ev, SNPVMM_EVENT_PAGE_STATE, f, 4);
	}
	emit_guest_exit(&vm->ev, &vm->exit);
	vm->life = LIFE_ENDED;
	if (ret_exit)
		*ret_exit = vm->exit;
	return 0;
}

static int check_runnable(struct snpvmm_vm *vm, struct snpvmm_error *err)
{
	struct sigaction sa;

	if (vm->life != LIFE_LAUNCHED)
		return fail_msg(err, "run", -EINVAL, NULL,
				vm->life == LIFE_CREATED ? "the VM has not been launched"
							 : "the VM has run already or failed");
	if (sigaction(vm->vm->kick_signal, NULL, &sa) < 0 ||
	    (!(sa.sa_flags & SA_SIGINFO) && (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN)))
		return fail_msg(err, "run", -EINVAL, "kick_signal",
				"kick_signal %d has no handler: install one "
				"(snpvmm_install_kick_handler()) before running a VM",
				vm->vm->kick_signal);
	return 0;
}

int snpvmm_vm_run(struct snpvmm_vm *vm, struct snpvmm_exit *ret_exit, struct snpvmm_error *err)
{
	int r = check_runnable(vm, err);

	if (r < 0)
		return r;
	vm->life = LIFE_RUNNING;
	return run_locked_in(vm, ret_exit, err);
}

static void *runner_thread(void *arg)
{
	struct snpvmm_vm *vm = arg;

	vm->run_result = run_locked_in(vm, NULL, NULL);
	return NULL;
}

int snpvmm_vm_start(struct snpvmm_vm *vm, struct snpvmm_error *err)
{
	int r = check_runnable(vm, err);

	if (r < 0)
		return r;
	vm->life = LIFE_RUNNING;
	r = pthread_create(&vm->runner, NULL, runner_thread, vm);
	if (r) {
		vm->life = LIFE_LAUNCHED;
		return fail_msg(err, "run", -r, NULL, "cannot start the VM's thread: %s",
				strerror(r));
	}
	vm->runner_started = true;
	return 0;
}

int snpvmm_vm_wait(struct snpvmm_vm *vm, struct snpvmm_exit *ret_exit)
{
	if (!vm->runner_started)
		return -EINVAL;
	pthread_join(vm->runner, NULL);
	vm->runner_started = false;
	if (ret_exit)
		*ret_exit = vm->exit;
	return vm->run_result;
}

void snpvmm_vm_destroy(struct snpvmm_vm *vm)
{
	if (!vm)
		return;
	if (vm->runner_started) {
		(void)snpvmm_vm_request_stop(vm, SNPVMM_STOP_FORCED);
		pthread_join(vm->runner, NULL);
		vm->runner_started = false;
	}
	if (vm->life == LIFE_LAUNCHED) {
		/* Launched, never run: its event stream still ends (docs/events.md). */
		struct snpvmm_exit e = { .reason = SNPVMM_EXIT_STOPPED };

		snprintf(e.detail, sizeof(e.detail), "destroyed before it ran");
		emit_guest_exit(&vm->ev, &e);
	}
	vm_destroy(vm->vm);
	if (vm->cfg)
		events_destroy(&vm->ev);
	/* The VM's own fds go before its backend: a simulated host counts what is left. */
	snpvmm_config_free(vm->cfg);
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	kvm_backend_destroy(vm->be);
	free(vm);
}

/* ---- the QMP control socket (vmm/control.c) ---- */

struct snpvmm_control {
	struct control *c;
};

int snpvmm_control_open(const char *path, uint32_t powerdown_timeout_ms,
			struct snpvmm_control **ret_ctl, struct snpvmm_error *err)
{
	struct snpvmm_control *ctl;
	struct diag d = { "" };
	int r;

	if (!path || !*path)
		return fail_msg(err, "control", -EINVAL, "control_path",
				"control_path: empty path");
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return fail(err, "control", -ENOMEM, NULL);
	r = control_open(
		&(struct control_config){
			.path = path,
			.powerdown_timeout_ms = powerdown_timeout_ms,
			.version = SNPVMM_VERSION,
		},
		&ctl->c, &d);
	if (r < 0) {
		free(ctl);
		return fail(err, "control", r, &d);
	}
	*ret_ctl = ctl;
	return 0;
}

void snpvmm_control_attach(struct snpvmm_control *ctl, struct snpvmm_vm *vm)
{
	if (ctl)
		control_attach(ctl->c, vm ? vm->vm : NULL);
}

void snpvmm_control_set_host_cause(struct snpvmm_control *ctl, const char *cause)
{
	if (ctl)
		control_set_host_cause(ctl->c, cause);
}

void snpvmm_control_emit(struct snpvmm_control *ctl, const char *event)
{
	if (ctl)
		control_emit(ctl->c, event, NULL);
}

static enum vm_exit_reason private_reason(enum snpvmm_exit_reason r)
{
	switch (r) {
	case SNPVMM_EXIT_RESET:
		return VM_EXIT_RESET;
	case SNPVMM_EXIT_POWEROFF:
		return VM_EXIT_POWEROFF;
	case SNPVMM_EXIT_CRASH:
		return VM_EXIT_GUEST_CRASH;
	case SNPVMM_EXIT_TERMINATED:
		return VM_EXIT_GUEST_TERMINATED;
	case SNPVMM_EXIT_STOPPED:
		return VM_EXIT_STOPPED;
	case SNPVMM_EXIT_ERROR:
		return VM_EXIT_VMM_ERROR;
	case SNPVMM_EXIT_NONE:
		break;
	}
	return VM_EXIT_NONE;
}

void snpvmm_control_vm_ended(struct snpvmm_control *ctl, const struct snpvmm_exit *e)
{
	struct vm_exit *x;

	if (!ctl)
		return;
	x = calloc(1, sizeof(*x));
	if (!x)
		return;
	x->reason = private_reason(e->reason);
	x->error = e->error;
	snprintf(x->detail, sizeof(x->detail), "%s", e->detail);
	control_vm_ended(ctl->c, x);
	free(x);
}

void snpvmm_control_close(struct snpvmm_control *ctl)
{
	if (!ctl)
		return;
	control_close(ctl->c);
	free(ctl);
}
