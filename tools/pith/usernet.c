/* `pith run -p HOSTPORT:GUESTPORT` and `--net NAME=user`: user-mode
 * networking. pith starts pith-net (libslirp in its own confined
 * process; see docs/networking.md), waits until it holds the host ports,
 * and hands the appliance its end of a frame socket as --net NAME=fd:N.
 * No root, no tap: the appliance gets 10.0.2.15 by DHCP. */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/portfwd.h"
#include "pith.h"

extern char **environ;

/* The appliance's frame socket: high enough to collide with nothing the
 * platform or the monitor places. */
#define USERNET_FD 200

/* pith-net must hold its ports within this long. */
#define USERNET_READY_MS 10000

struct usernet {
	const char *rules[PORTFWD_MAX];
	unsigned nrules;
	const char *device; /* the net device that gets user networking */
	int user_arg;	    /* index in args of its --net NAME=user, or -1 */
};

static int is_flag(const char *a, const char *name)
{
	return !strcmp(a, name);
}

/* Finds -p rules and --net NAME=user in ARGS (options part only). */
static int scan(int n, char **args, struct usernet *u)
{
	struct pith_buf b;
	char why[128];
	struct portfwd f;

	u->user_arg = -1;
	for (int i = 1; i < n && strcmp(args[i], "--"); i++) {
		const char *a = args[i], *eq;
		if ((is_flag(a, "-p") || is_flag(a, "--publish")) &&
		    i + 1 < n) {
			pith_buf_init(&b, why, sizeof why);
			if (portfwd_parse(args[i + 1], &f, &b) < 0) {
				warnx("run: -p '%s': %s", args[i + 1], why);
				return -1;
			}
			if (u->nrules == PORTFWD_MAX) {
				warnx("run: more than %d -p rules",
				      PORTFWD_MAX);
				return -1;
			}
			u->rules[u->nrules++] = args[++i];
		} else if (is_flag(a, "-p") || is_flag(a, "--publish")) {
			warnx("run: -p needs HOSTPORT:GUESTPORT (e.g. -p "
			      "8080:80)");
			return -1;
		} else if ((eq = strstr(a, "=user")) && eq[5] == '\0' &&
			   (i > 1 && is_flag(args[i - 1], "--net"))) {
			u->user_arg = i;
		}
	}
	return 0;
}

/* Which device gets user networking: the --net NAME=user one, else the
 * manifest's only net device. */
static int pick_device(const struct image *img, char **args, struct usernet *u)
{
	const struct pith_manifest *m = &img->manifest;
	static char name[PITH_DEVICE_NAME_MAX + 1];
	unsigned nnet = 0;

	if (u->user_arg >= 0) {
		size_t len = strlen(args[u->user_arg]) - 5;
		if (len > PITH_DEVICE_NAME_MAX)
			len = PITH_DEVICE_NAME_MAX;
		memcpy(name, args[u->user_arg], len);
		name[len] = '\0';
		u->device = name;
		return 0;
	}
	for (unsigned i = 0; i < m->count; i++)
		if (m->dev[i].type == PITH_DEV_NET) {
			nnet++;
			u->device = m->dev[i].name;
		}
	if (nnet == 1)
		return 0;
	if (nnet == 0)
		warnx("run: -p forwards ports to a network device, and this "
		      "image declares none (pith inspect IMAGE)");
	else
		warnx("run: this image declares %u network devices; say which "
		      "one gets -p with --net NAME=user",
		      nnet);
	return -1;
}

