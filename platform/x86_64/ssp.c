/* A failed stack-protector check in ring 0: reported as the function
 * whose frame was overwritten, the caller of __stack_chk_fail. Used by
 * bare images (bare/ssp.c) and by the virtio target, which also takes
 * musl's check failures here (musl's own halts the CPU). */
#include "../common/fmt.h"
#include "../common/symbols.h"
#include "pith/exit.h"
#include "x86.h"

X86_NO_SSP _Noreturn void x86_stack_chk_fail(const uint64_t *frame)
{
	char reason[128];
	struct pith_buf b;
	uint64_t off;
	const char *fn = pith_symbolize(frame[1] - 1, &off);

	pith_buf_init(&b, reason, sizeof reason);
	pith_buf_str(&b, "the stack frame of ");
	pith_buf_str(&b, fn ? fn : "a function");
	pith_buf_str(&b, " was overwritten (canary mismatch)");
	ring0_fatal(PITH_EXIT_SSP, reason, frame[1] - 1,
		    (uint64_t)(uintptr_t)(frame + 2), frame[0]);
}
