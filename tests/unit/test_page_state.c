// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/page_state.h"

#define PG   4096ULL
#define MIB  (1ULL << 20)
#define GIB  (1ULL << 30)
#define TIB  (1ULL << 40)
#define HOLE 0xC0000000ULL /* end of low RAM */

/* The VMM's layout for 5 GiB: [0, 3 GiB) and [4 GiB, 6 GiB). */
static const struct mem_range ram[] = { { 0, HOLE }, { 4 * GIB, 2 * GIB } };
#define RAM_PAGES ((HOLE + 2 * GIB) / PG)

static int setup(void **state)
{
	struct page_state_map *m = calloc(1, sizeof(*m));

	if (!m || page_state_init(m, ram, 2, PAGE_STATE_SHARED) < 0)
		return -1;
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	page_state_destroy(*state);
	free(*state);
	return 0;
}

static enum page_state get(struct page_state_map *m, uint64_t gpa)
{
	enum page_state s = 99;

	assert_int_equal(page_state_get(m, gpa, &s), 0);
	return s;
}

static void set_ok(struct page_state_map *m, uint64_t gpa, uint64_t size, enum page_state s)
{
	assert_int_equal(page_state_set(m, gpa, size, s), 0);
}

static void test_page_state_init_shared_counts_every_page_shared(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_count_pages(m, PAGE_STATE_SHARED), RAM_PAGES);
	assert_int_equal(page_state_count_pages(m, PAGE_STATE_PRIVATE), 0);
}

static void test_page_state_init_shared_1tib_allocates_nothing(void **state)
{
	const struct mem_range big[] = { { 0, HOLE }, { 4 * GIB, TIB - HOLE } };
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, big, 2, PAGE_STATE_SHARED), 0);

	assert_int_equal(page_state_heap_bytes(&m), 0);
	assert_int_equal(page_state_count_pages(&m, PAGE_STATE_SHARED), TIB / PG);
	page_state_destroy(&m);
}

static void test_page_state_init_private_counts_every_page_private(void **state)
{
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, ram, 2, PAGE_STATE_PRIVATE), 0);

	assert_int_equal(page_state_count_pages(&m, PAGE_STATE_PRIVATE), RAM_PAGES);
	assert_int_equal(page_state_nr_private_runs(&m), 2);
	page_state_destroy(&m);
}

static void test_page_state_init_unaligned_region_returns_einval(void **state)
{
	const struct mem_range bad[] = { { 0, HOLE + 1 } };
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, bad, 1, PAGE_STATE_SHARED), -EINVAL);
}

static void test_page_state_init_overlapping_regions_returns_einval(void **state)
{
	const struct mem_range bad[] = { { 0, 2 * MIB }, { MIB, 2 * MIB } };
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, bad, 2, PAGE_STATE_SHARED), -EINVAL);
}

static void test_page_state_init_empty_region_returns_einval(void **state)
{
	const struct mem_range bad[] = { { 0, 0 } };
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, bad, 1, PAGE_STATE_SHARED), -EINVAL);
}

static void test_page_state_init_too_many_regions_returns_einval(void **state)
{
	const struct mem_range many[PAGE_STATE_MAX_REGIONS + 1] = {
		{ 0 * MIB, MIB }, { 2 * MIB, MIB }, { 4 * MIB, MIB },
		{ 6 * MIB, MIB }, { 8 * MIB, MIB },
	};
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, many, PAGE_STATE_MAX_REGIONS + 1, PAGE_STATE_SHARED),
			 -EINVAL);
}

static void test_page_state_set_private_4k_page_reads_private(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0x10000, PG, PAGE_STATE_PRIVATE);

	assert_int_equal(get(m, 0x10000), PAGE_STATE_PRIVATE);
}

static void test_page_state_set_private_4k_neighbours_stay_shared(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0x10000, PG, PAGE_STATE_PRIVATE);

	assert_int_equal(get(m, 0x10000 - PG), PAGE_STATE_SHARED);
	assert_int_equal(get(m, 0x10000 + PG), PAGE_STATE_SHARED);
}

