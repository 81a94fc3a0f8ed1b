#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build, and boot the bundled test guest.
# On a host without SEV-SNP it boots the guest as a plain KVM guest (--no-snp).
set -eu
cd "$(dirname "$0")/.."

./scripts/deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build >/dev/null

printf 'initrd bytes for the test guest\n' > build/demo-initrd.img
echo "== snpvmm --no-snp: booting the bundled test guest (tests/guest) on /dev/kvm" >&2
exec ./build/snpvmm --no-snp --kernel build/tests/guest/test-guest.bzImage \
	--initrd build/demo-initrd.img --append "console=ttyS0 hello from snpvmm" \
	--mem 256M --smp 2 "$@"
