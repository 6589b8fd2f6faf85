/* ACPI power-off: where the VMM's tables say the sleep control register
 * is, and the value that means "off" (S5). Read once at boot, before the
 * final page tables (the tables lie in low memory, which they do not map).
 *
 *   RSDP (start info's rsdp_paddr, else a scan of 0xe0000-0xfffff)
 *    -> XSDT or RSDT -> FADT: PM1a_CNT_BLK (an I/O port: QEMU q35), or
 *       for hardware-reduced ACPI the SLEEP_CONTROL_REG (QEMU microvm's
 *       GED in MMIO, cloud-hypervisor's port)
 *    -> DSDT's \_S5 package: SLP_TYPa
 *
 * The tables are the VMM's input: every length and pointer is checked
 * (checksums, bounds, everything below 4 GiB where the boot tables map);
 * anything amiss leaves ACPI power-off unused (stop.c has other ways). */
#include "../x86_64/x86.h"
#include "vio.h"

#define FOUR_GIB	(4ULL << 30)
#define BIOS_LO		0xe0000
#define BIOS_HI		0x100000
#define TABLE_MAX	(64U << 10)  /* FADT, RSDT, XSDT: far smaller */
#define DSDT_MAX	(256U << 10) /* QEMU's: 8 KiB; scan this much */
#define SDT_HDR		36
#define FADT_DSDT	40
#define FADT_PM1A	64
#define FADT_FLAGS	112
#define FADT_X_DSDT	140
#define FADT_SLEEP	244
#define FADT_HW_REDUCED (1u << 20)
#define SLP_EN_PM1	0x2000 /* PM1_CNT.SLP_EN; SLP_TYP at bit 10 */
#define SLP_EN_HWR	0x20   /* hardware-reduced: SLP_EN bit 5, TYP at 2 */
#define AML_NAME	0x08
#define AML_PACKAGE	0x12
#define AML_BYTE	0x0a

struct vio_acpi_off {
	int kind; /* 0 none, 1 port, 2 MMIO */
	uint64_t addr;
	uint16_t value;
};

static struct vio_acpi_off vio_acpi;

static const uint8_t *at(uint64_t pa, uint64_t len)
{
	if (pa == 0 || pa >= FOUR_GIB || len > FOUR_GIB - pa)
		return 0;
	return (const uint8_t *)(uintptr_t)pa;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s == 0;
}

/* The table at PA if its signature is SIG (or SIG is 0), its length sane
 * and its checksum right; *LEN is its length. */
static const uint8_t *table(uint64_t pa, const char *sig, uint32_t max,
			    uint32_t *len)
{
	const uint8_t *t = at(pa, SDT_HDR);

	if (!t || (sig && __builtin_memcmp(t, sig, 4) != 0))
		return 0;
	*len = le32(t + 4);
	if (*len < SDT_HDR || *len > max || !at(pa, *len) || !sum_ok(t, *len))
		return 0;
	return t;
}

static uint64_t find_rsdp(void)
{
	if (vio.rsdp)
		return vio.rsdp;
	for (uint64_t a = BIOS_LO; a < BIOS_HI; a += 16)
		if (__builtin_memcmp(at(a, 8), "RSD PTR ", 8) == 0 &&
		    sum_ok(at(a, 20), 20))
			return a;
	return 0;
}

static const uint8_t *find_fadt(uint32_t *len)
{
	const uint8_t *r = at(find_rsdp(), 36), *sdt;
	uint32_t slen, width;
	uint64_t root;

	if (!r || __builtin_memcmp(r, "RSD PTR ", 8) || !sum_ok(r, 20))
		return 0;
	width = r[15] >= 2 && sum_ok(r, 36) ? 8 : 4;
	root = width == 8 ? le64(r + 24) : le32(r + 16);
	sdt = table(root, width == 8 ? "XSDT" : "RSDT", TABLE_MAX, &slen);
	for (uint32_t o = SDT_HDR; sdt && o + width <= slen; o += width) {
		uint64_t pa = width == 8 ? le64(sdt + o) : le32(sdt + o);
		const uint8_t *f = table(pa, "FACP", TABLE_MAX, len);

		if (f)
			return f;
	}
	return 0;
}

/* SLP_TYPa of \_S5 in the DSDT, or -1. */
static int s5_type(const uint8_t *fadt, uint32_t flen)
{
	uint64_t pa = flen >= FADT_X_DSDT + 8 ? le64(fadt + FADT_X_DSDT) : 0;
	const uint8_t *d;
	uint32_t dlen;

	if (!pa)
		pa = le32(fadt + FADT_DSDT);
	d = table(pa, "DSDT", DSDT_MAX, &dlen);
	for (uint32_t i = SDT_HDR + 1; d && i + 10 < dlen; i++) {
		const uint8_t *p = d + i;

		if (__builtin_memcmp(p, "_S5_", 4) ||
		    (p[-1] != AML_NAME && p[-1] != '\\') || p[4] != AML_PACKAGE)
			continue;
		p += 5 + 1 + (p[5] >> 6); /* PkgLength: 1-4 bytes */
		p++;			  /* NumElements */
		if (p + 2 > d + dlen)
			return -1;
		return p[0] == AML_BYTE ? p[1] : p[0] <= 1 ? p[0] : -1;
	}
	return -1;
}

void vio_acpi_init(void)
{
	uint32_t flen;
	const uint8_t *f = find_fadt(&flen);
	int typ = f ? s5_type(f, flen) : -1;

	if (typ < 0 || typ > 7 || flen < FADT_FLAGS + 4)
		return;
	if (!(le32(f + FADT_FLAGS) & FADT_HW_REDUCED)) {
		uint32_t port = le32(f + FADT_PM1A);

		if (port == 0 || port > 0xfffc)
			return;
		vio_acpi = (struct vio_acpi_off){
			1, port, (uint16_t)(SLP_EN_PM1 | typ << 10)
		};
		return;
	}
	if (flen < FADT_SLEEP + 12 || le64(f + FADT_SLEEP + 4) == 0)
		return;
	vio_acpi.addr = le64(f + FADT_SLEEP + 4);
	vio_acpi.value = (uint16_t)(SLP_EN_HWR | typ << 2);
	if (f[FADT_SLEEP] == 1 && vio_acpi.addr < 0x10000)
		vio_acpi.kind = 1;
	else if (f[FADT_SLEEP] == 0 && vio_map_mmio(vio_acpi.addr, 1) == 0)
		vio_acpi.kind = 2;
}

void vio_acpi_power_off(void)
{
	if (vio_acpi.kind == 1 && vio_acpi.value > 0xff)
		x86_outw((uint16_t)vio_acpi.addr, vio_acpi.value);
	else if (vio_acpi.kind == 1)
		x86_outb((uint16_t)vio_acpi.addr, (uint8_t)vio_acpi.value);
	else if (vio_acpi.kind == 2)
		*(volatile uint8_t *)(uintptr_t)vio_acpi.addr =
			(uint8_t)vio_acpi.value;
}
