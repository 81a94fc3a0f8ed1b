#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of L1, the nested KVM host of the nested tier (tests/nested/README.md). Loads kvm_amd
# and the 9p modules, mounts the host's scratch directory at the host's own path, then
# serves the host-side harness through files in SHARE/.agent (virtio-9p, whose interrupts
# are reliable under TCG; an 8250 serial port's are not: a lost edge once left a request or
# a reply stuck in the UART for good), one request at a time, numbered from 1:
#   host -> L1   ID.sh     the script to run (stdin /dev/null, stdout/stderr to ID.out/.err)
#                ID.run    SECONDS, created (renamed into place) once ID.sh is complete;
#                          the script is killed after SECONDS
#                quit      power L1 off
#   L1 -> host   ready     "kvm=0|1 keeper=0|1 release=UNAME_R", once the agent serves
#                ID.done   the script's exit status (renamed into place)
#                alive     a count, renewed every 5 s while L1 runs: a host that sees it
#                          stand still knows L1 itself is stuck, not just a slow command
# With /dev/kvm, kvm-keeper (kvm_keeper.c) holds one idle VM for L1's life, so that the
# tests' VMs never make L1 patch its own code under QEMU TCG (keeper=1 once it holds it).
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# No tmpfs on /tmp: the initramfs (itself writable) holds snpvmm and the test guest at
# their host paths, which are under /tmp in a checkout there, and a mount would hide them.

for m in $(cat /modules/order); do
	insmod "/modules/$m.ko" || echo "snpvmm-l1: insmod $m failed"
done

share=$(sed -n 's/.*snpvmm\.share=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p "$share"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 scratch "$share" ||
	{ echo "snpvmm-l1: cannot mount the scratch share at $share"; poweroff -f; }

dir=$share/.agent
kvm=0 keeper=0
if [ -c /dev/kvm ]; then
	kvm=1
	kvm-keeper >/tmp/keeper.out 2>&1 &
	i=0
	while [ $i -lt 300 ] && kill -0 $! 2>/dev/null && ! grep -q holding /tmp/keeper.out; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q holding /tmp/keeper.out && keeper=1
	cat /tmp/keeper.out
fi
(
	n=0
	while :; do
		n=$((n + 1))
		echo $n >"$dir/alive.tmp" && mv "$dir/alive.tmp" "$dir/alive"
		sleep 5
	done
) &
echo "kvm=$kvm keeper=$keeper release=$(uname -r)" >"$dir/ready.tmp" && mv "$dir/ready.tmp" "$dir/ready"
id=1
# Polls ten times a second: a stat over 9p and a sleep cost L1 little even under TCG.
while [ ! -e "$dir/quit" ]; do
	if [ -e "$dir/$id.run" ]; then
		read -r secs <"$dir/$id.run"
		timeout -s KILL "$secs" sh "$dir/$id.sh" >"$dir/$id.out" 2>"$dir/$id.err" </dev/null
		echo $? >"$dir/$id.done.tmp" && mv "$dir/$id.done.tmp" "$dir/$id.done"
		id=$((id + 1))
	else
		sleep 0.1
	fi
done
poweroff -f
