// SPDX-License-Identifier: GPL-2.0
/*
 * What the ladder needs of tracefs: that it is mounted (vsvad mounts it
 * if allowed), the syscall tracepoints, and the classic_tracepoint rungs,
 * whose record layouts come from the events' format files, parsed by
 * libtraceevent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <traceevent/event-parse.h>
#include "priv.h"

#define TRACEFS		"/sys/kernel/tracing"
#define DEBUGFS_TRACING	"/sys/kernel/debug/tracing"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

bool vsva_exists(const char *path)
{
	return faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0;
}

static bool tracefs_events(const char *root)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/events", root);
	return vsva_exists(p);
}

static bool tracefs_detect(bool may_mount, char *msg, size_t len)
{
	if (tracefs_events(DEBUGFS_TRACING) || tracefs_events(TRACEFS)) {
		return true;
	}
	if (may_mount && mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0 &&
	    tracefs_events(TRACEFS)) {
		fprintf(stderr, "vsva: mounted tracefs at " TRACEFS "\n");
		return true;
	}
	snprintf(msg, len,
		 "tracefs is not mounted at " TRACEFS "%s%s; run "
		 "'mount -t tracefs nodev " TRACEFS "' as root",
		 may_mount ? " and mounting it failed: " : "",
		 may_mount ? strerror(errno) : "");
	return false;
}

/* The tracefs root whose events/ is there, or NULL. */
static const char *tracefs_root(void)
{
	if (tracefs_events(TRACEFS))
		return TRACEFS;
	if (tracefs_events(DEBUGFS_TRACING))
		return DEBUGFS_TRACING;
	return NULL;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		char *p = realloc(buf, cap + 4096);

		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		n = fread(buf + *len, 1, 4096, f);
		*len += n;
		cap += 4096;
	} while (n == 4096);
	fclose(f);
	return buf;
}

/*
 * A field of a classic tracepoint's record, by name, from the event's
 * tracefs format (parsed by libtraceevent): offset into @off if its size
 * is @size.  0, or -1 with the reason in @msg.
 */
static int tp_field(char *msg, size_t msglen, struct tep_handle *tep,
		    const char *sys, const char *ev, const char *field,
		    int size, __u32 *off)
{
	const char *root = tracefs_root();
	struct tep_event *event = NULL;
	struct tep_format_field *f;
	char path[256], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format",
		 root ? root : TRACEFS, sys, ev);
	buf = read_file(path, &len);
	if (!buf) {
		snprintf(msg, msglen, "no tracefs event %s/%s (%s)", sys, ev,
			 root ? strerror(errno) : "tracefs not mounted");
		return -1;
	}
	event = tep_find_event_by_name(tep, sys, ev);
	if (!event && tep_parse_format(tep, &event, buf, len, sys))
		event = NULL;
	free(buf);
	if (!event) {
		snprintf(msg, msglen, "cannot parse the format of %s/%s",
			 sys, ev);
		return -1;
	}
	if (!field)
		return 0;
	f = tep_find_field(event, field);
	if (!f || f->size != size) {
		snprintf(msg, msglen, "%s/%s has no "
			 "field '%s' of %d bytes", sys, ev, field, size);
		return -1;
	}
	*off = f->offset;
	return 0;
}

/* What the classic_tracepoint rungs read: events, and fields by name. */
static const struct tp_need {
	bool irq;		/* for irq injection, else for kvmmmu */
	const char *sys, *ev, *field;	/* field NULL: the event only */
	int size;
	size_t at;		/* offsetof(struct vsva_tp_offs, ...) */
} tp_needs[] = {
#define NEED(irq, sys, ev, f, size, member) \
	{ irq, sys, ev, f, size, offsetof(struct vsva_tp_offs, member) }
	{ false, "kvmmmu", "kvm_mmu_zap_all_fast", NULL, 0, 0 },
	{ false, "kvmmmu", "kvm_mmu_prepare_zap_page", NULL, 0, 0 },
	NEED(false, "kvmmmu", "kvm_mmu_get_page", "created", 1,
	     get_page_created),
	NEED(true, "kvm", "kvm_msi_set_irq", "data", 8, msi_data),
	NEED(true, "kvm", "kvm_ioapic_set_irq", "e", 8, ioapic_e),
	NEED(true, "kvm", "kvm_ioapic_set_irq", "pin", 4, ioapic_pin),
	NEED(true, "kvm", "kvm_pic_set_irq", "chip", 1, pic_chip),
	NEED(true, "kvm", "kvm_pic_set_irq", "pin", 1, pic_pin),
	NEED(true, "kvm", "kvm_pic_set_irq", "imr", 1, pic_imr),
	NEED(true, "kvm", "kvm_set_irq", "gsi", 4, set_irq_gsi),
	NEED(true, "kvm", "kvm_set_irq", "level", 4, set_irq_level),
#undef NEED
};

/* The classic_tracepoint rungs: KVM's stock events and their layouts. */
static void classic_detect(struct vsva_features *f)
{
	struct tep_handle *tep = tep_alloc();
	const struct tp_need *n;
	char msg[160];
	bool ok[2] = { true, true };
	__u32 *off;

	if (!tep)
		return;
	for (n = tp_needs; n < tp_needs + ARRAY_SIZE(tp_needs); n++) {
		off = (__u32 *)((char *)&f->tp_off + n->at);
		if (ok[n->irq])
			ok[n->irq] = !tp_field(msg, sizeof(msg), tep, n->sys, n->ev, n->field,
					       n->size, off);
		if (!ok[n->irq])
			vsva_feat(f, n->irq ? VSVA_F_IRQ_CLASSIC :
			     VSVA_F_KVMMMU_CLASSIC, false, "through tracefs: "
			     "%s", msg);
	}
	if (ok[false])
		vsva_feat(f, VSVA_F_KVMMMU_CLASSIC, true, NULL);
	if (ok[true])
		vsva_feat(f, VSVA_F_IRQ_CLASSIC, true, NULL);
	tep_free(tep);
}

/* What needs tracefs: syscall tracepoints, the classic tracepoint rungs. */
void vsva_tracefs_features(struct vsva_features *f, bool may_mount)
{
	char why[160];

	if (!tracefs_detect(may_mount, why, sizeof(why))) {
		vsva_feat(f, VSVA_F_IOCTL_TP, false, "%s", why);
		vsva_feat(f, VSVA_F_KVMMMU_CLASSIC, false, "%s", why);
		vsva_feat(f, VSVA_F_IRQ_CLASSIC, false, "%s", why);
		return;
	}
	vsva_feat(f, VSVA_F_IOCTL_TP,
	     vsva_exists(TRACEFS "/events/syscalls/sys_exit_ioctl/id") ||
	     vsva_exists(DEBUGFS_TRACING "/events/syscalls/sys_exit_ioctl/id"),
	     "no syscall tracepoints: kernel built without "
	     "CONFIG_FTRACE_SYSCALLS");
	classic_detect(f);
}

