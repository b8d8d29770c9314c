/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-bench run / compare / ab: runs of a command with vsva attached,
 * their figures (wall, user and sys time, the command's own JSON figures,
 * vsva's counters and histograms over each run), and comparisons of two
 * or more sets of runs with distribution-free statistics.
 */
#ifndef VSVA_BENCH_AB_H
#define VSVA_BENCH_AB_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#define BENCH_FORMAT	1	/* "vsva_bench_format" of the files */
#define EXIT_BENCH_USAGE	2
#define EXIT_BENCH_INPUT	4	/* a file that cannot be compared */
#define EXIT_BENCH_RUNS		5	/* no run succeeded */

/* One figure's values over the runs of one side, in run order; NAN where
 * a run has no value. */
struct figure {
	char *name;
	double *v;
	int n;
};

/* A latency histogram summed over one side's runs: cumulative counts
 * below each bound (the last +Inf), bounds ascending. */
#define HIST_MAX	64

struct hist {
	char *series;		/* "family{labels}" */
	int n;
	double le[HIST_MAX], cum[HIST_MAX];
};

/* One side: a file written by run, or the A or B half of ab. */
struct side {
	char *label, *scenario, *path;
	json_object *root;	/* owns the strings above when loaded */
	struct figure *fig;
	int nfig, nruns, failed;
	struct hist *hist;
	int nhist;
};

struct compare_opts {
	double noise_pct;	/* --noise, default 2 */
	double alpha;		/* 0.05 */
	bool paired;		/* runs of A and B are pairs (ab) */
	const char *format;	/* text, markdown, csv, json */
	const char *json_out;	/* ab --json FILE */
	const char *plot_dir;
	const char *only;	/* "SUBSTR,...": only figures naming one */
};

/* Load a file of runs; 0, or -1 with @err set. */
int side_load(struct side *s, const char *path, char *err, size_t len);
/* Figures of @runs (a json array of run objects) into @s. */
int side_from_runs(struct side *s, json_object *runs);
void side_free(struct side *s);

/* Compare @b against @a and print; 0, or an EXIT_* status. */
int compare_print(const struct side *a, const struct side *b,
		  const struct compare_opts *o, json_object *context,
		  FILE *out);

/* A figure's change, for the plots. */
struct plot_change {
	const char *name;
	double pct, lo, hi;	/* lo, hi NAN: no CI */
};

/* Plots of one comparison into @dir with gnuplot (PNG and SVG): each
 * figure's values by run order and their CDFs on both sides, and the
 * change of every figure with its CI; 0 or -1. */
int compare_plot(const struct side *a, const struct side *b,
		 const struct plot_change *ch, int n, const char *dir);

/* --noise PCT into @pct; 0, or -1 with a message. */
int parse_noise(const char *s, double *pct);

int cmd_run(int argc, char **argv);
int cmd_ab(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif /* VSVA_BENCH_AB_H */
