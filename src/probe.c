// SPDX-License-Identifier: GPL-2.0
/*
 * The probe ladder: what the running kernel offers, and which rung each
 * measurement uses.  Detection fills struct vsva_kcaps; the choice is a
 * pure function of it, so it is unit-tested with made-up kernels.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <traceevent/event-parse.h>
#include "vsva.h"

#define TRACEFS		"/sys/kernel/tracing"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DEBUGFS_TRACING	"/sys/kernel/debug/tracing"

const char *vsva_rung_name(enum vsva_rung r)
{
	switch (r) {
	case VSVA_RUNG_OWN_TP:
		return "tracepoint";
	case VSVA_RUNG_FENTRY:
		return "fentry";
	case VSVA_RUNG_KPROBE:
		return "kprobe";
	case VSVA_RUNG_STOCK_TP:
		return "stock_tracepoint";
	case VSVA_RUNG_CLASSIC_TP:
		return "classic_tracepoint";
	case VSVA_RUNG_SYSCALL_TP:
		return "syscall_tracepoint";
	case VSVA_RUNG_PROCFS:
		return "procfs";
	default:
		return "none";
	}
}

int vsva_rung_parse(const char *name, enum vsva_rung *r)
{
	enum vsva_rung i;

	for (i = VSVA_RUNG_OWN_TP; i <= VSVA_RUNG_PROCFS; i++) {
		if (!strcmp(name, vsva_rung_name(i))) {
			*r = i;
			return 0;
		}
	}
	return -1;
}

struct kbtf {
	struct btf *vmlinux, *kvm;	/* kvm: module BTF when KVM is a module */
};

static int btf_find(const struct kbtf *kb, const char *name, int kind,
		    int *obj_fd)
{
	int id;

	if (obj_fd)
		*obj_fd = 0;
	id = btf__find_by_name_kind(kb->vmlinux, name, kind);
	if (id > 0 || !kb->kvm)
		return id;
	id = btf__find_by_name_kind(kb->kvm, name, kind);
	if (id > 0 && obj_fd)
		*obj_fd = -1;	/* caller must use the module's BTF fd */
	return id;
}

/*
 * Trial load and attach of an empty fentry program (cf. libbpf-tools).
 * Whether fentry is allowed at all is a kernel-wide policy, so a function
 * in KVM's module BTF is stood in for by a vmlinux function.
 */
static int fentry_try(const struct kbtf *kb, const char *fn)
{
	static const struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* r0 = 0 */
		{ .code = 0x95 },				/* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY);
	int id, obj_fd, fd, link;

	id = btf_find(kb, fn, BTF_KIND_FUNC, &obj_fd);
	if (id > 0 && obj_fd < 0)
		id = btf__find_by_name_kind(kb->vmlinux, "vfs_read",
					    BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "vsva_probe", "GPL", insns,
			   2, &opts);
	if (fd < 0)
		return fd;
	link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	close(fd);
	if (link < 0)
		return link;
	close(link);
	return 0;
}

/*
 * With the effective credentials: a non-root vsvad with CAP_DAC_READ_SEARCH
 * can see into tracefs (mode 0700), which plain access() would deny.
 */
static bool exists(const char *path)
{
	return faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0;
}

static bool tracefs_events(const char *root)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/events", root);
	return exists(p);
}

static void tracefs_detect(struct vsva_kcaps *k, bool may_mount)
{
	if (tracefs_events(DEBUGFS_TRACING) || tracefs_events(TRACEFS)) {
		k->tracefs = true;
		return;
	}
	if (may_mount && mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0 &&
	    tracefs_events(TRACEFS)) {
		fprintf(stderr, "vsva: mounted tracefs at " TRACEFS "\n");
		k->tracefs = true;
		return;
	}
	snprintf(k->tracefs_msg, sizeof(k->tracefs_msg),
		 "tracefs is not mounted at " TRACEFS "%s%s; run "
		 "'mount -t tracefs nodev " TRACEFS "' as root",
		 may_mount ? " and mounting it failed: " : "",
		 may_mount ? strerror(errno) : "");
}

