/* Internals of the virtio target's guest: the state the platform calls
 * share, and the interfaces between its files.
 *
 *   pvh.S      PVH note, 32-bit entry, boot page tables, long mode
 *   boot.c     ring0_start: the boot sequence, the boot information
 *   cmdline.c  the command line: platform parameters and argv
 *   memory.c   the memory map, the boot allocator and the final layout
 *   paging.c   page tables: W^X from the program headers
 *   serial.c   16550 console (COM1) and diagnostics (COM2)
 *   clock.c    TSC against the PIT or kvmclock; CMOS RTC
 *   acpi.c     the ACPI power-off register (FADT, \_S5)
 *   stop.c     exit record, power-off, crash reports, the NMI pin
 *   debug.c    what pith run's --core, --gdb, --profile read in the guest
 *   virtq.c    split virtqueues (host-testable)
 *   vdev.c     what every virtio driver does (host-testable)
 *   vnet.c, vblk.c        virtio-net and virtio-blk (host-testable)
 *   mmio.c, pci.c         the two transports and their discovery
 *   devices.c  platform.h's device calls and pith_yield
 *
 * Everything here is kernel code (-mgeneral-regs-only). */
#ifndef PITH_VIO_H
#define PITH_VIO_H

#include <stddef.h>
#include <stdint.h>

#include "../common/manifest.h"
#include "pith/platform.h"

/* Bytes of the command line kept: room for 4 KiB of application
 * arguments percent-encoded at about 1.3 bytes per byte, and the VMM's
 * own parameters (virtio_mmio.device=... per device). */
#define VIO_CMDLINE_MAX 8192

/* Arguments the runtime passes to main (platform/x86_64/musl/run.c has
 * room for this many pointers). */
#define VIO_ARGC_MAX 511

/* Memory map entries read from the start info; QEMU gives 3 to 6. */
#define VIO_MEMMAP_MAX 32

/* MMIO windows mapped for devices: two per device covers a PCI device's
 * capabilities in separate BARs, plus the power-off register. */
#define VIO_WINDOWS_MAX (2 * PITH_DEVICES_MAX + 2)

/* Page-table pages reserved for the final tables: the image and stacks
 * take 4-6, the heap one per GiB, each MMIO window up to 3. */
#define VIO_TABLE_PAGES 48

struct vio_range {
	uint64_t lo, hi; /* [lo, hi) */
};

/* What the boot learned and set up; valid from ring0_start on. */
struct vio_state {
	struct pith_boot_info info;
	struct pith_manifest manifest;
	char cmdline[VIO_CMDLINE_MAX + 1];
	uint64_t rsdp; /* ACPI root pointer from the start info, or 0 */
	unsigned nram;
	struct vio_range ram[VIO_MEMMAP_MAX];
	uint64_t heap_request; /* pith.heap= (the --mem of pith run) */
	int stats;	       /* pith.stats=1: boot figures at exit */
	uint16_t debug_exit;   /* pith.debug_exit=: isa-debug-exit port */
	uint8_t seed[32];      /* pith.seed= (hex), mixed with RDRAND */
	uint8_t random[32];    /* canary and AT_RANDOM */
	/* layout (memory.c) */
	struct vio_range guard, stack, heap, trap_guard;
	struct vio_range devmem, tables; /* device memory, table reserve */
	unsigned nwindows;
	struct vio_range windows[VIO_WINDOWS_MAX];
	/* clock (clock.c) */
	uint64_t tsc0;	   /* TSC at monotonic time 0 */
	uint64_t tsc_mult; /* ns = (tsc - tsc0) * tsc_mult >> 32 */
	uint64_t wall0;	   /* wall clock at monotonic 0, ns */
	const char *clock; /* how the TSC rate was found */
	uint64_t tsc_main; /* TSC when main was called */
	uint64_t tsc_khz;
};

extern struct vio_state vio;

/* The TSC at the first instruction (pvh.S). */
extern uint64_t virtio_tsc_entry;

/* --- cmdline.c ---------------------------------------------------------- */

