// SPDX-License-Identifier: MIT
/*
 * The boot stage's work per MiB on this host's CPU (not a test; docs/performance.md):
 *
 *   sha384        the stage's own SHA-384 (compiled as for the stage: general registers
 *                 only) against OpenSSL's, over the same 256 MiB;
 *   rep movsb/stosb  the copy and fill instructions the stage's memcpy/memset use;
 *   copy+hash     stage_run() without SNP on a 256 MiB "kernel": copy from a staging buffer
 *                 to its destination and hash the copy, as the stage does;
 *   validate      stage_run() with SNP on 1 GiB of RAM: descriptors, their checks, the
 *                 PVALIDATE loop with 4 KiB fallback and the zeroing; the hypervisor's PSC
 *                 and PVALIDATE itself are instant here (they exist only on SNP hardware),
 *                 so this is the stage's own share of validating RAM.
 *
 * Each figure is the best of RUNS runs (the machine is shared). Usage: stage_bench [RUNS]
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi/ghcb.h"
#include "stage/sha384.h"
#include "stage/stage_core.h"

#define MiB	    (1ULL << 20)
#define IMAGE	    (256 * MiB)
#define RAM	    (1024 * MiB)
#define STAGING_GPA (4ULL << 30)

struct env {
	uint8_t *ram, *staging, ghcb[4096];
	uint64_t staging_size;
	bool entered;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *e_map(void *ctx, uint64_t gpa, uint64_t len)
{
	struct env *e = ctx;

	if (gpa == STAGING_GPA)
		return e->ghcb;
	if (gpa >= STAGING_GPA)
		return e->staging + (gpa - STAGING_GPA);
	return e->ram + gpa;
}

static uint64_t e_status(void *ctx)
{
	return SEV_STATUS_SNP_ENABLED;
}

/* The hypervisor: registration accepted, every descriptor done in one exit. */
static uint64_t e_ghcb(void *ctx, uint64_t msr)
{
	struct env *e = ctx;
	uint8_t *desc = e->ghcb + GHCB_SHARED_BUFFER_OFFSET;
	uint64_t hdr;

	if ((msr & GHCB_MSR_INFO_MASK) == GHCB_MSR_REG_GPA_REQ)
		return msr + 1;
	memcpy(&hdr, desc, 8);
	hdr = (((hdr >> 16) & 0xffff) + 1) | (hdr & 0xffff0000ULL); /* all done */
	memcpy(desc, &hdr, 8);
	return msr;
}

static int e_pvalidate(void *ctx, uint64_t gpa, int size, bool *unchanged)
{
	*unchanged = false;
	return size == PVALIDATE_PAGE_2M ? PVALIDATE_FAIL_SIZEMISMATCH : PVALIDATE_OK;
}

static void e_terminate(void *ctx, const struct stage_params *p, unsigned int code)
{
	fprintf(stderr, "stage refused: code %u\n", code);
	exit(1);
}

static void e_enter(void *ctx, const struct stage_params *p)
{
	((struct env *)ctx)->entered = true;
}

static void params(struct stage_params *p, bool snp, uint64_t kernel_size, uint64_t ram)
{
	*p = (struct stage_params){
		.magic = STAGE_PARAMS_MAGIC,
		.version = STAGE_PARAMS_VERSION,
		.flags = snp ? STAGE_FLAG_SNP : 0,
		.boot_params_gpa = 0x2000,
		.kernel_entry = 0x100200,
		.kernel_cr3 = 0x4000,
		.staging_gpa = STAGING_GPA,
		.staging_size = 0x1000 + kernel_size,
		.ghcb_gpa = STAGING_GPA,
		.kernel = { STAGING_GPA + 0x1000, 0x100000, kernel_size },
		.cmdline_gpa = 0x3000,
		.cmdline_size = sizeof("console=ttyS0"),
		.nr_ram = 1,
		.ram = { { 0x100000, ram - 0x100000 } },
		.nr_measured = 1,
		.measured = { { 0x1000, 0xD000 } },
	};
}

