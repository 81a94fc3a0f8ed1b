#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages snpvmm needs to build and test, if any is missing.
set -eu

pkgs="gcc clang libclang-rt-14-dev binutils pkg-config meson ninja-build python3
libcmocka-dev libssl-dev openssl util-linux valgrind"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "snpvmm: installing Debian packages:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
