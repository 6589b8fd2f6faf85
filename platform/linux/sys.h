/* Raw Linux system calls for the platform's run-time paths: no errno, no
 * libc state, usable from signal handlers. Results are Linux's: a value
 * or -errno. */
#ifndef PITH_LINUX_SYS_H
#define PITH_LINUX_SYS_H

static inline long lx_syscall6(long n, long a, long b, long c, long d, long e,
			       long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long lx_syscall3(long n, long a, long b, long c)
{
	return lx_syscall6(n, a, b, c, 0, 0, 0);
}

#endif
