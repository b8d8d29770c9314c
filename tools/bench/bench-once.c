// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench run and ab: one run of a command, with vsva's figures over
 * it (bench-probes.c): its exit status, wall, user and sys time, and the
 * numeric fields of the JSON it prints; and the file a set of runs is
 * written to.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "bench-ab.h"
#include "bench-run.h"

#define STDOUT_MAX	(16 << 20)
#define EXIT_NOT_FOUND	127

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
json_object *run_once(struct probes *p, char **argv, int order,
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

bool run_ok(json_object *run)
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
bool not_found(json_object *run, const char *what)
{
	if (run_status(run) != EXIT_NOT_FOUND)
		return false;
	fprintf(stderr, "vsva-bench: %s: not found or not executable (exit "
		"status 127); nothing measured\n", what);
	return true;
}

volatile sig_atomic_t bench_stop;

static void on_signal(int sig)
{
	bench_stop = 1;
}

void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int write_json(json_object *o, const char *path)
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
void progress(const char *what, int i, int n, int failed)
{
	bool tty = isatty(2);

	if (!tty && i < n)
		return;
	fprintf(stderr, "%svsva-bench: %s %d/%d%s%s", tty ? "\r" : "", what,
		i, n, failed ? " (some runs failed)" : "",
		i == n || !tty ? "\n" : "");
}

json_object *file_object(const char *label, const char *scenario,
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
