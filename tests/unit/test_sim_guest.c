// SPDX-License-Identifier: MIT
/*
 * The scripted guest: the script parser (good and bad lines, with line numbers) and the
 * player, driven by a minimal VMM loop written here, for both ABIs, plus the failure
 * path (a wrong reply is reported on the serial port and ends in a GHCB termination).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_test_util.h"

enum vmm_mode {
	VMM_CORRECT,
	VMM_NO_CONVERT, /* answers success without changing the attributes */
	VMM_BAD_RET,	/* answers hypercall.ret = 1 */
};

struct vmm {
	struct t_vm vm;
	enum vmm_mode mode;
	char serial[4096];
	size_t serial_len;
	struct kvm_run *run;
	int last_r;
	uint32_t event_type;
	uint64_t event_data;
};

static void convert(struct vmm *v, uint64_t gpa, uint64_t len, bool priv)
{
	if (v->mode == VMM_NO_CONVERT)
		return;
	assert_int_equal(t_set_private(&v->vm, gpa, len, priv), 0);
}

/* What a v12 VMM does with a GHCB PSC descriptor (KVM's snp_begin_psc rules). */
static uint64_t v12_psc(struct vmm *v, uint64_t shared_gpa)
{
	uint8_t *d = v->vm.ram + shared_gpa;
	uint16_t cur, end;
	unsigned int i;

	memcpy(&cur, d, 2);
	memcpy(&end, d + 2, 2);
	if (end >= 253)
		return (1ull << 32) | 1; /* INVALID_HDR */
	for (i = cur; i <= end; i++) {
		uint64_t e, gfn, npages, page;

		memcpy(&e, d + 8 + i * 8, 8);
		gfn = (e >> 12) & ((1ull << 40) - 1);
		npages = (e >> 56) & 1 ? 512 : 1;
		page = e & 0xfff;
		if (page > npages || gfn % npages)
			return (1ull << 32) | 2; /* INVALID_ENTRY */
		if (((e >> 52) & 0xf) == 1 || ((e >> 52) & 0xf) == 2)
			convert(v, (gfn + page) * 4096, (npages - page) * 4096,
				((e >> 52) & 0xf) == 1);
		e = (e & ~0xfffull) | npages;
		memcpy(d + 8 + i * 8, &e, 8);
	}
	cur = (uint16_t)(end + 1);
	memcpy(d, &cur, 2);
	return 0;
}

/* Runs vCPU 0 until a system event or a KVM_RUN error; returns the last KVM_RUN value. */
static int vmm_loop(struct vmm *v)
{
	unsigned int i;
	int r = 0;

	v->run = v->vm.sim->vcpus[0].run;
	for (i = 0; i < 10000; i++) {
		struct kvm_run *run = v->run;

		r = v->vm.be->ops->vcpu_run(v->vm.be, 0);
		if (r == -EFAULT && run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
			struct kvm_exit_memory_fault *mf = kvm_run_exit_data(run);

			convert(v, mf->gpa, mf->size, mf->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE);
			continue;
		}
		if (r < 0)
			return r;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			assert_int_equal(run->io.port, 0x3f8);
			assert_true(v->serial_len + run->io.count < sizeof(v->serial));
			memcpy(v->serial + v->serial_len, (char *)run + run->io.data_offset,
			       run->io.count);
			v->serial_len += run->io.count;
			v->serial[v->serial_len] = '\0';
			break;
		case KVM_EXIT_HYPERCALL: {
			struct kvm_exit_hypercall *hc = kvm_run_exit_data(run);

			assert_int_equal(hc->nr, KVM_HC_MAP_GPA_RANGE);
			convert(v, hc->args[0], hc->args[1] * 4096,
				hc->args[2] & KVM_MAP_GPA_RANGE_ENCRYPTED);
			hc->ret = v->mode == VMM_BAD_RET ? 1 : 0;
			break;
		}
		case KVM_EXIT_VMGEXIT_V12: {
			struct kvm_user_vmgexit_v12 *vg = kvm_run_exit_data(run);

			if (vg->type == KVM_USER_VMGEXIT_PSC_MSR) {
				convert(v, vg->psc_msr.gpa, 4096,
					vg->psc_msr.op == KVM_USER_VMGEXIT_PSC_MSR_OP_PRIVATE);
				vg->psc_msr.ret = 0;
			} else {
				vg->psc.ret = v12_psc(v, vg->psc.shared_gpa);
			}
			break;
		}
		case KVM_EXIT_SNP_REQ_CERTS: {
			struct kvm_exit_snp_req_certs *rc = kvm_run_exit_data(run);
			uint8_t *t = v->vm.ram + rc->gpa;
			uint32_t off = 48, len = 100;

			/* one certificate (GUID 0x11..) and the terminator */
			memset(t, 0, 48);
			memset(t, 0x11, 16);
			memcpy(t + 16, &off, 4);
			memcpy(t + 20, &len, 4);
			rc->ret = 0;
			break;
		}
		case KVM_EXIT_SYSTEM_EVENT:
			v->event_type = run->system_event.type;
			v->event_data = run->system_event.data[0];
			return 0;
		default:
			fail_msg("unexpected exit %u", run->exit_reason);
		}
	}
	fail_msg("the guest did not end");
	return -1;
}

