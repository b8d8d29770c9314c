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

static bool any_rung(enum vsva_source_id src, const struct vsva_choice *ch)
{
	int m;

	for (m = 0; m < VSVA_NMEASUREMENTS; m++)
		if (vsva_measurements[m].source == src && ch[m].rung)
			return true;
	return false;
}

/* Does rung @d enable @prog on a kernel with @f? */
static bool rung_has(const struct vsva_rung_def *d,
		     const struct vsva_features *f, const char *prog)
{
	int i;

	for (i = 0; d && i < VSVA_MAX_PROGS && d->progs[i]; i++)
		if (!strcmp(d->progs[i], prog))
			return true;
	for (i = 0; d && i < 2 && d->opt_progs[i]; i++)
		if ((f->have & d->opt_needs) == d->opt_needs &&
		    !strcmp(d->opt_progs[i], prog))
			return true;
	return false;
}

/* The measurement of @src whose chosen rung enabled @prog, or -1. */
static int owner(enum vsva_source_id src, const struct vsva_features *f,
		 const struct vsva_choice *ch, const char *prog)
{
	const struct vsva_measurement *m;
	int i;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		m = &vsva_measurements[i];
		if (m->source == src && ch[i].rung &&
		    rung_has(vsva_rung_def(m, ch[i].rung), f, prog))
			return i;
	}
	return -1;
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
			 "log", vsva_source_name[src], why);
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
	while (any_rung(src, ch)) {
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
		m = k.prog[0] ? owner(src, c->f, ch, k.prog) : -1;
		if (m < 0 || !refuse(&ch[m], &k)) {
			all_unavailable(src, ch, k.line);
			return -1;
		}
		fprintf(stderr, "vsva: %s: the %s rung failed (program %s: "
			"%s); trying the next rung\n", vsva_source_name[src],
			vsva_rung_name(ch[m].rung), k.prog, k.line);
		vsva_choose_all(c->f, force, ch);
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

/* Is @prog enabled by a chosen rung of @src's measurements? */
static bool enabled(const struct vsva_ctx *c, enum vsva_source_id src,
		    const char *prog)
{
	const char *const *a;

	for (a = vsva_source_always[src]; *a; a++)
		if (!strcmp(*a, prog))
			return true;
	return owner(src, c->f, c->choice, prog) >= 0;
}

/* kprobe and classic tracepoint programs: Linux < 6.1 warns (WARN_ONCE)
 * when they use run-time allocated hash maps */
static bool needs_prealloc(const struct bpf_program *p)
{
	enum bpf_prog_type t = bpf_program__type(p);

	return t == BPF_PROG_TYPE_KPROBE || t == BPF_PROG_TYPE_TRACEPOINT;
}

/* The entries map @name holds for @max_vms VMs on @ncpus CPUs; 0 for a
 * map of fixed size. */
unsigned int vsva_map_entries(const char *name, unsigned int max_vms,
			      int ncpus)
{
	static const struct { const char *name; unsigned int per_vm, plus; }
	sized[] = {
		{ "vm_info", 1, 0 }, { "vmms", 1, 0 }, { "kvms", 1, 0 },
		{ "vmfds", 1, 0 },
		{ "vm_stats", 1, 2 },		/* + kernel/0, unattributed */
		{ "zap_hist", 2, 4 },		/* two zap modes each */
		{ "irq_counts", 8, 0 },		/* 8 kinds x vectors per VM */
		{ "iommu_lat", 4, 0 }, { "iommu_cnt", 4, 0 },
	};
	size_t i;

	if (!strcmp(name, "task_vm") || !strcmp(name, "irq_depth"))
		return ncpus;
	for (i = 0; i < sizeof(sized) / sizeof(sized[0]); i++)
		if (!strcmp(name, sized[i].name))
			return sized[i].per_vm * max_vms + sized[i].plus;
	return 0;
}

static void vsva_obj_prepare(struct bpf_object *obj, const struct vsva_ctx *c,
		      enum vsva_source_id src)
{
	const char *reject = getenv("VSVA_TEST_REJECT");
	bool prealloc = false;
	struct bpf_program *p;
	struct bpf_map *m;

	bpf_object__for_each_program(p, obj) {
		bpf_program__set_autoload(p, enabled(c, src,
						     bpf_program__name(p)));
		prealloc |= bpf_program__autoload(p) && needs_prealloc(p);
	}
	/* one entry per possible CPU; per-VM maps sized by --max-vms */
	bpf_object__for_each_map(m, obj) {
		unsigned int n = vsva_map_entries(bpf_map__name(m), c->max_vms,
						  c->ncpus);

		if (n)
			bpf_map__set_max_entries(m, n);
	}
	if (prealloc && c->f->prealloc)
		bpf_object__for_each_map(m, obj)
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

/* The maps every object declares and the engine makes one: a VM has one
 * identity, and a VMM is known to every object. */
static const char *const shared_maps[] = { "vm_info", "vmms", "kvms",
					   "vmfds", "vm_gen" };
#define NSHARED	(int)(sizeof(shared_maps) / sizeof(shared_maps[0]))

bool vsva_map_is_shared(const char *name)
{
	int i;

	for (i = 0; i < NSHARED; i++)
		if (!strcmp(name, shared_maps[i]))
			return true;
	return false;
}

static int *shared_fd(struct vsva_ctx *c, int i)
{
	int *fd[NSHARED] = { &c->vm_info_fd, &c->vmms_fd, &c->kvms_fd,
			     &c->vmfds_fd, &c->vm_gen_fd };

	return fd[i];
}

static int share_maps(struct bpf_object *obj, struct vsva_ctx *c)
{
	struct bpf_map *m;
	int i, rc;

	for (i = 0; i < NSHARED; i++) {
		m = bpf_object__find_map_by_name(obj, shared_maps[i]);
		if (!m)
			return -ENOENT;
		rc = *shared_fd(c, i) >= 0 ?
		     bpf_map__reuse_fd(m, *shared_fd(c, i)) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

int vsva_obj_start(struct bpf_object_skeleton *sk, struct vsva_ctx *c,
		   enum vsva_source_id src)
{
	struct bpf_object *obj = *sk->obj;
	bool owns_shared = c->vm_info_fd < 0;	/* the first to load */
	int rc, i;

	vsva_obj_prepare(obj, c, src);
	if (c->pin_checking) {
		vsva_pin_check(c, src, obj);
		return -EAGAIN;
	}
	rc = share_maps(obj, c);
	if (!rc)
		rc = vsva_pin_reuse(c, src, obj, owns_shared);
	if (!rc)
		rc = bpf_object__load_skeleton(sk);
	if (!rc && c->pin_state != VSVA_PIN_ADOPTED)
		rc = bpf_object__attach_skeleton(sk);
	for (i = 0; !rc && i < NSHARED; i++)	/* the first to load: its maps */
		if (*shared_fd(c, i) < 0)
			*shared_fd(c, i) = bpf_map__fd(
				bpf_object__find_map_by_name(obj,
							     shared_maps[i]));
	if (!rc && (i = vsva_pin_commit(c, src, sk, owns_shared)))
		vsva_pin_abandon(c, src, i);
	return rc;
}

void vsva_pin_check_all(struct vsva_ctx *c, struct vsva_choice *ch)
{
	const struct vsva_source *ops;
	void *state;
	int s;

	c->pin_checking = true;
	for (s = 0; s < VSVA_NSOURCES; s++) {
		ops = vsva_source_ops(s);
		if (!ops->elf || !any_rung(s, ch))
			continue;
		state = NULL;
		if (!ops->open(c, &state) && state)	/* cannot happen */
			ops->close(state, c);
	}
	c->pin_checking = false;
}

int vsva_prog_fds(struct bpf_object *obj, int *fds, const char **names,
		  int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, obj) {
		if (n == max || bpf_program__fd(p) < 0)
			continue;
		fds[n] = bpf_program__fd(p);
		names[n++] = bpf_program__name(p);
	}
	return n;
}
