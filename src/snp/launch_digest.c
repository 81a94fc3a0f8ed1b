// SPDX-License-Identifier: MIT
/*
 * The launch digest chain: LD := SHA-384(PAGE_INFO) per 4 KiB step
 * (SEV-SNP ABI 56860 SNP_LAUNCH_UPDATE "PAGE_INFO", after sev-snp-measure gctx.py).
 */
#include "snp/launch_digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abi/kvm_snp.h"
#include "util/ossl_err.h"

/* Our page-type enum is the firmware's numbering, which the KVM uAPI reuses. */
_Static_assert(SNP_PAGE_NORMAL == KVM_SEV_SNP_PAGE_TYPE_NORMAL, "NORMAL");
_Static_assert(SNP_PAGE_VMSA == SNP_PAGE_TYPE_VMSA, "VMSA");
_Static_assert(SNP_PAGE_ZERO == KVM_SEV_SNP_PAGE_TYPE_ZERO, "ZERO");
_Static_assert(SNP_PAGE_UNMEASURED == KVM_SEV_SNP_PAGE_TYPE_UNMEASURED, "UNMEASURED");
_Static_assert(SNP_PAGE_SECRETS == KVM_SEV_SNP_PAGE_TYPE_SECRETS, "SECRETS");
_Static_assert(SNP_PAGE_CPUID == KVM_SEV_SNP_PAGE_TYPE_CPUID, "CPUID");

static const EVP_MD *ld_md(const struct launch_digest *ld)
{
	return ld->md ? ld->md : EVP_sha384();
}

int launch_digest_init(struct launch_digest *ld, const uint8_t *seed)
{
	memset(ld, 0, sizeof(*ld));
	if (seed)
		memcpy(ld->ld, seed, SNP_LD_SIZE);
	ld->md_ctx = EVP_MD_CTX_new();
	if (!ld->md_ctx)
		return ossl_errno(-ENOMEM);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	/* An explicit fetch: EVP_sha384() would make OpenSSL 3 look the implementation up
	 * again on every EVP_DigestInit_ex, twice per page (openssl-migration_guide(7),
	 * "Fetching algorithms"). */
	ld->md = EVP_MD_fetch(NULL, "SHA384", NULL);
	if (!ld->md) {
		launch_digest_fini(ld);
		return ossl_errno(-EIO);
	}
#endif
	return 0;
}

void launch_digest_fini(struct launch_digest *ld)
{
	if (!ld)
		return;
	EVP_MD_CTX_free(ld->md_ctx);
	ld->md_ctx = NULL;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	EVP_MD_free(ld->md);
#endif
	ld->md = NULL;
}

void launch_digest_set_trace(struct launch_digest *ld, launch_digest_trace_fn fn, void *opaque)
{
	ld->trace = fn;
	ld->trace_opaque = opaque;
}

static int ld_hash(struct launch_digest *ld, const void *data, size_t len, uint8_t out[SNP_LD_SIZE])
{
	unsigned int n = 0;

	if (!ld->md_ctx)
		return -EINVAL;
	if (EVP_DigestInit_ex(ld->md_ctx, ld_md(ld), NULL) != 1 ||
	    EVP_DigestUpdate(ld->md_ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(ld->md_ctx, out, &n) != 1 || n != SNP_LD_SIZE)
		return ossl_errno(-EIO);
	return 0;
}

int snp_sha384(const void *data, size_t len, uint8_t out[SNP_LD_SIZE])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha384(), NULL) != 1 || n != SNP_LD_SIZE)
		return ossl_errno(-EIO);
	return 0;
}

static bool page_aligned(uint64_t v)
{
	return (v & (SNP_PAGE_SIZE - 1)) == 0;
}

int launch_digest_add_page_hash(struct launch_digest *ld, enum snp_page_type type, uint64_t gpa,
				const uint8_t *contents)
{
	struct snp_page_info info = {
		.length = sizeof(struct snp_page_info),
		.page_type = (uint8_t)type,
		.gpa = gpa,
	};
	struct launch_digest_step step;
	int r;

	if (!page_aligned(gpa) || type < SNP_PAGE_NORMAL || type > SNP_PAGE_CPUID)
		return -EINVAL;
	memcpy(info.digest_cur, ld->ld, SNP_LD_SIZE);
	if (contents)
		memcpy(info.contents, contents, SNP_LD_SIZE);
	r = ld_hash(ld, &info, sizeof(info), ld->ld);
	if (r < 0)
		return r;

	if (ld->trace) {
		step.index = ld->steps;
		step.page_type = type;
		step.gpa = gpa;
		memcpy(step.contents, info.contents, SNP_LD_SIZE);
		memcpy(step.digest_after, ld->ld, SNP_LD_SIZE);
		ld->trace(ld->trace_opaque, &step);
	}
	ld->steps++;
	return 0;
}

