// SPDX-License-Identifier: MIT
/*
 * The checks of `snpvmm verify` (include/snp/attest.h, docs/attestation.md). Each check
 * is recorded with its outcome and both values; none stops the others, so a user sees
 * every problem of a report at once.
 */
#include "snp/attest.h"

#include <assert.h>
#include <errno.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/kvm_snp.h"
#include "snp/launch_digest.h"
#include "snp/vcek.h"

/* ---- recording ---- */

static struct attest_check *add(struct attest_result *res, const char *name)
{
	struct attest_check *c;

	assert(res->nr < ATTEST_MAX_CHECKS);
	c = &res->checks[res->nr++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->status = ATTEST_PASS;
	return c;
}

__attribute__((format(printf, 3, 4))) static void
set(struct attest_check *c, enum attest_status status, const char *fmt, ...)
{
	va_list ap;

	c->status = status;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

static void hex_into(char *out, size_t size, const uint8_t *b, size_t n)
{
	char buf[2 * SNP_CHIP_ID_SIZE + 1];

	assert(n <= SNP_CHIP_ID_SIZE);
	snp_hex(b, n, buf);
	snprintf(out, size, "%s", buf);
}

static bool all_zero(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* An exact comparison of a report field with what the user asked for. */
static void compare_bytes(struct attest_result *res, const char *name, const char *field,
			  const uint8_t *want, const uint8_t *have, size_t n, const char *how)
{
	struct attest_check *c = add(res, name);

	if (!want) {
		set(c, ATTEST_SKIP, "not requested (%s)", how);
		return;
	}
	hex_into(c->expected, sizeof(c->expected), want, n);
	hex_into(c->actual, sizeof(c->actual), have, n);
	if (memcmp(want, have, n) == 0)
		set(c, ATTEST_PASS, "the report's %s is the expected one", field);
	else
		set(c, ATTEST_FAIL, "the report's %s differs from the expected one", field);
}

/* ---- signature and key ---- */

int snp_report_verify_signature(const struct snp_report *r, EVP_PKEY *key, struct diag *d)
{
	if (r->signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return diag_fail(d, -EBADMSG,
				 "SIGNATURE_ALGO is %u, not %d (ECDSA P-384 with SHA-384)",
				 r->signature_algo, SNP_SIG_ALGO_ECDSA_P384_SHA384);
	/* The 512-byte field holds r and s; the rest is reserved and zero (56860
	 * "ECDSA Signature"), so every byte of it is part of what we accept. */
	if (!all_zero(r->signature.reserved, sizeof(r->signature.reserved)))
		return diag_fail(d, -EBADMSG, "the signature's reserved bytes are not zero");
	return snp_ecdsa_verify(key, &r->signature, r, SNP_REPORT_SIGNED_SIZE, d);
}

static const char *key_kind(bool vlek)
{
	return vlek ? "VLEK" : "VCEK";
}

static void check_signing_key(struct attest_result *res, const struct attest_evidence *ev,
			      const struct vcek_extensions *ext, const struct diag *ext_err)
{
	struct attest_check *c = add(res, "signing-key");
	unsigned int sk = SNP_KEY_INFO_SIGNING_KEY(ev->report->key_info);
	unsigned int want = ev->vlek ? SNP_SIGNING_KEY_VLEK : SNP_SIGNING_KEY_VCEK;

	snprintf(c->expected, sizeof(c->expected), "%u (%s)", want, key_kind(ev->vlek));
	snprintf(c->actual, sizeof(c->actual), "%u (%s)", sk,
		 sk == SNP_SIGNING_KEY_VCEK   ? "VCEK"
		 : sk == SNP_SIGNING_KEY_VLEK ? "VLEK"
		 : sk == SNP_SIGNING_KEY_NONE ? "none"
					      : "reserved");
	if (ext_err->msg[0])
		set(c, ATTEST_FAIL, "the %s's AMD extensions are malformed: %s", key_kind(ev->vlek),
		    ext_err->msg);
	else if (sk != want)
		set(c, ATTEST_FAIL, "KEY_INFO.SIGNING_KEY says the report was not signed by a %s",
		    key_kind(ev->vlek));
	else if (ext->has_csp_id != ev->vlek)
		set(c, ATTEST_FAIL,
		    "the certificate given as the %s %s a cspID extension (VLEKs "
		    "have one, VCEKs do not)",
		    key_kind(ev->vlek), ext->has_csp_id ? "has" : "lacks");
	else
		set(c, ATTEST_PASS, "KEY_INFO.SIGNING_KEY names the %s", key_kind(ev->vlek));
}

static void check_signature(struct attest_result *res, const struct attest_evidence *ev)
{
	struct attest_check *c = add(res, "signature");
	EVP_PKEY *key = X509_get0_pubkey(ev->key_cert);
	struct diag d = { "" };

	if (!key)
		set(c, ATTEST_FAIL, "the %s's public key cannot be decoded", key_kind(ev->vlek));
	else if (snp_report_verify_signature(ev->report, key, &d) < 0)
		set(c, ATTEST_FAIL, "%s", d.msg);
	else
		set(c, ATTEST_PASS,
		    "ECDSA P-384/SHA-384 over bytes 0x0-0x29f verifies with the "
		    "%s's key",
		    key_kind(ev->vlek));
}

static void check_chain(struct attest_result *res, const struct attest_evidence *ev)
{
	struct attest_check *c = add(res, "chain");
	char leaf[64], mid[64], root[64], anchor[64];
	uint8_t fp[32];
	struct diag d = { "" };

	snp_cert_cn(ev->key_cert, leaf, sizeof(leaf));
	snp_cert_cn(ev->intermediate, mid, sizeof(mid));
	snp_cert_cn(ev->root, root, sizeof(root));
	snp_cert_cn(ev->anchor, anchor, sizeof(anchor));
	if (X509_cmp(ev->root, ev->anchor) != 0) {
		if (snp_cert_sha256(ev->root, fp) == 0)
			hex_into(c->actual, sizeof(c->actual), fp, sizeof(fp));
		if (snp_cert_sha256(ev->anchor, fp) == 0)
			hex_into(c->expected, sizeof(c->expected), fp, sizeof(fp));
		set(c, ATTEST_FAIL,
		    "the chain ends in ARK '%s', which is not the trusted %s '%s' "
		    "(SHA-256 fingerprints below)",
		    root, ev->anchor_is_amd ? "AMD root" : "user-supplied root", anchor);
		return;
	}
	if (snp_cert_chain_verify(ev->key_cert, ev->intermediate, ev->root, ev->at, &d) < 0) {
		set(c, ATTEST_FAIL, "%s '%s' <- '%s' <- '%s': %s", key_kind(ev->vlek), leaf, mid,
		    root, d.msg);
		return;
	}
	set(c, ATTEST_PASS, "%s '%s' <- '%s' <- '%s' (%s)", key_kind(ev->vlek), leaf, mid, root,
	    ev->anchor_is_amd ? "AMD's root" : "a user-supplied root, NOT AMD's");
}

/* ---- the key's claims about the chip ---- */

static void check_product(struct attest_result *res, const struct attest_evidence *ev)
{
	struct attest_check *c = add(res, "product");
	const struct snp_report *r = ev->report;
	enum snp_product rp = snp_report_product(r);

	if (r->version < 3) {
		set(c, ATTEST_SKIP, "a version %u report does not name its CPU", r->version);
		return;
	}
	snprintf(c->actual, sizeof(c->actual), "%s (CPUID family %02xh model %02xh stepping %u)",
		 snp_product_name(rp), r->cpuid_fam_id, r->cpuid_mod_id, r->cpuid_step);
	snprintf(c->expected, sizeof(c->expected), "%s", snp_product_name(ev->product));
	if (rp == SNP_PRODUCT_UNKNOWN)
		set(c, ATTEST_FAIL, "the report's CPU is not a known SEV-SNP product");
	else if (ev->product != SNP_PRODUCT_UNKNOWN && rp != ev->product)
		set(c, ATTEST_FAIL, "the report's CPU is a %s, the key's chain is %s's",
		    snp_product_name(rp), snp_product_name(ev->product));
	else
		set(c, ATTEST_PASS, "the report's CPU is a %s", snp_product_name(rp));
}

static void check_chip_id(struct attest_result *res, const struct attest_evidence *ev,
			  const struct vcek_extensions *ext)
{
	struct attest_check *c = add(res, "chip-id");
	const uint8_t *chip = ev->report->chip_id;

	if (ev->vlek) {
		set(c, ATTEST_SKIP, "a VLEK belongs to a cloud provider, not to one chip");
		return;
	}
	hex_into(c->actual, sizeof(c->actual), chip, SNP_CHIP_ID_SIZE);
	if (ext->hwid_len == 0) {
		set(c, ATTEST_FAIL, "the VCEK has no hwID extension");
		return;
	}
	hex_into(c->expected, sizeof(c->expected), ext->hwid, ext->hwid_len);
	if (all_zero(chip, SNP_CHIP_ID_SIZE)) {
		set(c, ATTEST_SKIP,
		    "the report's CHIP_ID is zero (masked by the host): only the "
		    "signature ties the report to this VCEK");
		return;
	}
	/* Turin's hwID is 8 bytes; its reports carry them followed by 56 zero bytes. */
	if (memcmp(chip, ext->hwid, ext->hwid_len) != 0 ||
	    !all_zero(chip + ext->hwid_len, SNP_CHIP_ID_SIZE - ext->hwid_len))
		set(c, ATTEST_FAIL, "the report's CHIP_ID is not the VCEK's hwID");
	else
		set(c, ATTEST_PASS, "the report's CHIP_ID is the VCEK's hwID");
}

static enum snp_product tcb_product(const struct attest_evidence *ev)
{
	return ev->product != SNP_PRODUCT_UNKNOWN ? ev->product : snp_report_product(ev->report);
}

static void check_tcb(struct attest_result *res, const struct attest_evidence *ev,
		      const struct vcek_extensions *ext)
{
	struct attest_check *c = add(res, "tcb");
	enum snp_product p = tcb_product(ev);
	struct snp_tcb have, want;
	bool missing;

	if (p == SNP_PRODUCT_UNKNOWN) {
		set(c, ATTEST_FAIL,
		    "the TCB layout depends on the product, which neither the key's "
		    "chain nor the report names (give --product)");
		return;
	}
	snp_tcb_decode(ev->report->reported_tcb, p, &have);
	snp_tcb_format(&have, c->actual, sizeof(c->actual));
	missing = ext->bootloader < 0 || ext->tee < 0 || ext->snp < 0 || ext->microcode < 0 ||
		  (have.has_fmc && ext->fmc < 0);
	if (missing && ev->vlek && ext->bootloader < 0 && ext->snp < 0) {
		set(c, ATTEST_SKIP, "the VLEK carries no SPL extensions");
		return;
	}
	if (missing) {
		set(c, ATTEST_FAIL, "the %s lacks an SPL extension the %s TCB has",
		    key_kind(ev->vlek), snp_product_name(p));
		return;
	}
	want = (struct snp_tcb){ .fmc = (uint8_t)(have.has_fmc ? ext->fmc : 0),
				 .bootloader = (uint8_t)ext->bootloader,
				 .tee = (uint8_t)ext->tee,
				 .snp = (uint8_t)ext->snp,
				 .microcode = (uint8_t)ext->microcode,
				 .has_fmc = have.has_fmc };
	snp_tcb_format(&want, c->expected, sizeof(c->expected));
	if (want.fmc != have.fmc || want.bootloader != have.bootloader || want.tee != have.tee ||
	    want.snp != have.snp || want.microcode != have.microcode)
		set(c, ATTEST_FAIL,
		    "the report's REPORTED_TCB is not the TCB the %s was issued for",
		    key_kind(ev->vlek));
	else
		set(c, ATTEST_PASS, "REPORTED_TCB equals the %s's SPL extensions (%s layout)",
		    key_kind(ev->vlek), snp_product_name(p));
}

/* ---- the user's expectations ---- */

static void check_policy(struct attest_result *res, const struct attest_evidence *ev,
			 const struct attest_expectations *ex)
{
	struct attest_check *c = add(res, "policy");
	uint64_t have = ev->report->policy;

	if (!ex->has_policy) {
		set(c, ATTEST_SKIP, "not requested (--expect-policy)");
		return;
	}
	snprintf(c->expected, sizeof(c->expected), "0x%llx", (unsigned long long)ex->policy);
	snprintf(c->actual, sizeof(c->actual), "0x%llx", (unsigned long long)have);
	if (have == ex->policy)
		set(c, ATTEST_PASS, "the guest policy is the expected one");
	else
		set(c, ATTEST_FAIL, "the guest policy differs from the expected one");
}

static void check_debug(struct attest_result *res, const struct attest_evidence *ev,
			const struct attest_expectations *ex)
{
	struct attest_check *c = add(res, "debug");
	uint64_t policy = ev->report->policy;

	snprintf(c->actual, sizeof(c->actual), "policy 0x%llx", (unsigned long long)policy);
	if (!(policy & SNP_POLICY_DEBUG))
		set(c, ATTEST_PASS, "policy DEBUG (bit 19) is clear");
	else if (ex->allow_debug)
		set(c, ATTEST_PASS, "policy DEBUG (bit 19) is set, allowed by --allow-debug");
	else {
		snprintf(c->expected, sizeof(c->expected), "DEBUG (bit 19) clear");
		set(c, ATTEST_FAIL,
		    "policy DEBUG (bit 19) is set: the host may decrypt and change "
		    "guest memory (--allow-debug accepts it)");
	}
}

static void check_vmpl(struct attest_result *res, const struct attest_evidence *ev,
		       const struct attest_expectations *ex)
{
	struct attest_check *c = add(res, "vmpl");

	if (!ex->has_vmpl) {
		set(c, ATTEST_SKIP, "not requested (--expect-vmpl); the report is from VMPL %u",
		    ev->report->vmpl);
		return;
	}
	snprintf(c->expected, sizeof(c->expected), "%u", ex->vmpl);
	snprintf(c->actual, sizeof(c->actual), "%u", ev->report->vmpl);
	if (ev->report->vmpl == ex->vmpl)
		set(c, ATTEST_PASS, "the report was requested at the expected VMPL");
	else
		set(c, ATTEST_FAIL, "the report was requested at another VMPL");
}

static void check_min_tcb(struct attest_result *res, const struct attest_evidence *ev,
			  const struct attest_expectations *ex)
{
	struct attest_check *c = add(res, "min-tcb");
	const struct attest_min_tcb *m = ex->min_tcb;
	enum snp_product p = tcb_product(ev);
	struct snp_tcb have;

	if (!m) {
		set(c, ATTEST_SKIP, "not requested (--min-tcb)");
		return;
	}
	snprintf(c->expected, sizeof(c->expected), "fmc>=%d bl>=%d tee>=%d snp>=%d ucode>=%d",
		 m->fmc, m->bootloader, m->tee, m->snp, m->microcode);
	if (p == SNP_PRODUCT_UNKNOWN) {
		set(c, ATTEST_FAIL, "the TCB layout depends on the product, which is unknown");
		return;
	}
	snp_tcb_decode(ev->report->reported_tcb, p, &have);
	snp_tcb_format(&have, c->actual, sizeof(c->actual));
	if (m->fmc >= 0 && !have.has_fmc)
		set(c, ATTEST_FAIL, "a %s TCB has no FMC component", snp_product_name(p));
	else if ((m->fmc >= 0 && have.fmc < m->fmc) || have.bootloader < m->bootloader ||
		 have.tee < m->tee || have.snp < m->snp || have.microcode < m->microcode)
		set(c, ATTEST_FAIL, "REPORTED_TCB is below the minimum");
	else
		set(c, ATTEST_PASS, "REPORTED_TCB reaches the minimum in every component given");
}

void attest_verify(const struct attest_evidence *ev, const struct attest_expectations *ex,
		   struct attest_result *ret_result)
{
	const struct snp_report *r = ev->report;
	struct vcek_extensions ext = { .bootloader = -1 };
	struct diag ext_err = { "" };
	struct attest_check *c;
	unsigned int i;

	memset(ret_result, 0, sizeof(*ret_result));
	if (vcek_read_extensions(ev->key_cert, &ext, &ext_err) < 0)
		ext = (struct vcek_extensions){
			.bootloader = -1, .tee = -1, .snp = -1, .microcode = -1, .fmc = -1
		};

	check_signing_key(ret_result, ev, &ext, &ext_err);
	check_signature(ret_result, ev);
	check_chain(ret_result, ev);
	check_product(ret_result, ev);
	check_chip_id(ret_result, ev, &ext);
	check_tcb(ret_result, ev, &ext);

	compare_bytes(ret_result, "measurement", "MEASUREMENT", ex->measurement, r->measurement,
		      SNP_LD_SIZE, "--expect-measurement, or the launch options to predict it");
	if (ex->measurement && ex->measurement_source) {
		c = &ret_result->checks[ret_result->nr - 1];
		if (c->status == ATTEST_PASS)
			snprintf(c->detail, sizeof(c->detail),
				 "the report's MEASUREMENT is the one predicted from %s",
				 ex->measurement_source);
	}
	check_policy(ret_result, ev, ex);
	check_debug(ret_result, ev, ex);
	compare_bytes(ret_result, "host-data", "HOST_DATA", ex->host_data, r->host_data,
		      SNP_HOST_DATA_SIZE, "--expect-host-data");
	compare_bytes(ret_result, "report-data", "REPORT_DATA", ex->report_data, r->report_data,
		      SNP_REPORT_DATA_SIZE, "--expect-report-data");
	compare_bytes(ret_result, "id-key", "ID_KEY_DIGEST", ex->id_key_digest, r->id_key_digest,
		      SNP_KEY_DIGEST_SIZE, "--expect-id-key-digest or --id-key");
	compare_bytes(ret_result, "author-key", "AUTHOR_KEY_DIGEST", ex->author_key_digest,
		      r->author_key_digest, SNP_KEY_DIGEST_SIZE,
		      "--expect-author-key-digest or --author-key");
	check_vmpl(ret_result, ev, ex);
	check_min_tcb(ret_result, ev, ex);

	for (i = 0; i < ret_result->nr; i++)
		if (ret_result->checks[i].status == ATTEST_FAIL)
			ret_result->failed++;
}

/* ---- helpers for the edge ---- */

static int parse_component(const char *s, size_t n, int *ret)
{
	char buf[8];
	char *end;
	long v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	v = strtol(buf, &end, 0);
	if (*end || v < 0 || v > 255)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int attest_min_tcb_parse(const char *text, struct attest_min_tcb *ret_min, struct diag *d)
{
	struct attest_min_tcb m = { -1, -1, -1, -1, -1 };
	const char *p = text;

	while (*p) {
		const char *comma = strchr(p, ',');
		const char *eq = strchr(p, '=');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		size_t key_len;
		int *field = NULL;

		if (!eq || eq >= p + len)
			goto bad;
		key_len = (size_t)(eq - p);
		if (key_len == 2 && !strncmp(p, "bl", 2))
			field = &m.bootloader;
		else if (key_len == 3 && !strncmp(p, "tee", 3))
			field = &m.tee;
		else if (key_len == 3 && !strncmp(p, "snp", 3))
			field = &m.snp;
		else if (key_len == 5 && !strncmp(p, "ucode", 5))
			field = &m.microcode;
		else if (key_len == 3 && !strncmp(p, "fmc", 3))
			field = &m.fmc;
		if (!field || *field >= 0 || parse_component(eq + 1, len - key_len - 1, field) < 0)
			goto bad;
		if (!comma)
			break;
		p = comma + 1;
		if (!*p)
			goto bad;
	}
	if (m.fmc < 0 && m.bootloader < 0 && m.tee < 0 && m.snp < 0 && m.microcode < 0)
		goto bad;
	*ret_min = m;
	return 0;
bad:
	return diag_fail(d, -EINVAL,
			 "--min-tcb '%s': expected NAME=N pairs separated by commas, names bl, "
			 "tee, snp, ucode, fmc (each once), N from 0 to 255",
			 text);
}

int snp_key_digest(EVP_PKEY *key, uint8_t ret_digest[SNP_KEY_DIGEST_SIZE], struct diag *d)
{
	struct snp_ecdsa_pubkey pub;
	int r;

	/* 56860 ID_KEY_DIGEST: SHA-384 of the whole 0x404-byte public key structure, the
	 * same bytes SNP_LAUNCH_FINISH received in ID_AUTH_INFO.ID_KEY. */
	r = snp_ecdsa_pubkey_from_pkey(key, &pub, d);
	if (r < 0)
		return r;
	r = snp_sha384(&pub, sizeof(pub), ret_digest);
	if (r < 0)
		return diag_fail(d, r, "SHA-384 failed");
	return 0;
}
