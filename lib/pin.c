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
 * ROOT is reached by descriptor, never by a path that could be swapped:
 * each component is opened with O_NOFOLLOW (a symbolic link anywhere in
 * it is refused), ROOT must be a directory of this user's in bpffs that
 * no one else may write, checked on the descriptor each time, and all
 * else happens relative to it (through /proc/self/fd/N for libbpf's
 * path calls) without leaving its device.  One vsvad at a time holds
 * the pins: the lock is flock() on ROOT's own descriptor.  bpffs mounted
 * without mode= is world-writable (1777), so anyone may have made ROOT's
 * name first: that is why nothing about it is trusted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pwd.h>
#include "priv.h"
#include "vsva/privs.h"

#define PIN_PATH	512	/* ROOT/<layout>/<object>/<sub> */
#define PIN_DEPTH	6	/* ROOT/<layout>/<object>/maps/<pin>: 4 */
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define BPF_FS_MAGIC	0xcafe4a11
#define BPFFS		"/sys/fs/bpf"

/* ROOT, opened and checked: its parent (O_PATH), itself, its device and
 * owner.  @service: root acting for the service (the unit's preparation,
 * the package's --unpin), which may also own it. */
struct pin_dir {
	int parent;
	int fd;
	dev_t dev;
	uid_t uid;
	bool service;
	uid_t svc_uid;			/* the service's user, if known */
	char base[NAME_MAX + 1];
};

/* systemd's range for DynamicUser= uids, which may change between starts */
#define DYNAMIC_UID_MIN	61184
#define DYNAMIC_UID_MAX	65519

/* May @uid own the root?  This user; and for root acting for the
 * service, the service's user (VSVA_SYSTEM_USER) or a dynamic user. */
static bool owner_ok(const struct pin_dir *d, uid_t uid)
{
	struct passwd *pw;

	if (uid == geteuid())
		return true;
	if (!d->service || geteuid() != 0)
		return false;
	if ((uid >= DYNAMIC_UID_MIN && uid <= DYNAMIC_UID_MAX) ||
	    (d->svc_uid && uid == d->svc_uid))
		return true;
	pw = getpwnam(VSVA_SYSTEM_USER);
	return pw && pw->pw_uid == uid;
}

static __u64 fnv(__u64 h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * FNV_PRIME;
	return h;
}

static bool fd_on_bpffs(int fd)
{
	struct statfs fs;

	return !fstatfs(fd, &fs) && fs.f_type == BPF_FS_MAGIC;
}

/* Open directory @path component by component, following no symbolic
 * link; an O_PATH descriptor, or -1 with @why. */
static int walk_dir(const char *path, char *why, size_t len)
{
	char buf[PIN_PATH], *comp, *save = NULL;
	int fd, next;

	if (path[0] != '/') {
		snprintf(why, len, "%s is not an absolute path", path);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", path);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (comp = strtok_r(buf, "/", &save); fd >= 0 && comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (!strcmp(comp, "..")) {
			snprintf(why, len, "%s holds '..': refused", path);
			close(fd);
			return -1;
		}
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		if (next < 0)
			snprintf(why, len, "%s: component '%s': %s", path, comp,
				 errno == ENOTDIR || errno == ELOOP ?
				 "a symbolic link or not a directory: refused"
				 : strerror(errno));
		close(fd);
		fd = next;
	}
	return fd;
}

/* ROOT's parent, which must be in bpffs; /sys/fs/bpf is mounted now if
 * it is not yet and @mount_it, readable by root alone. */
static int open_parent(const char *parent, const char *root, bool mount_it,
		       char *why, size_t len)
{
	int fd = walk_dir(parent, why, len);

	if (fd < 0 || fd_on_bpffs(fd))
		return fd;
	close(fd);
	if (mount_it && !strcmp(parent, BPFFS) &&
	    !mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		fd = walk_dir(parent, why, len);
		if (fd < 0 || fd_on_bpffs(fd))
			return fd;
		close(fd);
	}
	snprintf(why, len, "%s is not in a bpffs (mount -t bpf -o mode=0700 "
		 "bpf %s)", root, BPFFS);
	errno = ENODEV;
	return -1;
}

