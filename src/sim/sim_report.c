// SPDX-License-Identifier: MIT
/*
 * The simulated host's JSON report (--sim-report, docs/sim.md "Report"): what the
 * simulated PSP measured, which ioctls the VMM issued, the page states at the end and the
 * guest script's outcome. Written when the guest ends and again when the backend is
 * destroyed, each time replacing the contents of the file sim_backend_create() created.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_internal.h"

static void put_hex(FILE *f, const uint8_t *b, size_t n)
{
	char buf[2 * 64 + 1];

	snp_hex(b, n, buf);
	fprintf(f, "\"%s\"", buf);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *outcome(const struct sim *sim)
{
	switch (sim->outcome) {
	case SIM_OUTCOME_NOT_RUN:
		return "not run";
	case SIM_OUTCOME_RUNNING:
		return "running";
	case SIM_OUTCOME_PASSED:
		return "passed";
	case SIM_OUTCOME_FAILED:
	case SIM_OUTCOME_TERMINATED:
		return sim->failure;
	}
	return "?";
}

/* Pages of the guest_memfd memslots (guest RAM: each page private or shared), and of the
 * plain memslots (always shared, such as snpvmm's staging area). */
static void page_states(const struct sim *sim, uint64_t *ret_private, uint64_t *ret_shared,
			uint64_t *ret_plain)
{
	uint64_t priv = 0, total = 0, plain = 0;
	unsigned int i;

	for (i = 0; i < SIM_MAX_SLOTS; i++) {
		const struct sim_slot *s = &sim->mem.slots[i];

		if (!s->used)
			continue;
		if (!s->gmem) {
			plain += s->size / SIM_PAGE_SIZE;
			continue;
		}
		total += s->size / SIM_PAGE_SIZE;
		priv += sim_memory_private_pages_in(&sim->mem, s->gpa / SIM_PAGE_SIZE,
						    (s->gpa + s->size) / SIM_PAGE_SIZE);
	}
	*ret_private = priv;
	*ret_shared = total - priv;
	*ret_plain = plain;
}

static void put_digests(FILE *f, const struct sim *sim)
{
	static const uint8_t zero[48];
	const struct sim_psp *psp = &sim->psp;

	fputs("\"policy\": ", f);
	fprintf(f, "\"0x%llx\", \"host_data\": ", (unsigned long long)psp->policy);
	put_hex(f, psp->host_data, sizeof(psp->host_data));
	fputs(", \"id_key_digest\": ", f);
	put_hex(f, psp->id_block_en ? psp->id_key_digest : zero, 48);
	fputs(", \"author_key_digest\": ", f);
	put_hex(f, psp->auth_key_en ? psp->author_key_digest : zero, 48);
}

static bool sim_owns_fd(const struct sim *sim, int fd)
{
	unsigned int i;

	if (fd == sim->report_fd)
		return true;
	for (i = 0; i < sim->mem.nr_gmem; i++)
		if (sim->mem.gmem[i].fd == fd)
			return true;
	return false;
}

/* The fds beyond 0-2 open in the process that are not the simulator's own, with what
 * they refer to: when the backend is destroyed, the VMM has torn down its VM, so these
 * are what it still holds (its events file) or leaked. */
static void put_vmm_fds(FILE *f, const struct sim *sim)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	bool first = true;

	if (!dir) {
		fputs("null", f);
		return;
	}
	fputc('[', f);
	while ((de = readdir(dir))) {
		char link[64], target[512];
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd <= STDERR_FILENO || fd == dirfd(dir) || sim_owns_fd(sim, fd))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		fputs(first ? "" : ", ", f);
		put_string(f, target);
		first = false;
	}
	closedir(dir);
	fputc(']', f);
}

