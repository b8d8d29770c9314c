// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench run and ab: run a command N times with vsva's probes
 * attached and record, per run, its wall, user and sys time, the numeric
 * fields of the JSON it prints (vsva-kvmload's), and the change of every
 * vsva counter and histogram over the run (summed over VMs: each run is
 * its own VM).  ab runs two commands interleaved in randomised ABBA
 * blocks, so that drift on a noisy machine cancels within each pair.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include "vsva/engine.h"
#include "vsva/opts.h"
#include "vsva/privs.h"
#include "bench-ab.h"

#define STDOUT_MAX	(16 << 20)
#define EXIT_NOT_FOUND	127

/* The seed change's experiment: KVM_X86_QUIRK_SLOT_ZAP_ALL on (A: every
 * deletion zaps all of the VM's MMU) against off (B: only the slot's
 * pages), several vCPUs, guest memory in 4 KiB pages. */
#define ZAP_QUIRK_ARGS	"-n 20 --vcpus 2 --page-size 4k -m 256"
#define ZAP_QUIRK_ONLY	"wall_seconds,cmd.retouch_ns,cmd.delete_ns," \
			"memslot_zap_total,cmd.first_touch," \
			"shadow_pages_zapped,pages_rebuilt,pages_created," \
			"memslot_zap_seconds_mean"

/* ---- vsva's figures: a snapshot flattened to "family{labels}" sums ---- */

struct flat {
	struct { char *key; double v; } *s;
	int n, cap;
};

static void flat_add(struct flat *f, const char *key, double v)
{
	int i;
	void *bigger;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->s[i].key, key)) {
			f->s[i].v += v;
			return;
		}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		bigger = realloc(f->s, f->cap * sizeof(*f->s));
		if (!bigger)
			return;
		f->s = bigger;
	}
	f->s[f->n].key = strdup(key);
	f->s[f->n++].v = v;
}

static double flat_get(const struct flat *f, const char *key)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->s[i].key, key))
			return f->s[i].v;
	return 0;
}

static void flat_free(struct flat *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		free(f->s[i].key);
	free(f->s);
	*f = (struct flat){ 0 };
}

/* "family" + @suffix + "{l=v,...}" without the vm label (a run's VM is
 * new each run: its figures are summed over VMs). */
static void series_key(char *buf, size_t len, const char *family,
		       const char *suffix, const struct vsva_sample *smp)
{
	size_t o = snprintf(buf, len, "%s%s", family, suffix);
	bool any = false;
	int i;

	for (i = 0; i < smp->nlabels && o < len; i++) {
		if (!strcmp(smp->lname[i], "vm"))
			continue;
		o += snprintf(buf + o, len - o, "%s%s=%s", any ? "," : "{",
			      smp->lname[i], smp->lval[i]);
		any = true;
	}
	if (any && o < len)
		snprintf(buf + o, len - o, "}");
}

static bool skipped_family(const struct vsva_family *f)
{
	static const char *const skip[] = { "vsva_probe_info",
		"vsva_build_info", "vsva_bpf_prog", "vsva_scrape", NULL };
	int i;

	if (f->type == VSVA_GAUGE)
		return true;
	for (i = 0; skip[i]; i++)
		if (!strncmp(f->name, skip[i], strlen(skip[i])))
			return true;
	return false;
}

/* A histogram's cumulative buckets, as "family{labels}" HIST_SEP "le" */
#define HIST_SEP	"|"

static void hist_buckets(struct flat *out, const char *family,
			 const struct vsva_sample *smp)
{
	char key[512];
	size_t o;
	int i;

	series_key(key, sizeof(key), family, "", smp);
	o = strlen(key);
	for (i = 0; i < smp->nbuckets && o < sizeof(key); i++) {
		snprintf(key + o, sizeof(key) - o, HIST_SEP "%.9g", smp->le[i]);
		flat_add(out, key, smp->cum[i]);
	}
	snprintf(key + o, sizeof(key) - o, HIST_SEP "+Inf");
	flat_add(out, key, smp->count);
}

struct probes {
	struct vsva_engine *e;
	char why[512];
};

