// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench compare and ab: a comparison's rows (bench-rows.c) printed as
 * a table (text or markdown), CSV or JSON, and plotted (bench-plot.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench-ab.h"
#include "bench-rows.h"

static void fmt_summary(char *buf, size_t len, const struct summary *s)
{
	if (s->ci)
		snprintf(buf, len, "%.4g [%.4g, %.4g]", s->med, s->lo, s->hi);
	else
		snprintf(buf, len, "%.4g (n<%d: no CI)", s->med, ST_MIN_CI);
}

static void fmt_delta(char *buf, size_t len, const struct row *r)
{
	if (r->t.method != ST_NONE && !r->significant)
		snprintf(buf, len, "~");
	else if (!r->a.med)	/* no percentage of 0 */
		snprintf(buf, len, "%+.4g (A: 0)", r->shift);
	else if (r->ci)
		snprintf(buf, len, "%+.2f%% [%+.2f%%, %+.2f%%]", r->dpct,
			 r->d_lo, r->d_hi);
	else
		snprintf(buf, len, "%+.2f%%", r->dpct);
}

static void print_table(const struct cmp *c, const struct side *a,
			const struct side *b, const struct compare_opts *o,
			bool md, FILE *f)
{
	char sa[96], sb[96], dl[96], p[32];
	int i, w = 6;

	for (i = 0; i < c->nrows; i++)
		if ((int)strlen(c->rows[i].name) > w)
			w = strlen(c->rows[i].name);
	fprintf(f, "%sA: %s (%d runs, %d failed)\n%sB: %s (%d runs, %d failed)\n"
		"%s%s runs; change = Hodges-Lehmann shift in %% of A's median, "
		"95%% CI; p Holm-adjusted over %d figures; noise %.1f%%\n\n",
		md ? "- " : "", a->label, a->nruns, a->failed, md ? "- " : "",
		b->label, b->nruns, b->failed, md ? "- " : "",
		o->paired ? "paired (Wilcoxon signed-rank)" :
			    "independent (Mann-Whitney U)", c->nrows,
		o->noise_pct);
	if (md)
		fprintf(f, "| figure | A median [95%% CI] | B median [95%% CI] | "
			"change [95%% CI] | p | n | verdict |\n|---|---|---|---|"
			"---|---|---|\n");
	else
		fprintf(f, "%-*s  %-32s  %-32s  %-30s  %-8s  %-7s  %s\n", w,
			"figure", "A median [95% CI]", "B median [95% CI]",
			"change [95% CI]", "p", "n", "verdict");
	for (i = 0; i < c->nrows; i++) {
		const struct row *r = &c->rows[i];

		fmt_summary(sa, sizeof(sa), &r->a);
		fmt_summary(sb, sizeof(sb), &r->b);
		fmt_delta(dl, sizeof(dl), r);
		if (isnan(r->p_holm))
			snprintf(p, sizeof(p), "-");
		else
			snprintf(p, sizeof(p), "%.3g", r->p_holm);
		if (md)
			fprintf(f, "| `%s` | %s | %s | %s | %s | %d+%d | %s |\n",
				r->name, sa, sb, dl, p, r->a.n, r->b.n,
				r->verdict);
		else
			fprintf(f, "%-*s  %-32s  %-32s  %-30s  %-8s  %3d+%-3d  "
				"%s\n", w, r->name, sa, sb, dl, p, r->a.n,
				r->b.n, r->verdict);
	}
	if (c->hidden)
		fprintf(f, "\n%d figure(s) equal and constant on both sides "
			"(not shown)\n", c->hidden);
	if (json_object_array_length(c->warnings))
		fprintf(f, "\nwarnings:\n");
	for (i = 0; i < (int)json_object_array_length(c->warnings); i++)
		fprintf(f, "%s%s\n", md ? "- " : "  ",
			json_object_get_string(
				json_object_array_get_idx(c->warnings, i)));
}

static void print_csv(const struct cmp *c, FILE *f)
{
	int i;

	fprintf(f, "figure,a_median,a_ci_lo,a_ci_hi,a_n,b_median,b_ci_lo,"
		"b_ci_hi,b_n,change_pct,change_ci_lo_pct,change_ci_hi_pct,"
		"p_value,p_holm,significant,verdict\n");
	for (i = 0; i < c->nrows; i++) {
		const struct row *r = &c->rows[i];

		fprintf(f, "%s,%.9g,%.9g,%.9g,%d,%.9g,%.9g,%.9g,%d,%.6g,%.6g,"
			"%.6g,%.6g,%.6g,%s,%s\n", r->name, r->a.med, r->a.lo,
			r->a.hi, r->a.n, r->b.med, r->b.lo, r->b.hi, r->b.n,
			r->dpct, r->d_lo, r->d_hi, r->t.p, r->p_holm,
			r->significant ? "true" : "false", r->verdict);
	}
}

static json_object *jnum(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *jpair(bool have, double lo, double hi)
{
	json_object *a;

	if (!have)
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, jnum(lo));
	json_object_array_add(a, jnum(hi));
	return a;
}

static json_object *jsummary(const struct summary *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "median", jnum(s->med));
	json_object_object_add(o, "ci", jpair(s->ci, s->lo, s->hi));
	json_object_object_add(o, "n", json_object_new_int(s->n));
	return o;
}

