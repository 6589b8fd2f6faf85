/* Internals of the kvm target's guest side: the hypercall instruction and
 * the state the platform calls share. See include/pith/abi/kvm.h for the
 * ABI and platform/x86_64/x86.h for the ring-0 runtime underneath. */
#ifndef PITH_KVM_H
#define PITH_KVM_H

#include "../common/manifest.h"
#include "pith/abi/kvm.h"
#include "pith/platform.h"

struct kvm_state {
	const struct pith_kvm_boot *boot;
	struct pith_manifest manifest;
	struct pith_boot_info info;
	uint64_t tsc0;	   /* TSC at boot: monotonic time 0 */
	uint64_t tsc_mult; /* ns = (tsc - tsc0) * tsc_mult >> 32 */
	int acquired[PITH_DEVICES_MAX];
};

extern struct kvm_state kvm;

/* Makes hypercall N with argument struct ARG (in guest memory). */
static inline void kvm_hypercall(enum pith_hc n, void *arg)
{
	__asm__ volatile("outl %0, %1" ::"a"((uint32_t)(uintptr_t)arg),
			 "Nd"((uint16_t)(PITH_HC_PORT_BASE + n))
			 : "memory");
}

/* Ends the guest with CODE and REASON (abort-style report). */
_Noreturn void kvm_fatal(int code, const char *reason, uint64_t rip,
			 uint64_t rsp, uint64_t rbp);

#endif
