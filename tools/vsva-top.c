// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-top: a live monitor of vsva's measurements, one row per VM, in the
 * spirit of kvm_stat and top.  Batch modes (--once, --log, --csv, --json)
 * print the same rows for scripts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <ncurses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include "vsva/engine.h"
#include "vsva/expo.h"
#include "vsva/privs.h"

#define MAX_ROWS	1024

enum col { C_PID, C_COMM, C_DELS, C_DEL, C_P50, C_P99, C_ZAPPED, C_IRQ,
	   C_PROD, C_INV, C_NCOLS };

static const char *const col_name[C_NCOLS] = {
	"PID", "COMM", "DELS", "DEL/s", "ZAP_P50", "ZAP_P99", "SHZAP/s",
	"IRQ/s", "BYPASS", "INV/s",
};

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
	char err[CURL_ERROR_SIZE + 64];
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static double mono_s(void)
{
	return vsva_mono_ns() * 1e-9;
}

static const char *label(const struct vsva_sample *m, const char *name)
{
	int i;

	for (i = 0; i < m->nlabels; i++)
		if (!strcmp(m->lname[i], name))
			return m->lval[i];
	return NULL;
}

/* Sum of a family's samples for @vm (and @mode when given). */
static double sum_vm(const struct vsva_snapshot *s, const char *fam,
		     const char *vm, bool hist_count)
{
	const struct vsva_family *f = vsva_snap_find(s, fam);
	double sum = 0;
	int i;

	if (!f)
		return NAN;
	for (i = 0; i < f->nsamples; i++) {
		const char *v = label(&f->samples[i], "vm");

		if (v && !strcmp(v, vm))
			sum += hist_count ? f->samples[i].count
					  : f->samples[i].value;
	}
	return sum;
}

/* Quantile q of a VM's zap histograms (all modes), from bucket deltas. */
static double zap_quantile(const struct vsva_snapshot *a,
			   const struct vsva_snapshot *b, const char *vm,
			   double q)
{
	const struct vsva_family *fa = vsva_snap_find(a, "vsva_kvm_memslot_zap_seconds");
	const struct vsva_family *fb = vsva_snap_find(b, "vsva_kvm_memslot_zap_seconds");
	double cum[64] = { 0 }, le[64] = { 0 }, total = 0, want;
	int n = 0, i, j, k;

	if (!fb)
		return NAN;
	for (i = 0; i < fb->nsamples; i++) {
		const struct vsva_sample *mb = &fb->samples[i];
		const struct vsva_sample *ma = NULL;

		if (strcmp(label(mb, "vm"), vm))
			continue;
		for (j = 0; fa && j < fa->nsamples; j++)
			if (!strcmp(label(&fa->samples[j], "vm"), vm) &&
			    !strcmp(label(&fa->samples[j], "mode"),
				    label(mb, "mode")))
				ma = &fa->samples[j];
		n = mb->nbuckets < 64 ? mb->nbuckets : 64;
		for (k = 0; k < n; k++) {
			le[k] = mb->le[k];
			cum[k] += mb->cum[k] - (ma ? ma->cum[k] : 0);
		}
		total += mb->count - (ma ? ma->count : 0);
	}
	if (total <= 0)
		return NAN;
	want = q * total;
	for (k = 0; k < n; k++)
		if (cum[k] >= want)
			return le[k];
	return INFINITY;
}

static double rate(double a, double b, double dt)
{
	if (isnan(a) || isnan(b) || dt <= 0)
		return NAN;
	return (b - a) / dt;
}

/* Rows from two snapshots @dt seconds apart. */
static int build_rows(const struct vsva_snapshot *a,
		      const struct vsva_snapshot *b, double dt,
		      struct row *rows, const char *filter)
{
	const struct vsva_family *info = vsva_snap_find(b, "vsva_kvm_vm_info");
	int i, n = 0;

