/* pith-kvm, the kvm target's monitor: internal interfaces.
 *
 * The monitor is a host process that runs one pith image as a virtual
 * machine on /dev/kvm. Four layers, one file each:
 *
 *   image.c      checks the ELF image and its notes (refusing bad ones)
 *   mem.c        guest memory, its layout, and the checked accessor
 *   vm.c         KVM: the VM, its page tables, the vCPU in long mode
 *   hypercall.c  the guest's requests (console, clock, sleep, devices)
 *   run.c        the run loop: exits, faults, reports, statistics
 *   seccomp.c    the allow-list the monitor confines itself with
 *   debug.c      --core, --profile, --trace, --stats time; gdb.c: --gdb
 *   main.c       options, order of setup, exit status
 *
 * Every guest value is untrusted: guest addresses become host pointers
 * only through mon_guest(), which checks bounds, overflow and the
 * guest's own permission for the access.
 */
#ifndef PITH_MON_H
#define PITH_MON_H

#include <stddef.h>
#include <stdint.h>

#include "../platform/common/fmt.h"
#include "../platform/common/manifest.h"
#include "../platform/common/options.h"
#include "../platform/linux/hostdev.h"
#include "../tools/common/elf.h"
#include "pith/abi/image.h"
#include "pith/abi/kvm.h"

/* --- Guest memory (mem.c) ------------------------------------------- */

/* Access a guest has to a region, as its page tables say. */
#define MON_R 1u
#define MON_W 2u
#define MON_X 4u

/* Regions of guest memory the guest can see: its segments, the boot
 * page, the trap stack, the stack and the heap. */
#define MON_REGIONS_MAX 16

struct mon_region {
	uint64_t start, end; /* [start, end), page-aligned */
	unsigned perm;	     /* MON_R | MON_W | MON_X */
};

/* The layout of guest memory (include/pith/abi/kvm.h). */
struct mon_layout {
	uint64_t image_end;	       /* first page after the segments */
	uint64_t boot;		       /* the boot page (+ argv) */
	uint64_t trap_lo, trap_hi;     /* exception (IST) stacks */
	uint64_t guard_lo, guard_hi;   /* below the stack */
	uint64_t stack_lo, stack_hi;   /* the application stack */
	uint64_t heap_start, heap_end; /* the heap */
	uint64_t tables, tables_end;   /* page tables (top of memory) */
};

struct mon_mem {
	uint8_t *base;
	uint64_t size;
	struct mon_layout lay;
	struct mon_region region[MON_REGIONS_MAX];
	unsigned nregion;
};

/* The host address of guest range [GPA, GPA + LEN) if all of it lies in
 * regions that allow PERM, else NULL. LEN 0 is allowed (any address the
 * guest can see). */
void *mon_guest(const struct mon_mem *m, uint64_t gpa, uint64_t len,
		unsigned perm);

/* Records a visible region; -1 when the table is full or it overlaps. */
int mon_region_add(struct mon_mem *m, uint64_t start, uint64_t end,
		   unsigned perm);

/* Computes the layout for an image ending at IMAGE_END in SIZE bytes.
 *   0   done; -1 the image and its stacks do not fit (ERR says). */
int mon_layout(struct mon_mem *m, uint64_t image_end, struct pith_buf *err);

/* --- The image (image.c) --------------------------------------------- */

/* Segments a kvm image may have: code, read-only data, data, and room. */
#define MON_SEGMENTS_MAX 8

struct mon_image {
	struct elf_file elf;
	struct pith_manifest manifest;
	uint64_t entry;
	uint64_t end; /* first page after the highest segment */
	struct pith_note_symtab symtab; /* start == end: none */
};

/* Reads and checks the image at PATH for a guest of MEM_SIZE bytes.
 *   0   *IMG is ready;  -1  refused, ERR names the defect. */
int mon_image_open(const char *path, uint64_t mem_size, struct mon_image *img,
		   struct pith_buf *err);

/* As mon_image_open, over SIZE bytes at DATA (malloc'd; owned by IMG
 * from now on). For tests and the fuzzer. */
int mon_image_use(unsigned char *data, size_t size, uint64_t mem_size,
		  struct mon_image *img, struct pith_buf *err);

/* Copies the segments into guest memory and records their regions. */
int mon_image_load(const struct mon_image *img, struct mon_mem *m,
		   struct pith_buf *err);

/* --- Statistics ------------------------------------------------------ */

#define MON_EXIT_REASONS 64

struct mon_stats {
	uint64_t first_run_ns;	   /* CLOCK_MONOTONIC at the first KVM_RUN */
	uint64_t run_ns, guest_ns; /* the run loop; inside KVM_RUN */
	uint64_t exits;
	uint64_t by_reason[MON_EXIT_REASONS];
	uint64_t hypercalls[PITH_HC_COUNT];
	uint64_t console_bytes;
	uint64_t frames_in[PITH_DEVICES_MAX], bytes_in[PITH_DEVICES_MAX];
	uint64_t frames_out[PITH_DEVICES_MAX], bytes_out[PITH_DEVICES_MAX];
};

struct mon_hc;

/* Prints the statistics of a run (stats.c) to the diagnostic descriptor;
 * RESIDENCY has room for a byte per guest page; STATUS_FD is
 * /proc/self/status, opened before confinement. */
int mon_stats_print(const struct mon_hc *hc, const struct mon_mem *mem,
		    unsigned char *residency, int status_fd);

/* --- Hypercalls (hypercall.c) ---------------------------------------- */

/* What a hypercall left for the run loop to do. */
enum mon_next {
	MON_CONTINUE, /* resume the guest */
	MON_EXITED,   /* the guest exited: status in *status */
	MON_STOPPED   /* the guest was stopped: report printed */
};

struct mon_hc {
	struct mon_mem *mem;
	struct hostdev *dev; /* index = handle */
	unsigned ndev;
	struct mon_stats *stats;
	int console_fd;	   /* the guest's console (stdout) */
	int diag_fd;	   /* the monitor's messages (stderr) */
	const char *image; /* for messages */
	/* Crash reports (run.c): symbolization and the exit status. */
	const struct mon_image *img;
	/* Debugging (debug.h): NULL unless a debugging option is on. */
	struct mon_debug *dbg;
	/* Called after a crash report, when set (debug.c). */
	void (*crashed)(struct mon_hc *hc, const uint64_t *regs, int have_regs,
			int code);
};

/* Serves the hypercall on PORT with argument VALUE (a guest-physical
 * address). On MON_EXITED, *STATUS is the guest's exit status; on
 * MON_STOPPED, the reason was printed and *STATUS is the monitor's. */
enum mon_next mon_hypercall(struct mon_hc *hc, unsigned port, uint32_t value,
			    int *status);

/* Makes pith_symbolize() name the functions of HC's image (report.c). */
void mon_symbols_use(const struct mon_hc *hc);

/* The name of the exit in RUN: the hypercall's, or the exit reason's. */
struct kvm_run;
const char *mon_exit_name(const struct kvm_run *run);

/* Prints "pith-kvm: IMAGE: TEXT" on the diagnostic descriptor. */
void mon_diag(const struct mon_hc *hc, const char *text);

/* Serves the crash hypercall: a CPU exception in the guest. */
enum mon_next mon_crash(struct mon_hc *hc, uint64_t gpa, int *status);

/* Prints a crash report for guest registers REGS (rip, rsp, rbp at
 * least) with CODE, CAUSE and REASON; returns CODE. */
int mon_report(struct mon_hc *hc, int code, const char *cause,
	       const char *reason, const uint64_t regs[PITH_HC_NREGS],
	       int have_regs);

#endif
