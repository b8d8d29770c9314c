// SPDX-License-Identifier: GPL-2.0
/*
 * One chooser for every measurement: walk its rungs best first, take the
 * first whose kernel features are all there, and say why the higher ones
 * lost, from the reasons detection gave for each missing feature.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "vsva/ladder.h"

static const char *const rung_names[VSVA_NRUNGS] = {
	[VSVA_RUNG_NONE] = "none",
	[VSVA_RUNG_OWN_TP] = "tracepoint",
	[VSVA_RUNG_FENTRY] = "fentry",
	[VSVA_RUNG_KPROBE] = "kprobe",
	[VSVA_RUNG_STOCK_TP] = "stock_tracepoint",
	[VSVA_RUNG_CLASSIC_TP] = "classic_tracepoint",
	[VSVA_RUNG_SYSCALL_TP] = "syscall_tracepoint",
	[VSVA_RUNG_PROCFS] = "procfs",
};

const char *vsva_rung_name(enum vsva_rung r)
{
	return r < VSVA_NRUNGS ? rung_names[r] : "none";
}

int vsva_rung_parse(const char *name, enum vsva_rung *r)
{
	int i;

	for (i = VSVA_RUNG_OWN_TP; i < VSVA_NRUNGS; i++) {
		if (!strcmp(name, rung_names[i])) {
			*r = i;
			return 0;
		}
	}
	return -1;
}

void vsva_feat(struct vsva_features *f, enum vsva_feature x, bool ok,
	       const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		f->have |= VSVA_BIT(x);
		f->why[x][0] = 0;
		return;
	}
	f->have &= ~VSVA_BIT(x);
	va_start(ap, fmt);
	vsnprintf(f->why[x], sizeof(f->why[x]), fmt, ap);
	va_end(ap);
}

/* Append "; @s" to @buf unless it says that already. */
static void add_why(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (!s[0] || strstr(buf, s))
		return;
	snprintf(buf + n, len - n, "%s%s", n ? "; " : "", s);
}

/* Why rung @d cannot be used, or NULL if it can. */
static const char *missing(const struct vsva_rung_def *d,
			   const struct vsva_features *f,
			   const struct vsva_choice *choices,
			   const struct vsva_choice *c, char *buf, size_t len)
{
	int i;

	if (c->refused & VSVA_BIT(d->rung))
		return "";		/* c->failed says why */
	for (i = 0; i < VSVA_NFEATURES; i++)
		if ((d->needs & VSVA_BIT(i)) && !vsva_has(f, i))
			return f->why[i];
	if (d->after >= 0 && choices && !choices[d->after].rung) {
		snprintf(buf, len, "%s: %.300s", d->after_why,
			 choices[d->after].reason);
		return buf;
	}
	return NULL;
}

static void choose_rung(struct vsva_choice *c, const struct vsva_rung_def *d,
			const struct vsva_features *f, const char *lost)
{
	bool tdp = d->approx_if && (f->have & d->approx_if) == d->approx_if;

	c->rung = d->rung;
	c->approximate = d->approximate || tdp;
	snprintf(c->reason, sizeof(c->reason), "%s%s%s", tdp ? d->approx_why :
		 "", tdp ? "; " : "", d->uses);
	add_why(c->reason, sizeof(c->reason), lost);
}

void vsva_choose(int mi, const struct vsva_features *f, enum vsva_rung force,
		 const struct vsva_choice *choices, struct vsva_choice *c)
{
	const struct vsva_measurement *m = &vsva_measurements[mi];
	const struct vsva_rung_def *d;
	char lost[512] = "", buf[512];
	const char *why;
	int i;

	c->rung = VSVA_RUNG_NONE;
	c->approximate = false;
	for (i = 0; i < VSVA_MAX_RUNGS && m->rungs[i].rung; i++) {
		d = &m->rungs[i];
		if (force && d->rung != force)
			continue;
		why = missing(d, f, choices, c, buf, sizeof(buf));
		if (!why) {
			choose_rung(c, d, f, lost);
			break;
		}
		add_why(lost, sizeof(lost), why);
	}
	if (!c->rung && force)
		snprintf(c->reason, sizeof(c->reason), "forced rung %s is not "
			 "available%s%s", vsva_rung_name(force),
			 lost[0] ? ": " : "", lost[0] ? lost :
			 vsva_rung_def(m, force) ? "" : " for this measurement");
	else if (!c->rung)
		snprintf(c->reason, sizeof(c->reason), "%s", lost);
	add_why(c->reason, sizeof(c->reason), c->failed);
}

void vsva_choose_all(const struct vsva_features *f, const enum vsva_rung *force,
		     struct vsva_choice *choice)
{
	bool done[VSVA_NMEASUREMENTS] = { false };
	int m, i, after;

	/* a rung may need another measurement: choose that one first */
	for (m = 0; m < VSVA_NMEASUREMENTS; m++) {
		for (i = 0; i < VSVA_MAX_RUNGS; i++) {
			after = vsva_measurements[m].rungs[i].after;
			if (vsva_measurements[m].rungs[i].rung && after >= 0 &&
			    !done[after]) {
				vsva_choose(after, f, force[after], choice,
					    &choice[after]);
				done[after] = true;
			}
		}
		if (!done[m])
			vsva_choose(m, f, force[m], choice, &choice[m]);
		done[m] = true;
	}
}

bool vsva_source_wanted(enum vsva_source_id src,
			const struct vsva_choice *choice)
{
	int m;

	for (m = 0; m < VSVA_NMEASUREMENTS; m++)
		if (vsva_measurements[m].source == src && choice[m].rung)
			return true;
	return false;
}

/* Does rung @d enable @prog on a kernel with @f? */
static bool rung_has(const struct vsva_rung_def *d,
		     const struct vsva_features *f, const char *prog)
{
	int i;

	for (i = 0; d && i < VSVA_MAX_PROGS && d->progs[i]; i++)
		if (!strcmp(d->progs[i], prog))
			return true;
	for (i = 0; d && i < 2 && d->opt_progs[i]; i++)
		if ((f->have & d->opt_needs) == d->opt_needs &&
		    !strcmp(d->opt_progs[i], prog))
			return true;
	return false;
}

int vsva_prog_owner(enum vsva_source_id src, const struct vsva_features *f,
		    const struct vsva_choice *choice, const char *prog)
{
	const struct vsva_measurement *m;
	int i;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		m = &vsva_measurements[i];
		if (m->source == src && choice[i].rung &&
		    rung_has(vsva_rung_def(m, choice[i].rung), f, prog))
			return i;
	}
	return -1;
}
