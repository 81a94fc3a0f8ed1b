// SPDX-License-Identifier: MIT
/*
 * snpvmm id-block: build and sign the SNP ID block and ID authentication information
 * for SNP_LAUNCH_FINISH (include/snp/idblock.h). The default output is base64 of the
 * raw structures, which is what QEMU's sev-snp-guest id-block= and id-auth= take.
 */
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "option_table.h"
#include "options.h"
#include "snp/idblock.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/num.h"
#include "vmm/snp_host.h"

#define PROG "snpvmm id-block"

/* 56860 §4.3 "Guest Policy": bit 17 is reserved and must be one; LAUNCH_START (and so the
 * ID block, whose policy must match it) fails without it. */
#define SNP_POLICY_RSVD_MBO (1ULL << 17)

struct id_block_args {
	const char *measurement;
	const char *policy;
	const char *family_id;
	const char *image_id;
	const char *svn;
	const char *id_key;
	const char *author_key;
	const char *out_block;
	const char *out_auth;
	bool raw;
	bool help;
};

struct id_block_values {
	uint8_t ld[SNP_LD_SIZE];
	uint8_t family_id[SNP_FAMILY_ID_SIZE];
	uint8_t image_id[SNP_IMAGE_ID_SIZE];
	uint64_t policy;
	uint32_t svn;
};

#define ID_BLOCK_ARG(field) offsetof(struct id_block_args, field)

static int set_format(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct id_block_args *a = ctx;

	if (strcmp(arg, "raw") == 0)
		a->raw = true;
	else if (strcmp(arg, "base64") == 0)
		a->raw = false;
	else
		return diag_fail(d, -EINVAL, "--format must be base64 or raw, not '%s'", arg);
	return 0;
}

static const struct option_row id_block_rows[] = {
	{ .name = "measurement",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "expected launch digest, 96 hex digits (48 bytes)",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(measurement) },
	{ .name = "policy",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "guest policy, as given to LAUNCH_START: decimal or 0x hex\n"
		  "(write 0x30000: a bare 30000 is decimal)",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(policy) },
	{ .name = "family-id",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "32 hex digits (16 bytes); default all zero",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(family_id) },
	{ .name = "image-id",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "32 hex digits (16 bytes); default all zero",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(image_id) },
	{ .name = "svn",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "guest SVN, decimal or 0x hex; default 0",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(svn) },
	{ .name = "id-key",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KEY.pem",
	  .help = "EC P-384 private key (PEM) that signs the ID block",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(id_key) },
	{ .name = "author-key",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KEY.pem",
	  .help = "EC P-384 private key (PEM) that signs the ID key;\n"
		  "launch with auth_key_en=1 (QEMU author-key-enabled=on)\n"
		  "if given, auth_key_en=0 otherwise",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(author_key) },
	{ .name = "out-block",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "where to write the ID block",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(out_block) },
	{ .name = "out-auth",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "where to write the ID authentication information",
	  .set = option_set_string,
	  .offset = ID_BLOCK_ARG(out_auth) },
	{ .name = "format",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FMT",
	  .help = "base64 (default; QEMU sev-snp-guest id-block=/id-auth=,\n"
		  "no trailing newline) or raw bytes",
	  .set = set_format },
	{ .name = "help",
	  .short_name = 'h',
	  .help = "this text",
	  .set = option_set_true,
	  .offset = ID_BLOCK_ARG(help) },
};

const struct option_table id_block_options = {
	.command = PROG,
	.synopsis = "Usage: snpvmm id-block --measurement HEX --policy N --id-key KEY.pem\n"
		    "                       --out-block FILE --out-auth FILE [--family-id HEX]\n"
		    "                       [--image-id HEX] [--svn N] [--author-key KEY.pem]\n"
		    "                       [--format base64|raw]\n"
		    "\n"
		    "Builds the SEV-SNP ID block (96 bytes) and ID authentication information\n"
		    "(4096 bytes) for SNP_LAUNCH_FINISH and signs them with ECDSA P-384/SHA-384.\n"
		    "\n",
	.rows = id_block_rows,
	.nr_rows = sizeof(id_block_rows) / sizeof(id_block_rows[0]),
	.help_column = 22,
};

__attribute__((format(printf, 1, 2))) static int fail_usage(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	return EXIT_USAGE;
}

static int fail_runtime(const struct diag *d)
{
	fprintf(stderr, PROG ": %s\n", d->msg);
	return EXIT_FAILURE;
}

