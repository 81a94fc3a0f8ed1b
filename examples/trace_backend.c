// SPDX-License-Identifier: MIT
/*
 * A backend of one's own, built against the installed headers only: it wraps the
 * simulated SEV-SNP host (testing only: no confidentiality), forwards every operation of
 * the kernel seam (<snpvmm/backend.h>) to it and counts them, launches a guest to its
 * end, and checks the counts:
 *
 *   trace_backend KERNEL [SIM_PROFILE]   (profile default 6.18)
 *
 * Exit status 0 if the guest powered off and every count is what an SEV-SNP launch must
 * make: one VM, LAUNCH_* commands through memory_encrypt_op, vCPUs created and run.
 */
#include <errno.h>
#include <signal.h>
#include <snpvmm/backend.h>
#include <snpvmm/snpvmm.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum traced_op {
	OP_GET_HOST_FACTS,
	OP_CHECK_EXTENSION,
	OP_GET_DEVICE_ATTR,
	OP_GET_SUPPORTED_CPUID,
	OP_CREATE_VM,
	OP_ENABLE_CAP,
	OP_VM_SET_TSC_KHZ,
	OP_CREATE_IRQCHIP,
	OP_IRQ_LINE,
	OP_CREATE_GUEST_MEMFD,
	OP_SET_USER_MEMORY_REGION2,
	OP_SET_MEMORY_ATTRIBUTES,
	OP_MEMORY_ENCRYPT_OP,
	OP_SEV_PLATFORM_CMD,
	OP_CREATE_VCPU,
	OP_VCPU_SET_CPUID,
	OP_VCPU_GET_STATE,
	OP_VCPU_SET_STATE,
	OP_VCPU_RUN,
	OP_VCPU_PRE_FAULT_MEMORY,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"get_host_facts",
	"check_extension",
	"get_device_attr",
	"get_supported_cpuid",
	"create_vm",
	"enable_cap",
	"vm_set_tsc_khz",
	"create_irqchip",
	"irq_line",
	"create_guest_memfd",
	"set_user_memory_region2",
	"set_memory_attributes",
	"memory_encrypt_op",
	"sev_platform_cmd",
	"create_vcpu",
	"vcpu_set_cpuid",
	"vcpu_get_state",
	"vcpu_set_state",
	"vcpu_run",
	"vcpu_pre_fault_memory",
};

/* Owned by main(), so the counts outlive the backend (the VM destroys that). vcpu_run
 * runs on every vCPU thread at once and irq_line on device threads: counts are atomic. */
struct trace_counts {
	atomic_ulong calls[NR_OPS];
	atomic_ulong destroyed;
};

struct trace_backend {
	struct kvm_backend be;	      /* first: what the library holds */
	struct snpvmm_backend *owner; /* the wrapped backend, freed with this one */
	struct kvm_backend *inner;    /* its seam implementation */
	struct trace_counts *counts;
};

static struct trace_backend *trace_of(struct kvm_backend *be)
{
	return (struct trace_backend *)be;
}

/* Counts one call and returns the backend to forward it to. */
static struct kvm_backend *forward(struct kvm_backend *be, enum traced_op op)
{
	atomic_fetch_add(&trace_of(be)->counts->calls[op], 1);
	return trace_of(be)->inner;
}

static void trace_destroy(struct kvm_backend *be)
{
	struct trace_backend *t = trace_of(be);

	atomic_fetch_add(&t->counts->destroyed, 1);
	snpvmm_backend_free(t->owner);
	free(t);
}

static int trace_get_host_facts(struct kvm_backend *be, struct host_facts *ret_facts)
{
	struct kvm_backend *in = forward(be, OP_GET_HOST_FACTS);

	return in->ops->get_host_facts(in, ret_facts);
}

static int trace_check_extension(struct kvm_backend *be, bool vm, long cap)
{
	struct kvm_backend *in = forward(be, OP_CHECK_EXTENSION);

	return in->ops->check_extension(in, vm, cap);
}

static int trace_get_device_attr(struct kvm_backend *be, uint32_t group, uint64_t attr,
				 uint64_t *ret_value)
{
	struct kvm_backend *in = forward(be, OP_GET_DEVICE_ATTR);

	return in->ops->get_device_attr(in, group, attr, ret_value);
}

static int trace_get_supported_cpuid(struct kvm_backend *be, struct kvm_cpuid2 *cpuid)
{
	struct kvm_backend *in = forward(be, OP_GET_SUPPORTED_CPUID);

	return in->ops->get_supported_cpuid(in, cpuid);
}

static int trace_create_vm(struct kvm_backend *be, unsigned long type)
{
	struct kvm_backend *in = forward(be, OP_CREATE_VM);

	return in->ops->create_vm(in, type);
}

static int trace_enable_cap(struct kvm_backend *be, const struct kvm_enable_cap *cap)
{
	struct kvm_backend *in = forward(be, OP_ENABLE_CAP);

	return in->ops->enable_cap(in, cap);
}

static int trace_vm_set_tsc_khz(struct kvm_backend *be, uint32_t khz)
{
	struct kvm_backend *in = forward(be, OP_VM_SET_TSC_KHZ);

	return in->ops->vm_set_tsc_khz(in, khz);
}

