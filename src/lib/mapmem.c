// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel memory vsva's BPF maps can take: every map full, on a given
 * number of CPUs.  Read from the objects' own map definitions (opened, not
 * loaded), sized as vsvad sizes them (--max-vms, the CPUs), and costed as
 * Linux allocates them: hash elements from kmalloc size classes with a
 * 48-byte header, a bucket array of a power of two, per-CPU values once
 * per possible CPU.  An estimate of the kernel's own accounting, not a
 * measurement: the bench compares it with the memory cgroup's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "priv.h"

#define HTAB_ELEM_HEAD	48	/* struct htab_elem before the key */
#define HTAB_BUCKET	16	/* struct bucket */

static __u64 round8(__u64 n)
{
	return (n + 7) & ~7ULL;
}

/* The kmalloc size class @n bytes come from. */
static __u64 kmalloc_size(__u64 n)
{
	__u64 c = 8;

	if (n > 64 && n <= 96)
		return 96;
	if (n > 128 && n <= 192)
		return 192;
	while (c < n)
		c <<= 1;
	return c;
}

static __u64 pow2(__u64 n)
{
	__u64 c = 1;

	while (c < n)
		c <<= 1;
	return c;
}

/* Cost one map of @n entries (see struct vsva_map_mem). */
static void cost(const struct bpf_map *m, unsigned int n,
		 struct vsva_map_mem *out)
{
	__u64 k = round8(bpf_map__key_size(m)), v = round8(bpf_map__value_size(m));

	switch (bpf_map__type(m)) {
	case BPF_MAP_TYPE_HASH:
		out->fixed = pow2(n) * HTAB_BUCKET;
		out->elems = n * kmalloc_size(HTAB_ELEM_HEAD + k + v);
		out->type = "hash";
		break;
	case BPF_MAP_TYPE_PERCPU_HASH:
		out->fixed = pow2(n) * HTAB_BUCKET;
		out->elems = n * kmalloc_size(HTAB_ELEM_HEAD + k + 8);
		out->per_cpu = n * v;
		out->type = "percpu_hash";
		break;
	case BPF_MAP_TYPE_ARRAY:
		out->fixed = n * v;
		out->type = "array";
		break;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		out->fixed = n * 8;
		out->per_cpu = n * v;	/* taken at once */
		out->type = "percpu_array";
		break;
	default:
		out->fixed = n * (k + v);
		out->type = "other";
		break;
	}
}

/* The maps an earlier object made already (the engine shares them). */
static bool counted(const struct vsva_map_mem *m, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return true;
	return false;
}

static int object_maps(const char *obj_name, const void *elf, size_t sz,
		       unsigned int max_vms, int ncpus,
		       struct vsva_map_mem *out, int n, int max)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = obj_name);
	struct bpf_object *obj = bpf_object__open_mem(elf, sz, &opts);
	const struct bpf_map *m;
	unsigned int entries;

	if (!obj)
		return -errno;
	bpf_object__for_each_map(m, obj) {
		if (n == max || counted(out, n, bpf_map__name(m)))
			continue;
		entries = vsva_map_entries(bpf_map__name(m), max_vms, ncpus);
		if (!entries)
			entries = bpf_map__max_entries(m);
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].obj, sizeof(out[n].obj), "%s", obj_name);
		snprintf(out[n].name, sizeof(out[n].name), "%s",
			 bpf_map__name(m));
		out[n].entries = entries;
		cost(m, entries, &out[n]);
		n++;
	}
	bpf_object__close(obj);
	return n;
}

int vsva_maps_memory(unsigned int max_vms, int ncpus,
		     struct vsva_map_mem *out, int max)
{
	struct vsva_elf elf[VSVA_NSOURCES];
	int i, nelf, n = 0;

	if (!max_vms)
		max_vms = VSVA_DEFAULT_MAX_VMS;
	nelf = vsva_source_elfs(elf, VSVA_NSOURCES);
	for (i = 0; i < nelf; i++) {
		n = object_maps(vsva_sources[elf[i].src].name, elf[i].bytes,
				elf[i].size, max_vms, ncpus, out, n, max);
		if (n < 0)
			return n;
	}
	return n;
}
