// SPDX-License-Identifier: MIT
/*
 * libsnpvmm when the heap runs out, through the public API only (the shared library), on
 * the simulated SEV-SNP host with the bundled test guest, in four scenarios (scenarios[]):
 *  - "6.18": upstream KVM, the default guest script, run by snpvmm_vm_run();
 *  - "v12": the v12 series, run by snpvmm_vm_start() and snpvmm_vm_wait();
 *  - "measure": snpvmm_measure(), the prediction without a host;
 *  - "7.0-signed-certs-qmp": 7.0 (certificate requests reach the VMM) with an ID block and
 *    ID auth, a certificate file and a guest script that asks for certificates and a
 *    report, then waits for the power button; the QMP control socket is open from before
 *    create to after destroy, and a client in this thread negotiates, asks query-status
 *    and query-sev and presses the button with system_powerdown while the guest runs.
 *
 * For N = 1, 2, 3, ... the Nth heap allocation (malloc, calloc, realloc, the aligned
 * family, and so strdup, fopen, OpenSSL's and jansson's allocations: anything in the
 * process, on any thread) or thread creation (pthread_create(), which then fails with
 * EAGAIN) from snpvmm_config_new() through create, launch, run to the guest's exit and
 * destroy (or through snpvmm_measure()) returns NULL with errno ENOMEM, until a cycle
 * sees no injected failure. For every N:
 *  - the call that met the failure returns -ENOMEM (-EAGAIN for a thread) and, where the
 *    call takes a struct snpvmm_error, fills it with that code, the lifecycle step and a
 *    sentence; a run that absorbs the failure ends the guest normally (poweroff) or with
 *    vmm-error carrying -ENOMEM; with certificates, the guest may terminate if a
 *    certs-served event told it its request failed; with QMP, the VM is stopped
 *    (stopped) if system_powerdown got no answer;
 *  - a VM that got as far as snpvmm_vm_create() ends with exactly one guest-exit event,
 *    its last one; a launch or prediction that succeeded despite the failure measured the
 *    digest an unfaulted one measures;
 *  - QMP: every request is answered, or the connection closes, within QMP_TIMEOUT_MS; a
 *    negotiated client still served after the run gets SHUTDOWN unless the failure came
 *    as the VM ended; the socket file is gone after snpvmm_control_close();
 *  - no crash, no hang (each cycle runs under alarm()), and afterwards the process has
 *    the fds and threads it had before and no heap block allocated during the cycle is
 *    still allocated.
 *
 * How: this executable defines malloc() and friends itself, which every library in the
 * process then calls (glibc supports replacing its allocator so), and forwards to glibc's
 * __libc_malloc() and friends. Every allocation made during the cycle is remembered in a
 * table until it is freed. Two cycles without faults run first: the first lets libc,
 * OpenSSL and the thread-stack cache allocate what they keep for the life of the process;
 * the second must then leave nothing behind. The fixtures (the signed ID block, the
 * certificate file) are made before any cycle with the library's internal builders.
 *
 * OpenSSL 3.0 does not always say that one of its allocations failed, and keeps some
 * blocks after such a failure (its error queue, its caches): when the failed allocation
 * was inside libcrypto, any negative errno with a message is accepted and the blocks
 * libcrypto allocated are not counted (docs/testing.md).
 *
 * Every allocation is failed in turn: about 580 cycles for 6.18 and v12, 90 for measure,
 * 1260 for the signed one, of a few milliseconds each. In the run, allocations happen on
 * the vCPU threads too, so the Nth is not always the same one. SNPVMM_ALLOC_TRACE=1 in
 * the environment prints where the failed allocation was made and records a backtrace
 * per allocation for the blocks left behind; SNPVMM_ALLOC_ONLY=NAME runs one scenario,
 * NAME:N only its Nth allocation.
 *
 * This replaces the allocator, so it cannot run under a sanitizer (which replaces it too):
 * meson builds it only when b_sanitize is 'none' (docs/testing.md).
 *
 *   test_alloc_faults KERNEL
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <snpvmm/snpvmm.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_counts.h"
#include "snp/certs.h"	 /* the certificate file's format (a fixture) */
#include "snp/idblock.h" /* the ID block's builders (a fixture) */

/* glibc's own allocator, exported for replacements to forward to. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);
void *memalign(size_t align, size_t size); /* <malloc.h> has it, but declares the rest too */

#define CYCLE_SECONDS 60	 /* a cycle that takes longer is a hang */
#define TABLE_SIZE    (1u << 18) /* blocks alive at once during a cycle, at most half that */
#define TRACE_DEPTH   16
#define TOMBSTONE     ((void *)1)

/* What the main thread is doing: the config setters, snpvmm_measure(),
 * snpvmm_control_open(), create, launch, the run (and the QMP client's requests during
 * it), snpvmm_control_vm_ended(), destroy (and snpvmm_control_close()). */
enum phase {
	PHASE_CONFIG,
	PHASE_MEASURE,
	PHASE_CONTROL,
	PHASE_CREATE,
	PHASE_LAUNCH,
	PHASE_RUN,
	PHASE_ENDED,
	PHASE_DESTROY,
	NR_PHASES
};
static const char *const phase_names[NR_PHASES] = { "config", "measure", "control", "create",
						    "launch", "run",	 "ended",   "destroy" };

