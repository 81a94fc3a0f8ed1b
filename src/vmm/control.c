// SPDX-License-Identifier: MIT
/*
 * The QMP control socket (docs/control.md). The wire format follows QEMU's
 * docs/interop/qmp-spec.rst: a greeting {"QMP": {"version", "capabilities"}}, then JSON
 * objects {"execute", "arguments", "id"} answered by {"return"} or {"error": {"class",
 * "desc"}} with the request's "id", and asynchronous {"event", "data", "timestamp"}.
 * Input is a stream of JSON texts (a client need not end them with a newline, as QEMU's
 * own Python library does not); a text that is not valid JSON gets a GenericError and the
 * rest of its line is skipped. Every client gets every event.
 *
 * One thread serves the listening socket and every client with poll(). Other threads
 * only queue events (under `lock`) and wake it through an eventfd.
 */
#include "vmm/control.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/vm.h"

#define CONTROL_MAX_CLIENTS    8
#define CONTROL_MAX_INPUT      (64 * 1024)   /* one JSON text may not be longer */
#define CONTROL_MAX_OUTPUT     (1024 * 1024) /* a client that reads nothing is dropped */
#define CONTROL_CLOSE_FLUSH_MS 1000

struct control_client {
	int fd; /* -1: a free slot */
	bool negotiated;
	char in[CONTROL_MAX_INPUT];
	size_t in_len;
	char *out;
	size_t out_len, out_cap;
};

struct control {
	struct control_config cfg;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int wake_fd;
	pthread_t thread;
	bool thread_started;
	struct control_client *clients[CONTROL_MAX_CLIENTS];
	unsigned int version[3];

	pthread_mutex_t lock;
	struct vm *vm;		/* under lock: NULL while the VM is being launched */
	bool quit_pending;	/* under lock: quit came before the VM */
	json_t *pending;	/* under lock: events not yet sent */
	const char *host_cause; /* under lock: who stopped or reset the VM */
	const char *end_status; /* under lock: query-status once the VM ended */
	bool closing;		/* under lock */
};

static void wake(struct control *c)
{
	uint64_t one = 1;

	if (write(c->wake_fd, &one, sizeof(one)) < 0) {
		/* only on counter overflow: the thread is awake anyway */
	}
}

/* ---- output ---- */

static void client_drop(struct control_client **slot)
{
	struct control_client *cl = *slot;

	if (!cl)
		return;
	close(cl->fd);
	free(cl->out);
	free(cl);
	*slot = NULL;
}

/* Appends one message (and QEMU's "\r\n") to the client's output. A client whose unread
 * output passes CONTROL_MAX_OUTPUT gets nothing more: -ENOBUFS, the caller drops it.
 * json_dumpb() measures, then writes into our buffer: json_dumps() can leave out an
 * object's key when its own buffer cannot grow (jansson 2.14 dump.c do_dump() ignores
 * dump_string()'s result for keys), and a reply without "id" is never matched. */
static int client_send(struct control_client *cl, json_t *msg)
{
	size_t len = json_dumpb(msg, NULL, 0, JSON_COMPACT), need;

	if (!len)
		return -ENOMEM;
	need = cl->out_len + len + 2;
	if (need > CONTROL_MAX_OUTPUT)
		return -ENOBUFS;
	if (need > cl->out_cap) {
		size_t cap = cl->out_cap ? cl->out_cap : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(cl->out, cap);
		if (!p)
			return -ENOMEM;
		cl->out = p;
		cl->out_cap = cap;
	}
	if (json_dumpb(msg, cl->out + cl->out_len, len, JSON_COMPACT) != len)
		return -ENOMEM;
	memcpy(cl->out + cl->out_len + len, "\r\n", 2);
	cl->out_len += len + 2;
	return 0;
}

