#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what is missing, then builds and runs every test tier twice: a gcc build with
# warnings as errors, and a clang build under AddressSanitizer + UndefinedBehaviorSanitizer
# (which also builds and runs the libFuzzer targets); then the unit, sim and lib tiers, where
# the vCPU, console and signal threads run, once more under ThreadSanitizer (without the
# sim tier's launch matrix: the same threads in every case). Any sanitizer
# report fails the run.
set -eu
cd "$(dirname "$0")/.."

./scripts/deps.sh

# Sanitizer reports must fail the test that triggered them.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1"
export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1"

status=0
# run_build DIR "MESON TEST ARGS" SETUP-COMMAND...
run_build() {
	dir=$1
	test_args=$2
	shift 2
	if [ ! -f "$dir/build.ninja" ]; then
		"$@" >/dev/null
	fi
	echo "== building $dir" >&2
	ninja -C "$dir" >/dev/null
	echo "== testing $dir" >&2
	# shellcheck disable=SC2086 # test_args is a list of words
	meson test -C "$dir" --print-errorlogs --num-processes 2 $test_args || status=1
}

run_build build "" meson setup build -Dwerror=true
# The nested tier (minutes of QEMU TCG, tests/nested) runs once, in the build above.
run_build build-asan "--no-suite nested" env CC=clang meson setup build-asan -Dwerror=true \
	-Db_sanitize=address,undefined -Db_lundef=false
run_build build-tsan "--suite unit --suite sim --suite lib --no-suite launch-matrix" env CC=clang meson setup build-tsan \
	-Dwerror=true -Db_sanitize=thread -Db_lundef=false -Dfuzz=disabled

python3 scripts/test_summary.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
	build-tsan/meson-logs/testlog.json || status=1
exit $status
