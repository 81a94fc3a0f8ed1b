// SPDX-License-Identifier: MIT
/*
 * Names of the SEV firmware status codes, as include/uapi/linux/psp-sev.h spells them
 * (without the SEV_RET_ prefix). Indexed by code; gaps are codes the ABI leaves unnamed.
 */
#include "sev/sev_fw.h"

#include <stddef.h>

static const char *const sev_fw_names[] = {
	[0x00] = "SUCCESS",
	[0x01] = "INVALID_PLATFORM_STATE",
	[0x02] = "INVALID_GUEST_STATE",
	[0x03] = "INVALID_CONFIG",
	[0x04] = "INVALID_LEN",
	[0x05] = "ALREADY_OWNED",
	[0x06] = "INVALID_CERTIFICATE",
	[0x07] = "POLICY_FAILURE",
	[0x08] = "INACTIVE",
	[0x09] = "INVALID_ADDRESS",
	[0x0A] = "BAD_SIGNATURE",
	[0x0B] = "BAD_MEASUREMENT",
	[0x0C] = "ASID_OWNED",
	[0x0D] = "INVALID_ASID",
	[0x0E] = "WBINVD_REQUIRED",
	[0x0F] = "DFFLUSH_REQUIRED",
	[0x10] = "INVALID_GUEST",
	[0x11] = "INVALID_COMMAND",
	[0x12] = "ACTIVE",
	[0x13] = "HWSEV_RET_PLATFORM",
	[0x14] = "HWSEV_RET_UNSAFE",
	[0x15] = "UNSUPPORTED",
	[0x16] = "INVALID_PARAM",
	[0x17] = "RESOURCE_LIMIT",
	[0x18] = "SECURE_DATA_INVALID",
	[0x19] = "INVALID_PAGE_SIZE",
	[0x1A] = "INVALID_PAGE_STATE",
	[0x1B] = "INVALID_MDATA_ENTRY",
	[0x1C] = "INVALID_PAGE_OWNER",
	[0x1D] = "AEAD_OFLOW",
	[0x1F] = "EXIT_RING_BUFFER",
	[0x20] = "RMP_INIT_REQUIRED",
	[0x21] = "BAD_SVN",
	[0x22] = "BAD_VERSION",
	[0x23] = "SHUTDOWN_REQUIRED",
	[0x24] = "UPDATE_FAILED",
	[0x25] = "RESTORE_REQUIRED",
	[0x26] = "RMP_INITIALIZATION_FAILED",
	[0x27] = "INVALID_KEY",
};

const char *sev_fw_strerror(uint32_t code)
{
	if (code < sizeof(sev_fw_names) / sizeof(sev_fw_names[0]) && sev_fw_names[code])
		return sev_fw_names[code];
	return "UNKNOWN";
}
