/* The monitor's KVM virtual machine (vm.c). */
#ifndef PITH_MON_VM_H
#define PITH_MON_VM_H

#include "mon.h"

struct kvm_run;

struct mon_vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	uint64_t tsc_khz;
};

/* Opens /dev/kvm, creates the VM with M->size bytes of memory (reserved
 * lazily; M->base is set) and its vCPU. 0, or -1 with ERR. */
int mon_vm_create(struct mon_vm *v, struct mon_mem *m, struct pith_buf *err);

/* Builds the page tables from M's regions and puts the vCPU in 64-bit
 * mode at ENTRY with RSP at the stack top and RDI at the boot page. */
int mon_vm_start(struct mon_vm *v, struct mon_mem *m, uint64_t entry,
		 struct pith_buf *err);

#endif
