#!/bin/sh
# SPDX-License-Identifier: MIT
# The installed library is usable on its own: `meson install` into a temporary prefix
# (--destdir), then examples/ -- a separate Meson project -- finds libsnpvmm there through
# pkg-config, builds against the installed header and library only, and launches the test
# guest on the simulated SEV-SNP host: the guest must power off and the launch must have
# measured the digest snpvmm_measure() predicted; once with libsnpvmm.so, once with
# libsnpvmm.a linked in; a backend of its own over the installed seam (trace_backend);
# and the minimal program docs/embedding.md shows.
#   test_install.sh BUILD_DIR SOURCE_DIR TEST_GUEST CC SANITIZE
set -eu
build=$1 src=$2 guest=$3 cc=$4 sanitize=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >/dev/null
pc=$(find "$tmp/root" -name libsnpvmm.pc)
test -n "$pc" || { echo "no libsnpvmm.pc installed" >&2; exit 1; }
for h in snpvmm.h backend.h kvm_abi.h; do
	test -f "$(find "$tmp/root" -path "*/include/snpvmm/$h")" ||
		{ echo "snpvmm/$h not installed" >&2; exit 1; }
done
# Only the public headers are installed: the API and the kernel seam.
extra=$(find "$tmp/root" -name '*.h' ! -name snpvmm.h ! -name backend.h ! -name kvm_abi.h)
test -z "$extra" || { echo "internal headers installed: $extra" >&2; exit 1; }

# The .pc file names the real prefix; the sysroot variable points it into the destdir.
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR="$tmp/root"
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
libdir=$(dirname "$(find "$tmp/root" -name 'libsnpvmm.so.0' | head -n 1)")

opts=""
if [ "$sanitize" != "none" ]; then
	opts="-Db_sanitize=$sanitize -Db_lundef=false"
fi
# shellcheck disable=SC2086 # opts is a list of words
CC=$cc meson setup "$tmp/ex" "$src/examples" $opts >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log" >&2; exit 1; }
ninja -C "$tmp/ex" >"$tmp/ninja.log" 2>&1 || { cat "$tmp/ninja.log" >&2; exit 1; }
# The example links the installed shared library, not the one in the build tree.
LD_LIBRARY_PATH=$libdir ldd "$tmp/ex/launch" | grep -q "$libdir/libsnpvmm.so.0" ||
	{ LD_LIBRARY_PATH=$libdir ldd "$tmp/ex/launch" >&2; exit 1; }

LD_LIBRARY_PATH=$libdir "$tmp/ex/launch" "$guest" 6.18 >"$tmp/out" 2>"$tmp/err" || {
	echo "the example failed:" >&2
	cat "$tmp/out" "$tmp/err" >&2
	exit 1
}
# The statically linked one needs no libsnpvmm.so at all.
if ldd "$tmp/ex/launch-static" | grep -q libsnpvmm; then
	echo "launch-static links libsnpvmm.so" >&2
	exit 1
fi
"$tmp/ex/launch-static" "$guest" 6.18 >"$tmp/out-static" 2>"$tmp/err-static" || {
	echo "the static example failed:" >&2
	cat "$tmp/out-static" "$tmp/err-static" >&2
	exit 1
}
tail -n 1 "$tmp/out-static" | grep -q "^guest ended: poweroff"
grep -q "^event measurement (vm example)$" "$tmp/out"
grep -q "^event launch-finished (vm example)$" "$tmp/out"
tail -n 1 "$tmp/out" | grep -q "^guest ended: poweroff"
tail -n 2 "$tmp/out" | head -n 1 | grep -q "^event guest-exit"
# A backend of the embedder's own, built on the installed seam: it wraps the simulated
# host, forwards and counts every operation, and checks the counts after the guest ends.
LD_LIBRARY_PATH=$libdir "$tmp/ex/trace_backend" "$guest" 6.18 >"$tmp/trace" 2>&1 || {
	echo "the trace_backend example failed:" >&2
	cat "$tmp/trace" >&2
	exit 1
}
grep -q "^guest ended: poweroff$" "$tmp/trace"
grep -q "^counts ok$" "$tmp/trace"
grep -q "^create_vm  *1$" "$tmp/trace"

# Each header stands alone: strict C99, and C++, on the system's <linux/kvm.h> (Debian 12:
# 6.1, without SNP or guest_memfd) and after a fixture of Linux 7.0's SNP and guest_memfd
# UAPI (the seam's own definitions step aside for the newer ones).
printf '#include <snpvmm/snpvmm.h>\nint main(void) { return SNPVMM_VERSION_MAJOR; }\n' >"$tmp/h1.c"
printf '#include <snpvmm/backend.h>\nint main(void) { return SNPVMM_BACKEND_ABI_VERSION; }\n' \
	>"$tmp/h2.c"
printf '#include <snpvmm/backend.h>\n#include <snpvmm/snpvmm.h>\nint main(void) { return 0; }\n' \
	>"$tmp/h3.c"
for h in h1 h2 h3; do
	cp "$tmp/$h.c" "$tmp/$h.cc"
	for fixture in "" "-include $src/tests/build/linux_7_0_uapi.h"; do
		# shellcheck disable=SC2046,SC2086 # pkg-config and fixture are lists of words
		$cc -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only $fixture \
			$(pkg-config --cflags libsnpvmm) "$tmp/$h.c"
		if command -v c++ >/dev/null; then
			# shellcheck disable=SC2046,SC2086
			c++ -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only $fixture \
				$(pkg-config --cflags libsnpvmm) "$tmp/$h.cc"
		fi
	done
done

# The complete minimal program of docs/embedding.md, as printed there.
awk '/^```c$/ { on = 1; next } /^```$/ { if (on) exit } on' "$src/docs/embedding.md" >"$tmp/doc.c"
# shellcheck disable=SC2046 # pkg-config prints a list of words
$cc -Wall -Werror $([ "$sanitize" != "none" ] && echo "-fsanitize=$sanitize") -o "$tmp/doc" \
	"$tmp/doc.c" $(pkg-config --cflags --libs libsnpvmm)
LD_LIBRARY_PATH=$libdir "$tmp/doc" "$guest" >"$tmp/doc-out" 2>&1 || {
	cat "$tmp/doc-out" >&2
	exit 1
}
tail -n 1 "$tmp/doc-out" | grep -q "^ended: poweroff" || { cat "$tmp/doc-out" >&2; exit 1; }
grep -q "^guest-1 guest-exit$" "$tmp/doc-out"

echo "ok: example built against $libdir and ran: $(tail -n 1 "$tmp/out")"
