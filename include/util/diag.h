/* SPDX-License-Identifier: MIT */
/*
 * A diagnostic message travelling beside a -errno return. Library code never logs; when
 * an error needs more than strerror() to be clear (which field of which file was wrong),
 * it writes one sentence here and the caller at the edge prints it.
 */
#ifndef SNPVMM_UTIL_DIAG_H
#define SNPVMM_UTIL_DIAG_H

#include <stddef.h>
#include <stdint.h>

/* Room for a sentence around a path of PATH_MAX bytes: a message is never cut short. */
#define DIAG_MSG_MAX 4608

struct diag {
	char msg[DIAG_MSG_MAX];
	/* The configuration field at fault ("policy", "vcpus": the setter's name, never a
	 * CLI flag), "" if none. A message about a field starts with its name, so the CLI
	 * can put its flag there instead (src/cli/diag_text.c). */
	char field[32];
	uint32_t fw_error; /* the firmware status of a failed SEV command, 0 if none */
};

/* Writes the message if d is not NULL and returns err (a -errno), so that
 * `return diag_fail(d, -EINVAL, "...", ...);` reads as one statement. */
int diag_fail(struct diag *d, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* diag_fail() that also names the configuration field at fault. */
int diag_fail_field(struct diag *d, int err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* SNPVMM_UTIL_DIAG_H */
