/* ELF core files (see core.h). Three passes over the regions: count the
 * segments, write their headers, write their bytes; each pass cuts the
 * regions the same way (the program is stopped while its core is
 * written, so memory does not change in between). */
#include "core.h"

#include <elf.h>
#include <string.h>

#include "fmt.h"
#include "pith/param.h"

#define PAGE	      PITH_PAGE_SIZE
#define NOTE_NAME     "CORE"
#define NOTE_NAME_PAD 8 /* "CORE\0" padded to 4-byte alignment */
#define SIGNAL_SEGV   11
#define SIGNAL_BUS    7
#define SIGNAL_FPE    8
#define SIGNAL_ILL    4
#define SIGNAL_SYS    31
#define SIGNAL_ABRT   6
#define SIGNAL_TRAP   5

/* struct elf_prstatus and struct elf_prpsinfo of Linux x86_64, spelled
 * out: the writer must not depend on the host's headers (it is built
 * into images against musl's). */
struct core_prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig;
	uint16_t pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	uint64_t times[8]; /* utime, stime, cutime, cstime */
	uint64_t reg[27];  /* user_regs_struct */
	int32_t fpvalid;
	int32_t pad1;
};

struct core_prpsinfo {
	char state, sname, zomb, nice;
	uint32_t pad0;
	uint64_t flag;
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[16];
	char psargs[80];
};

_Static_assert(sizeof(struct core_prstatus) == 336, "elf_prstatus layout");
_Static_assert(sizeof(struct core_prpsinfo) == 136, "elf_prpsinfo layout");

struct note {
	Elf64_Nhdr h;
	char name[NOTE_NAME_PAD];
};

#define NOTES_SIZE                                                             \
	(2 * sizeof(struct note) + sizeof(struct core_prstatus) +              \
	 sizeof(struct core_prpsinfo))

/* One loadable segment: [addr, addr + memsz), the first filesz bytes in
 * the file. */
struct seg {
	uint64_t addr, filesz, memsz;
	const unsigned char *mem;
	unsigned flags;
};

/* What a pass does with each segment. */
struct pass {
	const struct pith_core *c;
	unsigned count;	 /* segments so far */
	uint64_t offset; /* file offset of the next segment's bytes */
	int (*seg)(struct pass *p, const struct seg *s);
	char buf[1024]; /* headers, gathered into fewer writes */
	size_t used;
};

static int flush(struct pass *p)
{
	int r = p->used ? p->c->write(p->c->ctx, p->buf, p->used) : 0;

	p->used = 0;
	return r;
}

static int put(struct pass *p, const void *data, size_t len)
{
	if (p->used + len > sizeof p->buf && flush(p) < 0)
		return -1;
	memcpy(p->buf + p->used, data, len);
	p->used += len;
	return 0;
}

