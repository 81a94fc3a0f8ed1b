// SPDX-License-Identifier: MIT
#include "devices/stage_exit.h"

#include <string.h>

static void stage_exit_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	memset(data, 0xff, len);
}

static void stage_exit_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct stage_exit *e = opaque;
	uint32_t value;

	if (offset != 0 || len != sizeof(value) || !e->exit)
		return;
	memcpy(&value, data, sizeof(value));
	e->exit(e->ctx, value);
}

const struct device_ops stage_exit_ops = {
	.read = stage_exit_read,
	.write = stage_exit_write,
};

void stage_exit_init(struct stage_exit *e, stage_exit_fn *exit, void *ctx)
{
	e->exit = exit;
	e->ctx = ctx;
}
