/* The platform contract: the only way pith's libOS reaches the world.
 *
 * Every target (linux, kvm, virtio) implements exactly this header and
 * nothing else; every library under lib/ and every application may call it.
 * The design rules behind it (docs/architecture.md):
 *
 *   - one vCPU, no interrupts: the guest polls and sleeps only in
 *     pith_yield(), which says which devices have input;
 *   - devices are named in the application's manifest and attached at run
 *     time; a handle is the device's index in the manifest;
 *   - every call either does what it says or returns a result naming why
 *     not; a handle that is not an acquired device of the call's type is
 *     refused with PITH_EINVAL, never trusted.
 *
 * Outcomes are an enum rather than errno values so that the contract means
 * the same on every target. Time is in nanoseconds throughout.
 */
#ifndef PITH_PLATFORM_H
#define PITH_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* The result of a platform call. */
enum pith_result {
	PITH_OK = 0,	 /* the call did what it says */
	PITH_AGAIN = 1,	 /* nothing to do now (no frame waiting, queue full) */
	PITH_EINVAL = 2, /* the arguments were refused; nothing happened */
	PITH_EUNSPEC = 3 /* the host failed; the device may be unusable */
};

/* A device handle: the device's index in the manifest (0..7). */
typedef uint32_t pith_handle;

/* A set of handles: bit N set means handle N. */
typedef uint64_t pith_handle_set;

/* --- Console ---------------------------------------------------------- */

/* Writes LEN bytes of BUF to the appliance's console. Never fails from the
 * caller's point of view: output the host cannot take is dropped (a console
 * must never stop an appliance). Returns when the bytes are handed over. */
void pith_console_write(const char *buf, size_t len);

/* --- Clocks ----------------------------------------------------------- */

/* Nanoseconds since an arbitrary point fixed at boot. Never decreases and
 * does not jump when the host's wall clock is set. */
uint64_t pith_clock_monotonic(void);

/* Nanoseconds since 1970-01-01 00:00:00 UTC, as the host believes it.
 * May jump in either direction when the host's clock is set. */
uint64_t pith_clock_wall(void);

/* --- Sleeping --------------------------------------------------------- */

/* Sleeps until the monotonic clock reaches DEADLINE or until an acquired
 * device is ready, whichever is first, then stores in *READY the set of
 * ready handles (0 when the deadline passed with none). A deadline in the
 * past returns at once with the current set. A network device is "ready"
 * while at least one frame waits, and, after a write to it answered
 * PITH_AGAIN (the host's queue was full), once the host can take frames
 * again: so frames left waiting for the host are sent when it drains,
 * not at the next timer. (Reading a device that is ready only for
 * writing answers PITH_AGAIN.) Block devices are never in the set (their
 * I/O completes synchronously). */
void pith_yield(uint64_t deadline, pith_handle_set *ready);

/* --- Network devices -------------------------------------------------- */

#define PITH_MAC_LEN 6

struct pith_net_info {
	uint8_t mac[PITH_MAC_LEN]; /* the appliance's own Ethernet address */
	size_t mtu;		   /* largest IP payload of one frame */
	/* TCP segmentation offload: 0, none; else the largest frame
	 * (Ethernet header included, at most PITH_TSO_FRAME_MAX) that
	 * pith_net_write_batch takes with a gso_size, cutting it into
	 * segments of at most mtu + 14 bytes on the way out (see struct
	 * pith_frame). */
	size_t tso_max;
};

/* Looks up the network device NAME from the manifest.
 *   PITH_OK      *H is its handle; valid until exit.
 *   PITH_EINVAL  no network device of that name is declared. */
enum pith_result pith_net_acquire(const char *name, pith_handle *h);

/* Fills *INFO for the acquired network device H. PITH_OK, or PITH_EINVAL
 * if H is not an acquired network device. */
enum pith_result pith_net_info(pith_handle h, struct pith_net_info *info);

/* Reads one Ethernet frame (header included, no FCS) into BUF.
 *   PITH_OK      *LEN is the frame's length;
 *   PITH_AGAIN   no frame waits; *LEN is 0;
 *   PITH_EINVAL  CAP is smaller than mtu + 14 (a frame could be cut);
 *   PITH_EUNSPEC the host failed. */
enum pith_result pith_net_read(pith_handle h, void *buf, size_t cap,
			       size_t *len);

