/* SPDX-License-Identifier: MIT */
/*
 * How a guest hands its attestation report to the host over a text console: the 1184
 * bytes as lowercase hex, 32 bytes per line, between a BEGIN and an END line. Lines are
 * short and self-delimiting so that kernel messages interleaved on a serial console
 * cannot corrupt a frame silently (the reader takes only 64-hex-digit lines between the
 * markers and insists on exactly 37 of them). Written by the simulated guest
 * (src/sim/sim_attest.c) and by tools/snp-guest-report.c; read by snp_report_decode().
 *
 * Pure and dependency-free: the static guest tool links this file alone.
 */
#ifndef SNPVMM_SNP_REPORT_FRAME_H
#define SNPVMM_SNP_REPORT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define SNP_REPORT_FRAME_BEGIN	    "SNPVMM-ATTESTATION-REPORT-BEGIN"
#define SNP_REPORT_FRAME_END	    "SNPVMM-ATTESTATION-REPORT-END"
#define SNP_REPORT_FRAME_LINE_BYTES 32
#define SNP_REPORT_FRAME_RAW_SIZE   1184 /* = SNP_REPORT_SIZE (snp/report.h) */
#define SNP_REPORT_FRAME_LINES	    (SNP_REPORT_FRAME_RAW_SIZE / SNP_REPORT_FRAME_LINE_BYTES)
/* BEGIN\n, 37 lines of 64 digits + \n, END\n, NUL */
#define SNP_REPORT_FRAME_SIZE                                            \
	(sizeof(SNP_REPORT_FRAME_BEGIN) + sizeof(SNP_REPORT_FRAME_END) + \
	 SNP_REPORT_FRAME_LINES * (2 * SNP_REPORT_FRAME_LINE_BYTES + 1) + 1)

_Static_assert(SNP_REPORT_FRAME_RAW_SIZE % SNP_REPORT_FRAME_LINE_BYTES == 0, "whole lines");

/* Writes the frame, newline-terminated and NUL-terminated, to out; returns its length
 * without the NUL. Cannot fail. */
size_t snp_report_frame(const uint8_t report[SNP_REPORT_FRAME_RAW_SIZE],
			char out[SNP_REPORT_FRAME_SIZE]);

/*
 * The report inside a MSG_REPORT_RSP of len bytes (include/abi/sev_guest.h): 0 with
 * *ret_report pointing into rsp; -EIO if STATUS is not 0 (*ret_status says which);
 * -EBADMSG if REPORT_SIZE is not 1184 or the response is too short.
 */
int snp_report_rsp_extract(const uint8_t *rsp, size_t len, const uint8_t **ret_report,
			   uint32_t *ret_status) __attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_REPORT_FRAME_H */
