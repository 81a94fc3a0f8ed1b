/* SPDX-License-Identifier: MIT */
/*
 * How `snpvmm run` is stopped from outside: SIGTERM, SIGINT and SIGHUP. They are blocked
 * in every thread (run_stop_start() runs before any other thread exists, and threads
 * inherit the mask) and read by one thread from a signalfd, so no handler runs in a vCPU
 * thread and nothing but this file decides what a signal means:
 *
 *   the first signal presses the guest's ACPI power button; if the guest has not ended
 *   after --shutdown-timeout seconds, it is stopped (exit status 5, guest-exit reason
 *   "stopped"); a second signal, or a timeout of 0, stops it at once. A signal during the
 *   launch stops the VM before it runs. Both go through the library's stop path
 *   (snpvmm_vm_request_stop(), snpvmm_vm_stop()), as the control socket's requests do.
 *
 * The console's terminal is restored and the events are written by the normal end of
 * cmd_run(), which a stop reaches like any other end of the guest.
 */
#ifndef SNPVMM_CLI_RUN_STOP_H
#define SNPVMM_CLI_RUN_STOP_H

#include <pthread.h>
#include <stdbool.h>

struct snpvmm_control;
struct snpvmm_vm;

struct run_stop {
	int signal_fd;
	int wake_fd;
	pthread_t thread;
	bool thread_started;
	unsigned int timeout_ms;
	pthread_mutex_t lock; /* guards what follows */
	struct snpvmm_vm *vm;
	struct snpvmm_control *control;
	unsigned int nr_signals;
	int last_signal;
};

/* Blocks the signals in the calling thread (so in every thread it creates later) and
 * starts the thread that reads them. -errno on failure. */
int run_stop_start(struct run_stop *s, unsigned int timeout_s) __attribute__((warn_unused_result));
/* Points the signals at a VM (and its control socket, which gets POWERDOWN and the cause
 * of the stop), or at nothing (NULL) once the VM has ended. A signal that came before the
 * VM was attached stops it at once. */
void run_stop_attach(struct run_stop *s, struct snpvmm_vm *vm, struct snpvmm_control *control);
/* Ends the thread. Accepts a run_stop that was never started. */
void run_stop_end(struct run_stop *s);

#endif /* SNPVMM_CLI_RUN_STOP_H */
