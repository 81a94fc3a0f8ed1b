// SPDX-License-Identifier: MIT
/*
 * ID block / ID auth: golden sizes and offsets (SEV-SNP ABI 56860 §8.18; cross-checked
 * against Cloud Hypervisor's build_id_block_policy_at_offset_88 and AMD sev-guest), and
 * signatures checked through a path independent of the code under test: the raw bytes
 * are read at spec offsets, r/s are turned back into a DER ECDSA_SIG and verified with
 * EVP_DigestVerify, and the public key is compared with OpenSSL's encoded point.
 *
 * Keys are generated at test time; none is committed.
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/cli/commands.h"
#include "snp/idblock.h"
#include "util/hex.h"
#include "vmm/snp_host.h"

/* Spec offsets, written out independently of the struct definitions. */
#define OFF_BLOCK_FAMILY_ID  0x30
#define OFF_BLOCK_IMAGE_ID   0x40
#define OFF_BLOCK_VERSION    0x50
#define OFF_BLOCK_GUEST_SVN  0x54
#define OFF_BLOCK_POLICY     0x58
#define OFF_AUTH_ID_ALGO     0x000
#define OFF_AUTH_AUTHOR_ALGO 0x004
#define OFF_AUTH_BLOCK_SIG   0x040
#define OFF_AUTH_ID_KEY	     0x240
#define OFF_AUTH_ID_KEY_SIG  0x680
#define OFF_AUTH_AUTHOR_KEY  0x880
#define SIG_SIZE	     0x200
#define PUBKEY_SIZE	     0x404
#define OFF_SIG_S	     0x48
#define OFF_PUBKEY_QX	     0x04
#define OFF_PUBKEY_QY	     0x4c
#define P384_BYTES	     48

#define TEST_POLICY \
	0x03fb0f05ULL /* flags 16..25 but MIGRATE_MA, ABI 15.5: a policy a launch takes */
#define TEST_SVN 7
#define TEST_LD_HEX                                                                    \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425" \
	"262728292a2b2c2d2e2f"

struct fixture {
	EVP_PKEY *id_key;
	EVP_PKEY *author_key;
	EVP_PKEY *p256_key;
	EVP_PKEY *rsa_key;
	char dir[64];
	uint8_t ld[SNP_LD_SIZE];
	uint8_t family_id[SNP_FAMILY_ID_SIZE];
	uint8_t image_id[SNP_IMAGE_ID_SIZE];
	struct snp_id_block block;
};

/* ---- helpers (loops and branches live here, not in test bodies) ---- */

static void fill_pattern(uint8_t *buf, size_t len, uint8_t start)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(start + i);
}

static int all_zero(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i])
			return 0;
	}
	return 1;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = src[len - 1 - i];
}

static char *path_in(const struct fixture *fx, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fx->dir, name);
	return buf;
}

