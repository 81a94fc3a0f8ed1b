// SPDX-License-Identifier: MIT
/*
 * Fault injection for the simulated host (--sim-faults, docs/sim-guest.md "Faults"):
 * comma-separated items, each naming one failure the real kernel or firmware can produce,
 * so that the VMM's retry and error paths are exercised.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"
#include "util/num.h"

static const char *const fw_cmd_names[] = {
	[SIM_FW_LAUNCH_START] = "launch-start",
	[SIM_FW_LAUNCH_UPDATE] = "launch-update",
	[SIM_FW_LAUNCH_FINISH] = "launch-finish",
};
_Static_assert(sizeof(fw_cmd_names) / sizeof(fw_cmd_names[0]) == SIM_FW_CMD_MAX, "fw_cmd_names");

const char *sim_fw_cmd_name(enum sim_fw_cmd cmd)
{
	return (unsigned int)cmd < SIM_FW_CMD_MAX ? fw_cmd_names[cmd] : "?";
}

static int add_nth(struct sim_fault_list *l, const char *item, const char *val, struct diag *d)
{
	uint64_t n;

	if (!val || parse_uint(val, 1000000, &n) < 0 || n == 0)
		return diag_fail(d, -EINVAL, "fault '%s' needs =N (the Nth call, from 1)", item);
	if (l->nr == SIM_FAULTS_MAX)
		return diag_fail(d, -EINVAL, "too many '%s' faults (at most %d)", item,
				 SIM_FAULTS_MAX);
	l->nth[l->nr++] = (unsigned int)n;
	return 0;
}

static const struct {
	const char *name;
	int signo;
} signal_names[] = {
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "INT", SIGINT },
	{ "TERM", SIGTERM }, { "ALRM", SIGALRM }, { "CHLD", SIGCHLD },
};

/* launch-update-signal=N[:SIG]: the signal SIG (default USR1, what snpvmm kicks its vCPU
 * threads with) arrives during the Nth LAUNCH_UPDATE. */
static int add_signal(struct sim_faults *f, const char *val, struct diag *d)
{
	char buf[32], *colon;
	uint64_t n;
	unsigned int i;
	int signo = SIGUSR1;

	if (!val || strlen(val) >= sizeof(buf))
		return diag_fail(d, -EINVAL, "fault launch-update-signal needs =N[:SIG]");
	snprintf(buf, sizeof(buf), "%s", val);
	colon = strchr(buf, ':');
	if (colon) {
		*colon++ = '\0';
		signo = 0;
		for (i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
			if (strcmp(colon, signal_names[i].name) == 0)
				signo = signal_names[i].signo;
		if (!signo)
			return diag_fail(
				d, -EINVAL,
				"fault launch-update-signal=%s: unknown signal '%s' (USR1, "
				"USR2, INT, TERM, ALRM, CHLD)",
				val, colon);
	}
	if (parse_uint(buf, 1000000, &n) < 0 || n == 0)
		return diag_fail(d, -EINVAL,
				 "fault launch-update-signal=%s: N must be the Nth call, from 1",
				 val);
	if (f->nr_launch_update_signal == SIM_FAULTS_MAX)
		return diag_fail(d, -EINVAL, "too many 'launch-update-signal' faults (at most %d)",
				 SIM_FAULTS_MAX);
	f->launch_update_signal[f->nr_launch_update_signal].nth = (unsigned int)n;
	f->launch_update_signal[f->nr_launch_update_signal].signo = signo;
	f->nr_launch_update_signal++;
	return 0;
}

/* The errnos a kernel call can plausibly fail with; a fault names one or gives a number. */
static const struct {
	const char *name;
	int err;
} errno_names[] = {
	{ "EIO", EIO },	      { "ENOMEM", ENOMEM }, { "EINTR", EINTR }, { "EAGAIN", EAGAIN },
	{ "EINVAL", EINVAL }, { "EFAULT", EFAULT }, { "EBUSY", EBUSY }, { "ENOSPC", ENOSPC },
};

/* fail-call=N[:ERRNO] */
static int add_call_fault(struct sim_faults *f, const char *val, struct diag *d)
{
	char buf[32], *colon;
	uint64_t n, err = EIO;
	size_t i;

	if (!val || strlen(val) >= sizeof(buf))
		return diag_fail(d, -EINVAL, "fault fail-call needs =N[:ERRNO]");
	snprintf(buf, sizeof(buf), "%s", val);
	colon = strchr(buf, ':');
	if (colon) {
		*colon++ = '\0';
		for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
			if (strcmp(colon, errno_names[i].name) == 0)
				break;
		if (i < sizeof(errno_names) / sizeof(errno_names[0]))
			err = (uint64_t)errno_names[i].err;
		else if (parse_uint(colon, 4095, &err) < 0 || err == 0)
			return diag_fail(d, -EINVAL,
					 "fault fail-call=%s: ERRNO must be a name (EIO, ENOMEM, "
					 "EINTR, ...) or a number from 1 to 4095",
					 val);
	}
	if (parse_uint(buf, 1000000, &n) < 0 || n == 0)
		return diag_fail(d, -EINVAL, "fault fail-call=%s: N must be the Nth call, from 1",
				 val);
	if (f->nr_call == SIM_FAULTS_MAX)
		return diag_fail(d, -EINVAL, "too many 'fail-call' faults (at most %d)",
				 SIM_FAULTS_MAX);
	f->call[f->nr_call++] = (struct sim_call_fault){ (unsigned int)n, (int)err };
	return 0;
}

int sim_call_fault(const struct sim_faults *f, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < f->nr_call; i++)
		if (f->call[i].nth == count)
			return f->call[i].err;
	return 0;
}

