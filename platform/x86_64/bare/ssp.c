/* The stack-protector failure of a bare image (musl's, in a libc image,
 * halts; the kvm monitor recognises it by name, the virtio target links
 * its own in its place). */
#include "../x86.h"

_Noreturn void __stack_chk_fail(void);

X86_NO_SSP _Noreturn void __stack_chk_fail(void)
{
	x86_stack_chk_fail(__builtin_frame_address(0));
}
