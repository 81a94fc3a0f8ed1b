// SPDX-License-Identifier: MIT
/* The console frame of an attestation report (include/snp/report_frame.h). */
#include "snp/report_frame.h"

#include <errno.h>
#include <string.h>

#include "abi/sev_guest.h"

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

int snp_report_rsp_extract(const uint8_t *rsp, size_t len, const uint8_t **ret_report,
			   uint32_t *ret_status)
{
	uint32_t status, size;

	if (len < SNP_MSG_REPORT_RSP_REPORT + SNP_REPORT_FRAME_RAW_SIZE)
		return -EBADMSG;
	memcpy(&status, rsp + SNP_MSG_REPORT_RSP_STATUS, sizeof(status));
	memcpy(&size, rsp + SNP_MSG_REPORT_RSP_REPORT_SIZE, sizeof(size));
	*ret_status = status;
	if (status != 0)
		return -EIO;
	if (size != SNP_REPORT_FRAME_RAW_SIZE)
		return -EBADMSG;
	*ret_report = rsp + SNP_MSG_REPORT_RSP_REPORT;
	return 0;
}
