// SPDX-License-Identifier: MIT
/*
 * The public API's contracts, through the shared library only: setters refuse what no
 * launch could use; configuration and launch errors name the step and the field (never a
 * CLI flag) and, for the firmware, its status; an input gives the same digest as a path, an
 * fd or a buffer; a VM runs only when launched and when its kick signal has a handler;
 * a failed VM still ends with guest-exit. The test guest's path is in TEST_GUEST.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <snpvmm/backend.h>
#include <snpvmm/snpvmm.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *guest(void)
{
	const char *g = getenv("TEST_GUEST");

	assert_non_null(g);
	return g;
}

struct seen {
	unsigned int nr, exits;
	char last_reason[32];
};

static void record(void *opaque, const struct snpvmm_event *ev)
{
	struct seen *s = opaque;
	size_t i;

	s->nr++;
	if (ev->type != SNPVMM_EVENT_GUEST_EXIT)
		return;
	s->exits++;
	for (i = 0; i < ev->nr_fields; i++)
		if (!strcmp(ev->fields[i].name, "reason"))
			snprintf(s->last_reason, sizeof(s->last_reason), "%s", ev->fields[i].v.s);
}

/* A config for the test guest on the simulated host (6.18), 64 MiB. */
static struct snpvmm_config *sim_config(struct seen *s)
{
	struct snpvmm_config *c;

	assert_int_equal(snpvmm_config_new(&c), 0);
	assert_int_equal(snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, guest()), 0);
	assert_int_equal(snpvmm_config_set_memory(c, 64u << 20), 0);
	assert_int_equal(snpvmm_config_set_sim(c, SNPVMM_SIM_PROFILE, "6.18"), 0);
	assert_int_equal(snpvmm_config_set_event_callback(c, record, s), 0);
	return c;
}

static void test_setters_refuse_values_no_launch_could_use(void **state)
{
	struct snpvmm_config *c;

	assert_int_equal(snpvmm_config_new(&c), 0);
	assert_int_equal(snpvmm_config_set_memory(c, 0), -EINVAL);
	assert_int_equal(snpvmm_config_set_memory(c, (64u << 20) + 1), -EINVAL);
	assert_int_equal(snpvmm_config_set_vcpus(c, 0), -EINVAL);
	assert_int_equal(snpvmm_config_set_vcpus(c, 256), -EINVAL);
	assert_int_equal(snpvmm_config_set_cbitpos(c, 60), -EINVAL);
	assert_int_equal(snpvmm_config_set_sev_features(c, 1), -EINVAL);
	assert_int_equal(snpvmm_config_set_secure_tsc(c, false, 2000000), -EINVAL);
	assert_int_equal(snpvmm_config_set_kick_signal(c, SIGKILL), -EINVAL);
	assert_int_equal(snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, ""), -EINVAL);
	assert_int_equal(snpvmm_config_set_input_fd(c, SNPVMM_INPUT_KERNEL, -1), -EINVAL);
	assert_int_equal(snpvmm_config_add_setup_data_path(c, 0, "x"), -EINVAL);
	assert_int_equal(snpvmm_config_set_sim(c, SNPVMM_SIM_SET, "no-equals-sign"), -EINVAL);
	snpvmm_config_free(c);
}

static void
test_create_without_a_kernel_names_the_field_and_still_ends_with_guest_exit(void **state)
{
	struct snpvmm_error err = { 0 };
	struct snpvmm_config *c;
	struct snpvmm_vm *vm = NULL;
	struct seen s = { 0 };

	assert_int_equal(snpvmm_config_new(&c), 0);
	assert_int_equal(snpvmm_config_set_event_callback(c, record, &s), 0);
	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), -EINVAL);
	snpvmm_config_free(c);
	assert_null(vm);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.step, "config");
	assert_string_equal(err.field, "kernel");
	assert_null(strstr(err.message, "--"));
	assert_int_equal(s.exits, 1);
	assert_string_equal(s.last_reason, "vmm-error");
}