/* ---- the allocator ---------------------------------------------------------------- */

struct block {
	void *p;
	void *caller; /* the return address of the malloc() call */
	void *trace[TRACE_DEPTH];
	int depth;
};

static atomic_bool armed;
static atomic_bool tracing;
static atomic_ulong nr_allocs;	      /* allocations since armed */
static atomic_ulong fail_at;	      /* the one to fail (1-based), 0: none */
static atomic_bool injected;	      /* it happened */
static atomic_int phase;	      /* what the main thread is doing */
static atomic_int injected_phase;     /* what it was doing when it happened */
static void *_Atomic injected_caller; /* who called the allocation that failed */
static atomic_bool injected_thread;   /* it was a pthread_create() */
static atomic_ulong phase_allocs[NR_PHASES];
static atomic_flag table_lock = ATOMIC_FLAG_INIT;
static struct block table[TABLE_SIZE];
static unsigned long nr_live, nr_used; /* under table_lock */

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&table_lock, memory_order_acquire))
		;
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&table_lock, memory_order_release);
}

static size_t slot_of(const void *p)
{
	uintptr_t h = (uintptr_t)p >> 4;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 20) & (TABLE_SIZE - 1);
}

static void remember(void *p, void *caller)
{
	void *trace[TRACE_DEPTH];
	int depth = 0;
	size_t i;

	if (atomic_load(&tracing))
		depth = backtrace(trace, TRACE_DEPTH);
	lock();
	if (nr_used >= TABLE_SIZE / 2) {
		unlock();
		fprintf(stderr, "FAILED: more than %u blocks alive in one cycle\n", TABLE_SIZE / 2);
		abort();
	}
	for (i = slot_of(p); table[i].p && table[i].p != TOMBSTONE; i = (i + 1) % TABLE_SIZE)
		;
	if (!table[i].p)
		nr_used++;
	table[i].p = p;
	table[i].caller = caller;
	table[i].depth = depth;
	memcpy(table[i].trace, trace, sizeof(void *) * (size_t)depth);
	nr_live++;
	unlock();
}

/* Forgets p; true if it was allocated during the cycle. */
static bool forget(void *p)
{
	bool found = false;
	size_t i;

	lock();
	if (nr_live) {
		for (i = slot_of(p); table[i].p; i = (i + 1) % TABLE_SIZE) {
			if (table[i].p == p) {
				table[i].p = TOMBSTONE;
				nr_live--;
				found = true;
				break;
			}
		}
	}
	unlock();
	return found;
}

/* True if this allocation is the one to fail. */
static bool should_fail(void *caller)
{
	unsigned long n;

	if (!atomic_load(&armed))
		return false;
	n = atomic_fetch_add(&nr_allocs, 1) + 1;
	atomic_fetch_add(&phase_allocs[atomic_load(&phase)], 1);
	if (n != atomic_load(&fail_at))
		return false;
	atomic_store(&injected_phase, atomic_load(&phase));
	atomic_store(&injected_caller, caller);
	atomic_store(&injected, true);
	if (atomic_load(&tracing)) {
		void *trace[TRACE_DEPTH];
		int depth = backtrace(trace, TRACE_DEPTH);

		fprintf(stderr, "allocation %lu fails, from:\n", n);
		backtrace_symbols_fd(trace, depth, 2);
	}
	errno = ENOMEM;
	return true;
}

static void *track(void *p, void *caller)
{
	if (p && atomic_load(&armed))
		remember(p, caller);
	return p;
}

#define CALLER __builtin_return_address(0)

void *malloc(size_t size)
{
	return should_fail(CALLER) ? NULL : track(__libc_malloc(size), CALLER);
}

void *calloc(size_t n, size_t size)
{
	return should_fail(CALLER) ? NULL : track(__libc_calloc(n, size), CALLER);
}

void *realloc(void *p, size_t size)
{
	bool was_ours;
	void *q;

	if (!p)
		return should_fail(CALLER) ? NULL : track(__libc_malloc(size), CALLER);
	if (!size) {
		free(p);
		return NULL;
	}
	if (should_fail(CALLER))
		return NULL;
	q = __libc_realloc(p, size);
	if (!q)
		return NULL;
	/* A block from before the cycle stays one when it moves. */
	was_ours = forget(p);
	if (was_ours)
		remember(q, CALLER);
	return q;
}

void free(void *p)
{
	if (!p)
		return;
	forget(p);
	__libc_free(p);
}

/* A thread is an allocation too (a stack, a descriptor): pthread_create() fails with
 * EAGAIN in its turn. */
typedef int pthread_create_fn(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static pthread_create_fn *real_pthread_create;

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	if (should_fail(CALLER)) {
		atomic_store(&injected_thread, true);
		return EAGAIN;
	}
	return real_pthread_create(t, attr, fn, arg);
}

