// SPDX-License-Identifier: MIT
/*
 * libsnpvmm when the heap runs out, through the public API only (the shared library), on
 * the simulated SEV-SNP host (profiles 6.18 and v12) with the bundled test guest:
 *
 * for N = 1, 2, 3, ... the Nth heap allocation (malloc, calloc, realloc, the aligned
 * family, and so strdup, fopen, OpenSSL's and jansson's allocations: anything in the
 * process, on any thread) or thread creation (pthread_create(), which then fails with
 * EAGAIN) from snpvmm_config_new() through create, launch, run to the guest's exit and
 * destroy returns NULL with errno ENOMEM, until a cycle sees no injected failure. The
 * 6.18 profile runs the guest with snpvmm_vm_run(), v12 with snpvmm_vm_start() and
 * snpvmm_vm_wait(). For every N:
 *  - the call that met the failure returns -ENOMEM (-EAGAIN for a thread) and, where the call takes a struct
 *    snpvmm_error, fills it with that code, the lifecycle step and a sentence; a run
 *    that absorbs the failure ends the guest normally (poweroff) or with vmm-error
 *    carrying -ENOMEM;
 *  - a VM that got as far as snpvmm_vm_create() ends with exactly one guest-exit event,
 *    its last one; a launch that succeeded despite the failure measured the digest an
 *    unfaulted launch measures;
 *  - no crash, no hang (each cycle runs under alarm()), and afterwards the process has
 *    the fds and threads it had before and no heap block allocated during the cycle is
 *    still allocated.
 *
 * How: this executable defines malloc() and friends itself, which every library in the
 * process then calls (glibc supports replacing its allocator so), and forwards to glibc's
 * __libc_malloc() and friends. Every allocation made during the cycle is remembered in a
 * table until it is freed. Two cycles without faults run first: the first lets libc,
 * OpenSSL and the thread-stack cache allocate what they keep for the life of the process;
 * the second must then leave nothing behind.
 *
 * OpenSSL 3.0 does not always say that one of its allocations failed, and keeps some
 * blocks after such a failure (its error queue, its caches): when the failed allocation
 * was inside libcrypto, any negative errno with a message is accepted and the blocks
 * libcrypto allocated are not counted (docs/testing.md).
 *
 * Every allocation is failed in turn: about 580 cycles per profile, of a few milliseconds
 * each. In the run, allocations happen on the vCPU threads too, so the Nth
 * is not always the same one. SNPVMM_ALLOC_TRACE=1 in the environment prints where the
 * failed allocation was made and records a backtrace per allocation for the blocks left
 * behind.
 *
 * This replaces the allocator, so it cannot run under a sanitizer (which replaces it too):
 * meson builds it only when b_sanitize is 'none' (docs/testing.md).
 *
 *   test_alloc_faults KERNEL
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <snpvmm/snpvmm.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_counts.h"

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

enum phase { PHASE_CONFIG, PHASE_CREATE, PHASE_LAUNCH, PHASE_RUN, PHASE_DESTROY, NR_PHASES };
static const char *const phase_names[NR_PHASES] = { "config", "create", "launch", "run",
						    "destroy" };

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

static bool in_libcrypto(void *addr)
{
	Dl_info info;

	return addr && dladdr(addr, &info) && info.dli_fname && strstr(info.dli_fname, "libcrypto");
}

/* Counts the blocks still alive and forgets them. Those OpenSSL allocated itself (its
 * error queue, its caches) are not counted when print_openssl is false; with print, the
 * counted ones are printed (with their backtraces when tracing). */
static unsigned long leftovers(bool print, bool count_openssl, unsigned long *ret_openssl)
{
	unsigned long n = 0, printed = 0, nr_openssl = 0;
	size_t i;

	lock();
	for (i = 0; i < TABLE_SIZE; i++) {
		void *p = table[i].p;

		table[i].p = NULL;
		if (!p || p == TOMBSTONE)
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

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
			failures++;                                                       \
		}                                                                         \
	} while (0)

/* The events a VM sent; the callbacks must not allocate. */
struct watch {
	atomic_uint nr_guest_exits;
	atomic_int last_type;
};

static void on_event(void *opaque, const struct snpvmm_event *ev)
{
	struct watch *w = opaque;

	if (ev->type == SNPVMM_EVENT_GUEST_EXIT)
		atomic_fetch_add(&w->nr_guest_exits, 1);
	atomic_store(&w->last_type, (int)ev->type);
}

static void on_log(void *opaque, enum snpvmm_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	(void)msg;
}

static const char *kernel;
static const char *profile;	/* the simulated host's */
static bool use_start;		/* snpvmm_vm_start() and _wait() instead of snpvmm_vm_run() */
static uint8_t measurement[48]; /* what an unfaulted launch measured */
static bool have_measurement;	/* measurement[] is set */
static atomic_ulong cycle_n;	/* for the alarm's message */
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
	uint8_t measurement[48]; /* what the launch measured */
	bool measured;		 /* the launch succeeded */
};

