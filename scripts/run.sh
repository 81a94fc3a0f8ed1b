#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build, and boot the bundled test guest.
# On an SEV-SNP host it is launched as a measured SNP guest; elsewhere it boots as a plain
# KVM guest (--no-snp), and the launch digest an SNP launch of it would have is printed.
set -eu
cd "$(dirname "$0")/.."

./scripts/deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build >/dev/null

guest=build/tests/guest/test-guest.bzImage
printf 'initrd bytes for the test guest\n' > build/demo-initrd.img
set -- --kernel "$guest" --initrd build/demo-initrd.img \
	--append "console=ttyS0 hello from snpvmm" --mem 256M --smp 2 "$@"

if ./build/snpvmm host-info >/dev/null 2>&1; then
	echo "== snpvmm: launching the bundled test guest as an SEV-SNP guest" >&2
	exec ./build/snpvmm "$@"
fi
echo "== snpvmm: this host cannot launch SEV-SNP guests ('snpvmm host-info' says why);" >&2
echo "== booting the bundled test guest (tests/guest) as a plain KVM guest (--no-snp)" >&2
./build/snpvmm --no-snp "$@"
echo "== an SEV-SNP launch of this guest (--sev-features none, C-bit 51) would measure:" >&2
./build/snpvmm measure --sev-features none "$@"
