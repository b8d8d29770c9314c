// SPDX-License-Identifier: GPL-2.0
/* Exposition text back into a snapshot (vsva-top --from): a round trip. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vsva/expo.h"

static void test_round_trip(void **st)
{
	uint64_t slots[8] = { 1, 0, 2, 3, 0, 0, 0, 4 };
	struct vsva_snapshot a = { 0 }, b = { 0 };
	struct vsva_buf t1 = { 0 }, t2 = { 0 };
	const struct vsva_family *f;
	struct vsva_family *h;

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
	assert_int_equal(vsva_expo_parse(t1.p, &b), 0);

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

static void test_junk_is_skipped(void **st)
{
	struct vsva_snapshot s = { 0 };

	assert_int_equal(vsva_expo_parse("garbage\n{}\nname{a=\"x\" 1\n"
					 "ok_metric 3\n# comment\n\n", &s), 0);
	assert_int_equal(s.nfam, 1);
	assert_true(s.fam[0]->samples[0].value == 3);
	vsva_snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_junk_is_skipped),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
