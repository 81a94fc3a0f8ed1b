// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/serial_reg.h>

#include <cmocka.h>

#include "devices/serial.h"

#define IRQ_LOG_MAX 16

struct irq_log {
	bool levels[IRQ_LOG_MAX];
	unsigned int n;
};

struct fixture {
	struct serial s;
	int rd, wr; /* the pipe serving as out_fd: the device writes wr, tests read rd */
	struct irq_log irq;
};

static void record_irq(void *ctx, bool level)
{
	struct irq_log *log = ctx;

	if (log->n < IRQ_LOG_MAX)
		log->levels[log->n] = level;
	log->n++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fds[2];

	if (!f)
		return -1;
	/* Non-blocking so that "nothing was written" reads as EAGAIN instead of hanging. */
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	f->rd = fds[0];
	f->wr = fds[1];
	if (serial_init(&f->s, f->wr, record_irq, &f->irq) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	serial_destroy(&f->s);
	if (f->rd >= 0)
		close(f->rd);
	close(f->wr);
	free(f);
	return 0;
}

static void out8(struct fixture *f, uint64_t reg, uint8_t val)
{
	serial_ops.write(&f->s, reg, &val, 1);
}

static uint8_t in8(struct fixture *f, uint64_t reg)
{
	uint8_t val = 0;

	serial_ops.read(&f->s, reg, &val, 1);
	return val;
}

static void push(struct fixture *f, uint8_t byte)
{
	assert_int_equal(serial_push_input(&f->s, &byte, 1), 1);
}

/* Bytes the device wrote to out_fd so far (0 when none). */
static ssize_t drain(struct fixture *f, uint8_t *buf, size_t cap)
{
	ssize_t n = read(f->rd, buf, cap);

	return n < 0 ? 0 : n;
}

static void test_serial_thr_write_appears_on_out_fd(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4];

	out8(f, UART_TX, 'A');

	assert_int_equal(drain(f, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'A');
}

static void test_serial_thr_write_counts_bytes_out(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_TX, 'A');
	out8(f, UART_TX, 'B');

	assert_int_equal(f->s.bytes_out, 2);
}

static void test_serial_thr_write_without_out_fd_is_discarded(void **state)
{
	struct serial s;
	uint8_t byte = 'A';
	assert_int_equal(serial_init(&s, -1, NULL, NULL), 0);

	serial_ops.write(&s, UART_TX, &byte, 1);

	assert_int_equal(s.bytes_out, 0);
	serial_destroy(&s);
}

static void test_serial_thr_write_to_widowed_pipe_drops_byte(void **state)
{
	struct fixture *f = *state;
	close(f->rd);
	f->rd = -1;

	/* Would raise SIGPIPE (and kill the test) if the device wrote to a reader-less pipe. */
	out8(f, UART_TX, 'A');

	assert_int_equal(f->s.bytes_out, 0);
}

/* Fills the pipe so that the next write would block: a reader that stopped reading. */
static void fill_pipe(struct fixture *f)
{
	static const uint8_t chunk[4096];
	int flags = fcntl(f->wr, F_GETFL);

	assert_int_equal(fcntl(f->wr, F_SETFL, flags | O_NONBLOCK), 0);
	while (write(f->wr, chunk, sizeof(chunk)) > 0)
		;
	assert_int_equal(fcntl(f->wr, F_SETFL, flags), 0);
}

static void test_serial_stuck_reader_drops_output_without_waiting_again(void **state)
{
	struct fixture *f = *state;
	fill_pipe(f);

	out8(f, UART_TX, 'A');
	out8(f, UART_TX, 'B');
	out8(f, UART_TX, 'C');

	assert_true(f->s.out_stalled);
	assert_int_equal(f->s.bytes_dropped, 3);
	assert_int_equal(f->s.bytes_out, 0);
}

static void test_serial_reader_that_resumes_gets_output_again(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4096];
	fill_pipe(f);
	out8(f, UART_TX, 'A');

	assert_true(drain(f, buf, sizeof(buf)) > 0);
	out8(f, UART_TX, 'B');

	assert_false(f->s.out_stalled);
	assert_int_equal(f->s.bytes_out, 1);
}

static void test_serial_dlab_divisor_write_emits_nothing(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4];
	out8(f, UART_LCR, UART_LCR_DLAB);

	out8(f, UART_DLL, 0x01);
	out8(f, UART_DLM, 0x00);

	assert_int_equal(drain(f, buf, sizeof(buf)), 0);
	assert_int_equal(f->s.bytes_out, 0);
}