void *memalign(size_t align, size_t size)
{
	return should_fail(CALLER) ? NULL : track(__libc_memalign(align, size), CALLER);
}

void *aligned_alloc(size_t align, size_t size)
{
	return should_fail(CALLER) ? NULL : track(__libc_memalign(align, size), CALLER);
}

int posix_memalign(void **ret, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	if (should_fail(CALLER))
		return ENOMEM;
	p = track(__libc_memalign(align, size), CALLER);
	if (!p)
		return ENOMEM;
	*ret = p;
	return 0;
}

/* True if the code at addr belongs to the shared object whose path contains name. */
static bool in_object(void *addr, const char *name)
{
	Dl_info info;

	return addr && dladdr(addr, &info) && info.dli_fname && strstr(info.dli_fname, name);
}

static bool in_libcrypto(void *addr)
{
	return in_object(addr, "libcrypto");
}

/* Counts the blocks still alive and forgets them. Those OpenSSL allocated itself (its
 * error queue, its caches) are not counted when count_openssl is false; with print, the
 * counted ones are printed (with their backtraces when tracing). Never counted: what the
 * dynamic linker allocated, the TLS of a thread stack glibc keeps in its cache for the
 * next thread. The cache holds 40 MiB: with five threads of 8 MiB at once (the control
 * socket's, the runner, the stopper, two vCPUs) it frees one stack and makes another in
 * almost every cycle. A thread left running is caught by the thread count instead. */
static unsigned long leftovers(bool print, bool count_openssl, unsigned long *ret_openssl)
{
	unsigned long n = 0, printed = 0, nr_openssl = 0;
	size_t i;

	lock();
	for (i = 0; i < TABLE_SIZE; i++) {
		void *p = table[i].p;

		table[i].p = NULL;
		if (!p || p == TOMBSTONE || in_object(table[i].caller, "/ld-linux"))
			continue;
		if (!count_openssl && in_libcrypto(table[i].caller)) {
			nr_openssl++;
			continue;
		}
		n++;
		if (print && printed++ < 8) {
			fprintf(stderr, "  block %p left behind, allocated from:\n", p);
			backtrace_symbols_fd(table[i].trace, table[i].depth, 2);
		}
	}
	nr_live = 0;
	nr_used = 0;
	unlock();
	if (ret_openssl)
		*ret_openssl = nr_openssl;
	return n;
}

/* ---- the process ------------------------------------------------------------------ */

static int failures;

/* What one sweep does with its configuration. */
struct scenario {
	const char *name;
	const char *profile;	/* the simulated host's */
	bool measure_only;	/* snpvmm_measure() instead of a launch */
	bool in_library_thread; /* snpvmm_vm_start() and _wait() instead of snpvmm_vm_run() */
	bool signed_with_certs; /* an ID block and ID auth, a certificate file, and a guest
				   script that asks for certificates */
	bool control;		/* the QMP control socket, a client on it during the run */
};

static const struct scenario scenarios[] = {
	/* Upstream (page-state changes as KVM_EXIT_HYPERCALL), run in this thread. */
	{ .name = "6.18", .profile = "6.18" },
	/* The v12 series (as KVM_EXIT_VMGEXIT), run in the library's thread. */
	{ .name = "v12", .profile = "v12", .in_library_thread = true },
	/* The pure prediction: no host at all. */
	{ .name = "measure", .profile = "6.18", .measure_only = true },
	/* 7.0 hands certificate requests to the VMM (KVM_EXIT_SNP_REQ_CERTS); the QMP client
	 * is this thread, so the guest runs in the library's. */
	{ .name = "7.0-signed-certs-qmp",
	  .profile = "7.0",
	  .in_library_thread = true,
	  .signed_with_certs = true,
	  .control = true },
};

/* The signed scenario's guest: it asks for the certificate table (4 shared pages) and an
 * attestation report, then powers off when the power button is pressed (QMP
 * system_powerdown). A certificate request answered with an error makes it terminate
 * (docs/sim-guest.md: the script checks every reply). */
static const char signed_guest_script[] = "psc shared 0x2000000 4 4k\n"
					  "certs 0x2000000 4\n"
					  "report\n"
					  "wait-power-button\n"
					  "acpi-poweroff\n";
#define SIGNED_POLICY 0x30000

/* Files the sweeps share, made before any cycle. */
static char fixture_dir[] = "/tmp/snpvmm-alloc-faults-XXXXXX";
static char certs_path[64], script_path[64], socket_path[64];
static struct snp_id_block id_block;
static struct snp_id_auth id_auth;

/* The events a VM sent; the callbacks must not allocate. */
struct watch {
	atomic_uint nr_guest_exits;
	atomic_int last_type;
	atomic_uint nr_certs_served;  /* certs-served events */
	atomic_uint nr_certs_refused; /* of those, with a non-zero "ret" */
};

