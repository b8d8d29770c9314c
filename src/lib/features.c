// SPDX-License-Identifier: GPL-2.0
/*
 * What the running kernel offers the probe ladder: every feature a rung
 * can need, and for each one it lacks, why (src/lib/ladder.c builds the
 * measurements' reasons from those).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "priv.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* vmlinux's BTF, and the modules' whose functions vsva hooks */
enum { KB_KVM, KB_IOMMUFD, KB_NMODS };

struct kbtf {
	struct btf *vmlinux;
	struct btf *mod[KB_NMODS];	/* module BTF where it is a module */
};

/* @name of @kind in vmlinux or a module: its id, and in *@btf its BTF. */
static int btf_lookup(const struct kbtf *kb, const char *name, int kind,
		      const struct btf **btf)
{
	int id = btf__find_by_name_kind(kb->vmlinux, name, kind), i;

	*btf = kb->vmlinux;
	for (i = 0; id <= 0 && i < KB_NMODS; i++) {
		if (!kb->mod[i])
			continue;
		id = btf__find_by_name_kind(kb->mod[i], name, kind);
		*btf = kb->mod[i];
	}
	return id;
}

static int btf_find(const struct kbtf *kb, const char *name, int kind,
		    int *obj_fd)
{
	const struct btf *btf;
	int id = btf_lookup(kb, name, kind, &btf);

	if (obj_fd)	/* -1: the caller must use the module's BTF fd */
		*obj_fd = id > 0 && btf != kb->vmlinux ? -1 : 0;
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

/* Detection state: the kernel's BTF and what tracefs looks like. */
struct det {
	struct vsva_features *f;
	struct kbtf kb;
	bool kvm_no_btf;	/* KVM is a module without BTF (Linux < 5.11) */
	int fentry_err;		/* the trial fentry attach: 0 or -errno */
};

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
	const struct btf *btf;
	const struct btf_type *t;
	int id = btf_lookup(kb, name, kind, &btf);

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

/* Which of @n functions kprobes can find by name (one pass of kallsyms). */
static void kallsyms_find(const char *const *sym, bool *found, int n)
{
	char line[256], name[128];
	FILE *f = fopen("/proc/kallsyms", "r");
	int i;

	for (i = 0; i < n; i++)
		found[i] = false;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %127s", name) != 1)
			continue;
		for (i = 0; i < n; i++)
			found[i] |= !strcmp(name, sym[i]);
	}
	fclose(f);
}

/* The kprobe rungs, for kernels fentry cannot reach KVM on. */
static void kprobe_detect(struct vsva_features *f)
{
	static const char *const fn[] = {
		"kvm_arch_flush_shadow_memslot", "kvm_arch_init_vm",
		"kvm_arch_destroy_vm",
	};
	static const enum vsva_feature x[] = {
		VSVA_F_FLUSH_KPROBE, VSVA_F_VMINIT_KPROBE, VSVA_F_VMINIT_KPROBE,
	};
	bool found[3];
	int i;

	if (!vsva_exists("/sys/bus/event_source/devices/kprobe/type")) {
		for (i = 0; i < 2; i++)
			vsva_feat(f, x[i], false, "no kprobes (kernel built "
				  "without CONFIG_KPROBE_EVENTS)");
		return;
	}
	kallsyms_find(fn, found, 3);
	for (i = 0; i < 3; i++)
		if (i < 2 || !found[i])
			vsva_feat(f, x[i], found[i], "no kprobe: %s is not in "
				  "/proc/kallsyms (inlined?)", fn[i]);
}

/* Why KVM's own functions and events are out of BTF's reach. */
static const char *kvm_btf_why(const struct det *d)
{
	return d->kvm_no_btf ? "KVM is a module and this kernel has no module "
			       "BTF (Linux 5.11+)" : "not in this kernel's BTF";
}

/*
 * Feature @x: fentry on every function named (NULL-terminated), each in
 * BTF with the 5 arguments vsva's programs know where it takes 5 (the
 * kvm_set_msi family), any number otherwise; @err is the kernel-wide trial.
 */