static int probes_read(struct probes *p, struct flat *out)
{
	struct vsva_snapshot snap = { 0 };
	char key[512];
	int i, k;

	if (!p->e)
		return 0;
	if (vsva_engine_snapshot(p->e, &snap)) {
		vsva_snap_free(&snap);
		return -1;
	}
	for (i = 0; i < snap.nfam; i++) {
		const struct vsva_family *f = snap.fam[i];

		if (skipped_family(f))
			continue;
		for (k = 0; k < f->nsamples; k++) {
			const struct vsva_sample *smp = &f->samples[k];

			if (f->type == VSVA_COUNTER) {
				series_key(key, sizeof(key), f->name, "", smp);
				flat_add(out, key, smp->value);
				continue;
			}
			series_key(key, sizeof(key), f->name, "_count", smp);
			flat_add(out, key, smp->count);
			series_key(key, sizeof(key), f->name, "_sum", smp);
			flat_add(out, key, smp->sum);
			hist_buckets(out, f->name, smp);
		}
	}
	vsva_snap_free(&snap);
	return 0;
}

/* A bucket's change into @hist: {"family{labels}": {"le": count}} */
static void hist_delta(json_object *hist, const char *key, double d)
{
	const char *sep = strstr(key, HIST_SEP);
	char series[512];
	json_object *h;

	snprintf(series, sizeof(series), "%.*s", (int)(sep - key), key);
	if (!json_object_object_get_ex(hist, series, &h)) {
		h = json_object_new_object();
		json_object_object_add(hist, series, h);
	}
	json_object_object_add(h, sep + 1, json_object_new_double(d));
}

/* Each series' change over the run into @fig, histograms also their
 * mean; each histogram's buckets into @hist. */
static void probes_delta(const struct flat *before, const struct flat *after,
			 json_object *fig, json_object *hist)
{
	char key[600], *c;
	double d, n;
	int i;

	for (i = 0; i < after->n; i++) {
		d = after->s[i].v - flat_get(before, after->s[i].key);
		if (strstr(after->s[i].key, HIST_SEP)) {
			hist_delta(hist, after->s[i].key, d);
			continue;
		}
		json_object_object_add(fig, after->s[i].key,
				       json_object_new_double(d));
		c = strstr(after->s[i].key, "_sum");
		if (!c || (c[4] && c[4] != '{'))
			continue;
		snprintf(key, sizeof(key), "%.*s_count%s",
			 (int)(c - after->s[i].key), after->s[i].key, c + 4);
		n = flat_get(after, key) - flat_get(before, key);
		if (n <= 0)
			continue;
		snprintf(key, sizeof(key), "%.*s_mean%s",
			 (int)(c - after->s[i].key), after->s[i].key, c + 4);
		json_object_object_add(fig, key, json_object_new_double(d / n));
	}
}

static void probes_open(struct probes *p, bool want)
{
	struct vsva_engine_opts eo = { .retention_s = 0 };

	p->e = NULL;
	if (!want) {
		snprintf(p->why, sizeof(p->why), "--no-vsva");
		return;
	}
	if (vsva_check_privileges(p->why, sizeof(p->why)))
		return;
	if (vsva_engine_open(&p->e, &eo, p->why, sizeof(p->why)))
		p->e = NULL;
}

/* ---- the context of a set of runs ---- */

static void add_file(json_object *o, const char *key, const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	json_object_object_add(o, key, json_object_new_string(buf));
}

static void add_cpu(json_object *o)
{
	char line[512], *v;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && (v = strchr(line, ':'))) {
			v[strcspn(v, "\n")] = 0;
			json_object_object_add(o, "cpu",
					       json_object_new_string(v + 2));
			break;
		}
	fclose(f);
	json_object_object_add(o, "cpus",
			       json_object_new_int(sysconf(_SC_NPROCESSORS_ONLN)));
}

/* /sys/module/{kvm,kvm_intel,kvm_amd}/parameters/... */
static void add_kvm_params(json_object *o)
{
	static const char *const mods[] = { "kvm", "kvm_intel", "kvm_amd",
					     "kvm_pvm" };
	json_object *p = json_object_new_object();
	char dir[128], path[512], key[300];
	struct dirent *d;
	size_t i;
	DIR *dp;

	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mods[i]);
		dp = opendir(dir);
		while (dp && (d = readdir(dp))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			snprintf(key, sizeof(key), "%s.%s", mods[i], d->d_name);
			add_file(p, key, path);
		}
		if (dp)
			closedir(dp);
	}
	json_object_object_add(o, "kvm_parameters", p);
}

