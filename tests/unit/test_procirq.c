// SPDX-License-Identifier: GPL-2.0
/* /proc/interrupts posted-interrupt rows: 1, 2 and 64 CPUs, gaps, absences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vsva/procirq.h"

/* Layout as on the 2-vCPU development host (Linux 6.18), with made-up counts. */
static const char two_cpus[] =
"           CPU0       CPU1       \n"
"  0:         36          0   IO-APIC   2-edge      timer\n"
"  4:       1021          0   IO-APIC   4-edge      ttyS0\n"
"NMI:          0          0   Non-maskable interrupts\n"
"LOC:    1046581    1030765   Local timer interrupts\n"
"PIN:          0          7   Posted-interrupt notification event\n"
"NPI:          0          0   Nested posted-interrupt event\n"
"PIW:         12          3   Posted-interrupt wakeup event\n"
"ERR:          0\n"
"MIS:          0\n";

/* A single-CPU guest. */
static const char one_cpu[] =
"           CPU0       \n"
"  1:          9   IO-APIC   1-edge      i8042\n"
"PIN:          5   Posted-interrupt notification event\n"
"NPI:          0   Nested posted-interrupt event\n"
"PIW:          2   Posted-interrupt wakeup event\n";

/* AMD hosts and non-x86 kernels have no such rows. */
static const char no_rows[] =
"           CPU0       CPU1       \n"
"  0:         36          0   IO-APIC   2-edge      timer\n"
"LOC:    1046581    1030765   Local timer interrupts\n"
"ERR:          0\n";

/* CPU1 offline: the header skips it, columns follow the header. */
static const char offline_cpu[] =
"           CPU0       CPU2       CPU3       \n"
"PIN:          1          2          3   Posted-interrupt notification event\n"
"PIW:          4          5   Posted-interrupt wakeup event\n";

/* Built the way arch/x86/kernel/irq.c prints it, for 64 CPUs. */
static char *sixty_four_cpus(void)
{
	static const char *const rows[] = { "PIN", "NPI", "PIW" };
	size_t cap = 1 << 16, len = 0;
	char *t = malloc(cap);
	int cpu, r;

	len += snprintf(t + len, cap - len, "%*s", 3 + 8, "");
	for (cpu = 0; cpu < 64; cpu++)
		len += snprintf(t + len, cap - len, "CPU%-8d", cpu);
	len += snprintf(t + len, cap - len, "\n");
	for (r = 0; r < 3; r++) {
		len += snprintf(t + len, cap - len, "%*s: ", 3, rows[r]);
		for (cpu = 0; cpu < 64; cpu++)
			len += snprintf(t + len, cap - len, "%10u ",
					r * 1000 + cpu);
		len += snprintf(t + len, cap - len, "  Posted-interrupt ...\n");
	}
	return t;
}

static void test_two_cpus(void **st)
{
	struct vsva_pi_counts pi;

	assert_int_equal(vsva_parse_pi(two_cpus, &pi), 0);
	assert_int_equal(pi.ncpus, 2);
	assert_int_equal(pi.cpu[1], 1);
	assert_true(pi.present[VSVA_PI_NOTIFY]);
	assert_int_equal(pi.count[VSVA_PI_NOTIFY][1], 7);
	assert_int_equal(pi.count[VSVA_PI_WAKEUP][0], 12);
	assert_int_equal(pi.count[VSVA_PI_WAKEUP][1], 3);
	assert_int_equal(pi.count[VSVA_PI_NESTED][0], 0);
	vsva_pi_free(&pi);
}

static void test_one_cpu(void **st)
{
	struct vsva_pi_counts pi;

	assert_int_equal(vsva_parse_pi(one_cpu, &pi), 0);
	assert_int_equal(pi.ncpus, 1);
	assert_int_equal(pi.count[VSVA_PI_NOTIFY][0], 5);
	assert_int_equal(pi.count[VSVA_PI_WAKEUP][0], 2);
	vsva_pi_free(&pi);
}

static void test_sixty_four_cpus(void **st)
{
	struct vsva_pi_counts pi;
	char *text = sixty_four_cpus();
	int cpu;

	assert_int_equal(vsva_parse_pi(text, &pi), 0);
	assert_int_equal(pi.ncpus, 64);
	for (cpu = 0; cpu < 64; cpu++) {
		assert_int_equal(pi.cpu[cpu], cpu);
		assert_int_equal(pi.count[VSVA_PI_NOTIFY][cpu], cpu);
		assert_int_equal(pi.count[VSVA_PI_NESTED][cpu], 1000 + cpu);
		assert_int_equal(pi.count[VSVA_PI_WAKEUP][cpu], 2000 + cpu);
	}
	vsva_pi_free(&pi);
	free(text);
}

static void test_missing_rows(void **st)
{
	struct vsva_pi_counts pi;
	int r;

	assert_int_equal(vsva_parse_pi(no_rows, &pi), 0);
	assert_int_equal(pi.ncpus, 2);
	for (r = 0; r < VSVA_PI_ROWS; r++) {
		assert_false(pi.present[r]);
		assert_null(pi.count[r]);
	}
	vsva_pi_free(&pi);
}

static void test_offline_cpu_and_short_row(void **st)
{
	struct vsva_pi_counts pi;

	assert_int_equal(vsva_parse_pi(offline_cpu, &pi), 0);
	assert_int_equal(pi.ncpus, 3);
	assert_int_equal(pi.cpu[1], 2);
	assert_int_equal(pi.count[VSVA_PI_NOTIFY][2], 3);
	/* PIW has 2 values for 3 CPUs: not trusted */
	assert_false(pi.present[VSVA_PI_WAKEUP]);
	assert_false(pi.present[VSVA_PI_NESTED]);
	vsva_pi_free(&pi);
}

static void test_bad_header(void **st)
{
	struct vsva_pi_counts pi;

	assert_int_equal(vsva_parse_pi("", &pi), -1);
	assert_int_equal(vsva_parse_pi("PIN: 1 2\n", &pi), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_cpus),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_sixty_four_cpus),
		cmocka_unit_test(test_missing_rows),
		cmocka_unit_test(test_offline_cpu_and_short_row),
		cmocka_unit_test(test_bad_header),
	};

	return cmocka_run_group_tests_name("procirq", tests, NULL, NULL);
}
