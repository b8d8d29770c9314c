// SPDX-License-Identifier: GPL-2.0
/*
 * Exposition text back into a snapshot (vsva-top --from): a round trip;
 * what a snapshot cannot hold is an error naming the line, never a crash
 * or a silent drop; vsva-top's rows from snapshots with labels missing,
 * strings holding any bytes, and histograms whose bucket range differs
 * from one scrape to the next (quantiles checked against hand-computed
 * values).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vsva/expo.h"
#include "top.h"

static int parse(const char *text, struct vsva_snapshot *s, char *err,
		 size_t errlen)
{
	memset(s, 0, sizeof(*s));
	return vsva_expo_parse(text, strlen(text), s, err, errlen);
}

static void test_round_trip(void **st)
{
	uint64_t slots[8] = { 1, 0, 2, 3, 0, 0, 0, 4 };
	struct vsva_snapshot a = { 0 }, b = { 0 };
	struct vsva_buf t1 = { 0 }, t2 = { 0 };
	const struct vsva_family *f;
	struct vsva_family *h;
	char err[256];

	vsva_family_add(vsva_snap_family(&a, "vsva_x_total", "help \\ x",
					 VSVA_COUNTER), 42, "vm",
			"we\"ird\\name\n/1", "mode", "all_fast", NULL);
	vsva_family_add(vsva_snap_family(&a, "vsva_g", "g", VSVA_GAUGE), 0.5,
			NULL);
	h = vsva_snap_family(&a, "vsva_h_seconds", "h", VSVA_HISTOGRAM);
	vsva_hist_set(vsva_family_add(h, 0, "vm", "q/2", NULL), slots, 8, 2,
		      1e-9, 1.25);
	vsva_hist_set(vsva_family_add(h, 0, "vm", "q/3", NULL), slots, 8, 3,
		      1e-9, 2.5);
	vsva_expo_write(&t1, &a);
	assert_int_equal(parse(t1.p, &b, err, sizeof(err)), 0);

	f = vsva_snap_find(&b, "vsva_x_total");
	assert_non_null(f);
	assert_int_equal(f->type, VSVA_COUNTER);
	assert_int_equal(f->nsamples, 1);
	assert_string_equal(f->samples[0].lval[0], "we\"ird\\name\n/1");
	assert_true(f->samples[0].value == 42);
	f = vsva_snap_find(&b, "vsva_h_seconds");
	assert_non_null(f);
	assert_int_equal(f->type, VSVA_HISTOGRAM);
	assert_int_equal(f->nsamples, 2);
	assert_int_equal(f->samples[0].count, 10);
	assert_int_equal(f->samples[0].nbuckets, 6);
	assert_int_equal(f->samples[0].cum[1], 3);
	assert_true(f->samples[1].sum == 2.5);

	/* and the text it writes again is the same */
	vsva_expo_write(&t2, &b);
	assert_non_null(strstr(t2.p, "vsva_h_seconds_bucket{vm=\"q/3\",le=\"+Inf\"} 10\n"));
	assert_non_null(strstr(t2.p, "vsva_g 0.5\n"));
	vsva_buf_free(&t1);
	vsva_buf_free(&t2);
	vsva_snap_free(&a);
	vsva_snap_free(&b);
}

