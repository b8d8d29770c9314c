// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-kvmload's command line: --help, and the options into struct opts
 * (kvmload.h), each checked against its range.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvmload.h"
#include "vsva/opts.h"

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

int kvmload_parse_opts(int argc, char **argv, struct opts *o)
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
			return vsva_bad_option("vsva-kvmload", usage);
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
