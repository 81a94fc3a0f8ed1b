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

struct events {
	FILE *f; /* NULL: events off */
	bool owns_f;
	pthread_mutex_t lock;
};

/* path NULL: off; "-": stderr; else a file created or truncated. -errno on failure. */
int events_open(struct events *ev, const char *path) __attribute__((warn_unused_result));
void events_close(struct events *ev);

/* Emits {"event":NAME,"time":T, ...} where `fields` is a printf format producing the rest
 * of the members (starting with a comma), already JSON-encoded: use events_json_str() for
 * strings. Does nothing when events are off. */
void events_emit(struct events *ev, const char *name, const char *fields, ...)
	__attribute__((format(printf, 3, 4)));

/* JSON-encodes s (with quotes) into buf; truncates long strings. Returns buf. */
const char *events_json_str(const char *s, char *buf, size_t size);

#endif /* SNPVMM_VMM_EVENTS_H */
