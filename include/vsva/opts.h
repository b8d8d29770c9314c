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

/*
 * The tail every option parser shares, around getopt_long's loop:
 *
 *	while ((c = getopt_long(argc, argv, ...)) != -1) {
 *		switch (c) {
 *		...
 *		default:
 *			return vsva_bad_option(PROG, usage);
 *		}
 *	}
 *	return vsva_no_operands(PROG, argc, argv, optind);
 *
 * (a program that takes operands checks their number itself).
 */

/*
 * getopt_long's '?': an unknown option, or one without its argument, and
 * getopt_long has already said which.  Then @usage on stderr, or with no
 * @usage (a program whose usage is long, or that keeps its errors to one
 * line and a hint) a pointer to --help.  -1.
 */
static inline int vsva_bad_option(const char *prog, void (*usage)(FILE *))
{
	if (usage)
		usage(stderr);
	else
		fprintf(stderr, "Try '%s --help'.\n", prog);
	return -1;
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
