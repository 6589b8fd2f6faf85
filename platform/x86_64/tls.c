/* Thread-local storage before libc: the x86_64 layout musl and gcc
 * expect (FS points at a block whose first word points to itself; the
 * stack-protector canary is at FS:0x28), with a random canary. musl
 * replaces it with its own block (arch_prctl, served in syscall.c) and
 * re-seeds the canary from AT_RANDOM while it starts. */
#include "x86.h"

static struct {
	uint64_t self;
	uint64_t reserved[4];
	uint64_t canary; /* FS:0x28 */
	uint64_t spare[2];
} tcb __attribute__((aligned(64)));

_Static_assert(__builtin_offsetof(__typeof__(tcb), canary) == 0x28,
	       "canary at FS:0x28");

X86_NO_SSP void x86_tls_early(uint64_t seed)
{
	tcb.self = (uint64_t)(uintptr_t)&tcb;
	/* A zero byte stops string overflows from copying the canary. */
	tcb.canary = seed & ~0xff00ULL;
	x86_wrmsr(X86_MSR_FS_BASE, (uint64_t)(uintptr_t)&tcb);
}