static void test_serial_dlab_divisor_latch_reads_back(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_LCR, UART_LCR_DLAB);

	out8(f, UART_DLL, 0x03);
	out8(f, UART_DLM, 0x01);

	assert_int_equal(in8(f, UART_DLL), 0x03);
	assert_int_equal(in8(f, UART_DLM), 0x01);
}

static void test_serial_dlab_clear_restores_ier(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_RDI);
	out8(f, UART_LCR, UART_LCR_DLAB);
	out8(f, UART_DLM, 0x55);

	out8(f, UART_LCR, 0x03);

	assert_int_equal(in8(f, UART_IER), UART_IER_RDI);
}

static void test_serial_lsr_idle_reports_thre_temt(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in8(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_serial_lsr_after_thr_write_reports_thre_temt(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_TX, 'A');

	assert_int_equal(in8(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_serial_push_input_sets_lsr_dr(void **state)
{
	struct fixture *f = *state;

	push(f, 'x');

	assert_int_equal(in8(f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
}

static void test_serial_rbr_read_returns_pushed_bytes_in_order(void **state)
{
	struct fixture *f = *state;
	static const uint8_t in[2] = { 'h', 'i' };
	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(serial_push_input(&f->s, in, 2), 2);

	assert_int_equal(in8(f, UART_RX), 'h');
	assert_int_equal(in8(f, UART_RX), 'i');
}

static void test_serial_rbr_read_of_last_byte_clears_dr(void **state)
{
	struct fixture *f = *state;
	push(f, 'x');

	(void)in8(f, UART_RX);

	assert_int_equal(in8(f, UART_LSR) & UART_LSR_DR, 0);
}

static void test_serial_rx_data_with_erbfi_raises_irq(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_OUT2);
	out8(f, UART_IER, UART_IER_RDI);

	push(f, 'x');

	assert_int_equal(f->irq.n, 1);
	assert_true(f->irq.levels[0]);
}

static void test_serial_rx_data_reported_by_iir(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_RDI);

	push(f, 'x');

	assert_int_equal(in8(f, UART_IIR), UART_IIR_RDI);
}

static void test_serial_rx_drained_lowers_irq(void **state)
{
	struct fixture *f = *state;
	static const bool want[] = { true, false };
	out8(f, UART_MCR, UART_MCR_OUT2);
	out8(f, UART_IER, UART_IER_RDI);
	push(f, 'x');

	(void)in8(f, UART_RX);

	assert_int_equal(f->irq.n, 2);
	assert_memory_equal(f->irq.levels, want, sizeof(want));
}

static void test_serial_rx_more_input_at_same_level_does_not_call_irq_again(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	out8(f, UART_MCR, UART_MCR_OUT2);
	out8(f, UART_IER, UART_IER_RDI);
	push(f, 'x');

	push(f, 'y');

	assert_int_equal(f->irq.n, 1);
}

static void test_serial_rx_without_erbfi_keeps_irq_low(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_OUT2);

	push(f, 'x');

	assert_int_equal(f->irq.n, 0);
	assert_int_equal(in8(f, UART_IIR), UART_IIR_NO_INT);
}

static void test_serial_ier_thri_enable_raises_irq(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_OUT2);

	out8(f, UART_IER, UART_IER_THRI);

	assert_int_equal(f->irq.n, 1);
	assert_true(f->irq.levels[0]);
	assert_int_equal(in8(f, UART_IIR), UART_IIR_THRI);
}

static void test_serial_iir_read_reporting_thri_clears_irq(void **state)
{
	struct fixture *f = *state;
	static const bool want[] = { true, false };
	out8(f, UART_MCR, UART_MCR_OUT2);
	out8(f, UART_IER, UART_IER_THRI);

	(void)in8(f, UART_IIR);

	assert_int_equal(f->irq.n, 2);
	assert_memory_equal(f->irq.levels, want, sizeof(want));
	assert_int_equal(in8(f, UART_IIR), UART_IIR_NO_INT);
}

static void test_serial_thr_write_with_thri_pulses_irq(void **state)
{
	struct fixture *f = *state;
	static const bool want[] = { true, false, true };
	out8(f, UART_MCR, UART_MCR_OUT2);
	out8(f, UART_IER, UART_IER_THRI);

	out8(f, UART_TX, 'A');

	assert_int_equal(f->irq.n, 3);
	assert_memory_equal(f->irq.levels, want, sizeof(want));
}

static void test_serial_thr_write_after_thri_ack_raises_irq(void **state)
{
	struct fixture *f = *state;
	static const bool want[] = { true, false, true };
	out8(f, UART_MCR, UART_MCR_OUT2);
	out8(f, UART_IER, UART_IER_THRI);
	(void)in8(f, UART_IIR);

	out8(f, UART_TX, 'A');

	assert_int_equal(f->irq.n, 3);
	assert_memory_equal(f->irq.levels, want, sizeof(want));
}

static void test_serial_ier_rewrite_with_thri_kept_does_not_rearm_thre(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_THRI);
	(void)in8(f, UART_IIR);

	out8(f, UART_IER, UART_IER_THRI | UART_IER_RDI);

	assert_int_equal(in8(f, UART_IIR), UART_IIR_NO_INT);
}

static void test_serial_iir_rx_outranks_thre(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_RDI | UART_IER_THRI);

	push(f, 'x');

	assert_int_equal(in8(f, UART_IIR), UART_IIR_RDI);
}