static void write_pem(const struct fixture *fx, const char *name, EVP_PKEY *key,
		      const char *passphrase)
{
	char path[128];
	FILE *f = fopen(path_in(fx, name, path, sizeof(path)), "w");

	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, key, passphrase ? EVP_aes_256_cbc() : NULL,
					      (unsigned char *)passphrase,
					      passphrase ? (int)strlen(passphrase) : 0, NULL, NULL),
			 1);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const struct fixture *fx, const char *name, const char *text)
{
	char path[128];
	FILE *f = fopen(path_in(fx, name, path, sizeof(path)), "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static size_t read_file(const struct fixture *fx, const char *name, uint8_t *buf, size_t len)
{
	char path[128];
	FILE *f = fopen(path_in(fx, name, path, sizeof(path)), "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len, f);
	assert_int_equal(fclose(f), 0);
	return n;
}

/* The public half only, via a DER SubjectPublicKeyInfo round trip. */
static EVP_PKEY *public_only(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	int len = i2d_PUBKEY(key, &der);
	EVP_PKEY *pub;

	assert_true(len > 0);
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	OPENSSL_free(der);
	assert_non_null(pub);
	return pub;
}

/* A P-384 public key built from the firmware's LE qx/qy at pk (a 0x404-byte area). */
static EVP_PKEY *pkey_from_le_pubkey(const uint8_t *pk)
{
	uint8_t point[1 + 2 * P384_BYTES];
	char group[] = "secp384r1";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pub = NULL;

	point[0] = 0x04; /* SEC1 uncompressed */
	reverse_copy(point + 1, pk + OFF_PUBKEY_QX, P384_BYTES);
	reverse_copy(point + 1 + P384_BYTES, pk + OFF_PUBKEY_QY, P384_BYTES);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pub, EVP_PKEY_PUBLIC_KEY, params), 1);
	EVP_PKEY_CTX_free(ctx);
	return pub;
}

/* 1 if the LE r/s signature area at sig verifies over msg with pub, 0 if not. */
static int verify_le_sig(EVP_PKEY *pub, const uint8_t *sig, const void *msg, size_t len)
{
	uint8_t be[SNP_ECDSA_COMPONENT_SIZE];
	unsigned char *der = NULL;
	ECDSA_SIG *ecdsa = ECDSA_SIG_new();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	BIGNUM *r, *s;
	int der_len, ok;

	reverse_copy(be, sig, sizeof(be));
	r = BN_bin2bn(be, sizeof(be), NULL);
	reverse_copy(be, sig + OFF_SIG_S, sizeof(be));
	s = BN_bin2bn(be, sizeof(be), NULL);
	assert_non_null(ecdsa);
	assert_int_equal(ECDSA_SIG_set0(ecdsa, r, s), 1);
	der_len = i2d_ECDSA_SIG(ecdsa, &der);
	assert_true(der_len > 0);
	assert_int_equal(EVP_DigestVerifyInit_ex(ctx, NULL, "SHA384", NULL, NULL, pub, NULL), 1);
	ok = EVP_DigestVerify(ctx, der, (size_t)der_len, msg, len);
	OPENSSL_free(der);
	ECDSA_SIG_free(ecdsa);
	EVP_MD_CTX_free(ctx);
	return ok == 1;
}

/* 1 if the LE qx/qy at pk equal key's public point as OpenSSL encodes it (04||X||Y BE). */
static int pubkey_matches(EVP_PKEY *key, const uint8_t *pk)
{
	uint8_t point[1 + 2 * P384_BYTES];
	uint8_t le[P384_BYTES];
	size_t len = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
							 point, sizeof(point), &len),
			 1);
	assert_int_equal(len, sizeof(point));
	assert_int_equal(point[0], 0x04);
	reverse_copy(le, point + 1, P384_BYTES);
	if (memcmp(le, pk + OFF_PUBKEY_QX, P384_BYTES) != 0)
		return 0;
	reverse_copy(le, point + 1 + P384_BYTES, P384_BYTES);
	if (memcmp(le, pk + OFF_PUBKEY_QY, P384_BYTES) != 0)
		return 0;
	return get_le32(pk) == SNP_ECDSA_CURVE_P384 &&
	       all_zero(pk + OFF_PUBKEY_QX + P384_BYTES, SNP_ECDSA_COMPONENT_SIZE - P384_BYTES) &&
	       all_zero(pk + OFF_PUBKEY_QY + P384_BYTES, SNP_ECDSA_COMPONENT_SIZE - P384_BYTES) &&
	       all_zero(pk + 0x94, PUBKEY_SIZE - 0x94);
}

static void build_auth(struct fixture *fx, EVP_PKEY *author, struct snp_id_auth *auth)
{
	assert_int_equal(snp_id_auth_build(&fx->block, fx->id_key, author, auth, NULL), 0);
}

/* Runs the subcommand on a mutable copy of args (getopt may permute it). */
static int run_cli(const char *const *args)
{
	char *argv[32] = { NULL };
	int argc = 0, r;

	while (args[argc]) {
		assert_true(argc < 31);
		argv[argc] = strdup(args[argc]);
		assert_non_null(argv[argc]);
		argc++;
	}
	r = cmd_id_block(argc, argv);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return r;
}

