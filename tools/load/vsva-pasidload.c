// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-pasidload: an iommufd PASID workload with exactly known operations.
 *
 * Opens /dev/iommu and, through iommufd's selftest mock driver
 * (CONFIG_IOMMUFD_TEST), creates a PASID-capable mock device on an IOAS,
 * allocates HW page tables (a PASID-compatible paging one, a nesting
 * parent and nested ones, the last on a vIOMMU where the kernel has them),
 * then attaches, replaces and detaches N PASIDs and issues M cache
 * invalidations on the nested HWPT and on the vIOMMU.  Prints a JSON
 * summary of exactly what it did, what failed and how long each kind of
 * operation took, so that a test can hold a tracer's counts against it.
 *
 * No libbpf: it goes into the QEMU guests' initramfs.
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
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "pasidload.h"
#include "vsva/opts.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void print_op(const struct op *o, bool last)
{
	uint64_t sum = 0;
	size_t i;

	qsort(o->ns, o->n, sizeof(*o->ns), cmp_u64);
	for (i = 0; i < o->n; i++)
		sum += o->ns[i];
	printf("    \"%s\": {\"calls\": %lu, \"ok\": %lu, \"failed\": %lu",
	       o->name, o->calls, o->ok, o->failed);
	if (o->failed)
		printf(", \"errno\": \"%s\"", strerror(o->last_errno));
	if (o->n)
		printf(", \"ns\": {\"min\": %llu, \"p50\": %llu, \"max\": %llu, "
		       "\"sum\": %llu}", (unsigned long long)o->ns[0],
		       (unsigned long long)o->ns[(o->n - 1) / 2],
		       (unsigned long long)o->ns[o->n - 1],
		       (unsigned long long)sum);
	printf("}%s\n", last ? "" : ",");
}

static void print_json(const struct run *r, const struct opts *o)
{
	struct utsname u;
	int i;

	uname(&u);
	printf("{\n  \"tool\": \"vsva-pasidload\",\n  \"kernel\": \"%s\",\n",
	       u.release);
	printf("  \"abi\": \"%s\",\n  \"pasid_compat_flag\": %s,\n",
	       o->abi == ABI_612 ? "6.12-vsva" : "upstream",
	       r->pasid_flag ? "true" : "false");
	printf("  \"pasids\": %lu,\n  \"first_pasid\": %lu,\n", o->pasids,
	       o->first_pasid);
	printf("  \"invalidations\": {\"hwpt\": {\"calls\": %lu, "
	       "\"entries_requested\": %lu, \"entries_done\": %lu}, "
	       "\"viommu\": {\"calls\": %lu, \"entries_requested\": %lu, "
	       "\"entries_done\": %lu}},\n",
	       r->op[OP_HWPT_INVAL].ok, r->inval_req[0], r->inval_done[0],
	       r->op[OP_VIOMMU_INVAL].ok, r->inval_req[1], r->inval_done[1]);
	if (r->viommu)
		printf("  \"viommu\": {\"available\": true},\n");
	else
		printf("  \"viommu\": {\"available\": false, \"why\": \"%s\"},\n",
		       r->viommu_why[0] ? r->viommu_why :
					  "not asked for (--no-viommu)");
	printf("  \"elapsed_ns\": %llu,\n  \"ops\": {\n",
	       (unsigned long long)r->elapsed);
	for (i = 0; i < OP_N; i++)
		print_op(&r->op[i], i == OP_N - 1);
	printf("  }\n}\n");
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-pasidload [OPTION]...\n"
"Drive iommufd's PASID attach path through its selftest mock driver and\n"
"print a JSON summary of exactly what was done: on a PASID-capable mock\n"
"device, attach N PASIDs to a paging HWPT, replace each with a nested HWPT\n"
"(on a vIOMMU where the kernel has them), detach them, and issue M cache\n"
"invalidations of E entries on the nested HWPT and on the vIOMMU. Each\n"
"operation's count, failures and timings (ns) are in \"ops\".\n"
"\n"
"  -n, --pasids N          PASIDs to attach, replace and detach (default 8;\n"
"                          1..%d)\n"
"  -m, --invalidations M   invalidation requests per target (default 4;\n"
"                          0..%d)\n"
"  -e, --entries E         entries per invalidation request (default 2;\n"
"                          1..%d)\n"
"      --first-pasid P     the first PASID (default 1); PASID %u, which\n"
"                          the mock driver fails on purpose, is skipped\n"
"      --no-viommu         no vIOMMU, vDEVICE or vIOMMU invalidations\n"
"      --abi A             the test command's numbering: auto (default: by\n"
"                          kernel version), 6.12 (the vsva series'\n"
"                          backport) or upstream (6.15 and later)\n"
"  -d, --device PATH       the iommufd device (default /dev/iommu)\n"
"  -h, --help              show this help\n"
"\n"
"Needs CONFIG_IOMMUFD_TEST and read/write access to /dev/iommu. Exit\n"
"status: 0 done, 1 an operation failed (the JSON still says what was\n"
"done), 2 usage error, 3 no iommufd.\n",
		MAX_PASIDS, MAX_INVALIDATIONS, MAX_ENTRIES,
		PL_TEST_PASID_RESERVED);
}