static void test_serial_iir_read_reporting_rx_keeps_thre_pending(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_RDI | UART_IER_THRI);
	push(f, 'x');
	(void)in8(f, UART_IIR);

	(void)in8(f, UART_RX);

	assert_int_equal(in8(f, UART_IIR), UART_IIR_THRI);
}

static void test_serial_iir_line_status_outranks_rx(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_LOOP);
	out8(f, UART_IER, UART_IER_RLSI | UART_IER_RDI);
	out8(f, UART_TX, 'a');

	out8(f, UART_TX, 'b'); /* the 16450-mode holding register is full: overrun */

	assert_int_equal(in8(f, UART_IIR), UART_IIR_RLSI);
}

static void test_serial_iir_thre_outranks_modem_status(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_THRI | UART_IER_MSI);

	out8(f, UART_MCR, UART_MCR_LOOP); /* inputs drop: delta bits set */

	assert_int_equal(in8(f, UART_IIR), UART_IIR_THRI);
}

static void test_serial_iir_reports_modem_status_change(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_MSI);

	out8(f, UART_MCR, UART_MCR_LOOP);

	assert_int_equal(in8(f, UART_IIR), UART_IIR_MSI);
}

static void test_serial_lsr_reports_loopback_overrun(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_LOOP);
	out8(f, UART_TX, 'a');

	out8(f, UART_TX, 'b');

	assert_int_equal(in8(f, UART_LSR),
			 UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_OE | UART_LSR_DR);
}

static void test_serial_lsr_read_clears_overrun(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_LOOP);
	out8(f, UART_TX, 'a');
	out8(f, UART_TX, 'b');

	(void)in8(f, UART_LSR);

	assert_int_equal(in8(f, UART_LSR) & UART_LSR_OE, 0);
}

static void test_serial_iir_fifo_enabled_sets_top_bits(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);

	assert_int_equal(in8(f, UART_IIR), 0xc0 | UART_IIR_NO_INT);
}

static void test_serial_iir_fifo_disabled_clears_top_bits(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);

	out8(f, UART_FCR, 0);

	assert_int_equal(in8(f, UART_IIR), UART_IIR_NO_INT);
}

static void test_serial_fcr_clear_rcvr_empties_fifo(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	push(f, 'x');

	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);

	assert_int_equal(in8(f, UART_LSR) & UART_LSR_DR, 0);
}

static void test_serial_loopback_thr_write_reaches_rbr(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_LOOP);

	out8(f, UART_TX, 'L');

	assert_int_equal(in8(f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(in8(f, UART_RX), 'L');
}

static void test_serial_loopback_thr_write_skips_out_fd(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4];
	out8(f, UART_MCR, UART_MCR_LOOP);

	out8(f, UART_TX, 'L');

	assert_int_equal(drain(f, buf, sizeof(buf)), 0);
	assert_int_equal(f->s.bytes_out, 0);
}

static void test_serial_loopback_push_input_returns_zero(void **state)
{
	struct fixture *f = *state;
	uint8_t byte = 'x';
	out8(f, UART_MCR, UART_MCR_LOOP);

	assert_int_equal(serial_push_input(&f->s, &byte, 1), 0);
	assert_int_equal(serial_input_room(&f->s), 0);
}

