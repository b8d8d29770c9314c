// SPDX-License-Identifier: GPL-2.0
/*
 * The exposition parser's lower half: a checked sample line stored in
 * the snapshot, histograms rebuilt from their _bucket/_sum/_count series
 * (buckets in order, counts that are counts, le taken out of the labels),
 * and the helpers both halves use (errors, numbers, owned strings).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/expo.h"
#include "parse.h"

/* "line N: what"; -1.  Only checked names go into @fmt's arguments,
 * never label values (they may hold anything, a terminal's escapes). */
int vsva_parse_fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->errlen)
		return -1;
	n = snprintf(ps->err, ps->errlen, "line %lu: ", ps->lineno);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string the snapshot owns (family names). */
const char *vsva_parse_own(struct vsva_snapshot *s, const char *p)
{
	char **more = realloc(s->owned, (s->nowned + 1) * sizeof(*more));
	char *copy = strdup(p);

	if (more)
		s->owned = more;
	if (!more || !copy) {
		free(copy);
		s->oom = true;
		return "";
	}
	s->owned[s->nowned++] = copy;
	return copy;
}

/* A number as the exposition writes one (1e-06, NaN, +Inf): all of @p. */
int vsva_parse_number(struct parser *ps, const char *p, double *v)
{
	char *end;

	if (!*p)
		return -1;
	*v = strtod_l(p, &end, ps->c_locale);
	return end != p && !*end ? 0 : -1;
}

/* A count (histogram bucket, _count): 0 .. 2^64 - 1. */
int vsva_parse_count(double v, uint64_t *n)
{
	if (!(v >= 0 && v < 18446744073709551616.0))
		return -1;
	*n = (uint64_t)v;
	return 0;
}

static bool same_labels(const struct vsva_sample *m, const struct parsed *p)
{
	int i;

	if (m->nlabels != p->nlabels)
		return false;
	for (i = 0; i < m->nlabels; i++)
		if (strcmp(m->lname[i], p->lname[i]) ||
		    strcmp(m->lval[i], p->lval[i]))
			return false;
	return true;
}

/* Sample of @f with @p's labels, added (value 0) if new; NULL: no memory. */
static struct vsva_sample *sample_for(struct vsva_family *f,
				      const struct parsed *p)
{
	struct vsva_sample *m;
	int i;

	/* a histogram's lines come together: try the last sample first */
	if (f->nsamples && same_labels(&f->samples[f->nsamples - 1], p))
		return &f->samples[f->nsamples - 1];
	for (i = 0; i < f->nsamples; i++)
		if (same_labels(&f->samples[i], p))
			return &f->samples[i];
	m = vsva_family_add(f, 0, NULL);
	if (!m)
		return NULL;
	m->owns_names = true;
	for (i = 0; i < p->nlabels; i++) {
		char *name = strdup(p->lname[i]), *val = strdup(p->lval[i]);

		if (!name || !val) {
			free(name);
			free(val);
			f->incomplete = true;
			return NULL;
		}
		m->lname[i] = name;
		m->lval[i] = val;
		m->nlabels++;
	}
	return m;
}

static int add_bucket(struct parser *ps, struct vsva_sample *m,
		      const char *le, double v)
{
	double bound, *nle;
	uint64_t n, *ncum;

	if (vsva_parse_count(v, &n))
		return vsva_parse_fail(ps, "a bucket's value is not a count");
	if (vsva_parse_number(ps, le, &bound) || isnan(bound) || bound == -INFINITY)
		return vsva_parse_fail(ps, "a bucket's le is not a bound");
	if (bound == INFINITY) {
		m->count = n;
		return 0;
	}
	if (m->nbuckets && !(bound > m->le[m->nbuckets - 1]))
		return vsva_parse_fail(ps, "buckets out of order: le=\"%.10g\" after "
			    "le=\"%.10g\"", bound, m->le[m->nbuckets - 1]);
	if (m->nbuckets == MAX_BUCKETS)
		return vsva_parse_fail(ps, "more than %d buckets", MAX_BUCKETS);
	nle = realloc(m->le, (m->nbuckets + 1) * sizeof(*nle));
	if (nle)
		m->le = nle;
	ncum = nle ? realloc(m->cum, (m->nbuckets + 1) * sizeof(*ncum)) : NULL;
	if (ncum)
		m->cum = ncum;
	if (!nle || !ncum)
		return vsva_parse_fail(ps, "out of memory");
	m->le[m->nbuckets] = bound;
	m->cum[m->nbuckets++] = n;
	return 0;
}