static void fentry_fns(struct det *d, enum vsva_feature x, int err, ...)
{
	const char *fn, *bad = NULL;
	int n, want;
	va_list ap;

	va_start(ap, err);
	while (!bad && (fn = va_arg(ap, const char *))) {
		want = strstr(fn, "irq") || strstr(fn, "msi") ? 5 : 0;
		n = btf_nargs(&d->kb, fn, BTF_KIND_FUNC);
		if (!n || (want && n != want))
			bad = fn;
	}
	va_end(ap);
	if (bad && d->kvm_no_btf)
		vsva_feat(d->f, x, false, "no fentry: %s", kvm_btf_why(d));
	else if (bad)
		vsva_feat(d->f, x, false, "%s is not in BTF with the arguments "
			  "vsva knows (inlined or changed)", bad);
	else
		vsva_feat(d->f, x, !err, "fentry refused: %s", strerror(-err));
}

/* KVM's tracepoints and functions, in vmlinux's or kvm.ko's BTF. */
static void kvm_btf_features(struct det *d)
{
	const struct kbtf *kb = &d->kb;
	struct vsva_features *f = d->f;
	bool flush_fn;
	int err;

	vsva_feat(f, VSVA_F_OWN_MEMSLOT_TP, btf_has_all(kb,
	     "btf_trace_kvm_flush_shadow_memslot_enter",
	     "btf_trace_kvm_flush_shadow_memslot_exit", NULL),
	     "no own tracepoint (kernel without the vsva series)");
	vsva_feat(f, VSVA_F_KVMMMU_TP, btf_has_all(kb,
	     "btf_trace_kvm_mmu_zap_all_fast",
	     "btf_trace_kvm_mmu_prepare_zap_page",
	     "btf_trace_kvm_mmu_get_page", NULL), "kvmmmu tracepoints "
	     "(kvm_mmu_zap_all_fast, kvm_mmu_prepare_zap_page, "
	     "kvm_mmu_get_page): %s", kvm_btf_why(d));
	vsva_feat(f, VSVA_F_IRQ_TP, btf_has_all(kb, "btf_trace_kvm_msi_set_irq",
	     "btf_trace_kvm_set_irq", "btf_trace_kvm_ioapic_set_irq",
	     "btf_trace_kvm_pic_set_irq", NULL), "kvm_msi_set_irq/"
	     "kvm_set_irq tracepoints: %s", kvm_btf_why(d));
	f->pi_irte_args = btf_nargs(kb, "btf_trace_kvm_pi_irte_update",
				    BTF_KIND_TYPEDEF);
	vsva_feat(f, VSVA_F_PI_IRTE_TP, f->pi_irte_args == 5 ||
	     f->pi_irte_args == 6, "kvm_pi_irte_update: %s%s",
	     f->pi_irte_args ? "a layout vsva does not know" : "",
	     f->pi_irte_args ? "" : kvm_btf_why(d));
	vsva_feat(f, VSVA_F_OWN_BYPASS_TP, btf_has_all(kb,
	     "btf_trace_kvm_irq_bypass_add_producer",
	     "btf_trace_kvm_irq_bypass_del_producer", NULL),
	     "no kvm_irq_bypass_add/_del_producer tracepoints (kernel "
	     "without the vsva series)");
	flush_fn = btf_find(kb, "kvm_arch_flush_shadow_memslot",
			    BTF_KIND_FUNC, NULL) > 0;
	/* fentry is allowed or not kernel-wide: one trial answers for all */
	err = fentry_try(kb, flush_fn ? "kvm_arch_flush_shadow_memslot" :
			 "vfs_read");
	d->fentry_err = err;
	if (!flush_fn)
		vsva_feat(f, VSVA_F_FLUSH_FENTRY, false, d->kvm_no_btf ?
		     "no fentry: %s" : "kvm_arch_flush_shadow_memslot is not "
		     "in BTF (inlined or renamed)%s", d->kvm_no_btf ?
		     kvm_btf_why(d) : "");
	else
		vsva_feat(f, VSVA_F_FLUSH_FENTRY, !err, "fentry refused: %s",
		     strerror(-err));
	fentry_fns(d, VSVA_F_VMINIT_FENTRY, err, "kvm_arch_init_vm",
		   "kvm_arch_destroy_vm", NULL);
	fentry_fns(d, VSVA_F_MSI_FENTRY, err, "kvm_set_msi",
		   "kvm_arch_set_irq_inatomic", "kvm_set_irq", NULL);
	/* (domain, dev, pasid) before 6.11, (..., handle) since */
	f->pasid_attach_args = btf_nargs(kb, "iommu_attach_device_pasid",
					 BTF_KIND_FUNC);
	if (f->pasid_attach_args != 3 && f->pasid_attach_args != 4)
		vsva_feat(f, VSVA_F_PASID_FENTRY, false, f->pasid_attach_args ?
		     "iommu_attach_device_pasid has %d arguments, vsva knows "
		     "the 3- and 4-argument forms" : "no "
		     "iommu_attach_device_pasid in BTF", f->pasid_attach_args);
	else
		vsva_feat(f, VSVA_F_PASID_FENTRY, !err, "fentry refused: %s",
		     strerror(-err));
	/* (domain, dev, pasid, handle): iommufd's PASID replace (not in 6.12) */
	if (btf_nargs(kb, "iommu_replace_device_pasid", BTF_KIND_FUNC) != 4)
		vsva_feat(f, VSVA_F_PASID_REPLACE_FENTRY, false, "no "
		     "iommu_replace_device_pasid with 4 arguments in BTF (the "
		     "kernel has no PASID replace)");
	else
		vsva_feat(f, VSVA_F_PASID_REPLACE_FENTRY, !err, "fentry "
		     "refused: %s", strerror(-err));
}

