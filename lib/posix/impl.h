/* lib/posix internals: one function per served system call family. Each
 * returns the Linux result: a value or -errno. */
#ifndef POSIX_IMPL_H
#define POSIX_IMPL_H

long posix_brk(unsigned long addr);
long posix_mmap(unsigned long addr, unsigned long len, long prot, long flags,
		long fd, long off);
long posix_munmap(unsigned long addr, unsigned long len);

long posix_write(long fd, const void *buf, unsigned long len);
long posix_writev(long fd, const void *iov, long cnt);
long posix_ioctl(long fd, unsigned long req, void *arg);

long posix_clock_gettime(long clk, void *ts);
long posix_gettimeofday(void *tv);
long posix_time(long *t);
long posix_nanosleep(const void *req);
long posix_clock_nanosleep(long clk, long flags, const void *req);

#endif
