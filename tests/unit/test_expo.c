// SPDX-License-Identifier: GPL-2.0
/* Prometheus exposition writer: escaping, HELP/TYPE, histogram buckets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "vsva/expo.h"
#include "vsva/utf8.h"

static char *render(struct vsva_snapshot *s, struct vsva_buf *b)
{
	vsva_expo_write(b, s);
	assert_false(b->oom);
	return b->p;
}

static void test_label_value_escaping(void **st)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	struct vsva_family *f;

	f = vsva_snap_family(&s, "vsva_x_total", "h", VSVA_COUNTER);
	assert_non_null(vsva_family_add(f, 3, "vm", "a\\b\"c\nd", NULL));
	assert_non_null(strstr(render(&s, &b),
			"vsva_x_total{vm=\"a\\\\b\\\"c\\nd\"} 3\n"));
	vsva_buf_free(&b);
	vsva_snap_free(&s);
}

/* A process name of any bytes comes out as valid UTF-8: a byte that
 * begins no character (0xff, a lone continuation, an overlong '/', a
 * surrogate, a character the kernel's 15-byte cut split) becomes "\xHH"
 * (its backslash escaped in the exposition); valid characters stay. */
static void test_label_value_utf8(void **st)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "\xff\xfekvm/42", "\\\\xff\\\\xfekvm/42" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* é stays */
		{ "ab\xc3", "ab\\\\xc3" },			/* cut after 0xc3 */
		{ "\x80x", "\\\\x80x" },
		{ "\xc0\xaf", "\\\\xc0\\\\xaf" },		/* overlong */
		{ "\xed\xa0\x80", "\\\\xed\\\\xa0\\\\x80" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\\\\xf4\\\\x90\\\\x80\\\\x80" },
		{ "\xf0\x9f\x98\x80\"", "\xf0\x9f\x98\x80\\\"" },
	};
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vsva_snapshot s = { 0 };
		struct vsva_buf b = { 0 };
		struct vsva_family *f;
		char *out;

		f = vsva_snap_family(&s, "vsva_x", "h\xff", VSVA_GAUGE);
		assert_non_null(vsva_family_add(f, 1, "vm", cases[i].in, NULL));
		out = render(&s, &b);
		assert_true(vsva_utf8_valid(out));
		snprintf(want, sizeof(want), "vsva_x{vm=\"%s\"} 1\n",
			 cases[i].out);
		if (!strstr(out, want))
			fail_msg("case %zu: want %s in %s", i, want, out);
		assert_non_null(strstr(out, "# HELP vsva_x h\\\\xff\n"));
		vsva_buf_free(&b);
		vsva_snap_free(&s);
	}
}

/* A label value longer than VSVA_LABEL_VALUE_MAX is cut on a character
 * and ends in "...". */
static void test_label_value_capped(void **st)
{
	char in[VSVA_LABEL_VALUE_MAX + 64], want[VSVA_LABEL_VALUE_MAX + 16];
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	struct vsva_family *f;
	char *out, *v, *end;
	size_t i;

	for (i = 0; i + 2 < sizeof(in); i += 2)
		memcpy(in + i, "\xc3\xa9", 2);		/* é, two bytes each */
	in[i] = 0;
	f = vsva_snap_family(&s, "vsva_x", "h", VSVA_GAUGE);
	assert_non_null(vsva_family_add(f, 1, "vm", in, NULL));
	out = render(&s, &b);
	v = strstr(out, "vm=\"") + 4;
	end = strchr(v, '"');
	memcpy(want, in, VSVA_LABEL_VALUE_MAX);
	strcpy(want + VSVA_LABEL_VALUE_MAX, "...");
	assert_int_equal(end - v, VSVA_LABEL_VALUE_MAX + 3);
	assert_memory_equal(v, want, VSVA_LABEL_VALUE_MAX + 3);
	assert_true(vsva_utf8_valid(out));
	vsva_buf_free(&b);
	vsva_snap_free(&s);
}

