// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-kvmload's guest: a VM through /dev/kvm with one vCPU in 64-bit long
 * mode (page tables, CPUID, segments) that writes one byte into every
 * page of its RAM, reads the ROM slot and exits to the host with an OUT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "kvmload.h"

/* rsi = first page, rbx = end, rdx = ROM address. */
__asm__(".pushsection .rodata\n"
	".globl vsva_guest_code\n"
	".globl vsva_guest_code_end\n"
	"vsva_guest_code:\n"
	"1:	mov %rsi, %rax\n"
	"2:	movb $1, (%rax)\n"
	"	add $0x1000, %rax\n"
	"	cmp %rbx, %rax\n"
	"	jb 2b\n"
	"	mov (%rdx), %al\n"
	"	out %al, $0x10\n"
	"	jmp 1b\n"
	"vsva_guest_code_end:\n"
	".popsection\n");
extern const unsigned char vsva_guest_code[], vsva_guest_code_end[];

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int fail(const char *what)
{
	fprintf(stderr, "vsva-kvmload: %s: %s\n", what, strerror(errno));
	return -1;
}

int set_region(struct vm *vm, const struct opts *o, __u32 slot, __u64 gpa,
	       __u64 size, void *hva)
{
	if (o->region2) {
		struct vsva_kvm_region2 r = {
			.slot = slot, .guest_phys_addr = gpa,
			.memory_size = size, .userspace_addr = (__u64)hva,
		};
		return ioctl(vm->fd, VSVA_KVM_SET_USER_MEMORY_REGION2, &r);
	}
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (__u64)hva,
	};
	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

/* Identity map of the low 4 GiB with 2 MiB pages; with --page-size 4k,
 * the RAM the guest touches with 4 KiB pages instead, their page tables
 * in a slot of their own (the walker reads them by physical address). */
static void build_page_tables(struct vm *vm, const struct opts *o)
{
	uint64_t *pml4 = (uint64_t *)((uint8_t *)vm->ram + GUEST_PT_BASE);
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512, *pt = vm->pt;
	unsigned long i, j, first = GUEST_RAM_BASE / HUGE_PAGE;

	pml4[0] = (GUEST_PT_BASE + PAGE) | 3;
	for (i = 0; i < 4; i++) {
		pdpt[i] = (GUEST_PT_BASE + (2 + i) * PAGE) | 3;
		for (j = 0; j < 512; j++)
			pd[i * 512 + j] = ((uint64_t)i << 30 | (uint64_t)j << 21)
					  | 0x83; /* present, writable, 2M */
	}
	for (i = 0; i < vm->pt_size / PAGE; i++) {	/* 4k: one PT per 2M */
		pd[first + i] = (PT_GPA + i * PAGE) | 3;
		for (j = 0; j < 512; j++)
			pt[i * 512 + j] = (GUEST_RAM_BASE + (i * 512 + j) * PAGE)
					  | 3;
	}
}

/* Guest memory: 2 MiB-aligned, backed by huge pages (2m) or never (4k);
 * by default as the host's transparent huge page policy has it. */
