/* The kvm target's guest <-> monitor ABI.
 *
 * Self-contained C99, shared by the guest (platform/kvm) and the monitor
 * (monitor/). Versioned: a kvm image carries PITH_KVM_ABI_VERSION in a
 * PITH_NOTE_KVM_ABI note (abi/image.h) and the monitor refuses an image
 * without it or with another version.
 *
 * Hypercalls. The guest executes a 32-bit `out` to port
 * PITH_HC_PORT_BASE + N (N an enum pith_hc) whose value is the guest-
 * physical address of the call's argument struct. Each struct marks its
 * fields IN (the guest sets them) or OUT (the monitor sets them). Guest
 * addresses inside structs are pith_gpa, a plain integer: the monitor
 * turns one into a host pointer only through its checked accessor, and
 * stops the guest on any address or length outside guest memory.
 *
 * Memory is identity-mapped (guest-virtual = guest-physical). The layout
 * the monitor builds, from address 0:
 *
 *   [0, PITH_KVM_IMAGE_BASE)   unmapped: null pointers fault here; the
 *                               page tables live here, invisible
 *   image                       its PT_LOAD segments, with their flags
 *   boot info                   struct pith_kvm_boot + argv (read-only)
 *   guard page, trap stack      exceptions run here (IST)
 *   guard (PITH_STACK_GUARD)    stack overflow faults here
 *   stack (PITH_STACK_SIZE)     RSP starts at its top
 *   heap                        the rest, up to --mem
 *
 * The guest starts in 64-bit mode at the ELF entry point with RDI = the
 * boot info's address, interrupts off, SSE enabled, EFER.SCE and NXE set.
 */
#ifndef PITH_ABI_KVM_H
#define PITH_ABI_KVM_H

#include <stdint.h>

#define PITH_KVM_ABI_VERSION 1

/* Where kvm images are linked: the first 64 KiB stay unmapped. */
#define PITH_KVM_IMAGE_BASE 0x10000ULL

/* The hypercall ports: 0x500 .. 0x50f. */
#define PITH_HC_PORT_BASE  0x500
#define PITH_HC_PORT_COUNT 16

/* A guest-physical address, as an integer on both sides. */
typedef uint64_t pith_gpa;

enum pith_hc {
	PITH_HC_CONSOLE = 0,	 /* struct pith_hc_console */
	PITH_HC_WALLTIME = 1,	 /* struct pith_hc_walltime */
	PITH_HC_YIELD = 2,	 /* struct pith_hc_yield */
	PITH_HC_NET_READ = 3,	 /* struct pith_hc_net */
	PITH_HC_NET_WRITE = 4,	 /* struct pith_hc_net */
	PITH_HC_BLOCK_READ = 5,	 /* struct pith_hc_block */
	PITH_HC_BLOCK_WRITE = 6, /* struct pith_hc_block */
	PITH_HC_EXIT = 7,	 /* struct pith_hc_exit */
	PITH_HC_ABORT = 8,	 /* struct pith_hc_abort */
	PITH_HC_CRASH = 9,	 /* struct pith_hc_crash */
	PITH_HC_COUNT = 10
};

/* Results in OUT fields: the values of enum pith_result (platform.h). */
#define PITH_HC_OK	0
#define PITH_HC_AGAIN	1
#define PITH_HC_EINVAL	2
#define PITH_HC_EUNSPEC 3

/* Largest console write in one call; longer writes are split. */
#define PITH_HC_CONSOLE_MAX 4096

struct pith_hc_console {
	pith_gpa buf; /* IN */
	uint64_t len; /* IN: at most PITH_HC_CONSOLE_MAX */
};

struct pith_hc_walltime {
	uint64_t nsec; /* OUT: since the Unix epoch */
};

struct pith_hc_yield {
	uint64_t timeout; /* IN: nanoseconds to wait at most (0: poll) */
	uint64_t ready;	  /* OUT: handles with input */
};

/* One frame of a batch. */
struct pith_hc_frame {
	pith_gpa buf; /* IN */
	uint32_t cap; /* IN: read: room at buf */
	uint32_t len; /* IN for write, OUT for read */
};

