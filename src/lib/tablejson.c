// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement table as JSON (include/vsva/tablejson.h): every field
 * of every measurement, rung and family, so that the scripts and tests
 * read the table instead of parsing its C.  Written with json-c, which
 * escapes; strings that are not valid UTF-8 (a reason can quote the
 * kernel) are cleaned first, as labels are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "vsva/engine.h"
#include "vsva/tablejson.h"
#include "vsva/utf8.h"

static const char *const feature_names[VSVA_NFEATURES] = {
#define VSVA_FEATURE(id, name, what)	[VSVA_F_##id] = #name,
#include "vsva/measurements.def"
};

const char *vsva_feature_name(enum vsva_feature x)
{
	return x < VSVA_NFEATURES ? feature_names[x] : NULL;
}

static const char *const type_names[] = {
	[VSVA_COUNTER] = "counter",
	[VSVA_GAUGE] = "gauge",
	[VSVA_HISTOGRAM] = "histogram",
};

/*
 * A document being built.  json-c gives NULL both for JSON null and for
 * an allocation that failed: the helpers take NULL only where null is
 * meant, and note a failure in @oom.
 */
struct jdoc {
	bool oom;
};

static struct json_object *checked(struct jdoc *d, struct json_object *v)
{
	if (!v)
		d->oom = true;
	return v;
}

/* @s as a JSON string (NULL: null), cleaned to valid UTF-8. */
static struct json_object *jstr(struct jdoc *d, const char *s)
{
	struct json_object *v;
	char *clean;
	size_t n;

	if (!s)
		return NULL;
	if (vsva_utf8_valid(s))
		return checked(d, json_object_new_string(s));
	n = strlen(s) * VSVA_UTF8_ESCAPE_LEN + 1;
	clean = malloc(n);
	if (!clean)
		return checked(d, NULL);
	vsva_utf8_clean(clean, n, s, strlen(s));
	v = checked(d, json_object_new_string(clean));
	free(clean);
	return v;
}

static struct json_object *jbool(struct jdoc *d, bool b)
{
	return checked(d, json_object_new_boolean(b));
}

/* A double written in the fewest digits that read back the same. */
static struct json_object *jdouble(struct jdoc *d, double x)
{
	char buf[32];
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, x);
	return checked(d, json_object_new_double_s(x, buf));
}

/* Add @v (NULL: null) to object @o as @key; @v is freed on failure. */
static void put(struct jdoc *d, struct json_object *o, const char *key,
		struct json_object *v)
{
	if (!o || json_object_object_add(o, key, v)) {
		json_object_put(v);
		d->oom = true;
	}
}

/* Append @v to array @a; @v is freed on failure. */
static void push(struct jdoc *d, struct json_object *a, struct json_object *v)
{
	if (!a || !v || json_object_array_add(a, v)) {
		json_object_put(v);
		d->oom = true;
	}
}

/* "a,b,c" as ["a","b","c"] ("": []; NULL: null). */
static struct json_object *jcsv(struct jdoc *d, const char *s)
{
	struct json_object *a;
	const char *p, *end;
	char *item;

	if (!s)
		return NULL;
	a = checked(d, json_object_new_array());
	for (p = s; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ',');
		item = strndup(p, end - p);
		push(d, a, item ? jstr(d, item) : NULL);
		free(item);
	}
	return a;
}

/* NULL-terminated (or @max) names as an array. */
static struct json_object *jnames(struct jdoc *d, const char *const *v,
				  int max)
{
	struct json_object *a = checked(d, json_object_new_array());
	int i;

	for (i = 0; i < max && v[i]; i++)
		push(d, a, jstr(d, v[i]));
	return a;
}

/* VSVA_BIT()s of features as their names. */
static struct json_object *jfeatures(struct jdoc *d, uint32_t bits)
{
	struct json_object *a = checked(d, json_object_new_array());
	int i;

	for (i = 0; i < VSVA_NFEATURES; i++)
		if (bits & VSVA_BIT(i))
			push(d, a, jstr(d, feature_names[i]));
	return a;
}