static int trace_create_irqchip(struct kvm_backend *be)
{
	struct kvm_backend *in = forward(be, OP_CREATE_IRQCHIP);

	return in->ops->create_irqchip(in);
}

static int trace_irq_line(struct kvm_backend *be, uint32_t irq, bool level)
{
	struct kvm_backend *in = forward(be, OP_IRQ_LINE);

	return in->ops->irq_line(in, irq, level);
}

static int trace_create_guest_memfd(struct kvm_backend *be,
				    const struct kvm_create_guest_memfd *gmem)
{
	struct kvm_backend *in = forward(be, OP_CREATE_GUEST_MEMFD);

	return in->ops->create_guest_memfd(in, gmem);
}

static int trace_set_user_memory_region2(struct kvm_backend *be,
					 const struct kvm_userspace_memory_region2 *region)
{
	struct kvm_backend *in = forward(be, OP_SET_USER_MEMORY_REGION2);

	return in->ops->set_user_memory_region2(in, region);
}

static int trace_set_memory_attributes(struct kvm_backend *be,
				       const struct kvm_memory_attributes *attrs)
{
	struct kvm_backend *in = forward(be, OP_SET_MEMORY_ATTRIBUTES);

	return in->ops->set_memory_attributes(in, attrs);
}

static int trace_memory_encrypt_op(struct kvm_backend *be, struct kvm_sev_cmd *cmd,
				   uint32_t *fw_error)
{
	struct kvm_backend *in = forward(be, OP_MEMORY_ENCRYPT_OP);

	return in->ops->memory_encrypt_op(in, cmd, fw_error);
}

static int trace_sev_platform_cmd(struct kvm_backend *be, uint32_t cmd, void *data,
				  uint32_t *fw_error)
{
	struct kvm_backend *in = forward(be, OP_SEV_PLATFORM_CMD);

	return in->ops->sev_platform_cmd(in, cmd, data, fw_error);
}

static int trace_create_vcpu(struct kvm_backend *be, uint32_t vcpu_id, struct kvm_run **ret_run)
{
	struct kvm_backend *in = forward(be, OP_CREATE_VCPU);

	return in->ops->create_vcpu(in, vcpu_id, ret_run);
}

static int trace_vcpu_set_cpuid(struct kvm_backend *be, int vcpu, const struct kvm_cpuid2 *cpuid)
{
	struct kvm_backend *in = forward(be, OP_VCPU_SET_CPUID);

	return in->ops->vcpu_set_cpuid(in, vcpu, cpuid);
}

static int trace_vcpu_get_state(struct kvm_backend *be, int vcpu, struct vcpu_state *state)
{
	struct kvm_backend *in = forward(be, OP_VCPU_GET_STATE);

	return in->ops->vcpu_get_state(in, vcpu, state);
}

static int trace_vcpu_set_state(struct kvm_backend *be, int vcpu, const struct vcpu_state *state)
{
	struct kvm_backend *in = forward(be, OP_VCPU_SET_STATE);

	return in->ops->vcpu_set_state(in, vcpu, state);
}

static int trace_vcpu_run(struct kvm_backend *be, int vcpu)
{
	struct kvm_backend *in = forward(be, OP_VCPU_RUN);

	return in->ops->vcpu_run(in, vcpu);
}

static int trace_vcpu_pre_fault_memory(struct kvm_backend *be, int vcpu,
				       struct kvm_pre_fault_memory *range)
{
	struct kvm_backend *in = forward(be, OP_VCPU_PRE_FAULT_MEMORY);

	return in->ops->vcpu_pre_fault_memory(in, vcpu, range);
}

static const struct kvm_backend_ops trace_ops = {
	.name = "trace",
	.destroy = trace_destroy,
	.get_host_facts = trace_get_host_facts,
	.check_extension = trace_check_extension,
	.get_device_attr = trace_get_device_attr,
	.get_supported_cpuid = trace_get_supported_cpuid,
	.create_vm = trace_create_vm,
	.enable_cap = trace_enable_cap,
	.vm_set_tsc_khz = trace_vm_set_tsc_khz,
	.create_irqchip = trace_create_irqchip,
	.irq_line = trace_irq_line,
	.create_guest_memfd = trace_create_guest_memfd,
	.set_user_memory_region2 = trace_set_user_memory_region2,
	.set_memory_attributes = trace_set_memory_attributes,
	.memory_encrypt_op = trace_memory_encrypt_op,
	.sev_platform_cmd = trace_sev_platform_cmd,
	.create_vcpu = trace_create_vcpu,
	.vcpu_set_cpuid = trace_vcpu_set_cpuid,
	.vcpu_get_state = trace_vcpu_get_state,
	.vcpu_set_state = trace_vcpu_set_state,
	.vcpu_run = trace_vcpu_run,
	.vcpu_pre_fault_memory = trace_vcpu_pre_fault_memory,
};

/* Wraps `inner` (taken: freed with the new backend, also when this fails). */
static int trace_open(struct snpvmm_backend *inner, struct trace_counts *counts,
		      struct snpvmm_backend **ret_be)
{
	struct trace_backend *t = calloc(1, sizeof(*t));
	int r;