static void test_help_escaping_and_order(void **st)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	struct vsva_family *f;
	char *out, *help, *type, *sample;

	f = vsva_snap_family(&s, "vsva_g", "back\\slash \"q\"\nline",
			     VSVA_GAUGE);
	vsva_family_add(f, 1.5, NULL);
	assert_false(vsva_snap_incomplete(&s));
	out = render(&s, &b);
	help = strstr(out, "# HELP vsva_g back\\\\slash \"q\"\\nline\n");
	type = strstr(out, "# TYPE vsva_g gauge\n");
	sample = strstr(out, "\nvsva_g 1.5\n");
	assert_non_null(help);
	assert_non_null(type);
	assert_non_null(sample);
	assert_true(help < type && type < sample);
	vsva_buf_free(&b);
	vsva_snap_free(&s);
}

static void test_empty_family_declared(void **st)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };

	vsva_snap_family(&s, "vsva_e_total", "nothing yet", VSVA_COUNTER);
	assert_string_equal(render(&s, &b),
		"# HELP vsva_e_total nothing yet\n# TYPE vsva_e_total counter\n");
	vsva_buf_free(&b);
	vsva_snap_free(&s);
}

static void test_values(void **st)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	struct vsva_family *f;
	char *out;

	f = vsva_snap_family(&s, "v", "h", VSVA_GAUGE);
	vsva_family_add(f, 12345678901234.0, "k", "int", NULL);
	vsva_family_add(f, NAN, "k", "nan", NULL);
	vsva_family_add(f, INFINITY, "k", "inf", NULL);
	vsva_family_add(f, -INFINITY, "k", "ninf", NULL);
	vsva_family_add(f, 0.25, "k", "frac", NULL);
	out = render(&s, &b);
	assert_non_null(strstr(out, "v{k=\"int\"} 12345678901234\n"));
	assert_non_null(strstr(out, "v{k=\"nan\"} NaN\n"));
	assert_non_null(strstr(out, "v{k=\"inf\"} +Inf\n"));
	assert_non_null(strstr(out, "v{k=\"ninf\"} -Inf\n"));
	assert_non_null(strstr(out, "v{k=\"frac\"} 0.25\n"));
	vsva_buf_free(&b);
	vsva_snap_free(&s);
}

static void test_histogram_lines(void **st)
{
	uint64_t slots[6] = { 1, 0, 2, 3, 0, 4 };	/* last is clamped */
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	struct vsva_family *f;
	struct vsva_sample *m;
	char *out;

	f = vsva_snap_family(&s, "lat_seconds", "h", VSVA_HISTOGRAM);
	m = vsva_family_add(f, 0, "vm", "x/1", NULL);
	assert_non_null(m);
	assert_int_equal(vsva_hist_set(m, slots, 6, 2, 1.0, 42.5), 0);
	out = render(&s, &b);
	assert_string_equal(out,
		"# HELP lat_seconds h\n# TYPE lat_seconds histogram\n"
		"lat_seconds_bucket{vm=\"x/1\",le=\"4\"} 1\n"
		"lat_seconds_bucket{vm=\"x/1\",le=\"8\"} 3\n"
		"lat_seconds_bucket{vm=\"x/1\",le=\"16\"} 6\n"
		"lat_seconds_bucket{vm=\"x/1\",le=\"32\"} 6\n"
		"lat_seconds_bucket{vm=\"x/1\",le=\"+Inf\"} 10\n"
		"lat_seconds_sum{vm=\"x/1\"} 42.5\n"
		"lat_seconds_count{vm=\"x/1\"} 10\n");
	vsva_buf_free(&b);
	vsva_snap_free(&s);
}

/* A family writes the buckets from one below the lowest used to the
 * first that holds everything, the same in each of its histograms, so
 * that a sum by le stays exact; an empty family writes +Inf only. */
