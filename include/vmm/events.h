/* SPDX-License-Identifier: MIT */
/*
 * Typed events (docs/events.md) handed to the embedder's callback (snpvmm_event_fn). The
 * library never formats or writes them; the CLI turns them into JSON Lines. Each carries
 * a monotonic and a wall-clock timestamp and the VM's name. Calls are serialised per VM.
 */
#ifndef SNPVMM_VMM_EVENTS_H
#define SNPVMM_VMM_EVENTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "snpvmm/snpvmm.h"

struct events {
	snpvmm_event_fn *fn; /* NULL: events off */
	void *opaque;
	const char *vm_name; /* borrowed, never NULL */
	bool guest_exit_sent;
	pthread_mutex_t lock;
};

void events_init(struct events *ev, snpvmm_event_fn *fn, void *opaque, const char *vm_name);
void events_destroy(struct events *ev);

/* Hands one event to the callback. After guest-exit nothing more is delivered: it is
 * always the last. */
void events_emit(struct events *ev, enum snpvmm_event_type type,
		 const struct snpvmm_event_field *fields, size_t nr_fields);
/* "measurement", "guest-exit", ... */
const char *events_type_name(enum snpvmm_event_type type);

/* Field constructors, for readable call sites. */
#define EV_STR(n, val)                                                 \
	{                                                              \
		.name = (n), .kind = SNPVMM_FIELD_STRING, .v.s = (val) \
	}
#define EV_UINT(n, val)                                              \
	{                                                            \
		.name = (n), .kind = SNPVMM_FIELD_UINT, .v.u = (val) \
	}
#define EV_INT(n, val)                                              \
	{                                                           \
		.name = (n), .kind = SNPVMM_FIELD_INT, .v.i = (val) \
	}
#define EV_BOOL(n, val)                                              \
	{                                                            \
		.name = (n), .kind = SNPVMM_FIELD_BOOL, .v.b = (val) \
	}

/* JSON-encodes s (with quotes) into buf: always valid JSON and UTF-8, whatever the bytes
 * (bytes that are not UTF-8 become U+FFFD); a long string is cut at a character
 * boundary. Returns buf. */
const char *events_json_str(const char *s, char *buf, size_t size);
/* The same for a whole string into a new malloc()ed buffer of valid UTF-8 (no quotes,
 * no escapes): what a JSON library takes. NULL on -ENOMEM. */
char *events_utf8_dup(const char *s);

#endif /* SNPVMM_VMM_EVENTS_H */
