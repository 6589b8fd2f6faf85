/* How a virtio guest ends: its exit status, crash reports, power-off.
 *
 * The exit record. Before powering off, the guest writes the line
 * "pith-virtio: exit N" to the diagnostic port (COM2): `pith run` takes
 * the status from it, since no VMM's own exit status can carry all of
 * 0..255 (QEMU's isa-debug-exit gives (N << 1) | 1, truncated to 8 bits
 * by the host). Without COM2 the line goes to the console, and only for
 * a status other than 0.
 *
 * Power-off, in order: QEMU's isa-debug-exit (pith.debug_exit=PORT) for
 * a status other than 0, so that QEMU alone still says "failed"; ACPI S5
 * (QEMU and cloud-hypervisor exit with 0); isa-debug-exit for status 0
 * where ACPI failed; the i8042 reset line (Firecracker stops on it, QEMU
 * with -no-reboot exits); a halt with interrupts off.
 *
 * Crash reports come from the guest itself: platform/common/crash.c
 * formats them, reading memory only where the guest knows it is mapped,
 * and they go to the diagnostic port, ending with the crash's status. */
#include "../common/crash.h"
#include "../common/fmt.h"
#include "../common/symbols.h"
#include "../x86_64/x86.h"
#include "pith/exit.h"
#include "vio.h"

#define I8042_CMD   0x64
#define I8042_RESET 0xfe
#define OP_HLT	    0xf4
#define VEC_NMI	    2
#define VEC_PF	    14

/* How long a power-off request may take to stop the VM before the next
 * way is tried: VMMs act on it asynchronously (QEMU's main loop stops
 * the CPU a little later), and the next way would change the status. */
#define SETTLE_NS (200ULL * 1000 * 1000)

static int stopping;

static void settle(void)
{
	uint64_t start = pith_clock_monotonic();

	while (vio.tsc_mult && pith_clock_monotonic() - start < SETTLE_NS)
		__asm__ volatile("pause");
}

static void record(int status)
{
	char line[48];
	struct pith_buf b;

	pith_buf_init(&b, line, sizeof line);
	pith_buf_str(&b, "pith-virtio: exit ");
	pith_buf_udec(&b, (uint64_t)status);
	pith_buf_chr(&b, '\n');
	if (vio_diag_separate())
		vio_diag_write(line, b.len);
	else if (status)
		vio_console_write(line, b.len);
}

_Noreturn void vio_power_off(int status)
{
	status &= 0xff;
	if (vio.stats && !stopping)
		vio_print_stats();
	stopping = 1;
	record(status);
	if (status && vio.debug_exit)
		x86_outb(vio.debug_exit, (uint8_t)status);
	vio_acpi_power_off();
	settle();
	if (vio.debug_exit)
		x86_outb(vio.debug_exit, (uint8_t)status);
	x86_outb(I8042_CMD, I8042_RESET);
	settle();
	for (;;)
		__asm__ volatile("cli; hlt");
}

_Noreturn void vio_fail(int status, const char *text)
{
	vio_diag(text);
	vio_power_off(status);
}

_Noreturn void pith_exit(int status)
{
	vio_power_off(status);
}

