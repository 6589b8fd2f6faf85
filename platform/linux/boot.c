/* Boot of a linux-target image, in order:
 *
 *   _start -> musl's __libc_start_main (TLS, stack-protector canary from
 *   AT_RANDOM, constructors) -> lx_boot(), which
 *     1. refuses the READ_IMPLIES_EXEC personality;
 *     2. parses the platform options (before "--");
 *     3. parses the embedded manifest and matches the attached devices;
 *     4. closes inherited descriptors and opens the devices at fixed ones,
 *        and the files of debugging options (debug.c);
 *     5. maps the heap (--mem bytes) and the stacks with guard regions;
 *     6. installs the crash and SIGSYS handlers;
 *     7. loads the seccomp filter;
 *     8. runs main(argc, argv) on the application stack.
 *   Its result goes to musl's exit(), which flushes stdio and ends the
 *   process through exit_group.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"
#include "pith/exit.h"
#include "sys.h"

int __libc_start_main(int (*)(int, char **, char **), int, char **,
		      void (*)(void), void (*)(void), void (*)(void));
int main(int argc, char **argv);

struct lx_state lx;

void lx_start_c(long *sp);
void lx_start_c(long *sp)
{
	int lx_boot(int, char **, char **);

	__libc_start_main(lx_boot, (int)sp[0], (char **)(sp + 1), 0, 0, 0);
}

void lx_diag_write(const char *buf, size_t len)
{
	lx_write_all(2, buf, len);
}

void lx_diag(const char *text)
{
	lx_diag_write(lx.image, strlen(lx.image));
	lx_diag_write(": ", 2);
	lx_diag_write(text, strlen(text));
	lx_diag_write("\n", 1);
}

static _Noreturn void fail(int status, const char *text)
{
	lx_diag(text);
	lx_exit(status);
}

static void usage(void)
{
	static const char text[] =
		"usage: IMAGE [--mem SIZE] [--net NAME=tap:IFNAME]... "
		"[--block NAME=FILE]...\n"
		"             [--show-seccomp] [--core FILE] [--profile FILE] "
		"[--trace FILE]\n"
		"             [--stats] [-- ARGS...]\n"
		"A pith appliance built for the linux target. Options:\n"
		"  --mem SIZE            heap size (K, M, G suffixes; "
		"default 64M)\n"
		"  --net NAME=tap:IF     attach tap interface IF as network "
		"device NAME\n"
		"  --block NAME=FILE     attach FILE as block device NAME\n"
		"  --show-seccomp        print the system-call policy and "
		"exit\n"
		"  --core FILE           write an ELF core on a crash or "
		"SIGQUIT\n"
		"  --profile FILE        sample the stack, write folded stacks "
		"(--profile-hz N)\n"
		"  --trace FILE          log platform calls with timestamps\n"
		"  --stats               print call counts, bytes and memory "
		"on exit\n"
		"  -- ARGS               arguments for the application\n"
		"Exit status: the application's, or 240 bad option, 241 device "
		"refused,\n"
		"242 host refused, 243-249 crash (see `pith --help`).\n";

	lx_diag_write(text, sizeof text - 1);
}

static void parse(int argc, char **argv, struct pith_options *o)
{
	char msg[512];
	struct pith_buf err;
	struct pith_manifest_error merr;

	pith_buf_init(&err, msg, sizeof msg);
	if (pith_options_parse(argc, argv, o, &err) < 0)
		fail(PITH_EXIT_USAGE, msg);
	if (o->help) {
		usage();
		lx_exit(0);
	}
	if (pith_manifest_parse(pith_manifest_text, pith_manifest_size,
				&lx.manifest, &merr) < 0) {
		pith_buf_str(&err, "embedded manifest refused: line ");
		pith_buf_udec(&err, merr.line);
		pith_buf_str(&err, ": ");
		pith_buf_str(&err, merr.what);
		fail(PITH_EXIT_IMAGE, msg);
	}
	if (o->gdb_port)
		fail(PITH_EXIT_USAGE,
		     "--gdb is for the kvm target; a linux image runs under "
		     "gdb itself: `pith debug IMAGE`");
	if (o->show_seccomp) {
		lx_show_seccomp(PITH_OPTIONS_DEBUG(o));
		lx_exit(0);
	}
	if (pith_options_match(&lx.manifest, o, &err) < 0)
		fail(PITH_EXIT_DEVICE, msg);
}

/* Maps the appliance's memory in one mapping, untouched until used:
 *
 *   [signal stack][guard][application stack][heap: --mem bytes]
 *
 * The guard (PROT_NONE) catches an overflow of the application stack;
 * the signal stack overflows below the mapping. One mmap and one mprotect:
 * each further mapping would cost boot time. */
