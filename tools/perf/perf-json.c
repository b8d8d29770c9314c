// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report as JSON and CSV: the same rows as the text, with the
 * recording's header, every event's count, the slowest operations and
 * the timeline.  Strings from the recording are escaped for JSON and
 * quoted for CSV (RFC 4180) by tools/common/textesc.c.
 */
#include <stdlib.h>
#include <string.h>
#include "perf-out.h"
#include "textesc.h"
#include "vsva/names.h"

static void op_json(const struct report *r, const struct op *o, FILE *f,
		    bool first)
{
	const char *meas, *key;
	const struct drow *d = out_op_key(r, o, &meas, &key);
	const struct decoder *dec = out_op_decoder(r, o);
	const struct vm *v = rep_vm_find(r, o->tgid);
	char vm[40];

	snprintf(vm, sizeof(vm), "%s/%u", v ? v->comm : "?", o->tgid);
	fprintf(f, "%s{\"time\":%.9f,\"cpu\":%d,\"tid\":%u,\"vm\":",
		first ? "" : ",", o->start * NS, o->cpu, o->tid);
	esc_json(f, vm);
	fprintf(f, ",\"measurement\":\"%s\",\"key\":\"%s\",\"seconds\":%.9f,"
		"\"ok\":%s", meas, key, (o->end - o->start) * NS,
		o->ok ? "true" : "false");
	if (d) {
		fputs(",\"device\":", f);
		esc_json(f, d->dev);
		if (r->keys[o->key]->flags & KEY_DOMAIN)
			fprintf(f, ",\"domain_type\":\"%s\"",
				vsva_domain_type_name(d->domain_type));
	} else if (dec->op_json) {
		dec->op_json(o, key, f);
	}
	fputc('}', f);
}

static void json_row(const struct orow *w, FILE *f)
{
	fprintf(f, "{\"count\":%llu", (unsigned long long)w->st.count);
	if (w->flags & KEY_ERRS)
		fprintf(f, ",\"errors\":%llu",
			(unsigned long long)w->st.errors);
	if (w->flags & KEY_TIMED)
		fprintf(f, ",\"min_seconds\":%.9f,\"p50_seconds\":%.9f,"
			"\"p99_seconds\":%.9f,\"max_seconds\":%.9f,"
			"\"mean_seconds\":%.9f,\"stddev_seconds\":%.9f,"
			"\"total_seconds\":%.9f", w->st.min, w->st.p50,
			w->st.p99, w->st.max, w->st.mean, w->st.sd,
			w->st.total);
	if (w->flags & KEY_ENTRIES)
		fprintf(f, ",\"entries\":%llu,\"entries_requested\":%llu",
			(unsigned long long)w->entries,
			(unsigned long long)w->entries_req);
	if (w->d) {
		fprintf(f, ",\"labels\":{\"op\":\"%s\",\"device\":", w->key);
		esc_json(f, w->d->dev);
		if (w->flags & KEY_DOMAIN)
			fprintf(f, ",\"domain_type\":\"%s\"",
				vsva_domain_type_name(w->d->domain_type));
		fputc('}', f);
	}
	fputc('}', f);
}

/* @o's rows, grouped by measurement in the table's order. */
static void json_vm(const struct report *r, struct out_vm *o, FILE *f,
		    bool first)
{
	struct orow *rows;
	int n = out_rows(r, o, &rows), m, i;
	bool any = false, open;
	char key[96];

	fprintf(f, "%s{\"vm\":", first ? "" : ",");
	esc_json(f, o->name);
	fprintf(f, ",\"pid\":%u,\"comm\":", o->pid);
	esc_json(f, o->vm ? o->vm->comm : "");
	fprintf(f, ",\"unpaired\":%llu,\"measurements\":{",
		(unsigned long long)o->unpaired);
	for (m = 0; m < VSVA_NMEASUREMENTS; m++) {
		open = false;
		for (i = 0; i < n; i++) {
			if ((int)rows[i].meas != m)
				continue;
			fprintf(f, "%s", open ? "," : any ? ",\"" : "\"");
			if (!open)
				fprintf(f, "%s\":{", rep_mname(m));
			out_row_key(&rows[i], key, sizeof(key));
			esc_json(f, key);
			fputc(':', f);
			json_row(&rows[i], f);
			open = any = true;
		}
		if (open)
			fputc('}', f);
	}
	fputs("}}", f);
	free(rows);
}

