// SPDX-License-Identifier: MIT
/*
 * ID block and ID authentication information for SNP_LAUNCH_FINISH (SEV-SNP ABI 56860
 * §8.18). Layouts and their sources are in include/snp/idblock.h.
 *
 * Only OpenSSL 3 non-deprecated interfaces are used: the public point comes from
 * provider parameters and the signature from EVP_DigestSign, whose DER output is split
 * into r and s with d2i_ECDSA_SIG.
 */
#include "snp/idblock.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The reason for the newest queued OpenSSL error, then clears the queue so that a
 * stale error never shows up in a later message. */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown error";
}

void snp_id_block_build(struct snp_id_block *ret_block, const uint8_t ld[SNP_LD_SIZE],
			uint64_t policy, const uint8_t *family_id, const uint8_t *image_id,
			uint32_t guest_svn)
{
	struct snp_id_block b = {
		.version = SNP_ID_BLOCK_VERSION,
		.guest_svn = guest_svn,
		.policy = policy,
	};

	memcpy(b.ld, ld, sizeof(b.ld));
	if (family_id)
		memcpy(b.family_id, family_id, sizeof(b.family_id));
	if (image_id)
		memcpy(b.image_id, image_id, sizeof(b.image_id));
	*ret_block = b;
}

int snp_ecdsa_key_check(EVP_PKEY *key, struct diag *d)
{
	char group[64];
	size_t group_len = 0;
	const char *type;

	if (!EVP_PKEY_is_a(key, "EC")) {
		type = EVP_PKEY_get0_type_name(key);
		return diag_fail(d, -EINVAL, "key is %s, not an EC P-384 key",
				 type ? type : "of an unknown type");
	}
	if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &group_len)) {
		ERR_clear_error();
		return diag_fail(d, -EINVAL, "EC key has no named curve; need P-384");
	}
	if (strcmp(group, SN_secp384r1) != 0)
		return diag_fail(d, -EINVAL, "EC key is on curve %s, not P-384 (secp384r1)", group);
	return 0;
}

/* Writes bn as a little-endian, zero-padded 72-byte field. */
static int bn_to_component(const BIGNUM *bn, uint8_t out[SNP_ECDSA_COMPONENT_SIZE])
{
	if (BN_bn2lebinpad(bn, out, SNP_ECDSA_COMPONENT_SIZE) != SNP_ECDSA_COMPONENT_SIZE)
		return -ERANGE;
	return 0;
}

int snp_ecdsa_pubkey_from_pkey(EVP_PKEY *key, struct snp_ecdsa_pubkey *ret_pub, struct diag *d)
{
	struct snp_ecdsa_pubkey pub = { .curve = SNP_ECDSA_CURVE_P384 };
	BIGNUM *x = NULL, *y = NULL;
	int r;

	r = snp_ecdsa_key_check(key, d);
	if (r < 0)
		return r;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y)) {
		r = diag_fail(d, -EIO, "cannot read the EC public point (OpenSSL: %s)",
			      ossl_reason());
		goto out_free_bn;
	}
	if (bn_to_component(x, pub.qx) < 0 || bn_to_component(y, pub.qy) < 0) {
		r = diag_fail(d, -ERANGE, "EC public point does not fit 72 bytes");
		goto out_free_bn;
	}
	*ret_pub = pub;
	r = 0;
out_free_bn:
	BN_free(y);
	BN_free(x);
	return r;
}

static bool pkey_has_private(EVP_PKEY *key)
{
	BIGNUM *priv = NULL;
	bool has = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1;

	BN_clear_free(priv);
	ERR_clear_error();
	return has;
}

int snp_ecdsa_sign(EVP_PKEY *key, const void *msg, size_t len, struct snp_ecdsa_sig *ret_sig,
		   struct diag *d)
{
	struct snp_ecdsa_sig sig = { 0 };
	unsigned char der[256];
	size_t der_len = sizeof(der);
	const unsigned char *p = der;
	const BIGNUM *sig_r, *sig_s;
	ECDSA_SIG *ecdsa;
	EVP_MD_CTX *ctx;
	int r;

	r = snp_ecdsa_key_check(key, d);
	if (r < 0)
		return r;
	if (!pkey_has_private(key))
		return diag_fail(d, -EINVAL, "EC P-384 key has no private part; cannot sign");

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return diag_fail(d, -ENOMEM, "out of memory for a digest context");
	/* 56860 "Digital Signatures": ECDSA P-384 over the SHA-384 digest of the message. */
	if (EVP_DigestSignInit_ex(ctx, NULL, "SHA384", NULL, NULL, key, NULL) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, msg, len) != 1) {
		r = diag_fail(d, -EIO, "ECDSA P-384 signing failed (OpenSSL: %s)", ossl_reason());
		goto out_free_ctx;
	}
	ecdsa = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!ecdsa) {
		r = diag_fail(d, -EIO, "cannot parse the DER ECDSA signature (OpenSSL: %s)",
			      ossl_reason());
		goto out_free_ctx;
	}
	ECDSA_SIG_get0(ecdsa, &sig_r, &sig_s);
	if (bn_to_component(sig_r, sig.r) < 0 || bn_to_component(sig_s, sig.s) < 0) {
		r = diag_fail(d, -ERANGE, "ECDSA signature component does not fit 72 bytes");
		goto out_free_ecdsa;
	}
	*ret_sig = sig;
	r = 0;
out_free_ecdsa:
	ECDSA_SIG_free(ecdsa);
out_free_ctx:
	EVP_MD_CTX_free(ctx);
	return r;
}