static json_object *context(struct probes *p, const char *command)
{
	json_object *o = json_object_new_object(), *r;
	const struct vsva_choice *ch[VSVA_NMEASUREMENTS];
	const char *names[VSVA_NMEASUREMENTS];
	struct utsname u;
	char buf[700];
	int i, n;

	if (!uname(&u)) {
		json_object_object_add(o, "kernel", json_object_new_string(u.release));
		json_object_object_add(o, "kernel_version",
					json_object_new_string(u.version));
		json_object_object_add(o, "host", json_object_new_string(u.nodename));
	}
	add_file(o, "kernel_cmdline", "/proc/cmdline");
	add_cpu(o);
	add_kvm_params(o);
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "vsva_version",
			       json_object_new_string(VSVA_VERSION));
	json_object_object_add(o, "vsva_attached",
			       json_object_new_boolean(p->e != NULL));
	if (!p->e) {
		json_object_object_add(o, "vsva_not_attached_why",
				       json_object_new_string(p->why));
		return o;
	}
	r = json_object_new_object();
	n = vsva_engine_choices(p->e, names, ch, VSVA_NMEASUREMENTS);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s%s", vsva_rung_name(ch[i]->rung),
			 ch[i]->rung ? "" : ch[i]->reason);
		json_object_object_add(r, names[i], json_object_new_string(buf));
	}
	json_object_object_add(o, "rungs", r);
	return o;
}

/* ---- one run ---- */

/* The command's JSON, flattened: numbers as figures "cmd.a.b", other
 * scalars as run info; "pid" fields are not figures. */
static void cmd_fields(json_object *v, const char *prefix, json_object *fig,
		       json_object *info, int depth)
{
	char key[256];
	const char *last;

	if (json_object_is_type(v, json_type_object) && depth < 4) {
		json_object_object_foreach(v, k, sub) {
			snprintf(key, sizeof(key), "%s.%s", prefix, k);
			cmd_fields(sub, key, fig, info, depth + 1);
		}
		return;
	}
	last = strrchr(prefix, '.');
	last = last ? last + 1 : prefix;
	if ((json_object_is_type(v, json_type_int) ||
	     json_object_is_type(v, json_type_double)) &&
	    !strstr(last, "pid")) {
		json_object_object_add(fig, prefix, json_object_new_double(
					       json_object_get_double(v)));
	} else if (json_object_is_type(v, json_type_string) ||
		   json_object_is_type(v, json_type_boolean)) {
		json_object_object_add(info, prefix, json_object_get(v));
	}
}

/* The command's standard output, up to STDOUT_MAX (the rest is read and
 * dropped, so the command never blocks on a full pipe). */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *bigger, scratch[4096];
	ssize_t r;

	while (buf) {
		if (n + 1 == cap && cap < STDOUT_MAX) {
			bigger = realloc(buf, cap * 2);
			if (bigger) {
				buf = bigger;
				cap *= 2;
			}
		}
		if (n + 1 < cap)
			r = read(fd, buf + n, cap - 1 - n);
		else
			r = read(fd, scratch, sizeof(scratch));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n + 1 < cap)
			n += r;
	}
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

static double tv_s(struct timeval t)
{
	return t.tv_sec + t.tv_usec * 1e-6;
}

