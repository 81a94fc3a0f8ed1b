// SPDX-License-Identifier: MIT
#include "vmm/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/serial.h"
#include "util/file.h"

int console_open(struct console *c, enum console_kind kind, const char *path, struct diag *d)
{
	*c = (struct console){ .out_fd = -1, .in_fd = -1, .stop_fd = -1 };
	switch (kind) {
	case CONSOLE_STDIO:
		c->out_fd = STDOUT_FILENO;
		c->in_fd = STDIN_FILENO;
		break;
	case CONSOLE_FILE:
		/* Non-blocking, which serial_emit() expects anyway (it polls with a timeout
		 * before each byte); a FIFO without a reader is refused, not waited for. */
		c->out_fd = file_create(path, "console file", true, d);
		if (c->out_fd < 0)
			return c->out_fd;
		c->owns_out_fd = true;
		break;
	case CONSOLE_NONE:
	case CONSOLE_FDS: /* console_open_fds() */
		break;
	}
	return 0;
}

int console_open_fds(struct console *c, int in_fd, int out_fd)
{
	*c = (struct console){ .out_fd = out_fd, .in_fd = in_fd, .stop_fd = -1 };
	return 0;
}

size_t console_filter_input(struct console *c, const uint8_t *in, size_t n, uint8_t *out,
			    size_t *ret_used, int *ret_cmd)
{
	size_t i, o = 0;

	*ret_cmd = 0;
	for (i = 0; i < n; i++) {
		uint8_t b = in[i];

		if (!c->escape) {
			out[o++] = b;
		} else if (c->escape_pending) {
			c->escape_pending = false;
			if (b == CONSOLE_ESCAPE_CHAR) {
				out[o++] = b;
			} else if (b == 'x' || b == 'h') {
				*ret_cmd = b;
				i++;
				break;
			}
			/* Any other key: dropped with the escape, as QEMU's mux does. */
		} else if (b == CONSOLE_ESCAPE_CHAR) {
			c->escape_pending = true;
		} else {
			out[o++] = b;
		}
	}
	*ret_used = i;
	return o;
}

static const char console_help[] = "\r\n"
				   "C-a h    print this help\r\n"
				   "C-a x    exit snpvmm (the guest is stopped, not shut down)\r\n"
				   "C-a C-a  send C-a to the guest\r\n";

/* Console output is best effort (serial.c drops what a stalled reader will not take). */
static void console_write_all(int fd, const char *text, size_t len)
{
	while (fd >= 0 && len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

/* Keystrokes read ahead of a guest that takes none (escape mode only). */
#define CONSOLE_BACKLOG 4096

/* Escape mode: filters what was read into the backlog (what does not fit is dropped: the
 * user typed 4 KiB ahead of a guest that reads nothing) and acts on the commands. False:
 * quit. */
static bool console_read_ahead(struct console *c, const uint8_t *buf, size_t n, uint8_t *backlog,
			       size_t *pending)
{
	uint8_t out[64];

	while (n) {
		size_t used, len, fit;
		int cmd;

		len = console_filter_input(c, buf, n < sizeof(out) ? n : sizeof(out), out, &used,
					   &cmd);
		fit = CONSOLE_BACKLOG - *pending < len ? CONSOLE_BACKLOG - *pending : len;
		memcpy(backlog + *pending, out, fit);
		*pending += fit;
		buf += used;
		n -= used;
		if (cmd == 'h')
			console_write_all(c->out_fd, console_help, sizeof(console_help) - 1);
		if (cmd == 'x') {
			if (c->quit)
				c->quit(c->quit_ctx);
			return false;
		}
	}
	return true;
}

static void *console_input_thread(void *arg)
{
	struct console *c = arg;
	uint8_t buf[64], backlog[CONSOLE_BACKLOG];
	size_t pending = 0;
	bool in_open = true;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = c->stop_fd, .events = POLLIN },
			{ .fd = c->in_fd, .events = POLLIN },
		};
		size_t room = serial_input_room(c->serial), k;
		bool watch_in;
		ssize_t n;

		if (pending && room) {
			k = serial_push_input(c->serial, backlog, pending < room ? pending : room);
			memmove(backlog, backlog + k, pending - k);
			pending -= k;
			room = serial_input_room(c->serial);
		}
		if (!in_open && !pending)
			break; /* EOF or error: no more input, output keeps working */
		/* Without the escape, read only what the guest's FIFO can take, so no keystroke
		 * is lost; while it is full, watch only for the stop signal and look again
		 * shortly. With it (a terminal), always read, so that Ctrl-a x works while the
		 * guest takes no input; what it has not taken waits in the backlog. */
		watch_in = in_open && (c->escape || room);
		if (poll(fds, watch_in ? 2 : 1, pending || !watch_in ? 10 : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			break;
		if (!watch_in || !fds[1].revents)
			continue;
		n = read(c->in_fd, buf, c->escape || room > sizeof(buf) ? sizeof(buf) : room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			in_open = false;
			continue;
		}
		if (!c->escape)
			(void)serial_push_input(c->serial, buf, (size_t)n);
		else if (!console_read_ahead(c, buf, (size_t)n, backlog, &pending))
			break;
	}
	return NULL;
}

int console_start_input(struct console *c, struct serial *s, console_quit_fn *quit, void *ctx)
{
	struct termios raw;
	int r;

	if (c->in_fd < 0)
		return 0;
	c->serial = s;
	c->quit = quit;
	c->quit_ctx = ctx;
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (c->stop_fd < 0)
		return -errno;
	/* Raw mode, as a serial line is: the guest echoes and edits, we pass every byte
	 * (including ^C) through. */
	if (isatty(c->in_fd) && tcgetattr(c->in_fd, &c->saved_tty) == 0) {
		raw = c->saved_tty;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR;
		if (tcsetattr(c->in_fd, TCSANOW, &raw) == 0)
			c->restore_tty = true;
		c->escape = true;
	}
	r = pthread_create(&c->thread, NULL, console_input_thread, c);
	if (r)
		return -r;
	c->thread_started = true;
	return 0;
}

void console_close(struct console *c)
{
	uint64_t one = 1;

	if (c->thread_started) {
		if (write(c->stop_fd, &one, sizeof(one)) < 0) {
			/* an eventfd write only fails on overflow; the thread wakes anyway */
		}
		pthread_join(c->thread, NULL);
		c->thread_started = false;
	}
	if (c->restore_tty)
		(void)tcsetattr(c->in_fd, TCSANOW, &c->saved_tty);
	c->restore_tty = false;
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	c->stop_fd = -1;
	if (c->owns_out_fd && c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
}
