/* Descriptor tables and control state of the ring-0 runtime: one GDT
 * (code, data, TSS), one TSS whose IST stacks take every exception (a
 * stack overflow still reaches its handler), an IDT for the 32 CPU
 * exceptions, and the SYSCALL MSRs. No interrupt ever arrives: the
 * guest polls. */
#include <stddef.h>
#include <string.h>

#include "x86.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap;
} __attribute__((packed));

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout");
_Static_assert(sizeof(struct idt_entry) == 16, "IDT layout");

#define GATE_INTERRUPT	 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define IST_FAULT	 1
#define IST_DOUBLE	 2
#define VEC_DOUBLE_FAULT 8

extern const uint64_t x86_exc_stubs[X86_EXC_COUNT];
void x86_syscall_entry(void);

static uint64_t gdt[5];
static struct tss tss;
static struct idt_entry idt[X86_EXC_COUNT];

static void set_tss_descriptor(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;

	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 |
		 (uint64_t)0x89 << 40 | ((limit >> 16) & 0xf) << 48 |
		 ((base >> 24) & 0xff) << 56;
	gdt[4] = base >> 32;
}

static void load_gdt(void)
{
	struct table_ptr p = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };

	gdt[0] = 0;
	gdt[1] = 0x00209a0000000000ULL; /* 64-bit code, present, DPL 0 */
	gdt[2] = 0x0000920000000000ULL; /* data, present, writable */
	set_tss_descriptor();
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(X86_SEL_CODE), "r"(X86_SEL_DATA),
			   "r"(X86_SEL_TSS)
			 : "rax", "memory");
}

static void load_idt(void)
{
	struct table_ptr p = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned v = 0; v < X86_EXC_COUNT; v++) {
		uint64_t a = x86_exc_stubs[v];
		idt[v].offset_lo = (uint16_t)a;
		idt[v].selector = X86_SEL_CODE;
		idt[v].ist = v == VEC_DOUBLE_FAULT ? IST_DOUBLE : IST_FAULT;
		idt[v].type = GATE_INTERRUPT;
		idt[v].offset_mid = (uint16_t)(a >> 16);
		idt[v].offset_hi = (uint32_t)(a >> 32);
		idt[v].reserved = 0;
	}
	__asm__ volatile("lidt %0" ::"m"(p) : "memory");
}

void x86_cpu_init(uint64_t trap_stack_top)
{
	tss.ist[IST_FAULT - 1] = trap_stack_top;
	tss.ist[IST_DOUBLE - 1] = trap_stack_top - X86_IST_SIZE;
	tss.iomap = sizeof tss;
	load_gdt();
	load_idt();
	/* SYSCALL enters at x86_syscall_entry with CS = X86_SEL_CODE. */
	x86_wrmsr(X86_MSR_STAR, (uint64_t)X86_SEL_CODE << 32);
	x86_wrmsr(X86_MSR_LSTAR, (uint64_t)(uintptr_t)x86_syscall_entry);
	x86_wrmsr(X86_MSR_FMASK, X86_SYSCALL_FMASK);
}

void x86_sse_enable(void)
{
	uint32_t id[4];
	uint64_t cr0, cr4;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr0 = (cr0 & ~(1ULL << 2)) | (1ULL << 1); /* EM off, MP on */
	cr4 |= (1ULL << 9) | (1ULL << 10);	  /* OSFXSR, OSXMMEXCPT */
	x86_cpuid(1, id);
	if (id[2] & (1u << 26))
		cr4 |= 1ULL << 18; /* OSXSAVE */
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
	/* x87, SSE, and AVX state where the CPU has AVX. */
	if (id[2] & (1u << 26))
		__asm__ volatile("xsetbv" ::"c"(0),
				 "a"((id[2] & (1u << 28)) ? 7 : 3), "d"(0));
}
