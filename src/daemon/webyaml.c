// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's web config: its files read (and noted, so that a change is seen),
 * and libyaml's events walked: scalars, mappings of pairs or of sections,
 * lists of strings, each with an error that names the file and line.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "webyaml.h"

#define WC_MAX_FILE	(1 << 20)

char *wc_read_file(const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    n > WC_MAX_FILE || fseek(f, 0, SEEK_SET))
		goto fail;
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		goto fail;
	buf[n] = 0;
	fclose(f);
	return buf;
fail:
	snprintf(err, len, "cannot read %s: %m", path);
	free(buf);
	if (f)
		fclose(f);
	return NULL;
}

/* Remember a file read, to notice when it changes. */
void wc_note_file(struct vsva_webconfig *wc, const char *path)
{
	if (wc->nfiles < VSVA_WC_MAX_FILES)
		wc->file[wc->nfiles] = strdup(path);
	wc->nfiles += wc->nfiles < VSVA_WC_MAX_FILES &&
		      wc->file[wc->nfiles];
}

/* @name relative to the directory of @cfg, as exporter-toolkit does. */
char *wc_read_relative(struct vsva_webconfig *wc, const char *cfg,
			   const char *name, char *err, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];

	snprintf(dir, sizeof(dir), "%s", cfg);
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dirname(dir), name);
	wc_note_file(wc, path);
	return wc_read_file(path, err, len);
}

/* Next scalar value, or NULL with an error naming @what. */
char *wc_next_scalar(struct wc_parser *wp, const char *what)
{
	yaml_event_t ev;
	char *s = NULL;

	if (!yaml_parser_parse(&wp->p, &ev)) {
		snprintf(wp->err, wp->len, "%s: line %zu: %s", wp->path,
			 wp->p.problem_mark.line + 1,
			 wp->p.problem ? wp->p.problem : "YAML error");
		return NULL;
	}
	if (ev.type == YAML_SCALAR_EVENT)
		s = strdup((char *)ev.data.scalar.value);
	else
		snprintf(wp->err, wp->len, "%s: line %zu: %s must be a "
			 "string", wp->path, ev.start_mark.line + 1, what);
	yaml_event_delete(&ev);
	return s;
}

int wc_expect(struct wc_parser *wp, yaml_event_type_t type,
		  const char *what)
{
	yaml_event_t ev;
	int ok;

	if (!yaml_parser_parse(&wp->p, &ev)) {
		snprintf(wp->err, wp->len, "%s: line %zu: %s", wp->path,
			 wp->p.problem_mark.line + 1,
			 wp->p.problem ? wp->p.problem : "YAML error");
		return -1;
	}
	ok = ev.type == type;
	if (!ok)
		snprintf(wp->err, wp->len, "%s: line %zu: expected %s",
			 wp->path, ev.start_mark.line + 1, what);
	yaml_event_delete(&ev);
	return ok ? 0 : -1;
}

/*
 * Walk a mapping of string keys to string values; @each gets each pair
 * and owns it when it returns 0.  The mapping's start has been consumed.
 */
int wc_each_pair(struct wc_parser *wp, const char *section,
		     int (*each)(struct wc_parser *, char *, char *, void *),
		     void *arg)
{
	yaml_event_t ev;
	char *k, *v;

	for (;;) {
		if (!yaml_parser_parse(&wp->p, &ev))
			return wc_expect(wp, YAML_NO_EVENT, "valid YAML");
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			snprintf(wp->err, wp->len, "%s: line %zu: %s: expected "
				 "key: value", wp->path, ev.start_mark.line + 1,
				 section);
			yaml_event_delete(&ev);
			return -1;
		}
		k = strdup((char *)ev.data.scalar.value);
		yaml_event_delete(&ev);
		v = wc_next_scalar(wp, k ? k : section);
		if (!k || !v || each(wp, k, v, arg)) {
			free(k);
			free(v);
			return -1;
		}
	}
}

/*
 * Walk a sequence of strings; @each gets each one (the caller keeps it).
 * Its start is the next event.
 */
int wc_each_item(struct wc_parser *wp, const char *what,
		     int (*each)(struct wc_parser *, const char *,
				 struct vsva_webconfig *),
		     struct vsva_webconfig *wc)
{
	yaml_event_t ev;
	int rc, n = 0;

	if (wc_expect(wp, YAML_SEQUENCE_START_EVENT, "a list"))
		return -1;
	for (;;) {
		if (!yaml_parser_parse(&wp->p, &ev))
			return wc_expect(wp, YAML_NO_EVENT, "valid YAML");
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			snprintf(wp->err, wp->len, "%s: line %zu: %s: expected "
				 "a list of strings", wp->path,
				 ev.start_mark.line + 1, what);
			yaml_event_delete(&ev);
			return -1;
		}
		rc = each(wp, (char *)ev.data.scalar.value, wc);
		yaml_event_delete(&ev);
		if (rc)
			return -1;
		n++;
	}
	if (n)
		return 0;
	snprintf(wp->err, wp->len, "%s: tls_server_config: %s is an empty "
		 "list", wp->path, what);
	return -1;
}

/*
 * Walk a mapping whose values are sections: @each parses the value of each
 * key ("?" for a key that is not a string).  The mapping's start has been
 * consumed.
 */
int wc_each_section(struct wc_parser *wp,
			int (*each)(struct wc_parser *, const char *,
				    struct vsva_webconfig *),
			struct vsva_webconfig *wc)
{
	yaml_event_t ev;
	char *key;
	int rc;

	for (;;) {
		if (!yaml_parser_parse(&wp->p, &ev))
			return wc_expect(wp, YAML_NO_EVENT, "valid YAML");
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		key = ev.type == YAML_SCALAR_EVENT ?
		      strdup((char *)ev.data.scalar.value) : NULL;
		yaml_event_delete(&ev);
		rc = each(wp, key ? key : "?", wc);
		free(key);
		if (rc)
			return -1;
	}
}

