// SPDX-License-Identifier: GPL-2.0
/*
 * Pins no running vsvad holds: what a vsvad that does not pin finds under
 * the pin root (reported and left alone; vsvad --unpin removes them), and
 * what a pinning vsvad did with the layouts it found there (adopted or
 * removed), for vsva_bpf_orphan_programs and --probe.
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
#include <sys/stat.h>
#include "priv.h"

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
			n += vsva_pin_entries(sfd);
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
	struct vsva_pin_dir d = { .service = true };
	char why[256];

	c->norphans = 0;
	c->orphan_root = root;
	if (!root || !root[0])
		return;
	switch (vsva_pin_dir_open(&d, root, false, why, sizeof(why))) {
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
	if (!vsva_pin_lock(d.fd)) /* else a running vsvad holds them: theirs */
		scan_layouts(c, d.fd, "left", "no vsvad holds them and this "
			     "one does not pin: vsvad --unpin removes them");
	vsva_pin_dir_close(&d);
}

/* A vsvad that pins, ROOT locked: what it finds from the vsvad before. */
void vsva_pin_orphans_of_root(struct vsva_ctx *c)
{
	c->norphans = 0;
	c->orphan_root = c->pin_root;
	scan_layouts(c, c->pin_lock, "removed", "");
}

/* Once decided: this layout adopted or removed, the others removed. */
void vsva_pin_orphans_decided(struct vsva_ctx *c, const char *layout)
{
	int i;

	for (i = 0; i < c->norphans; i++) {
		struct vsva_orphan *o = &c->orphans[i];
		bool ours = !strcmp(o->layout, layout);

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
