// SPDX-License-Identifier: MIT
/*
 * SNP_LAUNCH_UPDATE as snp_launch_update() drives it, against a scripted kernel that does
 * exactly what one kernel version's snp_launch_update() does with the struct: v12 never
 * writes progress back, 6.11+ does and may stop early, and any kernel fails the call
 * before the first page when a signal is pending (kvm_gmem_populate()).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "snp/snp_launch.h"

#define PAGE 4096ULL

enum kernel_model {
	MODEL_V12,	    /* [PATCH v12 11/29]: 0 = all done, struct never copied back */
	MODEL_UPSTREAM,	    /* 6.11+: progress written back */
	MODEL_SIGNAL_CHECK, /* upstream, and a signal arrives during every call */
};

struct fake_kernel {
	struct kvm_backend be;
	struct kvm_backend_ops ops;
	enum kernel_model model;
	uint64_t max_pages_per_call; /* upstream: stop early after this many (0: no limit) */
	unsigned int fail_eio_calls; /* the first n calls fail with -EIO, fw 0 */
	unsigned int eagain_calls;   /* the first n calls fail with -EAGAIN */
	int v12_result;		     /* v12: what every call returns (0: done) */
	unsigned int calls;
	uint64_t done_pages;
	uint64_t first_gfn[8];
	uint64_t lens[8];
};

static volatile sig_atomic_t signals_delivered;

static void count_signal(int sig)
{
	signals_delivered++;
}

static bool signal_blocked(int sig)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static int fake_encrypt_op(struct kvm_backend *be, struct kvm_sev_cmd *cmd, uint32_t *fw_error)
{
	struct fake_kernel *k = (struct fake_kernel *)be;
	unsigned int n = k->calls++;

	*fw_error = 0;
	if (k->model == MODEL_V12) {
		struct kvm_sev_snp_v12_launch_update *u = (void *)(uintptr_t)cmd->data;

		assert_int_equal(cmd->id, KVM_SEV_SNP_V12_LAUNCH_UPDATE);
		if (n < 8) {
			k->first_gfn[n] = u->gfn_start;
			k->lens[n] = u->len;
		}
		if (k->v12_result)
			return k->v12_result;
		k->done_pages += u->len / PAGE;
		return 0; /* and the struct is left as it was */
	}
	{
		struct kvm_sev_snp_launch_update *u = (void *)(uintptr_t)cmd->data;
		uint64_t pages = u->len / PAGE;

		assert_int_equal(cmd->id, KVM_SEV_SNP_LAUNCH_UPDATE);
		if (n < 8) {
			k->first_gfn[n] = u->gfn_start;
			k->lens[n] = u->len;
		}
		if (k->model == MODEL_SIGNAL_CHECK) {
			/* A signal arrives; the kernel sees it pending unless it is blocked
			 * (signal_pending() considers only unblocked signals), and then fails
			 * before any page: -EINTR from kvm_gmem_populate(), -EIO here. */
			raise(SIGUSR2);
			if (!signal_blocked(SIGUSR2))
				return -EIO;
		}
		if (n < k->fail_eio_calls)
			return -EIO;
		if (n < k->eagain_calls)
			return -EAGAIN;
		if (k->max_pages_per_call && pages > k->max_pages_per_call)
			pages = k->max_pages_per_call;
		u->gfn_start += pages;
		u->len -= pages * PAGE;
		if (u->type != 3)
			u->uaddr += pages * PAGE;
		k->done_pages += pages;
		return 0;
	}
}

static void fake_init(struct fake_kernel *k, enum kernel_model model)
{
	memset(k, 0, sizeof(*k));
	k->model = model;
	k->ops.name = "fake";
	k->ops.memory_encrypt_op = fake_encrypt_op;
	k->be.ops = &k->ops;
}

static uint8_t source[16 * PAGE];

static void test_v12_zero_return_means_the_whole_range_is_done(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw = 1;

	fake_init(&k, MODEL_V12);

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_V12, 0x100000, source, 3 * PAGE,
					   SNP_PAGE_NORMAL, &st, &fw),
			 0);
	assert_int_equal(k.calls, 1);
	assert_int_equal(k.done_pages, 3);
	assert_int_equal(st.pages[SNP_PAGE_NORMAL], 3);
	assert_int_equal(fw, 0);
}

/* [PATCH v12 11/29]: snp_launch_update() returns kvm_gmem_populate()'s result as it is,
 * and that loop returns copy_from_user()'s count of bytes not copied when reading the
 * source faults: a positive result is a failure with the rest of the range not done. */
static void test_v12_positive_return_is_a_source_fault_not_success(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw = 1;

	fake_init(&k, MODEL_V12);
	k.v12_result = (int)PAGE;

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_V12, 0x100000, source, 3 * PAGE,
					   SNP_PAGE_NORMAL, &st, &fw),
			 -EFAULT);
	assert_int_equal(k.calls, 1);
	assert_int_equal(st.pages[SNP_PAGE_NORMAL], 0);
	assert_int_equal(fw, 0);
}

