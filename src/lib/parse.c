// SPDX-License-Identifier: GPL-2.0
/*
 * Read Prometheus text exposition (as vsvad writes it) back into a
 * snapshot: vsva-top --from a running vsvad.  Histograms are rebuilt from
 * their _bucket/_sum/_count series.
 *
 * The text comes from the network: every line is checked, and a line
 * that is not exposition or that a snapshot cannot hold (more labels than
 * VSVA_MAX_LABELS, buckets out of order, a count that is not one) is an
 * error naming the line, never a silent drop.  Names and label values
 * have no length limit of their own (the caller bounds the text).
 */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/expo.h"

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

static int fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "line N: what"; -1.  Only checked names go into @fmt's arguments,
 * never label values (they may hold anything, a terminal's escapes). */
static int fail(struct parser *ps, const char *fmt, ...)
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
static const char *own(struct vsva_snapshot *s, const char *p)
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

/* Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names without ':'.
 * Not isalpha(): the program's locale must not change the grammar. */
static bool name_char(char c, bool first, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

/* The end of the name at @c (@c itself when there is none). */
static char *name_end(char *c, bool colon)
{
	if (!name_char(*c, true, colon))
		return c;
	do
		c++;
	while (name_char(*c, false, colon));
	return c;
}

static char *blanks(char *c)
{
	return c + strspn(c, " \t");
}

/* A number as the exposition writes one (1e-06, NaN, +Inf): all of @p. */
static int number(struct parser *ps, const char *p, double *v)
{
	char *end;

	if (!*p)
		return -1;
	*v = strtod_l(p, &end, ps->c_locale);
	return end != p && !*end ? 0 : -1;
}

/* A count (histogram bucket, _count): 0 .. 2^64 - 1. */
static int to_count(double v, uint64_t *n)
{
	if (!(v >= 0 && v < 18446744073709551616.0))
		return -1;
	*n = (uint64_t)v;
	return 0;
}

/* {a="x",b="y"} from just after the brace, values unescaped in place
 * (\\, \" and \n, as the writer escapes); *@cp: after the closing one. */
static int parse_labels(struct parser *ps, char **cp, struct parsed *p)
{
	char *c = *cp, *e, *o;
	int i;

	for (;;) {
		c = blanks(c);
		if (*c == '}')
			break;
		if (p->nlabels == VSVA_MAX_LABELS + 1)
			return fail(ps, "%s: more than %d labels", p->name,
				    VSVA_MAX_LABELS);
		e = name_end(c, false);
		if (e == c)
			return fail(ps, "%s: a bad label name", p->name);
		p->lname[p->nlabels] = c;
		c = blanks(e);
		if (*c != '=')
			return fail(ps, "%s: a label without '='", p->name);
		*e = 0;
		c = blanks(c + 1);
		if (*c != '"')
			return fail(ps, "%s: label %s: no opening quote",
				    p->name, p->lname[p->nlabels]);
		o = p->lval[p->nlabels] = ++c;
		for (; *c && *c != '"'; c++) {
			if (*c != '\\') {
				*o++ = *c;
				continue;
			}
			c++;
			if (*c != '\\' && *c != '"' && *c != 'n')
				return fail(ps, "%s: label %s: an escape other "
					    "than \\\\, \\\" or \\n", p->name,
					    p->lname[p->nlabels]);
			*o++ = *c == 'n' ? '\n' : *c;
		}
		if (*c != '"')
			return fail(ps, "%s: label %s: no closing quote",
				    p->name, p->lname[p->nlabels]);
		*o = 0;		/* at most where the closing quote was */
		for (i = 0; i < p->nlabels; i++)
			if (!strcmp(p->lname[i], p->lname[p->nlabels]))
				return fail(ps, "%s: label %s twice", p->name,
					    p->lname[i]);
		p->nlabels++;
		c = blanks(c + 1);
		if (*c == ',')
			c++;
		else if (*c != '}')
			return fail(ps, "%s: ',' or '}' expected after label "
				    "%s", p->name, p->lname[p->nlabels - 1]);
	}
	*cp = c + 1;
	return 0;
}

/* name{labels} value [timestamp] -> @p */
static int parse_sample(struct parser *ps, char *c, struct parsed *p)
{
	char *e = name_end(c, true), sep, *v;
	size_t n;

	memset(p, 0, sizeof(*p));
	if (e == c)
		return fail(ps, "not a sample, comment or blank line");
	p->name = c;
	sep = *e;
	*e = 0;
	c = e + 1;
	if (sep == '{') {
		if (parse_labels(ps, &c, p))
			return -1;
		sep = *c++;
	}
	if (sep != ' ' && sep != '\t')
		return fail(ps, "%s: %s", p->name, sep ? "a bad metric name or "
			    "no blank before the value" : "no value");
	v = blanks(c);
	n = strcspn(v, " \t");
	c = blanks(v + n);
	v[n] = 0;
	if (number(ps, v, &p->value))
		return fail(ps, "%s: the value is not a number", p->name);
	if (!*c)
		return 0;
	/* a timestamp (milliseconds): vsvad writes none; skipped */
	n = strspn(c + (*c == '-'), "0123456789");
	if (!n || *blanks(c + (*c == '-') + n))
		return fail(ps, "%s: text after the value", p->name);
	return 0;
}

/* "# TYPE name type" makes a family; HELP and other comments are skipped. */
static int parse_comment(struct parser *ps, char *c)
{
	static const struct {
		const char *word;
		enum vsva_mtype type;
	} types[] = {
		{ "counter", VSVA_COUNTER }, { "gauge", VSVA_GAUGE },
		{ "histogram", VSVA_HISTOGRAM }, { "summary", VSVA_GAUGE },
		{ "untyped", VSVA_GAUGE },
	};
	char *name, *e, *type;
	size_t i;

	c = blanks(c);
	if (strncmp(c, "TYPE", 4) || (c[4] != ' ' && c[4] != '\t'))
		return 0;
	name = blanks(c + 4);
	e = name_end(name, true);
	if (e == name || (*e != ' ' && *e != '\t'))
		return fail(ps, "TYPE: a bad metric name");
	*e = 0;
	type = blanks(e + 1);
	e = type + strcspn(type, " \t");
	if (*blanks(e))
		return fail(ps, "TYPE %s: text after the type", name);
	*e = 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i].word))
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return fail(ps, "TYPE %s: unknown type", name);
	if (vsva_snap_find(ps->s, name))
		return fail(ps, "TYPE %s: after its samples or a TYPE before",
			    name);
	if (!vsva_snap_family(ps->s, own(ps->s, name), "", types[i].type) ||
	    ps->s->oom)
		return fail(ps, "out of memory");
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

	if (to_count(v, &n))
		return fail(ps, "a bucket's value is not a count");
	if (number(ps, le, &bound) || isnan(bound) || bound == -INFINITY)
		return fail(ps, "a bucket's le is not a bound");
	if (bound == INFINITY) {
		m->count = n;
		return 0;
	}
	if (m->nbuckets && !(bound > m->le[m->nbuckets - 1]))
		return fail(ps, "buckets out of order: le=\"%.10g\" after "
			    "le=\"%.10g\"", bound, m->le[m->nbuckets - 1]);
	if (m->nbuckets == MAX_BUCKETS)
		return fail(ps, "more than %d buckets", MAX_BUCKETS);
	nle = realloc(m->le, (m->nbuckets + 1) * sizeof(*nle));
	if (nle)
		m->le = nle;
	ncum = nle ? realloc(m->cum, (m->nbuckets + 1) * sizeof(*ncum)) : NULL;
	if (ncum)
		m->cum = ncum;
	if (!nle || !ncum)
		return fail(ps, "out of memory");
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
		return fail(ps, "%s: a bucket without le", p->name);
	if (!bucket && le)
		return fail(ps, "%s: le on a histogram's %s", p->name,
			    suffix + 1);
	if (p->nlabels > VSVA_MAX_LABELS)
		return fail(ps, "%s: more than %d labels", p->name,
			    VSVA_MAX_LABELS);
	m = sample_for(f, p);
	if (!m)
		return fail(ps, "out of memory");
	if (bucket)
		return add_bucket(ps, m, le, p->value);
	if (!strcmp(suffix, "_sum")) {
		m->sum = p->value;
		return 0;
	}
	if (to_count(p->value, &m->count))
		return fail(ps, "%s: not a count", p->name);
	return 0;
}