/* Each text is refused with this error (the line's number first). */
static void test_bad_lines_are_errors(void **st)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		/* one label more than a sample holds: was a heap overflow
		 * and free(0x4000000000000000) (issue 25) */
		{ "m{a=\"1\",b=\"2\",c=\"3\",d=\"4\",e=\"5\"} 2\n",
		  "line 1: m: more than 4 labels" },
		{ "ok 1\nm{a=\"1\",b=\"2\",c=\"3\",d=\"4\",e=\"5\",f=\"6\"} 2\n",
		  "line 2: m: more than 4 labels" },
		{ "# TYPE h histogram\nh_bucket{a=\"1\",b=\"2\",c=\"3\",d=\"4\","
		  "e=\"5\",le=\"1\"} 2\n", "line 2: h_bucket: more than 4 "
		  "labels" },
		{ "garbage\n", "line 1: garbage: no value" },
		{ "-1 garbage\n", "line 1: not a sample" },
		{ "\n{}\n", "line 2: not a sample" },
		{ "name{a=\"x\" 1\n", "line 1: name: ',' or '}' expected" },
		{ "name{a=\"x} 1\n", "line 1: name: label a: no closing quote" },
		{ "name{a=\"\\t\"} 1\n", "line 1: name: label a: an escape" },
		{ "name{a=\"x\",a=\"y\"} 1\n", "line 1: name: label a twice" },
		{ "name{1a=\"x\"} 1\n", "line 1: name: a bad label name" },
		{ "name\n", "line 1: name: no value" },
		{ "name one\n", "line 1: name: the value is not a number" },
		{ "name 1 2 3\n", "line 1: name: text after the value" },
		{ "name 1\r\n", "line 1: name: the value is not a number" },
		{ "# TYPE x nonsense\n", "line 1: TYPE x: unknown type" },
		{ "x 1\n# TYPE x counter\n", "line 2: TYPE x: after its samples" },
		{ "# TYPE h histogram\nh 1\n", "line 2: h: a histogram's series" },
		{ "# TYPE h histogram\nh_bucket 1\n", "line 2: h_bucket: a "
		  "bucket without le" },
		{ "# TYPE h histogram\nh_count{le=\"1\"} 1\n", "line 2: h_count: "
		  "le on a histogram's count" },
		{ "# TYPE h histogram\nh_bucket{le=\"2\"} 1\n"
		  "h_bucket{le=\"1\"} 1\n", "line 3: buckets out of order" },
		{ "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", "line 2: a "
		  "bucket's le is not a bound" },
		{ "# TYPE h histogram\nh_bucket{le=\"1\"} -1\n", "line 2: a "
		  "bucket's value is not a count" },
		{ "# TYPE h histogram\nh_bucket{le=\"1\"} 1e30\n", "line 2: a "
		  "bucket's value is not a count" },
		{ "# TYPE h histogram\nh_count NaN\n", "line 2: h_count: not a "
		  "count" },
	};
	struct vsva_snapshot s;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].text, &s, err, sizeof(err));

		if (rc != -1 || strncmp(err, cases[i].err, strlen(cases[i].err)))
			fail_msg("case %zu: %s: rc %d, '%s' (want '%s')", i,
				 cases[i].text, rc, err, cases[i].err);
		vsva_snap_free(&s);
	}
}

/* A NUL inside the text (not at its end) is not exposition. */
static void test_nul_byte(void **st)
{
	static const char text[] = "a 1\nb\0 2\n";
	struct vsva_snapshot s = { 0 };
	char err[256];

	assert_int_equal(vsva_expo_parse(text, sizeof(text) - 1, &s, err,
					 sizeof(err)), -1);
	assert_string_equal(err, "line 2: a NUL byte: not text");
	vsva_snap_free(&s);
}

/* What the text exposition allows and vsvad does not write. */
static void test_accepted_forms(void **st)
{
	struct vsva_snapshot s;
	const struct vsva_family *f;
	char err[256];

	assert_int_equal(parse("# HELP x anything \\ goes\n  # a comment\n\n"
			       "x{ a = \"1\" , b=\"2\", } 1.5e3 1712345678000\n"
			       "y\t-Inf\n# TYPE h histogram\n"
			       "h_bucket{le=\"1\",mode=\"m\"} 2\n"
			       "h_bucket{mode=\"m\",le=\"+Inf\"} 3\n"
			       "h_bucket{a=\"1\",b=\"2\",c=\"3\",d=\"4\","
			       "le=\"1\"} 2\n",
			       &s, err, sizeof(err)), 0);
	f = vsva_snap_find(&s, "x");
	assert_non_null(f);
	assert_int_equal(f->samples[0].nlabels, 2);
	assert_string_equal(f->samples[0].lval[1], "2");
	assert_true(f->samples[0].value == 1500);
	assert_true(vsva_snap_find(&s, "y")->samples[0].value == -INFINITY);
	/* le anywhere among the labels, not only last */
	f = vsva_snap_find(&s, "h");
	assert_int_equal(f->nsamples, 2);
	assert_int_equal(f->samples[1].nlabels, 4);	/* and le: 5 */
	assert_int_equal(f->samples[0].nlabels, 1);
	assert_string_equal(f->samples[0].lval[0], "m");
	assert_int_equal(f->samples[0].nbuckets, 1);
	assert_int_equal(f->samples[0].count, 3);
	vsva_snap_free(&s);
}