	for (i = 0; info && i < info->nsamples && n < MAX_ROWS; i++) {
		const struct vsva_sample *m = &info->samples[i];
		struct row *r = &rows[n];
		const char *vm = label(m, "vm");

		snprintf(r->vm, sizeof(r->vm), "%s", vm);
		snprintf(r->comm, sizeof(r->comm), "%s", label(m, "comm"));
		r->pid = strtoul(label(m, "pid"), NULL, 10);
		r->exited = !strcmp(label(m, "state"), "exited");
		if (filter && !strstr(r->comm, filter) &&
		    strtoul(filter, NULL, 10) != r->pid)
			continue;
		r->v[C_DEL] = rate(sum_vm(a, "vsva_kvm_memslot_zap_total", vm, false),
				   sum_vm(b, "vsva_kvm_memslot_zap_total", vm, false), dt);
		r->v[C_P50] = zap_quantile(a, b, vm, 0.5);
		r->v[C_P99] = zap_quantile(a, b, vm, 0.99);
		r->v[C_ZAPPED] = rate(sum_vm(a, "vsva_kvm_mmu_shadow_pages_zapped_total", vm, false),
				      sum_vm(b, "vsva_kvm_mmu_shadow_pages_zapped_total", vm, false), dt);
		r->v[C_IRQ] = rate(sum_vm(a, "vsva_kvm_irq_injected_total", vm, false),
				   sum_vm(b, "vsva_kvm_irq_injected_total", vm, false), dt);
		r->v[C_PROD] = sum_vm(b, "vsva_kvm_irq_bypass_producers", vm, false);
		r->del_total = sum_vm(b, "vsva_kvm_memslot_zap_total", vm, false);
		r->v[C_DELS] = r->del_total;
		r->irq_total = sum_vm(b, "vsva_kvm_irq_injected_total", vm, false);
		r->zapped_total = sum_vm(b, "vsva_kvm_mmu_shadow_pages_zapped_total",
					 vm, false);
		r->inv_total = sum_vm(b, "vsva_iommufd_hwpt_invalidate_seconds",
				      vm, true);
		r->v[C_INV] = rate(sum_vm(a, "vsva_iommufd_hwpt_invalidate_seconds", vm, true),
				   sum_vm(b, "vsva_iommufd_hwpt_invalidate_seconds", vm, true), dt);
		n++;
	}
	return n;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	vsva_buf_put(arg, p, size * n);
	return ((struct vsva_buf *)arg)->oom ? 0 : size * n;
}

/* GET the exposition from vsvad and parse it. */
static int fetch(struct source *src, struct vsva_snapshot *s)
{
	struct vsva_buf b = { 0 };
	long status = 0;
	CURLcode rc;
	int ret = -1;

	curl_easy_setopt(src->curl, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(src->curl);
	curl_easy_getinfo(src->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		snprintf(src->err, sizeof(src->err), "%s: %s", src->url,
			 curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(src->err, sizeof(src->err), "%s: HTTP %ld", src->url,
			 status);
	else if (!b.p || vsva_expo_parse(b.p, s))
		snprintf(src->err, sizeof(src->err), "%s: not vsvad's "
			 "metrics", src->url);
	else if (!vsva_snap_find(s, "vsva_probe_info"))
		snprintf(src->err, sizeof(src->err), "%s: no vsva_probe_info: "
			 "not a vsvad", src->url);
	else
		ret = 0;
	vsva_buf_free(&b);
	return ret;
}

static int snap(struct source *src, struct vsva_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (src->url)
		return fetch(src, s);
	return vsva_engine_snapshot(src->engine, s);
}

static int open_url(struct source *src)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	src->curl = curl_easy_init();
	if (!src->curl)
		return -1;
	curl_easy_setopt(src->curl, CURLOPT_URL, src->url);
	curl_easy_setopt(src->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(src->curl, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(src->curl, CURLOPT_ACCEPT_ENCODING, "");
	return 0;
}

static void fmt(char *buf, size_t len, enum col c, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (c == C_P50 || c == C_P99)
		isinf(v) ? snprintf(buf, len, ">2s") :
			   snprintf(buf, len, "%.0fus", v * 1e6);
	else if (c == C_PROD || c == C_DELS)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
}

static double nz(double v)
{
	return isnan(v) ? 0 : v;
}

static void print_json(FILE *f, const struct vsva_snapshot *s,
		       const struct row *r, int n, double dt)
{
	const struct vsva_family *pf = vsva_snap_find(s, "vsva_probe_info");
	char v[32];
	int i, j;

	fprintf(f, "{\"interval_s\":%.3f,\"probes\":{", dt);
	for (i = 0; pf && i < pf->nsamples; i++)
		fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "",
			label(&pf->samples[i], "measurement"),
			label(&pf->samples[i], "rung"));
	fprintf(f, "},\"vms\":[");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"vm\":\"%s\",\"pid\":%u,\"comm\":\"%s\","
			"\"exited\":%s", i ? "," : "", r[i].vm, r[i].pid,
			r[i].comm, r[i].exited ? "true" : "false");
		for (j = C_DEL; j < C_NCOLS; j++) {
			if (isnan(r[i].v[j]) || isinf(r[i].v[j]))
				snprintf(v, sizeof(v), "null");
			else
				snprintf(v, sizeof(v), "%.9g", r[i].v[j]);
			fprintf(f, ",\"%s\":%s", col_name[j], v);
		}
		fprintf(f, ",\"deletions_total\":%.0f,\"irq_injected_total\":%.0f,"
			"\"shadow_zapped_total\":%.0f,\"invalidations_total\":%.0f}",
			nz(r[i].del_total), nz(r[i].irq_total),
			nz(r[i].zapped_total), nz(r[i].inv_total));
	}
	fprintf(f, "]}\n");
}

static void print_table(FILE *f, const struct row *r, int n, bool csv)
{
	char v[32];
	int i, j;

	for (j = 0; j < C_NCOLS; j++)
		fprintf(f, csv ? "%s%s" : "%s%-10s", j ? (csv ? "," : " ") : "",
			col_name[j]);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		fprintf(f, csv ? "%u,%s" : "%-10u %-10.10s", r[i].pid, r[i].comm);
		for (j = C_DELS; j < C_NCOLS; j++) {
			fmt(v, sizeof(v), j, r[i].v[j]);
			fprintf(f, csv ? ",%s" : " %-10s", v);
		}
		fputc('\n', f);
	}
}

