// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-kvmload: a KVM workload with exactly known operations.
 *
 * Creates a VM through /dev/kvm with vCPUs in 64-bit long mode.  The
 * guest writes one byte into every page of its RAM (each vCPU its share),
 * reads a small "ROM" slot and exits to the host with an OUT.  The host
 * then deletes and re-creates the ROM slot (as a PCI ROM BAR toggle does)
 * and runs the guest again, timing how long it takes to touch its memory
 * again, N times.  Prints a JSON summary of what it did.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kvmload.h"

static void times_add(struct times *t, uint64_t dt)
{
	t->ns[t->n++] = dt;
	t->sum += dt;
	if (!t->min || dt < t->min)
		t->min = dt;
	if (dt > t->max)
		t->max = dt;
}

static int toggle_rom(struct vm *vm, const struct opts *o, struct result *res)
{
	uint64_t t0 = now_ns();

	if (set_region(vm, o, ROM_SLOT, ROM_GPA, 0, vm->rom) < 0) {
		res->errors++;
		return fail("delete ROM slot");
	}
	times_add(&res->del, now_ns() - t0);
	res->deletions++;
	if (set_region(vm, o, ROM_SLOT, ROM_GPA, vm->rom_size, vm->rom) < 0)
		return fail("re-create ROM slot");
	res->creations++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @t. */
static unsigned long long pct(const struct times *t, int p)
{
	unsigned long rank;

	if (!t->n)
		return 0;
	rank = (t->n * p + 99) / 100;
	return t->ns[rank ? rank - 1 : 0];
}

/* "NAME":{"sum":..,"min":..,"p50":..,"p99":..,"max":..} */
static void json_times(const char *name, struct times *t)
{
	qsort(t->ns, t->n, sizeof(*t->ns), cmp_u64);
	printf("\"%s\":{\"sum\":%llu,\"min\":%llu,\"p50\":%llu,"
	       "\"p99\":%llu,\"max\":%llu}", name,
	       (unsigned long long)t->sum, (unsigned long long)t->min,
	       pct(t, 50), pct(t, 99), (unsigned long long)t->max);
}

static pid_t signaller_pid;	/* --irqfd-from-child: the child's pid */

static unsigned int irqfd_gsi(const struct opts *o)
{
	return o->irqfd_ioapic ? IRQFD_IOAPIC_PIN : IRQFD_MSI_GSI;
}

/*
 * Route one GSI (to an MSI, or to an IOAPIC pin), attach an eventfd to it
 * with KVM_IRQFD and signal it @n times, as a device interrupt
 * that KVM injects in software would.
 */
/* Write @efd @n times; 0, or -1. */
static int signal_efd(int efd, unsigned long n)
{
	uint64_t one = 1;
	unsigned long i;

	for (i = 0; i < n; i++)
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			return fail("eventfd write");
	return 0;
}

/* The same from a forked process that is not the VMM (a backend). */
static int signal_from_child(int efd, unsigned long n)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork");
	if (pid == 0)
		_exit(signal_efd(efd, n) ? 1 : 0);
	signaller_pid = pid;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "vsva-kvmload: the signalling child failed\n");
		return -1;
	}
	return 0;
}

static int irqfd_signal(struct vm *vm, const struct opts *o, unsigned long n)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} rt = { .r.nr = 1 };
	struct kvm_irq_routing_entry *e = &rt.r.entries[0];
	struct kvm_irqfd irqfd = { .gsi = irqfd_gsi(o) };
	int efd, rc = -1;

	e->gsi = irqfd_gsi(o);
	if (o->irqfd_ioapic) {
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e->u.irqchip.pin = IRQFD_IOAPIC_PIN;
	} else {
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = 0xfee00000;	/* APIC 0, physical */
		e->u.msi.data = IRQFD_VECTOR;		/* fixed, edge */
	}
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt.r) < 0)
		return fail("KVM_SET_GSI_ROUTING");
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return fail("eventfd");
	irqfd.fd = efd;
	if (ioctl(vm->fd, KVM_IRQFD, &irqfd) < 0) {
		fail("KVM_IRQFD");
		goto close_efd;
	}
	rc = o->irqfd_child ? signal_from_child(efd, n) : signal_efd(efd, n);
close_efd:
	close(efd);
	return rc;
}

static void print_json(const struct opts *o, struct result *r)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "r");

	static const char *const ps[] = { "default", "4k", "2m" };

	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	/* keep the JSON valid whatever the process was renamed to */
	for (char *c = comm; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			*c = '_';
	printf("{\"tool\":\"vsva-kvmload\",\"pid\":%d,\"comm\":\"%s\","
	       "\"mode\":\"%s\",\"quirk_slot_zap_all\":%s,\"ioctl\":\"%s\","
	       "\"memory_bytes\":%lu,\"rom_bytes\":%lu,\"vcpus\":%lu,"
	       "\"page_size\":\"%s\",\"pages_touched_per_run\":%lu,"
	       "\"guest_runs\":%lu,\"deletions\":%lu,\"deletion_errors\":%lu,"
	       "\"creations\":%lu,",
	       getpid(), comm, o->memslot_mode ? "memslot" : "all_fast",
	       o->memslot_mode ? "false" : "true",
	       o->region2 ? "KVM_SET_USER_MEMORY_REGION2"
			  : "KVM_SET_USER_MEMORY_REGION",
	       o->mem_mib << 20, o->rom_pages * PAGE, o->vcpus,
	       ps[o->page_size], (o->mem_mib << 20) / PAGE, r->runs,
	       r->deletions, r->errors, r->creations);
	json_times("delete_ns", &r->del);
	putchar(',');
	json_times("retouch_ns", &r->retouch);
	printf(",\"first_touch_ns\":%llu,"
	       "\"irqfd\":{\"route\":\"%s\",\"gsi\":%u,\"signals\":%lu,"
	       "\"signaller_pid\":%d},\"vms\":%lu,"
	       "\"elapsed_ns\":%llu}\n", (unsigned long long)r->first_touch,
	       o->irqfd_ioapic ? "ioapic" : "msi", irqfd_gsi(o),
	       o->irqfd * o->vms * (o->vms + 1) / 2,
	       signaller_pid ? (int)signaller_pid : getpid(), o->vms,
	       (unsigned long long)r->elapsed);
}

