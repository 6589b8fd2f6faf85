/* pith-net's confinement. What it needs after setup is what a NAT does:
 * sockets of the Internet families (connections the appliance opens),
 * accepting on the forwarded ports, reading, writing and polling, and
 * memory for libslirp. Not allowed: opening files, other socket families
 * (no AF_UNIX, AF_NETLINK, AF_PACKET), executing, tracing, changing
 * identity. A call outside the list kills the process. */
#include <errno.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "net.h"

/* Calls allowed with any arguments, each with its reason. */
static const struct {
	int nr;
	const char *why;
} calls[] = {
	{ SYS_read, "frames from the appliance, data from host sockets" },
	{ SYS_write, "frames to the appliance, data to host sockets" },
	{ SYS_recvfrom, "data from host sockets (UDP, TCP)" },
	{ SYS_sendto, "data to host sockets" },
	{ SYS_recvmsg, "data from host sockets" },
	{ SYS_sendmsg, "data to host sockets" },
	{ SYS_poll, "the loop's wait" },
	{ SYS_ppoll, "the loop's wait (libc may use ppoll)" },
	{ SYS_connect,
	  "connections the appliance opens to the host's network" },
	{ SYS_accept, "connections to the forwarded ports" },
	{ SYS_accept4, "connections to the forwarded ports" },
	{ SYS_bind, "UDP sockets slirp binds for the appliance" },
	{ SYS_listen,
	  "(libslirp listens only during setup; kept for its re-binds)" },
	{ SYS_shutdown, "half-closes the appliance asks for" },
	{ SYS_close, "closing host sockets" },
	{ SYS_setsockopt, "socket options slirp sets" },
	{ SYS_getsockopt, "socket errors slirp reads" },
	{ SYS_getsockname, "addresses of host sockets" },
	{ SYS_getpeername, "addresses of host sockets" },
	{ SYS_fcntl, "non-blocking host sockets" },
	{ SYS_ioctl, "FIONREAD on host sockets" },
	{ SYS_clock_gettime, "slirp's clock" },
	{ SYS_brk, "memory for libslirp" },
	{ SYS_mmap, "memory for libslirp (never executable: see below)" },
	{ SYS_munmap, "memory for libslirp" },
	{ SYS_mremap, "memory for libslirp" },
	{ SYS_madvise, "memory for libslirp" },
	{ SYS_futex, "glib's locks" },
	{ SYS_getrandom, "slirp's random port numbers and IDs" },
	{ SYS_exit_group, "the end" },
	{ SYS_rt_sigreturn, "return from a signal handler (glib)" },
};

int neth_confine(int frames_fd)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int r = 0;

	(void)frames_fd;
	if (!ctx)
		return -ENOMEM;
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0] && !r; i++) {
		if (calls[i].nr == SYS_mmap)
			/* Never an executable mapping. */
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_mmap, 1,
					     SCMP_A2(SCMP_CMP_MASKED_EQ, 4, 0));
		else
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i].nr,
					     0);
	}
	/* Sockets of the Internet families only. */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_socket, 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_INET));
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_socket, 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_INET6));
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
