// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf: record vsva's tracepoints with perf, anywhere, and report on
 * the recording after the fact, per VM, as perf kvm stat does for exits.
 *
 *   record: the measurement table names, per rung, the tracefs events a
 *           recording needs; the best rung whose events this kernel has is
 *           recorded (perf cannot record fentry or kprobe rungs).
 *   report: the recording's own tracepoint formats (its tracing-data
 *           section, parsed by libtraceevent) give every field's layout;
 *           perf script runs the dlfilter (tools/perf/perf-filter.c) with them.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <traceevent/event-parse.h>
#include "vsva/ladder.h"
#include "vsva/perfdata.h"
#include "perf-report.h"

#define EXIT_PERF_FAILED	1
#define EXIT_USAGE		2
#define EXIT_NO_PERF		7
#define EXIT_NO_VSVA_EVENTS	8
#define EXIT_NOT_OWNED		9
#define MAX_ARGS		256

/* The measurements vsva-perf report decodes. */
static const enum vsva_mid recorded[] = {
	VSVA_M_MEMSLOT, VSVA_M_MMU_PAGES, VSVA_M_IRQ_INJECTION,
	VSVA_M_VM_LIFECYCLE, VSVA_M_IRQ_BYPASS, VSVA_M_BYPASS_CONNECT,
	VSVA_M_PASID, VSVA_M_SVA, VSVA_M_IOMMUFD,
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-perf record [-o FILE] [-a] [-p PID,...] [PERF-OPTION]... [-- COMMAND [ARG]...]\n"
"       vsva-perf report [-i FILE] [--json | --csv] [-p PID,...]\n"
"                        [--sort count|total|p99|max] [--top N] [--timeline]\n"
"                        [--force]\n"
"\n"
"record: record, with perf (linux-perf), the tracepoints that measure memslot\n"
"  deletions, MMU pages and interrupt injections on this kernel (the vsva\n"
"  series' where present, else the stock kvm/kvmmmu ones and the ioctl\n"
"  syscalls), and say which and why. System-wide (-a) without a command.\n"
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

/* Is "sys:name" an event of this kernel (tracefs)? */
static bool have_event(const char *ev)
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

static bool have_all(const char *events)
{
	char buf[512], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", events);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!have_event(tok))
			return false;
	return true;
}

#define MAX_EVENTS	48

struct recording {
	char events[MAX_EVENTS][128];
	char filter[MAX_EVENTS][256];
	int n;
	bool full;
};

/* Add each event of @events; the filter goes with its first event (the
 * syscall rungs filter sys_enter_ioctl by command) and ORs with one an
 * event already has. */
static void add_events(struct recording *rec, const char *events,
		       const char *filter)
{
	char buf[512], *tok, *save, *f;
	bool first = true;
	int i;

	snprintf(buf, sizeof(buf), "%s", events);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save), first = false) {
		for (i = 0; i < rec->n && strcmp(rec->events[i], tok); i++)
			;
		if (i == rec->n) {
			if (rec->n == MAX_EVENTS) {
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

/* Each measurement: its best rung perf can record on this kernel. */
static int choose_events(struct recording *rec)
{
	const struct vsva_measurement *m;
	const struct vsva_rung_def *r;
	size_t i;
	int k, n = 0;

	for (i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		const char *vsvad_only = NULL;

		m = &vsva_measurements[recorded[i]];
		for (k = 0; k < VSVA_MAX_RUNGS && m->rungs[k].rung; k++) {
			r = &m->rungs[k];
			if (!r->perf_events) {	/* fentry, kprobe */
				if (!vsvad_only)
					vsvad_only = vsva_rung_name(r->rung);
				continue;
			}
			if (!have_all(r->perf_events)) {
				fprintf(stderr, "vsva-perf: %s: %s: not all of "
					"%s are in tracefs\n", m->name,
					vsva_rung_name(r->rung),
					r->perf_events);
				continue;
			}
			fprintf(stderr, "vsva-perf: %s: %s rung: %s%s%s (%s)\n",
				m->name, vsva_rung_name(r->rung),
				r->perf_events, r->perf_filter ? " if " : "",
				r->perf_filter ? r->perf_filter : "", r->uses);
			if (recorded[i] == VSVA_M_MEMSLOT &&
			    r->rung == VSVA_RUNG_SYSCALL_TP)
				fprintf(stderr, "vsva-perf:   perf cannot read the "
					"ioctl's argument: a deletion that "
					"invalidates the whole MMU is told by the "
					"kvm_mmu_zap_all_fast inside it; "
					"creations and memslot-only deletions "
					"report as no_zap\n");
			add_events(rec, r->perf_events, r->perf_filter);
			n++;
			break;
		}
		if (k < VSVA_MAX_RUNGS && m->rungs[k].rung)
			continue;
		fprintf(stderr, "vsva-perf: %s: not recorded: this kernel has "
			"none of its tracepoints", m->name);
		if (vsvad_only)
			fprintf(stderr, " (vsvad can measure it on its %s rung, "
				"which perf cannot record)", vsvad_only);
		fputc('\n', stderr);
	}
	return n;
}

/* perf's own libtraceevent complaining about print formats it cannot
 * parse (fields are still decoded): noise to a user of vsva-perf. */
static bool perf_noise(const char *line)
{
	char sys[64], ev[128];

	return !strncmp(line, "libtraceevent: ", 15) ||
	       !strncmp(line, "No kallsyms or vmlinux with build-id", 36) ||
	       sscanf(line, "  [%63[a-z0-9_]:%127[a-z0-9_]] ", sys, ev) == 2;
}

/* Run @argv; its stderr, without perf's format noise when @quiet. */
static int run_filtered(char **argv, bool quiet)
{
	char line[1024];
	int status, fd[2] = { -1, -1 };
	FILE *err;
	pid_t pid;

	if (quiet && pipe(fd))
		quiet = false;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (quiet) {
			dup2(fd[1], 2);
			close(fd[0]);
			close(fd[1]);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "vsva-perf: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (quiet) {
		close(fd[1]);
		err = fdopen(fd[0], "r");
		while (err && fgets(line, sizeof(line), err))
			if (!perf_noise(line))
				fputs(line, stderr);
		if (err)
			fclose(err);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int run(char **argv)
{
	return run_filtered(argv, false);
}

static bool have_perf(void)
{
	char *argv[] = { "perf", "version", NULL };
	int fd = dup(1), rc;

	fflush(stdout);
	if (!freopen("/dev/null", "w", stdout))
		return false;
	rc = run(argv);
	fflush(stdout);
	dup2(fd, 1);
	close(fd);
	if (rc)
		fprintf(stderr, "vsva-perf: perf is not installed (Debian: "
			"apt-get install linux-perf)\n");
	return rc == 0;
}

static int cmd_record(int argc, char **argv)
{
	char *pargv[MAX_ARGS];
	static struct recording rec;
	const char *out = "perf.data", *pids = NULL;
	bool all = false;
	int i, n = 0, rc;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
		    i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-a") ||
			 !strcmp(argv[i], "--all-cpus"))
			all = true;
		else if ((!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pid")) &&
			 i + 1 < argc)
			pids = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout), 0;
		else if (n < 64)
			pargv[n++] = argv[i];	/* perf record's own option */
	}
	if (i == argc && !all && !pids)
		all = true;	/* no command: system-wide */
	if (!have_perf())
		return EXIT_NO_PERF;
	if (!choose_events(&rec)) {
		fprintf(stderr, "vsva-perf: nothing to record on this kernel "
			"(no KVM tracepoints: is kvm loaded?)\n");
		return EXIT_NO_VSVA_EVENTS;
	}
	if (rec.full) {		/* never record less than was said */
		fprintf(stderr, "vsva-perf: more than %d events to record: "
			"a bug in vsva-perf, please report it\n", MAX_EVENTS);
		return EXIT_PERF_FAILED;
	}
	{
		char *head[MAX_ARGS];
		int h = 0, k;

		head[h++] = "perf";
		head[h++] = "record";
		for (k = 0; k < rec.n; k++) {
			head[h++] = "-e";
			head[h++] = rec.events[k];
			if (rec.filter[k][0]) {
				head[h++] = "--filter";
				head[h++] = rec.filter[k];
			}
		}
		head[h++] = "-o";
		head[h++] = (char *)out;
		if (all)
			head[h++] = "-a";
		if (pids) {
			head[h++] = "-p";
			head[h++] = (char *)pids;
		}
		for (k = 0; k < n && h < MAX_ARGS - 1; k++)
			head[h++] = pargv[k];
		for (k = i; k < argc && h < MAX_ARGS - 1; k++)
			head[h++] = argv[k];
		head[h] = NULL;
		rc = run_filtered(head, true);
	}
	return rc ? EXIT_PERF_FAILED : 0;
}

/* The fields vsva-perf decodes, by event. */
/* "field=OFF:SIZE:NAME:SYS:EVENT" for each field the recording's formats have;
 * how many vsva events the recording holds. */
static int field_args(struct tep_handle *tep, char **args, int *n, int max)
{
	struct tep_format_field *f;
	struct tep_event *e;
	char sys[64], name[128], buf[256];
	int ev, k, found = 0;

	for (ev = 0; ev < EV_N; ev++) {
		if (sscanf(ev_names[ev], "%63[^:]:%127s", sys, name) != 2)
			continue;
		e = tep_find_event_by_name(tep, sys, name);
		if (!e)
			continue;
		found++;
		for (k = 0; k < F_N && *n < max; k++) {
			f = tep_find_field(e, fld_names[k]);
			if (!f || f->size <= 0 || f->size > 8)
				continue;
			snprintf(buf, sizeof(buf), "%sfield=%d:%d:%s:%s",
				 !(f->flags & TEP_FIELD_IS_DYNAMIC) ? "" :
				 f->flags & TEP_FIELD_IS_RELATIVE ? "relstr" :
				 "str", f->offset, f->size, fld_names[k],
				 ev_names[ev]);
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
	found = field_args(pf.tep, fields, &nf, MAX_ARGS / 2 - 20);
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
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	fprintf(stderr, "vsva-perf: unknown command '%s' (record or report)\n",
		argv[1]);
	return EXIT_USAGE;
}
