/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP ID block and ID authentication information structure, which
 * SNP_LAUNCH_FINISH takes to bind a guest to an owner's key (SEV-SNP ABI 56860
 * §8.18 SNP_LAUNCH_FINISH, tables "ID_BLOCK Structure" and "ID_AUTH_INFO
 * Structure"; chapter "Digital Signatures" for the ECDSA P-384 key and signature
 * formats). KVM copies both verbatim (KVM_SEV_SNP_ID_BLOCK_SIZE 96 and
 * KVM_SEV_SNP_ID_AUTH_SIZE 4096, include/abi/kvm_snp.h); QEMU's sev-snp-guest
 * takes the same bytes base64-encoded as its id-block and id-auth properties.
 *
 * Layout cross-checked against AMD's sev-guest tool (id-block.h, sev-ecdsa.h),
 * virtee/sev (src/measurement/idblock_types.rs) and Cloud Hypervisor
 * (hypervisor/src/kvm/x86_64/sev.rs, KvmSevSnpIdAuth).
 *
 * The builders are pure except for the OpenSSL signing; nothing here logs.
 * Errors return -errno with one sentence in the optional struct diag.
 */
#ifndef SNPVMM_SNP_IDBLOCK_H
#define SNPVMM_SNP_IDBLOCK_H

#include <openssl/types.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

#define SNP_ID_BLOCK_SIZE    96
#define SNP_ID_AUTH_SIZE     4096
#define SNP_ID_BLOCK_VERSION 1 /* 56860 ID_BLOCK.VERSION: must be 1 */

#define SNP_LD_SIZE	   48 /* SHA-384 launch digest */
#define SNP_FAMILY_ID_SIZE 16
#define SNP_IMAGE_ID_SIZE  16

/* 56860 "Digital Signatures": algorithm and curve encodings. */
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1
#define SNP_ECDSA_CURVE_P384	       2
/* r, s, qx and qy are 576-bit little-endian fields, zero-padded above 384 bits. */
#define SNP_ECDSA_COMPONENT_SIZE       72

/* The struct fields below are stored in host order; the ABI is little-endian. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "SNP ABI structs are little-endian");

struct snp_id_block {
	uint8_t ld[SNP_LD_SIZE];	       /* 0x00 expected launch digest */
	uint8_t family_id[SNP_FAMILY_ID_SIZE]; /* 0x30 owner-defined */
	uint8_t image_id[SNP_IMAGE_ID_SIZE];   /* 0x40 owner-defined */
	uint32_t version;		       /* 0x50 SNP_ID_BLOCK_VERSION */
	uint32_t guest_svn;		       /* 0x54 */
	uint64_t policy;		       /* 0x58 must equal the LAUNCH_START policy */
};

/* ECDSA P-384 signature, 0x200 bytes. */
struct snp_ecdsa_sig {
	uint8_t r[SNP_ECDSA_COMPONENT_SIZE]; /* 0x00 */
	uint8_t s[SNP_ECDSA_COMPONENT_SIZE]; /* 0x48 */
	uint8_t reserved[368];		     /* 0x90..0x1ff */
};

/* ECDSA P-384 public key, 0x404 bytes. */
struct snp_ecdsa_pubkey {
	uint32_t curve;			      /* 0x000 SNP_ECDSA_CURVE_P384 */
	uint8_t qx[SNP_ECDSA_COMPONENT_SIZE]; /* 0x004 */
	uint8_t qy[SNP_ECDSA_COMPONENT_SIZE]; /* 0x04c */
	uint8_t reserved[880];		      /* 0x094..0x403 */
};

struct snp_id_auth {
	uint32_t id_key_algo;		    /* 0x000 */
	uint32_t auth_key_algo;		    /* 0x004 0 when there is no author key */
	uint8_t reserved1[56];		    /* 0x008..0x03f */
	struct snp_ecdsa_sig id_block_sig;  /* 0x040 ID key over the 96-byte ID block */
	struct snp_ecdsa_pubkey id_key;	    /* 0x240 */
	uint8_t reserved2[60];		    /* 0x644..0x67f */
	struct snp_ecdsa_sig id_key_sig;    /* 0x680 author key over id_key (all 0x404 B) */
	struct snp_ecdsa_pubkey author_key; /* 0x880 */
	uint8_t reserved3[892];		    /* 0xc84..0xfff */
};

_Static_assert(sizeof(struct snp_id_block) == SNP_ID_BLOCK_SIZE, "ID_BLOCK size");
_Static_assert(offsetof(struct snp_id_block, family_id) == 0x30, "ID_BLOCK.FAMILY_ID");
_Static_assert(offsetof(struct snp_id_block, image_id) == 0x40, "ID_BLOCK.IMAGE_ID");
_Static_assert(offsetof(struct snp_id_block, version) == 0x50, "ID_BLOCK.VERSION");
_Static_assert(offsetof(struct snp_id_block, guest_svn) == 0x54, "ID_BLOCK.GUEST_SVN");
_Static_assert(offsetof(struct snp_id_block, policy) == 0x58, "ID_BLOCK.POLICY");

