#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Launch-digest prediction speed: `snpvmm measure` against `openssl dgst -sha384` over the
# same bytes, median of RUNS (default 5) runs each, as a ratio. Not a test: prints numbers.
#
#  1. own layout: snpvmm measure --kernel K --initrd BIG --mem 1G --sev-features none,
#     BIG = 256 MiB of random bytes, against openssl over BIG (and over K + BIG);
#  2. the ZERO pages of the rest of RAM, measured separately: the same with --mem just
#     large enough for the image (MINMEM) vs 1G, divided by the extra 4 KiB pages;
#  3. QEMU + OVMF layout: a 64 MiB synthetic firmware (64 MiB - 4 KiB of random bytes
#     followed by the vectors' 4 KiB ovmf.bin, which holds the footer table and the SEV
#     metadata at its end) against openssl over the same file.
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

# median wall seconds of RUNS runs of "$@" (stdout discarded; one warm-up run first so
# every run reads the files from the page cache)
median() {
	local t=() i
	"$@" >/dev/null
	for ((i = 0; i < RUNS; i++)); do
		local s e
		s=$(date +%s.%N)
		"$@" >/dev/null
		e=$(date +%s.%N)
		t+=("$(echo "$e - $s" | bc -l)")
	done
	printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.4f\n", a[int((NR+1)/2)]}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "# $("$SNPVMM" --version 2>&1 | head -1), $(openssl version), runs=$RUNS, work $WORK"

BIG=$WORK/initrd-256M
head -c $((256 << 20)) /dev/urandom >"$BIG"
cat "$KERNEL" "$BIG" >"$WORK/kernel+initrd"

own() { "$SNPVMM" measure --kernel "$KERNEL" --initrd "$BIG" --mem "$1" --sev-features none; }

# smallest --mem (8 MiB steps) the plan accepts for this kernel + initrd
if [ -z "${MINMEM:-}" ]; then
	for ((m = 264; m <= 1024; m += 8)); do
		if own ${m}M >/dev/null 2>&1; then MINMEM=${m}M; break; fi
	done
fi
to_bytes() { numfmt --from=iec "$1"; }

t_own=$(median own 1G)
t_min=$(median own "$MINMEM")
t_ssl=$(median openssl dgst -sha384 "$BIG")
t_ssl_ki=$(median openssl dgst -sha384 "$WORK/kernel+initrd")
extra_pages=$(( ($(to_bytes 1G) - $(to_bytes "$MINMEM")) / 4096 ))
zero_ns=$(echo "($t_own - $t_min) * 1000000000 / $extra_pages" | bc -l)

echo
echo "| what | median s | vs openssl over the initrd |"
echo "|---|---:|---:|"
echo "| openssl dgst -sha384 initrd (256 MiB) | $t_ssl | 1.000 |"
echo "| openssl dgst -sha384 kernel + initrd | $t_ssl_ki | $(ratio "$t_ssl_ki" "$t_ssl") |"
echo "| snpvmm measure, own layout, --mem $MINMEM | $t_min | $(ratio "$t_min" "$t_ssl") |"
echo "| snpvmm measure, own layout, --mem 1G | $t_own | $(ratio "$t_own" "$t_ssl") |"
printf '| ZERO pages: %d extra 4 KiB pages (1G - %s) | %.4f | %.1f ns/page |\n' \
	"$extra_pages" "$MINMEM" "$(echo "$t_own - $t_min" | bc -l)" "$zero_ns"

if [ -r "$OVMF4K" ]; then
	FW=$WORK/ovmf-64M.bin
	head -c $(((64 << 20) - 4096)) /dev/urandom >"$FW"
	cat "$OVMF4K" >>"$FW"
	ovmf() { "$SNPVMM" measure --ovmf "$FW" --vcpus 1 --vcpu-type EPYC-v4 --guest-features 0x1; }
	if ovmf >/dev/null 2>&1; then
		t_ovmf=$(median ovmf)
		t_ssl_fw=$(median openssl dgst -sha384 "$FW")
		echo "| openssl dgst -sha384 firmware (64 MiB) | $t_ssl_fw | |"
		echo "| snpvmm measure --ovmf (64 MiB firmware), vs openssl over the firmware | $t_ovmf | $(ratio "$t_ovmf" "$t_ssl_fw") |"
	else
		echo "# the 64 MiB synthetic firmware was rejected:"; ovmf || true
	fi
fi
