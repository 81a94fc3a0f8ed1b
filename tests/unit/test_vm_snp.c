// SPDX-License-Identifier: MIT
/*
 * The SNP launch (vm_create -> vm_snp_setup, up to LAUNCH_FINISH) against the simulated
 * host's kernel profiles (docs/sim.md), some with one behaviour changed by a thin wrapper
 * around the seam: a signal that arrives while SNP_LAUNCH_UPDATE works
 * (kvm_gmem_populate()), a kernel without VM-level memory attributes. Each test names the
 * kernel behaviour and what the launch does.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bzimage_fixture.h"
#include "cli/options.h"
#include "sim/sim.h"
#include "snp/idblock.h"
#include "vmm/backend.h"
#include "vmm/events.h"
#include "vmm/vm.h"

/* What the wrapped kernel does differently from the simulated one. */
struct kernel_change {
	bool signal_during_update;	  /* SIGUSR2 arrives during every LAUNCH_UPDATE */
	bool no_vm_memory_attributes;	  /* KVM_CAP_MEMORY_ATTRIBUTES is 0 on the VM */
	const char *rewrite_at_create_vm; /* a file someone rewrites when the VM is created */
	void *unmapped_source;		  /* the NORMAL LAUNCH_UPDATEs read from here */
};

struct wrap {
	struct kvm_backend be;
	struct kvm_backend_ops ops;
	struct kvm_backend *sim;
	struct kernel_change change;
	unsigned int launch_updates;
	char calls[64]; /* V create_vm, T set_tsc_khz, I INIT2, S LAUNCH_START, C vCPU */
	unsigned int nr_calls;
	uint32_t tsc_khz;
};

static struct wrap *to_wrap(struct kvm_backend *be)
{
	return (struct wrap *)be;
}

static void note(struct wrap *w, char c)
{
	if (w->nr_calls + 1 < sizeof(w->calls))
		w->calls[w->nr_calls++] = c;
}

static volatile sig_atomic_t signals_delivered;

static void count_signal(int sig)
{
	signals_delivered++;
}

static void w_destroy(struct kvm_backend *be)
{
	struct wrap *w = to_wrap(be);

	kvm_backend_destroy(w->sim);
	free(w);
}

static int w_get_host_facts(struct kvm_backend *be, struct host_facts *f)
{
	return to_wrap(be)->sim->ops->get_host_facts(to_wrap(be)->sim, f);
}

static int w_check_extension(struct kvm_backend *be, bool vm, long cap)
{
	struct wrap *w = to_wrap(be);

	if (vm && cap == KVM_CAP_MEMORY_ATTRIBUTES && w->change.no_vm_memory_attributes)
		return 0;
	return w->sim->ops->check_extension(w->sim, vm, cap);
}

static int w_get_device_attr(struct kvm_backend *be, uint32_t g, uint64_t a, uint64_t *v)
{
	return to_wrap(be)->sim->ops->get_device_attr(to_wrap(be)->sim, g, a, v);
}

static int w_get_supported_cpuid(struct kvm_backend *be, struct kvm_cpuid2 *c)
{
	return to_wrap(be)->sim->ops->get_supported_cpuid(to_wrap(be)->sim, c);
}

/* Flips one byte of the kernel's payload in place, as an operator rewriting the file would
 * (twice restores it). */
static void rewrite_payload(const char *path)
{
	int fd = open(path, O_RDWR);
	uint8_t b = 0;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, FIXTURE_PAYLOAD_OFF + 100), 1);
	b ^= 0xff;
	assert_int_equal(pwrite(fd, &b, 1, FIXTURE_PAYLOAD_OFF + 100), 1);
	close(fd);
}

static int w_create_vm(struct kvm_backend *be, unsigned long type)
{
	note(to_wrap(be), 'V');
	if (to_wrap(be)->change.rewrite_at_create_vm)
		rewrite_payload(to_wrap(be)->change.rewrite_at_create_vm);
	return to_wrap(be)->sim->ops->create_vm(to_wrap(be)->sim, type);
}

static int w_vm_set_tsc_khz(struct kvm_backend *be, uint32_t khz)
{
	note(to_wrap(be), 'T');
	to_wrap(be)->tsc_khz = khz;
	return to_wrap(be)->sim->ops->vm_set_tsc_khz(to_wrap(be)->sim, khz);
}

static int w_enable_cap(struct kvm_backend *be, const struct kvm_enable_cap *cap)
{
	return to_wrap(be)->sim->ops->enable_cap(to_wrap(be)->sim, cap);
}

