#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build, and boot the bundled test guest as a plain
# KVM guest (--no-snp), then print the launch digest an SEV-SNP launch of it would have.
# On a host that can launch SEV-SNP guests it then also launches it for real, measured.
set -eu
cd "$(dirname "$0")/.."

./scripts/deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build >/dev/null

guest=build/tests/guest/test-guest.bzImage
printf 'initrd bytes for the test guest\n' > build/demo-initrd.img
set -- --kernel "$guest" --initrd build/demo-initrd.img \
	--append "console=ttyS0 hello from snpvmm" --mem 256M --smp 2 "$@"

echo "== snpvmm --no-snp: booting the bundled test guest (tests/guest) on /dev/kvm" >&2
./build/snpvmm --no-snp "$@"
echo "== an SEV-SNP launch of this guest (--sev-features none, C-bit 51) would measure:" >&2
./build/snpvmm measure --sev-features none "$@"

if ./build/snpvmm host-info >/dev/null 2>&1; then
	# The test guest has no #VC handler, so under SNP it stops at its first port I/O;
	# the launch itself (measured by the PSP) is what this shows. Boot a Linux bzImage
	# built with CONFIG_AMD_MEM_ENCRYPT=y for a guest that runs.
	echo "== this host can launch SEV-SNP guests: measured launch of the same image" >&2
	status=0
	./build/snpvmm --sev-features none --console none --events - "$@" || status=$?
	echo "== the SNP launch ended with status $status (see docs/snp-launch.md)" >&2
else
	echo "== this host cannot launch SEV-SNP guests ('snpvmm host-info' says why)" >&2
fi
