/* The virtual machine: guest memory (reserved, never touched until
 * used), the identity page tables whose permissions follow the layout,
 * and one vCPU started directly in 64-bit mode. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

#define PAGE   4096ULL
#define LARGE  (2ULL << 20)
#define PTE_P  0x1ULL
#define PTE_W  0x2ULL
#define PTE_PS 0x80ULL
#define PTE_NX (1ULL << 63)

#define CR0_PE	       0x1ULL
#define CR0_MP	       0x2ULL
#define CR0_ET	       0x10ULL
#define CR0_NE	       0x20ULL
#define CR0_WP	       0x10000ULL
#define CR0_PG	       0x80000000ULL
#define CR4_PAE	       0x20ULL
#define CR4_OSFXSR     0x200ULL
#define CR4_OSXMMEXCPT 0x400ULL
#define CR4_OSXSAVE    0x40000ULL
#define EFER_SCE       0x1ULL
#define EFER_LME       0x100ULL
#define EFER_LMA       0x400ULL
#define EFER_NXE       0x800ULL

/* CPUID entries KVM may report. */
#define CPUID_ENTRIES_MAX 128

static int fail(struct pith_buf *err, const char *what, int e)
{
	pith_buf_str(err, what);
	if (e) {
		pith_buf_str(err, ": ");
		pith_buf_str(err, strerror(e));
	}
	return -1;
}

/* Page-table construction over the [tables, tables_end) pages. */
struct pt {
	struct mon_mem *m;
	uint64_t next; /* next free table page */
};

static uint64_t *table(struct pt *t, uint64_t gpa)
{
	return (uint64_t *)(t->m->base + gpa);
}

/* The table that entry E of table at GPA points to, made if absent. */
static uint64_t sub_table(struct pt *t, uint64_t gpa, unsigned e)
{
	uint64_t *ent = &table(t, gpa)[e];

	if (!*ent) {
		if (t->next >= t->m->lay.tables_end)
			return 0;
		*ent = t->next | PTE_P | PTE_W;
		t->next += PAGE;
	}
	return *ent & 0x000ffffffffff000ULL;
}

static int map(struct pt *t, uint64_t va, uint64_t flags, int large)
{
	uint64_t pdpt = sub_table(t, t->m->lay.tables, (va >> 39) & 511);
	uint64_t pd = pdpt ? sub_table(t, pdpt, (va >> 30) & 511) : 0;
	uint64_t pt;

	if (!pd)
		return -1;
	if (large) {
		table(t, pd)[(va >> 21) & 511] = va | flags | PTE_PS;
		return 0;
	}
	pt = sub_table(t, pd, (va >> 21) & 511);
	if (!pt)
		return -1;
	table(t, pt)[(va >> 12) & 511] = va | flags;
	return 0;
}

static int build_tables(struct mon_mem *m)
{
	struct pt t = { m, m->lay.tables + PAGE };

	for (unsigned i = 0; i < m->nregion; i++) {
		const struct mon_region *r = &m->region[i];
		uint64_t flags = PTE_P, va = r->start;

		flags |= (r->perm & MON_W) ? PTE_W : 0;
		flags |= (r->perm & MON_X) ? 0 : PTE_NX;
		while (va < r->end) {
			int large = va % LARGE == 0 && r->end - va >= LARGE;
			if (map(&t, va, flags, large) < 0)
				return -1;
			va += large ? LARGE : PAGE;
		}
	}
	return 0;
}

static int set_cpuid(struct mon_vm *v, struct pith_buf *err, int *xsave,
		     int *avx)
{
	struct kvm_cpuid2 *c =
		calloc(1, sizeof *c + CPUID_ENTRIES_MAX * sizeof c->entries[0]);
	int r;

	if (!c)
		return fail(err, "out of memory", 0);
	c->nent = CPUID_ENTRIES_MAX;
	if (ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return fail(err, "KVM_GET_SUPPORTED_CPUID", errno);
	}
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 1) {
			e->ecx &= ~(1u << 5); /* no VMX for the guest */
			e->ecx |= 1u << 31;   /* a hypervisor is present */
			*xsave = !!(e->ecx & (1u << 26));
			*avx = !!(e->ecx & (1u << 28));
		} else if (e->function == 0x80000001) {
			e->ecx &= ~(1u << 2); /* no SVM */
		}
	}
	r = ioctl(v->vcpu, KVM_SET_CPUID2, c);
	free(c);
	return r < 0 ? fail(err, "KVM_SET_CPUID2", errno) : 0;
}

