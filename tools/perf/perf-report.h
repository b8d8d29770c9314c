/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-perf report's engine: samples in (already decoded to an event and
 * its raw record), per-VM statistics and the report out.  Independent of
 * perf, so the unit tests and the fuzzer drive it directly.
 */
#ifndef VSVA_PERF_REPORT_H
#define VSVA_PERF_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The events vsva-perf decodes ("system:name", as perf names them). */
enum ev {
	EV_OWN_ENTER, EV_OWN_EXIT, EV_IOCTL_ENTER, EV_IOCTL_EXIT,
	EV_ZAP_ALL_FAST, EV_PREPARE_ZAP, EV_GET_PAGE, EV_MSI, EV_IOAPIC,
	EV_PIC, EV_SET_IRQ,
	EV_PASID_ATTACH_ENTER, EV_PASID_ATTACH_EXIT, EV_PASID_DETACH_ENTER,
	EV_PASID_DETACH_EXIT, EV_SVA_BIND_ENTER, EV_SVA_BIND_EXIT,
	EV_SVA_UNBIND_ENTER, EV_SVA_UNBIND_EXIT,
	EV_HWPT_ALLOC, EV_HWPT_INV_ENTER, EV_HWPT_INV_EXIT,
	EV_BYPASS_ADD, EV_BYPASS_DEL, EV_IRTE, EV_CONNECT, EV_DISCONNECT,
	EV_N,
};
extern const char *const ev_names[EV_N];

/* Decoded fields, by event. */
enum fld {
	F_ZAP_ALL, F_ZAPPED, F_CMD, F_RET, F_CREATED, F_DATA, F_E, F_PIN,
	F_CHIP, F_IMR, F_GSI, F_LEVEL, F_DEVICE, F_DOMAIN_TYPE, F_RESULT,
	F_NESTED, F_DONE_NUM, F_SET, F_N,
};
extern const char *const fld_names[F_N];

/* Measurements and their keys, named as vsvad names them. */
enum meas {
	M_MEMSLOT, M_IRQ, M_MMU, M_PASID, M_SVA, M_IOMMUFD, M_BYPASS,
	M_CONNECT, M_N,
};
enum key {
	K_ALL_FAST, K_MEMSLOT, K_NO_ZAP,		/* kvm_memslot_zap */
	K_MSI, K_IOAPIC, K_PIC, K_GSI,			/* kvm_irq_injection */
	K_CREATED, K_ZAPPED,				/* kvm_mmu_pages */
	K_HWPT_PAGING, K_HWPT_NESTED, K_HWPT_INV,	/* iommufd_nested */
	K_BP_ADD, K_BP_DEL, K_IRTE_SET, K_IRTE_CLEAR,	/* kvm_irq_bypass */
	K_CONNECT, K_DISCONNECT,			/* irq_bypass_connect */
	K_N,
};

/* Operations keyed by device and domain type (iommu_pasid, iommu_sva). */
enum dop { D_PASID_ATTACH, D_PASID_DETACH, D_SVA_BIND, D_SVA_UNBIND, D_N };

/* Operations paired enter to exit, each thread having at most one of each
 * open (an SVA bind holds a PASID attach inside it). */
enum cls { C_MEMSLOT, C_PASID_ATTACH, C_PASID_DETACH, C_SVA_BIND,
	   C_SVA_UNBIND, C_HWPT_INV, C_N };

#define DEV_LEN		32	/* as vsvad reads it: VSVA_DEV_NAME_LEN */
#define LOC_PLAIN	0
#define LOC_DATA	1	/* __data_loc: u32 length << 16 | offset */
#define LOC_REL		2	/* __rel_loc: offset from the field's end */

struct layout {
	uint16_t off, size;	/* size 0: absent from the recording */
	uint8_t loc;		/* LOC_* */
};

struct stat_row {
	uint64_t count, errors;
	uint64_t *ns;		/* per-operation latencies (timed keys) */
	uint64_t n_ns, cap_ns;
	uint64_t sum;		/* invalidation entries (K_HWPT_INV) */
};

/* One row of a device-keyed measurement, in one thread group. */
struct drow {
	uint32_t tgid;
	bool used;
	uint8_t op;		/* enum dop */
	uint32_t domain_type;
	char dev[DEV_LEN];
	struct stat_row st;
};

struct vm {
	uint32_t tgid;
	bool vmm;		/* seen doing a VMM's work in the recording */
	bool used;
	char comm[16];
	struct stat_row row[K_N];
	uint64_t unpaired;	/* an enter or exit without the other */
	/* the rebuild after the latest deletion */
	int64_t rebuild_op;	/* index in ops, -1: none */
	uint64_t last_page;
};

/* One timed operation (a memslot deletion), for the slowest list and
 * the timeline. */
struct op {
	uint64_t start, end, rebuild_ns;
	uint32_t tgid, tid, pages;
	int32_t cpu;
	int32_t drow;		/* a device-keyed row, or -1: @key */
	uint8_t key, ok;
};

struct pending {
	uint32_t tid;		/* 0: free */
	uint8_t cls;		/* enum cls */
	uint32_t tgid;
	uint64_t start;
	int32_t cpu;
	uint8_t own, all_fast, used;
};

struct sample {
	int ev;
	uint64_t time;
	int32_t pid, tid, cpu;
	const void *raw;
	uint32_t raw_size;
	struct vm *vm;		/* out: the VM it was charged to */
};

#define CACHE_N		32
#define PENDING_N	4096		/* threads with an operation open */
#define VM_N		4096
#define DROW_N		4096		/* device-keyed rows */

enum fmt { OUT_TEXT, OUT_JSON, OUT_CSV };
enum sort { SORT_COUNT, SORT_TOTAL, SORT_P99, SORT_MAX };

struct report {
	struct layout lay[EV_N][F_N];
	struct { const char *name; int ev; } cache[CACHE_N];
	int ncache;
	struct vm *vms;		/* open addressing by tgid */
	int nvms;
	struct pending pend[PENDING_N];
	struct drow *drows;	/* open addressing */
	int ndrows;
	struct op *ops;
	uint64_t nops, capops;
	uint64_t events[EV_N], first, last, undecodable, pending_full,
		 rows_full;
	/* options */
	enum fmt fmt;
	enum sort sort;
	unsigned int top;
	bool timeline;
	uint32_t pids[64];
	int npids;
	uint64_t lost, lost_records;
	char file[256], kernel[128], host[128];
};

struct report *rep_new(void);
void rep_free(struct report *r);
/* "format=json", "sort=p99", "top=10", "timeline=1", "pids=1,2",
 * "lost=N", "lostrec=N", "file=...", "kernel=...", "host=..."; 0 or -1 */
int rep_option(struct report *r, const char *opt);
/* Field @name of event @ev is at @off, @size bytes, LOC_* @loc; 0
 * (unknown: ignored) or -1 */
int rep_set_field(struct report *r, int ev, const char *name,
		  unsigned int off, unsigned int size, int loc);
void rep_sample(struct report *r, struct sample *s);
/* VM @tgid, or NULL if the recording has none. */
struct vm *rep_vm_find(const struct report *r, uint32_t tgid);
/* Print the report; 0, or 1 when the recording held no vsva event. */
int rep_print(struct report *r, FILE *f);

#endif /* VSVA_PERF_REPORT_H */
