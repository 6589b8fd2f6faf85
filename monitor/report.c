/* Crash reports for kvm guests, in the same format as the linux target's
 * (platform/common/crash.c does the formatting): the reason in words, the
 * registers, and a backtrace symbolized from the image's symbol table.
 * The stack is read through the checked accessor; the symbol table from
 * the image file, which the guest cannot have changed. */
#include <string.h>
#include <unistd.h>

#include "../platform/common/crash.h"
#include "../platform/common/symbols.h"
#include "mon.h"
#include "pith/exit.h"

/* The report is made on the monitor's one thread; these say which guest
 * the crash.c callbacks read from. */
static const struct mon_hc *current;

static int peek(uint64_t addr, void *buf, size_t len)
{
	const void *p = mon_guest(current->mem, addr, len, MON_R);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

/* The symbol table's bytes in the image file. */
static const struct pith_symtab *file_symtab(const struct mon_image *img,
					     size_t *size)
{
	const struct elf_file *f = &img->elf;
	uint64_t a = img->symtab.start, n = img->symtab.end - a;

	if (img->symtab.end < a)
		return 0;

	for (unsigned i = 0; n && i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		if (p->p_type != PT_LOAD || a < p->p_vaddr ||
		    a - p->p_vaddr > p->p_filesz ||
		    n > p->p_filesz - (a - p->p_vaddr))
			continue;
		*size = n;
		return (const struct pith_symtab *)(f->data + p->p_offset +
						    (a - p->p_vaddr));
	}
	return 0;
}

const char *pith_symbolize(uint64_t addr, uint64_t *off)
{
	size_t size = 0;
	const struct pith_symtab *t =
		current ? file_symtab(current->img, &size) : 0;

	return t && ((uintptr_t)t & 7) == 0
		       ? pith_symtab_lookup(t, size, addr, off)
		       : 0;
}

static int diag_fd;

static void out(const char *s, size_t n)
{
	if (write(diag_fd, s, n) < 0) {
		/* Nowhere else to report. */
	}
}

void mon_symbols_use(const struct mon_hc *hc)
{
	current = hc;
}

int mon_report(struct mon_hc *hc, int code, const char *cause,
	       const char *reason, const uint64_t regs[PITH_HC_NREGS],
	       int have_regs)
{
	struct pith_crash c;

	memset(&c, 0, sizeof c);
	c.code = code;
	c.cause = cause;
	strncpy(c.reason, reason, sizeof c.reason - 1);
	c.have_regs = have_regs;
	memcpy(&c.regs, regs, sizeof c.regs);
	c.peek = peek;
	current = hc;
	diag_fd = hc->diag_fd;
	pith_crash_report(&c, out);
	if (hc->crashed)
		hc->crashed(hc, regs, have_regs, code);
	return code;
}

enum mon_next mon_crash(struct mon_hc *hc, uint64_t gpa, int *status)
{
	const struct pith_hc_crash *g =
		mon_guest(hc->mem, gpa, sizeof *g, MON_R);
	struct pith_hc_crash e;
	struct pith_crash c;

	if (!g) {
		mon_diag(hc, "guest stopped: hypercall crash: argument out of "
			     "range");
		*status = PITH_EXIT_ABORT;
		return MON_STOPPED;
	}
	memcpy(&e, g, sizeof e);
	memset(&c, 0, sizeof c);
	memcpy(&c.regs, e.regs, sizeof c.regs);
	/* The same words as a virtio guest's report (crash_x86.c). */
	c.code = pith_crash_x86(&c, e.vector, e.error_code, e.cr2,
				hc->mem->lay.guard_lo, hc->mem->lay.guard_hi);
	*status = mon_report(hc, c.code, c.cause, c.reason, e.regs, 1);
	return MON_STOPPED;
}