static int w_create_irqchip(struct kvm_backend *be)
{
	return to_wrap(be)->sim->ops->create_irqchip(to_wrap(be)->sim);
}

static int w_irq_line(struct kvm_backend *be, uint32_t irq, bool level)
{
	return to_wrap(be)->sim->ops->irq_line(to_wrap(be)->sim, irq, level);
}

static int w_create_guest_memfd(struct kvm_backend *be, const struct kvm_create_guest_memfd *g)
{
	return to_wrap(be)->sim->ops->create_guest_memfd(to_wrap(be)->sim, g);
}

static int w_set_user_memory_region2(struct kvm_backend *be,
				     const struct kvm_userspace_memory_region2 *r)
{
	return to_wrap(be)->sim->ops->set_user_memory_region2(to_wrap(be)->sim, r);
}

static int w_set_memory_attributes(struct kvm_backend *be, const struct kvm_memory_attributes *a)
{
	return to_wrap(be)->sim->ops->set_memory_attributes(to_wrap(be)->sim, a);
}

static bool signal_blocked(int sig)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static int w_memory_encrypt_op(struct kvm_backend *be, struct kvm_sev_cmd *cmd, uint32_t *fw)
{
	struct wrap *w = to_wrap(be);
	bool update =
		cmd->id == KVM_SEV_SNP_LAUNCH_UPDATE || cmd->id == KVM_SEV_SNP_V12_LAUNCH_UPDATE;

	if (cmd->id == KVM_SEV_INIT2)
		note(w, 'I');
	if (cmd->id == KVM_SEV_SNP_LAUNCH_START || cmd->id == KVM_SEV_SNP_V12_LAUNCH_START)
		note(w, 'S');
	if (update)
		w->launch_updates++;
	if (update && w->change.signal_during_update) {
		/* kvm_gmem_populate(): a pending (unblocked) signal before the first page is
		 * -EINTR, which snp_launch_update() turns into -EIO, firmware status 0. */
		raise(SIGUSR2);
		if (!signal_blocked(SIGUSR2)) {
			*fw = 0;
			return -EIO;
		}
	}
	if (cmd->id == KVM_SEV_SNP_V12_LAUNCH_UPDATE && w->change.unmapped_source) {
		struct kvm_sev_snp_v12_launch_update *u = (void *)(uintptr_t)cmd->data;

		if (u->type == KVM_SEV_SNP_PAGE_TYPE_NORMAL)
			u->uaddr = (uint64_t)(uintptr_t)w->change.unmapped_source;
	}
	return w->sim->ops->memory_encrypt_op(w->sim, cmd, fw);
}

static int w_sev_platform_cmd(struct kvm_backend *be, uint32_t c, void *data, uint32_t *fw)
{
	return to_wrap(be)->sim->ops->sev_platform_cmd(to_wrap(be)->sim, c, data, fw);
}

static int w_create_vcpu(struct kvm_backend *be, uint32_t id, struct kvm_run **run)
{
	note(to_wrap(be), 'C');
	return to_wrap(be)->sim->ops->create_vcpu(to_wrap(be)->sim, id, run);
}

static int w_vcpu_set_cpuid(struct kvm_backend *be, int vcpu, const struct kvm_cpuid2 *c)
{
	return to_wrap(be)->sim->ops->vcpu_set_cpuid(to_wrap(be)->sim, vcpu, c);
}

static int w_vcpu_get_state(struct kvm_backend *be, int vcpu, struct vcpu_state *st)
{
	return to_wrap(be)->sim->ops->vcpu_get_state(to_wrap(be)->sim, vcpu, st);
}

static int w_vcpu_set_state(struct kvm_backend *be, int vcpu, const struct vcpu_state *st)
{
	return to_wrap(be)->sim->ops->vcpu_set_state(to_wrap(be)->sim, vcpu, st);
}

static int w_vcpu_run(struct kvm_backend *be, int vcpu)
{
	return to_wrap(be)->sim->ops->vcpu_run(to_wrap(be)->sim, vcpu);
}

static int w_vcpu_pre_fault_memory(struct kvm_backend *be, int vcpu,
				   struct kvm_pre_fault_memory *range)
{
	return to_wrap(be)->sim->ops->vcpu_pre_fault_memory(to_wrap(be)->sim, vcpu, range);
}

