// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition format, version 0.0.4. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "vsva/expo.h"
#include "vsva/utf8.h"

static const char *const type_name[] = {
	[VSVA_COUNTER] = "counter",
	[VSVA_GAUGE] = "gauge",
	[VSVA_HISTOGRAM] = "histogram",
};

/* Does @v need more than a copy: an escape, a byte past ASCII (checked
 * as UTF-8), or a cut? */
static bool plain(const char *v, bool quotes, size_t *len)
{
	const char *p;

	for (p = v; *p; p++)
		if ((unsigned char)*p >= 0x80 || *p == '\\' || *p == '\n' ||
		    (*p == '"' && quotes))
			return false;
	*len = p - v;
	return !quotes || *len <= VSVA_LABEL_VALUE_MAX;
}

/*
 * Label values escape \, " and newline; HELP text only \ and newline.
 * Both come out valid UTF-8 (a byte that begins no character becomes
 * "\xHH", include/vsva/utf8.h), and a label value is cut on a character beyond
 * VSVA_LABEL_VALUE_MAX bytes, ending in "...".
 */
static void escape(struct vsva_buf *b, const char *v, bool quotes)
{
	char esc[1 + VSVA_UTF8_ESCAPE_LEN] = "\\";
	const char *start = v;
	size_t n, k;

	if (plain(v, quotes, &n)) {
		vsva_buf_put(b, v, n);	/* the common case */
		return;
	}
	for (n = strlen(v); n; v += k, n -= k) {
		if (quotes && v - start >= VSVA_LABEL_VALUE_MAX) {
			vsva_buf_put(b, "...", 3);
			return;
		}
		k = vsva_utf8_char(v, n);
		if (!k) {		/* "\xHH", its backslash escaped */
			vsva_utf8_escape_byte(esc + 1, *v);
			vsva_buf_put(b, esc, sizeof(esc));
			k = 1;
		} else if (*v == '\\') {
			vsva_buf_put(b, "\\\\", 2);
		} else if (*v == '\n') {
			vsva_buf_put(b, "\\n", 2);
		} else if (*v == '"' && quotes) {
			vsva_buf_put(b, "\\\"", 2);
		} else {
			vsva_buf_put(b, v, k);
		}
	}
}

void vsva_expo_label_value(struct vsva_buf *b, const char *v)
{
	escape(b, v, true);
}

void vsva_expo_help(struct vsva_buf *b, const char *v)
{
	escape(b, v, false);
}

static void put_str(struct vsva_buf *b, const char *s)
{
	vsva_buf_put(b, s, strlen(s));
}

/* Counts, then @end unless 0: no printf on the hot path of a scrape. */
static void put_u64(struct vsva_buf *b, unsigned long long v, char end)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	if (end)
		*--p = end;
	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	vsva_buf_put(b, p, tmp + sizeof(tmp) - p);
}

/*
 * Bucket bounds repeat in every histogram of a family: format each once
 * per exposition (printf of doubles dominated the scrape profile).
 */
struct le_cache {
	int n;
	double v[64];
	char s[64][24];
};

static const char *le_str(struct le_cache *c, double v)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->v[i] == v)
			return c->s[i];
	i = c->n < 64 ? c->n++ : 63;
	c->v[i] = v;
	snprintf(c->s[i], sizeof(c->s[i]), "%.10g", v);
	return c->s[i];
}

/* Integers as integers; the range is tested before the cast, which is
 * undefined for 1e20. */
static void put_value(struct vsva_buf *b, double v)
{
	if (isnan(v))
		vsva_buf_put(b, "NaN", 3);
	else if (isinf(v))
		vsva_buf_printf(b, "%cInf", v > 0 ? '+' : '-');
	else if (v >= 0 && v < 1e15 && v == (double)(long long)v)
		put_u64(b, (unsigned long long)v, 0);
	else if (fabs(v) < 1e15 && v == (double)(long long)v)
		vsva_buf_printf(b, "%lld", (long long)v);
	else
		vsva_buf_printf(b, "%.15g", v);
}

