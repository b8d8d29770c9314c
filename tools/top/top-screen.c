// SPDX-License-Identifier: GPL-2.0
/* vsva-top's ncurses screen: views, sorting, filter, keys. */
#define _GNU_SOURCE
#include <math.h>
#include <ncurses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "textesc.h"
#include "top.h"

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
		char item[64], meas[32], rung[24];
		int len;

		esc_text(meas, sizeof(meas),
			 top_label(&pf->samples[i], "measurement"));
		esc_text(rung, sizeof(rung), top_label(&pf->samples[i], "rung"));
		len = snprintf(item, sizeof(item), "%s:%s  ", meas, rung);

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
		char comm[17];

		esc_text(comm, sizeof(comm), r[i].comm);
		mvprintw(y + 1 + i, 0, "%-8u %-16s", r[i].pid, comm);
		for (j = C_DELS; j < C_NCOLS; j++) {
			top_fmt(v, sizeof(v), j, r[i].v[j]);
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
	static const enum vsva_fam fams[] = {
		VSVA_FAM_iommu_domain_attach_total,
		VSVA_FAM_iommu_io_page_faults_total,
		VSVA_FAM_iommu_pasid_attach_seconds,
	};
	int k, i, row = y + 1;

	attron(A_REVERSE);
	mvprintw(y, 0, "%-24s %-34s %12s", "DEVICE", "MEASUREMENT", "COUNT");
	attroff(A_REVERSE);
	for (k = 0; k < 3; k++) {
		const char *name = vsva_families[fams[k]].name;
		const struct vsva_family *f = vsva_snap_find(s, name);

		for (i = 0; f && i < f->nsamples && row < LINES; i++, row++) {
			const struct vsva_sample *m = &f->samples[i];
			char dev[25], res[6];

			esc_text(dev, sizeof(dev), top_label(m, "device"));
			esc_text(res, sizeof(res), top_label(m, "result"));
			mvprintw(row, 0, "%-24s %-28.28s %-5s %12.0f", dev,
				 name + 5, res, f->type == VSVA_HISTOGRAM ?
				 (double)m->count : m->value);
		}
	}
	if (row == y + 1)
		mvprintw(row, 0, "no IOMMU device events seen");
}

/* Memslot zap time, all VMs and modes, as text bars (buckets matched by
 * bound: each histogram's range of buckets is its own). */
static void draw_hist(const struct vsva_snapshot *s, int y)
{
	struct top_hist h;
	double max = 0, prev = 0, c;
	int i, k, width = COLS - 24;

	if (top_hist_delta(NULL, vsva_snap_find(s, TOP_FAM(kvm_memslot_zap_seconds)),
			   NULL, &h)) {
		mvprintw(y, 0, "out of memory");
		return;
	}
	for (k = 0; k < h.n; k++) {
		c = h.cum[k] - (k ? h.cum[k - 1] : 0);
		max = c > max ? c : max;
	}
	mvprintw(y, 0, "memslot zap time, all VMs (count per bucket)");
	for (k = 0; k < h.n && y + 1 + k < LINES; k++) {
		c = h.cum[k] - prev;
		prev = h.cum[k];
		mvprintw(y + 1 + k, 0, "< %9.0fus %8.0f ", h.le[k] * 1e6, c);
		if (c > 0 && width > 0)		/* 0 < c <= max */
			for (i = 0; i < (int)(c / max * width); i++)
				addch('#');
	}
	top_hist_free(&h);
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

int top_run_screen(struct source *e, struct opts *o)
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
	top_snap(e, &a);
	t0 = top_mono_s();
	while (!top_exiting) {
		timeout((int)(o->interval * 1000));
		ch = getch();
		if (ch != ERR && ch != KEY_RESIZE && !key(ch, &u, &o->interval))
			break;
		if (top_snap(e, &b)) {
			erase();
			mvprintw(0, 0, "vsva-top: %.*s", COLS - 11, e->err);
			refresh();
			continue;
		}
		t1 = top_mono_s();
		erase();
		if (COLS < 60 || LINES < 8) {
			mvprintw(0, 0, "terminal too small (%dx%d): need 60x8",
				 COLS, LINES);
		} else {
			draw_header(&b, &u, o->interval);
			n = top_build_rows(&a, &b, t1 - t0, rows,
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
