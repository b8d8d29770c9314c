/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva engine: probe ladder, BPF life cycle and snapshots, shared by
 * vsvad, vsva-top and vsva-bench.
 */
#ifndef VSVA_H
#define VSVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "vsva_tpoff.h"

#define VSVA_VERSION		"0.1.0"
#define VSVA_MAX_LABELS		4

/* ---- growable text buffer ------------------------------------------- */

struct vsva_buf {
	char *p;
	size_t len, cap;
	bool oom;		/* an append failed: the contents are short */
};

void vsva_buf_printf(struct vsva_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vsva_buf_put(struct vsva_buf *b, const char *s, size_t n);
void vsva_buf_free(struct vsva_buf *b);

/* ---- snapshot: metric families, independent of their source --------- */

enum vsva_mtype { VSVA_COUNTER, VSVA_GAUGE, VSVA_HISTOGRAM };

struct vsva_sample {
	int nlabels;
	const char *lname[VSVA_MAX_LABELS];
	char *lval[VSVA_MAX_LABELS];
	double value;			/* counter, gauge */
	uint64_t count;			/* histogram */
	double sum;
	int nbuckets;			/* finite buckets; +Inf is count */
	double *le;			/* upper bounds */
	uint64_t *cum;			/* cumulative counts */
	bool owns_names;		/* lname[] allocated (parsed samples) */
};

struct vsva_family {
	const char *name;
	const char *help;
	enum vsva_mtype type;
	int nsamples, cap;
	struct vsva_sample *samples;
	bool incomplete;		/* a sample could not be added */
};

struct vsva_snapshot {
	int nfam, cap;
	struct vsva_family *fam;
	bool oom;			/* something could not be added */
	char **owned;			/* names and help parsed from text */
	int nowned;
};

struct vsva_family *vsva_snap_family(struct vsva_snapshot *s,
				     const char *name, const char *help,
				     enum vsva_mtype type);
/* Add a sample; label name/value pairs follow, terminated by NULL. */
struct vsva_sample *vsva_family_add(struct vsva_family *f, double value, ...)
	__attribute__((sentinel));
void vsva_snap_free(struct vsva_snapshot *s);
/* Was anything lost while building @s (out of memory, bad labels)? */
bool vsva_snap_incomplete(const struct vsva_snapshot *s);
const struct vsva_family *vsva_snap_find(const struct vsva_snapshot *s,
					 const char *name);

/*
 * Log2 histograms: slot i counts values v with floor(log2(v)) == i (slot 0
 * also counts 0); the last slot is clamped and counts everything above.
 * Fill @smp with cumulative buckets le = 2^k * @unit for k in
 * [kmin, nslots - 1] (a bucket counts values below its bound) and
 * count/sum.  Returns 0, or -1 when out of memory.
 */
int vsva_hist_set(struct vsva_sample *smp, const uint64_t *slots, int nslots,
		  int kmin, double unit, double sum);

/* ---- Prometheus text exposition (format 0.0.4) ----------------------- */

void vsva_expo_write(struct vsva_buf *b, const struct vsva_snapshot *s);
void vsva_expo_label_value(struct vsva_buf *b, const char *v);
void vsva_expo_help(struct vsva_buf *b, const char *v);
/* Parse exposition text (vsvad's) into @s; -1 if something was lost. */
int vsva_expo_parse(const char *text, struct vsva_snapshot *s);

/* ---- vsvad request routing ------------------------------------------ */

enum vsva_route {
	VSVA_ROUTE_METRICS,
	VSVA_ROUTE_LANDING,
	VSVA_ROUTE_NOT_FOUND,
	VSVA_ROUTE_BAD_METHOD,
};

enum vsva_route vsva_http_route(const char *method, const char *url);

/* ---- web configuration (TLS, basic auth), exporter-toolkit format ---- */

struct vsva_webconfig {
	char *cert_pem, *key_pem;	/* NULL: no TLS */
	int nusers;			/* 0: no authentication */
	char **user, **hash, **cached;
};

int vsva_webconfig_load(const char *path, struct vsva_webconfig *wc,
			char *err, size_t len);
bool vsva_webconfig_check(struct vsva_webconfig *wc, const char *user,
			  const char *pass);
void vsva_webconfig_free(struct vsva_webconfig *wc);

/* ---- probe ladder ----------------------------------------------------- */

enum vsva_rung {
	VSVA_RUNG_NONE = 0,
	VSVA_RUNG_OWN_TP,	/* vsva kernel series tracepoint, tp_btf */
	VSVA_RUNG_FENTRY,	/* fentry/fexit on the kernel function */
	VSVA_RUNG_KPROBE,	/* kprobe/kretprobe on the kernel function */
	VSVA_RUNG_STOCK_TP,	/* stock tracepoint, tp_btf */
	VSVA_RUNG_CLASSIC_TP,	/* stock tracepoint, fields from tracefs */
	VSVA_RUNG_SYSCALL_TP,	/* syscall tracepoints: an approximation */
	VSVA_RUNG_PROCFS,	/* a kernel counter file, e.g. /proc/interrupts */
};

const char *vsva_rung_name(enum vsva_rung r);
/* Rung by name ("tracepoint", "fentry", ...); -1 if unknown. */
int vsva_rung_parse(const char *name, enum vsva_rung *r);

/* What the running kernel offers; filled by vsva_kcaps_detect(). */
struct vsva_kcaps {
	bool btf;		/* kernel BTF (/sys/kernel/btf/vmlinux) */
	bool dev_kvm;		/* /dev/kvm is KVM's character device */
	bool own_memslot_tp;	/* btf_trace_kvm_flush_shadow_memslot_enter */
	bool kvmmmu_tp;		/* btf_trace_kvm_mmu_{zap_all_fast,...} */
	bool tdp_mmu;		/* KVM's TDP MMU is in use (no shadow pages) */
	bool flush_fn;		/* BTF FUNC kvm_arch_flush_shadow_memslot */
	int fentry_err;		/* trial fentry load: 0 or -errno */
	bool tracefs;		/* tracefs mounted (classic tracepoints) */
	bool ioctl_tp;		/* syscalls/sys_{enter,exit}_ioctl */
	char tracefs_msg[192];	/* why tracefs is missing, what to do */
	bool irq_tp;		/* kvm_msi_set_irq, kvm_set_irq, ioapic, pic */
	int pi_irte_args;	/* kvm_pi_irte_update's arguments, 0: absent */
	bool own_bypass_tp;	/* kvm_irq_bypass_add/_del_producer (series) */
	bool irqbypass_tp;	/* irq_bypass_connect/_disconnect (series) */
	bool proc_pi;		/* PIN/NPI/PIW rows in /proc/interrupts */
	bool iommu_tp;		/* iommu: map, unmap, attach, io_page_fault */
	bool own_pasid_tp;	/* iommu_{attach,detach}_device_pasid_* (series) */
	bool own_sva_tp;	/* iommu_sva_{bind,unbind}_device_* (series) */
	bool own_iommufd_tp;	/* iommufd_hwpt_alloc/_invalidate_* (series) */
	bool pasid_fn;		/* BTF FUNC iommu_{attach,detach}_device_pasid */
	int pasid_attach_args;	/* iommu_attach_device_pasid's, 0: absent */
	bool kvm_no_btf;	/* KVM is a module without BTF (Linux < 5.11) */
	bool kprobe_flush;	/* kprobes, and kvm_arch_flush_shadow_memslot */
	char kprobe_msg[128];	/* why not */
	bool kvmmmu_classic;	/* kvmmmu events in tracefs, fields found */
	bool irq_classic;	/* kvm irq events in tracefs, fields found */
	char classic_msg[160];	/* why a classic rung's event is unusable */
	struct vsva_tp_offs tp_off;	/* their record layout */
	bool prealloc;		/* non-BTF tracing programs need preallocated
				 * hash maps (Linux < 6.1 warns otherwise) */
};

struct vsva_choice {
	enum vsva_rung rung;
	bool approximate;
	char reason[512];	/* why this rung (or none), why not higher */
	unsigned int refused;	/* 1 << rung: rungs whose programs failed */
	char failed[256];	/* why they failed (appended to reason) */
};

void vsva_kcaps_detect(struct vsva_kcaps *k, bool may_mount_tracefs);
void vsva_choose_memslot(const struct vsva_kcaps *k, struct vsva_choice *c);
/* The same, but only @force (a lower rung, to compare rungs) may win. */
void vsva_choose_memslot_forced(const struct vsva_kcaps *k,
				enum vsva_rung force, struct vsva_choice *c);
void vsva_choose_kvmmmu(const struct vsva_kcaps *k, struct vsva_choice *c);
void vsva_choose_irq_injection(const struct vsva_kcaps *k,
			       struct vsva_choice *c);
void vsva_choose_irq_bypass(const struct vsva_kcaps *k, struct vsva_choice *c);
void vsva_choose_bypass_connect(const struct vsva_kcaps *k,
				struct vsva_choice *c);
void vsva_choose_posted(const struct vsva_kcaps *k, struct vsva_choice *c);
void vsva_choose_iommu(const struct vsva_kcaps *k, struct vsva_choice *c);
void vsva_choose_pasid(const struct vsva_kcaps *k, enum vsva_rung force,
		       struct vsva_choice *c);
void vsva_choose_sva(const struct vsva_kcaps *k, struct vsva_choice *c);
void vsva_choose_iommufd(const struct vsva_kcaps *k, struct vsva_choice *c);

/* ---- /proc/interrupts: posted-interrupt rows ------------------------- */

enum vsva_pi_row { VSVA_PI_NOTIFY, VSVA_PI_NESTED, VSVA_PI_WAKEUP, VSVA_PI_ROWS };

struct vsva_pi_counts {
	int ncpus;			/* CPU columns in the header */
	int *cpu;			/* their CPU numbers (CPUn) */
	bool present[VSVA_PI_ROWS];	/* row found */
	uint64_t *count[VSVA_PI_ROWS];	/* ncpus values each, or NULL */
};

/* Parse /proc/interrupts text; 0, or -1 on a malformed header. */
int vsva_parse_pi(const char *text, struct vsva_pi_counts *pi);
void vsva_pi_free(struct vsva_pi_counts *pi);
extern const char *const vsva_pi_row_name[VSVA_PI_ROWS];

/* ---- engine ----------------------------------------------------------- */

struct vsva_engine_opts {
	unsigned int retention_s;	/* keep exited VMs this long */
	bool no_mount_tracefs;
	bool verbose;
	enum vsva_rung force_memslot;	/* 0: best available */
	enum vsva_rung force_pasid;	/* 0: best available */
};

struct vsva_engine;

int vsva_engine_open(struct vsva_engine **out,
		     const struct vsva_engine_opts *o, char *err, size_t len);
/* Append every measurement's families to @s. */
int vsva_engine_snapshot(struct vsva_engine *e, struct vsva_snapshot *s);
/* Retire VMs that exited more than the retention window ago. */
void vsva_engine_gc(struct vsva_engine *e);
void vsva_engine_close(struct vsva_engine *e);
/* Probe choices, for reporting (vsva-top header, bench). */
int vsva_engine_choices(struct vsva_engine *e, const char **names,
			const struct vsva_choice **choices, int max);
/* BPF program ids of loaded programs, for stats (bench). */
int vsva_engine_prog_fds(struct vsva_engine *e, int *fds, const char **names,
			 int max);

/* CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(). */
uint64_t vsva_mono_ns(void);

/* Privileges: 0 if this process may load tracing BPF, else a message. */
int vsva_check_privileges(char *msg, size_t len);
/* Keep only CAP_BPF; with @user (may be NULL) switch to that user. */
int vsva_drop_privileges(const char *user, char *msg, size_t len);

#endif /* VSVA_H */