/* Writes what the socket takes now. -errno: the client is gone. */
static int client_flush(struct control_client *cl)
{
	while (cl->out_len) {
		ssize_t n = send(cl->fd, cl->out, cl->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		memmove(cl->out, cl->out + n, cl->out_len - (size_t)n);
		cl->out_len -= (size_t)n;
	}
	return 0;
}

static json_t *qmp_error(const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static json_t *qmp_error(const char *cls, const char *fmt, ...)
{
	char desc[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	return json_pack("{s:{s:s,s:s}}", "error", "class", cls, "desc", desc);
}

/* Sends a reply with the request's id (if any); takes msg's reference. */
static int reply(struct control_client *cl, json_t *msg, json_t *id)
{
	int r;

	if (!msg)
		return -ENOMEM;
	/* A reply without its request's id would leave the client waiting for that one. */
	if (id && json_object_set(msg, "id", id) < 0) {
		json_decref(msg);
		return -ENOMEM;
	}
	r = client_send(cl, msg);
	json_decref(msg);
	return r;
}

/* ---- events ---- */

void control_emit(struct control *c, const char *name, json_t *data)
{
	struct timeval tv;
	json_t *ev;

	if (!c) {
		json_decref(data);
		return;
	}
	gettimeofday(&tv, NULL);
	/* QMP's timestamp is the host's wall clock (qmp-spec.rst "Asynchronous events"). */
	ev = json_pack("{s:s,s:o,s:{s:I,s:I}}", "event", name, "data", data ? data : json_object(),
		       "timestamp", "seconds", (json_int_t)tv.tv_sec, "microseconds",
		       (json_int_t)tv.tv_usec);
	if (!ev)
		return;
	pthread_mutex_lock(&c->lock);
	json_array_append_new(c->pending, ev);
	pthread_mutex_unlock(&c->lock);
	wake(c);
}

void control_set_host_cause(struct control *c, const char *cause)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (!c->host_cause)
		c->host_cause = cause;
	pthread_mutex_unlock(&c->lock);
}

/*
 * QEMU's events for the end of a guest, as QEMU run with -no-reboot sends them (snpvmm
 * never resets a guest in place: an SNP guest's state is its measured launch): SHUTDOWN
 * {"guest", "reason" (a ShutdownCause)}, preceded by GUEST_PANICKED for a crash or a
 * termination request (QEMU reports KVM_SYSTEM_EVENT_SEV_TERM as a panic). "detail" is
 * snpvmm's sentence; QMP clients ignore members they do not know.
 */
void control_vm_ended(struct control *c, const struct vm_exit *e)
{
	const char *reason = "host-error", *status = "shutdown", *cause;
	bool guest = false;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	cause = c->host_cause;
	pthread_mutex_unlock(&c->lock);
	switch (e->reason) {
	case VM_EXIT_POWEROFF:
		guest = true;
		reason = "guest-shutdown";
		break;
	case VM_EXIT_RESET:
		guest = !cause || strcmp(cause, "host-qmp-system-reset");
		reason = guest ? "guest-reset" : cause;
		break;
	case VM_EXIT_GUEST_CRASH:
	case VM_EXIT_GUEST_TERMINATED:
		guest = true;
		reason = "guest-panic";
		status = "guest-panicked";
		control_emit(c, "GUEST_PANICKED", json_pack("{s:s}", "action", "poweroff"));
		break;
	case VM_EXIT_STOPPED:
		/* Without a known cause: the console's escape (or an embedder's request). */
		reason = cause ? cause : "host-ui";
		break;
	case VM_EXIT_NONE:
	case VM_EXIT_VMM_ERROR:
		status = "internal-error";
		break;
	}
	pthread_mutex_lock(&c->lock);
	c->end_status = status;
	pthread_mutex_unlock(&c->lock);
	control_emit(
		c, "SHUTDOWN",
		json_pack("{s:b,s:s,s:s}", "guest", guest, "reason", reason, "detail", e->detail));
}

/* ---- commands ---- */

/* The VM, or NULL (with *ret_error set) while it is being launched. */
static struct vm *launched_vm(struct control *c, json_t **ret_error)
{
	struct vm *vm;

	pthread_mutex_lock(&c->lock);
	vm = c->vm;
	pthread_mutex_unlock(&c->lock);
	if (!vm && ret_error)
		*ret_error = qmp_error("GenericError", "the guest is still being launched");
	return vm;
}

void control_attach(struct control *c, struct vm *vm)
{
	bool quit;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->vm = vm;
	quit = c->quit_pending;
	pthread_mutex_unlock(&c->lock);
	if (vm && quit)
		vm_request_host_stop(vm, VM_STOP_FORCE, 0,
				     "stopped by the QMP command quit (during the launch)");
}

struct command {
	const char *name;
	/* The "return" value (a new reference), or NULL with *ret_error set. */
	json_t *(*run)(struct control *c, json_t *args, json_t **ret_error);
};

static json_t *cmd_qmp_capabilities(struct control *c, json_t *args, json_t **ret_error)
{
	json_t *enable = args ? json_object_get(args, "enable") : NULL;

	/* snpvmm offers no capability (no "oob"): enabling one is an error, as in QEMU. */
	if (enable && (!json_is_array(enable) || json_array_size(enable))) {
		*ret_error = qmp_error("GenericError", "Capability is not available");
		return NULL;
	}
	return json_object();
}

static json_t *cmd_query_status(struct control *c, json_t *args, json_t **ret_error)
{
	struct vm *vm = launched_vm(c, NULL);
	const char *status;

	pthread_mutex_lock(&c->lock);
	status = c->end_status;
	pthread_mutex_unlock(&c->lock);
	if (!status && !vm)
		status = "prelaunch";
	if (!status) {
		switch (vm_get_state(vm, NULL)) {
		case VM_STATE_CREATED:
			status = "prelaunch";
			break;
		case VM_STATE_RUNNING:
			status = "running";
			break;
		case VM_STATE_ENDED:
			status = "shutdown";
			break;
		}
	}
	return json_pack("{s:s,s:b}", "status", status, "running", !strcmp(status, "running"));
}

static json_t *cmd_system_powerdown(struct control *c, json_t *args, json_t **ret_error)
{
	struct vm *vm = launched_vm(c, ret_error);

	if (!vm)
		return NULL;
	vm_request_host_stop(vm, VM_STOP_POWERDOWN, c->cfg.powerdown_timeout_ms, NULL);
	control_set_host_cause(c, "host-qmp-quit"); /* if the deadline stops it */
	/* QEMU sends POWERDOWN when it has asked the guest (after the reply). */
	control_emit(c, "POWERDOWN", NULL);
	return json_object();
}

static json_t *cmd_system_reset(struct control *c, json_t *args, json_t **ret_error)
{
	struct vm *vm = launched_vm(c, ret_error);

	if (!vm)
		return NULL;
	control_set_host_cause(c, "host-qmp-system-reset");
	vm_request_host_stop(vm, VM_STOP_RESET, 0,
			     "the host reset the machine (QMP system_reset): snpvmm ends as "
			     "QEMU does with -no-reboot");
	return json_object();
}

static json_t *cmd_quit(struct control *c, json_t *args, json_t **ret_error)
{
	struct vm *vm;

	control_set_host_cause(c, "host-qmp-quit");
	pthread_mutex_lock(&c->lock);
	vm = c->vm;
	c->quit_pending = !vm; /* control_attach() stops it before it runs */
	pthread_mutex_unlock(&c->lock);
	if (vm)
		vm_request_host_stop(vm, VM_STOP_FORCE, 0, "stopped by the QMP command quit");
	return json_object();
}

static json_t *cmd_query_version(struct control *c, json_t *args, json_t **ret_error)
{
	char package[64];

	/* "qemu" holds snpvmm's own version (it is the version of the program that
	 * answers); "package" says which program that is. */
	snprintf(package, sizeof(package), "snpvmm %s", c->cfg.version);
	return json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "major", (int)c->version[0], "minor",
			 (int)c->version[1], "micro", (int)c->version[2], "package", package);
}

static json_t *cmd_query_kvm(struct control *c, json_t *args, json_t **ret_error)
{
	return json_pack("{s:b,s:b}", "enabled", 1, "present", 1);
}

/* QEMU's SevInfo for sev-type "sev-snp". snpvmm does not ask the firmware for its API
 * version, so api-major, api-minor and build-id are 0 ("unknown"). */
static json_t *cmd_query_sev(struct control *c, json_t *args, json_t **ret_error)
{
	struct vm *vm = launched_vm(c, ret_error);
	const struct vm_snp *snp;
	char features[24];

	if (!vm)
		return NULL;
	snp = &vm->snp;
	if (!snp->enabled) {
		*ret_error = qmp_error("GenericError", "SEV feature is not available");
		return NULL;
	}
	/* SEV_FEATURES as the VMSA holds it: SNP_ACTIVE (bit 0) included. */
	snprintf(features, sizeof(features), "0x%llx",
		 (unsigned long long)(snp->vmsa_features | 1));
	/* The firmware version read at the launch's host checks; 0 if the host could not
	 * answer SNP_PLATFORM_STATUS (query-sev has no way to say "unknown"). */
	return json_pack("{s:b,s:i,s:i,s:I,s:s,s:s,s:I,s:s,s:s}", "enabled", 1, "api-major",
			 (int)snp->firmware.api_major, "api-minor", (int)snp->firmware.api_minor,
			 "build-id", (json_int_t)snp->firmware.build_id, "state", "running",
			 "sev-type", "sev-snp", "snp-policy", (json_int_t)snp->policy,
			 "sev-features", features, "kvm-abi",
			 snp->abi == SNP_ABI_V12 ? "v12" : "upstream");
}

/* The launch digest, base64 as QEMU's SevLaunchMeasureInfo "data". */
static json_t *cmd_query_sev_launch_measure(struct control *c, json_t *args, json_t **ret_error)
{
	unsigned char b64[4 * ((SNP_LD_SIZE + 2) / 3) + 1];
	char hex[2 * SNP_LD_SIZE + 1];
	struct vm *vm = launched_vm(c, ret_error);

	if (!vm)
		return NULL;
	if (!vm->snp.enabled) {
		*ret_error = qmp_error("GenericError", "SEV launch measurement is not available");
		return NULL;
	}
	EVP_EncodeBlock(b64, vm->snp.measurement, SNP_LD_SIZE);
	snp_hex(vm->snp.measurement, SNP_LD_SIZE, hex);
	return json_pack("{s:s,s:s}", "data", (const char *)b64, "measurement", hex);
}

static json_t *cmd_query_commands(struct control *c, json_t *args, json_t **ret_error);

static const struct command commands[] = {
	{ "qmp_capabilities", cmd_qmp_capabilities },
	{ "query-commands", cmd_query_commands },
	{ "query-status", cmd_query_status },
	{ "query-version", cmd_query_version },
	{ "query-kvm", cmd_query_kvm },
	{ "query-sev", cmd_query_sev },
	{ "query-sev-launch-measure", cmd_query_sev_launch_measure },
	{ "system_powerdown", cmd_system_powerdown },
	{ "system_reset", cmd_system_reset },
	{ "quit", cmd_quit },
};

static json_t *cmd_query_commands(struct control *c, json_t *args, json_t **ret_error)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list && i < sizeof(commands) / sizeof(commands[0]); i++)
		json_array_append_new(list, json_pack("{s:s}", "name", commands[i].name));
	return list;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* One request. Returns -errno if the client must be dropped. */