static void remove_file(const struct fixture *fx, const char *name)
{
	char path[128];

	(void)unlink(path_in(fx, name, path, sizeof(path)));
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->id_key = EVP_EC_gen("P-384");
	fx->author_key = EVP_EC_gen("P-384");
	fx->p256_key = EVP_EC_gen("P-256");
	fx->rsa_key = EVP_RSA_gen(2048);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_idblock.XXXXXX");
	if (!fx->id_key || !fx->author_key || !fx->p256_key || !fx->rsa_key || !mkdtemp(fx->dir))
		return -1;
	write_pem(fx, "id.pem", fx->id_key, NULL);
	write_pem(fx, "author.pem", fx->author_key, NULL);
	write_pem(fx, "p256.pem", fx->p256_key, NULL);
	write_pem(fx, "rsa.pem", fx->rsa_key, NULL);
	write_pem(fx, "enc.pem", fx->id_key, "test-only-passphrase");
	write_text(fx, "garbage.pem", "this is not a key\n");
	fill_pattern(fx->ld, sizeof(fx->ld), 0x00);
	fill_pattern(fx->family_id, sizeof(fx->family_id), 0x80);
	fill_pattern(fx->image_id, sizeof(fx->image_id), 0xa0);
	snp_id_block_build(&fx->block, fx->ld, TEST_POLICY, fx->family_id, fx->image_id, TEST_SVN);
	*state = fx;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *fx = *state;
	static const char *const files[] = {
		"id.pem",      "author.pem", "p256.pem", "rsa.pem",   "enc.pem",
		"garbage.pem", "block.bin",  "auth.bin", "block.b64", "auth.b64",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		remove_file(fx, files[i]);
	(void)rmdir(fx->dir);
	EVP_PKEY_free(fx->id_key);
	EVP_PKEY_free(fx->author_key);
	EVP_PKEY_free(fx->p256_key);
	EVP_PKEY_free(fx->rsa_key);
	free(fx);
	return 0;
}

/* ---- ID block layout ---- */

static void test_id_block_size_is_96(void **state)
{
	assert_int_equal(sizeof(struct snp_id_block), 96);
}

static void test_id_block_build_ld_at_offset_0(void **state)
{
	struct fixture *fx = *state;
	const uint8_t *raw = (const uint8_t *)&fx->block;

	assert_memory_equal(raw, fx->ld, SNP_LD_SIZE);
}

static void test_id_block_build_ids_at_offsets_48_64(void **state)
{
	struct fixture *fx = *state;
	const uint8_t *raw = (const uint8_t *)&fx->block;

	assert_memory_equal(raw + OFF_BLOCK_FAMILY_ID, fx->family_id, SNP_FAMILY_ID_SIZE);
	assert_memory_equal(raw + OFF_BLOCK_IMAGE_ID, fx->image_id, SNP_IMAGE_ID_SIZE);
}

static void test_id_block_build_version_1_svn_at_offsets_80_84(void **state)
{
	struct fixture *fx = *state;
	const uint8_t *raw = (const uint8_t *)&fx->block;

	assert_int_equal(get_le32(raw + OFF_BLOCK_VERSION), 1);
	assert_int_equal(get_le32(raw + OFF_BLOCK_GUEST_SVN), TEST_SVN);
}

static void test_id_block_build_policy_at_offset_88(void **state)
{
	struct fixture *fx = *state;
	const uint8_t *raw = (const uint8_t *)&fx->block;

	assert_int_equal(OFF_BLOCK_POLICY, 88);
	assert_true(get_le64(raw + OFF_BLOCK_POLICY) == TEST_POLICY);
}

static void test_id_block_build_null_ids_are_zero(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_block block;

	snp_id_block_build(&block, fx->ld, TEST_POLICY, NULL, NULL, 0);

	assert_true(all_zero(block.family_id, sizeof(block.family_id)));
	assert_true(all_zero(block.image_id, sizeof(block.image_id)));
}

/* ---- ID auth layout ---- */

static void test_id_auth_size_is_4096(void **state)
{
	assert_int_equal(sizeof(struct snp_id_auth), 4096);
	assert_int_equal(sizeof(struct snp_ecdsa_sig), SIG_SIZE);
	assert_int_equal(sizeof(struct snp_ecdsa_pubkey), PUBKEY_SIZE);
}

static void test_id_auth_fields_at_spec_offsets(void **state)
{
	assert_int_equal(offsetof(struct snp_id_auth, id_key_algo), OFF_AUTH_ID_ALGO);
	assert_int_equal(offsetof(struct snp_id_auth, auth_key_algo), OFF_AUTH_AUTHOR_ALGO);
	assert_int_equal(offsetof(struct snp_id_auth, id_block_sig), OFF_AUTH_BLOCK_SIG);
	assert_int_equal(offsetof(struct snp_id_auth, id_key), OFF_AUTH_ID_KEY);
	assert_int_equal(offsetof(struct snp_id_auth, reserved2), 0x644);
	assert_int_equal(offsetof(struct snp_id_auth, id_key_sig), OFF_AUTH_ID_KEY_SIG);
	assert_int_equal(offsetof(struct snp_id_auth, author_key), OFF_AUTH_AUTHOR_KEY);
	assert_int_equal(offsetof(struct snp_id_auth, reserved3), 0xc84);
	assert_int_equal(offsetof(struct snp_ecdsa_sig, s), OFF_SIG_S);
	assert_int_equal(offsetof(struct snp_ecdsa_pubkey, qx), OFF_PUBKEY_QX);
	assert_int_equal(offsetof(struct snp_ecdsa_pubkey, qy), OFF_PUBKEY_QY);
}

static void test_id_auth_build_with_author_sets_both_algos_to_1(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;

	build_auth(fx, fx->author_key, &auth);

	assert_int_equal(get_le32(raw + OFF_AUTH_ID_ALGO), 1);
	assert_int_equal(get_le32(raw + OFF_AUTH_AUTHOR_ALGO), 1);
}

static void test_id_auth_build_without_author_author_fields_zero(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;

	build_auth(fx, NULL, &auth);

	assert_int_equal(get_le32(raw + OFF_AUTH_ID_ALGO), 1);
	assert_int_equal(get_le32(raw + OFF_AUTH_AUTHOR_ALGO), 0);
	assert_true(all_zero(raw + OFF_AUTH_ID_KEY_SIG, SNP_ID_AUTH_SIZE - OFF_AUTH_ID_KEY_SIG));
}

static void test_id_auth_build_reserved_and_padding_zero(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;
	const size_t pad = SNP_ECDSA_COMPONENT_SIZE - P384_BYTES;

	build_auth(fx, fx->author_key, &auth);

	assert_true(all_zero(raw + 0x008, 0x040 - 0x008));
	assert_true(all_zero(raw + 0x644, 0x680 - 0x644));
	assert_true(all_zero(raw + 0xc84, 0x1000 - 0xc84));
	assert_true(all_zero(raw + OFF_AUTH_BLOCK_SIG + P384_BYTES, pad));
	assert_true(all_zero(raw + OFF_AUTH_BLOCK_SIG + OFF_SIG_S + P384_BYTES, pad));
	assert_true(all_zero(raw + OFF_AUTH_BLOCK_SIG + 0x90, SIG_SIZE - 0x90));
	assert_true(all_zero(raw + OFF_AUTH_ID_KEY_SIG + 0x90, SIG_SIZE - 0x90));
}

/* ---- signatures and keys, verified independently ---- */

static void test_id_auth_block_sig_verifies_with_evp_digest_verify(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;
	EVP_PKEY *pub = public_only(fx->id_key);

	build_auth(fx, NULL, &auth);

	assert_true(verify_le_sig(pub, raw + OFF_AUTH_BLOCK_SIG, &fx->block, SNP_ID_BLOCK_SIZE));
	EVP_PKEY_free(pub);
}

static void test_id_auth_block_sig_other_block_fails_verify(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	struct snp_id_block other = fx->block;
	const uint8_t *raw = (const uint8_t *)&auth;
	EVP_PKEY *pub = public_only(fx->id_key);

	build_auth(fx, NULL, &auth);
	other.guest_svn++;

	assert_false(verify_le_sig(pub, raw + OFF_AUTH_BLOCK_SIG, &other, SNP_ID_BLOCK_SIZE));
	EVP_PKEY_free(pub);
}

static void test_id_auth_id_key_equals_affine_coordinates(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;

	build_auth(fx, NULL, &auth);

	assert_true(pubkey_matches(fx->id_key, raw + OFF_AUTH_ID_KEY));
}

static void test_id_auth_block_sig_verifies_with_embedded_id_key(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;
	EVP_PKEY *pub;

	build_auth(fx, NULL, &auth);
	pub = pkey_from_le_pubkey(raw + OFF_AUTH_ID_KEY);

	assert_true(verify_le_sig(pub, raw + OFF_AUTH_BLOCK_SIG, &fx->block, SNP_ID_BLOCK_SIZE));
	EVP_PKEY_free(pub);
}

static void test_id_auth_author_key_equals_affine_coordinates(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;

	build_auth(fx, fx->author_key, &auth);

	assert_true(pubkey_matches(fx->author_key, raw + OFF_AUTH_AUTHOR_KEY));
}

static void test_id_auth_id_key_sig_verifies_over_id_key_struct(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;
	EVP_PKEY *pub = public_only(fx->author_key);

	build_auth(fx, fx->author_key, &auth);

	assert_true(
		verify_le_sig(pub, raw + OFF_AUTH_ID_KEY_SIG, raw + OFF_AUTH_ID_KEY, PUBKEY_SIZE));
	EVP_PKEY_free(pub);
}

static void test_id_auth_id_key_sig_fails_verify_with_id_key(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	const uint8_t *raw = (const uint8_t *)&auth;
	EVP_PKEY *pub = public_only(fx->id_key);

	build_auth(fx, fx->author_key, &auth);

	assert_false(
		verify_le_sig(pub, raw + OFF_AUTH_ID_KEY_SIG, raw + OFF_AUTH_ID_KEY, PUBKEY_SIZE));
	EVP_PKEY_free(pub);
}

/* ---- key type checks ---- */

static void test_ecdsa_key_check_rsa_key_returns_einval(void **state)
{
	struct fixture *fx = *state;
	struct diag d = { { 0 } };

	int r = snp_ecdsa_key_check(fx->rsa_key, &d);

	assert_int_equal(r, -EINVAL);
	assert_string_equal(d.msg, "key is RSA, not an EC P-384 key");
}

static void test_ecdsa_key_check_p256_key_returns_einval(void **state)
{
	struct fixture *fx = *state;
	struct diag d = { { 0 } };

	int r = snp_ecdsa_key_check(fx->p256_key, &d);

	assert_int_equal(r, -EINVAL);
	assert_string_equal(d.msg, "EC key is on curve prime256v1, not P-384 (secp384r1)");
}

static void test_id_auth_build_p256_id_key_returns_einval_output_untouched(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth, before;
	struct diag d = { { 0 } };

	memset(&auth, 0xa5, sizeof(auth));
	before = auth;

	int r = snp_id_auth_build(&fx->block, fx->p256_key, NULL, &auth, &d);

	assert_int_equal(r, -EINVAL);
	assert_string_equal(d.msg, "ID key: EC key is on curve prime256v1, not P-384 (secp384r1)");
	assert_memory_equal(&auth, &before, sizeof(auth));
}

static void test_id_auth_build_rsa_author_key_returns_einval(void **state)
{
	struct fixture *fx = *state;
	struct snp_id_auth auth;
	struct diag d = { { 0 } };

	int r = snp_id_auth_build(&fx->block, fx->id_key, fx->rsa_key, &auth, &d);

	assert_int_equal(r, -EINVAL);
	assert_string_equal(d.msg, "author key: key is RSA, not an EC P-384 key");
}

static void test_ecdsa_sign_public_only_key_returns_einval(void **state)
{
	struct fixture *fx = *state;
	struct snp_ecdsa_sig sig;
	struct diag d = { { 0 } };
	EVP_PKEY *pub = public_only(fx->id_key);

	int r = snp_ecdsa_sign(pub, "x", 1, &sig, &d);

	assert_int_equal(r, -EINVAL);
	assert_string_equal(d.msg, "EC P-384 key has no private part; cannot sign");
	EVP_PKEY_free(pub);
}

/* ---- PEM loading ---- */

static void test_ecdsa_key_load_pem_p384_returns_same_key(void **state)
{
	struct fixture *fx = *state;
	char path[128];
	EVP_PKEY *key = NULL;

	int r = snp_ecdsa_key_load_pem(path_in(fx, "id.pem", path, sizeof(path)), &key, NULL);

	assert_int_equal(r, 0);
	assert_int_equal(EVP_PKEY_eq(key, fx->id_key), 1);
	EVP_PKEY_free(key);
}

static void test_ecdsa_key_load_pem_p256_returns_einval(void **state)
{
	struct fixture *fx = *state;
	char path[128], want[256];
	EVP_PKEY *key = NULL;
	struct diag d = { { 0 } };

	path_in(fx, "p256.pem", path, sizeof(path));
	snprintf(want, sizeof(want), "'%s': EC key is on curve prime256v1, not P-384 (secp384r1)",
		 path);

	int r = snp_ecdsa_key_load_pem(path, &key, &d);

	assert_int_equal(r, -EINVAL);
	assert_null(key);
	assert_string_equal(d.msg, want);
}

static void test_ecdsa_key_load_pem_rsa_returns_einval(void **state)
{
	struct fixture *fx = *state;
	char path[128], want[256];
	EVP_PKEY *key = NULL;
	struct diag d = { { 0 } };

	path_in(fx, "rsa.pem", path, sizeof(path));
	snprintf(want, sizeof(want), "'%s': key is RSA, not an EC P-384 key", path);

	int r = snp_ecdsa_key_load_pem(path, &key, &d);

	assert_int_equal(r, -EINVAL);
	assert_null(key);
	assert_string_equal(d.msg, want);
}

static void test_ecdsa_key_load_pem_missing_file_returns_enoent(void **state)
{
	struct fixture *fx = *state;
	char path[128], want[256];
	EVP_PKEY *key = NULL;
	struct diag d = { { 0 } };

	path_in(fx, "missing.pem", path, sizeof(path));
	snprintf(want, sizeof(want), "cannot open '%s': No such file or directory", path);

	int r = snp_ecdsa_key_load_pem(path, &key, &d);

	assert_int_equal(r, -ENOENT);
	assert_string_equal(d.msg, want);
}

static void test_ecdsa_key_load_pem_garbage_returns_einval(void **state)
{
	struct fixture *fx = *state;
	char path[128];
	EVP_PKEY *key = NULL;
	struct diag d = { { 0 } };

	int r = snp_ecdsa_key_load_pem(path_in(fx, "garbage.pem", path, sizeof(path)), &key, &d);

	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(d.msg, "holds no PEM private key"));
}

