// SPDX-License-Identifier: MIT
/*
 * The simulated PSP's launch digest against the reference vectors
 * ($SNPVMM_VECTORS_DIR/<v>/trace.tsv): every step is replayed through the
 * simulated host as the firmware sees it (pages through KVM_SEV_SNP_LAUNCH_UPDATE of a
 * guest_memfd memslot, VMSA pages through the PSP's page-measure primitive), and after
 * each step the simulated PSP's digest must equal the vector's digest_after; the end
 * must equal expected.txt.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_test_util.h"
#include "snp_vectors.h"

#define PAGE	    4096u
#define REGION	    (2u << 20) /* one memslot per 2 MiB region the trace touches */
#define MAX_REGIONS 16

struct step {
	int type;
	uint64_t gpa;
	uint8_t contents[48], after[48];
};

static unsigned int read_trace(const char *vector, struct step **ret)
{
	char *text = vector_read_text(vector, "trace.tsv");
	char contents[128], after[128], name[16];
	unsigned long long idx, gpa;
	struct step *steps = calloc(65536, sizeof(*steps));
	char *line, *save = NULL;
	unsigned int n = 0;

	assert_non_null(steps);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "step\t", 5) == 0)
			continue;
		assert_true(n < 65536);
		assert_int_equal(sscanf(line, "%llu\t%d\t%15s\t%llx\t%127s\t%127s", &idx,
					&steps[n].type, name, &gpa, contents, after),
				 6);
		steps[n].gpa = gpa;
		assert_int_equal(vec_hex_decode(contents, steps[n].contents, 48), 48);
		assert_int_equal(vec_hex_decode(after, steps[n].after, 48), 48);
		n++;
	}
	free(text);
	*ret = steps;
	return n;
}

struct replay {
	struct t_vm vm;
	uint64_t base[MAX_REGIONS];
	uint8_t *hva[MAX_REGIONS];
	unsigned int nr;
	int gmem;
};

/* Memslots (guest_memfd-backed) covering every 2 MiB region a non-VMSA step touches. */
static void map_regions(struct replay *rp, const struct step *steps, unsigned int n)
{
	struct kvm_create_guest_memfd g = { .size = (uint64_t)MAX_REGIONS * REGION };
	unsigned int i, j;

	t_sim_create(&rp->vm, NULL, NULL, NULL, NULL);
	assert_int_equal(rp->vm.be->ops->create_vm(rp->vm.be, KVM_X86_SNP_VM), 0);
	rp->gmem = rp->vm.be->ops->create_guest_memfd(rp->vm.be, &g);
	assert_true(rp->gmem >= 0);
	for (i = 0; i < n; i++) {
		uint64_t base = steps[i].gpa & ~(uint64_t)(REGION - 1);
		struct kvm_userspace_memory_region2 r = { 0 };

		if (steps[i].type == SNP_PAGE_VMSA)
			continue;
		for (j = 0; j < rp->nr && rp->base[j] != base; j++)
			;
		if (j < rp->nr)
			continue;
		assert_true(rp->nr < MAX_REGIONS);
		rp->hva[j] = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				  -1, 0);
		assert_true(rp->hva[j] != MAP_FAILED);
		rp->base[j] = base;
		r.slot = j;
		r.flags = KVM_MEM_GUEST_MEMFD;
		r.guest_phys_addr = base;
		r.memory_size = REGION;
		r.userspace_addr = (uint64_t)(uintptr_t)rp->hva[j];
		r.guest_memfd = (uint32_t)rp->gmem;
		r.guest_memfd_offset = (uint64_t)j * REGION;
		assert_int_equal(rp->vm.be->ops->set_user_memory_region2(rp->vm.be, &r), 0);
		rp->nr++;
	}
}

static uint8_t *source_of(struct replay *rp, uint64_t gpa)
{
	unsigned int j;

	for (j = 0; j < rp->nr; j++)
		if (rp->base[j] == (gpa & ~(uint64_t)(REGION - 1)))
			return rp->hva[j] + (gpa - rp->base[j]);
	fail_msg("no memslot for 0x%llx", (unsigned long long)gpa);
	return rp->hva[0];
}

/* The bytes of a NORMAL page: the firmware image at 4 GiB - size, else the hashes page. */
static void normal_page(const char *vector, uint64_t gpa, uint8_t page[PAGE])
{
	size_t len;
	uint8_t *fw = vector_read(vector, "ovmf.bin", &len);
	uint64_t fw_base = (1ull << 32) - len;

	if (gpa >= fw_base) {
		memcpy(page, fw + (gpa - fw_base), PAGE);
	} else {
		uint8_t *h = vector_read(vector, "hashes_page.bin", &len);

		assert_int_equal(len, PAGE);
		memcpy(page, h, PAGE);
		free(h);
	}
	free(fw);
}

static void replay_vector(const char *vector)
{
	struct replay rp = { .nr = 0 };
	struct step *steps;
	uint8_t expected[48], page[PAGE], hash[48];
	unsigned int n, i, vmsa = 0;
	uint32_t fw = 0;

	n = read_trace(vector, &steps);
	map_regions(&rp, steps, n);
	assert_int_equal(t_init2(&rp.vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&rp.vm, T_POLICY, &fw), 0);
	for (i = 0; i < n; i++) {
		const struct step *s = &steps[i];

		if (s->type == SNP_PAGE_VMSA) {
			char name[32];
			size_t len;
			uint8_t *v;

			snprintf(name, sizeof(name), "vmsa%u.bin", vmsa++);
			v = vector_read(vector, name, &len);
			assert_int_equal(len, PAGE);
			assert_int_equal(
				sim_psp_measure_page(&rp.vm.sim->psp, SNP_PAGE_VMSA, s->gpa, v), 0);
			free(v);
		} else {
			struct kvm_sev_snp_launch_update u = {
				.gfn_start = s->gpa >> 12,
				.len = PAGE,
				.type = (uint8_t)s->type,
			};
			struct kvm_memory_attributes a = {
				.address = s->gpa,
				.size = PAGE,
				.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
			};
			uint8_t *src = source_of(&rp, s->gpa);

			if (s->type == SNP_PAGE_NORMAL) {
				normal_page(vector, s->gpa, page);
				assert_int_equal(snp_sha384(page, PAGE, hash), 0);
				assert_memory_equal(hash, s->contents, 48);
				memcpy(src, page, PAGE);
			}
			u.uaddr = (uint64_t)(uintptr_t)src;
			assert_int_equal(rp.vm.be->ops->set_memory_attributes(rp.vm.be, &a), 0);
			assert_int_equal(t_sev(&rp.vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), 0);
			assert_int_equal(u.len, 0);
		}
		if (memcmp(rp.vm.sim->psp.ld.ld, s->after, 48) != 0)
			fail_msg("%s: step %u (type %d, gpa 0x%llx): digest differs", vector, i,
				 s->type, (unsigned long long)s->gpa);
	}
	vector_expected(vector, expected);
	assert_memory_equal(rp.vm.sim->psp.ld.ld, expected, 48);
	for (i = 0; i < rp.nr; i++)
		munmap(rp.hva[i], REGION);
	close(rp.gmem);
	kvm_backend_destroy(rp.vm.be);
	free(steps);
}

static void test_sim_psp_chain_reproduces_every_vector(void **state)
{
	struct vector_list list;
	unsigned int i;

	vectors_list(&list);
	assert_true(list.count > 0);
	for (i = 0; i < list.count; i++)
		replay_vector(list.names[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_psp_chain_reproduces_every_vector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
