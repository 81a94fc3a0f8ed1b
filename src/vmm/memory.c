// SPDX-License-Identifier: MIT
/*
 * Guest RAM layout and backing.
 */
#include "vmm/memory.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/backend.h"

void mem_layout_compute(uint64_t ram_size, struct mem_layout *ret_layout)
{
	struct mem_layout l = { 0 };

	l.regions[0].gpa = 0;
	l.regions[0].size = ram_size < MEM_PCI_HOLE_START ? ram_size : MEM_PCI_HOLE_START;
	l.nr = 1;
	if (ram_size > MEM_PCI_HOLE_START) {
		l.regions[1].gpa = MEM_4G;
		l.regions[1].size = ram_size - MEM_PCI_HOLE_START;
		l.nr = 2;
	}
	*ret_layout = l;
}

static const char *backend_name(enum mem_backend b)
{
	return b == MEM_BACKEND_GMEM ? "guest_memfd" : "anonymous memory";
}

/* Which backend a plain VM gets. An mmap-able guest_memfd needs KVM_CAP_GUEST_MEMFD and
 * GUEST_MEMFD_FLAG_MMAP|INIT_SHARED in KVM_CAP_GUEST_MEMFD_FLAGS (6.18+, api.rst
 * KVM_CAP_GUEST_MEMFD_FLAGS; docs/testing.md has a software KVM that offers both):
 * INIT_SHARED because a plain VM has no private memory and must see the pages as shared. */
static int resolve_plain_backend(struct kvm_backend *be, enum mem_backend want,
				 enum mem_backend *ret, struct diag *d)
{
	const uint64_t need = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	int gmem = be->ops->check_extension(be, true, KVM_CAP_GUEST_MEMFD);
	int flags = be->ops->check_extension(be, true, KVM_CAP_GUEST_MEMFD_FLAGS);
	bool usable = gmem > 0 && flags > 0 && ((uint64_t)flags & need) == need;

	if (want == MEM_BACKEND_ANON || (want == MEM_BACKEND_AUTO && !usable)) {
		*ret = MEM_BACKEND_ANON;
		return 0;
	}
	if (!usable)
		return diag_fail_field(d, -ENOTSUP, "memory_backend",
				       "memory_backend gmem: this kernel cannot mmap a guest_memfd "
				       "(KVM_CAP_GUEST_MEMFD=%d, KVM_CAP_GUEST_MEMFD_FLAGS=0x%x, "
				       "needs MMAP|INIT_SHARED)",
				       gmem, flags < 0 ? 0 : flags);
	*ret = MEM_BACKEND_GMEM;
	return 0;
}

