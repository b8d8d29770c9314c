/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-bench: one comparison of two sides, a row per figure (bench-rows.c),
 * for the output (bench-print.c).
 */
#ifndef VSVA_BENCH_ROWS_H
#define VSVA_BENCH_ROWS_H

#include <stdbool.h>
#include <json-c/json.h>
#include "bench-ab.h"
#include "bench-stats.h"

/* One side's values of a figure: median and its CI */
struct summary {
	double med, lo, hi;
	bool ci;
	int n;
};

struct row {
	const char *name;
	struct summary a, b;
	double shift, s_lo, s_hi, dpct, d_lo, d_hi, p_holm;
	bool ci, significant;
	struct st_test t;
	const char *verdict;
};

struct cmp {
	struct row *rows;
	int nrows, hidden, only_a, only_b;
	json_object *warnings;
};

/* The rows of @b against @a (the figures @o->only names), their verdicts
 * and warnings into @c; 0, or -1 when out of memory.  The caller frees
 * c->rows and puts c->warnings. */
int compare_build(struct cmp *c, const struct side *a, const struct side *b,
		  const struct compare_opts *o);

#endif /* VSVA_BENCH_ROWS_H */
