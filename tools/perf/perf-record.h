/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-perf record: which events, from the measurement table
 * (tools/perf/perf-choose.c), and perf record run with them; running
 * perf, for record and report (tools/perf/perf-record.c).
 */
#ifndef VSVA_PERF_RECORD_H
#define VSVA_PERF_RECORD_H

#include <stdbool.h>
#include <stdio.h>

#define EXIT_PERF_FAILED	1
#define EXIT_USAGE		2
#define EXIT_NO_PERF		7
#define EXIT_NO_VSVA_EVENTS	8
#define EXIT_NOT_OWNED		9
#define EXIT_HELP		-1	/* cmd_record: print the usage, exit 0 */

#define REC_EVENTS	64

struct recording {
	char events[REC_EVENTS][128];
	char filter[REC_EVENTS][256];
	int n;
	bool full;
};

/*
 * Each measurement's best rung whose perf events this kernel has (@have:
 * is "system:name" in tracefs?), with the optional events it has, into
 * @rec; what was chosen and why said on @log.  How many measurements are
 * recorded.
 */
int rec_choose(struct recording *rec, bool (*have)(const char *ev),
	       FILE *log);
/* Is "system:name" an event of this kernel's tracefs? */
bool rec_have_event(const char *ev);

/* vsva-perf record ARGS: an exit status, or EXIT_HELP. */
int cmd_record(int argc, char **argv);

/* Run @argv; its stderr without perf's format noise when @quiet; its exit
 * status, or -1. */
int run_filtered(char **argv, bool quiet);
/* Is perf there?  Says how to get it if not. */
bool have_perf(void);

#endif /* VSVA_PERF_RECORD_H */
