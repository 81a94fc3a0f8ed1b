// SPDX-License-Identifier: MIT
/*
 * snp-guest-report: runs inside an SEV-SNP guest, asks the guest kernel for an
 * attestation report (SNP_GET_REPORT on /dev/sev-guest, include/abi/sev_guest.h) with
 * the caller's 64 bytes of report data, and writes it to stdout in the console frame
 * `snpvmm verify --report` reads (include/snp/report_frame.h), followed by a line
 * `SNPVMM-MEASUREMENT <hex>`.
 *
 * Built static, so it can be an initrd's /init: as PID 1 it mounts devtmpfs, takes
 * /dev/console as stdio, loads the modules named with --insmod (sev-guest.ko where the
 * driver is a module), and powers the guest off at the end. The kernel passes the words
 * after `--` on its command line to init, so a host runs for example
 *   snpvmm --kernel bzImage --initrd report.cpio \
 *          --append "console=ttyS0 -- --insmod /sev-guest.ko --report-data NONCE"
 * and extracts the frame from the console (tests/hw/test_hw.py does exactly that).
 *
 * Exit status: 0 report written, 1 the request failed, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/sev_guest.h"
#include "snp/report_frame.h"

#define PROG		"snp-guest-report"
#define MAX_MODULES	8
#define MEASUREMENT_OFF 0x90 /* ATTESTATION_REPORT.MEASUREMENT (56860) */

struct args {
	uint8_t report_data[SNP_GUEST_USER_DATA_SIZE];
	uint32_t vmpl;
	const char *device;
	const char *modules[MAX_MODULES];
	unsigned int nr_modules;
	bool poweroff;
};

static void usage(FILE *f)
{
	fputs("Usage: " PROG " [--report-data HEX] [--vmpl N] [--device PATH]\n"
	      "                        [--insmod MODULE.ko]... [--poweroff]\n"
	      "\n"
	      "Gets an SEV-SNP attestation report from " SNP_GUEST_DEVICE " and prints it\n"
	      "between SNPVMM-ATTESTATION-REPORT-BEGIN/END lines for `snpvmm verify`.\n"
	      "\n"
	      "  --report-data HEX   up to 64 bytes for REPORT_DATA (e.g. a verifier's nonce),\n"
	      "                      zero-padded; default all zero\n"
	      "  --vmpl N            the VMPL to report at, 0..3 (default 0)\n"
	      "  --device PATH       default " SNP_GUEST_DEVICE "\n"
	      "  --insmod FILE       load a kernel module first (repeatable; as initrd /init)\n"
	      "  --poweroff          power off when done (the default as PID 1)\n",
	      f);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_report_data(const char *s, uint8_t out[SNP_GUEST_USER_DATA_SIZE])
{
	size_t n = strlen(s), i;

	if (n % 2 || n > 2 * SNP_GUEST_USER_DATA_SIZE)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (hex_value(s[i]) < 0)
			return -EINVAL;
	memset(out, 0, SNP_GUEST_USER_DATA_SIZE);
	for (i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(hex_value(s[2 * i]) << 4 | hex_value(s[2 * i + 1]));
	return 0;
}

/* Returns 0, or 2 after printing a usage error; -1 for --help. */
static int parse_args(int argc, char **argv, struct args *a)
{
	int i;

	a->device = SNP_GUEST_DEVICE;
	a->poweroff = getpid() == 1;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
			return -1;
		if (!strcmp(opt, "--poweroff")) {
			a->poweroff = true;
			continue;
		}
		if (strcmp(opt, "--report-data") && strcmp(opt, "--vmpl") &&
		    strcmp(opt, "--device") && strcmp(opt, "--insmod")) {
			fprintf(stderr, PROG ": unknown argument '%s' (see --help)\n", opt);
			return 2;
		}
		if (!val) {
			fprintf(stderr, PROG ": %s needs a value\n", opt);
			return 2;
		}
		i++;
		if (!strcmp(opt, "--report-data") && parse_report_data(val, a->report_data) < 0) {
			fprintf(stderr,
				PROG ": --report-data: expected up to 128 hex digits, an even "
				     "number\n");
			return 2;
		} else if (!strcmp(opt, "--vmpl")) {
			if (strlen(val) != 1 || val[0] < '0' || val[0] > '3') {
				fprintf(stderr, PROG ": --vmpl: expected 0, 1, 2 or 3\n");
				return 2;
			}
			a->vmpl = (uint32_t)(val[0] - '0');
		} else if (!strcmp(opt, "--device")) {
			a->device = val;
		} else if (!strcmp(opt, "--insmod")) {
			if (a->nr_modules == MAX_MODULES) {
				fprintf(stderr, PROG ": at most %d --insmod\n", MAX_MODULES);
				return 2;
			}
			a->modules[a->nr_modules++] = val;
		}
	}
	return 0;
}

/* As an initrd's /init nothing is set up: /dev, the console, the driver. */
static void init_environment(const struct args *a)
{
	unsigned int i;
	int fd;

	if (getpid() == 1) {
		(void)mkdir("/dev", 0755);
		if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0 && errno != EBUSY)
			perror(PROG ": mounting devtmpfs on /dev");
		fd = open("/dev/console", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
	}
	for (i = 0; i < a->nr_modules; i++) {
		fd = open(a->modules[i], O_RDONLY | O_CLOEXEC);
		/* finit_module(2); a driver that is built in or loaded already is fine. */
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
			fprintf(stderr, PROG ": cannot load '%s': %s\n", a->modules[i],
				strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

static int get_report(const struct args *a, struct snp_guest_report_resp *resp)
{
	struct snp_guest_report_req req = { .vmpl = a->vmpl };
	struct snp_guest_request io = {
		.msg_version = SNP_GUEST_MSG_VERSION,
		.req_data = (uintptr_t)&req,
		.resp_data = (uintptr_t)resp,
	};
	int fd, r;

	memcpy(req.user_data, a->report_data, sizeof(req.user_data));
	fd = open(a->device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr,
			PROG ": cannot open %s: %s (is this an SEV-SNP guest with the "
			     "sev-guest driver?)\n",
			a->device, strerror(errno));
		return 1;
	}
	r = ioctl(fd, SNP_GET_REPORT, &io);
	if (r < 0)
		fprintf(stderr,
			PROG ": SNP_GET_REPORT failed: %s (firmware error 0x%x, VMM error "
			     "0x%x)\n",
			strerror(errno), io.fw_error, io.vmm_error);
	close(fd);
	return r < 0 ? 1 : 0;
}

static int print_report(const struct snp_guest_report_resp *resp)
{
	static char frame[SNP_REPORT_FRAME_SIZE];
	const uint8_t *report;
	uint32_t status = 0;
	unsigned int i;

	if (snp_report_rsp_extract(resp->data, sizeof(resp->data), &report, &status) < 0) {
		fprintf(stderr, PROG ": the firmware answered MSG_REPORT_RSP status 0x%x%s\n",
			status, status ? "" : " with a report size other than 1184");
		return 1;
	}
	snp_report_frame(report, frame);
	fputs(frame, stdout);
	fputs("SNPVMM-MEASUREMENT ", stdout);
	for (i = 0; i < 48; i++)
		printf("%02x", report[MEASUREMENT_OFF + i]);
	putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static struct snp_guest_report_resp resp;
	struct args a = { .vmpl = 0 };
	int status = parse_args(argc, argv, &a);

	if (status < 0) {
		usage(stdout);
		return 0;
	}
	if (status)
		return status;
	init_environment(&a);
	status = get_report(&a, &resp);
	if (!status)
		status = print_report(&resp);
	if (a.poweroff) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return status;
}
