// SPDX-License-Identifier: MIT
/*
 * kvm-keeper: started by L1's /init (l1-init.sh), holds one KVM VM open for L1's whole life
 * and never runs it, so that the VMs the tests create and destroy never change code in
 * L1's kernel.
 *
 * Why: under QEMU's multi-threaded TCG, L1's kernel patching its own text while the other
 * CPU runs it (text_poke_bp(): an INT3, then IPIs to every CPU) now and then leaves one CPU
 * looping in the INT3 handler and the other waiting for it in smp_call_function_many_cond()
 * for good (L1's console: soft lockups, "rcu_preempt detected stalls", RIP
 * asm_exc_int3 in __schedule). KVM does that on the first and the last VM of the machine:
 * kvm_create_vm() calls preempt_notifier_inc() (a static key read in __schedule) and
 * hardware_enable_all() (IPIs to every CPU), kvm_destroy_vm() undoes both when the count
 * reaches zero (virt/kvm/kvm_main.c, 6.1); a vCPU with an in-kernel local APIC holds
 * apic_sw_disabled (kvm_create_lapic(), arch/x86/kvm/lapic.c) until its guest enables it.
 * With this VM and its never-run vCPU held, none of those counts reaches zero between
 * tests. It is the harness working around QEMU, not a part of what is tested: snpvmm's
 * own VMs are created and destroyed as always.
 *
 * Prints "kvm-keeper: holding" once the VM exists (l1-init.sh waits for it), then sleeps
 * until killed. Exits 1 with one line if KVM refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

static int fail(const char *what)
{
	fprintf(stderr, "kvm-keeper: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(void)
{
	int kvm, vm, vcpu;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("cannot open /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	printf("kvm-keeper: holding\n");
	fflush(stdout);
	for (;;)
		pause();
}