static void test_ecdsa_key_load_pem_encrypted_returns_einval(void **state)
{
	struct fixture *fx = *state;
	char path[128];
	EVP_PKEY *key = NULL;
	struct diag d = { { 0 } };

	int r = snp_ecdsa_key_load_pem(path_in(fx, "enc.pem", path, sizeof(path)), &key, &d);

	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(d.msg, "is passphrase-protected"));
}

/* ---- hex ---- */

static void test_id_hex_decode_mixed_case_returns_bytes(void **state)
{
	static const uint8_t want[] = { 0x01, 0xab, 0xcd, 0xef };
	uint8_t out[4];

	int r = hex_decode("01AbcDEf", out, sizeof(out), "--x", NULL);

	assert_int_equal(r, 0);
	assert_memory_equal(out, want, sizeof(want));
}

static void test_id_hex_decode_bad_digit_returns_einval(void **state)
{
	uint8_t out[4];
	struct diag d = { { 0 } };

	int r = hex_decode("01xbcdef", out, sizeof(out), "--family-id", &d);

	assert_int_equal(r, -EINVAL);
	assert_string_equal(d.msg, "--family-id: 'x' at position 3 is not a hex digit");
}

static void test_id_hex_decode_wrong_length_returns_einval(void **state)
{
	uint8_t out[4];
	struct diag d = { { 0 } };

	int r = hex_decode("0x01abcdef", out, sizeof(out), "--image-id", &d);

	assert_int_equal(r, -EINVAL);
	assert_string_equal(d.msg, "--image-id must be 8 hex digits (4 bytes), got 10 characters");
}

