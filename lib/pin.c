// SPDX-License-Identifier: GPL-2.0
/*
 * Counts that survive a vsvad restart: the maps and the links of every BPF
 * object are pinned under ROOT/<layout>/<object>/{maps,links}/ in bpffs,
 * so the programs keep counting while vsvad is stopped, and the next vsvad
 * adopts them: it reuses the pinned maps and loads no programs.
 *
 * <layout> digests the objects' ELF and --max-vms: another vsvad build
 * or size never adopts.  Adoption is all or nothing: every object's
 * pinned programs must be the ones the chosen rungs enable, with the
 * same read-only data (the tracepoint layouts), or every pin is removed
 * and vsvad starts fresh, saying why.  One vsvad at a time holds the
 * pins (a lock file beside ROOT's name in /run).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "priv.h"

#define PIN_PATH	512	/* ROOT/<layout>/<object>/<sub> */
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static __u64 fnv(__u64 h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * FNV_PRIME;
	return h;
}

/* ROOT/<layout>: the objects' bytes and --max-vms. */
static void layout_dir(const struct vsva_ctx *c, char *buf, size_t len)
{
	const struct vsva_source *src;
	__u64 h = FNV_OFFSET;
	const void *elf;
	size_t sz;
	int s;

	for (s = 0; s < VSVA_NSOURCES; s++) {
		src = vsva_source_ops(s);
		if (!src->elf)
			continue;
		elf = src->elf(&sz);
		h = fnv(h, elf, sz);
	}
	h = fnv(h, &c->max_vms, sizeof(c->max_vms));
	snprintf(buf, len, "%s/%016llx", c->pin_root, (unsigned long long)h);
}

/* DIR/NAME for map or program @name: bpffs refuses dots ("memslot.bss"). */
static void pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	char *p;

	snprintf(buf, len, "%s/", dir);
	p = buf + strlen(buf);
	snprintf(p, len - (p - buf), "%s", name);
	for (; *p; p++)
		if (*p == '.')
			*p = '_';
}

static void obj_dir(const struct vsva_ctx *c, enum vsva_source_id src,
		    const char *sub, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s%s", c->pin_layout, vsva_source_name[src],
		 sub ? "/" : "", sub ? sub : "");
}

/* Remove @path and everything under it (bpffs: unlink drops a pin). */
static int remove_tree(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *d;
	DIR *dir = opendir(path);

	if (!dir)
		return errno == ENOENT ? 0 : (unlink(path) ? -errno : 0);
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
		remove_tree(sub);
	}
	closedir(dir);
	return rmdir(path) ? -errno : 0;
}

int vsva_unpin(const char *root, FILE *log)
{
	struct stat st;
	int rc;

	if (stat(root, &st))
		return errno == ENOENT ? 0 : -errno;
	rc = remove_tree(root);
	if (log)
		fprintf(log, "vsva: %s %s\n", rc ? "could not remove" :
			"removed the pinned maps and programs under", root);
	return rc;
}

/* Does @obj's pinned directory hold exactly the links of its enabled
 * programs, and its .rodata the bytes this run would load? */
static bool obj_matches(const struct vsva_ctx *c, enum vsva_source_id src,
			struct bpf_object *obj, char *why, size_t len)
{
	char path[PIN_PATH + 64], dir[PIN_PATH];
	struct bpf_program *p;
	struct bpf_map *m;
	const void *want;
	size_t sz;
	int fd, n = 0, pinned = 0, key = 0, rc;
	struct dirent *d;
	DIR *links;
	void *got;

	obj_dir(c, src, "links", dir, sizeof(dir));
	links = opendir(dir);
	if (!links) {
		snprintf(why, len, "no pins of the %s object",
			 vsva_source_name[src]);
		return false;
	}
	while ((d = readdir(links)))
		pinned += d->d_name[0] != '.';
	closedir(links);
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		n++;
		pin_path(path, sizeof(path), dir, bpf_program__name(p));
		if (access(path, F_OK)) {
			snprintf(why, len, "the %s object's pinned programs are "
				 "not the ones chosen now (no %s)",
				 vsva_source_name[src], bpf_program__name(p));
			return false;
		}
	}
	if (n != pinned) {
		snprintf(why, len, "the %s object has %d pinned programs, %d "
			 "chosen now", vsva_source_name[src], pinned, n);
		return false;
	}
	bpf_object__for_each_map(m, obj) {
		if (!strstr(bpf_map__name(m), ".rodata"))
			continue;
		want = bpf_map__initial_value(m, &sz);
		obj_dir(c, src, "maps", dir, sizeof(dir));
		pin_path(path, sizeof(path), dir, bpf_map__name(m));
		fd = bpf_obj_get(path);
		got = malloc(sz);
		rc = fd < 0 || !got || bpf_map_lookup_elem(fd, &key, got) ||
		     memcmp(got, want, sz);
		free(got);
		if (fd >= 0)
			close(fd);
		if (rc) {
			snprintf(why, len, "the %s object's read-only data "
				 "differs", vsva_source_name[src]);
			return false;
		}
	}
	return true;
}

