/* The command line of a virtio guest (the PVH start info's; QEMU's
 * -append, Firecracker's boot_args, cloud-hypervisor's --cmdline).
 *
 * Words are separated by spaces. A word with '=' is a parameter, wherever
 * it stands (VMMs append their own, such as virtio_mmio.device=...); the
 * words without '=' after the first "--" are the application's arguments,
 * percent-encoded: every byte outside [A-Za-z0-9] and "-._~/:,+@" is
 * written %XX, and an empty argument is "%00" (docs/deploying.md; `pith
 * run` encodes them). Other words are ignored. Parameters pith reads:
 *
 *   pith.heap=BYTES        heap size (the --mem of pith run), K/M/G
 *   pith.argv0=NAME        argv[0], percent-encoded (default "appliance")
 *   pith.seed=HEX          up to 32 bytes of seed from the host
 *   pith.stats=1           boot figures and device counters at exit
 *   pith.debug_exit=PORT   QEMU's isa-debug-exit port (stop.c)
 *   virtio_mmio.device=SIZE@ADDR[:IRQ]   a virtio-mmio device
 *
 * The line is input from outside the guest: every value is checked, and
 * a malformed one is ignored or refused with a message, never trusted. */
#include "../common/fmt.h"
#include "../common/options.h"
#include "vio.h"

/* The decoded words, each NUL-terminated: never longer than the line,
 * since each word's NUL takes the place of the space after it. */
static char args[VIO_CMDLINE_MAX + 1];

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes the word [S, E) into OUT (room for E - S + 1 bytes). */
static void decode(const char *s, const char *e, char *out)
{
	while (s < e) {
		int hi, lo;

		if (*s == '%' && e - s >= 3 && (hi = hexval(s[1])) >= 0 &&
		    (lo = hexval(s[2])) >= 0) {
			*out++ = (char)(hi << 4 | lo);
			s += 3;
		} else
			*out++ = *s++;
	}
	*out = '\0';
}

/* A number: decimal, or hexadecimal after 0x; stops at the first byte
 * that is not a digit. 0 and *END past it, or -1. */
static int number(const char *s, const char **end, uint64_t *v)
{
	int base = 10, d, any = 0;

	*v = 0;
	if (s[0] == '0' && (s[1] | 0x20) == 'x') {
		base = 16;
		s += 2;
	}
	for (; (d = hexval(*s)) >= 0 && d < base; s++, any = 1) {
		if (*v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		*v = *v * (uint64_t)base + (uint64_t)d;
	}
	*end = s;
	return any ? 0 : -1;
}

static int word_is(const char *w, const char *e, const char *key,
		   const char **value)
{
	size_t n = pith_strnlen(key, 64);

	if ((size_t)(e - w) < n || __builtin_memcmp(w, key, n) != 0)
		return 0;
	*value = w + n;
	return 1;
}

static void parse_seed(const char *v, const char *e)
{
	for (unsigned i = 0; i < sizeof vio.seed && v + 1 < e; i++, v += 2) {
		int hi = hexval(v[0]), lo = hexval(v[1]);

		if (hi < 0 || lo < 0)
			return;
		vio.seed[i] = (uint8_t)(hi << 4 | lo);
	}
}

/* One parameter word [W, E). */
static void parameter(const char *w, const char *e, char **argv0, char **out)
{
	char size[32];
	const char *v, *end;
	uint64_t n;

	if (word_is(w, e, "pith.heap=", &v) && e - v < (long)sizeof size) {
		__builtin_memcpy(size, v, (size_t)(e - v));
		size[e - v] = '\0';
		if (pith_parse_size(size, &n) == 0)
			vio.heap_request = n;
	} else if (word_is(w, e, "pith.argv0=", &v) && v < e) {
		decode(v, e, *out);
		*argv0 = *out;
		*out += e - v + 1;
	} else if (word_is(w, e, "pith.seed=", &v))
		parse_seed(v, e);
	else if (word_is(w, e, "pith.stats=", &v))
		vio.stats = *v == '1';
	else if (word_is(w, e, "pith.debug_exit=", &v) &&
		 number(v, &end, &n) == 0 && end == e && n > 0 && n < 0x10000)
		vio.debug_exit = (uint16_t)n;
}

static int has_eq(const char *w, const char *e)
{
	for (; w < e; w++)
		if (*w == '=')
			return 1;
	return 0;
}

int vio_cmdline_parse(char **argv, const char *argv0_default)
{
	const char *s = vio.cmdline;
	char *out = args, *argv0 = 0;
	int argc = 1, app = 0;

	while (*s) {
		const char *w, *e;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		w = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
		e = s;
		if (w == e)
			break;
		if (has_eq(w, e))
			parameter(w, e, &argv0, &out);
		else if (!app && e - w == 2 && w[0] == '-' && w[1] == '-')
			app = 1;
		else if (app && argc < VIO_ARGC_MAX) {
			decode(w, e, out);
			argv[argc++] = out;
			out += e - w + 1;
		}
	}
	argv[0] = argv0 ? argv0 : (char *)argv0_default;
	argv[argc] = 0;
	return argc;
}

int vio_cmdline_mmio(unsigned n, struct vio_range *r)
{
	const char *s = vio.cmdline, *v, *p;
	uint64_t size, addr;

	for (; *s; s++) {
		if ((s != vio.cmdline && s[-1] != ' ') ||
		    !word_is(s, s + pith_strnlen(s, 64),
			     "virtio_mmio.device=", &v))
			continue;
		if (number(v, &p, &size) < 0)
			continue;
		if ((*p | 0x20) == 'k') {
			size <<= 10;
			p++;
		}
		if (*p++ != '@' || number(p, &p, &addr) < 0 || size == 0 ||
		    addr + size < addr)
			continue;
		if (n-- == 0) {
			r->lo = addr;
			r->hi = addr + size;
			return 0;
		}
	}
	return -1;
}
