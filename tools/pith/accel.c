/* QEMU's accelerator for `pith run`: KVM where this host's KVM can run
 * a guest's code, else TCG (software emulation) with a one-line notice.
 *
 * "Can run" is measured, not assumed: some hosts offer a /dev/kvm that
 * cannot execute SSE arithmetic (a nested, software-emulated KVM), and
 * every full appliance needs it (musl). The probe (kvm_probe.S, built
 * as build/bin/pith-kvm-probe) runs under QEMU with KVM; its verdict is
 * kept in build/run/kvm-probe for as long as the host's boot lasts. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "virtio.h"

/* The probe's exit through isa-debug-exit: (42 << 1) | 1. */
#define PROBE_OK_STATUS 85
/* How long the probe may take: QEMU starts in well under a second;
 * a failed KVM leaves QEMU paused, never exiting. */
#define PROBE_TIMEOUT_MS 5000
#define PROBE_POLL_MS	 10

static void notice(const char *why)
{
	fprintf(stderr,
		"pith run: %s; using TCG (QEMU's software "
		"emulation, slower)\n",
		why);
}

static int read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Runs the probe: NULL if it left with its answer, else why not. */
static const char *probe(const char *root)
{
	char elf[4096];
	const char *qemu = getenv("PITH_QEMU") ? getenv("PITH_QEMU")
					       : "qemu-system-x86_64";
	int st;
	pid_t pid;

	snprintf(elf, sizeof elf, "%s/build/bin/pith-kvm-probe", root);
	pid = fork();
	if (pid < 0)
		return "cannot fork";
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp(qemu, qemu, "-M", "microvm,x-option-roms=off", "-accel",
		       "kvm", "-cpu", "host", "-m", "4M", "-nodefaults",
		       "-no-user-config", "-nographic", "-no-reboot", "-kernel",
		       elf, "-device", "isa-debug-exit,iobase=0xf4,iosize=1",
		       (char *)0);
		_exit(127);
	}
	for (int ms = 0; ms < PROBE_TIMEOUT_MS; ms += PROBE_POLL_MS) {
		struct timespec t = { 0, PROBE_POLL_MS * 1000000L };

		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) && WEXITSTATUS(st) ==
							PROBE_OK_STATUS
				       ? 0
				       : "QEMU could not start a guest on KVM";
		nanosleep(&t, 0);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return "this host's KVM cannot run a guest's SSE code";
}

static int kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), ok;
	char why[160];

	if (fd < 0) {
		snprintf(why, sizeof why, "/dev/kvm is not usable (%s)",
			 strerror(errno));
		notice(why);
		return 0;
	}
	ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	close(fd);
	if (!ok)
		notice("/dev/kvm speaks another KVM API version");
	return ok;
}

const char *vrun_accel(const char *root)
{
	char cache[4096], boot[64] = "", line[192], why[160];
	const char *fail;
	size_t n;
	FILE *f;

	if (!kvm_usable())
		return "tcg";
	snprintf(cache, sizeof cache, "%s/build/run/kvm-probe", root);
	read_file("/proc/sys/kernel/random/boot_id", boot, sizeof boot);
	n = strlen(boot);
	if (n && read_file(cache, line, sizeof line) == 0 &&
	    !strncmp(line, boot, n) && line[n] == ' ')
		fail = strcmp(line + n + 1, "ok") ? line + n + 1 : 0;
	else {
		fail = probe(root);
		snprintf(why, sizeof why, "%s/build/run", root);
		mkdir(why, 0755);
		f = fopen(cache, "w");
		if (f) {
			fprintf(f, "%s %s\n", boot, fail ? fail : "ok");
			fclose(f);
		}
	}
	if (!fail)
		return "kvm";
	snprintf(why, sizeof why, "%s (pith's KVM probe)", fail);
	notice(why);
	return "tcg";
}