static int handle_request(struct control *c, struct control_client *cl, json_t *req)
{
	const struct command *cmd;
	json_t *id, *exec, *args, *value, *result, *error = NULL;
	const char *key, *name;

	if (!json_is_object(req))
		return reply(cl, qmp_error("GenericError", "QMP input must be a JSON object"),
			     NULL);
	id = json_object_get(req, "id");
	json_object_foreach(req, key, value)
	{
		if (strcmp(key, "execute") && strcmp(key, "arguments") && strcmp(key, "id"))
			return reply(cl,
				     qmp_error("GenericError",
					       "QMP input member '%.64s' is unexpected", key),
				     id);
	}
	exec = json_object_get(req, "execute");
	if (!exec)
		return reply(cl, qmp_error("GenericError", "QMP input lacks member 'execute'"), id);
	if (!json_is_string(exec))
		return reply(
			cl,
			qmp_error("GenericError", "QMP input member 'execute' must be a string"),
			id);
	args = json_object_get(req, "arguments");
	if (args && !json_is_object(args))
		return reply(
			cl,
			qmp_error("GenericError", "QMP input member 'arguments' must be an object"),
			id);
	name = json_string_value(exec);
	cmd = find_command(name);
	if (!cl->negotiated && (!cmd || cmd->run != cmd_qmp_capabilities))
		return reply(cl,
			     qmp_error("CommandNotFound", "Expecting capabilities negotiation with "
							  "'qmp_capabilities'"),
			     id);
	if (cl->negotiated && cmd && cmd->run == cmd_qmp_capabilities)
		return reply(cl,
			     qmp_error("CommandNotFound", "Capabilities negotiation is already "
							  "complete, command ignored"),
			     id);
	if (!cmd)
		return reply(
			cl,
			qmp_error("CommandNotFound", "The command %.64s has not been found", name),
			id);
	/* Only qmp_capabilities takes an argument ("enable"). */
	json_object_foreach(args, key, value)
	{
		if (cmd->run != cmd_qmp_capabilities || strcmp(key, "enable"))
			return reply(
				cl,
				qmp_error("GenericError", "Parameter '%.64s' is unexpected", key),
				id);
	}
	result = cmd->run(c, args, &error);
	if (!result)
		return reply(cl, error ? error : qmp_error("GenericError", "out of memory"), id);
	if (cmd->run == cmd_qmp_capabilities)
		cl->negotiated = true;
	return reply(cl, json_pack("{s:o}", "return", result), id);
}