static void test_a_missing_kernel_is_reported_before_the_host_is_opened(void **state)
{
	struct snpvmm_error err = { 0 };
	struct snpvmm_config *c;
	struct snpvmm_vm *vm = NULL;
	struct seen s = { 0 };

	assert_int_equal(snpvmm_config_new(&c), 0);
	assert_int_equal(snpvmm_config_set_event_callback(c, record, &s), 0);
	assert_int_equal(
		snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, "/nonexistent/bzImage"), 0);
	/* A KVM device that cannot be opened either: the kernel's error must win. */
	assert_int_equal(snpvmm_config_set_kvm_device(c, "/nonexistent/kvm"), 0);
	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), -ENOENT);
	snpvmm_config_free(c);
	assert_null(vm);
	assert_string_equal(err.step, "config");
	assert_non_null(strstr(err.message, "cannot open kernel '/nonexistent/bzImage'"));
	assert_int_equal(s.exits, 1);
	assert_string_equal(s.last_reason, "vmm-error");
}

static void test_id_block_without_id_auth_names_the_field(void **state)
{
	struct snpvmm_error err = { 0 };
	struct seen s = { 0 };
	struct snpvmm_config *c = sim_config(&s);
	struct snpvmm_vm *vm = NULL;

	assert_int_equal(snpvmm_config_set_input_buffer(c, SNPVMM_INPUT_ID_BLOCK, "x", 1), 0);
	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), -EINVAL);
	snpvmm_config_free(c);
	assert_string_equal(err.field, "id_block");
}

static void test_a_policy_the_host_refuses_fails_the_launch_naming_the_field(void **state)
{
	struct snpvmm_error err = { 0 };
	struct seen s = { 0 };
	struct snpvmm_config *c = sim_config(&s);
	struct snpvmm_vm *vm = NULL;

	assert_int_equal(snpvmm_config_set_policy(c, 0x10000), 0); /* bit 17 clear */
	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), 0);
	snpvmm_config_free(c);
	assert_int_equal(snpvmm_vm_launch(vm, &err), -EINVAL);
	assert_string_equal(err.step, "launch");
	assert_string_equal(err.field, "policy");
	assert_memory_equal(err.message, "policy 0x10000", 14);
	assert_int_equal(s.exits, 1);
	snpvmm_vm_destroy(vm);
}

static void test_a_firmware_error_comes_with_its_name(void **state)
{
	struct snpvmm_error err = { 0 };
	struct seen s = { 0 };
	struct snpvmm_config *c = sim_config(&s);
	struct snpvmm_vm *vm = NULL;

	assert_int_equal(
		snpvmm_config_set_sim(c, SNPVMM_SIM_FAULTS, "fw-error=launch-finish:0x16@1"), 0);
	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), 0);
	snpvmm_config_free(c);
	assert_true(snpvmm_vm_launch(vm, &err) < 0);
	assert_string_equal(err.step, "launch");
	assert_int_equal(err.fw_code, 0x16);
	assert_true(err.fw_error[0] != '\0');
	assert_non_null(strstr(err.message, err.fw_error));
	snpvmm_vm_destroy(vm);
}

static void measure_ok(struct snpvmm_config *c, uint8_t ret[48])
{
	struct snpvmm_error err = { 0 };

	assert_int_equal(snpvmm_measure(c, ret, &err), 0);
}

static void test_kernel_as_path_fd_or_buffer_measures_the_same(void **state)
{
	uint8_t by_path[48], by_fd[48], by_buffer[48];
	struct snpvmm_config *c;
	static char bytes[8 << 20];
	ssize_t n;
	int fd = open(guest(), O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, bytes, sizeof(bytes));
	assert_true(n > 0 && n < (ssize_t)sizeof(bytes));
	assert_int_equal(snpvmm_config_new(&c), 0);
	assert_int_equal(snpvmm_config_set_cmdline(c, "console=ttyS0"), 0);
	assert_int_equal(snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, guest()), 0);
	measure_ok(c, by_path);
	assert_int_equal(snpvmm_config_set_input_fd(c, SNPVMM_INPUT_KERNEL, fd), 0);
	close(fd); /* the config holds its own duplicate */
	measure_ok(c, by_fd);
	assert_int_equal(snpvmm_config_set_input_buffer(c, SNPVMM_INPUT_KERNEL, bytes, (size_t)n),
			 0);
	measure_ok(c, by_buffer);
	snpvmm_config_free(c);
	assert_memory_equal(by_path, by_fd, 48);
	assert_memory_equal(by_path, by_buffer, 48);
}

