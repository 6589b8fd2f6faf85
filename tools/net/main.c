/* pith-net FRAMES_FD READY_FD [RULE...]: user-mode networking for one
 * appliance (see net.h). Started by `pith run -p`, never by hand:
 *
 *   1. parses the forwarding rules;
 *   2. starts libslirp and binds the host ports;
 *   3. says "ok" (or "error: REASON") on READY_FD, which pith run waits
 *      for before it starts the appliance;
 *   4. confines itself (seccomp) and forwards until the appliance's end
 *      of FRAMES_FD closes, then exits 0.
 * It dies with the appliance (PR_SET_PDEATHSIG). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "net.h"

static int fd_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= 0 && v < 1024 ? (int)v : -1;
}

static void ready(int fd, const char *text)
{
	if (write(fd, text, strlen(text)) < 0) {
		/* pith run is gone: nothing to tell. */
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct portfwd fwd[PORTFWD_MAX];
	char msg[256] = "error: ";
	struct pith_buf err;
	int frames, rd, e;
	unsigned n = 0;
	Slirp *s;

	if (argc < 3 || (frames = fd_arg(argv[1])) < 0 ||
	    (rd = fd_arg(argv[2])) < 0) {
		fprintf(stderr, "usage: pith-net FRAMES_FD READY_FD [RULE...] "
				"(started by `pith run -p`)\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_IGN); /* the appliance decides how Ctrl-C ends */
	pith_buf_init(&err, msg + 7, sizeof msg - 8);
	for (int i = 3; i < argc; i++) {
		if (n == PORTFWD_MAX ||
		    portfwd_parse(argv[i], &fwd[n++], &err) < 0) {
			if (n == PORTFWD_MAX)
				pith_buf_str(&err, "too many -p rules");
			strcat(msg, "\n");
			ready(rd, msg);
			return 1;
		}
	}
	fcntl(frames, F_SETFL, fcntl(frames, F_GETFL) | O_NONBLOCK);
	s = neth_start(frames, fwd, n, &err);
	if (!s || (e = neth_confine(frames)) < 0) {
		if (s)
			pith_buf_str(&err,
				     "cannot confine pith-net with seccomp");
		strcat(msg, "\n");
		ready(rd, msg);
		return 1;
	}
	ready(rd, "ok\n");
	return neth_loop(s, frames);
}