/* Handles every complete JSON text in the client's input. -errno: drop the client. */
static int client_parse(struct control *c, struct control_client *cl)
{
	size_t off = 0;
	int r = 0;

	while (r >= 0 && off < cl->in_len) {
		size_t left;
		json_error_t err;
		json_t *req;
		char *nl;

		while (off < cl->in_len && isspace((unsigned char)cl->in[off]))
			off++;
		left = cl->in_len - off;
		if (!left)
			break;
		req = json_loadb(cl->in + off, left,
				 JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &err);
		/* jansson reports some failed allocations as syntax errors (load.c
		 * lex_scan_string() returns TOKEN_INVALID, 2.14): a text it refuses is read once
		 * more before the client is told that it is not JSON. */
		if (!req && json_error_code(&err) != json_error_premature_end_of_input)
			req = json_loadb(cl->in + off, left,
					 JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &err);
		if (req) {
			off += (size_t)err.position;
			r = handle_request(c, cl, req);
			json_decref(req);
			continue;
		}
		/* jansson fails without a message only when an allocation failed: the text is
		 * no mistake of the client's, and where it ends is unknown. Answering it with a
		 * parse error (which has no id) would leave the client waiting for its answer
		 * for ever: the client is dropped and sees the connection closed. */
		if (!err.text[0] || json_error_code(&err) == json_error_out_of_memory) {
			r = -ENOMEM;
			break;
		}
		/* The text may just not have arrived in full yet. */
		if (json_error_code(&err) == json_error_premature_end_of_input ||
		    (size_t)err.position >= left)
			break;
		r = reply(cl, qmp_error("GenericError", "JSON parse error, %s", err.text), NULL);
		nl = memchr(cl->in + off, '\n', left);
		off = nl ? (size_t)(nl - cl->in) + 1 : cl->in_len;
	}
	memmove(cl->in, cl->in + off, cl->in_len - off);
	cl->in_len -= off;
	if (r >= 0 && cl->in_len == sizeof(cl->in)) {
		(void)reply(
			cl,
			qmp_error("GenericError", "QMP input exceeds %d bytes", CONTROL_MAX_INPUT),
			NULL);
		(void)client_flush(cl);
		return -EMSGSIZE;
	}
	return r;
}

