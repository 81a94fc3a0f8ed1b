// SPDX-License-Identifier: MIT
/*
 * snpvmm verify: checks an SEV-SNP attestation report against its VCEK (or VLEK), the
 * key's chain to AMD's roots, and what the user expects, which may be the measurement
 * predicted in place from the same launch options `snpvmm measure` takes (through
 * measure_digest(), the one implementation of the prediction). The checks are
 * src/snp/attest.c; this file reads the files, resolves the chain and prints.
 * docs/attestation.md walks through the whole loop.
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/option_table.h"
#include "snp/attest.h"
#include "snp/launch_digest.h"
#include "snp/vcek.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/num.h"
#include "vmm/events.h"
#include "vmm/options.h"

#define PROG "snpvmm verify"

__attribute__((format(printf, 2, 3))) static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

enum verify_opt {
	VOPT_REPORT,
	VOPT_VCEK,
	VOPT_VLEK,
	VOPT_PRODUCT,
	VOPT_CHAIN,
	VOPT_ARK,
	VOPT_AT_TIME,
	VOPT_MEASUREMENT,
	VOPT_POLICY,
	VOPT_HOST_DATA,
	VOPT_REPORT_DATA,
	VOPT_ID_KEY_DIGEST,
	VOPT_AUTHOR_KEY_DIGEST,
	VOPT_ID_KEY,
	VOPT_AUTHOR_KEY,
	VOPT_VMPL,
	VOPT_MIN_TCB,
	VOPT_ALLOW_DEBUG,
	VOPT_JSON,
	VOPT_HELP,
	VOPT_MAX,
};

struct verify_args {
	const char *value[VOPT_MAX]; /* NULL: not given; "" for a given flag */
	char **launch;		     /* the launch options, launch[0] = "verify" */
	int nr_launch;
};

/* A flag without a value: given, as "". */
static int set_given(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	const char **field = (void *)((char *)ctx + row->offset);

	*field = "";
	return 0;
}

/* Verify's own flags; every other argument is a launch option (option_table_split()). */
static const struct option_row verify_rows[] = {
	{ .help = "\nEvidence:\n" },
	{ .name = "report",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "the report: 1184 raw bytes, hex, base64, or console output\n"
		  "with one SNPVMM-ATTESTATION-REPORT frame",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_REPORT]) },
	{ .name = "vcek",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "the VCEK certificate (DER or PEM) that signed it",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_VCEK]) },
	{ .name = "vlek",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "or the VLEK certificate",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_VLEK]) },
	{ .name = "product",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "NAME",
	  .help = "milan, genoa or turin: check the chain against AMD's\n"
		  "certificates built into snpvmm (default: the product the\n"
		  "key or the report names)",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_PRODUCT]) },
	{ .name = "chain",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "the cert_chain PEM bundle from AMD's KDS (ASK or ASVK,\n"
		  "and ARK); its ARK must be AMD's",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_CHAIN]) },
	{ .name = "ark",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "FILE",
	  .help = "trust this ARK instead of AMD's (test chains, such as\n"
		  "the simulated host's); the output says NOT AMD",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_ARK]) },
	{ .name = "at-time",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "DATE",
	  .help = "check certificate validity at DATE (YYYY-MM-DD or\n"
		  "YYYY-MM-DDTHH:MM:SSZ) instead of now",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_AT_TIME]) },
	{ .help = "\nExpectations (each is a check; the others are listed as skipped):\n",
	  .help_column = 32 },
	{ .name = "expect-measurement",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "48 bytes; or give the launch options (below)",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_MEASUREMENT]) },
	{ .name = "expect-policy",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "guest policy (0x30000)",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_POLICY]) },
	{ .name = "expect-host-data",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "32 bytes",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_HOST_DATA]) },
	{ .name = "expect-report-data",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "64 bytes, e.g. the verifier's nonce",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_REPORT_DATA]) },
	{ .name = "expect-id-key-digest",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "48 bytes; or --id-key KEY.pem (public or private)",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_ID_KEY_DIGEST]) },
	{ .name = "expect-author-key-digest",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "HEX",
	  .help = "48 bytes; or --author-key KEY.pem",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_AUTHOR_KEY_DIGEST]) },
	{ .name = "id-key",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KEY.pem",
	  .help = "the ID key (PEM): its digest is expected",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_ID_KEY]) },
	{ .name = "author-key",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "KEY.pem",
	  .help = "the author key, likewise",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_AUTHOR_KEY]) },
	{ .name = "expect-vmpl",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "N",
	  .help = "VMPL the report was requested at",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_VMPL]) },
	{ .name = "min-tcb",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "bl=N,tee=N,snp=N,ucode=N[,fmc=N]",
	  .help = "minimum REPORTED_TCB (any subset)",
	  .set = option_set_string,
	  .offset = offsetof(struct verify_args, value[VOPT_MIN_TCB]) },
	{ .name = "allow-debug",
	  .help = "accept a guest policy with DEBUG set",
	  .set = set_given,
	  .offset = offsetof(struct verify_args, value[VOPT_ALLOW_DEBUG]) },
	{ .help = "\n"
		  "Launch options: any other arguments are the options of `snpvmm measure` (own\n"
		  "layout or --ovmf), from which the measurement is predicted in place; their\n"
		  "--policy and --host-data are expected too. Put them after `--` if a value "
		  "could\n"
		  "be mistaken for a verify option.\n"
		  "\n",
	  .help_column = 24 },
	{ .name = "json",
	  .help = "one JSON object on stdout instead of text",
	  .set = set_given,
	  .offset = offsetof(struct verify_args, value[VOPT_JSON]) },
	{ .name = "help",
	  .short_name = 'h',
	  .help = "this text",
	  .set = set_given,
	  .offset = offsetof(struct verify_args, value[VOPT_HELP]) },
	{ .help = "\n"
		  "Exit status: 0 every check passed; 1 a check failed or an input cannot be "
		  "read;\n"
		  "2 usage error.\n" },
};

