/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-bench run and ab, what the two share: vsva's figures over a run
 * (bench-probes.c), the context of a set of runs (bench-context.c), one
 * run and the file of runs (bench-once.c), run's options that ab takes
 * too (bench-run.c).
 */
#ifndef VSVA_BENCH_RUN_H
#define VSVA_BENCH_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <json-c/json.h>

/* ---- vsva's figures: a snapshot flattened to "family{labels}" sums ---- */

struct flat {
	struct { char *key; double v; } *s;
	int n, cap;
};

struct probes {
	struct vsva_engine *e;
	char why[512];
};

/* vsva's engine, or (e NULL) why not: --no-vsva (@want false), no
 * privileges, nothing could be loaded. */
void probes_open(struct probes *p, bool want);
/* Every counter and histogram series, summed over VMs, into @out. */
int probes_read(struct probes *p, struct flat *out);
/* Each series' change over the run into @fig, histograms also their
 * mean; each histogram's buckets into @hist. */
void probes_delta(const struct flat *before, const struct flat *after,
		  json_object *fig, json_object *hist);
void flat_free(struct flat *f);

/* ---- the context of a set of runs ---- */

json_object *bench_context(struct probes *p, const char *command);

/* ---- one run ---- */

/* Set by SIGINT and SIGTERM (catch_signals): no run starts after it. */
extern volatile sig_atomic_t bench_stop;
void catch_signals(void);
/* Run @argv once (@side: "A", "B" or NULL); the run's object. */
json_object *run_once(struct probes *p, char **argv, int order,
		      const char *side);
bool run_ok(json_object *run);
/* A command that is not there fails every run the same way: say so. */
bool not_found(json_object *run, const char *what);
/* "run 3/10" on stderr */
void progress(const char *what, int i, int n, int failed);
/* The file's object: format, label, scenario, context (@ctx's reference
 * taken); the runs are added to it. */
json_object *file_object(const char *label, const char *scenario,
			 json_object *ctx);
/* @o, pretty, to @path; 0, or -1 with a message. */
int write_json(json_object *o, const char *path);

/* ---- vsva-bench run's options that ab takes too ---- */

struct run_opts {
	int runs, warmup;
	const char *label, *scenario, *out;
	bool vsva;
};

/* --runs, --warmup: a count from @min to 100000; 0, or -1 with a message. */
int parse_count(const char *s, int min, int *v, const char *what);

#endif /* VSVA_BENCH_RUN_H */
