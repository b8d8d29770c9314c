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
#include "engine_priv.h"

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
	char buf[8192], *p, *nl;
	va_list copy;

	va_copy(copy, ap);
	if (cap->verbose && lvl != LIBBPF_DEBUG)
		vfprintf(stderr, fmt, copy);
	va_end(copy);
	if (lvl == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (p = buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			note_line(p, strlen(p));
			break;
		}
		note_line(p, nl - p);
	}
	return 0;
}

static bool any_rung(const struct vsva_obj *o, struct vsva_engine *e)
{
	struct vsva_choice *c[VSVA_OBJ_MAX_CHOICES];
	int i, n = o->choices(e, c);

	for (i = 0; i < n; i++)
		if (c[i]->rung)
			return true;
	return false;
}

/* The whole object failed for a reason no single program explains. */
static void all_unavailable(const struct vsva_obj *o, struct vsva_engine *e,
			    const char *why)
{
	struct vsva_choice *c[VSVA_OBJ_MAX_CHOICES];
	int i, n = o->choices(e, c);

	for (i = 0; i < n; i++) {
		if (!c[i]->rung)
			continue;
		snprintf(c[i]->reason, sizeof(c[i]->reason), "the %s BPF "
			 "object failed to load: %s; run with -v for the "
			 "verifier log", o->name, why);
		c[i]->rung = VSVA_RUNG_NONE;
		c[i]->approximate = false;
	}
}

int vsva_obj_load(struct vsva_engine *e, const struct vsva_obj *o)
{
	libbpf_print_fn_t old;
	struct vsva_choice *c;
	struct capture k;
	size_t n;
	int rc;

	while (any_rung(o, e)) {
		memset(&k, 0, sizeof(k));
		k.verbose = e->o.verbose;
		cap = &k;
		old = libbpf_set_print(capture_print);
		rc = o->load(e);
		libbpf_set_print(old);
		cap = NULL;
		if (!rc)
			return 0;
		if (!k.line[0])
			snprintf(k.line, sizeof(k.line), "%s", k.libbpf[0] ?
				 k.libbpf : strerror(-rc));
		c = k.prog[0] ? o->owner(e, k.prog) : NULL;
		if (!c || !c->rung) {
			all_unavailable(o, e, k.line);
			return -1;
		}
		fprintf(stderr, "vsva: %s: the %s rung failed (program %s: "
			"%s); trying the next rung\n", o->name,
			vsva_rung_name(c->rung), k.prog, k.line);
		c->refused |= 1u << c->rung;
		n = strlen(c->failed);
		snprintf(c->failed + n, sizeof(c->failed) - n, "%sthe %s rung "
			 "failed (program %.40s: %.100s)", n ? "; " : "",
			 vsva_rung_name(c->rung), k.prog, k.line);
		o->choose(e);
	}
	return 0;
}

/* Does comma-separated @list name @s? */
static bool listed(const char *list, const char *s)
{
	size_t n = strlen(s);
	const char *p;

	for (p = list; (p = strstr(p, s)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

void vsva_obj_prepare(struct bpf_object *obj, bool prealloc)
{
	const char *reject = getenv("VSVA_TEST_REJECT");
	struct bpf_program *p;
	struct bpf_map *m;

	/* Linux < 6.1 warns (WARN_ONCE) when kprobe/tracepoint programs use
	 * run-time allocated hash maps */
	bpf_object__for_each_map(m, obj)
		if (prealloc)
			bpf_map__set_map_flags(m, bpf_map__map_flags(m) &
					       ~BPF_F_NO_PREALLOC);
	if (!reject)
		return;
	/* tests: the kernel refuses these programs as it would a program
	 * its verifier cannot accept (tracing helpers in a socket filter) */
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p) ||
		    !listed(reject, bpf_program__name(p)))
			continue;
		bpf_program__set_type(p, BPF_PROG_TYPE_SOCKET_FILTER);
		bpf_program__set_expected_attach_type(p, 0);
	}
}