static void on_event(void *opaque, const struct snpvmm_event *ev)
{
	struct watch *w = opaque;

	if (ev->type == SNPVMM_EVENT_GUEST_EXIT)
		atomic_fetch_add(&w->nr_guest_exits, 1);
	if (ev->type == SNPVMM_EVENT_CERTS_SERVED) {
		atomic_fetch_add(&w->nr_certs_served, 1);
		for (size_t i = 0; i < ev->nr_fields; i++)
			if (!strcmp(ev->fields[i].name, "ret") && ev->fields[i].v.u)
				atomic_fetch_add(&w->nr_certs_refused, 1);
	}
	atomic_store(&w->last_type, (int)ev->type);
}

static void on_log(void *opaque, enum snpvmm_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	(void)msg;
}

static const char *kernel;
static const struct scenario *sc;	 /* the sweep's */
static uint8_t measurement[48];		 /* what an unfaulted launch (or prediction) measured */
static bool have_measurement;		 /* measurement[] is set */
static atomic_ulong cycle_n;		 /* for the alarm's message */
static unsigned long nr_kept_by_openssl; /* blocks OpenSSL kept after failing */
static bool last_absorbed;		 /* the last cycle's guest powered off regardless */

/* A hang: says which allocation failed, without allocating. */
static void on_alarm(int sig)
{
	char msg[64] = "FAILED: the cycle failing allocation ";
	char digits[24];
	unsigned long n = atomic_load(&cycle_n);
	size_t len = strlen(msg), i = sizeof(digits);

	(void)sig;
	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	memcpy(msg + len, digits + i, sizeof(digits) - i);
	len += sizeof(digits) - i;
	memcpy(msg + len, " hung\n", 6);
	if (write(2, msg, len + 6) < 0)
		_exit(3);
	_exit(3);
}

/* What one cycle saw. */
struct outcome {
	int r;			 /* of the call that failed, or 0 */
	enum phase failed_in;	 /* the phase of that call */
	struct snpvmm_error err; /* its error, if it takes one */
	bool has_err;		 /* it takes one */
	bool reached_create;	 /* snpvmm_vm_create() was called */
	struct snpvmm_exit exit; /* when the run returned 0 */
	bool ran;		 /* the run returned 0 */
	uint8_t measurement[48]; /* what the launch (or snpvmm_measure()) measured */
	bool measured;		 /* the launch (or snpvmm_measure()) succeeded */
	/* The QMP client (scenarios with the control socket): */
	unsigned int qmp_returned; /* requests answered with "return" */
	bool qmp_negotiated;	   /* qmp_capabilities was: events reach the client */
	unsigned int qmp_timeouts; /* times it waited QMP_TIMEOUT_MS for nothing */
	const char *qmp_lost;	   /* the request it waited for then, if any */
	bool qmp_alive_after_run;  /* a request after the run was answered */
	bool qmp_got_shutdown;	   /* the SHUTDOWN event arrived */
	bool forced;		   /* system_powerdown failed: the test forced a stop */
	bool socket_left;	   /* the socket file outlived snpvmm_control_close() */
};

/* ---- a QMP client that allocates nothing ---------------------------------------- */

#define QMP_TIMEOUT_MS 10000 /* no answer in this time is a lost request */

struct qmp_client {
	int fd; /* -1: none */
	bool eof;
	char buf[16384]; /* what arrived and is not yet consumed */
	size_t len, consumed;
};

/* The next line the server sent (its "\r\n" cut off), valid until the next call; NULL at
 * the end of the stream or after QMP_TIMEOUT_MS of silence (counted in o). A SHUTDOWN event
 * on the way is noted in o. */
static const char *qmp_line(struct qmp_client *q, struct outcome *o)
{
	memmove(q->buf, q->buf + q->consumed, q->len - q->consumed);
	q->len -= q->consumed;
	q->consumed = 0;
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (nl) {
			*nl = '\0';
			q->consumed = (size_t)(nl - q->buf) + 1;
			if (strstr(q->buf, "\"event\":\"SHUTDOWN\""))
				o->qmp_got_shutdown = true;
			return q->buf;
		}
		if (q->eof || q->len == sizeof(q->buf) - 1)
			return NULL;
		r = poll(&p, 1, QMP_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			o->qmp_timeouts++;
		if (r <= 0)
			return NULL;
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			q->eof = true;
		else
			q->len += (size_t)n;
	}
}

/* Connects and reads the greeting; false if the server closed the connection. */
static bool qmp_connect(struct qmp_client *q, struct outcome *o)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *line;

	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return false;
	line = qmp_line(q, o);
	return line && strstr(line, "{\"QMP\":");
}

/* Sends {"execute": cmd, "id": id} and reads up to its answer: 1 "return", 0 "error", -1
 * the connection ended or nothing came in time. */
static int qmp_execute(struct qmp_client *q, const char *cmd, unsigned int id, struct outcome *o)
{
	char req[96], tag[24];
	const char *line;
	int len = snprintf(req, sizeof(req), "{\"execute\": \"%s\", \"id\": %u}\n", cmd, id);

	snprintf(tag, sizeof(tag), "\"id\":%u}", id); /* the last member of a reply */
	if (q->fd < 0 || send(q->fd, req, (size_t)len, MSG_NOSIGNAL) != len)
		return -1;
	while ((line = qmp_line(q, o)))
		if (strstr(line, tag))
			return !strncmp(line, "{\"return\":", 10);
	if (o->qmp_timeouts)
		o->qmp_lost = cmd;
	return -1;
}