/* Starts pith-net; returns the appliance's end of the frame socket. */
static int start_helper(const struct usernet *u)
{
	char helper[PATH_MAX], reply[512] = "", *argv[PORTFWD_MAX + 4];
	int sv[2], rp[2], n = 0, r;
	posix_spawn_file_actions_t fa;
	struct pollfd p;
	pid_t pid;

	snprintf(helper, sizeof helper, "%s/build/bin/pith-net", pith_root());
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(rp, O_CLOEXEC) < 0)
		err(PITH_TOOL_FAIL, "run: user networking");
	argv[n++] = (char *)"pith-net";
	argv[n++] = (char *)"3";
	argv[n++] = (char *)"4";
	for (unsigned i = 0; i < u->nrules; i++)
		argv[n++] = (char *)u->rules[i];
	argv[n] = 0;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	posix_spawn_file_actions_adddup2(&fa, rp[1], 4);
	if ((errno = posix_spawn(&pid, helper, &fa, 0, argv, environ)))
		err(PITH_TOOL_FAIL, "run: cannot start %s", helper);
	close(sv[1]);
	close(rp[1]);
	p = (struct pollfd){ rp[0], POLLIN, 0 };
	if (poll(&p, 1, USERNET_READY_MS) == 1 &&
	    (r = (int)read(rp[0], reply, sizeof reply - 1)) > 0)
		reply[r] = '\0';
	close(rp[0]);
	if (strncmp(reply, "ok", 2)) {
		reply[strcspn(reply, "\n")] = '\0';
		errx(PITH_TOOL_FAIL, "run: user networking: %s",
		     reply[0] ? reply + (strncmp(reply, "error: ", 7) ? 0 : 7)
			      : "pith-net did not start");
	}
	if (dup2(sv[0], USERNET_FD) < 0)
		err(PITH_TOOL_FAIL, "run: user networking");
	close(sv[0]);
	return USERNET_FD;
}

/* Exits with portfwd_busy's words if a rule's host port is taken. */
static void probe_ports(const struct usernet *u)
{
	struct pith_buf b;
	struct portfwd f;
	char why[160];

	for (unsigned i = 0; i < u->nrules; i++) {
		pith_buf_init(&b, why, sizeof why);
		if (portfwd_parse(u->rules[i], &f, &b) < 0 ||
		    portfwd_probe(&f, &b) < 0)
			errx(PITH_TOOL_FAIL, "run: user networking: %s", why);
	}
}

const char *usernet_rules[PORTFWD_MAX];
unsigned usernet_nrules;

char **usernet_args(const struct image *img, int n, char **args)
{
	static char spec[PITH_DEVICE_NAME_MAX + 16];
	struct usernet u = { .nrules = 0 };
	char **out;
	int k = 0, fd;

	if (scan(n, args, &u) < 0)
		exit(PITH_TOOL_USAGE);
	if (u.nrules == 0 && u.user_arg < 0)
		return args;
	if (pick_device(img, args, &u) < 0)
		exit(PITH_TOOL_FAIL);
	if (!strcmp(img->target.target, "virtio")) {
		/* QEMU has user networking of its own (vmm.c); it binds the
		 * ports itself and would only say that it could not. */
		probe_ports(&u);
		memcpy(usernet_rules, u.rules, sizeof u.rules);
		usernet_nrules = u.nrules;
		snprintf(spec, sizeof spec, "%s=user", u.device);
	} else {
		fd = start_helper(&u);
		snprintf(spec, sizeof spec, "%s=fd:%d", u.device, fd);
	}
	/* One slot before the arguments: the caller may put the monitor's
	 * path there (argv[0]). */
	out = calloc((size_t)n + 4, sizeof *out);
	if (!out)
		err(PITH_TOOL_FAIL, "run");
	out++;
	for (int i = 0; i < n; i++) {
		if (i > 0 && i < n - 1 && strcmp(args[i - 1], "--") &&
		    (is_flag(args[i], "-p") || is_flag(args[i], "--publish"))) {
			i++;
			continue;
		}
		out[k++] = i == u.user_arg ? spec : args[i];
	}
	if (u.user_arg < 0) {
		/* Options go before "--": insert the device after IMAGE. */
		memmove(out + 3, out + 1, (size_t)(k - 1) * sizeof *out);
		out[1] = (char *)"--net";
		out[2] = spec;
		k += 2;
	}
	out[k] = 0;
	return out;
}