static void test_id_hex_decode_failure_leaves_output_untouched(void **state)
{
	static const uint8_t before[] = { 0x11, 0x22, 0x33, 0x44 };
	uint8_t out[4] = { 0x11, 0x22, 0x33, 0x44 };

	int r = hex_decode("aabbccz0", out, sizeof(out), "--x", NULL);

	assert_int_equal(r, -EINVAL);
	assert_memory_equal(out, before, sizeof(before));
}

/* ---- the subcommand ---- */

static void test_cmd_id_block_raw_writes_block_and_auth(void **state)
{
	struct fixture *fx = *state;
	char key[128], blk[128], ath[128];
	uint8_t block[SNP_ID_BLOCK_SIZE + 1], auth[SNP_ID_AUTH_SIZE + 1];
	const char *argv[] = {
		"id-block",
		"--measurement",
		TEST_LD_HEX,
		"--policy",
		"0x3fb0f05",
		"--family-id",
		"808182838485868788898a8b8c8d8e8f",
		"--image-id",
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		"--svn",
		"7",
		"--id-key",
		path_in(fx, "id.pem", key, sizeof(key)),
		"--out-block",
		path_in(fx, "block.bin", blk, sizeof(blk)),
		"--out-auth",
		path_in(fx, "auth.bin", ath, sizeof(ath)),
		"--format",
		"raw",
		NULL,
	};

	int r = run_cli(argv);

	assert_int_equal(r, 0);
	assert_int_equal(read_file(fx, "block.bin", block, sizeof(block)), SNP_ID_BLOCK_SIZE);
	assert_int_equal(read_file(fx, "auth.bin", auth, sizeof(auth)), SNP_ID_AUTH_SIZE);
	assert_memory_equal(block, &fx->block, SNP_ID_BLOCK_SIZE);
	assert_true(pubkey_matches(fx->id_key, auth + OFF_AUTH_ID_KEY));
}

