// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf's decoders against the measurement table (src/lib/table.c):
 * every measurement whose rungs name perf events has a decoder (or says
 * why vsva-perf leaves it out), every event a decoder consumes is a
 * rung's, every event a rung names is consumed, the dlfilter's names are
 * the table's; and what vsva-perf record asks perf for on
 * made-up kernels (the series on 7.x, its 6.12 backport, a stock one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "perf-record.h"
#include "perf-report.h"

/* Does the comma-separated @list hold @ev? */
static bool in_list(const char *list, const char *ev)
{
	size_t n = strlen(ev);
	const char *p;

	for (p = list; p && (p = strstr(p, ev)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

static bool rung_has(const struct vsva_rung_def *r, const char *ev)
{
	return in_list(r->perf_events, ev) || in_list(r->perf_opt_events, ev);
}

static bool measurement_has_events(const struct vsva_measurement *m)
{
	int k;

	for (k = 0; k < VSVA_MAX_RUNGS && m->rungs[k].rung; k++)
		if (m->rungs[k].perf_events || m->rungs[k].perf_opt_events)
			return true;
	return false;
}

static const struct decoder *decoder_for(int m, int *count)
{
	const struct decoder *found = NULL;
	int i;

	*count = 0;
	for (i = 0; vsva_decoders[i]; i++)
		if ((int)vsva_decoders[i]->mid == m) {
			found = vsva_decoders[i];
			(*count)++;
		}
	return found;
}

/* A measurement added to the table with perf events, and no decoder,
 * fails here; so does a decoder of nothing, or two of one. */
static void test_every_measurement_has_a_decoder(void **state)
{
	const struct decoder *d;
	int m, n, i;

	for (m = 0; m < VSVA_NMEASUREMENTS; m++) {
		d = decoder_for(m, &n);
		if (!measurement_has_events(&vsva_measurements[m])) {
			if (n)
				fail_msg("%s: a decoder, but no rung names perf "
					 "events", vsva_measurements[m].name);
			continue;
		}
		if (n != 1)
			fail_msg("%s: its rungs name perf events, and %d "
				 "decoders in tools/perf/perf-decoders.c "
				 "decode it (1 wanted)",
				 vsva_measurements[m].name, n);
		if (d->skip && d->events)
			fail_msg("%s: left out, yet consuming events",
				 vsva_measurements[m].name);
		if (!d->skip && !d->events)
			fail_msg("%s: its decoder consumes no event "
				 "(or say why in .skip)",
				 vsva_measurements[m].name);
	}
	for (i = 0; vsva_decoders[i]; i++)
		assert_in_range(vsva_decoders[i]->mid, 0,
				VSVA_NMEASUREMENTS - 1);
}

/* Each event a decoder consumes is one some rung records. */
static void test_decoder_events_are_rungs(void **state)
{
	const struct dec_event *e;
	int i, m, k, f;
	bool found;

	for (i = 0; vsva_decoders[i]; i++) {
		for (e = vsva_decoders[i]->events; e && e->name; e++) {
			found = false;
			for (m = 0; m < VSVA_NMEASUREMENTS && !found; m++)
				for (k = 0; k < VSVA_MAX_RUNGS; k++)
					found |= rung_has(&vsva_measurements[m].rungs[k],
							  e->name);
			if (!found)
				fail_msg("%s's decoder consumes %s, which no "
					 "rung of the table records",
					 rep_mname(vsva_decoders[i]->mid),
					 e->name);
			assert_non_null(e->fn);
			for (f = 0; f < DEC_FIELDS; f++)
				if (e->fields[f])
					assert_true(e->fields[f][0]);
		}
	}
}

/* Each event a recorded measurement's rung names is consumed: nothing
 * is recorded that the report would drop. */
static void test_rung_events_are_decoded(void **state)
{
	const struct vsva_rung_def *r;
	struct report *rep = rep_new();
	char buf[1024], *tok, *save;
	const struct decoder *d;
	int m, k, n, pass;

	assert_non_null(rep);
	for (m = 0; m < VSVA_NMEASUREMENTS; m++) {
		d = decoder_for(m, &n);
		if (!d || d->skip)
			continue;
		for (k = 0; k < VSVA_MAX_RUNGS; k++) {
			r = &vsva_measurements[m].rungs[k];
			for (pass = 0; pass < 2; pass++) {
				snprintf(buf, sizeof(buf), "%s", pass ?
					 (r->perf_opt_events ?: "") :
					 (r->perf_events ?: ""));
				for (tok = strtok_r(buf, ",", &save); tok;
				     tok = strtok_r(NULL, ",", &save))
					if (rep_event(rep, tok) < 0)
						fail_msg("%s: %s rung records %s, "
							 "which no decoder consumes",
							 vsva_measurements[m].name,
							 vsva_rung_name(r->rung), tok);
			}
		}
	}
	rep_free(rep);
}

/* The dlfilter's names (read from vsva/measurements.def) are the
 * table's; the decoders' keys are unique within each. */
static void test_names_and_keys(void **state)
{
	const struct dec_key *a, *b;
	struct report *r = rep_new();
	int m, i;

	assert_non_null(r);		/* the decoders fit the engine */
	for (m = 0; m < VSVA_NMEASUREMENTS; m++)
		assert_string_equal(rep_mname(m), vsva_measurements[m].name);
	for (i = 0; vsva_decoders[i]; i++)
		for (a = vsva_decoders[i]->keys; a && a->name; a++)
			for (b = a + 1; b->name; b++)
				assert_string_not_equal(a->name, b->name);
	rep_free(r);
}

/* made-up kernels: which events tracefs has */
static bool series_7(const char *ev)
{
	return strncmp(ev, "iommu:", 6) || strstr(ev, "device_pasid") ||
	       strstr(ev, "sva_");
}

static bool series_612(const char *ev)
{
	return series_7(ev) && !strstr(ev, "replace_device_pasid") &&
	       !strstr(ev, "viommu") && !strstr(ev, "vdevice");
}

static bool stock(const char *ev)
{
	return !strncmp(ev, "syscalls:", 9) || !strncmp(ev, "kvmmmu:kvm_mmu", 14) ||
	       (!strncmp(ev, "kvm:", 4) && !strstr(ev, "bypass"));
}

struct chosen {
	struct recording rec;
	char *log;
	int n;
};

static void choose(struct chosen *c, bool (*have)(const char *))
{
	size_t len;
	FILE *f = open_memstream(&c->log, &len);

	assert_non_null(f);
	memset(&c->rec, 0, sizeof(c->rec));
	c->n = rec_choose(&c->rec, have, f);
	fclose(f);
	assert_false(c->rec.full);
}

static int recorded(const struct chosen *c, const char *ev)
{
	int i;

	for (i = 0; i < c->rec.n; i++)
		if (!strcmp(c->rec.events[i], ev))
			return i;
	return -1;
}

static void expect_log(const struct chosen *c, const char *what)
{
	if (!strstr(c->log, what))
		fail_msg("vsva-perf record did not say: %s\n%s", what, c->log);
}

/* The series on 7.x: every decoded measurement on its tracepoint rung,
 * PASID replace, iommufd's device events and the vIOMMU's with it; the
 * stock iommu tracepoints left out, and said why. */
static void test_record_series_7(void **state)
{
	struct chosen c;

	choose(&c, series_7);
	assert_int_equal(c.n, 10);
	assert_true(recorded(&c, "iommu:iommu_replace_device_pasid_exit") >= 0);
	assert_true(recorded(&c, "iommufd:iommufd_device_replace") >= 0);
	assert_true(recorded(&c, "iommufd:iommufd_viommu_invalidate_exit") >= 0);
	assert_true(recorded(&c, "iommufd:iommufd_vdevice_alloc") >= 0);
	assert_true(recorded(&c, "iommu:map") < 0);
	assert_true(recorded(&c, "syscalls:sys_exit_ioctl") < 0);
	assert_string_equal(c.rec.filter[recorded(&c, "syscalls:sys_enter_ioctl")],
			    "cmd == 0xae01");
	expect_log(&c, "vsva-perf: iommu: not recorded: the stock iommu");
	expect_log(&c, "vsva-perf: iommu_pasid: tracepoint rung: "
		   "iommu:iommu_attach_device_pasid_enter,");
	expect_log(&c, ",iommufd:iommufd_device_detach (");
	expect_log(&c, "vsva-perf: iommufd_viommu: tracepoint rung: ");
	free(c.log);
}

/* Its 6.12 backport: no PASID replace, no vIOMMU; said, not failed. */
static void test_record_series_612(void **state)
{
	struct chosen c;

	choose(&c, series_612);
	assert_int_equal(c.n, 9);
	assert_true(recorded(&c, "iommu:iommu_replace_device_pasid_enter") < 0);
	assert_true(recorded(&c, "iommufd:iommufd_device_attach") >= 0);
	expect_log(&c, "not in this kernel's tracefs, not recorded: "
		   "iommu:iommu_replace_device_pasid_enter,"
		   "iommu:iommu_replace_device_pasid_exit\n");
	expect_log(&c, "vsva-perf: iommufd_viommu: not recorded: this kernel "
		   "has none of its tracepoints\n");
	free(c.log);
}

/* A stock kernel: deletions as ioctls, one filter for both decoders of
 * sys_enter_ioctl, and what perf cannot tell said. */
static void test_record_stock(void **state)
{
	struct chosen c;
	int i;

	choose(&c, stock);
	/* memslot, mmu, injection, bypass (from the IRTE), VMs */
	assert_int_equal(c.n, 5);
	expect_log(&c, "vsva-perf: kvm_irq_bypass: stock_tracepoint rung: "
		   "kvm:kvm_pi_irte_update (approximate: ");
	i = recorded(&c, "syscalls:sys_enter_ioctl");
	assert_true(i >= 0);
	assert_string_equal(c.rec.filter[i], "cmd == 0x4020ae46 || "
			    "cmd == 0x40a0ae49 || cmd == 0xae01");
	assert_true(recorded(&c, "syscalls:sys_exit_ioctl") >= 0);
	expect_log(&c, "vsva-perf:   perf cannot read the ioctl's argument");
	expect_log(&c, "vsva-perf: iommu_pasid: not recorded: this kernel has "
		   "none of its tracepoints (vsvad can measure it on its "
		   "fentry rung, which perf cannot record)\n");
	free(c.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_measurement_has_a_decoder),
		cmocka_unit_test(test_decoder_events_are_rungs),
		cmocka_unit_test(test_rung_events_are_decoded),
		cmocka_unit_test(test_names_and_keys),
		cmocka_unit_test(test_record_series_7),
		cmocka_unit_test(test_record_series_612),
		cmocka_unit_test(test_record_stock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
