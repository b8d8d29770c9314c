// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-table: print the measurement table as JSON (build/table.json, which
 * the Makefile writes with it).  Reads only the table compiled into
 * libvsva: no root, no BPF, no kernel features; `vsvad --probe --json`
 * adds what this kernel offers and what each measurement chose.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vsva/tablejson.h"

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout :
			stderr, "Usage: vsva-table\nPrint vsva's measurement "
			"table as JSON (format %s).\n", VSVA_TABLE_FORMAT);
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	if (vsva_table_json_print(stdout)) {
		fprintf(stderr, "vsva-table: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
