/* The TCP adapter: runs the protocol engine over lib/net's TCP.
 *
 * No fiber per connection: an idle connection is its TCP state, this
 * file's small record and the engine's fixed state. Each connection's
 * readiness callback (data, end of stream, send space, a reference
 * acknowledged) and its deadline timer put it on a ready queue; one
 * worker fiber takes connections off the queue and drives each with
 * calls that never park (NET_NOWAIT): the engine says receive, send,
 * shut down or close, the adapter does it until TCP would block, arms
 * the engine's deadline and moves on. One acceptor fiber parks in
 * net_tcp_accept.
 *
 * Output: the engine's own bytes (heads) are copied into TCP's send
 * buffer; immutable pieces (file content in the image) are queued by
 * reference (net_tcp_send_ref), in slices, with at most
 * HTTP_TCP_REFS_INFLIGHT slices unacknowledged per connection. The
 * engine counts a slice as sent when TCP takes it, so a client that
 * stops reading stops acknowledging, the window of slices stays full,
 * nothing more is taken, and the engine's send timeout ends it; while
 * slices are held, the adapter applies the same timeout to their
 * release (a response small enough to be taken whole). A
 * connection record lives until TCP has released every reference to
 * it (their DONE callbacks), even after the connection is closed. */
#include <errno.h>
#include <stdlib.h>

#include "impl.h"
#include "pith/core.h"
#include "pith/net.h"
#include "pith/platform.h"

/* Largest slice of immutable content queued by reference: progress is
 * seen (a slice acknowledged) at least every 64 KiB the client reads. */
#define HTTP_TCP_REF_SLICE (64UL << 10)

/* Referenced slices unacknowledged per connection: 2 MiB of content in
 * flight at most, far above a local path's bandwidth-delay product, and
 * below TCP's NET_TCP_REFS_MAX. */
#define HTTP_TCP_REFS_INFLIGHT 32
_Static_assert(HTTP_TCP_REFS_INFLIGHT <= NET_TCP_REFS_MAX, "TCP's ref cap");

/* Engine decisions carried out per connection before it goes back to
 * the end of the queue, so one busy client cannot starve the others. */
#define HTTP_TCP_STEPS 64

/* Pieces of output looked at per send. */
#define HTTP_TCP_PIECES 16

/* Bytes the worker's stack needs: the engine's deepest call (a handler
 * with its response header buffer) and libc's formatting. */
#define HTTP_TCP_WORKER_STACK (64UL << 10)

struct http_tcp {
	struct net_tcp *t;
	struct http_conn *h;
	struct http_tcp *next; /* on the ready queue */
	struct core_timer timer;
	struct http_listener *l;
	uint8_t queued, closing, busy;
	uint8_t refs;	    /* referenced slices not yet released by TCP */
	uint64_t ref_since; /* the last release, or the first slice queued */
};

struct http_listener {
	struct http_server *s;
	struct net_tcp_listener *nl;
	struct http_tcp *head, *tail;
	struct core_waitq work;
};

static void enqueue(struct http_tcp *k)
{
	struct http_listener *l = k->l;

	if (k->queued || k->closing)
		return;
	k->queued = 1;
	k->next = NULL;
	if (l->tail)
		l->tail->next = k;
	else
		l->head = k;
	l->tail = k;
	core_wake_one(&l->work);
}

static void on_ready(struct net_tcp *t, void *arg, int events)
{
	(void)t;
	(void)events;
	enqueue(arg);
}

static void on_timer(struct core_timer *t)
{
	enqueue((struct http_tcp *)((char *)t -
				    offsetof(struct http_tcp, timer)));
}

/* Frees K once it is closed, neither being driven nor on the queue,
 * and TCP holds none of its references. */
static void release(struct http_tcp *k)
{
	if (k->closing && !k->busy && !k->queued && k->refs == 0)
		free(k);
}

static void on_ref_done(void *arg, int status)
{
	struct http_tcp *k = arg;

	(void)status;
	k->refs--;
	k->ref_since = pith_clock_monotonic();
	if (k->closing)
		release(k);
	else
		enqueue(k);
}

/* Ends K: ABORT resets the connection (an error, a timeout), otherwise
 * TCP finishes sending and closes. */
static void finish(struct http_tcp *k, int abort)
{
	k->closing = 1;
	core_timer_cancel(&k->timer);
	net_tcp_set_notify(k->t, NULL, NULL);
	http_conn_free(k->h);
	k->h = NULL;
	if (abort)
		net_tcp_abort(k->t);
	else
		net_tcp_close(k->t);
}

/* Hands as much pending output to TCP as it takes now: the bytes taken,
 * or -1 if the connection failed. */
static long send_some(struct http_tcp *k, uint64_t now)
{
	struct http_piece v[HTTP_TCP_PIECES];
	size_t n = http_conn_output(k->h, v, HTTP_TCP_PIECES), total = 0;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = v[i].p;
		size_t left = v[i].len;
		while (left && v[i].immutable) {
			size_t slice = left < HTTP_TCP_REF_SLICE
					       ? left
					       : HTTP_TCP_REF_SLICE;
			int r;
			if (k->refs >= HTTP_TCP_REFS_INFLIGHT)
				goto out;
			r = net_tcp_send_ref(k->t, p, slice, on_ref_done, k);
			if (r == -ENOBUFS)
				goto out;
			if (r < 0)
				return -1;
			if (k->refs++ == 0)
				k->ref_since = now;
			p += slice;
			left -= slice;
			total += slice;
		}
		if (left) {
			ssize_t r = net_tcp_send(k->t, p, left, NET_NOWAIT);
			if (r == -EAGAIN)
				goto out;
			if (r < 0)
				return -1;
			total += (size_t)r;
			if ((size_t)r < left)
				goto out;
		}
	}
