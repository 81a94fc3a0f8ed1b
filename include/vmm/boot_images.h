/* SPDX-License-Identifier: MIT */
/*
 * The files of a direct boot (kernel, initrd, setup_data files), opened in this one place
 * for the launch and for `snpvmm measure`: every file is opened and its size taken
 * (fstat) first, every size is checked against what the guest's RAM could ever hold
 * (boot_image_limits()), and only then is anything read. A 2 GiB initrd for 16 MiB of RAM
 * is refused at once instead of after reading it.
 *
 * The kernel and the initrd are never read whole into the VMM's memory: they stay open as
 * byte sources, of which only the kernel's header is read here; the launch reads them
 * straight into the guest memory it launches from and `measure` streams them
 * (util/source.h). The setup_data files (a few KiB at most) are read.
 */
#ifndef SNPVMM_VMM_BOOT_IMAGES_H
#define SNPVMM_VMM_BOOT_IMAGES_H

#include "util/diag.h"
#include "util/file.h"
#include "util/source.h"
#include "vmm/boot.h"
#include "vmm/options.h"

struct boot_images {
	struct byte_source kernel; /* the bzImage file */
	uint8_t kernel_head[BZIMAGE_HEAD_MIN];
	size_t kernel_head_len;	   /* its first bytes, what boot_plan_build() parses */
	struct byte_source initrd; /* size 0 without --initrd */
	struct file_map setup_data[OPT_MAX_SETUP_DATA];
	unsigned int nr_setup_data;
};

/* -errno with d naming the file: cannot open, not a regular file, empty kernel (-ENOEXEC),
 * larger than the RAM layout allows (-EFBIG), or a read error. */
int boot_images_load(const struct vmm_options *o, const struct mem_range *ram, unsigned int nr_ram,
		     struct boot_images *ret, struct diag *d) __attribute__((warn_unused_result));
void boot_images_free(struct boot_images *im);

/* The setup_data entries of a boot_config, pointing into the images. */
void boot_images_setup_data(const struct vmm_options *o, const struct boot_images *im,
			    struct boot_setup_data ret[OPT_MAX_SETUP_DATA]);

#endif /* SNPVMM_VMM_BOOT_IMAGES_H */