/* The iommufd ioctl handlers for HWPT allocation and invalidation, in
 * vmlinux or iommufd.ko (Linux 6.8+), for stock kernels' fentry rung. */
static void iommufd_fentry(struct det *d)
{
	struct vsva_features *f = d->f;

	if (btf_nargs(&d->kb, "iommufd_hwpt_alloc", BTF_KIND_FUNC) != 1 ||
	    btf_nargs(&d->kb, "iommufd_hwpt_invalidate", BTF_KIND_FUNC) != 1)
		vsva_feat(f, VSVA_F_IOMMUFD_FENTRY, false, "%s",
		     vsva_exists("/sys/module/iommufd") ? "iommufd_hwpt_alloc"
		     "/_invalidate(ucmd) are not in BTF (Linux 6.8+)" : "no "
		     "iommufd (CONFIG_IOMMUFD off, or iommufd.ko not loaded)");
	else
		vsva_feat(f, VSVA_F_IOMMUFD_FENTRY, !d->fentry_err,
		     "fentry refused: %s", strerror(-d->fentry_err));
}

/* IOMMU, iommufd and irqbypass tracepoints (vmlinux). */
static void iommu_btf_features(struct det *d)
{
	const struct kbtf *kb = &d->kb;
	struct vsva_features *f = d->f;

	vsva_feat(f, VSVA_F_IRQBYPASS_TP, btf_has_all(kb,
	     "btf_trace_irq_bypass_connect",
	     "btf_trace_irq_bypass_disconnect", NULL), "no irqbypass "
	     "tracepoints (kernel without the vsva series)");
	vsva_feat(f, VSVA_F_IOMMU_TP, btf_has_all(kb, "btf_trace_map",
	     "btf_trace_unmap", "btf_trace_attach_device_to_domain",
	     "btf_trace_io_page_fault", NULL), "iommu tracepoints are not "
	     "in this kernel's BTF (CONFIG_IOMMU_API off?)");
	vsva_feat(f, VSVA_F_OWN_PASID_TP, btf_has_all(kb,
	     "btf_trace_iommu_attach_device_pasid_enter",
	     "btf_trace_iommu_attach_device_pasid_exit",
	     "btf_trace_iommu_detach_device_pasid_enter",
	     "btf_trace_iommu_detach_device_pasid_exit", NULL),
	     "no own tracepoint (kernel without the vsva series)");
	vsva_feat(f, VSVA_F_OWN_PASID_REPLACE_TP, btf_has_all(kb,
	     "btf_trace_iommu_replace_device_pasid_enter",
	     "btf_trace_iommu_replace_device_pasid_exit", NULL),
	     "no own tracepoint (the vsva series on 7.x has it; the 6.12 "
	     "backport's kernel has no PASID replace)");
	vsva_feat(f, VSVA_F_OWN_SVA_TP, btf_has_all(kb,
	     "btf_trace_iommu_sva_bind_device_enter",
	     "btf_trace_iommu_sva_bind_device_exit",
	     "btf_trace_iommu_sva_unbind_device_enter",
	     "btf_trace_iommu_sva_unbind_device_exit", NULL), "needs the "
	     "vsva series' iommu_sva_* tracepoints (fexit cannot tell a new "
	     "bond from a reference on an existing one)");
	vsva_feat(f, VSVA_F_OWN_IOMMUFD_TP, btf_has_all(kb,
	     "btf_trace_iommufd_hwpt_alloc",
	     "btf_trace_iommufd_hwpt_invalidate_enter",
	     "btf_trace_iommufd_hwpt_invalidate_exit", NULL), "no own "
	     "tracepoint (kernel without the vsva series)");
	vsva_feat(f, VSVA_F_OWN_VIOMMU_TP, btf_has_all(kb,
	     "btf_trace_iommufd_viommu_alloc",
	     "btf_trace_iommufd_vdevice_alloc",
	     "btf_trace_iommufd_viommu_invalidate_enter",
	     "btf_trace_iommufd_viommu_invalidate_exit", NULL), "needs the "
	     "vsva series' iommufd vIOMMU tracepoints (the series on 7.x; "
	     "6.12 has no vIOMMU objects)");
	iommufd_fentry(d);
}

