/* wire: a userspace Ethernet forwarder between two interfaces that
 * impairs what it forwards (tc netem is not available on the machines
 * pith is tested on). One side is a tap device whose descriptor wire
 * holds (the Linux stack's side: give the tap an address); the other is
 * a link, an interface wire reads and writes with a packet socket (the
 * kernel side of the tap an appliance holds). Every frame, in each
 * direction, is independently
 *
 *   dropped     with probability --drop,
 *   corrupted   with probability --corrupt (one byte past the Ethernet
 *               header flipped, so checksums, not MAC filters, see it),
 *   duplicated  with probability --dup,
 *   reordered   with probability --reorder (held back and sent after
 *               the next frame of its direction, or after 10 ms),
 *   delayed     by --delay-ms (every frame; order is kept),
 *
 * drawn from a xorshift generator seeded by --seed, so a run can be
 * repeated.
 *
 * The link side reads with a virtio-net header (PACKET_VNET_HDR): a TCP
 * frame of up to 64 KiB that the appliance handed its tap to segment
 * (segmentation offload) is cut into segments here, as a host's egress
 * would (tests/common/gso.c), and each is impaired on its own; a frame
 * whose checksum the kernel left to the device gets it computed. SIGTERM or SIGINT (or --duration) ends it; it then prints its
 * counters on one line.
 *
 * usage: wire --tap TAP --link IF [--drop P] [--corrupt P] [--dup P]
 *             [--reorder P] [--delay-ms N] [--seed N] [--duration S] */
#include <stddef.h>
#include <arpa/inet.h>
#include <err.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../common/gso.h"

#define FRAME_MAX  9018		/* a jumbo frame with a VLAN tag */
#define GSO_MAX	   (65535 + 14) /* a frame the link's side may segment */
#define QUEUE_MAX  4096		/* frames delayed at once, per direction */
#define HOLD_NS	   10000000ULL	/* a reordered frame waits at most 10 ms */
#define ETH_HEADER 14

struct frame {
	uint64_t due;
	size_t len;
	unsigned char b[FRAME_MAX];
};

/* One direction: frames waiting for their time, and one held back. */
struct dir {
	int out_fd, out_is_packet;
	struct frame q[QUEUE_MAX];
	unsigned head, len;
	struct frame held;
	int holding;
};

static struct {
	double drop, corrupt, dup, reorder;
	uint64_t delay_ns, seed;
	int ifindex;
	unsigned long frames, dropped, corrupted, duplicated, reordered,
		overflow, gso, bad_gso;
	size_t mtu; /* the link's: segments are cut to it */
} w = { .seed = 1 };

static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double chance(void)
{
	w.seed ^= w.seed << 13;
	w.seed ^= w.seed >> 7;
	w.seed ^= w.seed << 17;
	return (double)(w.seed >> 11) / (double)(1ULL << 53);
}

static void emit(struct dir *d, const struct frame *f)
{
	if (d->out_is_packet) {
		/* The link's socket takes a header first: none of offload. */
		struct virtio_net_hdr vh = { 0 };
		struct sockaddr_ll a = { .sll_family = AF_PACKET,
					 .sll_ifindex = w.ifindex,
					 .sll_halen = 6 };
		struct iovec v[2] = { { &vh, sizeof vh },
				      { (void *)f->b, f->len } };
		struct msghdr m = { .msg_name = &a,
				    .msg_namelen = sizeof a,
				    .msg_iov = v,
				    .msg_iovlen = 2 };
		memcpy(a.sll_addr, f->b, 6);
		sendmsg(d->out_fd, &m, 0);
	} else if (write(d->out_fd, f->b, f->len) < 0) {
		w.overflow++; /* the tap's queue is full: a loss */
	}
}

