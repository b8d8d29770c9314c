// SPDX-License-Identifier: GPL-2.0
/*
 * Writes build/vsva-mnames.h: the measurement table's names, in its
 * order.  vsva-perf's report engine prints them, and it also runs as a
 * perf dlfilter, a self-contained .so that cannot link libvsva; the
 * names are generated from the table so that it stays their one
 * definition.
 */
#include <stdio.h>
#include "vsva/ladder.h"

int main(void)
{
	int i;

	printf("/* Generated from src/lib/table.c by tools/perf/perf-mnames.c: "
	       "do not edit. */\n");
	printf("#define VSVA_PERF_NMEASUREMENTS %d\n", VSVA_NMEASUREMENTS);
	printf("#define VSVA_PERF_MNAMES { \\\n");
	for (i = 0; i < VSVA_NMEASUREMENTS; i++)
		printf("\t\"%s\", \\\n", vsva_measurements[i].name);
	printf("}\n");
	return ferror(stdout) ? 1 : 0;
}
