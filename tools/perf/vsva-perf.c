// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf: record vsva's tracepoints with perf, anywhere, and report on
 * the recording after the fact, per VM, as perf kvm stat does for exits.
 *
 *   record: the measurement table names, per rung, the tracefs events a
 *           recording needs; the best rung whose events this kernel has is
 *           recorded (perf cannot record fentry or kprobe rungs), for each
 *           measurement a decoder reports (tools/perf/perf-record.c).
 *   report: the recording's own tracepoint formats (its tracing-data
 *           section, parsed by libtraceevent) give the layout of every
 *           field the decoders read; perf script runs the dlfilter
 *           (tools/perf/perf-filter.c) with them.
 */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <traceevent/event-parse.h>
#include "vsva/ladder.h"
#include "vsva/perfdata.h"
#include "perf-record.h"
#include "perf-report.h"

#define MAX_ARGS		512

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-perf record [-o FILE] [-a] [-p PID,...] [PERF-OPTION]... [-- COMMAND [ARG]...]\n"
"       vsva-perf report [-i FILE] [--json | --csv] [-p PID,...]\n"
"                        [--sort count|total|p99|max] [--top N] [--timeline]\n"
"                        [--force]\n"
"\n"
"record: record, with perf (linux-perf), the tracepoints that measure memslot\n"
"  deletions, MMU pages, interrupt injections and IRQ bypass on this kernel\n"
"  (the vsva series' where present, else the stock kvm/kvmmmu ones and the\n"
"  ioctl syscalls) and, with the vsva series, PASID, SVA, iommufd HWPT and\n"
"  vIOMMU work; say which and why. System-wide (-a) without a command.\n"
"  Other options go to perf record as they are.\n"
"    -o, --output FILE   the recording (default perf.data)\n"
"    -a, --all-cpus      system-wide\n"
"    -p, --pid PID,...   these processes only\n"
"report: per VM (thread group) and measurement: count, errors, min, p50, p99,\n"
"  max, mean +- stddev of each operation's exact latency (enter and exit\n"
"  paired per thread), the slowest operations, the MMU pages rebuilt after\n"
"  each deletion. Fields are decoded by name from the formats recorded\n"
"  with the data, so a recording from another kernel reports correctly.\n"
"    -i, --input FILE    the recording (default perf.data)\n"
"        --json, --csv   machine-readable output\n"
"    -p, --pid PID,...   these VMMs only\n"
"        --sort KEY      rows by count, total, p99 or max (default count)\n"
"        --top N         slowest operations listed (default 10)\n"
"        --timeline      every operation, in time order\n"
"        --force         read a recording owned by neither you nor root\n"
"                        (refused otherwise, as perf refuses it)\n"
"\n"
"Exit status: 0 done, 1 perf failed, 2 usage, 3 no such file, 4 not a\n"
"perf.data, 5 cut short, 6 no tracepoint formats, 7 perf missing, 8 no\n"
"vsva event in the recording, 9 owned by another user (see --force).\n");
}

/* "field=OFF:SIZE:NAME:SYS:EVENT" for each field the decoders read that
 * the recording's formats have; how many of their events it holds. */
static int field_args(struct tep_handle *tep, const struct report *r,
		      char **args, int *n, int max)
{
	const struct rep_event *ev;
	struct tep_format_field *f;
	struct tep_event *e;
	char sys[64], name[128], buf[256];
	int i, k, found = 0;

	for (i = 0; i < r->nev; i++) {
		ev = &r->ev[i];
		if (sscanf(ev->name, "%63[^:]:%127s", sys, name) != 2)
			continue;
		e = tep_find_event_by_name(tep, sys, name);
		if (!e)
			continue;
		found++;
		for (k = 0; k < ev->nfields && *n < max; k++) {
			f = tep_find_field(e, ev->fields[k]);
			if (!f || f->size <= 0 || f->size > 8)
				continue;
			snprintf(buf, sizeof(buf), "%sfield=%d:%d:%s:%s",
				 !(f->flags & TEP_FIELD_IS_DYNAMIC) ? "" :
				 f->flags & TEP_FIELD_IS_RELATIVE ? "relstr" :
				 "str", f->offset, f->size, ev->fields[k],
				 ev->name);
			args[(*n)++] = strdup(buf);
		}
	}
	return found;
}

/* The dlfilter: beside this program, or installed. */
static void filter_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *env = getenv("VSVA_PERF_FILTER");
	char *dir;

	if (env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	if (n > 0) {
		exe[n] = 0;
		dir = dirname(exe);
		/* the build directory, or PREFIX/bin beside PREFIX/lib/vsva */
		snprintf(buf, len, "%s/vsva-perf-filter.so", dir);
		if (!access(buf, R_OK))
			return;
		snprintf(buf, len, "%s/../lib/vsva/vsva-perf-filter.so", dir);
		if (!access(buf, R_OK))
			return;
	}
	snprintf(buf, len, "/usr/lib/vsva/vsva-perf-filter.so");
}

struct report_opts {
	const char *in, *format, *pids, *sort, *top;
	bool timeline, force;
};

