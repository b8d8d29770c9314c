// SPDX-License-Identifier: GPL-2.0
/*
 * Posted-interrupt counters from /proc/interrupts: PIN (notification
 * events), NPI (nested notifications) and PIW (wakeups), per CPU.  The
 * header names the CPU columns (only online CPUs are listed).
 */
#include <stdlib.h>
#include <string.h>
#include "vsva/procirq.h"

const char *const vsva_pi_row_name[VSVA_PI_ROWS] = {
	[VSVA_PI_NOTIFY] = "PIN",
	[VSVA_PI_NESTED] = "NPI",
	[VSVA_PI_WAKEUP] = "PIW",
};

/* "           CPU0       CPU1" -> cpu numbers; -1 if not a header. */
static int parse_header(const char *line, const char *end,
			struct vsva_pi_counts *pi)
{
	const char *p = line;
	int n = 0;

	while (p < end && (p = strstr(p, "CPU")) && p < end) {
		int *cpu = realloc(pi->cpu, (n + 1) * sizeof(*cpu));
		char *num_end;

		if (!cpu)
			return -1;
		pi->cpu = cpu;
		cpu[n++] = strtol(p + 3, &num_end, 10);
		if (num_end == p + 3)
			return -1;
		p = num_end;
	}
	pi->ncpus = n;
	return n ? 0 : -1;
}

/* "PIN:   1   2   Posted-interrupt ..." -> ncpus values, or -1. */
static int parse_row(const char *p, struct vsva_pi_counts *pi, int row)
{
	uint64_t *v = calloc(pi->ncpus, sizeof(*v));
	char *end;
	int i;

	if (!v)
		return -1;
	for (i = 0; i < pi->ncpus; i++) {
		p += strspn(p, " \t");
		v[i] = strtoull(p, &end, 10);
		if (end == p) {
			free(v);
			return -1;	/* fewer columns than CPUs */
		}
		p = end;
	}
	free(pi->count[row]);
	pi->count[row] = v;
	pi->present[row] = true;
	return 0;
}

int vsva_parse_pi(const char *text, struct vsva_pi_counts *pi)
{
	const char *line = text, *end;
	int row;

	memset(pi, 0, sizeof(*pi));
	end = strchr(line, '\n');
	if (parse_header(line, end ? end : line + strlen(line), pi))
		goto free_pi;
	while (end) {
		line = end + 1;
		end = strchr(line, '\n');
		line += strspn(line, " ");
		for (row = 0; row < VSVA_PI_ROWS; row++)
			if (!strncmp(line, vsva_pi_row_name[row], 3) &&
			    line[3] == ':')
				parse_row(line + 4, pi, row);
	}
	return 0;
free_pi:
	vsva_pi_free(pi);
	return -1;
}

void vsva_pi_free(struct vsva_pi_counts *pi)
{
	int row;

	for (row = 0; row < VSVA_PI_ROWS; row++)
		free(pi->count[row]);
	free(pi->cpu);
	memset(pi, 0, sizeof(*pi));
}