static void test_page_state_set_private_2m_counts_512_pages(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 4 * GIB, 2 * MIB, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_count_pages(m, PAGE_STATE_PRIVATE), 512);
	assert_int_equal(page_state_count_pages(m, PAGE_STATE_SHARED), RAM_PAGES - 512);
}

static void test_page_state_set_adjacent_private_ranges_merge_into_one_run(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0x10000, PG, PAGE_STATE_PRIVATE);
	set_ok(m, 0x11000, PG, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_nr_private_runs(m), 1);
}

static void test_page_state_set_private_bridging_two_runs_merges_them(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0x10000, PG, PAGE_STATE_PRIVATE);
	set_ok(m, 0x12000, PG, PAGE_STATE_PRIVATE);
	set_ok(m, 0x11000, PG, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_nr_private_runs(m), 1);
	assert_true(page_state_is_uniform(m, 0x10000, 3 * PG, PAGE_STATE_PRIVATE));
}

static void test_page_state_set_private_over_private_counts_pages_once(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0, 2 * MIB, PAGE_STATE_PRIVATE);
	set_ok(m, MIB, 2 * MIB, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_count_pages(m, PAGE_STATE_PRIVATE), 3 * MIB / PG);
}

static void test_page_state_set_shared_inside_private_run_splits_it(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0, 2 * MIB, PAGE_STATE_PRIVATE);
	set_ok(m, MIB, PG, PAGE_STATE_SHARED);

	assert_int_equal(page_state_nr_private_runs(m), 2);
	assert_int_equal(get(m, MIB), PAGE_STATE_SHARED);
	assert_int_equal(page_state_count_pages(m, PAGE_STATE_PRIVATE), 511);
}

static void test_page_state_set_shared_over_whole_run_removes_it(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, MIB, 4 * PG, PAGE_STATE_PRIVATE);
	set_ok(m, 0, 2 * MIB, PAGE_STATE_SHARED);

	assert_int_equal(page_state_nr_private_runs(m), 0);
	assert_int_equal(page_state_count_pages(m, PAGE_STATE_PRIVATE), 0);
}

static void test_page_state_set_shared_on_shared_changes_nothing(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, MIB, PG, PAGE_STATE_SHARED);

	assert_int_equal(page_state_nr_private_runs(m), 0);
	assert_int_equal(page_state_heap_bytes(m), 0);
}

static void test_page_state_set_shared_trims_run_edges(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0x10000, 4 * PG, PAGE_STATE_PRIVATE);
	set_ok(m, 0x20000, 4 * PG, PAGE_STATE_PRIVATE);
	set_ok(m, 0x12000, 0x10000, PAGE_STATE_SHARED);

	assert_true(page_state_is_uniform(m, 0x10000, 2 * PG, PAGE_STATE_PRIVATE));
	assert_true(page_state_is_uniform(m, 0x12000, 0x10000, PAGE_STATE_SHARED));
	assert_true(page_state_is_uniform(m, 0x22000, 2 * PG, PAGE_STATE_PRIVATE));
}

static void test_page_state_set_past_max_runs_returns_enospc(void **state)
{
	struct page_state_map *m = *state;

	page_state_set_max_runs(m, 1);
	set_ok(m, 0x10000, PG, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_set(m, 0x20000, PG, PAGE_STATE_PRIVATE), -ENOSPC);
	assert_int_equal(page_state_count_pages(m, PAGE_STATE_PRIVATE), 1);
}

static void test_page_state_set_merge_at_max_runs_succeeds(void **state)
{
	struct page_state_map *m = *state;

	page_state_set_max_runs(m, 1);
	set_ok(m, 0x10000, PG, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_set(m, 0x11000, PG, PAGE_STATE_PRIVATE), 0);
}

