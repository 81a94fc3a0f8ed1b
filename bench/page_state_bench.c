// SPDX-License-Identifier: MIT
/*
 * Page-state change benchmark: the range map (vmm/page_state.h), the MAP_GPA_RANGE
 * decoder and the GHCB PSC descriptor processor (snp/psc.h), all in-process, no KVM.
 * Run: build/bench/page_state_bench. Results are recorded in docs/performance.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snp/psc.h"
#include "vmm/page_state.h"

#define PG   4096ULL
#define MIB  (1ULL << 20)
#define GIB  (1ULL << 30)
#define TIB  (1ULL << 40)
#define HOLE 0xC0000000ULL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void layout(uint64_t ram_size, struct mem_range *r)
{
	r[0] = (struct mem_range){ 0, HOLE };
	r[1] = (struct mem_range){ 4 * GIB, ram_size - HOLE };
}

static void row(const char *what, double ops, double secs, const char *unit, const char *note)
{
	printf("| %-58s | %11.0f | %7.1f %-5s | %-40s |\n", what, ops / secs, secs / ops * 1e9,
	       unit, note);
}

static int must(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", what, strerror(-r));
		exit(1);
	}
	return r;
}

/* Random 4K or 2M changes (half to private, half to shared) in the low 3 GiB. */
static void bench_random(struct page_state_map *m, bool huge, unsigned int n)
{
	uint64_t seed = 88172645463325252ULL, size = huge ? 2 * MIB : PG;
	uint64_t frames = HOLE / size;
	unsigned int i;
	double t0 = now();

	for (i = 0; i < n; i++) {
		uint64_t x = xorshift(&seed);

		must(page_state_set(m, (x % frames) * size, size,
				    x >> 63 ? PAGE_STATE_PRIVATE : PAGE_STATE_SHARED),
		     "set");
	}
	double t = now() - t0;
	char note[64];

	snprintf(note, sizeof(note), "%zu runs, %zu heap bytes", page_state_nr_private_runs(m),
		 page_state_heap_bytes(m));
	row(huge ? "range map: random 2M set, 3 GiB span" : "range map: random 4K set, 3 GiB span",
	    n, t, "ns/op", note);
}

/*
 * A Linux SNP boot as the VMM sees it: RAM starts private (the VMM sets every guest_memfd
 * page private at launch), then swiotlb (64 MiB) goes shared in 2M steps, each vCPU's GHCB
 * and a few per-CPU decrypted pages go shared in 4K steps, and a stream of scattered 4K
 * DMA/bounce conversions goes back and forth.
 */
static void bench_linux_mix(uint64_t ram_size, unsigned int vcpus, unsigned int churn)
{
	struct mem_range r[2];
	struct page_state_map m;
	uint64_t seed = 0x9e3779b97f4a7c15ULL, gpa;
	unsigned int i, ops = 0;
	double t0;

	layout(ram_size, r);
	must(page_state_init(&m, r, 2, PAGE_STATE_PRIVATE), "init");
	t0 = now();
	for (gpa = 0x80000000ULL; gpa < 0x80000000ULL + 64 * MIB; gpa += 2 * MIB, ops++)
		must(page_state_set(&m, gpa, 2 * MIB, PAGE_STATE_SHARED), "swiotlb");
	for (i = 0; i < vcpus * 4; i++, ops++)
		must(page_state_set(&m, 0x10000000ULL + i * 3 * PG, PG, PAGE_STATE_SHARED), "ghcb");
	for (i = 0; i < churn; i++, ops++) {
		uint64_t x = xorshift(&seed);

		gpa = 4 * GIB + (x % ((ram_size - HOLE) / PG)) * PG;
		must(page_state_set(&m, gpa, PG, i & 1 ? PAGE_STATE_PRIVATE : PAGE_STATE_SHARED),
		     "churn");
	}
	double t = now() - t0;
	char note[64];

	snprintf(note, sizeof(note), "%u ops, %zu runs, %zu heap bytes", ops,
		 page_state_nr_private_runs(&m), page_state_heap_bytes(&m));
	row("range map: Linux-boot mix, 16 GiB", ops, t, "ns/op", note);
	page_state_destroy(&m);
}

static void bench_decode(unsigned int n)
{
	struct mem_range r[2];
	struct kvm_exit_hypercall hc = { .nr = KVM_HC_MAP_GPA_RANGE };
	struct psc_request q;
	uint64_t seed = 1, ok = 0;
	unsigned int i;
	double t0;

	layout(16 * GIB, r);
	t0 = now();
	for (i = 0; i < n; i++) {
		uint64_t x = xorshift(&seed);

		hc.args[0] = (x % (20 * GIB / PG)) * PG;
		hc.args[1] = x >> 62 ? 512 : 1;
		hc.args[2] = x & 1 ? KVM_MAP_GPA_RANGE_ENCRYPTED : 0;
		ok += psc_decode_map_gpa_range(&hc, r, 2, &q) == 0;
	}
	double t = now() - t0;
	char note[64];

	snprintf(note, sizeof(note), "%llu of %u valid", (unsigned long long)ok, n);
	row("MAP_GPA_RANGE decode + validate", n, t, "ns/op", note);
}

