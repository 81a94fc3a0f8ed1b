// SPDX-License-Identifier: MIT
/*
 * libsnpvmm under load and faults, through the public API only (the shared library):
 *
 *  - 16 VMs on the simulated SEV-SNP host in one process, each in its own thread, stopped
 *    in random order: forced (reason "stopped"), gracefully with a guest that answers the
 *    ACPI power button ("poweroff"), or gracefully with one that ignores it (forced at the
 *    deadline: "stopped"); guest-exit is each VM's last event; afterwards the process has
 *    exactly the fds and threads it had before (and the ASan build's LeakSanitizer finds
 *    no byte left at exit);
 *  - every call the launch makes into the kernel seam failed in turn (the simulated
 *    host's fail-call=N fault): each failure comes back as -errno with a struct
 *    snpvmm_error naming the step and saying more than strerror(), guest-exit is the
 *    last event, and nothing is left behind.
 *
 * With --kvm, the 16 VMs run on the real /dev/kvm instead, as plain (--no-snp) guests: the
 * test guest told "idle" reports, then waits with interrupts on (it ignores the power
 * button, so a graceful stop is forced at the deadline: "stopped"); every VM is stopped
 * only once its guest said "done", so each stop kicks a vCPU out of a real KVM_RUN. There
 * the fault sweep, which needs the simulated host, is left out. The nested tier runs this
 * in L1 (tests/nested/test_lib.py).
 *
 * On the real KVM, while the VMs run /proc/self/maps holds their guest RAM (GUEST_MEM each)
 * and a kvm_run area per vCPU, and afterwards what it held before.
 *
 *   test_many_vms [--kvm] KERNEL
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <snpvmm/snpvmm.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc_counts.h"

#define NR_VMS		   16
#define MAX_CALLS	   400 /* far more than a launch makes: reaching it fails the sweep */
/* Guest RAM per VM: an odd size, so that its mappings stand out in /proc/self/maps (not
 * 64 MiB, glibc's per-thread malloc arena). 16 of them fit in the nested tier's L1 (2 GiB)
 * even if every page were touched; the test guest touches a few dozen. */
#define GUEST_MEM	   (48u << 20)
#define KVM_DEADLINE_MS	   200
#define KVM_BOOT_TIMEOUT_S 300 /* the 16 test guests' reports, under TCG in the nested tier */

static int failures;

struct watch {
	atomic_uint nr_events;
	atomic_uint nr_guest_exits;
	atomic_int last_type;
	char name[32];
	atomic_bool name_ok;
};

static void on_event(void *opaque, const struct snpvmm_event *ev)
{
	struct watch *w = opaque;

	atomic_fetch_add(&w->nr_events, 1);
	if (ev->type == SNPVMM_EVENT_GUEST_EXIT)
		atomic_fetch_add(&w->nr_guest_exits, 1);
	atomic_store(&w->last_type, (int)ev->type);
	if (strcmp(ev->vm_name, w->name))
		atomic_store(&w->name_ok, false);
}

/* What /proc/self/maps says of the process's VMs: the MiB in private anonymous rw
 * mappings of at least GUEST_MEM bytes (guest RAM, which the kernel may merge with its
 * neighbours into one mapping; glibc's arenas and stacks are smaller), and the number of
 * kvm_run mappings (of "anon_inode:kvm-vcpu"). */
struct mappings {
	unsigned long guest_ram_mib;
	int kvm_runs;
};

static struct mappings count_mappings(void)
{
	struct mappings m = { 0 };
	char line[512], perms[8];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return (struct mappings){ 0, -1 };
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, inode;
		int path = 0;

		if (sscanf(line, "%lx-%lx %7s %*x %*x:%*x %lu %n", &start, &end, perms, &inode,
			   &path) != 4)
			continue;
		if (strstr(line, "kvm-vcpu"))
			m.kvm_runs++;
		else if (!strcmp(perms, "rw-p") && !inode && line[path] == '\0' &&
			 end - start >= GUEST_MEM)
			m.guest_ram_mib += (end - start) >> 20;
	}
	fclose(f);
	return m;
}

static void print_counts(const char *when)
{
	struct mappings m = count_mappings();

	printf("many_vms: %d fds, %d threads, %lu MiB guest RAM, %d kvm_run mappings %s\n",
	       count_fds(), count_threads(), m.guest_ram_mib, m.kvm_runs, when);
}

static const char *kernel;
static bool on_kvm; /* --kvm: the real /dev/kvm, plain guests */
static char script[64], deaf_script[64];
static char report[64];
static char console_dir[64];

