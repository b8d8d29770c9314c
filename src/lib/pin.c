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
 * and vsvad starts fresh, saying why.
 *
 * ROOT is reached by descriptor and locked (src/lib/pinroot.c); what lies
 * under it that no running vsvad holds is src/lib/orphans.c's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "priv.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static __u64 fnv(__u64 h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * FNV_PRIME;
	return h;
}

/* ROOT/<layout>, through ROOT's descriptor: the objects' bytes and
 * --max-vms. */
static void layout_dir(const struct vsva_ctx *c, const struct vsva_elf *elf,
		       int n, char *buf, size_t len)
{
	__u64 h = FNV_OFFSET;
	int i;

	for (i = 0; i < n; i++)
		h = fnv(h, elf[i].bytes, elf[i].size);
	h = fnv(h, &c->max_vms, sizeof(c->max_vms));
	snprintf(buf, len, "/proc/self/fd/%d/%016llx", c->pin_lock,
		 (unsigned long long)h);
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
	snprintf(buf, len, "%s/%s%s%s", c->pin_layout, vsva_sources[src].name,
		 sub ? "/" : "", sub ? sub : "");
}

/* Does @obj's pinned directory hold exactly the links of its enabled
 * programs, and its .rodata the bytes this run would load? */
static bool obj_matches(const struct vsva_ctx *c, enum vsva_source_id src,
			struct bpf_object *obj, char *why, size_t len)
{
	char path[VSVA_PIN_PATH + 64], dir[VSVA_PIN_PATH];
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
			 vsva_sources[src].name);
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
				 vsva_sources[src].name, bpf_program__name(p));
			return false;
		}
	}
	if (n != pinned) {
		snprintf(why, len, "the %s object has %d pinned programs, %d "
			 "chosen now", vsva_sources[src].name, pinned, n);
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
				 "differs", vsva_sources[src].name);
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

/* No pins this run, and why (already in c->pin_reason). */
static void pins_off(struct vsva_ctx *c)
{
	c->pin_state = VSVA_PIN_OFF;
	c->pin_root = NULL;
}

static const char *layout_name(const struct vsva_ctx *c)
{
	return strrchr(c->pin_layout, '/') + 1;
}

/* Before any object loads: ROOT opened, checked and locked, the layout,
 * and whether there are pins at all; vsva_pin_check() then decides per
 * object. */
void vsva_pin_begin(struct vsva_ctx *c, const struct vsva_elf *elf, int n)
{
	struct vsva_pin_dir d = { 0 };
	struct stat st;

	if (!c->pin_root || !c->pin_root[0]) {
		snprintf(c->pin_reason, sizeof(c->pin_reason), "%s",
			 c->pin_root ? "VSVA_PIN_ROOT is empty" :
			 c->pin_off_why ? c->pin_off_why : "--no-pin");
		pins_off(c);
		return;
	}
	if (vsva_pin_dir_open(&d, c->pin_root, true, c->pin_reason,
			 sizeof(c->pin_reason))) {
		pins_off(c);
		return;
	}
	if (vsva_pin_lock(d.fd)) {
		snprintf(c->pin_reason, sizeof(c->pin_reason), "another vsvad "
			 "holds the pins under %s", c->pin_root);
		vsva_pin_dir_close(&d);
		pins_off(c);
		return;
	}
	close(d.parent);
	c->pin_lock = d.fd;
	c->pin_dev = d.dev;
	layout_dir(c, elf, n, c->pin_layout, sizeof(c->pin_layout));
	vsva_pin_orphans_of_root(c);
	if (fstatat(c->pin_lock, layout_name(c), &st, AT_SYMLINK_NOFOLLOW)) {
		c->pin_state = VSVA_PIN_FRESH;
		snprintf(c->pin_reason, sizeof(c->pin_reason),
			 vsva_pin_entries(c->pin_lock) ? "the pins are of another vsvad "
			 "build or --max-vms" : "nothing pinned");
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
	} else if (vsva_pin_clear(c->pin_lock, c->pin_dev, 1)) {
		/* other layouts, or this one's stale objects, stay (another
		 * file system mounted inside, or too deep): pinning beside
		 * them would adopt or count twice */
		vsva_pin_orphans_decided(c, layout_name(c));
		snprintf(c->pin_reason, sizeof(c->pin_reason), "cannot remove "
			 "the stale pins under %s: not pinned", c->pin_root);
		pins_off(c);
		return;
	}
	vsva_pin_orphans_decided(c, layout_name(c));
}

/* Adopting: the pinned maps replace @obj's (the shared ones come from
 * the engine), and no program loads. */
int vsva_pin_reuse(struct vsva_ctx *c, enum vsva_source_id src,
		   struct bpf_object *obj, bool owns_shared)
{
	char path[VSVA_PIN_PATH + 64], dir[VSVA_PIN_PATH];
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
	char path[VSVA_PIN_PATH + 64], dir[VSVA_PIN_PATH];
	struct bpf_map *m;
	int i, fd, rc;

	if (c->pin_state != VSVA_PIN_FRESH || !c->pin_root)
		return 0;
	if (mkdirat(c->pin_lock, layout_name(c), 0700) && errno != EEXIST)
		return -errno;
	fd = openat(c->pin_lock, layout_name(c), O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = vsva_pin_remove(fd, vsva_sources[src].name, c->pin_dev); /* leftovers
								  * of a failed
								  * rung */
	if (!rc && mkdirat(fd, vsva_sources[src].name, 0700))
		rc = -errno;
	close(fd);
	if (rc)
		return rc;
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
		 vsva_sources[src].name, c->pin_root,
		 strerror(err < 0 ? -err : err));
	vsva_pin_clear(c->pin_lock, c->pin_dev, 1);
	pins_off(c);
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
