// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report's engine: indexes the decoders (the events each
 * consumes, the fields it reads, the keys it counts under), takes the
 * report's options and the recording's field layouts, and hands each
 * sample to every decoder that consumes its event, charged to its VM
 * (the thread group: QEMU deletes slots from several threads).
 */
#include <stdlib.h>
#include <string.h>
#include "perf-report.h"

/* The table's names, from its rows: the dlfilter cannot link libvsva. */
static const char *const mnames[VSVA_NMEASUREMENTS] = {
#define VSVA_MEASUREMENT(id, name, source, ...) [VSVA_M_##id] = name,
#include "vsva/measurements.def"
};

const char *rep_mname(enum vsva_mid m)
{
	return (unsigned int)m < VSVA_NMEASUREMENTS ? mnames[m] : "?";
}

/* Event @name's index, added if new; -1 when EV_N are taken. */
static int add_event(struct report *r, const char *name)
{
	int i = rep_event(r, name);

	if (i >= 0)
		return i;
	if (r->nev == EV_N)
		return -1;
	r->ev[r->nev].name = name;
	return r->nev++;
}

/* Field @name of @e: its index, added if new; -1 when EV_FIELDS are. */
static int add_field(struct rep_event *e, const char *name)
{
	int i;

	for (i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i], name))
			return i;
	if (e->nfields == EV_FIELDS)
		return -1;
	e->fields[e->nfields] = name;
	return e->nfields++;
}

/* Decoder @d's handler @de of its event: a consumer of it. */
static int add_consumer(struct report *r, int d, const struct dec_event *de)
{
	int ev = add_event(r, de->name), k, j;
	struct rep_event *e;
	struct rep_cons *c;

	if (ev < 0 || r->ncons == CONS_N)
		return -1;
	e = &r->ev[ev];
	if (e->ncons == EV_CONS)
		return -1;
	c = &r->cons[r->ncons];
	c->dec = d;
	c->de = de;
	for (k = 0; k < DEC_FIELDS; k++) {
		c->fmap[k] = EV_FIELDS;		/* unlisted: absent */
		if (!de->fields[k])
			continue;
		j = add_field(e, de->fields[k]);
		if (j < 0)
			return -1;
		c->fmap[k] = j;
	}
	e->cons[e->ncons++] = r->ncons++;
	return 0;
}

static int index_decoders(struct report *r)
{
	const struct decoder *dec;
	int d, k;

	for (d = 0; (dec = vsva_decoders[d]); d++) {
		if (d == (int)(sizeof(r->kbase) / sizeof(r->kbase[0])))
			return -1;
		r->kbase[d] = r->nkeys;
		for (k = 0; dec->keys && dec->keys[k].name; k++) {
			if (r->nkeys == KEYS_N)
				return -1;
			r->keys[r->nkeys] = &dec->keys[k];
			r->kdec[r->nkeys++] = d;
		}
		for (k = 0; dec->events && dec->events[k].name; k++)
			if (add_consumer(r, d, &dec->events[k]))
				return -1;
	}
	r->ndec = d;
	return 0;
}

struct report *rep_new(void)
{
	struct report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->vms = calloc(VM_N, sizeof(*r->vms));
	r->drows = calloc(DROW_N, sizeof(*r->drows));
	if (!r->vms || !r->drows || index_decoders(r)) {
		rep_free(r);
		return NULL;
	}
	r->top = 10;
	return r;
}

void rep_free(struct report *r)
{
	int i, k;

	if (!r)
		return;
	for (i = 0; r->vms && i < VM_N; i++) {
		for (k = 0; r->vms[i].row && k < r->nkeys; k++)
			free(r->vms[i].row[k].ns);
		free(r->vms[i].row);
	}
	for (i = 0; r->drows && i < DROW_N; i++)
		free(r->drows[i].st.ns);
	free(r->vms);
	free(r->drows);
	free(r->ops);
	free(r);
}

