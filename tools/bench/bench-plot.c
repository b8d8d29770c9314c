// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench --plot DIR: gnuplot charts of a comparison, PNG and SVG.
 * For each figure: its values by run order on both sides (drift shows
 * there) and their empirical CDFs; each vsva latency histogram of both
 * sides overlaid on a log2 axis; for the comparison: every figure's change
 * with its 95% CI against zero.  The data files and the script
 * stay in DIR, so a chart can be redrawn or restyled.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench-ab.h"

/* @name as a file name: letters, digits, '-', '_' and '.' */
static void safe(char *buf, size_t len, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i < len - 1; i++)
		buf[i] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
				"TUVWXYZ0123456789-_.", name[i]) ? name[i] : '_';
	buf[i] = 0;
}

/* @src inside gnuplot's single quotes: a quote doubled */
static const char *quoted(const char *src)
{
	static char buf[4][512];
	static int k;
	char *d = buf[k++ % 4];
	size_t i = 0;

	for (; *src && i < sizeof(buf[0]) - 2; src++) {
		if (*src == '\'')
			d[i++] = '\'';
		d[i++] = *src;
	}
	d[i] = 0;
	return d;
}

static const struct figure *find(const struct side *s, const char *name)
{
	int i;

	for (i = 0; i < s->nfig; i++)
		if (!strcmp(s->fig[i].name, name))
			return &s->fig[i];
	return NULL;
}

static void num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.9g", v);
	else
		fputs(" NaN", f);
}

/* DIR/NAME.dat: run, A, B per line */
static int write_data(const char *dir, const char *file,
		      const struct figure *a, const struct figure *b)
{
	char path[4200];
	int i, n = a->n > b->n ? a->n : b->n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# run A B\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "%d", i + 1);
		num(f, i < a->n ? a->v[i] : NAN);
		num(f, i < b->n ? b->v[i] : NAN);
		fputc('\n', f);
	}
	return fclose(f);
}

static void terminals(FILE *s, const char *base, const char *body)
{
	fprintf(s, "set terminal pngcairo size 900,500 noenhanced\n"
		"set output '%s.png'\n%sset terminal svg size 900,500 "
		"noenhanced\nset output '%s.svg'\nreplot\n", base, body, base);
}

static void figure_plots(FILE *s, const char *file, const char *name,
			 const struct side *a, const struct side *b)
{
	char body[2048], base[300];

	snprintf(body, sizeof(body), "set title '%s by run order'\n"
		 "set xlabel 'run'\nset ylabel '%s'\nset key outside\n"
		 "plot '%s.dat' using 1:2 with linespoints title 'A: %s', "
		 "'' using 1:3 with linespoints title 'B: %s'\n", quoted(name),
		 quoted(name), file, quoted(a->label), quoted(b->label));
	snprintf(base, sizeof(base), "%s-runs", file);
	terminals(s, base, body);
	snprintf(body, sizeof(body), "set title '%s: empirical CDF'\n"
		 "set xlabel '%s'\nset ylabel 'fraction of runs'\n"
		 "plot '%s.dat' using 2:(1) smooth cnormal with steps "
		 "title 'A: %s', '' using 3:(1) smooth cnormal with steps "
		 "title 'B: %s'\n", quoted(name), quoted(name), file,
		 quoted(a->label), quoted(b->label));
	snprintf(base, sizeof(base), "%s-cdf", file);
	terminals(s, base, body);
}

static const struct hist *hist_find(const struct side *s, const char *series)
{
	int i;

	for (i = 0; i < s->nhist; i++)
		if (!strcmp(s->hist[i].series, series))
			return &s->hist[i];
	return NULL;
}

/* Fraction of @h's values in the bucket ending at @le (cumulative
 * counts de-cumulated); 0 where @h lacks the bound. */
static double bucket_share(const struct hist *h, int i)
{
	double below = i ? h->cum[i - 1] : 0, all = h->n ? h->cum[h->n - 1] : 0;

	return all > 0 ? (h->cum[i] - below) / all : 0;
}

/* DIR/hist-NAME.dat: bucket bound (+Inf drawn at twice the last), the
 * share of A's and of B's values in it. */
static int write_hist(const char *dir, const char *file, const struct hist *a,
		      const struct hist *b)
{
	const struct hist *h = a ? a : b;
	char path[4200];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# le A_share B_share\n");
	for (i = 0; i < h->n; i++) {
		double le = isinf(h->le[i]) && i ? 2 * h->le[i - 1] : h->le[i];

		fprintf(f, "%.9g %.9g %.9g\n", le,
			a && i < a->n ? bucket_share(a, i) : 0,
			b && i < b->n ? bucket_share(b, i) : 0);
	}
	return fclose(f);
}

