/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART (the PC's COM1 at 0x3f8, IRQ 4). Output goes to a file descriptor, input
 * is pushed in by the VMM's console thread, and the interrupt line is raised through a
 * callback, so the device knows nothing of KVM.
 */
#ifndef SNPVMM_DEVICES_SERIAL_H
#define SNPVMM_DEVICES_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ	 4
#define SERIAL_NR_REGS	 8
#define SERIAL_FIFO_SIZE 64

typedef void serial_irq_fn(void *ctx, bool level);

struct serial {
	pthread_mutex_t lock;
	int out_fd; /* -1: output discarded */
	serial_irq_fn *set_irq;
	void *irq_ctx;
	bool irq_level;
	/* registers */
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, fcr;
	uint8_t dll, dlm;
	bool thr_ipending; /* THR-empty interrupt pending until IIR read or THR write */
	uint8_t rx_fifo[SERIAL_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	uint64_t bytes_out;	/* for tests and statistics */
	uint64_t bytes_dropped; /* the reader was gone or stuck */
	bool out_stalled;	/* the last byte timed out: do not wait for the next */
};

extern const struct device_ops serial_ops;

/* out_fd is borrowed; set_irq may be NULL. */
int serial_init(struct serial *s, int out_fd, serial_irq_fn *set_irq, void *irq_ctx)
	__attribute__((warn_unused_result));
void serial_destroy(struct serial *s);
/* Queues received bytes (what the guest reads from RBR). Returns how many fit. */
size_t serial_push_input(struct serial *s, const uint8_t *data, size_t len);
/* Room left in the receive FIFO. */
size_t serial_input_room(struct serial *s);

#endif /* SNPVMM_DEVICES_SERIAL_H */