static struct json_object *rung_json(struct jdoc *d,
				     const struct vsva_rung_def *r)
{
	struct json_object *o = checked(d, json_object_new_object());

	put(d, o, "rung", jstr(d, vsva_rung_name(r->rung)));
	put(d, o, "needs", jfeatures(d, r->needs));
	put(d, o, "uses", jstr(d, r->uses));
	put(d, o, "approximate", jbool(d, r->approximate));
	put(d, o, "approximate_if", jfeatures(d, r->approx_if));
	put(d, o, "approximate_why", jstr(d, r->approx_why));
	put(d, o, "after", jstr(d, r->after >= 0 ?
				vsva_measurements[r->after].name : NULL));
	put(d, o, "after_why", jstr(d, r->after >= 0 ? r->after_why : NULL));
	put(d, o, "programs", jnames(d, r->progs, VSVA_MAX_PROGS));
	put(d, o, "optional_programs", jnames(d, r->opt_progs, 2));
	put(d, o, "optional_needs", jfeatures(d, r->opt_needs));
	put(d, o, "perf_events", jcsv(d, r->perf_events));
	put(d, o, "perf_filter", jstr(d, r->perf_filter));
	put(d, o, "perf_optional_events", jcsv(d, r->perf_opt_events ?
					       r->perf_opt_events : ""));
	return o;
}

/* The names of a family's samples: a histogram's three series. */
static struct json_object *series_json(struct jdoc *d,
				       const struct vsva_family_def *f)
{
	static const char *const hist[] = { "_bucket", "_count", "_sum" };
	struct json_object *a = checked(d, json_object_new_array());
	char name[160];
	int i;

	if (f->type != VSVA_HISTOGRAM) {
		push(d, a, jstr(d, f->name));
		return a;
	}
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%s", f->name, hist[i]);
		push(d, a, jstr(d, name));
	}
	return a;
}

static struct json_object *family_json(struct jdoc *d,
				       const struct vsva_family_def *f)
{
	struct json_object *o = checked(d, json_object_new_object());

	put(d, o, "name", jstr(d, f->name));
	put(d, o, "type", jstr(d, type_names[f->type]));
	put(d, o, "help", jstr(d, f->help));
	put(d, o, "labels", jcsv(d, f->labels ? f->labels : ""));
	put(d, o, "series", series_json(d, f));
	if (f->type == VSVA_HISTOGRAM) {
		put(d, o, "unit", jdouble(d, f->unit));
		put(d, o, "kmin", checked(d, json_object_new_int(f->kmin)));
	}
	return o;
}

static struct json_object *measurement_json(struct jdoc *d, int mi)
{
	const struct vsva_measurement *m = &vsva_measurements[mi];
	struct json_object *o = checked(d, json_object_new_object());
	struct json_object *rungs = checked(d, json_object_new_array());
	struct json_object *fams = checked(d, json_object_new_array());
	int i;

	put(d, o, "name", jstr(d, m->name));
	put(d, o, "source", jstr(d, vsva_sources[m->source].name));
	for (i = 0; i < VSVA_MAX_RUNGS && m->rungs[i].rung; i++)
		push(d, rungs, rung_json(d, &m->rungs[i]));
	put(d, o, "rungs", rungs);
	for (i = 0; i < VSVA_NFAMILIES; i++)
		if ((int)vsva_families[i].measurement == mi)
			push(d, fams, family_json(d, &vsva_families[i]));
	put(d, o, "families", fams);
	return o;
}

static struct json_object *table_json(struct jdoc *d)
{
	struct json_object *o = checked(d, json_object_new_object());
	struct json_object *a;
	int i;

	put(d, o, "format", jstr(d, VSVA_TABLE_FORMAT));
	put(d, o, "version", jstr(d, VSVA_VERSION));
	a = checked(d, json_object_new_array());
	for (i = VSVA_RUNG_OWN_TP; i < VSVA_NRUNGS; i++)
		push(d, a, jstr(d, vsva_rung_name(i)));
	put(d, o, "rungs", a);
	put(d, o, "features", jnames(d, feature_names, VSVA_NFEATURES));
	a = checked(d, json_object_new_array());
	for (i = 0; i < VSVA_NSOURCES; i++) {
		struct json_object *s = checked(d, json_object_new_object());

		put(d, s, "name", jstr(d, vsva_sources[i].name));
		put(d, s, "always", jnames(d, vsva_sources[i].always,
					   VSVA_MAX_ALWAYS));
		push(d, a, s);
	}
	put(d, o, "sources", a);
	a = checked(d, json_object_new_array());
	for (i = 0; i < VSVA_NMEASUREMENTS; i++)
		push(d, a, measurement_json(d, i));
	put(d, o, "measurements", a);
	return o;
}

