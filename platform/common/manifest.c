/* Manifest parsing (see manifest.h). The same code checks the manifest at
 * build time, in the image before the application starts, and in the
 * monitor before the guest starts; it trusts nothing about the text. */
#include "manifest.h"

#include <string.h>

#include "fmt.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_name_char(char c, int first)
{
	if (c >= 'a' && c <= 'z')
		return 1;
	if (first)
		return 0;
	return (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Splits LINE (of LEN bytes, no newline) into at most three words. */
static unsigned split_words(const char *line, size_t len, const char *w[3],
			    size_t wl[3])
{
	unsigned n = 0;
	size_t i = 0;

	while (i < len) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len || line[i] == '#')
			break;
		size_t start = i;
		while (i < len && !is_space(line[i]) && line[i] != '#')
			i++;
		if (n < 3) {
			w[n] = line + start;
			wl[n] = i - start;
		}
		n++;
	}
	return n;
}

static int word_is(const char *w, size_t wl, const char *s)
{
	return pith_strnlen(s, wl + 1) == wl && memcmp(w, s, wl) == 0;
}

static const char *check_name(const char *w, size_t wl)
{
	if (wl > PITH_DEVICE_NAME_MAX)
		return "device name longer than 31 characters";
	for (size_t i = 0; i < wl; i++)
		if (!is_name_char(w[i], i == 0))
			return i == 0 ? "device name must start with a "
					"lower-case letter"
				      : "device name may hold only a-z, 0-9, "
					"'-' and '_'";
	return 0;
}

static const char *parse_line(const char *line, size_t len,
			      struct pith_manifest *m)
{
	const char *w[3];
	size_t wl[3];
	unsigned n = split_words(line, len, w, wl);
	enum pith_dev_type type;

	if (n == 0)
		return 0;
	if (word_is(w[0], wl[0], "net"))
		type = PITH_DEV_NET;
	else if (word_is(w[0], wl[0], "block"))
		type = PITH_DEV_BLOCK;
	else
		return "unknown device type (expected 'net' or 'block')";
	if (n == 1)
		return "device type without a name";
	if (n > 2)
		return "more than a type and a name on one line";
	const char *why = check_name(w[1], wl[1]);
	if (why)
		return why;
	for (unsigned i = 0; i < m->count; i++)
		if (word_is(w[1], wl[1], m->dev[i].name))
			return "device name declared twice";
	if (m->count == PITH_DEVICES_MAX)
		return "more than 8 devices";
	struct pith_device_decl *d = &m->dev[m->count++];
	d->type = type;
	memcpy(d->name, w[1], wl[1]);
	d->name[wl[1]] = '\0';
	return 0;
}

static const char *check_bytes(const char *line, size_t len)
{
	if (len > PITH_MANIFEST_LINE_MAX)
		return "line longer than 256 bytes";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == 0)
			return "NUL byte in the manifest";
		if ((c < 0x20 && c != '\t' && c != '\r') || c >= 0x7f)
			return "control or non-ASCII byte in the manifest";
	}
	return 0;
}

int pith_manifest_parse(const char *text, size_t len, struct pith_manifest *m,
			struct pith_manifest_error *err)
{
	unsigned lineno = 0;
	size_t pos = 0;

	m->count = 0;
	err->line = 0;
	err->what = 0;
	if (len > PITH_MANIFEST_MAX) {
		err->what = "manifest larger than 4096 bytes";
		return -1;
	}
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		const char *why = check_bytes(text + pos, end - pos);
		if (!why)
			why = parse_line(text + pos, end - pos, m);
		if (why) {
			err->line = lineno;
			err->what = why;
			return -1;
		}
		pos = end + 1;
	}
	return 0;
}

const struct pith_device_decl *pith_manifest_find(const struct pith_manifest *m,
						  const char *name)
{
	for (unsigned i = 0; i < m->count; i++)
		if (pith_streq(m->dev[i].name, name))
			return &m->dev[i];
	return 0;
}

int pith_manifest_handle(const struct pith_manifest *m, const char *name,
			 enum pith_dev_type type)
{
	const struct pith_device_decl *d =
		name ? pith_manifest_find(m, name) : 0;

	return d && d->type == type ? (int)(d - m->dev) : -1;
}

const char *pith_dev_type_name(enum pith_dev_type t)
{
	return t == PITH_DEV_NET ? "net" : t == PITH_DEV_BLOCK ? "block" : "?";
}
