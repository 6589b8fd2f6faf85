/* Crash report formatting (see crash.h). Runs in signal or exception
 * context with a possibly corrupt heap: it only formats into stack
 * buffers and reads stack memory inside the bounds it is given. */
#include "crash.h"

#include <string.h>

#include "fmt.h"
#include "pith/param.h"
#include "symbols.h"

const char *pith_crash_kind(int code)
{
	switch (code) {
	case PITH_EXIT_SEGV:
		return "memory fault";
	case PITH_EXIT_BUS:
		return "bus error";
	case PITH_EXIT_FPE:
		return "arithmetic fault";
	case PITH_EXIT_ILL:
		return "illegal instruction";
	case PITH_EXIT_SYSCALL:
		return "blocked system call";
	case PITH_EXIT_SSP:
		return "stack-protector check failed";
	case PITH_EXIT_ABORT:
		return "abort";
	default:
		return 0;
	}
}

void pith_crash_explain_fault(struct pith_crash *c, uint64_t addr, unsigned err,
			      uint64_t guard_lo, uint64_t guard_hi)
{
	struct pith_buf b;
	const char *access = (err & PITH_PF_FETCH)   ? "execute"
			     : (err & PITH_PF_WRITE) ? "write"
						     : "read";

	pith_buf_init(&b, c->reason, sizeof c->reason);
	if (addr >= guard_lo && addr < guard_hi)
		pith_buf_str(&b, "stack overflow into the guard page");
	else if (addr < PITH_NULL_REGION)
		pith_buf_str(&b, "null pointer dereference");
	else if ((err & PITH_PF_PRESENT) && (err & PITH_PF_FETCH))
		pith_buf_str(&b, "execution of non-executable memory");
	else if ((err & PITH_PF_PRESENT) && (err & PITH_PF_WRITE))
		pith_buf_str(&b, "write to read-only memory");
	else if (err & PITH_PF_PRESENT)
		pith_buf_str(&b, "access to protected memory");
	else
		pith_buf_str(&b, "access to unmapped memory");
	pith_buf_str(&b, " (");
	pith_buf_str(&b, access);
	pith_buf_str(&b, " of ");
	pith_buf_hex(&b, addr, 0);
	pith_buf_chr(&b, ')');
}

static void put_symbol(struct pith_buf *b, uint64_t addr, uint64_t lookup)
{
	uint64_t off;
	const char *name = pith_symbolize(lookup, &off);

	pith_buf_hex(b, addr, 16);
	if (name) {
		pith_buf_chr(b, ' ');
		pith_buf_str(b, name);
		pith_buf_str(b, "+");
		pith_buf_hex(b, off + (addr - lookup), 0);
	} else {
		pith_buf_str(b, " ?");
	}
}

static void put_line(struct pith_buf *b, void (*out)(const char *, size_t))
{
	pith_buf_chr(b, '\n');
	out(b->p, b->len);
	b->len = 0;
	b->p[0] = '\0';
}

static void put_regs(const struct pith_regs *r, struct pith_buf *b,
		     void (*out)(const char *, size_t))
{
	static const char names[][7] = { "rax", "rbx", "rcx",	"rdx", "rsi",
					 "rdi", "rbp", "rsp",	"r8",  "r9",
					 "r10", "r11", "r12",	"r13", "r14",
					 "r15", "rip", "rflags" };
	const uint64_t *v = &r->rax;

	pith_buf_str(b, "  registers:");
	put_line(b, out);
	for (unsigned i = 0; i < 18; i++) {
		pith_buf_str(b, i % 4 ? "  " : "    ");
		pith_buf_str(b, names[i]);
		pith_buf_mem(b, "       ", 7 - pith_strnlen(names[i], 7));
		pith_buf_hex(b, v[i], 16);
		if (i % 4 == 3 || i == 17)
			put_line(b, out);
	}
}

/* Whether the function starting at START has set up its frame by the
 * time it executes RIP: it begins with push %rbp (after an optional
 * endbr64) and, within a few instructions the compiler may schedule in
 * between, mov %rsp,%rbp. */
static int has_frame(const struct pith_crash *c, uint64_t start, uint64_t pc)
{
	static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	unsigned char p[PITH_PROLOGUE_SCAN];
	unsigned i = 0;

	if (c->peek(start, p, sizeof p))
		return 0;
	if (memcmp(p, endbr64, sizeof endbr64) == 0)
		i = sizeof endbr64;
	if (p[i] != 0x55)
		return 0;
	for (i++; i + 3 <= sizeof p; i++)
		if (p[i] == 0x48 && p[i + 1] == 0x89 && p[i + 2] == 0xe5)
			return pc >= start + i + 3;
	return 0;
}

/* Whether RET is a return address from a direct call of TARGET, or, if
 * TARGET is 0 (unknown), from any call. */
static int returns_from(const struct pith_crash *c, uint64_t ret,
			uint64_t target)
{
	unsigned char insn[5];
	int32_t rel;

	if (ret < sizeof insn || c->peek(ret - sizeof insn, insn, sizeof insn))
		return 0;
	if (insn[0] == 0xe8) {
		memcpy(&rel, insn + 1, sizeof rel);
		return target == 0 || ret + (uint64_t)(int64_t)rel == target;
	}
	/* call *%reg: ff d0+r, or 41 ff d0+r for r8-r15. */
	return target == 0 && insn[3] == 0xff && (insn[4] & 0xf8) == 0xd0;
}

/* The return address of the frameless function executing PC, searched
 * for in the WORDS stack words from SP; 0 if PC's function has a frame or
 * no word returns from a call to it. */