static int peek(uint64_t addr, void *buf, size_t len)
{
	if (!vio_readable(addr, len))
		return -1;
	__builtin_memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

/* Reports C on the diagnostic port and powers off with its status. A
 * fault while reporting stops at once. The crash is recorded for a core
 * file first, and a debugger may stop the guest after the report
 * (debug.c). */
static _Noreturn void report(struct pith_crash *c)
{
	int code;

	if (stopping)
		vio_power_off(c->code);
	stopping = 1;
	c->peek = peek;
	vio_debug_crash(c);
	code = pith_crash_report(c, vio_diag_write);
	vio_debug_park();
	vio_power_off(code);
}

_Noreturn void ring0_fatal(int code, const char *reason, uint64_t rip,
			   uint64_t rsp, uint64_t rbp)
{
	struct pith_crash c = { 0 };
	struct pith_buf b;

	c.code = code;
	pith_buf_init(&b, c.reason, sizeof c.reason);
	pith_buf_str(&b, reason);
	c.regs.rip = rip;
	c.regs.rsp = rsp;
	c.regs.rbp = rbp;
	report(&c);
}

_Noreturn void pith_abort(const char *reason)
{
	const uint64_t *frame = __builtin_frame_address(0);

	ring0_fatal(PITH_EXIT_ABORT, reason ? reason : "(no reason given)",
		    frame[1] - 1, (uint64_t)(uintptr_t)(frame + 2), frame[0]);
}

/* The stack protector's failure: the link wraps musl's version, which
 * would halt the CPU (mk/target-virtio.mk). */
_Noreturn void __wrap___stack_chk_fail(void);
X86_NO_SSP _Noreturn void __wrap___stack_chk_fail(void)
{
	x86_stack_chk_fail(__builtin_frame_address(0));
}

/* An NMI: the host (pith run) sends one when the guest's CPU has stopped
 * consuming time, which a polling guest does only after a hlt (musl's
 * a_crash, on heap corruption). At a hlt it is that crash; anywhere else
 * the NMI was spurious and the guest resumes. */
static int halted(struct pith_crash *c)
{
	struct pith_buf b;
	uint8_t op;
	uint64_t off;
	const char *fn;

	if (peek(c->regs.rip - 1, &op, 1) < 0 || op != OP_HLT)
		return 0;
	c->regs.rip--;
	fn = pith_symbolize(c->regs.rip, &off);
	c->code = PITH_EXIT_ABORT;
	c->cause = "hlt";
	pith_buf_init(&b, c->reason, sizeof c->reason);
	pith_buf_str(&b, "libc detected memory corruption in ");
	pith_buf_str(&b, fn ? fn : "an unknown function");
	pith_buf_str(&b, " (heap metadata damaged, or a double free)");
	return 1;
}

/* The local APIC's LINT1 pin as an NMI, unmasked: how QEMU delivers an
 * NMI injected from its monitor (KVM injects one directly). The APIC is
 * enabled for it; with interrupts off nothing else arrives. */
#define APIC_BASE	0xfee00000ULL
#define APIC_SVR	0x0f0
#define APIC_SVR_ENABLE 0x100
#define APIC_SPURIOUS	0xff
#define APIC_LVT_LINT1	0x360
#define APIC_DM_NMI	0x400
#define CPUID_APIC	(1u << 9) /* CPUID 1 EDX */

void vio_nmi_init(void)
{
	volatile uint32_t *apic = (volatile uint32_t *)(uintptr_t)APIC_BASE;
	uint32_t id[4];

	x86_cpuid(1, id);
	if (!(id[3] & CPUID_APIC) || vio_map_mmio(APIC_BASE, 4096) < 0)
		return;
	apic[APIC_SVR / 4] = APIC_SVR_ENABLE | APIC_SPURIOUS;
	apic[APIC_LVT_LINT1 / 4] = APIC_DM_NMI;
}

void ring0_exception(struct x86_frame *f)
{
	struct pith_crash c = { 0 };
	const uint64_t regs[18] = { f->rax, f->rbx, f->rcx,   f->rdx, f->rsi,
				    f->rdi, f->rbp, f->rsp,   f->r8,  f->r9,
				    f->r10, f->r11, f->r12,   f->r13, f->r14,
				    f->r15, f->rip, f->rflags };

	__builtin_memcpy(&c.regs, regs, sizeof regs);
	c.have_regs = 1;
	if (f->vector == VEC_NMI) {
		if (!halted(&c))
			return;
		report(&c);
	}
	c.code = pith_crash_x86(&c, f->vector, f->error_code,
				f->vector == VEC_PF ? x86_read_cr2() : 0,
				vio.guard.lo, vio.guard.hi);
	report(&c);
}
