/* Smoke appliance helpers (see smoke.h). */
#include "smoke.h"

static char line[256];
static size_t used;

void smoke_flush(void)
{
	if (used)
		pith_console_write(line, used);
	used = 0;
}

void smoke_put(const char *s)
{
	for (; *s; s++) {
		if (used == sizeof line)
			smoke_flush();
		line[used++] = *s;
		if (*s == '\n')
			smoke_flush();
	}
}

void smoke_put_u64(uint64_t v)
{
	char b[21];
	int i = 20;

	b[i] = '\0';
	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	smoke_put(b + i);
}

void smoke_put_hex(uint64_t v)
{
	char b[19];
	int i = 18;

	b[i] = '\0';
	do
		b[--i] = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	b[--i] = 'x';
	b[--i] = '0';
	smoke_put(b + i);
}

int smoke_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

uint64_t smoke_atou(const char *s)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return *s ? 0 : v;
}
