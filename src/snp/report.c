// SPDX-License-Identifier: MIT
/*
 * Attestation report parsing, TCB_VERSION decoding and the input forms a user hands a
 * report over in (include/snp/report.h).
 */
#include "snp/report.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "snp/report_frame.h"
#include "util/hex.h"

_Static_assert(SNP_REPORT_FRAME_RAW_SIZE == SNP_REPORT_SIZE, "the frame carries one report");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the report is little-endian");

static const char *const product_names[] = {
	[SNP_PRODUCT_UNKNOWN] = "unknown",
	[SNP_PRODUCT_MILAN] = "milan",
	[SNP_PRODUCT_GENOA] = "genoa",
	[SNP_PRODUCT_TURIN] = "turin",
};
_Static_assert(sizeof(product_names) / sizeof(product_names[0]) == SNP_PRODUCT_MAX,
	       "one name per product");

const char *snp_product_name(enum snp_product p)
{
	return p < SNP_PRODUCT_MAX ? product_names[p] : "unknown";
}

int snp_product_parse(const char *name, enum snp_product *ret_product)
{
	unsigned int p;

	for (p = SNP_PRODUCT_MILAN; p < SNP_PRODUCT_MAX; p++) {
		size_t n = strlen(product_names[p]);

		/* The VCEK's productName carries a stepping suffix: "Milan-B0". */
		if (strncasecmp(name, product_names[p], n) == 0 &&
		    (name[n] == '\0' || name[n] == '-')) {
			*ret_product = (enum snp_product)p;
			return 0;
		}
	}
	return -EINVAL;
}

enum snp_product snp_product_from_cpuid(uint8_t family, uint8_t model)
{
	if (family == 0x19 && model <= 0x0f)
		return SNP_PRODUCT_MILAN;
	if (family == 0x19 &&
	    ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf)))
		return SNP_PRODUCT_GENOA;
	if (family == 0x1a && model <= 0x11)
		return SNP_PRODUCT_TURIN;
	return SNP_PRODUCT_UNKNOWN;
}

void snp_tcb_decode(uint64_t raw, enum snp_product p, struct snp_tcb *ret_tcb)
{
	uint8_t b[8];

	memcpy(b, &raw, sizeof(b));
	if (p == SNP_PRODUCT_TURIN)
		*ret_tcb = (struct snp_tcb){ .fmc = b[0],
					     .bootloader = b[1],
					     .tee = b[2],
					     .snp = b[3],
					     .microcode = b[7],
					     .has_fmc = true };
	else
		*ret_tcb = (struct snp_tcb){
			.bootloader = b[0], .tee = b[1], .snp = b[6], .microcode = b[7]
		};
}

char *snp_tcb_format(const struct snp_tcb *t, char *out, size_t size)
{
	char fmc[16] = "";

	if (t->has_fmc)
		snprintf(fmc, sizeof(fmc), "fmc %u, ", t->fmc);
	snprintf(out, size, "%sbl %u, tee %u, snp %u, ucode %u", fmc, t->bootloader, t->tee, t->snp,
		 t->microcode);
	return out;
}

int snp_report_parse(const uint8_t *bytes, size_t len, struct snp_report *ret_report,
		     struct diag *d)
{
	uint32_t version;

	if (len != SNP_REPORT_SIZE)
		return diag_fail(d, -EINVAL, "an attestation report is %d bytes, not %zu",
				 SNP_REPORT_SIZE, len);
	memcpy(&version, bytes, sizeof(version));
	if (version < SNP_REPORT_VERSION_MIN || version > SNP_REPORT_VERSION_MAX)
		return diag_fail(d, -EPROTONOSUPPORT,
				 "report version %u is not supported (versions %d to %d are)",
				 version, SNP_REPORT_VERSION_MIN, SNP_REPORT_VERSION_MAX);
	memcpy(ret_report, bytes, SNP_REPORT_SIZE);
	return 0;
}

enum snp_product snp_report_product(const struct snp_report *r)
{
	if (r->version < 3)
		return SNP_PRODUCT_UNKNOWN;
	return snp_product_from_cpuid(r->cpuid_fam_id, r->cpuid_mod_id);
}

/* ---- input forms ---- */

static bool is_frame_line(const char *s, size_t n)
{
	size_t i;

	if (n != 2 * SNP_REPORT_FRAME_LINE_BYTES)
		return false;
	for (i = 0; i < n; i++)
		if (hex_nibble(s[i]) < 0)
			return false;
	return true;
}

static bool line_is(const char *s, size_t n, const char *marker)
{
	return n == strlen(marker) && memcmp(s, marker, n) == 0;
}