static int region_create(struct kvm_backend *be, struct mem_region *mr, enum mem_backend backend,
			 bool private_memory, struct diag *d)
{
	struct kvm_userspace_memory_region2 slot = {
		.slot = mr->slot,
		.guest_phys_addr = mr->gpa,
		.memory_size = mr->size,
	};
	int r;

	if (backend == MEM_BACKEND_GMEM || private_memory) {
		struct kvm_create_guest_memfd gmem = {
			.size = mr->size,
			.flags = private_memory
					 ? 0
					 : GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
		};

		r = be->ops->create_guest_memfd(be, &gmem);
		if (r < 0)
			return diag_fail(d, r, "KVM_CREATE_GUEST_MEMFD of %llu bytes failed: %s%s",
					 (unsigned long long)mr->size, strerror(-r),
					 r == -ENOMEM ? " (the host cannot back that much guest "
							"memory: use less guest memory)"
						      : "");
		mr->gmem_fd = r;
	}
	if (mr->gmem_fd >= 0 && !private_memory) {
		mr->hva = mmap(NULL, mr->size, PROT_READ | PROT_WRITE, MAP_SHARED, mr->gmem_fd, 0);
		mr->hva_is_gmem = true;
	} else {
		/* MAP_NORESERVE: RAM is populated as the guest touches it. */
		mr->hva = mmap(NULL, mr->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	}
	if (mr->hva == MAP_FAILED) {
		r = -errno;
		mr->hva = NULL;
		return diag_fail(d, r, "mapping %llu bytes of guest RAM failed: %s",
				 (unsigned long long)mr->size, strerror(-r));
	}
	slot.userspace_addr = (uint64_t)(uintptr_t)mr->hva;
	if (mr->gmem_fd >= 0) {
		slot.flags = KVM_MEM_GUEST_MEMFD;
		slot.guest_memfd = (uint32_t)mr->gmem_fd;
	}
	r = be->ops->set_user_memory_region2(be, &slot);
	if (r < 0)
		return diag_fail(
			d, r, "KVM_SET_USER_MEMORY_REGION2 (slot %u, gpa 0x%llx, %s) failed: %s",
			mr->slot, (unsigned long long)mr->gpa, backend_name(backend), strerror(-r));
	return 0;
}

int guest_memory_create(struct kvm_backend *be, const struct mem_layout *layout,
			enum mem_backend want, bool private_memory, struct guest_memory *ret_mem,
			struct diag *d)
{
	struct guest_memory mem = { .nr = 0 };
	enum mem_backend backend = MEM_BACKEND_GMEM;
	unsigned int i;
	int r;

	if (private_memory && want == MEM_BACKEND_ANON)
		return diag_fail_field(
			d, -ENOTSUP, "memory_backend",
			"memory_backend anon: an SNP guest's private memory must be a "
			"guest_memfd");
	if (!private_memory) {
		r = resolve_plain_backend(be, want, &backend, d);
		if (r < 0)
			return r;
	}
	mem.backend = backend;
	for (i = 0; i < layout->nr; i++) {
		struct mem_region *mr = &mem.regions[i];

		mr->gpa = layout->regions[i].gpa;
		mr->size = layout->regions[i].size;
		mr->gmem_fd = -1;
		mr->slot = i;
		mem.nr++;
		r = region_create(be, mr, backend, private_memory, d);
		if (r < 0)
			goto out_destroy;
	}
	*ret_mem = mem;
	return 0;

out_destroy:
	guest_memory_destroy(&mem);
	return r;
}

int guest_memory_add_staging(struct kvm_backend *be, struct guest_memory *mem, uint64_t gpa,
			     uint64_t size, struct diag *d)
{
	struct mem_region *mr = &mem->staging;
	struct kvm_userspace_memory_region2 slot = {
		.slot = MEM_MAX_REGIONS,
		.guest_phys_addr = gpa,
		.memory_size = size,
	};
	int r;

	/* MAP_NORESERVE: only the pages the images fill are ever touched. */
	mr->hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mr->hva == MAP_FAILED) {
		r = -errno;
		mr->hva = NULL;
		return diag_fail(d, r, "mapping the %llu-byte staging area failed: %s",
				 (unsigned long long)size, strerror(-r));
	}
	mr->gpa = gpa;
	mr->size = size;
	mr->gmem_fd = -1;
	mr->slot = MEM_MAX_REGIONS;
	slot.userspace_addr = (uint64_t)(uintptr_t)mr->hva;
	r = be->ops->set_user_memory_region2(be, &slot);
	if (r < 0)
		return diag_fail(
			d, r,
			"KVM_SET_USER_MEMORY_REGION2 (staging slot %u, gpa 0x%llx) failed: "
			"%s",
			mr->slot, (unsigned long long)gpa, strerror(-r));
	return 0;
}

void *guest_memory_staging_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	const struct mem_region *mr = &mem->staging;

	if (!mr->hva || gpa < mr->gpa || gpa - mr->gpa > mr->size ||
	    len > mr->size - (gpa - mr->gpa))
		return NULL;
	return mr->hva + (gpa - mr->gpa);
}

void guest_memory_destroy(struct guest_memory *mem)
{
	unsigned int i;

	if (!mem)
		return;
	if (mem->staging.hva)
		munmap(mem->staging.hva, mem->staging.size);
	mem->staging = (struct mem_region){ .gmem_fd = -1 };
	for (i = 0; i < mem->nr; i++) {
		struct mem_region *mr = &mem->regions[i];

		if (mr->hva)
			munmap(mr->hva, mr->size);
		if (mr->gmem_fd >= 0)
			close(mr->gmem_fd);
		mr->hva = NULL;
		mr->gmem_fd = -1;
	}
	mem->nr = 0;
}

void *guest_memory_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < mem->nr; i++) {
		const struct mem_region *mr = &mem->regions[i];

		if (gpa >= mr->gpa && gpa - mr->gpa <= mr->size &&
		    len <= mr->size - (gpa - mr->gpa))
			return mr->hva + (gpa - mr->gpa);
	}
	return NULL;
}
