// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the attestation report inputs a verifier reads: every form
 * snp_report_decode() takes (raw, hex, base64, console frames among other text), the
 * parser, and the TCB decoding of both layouts. Checks: a failure always says why; a
 * decoded report re-framed decodes to the same bytes; a parsed report has a version in
 * 2..5 and the same bytes as the input.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "snp/report.h"
#include "snp/report_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t raw[SNP_REPORT_SIZE], again[SNP_REPORT_SIZE];
	static char frame[SNP_REPORT_FRAME_SIZE];
	struct snp_report r;
	struct snp_tcb tcb;
	struct diag d = { "" };
	char text[80];
	unsigned int p;

	if (snp_report_decode(data, size, raw, &d) < 0) {
		if (!d.msg[0])
			__builtin_trap();
		return 0;
	}
	snp_report_frame(raw, frame);
	if (snp_report_decode((const uint8_t *)frame, strlen(frame), again, NULL) != 0 ||
	    memcmp(raw, again, sizeof(raw)))
		__builtin_trap();
	d.msg[0] = '\0';
	if (snp_report_parse(raw, sizeof(raw), &r, &d) < 0) {
		if (!d.msg[0])
			__builtin_trap();
		return 0;
	}
	if (r.version < SNP_REPORT_VERSION_MIN || r.version > SNP_REPORT_VERSION_MAX ||
	    memcmp(&r, raw, sizeof(raw)))
		__builtin_trap();
	for (p = 0; p < SNP_PRODUCT_MAX; p++) {
		snp_tcb_decode(r.reported_tcb, (enum snp_product)p, &tcb);
		snp_tcb_format(&tcb, text, sizeof(text));
	}
	(void)snp_product_name(snp_report_product(&r));
	return 0;
}
