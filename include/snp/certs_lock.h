/* SPDX-License-Identifier: MIT */
/*
 * Locking protocol for the certificate file while a request is served (the F_OFD_SETLK advice of
 * amd-memory-encryption.rst KVM_SEV_SNP_ENABLE_REQ_CERTS, and QEMU's "certs-filename" patch,
 * Michael Roth and Melody Wang, qemu-devel 2025-01-20): the VMM holds a shared
 * open-file-description lock (fcntl F_OFD_SETLK, F_RDLCK) over the whole file from reading it until
 * the firmware has produced the report (KVM_RUN returned after immediate_exit); an operator
 * replacing the certificates first takes an exclusive lock (F_OFD_SETLK or F_SETLK with F_WRLCK on
 * the same file), so a guest never gets a half-written table or one that does not match the key
 * that signed its report. Never blocks: a held exclusive lock is -EAGAIN, which
 * certs_ret_for_error() turns into the guest's "busy, retry".
 */
#ifndef SNPVMM_SNP_CERTS_LOCK_H
#define SNPVMM_SNP_CERTS_LOCK_H

#include <stddef.h>
#include <stdint.h>

/* 0, -EAGAIN when someone holds a conflicting (exclusive) lock, or another -errno. */
int certs_lock_shared(int fd) __attribute__((warn_unused_result));
/* 0 or -errno. */
int certs_unlock(int fd) __attribute__((warn_unused_result));

/* Reads the whole file behind fd (from offset 0) into buf with pread(): a copy, so an
 * operator truncating the file cannot fault us as a mapping would (SIGBUS). 0 with the
 * length, -EFBIG if it holds more than cap bytes, or -errno. */
int certs_read(int fd, uint8_t *buf, size_t cap, size_t *ret_len)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_CERTS_LOCK_H */