static double run_stage(struct env *e, struct stage_params *p)
{
	const struct stage_ops ops = {
		e, e_map, e_status, e_ghcb, e_pvalidate, e_terminate, e_enter
	};
	double t = now();

	if (stage_run(p, &ops) != 0 || !e->entered)
		exit(1);
	return now() - t;
}

static double best(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5, i;
	struct env e = { 0 };
	struct stage_params p;
	double t_own = 1e9, t_ssl = 1e9, t_movs = 1e9, t_stos = 1e9, t_copy = 1e9, t_val = 1e9;
	uint8_t out[48];
	unsigned int n;

	e.ram = malloc(RAM);
	e.staging = malloc(0x1000 + IMAGE);
	if (!e.ram || !e.staging)
		return 1;
	for (uint64_t k = 0; k < IMAGE; k++)
		e.staging[0x1000 + k] = (uint8_t)(k * 131 + (k >> 13));
	memset(e.ram, 1, RAM);
	memcpy(e.ram + 0x3000, "console=ttyS0", sizeof("console=ttyS0"));

	for (i = 0; i < runs; i++) {
		struct sha384_ctx c;
		double t = now();
		size_t len = IMAGE;
		void *d = e.ram, *s = e.staging + 0x1000;

		sha384_init(&c);
		sha384_update(&c, e.staging + 0x1000, IMAGE);
		sha384_final(&c, out);
		t_own = best(t_own, now() - t);
		t = now();
		EVP_Digest(e.staging + 0x1000, IMAGE, out, &n, EVP_sha384(), NULL);
		t_ssl = best(t_ssl, now() - t);
		t = now();
		__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(len) : : "memory");
		t_movs = best(t_movs, now() - t);
		d = e.ram;
		len = IMAGE;
		t = now();
		__asm__ volatile("rep stosb" : "+D"(d), "+c"(len) : "a"(0) : "memory");
		t_stos = best(t_stos, now() - t);
	}

	/* copy+hash: a kernel of IMAGE bytes, its hash known. */
	params(&p, false, IMAGE, RAM);
	memcpy(e.ram + 0x3000, "console=ttyS0", sizeof("console=ttyS0"));
	EVP_Digest("console=ttyS0", sizeof("console=ttyS0"), p.cmdline_sha384, &n, EVP_sha384(),
		   NULL);
	EVP_Digest(e.staging + 0x1000, IMAGE, p.kernel.sha384, &n, EVP_sha384(), NULL);
	for (i = 0; i < runs; i++)
		t_copy = best(t_copy, run_stage(&e, &p));

	/* validate: 1 GiB of RAM, a 4 KiB kernel. */
	params(&p, true, 4096, RAM);
	EVP_Digest("console=ttyS0", sizeof("console=ttyS0"), p.cmdline_sha384, &n, EVP_sha384(),
		   NULL);
	EVP_Digest(e.staging + 0x1000, 4096, p.kernel.sha384, &n, EVP_sha384(), NULL);
	for (i = 0; i < runs; i++) {
		memcpy(e.ram + 0x3000, "console=ttyS0", sizeof("console=ttyS0"));
		t_val = best(t_val, run_stage(&e, &p));
	}

	printf("| stage work (host CPU, best of %d) | MiB/s | ms per MiB |\n", runs);
	printf("|---|---:|---:|\n");
#define ROW(name, t, mib) printf("| %s | %.0f | %.3f |\n", name, (mib) / (t), (t)*1e3 / (mib))
	ROW("SHA-384, the stage's own (general registers only)", t_own, 256.0);
	ROW("SHA-384, OpenSSL (same bytes)", t_ssl, 256.0);
	ROW("rep movsb copy", t_movs, 256.0);
	ROW("rep stosb fill", t_stos, 256.0);
	ROW("copy + hash of the private copy (stage_run, 256 MiB kernel)", t_copy, 256.0);
	ROW("validate RAM: PSC descriptors + PVALIDATE loop + zeroing (1 GiB, 4 KiB "
	    "PVALIDATEs, hypervisor and PVALIDATE themselves free)",
	    t_val, 1023.0);
	free(e.ram);
	free(e.staging);
	return 0;
}
