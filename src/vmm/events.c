// SPDX-License-Identifier: MIT
#include "vmm/events.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void events_init(struct events *ev, snpvmm_event_fn *fn, void *opaque, const char *vm_name)
{
	*ev = (struct events){ .fn = fn, .opaque = opaque, .vm_name = vm_name ? vm_name : "" };
	pthread_mutex_init(&ev->lock, NULL);
}

void events_destroy(struct events *ev)
{
	pthread_mutex_destroy(&ev->lock);
}

static const char *const event_names[] = {
	[SNPVMM_EVENT_HOST_CHECKED] = "host-checked",
	[SNPVMM_EVENT_MEASUREMENT] = "measurement",
	[SNPVMM_EVENT_LAUNCH_STARTED] = "launch-started",
	[SNPVMM_EVENT_LAUNCH_PROGRESS] = "launch-progress",
	[SNPVMM_EVENT_LAUNCH_FINISHED] = "launch-finished",
	[SNPVMM_EVENT_PAGE_STATE] = "page-state",
	[SNPVMM_EVENT_CERTS_SERVED] = "certs-served",
	[SNPVMM_EVENT_GUEST_EXIT] = "guest-exit",
};

const char *events_type_name(enum snpvmm_event_type type)
{
	if ((unsigned int)type < sizeof(event_names) / sizeof(event_names[0]))
		return event_names[type];
	return "unknown";
}

void events_emit(struct events *ev, enum snpvmm_event_type type,
		 const struct snpvmm_event_field *fields, size_t nr_fields)
{
	struct snpvmm_event e = {
		.type = type,
		.type_name = events_type_name(type),
		.vm_name = ev->vm_name,
		.fields = fields,
		.nr_fields = nr_fields,
	};
	struct timespec mono, real;

	if (!ev->fn)
		return;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	e.monotonic_ns = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	e.realtime_us = (uint64_t)real.tv_sec * 1000000u + (uint64_t)real.tv_nsec / 1000u;
	pthread_mutex_lock(&ev->lock);
	if (!ev->guest_exit_sent) {
		ev->guest_exit_sent = type == SNPVMM_EVENT_GUEST_EXIT;
		ev->fn(ev->opaque, &e);
	}
	pthread_mutex_unlock(&ev->lock);
}

/* The length of the well-formed UTF-8 sequence at s, or 0 (RFC 3629 §4, Unicode Table 3-7:
 * no overlong forms, no surrogates, nothing above U+10FFFF). Stops at a NUL, which is
 * never a continuation byte. */
static size_t utf8_sequence_length(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if (s[0] == 0xe0)
			lo = 0xa0;
		if (s[0] == 0xed)
			hi = 0x9f;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if (s[0] == 0xf0)
			lo = 0x90;
		if (s[0] == 0xf4)
			hi = 0x8f;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

const char *events_json_str(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	/* RFC 8259 §7: '"', '\\' and U+0000..U+001F must be escaped; the text must be UTF-8
	 * (§8.1). A path or a guest's bytes need not be: each byte that does not start a
	 * well-formed sequence becomes U+FFFD. Nothing is cut in half: what does not fit
	 * (with the closing quote) is left out. */
	while (*p) {
		size_t n = utf8_sequence_length(p);
		char esc[8];
		size_t len;

		if (n == 0) {
			memcpy(esc, "\\ufffd", 6);
			len = 6;
		} else if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			len = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *p);
		} else {
			memcpy(esc, p, n);
			len = n;
		}
		if (o + len + 2 > size)
			break;
		memcpy(buf + o, esc, len);
		o += len;
		p += n ? n : 1;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

char *events_utf8_dup(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	/* Each invalid byte grows to the 3 bytes of U+FFFD at most. */
	char *out = malloc(3 * len + 1), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		size_t n = utf8_sequence_length(p);

		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}
