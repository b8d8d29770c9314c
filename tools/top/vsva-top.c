// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-top: a live monitor of vsva's measurements, one row per VM, in the
 * spirit of kvm_stat and top.  Batch modes (--once, --log, --csv, --json)
 * print the same rows for scripts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <ncurses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include "vsva/opts.h"
#include "vsva/privs.h"
#include "top.h"

static void on_signal(int sig)
{
	top_exiting = 1;
}

/* ---- batch modes -------------------------------------------------------- */

static int run_batch(struct source *e, const struct opts *o)
{
	struct vsva_snapshot a, b;
	static struct row rows[MAX_ROWS];
	struct timespec ts = { (time_t)o->interval,
			       (long)((o->interval - (time_t)o->interval) * 1e9) };
	double t0, t1;
	int n;

	if (top_snap(e, &a)) {
		fprintf(stderr, "vsva-top: %s\n", e->err);
		return 1;
	}
	t0 = top_mono_s();
	while (!top_exiting) {
		nanosleep(&ts, NULL);
		if (top_snap(e, &b)) {
			fprintf(stderr, "vsva-top: %s\n", e->err);
			vsva_snap_free(&a);
			return 1;
		}
		t1 = top_mono_s();
		n = top_build_rows(&a, &b, t1 - t0, rows, o->filter);
		if (o->json)
			top_print_json(stdout, &b, rows, n, t1 - t0);
		else
			top_print_table(stdout, rows, n, o->csv);
		fflush(stdout);
		vsva_snap_free(&a);
		a = b;
		t0 = t1;
		if (o->once)
			break;
	}
	vsva_snap_free(&a);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-top [OPTION]...\n"
"Live monitor of vsva's measurements, one row per VM: memslot deletions\n"
"(total and per second) with p50/p99 zap time, shadow pages zapped/s,\n"
"software IRQ injections/s, bypass producers, nested invalidations/s; a\n"
"header with each measurement's probe rung.\n"
"\n"
"  -d, --delay SECS    interval (default 1)\n"
"  -1, --once          one interval, print the rows, exit\n"
"  -l, --log           print the rows every interval (a table)\n"
"      --csv           ... as CSV\n"
"      --json          ... as JSON (with --once: one object)\n"
"  -p, --filter PID|COMM  only these VMs\n"
"      --from URL      read a running vsvad's /metrics instead of loading\n"
"                      BPF (no root needed), e.g. http://127.0.0.1:9477/metrics\n"
"  -h, --help          this help\n"
"\n"
"Keys on the screen: q quit, s/S sort, f filter, v view, +/- interval,\n"
"r reset, h help.  Needs root (BPF), like vsvad.  Exit status: 0, 1 BPF\n"
"failure, 2 usage, 3 privileges.\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, '1' },
		{ "log", no_argument, NULL, 'l' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "filter", required_argument, NULL, 'p' },
		{ "from", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "d:1lp:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || *end || !(o->interval >= 0.1 &&
					       o->interval <= 3600)) {
				fprintf(stderr, "vsva-top: --delay '%s': "
					"expected 0.1..3600 seconds\n", optarg);
				return -1;
			}
			break;
		case '1':
			o->once = true;
			break;
		case 'l':
			o->log = true;
			break;
		case 'c':
			o->csv = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->filter = optarg;
			break;
		case 'F':
			o->from = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return vsva_bad_option("vsva-top", usage);
		}
	}
	return vsva_no_operands("vsva-top", argc, argv, optind);
}

int main(int argc, char **argv)
{
	struct opts o = { .interval = 1 };
	struct vsva_engine_opts eo = { .retention_s = 300 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct source src = { 0 };
	bool batch;
	char err[512];
	int rc;

	setlocale(LC_ALL, "");
	/* numbers in JSON and CSV (and read back) with '.', in any locale */
	setlocale(LC_NUMERIC, "C");
	if (parse_opts(argc, argv, &o))
		return 2;
	batch = o.once || o.log || o.csv || o.json;
	if (!batch && (!getenv("TERM") || !isatty(1))) {
		fprintf(stderr, "vsva-top: %s; use --once, --log, --csv or "
			"--json for scripts\n", getenv("TERM") ?
			"standard output is not a terminal" : "TERM is not set");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	src.url = o.from;
	if (src.url) {
		if (top_open_url(&src)) {
			fprintf(stderr, "vsva-top: cannot initialise libcurl\n");
			return 1;
		}
	} else if (vsva_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "vsva-top: %s (or use --from URL)\n", err);
		return 3;
	} else if (vsva_engine_open(&src.engine, &eo, err, sizeof(err))) {
		fprintf(stderr, "vsva-top: %s\n", err);
		return 1;
	}
	rc = batch ? run_batch(&src, &o) : top_run_screen(&src, &o);
	if (src.curl)
		curl_easy_cleanup(src.curl);
	vsva_engine_close(src.engine);
	return rc;
}