static int zero_page(const unsigned char *mem)
{
	const uint64_t *w = (const uint64_t *)(const void *)mem;

	for (unsigned i = 0; i < PAGE / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

static int emit(struct pass *p, const struct pith_core_region *r,
		uint64_t start, uint64_t file_end, uint64_t end)
{
	struct seg s = { r->addr + start, file_end - start, end - start,
			 r->mem + start, r->flags };

	p->count++;
	return p->seg(p, &s);
}

/* Cuts region R into segments: a new one starts at each non-zero page
 * that follows a zero page, until the segment budget is spent. */
static int cut(struct pass *p, const struct pith_core_region *r)
{
	uint64_t start = 0, file_end = 0;

	if (!r->sparse)
		return emit(p, r, 0, r->size, r->size);
	for (uint64_t at = 0; at < r->size; at += PAGE) {
		int room = p->count + 1 < PITH_CORE_SEGMENTS_MAX;
		if (room && zero_page(r->mem + at))
			continue;
		if (at > file_end && room) {
			if (emit(p, r, start, file_end, at) < 0)
				return -1;
			start = at;
		}
		file_end = at + PAGE;
	}
	return emit(p, r, start, file_end, r->size);
}

static int walk(struct pass *p)
{
	p->count = 0;
	for (unsigned i = 0; i < p->c->nregion; i++)
		if (cut(p, &p->c->region[i]) < 0)
			return -1;
	return flush(p);
}

static int count_seg(struct pass *p, const struct seg *s)
{
	(void)p;
	(void)s;
	return 0;
}

static int header_seg(struct pass *p, const struct seg *s)
{
	Elf64_Phdr ph = { .p_type = PT_LOAD,
			  .p_flags = s->flags,
			  .p_offset = p->offset,
			  .p_vaddr = s->addr,
			  .p_filesz = s->filesz,
			  .p_memsz = s->memsz,
			  .p_align = 1 };

	p->offset += s->filesz;
	return put(p, &ph, sizeof ph);
}

static int data_seg(struct pass *p, const struct seg *s)
{
	return s->filesz ? p->c->write(p->c->ctx, s->mem, s->filesz) : 0;
}

static void user_regs(const struct pith_core *c, uint64_t *u)
{
	const struct pith_regs *r = c->regs;
	const uint64_t v[27] = { r->r15, r->r14,     r->r13, r->r12,	r->rbp,
				 r->rbx, r->r11,     r->r10, r->r9,	r->r8,
				 r->rax, r->rcx,     r->rdx, r->rsi,	r->rdi,
				 ~0ULL,	 r->rip,     c->cs,  r->rflags, r->rsp,
				 c->ss,	 c->fs_base, 0,	     0,		0,
				 0,	 0 };

	memcpy(u, v, sizeof v);
}

static int notes(struct pass *p)
{
	struct note n = { { sizeof NOTE_NAME, 0, NT_PRSTATUS }, NOTE_NAME };
	struct core_prstatus st;
	struct core_prpsinfo ps;
	const char *base = p->c->name;
	size_t len;

	/* gdb matches fname, the program's base name, with the image's. */
	for (const char *s = base; *s; s++)
		if (*s == '/')
			base = s + 1;
	len = pith_strnlen(base, sizeof ps.fname - 1);

	memset(&st, 0, sizeof st);
	st.si_signo = st.cursig = (int16_t)p->c->signo;
	st.pid = st.ppid = st.pgrp = st.sid = 1;
	user_regs(p->c, st.reg);
	n.h.n_descsz = sizeof st;
	if (put(p, &n, sizeof n) < 0 || put(p, &st, sizeof st) < 0)
		return -1;
	memset(&ps, 0, sizeof ps);
	ps.state = 0;
	ps.sname = 'R';
	ps.pid = ps.ppid = ps.pgrp = ps.sid = 1;
	memcpy(ps.fname, base, len);
	memcpy(ps.psargs, p->c->name,
	       pith_strnlen(p->c->name, sizeof ps.psargs - 1));
	n.h.n_type = NT_PRPSINFO;
	n.h.n_descsz = sizeof ps;
	return put(p, &n, sizeof n) < 0 ? -1 : put(p, &ps, sizeof ps);
}

static int headers(struct pass *p, unsigned nseg)
{
	uint64_t phoff = sizeof(Elf64_Ehdr);
	uint64_t notes_at = phoff + (nseg + 1) * sizeof(Elf64_Phdr);
	Elf64_Ehdr eh = { .e_type = ET_CORE,
			  .e_machine = EM_X86_64,
			  .e_version = EV_CURRENT,
			  .e_phoff = phoff,
			  .e_ehsize = sizeof eh,
			  .e_phentsize = sizeof(Elf64_Phdr),
			  .e_phnum = (uint16_t)(nseg + 1) };
	Elf64_Phdr note = { .p_type = PT_NOTE,
			    .p_offset = notes_at,
			    .p_filesz = NOTES_SIZE,
			    .p_align = 4 };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	/* Segment bytes follow the notes unpadded: gdb reads them at any
	 * offset, and padding would cost the image code. */
	p->offset = notes_at + NOTES_SIZE;
	return put(p, &eh, sizeof eh) < 0 || put(p, &note, sizeof note) < 0 ? -1
									    : 0;
}

int pith_core_write(const struct pith_core *c)
{
	struct pass p;
	unsigned nseg;

	memset(&p, 0, sizeof p);
	p.c = c;
	p.seg = count_seg;
	if (walk(&p) < 0)
		return -1;
	nseg = p.count;
	if (headers(&p, nseg) < 0)
		return -1;
	p.seg = header_seg;
	if (walk(&p) < 0 || notes(&p) < 0 || flush(&p) < 0)
		return -1;
	p.seg = data_seg;
	return walk(&p);
}

int pith_core_signal_of_vector(uint64_t vector)
{
	switch (vector) {
	case 0:
	case 16:
	case 19:
		return SIGNAL_FPE;
	case 1:
	case 3:
		return SIGNAL_TRAP;
	case 6:
		return SIGNAL_ILL;
	case 17:
		return SIGNAL_BUS;
	default:
		return SIGNAL_SEGV;
	}
}

int pith_core_signal_of_code(int code)
{
	switch (code) {
	case PITH_EXIT_BUS:
		return SIGNAL_BUS;
	case PITH_EXIT_FPE:
		return SIGNAL_FPE;
	case PITH_EXIT_ILL:
		return SIGNAL_ILL;
	case PITH_EXIT_SYSCALL:
		return SIGNAL_SYS;
	case PITH_EXIT_SSP:
	case PITH_EXIT_ABORT:
		return SIGNAL_ABRT;
	default:
		return SIGNAL_SEGV;
	}
}