static void console_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/%s.console", console_dir, name);
}

/* Did the test guest of VM `name` finish its report (and go idle)? */
static bool guest_said_done(const char *name)
{
	char path[128], line[4200];
	bool done = false;
	FILE *f;

	console_path(path, sizeof(path), name);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "snpvmm-test-guest: done\n"))
			done = true;
	fclose(f);
	return done;
}

/* A plain guest on the real KVM: the test guest, told to stay up once it reported. */
static int config_kvm(struct snpvmm_config *c, const char *name)
{
	char path[128];

	console_path(path, sizeof(path), name);
	if (snpvmm_config_set_snp(c, false) < 0 || snpvmm_config_set_cmdline(c, "idle") < 0 ||
	    snpvmm_config_set_console_path(c, path) < 0 ||
	    snpvmm_config_set_stop_deadline_ms(c, KVM_DEADLINE_MS) < 0)
		return -1;
	return 0;
}

static struct snpvmm_config *config(const char *profile, const char *name, struct watch *w,
				    const char *faults, const char *guest)
{
	struct snpvmm_config *c;

	if (snpvmm_config_new(&c) < 0)
		return NULL;
	snprintf(w->name, sizeof(w->name), "%s", name);
	atomic_store(&w->name_ok, true);
	if (snpvmm_config_set_input_path(c, SNPVMM_INPUT_KERNEL, kernel) < 0 ||
	    snpvmm_config_set_input_buffer(c, SNPVMM_INPUT_INITRD, "initrd", 6) < 0 ||
	    snpvmm_config_set_memory(c, GUEST_MEM) < 0 || snpvmm_config_set_vcpus(c, 2) < 0 ||
	    snpvmm_config_set_name(c, name) < 0 ||
	    snpvmm_config_set_event_callback(c, on_event, w) < 0) {
		snpvmm_config_free(c);
		return NULL;
	}
	if (on_kvm) {
		if (config_kvm(c, name) < 0) {
			snpvmm_config_free(c);
			return NULL;
		}
		return c;
	}
	if (snpvmm_config_set_sim(c, SNPVMM_SIM_PROFILE, profile) < 0 ||
	    (guest && snpvmm_config_set_sim(c, SNPVMM_SIM_GUEST_SCRIPT, guest) < 0) ||
	    (faults && snpvmm_config_set_sim(c, SNPVMM_SIM_FAULTS, faults) < 0) ||
	    (faults && snpvmm_config_set_sim(c, SNPVMM_SIM_REPORT, report) < 0) ||
	    snpvmm_config_set_stop_deadline_ms(c, guest == deaf_script ? 50 : 10000) < 0) {
		snpvmm_config_free(c);
		return NULL;
	}
	return c;
}

/* On the real KVM: waits until every running VM's test guest has reported (and idles). */
static void wait_for_guests(struct snpvmm_vm *const *vms)
{
	unsigned int i, nr_done = 0, waited_ms;

	for (waited_ms = 0; waited_ms < KVM_BOOT_TIMEOUT_S * 1000; waited_ms += 100) {
		char name[32];

		for (nr_done = 0, i = 0; i < NR_VMS; i++) {
			snprintf(name, sizeof(name), "vm-%u", i);
			if (!vms[i] || guest_said_done(name))
				nr_done++;
		}
		if (nr_done == NR_VMS)
			break;
		usleep(100 * 1000);
	}
	printf("many_vms: %u of %u guests done after %.1f s\n", nr_done, NR_VMS,
	       waited_ms / 1000.0);
	CHECK(nr_done == NR_VMS, "only %u guests reported within %d s", nr_done,
	      KVM_BOOT_TIMEOUT_S);
}

/* VM 0 runs over a backend the caller opened and hands over. */
static int open_backend(const struct snpvmm_config *c, struct snpvmm_backend **be,
			struct snpvmm_error *err)
{
	if (on_kvm)
		return snpvmm_backend_open_kvm("/dev/kvm", be, err);
	return snpvmm_backend_open_sim(c, be, err);
}