/* While the guest runs: the client negotiates, asks, and presses the power button, which
 * the guest waits for. Without an answered system_powerdown the guest would wait for
 * ever: the test then stops the VM, as a program that saw the failure would. */
static void qmp_during_run(struct qmp_client *q, struct snpvmm_vm *vm, struct outcome *o)
{
	static const char *const requests[] = { "qmp_capabilities", "query-status", "query-sev",
						"system_powerdown" };
	int r = -1;

	if (qmp_connect(q, o)) {
		for (unsigned int i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
			r = qmp_execute(q, requests[i], i + 1, o);
			if (r < 0)
				break;
			o->qmp_returned += (unsigned int)r;
			o->qmp_negotiated |= i == 0 && r == 1;
		}
	}
	if (r != 1) {
		o->forced = true;
		(void)snpvmm_vm_request_stop(vm, SNPVMM_STOP_FORCED);
	}
}

/* After snpvmm_control_close(): what is left up to the end of the stream. */
static void qmp_finish(struct qmp_client *q, struct outcome *o)
{
	if (q->fd < 0)
		return;
	while (qmp_line(q, o))
		;
	close(q->fd);
	q->fd = -1;
}

/* ---- one cycle -------------------------------------------------------------------- */

/* Builds the sweep's config; the first setter to fail ends it (-errno). */
static int build_config(struct snpvmm_config **ret, struct watch *w)
{
	struct snpvmm_config *c;
	int r;

	r = snpvmm_config_new(&c);
	if (r < 0)
		return r;
	if ((r = snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, kernel)) < 0 ||
	    (r = snpvmm_config_set_input_buffer(c, SNPVMM_INPUT_INITRD, "initrd", 6)) < 0 ||
	    (r = snpvmm_config_set_cmdline(c, "console=ttyS0")) < 0 ||
	    (r = snpvmm_config_set_memory(c, 64u << 20)) < 0 ||
	    (r = snpvmm_config_set_vcpus(c, 2)) < 0 ||
	    (r = snpvmm_config_set_name(c, "alloc")) < 0 ||
	    (r = snpvmm_config_set_sim(c, SNPVMM_SIM_PROFILE, sc->profile)) < 0 ||
	    (r = snpvmm_config_set_event_callback(c, on_event, w)) < 0 ||
	    (r = snpvmm_config_set_log_callback(c, on_log, NULL)) < 0)
		goto fail;
	if (sc->signed_with_certs &&
	    ((r = snpvmm_config_set_policy(c, SIGNED_POLICY)) < 0 ||
	     (r = snpvmm_config_set_input_buffer(c, SNPVMM_INPUT_ID_BLOCK, &id_block,
						 sizeof(id_block))) < 0 ||
	     (r = snpvmm_config_set_input_buffer(c, SNPVMM_INPUT_ID_AUTH, &id_auth,
						 sizeof(id_auth))) < 0 ||
	     (r = snpvmm_config_set_input_path(c, SNPVMM_INPUT_CERTS, certs_path)) < 0 ||
	     (r = snpvmm_config_set_sim(c, SNPVMM_SIM_GUEST_SCRIPT, script_path)) < 0))
		goto fail;
	*ret = c;
	return 0;
fail:
	snpvmm_config_free(c);
	return r;
}

static void failed(struct outcome *o, enum phase p, int r, bool has_err)
{
	o->r = r;
	o->failed_in = p;
	o->has_err = has_err;
}