static void json_header(const struct report *r, FILE *f)
{
	int j;

	fputs("{\"recording\":{\"file\":", f);
	esc_json(f, r->file);
	fputs(",\"kernel\":", f);
	esc_json(f, r->kernel);
	fputs(",\"host\":", f);
	esc_json(f, r->host);
	fprintf(f, ",\"duration_seconds\":%.9f,\"events\":{",
		r->last > r->first ? (r->last - r->first) * NS : 0.0);
	for (j = 0; j < r->nev; j++)
		fprintf(f, "%s\"%s\":%llu", j ? "," : "", r->ev[j].name,
			(unsigned long long)r->events[j]);
	fprintf(f, "}},\"lost_events\":%llu,\"lost_records\":%llu,"
		"\"incomplete\":%s,\"undecodable\":%llu,\"unpaired_overflow\":"
		"%llu,\"rows_overflow\":%llu,",
		(unsigned long long)r->lost,
		(unsigned long long)r->lost_records,
		r->lost || r->pending_full || r->rows_full ? "true" : "false",
		(unsigned long long)r->undecodable,
		(unsigned long long)r->pending_full,
		(unsigned long long)r->rows_full);
}

void print_json(struct report *r, struct out_vm *o, int n, FILE *f)
{
	const struct op **v;
	bool first = true;
	uint64_t i, m;
	int j;

	json_header(r, f);
	fputs("\"vms\":[", f);
	for (j = 2; j < n + 2; j++) {	/* the VMMs, then the merged two */
		struct out_vm *x = &o[j < n ? j : j - n];

		if (out_empty(r, x))
			continue;
		json_vm(r, x, f, first);
		first = false;
	}
	fputs("],\"slowest\":[", f);
	v = out_slowest(r, &m);
	for (i = 0; v && i < m; i++)
		op_json(r, v[i], f, !i);
	free(v);
	fputc(']', f);
	if (r->timeline) {
		fputs(",\"timeline\":[", f);
		for (i = 0; i < r->nops; i++)
			op_json(r, &r->ops[i], f, !i);
		fputc(']', f);
	}
	fputs("}\n", f);
}

void print_csv(struct report *r, struct out_vm *o, int n, FILE *f)
{
	struct orow *rows;
	char key[96];
	int j, k, nr;

	fprintf(f, "vm,pid,measurement,key,count,errors,min_seconds,"
		"p50_seconds,p99_seconds,max_seconds,mean_seconds,"
		"stddev_seconds,incomplete\n");
	for (j = 2; j < n + 2; j++) {
		struct out_vm *x = &o[j < n ? j : j - n];

		nr = out_rows(r, x, &rows);
		for (k = 0; k < nr; k++) {
			out_row_key(&rows[k], key, sizeof(key));
			esc_csv(f, x->name);
			fprintf(f, ",%u,%s,", x->pid, rep_mname(rows[k].meas));
			esc_csv(f, key);
			fprintf(f, ",%llu,%llu,",
				(unsigned long long)rows[k].st.count,
				(unsigned long long)rows[k].st.errors);
			if (rows[k].st.n)
				fprintf(f, "%.9f,%.9f,%.9f,%.9f,%.9f,%.9f,",
					rows[k].st.min, rows[k].st.p50,
					rows[k].st.p99, rows[k].st.max,
					rows[k].st.mean, rows[k].st.sd);
			else
				fputs(",,,,,,", f);
			fprintf(f, "%s\n", r->lost ? "true" : "false");
		}
		free(rows);
	}
}
