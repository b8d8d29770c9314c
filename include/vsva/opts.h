/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva: what every program's option parsing shares.  Header-only, so that
 * vsva-kvmload (no libbpf, it goes into the QEMU guests) can use it too.
 */
#ifndef VSVA_OPTS_H
#define VSVA_OPTS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* A whole decimal number in [@min, @max] into @out; 0, or -1. */
static inline int vsva_parse_ul(const char *s, unsigned long min,
				unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *s == '-' || end == s || *end || *out < min ||
	       *out > max ? -1 : 0;
}

/* After getopt: operands are not accepted; 0, or -1 with a message. */
static inline int vsva_no_operands(const char *prog, int argc, char **argv,
				   int optind)
{
	if (optind >= argc)
		return 0;
	fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
	return -1;
}

#endif /* VSVA_OPTS_H */