static json_object *to_json(const struct cmp *c, const struct side *a,
			    const struct side *b, const struct compare_opts *o,
			    json_object *context)
{
	static const char *const methods[] = { "none", "exact", "asymptotic",
					       "constant" };
	json_object *j = json_object_new_object(), *m, *r1, *s;
	int i;

	m = json_object_new_array();
	for (i = 0; i < c->nrows; i++) {
		const struct row *r = &c->rows[i];

		r1 = json_object_new_object();
		json_object_object_add(r1, "name", json_object_new_string(r->name));
		json_object_object_add(r1, "a", jsummary(&r->a));
		json_object_object_add(r1, "b", jsummary(&r->b));
		json_object_object_add(r1, "delta_pct", jnum(r->dpct));
		json_object_object_add(r1, "delta_ci_pct",
				       jpair(r->ci, r->d_lo, r->d_hi));
		json_object_object_add(r1, "shift", jnum(r->shift));
		json_object_object_add(r1, "test", json_object_new_string(
			o->paired ? "wilcoxon_signed_rank" : "mann_whitney_u"));
		json_object_object_add(r1, "method",
				       json_object_new_string(methods[r->t.method]));
		json_object_object_add(r1, "p_value", jnum(r->t.p));
		json_object_object_add(r1, "p_holm", jnum(r->p_holm));
		json_object_object_add(r1, "significant",
				       json_object_new_boolean(r->significant));
		json_object_object_add(r1, "verdict",
				       json_object_new_string(r->verdict));
		json_object_array_add(m, r1);
	}
	json_object_object_add(j, "metrics", m);
	json_object_object_add(j, "warnings", json_object_get(c->warnings));
	for (i = 0; i < 2; i++) {
		const struct side *x = i ? b : a;

		s = json_object_new_object();
		json_object_object_add(s, "label", json_object_new_string(x->label));
		json_object_object_add(s, "runs", json_object_new_int(x->nruns));
		json_object_object_add(s, "failed_runs",
				       json_object_new_int(x->failed));
		if (x->path)
			json_object_object_add(s, "file",
					       json_object_new_string(x->path));
		json_object_object_add(j, i ? "side_b" : "side_a", s);
	}
	json_object_object_add(j, "paired", json_object_new_boolean(o->paired));
	json_object_object_add(j, "noise_pct", json_object_new_double(o->noise_pct));
	json_object_object_add(j, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(j, "hidden_constant", json_object_new_int(c->hidden));
	json_object_object_add(j, "context", json_object_get(context));
	return j;
}

static int plot(const struct cmp *c, const struct side *a,
		const struct side *b, const char *dir)
{
	struct plot_change *ch = calloc(c->nrows + 1, sizeof(*ch));
	int i, rc;

	if (!ch)
		return -1;
	for (i = 0; i < c->nrows; i++)
		ch[i] = (struct plot_change){ c->rows[i].name, c->rows[i].dpct,
			c->rows[i].ci ? c->rows[i].d_lo : NAN,
			c->rows[i].ci ? c->rows[i].d_hi : NAN };
	rc = compare_plot(a, b, ch, c->nrows, dir);
	free(ch);
	return rc;
}

int compare_print(const struct side *a, const struct side *b,
		  const struct compare_opts *o, json_object *context,
		  FILE *out)
{
	struct cmp c = { 0 };
	json_object *j = NULL;
	int rc = 0;

	if (compare_build(&c, a, b, o)) {
		rc = 1;
		goto out;
	}
	if (!c.nrows && !c.hidden) {
		fprintf(stderr, "vsva-bench: %s and %s have no figure in common\n",
			a->label, b->label);
		rc = EXIT_BENCH_INPUT;
		goto out;
	}
	j = to_json(&c, a, b, o, context);
	if (!strcmp(o->format, "json"))
		fprintf(out, "%s\n", json_object_to_json_string_ext(j,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (!strcmp(o->format, "csv"))
		print_csv(&c, out);
	else
		print_table(&c, a, b, o, !strcmp(o->format, "markdown"), out);
	if (o->json_out && json_object_to_file_ext(o->json_out, j,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "vsva-bench: cannot write %s\n", o->json_out);
		rc = 1;
	}
	if (o->plot_dir && plot(&c, a, b, o->plot_dir))
		rc = 1;
out:
	json_object_put(j);
	json_object_put(c.warnings);
	free(c.rows);
	return rc;
}