static bool is_kvm_dev(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 10 && minor(st.st_rdev) == 232;
}

/* Every typedef named (NULL-terminated) is in the kernel's BTF. */
static bool btf_has_all(const struct kbtf *kb, ...)
{
	const char *name;
	bool all = true;
	va_list ap;

	va_start(ap, kb);
	while ((name = va_arg(ap, const char *)))
		all &= btf_find(kb, name, BTF_KIND_TYPEDEF, NULL) > 0;
	va_end(ap);
	return all;
}

/*
 * Arguments of function @name (BTF_KIND_FUNC), or of tracepoint typedef
 * @name (BTF_KIND_TYPEDEF, without the leading void *); 0 if absent.
 */
static int btf_nargs(const struct kbtf *kb, const char *name, int kind)
{
	const struct btf *btf = kb->vmlinux;
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, name, kind);

	if (id <= 0 && kb->kvm) {
		btf = kb->kvm;
		id = btf__find_by_name_kind(btf, name, kind);
	}
	if (id <= 0)
		return 0;
	t = btf__type_by_id(btf, id);			/* typedef or func */
	t = btf__type_by_id(btf, t->type);		/* pointer or proto */
	if (t && kind == BTF_KIND_TYPEDEF)
		t = btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return 0;
	return btf_vlen(t) - (kind == BTF_KIND_TYPEDEF);
}

static bool proc_has_pi_rows(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line + strspn(line, " "), "PIN:", 4);
	fclose(f);
	return found;
}