/* Sends one frame of LEN bytes (Ethernet header included).
 *   PITH_OK      handed to the host;
 *   PITH_AGAIN   the host's queue is full; nothing was sent;
 *   PITH_EINVAL  LEN is below 14 or above mtu + 14 (a batch's frame with a
 *                gso_size: above tso_max, not a TCP/IPv4 frame as struct
 *                pith_frame describes, or segments, headers included,
 *                over mtu; on a device without tso_max, any gso_size);
 *   PITH_EUNSPEC the host failed. */
enum pith_result pith_net_write(pith_handle h, const void *buf, size_t len);

/* One frame of a batch: BUF of CAP bytes; LEN is the frame's length (read:
 * set by the call; write: set by the caller).
 *
 * GSO_SIZE, write only, on a device with tso_max: 0 for an ordinary frame;
 * else the frame is one TCP segment over IPv4 (Ethernet type 0x0800, an
 * IPv4 header with its length and checksum, protocol 6, no fragment
 * fields, a TCP header with options) of up to tso_max bytes, which the
 * host sends as segments of GSO_SIZE payload bytes each (the last may be
 * shorter), copying the headers, advancing the sequence number and
 * setting the lengths, identifiers and checksums of each. The TCP
 * checksum field holds the pseudo-header sum (addresses, protocol and the
 * whole frame's TCP length), folded and not complemented. Reads always
 * return frames of at most mtu + 14 bytes.
 *
 * FLAGS, read only (set by the call; ignored on write): PITH_FRAME_CSUM_OK
 * says the TCP or UDP checksum of this unfragmented IPv4 frame is known
 * good, because the host checked it or computed it itself (a segment it
 * cut from a coalesced frame, a checksum it completed): the stack need
 * not sum the payload again. Hosts that know nothing leave 0. */
#define PITH_FRAME_CSUM_OK 1u
struct pith_frame {
	void *buf;
	size_t cap;
	size_t len;
	size_t gso_size;
	unsigned flags;
};

/* Reads up to N frames in one call (one host exit where exits cost).
 * *DONE is the number of frames filled, 0..N. Outcomes as pith_net_read;
 * PITH_OK with *DONE < N means the queue emptied. */
enum pith_result pith_net_read_batch(pith_handle h, struct pith_frame *frames,
				     size_t n, size_t *done);

/* Sends up to N frames in one call. *DONE is the number sent, in order;
 * on any outcome but PITH_OK it is the index of the frame that failed. */
enum pith_result pith_net_write_batch(pith_handle h,
				      const struct pith_frame *frames, size_t n,
				      size_t *done);

/* --- Block devices ---------------------------------------------------- */

struct pith_block_info {
	uint64_t capacity;   /* bytes; a multiple of block_size */
	uint32_t block_size; /* bytes; offsets and lengths are multiples */
};

/* As pith_net_acquire, for block devices. */
enum pith_result pith_block_acquire(const char *name, pith_handle *h);

/* As pith_net_info, for block devices. */
enum pith_result pith_block_info(pith_handle h, struct pith_block_info *info);

/* Reads or writes LEN bytes at byte OFFSET. Both must be multiples of the
 * block size, LEN non-zero, and OFFSET + LEN at most the capacity.
 *   PITH_OK      all LEN bytes were transferred;
 *   PITH_EINVAL  misaligned, empty, or out of range; nothing transferred;
 *   PITH_EUNSPEC the host failed; the range's content is unspecified. */
enum pith_result pith_block_read(pith_handle h, uint64_t offset, void *buf,
				 size_t len);
enum pith_result pith_block_write(pith_handle h, uint64_t offset,
				  const void *buf, size_t len);

/* --- Ending ----------------------------------------------------------- */

/* Ends the appliance with STATUS (0..255) as its exit status. Does not
 * flush anything: libc's exit() does that, then calls this. */
_Noreturn void pith_exit(int status);

/* Ends the appliance abnormally: the host prints REASON, the registers and
 * a backtrace, and exits with PITH_EXIT_ABORT (pith/exit.h). */
_Noreturn void pith_abort(const char *reason);

/* --- Boot information ------------------------------------------------- */

struct pith_boot_info {
	int argc;	      /* the application's arguments, after "--" */
	char **argv;	      /* argv[0] is the image name; argv[argc] NULL */
	uintptr_t heap_start; /* the heap region: the only memory the libOS */
	size_t heap_size; /* may allocate from (--mem bytes, page-aligned) */
	const char *manifest; /* the manifest text embedded in the image */
	const char *target;   /* "linux", "kvm" or "virtio" */
};

/* The boot information; valid from before main() until exit. */
const struct pith_boot_info *pith_boot_info(void);

#endif
