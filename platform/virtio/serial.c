/* The 16550 serial ports: COM1 (0x3f8) is the console, where the
 * application's output goes; COM2 (0x2f8), when the VMM has one, takes
 * the platform's diagnostics and crash reports, so that `pith run` can
 * pass the two to its stdout and stderr. Without COM2 (Firecracker,
 * cloud-hypervisor) both go to COM1.
 *
 * Polling only: before each group of up to 16 bytes (the FIFO) the
 * driver waits for the transmitter to empty. A console must never stop
 * an appliance: a port that stays busy for SERIAL_STALL_NS is written to
 * without waiting from then on (the VMM may drop what it cannot take). */
#include "../x86_64/x86.h"
#include "../common/fmt.h"
#include "vio.h"

#define COM1 0x3f8
#define COM2 0x2f8

#define REG_DATA    0
#define REG_IER	    1
#define REG_FCR	    2
#define REG_LCR	    3
#define REG_MCR	    4
#define REG_LSR	    5
#define REG_SCRATCH 7

#define LCR_8N1	     0x03
#define LCR_DLAB     0x80
#define FCR_ENABLE   0x07 /* FIFO on, both cleared */
#define MCR_DTR_RTS  0x03
#define LSR_THR_IDLE 0x20
#define DIVISOR_1152 1 /* 115200 baud */
#define FIFO_BYTES   16

/* How long the transmitter may stay full before the port is written to
 * blind: a host that reads the console keeps up well within it. */
#define SERIAL_STALL_NS (200ULL * 1000 * 1000)
#define SPIN_CHECK	1024

struct port {
	uint16_t base;
	int present;
	int stalled;
};

static struct port com1 = { COM1, 0, 0 }, com2 = { COM2, 0, 0 };

/* A 16550 keeps what is written to its scratch register; an absent port
 * reads back 0xff. */
static int probe(uint16_t base)
{
	x86_outb((uint16_t)(base + REG_SCRATCH), 0x5a);
	if (x86_inb((uint16_t)(base + REG_SCRATCH)) != 0x5a)
		return 0;
	x86_outb((uint16_t)(base + REG_SCRATCH), 0xa5);
	return x86_inb((uint16_t)(base + REG_SCRATCH)) == 0xa5;
}

static void setup(struct port *p)
{
	uint16_t b = p->base;

	p->present = probe(b);
	if (!p->present)
		return;
	x86_outb((uint16_t)(b + REG_IER), 0);
	x86_outb((uint16_t)(b + REG_LCR), LCR_DLAB);
	x86_outb((uint16_t)(b + REG_DATA), DIVISOR_1152);
	x86_outb((uint16_t)(b + REG_IER), 0);
	x86_outb((uint16_t)(b + REG_LCR), LCR_8N1);
	x86_outb((uint16_t)(b + REG_FCR), FCR_ENABLE);
	x86_outb((uint16_t)(b + REG_MCR), MCR_DTR_RTS);
}

void vio_serial_init(void)
{
	setup(&com1);
	setup(&com2);
}

int vio_diag_separate(void)
{
	return com2.present;
}

/* Waits until the transmitter takes a FIFO's worth. The clock may not be
 * calibrated yet (early messages): then the wait is counted in polls. */
static void wait_idle(struct port *p)
{
	uint64_t start = 0;

	if (p->stalled)
		return;
	for (unsigned spins = 0;; spins++) {
		if (x86_inb((uint16_t)(p->base + REG_LSR)) & LSR_THR_IDLE)
			return;
		if (spins % SPIN_CHECK)
			continue;
		if (!vio.tsc_mult) {
			if (spins > SPIN_CHECK * SPIN_CHECK)
				break;
			continue;
		}
		if (!start)
			start = pith_clock_monotonic();
		else if (pith_clock_monotonic() - start > SERIAL_STALL_NS)
			break;
	}
	p->stalled = 1;
}

static void port_write(struct port *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i % FIFO_BYTES == 0)
			wait_idle(p);
		x86_outb((uint16_t)(p->base + REG_DATA), (uint8_t)buf[i]);
	}
}

void vio_console_write(const char *buf, size_t len)
{
	if (com1.present)
		port_write(&com1, buf, len);
}

void vio_diag_write(const char *buf, size_t len)
{
	struct port *p = com2.present ? &com2 : &com1;

	if (p->present)
		port_write(p, buf, len);
}

void vio_diag(const char *text)
{
	static const char prefix[] = "pith-virtio: ";

	vio_diag_write(prefix, sizeof prefix - 1);
	vio_diag_write(text, pith_strnlen(text, 512));
	vio_diag_write("\n", 1);
}

void pith_console_write(const char *buf, size_t len)
{
	vio_console_write(buf, len);
}
