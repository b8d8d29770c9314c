// SPDX-License-Identifier: GPL-2.0
/*
 * Prints vsva-bench's statistics for data sets on stdin, one per line:
 * "a1 a2 ... ; b1 b2 ...".  tests/static/test_stats.sh computes the same
 * with scipy and compares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench-stats.h"

#define MAXV	4096

static int parse(char *s, double *v)
{
	char *tok, *save;
	int n = 0;

	for (tok = strtok_r(s, " \t\n", &save); tok && n < MAXV;
	     tok = strtok_r(NULL, " \t\n", &save))
		v[n++] = strtod(tok, NULL);
	return n;
}

static const char *method(enum st_method m)
{
	return m == ST_EXACT ? "exact" : m == ST_ASYMPTOTIC ? "asymptotic" :
								"none";
}

int main(void)
{
	static double a[MAXV], b[MAXV], d[MAXV];
	static char line[1 << 20];
	double lo, hi, p[2], adj[2];
	struct st_test u, w;
	char *semi;
	int na, nb, i;

	while (fgets(line, sizeof(line), stdin)) {
		semi = strchr(line, ';');
		if (!semi)
			continue;
		*semi = 0;
		na = parse(line, a);
		nb = parse(semi + 1, b);
		u = st_mann_whitney(a, na, b, nb);
		printf("mwu_u=%.17g mwu_p=%.17g mwu_method=%s", u.stat, u.p,
		       method(u.method));
		printf(" hl=%.17g", st_hl_shift(a, na, b, nb));
		if (!st_median_ci(a, na, 0.95, &lo, &hi))
			printf(" med_lo=%.17g med_hi=%.17g", lo, hi);
		else
			printf(" med_ci=none");
		printf(" median=%.17g", st_median(a, na));
		if (na == nb) {
			for (i = 0; i < na; i++)
				d[i] = b[i] - a[i];
			w = st_wilcoxon(d, na);
			printf(" wil_t=%.17g wil_p=%.17g wil_method=%s "
			       "hl_paired=%.17g", w.stat, w.p,
			       method(w.method), st_hl_paired(d, na));
			p[0] = u.p;
			p[1] = w.p;
			st_holm(p, 2, adj);
			printf(" holm0=%.17g holm1=%.17g", adj[0], adj[1]);
		}
		printf("\n");
	}
	return 0;
}