static uint64_t frameless_return(const struct pith_crash *c, uint64_t pc,
				 uint64_t sp, unsigned words)
{
	uint64_t off, start, word;

	if (!pith_symbolize(pc, &off))
		return 0;
	start = pc - off;
	if (has_frame(c, start, pc))
		return 0;
	for (unsigned i = 0; i < words; i++) {
		if (c->peek(sp + 8 * i, &word, sizeof word))
			return 0;
		if (returns_from(c, word, start))
			return word;
	}
	return 0;
}

uint64_t pith_crash_leaf_return(const struct pith_crash *c)
{
	uint64_t off, word, sp = c->regs.rsp, fp = c->regs.rbp;

	/* Unknown code (a jump into data): trust only the top word. */
	if (!pith_symbolize(c->regs.rip, &off)) {
		if (c->peek(sp, &word, sizeof word) ||
		    !returns_from(c, word, 0))
			return 0;
		return word;
	}
	/* A frameless function pushes only a few registers before it
	 * calls: its return address is near the top of the stack. */
	word = frameless_return(c, c->regs.rip, sp, PITH_LEAF_SCAN_WORDS);
	if (word || has_frame(c, c->regs.rip - off, c->regs.rip))
		return word;
	/* Several frameless functions deep (libc calling libc): the call
	 * out of the innermost function with a frame pushed the highest
	 * return address below that frame. */
	if (fp <= sp || fp - sp > 8 * PITH_FRAME_SCAN_WORDS)
		return 0;
	for (word = 0; (fp -= 8) >= sp && !word;)
		if (c->peek(fp, &word, sizeof word) ||
		    !returns_from(c, word, 0))
			word = 0;
	return word;
}

/* The hint for a crash inside libc's allocator (musl's mallocng), where a
 * fault means the heap was damaged rather than a bug in malloc. */
static const char *allocator_hint(const struct pith_crash *c)
{
	static const char *const names[] = { "get_meta",
					     "__libc_free",
					     "__libc_malloc_impl",
					     "__libc_realloc",
					     "alloc_slot",
					     "alloc_group",
					     "nontrivial_free",
					     "enframe",
					     "__malloc_alloc_meta",
					     "free",
					     "malloc",
					     "realloc" };
	uint64_t off;
	const char *fn = pith_symbolize(c->regs.rip, &off);

	for (unsigned i = 0; fn && i < sizeof names / sizeof names[0]; i++)
		if (pith_streq(fn, names[i]))
			return "the fault is inside libc's allocator: the heap "
			       "was "
			       "damaged, or a pointer was freed twice or was "
			       "not "
			       "from malloc";
	return 0;
}

static void put_frame(struct pith_buf *b, unsigned depth, uint64_t ret,
		      void (*out)(const char *, size_t))
{
	pith_buf_str(b, "    #");
	pith_buf_udec(b, depth);
	pith_buf_str(b, depth < 10 ? "  " : " ");
	/* A return address names the call site by the byte before it. */
	put_symbol(b, ret, ret - 1);
	put_line(b, out);
}

/* Walks the frame-pointer chain from the crash's registers. A function
 * without a frame (a leaf, or libc code) is not in the chain: its
 * caller's return address is found on the stack next to the frame that
 * called it. */
static void put_backtrace(const struct pith_crash *c, struct pith_buf *b,
			  void (*out)(const char *, size_t))
{
	uint64_t fp = c->regs.rbp, frame[2], ret;
	unsigned depth = 1;

	pith_buf_str(b, "  backtrace:");
	put_line(b, out);
	pith_buf_str(b, "    #0  ");
	put_symbol(b, c->regs.rip, c->regs.rip);
	put_line(b, out);
	ret = pith_crash_leaf_return(c);
	if (ret)
		put_frame(b, depth++, ret, out);
	while (!(fp & 7) && c->peek(fp, frame, sizeof frame) == 0 && frame[1]) {
		for (ret = frame[1]; ret; depth++) {
			if (depth == PITH_BACKTRACE_MAX) {
				pith_buf_str(
					b, "    ... (deeper frames not shown)");
				put_line(b, out);
				return;
			}
			put_frame(b, depth, ret, out);
			ret = frameless_return(c, ret - 1, fp + 16,
					       PITH_LEAF_SCAN_WORDS);
		}
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
}

int pith_crash_report(const struct pith_crash *c,
		      void (*out)(const char *, size_t))
{
	char line[256];
	struct pith_buf b;
	const char *kind = pith_crash_kind(c->code);

	pith_buf_init(&b, line, sizeof line);
	pith_buf_str(&b, "pith: crash: ");
	pith_buf_str(&b, kind ? kind : "stopped");
	if (c->cause) {
		pith_buf_str(&b, " (");
		pith_buf_str(&b, c->cause);
		pith_buf_chr(&b, ')');
	}
	pith_buf_str(&b, ": ");
	pith_buf_str(&b, c->reason);
	put_line(&b, out);
	if (c->regs.rip && allocator_hint(c)) {
		pith_buf_str(&b, "  hint: ");
		pith_buf_str(&b, allocator_hint(c));
		put_line(&b, out);
	}
	if (c->regs.rip) {
		pith_buf_str(&b, "  at ");
		put_symbol(&b, c->regs.rip, c->regs.rip);
		put_line(&b, out);
		if (c->have_regs)
			put_regs(&c->regs, &b, out);
		put_backtrace(c, &b, out);
	}
	pith_buf_str(&b, "pith: appliance stopped with exit status ");
	pith_buf_udec(&b, (uint64_t)c->code);
	pith_buf_str(&b, " (");
	pith_buf_str(&b, kind ? kind : "crash");
	pith_buf_chr(&b, ')');
	put_line(&b, out);
	return c->code;
}
