/* pith profile FILE --svg OUT: a flame graph of a profile written by
 * `pith run IMAGE --profile FILE` (folded stacks, "a;b;c COUNT" per line,
 * the format of Brendan Gregg's flamegraph.pl, which reads these files
 * too). Our own renderer, so that nothing outside Debian's base is
 * needed: the stacks are merged into a tree, each frame is a rectangle as
 * wide as its share of the samples, callers below callees, with the
 * function's name where it fits and its count and share in a tooltip.
 * It also prints where the time went, by function (self and total). */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pith.h"

#define SVG_WIDTH     1200 /* pixels: flamegraph.pl's default */
#define FRAME_HEIGHT  16
#define MARGIN	      10
#define TITLE_ROOM    40
#define CHAR_WIDTH    7	  /* of 12px monospace text, for fitting names */
#define MIN_WIDTH     0.3 /* pixels: narrower frames are not drawn */
#define NAME_MAX_LEN  256
#define TOP_FUNCTIONS 10 /* printed by share of samples */

static const char usage[] =
	"usage: pith profile FILE [--svg OUT]\n"
	"Reads FILE, the folded stacks of `pith run IMAGE --profile FILE`,\n"
	"prints the functions with the most samples, and with --svg writes a\n"
	"flame graph to OUT (an SVG that any browser opens).\n";

struct node {
	char *name;
	unsigned long long count, self;
	struct node *child, *next;
};

static struct node *child_of(struct node *n, const char *name, size_t len)
{
	struct node **p = &n->child;

	for (; *p; p = &(*p)->next)
		if (strlen((*p)->name) == len &&
		    !strncmp((*p)->name, name, len))
			return *p;
	*p = calloc(1, sizeof **p);
	if (!*p || !((*p)->name = strndup(name, len)))
		errx(PITH_TOOL_FAIL, "out of memory");
	return *p;
}

/* Adds "a;b;c COUNT" to the tree; -1 if LINE is not a folded stack. */
static int add_line(struct node *root, char *line)
{
	char *sp = strrchr(line, ' '), *end, *f;
	unsigned long long count;
	struct node *n = root;

	if (!sp)
		return -1;
	count = strtoull(sp + 1, &end, 10);
	if (end == sp + 1 || (*end && *end != '\n'))
		return -1;
	*sp = '\0';
	root->count += count;
	for (f = line; *f;) {
		size_t len = strcspn(f, ";");
		if (len > NAME_MAX_LEN)
			len = NAME_MAX_LEN;
		n = child_of(n, f, len);
		n->count += count;
		f += strcspn(f, ";");
		f += *f == ';';
	}
	n->self += count;
	return 0;
}

static void xml_text(FILE *o, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++)
		switch (s[i]) {
		case '<':
			fputs("&lt;", o);
			break;
		case '>':
			fputs("&gt;", o);
			break;
		case '&':
			fputs("&amp;", o);
			break;
		case '"':
			fputs("&quot;", o);
			break;
		default:
			if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
				fputc(s[i], o);
		}
}

/* A warm colour from the name, as flamegraph.pl's default palette. */
static void colour(const char *name, unsigned *r, unsigned *g, unsigned *b)
{
	unsigned h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	*r = 205 + h % 50;
	*g = (h >> 8) % 230;
	*b = (h >> 16) % 55;
}

static void draw(FILE *o, const struct node *n, double x, unsigned depth,
		 double scale, unsigned height, unsigned long long total)
{
	double w = (double)n->count * scale;
	unsigned r, g, b, y = height - MARGIN - (depth + 1) * FRAME_HEIGHT;
	size_t fit = (size_t)(w / CHAR_WIDTH);

	if (w < MIN_WIDTH)
		return;
	colour(n->name, &r, &g, &b);
	fputs("<g><title>", o);
	xml_text(o, n->name, NAME_MAX_LEN);
	fprintf(o, " (%llu samples, %.2f%%)</title>", n->count,
		100.0 * (double)n->count / (double)total);
	fprintf(o,
		"<rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%u\" "
		"fill=\"rgb(%u,%u,%u)\" rx=\"2\"/>",
		x, y, w, FRAME_HEIGHT - 1, r, g, b);
	if (fit > 2) {
		fprintf(o, "<text x=\"%.1f\" y=\"%u\">", x + 3, y + 11);
		xml_text(o, n->name, strlen(n->name) > fit ? fit - 2 : fit);
		fputs(strlen(n->name) > fit ? ".." : "", o);
		fputs("</text>", o);
	}
	fputs("</g>\n", o);
	for (const struct node *c = n->child; c; c = c->next) {
		draw(o, c, x, depth + 1, scale, height, total);
		x += (double)c->count * scale;
	}
}