/* Is the opened ROOT a directory of ours in the parent's bpffs that no
 * one else may write? */
static int check_root(struct pin_dir *d, const char *root, char *why,
		      size_t len)
{
	struct stat st, pst;

	if (fstat(d->fd, &st) || fstat(d->parent, &pst)) {
		snprintf(why, len, "%s: %s", root, strerror(errno));
		return -1;
	}
	if (!fd_on_bpffs(d->fd) || st.st_dev != pst.st_dev) {
		snprintf(why, len, "%s is not a directory of the bpffs it is "
			 "named in: refused", root);
		return -1;
	}
	if (!owner_ok(d, st.st_uid) || (st.st_mode & 022)) {
		snprintf(why, len, "%s belongs to uid %u or others may write it "
			 "(mode %04o): refused", root, (unsigned int)st.st_uid,
			 (unsigned int)(st.st_mode & 07777));
		return -1;
	}
	d->dev = st.st_dev;
	d->uid = st.st_uid;
	return 0;
}

static void pin_dir_close(struct pin_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->parent >= 0)
		close(d->parent);
	d->fd = d->parent = -1;
}

/*
 * Open ROOT by descriptor (made, mode 0700, if @create and absent) and
 * check it.  0; 1 if it does not exist and !@create; -1 with @why.
 * Refused or unusable: errno is EACCES or EPERM where privileges
 * lacked, ENOENT where a parent is missing, ENODEV outside bpffs, else
 * EINVAL.
 */
static int pin_dir_open(struct pin_dir *d, const char *root, bool create,
			char *why, size_t len)
{
	char parent[PIN_PATH];
	const char *slash = strrchr(root, '/');
	int err;

	d->fd = d->parent = -1;
	if (!slash || !slash[1] || !strcmp(slash + 1, ".") ||
	    !strcmp(slash + 1, "..") || strlen(root) >= sizeof(parent) ||
	    strlen(slash + 1) > NAME_MAX) {
		snprintf(why, len, "%s: not a usable pin root (an absolute "
			 "path under %s)", root, BPFFS);
		errno = EINVAL;
		return -1;
	}
	snprintf(d->base, sizeof(d->base), "%s", slash + 1);
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - root), root);
	d->parent = open_parent(parent[0] ? parent : "/", root, create, why,
				len);
	if (d->parent < 0)
		goto close_dir;
	d->fd = openat(d->parent, d->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		       O_CLOEXEC);
	if (d->fd < 0 && errno == ENOENT && !create) {
		pin_dir_close(d);
		return 1;
	}
	if (d->fd < 0 && errno == ENOENT) {
		if (mkdirat(d->parent, d->base, 0700) && errno != EEXIST) {
			snprintf(why, len, "cannot make %s: %s", root,
				 strerror(errno));
			goto close_dir;
		}
		d->fd = openat(d->parent, d->base, O_RDONLY | O_DIRECTORY |
			       O_NOFOLLOW | O_CLOEXEC);
	}
	if (d->fd < 0) {
		snprintf(why, len, "%s: %s", root, errno == ENOTDIR ||
			 errno == ELOOP ? "a symbolic link or not a directory: "
			 "refused" : strerror(errno));
		goto close_dir;
	}
	if (check_root(d, root, why, len)) {
		errno = EINVAL;
		goto close_dir;
	}
	return 0;
close_dir:
	err = errno == EACCES || errno == EPERM || errno == ENOENT ||
	      errno == ENODEV ? errno : EINVAL;
	pin_dir_close(d);
	errno = err;
	return -1;
}

/* Empty directory @dfd, never leaving device @dev nor following a link;
 * 0 or the first -errno. */
static int clear_dir(int dfd, dev_t dev, int depth)
{
	struct dirent *e;
	struct stat st;
	int sub, rc = 0, err;
	DIR *dir;

	sub = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = sub >= 0 ? fdopendir(sub) : NULL;
	if (!dir) {
		if (sub >= 0)
			close(sub);
		return -errno;
	}
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {		/* a pin, or a link: the name goes */
			err = unlinkat(dfd, e->d_name, 0) ? -errno : 0;
		} else if (fstat(sub, &st) || st.st_dev != dev ||
			   depth >= PIN_DEPTH) {
			err = -EXDEV;	/* another file system, or too deep */
			close(sub);
		} else {
			err = clear_dir(sub, dev, depth + 1);
			close(sub);
			if (!err && unlinkat(dfd, e->d_name, AT_REMOVEDIR))
				err = -errno;
		}
		rc = rc ? rc : err;
	}
	closedir(dir);
	return rc;
}

