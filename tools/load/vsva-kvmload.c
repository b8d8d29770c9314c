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
#include <getopt.h>
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
#include "vsva/opts.h"

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

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-kvmload [OPTION]...\n"
"Run a KVM guest that touches its memory, then delete and re-create a small\n"
"memory slot N times (a PCI ROM BAR toggle), re-running the guest after each\n"
"toggle. Prints a JSON summary of exactly what was done on standard output,\n"
"with the time of each deletion and of the guest touching its memory again\n"
"after it (retouch_ns).\n"
"\n"
"  -n, --deletions N   memslot deletions to perform (default 10)\n"
"  -m, --memory MIB    guest RAM the guest touches, in MiB (default 64)\n"
"  -r, --rom-pages P   size of the toggled slot in 4 KiB pages (default 16)\n"
"      --vcpus N       vCPUs, each touching its share of the RAM, all at\n"
"                      once (default 1; 1..64)\n"
"      --page-size S   4k: the guest maps its RAM with 4 KiB pages and the\n"
"                      host backs it with 4 KiB pages (MADV_NOHUGEPAGE), so\n"
"                      a zap throws away real work; 2m: 2 MiB pages both\n"
"                      (MADV_HUGEPAGE); default: 2 MiB guest pages, the\n"
"                      host's THP policy\n"
"      --mode MODE     all_fast (default; KVM's quirk on) or memslot\n"
"                      (KVM_X86_QUIRK_SLOT_ZAP_ALL disabled)\n"
"      --region2       use KVM_SET_USER_MEMORY_REGION2\n"
"      --irqfd N       then signal an irqfd N times (in-kernel irqchip;\n"
"                      GSI 24 routed to MSI vector 0x40)\n"
"      --irqfd-route R msi (default) or ioapic (GSI 5 on IOAPIC pin 5)\n"
"      --irqfd-from-child  a forked process (not the VMM) writes the irqfd,\n"
"                      as a vhost-user backend writes its call fd\n"
"      --pause SECS    wait SECS once the VM exists, before running it\n"
"      --efault-ioctls N  also issue N KVM_SET_USER_MEMORY_REGION ioctls\n"
"                      whose argument cannot be read (EFAULT)\n"
"      --vms K         K VMs in this one VMM, all alive together; VM k\n"
"                      (1..K) does k times the deletions and signals\n"
"                      (default 1; deletions and signals in the JSON are\n"
"                      totals)\n"
"      --lifetimes K   instead: fork K short-lived VMMs one after the\n"
"                      other, each doing the above (no output of its own)\n"
"      --reuse-pid-every J  with --lifetimes: every Jth VMM is given the\n"
"                      pid of the one before it (/proc/sys/kernel/\n"
"                      ns_last_pid; needs CAP_SYS_ADMIN)\n"
"  -h, --help          show this help\n"
"\n"
"Needs read/write access to /dev/kvm. Exit status: 0 done, 1 KVM failure,\n"
"2 usage error.\n");
}


static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "deletions", required_argument, NULL, 'n' },
		{ "memory", required_argument, NULL, 'm' },
		{ "rom-pages", required_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'M' },
		{ "region2", no_argument, NULL, '2' },
		{ "irqfd", required_argument, NULL, 'I' },
		{ "lifetimes", required_argument, NULL, 'L' },
		{ "irqfd-route", required_argument, NULL, 'R' },
		{ "irqfd-from-child", no_argument, NULL, 'C' },
		{ "pause", required_argument, NULL, 'P' },
		{ "efault-ioctls", required_argument, NULL, 'E' },
		{ "vms", required_argument, NULL, 'V' },
		{ "reuse-pid-every", required_argument, NULL, 'U' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "page-size", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:m:r:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (vsva_parse_ul(optarg, 0, 10000000, &o->deletions))
				goto bad;
			break;
		case 'm':
			if (vsva_parse_ul(optarg, 0, 3000, &o->mem_mib) || !o->mem_mib)
				goto bad;
			break;
		case 'r':
			if (vsva_parse_ul(optarg, 0, 4096, &o->rom_pages) ||
			    !o->rom_pages)
				goto bad;
			break;
		case 'M':
			if (!strcmp(optarg, "memslot"))
				o->memslot_mode = true;
			else if (strcmp(optarg, "all_fast"))
				goto bad;
			break;
		case '2':
			o->region2 = true;
			break;
		case 'I':
			if (vsva_parse_ul(optarg, 0, 100000000, &o->irqfd))
				goto bad;
			break;
		case 'L':
			if (vsva_parse_ul(optarg, 0, 10000000, &o->lifetimes) ||
			    !o->lifetimes)
				goto bad;
			break;
		case 'R':
			if (!strcmp(optarg, "ioapic"))
				o->irqfd_ioapic = true;
			else if (strcmp(optarg, "msi"))
				goto bad;
			break;
		case 'C':
			o->irqfd_child = true;
			break;
		case 'P':
			if (vsva_parse_ul(optarg, 0, 3600, &o->pause_s))
				goto bad;
			break;
		case 'E':
			if (vsva_parse_ul(optarg, 0, 1000000, &o->efault))
				goto bad;
			break;
		case 'V':
			if (vsva_parse_ul(optarg, 0, 64, &o->vms) || !o->vms)
				goto bad;
			break;
		case 'U':
			if (vsva_parse_ul(optarg, 0, 10000000, &o->reuse_every) ||
			    o->reuse_every < 2)
				goto bad;
			break;
		case 'c':
			if (vsva_parse_ul(optarg, 0, MAX_VCPUS, &o->vcpus) ||
			    !o->vcpus)
				goto bad;
			break;
		case 'S':
			if (!strcmp(optarg, "4k"))
				o->page_size = PS_4K;
			else if (!strcmp(optarg, "2m"))
				o->page_size = PS_2M;
			else
				goto bad;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (o->reuse_every && !o->lifetimes) {
		fprintf(stderr, "vsva-kvmload: --reuse-pid-every needs "
			"--lifetimes\n");
		return -1;
	}
	return vsva_no_operands("vsva-kvmload", argc, argv, optind);
bad:
	fprintf(stderr, "vsva-kvmload: invalid value '%s' for --%s\n", optarg,
		c == 'n' ? "deletions" : c == 'm' ? "memory (1..3000)" :
		c == 'r' ? "rom-pages (1..4096)" : c == 'I' ? "irqfd" :
		c == 'R' ? "irqfd-route (msi|ioapic)" : c == 'L' ? "lifetimes" :
		c == 'P' ? "pause (0..3600 seconds)" :
		c == 'E' ? "efault-ioctls" : c == 'V' ? "vms (1..64)" :
		c == 'U' ? "reuse-pid-every (2..)" :
		c == 'c' ? "vcpus (1..64)" : c == 'S' ? "page-size (4k|2m)" :
		"mode (all_fast|memslot)");
	return -1;
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

	if (parse_opts(argc, argv, &o))
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
