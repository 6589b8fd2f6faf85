/* The floor for the kvm monitor: the least a process can do to run a
 * 64-bit guest on /dev/kvm and see it exit. Opens /dev/kvm, creates a VM
 * with 2 MiB of memory, one vCPU in long mode (identity page tables, one
 * 2 MiB page), runs a guest that does one `out` and `hlt`. Prints, like
 * `pith-kvm --stats`, the monotonic time of its first KVM_RUN and its VM
 * exits, so bench/boot can put both side by side. */
#include <err.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM (2 << 20)

int main(void)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x00, 0x00, 0x00, /* mov $0, %eax */
		0xba, 0x00, 0x05, 0x00, 0x00, /* mov $0x500, %edx */
		0xef,			      /* out %eax, (%dx) */
		0xf4			      /* hlt */
	};
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, vcpu, exits = 0;
	uint8_t *mem;
	struct kvm_run *run;
	struct kvm_sregs s;
	struct kvm_regs r = { .rip = 0x10000, .rsp = 0x8000, .rflags = 2 };
	struct timespec ts;

	if (kvm < 0 || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		err(1, "kvm");
	mem = mmap(0, MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct kvm_userspace_memory_region region = {
		.memory_size = MEM, .userspace_addr = (uint64_t)(uintptr_t)mem
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		err(1, "vm");
	run = mmap(0, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	((uint64_t *)(mem + 0x1000))[0] = 0x2000 | 3;
	((uint64_t *)(mem + 0x2000))[0] = 0x3000 | 3;
	((uint64_t *)(mem + 0x3000))[0] = 0x83;
	memcpy(mem + 0x10000, code, sizeof code);
	ioctl(vcpu, KVM_GET_SREGS, &s);
	s.cs = (struct kvm_segment){ .limit = 0xffffffff,
				     .selector = 8,
				     .type = 11,
				     .present = 1,
				     .s = 1,
				     .l = 1,
				     .g = 1 };
	s.ds = s.es = s.fs = s.gs = s.ss =
		(struct kvm_segment){ .limit = 0xffffffff,
				      .selector = 16,
				      .type = 3,
				      .present = 1,
				      .db = 1,
				      .s = 1,
				      .g = 1 };
	s.cr3 = 0x1000;
	s.cr4 = 0x20;
	s.cr0 = 0x80000001;
	s.efer = 0x500;
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		err(1, "vcpu");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	do {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			err(1, "KVM_RUN");
		exits++;
	} while (run->exit_reason == KVM_EXIT_IO);
	fprintf(stderr,
		"kvm-floor: %d VM exits\n  first KVM_RUN at monotonic %llu "
		"ns\n",
		exits,
		(unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
	return run->exit_reason == KVM_EXIT_HLT ? 0 : 1;
}
