// SPDX-License-Identifier: MIT
#include "snp_vectors.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "snp/vcpu_sig.h"
#include "snp/vmsa.h"

static void vectors_root(char *out, size_t size)
{
	const char *dir = getenv("SNPVMM_VECTORS_DIR");
	struct stat st;

	if (!dir || !*dir)
		fail_msg("SNPVMM_VECTORS_DIR is not set: the launch-digest vectors are required");
	snprintf(out, size, "%s", dir);
	if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
		fail_msg("vector directory '%s' is missing", out);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

void vectors_list(struct vector_list *ret_list)
{
	char root[1024], path[1400];
	struct dirent *e;
	struct stat st;
	DIR *dir;

	vectors_root(root, sizeof(root));
	memset(ret_list, 0, sizeof(*ret_list));
	dir = opendir(root);
	if (!dir)
		fail_msg("cannot list '%s'", root);
	while ((e = readdir(dir)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s/args.txt", root, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) != 0)
			continue;
		if (ret_list->count == VECTORS_MAX ||
		    strlen(e->d_name) >= sizeof(ret_list->names[0]))
			break;
		strcpy(ret_list->names[ret_list->count++], e->d_name);
	}
	closedir(dir);
	if (ret_list->count == 0)
		fail_msg("no vectors (folders with args.txt) under '%s'", root);
	qsort(ret_list->names, ret_list->count, sizeof(ret_list->names[0]), cmp_names);
}

static void vector_path(const char *vector, const char *file, char *out, size_t size)
{
	char root[1024];

	vectors_root(root, sizeof(root));
	snprintf(out, size, "%s/%s/%s", root, vector, file);
}

bool vector_has(const char *vector, const char *file)
{
	char path[2048];
	struct stat st;

	vector_path(vector, file, path, sizeof(path));
	return stat(path, &st) == 0;
}

uint8_t *vector_read(const char *vector, const char *file, size_t *ret_len)
{
	char path[2048];
	uint8_t *buf;
	long n = 0;
	FILE *f;

	vector_path(vector, file, path, sizeof(path));
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		fail_msg("cannot size '%s'", path);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("cannot read '%s'", path);
	fclose(f);
	buf[n] = 0;
	*ret_len = (size_t)n;
	return buf;
}

char *vector_read_text(const char *vector, const char *file)
{
	size_t len;

	return (char *)vector_read(vector, file, &len);
}

int vec_hex_decode(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int byte;

	while (hex[0] && hex[0] != '\n' && hex[0] != '\r') {
		if (n == max || sscanf(hex, "%2x", &byte) != 1 || !hex[1])
			return -1;
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return (int)n;
}

void vector_expected(const char *vector, uint8_t ret_ld[48])
{
	char *text = vector_read_text(vector, "expected.txt");

	assert_int_equal(vec_hex_decode(text, ret_ld, 48), 48);
	free(text);
}

/* Shell-like split of args.txt: whitespace separates, '...' and "..." group. */
static int split_args(char *s, char **argv, int max)
{
	int argc = 0;
	char *out;
	char q;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s)
			break;
		if (argc == max)
			return -1;
		argv[argc++] = out = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			if (*s == '\'' || *s == '"') {
				q = *s++;
				while (*s && *s != q)
					*out++ = *s++;
				if (*s)
					s++;
			} else {
				*out++ = *s++;
			}
		}
		if (*s)
			s++;
		*out = '\0';
	}
	return argc;
}

static void copy_arg(char *dst, size_t size, const char *src)
{
	assert_true(strlen(src) < size);
	strcpy(dst, src);
}

