/* Boot of a virtio guest, from pvh.S's jump to the shared _start (long
 * mode, boot page tables, boot stack, RDI = the PVH start info). In
 * order:
 *   1. TLS with a first canary (TSC, RDRAND), before any code checks one;
 *   2. GDT, TSS and IDT (exceptions reported from here on), SYSCALL;
 *   3. the serial ports, then the start info: command line, memory map
 *      and ACPI pointer copied out of low memory (input: checked);
 *   4. the command line's parameters and arguments; the random bytes
 *      (host seed, RDRAND, TSC) and the canary drawn from them;
 *   5. the clock, the manifest, the memory layout, ACPI power-off, the
 *      NMI pin (a halted guest is woken by one to report);
 *   6. the devices (found, bound to the manifest, queues set up);
 *   7. the heap, the final W^X page tables, the application stack, and
 *      the layout recorded for pith run's debugging options (debug.c);
 *   8. SSE, then main(argc, argv) through musl or directly.
 * Only the crash path and pith_exit leave the guest. */
#include "../common/fmt.h"
#include "../x86_64/x86.h"
#include "pith/exit.h"
#include "vio.h"

#define PVH_MAGIC	   0x336ec578
#define PVH_MEMMAP_VERSION 1
#define E820_RAM	   1
#define FOUR_GIB	   (4ULL << 30)
#define CPUID_RDRAND	   (1u << 30) /* CPUID 1 ECX */
#define RDRAND_TRIES	   10

/* The PVH start info (xen/include/public/arch-x86/hvm/start_info.h). */
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct vio_state vio;

extern const char pith_manifest_text[];
extern const uint32_t pith_manifest_size;

/* The exception stacks: a guard page, then two IST stacks (x86.h). */
static uint8_t trap_area[4096 + 2 * X86_IST_SIZE]
	__attribute__((aligned(4096)));

static char *argv[VIO_ARGC_MAX + 1];

static const void *low(uint64_t pa, uint64_t len)
{
	if (pa == 0 || pa >= FOUR_GIB || len > FOUR_GIB - pa)
		return 0;
	return (const void *)(uintptr_t)pa;
}

static void copy_cmdline(uint64_t pa)
{
	const char *s = low(pa, 1);
	size_t n = 0;

	if (!s)
		return;
	for (; n < VIO_CMDLINE_MAX && low(pa + n, 1) && s[n]; n++)
		vio.cmdline[n] = s[n];
	if (n == VIO_CMDLINE_MAX && s[n])
		vio_fail(PITH_EXIT_USAGE,
			 "the command line is longer than 8192 bytes");
	vio.cmdline[n] = '\0';
}

static void copy_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e;
	uint32_t n = si->memmap_entries;

	if (si->version < PVH_MEMMAP_VERSION || n == 0)
		vio_fail(PITH_EXIT_HOST,
			 "the VMM gave no memory map (PVH start info "
			 "version 0)");
	if (n > VIO_MEMMAP_MAX)
		n = VIO_MEMMAP_MAX;
	e = low(si->memmap_paddr, (uint64_t)n * sizeof *e);
	if (!e)
		vio_fail(PITH_EXIT_HOST, "the memory map lies above 4 GiB");
	for (uint32_t i = 0; i < n; i++)
		if (e[i].type == E820_RAM && e[i].addr + e[i].size > e[i].addr)
			vio.ram[vio.nram++] =
				(struct vio_range){ e[i].addr,
						    e[i].addr + e[i].size };
}

static void read_start_info(const struct hvm_start_info *boot)
{
	struct hvm_start_info si;

	if (!low((uint64_t)(uintptr_t)boot, sizeof si))
		vio_fail(PITH_EXIT_HOST, "no PVH start info");
	__builtin_memcpy(&si, boot, sizeof si);
	if (si.magic != PVH_MAGIC)
		vio_fail(PITH_EXIT_HOST,
			 "not started through PVH (bad start info magic)");
	copy_cmdline(si.cmdline_paddr);
	copy_memmap(&si);
	vio.rsdp = si.rsdp_paddr;
}

X86_NO_SSP static uint64_t rdrand(void)
{
	uint32_t id[4];
	uint64_t v = 0;
	unsigned char ok = 0;

	x86_cpuid(1, id);
	if (!(id[2] & CPUID_RDRAND))
		return 0;
	for (int i = 0; i < RDRAND_TRIES && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
	return ok ? v : 0;
}

/* A 64-bit mixer (splitmix64's finaliser). */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* vio.random: the host's seed (pith.seed, from getrandom on the host)
 * where given, mixed with RDRAND and the TSC where there is one. Without
 * a seed or RDRAND the bytes are only as good as the TSC's jitter. */
static void make_random(void)
{
	uint64_t w[4], s;

	__builtin_memcpy(w, vio.seed, sizeof w);
	for (unsigned i = 0; i < 4; i++) {
		s = w[i] ^ rdrand() ^ mix(x86_rdtsc() + i);
		w[i] = mix(s + 0x9e3779b97f4a7c15ULL * (i + 1));
	}
	__builtin_memcpy(vio.random, w, sizeof w);
}

/* Runs on the application stack with the final page tables. */
static _Noreturn void run(void)
{
	x86_sse_enable();
	vio.info.heap_start = vio.heap.lo;
	vio.info.heap_size = vio.heap.hi - vio.heap.lo;
	vio.tsc_main = x86_rdtsc();
	pith_exit(x86_run_main(vio.info.argc, vio.info.argv, vio.random + 16));
}

/* A new canary in the running TLS block: no function on the stack may
 * check the old one on return (start never returns). */
X86_NO_SSP static void reseed_canary(void)
{
	uint64_t c;

	__builtin_memcpy(&c, vio.random, sizeof c);
	x86_tls_early(c);
}

static _Noreturn void start(const struct hvm_start_info *si)
{
	struct pith_manifest_error e;

	x86_cpu_init((uint64_t)(uintptr_t)(trap_area + sizeof trap_area));
	vio.trap_guard =
		(struct vio_range){ (uint64_t)(uintptr_t)trap_area,
				    (uint64_t)(uintptr_t)trap_area + 4096 };
	vio_serial_init();
	read_start_info(si);
	vio.info.argc = vio_cmdline_parse(argv, "appliance");
	vio.info.argv = argv;
	make_random();
	reseed_canary();
	vio_clock_init();
	if (pith_manifest_parse(pith_manifest_text, pith_manifest_size,
				&vio.manifest, &e) < 0)
		vio_fail(PITH_EXIT_IMAGE, "the image's manifest is malformed");
	vio.info.manifest = pith_manifest_text;
	vio.info.target = "virtio";
	vio_memory_init();
	vio_acpi_init();
	vio_nmi_init();
	vio_devices_init();
	vio_memory_finish();
	vio_paging_switch();
	vio_debug_layout();
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%1\n\t"
			 "ud2" ::"r"(vio.stack.hi),
			 "r"(run)
			 : "memory");
	__builtin_unreachable();
}

X86_NO_SSP _Noreturn void ring0_start(void *boot)
{
	x86_tls_early(mix(x86_rdtsc()) ^ rdrand());
	start(boot);
}

const struct pith_boot_info *pith_boot_info(void)
{
	return &vio.info;
}
