// SPDX-License-Identifier: MIT
/*
 * Executing the placement part of a plan: the plan's own bytes into RAM, and each image
 * straight from its file into the memory the launch takes it from (guest RAM's shared view
 * for boot mode content, the staging memslot for hashes). The VMM never holds an image
 * in memory of its own; the sizes were checked against the plan (built from fstat) before
 * a byte is read, and every later hash or measurement reads the bytes where they now are.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "snp/launch_digest.h"
#include "vmm/backend.h"
#include "vmm/vm_internal.h"

/* One image: [0, size) of src into dst, then a memory source over dst. */
static int load_image(const struct byte_source *src, uint8_t *dst, uint64_t size, const char *what,
		      struct byte_source *ret, struct diag *d)
{
	int r;

	if (!dst)
		return diag_fail(d, -ERANGE, "the %s (%llu bytes) does not fit where it goes", what,
				 (unsigned long long)size);
	r = source_read(src, 0, dst, size, d);
	if (r < 0)
		return r;
	*ret = source_from_memory(dst, size, what);
	return 0;
}

static void *image_dst(struct vm *vm, const struct stage_plan *stage, const struct boot_segment *s,
		       uint64_t staging_offset)
{
	if (!stage)
		return guest_memory_hva(&vm->mem, s->gpa, s->size);
	return guest_memory_staging_hva(&vm->mem, stage->staging_gpa + staging_offset, s->size);
}

int vm_hash_images(struct vm *vm, struct snp_plan *plan, const struct image_sources *images,
		   struct diag *d)
{
	const struct stage_params *p;
	int r;

	if (plan->mode == BOOT_MODE_HASHES) {
		r = snp_plan_hash_images(plan, images, d);
		if (r < 0)
			return r;
		p = stage_plan_params(&plan->stage);
		memcpy(vm->image_sha384[0], p->kernel.sha384, SNP_LD_SIZE);
		memcpy(vm->image_sha384[1], p->initrd.sha384, SNP_LD_SIZE);
	} else {
		r = source_digest(images->kernel, 0, images->kernel->size, "SHA384",
				  vm->image_sha384[0], d);
		if (r >= 0 && images->initrd)
			r = source_digest(images->initrd, 0, images->initrd->size, "SHA384",
					  vm->image_sha384[1], d);
		if (r < 0)
			return r;
	}
	vm->have_image_sha384 = true;
	return 0;
}

/* The loaded images are the bytes the prediction hashed: a file rewritten between the
 * prediction's read and the launch's would otherwise launch a digest nobody predicted. */
static int check_loaded(struct vm *vm, const struct image_sources *loaded, struct diag *d)
{
	const struct byte_source *img[2] = { loaded->kernel, loaded->initrd };
	uint8_t got[SNP_LD_SIZE];
	unsigned int i;
	int r;

	for (i = 0; i < 2; i++) {
		if (!img[i])
			continue;
		r = source_digest(img[i], 0, img[i]->size, "SHA384", got, d);
		if (r < 0)
			return r;
		if (memcmp(got, vm->image_sha384[i], sizeof(got)))
			return diag_fail(d, -EIO,
					 "the %s changed while snpvmm launched it: the bytes it "
					 "loaded are not those it predicted the measurement from",
					 img[i]->what);
	}
	return 0;
}

int vm_load_boot(struct vm *vm, const struct boot_plan *boot, const struct boot_segment *segs,
		 unsigned int nr_segs, struct stage_plan *stage, struct vm_loaded_images *ret,
		 struct diag *d)
{
	const struct boot_segment *ks = boot_plan_segment(boot, BOOT_SEG_KERNEL);
	const struct boot_segment *is = boot_plan_segment(boot, BOOT_SEG_INITRD);
	struct byte_source payload;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!ks || ks->size != boot->kernel.payload_size)
		return diag_fail(d, -EINVAL, "the boot plan has no kernel segment");
	if (stage) {
		r = guest_memory_add_staging(vm->be, &vm->mem, stage->staging_gpa,
					     stage->staging_size, d);
		if (r < 0)
			return r;
		/* Fewer host and nested page faults for the images (best effort). */
		(void)madvise(vm->mem.staging.hva, vm->mem.staging.size, MADV_HUGEPAGE);
	}
	payload = source_view(&vm->images.kernel, boot->kernel.payload_offset, ks->size);
	r = load_image(&payload, image_dst(vm, stage, ks, stage ? stage->kernel_offset : 0),
		       ks->size, "kernel", &ret->kernel, d);
	if (r >= 0 && is)
		r = load_image(&vm->images.initrd,
			       image_dst(vm, stage, is, stage ? stage->initrd_offset : 0), is->size,
			       "initrd", &ret->initrd, d);
	if (r < 0)
		return r;
	ret->images.kernel = &ret->kernel;
	ret->images.initrd = is ? &ret->initrd : NULL;
	/* The hashes go into the parameters page before it is copied with the rest. */
	if (vm->have_image_sha384)
		r = check_loaded(vm, &ret->images, d);
	else if (stage)
		r = stage_plan_hash_images(stage, ret->images.kernel, ret->images.initrd, d);
	if (r >= 0)
		r = vm_copy_segments(vm, segs, nr_segs, d);
	return r;
}

void vm_prefault_staging(struct vm *vm)
{
	const struct mem_region *st = &vm->mem.staging;
	struct kvm_pre_fault_memory range = { .gpa = st->gpa, .size = st->size };
	unsigned int tries = 0;

	/* The stage reads the whole staging area once: mapping it in the nested page tables
	 * now saves it one fault per page (or per 2 MiB, with the huge pages asked for at
	 * load). Only an optimisation: any error just leaves the faults to the guest. SNP
	 * allows this only after LAUNCH_FINISH (kvm_arch_vcpu_pre_fault_memory()). */
	if (!st->hva || !vm->nr_vcpus ||
	    vm->be->ops->check_extension(vm->be, true, KVM_CAP_PRE_FAULT_MEMORY) <= 0)
		return;
	while (range.size && tries++ < 64) {
		int r = vm->be->ops->vcpu_pre_fault_memory(vm->be, vm->vcpus[0].index, &range);

		if (r < 0 && r != -EINTR && r != -EAGAIN)
			break;
	}
}

const struct stage_plan *vm_stage_plan(const struct vm *vm)
{
	if (vm->have_stage)
		return &vm->stage;
	if (vm->snp.have_plan && vm->snp.plan.mode == BOOT_MODE_HASHES)
		return &vm->snp.plan.stage;
	return NULL;
}

int vm_tamper_staging(struct vm *vm, enum staging_tamper what, struct diag *d)
{
	const struct stage_plan *sp = vm_stage_plan(vm);
	uint64_t offset, size;
	uint8_t *p;

	if (!sp)
		return diag_fail_field(d, -EINVAL, "debug_tamper_staging",
				       "debug_tamper_staging: there is no staging area");
	offset = what == STAGING_TAMPER_KERNEL ? sp->kernel_offset : sp->initrd_offset;
	size = what == STAGING_TAMPER_KERNEL ? sp->kernel_size : sp->initrd_size;
	if (!size)
		return diag_fail_field(d, -EINVAL, "debug_tamper_staging",
				       "debug_tamper_staging: nothing staged to change");
	/* The middle byte: inside the image whatever its size, and not a header a quick
	 * check would catch. */
	p = guest_memory_staging_hva(&vm->mem, sp->staging_gpa + offset + size / 2, 1);
	if (!p)
		return -ERANGE;
	*p ^= 0xff;
	return 0;
}