const struct option_table verify_options = {
	.command = PROG,
	.synopsis =
		"Usage: snpvmm verify --report FILE (--vcek FILE | --vlek FILE)\n"
		"                     [--product milan|genoa|turin | --chain FILE] [--ark FILE]\n"
		"                     [EXPECTATIONS] [LAUNCH OPTIONS | -- LAUNCH OPTIONS]\n"
		"\n"
		"Checks an SEV-SNP attestation report: its signature by the VCEK or VLEK, that\n"
		"key's chain to AMD's root, that the key's extensions agree with the report,\n"
		"and every expectation given. Prints each check; see docs/attestation.md.\n",
	.rows = verify_rows,
	.nr_rows = sizeof(verify_rows) / sizeof(verify_rows[0]),
	.help_column = 24,
};

/* Splits argv into verify's own options and the launch options (in order). Returns 0 or
 * an exit status. */
static int split_args(int argc, char **argv, struct verify_args *a)
{
	struct diag d = { "" };

	a->launch = calloc((size_t)argc + 1, sizeof(*a->launch));
	if (!a->launch)
		return fail(1, "out of memory");
	a->launch[0] = argv[0];
	if (option_table_split(&verify_options, argc, argv, a, a->launch + 1, &a->nr_launch, &d) <
	    0)
		return fail(EXIT_USAGE, "%s", d.msg);
	a->nr_launch++;
	return 0;
}

/* ---- inputs ---- */

/* A report may sit in a guest's whole console log (the frame amid kernel messages), a
 * certificate file holds a few KiB: far more than either, and never an unbounded read. */
#define VERIFY_MAX_INPUT_BYTES (64ull << 20)

static int read_file(const char *path, const char *what, struct file_map *ret)
{
	struct diag d = { "" };

	if (file_map_open(path, what, VERIFY_MAX_INPUT_BYTES, ret, &d) < 0)
		return fail(1, "%s", d.msg);
	return 0;
}