static void test_cmd_id_block_base64_decodes_to_block(void **state)
{
	struct fixture *fx = *state;
	char key[128], blk[128], ath[128];
	uint8_t b64[256], block[SNP_ID_BLOCK_SIZE];
	struct snp_id_block want;
	const char *argv[] = {
		"id-block",
		"--measurement",
		TEST_LD_HEX,
		"--policy",
		"0x30000",
		"--id-key",
		path_in(fx, "id.pem", key, sizeof(key)),
		"--out-block",
		path_in(fx, "block.b64", blk, sizeof(blk)),
		"--out-auth",
		path_in(fx, "auth.b64", ath, sizeof(ath)),
		NULL,
	};
	size_t n;

	snp_id_block_build(&want, fx->ld, 0x30000, NULL, NULL, 0);

	int r = run_cli(argv);
	n = read_file(fx, "block.b64", b64, sizeof(b64) - 1);

	assert_int_equal(r, 0);
	assert_int_equal(n, 128); /* 4 * ceil(96 / 3), no newline */
	assert_int_equal(EVP_DecodeBlock(block, b64, (int)n), SNP_ID_BLOCK_SIZE);
	assert_memory_equal(block, &want, SNP_ID_BLOCK_SIZE);
}

static void test_cmd_id_block_malformed_measurement_returns_2(void **state)
{
	const char *argv[] = {
		"id-block",	"--measurement", "00zz",      "--policy",   "0x30000",	 "--id-key",
		"/nonexistent", "--out-block",	 "/dev/null", "--out-auth", "/dev/null", NULL,
	};

	assert_int_equal(run_cli(argv), EXIT_USAGE);
}