/* fw-error=CMD:CODE[@N] */
static int add_fw_error(struct sim_faults *f, const char *val, struct diag *d)
{
	char buf[64], *colon, *at;
	uint64_t code, nth = 0;
	int i;

	if (!val || strlen(val) >= sizeof(buf))
		return diag_fail(d, -EINVAL, "fault fw-error needs =CMD:CODE[@N]");
	snprintf(buf, sizeof(buf), "%s", val);
	colon = strchr(buf, ':');
	if (!colon)
		return diag_fail(d, -EINVAL, "fault fw-error=%s: expected CMD:CODE[@N]", val);
	*colon = '\0';
	at = strchr(colon + 1, '@');
	if (at) {
		*at = '\0';
		if (parse_uint(at + 1, 1000000, &nth) < 0 || nth == 0)
			return diag_fail(d, -EINVAL, "fault fw-error=%s: bad @N", val);
	}
	/* sev_ret_code values are 1..0x27 (include/uapi/linux/psp-sev.h); 0 would not be a
	 * failure. */
	if (parse_uint(colon + 1, 0xff, &code) < 0 || code == 0)
		return diag_fail(d, -EINVAL, "fault fw-error=%s: bad firmware error code", val);
	for (i = 0; i < SIM_FW_CMD_MAX; i++) {
		if (strcmp(buf, fw_cmd_names[i]) == 0) {
			f->fw[i].code = (uint32_t)code;
			f->fw[i].nth = (unsigned int)nth;
			f->fw[i].armed = true;
			return 0;
		}
	}
	return diag_fail(d, -EINVAL,
			 "fault fw-error=%s: unknown command '%s' (launch-start, launch-update, "
			 "launch-finish)",
			 val, buf);
}

int sim_faults_parse(struct sim_faults *f, const char *spec, struct diag *d)
{
	char *copy, *item, *save = NULL;
	int r = 0;

	memset(f, 0, sizeof(*f));
	if (!spec || !*spec)
		return 0;
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item && r == 0; item = strtok_r(NULL, ",", &save)) {
		char *val = strchr(item, '=');

		if (val)
			*val++ = '\0';
		if (strcmp(item, "launch-update-eagain") == 0)
			r = add_nth(&f->launch_update_eagain, item, val, d);
		else if (strcmp(item, "launch-update-partial") == 0)
			r = add_nth(&f->launch_update_partial, item, val, d);
		else if (strcmp(item, "launch-update-signal") == 0)
			r = add_signal(f, val, d);
		else if (strcmp(item, "run-eintr") == 0)
			r = add_nth(&f->run_eintr, item, val, d);
		else if (strcmp(item, "fw-error") == 0)
			r = add_fw_error(f, val, d);
		else if (strcmp(item, "fail-call") == 0)
			r = add_call_fault(f, val, d);
		else if (strcmp(item, "gmem-enomem") == 0 && !val)
			f->gmem_enomem = true;
		else if (strcmp(item, "cpuid-reject") == 0 && !val)
			f->cpuid_reject = true;
		else
			r = diag_fail(d, -EINVAL, "unknown fault '%s%s%s'", item, val ? "=" : "",
				      val ? val : "");
	}
	free(copy);
	return r;
}

bool sim_fault_hit(const struct sim_fault_list *l, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < l->nr; i++)
		if (l->nth[i] == count)
			return true;
	return false;
}

int sim_fault_signal(const struct sim_faults *f, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < f->nr_launch_update_signal; i++)
		if (f->launch_update_signal[i].nth == count)
			return f->launch_update_signal[i].signo;
	return 0;
}

uint32_t sim_fw_fault(struct sim_faults *f, enum sim_fw_cmd cmd, unsigned int count)
{
	struct sim_fw_fault *ff = &f->fw[cmd];

	if (!ff->armed)
		return 0;
	if (ff->nth && ff->nth != count)
		return 0;
	return ff->code;
}
