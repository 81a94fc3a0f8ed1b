/* SPDX-License-Identifier: MIT */
/*
 * The control socket of one VM: a Unix stream socket that speaks a subset of QMP, the QEMU
 * Machine Protocol (docs/control.md), so that tools that drive QEMU can query and stop an
 * snpvmm guest where the meaning is the same. One thread per control socket serves all
 * its clients with poll(); nothing is global, so a process may run several.
 *
 *   control_open()      binds and listens (a stale socket file is replaced, a live one
 *                       refused), starts the thread; before the launch, so that a bad
 *                       path is found first and clients can connect during it;
 *   control_attach()    gives it the launched VM (NULL again before the VM is destroyed);
 *                       until then query-status says "prelaunch", quit is remembered;
 *   control_emit()      queues an event for every client (any thread);
 *   control_vm_ended()  queues the SHUTDOWN event (and GUEST_PANICKED) for how it ended;
 *   control_close()     delivers what is queued (for up to a second), closes every
 *                       client, removes the socket file; accepts NULL.
 *
 * The library logs nothing: failures are -errno with a diag sentence.
 */
#ifndef SNPVMM_VMM_CONTROL_H
#define SNPVMM_VMM_CONTROL_H

#include <stdbool.h>

#include "util/diag.h"

struct control;
struct json_t;
struct vm;
struct vm_exit;

struct control_config {
	const char *path;
	/* system_powerdown: how long the guest has to power off before it is stopped;
	 * 0 waits for ever. */
	unsigned int powerdown_timeout_ms;
	const char *version; /* "MAJOR.MINOR.MICRO" of snpvmm, for the greeting */
};

int control_open(const struct control_config *cfg, struct control **ret, struct diag *d)
	__attribute__((warn_unused_result));
void control_attach(struct control *c, struct vm *vm);
/* Queues {"event": name, "data": data} (data may be NULL: {}); takes data's reference. */
void control_emit(struct control *c, const char *name, struct json_t *data);
/* Who stopped a VM that ended as VM_EXIT_STOPPED or a reset, as QMP's ShutdownCause
 * names it: "host-signal", "host-ui" (the console's escape), "host-qmp-quit". The control
 * socket knows its own requests; others tell it here before the VM ends. */
void control_set_host_cause(struct control *c, const char *cause);
void control_vm_ended(struct control *c, const struct vm_exit *e);
void control_close(struct control *c);

#endif /* SNPVMM_VMM_CONTROL_H */
