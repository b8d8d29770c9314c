// SPDX-License-Identifier: GPL-2.0
/* Text buffer, metric snapshot model and log2 histogram conversion. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/buf.h"
#include "vsva/snapshot.h"

static int buf_reserve(struct vsva_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void vsva_buf_reserve(struct vsva_buf *b, size_t n)
{
	buf_reserve(b, n);
}

void vsva_buf_put_slow(struct vsva_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void vsva_buf_printf(struct vsva_buf *b, const char *fmt, ...)
{
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	va_list ap;
	int n;

	/* one pass when it fits, which is nearly always */
	va_start(ap, fmt);
	n = vsnprintf(room ? b->p + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0 || b->oom)
		return;
	if ((size_t)n >= room) {
		if (buf_reserve(b, n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += n;
}

void vsva_buf_free(struct vsva_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

struct vsva_arena_chunk {
	struct vsva_arena_chunk *next;
	size_t used, cap;
	char data[];
};

#define ARENA_CHUNK	(64 << 10)

/* A copy of @s in @a, or NULL. */
static char *arena_strdup(struct vsva_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	struct vsva_arena_chunk *c = a->head;

	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	memcpy(c->data + c->used, s, n);
	c->used += n;
	return c->data + c->used - n;
}

static void arena_free(struct vsva_arena *a)
{
	struct vsva_arena_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

static void *grow(void *p, int *cap, int need, size_t size)
{
	int n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	q = realloc(p, n * size);
	if (q)
		*cap = n;
	return q;
}

struct vsva_family *vsva_snap_family(struct vsva_snapshot *s,
				     const char *name, const char *help,
				     enum vsva_mtype type)
{
	struct vsva_family *f;
	int i;

	struct vsva_family **fam;

	for (i = 0; i < s->nfam; i++)
		if (!strcmp(s->fam[i]->name, name))
			return s->fam[i];
	fam = grow(s->fam, &s->cap, s->nfam + 1, sizeof(*fam));
	f = fam ? calloc(1, sizeof(*f)) : NULL;
	if (!f) {
		s->oom = true;
		return NULL;
	}
	s->fam = fam;
	s->fam[s->nfam++] = f;
	f->name = name;
	f->help = help;
	f->type = type;
	f->snap = s;
	return f;
}

const struct vsva_family *vsva_snap_find(const struct vsva_snapshot *s,
					 const char *name)
{
	int i;

	for (i = 0; i < s->nfam; i++)
		if (!strcmp(s->fam[i]->name, name))
			return s->fam[i];
	return NULL;
}

static void sample_free(struct vsva_sample *m)
{
	int i;

	for (i = 0; m->owns_names && i < m->nlabels; i++) {
		free(m->lval[i]);
		free((char *)m->lname[i]);
	}
	free(m->le);
	free(m->cum);
}

struct vsva_sample *vsva_family_add(struct vsva_family *f, double value, ...)
{
	struct vsva_sample *m;
	const char *name;
	va_list ap;

	if (!f)
		return NULL;
	m = grow(f->samples, &f->cap, f->nsamples + 1, sizeof(*m));
	if (!m) {
		f->incomplete = true;
		return NULL;
	}
	f->samples = m;
	m = &f->samples[f->nsamples];
	memset(m, 0, sizeof(*m));
	m->value = value;
	va_start(ap, value);
	while ((name = va_arg(ap, const char *))) {
		const char *val = va_arg(ap, const char *);

		if (m->nlabels == VSVA_MAX_LABELS)
			break;
		m->lname[m->nlabels] = name;
		m->lval[m->nlabels] = f->snap ?
			arena_strdup(&f->snap->arena, val ? val : "") :
			NULL;
		if (!m->lval[m->nlabels])
			break;
		m->nlabels++;
	}
	va_end(ap);
	if (name) {	/* too many labels or out of memory */
		sample_free(m);
		f->incomplete = true;
		return NULL;
	}
	f->nsamples++;
	return m;
}

void vsva_snap_free(struct vsva_snapshot *s)
{
	int i, j;

	for (i = 0; i < s->nfam; i++) {
		for (j = 0; j < s->fam[i]->nsamples; j++)
			sample_free(&s->fam[i]->samples[j]);
		free(s->fam[i]->samples);
		free(s->fam[i]);
	}
	for (i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->fam);
	arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}

bool vsva_snap_incomplete(const struct vsva_snapshot *s)
{
	int i;

	for (i = 0; i < s->nfam; i++)
		if (s->fam[i]->incomplete)
			return true;
	return s->oom;
}

int vsva_hist_set(struct vsva_sample *smp, const uint64_t *slots, int nslots,
		  int kmin, double unit, double sum)
{
	int n = nslots - kmin, i, k;
	uint64_t acc = 0;

	if (kmin < 1 || n < 1)
		return -1;
	smp->le = calloc(n, sizeof(*smp->le));
	smp->cum = calloc(n, sizeof(*smp->cum));
	if (!smp->le || !smp->cum) {
		free(smp->le);
		free(smp->cum);
		smp->le = NULL;
		smp->cum = NULL;
		return -1;
	}
	/* values below 2^kmin: slots 0 .. kmin-1 */
	for (i = 0; i < kmin; i++)
		acc += slots[i];
	for (k = kmin; k < nslots; k++) {
		smp->le[k - kmin] = (double)(1ULL << k) * unit;
		smp->cum[k - kmin] = acc;
		acc += slots[k];
	}
	smp->nbuckets = n;
	smp->count = acc;
	smp->sum = sum;
	return 0;
}
