/* The stack-protector failure of a bare image (musl's, in a libc image,
 * halts; the monitor recognises it by name). */
#include "../x86.h"
#include "pith/exit.h"

_Noreturn void __stack_chk_fail(void);

X86_NO_SSP _Noreturn void __stack_chk_fail(void)
{
	uint64_t *frame = __builtin_frame_address(0);

	ring0_fatal(PITH_EXIT_SSP,
		    "a function's stack frame was overwritten (canary "
		    "mismatch)",
		    frame[1] - 1, (uint64_t)(uintptr_t)(frame + 2), frame[0]);
}