static int parse_abi(const char *s, enum abi *abi)
{
	if (!strcmp(s, "auto"))
		*abi = ABI_AUTO;
	else if (!strcmp(s, "6.12"))
		*abi = ABI_612;
	else if (!strcmp(s, "upstream"))
		*abi = ABI_UPSTREAM;
	else
		return -1;
	return 0;
}

static int bad(const char *opt, const char *arg)
{
	fprintf(stderr, "vsva-pasidload: invalid %s '%s' (see --help)\n", opt,
		arg);
	return -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "pasids", required_argument, NULL, 'n' },
		{ "invalidations", required_argument, NULL, 'm' },
		{ "entries", required_argument, NULL, 'e' },
		{ "first-pasid", required_argument, NULL, 'P' },
		{ "no-viommu", no_argument, NULL, 'V' },
		{ "abi", required_argument, NULL, 'A' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long max_first = (1ul << PL_MOCK_PASID_WIDTH) - 1;
	int c;

	while ((c = getopt_long(argc, argv, "n:m:e:d:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (vsva_parse_ul(optarg, 1, MAX_PASIDS, &o->pasids))
				return bad("--pasids", optarg);
			break;
		case 'm':
			if (vsva_parse_ul(optarg, 0, MAX_INVALIDATIONS,
					  &o->invalidations))
				return bad("--invalidations", optarg);
			break;
		case 'e':
			if (vsva_parse_ul(optarg, 1, MAX_ENTRIES, &o->entries))
				return bad("--entries", optarg);
			break;
		case 'P':
			if (vsva_parse_ul(optarg, 1, max_first, &o->first_pasid))
				return bad("--first-pasid", optarg);
			break;
		case 'V':
			o->viommu = false;
			break;
		case 'A':
			if (parse_abi(optarg, &o->abi))
				return bad("--abi", optarg);
			break;
		case 'd':
			o->dev = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return vsva_bad_option("vsva-pasidload", NULL);
		}
	}
	if (o->first_pasid + o->pasids > max_first)
		return bad("--first-pasid", "(the last PASID is past the mock's width)");
	return vsva_no_operands("vsva-pasidload", argc, argv, optind);
}

/* The series' backport numbers the PASID test operations differently
 * from upstream: 6.12 (and anything before the upstream PASID cases,
 * 6.15) is the backport. */
static enum abi abi_of_kernel(void)
{
	struct utsname u;
	unsigned int maj = 0, min = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &maj, &min) != 2)
		return ABI_UPSTREAM;
	return maj < 6 || (maj == 6 && min < 15) ? ABI_612 : ABI_UPSTREAM;
}

int main(int argc, char **argv)
{
	struct opts o = { .pasids = 8, .invalidations = 4, .entries = 2,
			  .first_pasid = 1, .viommu = true, .dev = "/dev/iommu" };
	struct run r = { 0 };
	uint64_t t0;
	int rc;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (o.abi == ABI_AUTO)
		o.abi = abi_of_kernel();
	r.pasid_op = o.abi == ABI_612 ? pl_pasid_ops_612 : pl_pasid_ops_upstream;
	r.fd = open(o.dev, O_RDWR | O_CLOEXEC);
	if (r.fd < 0) {
		fprintf(stderr, "vsva-pasidload: %s: %s (needs CONFIG_IOMMUFD)\n",
			o.dev, strerror(errno));
		return 3;
	}
	if (alloc_timings(&r, &o)) {
		fprintf(stderr, "vsva-pasidload: out of memory\n");
		close(r.fd);
		return 1;
	}
	t0 = now_ns();
	rc = pasidload_work(&r, &o);
	r.elapsed = now_ns() - t0;
	close(r.fd);
	print_json(&r, &o);
	free_timings(&r);
	return rc ? 1 : 0;
}