static struct wrap *wrap_sim(const char *profile, const char *const *settings,
			     struct kernel_change change)
{
	struct sim_options so = { .profile = profile };
	struct diag d = { "" };
	struct wrap *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	while (settings && *settings)
		so.settings[so.nr_settings++] = *settings++;
	assert_int_equal(sim_backend_create(&so, &w->sim, &d), 0);
	w->change = change;
	w->ops = (struct kvm_backend_ops){
		.name = "wrapped sim",
		.destroy = w_destroy,
		.get_host_facts = w_get_host_facts,
		.check_extension = w_check_extension,
		.get_device_attr = w_get_device_attr,
		.get_supported_cpuid = w_get_supported_cpuid,
		.create_vm = w_create_vm,
		.vm_set_tsc_khz = w_vm_set_tsc_khz,
		.enable_cap = w_enable_cap,
		.create_irqchip = w_create_irqchip,
		.irq_line = w_irq_line,
		.create_guest_memfd = w_create_guest_memfd,
		.set_user_memory_region2 = w_set_user_memory_region2,
		.set_memory_attributes = w_set_memory_attributes,
		.memory_encrypt_op = w_memory_encrypt_op,
		.sev_platform_cmd = w_sev_platform_cmd,
		.create_vcpu = w_create_vcpu,
		.vcpu_set_cpuid = w_vcpu_set_cpuid,
		.vcpu_get_state = w_vcpu_get_state,
		.vcpu_set_state = w_vcpu_set_state,
		.vcpu_run = w_vcpu_run,
		.vcpu_pre_fault_memory = w_vcpu_pre_fault_memory,
	};
	w->be.ops = &w->ops;
	return w;
}

/* A bzImage fixture in a temporary directory. */
struct env {
	char dir[64];
	char kernel[96];
};

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	uint8_t *img = fixture_bzimage();
	int fd;

	if (!e || !img)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/snpvmm-test-vm-snp-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->kernel, sizeof(e->kernel), "%s/bzImage", e->dir);
	fd = open(e->kernel, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, img, FIXTURE_SIZE) != FIXTURE_SIZE)
		return -1;
	close(fd);
	free(img);
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	unlink(e->kernel);
	rmdir(e->dir);
	free(e);
	return 0;
}

/* Options: --kernel (the fixture) --mem 64M --console none, then args. */
static void options_for(const struct env *e, const char *const *args, struct vmm_options *o)
{
	char *argv[32] = { (char *)"snpvmm", (char *)"--kernel", (char *)e->kernel,
			   (char *)"--mem",  (char *)"64M",	 (char *)"--console",
			   (char *)"none" };
	struct diag d = { "" };
	int argc = 7;

	while (args && *args)
		argv[argc++] = (char *)*args++;
	assert_int_equal(options_parse(argc, argv, o, &d), 0);
}

/* vm_create on the wrapped host; returns its result, keeps the VM in *ret_vm (or NULL). */
static int launch(struct wrap *w, const struct env *e, const char *const *args, struct vm **ret_vm,
		  struct diag *d)
{
	struct vmm_options o;
	struct events ev;
	int r;

	options_for(e, args, &o);
	events_init(&ev, NULL, NULL, NULL);
	*ret_vm = NULL;
	r = vm_create(&w->be, &o, &ev, ret_vm, d);
	events_destroy(&ev);
	return r;
}

static void test_v12_kernel_that_never_writes_back_launches_each_range_once(void **state)
{
	/* The v12 profile writes no progress back ([PATCH v12 11/29] snp_launch_update()). */
	struct wrap *w = wrap_sim("v12", NULL, (struct kernel_change){ 0 });
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, NULL, &vm, &d), 0);
	assert_int_equal(vm->snp.abi, SNP_ABI_V12);
	assert_int_equal(w->launch_updates, vm->snp.plan.nr_ranges);
	vm_destroy(vm);
	kvm_backend_destroy(&w->be);
}

/* A v12 kernel whose copy from the LAUNCH_UPDATE source faults returns a positive count
 * (the simulated host's rule for [PATCH v12 11/29]): the launch fails on that range and
 * says so, rather than taking it as done. */
static void test_v12_launch_update_source_fault_fails_the_launch(void **state)
{
	/* Below vm.mmap_min_addr: never mapped, so reading it always faults. */
	struct kernel_change change = { .unmapped_source = (void *)(uintptr_t)0x1000 };
	struct wrap *w = wrap_sim("v12", NULL, change);
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, NULL, &vm, &d), -EFAULT);
	assert_null(vm);
	assert_non_null(strstr(d.msg, "SNP_LAUNCH_UPDATE"));
	kvm_backend_destroy(&w->be);
}

