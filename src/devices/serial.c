// SPDX-License-Identifier: MIT
/*
 * 16550A UART. Register semantics follow the National/TI PC16550D datasheet (its "Interrupt
 * Control Functions" and "UART Reset Configuration" tables and register descriptions) and the
 * IBM 5150 Technical Reference, Asynchronous Communications Adapter; where a PC board adds
 * behaviour (OUT2 gating the IRQ) or Linux depends on a detail, the comment says so.
 * Transmission is synchronous: THR and the transmit shift register are always empty again by
 * the time a THR write returns, so there is no TX FIFO and no timer.
 */
#include "devices/serial.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <linux/serial_reg.h>

/* IIR bits 7:6 read 11 while FCR0 is set. Linux's autoconfig() tells a 16550A from a 16450
 * by exactly this ("switch (scratch >> 6)", drivers/tty/serial/8250/8250_port.c). */
#define SERIAL_IIR_FIFO_BITS  0xc0
/* FCR bits the chip latches: RX trigger level (7:6), DMA mode (3), FIFO enable (0). */
#define SERIAL_FCR_LATCHED    0xc9
/* IER 7:4 and MCR 7:5 do not exist on a 16550A and read as zero. autoconfig() writes 0x0f to
 * IER and insists on reading back exactly 0x0f; it also probes IER bit 6 for XScale UARTs. */
#define SERIAL_IER_MASK	      0x0f
#define SERIAL_MCR_MASK	      0x1f
#define SERIAL_MSR_INPUTS     0xf0
/* Outside loopback the modem inputs show a connected null-modem (DCD, DSR, CTS), as kvmtool
 * (hw/serial.c SERIAL_REGS_SETTING) and vm-superio (DEFAULT_MODEM_STATUS) do, so a guest using
 * CRTSCTS or waiting for carrier is never held off. */
#define SERIAL_MSR_CONNECTED  (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
/* The divisor is undefined at power-on; 12 is 9600 baud from the PC's 1.8432 MHz clock and is
 * what vm-superio (DEFAULT_BAUD_DIVISOR_LOW) reports. Nothing depends on it. */
#define SERIAL_DEFAULT_DLL    0x0c
/*
 * How long one THR write may wait for out_fd to accept a byte. A vCPU is stalled inside the
 * port write meanwhile, so a stuck reader must cost a bounded delay per byte and never a hang;
 * vm-superio likewise completes the THR write "irrespective of whether we are able to write
 * the byte" (serial.rs, Serial::write). 50 ms rides out a terminal that is briefly behind.
 */
#define SERIAL_OUT_TIMEOUT_MS 50

static unsigned int serial_rx_capacity(const struct serial *s)
{
	/* Without FCR0 the chip is a 16450: one receive holding register and no FIFO. The real
	 * FIFO holds 16; SERIAL_FIFO_SIZE is 64 like kvmtool's, harmless because Linux drains
	 * RBR while LSR.DR rather than counting to the FIFO size. */
	return (s->fcr & UART_FCR_ENABLE_FIFO) ? SERIAL_FIFO_SIZE : 1;
}

static bool serial_in_loopback(const struct serial *s)
{
	return s->mcr & UART_MCR_LOOP;
}

static void serial_rx_push(struct serial *s, uint8_t byte)
{
	s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
	s->rx_count++;
	s->lsr |= UART_LSR_DR;
}

static uint8_t serial_rx_pop(struct serial *s)
{
	uint8_t byte;

	/* An empty RBR reads 0, as QEMU's FIFO mode and vm-superio return. */
	if (!s->rx_count)
		return 0;
	byte = s->rx_fifo[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
	if (--s->rx_count == 0)
		s->lsr &= ~UART_LSR_DR;
	return byte;
}

static void serial_rx_clear(struct serial *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
	s->lsr &= ~UART_LSR_DR;
}

/* Highest-priority pending source, per the PC16550D Interrupt Control Functions table. Receive data is reported whenever the
 * FIFO is non-empty: with synchronous input there is no trigger level or character timeout
 * worth modelling, and Linux's handler drains RBR while LSR.DR whichever ID it saw. */
static uint8_t serial_pending_iir(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_BRK_ERROR_BITS))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/*
 * On a PC the UART's INTR pin reaches the ISA IRQ line only through a buffer enabled by the OUT2
 * output; hence Linux's serial8250_do_startup() "Most PC uarts need OUT2 raised to enable
 * interrupts" and serial8250_do_shutdown() dropping OUT2 to silence the port. Loopback forces
 * the OUT pins inactive (PC16550D, MCR bit 4), so the IRQ is cut there too, while IIR keeps
 * reporting sources. QEMU (serial_update_irq) and kvmtool do not gate; kvmtool and vm-superio
 * instead preset MCR.OUT2 so guests that never set it still get interrupts. We model the board.
 * Runs under s->lock, so two threads' level changes reach set_irq in order; set_irq must not
 * call back into this device.
 */
