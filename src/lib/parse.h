/* SPDX-License-Identifier: GPL-2.0 */
/* The exposition parser's parts (parse.c reads lines, parse-store.c
 * stores what they hold in the snapshot). */
#ifndef VSVA_PARSE_H
#define VSVA_PARSE_H

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include "vsva/snapshot.h"

#define MAX_BUCKETS	1024	/* finite buckets of one histogram */

struct parser {
	struct vsva_snapshot *s;
	char *line;		/* the current line, copied: parsed in place */
	size_t cap;
	unsigned long lineno;
	char *err;
	size_t errlen;
	locale_t c_locale;	/* numbers are C's whatever the program's */
};

/* A sample line; its strings point into the parser's copy of the line. */
struct parsed {
	char *name;
	int nlabels;
	char *lname[VSVA_MAX_LABELS + 1];	/* one more: a bucket's le */
	char *lval[VSVA_MAX_LABELS + 1];
	double value;
};

/* "line N: what"; -1.  Only checked names go into @fmt's arguments,
 * never label values (they may hold anything, a terminal's escapes). */
int vsva_parse_fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A string the snapshot owns (family names). */
const char *vsva_parse_own(struct vsva_snapshot *s, const char *p);
/* A number as the exposition writes one (1e-06, NaN, +Inf): all of @p. */
int vsva_parse_number(struct parser *ps, const char *p, double *v);
/* A count (histogram bucket, _count): 0 .. 2^64 - 1. */
int vsva_parse_count(double v, uint64_t *n);
/* The sample line @p into the snapshot: 0, or -1 with the reason. */
int vsva_parse_store(struct parser *ps, struct parsed *p);

#endif /* VSVA_PARSE_H */
