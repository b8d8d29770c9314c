// SPDX-License-Identifier: GPL-2.0
/*
 * What vsva-perf record records: the measurement table names, per rung,
 * the tracefs events a recording needs (and those a later kernel adds);
 * each measurement that has a decoder is recorded on its best rung whose
 * events this kernel has (perf cannot record fentry or kprobe rungs).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perf-record.h"
#include "perf-report.h"

bool rec_have_event(const char *ev)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };
	char path[256], sys[64], name[128];
	int i;

	if (sscanf(ev, "%63[^:]:%127s", sys, name) != 2)
		return false;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s/format", roots[i], sys,
			 name);
		if (!access(path, R_OK))
			return true;
	}
	return false;
}

static bool have_all(const char *events, bool (*have)(const char *))
{
	char buf[1024], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", events);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!have(tok))
			return false;
	return true;
}

/* Append to @list (",") those of @events @have says are here (@want) or
 * are not (!@want). */
static void pick(char *list, size_t len, const char *events,
		 bool (*have)(const char *), bool want)
{
	char buf[1024], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", events ? events : "");
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (have(tok) == want)
			snprintf(list + strlen(list), len - strlen(list),
				 "%s%s", list[0] ? "," : "", tok);
}

/* Add each event of @events; the filter goes with its first event (the
 * syscall rungs filter sys_enter_ioctl by command) and ORs with one an
 * event already has. */
static void add_events(struct recording *rec, const char *events,
		       const char *filter)
{
	char buf[1024], *tok, *save, *f;
	bool first = true;
	int i;

	snprintf(buf, sizeof(buf), "%s", events);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save), first = false) {
		for (i = 0; i < rec->n && strcmp(rec->events[i], tok); i++)
			;
		if (i == rec->n) {
			if (rec->n == REC_EVENTS) {
				rec->full = true;
				return;
			}
			snprintf(rec->events[rec->n++], 128, "%s", tok);
		}
		if (!first || !filter)
			continue;
		f = rec->filter[i];
		if (!f[0])
			snprintf(f, 256, "%s", filter);
		else if (!strstr(f, filter))
			snprintf(f + strlen(f), 256 - strlen(f), " || %s",
				 filter);
	}
}

static const struct decoder *decoder_of(enum vsva_mid m)
{
	int i;

	for (i = 0; vsva_decoders[i]; i++)
		if (vsva_decoders[i]->mid == m)
			return vsva_decoders[i];
	return NULL;
}

/* Rung @r of @m, recorded: its events, what it times, why. */
static void record_rung(struct recording *rec, const struct vsva_measurement *m,
			const struct decoder *dec, const struct vsva_rung_def *r,
			bool (*have)(const char *), FILE *log)
{
	char events[1024] = "", absent[1024] = "";

	snprintf(events, sizeof(events), "%s", r->perf_events);
	pick(events, sizeof(events), r->perf_opt_events, have, true);
	pick(absent, sizeof(absent), r->perf_opt_events, have, false);
	fprintf(log, "vsva-perf: %s: %s rung: %s%s%s (%s)\n", m->name,
		vsva_rung_name(r->rung), events, r->perf_filter ? " if " : "",
		r->perf_filter ? r->perf_filter : "", r->uses);
	if (absent[0])
		fprintf(log, "vsva-perf:   not in this kernel's tracefs, not "
			"recorded: %s\n", absent);
	if (dec->note && dec->note_rung == r->rung)
		fprintf(log, "vsva-perf:   %s\n", dec->note);
	add_events(rec, events, r->perf_filter);
}

static bool any_perf_events(const struct vsva_measurement *m)
{
	int k;

	for (k = 0; k < VSVA_MAX_RUNGS && m->rungs[k].rung; k++)
		if (m->rungs[k].perf_events)
			return true;
	return false;
}

/* Measurement @i on its best recordable rung: 1 if recorded. */
static int choose_one(struct recording *rec, int i,
		      bool (*have)(const char *), FILE *log)
{
	const struct vsva_measurement *m = &vsva_measurements[i];
	const struct decoder *dec = decoder_of(i);
	const struct vsva_rung_def *r;
	const char *vsvad_only = NULL;
	int k;

	if (!any_perf_events(m))
		return 0;		/* a counter file, say */
	if (!dec || dec->skip) {
		fprintf(log, "vsva-perf: %s: not recorded: %s\n", m->name,
			dec ? dec->skip : "vsva-perf cannot decode it (a bug: "
			"test_perfops says so)");
		return 0;
	}
	for (k = 0; k < VSVA_MAX_RUNGS && m->rungs[k].rung; k++) {
		r = &m->rungs[k];
		if (!r->perf_events) {	/* fentry, kprobe */
			if (!vsvad_only)
				vsvad_only = vsva_rung_name(r->rung);
			continue;
		}
		if (!have_all(r->perf_events, have)) {
			fprintf(log, "vsva-perf: %s: %s: not all of %s are in "
				"tracefs\n", m->name, vsva_rung_name(r->rung),
				r->perf_events);
			continue;
		}
		record_rung(rec, m, dec, r, have, log);
		return 1;
	}
	fprintf(log, "vsva-perf: %s: not recorded: this kernel has none of "
		"its tracepoints", m->name);
	if (vsvad_only)
		fprintf(log, " (vsvad can measure it on its %s rung, which "
			"perf cannot record)", vsvad_only);
	fputc('\n', log);
	return 0;
}

int rec_choose(struct recording *rec, bool (*have)(const char *ev),
	       FILE *log)
{
	int i, n = 0;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++)
		n += choose_one(rec, i, have, log);
	return n;
}