static void test_page_state_set_split_past_max_runs_returns_enospc(void **state)
{
	struct page_state_map *m = *state;

	page_state_set_max_runs(m, 1);
	set_ok(m, 0, 2 * MIB, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_set(m, MIB, PG, PAGE_STATE_SHARED), -ENOSPC);
	assert_true(page_state_is_uniform(m, 0, 2 * MIB, PAGE_STATE_PRIVATE));
}

static void test_page_state_reserve_then_split_succeeds(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0, 2 * MIB, PAGE_STATE_PRIVATE);
	page_state_set_max_runs(m, 2);

	assert_int_equal(page_state_reserve(m), 0);
	assert_int_equal(page_state_set(m, MIB, PG, PAGE_STATE_SHARED), 0);
}

static void test_page_state_reserve_at_max_runs_returns_enospc(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0, PG, PAGE_STATE_PRIVATE);
	page_state_set_max_runs(m, 1);

	assert_int_equal(page_state_reserve(m), -ENOSPC);
}

static void test_page_state_set_in_pci_hole_returns_erange(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_set(m, HOLE, PG, PAGE_STATE_PRIVATE), -ERANGE);
}

static void test_page_state_set_crossing_into_hole_returns_erange(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_set(m, HOLE - PG, 2 * PG, PAGE_STATE_PRIVATE), -ERANGE);
}

static void test_page_state_set_past_ram_end_returns_erange(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_set(m, 6 * GIB, PG, PAGE_STATE_PRIVATE), -ERANGE);
}

static void test_page_state_set_failure_leaves_map_unchanged(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0, PG, PAGE_STATE_PRIVATE);
	assert_int_equal(page_state_set(m, HOLE - PG, 2 * PG, PAGE_STATE_PRIVATE), -ERANGE);

	assert_int_equal(page_state_count_pages(m, PAGE_STATE_PRIVATE), 1);
	assert_int_equal(get(m, HOLE - PG), PAGE_STATE_SHARED);
}

static void test_page_state_set_unaligned_gpa_returns_einval(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_set(m, 0x10001, PG, PAGE_STATE_PRIVATE), -EINVAL);
}

static void test_page_state_set_unaligned_size_returns_einval(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_set(m, 0x10000, 100, PAGE_STATE_PRIVATE), -EINVAL);
}

static void test_page_state_set_zero_size_returns_einval(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_set(m, 0x10000, 0, PAGE_STATE_PRIVATE), -EINVAL);
}

static void test_page_state_set_wrapping_range_returns_einval(void **state)
{
	struct page_state_map *m = *state;

	assert_int_equal(page_state_set(m, 0xfffffffffffff000ULL, 2 * PG, PAGE_STATE_PRIVATE),
			 -EINVAL);
}

static void test_page_state_set_across_touching_regions_succeeds(void **state)
{
	const struct mem_range touching[] = { { 0, 2 * MIB }, { 2 * MIB, 2 * MIB } };
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, touching, 2, PAGE_STATE_SHARED), 0);

	assert_int_equal(page_state_set(&m, MIB, 2 * MIB, PAGE_STATE_PRIVATE), 0);
	assert_int_equal(page_state_nr_private_runs(&m), 1);
	page_state_destroy(&m);
}

static void test_page_state_get_outside_ram_returns_erange(void **state)
{
	struct page_state_map *m = *state;
	enum page_state s;

	assert_int_equal(page_state_get(m, HOLE + MIB, &s), -ERANGE);
}

static void test_page_state_get_unaligned_gpa_reports_its_page(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0x10000, PG, PAGE_STATE_PRIVATE);

	assert_int_equal(get(m, 0x10fff), PAGE_STATE_PRIVATE);
}

static void test_page_state_is_uniform_private_range_true(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, 0, 2 * MIB, PAGE_STATE_PRIVATE);

	assert_true(page_state_is_uniform(m, MIB, MIB, PAGE_STATE_PRIVATE));
}

static void test_page_state_is_uniform_mixed_range_false_for_both(void **state)
{
	struct page_state_map *m = *state;

	set_ok(m, MIB, PG, PAGE_STATE_PRIVATE);

	assert_false(page_state_is_uniform(m, 0, 2 * MIB, PAGE_STATE_PRIVATE));
	assert_false(page_state_is_uniform(m, 0, 2 * MIB, PAGE_STATE_SHARED));
}

