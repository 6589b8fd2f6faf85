/* The ring-0 x86_64 runtime shared by the kvm and virtio targets.
 *
 * A guest runs one vCPU in ring 0, interrupts off, identity-mapped. This
 * runtime gives it what a kernel would: a GDT and TSS whose IST stacks
 * take every exception, an IDT for the 32 CPU exceptions, a SYSCALL
 * handler that serves musl's system calls through lib/posix, TLS with a
 * stack-protector canary before any libc code, SSE for the application,
 * and the call of main(argc, argv) (through musl's start, or directly for
 * bare images that link no libc). The target supplies ring0_start(), its
 * platform.h calls, and what happens on a crash.
 *
 * All of this is kernel code: compiled with -mgeneral-regs-only. */
#ifndef PITH_X86_H
#define PITH_X86_H

#include <stdint.h>

/* GDT selectors (entry.S and the kvm monitor use the same values). */
#define X86_SEL_CODE 0x08
#define X86_SEL_DATA 0x10
#define X86_SEL_TSS  0x18

#define X86_MSR_EFER	0xc0000080
#define X86_MSR_STAR	0xc0000081
#define X86_MSR_LSTAR	0xc0000082
#define X86_MSR_FMASK	0xc0000084
#define X86_MSR_FS_BASE 0xc0000100

/* RFLAGS bits SYSCALL clears: TF, IF, DF, IOPL, AC, NT. */
#define X86_SYSCALL_FMASK 0x47700

/* Exception vectors with a name in crash reports and an error code. */
#define X86_EXC_COUNT 32

/* The trap stack holds two IST stacks: faults, and double faults. */
#define X86_IST_SIZE 8192

/* Registers as entry.S saves them on an exception. */
struct x86_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

/* Disables the stack protector for functions that run before TLS exists
 * or across a change of TLS. */
#define X86_NO_SSP __attribute__((no_stack_protector, noinline))

/* Builds and loads the GDT (with a TSS whose IST stacks end at
 * TRAP_STACK_TOP), the IDT, and the SYSCALL MSRs. */
void x86_cpu_init(uint64_t trap_stack_top);

/* Enables SSE (and AVX where the CPU has it) for the application. */
void x86_sse_enable(void);

/* Points FS at a static TLS block whose canary comes from SEED. */
void x86_tls_early(uint64_t seed);

/* Runs the application: main(ARGC, ARGV) through musl's start, or
 * directly in a bare image. RANDOM (16 bytes) seeds libc. Returns main's
 * status (a libc image exits inside instead). */
int x86_run_main(int argc, char **argv, const uint8_t *random);

/* Reports a failed stack-protector check (ssp.c): FRAME is the frame
 * address of __stack_chk_fail, whose caller's frame was overwritten. */
_Noreturn void x86_stack_chk_fail(const uint64_t *frame);

/* Serves a system call from the SYSCALL handler (entry.S). */
long x86_syscall(long nr, long *args);

/* --- Provided by the target ------------------------------------------ */

/* The first C code, on the boot stack, with the target's boot data. */
_Noreturn void ring0_start(void *boot);

/* A CPU exception: report and stop. It may return only from an NMI the
 * target does not stop on (entry.S then resumes the interrupted code). */
void ring0_exception(struct x86_frame *f);

/* A fatal condition found by the runtime (blocked system call):
 * report REASON with exit status CODE, backtrace from RIP/RSP/RBP. */
_Noreturn void ring0_fatal(int code, const char *reason, uint64_t rip,
			   uint64_t rsp, uint64_t rbp);

/* --- Instructions ------------------------------------------------------ */

static inline uint64_t x86_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void x86_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

static inline void x86_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

static inline void x86_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

static inline uint8_t x86_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t x86_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t x86_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint64_t x86_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void x86_cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

#endif