/* config_new .. destroy (or measure), armed to fail allocation number n (0: none). */
static void cycle(unsigned long n, struct watch *w, struct outcome *o)
{
	struct snpvmm_config *c = NULL;
	struct snpvmm_control *ctl = NULL;
	struct snpvmm_vm *vm = NULL;
	struct qmp_client q = { .fd = -1 };
	int r;

	memset(o, 0, sizeof(*o));
	memset(w, 0, sizeof(*w));
	atomic_store(&fail_at, n);
	atomic_store(&nr_allocs, 0);
	atomic_store(&injected, false);
	atomic_store(&injected_thread, false);
	atomic_store(&phase, PHASE_CONFIG);
	for (int i = 0; i < NR_PHASES; i++)
		atomic_store(&phase_allocs[i], 0);
	alarm(CYCLE_SECONDS);
	atomic_store(&armed, true);

	r = build_config(&c, w);
	if (r < 0) {
		failed(o, PHASE_CONFIG, r, false);
		goto out;
	}
	if (sc->measure_only) {
		atomic_store(&phase, PHASE_MEASURE);
		r = snpvmm_measure(c, o->measurement, &o->err);
		o->measured = r == 0;
		if (r < 0)
			failed(o, PHASE_MEASURE, r, true);
		goto out_config;
	}
	if (sc->control) {
		atomic_store(&phase, PHASE_CONTROL);
		r = snpvmm_control_open(socket_path, 0, &ctl, &o->err);
		if (r < 0) {
			failed(o, PHASE_CONTROL, r, true);
			goto out_config;
		}
	}
	atomic_store(&phase, PHASE_CREATE);
	o->reached_create = true;
	r = snpvmm_vm_create(c, NULL, &vm, &o->err);
	if (r < 0) {
		failed(o, PHASE_CREATE, r, true);
		goto out_close;
	}
	atomic_store(&phase, PHASE_LAUNCH);
	r = snpvmm_vm_launch(vm, &o->err);
	if (r < 0) {
		failed(o, PHASE_LAUNCH, r, true);
		goto out_destroy;
	}
	o->measured = snpvmm_vm_measurement(vm, o->measurement) == 0;
	atomic_store(&phase, PHASE_RUN);
	snpvmm_control_attach(ctl, vm);
	if (sc->in_library_thread) {
		/* In the library's thread; snpvmm_vm_wait() takes no struct snpvmm_error. */
		r = snpvmm_vm_start(vm, &o->err);
		o->has_err = r < 0;
		if (r >= 0 && sc->control)
			qmp_during_run(&q, vm, o);
		if (r >= 0)
			r = snpvmm_vm_wait(vm, &o->exit);
	} else {
		r = snpvmm_vm_run(vm, &o->exit, &o->err);
		o->has_err = r < 0;
	}
	if (r < 0) {
		failed(o, PHASE_RUN, r, o->has_err);
		goto out_destroy;
	}
	o->ran = true;
	if (sc->control) {
		o->qmp_alive_after_run = qmp_execute(&q, "query-status", 9, o) >= 0;
		atomic_store(&phase, PHASE_ENDED);
		snpvmm_control_vm_ended(ctl, &o->exit);
	}
out_destroy:
	atomic_store(&phase, PHASE_DESTROY);
	snpvmm_control_attach(ctl, NULL);
	snpvmm_vm_destroy(vm);
out_close:
	if (sc->control) {
		snpvmm_control_close(ctl);
		qmp_finish(&q, o);
		o->socket_left = access(socket_path, F_OK) == 0;
	}
out_config:
	snpvmm_config_free(c);
out:
	atomic_store(&armed, false);
	alarm(0);
}

/* How a run that met the failure may end. */
static bool acceptable_end(const struct outcome *o, const struct watch *w, int want,
			   bool in_openssl)
{
	switch (o->exit.reason) {
	case SNPVMM_EXIT_POWEROFF:
		return true;
	case SNPVMM_EXIT_ERROR: /* the VMM gave up and says why */
		return (o->exit.error == want || (in_openssl && o->exit.error < 0)) &&
		       o->exit.detail[0];
	case SNPVMM_EXIT_TERMINATED: /* the guest was told its certificate request failed */
		return sc->signed_with_certs && atomic_load(&w->nr_certs_refused) > 0;
	case SNPVMM_EXIT_STOPPED: /* the test stopped it: the QMP power button failed */
		return o->forced;
	default:
		return false;
	}
}

/* What an unfaulted cycle must have done. */
static void check_unfaulted(unsigned long n, const struct outcome *o, const struct watch *w)
{
	if (sc->measure_only) {
		CHECK(o->measured, "%s: the prediction failed: %d: %s", sc->name, o->r,
		      o->err.message);
		return;
	}
	CHECK(o->ran && o->exit.reason == SNPVMM_EXIT_POWEROFF,
	      "allocation %lu: an unfaulted cycle ended %d, %s: %s", n, o->r,
	      snpvmm_exit_reason_name(o->exit.reason), o->exit.detail);
	if (sc->signed_with_certs)
		CHECK(atomic_load(&w->nr_certs_served) == 1 && !atomic_load(&w->nr_certs_refused),
		      "%s: %u certificate requests served, %u refused", sc->name,
		      atomic_load(&w->nr_certs_served), atomic_load(&w->nr_certs_refused));
	if (sc->control)
		CHECK(o->qmp_returned == 4 && o->qmp_alive_after_run && o->qmp_got_shutdown &&
			      !o->forced,
		      "%s: QMP: %u of 4 requests returned, after the run %s, SHUTDOWN %s", sc->name,
		      o->qmp_returned, o->qmp_alive_after_run ? "alive" : "gone",
		      o->qmp_got_shutdown ? "sent" : "missing");
}