_Static_assert(sizeof(struct snp_ecdsa_sig) == 0x200, "ECDSA signature size");
_Static_assert(offsetof(struct snp_ecdsa_sig, s) == 0x48, "ECDSA signature S");
_Static_assert(offsetof(struct snp_ecdsa_sig, reserved) == 0x90, "ECDSA signature reserved");

_Static_assert(sizeof(struct snp_ecdsa_pubkey) == 0x404, "ECDSA public key size");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, qx) == 0x04, "ECDSA public key QX");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, qy) == 0x4c, "ECDSA public key QY");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, reserved) == 0x94, "ECDSA public key reserved");

_Static_assert(sizeof(struct snp_id_auth) == SNP_ID_AUTH_SIZE, "ID_AUTH_INFO size");
_Static_assert(offsetof(struct snp_id_auth, auth_key_algo) == 0x004, "ID_AUTH.AUTH_KEY_ALGO");
_Static_assert(offsetof(struct snp_id_auth, reserved1) == 0x008, "ID_AUTH reserved1");
_Static_assert(offsetof(struct snp_id_auth, id_block_sig) == 0x040, "ID_AUTH.ID_BLOCK_SIG");
_Static_assert(offsetof(struct snp_id_auth, id_key) == 0x240, "ID_AUTH.ID_KEY");
_Static_assert(offsetof(struct snp_id_auth, reserved2) == 0x644, "ID_AUTH reserved2");
_Static_assert(offsetof(struct snp_id_auth, id_key_sig) == 0x680, "ID_AUTH.ID_KEY_SIG");
_Static_assert(offsetof(struct snp_id_auth, author_key) == 0x880, "ID_AUTH.AUTHOR_KEY");
_Static_assert(offsetof(struct snp_id_auth, reserved3) == 0xc84, "ID_AUTH reserved3");

/* family_id and image_id may be NULL (all zero). Cannot fail. */
void snp_id_block_build(struct snp_id_block *ret_block, const uint8_t ld[SNP_LD_SIZE],
			uint64_t policy, const uint8_t *family_id, const uint8_t *image_id,
			uint32_t guest_svn);

/*
 * Signs block with id_key and, if author_key is not NULL, signs the ID key with it.
 * Without an author key the author fields stay zero and SNP_LAUNCH_FINISH must be
 * issued with auth_key_en = 0 (QEMU: author-key-enabled=off).
 * Both keys must be EC P-384 private keys: -EINVAL otherwise, -EIO if OpenSSL fails.
 */
int snp_id_auth_build(const struct snp_id_block *block, EVP_PKEY *id_key, EVP_PKEY *author_key,
		      struct snp_id_auth *ret_auth, struct diag *d)
	__attribute__((warn_unused_result));

/* 0 if key is an EC key on P-384 (secp384r1), else -EINVAL. */
int snp_ecdsa_key_check(EVP_PKEY *key, struct diag *d) __attribute__((warn_unused_result));

/* The firmware's little-endian form of key's public point. */
int snp_ecdsa_pubkey_from_pkey(EVP_PKEY *key, struct snp_ecdsa_pubkey *ret_pub, struct diag *d)
	__attribute__((warn_unused_result));

/* ECDSA P-384 with SHA-384 over msg, in the firmware's little-endian r/s form. */
int snp_ecdsa_sign(EVP_PKEY *key, const void *msg, size_t len, struct snp_ecdsa_sig *ret_sig,
		   struct diag *d) __attribute__((warn_unused_result));

/* Checks an ECDSA P-384/SHA-384 signature in the firmware's form over msg: r and s below
 * 2^384 (the upper 24 bytes of each 72-byte field zero). 0 if it verifies, -EBADMSG if
 * not, -EINVAL for a key that is not P-384, -ENOMEM/-EIO if OpenSSL fails. */
int snp_ecdsa_verify(EVP_PKEY *key, const struct snp_ecdsa_sig *sig, const void *msg, size_t len,
		     struct diag *d) __attribute__((warn_unused_result));

/*
 * Reads an unencrypted PEM private key (PKCS#8 or "EC PRIVATE KEY") from path and
 * checks it is EC P-384. The caller frees *ret_key with EVP_PKEY_free().
 * -ENOENT/-EACCES/... if the file cannot be opened, -EINVAL if it holds no usable
 * key (encrypted keys are refused rather than prompting for a passphrase).
 */
int snp_ecdsa_key_load_pem(const char *path, EVP_PKEY **ret_key, struct diag *d)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_IDBLOCK_H */
