/* --stats: what a run cost, printed on exit to stderr: VM exits by
 * reason and by hypercall, bytes and frames per device, how much guest
 * memory was touched (resident pages of the guest's mapping, the
 * monitor's own writes included), and the monitor's peak resident size. */
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "mon.h"

static const char *reason_name(unsigned r)
{
	switch (r) {
	case KVM_EXIT_IO:
		return "io (hypercall)";
	case KVM_EXIT_HLT:
		return "hlt";
	case KVM_EXIT_MMIO:
		return "mmio";
	case KVM_EXIT_SHUTDOWN:
		return "shutdown";
	case KVM_EXIT_INTERNAL_ERROR:
		return "internal error";
	case KVM_EXIT_FAIL_ENTRY:
		return "failed entry";
	case KVM_EXIT_DEBUG:
		return "debug (breakpoint or step)";
	case KVM_EXIT_INTR:
		return "interrupted (signal)";
	default:
		return "other";
	}
}

static const char *const hc_names[PITH_HC_COUNT + 1] = {
	"console",
	"walltime",
	"yield",
	"net_read",
	"net_write",
	"block_read",
	"block_write",
	"exit",
	"abort",
	"crash",
	"io (not a hypercall)"
};

const char *mon_exit_name(const struct kvm_run *run)
{
	unsigned n = run->io.port - PITH_HC_PORT_BASE;

	if (run->exit_reason != KVM_EXIT_IO)
		return reason_name(run->exit_reason);
	return hc_names[n < PITH_HC_COUNT ? n : PITH_HC_COUNT];
}

static void line(const struct mon_hc *hc, struct pith_buf *b)
{
	pith_buf_chr(b, '\n');
	if (write(hc->diag_fd, b->p, b->len) < 0) {
		/* Statistics are best effort. */
	}
	b->len = 0;
	b->p[0] = '\0';
}

static void counts(const struct mon_hc *hc, struct pith_buf *b)
{
	const struct mon_stats *s = hc->stats;

	pith_buf_str(b, "pith-kvm stats: ");
	pith_buf_udec(b, s->exits);
	pith_buf_str(b, " VM exits");
	line(hc, b);
	pith_buf_str(b, "  first KVM_RUN at monotonic ");
	pith_buf_udec(b, s->first_run_ns);
	pith_buf_str(b, " ns");
	line(hc, b);
	if (s->run_ns) {
		pith_buf_str(b, "  time: ");
		pith_buf_udec(b, s->run_ns / 1000);
		pith_buf_str(b, " us run, ");
		pith_buf_udec(b, s->guest_ns / 1000);
		pith_buf_str(b, " us in the guest (KVM_RUN), ");
		pith_buf_udec(b, (s->run_ns - s->guest_ns) / 1000);
		pith_buf_str(b, " us in the monitor");
		line(hc, b);
	}
	for (unsigned r = 0; r < MON_EXIT_REASONS; r++) {
		if (!s->by_reason[r])
			continue;
		pith_buf_str(b, "  exit ");
		pith_buf_str(b, reason_name(r));
		pith_buf_str(b, ": ");
		pith_buf_udec(b, s->by_reason[r]);
		line(hc, b);
	}
	for (unsigned n = 0; n < PITH_HC_COUNT; n++) {
		if (!s->hypercalls[n])
			continue;
		pith_buf_str(b, "  hypercall ");
		pith_buf_str(b, hc_names[n]);
		pith_buf_str(b, ": ");
		pith_buf_udec(b, s->hypercalls[n]);
		line(hc, b);
	}
}

static void devices(const struct mon_hc *hc, struct pith_buf *b)
{
	const struct mon_stats *s = hc->stats;

	pith_buf_str(b, "  console: ");
	pith_buf_udec(b, s->console_bytes);
	pith_buf_str(b, " bytes");
	line(hc, b);
	for (unsigned i = 0; i < hc->ndev; i++) {
		pith_buf_str(b, "  device ");
		pith_buf_udec(b, i);
		pith_buf_str(b, hc->dev[i].type == PITH_DEV_NET ? " (net): "
								: " (block): ");
		pith_buf_udec(b, s->bytes_in[i]);
		pith_buf_str(b, " bytes in, ");
		pith_buf_udec(b, s->bytes_out[i]);
		pith_buf_str(b, " bytes out");
		if (hc->dev[i].type == PITH_DEV_NET) {
			pith_buf_str(b, ", frames ");
			pith_buf_udec(b, s->frames_in[i]);
			pith_buf_str(b, " in, ");
			pith_buf_udec(b, s->frames_out[i]);
			pith_buf_str(b, " out");
		}
		line(hc, b);
	}
}

/* VmHWM of /proc/self/status: this process image's peak resident size
 * (getrusage would include the pith process that exec'd the monitor). */
static int peak_rss(int fd, uint64_t *kib)
{
	char text[2048], *p;
	ssize_t n = fd >= 0 ? pread(fd, text, sizeof text - 1, 0) : -1;

	if (n <= 0)
		return -1;
	text[n] = '\0';
	p = strstr(text, "VmHWM:");
	if (!p)
		return -1;
	for (p += 6, *kib = 0; *p == ' ' || *p == '\t'; p++)
		;
	for (; *p >= '0' && *p <= '9'; p++)
		*kib = *kib * 10 + (uint64_t)(*p - '0');
	return 0;
}

int mon_stats_print(const struct mon_hc *hc, const struct mon_mem *mem,
		    unsigned char *residency, int status_fd)
{
	char text[160];
	struct pith_buf b;
	uint64_t pages = 0, total = mem->size / 4096, kib;

	pith_buf_init(&b, text, sizeof text);
	counts(hc, &b);
	devices(hc, &b);
	if (residency && mincore(mem->base, mem->size, residency) == 0)
		for (uint64_t i = 0; i < total; i++)
			pages += residency[i] & 1;
	pith_buf_str(&b, "  guest memory touched (high-water mark): ");
	pith_buf_udec(&b, pages * 4);
	pith_buf_str(&b, " KiB of ");
	pith_buf_udec(&b, total * 4);
	pith_buf_str(&b, " KiB");
	line(hc, &b);
	if (peak_rss(status_fd, &kib) == 0) {
		pith_buf_str(&b, "  monitor peak RSS: ");
		pith_buf_udec(&b, kib);
		pith_buf_str(&b, " KiB");
		line(hc, &b);
	}
	return 0;
}