static int load_report(const char *path, struct snp_report *ret)
{
	uint8_t raw[SNP_REPORT_SIZE];
	struct file_map m = { 0 };
	struct diag d = { "" };
	int status = read_file(path, "report", &m);

	if (status)
		return status;
	if (snp_report_decode(m.data, m.size, raw, &d) < 0 ||
	    snp_report_parse(raw, sizeof(raw), ret, &d) < 0)
		status = fail(1, "report '%s': %s", path, d.msg);
	file_map_close(&m);
	return status;
}

static int load_cert(const char *path, const char *what, X509 **ret)
{
	struct file_map m = { 0 };
	struct diag d = { "" };
	int status = read_file(path, what, &m);

	if (status)
		return status;
	if (snp_cert_load(m.data, m.size, ret, &d) < 0)
		status = fail(1, "%s '%s': %s", what, path, d.msg);
	file_map_close(&m);
	return status;
}

static int load_amd_chain(enum snp_product p, bool vlek, X509 **ret_mid, X509 **ret_root)
{
	const char *pem = amd_cert_chain_pem(p, vlek);
	struct diag d = { "" };

	if (!pem ||
	    snp_cert_chain_load((const uint8_t *)pem, strlen(pem), ret_mid, ret_root, &d) < 0)
		return fail(1, "AMD's %s chain: %s", snp_product_name(p), pem ? d.msg : "none");
	return 0;
}

/* The AMD product whose ARK root is, or UNKNOWN. */
static enum snp_product amd_product_of_root(X509 *root, bool vlek)
{
	unsigned int p;

	for (p = SNP_PRODUCT_MILAN; p < SNP_PRODUCT_MAX; p++) {
		X509 *mid = NULL, *ark = NULL;
		bool same = false;

		if (load_amd_chain((enum snp_product)p, vlek, &mid, &ark) == 0)
			same = X509_cmp(ark, root) == 0;
		X509_free(mid);
		X509_free(ark);
		if (same)
			return (enum snp_product)p;
	}
	return SNP_PRODUCT_UNKNOWN;
}

static int load_key_digest(const char *path, const char *what, uint8_t ret[SNP_KEY_DIGEST_SIZE])
{
	struct file_map m = { 0 };
	struct diag d = { "" };
	EVP_PKEY *key = NULL;
	BIO *bio;
	int status = read_file(path, what, &m);

	if (status)
		return status;
	bio = BIO_new_mem_buf(m.data, (int)m.size);
	if (bio)
		key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (bio && !key) {
		/* Not a public key: a private key's public half is the same key. */
		(void)BIO_reset(bio);
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!key)
		status = fail(1, "%s '%s' holds no PEM EC public or private key", what, path);
	else if (snp_key_digest(key, ret, &d) < 0)
		status = fail(1, "%s '%s': %s", what, path, d.msg);
	EVP_PKEY_free(key);
	file_map_close(&m);
	return status;
}

/* ---- values ---- */

static int parse_hex_arg(const char *opt, const char *text, uint8_t *ret, size_t len)
{
	struct diag d = { "" };

	if (!strncmp(text, "0x", 2) || !strncmp(text, "0X", 2))
		text += 2;
	if (hex_decode(text, ret, len, opt, &d) < 0)
		return fail(EXIT_USAGE, "%s", d.msg);
	return 0;
}

static int parse_time(const char *text, time_t *ret)
{
	struct tm tm = { 0 };
	const char *end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);

	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, "%Y-%m-%d", &tm);
	}
	if (!end || *end)
		return fail(EXIT_USAGE,
			    "--at-time '%s': expected YYYY-MM-DD or "
			    "YYYY-MM-DDTHH:MM:SSZ",
			    text);
	*ret = timegm(&tm);
	return 0;
}