static int run_vms(const struct opts *o, struct result *res);

/* Make the next fork get pid @pid (the kernel hands out last + 1). */
static int want_pid(pid_t pid)
{
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	int rc;

	if (!f)
		return fail("/proc/sys/kernel/ns_last_pid");
	rc = fprintf(f, "%d", (int)pid - 1);
	if (fclose(f) || rc < 0)
		return fail("write /proc/sys/kernel/ns_last_pid");
	return 0;
}

/* Fork @o->lifetimes VMMs in turn; each runs its VMs and exits. */
static int run_lifetimes(const struct opts *o)
{
	unsigned long i, failed = 0, forced = 0, reused = 0;
	uint64_t t0 = now_ns();
	pid_t pid, last = 0;
	int status;

	for (i = 0; i < o->lifetimes; i++) {
		bool reuse = o->reuse_every && last &&
			     i % o->reuse_every == o->reuse_every - 1;

		if (reuse && want_pid(last))
			return -1;
		pid = fork();
		if (pid < 0)
			return fail("fork");
		if (pid == 0) {
			struct result res = { 0 };
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);	/* the parent reports */
			_exit(run_vms(o, &res) ? 1 : 0);
		}
		forced += reuse;
		reused += reuse && pid == last;
		last = pid;
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed++;
	}
	printf("{\"tool\":\"vsva-kvmload\",\"lifetimes\":%lu,"
	       "\"lifetime_failures\":%lu,\"deletions_each\":%lu,"
	       "\"pid_reuses_forced\":%lu,\"pid_reuses\":%lu,"
	       "\"elapsed_ns\":%llu}\n", o->lifetimes, failed, o->deletions,
	       forced, reused, (unsigned long long)(now_ns() - t0));
	return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .deletions = 10, .mem_mib = 64, .rom_pages = 16,
			  .vms = 1, .vcpus = 1 };
	struct result res = { 0 };

	if (kvmload_parse_opts(argc, argv, &o))
		return 2;
	if (o.lifetimes)
		return run_lifetimes(&o) ? 1 : 0;
	return run_vms(&o, &res) ? 1 : 0;
}

/* VM @k (1-based) of --vms: run it, toggle the ROM slot k times the
 * deletions asked, signal its irqfd k times the signals asked. */
static int vm_work(struct vm *vm, const struct opts *o, struct result *res,
		   unsigned long k)
{
	unsigned long i;
	uint64_t t0 = now_ns();

	if (guest_pass(vm))
		return -1;
	if (k == 1)
		res->first_touch = now_ns() - t0;
	res->runs++;
	for (i = 0; i < o->deletions * k; i++) {
		if (toggle_rom(vm, o, res))
			return -1;
		t0 = now_ns();
		if (guest_pass(vm))
			return -1;
		times_add(&res->retouch, now_ns() - t0);
		res->runs++;
	}
	if (o->irqfd && irqfd_signal(vm, o, o->irqfd * k))
		return -1;
	for (i = 0; i < o->efault; i++)
		if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (void *)8) == 0 ||
		    errno != EFAULT) {
			fprintf(stderr, "vsva-kvmload: an unreadable region "
				"argument did not fail with EFAULT\n");
			return -1;
		}
	return 0;
}

/* The VMs: create them all, then work each; JSON. */
static int run_vms(const struct opts *o, struct result *res)
{
	struct vm vms[64];
	unsigned long k;
	uint64_t t0;

	unsigned long n = o->deletions * o->vms * (o->vms + 1) / 2 + 1;

	res->del.ns = calloc(n, sizeof(uint64_t));
	res->retouch.ns = calloc(n, sizeof(uint64_t));
	if (!res->del.ns || !res->retouch.ns) {
		fprintf(stderr, "vsva-kvmload: out of memory\n");
		return -1;
	}
	t0 = now_ns();
	for (k = 0; k < o->vms; k++) {
		vms[k] = (struct vm){ .kvm = -1, .fd = -1 };
		if (vm_create(&vms[k], o))
			return -1;
	}
	if (o->pause_s)
		sleep(o->pause_s);
	for (k = 0; k < o->vms; k++)
		if (vm_work(&vms[k], o, res, k + 1))
			return -1;
	res->elapsed = now_ns() - t0;
	print_json(o, res);
	return 0;
}