static int parse_pids(struct report *r, const char *s)
{
	char *end;

	while (*s && r->npids < 64) {
		r->pids[r->npids++] = strtoul(s, &end, 10);
		if (end == s || (*end && *end != ','))
			return -1;
		s = *end ? end + 1 : end;
	}
	return *s ? -1 : 0;
}

int rep_option(struct report *r, const char *o)
{
	static const char *const sorts[] = { "count", "total", "p99", "max" };
	const char *v = strchr(o, '=');
	int i;

	if (!v)
		return -1;
	v++;
	if (!strncmp(o, "format=", 7)) {
		r->fmt = !strcmp(v, "json") ? OUT_JSON :
			 !strcmp(v, "csv") ? OUT_CSV : OUT_TEXT;
	} else if (!strncmp(o, "sort=", 5)) {
		for (i = 0; i < 4 && strcmp(v, sorts[i]); i++)
			;
		if (i == 4)
			return -1;
		r->sort = i;
	} else if (!strncmp(o, "top=", 4)) {
		r->top = strtoul(v, NULL, 10);
	} else if (!strncmp(o, "timeline=", 9)) {
		r->timeline = *v == '1';
	} else if (!strncmp(o, "pids=", 5)) {
		return parse_pids(r, v);
	} else if (!strncmp(o, "lost=", 5)) {
		r->lost = strtoull(v, NULL, 10);
	} else if (!strncmp(o, "lostrec=", 8)) {
		r->lost_records = strtoull(v, NULL, 10);
	} else if (!strncmp(o, "file=", 5)) {
		snprintf(r->file, sizeof(r->file), "%s", v);
	} else if (!strncmp(o, "kernel=", 7)) {
		snprintf(r->kernel, sizeof(r->kernel), "%s", v);
	} else if (!strncmp(o, "host=", 5)) {
		snprintf(r->host, sizeof(r->host), "%s", v);
	} else {
		return -1;
	}
	return 0;
}

int rep_event(const struct report *r, const char *name)
{
	int i;

	for (i = 0; i < r->nev; i++)
		if (!strcmp(r->ev[i].name, name))
			return i;
	return -1;
}

int rep_event_cached(struct report *r, const char *name)
{
	int i;

	for (i = 0; i < r->ncache; i++)
		if (r->cache[i].name == name)
			return r->cache[i].ev;
	i = rep_event(r, name);
	if (r->ncache < CACHE_N) {
		r->cache[r->ncache].name = name;
		r->cache[r->ncache++].ev = i;
	}
	return i;
}

int rep_set_field(struct report *r, int ev, const char *name,
		  unsigned int off, unsigned int size, int loc)
{
	struct rep_event *e;
	int f;

	if (size > 8 || loc < LOC_PLAIN || loc > LOC_REL ||
	    (loc != LOC_PLAIN && size != 4))
		return -1;
	if (ev < 0 || ev >= r->nev || !size || off > 65535)
		return 0;
	e = &r->ev[ev];
	for (f = 0; f < e->nfields; f++)
		if (!strcmp(name, e->fields[f]))
			e->lay[f] = (struct layout){ off, size, loc };
	return 0;
}

static bool wanted(const struct report *r, uint32_t pid)
{
	int i;

	for (i = 0; i < r->npids; i++)
		if (r->pids[i] == pid)
			return true;
	return !r->npids;
}

void rep_sample(struct report *r, struct sample *s)
{
	const struct rep_event *e;
	const struct rep_cons *c;
	int i;

	s->vm = NULL;
	s->bad = false;
	if (s->ev < 0 || s->ev >= r->nev || !wanted(r, s->pid))
		return;
	r->events[s->ev]++;
	if (!r->first || s->time < r->first)
		r->first = s->time;
	if (s->time > r->last)
		r->last = s->time;
	e = &r->ev[s->ev];
	for (i = 0; i < e->ncons; i++) {
		s->con = e->cons[i];
		c = &r->cons[s->con];
		s->dec = c->dec;
		if (c->de->fn)
			c->de->fn(r, s);
	}
	r->undecodable += s->bad;
}