static char *repeat(char c, size_t n)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	memset(p, c, n);
	p[n] = 0;
	return p;
}

/* vsva_probe_info reasons of 353 and 296 characters (issue 33) were
 * dropped by a 256-byte buffer; a value of 100,000 bytes too is kept. */
static void test_long_label_values(void **st)
{
	static const size_t lens[] = { 353, 296, 100000 };
	const struct vsva_family *f;
	struct vsva_snapshot s;
	struct vsva_buf t = { 0 };
	char err[256], *v[3];
	int i;

	vsva_buf_printf(&t, "# TYPE vsva_probe_info gauge\n");
	for (i = 0; i < 3; i++) {
		v[i] = repeat('a' + i, lens[i]);
		vsva_buf_printf(&t, "vsva_probe_info{measurement=\"m%d\","
				"rung=\"none\",reason=\"%s \\\"q\\\"\"} 1\n",
				i, v[i]);
	}
	assert_int_equal(parse(t.p, &s, err, sizeof(err)), 0);
	f = vsva_snap_find(&s, "vsva_probe_info");
	assert_non_null(f);
	assert_int_equal(f->nsamples, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(strlen(f->samples[i].lval[2]), lens[i] + 4);
		assert_memory_equal(f->samples[i].lval[2], v[i], lens[i]);
		assert_string_equal(f->samples[i].lval[2] + lens[i], " \"q\"");
		free(v[i]);
	}
	vsva_buf_free(&t);
	vsva_snap_free(&s);
}

/* The text for two scrapes of a histogram family of vsva-top's. */
#define ZAP		"vsva_kvm_memslot_zap_seconds"
#define TYPE_ZAP	"# TYPE " ZAP " histogram\n"
#define INFO		"# TYPE vsva_kvm_vm_info gauge\n" \
			"vsva_kvm_vm_info{vm=\"v/1\",pid=\"1\",comm=\"v\"," \
			"state=\"running\"} 1\n"

static void two(const char *ta, const char *tb, struct vsva_snapshot *a,
		struct vsva_snapshot *b)
{
	char err[256];

	if (parse(ta, a, err, sizeof(err)))
		fail_msg("scrape a: %s", err);
	if (parse(tb, b, err, sizeof(err)))
		fail_msg("scrape b: %s", err);
}

/*
 * vsvad writes a family's buckets from one below the lowest in use to the
 * lowest that holds every count (src/lib/expo.c), so the range grows between
 * scrapes.  Scrape a: v/1's all_fast has 2 deletions in (4,8] us and 1 in
 * (8,16]; scrape b: 1 in (2,4], 3 in (4,8], 1 in (8,16], 4 in (16,32],
 * 2 in (32,64], and memslot (new) 2 in (32,64]; w/2 is another VM.
 * New between the scrapes: 1 in (2,4], 1 in (4,8], 0 in (8,16], 4 in
 * (16,32], 4 in (32,64]: 10 deletions; cumulative 1, 2, 2, 6, 10.
 * p10 (rank 1): 4 us; p50 (rank 5): 32 us; p99 (rank 10): 64 us.
 */
