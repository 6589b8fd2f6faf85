/* Running the application through musl: its __libc_start_main expects
 * the stack a Linux kernel would have built (argv, envp, auxv), so this
 * builds one: no environment, the program headers (for TLS), the page
 * size and 16 random bytes (for the canary and malloc's secret). Bare
 * images replace this file with platform/x86_64/bare/start.c. */
#include <elf.h>
#include <stddef.h>

#include "pith/abi/kvm.h"
#include "../x86.h"

int __libc_start_main(int (*)(int, char **, char **), int, char **,
		      void (*)(void), void (*)(void), void (*)(void));
int main(int, char **);

extern const Elf64_Ehdr __ehdr_start;

/* argv pointers, two NULLs (argv's end, the empty environment), and the
 * auxiliary vector. */
#define AUXV_WORDS 16
#define VEC_WORDS  (PITH_KVM_ARGS_MAX / 8 + 2 + AUXV_WORDS)

static uint64_t vec[VEC_WORDS];

/* musl calls main with the environment too. */
static int start_main(int argc, char **argv, char **envp)
{
	(void)envp;
	return main(argc, argv);
}

int x86_run_main(int argc, char **argv, const uint8_t *random)
{
	const Elf64_Ehdr *eh = &__ehdr_start;
	size_t n = 0;

	if (argc < 0 || (size_t)argc > PITH_KVM_ARGS_MAX / 8)
		argc = 0;
	for (int i = 0; i < argc; i++)
		vec[n++] = (uint64_t)(uintptr_t)argv[i];
	vec[n++] = 0;
	vec[n++] = 0;
	vec[n++] = AT_PHDR;
	vec[n++] = (uint64_t)(uintptr_t)eh + eh->e_phoff;
	vec[n++] = AT_PHENT;
	vec[n++] = sizeof(Elf64_Phdr);
	vec[n++] = AT_PHNUM;
	vec[n++] = eh->e_phnum;
	vec[n++] = AT_PAGESZ;
	vec[n++] = 4096;
	vec[n++] = AT_RANDOM;
	vec[n++] = (uint64_t)(uintptr_t)random;
	vec[n++] = AT_NULL;
	vec[n++] = 0;
	return __libc_start_main(start_main, argc, (char **)vec, 0, 0, 0);
}
