// SPDX-License-Identifier: MIT
#include "vmm/events.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

int events_open(struct events *ev, const char *path)
{
	*ev = (struct events){ .f = NULL };
	pthread_mutex_init(&ev->lock, NULL);
	if (!path)
		return 0;
	if (!strcmp(path, "-")) {
		ev->f = stderr;
		return 0;
	}
	ev->f = fopen(path, "we");
	if (!ev->f)
		return -errno;
	ev->owns_f = true;
	return 0;
}

void events_close(struct events *ev)
{
	if (ev->f && ev->owns_f)
		fclose(ev->f);
	ev->f = NULL;
	pthread_mutex_destroy(&ev->lock);
}

void events_emit(struct events *ev, const char *name, const char *fields, ...)
{
	struct timeval tv;
	va_list ap;

	if (!ev->f)
		return;
	gettimeofday(&tv, NULL);
	pthread_mutex_lock(&ev->lock);
	fprintf(ev->f, "{\"event\":\"%s\",\"time\":%lld.%06ld", name, (long long)tv.tv_sec,
		(long)tv.tv_usec);
	va_start(ap, fields);
	vfprintf(ev->f, fields, ap);
	va_end(ap);
	fputs("}\n", ev->f);
	fflush(ev->f);
	pthread_mutex_unlock(&ev->lock);
}

const char *events_json_str(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (; *s && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(buf + o, size - o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