/* Run @argv once (through sh -c when @shell); the run's object. */
static json_object *run_once(struct probes *p, char **argv, int order,
			     const char *side)
{
	struct flat before = { 0 }, after = { 0 };
	json_object *run = json_object_new_object(), *fig, *info, *cmd, *hist;
	struct timespec t0, t1, wall;
	struct rusage ru;
	int fd[2], status = 0;
	char *out;
	size_t len;
	pid_t pid;

	fig = json_object_new_object();
	info = json_object_new_object();
	json_object_object_add(run, "order", json_object_new_int(order));
	if (side)
		json_object_object_add(run, "side", json_object_new_string(side));
	probes_read(p, &before);
	if (pipe(fd))
		goto failed;
	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		goto failed;
	}
	if (!pid) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execvp(argv[0], argv);
		_exit(EXIT_NOT_FOUND);	/* the parent says so */
	}
	close(fd[1]);
	out = read_all(fd[0], &len);
	close(fd[0]);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	probes_read(p, &after);
	json_object_object_add(run, "start_unix_seconds", json_object_new_double(
				       wall.tv_sec + wall.tv_nsec * 1e-9));
	json_object_object_add(run, "exit_status", json_object_new_int(
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
	json_object_object_add(run, "ok", json_object_new_boolean(
		WIFEXITED(status) && !WEXITSTATUS(status)));
	json_object_object_add(fig, "wall_seconds", json_object_new_double(
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9));
	json_object_object_add(fig, "user_seconds",
			       json_object_new_double(tv_s(ru.ru_utime)));
	json_object_object_add(fig, "sys_seconds",
			       json_object_new_double(tv_s(ru.ru_stime)));
	cmd = out && len ? json_tokener_parse(out) : NULL;
	if (cmd && json_object_is_type(cmd, json_type_object))
		cmd_fields(cmd, "cmd", fig, info, 0);
	json_object_put(cmd);
	free(out);
	hist = json_object_new_object();
	probes_delta(&before, &after, fig, hist);
	json_object_object_add(run, "figures", fig);
	json_object_object_add(run, "histograms", hist);
	json_object_object_add(run, "info", info);
	flat_free(&before);
	flat_free(&after);
	return run;
failed:
	json_object_object_add(run, "ok", json_object_new_boolean(false));
	json_object_object_add(run, "error", json_object_new_string(strerror(errno)));
	json_object_object_add(run, "figures", fig);
	json_object_object_add(run, "info", info);
	flat_free(&before);
	return run;
}

static bool run_ok(json_object *run)
{
	json_object *v;

	return json_object_object_get_ex(run, "ok", &v) &&
	       json_object_get_boolean(v);
}

static int run_status(json_object *run)
{
	json_object *v;

	return json_object_object_get_ex(run, "exit_status", &v) ?
	       json_object_get_int(v) : -1;
}

/* A command that is not there fails every run the same way: stop. */
static bool not_found(json_object *run, const char *what)
{
	if (run_status(run) != EXIT_NOT_FOUND)
		return false;
	fprintf(stderr, "vsva-bench: %s: not found or not executable (exit "
		"status 127); nothing measured\n", what);
	return true;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int write_json(json_object *o, const char *path)
{
	if (json_object_to_file_ext(path, o, JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "vsva-bench: cannot write %s: %s\n", path,
			json_util_get_last_err());
		return -1;
	}
	return 0;
}

/* "run 3/10" on a terminal, rewritten in place; the last one only
 * otherwise */
static void progress(const char *what, int i, int n, int failed)
{
	bool tty = isatty(2);

	if (!tty && i < n)
		return;
	fprintf(stderr, "%svsva-bench: %s %d/%d%s%s", tty ? "\r" : "", what,
		i, n, failed ? " (some runs failed)" : "",
		i == n || !tty ? "\n" : "");
}

/* ---- vsva-bench run ---- */

static void run_usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-bench run [--runs N] [--warmup W] [--label L] [--scenario S]\n"
"                      [--no-vsva] -o FILE.json -- COMMAND [ARG]...\n"
"Run COMMAND N times (default 10) after W discarded warm-up runs (default\n"
"1) with vsva's probes attached, and write per run: wall, user and sys\n"
"time; the numeric fields of the JSON COMMAND prints (as cmd.FIELD); the\n"
"change of every vsva counter and histogram over the run (summed over\n"
"VMs). The file also holds the context: kernel and command line, CPU, KVM\n"
"module parameters, the rung of every measurement, vsva's version, run\n"
"order and times. Compare files with vsva-bench compare.\n");
}

struct run_opts {
	int runs, warmup;
	const char *label, *scenario, *out;
	bool vsva;
};

static int parse_count(const char *s, int min, int *v, const char *what)
{
	unsigned long n;

	if (vsva_parse_ul(s, min, 100000, &n)) {
		fprintf(stderr, "vsva-bench: %s '%s': expected a number from "
			"%d to 100000\n", what, s, min);
		return -1;
	}
	*v = n;
	return 0;
}

static int parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option lo[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "label", required_argument, NULL, 'l' },
		{ "scenario", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-vsva", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+n:w:l:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_count(optarg, 1, &o->runs, "--runs"))
				return -1;
			break;
		case 'w':
			if (parse_count(optarg, 0, &o->warmup, "--warmup"))
				return -1;
			break;
		case 'l': o->label = optarg; break;
		case 's': o->scenario = optarg; break;
		case 'o': o->out = optarg; break;
		case 'N': o->vsva = false; break;
		case 'h': run_usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (!o->out || optind == argc) {
		fprintf(stderr, "vsva-bench run: %s\n", !o->out ?
			"-o FILE.json is required" : "no COMMAND after --");
		return -1;
	}
	return 0;
}

