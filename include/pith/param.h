/* pith's bounds: every limit the platform layer and the tools enforce,
 * with the reason for its value. Libraries keep their own limits in their
 * own headers; these are the ones shared by images, monitor and tools. */
#ifndef PITH_PARAM_H
#define PITH_PARAM_H

/* Devices an image may declare. A handle set is a 64-bit mask, and a
 * single-purpose appliance needs one or two devices; 8 leaves room. */
#define PITH_DEVICES_MAX 8

/* Longest device name, without the NUL. Names become tap/file option
 * keys and log prefixes; 31 is plenty and keeps the manifest small. */
#define PITH_DEVICE_NAME_MAX 31

/* Largest manifest text in bytes. Eight devices with comments fit in
 * well under 4 KiB; anything larger is not a manifest. */
#define PITH_MANIFEST_MAX 4096

/* Longest manifest line; a device line is at most 6 + 1 + 31 bytes and a
 * comment has no business being longer than a terminal line or two. */
#define PITH_MANIFEST_LINE_MAX 256

/* The page size of every target (x86_64). */
#define PITH_PAGE_SIZE 4096UL

/* Guest memory (--mem): default, floor and ceiling. 64 MiB serves the
 * HTTP appliance with room; the floor is what the smallest appliance (a
 * hello that never mallocs) needs plus the allocator's bitmaps; the
 * ceiling keeps page-bitmap metadata under 1 MiB (2 bits per page). */
#define PITH_MEM_DEFAULT (64UL << 20)
#define PITH_MEM_MIN	 (64UL << 10)
#define PITH_MEM_MAX	 (16UL << 30)

/* The application's stack. 256 KiB is twice musl's thread default and
 * deep enough for printf of long doubles; a fiber-based appliance runs
 * its work on smaller fiber stacks anyway. */
#define PITH_STACK_SIZE (256UL << 10)

/* Unmapped guard below the application stack. Large enough that a
 * function with a big frame (up to 64 KiB of locals) lands in the guard
 * rather than jumping over it. */
#define PITH_STACK_GUARD (64UL << 10)

/* Faulting addresses below this count as null-pointer dereferences: a
 * member access through a NULL struct pointer lands here. */
#define PITH_NULL_REGION (64UL << 10)

/* Frames printed in a crash backtrace; deeper stacks are cut with a note. */
#define PITH_BACKTRACE_MAX 32

/* Stack words searched for the return address of a function that has no
 * frame (a leaf, or libc code built without frame pointers): enough for
 * the few registers such a function pushes before it calls. */
#define PITH_LEAF_SCAN_WORDS 8

/* Stack words between a crash's stack pointer and the innermost frame
 * searched for the call out of that frame (one page). */
#define PITH_FRAME_SCAN_WORDS 512

/* Bytes of a function's start searched for its frame set-up (push %rbp
 * ... mov %rsp,%rbp): room for an endbr64 and a few scheduled moves. */
#define PITH_PROLOGUE_SCAN 24

/* Block devices transfer in sectors of this size. */
#define PITH_BLOCK_SIZE 512U

/* Frames moved per batched net call on the host side: enough to drain a
 * burst in one wake-up, small enough to keep the call's stack use fixed. */
#define PITH_NET_BATCH_MAX 64

/* Largest frame the platform will move: a 9000-byte jumbo MTU plus the
 * Ethernet header. */
#define PITH_FRAME_MAX (9000 + 14)

/* Largest TCP/IPv4 frame a device with segmentation offload takes
 * (struct pith_net_info's tso_max): the largest IPv4 datagram plus the
 * Ethernet header. */
#define PITH_TSO_FRAME_MAX (65535 + 14)

/* --- Debugging (docs/debugging.md) ---------------------------------- */

/* Profiler samples per CPU second by default: 99 Hz, the flame-graph
 * convention (off the beat of 100 Hz timers), costs about a microsecond
 * a sample on the linux target and a VM exit a sample on kvm; the
 * ceiling keeps a nested-KVM guest from spending its time in exits. */
#define PITH_PROFILE_HZ_DEFAULT 99U
#define PITH_PROFILE_HZ_MAX	10000U

/* Frames recorded per profile sample: deeper stacks keep their 48
 * innermost frames (a flame graph of a unikernel is rarely deeper). */
#define PITH_PROFILE_DEPTH 48

/* Distinct stacks a profile keeps; samples of further stacks are counted
 * as one "[other stacks]" line. A CPU-bound appliance has tens to
 * hundreds; 2048 stacks of 48 frames is 800 KiB of the monitor's or the
 * image's untouched-until-used memory. */
#define PITH_PROFILE_STACKS_MAX 2048

/* Trace records written before the trace is cut with a line saying so:
 * at about 60 bytes a record, 6 MB of text at most. */
#define PITH_TRACE_RECORDS_MAX 100000UL

/* Loadable segments in a core file: runs of non-zero pages, each a
 * segment. Past this many, zero pages are written out too (the file
 * grows, nothing is lost). */
#define PITH_CORE_SEGMENTS_MAX 512

#endif
