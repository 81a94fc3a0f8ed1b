/* SPDX-License-Identifier: MIT */
/*
 * Machine-readable events, one JSON object per line (JSON Lines), for control planes that
 * embed or supervise snpvmm. Every event has "event" and "time" (seconds since the Unix
 * epoch, with microseconds). Events documented in docs/events.md.
 */
#ifndef SNPVMM_VMM_EVENTS_H
#define SNPVMM_VMM_EVENTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/diag.h"

struct events {
	FILE *f; /* NULL: events off */
	const char *path;
	bool owns_f;
	int error; /* the first write failure, -errno */
	pthread_mutex_t lock;
};

/* path NULL: off; "-": stderr; else a file created or truncated (a FIFO must have a
 * reader already: opening never waits). -errno with d saying why on failure. */
int events_open(struct events *ev, const char *path, struct diag *d)
	__attribute__((warn_unused_result));
/* Closes the file; -errno if any event could not be written (or the close failed). */
int events_close(struct events *ev) __attribute__((warn_unused_result));

/* Emits {"event":NAME,"time":T, ...} where `fields` is a printf format producing the rest
 * of the members (starting with a comma), already JSON-encoded: use events_json_str() for
 * strings. Does nothing when events are off. */
void events_emit(struct events *ev, const char *name, const char *fields, ...)
	__attribute__((format(printf, 3, 4)));

/* JSON-encodes s (with quotes) into buf: always valid JSON and UTF-8, whatever the bytes
 * (bytes that are not UTF-8 become U+FFFD); a long string is cut at a character
 * boundary. Returns buf. */
const char *events_json_str(const char *s, char *buf, size_t size);

#endif /* SNPVMM_VMM_EVENTS_H */