/* Checks what a cycle failing allocation n left; returns false if nothing was failed. */
static bool check_cycle(unsigned long n, int fds, int threads)
{
	struct outcome o;
	struct watch w;
	unsigned long left, kept;
	bool in_openssl;
	const char *where;
	int want;

	last_absorbed = false;
	atomic_store(&cycle_n, n);
	cycle(n, &w, &o);
	in_openssl = atomic_load(&injected) && in_libcrypto(atomic_load(&injected_caller));
	left = leftovers(true, !in_openssl, &kept);
	nr_kept_by_openssl += kept;
	where = phase_names[atomic_load(&injected_phase)];
	/* pthread_create() fails with EAGAIN also when its own allocation fails (the TLS the
	 * dynamic linker allocates for a new stack). */
	want = atomic_load(&injected_thread) ||
			       in_object(atomic_load(&injected_caller), "/ld-linux")
		       ? -EAGAIN
		       : -ENOMEM;
	/* A failure the launch absorbed must not change what it measured. */
	if (o.measured && have_measurement)
		CHECK(!memcmp(o.measurement, measurement, sizeof(measurement)),
		      "allocation %lu (%s): the launch measured another digest", n, where);
	if (o.measured && !have_measurement) {
		memcpy(measurement, o.measurement, sizeof(measurement));
		have_measurement = true;
	}
	CHECK(o.qmp_timeouts == 0, "allocation %lu (%s): QMP: no answer to %s in %d ms", n, where,
	      o.qmp_lost ? o.qmp_lost : "(the end of the stream)", QMP_TIMEOUT_MS);
	CHECK(!o.socket_left, "allocation %lu (%s): the control socket file is left", n, where);
	if (!atomic_load(&injected)) {
		check_unfaulted(n, &o, &w);
		CHECK(left == 0, "allocation %lu: an unfaulted cycle left %lu blocks", n, left);
		return false;
	}
	if (o.r < 0) {
		/* OpenSSL 3.0 does not always say that an allocation failed (EVP_Digest(),
		 * EVP_PKEY_is_a()): the library then reports what OpenSSL's failure looked like
		 * (-EIO, -EINVAL). */
		CHECK(o.r == want || in_openssl, "allocation %lu (%s): %s returned %d (%s)", n,
		      where, phase_names[o.failed_in], o.r, strerror(-o.r));
		if (o.has_err) {
			CHECK(o.err.code == o.r, "allocation %lu (%s): err.code %d, returned %d", n,
			      where, o.err.code, o.r);
			CHECK(o.err.step[0], "allocation %lu (%s): no step named", n, where);
			CHECK(o.err.message[0], "allocation %lu (%s): no message", n, where);
		}
	} else if (sc->measure_only) {
		last_absorbed = true; /* the digest was checked above */
	} else {
		/* The failure was met inside the run (or absorbed): the guest still ended, and
		 * if the VMM gave up it says why. */
		last_absorbed = o.exit.reason == SNPVMM_EXIT_POWEROFF;
		if (last_absorbed && atomic_load(&tracing))
			fprintf(stderr, "allocation %lu (%s): absorbed\n", n, where);
		CHECK(o.ran, "allocation %lu (%s): nothing ran", n, where);
		CHECK(acceptable_end(&o, &w, want, in_openssl),
		      "allocation %lu (%s): the run ended %s (%d): %s", n, where,
		      snpvmm_exit_reason_name(o.exit.reason), o.exit.error, o.exit.detail);
		/* A negotiated client the control socket still served after the run gets
		 * SHUTDOWN unless the failure came as the VM ended. */
		if (sc->control && o.qmp_negotiated && o.qmp_alive_after_run &&
		    atomic_load(&injected_phase) < PHASE_ENDED)
			CHECK(o.qmp_got_shutdown, "allocation %lu (%s): no SHUTDOWN event", n,
			      where);
	}
	if (o.reached_create) {
		CHECK(atomic_load(&w.nr_guest_exits) == 1,
		      "allocation %lu (%s): %u guest-exit events", n, where,
		      atomic_load(&w.nr_guest_exits));
		CHECK(atomic_load(&w.last_type) == SNPVMM_EVENT_GUEST_EXIT,
		      "allocation %lu (%s): the last event was %d", n, where,
		      atomic_load(&w.last_type));
	}
	CHECK(left == 0, "allocation %lu (%s, %s returned %d): %lu blocks left behind", n, where,
	      phase_names[o.failed_in], o.r, left);
	CHECK(count_fds() == fds, "allocation %lu (%s): %d fds after, %d before", n, where,
	      count_fds(), fds);
	CHECK(count_threads() == threads, "allocation %lu (%s): %d threads after, %d before", n,
	      where, count_threads(), threads);
	return true;
}

/* Every allocation of one scenario failed in turn (just the single_n'th, if not 0). */
static void sweep(const struct scenario *s, unsigned long single_n)
{
	unsigned long n, nr_cycles = 0, nr_absorbed = 0, per_phase[NR_PHASES] = { 0 };
	int fds, threads, failures_before = failures;
	time_t start = time(NULL);
	struct outcome o;
	struct watch w;

	sc = s;
	nr_kept_by_openssl = 0;
	/* Two cycles without a fault: what the first leaves is the process's for good. */
	cycle(0, &w, &o);
	CHECK(o.ran || o.measured, "%s: the warm-up failed: %d: %s", sc->name, o.r, o.err.message);
	printf("%s: warm-up: %lu allocations, %lu blocks kept by the first cycle\n", sc->name,
	       atomic_load(&nr_allocs), leftovers(false, true, NULL));
	have_measurement = false;
	fds = count_fds();
	threads = count_threads();
	CHECK(!check_cycle(0, fds, threads), "a fault without fail_at");
	for (int i = 0; i < NR_PHASES; i++)
		if (atomic_load(&phase_allocs[i]))
			printf("  %s: %lu allocations\n", phase_names[i],
			       atomic_load(&phase_allocs[i]));
	if (failures > failures_before)
		return;

	/* Every allocation in turn, until one cycle meets no failure. */
	for (n = single_n ? single_n : 1;; n++) {
		if (!check_cycle(n, fds, threads) || single_n)
			break;
		nr_cycles++;
		per_phase[atomic_load(&injected_phase)]++;
		nr_absorbed += last_absorbed;
		if (failures > failures_before + 20) {
			fprintf(stderr, "too many failures, stopping at allocation %lu\n", n);
			break;
		}
	}
	printf("%s: %lu cycles with a failed allocation in %lds:", sc->name, nr_cycles,
	       (long)(time(NULL) - start));
	for (int i = 0; i < NR_PHASES; i++)
		if (per_phase[i])
			printf(" %s %lu", phase_names[i], per_phase[i]);
	printf("\n%s: %lu absorbed the failure (a digest or a powered-off guest), %lu blocks kept "
	       "by OpenSSL after a failure inside it\n",
	       sc->name, nr_absorbed, nr_kept_by_openssl);
}