static void serial_update_irq(struct serial *s)
{
	bool level;

	s->iir = serial_pending_iir(s);
	level = s->iir != UART_IIR_NO_INT &&
		(s->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) == UART_MCR_OUT2;
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->set_irq)
		s->set_irq(s->irq_ctx, level);
}

static uint8_t serial_msr_inputs(const struct serial *s)
{
	uint8_t mcr = s->mcr;

	if (!serial_in_loopback(s))
		return SERIAL_MSR_CONNECTED;
	/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD (PC16550D MCR bit 4; IBM 5150
	 * Tech Ref, MSR bits 4-7). Linux's autoconfig() writes LOOP|OUT2|RTS and requires
	 * MSR & 0xf0 == DCD|CTS, else it decides there is no UART. */
	return ((mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
	       ((mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
	       ((mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
	       ((mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
}

static void serial_update_msr(struct serial *s)
{
	uint8_t old = s->msr & SERIAL_MSR_INPUTS;
	uint8_t now = serial_msr_inputs(s);
	/* Each input bit (7:4) has its delta bit four places lower: DDCD, TERI, DDSR, DCTS. */
	uint8_t delta = (old ^ now) >> 4;

	/* TERI flags only the trailing (1 -> 0) edge of RI. */
	if (!((old & UART_MSR_RI) && !(now & UART_MSR_RI)))
		delta &= ~UART_MSR_TERI;
	s->msr = now | (s->msr & UART_MSR_ANY_DELTA) | delta;
}

static void serial_emit(struct serial *s, uint8_t byte)
{
	struct pollfd pfd = { .fd = s->out_fd, .events = POLLOUT };
	ssize_t n;
	int r;

	if (s->out_fd < 0)
		return;
	for (;;) {
		/* Once a byte timed out, the reader is stuck: drop output without waiting until
		 * it takes a byte again, or a guest printing a page would hold the port (and
		 * its lock) for minutes. */
		r = poll(&pfd, 1, s->out_stalled ? 0 : SERIAL_OUT_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		/* Timed out, failed, or the reader is gone (POLLERR on a widowed pipe): drop the
		 * byte instead of letting write() raise SIGPIPE or block. */
		if (r <= 0 || (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
			s->out_stalled = r == 0;
			s->bytes_dropped++;
			return;
		}
		n = write(s->out_fd, &byte, 1);
		if (n == 1) {
			s->bytes_out++;
			s->out_stalled = false;
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return; /* EAGAIN from a racing writer, EIO, ...: drop */
	}
}

static void serial_write_thr(struct serial *s, uint8_t byte)
{
	/* Writing THR resets a THRE interrupt (PC16550D Interrupt Control Functions). */
	s->thr_ipending = false;
	serial_update_irq(s);

	if (serial_in_loopback(s)) {
		/* The transmitter feeds the receiver; a full FIFO overruns (the FIFO keeps its
		 * contents, the new character is lost), which is what LSR.OE reports. */
		if (s->rx_count < serial_rx_capacity(s))
			serial_rx_push(s, byte);
		else
			s->lsr |= UART_LSR_OE;
	} else {
		serial_emit(s, byte);
	}

	/* The byte is gone already, so THR is empty again and raises a fresh THRE interrupt. The
	 * line dropped above, so an edge-triggered ISA IRQ sees a new edge; QEMU's
	 * serial_ioport_write() + serial_xmit() produce the same low-high pair. */
	s->thr_ipending = true;
}

static void serial_write_ier(struct serial *s, uint8_t val)
{
	uint8_t old = s->ier;

	s->ier = val & SERIAL_IER_MASK;
	/* Enabling ETBEI while THR is empty (always, here) raises THRE at once. Linux's
	 * serial8250_do_startup() probes exactly this (UART_BUG_THRE) and its start_tx relies on
	 * it to get the first TX interrupt. */
	if (!(old & UART_IER_THRI) && (s->ier & UART_IER_THRI))
		s->thr_ipending = true;
}

static void serial_write_fcr(struct serial *s, uint8_t val)
{
	/* FCR0 must be set for the other bits to be programmed; clearing it, or setting it,
	 * switches 16450/FIFO mode and empties the FIFOs (PC16550D, FCR bit 0). */
	if (!(val & UART_FCR_ENABLE_FIFO)) {
		if (s->fcr & UART_FCR_ENABLE_FIFO)
			serial_rx_clear(s);
		s->fcr = 0;
		return;
	}
	if (!(s->fcr & UART_FCR_ENABLE_FIFO))
		val |= UART_FCR_CLEAR_RCVR;
	if (val & UART_FCR_CLEAR_RCVR)
		serial_rx_clear(s);
	/* UART_FCR_CLEAR_XMIT: the transmitter never holds data, nothing to clear. */
	s->fcr = val & SERIAL_FCR_LATCHED;
}

static uint8_t serial_read_reg(struct serial *s, uint64_t reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t val;

	switch (reg) {
	case UART_RX:
		return dlab ? s->dll : serial_rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		val = s->iir;
		if (s->fcr & UART_FCR_ENABLE_FIFO)
			val |= SERIAL_IIR_FIFO_BITS;
		/* Reading IIR resets THRE only when THRE is the source it reports (PC16550D
		 * Interrupt Control Functions). */
		if (s->iir == UART_IIR_THRI)
			s->thr_ipending = false;
		return val;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		val = s->lsr;
		/* Error bits clear when LSR is read (PC16550D, LSR bits 1-4). */
		s->lsr &= ~UART_LSR_BRK_ERROR_BITS;
		return val;
	case UART_MSR:
		val = s->msr;
		s->msr &= ~UART_MSR_ANY_DELTA; /* deltas clear on read */
		return val;
	case UART_SCR:
		return s->scr;
	default:
		return 0xff; /* beyond the 8 registers: nothing drives the bus */
	}
}

static void serial_write_reg(struct serial *s, uint64_t reg, uint8_t val)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab)
			s->dll = val;
		else
			serial_write_thr(s, val);
		break;
	case UART_IER:
		if (dlab)
			s->dlm = val;
		else
			serial_write_ier(s, val);
		break;
	case UART_FCR:
		serial_write_fcr(s, val);
		break;
	case UART_LCR:
		s->lcr = val;
		break;
	case UART_MCR:
		s->mcr = val & SERIAL_MCR_MASK;
		serial_update_msr(s);
		break;
	case UART_SCR:
		s->scr = val;
		break;
	default:
		/* LSR (factory test only) and MSR are read-only in practice, as in QEMU. */
		break;
	}
}

/* A wider access is split into byte cycles on consecutive registers, as the ISA bus does. */
static void serial_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct serial *s = opaque;
	uint32_t i;

	(void)pthread_mutex_lock(&s->lock);
	for (i = 0; i < len; i++) {
		data[i] = serial_read_reg(s, offset + i);
		serial_update_irq(s);
	}
	(void)pthread_mutex_unlock(&s->lock);
}

static void serial_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct serial *s = opaque;
	uint32_t i;

	(void)pthread_mutex_lock(&s->lock);
	for (i = 0; i < len; i++) {
		serial_write_reg(s, offset + i, data[i]);
		serial_update_irq(s);
	}
	(void)pthread_mutex_unlock(&s->lock);
}

const struct device_ops serial_ops = {
	.read = serial_read,
	.write = serial_write,
};

int serial_init(struct serial *s, int out_fd, serial_irq_fn *set_irq, void *irq_ctx)
{
	int r;

	memset(s, 0, sizeof(*s));
	r = pthread_mutex_init(&s->lock, NULL);
	if (r)
		return -r;
	s->out_fd = out_fd;
	s->set_irq = set_irq;
	s->irq_ctx = irq_ctx;
	/* Master-reset values (PC16550D UART Reset Configuration): all 0 except these. */
	s->iir = UART_IIR_NO_INT;
	s->lsr = UART_LSR_TEMT | UART_LSR_THRE;
	s->msr = SERIAL_MSR_CONNECTED;
	s->dll = SERIAL_DEFAULT_DLL;
	return 0;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	(void)pthread_mutex_destroy(&s->lock);
}

size_t serial_push_input(struct serial *s, const uint8_t *data, size_t len)
{
	size_t n = 0;

	(void)pthread_mutex_lock(&s->lock);
	/* Loopback disconnects the serial input (PC16550D, MCR bit 4); kvmtool's
	 * serial8250__receive() and vm-superio's enqueue_raw_bytes() refuse input there too. */
	if (!serial_in_loopback(s)) {
		while (n < len && s->rx_count < serial_rx_capacity(s))
			serial_rx_push(s, data[n++]);
		serial_update_irq(s);
	}
	(void)pthread_mutex_unlock(&s->lock);
	return n;
}

size_t serial_input_room(struct serial *s)
{
	size_t room = 0;

	(void)pthread_mutex_lock(&s->lock);
	if (!serial_in_loopback(s))
		room = serial_rx_capacity(s) - s->rx_count;
	(void)pthread_mutex_unlock(&s->lock);
	return room;
}
