/* SPDX-License-Identifier: MIT */
/*
 * A diagnostic message travelling beside a -errno return. Library code never logs; when
 * an error needs more than strerror() to be clear (which field of which file was wrong),
 * it writes one sentence here and the caller at the edge prints it.
 */
#ifndef SNPVMM_UTIL_DIAG_H
#define SNPVMM_UTIL_DIAG_H

#include <stddef.h>

struct diag {
	char msg[256];
};

/* Writes the message if d is not NULL and returns err (a -errno), so that
 * `return diag_fail(d, -EINVAL, "...", ...);` reads as one statement. */
int diag_fail(struct diag *d, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* SNPVMM_UTIL_DIAG_H */
