#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library exports only the public API: every defined dynamic symbol starts
# with snpvmm_ (besides the version node), so an embedder's names never collide with
# the library's internals; the static archive defines no other global symbol either.
# And every function the header declares is exported.
#   test_symbols.sh LIBSNPVMM_SO LIBSNPVMM_A HEADER
set -eu
so=$1 archive=$2 header=$3
bad=$(nm --defined-only "$archive" | awk 'NF == 3 && $2 ~ /[A-Z]/ && $3 !~ /^snpvmm_/ { print $3 }')
if [ -n "$bad" ]; then
	echo "global symbols outside snpvmm_* in $archive:" >&2
	echo "$bad" | head -n 20 >&2
	exit 1
fi
bad=$(nm -D --defined-only "$so" | awk '$2 != "A" && $3 !~ /^snpvmm_/ { print $3 }')
if [ -n "$bad" ]; then
	echo "exported symbols outside snpvmm_*:" >&2
	echo "$bad" >&2
	exit 1
fi
exported=$(nm -D --defined-only "$so" | awk '{ sub(/@.*/, "", $3); print $3 }')
missing=""
for f in $(grep -o 'snpvmm_[a-z0-9_]*(' "$header" | tr -d '(' | grep -v '_fn$' | sort -u); do
	echo "$exported" | grep -qx "$f" || missing="$missing $f"
done
if [ -n "$missing" ]; then
	echo "declared but not exported:$missing" >&2
	exit 1
fi
echo "ok: $(nm -D --defined-only "$so" | grep -c ' snpvmm_') snpvmm_ symbols, nothing else (also in the archive)"