/* ---- interactive screen ----------------------------------------------- */

enum view { V_VMS, V_DEVICES, V_HIST, V_NVIEWS };

struct ui {
	enum col sort;
	enum view view;
	char filter[32];
	bool color;
};

static int cmp_col;

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	double x = a->v[cmp_col], y = b->v[cmp_col];

	if (cmp_col == C_PID)
		return a->pid < b->pid ? -1 : a->pid > b->pid;
	if (cmp_col == C_COMM)
		return strcmp(a->comm, b->comm);
	if (isnan(x))
		x = -1;
	if (isnan(y))
		y = -1;
	return x < y ? 1 : x > y ? -1 : 0;	/* biggest first */
}

static void draw_header(const struct vsva_snapshot *s, const struct ui *u,
			double dt)
{
	const struct vsva_family *pf = vsva_snap_find(s, "vsva_probe_info");
	int i, n = pf ? pf->nsamples : 0, y = 1, x = 0;

	mvprintw(0, 0, "vsva-top %s  interval %.1fs  view %s  sort %s%s%s  "
		 "(h: help)", VSVA_VERSION, dt,
		 u->view == V_VMS ? "VMs" : u->view == V_DEVICES ? "devices" :
		 "histogram", col_name[u->sort], u->filter[0] ? "  filter " : "",
		 u->filter);
	for (i = 0; i < n; i++) {
		char item[64];
		int len = snprintf(item, sizeof(item), "%s:%s  ",
				   label(&pf->samples[i], "measurement"),
				   label(&pf->samples[i], "rung"));

		if (x + len >= COLS) {
			x = 0;
			y++;
		}
		if (y > 3)
			break;
		mvprintw(y, x, "%s", item);
		x += len;
	}
}

static int draw_vms(struct row *r, int n, const struct ui *u, int y)
{
	char v[32];
	int i, j;

	cmp_col = u->sort;
	qsort(r, n, sizeof(*r), row_cmp);
	attron(A_REVERSE);
	mvprintw(y, 0, "%-8s %-16s", col_name[C_PID], col_name[C_COMM]);
	for (j = C_DELS; j < C_NCOLS; j++)
		printw(" %9s", col_name[j]);
	attroff(A_REVERSE);
	for (i = 0; i < n && y + 1 + i < LINES; i++) {
		mvprintw(y + 1 + i, 0, "%-8u %-16.16s", r[i].pid, r[i].comm);
		for (j = C_DELS; j < C_NCOLS; j++) {
			fmt(v, sizeof(v), j, r[i].v[j]);
			printw(" %9s", v);
		}
		if (r[i].exited)
			printw(" exited");
	}
	if (!n)
		mvprintw(y + 1, 0, "no VMs seen yet");
	return 0;
}

static void draw_devices(const struct vsva_snapshot *s, int y)
{
	static const char *const fams[] = {
		"vsva_iommu_domain_attach_total",
		"vsva_iommu_io_page_faults_total",
		"vsva_iommu_pasid_attach_seconds",
	};
	int k, i, row = y + 1;

	attron(A_REVERSE);
	mvprintw(y, 0, "%-24s %-34s %12s", "DEVICE", "MEASUREMENT", "COUNT");
	attroff(A_REVERSE);
	for (k = 0; k < 3; k++) {
		const struct vsva_family *f = vsva_snap_find(s, fams[k]);

		for (i = 0; f && i < f->nsamples && row < LINES; i++, row++) {
			const struct vsva_sample *m = &f->samples[i];
			const char *res = label(m, "result");

			mvprintw(row, 0, "%-24.24s %-28.28s %-5s %12.0f",
				 label(m, "device"), fams[k] + 5,
				 res ? res : "", f->type == VSVA_HISTOGRAM ?
				 (double)m->count : m->value);
		}
	}
	if (row == y + 1)
		mvprintw(row, 0, "no IOMMU device events seen");
}