static void *guest_mmap(size_t size, enum page_size ps)
{
	uint8_t *p = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *a;

	if (p == MAP_FAILED)
		return p;
	a = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	if (ps != PS_DEFAULT &&
	    madvise(a, size, ps == PS_2M ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		fail("madvise guest RAM");	/* the policy applies */
	return a;
}

/* Give the vCPU the host's supported CPUID: long mode, PAE, ... */
static int set_cpuid(struct vm *vm, unsigned long k)
{
	struct kvm_cpuid2 *cpuid = NULL, *bigger;
	int nent = 64, rc = -1;

	for (;;) {
		bigger = realloc(cpuid, sizeof(*cpuid) +
				 nent * sizeof(struct kvm_cpuid_entry2));
		if (!bigger)
			goto free_cpuid;
		cpuid = bigger;
		cpuid->nent = nent;
		if (ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			break;
		if (errno != E2BIG || nent >= 4096) {
			fail("KVM_GET_SUPPORTED_CPUID");
			goto free_cpuid;
		}
		nent *= 2;
	}
	rc = ioctl(vm->vcpu[k], KVM_SET_CPUID2, cpuid);
	if (rc < 0)
		fail("KVM_SET_CPUID2");
free_cpuid:
	free(cpuid);
	return rc < 0 ? -1 : 0;
}

/* vCPU @k of @vm: long mode at the guest code, touching its share. */
static int setup_vcpu(struct vm *vm, const struct opts *o, unsigned long k)
{
	unsigned long pages = (o->mem_mib << 20) / PAGE, per = pages / vm->nvcpus;
	struct kvm_sregs s;
	struct kvm_regs r = { 0 };
	struct kvm_segment cs = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment ds = cs;

	if (set_cpuid(vm, k))
		return -1;
	if (ioctl(vm->vcpu[k], KVM_GET_SREGS, &s) < 0)
		return fail("KVM_GET_SREGS");
	ds.selector = 16;
	ds.type = 3;
	ds.l = 0;
	ds.db = 1;
	s.cs = cs;
	s.ds = s.es = s.fs = s.gs = s.ss = ds;
	s.cr3 = GUEST_PT_BASE;
	s.cr4 = 1 << 5;				/* PAE */
	s.cr0 = 0x80050033;			/* PG WP NE ET MP PE */
	s.efer = (1 << 8) | (1 << 10);		/* LME LMA */
	if (ioctl(vm->vcpu[k], KVM_SET_SREGS, &s) < 0)
		return fail("KVM_SET_SREGS");
	r.rip = GUEST_CODE;
	r.rflags = 2;
	r.rsp = GUEST_RAM_BASE;
	r.rsi = GUEST_RAM_BASE + k * per * PAGE;
	r.rbx = k == vm->nvcpus - 1 ? GUEST_RAM_BASE + pages * PAGE :
				      r.rsi + per * PAGE;
	r.rdx = ROM_GPA;
	if (ioctl(vm->vcpu[k], KVM_SET_REGS, &r) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

static int disable_slot_zap_all(struct vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_DISABLE_QUIRKS2,
		.args[0] = QUIRK_SLOT_ZAP_ALL,
	};
	int quirks = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS2);

	if (quirks <= 0 || !(quirks & QUIRK_SLOT_ZAP_ALL)) {
		fprintf(stderr, "vsva-kvmload: this kernel cannot disable "
			"KVM_X86_QUIRK_SLOT_ZAP_ALL (needs Linux 6.12+)\n");
		return -1;
	}
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap) < 0)
		return fail("KVM_ENABLE_CAP(DISABLE_QUIRKS2)");
	return 0;
}

int vm_create(struct vm *vm, const struct opts *o)
{
	unsigned long k;

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return fail("open /dev/kvm");
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return fail("KVM_CREATE_VM");
	if (o->memslot_mode && disable_slot_zap_all(vm))
		return -1;
	if (o->region2 && ioctl(vm->kvm, KVM_CHECK_EXTENSION,
				KVM_CAP_USER_MEMORY2) <= 0) {
		fprintf(stderr, "vsva-kvmload: KVM_SET_USER_MEMORY_REGION2 "
			"is not supported by this kernel\n");
		return -1;
	}
	ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000UL); /* VMX only; harmless */

	vm->ram_size = GUEST_RAM_BASE + (o->mem_mib << 20);
	vm->rom_size = o->rom_pages * PAGE;
	vm->pt_size = o->page_size == PS_4K ?
		      ((o->mem_mib << 20) + HUGE_PAGE - 1) / HUGE_PAGE * PAGE : 0;
	vm->ram = guest_mmap(vm->ram_size, o->page_size);
	vm->rom = mmap(NULL, vm->rom_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vm->pt = vm->pt_size ? mmap(NULL, vm->pt_size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	if (vm->ram == MAP_FAILED || vm->rom == MAP_FAILED ||
	    vm->pt == MAP_FAILED)
		return fail("mmap guest memory");
	build_page_tables(vm, o);
	memcpy((uint8_t *)vm->ram + GUEST_CODE, vsva_guest_code,
	       vsva_guest_code_end - vsva_guest_code);
	if (set_region(vm, o, 0, 0, vm->ram_size, vm->ram) < 0)
		return fail("create RAM slot");
	if (set_region(vm, o, ROM_SLOT, ROM_GPA, vm->rom_size, vm->rom) < 0)
		return fail("create ROM slot");
	if (vm->pt_size &&
	    set_region(vm, o, PT_SLOT, PT_GPA, vm->pt_size, vm->pt) < 0)
		return fail("create page-table slot");

	if (o->irqfd && ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	vm->run_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->nvcpus = o->vcpus;
	for (k = 0; k < vm->nvcpus; k++) {
		vm->vcpu[k] = ioctl(vm->fd, KVM_CREATE_VCPU, k);
		if (vm->vcpu[k] < 0)
			return fail("KVM_CREATE_VCPU");
		vm->run[k] = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, vm->vcpu[k], 0);
		if (vm->run[k] == MAP_FAILED)
			return fail("mmap kvm_run");
		if (setup_vcpu(vm, o, k))
			return -1;
	}
	return 0;
}

/* Run vCPU @k until it has touched its pages and signalled. */
static int vcpu_pass(struct vm *vm, unsigned long k)
{
	struct kvm_run *run = vm->run[k];

	for (;;) {
		if (ioctl(vm->vcpu[k], KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == EXIT_PORT)
			return 0;
		fprintf(stderr, "vsva-kvmload: unexpected guest exit %u on "
			"vCPU %lu (hardware reason 0x%llx)\n",
			run->exit_reason, k, (unsigned long long)
			run->fail_entry.hardware_entry_failure_reason);
		return -1;
	}
}

struct pass_arg {
	struct vm *vm;
	unsigned long k;
	int rc;
};

static void *vcpu_thread(void *p)
{
	struct pass_arg *a = p;

	a->rc = vcpu_pass(a->vm, a->k);
	return NULL;
}

/* Every vCPU at once, one thread each beside this one (vCPU 0). */
int guest_pass(struct vm *vm)
{
	struct pass_arg a[MAX_VCPUS];
	pthread_t t[MAX_VCPUS];
	unsigned long k, started;
	int rc;

	for (started = 1; started < vm->nvcpus; started++) {
		a[started] = (struct pass_arg){ vm, started, 0 };
		if (pthread_create(&t[started], NULL, vcpu_thread,
				   &a[started])) {
			fprintf(stderr, "vsva-kvmload: cannot start a vCPU "
				"thread\n");
			break;
		}
	}
	rc = started < vm->nvcpus ? -1 : vcpu_pass(vm, 0);
	for (k = 1; k < started; k++) {
		pthread_join(t[k], NULL);
		rc |= a[k].rc;
	}
	return rc;
}
