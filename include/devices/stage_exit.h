/* SPDX-License-Identifier: MIT */
/*
 * The boot stage's exit port (boot mode hashes without SNP): the stage writes its
 * termination request there as a 32-bit value in the GHCB MSR protocol's encoding
 * (GHCB_MSR_TERM(), abi/ghcb.h), since a guest without SEV-ES has no GHCB to send it
 * through. Under SNP the stage uses the GHCB MSR protocol and never this port.
 */
#ifndef SNPVMM_DEVICES_STAGE_EXIT_H
#define SNPVMM_DEVICES_STAGE_EXIT_H

#include <stdint.h>

#include "devices/bus.h"

#define STAGE_EXIT_PORT_LEN 4

typedef void stage_exit_fn(void *ctx, uint32_t value);

struct stage_exit {
	stage_exit_fn *exit;
	void *ctx;
};

/* Register at STAGE_EXIT_PORT (stage/stage_params.h) with STAGE_EXIT_PORT_LEN. Only a
 * whole 32-bit write at offset 0 is a request; reads return all ones, like an empty port. */
extern const struct device_ops stage_exit_ops;

void stage_exit_init(struct stage_exit *e, stage_exit_fn *exit, void *ctx);

#endif /* SNPVMM_DEVICES_STAGE_EXIT_H */