out:
	if (total)
		http_conn_sent(k->h, total, now);
	return (long)total;
}

/* Moves received bytes into the engine: their count, 0 at the end of
 * the stream, -EAGAIN when there are none, or another -errno. While
 * TCP holds nothing readable, a one-byte probe finds out whether the
 * stream ended, so an idle connection never takes the engine's request
 * buffers (they come with the first byte of a request). */
static ssize_t receive(struct http_tcp *k, uint64_t now)
{
	uint8_t *buf, probe;
	size_t cap;
	ssize_t n;

	if (net_tcp_readable(k->t) == 0) {
		n = net_tcp_recv(k->t, &probe, 1, NET_NOWAIT);
		if (n == 1)
			http_conn_input(k->h, &probe, 1, now);
	} else {
		if (http_conn_rbuf(k->h, &buf, &cap) < 0)
			return -ENOMEM;
		n = net_tcp_recv(k->t, buf, cap, NET_NOWAIT);
		if (n > 0)
			http_conn_received(k->h, (size_t)n, now);
	}
	if (n == 0)
		http_conn_eof(k->h, now);
	return n;
}

/* The send timeout of content TCP holds by reference: the engine
 * counts it as sent when TCP takes it, so a client that reads nothing
 * of a response that fits in the slices in flight would otherwise be
 * waited for until the idle timeout. The deadline by which a slice must
 * be released, or UINT64_MAX when none is held. */
static uint64_t ref_deadline(const struct http_tcp *k)
{
	return k->refs ? k->ref_since + k->l->s->cfg.send_timeout_ns
		       : UINT64_MAX;
}

static void arm(struct http_tcp *k, uint64_t deadline)
{
	if (ref_deadline(k) < deadline)
		deadline = ref_deadline(k);
	if (deadline == UINT64_MAX)
		core_timer_cancel(&k->timer);
	else if (deadline != k->timer.deadline || !core_timer_armed(&k->timer))
		if (core_timer_arm(&k->timer, deadline) < 0)
			COUNT(k->l->s,
			      NOMEM); /* it is driven at its next event */
}

/* Carries out the engine's decisions until TCP would block. */
static void drive(struct http_tcp *k)
{
	uint64_t now = pith_clock_monotonic(), dl;

	if (now >= ref_deadline(k)) {
		COUNT(k->l->s, CLOSE_SEND_TIMEOUT);
		finish(k, 1);
		return;
	}
	for (int step = 0; step < HTTP_TCP_STEPS; step++) {
		ssize_t n;
		switch (http_conn_next(k->h, now, &dl)) {
		case HTTP_ACT_RECV:
			n = receive(k, now);
			if (n == -EAGAIN) {
				arm(k, dl);
				return;
			}
			if (n < 0) {
				if (n != -ENOMEM)
					COUNT(k->l->s, CLOSE_RESET);
				finish(k, 1);
				return;
			}
			break;
		case HTTP_ACT_SEND:
			n = send_some(k, now);
			if (n < 0) {
				COUNT(k->l->s, CLOSE_RESET);
				finish(k, 1);
				return;
			}
			if (n == 0) {
				arm(k, dl);
				return;
			}
			break;
		case HTTP_ACT_SHUTDOWN:
			net_tcp_shutdown(k->t);
			break;
		case HTTP_ACT_CLOSE:
			finish(k, net_tcp_error(k->t) != 0);
			return;
		case HTTP_ACT_ABORT:
			finish(k, 1);
			return;
		}
	}
	enqueue(k);
}

static void worker(void *arg)
{
	struct http_listener *l = arg;

	for (;;) {
		struct http_tcp *k;
		while (!(k = l->head))
			core_wait(&l->work, NET_FOREVER);
		l->head = k->next;
		if (!l->head)
			l->tail = NULL;
		k->queued = 0;
		k->busy = 1;
		if (!k->closing)
			drive(k);
		k->busy = 0;
		release(k);
	}
}

static void acceptor(void *arg)
{
	struct http_listener *l = arg;

	for (;;) {
		struct net_tcp *t;
		struct net_tcp_info info;
		struct http_tcp *k;
		if (net_tcp_accept(l->nl, &t, NET_FOREVER) < 0)
			continue;
		net_tcp_info(t, &info);
		k = calloc(1, sizeof *k);
		if (k)
			k->h = http_conn_new(l->s, pith_clock_monotonic(),
					     info.remote_addr);
		if (!k || !k->h) {
			COUNT(l->s, NOMEM);
			free(k);
			net_tcp_abort(t);
			continue;
		}
		k->t = t;
		k->l = l;
		core_timer_init(&k->timer, on_timer);
		net_tcp_set_nodelay(t, 1);
		net_tcp_set_notify(t, on_ready, k);
		enqueue(k); /* the request may have come with the handshake */
	}
}

int http_serve(struct http_server *s, uint16_t port, unsigned backlog,
	       struct http_listener **out)
{
	struct http_listener *l = calloc(1, sizeof *l);
	int r;

	if (!l)
		return -ENOMEM;
	l->s = s;
	if ((r = net_tcp_listen(port, backlog, &l->nl)) < 0) {
		free(l);
		return r;
	}
	/* On failure L stays allocated: a fiber may already hold it, and
   * the appliance ends anyway. */
	if (!core_fiber_spawn(worker, l, HTTP_TCP_WORKER_STACK, "http-work") ||
	    !core_fiber_spawn(acceptor, l, 0, "http-accept"))
		return -ENOMEM;
	if (out)
		*out = l;
	return 0;
}