/* 16 VMs at once, stopped in random order. */
static void many_vms(void)
{
	static const char *const profiles[] = { "6.18", "v12", "7.0", "6.11" };
	static struct watch watch[NR_VMS];
	struct snpvmm_vm *vms[NR_VMS] = { 0 };
	unsigned int order[NR_VMS], i, seed = (unsigned int)time(NULL);
	int fds = count_fds(), threads = count_threads();
	struct mappings maps = count_mappings(), now;

	printf("many_vms on %s: seed %u\n",
	       on_kvm ? "/dev/kvm (plain guests)" : "the simulated host", seed);
	print_counts("before");
	srand(seed);
	for (i = 0; i < NR_VMS; i++) {
		struct snpvmm_error err = { 0 };
		struct snpvmm_config *c;
		char name[32];

		order[i] = i;
		snprintf(name, sizeof(name), "vm-%u", i);
		c = config(profiles[i % 4], name, &watch[i], NULL,
			   i % 3 == 2 ? deaf_script : script);
		CHECK(c, "config %u", i);
		if (!c)
			continue;
		if (i == 0) {
			struct snpvmm_backend *be = NULL;

			CHECK(open_backend(c, &be, &err) == 0, "%s", err.message);
			CHECK(snpvmm_vm_create(c, be, &vms[i], &err) == 0, "%s", err.message);
		} else {
			CHECK(snpvmm_vm_create(c, NULL, &vms[i], &err) == 0, "%s", err.message);
		}
		snpvmm_config_free(c);
		if (!vms[i])
			continue;
		CHECK(snpvmm_vm_launch(vms[i], &err) == 0, "vm %u: %s", i, err.message);
		CHECK(snpvmm_vm_start(vms[i], &err) == 0, "vm %u: %s", i, err.message);
	}
	if (on_kvm)
		wait_for_guests(vms);
	CHECK(count_threads() > threads + NR_VMS, "%d threads while running", count_threads());
	now = count_mappings();
	print_counts("while running");
	/* The simulated host maps its guests' RAM its own way (shared and private parts). */
	CHECK(!on_kvm || now.guest_ram_mib >= maps.guest_ram_mib + NR_VMS * (GUEST_MEM >> 20),
	      "%lu MiB guest RAM while running", now.guest_ram_mib);
	CHECK(!on_kvm || now.kvm_runs == maps.kvm_runs + NR_VMS * 2, "%d kvm_run mappings",
	      now.kvm_runs);
	for (i = NR_VMS - 1; i > 0; i--) {
		unsigned int j = (unsigned int)rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < NR_VMS; i++) {
		unsigned int k = order[i];
		enum snpvmm_stop_mode mode = k % 3 ? SNPVMM_STOP_GRACEFUL : SNPVMM_STOP_FORCED;
		enum snpvmm_exit_reason want =
			k % 3 == 1 && !on_kvm ? SNPVMM_EXIT_POWEROFF : SNPVMM_EXIT_STOPPED;
		struct snpvmm_exit e = { 0 };

		if (!vms[k])
			continue;
		CHECK(snpvmm_vm_request_stop(vms[k], mode) == 0, "vm %u", k);
		CHECK(snpvmm_vm_wait(vms[k], &e) == 0, "vm %u", k);
		CHECK(e.reason == want, "vm %u ended %s: %s", k, snpvmm_exit_reason_name(e.reason),
		      e.detail);
		snpvmm_vm_destroy(vms[k]);
		CHECK(atomic_load(&watch[k].nr_guest_exits) == 1, "vm %u", k);
		CHECK(atomic_load(&watch[k].last_type) == SNPVMM_EVENT_GUEST_EXIT, "vm %u", k);
		CHECK(atomic_load(&watch[k].name_ok), "vm %u: an event without its name", k);
	}
	CHECK(count_fds() == fds, "%d fds after, %d before", count_fds(), fds);
	CHECK(count_threads() == threads, "%d threads after, %d before", count_threads(), threads);
	now = count_mappings();
	/* Only on the real KVM, where no sanitizer runs: their runtimes map large regions of
	 * their own as they go. */
	CHECK(!on_kvm || now.guest_ram_mib == maps.guest_ram_mib,
	      "%lu MiB guest RAM after, %lu before", now.guest_ram_mib, maps.guest_ram_mib);
	CHECK(now.kvm_runs == maps.kvm_runs, "%d kvm_run mappings after, %d before", now.kvm_runs,
	      maps.kvm_runs);
	print_counts("after");
}

/* The op the simulated host failed, from its report ("" if none). */
static void injected_op(char *op, size_t size)
{
	json_t *rep = json_load_file(report, 0, NULL);
	json_t *faults = rep ? json_object_get(rep, "injected_faults") : NULL;
	json_t *first = faults ? json_array_get(faults, 0) : NULL;
	const char *s = first ? json_string_value(json_object_get(first, "op")) : NULL;

	snprintf(op, size, "%s", s ? s : "");
	json_decref(rep);
}