static void test_cmd_id_block_missing_id_key_returns_2(void **state)
{
	const char *argv[] = {
		"id-block",    "--measurement", TEST_LD_HEX,  "--policy",  "0x30000",
		"--out-block", "/dev/null",	"--out-auth", "/dev/null", NULL,
	};

	assert_int_equal(run_cli(argv), EXIT_USAGE);
}

static void test_cmd_id_block_policy_without_bit17_returns_2(void **state)
{
	const char *argv[] = {
		"id-block",	"--measurement", TEST_LD_HEX, "--policy",   "0x10000",	 "--id-key",
		"/nonexistent", "--out-block",	 "/dev/null", "--out-auth", "/dev/null", NULL,
	};

	assert_int_equal(run_cli(argv), EXIT_USAGE);
}

/* One number syntax with the launch: 30000 is decimal (0x7530), which lacks bit 17. */
static void test_cmd_id_block_policy_30000_is_decimal_and_returns_2(void **state)
{
	const char *argv[] = {
		"id-block",	"--measurement", TEST_LD_HEX, "--policy",   "30000",	 "--id-key",
		"/nonexistent", "--out-block",	 "/dev/null", "--out-auth", "/dev/null", NULL,
	};

	assert_int_equal(run_cli(argv), EXIT_USAGE);
}

/* id-block must refuse what the launch refuses (snp_policy_check): with a valid key it
 * used to sign these policies and exit 0. */
static int id_block_with_policy(void **state, const char *policy)
{
	struct fixture *fx = *state;
	char key[128];
	const char *argv[] = {
		"id-block",
		"--measurement",
		TEST_LD_HEX,
		"--policy",
		policy,
		"--id-key",
		path_in(fx, "id.pem", key, sizeof(key)),
		"--out-block",
		"/dev/null",
		"--out-auth",
		"/dev/null",
		NULL,
	};

	return run_cli(argv);
}

static void test_cmd_id_block_policy_with_reserved_bits_returns_2(void **state)
{
	assert_int_equal(id_block_with_policy(state, "0xffffffffffffffff"), EXIT_USAGE);
}

static void test_cmd_id_block_policy_with_migrate_ma_returns_2(void **state)
{
	assert_int_equal(id_block_with_policy(state, "0x70000"), EXIT_USAGE);
}

static void test_cmd_id_block_policy_the_launch_takes_returns_0(void **state)
{
	assert_int_equal(id_block_with_policy(state, "0x30000"), 0);
}

static void test_snp_policy_check_names_the_rule(void **state)
{
	struct diag d = { { 0 } };

	assert_int_equal(snp_policy_check(0x30000, &d), 0);
	assert_int_equal(snp_policy_check(0x10000, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "bit 17"));
	assert_int_equal(snp_policy_check(0x8030000, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "reserved bit 27"));
	assert_int_equal(snp_policy_check(0x70000, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "bit 18 (migration agent)"));
}

static void test_cmd_id_block_bad_format_returns_2(void **state)
{
	const char *argv[] = {
		"id-block",  "--measurement", TEST_LD_HEX,   "--policy",  "0x30000",
		"--id-key",  "/nonexistent",  "--out-block", "/dev/null", "--out-auth",
		"/dev/null", "--format",      "hex",	     NULL,
	};

	assert_int_equal(run_cli(argv), EXIT_USAGE);
}

