// SPDX-License-Identifier: GPL-2.0
/*
 * The VM table: the maps every BPF object shares, among them the one
 * vm_info map (a VM's identity and exit time, keyed by VM id), copied
 * once per snapshot so that labelling a sample costs no bpf() call; and
 * the entries that point at retired VMs.  The VMs that predate vsvad and
 * the retirement of those that exited are src/lib/vmm.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "priv.h"
#include "vsva/utf8.h"

/* The maps every object declares and the engine makes once: a VM has one
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

const char *vsva_shared_map(struct vsva_ctx *c, int i, int **fd)
{
	int *fds[NSHARED] = { &c->vm_info_fd, &c->vmms_fd, &c->kvms_fd,
			      &c->vmfds_fd, &c->vm_gen_fd };

	if (i < 0 || i >= NSHARED)
		return NULL;
	*fd = fds[i];
	return shared_maps[i];
}

static void vm_cache_add(struct vsva_ctx *c, void *arg, const void *key,
			 const void *val)
{
	struct vsva_vm_entry *v;

	if (c->nvms == (int)c->max_vms) {
		*(bool *)arg = true;	/* cannot happen: same bound */
		return;
	}
	v = &c->vms[c->nvms++];
	v->id = *(const __u32 *)key;
	v->info = *(const struct vsva_vm_info *)val;
	v->info.comm[VSVA_COMM_LEN - 1] = 0;
}

/* By name (VMM pid, sequence number), oldest first. */
static int name_cmp(const void *a, const void *b)
{
	const struct vsva_vm_info *x = &((const struct vsva_vm_entry *)a)->info;
	const struct vsva_vm_info *y = &((const struct vsva_vm_entry *)b)->info;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

/*
 * A VM whose name a newer VM took (a new VMM under its pid) is left out
 * of the table at once, and noted for retirement: one name, one series.
 */
static void drop_renamed(struct vsva_ctx *c)
{
	int i, n = 0;

	c->nrenamed = 0;
	qsort(c->vms, c->nvms, sizeof(*c->vms), name_cmp);
	for (i = 0; i < c->nvms; i++) {
		if (i + 1 < c->nvms &&
		    c->vms[i + 1].info.tgid == c->vms[i].info.tgid &&
		    c->vms[i + 1].info.seq == c->vms[i].info.seq) {
			c->renamed[c->nrenamed++] = c->vms[i].id;
			continue;
		}
		c->vms[n++] = c->vms[i];
	}
	c->nvms = n;
}

/* "comm/tgid", and "#seq" for a VMM's second VM and later; comm as
 * valid UTF-8 (its bytes are the executable's name, cut at 15) */
static void info_label(struct vsva_vm_info *info, char *buf, size_t len)
{
	char comm[VSVA_UTF8_CLEAN_SIZE(VSVA_COMM_LEN - 1)];

	info->comm[VSVA_COMM_LEN - 1] = 0;
	vsva_utf8_clean(comm, sizeof(comm), info->comm, VSVA_COMM_LEN);
	if (info->seq > 1)
		snprintf(buf, len, "%s/%u#%u", comm, info->tgid, info->seq);
	else
		snprintf(buf, len, "%s/%u", comm, info->tgid);
}

/* Where VM @id's search in vm_index starts (Fibonacci hashing). */
static unsigned int slot_of(const struct vsva_ctx *c, __u32 id)
{
	return (id * 2654435761u) & c->vm_index_mask;
}

int vsva_vm_cache_fill(struct vsva_ctx *c)
{
	bool lost = false;
	unsigned int h;
	int i;
	struct vsva_walk w = {
		.fd = c->vm_info_fd, .ksz = sizeof(__u32),
		.vsz = sizeof(struct vsva_vm_info), .fn = vm_cache_add,
		.arg = &lost,
	};

	c->nvms = 0;
	c->vms_cached = false;
	if (c->vm_info_fd < 0)
		return 0;
	if (vsva_map_walk(c, &w) || lost)
		return -1;
	drop_renamed(c);
	memset(c->vm_index, 0, (c->vm_index_mask + 1) * sizeof(*c->vm_index));
	for (i = 0; i < c->nvms; i++) {
		info_label(&c->vms[i].info, c->vms[i].label,
			   sizeof(c->vms[i].label));
		for (h = slot_of(c, c->vms[i].id); c->vm_index[h];
		     h = (h + 1) & c->vm_index_mask)
			;
		c->vm_index[h] = i + 1;
	}
	c->vms_cached = true;
	return 0;
}

/* The cached entry of VM @id, or NULL. */
static const struct vsva_vm_entry *vm_entry(struct vsva_ctx *c, __u32 id)
{
	unsigned int h;

	for (h = slot_of(c, id); c->vm_index[h]; h = (h + 1) & c->vm_index_mask)
		if (c->vms[c->vm_index[h] - 1].id == id)
			return &c->vms[c->vm_index[h] - 1];
	return NULL;
}

bool vsva_vm_get(struct vsva_ctx *c, __u32 id, struct vsva_vm_info *info)
{
	const struct vsva_vm_entry *v;

	if (!c->vms_cached)
		return c->vm_info_fd >= 0 &&
		       !bpf_map_lookup_elem(c->vm_info_fd, &id, info);
	v = vm_entry(c, id);
	if (v)
		*info = v->info;
	return v;
}

bool vsva_vm_known(struct vsva_ctx *c, __u32 id)
{
	struct vsva_vm_info info;

	return c->vms_cached ? vm_entry(c, id) != NULL :
			       vsva_vm_get(c, id, &info);
}

void vsva_vm_label(struct vsva_ctx *c, __u32 id, char *buf, size_t len)
{
	const struct vsva_vm_entry *v;
	struct vsva_vm_info info;

	if (!id) {
		snprintf(buf, len, "kernel/0");
		return;
	}
	if (id == VSVA_UNATTRIBUTED) {
		snprintf(buf, len, "unattributed");
		return;
	}
	v = c->vms_cached ? vm_entry(c, id) : NULL;
	if (v) {
		memcpy(buf, v->label, len < sizeof(v->label) ? len :
		       sizeof(v->label));
		buf[len - 1] = 0;
		return;
	}
	if (c->vms_cached || !vsva_vm_get(c, id, &info)) {
		snprintf(buf, len, "retired#%u", id);	/* not exported */
		return;
	}
	info_label(&info, buf, len);
}

/* Delete the entries of hash map @fd (u32 values) that point at @ids. */
static void forget_refs(int fd, size_t ksz, const __u32 *ids, int n,
			unsigned int max)
{
	unsigned char key[16], next[16], (*dead)[16];
	void *prev = NULL;
	int nd = 0, i;
	__u32 id;

	if (fd < 0 || !n || !(dead = calloc(max, sizeof(*dead))))
		return;
	while (nd < (int)max && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, &id))
			continue;
		for (i = 0; i < n; i++)
			if (ids[i] == id) {
				memcpy(dead[nd++], key, ksz);
				break;
			}
	}
	for (i = 0; i < nd; i++)
		bpf_map_delete_elem(fd, dead[i]);
	free(dead);
}

void vsva_vm_refs_forget(struct vsva_ctx *c, const __u32 *ids, int n)
{
	forget_refs(c->kvms_fd, sizeof(__u64), ids, n, c->max_vms);
	forget_refs(c->vmfds_fd, sizeof(struct vsva_vmfd), ids, n, c->max_vms);
}