/* ---- the thread ---- */

static void accept_client(struct control *c)
{
	struct control_client *cl;
	unsigned int i;
	json_t *greeting;
	int fd;

	fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS && c->clients[i]; i++)
		;
	cl = i < CONTROL_MAX_CLIENTS ? calloc(1, sizeof(*cl)) : NULL;
	if (!cl) {
		close(fd); /* full: the client sees the connection closed */
		return;
	}
	cl->fd = fd;
	c->clients[i] = cl;
	greeting =
		json_pack("{s:{s:{s:{s:i,s:i,s:i},s:s+},s:[]}}", "QMP", "version", "qemu", "major",
			  (int)c->version[0], "minor", (int)c->version[1], "micro",
			  (int)c->version[2], "package", "snpvmm ", c->cfg.version, "capabilities");
	if (reply(cl, greeting, NULL) < 0)
		client_drop(&c->clients[i]);
}

static void client_io(struct control *c, unsigned int i, short revents)
{
	struct control_client *cl = c->clients[i];
	ssize_t n;

	if (revents & POLLIN) {
		n = read(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_drop(&c->clients[i]);
			return;
		}
		if (n > 0) {
			cl->in_len += (size_t)n;
			if (client_parse(c, cl) < 0) {
				client_drop(&c->clients[i]);
				return;
			}
		}
	} else if (revents & (POLLHUP | POLLERR)) {
		client_drop(&c->clients[i]);
		return;
	}
	if (client_flush(cl) < 0)
		client_drop(&c->clients[i]);
}