static void test_page_state_is_uniform_range_leaving_ram_false(void **state)
{
	struct page_state_map *m = *state;

	assert_false(page_state_is_uniform(m, HOLE - PG, 2 * PG, PAGE_STATE_SHARED));
}

static void test_page_state_is_uniform_zero_size_false(void **state)
{
	struct page_state_map *m = *state;

	assert_false(page_state_is_uniform(m, 0, 0, PAGE_STATE_SHARED));
}

struct walk {
	uint64_t start[8], end[8];
	enum page_state st[8];
	unsigned int n;
	unsigned int stop_after;
};

static int record(void *opaque, uint64_t start, uint64_t end, enum page_state st)
{
	struct walk *w = opaque;

	if (w->n == 8)
		return -E2BIG;
	w->start[w->n] = start;
	w->end[w->n] = end;
	w->st[w->n] = st;
	w->n++;
	return w->n == w->stop_after ? 42 : 0;
}

static void test_page_state_for_each_reports_runs_in_order(void **state)
{
	struct page_state_map *m = *state;
	struct walk w = { 0 };

	set_ok(m, MIB, PG, PAGE_STATE_PRIVATE);
	set_ok(m, 4 * GIB, 2 * MIB, PAGE_STATE_PRIVATE);

	assert_int_equal(page_state_for_each(m, record, &w), 0);
	assert_int_equal(w.n, 5);
	assert_int_equal(w.start[0], 0);
	assert_int_equal(w.end[0], MIB);
	assert_int_equal(w.st[0], PAGE_STATE_SHARED);
	assert_int_equal(w.start[1], MIB);
	assert_int_equal(w.end[1], MIB + PG);
	assert_int_equal(w.st[1], PAGE_STATE_PRIVATE);
	assert_int_equal(w.start[2], MIB + PG);
	assert_int_equal(w.end[2], HOLE);
	assert_int_equal(w.st[3], PAGE_STATE_PRIVATE);
	assert_int_equal(w.start[3], 4 * GIB);
	assert_int_equal(w.start[4], 4 * GIB + 2 * MIB);
	assert_int_equal(w.end[4], 6 * GIB);
	assert_int_equal(w.st[4], PAGE_STATE_SHARED);
}

static void test_page_state_for_each_clips_run_spanning_touching_regions(void **state)
{
	const struct mem_range touching[] = { { 0, 2 * MIB }, { 2 * MIB, 2 * MIB } };
	struct page_state_map m;
	struct walk w = { 0 };

	assert_int_equal(page_state_init(&m, touching, 2, PAGE_STATE_PRIVATE), 0);

	assert_int_equal(page_state_for_each(&m, record, &w), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.end[0], 2 * MIB);
	assert_int_equal(w.start[1], 2 * MIB);
	assert_int_equal(w.st[1], PAGE_STATE_PRIVATE);
	page_state_destroy(&m);
}

static void test_page_state_for_each_nonzero_return_stops_walk(void **state)
{
	struct page_state_map *m = *state;
	struct walk w = { .stop_after = 1 };

	assert_int_equal(page_state_for_each(m, record, &w), 42);
	assert_int_equal(w.n, 1);
}

static void test_page_state_destroy_zeroed_map_is_safe(void **state)
{
	struct page_state_map m = { 0 };

	page_state_destroy(&m);
	page_state_destroy(NULL);

	assert_null(m.priv);
}

