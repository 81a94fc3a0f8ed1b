/* SPDX-License-Identifier: MIT */
/*
 * Port-I/O and MMIO address maps. Devices are registered explicitly during VM setup (no
 * global lists); a range may not be empty, wrap, or overlap another (-EEXIST), as in
 * Firecracker's Bus::insert. Dispatch is lock-free: registration happens before vCPUs run,
 * and each device serialises its own state.
 */
#ifndef SNPVMM_DEVICES_BUS_H
#define SNPVMM_DEVICES_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct device_ops {
	/* offset is relative to the registered base; len is 1, 2, 4 or 8. */
	void (*read)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len);
	void (*write)(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len);
};

enum bus_space { BUS_PIO, BUS_MMIO, BUS_SPACE_MAX };

#define BUS_MAX_RANGES 32

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct device_ops *ops;
	void *opaque;
};

struct bus {
	struct bus_range ranges[BUS_SPACE_MAX][BUS_MAX_RANGES]; /* sorted by base */
	unsigned int nr[BUS_SPACE_MAX];
};

void bus_init(struct bus *bus);
/* -EINVAL (len 0, wraps, bad space), -EEXIST (overlap), -ENOSPC (table full). */
int bus_register(struct bus *bus, enum bus_space space, uint64_t base, uint64_t len,
		 const struct device_ops *ops, void *opaque) __attribute__((warn_unused_result));
/* Forwards an access to the device covering [addr, addr+len). Returns false when none
 * does (or the access straddles a range end); an unclaimed read then reads all-ones. */
bool bus_dispatch(const struct bus *bus, enum bus_space space, uint64_t addr, uint8_t *data,
		  uint32_t len, bool is_write);

#endif /* SNPVMM_DEVICES_BUS_H */
