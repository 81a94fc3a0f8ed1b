/* SPDX-License-Identifier: MIT */
/*
 * The guest side of SEV-SNP attestation: the /dev/sev-guest ioctl a guest's userspace
 * issues to get a report (include/uapi/linux/sev-guest.h, Linux 5.19+; handled by
 * get_report() in drivers/virt/coco/sev-guest/sev-guest.c), and the firmware's
 * MSG_REPORT_REQ / MSG_REPORT_RSP it carries (SEV-SNP Firmware ABI 56860, "MSG_REPORT_REQ
 * Message Structure", "MSG_REPORT_RSP Message Structure"). Our own definitions: numbers
 * and layouts are facts; each struct is _Static_assert'ed.
 */
#ifndef SNPVMM_ABI_SEV_GUEST_H
#define SNPVMM_ABI_SEV_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define SNP_GUEST_DEVICE	  "/dev/sev-guest"
#define SNP_GUEST_MSG_VERSION	  1 /* the only message version; 0 is refused */
#define SNP_GUEST_USER_DATA_SIZE  64
#define SNP_GUEST_REPORT_RSP_SIZE 4000

/* struct snp_guest_request_ioctl: not packed, so req_data is 8-aligned. */
struct snp_guest_request {
	uint8_t msg_version; /* 0x00 SNP_GUEST_MSG_VERSION */
	uint8_t pad[7];	     /* 0x01 */
	uint64_t req_data;   /* 0x08 user address of the request */
	uint64_t resp_data;  /* 0x10 user address of the response */
	uint32_t fw_error;   /* 0x18 exitinfo2[31:0]: the firmware's status */
	uint32_t vmm_error;  /* 0x1c exitinfo2[63:32]: 1 invalid length, 2 busy */
};

/* struct snp_report_req = MSG_REPORT_REQ. */
struct snp_guest_report_req {
	uint8_t user_data[SNP_GUEST_USER_DATA_SIZE]; /* 0x00 becomes REPORT_DATA */
	uint32_t vmpl;				     /* 0x40 */
	uint8_t rsvd[28]; /* 0x44 KEY_SEL in newer firmware; 0: VLEK if loaded, else VCEK */
};

/* struct snp_report_resp: MSG_REPORT_RSP in the first bytes. */
struct snp_guest_report_resp {
	uint8_t data[SNP_GUEST_REPORT_RSP_SIZE];
};

/* MSG_REPORT_RSP: STATUS (0 success, 16h INVALID_PARAMETERS, 27h INVALID_KEY_SELECTION),
 * REPORT_SIZE, 24 reserved bytes, then the ATTESTATION_REPORT. */
#define SNP_MSG_REPORT_RSP_STATUS      0x00
#define SNP_MSG_REPORT_RSP_REPORT_SIZE 0x04
#define SNP_MSG_REPORT_RSP_REPORT      0x20

_Static_assert(sizeof(struct snp_guest_request) == 32, "snp_guest_request_ioctl size");
_Static_assert(offsetof(struct snp_guest_request, req_data) == 0x08, "req_data");
_Static_assert(offsetof(struct snp_guest_request, resp_data) == 0x10, "resp_data");
_Static_assert(offsetof(struct snp_guest_request, fw_error) == 0x18, "exitinfo2");
_Static_assert(offsetof(struct snp_guest_request, vmm_error) == 0x1c, "exitinfo2[63:32]");
_Static_assert(sizeof(struct snp_guest_report_req) == 96, "snp_report_req size");
_Static_assert(offsetof(struct snp_guest_report_req, vmpl) == 0x40, "vmpl");
_Static_assert(sizeof(struct snp_guest_report_resp) == 4000, "snp_report_resp size");

#define SNP_GUEST_REQ_IOC_TYPE 'S'
#define SNP_GET_REPORT	       _IOWR(SNP_GUEST_REQ_IOC_TYPE, 0x0, struct snp_guest_request)
_Static_assert(SNP_GET_REPORT == 0xc0205300, "SNP_GET_REPORT number");

#endif /* SNPVMM_ABI_SEV_GUEST_H */
