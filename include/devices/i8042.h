/* SPDX-License-Identifier: MIT */
/*
 * The part of the i8042 keyboard controller a VMM needs: the guest's reset line. Writing
 * command 0xFE ("pulse output line 0", the CPU reset) to port 0x64 is how Linux reboots
 * with reboot=k and how our test guest ends; the VMM turns it into a clean exit.
 */
#ifndef SNPVMM_DEVICES_I8042_H
#define SNPVMM_DEVICES_I8042_H

#include <stdint.h>

#include "devices/bus.h"

#define I8042_DATA_PORT	   0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET	   0xFE

typedef void i8042_reset_fn(void *ctx);

struct i8042 {
	i8042_reset_fn *reset;
	void *reset_ctx;
};

extern const struct device_ops i8042_ops;

/* Register with the same i8042 as opaque at I8042_DATA_PORT (len 1) and
 * I8042_COMMAND_PORT (len 1): offsets are relative, so the device tells the ports apart
 * by which registration it was reached through -- use i8042_data_ops for 0x60. */
extern const struct device_ops i8042_data_ops;

void i8042_init(struct i8042 *k, i8042_reset_fn *reset, void *reset_ctx);

#endif /* SNPVMM_DEVICES_I8042_H */
