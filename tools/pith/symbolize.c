/* Source lines for crash reports: `pith symbolize IMAGE [REPORT]` reads
 * a crash report (a file, or standard input) and writes it again with
 * "at FILE:LINE" after each frame whose address the image's DWARF line
 * table covers (images are built with -g; a stripped image has none, and
 * its report passes through unchanged). `pith run` feeds the appliance's
 * standard error through the same filter (run.c), so reports carry lines
 * without a separate step. Reading DWARF is elfutils' libdw (Debian's
 * libdw-dev): the image is untrusted input, and libdw is a well-kept,
 * fuzzed reader. It is loaded (dlopen) only when a report needs it: every
 * `pith run` would otherwise pay half a millisecond to load it. */
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pith.h"

static const char usage[] =
	"usage: pith symbolize IMAGE [REPORT]\n"
	"Adds the source file and line to each frame of a crash report\n"
	"(REPORT, or standard input) from IMAGE's debug information.\n";

struct symbolizer {
	int fd;
	Dwarf *dw;
};

/* The libdw functions used, looked up at the first report. */
static struct {
	Dwarf *(*begin)(int, Dwarf_Cmd);
	int (*end)(Dwarf *);
	Dwarf_Die *(*addrdie)(Dwarf *, Dwarf_Addr, Dwarf_Die *);
	Dwarf_Line *(*getsrc_die)(Dwarf_Die *, Dwarf_Addr);
	int (*lineno)(Dwarf_Line *, int *);
	const char *(*linesrc)(Dwarf_Line *, Dwarf_Word *, Dwarf_Word *);
	Dwarf_Attribute *(*attr)(Dwarf_Die *, unsigned int, Dwarf_Attribute *);
	const char *(*formstring)(Dwarf_Attribute *);
} dw;

static int load_libdw(void)
{
	static int tried, ok;
	void *h;

	if (tried)
		return ok;
	tried = 1;
	if (!(h = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL))) {
		warnx("no source lines: cannot load libdw (apt-get install "
		      "libdw1): %s",
		      dlerror());
		return 0;
	}
	*(void **)&dw.begin = dlsym(h, "dwarf_begin");
	*(void **)&dw.end = dlsym(h, "dwarf_end");
	*(void **)&dw.addrdie = dlsym(h, "dwarf_addrdie");
	*(void **)&dw.getsrc_die = dlsym(h, "dwarf_getsrc_die");
	*(void **)&dw.lineno = dlsym(h, "dwarf_lineno");
	*(void **)&dw.linesrc = dlsym(h, "dwarf_linesrc");
	*(void **)&dw.attr = dlsym(h, "dwarf_attr");
	*(void **)&dw.formstring = dlsym(h, "dwarf_formstring");
	ok = dw.begin && dw.end && dw.addrdie && dw.getsrc_die && dw.lineno &&
	     dw.linesrc && dw.attr && dw.formstring;
	return ok;
}

struct symbolizer *sym_open(const char *image)
{
	struct symbolizer *s = calloc(1, sizeof *s);

	if (!s)
		return 0;
	s->fd = open(image, O_RDONLY | O_CLOEXEC);
	s->dw = s->fd >= 0 && load_libdw() ? dw.begin(s->fd, DWARF_C_READ) : 0;
	return s;
}

void sym_close(struct symbolizer *s)
{
	if (!s)
		return;
	if (s->dw)
		dw.end(s->dw);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* "FILE:LINE" of ADDR into OUT, the file relative to its compilation
 * directory as the compiler recorded it. 0, or -1 if ADDR has no line. */
static int sym_line(struct symbolizer *s, uint64_t addr, char *out, size_t n)
{
	Dwarf_Die cu;
	Dwarf_Line *line;
	Dwarf_Attribute at;
	const char *file, *comp = 0;
	size_t cl;
	int lineno;

	if (!s || !s->dw || !dw.addrdie(s->dw, addr, &cu))
		return -1;
	line = dw.getsrc_die(&cu, addr);
	if (!line || dw.lineno(line, &lineno) != 0 ||
	    !(file = dw.linesrc(line, 0, 0)))
		return -1;
	/* The compilation directory is noise in a report: keep the path
	 * as it was given to the compiler. */
	if (dw.attr(&cu, DW_AT_comp_dir, &at))
		comp = dw.formstring(&at);
	cl = comp ? strlen(comp) : 0;
	if (comp && !strncmp(file, comp, cl) && file[cl] == '/')
		file += cl + 1;
	snprintf(out, n, "%s:%d", file, lineno);
	return 0;
}

/* Whether LINE is a frame of a crash report ("    #N  0xADDR ..." or
 * "  at 0xADDR ..."): its address in *ADDR, the one to look up (a return
 * address names its call by the byte before it) in *LOOKUP. */
static int frame_line(const char *line, uint64_t *addr, uint64_t *lookup)
{
	const char *p = line;
	int ret;

	if (!strncmp(p, "  at 0x", 7)) {
		p += 5;
		ret = 0;
	} else if (!strncmp(p, "    #", 5)) {
		ret = 1;
		for (p += 5; *p >= '0' && *p <= '9'; p++)
			;
		while (*p == ' ')
			p++;
		if (strncmp(p, "0x", 2))
			return 0;
		ret = strncmp(line, "    #0 ", 7) != 0;
	} else {
		return 0;
	}
	*addr = strtoull(p, 0, 16);
	*lookup = ret && *addr ? *addr - 1 : *addr;
	return *addr != 0;
}

size_t sym_annotate(struct symbolizer *s, const char *line, size_t len,
		    char *out, size_t cap)
{
	uint64_t addr, lookup;
	char where[512];
	size_t n = len && line[len - 1] == '\n' ? len - 1 : len;
	char copy[256];

	if (n >= sizeof copy || cap < len + 1)
		goto plain;
	memcpy(copy, line, n);
	copy[n] = '\0';
	if (!frame_line(copy, &addr, &lookup) || strstr(copy + 5, " at ") ||
	    sym_line(s, lookup, where, sizeof where) < 0)
		goto plain;
	return (size_t)snprintf(out, cap, "%s at %s%s", copy, where,
				n < len ? "\n" : "");
plain:
	if (len > cap)
		len = cap;
	memcpy(out, line, len);
	return len;
}

int cmd_symbolize(int argc, char **argv)
{
	struct symbolizer *s;
	FILE *in = stdin;
	char *line = 0, out[1024];
	size_t cap = 0;
	ssize_t n;

	if (argc < 2 || argc > 3 || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		int asked = argc > 1 && argv[1][0] == '-';
		fputs(usage, asked ? stdout : stderr);
		return asked ? 0 : PITH_TOOL_USAGE;
	}
	if (access(argv[1], R_OK) < 0)
		err(PITH_TOOL_FAIL, "symbolize: %s", argv[1]);
	if (argc == 3 && !(in = fopen(argv[2], "r")))
		err(PITH_TOOL_FAIL, "symbolize: %s", argv[2]);
	s = sym_open(argv[1]);
	if (!s || !s->dw)
		warnx("symbolize: %s: no debug information; frames keep "
		      "their function names only",
		      argv[1]);
	while ((n = getline(&line, &cap, in)) > 0)
		fwrite(out, 1,
		       sym_annotate(s, line, (size_t)n, out, sizeof out),
		       stdout);
	free(line);
	sym_close(s);
	return 0;
}
