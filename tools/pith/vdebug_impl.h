/* Internals of pith run's debugging options for virtio images, shared by
 * vdebug.c, vmem.c and vgdb.c (see vdebug.h). */
#ifndef PITH_TOOL_VDEBUG_IMPL_H
#define PITH_TOOL_VDEBUG_IMPL_H

#include <stdint.h>

#include "../../platform/common/core_file.h"
#include "../../platform/common/profile.h"
#include "pith/abi/virtio.h"
#include "rsp.h"
#include "vdebug.h"

struct vgdb;

struct vdebug {
	struct vrun *r;
	struct pith_note_virtio_debug note; /* the guest's record and park */
	uint64_t entry;			    /* the image's 64-bit entry */
	/* Guest RAM shared with QEMU (--core, --profile), else ram NULL. */
	int ram_fd;
	const unsigned char *ram;
	uint64_t ram_size, below_4g;
	/* The link to QEMU's gdb stub (every option here). */
	int link_peer; /* QEMU's end, until QEMU has it */
	struct rsp_stream link;
	int running; /* the guest runs, as far as the link knows */
	int gone;    /* the link ended: QEMU is exiting */
	/* --core */
	int core; /* a core is still to be written */
	struct pith_core_file core_file;
	/* --profile */
	int profile_fd, timer_fd;
	unsigned hz;
	struct pith_profile *prof;
	uint64_t start_ns, sample_ns;
	/* --gdb */
	struct vgdb *gdb;
	int killed; /* gdb killed the guest */
};

/* "pith run: IMAGE: TEXT" on stderr. */
void vdebug_say(const struct vdebug *d, const char *text);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vdebug_now(void);

/* --- vmem.c ------------------------------------------------------------ */

/* Creates the memfd of the guest's RAM and maps it. 0, or -1 (errno). */
int vmem_open(struct vdebug *d);

/* The guest's record, copied out of RAM: 0, or -1 when RAM is not
 * shared (its magics say which parts the guest has set). */
int vmem_record(const struct vdebug *d, struct pith_virtio_record *rec);

/* Writes the core file: registers R (rsp.h order), FS_BASE, signal
 * SIGNO; says what it did, prefixed by WHY. */
void vmem_core(struct vdebug *d, const uint64_t *r, uint64_t fs_base, int signo,
	       const char *why);

/* One profile sample at R (a stopped guest's registers). */
void vmem_sample(struct vdebug *d, const uint64_t *r);

/* Writes the profile and its summary line (the run is over). */
void vmem_profile_finish(struct vdebug *d);

/* --- vgdb.c ------------------------------------------------------------ */

/* Listens on 127.0.0.1:PORT. NULL, with errno, if it cannot. */
struct vgdb *vgdb_listen(unsigned port);

/* The guest waits at its entry: says where gdb connects. */
void vgdb_waiting(struct vdebug *d);

/* As vdebug_pollfds and vdebug_ready, for gdb's side and the link. */
unsigned vgdb_pollfds(struct vdebug *d, struct pollfd *p);
enum vdebug_next vgdb_ready(struct vdebug *d, const struct pollfd *p,
			    unsigned n);

/* Whether gdb is connected (and has not detached). */
int vgdb_attached(const struct vdebug *d);

/* The guest exited with STATUS: gdb is told, the connection closed. */
void vgdb_finish(struct vdebug *d, int status);

#endif
