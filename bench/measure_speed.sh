#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Launch-digest prediction speed and memory: `snpvmm measure` against openssl over the same
# bytes, median of RUNS (default 5) runs each, every ratio from the same run of this script.
# Not a test: prints numbers.
#
#  1. own layout, both boot modes: snpvmm measure --kernel K --initrd BIG --mem M
#     --sev-features none --boot hashes|content, BIG = 256 MiB of random bytes, against
#     openssl dgst -sha384 over K + BIG (the bytes both modes hash), at the smallest --mem
#     the plan accepts (MINMEM) and at 1G; the ZERO pages of content mode apart;
#  2. QEMU + OVMF layout with a kernel and the same initrd: a 4 MiB synthetic firmware
#     (random bytes followed by the vectors' 4 KiB ovmf.bin, which holds the footer table
#     and the SEV metadata) against openssl dgst -sha384 over the firmware plus
#     openssl dgst -sha256 over K + BIG (what the layout hashes: firmware pages with
#     SHA-384, kernel and initrd with SHA-256);
#  3. the same firmware grown to 64 MiB, without a kernel, against openssl over it;
#  4. peak RSS of each snpvmm measure (one run, /usr/bin/time): it must not grow with BIG.
#
# Usage: bench/measure_speed.sh [SNPVMM [KERNEL [OVMF4K]]]
#   env: RUNS (5), WORK (a temporary directory), MINMEM (search from 264M in 8M steps)
set -euo pipefail

SNPVMM=${1:-build/snpvmm}
KERNEL=${2:-build/tests/guest/test-guest.bzImage}
OVMF4K=${3:-$(dirname "$0")/../tests/vectors/R1_amdsev_nokernel_1vcpu/ovmf.bin}
RUNS=${RUNS:-5}
WORK=${WORK:-$(mktemp -d /tmp/measure-speed.XXXXXX)}
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