/* Remove directory @name under @dfd and what it holds. */
static int remove_sub(int dfd, const char *name, dev_t dev)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	struct stat st;
	int rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = fstat(fd, &st) || st.st_dev != dev ? -EXDEV :
	     clear_dir(fd, dev, 1);
	close(fd);
	if (!rc && unlinkat(dfd, name, AT_REMOVEDIR))
		rc = -errno;
	return rc;
}

/* The lock one vsvad holds while it owns the pins: ROOT's descriptor. */
static int lock_root(int fd)
{
	return flock(fd, LOCK_EX | LOCK_NB) ? -errno : 0;
}

int vsva_unpin(const char *root, FILE *log, char *why, size_t len)
{
	struct pin_dir d = { .service = true };
	int rc;

	rc = pin_dir_open(&d, root, false, why, len);
	if (rc)
		return rc > 0 ? 0 : -errno;
	if (lock_root(d.fd)) {
		snprintf(why, len, "another vsvad holds the pins under %s",
			 root);
		rc = -EBUSY;
		goto close_dir;
	}
	rc = clear_dir(d.fd, d.dev, 1);
	if (!rc && unlinkat(d.parent, d.base, AT_REMOVEDIR))
		rc = -errno;
	if (rc)
		snprintf(why, len, "could not remove everything under %s: %s",
			 root, strerror(-rc));
	else if (log)
		fprintf(log, "vsva: removed the pinned maps and programs under "
			"%s\n", root);
close_dir:
	pin_dir_close(&d);
	return rc;
}

/* ROOT/<layout>, through ROOT's descriptor: the objects' bytes and
 * --max-vms. */
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
	snprintf(buf, len, "%s/%s%s%s", c->pin_layout, vsva_source_name[src],
		 sub ? "/" : "", sub ? sub : "");
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

static void orphans_of_root(struct vsva_ctx *c);
static void orphans_decided(struct vsva_ctx *c);

/* No pins this run, and why (already in c->pin_reason). */
static void pins_off(struct vsva_ctx *c)
{
	c->pin_state = VSVA_PIN_OFF;
	c->pin_root = NULL;
}