struct verify_inputs {
	struct snp_report report;
	X509 *key, *mid, *root, *anchor;
	struct attest_evidence ev;
	struct attest_expectations ex;
	struct attest_min_tcb min_tcb;
	uint8_t measurement[SNP_LD_SIZE], host_data[SNP_HOST_DATA_SIZE];
	uint8_t report_data[SNP_REPORT_DATA_SIZE];
	uint8_t id_key[SNP_KEY_DIGEST_SIZE], author_key[SNP_KEY_DIGEST_SIZE];
	bool json;
};

static void inputs_free(struct verify_inputs *in)
{
	X509_free(in->key);
	X509_free(in->mid);
	X509_free(in->root);
	X509_free(in->anchor);
}

/* The key, the chain, the anchor and the product (see --help and docs/attestation.md). */
static int resolve_evidence(const struct verify_args *a, struct verify_inputs *in)
{
	struct vcek_extensions ext = { .bootloader = -1 };
	enum snp_product product = SNP_PRODUCT_UNKNOWN, named = SNP_PRODUCT_UNKNOWN;
	bool vlek = a->value[VOPT_VLEK] != NULL;
	struct file_map m = { 0 };
	struct diag d = { "" };
	X509 *amd_mid = NULL;
	int status;

	status = load_cert(vlek ? a->value[VOPT_VLEK] : a->value[VOPT_VCEK], vlek ? "VLEK" : "VCEK",
			   &in->key);
	if (status)
		return status;
	if (a->value[VOPT_PRODUCT] && snp_product_parse(a->value[VOPT_PRODUCT], &named) < 0)
		return fail(EXIT_USAGE, "--product '%s': expected milan, genoa or turin",
			    a->value[VOPT_PRODUCT]);
	if (a->value[VOPT_CHAIN]) {
		status = read_file(a->value[VOPT_CHAIN], "cert_chain", &m);
		if (status)
			return status;
		if (snp_cert_chain_load(m.data, m.size, &in->mid, &in->root, &d) < 0)
			status = fail(1, "cert_chain '%s': %s", a->value[VOPT_CHAIN], d.msg);
		file_map_close(&m);
		if (status)
			return status;
	}
	/* Which product: the one named, else the AMD root the chain ends in, else the one
	 * the key's productName or the report's CPUID names. */
	product = named;
	if (product == SNP_PRODUCT_UNKNOWN && in->root)
		product = amd_product_of_root(in->root, vlek);
	if (product == SNP_PRODUCT_UNKNOWN && vcek_read_extensions(in->key, &ext, NULL) == 0 &&
	    ext.product_name[0] && snp_product_parse(ext.product_name, &product) < 0)
		product = SNP_PRODUCT_UNKNOWN;
	if (product == SNP_PRODUCT_UNKNOWN)
		product = snp_report_product(&in->report);
	if (product == SNP_PRODUCT_UNKNOWN && !a->value[VOPT_ARK])
		return fail(EXIT_USAGE, "neither the key nor the report names the product: give "
					"--product or --chain");

	if (!in->root) {
		status = load_amd_chain(product, vlek, &in->mid, &in->root);
		if (status)
			return status;
	}
	if (a->value[VOPT_ARK]) {
		status = load_cert(a->value[VOPT_ARK], "ARK", &in->anchor);
		if (status)
			return status;
	} else {
		status = load_amd_chain(product, vlek, &amd_mid, &in->anchor);
		X509_free(amd_mid);
		if (status)
			return status;
	}
	in->ev = (struct attest_evidence){
		.report = &in->report,
		.key_cert = in->key,
		.vlek = vlek,
		.intermediate = in->mid,
		.root = in->root,
		.anchor = in->anchor,
		.anchor_is_amd = !a->value[VOPT_ARK],
		.product = product,
	};
	if (a->value[VOPT_AT_TIME])
		return parse_time(a->value[VOPT_AT_TIME], &in->ev.at);
	return 0;
}

static int parse_u64(const char *opt, const char *text, uint64_t max, uint64_t *ret)
{
	if (parse_uint(text, max, ret) < 0)
		return fail(EXIT_USAGE, "%s '%s': expected a number such as 0x30000", opt, text);
	return 0;
}

