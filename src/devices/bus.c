// SPDX-License-Identifier: MIT
#include "devices/bus.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/*
 * Ranges are kept as [base, last] internally: base + len may be exactly 2^64 for a range that
 * ends at the top of the address space, which is legal but does not fit in a uint64_t.
 */
static uint64_t range_last(const struct bus_range *r)
{
	return r->base + (r->len - 1);
}

/* Index of the first range whose base is above addr (== nr when there is none). */
static unsigned int bus_upper_bound(const struct bus_range *ranges, unsigned int nr, uint64_t addr)
{
	unsigned int lo = 0, hi = nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void bus_init(struct bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

int bus_register(struct bus *bus, enum bus_space space, uint64_t base, uint64_t len,
		 const struct device_ops *ops, void *opaque)
{
	struct bus_range *ranges;
	unsigned int nr, pos;
	uint64_t last;

	if ((unsigned int)space >= BUS_SPACE_MAX || !ops || len == 0)
		return -EINVAL;
	last = base + (len - 1);
	if (last < base)
		return -EINVAL; /* wraps past 2^64 */

	ranges = bus->ranges[space];
	nr = bus->nr[space];
	pos = bus_upper_bound(ranges, nr, base);

	/* The table is sorted and disjoint, so only the two neighbours can overlap. */
	if (pos > 0 && range_last(&ranges[pos - 1]) >= base)
		return -EEXIST;
	if (pos < nr && ranges[pos].base <= last)
		return -EEXIST;
	if (nr == BUS_MAX_RANGES)
		return -ENOSPC;

	memmove(&ranges[pos + 1], &ranges[pos], (nr - pos) * sizeof(ranges[0]));
	ranges[pos] = (struct bus_range){
		.base = base,
		.len = len,
		.ops = ops,
		.opaque = opaque,
	};
	bus->nr[space] = nr + 1;
	return 0;
}

static const struct bus_range *bus_find(const struct bus *bus, enum bus_space space, uint64_t addr,
					uint32_t len)
{
	const struct bus_range *r;
	unsigned int pos;
	uint64_t offset;

	pos = bus_upper_bound(bus->ranges[space], bus->nr[space], addr);
	if (pos == 0)
		return NULL;
	r = &bus->ranges[space][pos - 1];
	offset = addr - r->base;
	/* Written as subtractions so that neither side can overflow. */
	if (offset >= r->len || len > r->len - offset)
		return NULL;
	return r;
}

bool bus_dispatch(const struct bus *bus, enum bus_space space, uint64_t addr, uint8_t *data,
		  uint32_t len, bool is_write)
{
	const struct bus_range *r = NULL;

	if ((unsigned int)space < BUS_SPACE_MAX && len > 0)
		r = bus_find(bus, space, addr, len);

	if (!r) {
		/* Nothing drives the data lines: the PC's ISA bus and PCI master-abort read ~0. */
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}

	if (is_write) {
		if (r->ops->write)
			r->ops->write(r->opaque, addr - r->base, data, len);
	} else if (r->ops->read) {
		r->ops->read(r->opaque, addr - r->base, data, len);
	} else {
		memset(data, 0xff, len); /* a write-only device */
	}
	return true;
}
