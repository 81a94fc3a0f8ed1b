// SPDX-License-Identifier: MIT
/*
 * Private <-> shared conversion of guest memory, as every page-state change form ends in (api.rst
 * KVM_SET_MEMORY_ATTRIBUTES, KVM_EXIT_HYPERCALL and KVM_EXIT_MEMORY_FAULT): set the KVM memory
 * attribute, release the backing the range no longer uses, record the new state, and for to-private
 * ranges pre-fault them where the kernel allows it (QEMU does the same: without it every lazily
 * accepted 4 MiB chunk costs about a thousand extra exits).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include <linux/falloc.h>

#include "vmm/backend.h"
#include "vmm/vm.h"
#include "vmm/vm_internal.h"

static const struct mem_region *region_of(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < vm->mem.nr; i++) {
		const struct mem_region *mr = &vm->mem.regions[i];

		if (gpa >= mr->gpa && gpa - mr->gpa < mr->size &&
		    size <= mr->size - (gpa - mr->gpa))
			return mr;
	}
	return NULL;
}

/* Frees what the other view held: the shared pages of a range going private, or the
 * guest_memfd pages of a range going shared (QEMU kvm_convert_memory()). A failure only
 * costs memory, never correctness, so it is counted and not reported to the guest. */
static void discard_other_view(struct vm *vm, const struct mem_region *mr, uint64_t gpa,
			       uint64_t size, bool to_private)
{
	int r;

	if (to_private)
		r = madvise(mr->hva + (gpa - mr->gpa), size, MADV_DONTNEED);
	else
		r = fallocate(mr->gmem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(gpa - mr->gpa), (off_t)size);
	if (r < 0)
		vm->conv.discard_failures++;
}

static void pre_fault(struct vm *vm, struct vm_vcpu *v, uint64_t gpa, uint64_t size)
{
	struct kvm_pre_fault_memory range = { .gpa = gpa, .size = size };
	unsigned int tries = 0;

	/* KVM_PRE_FAULT_MEMORY returns after some progress with gpa/size updated; -EINTR and
	 * -EAGAIN mean "again". An error only loses the optimisation. */
	while (range.size && tries++ < 64) {
		int r = vm->be->ops->vcpu_pre_fault_memory(vm->be, v->index, &range);

		if (r < 0 && r != -EINTR && r != -EAGAIN)
			break;
	}
}

#define VM_MAX_PRIVATE_RUNS (1u << 20)

int vm_convert(struct vm *vm, struct vm_vcpu *v, uint64_t gpa, uint64_t size, bool to_private)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};
	const struct mem_region *mr = region_of(vm, gpa, size);
	int r;

	if (!mr || !size || (gpa | size) & 0xfff)
		return -EINVAL;
	pthread_mutex_lock(&vm->conv.lock);
	/* Make room in the map first: once KVM has changed the attribute, recording it must
	 * not fail, or the map would no longer say what the kernel holds. */
	r = page_state_reserve(&vm->conv.states);
	if (r >= 0)
		r = vm->be->ops->set_memory_attributes(vm->be, &a);
	if (r >= 0) {
		discard_other_view(vm, mr, gpa, size, to_private);
		r = page_state_set(&vm->conv.states, gpa, size,
				   to_private ? PAGE_STATE_PRIVATE : PAGE_STATE_SHARED);
		vm->conv.conversions++;
	}
	pthread_mutex_unlock(&vm->conv.lock);
	if (r >= 0 && to_private && vm->conv.pre_fault)
		pre_fault(vm, v, gpa, size);
	return r < 0 ? r : 0;
}

int vm_convert_init(struct vm *vm)
{
	struct mem_range ram[MEM_MAX_REGIONS];
	unsigned int i;
	int r;

	for (i = 0; i < vm->mem.nr; i++)
		ram[i] = (struct mem_range){ vm->mem.regions[i].gpa, vm->mem.regions[i].size };
	/* The launch made all of RAM private. */
	r = page_state_init(&vm->conv.states, ram, vm->mem.nr, PAGE_STATE_PRIVATE);
	if (r < 0)
		return r;
	/* A guest alternating 4 KiB conversions could otherwise grow the map without bound;
	 * past this many runs (16 MiB of map) further splits are refused. */
	page_state_set_max_runs(&vm->conv.states, VM_MAX_PRIVATE_RUNS);
	pthread_mutex_init(&vm->conv.lock, NULL);
	vm->conv.enabled = true;
	vm->conv.pre_fault =
		vm->be->ops->check_extension(vm->be, true, KVM_CAP_PRE_FAULT_MEMORY) > 0;
	return 0;
}

void vm_convert_destroy(struct vm *vm)
{
	if (!vm->conv.enabled)
		return;
	page_state_destroy(&vm->conv.states);
	pthread_mutex_destroy(&vm->conv.lock);
	vm->conv.enabled = false;
}