static void test_default_policy_launches_on_v12_host_with_smt_off(void **state)
{
	static const char *const smt_off[] = { "smt=0", NULL };
	struct wrap *w = wrap_sim("v12", smt_off, (struct kernel_change){ 0 });
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, NULL, &vm, &d), 0);
	assert_int_equal(vm->snp.policy, 0x30000);
	vm_destroy(vm);
	kvm_backend_destroy(&w->be);
}

static void test_signal_arriving_during_launch_update_does_not_fail_the_launch(void **state)
{
	struct sigaction sa = { .sa_handler = count_signal }, old;
	struct kernel_change change = { .signal_during_update = true };
	struct wrap *w = wrap_sim("7.0", NULL, change);
	struct diag d = { "" };
	struct vm *vm;
	int r;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR2, &sa, &old), 0);
	signals_delivered = 0;

	r = launch(w, *state, NULL, &vm, &d);
	sigaction(SIGUSR2, &old, NULL);

	assert_int_equal(r, 0);
	assert_int_equal(signals_delivered, w->launch_updates);
	vm_destroy(vm);
	kvm_backend_destroy(&w->be);
}

static void test_kernel_without_vm_memory_attributes_is_refused_before_init2(void **state)
{
	struct kernel_change change = { .no_vm_memory_attributes = true };
	struct wrap *w = wrap_sim("7.0", NULL, change);
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, NULL, &vm, &d), -ENOTSUP);
	assert_null(vm);
	assert_non_null(strstr(d.msg, "KVM_CAP_MEMORY_ATTRIBUTES"));
	assert_string_equal(w->calls, "V");
	kvm_backend_destroy(&w->be);
}

/* The digest is predicted from the files before the VM exists; the launch reads them
 * again into guest memory. A file rewritten in between would launch a digest nobody
 * predicted (content) or a kernel the stage refuses (hashes): the launch refuses it. */
static void test_kernel_rewritten_after_the_prediction_is_refused_in_both_modes(void **state)
{
	static const char *const modes[][3] = { { "--boot", "content", NULL },
						{ "--boot", "hashes", NULL } };
	const struct env *e = *state;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct kernel_change change = { .rewrite_at_create_vm = e->kernel };
		struct wrap *w = wrap_sim("7.0", NULL, change);
		struct diag d = { "" };
		struct vm *vm;

		int r = launch(w, e, modes[i], &vm, &d);
		rewrite_payload(e->kernel); /* back as it was, for the other tests */

		assert_int_equal(r, -EIO);
		assert_null(vm);
		assert_non_null(strstr(d.msg, "the kernel changed while snpvmm launched it"));
		kvm_backend_destroy(&w->be);
	}
}

static void test_reduced_phys_bits_other_than_the_hosts_is_accepted(void **state)
{
	static const char *const args[] = { "--reduced-phys-bits", "5", NULL };
	struct wrap *w = wrap_sim("7.0", NULL, (struct kernel_change){ 0 });
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, args, &vm, &d), 0);
	vm_destroy(vm);
	kvm_backend_destroy(&w->be);
}

static void test_no_sev_feature_is_enabled_where_debug_swap_is_offered(void **state)
{
	struct wrap *w = wrap_sim("7.0", NULL, (struct kernel_change){ 0 });
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, NULL, &vm, &d), 0);
	assert_true(vm->snp.vmsa_features == 0);
	vm_destroy(vm);
	kvm_backend_destroy(&w->be);
}

/* --id-block/--id-auth inline, in base64 as QEMU takes them. */
static void id_args(const struct snp_id_block *b, char blk[160], char auth[5500])
{
	static const uint8_t zero_auth[SNP_ID_AUTH_SIZE];

	EVP_EncodeBlock((unsigned char *)blk, (const unsigned char *)b, sizeof(*b));
	EVP_EncodeBlock((unsigned char *)auth, zero_auth, sizeof(zero_auth));
}