struct steps {
	unsigned int nr, vmsa;
	uint8_t last[48];
};

static void count_step(void *opaque, const struct snpvmm_measure_step *step)
{
	struct steps *s = opaque;

	assert_int_equal(step->index, s->nr);
	s->nr++;
	s->vmsa += !strcmp(step->page_type_name, "VMSA") && step->page_type == 2;
	memcpy(s->last, step->digest_after, 48);
}

static void test_measure_steps_hand_over_every_page_ending_in_the_digest(void **state)
{
	struct snpvmm_error err = { 0 };
	struct steps st = { 0 };
	struct snpvmm_config *c;
	uint8_t digest[48];

	assert_int_equal(snpvmm_config_new(&c), 0);
	assert_int_equal(snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, guest()), 0);
	assert_int_equal(snpvmm_config_set_vcpus(c, 3), 0);
	assert_int_equal(snpvmm_measure_steps(c, count_step, &st, digest, &err), 0);
	snpvmm_config_free(c);
	assert_true(st.nr > 3);
	assert_int_equal(st.vmsa, 3); /* one VMSA page per vCPU, measured last */
	assert_memory_equal(st.last, digest, 48);
}

static void test_the_launch_measures_what_measure_predicts(void **state)
{
	uint8_t predicted[48], launched[48];
	struct snpvmm_error err = { 0 };
	struct seen s = { 0 };
	struct snpvmm_config *c = sim_config(&s);
	struct snpvmm_vm *vm = NULL;

	measure_ok(c, predicted);
	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), 0);
	snpvmm_config_free(c);
	assert_int_equal(snpvmm_vm_measurement(vm, launched), -ENODATA);
	assert_int_equal(snpvmm_vm_launch(vm, &err), 0);
	assert_int_equal(snpvmm_vm_measurement(vm, launched), 0);
	assert_memory_equal(predicted, launched, 48);
	snpvmm_vm_destroy(vm);
	assert_int_equal(s.exits, 1); /* never ran, and yet its stream ends */
	assert_string_equal(s.last_reason, "stopped");
}

static void test_run_needs_a_launch_and_a_kick_handler(void **state)
{
	struct snpvmm_error err = { 0 };
	struct snpvmm_exit e;
	struct seen s = { 0 };
	struct snpvmm_config *c = sim_config(&s);
	struct snpvmm_vm *vm = NULL;

	/* A signal nobody installed a handler for. */
	assert_int_equal(snpvmm_config_set_kick_signal(c, SIGRTMIN + 5), 0);
	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), 0);
	snpvmm_config_free(c);
	assert_int_equal(snpvmm_vm_run(vm, &e, &err), -EINVAL);
	assert_string_equal(err.step, "run");
	assert_int_equal(snpvmm_vm_launch(vm, &err), 0);
	assert_int_equal(snpvmm_vm_run(vm, &e, &err), -EINVAL);
	assert_string_equal(err.field, "kick_signal");
	assert_int_equal(snpvmm_install_kick_handler(SIGRTMIN + 5), 0);
	assert_int_equal(snpvmm_vm_run(vm, &e, &err), 0);
	assert_int_equal(e.reason, SNPVMM_EXIT_POWEROFF);
	assert_int_equal(snpvmm_vm_run(vm, &e, &err), -EINVAL); /* once only */
	assert_int_equal(snpvmm_vm_request_stop(vm, 3), -EINVAL);
	snpvmm_vm_destroy(vm);
	assert_int_equal(s.exits, 1);
}

