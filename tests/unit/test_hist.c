// SPDX-License-Identifier: GPL-2.0
/* log2 slots -> cumulative Prometheus buckets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "vsva/snapshot.h"
#include <linux/types.h>
#include "vsva_memslot.h"

static void test_cumulative_and_inf(void **st)
{
	uint64_t slots[VSVA_HIST_SLOTS] = { 0 };
	struct vsva_sample m = { 0 };
	int i;

	slots[0] = 2;		/* 0..1 ns */
	slots[9] = 3;		/* 512..1023 ns: below the first bound */
	slots[10] = 5;		/* 1024..2047 ns */
	slots[20] = 7;		/* ~1 ms */
	slots[VSVA_HIST_SLOTS - 1] = 11;	/* clamped: >= 2^31 ns */
	assert_int_equal(vsva_hist_set(&m, slots, VSVA_HIST_SLOTS, 10, 1e-9,
				       0.5), 0);
	assert_int_equal(m.nbuckets, VSVA_HIST_SLOTS - 10);
	assert_int_equal(m.count, 28);
	assert_true(m.sum == 0.5);
	/* bucket k counts values below 2^k ns */
	assert_true(m.le[0] == 1024e-9);
	assert_int_equal(m.cum[0], 5);		/* slots 0..9 */
	assert_int_equal(m.cum[1], 10);		/* + slot 10 */
	assert_int_equal(m.cum[10], 10);	/* below 2^20 */
	assert_int_equal(m.cum[11], 17);	/* below 2^21 */
	assert_true(m.le[m.nbuckets - 1] == (double)(1ULL << 31) * 1e-9);
	assert_int_equal(m.cum[m.nbuckets - 1], 17);	/* clamped: +Inf only */
	for (i = 1; i < m.nbuckets; i++)
		assert_true(m.cum[i] >= m.cum[i - 1] && m.le[i] > m.le[i - 1]);
	free(m.le);
	free(m.cum);
}

static void test_empty(void **st)
{
	uint64_t slots[VSVA_HIST_SLOTS] = { 0 };
	struct vsva_sample m = { 0 };
	int i;

	assert_int_equal(vsva_hist_set(&m, slots, VSVA_HIST_SLOTS, 10, 1e-9,
				       0), 0);
	assert_int_equal(m.count, 0);
	for (i = 0; i < m.nbuckets; i++)
		assert_int_equal(m.cum[i], 0);
	free(m.le);
	free(m.cum);
}

static void test_bad_range(void **st)
{
	uint64_t slots[4] = { 0 };
	struct vsva_sample m = { 0 };

	assert_int_equal(vsva_hist_set(&m, slots, 4, 0, 1, 0), -1);
	assert_int_equal(vsva_hist_set(&m, slots, 4, 4, 1, 0), -1);
	assert_null(m.le);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cumulative_and_inf),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_range),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
