/* SPDX-License-Identifier: MIT */
/*
 * Access to the reference launch-digest vectors ($SNPVMM_VECTORS_DIR, the checked-in tests/vectors;
 * see tests/vectors/README.md) for the snp unit tests. Every vector folder found is used, so
 * vectors added later are checked too. A missing directory fails the test: the vectors are the
 * point of these tests, so they never skip.
 */
#ifndef SNPVMM_TESTS_SNP_VECTORS_H
#define SNPVMM_TESTS_SNP_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snp/qemu_layout.h"
#include "snp/sev_hashes.h"

#define VECTORS_MAX 64

struct vector_list {
	unsigned int count;
	char names[VECTORS_MAX][128];
};

/* args.txt, in sev-snp-measure's spelling. */
struct vector_args {
	char ovmf[512];
	char kernel[512];
	char initrd[512];
	char append[1024];
	bool has_kernel, has_initrd, has_append;
	unsigned int vcpus;
	char vcpu_type[64];
	uint64_t vcpu_sig, family, model, stepping;
	bool has_family;
	uint64_t guest_features;
	char vmm_type[16];
	char mode[32];
	char snp_ovmf_hash[128];
};

/* Everything qemu_layout needs for one vector; free with vector_inputs_free(). */
struct vector_inputs {
	struct vector_args args;
	uint8_t *firmware;
	size_t firmware_len;
	struct sev_hashes hashes;
	uint8_t seed[48];
	struct qemu_layout_params params;
};

/* Fails the running test if the vectors cannot be found. */
void vectors_list(struct vector_list *ret_list);

/* Reads <vectors>/<vector>/<file> into a malloc'ed buffer (fails the test if absent). */
uint8_t *vector_read(const char *vector, const char *file, size_t *ret_len);
bool vector_has(const char *vector, const char *file);
/* The same, NUL-terminated, for text files. */
char *vector_read_text(const char *vector, const char *file);

void vector_args_parse(const char *vector, struct vector_args *ret_args);
void vector_inputs_load(const char *vector, struct vector_inputs *ret_in);
void vector_inputs_free(struct vector_inputs *in);

/* expected.txt as 48 bytes. */
void vector_expected(const char *vector, uint8_t ret_ld[48]);
/* Hex string to bytes; returns the number of bytes or -1. */
int vec_hex_decode(const char *hex, uint8_t *out, size_t max);

#endif /* SNPVMM_TESTS_SNP_VECTORS_H */
