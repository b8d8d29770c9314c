// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement table as C data: vsva/measurements.def (every source,
 * measurement, rung and metric family) expanded into vsva_sources[],
 * vsva_measurements[] and vsva_families[], and the lookups on them.
 * vsvad, vsva-top, vsva-bench, vsva-perf and `vsvad --probe` all read
 * this one table.
 */
#include <string.h>
#include "vsva/ladder.h"

/* The rows of vsva/measurements.def, by their ids. */
const struct vsva_measurement vsva_measurements[VSVA_NMEASUREMENTS] = {
#define VSVA_RUNG_SHORTHANDS
#define VSVA_MEASUREMENT(id, nm, src, ...)				\
	[VSVA_M_##id] = { .name = nm, .source = VSVA_SRC_##src,	\
			  .rungs = { __VA_ARGS__ } },
#include "vsva/measurements.def"
};

const struct vsva_family_def vsva_families[VSVA_NFAMILIES] = {
#define VSVA_FAMILY(m, nm, ty, lab, hlp)				\
	[VSVA_FAM_##nm] = { .name = "vsva_" #nm, .help = hlp,		\
			    .type = VSVA_##ty, .labels = lab,		\
			    .measurement = VSVA_M_##m },
#define VSVA_HISTOGRAM(m, nm, lab, u, k, hlp)				\
	[VSVA_FAM_##nm] = { .name = "vsva_" #nm, .help = hlp,		\
			    .type = VSVA_HISTOGRAM, .labels = lab,	\
			    .unit = u, .kmin = k, .measurement = VSVA_M_##m },
#include "vsva/measurements.def"
};

const struct vsva_source_def vsva_sources[VSVA_NSOURCES] = {
#define VSVA_SOURCE(id, nm, ...)					\
	[VSVA_SRC_##id] = { .name = #nm, .always = { __VA_ARGS__ } },
#include "vsva/measurements.def"
};

const struct vsva_family_def *vsva_family_def(const char *name)
{
	int i;

	for (i = 0; i < VSVA_NFAMILIES; i++)
		if (!strcmp(vsva_families[i].name, name))
			return &vsva_families[i];
	return NULL;
}

struct vsva_family *vsva_snap_fam(struct vsva_snapshot *s, enum vsva_fam id)
{
	const struct vsva_family_def *d = &vsva_families[id];

	return vsva_snap_family(s, d->name, d->help, d->type);
}

void vsva_snap_source(struct vsva_snapshot *s, enum vsva_source_id src,
		      struct vsva_family **f)
{
	int i;

	for (i = 0; i < VSVA_NFAMILIES; i++)
		f[i] = vsva_measurements[vsva_families[i].measurement].source ==
		       src ? vsva_snap_fam(s, i) : NULL;
}

int vsva_hist_set_def(struct vsva_sample *m, enum vsva_fam id,
		      const uint64_t *slots, int nslots, double raw_sum)
{
	const struct vsva_family_def *d = &vsva_families[id];

	return vsva_hist_set(m, slots, nslots, d->kmin, d->unit,
			     raw_sum * d->unit);
}

int vsva_measurement_find(const char *name)
{
	int i;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++)
		if (!strcmp(vsva_measurements[i].name, name))
			return i;
	return -1;
}

const struct vsva_rung_def *vsva_rung_def(const struct vsva_measurement *m,
					  enum vsva_rung r)
{
	int i;

	for (i = 0; i < VSVA_MAX_RUNGS && m->rungs[i].rung; i++)
		if (m->rungs[i].rung == r)
			return &m->rungs[i];
	return NULL;
}
