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
#include "iommufd-abi.h"
#include "vsva/opts.h"

#define MAX_PASIDS	4096
#define MAX_ENTRIES	64
#define MAX_INVALIDATIONS 100000

enum abi { ABI_AUTO, ABI_612, ABI_UPSTREAM };

struct opts {
	unsigned long pasids, invalidations, entries, first_pasid;
	bool viommu;
	enum abi abi;
	const char *dev;
};

/* One kind of operation: how often it was asked for, done, refused. */
struct op {
	const char *name;
	unsigned long calls, ok, failed;
	int last_errno;
	uint64_t *ns;		/* the successful calls' durations */
	size_t n;
};

enum op_id {
	OP_IOAS_ALLOC, OP_MOCK_DEVICE, OP_RID_REPLACE, OP_HWPT_PAGING,
	OP_HWPT_NESTED, OP_VIOMMU_ALLOC, OP_VDEVICE_ALLOC, OP_PASID_ATTACH,
	OP_PASID_REPLACE, OP_PASID_DETACH, OP_HWPT_INVAL, OP_VIOMMU_INVAL,
	OP_DESTROY, OP_N
};

static const char *const op_names[OP_N] = {
	"ioas_alloc", "mock_device", "rid_replace", "hwpt_alloc_paging",
	"hwpt_alloc_nested", "viommu_alloc", "vdevice_alloc", "pasid_attach",
	"pasid_replace", "pasid_detach", "hwpt_invalidate",
	"viommu_invalidate", "destroy",
};