int snp_ecdsa_verify(EVP_PKEY *key, const struct snp_ecdsa_sig *sig, const void *msg, size_t len,
		     struct diag *d)
{
	static const uint8_t zero[SNP_ECDSA_COMPONENT_SIZE - 48];
	unsigned char der[128], *p = der;
	BIGNUM *sig_r = NULL, *sig_s = NULL;
	ECDSA_SIG *ecdsa = NULL;
	EVP_MD_CTX *ctx = NULL;
	int r, der_len;

	r = snp_ecdsa_key_check(key, d);
	if (r < 0)
		return r;
	/* A P-384 r or s is below 2^384: bytes 48..71 of the little-endian field are zero. */
	if (memcmp(sig->r + 48, zero, sizeof(zero)) || memcmp(sig->s + 48, zero, sizeof(zero)))
		return diag_fail(d, -EBADMSG, "R or S has bits set above bit 383");
	sig_r = BN_lebin2bn(sig->r, SNP_ECDSA_COMPONENT_SIZE, NULL);
	sig_s = BN_lebin2bn(sig->s, SNP_ECDSA_COMPONENT_SIZE, NULL);
	ecdsa = ECDSA_SIG_new();
	if (!sig_r || !sig_s || !ecdsa || !ECDSA_SIG_set0(ecdsa, sig_r, sig_s)) {
		r = diag_fail(d, -ENOMEM, "out of memory for an ECDSA signature");
		goto out_free;
	}
	sig_r = sig_s = NULL; /* owned by ecdsa now */
	der_len = i2d_ECDSA_SIG(ecdsa, NULL);
	if (der_len <= 0 || der_len > (int)sizeof(der) || i2d_ECDSA_SIG(ecdsa, &p) != der_len) {
		r = diag_fail(d, -EIO, "cannot encode the ECDSA signature (OpenSSL: %s)",
			      ossl_reason());
		goto out_free;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit_ex(ctx, NULL, "SHA384", NULL, NULL, key, NULL) != 1) {
		r = diag_fail(d, -EIO, "cannot set up ECDSA verification (OpenSSL: %s)",
			      ossl_reason());
		goto out_free;
	}
	if (EVP_DigestVerify(ctx, der, (size_t)der_len, msg, len) != 1) {
		ERR_clear_error();
		r = diag_fail(d, -EBADMSG, "the ECDSA P-384/SHA-384 signature does not verify");
		goto out_free;
	}
	r = 0;
out_free:
	EVP_MD_CTX_free(ctx);
	ECDSA_SIG_free(ecdsa);
	BN_free(sig_s);
	BN_free(sig_r);
	return r;
}

/* Writes key's public point to pub, then signs msg with key into sig. */
static int pubkey_and_sign(EVP_PKEY *key, const void *msg, size_t len, struct snp_ecdsa_pubkey *pub,
			   struct snp_ecdsa_sig *sig, struct diag *d)
{
	int r = snp_ecdsa_pubkey_from_pkey(key, pub, d);

	if (r < 0)
		return r;
	return snp_ecdsa_sign(key, msg, len, sig, d);
}

int snp_id_auth_build(const struct snp_id_block *block, EVP_PKEY *id_key, EVP_PKEY *author_key,
		      struct snp_id_auth *ret_auth, struct diag *d)
{
	struct snp_id_auth auth = {
		.id_key_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384,
	};
	struct diag inner = { { 0 } };
	int r;

	r = pubkey_and_sign(id_key, block, sizeof(*block), &auth.id_key, &auth.id_block_sig,
			    &inner);
	if (r < 0)
		return diag_fail(d, r, "ID key: %s", inner.msg);
	if (author_key) {
		/* The author key signs the whole 0x404-byte ID key structure, reserved bytes
		 * included (56860 ID_AUTH_INFO.ID_KEY_SIG; AMD sev-guest
		 * id_block_get_auth_info), so auth.id_key must be final before this. */
		auth.auth_key_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
		r = pubkey_and_sign(author_key, &auth.id_key, sizeof(auth.id_key), &auth.author_key,
				    &auth.id_key_sig, &inner);
		if (r < 0)
			return diag_fail(d, r, "author key: %s", inner.msg);
	}
	*ret_auth = auth;
	return 0;
}

/* Refuses to decrypt: with a NULL callback OpenSSL would prompt on the terminal. */
static int no_passphrase_cb(char *buf, int size, int rwflag, void *u)
{
	*(bool *)u = true;
	return -1;
}

int snp_ecdsa_key_load_pem(const char *path, EVP_PKEY **ret_key, struct diag *d)
{
	bool wanted_passphrase = false;
	struct diag why = { { 0 } };
	EVP_PKEY *key;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		return diag_fail(d, r, "cannot open '%s': %s", path, strerror(-r));
	}
	key = PEM_read_PrivateKey(f, NULL, no_passphrase_cb, &wanted_passphrase);
	(void)fclose(f);
	if (!key) {
		if (wanted_passphrase) {
			ERR_clear_error();
			return diag_fail(d, -EINVAL,
					 "'%s' is passphrase-protected; decrypt it first "
					 "(openssl pkey -in KEY -out PLAIN.pem)",
					 path);
		}
		return diag_fail(d, -EINVAL, "'%s' holds no PEM private key (OpenSSL: %s)", path,
				 ossl_reason());
	}
	r = snp_ecdsa_key_check(key, &why);
	if (r < 0) {
		EVP_PKEY_free(key);
		return diag_fail(d, r, "'%s': %s", path, why.msg);
	}
	*ret_key = key;
	return 0;
}
