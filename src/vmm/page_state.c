// SPDX-License-Identifier: MIT
#include "vmm/page_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MASK (PAGE_STATE_PAGE_SIZE - 1)

static bool range_ok(uint64_t gpa, uint64_t size)
{
	return size && !((gpa | size) & PAGE_MASK) && gpa + size > gpa;
}

/* True when [gpa, end) is covered by RAM regions without a gap. */
static bool covered_by_ram(const struct page_state_map *map, uint64_t gpa, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < map->nr_ram; i++) {
		const struct mem_range *r = &map->ram[i];

		if (gpa < r->gpa)
			return false;
		if (gpa >= r->gpa + r->size)
			continue;
		if (end <= r->gpa + r->size)
			return true;
		gpa = r->gpa + r->size; /* continue only into a region that starts right here */
	}
	return false;
}

/* First private run whose end is >= x (runs are sorted by start and by end). */
static size_t first_end_ge(const struct page_state_map *map, uint64_t x)
{
	size_t lo = 0, hi = map->nr_priv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->priv[mid].end >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* First private run whose start is > x. */
static size_t first_start_gt(const struct page_state_map *map, uint64_t x)
{
	size_t lo = 0, hi = map->nr_priv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->priv[mid].start > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int reserve(struct page_state_map *map, size_t need)
{
	struct page_state_run *p;
	size_t cap;

	/* The cap is the guest's limit, not the host's: -ENOSPC, so that callers can tell
	 * it from running out of memory (which stops the VM, src/vmm/run.c). */
	if (map->max_runs && need > map->max_runs)
		return -ENOSPC;
	if (need <= map->cap_priv)
		return 0;
	cap = map->cap_priv ? map->cap_priv * 2 : 16;
	if (cap < need)
		cap = need;
	if (cap > SIZE_MAX / sizeof(*p))
		return -ENOMEM;
	p = realloc(map->priv, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	map->priv = p;
	map->cap_priv = cap;
	return 0;
}

/* Replaces runs [i, j) by the n runs in `with` (capacity already reserved). */
static void splice(struct page_state_map *map, size_t i, size_t j,
		   const struct page_state_run *with, size_t n)
{
	size_t k;

	for (k = i; k < j; k++)
		map->priv_bytes -= map->priv[k].end - map->priv[k].start;
	if (n != j - i)
		memmove(&map->priv[i + n], &map->priv[j], (map->nr_priv - j) * sizeof(*map->priv));
	map->nr_priv = map->nr_priv - (j - i) + n;
	for (k = 0; k < n; k++) {
		map->priv[i + k] = with[k];
		map->priv_bytes += with[k].end - with[k].start;
	}
}

int page_state_init(struct page_state_map *map, const struct mem_range *ram, unsigned int nr_ram,
		    enum page_state initial)
{
	struct page_state_map m = { 0 };
	unsigned int i;
	int r;

	if (!nr_ram || nr_ram > PAGE_STATE_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < nr_ram; i++) {
		if (!range_ok(ram[i].gpa, ram[i].size))
			return -EINVAL;
		if (i && ram[i].gpa < ram[i - 1].gpa + ram[i - 1].size)
			return -EINVAL;
		m.ram[i] = ram[i];
		m.ram_bytes += ram[i].size;
	}
	m.nr_ram = nr_ram;
	if (initial == PAGE_STATE_PRIVATE) {
		for (i = 0; i < nr_ram; i++) {
			r = page_state_set(&m, ram[i].gpa, ram[i].size, PAGE_STATE_PRIVATE);
			if (r < 0) {
				page_state_destroy(&m);
				return r;
			}
		}
	}
	*map = m;
	return 0;
}

void page_state_destroy(struct page_state_map *map)
{
	if (!map)
		return;
	free(map->priv);
	map->priv = NULL;
	map->nr_priv = 0;
	map->cap_priv = 0;
	map->priv_bytes = 0;
}

static int set_private(struct page_state_map *map, uint64_t gpa, uint64_t end)
{
	/* Runs in [i, j) overlap or touch [gpa, end] and merge into one. */
	size_t i = first_end_ge(map, gpa);
	size_t j = first_start_gt(map, end);
	struct page_state_run merged = { gpa, end };
	int r;

	if (i == j) {
		r = reserve(map, map->nr_priv + 1);
		if (r < 0)
			return r;
	} else {
		if (map->priv[i].start < merged.start)
			merged.start = map->priv[i].start;
		if (map->priv[j - 1].end > merged.end)
			merged.end = map->priv[j - 1].end;
	}
	splice(map, i, j, &merged, 1);
	return 0;
}

static int set_shared(struct page_state_map *map, uint64_t gpa, uint64_t end)
{
	/* Runs in [i, j) overlap [gpa, end); what sticks out on either side survives. */
	size_t i = first_end_ge(map, gpa + 1);
	size_t j = first_start_gt(map, end - 1);
	struct page_state_run keep[2];
	size_t n = 0;
	int r;

	if (i == j)
		return 0;
	if (map->priv[i].start < gpa)
		keep[n++] = (struct page_state_run){ map->priv[i].start, gpa };
	if (map->priv[j - 1].end > end)
		keep[n++] = (struct page_state_run){ end, map->priv[j - 1].end };
	if (n > j - i) {
		r = reserve(map, map->nr_priv + 1);
		if (r < 0)
			return r;
	}
	splice(map, i, j, keep, n);
	return 0;
}

int page_state_set(struct page_state_map *map, uint64_t gpa, uint64_t size, enum page_state state)
{
	if (!range_ok(gpa, size))
		return -EINVAL;
	if (!covered_by_ram(map, gpa, gpa + size))
		return -ERANGE;
	if (state == PAGE_STATE_PRIVATE)
		return set_private(map, gpa, gpa + size);
	return set_shared(map, gpa, gpa + size);
}

int page_state_reserve(struct page_state_map *map)
{
	return reserve(map, map->nr_priv + 1);
}

int page_state_get(const struct page_state_map *map, uint64_t gpa, enum page_state *ret_state)
{
	uint64_t page = gpa & ~PAGE_MASK;
	size_t i;

	if (!covered_by_ram(map, page, page + PAGE_STATE_PAGE_SIZE))
		return -ERANGE;
	i = first_end_ge(map, page + 1);
	*ret_state = i < map->nr_priv && map->priv[i].start <= page ? PAGE_STATE_PRIVATE
								    : PAGE_STATE_SHARED;
	return 0;
}

bool page_state_is_uniform(const struct page_state_map *map, uint64_t gpa, uint64_t size,
			   enum page_state state)
{
	uint64_t end = gpa + size;
	size_t i;

	if (!size || end < gpa || !covered_by_ram(map, gpa, end))
		return false;
	i = first_end_ge(map, gpa + 1);
	if (state == PAGE_STATE_PRIVATE)
		return i < map->nr_priv && map->priv[i].start <= gpa && map->priv[i].end >= end;
	return i == map->nr_priv || map->priv[i].start >= end;
}

uint64_t page_state_count_pages(const struct page_state_map *map, enum page_state state)
{
	uint64_t bytes =
		state == PAGE_STATE_PRIVATE ? map->priv_bytes : map->ram_bytes - map->priv_bytes;

	return bytes / PAGE_STATE_PAGE_SIZE;
}

int page_state_for_each(const struct page_state_map *map, page_state_iter_fn fn, void *opaque)
{
	size_t k = 0;
	unsigned int i;
	int r;

	for (i = 0; i < map->nr_ram; i++) {
		uint64_t pos = map->ram[i].gpa, rend = pos + map->ram[i].size;

		while (k < map->nr_priv && map->priv[k].end <= pos)
			k++;
		while (pos < rend) {
			uint64_t next;
			enum page_state st;

			if (k < map->nr_priv && map->priv[k].start <= pos) {
				st = PAGE_STATE_PRIVATE;
				next = map->priv[k].end < rend ? map->priv[k].end : rend;
				if (map->priv[k].end <= rend)
					k++;
			} else {
				st = PAGE_STATE_SHARED;
				next = k < map->nr_priv && map->priv[k].start < rend
					       ? map->priv[k].start
					       : rend;
			}
			r = fn(opaque, pos, next, st);
			if (r)
				return r;
			pos = next;
		}
	}
	return 0;
}

void page_state_set_max_runs(struct page_state_map *map, size_t max_runs)
{
	map->max_runs = max_runs;
}

size_t page_state_nr_private_runs(const struct page_state_map *map)
{
	return map->nr_priv;
}

size_t page_state_heap_bytes(const struct page_state_map *map)
{
	return map->cap_priv * sizeof(*map->priv);
}
