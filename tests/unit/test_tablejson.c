// SPDX-License-Identifier: GPL-2.0
/* The table as JSON (build/table.json, vsvad --probe --json): every
 * measurement, rung and family of the C table is in it, field for field,
 * counted from the C side; strings from the kernel come out escaped and
 * valid UTF-8; the choices are the chooser's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "vsva/ladder.h"
#include "vsva/tablejson.h"

/* A document as the programs write it, parsed back. */
static struct json_object *printed(bool probe, const struct vsva_features *f,
				   const struct vsva_choice *c)
{
	struct json_object *o;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(probe ? vsva_probe_json_print(out, f, c) :
			 vsva_table_json_print(out), 0);
	fclose(out);
	assert_true(len > 0 && text[len - 1] == '\n');
	o = json_tokener_parse(text);
	free(text);
	assert_non_null(o);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

/* A JSON array of strings joined by commas, as the table writes lists. */
static void joined(struct json_object *a, char *buf, size_t len)
{
	size_t i;

	buf[0] = 0;
	for (i = 0; i < json_object_array_length(a); i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 i ? "," : "",
			 json_object_get_string(json_object_array_get_idx(a, i)));
}

static void check_rung(struct json_object *o, const struct vsva_rung_def *d)
{
	struct json_object *progs = get(o, "programs");
	char buf[1024], want[1024];
	int i;

	assert_string_equal(str(o, "rung"), vsva_rung_name(d->rung));
	assert_string_equal(str(o, "uses"), d->uses);
	assert_int_equal(json_object_get_boolean(get(o, "approximate")),
			 d->approximate);
	for (i = 0; i < VSVA_MAX_PROGS && d->progs[i]; i++)
		assert_string_equal(json_object_get_string(
			json_object_array_get_idx(progs, i)), d->progs[i]);
	assert_int_equal(json_object_array_length(progs), i);
	/* every feature the rung needs, by name, and no other */
	joined(get(o, "needs"), buf, sizeof(buf));
	want[0] = 0;
	for (i = 0; i < VSVA_NFEATURES; i++)
		if (d->needs & VSVA_BIT(i))
			snprintf(want + strlen(want), sizeof(want) - strlen(want),
				 "%s%s", want[0] ? "," : "",
				 vsva_feature_name(i));
	assert_string_equal(buf, want);
	if (d->perf_events) {
		joined(get(o, "perf_events"), buf, sizeof(buf));
		assert_string_equal(buf, d->perf_events);
	} else {
		assert_null(get(o, "perf_events"));
	}
	joined(get(o, "perf_optional_events"), buf, sizeof(buf));
	assert_string_equal(buf, d->perf_opt_events ? d->perf_opt_events : "");
	if (d->after >= 0)
		assert_string_equal(str(o, "after"),
				    vsva_measurements[d->after].name);
	else
		assert_null(get(o, "after"));
}

static void check_family(struct json_object *o,
			 const struct vsva_family_def *d)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	char buf[512];

	assert_string_equal(str(o, "name"), d->name);
	assert_string_equal(str(o, "help"), d->help);
	assert_string_equal(str(o, "type"), types[d->type]);
	joined(get(o, "labels"), buf, sizeof(buf));
	assert_string_equal(buf, d->labels);
	assert_int_equal(json_object_array_length(get(o, "series")),
			 d->type == VSVA_HISTOGRAM ? 3 : 1);
	if (d->type != VSVA_HISTOGRAM)
		return;
	assert_true(json_object_get_double(get(o, "unit")) == d->unit);
	assert_int_equal(json_object_get_int(get(o, "kmin")), d->kmin);
}

static void test_every_measurement(void **st)
{
	struct json_object *t = printed(false, NULL, NULL), *ms, *m;
	int i, k, f, nfam = 0;

	assert_string_equal(str(t, "format"), VSVA_TABLE_FORMAT);
	ms = get(t, "measurements");
	assert_int_equal(json_object_array_length(ms), VSVA_NMEASUREMENTS);
	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		const struct vsva_measurement *c = &vsva_measurements[i];

		m = json_object_array_get_idx(ms, i);
		assert_string_equal(str(m, "name"), c->name);
		assert_string_equal(str(m, "source"),
				    vsva_sources[c->source].name);
		for (k = 0; k < VSVA_MAX_RUNGS && c->rungs[k].rung; k++)
			check_rung(json_object_array_get_idx(get(m, "rungs"),
							     k), &c->rungs[k]);
		assert_int_equal(json_object_array_length(get(m, "rungs")), k);
		/* its families, in the table's order */
		for (k = 0, f = 0; f < VSVA_NFAMILIES; f++)
			if ((int)vsva_families[f].measurement == i)
				check_family(json_object_array_get_idx(
					get(m, "families"), k++),
					&vsva_families[f]);
		assert_int_equal(json_object_array_length(get(m, "families")),
				 k);
		nfam += k;
	}
	assert_int_equal(nfam, VSVA_NFAMILIES);
	assert_int_equal(json_object_array_length(get(t, "features")),
			 VSVA_NFEATURES);
	assert_int_equal(json_object_array_length(get(t, "sources")),
			 VSVA_NSOURCES);
	assert_int_equal(json_object_array_length(get(t, "rungs")),
			 VSVA_NRUNGS - 1);
	json_object_put(t);
}