static void test_serial_msr_outside_loopback_reports_connected_lines(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in8(f, UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

/* Linux's 8250 autoconfig(): MCR = LOOP|OUT2|RTS must read back MSR & 0xf0 == DCD|CTS. */
static void test_serial_loopback_msr_maps_out2_rts_to_dcd_cts(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);

	assert_int_equal(in8(f, UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
}

static void test_serial_loopback_msr_maps_dtr_out1_to_dsr_ri(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);

	assert_int_equal(in8(f, UART_MSR) & 0xf0, UART_MSR_DSR | UART_MSR_RI);
}

static void test_serial_loopback_entry_sets_msr_deltas(void **state)
{
	struct fixture *f = *state;

	/* CTS stays (RTS), DSR and DCD drop: DDSR|DDCD. */
	out8(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);

	assert_int_equal(in8(f, UART_MSR), UART_MSR_CTS | UART_MSR_DDSR | UART_MSR_DDCD);
}

static void test_serial_msr_read_clears_deltas(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	(void)in8(f, UART_MSR);

	assert_int_equal(in8(f, UART_MSR), UART_MSR_CTS);
}

static void test_serial_msr_ri_trailing_edge_sets_teri(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	(void)in8(f, UART_MSR);

	out8(f, UART_MCR, UART_MCR_LOOP);

	assert_int_equal(in8(f, UART_MSR), UART_MSR_TERI);
}

static void test_serial_pending_irq_without_out2_stays_low(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_IER, UART_IER_THRI);

	assert_int_equal(f->irq.n, 0);
	assert_int_equal(in8(f, UART_IIR), UART_IIR_THRI);
}

static void test_serial_out2_set_raises_pending_irq(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_IER, UART_IER_THRI);

	out8(f, UART_MCR, UART_MCR_OUT2);

	assert_int_equal(f->irq.n, 1);
	assert_true(f->irq.levels[0]);
}

static void test_serial_out2_cleared_lowers_irq(void **state)
{
	struct fixture *f = *state;
	static const bool want[] = { true, false };
	out8(f, UART_MCR, UART_MCR_OUT2);
	out8(f, UART_IER, UART_IER_THRI);

	out8(f, UART_MCR, 0);

	assert_int_equal(f->irq.n, 2);
	assert_memory_equal(f->irq.levels, want, sizeof(want));
}

static void test_serial_loopback_with_out2_keeps_irq_low(void **state)
{
	struct fixture *f = *state;
	out8(f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);

	out8(f, UART_IER, UART_IER_THRI);

	assert_int_equal(f->irq.n, 0);
}

static void test_serial_scratch_register_round_trips(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_SCR, 0x5a);

	assert_int_equal(in8(f, UART_SCR), 0x5a);
}

static void test_serial_ier_write_keeps_only_low_nibble(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_IER, 0xff);

	assert_int_equal(in8(f, UART_IER), 0x0f);
}

static void test_serial_mcr_write_keeps_only_low_five_bits(void **state)
{
	struct fixture *f = *state;

	out8(f, UART_MCR, 0xe0 | UART_MCR_OUT2);

	assert_int_equal(in8(f, UART_MCR), UART_MCR_OUT2);
}

static void test_serial_wide_write_splits_into_consecutive_registers(void **state)
{
	struct fixture *f = *state;
	static const uint8_t data[2] = { 0x00, 0x77 }; /* MSR (ignored), SCR */

	serial_ops.write(&f->s, UART_MSR, data, 2);

	assert_int_equal(in8(f, UART_SCR), 0x77);
}

static void test_serial_push_input_when_fifo_full_returns_count_that_fit(void **state)
{
	struct fixture *f = *state;
	static const uint8_t in[SERIAL_FIFO_SIZE + 6];
	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);

	assert_int_equal(serial_push_input(&f->s, in, sizeof(in)), SERIAL_FIFO_SIZE);
	assert_int_equal(serial_push_input(&f->s, in, 1), 0);
}

static void test_serial_push_input_in_16450_mode_holds_one_byte(void **state)
{
	struct fixture *f = *state;
	static const uint8_t in[2] = { 'a', 'b' };

	assert_int_equal(serial_push_input(&f->s, in, 2), 1);
}

