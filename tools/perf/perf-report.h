/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-perf report's engine: samples in (already decoded to an event and
 * its raw record), per-VM statistics and the report out.  Independent of
 * perf, so the unit tests and the fuzzer drive it directly.
 *
 * What is decoded is the decoders' (perf kvm's kvm_events_ops shape): one
 * per measurement of the table (src/lib/table.c), each naming the events
 * it consumes, the fields it reads of them, what it does with one and
 * the keys it counts under (tools/perf/dec-*.c, listed in
 * perf-decoders.c).  The engine indexes them at rep_new().
 */
#ifndef VSVA_PERF_REPORT_H
#define VSVA_PERF_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "vsva/ladder.h"

struct report;
struct sample;
struct op;

#define DEC_FIELDS	6	/* fields one handler reads */

/* An event a decoder consumes, and what it does with one. */
struct dec_event {
	const char *name;		/* "system:name", as perf names it */
	void (*fn)(struct report *r, struct sample *s);
	const char *fields[DEC_FIELDS];	/* what @fn reads: field(r, s, 0..) */
};

/* A key a decoder counts under: a row of the report, named as vsvad
 * names the label value. */
struct dec_key {
	const char *name;
	unsigned int flags;		/* KEY_* */
};
#define KEY_TIMED	1u	/* latencies: enter and exit paired */
#define KEY_ERRS	2u	/* a result: errors where it is not 0 */
#define KEY_ENTRIES	4u	/* invalidation entries handled, requested */
#define KEY_DEVICE	8u	/* rows by device... */
#define KEY_DOMAIN	16u	/* ...and domain type */

/* One measurement's decoder. */
struct decoder {
	enum vsva_mid mid;		/* the measurement it reports */
	const char *skip;		/* not recorded, and why; NULL: it is */
	const struct dec_event *events;	/* ended by a NULL name */
	const struct dec_key *keys;	/* ended by a NULL name */
	/* said when vsva-perf record records this rung of it */
	enum vsva_rung note_rung;
	const char *note;
	/* an operation's own columns after the common ones (NULL: none) */
	void (*op_text)(const struct op *o, FILE *f);
	void (*op_json)(const struct op *o, const char *key, FILE *f);
};

/* Every decoder, in the table's order; NULL-terminated. */
extern const struct decoder *const vsva_decoders[];

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
	uint64_t sum, sum_req;	/* invalidation entries handled, asked */
};

/* One row of a device-keyed key, in one thread group. */
struct drow {
	uint32_t tgid;
	bool used;
	uint16_t key;		/* the report's key index */
	uint32_t domain_type;
	char dev[DEV_LEN];
	struct stat_row st;
};

struct vm {
	uint32_t tgid;
	bool vmm;		/* seen doing a VMM's work in the recording */
	bool used;
	char comm[16];
	struct stat_row *row;	/* by key index (rep_nkeys) */
	uint64_t unpaired;	/* an enter or exit without the other */
	/* the MMU rebuild after the latest memslot deletion */
	int64_t rebuild_op;	/* index in ops, -1: none */
	uint64_t last_page;
};

/* One timed operation, for the slowest list and the timeline. */
struct op {
	uint64_t start, end, rebuild_ns;
	uint32_t tgid, tid, pages;
	int32_t cpu;
	int32_t drow;		/* a device-keyed row, or -1: @key */
	uint16_t key;		/* the report's key index */
	uint8_t ok;
};

/* An operation a thread has open: at most one per class. */
struct pending {
	uint32_t tid;		/* 0: never used */
	uint16_t cls;		/* the decoder's, made the report's */
	uint32_t tgid;
	uint64_t start;
	int32_t cpu;
	uint8_t own, mark, used;
};

struct sample {
	int ev;			/* rep_event() */
	uint64_t time;
	int32_t pid, tid, cpu;
	const void *raw;
	uint32_t raw_size;
	struct vm *vm;		/* out: the VM it was charged to */
	/* the engine's, for the handler it calls */
	int dec, con;
	bool bad;		/* a field it needs is not in the recording */
};

#define EV_N		64	/* distinct events */
#define EV_FIELDS	8	/* fields read of one event */
#define EV_CONS		4	/* decoders consuming one event */
#define CONS_N		80	/* (decoder, event) pairs */
#define KEYS_N		64
#define CACHE_N		64
#define PENDING_N	4096	/* threads with an operation open */
#define VM_N		4096
#define DROW_N		4096	/* device-keyed rows */

enum fmt { OUT_TEXT, OUT_JSON, OUT_CSV };
enum sort { SORT_COUNT, SORT_TOTAL, SORT_P99, SORT_MAX };

/* An event as the decoders consume it. */
struct rep_event {
	const char *name;
	const char *fields[EV_FIELDS];	/* read by any of its consumers */
	struct layout lay[EV_FIELDS + 1];	/* the last stays absent: what
						 * a handler reads unlisted */
	uint8_t cons[EV_CONS];		/* its consumers (struct rep_cons) */
	int nfields, ncons;
};

/* One decoder's handler of one event. */
struct rep_cons {
	uint8_t dec;			/* index in vsva_decoders */
	const struct dec_event *de;
	uint8_t fmap[DEC_FIELDS];	/* its field k: the event's fmap[k] */
};

struct report {
	/* the decoders, indexed */
	struct rep_event ev[EV_N];
	struct rep_cons cons[CONS_N];
	const struct dec_key *keys[KEYS_N];
	uint8_t kdec[KEYS_N];		/* a key's decoder */
	uint16_t kbase[32];		/* a decoder's first key */
	int nev, ncons, nkeys, ndec;
	/* perf's event names to rep_event(), by pointer */
	struct { const char *name; int ev; } cache[CACHE_N];
	int ncache;
	/* what the recording held */
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

/* NULL if out of memory, or if the decoders outgrow the limits above
 * (test_perfops checks they do not). */
struct report *rep_new(void);
void rep_free(struct report *r);
/* "format=json", "sort=p99", "top=10", "timeline=1", "pids=1,2",
 * "lost=N", "lostrec=N", "file=...", "kernel=...", "host=..."; 0 or -1 */
int rep_option(struct report *r, const char *opt);
/* Event "system:name" as the report numbers it, or -1 if no decoder
 * consumes it. */
int rep_event(const struct report *r, const char *name);
/* The same for perf's name of a sample's event, cached by its address
 * (perf hands the same string for every sample of an event). */
int rep_event_cached(struct report *r, const char *name);
/* Field @name of event @ev is at @off, @size bytes, LOC_* @loc; 0
 * (unknown: ignored) or -1 */
int rep_set_field(struct report *r, int ev, const char *name,
		  unsigned int off, unsigned int size, int loc);
void rep_sample(struct report *r, struct sample *s);
/* VM @tgid, or NULL if the recording has none. */
struct vm *rep_vm_find(const struct report *r, uint32_t tgid);
/* Print the report; 0, or 1 when the recording held no vsva event. */
int rep_print(struct report *r, FILE *f);

/* A measurement's name, for what cannot link the table (read from its
 * rows, vsva/measurements.def). */
const char *rep_mname(enum vsva_mid m);

#endif /* VSVA_PERF_REPORT_H */
