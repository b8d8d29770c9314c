// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench compare: files of vsva-bench run, each later one against the
 * first (bench-side.c reads them, bench-rows.c compares, bench-print.c
 * prints).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/opts.h"
#include "bench-ab.h"

int parse_noise(const char *s, double *pct)
{
	char *end;

	*pct = strtod(s, &end);
	if (*end || end == s || *pct < 0) {
		fprintf(stderr, "vsva-bench: --noise '%s': expected a "
			"percentage\n", s);
		return -1;
	}
	return 0;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-bench compare [--noise PCT] [--paired] [--markdown | --csv |\n"
"                          --json] [--plot DIR] [--only SUBSTR,...]\n"
"                          A.json B.json [C.json]...\n"
"Compare files written by vsva-bench run: each later file against the\n"
"first. Per figure: medians with 95%% CIs, the change with its CI, the\n"
"p-value (Mann-Whitney U; with --paired, Wilcoxon signed-rank on runs\n"
"taken in pairs), Holm-adjusted, and a verdict against the noise\n"
"threshold (default 2%%). --only keeps the figures whose names hold one\n"
"of the substrings. Exit status: 0 compared, 2 usage, 4 files that cannot\n"
"be compared.\n");
}

int cmd_compare(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "noise", required_argument, NULL, 'z' },
		{ "paired", no_argument, NULL, 'P' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, 'p' },
		{ "only", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct compare_opts o = { .noise_pct = 2, .alpha = 0.05,
				  .format = "text" };
	struct side base, other;
	char err[512], dir[4096];
	int c, i, rc = 0, k;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (parse_noise(optarg, &o.noise_pct))
				return EXIT_BENCH_USAGE;
			break;
		case 'P': o.paired = true; break;
		case 'm': o.format = "markdown"; break;
		case 'c': o.format = "csv"; break;
		case 'j': o.format = "json"; break;
		case 'p': o.plot_dir = optarg; break;
		case 'O': o.only = optarg; break;
		case 'h': compare_usage(stdout); return 0;
		default:
			vsva_bad_option("vsva-bench compare", NULL);
			return EXIT_BENCH_USAGE;
		}
	}
	if (argc - optind < 2) {
		compare_usage(stderr);
		return EXIT_BENCH_USAGE;
	}
	if (side_load(&base, argv[optind], err, sizeof(err))) {
		fprintf(stderr, "vsva-bench: %s\n", err);
		side_free(&base);
		return EXIT_BENCH_INPUT;
	}
	for (i = optind + 1; i < argc && !rc; i++) {
		if (side_load(&other, argv[i], err, sizeof(err))) {
			fprintf(stderr, "vsva-bench: %s\n", err);
			rc = EXIT_BENCH_INPUT;
		} else if (strcmp(base.scenario, other.scenario)) {
			fprintf(stderr, "vsva-bench: %s is of scenario '%s', %s "
				"of '%s': not comparable\n", base.path,
				base.scenario, other.path, other.scenario);
			rc = EXIT_BENCH_INPUT;
		} else if (o.paired && base.nruns != other.nruns) {
			fprintf(stderr, "vsva-bench: --paired needs as many runs "
				"on each side (%d and %d)\n", base.nruns,
				other.nruns);
			rc = EXIT_BENCH_INPUT;
		} else {
			struct compare_opts oc = o;

			if (o.plot_dir && argc - optind > 2) {
				snprintf(dir, sizeof(dir), "%s/%d", o.plot_dir,
					 i - optind);
				oc.plot_dir = dir;
			}
			if (i > optind + 1)
				fputc('\n', stdout);
			k = compare_print(&base, &other, &oc, NULL, stdout);
			rc = rc ? rc : k;
		}
		side_free(&other);
	}
	side_free(&base);
	return rc;
}
