#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages snpvmm needs to build and test, if any is missing.
set -eu

# The nested tier (tests/nested) boots Debian's own kernel under QEMU TCG as a KVM host:
# qemu-system-x86, linux-image-amd64 (its vmlinuz and kvm/kvm_amd modules), busybox-static
# and cpio for the initramfs images.
pkgs="gcc clang libclang-rt-14-dev binutils pkg-config meson ninja-build python3
libcmocka-dev libssl-dev libjansson-dev openssl util-linux valgrind
qemu-system-x86 linux-image-amd64 busybox-static cpio"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "snpvmm: installing Debian packages:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
