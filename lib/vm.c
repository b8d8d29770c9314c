// SPDX-License-Identifier: GPL-2.0
/*
 * The VM table: the one vm_info map every BPF source shares (a VM's
 * identity and exit time, keyed by VM id), copied once per snapshot so
 * that labelling a sample costs no bpf() call; the VMs that predate
 * vsvad; and the retirement of VMs that exited.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include "priv.h"
#include "vsva/utf8.h"

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

static int start_ticks(unsigned int pid, __u64 *ticks);

/* Does the VMM of @info still run (its pid, and the same process)? */
static bool vmm_alive(const struct vsva_vm_info *info)
{
	__u64 ticks;

	if (!info->start_ticks)
		return kill(info->tgid, 0) == 0 || errno != ESRCH;
	return !start_ticks(info->tgid, &ticks) && ticks == info->start_ticks;
}

#define VSVA_RETIRE_GRACE_NS	1000000000ULL

/* Is VM @v due for retirement?  Marks exits that were missed. */
static bool vm_expired(struct vsva_ctx *c, unsigned int retention_s,
		       struct vsva_vm_entry *v, uint64_t now)
{
	if (!v->info.exit_ns) {
		if (vmm_alive(&v->info))
			return false;
		v->info.exit_ns = now;	/* its exit event was missed */
		bpf_map_update_elem(c->vm_info_fd, &v->id, &v->info, BPF_EXIST);
	}
	/* a second's grace even with --retention 0: the VM's teardown
	 * (its MMU zapped as its fds close) is still its own */
	return now - v->info.exit_ns >= VSVA_RETIRE_GRACE_NS &&
	       now - v->info.exit_ns >= retention_s * 1000000000ULL;
}

int vsva_vm_expired(struct vsva_ctx *c, unsigned int retention_s,
		    __u32 *doomed)
{
	uint64_t now = vsva_mono_ns();
	int n = 0, i;

	if (c->vm_info_fd < 0 || vsva_vm_cache_fill(c))
		return 0;
	for (i = 0; i < c->nrenamed; i++)
		doomed[n++] = c->renamed[i];
	for (i = 0; i < c->nvms; i++)
		if (vm_expired(c, retention_s, &c->vms[i], now))
			doomed[n++] = c->vms[i].id;
	c->vms_cached = false;
	return n;
}

/* Field 22 of /proc/@pid/stat: start time in clock ticks since boot. */
static int start_ticks(unsigned int pid, __u64 *ticks)
{
	char path[64], buf[1024], *p;
	int i, n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');		/* comm may hold spaces */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	*ticks = strtoull(p + 1, NULL, 10);
	return 0;
}

/* Make the BPF programs' memos of vm_of_task() stale. */
static void vm_gen_bump(struct vsva_ctx *c)
{
	__u32 zero = 0;
	__u64 gen;

	if (c->vm_gen_fd >= 0 &&
	    !bpf_map_lookup_elem(c->vm_gen_fd, &zero, &gen)) {
		gen += 1000;	/* clear of the BPF side's own increments */
		bpf_map_update_elem(c->vm_gen_fd, &zero, &gen, BPF_ANY);
	}
}

/* The comm of process @pid. */
static void comm_of(const char *pid, char *comm)
{
	char path[300];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "r");
	if (f) {
		n = fread(comm, 1, VSVA_COMM_LEN - 1, f);
		fclose(f);
	}
	comm[n] = 0;
	comm[strcspn(comm, "\n")] = 0;
}

/* A VM vsvad found at VM fd @fd of process @pid: a new id, its entries. */
static int vm_found(struct vsva_ctx *c, __u32 pid, __u32 fd,
		    struct vsva_vm_info *info, struct vsva_vmm *v)
{
	struct vsva_vmfd key = { .tgid = pid, .fd = fd };
	__u32 id = VSVA_VM_ID_SCANNED + c->next_scanned;