/* Builds a config; the first setter to fail ends it (-errno). */
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
	    (r = snpvmm_config_set_sim(c, SNPVMM_SIM_PROFILE, profile)) < 0 ||
	    (r = snpvmm_config_set_event_callback(c, on_event, w)) < 0 ||
	    (r = snpvmm_config_set_log_callback(c, on_log, NULL)) < 0) {
		snpvmm_config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* config_new .. destroy, armed to fail allocation number n (0: none). */
static void cycle(unsigned long n, struct watch *w, struct outcome *o)
{
	struct snpvmm_config *c = NULL;
	struct snpvmm_vm *vm = NULL;
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
		o->r = r;
		o->failed_in = PHASE_CONFIG;
		goto out;
	}
	atomic_store(&phase, PHASE_CREATE);
	o->reached_create = true;
	r = snpvmm_vm_create(c, NULL, &vm, &o->err);
	snpvmm_config_free(c);
	if (r < 0) {
		o->r = r;
		o->failed_in = PHASE_CREATE;
		o->has_err = true;
		goto out;
	}
	atomic_store(&phase, PHASE_LAUNCH);
	r = snpvmm_vm_launch(vm, &o->err);
	if (r < 0) {
		o->r = r;
		o->failed_in = PHASE_LAUNCH;
		o->has_err = true;
		goto out_destroy;
	}
	o->measured = snpvmm_vm_measurement(vm, o->measurement) == 0;
	atomic_store(&phase, PHASE_RUN);
	if (use_start) {
		/* In the library's thread; snpvmm_vm_wait() takes no struct snpvmm_error. */
		r = snpvmm_vm_start(vm, &o->err);
		o->has_err = r < 0;
		if (r >= 0)
			r = snpvmm_vm_wait(vm, &o->exit);
	} else {
		r = snpvmm_vm_run(vm, &o->exit, &o->err);
		o->has_err = r < 0;
	}
	if (r < 0) {
		o->r = r;
		o->failed_in = PHASE_RUN;
		goto out_destroy;
	}
	o->ran = true;
out_destroy:
	atomic_store(&phase, PHASE_DESTROY);
	snpvmm_vm_destroy(vm);
out:
	atomic_store(&armed, false);
	alarm(0);
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
	want = atomic_load(&injected_thread) ? -EAGAIN : -ENOMEM;
	/* A failure the launch absorbed must not change what it measured. */
	if (o.measured && have_measurement)
		CHECK(!memcmp(o.measurement, measurement, sizeof(measurement)),
		      "allocation %lu (%s): the launch measured another digest", n, where);
	if (o.measured && !have_measurement) {
		memcpy(measurement, o.measurement, sizeof(measurement));
		have_measurement = true;
	}
	if (!atomic_load(&injected)) {
		CHECK(o.ran && o.exit.reason == SNPVMM_EXIT_POWEROFF,
		      "allocation %lu: an unfaulted cycle ended %d, %s: %s", n, o.r,
		      snpvmm_exit_reason_name(o.exit.reason), o.exit.detail);
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
	} else {
		/* The failure was met inside the run (or absorbed): the guest still ended, and
		 * if the VMM gave up it says why. */
		last_absorbed = o.exit.reason == SNPVMM_EXIT_POWEROFF;
		if (last_absorbed && atomic_load(&tracing))
			fprintf(stderr, "allocation %lu (%s): absorbed\n", n, where);
		CHECK(o.ran, "allocation %lu (%s): nothing ran", n, where);
		CHECK(o.exit.reason == SNPVMM_EXIT_POWEROFF ||
			      (o.exit.reason == SNPVMM_EXIT_ERROR &&
			       (o.exit.error == want || (in_openssl && o.exit.error < 0)) &&
			       o.exit.detail[0]),
		      "allocation %lu (%s): the run ended %s (%d): %s", n, where,
		      snpvmm_exit_reason_name(o.exit.reason), o.exit.error, o.exit.detail);
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

/* The sweep on one simulated host profile, running the guest with snpvmm_vm_run() or
 * (in_library_thread) snpvmm_vm_start() and snpvmm_vm_wait(). */
static void sweep(const char *name, bool in_library_thread)
{
	unsigned long n, nr_cycles = 0, nr_absorbed = 0, per_phase[NR_PHASES] = { 0 };
	int fds, threads, failures_before = failures;
	time_t start = time(NULL);
	struct outcome o;
	struct watch w;

	profile = name;
	use_start = in_library_thread;
	nr_kept_by_openssl = 0;
	/* Two cycles without a fault: what the first leaves is the process's for good. */
	cycle(0, &w, &o);
	CHECK(o.ran, "%s: the warm-up failed: %d: %s", profile, o.r, o.err.message);
	printf("%s: warm-up: %lu allocations, %lu blocks kept by the first cycle\n", profile,
	       atomic_load(&nr_allocs), leftovers(false, true, NULL));
	have_measurement = false;
	fds = count_fds();
	threads = count_threads();
	CHECK(!check_cycle(0, fds, threads), "a fault without fail_at");
	for (int i = 0; i < NR_PHASES; i++)
		printf("  %s: %lu allocations\n", phase_names[i], atomic_load(&phase_allocs[i]));
	if (failures > failures_before)
		return;

	/* Every allocation in turn, until one cycle meets no failure. */
	for (n = 1;; n++) {
		if (!check_cycle(n, fds, threads))
			break;
		nr_cycles++;
		per_phase[atomic_load(&injected_phase)]++;
		nr_absorbed += last_absorbed;
		if (failures > failures_before + 20) {
			fprintf(stderr, "too many failures, stopping at allocation %lu\n", n);
			break;
		}
	}
	printf("%s: %lu cycles with a failed allocation in %lds:", profile, nr_cycles,
	       (long)(time(NULL) - start));
	for (int i = 0; i < NR_PHASES; i++)
		printf(" %s %lu", phase_names[i], per_phase[i]);
	printf("\n%s: %lu runs absorbed the failure (the guest powered off), %lu blocks kept by "
	       "OpenSSL after a failure inside it\n",
	       profile, nr_absorbed, nr_kept_by_openssl);
}

int main(int argc, char **argv)
{
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
	/* Upstream (page-state changes as KVM_EXIT_HYPERCALL), run in this thread; the v12
	 * series (as KVM_EXIT_VMGEXIT), run in the library's. */
	sweep("6.18", false);
	sweep("v12", true);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