int vsva_pin_check(struct vsva_ctx *c, enum vsva_source_id src,
		   struct bpf_object *obj)
{
	c->pin_checked++;
	if (!c->pin_root || c->pin_state != VSVA_PIN_UNDECIDED)
		return 0;
	if (!obj_matches(c, src, obj, c->pin_reason, sizeof(c->pin_reason)))
		c->pin_state = VSVA_PIN_FRESH;
	return 0;
}

/* Object directories pinned under this layout. */
static int pinned_objects(const struct vsva_ctx *c)
{
	DIR *dir = opendir(c->pin_layout);
	struct dirent *d;
	int n = 0;

	while (dir && (d = readdir(dir)))
		n += d->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return n;
}

/* The lock one vsvad holds while it owns the pins; -1 if another does. */
static int take_lock(const struct vsva_ctx *c)
{
	char path[PATH_MAX];
	const char *base = strrchr(c->pin_root, '/');
	int fd;

	snprintf(path, sizeof(path), "/run/%s.lock", base ? base + 1 :
		 c->pin_root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/%s.lock", base ? base + 1 :
			 c->pin_root);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -1;
	}
	return fd;
}

#define BPF_FS_MAGIC	0xcafe4a11

/* Is ROOT's parent a bpffs (mounted now, if it is /sys/fs/bpf)? */
static bool on_bpffs(const char *root)
{
	char parent[PIN_PATH];
	struct statfs fs;

	snprintf(parent, sizeof(parent), "%s", root);
	dirname(parent);
	if (!statfs(parent, &fs) && fs.f_type == BPF_FS_MAGIC)
		return true;
	return !strcmp(parent, "/sys/fs/bpf") &&
	       !mount("bpf", parent, "bpf", 0, NULL) &&
	       !statfs(parent, &fs) && fs.f_type == BPF_FS_MAGIC;
}

/* Before any object loads: the lock, the layout, and whether there are
 * pins at all; vsva_pin_check() then decides per object. */
void vsva_pin_begin(struct vsva_ctx *c)
{
	struct stat st;

	if (!c->pin_root || !c->pin_root[0]) {
		c->pin_state = VSVA_PIN_OFF;
		snprintf(c->pin_reason, sizeof(c->pin_reason), c->pin_root ?
			 "VSVA_PIN_ROOT is empty" : "--no-pin");
		c->pin_root = NULL;
		return;
	}
	if (!on_bpffs(c->pin_root)) {
		c->pin_state = VSVA_PIN_OFF;
		snprintf(c->pin_reason, sizeof(c->pin_reason), "%s is not in a "
			 "bpffs (mount -t bpf bpf /sys/fs/bpf)", c->pin_root);
		c->pin_root = NULL;
		return;
	}
	/* pins another user could have planted are never adopted */
	if (!stat(c->pin_root, &st) &&
	    (st.st_uid != geteuid() || (st.st_mode & 022))) {
		c->pin_state = VSVA_PIN_OFF;
		snprintf(c->pin_reason, sizeof(c->pin_reason), "%s belongs to "
			 "uid %u or others may write it: not adopted",
			 c->pin_root, (unsigned int)st.st_uid);
		c->pin_root = NULL;
		return;
	}
	c->pin_lock = take_lock(c);
	if (c->pin_lock < 0) {
		c->pin_state = VSVA_PIN_OFF;
		snprintf(c->pin_reason, sizeof(c->pin_reason), "another vsvad "
			 "holds the pins under %s", c->pin_root);
		c->pin_root = NULL;
		return;
	}
	layout_dir(c, c->pin_layout, sizeof(c->pin_layout));
	if (stat(c->pin_layout, &st)) {
		c->pin_state = VSVA_PIN_FRESH;
		snprintf(c->pin_reason, sizeof(c->pin_reason), stat(c->pin_root,
			 &st) ? "nothing pinned" : "the pins are of another "
			 "vsvad build or --max-vms");
		return;
	}
	c->pin_state = VSVA_PIN_UNDECIDED;
}