static void test_quantile_range_grows(void **st)
{
	static const char ta[] = INFO TYPE_ZAP
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"4e-06\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"8e-06\"} 2\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"1.6e-05\"} 3\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"+Inf\"} 3\n"
		ZAP "_sum{vm=\"v/1\",mode=\"all_fast\"} 2.4e-05\n"
		ZAP "_count{vm=\"v/1\",mode=\"all_fast\"} 3\n";
	static const char tb[] = INFO TYPE_ZAP
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"2e-06\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"4e-06\"} 1\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"8e-06\"} 4\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"1.6e-05\"} 5\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"3.2e-05\"} 9\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"6.4e-05\"} 11\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"+Inf\"} 11\n"
		ZAP "_count{vm=\"v/1\",mode=\"all_fast\"} 11\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"memslot\",le=\"2e-06\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"memslot\",le=\"4e-06\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"memslot\",le=\"8e-06\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"memslot\",le=\"1.6e-05\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"memslot\",le=\"3.2e-05\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"memslot\",le=\"6.4e-05\"} 2\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"memslot\",le=\"+Inf\"} 2\n"
		ZAP "_count{vm=\"v/1\",mode=\"memslot\"} 2\n"
		ZAP "_bucket{vm=\"w/2\",mode=\"all_fast\",le=\"2e-06\"} 50\n"
		ZAP "_bucket{vm=\"w/2\",mode=\"all_fast\",le=\"+Inf\"} 50\n"
		ZAP "_count{vm=\"w/2\",mode=\"all_fast\"} 50\n";
	struct vsva_snapshot a, b;

	two(ta, tb, &a, &b);
	assert_true(top_zap_quantile(&a, &b, "v/1", 0.1) == 4e-6);
	assert_true(top_zap_quantile(&a, &b, "v/1", 0.5) == 3.2e-5);
	assert_true(top_zap_quantile(&a, &b, "v/1", 0.99) == 6.4e-5);
	/* w/2: 50 new, all at or below 2 us */
	assert_true(top_zap_quantile(&a, &b, "w/2", 0.99) == 2e-6);
	assert_true(isnan(top_zap_quantile(&a, &b, "x/3", 0.5)));
	vsva_snap_free(&a);
	vsva_snap_free(&b);
}

/*
 * The same number of buckets in both scrapes, shifted: in a, another VM
 * (w/2, gone by b) had a deletion in (64,128] us, so a's range is 4 to
 * 128 us; b's is 2 to 64 us.  v/1: a has 1 in (4,8]; b has 3 in (2,4],
 * 1 in (4,8], 1 in (16,32], 1 in (32,64].  New: 3 in (2,4], 1 in
 * (16,32], 1 in (32,64]: p50 (rank 3) is 4 us, p99 (rank 5) 64 us.
 * Matched by position, p50 came out as 8 us.
 */
static void test_quantile_range_shifts(void **st)
{
	static const char ta[] = INFO TYPE_ZAP
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"4e-06\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"8e-06\"} 1\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"1.6e-05\"} 1\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"3.2e-05\"} 1\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"6.4e-05\"} 1\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"0.000128\"} 1\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"+Inf\"} 1\n"
		ZAP "_count{vm=\"v/1\",mode=\"all_fast\"} 1\n"
		ZAP "_bucket{vm=\"w/2\",mode=\"all_fast\",le=\"4e-06\"} 0\n"
		ZAP "_bucket{vm=\"w/2\",mode=\"all_fast\",le=\"0.000128\"} 1\n"
		ZAP "_count{vm=\"w/2\",mode=\"all_fast\"} 1\n";
	static const char tb[] = INFO TYPE_ZAP
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"2e-06\"} 0\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"4e-06\"} 3\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"8e-06\"} 4\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"1.6e-05\"} 4\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"3.2e-05\"} 5\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"6.4e-05\"} 6\n"
		ZAP "_bucket{vm=\"v/1\",mode=\"all_fast\",le=\"+Inf\"} 6\n"
		ZAP "_count{vm=\"v/1\",mode=\"all_fast\"} 6\n";
	struct vsva_snapshot a, b;
	struct row rows[2];

	two(ta, tb, &a, &b);
	assert_true(top_zap_quantile(&a, &b, "v/1", 0.5) == 4e-6);
	assert_true(top_zap_quantile(&a, &b, "v/1", 0.99) == 6.4e-5);
	/* and the rows vsva-top prints */
	assert_int_equal(top_build_rows(&a, &b, 1, rows, NULL), 1);
	assert_true(rows[0].v[C_P50] == 4e-6);
	assert_true(rows[0].v[C_P99] == 6.4e-5);
	vsva_snap_free(&a);
	vsva_snap_free(&b);
}

static char *json_of(const struct vsva_snapshot *s, const struct row *r,
		     int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	top_print_json(f, s, r, n, 1);
	fclose(f);
	return buf;
}

static char *table_of(const struct row *r, int n, bool csv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	top_print_table(f, r, n, csv);
	fclose(f);
	return buf;
}