static void enqueue(struct dir *d, const struct frame *f)
{
	struct frame *slot;

	if (d->len == QUEUE_MAX) {
		w.overflow++;
		return;
	}
	slot = &d->q[(d->head + d->len++) % QUEUE_MAX];
	memcpy(slot, f, offsetof(struct frame, b) + f->len);
	slot->due = now_ns() + w.delay_ns;
}

/* Applies the impairments to F and queues what is left of it. */
static void forward(struct dir *d, struct frame *f)
{
	w.frames++;
	if (chance() < w.drop) {
		w.dropped++;
		return;
	}
	if (f->len > ETH_HEADER && chance() < w.corrupt) {
		size_t at = ETH_HEADER +
			    (size_t)(chance() * (double)(f->len - ETH_HEADER));
		f->b[at < f->len ? at : f->len - 1] ^=
			(unsigned char)(1 + chance() * 254);
		w.corrupted++;
	}
	if (!d->holding && chance() < w.reorder) {
		memcpy(&d->held, f, offsetof(struct frame, b) + f->len);
		d->held.due = now_ns() + HOLD_NS;
		d->holding = 1;
		w.reordered++;
		return;
	}
	enqueue(d, f);
	if (chance() < w.dup) {
		enqueue(d, f);
		w.duplicated++;
	}
	if (d->holding) { /* the held frame goes after this one */
		enqueue(d, &d->held);
		d->holding = 0;
	}
}

/* Sends what is due; returns ns until the next frame is due (or -1). */
static int64_t drain(struct dir *d)
{
	uint64_t now = now_ns();

	if (d->holding && d->held.due <= now) {
		enqueue(d, &d->held);
		d->holding = 0;
	}
	while (d->len && d->q[d->head].due <= now) {
		emit(d, &d->q[d->head]);
		d->head = (d->head + 1) % QUEUE_MAX;
		d->len--;
	}
	if (d->len)
		return (int64_t)(d->q[d->head].due - now);
	return d->holding ? (int64_t)(d->held.due - now) : -1;
}

static int open_tap(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		err(1, "/dev/net/tun");
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		err(1, "attach to tap %s", name);
	return fd;
}

static int open_link(const char *name)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			htons(ETH_P_ALL));
	struct sockaddr_ll a = { .sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ALL) };

	if (fd < 0)
		err(1, "packet socket");
	w.ifindex = (int)if_nametoindex(name);
	if (!w.ifindex)
		err(1, "interface %s", name);
	a.sll_ifindex = w.ifindex;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		err(1, "bind to %s", name);
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &(int){ 1 },
		       sizeof(int)) < 0)
		err(1, "PACKET_VNET_HDR on %s", name);
	struct ifreq ifr = { 0 };
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		err(1, "MTU of %s", name);
	w.mtu = (size_t)ifr.ifr_mtu;
	return fd;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void parse(int argc, char **argv, const char **tap, const char **link,
		  double *duration)
{
	for (int i = 1; i < argc; i += 2) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : 0;
		char *end;
		double x;
		if (!v)
			errx(2, "%s needs a value", o);
		x = strtod(v, &end);
		if (!strcmp(o, "--tap"))
			*tap = v;
		else if (!strcmp(o, "--link"))
			*link = v;
		else if (*end || x < 0)
			errx(2, "%s: '%s' is not a non-negative number", o, v);
		else if (!strcmp(o, "--drop") && x <= 1)
			w.drop = x;
		else if (!strcmp(o, "--corrupt") && x <= 1)
			w.corrupt = x;
		else if (!strcmp(o, "--dup") && x <= 1)
			w.dup = x;
		else if (!strcmp(o, "--reorder") && x <= 1)
			w.reorder = x;
		else if (!strcmp(o, "--delay-ms") && x <= 10000)
			w.delay_ns = (uint64_t)(x * 1e6);
		else if (!strcmp(o, "--seed"))
			w.seed = (uint64_t)x ? (uint64_t)x : 1;
		else if (!strcmp(o, "--duration"))
			*duration = x;
		else
			errx(2, "unknown option or value out of range: %s %s",
			     o, v);
	}
	if (!*tap || !*link)
		errx(2, "usage: wire --tap TAP --link IF [--drop P] "
			"[--corrupt P] [--dup P] [--reorder P] [--delay-ms N] "
			"[--seed N] [--duration S]");
}

