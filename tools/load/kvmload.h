/* SPDX-License-Identifier: GPL-2.0 */
/* vsva-kvmload: the options (kvmopts.c), and the VM kvmguest.c builds. */
#ifndef VSVA_KVMLOAD_H
#define VSVA_KVMLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#ifndef KVM_CAP_DISABLE_QUIRKS2
#define KVM_CAP_DISABLE_QUIRKS2		213
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2		231
#endif
#define QUIRK_SLOT_ZAP_ALL		(1 << 7)	/* KVM_X86_QUIRK_SLOT_ZAP_ALL */

/* Debian 12's uapi headers predate KVM_SET_USER_MEMORY_REGION2 (6.8). */
struct vsva_kvm_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define VSVA_KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct vsva_kvm_region2)

#define GUEST_PT_BASE	0x1000UL	/* PML4, PDPT, 4 PDs: identity 4 GiB */
#define GUEST_CODE	0x10000UL
#define GUEST_RAM_BASE	0x200000UL	/* pages the guest touches */
#define ROM_GPA		0xC0000000UL
#define ROM_SLOT	1
#define EXIT_PORT	0x10
#define PAGE		4096UL
#define HUGE_PAGE	(2UL << 20)
#define PT_SLOT		2		/* --page-size 4k: the guest's PTs */
#define PT_GPA		0x100000000UL	/* above the identity-mapped 4 GiB */
#define MAX_VCPUS	64

enum page_size { PS_DEFAULT, PS_4K, PS_2M };

struct opts {
	unsigned long deletions;
	unsigned long mem_mib;
	unsigned long rom_pages;
	bool memslot_mode;	/* disable KVM_X86_QUIRK_SLOT_ZAP_ALL */
	bool region2;
	unsigned long irqfd;	/* eventfd signals through KVM_IRQFD */
	unsigned long lifetimes;	/* fork this many short-lived VMMs */
	bool irqfd_ioapic;	/* route the GSI to an IOAPIC pin, not MSI */
	bool irqfd_child;	/* a forked child writes the eventfd, as a
				 * vhost-user backend writes the call fd */
	unsigned long pause_s;	/* wait this long once the VM exists */
	unsigned long efault;	/* memslot ioctls with an unreadable argument */
	unsigned long vms;	/* VMs in this one VMM, alive together */
	unsigned long reuse_every;	/* --lifetimes: every Kth takes the
					 * previous VMM's pid (ns_last_pid) */
	unsigned long vcpus;	/* each touches its share of the RAM */
	enum page_size page_size;	/* guest mappings and host backing */
};

#define IRQFD_MSI_GSI		24	/* first GSI above the IOAPIC pins */
#define IRQFD_IOAPIC_PIN	5
#define IRQFD_VECTOR		0x40

struct vm {
	int kvm, fd;
	unsigned long nvcpus;
	int vcpu[MAX_VCPUS];
	struct kvm_run *run[MAX_VCPUS];
	size_t run_size;
	void *ram, *rom, *pt;
	size_t ram_size, rom_size, pt_size;
};

/* A series of times, for their sum, min, percentiles and max. */
struct times {
	uint64_t *ns;
	unsigned long n;
	uint64_t sum, min, max;
};

struct result {
	unsigned long deletions, creations, runs, errors;
	uint64_t elapsed, first_touch;
	struct times del;	/* each deletion ioctl */
	struct times retouch;	/* the guest touching all its memory again
				 * after each toggle */
};

/* The command line into @o (kvmopts.c); 0, or -1 with a message. */
int kvmload_parse_opts(int argc, char **argv, struct opts *o);

uint64_t now_ns(void);
/* Print "vsva-kvmload: WHAT: strerror(errno)"; -1. */
int fail(const char *what);
int set_region(struct vm *vm, const struct opts *o, __u32 slot, __u64 gpa,
	       __u64 size, void *hva);
/* The VM, its memory slots and one vCPU in long mode at the guest code. */
int vm_create(struct vm *vm, const struct opts *o);
/* Run the guest (every vCPU, together) until each has touched its share
 * of the pages and signalled. */
int guest_pass(struct vm *vm);

#endif /* VSVA_KVMLOAD_H */
