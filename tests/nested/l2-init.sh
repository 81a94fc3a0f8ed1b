#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the nested tier's real Linux guest (L2). It prints what it sees, one line each,
# through /dev/console (the 8250 tty driver, i.e. the UART with its interrupt):
#   snpvmm-l2: cpus N           online CPUs
#   snpvmm-l2: memtotal KB      MemTotal of /proc/meminfo
#   snpvmm-l2: cmdline TEXT     /proc/cmdline
#   snpvmm-l2: payload SHA256   of /payload.bin, a file of this initrd
#   snpvmm-l2: topology cpuN package P core C die D threads LIST cores LIST
#                               one line per CPU, from /sys/devices/system/cpu/cpuN/topology
# then, after a second of quiet (so the tty has drained and the host reads the marker as
# it comes), writes the marker "snpvmm-l2: ACTION now" through /dev/kmsg, which the kernel
# prints synchronously, and asks the kernel to power off or reboot (ACTION = the value of
# snpvmm_l2= on the command line: poweroff, reboot or halt), by the kernel's default method.
# Two more actions wait for the host instead: `button` loads evdev and the ACPI button
# driver and starts busybox acpid, whose /etc/acpi/PWRF/00000080 powers off when the power
# button is pressed (as systemd-logind would); `sleep` ignores the button. Their marker is
# written once the guest is ready for the press.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
b=/bin/busybox

action=poweroff
for word in $($b cat /proc/cmdline); do
	case $word in snpvmm_l2=*) action=${word#snpvmm_l2=} ;; esac
done

echo "snpvmm-l2: cpus $($b grep -c ^processor /proc/cpuinfo)"
echo "snpvmm-l2: memtotal $($b awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "snpvmm-l2: cmdline $($b cat /proc/cmdline)"
echo "snpvmm-l2: payload $($b sha256sum /payload.bin | $b cut -d' ' -f1)"
for cpu in /sys/devices/system/cpu/cpu[0-9]*; do
	t=$cpu/topology
	echo "snpvmm-l2: topology ${cpu##*/} package $($b cat $t/physical_package_id)" \
		"core $($b cat $t/core_id) die $($b cat $t/die_id)" \
		"threads $($b cat $t/thread_siblings_list) cores $($b cat $t/core_siblings_list)"
done
if [ "$action" = button ]; then
	$b insmod /modules/evdev.ko
	$b insmod /modules/button.ko
	# acpid opens /dev/input/event* once, at its start: wait for devtmpfs's node.
	i=0
	while [ ! -e /dev/input/event0 ] && [ $i -lt 100 ]; do
		$b sleep 0.1
		i=$((i + 1))
	done
	echo "snpvmm-l2: input $($b ls /dev/input 2>&1 | $b tr '\n' ' ')"
	# -d: in the foreground, logging to the console.
	$b acpid -d -c /etc/acpi &
	acpid=$!
	# A press before acpid has opened the device reaches no one: wait until it has (under
	# TCG on a loaded host, starting acpid can take longer than the marker's sleep).
	i=0
	until $b ls -l /proc/$acpid/fd 2>/dev/null | $b grep -q /dev/input/event0; do
		[ $i -ge 600 ] && break
		$b sleep 0.1
		i=$((i + 1))
	done
	echo "snpvmm-l2: acpid fds $($b ls -l /proc/$acpid/fd 2>&1 | $b grep -c /dev/input/)"
fi
$b sleep 1
echo "snpvmm-l2: $action now" >/dev/kmsg
case $action in
poweroff) $b poweroff -f ;;
reboot) $b reboot -f ;;
halt) $b halt -f ;;
esac
echo "snpvmm-l2: $action returned"
$b sleep 1000000