static int convert_map(void *opaque, uint64_t gpa, uint64_t size, bool to_private)
{
	return page_state_set(opaque, gpa, size,
			      to_private ? PAGE_STATE_PRIVATE : PAGE_STATE_SHARED);
}

static void put_entry(uint8_t *desc, unsigned int i, uint64_t gfn, unsigned int op, bool huge)
{
	uint64_t e = gfn << 12 | (uint64_t)op << 52 | (huge ? PSC_ENTRY_PAGESIZE_2M : 0);

	memcpy(desc + 8 + 8 * i, &e, 8);
}

/* 253-entry descriptors; `stride` 1 = contiguous (one conversion), 2 = scattered. */
static void bench_descriptor(const char *what, unsigned int stride, bool huge, unsigned int n)
{
	struct mem_range r[2];
	struct page_state_map m;
	uint8_t desc[0x7f0];
	uint64_t ret, step = huge ? 512 : 1;
	unsigned int i, k;
	double t0;

	layout(16 * GIB, r);
	must(page_state_init(&m, r, 2, PAGE_STATE_SHARED), "init");
	t0 = now();
	for (k = 0; k < n; k++) {
		uint64_t hdr = 252ULL << 16, base = (huge ? 0x40000 : 0x100000) + (k % 64) * 0x1000;

		memcpy(desc, &hdr, 8);
		for (i = 0; i < 253; i++)
			put_entry(desc, i, base + i * stride * step,
				  k & 1 ? VMGEXIT_PSC_OP_SHARED : VMGEXIT_PSC_OP_PRIVATE, huge);
		must(psc_process_descriptor(desc, sizeof(desc), r, 2, convert_map, &m, &ret),
		     "descriptor");
		if (ret)
			exit(1);
	}
	row(what, n * 253.0, now() - t0, "ns/en", "entries/s; convert = range-map update");
	page_state_destroy(&m);
}

static void memory_1tib(void)
{
	struct mem_range r[2];
	struct page_state_map m;
	uint64_t seed = 7;
	unsigned int i;

	layout(TIB, r);
	must(page_state_init(&m, r, 2, PAGE_STATE_SHARED), "init");
	printf("| %-58s | %11s | %13zu | %-40s |\n", "memory: 1 TiB guest, all shared", "",
	       sizeof(m) + page_state_heap_bytes(&m), "bytes (struct + heap), 0 heap");
	for (i = 0; i < 10000; i++) {
		uint64_t x = xorshift(&seed);

		must(page_state_set(&m, 4 * GIB + (x % ((TIB - HOLE) / PG)) * PG, PG,
				    PAGE_STATE_PRIVATE),
		     "scatter");
	}
	char note[64];

	snprintf(note, sizeof(note), "bytes (struct + heap), %zu runs",
		 page_state_nr_private_runs(&m));
	printf("| %-58s | %11s | %13zu | %-40s |\n",
	       "memory: 1 TiB guest, 10k scattered 4K conversions", "",
	       sizeof(m) + page_state_heap_bytes(&m), note);
	page_state_destroy(&m);
}

int main(void)
{
	struct mem_range r[2];
	struct page_state_map m;

	printf("| %-58s | %11s | %13s | %-40s |\n", "operation", "per second", "cost", "notes");
	printf("|------------------------------------------------------------|-------------|"
	       "---------------|------------------------------------------|\n");
	layout(16 * GIB, r);
	must(page_state_init(&m, r, 2, PAGE_STATE_SHARED), "init");
	bench_random(&m, false, 1000000);
	page_state_destroy(&m);
	must(page_state_init(&m, r, 2, PAGE_STATE_SHARED), "init");
	bench_random(&m, true, 1000000);
	page_state_destroy(&m);
	bench_linux_mix(16 * GIB, 64, 100000);
	bench_decode(10000000);
	bench_descriptor("PSC descriptor: 253 contiguous 4K entries (1 conversion)", 1, false,
			 20000);
	bench_descriptor("PSC descriptor: 253 scattered 4K entries (253 conversions)", 2, false,
			 20000);
	bench_descriptor("PSC descriptor: 253 contiguous 2M entries (1 conversion)", 1, true,
			 20000);
	memory_1tib();
	return 0;
}
