/* Guest RAM shared with QEMU, and what pith run reads in it (see
 * vdebug.h): the guest's record, core files, the profiler's stack walks.
 *
 * QEMU maps the memfd as the machine's RAM (-object memory-backend-file
 * on /dev/fd/N, share=on); pith maps it read-only. RAM is one block in
 * the file: guest-physical addresses below QEMU's 32-bit hole are file
 * offsets, the rest continues from 4 GiB. The guest identity-maps what
 * it uses, so its addresses are physical ones. Everything read here is
 * the guest's and is checked against the mapping before use; the
 * mapping and the memfd (kept open) outlive QEMU, so a crashed guest's
 * core is written after QEMU has exited. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../platform/common/core.h"
#include "pith/param.h"
#include "vdebug_impl.h"
#include "virtio.h"

#define MIB	  (1ULL << 20)
#define FOUR_GIB  (4ULL << 30)
#define PAGE	  PITH_PAGE_SIZE
#define HUGE_PAGE (2UL << 20) /* x86_64's huge page, and huge zero page */
/* RAM QEMU keeps below 4 GiB before the rest goes above it: microvm up
 * to 3 GiB; q35 2 GiB once RAM reaches 2.75 GiB, else up to 2.75 GiB
 * (QEMU 7.2's hw/i386/microvm.c and pc_q35.c). */
#define MICROVM_BELOW_4G (3ULL << 30)
#define Q35_BELOW_4G	 (2ULL << 30)
#define Q35_BELOW_4G_MAX 0xb0000000ULL
/* The ring-0 selectors the guest runs with (platform/x86_64/cpu.c). */
#define SEL_CODE 0x08
#define SEL_DATA 0x10

/* The run whose RAM the profiler's walk reads (its peek has no context). */
static const struct vdebug *current;

static uint64_t below_4g(const char *machine, uint64_t ram)
{
	uint64_t max = MICROVM_BELOW_4G;

	if (!strcmp(machine, "q35"))
		max = ram >= Q35_BELOW_4G_MAX ? Q35_BELOW_4G : Q35_BELOW_4G_MAX;
	return ram < max ? ram : max;
}

int vmem_open(struct vdebug *d)
{
	void *p;

	d->ram_size = d->r->ram_mib * MIB;
	d->below_4g = below_4g(d->r->machine, d->ram_size);
	d->ram_fd = memfd_create("pith-guest-ram", MFD_CLOEXEC);
	if (d->ram_fd < 0 || ftruncate(d->ram_fd, (off_t)d->ram_size) < 0)
		return -1;
	p = mmap(0, d->ram_size, PROT_READ, MAP_SHARED, d->ram_fd, 0);
	if (p == MAP_FAILED)
		return -1;
	d->ram = p;
	current = d;
	return 0;
}

/* Where guest-physical [ADDR, ADDR + LEN) is in the mapping, or NULL if
 * it is not all RAM. */
static const unsigned char *guest(const struct vdebug *d, uint64_t addr,
				  uint64_t len)
{
	uint64_t off;

	if (!d->ram)
		return 0;
	if (addr < d->below_4g)
		off = addr;
	else if (addr >= FOUR_GIB &&
		 addr - FOUR_GIB < d->ram_size - d->below_4g)
		off = d->below_4g + (addr - FOUR_GIB);
	else
		return 0;
	if (len > d->ram_size - off ||
	    (off < d->below_4g && len > d->below_4g - off))
		return 0;
	return d->ram + off;
}