static unsigned depth_of(const struct node *n)
{
	unsigned d = 0;

	for (const struct node *c = n->child; c; c = c->next) {
		unsigned k = depth_of(c);
		d = k > d ? k : d;
	}
	return d + 1;
}

static void write_svg(const struct node *root, const char *file,
		      const char *path)
{
	unsigned height =
		(depth_of(root) - 1) * FRAME_HEIGHT + TITLE_ROOM + 2 * MARGIN;
	double scale = (double)(SVG_WIDTH - 2 * MARGIN) / (double)root->count;
	double x = MARGIN;
	FILE *o = fopen(path, "w");

	if (!o)
		err(PITH_TOOL_FAIL, "profile: %s", path);
	fprintf(o,
		"<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%u\" height=\"%u\" "
		"viewBox=\"0 0 %u %u\" xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<style>text { font-family: monospace; font-size: 12px; "
		"fill: #000; pointer-events: none; }</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f0\"/>\n"
		"<text x=\"%u\" y=\"24\" style=\"font-size: 16px\">Flame "
		"graph: ",
		SVG_WIDTH, height, SVG_WIDTH, height, SVG_WIDTH / 2 - 200);
	xml_text(o, file, NAME_MAX_LEN);
	fprintf(o, " (%llu samples)</text>\n", root->count);
	for (const struct node *c = root->child; c; c = c->next) {
		draw(o, c, x, 0, scale, height, root->count);
		x += (double)c->count * scale;
	}
	fputs("</svg>\n", o);
	if (fclose(o) != 0)
		err(PITH_TOOL_FAIL, "profile: %s", path);
}

/* Samples per function name: in the function itself, and anywhere on the
 * stack (counted once per stack). */
struct total {
	const char *name;
	unsigned long long self, total;
};

static void tally(const struct node *n, struct total *t, size_t *nt, size_t cap,
		  const struct node **path, unsigned depth)
{
	size_t i;
	int outer = 0;

	for (unsigned d = 0; d < depth; d++)
		outer |= !strcmp(path[d]->name, n->name);
	for (i = 0; i < *nt && strcmp(t[i].name, n->name); i++)
		;
	if (i == *nt && *nt < cap)
		t[(*nt)++] = (struct total){ n->name, 0, 0 };
	if (i < *nt) {
		t[i].self += n->self;
		t[i].total += outer ? 0 : n->count;
	}
	path[depth] = n;
	for (const struct node *c = n->child; c && depth + 1 < 512; c = c->next)
		tally(c, t, nt, cap, path, depth + 1);
}

static int by_self(const void *a, const void *b)
{
	const struct total *x = a, *y = b;

	return x->self < y->self ? 1 : x->self > y->self ? -1 : 0;
}

static void print_top(const struct node *root)
{
	static struct total t[4096];
	static const struct node *path[512];
	size_t n = 0;

	for (const struct node *c = root->child; c; c = c->next)
		tally(c, t, &n, sizeof t / sizeof t[0], path, 0);
	qsort(t, n, sizeof t[0], by_self);
	printf("%llu samples; functions by samples in themselves (self) and "
	       "on the stack (total):\n",
	       root->count);
	for (size_t i = 0; i < n && i < TOP_FUNCTIONS && t[i].self; i++)
		printf("  %6.2f%% self %6.2f%% total  %s\n",
		       100.0 * (double)t[i].self / (double)root->count,
		       100.0 * (double)t[i].total / (double)root->count,
		       t[i].name);
}

int cmd_profile(int argc, char **argv)
{
	struct node root = { (char *)"all", 0, 0, 0, 0 };
	const char *file = 0, *svg = 0;
	char *line = 0;
	size_t cap = 0;
	unsigned long bad = 0;
	FILE *in;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--svg") && i + 1 < argc)
			svg = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fputs(usage, stderr);
			return PITH_TOOL_USAGE;
		}
	}
	if (!file) {
		fputs(usage, stderr);
		return PITH_TOOL_USAGE;
	}
	if (!(in = fopen(file, "r")))
		err(PITH_TOOL_FAIL, "profile: %s", file);
	while (getline(&line, &cap, in) > 0)
		bad += line[0] != '\n' && add_line(&root, line) < 0;
	fclose(in);
	free(line);
	if (bad)
		warnx("profile: %s: %lu lines are not folded stacks "
		      "(\"a;b;c COUNT\"); skipped",
		      file, bad);
	if (!root.count)
		errx(PITH_TOOL_FAIL, "profile: %s: no samples", file);
	print_top(&root);
	if (svg)
		write_svg(&root, file, svg);
	return 0;
}