static void test_histogram_range(void **st)
{
	uint64_t a[10] = { 0, 0, 0, 2, 1, 0, 0, 0, 0, 0 };
	uint64_t z[10] = { 0 }, c[10] = { 0, 0, 0, 0, 0, 3, 0, 0, 0, 0 };
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	struct vsva_family *f, *e;
	char *out;

	f = vsva_snap_family(&s, "t_seconds", "h", VSVA_HISTOGRAM);
	assert_int_equal(vsva_hist_set(vsva_family_add(f, 0, "vm", "a", NULL),
				       a, 10, 1, 1.0, 9), 0);
	assert_int_equal(vsva_hist_set(vsva_family_add(f, 0, "vm", "c", NULL),
				       c, 10, 1, 1.0, 96), 0);
	e = vsva_snap_family(&s, "e_seconds", "h", VSVA_HISTOGRAM);
	assert_int_equal(vsva_hist_set(vsva_family_add(e, 0, "vm", "z", NULL),
				       z, 10, 1, 1.0, 0), 0);
	out = render(&s, &b);
	/* a: 2 in [8,16), 1 in [16,32); c: 3 in [32,64): buckets 8 (all
	 * empty: the lower bound of a's first, 16) to 64 (everything) */
	assert_string_equal(out,
		"# HELP t_seconds h\n# TYPE t_seconds histogram\n"
		"t_seconds_bucket{vm=\"a\",le=\"8\"} 0\n"
		"t_seconds_bucket{vm=\"a\",le=\"16\"} 2\n"
		"t_seconds_bucket{vm=\"a\",le=\"32\"} 3\n"
		"t_seconds_bucket{vm=\"a\",le=\"64\"} 3\n"
		"t_seconds_bucket{vm=\"a\",le=\"+Inf\"} 3\n"
		"t_seconds_sum{vm=\"a\"} 9\n"
		"t_seconds_count{vm=\"a\"} 3\n"
		"t_seconds_bucket{vm=\"c\",le=\"8\"} 0\n"
		"t_seconds_bucket{vm=\"c\",le=\"16\"} 0\n"
		"t_seconds_bucket{vm=\"c\",le=\"32\"} 0\n"
		"t_seconds_bucket{vm=\"c\",le=\"64\"} 3\n"
		"t_seconds_bucket{vm=\"c\",le=\"+Inf\"} 3\n"
		"t_seconds_sum{vm=\"c\"} 96\n"
		"t_seconds_count{vm=\"c\"} 3\n"
		"# HELP e_seconds h\n# TYPE e_seconds histogram\n"
		"e_seconds_bucket{vm=\"z\",le=\"+Inf\"} 0\n"
		"e_seconds_sum{vm=\"z\"} 0\n"
		"e_seconds_count{vm=\"z\"} 0\n");
	vsva_buf_free(&b);
	vsva_snap_free(&s);
}

static void test_too_many_labels_rejected(void **st)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_family *f = vsva_snap_family(&s, "m", "h", VSVA_GAUGE);

	assert_null(vsva_family_add(f, 1, "a", "1", "b", "2", "c", "3",
				    "d", "4", "e", "5", NULL));
	assert_int_equal(f->nsamples, 0);
	assert_true(vsva_snap_incomplete(&s));
	vsva_snap_free(&s);
}

/* A source takes all its families first, then adds samples: the family
 * pointers must survive the snapshot growing in between. */
static void test_family_pointers_stay_valid(void **st)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_family *f[40];
	char names[40][16];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "fam_%d", i);
		f[i] = vsva_snap_family(&s, names[i], "h", VSVA_GAUGE);
		assert_non_null(f[i]);
	}
	for (i = 0; i < 40; i++)
		assert_non_null(vsva_family_add(f[i], i, NULL));
	for (i = 0; i < 40; i++) {
		assert_ptr_equal(vsva_snap_find(&s, names[i]), f[i]);
		assert_int_equal(f[i]->nsamples, 1);
		assert_true(f[i]->samples[0].value == i);
	}
	vsva_snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_value_escaping),
		cmocka_unit_test(test_label_value_utf8),
		cmocka_unit_test(test_label_value_capped),
		cmocka_unit_test(test_help_escaping_and_order),
		cmocka_unit_test(test_empty_family_declared),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_histogram_lines),
		cmocka_unit_test(test_histogram_range),
		cmocka_unit_test(test_too_many_labels_rejected),
		cmocka_unit_test(test_family_pointers_stay_valid),
	};

	return cmocka_run_group_tests_name("expo", tests, NULL, NULL);
}