static int store(struct parser *ps, struct parsed *p)
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
		return fail(ps, "%s: more than %d labels", p->name,
			    VSVA_MAX_LABELS);
	for (i = 0; i < s->nfam && strcmp(s->fam[i]->name, p->name); i++)
		;
	f = i < s->nfam ? s->fam[i] :
	    vsva_snap_family(s, own(s, p->name), "", VSVA_GAUGE);
	if (!f || s->oom)
		return fail(ps, "out of memory");
	if (f->type == VSVA_HISTOGRAM)
		return fail(ps, "%s: a histogram's series without _bucket, "
			    "_sum or _count", p->name);
	m = sample_for(f, p);
	if (!m)
		return fail(ps, "out of memory");
	m->value = p->value;
	return 0;
}

/* [@p, @p + @n) into the parser's line buffer, NUL-terminated. */
static int take_line(struct parser *ps, const char *p, size_t n)
{
	char *more;

	if (memchr(p, 0, n))
		return fail(ps, "a NUL byte: not text");
	if (n + 1 > ps->cap) {
		more = realloc(ps->line, n + 1);
		if (!more)
			return fail(ps, "out of memory");
		ps->line = more;
		ps->cap = n + 1;
	}
	memcpy(ps->line, p, n);
	ps->line[n] = 0;
	return 0;
}

static int parse_line(struct parser *ps)
{
	char *c = blanks(ps->line);
	struct parsed p;

	if (!*c)
		return 0;
	if (*c == '#')
		return parse_comment(ps, c + 1);
	if (parse_sample(ps, c, &p))
		return -1;
	return store(ps, &p);
}

int vsva_expo_parse(const char *text, size_t len, struct vsva_snapshot *s,
		    char *err, size_t errlen)
{
	struct parser ps = { .s = s, .err = err, .errlen = errlen };
	const char *p = text, *end = text + len, *nl;
	int ret = 0;

	if (errlen)
		err[0] = 0;
	ps.c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!ps.c_locale)
		return fail(&ps, "out of memory");
	while (p < end && !ret) {
		nl = memchr(p, '\n', end - p);
		ps.lineno++;
		ret = take_line(&ps, p, (nl ? nl : end) - p);
		if (!ret)
			ret = parse_line(&ps);
		p = nl ? nl + 1 : end;
	}
	if (!ret && vsva_snap_incomplete(s))
		ret = fail(&ps, "out of memory");
	free(ps.line);
	freelocale(ps.c_locale);
	return ret;
}
