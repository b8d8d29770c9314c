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
	EV_PIC, EV_SET_IRQ, EV_N,
};
extern const char *const ev_names[EV_N];

/* Decoded fields, by event. */
enum fld {
	F_ZAP_ALL, F_ZAPPED, F_CMD, F_RET, F_CREATED, F_DATA, F_E, F_PIN,
	F_CHIP, F_IMR, F_GSI, F_LEVEL, F_N,
};

/* Measurements and their keys, named as vsvad names them. */
enum meas { M_MEMSLOT, M_IRQ, M_MMU, M_N };
enum key {
	K_ALL_FAST, K_MEMSLOT, K_NO_ZAP,		/* kvm_memslot_zap */
	K_MSI, K_IOAPIC, K_PIC, K_GSI,			/* kvm_irq_injection */
	K_CREATED, K_ZAPPED,				/* kvm_mmu_pages */
	K_N,
};

struct layout {
	uint16_t off, size;	/* size 0: absent from the recording */
};

struct stat_row {
	uint64_t count, errors;
	uint64_t *ns;		/* per-operation latencies (timed keys) */
	uint64_t n_ns, cap_ns;
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
	uint8_t key, ok;
};

struct pending {
	uint32_t tid;		/* 0: free */
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

enum fmt { OUT_TEXT, OUT_JSON, OUT_CSV };
enum sort { SORT_COUNT, SORT_TOTAL, SORT_P99, SORT_MAX };

struct report {
	struct layout lay[EV_N][F_N];
	struct { const char *name; int ev; } cache[CACHE_N];
	int ncache;
	struct vm *vms;		/* open addressing by tgid */
	int nvms;
	struct pending pend[PENDING_N];
	struct op *ops;
	uint64_t nops, capops;
	uint64_t events[EV_N], first, last, undecodable, pending_full;
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
/* Field @name of event @ev is at @off, @size bytes; 0 (unknown: ignored) */
int rep_set_field(struct report *r, int ev, const char *name,
		  unsigned int off, unsigned int size);
void rep_sample(struct report *r, struct sample *s);
/* VM @tgid, or NULL if the recording has none. */
struct vm *rep_vm_find(const struct report *r, uint32_t tgid);
/* Print the report; 0, or 1 when the recording held no vsva event. */
int rep_print(struct report *r, FILE *f);

#endif /* VSVA_PERF_REPORT_H */