static int parse_report(int argc, char **argv, struct report_opts *o)
{
	static const struct option lo[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 't' },
		{ "timeline", no_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "i:p:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->in = optarg; break;
		case 'j': o->format = "json"; break;
		case 'c': o->format = "csv"; break;
		case 'p': o->pids = optarg; break;
		case 's':
			if (strcmp(optarg, "count") && strcmp(optarg, "total") &&
			    strcmp(optarg, "p99") && strcmp(optarg, "max")) {
				fprintf(stderr, "vsva-perf: --sort '%s': "
					"expected count, total, p99 or max\n",
					optarg);
				return -1;
			}
			o->sort = optarg;
			break;
		case 't':
			if (strspn(optarg, "0123456789") != strlen(optarg) ||
			    !*optarg) {
				fprintf(stderr, "vsva-perf: --top '%s': "
					"expected a number\n", optarg);
				return -1;
			}
			o->top = optarg;
			break;
		case 'T': o->timeline = true; break;
		case 'f': o->force = true; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsva-perf: unexpected operand '%s'\n",
			argv[optind]);
		return -1;
	}
	if (o->pids && strspn(o->pids, "0123456789,") != strlen(o->pids)) {
		fprintf(stderr, "vsva-perf: --pid '%s': expected PID,...\n",
			o->pids);
		return -1;
	}
	return 0;
}

/*
 * A recording is read (by perf, and by our own parser first) only when
 * root or the user running vsva-perf owns it, as perf itself decides
 * (its -f overrides): under sudo, another user's perf.data must not be
 * fed to perf as root unasked.  A file that cannot be stat'ed is left to
 * vsva_perf_open to report.
 */
static int check_owner(const char *path, bool force)
{
	struct stat st;

	if (force || stat(path, &st) || !st.st_uid || st.st_uid == geteuid())
		return 0;
	fprintf(stderr, "vsva-perf: %s is owned by uid %u, not by you (uid %u) "
		"or root: read it with --force if you trust it\n", path,
		(unsigned int)st.st_uid, (unsigned int)geteuid());
	return EXIT_NOT_OWNED;
}

static char *opt(const char *fmt, const char *v)
{
	char buf[600];

	snprintf(buf, sizeof(buf), fmt, v);
	return strdup(buf);
}

static int cmd_report(int argc, char **argv)
{
	struct report_opts o = { .in = "perf.data", .format = "text" };
	struct vsva_perf_file pf;
	char err[512], so[PATH_MAX], num[32], *args[MAX_ARGS];
	char *fields[MAX_ARGS / 2];
	enum vsva_perf_err e;
	struct report *r;
	int n = 0, nf = 0, rc, found, k;

	if (parse_report(argc, argv, &o))
		return EXIT_USAGE;
	rc = check_owner(o.in, o.force);
	if (rc)
		return rc;
	e = vsva_perf_open(o.in, &pf, err, sizeof(err));
	if (e) {
		fprintf(stderr, "vsva-perf: %s\n", err);
		return e;
	}
	args[n++] = "perf";
	args[n++] = "script";
	if (o.force)		/* perf checks the owner again, unless told */
		args[n++] = "-f";
	args[n++] = "-i";
	args[n++] = (char *)o.in;
	filter_path(so, sizeof(so));
	args[n++] = "--dlfilter";
	args[n++] = so;
	r = rep_new();
	found = r ? field_args(pf.tep, r, fields, &nf, MAX_ARGS / 2 - 20) : 0;
	rep_free(r);
	vsva_perf_close(&pf);
	if (!found) {
		fprintf(stderr, "vsva-perf: %s holds no vsva event (record it "
			"with vsva-perf record)\n", o.in);
		return EXIT_NO_VSVA_EVENTS;
	}
#define DLARG(v) do { args[n++] = "--dlarg"; args[n++] = (v); } while (0)
	for (k = 0; k < nf; k++)
		DLARG(fields[k]);
	DLARG(opt("format=%s", o.format));
	DLARG(opt("file=%s", o.in));
	DLARG(opt("kernel=%s", pf.osrelease));
	DLARG(opt("host=%s", pf.hostname));
	snprintf(num, sizeof(num), "%llu", (unsigned long long)pf.lost);
	DLARG(opt("lost=%s", num));
	snprintf(num, sizeof(num), "%llu", (unsigned long long)pf.lost_records);
	DLARG(opt("lostrec=%s", num));
	if (o.pids)
		DLARG(opt("pids=%s", o.pids));
	if (o.sort)
		DLARG(opt("sort=%s", o.sort));
	if (o.top)
		DLARG(opt("top=%s", o.top));
	if (o.timeline)
		DLARG(opt("timeline=%s", "1"));
	args[n] = NULL;
	if (!have_perf())
		return EXIT_NO_PERF;
	rc = run_filtered(args, true);
	return rc ? EXIT_PERF_FAILED : 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "record")) {
		rc = cmd_record(argc - 1, argv + 1);
		if (rc == EXIT_HELP)
			usage(stdout);
		return rc == EXIT_HELP ? 0 : rc;
	}
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	fprintf(stderr, "vsva-perf: unknown command '%s' (record or report)\n",
		argv[1]);
	return EXIT_USAGE;
}