/* The expectations; launch options predict the measurement and name policy/host data. */
static int resolve_expectations(const struct verify_args *a, struct verify_inputs *in)
{
	struct attest_expectations *ex = &in->ex;
	struct vmm_options launch = { .kernel = NULL };
	struct diag d = { "" };
	uint64_t v;
	int status = 0, i;

#define HEX_EXPECTATION(opt, flag, buf, field)                                         \
	do {                                                                           \
		if (a->value[opt]) {                                                   \
			status = parse_hex_arg(flag, a->value[opt], buf, sizeof(buf)); \
			if (status)                                                    \
				return status;                                         \
			ex->field = buf;                                               \
		}                                                                      \
	} while (0)
	HEX_EXPECTATION(VOPT_MEASUREMENT, "--expect-measurement", in->measurement, measurement);
	HEX_EXPECTATION(VOPT_HOST_DATA, "--expect-host-data", in->host_data, host_data);
	HEX_EXPECTATION(VOPT_REPORT_DATA, "--expect-report-data", in->report_data, report_data);
	HEX_EXPECTATION(VOPT_ID_KEY_DIGEST, "--expect-id-key-digest", in->id_key, id_key_digest);
	HEX_EXPECTATION(VOPT_AUTHOR_KEY_DIGEST, "--expect-author-key-digest", in->author_key,
			author_key_digest);
#undef HEX_EXPECTATION
	if (a->value[VOPT_ID_KEY] && a->value[VOPT_ID_KEY_DIGEST])
		return fail(EXIT_USAGE, "--id-key and --expect-id-key-digest say the same thing");
	if (a->value[VOPT_AUTHOR_KEY] && a->value[VOPT_AUTHOR_KEY_DIGEST])
		return fail(EXIT_USAGE,
			    "--author-key and --expect-author-key-digest say the same thing");
	if (a->value[VOPT_POLICY]) {
		status = parse_u64("--expect-policy", a->value[VOPT_POLICY], UINT64_MAX,
				   &ex->policy);
		if (status)
			return status;
		ex->has_policy = true;
	}
	if (a->value[VOPT_VMPL]) {
		status = parse_u64("--expect-vmpl", a->value[VOPT_VMPL], 3, &v);
		if (status)
			return status;
		ex->vmpl = (uint32_t)v;
		ex->has_vmpl = true;
	}
	if (a->value[VOPT_MIN_TCB]) {
		if (attest_min_tcb_parse(a->value[VOPT_MIN_TCB], &in->min_tcb, &d) < 0)
			return fail(EXIT_USAGE, "%s", d.msg);
		ex->min_tcb = &in->min_tcb;
	}
	ex->allow_debug = a->value[VOPT_ALLOW_DEBUG] != NULL;

	if (a->nr_launch > 1) {
		if (ex->measurement)
			return fail(EXIT_USAGE, "give --expect-measurement or launch options to "
						"predict it, not both");
		for (i = 1; i < a->nr_launch; i++)
			if (!strcmp(a->launch[i], "--id-block") ||
			    !strcmp(a->launch[i], "--id-auth"))
				return fail(EXIT_USAGE,
					    "%s does not change the measurement; check the ID key "
					    "with --id-key KEY.pem or --expect-id-key-digest HEX",
					    a->launch[i]);
		status = measure_digest(a->nr_launch, a->launch, in->measurement, &launch);
		if (status)
			return status;
		ex->measurement = in->measurement;
		ex->measurement_source = "the launch options";
		if (launch.kernel && launch.snp.policy != UINT64_MAX) {
			if (ex->has_policy && ex->policy != launch.snp.policy)
				return fail(EXIT_USAGE,
					    "--policy 0x%llx and --expect-policy 0x%llx "
					    "disagree",
					    (unsigned long long)launch.snp.policy,
					    (unsigned long long)ex->policy);
			ex->has_policy = true;
			ex->policy = launch.snp.policy;
		}
		if (launch.kernel && launch.snp.have_host_data) {
			if (ex->host_data &&
			    memcmp(ex->host_data, launch.snp.host_data, SNP_HOST_DATA_SIZE))
				return fail(EXIT_USAGE,
					    "--host-data and --expect-host-data disagree");
			memcpy(in->host_data, launch.snp.host_data, SNP_HOST_DATA_SIZE);
			ex->host_data = in->host_data;
		}
	} else if (ex->measurement) {
		ex->measurement_source = "--expect-measurement";
	}
	if (a->value[VOPT_ID_KEY]) {
		status = load_key_digest(a->value[VOPT_ID_KEY], "ID key", in->id_key);
		if (status)
			return status;
		ex->id_key_digest = in->id_key;
	}
	if (a->value[VOPT_AUTHOR_KEY]) {
		status = load_key_digest(a->value[VOPT_AUTHOR_KEY], "author key", in->author_key);
		if (status)
			return status;
		ex->author_key_digest = in->author_key;
	}
	return 0;
}