/* name{labels[,le="..."]} */
static void put_series(struct vsva_buf *b, const char *name,
		       const char *suffix, const struct vsva_sample *m,
		       const char *le)
{
	int i;

	put_str(b, name);
	put_str(b, suffix);
	if (!m->nlabels && !le)
		goto value_sep;
	vsva_buf_put(b, "{", 1);
	for (i = 0; i < m->nlabels; i++) {
		if (i)
			vsva_buf_put(b, ",", 1);
		put_str(b, m->lname[i]);
		vsva_buf_put(b, "=\"", 2);
		vsva_expo_label_value(b, m->lval[i]);
		vsva_buf_put(b, "\"", 1);
	}
	if (le) {
		if (m->nlabels)
			vsva_buf_put(b, ",", 1);
		vsva_buf_put(b, "le=\"", 4);
		put_str(b, le);
		vsva_buf_put(b, "\"", 1);
	}
	vsva_buf_put(b, "}", 1);
value_sep:
	vsva_buf_put(b, " ", 1);
}

/*
 * The finite buckets a histogram family writes: from one below the lowest
 * bucket any of its histograms has a value in (so that the first
 * non-empty bucket has a known lower bound) to the lowest bucket that
 * holds all of every histogram.  The buckets left out are 0 below and
 * the count above in every histogram alike, so sums over histograms by
 * le stay exact; a histogram of a few slots costs a few series, not 23.
 */
struct le_range {
	int lo, hi;		/* hi < lo: +Inf only */
};

static struct le_range family_range(const struct vsva_family *f)
{
	struct le_range r = { .lo = INT_MAX, .hi = -1 };
	const struct vsva_sample *m;
	int i, j;

	for (j = 0; j < f->nsamples; j++) {
		m = &f->samples[j];
		if (!m->count)
			continue;
		for (i = 0; i < m->nbuckets && !m->cum[i]; i++)
			;
		if (i - 1 < r.lo)
			r.lo = i > 0 ? i - 1 : 0;
		for (i = 0; i < m->nbuckets && m->cum[i] < m->count; i++)
			;
		if (i > r.hi)
			r.hi = i < m->nbuckets ? i : m->nbuckets - 1;
	}
	return r;
}

static void put_histogram(struct vsva_buf *b, const char *name,
			  const struct vsva_sample *m, struct le_cache *lc,
			  struct le_range r)
{
	struct vsva_buf prefix = { 0 };
	int i;

	/* "name_bucket{labels," once, then only le and the count change */
	put_series(&prefix, name, "_bucket", m, "");
	if (prefix.oom || prefix.len < 7) {
		b->oom = true;
		goto free_prefix;
	}
	prefix.len -= 7;	/* drop 'le=""} ' */
	for (i = r.lo; i <= r.hi && i < m->nbuckets; i++) {
		const char *le = le_str(lc, m->le[i]);

		vsva_buf_put(b, prefix.p, prefix.len);
		vsva_buf_put(b, "le=\"", 4);
		vsva_buf_put(b, le, strlen(le));
		vsva_buf_put(b, "\"} ", 3);
		put_u64(b, m->cum[i], '\n');
	}
free_prefix:
	vsva_buf_free(&prefix);
	put_series(b, name, "_bucket", m, "+Inf");
	put_u64(b, m->count, '\n');
	put_series(b, name, "_sum", m, NULL);
	put_value(b, m->sum);
	vsva_buf_put(b, "\n", 1);
	put_series(b, name, "_count", m, NULL);
	put_u64(b, m->count, '\n');
}

void vsva_expo_write(struct vsva_buf *b, const struct vsva_snapshot *s)
{
	struct le_cache lc = { 0 };
	struct le_range r;
	int i, j;

	for (i = 0; i < s->nfam; i++) {
		const struct vsva_family *f = s->fam[i];

		if (f->type == VSVA_HISTOGRAM)
			r = family_range(f);
		vsva_buf_printf(b, "# HELP %s ", f->name);
		vsva_expo_help(b, f->help);
		vsva_buf_printf(b, "\n# TYPE %s %s\n", f->name,
				type_name[f->type]);
		for (j = 0; j < f->nsamples; j++) {
			const struct vsva_sample *m = &f->samples[j];

			if (f->type == VSVA_HISTOGRAM) {
				put_histogram(b, f->name, m, &lc, r);
				continue;
			}
			put_series(b, f->name, "", m, NULL);
			put_value(b, m->value);
			vsva_buf_put(b, "\n", 1);
		}
	}
}
