// SPDX-License-Identifier: MIT
/*
 * The simulated VM's memory: guest_memfd files (real memfds, so the VMM can mmap and
 * fallocate(PUNCH_HOLE) them), memslots, and the per-GFN PRIVATE attribute.
 * Rules are KVM's (virt/kvm/kvm_main.c, virt/kvm/guest_memfd.c, Linux 6.11; api.rst
 * KVM_CREATE_GUEST_MEMFD, KVM_SET_USER_MEMORY_REGION2, KVM_SET_MEMORY_ATTRIBUTES).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_internal.h"

#define PAGE_ALIGNED(x)	   (((x) & (SIM_PAGE_SIZE - 1)) == 0)
/* KVM_USER_MEM_SLOTS on x86 (KVM_MEM_SLOTS_NUM - KVM_INTERNAL_MEM_SLOTS). */
#define KVM_USER_MEM_SLOTS 32764

void sim_memory_fini(struct sim_memory *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_gmem; i++) {
		if (m->gmem[i].fd >= 0)
			close(m->gmem[i].fd);
		free(m->gmem[i].prepared);
	}
	free(m->priv);
	memset(m, 0, sizeof(*m));
}

int sim_memory_create_gmem(struct sim_memory *m, const struct kvm_create_guest_memfd *g)
{
	struct sim_gmem *gm;
	int fd, own;

	/* kvm_gmem_create(): a positive, page-aligned size (flags are checked by the
	 * caller against the VM's supported set). */
	if (g->size == 0 || !PAGE_ALIGNED(g->size) || g->size > (1ull << 46))
		return -EINVAL;
	if (m->nr_gmem == SIM_MAX_GMEM)
		return -ENOSPC;
	fd = memfd_create("sim-guest_memfd", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)g->size) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	/* The caller owns fd and may close it; like a memslot's file reference, the
	 * simulator keeps its own. */
	own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (own < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	gm = &m->gmem[m->nr_gmem];
	gm->prepared = calloc((g->size / SIM_PAGE_SIZE + 7) / 8, 1);
	if (!gm->prepared) {
		close(own);
		close(fd);
		return -ENOMEM;
	}
	gm->fd = own;
	gm->size = g->size;
	gm->flags = g->flags;
	m->nr_gmem++;
	m->gmem_bytes += g->size;
	return fd;
}

/* The guest_memfd behind a caller's fd: same file (st_ino) as one we created. */
static struct sim_gmem *gmem_of_fd(struct sim_memory *m, int fd)
{
	struct stat a, b;
	unsigned int i;

