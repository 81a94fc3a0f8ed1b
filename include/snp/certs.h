/* SPDX-License-Identifier: MIT */
/*
 * The SNP extended-guest-request certificate table (GHCB spec 56421 "SNP Extended Guest Request";
 * Linux drivers/virt/coco/sev-guest/sev-guest.c struct snp_msg_cert_entry): what the VMM hands a
 * guest on KVM_EXIT_SNP_REQ_CERTS (arch/x86/kvm/svm/sev.c snp_handle_ext_guest_req(), kvm-x86 2026;
 * amd-memory-encryption.rst KVM_SEV_SNP_ENABLE_REQ_CERTS) so that it can verify its attestation
 * report without fetching the chain from AMD.
 *
 * File format of `--certs FILE`: exactly the blob the guest receives, as
 * `snphost import DIR FILE` (virtee/snphost src/cert/import.rs) and virtee/sev
 * CertTableEntry::cert_table_to_vec_bytes() write it:
 *
 *   offset 0   entry[0..n-1]   { u8 guid[16]; u32 offset; u32 length; }  little-endian
 *   24 * n     terminator      24 zero bytes
 *   ...        certificates    each entry's `length` bytes at `offset` bytes from the
 *                              start of the file (= the start of the guest's pages)
 *
 * The GUID bytes are the hex digits of the textual GUID in order (RFC 4122 byte order:
 * virtee Uuid::as_bytes(), go-sev-guest uuid.UUID). The certificates are passed through
 * unparsed (DER is what guests expect). Validation: the terminator is present within
 * CERTS_MAX_ENTRIES entries; every entry has a known GUID, no GUID appears twice, length
 * > 0, and [offset, offset + length) lies inside the file, after the table (terminator
 * included) and apart from every other certificate; the file is at most CERTS_MAX_BYTES.
 * Bytes no entry references are allowed and sent as they are.
 */
#ifndef SNPVMM_SNP_CERTS_H
#define SNPVMM_SNP_CERTS_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

#define CERTS_ENTRY_SIZE  24
#define CERTS_MAX_ENTRIES 16
/* A Linux guest accepts at most SEV_FW_BLOB_MAX_SIZE = 16 KiB of certificates
 * (drivers/virt/coco/sev-guest/sev-guest.c, the certs_len check of its extended report): a
 * larger table could never be
 * delivered to it, so refuse it when the operator loads it. */
#define CERTS_MAX_BYTES	  0x4000
#define CERTS_PAGE_SIZE	  4096

/* GUIDs (virtee/sev src/firmware/host/types/snp.rs CertType; go-sev-guest abi/abi.go). */
enum certs_kind {
	CERTS_ARK,  /* c0b406a4-a803-4952-9743-3fb6014cd0ae AMD Root Key */
	CERTS_ASK,  /* 4ab7b379-bbac-4fe4-a02f-05aef327c782 AMD SEV Key (also ASVK) */
	CERTS_VCEK, /* 63da758d-e664-4564-adc5-f4b93be8accd */
	CERTS_VLEK, /* a8074bc2-a25a-483e-aae6-39c045a0b8a1 */
	CERTS_CRL,  /* 92f81bc3-5811-4d3d-97ff-d19f88dc67ea (virtee) */
	CERTS_KIND_MAX,
};

/* The 16 table bytes of a kind's GUID. */
const uint8_t *certs_kind_guid(enum certs_kind kind);

struct certs_entry {
	enum certs_kind kind;
	uint32_t offset;
	uint32_t length;
};

/* A validated table: `blob` (owned) is what the guest receives, byte for byte. */
struct certs_table {
	uint8_t *blob;
	size_t size;
	struct certs_entry entries[CERTS_MAX_ENTRIES];
	unsigned int nr;
};

/* Validates and copies a certificate file's bytes. -EINVAL (d says which rule and which
 * entry), -EFBIG over CERTS_MAX_BYTES, -ENOMEM. */
int certs_parse(const uint8_t *buf, size_t len, struct certs_table *ret_table, struct diag *d)
	__attribute__((warn_unused_result));
void certs_table_free(struct certs_table *t);

const char *certs_kind_name(enum certs_kind kind);

/* Pages the table needs: DIV_ROUND_UP(size, 4096) (not QEMU's (size + 4096) / 4096, which
 * over-reports by one page on a multiple of 4096: QEMU certs-filename patch, qemu-devel
 * 2025-01-20). t == NULL is the
 * empty table (24 zero bytes): 1 page. */
uint64_t certs_npages(const struct certs_table *t);

/*
 * Completes KVM_EXIT_SNP_REQ_CERTS for a guest that offered `guest_npages` pages. Returns
 * the value for snp_req_certs.ret (sev.c snp_complete_req_certs(), kvm-x86 2026):
 *   ENOSPC  guest_npages < certs_npages(t): *ret_npages = certs_npages(t) (KVM passes it
 *           to the guest in RBX), nothing written;
 *   EIO     dst is NULL or shorter than the table (the caller could not map the pages);
 *   0       the table was copied to dst and the rest of its last page zeroed (as far as
 *           dst_len goes); *ret_npages unchanged.
 * dst is the host mapping of the guest pages at snp_req_certs.gpa; map only
 * certs_npages(t) pages of it, never the guest's (untrusted) npages. t == NULL sends the
 * empty table. EAGAIN is the caller's when the file is locked (certs_lock.h).
 */
uint64_t certs_write_to_guest(const struct certs_table *t, uint64_t guest_npages, uint8_t *dst,
			      size_t dst_len, uint64_t *ret_npages);

/* snp_req_certs.ret for a host-side failure while serving the request: EAGAIN for
 * -EAGAIN/-EWOULDBLOCK/-EINTR (the guest may retry: SNP_GUEST_VMM_ERR_BUSY), EIO otherwise. */
uint64_t certs_ret_for_error(int err);

#endif /* SNPVMM_SNP_CERTS_H */