/* Parses vio.cmdline: platform parameters into vio, the application's
 * arguments (percent-decoded) into ARGV. Returns argc (>= 1). */
int vio_cmdline_parse(char **argv, const char *argv0_default);

/* The Nth virtio_mmio.device=SIZE@ADDR[:IRQ] entry: 0 and *R set, or -1
 * when there are fewer entries (malformed ones are skipped). */
int vio_cmdline_mmio(unsigned n, struct vio_range *r);

/* --- memory.c ----------------------------------------------------------- */

/* Reads the memory map and places stack, device memory and the heap
 * (ends the guest with a message if RAM is too small). */
void vio_memory_init(void);

/* BYTES of zeroed device memory aligned to ALIGN (a power of two), from
 * the boot allocator; ends the guest if RAM is exhausted. */
void *vio_alloc(size_t bytes, size_t align);

/* Maps the MMIO window [ADDR, ADDR + LEN) now and in the final tables.
 * Returns 0, or -1 if the window is malformed or there are too many. */
int vio_map_mmio(uint64_t addr, uint64_t len);

/* Places the heap after the device memory; call once devices are set. */
void vio_memory_finish(void);

/* --- paging.c ----------------------------------------------------------- */

/* Builds the final page tables from the program headers and vio's
 * layout and loads them. */
void vio_paging_switch(void);

/* Adds an uncached read-write mapping of [LO, HI) to the live (boot)
 * tables, for MMIO above what they map. */
void vio_paging_map_boot(uint64_t lo, uint64_t hi);

/* Whether [ADDR, ADDR + LEN) is memory the guest mapped readable (for
 * crash reports). */
int vio_readable(uint64_t addr, size_t len);

/* --- serial.c ----------------------------------------------------------- */

void vio_serial_init(void);
/* Writes to the console (COM1). */
void vio_console_write(const char *buf, size_t len);
/* Writes to the diagnostic port (COM2 if present, else COM1). */
void vio_diag_write(const char *buf, size_t len);
/* "pith-virtio: TEXT\n" on the diagnostic port. */
void vio_diag(const char *text);
/* Whether diagnostics have a port of their own (COM2). */
int vio_diag_separate(void);

/* --- clock.c ------------------------------------------------------------ */

void vio_clock_init(void);

/* --- stop.c ------------------------------------------------------------- */

/* Writes the exit record, then powers off; the VMM's exit status carries
 * STATUS where it can (docs/deploying.md). */
_Noreturn void vio_power_off(int status);

/* Lets an NMI from the VMM through (stop.c; before the final tables). */
void vio_nmi_init(void);

/* Prints the boot figures and device counters (pith.stats=1; devices.c). */
void vio_print_stats(void);

/* Prints "pith-virtio: TEXT" and ends the guest with STATUS. */
_Noreturn void vio_fail(int status, const char *text);

/* Finds the ACPI power-off register (acpi.c; before the final tables),
 * and writes it (does nothing if there is none). */
void vio_acpi_init(void);
void vio_acpi_power_off(void);

/* --- debug.c ------------------------------------------------------------ */

struct pith_crash;

/* Records the stack and heap for the host (after the final layout). */
void vio_debug_layout(void);

/* Records C's registers and status for the host (a core file). */
void vio_debug_crash(const struct pith_crash *c);

/* Does nothing: a debugger attached through pith run stops here after a
 * crash report (include/pith/abi/virtio.h). */
void vio_debug_park(void);

/* --- mmio.c, pci.c ------------------------------------------------------ */

struct vdev;

/* Sets *D up for the virtio-mmio device in window R. Returns 0, or -1 if
 * there is none (an empty slot) or it is unusable (warned). */
int vio_mmio_probe(const struct vio_range *r, struct vdev *d);

/* Finds the virtio-net and virtio-blk devices on PCI bus 0, in slot
 * order, into OUT[0..MAX); returns how many. */
unsigned vio_pci_scan(struct vdev *out, unsigned max);

/* --- devices.c ---------------------------------------------------------- */

/* Finds the virtio devices and binds them to the manifest's devices, in
 * order per type; ends the guest if one is missing. */
void vio_devices_init(void);

#endif