static int map_memory(uint64_t mem, void **altstack, void **top)
{
	size_t total = LX_ALTSTACK_SIZE + PITH_STACK_GUARD + PITH_STACK_SIZE;
	char *p, *guard;

	if (mem > SIZE_MAX - total)
		return -1;
	p = mmap(0, total + mem, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	guard = p + LX_ALTSTACK_SIZE;
	if (mprotect(guard, PITH_STACK_GUARD, PROT_NONE) < 0)
		return -1;
	*altstack = p;
	lx.guard_lo = (uintptr_t)guard;
	lx.guard_hi = lx.stack_lo = lx.guard_lo + PITH_STACK_GUARD;
	lx.stack_hi = lx.stack_lo + PITH_STACK_SIZE;
	lx.boot.heap_start = lx.stack_hi;
	lx.boot.heap_size = mem;
	*top = (void *)lx.stack_hi;
	return 0;
}

/* Line-buffers stdout on a terminal and fully buffers it otherwise, as
 * libc does on Linux, deciding now: musl would otherwise ask with an
 * ioctl on first output, a trapped call after confinement. Only if the
 * application uses stdio at all (a weak reference links nothing). */
#pragma weak stdout
static void console_buffering(void)
{
	if (&stdout)
		setvbuf(stdout, 0, isatty(1) ? _IOLBF : _IOFBF, 0);
}

static void setup(const struct pith_options *o, void **top)
{
	char msg[512];
	struct pith_buf err;
	struct hostdev devs[PITH_DEVICES_MAX];
	void *altstack;

	pith_buf_init(&err, msg, sizeof msg);
	/* Inherited descriptors have no place in an appliance. */
	hostdev_close_inherited(o, LX_FD_BASE);
	if (hostdev_open_all(&lx.manifest, o, devs, LX_FD_BASE,
			     HOSTDEV_TAP_OFFLOAD, &err) < 0)
		fail(PITH_EXIT_DEVICE, msg);
	for (unsigned i = 0; i < lx.manifest.count; i++)
		lx.dev[i].host = devs[i];
	if (lx_debug_open(o, &err) < 0)
		fail(PITH_EXIT_USAGE, msg);
	if (map_memory(o->mem, &altstack, top) < 0)
		fail(PITH_EXIT_HOST, "cannot map the heap and stacks "
				     "(is --mem larger than the host allows?)");
	console_buffering();
	lx.boot.argc = o->app_argc;
	lx.boot.argv = o->app_argv;
	lx.boot.manifest = pith_manifest_text;
	lx.boot.target = "linux";
	if (lx_traps_install(altstack, LX_ALTSTACK_SIZE) < 0 ||
	    lx_debug_install() < 0)
		fail(PITH_EXIT_HOST, "cannot install the signal handlers");
	int e = lx_confine(lx.debug);
	if (e < 0) {
		pith_buf_str(&err,
			     "cannot confine the appliance with seccomp: ");
		pith_buf_str(&err, strerror(-e));
		fail(PITH_EXIT_HOST, msg);
	}
}

int lx_boot(int argc, char **argv, char **envp);
int lx_boot(int argc, char **argv, char **envp)
{
	struct pith_options o;
	void *top;

	(void)envp;
	lx.image = argc > 0 ? argv[0] : "pith-image";
	if (personality(0xffffffff) & READ_IMPLIES_EXEC)
		fail(PITH_EXIT_HOST,
		     "refusing to run under the READ_IMPLIES_EXEC personality "
		     "(it makes all readable memory executable); run it "
		     "without `setarch --read-implies-exec`");
	parse(argc, argv, &o);
	setup(&o, &top);
	return lx_call_on_stack(main, lx.boot.argc, lx.boot.argv, top);
}

const struct pith_boot_info *pith_boot_info(void)
{
	return &lx.boot;
}