static void report(FILE *f, struct sim *sim)
{
	static const char *const types[] = { "INVALID",	   "NORMAL",  "VMSA", "ZERO",
					     "UNMEASURED", "SECRETS", "CPUID" };
	uint64_t priv, shared, plain;
	unsigned int i;
	bool first;

	fputs("{\n  \"profile\": ", f);
	put_string(f, sim->profile.name);
	if (sim->profile.alias[0]) {
		fputs(",\n  \"profile_alias\": ", f);
		put_string(f, sim->profile.alias);
	}
	fprintf(f, ",\n  \"abi\": \"%s\",\n", sim->profile.abi == SIM_ABI_V12 ? "v12" : "upstream");
	fputs("  \"host_fault\": ", f);
	if (sim->host_fault[0])
		put_string(f, sim->host_fault);
	else
		fputs("null", f);
	fputs(",\n", f);
	fputs("  \"confidentiality\": \"none (simulated host)\",\n", f);
	fputs("  \"measurement\": ", f);
	if (sim->finished)
		put_hex(f, sim->psp.measurement, 48);
	else if (sim->psp.ld_ready)
		put_hex(f, sim->psp.ld.ld, 48);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"launch_finished\": %s,\n", sim->finished ? "true" : "false");
	fputs("  ", f);
	put_digests(f, sim);
	fprintf(f, ",\n  \"vmsa_features\": \"0x%llx\",\n",
		(unsigned long long)(sim->vmsa_features | (sim->sev_init ? 1 : 0)));
	fprintf(f, "  \"desired_tsc_khz\": %u,\n", sim->psp.desired_tsc_khz);
	fprintf(f, "  \"vcpus\": %u,\n", sim->nr_vcpus);
	fputs("  \"ioctls\": {", f);
	for (i = 0, first = true; i < SIM_IOC_MAX; i++) {
		if (!sim->ioctls[i])
			continue;
		fprintf(f, "%s\n    \"%s\": %llu", first ? "" : ",", sim_ioctl_name(i),
			(unsigned long long)sim->ioctls[i]);
		first = false;
	}
	fputs("\n  },\n", f);
	fprintf(f, "  \"seam_calls\": %u,\n  \"injected_faults\": [", sim->seam_calls);
	for (i = 0; i < sim->nr_injected; i++)
		fprintf(f, "%s{ \"call\": %u, \"op\": \"%s\", \"errno\": %d }", i ? ", " : "",
			sim->injected[i].call, sim_ioctl_name(sim->injected[i].op),
			sim->injected[i].err);
	fputs("],\n  \"vmm_fds_at_destroy\": ", f);
	if (sim->destroying)
		put_vmm_fds(f, sim);
	else
		fputs("null", f);
	fputs(",\n", f);
	fprintf(f, "  \"launch_updates\": %llu,\n",
		(unsigned long long)sim->ioctls[SIM_IOC_SNP_LAUNCH_UPDATE]);
	fputs("  \"firmware_page_ops\": {", f);
	for (i = 1, first = true; i < sizeof(types) / sizeof(types[0]); i++) {
		fprintf(f, "%s \"%s\": %llu", first ? "" : ",", types[i],
			(unsigned long long)sim->psp.page_ops[i]);
		first = false;
	}
	fputs(" },\n", f);
	page_states(sim, &priv, &shared, &plain);
	fprintf(f,
		"  \"page_states\": { \"private\": %llu, \"shared\": %llu, \"plain_slots\": "
		"%llu },\n",
		(unsigned long long)priv, (unsigned long long)shared, (unsigned long long)plain);
	fputs("  \"guest_script\": ", f);
	put_string(f, outcome(sim));
	fputs(",\n  \"attestation_reports\": [", f);
	for (i = 0; i < sim->nr_reports; i++) {
		const struct snp_report *r = &sim->reports[i].report;
		const uint8_t *raw = (const uint8_t *)r;
		size_t j;

		fprintf(f,
			"%s\n    { \"version\": %u, \"vmpl\": %u, \"measurement\": ", i ? "," : "",
			r->version, r->vmpl);
		put_hex(f, sim->psp.measurement, 48);
		fputs(", ", f);
		put_digests(f, sim);
		fputs(", \"report_data\": ", f);
		put_hex(f, sim->reports[i].report_data, 64);
		/* The signed ATTESTATION_REPORT itself, as `snpvmm verify --report` takes it. */
		fputs(", \"report\": \"", f);
		for (j = 0; j < SNP_REPORT_SIZE; j++)
			fprintf(f, "%02x", raw[j]);
		fputs("\" }", f);
	}
	fputs(sim->nr_reports ? "\n  ]\n}\n" : "]\n}\n", f);
}

int sim_report_to_buffer(struct sim *sim, char **ret_buf, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -errno;
	report(f, sim);
	if (fclose(f) != 0) {
		free(buf);
		return -EIO;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int sim_report_write(struct sim *sim)
{
	char *buf;
	size_t len, off = 0;
	int r;

	if (sim->report_fd < 0)
		return 0;
	r = sim_report_to_buffer(sim, &buf, &len);
	if (r < 0)
		return r;
	/* The file was created by sim_backend_create(), so that an unwritable path fails
	 * before the VM starts; each write replaces the whole contents. */
	if (ftruncate(sim->report_fd, 0) < 0)
		r = -errno;
	while (r == 0 && off < len) {
		ssize_t n = pwrite(sim->report_fd, buf + off, len - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EIO;
		else
			off += (size_t)n;
	}
	free(buf);
	sim->report_written = r == 0;
	return r;
}
