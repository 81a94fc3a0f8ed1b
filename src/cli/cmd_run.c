// SPDX-License-Identifier: MIT
/*
 * `snpvmm [OPTIONS]`: launch a guest. A thin user of libsnpvmm (include/snpvmm/snpvmm.h):
 * flags become a struct snpvmm_config, events become JSON Lines (event_log.c), and how
 * the guest ended becomes the exit status documented in --help, after the one error line
 * a failure deserves.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/event_log.h"
#include "cli/options.h"
#include "cli/run_stop.h"
#include "sim/sim.h"
#include "snpvmm/snpvmm.h"

#define EXIT_GUEST_CRASH      3
#define EXIT_GUEST_TERMINATED 4
#define EXIT_STOPPED	      5

static int exit_status_of(enum snpvmm_exit_reason reason)
{
	switch (reason) {
	case SNPVMM_EXIT_RESET:
	case SNPVMM_EXIT_POWEROFF:
		return 0;
	case SNPVMM_EXIT_STOPPED:
		return EXIT_STOPPED;
	case SNPVMM_EXIT_CRASH:
		return EXIT_GUEST_CRASH;
	case SNPVMM_EXIT_TERMINATED:
		return EXIT_GUEST_TERMINATED;
	case SNPVMM_EXIT_ERROR:
	case SNPVMM_EXIT_NONE:
		break;
	}
	return 1;
}

static void log_line(void *opaque, enum snpvmm_log_level level, const char *msg)
{
	fprintf(stderr, "snpvmm: %s%s\n", level == SNPVMM_LOG_WARNING ? "warning: " : "", msg);
}

/* The flags as a library configuration: every value was checked by options_parse(). */
static int config_of(const struct vmm_options *o, struct event_log *el, struct snpvmm_config **ret)
{
	const struct snp_options *s = &o->snp;
	struct snpvmm_config *c;
	unsigned int i;
	int r;

	r = snpvmm_config_new(&c);
	if (r < 0)
		return r;
	r = snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, o->kernel);
	if (r >= 0 && o->initrd)
		r = snpvmm_config_set_input_path(c, SNPVMM_INPUT_INITRD, o->initrd);
	if (r >= 0 && s->id_block_path)
		r = snpvmm_config_set_input_path(c, SNPVMM_INPUT_ID_BLOCK, s->id_block_path);
	if (r >= 0 && s->id_auth_path)
		r = snpvmm_config_set_input_path(c, SNPVMM_INPUT_ID_AUTH, s->id_auth_path);
	if (r >= 0 && s->certs_path)
		r = snpvmm_config_set_input_path(c, SNPVMM_INPUT_CERTS, s->certs_path);
	for (i = 0; r >= 0 && i < o->nr_setup_data; i++)
		r = snpvmm_config_add_setup_data_path(c, o->setup_data[i].type,
						      o->setup_data[i].path);
	if (r >= 0 && o->append)
		r = snpvmm_config_set_cmdline(c, o->append);
	if (r >= 0 && o->name)
		r = snpvmm_config_set_name(c, o->name);
	if (r >= 0)
		r = snpvmm_config_set_memory(c, o->mem_size);
	if (r >= 0)
		r = snpvmm_config_set_vcpus(c, o->smp);
	if (r >= 0)
		r = snpvmm_config_set_snp(c, !o->no_snp);
	if (r >= 0)
		r = snpvmm_config_set_boot_mode(c, o->boot_mode == BOOT_MODE_HASHES
							   ? SNPVMM_BOOT_HASHES
							   : SNPVMM_BOOT_CONTENT);
	if (r >= 0)
		r = snpvmm_config_set_memory_backend(
			c, o->mem_backend == MEM_BACKEND_GMEM	? SNPVMM_MEMORY_GMEM
			   : o->mem_backend == MEM_BACKEND_ANON ? SNPVMM_MEMORY_ANON
								: SNPVMM_MEMORY_AUTO);
	if (r >= 0 && o->console == CONSOLE_STDIO)
		r = snpvmm_config_set_console_fds(c, STDIN_FILENO, STDOUT_FILENO);
	if (r >= 0 && o->console == CONSOLE_FILE)
		r = snpvmm_config_set_console_path(c, o->console_path);
	if (r >= 0)
		r = snpvmm_config_set_kvm_device(c, o->kvm_device);
	if (r >= 0)
		r = snpvmm_config_set_cbitpos(c, s->cbitpos);
	if (r >= 0 && s->policy != UINT64_MAX)
		r = snpvmm_config_set_policy(c, s->policy);
	if (r >= 0)
		r = snpvmm_config_set_guest_visible_workarounds(c, s->gosvw);
	if (r >= 0)
		r = snpvmm_config_set_sev_features(c, s->sev_features);
	if (r >= 0)
		r = snpvmm_config_set_secure_tsc(c, s->secure_tsc, s->tsc_khz);
	if (r >= 0)
		r = snpvmm_config_set_kvm_abi(c, s->abi == KVM_ABI_V12 ? SNPVMM_KVM_ABI_V12
						 : s->abi == KVM_ABI_UPSTREAM
							 ? SNPVMM_KVM_ABI_UPSTREAM
							 : SNPVMM_KVM_ABI_AUTO);
	if (r >= 0 && s->have_host_data)
		r = snpvmm_config_set_host_data(c, s->host_data);
	if (r >= 0)
		r = snpvmm_config_set_author_key_enabled(c, s->author_key_enabled);
	if (r >= 0)
		r = snpvmm_config_set_vcek_disabled(c, s->vcek_disabled);
	if (r >= 0 && o->sim.profile)
		r = snpvmm_config_set_sim(c, SNPVMM_SIM_PROFILE, o->sim.profile);
	if (r >= 0 && o->sim.guest_script)
		r = snpvmm_config_set_sim(c, SNPVMM_SIM_GUEST_SCRIPT, o->sim.guest_script);
	if (r >= 0 && o->sim.faults)
		r = snpvmm_config_set_sim(c, SNPVMM_SIM_FAULTS, o->sim.faults);
	if (r >= 0 && o->sim.report_path)
		r = snpvmm_config_set_sim(c, SNPVMM_SIM_REPORT, o->sim.report_path);
	if (r >= 0 && o->sim.vcek_key)
		r = snpvmm_config_set_sim(c, SNPVMM_SIM_VCEK_KEY, o->sim.vcek_key);
	for (i = 0; r >= 0 && i < o->sim.nr_settings; i++)
		r = snpvmm_config_set_sim(c, SNPVMM_SIM_SET, o->sim.settings[i]);
	if (r >= 0)
		r = snpvmm_config_set_debug_tamper_staging(c, (int)o->tamper_staging);
	if (r >= 0)
		r = snpvmm_config_set_stop_deadline_ms(c, o->shutdown_timeout_s * 1000);
	if (r >= 0)
		r = snpvmm_config_set_event_callback(c, event_log_write, el);
	if (r >= 0)
		r = snpvmm_config_set_log_callback(c, log_line, NULL);
	if (r < 0) {
		snpvmm_config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

static void print_error(const struct snpvmm_error *err)
{
	char buf[sizeof(err->message) + 32];

	fprintf(stderr, "snpvmm: %s\n", cli_error_text(err->field, err->message, buf, sizeof(buf)));
}

/* The end of every run once the events file is open: a failure to write an event is an
 * error too, or a supervisor reading them would be left without a word. */
static int finish(struct event_log *el, int status)
{
	int r = event_log_close(el);

	if (r < 0) {
		fprintf(stderr, "snpvmm: cannot write the events file '%s': %s\n", el->spec,
			strerror(-r));
		if (status == 0)
			status = 1;
	}
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct snpvmm_error err = { 0 };
	struct snpvmm_config *cfg = NULL;
	struct snpvmm_exit e = { 0 };
	struct snpvmm_vm *vm = NULL;
	struct snpvmm_control *ctl = NULL;
	struct run_stop stop;
	struct vmm_options o;
	struct sim_options so;
	struct event_log el;
	struct diag d = { "" };
	int r, status;

	r = options_parse(argc, argv, &o, &d);
	if (r >= 0 && o.sim.profile) {
		/* The simulator's profile, settings and faults are flags too: a bad one is
		 * a usage error, found before anything is opened. */
		so = (struct sim_options){ .profile = o.sim.profile,
					   .guest_script = o.sim.guest_script,
					   .faults = o.sim.faults,
					   .report_path = o.sim.report_path,
					   .vcek_key = o.sim.vcek_key,
					   .nr_settings = o.sim.nr_settings };
		memcpy(so.settings, o.sim.settings, sizeof(so.settings));
		r = sim_options_check(&so, &d);
	}
	if (r < 0) {
		fprintf(stderr, "snpvmm: %s\n", d.msg);
		return EXIT_USAGE;
	}
	if (o.help) {
		option_table_help(&run_options, stdout);
		return 0;
	}
	if (o.version) {
		printf("snpvmm %s\n", SNPVMM_VERSION);
		return 0;
	}
	r = event_log_open(&el, o.events_path, &d);
	if (r < 0) {
		fprintf(stderr, "snpvmm: %s\n", d.msg);
		return 1;
	}
	el.status_of = exit_status_of;
	r = config_of(&o, &el, &cfg);
	if (r < 0) {
		fprintf(stderr, "snpvmm: cannot build the configuration: %s\n", strerror(-r));
		return finish(&el, 1);
	}
	/* Before any thread exists, so that every thread has the stop signals blocked. */
	r = run_stop_start(&stop, o.shutdown_timeout_s);
	if (r < 0)
		snprintf(err.message, sizeof(err.message), "cannot set up the stop signals: %s",
			 strerror(-r));
	/* The control socket before the launch: a bad path is found first, and clients may
	 * connect during it. */
	if (r >= 0 && o.control_path)
		r = snpvmm_control_open(o.control_path, o.shutdown_timeout_s * 1000, &ctl, &err);
	/* The vCPUs are kicked out of KVM_RUN with the library's default signal. */
	if (r >= 0)
		r = snpvmm_install_kick_handler(SIGRTMIN);
	if (r >= 0)
		r = snpvmm_vm_create(cfg, NULL, &vm, &err);
	snpvmm_config_free(cfg);
	if (r >= 0)
		r = snpvmm_vm_launch(vm, &err);
	if (r >= 0) {
		snpvmm_control_attach(ctl, vm);
		run_stop_attach(&stop, vm, ctl);
		r = snpvmm_vm_run(vm, &e, &err);
		run_stop_attach(&stop, NULL, NULL);
	}
	if (r < 0) {
		if (!err.message[0])
			snprintf(err.message, sizeof(err.message), "%s", strerror(-r));
		print_error(&err);
		e = (struct snpvmm_exit){ .reason = SNPVMM_EXIT_ERROR, .error = r };
		snprintf(e.detail, sizeof(e.detail), "%s", err.message);
		status = 1;
	} else {
		status = exit_status_of(e.reason);
		if (status != 0 || e.reason == SNPVMM_EXIT_NONE)
			fprintf(stderr, "snpvmm: %s\n", e.detail);
	}
	/* QMP clients get SHUTDOWN before the socket goes away. */
	snpvmm_control_vm_ended(ctl, &e);
	snpvmm_control_close(ctl);
	/* Before the VM and its backend: the simulated host reports the fds left at its
	 * destroy. The stop signals stay blocked, so one that comes now is dropped at exit. */
	run_stop_end(&stop);
	snpvmm_vm_destroy(vm);
	return finish(&el, status);
}