static char *joined(char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (i = 0; s && argv[i]; i++)
		strcat(strcat(s, i ? " " : ""), argv[i]);
	return s;
}

static json_object *file_object(const char *label, const char *scenario,
				 json_object *ctx)
{
	json_object *f = json_object_new_object();

	json_object_object_add(f, "vsva_bench_format",
			       json_object_new_int(BENCH_FORMAT));
	json_object_object_add(f, "label", json_object_new_string(label));
	json_object_object_add(f, "scenario", json_object_new_string(scenario));
	json_object_object_add(f, "context", ctx);
	return f;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .runs = 10, .warmup = 1, .vsva = true };
	struct probes p;
	json_object *file, *runs, *run;
	int i, failed = 0, rc = 0;
	char *command;

	if (parse_run(argc, argv, &o))
		return EXIT_BENCH_USAGE;
	command = joined(argv + optind);
	probes_open(&p, o.vsva);
	if (!p.e && o.vsva)
		fprintf(stderr, "vsva-bench: vsva not attached (%s): wall, user "
			"and sys time and the command's figures only\n", p.why);
	file = file_object(o.label ? o.label : command,
			   o.scenario ? o.scenario : "command",
			   context(&p, command));
	runs = json_object_new_array();
	catch_signals();
	for (i = 0; i < o.warmup + o.runs && !stop; i++) {
		run = run_once(&p, argv + optind, i - o.warmup, NULL);
		if (not_found(run, argv[optind])) {
			json_object_put(run);
			rc = EXIT_BENCH_RUNS;
			goto out;
		}
		if (i < o.warmup) {
			json_object_put(run);
			continue;
		}
		failed += !run_ok(run);
		json_object_array_add(runs, run);
		progress("run", i - o.warmup + 1, o.runs, failed);
	}
	json_object_object_add(file, "runs", runs);
	json_object_object_add(file, "failed_runs", json_object_new_int(failed));
	if (failed)
		fprintf(stderr, "vsva-bench: %d of %d runs failed (non-zero exit): "
			"kept in the file, left out of every figure\n", failed,
			(int)json_object_array_length(runs));
	if (write_json(file, o.out))
		rc = 1;
	else if (failed == (int)json_object_array_length(runs))
		rc = EXIT_BENCH_RUNS;
	else if (stop)
		rc = 130;
out:
	json_object_put(file);
	if (p.e)
		vsva_engine_close(p.e);
	free(command);
	return rc;
}

/* ---- vsva-bench ab ---- */

static void ab_usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-bench ab --a 'COMMAND' --b 'COMMAND' [--runs N] [--warmup W]\n"
"                     [--a-label L] [--b-label L] [--noise PCT] [--seed S]\n"
"                     [--json FILE] [--markdown | --csv] [--plot DIR]\n"
"                     [--save PREFIX] [--no-vsva] [--only SUBSTR,...]\n"
"       vsva-bench ab --scenario zap-quirk [--scenario-args 'ARGS'] ...\n"
"Run A and B (each through sh -c) N times each (default 10), interleaved\n"
"in ABBA or BAAB blocks chosen at random, so that each A run has a B run\n"
"beside it and drift cancels within the pair; then compare them as pairs\n"
"(Wilcoxon signed-rank, Hodges-Lehmann on the differences). --save\n"
"writes PREFIX-a.json and PREFIX-b.json for vsva-bench compare.\n"
"--scenario zap-quirk: vsva-kvmload with KVM_X86_QUIRK_SLOT_ZAP_ALL on (A)\n"
"and off (B), ARGS (default: " ZAP_QUIRK_ARGS ")\n"
"after --mode; the guest's time to touch its memory again after each\n"
"deletion, the deletion's latency, shadow pages zapped and pages rebuilt.\n");
}

struct ab_opts {
	struct run_opts r;
	const char *a, *b, *alabel, *blabel, *save, *scenario, *sargs;
	struct compare_opts c;
	unsigned int seed;
	char abuf[4096], bbuf[4096];
};

