/* SPDX-License-Identifier: MIT */
/*
 * Which guest pages are private and which are shared, the state KVM keeps in its memory
 * attributes and offers no way to read back (api.rst KVM_SET_MEMORY_ATTRIBUTES has no
 * "get" counterpart: userspace must track the state itself).
 *
 * The map stores only the private runs, as a sorted array of disjoint, non-touching
 * [start, end) intervals; everything else inside the RAM regions is shared. Memory is
 * proportional to the number of private runs, not to the guest size: an all-shared
 * guest of any size has no heap allocation at all. Lookups are O(log n) binary searches;
 * a change costs O(log n) plus one memmove of the tail of the array.
 *
 * Locking: none. The map is plain data; a VMM whose vCPU threads serve page-state changes
 * concurrently must serialise every call (and the KVM_SET_MEMORY_ATTRIBUTES it mirrors)
 * under one lock of its own. Read-only calls (const map) may run concurrently with each
 * other, never with page_state_set().
 */
#ifndef SNPVMM_VMM_PAGE_STATE_H
#define SNPVMM_VMM_PAGE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/boot.h"

#define PAGE_STATE_PAGE_SIZE   4096ULL
#define PAGE_STATE_MAX_REGIONS 4

/* KVM's default attribute is 0, i.e. shared (api.rst KVM_SET_MEMORY_ATTRIBUTES: memory is
 * shared until KVM_MEMORY_ATTRIBUTE_PRIVATE is set). */
enum page_state {
	PAGE_STATE_SHARED = 0,
	PAGE_STATE_PRIVATE = 1,
};

struct page_state_run {
	uint64_t start; /* page aligned */
	uint64_t end;	/* exclusive, page aligned */
};

struct page_state_map {
	struct mem_range ram[PAGE_STATE_MAX_REGIONS]; /* ascending, disjoint */
	unsigned int nr_ram;
	uint64_t ram_bytes;
	struct page_state_run *priv; /* the private runs: sorted, disjoint, never touching */
	size_t nr_priv;
	size_t cap_priv;
	uint64_t priv_bytes;
	size_t max_runs; /* 0: no limit */
};

/*
 * Covers the RAM regions (ascending, disjoint, page aligned, non-empty, at most
 * PAGE_STATE_MAX_REGIONS) with one state. -EINVAL for a bad region list, -ENOMEM.
 */
int page_state_init(struct page_state_map *map, const struct mem_range *ram, unsigned int nr_ram,
		    enum page_state initial) __attribute__((warn_unused_result));
/* Accepts a zeroed or half-initialised map. */
void page_state_destroy(struct page_state_map *map);

/*
 * Sets [gpa, gpa + size) to `state`, merging with neighbours in the same state. The range
 * may span RAM regions that touch, never a gap between them. -EINVAL for size 0, an
 * unaligned gpa or size, or a wrapping range; -ERANGE when part of it is not RAM; -ENOMEM
 * when a new run needs memory, -ENOSPC when it would pass the max_runs cap. On any error
 * the map is unchanged.
 */
int page_state_set(struct page_state_map *map, uint64_t gpa, uint64_t size, enum page_state state)
	__attribute__((warn_unused_result));

/*
 * Makes sure the next page_state_set() on a valid RAM range cannot fail: one call adds at
 * most one run, so this reserves room for one more (within the max_runs cap). Call it under
 * the caller's lock before KVM_SET_MEMORY_ATTRIBUTES, so that the map can always follow
 * what the kernel did. 0, -ENOMEM or -ENOSPC (the cap).
 */
int page_state_reserve(struct page_state_map *map) __attribute__((warn_unused_result));

/* The state of the page holding gpa; -ERANGE outside RAM. */
int page_state_get(const struct page_state_map *map, uint64_t gpa, enum page_state *ret_state)
	__attribute__((warn_unused_result));

/* True when every byte of [gpa, gpa + size) is RAM and in `state`; false otherwise
 * (including size 0 and ranges leaving RAM). */
bool page_state_is_uniform(const struct page_state_map *map, uint64_t gpa, uint64_t size,
			   enum page_state state);

/* Number of 4 KiB pages in `state` (O(1)). */
uint64_t page_state_count_pages(const struct page_state_map *map, enum page_state state);

/* Called once per maximal run, in ascending order, clipped to each RAM region; a non-zero
 * return stops the walk and is returned by page_state_for_each(). */
typedef int (*page_state_iter_fn)(void *opaque, uint64_t start, uint64_t end,
				  enum page_state state);
int page_state_for_each(const struct page_state_map *map, page_state_iter_fn fn, void *opaque);

/*
 * Caps the number of private runs (0: no cap, the default). A hostile guest that alternates
 * private and shared 4 KiB pages makes one run per page pair (16 bytes each, and each change
 * memmoves the array tail); with a cap, page_state_set() returns -ENOSPC instead and the
 * caller refuses the conversion. Lowering the cap below the current count only blocks
 * further splits.
 */
void page_state_set_max_runs(struct page_state_map *map, size_t max_runs);

/* Number of private runs, and the heap bytes the map holds (for budgets and benchmarks). */
size_t page_state_nr_private_runs(const struct page_state_map *map);
size_t page_state_heap_bytes(const struct page_state_map *map);

#endif /* SNPVMM_VMM_PAGE_STATE_H */