/* Frames per net call: one exit moves up to this many. */
#define PITH_HC_NET_BATCH 64

struct pith_hc_net {
	uint32_t handle; /* IN */
	uint32_t count;	 /* IN: frames in the array, <= PITH_HC_NET_BATCH */
	pith_gpa frames; /* IN: struct pith_hc_frame[count] */
	uint32_t done;	 /* OUT: frames read or written */
	uint32_t result; /* OUT: PITH_HC_* */
};

struct pith_hc_block {
	uint32_t handle; /* IN */
	uint32_t result; /* OUT */
	uint64_t offset; /* IN: bytes, a multiple of the block size */
	pith_gpa buf;	 /* IN */
	uint64_t len;	 /* IN: bytes, a multiple of the block size */
};

struct pith_hc_exit {
	int32_t status; /* IN: 0..255 */
	uint32_t pad;
};

/* The registers of a crash report, in the order of struct pith_regs. */
#define PITH_HC_NREGS 18

/* Longest abort reason the monitor prints. */
#define PITH_HC_REASON_MAX 256

struct pith_hc_abort {
	pith_gpa reason;	      /* IN: text */
	uint32_t len;		      /* IN: at most PITH_HC_REASON_MAX */
	uint32_t code;		      /* IN: exit status, 247..249 */
	uint64_t regs[PITH_HC_NREGS]; /* IN: rip, rsp, rbp valid */
};

struct pith_hc_crash {
	uint64_t vector;	      /* IN: CPU exception vector */
	uint64_t error_code;	      /* IN */
	uint64_t cr2;		      /* IN: the faulting address of a #PF */
	uint64_t regs[PITH_HC_NREGS]; /* IN: at the fault */
};

/* A device as the monitor attached it (index = handle). */
struct pith_kvm_device {
	uint32_t type; /* enum pith_dev_type: 1 net, 2 block */
	uint32_t mtu;  /* net */
	uint8_t mac[6];
	uint8_t pad[2];
	uint64_t capacity; /* block, bytes */
};

#define PITH_KVM_DEVICES_MAX 8

/* Room for the application's arguments (pointers and strings). */
#define PITH_KVM_ARGS_MAX 4096

struct pith_kvm_boot {
	uint32_t abi_version;
	uint32_t ndevices;
	uint64_t mem_size;   /* guest memory, bytes */
	uint64_t heap_start; /* the heap region */
	uint64_t heap_size;
	uint64_t stack_lo, stack_hi; /* the application stack */
	uint64_t guard_lo, guard_hi; /* unmapped, below the stack */
	uint64_t trap_stack_hi;	     /* top of the exception stack */
	uint64_t tsc_khz;	     /* the guest's TSC frequency */
	uint8_t random[32];	     /* seeds: canary, AT_RANDOM */
	uint32_t argc;
	uint32_t pad;
	pith_gpa argv; /* char *[argc + 1], inside the boot page */
	struct pith_kvm_device dev[PITH_KVM_DEVICES_MAX];
};

_Static_assert(sizeof(struct pith_hc_console) == 16, "abi layout");
_Static_assert(sizeof(struct pith_hc_walltime) == 8, "abi layout");
_Static_assert(sizeof(struct pith_hc_yield) == 16, "abi layout");
_Static_assert(sizeof(struct pith_hc_frame) == 16, "abi layout");
_Static_assert(sizeof(struct pith_hc_net) == 24, "abi layout");
_Static_assert(sizeof(struct pith_hc_block) == 32, "abi layout");
_Static_assert(sizeof(struct pith_hc_exit) == 8, "abi layout");
_Static_assert(sizeof(struct pith_hc_abort) == 16 + 8 * PITH_HC_NREGS,
	       "abi layout");
_Static_assert(sizeof(struct pith_hc_crash) == 24 + 8 * PITH_HC_NREGS,
	       "abi layout");
_Static_assert(sizeof(struct pith_kvm_device) == 24, "abi layout");
_Static_assert(sizeof(struct pith_kvm_boot) == 128 + 24 * PITH_KVM_DEVICES_MAX,
	       "abi layout");

#endif
