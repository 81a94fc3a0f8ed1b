// SPDX-License-Identifier: MIT
/*
 * SIGTERM, SIGINT and SIGHUP for `snpvmm run` (run_stop.h). QEMU ends at once on these
 * (qemu_system_killed(): SHUTDOWN with reason "host-signal"); snpvmm first asks the guest
 * through the power button, as a host shutting down its VMs does, so that a guest that can
 * power off cleanly does. Through the library's API: the graceful stop is
 * snpvmm_vm_request_stop() with the configured deadline (--shutdown-timeout), the same path
 * a control socket's system_powerdown takes.
 */
#include "cli/run_stop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "snpvmm/snpvmm.h"

static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/* Under s->lock, with a VM attached: what the nth signal does. */
static void act_locked(struct run_stop *s)
{
	char why[64];

	snpvmm_control_set_host_cause(s->control, "host-signal");
	if (s->nr_signals == 1 && s->timeout_ms) {
		(void)snpvmm_vm_request_stop(s->vm, SNPVMM_STOP_GRACEFUL);
		snpvmm_control_emit(s->control, "POWERDOWN");
		return;
	}
	snprintf(why, sizeof(why), "stopped by %s%s",
		 sigabbrev_np(s->last_signal) ? "SIG" : "signal",
		 sigabbrev_np(s->last_signal) ? sigabbrev_np(s->last_signal) : "");
	(void)snpvmm_vm_stop(s->vm, why);
}

static void *run_stop_thread(void *arg)
{
	struct run_stop *s = arg;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = s->wake_fd, .events = POLLIN },
			{ .fd = s->signal_fd, .events = POLLIN },
		};
		struct signalfd_siginfo si;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			break;
		if (read(s->signal_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		pthread_mutex_lock(&s->lock);
		s->nr_signals++;
		s->last_signal = (int)si.ssi_signo;
		if (s->vm)
			act_locked(s);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

int run_stop_start(struct run_stop *s, unsigned int timeout_s)
{
	sigset_t set;
	int r;

	*s = (struct run_stop){ .signal_fd = -1, .wake_fd = -1, .timeout_ms = timeout_s * 1000 };
	pthread_mutex_init(&s->lock, NULL);
	stop_signal_set(&set);
	r = -pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (r < 0)
		return r;
	s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
	s->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (s->signal_fd < 0 || s->wake_fd < 0)
		return -errno;
	r = -pthread_create(&s->thread, NULL, run_stop_thread, s);
	if (r < 0)
		return r;
	s->thread_started = true;
	return 0;
}

void run_stop_attach(struct run_stop *s, struct snpvmm_vm *vm, struct snpvmm_control *control)
{
	pthread_mutex_lock(&s->lock);
	s->vm = vm;
	s->control = control;
	/* A signal during the launch: the guest has not run, there is nothing to ask it. */
	if (vm && s->nr_signals) {
		s->nr_signals = 2;
		act_locked(s);
	}
	pthread_mutex_unlock(&s->lock);
}

void run_stop_end(struct run_stop *s)
{
	uint64_t one = 1;

	if (s->thread_started) {
		if (write(s->wake_fd, &one, sizeof(one)) < 0) {
			/* only on counter overflow */
		}
		pthread_join(s->thread, NULL);
		s->thread_started = false;
	}
	if (s->signal_fd >= 0)
		close(s->signal_fd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	s->signal_fd = s->wake_fd = -1;
	pthread_mutex_destroy(&s->lock);
}
