/* SPDX-License-Identifier: MIT */
/*
 * The host side of the guest's serial console: where its output goes and, for stdio, a
 * thread that feeds stdin into the UART's receive FIFO. A terminal on stdin is put in
 * raw mode for the run and restored afterwards.
 */
#ifndef SNPVMM_VMM_CONSOLE_H
#define SNPVMM_VMM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <termios.h>

#include "util/diag.h"
#include "vmm/options.h"

struct serial;

struct console {
	int out_fd;	  /* where guest output goes; -1 discards */
	bool owns_out_fd; /* a file we opened */
	int in_fd;	  /* -1: no input */
	int stop_fd;	  /* eventfd waking the input thread at shutdown */
	struct serial *serial;
	pthread_t thread;
	bool thread_started;
	bool restore_tty;
	struct termios saved_tty;
};

/* Opens the output side. -errno with d naming the file. */
int console_open(struct console *c, enum console_kind kind, const char *path, struct diag *d)
	__attribute__((warn_unused_result));
/* Uses the caller's fds (either may be -1), which stay the caller's: never closed here. */
int console_open_fds(struct console *c, int in_fd, int out_fd) __attribute__((warn_unused_result));
/* Starts feeding input into s (stdio only). */
int console_start_input(struct console *c, struct serial *s) __attribute__((warn_unused_result));
/* Stops the input thread, restores the terminal, closes what it opened. */
void console_close(struct console *c);

#endif /* SNPVMM_VMM_CONSOLE_H */