int launch_digest_add_page(struct launch_digest *ld, enum snp_page_type type, uint64_t gpa,
			   const void *page)
{
	uint8_t contents[SNP_LD_SIZE];
	int r;

	/* Only NORMAL and VMSA pages contribute their contents; for ZERO, UNMEASURED,
	 * SECRETS and CPUID the firmware measures 48 zero bytes (56860 PAGE_INFO; gctx.py). */
	if (type != SNP_PAGE_NORMAL && type != SNP_PAGE_VMSA)
		return launch_digest_add_page_hash(ld, type, gpa, NULL);
	if (!page)
		return -EINVAL;
	r = ld_hash(ld, page, SNP_PAGE_SIZE, contents);
	if (r < 0)
		return r;
	return launch_digest_add_page_hash(ld, type, gpa, contents);
}

/* [gpa, gpa+len) must not wrap past 2^64. */
static bool range_ok(uint64_t gpa, uint64_t len)
{
	return page_aligned(gpa) && (len == 0 || len - 1 <= UINT64_MAX - gpa);
}

int launch_digest_add_normal_pages(struct launch_digest *ld, uint64_t gpa, const void *data,
				   size_t len)
{
	const uint8_t *p = data;
	uint8_t last[SNP_PAGE_SIZE];
	size_t off;
	int r;

	if (!range_ok(gpa, len) || (len && !data))
		return -EINVAL;
	for (off = 0; len - off >= SNP_PAGE_SIZE; off += SNP_PAGE_SIZE) {
		r = launch_digest_add_page(ld, SNP_PAGE_NORMAL, gpa + off, p + off);
		if (r < 0)
			return r;
	}
	if (off == len)
		return 0;
	memset(last, 0, sizeof(last));
	memcpy(last, p + off, len - off);
	return launch_digest_add_page(ld, SNP_PAGE_NORMAL, gpa + off, last);
}

struct normal_walk {
	struct launch_digest *ld;
	uint64_t gpa;
};

static int normal_piece(void *opaque, uint64_t piece_off, const uint8_t *piece, size_t n)
{
	struct normal_walk *w = opaque;
	uint64_t gpa = w->gpa + piece_off;

	/* Pieces start on page boundaries (SOURCE_CHUNK is a page multiple); only the last
	 * one can end inside a page. */
	_Static_assert(SOURCE_CHUNK % SNP_PAGE_SIZE == 0, "pieces are whole pages");
	return launch_digest_add_normal_pages(w->ld, gpa, piece, n);
}

int launch_digest_add_normal_source(struct launch_digest *ld, uint64_t gpa,
				    const struct byte_source *src, uint64_t off, uint64_t len,
				    struct diag *d)
{
	struct normal_walk w = { ld, gpa };

	if (!range_ok(gpa, len))
		return -EINVAL;
	return source_walk(src, off, len, normal_piece, &w, d);
}

static int add_empty_pages(struct launch_digest *ld, enum snp_page_type type, uint64_t gpa,
			   uint64_t len)
{
	uint64_t off;
	int r;

	if (!range_ok(gpa, len) || !page_aligned(len))
		return -EINVAL;
	for (off = 0; off < len; off += SNP_PAGE_SIZE) {
		r = launch_digest_add_page_hash(ld, type, gpa + off, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int launch_digest_add_zero_pages(struct launch_digest *ld, uint64_t gpa, uint64_t len)
{
	return add_empty_pages(ld, SNP_PAGE_ZERO, gpa, len);
}

int launch_digest_add_unmeasured_pages(struct launch_digest *ld, uint64_t gpa, uint64_t len)
{
	return add_empty_pages(ld, SNP_PAGE_UNMEASURED, gpa, len);
}

int launch_digest_add_secrets_page(struct launch_digest *ld, uint64_t gpa)
{
	return launch_digest_add_page_hash(ld, SNP_PAGE_SECRETS, gpa, NULL);
}

int launch_digest_add_cpuid_page(struct launch_digest *ld, uint64_t gpa)
{
	return launch_digest_add_page_hash(ld, SNP_PAGE_CPUID, gpa, NULL);
}

int launch_digest_add_vmsa(struct launch_digest *ld, const uint8_t *page)
{
	return launch_digest_add_page(ld, SNP_PAGE_VMSA, SNP_VMSA_GPA, page);
}

const char *snp_page_type_name(enum snp_page_type type)
{
	switch (type) {
	case SNP_PAGE_NORMAL:
		return "NORMAL";
	case SNP_PAGE_VMSA:
		return "VMSA";
	case SNP_PAGE_ZERO:
		return "ZERO";
	case SNP_PAGE_UNMEASURED:
		return "UNMEASURED";
	case SNP_PAGE_SECRETS:
		return "SECRETS";
	case SNP_PAGE_CPUID:
		return "CPUID";
	}
	return "UNKNOWN";
}

void snp_hex(const uint8_t *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int launch_digest_step_format(const struct launch_digest_step *step, char *buf, size_t size)
{
	char contents[2 * SNP_LD_SIZE + 1], after[2 * SNP_LD_SIZE + 1];
	int n;

	snp_hex(step->contents, SNP_LD_SIZE, contents);
	snp_hex(step->digest_after, SNP_LD_SIZE, after);
	/* Same spelling as the reference trace: Python's hex() for the GPA. */
	n = snprintf(buf, size, "%llu\t%d\t%s\t0x%llx\t%s\t%s", (unsigned long long)step->index,
		     (int)step->page_type, snp_page_type_name(step->page_type),
		     (unsigned long long)step->gpa, contents, after);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}
