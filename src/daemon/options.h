/* SPDX-License-Identifier: GPL-2.0 */
/* vsvad: its command line (options.c), for main (vsvad.c). */
#ifndef VSVAD_OPTIONS_H
#define VSVAD_OPTIONS_H

#include <stdbool.h>
#include "vsva/engine.h"

#define DEFAULT_LISTEN	"127.0.0.1:9477"
#define DEFAULT_RETAIN	300
#define DEFAULT_MAX_CONNS	2048
#define DEFAULT_PIN_ROOT	"/sys/fs/bpf/vsva"

struct opts {
	const char *listen;
	const char *user;
	const char *web_config;
	bool check_web_config;		/* validate it and exit */
	unsigned int max_conns, max_per_ip;
	bool probe;
	bool json;			/* --probe as JSON */
	bool unpin;			/* remove the pins and exit */
	const char *prepare_pins;	/* the pin root for this user, and exit */
	bool pin, no_pin;		/* --pin, --no-pin: the last given */
	struct vsva_engine_opts eng;
};

/* The command line into @o (its defaults set); 0, or -1 with a message.
 * --help and --version print and exit. */
int vsvad_parse_opts(int argc, char **argv, struct opts *o);
/* Where pins go (--pin) and which are reported as orphans: the root,
 * $VSVA_PIN_ROOT or DEFAULT_PIN_ROOT, into o->eng. */
void vsvad_pin_options(struct opts *o);

#endif /* VSVAD_OPTIONS_H */