static int peek(uint64_t addr, void *buf, size_t len)
{
	const unsigned char *p = current ? guest(current, addr, len) : 0;

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

int vmem_record(const struct vdebug *d, struct pith_virtio_record *rec)
{
	return peek(d->note.record, rec, sizeof *rec);
}

/* LEN bytes of read-only zeros, aligned for the kernel's huge zero page
 * (scanning a large heap for the core then reads one 2 MiB page over
 * and over, not half a million 4 KiB ones). NULL on failure. */
static unsigned char *zeros(size_t len)
{
	size_t room = len + HUGE_PAGE;
	unsigned char *p =
		mmap(0, room, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t at;

	if (p == MAP_FAILED)
		return 0;
	at = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	if (at > (uintptr_t)p)
		munmap(p, at - (uintptr_t)p);
	munmap((void *)(at + len), (uintptr_t)p + room - (at + len));
	madvise((void *)at, len, MADV_HUGEPAGE); /* a hint: zeros either way */
	return (unsigned char *)at;
}

/* Maps the memfd's data between file offsets OFF and OFF + LEN over the
 * view V of that range. 0, or -1. */
static int map_data(const struct vdebug *d, unsigned char *v, off_t off,
		    off_t len)
{
	off_t at = off, data, hole;

	while (at < off + len) {
		data = lseek(d->ram_fd, at, SEEK_DATA);
		if (data < 0 || data >= off + len)
			return data < 0 && errno != ENXIO ? -1 : 0;
		hole = lseek(d->ram_fd, data, SEEK_HOLE);
		if (hole < 0 || data % PAGE || hole % PAGE)
			return -1;
		if (hole > off + len)
			hole = off + len;
		if (mmap(v + (data - off), (size_t)(hole - data), PROT_READ,
			 MAP_SHARED | MAP_FIXED, d->ram_fd, data) == MAP_FAILED)
			return -1;
		at = hole;
	}
	return 0;
}

/* A read-only view of guest RAM [LO, HI), one run in the memfd, in
 * which the pages the guest never touched (the memfd's holes) read as
 * zeros without being allocated: reading a hole through a shared
 * mapping gives the file a page, and the core of a 3 GiB heap would cost
 * 3 GiB. The view is zeros with the file's data mapped over them. NULL
 * on failure. */
static const unsigned char *view(const struct vdebug *d, uint64_t lo,
				 uint64_t hi)
{
	const unsigned char *at = guest(d, lo, hi - lo);
	size_t len = (size_t)(hi - lo);
	unsigned char *v;

	if (!at || !(v = zeros(len)))
		return 0;
	if (map_data(d, v, (off_t)(at - d->ram), (off_t)len) < 0) {
		munmap(v, len);
		return 0;
	}
	return v;
}

/* Adds [LO, HI) to C's regions if it is page-aligned RAM. */
static void add_region(const struct vdebug *d, struct pith_core *c, uint64_t lo,
		       uint64_t hi)
{
	const unsigned char *mem;

	if (lo >= hi || (lo | hi) % PAGE ||
	    c->nregion == PITH_CORE_REGIONS_MAX || !(mem = view(d, lo, hi)))
		return;
	c->region[c->nregion++] =
		(struct pith_core_region){ lo, hi - lo, mem, PF_R | PF_W, 1 };
}

/* What the guest can write: the image's writable segments (data, .bss
 * with the trap stacks), and the stack, heap and device memory (the
 * virtqueues and their buffers) its record names. Code and read-only
 * data are in the image, where gdb reads them. */
static void regions(const struct vdebug *d, struct pith_core *c)
{
	const struct elf_file *f = &d->r->img->elf;
	struct pith_virtio_record rec;

	for (unsigned i = 0; i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		uint64_t lo = p->p_vaddr & ~(uint64_t)(PAGE - 1);
		uint64_t hi = (p->p_vaddr + p->p_memsz + PAGE - 1) &
			      ~(uint64_t)(PAGE - 1);

		if (p->p_type == PT_LOAD && (p->p_flags & PF_W) &&
		    p->p_vaddr + p->p_memsz > p->p_vaddr)
			add_region(d, c, lo, hi);
	}
	if (vmem_record(d, &rec) == 0 &&
	    rec.layout_magic == PITH_VIRTIO_LAYOUT_MAGIC) {
		add_region(d, c, rec.stack_lo, rec.stack_hi);
		add_region(d, c, rec.heap_lo, rec.heap_hi);
		if (rec.devmem_hi > rec.devmem_lo)
			add_region(d, c, rec.devmem_lo, rec.devmem_hi);
	}
}

static int core_write(void *ctx, const void *buf, size_t len)
{
	const struct vdebug *d = ctx;

	return rsp_write(d->core_file.fd, buf, len);
}

void vmem_core(struct vdebug *d, const uint64_t *r, uint64_t fs_base, int signo,
	       const char *why)
{
	struct pith_core c;
	char text[600], fd[16];
	int ok;

	if (!d->core)
		return;
	d->core = 0; /* one core per run */
	memset(&c, 0, sizeof c);
	c.regs = (const struct pith_regs *)(const void *)r;
	c.fs_base = fs_base;
	c.cs = SEL_CODE;
	c.ss = SEL_DATA;
	c.signo = signo;
	c.name = d->r->path;
	c.write = core_write;
	c.ctx = d;
	regions(d, &c);
	pith_core_file_fdname(&d->core_file, fd);
	ok = pith_core_write(&c) == 0 &&
	     (d->core_file.proc_fd < 0 ||
	      linkat(d->core_file.proc_fd, fd, d->core_file.dir,
		     d->core_file.name, AT_SYMLINK_FOLLOW) == 0);
	for (unsigned i = 0; i < c.nregion; i++) /* the views */
		munmap((void *)(uintptr_t)c.region[i].mem, c.region[i].size);
	snprintf(text, sizeof text, "%s%s %s", why,
		 ok ? "core dumped to" : "cannot write the core file",
		 d->r->opt.core);
	vdebug_say(d, text);
}

void vmem_sample(struct vdebug *d, const uint64_t *r)
{
	pith_profile_sample(d->prof, r[16], r[7], r[6], peek);
}

static void profile_out(const char *s, size_t len)
{
	if (rsp_write(current->profile_fd, s, len) < 0) {
		/* A profile that cannot be written is lost. */
	}
}

void vmem_profile_finish(struct vdebug *d)
{
	uint64_t run = vdebug_now() - d->start_ns;

	if (!d->prof)
		return;
	image_symbols_use(d->r->img);
	pith_profile_write(d->prof, profile_out);
	fprintf(stderr,
		"pith profile: samples %llu hz %u run_us %llu sampling_us "
		"%llu\n",
		(unsigned long long)d->prof->samples, d->hz,
		(unsigned long long)(run / 1000),
		(unsigned long long)(d->sample_ns / 1000));
}
