/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fixed hardware a firmware-less guest needs to end itself (ACPI 6.5 §4.8): the
 * PM1a event block (status + enable), the PM1a control block (SCI_EN, SLP_TYP, SLP_EN)
 * and the FADT reset register, in one port-I/O block that acpi.c describes in the FADT.
 *
 *   SLP_EN written with SLP_TYP = ACPI_PM_SLP_TYP_S5 (the DSDT's \_S5)  -> poweroff()
 *   ACPI_PM_RESET_VALUE written to the reset register                 -> reset()
 *   (PM1_STS & PM1_EN) != 0                                              -> SCI (IRQ 9) high
 *
 * The status/enable half is there for events: acpi_pm_press_power_button() sets
 * PWRBTN_STS, which raises the SCI once the guest has enabled PWRBTN_EN (Linux's fixed
 * power button does; the FADT declares the button as fixed hardware). Nothing in snpvmm
 * presses the button yet. The device knows nothing of KVM: the SCI goes out through a
 * callback, like the UART's IRQ.
 */
#ifndef SNPVMM_DEVICES_ACPI_PM_H
#define SNPVMM_DEVICES_ACPI_PM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

/* Port layout (ours; QEMU's PIIX4 and ICH9 PM blocks sit at 0x600 as well). */
#define ACPI_PM_IO_BASE	     0x600
#define ACPI_PM1_EVT_OFFSET  0 /* PM1a_STS (2 bytes), then PM1a_EN (2 bytes) */
#define ACPI_PM1_EVT_LEN     4
#define ACPI_PM1_CNT_OFFSET  4 /* PM1a_CNT (2 bytes) */
#define ACPI_PM1_CNT_LEN     2
#define ACPI_PM_RESET_OFFSET 6 /* the FADT RESET_REG (1 byte) */
#define ACPI_PM_IO_LEN	     7

/* The SCI: ISA IRQ 9, level-triggered, active high (MADT interrupt source override). */
#define ACPI_PM_SCI_IRQ 9

/* Written to the reset register to reset the machine (the FADT's RESET_VALUE). */
#define ACPI_PM_RESET_VALUE 0x01
/* SLP_TYP of S5 (soft off), as the DSDT's \_S5 package says. No other sleep state is
 * declared, so no other SLP_TYP does anything. */
#define ACPI_PM_SLP_TYP_S5  5

/* ACPI 6.5 §4.8.4.1.1 PM1 Status (Table 4.16) and §4.8.4.1.2 PM1 Enable (Table 4.17). */
#define ACPI_PM1_STS_GBL	   (1u << 5)
#define ACPI_PM1_STS_PWRBTN	   (1u << 8)
#define ACPI_PM1_STS_WAK	   (1u << 15)
#define ACPI_PM1_EN_GBL		   (1u << 5)
#define ACPI_PM1_EN_PWRBTN	   (1u << 8)
/* §4.8.4.2.1 PM1 Control (Table 4.18). */
#define ACPI_PM1_CNT_SCI_EN	   (1u << 0)
#define ACPI_PM1_CNT_BM_RLD	   (1u << 1)
#define ACPI_PM1_CNT_GBL_RLS	   (1u << 2)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP_MASK  (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN	   (1u << 13)

typedef void acpi_pm_event_fn(void *ctx);
typedef void acpi_pm_sci_fn(void *ctx, bool level);

struct acpi_pm_callbacks {
	acpi_pm_event_fn *poweroff; /* the guest entered S5 */
	acpi_pm_event_fn *reset;    /* the guest wrote the reset register */
	acpi_pm_sci_fn *set_sci;    /* SCI level changed; may be NULL */
	void *ctx;
};

struct acpi_pm {
	pthread_mutex_t lock;
	struct acpi_pm_callbacks cb;
	uint16_t sts, en, cnt;
	bool sci_level;
};

extern const struct device_ops acpi_pm_ops;

int acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_callbacks *cb)
	__attribute__((warn_unused_result));
void acpi_pm_destroy(struct acpi_pm *pm);
/* Sets PWRBTN_STS (a press of the fixed power button); the SCI follows PM1_EN. */
void acpi_pm_press_power_button(struct acpi_pm *pm);

#endif /* SNPVMM_DEVICES_ACPI_PM_H */
