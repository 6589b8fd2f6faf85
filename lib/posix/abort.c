/* abort() for the libOS: musl's raises SIGABRT, which no target delivers;
 * this one hands the reason to the platform, which reports and stops.
 * The build links it ahead of musl's (-u abort). */
#include <stdlib.h>

#include "pith/platform.h"

_Noreturn void abort(void)
{
	pith_abort("abort() called");
}
