#!/bin/sh
# SPDX-License-Identifier: MIT
# libsnpvmm.a as an embedder links it: every object of the library linked into one
# relocatable object whose only global symbols are snpvmm_* (all others made local), so
# that a program linking the archive sees exactly what the shared library exports.
#   static_archive.sh INTERNAL_ARCHIVE OUTPUT_ARCHIVE
set -eu
in=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${LD:-ld} -r --whole-archive "$in" -o "$tmp/all.o"
${OBJCOPY:-objcopy} --wildcard --keep-global-symbol='snpvmm_*' "$tmp/all.o" "$tmp/snpvmm.o"
rm -f "$out"
${AR:-ar} rcs "$out" "$tmp/snpvmm.o"
