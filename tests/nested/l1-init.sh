#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of L1, the nested KVM host of the nested tier (tests/nested/README.md). Loads kvm_amd
# and the 9p modules, mounts the host's scratch directory at the host's own path, then
# serves the host-side harness on the second serial port (ttyS1), one line per request:
#   host -> L1   run ID SECONDS   run the script SHARE/.agent/ID.sh (stdin /dev/null,
#                                 stdout/stderr to ID.out/ID.err), killed after SECONDS
#                quit             power L1 off
#   L1 -> host   snpvmm-agent: ready kvm=0|1 release=UNAME_R
#                snpvmm-agent: done ID STATUS
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

for m in $(cat /modules/order); do
	insmod "/modules/$m.ko" || echo "snpvmm-l1: insmod $m failed"
done

share=$(sed -n 's/.*snpvmm\.share=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p "$share"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 scratch "$share" ||
	echo "snpvmm-l1: cannot mount the scratch share at $share"

agent=/dev/ttyS1
stty -F "$agent" raw -echo
exec <"$agent" >"$agent"
kvm=0
[ -c /dev/kvm ] && kvm=1
echo "snpvmm-agent: ready kvm=$kvm release=$(uname -r)"
while read -r cmd id secs; do
	case $cmd in
	run)
		dir=$share/.agent
		timeout -s KILL "$secs" sh "$dir/$id.sh" >"$dir/$id.out" 2>"$dir/$id.err" </dev/null
		echo "snpvmm-agent: done $id $?"
		;;
	quit)
		break
		;;
	esac
done
poweroff -f