static struct json_object *finish(struct jdoc *d, struct json_object *o)
{
	if (!d->oom)
		return o;
	json_object_put(o);
	return NULL;
}

struct json_object *vsva_table_json(void)
{
	struct jdoc d = { false };

	return finish(&d, table_json(&d));
}

/* This kernel's features: [{"name", "have", "why"}], why null if had. */
static struct json_object *kernel_json(struct jdoc *d,
				       const struct vsva_features *f)
{
	struct json_object *a = checked(d, json_object_new_array());
	int i;

	for (i = 0; i < VSVA_NFEATURES; i++) {
		struct json_object *o = checked(d, json_object_new_object());

		put(d, o, "name", jstr(d, feature_names[i]));
		put(d, o, "have", jbool(d, vsva_has(f, i)));
		put(d, o, "why", jstr(d, vsva_has(f, i) ? NULL : f->why[i]));
		push(d, a, o);
	}
	return a;
}

/* A rung as --probe prints it: what it misses, whether it was refused,
 * chosen, and whether its optional programs load here. */
static void rung_probe(struct jdoc *d, struct json_object *o,
		       const struct vsva_rung_def *r,
		       const struct vsva_features *f,
		       const struct vsva_choice *c)
{
	struct json_object *miss = checked(d, json_object_new_array());
	bool refused = c->refused & VSVA_BIT(r->rung);
	int i;

	for (i = 0; i < VSVA_NFEATURES; i++)
		if ((r->needs & VSVA_BIT(i)) && !vsva_has(f, i))
			push(d, miss, jstr(d, f->why[i]));
	put(d, o, "available", jbool(d, miss && !refused &&
				     !json_object_array_length(miss)));
	put(d, o, "missing", miss);
	put(d, o, "refused", jbool(d, refused));
	put(d, o, "chosen", jbool(d, r->rung == c->rung));
	put(d, o, "optional_programs_here",
	    jbool(d, (f->have & r->opt_needs) == r->opt_needs));
}

static void measurement_probe(struct jdoc *d, struct json_object *o, int mi,
			      const struct vsva_features *f,
			      const struct vsva_choice *c)
{
	const struct vsva_measurement *m = &vsva_measurements[mi];
	struct json_object *chosen = checked(d, json_object_new_object());
	struct json_object *rungs;
	int i;

	put(d, chosen, "rung", jstr(d, vsva_rung_name(c->rung)));
	put(d, chosen, "approximate", jbool(d, c->approximate));
	put(d, chosen, "reason", jstr(d, c->reason));
	put(d, o, "chosen", chosen);
	if (!json_object_object_get_ex(o, "rungs", &rungs))
		return;
	for (i = 0; i < VSVA_MAX_RUNGS && m->rungs[i].rung; i++)
		rung_probe(d, json_object_array_get_idx(rungs, i),
			   &m->rungs[i], f, c);
}

struct json_object *vsva_probe_json(const struct vsva_features *f,
				    const struct vsva_choice *choice)
{
	struct jdoc d = { false };
	struct json_object *o = table_json(&d), *ms;
	int i;

	if (d.oom)
		return finish(&d, o);
	put(&d, o, "kernel_features", kernel_json(&d, f));
	if (!json_object_object_get_ex(o, "measurements", &ms))
		return finish(&d, o);
	for (i = 0; i < VSVA_NMEASUREMENTS; i++)
		measurement_probe(&d, json_object_array_get_idx(ms, i), i, f,
				  &choice[i]);
	return finish(&d, o);
}

/* Write @o to @out and free it. */
static int print_put(FILE *out, struct json_object *o)
{
	const char *s;
	int rc = -1;

	if (!o) {
		errno = ENOMEM;
		return -1;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		errno = ENOMEM;
	else if (fputs(s, out) != EOF && fputc('\n', out) != EOF &&
		 !fflush(out))
		rc = 0;
	json_object_put(o);
	return rc;
}

int vsva_table_json_print(FILE *out)
{
	return print_put(out, vsva_table_json());
}

int vsva_probe_json_print(FILE *out, const struct vsva_features *f,
			  const struct vsva_choice *choice)
{
	return print_put(out, vsva_probe_json(f, choice));
}