/* ---- output ---- */

static const char *status_name(enum attest_status s)
{
	return s == ATTEST_PASS ? "pass" : s == ATTEST_FAIL ? "FAIL" : "skip";
}

static const char *signer_name(const struct snp_report *r)
{
	switch (SNP_KEY_INFO_SIGNING_KEY(r->key_info)) {
	case SNP_SIGNING_KEY_VCEK:
		return "VCEK";
	case SNP_SIGNING_KEY_VLEK:
		return "VLEK";
	case SNP_SIGNING_KEY_NONE:
		return "none";
	}
	return "reserved";
}

static void print_text(const struct verify_inputs *in, const struct attest_result *res)
{
	const struct snp_report *r = &in->report;
	char meas[2 * SNP_LD_SIZE + 1];
	unsigned int i;

	snp_hex(r->measurement, SNP_LD_SIZE, meas);
	printf("report: version %u, VMPL %u, policy 0x%llx, signed by the %s, product %s\n",
	       r->version, r->vmpl, (unsigned long long)r->policy, signer_name(r),
	       snp_product_name(in->ev.product));
	printf("measurement: %s\n", meas);
	for (i = 0; i < res->nr; i++) {
		const struct attest_check *c = &res->checks[i];

		printf("  %s  %-12s %s\n", status_name(c->status), c->name, c->detail);
		if (c->status == ATTEST_FAIL && (c->expected[0] || c->actual[0]))
			printf("        expected %s\n        found    %s\n", c->expected,
			       c->actual);
	}
	if (res->failed)
		printf("result: FAIL (%u of %u checks failed)\n", res->failed, res->nr);
	else
		printf("result: PASS\n");
}

static void json_pair(const char *key, const char *value, bool comma)
{
	char buf[700];

	printf("\"%s\":%s%s", key, events_json_str(value, buf, sizeof(buf)), comma ? "," : "");
}

static void json_hex(const char *key, const uint8_t *b, size_t n)
{
	char hex[2 * SNP_CHIP_ID_SIZE + 1];

	snp_hex(b, n, hex);
	json_pair(key, hex, true);
}