struct run {
	int fd;
	struct pl_pasid_ops pasid_op;
	bool pasid_flag;	/* IOMMU_HWPT_ALLOC_PASID understood */
	uint32_t ioas, stdev, idev, s2, parent, nested, viommu, vdev, vnested;
	struct op op[OP_N];
	unsigned long inval_req[2], inval_done[2];	/* hwpt, viommu */
	char viommu_why[160];
	uint64_t elapsed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One ioctl, counted and timed under @id; the ioctl's return value. */
static int call(struct run *r, enum op_id id, unsigned long req, void *arg)
{
	struct op *o = &r->op[id];
	uint64_t t0 = now_ns();
	int rc = ioctl(r->fd, req, arg);
	uint64_t dt = now_ns() - t0;

	o->calls++;
	if (rc) {
		o->failed++;
		o->last_errno = errno;
		return rc;
	}
	o->ok++;
	o->ns[o->n++] = dt;
	return 0;
}

static int fail(struct run *r, enum op_id id, const char *what)
{
	fprintf(stderr, "vsva-pasidload: %s: %s\n", what,
		strerror(r->op[id].last_errno));
	return -1;
}

static int test_cmd(struct run *r, enum op_id id, struct pl_test_cmd *c)
{
	c->size = sizeof(*c);
	return call(r, id, PL_IOMMU_TEST_CMD, c);
}

static int destroy(struct run *r, uint32_t obj)
{
	struct pl_destroy d = { .size = sizeof(d), .id = obj };

	if (!obj)
		return 0;
	return call(r, OP_DESTROY, PL_IOMMU_DESTROY, &d);
}

static int ioas_alloc(struct run *r)
{
	struct pl_ioas_alloc a = { .size = sizeof(a) };

	if (call(r, OP_IOAS_ALLOC, PL_IOMMU_IOAS_ALLOC, &a))
		return fail(r, OP_IOAS_ALLOC, "IOMMU_IOAS_ALLOC");
	r->ioas = a.out_ioas_id;
	return 0;
}

static int mock_device(struct run *r)
{
	struct pl_test_cmd c = {
		.op = PL_OP_MOCK_DOMAIN_FLAGS, .id = r->ioas,
		.mock_domain_flags.dev_flags = PL_MOCK_FLAGS_DEVICE_PASID,
	};

	if (test_cmd(r, OP_MOCK_DEVICE, &c))
		return fail(r, OP_MOCK_DEVICE,
			    "IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS (PASID)");
	r->stdev = c.mock_domain_flags.out_stdev_id;
	r->idev = c.mock_domain_flags.out_idev_id;
	return 0;
}

static int hwpt_alloc(struct run *r, uint32_t pt, uint32_t flags, bool nested,
		      uint32_t *out)
{
	struct pl_hwpt_selftest data = { .iotlb = PL_TEST_IOTLB_DEFAULT };
	struct pl_hwpt_alloc a = {
		.size = sizeof(a), .flags = flags, .dev_id = r->idev,
		.pt_id = pt,
	};
	enum op_id id = nested ? OP_HWPT_NESTED : OP_HWPT_PAGING;

	if (nested) {
		a.data_type = PL_HWPT_DATA_SELFTEST;
		a.data_len = sizeof(data);
		a.data_uptr = (uintptr_t)&data;
	}
	if (call(r, id, PL_IOMMU_HWPT_ALLOC, &a))
		return fail(r, id, "IOMMU_HWPT_ALLOC");
	*out = a.out_hwpt_id;
	return 0;
}

/* The paging HWPT the PASIDs start on and the device's RID moves to: it
 * must be PASID-compatible upstream (6.15+), a flag 6.12 does not know. */
static int paging_hwpt(struct run *r)
{
	struct pl_hwpt_alloc a = {
		.size = sizeof(a), .flags = PL_HWPT_ALLOC_PASID,
		.dev_id = r->idev, .pt_id = r->ioas,
	};

	if (!call(r, OP_HWPT_PAGING, PL_IOMMU_HWPT_ALLOC, &a)) {
		r->pasid_flag = true;
		r->s2 = a.out_hwpt_id;
		return 0;
	}
	if (r->op[OP_HWPT_PAGING].last_errno != EOPNOTSUPP)
		return fail(r, OP_HWPT_PAGING, "IOMMU_HWPT_ALLOC (PASID)");
	/* the kernel refused the flag: the probe is not part of the work */
	r->op[OP_HWPT_PAGING].calls--;
	r->op[OP_HWPT_PAGING].failed--;
	return hwpt_alloc(r, r->ioas, 0, false, &r->s2);
}

static int rid_replace(struct run *r, uint32_t pt)
{
	struct pl_test_cmd c = {
		.op = PL_OP_MOCK_DOMAIN_REPLACE, .id = r->stdev,
		.mock_domain_replace.pt_id = pt,
	};

	if (test_cmd(r, OP_RID_REPLACE, &c))
		return fail(r, OP_RID_REPLACE, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE");
	return 0;
}

/* vIOMMU and vDEVICE on the nesting parent, and a nested HWPT on the
 * vIOMMU.  A kernel without vIOMMUs (before 6.13) is not a failure: the
 * JSON says why they are missing. */
static int viommu(struct run *r)
{
	struct pl_viommu_alloc v = {
		.size = sizeof(v), .type = PL_VIOMMU_TYPE_SELFTEST,
		.dev_id = r->idev, .hwpt_id = r->parent,
	};
	struct pl_vdevice_alloc d = { .size = sizeof(d), .dev_id = r->idev,
				      .virt_id = 0x99 };

	if (call(r, OP_VIOMMU_ALLOC, PL_IOMMU_VIOMMU_ALLOC, &v)) {
		int e = r->op[OP_VIOMMU_ALLOC].last_errno;

		if (e != ENOTTY && e != EOPNOTSUPP)
			return fail(r, OP_VIOMMU_ALLOC, "IOMMU_VIOMMU_ALLOC");
		snprintf(r->viommu_why, sizeof(r->viommu_why),
			 "IOMMU_VIOMMU_ALLOC: %s (a kernel without vIOMMU objects)",
			 strerror(e));
		r->op[OP_VIOMMU_ALLOC].calls--;
		r->op[OP_VIOMMU_ALLOC].failed--;
		return 0;
	}
	r->viommu = v.out_viommu_id;
	d.viommu_id = r->viommu;
	if (call(r, OP_VDEVICE_ALLOC, PL_IOMMU_VDEVICE_ALLOC, &d))
		return fail(r, OP_VDEVICE_ALLOC, "IOMMU_VDEVICE_ALLOC");
	r->vdev = d.out_vdevice_id;
	return hwpt_alloc(r, r->viommu, r->pasid_flag ? PL_HWPT_ALLOC_PASID : 0,
			  true, &r->vnested);
}

static int hwpts(struct run *r, const struct opts *o)
{
	uint32_t pasid = r->pasid_flag ? PL_HWPT_ALLOC_PASID : 0;

	if (paging_hwpt(r) || rid_replace(r, r->s2))
		return -1;
	if (hwpt_alloc(r, r->ioas, PL_HWPT_ALLOC_NEST_PARENT, false, &r->parent))
		return -1;
	if (hwpt_alloc(r, r->parent, pasid, true, &r->nested))
		return -1;
	return o->viommu ? viommu(r) : 0;
}

static int pasid_cmd(struct run *r, enum op_id id, uint32_t op,
		     uint32_t pasid, uint32_t pt)
{
	struct pl_test_cmd c = { .op = op, .id = r->stdev,
				 .pasid = { .pasid = pasid, .pt_id = pt } };
	char what[64];

	if (!test_cmd(r, id, &c))
		return 0;
	snprintf(what, sizeof(what), "%s of PASID %u", op_names[id], pasid);
	return fail(r, id, what);
}

static uint32_t nth_pasid(const struct opts *o, unsigned long i)
{
	uint32_t p = o->first_pasid + i;

	/* skip the PASID upstream's mock fails on purpose */
	return p >= PL_TEST_PASID_RESERVED ? p + 1 : p;
}

/* Every PASID attached to the paging HWPT, moved to a nested one (the
 * vIOMMU's where there is one), and detached. */
static int pasids(struct run *r, const struct opts *o)
{
	const struct pl_pasid_ops *p = &r->pasid_op;
	uint32_t target = r->vnested ? r->vnested : r->nested;
	unsigned long i;

	for (i = 0; i < o->pasids; i++)
		if (pasid_cmd(r, OP_PASID_ATTACH, p->attach, nth_pasid(o, i),
			      r->s2))
			return -1;
	for (i = 0; i < o->pasids; i++)
		if (pasid_cmd(r, OP_PASID_REPLACE, p->replace, nth_pasid(o, i),
			      target))
			return -1;
	for (i = 0; i < o->pasids; i++)
		if (pasid_cmd(r, OP_PASID_DETACH, p->detach, nth_pasid(o, i), 0))
			return -1;
	return 0;
}

/* One IOMMU_HWPT_INVALIDATE of @n entries on a nested HWPT (@viommu
 * false) or a vIOMMU. */
static int invalidate(struct run *r, bool viommu, unsigned long k,
		      unsigned long n)
{
	struct pl_hwpt_invalidate_selftest h[MAX_ENTRIES];
	struct pl_viommu_invalidate_selftest v[MAX_ENTRIES];
	struct pl_hwpt_invalidate inv = { .size = sizeof(inv),
					  .entry_num = n };
	enum op_id id = viommu ? OP_VIOMMU_INVAL : OP_HWPT_INVAL;
	unsigned long i;

	for (i = 0; i < n; i++) {
		h[i] = (struct pl_hwpt_invalidate_selftest){
			.iotlb_id = (k + i) % (PL_MOCK_IOTLB_ID_MAX + 1) };
		v[i] = (struct pl_viommu_invalidate_selftest){
			.vdev_id = 0x99,
			.cache_id = (k + i) % (PL_MOCK_DEV_CACHE_ID_MAX + 1) };
	}
	inv.hwpt_id = viommu ? r->viommu : r->nested;
	inv.data_type = viommu ? PL_VIOMMU_INVALIDATE_DATA_SELFTEST :
				 PL_HWPT_INVALIDATE_DATA_SELFTEST;
	inv.entry_len = viommu ? sizeof(v[0]) : sizeof(h[0]);
	inv.data_uptr = viommu ? (uintptr_t)v : (uintptr_t)h;
	r->inval_req[viommu] += n;
	if (call(r, id, PL_IOMMU_HWPT_INVALIDATE, &inv))
		return fail(r, id, "IOMMU_HWPT_INVALIDATE");
	r->inval_done[viommu] += inv.entry_num;
	return 0;
}

static int invalidations(struct run *r, const struct opts *o)
{
	unsigned long k;

	for (k = 0; k < o->invalidations; k++) {
		if (invalidate(r, false, k, o->entries))
			return -1;
		if (r->viommu && invalidate(r, true, k, o->entries))
			return -1;
	}
	return 0;
}

/* Objects in the reverse order of their dependencies; the mock device's
 * destruction detaches its RID. */
static int teardown(struct run *r)
{
	uint32_t objs[] = { r->vnested, r->vdev, r->viommu, r->nested,
			    r->stdev, r->parent, r->s2, r->ioas };
	size_t i;

	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		if (destroy(r, objs[i]))
			return fail(r, OP_DESTROY, "IOMMU_DESTROY");
	return 0;
}

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
			fprintf(stderr, "Try 'vsva-pasidload --help'.\n");
			return -1;
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

/* Room for every successful call's time: no kind of operation is done
 * more often than the PASIDs or the invalidations, bar a few set-ups. */
static int alloc_timings(struct run *r, const struct opts *o)
{
	size_t cap = (o->pasids > o->invalidations ? o->pasids :
					o->invalidations) + 16;
	int i;

	for (i = 0; i < OP_N; i++) {
		r->op[i].name = op_names[i];
		r->op[i].ns = calloc(cap, sizeof(uint64_t));
		if (!r->op[i].ns)
			return -1;
	}
	return 0;
}

static void free_timings(struct run *r)
{
	int i;

	for (i = 0; i < OP_N; i++)
		free(r->op[i].ns);
}

static int work(struct run *r, const struct opts *o)
{
	if (ioas_alloc(r) || mock_device(r) || hwpts(r, o))
		return -1;
	if (pasids(r, o) || invalidations(r, o))
		return -1;
	return teardown(r);
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
	rc = work(&r, &o);
	r.elapsed = now_ns() - t0;
	close(r.fd);
	print_json(&r, &o);
	free_timings(&r);
	return rc ? 1 : 0;
}
