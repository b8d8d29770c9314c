/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-perf report's output, between the engine's state and the printers:
 * the VMs as reported (tools/perf/perf-collect.c), printed as text
 * (perf-print.c), JSON or CSV (perf-json.c).
 */
#ifndef VSVA_PERF_OUT_H
#define VSVA_PERF_OUT_H

#include "perf-report.h"

#define NS	1e-9

struct stats {
	uint64_t count, errors, n;
	double min, p50, p99, max, mean, sd, total;
};

/* A VM as reported: a VMM's own rows, or the rest merged
 * ("unattributed", "kernel/0"). */
struct out_vm {
	const struct vm *vm;
	char name[40];
	uint32_t pid;
	struct stat_row *row;		/* by key: counts merged, ns borrowed */
	uint64_t unpaired;
	struct drow *d;			/* device rows, merged: owned */
	int nd, capd;
};

/* A row as printed: a key of a measurement and its statistics. */
struct orow {
	enum vsva_mid meas;
	const char *key;		/* the decoder's key name */
	const struct drow *d;		/* device row: its labels */
	unsigned int flags;		/* KEY_* */
	struct stats st;
	uint64_t entries, entries_req;
};

/* The VMs of @r into @o (VM_N + 2 of them): 0 unattributed, 1
 * kernel/0, then the VMMs; how many, or -1. */
int out_collect(struct report *r, struct out_vm *o);
void out_free(struct out_vm *o, int n);
bool out_empty(const struct report *r, const struct out_vm *o);
/* @o's rows with a count, as printed; how many (*rows: free it). */
int out_rows(const struct report *r, struct out_vm *o, struct orow **rows);
/* A row's key as printed: a device row's with its labels. */
void out_row_key(const struct orow *w, char *buf, size_t len);
/* Operation @o's measurement and key; its device row, if it has one. */
const struct drow *out_op_key(const struct report *r, const struct op *o,
			      const char **meas, const char **key);
/* Its decoder (for the columns of its own). */
const struct decoder *out_op_decoder(const struct report *r,
				     const struct op *o);
/* The slowest @r->top operations, slowest first (free it). */
const struct op **out_slowest(const struct report *r, uint64_t *n);
uint64_t out_total_events(const struct report *r);

void print_text(struct report *r, struct out_vm *o, int n, FILE *f);
void print_json(struct report *r, struct out_vm *o, int n, FILE *f);
void print_csv(struct report *r, struct out_vm *o, int n, FILE *f);

#endif /* VSVA_PERF_OUT_H */