/* vsva-kvmload beside this program, else from PATH */
static void kvmload_path(char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	snprintf(buf, len, "vsva-kvmload");
	if (n <= 0)
		return;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	snprintf(slash + 1, sizeof(exe) - (slash + 1 - exe), "vsva-kvmload");
	if (!access(exe, X_OK))
		snprintf(buf, len, "%s", exe);
}

static int scenario(struct ab_opts *o)
{
	char load[4096];

	if (strcmp(o->scenario, "zap-quirk")) {
		fprintf(stderr, "vsva-bench ab: unknown scenario '%s' (known: "
			"zap-quirk)\n", o->scenario);
		return -1;
	}
	if (o->a || o->b) {
		fprintf(stderr, "vsva-bench ab: --scenario sets --a and --b\n");
		return -1;
	}
	kvmload_path(load, sizeof(load));
	if (!o->sargs)
		o->sargs = ZAP_QUIRK_ARGS;
	if (snprintf(o->abuf, sizeof(o->abuf), "%s --mode all_fast %s", load,
		     o->sargs) >= (int)sizeof(o->abuf) ||
	    snprintf(o->bbuf, sizeof(o->bbuf), "%s --mode memslot %s", load,
		     o->sargs) >= (int)sizeof(o->bbuf)) {
		fprintf(stderr, "vsva-bench ab: --scenario-args too long\n");
		return -1;
	}
	o->a = o->abuf;
	o->b = o->bbuf;
	if (!o->alabel)
		o->alabel = "quirk on (all_fast)";
	if (!o->blabel)
		o->blabel = "quirk off (memslot)";
	if (!o->c.only)
		o->c.only = ZAP_QUIRK_ONLY;
	return 0;
}