	if (fstat(fd, &a) < 0)
		return NULL;
	for (i = 0; i < m->nr_gmem; i++) {
		if (fstat(m->gmem[i].fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return &m->gmem[i];
	}
	return NULL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int sim_memory_set_region(struct sim_memory *m, const struct kvm_userspace_memory_region2 *r)
{
	struct sim_slot *slot = NULL, *free_slot = NULL;
	struct sim_gmem *gm = NULL;
	uint32_t valid = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY | KVM_MEM_GUEST_MEMFD;
	unsigned int i;

	/* check_memory_region_flags(): "Dirty logging private memory is not currently
	 * supported." */
	if (r->flags & KVM_MEM_GUEST_MEMFD)
		valid &= ~KVM_MEM_LOG_DIRTY_PAGES;
	if (r->flags & ~valid)
		return -EINVAL;
	/* kvm_set_memory_region(): alignment, slot id, wrap-around. */
	if (!PAGE_ALIGNED(r->memory_size) || !PAGE_ALIGNED(r->guest_phys_addr) ||
	    !PAGE_ALIGNED(r->userspace_addr) || (r->slot & 0xffff) >= KVM_USER_MEM_SLOTS ||
	    r->guest_phys_addr + r->memory_size < r->guest_phys_addr)
		return -EINVAL;
	if ((r->flags & KVM_MEM_GUEST_MEMFD) &&
	    (!PAGE_ALIGNED(r->guest_memfd_offset) ||
	     r->guest_memfd_offset + r->memory_size < r->guest_memfd_offset))
		return -EINVAL;

	for (i = 0; i < SIM_MAX_SLOTS; i++) {
		if (m->slots[i].used && m->slots[i].id == r->slot)
			slot = &m->slots[i];
		else if (!m->slots[i].used && !free_slot)
			free_slot = &m->slots[i];
	}
	if (r->memory_size == 0) {
		/* Deleting a slot that does not exist is -EINVAL (kvm_set_memslot). */
		if (!slot)
			return -EINVAL;
		memset(slot, 0, sizeof(*slot));
		return 0;
	}
	if (slot) {
		/* Only flag changes (dirty logging) keep a slot; moving or resizing a
		 * guest_memfd slot is refused (KVM_MR_MOVE: "if (kvm_slot_has_gmem(old))
		 * return -EINVAL"), and a changed size or uaddr is -EINVAL. */
		if (slot->gpa != r->guest_phys_addr || slot->size != r->memory_size ||
		    slot->uaddr != r->userspace_addr ||
		    ((slot->flags ^ r->flags) & (KVM_MEM_READONLY | KVM_MEM_GUEST_MEMFD)))
			return -EINVAL;
		slot->flags = r->flags;
		return 0;
	}
	for (i = 0; i < SIM_MAX_SLOTS; i++) {
		if (m->slots[i].used &&
		    overlaps(m->slots[i].gpa, m->slots[i].size, r->guest_phys_addr, r->memory_size))
			return -EEXIST;
	}
	if (r->flags & KVM_MEM_GUEST_MEMFD) {
		/* kvm_gmem_bind() (virt/kvm/guest_memfd.c, read in 7.0; older texts not read):
		 * "if (!file) return -EBADF"; then "r = -EINVAL" for everything else: not a
		 * guest_memfd of this VM, the range outside it, or a range already bound to
		 * another slot. */
		if (fcntl((int)r->guest_memfd, F_GETFD) < 0 && errno == EBADF)
			return -EBADF;
		gm = gmem_of_fd(m, (int)r->guest_memfd);
		if (!gm || r->guest_memfd_offset + r->memory_size > gm->size)
			return -EINVAL;
		for (i = 0; i < SIM_MAX_SLOTS; i++) {
			struct sim_slot *s = &m->slots[i];

			if (s->used && s->gmem == gm &&
			    overlaps(s->gmem_offset, s->size, r->guest_memfd_offset,
				     r->memory_size))
				return -EINVAL;
		}
	}
	if (!free_slot)
		return -ENOSPC;
	free_slot->used = true;
	free_slot->id = r->slot;
	free_slot->flags = r->flags;
	free_slot->gpa = r->guest_phys_addr;
	free_slot->size = r->memory_size;
	free_slot->uaddr = r->userspace_addr;
	free_slot->gmem_offset = r->guest_memfd_offset;
	free_slot->gmem = gm;
	return 0;
}

struct sim_slot *sim_memory_slot_of(struct sim_memory *m, uint64_t gfn)
{
	uint64_t gpa = gfn * SIM_PAGE_SIZE;
	unsigned int i;

	for (i = 0; i < SIM_MAX_SLOTS; i++) {
		struct sim_slot *s = &m->slots[i];

		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

/* A zero page is a hole, so that a launch that pre-validates most of RAM as ZERO pages does
 * not allocate it: the simulator's memory use follows what is written, not the RAM size. */
static bool all_zero(const uint8_t *page)
{
	uint64_t w;
	size_t i;

	for (i = 0; i < SIM_PAGE_SIZE; i += sizeof(w)) {
		memcpy(&w, page + i, sizeof(w));
		if (w)
			return false;
	}
	return true;
}

int sim_gmem_write_page(struct sim_gmem *g, uint64_t index, const uint8_t page[SIM_PAGE_SIZE])
{
	off_t off = (off_t)(index * SIM_PAGE_SIZE);

	if (all_zero(page))
		return fallocate(g->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
				 (off_t)SIM_PAGE_SIZE) < 0
			       ? -errno
			       : 0;
	return pwrite(g->fd, page, SIM_PAGE_SIZE, off) == (ssize_t)SIM_PAGE_SIZE ? 0 : -EIO;
}

int sim_gmem_read_page(struct sim_gmem *g, uint64_t index, uint8_t page[SIM_PAGE_SIZE])
{
	return pread(g->fd, page, SIM_PAGE_SIZE, (off_t)(index * SIM_PAGE_SIZE)) ==
			       (ssize_t)SIM_PAGE_SIZE
		       ? 0
		       : -EIO;
}

void *sim_memory_shared_hva(struct sim_memory *m, uint64_t gpa, uint64_t len)
{
	struct sim_slot *s = sim_memory_slot_of(m, gpa / SIM_PAGE_SIZE);

	if (!s || len > s->size || gpa - s->gpa > s->size - len)
		return NULL;
	return (void *)(uintptr_t)(s->uaddr + (gpa - s->gpa));
}

/* ---- PRIVATE attribute: a sorted list of disjoint GFN ranges ---- */

static int ranges_reserve(struct sim_memory *m, unsigned int n)
{
	struct sim_range *p;
	unsigned int cap;

	if (n <= m->cap_priv)
		return 0;
	cap = m->cap_priv ? m->cap_priv * 2 : 16;
	while (cap < n)
		cap *= 2;
	p = realloc(m->priv, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	m->priv = p;
	m->cap_priv = cap;
	return 0;
}

int sim_memory_set_private(struct sim_memory *m, uint64_t start, uint64_t end, bool priv)
{
	unsigned int i, out = 0;
	struct sim_range *tmp;
	int r;

	/* Worst case: one range splits into two, plus the new one. */
	r = ranges_reserve(m, m->nr_priv + 2);
	if (r < 0)
		return r;
	tmp = malloc((m->nr_priv + 2) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (i = 0; i < m->nr_priv; i++) {
		struct sim_range c = m->priv[i];

		if (c.end <= start || c.start >= end) {
			tmp[out++] = c;
			continue;
		}
		if (c.start < start)
			tmp[out++] = (struct sim_range){ c.start, start };
		if (c.end > end)
			tmp[out++] = (struct sim_range){ end, c.end };
	}
	if (priv) {
		/* Insert in order, then merge touching neighbours. */
		unsigned int pos = 0, j, merged = 0;

		while (pos < out && tmp[pos].start < start)
			pos++;
		memmove(&tmp[pos + 1], &tmp[pos], (out - pos) * sizeof(*tmp));
		tmp[pos] = (struct sim_range){ start, end };
		out++;
		for (j = 0; j < out; j++) {
			if (merged && m->priv[merged - 1].end >= tmp[j].start) {
				if (tmp[j].end > m->priv[merged - 1].end)
					m->priv[merged - 1].end = tmp[j].end;
			} else {
				m->priv[merged++] = tmp[j];
			}
		}
		m->nr_priv = merged;
	} else {
		memcpy(m->priv, tmp, out * sizeof(*tmp));
		m->nr_priv = out;
	}
	free(tmp);
	return 0;
}

uint64_t sim_memory_private_pages_in(const struct sim_memory *m, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < m->nr_priv; i++) {
		uint64_t a = m->priv[i].start > start ? m->priv[i].start : start;
		uint64_t b = m->priv[i].end < end ? m->priv[i].end : end;

		if (a < b)
			n += b - a;
	}
	return n;
}

bool sim_memory_range_is(const struct sim_memory *m, uint64_t start, uint64_t end, bool priv)
{
	uint64_t n = sim_memory_private_pages_in(m, start, end);

	return priv ? n == end - start : n == 0;
}
