// SPDX-License-Identifier: MIT
/*
 * VCEK/VLEK certificates, their AMD extensions and their chain to the ARK
 * (include/snp/vcek.h). OpenSSL 3 does the parsing and all signature checks.
 */
#include "snp/vcek.h"

#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <string.h>

/* The newest queued OpenSSL reason; clears the queue so it never leaks into a later
 * message. */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "no reason given";
}

/* The extension value (the contents of extnValue) of the one extension with this OID;
 * NULL with *ret_err = 0 if absent, -EBADMSG if present twice. */
static const ASN1_OCTET_STRING *ext_value(X509 *cert, const char *oid, int *ret_err)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int at, again;

	*ret_err = 0;
	if (!obj) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	at = X509_get_ext_by_OBJ(cert, obj, -1);
	again = at >= 0 ? X509_get_ext_by_OBJ(cert, obj, at) : -1;
	ASN1_OBJECT_free(obj);
	if (at < 0)
		return NULL;
	if (again >= 0) {
		*ret_err = -EBADMSG;
		return NULL;
	}
	return X509_EXTENSION_get_data(X509_get_ext(cert, at));
}

/* An SPL extension: a DER INTEGER 0..255 filling the extension value; -1 if absent. */
static int read_spl(X509 *cert, const char *oid, const char *what, int *ret_spl, struct diag *d)
{
	const ASN1_OCTET_STRING *v;
	const unsigned char *p;
	ASN1_INTEGER *i;
	int64_t n = -1;
	int err;

	*ret_spl = -1;
	v = ext_value(cert, oid, &err);
	if (err)
		return diag_fail(d, err, "the %s extension (%s) appears more than once", what, oid);
	if (!v)
		return 0;
	p = ASN1_STRING_get0_data(v);
	i = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(v));
	if (!i || p != ASN1_STRING_get0_data(v) + ASN1_STRING_length(v) ||
	    ASN1_INTEGER_get_int64(&n, i) != 1 || n < 0 || n > 255) {
		ASN1_INTEGER_free(i);
		ERR_clear_error();
		return diag_fail(d, -EBADMSG,
				 "the %s extension (%s) is not a DER INTEGER from 0 to 255", what,
				 oid);
	}
	ASN1_INTEGER_free(i);
	*ret_spl = (int)n;
	return 0;
}

#define AMD_OID "1.3.6.1.4.1.3704.1."

int vcek_read_extensions(X509 *cert, struct vcek_extensions *ret_ext, struct diag *d)
{
	struct vcek_extensions e = { .hwid_len = 0 };
	const struct {
		const char *oid, *name;
		int *value;
	} spls[] = {
		{ AMD_OID "3.1", "blSPL", &e.bootloader },
		{ AMD_OID "3.2", "teeSPL", &e.tee },
		{ AMD_OID "3.3", "snpSPL", &e.snp },
		{ AMD_OID "3.8", "ucodeSPL", &e.microcode },
		{ AMD_OID "3.9", "fmcSPL", &e.fmc },
	};
	const ASN1_OCTET_STRING *v;
	unsigned int i;
	int r, err;

	for (i = 0; i < sizeof(spls) / sizeof(spls[0]); i++) {
		r = read_spl(cert, spls[i].oid, spls[i].name, spls[i].value, d);
		if (r < 0)
			return r;
	}
	/* hwID: the chip ID itself, with no inner ASN.1 type (57230 "VCEK Certificate"). */
	v = ext_value(cert, AMD_OID "4", &err);
	if (err)
		return diag_fail(d, err, "the hwID extension appears more than once");
	if (v) {
		int n = ASN1_STRING_length(v);

		if (n != 8 && n != VCEK_HWID_MAX)
			return diag_fail(d, -EBADMSG,
					 "the hwID extension is %d bytes, not 64 (or 8)", n);
		memcpy(e.hwid, ASN1_STRING_get0_data(v), (size_t)n);
		e.hwid_len = (size_t)n;
	}
	v = ext_value(cert, AMD_OID "2", &err);
	if (err)
		return diag_fail(d, err, "the productName extension appears more than once");
	if (v) {
		const unsigned char *p = ASN1_STRING_get0_data(v);
		ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &p, ASN1_STRING_length(v));
		int n = s ? ASN1_STRING_length(s) : -1;

		if (!s || n >= (int)sizeof(e.product_name) ||
		    memchr(ASN1_STRING_get0_data(s), '\0', (size_t)n)) {
			ASN1_IA5STRING_free(s);
			ERR_clear_error();
			return diag_fail(d, -EBADMSG,
					 "the productName extension is not a short "
					 "IA5String");
		}
		memcpy(e.product_name, ASN1_STRING_get0_data(s), (size_t)n);
		ASN1_IA5STRING_free(s);
	}
	v = ext_value(cert, AMD_OID "5", &err);
	if (err)
		return diag_fail(d, err, "the cspID extension appears more than once");
	e.has_csp_id = v != NULL;
	*ret_ext = e;
	return 0;
}

