// SPDX-License-Identifier: GPL-2.0
/*
 * One BPF object's life, the same for every source: open its skeleton,
 * configure it (read-only data, map sizes), enable exactly the programs
 * the chosen rungs name, share the VM maps, load, attach and pin it; and
 * destroy it if a step fails (src/lib/load.c decides what to try next).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "priv.h"

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
	const char *const *a = vsva_sources[src].always;
	int i;

	for (i = 0; i < VSVA_MAX_ALWAYS && a[i]; i++)
		if (!strcmp(a[i], prog))
			return true;
	return vsva_prog_owner(src, c->f, c->choice, prog) >= 0;
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

static void obj_prepare(struct bpf_object *obj, const struct vsva_ctx *c,
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

/* The shared maps (src/lib/vm.c) that an earlier object made: this one
 * uses them.  Every object declares them all. */
static int share_maps(struct bpf_object *obj, struct vsva_ctx *c)
{
	struct bpf_map *m;
	const char *name;
	int i, *fd, rc;

	for (i = 0; (name = vsva_shared_map(c, i, &fd)); i++) {
		m = bpf_object__find_map_by_name(obj, name);
		if (!m)
			return -ENOENT;
		rc = *fd >= 0 ? bpf_map__reuse_fd(m, *fd) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* The first object to load made the shared maps: keep their descriptors. */
static void keep_shared(struct bpf_object *obj, struct vsva_ctx *c)
{
	const char *name;
	int i, *fd;

	for (i = 0; (name = vsva_shared_map(c, i, &fd)); i++)
		if (*fd < 0)
			*fd = bpf_map__fd(bpf_object__find_map_by_name(obj,
								       name));
}

int vsva_obj_start(struct bpf_object_skeleton *sk, struct vsva_ctx *c,
		   enum vsva_source_id src)
{
	struct bpf_object *obj = *sk->obj;
	bool owns_shared = c->vm_info_fd < 0;	/* the first to load */
	int rc;

	obj_prepare(obj, c, src);
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
	if (rc)
		return rc;
	keep_shared(obj, c);
	rc = vsva_pin_commit(c, src, sk, owns_shared);
	if (rc)
		vsva_pin_abandon(c, src, rc);
	return 0;
}

void *vsva_skel_open(const struct vsva_skel *k, struct vsva_ctx *c,
		     enum vsva_source_id src, int *err)
{
	void *skel = k->open();

	if (!skel) {
		*err = -errno;
		return NULL;
	}
	*err = k->config ? k->config(skel, c) : 0;
	if (!*err)
		*err = vsva_obj_start(k->skeleton(skel), c, src);
	if (*err) {
		k->destroy(skel);
		return NULL;
	}
	return skel;
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

