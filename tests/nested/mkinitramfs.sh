#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the two initramfs images of the nested tier (tests/nested/README.md):
#   OUT/l2-initrd.img  the real Linux guest's initrd: busybox, l2-init.sh as /init,
#                      payload.bin (a file whose SHA-256 the guest prints), and for the
#                      power-button boot the evdev and button modules and busybox acpid's
#                      handler /etc/acpi/PWRF/00000080;
#   OUT/l1.cpio        the L1 host's initramfs: busybox, l1-init.sh as /init, the kvm and
#                      kvm_amd modules of kernel KVER with their dependencies, snpvmm and the
#                      libraries ldd names (at their own paths), the test guest (at its own
#                      path), the L2 kernel (the same vmlinuz) and the L2 initrd,
#                      KEEPER as /bin/kvm-keeper (kvm_keeper.c); also each PROGRAM
#                      (test_many_vms) and its libraries (libsnpvmm.so from the build dir,
#                      through its RUNPATH), each at its own path.
# Usage: mkinitramfs.sh OUT SNPVMM TEST_GUEST KVER KEEPER [PROGRAM...]
set -eu

out=$1 snpvmm=$2 guest=$3 kver=$4 keeper=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
busybox=$(command -v busybox) || { echo "mkinitramfs: busybox is not installed" >&2; exit 1; }
vmlinuz=/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || { echo "mkinitramfs: cannot read $vmlinuz" >&2; exit 1; }
# A dynamically linked busybox would need its libraries too; busybox-static has none.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

rm -rf "$out/l1" "$out/l2"
mkdir -p "$out/l1/bin" "$out/l1/modules" "$out/l1/l2" "$out/l2/bin"

# --- L2: the real Linux guest's initrd ---
cp "$busybox" "$out/l2/bin/busybox"
cp "$here/l2-init.sh" "$out/l2/init"
chmod 755 "$out/l2/init"
# 192 KiB that differ on every build: the guest must checksum what this build shipped.
head -c 196608 /dev/urandom > "$out/l2/payload.bin"
sha256sum "$out/l2/payload.bin" | cut -d' ' -f1 > "$out/payload.sha256"
# The power button as a Debian system has it: the ACPI button driver reports KEY_POWER
# through evdev, and a user-space daemon powers off (here busybox acpid, which runs
# /etc/acpi/PWRF/00000080 for KEY_POWER: util-linux/acpid.c's built-in tables).
mkdir -p "$out/l2/modules" "$out/l2/etc/acpi/PWRF"
for m in evdev button; do
	file=$(modinfo -k "$kver" -n "$m") || { echo "mkinitramfs: no module '$m'" >&2; exit 1; }
	case "$file" in
	*.ko) cp "$file" "$out/l2/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$file" > "$out/l2/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$file" > "$out/l2/modules/$m.ko" ;;
	*) echo "mkinitramfs: unknown module format $file" >&2; exit 1 ;;
	esac
done
printf '#!/bin/busybox sh\necho "snpvmm-l2: power button" >/dev/kmsg\n/bin/busybox poweroff -f\n' \
	> "$out/l2/etc/acpi/PWRF/00000080"
chmod 755 "$out/l2/etc/acpi/PWRF/00000080"
(cd "$out/l2" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out/l2-initrd.img"

# --- L1: the nested KVM host ---
cp "$busybox" "$out/l1/bin/busybox"
cp "$here/l1-init.sh" "$out/l1/init"
cp "$here/l1-run-timed.sh" "$out/l1/bin/run-timed"
cp "$keeper" "$out/l1/bin/kvm-keeper"
chmod 755 "$out/l1/init" "$out/l1/bin/run-timed" "$out/l1/bin/kvm-keeper"
cp "$vmlinuz" "$out/l1/l2/vmlinuz"
cp "$out/l2-initrd.img" "$out/l1/l2/initrd.img"

# Modules in load order: each one's dependencies (modinfo -F depends) before itself.
loaded=" "
add_module() {
	case "$loaded" in *" $1 "*) return 0 ;; esac
	deps=$(modinfo -k "$kver" -F depends "$1") || {
		echo "mkinitramfs: no module '$1' for kernel $kver" >&2
		exit 1
	}
	for d in $(echo "$deps" | tr ',' ' '); do
		add_module "$d"
	done
	loaded="$loaded$1 "
	file=$(modinfo -k "$kver" -n "$1")
	case "$file" in
	*.ko) cp "$file" "$out/l1/modules/$1.ko" ;;
	*.ko.xz) xz -dc "$file" > "$out/l1/modules/$1.ko" ;;
	*.ko.zst) zstd -qdc "$file" > "$out/l1/modules/$1.ko" ;;
	*) echo "mkinitramfs: unknown module format $file" >&2; exit 1 ;;
	esac
	echo "$1" >> "$out/l1/modules/order"
}
# kvm_amd (and through it kvm, irqbypass, ccp); 9p over virtio-pci for the shared
# scratch directory the host-side tests write their files into.
for m in kvm_amd virtio_pci 9pnet_virtio 9p; do
	add_module "$m"
done

# snpvmm, the test guest and every library at the path the host uses: the host-side
# harness passes host paths.
copy_at_own_path() {
	mkdir -p "$out/l1$(dirname "$1")"
	cp -L "$1" "$out/l1$1"
}
copy_at_own_path "$(realpath "$guest")"
# A library at the path ldd names (which may hold "..": a RUNPATH of $ORIGIN/../..).
for prog in "$snpvmm" "$keeper" "$@"; do
	copy_at_own_path "$(realpath "$prog")"
	for lib in $(ldd "$prog" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		copy_at_own_path "$lib"
	done
done

(cd "$out/l1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out/l1.cpio"
