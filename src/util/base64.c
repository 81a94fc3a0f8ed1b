// SPDX-License-Identifier: MIT
/*
 * Base64 of the ID block, ID auth and host data, as QEMU's sev-snp-guest properties and
 * Kata pass them. OpenSSL does the decoding; this only strips blanks and insists on the
 * exact length (EVP_DecodeBlock counts '=' padding as decoded zero bytes).
 */
#include "util/base64.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int base64_decode_exact(const char *text, size_t len, uint8_t *ret_buf, size_t want)
{
	size_t i, n = 0, pad;
	unsigned char *out;
	char *compact;
	int got, r = -EINVAL;

	if (want == 0 || want > (size_t)1 << 20)
		return -EINVAL;
	compact = malloc(len + 1);
	out = malloc(want + 3);
	if (!compact || !out) {
		r = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]) || text[i] == '\0')
			compact[n++] = text[i];
	/* The encoding of `want` bytes has exactly this many characters, padding included. */
	if (n != 4 * ((want + 2) / 3))
		goto out_free;
	pad = (3 - want % 3) % 3;
	for (i = 0; i < n; i++) {
		char c = compact[i];
		bool is_pad = i >= n - pad;

		if (is_pad ? c != '=' : !(isalnum((unsigned char)c) || c == '+' || c == '/'))
			goto out_free;
	}
	got = EVP_DecodeBlock(out, (const unsigned char *)compact, (int)n);
	if (got < 0 || (size_t)got != want + pad)
		goto out_free;
	memcpy(ret_buf, out, want);
	r = 0;
out_free:
	free(out);
	free(compact);
	return r;
}
