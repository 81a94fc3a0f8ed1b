#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the built `snpvmm measure` on every reference vector's args.txt and checks the digest,
# the trace (trace.tsv) and the dumped VMSAs (vmsa*.bin) byte for byte.
# usage: measure_vectors.sh SNPVMM VECTORS_DIR
set -u
snpvmm=$1
vectors=$2
case $snpvmm in /*) ;; *) snpvmm=$(pwd)/$snpvmm ;; esac
fails=0
count=0

[ -d "$vectors" ] || { echo "vector directory '$vectors' is missing" >&2; exit 1; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

for dir in "$vectors"/*/; do
	[ -f "$dir/args.txt" ] || continue
	name=$(basename "$dir")
	count=$((count + 1))
	rm -rf "$work/vmsa" && mkdir "$work/vmsa"
	# args.txt is written for a shell run from inside the folder (quotes included).
	got=$(cd "$dir" && eval "\"\$snpvmm\" measure $(cat args.txt) --trace \"\$work/trace.tsv\" --dump-vmsa=\"\$work/vmsa\"") || {
		echo "FAIL $name: snpvmm measure exited $?" >&2; fails=$((fails + 1)); continue; }
	want=$(tr -d '\n' < "$dir/expected.txt")
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: digest $got, expected $want" >&2; fails=$((fails + 1)); continue
	fi
	if ! cmp -s "$work/trace.tsv" "$dir/trace.tsv"; then
		echo "FAIL $name: trace differs from trace.tsv" >&2; fails=$((fails + 1)); continue
	fi
	for ref in "$dir"/vmsa*.bin; do
		[ -f "$ref" ] || continue
		if ! cmp -s "$ref" "$work/vmsa/$(basename "$ref")"; then
			echo "FAIL $name: $(basename "$ref") differs" >&2; fails=$((fails + 1))
		fi
	done
	echo "ok $name"
done

[ "$count" -gt 0 ] || { echo "no vectors under '$vectors'" >&2; exit 1; }
[ "$fails" -eq 0 ]
