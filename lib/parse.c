// SPDX-License-Identifier: GPL-2.0
/*
 * Read Prometheus text exposition (as vsvad writes it) back into a
 * snapshot: vsva-top --from a running vsvad.  Histograms are rebuilt from
 * their _bucket/_sum/_count series.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/expo.h"

/* A string the snapshot owns (family names and help). */
static const char *own(struct vsva_snapshot *s, const char *p, size_t n)
{
	char **more = realloc(s->owned, (s->nowned + 1) * sizeof(*more));
	char *copy = strndup(p, n);

	if (!more || !copy) {
		free(copy);
		s->oom = true;
		return "";
	}
	s->owned = more;
	s->owned[s->nowned++] = copy;
	return copy;
}

struct parsed {
	char name[128];
	int nlabels;
	char lname[VSVA_MAX_LABELS + 1][64];
	char lval[VSVA_MAX_LABELS + 1][256];
	double value;
};

/* name{a="x",b="y"} value -> @p; -1 if malformed. */
static int parse_sample(const char *line, struct parsed *p)
{
	const char *c = line;
	size_t n = strcspn(c, "{ ");
	char *end;

	memset(p, 0, sizeof(*p));
	if (!n || n >= sizeof(p->name))
		return -1;
	memcpy(p->name, c, n);
	c += n;
	if (*c == '{') {
		c++;
		while (*c && *c != '}') {
			char *o;

			if (p->nlabels > VSVA_MAX_LABELS)
				return -1;
			n = strcspn(c, "=");
			if (!c[n] || c[n + 1] != '"' || n >= 64)
				return -1;
			memcpy(p->lname[p->nlabels], c, n);
			c += n + 2;
			o = p->lval[p->nlabels];
			while (*c && *c != '"' && o < p->lval[p->nlabels] + 255) {
				if (*c == '\\' && c[1]) {
					c++;
					*o++ = *c == 'n' ? '\n' : *c;
				} else {
					*o++ = *c;
				}
				c++;
			}
			if (*c != '"')
				return -1;
			c++;
			p->nlabels++;
			if (*c == ',')
				c++;
		}
		if (*c != '}')
			return -1;
		c++;
	}
	p->value = strtod(c, &end);
	return end == c ? -1 : 0;
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

/* Sample of @f with @p's labels, added (value 0) if new. */
static struct vsva_sample *sample_for(struct vsva_family *f,
				      const struct parsed *p)
{
	struct vsva_sample *m;
	int i;

	for (i = 0; i < f->nsamples; i++)
		if (same_labels(&f->samples[i], p))
			return &f->samples[i];
	m = vsva_family_add(f, 0, NULL);
	if (!m)
		return NULL;
	m->owns_names = true;
	for (i = 0; i < p->nlabels; i++) {
		/* label names must outlive the parse: keep copies */
		m->lval[i] = strdup(p->lval[i]);
		m->lname[i] = m->lval[i] ? strdup(p->lname[i]) : NULL;
		if (!m->lname[i]) {
			f->incomplete = true;
			return NULL;
		}
		m->nlabels++;
	}
	return m;
}

static void add_bucket(struct vsva_sample *m, const char *le, double v)
{
	double bound = strtod(le, NULL);
	double *nle;
	uint64_t *ncum;

	if (!strcmp(le, "+Inf")) {
		m->count = v;
		return;
	}
	nle = realloc(m->le, (m->nbuckets + 1) * sizeof(*nle));
	if (nle)
		m->le = nle;
	ncum = realloc(m->cum, (m->nbuckets + 1) * sizeof(*ncum));
	if (ncum)
		m->cum = ncum;
	if (!nle || !ncum)
		return;
	m->le[m->nbuckets] = bound;
	m->cum[m->nbuckets++] = v;
}

/* The histogram family @p belongs to (name minus its suffix), or NULL. */
static struct vsva_family *hist_of(struct vsva_snapshot *s, struct parsed *p,
				   const char **suffix)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	size_t n = strlen(p->name), k;
	int i;

	for (k = 0; k < 3; k++) {
		size_t l = strlen(sfx[k]);

		if (n <= l || strcmp(p->name + n - l, sfx[k]))
			continue;
		for (i = 0; i < s->nfam; i++) {
			if (s->fam[i]->type == VSVA_HISTOGRAM &&
			    strlen(s->fam[i]->name) == n - l &&
			    !strncmp(s->fam[i]->name, p->name, n - l)) {
				*suffix = sfx[k];
				return s->fam[i];
			}
		}
	}
	return NULL;
}

static void parse_line(struct vsva_snapshot *s, const char *line)
{
	struct vsva_family *f;
	struct vsva_sample *m;
	const char *suffix;
	struct parsed p;
	int i;

	if (!strncmp(line, "# TYPE ", 7)) {
		size_t n = strcspn(line + 7, " ");
		const char *t = line + 7 + n + 1;

		vsva_snap_family(s, own(s, line + 7, n), "",
				 !strncmp(t, "histogram", 9) ? VSVA_HISTOGRAM :
				 !strncmp(t, "counter", 7) ? VSVA_COUNTER :
				 VSVA_GAUGE);
		return;
	}
	if (line[0] == '#' || !line[0] || parse_sample(line, &p))
		return;
	f = hist_of(s, &p, &suffix);
	if (f) {
		/* the le label is the bucket, not part of the series */
		const char *le = NULL;

		for (i = 0; i < p.nlabels; i++)
			if (!strcmp(p.lname[i], "le"))
				le = p.lval[i];
		if (le)
			p.nlabels--;	/* vsvad writes le last */
		m = sample_for(f, &p);
		if (!m)
			return;
		if (!strcmp(suffix, "_bucket") && le)
			add_bucket(m, le, p.value);
		else if (!strcmp(suffix, "_sum"))
			m->sum = p.value;
		else if (!strcmp(suffix, "_count"))
			m->count = p.value;
		return;
	}
	for (i = 0; i < s->nfam && strcmp(s->fam[i]->name, p.name); i++)
		;
	f = i < s->nfam ? s->fam[i] :
	    vsva_snap_family(s, own(s, p.name, strlen(p.name)), "", VSVA_GAUGE);
	m = sample_for(f, &p);
	if (m)
		m->value = p.value;
}

int vsva_expo_parse(const char *text, struct vsva_snapshot *s)
{
	char line[4096];
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = 0;
			parse_line(s, line);
		}
		p += n + (p[n] == '\n');
	}
	return vsva_snap_incomplete(s) ? -1 : 0;
}
