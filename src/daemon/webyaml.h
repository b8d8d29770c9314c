/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsvad's web config: its files read and libyaml's events walked
 * (webyaml.c), for the keys' parser (webparse.c).
 */
#ifndef VSVA_WEBYAML_H
#define VSVA_WEBYAML_H

#include <stddef.h>
#include <yaml.h>
#include "webconfig.h"

struct wc_parser {
	yaml_parser_t p;
	const char *path;
	char *err;
	size_t len;
};

/* @path's text (1 MiB at most), or NULL with why in @err. */
char *wc_read_file(const char *path, char *err, size_t len);
/* Remember a file read, to notice when it changes. */
void wc_note_file(struct vsva_webconfig *wc, const char *path);
/* @name relative to the directory of @cfg, as exporter-toolkit does. */
char *wc_read_relative(struct vsva_webconfig *wc, const char *cfg,
		       const char *name, char *err, size_t len);
/* Next scalar value, or NULL with an error naming @what. */
char *wc_next_scalar(struct wc_parser *wp, const char *what);
/* The next event is a @type; 0, or -1 with an error naming @what. */
int wc_expect(struct wc_parser *wp, yaml_event_type_t type, const char *what);
/* A mapping of string keys to string values (its start consumed): @each
 * gets each pair and owns it when it returns 0. */
int wc_each_pair(struct wc_parser *wp, const char *section,
		 int (*each)(struct wc_parser *, char *, char *, void *),
		 void *arg);
/* A non-empty sequence of strings (its start is the next event): @each
 * gets each one (the caller keeps it). */
int wc_each_item(struct wc_parser *wp, const char *what,
		 int (*each)(struct wc_parser *, const char *,
			     struct vsva_webconfig *),
		 struct vsva_webconfig *wc);
/* A mapping whose values are sections (its start consumed): @each parses
 * the value of each key ("?" for a key that is not a string). */
int wc_each_section(struct wc_parser *wp,
		    int (*each)(struct wc_parser *, const char *,
				struct vsva_webconfig *),
		    struct vsva_webconfig *wc);

#endif /* VSVA_WEBYAML_H */