/* Returns 0, a usage exit status, or -1 for --help. */
static int parse_args(int argc, char **argv, struct id_block_args *a)
{
	struct diag d = { { 0 } };

	if (option_table_parse(&id_block_options, argc, argv, a, &d) < 0) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return EXIT_USAGE;
	}
	if (a->help)
		return -1;
	if (!a->measurement)
		return fail_usage("--measurement is required");
	if (!a->policy)
		return fail_usage("--policy is required");
	if (!a->id_key)
		return fail_usage("--id-key is required");
	if (!a->out_block)
		return fail_usage("--out-block is required");
	if (!a->out_auth)
		return fail_usage("--out-auth is required");
	return 0;
}

/* Returns 0 or a usage exit status. */
static int parse_values(const struct id_block_args *a, struct id_block_values *v)
{
	struct diag d = { { 0 } };
	uint64_t svn = 0;

	if (hex_decode(a->measurement, v->ld, sizeof(v->ld), "--measurement", &d) < 0)
		return fail_usage("%s", cli_diag_text(&d));
	if (a->family_id &&
	    hex_decode(a->family_id, v->family_id, sizeof(v->family_id), "--family-id", &d) < 0)
		return fail_usage("%s", cli_diag_text(&d));
	if (a->image_id &&
	    hex_decode(a->image_id, v->image_id, sizeof(v->image_id), "--image-id", &d) < 0)
		return fail_usage("%s", cli_diag_text(&d));
	if (snp_policy_parse("--policy", a->policy, &v->policy, &d) < 0)
		return fail_usage("%s", cli_diag_text(&d));
	/* The launch's own check (snp_choose_policy): never sign a policy a launch
	 * refuses on every host. */
	if (snp_policy_check(v->policy, &d) < 0)
		return fail_usage("%s", cli_diag_text(&d));
	if (a->svn && parse_uint(a->svn, UINT32_MAX, &svn) < 0)
		return fail_usage("--svn must be a number below 2^32 (decimal or 0x hex), not '%s'",
				  a->svn);
	v->svn = (uint32_t)svn;
	return 0;
}

static int write_output(const char *path, const void *data, size_t len, bool raw, struct diag *d)
{
	/* Base64 of 4096 bytes is 5464 characters; EVP_EncodeBlock adds a NUL. */
	unsigned char b64[4 * ((SNP_ID_AUTH_SIZE + 2) / 3) + 1];
	const void *out = data;
	size_t out_len = len;
	FILE *f;
	int r;

	if (len > SNP_ID_AUTH_SIZE)
		return diag_fail(d, -EINVAL, "internal: %zu bytes is too large to encode", len);
	if (!raw) {
		out_len = (size_t)EVP_EncodeBlock(b64, data, (int)len);
		out = b64;
	}
	r = file_create_stream(path, "output file", &f, d);
	if (r < 0)
		return r;
	if (fwrite(out, 1, out_len, f) != out_len) {
		r = -errno;
		(void)fclose(f);
		return diag_fail(d, r, "cannot write '%s': %s", path, strerror(-r));
	}
	if (fclose(f) != 0) {
		r = -errno;
		return diag_fail(d, r, "cannot write '%s': %s", path, strerror(-r));
	}
	return 0;
}

int cmd_id_block(int argc, char **argv)
{
	struct id_block_args a = { 0 };
	struct id_block_values v = { 0 };
	struct snp_id_block block;
	struct snp_id_auth auth;
	EVP_PKEY *id_key = NULL, *author_key = NULL;
	struct diag d = { { 0 } };
	int ret = EXIT_FAILURE;
	int r;

	r = parse_args(argc, argv, &a);
	if (r < 0) {
		option_table_help(&id_block_options, stdout);
		return EXIT_SUCCESS;
	}
	if (r > 0)
		return r;
	r = parse_values(&a, &v);
	if (r > 0)
		return r;

	if (snp_ecdsa_key_load_pem(a.id_key, &id_key, &d) < 0)
		return fail_runtime(&d);
	if (a.author_key && snp_ecdsa_key_load_pem(a.author_key, &author_key, &d) < 0) {
		ret = fail_runtime(&d);
		goto out_free_keys;
	}

	snp_id_block_build(&block, v.ld, v.policy, v.family_id, v.image_id, v.svn);
	if (snp_id_auth_build(&block, id_key, author_key, &auth, &d) < 0 ||
	    write_output(a.out_block, &block, sizeof(block), a.raw, &d) < 0 ||
	    write_output(a.out_auth, &auth, sizeof(auth), a.raw, &d) < 0) {
		ret = fail_runtime(&d);
		goto out_free_keys;
	}
	ret = EXIT_SUCCESS;
out_free_keys:
	EVP_PKEY_free(author_key);
	EVP_PKEY_free(id_key);
	return ret;
}