/* A model check: random 4K/2M changes over 64 MiB against a byte-per-page array. */
#define MODEL_PAGES 16384
static void model_run(struct page_state_map *m, uint8_t *model, unsigned int seed)
{
	unsigned int i, p;

	srand(seed);
	for (i = 0; i < 20000; i++) {
		unsigned int huge = rand() % 4 == 0;
		unsigned int n = huge ? 512 : 1 + (unsigned int)rand() % 3;
		unsigned int first = huge ? ((unsigned int)rand() % (MODEL_PAGES / 512)) * 512
					  : (unsigned int)rand() % (MODEL_PAGES - n);
		enum page_state st = rand() & 1 ? PAGE_STATE_PRIVATE : PAGE_STATE_SHARED;

		set_ok(m, first * PG, n * PG, st);
		memset(model + first, st, n);
	}
	for (p = 0; p < MODEL_PAGES; p++)
		assert_int_equal(get(m, p * PG), model[p]);
}

static unsigned int model_private(const uint8_t *model)
{
	unsigned int p, n = 0;

	for (p = 0; p < MODEL_PAGES; p++)
		n += model[p];
	return n;
}

static void test_page_state_random_changes_match_page_array_model(void **state)
{
	const struct mem_range r[] = { { 0, MODEL_PAGES * PG } };
	static uint8_t model[MODEL_PAGES];
	struct page_state_map m;

	assert_int_equal(page_state_init(&m, r, 1, PAGE_STATE_SHARED), 0);

	model_run(&m, model, 1234);

	assert_int_equal(page_state_count_pages(&m, PAGE_STATE_PRIVATE), model_private(model));
	page_state_destroy(&m);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_page_state_init_shared_counts_every_page_shared),
		T(test_page_state_init_shared_1tib_allocates_nothing),
		T(test_page_state_init_private_counts_every_page_private),
		T(test_page_state_init_unaligned_region_returns_einval),
		T(test_page_state_init_overlapping_regions_returns_einval),
		T(test_page_state_init_empty_region_returns_einval),
		T(test_page_state_init_too_many_regions_returns_einval),
		T(test_page_state_set_private_4k_page_reads_private),
		T(test_page_state_set_private_4k_neighbours_stay_shared),
		T(test_page_state_set_private_2m_counts_512_pages),
		T(test_page_state_set_adjacent_private_ranges_merge_into_one_run),
		T(test_page_state_set_private_bridging_two_runs_merges_them),
		T(test_page_state_set_private_over_private_counts_pages_once),
		T(test_page_state_set_shared_inside_private_run_splits_it),
		T(test_page_state_set_shared_over_whole_run_removes_it),
		T(test_page_state_set_shared_on_shared_changes_nothing),
		T(test_page_state_set_shared_trims_run_edges),
		T(test_page_state_set_past_max_runs_returns_enospc),
		T(test_page_state_set_merge_at_max_runs_succeeds),
		T(test_page_state_set_split_past_max_runs_returns_enospc),
		T(test_page_state_reserve_then_split_succeeds),
		T(test_page_state_reserve_at_max_runs_returns_enospc),
		T(test_page_state_set_in_pci_hole_returns_erange),
		T(test_page_state_set_crossing_into_hole_returns_erange),
		T(test_page_state_set_past_ram_end_returns_erange),
		T(test_page_state_set_failure_leaves_map_unchanged),
		T(test_page_state_set_unaligned_gpa_returns_einval),
		T(test_page_state_set_unaligned_size_returns_einval),
		T(test_page_state_set_zero_size_returns_einval),
		T(test_page_state_set_wrapping_range_returns_einval),
		T(test_page_state_set_across_touching_regions_succeeds),
		T(test_page_state_get_outside_ram_returns_erange),
		T(test_page_state_get_unaligned_gpa_reports_its_page),
		T(test_page_state_is_uniform_private_range_true),
		T(test_page_state_is_uniform_mixed_range_false_for_both),
		T(test_page_state_is_uniform_range_leaving_ram_false),
		T(test_page_state_is_uniform_zero_size_false),
		T(test_page_state_for_each_reports_runs_in_order),
		T(test_page_state_for_each_clips_run_spanning_touching_regions),
		T(test_page_state_for_each_nonzero_return_stops_walk),
		T(test_page_state_destroy_zeroed_map_is_safe),
		T(test_page_state_random_changes_match_page_array_model),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
