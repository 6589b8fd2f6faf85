/* Run-time option parsing and manifest matching (see options.h). The
 * input is a command line, so every value is checked before use and
 * every refusal names the option and the reason. */
#include "options.h"

#include <string.h>

static int suffix_shift(const char *s, unsigned *shift)
{
	static const char units[] = "kmg";
	const char *u;
	char c = (char)(*s | 0x20);

	if (*s == '\0') {
		*shift = 0;
		return 0;
	}
	for (u = units; *u && *u != c; u++)
		;
	if (!*u)
		return -1;
	*shift = 10 * (unsigned)(u - units + 1);
	s++;
	if ((*s | 0x20) == 'i')
		s++;
	if ((*s | 0x20) == 'b')
		s++;
	return *s == '\0' ? 0 : -1;
}

int pith_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (v > UINT64_MAX / 10 ||
		    (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -1;
		v = v * 10 + d;
	}
	if (suffix_shift(s, &shift) < 0 || v == 0)
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int valid_ifname(const char *s)
{
	size_t n = pith_strnlen(s, PITH_IFNAME_MAX + 1);

	if (n == 0 || n > PITH_IFNAME_MAX || pith_streq(s, ".") ||
	    pith_streq(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* Splits "NAME=VALUE" into A's name and path, checking both. */
static const char *parse_attach(const char *spec, enum pith_dev_type type,
				struct pith_attach *a)
{
	const char *eq = strchr(spec, '=');
	size_t nl = eq ? (size_t)(eq - spec) : 0;

	if (!eq || nl == 0)
		return "expects NAME=...";
	if (nl > PITH_DEVICE_NAME_MAX)
		return "device name longer than 31 characters";
	memcpy(a->name, spec, nl);
	a->name[nl] = '\0';
	a->type = type;
	a->path = eq + 1;
	a->fd = -1;
	a->user = 0;
	if (type == PITH_DEV_NET && pith_streq(a->path, "user")) {
		a->user = 1;
		return 0;
	}
	if (type == PITH_DEV_NET && strncmp(a->path, "fd:", 3) == 0) {
		/* A frame socket `pith run` hands over (user networking). */
		const char *p = a->path + 3;
		for (a->fd = 0; *p >= '0' && *p <= '9' && a->fd < 1024; p++)
			a->fd = a->fd * 10 + (*p - '0');
		if (p == a->path + 3 || *p || a->fd < 3 || a->fd >= 1024)
			return "expects NAME=fd:N with N from 3 to 1023";
		return 0;
	}
	if (type == PITH_DEV_NET) {
		if (strncmp(a->path, "tap:", 4) != 0)
			return "expects NAME=tap:IFNAME (or NAME=user with "
			       "pith run)";
		a->path += 4;
		if (!valid_ifname(a->path))
			return "interface name must be 1-15 characters "
			       "without '/', ':' or spaces";
	} else if (*a->path == '\0') {
		return "expects NAME=FILE";
	}
	return 0;
}

static void refuse(struct pith_buf *err, const char *opt, const char *arg,
		   const char *why)
{
	pith_buf_str(err, opt);
	if (arg) {
		pith_buf_str(err, " '");
		pith_buf_str(err, arg);
		pith_buf_chr(err, '\'');
	}
	pith_buf_str(err, ": ");
	pith_buf_str(err, why);
}

static const char *parse_mem(const char *arg, struct pith_options *o)
{
	uint64_t v;

	if (pith_parse_size(arg, &v) < 0)
		return "expects a size such as 512K, 64M or 1G";
	if (v < PITH_MEM_MIN)
		return "below the minimum of 64K";
	if (v > PITH_MEM_MAX)
		return "above the maximum of 16G";
	o->mem = (v + PITH_PAGE_SIZE - 1) & ~(uint64_t)(PITH_PAGE_SIZE - 1);
	return 0;
}

/* Options that take a value, in the order parse_value knows them. */
static const char *const valued[] = { "--mem",	 "--net",     "--block",
				      "--core",	 "--profile", "--profile-hz",
				      "--trace", "--gdb" };
#define NVALUED (sizeof valued / sizeof valued[0])

/* A decimal number in [LO, HI]; -1 if it is not one. */
static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9' && v <= hi; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	if (*s || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Stores the value ARG of valued option K; the reason it is refused. */
static const char *parse_value(unsigned k, const char *arg,
			       struct pith_options *o)
{
	const char *why = 0;

	switch (k) {
	case 0:
		return parse_mem(arg, o);
	case 1:
	case 2:
		if (o->nattach == PITH_DEVICES_MAX)
			return "more than 8 devices attached";
		why = parse_attach(arg, k == 1 ? PITH_DEV_NET : PITH_DEV_BLOCK,
				   &o->attach[o->nattach]);
		if (!why)
			o->nattach++;
		return why;
	case 3:
	case 4:
	case 6:
		if (*arg == '\0')
			return "expects a file name";
		*(k == 3 ? &o->core : k == 4 ? &o->profile : &o->trace) = arg;
		return 0;
	case 5:
		return parse_uint(arg, 1, PITH_PROFILE_HZ_MAX, &o->profile_hz)
			       ? "expects samples per second, 1 to 10000"
			       : 0;
	default:
		return parse_uint(arg, 1, 65535, &o->gdb_port)
			       ? "expects a TCP port, 1 to 65535"
			       : 0;
	}
}

/* Handles option ARGV[*I] (and its value); advances *I past it. */
static int parse_one(char **argv, int argc, int *i, struct pith_options *o,
		     struct pith_buf *err)
{
	const char *opt = argv[*i], *arg = 0, *why;
	unsigned k;

	for (k = 0; k < NVALUED; k++) {
		size_t n = strlen(valued[k]);
		if (strncmp(opt, valued[k], n) == 0 &&
		    (opt[n] == '\0' || opt[n] == '='))
			break;
	}
	if (k == NVALUED) {
		if (pith_streq(opt, "--show-seccomp"))
			o->show_seccomp = 1;
		else if (pith_streq(opt, "--stats"))
			o->stats = 1;
		else if (pith_streq(opt, "--help") || pith_streq(opt, "-h"))
			o->help = 1;
		else {
			refuse(err, "unknown option", opt,
			       "options come before '--', application "
			       "arguments after it");
			return -1;
		}
		return 0;
	}
	arg = strchr(opt, '=');
	if (arg)
		arg++;
	else if (*i + 1 < argc)
		arg = argv[++*i];
	else {
		refuse(err, valued[k], 0, "needs a value");
		return -1;
	}
	why = parse_value(k, arg, o);
	if (why) {
		refuse(err, valued[k], arg, why);
		return -1;
	}
	return 0;
}

int pith_options_parse(int argc, char **argv, struct pith_options *o,
		       struct pith_buf *err)
{
	int i;

	memset(o, 0, sizeof *o);
	o->mem = PITH_MEM_DEFAULT;
	o->profile_hz = PITH_PROFILE_HZ_DEFAULT;
	o->argv0_only[0] = argc > 0 ? argv[0] : (char *)"pith";
	o->app_argc = 1;
	o->app_argv = o->argv0_only;
	for (i = 1; i < argc; i++) {
		if (pith_streq(argv[i], "--")) {
			argv[i] = o->argv0_only[0];
			o->app_argv = &argv[i];
			o->app_argc = argc - i;
			break;
		}
		if (parse_one(argv, argc, &i, o, err) < 0)
			return -1;
	}
	if (o->profile_hz != PITH_PROFILE_HZ_DEFAULT && !o->profile) {
		refuse(err, "--profile-hz", 0, "needs --profile FILE");
		return -1;
	}
	return 0;
}

const struct pith_attach *pith_options_find(const struct pith_options *o,
					    const char *name)
{
	for (unsigned i = 0; i < o->nattach; i++)
		if (pith_streq(o->attach[i].name, name))
			return &o->attach[i];
	return 0;
}

static const char *attach_flag(enum pith_dev_type t)
{
	return t == PITH_DEV_NET ? "--net" : "--block";
}

static int refuse_device(struct pith_buf *err, const char *name,
			 const char *what, const char *hint)
{
	pith_buf_str(err, "device '");
	pith_buf_str(err, name);
	pith_buf_str(err, "' ");
	pith_buf_str(err, what);
	pith_buf_str(err, hint);
	return -1;
}

int pith_options_match(const struct pith_manifest *m,
		       const struct pith_options *o, struct pith_buf *err)
{
	for (unsigned i = 0; i < o->nattach; i++) {
		const struct pith_attach *a = &o->attach[i];
		const struct pith_device_decl *d =
			pith_manifest_find(m, a->name);

		if (pith_options_find(o, a->name) != a)
			return refuse_device(err, a->name, "is attached twice",
					     "");
		if (!d)
			return refuse_device(err, a->name,
					     "is attached but the manifest "
					     "does not declare it",
					     "; `pith inspect IMAGE` lists the "
					     "declared devices");
		if (d->type != a->type)
			return refuse_device(
				err, a->name,
				d->type == PITH_DEV_NET
					? "is declared as net but attached "
					  "with --block"
					: "is declared as block but attached "
					  "with --net",
				"");
	}
	for (unsigned i = 0; i < m->count; i++) {
		const struct pith_device_decl *d = &m->dev[i];

		if (pith_options_find(o, d->name))
			continue;
		refuse_device(err, d->name,
			      "is declared in the manifest but "
			      "not attached; add ",
			      attach_flag(d->type));
		pith_buf_chr(err, ' ');
		pith_buf_str(err, d->name);
		pith_buf_str(err,
			     d->type == PITH_DEV_NET ? "=tap:IFNAME" : "=FILE");
		return -1;
	}
	return 0;
}