void vector_args_parse(const char *vector, struct vector_args *ret_args)
{
	char *text = vector_read_text(vector, "args.txt");
	char *argv[64];
	struct vector_args a;
	int argc, i;
	const char *opt, *val;

	memset(&a, 0, sizeof(a));
	a.guest_features = 1;
	strcpy(a.vmm_type, "QEMU");
	strcpy(a.mode, "snp");
	argc = split_args(text, argv, 64);
	assert_true(argc > 0);
	for (i = 0; i < argc; i++) {
		opt = argv[i];
		if (!strcmp(opt, "-v") || !strcmp(opt, "--verbose") || !strcmp(opt, "--dump-vmsa"))
			continue;
		assert_true(i + 1 < argc);
		val = argv[++i];
		if (!strcmp(opt, "--ovmf"))
			copy_arg(a.ovmf, sizeof(a.ovmf), val);
		else if (!strcmp(opt, "--kernel"))
			a.has_kernel = true, copy_arg(a.kernel, sizeof(a.kernel), val);
		else if (!strcmp(opt, "--initrd"))
			a.has_initrd = true, copy_arg(a.initrd, sizeof(a.initrd), val);
		else if (!strcmp(opt, "--append"))
			a.has_append = true, copy_arg(a.append, sizeof(a.append), val);
		else if (!strcmp(opt, "--vcpus"))
			a.vcpus = (unsigned int)strtoul(val, NULL, 10);
		else if (!strcmp(opt, "--vcpu-type"))
			copy_arg(a.vcpu_type, sizeof(a.vcpu_type), val);
		else if (!strcmp(opt, "--vcpu-sig"))
			a.vcpu_sig = strtoull(val, NULL, 0);
		else if (!strcmp(opt, "--vcpu-family"))
			a.has_family = true, a.family = strtoull(val, NULL, 10);
		else if (!strcmp(opt, "--vcpu-model"))
			a.model = strtoull(val, NULL, 10);
		else if (!strcmp(opt, "--vcpu-stepping"))
			a.stepping = strtoull(val, NULL, 10);
		else if (!strcmp(opt, "--guest-features"))
			a.guest_features = strtoull(val, NULL, 0);
		else if (!strcmp(opt, "--vmm-type"))
			copy_arg(a.vmm_type, sizeof(a.vmm_type), val);
		else if (!strcmp(opt, "--mode"))
			copy_arg(a.mode, sizeof(a.mode), val);
		else if (!strcmp(opt, "--snp-ovmf-hash"))
			copy_arg(a.snp_ovmf_hash, sizeof(a.snp_ovmf_hash), val);
		else if (!strcmp(opt, "--output-format"))
			continue;
		else
			fail_msg("%s/args.txt: option '%s' not understood by the test", vector,
				 opt);
	}
	free(text);
	*ret_args = a;
}

static uint8_t *read_optional(const char *vector, const char *file, size_t *ret_len)
{
	*ret_len = 0;
	return file[0] ? vector_read(vector, file, ret_len) : NULL;
}

void vector_inputs_load(const char *vector, struct vector_inputs *ret_in)
{
	struct vector_inputs in;
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t klen = 0, ilen = 0;
	uint32_t sig = 0;

	memset(&in, 0, sizeof(in));
	vector_args_parse(vector, &in.args);
	in.firmware = vector_read(vector, in.args.ovmf, &in.firmware_len);
	if (in.args.has_kernel) {
		kernel = read_optional(vector, in.args.kernel, &klen);
		initrd = in.args.has_initrd ? read_optional(vector, in.args.initrd, &ilen) : NULL;
		assert_int_equal(sev_hashes_compute(kernel, klen, initrd, ilen,
						    in.args.has_append ? in.args.append : NULL,
						    &in.hashes),
				 0);
		free(kernel);
		free(initrd);
	}
	/* sev-snp-measure get_vcpu_sig(): family, then sig, then type. */
	if (in.args.has_family && in.args.family)
		sig = snp_vcpu_sig((uint32_t)in.args.family, (uint32_t)in.args.model,
				   (uint32_t)in.args.stepping);
	else if (in.args.vcpu_sig)
		sig = (uint32_t)in.args.vcpu_sig;
	else if (in.args.vcpu_type[0])
		assert_int_equal(snp_vcpu_type_sig(in.args.vcpu_type, &sig), 0);

	in.params.firmware = in.firmware;
	in.params.firmware_len = in.firmware_len;
	in.params.vcpus = in.args.vcpus;
	in.params.vcpu_sig = sig;
	in.params.guest_features = in.args.guest_features;
	assert_int_equal(snp_vmm_type_parse(in.args.vmm_type, &in.params.vmm), 0);
	*ret_in = in;
	/* Pointers into *ret_in, set after the copy. */
	ret_in->params.hashes = in.args.has_kernel ? &ret_in->hashes : NULL;
	if (in.args.snp_ovmf_hash[0]) {
		assert_int_equal(vec_hex_decode(in.args.snp_ovmf_hash, ret_in->seed, 48), 48);
		ret_in->params.ovmf_hash = ret_in->seed;
	}
}

void vector_inputs_free(struct vector_inputs *in)
{
	free(in->firmware);
	in->firmware = NULL;
}
