/* SPDX-License-Identifier: MIT */
/*
 * The host side of the guest's serial console: where its output goes and, for stdio, a
 * thread that feeds stdin into the UART's receive FIFO. A terminal on stdin is put in
 * raw mode for the run and restored afterwards.
 *
 * On a terminal, Ctrl-a is an escape as in QEMU's -nographic console (docs/snpvmm.1):
 * Ctrl-a x quits (the quit callback), Ctrl-a h prints the keys, Ctrl-a Ctrl-a sends one
 * Ctrl-a; any other key after Ctrl-a is dropped with it. Input that is not a terminal
 * (a pipe, a file) reaches the guest byte for byte.
 */
#ifndef SNPVMM_VMM_CONSOLE_H
#define SNPVMM_VMM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "util/diag.h"
#include "vmm/options.h"

struct serial;

#define CONSOLE_ESCAPE_CHAR 0x01 /* Ctrl-a */

typedef void console_quit_fn(void *ctx);

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
	bool escape;	     /* Ctrl-a commands are on (input is a terminal) */
	bool escape_pending; /* the last byte was Ctrl-a */
	console_quit_fn *quit;
	void *quit_ctx;
};

/* Opens the output side. -errno with d naming the file. */
int console_open(struct console *c, enum console_kind kind, const char *path, struct diag *d)
	__attribute__((warn_unused_result));
/* Uses the caller's fds (either may be -1), which stay the caller's: never closed here. */
int console_open_fds(struct console *c, int in_fd, int out_fd) __attribute__((warn_unused_result));
/* Starts feeding input into s (stdio only); quit (may be NULL) is called from the input
 * thread for Ctrl-a x. */
int console_start_input(struct console *c, struct serial *s, console_quit_fn *quit, void *ctx)
	__attribute__((warn_unused_result));
/* Filters input through the escape (pure, for tests): copies the bytes for the guest
 * from in[0..n) to out (room for n) and returns how many; *ret_cmd gets the command key
 * ('x', 'h') of an escape sequence in this input, or 0. Stops after a command key, with
 * *ret_used the bytes consumed. */
size_t console_filter_input(struct console *c, const uint8_t *in, size_t n, uint8_t *out,
			    size_t *ret_used, int *ret_cmd);
/* Stops the input thread, restores the terminal, closes what it opened. */
void console_close(struct console *c);

#endif /* SNPVMM_VMM_CONSOLE_H */
