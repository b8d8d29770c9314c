// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench ab: two commands run interleaved in randomised ABBA blocks,
 * so that drift on a noisy machine cancels within each pair, then
 * compared as pairs (Wilcoxon signed-rank, Hodges-Lehmann on the
 * differences); --scenario zap-quirk sets the two commands.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "vsva/engine.h"
#include "vsva/opts.h"
#include "bench-ab.h"
#include "bench-run.h"

/* The seed change's experiment: KVM_X86_QUIRK_SLOT_ZAP_ALL on (A: every
 * deletion zaps all of the VM's MMU) against off (B: only the slot's
 * pages), several vCPUs, guest memory in 4 KiB pages. */
#define ZAP_QUIRK_ARGS	"-n 20 --vcpus 2 --page-size 4k -m 256"
#define ZAP_QUIRK_ONLY	"wall_seconds,cmd.retouch_ns,cmd.delete_ns," \
			"memslot_zap_total,cmd.first_touch," \
			"shadow_pages_zapped,pages_rebuilt,pages_created," \
			"memslot_zap_seconds_mean"

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
		default: return vsva_bad_option("vsva-bench ab", NULL);
		}
	}
	if (o->scenario && scenario(o))
		return -1;
	if (vsva_no_operands("vsva-bench ab", argc, argv, optind))
		return -1;
	if (!o->a || !o->b) {
		fprintf(stderr, "vsva-bench ab: --a 'COMMAND' and --b 'COMMAND' "
			"are both required, each quoted\n");
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
	ctx = bench_context(&p, o.a);
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
	for (i = 0; i < o.r.warmup && !bench_stop; i++)	/* discarded */
		for (s = 0; s < 2; s++) {
			run = run_once(&p, cmds[s], -1, s ? "B" : "A");
			if (not_found(run, s ? o.b : o.a)) {
				json_object_put(run);
				rc = EXIT_BENCH_RUNS;
				goto out;
			}
			json_object_put(run);
		}
	for (i = 0; i < o.r.runs && !bench_stop; i++) {
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
