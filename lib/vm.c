// SPDX-License-Identifier: GPL-2.0
/*
 * The VM table: the one vm_info map every BPF source shares (a VM's
 * identity and exit time), copied once per snapshot so that labelling a
 * sample costs no bpf() call, and the retirement of VMs that exited.
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

static int vm_cmp(const void *a, const void *b)
{
	__u32 x = ((const struct vsva_vm_entry *)a)->tgid;
	__u32 y = ((const struct vsva_vm_entry *)b)->tgid;

	return x < y ? -1 : x > y;
}

static void vm_cache_add(struct vsva_ctx *c, void *arg, const void *key,
			 const void *val)
{
	struct vsva_vm_entry *v;

	if (c->nvms == VSVA_MAX_VMS) {
		*(bool *)arg = true;	/* cannot happen: same bound */
		return;
	}
	v = &c->vms[c->nvms++];
	v->tgid = *(const __u32 *)key;
	v->info = *(const struct vsva_vm_info *)val;
	v->info.comm[VSVA_COMM_LEN - 1] = 0;
}

int vsva_vm_cache_fill(struct vsva_ctx *c)
{
	bool lost = false;
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
	qsort(c->vms, c->nvms, sizeof(*c->vms), vm_cmp);
	c->vms_cached = true;
	return 0;
}

bool vsva_vm_get(struct vsva_ctx *c, __u32 tgid, struct vsva_vm_info *info)
{
	struct vsva_vm_entry key = { .tgid = tgid }, *v;

	if (!c->vms_cached)
		return c->vm_info_fd >= 0 &&
		       !bpf_map_lookup_elem(c->vm_info_fd, &tgid, info);
	v = bsearch(&key, c->vms, c->nvms, sizeof(*c->vms), vm_cmp);
	if (v)
		*info = v->info;
	return v;
}

void vsva_vm_label(struct vsva_ctx *c, __u32 tgid, char *buf, size_t len)
{
	struct vsva_vm_info info;

	if (!tgid) {
		snprintf(buf, len, "kernel/0");
		return;
	}
	if (tgid == VSVA_UNATTRIBUTED) {
		snprintf(buf, len, "unattributed");
		return;
	}
	if (!vsva_vm_get(c, tgid, &info))
		info.comm[0] = 0;
	info.comm[VSVA_COMM_LEN - 1] = 0;
	snprintf(buf, len, "%s/%u", info.comm[0] ? info.comm : "?", tgid);
}

/* Is VM @tgid due for retirement?  Marks exits that were missed. */
static bool vm_expired(struct vsva_ctx *c, unsigned int retention_s,
		       __u32 tgid, struct vsva_vm_info *info, uint64_t now)
{
	if (!info->exit_ns) {
		if (kill(tgid, 0) == 0 || errno != ESRCH)
			return false;
		info->exit_ns = now;	/* its exit event was missed */
		bpf_map_update_elem(c->vm_info_fd, &tgid, info, BPF_EXIST);
		return false;
	}
	return now - info->exit_ns >= retention_s * 1000000000ULL;
}

int vsva_vm_expired(struct vsva_ctx *c, unsigned int retention_s,
		    __u32 *doomed)
{
	__u32 key, next, *prev = NULL;
	struct vsva_vm_info info;
	uint64_t now = vsva_mono_ns();
	int fd = c->vm_info_fd, n = 0;

	if (fd < 0)
		return 0;
	while (n < VSVA_MAX_VMS && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &info) &&
		    vm_expired(c, retention_s, key, &info, now))
			doomed[n++] = key;
	}
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

/* Does process @pid hold a VM file descriptor? */
static bool holds_vm(const char *pid)
{
	char path[300], link[64];
	struct dirent *d;
	bool found = false;
	ssize_t n;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		found = n > 0 && (link[n] = 0, !strcmp(link,
						      "anon_inode:kvm-vm"));
	}
	closedir(dir);
	return found;
}

int vsva_vmms_scan(struct vsva_ctx *c)
{
	struct vsva_vmm v = { 0 };
	struct dirent *d;
	unsigned int pid;
	int n = 0;
	DIR *proc;

	if (c->vmms_fd < 0)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((d = readdir(proc))) {
		pid = strtoul(d->d_name, NULL, 10);
		if (!pid || !holds_vm(d->d_name) || start_ticks(pid, &v.start_ticks))
			continue;
		n += !bpf_map_update_elem(c->vmms_fd, &pid, &v, BPF_NOEXIST);
	}
	closedir(proc);
	return n;
}

int vsva_vmms_gc(struct vsva_ctx *c)
{
	__u32 key, next, *prev = NULL, dead[VSVA_MAX_VMS];
	struct vsva_vmm v;
	__u64 ticks;
	int n = 0, live = 0, i;

	if (c->vmms_fd < 0)
		return 0;
	while (n < VSVA_MAX_VMS &&
	       !bpf_map_get_next_key(c->vmms_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(c->vmms_fd, &key, &v))
			continue;
		/* gone, or its pid reused by another process */
		if (start_ticks(key, &ticks) || ticks != v.start_ticks)
			dead[n++] = key;
		else
			live++;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(c->vmms_fd, &dead[i]);
	return live;
}