/* Every feature has a name, and no two the same. */
static void test_feature_names(void **st)
{
	int i, k;

	for (i = 0; i < VSVA_NFEATURES; i++) {
		assert_non_null(vsva_feature_name(i));
		for (k = 0; k < i; k++)
			assert_string_not_equal(vsva_feature_name(i),
						vsva_feature_name(k));
	}
	assert_null(vsva_feature_name(VSVA_NFEATURES));
}

/* A kernel without KVM whose reasons hold what JSON must escape. */
static void test_probe_escapes(void **st)
{
	static const char odd[] = "quote \" backslash \\ newline \n tab \t "
				  "bell \a slash / bad \xff utf-8 \xc3\xa9";
	struct vsva_features f = { .have = VSVA_BIT(VSVA_F_BTF) };
	struct vsva_choice c[VSVA_NMEASUREMENTS] = { 0 };
	const enum vsva_rung force[VSVA_NMEASUREMENTS] = { 0 };
	struct json_object *t, *kf, *m, *r;
	int i;

	for (i = 0; i < VSVA_NFEATURES; i++)
		snprintf(f.why[i], sizeof(f.why[i]), "%s", odd);
	vsva_choose_all(&f, force, c);
	t = printed(true, &f, c);
	kf = get(t, "kernel_features");
	assert_int_equal(json_object_array_length(kf), VSVA_NFEATURES);
	/* had: no reason; missing: the reason, the bad byte as \xff */
	assert_true(json_object_get_boolean(get(json_object_array_get_idx(kf,
				VSVA_F_BTF), "have")));
	assert_null(get(json_object_array_get_idx(kf, VSVA_F_BTF), "why"));
	assert_string_equal(str(json_object_array_get_idx(kf, VSVA_F_KVM),
				"why"), "quote \" backslash \\ newline \n tab "
			    "\t bell \a slash / bad \\xff utf-8 \xc3\xa9");
	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		m = json_object_array_get_idx(get(t, "measurements"), i);
		assert_string_equal(str(get(m, "chosen"), "rung"),
				    vsva_rung_name(c[i].rung));
		assert_int_equal(json_object_get_boolean(get(get(m, "chosen"),
						"approximate")), c[i].approximate);
		r = json_object_array_get_idx(get(m, "rungs"), 0);
		/* every rung needs KVM or a feature this kernel lacks */
		assert_false(json_object_get_boolean(get(r, "available")));
		assert_true(json_object_array_length(get(r, "missing")) > 0);
		assert_false(json_object_get_boolean(get(r, "chosen")));
	}
	json_object_put(t);
}

/* The rung chosen is marked chosen, and only it. */
static void test_probe_chosen(void **st)
{
	struct vsva_features f = { .have = ~0u };
	struct vsva_choice c[VSVA_NMEASUREMENTS] = { 0 };
	const enum vsva_rung force[VSVA_NMEASUREMENTS] = { 0 };
	struct json_object *t, *m, *rungs;
	size_t k;
	int i, n;

	vsva_choose_all(&f, force, c);
	t = printed(true, &f, c);
	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		m = json_object_array_get_idx(get(t, "measurements"), i);
		rungs = get(m, "rungs");
		n = 0;
		for (k = 0; k < json_object_array_length(rungs); k++) {
			struct json_object *r = json_object_array_get_idx(rungs,
									  k);

			assert_true(json_object_get_boolean(get(r, "available")));
			if (json_object_get_boolean(get(r, "chosen"))) {
				n++;
				assert_string_equal(str(r, "rung"),
						    vsva_rung_name(c[i].rung));
			}
		}
		assert_int_equal(n, 1);
		assert_string_equal(str(get(m, "chosen"), "reason"),
				    c[i].reason);
	}
	json_object_put(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_measurement),
		cmocka_unit_test(test_feature_names),
		cmocka_unit_test(test_probe_escapes),
		cmocka_unit_test(test_probe_chosen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
