// SPDX-License-Identifier: MIT
#include "vmm/events.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "util/file.h"

int events_open(struct events *ev, const char *path, struct diag *d)
{
	int r;

	*ev = (struct events){ .f = NULL };
	pthread_mutex_init(&ev->lock, NULL);
	if (!path)
		return 0;
	ev->path = path;
	if (!strcmp(path, "-")) {
		ev->f = stderr;
		return 0;
	}
	r = file_create_stream(path, "the events file", &ev->f, d);
	if (r < 0)
		return r;
	ev->owns_f = true;
	return 0;
}

int events_close(struct events *ev)
{
	int r = ev->error;

	if (ev->f && ev->owns_f && fclose(ev->f) != 0 && !r)
		r = -errno;
	ev->f = NULL;
	pthread_mutex_destroy(&ev->lock);
	return r;
}

void events_emit(struct events *ev, const char *name, const char *fields, ...)
{
	struct timeval tv;
	va_list ap;
	int r;

	if (!ev->f)
		return;
	gettimeofday(&tv, NULL);
	pthread_mutex_lock(&ev->lock);
	r = fprintf(ev->f, "{\"event\":\"%s\",\"time\":%lld.%06ld", name, (long long)tv.tv_sec,
		    (long)tv.tv_usec);
	va_start(ap, fields);
	if (r >= 0)
		r = vfprintf(ev->f, fields, ap);
	va_end(ap);
	if (r >= 0)
		r = fputs("}\n", ev->f);
	if (r >= 0)
		r = fflush(ev->f);
	/* A consumer that misses an event must be told: the first failure is kept and
	 * events_close() returns it. */
	if (r < 0 && !ev->error)
		ev->error = errno ? -errno : -EIO;
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
