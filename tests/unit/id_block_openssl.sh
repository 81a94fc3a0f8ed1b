#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Cross-checks `snpvmm id-block --format raw` with the openssl CLI alone: the ID block
# signature (ID_AUTH_INFO 0x040, r and s as 72-byte little-endian fields) is rebuilt as
# a DER ECDSA-Sig-Value and verified with `openssl dgst -sha384 -verify` against the
# key's public half, then again against a public key rebuilt from the ID_KEY field
# (0x240: curve u32, qx, qy). The author key's signature over the 0x404-byte ID_KEY
# structure (0x680, key at 0x880) is checked the same way. Offsets: SEV-SNP ABI 56860
# §8.18 (include/snp/idblock.h). Byte handling uses od and python3 (meson needs the
# latter anyway).
#
# Usage: id_block_openssl.sh PATH/TO/snpvmm
set -eu

snpvmm=$1
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl CLI"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/id_block_openssl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Test-only keys, generated per run.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$tmp/id.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$tmp/author.pem" 2>/dev/null
openssl pkey -in "$tmp/id.pem" -pubout -out "$tmp/id_pub.pem"
openssl pkey -in "$tmp/author.pem" -pubout -out "$tmp/author_pub.pem"

ld=$(printf '%096d' 0 | tr 0 a)
"$snpvmm" id-block --measurement "$ld" --policy 0x30000 --svn 3 \
	--family-id 00112233445566778899aabbccddeeff \
	--id-key "$tmp/id.pem" --author-key "$tmp/author.pem" \
	--out-block "$tmp/block.bin" --out-auth "$tmp/auth.bin" --format raw ||
	fail "snpvmm id-block exited with $?"

[ -f "$tmp/block.bin" ] || fail "no ID block written (is 'snpvmm id-block' wired in main.c?)"
[ -f "$tmp/auth.bin" ] || fail "no ID auth written"
[ "$(wc -c <"$tmp/block.bin")" -eq 96 ] || fail "ID block is not 96 bytes"
[ "$(wc -c <"$tmp/auth.bin")" -eq 4096 ] || fail "ID auth is not 4096 bytes"

# Field dump with od, independent of any of our code: little-endian u32s and u64 policy.
le32() { od -An -v -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
[ "$(le32 "$tmp/block.bin" 80)" -eq 1 ] || fail "ID block VERSION is not 1"
[ "$(le32 "$tmp/block.bin" 84)" -eq 3 ] || fail "ID block GUEST_SVN is not 3"
[ "$(od -An -v -tx8 -j 88 -N 8 "$tmp/block.bin" | tr -d ' ')" = 0000000000030000 ] ||
	fail "ID block POLICY at 88 is not 0x30000"
[ "$(le32 "$tmp/auth.bin" 0)" -eq 1 ] || fail "ID_KEY_ALGO is not 1"
[ "$(le32 "$tmp/auth.bin" 4)" -eq 1 ] || fail "AUTH_KEY_ALGO is not 1"
[ "$(le32 "$tmp/auth.bin" 576)" -eq 2 ] || fail "ID_KEY curve at 0x240 is not 2 (P-384)"

# <prefix>sig.der from the LE r/s at $1; <prefix>spki.der (P-384 SubjectPublicKeyInfo)
# from the LE qx/qy of the public key structure at $2; $3 = <prefix>.
extract() {
	python3 - "$tmp/auth.bin" "$1" "$2" "$3" <<'EOF'
import sys

auth = open(sys.argv[1], "rb").read()
sig_off, key_off, out = int(sys.argv[2], 0), int(sys.argv[3], 0), sys.argv[4]

def der_int(le72):
    v = int.from_bytes(le72, "little")
    b = v.to_bytes((v.bit_length() + 8) // 8 or 1, "big")  # leading 0 keeps it positive
    return b"\x02" + bytes([len(b)]) + b

r = auth[sig_off:sig_off + 72]
s = auth[sig_off + 72:sig_off + 144]
body = der_int(r) + der_int(s)
open(out + "sig.der", "wb").write(b"\x30" + bytes([len(body)]) + body)

qx = auth[key_off + 4:key_off + 76]
qy = auth[key_off + 76:key_off + 148]
assert qx[48:] == bytes(24) and qy[48:] == bytes(24), "qx/qy not zero-padded"
point = b"\x04" + qx[:48][::-1] + qy[:48][::-1]
# SEQUENCE { SEQUENCE { id-ecPublicKey, secp384r1 }, BIT STRING 04||X||Y }
spki = bytes.fromhex("3076301006072a8648ce3d020106052b81040022036200") + point
open(out + "spki.der", "wb").write(spki)
open(out + "key_struct.bin", "wb").write(auth[key_off:key_off + 0x404])
EOF
}

extract 0x040 0x240 "$tmp/id_" || fail "cannot extract the ID block signature"
extract 0x680 0x880 "$tmp/author_" || fail "cannot extract the ID key signature"

openssl dgst -sha384 -verify "$tmp/id_pub.pem" -signature "$tmp/id_sig.der" \
	"$tmp/block.bin" || fail "ID block signature does not verify with the ID key"
openssl dgst -sha384 -verify "$tmp/id_spki.der" -keyform DER -signature "$tmp/id_sig.der" \
	"$tmp/block.bin" || fail "ID block signature does not verify with ID_KEY from the auth"

openssl pkey -pubin -in "$tmp/id_pub.pem" -outform DER -out "$tmp/id_pub.der"
cmp -s "$tmp/id_pub.der" "$tmp/id_spki.der" || fail "ID_KEY differs from the ID key"
openssl pkey -pubin -in "$tmp/author_pub.pem" -outform DER -out "$tmp/author_pub.der"
cmp -s "$tmp/author_pub.der" "$tmp/author_spki.der" || fail "AUTHOR_KEY differs from the author key"

openssl dgst -sha384 -verify "$tmp/author_pub.pem" -signature "$tmp/author_sig.der" \
	"$tmp/id_key_struct.bin" || fail "ID_KEY_SIG does not verify over ID_KEY with the author key"

# Usage errors exit 2, bad key material exits 1.
set +e
"$snpvmm" id-block --measurement 00zz --policy 0x30000 --id-key "$tmp/id.pem" \
	--out-block "$tmp/x" --out-auth "$tmp/y" 2>/dev/null
[ $? -eq 2 ] || fail "malformed --measurement did not exit 2"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/p256.pem" 2>/dev/null
err=$("$snpvmm" id-block --measurement "$ld" --policy 0x30000 --id-key "$tmp/p256.pem" \
	--out-block "$tmp/x" --out-auth "$tmp/y" 2>&1)
[ $? -eq 1 ] || fail "P-256 --id-key did not exit 1"
set -e
case $err in
"snpvmm id-block: "*P-384*) ;;
*) fail "unexpected P-256 error: $err" ;;
esac

echo "OK: ID block and ID auth verify with openssl"
