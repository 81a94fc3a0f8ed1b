// SPDX-License-Identifier: MIT
#include "vmm/boot_images.h"

#include <errno.h>
#include <string.h>

/* RAM in MiB for a message, rounded down. */
static unsigned long long mib(uint64_t bytes)
{
	return (unsigned long long)(bytes >> 20);
}

static int check_size(const struct file_in *f, uint64_t limit, const char *room, struct diag *d)
{
	if (f->size <= limit)
		return 0;
	return diag_fail(
		d, -EFBIG,
		"%s '%s' (%llu bytes) does not fit: %s holds at most %llu bytes (%llu MiB)",
		f->what, f->path, (unsigned long long)f->size, room, (unsigned long long)limit,
		mib(limit));
}

int boot_images_load(const struct vmm_options *o, const struct mem_range *ram, unsigned int nr_ram,
		     struct boot_images *ret, struct diag *d)
{
	struct file_in files[2 + OPT_MAX_SETUP_DATA];
	struct boot_image_limits lim;
	unsigned int nr = 0, first_sd, i;
	int r = 0;

	*ret = (struct boot_images){
		.kernel = { .fd = -1 },
		.initrd = { .fd = -1 },
		.nr_setup_data = o->nr_setup_data,
	};
	boot_image_limits(ram, nr_ram, &lim);

	/* 1. Open every file and take its size; read nothing yet. */
	r = file_in_open(o->kernel, "kernel", &files[nr], d);
	if (r < 0)
		goto out_close;
	nr++;
	if (o->initrd) {
		r = file_in_open(o->initrd, "initrd", &files[nr], d);
		if (r < 0)
			goto out_close;
		nr++;
	}
	first_sd = nr;
	for (i = 0; i < o->nr_setup_data; i++) {
		r = file_in_open(o->setup_data[i].path, "setup_data file", &files[nr], d);
		if (r < 0)
			goto out_close;
		nr++;
	}

	/* 2. Check every size against what the RAM layout can ever hold. */
	if (files[0].size == 0) {
		r = diag_fail(d, -ENOEXEC, "kernel '%s' is empty", o->kernel);
		goto out_close;
	}
	r = check_size(&files[0], lim.kernel, "guest RAM from 1 MiB up, plus the setup code", d);
	if (r >= 0 && o->initrd)
		r = check_size(&files[1], lim.initrd, "the largest region of guest RAM", d);
	for (i = first_sd; r >= 0 && i < nr; i++)
		r = check_size(&files[i], lim.setup_data, "the setup_data area", d);
	if (r < 0)
		goto out_close;

	/* 3. Read the setup_data files and the kernel's header. The kernel and the initrd
	 * stay open as sources (their fds move there) and are read where they are used. */
	for (i = first_sd; i < nr && r >= 0; i++)
		r = file_in_read(&files[i], &ret->setup_data[i - first_sd], d);
	if (r < 0)
		goto out_close;
	ret->kernel = source_from_file_in(&files[0]);
	if (o->initrd)
		ret->initrd = source_from_file_in(&files[1]);
	ret->kernel_head_len = ret->kernel.size < sizeof(ret->kernel_head)
				       ? (size_t)ret->kernel.size
				       : sizeof(ret->kernel_head);
	r = source_read(&ret->kernel, 0, ret->kernel_head, ret->kernel_head_len, d);
out_close:
	for (i = 0; i < nr; i++)
		file_in_close(&files[i]);
	if (r < 0)
		boot_images_free(ret);
	return r;
}

void boot_images_free(struct boot_images *im)
{
	unsigned int i;

	for (i = 0; i < OPT_MAX_SETUP_DATA; i++)
		file_map_close(&im->setup_data[i]);
	source_close(&im->initrd);
	source_close(&im->kernel);
}

void boot_images_setup_data(const struct vmm_options *o, const struct boot_images *im,
			    struct boot_setup_data ret[OPT_MAX_SETUP_DATA])
{
	unsigned int i;

	for (i = 0; i < o->nr_setup_data; i++)
		ret[i] = (struct boot_setup_data){
			.type = o->setup_data[i].type,
			.data = im->setup_data[i].data,
			.len = (uint32_t)im->setup_data[i].size,
		};
}
