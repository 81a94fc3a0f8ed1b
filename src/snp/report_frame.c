// SPDX-License-Identifier: MIT
/* The console frame of an attestation report (include/snp/report_frame.h). */
#include "snp/report_frame.h"

#include <string.h>

size_t snp_report_frame(const uint8_t report[SNP_REPORT_FRAME_RAW_SIZE],
			char out[SNP_REPORT_FRAME_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	size_t n = 0, i;

	memcpy(out, SNP_REPORT_FRAME_BEGIN "\n", sizeof(SNP_REPORT_FRAME_BEGIN));
	n += sizeof(SNP_REPORT_FRAME_BEGIN);
	for (i = 0; i < SNP_REPORT_FRAME_RAW_SIZE; i++) {
		out[n++] = digits[report[i] >> 4];
		out[n++] = digits[report[i] & 0xf];
		if ((i + 1) % SNP_REPORT_FRAME_LINE_BYTES == 0)
			out[n++] = '\n';
	}
	memcpy(out + n, SNP_REPORT_FRAME_END "\n", sizeof(SNP_REPORT_FRAME_END) + 1);
	n += sizeof(SNP_REPORT_FRAME_END);
	return n;
}
