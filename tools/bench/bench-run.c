// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench run: run a command N times with vsva's probes attached and
 * record, per run, its wall, user and sys time, the numeric fields of the
 * JSON it prints (vsva-kvmload's), and the change of every vsva counter
 * and histogram over the run (summed over VMs: each run is its own VM).
 * One run is bench-once.c's; ab (bench-ab.c) takes run's options too.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/engine.h"
#include "vsva/opts.h"
#include "bench-ab.h"
#include "bench-run.h"

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


int parse_count(const char *s, int min, int *v, const char *what)
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
		default: return vsva_bad_option("vsva-bench run", NULL);
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
			   bench_context(&p, command));
	runs = json_object_new_array();
	catch_signals();
	for (i = 0; i < o.warmup + o.runs && !bench_stop; i++) {
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
	else if (bench_stop)
		rc = 130;
out:
	json_object_put(file);
	if (p.e)
		vsva_engine_close(p.e);
	free(command);
	return rc;
}