/* Memslot zap time, all VMs and modes, as text bars. */
static void draw_hist(const struct vsva_snapshot *s, int y)
{
	const struct vsva_family *f = vsva_snap_find(s, "vsva_kvm_memslot_zap_seconds");
	double cum[64] = { 0 }, le[64] = { 0 }, max = 0, prev = 0;
	int n = 0, i, k, width = COLS - 24;

	for (i = 0; f && i < f->nsamples; i++) {
		n = f->samples[i].nbuckets < 64 ? f->samples[i].nbuckets : 64;
		for (k = 0; k < n; k++) {
			cum[k] += f->samples[i].cum[k];
			le[k] = f->samples[i].le[k];
		}
	}
	for (k = 0; k < n; k++) {
		double c = cum[k] - (k ? cum[k - 1] : 0);

		max = c > max ? c : max;
	}
	mvprintw(y, 0, "memslot zap time, all VMs (count per bucket)");
	for (k = 0; k < n && y + 1 + k < LINES; k++) {
		double c = cum[k] - prev;

		prev = cum[k];
		mvprintw(y + 1 + k, 0, "< %9.0fus %8.0f ", le[k] * 1e6, c);
		if (max > 0 && width > 0)
			for (i = 0; i < (int)(c / max * width); i++)
				addch('#');
	}
}

static void help(void)
{
	erase();
	mvprintw(0, 0, "vsva-top keys");
	mvprintw(2, 2, "q        quit");
	mvprintw(3, 2, "s / S    sort by the next / previous column");
	mvprintw(4, 2, "f        filter VMs by pid or comm (empty: none)");
	mvprintw(5, 2, "v        switch view: VMs, devices, histogram");
	mvprintw(6, 2, "+ / -    longer / shorter interval");
	mvprintw(7, 2, "r        reset sort, filter and view");
	mvprintw(8, 2, "h        this help (any key returns)");
	refresh();
	timeout(-1);
	getch();
}

static void prompt_filter(struct ui *u)
{
	echo();
	curs_set(1);
	mvprintw(LINES - 1, 0, "filter (pid or comm): ");
	clrtoeol();
	timeout(-1);
	getnstr(u->filter, sizeof(u->filter) - 1);
	noecho();
	curs_set(0);
}

/* Returns false to quit. */
static bool key(int ch, struct ui *u, double *interval)
{
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case 's':
		u->sort = (u->sort + 1) % C_NCOLS;
		break;
	case 'S':
		u->sort = (u->sort + C_NCOLS - 1) % C_NCOLS;
		break;
	case 'f':
		prompt_filter(u);
		break;
	case 'v':
		u->view = (u->view + 1) % V_NVIEWS;
		break;
	case '+':
		*interval = *interval < 60 ? *interval * 2 : 60;
		break;
	case '-':
		*interval = *interval > 0.25 ? *interval / 2 : 0.25;
		break;
	case 'r':
		u->sort = C_DEL;
		u->view = V_VMS;
		u->filter[0] = 0;
		break;
	case 'h':
	case '?':
		help();
		break;
	}
	return true;
}

static int run_screen(struct source *e, struct opts *o)
{
	struct ui u = { .sort = C_DEL };
	struct vsva_snapshot a, b;
	static struct row rows[MAX_ROWS];
	double t0, t1;
	int ch, n;

	initscr();
	cbreak();
	noecho();
	curs_set(0);
	keypad(stdscr, TRUE);
	snap(e, &a);
	t0 = mono_s();
	while (!exiting) {
		timeout((int)(o->interval * 1000));
		ch = getch();
		if (ch != ERR && ch != KEY_RESIZE && !key(ch, &u, &o->interval))
			break;
		if (snap(e, &b)) {
			erase();
			mvprintw(0, 0, "vsva-top: %.*s", COLS - 11, e->err);
			refresh();
			continue;
		}
		t1 = mono_s();
		erase();
		if (COLS < 60 || LINES < 8) {
			mvprintw(0, 0, "terminal too small (%dx%d): need 60x8",
				 COLS, LINES);
		} else {
			draw_header(&b, &u, o->interval);
			n = build_rows(&a, &b, t1 - t0, rows,
				       u.filter[0] ? u.filter : NULL);
			if (u.view == V_VMS)
				draw_vms(rows, n, &u, 4);
			else if (u.view == V_DEVICES)
				draw_devices(&b, 4);
			else
				draw_hist(&b, 4);
		}
		refresh();
		vsva_snap_free(&a);
		a = b;
		t0 = t1;
	}
	vsva_snap_free(&a);
	endwin();
	return 0;
}

