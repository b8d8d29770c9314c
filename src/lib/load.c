// SPDX-License-Identifier: GPL-2.0
/*
 * One failure policy for every BPF object: if an object cannot load or
 * attach, the measurement that owns the failing program falls to its next
 * rung (or to none), with the verifier's first relevant line as the
 * reason, and the object is tried again; vsvad keeps serving everything
 * else.  libbpf's messages are captured while an object loads to find the
 * failing program and that line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "priv.h"

struct capture {
	char prog[64];		/* the program libbpf says failed */
	char line[160];		/* the verifier's (or libbpf's) reason */
	char last[160];		/* last verifier line that was not code */
	char libbpf[160];	/* libbpf's words, when there is no log */
	bool verbose;
};

static struct capture *cap;	/* loads happen on one thread, at start */

static void copy_trimmed(char *dst, size_t len, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '.'))
		n--;
	snprintf(dst, len, "%.*s", (int)n, s);
}

/* "... prog 'NAME': failed to load: -13", "... program 'NAME': -22" */
static void note_prog(const char *s, size_t n)
{
	static const char *const pat[] = { "prog '", "program '" };
	const char *p, *q;
	size_t i;

	if (cap->prog[0] || !memmem(s, n, "fail", 4) ||
	    memmem(s, n, "failed to load:", 15))
		return;
	for (i = 0; i < 2; i++) {
		p = memmem(s, n, pat[i], strlen(pat[i]));
		if (!p)
			continue;
		p += strlen(pat[i]);
		q = memchr(p, '\'', n - (p - s));
		if (!q)
			continue;
		copy_trimmed(cap->prog, sizeof(cap->prog), p, q - p);
		/* without a verifier log, libbpf's words are the reason */
		p = memmem(q, n - (q - s), ": ", 2);
		if (p)
			copy_trimmed(cap->libbpf, sizeof(cap->libbpf), p + 2,
				     n - (p + 2 - s));
		return;
	}
}

/* One line of libbpf output, which may be a line of the verifier log. */
static void note_line(const char *s, size_t n)
{
	if (!n)
		return;
	if (n > 8 && !memcmp(s, "libbpf: ", 8)) {
		note_prog(s + 8, n - 8);
		return;
	}
	if (n > 10 && !memcmp(s, "processed ", 10)) {
		if (!cap->line[0])	/* the line just before the summary */
			snprintf(cap->line, sizeof(cap->line), "%s", cap->last);
		return;
	}
	/* skip instructions ("12: (bf) ..."), source (";"), markers */
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == ';' || s[0] == '-' ||
	    s[0] == ' ' || s[0] == '\t')
		return;
	copy_trimmed(cap->last, sizeof(cap->last), s, n);
}

static int capture_print(enum libbpf_print_level lvl, const char *fmt,
			 va_list ap)
{
	char *buf, *p, *nl;
	va_list copy;
	int n;

	va_copy(copy, ap);
	if (cap->verbose && lvl != LIBBPF_DEBUG)
		vfprintf(stderr, fmt, copy);
	va_end(copy);
	if (lvl == LIBBPF_DEBUG)
		return 0;
	/* a whole verifier log comes in one call: its end is the reason */
	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	buf = n >= 0 ? malloc(n + 1) : NULL;
	if (!buf)
		return 0;
	vsnprintf(buf, n + 1, fmt, ap);
	for (p = buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			note_line(p, strlen(p));
			break;
		}
		note_line(p, nl - p);
	}
	free(buf);
	return 0;
}

/* The whole source failed for a reason no single program explains. */
static void all_unavailable(enum vsva_source_id src, struct vsva_choice *ch,
			    const char *why)
{
	int m;

	for (m = 0; m < VSVA_NMEASUREMENTS; m++) {
		if (vsva_measurements[m].source != src || !ch[m].rung)
			continue;
		snprintf(ch[m].reason, sizeof(ch[m].reason), "the %s source "
			 "failed to load: %s; run with -v for the verifier "
			 "log", vsva_sources[src].name, why);
		ch[m].rung = VSVA_RUNG_NONE;
		ch[m].approximate = false;
	}
}

/* Note the failed rung of measurement @m; false if there is none. */
static bool refuse(struct vsva_choice *c, const struct capture *k)
{
	size_t n = strlen(c->failed);

	if (!c->rung)
		return false;
	c->refused |= VSVA_BIT(c->rung);
	snprintf(c->failed + n, sizeof(c->failed) - n, "%sthe %s rung failed "
		 "(program %.40s: %.100s)", n ? "; " : "",
		 vsva_rung_name(c->rung), k->prog, k->line);
	return true;
}

int vsva_source_load(struct vsva_ctx *c, enum vsva_source_id src,
		     const struct vsva_source *ops, void **state,
		     const enum vsva_rung *force, struct vsva_choice *ch)
{
	libbpf_print_fn_t old;
	struct capture k;
	int rc, m;

	*state = NULL;
	while (vsva_source_wanted(src, ch)) {
		memset(&k, 0, sizeof(k));
		k.verbose = c->verbose;
		cap = &k;
		old = libbpf_set_print(capture_print);
		rc = ops->open(c, state);
		libbpf_set_print(old);
		cap = NULL;
		if (!rc)
			return 0;
		*state = NULL;
		if (!k.line[0])
			snprintf(k.line, sizeof(k.line), "%s", k.libbpf[0] ?
				 k.libbpf : strerror(-rc));
		m = k.prog[0] ? vsva_prog_owner(src, c->f, ch, k.prog) : -1;
		if (m < 0 || !refuse(&ch[m], &k)) {
			all_unavailable(src, ch, k.line);
			return -1;
		}
		fprintf(stderr, "vsva: %s: the %s rung failed (program %s: "
			"%s); trying the next rung\n", vsva_sources[src].name,
			vsva_rung_name(ch[m].rung), k.prog, k.line);
		vsva_choose_all(c->f, force, ch);
	}
	return 0;
}