static void test_cmd_id_block_rsa_key_returns_1(void **state)
{
	struct fixture *fx = *state;
	char key[128];
	const char *argv[] = {
		"id-block",
		"--measurement",
		TEST_LD_HEX,
		"--policy",
		"0x30000",
		"--id-key",
		path_in(fx, "rsa.pem", key, sizeof(key)),
		"--out-block",
		"/dev/null",
		"--out-auth",
		"/dev/null",
		NULL,
	};

	assert_int_equal(run_cli(argv), EXIT_FAILURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_block_size_is_96),
		cmocka_unit_test(test_id_block_build_ld_at_offset_0),
		cmocka_unit_test(test_id_block_build_ids_at_offsets_48_64),
		cmocka_unit_test(test_id_block_build_version_1_svn_at_offsets_80_84),
		cmocka_unit_test(test_id_block_build_policy_at_offset_88),
		cmocka_unit_test(test_id_block_build_null_ids_are_zero),
		cmocka_unit_test(test_id_auth_size_is_4096),
		cmocka_unit_test(test_id_auth_fields_at_spec_offsets),
		cmocka_unit_test(test_id_auth_build_with_author_sets_both_algos_to_1),
		cmocka_unit_test(test_id_auth_build_without_author_author_fields_zero),
		cmocka_unit_test(test_id_auth_build_reserved_and_padding_zero),
		cmocka_unit_test(test_id_auth_block_sig_verifies_with_evp_digest_verify),
		cmocka_unit_test(test_id_auth_block_sig_other_block_fails_verify),
		cmocka_unit_test(test_id_auth_id_key_equals_affine_coordinates),
		cmocka_unit_test(test_id_auth_block_sig_verifies_with_embedded_id_key),
		cmocka_unit_test(test_id_auth_author_key_equals_affine_coordinates),
		cmocka_unit_test(test_id_auth_id_key_sig_verifies_over_id_key_struct),
		cmocka_unit_test(test_id_auth_id_key_sig_fails_verify_with_id_key),
		cmocka_unit_test(test_ecdsa_key_check_rsa_key_returns_einval),
		cmocka_unit_test(test_ecdsa_key_check_p256_key_returns_einval),
		cmocka_unit_test(test_id_auth_build_p256_id_key_returns_einval_output_untouched),
		cmocka_unit_test(test_id_auth_build_rsa_author_key_returns_einval),
		cmocka_unit_test(test_ecdsa_sign_public_only_key_returns_einval),
		cmocka_unit_test(test_ecdsa_key_load_pem_p384_returns_same_key),
		cmocka_unit_test(test_ecdsa_key_load_pem_p256_returns_einval),
		cmocka_unit_test(test_ecdsa_key_load_pem_rsa_returns_einval),
		cmocka_unit_test(test_ecdsa_key_load_pem_missing_file_returns_enoent),
		cmocka_unit_test(test_ecdsa_key_load_pem_garbage_returns_einval),
		cmocka_unit_test(test_ecdsa_key_load_pem_encrypted_returns_einval),
		cmocka_unit_test(test_id_hex_decode_mixed_case_returns_bytes),
		cmocka_unit_test(test_id_hex_decode_bad_digit_returns_einval),
		cmocka_unit_test(test_id_hex_decode_wrong_length_returns_einval),
		cmocka_unit_test(test_id_hex_decode_failure_leaves_output_untouched),
		cmocka_unit_test(test_cmd_id_block_raw_writes_block_and_auth),
		cmocka_unit_test(test_cmd_id_block_base64_decodes_to_block),
		cmocka_unit_test(test_cmd_id_block_malformed_measurement_returns_2),
		cmocka_unit_test(test_cmd_id_block_missing_id_key_returns_2),
		cmocka_unit_test(test_cmd_id_block_policy_without_bit17_returns_2),
		cmocka_unit_test(test_cmd_id_block_policy_30000_is_decimal_and_returns_2),
		cmocka_unit_test(test_cmd_id_block_policy_with_reserved_bits_returns_2),
		cmocka_unit_test(test_cmd_id_block_policy_with_migrate_ma_returns_2),
		cmocka_unit_test(test_cmd_id_block_policy_the_launch_takes_returns_0),
		cmocka_unit_test(test_snp_policy_check_names_the_rule),
		cmocka_unit_test(test_cmd_id_block_bad_format_returns_2),
		cmocka_unit_test(test_cmd_id_block_rsa_key_returns_1),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
