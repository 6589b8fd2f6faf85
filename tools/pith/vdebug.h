/* pith run's debugging options for virtio images under QEMU
 * (docs/debugging.md): --gdb, --core, --profile. None of this exists in
 * a run without them: QEMU's command line is then what it always was.
 *
 *   vdebug.c  the options' setup, the link to QEMU's gdb stub, SIGQUIT,
 *             the end of the run
 *   vmem.c    guest RAM shared with QEMU (a memfd), core files, the
 *             profiler's samples
 *   vgdb.c    --gdb: gdb's connection, relayed to QEMU's stub
 *   rsp.c     the gdb remote protocol
 *
 * Two things pith gives QEMU for them. The link: QEMU's gdb stub on a
 * socket pair, never on the network, and QEMU started halted (-S), so
 * that pith run can stop the guest, read its registers and set
 * breakpoints (--gdb, --profile, SIGQUIT with --core). Guest RAM: a
 * memfd that QEMU maps as the machine's memory and pith maps read-only,
 * from which core files and the profiler's stack walks are read without
 * a copy (--core, --profile). */
#ifndef PITH_TOOL_VDEBUG_H
#define PITH_TOOL_VDEBUG_H

#include <poll.h>

struct vrun;
struct vdebug;

/* Descriptors a run polls for its debugging options at most. */
#define VDEBUG_POLLFDS 4

/* What the supervisor does after vdebug_ready. */
enum vdebug_next {
	VDEBUG_GO_ON,
	VDEBUG_QUIT /* stop QEMU: the run is over (killed from gdb) */
};

/* Before QEMU starts: checks R's debugging options for this image and
 * opens what they need (files, the memfd, the link's socket pair, gdb's
 * listening socket), setting R's descriptors for QEMU's command line.
 * Returns NULL when R has none of them; exits with a message on a
 * refusal (status 240) or a host failure. */
struct vdebug *vdebug_open(struct vrun *r);

/* Descriptors QEMU inherits (at most 2) into FDS; their count. */
unsigned vdebug_keep(const struct vdebug *d, int *fds);

/* QEMU started: closes QEMU's ends, runs the guest to its 64-bit entry
 * and sets the park breakpoint (--gdb), or lets it run. 0, or -1 when
 * the link failed (a message said why; the run is then stopped). */
int vdebug_start(struct vdebug *d);

/* The descriptors to poll now into P (VDEBUG_POLLFDS at most); their
 * count. */
unsigned vdebug_pollfds(struct vdebug *d, struct pollfd *p);

/* Serves the descriptors of vdebug_pollfds that are ready. */
enum vdebug_next vdebug_ready(struct vdebug *d, const struct pollfd *p,
			      unsigned n);

/* Whether the guest is stopped on purpose (a debugger holds it, or it
 * waits for one): QEMU's idle CPU then means no halt. */
int vdebug_holding(const struct vdebug *d);

/* SIGQUIT with --core: stops the guest and writes its core. */
void vdebug_quit(struct vdebug *d);

/* Whether gdb ended the run (a kill, or its connection closed without a
 * detach); a message said so. */
int vdebug_killed(const struct vdebug *d);

/* QEMU has exited and STATUS is the run's: writes the core of a crash
 * and the profile, and tells gdb. */
void vdebug_finish(struct vdebug *d, int status);

#endif
