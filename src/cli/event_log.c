// SPDX-License-Identifier: MIT
#include "cli/event_log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"
#include "util/num.h"
#include "vmm/events.h"

int event_log_open(struct event_log *el, const char *spec, struct diag *d)
{
	uint64_t n;
	int fd;

	*el = (struct event_log){ .f = NULL, .spec = spec };
	if (!spec)
		return 0;
	if (!strcmp(spec, "-")) {
		el->f = stderr;
		return 0;
	}
	if (!strncmp(spec, "fd:", 3)) {
		if (parse_uint(spec + 3, INT32_MAX, &n) < 0)
			return diag_fail(d, -EINVAL, "--events '%s': expected fd:N with N a number",
					 spec);
		fd = fcntl((int)n, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return diag_fail(d, -errno, "--events '%s': %s", spec, strerror(errno));
		el->f = fdopen(fd, "w");
		if (!el->f) {
			int r = -errno;

			close(fd);
			return diag_fail(d, r, "--events '%s': %s", spec, strerror(-r));
		}
		el->owns_f = true;
		return 0;
	}
	fd = file_create_stream(spec, "the events file", &el->f, d);
	if (fd < 0)
		return fd;
	el->owns_f = true;
	return 0;
}

int event_log_close(struct event_log *el)
{
	int r = el->error;

	if (el->f && el->owns_f && fclose(el->f) != 0 && !r)
		r = -errno;
	el->f = NULL;
	return r;
}

/* A string member: bytes that are not UTF-8 (a path may hold any) become U+FFFD, so that
 * jansson, which takes only UTF-8, takes every string. */
static json_t *json_text(const char *s)
{
	char *clean = events_utf8_dup(s ? s : "");
	json_t *j;

	if (!clean)
		return NULL;
	j = json_string(clean);
	free(clean);
	return j;
}

static json_t *json_field(const struct snpvmm_event_field *f)
{
	switch (f->kind) {
	case SNPVMM_FIELD_STRING:
		return json_text(f->v.s);
	case SNPVMM_FIELD_UINT:
		/* JSON numbers beyond 2^63 would not round-trip through json_int_t. */
		if (f->v.u > INT64_MAX)
			return json_real((double)f->v.u);
		return json_integer((json_int_t)f->v.u);
	case SNPVMM_FIELD_INT:
		return json_integer((json_int_t)f->v.i);
	case SNPVMM_FIELD_BOOL:
		return json_boolean(f->v.b);
	}
	return json_null();
}

/* The whole text of o, or NULL. Not json_dumps(): when its buffer cannot grow it can
 * leave out an object's key and still succeed (jansson 2.14 dump.c do_dump() ignores
 * dump_string()'s result for keys); json_dumpb() measures first, and a second pass into a
 * buffer of that size that comes out shorter is refused. */
static char *dump_whole(const json_t *o, size_t flags)
{
	size_t len = json_dumpb(o, NULL, 0, flags);
	char *text = len ? malloc(len + 1) : NULL;

	if (text && json_dumpb(o, text, len, flags) != len) {
		free(text);
		return NULL;
	}
	if (text)
		text[len] = '\0';
	return text;
}

char *event_log_format(const struct snpvmm_event *ev, int status)
{
	json_t *o = json_object();
	char *text = NULL;
	size_t i;
	int r = 0;

	if (!o)
		return NULL;
	r |= json_object_set_new(o, "event", json_text(ev->type_name));
	/* "time": seconds since the Unix epoch with microseconds, as before; "monotonic":
	 * CLOCK_MONOTONIC seconds, for durations (immune to clock steps). */
	r |= json_object_set_new(o, "time", json_real((double)ev->realtime_us / 1e6));
	r |= json_object_set_new(o, "monotonic", json_real((double)ev->monotonic_ns / 1e9));
	r |= json_object_set_new(o, "name", json_text(ev->vm_name));
	for (i = 0; i < ev->nr_fields; i++)
		r |= json_object_set_new(o, ev->fields[i].name, json_field(&ev->fields[i]));
	if (ev->type == SNPVMM_EVENT_GUEST_EXIT)
		r |= json_object_set_new(o, "status", json_integer(status));
	if (!r)
		text = dump_whole(o, JSON_COMPACT | JSON_REAL_PRECISION(16));
	json_decref(o);
	return text;
}

static enum snpvmm_exit_reason reason_of(const struct snpvmm_event *ev)
{
	static const enum snpvmm_exit_reason all[] = {
		SNPVMM_EXIT_RESET,	SNPVMM_EXIT_POWEROFF, SNPVMM_EXIT_CRASH,
		SNPVMM_EXIT_TERMINATED, SNPVMM_EXIT_STOPPED,  SNPVMM_EXIT_ERROR,
	};
	size_t i, j;

	for (i = 0; i < ev->nr_fields; i++) {
		if (strcmp(ev->fields[i].name, "reason"))
			continue;
		for (j = 0; j < sizeof(all) / sizeof(all[0]); j++)
			if (!strcmp(ev->fields[i].v.s, snpvmm_exit_reason_name(all[j])))
				return all[j];
	}
	return SNPVMM_EXIT_ERROR;
}

void event_log_write(void *opaque, const struct snpvmm_event *ev)
{
	struct event_log *el = opaque;
	int status = 0;
	char *line;

	if (!el->f)
		return;
	if (ev->type == SNPVMM_EVENT_GUEST_EXIT && el->status_of)
		status = el->status_of(reason_of(ev));
	line = event_log_format(ev, status);
	errno = 0;
	if (!line || fputs(line, el->f) < 0 || fputc('\n', el->f) == EOF || fflush(el->f) != 0) {
		/* A consumer that misses an event must be told: the first failure is kept and
		 * event_log_close() returns it. */
		if (!el->error)
			el->error = !line ? -ENOMEM : errno ? -errno : -EIO;
	}
	free(line);
}
