/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-pasidload: the options, and a run's operations on iommufd
 * (pasidops.c), for the command line, the JSON and main
 * (vsva-pasidload.c).
 */
#ifndef VSVA_PASIDLOAD_H
#define VSVA_PASIDLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "iommufd-abi.h"

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

/* In the header: the run and each of its calls are timed on it. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Each operation's name and room for its calls' times; 0, or -1. */
int alloc_timings(struct run *r, const struct opts *o);
void free_timings(struct run *r);
/* The whole run on r->fd: set up, the PASIDs, the invalidations, the
 * teardown; 0, or -1 after the first operation that failed (said). */
int pasidload_work(struct run *r, const struct opts *o);

#endif /* VSVA_PASIDLOAD_H */