static void vmm_start(struct vmm *v, const char *profile, const char *script_path,
		      enum vmm_mode mode)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_HYPERCALL,
				      .args[0] = 1ull << KVM_HC_MAP_GPA_RANGE };

	memset(v, 0, sizeof(*v));
	v->mode = mode;
	t_vm_create(&v->vm, profile, NULL, script_path, NULL);
	assert_int_equal(v->vm.be->ops->enable_cap(v->vm.be, &cap), 0);
	t_launch_all(&v->vm);
}

static char *write_script(const char *text)
{
	char *path = strdup("/tmp/sim-guest-test-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* ---- parser ---- */

static void test_sim_script_parser_accepts_every_command(void **state)
{
	static const char text[] = "# comment\n"
				   "\n"
				   "print hello world\n"
				   "psc shared 0x2000000 2 4k expect=ok\n"
				   "psc private 0x2200000 1 2m expect=einval\n"
				   "psc-msr shared 0x2400000 expect=error\n"
				   "psc-desc cur=0 end=1 shared:0x2000000 private:0x2200000:2m:3 "
				   "expect=invalid-entry\n"
				   "fault private 0x2401000 0x2000\n"
				   "certs 0x2600000 4 expect=enospc:8\n"
				   "report 00112233\n"
				   "write-shared 0x2000010 aabb\n"
				   "expect-shared 0x2000010 aabb\n"
				   "expect-private 0x2200000 512\n"
				   "expect-shared-state 0x2000000\n"
				   "expect-shared-view-unused 0x2600000 4\n"
				   "terminate 1 2\n"
				   "terminate-ghcb 1 2\n"
				   "shutdown\n";
	struct sim_script *s = NULL;
	struct diag d = { { 0 } };

	assert_int_equal(sim_script_parse(text, "t", &s, &d), 0);
	assert_int_equal(sim_script_length(s), 16);
	sim_script_free(s);
}

static void assert_parse_error(const char *text, const char *where)
{
	struct sim_script *s = NULL;
	struct diag d = { { 0 } };

	assert_int_equal(sim_script_parse(text, "t.sim", &s, &d), -EINVAL);
	if (!strstr(d.msg, where))
		fail_msg("'%s' does not name '%s'", d.msg, where);
}

static void test_sim_script_parser_rejects_bad_lines_with_line_numbers(void **state)
{
	assert_parse_error("print a\npsc sideways 0x1000 1\n", "t.sim:2:");
	assert_parse_error("psc shared 0x1001 1\n", "t.sim:1: GPA 0x1001 is not 4 KiB aligned");
	assert_parse_error("\n\npsc shared 0x201000 1 2m\n", "t.sim:3:");
	assert_parse_error("fly away\n", "t.sim:1: unknown command 'fly'");
	assert_parse_error("shutdown now\n", "t.sim:1:");
	assert_parse_error("report zz\n", "t.sim:1:");
	assert_parse_error("psc shared 0x1000 1 expect=maybe\n", "unknown expectation");
	assert_parse_error("write-shared 0x1000 abc\n", "t.sim:1:");
	assert_parse_error("terminate 16 0\n", "t.sim:1:");
	assert_parse_error("terminate-ghcb 1\n", "t.sim:1: usage: terminate-ghcb");
	assert_parse_error("print ok\nshutdown expect=ok\n", "t.sim:2:");
	assert_parse_error("psc-desc cur=0\n", "at least one entry");
}

/* Found by fuzz_sim_script under LeakSanitizer: the decoded bytes of an over-long
 * REPORT_DATA were not freed (the leak fails this test in the sanitized build). */
static void test_sim_script_parser_report_data_over_64_bytes_is_an_error(void **state)
{
	char text[16 + 2 * 65];

	snprintf(text, sizeof(text), "report %0130d\n", 0);
	assert_parse_error(text, "t.sim:1: REPORT_DATA must be up to 64 bytes");
}

/* ---- player ---- */

static void test_sim_guest_default_script_passes_on_upstream(void **state)
{
	struct vmm v;

	vmm_start(&v, "upstream", NULL, VMM_CORRECT);
	assert_int_equal(vmm_loop(&v), 0);
	assert_int_equal(v.event_type, KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_non_null(strstr(v.serial, "sim-guest: booting (simulated SEV-SNP guest, no "
					 "confidentiality)\n"));
	assert_null(strstr(v.serial, "FAILED"));
	assert_int_equal(v.vm.sim->outcome, SIM_OUTCOME_PASSED);
	assert_int_equal(v.vm.sim->nr_reports, 1);
	t_vm_destroy(&v.vm);
}

static void test_sim_guest_default_script_passes_on_v12(void **state)
{
	struct vmm v;

	vmm_start(&v, "v12", NULL, VMM_CORRECT);
	assert_int_equal(vmm_loop(&v), 0);
	assert_int_equal(v.event_type, KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_int_equal(v.vm.sim->outcome, SIM_OUTCOME_PASSED);
	t_vm_destroy(&v.vm);
}

static void test_sim_guest_reply_without_conversion_fails_loudly(void **state)
{
	struct vmm v;

	vmm_start(&v, "upstream", NULL, VMM_NO_CONVERT);
	assert_int_equal(vmm_loop(&v), 0);
	assert_non_null(strstr(v.serial, "sim-guest: FAILED: "));
	assert_int_equal(v.event_type, KVM_SYSTEM_EVENT_SEV_TERM);
	assert_int_equal(v.event_data,
			 0x100 | SIM_TERM_REASON_SET << 12 | SIM_TERM_EXPECTATION_FAILED << 16);
	assert_int_equal(v.vm.sim->outcome, SIM_OUTCOME_FAILED);
	t_vm_destroy(&v.vm);
}

static void test_sim_guest_invalid_hypercall_ret_fails_kvm_run_with_einval(void **state)
{
	struct vmm v;

	vmm_start(&v, "upstream", NULL, VMM_BAD_RET);
	assert_int_equal(vmm_loop(&v), -EINVAL);
	assert_non_null(strstr(v.vm.sim->failure, "hypercall.ret=1"));
	t_vm_destroy(&v.vm);
}

static void test_sim_guest_hostile_descriptors_get_kvm_errors_on_v12(void **state)
{
	char *path =
		write_script("psc-desc end=300 shared:0x2000000 expect=invalid-hdr\n"
			     "psc-desc shared:0x2001000:2m expect=invalid-entry\n"
			     "psc-desc shared:0x2000000:4k:2 expect=invalid-entry\n"
			     "psc-desc shared:0x2000000 private:0x2200000:2m:256 psmash:0x2400000\n"
			     "expect-shared-state 0x2000000\n"
			     "expect-private 0x2300000 256\n"
			     "shutdown\n");
	struct vmm v;

	vmm_start(&v, "v12", path, VMM_CORRECT);
	assert_int_equal(vmm_loop(&v), 0);
	assert_string_equal(v.vm.sim->outcome == SIM_OUTCOME_PASSED ? "passed" : v.vm.sim->failure,
			    "passed");
	t_vm_destroy(&v.vm);
	unlink(path);
	free(path);
}

static void test_sim_guest_certs_request_exits_on_certs_profile(void **state)
{
	char *path = write_script("certs 0x2600000 2\nshutdown\n");
	struct vmm v;

	memset(&v, 0, sizeof(v));
	t_vm_create(&v.vm, "upstream-certs", NULL, path, NULL);
	assert_int_equal(t_init2(&v.vm, 0, 0, 0), 0);
	assert_int_equal(t_sev(&v.vm, KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, NULL), 0);
	{
		uint32_t fw = 0;

		assert_int_equal(t_launch_start(&v.vm, T_POLICY, &fw), 0);
		assert_int_equal(t_create_vcpu(&v.vm, 0), 0);
		assert_int_equal(t_launch_finish(&v.vm, &fw), 0);
	}
	assert_int_equal(vmm_loop(&v), 0);
	assert_int_equal(v.vm.sim->outcome, SIM_OUTCOME_PASSED);
	assert_int_equal(v.vm.sim->ioctls[SIM_IOC_SNP_ENABLE_REQ_CERTS], 1);
	t_vm_destroy(&v.vm);
	unlink(path);
	free(path);
}

static void test_sim_guest_psc_without_exit_hypercall_fails_in_kernel(void **state)
{
	struct vmm v;

	memset(&v, 0, sizeof(v));
	t_vm_create(&v.vm, "upstream", NULL, NULL, NULL);
	t_launch_all(&v.vm); /* no KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL) */
	assert_int_equal(vmm_loop(&v), 0);
	assert_int_equal(v.event_type, KVM_SYSTEM_EVENT_SEV_TERM);
	assert_non_null(strstr(v.vm.sim->failure, "KVM_CAP_EXIT_HYPERCALL"));
	t_vm_destroy(&v.vm);
}

static void test_sim_report_json_has_the_issue_keys(void **state)
{
	static const char *const keys[] = { "\"measurement\": \"",
					    "\"ioctls\"",
					    "\"KVM_SEV_SNP_LAUNCH_UPDATE\": 1",
					    "\"firmware_page_ops\"",
					    "\"VMSA\": 1",
					    "\"vcpus\": 1",
					    "\"policy\": \"0x30000\"",
					    "\"host_data\"",
					    "\"page_states\"",
					    "\"guest_script\": \"passed\"",
					    "\"profile\": \"6.18\"",
					    "\"profile_alias\": \"upstream\"",
					    "\"abi\": \"upstream\"",
					    "\"host_fault\": null",
					    "\"desired_tsc_khz\": 0",
					    "\"launch_updates\": 1",
					    "\"attestation_reports\": [" };
	char *buf = NULL;
	size_t len = 0, i;
	struct vmm v;

	vmm_start(&v, "upstream", NULL, VMM_CORRECT);
	assert_int_equal(vmm_loop(&v), 0);
	assert_int_equal(sim_report_to_buffer(v.vm.sim, &buf, &len), 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strstr(buf, keys[i]))
			fail_msg("report lacks %s:\n%s", keys[i], buf);
	free(buf);
	t_vm_destroy(&v.vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_script_parser_accepts_every_command),
		cmocka_unit_test(test_sim_script_parser_rejects_bad_lines_with_line_numbers),
		cmocka_unit_test(test_sim_script_parser_report_data_over_64_bytes_is_an_error),
		cmocka_unit_test(test_sim_guest_default_script_passes_on_upstream),
		cmocka_unit_test(test_sim_guest_default_script_passes_on_v12),
		cmocka_unit_test(test_sim_guest_reply_without_conversion_fails_loudly),
		cmocka_unit_test(test_sim_guest_invalid_hypercall_ret_fails_kvm_run_with_einval),
		cmocka_unit_test(test_sim_guest_hostile_descriptors_get_kvm_errors_on_v12),
		cmocka_unit_test(test_sim_guest_certs_request_exits_on_certs_profile),
		cmocka_unit_test(test_sim_guest_psc_without_exit_hypercall_fails_in_kernel),
		cmocka_unit_test(test_sim_report_json_has_the_issue_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
