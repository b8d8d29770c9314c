// SPDX-License-Identifier: GPL-2.0
/*
 * The ladder as this kernel resolves it, without loading anything
 * (`vsvad --probe`), and the --rung M=RUNG option every program shares.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "vsva/engine.h"
#include "vsva/ladder.h"

int vsva_rung_option(const char *arg, enum vsva_rung *force, char *err,
		     size_t len)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	enum vsva_rung r;
	int m, i;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, len, "--rung '%s': expected MEASUREMENT=RUNG", arg);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	m = vsva_measurement_find(name);
	if (m < 0) {
		snprintf(err, len, "--rung '%s': no measurement '%s' (see "
			 "vsvad --probe)", arg, name);
		return -1;
	}
	if (vsva_rung_parse(eq + 1, &r) ||
	    !vsva_rung_def(&vsva_measurements[m], r)) {
		snprintf(err, len, "--rung '%s': %s has no rung '%s'; its "
			 "rungs:", arg, name, eq + 1);
		for (i = 0; i < VSVA_MAX_RUNGS &&
			    vsva_measurements[m].rungs[i].rung; i++)
			snprintf(err + strlen(err), len - strlen(err), " %s",
				 vsva_rung_name(vsva_measurements[m].rungs[i].rung));
		return -1;
	}
	force[m] = r;
	return 0;
}

static void print_rung(FILE *out, const struct vsva_rung_def *d,
		       const struct vsva_features *f,
		       const struct vsva_choice *c)
{
	const char *state = "";
	int i;

	if (d->rung == c->rung)
		state = "  <- chosen";
	fprintf(out, "    %-19s%s\n", vsva_rung_name(d->rung), state);
	for (i = 0; i < VSVA_NFEATURES; i++)
		if ((d->needs & VSVA_BIT(i)) && !vsva_has(f, i))
			fprintf(out, "      missing: %s\n", f->why[i]);
	if (c->refused & VSVA_BIT(d->rung))
		fprintf(out, "      refused: its programs failed to load\n");
	fprintf(out, "      programs:");
	for (i = 0; i < VSVA_MAX_PROGS && d->progs[i]; i++)
		fprintf(out, " %s", d->progs[i]);
	for (int k = 0; k < 2 && d->opt_progs[k]; k++)
		fprintf(out, " %s%s", d->opt_progs[k],
			(f->have & d->opt_needs) == d->opt_needs ? "" :
			" (not here)");
	fprintf(out, "%s\n      perf record: %s%s%s%s\n", i ? "" : " (none)",
		d->perf_events ? d->perf_events : "(cannot record this rung; "
		"a recording uses the best tracepoint rung)",
		d->perf_filter ? " --filter '" : "",
		d->perf_filter ? d->perf_filter : "",
		d->perf_filter ? "'" : "");
	if (d->perf_opt_events)
		fprintf(out, "      and where tracefs has them: %s\n",
			d->perf_opt_events);
}

void vsva_probe_print(FILE *out, const struct vsva_features *f,
		      const struct vsva_choice *choice)
{
	const struct vsva_measurement *m;
	const struct vsva_choice *c;
	int i, r;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		m = &vsva_measurements[i];
		c = &choice[i];
		fprintf(out, "%s (%s source): %s%s\n  %s\n", m->name,
			vsva_sources[m->source].name, vsva_rung_name(c->rung),
			c->approximate ? ", approximate" : "", c->reason);
		for (r = 0; r < VSVA_MAX_RUNGS && m->rungs[r].rung; r++)
			print_rung(out, &m->rungs[r], f, c);
	}
}

static void put_mib(FILE *out, double bytes)
{
	fprintf(out, " %10.2f", bytes / (1 << 20));
}

static double map_bytes(const struct vsva_map_mem *m, int ncpus)
{
	return m->fixed + m->elems + (double)m->per_cpu * ncpus;
}

void vsva_maps_memory_print(FILE *out, unsigned int max_vms)
{
	struct vsva_map_mem here[64], big[64];
	int ncpus = libbpf_num_possible_cpus(), n, i;
	double th = 0, tb = 0, te = 0;

	n = vsva_maps_memory(max_vms, ncpus, here, 64);
	if (n < 0 || vsva_maps_memory(max_vms, 256, big, 64) != n) {
		fprintf(out, "kernel memory of the maps: cannot open the "
			"objects: %s\n", strerror(n < 0 ? -n : EINVAL));
		return;
	}
	fprintf(out, "\nkernel memory of vsva's maps, every map full (--max-vms "
		"%u), MiB:\n%-8s %-16s %-12s %8s %10s %10s\n", max_vms ?
		max_vms : VSVA_DEFAULT_MAX_VMS, "object", "map", "type",
		"entries", "here", "256 CPUs");
	for (i = 0; i < n; i++) {
		th += map_bytes(&here[i], ncpus);
		tb += map_bytes(&big[i], 256);
		te += here[i].elems + (double)here[i].per_cpu * ncpus;
		fprintf(out, "%-8s %-16s %-12s %8u", here[i].obj, here[i].name,
			here[i].type, here[i].entries);
		put_mib(out, map_bytes(&here[i], ncpus));
		put_mib(out, map_bytes(&big[i], 256));
		fputc('\n', out);
	}
	fprintf(out, "%-47s", "total");
	put_mib(out, th);
	put_mib(out, tb);
	fprintf(out, "\n%-47s", "of which taken as entries come");
	put_mib(out, te);
	fprintf(out, "\n(here: %d possible CPUs; an estimate of what Linux "
		"allocates, see src/lib/mapmem.c)\n", ncpus);
}