/* A segment cut from a TSO frame: impaired like any frame. */
static void forward_segment(void *ctx, const uint8_t *seg, size_t len)
{
	static struct frame f;

	memcpy(f.b, seg, len);
	f.len = len;
	forward(ctx, &f);
}

/* A frame read from the link with header VH: segmented, checksummed or
 * passed on as it is. */
static void from_link(struct dir *d, const struct virtio_net_hdr *vh,
		      uint8_t *b, size_t len)
{
	static struct frame f;

	if (vh->gso_type == VIRTIO_NET_HDR_GSO_TCPV4) {
		w.gso++;
		if (gso_segment(b, len, vh->gso_size, w.mtu, forward_segment,
				d) < 0)
			w.bad_gso++;
		return;
	}
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE || len > FRAME_MAX) {
		w.bad_gso++;
		return;
	}
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		gso_csum_complete(b, len, vh->csum_start, vh->csum_offset);
	memcpy(f.b, b, len);
	f.len = len;
	forward(d, &f);
}

/* Reads every frame waiting on FD into direction D. */
static void pump(int fd, int is_packet, struct dir *d)
{
	static struct frame f;
	static uint8_t big[GSO_MAX];

	for (;;) {
		struct sockaddr_ll a;
		struct virtio_net_hdr vh;
		struct iovec v[2] = { { &vh, sizeof vh }, { big, sizeof big } };
		struct msghdr m = { .msg_name = &a,
				    .msg_namelen = sizeof a,
				    .msg_iov = v,
				    .msg_iovlen = 2 };
		ssize_t n = is_packet ? recvmsg(fd, &m, 0)
				      : read(fd, f.b, sizeof f.b);
		if (n <= 0)
			return;
		if (is_packet && a.sll_pkttype == PACKET_OUTGOING)
			continue; /* our own sends, seen again */
		if (is_packet) {
			if ((size_t)n < sizeof vh)
				continue;
			from_link(d, &vh, big, (size_t)n - sizeof vh);
			continue;
		}
		f.len = (size_t)n;
		forward(d, &f);
	}
}

int main(int argc, char **argv)
{
	static struct dir to_link, to_tap;
	const char *tap = 0, *link = 0;
	double duration = 0;
	uint64_t end;

	parse(argc, argv, &tap, &link, &duration);
	to_tap.out_fd = open_tap(tap);
	to_link.out_fd = open_link(link);
	to_link.out_is_packet = 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	end = duration > 0 ? now_ns() + (uint64_t)(duration * 1e9) : UINT64_MAX;
	printf("wire: forwarding %s <-> %s\n", tap, link);
	fflush(stdout);
	while (!stop && now_ns() < end) {
		struct pollfd p[2] = { { to_tap.out_fd, POLLIN, 0 },
				       { to_link.out_fd, POLLIN, 0 } };
		int64_t a = drain(&to_link), b = drain(&to_tap), t = a;
		if (t < 0 || (b >= 0 && b < t))
			t = b;
		poll(p, 2, t < 0 ? 100 : (int)(t / 1000000) + 1);
		if (p[0].revents & POLLIN)
			pump(to_tap.out_fd, 0, &to_link);
		if (p[1].revents & POLLIN)
			pump(to_link.out_fd, 1, &to_tap);
	}
	printf("wire: frames %lu dropped %lu corrupted %lu duplicated %lu "
	       "reordered %lu overflow %lu tso %lu bad_tso %lu\n",
	       w.frames, w.dropped, w.corrupted, w.duplicated, w.reordered,
	       w.overflow, w.gso, w.bad_gso);
	return 0;
}
