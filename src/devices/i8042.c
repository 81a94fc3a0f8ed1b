// SPDX-License-Identifier: MIT
#include "devices/i8042.h"

#include <string.h>

/*
 * Status register (port 0x64) of an idle controller: SYS (bit 2, self-test passed), CMD/DATA
 * (bit 3, last write went to 0x64) and KEYLOCK (bit 4, keyboard not inhibited). This is the value
 * kvmtool's kbd_reset() sets (hw/i8042.c, "0x1c"); Firecracker starts at 0x10 and vm-superio
 * reads 0. What matters is that OBF (bit 0) and IBF (bit 1) stay clear: Linux's reboot path
 * (arch/x86/kernel/reboot.c, kb_wait()) spins until IBF is clear before writing 0xFE, and its
 * i8042 driver's i8042_flush() drains port 0x60 while OBF is set.
 */
#define I8042_STATUS_IDLE 0x1c

static void i8042_cmd_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	memset(data, 0, len);
	if (len)
		data[0] = I8042_STATUS_IDLE;
}

static void i8042_cmd_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct i8042 *k = opaque;

	/* Only the CPU-reset pulse has an effect; any other command has no reply to give, and
	 * with OBF never set the guest sees it as a controller that stays quiet. */
	if (offset == 0 && len && data[0] == I8042_CMD_RESET && k->reset)
		k->reset(k->reset_ctx);
}

static void i8042_data_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	/* No keyboard is attached, so the output buffer is always empty; Firecracker's
	 * I8042Device::bus_read returns 0 for an empty buffer too. */
	memset(data, 0, len);
}

static void i8042_data_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
}

const struct device_ops i8042_ops = {
	.read = i8042_cmd_read,
	.write = i8042_cmd_write,
};

const struct device_ops i8042_data_ops = {
	.read = i8042_data_read,
	.write = i8042_data_write,
};

void i8042_init(struct i8042 *k, i8042_reset_fn *reset, void *reset_ctx)
{
	k->reset = reset;
	k->reset_ctx = reset_ctx;
}