/* Why /dev/kvm did not open, with what a newcomer can do about it. */
static int kvm_open_failed(struct pith_buf *err, int e)
{
	if (e == ENOENT)
		return fail(err,
			    "/dev/kvm does not exist (no KVM on this host; "
			    "build with --target linux, which runs without it)",
			    0);
	if (e == EACCES || e == EPERM)
		return fail(err,
			    "/dev/kvm is not permitted to this user (hint: "
			    "join the group that owns it, usually kvm: sudo "
			    "usermod -aG kvm $USER, then log in again; or "
			    "build with --target linux)",
			    0);
	return fail(err, "cannot open /dev/kvm", e);
}

int mon_vm_create(struct mon_vm *v, struct mon_mem *m, struct pith_buf *err)
{
	struct kvm_userspace_memory_region region;
	long size;

	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		return kvm_open_failed(err, errno);
	if (ioctl(v->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return fail(err, "unsupported KVM API version", 0);
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		return fail(err, "KVM_CREATE_VM", errno);
	m->base = mmap(0, m->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->base == MAP_FAILED)
		return fail(err, "cannot reserve guest memory", errno);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.memory_size = m->size,
		.userspace_addr = (uint64_t)(uintptr_t)m->base
	};
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail(err, "KVM_SET_USER_MEMORY_REGION", errno);
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return fail(err, "KVM_CREATE_VCPU", errno);
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (long)sizeof *v->run)
		return fail(err, "KVM_GET_VCPU_MMAP_SIZE", errno);
	v->run = mmap(0, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		return fail(err, "cannot map the vCPU's run area", errno);
	v->tsc_khz = (uint64_t)ioctl(v->vcpu, KVM_GET_TSC_KHZ, 0);
	return 0;
}

static struct kvm_segment segment(uint16_t sel, uint8_t type, int code)
{
	struct kvm_segment s = { .base = 0,
				 .limit = 0xffffffff,
				 .selector = sel,
				 .type = type,
				 .present = 1,
				 .dpl = 0,
				 .db = !code,
				 .s = 1,
				 .l = code,
				 .g = 1 };
	return s;
}

int mon_vm_start(struct mon_vm *v, struct mon_mem *m, uint64_t entry,
		 struct pith_buf *err)
{
	struct kvm_sregs s;
	struct kvm_regs r = { 0 };
	int xsave = 0, avx = 0;

	if (build_tables(m) < 0)
		return fail(err, "the page tables do not fit their pages", 0);
	if (set_cpuid(v, err, &xsave, &avx) < 0)
		return -1;
	if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
		return fail(err, "KVM_GET_SREGS", errno);
	s.cs = segment(0x08, 11, 1);
	s.ds = s.es = s.fs = s.gs = s.ss = segment(0x10, 3, 0);
	s.cr3 = m->lay.tables;
	s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT |
		(xsave ? CR4_OSXSAVE : 0);
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
		return fail(err, "KVM_SET_SREGS", errno);
	if (xsave) {
		struct kvm_xcrs x = { .nr_xcrs = 1 };
		x.xcrs[0].xcr = 0;
		x.xcrs[0].value = avx ? 7 : 3; /* x87, SSE, AVX */
		if (ioctl(v->vcpu, KVM_SET_XCRS, &x) < 0)
			return fail(err, "KVM_SET_XCRS", errno);
	}
	r.rip = entry;
	r.rsp = m->lay.stack_hi;
	r.rdi = m->lay.boot;
	r.rflags = 2;
	if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
		return fail(err, "KVM_SET_REGS", errno);
	return 0;
}
