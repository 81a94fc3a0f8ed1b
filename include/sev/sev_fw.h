/* SPDX-License-Identifier: MIT */
/*
 * SEV firmware status codes (include/uapi/linux/psp-sev.h enum sev_ret_code, the values of
 * SEV-SNP ABI 56860 "Status Codes"). Firmware errors travel beside -errno, never in it:
 * pass only a firmware status here, never an errno.
 */
#ifndef SNPVMM_SEV_SEV_FW_H
#define SNPVMM_SEV_SEV_FW_H

#include <stdint.h>

#include <linux/psp-sev.h> /* enum sev_ret_code: SEV_RET_INVALID_PARAM, SEV_RET_POLICY_FAILURE */

/* "INVALID_PARAM" for 0x16, "SUCCESS" for 0, "UNKNOWN" for codes the ABI does not name. */
const char *sev_fw_strerror(uint32_t code);

#endif /* SNPVMM_SEV_SEV_FW_H */
