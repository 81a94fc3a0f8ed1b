/* SPDX-License-Identifier: MIT */
/*
 * `--events PATH|fd:N|-`: the library's typed events as JSON Lines (docs/events.md),
 * encoded by jansson: every line is valid JSON in UTF-8 whatever bytes a path or a
 * message holds, and nothing is cut short.
 */
#ifndef SNPVMM_CLI_EVENT_LOG_H
#define SNPVMM_CLI_EVENT_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "snpvmm/snpvmm.h"
#include "util/diag.h"

struct event_log {
	FILE *f; /* NULL: off */
	const char *spec;
	bool owns_f;
	int error; /* the first write failure, -errno */
	/* guest-exit's "status": the process exit status of a reason (cmd_run.c). */
	int (*status_of)(enum snpvmm_exit_reason reason);
};

/* spec NULL: off; "-": stderr; "fd:N": a dup of an open fd N; else a file created or
 * truncated (a FIFO must have a reader already). -errno with d saying why. */
int event_log_open(struct event_log *el, const char *spec, struct diag *d)
	__attribute__((warn_unused_result));
/* Closes it; -errno if any event could not be written (or the close failed). */
int event_log_close(struct event_log *el) __attribute__((warn_unused_result));
/* The snpvmm_event_fn: writes one line. opaque is the struct event_log. */
void event_log_write(void *opaque, const struct snpvmm_event *ev);
/* One event as a JSON object (without newline) into a malloc()ed string, or NULL. */
char *event_log_format(const struct snpvmm_event *ev, int status);

#endif /* SNPVMM_CLI_EVENT_LOG_H */
