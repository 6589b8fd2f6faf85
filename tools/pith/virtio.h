/* `pith run` for virtio images: the image runs under QEMU, or the
 * equivalent configuration is printed for Firecracker and
 * cloud-hypervisor (docs/deploying.md).
 *
 *   run_virtio.c   options, memory size, the guest's command line, QEMU's
 *                  arguments
 *   supervise.c    QEMU as a child: console relay, exit record, halts
 *   accel.c        KVM or TCG (a cached probe of this host's KVM)
 *   vmm.c          --vmm: QEMU, Firecracker and cloud-hypervisor configs
 *   vdebug.c ...   --gdb, --core, --profile (vdebug.h)
 */
#ifndef PITH_TOOL_VIRTIO_H
#define PITH_TOOL_VIRTIO_H

#include <stdint.h>

#include "../../platform/common/options.h"
#include "../../platform/linux/hostdev.h"
#include "pith.h"
#include "vdebug.h"

/* The isa-debug-exit port pith gives QEMU (and the guest, pith.debug_exit=). */
#define VRUN_DEBUG_EXIT 0xf4

/* Where QEMU's microvm puts its virtio-mmio transports (hw/i386/microvm.h:
 * VIRTIO_MMIO_BASE, 512 bytes apart, 24 of them). */
#define VRUN_MMIO_BASE	0xfeb00000ULL
#define VRUN_MMIO_SIZE	512
#define VRUN_MMIO_SLOTS 24

/* The first PCI slot pith gives devices on q35 (slots below hold the
 * chipset's own). */
#define VRUN_PCI_SLOT0 4

/* Bytes of one QEMU argument list, all strings together. */
#define VRUN_ARGS_BYTES 32768
#define VRUN_ARGS_MAX	96

/* Bytes of the guest's command line (platform/virtio/vio.h). */
#define VRUN_CMDLINE_MAX 8192

/* Bytes of one -netdev user argument: the rules' hostfwd clauses. */
#define VRUN_NETDEV_MAX 1024

struct vrun {
	const char *path; /* the image as given */
	char image[4096]; /* and as an absolute path */
	struct image *img;
	struct pith_options opt;
	const char *accel;   /* "kvm", "tcg", or NULL: decide */
	const char *machine; /* "microvm" or "q35" */
	const char *vmm;     /* --vmm: print this VMM's configuration */
	const char *out;     /* --vmm ... -o FILE */
	int devs_open;	     /* dev[] holds open descriptors */
	struct hostdev dev[PITH_DEVICES_MAX];
	int ro_fd[PITH_DEVICES_MAX]; /* block: a read-only twin (QEMU) */
	uint8_t mac[PITH_DEVICES_MAX][6];
	/* Debugging options (vdebug.h): NULL and -1 without them. */
	struct vdebug *dbg;
	int ram_fd; /* guest RAM, a memfd QEMU maps */
	int gdb_fd; /* QEMU's end of the link to its gdb stub */
	uint64_t ram_mib;
	char cmdline[VRUN_CMDLINE_MAX];
	/* QEMU's arguments. */
	char *argv[VRUN_ARGS_MAX + 1];
	unsigned argc;
	char strings[VRUN_ARGS_BYTES];
	size_t used;
};

/* Adds a printf-formatted argument to R's QEMU command. */
void vrun_arg(struct vrun *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Builds QEMU's arguments: with descriptors (FDS: the console pipes'
 * write ends, the QMP socket) for a run, or with paths (FDS NULL) for
 * --vmm qemu. */
void vrun_qemu_args(struct vrun *r, const int *fds);

/* The guest's command line for the application's arguments. */
void vrun_cmdline(struct vrun *r, int with_seed);

/* Decides the accelerator; prints the one-line notice for TCG. */
const char *vrun_accel(const char *root);

/* Runs QEMU with R's arguments; returns the appliance's exit status. */
int vrun_supervise(struct vrun *r);

/* --vmm: prints R's configuration for that VMM. */
int vrun_print(struct vrun *r);

#endif
