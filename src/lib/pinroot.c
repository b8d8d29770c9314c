// SPDX-License-Identifier: GPL-2.0
/*
 * The pin root, ROOT, reached by descriptor, never by a path that could
 * be swapped: each component is opened with O_NOFOLLOW (a symbolic link
 * anywhere in it is refused), ROOT must be a directory of this user's in
 * bpffs that no one else may write, checked on the descriptor each time,
 * and all else happens relative to it (through /proc/self/fd/N for
 * libbpf's path calls) without leaving its device.  One vsvad at a time
 * holds the pins: the lock is flock() on ROOT's own descriptor.  bpffs
 * mounted without mode= is world-writable (1777), so anyone may have made
 * ROOT's name first: that is why nothing about it is trusted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <pwd.h>
#include "priv.h"
#include "vsva/privs.h"

#define PIN_DEPTH	6	/* ROOT/<layout>/<object>/maps/<pin>: 4 */
#define BPF_FS_MAGIC	0xcafe4a11
#define BPFFS		"/sys/fs/bpf"

static bool fd_on_bpffs(int fd)
{
	struct statfs fs;

	return !fstatfs(fd, &fs) && fs.f_type == BPF_FS_MAGIC;
}

/* Open directory @path component by component, following no symbolic
 * link; an O_PATH descriptor, or -1 with @why. */
static int walk_dir(const char *path, char *why, size_t len)
{
	char buf[VSVA_PIN_PATH], *comp, *save = NULL;
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
/* systemd's range for DynamicUser= uids, which may change between starts */
#define DYNAMIC_UID_MIN	61184
#define DYNAMIC_UID_MAX	65519

/* May @uid own the root?  This user; and for root acting for the
 * service, the service's user (VSVA_SYSTEM_USER) or a dynamic user. */
static bool owner_ok(const struct vsva_pin_dir *d, uid_t uid)
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

static int check_root(struct vsva_pin_dir *d, const char *root, char *why,
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

void vsva_pin_dir_close(struct vsva_pin_dir *d)
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
int vsva_pin_dir_open(struct vsva_pin_dir *d, const char *root, bool create,
		      char *why, size_t len)
{
	char parent[VSVA_PIN_PATH];
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
		vsva_pin_dir_close(d);
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
	vsva_pin_dir_close(d);
	errno = err;
	return -1;
}

/* Empty directory @dfd, never leaving device @dev nor following a link;
 * 0 or the first -errno. */
int vsva_pin_clear(int dfd, dev_t dev, int depth)
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
			err = vsva_pin_clear(sub, dev, depth + 1);
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
int vsva_pin_remove(int dfd, const char *name, dev_t dev)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	struct stat st;
	int rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = fstat(fd, &st) || st.st_dev != dev ? -EXDEV :
	     vsva_pin_clear(fd, dev, 1);
	close(fd);
	if (!rc && unlinkat(dfd, name, AT_REMOVEDIR))
		rc = -errno;
	return rc;
}

/* The lock one vsvad holds while it owns the pins: ROOT's descriptor. */
int vsva_pin_lock(int fd)
{
	return flock(fd, LOCK_EX | LOCK_NB) ? -errno : 0;
}

int vsva_unpin(const char *root, FILE *log, char *why, size_t len)
{
	struct vsva_pin_dir d = { .service = true };
	int rc;

	rc = vsva_pin_dir_open(&d, root, false, why, len);
	if (rc)
		return rc > 0 ? 0 : -errno;
	if (vsva_pin_lock(d.fd)) {
		snprintf(why, len, "another vsvad holds the pins under %s",
			 root);
		rc = -EBUSY;
		goto close_dir;
	}
	rc = vsva_pin_clear(d.fd, d.dev, 1);
	if (!rc && unlinkat(d.parent, d.base, AT_REMOVEDIR))
		rc = -errno;
	if (rc)
		snprintf(why, len, "could not remove everything under %s: %s",
			 root, strerror(-rc));
	else if (log)
		fprintf(log, "vsva: removed the pinned maps and programs under "
			"%s\n", root);
close_dir:
	vsva_pin_dir_close(&d);
	return rc;
}

/* Entries directly under directory @dfd. */
int vsva_pin_entries(int dfd)
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
	struct vsva_pin_dir d = { .service = true };
	struct passwd *pw = getpwnam(user);
	int rc;

	if (!pw) {
		snprintf(why, len, "no such user %s", user);
		return -EINVAL;
	}
	d.svc_uid = pw->pw_uid;
	if (vsva_pin_dir_open(&d, root, true, why, len))
		return -errno;
	if (vsva_pin_lock(d.fd)) {
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
	vsva_pin_dir_close(&d);
	return rc;
}
