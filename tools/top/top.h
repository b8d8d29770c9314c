/* SPDX-License-Identifier: GPL-2.0 */
/* vsva-top: rows from snapshots (top-data.c), the screen (top-screen.c). */
#ifndef VSVA_TOP_H
#define VSVA_TOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <curl/curl.h>
#include "vsva/engine.h"
#include "vsva/expo.h"

#define MAX_ROWS	1024

/* The name of the measurement table's family vsva_@x (its one definition
 * is in vsva/measurements.def): a family renamed there stops vsva-top's
 * build instead of leaving a column that reads nothing.  vsva_probe_info
 * is the engine's own, not a measurement's. */
#define TOP_FAM(x)	(vsva_families[VSVA_FAM_##x].name)

enum col { C_PID, C_COMM, C_DELS, C_DEL, C_P50, C_P99, C_ZAPPED, C_IRQ,
	   C_PROD, C_INV, C_NCOLS };

extern const char *const col_name[C_NCOLS];

struct row {
	char vm[48], comm[24];
	unsigned int pid;
	bool exited;
	double v[C_NCOLS];	/* numeric columns; NAN: not measured */
	double del_total, irq_total, zapped_total, inv_total;
};

struct opts {
	double interval;
	bool once, log, csv, json;
	const char *filter;
	const char *from;	/* a vsvad's /metrics URL, or NULL */
};

/* Where snapshots come from: our own engine, or a running vsvad. */
struct source {
	struct vsva_engine *engine;
	const char *url;
	CURL *curl;
	char err[CURL_ERROR_SIZE + 512];
};

/* The largest /metrics body vsva-top reads (1,000 VMs: some 1.1 MB). */
#define TOP_MAX_BODY	(128 << 20)

/* Set by SIGINT and SIGTERM: the batch and the screen loops end.  In
 * top-data.c, which both import, so that neither imports the other. */
extern volatile sig_atomic_t top_exiting;

/* Seconds on the monotonic clock, for both loops: in the header, so that
 * neither imports the other for it (in top-data.c it would pull the
 * engine's clock into fuzz_parse, which links no library). */
static inline double top_mono_s(void)
{
	return vsva_mono_ns() * 1e-9;
}

/* The value of label @name of @m; "" when it has none. */
const char *top_label(const struct vsva_sample *m, const char *name);
/* A histogram family's counts, merged over its series, by bound. */
struct top_hist {
	int n;
	double *le;		/* every bound any series has, ascending */
	double *cum;		/* cumulative count at each */
	double total;
};
/* @fb's histograms (those of @vm, or all when NULL) less the same series
 * in @fa (an earlier scrape, or NULL), merged by bound into @h; 0, or -1
 * when out of memory.  Free @h with top_hist_free. */
int top_hist_delta(const struct vsva_family *fa, const struct vsva_family *fb,
		   const char *vm, struct top_hist *h);
void top_hist_free(struct top_hist *h);
double top_sum_vm(const struct vsva_snapshot *s, const char *fam,
		     const char *vm, bool hist_count);
double top_zap_quantile(const struct vsva_snapshot *a,
			   const struct vsva_snapshot *b, const char *vm,
			   double q);
double top_rate(double a, double b, double dt);
int top_build_rows(const struct vsva_snapshot *a,
		      const struct vsva_snapshot *b, double dt,
		      struct row *rows, const char *filter);
int top_snap(struct source *src, struct vsva_snapshot *s);
int top_open_url(struct source *src);
void top_fmt(char *buf, size_t len, enum col c, double v);
double top_nz(double v);
void top_print_json(FILE *f, const struct vsva_snapshot *s,
		       const struct row *r, int n, double dt);
void top_print_table(FILE *f, const struct row *r, int n, bool csv);
int top_run_screen(struct source *e, struct opts *o);

#endif /* VSVA_TOP_H */