	info->seq = v->created + 1;
	if (bpf_map_update_elem(c->vm_info_fd, &id, info, BPF_NOEXIST)) {
		c->capacity_drops += errno == E2BIG;	/* --max-vms reached */
		return -1;
	}
	c->next_scanned++;
	v->created++;
	v->vm = id;
	if (c->vmfds_fd >= 0)
		bpf_map_update_elem(c->vmfds_fd, &key, &id, BPF_ANY);
	return 0;
}

/* Each VM fd of process @pid is a VM; how many. */
static int vms_held(struct vsva_ctx *c, struct vsva_vm_info *info,
		    struct vsva_vmm *v)
{
	char path[64], link[64];
	struct dirent *d;
	ssize_t len;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/fd", info->tgid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		len = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (!strcmp(link, "anon_inode:kvm-vm") &&
		    !vm_found(c, info->tgid, strtoul(d->d_name, NULL, 10), info,
			      v))
			n++;
	}
	closedir(dir);
	return n;
}

int vsva_vmms_scan(struct vsva_ctx *c)
{
	struct vsva_vm_info info;
	struct vsva_vmm v, known;
	struct dirent *d;
	unsigned int pid;
	int n = 0, k;
	DIR *proc;

	if (c->vmms_fd < 0 || c->vm_info_fd < 0)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((d = readdir(proc))) {
		pid = strtoul(d->d_name, NULL, 10);
		memset(&info, 0, sizeof(info));
		memset(&v, 0, sizeof(v));
		if (!pid || start_ticks(pid, &info.start_ticks))
			continue;
		/* seen creating a VM since the programs attached: known */
		if (!bpf_map_lookup_elem(c->vmms_fd, &pid, &known) &&
		    known.start_ns / VSVA_NS_PER_TICK == info.start_ticks)
			continue;
		v.start_ns = info.start_ticks * VSVA_NS_PER_TICK;
		v.scanned = 1;
		info.tgid = pid;
		info.first_ns = vsva_mono_ns();
		comm_of(d->d_name, info.comm);
		k = vms_held(c, &info, &v);
		if (k && !bpf_map_update_elem(c->vmms_fd, &pid, &v, BPF_ANY))
			n += k;
	}
	closedir(proc);
	vm_gen_bump(c);		/* the programs' memos of who is a VMM */
	return n;
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

/* Is known VMM @pid gone (or its pid another process's)? */
static bool vmm_gone(__u32 pid, const struct vsva_vmm *v)
{
	__u64 ticks;

	return start_ticks(pid, &ticks) ||
	       ticks != v->start_ns / VSVA_NS_PER_TICK;
}

/* Delete @pid's entry if it is still @v: the BPF side may have replaced
 * it meanwhile (a new VMM under the pid), and that one stays. */
static void vmm_forget(int fd, __u32 pid, const struct vsva_vmm *v)
{
	struct vsva_vmm now;

	if (!bpf_map_lookup_elem(fd, &pid, &now) &&
	    now.start_ns == v->start_ns && now.vm == v->vm)
		bpf_map_delete_elem(fd, &pid);
}

int vsva_vmms_gc(struct vsva_ctx *c)
{
	__u32 key, next, *prev = NULL, *dead;
	struct vsva_vmm v, *gone;
	int n = 0, live = 0, i;

	if (c->vmms_fd < 0)
		return 0;
	dead = calloc(c->max_vms, sizeof(*dead));
	gone = calloc(c->max_vms, sizeof(*gone));
	if (!dead || !gone)
		goto free_bufs;
	while (n < (int)c->max_vms &&
	       !bpf_map_get_next_key(c->vmms_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(c->vmms_fd, &key, &v))
			continue;
		if (vmm_gone(key, &v)) {
			gone[n] = v;
			dead[n++] = key;
		} else {
			live++;
		}
	}
	for (i = 0; i < n; i++)
		vmm_forget(c->vmms_fd, dead[i], &gone[i]);
free_bufs:
	free(dead);
	free(gone);
	return live;
}
