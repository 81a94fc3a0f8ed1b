// SPDX-License-Identifier: MIT
/*
 * Launches a guest through libsnpvmm and reports how it ended:
 *
 *   launch KERNEL [SIM_PROFILE]
 *
 * With SIM_PROFILE (e.g. 6.18) the guest runs on the simulated SEV-SNP host (testing
 * only: no confidentiality); without it, on /dev/kvm as a plain guest. Events arrive
 * through a callback; the measurement is predicted without a kernel first and compared
 * with what the launch measured. Exit status 0 if the guest powered off.
 */
#include <signal.h>
#include <snpvmm/snpvmm.h>
#include <stdio.h>
#include <string.h>

static void on_event(void *opaque, const struct snpvmm_event *ev)
{
	unsigned int *nr = opaque;

	(*nr)++;
	printf("event %s (vm %s)\n", ev->type_name, ev->vm_name);
}

static void on_log(void *opaque, enum snpvmm_log_level level, const char *msg)
{
	fprintf(stderr, "libsnpvmm: %s\n", msg);
}

static int fail(const char *what, const struct snpvmm_error *err)
{
	fprintf(stderr, "%s failed at %s: %s%s%s\n", what, err->step, err->message,
		err->fw_error[0] ? ", firmware error " : "", err->fw_error);
	return 1;
}

int main(int argc, char **argv)
{
	struct snpvmm_error err = { 0 };
	struct snpvmm_exit end = { 0 };
	struct snpvmm_config *cfg;
	struct snpvmm_vm *vm = NULL;
	uint8_t predicted[48], launched[48];
	unsigned int nr_events = 0;
	const char *profile = argc > 2 ? argv[2] : NULL;
	int status = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s KERNEL [SIM_PROFILE]\n", argv[0]);
		return 2;
	}
	if (snpvmm_config_new(&cfg) < 0)
		return 1;
	if (snpvmm_config_set_input_path(cfg, SNPVMM_INPUT_KERNEL, argv[1]) < 0 ||
	    snpvmm_config_set_memory(cfg, 64u << 20) < 0 || snpvmm_config_set_vcpus(cfg, 2) < 0 ||
	    snpvmm_config_set_name(cfg, "example") < 0 ||
	    snpvmm_config_set_snp(cfg, profile != NULL) < 0 ||
	    (profile && snpvmm_config_set_sim(cfg, SNPVMM_SIM_PROFILE, profile) < 0) ||
	    snpvmm_config_set_event_callback(cfg, on_event, &nr_events) < 0 ||
	    snpvmm_config_set_log_callback(cfg, on_log, NULL) < 0) {
		fprintf(stderr, "cannot build the configuration\n");
		goto out_free_cfg;
	}
	/* The vCPUs leave KVM_RUN on this signal: the process installs its handler. */
	if (snpvmm_install_kick_handler(SIGRTMIN) < 0)
		goto out_free_cfg;
	if (profile && snpvmm_measure(cfg, predicted, &err) < 0) {
		status = fail("measure", &err);
		goto out_free_cfg;
	}
	if (snpvmm_vm_create(cfg, NULL, &vm, &err) < 0) {
		status = fail("create", &err);
		goto out_free_cfg;
	}
	if (snpvmm_vm_launch(vm, &err) < 0) {
		status = fail("launch", &err);
		goto out_destroy;
	}
	if (profile && (snpvmm_vm_measurement(vm, launched) < 0 ||
			memcmp(predicted, launched, sizeof(launched)))) {
		fprintf(stderr, "the launch measured another digest than predicted\n");
		goto out_destroy;
	}
	if (snpvmm_vm_run(vm, &end, &err) < 0) {
		status = fail("run", &err);
		goto out_destroy;
	}
	printf("guest ended: %s (%s) after %u events; libsnpvmm %s\n",
	       snpvmm_exit_reason_name(end.reason), end.detail, nr_events, snpvmm_version());
	status = end.reason == SNPVMM_EXIT_POWEROFF ? 0 : 1;
out_destroy:
	snpvmm_vm_destroy(vm);
out_free_cfg:
	snpvmm_config_free(cfg);
	return status;
}