/* No BTF: every feature read from BTF is missing for that reason. */
static void no_btf(struct vsva_features *f)
{
	static const enum vsva_feature from_btf[] = {
		VSVA_F_BTF, VSVA_F_OWN_MEMSLOT_TP, VSVA_F_FLUSH_FENTRY,
		VSVA_F_KVMMMU_TP, VSVA_F_IRQ_TP, VSVA_F_PI_IRTE_TP,
		VSVA_F_OWN_BYPASS_TP, VSVA_F_IRQBYPASS_TP, VSVA_F_IOMMU_TP,
		VSVA_F_OWN_PASID_TP, VSVA_F_PASID_FENTRY, VSVA_F_OWN_SVA_TP,
		VSVA_F_OWN_IOMMUFD_TP, VSVA_F_VMINIT_FENTRY, VSVA_F_MSI_FENTRY,
		VSVA_F_OWN_PASID_REPLACE_TP, VSVA_F_PASID_REPLACE_FENTRY,
		VSVA_F_OWN_VIOMMU_TP, VSVA_F_IOMMUFD_FENTRY,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(from_btf); i++)
		vsva_feat(f, from_btf[i], false, "kernel has no BTF "
		     "(/sys/kernel/btf/vmlinux): CONFIG_DEBUG_INFO_BTF=y is "
		     "needed");
}

void vsva_features_detect(struct vsva_features *f, bool may_mount_tracefs)
{
	struct det d = { .f = f };

	memset(f, 0, sizeof(*f));
	vsva_feat(f, VSVA_F_KVM, is_kvm_dev("/dev/kvm"), "no /dev/kvm: KVM is not "
	     "available on this host (module not loaded or no hardware "
	     "virtualization)");
	vsva_feat(f, VSVA_F_TDP_MMU, param_yes("/sys/module/kvm/parameters/tdp_mmu"),
	     "KVM's TDP MMU is off");
	vsva_feat(f, VSVA_F_PROC_PI, proc_has_pi_rows(), "no PIN/NPI/PIW rows in "
	     "/proc/interrupts (not an x86 host with posted interrupts)");
	vsva_tracefs_features(f, may_mount_tracefs);
	if (vsva_has(f, VSVA_F_KVM))
		kprobe_detect(f);
	else {
		vsva_feat(f, VSVA_F_FLUSH_KPROBE, false, "%s", f->why[VSVA_F_KVM]);
		vsva_feat(f, VSVA_F_VMINIT_KPROBE, false, "%s", f->why[VSVA_F_KVM]);
	}

	d.kb.vmlinux = btf__load_vmlinux_btf();
	if (!d.kb.vmlinux) {
		no_btf(f);
		return;
	}
	vsva_feat(f, VSVA_F_BTF, true, NULL);
	if (vsva_exists("/sys/kernel/btf/kvm"))
		d.kb.mod[KB_KVM] = btf__load_module_btf("kvm", d.kb.vmlinux);
	else if (vsva_exists("/sys/module/kvm/initstate"))
		d.kvm_no_btf = true;	/* a module, and no module BTF */
	if (vsva_exists("/sys/kernel/btf/iommufd"))
		d.kb.mod[KB_IOMMUFD] = btf__load_module_btf("iommufd",
							    d.kb.vmlinux);
	/* bpf_mem_alloc (6.1) lifted the preallocation rule for tracing */
	f->prealloc = btf__find_by_name_kind(d.kb.vmlinux, "bpf_mem_alloc",
					     BTF_KIND_STRUCT) <= 0;
	kvm_btf_features(&d);
	iommu_btf_features(&d);
	btf__free(d.kb.mod[KB_KVM]);
	btf__free(d.kb.mod[KB_IOMMUFD]);
	btf__free(d.kb.vmlinux);
}