/* The report inside the console frames of text; -ENOENT if there is no BEGIN line. */
static int unframe(const char *text, size_t len, uint8_t ret_raw[SNP_REPORT_SIZE], struct diag *d)
{
	uint8_t raw[SNP_REPORT_SIZE];
	unsigned int frames = 0, lines = 0, i;
	bool inside = false, complete = false;
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + 1;
		if (n && line[n - 1] == '\r')
			n--;
		if (line_is(line, n, SNP_REPORT_FRAME_BEGIN)) {
			frames++;
			inside = true;
			lines = 0;
			continue;
		}
		if (!inside)
			continue;
		if (line_is(line, n, SNP_REPORT_FRAME_END)) {
			inside = false;
			if (lines != SNP_REPORT_FRAME_LINES)
				return diag_fail(d, -EINVAL,
						 "report frame %u has %u lines of hex, not %d",
						 frames, lines, SNP_REPORT_FRAME_LINES);
			complete = true;
			continue;
		}
		/* Anything else (a kernel message on the same console) is skipped. */
		if (!is_frame_line(line, n))
			continue;
		if (lines == SNP_REPORT_FRAME_LINES)
			return diag_fail(d, -EINVAL,
					 "report frame %u has more than %d lines of hex", frames,
					 SNP_REPORT_FRAME_LINES);
		for (i = 0; i < SNP_REPORT_FRAME_LINE_BYTES; i++)
			raw[lines * SNP_REPORT_FRAME_LINE_BYTES + i] =
				(uint8_t)(hex_nibble(line[2 * i]) << 4 |
					  hex_nibble(line[2 * i + 1]));
		lines++;
	}
	if (frames == 0)
		return -ENOENT;
	if (frames > 1)
		return diag_fail(d, -EINVAL,
				 "the text holds %u report frames; extract the one to verify",
				 frames);
	if (!complete)
		return diag_fail(d, -EINVAL, "the report frame has no %s line",
				 SNP_REPORT_FRAME_END);
	memcpy(ret_raw, raw, SNP_REPORT_SIZE);
	return 0;
}

/* text without ASCII whitespace, NUL-terminated, or NULL if it holds a NUL byte or no
 * memory. */
static char *strip_space(const uint8_t *data, size_t len)
{
	char *out = malloc(len + 1);
	size_t i, n = 0;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (data[i] == '\0') {
			free(out);
			return NULL;
		}
		if (!isspace(data[i]))
			out[n++] = (char)data[i];
	}
	out[n] = '\0';
	return out;
}

static int decode_base64(const char *s, uint8_t ret_raw[SNP_REPORT_SIZE])
{
	/* 1184 bytes are 1580 base64 characters, the last group padded with one '='. */
	enum { B64_LEN = 4 * ((SNP_REPORT_SIZE + 2) / 3) };
	uint8_t buf[3 * (B64_LEN / 4)];
	size_t n = strlen(s), pad = 0;

	if (n != B64_LEN)
		return -EINVAL;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	if (EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n) != (int)sizeof(buf) ||
	    sizeof(buf) - pad != SNP_REPORT_SIZE)
		return -EINVAL;
	memcpy(ret_raw, buf, SNP_REPORT_SIZE);
	return 0;
}

int snp_report_decode(const uint8_t *data, size_t len, uint8_t ret_raw[SNP_REPORT_SIZE],
		      struct diag *d)
{
	char *text;
	int r;

	if (len == SNP_REPORT_SIZE) {
		memcpy(ret_raw, data, SNP_REPORT_SIZE);
		return 0;
	}
	r = unframe((const char *)data, len, ret_raw, d);
	if (r != -ENOENT)
		return r;
	text = strip_space(data, len);
	if (!text)
		return diag_fail(d, -EINVAL,
				 "%zu bytes are neither a %d-byte binary report nor text (hex, "
				 "base64 or a console frame)",
				 len, SNP_REPORT_SIZE);
	if (strlen(text) == 2 * SNP_REPORT_SIZE)
		r = hex_decode(text, ret_raw, SNP_REPORT_SIZE, "the report's hex text", d);
	else if (decode_base64(text, ret_raw) == 0)
		r = 0;
	else
		r = diag_fail(d, -EINVAL,
			      "%zu bytes are not a report: not %d raw bytes, %d hex digits, %d "
			      "base64 characters or a %s frame",
			      len, SNP_REPORT_SIZE, 2 * SNP_REPORT_SIZE,
			      4 * ((SNP_REPORT_SIZE + 2) / 3), SNP_REPORT_FRAME_BEGIN);
	free(text);
	return r;
}
