// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf's perf dlfilter (perf script --dlfilter): perf reads and
 * orders perf.data, this pairs the enter and exit of each operation per
 * thread, attributes it to its VM (the thread group) and prints the
 * report at the end.  It filters every sample out, so perf script itself
 * prints nothing.  vsva-perf passes it, as --dlarg, the field layouts it
 * read from the recording's own tracepoint formats (never offsets of its
 * own) and the report options; see tools/perf/vsva-perf.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <perf/perf_dlfilter.h>
#include "perf-report.h"

struct perf_dlfilter_fns perf_dlfilter_fns;

/* A field as vsva-perf found it: "field=OFF:SIZE:NAME:SYS:EVENT", or
 * "strfield=" (__data_loc) or "relstrfield=" (__rel_loc) for a string */
static int set_field(struct report *r, const char *spec, int loc)
{
	char ev[96], name[48];
	unsigned int off, size;

	if (sscanf(spec, "%u:%u:%47[^:]:%95s", &off, &size, name, ev) != 4)
		return -1;
	/* an event no decoder consumes is ignored */
	return rep_set_field(r, rep_event(r, ev), name, off, size, loc);
}

static int parse_arg(struct report *r, const char *a)
{
	if (!strncmp(a, "field=", 6))
		return set_field(r, a + 6, LOC_PLAIN);
	if (!strncmp(a, "strfield=", 9))
		return set_field(r, a + 9, LOC_DATA);
	if (!strncmp(a, "relstrfield=", 12))
		return set_field(r, a + 12, LOC_REL);
	return rep_option(r, a);
}

int start(void **data, void *ctx)
{
	struct report *r = rep_new();
	char **argv;
	int argc = 0, i;

	if (!r)
		return -1;
	argv = perf_dlfilter_fns.args ? perf_dlfilter_fns.args(ctx, &argc) :
					NULL;
	for (i = 0; i < argc; i++)
		if (parse_arg(r, argv[i])) {
			fprintf(stderr, "vsva-perf: bad filter argument '%s'\n",
				argv[i]);
			rep_free(r);
			return -1;
		}
	*data = r;
	return 0;
}

/* comm of the thread group, once per VM (perf's resolve_ip knows it) */
static void name_vm(struct report *r, struct vm *vm, void *ctx)
{
	const struct perf_dlfilter_al *al;

	if (vm->comm[0] || !perf_dlfilter_fns.resolve_ip)
		return;
	al = perf_dlfilter_fns.resolve_ip(ctx);
	if (al && al->comm)
		snprintf(vm->comm, sizeof(vm->comm), "%s", al->comm);
	else
		snprintf(vm->comm, sizeof(vm->comm), "?");
}

int filter_event(void *data, const struct perf_dlfilter_sample *s, void *ctx)
{
	struct report *r = data;
	struct sample e;
	int ev;

	if (!s->event)
		return 1;
	ev = rep_event_cached(r, s->event);
	if (ev < 0)
		return 1;
	e = (struct sample){
		.ev = ev, .time = s->time, .pid = s->pid, .tid = s->tid,
		.cpu = s->cpu, .raw = s->raw_data, .raw_size = s->raw_size,
	};
	rep_sample(r, &e);
	if (e.vm)
		name_vm(r, e.vm, ctx);
	return 1;	/* perf script prints nothing */
}

int stop(void *data, void *ctx)
{
	struct report *r = data;
	int rc;

	if (!r)
		return 0;
	rc = rep_print(r, stdout);
	fflush(stdout);
	rep_free(r);
	return rc;
}

const char *filter_description(const char **long_description)
{
	*long_description = "Pairs vsva's tracepoints per thread and reports "
			    "per VM; run through vsva-perf report.";
	return "vsva-perf report";
}