static void print_json(const struct verify_inputs *in, const struct attest_result *res)
{
	const struct snp_report *r = &in->report;
	struct snp_tcb tcb;
	char tcb_text[80];
	unsigned int i;
	bool first;

	printf("{\"result\":\"%s\",\"failed\":[", res->failed ? "fail" : "pass");
	for (i = 0, first = true; i < res->nr; i++) {
		if (res->checks[i].status != ATTEST_FAIL)
			continue;
		printf("%s\"%s\"", first ? "" : ",", res->checks[i].name);
		first = false;
	}
	printf("],\"report\":{\"version\":%u,\"vmpl\":%u,\"guest_svn\":%u,\"policy\":\"0x%llx\",",
	       r->version, r->vmpl, r->guest_svn, (unsigned long long)r->policy);
	json_pair("signing_key", signer_name(r), true);
	json_pair("product", snp_product_name(in->ev.product), true);
	json_hex("measurement", r->measurement, SNP_LD_SIZE);
	json_hex("host_data", r->host_data, SNP_HOST_DATA_SIZE);
	json_hex("report_data", r->report_data, SNP_REPORT_DATA_SIZE);
	json_hex("id_key_digest", r->id_key_digest, SNP_KEY_DIGEST_SIZE);
	json_hex("author_key_digest", r->author_key_digest, SNP_KEY_DIGEST_SIZE);
	json_hex("chip_id", r->chip_id, SNP_CHIP_ID_SIZE);
	snp_tcb_decode(r->reported_tcb, in->ev.product, &tcb);
	json_pair("reported_tcb", snp_tcb_format(&tcb, tcb_text, sizeof(tcb_text)), false);
	printf("},\"checks\":[");
	for (i = 0; i < res->nr; i++) {
		const struct attest_check *c = &res->checks[i];

		printf("%s{", i ? "," : "");
		json_pair("name", c->name, true);
		json_pair("status",
			  c->status == ATTEST_PASS   ? "pass"
			  : c->status == ATTEST_FAIL ? "fail"
						     : "skip",
			  true);
		if (c->expected[0])
			json_pair("expected", c->expected, true);
		if (c->actual[0])
			json_pair("found", c->actual, true);
		json_pair("detail", c->detail, false);
		printf("}");
	}
	printf("]}\n");
}

/* One stderr line naming every failed check with both values. */
static void print_failure_line(const struct attest_result *res)
{
	char line[2048];
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < res->nr && n < sizeof(line); i++) {
		const struct attest_check *c = &res->checks[i];

		if (c->status != ATTEST_FAIL)
			continue;
		if (c->expected[0] || c->actual[0])
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "%s%s (expected %s, found %s)", n ? "; " : "",
					      c->name, c->expected, c->actual);
		else
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s (%s)",
					      n ? "; " : "", c->name, c->detail);
	}
	fprintf(stderr, PROG ": %u check%s failed: %s\n", res->failed, res->failed > 1 ? "s" : "",
		line);
}

int cmd_verify(int argc, char **argv)
{
	struct verify_args a = { .nr_launch = 0 };
	struct verify_inputs *in = NULL;
	struct attest_result *res = NULL;
	int status;

	status = split_args(argc, argv, &a);
	if (status)
		goto out;
	if (a.value[VOPT_HELP]) {
		option_table_help(&verify_options, stdout);
		goto out;
	}
	if (!a.value[VOPT_REPORT]) {
		status = fail(EXIT_USAGE, "--report FILE is required (see --help)");
		goto out;
	}
	if (!a.value[VOPT_VCEK] == !a.value[VOPT_VLEK]) {
		status = fail(EXIT_USAGE, "give the key that signed the report: --vcek FILE or "
					  "--vlek FILE (one of them)");
		goto out;
	}
	if (a.value[VOPT_ARK] && !a.value[VOPT_CHAIN]) {
		status = fail(EXIT_USAGE, "--ark needs --chain: the ASK and ARK the key was issued "
					  "under");
		goto out;
	}
	in = calloc(1, sizeof(*in));
	res = calloc(1, sizeof(*res));
	if (!in || !res) {
		status = fail(1, "out of memory");
		goto out;
	}
	in->json = a.value[VOPT_JSON] != NULL;
	/* Usage errors in the expectations first, then the files. */
	status = resolve_expectations(&a, in);
	if (!status)
		status = load_report(a.value[VOPT_REPORT], &in->report);
	if (!status)
		status = resolve_evidence(&a, in);
	if (status)
		goto out;

	attest_verify(&in->ev, &in->ex, res);
	if (in->json)
		print_json(in, res);
	else
		print_text(in, res);
	if (fflush(stdout) != 0) {
		status = fail(1, "cannot write the result: %s", strerror(errno));
		goto out;
	}
	if (res->failed) {
		print_failure_line(res);
		status = 1;
	}
out:
	if (in)
		inputs_free(in);
	free(in);
	free(res);
	free(a.launch);
	return status;
}
