/* Boot of a kvm guest. The monitor has loaded the image, built the page
 * tables, set long mode, SSE, EFER and the segments, and starts us at
 * _start with RDI = the boot page. In order:
 *   1. TLS with a canary from the monitor's random bytes (before any code
 *      that checks one);
 *   2. GDT, TSS and IDT (exceptions to the trap stack), SYSCALL MSRs;
 *   3. the clock's base, the manifest, the boot information;
 *   4. main(argc, argv), through musl or directly (bare images).
 * None of this exits to the monitor. */
#include "../x86_64/x86.h"
#include "kvm.h"
#include "pith/exit.h"

struct kvm_state kvm;

extern const char pith_manifest_text[];
extern const uint32_t pith_manifest_size;

static _Noreturn void start(const struct pith_kvm_boot *b)
{
	struct pith_manifest_error e;

	x86_cpu_init(b->trap_stack_hi);
	kvm.tsc0 = x86_rdtsc();
	kvm.tsc_mult = b->tsc_khz ? (1000000ULL << 32) / b->tsc_khz : 0;
	if (pith_manifest_parse(pith_manifest_text, pith_manifest_size,
				&kvm.manifest, &e) < 0 ||
	    kvm.manifest.count != b->ndevices)
		kvm_fatal(PITH_EXIT_IMAGE,
			  "the boot page does not match the "
			  "image's manifest",
			  0, 0, 0);
	kvm.info.argc = (int)b->argc;
	kvm.info.argv = (char **)(uintptr_t)b->argv;
	kvm.info.heap_start = b->heap_start;
	kvm.info.heap_size = b->heap_size;
	kvm.info.manifest = pith_manifest_text;
	kvm.info.target = "kvm";
	pith_exit(x86_run_main(kvm.info.argc, kvm.info.argv, b->random + 16));
}

X86_NO_SSP _Noreturn void ring0_start(void *boot)
{
	const struct pith_kvm_boot *b = boot;
	uint64_t seed;

	kvm.boot = b;
	__builtin_memcpy(&seed, b->random, sizeof seed);
	x86_tls_early(seed);
	start(b);
}

const struct pith_boot_info *pith_boot_info(void)
{
	return &kvm.info;
}