/* Every object checked: adopt, or clear the way for fresh pins. */
void vsva_pin_decide(struct vsva_ctx *c)
{
	int pinned;

	if (!c->pin_root)
		return;
	pinned = c->pin_state == VSVA_PIN_UNDECIDED ? pinned_objects(c) : 0;
	if (c->pin_state == VSVA_PIN_UNDECIDED && pinned != c->pin_checked) {
		c->pin_state = VSVA_PIN_FRESH;
		snprintf(c->pin_reason, sizeof(c->pin_reason), "%d objects "
			 "pinned, %d chosen now", pinned, c->pin_checked);
	}
	if (c->pin_state == VSVA_PIN_UNDECIDED) {
		c->pin_state = VSVA_PIN_ADOPTED;
		snprintf(c->pin_reason, sizeof(c->pin_reason), "the maps and "
			 "programs of the last vsvad, still counting");
		return;
	}
	/* other layouts, or this one's stale objects: their programs
	 * would count on beside the fresh ones */
	vsva_unpin(c->pin_root, NULL);
}

/* Adopting: the pinned maps replace @obj's (the shared ones come from
 * the engine), and no program loads. */
int vsva_pin_reuse(struct vsva_ctx *c, enum vsva_source_id src,
		   struct bpf_object *obj, bool owns_shared)
{
	char path[PIN_PATH + 64], dir[PIN_PATH];
	struct bpf_program *p;
	struct bpf_map *m;
	int fd, rc;

	if (c->pin_state != VSVA_PIN_ADOPTED)
		return 0;
	obj_dir(c, src, "maps", dir, sizeof(dir));
	bpf_object__for_each_map(m, obj) {
		if (vsva_map_is_shared(bpf_map__name(m)) && !owns_shared)
			continue;
		pin_path(path, sizeof(path), dir, bpf_map__name(m));
		fd = bpf_obj_get(path);
		if (fd < 0)
			return -errno;
		rc = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (rc)
			return rc;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, false);
	return 0;
}

/* Fresh: pin @sk's maps (the shared ones with the first object) and the
 * links of its attached programs. */
int vsva_pin_commit(struct vsva_ctx *c, enum vsva_source_id src,
		    struct bpf_object_skeleton *sk, bool owns_shared)
{
	char path[PIN_PATH + 64], dir[PIN_PATH];
	struct bpf_map *m;
	int i, rc;

	if (c->pin_state != VSVA_PIN_FRESH || !c->pin_root)
		return 0;
	obj_dir(c, src, NULL, dir, sizeof(dir));
	remove_tree(dir);		/* a failed rung's leftovers */
	mkdir(c->pin_root, 0700);
	mkdir(c->pin_layout, 0700);
	if (mkdir(dir, 0700))
		return -errno;
	obj_dir(c, src, "maps", dir, sizeof(dir));
	if (mkdir(dir, 0700))
		return -errno;
	bpf_object__for_each_map(m, *sk->obj) {
		if (vsva_map_is_shared(bpf_map__name(m)) && !owns_shared)
			continue;
		pin_path(path, sizeof(path), dir, bpf_map__name(m));
		rc = bpf_map__pin(m, path);
		if (rc)
			return rc;
	}
	obj_dir(c, src, "links", dir, sizeof(dir));
	if (mkdir(dir, 0700))
		return -errno;
	for (i = 0; i < sk->prog_cnt; i++) {
		struct bpf_link *l = *sk->progs[i].link;

		if (!l)
			continue;
		pin_path(path, sizeof(path), dir,
			 bpf_program__name(*sk->progs[i].prog));
		rc = bpf_link__pin(l, path);
		if (rc)
			return rc;
	}
	return 0;
}

void vsva_pin_abandon(struct vsva_ctx *c, enum vsva_source_id src, int err)
{
	snprintf(c->pin_reason, sizeof(c->pin_reason), "cannot pin the %s "
		 "object under %s (%s): counts start again at each start",
		 vsva_source_name[src], c->pin_root,
		 strerror(err < 0 ? -err : err));
	vsva_unpin(c->pin_root, NULL);
	c->pin_state = VSVA_PIN_OFF;
	c->pin_root = NULL;
}

/* Adopted: scanned VM ids go on after the highest one in use. */
void vsva_pin_adopted_ids(struct vsva_ctx *c)
{
	__u32 key, next, *prev = NULL;

	if (c->pin_state != VSVA_PIN_ADOPTED || c->vm_info_fd < 0)
		return;
	while (!bpf_map_get_next_key(c->vm_info_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key >= VSVA_VM_ID_SCANNED &&
		    key - VSVA_VM_ID_SCANNED >= c->next_scanned)
			c->next_scanned = key - VSVA_VM_ID_SCANNED + 1;
	}
}

const char *vsva_pin_state_name(enum vsva_pin_state s)
{
	static const char *const names[] = {
		[VSVA_PIN_OFF] = "off", [VSVA_PIN_UNDECIDED] = "undecided",
		[VSVA_PIN_FRESH] = "fresh", [VSVA_PIN_ADOPTED] = "adopted",
	};

	return names[s];
}