/* fail-call=N for N = 1, 2, ... until the failed call is the first KVM_RUN. */
static void fault_sweep(const char *profile, const char *err_name)
{
	int fds = count_fds(), threads = count_threads();
	unsigned int call, nr_failed = 0;
	char op[64] = "";

	for (call = 1; call <= MAX_CALLS && strcmp(op, "KVM_RUN"); call++) {
		struct snpvmm_error err = { 0 };
		struct snpvmm_vm *vm = NULL;
		struct snpvmm_config *c;
		struct watch w = { 0 };
		char faults[64];
		int r;

		snprintf(faults, sizeof(faults), "fail-call=%u:%s", call, err_name);
		c = config(profile, "faulty", &w, faults, NULL);
		CHECK(c, "config");
		if (!c)
			return;
		r = snpvmm_vm_create(c, NULL, &vm, &err);
		snpvmm_config_free(c);
		if (r >= 0)
			r = snpvmm_vm_launch(vm, &err);
		if (r >= 0) {
			struct snpvmm_exit e;

			/* Launched: the fault is in the run, or was recovered from. */
			r = snpvmm_vm_run(vm, &e, &err);
			CHECK(r == 0, "%s call %u: run: %s", profile, call, err.message);
		} else {
			nr_failed++;
			CHECK(err.code == r, "%s call %u", profile, call);
			CHECK(!strcmp(err.step, "launch") || !strcmp(err.step, "create"),
			      "%s call %u: step '%s'", profile, call, err.step);
			CHECK(err.message[0] && strcmp(err.message, strerror(-r)),
			      "%s call %u: a bare '%s'", profile, call, err.message);
		}
		snpvmm_vm_destroy(vm);
		injected_op(op, sizeof(op));
		CHECK(atomic_load(&w.nr_guest_exits) == 1, "%s call %u", profile, call);
		CHECK(atomic_load(&w.last_type) == SNPVMM_EVENT_GUEST_EXIT, "%s call %u", profile,
		      call);
		CHECK(count_fds() == fds, "%s call %u (%s): %d fds after, %d before", profile, call,
		      op, count_fds(), fds);
		CHECK(count_threads() == threads, "%s call %u: %d threads after, %d before",
		      profile, call, count_threads(), threads);
	}
	CHECK(!strcmp(op, "KVM_RUN"), "%s: the sweep never reached KVM_RUN", profile);
	printf("fault_sweep %s %s: %u calls, %u failed the launch\n", profile, err_name, call - 1,
	       nr_failed);
	CHECK(nr_failed > 10, "%s: only %u launches failed", profile, nr_failed);
}

static void *nothing(void *arg)
{
	return arg;
}

/* Removes the consoles of the VMs run on the real KVM, and their directory. */
static void remove_consoles(void)
{
	unsigned int i;

	for (i = 0; i < NR_VMS; i++) {
		char name[32], path[128];

		snprintf(name, sizeof(name), "vm-%u", i);
		console_path(path, sizeof(path), name);
		unlink(path);
	}
	rmdir(console_dir);
}

int main(int argc, char **argv)
{
	pthread_t t;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--kvm")) {
		on_kvm = true;
		kernel = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		kernel = argv[1];
	} else {
		fprintf(stderr, "usage: %s [--kvm] KERNEL\n", argv[0]);
		return 2;
	}
	snprintf(script, sizeof(script), "/tmp/snpvmm-idle-%d.script", (int)getpid());
	snprintf(deaf_script, sizeof(deaf_script), "/tmp/snpvmm-deaf-%d.script", (int)getpid());
	snprintf(report, sizeof(report), "/tmp/snpvmm-report-%d.json", (int)getpid());
	f = fopen(script, "w");
	if (!f || fputs("print idle guest\nwait-power-button\nacpi-poweroff\n", f) < 0 ||
	    fclose(f) != 0)
		return 1;
	f = fopen(deaf_script, "w");
	if (!f || fputs("halt\n", f) < 0 || fclose(f) != 0)
		return 1;
	if (snpvmm_install_kick_handler(SIGRTMIN) < 0)
		return 1;
	/* ThreadSanitizer's runtime starts a thread of its own with the process's second
	 * thread: let it start before anything is counted. */
	if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL))
		return 1;
	if (on_kvm) {
		snprintf(console_dir, sizeof(console_dir), "/tmp/snpvmm-many-vms-XXXXXX");
		if (!mkdtemp(console_dir))
			return 1;
		many_vms();
		remove_consoles();
	} else {
		many_vms();
		fault_sweep("6.18", "ENOMEM");
		fault_sweep("v12", "EIO");
	}
	unlink(script);
	unlink(deaf_script);
	unlink(report);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
