/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL reports failures on a per-thread error queue, not as errno. A library must
 * neither leave that queue to its caller (the caller's next ERR_get_error() would see our
 * errors, and the queued entries hold heap blocks) nor call running out of memory an I/O
 * error.
 */
#ifndef SNPVMM_UTIL_OSSL_ERR_H
#define SNPVMM_UTIL_OSSL_ERR_H

/* After an OpenSSL call failed: -ENOMEM if an allocation failed anywhere in it, else
 * fallback (a -errno). Empties the calling thread's OpenSSL error queue. */
int ossl_errno(int fallback);

#endif