/* Sends the queued events to every client. Returns true if closing was asked. */
static bool deliver_events(struct control *c)
{
	json_t *events = NULL, *ev, *fresh = json_array();
	unsigned int i;
	size_t k;
	bool closing;

	/* Without a new queue the events stay queued for the next wake-up (at the latest
	 * control_close()'s): a NULL queue would lose every later event. */
	pthread_mutex_lock(&c->lock);
	if (fresh) {
		events = c->pending;
		c->pending = fresh;
	}
	closing = c->closing;
	pthread_mutex_unlock(&c->lock);
	json_array_foreach(events, k, ev)
	{
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
			if (c->clients[i] && c->clients[i]->negotiated &&
			    client_send(c->clients[i], ev) < 0)
				client_drop(&c->clients[i]);
	}
	json_decref(events);
	return closing;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	uint64_t flush_until = 0;
	bool closing = false;

	for (;;) {
		struct pollfd fds[2 + CONTROL_MAX_CLIENTS];
		unsigned int map[CONTROL_MAX_CLIENTS];
		unsigned int i, n = 0, nr_clients = 0;
		bool pending_output = false;
		int timeout = -1;

		fds[n++] = (struct pollfd){ .fd = c->wake_fd, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = closing ? -1 : c->listen_fd, .events = POLLIN };
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			struct control_client *cl = c->clients[i];

			if (!cl)
				continue;
			pending_output |= cl->out_len > 0;
			map[nr_clients++] = i;
			fds[n++] = (struct pollfd){
				.fd = cl->fd,
				.events = (short)((closing ? 0 : POLLIN) |
						  (cl->out_len ? POLLOUT : 0)),
			};
		}
		if (closing) {
			uint64_t now = now_ms();

			/* Closing: deliver what is queued, to clients that read it in time. */
			if (!pending_output || now >= flush_until)
				break;
			timeout = (int)(flush_until - now);
		}
		if (poll(fds, n, timeout) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN) {
			uint64_t v;

			if (read(c->wake_fd, &v, sizeof(v)) < 0) {
				/* nothing to read: another wake-up got it */
			}
			if (deliver_events(c) && !closing) {
				closing = true;
				flush_until = now_ms() + CONTROL_CLOSE_FLUSH_MS;
			}
		}
		if (fds[1].revents & POLLIN)
			accept_client(c);
		for (i = 0; i < nr_clients; i++)
			if (fds[2 + i].revents && c->clients[map[i]])
				client_io(c, map[i], fds[2 + i].revents);
	}
	return NULL;
}