/* ---- batch modes -------------------------------------------------------- */

static int run_batch(struct source *e, const struct opts *o)
{
	struct vsva_snapshot a, b;
	static struct row rows[MAX_ROWS];
	struct timespec ts = { (time_t)o->interval,
			       (long)((o->interval - (time_t)o->interval) * 1e9) };
	double t0, t1;
	int n;

	if (snap(e, &a)) {
		fprintf(stderr, "vsva-top: %s\n", e->err);
		return 1;
	}
	t0 = mono_s();
	while (!exiting) {
		nanosleep(&ts, NULL);
		if (snap(e, &b)) {
			fprintf(stderr, "vsva-top: %s\n", e->err);
			vsva_snap_free(&a);
			return 1;
		}
		t1 = mono_s();
		n = build_rows(&a, &b, t1 - t0, rows, o->filter);
		if (o->json)
			print_json(stdout, &b, rows, n, t1 - t0);
		else
			print_table(stdout, rows, n, o->csv);
		fflush(stdout);
		vsva_snap_free(&a);
		a = b;
		t0 = t1;
		if (o->once)
			break;
	}
	vsva_snap_free(&a);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-top [OPTION]...\n"
"Live monitor of vsva's measurements, one row per VM: memslot deletions\n"
"(total and per second)\n"
"with p50/p99 zap time, shadow pages zapped/s, software IRQ injections/s,\n"
"bypass producers, nested invalidations/s; a header with each\n"
"measurement's probe rung.\n"
"\n"
"  -d, --delay SECS    interval (default 1)\n"
"  -1, --once          one interval, print the rows, exit\n"
"  -l, --log           print the rows every interval (a table)\n"
"      --csv           ... as CSV\n"
"      --json          ... as JSON (with --once: one object)\n"
"  -p, --filter PID|COMM  only these VMs\n"
"      --from URL      read a running vsvad's /metrics instead of loading\n"
"                      BPF (no root needed), e.g. http://127.0.0.1:9477/metrics\n"
"  -h, --help          this help\n"
"\n"
"Keys on the screen: q quit, s/S sort, f filter, v view, +/- interval,\n"
"r reset, h help.  Needs root (BPF), like vsvad.  Exit status: 0, 1 BPF\n"
"failure, 2 usage, 3 privileges.\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, '1' },
		{ "log", no_argument, NULL, 'l' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "filter", required_argument, NULL, 'p' },
		{ "from", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "d:1lp:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || *end || !(o->interval >= 0.1 &&
					       o->interval <= 3600)) {
				fprintf(stderr, "vsva-top: --delay '%s': "
					"expected 0.1..3600 seconds\n", optarg);
				return -1;
			}
			break;
		case '1':
			o->once = true;
			break;
		case 'l':
			o->log = true;
			break;
		case 'c':
			o->csv = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->filter = optarg;
			break;
		case 'F':
			o->from = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsva-top: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .interval = 1 };
	struct vsva_engine_opts eo = { .retention_s = 300 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct source src = { 0 };
	bool batch;
	char err[512];
	int rc;

	setlocale(LC_ALL, "");
	if (parse_opts(argc, argv, &o))
		return 2;
	batch = o.once || o.log || o.csv || o.json;
	if (!batch && (!getenv("TERM") || !isatty(1))) {
		fprintf(stderr, "vsva-top: %s; use --once, --log, --csv or "
			"--json for scripts\n", getenv("TERM") ?
			"standard output is not a terminal" : "TERM is not set");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	src.url = o.from;
	if (src.url) {
		if (open_url(&src)) {
			fprintf(stderr, "vsva-top: cannot initialise libcurl\n");
			return 1;
		}
	} else if (vsva_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "vsva-top: %s (or use --from URL)\n", err);
		return 3;
	} else if (vsva_engine_open(&src.engine, &eo, err, sizeof(err))) {
		fprintf(stderr, "vsva-top: %s\n", err);
		return 1;
	}
	rc = batch ? run_batch(&src, &o) : run_screen(&src, &o);
	if (src.curl)
		curl_easy_cleanup(src.curl);
	vsva_engine_close(src.engine);
	return rc;
}