static void test_serial_input_room_reports_free_fifo_space(void **state)
{
	struct fixture *f = *state;
	static const uint8_t in[10];
	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);

	assert_int_equal(serial_push_input(&f->s, in, sizeof(in)), 10);

	assert_int_equal(serial_input_room(&f->s), SERIAL_FIFO_SIZE - 10);
}

static void test_serial_rbr_read_frees_fifo_room(void **state)
{
	struct fixture *f = *state;
	static const uint8_t in[SERIAL_FIFO_SIZE];
	out8(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(serial_push_input(&f->s, in, sizeof(in)), SERIAL_FIFO_SIZE);

	(void)in8(f, UART_RX);

	assert_int_equal(serial_input_room(&f->s), 1);
}

static void test_serial_destroy_accepts_null(void **state)
{
	serial_destroy(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_serial_thr_write_appears_on_out_fd),
		T(test_serial_thr_write_counts_bytes_out),
		T(test_serial_thr_write_without_out_fd_is_discarded),
		T(test_serial_thr_write_to_widowed_pipe_drops_byte),
		T(test_serial_stuck_reader_drops_output_without_waiting_again),
		T(test_serial_reader_that_resumes_gets_output_again),
		T(test_serial_dlab_divisor_write_emits_nothing),
		T(test_serial_dlab_divisor_latch_reads_back),
		T(test_serial_dlab_clear_restores_ier),
		T(test_serial_lsr_idle_reports_thre_temt),
		T(test_serial_lsr_after_thr_write_reports_thre_temt),
		T(test_serial_push_input_sets_lsr_dr),
		T(test_serial_rbr_read_returns_pushed_bytes_in_order),
		T(test_serial_rbr_read_of_last_byte_clears_dr),
		T(test_serial_rx_data_with_erbfi_raises_irq),
		T(test_serial_rx_data_reported_by_iir),
		T(test_serial_rx_drained_lowers_irq),
		T(test_serial_rx_more_input_at_same_level_does_not_call_irq_again),
		T(test_serial_rx_without_erbfi_keeps_irq_low),
		T(test_serial_ier_thri_enable_raises_irq),
		T(test_serial_iir_read_reporting_thri_clears_irq),
		T(test_serial_thr_write_with_thri_pulses_irq),
		T(test_serial_thr_write_after_thri_ack_raises_irq),
		T(test_serial_ier_rewrite_with_thri_kept_does_not_rearm_thre),
		T(test_serial_iir_rx_outranks_thre),
		T(test_serial_iir_read_reporting_rx_keeps_thre_pending),
		T(test_serial_iir_line_status_outranks_rx),
		T(test_serial_iir_thre_outranks_modem_status),
		T(test_serial_iir_reports_modem_status_change),
		T(test_serial_lsr_reports_loopback_overrun),
		T(test_serial_lsr_read_clears_overrun),
		T(test_serial_iir_fifo_enabled_sets_top_bits),
		T(test_serial_iir_fifo_disabled_clears_top_bits),
		T(test_serial_fcr_clear_rcvr_empties_fifo),
		T(test_serial_loopback_thr_write_reaches_rbr),
		T(test_serial_loopback_thr_write_skips_out_fd),
		T(test_serial_loopback_push_input_returns_zero),
		T(test_serial_msr_outside_loopback_reports_connected_lines),
		T(test_serial_loopback_msr_maps_out2_rts_to_dcd_cts),
		T(test_serial_loopback_msr_maps_dtr_out1_to_dsr_ri),
		T(test_serial_loopback_entry_sets_msr_deltas),
		T(test_serial_msr_read_clears_deltas),
		T(test_serial_msr_ri_trailing_edge_sets_teri),
		T(test_serial_pending_irq_without_out2_stays_low),
		T(test_serial_out2_set_raises_pending_irq),
		T(test_serial_out2_cleared_lowers_irq),
		T(test_serial_loopback_with_out2_keeps_irq_low),
		T(test_serial_scratch_register_round_trips),
		T(test_serial_ier_write_keeps_only_low_nibble),
		T(test_serial_mcr_write_keeps_only_low_five_bits),
		T(test_serial_wide_write_splits_into_consecutive_registers),
		T(test_serial_push_input_when_fifo_full_returns_count_that_fit),
		T(test_serial_push_input_in_16450_mode_holds_one_byte),
		T(test_serial_input_room_reports_free_fifo_space),
		T(test_serial_rbr_read_frees_fifo_room),
		cmocka_unit_test(test_serial_destroy_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
