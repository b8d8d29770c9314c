// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer + AddressSanitizer/UBSan: the exposition parser on arbitrary
 * text, and vsva-top's use of what it parsed.  The input is two scrapes
 * split at the first form feed (or the same text twice); when both parse,
 * vsva-top builds its rows from them (rates, zap quantiles by bucket
 * bound), prints them as JSON, CSV and a table, and merges a histogram
 * family as its screen does; a parsed scrape is written out again and
 * that text parsed.  A parse that fails must say why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/expo.h"
#include "top.h"

static FILE *devnull;

static void use(const struct vsva_snapshot *a, const struct vsva_snapshot *b)
{
	static struct row rows[MAX_ROWS];
	const char *zap = "vsva_kvm_memslot_zap_seconds";
	struct top_hist h;
	int n;

	n = top_build_rows(a, b, 1.0, rows, NULL);
	top_print_json(devnull, b, rows, n, 1.0);
	top_print_table(devnull, rows, n, true);
	top_print_table(devnull, rows, n, false);
	n = top_build_rows(a, b, 0.5, rows, "1");
	top_print_json(devnull, b, rows, n, 0.5);
	if (!top_hist_delta(NULL, vsva_snap_find(b, zap), NULL, &h))
		top_hist_free(&h);
}

/* The writer on what the parser made, and the parser on that. */
static void again(const struct vsva_snapshot *s)
{
	struct vsva_snapshot t = { 0 };
	struct vsva_buf b = { 0 };
	char err[128];

	vsva_expo_write(&b, s);
	if (!b.oom && b.p)
		vsva_expo_parse(b.p, b.len, &t, err, sizeof(err));
	vsva_snap_free(&t);
	vsva_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *ta = (const char *)data, *tb = ta;
	const uint8_t *ff = memchr(data, '\f', size);
	size_t na = ff ? (size_t)(ff - data) : size, nb = na;
	struct vsva_snapshot a = { 0 }, b = { 0 };
	char err[256];
	int ra, rb;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	if (ff) {
		tb = ta + na + 1;
		nb = size - na - 1;
	}
	ra = vsva_expo_parse(ta, na, &a, err, sizeof(err));
	if (ra && !strstr(err, "line "))
		abort();	/* an error must say where */
	rb = vsva_expo_parse(tb, nb, &b, err, sizeof(err));
	if (rb && !strstr(err, "line "))
		abort();
	if (!ra && !rb)
		use(&a, &b);
	if (!rb)
		again(&b);
	vsva_snap_free(&a);
	vsva_snap_free(&b);
	return 0;
}