static bool counted(const struct hist *h)
{
	return h && h->n && h->cum[h->n - 1] > 0;
}

/* Each latency histogram that counted something on either side, both
 * sides overlaid on a log2 axis. */
static void hist_plots(FILE *s, const char *dir, const struct side *a,
		       const struct side *b)
{
	const struct hist *ha, *hb;
	char file[300], safe_name[256], body[2048];
	int i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < (k ? b->nhist : a->nhist); i++) {
			const struct hist *h = k ? &b->hist[i] : &a->hist[i];

			ha = hist_find(a, h->series);
			hb = hist_find(b, h->series);
			if ((k && ha) || (!counted(ha) && !counted(hb)) ||
			    (ha && hb && ha->n != hb->n))
				continue;	/* once each; same bounds */
			safe(safe_name, sizeof(safe_name), h->series);
			snprintf(file, sizeof(file), "hist-%s", safe_name);
			if (write_hist(dir, file, ha, hb))
				continue;
			snprintf(body, sizeof(body), "set title '%s: share of "
				 "operations per bucket'\n"
				 "set logscale x 2\nset xlabel 'upper bound'\n"
				 "set ylabel 'share'\nplot '%s.dat' using 1:2 "
				 "with histeps title 'A: %s', '' using 1:3 with "
				 "histeps title 'B: %s'\nunset logscale x\n",
				 quoted(h->series), file, quoted(a->label),
				 quoted(b->label));
			terminals(s, file, body);
		}
}

static int write_changes(const char *dir, const struct plot_change *ch,
			 int n)
{
	char path[4200];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/changes.dat", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# index change_pct ci_lo ci_hi name\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "%d", i);
		num(f, ch[i].pct);
		num(f, isfinite(ch[i].lo) ? ch[i].lo : ch[i].pct);
		num(f, isfinite(ch[i].hi) ? ch[i].hi : ch[i].pct);
		fprintf(f, " \"%s\"\n", ch[i].name);
	}
	return fclose(f);
}

static int run_gnuplot(const char *dir)
{
	char *argv[] = { "gnuplot", "plot.gp", NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {		/* its warnings go to gnuplot.log */
		if (chdir(dir) || !freopen("gnuplot.log", "w", stderr))
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "vsva-bench: gnuplot: %s (Debian: apt-get "
			"install gnuplot-nox)\n", strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	fprintf(stderr, "vsva-bench: gnuplot failed (status %d): see %s/"
		"gnuplot.log\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		dir);
	return -1;
}

int compare_plot(const struct side *a, const struct side *b,
		 const struct plot_change *ch, int n, const char *dir)
{
	const struct figure *fa, *fb;
	char file[256], path[4200];
	FILE *s;
	int i;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "vsva-bench: --plot %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/plot.gp", dir);
	s = fopen(path, "w");
	if (!s || write_changes(dir, ch, n)) {
		fprintf(stderr, "vsva-bench: --plot %s: cannot write: %s\n",
			dir, strerror(errno));
		if (s)
			fclose(s);
		return -1;
	}
	fprintf(s, "# vsva-bench: A = %s, B = %s\nset grid\n",
		quoted(a->label), quoted(b->label));
	for (i = 0; i < n; i++) {
		fa = find(a, ch[i].name);
		fb = find(b, ch[i].name);
		safe(file, sizeof(file), ch[i].name);
		if (!fa || !fb || write_data(dir, file, fa, fb))
			continue;
		figure_plots(s, file, ch[i].name, a, b);
	}
	hist_plots(s, dir, a, b);
	fprintf(s, "set terminal pngcairo size 1000,%d noenhanced\n"
		"set output 'changes.png'\nset title 'change of B against A "
		"(Hodges-Lehmann, 95%% CI)'\nset xlabel 'change (%%)'\n"
		"unset ylabel\nset ytics (", 200 + 24 * n);
	for (i = 0; i < n; i++)
		fprintf(s, "%s'%s' %d", i ? ", " : "", quoted(ch[i].name), i);
	fprintf(s, ")\nset yrange [-1:%d]\nset xzeroaxis\nset key off\n"
		"plot 'changes.dat' using 2:1:3:4 with xerrorbars pt 7\n"
		"set terminal svg size 1000,%d noenhanced\n"
		"set output 'changes.svg'\nreplot\n", n, 200 + 24 * n);
	fclose(s);
	return run_gnuplot(dir);
}