int snp_cert_load(const uint8_t *data, size_t len, X509 **ret_cert, struct diag *d)
{
	const unsigned char *p = data;
	X509 *cert = NULL;
	BIO *bio;

	if (len > 0 && len < (1u << 20) && data[0] == 0x30) {
		cert = d2i_X509(NULL, &p, (long)len);
		if (cert && p != data + len) {
			X509_free(cert);
			return diag_fail(d, -EBADMSG, "%zu bytes follow the DER certificate",
					 (size_t)(data + len - p));
		}
	} else if (len > 0 && len < (1u << 20)) {
		bio = BIO_new_mem_buf(data, (int)len);
		cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	if (!cert)
		return diag_fail(d, -EBADMSG, "not a DER or PEM X.509 certificate (OpenSSL: %s)",
				 ossl_reason());
	*ret_cert = cert;
	return 0;
}

static bool is_self_issued(X509 *cert)
{
	return X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
}

int snp_cert_chain_load(const uint8_t *pem, size_t len, X509 **ret_intermediate, X509 **ret_root,
			struct diag *d)
{
	X509 *certs[3] = { NULL, NULL, NULL };
	unsigned int n = 0, i;
	BIO *bio;
	int r = -EBADMSG;

	if (len == 0 || len >= (1u << 20))
		return diag_fail(d, -EBADMSG,
				 "a cert_chain is a few kilobytes of PEM, not %zu "
				 "bytes",
				 len);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return diag_fail(d, -ENOMEM, "out of memory");
	while (n < 3 && (certs[n] = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		n++;
	ERR_clear_error(); /* the end of the input is an error to PEM_read_bio_X509 */
	BIO_free(bio);
	if (n != 2) {
		r = diag_fail(d, -EBADMSG,
			      "a cert_chain holds two PEM certificates (ASK or ASVK, then ARK), "
			      "not %s%u",
			      n > 2 ? "more than " : "", n > 2 ? 2 : n);
		goto out_free;
	}
	if (is_self_issued(certs[0]) == is_self_issued(certs[1])) {
		r = diag_fail(d, -EBADMSG,
			      "a cert_chain holds one self-signed ARK and one ASK or ASVK it "
			      "issued");
		goto out_free;
	}
	i = is_self_issued(certs[0]) ? 1 : 0;
	*ret_intermediate = certs[i];
	*ret_root = certs[1 - i];
	return 0;
out_free:
	for (i = 0; i < 3; i++)
		X509_free(certs[i]);
	return r;
}

/* AMD 57230: ARK and ASK sign with RSASSA-PSS and SHA-384. */
static int check_pss_sha384(X509 *cert, const char *who, struct diag *d)
{
	int md = NID_undef, pk = NID_undef;
	char cn[64];

	if (X509_get_signature_info(cert, &md, &pk, NULL, NULL) != 1 || pk != EVP_PKEY_RSA_PSS ||
	    md != NID_sha384) {
		ERR_clear_error();
		return diag_fail(d, -EBADMSG,
				 "%s '%s' is signed with %s, not RSASSA-PSS with SHA-384", who,
				 snp_cert_cn(cert, cn, sizeof(cn)),
				 OBJ_nid2ln(X509_get_signature_nid(cert)));
	}
	return 0;
}

int snp_cert_chain_verify(X509 *leaf, X509 *intermediate, X509 *root, time_t at, struct diag *d)
{
	static const char *const who[] = { "the VCEK/VLEK", "the ASK/ASVK", "the ARK" };
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) * chain;
	int r, err, depth;

	r = check_pss_sha384(leaf, who[0], d);
	if (r == 0)
		r = check_pss_sha384(intermediate, who[1], d);
	if (r == 0)
		r = check_pss_sha384(root, who[2], d);
	if (r < 0)
		return r;

	store = X509_STORE_new();
	untrusted = sk_X509_new_null();
	ctx = X509_STORE_CTX_new();
	if (!store || !untrusted || !ctx || X509_STORE_add_cert(store, root) != 1 ||
	    !sk_X509_push(untrusted, intermediate) ||
	    X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
		r = diag_fail(d, -ENOMEM, "cannot set up the chain check (OpenSSL: %s)",
			      ossl_reason());
		goto out_free;
	}
	/* The ARK is the trust anchor; OpenSSL checks an anchor's self-signature only when
	 * asked to. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CHECK_SS_SIGNATURE);
	if (at)
		X509_STORE_CTX_set_time(ctx, 0, at);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		r = diag_fail(d, -EBADMSG, "%s: %s",
			      depth >= 0 && depth <= 2 ? who[depth] : "chain",
			      X509_verify_cert_error_string(err));
		ERR_clear_error();
		goto out_free;
	}
	/* Exactly VCEK <- ASK <- ARK: a leaf the ARK signed directly is not an AMD chip key. */
	chain = X509_STORE_CTX_get0_chain(ctx);
	if (sk_X509_num(chain) != 3 || X509_cmp(sk_X509_value(chain, 1), intermediate) != 0 ||
	    X509_cmp(sk_X509_value(chain, 2), root) != 0) {
		r = diag_fail(d, -EBADMSG, "the chain is not VCEK <- ASK <- ARK (%d certificates)",
			      sk_X509_num(chain));
		goto out_free;
	}
	r = 0;
out_free:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	return r;
}

char *snp_cert_cn(X509 *cert, char *out, size_t size)
{
	char *p;

	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out, (int)size) <
	    0) {
		ERR_clear_error();
		snprintf(out, size, "?");
	}
	/* A certificate is input: keep its text printable ASCII for terminals and JSON. */
	for (p = out; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	return out;
}

int snp_cert_sha256(X509 *cert, uint8_t ret_digest[32])
{
	unsigned int n = 0;

	if (X509_digest(cert, EVP_sha256(), ret_digest, &n) != 1 || n != 32) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}