static bool param_yes(const char *path)
{
	FILE *f = fopen(path, "r");
	int c = f ? fgetc(f) : 0;

	if (f)
		fclose(f);
	return c == 'Y' || c == 'y' || c == '1';
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
 * is @size.  0, or -1 with the reason in k->classic_msg.
 */
static int tp_field(struct vsva_kcaps *k, struct tep_handle *tep,
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
		snprintf(k->classic_msg, sizeof(k->classic_msg), "no tracefs "
			 "event %s/%s (%s)", sys, ev, root ? strerror(errno) :
			 "tracefs not mounted");
		return -1;
	}
	event = tep_find_event_by_name(tep, sys, ev);
	if (!event && tep_parse_format(tep, &event, buf, len, sys))
		event = NULL;
	free(buf);
	if (!event) {
		snprintf(k->classic_msg, sizeof(k->classic_msg), "cannot parse "
			 "the format of %s/%s", sys, ev);
		return -1;
	}
	if (!field)
		return 0;
	f = tep_find_field(event, field);
	if (!f || f->size != size) {
		snprintf(k->classic_msg, sizeof(k->classic_msg), "%s/%s has no "
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
static void classic_detect(struct vsva_kcaps *k)
{
	struct tep_handle *tep = tep_alloc();
	const struct tp_need *n;
	bool ok[2] = { true, true };
	__u32 *off;

	if (!tep)
		return;
	for (n = tp_needs; n < tp_needs + ARRAY_SIZE(tp_needs); n++) {
		off = (__u32 *)((char *)&k->tp_off + n->at);
		if (ok[n->irq])
			ok[n->irq] = !tp_field(k, tep, n->sys, n->ev, n->field,
					       n->size, off);
	}
	k->kvmmmu_classic = ok[false];
	k->irq_classic = ok[true];
	tep_free(tep);
}

/* Is @sym a kernel (or module) function kprobes can find by name? */
static bool kallsyms_has(const char *sym)
{
	char line[256], name[128];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %127s", name) == 1 &&
			!strcmp(name, sym);
	fclose(f);
	return found;
}

/* The kprobe rung for the memslot flush (kernels fentry cannot reach). */
static void kprobe_detect(struct vsva_kcaps *k)
{
	const char *fn = "kvm_arch_flush_shadow_memslot";

	if (!exists("/sys/bus/event_source/devices/kprobe/type"))
		snprintf(k->kprobe_msg, sizeof(k->kprobe_msg), "no kprobes "
			 "(kernel built without CONFIG_KPROBE_EVENTS)");
	else if (!kallsyms_has(fn))
		snprintf(k->kprobe_msg, sizeof(k->kprobe_msg), "no kprobe: "
			 "%s is not in /proc/kallsyms (inlined?)", fn);
	else
		k->kprobe_flush = true;
}

void vsva_kcaps_detect(struct vsva_kcaps *k, bool may_mount_tracefs)
{
	struct kbtf kb = { 0 };

	memset(k, 0, sizeof(*k));
	k->fentry_err = -ENOENT;
	k->dev_kvm = is_kvm_dev("/dev/kvm");
	k->tdp_mmu = param_yes("/sys/module/kvm/parameters/tdp_mmu");
	k->proc_pi = proc_has_pi_rows();
	tracefs_detect(k, may_mount_tracefs);
	k->ioctl_tp = k->tracefs &&
		(exists(TRACEFS "/events/syscalls/sys_exit_ioctl/id") ||
		 exists(DEBUGFS_TRACING "/events/syscalls/sys_exit_ioctl/id"));

	if (k->tracefs)
		classic_detect(k);
	if (k->dev_kvm)
		kprobe_detect(k);

	kb.vmlinux = btf__load_vmlinux_btf();
	if (!kb.vmlinux)
		return;
	k->btf = true;
	if (exists("/sys/kernel/btf/kvm"))
		kb.kvm = btf__load_module_btf("kvm", kb.vmlinux);
	else if (exists("/sys/module/kvm/initstate"))
		k->kvm_no_btf = true;	/* a module, and no module BTF */
	/* bpf_mem_alloc (6.1) lifted the preallocation rule for tracing */
	k->prealloc = btf__find_by_name_kind(kb.vmlinux, "bpf_mem_alloc",
					     BTF_KIND_STRUCT) <= 0;
	k->own_memslot_tp =
		btf_find(&kb, "btf_trace_kvm_flush_shadow_memslot_enter",
			 BTF_KIND_TYPEDEF, NULL) > 0 &&
		btf_find(&kb, "btf_trace_kvm_flush_shadow_memslot_exit",
			 BTF_KIND_TYPEDEF, NULL) > 0;
	k->kvmmmu_tp =
		btf_find(&kb, "btf_trace_kvm_mmu_zap_all_fast",
			 BTF_KIND_TYPEDEF, NULL) > 0 &&
		btf_find(&kb, "btf_trace_kvm_mmu_prepare_zap_page",
			 BTF_KIND_TYPEDEF, NULL) > 0 &&
		btf_find(&kb, "btf_trace_kvm_mmu_get_page",
			 BTF_KIND_TYPEDEF, NULL) > 0;
	k->irq_tp = btf_has_all(&kb, "btf_trace_kvm_msi_set_irq",
				"btf_trace_kvm_set_irq",
				"btf_trace_kvm_ioapic_set_irq",
				"btf_trace_kvm_pic_set_irq", NULL);
	k->pi_irte_args = btf_nargs(&kb, "btf_trace_kvm_pi_irte_update",
				    BTF_KIND_TYPEDEF);
	k->own_bypass_tp = btf_has_all(&kb,
				       "btf_trace_kvm_irq_bypass_add_producer",
				       "btf_trace_kvm_irq_bypass_del_producer",
				       NULL);
	k->irqbypass_tp = btf_has_all(&kb, "btf_trace_irq_bypass_connect",
				      "btf_trace_irq_bypass_disconnect", NULL);
	k->iommu_tp = btf_has_all(&kb, "btf_trace_map", "btf_trace_unmap",
				  "btf_trace_attach_device_to_domain",
				  "btf_trace_io_page_fault", NULL);
	k->own_pasid_tp = btf_has_all(&kb,
		"btf_trace_iommu_attach_device_pasid_enter",
		"btf_trace_iommu_attach_device_pasid_exit",
		"btf_trace_iommu_detach_device_pasid_enter",
		"btf_trace_iommu_detach_device_pasid_exit", NULL);
	k->own_sva_tp = btf_has_all(&kb,
		"btf_trace_iommu_sva_bind_device_enter",
		"btf_trace_iommu_sva_bind_device_exit",
		"btf_trace_iommu_sva_unbind_device_enter",
		"btf_trace_iommu_sva_unbind_device_exit", NULL);
	k->own_iommufd_tp = btf_has_all(&kb, "btf_trace_iommufd_hwpt_alloc",
		"btf_trace_iommufd_hwpt_invalidate_enter",
		"btf_trace_iommufd_hwpt_invalidate_exit", NULL);
	/* (domain, dev, pasid) before 6.11, (..., handle) since */
	k->pasid_attach_args = btf_nargs(&kb, "iommu_attach_device_pasid",
					 BTF_KIND_FUNC);
	k->pasid_fn = (k->pasid_attach_args == 3 ||
		       k->pasid_attach_args == 4) &&
		      btf_nargs(&kb, "iommu_detach_device_pasid",
				BTF_KIND_FUNC) >= 2;
	k->flush_fn = btf_find(&kb, "kvm_arch_flush_shadow_memslot",
			       BTF_KIND_FUNC, NULL) > 0;
	/* fentry is allowed or not kernel-wide: one trial answers for all */
	k->fentry_err = fentry_try(&kb, k->flush_fn ?
				   "kvm_arch_flush_shadow_memslot" : "vfs_read");
	btf__free(kb.kvm);
	btf__free(kb.vmlinux);
}

static void __attribute__((format(printf, 4, 5)))
set(struct vsva_choice *c, enum vsva_rung r, bool approx, const char *fmt, ...)
{
	va_list ap;

	c->rung = r;
	c->approximate = approx;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	if (c->failed[0] && !strstr(c->reason, c->failed))
		snprintf(c->reason + strlen(c->reason),
			 sizeof(c->reason) - strlen(c->reason), "; %s",
			 c->failed);
}

/* May @c use rung @r: not refused by an earlier failed load? */
static bool usable(const struct vsva_choice *c, enum vsva_rung r)
{
	return !(c->refused & (1u << r));
}

/* Why KVM's own functions and events are out of BTF's reach. */
static const char *kvm_btf_why(const struct vsva_kcaps *k)
{
	return k->kvm_no_btf ? "KVM is a module and this kernel has no module "
			       "BTF (Linux 5.11+)" : "not in this kernel's BTF";
}

/* Preconditions shared by every KVM measurement. */
static bool kvm_usable(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	if (!k->btf) {
		set(c, VSVA_RUNG_NONE, false, "kernel has no BTF "
		    "(/sys/kernel/btf/vmlinux): CONFIG_DEBUG_INFO_BTF=y is "
		    "needed");
		return false;
	}
	if (!k->dev_kvm) {
		set(c, VSVA_RUNG_NONE, false, "no /dev/kvm: KVM is not "
		    "available on this host (module not loaded or no "
		    "hardware virtualization)");
		return false;
	}
	return true;
}

void vsva_choose_kvmmmu(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	if (!kvm_usable(k, c))
		return;
	enum vsva_rung r = VSVA_RUNG_NONE;

	if (k->kvmmmu_tp && usable(c, VSVA_RUNG_STOCK_TP))
		r = VSVA_RUNG_STOCK_TP;
	else if (k->kvmmmu_classic && usable(c, VSVA_RUNG_CLASSIC_TP))
		r = VSVA_RUNG_CLASSIC_TP;
	if (r && k->tdp_mmu)
		set(c, r, true, "approximate: KVM's TDP MMU is in use, and "
		    "kvm_mmu_get_page/kvm_mmu_prepare_zap_page see only shadow "
		    "pages (nested guests)%s", r == VSVA_RUNG_CLASSIC_TP ?
		    "; through tracefs" : "");
	else if (r == VSVA_RUNG_STOCK_TP)
		set(c, r, false, "kvmmmu tracepoints kvm_mmu_get_page, "
		    "kvm_mmu_prepare_zap_page, kvm_mmu_zap_all_fast");
	else if (r)
		set(c, r, false, "kvmmmu tracepoints through tracefs (fields "
		    "by name from their formats)%s%s", k->kvmmmu_tp ? "" :
		    ": tp_btf cannot reach them: ", k->kvmmmu_tp ? "" :
		    kvm_btf_why(k));
	else if (k->kvmmmu_tp || k->kvmmmu_classic)
		set(c, VSVA_RUNG_NONE, false, "no rung of the kvmmmu "
		    "tracepoints could be used");
	else
		set(c, VSVA_RUNG_NONE, false, "kvmmmu tracepoints "
		    "(kvm_mmu_zap_all_fast, kvm_mmu_prepare_zap_page, "
		    "kvm_mmu_get_page): %s; tracefs: %s", kvm_btf_why(k),
		    k->tracefs ? k->classic_msg : k->tracefs_msg);
}

void vsva_choose_memslot(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	char no_fentry[256];

	if (!kvm_usable(k, c))
		return;
	if (k->own_memslot_tp && usable(c, VSVA_RUNG_OWN_TP)) {
		set(c, VSVA_RUNG_OWN_TP, false, "kvm_flush_shadow_memslot_enter"
		    "/_exit tracepoints (vsva kernel series)");
		return;
	}
	if (!k->kvmmmu_tp && !k->kvmmmu_classic) {
		set(c, VSVA_RUNG_NONE, false, "no own tracepoint (kernel "
		    "without the vsva series) and no kvmmmu tracepoints to "
		    "tell the zap mode");
		return;
	}
	if (k->flush_fn && k->fentry_err == 0 && usable(c, VSVA_RUNG_FENTRY)) {
		set(c, VSVA_RUNG_FENTRY, false, "fentry/fexit on "
		    "kvm_arch_flush_shadow_memslot; no own tracepoint (kernel "
		    "without the vsva series)");
		return;
	}
	if (k->flush_fn && !k->fentry_err)
		snprintf(no_fentry, sizeof(no_fentry), "fentry not used");
	else if (k->flush_fn)
		snprintf(no_fentry, sizeof(no_fentry), "fentry refused: %s",
			 strerror(-k->fentry_err));
	else if (k->kvm_no_btf)
		snprintf(no_fentry, sizeof(no_fentry), "no fentry: %s",
			 kvm_btf_why(k));
	else
		snprintf(no_fentry, sizeof(no_fentry), "kvm_arch_flush_shadow_"
			 "memslot is not in BTF (inlined or renamed)");
	if (k->kprobe_flush && usable(c, VSVA_RUNG_KPROBE)) {
		set(c, VSVA_RUNG_KPROBE, false, "kprobe/kretprobe on "
		    "kvm_arch_flush_shadow_memslot; no own tracepoint (kernel "
		    "without the vsva series); %s", no_fentry);
		return;
	}
	snprintf(no_fentry + strlen(no_fentry),
		 sizeof(no_fentry) - strlen(no_fentry), "; %s",
		 k->kprobe_flush ? "kprobe not used" : k->kprobe_msg);
	if (k->ioctl_tp && usable(c, VSVA_RUNG_SYSCALL_TP)) {
		set(c, VSVA_RUNG_SYSCALL_TP, true, "approximate: times the "
		    "whole KVM_SET_USER_MEMORY_REGION(2) ioctl that deletes a "
		    "slot; no own tracepoint (kernel without the vsva series); "
		    "%s", no_fentry);
		return;
	}
	set(c, VSVA_RUNG_NONE, false, "no own tracepoint; %s; %s%s", no_fentry,
	    k->ioctl_tp ? "syscall tracepoints not used" :
	    "no syscall tracepoints: ", k->ioctl_tp ? "" : k->tracefs ?
	    "kernel built without CONFIG_FTRACE_SYSCALLS" : k->tracefs_msg);
}

void vsva_choose_memslot_forced(const struct vsva_kcaps *k,
				enum vsva_rung force, struct vsva_choice *c)
{
	struct vsva_kcaps masked = *k;
	char why[sizeof(c->reason)];

	if (force > VSVA_RUNG_OWN_TP)
		masked.own_memslot_tp = false;
	if (force > VSVA_RUNG_FENTRY)
		masked.fentry_err = -EPERM;
	if (force > VSVA_RUNG_KPROBE) {
		masked.kprobe_flush = false;
		snprintf(masked.kprobe_msg, sizeof(masked.kprobe_msg),
			 "kprobe not used");
	}
	vsva_choose_memslot(&masked, c);
	if (c->rung == force)
		return;
	snprintf(why, sizeof(why), "%s", c->reason);
	set(c, VSVA_RUNG_NONE, false, "forced rung %s is not available: %s",
	    vsva_rung_name(force), why);
}

void vsva_choose_irq_injection(const struct vsva_kcaps *k,
			       struct vsva_choice *c)
{
	if (!kvm_usable(k, c))
		return;
	if (k->irq_tp && usable(c, VSVA_RUNG_STOCK_TP))
		set(c, VSVA_RUNG_STOCK_TP, false, "kvm tracepoints "
		    "kvm_msi_set_irq, kvm_ioapic_set_irq, kvm_pic_set_irq, "
		    "kvm_set_irq; injections deferred to a kworker are "
		    "counted as vm=\"kernel/0\"");
	else if (k->irq_classic && usable(c, VSVA_RUNG_CLASSIC_TP))
		set(c, VSVA_RUNG_CLASSIC_TP, false, "kvm tracepoints "
		    "kvm_msi_set_irq, kvm_ioapic_set_irq, kvm_pic_set_irq, "
		    "kvm_set_irq through tracefs (fields by name from their "
		    "formats)%s%s; injections deferred to a kworker are "
		    "counted as vm=\"kernel/0\"", k->irq_tp ? "" :
		    ": tp_btf cannot reach them: ", k->irq_tp ? "" :
		    kvm_btf_why(k));
	else if (k->irq_tp || k->irq_classic)
		set(c, VSVA_RUNG_NONE, false, "no rung of the kvm irq "
		    "tracepoints could be used");
	else
		set(c, VSVA_RUNG_NONE, false, "kvm_msi_set_irq/kvm_set_irq "
		    "tracepoints: %s; tracefs: %s", kvm_btf_why(k),
		    k->tracefs ? k->classic_msg : k->tracefs_msg);
}

void vsva_choose_irq_bypass(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	if (!kvm_usable(k, c))
		return;
	if (k->own_bypass_tp && usable(c, VSVA_RUNG_OWN_TP))
		set(c, VSVA_RUNG_OWN_TP, false, "kvm_irq_bypass_add_producer/"
		    "_del_producer tracepoints (vsva kernel series)");
	else if ((k->pi_irte_args == 5 || k->pi_irte_args == 6) &&
		 usable(c, VSVA_RUNG_STOCK_TP))
		set(c, VSVA_RUNG_STOCK_TP, true, "approximate: producers "
		    "inferred from kvm_pi_irte_update (set minus clear), which "
		    "fires only where interrupts can be posted; no own "
		    "tracepoint (kernel without the vsva series)");
	else
		set(c, VSVA_RUNG_NONE, false, "neither the vsva series' "
		    "producer tracepoints nor kvm_pi_irte_update: %s",
		    kvm_btf_why(k));
}

void vsva_choose_bypass_connect(const struct vsva_kcaps *k,
				struct vsva_choice *c)
{
	if (!k->btf)
		set(c, VSVA_RUNG_NONE, false, "kernel has no BTF "
		    "(/sys/kernel/btf/vmlinux): CONFIG_DEBUG_INFO_BTF=y is "
		    "needed");
	else if (k->irqbypass_tp && usable(c, VSVA_RUNG_OWN_TP))
		set(c, VSVA_RUNG_OWN_TP, false, "irq_bypass_connect/"
		    "_disconnect tracepoints (vsva kernel series)");
	else
		set(c, VSVA_RUNG_NONE, false, "no irqbypass tracepoints "
		    "(kernel without the vsva series)");
}

void vsva_choose_posted(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	if (k->proc_pi)
		set(c, VSVA_RUNG_PROCFS, false, "/proc/interrupts rows PIN, "
		    "NPI, PIW");
	else
		set(c, VSVA_RUNG_NONE, false, "no PIN/NPI/PIW rows in "
		    "/proc/interrupts (not an x86 host with posted "
		    "interrupts)");
}

void vsva_choose_iommu(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	if (!k->btf)
		set(c, VSVA_RUNG_NONE, false, "kernel has no BTF "
		    "(/sys/kernel/btf/vmlinux): CONFIG_DEBUG_INFO_BTF=y is "
		    "needed");
	else if (k->iommu_tp && usable(c, VSVA_RUNG_STOCK_TP))
		set(c, VSVA_RUNG_STOCK_TP, false, "iommu tracepoints map, unmap, "
		    "attach_device_to_domain, io_page_fault; map/unmap carry "
		    "no device, so they are counted per mapping VM");
	else
		set(c, VSVA_RUNG_NONE, false, "iommu tracepoints are not in "
		    "this kernel's BTF (CONFIG_IOMMU_API off?)");
}

void vsva_choose_pasid(const struct vsva_kcaps *k, enum vsva_rung force,
		       struct vsva_choice *c)
{
	char why[sizeof(c->reason)];

	if (!k->btf) {
		vsva_choose_iommu(k, c);
		return;
	}
	if (k->own_pasid_tp && force != VSVA_RUNG_FENTRY &&
	    usable(c, VSVA_RUNG_OWN_TP))
		set(c, VSVA_RUNG_OWN_TP, false, "iommu_attach/detach_device_pasid"
		    "_enter/_exit tracepoints (vsva kernel series)");
	else if (k->pasid_fn && !k->fentry_err && usable(c, VSVA_RUNG_FENTRY))
		set(c, VSVA_RUNG_FENTRY, false, "fentry/fexit on "
		    "iommu_attach_device_pasid, iommu_detach_device_pasid");
	else if (k->pasid_fn)
		set(c, VSVA_RUNG_NONE, false, "no own tracepoint (kernel "
		    "without the vsva series); fentry %s%s", k->fentry_err ?
		    "refused: " : "not used", k->fentry_err ?
		    strerror(-k->fentry_err) : "");
	else if (k->pasid_attach_args)
		set(c, VSVA_RUNG_NONE, false, "no own tracepoint (kernel "
		    "without the vsva series); iommu_attach_device_pasid has "
		    "%d arguments, vsva knows the 3- and 4-argument forms",
		    k->pasid_attach_args);
	else
		set(c, VSVA_RUNG_NONE, false, "no own tracepoint (kernel "
		    "without the vsva series) and no iommu_attach_device_pasid "
		    "in BTF");
	if (!force || c->rung == force)
		return;
	snprintf(why, sizeof(why), "%s", c->reason);
	set(c, VSVA_RUNG_NONE, false, "forced rung %s is not available: %s",
	    vsva_rung_name(force), why);
}

void vsva_choose_sva(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	if (k->btf && k->own_sva_tp && usable(c, VSVA_RUNG_OWN_TP))
		set(c, VSVA_RUNG_OWN_TP, false, "iommu_sva_bind/unbind_device"
		    "_enter/_exit tracepoints (vsva kernel series)");
	else
		set(c, VSVA_RUNG_NONE, false, "needs the vsva series' "
		    "iommu_sva_* tracepoints (fexit cannot tell a new bond "
		    "from a reference on an existing one)");
}

void vsva_choose_iommufd(const struct vsva_kcaps *k, struct vsva_choice *c)
{
	if (k->btf && k->own_iommufd_tp && usable(c, VSVA_RUNG_OWN_TP))
		set(c, VSVA_RUNG_OWN_TP, false, "iommufd_hwpt_alloc, "
		    "iommufd_hwpt_invalidate_enter/_exit tracepoints (vsva "
		    "kernel series)");
	else
		set(c, VSVA_RUNG_NONE, false, "needs the vsva series' iommufd "
		    "tracepoints (the HWPT ioctl handlers decode their "
		    "arguments from user memory)");
}