static int parse_ab(int argc, char **argv, struct ab_opts *o)
{
	static const struct option lo[] = {
		{ "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },
		{ "a-label", required_argument, NULL, 'A' },
		{ "b-label", required_argument, NULL, 'B' },
		{ "runs", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "noise", required_argument, NULL, 'z' },
		{ "seed", required_argument, NULL, 'S' },
		{ "json", required_argument, NULL, 'j' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "csv", no_argument, NULL, 'c' },
		{ "plot", required_argument, NULL, 'p' },
		{ "save", required_argument, NULL, 's' },
		{ "no-vsva", no_argument, NULL, 'N' },
		{ "scenario", required_argument, NULL, 'Z' },
		{ "scenario-args", required_argument, NULL, 'X' },
		{ "only", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:w:h", lo, NULL)) != -1) {
		switch (c) {
		case 'a': o->a = optarg; break;
		case 'b': o->b = optarg; break;
		case 'A': o->alabel = optarg; break;
		case 'B': o->blabel = optarg; break;
		case 'n':
			if (parse_count(optarg, 1, &o->r.runs, "--runs"))
				return -1;
			break;
		case 'w':
			if (parse_count(optarg, 0, &o->r.warmup, "--warmup"))
				return -1;
			break;
		case 'z':
			if (parse_noise(optarg, &o->c.noise_pct))
				return -1;
			break;
		case 'S': o->seed = strtoul(optarg, NULL, 10); break;
		case 'j': o->c.json_out = optarg; break;
		case 'm': o->c.format = "markdown"; break;
		case 'c': o->c.format = "csv"; break;
		case 'p': o->c.plot_dir = optarg; break;
		case 's': o->save = optarg; break;
		case 'N': o->r.vsva = false; break;
		case 'Z': o->scenario = optarg; break;
		case 'X': o->sargs = optarg; break;
		case 'O': o->c.only = optarg; break;
		case 'h': ab_usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (o->scenario && scenario(o))
		return -1;
	if (!o->a || !o->b || optind < argc) {
		fprintf(stderr, "vsva-bench ab: %s\n", optind < argc ?
			"unexpected operand (quote each command)" :
			"--a 'COMMAND' and --b 'COMMAND' are both required");
		return -1;
	}
	return 0;
}

/* Save one side's runs as a file compare reads. */
static int save_side(const char *prefix, const char *which, const char *label,
		     const char *scen, json_object *ctx, json_object *runs,
		     int failed)
{
	json_object *f = file_object(label, scen, json_object_get(ctx));
	char path[4096];
	int rc;

	json_object_object_add(f, "runs", json_object_get(runs));
	json_object_object_add(f, "failed_runs", json_object_new_int(failed));
	snprintf(path, sizeof(path), "%s-%s.json", prefix, which);
	rc = write_json(f, path);
	json_object_put(f);
	return rc;
}

int cmd_ab(int argc, char **argv)
{
	struct ab_opts o = { .r = { .runs = 10, .warmup = 1, .vsva = true },
			     .c = { .noise_pct = 2, .alpha = 0.05,
				    .paired = true, .format = "text" } };
	char *cmds[2][4] = { { "sh", "-c", NULL, NULL }, { "sh", "-c", NULL, NULL } };
	json_object *runs[2], *run, *ctx;
	const char *scen;
	struct side sides[2] = { 0 };
	int failed[2] = { 0 }, i, k, s, rc = 0, block_first = 0, first;
	struct probes p;

	o.seed = time(NULL) ^ getpid();
	if (parse_ab(argc, argv, &o))
		return EXIT_BENCH_USAGE;
	cmds[0][2] = (char *)o.a;
	cmds[1][2] = (char *)o.b;
	probes_open(&p, o.r.vsva);
	if (!p.e && o.r.vsva)
		fprintf(stderr, "vsva-bench: vsva not attached (%s): wall, user "
			"and sys time and the commands' figures only\n", p.why);
	ctx = context(&p, o.a);
	json_object_object_add(ctx, "command_b", json_object_new_string(o.b));
	if (o.scenario)
		json_object_object_add(ctx, "scenario",
				       json_object_new_string(o.scenario));
	json_object_object_add(ctx, "seed", json_object_new_int64(o.seed));
	json_object_object_add(ctx, "order", json_object_new_string(
				       "randomised ABBA/BAAB blocks of pairs"));
	runs[0] = json_object_new_array();
	runs[1] = json_object_new_array();
	srandom(o.seed);
	catch_signals();
	for (i = 0; i < o.r.warmup && !stop; i++)	/* discarded */
		for (s = 0; s < 2; s++) {
			run = run_once(&p, cmds[s], -1, s ? "B" : "A");
			if (not_found(run, s ? o.b : o.a)) {
				json_object_put(run);
				rc = EXIT_BENCH_RUNS;
				goto out;
			}
			json_object_put(run);
		}
	for (i = 0; i < o.r.runs && !stop; i++) {
		/* pair i: A then B, or B then A; the two pairs of a block
		 * mirror each other (ABBA or BAAB, chosen at random) */
		if (i % 2 == 0)
			block_first = random() & 1;
		first = i % 2 ? !block_first : block_first;
		for (k = 0; k < 2; k++) {
			s = k ? !first : first;
			run = run_once(&p, cmds[s], 2 * i + k, s ? "B" : "A");
			json_object_object_add(run, "pair", json_object_new_int(i));
			if (not_found(run, s ? o.b : o.a)) {
				json_object_put(run);
				rc = EXIT_BENCH_RUNS;
				goto out;
			}
			failed[s] += !run_ok(run);
			json_object_array_add(runs[s], run);
		}
		progress("pair", i + 1, o.r.runs, failed[0] + failed[1]);
	}
	if (failed[0] || failed[1])
		fprintf(stderr, "vsva-bench: failed runs (non-zero exit): A %d, "
			"B %d of %d each; their pairs are left out\n", failed[0],
			failed[1], o.r.runs);
	for (s = 0; s < 2; s++) {
		sides[s].label = (char *)(s ? (o.blabel ? o.blabel : "B") :
					  (o.alabel ? o.alabel : "A"));
		sides[s].failed = failed[s];
		if (side_from_runs(&sides[s], runs[s])) {
			rc = 1;
			goto out;
		}
	}
	scen = o.scenario ? o.scenario : "ab";
	if (o.save && (save_side(o.save, "a", sides[0].label, scen, ctx,
				 runs[0], failed[0]) ||
		       save_side(o.save, "b", sides[1].label, scen, ctx,
				 runs[1], failed[1])))
		rc = 1;
	k = compare_print(&sides[0], &sides[1], &o.c, ctx, stdout);
	rc = rc ? rc : k;
out:
	for (s = 0; s < 2; s++) {
		sides[s].label = NULL;
		side_free(&sides[s]);
		json_object_put(runs[s]);
	}
	json_object_put(ctx);
	if (p.e)
		vsva_engine_close(p.e);
	return rc;
}