/* Entries directly under directory @dfd. */
static int entries(int dfd)
{
	struct dirent *e;
	int n = 0, fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

static const char *layout_name(const struct vsva_ctx *c)
{
	return strrchr(c->pin_layout, '/') + 1;
}

/* Before any object loads: ROOT opened, checked and locked, the layout,
 * and whether there are pins at all; vsva_pin_check() then decides per
 * object. */
void vsva_pin_begin(struct vsva_ctx *c)
{
	struct pin_dir d = { 0 };
	struct stat st;

	if (!c->pin_root || !c->pin_root[0]) {
		snprintf(c->pin_reason, sizeof(c->pin_reason), "%s",
			 c->pin_root ? "VSVA_PIN_ROOT is empty" :
			 c->pin_off_why ? c->pin_off_why : "--no-pin");
		pins_off(c);
		return;
	}
	if (pin_dir_open(&d, c->pin_root, true, c->pin_reason,
			 sizeof(c->pin_reason))) {
		pins_off(c);
		return;
	}
	if (lock_root(d.fd)) {
		snprintf(c->pin_reason, sizeof(c->pin_reason), "another vsvad "
			 "holds the pins under %s", c->pin_root);
		pin_dir_close(&d);
		pins_off(c);
		return;
	}
	close(d.parent);
	c->pin_lock = d.fd;
	c->pin_dev = d.dev;
	layout_dir(c, c->pin_layout, sizeof(c->pin_layout));
	orphans_of_root(c);
	if (fstatat(c->pin_lock, layout_name(c), &st, AT_SYMLINK_NOFOLLOW)) {
		c->pin_state = VSVA_PIN_FRESH;
		snprintf(c->pin_reason, sizeof(c->pin_reason),
			 entries(c->pin_lock) ? "the pins are of another vsvad "
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
	} else if (clear_dir(c->pin_lock, c->pin_dev, 1)) {
		/* other layouts, or this one's stale objects, stay (another
		 * file system mounted inside, or too deep): pinning beside
		 * them would adopt or count twice */
		orphans_decided(c);
		snprintf(c->pin_reason, sizeof(c->pin_reason), "cannot remove "
			 "the stale pins under %s: not pinned", c->pin_root);
		pins_off(c);
		return;
	}
	orphans_decided(c);
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
	int i, fd, rc;

	if (c->pin_state != VSVA_PIN_FRESH || !c->pin_root)
		return 0;
	if (mkdirat(c->pin_lock, layout_name(c), 0700) && errno != EEXIST)
		return -errno;
	fd = openat(c->pin_lock, layout_name(c), O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = remove_sub(fd, vsva_source_name[src], c->pin_dev); /* leftovers
								  * of a failed
								  * rung */
	if (!rc && mkdirat(fd, vsva_source_name[src], 0700))
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
		 vsva_source_name[src], c->pin_root,
		 strerror(err < 0 ? -err : err));
	clear_dir(c->pin_lock, c->pin_dev, 1);
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

/* ---- orphans: pins no running vsvad holds ------------------------------ */

/* Entries in every <object>/@sub of layout directory @lfd. */
static int count_pins(int lfd, const char *sub)
{
	int fd = openat(lfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), sfd;
	char path[NAME_MAX + 16];
	struct dirent *e;
	int n = 0;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", e->d_name, sub);
		sfd = openat(lfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		if (sfd >= 0) {
			n += entries(sfd);
			close(sfd);
		}
	}
	closedir(dir);
	return n;
}

static struct vsva_orphan *orphan_add(struct vsva_ctx *c, const char *layout)
{
	struct vsva_orphan *o;

	if (c->norphans >= VSVA_MAX_ORPHANS)
		return NULL;
	o = &c->orphans[c->norphans++];
	memset(o, 0, sizeof(*o));
	snprintf(o->layout, sizeof(o->layout), "%.*s",
		 (int)sizeof(o->layout) - 1, layout);
	return o;
}

/* Every layout under ROOT's descriptor @rfd, each to be given @action. */
static void scan_layouts(struct vsva_ctx *c, int rfd, const char *action,
			 const char *why)
{
	int fd = openat(rfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), lfd;
	struct vsva_orphan *o;
	struct dirent *e;
	struct stat st;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		lfd = openat(rfd, e->d_name, O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC);
		if (lfd < 0)
			continue;
		o = orphan_add(c, e->d_name);
		if (o && !fstat(lfd, &st)) {
			o->links = count_pins(lfd, "links");
			o->maps = count_pins(lfd, "maps");
			o->age_s = time(NULL) - st.st_mtime;
			snprintf(o->action, sizeof(o->action), "%s", action);
			snprintf(o->why, sizeof(o->why), "%s", why);
		}
		close(lfd);
	}
	closedir(dir);
}

/*
 * A vsvad that does not pin: is there state under @root that no running
 * vsvad holds (a vsvad started with --pin and stopped, or killed)?  It is
 * left alone, and reported.
 */
void vsva_pin_orphans_scan(struct vsva_ctx *c, const char *root)
{
	struct vsva_orphan *o;
	struct pin_dir d = { .service = true };
	char why[256];

	c->norphans = 0;
	c->orphan_root = root;
	if (!root || !root[0])
		return;
	switch (pin_dir_open(&d, root, false, why, sizeof(why))) {
	case 1:
		return;		/* nothing there */
	case 0:
		break;
	default:
		if (errno == ENOENT || errno == ENODEV)
			return;	/* no bpffs, or no parent: nothing pinned */
		o = orphan_add(c, "");
		if (o) {
			snprintf(o->action, sizeof(o->action), "left");
			snprintf(o->why, sizeof(o->why), "not examined: %.*s",
				 (int)sizeof(o->why) - 16, why);
		}
		return;
	}
	if (!lock_root(d.fd)) /* else a running vsvad holds them: theirs */
		scan_layouts(c, d.fd, "left", "no vsvad holds them and this "
			     "one does not pin: vsvad --unpin removes them");
	pin_dir_close(&d);
}

/* A vsvad that pins, ROOT locked: what it finds from the vsvad before. */
static void orphans_of_root(struct vsva_ctx *c)
{
	c->norphans = 0;
	c->orphan_root = c->pin_root;
	scan_layouts(c, c->pin_lock, "removed", "");
}

/* Once decided: this layout adopted or removed, the others removed. */
static void orphans_decided(struct vsva_ctx *c)
{
	int i;

	for (i = 0; i < c->norphans; i++) {
		struct vsva_orphan *o = &c->orphans[i];
		bool ours = !strcmp(o->layout, layout_name(c));

		snprintf(o->action, sizeof(o->action), "%s",
			 ours && c->pin_state == VSVA_PIN_ADOPTED ? "adopted" :
			 "removed");
		snprintf(o->why, sizeof(o->why), "%s", !ours ?
			 "another vsvad build or --max-vms" :
			 c->pin_state == VSVA_PIN_ADOPTED ? "the same objects" :
			 c->pin_reason);
	}
}

void vsva_pin_orphans_print(FILE *out, const struct vsva_ctx *c,
			    const char *prefix)
{
	int i;

	for (i = 0; i < c->norphans; i++) {
		const struct vsva_orphan *o = &c->orphans[i];

		if (!o->layout[0]) {
			fprintf(out, "%spinned state under %s %s\n", prefix,
				c->orphan_root, o->why);
			continue;
		}
		fprintf(out, "%spinned state under %s/%s (%d programs, %d maps, "
			"pinned %ld s ago) held by no vsvad: %s (%s)\n", prefix,
			c->orphan_root, o->layout, o->links, o->maps, o->age_s,
			o->action, o->why);
	}
}

void vsva_orphans_print(FILE *out, const char *root)
{
	struct vsva_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return;
	vsva_pin_orphans_scan(c, root);
	fprintf(out, "\nPinned state held by no vsvad under %s:%s\n", root,
		c->norphans ? "" : " none");
	vsva_pin_orphans_print(out, c, "  ");
	free(c);
}

/* Hand everything under directory @dfd to @uid:@gid, never following a
 * link nor leaving device @dev. */
static int chown_tree(int dfd, dev_t dev, uid_t uid, gid_t gid, int depth)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), sub;
	struct dirent *e;
	struct stat st;
	int rc = 0;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fchownat(dfd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW))
			rc = rc ? rc : -errno;
		sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;	/* a pin, or a link */
		if (fstat(sub, &st) || st.st_dev != dev || depth >= PIN_DEPTH)
			rc = rc ? rc : -EXDEV;
		else
			rc = chown_tree(sub, dev, uid, gid, depth + 1) ?: rc;
		close(sub);
	}
	closedir(dir);
	return rc;
}

int vsva_pin_prepare(const char *root, const char *user, char *why,
		     size_t len)
{
	struct pin_dir d = { .service = true };
	struct passwd *pw = getpwnam(user);
	int rc;

	if (!pw) {
		snprintf(why, len, "no such user %s", user);
		return -EINVAL;
	}
	d.svc_uid = pw->pw_uid;
	if (pin_dir_open(&d, root, true, why, len))
		return -errno;
	if (lock_root(d.fd)) {
		snprintf(why, len, "another vsvad holds the pins under %s",
			 root);
		rc = -EBUSY;
		goto close_dir;
	}
	rc = d.uid == pw->pw_uid ? 0 : chown_tree(d.fd, d.dev, pw->pw_uid,
						   pw->pw_gid, 1);
	if (!rc && (fchown(d.fd, pw->pw_uid, pw->pw_gid) ||
		    fchmod(d.fd, 0700)))
		rc = -errno;
	if (rc)
		snprintf(why, len, "cannot hand %s to %s: %s", root, user,
			 strerror(-rc));
close_dir:
	pin_dir_close(&d);
	return rc;
}
