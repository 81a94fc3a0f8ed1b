#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build, and boot the bundled test guest as a plain
# KVM guest (--no-snp), then print the launch digest an SEV-SNP launch of it would have.
# On a host that can launch SEV-SNP guests it then also launches it for real, measured.
# On a host without /dev/kvm it launches the same guest on the simulated SEV-SNP host
# (--sim=upstream, docs/sim-guest.md) instead and prints the measurement the simulated
# PSP computed next to the `snpvmm measure` prediction.
#
# SNPVMM_BUILD_DIR=DIR uses an existing build as it is (no package or build step);
# SNPVMM_KVM_DEVICE=PATH looks for KVM there instead of /dev/kvm (tests use both).
set -eu
cd "$(dirname "$0")/.."

build=${SNPVMM_BUILD_DIR:-build}
kvm=${SNPVMM_KVM_DEVICE:-/dev/kvm}
if [ -z "${SNPVMM_BUILD_DIR:-}" ]; then
	./scripts/deps.sh
	[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
	ninja -C build >/dev/null
fi
snpvmm=$build/snpvmm

guest=$build/tests/guest/test-guest.bzImage
demo=$(mktemp -d "${TMPDIR:-/tmp}/snpvmm-run.XXXXXX")
trap 'rm -rf "$demo"' EXIT
printf 'initrd bytes for the test guest\n' > "$demo/initrd.img"
set -- --kernel "$guest" --initrd "$demo/initrd.img" \
	--append "console=ttyS0 hello from snpvmm" --mem 256M --smp 2 "$@"

if [ ! -r "$kvm" ] || [ ! -w "$kvm" ]; then
	echo "== $kvm is absent (or not usable): no KVM here, so the test guest runs on the simulated SEV-SNP host (no confidentiality)" >&2
	"$snpvmm" --sim=upstream --sev-features none --sim-report "$demo/sim.json" "$@"
	simulated=$(sed -n 's/.*"measurement": *"\([0-9a-f]*\)".*/\1/p' "$demo/sim.json" | head -n 1)
	predicted=$("$snpvmm" measure --sev-features none "$@")
	echo "== the simulated PSP measured: $simulated" >&2
	echo "== snpvmm measure predicted:   $predicted" >&2
	if [ "$simulated" != "$predicted" ]; then
		echo "== they differ: this is a bug in snpvmm, please report it" >&2
		exit 1
	fi
	exit 0
fi

echo "== snpvmm --no-snp: booting the bundled test guest (tests/guest) on $kvm" >&2
"$snpvmm" --no-snp --kvm-device "$kvm" "$@"
echo "== an SEV-SNP launch of this guest (--sev-features none, C-bit 51) would measure:" >&2
"$snpvmm" measure --sev-features none "$@"

if "$snpvmm" host-info --kvm-device "$kvm" >/dev/null 2>&1; then
	# The test guest has no #VC handler, so under SNP it stops at its first port I/O;
	# the launch itself (measured by the PSP) is what this shows. Boot a Linux bzImage
	# built with CONFIG_AMD_MEM_ENCRYPT=y for a guest that runs.
	echo "== this host can launch SEV-SNP guests: measured launch of the same image" >&2
	status=0
	"$snpvmm" --kvm-device "$kvm" --sev-features none --console none --events - "$@" ||
		status=$?
	echo "== the SNP launch ended with status $status (see docs/snp-launch.md)" >&2
else
	echo "== this host cannot launch SEV-SNP guests ('snpvmm host-info' says why)" >&2
fi
