/* Executes SSE arithmetic (pxor, paddd) and says so if it survived. */
#include "pith/platform.h"

int main(void)
{
	static const char ok[] = "sse: ok\n";

	__asm__ volatile("pxor %xmm0, %xmm0\n\tpaddd %xmm0, %xmm0");
	pith_console_write(ok, sizeof ok - 1);
	return 0;
}