static void test_id_block_for_another_digest_is_refused_before_the_vm_exists(void **state)
{
	struct wrap *w = wrap_sim("7.0", NULL, (struct kernel_change){ 0 });
	struct snp_id_block b = { .version = 1, .policy = 0x30000 };
	static char blk[160], auth[5500];
	const char *args[] = { "--id-block", blk, "--id-auth", auth, NULL };
	struct diag d = { "" };
	struct vm *vm;

	memset(b.ld, 0xab, sizeof(b.ld));
	id_args(&b, blk, auth);

	assert_int_equal(launch(w, *state, args, &vm, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "the ID block is for launch digest abababab"));
	assert_non_null(strstr(d.msg, "but this launch measures"));
	assert_string_equal(w->calls, "");
	kvm_backend_destroy(&w->be);
}

static void test_id_block_for_another_policy_is_refused_before_the_vm_exists(void **state)
{
	struct wrap *w = wrap_sim("7.0", NULL, (struct kernel_change){ 0 });
	struct snp_id_block b = { .version = 1, .policy = 0xb0000 };
	static char blk[160], auth[5500];
	const char *args[] = { "--id-block", blk, "--id-auth", auth, NULL };
	struct diag d = { "" };
	struct vm *vm;

	/* The digest the launch predicts, then an ID block that has it and another policy. */
	assert_int_equal(launch(w, *state, NULL, &vm, &d), 0);
	memcpy(b.ld, vm->snp.measurement, sizeof(b.ld));
	vm_destroy(vm);
	kvm_backend_destroy(&w->be);
	w = wrap_sim("7.0", NULL, (struct kernel_change){ 0 });
	id_args(&b, blk, auth);

	assert_int_equal(launch(w, *state, args, &vm, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "the ID block is for policy 0xb0000, but this launch uses "
				      "policy 0x30000"));
	assert_string_equal(w->calls, "");
	kvm_backend_destroy(&w->be);
}

static void test_secure_tsc_frequency_is_set_on_the_vm_before_launch_start(void **state)
{
	/* A 6.18 host on a CPU with Secure TSC (CPUID 0x8000001F EAX bit 8). */
	static const char *const cpu_has_it[] = { "secure_tsc=1", NULL };
	static const char *const args[] = { "--secure-tsc", "--tsc-khz", "2500000", NULL };
	struct wrap *w = wrap_sim("6.18", cpu_has_it, (struct kernel_change){ 0 });
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, args, &vm, &d), 0);
	assert_true(vm->snp.vmsa_features == SVM_SEV_FEAT_SECURE_TSC);
	assert_int_equal(w->tsc_khz, 2500000);
	assert_string_equal(w->calls, "VTISC");
	vm_destroy(vm);
	kvm_backend_destroy(&w->be);
}

static void test_secure_tsc_on_a_kernel_that_does_not_offer_it_names_the_kernel(void **state)
{
	/* 6.17 does not offer Secure TSC, whatever the CPU has. */
	static const char *const cpu_has_it[] = { "secure_tsc=1", NULL };
	static const char *const args[] = { "--secure-tsc", NULL };
	struct wrap *w = wrap_sim("6.17", cpu_has_it, (struct kernel_change){ 0 });
	struct diag d = { "" };
	struct vm *vm;

	assert_int_equal(launch(w, *state, args, &vm, &d), -ENOTSUP);
	assert_non_null(strstr(d.msg, "Linux 6.18"));
	kvm_backend_destroy(&w->be);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v12_kernel_that_never_writes_back_launches_each_range_once),
		cmocka_unit_test(test_v12_launch_update_source_fault_fails_the_launch),
		cmocka_unit_test(test_default_policy_launches_on_v12_host_with_smt_off),
		cmocka_unit_test(
			test_signal_arriving_during_launch_update_does_not_fail_the_launch),
		cmocka_unit_test(test_kernel_without_vm_memory_attributes_is_refused_before_init2),
		cmocka_unit_test(
			test_kernel_rewritten_after_the_prediction_is_refused_in_both_modes),
		cmocka_unit_test(test_reduced_phys_bits_other_than_the_hosts_is_accepted),
		cmocka_unit_test(test_no_sev_feature_is_enabled_where_debug_swap_is_offered),
		cmocka_unit_test(test_id_block_for_another_digest_is_refused_before_the_vm_exists),
		cmocka_unit_test(test_id_block_for_another_policy_is_refused_before_the_vm_exists),
		cmocka_unit_test(test_secure_tsc_frequency_is_set_on_the_vm_before_launch_start),
		cmocka_unit_test(
			test_secure_tsc_on_a_kernel_that_does_not_offer_it_names_the_kernel),
	};

	return cmocka_run_group_tests(tests, env_setup, env_teardown);
}