static void test_v12_zero_pages_are_not_reissued(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw;

	fake_init(&k, MODEL_V12);

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_V12, 0x200000, source, 64 << 20,
					   SNP_PAGE_ZERO, &st, &fw),
			 0);
	assert_int_equal(k.calls, 1);
	assert_int_equal(k.done_pages, (64 << 20) / PAGE);
}

static void test_large_range_goes_in_256_mib_chunks_back_to_back(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw;

	fake_init(&k, MODEL_V12);

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_V12, 1ULL << 32, source, 600ULL << 20,
					   SNP_PAGE_ZERO, &st, &fw),
			 0);
	assert_int_equal(k.calls, 3);
	assert_int_equal(k.first_gfn[0], (1ULL << 32) / PAGE);
	assert_int_equal(k.first_gfn[1], ((1ULL << 32) + (256ULL << 20)) / PAGE);
	assert_int_equal(k.first_gfn[2], ((1ULL << 32) + (512ULL << 20)) / PAGE);
	assert_int_equal(k.lens[2], 88ULL << 20);
	assert_int_equal(st.pages[SNP_PAGE_ZERO], (600ULL << 20) / PAGE);
}

static void test_upstream_partial_progress_is_continued_from_the_written_back_rest(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw;

	fake_init(&k, MODEL_UPSTREAM);
	k.max_pages_per_call = 2;

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_UPSTREAM, 0x100000, source, 5 * PAGE,
					   SNP_PAGE_NORMAL, &st, &fw),
			 0);
	assert_int_equal(k.calls, 3);
	assert_int_equal(k.first_gfn[1], 0x102);
	assert_int_equal(k.first_gfn[2], 0x104);
	assert_int_equal(k.done_pages, 5);
	assert_int_equal(st.partial, 2);
}

static void test_launch_update_blocks_signals_and_delivers_them_afterwards(void **state)
{
	struct sigaction sa = { .sa_handler = count_signal }, old;
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw;
	int r;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR2, &sa, &old), 0);
	signals_delivered = 0;
	fake_init(&k, MODEL_SIGNAL_CHECK);

	r = snp_launch_update(&k.be, SNP_ABI_UPSTREAM, 0x100000, source, 4 * PAGE, SNP_PAGE_NORMAL,
			      &st, &fw);
	sigaction(SIGUSR2, &old, NULL);

	assert_int_equal(r, 0);
	assert_int_equal(k.calls, 1);
	assert_int_equal(k.done_pages, 4);
	assert_int_equal(signals_delivered, 1); /* not lost: delivered once unblocked */
	assert_false(signal_blocked(SIGUSR2));
}

static void test_one_failure_before_progress_without_firmware_error_is_retried(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw;

	/* SIGSTOP cannot be blocked: a stop and continue looks like this once. */
	fake_init(&k, MODEL_UPSTREAM);
	k.fail_eio_calls = 1;

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_UPSTREAM, 0x100000, source, 2 * PAGE,
					   SNP_PAGE_NORMAL, &st, &fw),
			 0);
	assert_int_equal(k.calls, 2);
	assert_int_equal(st.retries, 1);
}

static void test_repeated_failure_without_firmware_error_is_reported(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw = 7;

	fake_init(&k, MODEL_UPSTREAM);
	k.fail_eio_calls = 100;

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_UPSTREAM, 0x100000, source, 2 * PAGE,
					   SNP_PAGE_NORMAL, &st, &fw),
			 -EIO);
	assert_int_equal(k.calls, 2);
	assert_int_equal(fw, 0);
}

static void test_eagain_is_retried(void **state)
{
	struct snp_launch_stats st = { 0 };
	struct fake_kernel k;
	uint32_t fw;

	fake_init(&k, MODEL_UPSTREAM);
	k.eagain_calls = 3;

	assert_int_equal(snp_launch_update(&k.be, SNP_ABI_UPSTREAM, 0x100000, source, 2 * PAGE,
					   SNP_PAGE_NORMAL, &st, &fw),
			 0);
	assert_int_equal(k.calls, 4);
	assert_int_equal(st.retries, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v12_zero_return_means_the_whole_range_is_done),
		cmocka_unit_test(test_v12_zero_pages_are_not_reissued),
		cmocka_unit_test(test_v12_positive_return_is_a_source_fault_not_success),
		cmocka_unit_test(test_large_range_goes_in_256_mib_chunks_back_to_back),
		cmocka_unit_test(
			test_upstream_partial_progress_is_continued_from_the_written_back_rest),
		cmocka_unit_test(test_launch_update_blocks_signals_and_delivers_them_afterwards),
		cmocka_unit_test(
			test_one_failure_before_progress_without_firmware_error_is_retried),
		cmocka_unit_test(test_repeated_failure_without_firmware_error_is_reported),
		cmocka_unit_test(test_eagain_is_retried),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