/* The histogram family @name is a series of (name minus its suffix). */
static struct vsva_family *hist_of(struct vsva_snapshot *s, const char *name,
				   const char **suffix)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	size_t n = strlen(name), k, l;
	int i;

	for (k = 0; k < 3; k++) {
		l = strlen(sfx[k]);
		if (n <= l || strcmp(name + n - l, sfx[k]))
			continue;
		for (i = 0; i < s->nfam; i++) {
			if (s->fam[i]->type == VSVA_HISTOGRAM &&
			    strlen(s->fam[i]->name) == n - l &&
			    !strncmp(s->fam[i]->name, name, n - l)) {
				*suffix = sfx[k];
				return s->fam[i];
			}
		}
	}
	return NULL;
}

/* Take the le label out of @p (the bucket, not part of the series). */
static const char *take_le(struct parsed *p)
{
	const char *le;
	int i;

	for (i = 0; i < p->nlabels; i++) {
		if (strcmp(p->lname[i], "le"))
			continue;
		le = p->lval[i];
		p->nlabels--;
		memmove(&p->lname[i], &p->lname[i + 1],
			(p->nlabels - i) * sizeof(p->lname[0]));
		memmove(&p->lval[i], &p->lval[i + 1],
			(p->nlabels - i) * sizeof(p->lval[0]));
		return le;
	}
	return NULL;
}

static int store_hist(struct parser *ps, struct vsva_family *f,
		      const char *suffix, struct parsed *p)
{
	bool bucket = !strcmp(suffix, "_bucket");
	const char *le = take_le(p);
	struct vsva_sample *m;

	if (bucket && !le)
		return vsva_parse_fail(ps, "%s: a bucket without le", p->name);
	if (!bucket && le)
		return vsva_parse_fail(ps, "%s: le on a histogram's %s", p->name,
			    suffix + 1);
	if (p->nlabels > VSVA_MAX_LABELS)
		return vsva_parse_fail(ps, "%s: more than %d labels", p->name,
			    VSVA_MAX_LABELS);
	m = sample_for(f, p);
	if (!m)
		return vsva_parse_fail(ps, "out of memory");
	if (bucket)
		return add_bucket(ps, m, le, p->value);
	if (!strcmp(suffix, "_sum")) {
		m->sum = p->value;
		return 0;
	}
	if (vsva_parse_count(p->value, &m->count))
		return vsva_parse_fail(ps, "%s: not a count", p->name);
	return 0;
}

int vsva_parse_store(struct parser *ps, struct parsed *p)
{
	struct vsva_snapshot *s = ps->s;
	struct vsva_family *f;
	struct vsva_sample *m;
	const char *suffix;
	int i;

	f = hist_of(s, p->name, &suffix);
	if (f)
		return store_hist(ps, f, suffix, p);
	if (p->nlabels > VSVA_MAX_LABELS)
		return vsva_parse_fail(ps, "%s: more than %d labels", p->name,
			    VSVA_MAX_LABELS);
	for (i = 0; i < s->nfam && strcmp(s->fam[i]->name, p->name); i++)
		;
	f = i < s->nfam ? s->fam[i] :
	    vsva_snap_family(s, vsva_parse_own(s, p->name), "", VSVA_GAUGE);
	if (!f || s->oom)
		return vsva_parse_fail(ps, "out of memory");
	if (f->type == VSVA_HISTOGRAM)
		return vsva_parse_fail(ps, "%s: a histogram's series without _bucket, "
			    "_sum or _count", p->name);
	m = sample_for(f, p);
	if (!m)
		return vsva_parse_fail(ps, "out of memory");
	m->value = p->value;
	return 0;
}

