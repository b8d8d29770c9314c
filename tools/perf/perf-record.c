// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf record: perf record run with the events the table gives
 * (tools/perf/perf-choose.c), and running perf, for record and report:
 * without the noise of its libtraceevent about print formats.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "perf-record.h"

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
int run_filtered(char **argv, bool quiet)
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

bool have_perf(void)
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

/* perf record -e EVENT [--filter F]... -o OUT [-a] [-p PIDS] OPTS...
 * [-- COMMAND...] */
static int run_record(const struct recording *rec, const char *out, bool all,
		      const char *pids, char **opts, int nopts, char **cmd,
		      int ncmd)
{
	char **argv = calloc(4 * rec->n + nopts + ncmd + 10, sizeof(*argv));
	int h = 0, k, rc;

	if (!argv)
		return -1;
	argv[h++] = "perf";
	argv[h++] = "record";
	for (k = 0; k < rec->n; k++) {
		argv[h++] = "-e";
		argv[h++] = (char *)rec->events[k];
		if (rec->filter[k][0]) {
			argv[h++] = "--filter";
			argv[h++] = (char *)rec->filter[k];
		}
	}
	argv[h++] = "-o";
	argv[h++] = (char *)out;
	if (all)
		argv[h++] = "-a";
	if (pids) {
		argv[h++] = "-p";
		argv[h++] = (char *)pids;
	}
	for (k = 0; k < nopts; k++)
		argv[h++] = opts[k];
	for (k = 0; k < ncmd; k++)
		argv[h++] = cmd[k];
	rc = run_filtered(argv, true);
	free(argv);
	return rc;
}

int cmd_record(int argc, char **argv)
{
	static struct recording rec;
	const char *out = "perf.data", *pids = NULL;
	char *opts[64];
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
			return EXIT_HELP;
		else if (n < 64)
			opts[n++] = argv[i];	/* perf record's own option */
	}
	if (i == argc && !all && !pids)
		all = true;	/* no command: system-wide */
	if (!have_perf())
		return EXIT_NO_PERF;
	if (!rec_choose(&rec, rec_have_event, stderr)) {
		fprintf(stderr, "vsva-perf: nothing to record on this kernel "
			"(no KVM tracepoints: is kvm loaded?)\n");
		return EXIT_NO_VSVA_EVENTS;
	}
	if (rec.full) {		/* never record less than was said */
		fprintf(stderr, "vsva-perf: more than %d events to record: "
			"a bug in vsva-perf, please report it\n", REC_EVENTS);
		return EXIT_PERF_FAILED;
	}
	/* "--" and the command go to perf as they are */
	rc = run_record(&rec, out, all, pids, opts, n, argv + i, argc - i);
	return rc ? EXIT_PERF_FAILED : 0;
}