static void test_a_stop_requested_before_the_run_ends_it_at_once(void **state)
{
	struct snpvmm_error err = { 0 };
	struct snpvmm_exit e;
	struct seen s = { 0 };
	struct snpvmm_config *c = sim_config(&s);
	struct snpvmm_vm *vm = NULL;

	assert_int_equal(snpvmm_vm_create(c, NULL, &vm, &err), 0);
	snpvmm_config_free(c);
	assert_int_equal(snpvmm_vm_launch(vm, &err), 0);
	assert_int_equal(snpvmm_vm_request_stop(vm, SNPVMM_STOP_FORCED), 0);
	assert_int_equal(snpvmm_install_kick_handler(SIGRTMIN), 0);
	assert_int_equal(snpvmm_vm_run(vm, &e, &err), 0);
	assert_int_equal(e.reason, SNPVMM_EXIT_STOPPED);
	assert_string_equal(s.last_reason, "stopped");
	snpvmm_vm_destroy(vm);
}

struct counted_backend {
	struct kvm_backend be; /* first: what the library holds */
	unsigned int destroyed;
};

static void counted_destroy(struct kvm_backend *be)
{
	((struct counted_backend *)be)->destroyed++;
}

static void test_from_ops_checks_the_seam_version_and_impl_gives_the_seam(void **state)
{
	static const struct kvm_backend_ops ops = { .name = "counted", .destroy = counted_destroy };
	struct counted_backend cb = { .be = { .ops = &ops } };
	struct snpvmm_error err = { 0 };
	struct seen s = { 0 };
	struct snpvmm_config *c = sim_config(&s);
	struct snpvmm_backend *b = NULL;

	/* Another seam version, or no ops: refused, and the impl is still the caller's. */
	assert_int_equal(snpvmm_backend_from_ops(&cb, SNPVMM_BACKEND_ABI_VERSION + 1, &b),
			 -EPROTONOSUPPORT);
	assert_int_equal(snpvmm_backend_from_ops(&cb, 0, &b), -EPROTONOSUPPORT);
	assert_int_equal(snpvmm_backend_from_ops(NULL, SNPVMM_BACKEND_ABI_VERSION, &b), -EINVAL);
	assert_int_equal(cb.destroyed, 0);
	assert_null(b);
	/* The right version: taken, and destroyed once with the backend. */
	assert_int_equal(snpvmm_backend_from_ops(&cb, SNPVMM_BACKEND_ABI_VERSION, &b), 0);
	assert_ptr_equal(snpvmm_backend_impl(b), &cb.be);
	snpvmm_backend_free(b);
	assert_int_equal(cb.destroyed, 1);

	/* A backend the library opened hands out its seam implementation. */
	assert_null(snpvmm_backend_impl(NULL));
	assert_int_equal(snpvmm_backend_open_sim(c, &b, &err), 0);
	assert_non_null(snpvmm_backend_impl(b));
	assert_non_null(snpvmm_backend_impl(b)->ops->vcpu_run);
	assert_memory_equal(snpvmm_backend_impl(b)->ops->name, "sim:", 4);
	snpvmm_backend_free(b);
	snpvmm_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setters_refuse_values_no_launch_could_use),
		cmocka_unit_test(
			test_create_without_a_kernel_names_the_field_and_still_ends_with_guest_exit),
		cmocka_unit_test(test_a_missing_kernel_is_reported_before_the_host_is_opened),
		cmocka_unit_test(test_id_block_without_id_auth_names_the_field),
		cmocka_unit_test(test_a_policy_the_host_refuses_fails_the_launch_naming_the_field),
		cmocka_unit_test(test_a_firmware_error_comes_with_its_name),
		cmocka_unit_test(test_kernel_as_path_fd_or_buffer_measures_the_same),
		cmocka_unit_test(test_measure_steps_hand_over_every_page_ending_in_the_digest),
		cmocka_unit_test(test_the_launch_measures_what_measure_predicts),
		cmocka_unit_test(test_run_needs_a_launch_and_a_kick_handler),
		cmocka_unit_test(test_a_stop_requested_before_the_run_ends_it_at_once),
		cmocka_unit_test(test_from_ops_checks_the_seam_version_and_impl_gives_the_seam),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