/* ---- fixtures (made before any cycle, not swept) ---------------------------------- */

static int write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, size, f) == size;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* The certificate table file (include/snp/certs.h): a VCEK entry, the all-zero terminator,
 * the (unparsed) certificate bytes. */
static int make_certs_file(void)
{
	uint8_t file[2 * CERTS_ENTRY_SIZE + 1200] = { 0 };
	uint32_t offset = 2 * CERTS_ENTRY_SIZE, length = sizeof(file) - offset;

	memcpy(file, certs_kind_guid(CERTS_VCEK), 16);
	memcpy(file + 16, &offset, 4);
	memcpy(file + 20, &length, 4);
	for (size_t i = offset; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7);
	return write_file(certs_path, file, sizeof(file));
}

/* An ID block for the digest the signed scenario's launch measures (predicted by
 * snpvmm_measure(), which lib_api proves equal), signed with a fresh P-384 key. Uses the
 * library's internal builders (idblock.h), as `snpvmm id-block` does. */
static int make_id_block(const struct scenario *s)
{
	struct snpvmm_config *c;
	struct snpvmm_error err;
	struct diag d = { "" };
	uint8_t ld[48];
	EVP_PKEY *key;
	struct watch w;
	int r;

	sc = s;
	if (build_config(&c, &w) < 0)
		return -1;
	r = snpvmm_measure(c, ld, &err);
	snpvmm_config_free(c);
	if (r < 0) {
		fprintf(stderr, "%s: cannot predict the digest: %s\n", s->name, err.message);
		return -1;
	}
	snp_id_block_build(&id_block, ld, SIGNED_POLICY, NULL, NULL, 0);
	key = EVP_EC_gen("P-384");
	r = key ? snp_id_auth_build(&id_block, key, NULL, &id_auth, &d) : -1;
	EVP_PKEY_free(key);
	if (r < 0)
		fprintf(stderr, "cannot sign the ID block: %s\n", d.msg);
	return r < 0 ? -1 : 0;
}

static int make_fixtures(void)
{
	if (!mkdtemp(fixture_dir))
		return -1;
	snprintf(certs_path, sizeof(certs_path), "%s/certs.bin", fixture_dir);
	snprintf(script_path, sizeof(script_path), "%s/guest.script", fixture_dir);
	snprintf(socket_path, sizeof(socket_path), "%s/qmp.sock", fixture_dir);
	if (make_certs_file() < 0 ||
	    write_file(script_path, signed_guest_script, strlen(signed_guest_script)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (scenarios[i].signed_with_certs && make_id_block(&scenarios[i]) < 0)
			return -1;
	return 0;
}

static void remove_fixtures(void)
{
	unlink(certs_path);
	unlink(script_path);
	unlink(socket_path);
	rmdir(fixture_dir);
}

int main(int argc, char **argv)
{
	const char *only;
	void *trace[4];

	if (argc != 2) {
		fprintf(stderr, "usage: %s KERNEL\n", argv[0]);
		return 2;
	}
	kernel = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (signal(SIGALRM, on_alarm) == SIG_ERR || snpvmm_install_kick_handler(SIGRTMIN) < 0)
		return 1;
	atomic_store(&tracing, getenv("SNPVMM_ALLOC_TRACE") != NULL);
	(void)backtrace(trace, 4); /* loads libgcc_s now, not inside a cycle */
	real_pthread_create = (pthread_create_fn *)dlsym(RTLD_NEXT, "pthread_create");
	if (!real_pthread_create)
		return 1;
	if (make_fixtures() < 0) {
		fprintf(stderr, "FAILED: cannot make the fixtures in %s\n", fixture_dir);
		remove_fixtures();
		return 1;
	}
	only = getenv("SNPVMM_ALLOC_ONLY");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		size_t len = strlen(scenarios[i].name);

		if (!only ||
		    (!strncmp(only, scenarios[i].name, len) && (!only[len] || only[len] == ':')))
			sweep(&scenarios[i],
			      only && only[len] ? strtoul(only + len + 1, NULL, 0) : 0);
	}
	remove_fixtures();
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