# median CPU seconds (user + system) of RUNS runs of "$@" (stdout discarded; one warm-up
# run first so every run reads the files from the page cache). CPU time, not wall time:
# the machines this runs on are shared, and another process's load inflates wall times
# of both sides unevenly. "$@" must be an executable, not a shell function.
median() {
	local t=() i
	"$@" >/dev/null
	for ((i = 0; i < RUNS; i++)); do
		t+=("$( { /usr/bin/time -f '%U %S' "$@" >/dev/null; } 2>&1 | tail -1 | awk '{print $1 + $2}')")
	done
	printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f\n", a[int((NR+1)/2)]}'
}
# peak RSS in KiB of one run of "$@"
rss_kib() { { /usr/bin/time -f %M "$@" >/dev/null; } 2>&1 | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "# $("$SNPVMM" --version 2>&1 | head -1), $(openssl version), runs=$RUNS, work $WORK"

BIG=$WORK/initrd-256M
head -c $((256 << 20)) /dev/urandom >"$BIG"
cat "$KERNEL" "$BIG" >"$WORK/kernel+initrd"

OWN=("$SNPVMM" measure --kernel "$KERNEL" --initrd "$BIG" --sev-features none)

# smallest --mem (8 MiB steps) the plan accepts for this kernel + initrd
if [ -z "${MINMEM:-}" ]; then
	for ((m = 264; m <= 1024; m += 8)); do
		if "${OWN[@]}" --mem ${m}M --boot content >/dev/null 2>&1; then MINMEM=${m}M; break; fi
	done
fi
to_bytes() { numfmt --from=iec "$1"; }

t_ssl=$(median openssl dgst -sha384 "$WORK/kernel+initrd")
t_h_min=$(median "${OWN[@]}" --mem $MINMEM --boot hashes)
t_h_1g=$(median "${OWN[@]}" --mem 1G --boot hashes)
t_c_min=$(median "${OWN[@]}" --mem $MINMEM --boot content)
t_c_1g=$(median "${OWN[@]}" --mem 1G --boot content)
extra_pages=$(( ($(to_bytes 1G) - $(to_bytes "$MINMEM")) / 4096 ))
zero_ns=$(echo "($t_c_1g - $t_c_min) * 1000000000 / $extra_pages" | bc -l)

echo
echo "| what | median CPU s | ratio | peak RSS KiB |"
echo "|---|---:|---:|---:|"
echo "| openssl dgst -sha384 kernel + initrd (256 MiB) | $t_ssl | 1.000 | |"
echo "| snpvmm measure --boot hashes, --mem $MINMEM | $t_h_min | $(ratio "$t_h_min" "$t_ssl") | $(rss_kib "${OWN[@]}" --mem $MINMEM --boot hashes) |"
echo "| snpvmm measure --boot hashes, --mem 1G | $t_h_1g | $(ratio "$t_h_1g" "$t_ssl") | $(rss_kib "${OWN[@]}" --mem 1G --boot hashes) |"
echo "| snpvmm measure --boot content, --mem $MINMEM | $t_c_min | $(ratio "$t_c_min" "$t_ssl") | $(rss_kib "${OWN[@]}" --mem $MINMEM --boot content) |"
echo "| snpvmm measure --boot content, --mem 1G | $t_c_1g | $(ratio "$t_c_1g" "$t_ssl") | $(rss_kib "${OWN[@]}" --mem 1G --boot content) |"
printf '| content: %d extra ZERO pages (1G - %s) | %.4f | %.1f ns/page | |\n' \
	"$extra_pages" "$MINMEM" "$(echo "$t_c_1g - $t_c_min" | bc -l)" "$zero_ns"

if [ -r "$OVMF4K" ]; then
	FW4=$WORK/ovmf-4M.bin
	FW64=$WORK/ovmf-64M.bin
	head -c $(((4 << 20) - 4096)) /dev/urandom >"$FW4"
	cat "$OVMF4K" >>"$FW4"
	head -c $(((64 << 20) - 4096)) /dev/urandom >"$FW64"
	cat "$OVMF4K" >>"$FW64"
	OVMF_K=("$SNPVMM" measure --ovmf "$FW4" --vcpus 1 --vcpu-type EPYC-v4 --kernel "$KERNEL" --initrd "$BIG")
	OVMF64=("$SNPVMM" measure --ovmf "$FW64" --vcpus 1 --vcpu-type EPYC-v4 --guest-features 0x1)
	if "${OVMF_K[@]}" >/dev/null 2>&1 && "${OVMF64[@]}" >/dev/null 2>&1; then
		t_ovmf_k=$(median "${OVMF_K[@]}")
		t_ssl_fw4=$(median openssl dgst -sha384 "$FW4")
		t_ssl256=$(median openssl dgst -sha256 "$WORK/kernel+initrd")
		t_ref=$(echo "$t_ssl_fw4 + $t_ssl256" | bc -l)
		t_ovmf64=$(median "${OVMF64[@]}")
		t_ssl_fw64=$(median openssl dgst -sha384 "$FW64")
		echo "| openssl dgst -sha384 firmware (4 MiB) + openssl dgst -sha256 kernel + initrd | $(printf %.4f "$t_ref") | 1.000 | |"
		echo "| snpvmm measure --ovmf (4 MiB) --kernel --initrd (256 MiB) | $t_ovmf_k | $(ratio "$t_ovmf_k" "$t_ref") | $(rss_kib "${OVMF_K[@]}") |"
		echo "| openssl dgst -sha384 firmware (64 MiB) | $t_ssl_fw64 | 1.000 | |"
		echo "| snpvmm measure --ovmf (64 MiB firmware) | $t_ovmf64 | $(ratio "$t_ovmf64" "$t_ssl_fw64") | $(rss_kib "${OVMF64[@]}") |"
	else
		echo "# the synthetic firmware was rejected:"; "${OVMF_K[@]}" || true
	fi
fi
