// SPDX-License-Identifier: MIT
/*
 * ACPI fixed hardware: PM1a event and control blocks and the reset register (ACPI 6.5
 * §4.8.3 "Fixed Hardware Programming Model", §4.8.4 register tables, §5.2.9 RESET_REG).
 * Registers are kept as 16-bit values and accessed byte by byte, so any access width the
 * guest uses works the same (ACPICA uses 16-bit accesses, acpi_hw_register_read/write).
 */
#include "devices/acpi_pm.h"

#include <errno.h>
#include <string.h>

/*
 * Bits that exist. PM1_EN: GBL_EN and PWRBTN_EN stick. ACPICA enables the global-lock
 * event at init and reads GBL_EN back: a bit that does not stick logs "No response from
 * Global Lock hardware" (evglock.c, acpi_ev_init_global_lock_handler via
 * acpi_enable_event). Our firmware never holds the lock, so GBL_STS never sets.
 * PM1_STS: PWRBTN_STS is ours to set; WAK_STS never sets (no sleep state we wake from),
 * it reads 0 like every other status bit.
 */
#define PM1_STS_IMPLEMENTED ACPI_PM1_STS_PWRBTN
#define PM1_EN_IMPLEMENTED  (ACPI_PM1_EN_GBL | ACPI_PM1_EN_PWRBTN)
/* PM1_CNT: SLP_TYP and BM_RLD are read/write; SCI_EN reads 1 because the FADT's SMI_CMD
 * is 0, which means the platform is always in ACPI mode (§4.8.4.2.1, §5.2.9 SMI_CMD);
 * GBL_RLS and SLP_EN are write-only and read 0. */
#define PM1_CNT_STORED	    (ACPI_PM1_CNT_SLP_TYP_MASK | ACPI_PM1_CNT_BM_RLD)

/* Runs under pm->lock, so level changes reach set_sci in order. */
static void acpi_pm_update_sci(struct acpi_pm *pm)
{
	bool level = (pm->sts & pm->en & PM1_STS_IMPLEMENTED) != 0;

	if (level == pm->sci_level)
		return;
	pm->sci_level = level;
	if (pm->cb.set_sci)
		pm->cb.set_sci(pm->cb.ctx, level);
}

static uint8_t reg_byte(uint16_t reg, unsigned int byte)
{
	return (uint8_t)(reg >> (8 * byte));
}

static uint16_t with_byte(uint16_t reg, unsigned int byte, uint8_t val)
{
	unsigned int shift = 8 * byte;

	return (uint16_t)((reg & ~(0xffu << shift)) | ((unsigned int)val << shift));
}

static uint8_t acpi_pm_read_byte(struct acpi_pm *pm, uint64_t off)
{
	switch (off) {
	case ACPI_PM1_EVT_OFFSET:
	case ACPI_PM1_EVT_OFFSET + 1:
		return reg_byte(pm->sts, (unsigned int)(off - ACPI_PM1_EVT_OFFSET));
	case ACPI_PM1_EVT_OFFSET + 2:
	case ACPI_PM1_EVT_OFFSET + 3:
		return reg_byte(pm->en, (unsigned int)(off - ACPI_PM1_EVT_OFFSET - 2));
	case ACPI_PM1_CNT_OFFSET:
	case ACPI_PM1_CNT_OFFSET + 1:
		return reg_byte(pm->cnt | ACPI_PM1_CNT_SCI_EN,
				(unsigned int)(off - ACPI_PM1_CNT_OFFSET));
	default:
		return 0; /* the reset register is write-only */
	}
}

/* A write of SLP_EN with the S5 type turns the machine off (§4.8.3.2.1 "Sleeping/Wake
 * Control"; ACPICA acpi_hw_legacy_sleep writes SLP_TYP, then SLP_TYP | SLP_EN). */
static void acpi_pm_write_cnt_byte(struct acpi_pm *pm, unsigned int byte, uint8_t val)
{
	uint16_t written = with_byte(0, byte, val);

	pm->cnt = (uint16_t)((pm->cnt & ~with_byte(0, byte, 0xff)) | (written & PM1_CNT_STORED));
	if ((written & ACPI_PM1_CNT_SLP_EN) &&
	    ((pm->cnt & ACPI_PM1_CNT_SLP_TYP_MASK) >> ACPI_PM1_CNT_SLP_TYP_SHIFT) ==
		    ACPI_PM_SLP_TYP_S5 &&
	    pm->cb.poweroff)
		pm->cb.poweroff(pm->cb.ctx);
}

static void acpi_pm_write_byte(struct acpi_pm *pm, uint64_t off, uint8_t val)
{
	unsigned int byte;

	switch (off) {
	case ACPI_PM1_EVT_OFFSET:
	case ACPI_PM1_EVT_OFFSET + 1:
		/* Status bits are cleared by writing 1 (§4.8.4.1.1). */
		byte = (unsigned int)(off - ACPI_PM1_EVT_OFFSET);
		pm->sts &= (uint16_t)~with_byte(0, byte, val);
		break;
	case ACPI_PM1_EVT_OFFSET + 2:
	case ACPI_PM1_EVT_OFFSET + 3:
		byte = (unsigned int)(off - ACPI_PM1_EVT_OFFSET - 2);
		pm->en = with_byte(pm->en, byte, val) & PM1_EN_IMPLEMENTED;
		break;
	case ACPI_PM1_CNT_OFFSET:
	case ACPI_PM1_CNT_OFFSET + 1:
		acpi_pm_write_cnt_byte(pm, (unsigned int)(off - ACPI_PM1_CNT_OFFSET), val);
		break;
	case ACPI_PM_RESET_OFFSET:
		/* §4.8.3.6 "Reset Register": writing RESET_VALUE resets the system. */
		if (val == ACPI_PM_RESET_VALUE && pm->cb.reset)
			pm->cb.reset(pm->cb.ctx);
		break;
	default:
		break;
	}
}

static void acpi_pm_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct acpi_pm *pm = opaque;
	uint32_t i;

	(void)pthread_mutex_lock(&pm->lock);
	for (i = 0; i < len; i++)
		data[i] = acpi_pm_read_byte(pm, offset + i);
	(void)pthread_mutex_unlock(&pm->lock);
}

static void acpi_pm_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct acpi_pm *pm = opaque;
	uint32_t i;

	(void)pthread_mutex_lock(&pm->lock);
	for (i = 0; i < len; i++)
		acpi_pm_write_byte(pm, offset + i, data[i]);
	acpi_pm_update_sci(pm);
	(void)pthread_mutex_unlock(&pm->lock);
}

const struct device_ops acpi_pm_ops = {
	.read = acpi_pm_read,
	.write = acpi_pm_write,
};

int acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_callbacks *cb)
{
	int r;

	memset(pm, 0, sizeof(*pm));
	r = pthread_mutex_init(&pm->lock, NULL);
	if (r)
		return -r;
	pm->cb = *cb;
	return 0;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	if (!pm)
		return;
	(void)pthread_mutex_destroy(&pm->lock);
}

void acpi_pm_press_power_button(struct acpi_pm *pm)
{
	(void)pthread_mutex_lock(&pm->lock);
	pm->sts |= ACPI_PM1_STS_PWRBTN;
	acpi_pm_update_sci(pm);
	(void)pthread_mutex_unlock(&pm->lock);
}