	if (!t) {
		snpvmm_backend_free(inner);
		return -ENOMEM;
	}
	t->be.ops = &trace_ops;
	t->owner = inner;
	t->inner = snpvmm_backend_impl(inner);
	t->counts = counts;
	r = snpvmm_backend_from_ops(t, SNPVMM_BACKEND_ABI_VERSION, ret_be);
	if (r < 0 && r != -ENOMEM) /* after -ENOMEM the library destroyed it */
		trace_destroy(&t->be);
	return r;
}

static int fail(const char *what, const struct snpvmm_error *err)
{
	fprintf(stderr, "%s failed at %s: %s%s%s\n", what, err->step, err->message,
		err->fw_error[0] ? ", firmware error " : "", err->fw_error);
	return 1;
}

/* One expectation on a count: at least `min`, and exactly `min` when `exact`. */
static int expect(const struct trace_counts *counts, enum traced_op op, unsigned long min,
		  bool exact)
{
	unsigned long n = atomic_load(&counts->calls[op]);

	if (n < min || (exact && n != min)) {
		fprintf(stderr, "%s was called %lu times, expected %s%lu\n", op_names[op], n,
			exact ? "" : "at least ", min);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct trace_counts counts;
	struct snpvmm_error err = { 0 };
	struct snpvmm_exit end = { 0 };
	struct snpvmm_backend *sim = NULL, *traced = NULL;
	struct snpvmm_config *cfg;
	struct snpvmm_vm *vm = NULL;
	const char *profile = argc > 2 ? argv[2] : "6.18";
	const uint32_t nr_vcpus = 2;
	int status = 1, bad = 0, r, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s KERNEL [SIM_PROFILE]\n", argv[0]);
		return 2;
	}
	if (snpvmm_config_new(&cfg) < 0)
		return 1;
	if (snpvmm_config_set_input_path(cfg, SNPVMM_INPUT_KERNEL, argv[1]) < 0 ||
	    snpvmm_config_set_memory(cfg, 64u << 20) < 0 ||
	    snpvmm_config_set_vcpus(cfg, nr_vcpus) < 0 ||
	    snpvmm_config_set_name(cfg, "traced") < 0 ||
	    snpvmm_config_set_sim(cfg, SNPVMM_SIM_PROFILE, profile) < 0) {
		fprintf(stderr, "cannot build the configuration\n");
		goto out_free_cfg;
	}
	if (snpvmm_install_kick_handler(SIGRTMIN) < 0)
		goto out_free_cfg;

	if (snpvmm_backend_open_sim(cfg, &sim, &err) < 0) {
		status = fail("open the simulated host", &err);
		goto out_free_cfg;
	}
	r = trace_open(sim, &counts, &traced);
	if (r < 0) {
		fprintf(stderr, "cannot wrap the backend: error %d\n", r);
		goto out_free_cfg;
	}
	/* The VM takes the traced backend, which holds the simulated one. */
	if (snpvmm_vm_create(cfg, traced, &vm, &err) < 0) {
		status = fail("create", &err);
		goto out_free_cfg;
	}
	if (snpvmm_vm_launch(vm, &err) < 0) {
		status = fail("launch", &err);
		goto out_destroy;
	}
	if (snpvmm_vm_run(vm, &end, &err) < 0) {
		status = fail("run", &err);
		goto out_destroy;
	}
	printf("guest ended: %s\n", snpvmm_exit_reason_name(end.reason));
	status = end.reason == SNPVMM_EXIT_POWEROFF ? 0 : 1;

out_destroy:
	snpvmm_vm_destroy(vm);
out_free_cfg:
	snpvmm_config_free(cfg);
	for (i = 0; i < NR_OPS; i++)
		printf("%-24s %lu\n", op_names[i], atomic_load(&counts.calls[i]));
	if (status != 0)
		return status;

	/* What any SEV-SNP launch of this guest must have asked of the host. */
	bad |= expect(&counts, OP_CREATE_VM, 1, true);
	bad |= expect(&counts, OP_CREATE_VCPU, nr_vcpus, true);
	bad |= expect(&counts, OP_MEMORY_ENCRYPT_OP, 4, false); /* INIT2, LAUNCH_START,
								   _UPDATE, _FINISH */
	bad |= expect(&counts, OP_SET_USER_MEMORY_REGION2, 1, false);
	bad |= expect(&counts, OP_CREATE_GUEST_MEMFD, 1, false);
	bad |= expect(&counts, OP_VCPU_RUN, nr_vcpus, false);
	bad |= expect(&counts, OP_CHECK_EXTENSION, 1, false);
	bad |= expect(&counts, OP_GET_HOST_FACTS, 1, false);
	/* The VM destroyed the traced backend exactly once. */
	if (atomic_load(&counts.destroyed) != 1) {
		fprintf(stderr, "the backend was destroyed %lu times\n",
			atomic_load(&counts.destroyed));
		bad = 1;
	}
	if (!bad)
		printf("counts ok\n");
	return bad;
}