/* ---- setup ---- */

/* A socket file left by an earlier snpvmm that died is replaced; one that a live process
 * listens on, or a file that is not a socket, is refused. */
static int remove_stale_socket(const struct sockaddr_un *sa, struct diag *d)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0
				       : diag_fail(d, -errno, "control socket '%s': %s",
						   sa->sun_path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return diag_fail(d, -EEXIST,
				 "control socket '%s': the file exists and is not a socket",
				 sa->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return diag_fail(d, -errno, "control socket: %s", strerror(errno));
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0)
		return diag_fail(d, -EADDRINUSE,
				 "control socket '%s': another process is listening on it",
				 sa->sun_path);
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return diag_fail(d, -errno,
				 "control socket '%s': cannot remove the stale socket: %s",
				 sa->sun_path, strerror(errno));
	return 0;
}

static int control_listen(struct control *c, struct diag *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	if (!c->cfg.path[0] || strlen(c->cfg.path) >= sizeof(sa.sun_path))
		return diag_fail(d, -ENAMETOOLONG,
				 "control socket '%s': the path must have 1 to %zu bytes",
				 c->cfg.path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, c->cfg.path, strlen(c->cfg.path) + 1);
	r = remove_stale_socket(&sa, d);
	if (r < 0)
		return r;
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		return diag_fail(d, -errno, "control socket: %s", strerror(errno));
	if (bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return diag_fail(d, -errno, "control socket '%s': %s", c->cfg.path,
				 strerror(errno));
	memcpy(c->path, sa.sun_path, sizeof(c->path));
	/* Only its owner may stop the VM; connecting needs write permission (unix(7)). */
	if (chmod(c->path, 0600) < 0 || listen(c->listen_fd, CONTROL_MAX_CLIENTS) < 0)
		return diag_fail(d, -errno, "control socket '%s': %s", c->cfg.path,
				 strerror(errno));
	return 0;
}

int control_open(const struct control_config *cfg, struct control **ret, struct diag *d)
{
	struct control *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cfg = *cfg;
	c->listen_fd = -1;
	c->wake_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	if (sscanf(cfg->version ? cfg->version : "", "%u.%u.%u", &c->version[0], &c->version[1],
		   &c->version[2]) != 3)
		c->version[0] = c->version[1] = c->version[2] = 0;
	if (!cfg->version)
		c->cfg.version = "unknown";
	c->pending = json_array();
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!c->pending || c->wake_fd < 0) {
		r = c->pending ? -errno : -ENOMEM;
		goto out_close;
	}
	r = control_listen(c, d);
	if (r < 0)
		goto out_close;
	r = -pthread_create(&c->thread, NULL, control_thread, c);
	if (r < 0) {
		diag_fail(d, r, "cannot start the control socket's thread: %s", strerror(-r));
		goto out_close;
	}
	c->thread_started = true;
	*ret = c;
	return 0;

out_close:
	control_close(c);
	return r;
}

void control_close(struct control *c)
{
	unsigned int i;

	if (!c)
		return;
	if (c->thread_started) {
		pthread_mutex_lock(&c->lock);
		c->closing = true;
		pthread_mutex_unlock(&c->lock);
		wake(c);
		pthread_join(c->thread, NULL);
	}
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		client_drop(&c->clients[i]);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->path[0])
		(void)unlink(c->path);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	json_decref(c->pending);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