/* Samples without the labels vsva-top reads (a server that is not vsvad,
 * or another version): no NULL is read; a VM without a name is no row. */
static void test_missing_labels(void **st)
{
	static const char text[] =
		"# TYPE vsva_probe_info gauge\nvsva_probe_info 1\n"
		"vsva_probe_info{measurement=\"m\"} 1\n"
		"# TYPE vsva_kvm_vm_info gauge\nvsva_kvm_vm_info 1\n"
		"vsva_kvm_vm_info{vm=\"v/1\"} 1\n"
		"vsva_kvm_memslot_zap_total{mode=\"all_fast\"} 3\n"
		"vsva_kvm_memslot_zap_total{vm=\"v/1\"} 4\n"
		TYPE_ZAP
		ZAP "_bucket{le=\"1e-06\"} 1\n"
		ZAP "_bucket{le=\"+Inf\"} 1\n"
		ZAP "_bucket{vm=\"v/1\",le=\"1e-06\"} 2\n"
		ZAP "_bucket{vm=\"v/1\",le=\"+Inf\"} 2\n"
		ZAP "_count{vm=\"v/1\"} 2\n";
	struct vsva_snapshot a, b;
	struct row rows[4];
	char *out;
	int n;

	two(text, text, &a, &b);
	n = top_build_rows(&a, &b, 1, rows, NULL);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].vm, "v/1");
	assert_string_equal(rows[0].comm, "");
	assert_int_equal(rows[0].pid, 0);
	assert_false(rows[0].exited);
	assert_true(rows[0].del_total == 4);
	assert_true(isnan(rows[0].v[C_P50]));	/* nothing new */
	vsva_snap_free(&a);
	/* from nothing: the 2 of v/1 at 1 us */
	memset(&a, 0, sizeof(a));
	assert_true(top_zap_quantile(&a, &b, "v/1", 0.5) == 1e-6);
	out = json_of(&b, rows, n);
	assert_non_null(strstr(out, "\"probes\":{\"\":\"\",\"m\":\"\"}"));
	assert_non_null(strstr(out, "{\"vm\":\"v/1\",\"pid\":0,\"comm\":\"\","));
	free(out);
	vsva_snap_free(&b);
}

/* A comm with a quote, a comma, a newline and a byte that is no UTF-8:
 * JSON escaped (the byte as the text \xff), CSV quoted (RFC 4180), on a
 * terminal control characters as '?'. */
static void test_strings_escaped(void **st)
{
	static const char text[] =
		"# TYPE vsva_probe_info gauge\n"
		"vsva_probe_info{measurement=\"m\\\"x\",rung=\"r\\\\\"} 1\n"
		"# TYPE vsva_kvm_vm_info gauge\n"
		"vsva_kvm_vm_info{vm=\"a\\\"b,c\\nd\xff/7\",pid=\"7\","
		"comm=\"a\\\"b,c\\nd\xff\x01\",state=\"running\"} 1\n";
	struct vsva_snapshot a, b;
	struct row rows[2];
	char *out;
	int n;

	two(text, text, &a, &b);
	n = top_build_rows(&a, &b, 1, rows, NULL);
	assert_int_equal(n, 1);
	out = json_of(&b, rows, n);
	assert_non_null(strstr(out, "\"probes\":{\"m\\\"x\":\"r\\\\\"}"));
	assert_non_null(strstr(out, "{\"vm\":\"a\\\"b,c\\u000ad\\\\xff/7\","
				    "\"pid\":7,\"comm\":\"a\\\"b,c\\u000ad"
				    "\\\\xff\\u0001\","));
	free(out);
	out = table_of(rows, n, true);
	assert_non_null(strstr(out, "\n7,\"a\"\"b,c\nd\\xff\x01\",-,"));
	free(out);
	out = table_of(rows, n, false);
	assert_non_null(strstr(out, "\n7          a\"b,c?d    - "));
	free(out);
	vsva_snap_free(&a);
	vsva_snap_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_lines_are_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_long_label_values),
		cmocka_unit_test(test_quantile_range_grows),
		cmocka_unit_test(test_quantile_range_shifts),
		cmocka_unit_test(test_missing_labels),
		cmocka_unit_test(test_strings_escaped),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
