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

static void *console_input_thread(void *arg)
{
	struct console *c = arg;
	uint8_t buf[64];

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = c->stop_fd, .events = POLLIN },
			{ .fd = c->in_fd, .events = POLLIN },
		};
		size_t room = serial_input_room(c->serial);
		ssize_t n;

		/* Read only what the guest's FIFO can take, so no keystroke is lost; while it
		 * is full, watch only for the stop signal and look again shortly. */
		if (poll(fds, room ? 2 : 1, room ? -1 : 10) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			break;
		if (!room || !fds[1].revents)
			continue;
		n = read(c->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF or error: no more input, output keeps working */
		(void)serial_push_input(c->serial, buf, (size_t)n);
	}
	return NULL;
}

int console_start_input(struct console *c, struct serial *s)
{
	struct termios raw;
	int r;

	if (c->in_fd < 0)
		return 0;
	c->serial = s;
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
